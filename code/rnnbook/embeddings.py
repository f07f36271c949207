"""Word embeddings from scratch in NumPy: word2vec (skip-gram with negative sampling) and GloVe.

:func:`train_word2vec` trains skip-gram vectors with negative sampling
(Mikolov et al., 2013) and :func:`train_glove` fits GloVe vectors to a
co-occurrence matrix built by :func:`cooccurrence_matrix` (Pennington et
al., 2014).  Both return a gensim ``KeyedVectors``, so gensim's nearest
neighbours, word-similarity and analogy evaluations apply to them unchanged;
no gensim training runs inside.

The speed comes from batching: each update handles a mini-batch of
(centre, context) pairs with a few array operations, never a Python loop
over words.  Every random draw goes through one ``numpy.random.Generator``
seeded by ``seed``, so a training run is reproducible (with one BLAS thread).

The functions shown in chapter 9 (:func:`keep_probabilities`,
:func:`noise_distribution`, :func:`skipgram_pairs`, :func:`sgns_gradients`,
:func:`sgns_update`, ``_word2vec``, :func:`glove_weight`, :func:`glove_gradients`,
:func:`glove_update`) are the readable cores; the public trainers
(:func:`train_word2vec`, :func:`train_glove`) check their arguments first.
:func:`polarity_accuracies` starts a Keras classifier from trained vectors
(through :func:`embedding_matrix`) on the polarity benchmark's folds.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ._validate import check_number, check_positive_int, check_seed, type_name

__all__ = [
    "build_vocab",
    "keep_probabilities",
    "noise_distribution",
    "skipgram_pairs",
    "sgns_loss",
    "sgns_gradients",
    "sgns_update",
    "scatter_add",
    "train_word2vec",
    "cooccurrence_matrix",
    "glove_weight",
    "glove_loss",
    "glove_gradients",
    "glove_update",
    "train_glove",
    "GloveHistory",
    "glove_history",
    "ppmi_svd",
    "load_word_pairs",
    "pair_spearman",
    "spearman_interval",
    "to_keyed_vectors",
    "embedding_matrix",
    "INITS",
    "polarity_accuracies",
    "weat",
]


# --------------------------------------------------------------------------- argument checks
def _check_sentences(sentences: object) -> list[list[str]]:
    """``sentences`` must be a sequence of sequences of str (a corpus of tokenised sentences)."""
    if isinstance(sentences, (str, bytes)) or not isinstance(sentences, Sequence):
        raise TypeError("sentences must be a list of tokenised sentences (lists of str); "
                        f"got {type_name(sentences)}")
    out = []
    for k, sentence in enumerate(sentences):
        if isinstance(sentence, (str, bytes)) or not isinstance(sentence, Sequence):
            raise TypeError(f"sentences[{k}] must be a list of str tokens; got {type_name(sentence)}")
        for token in sentence:
            if not isinstance(token, str):
                raise TypeError(f"sentences[{k}] must hold str tokens; got a {type_name(token)}")
        out.append(list(sentence))
    if not any(out):
        raise ValueError("sentences must hold at least one token; got an empty corpus")
    return out


def _check_vocab(vocab: object) -> list[str]:
    if isinstance(vocab, (str, bytes)) or not isinstance(vocab, Sequence):
        raise TypeError(f"vocab must be a list of str words; got {type_name(vocab)}")
    words = list(vocab)
    if not words or not all(isinstance(w, str) for w in words):
        raise TypeError("vocab must be a non-empty list of str words")
    if len(set(words)) != len(words):
        raise ValueError("vocab must not repeat a word")
    return words


# --------------------------------------------------------------------------- vocabulary and sampling
def build_vocab(sentences: list[list[str]], min_count: int = 5) -> tuple[list[str], np.ndarray]:
    """The words seen at least ``min_count`` times, most frequent first, and their counts.

    Ties keep the order of first appearance, as gensim's ``Word2Vec`` does.

    Returns
    -------
    words : list of str
    counts : ndarray of int64, shape (len(words),)
    """
    sentences = _check_sentences(sentences)
    min_count = check_positive_int("min_count", min_count)
    counts = Counter(token for sentence in sentences for token in sentence)
    kept = [w for w, c in counts.items() if c >= min_count]
    kept.sort(key=lambda w: -counts[w])          # stable: ties stay in order of first appearance
    if not kept:
        raise ValueError(f"no word occurs min_count={min_count} times; lower min_count")
    return kept, np.array([counts[w] for w in kept], dtype=np.int64)


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """Probability of keeping each occurrence of a word when frequent words are subsampled.

    With t = sample x (total count), a word seen c times is kept with
    probability (sqrt(c / t) + 1) t / c, capped at 1 (word2vec's C code and
    gensim); ``sample=0`` keeps everything.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample == 0:
        return np.ones_like(counts)
    t = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / t) + 1.0) * t / counts)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """The distribution negative words are drawn from: P(w) proportional to count(w) ** power."""
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def skipgram_pairs(ids: np.ndarray, sentence_ids: np.ndarray, window: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every (centre, context) pair of one pass, built with one array operation per offset.

    Each centre word draws its own window size uniformly from 1..``window``
    (so near words count more often than far ones); a pair never crosses a
    sentence boundary.  ``ids`` are the word ids of the (subsampled) corpus,
    ``sentence_ids`` the sentence each one belongs to.
    """
    # this centre's window size
    reach = rng.integers(1, window + 1, size=len(ids))
    centres, contexts = [], []
    for offset in range(1, window + 1):
        left, right = np.arange(len(ids) - offset), np.arange(offset, len(ids))
        same = sentence_ids[left] == sentence_ids[right]
        # centre on the left, context `offset` to its right
        fwd = same & (reach[left] >= offset)
        # centre on the right, context `offset` to its left
        bwd = same & (reach[right] >= offset)
        centres += [ids[left[fwd]], ids[right[bwd]]]
        contexts += [ids[right[fwd]], ids[left[bwd]]]
    return np.concatenate(centres), np.concatenate(contexts)


def scatter_add(w: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``w[rows] += values`` in place, summing the values of a row that occurs several times.

    The same as ``np.add.at(w, rows, values)``, written as a sparse matrix
    product because that is several times faster.
    """
    from scipy import sparse

    n = len(rows)
    selector = sparse.csc_matrix((np.ones(n, dtype=values.dtype), rows, np.arange(n + 1)), shape=(len(w), n))
    w += selector @ values


# --------------------------------------------------------------------------- the SGNS objective
def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sgns_loss(v: np.ndarray, u: np.ndarray) -> float:
    """The skip-gram negative-sampling loss of a batch, summed over its pairs.

    ``v``: the centre words' input vectors, [batch, dim]; ``u``: output
    vectors, [batch, 1 + negatives, dim], the true context first.
    L = -log sigma(u_o . v) - sum_k log sigma(-u_k . v).
    """
    scores = np.einsum("bd,bkd->bk", v, u)
    return float(-_log_sigmoid(scores[:, 0]).sum() - _log_sigmoid(-scores[:, 1:]).sum())


def sgns_gradients(v: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of :func:`sgns_loss` with respect to ``v`` [batch, dim] and ``u`` [batch, 1 + k, dim]."""
    scores = np.einsum("bd,bkd->bk", v, u)
    labels = np.zeros_like(scores)
    # the true context is label 1, the negatives 0
    labels[:, 0] = 1.0
    err = _sigmoid(scores) - labels             # dL/dscore
    dv = np.einsum("bk,bkd->bd", err, u)
    du = err[:, :, None] * v[:, None, :]
    return dv, du


def sgns_update(
    w_in: np.ndarray, w_out: np.ndarray, centres: np.ndarray, targets: np.ndarray,
    lr: float,
) -> None:
    """One SGD step on a mini-batch, in place: ``targets`` is [batch, 1 + k] (context, then negatives).

    Rows that occur several times in the batch receive the sum of their gradients.
    """
    dv, du = sgns_gradients(w_in[centres], w_out[targets])
    scatter_add(w_in, centres, -lr * dv)
    scatter_add(w_out, targets.ravel(), -lr * du.reshape(-1, w_out.shape[1]))


# --------------------------------------------------------------------------- word2vec
def to_keyed_vectors(words: list[str], vectors: np.ndarray):
    """gensim ``KeyedVectors`` holding ``vectors[i]`` for ``words[i]``."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(list(words), np.asarray(vectors, dtype=np.float32))
    return kv


def _word2vec(
    sentences, vector_size, window, negative, min_count, sample, epochs, alpha, seed,
    batch_size,
):
    words, counts = build_vocab(sentences, min_count)
    index = {w: i for i, w in enumerate(words)}
    ids, sent = [], []
    for s, sentence in enumerate(sentences):
        # rare words are dropped before windowing
        known = [index[t] for t in sentence if t in index]
        ids += known
        sent += [s] * len(known)
    ids, sent = np.array(ids), np.array(sent)
    rng = np.random.default_rng(seed)
    V = len(words)
    w_in = ((rng.random((V, vector_size)) - 0.5) / vector_size).astype(np.float32)
    w_out = np.zeros((V, vector_size), dtype=np.float32)
    keep = keep_probabilities(counts, sample)
    noise_cdf = np.cumsum(noise_distribution(counts))
    for epoch in range(epochs):
        # subsample frequent words
        kept = rng.random(len(ids)) < keep[ids]
        centres, contexts = skipgram_pairs(ids[kept], sent[kept], window, rng)
        order = rng.permutation(len(centres))
        negatives = np.searchsorted(
            noise_cdf, rng.random((len(centres), negative)) * noise_cdf[-1]
        )
        targets = np.concatenate([contexts[order, None], negatives], axis=1)
        centres = centres[order]
        for start in range(0, len(centres), batch_size):
            progress = (epoch + start / len(centres)) / epochs
            # linear decay to 1e-4, as in word2vec
            lr = np.float32(alpha - (alpha - 1e-4) * progress)
            sgns_update(
                w_in, w_out,
                centres[start:start + batch_size], targets[start:start + batch_size],
                lr,
            )
    return words, w_in


def train_word2vec(sentences: list[list[str]], vector_size: int = 100, window: int = 5, negative: int = 5,
                   min_count: int = 5, sample: float = 1e-3, epochs: int = 5, alpha: float = 0.025,
                   seed: int = 0, *, batch_size: int = 512):
    """Skip-gram word vectors with negative sampling, trained in NumPy.

    Parameters
    ----------
    sentences : list of list of str
        The tokenised corpus.
    vector_size : int
        Dimension of the word vectors.
    window : int
        Largest distance between a centre word and a context word (each centre
        draws its own window from 1..window).
    negative : int
        Noise words per (centre, context) pair, drawn from unigram ** 0.75.
    min_count : int
        Words seen fewer times are dropped (the same vocabulary as gensim's ``Word2Vec``).
    sample : float
        Subsampling threshold of frequent words (0 turns it off).
    epochs : int
        Passes over the corpus.
    alpha : float
        Initial learning rate, decayed linearly to 1e-4.
    seed : int
        Seed of every random draw.
    batch_size : int
        (centre, context) pairs per vectorised update.

    Returns
    -------
    gensim.models.KeyedVectors
        The input vectors, one per vocabulary word, most frequent word first.

    Raises
    ------
    TypeError
        If ``sentences`` is not a list of lists of str, or a number has the wrong type.
    ValueError
        If a size is < 1, ``sample`` or ``alpha`` is out of range, or no word reaches ``min_count``.
    """
    sentences = _check_sentences(sentences)
    vector_size = check_positive_int("vector_size", vector_size)
    window = check_positive_int("window", window)
    negative = check_positive_int("negative", negative)
    min_count = check_positive_int("min_count", min_count)
    sample = check_number("sample", sample, 0.0, 1.0)
    epochs = check_positive_int("epochs", epochs)
    alpha = check_number("alpha", alpha, 0.0, 1.0, low_open=True)
    seed = check_seed("seed", seed)
    batch_size = check_positive_int("batch_size", batch_size)
    words, vectors = _word2vec(sentences, vector_size, window, negative, min_count, sample, epochs, alpha, seed,
                               batch_size)
    return to_keyed_vectors(words, vectors)


# --------------------------------------------------------------------------- GloVe
def cooccurrence_matrix(sentences: list[list[str]], vocab: Sequence[str], window: int = 5):
    """The GloVe co-occurrence matrix: X[i, j] = sum over the times j occurs within ``window`` words of i, of 1/distance.

    Words outside ``vocab`` are dropped before counting; pairs never cross a
    sentence; the matrix is symmetric.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (len(vocab), len(vocab)), float64
    """
    from scipy import sparse

    sentences = _check_sentences(sentences)
    words = _check_vocab(vocab)
    window = check_positive_int("window", window)
    index = {w: i for i, w in enumerate(words)}
    ids, sent = [], []
    for s, sentence in enumerate(sentences):
        known = [index[t] for t in sentence if t in index]
        ids += known
        sent += [s] * len(known)
    ids, sent = np.array(ids, dtype=np.int64), np.array(sent, dtype=np.int64)
    rows, cols, vals = [], [], []
    for offset in range(1, window + 1):
        left, right = np.arange(len(ids) - offset), np.arange(offset, len(ids))
        same = sent[left] == sent[right]
        a, b = ids[left[same]], ids[right[same]]
        rows += [a, b]
        cols += [b, a]
        vals += [np.full(2 * len(a), 1.0 / offset)]
    V = len(words)
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    vals = np.concatenate(vals) if vals else np.zeros(0)
    return sparse.coo_matrix((vals, (rows, cols)), shape=(V, V)).tocsr()   # duplicates are summed


def glove_weight(
    x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75
) -> np.ndarray:
    """GloVe's weighting f(x) = (x / x_max) ** alpha, capped at 1."""
    return np.minimum(1.0, (x / x_max) ** alpha)


def glove_loss(w, w_tilde, b, b_tilde, i, j, x, x_max=100.0, alpha=0.75) -> float:
    """J = sum over the non-zero entries of f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij) ** 2."""
    diff = (w @ w_tilde.T)[i, j] + b[i] + b_tilde[j] - np.log(x)     # as in glove_gradients
    return float(np.sum(glove_weight(x, x_max, alpha) * diff ** 2))


def glove_gradients(
    params: dict, i: np.ndarray, j: np.ndarray, x: np.ndarray, x_max: float = 100.0,
    alpha: float = 0.75,
) -> dict:
    """Half the gradient of :func:`glove_loss` with respect to each parameter, over the entries X[i, j] = x.

    ``params`` holds ``w``, ``w_tilde`` [V, dim] and ``b``, ``b_tilde`` [V].
    Every entry's gradient lands on its two words through one sparse matrix G
    with G[i, j] = f(X_ij) * diff_ij: dJ/dw = G @ w~, dJ/dw~ = G.T @ w (halved).
    The dot products w_i . w~_j come from the full product w @ w~.T: for a few
    thousand words one matrix product is faster than gathering a row pair per entry.
    """
    from scipy import sparse

    w, wt, b, bt = params["w"], params["w_tilde"], params["b"], params["b_tilde"]
    diff = (w @ wt.T)[i, j] + b[i] + bt[j] - np.log(x)
    G = sparse.csr_matrix(
        (glove_weight(x, x_max, alpha) * diff, (i, j)), shape=(len(w), len(wt))
    )
    return {
        "w": G @ wt,
        "w_tilde": G.T @ w,
        "b": np.asarray(G.sum(axis=1)).ravel(),
        "b_tilde": np.asarray(G.sum(axis=0)).ravel(),
    }


def glove_update(
    params: dict, grad_sq: dict, i: np.ndarray, j: np.ndarray, x: np.ndarray,
    lr: float, x_max: float, alpha: float,
) -> None:
    """One AdaGrad step on all the non-zero entries at once, in place; ``grad_sq`` sums the squared gradients."""
    for name, grad in glove_gradients(params, i, j, x, x_max, alpha).items():
        grad_sq[name] += grad ** 2
        params[name] -= lr * grad / np.sqrt(grad_sq[name])


def _glove(x_coo, vector_size, x_max, alpha, updates, lr, seed, checkpoints=(), loss_every=0):
    """Run AdaGrad for ``updates`` full-batch steps: ({checkpoint: w + w~}, [(update, J) every ``loss_every``])."""
    rng = np.random.default_rng(seed)
    V = x_coo.shape[0]
    params = {"w": (rng.random((V, vector_size), dtype=np.float32) - 0.5) / vector_size,
              "w_tilde": (rng.random((V, vector_size), dtype=np.float32) - 0.5) / vector_size,
              "b": np.zeros(V, dtype=np.float32), "b_tilde": np.zeros(V, dtype=np.float32)}
    grad_sq = {name: np.ones_like(p) for name, p in params.items()}   # AdaGrad's sums start at 1, as in GloVe
    x = x_coo.data.astype(np.float32)
    snapshots, losses = {}, []
    for step in range(1, updates + 1):
        glove_update(params, grad_sq, x_coo.row, x_coo.col, x, np.float32(lr), np.float32(x_max), np.float32(alpha))
        if loss_every and (step % loss_every == 0 or step == updates):
            losses.append((step, glove_loss(params["w"], params["w_tilde"], params["b"], params["b_tilde"],
                                            x_coo.row, x_coo.col, x, x_max, alpha)))
        if step in checkpoints:
            snapshots[step] = params["w"] + params["w_tilde"]
    return snapshots, losses


def _check_cooccurrence(cooccurrence, words):
    """The co-occurrence matrix as a COO matrix of float64 with its duplicates summed and zeros dropped."""
    from scipy import sparse

    if sparse.issparse(cooccurrence):
        x_coo = sparse.coo_matrix(cooccurrence, dtype=np.float64)
    else:
        try:
            dense = np.asarray(cooccurrence, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError("cooccurrence must be a scipy sparse matrix or a 2-D array of numbers; "
                            f"got {type_name(cooccurrence)}") from None
        if dense.ndim != 2:
            raise ValueError(f"cooccurrence must be a 2-D matrix; got shape {dense.shape}")
        x_coo = sparse.coo_matrix(dense)
    if x_coo.shape != (len(words), len(words)):
        raise ValueError(f"cooccurrence must have shape (len(vocab), len(vocab)) = {(len(words), len(words))}; "
                         f"got shape {x_coo.shape}")
    x_coo.sum_duplicates()
    x_coo.eliminate_zeros()
    if x_coo.nnz == 0:
        raise ValueError("cooccurrence has no non-zero entry")
    if np.any(x_coo.data < 0) or not np.all(np.isfinite(x_coo.data)):
        raise ValueError("cooccurrence must hold finite, non-negative counts")
    return x_coo


def train_glove(cooccurrence, vocab: Sequence[str], vector_size: int = 50, x_max: float = 100.0,
                alpha: float = 0.75, epochs: int = 100, lr: float = 0.05, seed: int = 0):
    """GloVe vectors fitted to a co-occurrence matrix with AdaGrad, in NumPy.

    Minimises sum_ij f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij) ** 2 over the
    non-zero entries.  Each epoch is ONE full-batch AdaGrad update computed from
    all non-zero entries at once, so ``epochs`` counts updates, not passes of
    mini-batches: the GloVe paper's mini-batch passes make many more updates per
    pass, so watch the loss (:func:`glove_history` records it) and give enough
    epochs.  The word vectors returned are w + w~, as in the GloVe paper.

    Parameters
    ----------
    cooccurrence : scipy sparse matrix or ndarray, shape (V, V)
        Non-negative co-occurrence counts, e.g. from :func:`cooccurrence_matrix`.
    vocab : list of str
        The V words, in the matrix's order.
    vector_size, x_max, alpha, epochs, lr, seed
        Dimension, the weighting's cap and exponent, full-batch updates,
        AdaGrad's step size and the seed of the initial vectors.

    Returns
    -------
    gensim.models.KeyedVectors

    Raises
    ------
    TypeError
        If ``cooccurrence`` is not a matrix of numbers or ``vocab`` not a list of str.
    ValueError
        If the matrix is not square, does not match ``vocab``, has negative or
        no non-zero entries, or a number is out of range.
    """
    epochs = check_positive_int("epochs", epochs)
    history = glove_history(cooccurrence, vocab, [epochs], vector_size=vector_size, x_max=x_max, alpha=alpha,
                            lr=lr, seed=seed, loss_every=0)
    return history.vectors[epochs]


class GloveHistory:
    """One GloVe run seen along the way: ``losses`` [(update, J)] and ``vectors`` {update: KeyedVectors}."""

    def __init__(self, losses: list, vectors: dict, n_entries: int, n_params: int):
        self.losses, self.vectors = losses, vectors
        self.n_entries, self.n_params = n_entries, n_params

    def __repr__(self) -> str:
        return (f"GloveHistory({len(self.losses)} losses, vectors after {sorted(self.vectors)} updates; "
                f"{self.n_params} parameters for {self.n_entries} non-zero entries)")


def glove_history(cooccurrence, vocab: Sequence[str], checkpoints: Sequence[int], *, vector_size: int = 50,
                  x_max: float = 100.0, alpha: float = 0.75, lr: float = 0.05, seed: int = 0,
                  loss_every: int = 10) -> GloveHistory:
    """One GloVe run (as :func:`train_glove`) up to the last checkpoint, keeping the vectors at every checkpoint.

    The same updates as ``train_glove(..., epochs=c)`` for each checkpoint ``c``,
    so the number of updates can be chosen on a validation set from one run,
    as early stopping chooses the epochs of a network.

    Parameters
    ----------
    checkpoints : sequence of int
        Update counts (>= 1) after which the word vectors w + w~ are kept.
    loss_every : int
        Record the loss J every this many updates (and after the last); 0 records none.

    Returns
    -------
    GloveHistory
        ``losses`` [(update, J)], ``vectors`` {checkpoint: KeyedVectors},
        ``n_entries`` (non-zero entries fitted) and ``n_params`` (numbers trained).
    """
    words = _check_vocab(vocab)
    x_coo = _check_cooccurrence(cooccurrence, words)
    if isinstance(checkpoints, (str, bytes)) or not isinstance(checkpoints, Sequence) or not checkpoints:
        raise TypeError(f"checkpoints must be a non-empty list of update counts; got {type_name(checkpoints)}")
    checkpoints = sorted({check_positive_int("checkpoint", c) for c in checkpoints})
    vector_size = check_positive_int("vector_size", vector_size)
    x_max = check_number("x_max", x_max, 0.0, low_open=True)
    alpha = check_number("alpha", alpha, 0.0, low_open=True)
    lr = check_number("lr", lr, 0.0, low_open=True)
    seed = check_seed("seed", seed)
    if isinstance(loss_every, bool) or not isinstance(loss_every, (int, np.integer)) or loss_every < 0:
        raise ValueError(f"loss_every must be a whole number >= 0; got {loss_every!r}")
    snapshots, losses = _glove(x_coo, vector_size, x_max, alpha, checkpoints[-1], lr, seed,
                                  set(checkpoints), int(loss_every))
    vectors = {c: to_keyed_vectors(words, v) for c, v in snapshots.items()}
    return GloveHistory(losses, vectors, x_coo.nnz, 2 * len(words) * (vector_size + 1))


def ppmi_svd(cooccurrence, vocab: Sequence[str], vector_size: int = 50, *,
             context_power: float = 0.75, seed: int = 0):
    """Count-based word vectors: positive PMI of the co-occurrence matrix, reduced by a truncated SVD.

    PMI(i, j) = log [ X_ij * sum(X) / (sum_j X_ij * P_ctx(j) * sum(X)) ], with the
    context distribution smoothed by ``context_power`` as Levy, Goldberg & Dagan
    (2015) recommend (P_ctx(j) proportional to (sum_i X_ij) ** 0.75); negative
    values are set to 0 (PPMI).  The vectors are U * sqrt(S) of the rank-``vector_size``
    SVD of the PPMI matrix (their "eigenvalue weighting" of 0.5).

    Returns
    -------
    gensim.models.KeyedVectors
    """
    from scipy import sparse
    from scipy.sparse.linalg import svds

    words = _check_vocab(vocab)
    x = _check_cooccurrence(cooccurrence, words).tocsr()
    vector_size = check_positive_int("vector_size", vector_size)
    if vector_size >= len(words):
        raise ValueError(f"vector_size must be below the number of words "
                         f"({len(words)}); got {vector_size}")
    context_power = check_number("context_power", context_power, 0.0, 1.0,
                                 low_open=True)
    row = np.asarray(x.sum(axis=1)).ravel()
    col = np.asarray(x.sum(axis=0)).ravel() ** context_power
    x = x.tocoo()
    p_ctx = col / col.sum()
    # log P(j | i) / P_ctx(j)
    pmi = np.log(x.data / row[x.row]) - np.log(p_ctx[x.col])
    keep = pmi > 0
    m = sparse.csr_matrix((pmi[keep], (x.row[keep], x.col[keep])), shape=x.shape)
    v0 = (np.random.default_rng(check_seed("seed", seed))
          .standard_normal(min(m.shape)))
    u, sv, _ = svds(m, k=vector_size, v0=v0)
    order = np.argsort(-sv)
    return to_keyed_vectors(words,
                            (u[:, order] * np.sqrt(sv[order])).astype(np.float32))


# --------------------------------------------------------------------------- word-pair evaluation
def load_word_pairs(path) -> list[tuple[str, str, float]]:
    """The (word, word, human score) rows of a word-pair file such as WordSim-353 or SimLex-999.

    The format of gensim's test data: tab-separated, ``#`` starts a comment line.
    """
    pairs = []
    with open(path, encoding="utf8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}: expected 'word<TAB>word<TAB>score' lines; got {line.strip()[:60]!r}")
            pairs.append((parts[0], parts[1], float(parts[2])))
    return pairs


def _answerable(kv, pairs) -> tuple[list, list]:
    """(human scores, cosine similarities) of the pairs whose two words ``kv`` knows, matched as gensim does."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence):
        raise TypeError(f"pairs must be a list of (word, word, score) rows, e.g. from load_word_pairs; "
                        f"got {type_name(pairs)}")
    index = {k.upper(): k for k in reversed(kv.index_to_key)}   # case-insensitive, the first key wins
    gold, model = [], []
    for row in pairs:
        if not (isinstance(row, (tuple, list)) and len(row) == 3 and isinstance(row[0], str)
                and isinstance(row[1], str)):
            raise TypeError(f"each pair must be a (word, word, score) row; got {row!r}")
        a, b = index.get(row[0].upper()), index.get(row[1].upper())
        if a is not None and b is not None:
            model.append(float(kv.similarity(a, b)))
            gold.append(float(row[2]))
    return gold, model


def pair_spearman(kv, pairs) -> tuple[float, int]:
    """Spearman correlation of cosine similarity with the human scores, and how many pairs had both words.

    The same as gensim's ``kv.evaluate_word_pairs`` (case-insensitive, pairs with an
    unknown word left out), on a list of pairs instead of a file.
    """
    from scipy.stats import spearmanr

    gold, model = _answerable(kv, pairs)
    if len(gold) < 2:
        return float("nan"), len(gold)
    return float(spearmanr(gold, model).statistic), len(gold)


def spearman_interval(kv, pairs, *, level: float = 0.95, n_resamples: int = 1000,
                      seed: int = 0) -> tuple[float, float]:
    """A bootstrap interval for :func:`pair_spearman`: the pairs resampled with replacement.

    scipy's ``stats.bootstrap`` (percentile method) over the answerable pairs; with
    a hundred pairs the interval is wide, which is the point of printing it.
    """
    from scipy import stats

    level = check_number("level", level, 0.0, 1.0, low_open=True, high_open=True)
    n_resamples = check_positive_int("n_resamples", n_resamples)
    gold, model = _answerable(kv, pairs)
    if len(gold) < 3:
        raise ValueError(f"need at least 3 answerable pairs for an interval; got {len(gold)}")
    result = stats.bootstrap((np.array(gold), np.array(model)), lambda g, m: stats.spearmanr(g, m).statistic,
                             paired=True, vectorized=False, n_resamples=n_resamples, confidence_level=level,
                             method="percentile", random_state=np.random.default_rng(check_seed("seed", seed)))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


# --------------------------------------------------------------------------- using vectors in Keras
def _random_rows(kv, n: int, seed: int) -> np.ndarray:
    """``n`` normal random rows with the spread of ``kv``'s vectors, [n, kv.vector_size]."""
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, float(np.std(kv.vectors)), size=(n, kv.vector_size))


def embedding_matrix(kv, words: Sequence[str], *, seed: int = 0) -> np.ndarray:
    """Rows of a Keras ``Embedding`` for the token ids 0..len(words)-1: ``kv[word]`` where ``kv`` knows the word.

    Other words get normal random vectors with the spread of the known ones;
    row 0 (padding, which masking skips) is zero.

    Returns
    -------
    ndarray of float32, shape [len(words), kv.vector_size]
    """
    if isinstance(words, (str, bytes)) or not isinstance(words, Sequence):
        raise TypeError(f"words must be a list of str; got {type_name(words)}")
    out = _random_rows(kv, len(words), check_seed("seed", seed))
    for k, w in enumerate(words):
        if isinstance(w, str) and w in kv.key_to_index:
            out[k] = kv[w]
    out[0] = 0.0
    return out.astype(np.float32)


#: The three ways of starting the ``Embedding`` that :func:`polarity_accuracies` compares.
INITS = ("random", "frozen", "fine-tuned")


def _polarity_fold(kv, init, tokens, labels, train_idx, test_idx, cell, units,
                   epochs, maxlen, learning_rate, seed) -> float:
    """One fold of :func:`polarity_accuracies`: build, train and score one classifier on the tokenised sentences."""
    import keras

    from . import text
    from .models import recurrent_model, train

    vocab = text.Vocabulary(w for k in train_idx for w in tokens[k])
    ids = keras.utils.pad_sequences([vocab.encode(t) for t in tokens], maxlen=maxlen,
                                    padding="post", truncating="post", value=0)
    keras.utils.set_random_seed(seed)
    # random rows on the scale of the pretrained ones, padding row zero
    if init == "random":
        weights = _random_rows(kv, len(vocab), seed).astype(np.float32)
        weights[0] = 0.0
    else:
        weights = embedding_matrix(kv, vocab.itos, seed=seed)
    model = recurrent_model(cell, units, steps=maxlen, vocab_size=len(vocab),
                            embed_dim=kv.vector_size, mask_zero=True,
                            output_activation="sigmoid", embedding_weights=weights,
                            embedding_trainable=init != "frozen")
    train(model, ids[train_idx], labels[train_idx], epochs=epochs,
          loss="binary_crossentropy", learning_rate=learning_rate)
    prob = keras.ops.convert_to_numpy(model(ids[test_idx])).ravel()
    return float(np.mean((prob > 0.5) == labels[test_idx]))


def polarity_accuracies(kv, init: str, folds, *, cell: str = "gru", units: int = 8, epochs: int = 15,
                        maxlen: int = 30, learning_rate: float = 1e-2, seed: int = 0) -> np.ndarray:
    """Held-out accuracy of an embedding + recurrent classifier on each polarity fold.

    ``init="random"`` starts the ``Embedding`` from normal random rows with the
    spread of ``kv``'s vectors (so that only what the rows say differs, not their
    scale); ``"frozen"`` and ``"fine-tuned"`` from :func:`embedding_matrix` of
    ``kv``, kept fixed or trained.  The vocabulary is built on each training part
    only (words unseen there become ``<unk>``); everything else, the seed
    included, is the same for the three.  The folds run side by side in worker
    processes when the machine has room (:func:`rnnbook.parallel.run_all`).

    Parameters
    ----------
    kv : gensim.models.KeyedVectors
        Word vectors; their size is the embedding size of all three models.
    init : {"random", "frozen", "fine-tuned"}
    folds : list of (train_index, test_index)
        From :func:`rnnbook.data.polarity_folds`.

    Returns
    -------
    ndarray, shape (len(folds),)
    """
    from . import data, parallel
    from ._validate import check_choice

    check_choice("init", init, INITS)
    reviews, labels = data.load_polarity()
    tokens = [r.split() for r in reviews]
    jobs = [(kv, init, tokens, labels, np.asarray(train_idx), np.asarray(test_idx), cell, units, epochs, maxlen,
             learning_rate, seed) for train_idx, test_idx in folds]
    scores = parallel.run_all(_polarity_fold, jobs)   # the folds side by side, when the machine has room
    return np.array(scores)


# --------------------------------------------------------------------------- bias
def _word_list(name: str, words) -> list[str]:
    if isinstance(words, str) or not isinstance(words, (list, tuple)) or not all(isinstance(w, str) for w in words):
        raise TypeError(f"{name} must be a list of str words; got {words!r}")
    if len(words) < 2:
        raise ValueError(f"{name} needs at least two words; got {len(words)}")
    return list(words)


def weat(kv, targets_x, targets_y, attributes_a, attributes_b) -> dict:
    """The Word Embedding Association Test (Caliskan et al. 2017): effect size and exact permutation p-value.

    Each target word w gets ``s(w) = mean cos(w, a) - mean cos(w, b)`` over the
    attribute words.  The effect size is ``(mean s over X - mean s over Y) /
    std of s over X and Y together`` (a Cohen's d, but the spread includes the
    gap between the sets, so it cannot exceed about 2).  The p-value is the
    share of all equal-size splits of X and Y together whose statistic ``sum
    s(X_i) - sum s(Y_i)`` is at least the observed one: one-sided and exact
    (every split is enumerated); ``p_two_sided`` counts splits at least as
    extreme in either direction.

    Parameters
    ----------
    kv : gensim.models.KeyedVectors
        The vectors.
    targets_x, targets_y : list of str
        Two target sets of equal size (e.g. career and family words).
    attributes_a, attributes_b : list of str
        Two attribute sets (e.g. male and female words).

    Returns
    -------
    dict
        ``{"effect_size": d, "p_value": p, "p_two_sided": p2, "s": {word: s(word)}, "splits": n}``.

    Raises
    ------
    TypeError
        If a word set is not a list of at least two str.
    ValueError
        If X and Y differ in size, a word is missing from ``kv``, the sets
        overlap, or there are more than a million splits to enumerate.
    """
    from math import comb

    X, Y = _word_list("targets_x", targets_x), _word_list("targets_y", targets_y)
    A, B = _word_list("attributes_a", attributes_a), _word_list("attributes_b", attributes_b)
    if len(X) != len(Y):
        raise ValueError(f"targets_x and targets_y must have the same size; got {len(X)} and {len(Y)}")
    every = X + Y + A + B
    missing = [w for w in every if w not in kv.key_to_index]
    if missing:
        raise ValueError(f"words not in the vocabulary: {missing}")
    if len(set(every)) != len(every):
        raise ValueError("the four word sets must not share a word")
    splits = comb(2 * len(X), len(X))
    if splits > 1_000_000:
        raise ValueError(f"{splits} splits is too many to enumerate; use at most 10 words per target set")
    return _weat(kv, X, Y, A, B)


def _unit_rows(kv, words) -> np.ndarray:
    rows = kv[words]
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _weat(kv, X, Y, A, B) -> dict:
    from itertools import combinations

    T, A_, B_ = _unit_rows(kv, X + Y), _unit_rows(kv, A), _unit_rows(kv, B)
    # s(w) for every target word
    s = (T @ A_.T).mean(axis=1) - (T @ B_.T).mean(axis=1)
    n = len(X)
    observed, total = s[:n].sum() - s[n:].sum(), s.sum()
    # every split of the 2n words into halves: sum(half) - sum(rest)
    splits = np.array([2 * s[list(h)].sum() - total
                       for h in combinations(range(2 * n), n)])
    return {"effect_size": float((s[:n].mean() - s[n:].mean()) / s.std(ddof=1)),
            "p_value": float(np.mean(splits >= observed - 1e-12)),
            "p_two_sided": float(np.mean(np.abs(splits) >= abs(observed) - 1e-12)),
            "s": dict(zip(X + Y, s.tolist())), "splits": len(splits)}
