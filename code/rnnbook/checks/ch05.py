"""Auto-checks of chapter 5, "Long short-term memory"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..cells import sigmoid
from ._core import (CheckResult, StepSpec, _close, _order_hint, _run_gradients, _swap_shape_hint,
                    _weight_shape_hint, gate_mixup_hint, register_answer, run_step_cases)

__all__ = ["lstm_step", "lstm_backward_step"]

# ex5-1: c_t = f * c_prev + i * c~ with c_prev = 2.0, f = 0.9, i = 0.5, c~ = -0.6
register_answer("ex5-1", 1.5, "number", rtol=1e-6, wrong=(
    (1.2, "the candidate enters through the input gate: i * c~, not c~ alone."),
    (1.7, "the old cell state is scaled by the forget gate: f * c_{t-1}."),
    (-0.1, "f is the fraction *kept*: multiply c_{t-1} by f, not by 1 - f."),
    (2.1, "check the sign of the candidate: c~ = -0.6."),
    (np.tanh(1.5), "that is tanh(c_t), which goes into h_t; the cell state itself has no tanh."),
))
# ex5-3: the factor prod f over 60 steps with f = 0.95
register_answer("ex5-3", 0.95**60, "number", rtol=1e-3, wrong=(
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

    return run_step_cases("ex5-2", fn, cases, diagnose, quiet, _LSTM_STEP)


# --------------------------------------------------------------------------- lstm_backward_step (ex5-6)
_LSTM_GRADS = ("dx_t", "dh_prev", "dc_prev", "dW", "dU", "db")


def _lstm_grads(dh, dc, x_t, h_prev, c_prev, W, U, b, *, order="ifco", cat=None, dh_to_c=True, dc_in=True,
                dc_prev="f", d_cand="tanh", d_gate="sigmoid", d_tanh_c="tanh", do_with="tanh", dU_with="h_prev"):
    """(dx_t, dh_prev, dc_prev, dW, dU, db) of one LSTM step in Keras's layout, or of a plausible mistake.

    The gradients of the loss whose gradients at h_t and c_t are ``dh`` and ``dc``:
    going back through h_t = o * tanh(c_t), c_t = f * c_prev + i * c~ and
    a = x_t W + h_prev U + b (blocks i, f, c, o).  The keyword options switch
    on one mistake each; with the defaults this is the reference.
    """
    a = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
    i, f, o = sigmoid(a["i"]), sigmoid(a["f"]), sigmoid(a["o"])
    c_cand = np.tanh(a["c"])
    c_t = f * c_prev + i * c_cand
    tanh_c = np.tanh(c_t)
    h_t = o * tanh_c
    d_tanh = 1.0 - (c_t**2 if d_tanh_c == "raw" else tanh_c**2)
    k = (dc if dc_in else 0.0) + (dh * o * d_tanh if dh_to_c else 0.0)       # dLoss/dc_t, both paths
    do = dh * (c_t if do_with == "c_t" else tanh_c)
    gate = (lambda s: 1.0 - s**2) if d_gate == "tanh" else (lambda s: s * (1.0 - s))
    cand = c_cand * (1.0 - c_cand) if d_cand == "sigmoid" else 1.0 - c_cand**2
    da = {"i": k * c_cand * gate(i), "f": k * c_prev * gate(f), "c": k * i * cand, "o": do * gate(o)}
    da = np.concatenate([da[g] for g in (cat or order)], axis=-1)
    dc_prev = {"f": k * f, "k": k, "dc": dc}[dc_prev]
    h_rec = h_t if dU_with == "h_t" else h_prev
    return da @ W.T, da @ U.T, dc_prev, x_t.T @ da, h_rec.T @ da, da.sum(axis=0)


_LSTM_GRAD_MISTAKES = (
    (dict(dh_to_c=False), "the gradient at c_t has two parts: dc from the next step, and what arrives through "
                          "h_t = o * tanh(c_t), dh * o * (1 - tanh(c_t)**2); you left out the second."),
    (dict(dc_in=False), "you left out dc: the gradient from the next step adds to what arrives through h_t, "
                        "dc_t = dc + dh * o * (1 - tanh(c_t)**2)."),
    (dict(dc_prev="k"), "dc_prev is missing the forget gate: c_t = f * c_{t-1} + i * c~, so dc_prev = dc_t * f."),
    (dict(dc_prev="dc"), "dc_prev = dc_t * f, where dc_t is the whole gradient at c_t (dc plus the part through "
                         "h_t); passing dc through unchanged is not it."),
    (dict(order="fico"), "wrong gate order: Keras's blocks are i, f, c, o; split a and concatenate da in that order."),
    (dict(order="ifoc"), "wrong gate order: Keras's blocks are i, f, c, o (candidate third, output gate last)."),
    (dict(order="icfo"), "wrong gate order: Keras's blocks are i, f, c, o; split a and concatenate da in that order."),
    (dict(cat="ifoc"), "wrong gate order in da: concatenate the four blocks as i, f, c, o, the order of W's columns."),
    (dict(cat="fico"), "wrong gate order in da: concatenate the four blocks as i, f, c, o, the order of W's columns."),
    (dict(cat="icfo"), "wrong gate order in da: concatenate the four blocks as i, f, c, o, the order of W's columns."),
    (dict(d_cand="sigmoid"), "the candidate is c~ = tanh(a_c): its derivative is 1 - c~**2, not c~ * (1 - c~)."),
    (dict(d_gate="tanh"), "the gates i, f and o are sigmoids: their derivative is s * (1 - s), not 1 - s**2 "
                          "(that is tanh's)."),
    (dict(d_tanh_c="raw"), "the derivative of tanh(c_t) is 1 - tanh(c_t)**2; you squared c_t itself."),
    (dict(do_with="c_t"), "h_t = o * tanh(c_t), so the output gate gets dh * tanh(c_t), not dh * c_t."),
    (dict(dU_with="h_t"), "dU = h_{t-1}^T da: the recurrent kernel multiplies the previous state h_{t-1}, "
                          "not the new h_t."),
)


def _lstm_grad_case(batch: int, features: int, units: int, rng: np.random.Generator) -> dict:
    args = (rng.normal(size=(batch, units)),                          # dh
            rng.normal(size=(batch, units)),                          # dc
            rng.normal(size=(batch, features)),                       # x_t
            rng.uniform(-0.9, 0.9, size=(batch, units)),              # h_prev
            rng.normal(size=(batch, units)),                          # c_prev
            rng.normal(scale=0.6, size=(features, 4 * units)),        # W
            rng.normal(scale=0.6, size=(units, 4 * units)),           # U
            rng.normal(scale=0.5, size=4 * units))                    # b
    shapes = (f"[batch, features] = ({batch}, {features})", f"[batch, units] = ({batch}, {units})",
              f"[batch, units] = ({batch}, {units})", f"W's shape [features, 4*units] = ({features}, {4 * units})",
              f"U's shape [units, 4*units] = ({units}, {4 * units})", f"b's shape [4*units] = ({4 * units},)")
    return dict(label=f"batch={batch}, features={features}, units={units}", args=args,
                expected=_lstm_grads(*args), shapes=shapes,
                shape_desc="the tuple (dx_t, dh_prev, dc_prev, dW, dU, db)")


def lstm_backward_step(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(dh, dc, x_t, h_prev, c_prev, W, U, b)`` -> ``(dx_t, dh_prev, dc_prev, dW, dU, db)``.

    The backward pass through one LSTM step in Keras's layout (see ``rnnbook.cells.lstm_step``
    for the forward equations, blocks i, f, c, o).  ``dh`` and ``dc`` [batch, units]
    are the gradients of the loss that reach h_t and c_t (for c_t, what flows back
    from the next step); the other arguments are those of the forward step.  The
    function returns the gradients of the loss with respect to x_t [batch,
    features], h_prev and c_prev [batch, units], and W [features, 4*units], U
    [units, 4*units] and b [4*units] (summed over the batch), as a tuple in that
    order.
    """
    rng = np.random.default_rng(57)
    # features == units in the second case, so that swapping dx_t and dh_prev can be diagnosed.
    cases = [_lstm_grad_case(batch, features, units, rng) for batch, features, units in [(2, 3, 4), (3, 4, 4),
                                                                                          (1, 2, 3)]]

    def diagnose(case, name, out, expected):
        dh, dc, x_t, h_prev, c_prev, W, U, b = case["args"]
        batch, units = dh.shape
        if out.shape != expected.shape:
            hint = _swap_shape_hint(name, out, x_t.shape, dh.shape, _LSTM_GRADS)
            if hint:
                return hint
            if name in ("dW", "dU", "db"):
                return _weight_shape_hint(name, out, expected, batch, "x_t" if name == "dW" else "h_prev")
            if out.shape == (batch, 4 * units):
                if name == "dc_prev":
                    return "that has 4*units columns; dc_prev = dc_t * f has one column per unit."
                return (f"that is [batch, 4*units], the gradient of the pre-activations da; go one step further: "
                        f"{name} = da @ {'W' if name == 'dx_t' else 'U'}.T.")
            return None
        hint = _order_hint(name, out, _LSTM_GRADS, case["expected"])
        if hint:
            return hint
        if name == "dh_prev" and _close(out, dh):
            return ("h_{t-1} reaches the loss only through the pre-activations a = x_t W + h_{t-1} U + b: "
                    "dh_prev = da @ U.T.")
        k = _LSTM_GRADS.index(name)
        for kwargs, hint in _LSTM_GRAD_MISTAKES:
            if _close(out, _lstm_grads(*case["args"], **kwargs)[k]):
                return hint
        return None

    return _run_gradients("ex5-6", fn, cases, _LSTM_GRADS, diagnose, quiet)
