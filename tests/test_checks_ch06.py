"""Chapter 6 checks accept the solutions and reject plausible mistakes with specific hints."""
import re

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


@pytest.mark.parametrize("exercise, good", [("ex6-2", 0.2), ("ex6-7", 37)])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and "correct" in msg


@pytest.mark.parametrize("exercise, wrong, hint", [
    ("ex6-2", -0.7, "Chung"), ("ex6-2", -0.6, "(1 - z)"), ("ex6-2", 0.4, "dropped the candidate"),
    ("ex6-2", "0.2", "expected a number"),
    ("ex6-7", 32, "equal width"), ("ex6-7", 43, "grows with units**2"), ("ex6-7", 42, "grows with units**2"),
    ("ex6-7", 36, "closest count"), ("ex6-7", 38, "two bias vectors"), ("ex6-7", 24, "not fewer"),
    ("ex6-7", 28, "not fewer"), ("ex6-7", 4513, "the answer is a width"),
    ("ex6-7", 35, "too small"), ("ex6-7", 40, "too large"), ("ex6-7", 37.5, "too large"),
    ("ex6-7", "37", "expected a number"),
])
def test_answers_reject_with_hints(exercise, wrong, hint):
    result, msg = run(checks.answer, exercise, wrong)
    assert not result and hint in msg, msg
    if exercise == "ex6-7":
        assert "37" not in msg


def _lstm_model_params():
    return 4 * 32 * (2 + 32 + 1) + 32 + 1


def test_ex6_9_answer_is_the_closest_width_and_the_wrong_values_are_wrong():
    counts = {k: ch06._gru_model_params(k) for k in range(1, 100)}
    best = min(counts, key=lambda k: abs(counts[k] - _lstm_model_params()))
    assert best == 37 and ch06._LSTM_MODEL_PARAMS == _lstm_model_params() == 4513
    # the mistakes behind the diagnosed values
    one_bias_row = {k: 3 * k * (2 + k + 1) + k + 1 for k in range(1, 100)}
    no_bias = {k: 3 * k * (2 + k) + k + 1 for k in range(1, 100)}
    four_blocks = {k: 4 * k * (2 + k + 2) + k + 1 for k in range(1, 100)}
    closest = lambda c, target=4513: min(c, key=lambda k: abs(c[k] - target))  # noqa: E731
    assert closest(no_bias) == 38 and closest(four_blocks) == 32
    assert closest(counts, 4 * 32 * (2 + 32) + 33) == 36           # the LSTM counted without its bias
    assert max(k for k in counts if counts[k] <= 4513) == 36      # the widest GRU below, not the closest
    assert closest(one_bias_row) == 37  # forgetting the second bias row happens to give the same width here


def test_ex6_9_counts_match_keras():
    pytest.importorskip("keras")
    from rnnbook import models
    lstm = models.recurrent_model("lstm", 32, steps=50, features=2)
    assert models.count_params(lstm) == _lstm_model_params()
    for k in (36, 37, 38):
        assert models.count_params(models.recurrent_model("gru", k, steps=50, features=2)) == ch06._gru_model_params(k)


# --------------------------------------------------------------------------- gru_backward_step (ex6-6)
def gru_backward_step(dh, x_t, h_prev, W, U, b):
    """The book's solution: the forward step from the package, then backwards through it."""
    n = h_prev.shape[1]
    _, _, g = cells.gru_step(x_t, h_prev, W, U, b)
    z, r, h_cand = g["z"], g["r"], g["h"]
    q = h_prev @ U[:, 2 * n:] + b[1, 2 * n:]
    da_z = dh * (h_prev - h_cand) * z * (1 - z)
    da_h = dh * (1 - z) * (1 - h_cand**2)
    da_r = da_h * q * r * (1 - r)
    d_in = np.concatenate([da_z, da_r, da_h], axis=-1)
    d_rec = np.concatenate([da_z, da_r, da_h * r], axis=-1)
    return (d_in @ W.T, dh * z + d_rec @ U.T, x_t.T @ d_in, h_prev.T @ d_rec,
            np.stack([d_in.sum(axis=0), d_rec.sum(axis=0)]))


def test_gru_backward_reference_matches_the_package_on_a_sequence():
    """Chained over the steps, the hidden reference is cells.gru_backward (BPTT) exactly."""
    rng = np.random.default_rng(2)
    batch, steps, features, units = 3, 6, 2, 4
    x = rng.normal(size=(batch, steps, features))
    W, U = rng.normal(size=(features, 3 * units)), rng.normal(size=(units, 3 * units))
    b = rng.normal(size=(2, 3 * units))
    h0 = rng.normal(size=(batch, units))
    h, cache = cells.gru_forward(x, W, U, b, h0=h0)
    dh = rng.normal(size=h.shape)
    want = cells.gru_backward(dh, cache)
    hs = np.concatenate([h0[:, None], h], 1)
    g, dx, dW, dU, db = np.zeros_like(h0), np.zeros_like(x), 0, 0, 0
    for t in reversed(range(steps)):
        dx[:, t], g, dW_t, dU_t, db_t = ch06._gru_grads(dh[:, t] + g, x[:, t], hs[:, t], W, U, b)
        dW, dU, db = dW + dW_t, dU + dU_t, db + db_t
    for ours, key in [(dx, "x"), (g, "h0"), (dW, "kernel"), (dU, "recurrent_kernel"), (db, "bias")]:
        np.testing.assert_allclose(ours, want[key], rtol=1e-10, atol=1e-12)


def test_gru_backward_reference_matches_finite_differences():
    from rnnbook import gradients
    rng = np.random.default_rng(3)
    batch, features, units = 3, 2, 4
    dh = rng.normal(size=(batch, units))
    args = [rng.normal(size=(batch, features)), rng.normal(size=(batch, units)), rng.normal(size=(features, 3 * units)),
            rng.normal(size=(units, 3 * units)), rng.normal(size=(2, 3 * units))]
    ours = ch06._gru_grads(dh, *args)
    for k, name in enumerate(ch06._GRU_GRADS):
        def loss(v, k=k):
            step_args = list(args)
            step_args[k] = v
            return float(np.sum(cells.gru_step(*step_args).h * dh))
        numeric = gradients.numerical_gradient(loss, args[k])
        assert gradients.relative_error(ours[k], numeric) < 1e-7, name


def test_gru_backward_step_accepts_the_solution():
    result, msg = run(checks.gru_backward_step, gru_backward_step)
    assert result and msg == "✓ ex6-6: all 3 hidden cases pass."
    assert run(checks.gru_backward_step, lambda *a: list(ch06._gru_grads(*a)))[0]


def _grad_mistake(**kwargs):
    return lambda *a: ch06._gru_grads(*a, **kwargs)


def _replace(k, f):
    def fn(*a):
        out = list(gru_backward_step(*a))
        out[k] = f(out, a)
        return tuple(out)
    return fn


def _swapped_when_square(*a):
    out = gru_backward_step(*a)
    return (out[1], out[0], *out[2:]) if out[0].shape == out[1].shape else out


@pytest.mark.parametrize("wrong, where, hint", [
    (_grad_mistake(flip=True), "dx_t", "Chung et al.'s convention"),
    (_grad_mistake(dz_sign=-1.0), "dx_t", "the sign of the update gate's gradient"),
    (_grad_mistake(direct=False), "dh_prev", "also uses h_{t-1} directly"),
    (_grad_mistake(r_rec=False), "dh_prev", "da_h * r"),
    (_grad_mistake(q_bias=False), "dx_t", "bias included"),
    (_grad_mistake(order="rzh"), "dx_t", "wrong order"),
    (_grad_mistake(d_cand="sigmoid"), "dx_t", "not h~ * (1 - h~)"),
    (_grad_mistake(d_gate="tanh"), "dx_t", "are sigmoids"),
    (_grad_mistake(dU_with="h_t"), "dU", "not the new h_t"),
    (_replace(1, lambda out, a: a[0]), "dh_prev", "needs both terms"),
    (_replace(4, lambda out, a: out[4][::-1]), "db", "rows of db are swapped"),
    (_replace(4, lambda out, a: out[4].sum(axis=0)), "db", "b has two rows"),
    (_replace(4, lambda out, a: np.stack([out[4][0], out[4][0]])), "db", "da_h * r"),
    (_replace(4, lambda out, a: np.zeros((2, a[0].shape[0], out[4].shape[1]))), "db", "sum each side's gradient"),
    (_replace(2, lambda out, a: out[2].T), "dW", "dW is transposed"),
    (_replace(3, lambda out, a: out[3].T), "dU", "dU is transposed"),
    (_replace(0, lambda out, a: np.zeros((a[0].shape[0], a[3].shape[1]))), "dx_t", "@ W.T"),
    (_replace(1, lambda out, a: np.zeros((a[0].shape[0], a[3].shape[1]))), "dh_prev", "@ U.T"),
    (lambda *a: (gru_backward_step(*a)[1], gru_backward_step(*a)[0], *gru_backward_step(*a)[2:]),
     "dx_t", "[batch, units] is the shape of dh_prev"),
    (_swapped_when_square, "dx_t", "these are the values of dh_prev"),
    (_replace(3, lambda out, a: out[3] + 1e-3), "dU", "the shape is right but the values are not"),
])
def test_gru_backward_step_rejects_with_hints(wrong, where, hint):
    result, msg = run(checks.gru_backward_step, wrong)
    assert not result and hint in msg, msg
    assert f": {where}" in msg, msg
    assert "\n" not in msg and "Traceback" not in msg
    assert not re.search(r"\d\.\d", msg), msg  # no value of any array, only shapes


@pytest.mark.parametrize("wrong, hint", [
    (lambda *a: None, "did you forget a `return`"),
    (lambda *a: gru_backward_step(*a)[:4], "return the 5 gradients (dx_t, dh_prev, dW, dU, db)"),
    (lambda *a: gru_backward_step(*a)[1], "as a tuple (dx_t, dh_prev, dW, dU, db)"),
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    ("gru_backward_step", "expected a function"),
])
def test_gru_backward_step_requires_the_tuple(wrong, hint):
    result, msg = run(checks.gru_backward_step, wrong)
    assert not result and hint in msg, msg


def test_gru_backward_step_mistakes_are_told_apart():
    for kwargs, hint in ch06._GRU_GRAD_MISTAKES:
        msg = run(checks.gru_backward_step, _grad_mistake(**kwargs))[1]
        assert hint in msg, (kwargs, msg)
