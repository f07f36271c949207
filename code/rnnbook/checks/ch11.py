"""Auto-checks of chapter 11, "Sequence to sequence"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _as_float_array, _kind, _Reject, register_answer, run_cases

__all__ = ["teacher_forcing_arrays", "per_position_accuracy"]

# ex11-1: the parameters of the encoder GRU (embedding 32 -> 64 units, Keras's reset_after=True).
_ENCODER = 3 * 64 * (32 + 64) + 2 * 3 * 64
register_answer("ex11-1", _ENCODER, "number", rtol=1e-9, wrong=(
    (3 * 64 * (32 + 64) + 3 * 64,
     "Keras's GRU (reset_after=True) has TWO bias vectors per gate: the bias has shape (2, 3 * units)."),
    (3 * 64 * (32 + 64), "do not forget the biases: Keras's GRU has a bias of shape (2, 3 * units)."),
    (4 * 64 * (32 + 64) + 2 * 4 * 64,
     "a GRU has three weight blocks (z, r and the candidate), not four: that is an LSTM."),
    (3 * 64 * (32 + 64 + 64) + 2 * 3 * 64,
     "that is the DECODER of the every_step model, whose input is the token vector and the context (32 + 64); "
     "the encoder reads only the 32-number token vectors."),
    (3 * 64 * 64 + 2 * 3 * 64,
     "the input weights W have shape (input size, 3 * units): the input is the 32-number character vector, "
     "and the recurrent weights U add (units, 3 * units)."),
))

# ex11-4: ten characters, each right with probability 0.99, independently.
register_answer("ex11-4", 0.99 ** 10, "number", rtol=1e-3, wrong=(
    (0.99, "that is the probability of one character; the whole date is right only if all ten are."),
    (1 - 0.01 * 10,
     "subtracting ten times the error rate is only an approximation; multiply the ten probabilities."),
    (0.01 ** 10, "that is the probability that all ten characters are WRONG."),
    (1 - 0.99 ** 10,
     "that is the probability that at least one character is wrong: the exact-match accuracy is its complement."),
))


# --------------------------------------------------------------------------- teacher_forcing_arrays
def _tf_reference(target_ids, bos, eos, length):
    n = len(target_ids)
    dec, tgt = np.zeros((n, length), dtype=int), np.zeros((n, length), dtype=int)
    for i, ids in enumerate(target_ids):
        ids = list(ids)
        dec[i, :len(ids) + 1] = [bos] + ids
        tgt[i, :len(ids) + 1] = ids + [eos]
    return dec, tgt


def _pair_or_reject(out):
    """The learner's (decoder_input, target) as one float array [2, n, length]."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise _Reject(f"it is {_kind(out)}; return a tuple (decoder_input, target) of two arrays")
    arrays = []
    for name, part in zip(("decoder_input", "target"), out):
        arr, problem = _as_float_array(part)
        if problem:
            raise _Reject(f"{name} {problem}")
        arrays.append(arr)
    if arrays[0].shape != arrays[1].shape:
        raise _Reject(f"decoder_input has shape {arrays[0].shape} and target {arrays[1].shape}; "
                      "both must be [n, length]")
    return np.stack(arrays)


def _random_targets() -> tuple[list, int, int, int]:
    """Random target ids (2 to 4 rows, ids 4 to 19), BOS 2, EOS 3 and a length with room for both."""
    rng = np.random.default_rng(112)
    rows = [[int(i) for i in rng.integers(4, 20, size=int(rng.integers(1, 7)))]
            for _ in range(int(rng.integers(2, 5)))]
    return rows, 2, 3, max(map(len, rows)) + int(rng.integers(1, 4))


def teacher_forcing_arrays(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(target_ids, bos, eos, length)``: the two arrays an encoder-decoder trains on.

    ``target_ids`` is a list of n lists of token ids (lengths may differ, each
    shorter than ``length``).  The answer is ``(decoder_input, target)``, two
    int arrays [n, length]: row i of ``decoder_input`` is BOS followed by the
    ids, row i of ``target`` is the ids followed by EOS, both padded on the
    right with 0.
    """
    cases = []
    for label, target_ids, bos, eos, length in [
            ("one date-like target", [[5, 6, 7, 8, 4, 9, 9]], 2, 3, 8),
            ("three targets of different lengths", [[4, 5], [6, 7, 8, 9], [10]], 2, 3, 6),
            ("BOS and EOS at other ids", [[1, 2, 3], [3, 2, 1]], 7, 8, 5),
            ("room to spare", [[9, 8, 7, 6]], 2, 3, 9),
            ("random targets", *_random_targets())]:
        expected = np.stack(_tf_reference(target_ids, bos, eos, length)).astype(float)
        cases.append(dict(label=label, args=(target_ids, bos, eos, length), expected=expected,
                          shape_desc="(decoder_input, target), each [n, length]",
                          target_ids=target_ids, bos=bos, eos=eos, length=length))

    def diagnose(case, out, expected):
        ids, bos, eos, length = case["target_ids"], case["bos"], case["eos"], case["length"]
        if out.shape != expected.shape:
            return "both arrays must have one row per target and `length` columns, padded on the right with 0."
        if np.array_equal(out, expected[::-1]):
            return ("you swapped them: the decoder READS BOS followed by the target, and must PREDICT the target "
                    "followed by EOS.")
        if np.array_equal(out[1], expected[1]) and not np.array_equal(out[0], expected[0]):
            if all(out[0, i, 0] != bos for i in range(len(ids))):
                return "the decoder input must start with BOS: it is the target shifted one step to the right."
            after = [out[0, i, len(r) + 1] == eos for i, r in enumerate(ids) if len(r) + 1 < length]
            if after and all(after):
                return "the decoder input ends after the last target token: EOS belongs to the target only."
            return "the decoder input is BOS followed by the target tokens, then padding 0."
        if np.array_equal(out[0], expected[0]) and not np.array_equal(out[1], expected[1]):
            if all(out[1, i, 0] == bos for i in range(len(ids))):
                return "the target must not start with BOS: at step t the decoder predicts token t of the target."
            return "the target is the target tokens followed by EOS, then padding 0."
        shifted_left = np.zeros_like(expected)
        for k in range(2):
            for i in range(expected.shape[1]):
                used = len(ids[i]) + 1
                shifted_left[k, i, length - used:] = expected[k, i, :used]
        if np.array_equal(out, shifted_left):
            return "pad the targets on the RIGHT: the decoder reads them from the first column on."
        return None

    return run_cases("ex11-2", fn, cases, diagnose, quiet, convert=_pair_or_reject)


# --------------------------------------------------------------------------- per_position_accuracy
def _ppa_reference(predictions, truths):
    length = len(truths[0])
    return np.array([np.mean([len(p) > k and p[k] == t[k] for p, t in zip(predictions, truths)])
                     for k in range(length)])


def _random_dates() -> tuple[list, list]:
    """Random ISO dates and predictions with a random digit changed, cut short or run on."""
    rng = np.random.default_rng(113)
    truths = [f"{rng.integers(1950, 2050)}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}" for _ in range(5)]
    predictions = []
    for t in truths:
        p = list(t)
        p[int(rng.integers(0, len(p)))] = str(rng.integers(0, 10))
        cut = int(rng.integers(7, 12))
        predictions.append("".join(p)[:cut] + ("9" if cut == 11 else ""))
    return predictions, truths


def per_position_accuracy(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(predictions, truths)``: the fraction of right characters at every position.

    ``truths`` is a list of n strings of the same length L; ``predictions`` a
    list of n strings of any length.  The answer is an array of L numbers:
    entry k is the fraction of i with ``len(predictions[i]) > k`` and
    ``predictions[i][k] == truths[i][k]`` (a missing character is wrong).
    """
    cases = []
    for label, predictions, truths in [
            ("two ISO dates, one wrong digit", ["2026-11-21", "1999-01-31"], ["2026-11-21", "1989-01-31"]),
            ("a prediction that stops early", ["2026-11", "2001-02-03", "1950-01-01"],
             ["2026-11-21", "2001-02-03", "1950-01-02"]),
            ("a prediction that runs on", ["2026-11-211", "2040-12-2"], ["2026-11-21", "2040-12-24"]),
            ("short strings", ["ab", "a", "xb", "ba"], ["ab", "ab", "ab", "ab"]),
            ("random dates", *_random_dates())]:
        cases.append(dict(label=label, args=(predictions, truths), expected=_ppa_reference(predictions, truths),
                          shape_desc="one accuracy per position of the truths, shape (L,)",
                          predictions=predictions, truths=truths))

    def convert(out):
        if isinstance(out, (bool, np.bool_)):
            raise _Reject(f"it is {_kind(out)}; return one accuracy per character position")
        arr, problem = _as_float_array(out)
        if problem:
            raise _Reject(problem)
        return arr

    def diagnose(case, out, expected):
        preds, truths = case["predictions"], case["truths"]
        if out.size == 1:
            return ("that is one number for the whole list (an exact-match rate?): return one accuracy per "
                    "character position, len(truths[0]) numbers.")
        if out.shape != expected.shape:
            return "return len(truths[0]) numbers, one per position of the true strings."
        if np.allclose(out, 1.0 - expected):
            return "that is the error rate at each position; return the fraction of RIGHT characters."
        if np.allclose(out, expected * len(truths)):
            return "divide the number of right characters at each position by the number of predictions."
        lenient = np.array([np.mean([p[k] == t[k] for p, t in zip(preds, truths) if len(p) > k] or [0.0])
                            for k in range(len(truths[0]))])
        if np.allclose(out, lenient):
            return ("a prediction too short to have position k is WRONG at k: divide by all the predictions, "
                    "not only those long enough.")
        return None

    return run_cases("ex11-3", fn, cases, diagnose, quiet, convert=convert)
