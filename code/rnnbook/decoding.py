"""Decoding: turning a model's next-token distributions into a sequence.

Every function here drives a *step function*, the one interface between a
model and a decoder::

    log_probs, new_state = step_fn(tokens, state)

- ``tokens``: int array ``[n]``, the last token of each of ``n`` live hypotheses;
- ``state``: an array, or a tuple of arrays, whose leading axis is ``n``
  (row ``i`` belongs to hypothesis ``i``);
- ``log_probs``: ``[n, vocab]``, log P(next token | hypothesis ``i``).

The decoder starts from a state with one row (the prompt or the encoded
source) and the token ``bos_id``.  A hypothesis ends when it emits ``eos_id``
or has ``max_len`` tokens.  Returned token lists exclude BOS and end with EOS
when EOS was generated.  A sequence's log-probability is the sum of its
tokens' log-probabilities.

:func:`keras_step_fn` turns the book's Keras language models and
encoder-decoders (:func:`rnnbook.models.language_model`,
:func:`rnnbook.models.seq2seq_model`) into step functions that run in NumPy
with the trained weights.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._validate import as_array, check_int, check_number, check_positive_number, check_seed, type_name

__all__ = ["greedy_decode", "greedy_decode_batch", "beam_search", "sample", "sequence_log_prob", "keras_step_fn", "KerasDecoder",
           "additive_attention", "dot_attention", "StepFn"]

Array = np.ndarray
StepFn = Callable[[Array, object], tuple[Array, object]]


# --------------------------------------------------------------------------- checks
def _check_step_fn(step_fn) -> None:
    if not callable(step_fn):
        raise TypeError(f"step_fn must be a callable step_fn(tokens, state) -> (log_probs, new_state); "
                        f"got {type_name(step_fn)}")


def _rows(name: str, state) -> int:
    """The leading size shared by every array of ``state`` (an array or a tuple of arrays)."""
    parts = state if isinstance(state, tuple) else (state,)
    if not parts:
        raise ValueError(f"{name} must be an array or a non-empty tuple of arrays; got an empty tuple")
    sizes = set()
    for part in parts:
        if not isinstance(part, np.ndarray) or part.ndim < 1:
            raise TypeError(f"{name} must be a NumPy array, or a tuple of NumPy arrays, with a leading axis "
                            f"of one row per hypothesis; got {type_name(part)}"
                            + (f" with shape {part.shape}" if isinstance(part, np.ndarray) else ""))
        sizes.add(part.shape[0])
    if len(sizes) != 1:
        raise ValueError(f"every array of {name} must have the same leading axis (one row per hypothesis); "
                         f"got leading sizes {sorted(sizes)}")
    return sizes.pop()


def _check_start(step_fn, state, bos_id, eos_id, max_len) -> tuple[int, int, int]:
    _check_step_fn(step_fn)
    if _rows("state", state) != 1:
        raise ValueError(f"state must describe one input: leading axis 1; got {_rows('state', state)} rows")
    bos_id = check_int("bos_id", bos_id, minimum=0)
    eos_id = -1 if eos_id is None else check_int("eos_id", eos_id, minimum=0)   # None: no end token
    max_len = check_int("max_len", max_len, minimum=1)
    return bos_id, eos_id, max_len


def _step(step_fn, tokens: Array, state):
    """Call ``step_fn`` and check what it returns: ``[n, vocab]`` log-probabilities, ``n`` state rows."""
    n = len(tokens)
    out = step_fn(tokens.copy(), state)
    if not isinstance(out, tuple) or len(out) != 2:
        raise TypeError(f"step_fn must return a tuple (log_probs, new_state); got {type_name(out)}")
    log_probs = as_array("log_probs returned by step_fn", out[0], ndim=2, shape_desc="[n, vocab]")
    if log_probs.shape[0] != n:
        raise ValueError(f"step_fn returned log_probs of shape {log_probs.shape} for {n} hypotheses; "
                         f"expected [{n}, vocab]")
    if np.isnan(log_probs).any() or (log_probs > 1e-6).any():
        raise ValueError("step_fn must return log-probabilities (finite or -inf, all <= 0); got NaN or positive values")
    if _rows("new_state returned by step_fn", out[1]) != n:
        raise ValueError(f"step_fn returned a new state with {_rows('new_state', out[1])} rows for {n} hypotheses")
    return log_probs, out[1]


def _check_token_range(token: int, name: str, vocab: int) -> None:
    if token >= vocab:
        raise ValueError(f"{name} must be a token id below the vocabulary size {vocab}; got {token}")


def _take(state, rows: Array):
    """Reorder (and repeat) the rows of a state: row ``i`` of the result is row ``rows[i]``."""
    return tuple(part[rows] for part in state) if isinstance(state, tuple) else state[rows]


# --------------------------------------------------------------------------- decoders
def greedy_decode(step_fn: StepFn, state, bos_id: int, eos_id: int, max_len: int) -> tuple[list[int], float]:
    """Pick the most probable next token at every step.

    Parameters
    ----------
    step_fn : callable
        ``step_fn(tokens [n], state) -> (log_probs [n, vocab], new_state)`` (module docstring).
    state : ndarray or tuple of ndarrays
        The initial state, leading axis 1.
    bos_id : int
        The token fed first (BOS, or the last token of a language model's prompt).
    eos_id : int or None
        The token that ends a sequence; ``None`` when nothing ends it but ``max_len``.
    max_len : int
        The most tokens generated (>= 1).

    Returns
    -------
    (tokens, log_prob) : tuple[list[int], float]
        The tokens (without BOS; ending with EOS if it was generated) and the
        sum of their log-probabilities.

    Raises
    ------
    TypeError, ValueError
        For a non-callable ``step_fn``, a state that is not one row, ids < 0,
        ``max_len < 1``, or a step function that returns the wrong shapes.
    """
    bos_id, eos_id, max_len = _check_start(step_fn, state, bos_id, eos_id, max_len)
    return _greedy(step_fn, state, bos_id, eos_id, max_len)


def _greedy(step_fn, state, bos_id, eos_id, max_len):
    tokens, total = [], 0.0
    last = np.array([bos_id])
    for _ in range(max_len):
        log_probs, state = _step(step_fn, last, state)
        token = int(np.argmax(log_probs[0]))           # the first of equal maxima
        tokens.append(token)
        total += float(log_probs[0, token])
        if token == eos_id:
            break
        last = np.array([token])
    return tokens, total


def greedy_decode_batch(step_fn: StepFn, state, bos_id: int, eos_id: int,
                        max_len: int) -> list[tuple[list[int], float]]:
    """:func:`greedy_decode` for ``n`` independent inputs at once: one ``step_fn`` call per step for all of them.

    ``state`` has one row per input (leading axis ``n``), and ``step_fn`` must
    treat its rows independently, as every model of the book does.  Row ``i``
    of the result is what :func:`greedy_decode` returns for row ``i`` alone; an
    input that has emitted EOS keeps being fed, and its further tokens are
    ignored, until every input has ended or ``max_len`` is reached.

    Returns
    -------
    list of (tokens, log_prob)
        One per input, in order.
    """
    _check_step_fn(step_fn)
    n = _rows("state", state)
    bos_id = check_int("bos_id", bos_id, minimum=0)
    eos_id = -1 if eos_id is None else check_int("eos_id", eos_id, minimum=0)
    max_len = check_int("max_len", max_len, minimum=1)
    tokens, totals = [[] for _ in range(n)], np.zeros(n)
    live = np.ones(n, dtype=bool)
    last = np.full(n, bos_id)
    for _ in range(max_len):
        log_probs, state = _step(step_fn, last, state)
        last = np.argmax(log_probs, axis=1)
        for i in np.flatnonzero(live):
            tokens[i].append(int(last[i]))
            totals[i] += log_probs[i, last[i]]
        live &= last != eos_id
        if not live.any():
            break
    return [(t, float(total)) for t, total in zip(tokens, totals)]


def beam_search(step_fn: StepFn, state, bos_id: int, eos_id: int, beam_width: int, max_len: int,
                length_penalty: float = 0.0) -> list[tuple[list[int], float]]:
    """Keep the ``beam_width`` best partial sequences at every step; return the n best finished ones.

    At each step every live hypothesis is extended by every token, and the
    ``beam_width`` extensions with the highest total log-probability are
    taken (all live hypotheses go through ``step_fn`` together, one call per
    step).  Those that end in EOS are finished and leave the beam; the others
    stay live, so the next step extends fewer rows but again takes the
    ``beam_width`` best of their extensions.  Extensions of probability 0
    (log-probability -inf) are never kept.  Finished hypotheses are ranked by

        score = (sum of the tokens' log-probabilities) / len(tokens) ** length_penalty

    ``length_penalty=0`` ranks by raw log-probability, which favours short
    outputs; 1 ranks by the mean log-probability per token (Wu et al. 2016 use
    a smoothed form).  The search stops when no hypothesis is live, after
    ``max_len`` tokens (the live ones finish there), or as soon as no live
    hypothesis can still enter the n-best list: a live total can only fall,
    so its score can at best reach total / max_len ** length_penalty, and once
    that is no better than the ``beam_width``-th finished score, running on
    cannot change the result.  ``beam_width=1`` is greedy decoding.  Beam
    search is a heuristic: a sequence whose first tokens are unlikely can
    fall out of the beam before its later, likely tokens are seen.

    Parameters
    ----------
    step_fn, state, bos_id, eos_id, max_len
        As in :func:`greedy_decode`.
    beam_width : int
        Hypotheses kept per step (>= 1).
    length_penalty : float
        The exponent alpha in the score (>= 0).

    Returns
    -------
    list of (tokens, score)
        At most ``beam_width`` hypotheses, best first.

    Raises
    ------
    ValueError
        If ``beam_width < 1`` or ``max_len < 1`` (and as in :func:`greedy_decode`).
    """
    bos_id, eos_id, max_len = _check_start(step_fn, state, bos_id, eos_id, max_len)
    beam_width = check_int("beam_width", beam_width, minimum=1)
    length_penalty = check_number("length_penalty", length_penalty, 0.0)
    return _beam(step_fn, state, bos_id, eos_id, beam_width, max_len, length_penalty)


def _beam(step_fn, state, bos_id, eos_id, beam_width, max_len, length_penalty):
    live = [([], 0.0)]  # (tokens, sum of log-probs) per hypothesis
    last = np.array([bos_id])
    finished = []
    for _ in range(max_len):
        # one call for all live hypotheses
        log_probs, state = _step(step_fn, last, state)
        totals = np.array([s for _, s in live])[:, None] + log_probs
        best = np.argsort(-totals, axis=None, kind="stable")[:beam_width]
        rows, tokens = np.unravel_index(best, totals.shape)
        keep = []
        for row, token in zip(rows, tokens):
            # impossible: it and everything after it
            if totals[row, token] == -np.inf:
                break
            extended = (live[row][0] + [int(token)], float(totals[row, token]))
            if token == eos_id:
                finished.append(extended)
            else:
                keep.append((row, extended))
        if not keep or _settled(finished, keep, beam_width, max_len, length_penalty):
            break
        live = [hyp for _, hyp in keep]
        # each state row follows its hypothesis
        state = _take(state, np.array([row for row, _ in keep]))
        last = np.array([hyp[0][-1] for hyp in live])
    else:
        finished += live  # max_len reached: the live ones end here
    scored = [
        (tokens, total / len(tokens) ** length_penalty) for tokens, total in finished
    ]
    return sorted(scored, key=lambda hyp: -hyp[1])[:beam_width]


def _settled(finished, live, beam_width, max_len, length_penalty) -> bool:
    """True when no live hypothesis can still enter the n-best list of the finished ones (the early stop)."""
    if len(finished) < beam_width:
        return False
    scores = sorted((total / len(tokens) ** length_penalty
                     for tokens, total in finished), reverse=True)
    best_live = max(total for _, (_, total) in live) / max_len ** length_penalty
    return scores[beam_width - 1] >= best_live


def sample(step_fn: StepFn, state, bos_id: int, eos_id: int, max_len: int, temperature: float = 1.0,
           top_k: int | None = None, seed: int = 0) -> tuple[list[int], float]:
    """Draw each next token at random from the model's distribution, sharpened or flattened.

    The log-probabilities are divided by ``temperature`` (below 1 sharpens
    towards greedy, above 1 flattens towards uniform), optionally cut to the
    ``top_k`` most probable tokens, renormalised, and sampled from.

    Parameters
    ----------
    step_fn, state, bos_id, eos_id, max_len
        As in :func:`greedy_decode`.
    temperature : float
        > 0.  (For temperature 0, use :func:`greedy_decode`.)
    top_k : int or None
        Sample only among the ``top_k`` most probable tokens (>= 1); ``None`` keeps all.
    seed : int
        Seed of the random generator: the same seed gives the same sample.

    Returns
    -------
    (tokens, log_prob) : tuple[list[int], float]
        The tokens and the sum of their log-probabilities under the model
        itself (before temperature and top-k).
    """
    bos_id, eos_id, max_len = _check_start(step_fn, state, bos_id, eos_id, max_len)
    temperature = check_positive_number("temperature", temperature)
    if top_k is not None:
        top_k = check_int("top_k", top_k, minimum=1)
    rng = np.random.default_rng(check_seed("seed", seed))
    return _sample(step_fn, state, bos_id, eos_id, max_len, temperature, top_k, rng)


def _sample(step_fn, state, bos_id, eos_id, max_len, temperature, top_k, rng):
    tokens, total = [], 0.0
    last = np.array([bos_id])
    for _ in range(max_len):
        log_probs, state = _step(step_fn, last, state)
        logits = log_probs[0] / temperature
        if top_k is not None and top_k < len(logits):
            cut = np.sort(logits)[-top_k]
            logits = np.where(logits >= cut, logits, -np.inf)
        p = np.exp(logits - logits.max())
        token = int(rng.choice(len(p), p=p / p.sum()))
        tokens.append(token)
        total += float(log_probs[0, token])
        if token == eos_id:
            break
        last = np.array([token])
    return tokens, total


def sequence_log_prob(step_fn: StepFn, state, bos_id: int, tokens) -> float:
    """The log-probability the model gives to ``tokens`` (teacher forcing through ``step_fn``).

    The brute-force check of beam search enumerates sequences and scores each with this.

    Parameters
    ----------
    step_fn, state, bos_id
        As in :func:`greedy_decode`.
    tokens : sequence of int
        The tokens after BOS (non-empty).

    Returns
    -------
    float
        The sum over the tokens of log P(token | BOS and the tokens before it).
    """
    _check_step_fn(step_fn)
    if _rows("state", state) != 1:
        raise ValueError(f"state must describe one input: leading axis 1; got {_rows('state', state)} rows")
    bos_id = check_int("bos_id", bos_id, minimum=0)
    ids = as_array("tokens", tokens, ndim=1, shape_desc="[length]", dtype=None)
    if ids.size == 0 or ids.dtype.kind not in "iu" or (ids < 0).any():
        raise ValueError(f"tokens must be a non-empty list of token ids >= 0; got {tokens!r}")
    total, last = 0.0, np.array([bos_id])
    for token in ids:
        log_probs, state = _step(step_fn, last, state)
        _check_token_range(int(token), "every token", log_probs.shape[1])
        total += float(log_probs[0, token])
        last = np.array([int(token)])
    return total


# --------------------------------------------------------------------------- Keras adapters
def _log_softmax(z: Array) -> Array:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def keras_step_fn(model, source=None) -> tuple[StepFn, object]:
    """A step function (and its initial state) that runs a trained Keras model of the book in NumPy.

    For a language model from :func:`rnnbook.models.language_model`, the
    state is the recurrent state after reading ``source`` (a prompt of token
    ids; the last prompt token is what the decoder is then fed as ``bos_id``).
    For an encoder-decoder from :func:`rnnbook.models.seq2seq_model`,
    ``source`` (one row of :class:`rnnbook.text.PairArrays` ``.source``) is
    encoded once and the state is the decoder's state, plus the encoder's
    outputs when the model attends.  Each step embeds the tokens, runs one
    step of the recurrent cell (:mod:`rnnbook.cells`, Keras's equations) and
    the readout, with the model's own weights.  To decode many inputs with
    one model, make a :class:`KerasDecoder` once and call its ``start``.

    Parameters
    ----------
    model : keras.Model
        Built by ``language_model`` or ``seq2seq_model``.
    source : sequence of int, optional
        The prompt (language model) or the source sentence (encoder-decoder).

    Returns
    -------
    (step_fn, state)
        Ready for :func:`greedy_decode`, :func:`beam_search` and :func:`sample`.

    Raises
    ------
    TypeError
        If ``model`` is not one of the book's language models or encoder-decoders.
    ValueError
        If ``source`` is not a 1-D sequence of ids inside the model's vocabulary.
    """
    return KerasDecoder(model).start(source)


def _weights(layer) -> list[Array]:
    return [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]


class KerasDecoder:
    """The trained weights of a book model, read once, and step functions that use them.

    ``KerasDecoder(model).start(source)`` returns ``(step_fn, state)`` like
    :func:`keras_step_fn`.  ``encode(sources)`` runs the encoder of an
    encoder-decoder over a batch of sources at once.
    """

    def __init__(self, model):
        from . import models

        self.kind = models.model_kind(model)
        if self.kind is None:
            raise TypeError("keras_step_fn needs a model from rnnbook.models.language_model or seq2seq_model; "
                            f"got {type_name(model)} {getattr(model, 'name', '')!r}")
        self.attention, self.masks_padding = None, False
        if self.kind == "language_model":
            self.embed = _weights(model.get_layer("embedding"))[0]
            rnn = model.get_layer("recurrent")
        else:
            self.source_embed = _weights(model.get_layer("source_embedding"))[0]
            self.embed = _weights(model.get_layer("target_embedding"))[0]
            self.encoder = _weights(model.get_layer("encoder"))
            rnn = model.get_layer("decoder")
            names = {layer.name for layer in model.layers}
            self.context = ("attention" if "attention" in names else
                            "every_step" if "repeat_context" in names else "initial_state")
            if self.context == "attention":
                self.attention = tuple(_weights(model.get_layer("attention")))     # () for the dot score
                self.masks_padding = "source_mask" in names
        self.cell = type(rnn).__name__.lower()
        self.units = rnn.units
        self.recurrent = _weights(rnn)
        self.kernel, self.bias = _weights(model.get_layer("readout"))

    def _cell(self, x, states):
        from .cells import gru_step, lstm_step, simple_rnn_step

        if self.cell == "gru":
            return gru_step.__wrapped__(x, states[0], *self.recurrent, reset_after=True).state
        if self.cell == "simplernn":
            return simple_rnn_step.__wrapped__(x, states[0], *self.recurrent, activation="tanh").state
        return lstm_step.__wrapped__(x, states[0], states[1], *self.recurrent).state

    def encode(self, sources) -> tuple[Array, Array]:
        """Encoder outputs [n, steps, units] and last states [n, units] for sources [n, steps]."""
        from .cells import gru_forward

        if self.kind != "seq2seq":
            raise TypeError("encode needs an encoder-decoder (rnnbook.models.seq2seq_model)")
        ids = _ids("sources", sources, self.source_embed.shape[0], allow_empty=False, ndim=2)
        x = self.source_embed[ids]
        outputs, _ = gru_forward(x, *self.encoder[:3])
        if len(self.encoder) == 6:           # bidirectional: the backward GRU reads x reversed
            backward, _ = gru_forward(x[:, ::-1], *self.encoder[3:])
            return np.concatenate([outputs, backward[:, ::-1]], axis=-1), outputs[:, -1]
        return outputs, outputs[:, -1]

    def encoded(self, sources) -> tuple[Array, Array, Array]:
        """:meth:`encode` and :meth:`source_mask` of sources [n, steps]: the ``encoded`` that :meth:`start` takes."""
        return (*self.encode(sources), self.source_mask(sources))

    def source_mask(self, sources) -> Array:
        """Where an attending model looks: False at the padding (id 0) of sources [n, steps], True elsewhere.

        All True for a model that has no source mask (it reads the padding too).
        """
        ids = _ids("sources", sources, self.source_embed.shape[0], allow_empty=False, ndim=2)
        return ids != 0 if self.masks_padding else np.ones(ids.shape, bool)

    def log_probs(self, ids) -> Array:
        """A language model's log-probabilities [steps, vocab] after each token of ``ids``, from a zero state."""
        if self.kind != "language_model":
            raise TypeError("log_probs needs a language model (rnnbook.models.language_model)")
        ids = _ids("ids", ids, self.embed.shape[0], allow_empty=False)
        return _log_softmax(self._states(ids) @ self.kernel + self.bias)

    def _states(self, ids: Array) -> Array:
        """The recurrent states [steps, units] after each id, from a zero state.

        The same equations as :mod:`rnnbook.cells` (a test compares the two),
        written for one long sequence: the input side x_t W + b of every
        token of the vocabulary is computed once, and each step keeps only
        its state, not its gates, so a text of 10,000 characters takes a
        fraction of a second.
        """
        W, U, b = self.recurrent
        u, gate = self.units, lambda a: np.exp(-np.logaddexp(0.0, -a))    # cells.sigmoid, unchecked
        rows = self.embed @ W + (b[0] if self.cell == "gru" else b)         # [vocab, gates * units]
        b_rec = b[1] if self.cell == "gru" else 0.0
        h, c = np.zeros(u), np.zeros(u)
        out = np.empty((len(ids), u))
        for t, token in enumerate(ids):
            a = rows[token]
            if self.cell == "gru":                    # reset_after=True, Keras's default
                hu = h @ U + b_rec
                zr = gate(a[: 2 * u] + hu[: 2 * u])
                h_cand = np.tanh(a[2 * u :] + zr[u:] * hu[2 * u :])
                h = zr[:u] * h + (1.0 - zr[:u]) * h_cand
            elif self.cell == "lstm":
                a = a + h @ U
                i_f, o = gate(a[: 2 * u]), gate(a[3 * u :])
                c = i_f[u:] * c + i_f[:u] * np.tanh(a[2 * u : 3 * u])
                h = o * np.tanh(c)
            else:
                h = np.tanh(a + h @ U)
            out[t] = h
        return out

    def start(self, source=None, encoded=None) -> tuple[StepFn, object]:
        """``(step_fn, state)`` for one prompt or source.

        ``encoded`` reuses rows of :meth:`encode` (one per input) instead of
        a source: ``(memory, last)``, or ``(memory, last, mask)`` with the rows
        of :meth:`source_mask` for a model that masks its source's padding.
        """
        if self.kind == "language_model":
            prompt = _ids("source", source, self.embed.shape[0], allow_empty=True)
            states = tuple(np.zeros((1, self.units)) for _ in range(2 if self.cell == "lstm" else 1))
            for token in prompt[:-1]:                   # read the prompt up to its last token
                states = self._cell(self.embed[[token]], states)
            return self._lm_step, states if self.cell == "lstm" else states[0]
        if encoded is None:
            encoded = self.encoded(_ids("source", source, self.source_embed.shape[0], allow_empty=False)[None])
        memory, last, real = encoded if len(encoded) == 3 else (*encoded, np.ones(encoded[0].shape[:2], bool))
        if self.context == "initial_state":
            return self._plain_step, last
        if self.context == "every_step":
            return self._context_step, (last, last.copy())
        return self._attention_step, (last, memory, real)

    def attention_map(self, source, tokens, bos_id: int) -> Array:
        """An attending model's weights alpha [len(tokens), source_steps] while it reads BOS and ``tokens[:-1]``.

        Row ``t`` is the attention paid to each source position when the
        model predicts ``tokens[t]`` (teacher forcing along ``tokens``).
        """
        if self.kind != "seq2seq" or self.context != "attention":
            raise TypeError("attention_map needs an encoder-decoder built with context='attention'")
        ids = _ids("tokens", tokens, self.embed.shape[0], allow_empty=False)
        bos_id = check_int("bos_id", bos_id, minimum=0)
        memory, h, real = self.encoded(_ids("source", source, self.source_embed.shape[0], allow_empty=False)[None])
        rows = []
        for token in np.concatenate([[bos_id], ids[:-1]]):
            h = self._cell(self.embed[[token]], (h,))[0]
            rows.append(self._attend(h, memory, real)[1][0])
        return np.array(rows)

    def _attend(self, h, memory, real):
        if self.attention:
            return _additive_attention(h, memory, *self.attention, real)
        return _dot_attention(h, memory, real)

    def _lm_step(self, tokens, state):
        states = self._cell(self.embed[tokens], state if isinstance(state, tuple) else (state,))
        new_state = states if self.cell == "lstm" else states[0]
        return _log_softmax(states[0] @ self.kernel + self.bias), new_state

    def _plain_step(self, tokens, h):
        h = self._cell(self.embed[tokens], (h,))[0]
        return _log_softmax(h @ self.kernel + self.bias), h

    def _context_step(self, tokens, state):
        h, c = state
        h = self._cell(np.concatenate([self.embed[tokens], c], axis=-1), (h,))[0]
        return _log_softmax(np.concatenate([h, c], axis=-1) @ self.kernel
                            + self.bias), (h, c)

    def _attention_step(self, tokens, state):
        h, memory, real = state
        h = self._cell(self.embed[tokens], (h,))[0]
        context, _ = self._attend(h, memory, real)
        return _log_softmax(np.concatenate([h, context], axis=-1) @ self.kernel + self.bias), (h, memory, real)


def _ids(name: str, source, vocab: int, allow_empty: bool, ndim: int = 1) -> Array:
    if source is None:
        source = []
    desc = "[steps] (token ids)" if ndim == 1 else "[n, steps] (token ids)"
    ids = as_array(name, source, ndim=ndim, shape_desc=desc, dtype=None)
    if ids.size == 0:
        if allow_empty:
            return ids.astype(int)
        raise ValueError(f"{name} must hold at least one token id; got an empty sequence")
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer token ids; got dtype {ids.dtype}")
    if ids.min() < 0 or ids.max() >= vocab:
        raise ValueError(f"{name} ids must lie in [0, {vocab}); got values from {ids.min()} to {ids.max()}")
    return ids.astype(int)


def additive_attention(query, memory, W_query, W_memory, v, mask=None) -> tuple[Array, Array]:
    """Bahdanau's additive attention in NumPy: a context vector from a query and a memory.

        e_j     = v . tanh(W_query s + W_memory h_j)     a score for every source position j
        alpha   = softmax(e)                             weights that sum to 1 over j
        context = sum_j alpha_j h_j

    Parameters
    ----------
    query : array_like, shape [n, units]
        The decoder states s.
    memory : array_like, shape [n, steps, units]
        The encoder outputs h_1..h_T.
    W_query, W_memory : array_like, shape [units, attention_units]
    v : array_like, shape [attention_units]
    mask : array_like of bool, shape [n, steps], optional
        False at the positions to ignore (the source's padding): their score
        is -inf, so their weight is exactly 0.  Every row needs one True.

    Returns
    -------
    (context [n, units], alpha [n, steps])
    """
    query, memory, mask = _attention_inputs(query, memory, mask)
    return _additive_attention(query, memory, W_query, W_memory, v, mask)


def _additive_attention(query, memory, W_query, W_memory, v, mask=None):
    e = np.tanh((query @ W_query)[:, None, :] + memory @ W_memory) @ v  # [n, steps]
    return _attend(e, memory, mask)


def dot_attention(query, memory, mask=None) -> tuple[Array, Array]:
    """Luong's dot-product attention in NumPy: the score of position j is the dot product s . h_j.

    No weights of its own: it needs query and memory of the same size.  The
    arguments and the result are as in :func:`additive_attention`; Keras's
    ``keras.layers.Attention()`` computes the same.
    """
    query, memory, mask = _attention_inputs(query, memory, mask)
    return _dot_attention(query, memory, mask)


def _dot_attention(query, memory, mask=None):
    e = (memory @ query[:, :, None])[:, :, 0]                          # [n, steps]
    return _attend(e, memory, mask)


def _attend(e, memory, mask):
    """Softmax over the positions (masked ones get -inf, weight 0) and the weighted mean of the memory."""
    if mask is not None:
        e = np.where(mask, e, -np.inf)
    alpha = np.exp(e - e.max(axis=1, keepdims=True))
    alpha /= alpha.sum(axis=1, keepdims=True)
    return (alpha[:, :, None] * memory).sum(axis=1), alpha


def _attention_inputs(query, memory, mask):
    query = as_array("query", query, ndim=2, shape_desc="[n, units]")
    memory = as_array("memory", memory, ndim=3, shape_desc="[n, steps, units]")
    if memory.shape[0] != query.shape[0] or memory.shape[2] != query.shape[1]:
        raise ValueError(f"memory must have shape [n, steps, units] = [{query.shape[0]}, steps, {query.shape[1]}] "
                         f"to match query {query.shape}; got {memory.shape}")
    if mask is None:
        return query, memory, None
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must hold True (attend) or False (ignore); got dtype {mask.dtype}")
    if mask.shape != memory.shape[:2]:
        raise ValueError(f"mask must have shape [n, steps] = {memory.shape[:2]}; got {mask.shape}")
    if not mask.any(axis=1).all():
        raise ValueError(f"mask must keep at least one position in every row; row {int(np.argmin(mask.any(axis=1)))} "
                         "has none")
    return query, memory, mask
