"""Auto-checks of chapter 7, "Training recurrent networks in practice"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _as_float_array, _float_array_or_reject, _kind, _Reject, register_answer, run_cases

__all__ = ["recursive_forecast", "sorted_padded_steps"]

register_answer("ex7-1", 64 * 32, "number", rtol=1e-9, wrong=(
    (64 * 32 * 100, "that is a fresh mask at every step; Keras draws one mask per sequence and keeps it for all "
                    "100 steps."),
    (32, "that would be one mask shared by the whole batch; every sequence gets its own row."),
    (64, "one value per sequence would drop whole sequences; the mask has one value per unit of h."),
    (4 * 64 * 32, "a SimpleRNN has one recurrent product, so one mask; the LSTM draws one per gate (four)."),
    (0.3 * 64 * 32, "count every mask value, kept or dropped: the rate only sets how many of them are zero."),
))

register_answer("ex7-3", 1 + 2 * (3 - 1) * (1 + 2 + 4 + 8 + 16), "number", rtol=1e-9, wrong=(
    (1 + (3 - 1) * (1 + 2 + 4 + 8 + 16), "each block holds two convolutions, and each one reaches further back."),
    (2 * (3 - 1) * (1 + 2 + 4 + 8 + 16), "off by one: count the current step too."),
    (3 * (1 + 2 + 4 + 8 + 16), "a kernel of size k reaches k - 1 steps back (times the dilation), not k."),
    (1 + 2 * 3 * (1 + 2 + 4 + 8 + 16), "a kernel of size k reaches k - 1 steps back (times the dilation), not k."),
    (2 * 3 * 16, "the dilations add up along the stack: use their sum, not the largest."),
))

register_answer("ex7-5", 2, "number", rtol=1e-9, wrong=(
    (1, "input dropout does not block the fused kernel in Keras 3: it is applied before it, one mask per "
        "sequence; only recurrent_dropout does."),
    (3, "the cuDNN GRU resets after the recurrent product: reset_after=False cannot use it."),
    (0, "the default LSTM, and one with input dropout, meet every rule."),
    (4, "unroll=True, a ReLU activation and a SimpleRNN all rule the fused kernel out."),
))


# --------------------------------------------------------------------------- recursive_forecast
def _recursive_reference(predict_one, windows, horizon):
    w = np.array(windows, dtype=float)
    out = np.empty((w.shape[0], horizon))
    for h in range(horizon):
        step = np.asarray(predict_one(w), dtype=float).reshape(-1)
        out[:, h] = step
        w = np.concatenate([w[:, 1:], step[:, None]], axis=1)
    return out


class _Linear:
    """A one-step linear model of the window, ``w @ coef + bias``; refuses windows of the wrong width."""

    def __init__(self, coef, bias):
        self.coef = np.array(coef, dtype=float)
        self.bias = float(bias)

    def __call__(self, windows):
        w = np.asarray(windows, dtype=float)
        if w.ndim != 2 or w.shape[1] != self.coef.shape[0]:
            raise ValueError(f"predict_one expects windows of shape [m, {self.coef.shape[0]}]; got shape {w.shape}")
        return w @ self.coef + self.bias

    def hidden_literal(self, literal) -> str:
        """Source that rebuilds this model in a hidden test (:mod:`rnnbook.checks.hidden`)."""
        return f"_linear({literal(self.coef)}, {literal(self.bias)})"


def recursive_forecast(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(predict_one, windows, horizon)``: the [m, horizon] forecasts of the recursive strategy.

    At step h, ``predict_one`` gets the windows with the oldest value dropped
    and the h - 1 predictions so far appended at the end.
    """
    rng = np.random.default_rng(7)
    cases = []
    for label, coef, bias, m, horizon in [
            ("an AR(3) model, 2 windows, 4 steps ahead", [0.2, -0.3, 0.9], 0.5, 2, 4),
            ("weights that grow with recency, 3 windows, 3 steps ahead", [0.1, 0.2, 0.3, 0.4], -1.0, 3, 3),
            ("one step ahead only", [0.5, 0.5], 0.0, 4, 1),
            ("the last value plus one, 5 steps ahead", [0.0, 0.0, 1.0], 1.0, 2, 5)]:
        predict_one = _Linear(coef, bias)
        windows = np.round(rng.normal(size=(m, len(coef))), 2)
        cases.append(dict(label=label, args=(predict_one, windows, horizon),
                          expected=_recursive_reference(predict_one, windows, horizon),
                          shape_desc=f"[m, horizon] = {(m, horizon)}", predict_one=predict_one, windows=windows,
                          horizon=horizon))

    convert = _float_array_or_reject

    def diagnose(case, out, expected):
        f, w, horizon = case["predict_one"], np.array(case["windows"]), case["horizon"]
        if out.shape == expected.T.shape and out.shape != expected.shape:
            return "one row per window and one column per horizon: [m, horizon], not [horizon, m]."
        if out.shape != expected.shape:
            return "return one forecast per window and horizon, an array of shape [m, horizon]."
        same = np.repeat(np.asarray(f(w), dtype=float)[:, None], horizon, axis=1)
        if np.allclose(out, same):
            return "every column is the one-step forecast: feed each prediction back into the window."
        front = np.empty_like(expected)
        v = w.copy()
        for h in range(horizon):
            front[:, h] = f(v)
            v = np.concatenate([front[:, h:h + 1], v[:, :-1]], axis=1)
        if np.allclose(out, front):
            return "the newest value goes at the END of the window (oldest first); drop the oldest from the front."
        return None

    return run_cases("ex7-2", fn, cases, diagnose, quiet, convert=convert)


# --------------------------------------------------------------------------- sorted_padded_steps
def _sorted_padded_reference(lengths, batch_size):
    lengths = np.sort(np.asarray(lengths, dtype=float), kind="stable")
    return float(sum(len(b) * b.max() for b in (lengths[i:i + batch_size] for i in range(0, len(lengths), batch_size))))


def sorted_padded_steps(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(lengths, batch_size)``: the steps computed when the sequences, sorted shortest first, are cut
    into consecutive batches of ``batch_size`` (the last may be smaller), each padded to its longest sequence.

    The hidden ``lengths`` are 1-D arrays of whole numbers (stored as floats); the answer is one number.
    """
    rng = np.random.default_rng(11)
    cases = []
    for label, lengths, batch_size in [
            ("5 sequences, batches of 2", np.array([5.0, 1.0, 4.0, 2.0, 3.0]), 2),
            ("two short and one long, batches of 2", np.array([1.0, 10.0, 1.0]), 2),
            ("12 random lengths, batches of 4", rng.integers(1, 30, size=12).astype(float), 4),
            ("one batch holds everything", np.array([7.0, 3.0, 9.0]), 8)]:
        cases.append(dict(label=label, args=(lengths, batch_size),
                          expected=np.array(_sorted_padded_reference(lengths, batch_size)),
                          shape_desc="one number, the total of padded steps", lengths=lengths, batch_size=batch_size))

    def convert(out):
        arr, problem = _as_float_array(out)
        if problem:
            raise _Reject(problem)
        if arr.size != 1:
            raise _Reject(f"it is {_kind(out)}; return one number, the total over all batches")
        return arr.reshape(())

    def diagnose(case, out, expected):
        lengths, bs = np.asarray(case["lengths"]), case["batch_size"]
        value = float(out)
        if value == float(lengths.sum()):
            return "that is the number of real steps; each batch is padded to its longest sequence."
        if value == float(len(lengths) * lengths.max()):
            return "that pads every batch to the longest sequence of the whole set; pad each batch to its own longest."
        desc = np.sort(lengths)[::-1]
        if value == float(sum(len(c) * c.max() for c in (desc[i:i + bs] for i in range(0, len(desc), bs)))):
            return "sort from the shortest to the longest: the last, smaller batch then holds the longest sequences."
        chunks = [lengths[i:i + bs] for i in range(0, len(lengths), bs)]
        if value == float(sum(len(c) * c.max() for c in chunks)):
            return "sort the lengths (shortest first) before cutting the batches."
        return None

    return run_cases("ex7-4", fn, cases, diagnose, quiet, convert=convert)
