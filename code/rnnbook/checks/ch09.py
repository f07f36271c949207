"""Auto-checks of chapter 9, "Word embeddings"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _as_float_array, _float_array_or_reject, _kind, _Reject, register_answer, run_cases

__all__ = ["keep_probability", "analogy"]

register_answer("ex9-1", 2 * 10_000 * 100, "number", rtol=1e-9, wrong=(
    (10_000 * 100, "word2vec keeps TWO vectors per word: the input vector v_w and the output vector u_w."),
    (2 * 10_000 * 100 + 2 * 10_000, "skip-gram with negative sampling has no biases: only the two matrices."),
    (10_000 * 100 * 6, "the negatives are drawn from the same output matrix; they add no parameters."),
    (100 * 100, "the parameters are one vector per word of the vocabulary, not a [dim, dim] matrix."),
))

register_answer("ex9-3", 0.25 ** 0.75, "number", rtol=1e-3, wrong=(
    (0.25, "that is x / x_max; the weighting raises it to the power alpha = 0.75."),
    (1.0, "the cap applies only from x = x_max on; 25 is below 100."),
    (0.25 ** (1 / 0.75), "the exponent is alpha = 0.75 itself, not 1 / alpha."),
    (np.log(25), "f weights the squared error of the entry; log X_ij is the target, not the weight."),
))


# --------------------------------------------------------------------------- keep_probability
def _keep_reference(counts, sample):
    f = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(f / sample) + 1.0) * sample / f)


def keep_probability(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(counts, sample)``: the probability of keeping each occurrence of each word.

    ``counts`` is a 1-D array of word counts (floats); with f = count / total,
    the answer is min(1, (sqrt(f / sample) + 1) * sample / f), one value per word.
    """
    cases = []
    for label, counts, sample in [
            ("one very frequent word among rare ones", np.array([5000.0, 40.0, 3.0, 1.0]), 1e-3),
            ("a flat distribution (everything is kept)", np.array([10.0, 10.0, 10.0]), 1e-2),
            ("a Zipf-like vocabulary of 8 words", 2000.0 / np.arange(1, 9), 1e-2),
            ("a larger threshold", np.array([900.0, 300.0, 100.0, 50.0, 2.0]), 5e-2),
            ("random counts", np.random.default_rng(92).integers(1, 3000, size=7).astype(float), 1e-2)]:
        cases.append(dict(label=label, args=(counts, sample), expected=_keep_reference(counts, sample),
                          shape_desc="one probability per word, shape (V,)", counts=counts, sample=sample))

    convert = _float_array_or_reject

    def diagnose(case, out, expected):
        c, s = np.array(case["counts"]), case["sample"]
        f = c / c.sum()
        if out.shape != expected.shape:
            return "return one probability per word, an array shaped like counts."
        if np.allclose(out, (np.sqrt(f / s) + 1.0) * s / f):
            return "a probability cannot exceed 1: cap the values with np.minimum(1, ...)."
        if np.allclose(out, np.minimum(1.0, np.sqrt(s / f))):
            return ("that is the paper's discard rule 1 - sqrt(t/f) turned around; word2vec's code and gensim use "
                    "(sqrt(f/sample) + 1) * sample / f.")
        if np.allclose(out, np.minimum(1.0, (np.sqrt(c / s) + 1.0) * s / c)):
            return "compare frequencies, not counts, with sample: f = counts / counts.sum()."
        if np.allclose(out, 1.0 - expected):
            return "that is the probability of DISCARDING the word; return the probability of keeping it."
        return None

    return run_cases("ex9-2", fn, cases, diagnose, quiet, convert=convert)


# --------------------------------------------------------------------------- analogy
def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _analogy_scores(vectors, a, b, c, normalise=True, sign=1.0):
    x = _unit(vectors) if normalise else vectors
    target = x[b] - sign * x[a] + sign * x[c] if sign == 1.0 else x[a] - x[b] + x[c]
    return _unit(vectors) @ (target / np.linalg.norm(target))


def _best(scores, exclude):
    scores = np.array(scores, dtype=float)
    scores[list(exclude)] = -np.inf
    return int(np.argmax(scores))


def analogy(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(vectors, a, b, c)``: the index of the word d that best completes "a is to b as c is to d".

    ``vectors`` is [V, dim]; ``a``, ``b``, ``c`` are row indices.  The answer
    is the row, other than a, b and c, with the largest cosine similarity to
    unit(b) - unit(a) + unit(c) (every vector scaled to length 1 first, as
    gensim's ``most_similar`` does).
    """
    rng = np.random.default_rng(9)
    cases = []
    for label, V, dim in [("12 words in 4 dimensions", 12, 4), ("30 words in 6 dimensions", 30, 6),
                          ("50 words in 3 dimensions", 50, 3), ("20 words in 8 dimensions", 20, 8)]:
        for _ in range(200):      # draw until the plausible mistakes give other answers than the right one
            vectors = np.round(rng.normal(size=(V, dim)) * rng.uniform(0.2, 5.0, size=(V, 1)), 3)
            a, b, c = (int(k) for k in rng.choice(V, size=3, replace=False))
            right = _best(_analogy_scores(vectors, a, b, c), (a, b, c))
            wrongs = {_best(_analogy_scores(vectors, a, b, c), ()),
                      _best(_analogy_scores(vectors, a, b, c, normalise=False), (a, b, c)),
                      _best(_analogy_scores(vectors, a, b, c, sign=-1.0), (a, b, c))}
            if right not in wrongs and len(wrongs) == 3:
                break
        cases.append(dict(label=label, args=(vectors, a, b, c), expected=np.array(float(right)),
                          shape_desc="one row index", vectors=vectors, a=a, b=b, c=c, tol=(0.0, 0.0)))

    def convert(out):
        if isinstance(out, (bool, np.bool_)):
            raise _Reject(f"it is {_kind(out)}; return the index of the answer word, an int")
        arr, problem = _as_float_array(out)
        if problem:
            raise _Reject(problem)
        if arr.size != 1:
            raise _Reject(f"it is {_kind(out)}; return ONE index, an int, not the scores of every word")
        if not float(arr.reshape(())).is_integer():
            raise _Reject(f"it is {float(arr.reshape(())):.10g}; an index is a whole number: return an int")
        return arr.reshape(())

    def diagnose(case, out, expected):
        v, a, b, c = np.array(case["vectors"]), case["a"], case["b"], case["c"]
        value = float(out)
        if value in (a, b, c):
            return "you returned one of the query words: exclude a, b and c from the search."
        if value == _best(_analogy_scores(v, a, b, c, normalise=False), (a, b, c)):
            return "scale every vector to unit length before the arithmetic, then rank by cosine similarity."
        if value == _best(_analogy_scores(v, a, b, c, sign=-1.0), (a, b, c)):
            return "the target is b - a + c (king - man + woman for man : king :: woman : ?), not a - b + c."
        if value == _best(-_analogy_scores(v, a, b, c), (a, b, c)):
            return "rank by the LARGEST cosine similarity, not the smallest."
        return None

    return run_cases("ex9-4", fn, cases, diagnose, quiet, convert=convert)
