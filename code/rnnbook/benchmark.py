"""Measured comparisons of recurrent cells: same task, same budget, several seeds.

A :class:`Task` bundles data, a model builder (cell name -> uncompiled Keras
model, usually through :func:`rnnbook.models.recurrent_model`), the training
settings and a scoring function.  :func:`compare_cells` trains one model per
(cell, seed) with :func:`rnnbook.models.train`, times every epoch, and returns a
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

from . import models
from ._validate import check_positive_int, check_positive_number, type_name
from .cells import CELLS

__all__ = ["Task", "CellResult", "Comparison", "compare_cells"]


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

    def _name_width(self) -> int:
        """Width of the cell-name column: 8, or the longest name ("simple_rnn")."""
        return max([8] + [len(r.cell) for r in self.results])

    def best(self) -> str:
        """The cell with the best mean score."""
        key = (lambda r: -r.mean) if self.higher_is_better else (lambda r: r.mean)
        return min(self.results, key=key).cell

    def table(self, digits: int = 3) -> str:
        """Parameters and the metric (mean ± std over seeds, and every seed): deterministic on CPU."""
        digits = check_positive_int("digits", digits)
        head = f"{self.task}: {self.metric} over seeds {list(self.seeds)}"
        w = self._name_width()
        lines = [head, f"{'cell':{w}s} {'params':>7s}  {'mean ± std':>17s}   per seed"]
        for r in self.results:
            per_seed = " ".join(f"{s:.{digits}f}" for s in r.scores)
            lines.append(f"{r.cell:{w}s} {r.params:7d}  {r.mean:8.{digits}f} ± {r.std:<6.{digits}f}   {per_seed}")
        return "\n".join(lines)

    def timing_table(self) -> str:
        """Median seconds per epoch of each cell, and relative to the first cell (wall clock: varies)."""
        base = self.results[0].seconds_per_epoch
        w = self._name_width()
        lines = [f"{self.task}: median seconds per epoch"]
        for r in self.results:
            lines.append(f"{r.cell:{w}s} {r.seconds_per_epoch:.3f} s/epoch  ({r.seconds_per_epoch / base:.2f}x {self.results[0].cell})")
        return "\n".join(lines)


def _epoch_timer():
    """A Keras callback that appends each epoch's wall-clock seconds to the list returned with it."""
    import keras

    starts: list[float] = []
    seconds: list[float] = []
    timer = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: starts.append(time.perf_counter()),
        on_epoch_end=lambda epoch, logs: seconds.append(time.perf_counter() - starts[-1]))
    return timer, seconds


def compare_cells(task: Task, cells: Sequence[str] = CELLS, seeds: Sequence[int] = (0, 1, 2)) -> Comparison:
    """Train ``task.build(cell)`` once per seed for every cell, with identical settings.

    Before each run, ``keras.utils.set_random_seed(seed)`` fixes the initial
    weights and the batch order, so the scores are reproducible on CPU.  Every
    run trains through :func:`rnnbook.models.train` (Adam, ``task``'s settings).

    Parameters
    ----------
    task : Task
        What to train and how to score it.
    cells : sequence of {"simple_rnn", "lstm", "gru"}
        The cells to compare, in the order of the tables (all three by default).
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
        models._check_cell(c)
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
            timer, seconds = _epoch_timer()
            models.train(model, task.x_train, task.y_train, epochs=task.epochs, loss=task.loss,
                         batch_size=task.batch_size, learning_rate=task.learning_rate, clipnorm=task.clipnorm,
                         callbacks=[timer])
            epoch_seconds += seconds[1:] if len(seconds) > 1 else seconds
            params = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
            scores.append(float(task.score(model)))
        results.append(CellResult(cell, params, tuple(scores), tuple(epoch_seconds)))
    return Comparison(task.name, task.metric, tuple(int(s) for s in seeds), results, task.higher_is_better)


def __getattr__(name: str):
    """Say where the builder went, for notebooks written against the old module."""
    if name == "recurrent_model":
        raise AttributeError("rnnbook.benchmark.recurrent_model moved to rnnbook.models.recurrent_model "
                             "(cell names 'simple_rnn', 'lstm', 'gru')")
    raise AttributeError(f"module 'rnnbook.benchmark' has no attribute {name!r}")
