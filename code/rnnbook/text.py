"""Text as sequences: tokenizers, a vocabulary, one-hot codes, n-grams and a Markov chain.

A document becomes a sequence of symbols (characters or words); a
:class:`Vocabulary` maps each symbol to an integer id; :func:`one_hot` turns ids
into vectors, giving the ``[batch, steps, features]`` tensors of the book.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "tokenize_words",
    "tokenize_chars",
    "Vocabulary",
    "one_hot",
    "ngrams",
    "count_ngrams",
    "CharMarkovChain",
]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _check_str(name: str, value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    return value


def tokenize_words(text: str) -> list[str]:
    """Lower-case word tokens: runs of letters and digits (an apostrophe suffix is kept).

    >>> tokenize_words("It's NOT the worst restaurant, not by a long way!")
    ["it's", 'not', 'the', 'worst', 'restaurant', 'not', 'by', 'a', 'long', 'way']
    """
    return _WORD.findall(_check_str("text", text).lower())


def tokenize_chars(text: str, lower: bool = True) -> list[str]:
    """One token per character; runs of whitespace collapse to a single space."""
    text = re.sub(r"\s+", " ", _check_str("text", text)).strip()
    return list(text.lower() if lower else text)


class Vocabulary:
    """A two-way map between symbols and integer ids, with special tokens first.

    Parameters
    ----------
    tokens : iterable of str
        The training tokens; each distinct one gets an id, the most frequent first
        (ties broken alphabetically, so the ids are deterministic).
    specials : sequence of str
        Reserved symbols placed at ids 0, 1, ... in this order.  The default
        ``("<pad>", "<unk>")`` puts padding at id 0, which Keras masking expects.
    min_count : int
        Tokens seen fewer times map to ``"<unk>"`` (if it is among the specials).

    Examples
    --------
    >>> v = Vocabulary("a b a c".split())
    >>> v.encode(["a", "c", "zzz"]), v.decode([2, 4])
    ([2, 4, 1], ['a', 'c'])
    """

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = ("<pad>", "<unk>"), min_count: int = 1):
        if isinstance(tokens, str):
            raise TypeError("tokens must be an iterable of str tokens, got a single str (split it first)")
        if not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
        counts = Counter(tokens)
        bad = [t for t in counts if not isinstance(t, str)]
        if bad:
            raise TypeError(f"tokens must be str, got {type(bad[0]).__name__} ({bad[0]!r})")
        self.specials = tuple(specials)
        self.counts = counts
        kept = sorted((t for t, c in counts.items() if c >= min_count and t not in self.specials),
                      key=lambda t: (-counts[t], t))
        self.itos: list[str] = list(self.specials) + kept
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        return f"Vocabulary(size={len(self)}, specials={self.specials})"

    @property
    def unk_id(self) -> int | None:
        return self.stoi.get("<unk>")

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Ids of ``tokens``; unknown tokens get the ``<unk>`` id (KeyError if there is none)."""
        if isinstance(tokens, str):
            raise TypeError("encode expects a sequence of tokens, got a single str (tokenize it first)")
        out = []
        for t in tokens:
            i = self.stoi.get(t, self.unk_id)
            if i is None:
                raise KeyError(f"token {t!r} is not in the vocabulary and there is no '<unk>' special")
            out.append(i)
        return out

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens for ``ids``."""
        out = []
        for i in ids:
            if not isinstance(i, (int, np.integer)) or not 0 <= int(i) < len(self):
                raise ValueError(f"ids must be ints in [0, {len(self)}), got {i!r}")
            out.append(self.itos[int(i)])
        return out


def one_hot(ids, depth: int) -> np.ndarray:
    """One-hot vectors: an array of ids of any shape ``S`` becomes ``S + (depth,)``, float32.

    >>> one_hot([[0, 2]], depth=3).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be an int >= 1, got {depth!r}")
    a = np.asarray(ids)
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"ids must be integers, got dtype {a.dtype}")
    if a.size and (a.min() < 0 or a.max() >= depth):
        raise ValueError(f"ids must lie in [0, {depth}), got values from {a.min()} to {a.max()}")
    return np.eye(depth, dtype=np.float32)[a.astype(np.int64)]


def ngrams(tokens: Sequence, n: int) -> list[tuple]:
    """All contiguous n-grams of a sequence, in order.

    >>> ngrams("abcd", 2)
    [('a', 'b'), ('b', 'c'), ('c', 'd')]
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    seq = list(tokens)
    return [tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)]


def count_ngrams(documents: Iterable[Sequence], n: int) -> Counter:
    """Count n-grams over many documents (n-grams never span two documents)."""
    counts: Counter = Counter()
    for doc in documents:
        counts.update(ngrams(doc, n))
    return counts


class CharMarkovChain:
    """A character-level Markov chain of order ``k``: P(next char | previous k chars).

    Probabilities are add-``alpha`` smoothed counts, so every character of the
    alphabet keeps a non-zero probability.  A context never seen in training
    *backs off* to its longest suffix that was seen (down to the unigram
    distribution), instead of falling back to a uniform guess.  Text is padded
    on the left with start symbols (``"\x02"``) so the first characters have a context too.

    Parameters
    ----------
    order : int
        k, how many previous characters condition the next (>= 0; 0 is a unigram model).
    alpha : float
        Additive smoothing (> 0).
    """

    START = "\x02"

    def __init__(self, order: int = 3, alpha: float = 0.1):
        if isinstance(order, bool) or not isinstance(order, int) or order < 0:
            raise ValueError(f"order must be an int >= 0, got {order!r}")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
            raise ValueError(f"alpha must be a number > 0, got {alpha!r}")
        self.order = order
        self.alpha = float(alpha)
        self.counts: dict[str, Counter] = {}
        self.alphabet: list[str] = []

    def fit(self, text: str) -> "CharMarkovChain":
        """Count every (context, next character) pair in ``text``, for all context lengths 0..k."""
        _check_str("text", text)
        if not text:
            raise ValueError("text must not be empty")
        self.alphabet = sorted(set(text))
        self._index = {ch: i for i, ch in enumerate(self.alphabet)}
        padded = self.START * self.order + text
        self.counts = {}
        for i, ch in enumerate(text):
            ctx = padded[i:i + self.order]
            for j in range(self.order + 1):  # ctx[j:] runs from the full context down to ""
                self.counts.setdefault(ctx[j:], Counter())[ch] += 1
        self._totals = {c: sum(v.values()) for c, v in self.counts.items()}
        return self

    def _require_fit(self):
        if not self.alphabet:
            raise RuntimeError("call fit(text) before using the model")

    def _context(self, history: str) -> str:
        """The longest suffix (at most ``order`` characters) of the padded history seen in training."""
        ctx = (self.START * self.order + history)[len(history):] if self.order else ""
        while ctx not in self.counts:
            ctx = ctx[1:]
        return ctx

    def _prob(self, ctx: str, char: str) -> float:
        return (self.counts[ctx].get(char, 0) + self.alpha) / (self._totals[ctx] + self.alpha * len(self.alphabet))

    def prob(self, context: str, char: str) -> float:
        """Smoothed P(char | the last ``order`` characters of ``context``), with back-off."""
        self._require_fit()
        _check_str("context", context)
        return self._prob(self._context(context[-self.order:] if self.order else ""), _check_str("char", char))

    def log_likelihood(self, text: str) -> float:
        """Mean natural-log probability per character of ``text`` (higher is better).

        A character never seen in training gets the smoothed probability of an
        unseen symbol, ``alpha / (count + alpha * V)``.
        """
        self._require_fit()
        _check_str("text", text)
        if not text:
            raise ValueError("text must not be empty")
        padded = self.START * self.order + text
        total = 0.0
        for i, ch in enumerate(text):
            total += math.log(self._prob(self._context(padded[i:i + self.order]), ch))
        return total / len(text)

    def sample(self, length: int, seed: int = 0, prompt: str = "") -> str:
        """Generate ``length`` characters after ``prompt``, drawing each from P(· | context)."""
        self._require_fit()
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise ValueError(f"length must be an int >= 0, got {length!r}")
        rng = np.random.default_rng(seed)
        out = _check_str("prompt", prompt)
        for _ in range(length):
            ctx = self._context(out[-self.order:] if self.order else "")
            p = np.array([self._prob(ctx, ch) for ch in self.alphabet])
            out += self.alphabet[rng.choice(len(self.alphabet), p=p / p.sum())]
        return out
