"""Auto-checks of chapter 1, "Sequence learning"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, register_answer, run_cases

__all__ = ["seasonal_naive", "masked_mean"]

register_answer("ex1-1", (32, 20, 50), "shape", wrong=(
    ((20, 32, 50), "the batch comes first: [batch, steps, features]."),
    ((32, 50, 20), "the features of one step come last: [batch, steps, features]."),
    ((640, 50), "that is the tensor flattened over time; an RNN keeps batch and steps apart."),
    ((32, 20), "each word is a vector, so there is a third axis for its features."),
))
register_answer("ex1-3", 298, "number", rtol=0.0, wrong=(
    (299, "off by one: the last window needs `horizon` values after it."),
    (297, "off by one: count the start indices i with i + window + horizon <= n."),
    (309, "that is the length of the series; each window needs window + horizon values."),
))


# --------------------------------------------------------------------------- chapter 1 functions
def _series(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(size=n).cumsum() + 10 * np.sin(np.arange(n) / 2), 3)


def seasonal_naive(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(series, start, period)``: one-step seasonal-naive forecasts of ``series[start:]``."""
    cases = []
    for k, (n, start, period) in enumerate([(12, 8, 4), (30, 20, 7), (25, 24, 1), (40, 12, 12)]):
        s = _series(n, k)
        cases.append(dict(label=f"series of length {n}, start={start}, period={period}",
                          args=(s, start, period), expected=s[start - period:n - period],
                          shape_desc="one forecast per value of series[start:]"))

    def diagnose(case, out, expected):
        s, start, period = case["args"]
        if out.ndim == 1 and abs(out.shape[0] - expected.shape[0]) == 1:
            return "off by one in the length: you need a forecast for each index t from start to len(series) - 1."
        if out.shape == expected.shape:
            if period != 1 and np.allclose(out, s[start - 1:len(s) - 1]):
                return "that is the plain naive forecast (one step back); look back a whole season: series[t - period]."
            for shift, what in ((period - 1, "period - 1"), (period + 1, "period + 1")):
                if 0 < shift <= start and np.allclose(out, s[start - shift:len(s) - shift]):
                    return f"your forecasts look back {what} steps; the value one season earlier is series[t - period]."
            if np.allclose(out, s[start:]):
                return "you returned the values to be forecast themselves: a forecast may only use the past."
        return None

    return run_cases("ex1-2", fn, cases, diagnose, quiet)


def masked_mean(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(x, mask)``: the mean over the real (unmasked) steps of each sequence.

    ``x`` has shape [batch, steps, features] and ``mask`` [batch, steps] (1 = real step);
    the answer has shape [batch, features].
    """
    cases = []
    rng = np.random.default_rng(7)
    for b, t, f, pad in [(2, 4, 1, 0.0), (3, 5, 2, 0.0), (4, 6, 3, 0.0), (3, 5, 2, 9.0)]:
        x = np.round(rng.normal(size=(b, t, f)), 3)
        lengths = rng.integers(1, t + 1, size=b)
        lengths[0] = t - 1 if t > 1 else 1
        mask = (np.arange(t)[None, :] < lengths[:, None]).astype(float)
        x = np.where(mask[..., None] == 1, x, pad)  # padded steps hold the pad value (0, or 9 in the last case)
        expected = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        cases.append(dict(label=f"batch={b}, steps={t}, features={f}, lengths={lengths.tolist()}, padding value {pad:g}",
                          args=(x, mask), expected=expected, shape_desc="[batch, features]"))

    def diagnose(case, out, expected):
        x, mask = case["args"]
        if out.shape == (x.shape[0],):
            return "average over the steps axis (axis 1) only, keeping the features axis: keepdims or sum(axis=1)."
        if out.shape == (x.shape[0], x.shape[1]):
            return "you averaged over the features axis; average over the steps axis (axis 1) instead."
        if out.shape == (x.shape[1], x.shape[2]) or out.shape == (x.shape[2],):
            return "you averaged over the batch; each sequence needs its own mean."
        if out.shape == expected.shape and np.allclose(out, x.mean(axis=1)):
            return "you divided by the padded length; divide by the number of real steps, mask.sum(axis=1)."
        if out.shape == expected.shape and np.allclose(out, x.sum(axis=1) / mask.sum(axis=1, keepdims=True)):
            return ("your sum includes the padded steps, which hold a padding value that need not be 0: "
                    "multiply x by the mask before summing.")
        return None

    return run_cases("ex1-4", fn, cases, diagnose, quiet)
