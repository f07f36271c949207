"""Training recurrent networks in practice: the tools of chapter 7.

* :func:`keras_dropout_masks` reads back the dropout masks a Keras recurrent
  layer really applies, step by step, so that the claim "one mask per
  sequence" can be measured instead of believed.
* :func:`cudnn_blockers` lists what keeps an ``LSTM`` or ``GRU`` layer off the
  fused cuDNN kernel, following the rules of Keras 3's TensorFlow backend.
* :func:`random_walk_tagging` makes a sequence-labelling task with sequences
  of different lengths; :func:`pad_right` pads them and returns the mask;
  :func:`masked_scores` scores per-step predictions with and without it.
* :func:`bucket_batches` groups sequences of similar length into batches and
  :func:`padded_steps` counts the steps a recurrent layer then computes.
* :func:`seconds_per_update` and :func:`epoch_seconds` time training steps
  (wall clock: the numbers vary from run to run and machine to machine).
* :func:`compare_early_stopping` (built on the protocol runs of
  :mod:`rnnbook.benchmark`; for other callbacks, pass ``callbacks=`` to
  :func:`rnnbook.benchmark.compare_models`) scores every run twice, after the full budget and with the weights that
  early stopping on the validation loss would have restored
  (:func:`early_stopping_epochs` applies Keras's rule to a curve);
  :func:`paired_differences` compares two rows seed by seed.

Keras is imported inside the functions that need it.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ._validate import (as_array, check_bool, check_choice, check_int, check_number, check_positive_int, check_seed,
                        type_name)

__all__ = ["keras_dropout_masks", "cudnn_blockers", "random_walk_tagging", "pad_right", "masked_scores",
           "bucket_batches", "padded_steps", "seconds_per_update", "xla_tradeoff", "epoch_seconds",
           "early_stopping_epochs", "compare_early_stopping", "paired_differences", "paired_table"]


# --------------------------------------------------------------------------- dropout masks
def keras_dropout_masks(
    rate: float, *, kind: str = "recurrent", batch: int = 4, steps: int = 10,
    units: int = 8, seed: int = 0,
) -> np.ndarray:
    """The dropout masks that a Keras ``SimpleRNN`` applies at every step of one training call.

    The layer is given weights that make the mask readable from its output.
    For ``kind="recurrent"`` (``recurrent_dropout=rate``): a linear cell with
    W = 1, U = (1 - rate)/2 · I and no bias on an input of ones computes
    h_t = 1 + (m_t ⊙ h_{t-1}) / 2, where m_t is the mask (0, or 1/(1 - rate)
    after Keras's rescaling); since h_{t-1} >= 1, a kept unit gives
    h_t >= 1.5 and a dropped one exactly 1.  For ``kind="input"``
    (``dropout=rate``): W = I, U = 0 on an input of ones gives h_t = m_t.

    Parameters
    ----------
    rate : float in (0, 1)
        The dropout rate.
    kind : {"recurrent", "input"}
        Which of the layer's two dropouts to read.
    batch, steps, units : int
        Sequences in the batch, steps read, and units (= input features for ``"input"``).
    seed : int
        The layer's dropout seed.

    Returns
    -------
    ndarray of bool, shape [batch, steps, units]
        ``True`` where the value was kept at that step.

    Raises
    ------
    TypeError
        If a size or the seed is not an int, or ``rate`` is not a number.
    ValueError
        If ``rate`` is not in (0, 1), ``kind`` is unknown, or a size is < 1.
    """
    rate = check_number("rate", rate, 0, 1, low_open=True, high_open=True)
    check_choice("kind", kind, ("recurrent", "input"))
    batch, steps, units = (
        check_positive_int(n, v)
        for n, v in (("batch", batch), ("steps", steps), ("units", units))
    )
    seed = check_seed("seed", seed)

    import keras

    if kind == "recurrent":
        layer = keras.layers.SimpleRNN(
            units, activation="linear", use_bias=False, recurrent_dropout=rate,
            seed=seed, return_sequences=True,
        )
        # step 0 has no h_{t-1} to drop
        x = np.ones((batch, steps + 1, 1), dtype="float32")
        layer.build(x.shape)
        layer.set_weights([np.ones((1, units)), (1 - rate) / 2 * np.eye(units)])
        h = np.asarray(layer(x, training=True))[:, 1:]
        return h > 1.25
    layer = keras.layers.SimpleRNN(
        units, activation="linear", use_bias=False, dropout=rate, seed=seed,
        return_sequences=True,
    )
    x = np.ones((batch, steps, units), dtype="float32")
    layer.build(x.shape)
    layer.set_weights([np.eye(units), np.zeros((units, units))])
    return np.asarray(layer(x, training=True)) > 0.5


# --------------------------------------------------------------------------- cuDNN
def cudnn_blockers(layer) -> list[str]:
    """What keeps a Keras layer off the fused cuDNN kernel, by the rules of Keras 3's TensorFlow backend.

    An ``LSTM`` or ``GRU`` runs on cuDNN when TensorFlow sees a GPU, the mask
    (if any) is strictly right-padded with no sequence fully masked, and every
    rule below holds; an empty list means the layer's own settings allow it.
    The rules, as ``keras/src/layers/rnn/lstm.py``, ``gru.py`` and
    ``keras/src/backend/tensorflow/rnn.py`` apply them: ``use_cudnn`` is not
    ``False``; ``activation`` is tanh; ``recurrent_activation`` is sigmoid;
    ``recurrent_dropout`` is 0 (``dropout`` is allowed); ``unroll`` is
    ``False``; ``use_bias`` is ``True``; for a GRU, ``reset_after`` is
    ``True``.  Other layers (``SimpleRNN``, ``RNN`` with a custom cell) have
    no cuDNN kernel.  A ``Bidirectional`` wrapper is judged by its two layers.

    Parameters
    ----------
    layer : keras.layers.Layer

    Returns
    -------
    list of str
        One reason per rule broken; empty if none is.

    Raises
    ------
    TypeError
        If ``layer`` is not a Keras layer.
    """
    import keras

    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(f"layer must be a keras layer such as keras.layers.LSTM(32); got {type_name(layer)}")
    if isinstance(layer, keras.layers.Bidirectional):
        found = cudnn_blockers(layer.forward_layer) + cudnn_blockers(layer.backward_layer)
        return list(dict.fromkeys(found))
    if not isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
        return [f"{type(layer).__name__} has no cuDNN kernel (only LSTM and GRU have one)"]
    reasons = []
    if keras.backend.backend() != "tensorflow":
        reasons.append(f"the {keras.backend.backend()} backend (the fused kernel is used with TensorFlow)")
    if layer.use_cudnn is False:
        reasons.append("use_cudnn=False")
    tanhs = (keras.activations.tanh, keras.ops.tanh)
    sigmoids = (keras.activations.sigmoid, keras.ops.sigmoid)
    if layer.activation not in tanhs:
        reasons.append(f"activation={getattr(layer.activation, '__name__', layer.activation)!s} (must be tanh)")
    if layer.recurrent_activation not in sigmoids:
        reasons.append(f"recurrent_activation={getattr(layer.recurrent_activation, '__name__', '?')!s} "
                       "(must be sigmoid)")
    if layer.recurrent_dropout > 0:
        reasons.append(f"recurrent_dropout={layer.recurrent_dropout:g} (must be 0)")
    if layer.unroll:
        reasons.append("unroll=True")
    if not layer.use_bias:
        reasons.append("use_bias=False")
    if isinstance(layer, keras.layers.GRU) and not layer.reset_after:
        reasons.append("reset_after=False (the cuDNN GRU resets after the recurrent product)")
    return reasons


# --------------------------------------------------------------------------- variable-length sequences
def random_walk_tagging(n: int, *, min_steps: int = 5, max_steps: int = 60, seed: int = 0):
    """A sequence-labelling task: tag every step of a random walk with "above zero".

    Each sequence is a random walk of ±1 moves of a random length in
    [``min_steps``, ``max_steps``]; its input at step t is the move x_t, shape
    [steps, 1], and its label is 1 where the position x_1 + ... + x_t is above
    0, else 0.  The label needs the whole past (a count), not the last move
    only, and 0 never occurs as an input, so it is free to mark padding.

    Returns
    -------
    xs : list of ndarray, each shape [steps_i, 1], float32
    ys : list of ndarray, each shape [steps_i], float32

    Raises
    ------
    TypeError
        If a size or the seed is not an int.
    ValueError
        If ``n`` < 1 or not 1 <= ``min_steps`` <= ``max_steps``.
    """
    n = check_positive_int("n", n)
    min_steps = check_positive_int("min_steps", min_steps)
    max_steps = check_int("max_steps", max_steps, minimum=min_steps)
    rng = np.random.default_rng(check_seed("seed", seed))
    xs, ys = [], []
    for length in rng.integers(min_steps, max_steps + 1, size=n):
        moves = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=length)
        xs.append(moves[:, None])
        ys.append((np.cumsum(moves) > 0).astype(np.float32))
    return xs, ys


def _check_sequences(name: str, seqs) -> list[np.ndarray]:
    if isinstance(seqs, (str, bytes, np.ndarray)) or not isinstance(seqs, Sequence) or not seqs:
        raise TypeError(f"{name} must be a non-empty list of arrays, one per sequence; got {type_name(seqs)}")
    out = [as_array(f"{name}[{k}]", s, dtype=np.float32) for k, s in enumerate(seqs)]
    for k, s in enumerate(out):
        if s.ndim == 0 or s.shape[0] == 0:
            raise ValueError(f"{name}[{k}] must hold at least one step; got shape {s.shape}")
        if s.shape[1:] != out[0].shape[1:]:
            raise ValueError(f"every sequence of {name} needs the same per-step shape; "
                             f"{name}[0] has {out[0].shape[1:]} and {name}[{k}] has {s.shape[1:]}")
    return out


def pad_right(seqs, length: int | None = None, value: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Stack sequences of different lengths into one array, padding at the end (the right).

    Parameters
    ----------
    seqs : list of array_like, each shape [steps_i, ...]
        The sequences; every step has the same shape.
    length : int or None
        The padded length; ``None`` for the longest sequence.
    value : float
        What the padded steps hold.

    Returns
    -------
    x : ndarray, shape [batch, length, ...], float32
    mask : ndarray of bool, shape [batch, length]
        ``True`` on the real steps.

    Raises
    ------
    TypeError
        If ``seqs`` is not a list of arrays, or ``length`` is not an int.
    ValueError
        If a sequence is empty or longer than ``length``, or the per-step shapes differ.
    """
    seqs = _check_sequences("seqs", seqs)
    longest = max(s.shape[0] for s in seqs)
    length = longest if length is None else check_int("length", length, minimum=longest)
    value = check_number("value", value)
    x = np.full((len(seqs), length) + seqs[0].shape[1:], value, dtype=np.float32)
    mask = np.zeros((len(seqs), length), dtype=bool)
    for k, s in enumerate(seqs):
        x[k, :s.shape[0]] = s
        mask[k, :s.shape[0]] = True
    return x, mask


def _check_mask(mask) -> np.ndarray:
    arr = np.asarray(mask) if not isinstance(mask, (str, bytes)) and mask is not None else np.asarray([""])
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"mask must be an array of bools (or 0/1); got {type_name(mask)} with dtype {arr.dtype}")
    return arr.astype(bool)


def masked_scores(y_true, p, mask) -> dict[str, float]:
    """Mean binary cross-entropy and accuracy of per-step probabilities, over all steps and over the real ones.

    Parameters
    ----------
    y_true : array_like of 0/1, shape [batch, steps]
    p : array_like, shape [batch, steps] (or [batch, steps, 1])
        Predicted probabilities of label 1.
    mask : array_like of bool, shape [batch, steps]
        ``True`` on the real steps, ``False`` on padding.

    Returns
    -------
    dict
        ``"loss (all steps)"``, ``"loss (real steps)"``, ``"accuracy (all steps)"``,
        ``"accuracy (real steps)"``: the loss in nats per step.

    Raises
    ------
    ValueError
        If the shapes differ or the mask has no real step.
    """
    y = as_array("y_true", y_true)
    p = as_array("p", p)
    if p.ndim == y.ndim + 1 and p.shape[-1] == 1:
        p = p[..., 0]
    m = _check_mask(mask)
    if not (y.shape == p.shape == m.shape):
        raise ValueError(
            f"y_true, p and mask must have the same shape [batch, steps]; "
            f"got {y.shape}, {p.shape} and {m.shape}"
        )
    if not m.any():
        raise ValueError("mask has no real step (every value is False)")
    q = np.clip(p, 1e-7, 1 - 1e-7)                       # Keras's epsilon
    # per-step cross-entropy, [batch, steps]
    loss = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    hit = ((p > 0.5) == (y > 0.5)).astype(float)
    return {
        "loss (all steps)": float(loss.mean()),
        "loss (real steps)": float(loss[m].mean()),
        "accuracy (all steps)": float(hit.mean()),
        "accuracy (real steps)": float(hit[m].mean()),
    }


# --------------------------------------------------------------------------- bucketing
def _check_lengths(lengths) -> np.ndarray:
    arr = as_array("lengths", lengths, ndim=1, shape_desc="(n,)", dtype=None)
    if arr.dtype.kind not in "iu" or arr.size == 0 or (arr < 1).any():
        raise ValueError(f"lengths must be a non-empty 1-D array of ints >= 1; got {arr.dtype} values "
                         f"of shape {arr.shape}")
    return arr.astype(np.int64)


def bucket_batches(
    lengths, batch_size: int, boundaries: Sequence[int], *, seed: int = 0
) -> list[np.ndarray]:
    """Batches of sequence indices, each drawn from one bucket of similar lengths.

    A sequence of length L goes to bucket ``b``, the number of boundaries <= L
    (as ``tf.data.Dataset.bucket_by_sequence_length`` counts them). The
    sequences of each bucket are shuffled and cut into batches of
    ``batch_size`` (the last one may be smaller), and the batches of all
    buckets are shuffled together, so every epoch mixes lengths from batch to
    batch but not inside a batch.

    Parameters
    ----------
    lengths : array_like of int, shape (n,)
    batch_size : int
    boundaries : sequence of int
        Increasing bucket boundaries, e.g. ``(15, 30, 45)`` for four buckets.
    seed : int
        Seed of both shuffles.

    Returns
    -------
    list of ndarray of int
        The indices of each batch; together they hold every index once.

    Raises
    ------
    TypeError
        If ``batch_size`` or ``seed`` is not an int.
    ValueError
        If ``lengths`` is not a 1-D array of ints >= 1, or ``boundaries`` is not increasing.
    """
    lengths = _check_lengths(lengths)
    batch_size = check_positive_int("batch_size", batch_size)
    bounds = np.asarray(boundaries)
    if (
        bounds.ndim != 1
        or bounds.dtype.kind not in "iu"
        or (np.diff(bounds) <= 0).any()
    ):
        raise ValueError(
            "boundaries must be increasing ints, e.g. (15, 30, 45); "
            f"got {boundaries!r}"
        )
    return _bucket_batches(lengths, batch_size, bounds, check_seed("seed", seed))


def _bucket_batches(lengths: np.ndarray, batch_size: int, bounds: np.ndarray,
                    seed: int) -> list[np.ndarray]:
    """:func:`bucket_batches` once its arguments are checked: bucket, shuffle, cut, shuffle again."""
    rng = np.random.default_rng(seed)
    # 0 .. len(boundaries)
    bucket = np.searchsorted(bounds, lengths, side="right")
    batches = []
    for b in np.unique(bucket):
        members = rng.permutation(np.flatnonzero(bucket == b))
        batches += [
            members[i:i + batch_size] for i in range(0, len(members), batch_size)
        ]
    return [batches[k] for k in rng.permutation(len(batches))]


def padded_steps(lengths, batches: Sequence[np.ndarray]) -> int:
    """The steps a recurrent layer computes in one epoch when every batch is padded to its longest sequence.

    Masked steps cost as much as real ones: Keras computes every step and
    then keeps the old state where the mask says so.

    Raises
    ------
    TypeError
        If ``batches`` is not a list of index arrays.
    ValueError
        If ``lengths`` is invalid or an index is out of range.
    """
    lengths = _check_lengths(lengths)
    if isinstance(batches, (str, bytes, np.ndarray)) or not isinstance(batches, Sequence):
        raise TypeError(f"batches must be a list of index arrays; got {type_name(batches)}")
    total = 0
    for k, b in enumerate(batches):
        idx = as_array(f"batches[{k}]", b, ndim=1, shape_desc="(batch,)", dtype=None)
        if idx.size == 0:
            continue
        if idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= len(lengths):
            raise ValueError(f"batches[{k}] must hold indices in [0, {len(lengths)}); got {idx.dtype} values")
        total += len(idx) * int(lengths[idx].max())
    return total


# --------------------------------------------------------------------------- timing
def seconds_per_update(model, x, y, *, repeats: int = 5, loss: str = "mse", jit_compile: bool = False) -> float:
    """Seconds of one training update (forward, backward, Adam step) on one batch: the fastest of ``repeats``.

    The model is compiled with Adam (with XLA if ``jit_compile``); two untimed
    updates first trace (and compile) the step function.  The fastest repeat is the one least disturbed by other work on
    the machine (as ``timeit`` reports it); the numbers still vary from run to
    run and machine to machine.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``repeats`` is not an int.
    ValueError
        If ``repeats`` < 1.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type_name(model)}")
    repeats = check_positive_int("repeats", repeats)
    check_bool("jit_compile", jit_compile)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, jit_compile=jit_compile)
    for _ in range(2):
        model.train_on_batch(x, y)
    return _fastest_update(model, x, y, repeats)


def _fastest_update(model, x, y, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - start)
    return float(min(times))


def xla_tradeoff(build, x, y, *, repeats: int = 5, loss: str = "mse") -> dict:
    """What XLA costs and saves for one model on this machine: compile time against time per update.

    ``build()`` makes a fresh, uncompiled model; it is trained on the batch
    ``(x, y)`` once with Keras's default graph mode and once with
    ``jit_compile=True``.  For each: ``first`` is the seconds of the first
    update (tracing, and under XLA compiling), ``update`` the seconds of a
    warm update (the fastest of ``repeats``).  ``break_even`` is the number of
    updates after which XLA's extra start-up cost is paid back by its faster
    updates (``inf`` if it is never faster).  Wall-clock times: they vary.

    Returns
    -------
    dict
        ``{"default": {"first": s, "update": s}, "xla": {...}, "break_even": updates}``.
    """
    import keras

    if not callable(build):
        raise TypeError(f"build must be a function that returns a fresh keras.Model; got {type_name(build)}")
    repeats = check_positive_int("repeats", repeats)
    result = {}
    for name, jit in (("default", False), ("xla", True)):
        model = build()
        if not isinstance(model, keras.Model):
            raise TypeError(f"build() must return a keras.Model; got {type_name(model)}")
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, jit_compile=jit)
        start = time.perf_counter()
        model.train_on_batch(x, y)
        first = time.perf_counter() - start
        model.train_on_batch(x, y)
        result[name] = {"first": first, "update": _fastest_update(model, x, y, repeats)}
    saved = result["default"]["update"] - result["xla"]["update"]
    extra = result["xla"]["first"] - result["default"]["first"]
    result["break_even"] = max(extra, 0.0) / saved if saved > 0 else float("inf")
    return result


def epoch_seconds(model, batches: Sequence[tuple[Any, Any]], *, repeats: int = 3) -> float:
    """Wall-clock seconds of one pass of ``model.train_on_batch`` over ``batches``, each batch at its fastest.

    One untimed pass first traces the step function for every batch shape;
    then every batch is trained ``repeats`` times in a row and its fastest
    time counts, so that a moment of other work on the machine does not land
    in the total.  The model must be compiled.  Wall-clock time: it varies.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model, or ``batches`` is not a list of (x, y) pairs.
    ValueError
        If ``batches`` is empty or ``repeats`` < 1.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a compiled keras.Model; got {type_name(model)}")
    if isinstance(batches, (str, bytes)) or not isinstance(batches, Sequence) or not batches:
        raise ValueError(f"batches must be a non-empty list of (x, y) pairs; got {type_name(batches)}")
    if not all(isinstance(b, tuple) and len(b) == 2 for b in batches):
        raise TypeError("batches must hold (x, y) tuples")
    repeats = check_positive_int("repeats", repeats)
    for xb, yb in batches:
        model.train_on_batch(xb, yb)
    total = 0.0
    for xb, yb in batches:
        fastest = np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            model.train_on_batch(xb, yb)
            fastest = min(fastest, time.perf_counter() - start)
        total += fastest
    return float(total)


# --------------------------------------------------------------------------- comparisons with callbacks
def early_stopping_epochs(val_curve, patience: int) -> tuple[int, int]:
    """Where ``keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)`` stops on this curve.

    The rule: after every epoch, the monitored loss either improves on the
    best so far (strictly lower) or adds one to a count of epochs without
    improvement; training stops once that count reaches ``patience``, and the
    weights of the best epoch are restored.

    Parameters
    ----------
    val_curve : array_like, shape (epochs,)
        The validation loss after each epoch of a run.
    patience : int
        Epochs without improvement before stopping.

    Returns
    -------
    (epochs_trained, best_epoch) : tuple of int
        Both counted from 1; ``epochs_trained`` is the whole curve if the rule never fires.

    Raises
    ------
    TypeError
        If ``patience`` is not an int.
    ValueError
        If ``patience`` < 1 or the curve is empty or not finite.
    """
    curve = as_array("val_curve", val_curve, ndim=1, shape_desc="(epochs,)")
    if curve.size == 0 or not np.isfinite(curve).all():
        raise ValueError(
            "val_curve must be a non-empty curve of finite losses; "
            f"got shape {curve.shape}"
        )
    patience = check_positive_int("patience", patience)
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, value in enumerate(curve):
        wait += 1
        if value < best:
            best, best_epoch, wait = value, epoch, 0
        if wait >= patience and epoch > 0:
            return epoch + 1, best_epoch + 1
    return len(curve), best_epoch + 1


class _WeightHistory:
    """A Keras callback (built lazily, so that this module does not import Keras) keeping the weights of every epoch."""

    @staticmethod
    def make():
        import keras

        class WeightHistory(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.weights = []

            def on_epoch_end(self, epoch, logs=None):
                self.weights.append(self.model.get_weights())

        return WeightHistory()


def _early_stopping_run(task, model, history, seconds, callbacks, patience: int, keep: bool) -> dict:
    """What :func:`compare_early_stopping` keeps of one trained run: scored after the full budget and at its best epoch."""
    from . import models

    recorder = callbacks[0]
    curve = tuple(float(v) for v in history.history["val_loss"])
    trained, best = early_stopping_epochs(curve, patience)
    out = {"params": models.count_params(model), "seconds": list(seconds), "trained": trained}
    for key, weights in (("full", model.get_weights()), ("early", recorder.weights[best - 1])):
        model.set_weights(weights)
        out[key] = {"score": float(task.score(model)),
                    "val": float(task.val_score(model)) if task.val_score is not None else None,
                    "curve": curve if key == "full" else curve[:trained],
                    "weights": weights if keep else None}
    return out


def compare_early_stopping(task, builders: Mapping[str, Callable[[], Any]], *, patience: int,
                           seeds: Sequence[int] = (0, 1, 2), keep_models: bool = False):
    """Each model trained with the full budget, and the same runs with early stopping on the validation loss.

    One run per builder and seed, exactly as in
    :func:`rnnbook.benchmark.compare_models` (side by side in worker processes
    where the machine has room), with the weights kept after every epoch.
    Training is deterministic for a given seed, so a run that
    ``keras.callbacks.EarlyStopping(patience=patience,
    restore_best_weights=True)`` stops after k epochs is the first k epochs of
    the full run: :func:`early_stopping_epochs` reads k and the best epoch
    from the validation curve, and the best epoch's weights are scored.  The
    result has two rows per builder, ``name`` (the full budget) and ``name +
    " + early stopping"``, whose ``val_curves`` end where early stopping
    stops.  Kept models (``keep_models=True``) hold the full-budget weights in
    the first row and the restored best weights in the second.

    Raises
    ------
    TypeError
        If ``task`` is not a Task, a builder is not callable or ``patience`` is not an int.
    ValueError
        If the task has no validation set, ``builders`` or ``seeds`` is empty, or ``patience`` < 1.
    """
    import keras

    from . import benchmark, parallel

    benchmark._check_builders(task, builders)
    seeds = benchmark._check_seeds(seeds)
    patience = check_positive_int("patience", patience)
    keep_models = check_bool("keep_models", keep_models)
    if task.x_val is None:
        raise ValueError("early stopping watches the validation loss: build the Task with x_val and y_val")
    runs = iter(benchmark._runs_in_segments(task, list(builders.values()), seeds, _early_stopping_run,
                                            extra=lambda: [_WeightHistory.make()], args=(patience, keep_models)))
    # the same random state afterwards whether the runs went to workers or not
    keras.utils.set_random_seed(seeds[-1] + 1)
    results = []
    for name, build in builders.items():
        done = [next(runs) for _ in seeds]
        epoch_times = tuple(s for run in done for s in run["seconds"])
        for key, label in (("full", name), ("early", f"{name} + early stopping")):
            rows = [run[key] for run in done]
            kept = tuple(benchmark._rebuilt(task, build, r["weights"]) for r in rows) if keep_models else ()
            results.append(benchmark.CellResult(
                label, done[0]["params"], tuple(r["score"] for r in rows), epoch_times,
                tuple(r["val"] for r in rows if r["val"] is not None), tuple(r["curve"] for r in rows), kept))
    return benchmark.Comparison(task.name, task.metric, seeds, results, task.higher_is_better, task.solved_below,
                                min(parallel.workers(), len(builders) * len(seeds)))


def paired_differences(comparison, baseline: str, *, split: str = "test") -> dict[str, np.ndarray]:
    """Per-seed score differences, each row of ``comparison`` minus ``baseline``, on the same seeds.

    Runs with the same seed share their data order and, for models of the same
    shape, their initial weights, so a difference taken seed by seed removes
    the part of the spread that both rows share; report its mean and spread
    rather than two overlapping "mean ± std" columns.

    Parameters
    ----------
    comparison : rnnbook.benchmark.Comparison
        Results of one protocol, the same seeds for every row.
    baseline : str
        The row to subtract, e.g. ``"LSTM(64) + early stopping"``.
    split : {"test", "val"}
        Which scores.

    Returns
    -------
    dict of str to ndarray
        ``{row: scores - baseline scores}`` (one value per seed) for every other row, in table order.

    Raises
    ------
    KeyError
        If ``baseline`` is not a row of the comparison.
    ValueError
        If ``split`` is not "test" or "val", or a row lacks scores on it.
    """
    from . import benchmark

    if not isinstance(comparison, benchmark.Comparison):
        raise TypeError(f"comparison must be a rnnbook.benchmark.Comparison; got {type_name(comparison)}")
    split = check_choice("split", split, ("test", "val"))
    pick = (lambda r: r.scores) if split == "test" else (lambda r: r.val_scores)
    base = np.asarray(pick(comparison[baseline]), dtype=float)
    out = {}
    for r in comparison.results:
        if r.cell == baseline:
            continue
        values = np.asarray(pick(r), dtype=float)
        if values.shape != base.shape:
            raise ValueError(f"row {r.cell!r} has {values.size} {split} scores, the baseline has {base.size}")
        out[r.cell] = values - base
    return out


def paired_table(comparison, baseline: str, *, split: str = "test") -> str:
    """:func:`paired_differences` as a table: mean difference, each seed's, and in how many seeds the row did better.

    "Better" follows the comparison's metric (lower, unless it is higher-is-better).
    """
    diffs = paired_differences(comparison, baseline, split=split)
    sign = 1 if comparison.higher_is_better else -1
    n = len(comparison.seeds)
    width = max(map(len, diffs), default=0)
    lines = [f"{split} {comparison.metric} minus {baseline}, seed by seed "
             f"({'positive' if sign > 0 else 'negative'} is better)"]
    for name, d in diffs.items():
        seeds = " ".join(f"{v:+.3f}" for v in d)
        lines.append(f"  {name:{width}s}  mean {d.mean():+.3f}  per seed {seeds}  "
                     f"better in {int((sign * d > 0).sum())}/{n}")
    return "\n".join(lines)
