"""Measured comparisons of recurrent cells: same task, same budget, several seeds.

A :class:`Task` bundles data, a model builder (cell name -> uncompiled Keras
model), the training settings and a scoring function.  :func:`compare_cells`
trains one model per (cell, seed), times every epoch, and returns a
:class:`Comparison` whose :meth:`~Comparison.table` prints parameter counts and
the final metric as mean ± standard deviation over the seeds (deterministic on
CPU), and whose :meth:`~Comparison.timing_table` prints seconds per epoch (wall
clock, so it varies from machine to machine).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validate import check_positive_int, check_positive_number, type_name

__all__ = ["Task", "CellResult", "Comparison", "compare_cells", "recurrent_model", "CELLS"]

#: The cell names accepted everywhere in the book, and their Keras layers.
CELLS = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def _check_cell(cell: object) -> str:
    if not isinstance(cell, str):
        raise TypeError(f"cell must be a str, one of {sorted(CELLS)}; got {type_name(cell)}")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}; got {cell!r}")
    return cell


def recurrent_model(cell: str, units: int, *, steps: int | None, features: int | None = None,
                    vocab_size: int | None = None, embed_dim: int = 16, mask_zero: bool = False,
                    layers: int = 1, bidirectional: bool = False, return_sequences: bool = False,
                    outputs: int = 1, output_activation: str | None = None):
    """A recurrent network: [batch, steps, features] (or token ids) -> Dense(outputs).

    Parameters
    ----------
    cell : {"simple", "lstm", "gru"}
        The recurrent layer (Keras defaults: GRU with ``reset_after=True``).
    units : int
        Units of every recurrent layer.
    steps : int or None
        Sequence length, or ``None`` for any length.
    features : int, optional
        Features per step for real-valued input, shape [batch, steps, features].
        Give either ``features`` or ``vocab_size``.
    vocab_size : int, optional
        For integer token ids, shape [batch, steps]: an ``Embedding(vocab_size,
        embed_dim, mask_zero=mask_zero)`` comes first.
    embed_dim : int
        Size of the embedding vectors.
    mask_zero : bool
        Treat id 0 as padding (the recurrent layers skip it).
    layers : int
        How many recurrent layers to stack (all but the last return sequences).
    bidirectional : bool
        Wrap every recurrent layer in ``Bidirectional`` (forward and backward
        states concatenated, so twice the weights).
    return_sequences : bool
        The last recurrent layer returns every step: one output per step.
    outputs : int
        Units of the final Dense layer.
    output_activation : str or None
        ``None`` for regression, ``"sigmoid"``/``"softmax"`` for classification.

    Returns
    -------
    keras.Sequential
        Uncompiled.

    Raises
    ------
    TypeError
        If ``cell`` is not a str.
    ValueError
        If ``cell`` is unknown, a size is not an int >= 1, or not exactly one of
        ``features`` and ``vocab_size`` is given.
    """
    import keras

    _check_cell(cell)
    units = check_positive_int("units", units)
    layers = check_positive_int("layers", layers)
    outputs = check_positive_int("outputs", outputs)
    if steps is not None:
        steps = check_positive_int("steps", steps)
    if (features is None) == (vocab_size is None):
        raise ValueError("give exactly one of features (real-valued input [batch, steps, features]) "
                         f"and vocab_size (token ids [batch, steps]); got features={features!r}, vocab_size={vocab_size!r}")
    if features is not None:
        stack = [keras.Input((steps, check_positive_int("features", features)))]
    else:
        stack = [keras.Input((steps,), dtype="int32"),
                 keras.layers.Embedding(check_positive_int("vocab_size", vocab_size),
                                        check_positive_int("embed_dim", embed_dim), mask_zero=mask_zero)]
    layer_cls = getattr(keras.layers, CELLS[cell])
    for k in range(layers):
        layer = layer_cls(units, return_sequences=return_sequences or k < layers - 1)
        stack.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
    stack.append(keras.layers.Dense(outputs, activation=output_activation))
    return keras.Sequential(stack)


@dataclass(frozen=True)
class Task:
    """One benchmark: data, a builder, training settings and a score.

    Attributes
    ----------
    name : str
        Shown in the tables.
    build : callable
        ``build(cell)`` returns a fresh, uncompiled Keras model for that cell name.
    x_train, y_train : array_like
        Training data (x shaped [batch, steps, features] or [batch, steps] ids).
    loss : str
        A Keras loss name.
    score : callable
        ``score(model)`` returns the final metric (a float) of a trained model.
    metric : str
        The metric's name, e.g. ``"test MSE"``.
    epochs, batch_size, learning_rate, clipnorm
        Adam training settings, the same for every cell.
    higher_is_better : bool
        Whether a larger metric is better (accuracy) or worse (MSE, MASE).
    """

    name: str
    build: Callable[[str], Any]
    x_train: Any
    y_train: Any
    loss: str
    score: Callable[[Any], float]
    metric: str
    epochs: int
    batch_size: int = 32
    learning_rate: float = 1e-3
    clipnorm: float | None = None
    higher_is_better: bool = False

    def __post_init__(self):
        if not callable(self.build) or not callable(self.score):
            raise TypeError(f"build and score must be callables; got {type_name(self.build)} and {type_name(self.score)}")
        check_positive_int("epochs", self.epochs)
        check_positive_int("batch_size", self.batch_size)
        check_positive_number("learning_rate", self.learning_rate)
        if self.clipnorm is not None:
            check_positive_number("clipnorm", self.clipnorm)
        if len(self.x_train) != len(self.y_train):
            raise ValueError(f"x_train and y_train must hold the same number of examples; "
                             f"got {len(self.x_train)} and {len(self.y_train)}")


@dataclass
class CellResult:
    """What one cell did on a task: its parameter count, per-seed scores and epoch times."""

    cell: str
    params: int
    scores: tuple[float, ...]
    epoch_seconds: tuple[float, ...] = field(default=())

    @property
    def mean(self) -> float:
        """Mean of the per-seed scores."""
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof=1) of the per-seed scores; 0 for one seed."""
        return float(np.std(self.scores, ddof=1)) if len(self.scores) > 1 else 0.0

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall-clock seconds of an epoch (over all seeds, first epoch of each excluded when possible)."""
        return float(np.median(self.epoch_seconds)) if self.epoch_seconds else float("nan")


@dataclass
class Comparison:
    """The results of :func:`compare_cells`, one :class:`CellResult` per cell."""

    task: str
    metric: str
    seeds: tuple[int, ...]
    results: list[CellResult]
    higher_is_better: bool = False

    def __getitem__(self, cell: str) -> CellResult:
        for r in self.results:
            if r.cell == cell:
                return r
        raise KeyError(f"no result for cell {cell!r}; have {[r.cell for r in self.results]}")

    def best(self) -> str:
        """The cell with the best mean score."""
        key = (lambda r: -r.mean) if self.higher_is_better else (lambda r: r.mean)
        return min(self.results, key=key).cell

    def table(self, digits: int = 3) -> str:
        """Parameters and the metric (mean ± std over seeds, and every seed): deterministic on CPU."""
        digits = check_positive_int("digits", digits)
        head = f"{self.task}: {self.metric} over seeds {list(self.seeds)}"
        lines = [head, f"{'cell':8s} {'params':>7s}  {'mean ± std':>17s}   per seed"]
        for r in self.results:
            per_seed = " ".join(f"{s:.{digits}f}" for s in r.scores)
            lines.append(f"{r.cell:8s} {r.params:7d}  {r.mean:8.{digits}f} ± {r.std:<6.{digits}f}   {per_seed}")
        return "\n".join(lines)

    def timing_table(self) -> str:
        """Median seconds per epoch of each cell, and relative to the first cell (wall clock: varies)."""
        base = self.results[0].seconds_per_epoch
        lines = [f"{self.task}: median seconds per epoch"]
        for r in self.results:
            lines.append(f"{r.cell:8s} {r.seconds_per_epoch:.3f} s/epoch  ({r.seconds_per_epoch / base:.2f}x {self.results[0].cell})")
        return "\n".join(lines)


class _EpochTimer:
    """A Keras callback recording each epoch's wall-clock duration."""

    def __new__(cls):
        import keras

        class Timer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.seconds: list[float] = []

            def on_epoch_begin(self, epoch, logs=None):
                self._t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.seconds.append(time.perf_counter() - self._t0)

        return Timer()


def compare_cells(task: Task, cells: Sequence[str] = ("simple", "lstm", "gru"),
                  seeds: Sequence[int] = (0, 1, 2)) -> Comparison:
    """Train ``task.build(cell)`` once per seed for every cell, with identical settings.

    Before each run, ``keras.utils.set_random_seed(seed)`` fixes the initial
    weights and the batch order, so the scores are reproducible on CPU.

    Parameters
    ----------
    task : Task
        What to train and how to score it.
    cells : sequence of {"simple", "lstm", "gru"}
        The cells to compare, in the order of the tables.
    seeds : sequence of int
        One run per seed (>= 0); at least two for a standard deviation.

    Returns
    -------
    Comparison
        Per cell: trainable parameter count, per-seed scores, epoch times.

    Raises
    ------
    TypeError
        If ``task`` is not a Task, or a cell or seed has the wrong type.
    ValueError
        If ``cells`` or ``seeds`` is empty or holds an unknown cell or a negative seed.
    """
    import keras

    if not isinstance(task, Task):
        raise TypeError(f"task must be a rnnbook.benchmark.Task; got {type_name(task)}")
    if isinstance(cells, str) or not isinstance(cells, Sequence) or not cells:
        raise ValueError(f"cells must be a non-empty sequence of cell names such as ('lstm', 'gru'); got {cells!r}")
    for c in cells:
        _check_cell(c)
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        raise ValueError(f"seeds must be a non-empty sequence of ints >= 0; got {seeds!r}")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"seeds must be ints; got {type_name(s)}")
        if s < 0:
            raise ValueError(f"seeds must be >= 0; got {s}")

    results = []
    for cell in cells:
        scores, epoch_seconds, params = [], [], None
        for seed in seeds:
            keras.utils.set_random_seed(int(seed))
            model = task.build(cell)
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=task.learning_rate, clipnorm=task.clipnorm),
                          loss=task.loss)
            timer = _EpochTimer()
            model.fit(task.x_train, task.y_train, epochs=task.epochs, batch_size=task.batch_size,
                      verbose=0, shuffle=True, callbacks=[timer])
            epoch_seconds += timer.seconds[1:] if len(timer.seconds) > 1 else timer.seconds
            params = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
            scores.append(float(task.score(model)))
        results.append(CellResult(cell, params, tuple(scores), tuple(epoch_seconds)))
    return Comparison(task.name, task.metric, tuple(int(s) for s in seeds), results, task.higher_is_better)
