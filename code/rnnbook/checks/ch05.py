"""Auto-checks of chapter 5, "Long short-term memory"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..cells import sigmoid
from ._core import CheckResult, StepSpec, gate_mixup_hint, register_answer, run_step_cases

__all__ = ["lstm_step"]

# ex5-1: parameters of keras.layers.LSTM(64) on 10 features: 4 * 64 * (10 + 64 + 1)
register_answer("ex5-1", 19200, "number", rtol=0.0, wrong=(
    (4800, "that is a SimpleRNN's count: an LSTM has four blocks (i, f, c~, o), each with its own W, U and b."),
    (18944, "each of the four blocks also has a bias vector of `units` numbers."),
    (14400, "the candidate c~ has weights too: there are four blocks, not three."),
    (19008, "each block has its own bias: 4 * units biases, not units."),
    (16640, "the input weights W are missing: they map x_t (features numbers) to each block, features * 4 * units."),
    (2816, "the recurrent weights U are missing: they map h_{t-1} (units numbers) to each block, units * 4 * units."),
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
_LSTM_STEP = StepSpec(
    cell="an LSTM",
    example='return Step(h_t, (h_t, c_t), {"i": i, "f": f, "c": c_cand, "o": o})',
    state_names=("h_t", "c_t"),
    gates={"i": "the input gate", "f": "the forget gate", "c": "the candidate c~", "o": "the output gate"},
)


def _variant(x_t, h_prev, c_prev, W, U, b, order="ifco", cand=np.tanh, h_of_c=np.tanh, forget=True, keep=None):
    """(h_t, c_t, gates) of an LSTM step in Keras's layout, or of one of the plausible mistakes."""
    z = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
    i, f, o = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"])
    c_cand = cand(z["c"])
    f_used = f if forget else 1.0
    if keep == "one_minus":
        f_used = 1.0 - f
    c_t = f_used * c_prev + i * c_cand
    h_t = o * h_of_c(c_t)
    return h_t, c_t, {"i": i, "f": f, "c": c_cand, "o": o}


_LSTM_MISTAKES = (
    (dict(order="fico"), "wrong gate order: Keras stores the blocks as i, f, c, o (input gate first)."),
    (dict(order="icfo"), "wrong gate order: Keras stores the blocks as i, f, c, o."),
    (dict(order="ifoc"), "wrong gate order: Keras stores the blocks as i, f, c, o (candidate third, output last)."),
    (dict(order="ciof"), "wrong gate order: Keras stores the blocks as i, f, c, o."),
    (dict(cand=sigmoid), "the candidate c~ uses tanh, not sigmoid: it must be able to be negative."),
    (dict(h_of_c=lambda c: c), "h_t = o * tanh(c_t): squash the cell state before the output gate."),
    (dict(forget=False), "the old cell state is multiplied by the forget gate f before adding i * c~."),
    (dict(keep="one_minus"), "the forget gate multiplies c_{t-1} directly (f, not 1 - f)."),
)


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-8))


def _learner_state(parts, k):
    """The learner's state[k] as a float array, or None."""
    try:
        return np.asarray(parts[1][k], dtype=float)
    except Exception:  # noqa: BLE001 -- only used for hints
        return None


def lstm_step(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(x_t, h_prev, c_prev, W, U, b)`` -> ``Step(h, state, gates)``: one LSTM step in Keras's layout.

    With a = x_t W + h_prev U + b split into four blocks of ``units`` columns in
    the order i, f, c, o: i = sigmoid(a_i), f = sigmoid(a_f), c~ = tanh(a_c),
    o = sigmoid(a_o), c_t = f * c_prev + i * c~ and h_t = o * tanh(c_t).
    ``x_t`` is [batch, features], ``h_prev`` and ``c_prev`` [batch, units], ``W``
    [features, 4*units], ``U`` [units, 4*units] and ``b`` [4*units].  The function
    returns ``Step(h_t, (h_t, c_t), {"i": i, "f": f, "c": c_cand, "o": o})``
    (``from rnnbook.cells import Step``): the new output h_t, the new state
    ``(h_t, c_t)`` and the four gate values, each [batch, units], where "c" is the
    candidate c~.  Any 3-sequence (h, state, gates) in that order is accepted.
    """
    rng = np.random.default_rng(5)
    cases = []
    for batch, features, units in [(1, 1, 1), (2, 3, 4), (5, 2, 3)]:
        args = (np.round(rng.normal(size=(batch, features)), 3),
                np.round(rng.normal(scale=0.5, size=(batch, units)), 3),
                np.round(rng.normal(size=(batch, units)), 3),
                np.round(rng.normal(scale=0.7, size=(features, 4 * units)), 3),
                np.round(rng.normal(scale=0.7, size=(units, 4 * units)), 3),
                np.round(rng.normal(scale=0.5, size=4 * units), 3))
        h_t, c_t, gates = _variant(*args)
        cases.append(dict(label=f"batch={batch}, features={features}, units={units}", args=args,
                          expected=(h_t, (h_t, c_t), gates),
                          shape_desc=f"[batch, units] = ({batch}, {units})"))

    def diagnose(case, part, out, expected, parts):
        args = case["args"]
        x_t, h_prev, c_prev, W, U, b = args
        h_t, (_, c_t), gates = case["expected"]
        units = h_prev.shape[1]
        if out.shape != expected.shape:
            if out.ndim >= 1 and out.shape[-1] == 4 * units:
                return "split z = x_t W + h_{t-1} U + b into four blocks of `units` columns (np.split(z, 4, axis=-1))."
            if out.shape == (2,) + expected.shape:
                return "this part holds one array [batch, units]; the pair (h_t, c_t) is the state, the second field."
            return None
        if part == "h":
            if _close(out, c_t):
                return "h holds c_t; h is the output h_t = o * tanh(c_t), and c_t goes into the state (h_t, c_t)."
            for kwargs, hint in _LSTM_MISTAKES:
                if _close(out, _variant(*args, **kwargs)[0]):
                    return hint
            c_learner = _learner_state(parts, 1)
            if c_learner is not None and _close(c_learner, c_t):
                return "c_t is right; check h_t = o * tanh(c_t)."
            return None
        if part.startswith("state["):
            other = h_t if part == "state[1]" else c_t
            if _close(out, other):
                return "the state is (h_t, c_t): h_t first, then c_t."
            if _close(out, h_prev if part == "state[0]" else c_prev):
                return "that is the previous state; the Step returns the new state (h_t, c_t)."
            if part == "state[1]":
                for kwargs, hint in _LSTM_MISTAKES:
                    if _close(out, _variant(*args, **kwargs)[1]):
                        return hint
            return None
        key = part[len("gates['"):-len("']")]
        pre = dict(zip("ifco", np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
        if key == "c" and _close(out, gates["i"] * gates["c"]):
            return "'c' is the candidate c~ = tanh(z_c) itself, before the input gate multiplies it."
        if key in pre and _close(out, pre[key]):
            return (f"that is the pre-activation z_{key}; store the value after its "
                    f"{'tanh' if key == 'c' else 'sigmoid'}.")
        return gate_mixup_hint(key, out, gates)

    return run_step_cases("ex5-3", fn, cases, diagnose, quiet, _LSTM_STEP)
