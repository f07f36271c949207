"""Chapter 6 checks accept the solutions and reject plausible mistakes with specific hints."""
import numpy as np
import pytest

from rnnbook import cells, checks
from rnnbook.checks import ch06
from rnnbook.cells import Step


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


def solution(x_t, h_prev, W, U, b):
    n = h_prev.shape[1]
    xz, xr, xh = np.split(x_t @ W + b[0], 3, axis=-1)
    hz, hr, hh = np.split(h_prev @ U + b[1], 3, axis=-1)
    z = 1 / (1 + np.exp(-(xz + hz)))
    r = 1 / (1 + np.exp(-(xr + hr)))
    cand = np.tanh(xh + r * hh)
    assert cand.shape[1] == n
    h_t = z * h_prev + (1 - z) * cand
    return Step(h_t, (h_t,), {"z": z, "r": r, "h": cand})


def test_reference_matches_the_package_cell():
    rng = np.random.default_rng(0)
    x, h = rng.normal(size=(3, 4)), rng.normal(size=(3, 5))
    W, U, b = rng.normal(size=(4, 15)), rng.normal(size=(5, 15)), rng.normal(size=(2, 15))
    np.testing.assert_allclose(ch06._variant(x, h, W, U, b), cells.gru_step(x, h, W, U, b)[0], rtol=1e-12)
    _, gates, _ = ch06._variant(x, h, W, U, b, full=True)
    step = cells.gru_step(x, h, W, U, b)
    for key in "zrh":
        np.testing.assert_allclose(gates[key], step.gates[key], rtol=1e-12)


def test_gru_step_accepts_the_solution_and_the_package_cell():
    assert run(checks.gru_step, solution)[0]
    result, msg = run(checks.gru_step, cells.gru_step)
    assert result and msg == "✓ ex6-1: all 3 hidden cases pass."


def _step(h_t, gates=None):
    return Step(h_t, (h_t,), gates if gates is not None else {"z": h_t, "r": h_t, "h": h_t})


def _mistake(**kwargs):
    return lambda x, h, W, U, b: _step(ch06._variant(x, h, W, U, b, **kwargs))


def _gates(**changes):
    def step(x, h, W, U, b):
        h_t, gates, pre = ch06._variant(x, h, W, U, b, full=True)
        gates = dict(gates)
        for key, f in changes.items():
            gates[key] = f(gates, pre)
        return Step(h_t, (h_t,), gates)
    return step


@pytest.mark.parametrize("fn, hint", [
    (_mistake(flip=True), "Chung et al.'s convention"),
    (_mistake(reset_before=True), "before the recurrent product"),
    (_mistake(order="rzh"), "wrong order"),
    (_mistake(rec_bias=False), "recurrent bias row"),
    (lambda x, h, W, U, b: _step(x @ W + h @ U + b[0]), "3 * units columns"),
    (lambda x, h, W, U, b: _step(h), "the shape is right but the values are not"),
    (lambda x, h, W, U, b: _step(h), "that is h_prev"),
    (lambda x, h, W, U, b: None, "forget a `return`"),
    (lambda x, h, W, U, b: _step(h[:, :1]), "expected shape"),
    (lambda *a: solution(*a).h, "return a Step(h, state, gates), e.g. `return Step(h_t, (h_t,), {\"z\": z, "),
    (lambda *a: (solution(*a).h, solution(*a).gates), "a tuple of length 2"),
    (lambda *a: Step(solution(*a).h, solution(*a).h, solution(*a).gates), "mind the comma"),
    (lambda *a: Step(solution(*a).h, (solution(*a).h,), {"z": 1, "r": 2}), "gates has no key 'h'"),
    (_gates(z=lambda g, p: g["r"], r=lambda g, p: g["z"]), "belong under 'r'"),
    (_gates(h=lambda g, p: p["h"]), "pre-activation of 'h'"),
    (_gates(z=lambda g, p: 1 - g["z"]), "gates['z'] (the update gate): the shape is right but the values are not"),
    (lambda x, h, W, U, b: 1 / 0, "ZeroDivisionError"),
    ("not a function", "expected a function"),
])
def test_gru_step_rejects_with_hints(fn, hint):
    result, msg = run(checks.gru_step, fn)
    assert not result and hint in msg


@pytest.mark.parametrize("exercise, good", [("ex6-2", 1920), ("ex6-3", 0.2), ("ex6-4", 672)])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and "correct" in msg


@pytest.mark.parametrize("exercise, wrong, hint", [
    ("ex6-2", 1860, "reset_after=False"), ("ex6-2", 2480, "LSTM"), ("ex6-2", 2560, "three gate blocks"),
    ("ex6-2", 1800, "left out the biases"), ("ex6-2", 96, "multiply by the number of units"),
    ("ex6-2", 5000, "too large"),
    ("ex6-3", -0.7, "Chung"), ("ex6-3", -0.6, "(1 - z)"), ("ex6-3", 0.4, "dropped the candidate"),
    ("ex6-3", "0.2", "expected a number"),
    ("ex6-4", 336, "one direction only"), ("ex6-4", 624, "reset_after=True"), ("ex6-4", 1056, "features = 4"),
    ("ex6-4", 2112, "8 units"), ("ex6-4", 10, "too small"),
])
def test_answers_reject_with_hints(exercise, wrong, hint):
    result, msg = run(checks.answer, exercise, wrong)
    assert not result and hint in msg


    for exercise, secret in [("ex6-2", "1920"), ("ex6-4", "672")]:
        for wrong in (1860, 2480, 336, 624, 7, 99999):
            assert secret not in str(checks.answer(exercise, wrong, quiet=True))
