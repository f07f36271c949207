"""Auto-checks of chapter 8, "From words to vectors"."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _float_array_or_reject, register_answer, run_cases

__all__ = ["smooth_idf", "encode_padded"]

# ex8-1: one-hot codes of a batch of 64 reviews of 200 tokens, vocabulary 20,000, float32
register_answer("ex8-1", 64 * 200 * 20_000 * 4, "number", rtol=1e-9, wrong=(
    (64 * 200 * 20_000, "that is the number of values; each float32 value takes 4 bytes."),
    (64 * 200 * 20_000 * 8, "float32 values take 4 bytes each, not 8 (that is float64)."),
    (64 * 200 * 4, "that is the size of the ids; each one-hot vector holds one value per vocabulary entry."),
    (64 * 20_000 * 4, "every one of the 200 steps of every review gets its own vector."),
    (200 * 20_000 * 4, "every review of the batch gets its own [steps, vocabulary] block."),
))

# ex8-3: the unnormalised TF-IDF weight of "good" in "good good film" (3 documents, smooth idf)
register_answer("ex8-3", 2 * (math.log(4 / 3) + 1), "number", rtol=1e-3, wrong=(
    (2 * (math.log(3 / 2) + 1), "that is the idf without smoothing; add one to n and to the document frequency."),
    (2 * math.log2(3 / 2), "that is gensim's weighting (log base 2, no smoothing, no + 1)."),
    (math.log(4 / 3) + 1, "that is the idf alone; multiply by the term's count in the document (2)."),
    (2 * (math.log(4 / 4) + 1), "the document frequency counts documents that contain the term (2), "
                                "not occurrences (3)."),
    (2 * math.log(4 / 3), "scikit-learn adds 1 to the logarithm, so that a term found in every document keeps "
                          "a weight."),
))


# --------------------------------------------------------------------------- smooth_idf
def _idf_reference(docs, vocabulary):
    n = len(docs)
    df = np.array([sum(term in doc for doc in docs) for term in vocabulary], dtype=float)
    return np.log((1 + n) / (1 + df)) + 1


_WORDS = ["good", "bad", "plot", "film", "not", "cast", "end", "the", "slow", "fun"]


def _random_corpus() -> tuple[str, list, list]:
    """A random corpus of 3 to 6 short documents and a shuffled vocabulary with one absent term."""
    rng = np.random.default_rng(82)
    docs = [[str(w) for w in rng.choice(_WORDS[:7], size=int(rng.integers(1, 6)))]
            for _ in range(int(rng.integers(3, 7)))]
    vocab = sorted({w for d in docs for w in d}) + ["fun"]
    return "a random corpus", docs, [str(w) for w in rng.permutation(vocab)]


def smooth_idf(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(docs, vocabulary)``: the smoothed idf of each term, ln((1 + n) / (1 + df)) + 1, in vocabulary order.

    ``docs`` is a list of token lists, ``vocabulary`` a list of terms; the answer
    has one value per term.
    """
    corpora = [
        ("three short reviews", [["not", "good"], ["good", "good", "film"], ["bad", "film"]],
         ["bad", "film", "good", "not"]),
        ("a term in every document", [["the", "plot"], ["the", "the", "cast"], ["the", "end"], ["the", "plot"]],
         ["cast", "end", "plot", "the"]),
        ("a term in no document", [["a", "b"], ["b", "c", "c"]], ["a", "b", "c", "z"]),
        ("the vocabulary in another order", [["x", "y", "y"], ["y"], ["z", "x"], ["x"], ["w"]],
         ["y", "x", "w", "z"]),
        _random_corpus(),
    ]
    cases = [dict(label=label, args=(docs, vocab), expected=_idf_reference(docs, vocab),
                  shape_desc=f"one idf per term of the vocabulary, shape ({len(vocab)},)", docs=docs, vocab=vocab)
             for label, docs, vocab in corpora]

    convert = _float_array_or_reject

    def diagnose(case, out, expected):
        docs, vocab = case["docs"], case["vocab"]
        n = len(docs)
        df = np.array([sum(t in d for d in docs) for t in vocab], dtype=float)
        tf = np.array([sum(d.count(t) for d in docs) for t in vocab], dtype=float)
        if out.shape != expected.shape:
            return "return one value per term of the vocabulary, in the vocabulary's order."
        with np.errstate(divide="ignore", invalid="ignore"):
            if np.allclose(out, np.log((1 + n) / (1 + tf)) + 1):
                return "df counts the documents that contain a term, not how often it occurs in all of them."
            if np.allclose(out, np.log((1 + n) / (1 + df))):
                return "scikit-learn adds 1 after the logarithm, so that a term in every document keeps a weight."
            if np.allclose(out, np.log2((1 + n) / (1 + df)) + 1):
                return "use the natural logarithm (np.log), as scikit-learn does."
            if np.allclose(out, np.log(n / np.maximum(df, 1)) + 1):
                return "smooth: add one to n and to every document frequency."
        if np.allclose(np.sort(out), np.sort(expected)):
            return "the values are right but in the wrong order: follow the order of `vocabulary`."
        return None

    return run_cases("ex8-2", fn, cases, diagnose, quiet, convert=convert)


# --------------------------------------------------------------------------- encode_padded
def _encode_reference(token_lists, itos, steps):
    stoi = {t: i for i, t in enumerate(itos)}
    out = np.zeros((len(token_lists), steps))
    for row, tokens in enumerate(token_lists):
        ids = [stoi.get(t, 1) for t in tokens][:steps]
        out[row, :len(ids)] = ids
    return out


def _random_batch(itos: list) -> tuple[str, list, int]:
    """A random batch of 2 to 4 reviews over ``itos`` and two unknown words, and a random ``steps``."""
    rng = np.random.default_rng(84)
    words = itos[2:] + ["acting", "fine"]
    tokens = [[str(w) for w in rng.choice(words, size=int(rng.integers(1, 9)))]
              for _ in range(int(rng.integers(2, 5)))]
    return "a random batch", tokens, int(rng.integers(3, 8))


def encode_padded(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(token_lists, itos, steps)``: ids [batch, steps], unknown -> 1, right-padded with 0, cut at the end.

    ``itos`` is a list of tokens whose id is their position, with ``"<pad>"`` at 0
    and ``"<unk>"`` at 1.
    """
    itos = ["<pad>", "<unk>", "the", "not", "good", "was", "bad", "plot", "but"]
    batches = [
        ("two short reviews, padded to 5", [["the", "plot", "was", "good"], ["not", "bad"]], 5),
        ("an unknown word", [["the", "acting", "was", "bad"], ["good"]], 4),
        ("a review longer than steps", [["the", "plot", "was", "not", "good", "but", "the", "acting", "was"]], 6),
        ("lengths around steps", [["bad", "bad", "bad"], ["good", "plot"], ["the", "film", "was", "fine"]], 3),
        _random_batch(itos),
    ]
    cases = [dict(label=label, args=(tokens, itos, steps), expected=_encode_reference(tokens, itos, steps),
                  shape_desc=f"[batch, steps] = {(len(tokens), steps)}", tokens=tokens, itos=itos, steps=steps)
             for label, tokens, steps in batches]

    convert = _float_array_or_reject

    def diagnose(case, out, expected):
        tokens, steps = case["tokens"], case["steps"]
        if out.shape == expected.T.shape and out.shape != expected.shape:
            return "one row per review: [batch, steps], not [steps, batch]."
        if out.shape != expected.shape:
            return "pad or cut every review to exactly `steps` ids: an array of shape [batch, steps]."
        stoi = {t: i for i, t in enumerate(case["itos"])}
        unk_as_pad = np.zeros_like(expected)
        left = np.zeros_like(expected)
        front = np.zeros_like(expected)
        for row, toks in enumerate(tokens):
            ids = [stoi.get(t, 1) for t in toks]
            kept = [stoi.get(t, 0) for t in toks][:steps]
            unk_as_pad[row, :len(kept)] = kept
            left[row, steps - len(ids[:steps]):] = ids[:steps]
            tail = ids[-steps:]
            front[row, :len(tail)] = tail
        if np.allclose(out, unk_as_pad):
            return "an unknown token must map to <unk> (id 1), not to the padding id 0, which the mask skips."
        if np.allclose(out, left):
            return "pad at the END of each review (right padding), so that the recurrent layer reads the words first."
        if np.allclose(out, front):
            return "cut a long review at its end: keep its first `steps` tokens."
        return None

    return run_cases("ex8-4", fn, cases, diagnose, quiet, convert=convert)
