"""Auto-checks of chapter 7, "Training recurrent networks in practice"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _as_float_array, _kind, _Reject, register_answer, run_cases

__all__ = ["sorted_padded_steps"]

register_answer("ex7-1", 64 * 32, "number", rtol=1e-9, wrong=(
    (64 * 32 * 100, "that is a fresh mask at every step; Keras draws one mask per sequence and keeps it for all "
                    "100 steps."),
    (32, "that would be one mask shared by the whole batch; every sequence gets its own row."),
    (64, "one value per sequence would drop whole sequences; the mask has one value per unit of h."),
    (4 * 64 * 32, "a SimpleRNN has one recurrent product, so one mask; the LSTM draws one per gate (four)."),
    (0.3 * 64 * 32, "count every mask value, kept or dropped: the rate only sets how many of them are zero."),
))

register_answer("ex7-2", 2.0 ** 2 * 0.3 / 0.7, "number", rtol=1e-3, wrong=(
    (2.0 ** 2 * 0.3 * 0.7, "that is the variance without the scaling; the kept value is a / (1 - p), not a."),
    (2.0 ** 2 / 0.7, "that is E[X^2]; subtract the square of the mean, which the scaling keeps at a."),
    (2.0 * 0.3 / 0.7, "the variance grows with the square of the activation: a^2, not a."),
    (2.0 ** 2 * 0.3, "a^2 p is missing the factor 1 / (1 - p) that the scaling brings."),
    (0.0, "the mean is kept, the spread is not: X is 0 or a / (1 - p), so its variance is positive."),
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
