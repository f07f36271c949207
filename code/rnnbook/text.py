"""Text as sequences: tokenizers, a vocabulary, one-hot codes, bags of words, TF-IDF, n-grams and a Markov chain.

A document becomes a sequence of symbols (characters or words); a
:class:`Vocabulary` maps each symbol to an integer id; :func:`one_hot` turns ids
into vectors, giving the ``[batch, steps, features]`` tensors of the book.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from ._validate import check_bool, check_int, check_number, check_seed, check_str, type_name

__all__ = [
    "tokenize_words",
    "tokenize_chars",
    "Vocabulary",
    "one_hot",
    "bag_of_words",
    "tfidf",
    "ngrams",
    "count_ngrams",
    "CharMarkovChain",
    "KneserNeyChain",
    "corpus_bleu",
    # sequence pairs (chapters 11-12)
    "SEQ2SEQ_SPECIALS",
    "PairArrays",
    "encode_pairs",
]

#: A word: a run of lower-case letters and digits, with an optional apostrophe suffix ("it's").
#: The one definition of a word in the package; :mod:`rnnbook.data` tokenizes with it too.
# letters and digits of any script ([^\W_]: a word character that is not "_"), so "naïve café" is two words
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def tokenize_words(text: str) -> list[str]:
    """Lower-case word tokens: runs of letters and digits of any script (an apostrophe suffix is kept).

    >>> tokenize_words("It's NOT the worst restaurant, not by a long way!")
    ["it's", 'not', 'the', 'worst', 'restaurant', 'not', 'by', 'a', 'long', 'way']
    >>> tokenize_words("A naïve café, Amélie's clichés")
    ['a', 'naïve', 'café', "amélie's", 'clichés']
    """
    return _WORD.findall(check_str("text", text).lower())


def tokenize_chars(text: str, lower: bool = True) -> list[str]:
    """One token per character; runs of whitespace collapse to a single space."""
    text = re.sub(r"\s+", " ", check_str("text", text)).strip()
    return list(text.lower() if check_bool("lower", lower) else text)


class Vocabulary:
    """A two-way map between symbols and integer ids, with special tokens first.

    Parameters
    ----------
    tokens : iterable of str
        The training tokens; each distinct one gets an id, the most frequent first
        (ties broken alphabetically, so the ids are deterministic).
    specials : sequence of str
        Reserved symbols placed at ids 0, 1, ... in this order, all distinct.
        The default ``("<pad>", "<unk>")`` puts padding at id 0, which Keras
        masking expects.  A single str is refused: write ``("<pad>",)``.
    min_count : int
        Tokens seen fewer times map to ``"<unk>"`` (if it is among the specials).

    Raises
    ------
    TypeError
        If ``tokens`` is a single str or holds a non-str, if ``specials`` is a
        str or holds a non-str, or if ``min_count`` is not an int.
    ValueError
        If ``specials`` repeats a symbol, or ``min_count`` < 1.

    Examples
    --------
    >>> v = Vocabulary("a b a c".split())
    >>> v.encode(["a", "c", "zzz"]), v.decode([2, 4])
    ([2, 4, 1], ['a', 'c'])
    """

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = ("<pad>", "<unk>"), min_count: int = 1):
        if isinstance(tokens, str):
            raise TypeError("tokens must be an iterable of str tokens, got a single str (split it first)")
        min_count = check_int("min_count", min_count, minimum=1)
        self.specials = _check_specials(specials)
        counts = Counter(tokens)
        bad = [t for t in counts if not isinstance(t, str)]
        if bad:
            raise TypeError(f"tokens must be str, got {type(bad[0]).__name__} ({bad[0]!r})")
        self.counts = counts
        self.itos, self.stoi = self._ids(counts, self.specials, min_count)

    @staticmethod
    def _ids(counts: Counter, specials: tuple, min_count: int) -> tuple[list, dict]:
        """The specials first, then every token seen at least ``min_count`` times, most frequent first."""
        kept = [t for t, c in counts.items() if c >= min_count and t not in specials]
        # most frequent first; ties alphabetical, so the ids are deterministic
        kept.sort(key=lambda t: (-counts[t], t))
        itos = list(specials) + kept
        return itos, {t: i for i, t in enumerate(itos)}

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
        """Ids of ``tokens``; unknown tokens get the ``<unk>`` id (KeyError if there is none).

        Raises
        ------
        TypeError
            If ``tokens`` is a single str, or holds anything but str (ids are
            decoded with :meth:`decode`, not encoded).
        KeyError
            For a token outside the vocabulary when there is no ``"<unk>"``.
        """
        if isinstance(tokens, str):
            raise TypeError("encode expects a sequence of tokens, got a single str (tokenize it first)")
        out = []
        for pos, t in enumerate(tokens):
            if not isinstance(t, str):
                raise TypeError(f"tokens must be str; got {type_name(t)} ({t!r}) at position {pos} "
                                "(to turn ids into tokens, use decode)")
            i = self.stoi.get(t, self.unk_id)
            if i is None:
                raise KeyError(f"token {t!r} is not in the vocabulary and there is no '<unk>' special")
            out.append(i)
        return out

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens for ``ids``.

        Raises
        ------
        TypeError
            If ``ids`` is a str, or holds anything but ints (NumPy ints are fine).
        ValueError
            For an id outside ``[0, len(self))``.
        """
        if isinstance(ids, str):
            raise TypeError("decode expects a sequence of int ids, got a str (to turn tokens into ids, use encode)")
        out = []
        for i in ids:
            if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
                raise TypeError(f"ids must be ints in [0, {len(self)}), got {type_name(i)} ({i!r})")
            if not 0 <= int(i) < len(self):
                raise ValueError(f"ids must be ints in [0, {len(self)}), got {i!r}")
            out.append(self.itos[int(i)])
        return out


def one_hot(ids, depth: int) -> np.ndarray:
    """One-hot vectors: an array of ids of any shape ``S`` becomes ``S + (depth,)``, float32.

    Only the result is allocated (not a ``depth x depth`` identity matrix), so a
    large vocabulary costs nothing extra.

    >>> one_hot([[0, 2]], depth=3).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]

    Raises
    ------
    TypeError
        If ``depth`` is not an int, or ``ids`` does not hold integers.
    ValueError
        If ``depth`` < 1, ``ids`` is ragged, or an id lies outside ``[0, depth)``.
    """
    depth = check_int("depth", depth, minimum=1)
    if isinstance(ids, (str, bytes)):
        raise TypeError(
            f"ids must be integers; got {type_name(ids)} (encode the tokens first)"
        )
    try:
        a = np.asarray(ids)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise ValueError(
            "ids must be a rectangular array of integers; "
            f"got a ragged {type_name(ids)}"
        ) from err
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"ids must be integers, got dtype {a.dtype}")
    if a.size and (a.min() < 0 or a.max() >= depth):
        raise ValueError(
            f"ids must lie in [0, {depth}), got values from {a.min()} to {a.max()}"
        )
    return _one_hot(a, depth)


def _one_hot(ids: np.ndarray, depth: int) -> np.ndarray:
    """:func:`one_hot` once its arguments are checked: a 1 in column ``id`` of each row, 0 elsewhere."""
    flat = ids.astype(np.int64).reshape(-1)
    out = np.zeros((flat.size, depth), dtype=np.float32)
    out[np.arange(flat.size), flat] = 1.0
    return out.reshape(ids.shape + (depth,))


def _check_docs(docs) -> list[list[str]]:
    """``docs`` as a list of token lists, refusing a str (or a document that is a str) and non-str tokens."""
    if isinstance(docs, (str, bytes)):
        raise TypeError("docs must be a list of token lists; got a single str (tokenize it and pass [tokens])")
    try:
        docs = list(docs)
    except TypeError:
        raise TypeError(f"docs must be a list of token lists; got {type_name(docs)}") from None
    out = []
    for pos, doc in enumerate(docs):
        if isinstance(doc, (str, bytes)):
            raise TypeError(f"docs must be a list of token lists; got a str ({doc[:20]!r}) at position {pos}: "
                            "tokenize each document first")
        try:
            doc = list(doc)
        except TypeError:
            raise TypeError(f"docs must be a list of token lists; got {type_name(doc)} at position {pos}") from None
        for t in doc:
            if not isinstance(t, str):
                raise TypeError(f"tokens must be str; got {type_name(t)} ({t!r}) in document {pos}")
        out.append(doc)
    return out


def bag_of_words(docs, vocab: Vocabulary) -> np.ndarray:
    """Token counts: one row per document, one column per id of ``vocab``, [n_docs, len(vocab)].

    Order is lost: a document becomes how often each vocabulary entry occurs in
    it.  Tokens outside the vocabulary are counted in the ``<unk>`` column
    (KeyError if ``vocab`` has none).

    >>> v = Vocabulary("not bad not".split())
    >>> bag_of_words([["not", "bad"], ["bad", "film"]], v).tolist()
    [[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]]
    """
    docs = _check_docs(docs)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary; got {type_name(vocab)}")
    counts = np.zeros((len(docs), len(vocab)))
    for row, doc in enumerate(docs):
        np.add.at(counts[row], vocab.encode(doc), 1.0)
    return counts


def tfidf(docs, smooth_idf: bool = True, sublinear_tf: bool = False,
          norm: str | None = "l2") -> tuple[np.ndarray, list[str]]:
    """TF-IDF weights of tokenised documents, as scikit-learn's ``TfidfVectorizer`` computes them.

    For term t and document d, with n documents of which df(t) contain t:

    - tf(t, d) is the count of t in d, or 1 + ln(count) if ``sublinear_tf`` (0 stays 0);
    - idf(t) = ln((1 + n) / (1 + df(t))) + 1 if ``smooth_idf``, else ln(n / df(t)) + 1;
    - each row tf · idf is divided by its L2 or L1 norm (``norm``), or left as it is (``None``).

    Parameters
    ----------
    docs : list of lists of str
        The documents, already tokenised.
    smooth_idf : bool
        Add one to n and to every df, as if one extra document held every term.
    sublinear_tf : bool
        Replace a count c by 1 + ln c, so that repeating a word adds less and less.
    norm : {"l2", "l1", None}
        Row normalisation.

    Returns
    -------
    matrix : ndarray, shape [n_docs, n_terms]
    vocabulary : list of str
        The distinct terms, sorted; column j of ``matrix`` belongs to ``vocabulary[j]``.

    Raises
    ------
    TypeError
        If ``docs`` is a str or holds a str document or a non-str token, or a flag is not a bool.
    ValueError
        If ``norm`` is not "l2", "l1" or None, or the documents hold no token at all.
    """
    docs = _check_docs(docs)
    smooth_idf = check_bool("smooth_idf", smooth_idf)
    sublinear_tf = check_bool("sublinear_tf", sublinear_tf)
    if norm is not None and (not isinstance(norm, str) or norm not in ("l2", "l1")):
        raise ValueError(f"norm must be 'l2', 'l1' or None; got {norm!r}")
    if not any(docs):
        raise ValueError(
            f"docs must hold at least one token; got {len(docs)} empty document(s)"
        )
    return _tfidf(docs, smooth_idf, sublinear_tf, norm)


def _tfidf(docs: list[list[str]], smooth_idf: bool, sublinear_tf: bool,
           norm: str | None) -> tuple[np.ndarray, list[str]]:
    """:func:`tfidf` once its arguments are checked: counts, idf weights, row norms."""
    vocabulary = sorted({t for doc in docs for t in doc})
    column = {t: j for j, t in enumerate(vocabulary)}
    tf = np.zeros((len(docs), len(vocabulary)))
    for row, doc in enumerate(docs):
        np.add.at(tf[row], [column[t] for t in doc], 1.0)

    n, df = len(docs), (tf > 0).sum(axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1 if smooth_idf else np.log(n / df) + 1
    if sublinear_tf:
        tf[tf > 0] = 1 + np.log(tf[tf > 0])
    x = tf * idf
    if norm is not None:
        size = (
            np.sqrt((x ** 2).sum(axis=1)) if norm == "l2" else np.abs(x).sum(axis=1)
        )
        x = x / np.where(size > 0, size, 1.0)[:, None]
    return x, vocabulary


def _check_specials(specials) -> tuple[str, ...]:
    """The special tokens as a tuple of distinct str, refusing a bare str (``"<pad>"`` is not five specials)."""
    if isinstance(specials, str):
        raise TypeError(f"specials must be a sequence of str tokens, e.g. ({specials!r},); "
                        f"got a single str {specials!r}")
    try:
        out = tuple(specials)
    except TypeError:
        raise TypeError(f"specials must be a sequence of str tokens; got {type_name(specials)}") from None
    for pos, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"specials must hold str tokens; got {type_name(t)} ({t!r}) at position {pos}")
    dup = sorted({t for t in out if out.count(t) > 1})
    if dup:
        raise ValueError(f"specials must be distinct; got {list(out)} with {dup} repeated")
    return out


def ngrams(tokens: Sequence, n: int) -> list[tuple]:
    """All contiguous n-grams of a sequence, in order.

    >>> ngrams("abcd", 2)
    [('a', 'b'), ('b', 'c'), ('c', 'd')]
    """
    n = check_int("n", n, minimum=1)
    try:
        seq = list(tokens)
    except TypeError:
        raise TypeError(f"tokens must be a sequence; got {type_name(tokens)}") from None
    return [tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)]


def count_ngrams(documents: Iterable[Sequence], n: int) -> Counter:
    """Count n-grams over many documents (n-grams never span two documents).

    Parameters
    ----------
    documents : iterable of token lists
        Each document is a list (or tuple, ...) of tokens, e.g. the output of
        :func:`rnnbook.data.load_lee_documents`.  For a single document, pass
        ``[tokens]``.
    n : int
        The n-gram length (>= 1).

    Raises
    ------
    TypeError
        If ``documents`` is a str, or one of its documents is a str (a single
        token list passed as ``documents`` would otherwise count the
        characters of each token).
    ValueError
        If ``n`` < 1.
    """
    n = check_int("n", n, minimum=1)
    if isinstance(documents, str):
        raise TypeError("documents must be a list of token lists; got a single str (tokenize it and pass [tokens])")
    counts: Counter = Counter()
    for pos, doc in enumerate(documents):
        if isinstance(doc, str):
            raise TypeError(f"documents must be a list of token lists; got a str ({doc[:20]!r}) at position {pos}: "
                            "for a single document's tokens, pass [tokens]")
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
        self.order = check_int("order", order, minimum=0)
        self.alpha = check_number("alpha", alpha, 0, low_open=True)
        self.counts: dict[str, Counter] = {}
        self.alphabet: list[str] = []

    def fit(self, text: str) -> "CharMarkovChain":
        """Count every (context, next character) pair in ``text``, for all context lengths 0..k."""
        check_str("text", text, nonempty=True)
        self.alphabet = sorted(set(text))
        self._index = {ch: i for i, ch in enumerate(self.alphabet)}
        padded = self.START * self.order + text
        self.counts = defaultdict(Counter)
        for j in range(self.order + 1):  # contexts of length k - j: k, ..., 1, 0
            # every (context, next character) pair of this length, counted at once
            grams = Counter(padded[i + j:i + self.order + 1] for i in range(len(text)))
            for gram, count in grams.items():
                self.counts[gram[:-1]][gram[-1]] = count
        self.counts = dict(self.counts)
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
        return (self.counts[ctx].get(char, 0) + self.alpha) / (
            self._totals[ctx] + self.alpha * len(self.alphabet)
        )

    def prob(self, context: str, char: str) -> float:
        """Smoothed P(char | the last ``order`` characters of ``context``), with back-off.

        Raises
        ------
        TypeError
            If ``context`` or ``char`` is not a str.
        ValueError
            If ``char`` is not exactly one character.
        """
        self._require_fit()
        check_str("context", context)
        if len(check_str("char", char)) != 1:
            raise ValueError(f"char must be a single character; got a str of length {len(char)} ({char[:20]!r})")
        return self._prob(self._context(context[-self.order:] if self.order else ""), char)

    def log_likelihood(self, text: str) -> float:
        """Mean natural-log probability per character of ``text`` (higher is better).

        A character never seen in training gets the smoothed probability of an
        unseen symbol, ``alpha / (count + alpha * V)``.
        """
        self._require_fit()
        check_str("text", text, nonempty=True)
        padded = self.START * self.order + text
        total = 0.0
        for i, ch in enumerate(text):
            total += math.log(self._prob(self._context(padded[i:i + self.order]), ch))
        return total / len(text)

    def sample(self, length: int, seed: int = 0, prompt: str = "") -> str:
        """Generate ``length`` characters after ``prompt``, drawing each from P(· | context)."""
        self._require_fit()
        length = check_int("length", length, minimum=0)
        seed = check_seed("seed", seed)
        out = check_str("prompt", prompt)
        rng = np.random.default_rng(seed)
        for _ in range(length):
            ctx = self._context(out[-self.order:] if self.order else "")
            p = np.array([self._prob(ctx, ch) for ch in self.alphabet])
            out += self.alphabet[rng.choice(len(self.alphabet), p=p / p.sum())]
        return out


class KneserNeyChain:
    """A character n-gram model with interpolated Kneser-Ney smoothing: the standard n-gram baseline.

    P(c | h) for a context h of ``order`` characters discounts every seen count by
    ``discount`` and gives the mass saved to the next shorter context, recursively
    down to a uniform guess (Chen & Goodman's interpolated Kneser-Ney):

        P(c | h) = max(n(h c) - D, 0) / n(h) + D * T(h) / n(h) * P(c | h[1:])

    where n(h c) is how often h is followed by c and T(h) how many different
    characters follow h.  The highest order counts occurrences; every lower order
    counts *continuations*, the number of different characters that precede h c, so
    that a character that only ever follows one context ("q" before "u") gets little
    weight where that context is absent.  A context never seen backs off entirely to
    its suffix.  The uniform guess at the bottom covers the alphabet and one symbol for
    every character the training text lacks, so the probabilities of the alphabet and
    of "unknown" sum to 1 in every context.  Same contract as :class:`CharMarkovChain`:
    ``fit(text)``, ``prob(context, char)``, ``log_likelihood(text)``.

    Parameters
    ----------
    order : int
        k, how many previous characters condition the next (>= 1).
    discount : float
        D, subtracted from every count (0 < D < 1; 0.75 is the usual choice).
    """

    START = "\x02"

    def __init__(self, order: int = 5, discount: float = 0.75):
        self.order = check_int("order", order, minimum=1)
        self.discount = check_number("discount", discount, 0, 1, low_open=True, high_open=True)
        self.alphabet: list[str] = []

    def fit(self, text: str) -> "KneserNeyChain":
        """Count, for every context length, what follows each context (occurrences at the top, continuations below)."""
        check_str("text", text, nonempty=True)
        k = self.order
        self.alphabet = sorted(set(text))
        padded = self.START * k + text
        n = len(text)
        # the top order counts occurrences: the (k + 1)-grams ending at each character of the text
        top: dict[str, dict] = defaultdict(dict)
        for gram, count in Counter(padded[i:i + k + 1] for i in range(n)).items():
            top[gram[:-1]][gram[-1]] = count
        # lower orders count continuations: a context h of length j < k followed by c counts the
        # different characters that precede h c, i.e. the different (j + 2)-grams ending in h c
        lower: dict[str, dict] = defaultdict(dict)
        for j in range(k):
            for gram, preds in Counter(g[1:] for g in {padded[i + k - j - 1:i + k + 1] for i in range(n)}).items():
                lower[gram[:-1]][gram[-1]] = preds
        # per context: (counts, total, number of different next characters)
        self._levels = {ctx: (c, sum(c.values()), len(c)) for ctx, c in lower.items()}
        self._levels.update({("top", ctx): (c, sum(c.values()), len(c)) for ctx, c in top.items()})
        return self

    def _require_fit(self):
        if not self.alphabet:
            raise RuntimeError("call fit(text) before using the model")

    def _p(self, history: str, char: str) -> float:
        """P(char | the padded history's last ``order`` characters), by interpolation from the bottom up."""
        p = 1.0 / (len(self.alphabet) + 1)          # uniform over the alphabet and "unknown"
        k, d = self.order, self.discount
        for j in range(k + 1):                       # contexts of length 0, 1, ..., k
            ctx = history[len(history) - j:] if j else ""
            level = self._levels.get(("top", ctx) if j == k else ctx)
            if level is None:                        # never seen: everything backs off to the suffix
                continue
            counts, total, types = level
            p = max(counts.get(char, 0) - d, 0.0) / total + d * types / total * p
        return p

    def prob(self, context: str, char: str) -> float:
        """P(char | the last ``order`` characters of ``context``); a character outside the alphabet is "unknown"."""
        self._require_fit()
        check_str("context", context)
        if len(check_str("char", char)) != 1:
            raise ValueError(f"char must be a single character; got a str of length {len(char)} ({char[:20]!r})")
        return self._p((self.START * self.order + context)[-self.order:], char)

    def log_likelihood(self, text: str) -> float:
        """Mean natural-log probability per character of ``text`` (higher is better)."""
        self._require_fit()
        check_str("text", text, nonempty=True)
        padded = self.START * self.order + text
        k = self.order
        return sum(math.log(self._p(padded[i:i + k], ch)) for i, ch in enumerate(text)) / len(text)


# --------------------------------------------------------------------------- BLEU (chapter 13)
def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str], max_n: int = 4) -> float:
    """Corpus BLEU (Papineni et al. 2002) of space-separated token strings, from 0 to 100.

    One reference per hypothesis.  For n = 1..max_n, the *clipped precision*
    p_n is the number of the hypotheses' n-grams that also occur in their
    reference (each counted at most as often as it occurs there), summed over
    the corpus, divided by the number of the hypotheses' n-grams.  With c the
    hypotheses' total length and r the references', the brevity penalty is
    BP = 1 if c > r, else exp(1 - r / c), and

        BLEU = 100 * BP * exp(mean over n of log p_n)        (0 if any p_n is 0)

    The tokens are the space-separated words, as they are: this is sacrebleu's
    ``corpus_bleu(hypotheses, [references], tokenize="none", smooth_method="none")``.
    """
    for name, value in (("hypotheses", hypotheses), ("references", references)):
        if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{name} must be a list of str (one sentence each); got {type_name(value)}")
    if len(hypotheses) != len(references) or not references:
        raise ValueError(f"give one reference per hypothesis, at least one; got {len(hypotheses)} hypotheses "
                         f"and {len(references)} references")
    max_n = check_int("max_n", max_n, minimum=1)
    return _corpus_bleu([h.split() for h in hypotheses], [r.split() for r in references], max_n)


def _corpus_bleu(hypotheses, references, max_n):
    matches, totals = np.zeros(max_n), np.zeros(max_n)
    for hyp, ref in zip(hypotheses, references):
        for n in range(1, max_n + 1):
            h, r = Counter(ngrams(hyp, n)), Counter(ngrams(ref, n))
            # clipped by the reference
            matches[n - 1] += sum(min(count, r[g]) for g, count in h.items())
            totals[n - 1] += max(len(hyp) - n + 1, 0)
    c, r = sum(map(len, hypotheses)), sum(map(len, references))
    if c == 0 or (matches == 0).any():
        return 0.0
    brevity = 1.0 if c > r else math.exp(1 - r / c)
    return 100 * brevity * math.exp(np.mean(np.log(matches / totals)))


# --------------------------------------------------------------------------- sequence pairs (chapters 11-12)
#: The special tokens of an encoder-decoder's vocabularies, at ids 0-3.
SEQ2SEQ_SPECIALS = ("<pad>", "<unk>", "<bos>", "<eos>")


class PairArrays:
    """Encoded (source, target) pairs for an encoder-decoder, as three int arrays.

    ``source`` [n, source_length] is padded on the left (the encoder's last
    state follows the last real character); ``decoder_input`` [n, target_length]
    is BOS followed by the target; ``target`` [n, target_length] is the target
    followed by EOS.  Both target arrays are padded on the right.
    """

    def __init__(self, source: np.ndarray, decoder_input: np.ndarray, target: np.ndarray):
        self.source, self.decoder_input, self.target = source, decoder_input, target

    def __len__(self) -> int:
        return len(self.source)

    def __repr__(self) -> str:
        return (f"PairArrays(source {self.source.shape}, decoder_input {self.decoder_input.shape}, "
                f"target {self.target.shape})")


def _is_tokens(value) -> bool:
    return isinstance(value, str) or (isinstance(value, (list, tuple)) and all(isinstance(t, str) for t in value))


def encode_pairs(pairs, source_vocab: Vocabulary, target_vocab: Vocabulary, *, source_length: int,
                 target_length: int, reverse_source: bool = False) -> PairArrays:
    """Turn (source, target) pairs into the id arrays an encoder-decoder trains on.

    A str is read character by character; a list of str tokens (words) token by token.

    Parameters
    ----------
    pairs : sequence of (str, str) or of (list of str, list of str)
    source_vocab, target_vocab : Vocabulary
        Character (or word) vocabularies whose specials are :data:`SEQ2SEQ_SPECIALS`.
    source_length : int
        Columns of ``source``; a longer source is an error, not silently cut.
    target_length : int
        Columns of the target arrays: the longest target plus one (for BOS or EOS).
    reverse_source : bool
        Feed each source back to front (Sutskever et al. 2014).

    Returns
    -------
    PairArrays

    Raises
    ------
    TypeError
        If ``pairs`` is not a sequence of two-string tuples or a vocabulary is not a Vocabulary.
    ValueError
        If a vocabulary lacks the specials, or a source or target is too long.
    """
    if isinstance(pairs, str) or not isinstance(pairs, Sequence) or not pairs:
        raise TypeError(f"pairs must be a non-empty list of (source, target) string pairs; got {type_name(pairs)}")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(_is_tokens(s) for s in pair)):
            raise TypeError(f"pairs[{i}] must be a (source, target) tuple of two str, or of two lists of str "
                            f"tokens; got {pair!r:.60}")
    for name, vocab in (("source_vocab", source_vocab), ("target_vocab", target_vocab)):
        if not isinstance(vocab, Vocabulary):
            raise TypeError(f"{name} must be a rnnbook.text.Vocabulary; got {type_name(vocab)}")
        if vocab.itos[:4] != list(SEQ2SEQ_SPECIALS):
            raise ValueError(f"{name} must start with the specials {SEQ2SEQ_SPECIALS}; got {tuple(vocab.itos[:4])}")
    source_length = check_int("source_length", source_length, minimum=1)
    target_length = check_int("target_length", target_length, minimum=2)
    check_bool("reverse_source", reverse_source)
    n = len(pairs)
    source = np.zeros((n, source_length), dtype=np.int32)
    decoder_input = np.zeros((n, target_length), dtype=np.int32)
    target = np.zeros((n, target_length), dtype=np.int32)
    bos, eos = target_vocab.stoi["<bos>"], target_vocab.stoi["<eos>"]
    for i, (src, tgt) in enumerate(pairs):
        if len(src) > source_length or len(tgt) + 1 > target_length:
            raise ValueError(f"pair {i} ({src!r}, {tgt!r}) is too long: source_length={source_length} "
                             f"and target_length={target_length} (the target plus EOS) are allowed")
        ids = source_vocab.encode(list(src))             # a str is read as characters, a list as tokens
        if reverse_source:
            ids = ids[::-1]
        if ids:
            source[i, source_length - len(ids):] = ids
        tgt_ids = target_vocab.encode(list(tgt))
        decoder_input[i, : len(tgt_ids) + 1] = [bos] + tgt_ids
        target[i, : len(tgt_ids) + 1] = tgt_ids + [eos]
    return PairArrays(source, decoder_input, target)
