"""Backpropagation through time at work: a character-level RNN and truncated BPTT.

* :class:`CharRNN` is a language model over an alphabet of symbols: one-hot
  input, a tanh SimpleRNN (:func:`rnnbook.cells.simple_rnn_forward` and
  :func:`~rnnbook.cells.simple_rnn_backward`), and a softmax output layer:

      h_t = tanh(x_t W + h_{t-1} U + b),    p_t = softmax(h_t W_y + b_y)

  It is trained on the mean cross-entropy per symbol.
* :func:`train` trains it with truncated BPTT, TBPTT(k1, k2): every ``k1``
  steps, the losses of those ``k1`` new steps are backpropagated through the
  last ``k2`` steps (``k2 >= k1``), while the *forward* pass carries the hidden
  state through the whole stream.  With ``k1 = k2`` this is the usual
  "chunked" training of min-char-rnn and of stateful Keras models.
* :func:`backward_steps` counts the backward step-operations TBPTT(k1, k2)
  costs on a stream of T steps; :func:`echo_task` makes a stream whose target
  is the input ``lag`` steps earlier, a dependency truncated BPTT cannot learn
  when ``k2 <= lag``.
* :class:`Adam` lives in :mod:`rnnbook.optim`; it is re-exported here, so
  ``bptt.Adam`` keeps working.

Shapes follow the book: symbol ids are ``[batch, steps]``, one-hot inputs
``[batch, steps, symbols]``, states ``[batch, steps, units]``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import cells, gradients
from ._validate import as_array, check_int, check_positive_int, check_positive_number, check_seed, check_str, type_name
from .optim import Adam

__all__ = ["softmax", "CharRNN", "Adam", "train", "backward_steps", "echo_task"]

Array = np.ndarray


def softmax(z) -> Array:
    """Softmax along the last axis, shifted by the maximum so that it never overflows.

    Parameters
    ----------
    z : array_like, shape [..., classes]
        Logits; an entry may be -inf (its probability is 0), but every row needs
        at least one finite entry, and NaN and +inf are refused.

    Raises
    ------
    TypeError
        If ``z`` is not an array of numbers.
    ValueError
        If ``z`` is a scalar, has no classes (last axis of size 0), holds NaN
        or +inf, or has a row of all -inf.
    """
    z = as_array("z", z)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have shape [..., classes] with at least one class; got shape {z.shape}")
    top = z.max(axis=-1, keepdims=True)  # NaN if a row holds NaN, +inf if it holds +inf, -inf if all -inf
    if not np.isfinite(top).all():
        _raise_non_finite_logits(z, top)
    e = np.exp(z - top)
    return e / e.sum(axis=-1, keepdims=True)


def _raise_non_finite_logits(z: Array, top: Array) -> None:
    """Say what is wrong with logits whose row maxima are not all finite."""
    def first(mask: Array) -> tuple[int, ...]:
        return tuple(int(i) for i in np.argwhere(mask)[0])

    if np.isnan(top).any():
        raise ValueError(f"z must hold finite numbers (or -inf); got NaN at index {first(np.isnan(z))}")
    if np.isposinf(top).any():
        raise ValueError(f"z must hold finite numbers (or -inf); got +inf at index {first(np.isposinf(z))}")
    if z.ndim == 1:
        raise ValueError("z needs a finite entry; got all -inf (softmax undefined)")
    row = first(np.isneginf(top[..., 0]))
    raise ValueError(f"every row of z needs a finite entry; the row at index {row} is all -inf (softmax undefined)")


def _check_ids(name: str, ids, vocab_size: int, ndim: int = 2) -> Array:
    arr = np.asarray(ids) if not isinstance(ids, (str, bytes)) else None
    if arr is None or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an array of integer symbol ids; got {type_name(ids)}"
                        + (f" with dtype {arr.dtype}" if arr is not None else ""))
    if arr.ndim != ndim:
        desc = "[batch, steps]" if ndim == 2 else "[steps]"
        raise ValueError(f"{name} must have shape {desc}; got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        raise ValueError(f"{name} must hold ids in [0, {vocab_size - 1}]; got values in [{arr.min()}, {arr.max()}]")
    return arr.astype(np.int64, copy=False)


class CharRNN:
    """A character-level language model: one-hot input, tanh SimpleRNN, softmax output.

        h_t = tanh(x_t W + h_{t-1} U + b)        x_t: one-hot row [1, V], h_t: [1, units]
        p_t = softmax(h_t W_y + b_y)             a distribution over the V symbols

    The weights live in ``params``: "kernel" W [V, units], "recurrent_kernel"
    U [units, units], "bias" b [units] (Keras's SimpleRNN layout),
    "output_kernel" W_y [units, V] and "output_bias" b_y [V].  The output
    weights start tiny, so an untrained model predicts nearly the uniform
    distribution and its loss starts at ln V.

    Parameters
    ----------
    alphabet : str or sequence of str
        The V distinct symbols (single characters), in id order.
    units : int
        Size of the hidden state.
    seed : int
        Seed of the initial weights.
    unknown : str, optional
        A symbol of ``alphabet`` that stands for any character not in it when
        encoding; without it, such a character raises ValueError.

    Raises
    ------
    TypeError, ValueError
        For an alphabet that is not distinct single characters, or bad sizes.
    """

    def __init__(self, alphabet: str | Sequence[str], units: int = 64, seed: int = 0, unknown: str | None = None):
        if isinstance(alphabet, str):
            alphabet = list(alphabet)
        if not isinstance(alphabet, (list, tuple)) or not all(isinstance(c, str) and len(c) == 1 for c in alphabet):
            raise TypeError(f"alphabet must be a string or a sequence of single characters; got {type_name(alphabet)}")
        if len(alphabet) < 2 or len(set(alphabet)) != len(alphabet):
            raise ValueError(f"alphabet must hold at least 2 distinct symbols; got {len(alphabet)} "
                             f"with {len(set(alphabet))} distinct")
        if unknown is not None and check_str("unknown", unknown) not in alphabet:
            raise ValueError(f"unknown must be a symbol of the alphabet; got {unknown!r}")
        units = check_positive_int("units", units)
        seed = check_seed("seed", seed)
        self.alphabet = list(alphabet)
        self.index = {c: i for i, c in enumerate(self.alphabet)}
        self.unknown = unknown
        self.units = units
        V = len(self.alphabet)
        rng = np.random.default_rng(seed)
        self.params = {
            "kernel": rng.normal(scale=0.3, size=(V, units)),
            "recurrent_kernel": rng.normal(scale=1.0 / np.sqrt(units), size=(units, units)),
            "bias": np.zeros(units),
            "output_kernel": rng.normal(scale=0.01, size=(units, V)),
            "output_bias": np.zeros(V),
        }

    @property
    def vocab_size(self) -> int:
        """V, the number of symbols."""
        return len(self.alphabet)

    def __repr__(self) -> str:
        n = sum(p.size for p in self.params.values())
        return f"CharRNN(V={self.vocab_size}, units={self.units}, {n} weights)"

    # ------------------------------------------------------------------ text <-> ids
    def encode(self, text: str) -> Array:
        """The ids of the characters of ``text``, shape [steps]."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type_name(text)}")
        unk = self.index.get(self.unknown)
        try:
            return np.array([self.index[c] if unk is None else self.index.get(c, unk) for c in text], dtype=np.int64)
        except KeyError as err:
            raise ValueError(f"character {err.args[0]!r} is not in the alphabet (pass unknown= to map it)") from None

    def decode(self, ids) -> str:
        """The characters of a sequence of ids, shape [steps]."""
        ids = _check_ids("ids", ids, self.vocab_size, ndim=1)
        return "".join(self.alphabet[i] for i in ids)

    # ------------------------------------------------------------------ forward and backward
    def forward(self, ids, h0=None) -> tuple[Array, Array, dict]:
        """Run the model over ``ids`` [batch, steps] from state ``h0`` [batch, units] (zeros if None).

        Returns
        -------
        probs : ndarray, shape [batch, steps, V]
            p_t, the predicted distribution of the symbol after each step.
        h : ndarray, shape [batch, steps, units]
            Every step's state; ``h[:, -1]`` is the state to carry on with.
        cache : dict
            The SimpleRNN's cache, for :meth:`loss_and_grads`.
        """
        ids = _check_ids("ids", ids, self.vocab_size)
        x = np.eye(self.vocab_size)[ids]  # one-hot, [batch, steps, V]
        p = self.params
        h, cache = cells.simple_rnn_forward(x, p["kernel"], p["recurrent_kernel"], p["bias"], h0=h0)
        return softmax(h @ p["output_kernel"] + p["output_bias"]), h, cache

    def loss(self, ids, targets, h0=None) -> float:
        """Mean cross-entropy per symbol, in nats, of predicting ``targets`` after ``ids`` (both [batch, steps])."""
        probs, _, _ = self.forward(ids, h0)
        targets = self._check_targets(targets, probs.shape[:2])
        picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
        return float(-np.mean(np.log(picked)))

    def _check_targets(self, targets, shape) -> Array:
        targets = _check_ids("targets", targets, self.vocab_size)
        if targets.shape != tuple(shape):
            raise ValueError(f"targets must have the shape of ids {tuple(shape)}; got shape {targets.shape}")
        return targets

    def loss_and_grads(
        self, ids, targets, h0=None, loss_steps: int | None = None
    ) -> tuple[float, dict, Array]:
        """The loss and its gradient by backpropagation through every step of ``ids``.

        Parameters
        ----------
        ids, targets : array_like of int, shape [batch, steps]
            Inputs and the symbols to predict after them.
        h0 : array_like, shape [batch, units], optional
            The state before the first step (zeros if None).  It is treated as
            a constant: no gradient flows into earlier steps.
        loss_steps : int, optional
            Only the last ``loss_steps`` steps count in the loss (all if None);
            the gradient still flows back through every step of ``ids``.

        Returns
        -------
        loss : float
            Mean cross-entropy per symbol over the counted steps.
        grads : dict
            d loss / d params, one array per key of ``params``.
        h : ndarray, shape [batch, steps, units]
            Every step's state; ``h[:, -1]`` is the one to carry on with.
        """
        probs, h, cache = self.forward(ids, h0)
        batch, steps, _ = probs.shape
        targets = self._check_targets(targets, (batch, steps))
        n = steps if loss_steps is None else check_positive_int("loss_steps", loss_steps)
        if n > steps:
            raise ValueError(
                f"loss_steps must be at most the number of steps {steps}; got {n}"
            )
        first = steps - n
        picked = np.take_along_axis(
            probs[:, first:], targets[:, first:, None], axis=-1
        )[..., 0]
        loss = float(-np.mean(np.log(picked)))

        # d loss / d (h W_y + b_y) = (p - onehot) / N on counted steps
        dlogits = np.zeros_like(probs)
        dlogits[:, first:] = probs[:, first:]
        np.put_along_axis(
            dlogits[:, first:], targets[:, first:, None], picked[..., None] - 1.0,
            axis=-1,
        )
        dlogits /= batch * n
        p = self.params
        g = cells.simple_rnn_backward(dlogits @ p["output_kernel"].T, cache)
        grads = {
            "kernel": g["kernel"],
            "recurrent_kernel": g["recurrent_kernel"],
            "bias": g["bias"],
            "output_kernel": cells._rows(h).T @ cells._rows(dlogits),
            "output_bias": dlogits.sum(axis=(0, 1)),
        }
        return loss, grads, h

    # ------------------------------------------------------------------ generation
    def sample(self, length: int, seed: int = 0, prompt: str = "", temperature: float = 1.0) -> str:
        """Generate ``length`` symbols after ``prompt``, each drawn from p_t (divided by ``temperature``).

        The prompt is fed in first to set the state; with an empty prompt the
        first symbol is drawn from the prediction of the zero state,
        softmax(b_y).  The same ``seed`` gives the same text.

        Raises
        ------
        TypeError, ValueError
            For a length that is not an int >= 0, a seed that is not an int >= 0,
            a prompt that is not a str (or holds a character outside the
            alphabet, without ``unknown``), or a temperature that is not > 0.
            Every argument is checked before anything is sampled.
        """
        length = check_int("length", length, minimum=0)
        seed = check_seed("seed", seed)
        prompt = check_str("prompt", prompt)
        temperature = check_positive_number("temperature", temperature)
        prompt_ids = self.encode(prompt)
        rng = np.random.default_rng(seed)
        p = self.params
        h = np.zeros((1, self.units))
        logits = p["output_bias"][None]  # the prediction before any input
        if prompt:
            _, hs, _ = self.forward(prompt_ids[None], h)
            h = hs[:, -1]
            logits = h @ p["output_kernel"] + p["output_bias"]
        out = []
        for _ in range(length):
            i = rng.choice(self.vocab_size, p=softmax(logits / temperature)[0])
            out.append(self.alphabet[i])
            h = cells.simple_rnn_step(np.eye(self.vocab_size)[[i]], h, p["kernel"], p["recurrent_kernel"], p["bias"]).h
            logits = h @ p["output_kernel"] + p["output_bias"]
        return prompt + "".join(out)


def backward_steps(steps: int, k1: int, k2: int) -> int:
    """The backward step-operations TBPTT(k1, k2) performs on a stream of ``steps`` steps.

    An update happens after steps k1, 2 k1, ... (while <= ``steps``); the one
    after step e backpropagates through the last min(k2, e) steps.  Full BPTT
    over the stream is one update of ``steps`` backward steps.

    Raises
    ------
    TypeError, ValueError
        Unless all three are ints >= 1 with k1 <= k2.
    """
    steps, k1, k2 = (check_positive_int(n, v) for n, v in (("steps", steps), ("k1", k1), ("k2", k2)))
    if k1 > k2:
        raise ValueError(f"k1 must be <= k2 (each update's new losses lie inside its window); got k1={k1}, k2={k2}")
    return sum(min(k2, e) for e in range(k1, steps + 1, k1))


def train(model: CharRNN, ids, targets=None, *, k1: int = 25, k2: int | None = None, batch: int = 16,
          updates: int = 1000, learning_rate: float = 3e-3, clip: float = 5.0, log_every: int = 100) -> dict:
    """Train ``model`` on one long stream of ids with truncated BPTT, TBPTT(k1, k2), and Adam.

    The stream is cut into ``batch`` contiguous rows that are read in
    parallel, left to right.  Each update reads ``k1`` new steps of every row,
    then backpropagates the loss of those k1 steps through the window of the
    last ``k2`` steps (``k2 >= k1``; default k2 = k1), starting from the state
    stored before the window: the forward pass carries the hidden state through
    the whole stream, only the gradient is cut.  Gradients are clipped to a
    global norm of ``clip``.  At the end of the rows, reading restarts at their
    beginning from a zero state.

    Parameters
    ----------
    model : CharRNN
        Trained in place.
    ids : array_like of int, shape [steps]
        The input stream.
    targets : array_like of int, shape [steps], optional
        The symbol to predict after each input; by default the next symbol of
        the stream (``ids[1:]``, the inputs being ``ids[:-1]``).
    k1, k2 : int
        Update every k1 steps; backpropagate through k2 steps.
    batch : int
        Rows read in parallel.
    updates : int
        Number of parameter updates.
    learning_rate : float
        Adam's learning rate.
    clip : float
        Maximum global norm of the gradient.
    log_every : int
        Record the mean training loss of every ``log_every`` updates.

    Returns
    -------
    dict
        "update" and "loss" (the logged mean losses), "backward_steps" and
        "forward_steps" (per row, summed over all updates), "clipped" (how many
        updates were clipped).

    Raises
    ------
    TypeError, ValueError
        For a model that is not a CharRNN, ids of the wrong shape or range, or
        sizes that do not fit (k1 > k2, rows shorter than k2).
    """
    if not isinstance(model, CharRNN):
        raise TypeError(f"model must be a CharRNN; got {type_name(model)}")
    ids = _check_ids("ids", ids, model.vocab_size, ndim=1)
    if targets is None:
        ids, targets = ids[:-1], ids[1:]
    else:
        targets = _check_ids("targets", targets, model.vocab_size, ndim=1)
        if targets.shape != ids.shape:
            raise ValueError(f"targets must have the shape of ids {ids.shape}; got shape {targets.shape}")
    k1 = check_positive_int("k1", k1)
    k2 = k1 if k2 is None else check_positive_int("k2", k2)
    if k1 > k2:
        raise ValueError(f"k1 must be <= k2; got k1={k1}, k2={k2}")
    batch, updates, log_every = (check_positive_int(n, v) for n, v in
                                 (("batch", batch), ("updates", updates), ("log_every", log_every)))
    clip = check_positive_number("clip", clip)
    row = len(ids) // batch
    if row < k2:
        raise ValueError(f"each of the {batch} rows has {row} steps, fewer than k2={k2}: use a smaller batch")
    X = ids[:batch * row].reshape(batch, row)
    Y = targets[:batch * row].reshape(batch, row)

    opt = Adam(learning_rate)
    states = {0: np.zeros((batch, model.units))}  # state before position p, for the window starts still needed
    end, recent = 0, []
    history = {"update": [], "loss": [], "backward_steps": 0, "forward_steps": 0, "clipped": 0}
    for u in range(1, updates + 1):
        if end + k1 > row:  # end of the rows: start again from a zero state
            end, states = 0, {0: np.zeros((batch, model.units))}
        end += k1
        start = max(0, end - k2)
        loss, grads, h = model.loss_and_grads(X[:, start:end], Y[:, start:end], states[start],
                                              loss_steps=min(k1, end - start))
        # keep the states the next windows start from (positions >= end + k1 - k2)
        for j in range(end - start):
            if start + j + 1 >= end + k1 - k2:
                states[start + j + 1] = h[:, j]
        states = {p: s for p, s in states.items() if p >= end + k1 - k2}
        grads, norm = gradients.clip_by_global_norm(grads, clip)
        history["clipped"] += int(norm > clip)
        opt.step(model.params, grads)
        history["backward_steps"] += end - start
        history["forward_steps"] += end - start
        recent.append(loss)
        if u % log_every == 0:
            history["update"].append(u)
            history["loss"].append(float(np.mean(recent)))
            recent = []
    return history


def echo_task(steps: int, lag: int, seed: int = 0) -> tuple[Array, Array]:
    """A stream of random bits whose target at step t is the bit at step t - lag.

    Predicting the target needs a memory of exactly ``lag`` steps: the loss at
    step t depends on the input ``lag`` steps earlier, so a gradient must travel
    back through ``lag`` recurrent steps to teach it.  The first ``lag`` targets
    (before any input to echo) are 0.  Chance accuracy is 50 %.

    Returns
    -------
    ids, targets : ndarray of int64, shape [steps]
        Symbols 0 and 1 (use a CharRNN with alphabet "01").
    """
    steps = check_positive_int("steps", steps)
    lag = check_positive_int("lag", lag)
    seed = check_seed("seed", seed)
    if steps <= lag:
        raise ValueError(f"steps must be larger than lag; got steps={steps}, lag={lag}")
    ids = np.random.default_rng(seed).integers(0, 2, size=steps)
    targets = np.zeros(steps, dtype=np.int64)
    targets[lag:] = ids[:-lag]
    return ids.astype(np.int64), targets
