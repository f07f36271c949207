"""Auto-checks of chapter 6, "Gated recurrent units, and choosing a cell"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, StepSpec, gate_mixup_hint, register_answer, run_step_cases

__all__ = ["gru_step"]

# ex6-2: GRU(20) on 10 features, Keras reset_after=True: 3 * units * (features + units + 2)
register_answer("ex6-2", 3 * 20 * (10 + 20 + 2), "number", rtol=0.0, wrong=(
    (3 * 20 * (10 + 20 + 1), "that is the reset_after=False count: reset_after=True has a second bias row, "
                             "one for the input side and one for the recurrent side."),
    (4 * 20 * (10 + 20 + 1), "that is an LSTM's count (four gate blocks); a GRU has three: z, r and the candidate."),
    (4 * 20 * (10 + 20 + 2), "a GRU has three gate blocks (z, r, candidate), not four."),
    (3 * 20 * (10 + 20), "you left out the biases; with reset_after=True there are two bias rows of 3 * units."),
    (3 * (10 + 20 + 2), "multiply by the number of units: every unit has its own weights in each block."),
))

# ex6-3: h_t = z * h_prev + (1 - z) * h_cand with z = 0.8, h_prev = 0.5, h_cand = -1.0 (Keras convention)
register_answer("ex6-3", 0.8 * 0.5 + 0.2 * -1.0, "number", rtol=1e-6, wrong=(
    (0.2 * 0.5 + 0.8 * -1.0, "that is Chung et al.'s convention, where z weights the candidate; in Keras, "
                             "z weights the previous state h_{t-1}."),
    (0.8 * 0.5 + -1.0, "the candidate is weighted by (1 - z): the two weights add up to 1."),
    (0.8 * 0.5, "you dropped the candidate's share, (1 - z) * h~."),
))

# ex6-4: Bidirectional(GRU(8)) on 4 features, reset_after=True
register_answer("ex6-4", 2 * 3 * 8 * (4 + 8 + 2), "number", rtol=0.0, wrong=(
    (3 * 8 * (4 + 8 + 2), "that is one direction only: Bidirectional holds two independent GRUs."),
    (2 * 3 * 8 * (4 + 8 + 1), "Keras' GRU default is reset_after=True, with two bias rows."),
    (2 * 3 * 8 * (4 + 16 + 2), "the backward GRU reads the input x, not the forward GRU's states: "
                               "each direction has features = 4."),
    (2 * 3 * 16 * (4 + 16 + 2), "each direction has 8 units; only the outputs are concatenated to 16."),
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
