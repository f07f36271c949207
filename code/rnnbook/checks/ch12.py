"""Auto-checks of chapter 12, "Beam search, and attention"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _as_float_array, _kind, _Reject, register_answer, run_cases

__all__ = ["beam_step", "attention_weights"]

# ex12-1: finished sequences over V = 5 tokens (one of them EOS) with max_len = 6:
# those ending in EOS after L tokens (4 ** (L - 1) of them, L = 1..6) and those cut at max_len (4 ** 6).
register_answer("ex12-1", sum(4 ** (L - 1) for L in range(1, 7)) + 4 ** 6, "number", rtol=1e-9, wrong=(
    (5 ** 6, "a finished sequence stops at its first EOS: EOS cannot appear in the middle, and shorter "
             "sequences that end in EOS count too."),
    (sum(4 ** (L - 1) for L in range(1, 7)), "add the sequences that never emit EOS and are cut at max_len."),
    (sum(5 ** L for L in range(1, 7)), "only the last token of a finished sequence may be EOS: 4 choices for "
                                       "each earlier token, not 5."),
    (4 ** 6, "add the sequences that end with EOS before max_len."),
))

# ex12-3: the length penalty alpha at which [B, EOS] (p = 0.4) and [A, x, EOS] (p = 0.2) score the same.
_ALPHA = float(np.log(np.log(0.2) / np.log(0.4)) / np.log(3 / 2))
register_answer("ex12-3", _ALPHA, "number", rtol=1e-3, wrong=(
    (1 / _ALPHA, "solve log(0.4) / 2**alpha = log(0.2) / 3**alpha for alpha: (3/2)**alpha = log(0.2) / log(0.4)."),
    (-_ALPHA, "the lengths are 2 and 3 tokens (EOS counts); dividing by a larger power of 3 raises the long "
              "hypothesis's score, so alpha is positive."),
    (float(np.log(np.log(0.2) / np.log(0.4)) / np.log(4 / 3)), "count EOS in the lengths: [B, EOS] has 2 tokens "
                                                                "and [A, x, EOS] has 3."),
    (float(np.log(0.4 / 0.2) / np.log(3 / 2)), "compare log-probabilities, log(0.2) / log(0.4), not the "
                                                "probabilities 0.4 / 0.2."),
))


# --------------------------------------------------------------------------- beam_step
def _beam_reference(scores, log_probs, width):
    totals = scores[:, None] + log_probs
    best = np.argsort(-totals, axis=None, kind="stable")[:width]
    rows, tokens = np.unravel_index(best, totals.shape)
    return rows, tokens, totals[rows, tokens]


def _triple(out):
    """The learner's (rows, tokens, new_scores) as a [3, width] float array, or a _Reject."""
    if isinstance(out, (bool, np.bool_)) or out is None:
        raise _Reject(f"it is {_kind(out)}; return a tuple (rows, tokens, new_scores)")
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise _Reject(f"it is {_kind(out)}; return a tuple of three arrays (rows, tokens, new_scores)")
    parts = []
    for name, part in zip(("rows", "tokens", "new_scores"), out):
        arr, problem = _as_float_array(part)
        if problem:
            raise _Reject(f"{name} {problem.replace('it ', '', 1) if problem.startswith('it ') else problem}")
        if arr.ndim != 1:
            raise _Reject(f"{name} has shape {arr.shape}; return a 1-D array with one entry per kept hypothesis")
        parts.append(arr)
    if len({len(p) for p in parts}) != 1:
        raise _Reject(f"rows, tokens and new_scores have lengths {[len(p) for p in parts]}; "
                      "they must all have one entry per kept hypothesis")
    return np.stack(parts)


def beam_step(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(scores, log_probs, width)``: one step of beam search.

    ``scores`` [n] are the live hypotheses' total log-probabilities and
    ``log_probs`` [n, vocab] their next-token log-probabilities.  The answer
    is ``(rows, tokens, new_scores)``, three 1-D arrays of length ``width``:
    the ``width`` extensions (hypothesis ``rows[i]`` extended by ``tokens[i]``)
    with the highest totals ``scores[row] + log_probs[row, token]``, best first.
    """
    rng = np.random.default_rng(12)
    cases = []
    for label, n, vocab, width in [("one live hypothesis, 5 tokens, width 3", 1, 5, 3),
                                   ("3 hypotheses, 4 tokens, width 3", 3, 4, 3),
                                   ("2 hypotheses, 6 tokens, width 4 (the best two share a row)", 2, 6, 4),
                                   ("4 hypotheses, 7 tokens, width 2", 4, 7, 2)]:
        for _ in range(500):   # draw until the plausible mistakes give other answers
            scores = np.round(-rng.uniform(0.0, 4.0, size=n), 3)
            logits = rng.normal(size=(n, vocab)) * 2.0
            log_probs = np.round(logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)), 4)
            rows, tokens, new = _beam_reference(scores, log_probs, width)
            totals = (scores[:, None] + log_probs).ravel()
            if len(set(totals)) != totals.size:
                continue
            plain = _beam_reference(np.zeros(n), log_probs, width)
            if n == 1 or not (np.array_equal(plain[0], rows) and np.array_equal(plain[1], tokens)):
                break
        expected = np.stack([rows, tokens, new]).astype(float)
        cases.append(dict(label=label, args=(scores, log_probs, width), expected=expected,
                          shape_desc=f"a tuple (rows, tokens, new_scores) of {width} entries each",
                          scores=scores, log_probs=log_probs, width=width))

    def diagnose(case, out, expected):
        s, lp, width = np.array(case["scores"]), np.array(case["log_probs"]), case["width"]
        n, vocab = lp.shape
        totals = s[:, None] + lp
        if out.shape[1] != width:
            return f"keep exactly width = {width} extensions."
        if np.allclose(out, expected[:, ::-1]):
            return "return the extensions best first: sort by decreasing total."
        worst = np.argsort(totals, axis=None, kind="stable")[:width]
        if np.allclose(out[2], totals.ravel()[worst]):
            return "keep the extensions with the HIGHEST totals (log-probabilities are <= 0; closer to 0 is better)."
        rows, tokens, _ = _beam_reference(np.zeros(n), lp, width)
        if np.array_equal(out[0], rows) and np.array_equal(out[1], tokens) and not np.allclose(out[:2], expected[:2]):
            return ("rank by the total log-probability of the whole hypothesis, scores[row] + log_probs[row, token], "
                    "not by the next token's log-probability alone.")
        if not np.allclose(out[1], expected[1]) and np.allclose(out[1], expected[0] * vocab + expected[1]):
            return "the tokens are flat indices into [n * vocab]: split them with np.unravel_index (or divmod by vocab)."
        if np.allclose(out[[1, 0]], expected[:2]):
            return "rows and tokens are swapped: return (rows, tokens, new_scores) in that order."
        if np.allclose(out[:2], expected[:2]) and np.allclose(out[2], lp[expected[0].astype(int),
                                                                         expected[1].astype(int)]):
            return "new_scores are the totals scores[row] + log_probs[row, token], not the last token's log-probability."
        if np.allclose(out[:2], expected[:2]):
            return "the rows and tokens are right; new_scores[i] must be scores[rows[i]] + log_probs[rows[i], tokens[i]]."
        return None

    return run_cases("ex12-2", fn, cases, diagnose, quiet, convert=_triple)


# --------------------------------------------------------------------------- attention_weights
def _softmax(e):
    z = e - e.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def attention_weights(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(scores)``: attention weights, the softmax of ``scores`` [n, steps] over the source steps.

    Each row of the answer is positive and sums to 1; it must not overflow for
    large scores.
    """
    rng = np.random.default_rng(120)
    cases = []
    for label, scores in [("one query, 4 source steps", np.round(rng.normal(size=(1, 4)), 3)),
                          ("3 queries, 5 source steps", np.round(rng.normal(size=(3, 5)) * 2, 3)),
                          ("2 queries, 3 steps (more queries than steps along one axis)",
                           np.round(rng.normal(size=(2, 3)), 3)),
                          ("large scores (around 1000)", np.round(1000 + rng.normal(size=(2, 6)) * 3, 3))]:
        # rtol 1e-4: a float32 softmax is right too (near scores of 1000, float32 keeps about 4 digits
        # of each difference of scores)
        cases.append(dict(label=label, args=(scores,), expected=_softmax(scores),
                          shape_desc=f"weights shaped like scores, {scores.shape}", scores=scores, tol=(1e-4, 1e-7)))

    def convert(out):
        if isinstance(out, (bool, np.bool_)):
            raise _Reject(f"it is {_kind(out)}; return an array of weights shaped like scores")
        arr, problem = _as_float_array(out)
        if problem and problem.startswith("it contains NaN"):
            raise _Reject("it contains NaN: exp of a large score overflows; subtract each row's largest score "
                          "before np.exp (the softmax does not change).")
        if problem:
            raise _Reject(problem)
        return arr

    def diagnose(case, out, expected):
        with np.errstate(all="ignore"):   # the hints try exp of raw scores, which overflows near 1000
            return _softmax_hint(np.array(case["scores"]), out, expected)

    return run_cases("ex12-4", fn, cases, diagnose, quiet, convert=convert)


def _softmax_hint(e, out, expected):
    """The likely mistake behind a wrong softmax ``out`` of the scores ``e``, or None."""
    if out.shape == expected.T.shape and out.shape != expected.shape:
        return "return the weights in the shape of scores, [n, steps]: one row per query."
    if out.shape != expected.shape:
        return None
    if np.allclose(out, np.exp(e - e.max(axis=-1, keepdims=True))) or np.allclose(out, np.exp(e)):
        return "normalise: divide by the sum over the source steps so that each row sums to 1."
    if np.allclose(out, _softmax(e.T).T):
        return "normalise over the source steps (the last axis), not over the queries."
    if np.allclose(out, 1 / (1 + np.exp(-e))):
        return "attention weights are a softmax over the source steps, not a sigmoid of each score."
    if np.allclose(out, e / e.sum(axis=-1, keepdims=True)):
        return "exponentiate the scores before normalising: the weights must be positive."
    if np.allclose(out, _softmax(e.reshape(1, -1)).reshape(e.shape)):
        return "normalise each row (each query) separately, not the whole array at once."
    return None
