"""Auto-checks of chapter 4, "Vanishing and exploding gradients"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _as_float_array, _kind, _Reject, register_answer, run_cases

__all__ = ["clip_global"]

register_answer("ex4-1", 0.8**30, "number", rtol=1e-3, wrong=(
    (0.8 * 30, "the bound is a power, (0.8)**30, not a product 0.8 * 30."),
    (0.8**29, "off by one: a lag of 30 steps multiplies 30 Jacobians."),
    (0.8**31, "off by one: a lag of 30 steps multiplies 30 Jacobians."),
    (0.0, "the bound is small, but not zero: compute (0.8)**30."),
    (0.9**50, "that is the chapter's example (0.9 over 50 steps); here sigma_max is 0.8 and the lag 30."),
))
register_answer("ex4-2", 3 / 12, "number", rtol=1e-3, wrong=(
    (1 / 12, "that is the variance of ONE uniform value; the target is the sum of three independent ones."),
    (1 / 6, "that is the two-value adding problem of the chapter; this variant sums three values."),
    (1.5, "that is the mean of the target; the MSE of predicting the mean is the target's variance."),
    (9 / 12, "variances of independent values add; you multiplied by 3 twice (that would be Var(3 u))."),
    (0.0, "predicting a constant cannot be perfect: the MSE is the target's variance."),
))

register_answer("ex4-8", 0.05 * 0.5, "number", rtol=1e-3, wrong=(
    (0.5, "that is the threshold: it caps the gradient's norm; the step is the learning rate times the clipped gradient."),
    (0.05, "that is the learning rate; the clipped gradient has norm at most 0.5, so the step is shorter."),
    (0.5 / 0.05, "the step is the learning rate times the clipped gradient, a product, not a ratio."),
    (0.05 * 0.5 * 0.5, "clip first (norm at most 0.5), then multiply by the learning rate once."),
))


# --------------------------------------------------------------------------- clip_global
def _clip_global_reference(grads, max_norm):
    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
    scale = max_norm / max(norm, max_norm)
    return [np.asarray(g, dtype=float) * scale for g in grads]


def _flat(arrays):
    return np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])


def clip_global(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(grads, max_norm)``: the list ``grads`` rescaled to a global L2 norm of at most ``max_norm``.

    The answer is a list of arrays, one per gradient (a pair ``(clipped, global_norm)``,
    as ``tf.clip_by_global_norm`` returns, is accepted too); it is compared as one
    flat vector of all clipped arrays, in order.
    """
    rng = np.random.default_rng(4)
    cases = []
    for label, shapes, factor in [("two arrays with a large global norm", [(3, 2), (2,)], 3.0),
                                  ("three arrays, one much larger", [(2, 2), (4,), (1,)], 10.0),
                                  ("a global norm below max_norm", [(3,), (2, 2)], 0.2)]:
        grads = [np.round(rng.normal(size=s), 3) for s in shapes]
        grads[0] = grads[0] * factor
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))
        max_norm = 1.0 if factor > 1 else float(np.round(norm * 3, 3))
        cases.append(dict(label=label, args=(grads, max_norm),
                          expected=_flat(_clip_global_reference(grads, max_norm)),
                          shape_desc="all clipped arrays, flattened and concatenated in order",
                          grads=grads, max_norm=max_norm))

    def convert(out):
        if isinstance(out, tuple) and len(out) == 2 and np.ndim(out[1]) == 0:
            out = out[0]  # accept (clipped, norm) as tf.clip_by_global_norm returns
        if out is None:
            raise _Reject("it is None: did you forget a `return`?")
        if not isinstance(out, (list, tuple)):
            raise _Reject(f"it is {_kind(out)}; return a list of arrays (one per gradient)")
        arrays = []
        for k, a in enumerate(out):
            arr, problem = _as_float_array(a)
            if problem:
                raise _Reject(f"array {k} of your list: {problem}")
            arrays.append(arr)
        return np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)

    def diagnose(case, out, expected):
        grads, m = case["grads"], case["max_norm"]
        if out.shape != expected.shape:
            return "return one clipped array per gradient, each with its gradient's shape."
        sq = sum(np.sum(g**2) for g in grads)
        flat = _flat(grads)
        if sq > 0 and np.allclose(out, flat * m / sq):
            return "you divided by the sum of squares: the global norm is its square root."
        each = _flat([g * m / max(np.linalg.norm(g), m) for g in grads])
        if np.allclose(out, each):
            return "you clipped each array by its own norm; use ONE global norm over all arrays together."
        if np.allclose(out, flat * m / np.sqrt(sq)):
            return "you rescaled although the global norm was already below max_norm; leave it unchanged then."
        if np.allclose(out, np.clip(flat, -m, m)):
            return "that is clipping by value; clipping by global norm rescales every array by the same factor."
        return None

    return run_cases("ex4-3", fn, cases, diagnose, quiet, convert=convert)
