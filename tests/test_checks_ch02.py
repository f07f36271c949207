"""Chapter 2's checks accept the solutions and reject plausible mistakes with a specific hint."""
import re
from typing import NamedTuple

import numpy as np
import pytest

from rnnbook import cells, checks
from rnnbook.cells import Step


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


# --------------------------------------------------------------------------- answers
def test_shape_answer_accepts_the_solution():
    result, msg = run(checks.answer, "ex2-1", (64, 30, 32))
    assert result and "correct" in msg


def test_removed_exercises_are_not_registered():
    assert not hasattr(checks, "count_rnn_params")


@pytest.mark.parametrize("wrong, hint", [
    ((64, 32), "without return_sequences"), ((64, 30, 10), "one value per unit"),
    ((30, 64, 32), "batch comes first"), ((32, 30, 64), "wrong order"), ((64, 30), "axes"),
])
def test_shape_rejects_with_hints(wrong, hint):
    result, msg = run(checks.answer, "ex2-1", wrong)
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
    assert result and msg == "✓ ex2-2: all 4 hidden cases pass."


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


# --------------------------------------------------------------------------- rnn_forward (ex2-3)
def rnn_forward(x, h0, W, U, b):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, W, U, b).h
        states.append(h)
    return np.stack(states, axis=1)


def _forward(x, h0, W, U, b):
    return cells.simple_rnn_forward(x, W, U, b, h0=h0)[0]


def test_rnn_forward_accepts_the_solution_and_the_package():
    result, msg = run(checks.rnn_forward, rnn_forward)
    assert result and msg == "✓ ex2-3: all 4 hidden cases pass."
    assert run(checks.rnn_forward, _forward)[0]
    assert run(checks.rnn_forward, lambda *a: _forward(*a).tolist())[0]  # nested lists of numbers are fine


def test_rnn_forward_cases_cover_one_step_and_a_non_zero_h0():
    seen = []
    def spy(x, h0, W, U, b):
        seen.append((x.shape, float(np.abs(h0).max())))
        return _forward(x, h0, W, U, b)
    assert run(checks.rnn_forward, spy)[0]
    assert any(shape[1] == 1 for shape, _ in seen)
    assert all(h0_max > 0.1 for _, h0_max in seen)
    assert all(shape[0] != shape[1] for shape, _ in seen)  # [steps, batch, units] never has the right shape


def _variant(**kwargs):
    from rnnbook.checks import ch02
    return lambda *a: ch02._states(*a, **kwargs)


def _swapped_when_square(x, h0, W, U, b):
    # W and U swapped only run when features == units; elsewhere the learner's code is right
    return _variant(swap=True)(x, h0, W, U, b) if x.shape[2] == U.shape[0] else _forward(x, h0, W, U, b)


@pytest.mark.parametrize("wrong, hint", [
    (lambda *a: _forward(*a)[:, -1], "only the last state"),
    (lambda *a: _forward(*a)[:, 0] + 1, "return the state of every step"),
    (lambda *a: _forward(*a).transpose(1, 0, 2), "[steps, batch, units]"),
    (lambda x, h0, W, U, b: np.concatenate([h0[:, None], _forward(x, h0, W, U, b)], axis=1), "one state too many"),
    (lambda *a: _forward(*a)[:, 1:], "one state missing"),
    (lambda x, h0, W, U, b: _forward(x, np.zeros_like(h0), W, U, b), "start from zeros"),
    (lambda x, h0, W, U, b: np.concatenate([h0[:, None], _forward(x, h0, W, U, b)[:, :-1]], axis=1), "off by one"),
    (_variant(carry=False), "carry the state"),
    (_variant(same_x=True), "not x[:, 0]"),
    (_variant(backwards=True), "time runs forwards"),
    (lambda *a: _forward(*a)[:, ::-1], "reverse order"),
    (_variant(act=lambda a: a), "forget the tanh"),
    (_swapped_when_square, "W and U are swapped"),
    (lambda *a: _forward(*a) + 0.1, "the shape is right but the values are not"),
    (lambda *a: None, "forget a `return`"),
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    ("rnn_forward", "expected a function"),
])
def test_rnn_forward_rejects_with_hints(wrong, hint):
    result, msg = run(checks.rnn_forward, wrong)
    assert not result and hint in msg, msg
    assert "\n" not in msg and "Traceback" not in msg


def test_rnn_forward_hints_never_show_expected_values():
    for wrong in (lambda *a: _forward(*a) + 0.1, lambda *a: _forward(*a)[:, -1], _variant(carry=False)):
        msg = run(checks.rnn_forward, wrong)[1]
        assert not re.search(r"\d\.\d", msg), msg  # no value of any array, only shapes and counts
