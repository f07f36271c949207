"""Auto-checks of chapter 3, "Learning through time: BPTT"."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._core import CheckResult, register_answer, run_cases

__all__ = ["step_backward", "tbptt_windows"]

register_answer("ex3-2", math.log(80), "number", wrong=(
    (math.log2(80), "that is in bits (log base 2); the book measures cross-entropy in nats, the natural log."),
    (math.log10(80), "that is log base 10; cross-entropy in nats uses the natural log."),
    (1 / 80, "that is the probability the untrained model gives each symbol; the loss is minus its log."),
    (80.0, "that is the perplexity e^loss, the number of equally likely symbols; take its natural log."),
))
register_answer("ex3-3", 4900, "number", rtol=0.0, wrong=(
    (5000, "close: the first few updates happen before k2 steps exist, so they go back only 10, 20, 30, 40 steps."),
    (1000, "that is full BPTT, one backward pass over the sequence; TBPTT goes back k2 steps at every update."),
    (100, "that is the number of updates; each one costs up to k2 backward steps."),
    (48_775, "that is one update after every step (k1 = 1); here an update happens every k1 = 10 steps."),
    (1_000 * 50, "that is k2 backward steps after every one of the T steps; updates happen every k1 steps."),
))


# --------------------------------------------------------------------------- ex3-1
def step_backward(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(g, h, U)``: the gradient that one tanh step passes back to h_{t-1}.

    ``g`` = dLoss/dh_t [batch, units], ``h`` = h_t [batch, units], ``U`` the
    recurrent kernel [units, units]; the answer is (g * (1 - h**2)) U^T.
    """
    cases = []
    rng = np.random.default_rng(3)
    for b, u in [(1, 3), (2, 4), (3, 5)]:
        g = np.round(rng.normal(size=(b, u)), 3)
        h = np.round(np.tanh(rng.normal(size=(b, u))), 3)
        U = np.round(rng.normal(size=(u, u)), 3)
        cases.append(dict(label=f"batch={b}, units={u}", args=(g, h, U),
                          expected=(g * (1 - h**2)) @ U.T, shape_desc="[batch, units], the shape of h_{t-1}"))

    def diagnose(case, out, expected):
        g, h, U = case["args"]
        if out.shape == expected.shape[::-1]:
            return "your result is transposed: keep the rows as the batch, [batch, units]."
        if out.shape != expected.shape:
            return None
        candidates = [
            (g @ U.T, "you forgot the tanh derivative: multiply g by (1 - h**2) element-wise before going through U^T."),
            ((g * (1 - h**2)) @ U, "with row vectors, h_t = tanh(x_t W + h_{t-1} U + b), so the gradient goes back through U^T, not U."),
            ((g * (1 - h)) @ U.T, "the tanh derivative is 1 - h**2 (squared), written with the output h = tanh(a)."),
            ((g * (1 - np.tanh(h) ** 2)) @ U.T, "h is already tanh(a): the derivative is 1 - h**2, not 1 - tanh(h)**2."),
            (g * (1 - h**2), "that is dLoss/da_t; one more step: multiply by U^T to reach h_{t-1}."),
            ((g @ U.T) * (1 - h**2), "apply the tanh derivative before the matrix product, not after: (g * (1 - h**2)) @ U.T."),
        ]
        for value, hint in candidates:
            if np.allclose(out, value):
                return hint
        return None

    return run_cases("ex3-1", fn, cases, diagnose, quiet)


# --------------------------------------------------------------------------- ex3-4
def _windows(T: int, k1: int, k2: int) -> np.ndarray:
    return np.array([(max(0, e - k2), e) for e in range(k1, T + 1, k1)])


def _random_tbptt() -> tuple[int, int, int]:
    """One random (T, k1, k2) with k1 <= k2, for a case of its own."""
    rng = np.random.default_rng(34)
    k1 = int(rng.integers(2, 7))
    return int(rng.integers(3 * k1, 40)), k1, int(rng.integers(k1, 13))


def tbptt_windows(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(T, k1, k2)``: the (start, end) of every TBPTT(k1, k2) backward window, shape [updates, 2].

    Updates happen after steps e = k1, 2 k1, ... <= T; the window of the one
    after step e covers steps start..end-1 with end = e and start = max(0, e - k2)
    (Python slice convention, 0-based steps).
    """
    cases = [dict(label=f"T={T}, k1={k1}, k2={k2}", args=(T, k1, k2), expected=_windows(T, k1, k2),
                  shape_desc="one (start, end) row per update")
             for T, k1, k2 in [(20, 5, 5), (20, 4, 10), (23, 5, 8), (12, 1, 3), _random_tbptt()]]

    def diagnose(case, out, expected):
        T, k1, k2 = case["args"]
        ends = list(range(k1, T + 1, k1))
        if out.ndim == 2 and out.shape[1] == 2 and abs(out.shape[0] - expected.shape[0]) == 1:
            return "off by one in the number of updates: an update happens after steps k1, 2*k1, ... as long as <= T."
        if out.shape == expected.shape[::-1]:
            return "return one row per update, [updates, 2], not one column."
        if out.shape != expected.shape:
            return None
        starts = np.array([e - k2 for e in ends])
        if np.allclose(out, np.stack([starts, ends], 1)):
            return "the first windows would start before step 0: clip the start with max(0, end - k2)."
        if np.allclose(out, np.stack([[max(0, e - k1) for e in ends], ends], 1)):
            return "the window reaches back k2 steps (how far the gradient flows); k1 only says how often to update."
        if np.allclose(out, np.stack([[max(0, e - k2 + 1) for e in ends], ends], 1)):
            return "a window of k2 steps from start to end (exclusive) starts at end - k2."
        if np.allclose(out, np.stack([[max(0, e - k2 - 1) for e in ends], [e - 1 for e in ends]], 1)):
            return "use Python's slice convention: end is exclusive, so the update after step e has end = e."
        return None

    return run_cases("ex3-4", fn, cases, diagnose, quiet)
