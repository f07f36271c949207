"""Auto-checks of chapter 5, "Long short-term memory"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..cells import sigmoid
from ._core import CheckResult, register_answer, run_cases

__all__ = ["lstm_step"]

# ex5-1: parameters of keras.layers.LSTM(64) on 10 features: 4 * 64 * (10 + 64 + 1)
register_answer("ex5-1", 19200, "number", rtol=0.0, wrong=(
    (4800, "that is a SimpleRNN's count: an LSTM has four blocks (i, f, c~, o), each with its own W, U and b."),
    (18944, "each of the four blocks also has a bias vector of `units` numbers."),
    (14400, "the candidate c~ has weights too: there are four blocks, not three."),
    (19008, "each block has its own bias: 4 * units biases, not units."),
    (16640, "the recurrent weights U map h_{t-1} (units numbers) to each block: units * 4 * units."),
))
# ex5-2: c_t = f * c_prev + i * c~ with c_prev = 2.0, f = 0.9, i = 0.5, c~ = -0.6
register_answer("ex5-2", 1.5, "number", rtol=1e-6, wrong=(
    (1.2, "the candidate enters through the input gate: i * c~, not c~ alone."),
    (1.7, "the old cell state is scaled by the forget gate: f * c_{t-1}."),
    (-0.1, "f is the fraction *kept*: multiply c_{t-1} by f, not by 1 - f."),
    (2.1, "check the sign of the candidate: c~ = -0.6."),
    (np.tanh(1.5), "that is tanh(c_t), which goes into h_t; the cell state itself has no tanh."),
))
# ex5-4: the factor prod f over 60 steps with f = 0.95
register_answer("ex5-4", 0.95**60, "number", rtol=1e-3, wrong=(
    (0.95 * 60, "the factors multiply along the chain; they do not add up."),
    (0.05**60, "f is the fraction kept: the factor per step is f, not 1 - f."),
    (0.95**59, "off by one: 60 steps back means 60 factors f."),
    (0.95**61, "off by one: 60 steps back means 60 factors f."),
    (1.0, "only f = 1 keeps the gradient whole; here f = 0.95 at every step."),
))


# --------------------------------------------------------------------------- lstm_step
def _variant(x_t, h_prev, c_prev, W, U, b, order="ifco", cand=np.tanh, h_of_c=np.tanh, forget=True, keep=None):
    z = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
    i, f, o = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"])
    c_cand = cand(z["c"])
    f_used = f if forget else 1.0
    if keep == "one_minus":
        f_used = 1.0 - f
    c_t = f_used * c_prev + i * c_cand
    h_t = o * h_of_c(c_t)
    return np.stack([h_t, c_t])


def lstm_step(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(x_t, h_prev, c_prev, W, U, b)`` -> ``(h_t, c_t)``: one LSTM step in Keras's layout (i, f, c, o)."""
    rng = np.random.default_rng(5)
    cases = []
    for batch, features, units in [(1, 1, 1), (2, 3, 4), (5, 2, 3)]:
        args = (np.round(rng.normal(size=(batch, features)), 3),
                np.round(rng.normal(scale=0.5, size=(batch, units)), 3),
                np.round(rng.normal(size=(batch, units)), 3),
                np.round(rng.normal(scale=0.7, size=(features, 4 * units)), 3),
                np.round(rng.normal(scale=0.7, size=(units, 4 * units)), 3),
                np.round(rng.normal(scale=0.5, size=4 * units), 3))
        cases.append(dict(label=f"batch={batch}, features={features}, units={units}", args=args,
                          expected=_variant(*args),
                          shape_desc="a pair (h_t, c_t), each [batch, units]"))

    def diagnose(case, out, expected):
        args = case["args"]
        if out.shape == expected.shape[1:]:
            return "return both states, as a pair (h_t, c_t)."
        if out.shape == (expected.shape[1], 4 * expected.shape[2]) or out.shape[-1] == 4 * expected.shape[-1]:
            return "split z = x_t W + h_{t-1} U + b into four blocks of `units` columns (np.split(z, 4, axis=-1))."
        if out.shape != expected.shape:
            return None
        if np.allclose(out[::-1], expected):
            return "return h_t first, then c_t."
        variants = [
            (dict(order="fico"), "wrong gate order: Keras stores the blocks as i, f, c, o (input gate first)."),
            (dict(order="icfo"), "wrong gate order: Keras stores the blocks as i, f, c, o."),
            (dict(order="ifoc"), "wrong gate order: Keras stores the blocks as i, f, c, o (candidate third, output last)."),
            (dict(order="ciof"), "wrong gate order: Keras stores the blocks as i, f, c, o."),
            (dict(cand=sigmoid), "the candidate c~ uses tanh, not sigmoid: it must be able to be negative."),
            (dict(h_of_c=lambda c: c), "h_t = o * tanh(c_t): squash the cell state before the output gate."),
            (dict(forget=False), "the old cell state is multiplied by the forget gate f before adding i * c~."),
            (dict(keep="one_minus"), "the forget gate multiplies c_{t-1} directly (f, not 1 - f)."),
        ]
        for kwargs, hint in variants:
            if np.allclose(out, _variant(*args, **kwargs)):
                return hint
        if np.allclose(out[1], expected[1]):
            return "c_t is right; check h_t = o * tanh(c_t)."
        return None

    return run_cases("ex5-3", fn, cases, diagnose, quiet)
