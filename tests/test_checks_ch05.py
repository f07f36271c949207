"""Chapter 5's checks accept the solutions and reject plausible wrong answers with a specific message."""
import re

import numpy as np
import pytest

from rnnbook import cells, checks
from rnnbook.cells import Step


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


@pytest.mark.parametrize("exercise, good", [("ex5-1", 0.9 * 2.0 + 0.5 * -0.6), ("ex5-3", 0.95**60)])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and "correct" in msg


@pytest.mark.parametrize("exercise, wrong, hint", [
    ("ex5-1", 1.2, "through the input gate"),
    ("ex5-1", 1.7, "scaled by the forget gate"),
    ("ex5-1", -0.1, "not by 1 - f"),
    ("ex5-1", float(np.tanh(1.5)), "no tanh"),
    ("ex5-3", 57.0, "multiply"),
    ("ex5-3", 0.95**59, "off by one"),
    ("ex5-3", 0.05**60, "not 1 - f"),
])
def test_answers_reject_with_hints(exercise, wrong, hint):
    result, msg = run(checks.answer, exercise, wrong)
    assert not result and hint in msg
    assert "1.5" not in msg.replace("ex5-", "")


def good_step(x_t, h_prev, c_prev, W, U, b):
    z_i, z_f, z_c, z_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i, f, o = cells.sigmoid(z_i), cells.sigmoid(z_f), cells.sigmoid(z_o)
    c_cand = np.tanh(z_c)
    c_t = f * c_prev + i * c_cand
    h_t = o * np.tanh(c_t)
    return Step(h_t, (h_t, c_t), {"i": i, "f": f, "c": c_cand, "o": o})


def variant(order="ifco", cand=np.tanh, out=np.tanh, forget=True, swap=False):
    def step(x_t, h_prev, c_prev, W, U, b):
        z = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
        i, f, o = cells.sigmoid(z["i"]), cells.sigmoid(z["f"]), cells.sigmoid(z["o"])
        c_t = (f if forget else 1.0) * c_prev + i * cand(z["c"])
        h_t = o * out(c_t)
        return Step(h_t, (c_t, h_t) if swap else (h_t, c_t), {"i": i, "f": f, "c": cand(z["c"]), "o": o})
    return step


def with_gates(**changes):
    """The solution with some gate values replaced: changes maps a key to f(gates, pre-activations)."""
    def step(x_t, h_prev, c_prev, W, U, b):
        h, state, gates = good_step(x_t, h_prev, c_prev, W, U, b)
        pre = dict(zip("ifco", np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
        gates = dict(gates)
        for key, f in changes.items():
            gates[key] = f(gates, pre)
        return Step(h, state, gates)
    return step


def test_reference_matches_the_package_cell():
    from rnnbook.checks import ch05
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(3, 4)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5)),
            rng.normal(size=(4, 20)), rng.normal(size=(5, 20)), rng.normal(size=20))
    h, c, gates = ch05._variant(*args)
    step = cells.lstm_step(*args)
    np.testing.assert_allclose(step.h, h, rtol=1e-12)
    np.testing.assert_allclose(step.state[1], c, rtol=1e-12)
    for key in "ifco":
        np.testing.assert_allclose(step.gates[key], gates[key], rtol=1e-12)


def test_lstm_step_accepts_solution_and_library_cell():
    assert run(checks.lstm_step, good_step)[0]
    result, msg = run(checks.lstm_step, cells.lstm_step)
    assert result and msg == "✓ ex5-2: all 3 hidden cases pass."


@pytest.mark.parametrize("wrong, hint", [
    (variant(order="fico"), "wrong gate order"),
    (variant(order="ifoc"), "wrong gate order"),
    (variant(cand=cells.sigmoid), "uses tanh, not sigmoid"),
    (variant(out=lambda c: c), "squash the cell state"),
    (variant(forget=False), "multiplied by the forget gate"),
    (variant(swap=True), "h_t first"),
    (lambda *a: good_step(*a).h, "return a Step(h, state, gates), e.g. `return Step(h_t, (h_t, c_t), "),
    (lambda *a: good_step(*a)[:2], "a tuple of length 2"),
    (lambda *a: Step(good_step(*a).h, (good_step(*a).h,), good_step(*a).gates), "(h_t, c_t)"),
    (lambda *a: Step(good_step(*a).state[1], good_step(*a).state, good_step(*a).gates), "h holds c_t"),
    (lambda x, h, c, W, U, b: Step(good_step(x, h, c, W, U, b).h, (good_step(x, h, c, W, U, b).h, c),
                                   good_step(x, h, c, W, U, b).gates), "previous state"),
    (lambda *a: Step(good_step(*a).h, good_step(*a).state, {"i": 1}), "gates has no key 'f'"),
    (with_gates(i=lambda g, z: g["f"], f=lambda g, z: g["i"]), "belong under 'f'"),
    (with_gates(c=lambda g, z: g["i"] * g["c"]), "before the input gate multiplies it"),
    (with_gates(o=lambda g, z: z["o"]), "pre-activation z_o"),
    (lambda *a: None, "forget a `return`"),
    (lambda *a: Step(np.zeros((2, 9, 9)), (), {}), "shape"),
])
def test_lstm_step_rejects_with_hints(wrong, hint):
    result, msg = run(checks.lstm_step, wrong)
    assert not result and hint in msg and "Traceback" not in msg, msg


def test_lstm_h_right_c_wrong_names_c():
    def wrong_c(*a):
        h, (_, c), gates = good_step(*a)
        return Step(h, (h, c + 1), gates)
    result, msg = run(checks.lstm_step, wrong_c)
    assert not result and "state[1] (c_t): the shape is right but the values are not" in msg


# --------------------------------------------------------------------------- lstm_backward_step (ex5-6)
def lstm_backward_step(dh, dc, x_t, h_prev, c_prev, W, U, b):
    """The book's solution: the forward step from the package, then backwards through it."""
    h_t, (_, c_t), g = cells.lstm_step(x_t, h_prev, c_prev, W, U, b)
    i, f, c_cand, o = g["i"], g["f"], g["c"], g["o"]
    tanh_c = np.tanh(c_t)
    dc_t = dc + dh * o * (1 - tanh_c**2)
    da = np.concatenate([dc_t * c_cand * i * (1 - i), dc_t * c_prev * f * (1 - f),
                         dc_t * i * (1 - c_cand**2), dh * tanh_c * o * (1 - o)], axis=-1)
    return da @ W.T, da @ U.T, dc_t * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def _lstm_args(batch=3, features=2, units=4, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(batch, units)), rng.normal(size=(batch, units)), rng.normal(size=(batch, features)),
            rng.normal(size=(batch, units)), rng.normal(size=(batch, units)),
            rng.normal(size=(features, 4 * units)), rng.normal(size=(units, 4 * units)), rng.normal(size=4 * units))


def test_backward_reference_matches_the_package_on_a_sequence():
    """Chained over the steps, the hidden reference is cells.lstm_backward (BPTT) exactly."""
    from rnnbook.checks import ch05
    rng = np.random.default_rng(1)
    batch, steps, features, units = 3, 6, 2, 4
    x = rng.normal(size=(batch, steps, features))
    W, U, b = rng.normal(size=(features, 4 * units)), rng.normal(size=(units, 4 * units)), rng.normal(size=4 * units)
    h0, c0 = rng.normal(size=(batch, units)), rng.normal(size=(batch, units))
    h, cache = cells.lstm_forward(x, W, U, b, h0=h0, c0=c0)
    dh = rng.normal(size=h.shape)
    want = cells.lstm_backward(dh, cache)
    hs, cs = np.concatenate([h0[:, None], h], 1), np.concatenate([c0[:, None], cache["c"]], 1)
    g, k, dx, dW, dU, db = np.zeros_like(h0), np.zeros_like(c0), np.zeros_like(x), 0, 0, 0
    for t in reversed(range(steps)):
        dx[:, t], g, k, dW_t, dU_t, db_t = ch05._lstm_grads(dh[:, t] + g, k, x[:, t], hs[:, t], cs[:, t], W, U, b)
        dW, dU, db = dW + dW_t, dU + dU_t, db + db_t
    for ours, key in [(dx, "x"), (g, "h0"), (k, "c0"), (dW, "kernel"), (dU, "recurrent_kernel"), (db, "bias")]:
        np.testing.assert_allclose(ours, want[key], rtol=1e-10, atol=1e-12)


def test_backward_reference_matches_finite_differences():
    """Both incoming gradients (dh and dc) count: the loss is sum(h_t * dh) + sum(c_t * dc)."""
    from rnnbook import gradients
    from rnnbook.checks import ch05
    args = _lstm_args()
    dh, dc = args[:2]
    ours = ch05._lstm_grads(*args)
    for k, name in enumerate(ch05._LSTM_GRADS):
        def loss(v, k=k):
            step_args = list(args[2:])
            step_args[k] = v
            h_t, (_, c_t), _ = cells.lstm_step(*step_args)
            return float(np.sum(h_t * dh) + np.sum(c_t * dc))
        numeric = gradients.numerical_gradient(loss, args[2 + k])
        assert gradients.relative_error(ours[k], numeric) < 1e-7, name


def test_lstm_backward_step_accepts_the_solution():
    from rnnbook.checks import ch05
    result, msg = run(checks.lstm_backward_step, lstm_backward_step)
    assert result and msg == "✓ ex5-6: all 3 hidden cases pass."
    assert run(checks.lstm_backward_step, lambda *a: list(ch05._lstm_grads(*a)))[0]  # a list is fine too


def _mistake(**kwargs):
    from rnnbook.checks import ch05
    return lambda *a: ch05._lstm_grads(*a, **kwargs)


def _swapped_when_square(*a):
    """dx_t and dh_prev swapped; it only runs without error when features == units."""
    out = lstm_backward_step(*a)
    return (out[1], out[0], *out[2:]) if out[0].shape == out[1].shape else out


def _replace(k, f):
    """The solution with gradient k replaced by f(solution's gradients, args)."""
    def fn(*a):
        out = list(lstm_backward_step(*a))
        out[k] = f(out, a)
        return tuple(out)
    return fn


@pytest.mark.parametrize("wrong, where, hint", [
    (_mistake(dh_to_c=False), "dx_t", "you left out the second"),
    (_mistake(dc_in=False), "dx_t", "you left out dc"),
    (_mistake(dc_prev="k"), "dc_prev", "missing the forget gate"),
    (_mistake(dc_prev="dc"), "dc_prev", "passing dc through unchanged"),
    (_mistake(order="fico"), "dx_t", "wrong gate order"),
    (_mistake(order="ifoc"), "dx_t", "wrong gate order"),
    (_mistake(cat="ifoc"), "dx_t", "wrong gate order in da"),
    (_mistake(d_cand="sigmoid"), "dx_t", "not c~ * (1 - c~)"),
    (_mistake(d_gate="tanh"), "dx_t", "are sigmoids"),
    (_mistake(d_tanh_c="raw"), "dx_t", "you squared c_t itself"),
    (_mistake(do_with="c_t"), "dx_t", "not dh * c_t"),
    (_mistake(dU_with="h_t"), "dU", "not the new h_t"),
    (_replace(1, lambda out, a: a[0]), "dh_prev", "only through the pre-activations"),
    (_replace(1, lambda out, a: out[2]), "dh_prev", "these are the values of dc_prev"),
    (lambda *a: (lstm_backward_step(*a)[1], lstm_backward_step(*a)[0], *lstm_backward_step(*a)[2:]),
     "dx_t", "[batch, units] is the shape of dh_prev"),
    (_swapped_when_square, "dx_t", "these are the values of dh_prev"),
    (_replace(3, lambda out, a: out[3].T), "dW", "dW is transposed"),
    (_replace(3, lambda out, a: np.einsum("bf,bg->bfg", a[2], np.zeros((a[2].shape[0], a[5].shape[1])) + 1)), "dW",
     "sum over the batch"),
    (_replace(5, lambda out, a: np.tile(out[5], (a[0].shape[0], 1))), "db", "sum da over the batch"),
    (_replace(0, lambda out, a: np.zeros((a[0].shape[0], a[5].shape[1]))), "dx_t", "da @ W.T"),
    (_replace(1, lambda out, a: np.zeros((a[0].shape[0], a[5].shape[1]))), "dh_prev", "da @ U.T"),
    (_replace(2, lambda out, a: np.zeros((a[0].shape[0], a[5].shape[1]))), "dc_prev", "4*units columns"),
    (_replace(4, lambda out, a: out[4] + 1e-3), "dU", "the shape is right but the values are not"),
])
def test_lstm_backward_step_rejects_with_hints(wrong, where, hint):
    result, msg = run(checks.lstm_backward_step, wrong)
    assert not result and hint in msg, msg
    assert f": {where}" in msg, msg
    assert "\n" not in msg and "Traceback" not in msg
    assert not re.search(r"\d\.\d", msg), msg  # no value of any array, only shapes


@pytest.mark.parametrize("wrong, hint", [
    (lambda *a: None, "did you forget a `return`"),
    (lambda *a: lstm_backward_step(*a)[:5], "return the 6 gradients (dx_t, dh_prev, dc_prev, dW, dU, db)"),
    (lambda *a: lstm_backward_step(*a)[0], "as a tuple (dx_t, dh_prev, dc_prev, dW, dU, db)"),
    (lambda *a: dict(zip("abcdef", lstm_backward_step(*a))), "a dict"),
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    (3, "expected a function"),
])
def test_lstm_backward_step_requires_the_tuple(wrong, hint):
    result, msg = run(checks.lstm_backward_step, wrong)
    assert not result and hint in msg, msg


def test_lstm_backward_step_mistakes_are_told_apart():
    """Every diagnosed mistake changes some gradient of every hidden case, and gets its own hint first."""
    from rnnbook.checks import ch05
    for kwargs, hint in ch05._LSTM_GRAD_MISTAKES:
        msg = run(checks.lstm_backward_step, _mistake(**kwargs))[1]
        assert hint in msg, (kwargs, msg)
