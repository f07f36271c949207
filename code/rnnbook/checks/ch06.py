"""Auto-checks of chapter 6, "Gated recurrent units, and choosing a cell"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import (CheckResult, StepSpec, _close, _order_hint, _run_gradients, _swap_shape_hint,
                    _weight_shape_hint, gate_mixup_hint, register_answer, run_step_cases)

__all__ = ["gru_step", "gru_backward_step"]

# ex6-2: h_t = z * h_prev + (1 - z) * h_cand with z = 0.8, h_prev = 0.5, h_cand = -1.0 (Keras convention)
register_answer("ex6-2", 0.8 * 0.5 + 0.2 * -1.0, "number", rtol=1e-6, wrong=(
    (0.2 * 0.5 + 0.8 * -1.0, "that is Chung et al.'s convention, where z weights the candidate; in Keras, "
                             "z weights the previous state h_{t-1}."),
    (0.8 * 0.5 + -1.0, "the candidate is weighted by (1 - z): the two weights add up to 1."),
    (0.8 * 0.5, "you dropped the candidate's share, (1 - z) * h~."),
))

# ex6-7: the width k of GRU(k) + Dense(1) (reset_after=True, 2 features) whose parameter count is closest to
# that of LSTM(32) + Dense(1): 4 * 32 * (2 + 32 + 1) + 33 = 4513 against 3k(2 + k + 2) + k + 1.
def _gru_model_params(units: int, features: int = 2) -> int:
    return 3 * units * (features + units + 2) + units + 1


_LSTM_MODEL_PARAMS = 4 * 32 * (2 + 32 + 1) + 32 + 1
register_answer("ex6-7", min(range(1, 100), key=lambda k: abs(_gru_model_params(k) - _LSTM_MODEL_PARAMS)),
                "number", rtol=0.0, wrong=(
    (32, "that is equal width. A GRU has three blocks (z, r, h~), not four, so at the same width it has about a "
         "quarter fewer weights; it needs more units to match the LSTM."),
    (43, "4/3 of the width would match if the count grew linearly with the units, but the recurrent kernel grows "
         "with units**2: 4/3 of the width overshoots. Compute the GRU model's count for a few widths."),
    (42, "4/3 of the width would match if the count grew linearly with the units, but the recurrent kernel grows "
         "with units**2: 4/3 of the width overshoots. Compute the GRU model's count for a few widths."),
    (36, "36 is the widest GRU whose count stays below the LSTM model's, but the question asks for the closest "
         "count, which may lie above it: compare the distances of both neighbours. (If you counted the LSTM "
         "without its bias, add its 4 * 32 biases.)"),
    (38, "check the GRU's biases: with reset_after=True each of its three blocks has two bias vectors of `units` "
         "numbers, 2 * 3 * units in all."),
    (24, "the GRU has fewer blocks, so it needs more units than the LSTM to reach the same count, not fewer."),
    (28, "the GRU has fewer blocks, so it needs more units than the LSTM to reach the same count, not fewer."),
    (_LSTM_MODEL_PARAMS, "that is the parameter count of the LSTM model; the answer is a width, the GRU's number "
                         "of units."),
))


# --------------------------------------------------------------------------- the GRU step (ex6-1)
_GRU_STEP = StepSpec(
    cell="a GRU",
    example='return Step(h_t, (h_t,), {"z": z, "r": r, "h": h_cand})',
    state_names=("h_t",),
    gates={"z": "the update gate", "r": "the reset gate", "h": "the candidate h~"},
)


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def _variant(x, h, W, U, b, *, flip=False, reset_before=False, order="zrh", rec_bias=True, full=False):
    """A GRU step in Keras's reset_after=True layout, or one of the plausible mistakes.

    Returns h_t, or (h_t, gates, pre-activations) when ``full``.
    """
    n = h.shape[1]
    pos = {g: k for k, g in enumerate(order)}
    blk = lambda M, g: M[..., pos[g] * n:(pos[g] + 1) * n]  # noqa: E731
    b_in, b_rec = b[0], (b[1] if rec_bias else np.zeros_like(b[1]))
    xw, hu = x @ W + b_in, h @ U + b_rec
    a_z, a_r = blk(xw, "z") + blk(hu, "z"), blk(xw, "r") + blk(hu, "r")
    z, r = _sig(a_z), _sig(a_r)
    if reset_before:
        a_h = blk(xw, "h") + (r * h) @ blk(U, "h") + blk(b_rec, "h")
    else:
        a_h = blk(xw, "h") + r * blk(hu, "h")
    cand = np.tanh(a_h)
    h_t = (1 - z) * h + z * cand if flip else z * h + (1 - z) * cand
    if full:
        return h_t, {"z": z, "r": r, "h": cand}, {"z": a_z, "r": a_r, "h": a_h}
    return h_t


_MISTAKES = (
    (dict(flip=True), "you wrote h_t = (1 - z) * h_{t-1} + z * h~ (Chung et al.'s convention); Keras keeps the "
                      "old state with weight z: h_t = z * h_{t-1} + (1 - z) * h~."),
    (dict(reset_before=True), "you applied the reset gate before the recurrent product, (r * h_{t-1}) U_h "
                              "(reset_after=False); this layout multiplies after it: r * (h_{t-1} U_h + b_rec_h)."),
    (dict(order="rzh"), "the gate blocks are in the wrong order: Keras stores z, r, h (update, reset, candidate)."),
    (dict(rec_bias=False), "you left out the recurrent bias row b[1]; reset_after=True adds b[0] on the input "
                           "side and b[1] on the recurrent side (inside the reset for the candidate)."),
)


def gru_step(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(x_t, h_prev, W, U, b)`` -> ``Step(h, state, gates)``: one GRU step, Keras's ``reset_after=True``.

    ``x_t`` is [batch, features], ``h_prev`` [batch, units], ``W`` [features, 3*units],
    ``U`` [units, 3*units], ``b`` [2, 3*units] (row 0 the input bias, row 1 the
    recurrent bias); the blocks are in the order z, r, h.  With
    z = sigmoid(x_t W_z + b_in_z + h_prev U_z + b_rec_z), r likewise,
    h~ = tanh(x_t W_h + b_in_h + r * (h_prev U_h + b_rec_h)) and
    h_t = z * h_prev + (1 - z) * h~, the function returns
    ``Step(h_t, (h_t,), {"z": z, "r": r, "h": h_cand})`` (``from rnnbook.cells import
    Step``): the new output h_t [batch, units], the new state as a 1-tuple
    ``(h_t,)`` and the gate values, each [batch, units], where "h" is the
    candidate h~.  Any 3-sequence (h, state, gates) in that order is accepted.
    """
    rng = np.random.default_rng(61)
    cases = []
    for batch, features, units in [(1, 2, 3), (4, 3, 5), (2, 5, 4)]:
        x = rng.normal(size=(batch, features))
        h = rng.uniform(-0.9, 0.9, size=(batch, units))
        W = rng.normal(scale=0.8, size=(features, 3 * units))
        U = rng.normal(scale=0.8, size=(units, 3 * units))
        b = rng.normal(scale=0.5, size=(2, 3 * units))
        h_t, gates, _ = _variant(x, h, W, U, b, full=True)
        cases.append(dict(label=f"batch={batch}, features={features}, units={units}", args=(x, h, W, U, b),
                          expected=(h_t, (h_t,), gates), shape_desc="[batch, units], the shape of h_prev"))

    def diagnose(case, part, out, expected, parts):
        x, h, W, U, b = case["args"]
        if out.shape == (x.shape[0], 3 * h.shape[1]):
            return "this part has 3 * units columns: split the gate blocks (z, r, h) and combine them into h_t."
        if out.shape != expected.shape:
            return None
        if part in ("h", "state[0]"):
            if np.allclose(out, h):
                return ("that is h_prev, the previous state; "
                        + ("h" if part == "h" else "the state (h_t,)") + " holds the new state h_t.")
            for kwargs, hint in _MISTAKES:
                if np.allclose(out, _variant(x, h, W, U, b, **kwargs)):
                    return hint
            return None
        key = part[len("gates['"):-len("']")]
        _, gates, pre = _variant(x, h, W, U, b, full=True)
        if key in pre and np.allclose(out, pre[key]):
            return (f"that is the pre-activation of {key!r}; store the value after its "
                    f"{'tanh' if key == 'h' else 'sigmoid'}.")
        return gate_mixup_hint(key, out, gates)

    return run_step_cases("ex6-1", fn, cases, diagnose, quiet, _GRU_STEP)


# --------------------------------------------------------------------------- the GRU backward step (ex6-6)
_GRU_GRADS = ("dx_t", "dh_prev", "dW", "dU", "db")


def _gru_grads(dh, x_t, h_prev, W, U, b, *, order="zrh", flip=False, dz_sign=1.0, direct=True, r_rec=True,
               q_bias=True, d_cand="tanh", d_gate="sigmoid", dU_with="h_prev"):
    """(dx_t, dh_prev, dW, dU, db) of one GRU step (Keras, reset_after=True), or of a plausible mistake.

    The gradients of the loss whose gradient at h_t is ``dh``, going back through
    h_t = z * h_prev + (1 - z) * h~, h~ = tanh(x_t W_h + b_in_h + r * q) with
    q = h_prev U_h + b_rec_h, and the gates z, r.  Two sides meet the weights: the
    input side x_t W + b[0] gets [da_z, da_r, da_h], the recurrent side
    h_prev U + b[1] gets [da_z, da_r, da_h * r].  The keyword options switch on one
    mistake each; with the defaults this is the reference.
    """
    n = h_prev.shape[1]
    pos = {g: k for k, g in enumerate(order)}
    blk = lambda M, g: M[..., pos[g] * n:(pos[g] + 1) * n]  # noqa: E731
    xw, hu = x_t @ W + b[0], h_prev @ U + b[1]
    z, r = _sig(blk(xw, "z") + blk(hu, "z")), _sig(blk(xw, "r") + blk(hu, "r"))
    q = blk(hu, "h") if q_bias else blk(h_prev @ U, "h")
    cand = np.tanh(blk(xw, "h") + r * blk(hu, "h"))
    h_t = (1 - z) * h_prev + z * cand if flip else z * h_prev + (1 - z) * cand
    gate = (lambda s: 1.0 - s**2) if d_gate == "tanh" else (lambda s: s * (1.0 - s))
    cand_d = cand * (1.0 - cand) if d_cand == "sigmoid" else 1.0 - cand**2
    if flip:
        keep, da_z, da_h = 1 - z, dh * (cand - h_prev) * gate(z), dh * z * cand_d
    else:
        keep, da_z, da_h = z, dz_sign * dh * (h_prev - cand) * gate(z), dh * (1 - z) * cand_d
    da_r = da_h * q * gate(r)
    d_in = {"z": da_z, "r": da_r, "h": da_h}
    d_rec = dict(d_in, h=da_h * r if r_rec else da_h)
    d_in = np.concatenate([d_in[g] for g in order], axis=-1)
    d_rec = np.concatenate([d_rec[g] for g in order], axis=-1)
    dh_prev = d_rec @ U.T + (dh * keep if direct else 0.0)
    h_rec = h_t if dU_with == "h_t" else h_prev
    return (d_in @ W.T, dh_prev, x_t.T @ d_in, h_rec.T @ d_rec,
            np.stack([d_in.sum(axis=0), d_rec.sum(axis=0)]))


_GRU_GRAD_MISTAKES = (
    (dict(flip=True), "you differentiated h_t = (1 - z) * h_{t-1} + z * h~ (Chung et al.'s convention); Keras "
                      "keeps the old state with weight z: h_t = z * h_{t-1} + (1 - z) * h~."),
    (dict(dz_sign=-1.0), "check the sign of the update gate's gradient: dh_t/dz = h_{t-1} - h~ (z weights the "
                         "old state)."),
    (dict(direct=False), "h_t = z * h_{t-1} + (1 - z) * h~ also uses h_{t-1} directly: dh_prev is dh * z plus "
                         "the recurrent side's gradient times U^T."),
    (dict(r_rec=False), "the reset gate multiplies the candidate's recurrent part, so that block of the "
                        "recurrent side's gradient is da_h * r (for dh_prev, dU and db[1]), while the input side "
                        "keeps da_h."),
    (dict(q_bias=False), "the reset gate multiplies h_{t-1} U_h + b[1]_h, bias included: "
                         "da_r = da_h * (h_{t-1} U_h + b[1]_h) * r * (1 - r)."),
    (dict(order="rzh"), "the gate blocks are in the wrong order: Keras stores z, r, h (update, reset, candidate)."),
    (dict(order="hzr"), "the gate blocks are in the wrong order: Keras stores z, r, h (update, reset, candidate)."),
    (dict(d_cand="sigmoid"), "the candidate is h~ = tanh(...): its derivative is 1 - h~**2, not h~ * (1 - h~)."),
    (dict(d_gate="tanh"), "the gates z and r are sigmoids: their derivative is s * (1 - s), not 1 - s**2 "
                          "(that is tanh's)."),
    (dict(dU_with="h_t"), "dU = h_{t-1}^T (the recurrent side's gradient): U multiplies the previous state "
                          "h_{t-1}, not the new h_t."),
)


def _gru_grad_case(batch: int, features: int, units: int, rng: np.random.Generator) -> dict:
    args = (rng.normal(size=(batch, units)),                          # dh
            rng.normal(size=(batch, features)),                       # x_t
            rng.uniform(-0.9, 0.9, size=(batch, units)),              # h_prev
            rng.normal(scale=0.7, size=(features, 3 * units)),        # W
            rng.normal(scale=0.7, size=(units, 3 * units)),           # U
            rng.normal(scale=0.5, size=(2, 3 * units)))               # b
    shapes = (f"[batch, features] = ({batch}, {features})", f"[batch, units] = ({batch}, {units})",
              f"W's shape [features, 3*units] = ({features}, {3 * units})",
              f"U's shape [units, 3*units] = ({units}, {3 * units})", f"b's shape [2, 3*units] = (2, {3 * units})")
    return dict(label=f"batch={batch}, features={features}, units={units}", args=args,
                expected=_gru_grads(*args), shapes=shapes, shape_desc="the tuple (dx_t, dh_prev, dW, dU, db)")


def gru_backward_step(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(dh, x_t, h_prev, W, U, b)`` -> ``(dx_t, dh_prev, dW, dU, db)``: one GRU step backwards.

    The backward pass through one GRU step in Keras's ``reset_after=True`` layout
    (see ``rnnbook.cells.gru_step`` for the forward equations: blocks z, r, h, ``b`` [2,
    3*units] with row 0 the input bias and row 1 the recurrent bias, and
    h_t = z * h_prev + (1 - z) * h~).  ``dh`` [batch, units] is the gradient of the
    loss that reaches h_t; the other arguments are those of the forward step.  The
    function returns the gradients of the loss with respect to x_t [batch,
    features], h_prev [batch, units], W [features, 3*units], U [units, 3*units]
    and b [2, 3*units] (summed over the batch), as a tuple in that order.
    """
    rng = np.random.default_rng(68)
    # features == units in the second case, so that swapping dx_t and dh_prev can be diagnosed.
    cases = [_gru_grad_case(batch, features, units, rng) for batch, features, units in [(2, 3, 4), (3, 4, 4),
                                                                                        (1, 2, 3)]]

    def diagnose(case, name, out, expected):
        dh, x_t, h_prev, W, U, b = case["args"]
        batch, units = dh.shape
        if out.shape != expected.shape:
            hint = _swap_shape_hint(name, out, x_t.shape, dh.shape, _GRU_GRADS)
            if hint:
                return hint
            if name == "db" and out.shape == (3 * units,):
                return ("b has two rows, [2, 3*units]: row 0 gets the input side's gradient, row 1 the recurrent "
                        "side's (with da_h * r in its candidate block), each summed over the batch.")
            if name == "db" and out.shape == (2, batch, 3 * units):
                return "db has the shape of b: sum each side's gradient over the batch (axis 0)."
            if name in ("dW", "dU", "db"):
                return _weight_shape_hint(name, out, expected, batch, "x_t" if name == "dW" else "h_prev")
            if out.shape == (batch, 3 * units):
                return ("that is [batch, 3*units], the gradient of one side's pre-activations; go one step "
                        "further: " + ("dx_t = (the input side's gradient) @ W.T." if name == "dx_t" else
                                       "dh_prev = dh * z + (the recurrent side's gradient) @ U.T."))
            return None
        hint = _order_hint(name, out, _GRU_GRADS, case["expected"])
        if hint:
            return hint
        if name == "db" and _close(out[::-1], expected):
            return "the rows of db are swapped: row 0 is the input bias b[0], row 1 the recurrent bias b[1]."
        if name == "dh_prev" and _close(out, dh):
            return ("h_{t-1} reaches the loss directly (through z * h_{t-1}) and through the recurrent side "
                    "h_{t-1} U + b[1]: dh_prev needs both terms.")
        k = _GRU_GRADS.index(name)
        for kwargs, hint in _GRU_GRAD_MISTAKES:
            if _close(out, _gru_grads(*case["args"], **kwargs)[k]):
                return hint
        return None

    return _run_gradients("ex6-6", fn, cases, _GRU_GRADS, diagnose, quiet)
