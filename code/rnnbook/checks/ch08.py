"""Auto-checks of chapter 8, "From words to vectors"."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _float_array_or_reject, register_answer, run_cases

__all__ = ["encode_padded"]

# ex8-1: one-hot codes of a batch of 64 reviews of 200 tokens, vocabulary 20,000, float32
register_answer("ex8-1", 64 * 200 * 20_000 * 4, "number", rtol=1e-9, wrong=(
    (64 * 200 * 20_000, "that is the number of values; each float32 value takes 4 bytes."),
    (64 * 200 * 20_000 * 8, "float32 values take 4 bytes each, not 8 (that is float64)."),
    (64 * 200 * 4, "that is the size of the ids; each one-hot vector holds one value per vocabulary entry."),
    (64 * 20_000 * 4, "every one of the 200 steps of every review gets its own vector."),
    (200 * 20_000 * 4, "every review of the batch gets its own [steps, vocabulary] block."),
))

# ex8-2: the smallest n whose n-grams hold "not" with its adjective in every order review
register_answer("ex8-2", 6, "number", rtol=1e-9, wrong=(
    (5, "that is enough for the reviews with a three-word aside; some asides have four words."),
    (3, "count the aside too: between 'not' and its adjective stand three or four words."),
    (4, "an n-gram that holds both words also holds the words between them: 1 + aside + 1 tokens."),
    (2, "a bigram would need 'not' right before the adjective; the aside keeps them apart."),
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
