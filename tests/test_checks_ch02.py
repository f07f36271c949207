"""Chapter 2's checks accept the solutions and reject plausible mistakes with a specific hint."""
from typing import NamedTuple

import numpy as np
import pytest

from rnnbook import cells, checks
from rnnbook.cells import Step


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


# --------------------------------------------------------------------------- answers
@pytest.mark.parametrize("exercise, good", [("ex2-1", 1376), ("ex2-2", (64, 30, 32))])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and "correct" in msg


@pytest.mark.parametrize("wrong, hint", [
    (1344, "left out the bias"), (352, "recurrent kernel U"), (320, "input kernel W alone"),
    (2752, "two layers"), (430, "multiply by units"), (5000, "too large"), (10, "too small"),
    ("1376", "expected a number"),
])
def test_param_count_rejects_with_hints(wrong, hint):
    result, msg = run(checks.answer, "ex2-1", wrong)
    assert not result and hint in msg and "1376" not in msg


@pytest.mark.parametrize("wrong, hint", [
    ((64, 32), "without return_sequences"), ((64, 30, 10), "one value per unit"),
    ((30, 64, 32), "batch comes first"), ((32, 30, 64), "wrong order"), ((64, 30), "axes"),
])
def test_shape_rejects_with_hints(wrong, hint):
    result, msg = run(checks.answer, "ex2-2", wrong)
    assert not result and hint in msg and "(64, 30, 32)" not in msg


# --------------------------------------------------------------------------- rnn_step
def rnn_step(x_t, h_prev, W, U, b):
    h_t = np.tanh(x_t @ W + h_prev @ U + b)
    return Step(h_t, (h_t,), {})


def as_step(f):
    """A learner's h-only function wrapped in the Step contract."""
    def step(*args):
        h = f(*args)
        return Step(h, (h,), {})
    return step


def test_rnn_step_accepts_solution_and_the_package_cell():
    assert run(checks.rnn_step, rnn_step)[0]
    result, msg = run(checks.rnn_step, cells.simple_rnn_step)
    assert result and msg == "✓ ex2-3: all 4 hidden cases pass."


def test_rnn_step_accepts_any_three_sequence():
    class Other(NamedTuple):
        out: np.ndarray
        st: tuple
        g: dict

    def as_tuple(*a):
        h = rnn_step(*a).h
        return h, [h], {}
    assert run(checks.rnn_step, lambda *a: Other(*rnn_step(*a)))[0]
    assert run(checks.rnn_step, as_tuple)[0]
    assert run(checks.rnn_step, lambda *a: [rnn_step(*a).h, (rnn_step(*a).h,), {"extra": 1}])[0]


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, W, U, b: x @ W + h @ U + b, "forget the tanh"),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U), "forget the bias"),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ W + b), "use W for the recurrent term"),
    (lambda x, h, W, U, b: np.tanh(x @ U + h @ W + b), "swapped"),
    (lambda x, h, W, U, b: np.tanh(x @ W.T + h @ U + b), "kernel's transpose"),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b), "recurrent kernel's transpose"),
    (lambda x, h, W, U, b: np.tanh(x @ W + h + b), "not added as it is"),
    (lambda x, h, W, U, b: np.tanh(x @ W + b), "previous state is missing"),
    (lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b))), "sigmoid"),
    (lambda x, h, W, U, b: np.maximum(x @ W + h @ U + b, 0), "ReLU"),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b).T, "transposed"),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b).sum(1), "reduced away an axis"),
    (lambda x, h, W, U, b: h, "that is h_prev"),
])
def test_rnn_step_rejects_with_hints(wrong, hint):
    result, msg = run(checks.rnn_step, as_step(wrong))
    assert not result and hint in msg, msg


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, W, U, b: None, "forget a `return`"),
    (lambda x, h, W, U, b: 1 / 0, "ZeroDivisionError"),
    (lambda *a: rnn_step(*a).h, "return a Step(h, state, gates), e.g. `return Step(h_t, (h_t,), {})` — "
                                "`from rnnbook.cells import Step`"),
    (lambda *a: rnn_step(*a).h, "its values of h_t are right"),
    (lambda *a: (rnn_step(*a).h, rnn_step(*a).h), "a tuple of length 2"),
    (lambda *a: Step(rnn_step(*a).h, rnn_step(*a).h, {}), "mind the comma"),
    (lambda *a: Step(rnn_step(*a).h, (), {}), "holds 0 values"),
    (lambda x, h, W, U, b: Step(rnn_step(x, h, W, U, b).h, (h,), {}), "state[0] (h_t): the shape is right"),
    (lambda x, h, W, U, b: Step(rnn_step(x, h, W, U, b).h, (h,), {}), "that is h_prev"),
    (lambda *a: Step(rnn_step(*a).h, (rnn_step(*a).h,), None), "it must be a dict: {} (a SimpleRNN has no gates)"),
])
def test_rnn_step_requires_the_step_contract(wrong, hint):
    result, msg = run(checks.rnn_step, wrong)
    assert not result and hint in msg, msg


def test_rnn_step_shape_hint_names_the_transpose():
    # x_t @ W.T only runs when features == units; a learner who then fixes the shape
    # by multiplying with the wrong matrix gets [batch, features] in the other cases
    def wrong(x, h, W, U, b):
        out = np.tanh(x @ W + h @ U + b)
        return out if x.shape[1] == U.shape[0] else np.tanh(x @ W @ W.T)
    result, msg = run(checks.rnn_step, as_step(wrong))
    assert not result and "h (the first field of your Step) has shape (4, 3)" in msg
    assert "(4, 5)" in msg and "kernel's transpose" in msg


def test_rnn_step_refuses_a_non_function():
    result, msg = run(checks.rnn_step, 3)
    assert not result and "expected a function" in msg


# --------------------------------------------------------------------------- count_rnn_params
def count_rnn_params(features, units):
    return units * (features + units + 1)


def test_count_rnn_params_accepts_solution():
    result, msg = run(checks.count_rnn_params, count_rnn_params)
    assert result and "all 5 hidden cases pass" in msg


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, u: u * (f + u), "forget the bias"),
    (lambda f, u: u * (f + 1), "recurrent kernel U is missing"),
    (lambda f, u: u * f, "input kernel W alone"),
    (lambda f, u: f * (f + u + 1), "multiply by units"),
    (lambda f, u: u * (f + u + 2), "one bias per unit"),
    (lambda f, u: 2 * u * (f + u + 1), "two layers"),
    (lambda f, u: [u * (f + u + 1)], "return one number"),
    (lambda f, u: "45", "not numbers"),
])
def test_count_rnn_params_rejects_with_hints(wrong, hint):
    result, msg = run(checks.count_rnn_params, wrong)
    assert not result and hint in msg, msg
    assert "45" not in msg.split("Hint")[-1] or hint == "not numbers"


def test_count_rnn_params_matches_keras():
    import keras
    for f, u in [(3, 5), (8, 64)]:
        layer = keras.layers.SimpleRNN(u)
        layer.build((None, None, f))
        assert layer.count_params() == count_rnn_params(f, u)
