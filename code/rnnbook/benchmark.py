"""Measured comparisons of recurrent cells: same task, same budget, several seeds.

The book's shared benchmarks each have one protocol here, so that two chapters
cannot disagree: :func:`adding_task` (the adding problem, 50 steps) and
:func:`sunspots_task` (one-step sunspot forecasts from 9-year windows).  Their
data splits come from :mod:`rnnbook.data`.

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

import dataclasses
import functools
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import data, models, parallel
from ._validate import check_bool, check_positive_int, check_positive_number, check_seed, check_str, type_name
from .cells import CELLS

__all__ = [
    # comparisons; the adding problem and sunspots
    "Task", "CellResult", "Comparison", "compare_cells", "compare_models", "adding_task",
    "sunspots_task", "sunspots_baselines", "ADDING_BUDGET", "SUNSPOTS_BUDGET",
    # dates (chapters 11-12)
    "DATES_BUDGET", "DATE_SOURCE_LENGTH", "DATE_TARGET_LENGTH", "DateData", "date_data", "decode_dates",
    "exact_match", "per_position_accuracy", "first_dates", "search_errors", "dates_task", "date_model",
    "validation_only", "exposure_bias",
    # SCAN (chapter 13)
    "SCAN_BUDGET", "SCAN_SOURCE_LENGTH", "SCAN_TARGET_LENGTH", "ScanData", "scan_data", "greedy_answers",
    "masked_loss", "scan_task", "scan_model", "scan_word_by_word", "scan_callbacks",
    # the Lee text, character by character (chapter 10)
    "LEE_LM_BUDGET", "LEE_LM_WINDOW", "UNKNOWN_CHAR", "CharData", "lee_char_data", "char_windows",
    "stream_windows", "nats_per_char", "train_char_lm",
]

# The shared budgets: every chapter that trains on a benchmark trains with these.
ADDING_BUDGET = dict(epochs=10, batch_size=50, learning_rate=1e-2, global_clipnorm=1.0)   # 600 Adam updates
SUNSPOTS_BUDGET = dict(epochs=20, batch_size=32, learning_rate=1e-2)                      # 140 Adam updates


@dataclass(frozen=True)
class Task:
    """One benchmark: data, a builder, training settings and a score.

    Attributes
    ----------
    name : str
        Shown in the tables.
    build : callable or None
        ``build(cell)`` returns a fresh, uncompiled Keras model for that cell name
        (needed by :func:`compare_cells`; :func:`compare_models` takes its own builders).
    x_train, y_train : array_like
        Training data (x shaped [batch, steps, features] or [batch, steps] ids,
        or a list of arrays for a model with several inputs).
    loss : str or callable
        A Keras loss name or object.
    score : callable
        ``score(model)`` returns the final metric (a float) of a trained model.
    metric : str
        The metric's name, e.g. ``"test MSE"``.
    epochs, batch_size, learning_rate, clipnorm, global_clipnorm
        Adam training settings, the same for every cell (at most one of the two clipping options).
    higher_is_better : bool
        Whether a larger metric is better (accuracy) or worse (MSE, MASE).
    x_val, y_val : array_like or None
        A validation set: its loss is recorded after every epoch (the curves).
    val_score : callable or None
        ``val_score(model)``: the metric on the validation set, shown beside the test score.
    solved_below : float or None
        A run whose score is below this counts as *solved*; the table then says "solved k/n".
    """

    name: str
    build: Callable[[str], Any] | None
    x_train: Any
    y_train: Any
    loss: Any
    score: Callable[[Any], float]
    metric: str
    epochs: int
    batch_size: int = 32
    learning_rate: float = 1e-3
    clipnorm: float | None = None
    higher_is_better: bool = False
    x_val: Any = None
    y_val: Any = None
    val_score: Callable[[Any], float] | None = None
    global_clipnorm: float | None = None
    solved_below: float | None = None

    def __post_init__(self):
        if (self.build is not None and not callable(self.build)) or not callable(self.score):
            raise TypeError(f"build must be None or a callable and score a callable; got {type_name(self.build)} "
                            f"and {type_name(self.score)}")
        check_positive_int("epochs", self.epochs)
        check_positive_int("batch_size", self.batch_size)
        check_positive_number("learning_rate", self.learning_rate)
        if self.clipnorm is not None:
            check_positive_number("clipnorm", self.clipnorm)
        if self.global_clipnorm is not None:
            check_positive_number("global_clipnorm", self.global_clipnorm)
            if self.clipnorm is not None:
                raise ValueError("give at most one of clipnorm and global_clipnorm")
        if self.solved_below is not None:
            check_positive_number("solved_below", self.solved_below)
        if self.val_score is not None and not callable(self.val_score):
            raise TypeError(f"val_score must be None or a callable; got {type_name(self.val_score)}")
        if (self.x_val is None) != (self.y_val is None):
            raise ValueError("give both x_val and y_val, or neither")
        if self.x_val is not None and _count(self.x_val) != len(self.y_val):
            raise ValueError(f"x_val and y_val must hold the same number of examples; "
                             f"got {_count(self.x_val)} and {len(self.y_val)}")
        if _count(self.x_train) != len(self.y_train):
            raise ValueError(f"x_train and y_train must hold the same number of examples; "
                             f"got {_count(self.x_train)} and {len(self.y_train)}")


def _count(x) -> int:
    """Examples in a model input: an array, or a list of arrays (a model with several inputs)."""
    return len(x[0]) if isinstance(x, (list, tuple)) else len(x)


@dataclass
class CellResult:
    """What one cell did on a task: its parameter count, per-seed scores and epoch times."""

    cell: str
    params: int
    scores: tuple[float, ...]
    epoch_seconds: tuple[float, ...] = field(default=())
    val_scores: tuple[float, ...] = field(default=())
    val_curves: tuple[tuple[float, ...], ...] = field(default=())
    models: tuple = field(default=(), repr=False, compare=False)

    def solved(self, below: float) -> int:
        """How many seeds scored below ``below``."""
        return int(sum(s < below for s in self.scores))

    def first_epoch_below(self, level: float) -> list[int | None]:
        """Per seed, the first epoch (from 1) whose validation loss is below ``level``, or None."""
        return [next((k + 1 for k, v in enumerate(curve) if v < level), None) for curve in self.val_curves]

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
    solved_below: float | None = None
    workers: int = 1   # runs that went side by side (rnnbook.parallel); their epochs shared the CPU

    def __getitem__(self, cell: str) -> CellResult:
        for r in self.results:
            if r.cell == cell:
                return r
        raise KeyError(f"no result for cell {cell!r}; have {[r.cell for r in self.results]}")

    def _name_width(self) -> int:
        """Width of the cell-name column: 8, or the longest name ("simple_rnn")."""
        return max([8] + [len(r.cell) for r in self.results])

    def _check_split(self, split: str) -> None:
        """``split`` is "test" or "val", and a "val" table has validation scores to show."""
        if split not in ("test", "val"):
            raise ValueError(f"split must be 'test' or 'val'; got {split!r}")
        if split == "val" and not all(r.val_scores for r in self.results):
            raise ValueError("no validation scores: build the Task with val_score=... to get them")

    def best(self) -> str:
        """The cell with the best mean score."""
        key = (lambda r: -r.mean) if self.higher_is_better else (lambda r: r.mean)
        return min(self.results, key=key).cell

    def table(self, digits: int = 3, *, split: str = "test") -> str:
        """Parameters and the metric on ``split`` (mean ± std over seeds, every seed, solved k/n): deterministic on CPU.

        ``split="val"`` shows the validation scores (for choices and for reading
        curves); ``split="test"``, the default, the test scores, to be read once.
        """
        digits = check_positive_int("digits", digits)
        self._check_split(split)
        has_val = all(r.val_scores for r in self.results)
        which = "validation " if split == "val" else ("test " if has_val else "")
        head = f"{self.task}: {which}{self.metric} over seeds {list(self.seeds)}"
        w = self._name_width()
        lines = [head, f"{'model':{w}s} {'params':>7s}  {'mean ± std':>17s}   per seed"
                       + ("   solved" if self.solved_below is not None else "")]
        for r in self.results:
            scores = r.val_scores if split == "val" else r.scores
            mean, std = float(np.mean(scores)), float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0
            per_seed = " ".join(f"{s:.{digits}f}" for s in scores)
            solved = (f"   {int(sum(s < self.solved_below for s in scores))}/{len(scores)}"
                      if self.solved_below is not None else "")
            lines.append(f"{r.cell:{w}s} {r.params:7d}  {mean:8.{digits}f} ± {std:<6.{digits}f}   {per_seed}{solved}")
        if self.solved_below is not None:
            lines.append(f"(solved: {which}{self.metric} below {self.solved_below:g})")
        return "\n".join(lines)

    def verdicts(self, *, split: str = "test", margin: float = 1.5) -> str:
        """Parameters and "solved k/n" on ``split``: the part of :meth:`table` that every CPU prints alike.

        A trained model's last digits differ from one CPU to another, so a
        notebook prints this and leaves the digits of :meth:`table` to a cell
        marked as varying.  The count can only be trusted if no seed sits
        near the threshold: a score within a factor ``margin`` of
        ``solved_below`` (between ``solved_below / margin`` and
        ``solved_below * margin``) raises :class:`rnnbook.report.ClaimFailed`.
        """
        from .report import ClaimFailed

        if self.solved_below is None:
            raise ValueError("verdicts needs a task with solved_below (a threshold to count seeds against)")
        margin = check_positive_number("margin", margin)
        if margin <= 1:
            raise ValueError(f"margin must be > 1 (a factor around the threshold); got {margin}")
        self._check_split(split)
        t = self.solved_below
        low, high = t / margin, t * margin
        which = "validation" if split == "val" else "test"
        w = self._name_width()
        lines = [f"{self.task}: {which} {self.metric} over seeds {list(self.seeds)}",
                 f"{'model':{w}s} {'params':>7s}   solved ({self.metric} < {t:g})"]
        for r in self.results:
            scores = r.val_scores if split == "val" else r.scores
            close = [s for s in scores if low <= s < high]
            if close:
                raise ClaimFailed(f"{r.cell}: a {which} score of {close[0]:.4g} is too close to the threshold "
                                  f"{t:g} (within a factor {margin:g}) for 'solved' to be a stable count")
            lines.append(f"{r.cell:{w}s} {r.params:7d}   {sum(s < t for s in scores)}/{len(scores)}")
        lines.append(f"(every seed is below {low:.3g} or above {high:.3g}: no seed is near the threshold)")
        return "\n".join(lines)

    def __add__(self, other: "Comparison") -> "Comparison":
        """Join two comparisons of the same task and seeds into one table."""
        if not isinstance(other, Comparison):
            return NotImplemented
        if (other.task, other.metric, other.seeds) != (self.task, self.metric, self.seeds):
            raise ValueError(f"can only join comparisons of the same task, metric and seeds; got "
                             f"{(self.task, self.metric, self.seeds)} and {(other.task, other.metric, other.seeds)}")
        return Comparison(self.task, self.metric, self.seeds, self.results + other.results,
                          self.higher_is_better, self.solved_below, max(self.workers, other.workers))

    def timing_table(self) -> str:
        """Median seconds per epoch of each cell, and relative to the first cell (wall clock: varies)."""
        base = self.results[0].seconds_per_epoch
        w = self._name_width()
        shared = (f", {self.workers} runs side by side (each epoch shared the CPU)" if self.workers > 1 else "")
        lines = [f"{self.task}: median seconds per epoch{shared}"]
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


def _check_seeds(seeds) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        raise ValueError(f"seeds must be a non-empty sequence of ints >= 0; got {seeds!r}")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"seeds must be ints; got {type_name(s)}")
        if s < 0:
            raise ValueError(f"seeds must be >= 0; got {s}")
    return tuple(int(s) for s in seeds)


def _check_builders(task, builders) -> None:
    """The checks :func:`compare_models` and its variants share: a Task and a non-empty name -> build() mapping."""
    if not isinstance(task, Task):
        raise TypeError(f"task must be a rnnbook.benchmark.Task; got {type_name(task)}")
    if not isinstance(builders, Mapping) or not builders:
        raise ValueError(f"builders must be a non-empty mapping of name -> build(); got {type_name(builders)}")
    for name, build in builders.items():
        if not isinstance(name, str) or not callable(build):
            raise TypeError(f"builders must map str names to callables; got {type_name(name)} -> {type_name(build)}")


def _train_run(task: Task, build: Callable[[], Any], seed: int, extra: Sequence = ()):
    """One run of a protocol: seed, fresh model, :func:`rnnbook.models.train`; returns (model, history, epoch seconds).

    The first epoch's time is dropped when there are several (it includes tracing).
    """
    import keras

    keras.utils.set_random_seed(int(seed))
    model = build()
    history, seconds = _timed_fit(task, lambda validation, callbacks: models.train(
        model, task.x_train, task.y_train, epochs=task.epochs, loss=task.loss, batch_size=task.batch_size,
        learning_rate=task.learning_rate, clipnorm=task.clipnorm, global_clipnorm=task.global_clipnorm,
        validation_data=validation, callbacks=callbacks), extra)
    return model, history, seconds


def _timed_fit(task: Task, fit: Callable, extra: Sequence):
    """``fit(validation_data, callbacks)`` with an epoch timer: (history, epoch seconds, the first dropped when several)."""
    timer, seconds = _epoch_timer()
    validation = (task.x_val, task.y_val) if task.x_val is not None else None
    history = fit(validation, [timer, *extra])
    return history, (seconds[1:] if len(seconds) > 1 else seconds)


def _train_runs(task: Task, build: Callable[[], Any], seeds: Sequence[int], extra: Callable[[], list] = list):
    """:func:`_train_run` for each seed in turn, with Keras's traced functions built once for all of them.

    Tracing the training, validation and prediction steps of a new model costs
    about as much as a short run, so the first seed's model serves every seed:
    for each next seed a fresh model is built under that seed (the same draws,
    in the same order, as :func:`_train_run` makes) and its whole state, the
    weights and the dropout layers' random-seed states, is copied into the
    first model; the optimizer's state goes back to its value at the start of
    training, and the same ``fit`` runs again.  The runs are the runs
    :func:`_train_run` gives, weight for weight (tested).  Yields ``(model,
    history, epoch seconds, callbacks)`` per seed, ``callbacks`` being that
    run's ``extra()``; the model is one object, so read what you need from it
    before asking for the next seed.
    """
    import keras

    class Snapshot(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):  # Keras builds the optimizer's slots at the first step
            if not self.model.built:  # nor the model yet: this one is not reused
                return
            optimizer = self.model.optimizer
            if not optimizer.built:
                optimizer.build(self.model.trainable_variables)
            start.extend(v.numpy() for v in optimizer.variables)

    model, start = None, []
    for seed in seeds:
        callbacks = extra()
        fresh = None
        if start:   # a traced model whose starting optimizer state is known
            keras.utils.set_random_seed(int(seed))
            fresh = build()
        if fresh is None or not fresh.built or [v.shape for v in fresh.variables] != [v.shape for v in model.variables]:
            # the first seed, or a model built only by its first batch: trained as _train_run trains it
            start.clear()
            model, history, seconds = _train_run(task, build, seed, [Snapshot(), *callbacks])
            yield model, history, seconds, callbacks
            continue
        for target, source in zip(model.variables, fresh.variables):
            target.assign(source)
        if len(model.optimizer.variables) != len(start):
            raise RuntimeError("the optimizer's state changed size between runs")
        for variable, value in zip(model.optimizer.variables, start):
            variable.assign(value)
        history, seconds = _timed_fit(task, lambda validation, cbs: models._fit(
            model, task.x_train, task.y_train, epochs=task.epochs, batch_size=task.batch_size, verbose=0,
            validation_data=validation, shuffle=True, callbacks=cbs), callbacks)
        yield model, history, seconds, callbacks


def _segment(task: Task, builders: Sequence[Callable[[], Any]], pairs: Sequence[tuple[int, int]], keep: Callable,
             extra: Callable[[], list], args: tuple) -> list:
    """``keep(task, model, history, seconds, callbacks, *args)`` for each (builder index, seed) of ``pairs``, in order,
    consecutive seeds of one builder trained by one :func:`_train_runs`."""
    out = []
    for index, group in itertools.groupby(pairs, key=lambda pair: pair[0]):
        for run in _train_runs(task, builders[index], [seed for _, seed in group], extra):
            out.append(keep(task, *run, *args))
    return out


def _runs_in_segments(task: Task, builders: Sequence[Callable[[], Any]], seeds: Sequence[int], keep: Callable,
                      extra: Callable[[], list] = list, args: tuple = ()) -> list:
    """One run per builder and seed (builder by builder, seed by seed), what ``keep`` returns of each.

    The runs are cut into one contiguous segment per worker process
    (:func:`rnnbook.parallel.run_all`), and within a segment the seeds of one
    builder share a traced model (:func:`_train_runs`): the same runs, in the
    same order, as one :func:`_train_run` each, whatever the number of workers.
    """
    pairs = [(index, seed) for index in range(len(builders)) for seed in seeds]
    n = min(parallel.workers(), len(pairs))
    bounds = [round(i * len(pairs) / n) for i in range(n + 1)]
    jobs = [(task, list(builders), pairs[a:b], keep, extra, args) for a, b in zip(bounds, bounds[1:])]
    return [out for segment in parallel.run_all(_segment, jobs) for out in segment]


def _checked_callbacks(callbacks: Callable[[], list] | None) -> list:
    """``callbacks()`` for one run of :func:`compare_models` (``[]`` for None), checked."""
    import keras

    extra = [] if callbacks is None else callbacks()
    if not isinstance(extra, list) or not all(isinstance(c, keras.callbacks.Callback) for c in extra):
        raise TypeError(f"callbacks() must return a list of keras.callbacks.Callback; got {type_name(extra)}")
    return extra


def _one_run(task: Task, model, history, seconds, callbacks: list, keep: bool) -> dict:
    """What :func:`compare_models` keeps of one trained run (in a worker process or here)."""
    return {"params": models.count_params(model),
            "score": float(task.score(model)),
            "val_score": float(task.val_score(model)) if task.val_score is not None else None,
            "curve": (tuple(float(v) for v in history.history["val_loss"]) if task.x_val is not None else None),
            "seconds": list(seconds),
            "weights": model.get_weights() if keep else None}


def _rebuilt(task: Task, build: Callable[[], Any], weights: list):
    """A trained model back in this process: built again, given the run's weights, compiled as trained."""
    import keras

    model = build()
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=task.learning_rate, clipnorm=task.clipnorm,
                                                  global_clipnorm=task.global_clipnorm), loss=task.loss)
    return model


def compare_models(task: Task, builders: Mapping[str, Callable[[], Any]], seeds: Sequence[int] = (0, 1, 2), *,
                   keep_models: bool = False, callbacks: Callable[[], list] | None = None) -> Comparison:
    """Train every model of ``builders`` once per seed on ``task``, with identical settings.

    Before each run, ``keras.utils.set_random_seed(seed)`` fixes the initial
    weights and the batch order, so the scores are reproducible on CPU.  Every
    run trains as :func:`rnnbook.models.train` trains (Adam, ``task``'s
    settings); the later seeds of a model reuse the first seed's compiled and
    traced model, reset to that seed's fresh state, which gives the same weights
    as a new model and saves tracing Keras's steps again.  The runs are
    independent, so they go side by side in worker processes where the machine
    has the cores and the memory (:mod:`rnnbook.parallel`); a run gives the same
    weights there as here.  Kept models are rebuilt here with
    the trained weights (compiled, with a fresh optimizer).  ``task.score``,
    ``task.val_score``, the builders and ``callbacks`` then run in the worker:
    what they change outside themselves (a list they append to) stays there, so
    return what you need, or keep the models and compute it from them here.

    Parameters
    ----------
    task : Task
        What to train, the budget, and how to score it.
    builders : mapping of str to callable
        Name -> ``build()`` returning a fresh, uncompiled Keras model, in table order.
    seeds : sequence of int
        One run per seed (>= 0); at least two for a standard deviation.
    keep_models : bool
        Keep the trained models (``result.models``, one per seed) to look inside them.
    callbacks : callable or None
        ``callbacks()`` returns a list of Keras callbacks added to one run (a
        learning-rate schedule, early stopping); it is called once per run, so
        that no callback carries state from one run to the next.  Each result's
        ``val_curves`` then has one value per epoch actually trained.

    Returns
    -------
    Comparison
        Per model: trainable parameter count, per-seed test (and validation) scores,
        validation curves and epoch times.

    Raises
    ------
    TypeError
        If ``task`` is not a Task, a builder or ``callbacks`` is not callable,
        ``callbacks()`` returns something other than a list of Keras callbacks,
        or a seed is not an int.
    ValueError
        If ``builders`` or ``seeds`` is empty, or a seed is negative.
    """
    import keras

    _check_builders(task, builders)
    seeds = _check_seeds(seeds)
    if not isinstance(keep_models, bool):
        raise TypeError(f"keep_models must be a bool; got {type_name(keep_models)}")
    if callbacks is not None and not callable(callbacks):
        raise TypeError(f"callbacks must be None or a function returning a list of callbacks; got {type_name(callbacks)}")

    runs = iter(_runs_in_segments(task, list(builders.values()), seeds, _one_run,
                                  extra=functools.partial(_checked_callbacks, callbacks), args=(keep_models,)))
    # the same random state afterwards whether the runs went to workers or not: a later
    # unseeded draw in the notebook must not depend on the machine's number of cores
    keras.utils.set_random_seed(seeds[-1] + 1)
    results = []
    for name, build in builders.items():
        done = [next(runs) for _ in seeds]
        kept = tuple(_rebuilt(task, build, run["weights"]) for run in done) if keep_models else ()
        results.append(CellResult(
            name, done[0]["params"], tuple(run["score"] for run in done),
            tuple(s for run in done for s in run["seconds"]),
            tuple(run["val_score"] for run in done if run["val_score"] is not None),
            tuple(run["curve"] for run in done if run["curve"] is not None), kept))
    return Comparison(task.name, task.metric, seeds, results, task.higher_is_better, task.solved_below,
                      min(parallel.workers(), len(builders) * len(seeds)))


def compare_cells(task: Task, cells: Sequence[str] = CELLS, seeds: Sequence[int] = (0, 1, 2)) -> Comparison:
    """Train ``task.build(cell)`` once per seed for every cell, with identical settings.

    The same as :func:`compare_models` with ``{cell: lambda: task.build(cell)}``.

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
    if not isinstance(task, Task):
        raise TypeError(f"task must be a rnnbook.benchmark.Task; got {type_name(task)}")
    if isinstance(cells, str) or not isinstance(cells, Sequence) or not cells:
        raise ValueError(f"cells must be a non-empty sequence of cell names such as ('lstm', 'gru'); got {cells!r}")
    for c in cells:
        models._check_cell(c)
    if task.build is None:
        raise TypeError("compare_cells needs task.build(cell); this task has build=None: "
                        "use compare_models(task, {name: build_fn}) instead")
    return compare_models(task, {c: (lambda c=c: task.build(c)) for c in cells}, seeds)


def adding_task(units: int = 32, build: Callable[[str], Any] | None = None) -> Task:
    """The adding-problem protocol: :func:`rnnbook.data.adding_splits` and ``ADDING_BUDGET``.

    3000 training sequences of 50 steps, Adam at learning rate 0.01 with the
    global gradient norm clipped at 1, batch 50, 10 epochs (600 updates); the
    validation MSE is recorded after every epoch; a seed counts as solved when its
    test MSE is below 0.05, under a third of the predict-1 baseline (1/6).

    Parameters
    ----------
    units : int
        Width of the default model, ``models.recurrent_model(cell, units, steps=50, features=2)``.
    build : callable or None
        ``build(cell)`` for another model; :func:`compare_models` takes any builders anyway.
    """
    units = check_positive_int("units", units)
    split = data.adding_splits()
    mse = lambda x, y: lambda model: float(np.mean((np.asarray(model(x))[:, 0] - y) ** 2))  # noqa: E731
    return Task(f"adding problem ({data.ADDING_STEPS} steps)",
                build=build or (lambda cell: models.recurrent_model(cell, units, steps=data.ADDING_STEPS, features=2)),
                x_train=split.x_train, y_train=split.y_train, loss="mse", metric="MSE",
                score=mse(split.x_test, split.y_test), val_score=mse(split.x_val, split.y_val),
                x_val=split.x_val, y_val=split.y_val, solved_below=0.05, **ADDING_BUDGET)


def sunspots_task(units: int = 16, build: Callable[[str], Any] | None = None) -> Task:
    """The sunspots protocol: :func:`rnnbook.data.sunspot_splits` and ``SUNSPOTS_BUDGET``.

    Models read the last 9 years (scaled by the training mean and standard
    deviation) and predict the next; they train on the 200 windows whose targets
    are training years, with Adam at learning rate 0.01, batch 32, 20 epochs.
    Scores are the MASE of one-step forecasts of the validation and the test years.

    Parameters
    ----------
    units : int
        Width of the default model, ``models.recurrent_model(cell, units, steps=9, features=1)``.
    build : callable or None
        ``build(cell)`` for another model.
    """
    units = check_positive_int("units", units)
    split = data.sunspot_splits()
    x_tr, y_tr = split.windows("train")
    x_va, y_va = split.windows("val")
    score = lambda part: lambda model: split.mase(split.forecast(split.model_predictor(model), part), part)  # noqa: E731
    return Task("sunspots (window 9)",
                build=build or (lambda cell: models.recurrent_model(cell, units, steps=split.window, features=1)),
                x_train=x_tr, y_train=y_tr, loss="mse", metric="MASE", score=score("test"),
                val_score=score("val"), x_val=x_va, y_val=y_va, **SUNSPOTS_BUDGET)


def sunspots_baselines() -> dict[str, tuple[float, float]]:
    """Validation and test MASE of the sunspots protocol's baselines, fitted on the training years only.

    Returns ``{name: (validation MASE, test MASE)}`` for the naive forecast, the
    seasonal naive forecast (11 years) and the least-squares linear AR on the same
    9-year windows as the networks.
    """
    from . import forecast

    split = data.sunspot_splits()
    ar = forecast.fit_linear_ar(*data.sliding_windows(split.part("train"), window=split.window))
    out = {}
    for name, predict in (("naive", None), ("seasonal naive (11 y)", 11), ("linear AR, window 9", ar)):
        scores = []
        for part in ("val", "test"):
            lo = split.val_start if part == "val" else split.test_start
            upto = split.values[:split.test_start] if part == "val" else split.values
            if predict is None:
                pred = forecast.naive_forecast(upto, lo)
            elif predict == 11:
                pred = forecast.seasonal_naive_forecast(upto, lo, period=11)
            else:
                pred = split.forecast(ar, part)
            scores.append(split.mase(pred, part))
        out[name] = (scores[0], scores[1])
    return out


def __getattr__(name: str):
    """Say where the builder went, for notebooks written against the old module."""
    if name == "recurrent_model":
        raise AttributeError("rnnbook.benchmark.recurrent_model moved to rnnbook.models.recurrent_model "
                             "(cell names 'simple_rnn', 'lstm', 'gru')")
    raise AttributeError(f"module 'rnnbook.benchmark' has no attribute {name!r}")


# --------------------------------------------------------------------------- dates (chapters 11-12)
DATES_BUDGET = dict(epochs=4, batch_size=64, learning_rate=1e-2)   # 500 Adam updates
DATE_SOURCE_LENGTH = 30   # the longest written date has 29 characters
DATE_TARGET_LENGTH = 11   # "2026-11-21" and EOS


@dataclass(frozen=True)
class DateData:
    """The date benchmark encoded for an encoder-decoder: strings, vocabularies and id arrays.

    ``pairs[part]`` holds the (written, ISO) strings and ``arrays[part]`` the
    :class:`rnnbook.text.PairArrays` of ``part`` in ``"train"``, ``"val"``, ``"test"``.
    """

    pairs: dict
    arrays: dict
    source_vocab: Any
    target_vocab: Any
    reverse_source: bool


def date_data(reverse_source: bool = False) -> DateData:
    """The date benchmark of :func:`rnnbook.data.date_splits`, as character ids.

    Both vocabularies are the training characters after the specials
    :data:`rnnbook.text.SEQ2SEQ_SPECIALS`; sources are padded on the left to
    ``DATE_SOURCE_LENGTH`` and, with ``reverse_source``, reversed first.
    """
    from . import text

    if not isinstance(reverse_source, bool):
        raise TypeError(f"reverse_source must be True or False; got {type_name(reverse_source)}")
    split = data.date_splits()
    pairs = {"train": split.train, "val": split.val, "test": split.test}
    source_vocab = text.Vocabulary([c for s, _ in split.train for c in s], specials=text.SEQ2SEQ_SPECIALS)
    target_vocab = text.Vocabulary([c for _, t in split.train for c in t], specials=text.SEQ2SEQ_SPECIALS)
    arrays = {part: text.encode_pairs(p, source_vocab, target_vocab, source_length=DATE_SOURCE_LENGTH,
                                      target_length=DATE_TARGET_LENGTH, reverse_source=reverse_source)
              for part, p in pairs.items()}
    return DateData(pairs, arrays, source_vocab, target_vocab, reverse_source)


def _check_part(part: str) -> str:
    if part not in ("train", "val", "test"):
        raise ValueError(f"part must be 'train', 'val' or 'test'; got {part!r}")
    return part


def decode_dates(model, dates: DateData, part: str = "val", *, beam_width: int = 1,
                 length_penalty: float = 0.0, scores: bool = False, batch: bool = True):
    """The model's ISO answer for every written date of ``part``, decoded in NumPy through :mod:`rnnbook.decoding`.

    ``beam_width=1`` decodes greedily, all the dates side by side
    (:func:`rnnbook.decoding.greedy_decode_batch`, which equals
    :func:`rnnbook.decoding.greedy_decode` date by date); a wider beam runs
    :func:`rnnbook.decoding.beam_search` on each date and keeps its best
    hypothesis.  ``batch=False`` decodes greedily one date at a time too (the
    same answers; for timing greedy decoding against beam search on equal
    terms).  An answer stops before EOS (or after ``DATE_TARGET_LENGTH`` tokens).

    Returns
    -------
    list of str, or (list of str, ndarray)
        The answers; with ``scores=True`` also each answer's score (its
        log-probability, length-normalised if ``length_penalty`` > 0).
    """
    from . import decoding

    if not isinstance(dates, DateData):
        raise TypeError(f"dates must be the DateData of rnnbook.benchmark.date_data(); got {type_name(dates)}")
    _check_part(part)
    beam_width = check_positive_int("beam_width", beam_width)
    for name, flag in (("scores", scores), ("batch", batch)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False; got {type_name(flag)}")
    decoder = decoding.KerasDecoder(model)
    memory, last, real = decoder.encoded(dates.arrays[part].source)
    bos, eos = dates.target_vocab.stoi["<bos>"], dates.target_vocab.stoi["<eos>"]
    if beam_width == 1 and not length_penalty and batch:
        step_fn, state = decoder.start(encoded=(memory, last, real))
        best = decoding.greedy_decode_batch(step_fn, state, bos, eos, DATE_TARGET_LENGTH)
    else:
        best = []
        for i in range(len(memory)):
            step_fn, state = decoder.start(encoded=(memory[i:i + 1], last[i:i + 1], real[i:i + 1]))
            best.append(decoding.beam_search(step_fn, state, bos, eos, beam_width, DATE_TARGET_LENGTH,
                                             length_penalty)[0])
    answers = ["".join(dates.target_vocab.itos[t] for t in tokens if t != eos) for tokens, _ in best]
    return (answers, np.array([score for _, score in best])) if scores else answers


def exact_match(answers: Sequence[str], dates: DateData, part: str = "val") -> float:
    """The fraction of ``answers`` equal, character for character, to ``part``'s ISO dates."""
    _check_part(part)
    truth = [t for _, t in dates.pairs[part]]
    if isinstance(answers, str) or len(answers) != len(truth):
        raise ValueError(f"answers must hold one str per {part} date ({len(truth)}); got {type_name(answers)}"
                         + ("" if isinstance(answers, str) else f" of length {len(answers)}"))
    return float(np.mean([a == t for a, t in zip(answers, truth)]))


def per_position_accuracy(answers: Sequence[str], truths: Sequence[str]) -> np.ndarray:
    """The fraction of answers right at each character position of the truths (all of one length L).

    Entry k counts answer i as right when it has a character k equal to
    ``truths[i][k]``; an answer too short to have one is wrong there.

    Returns
    -------
    ndarray, shape [L]
    """
    for name, value in (("answers", answers), ("truths", truths)):
        if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{name} must be a list of str; got {type_name(value)}")
    if not truths or len(answers) != len(truths) or len({len(t) for t in truths}) != 1:
        raise ValueError(f"give one answer per truth and truths of one length; got {len(answers)} answers, "
                         f"{len(truths)} truths of lengths {sorted({len(t) for t in truths})[:5]}")
    length = len(truths[0])
    return np.array([np.mean([len(a) > k and a[k] == t[k] for a, t in zip(answers, truths)]) for k in range(length)])


def exposure_bias(model, dates: DateData, part: str = "val") -> dict:
    """What exposure bias costs a date model: its errors with the true prefix, and with its own.

    Teacher-forced answers take, at each of the 10 ISO positions, the most
    probable character given the *true* characters before it (one Keras pass);
    free-running answers are greedy decoding (:func:`decode_dates`), each
    character given the model's *own* earlier ones.  Returns the share of wrong
    characters of each, and, for the free-running answers with a mistake, the
    share wrong among the characters after their first mistake, next to the
    teacher-forced share wrong at those same positions.

    Returns
    -------
    dict
        ``{"teacher_forced", "free_running", "after_first_mistake",
        "after_first_mistake_forced", "positions_after"}`` (shares, and how
        many positions follow a first mistake).
    """
    _check_part(part)
    a = dates.arrays[part]
    truth = np.array([list(iso) for _, iso in dates.pairs[part]])                 # [n, 10]
    logits = model.predict([a.source, a.decoder_input], verbose=0)
    forced = np.array(dates.target_vocab.itos)[np.argmax(logits, axis=-1)][:, :truth.shape[1]]
    free = np.array([list(s[:truth.shape[1]].ljust(truth.shape[1], "\0")) for s in decode_dates(model, dates, part)])
    wrong_free, wrong_forced = free != truth, forced != truth
    first = np.where(wrong_free.any(axis=1), wrong_free.argmax(axis=1), truth.shape[1])
    after = np.arange(truth.shape[1])[None, :] > first[:, None]                  # positions after a first mistake
    n_after = int(after.sum())
    return {"teacher_forced": float(wrong_forced.mean()), "free_running": float(wrong_free.mean()),
            "after_first_mistake": float(wrong_free[after].mean()) if n_after else 0.0,
            "after_first_mistake_forced": float(wrong_forced[after].mean()) if n_after else 0.0,
            "positions_after": n_after}


def first_dates(dates: DateData, part: str, n: int) -> DateData:
    """``dates`` with only the first ``n`` dates of ``part`` (the other parts unchanged): for quick timings."""
    import dataclasses

    if not isinstance(dates, DateData):
        raise TypeError(f"dates must be the DateData of rnnbook.benchmark.date_data(); got {type_name(dates)}")
    _check_part(part)
    n = check_positive_int("n", n)
    a = dates.arrays[part]
    arrays = {**dates.arrays, part: type(a)(a.source[:n], a.decoder_input[:n], a.target[:n])}
    return dataclasses.replace(dates, pairs={**dates.pairs, part: dates.pairs[part][:n]}, arrays=arrays)


def search_errors(model, dates: DateData, answers: Sequence[str], scores, part: str = "val") -> dict:
    """Sort a decoder's wrong answers into search errors and model errors.

    A wrong answer is a *search error* when the model gives the true ISO date
    (with its end token) a higher log-probability than the answer the decoder
    returned: a better search would have found the truth.  Otherwise it is a
    *model error*: the model prefers the wrong answer, and no search repairs
    that (Stahlberg & Byrne, 2019, make the same split for translation).

    Parameters
    ----------
    model : keras.Model
        A trained :func:`date_model`.
    dates : DateData
        The benchmark (:func:`date_data`) the answers came from.
    answers, scores
        :func:`decode_dates` with ``scores=True`` and no length penalty: one
        answer and its log-probability per date of ``part``.
    part : {"train", "val", "test"}

    Returns
    -------
    dict
        ``{"wrong": n, "search_errors": k, "model_errors": n - k, "dates": [indices of the search errors]}``.
    """
    from . import decoding

    if not isinstance(dates, DateData):
        raise TypeError(f"dates must be the DateData of rnnbook.benchmark.date_data(); got {type_name(dates)}")
    _check_part(part)
    truth = [t for _, t in dates.pairs[part]]
    scores = np.asarray(scores, dtype=float)
    if isinstance(answers, str) or len(answers) != len(truth) or scores.shape != (len(truth),):
        raise ValueError(f"give one answer and one score per {part} date ({len(truth)}); got "
                         f"{len(answers)} answers and scores of shape {scores.shape}")
    decoder = decoding.KerasDecoder(model)
    bos, eos = dates.target_vocab.stoi["<bos>"], dates.target_vocab.stoi["<eos>"]
    wrong = [i for i, (a, t) in enumerate(zip(answers, truth)) if a != t]
    search = []
    for i in wrong:
        step_fn, state = decoder.start(dates.arrays[part].source[i])
        tokens = [dates.target_vocab.stoi[c] for c in truth[i]] + [eos]
        if decoding.sequence_log_prob(step_fn, state, bos, tokens) > scores[i] + 1e-9:
            search.append(i)
    return {"wrong": len(wrong), "search_errors": len(search), "model_errors": len(wrong) - len(search),
            "dates": search}


def dates_task(reverse_source: bool = False) -> Task:
    """The date-normalisation protocol: :func:`date_data` and ``DATES_BUDGET``.

    8000 training pairs, Adam at learning rate 0.01, batch 64, 4 epochs (500
    updates), teacher forcing with cross-entropy on the logits; the score is
    greedy exact-match accuracy on the test dates, and on the validation dates
    beside it; the validation loss is recorded after every epoch.  Build the
    models with :func:`date_model`.
    """
    import keras

    dates = date_data(reverse_source)
    arrays = dates.arrays
    score = lambda part: lambda model: exact_match(decode_dates(model, dates, part), dates, part)  # noqa: E731
    name = "dates" + (" (source reversed)" if reverse_source else "")
    return Task(name, build=None, x_train=[arrays["train"].source, arrays["train"].decoder_input],
                y_train=arrays["train"].target, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                score=score("test"), val_score=score("val"), metric="exact match", higher_is_better=True,
                x_val=[arrays["val"].source, arrays["val"].decoder_input], y_val=arrays["val"].target,
                **DATES_BUDGET)


def date_model(context: str = "every_step", units: int = 64, *, score: str = "additive",
               bidirectional: bool = False):
    """A fresh :func:`rnnbook.models.seq2seq_model` sized for the date benchmark's vocabularies.

    ``score`` and ``bidirectional`` are passed on (``context="attention"`` only).
    """
    dates = _date_vocab_sizes()
    return models.seq2seq_model(*dates, units, context=context, score=score, bidirectional=bidirectional)


def validation_only(task: Task) -> Task:
    """``task`` scored on its validation set only: its test score is NaN, so a comparison cannot read the test set.

    For the choices made before the test set is read once (a task without
    ``val_score`` is an error).
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a rnnbook.benchmark.Task; got {type_name(task)}")
    if task.val_score is None:
        raise ValueError(f"task {task.name!r} has no val_score to score on")
    return dataclasses.replace(task, score=lambda model: float("nan"))


@functools.lru_cache(maxsize=1)
def _date_vocab_sizes() -> tuple[int, int]:
    dates = date_data()
    return len(dates.source_vocab), len(dates.target_vocab)


# --------------------------------------------------------------------------- SCAN (chapter 13)
SCAN_BUDGET = dict(epochs=16, batch_size=64, learning_rate=5e-3)   # 3,760 Adam updates on the simple split
SCAN_SOURCE_LENGTH = 9     # the longest command has 9 words
SCAN_TARGET_LENGTH = 49    # the longest action sequence has 48 actions, then EOS


@dataclass(frozen=True)
class ScanData:
    """A SCAN split (:func:`rnnbook.data.scan`) encoded word by word for an encoder-decoder.

    ``pairs[part]`` holds the (command, actions) strings and ``arrays[part]``
    the :class:`rnnbook.text.PairArrays` of ``part`` in ``"train"``, ``"val"``
    (10 % of the split's training commands, held out) and ``"test"``.
    """

    split: str
    pairs: dict
    arrays: dict
    source_vocab: Any
    target_vocab: Any


def scan_data(split: str = "simple", seed: int = 0) -> ScanData:
    """SCAN's ``split`` as word ids, with a validation part held out of its training commands.

    The vocabularies are the training words and actions after the specials
    :data:`rnnbook.text.SEQ2SEQ_SPECIALS`; commands are padded on the left to
    ``SCAN_SOURCE_LENGTH`` words, action sequences on the right to
    ``SCAN_TARGET_LENGTH``.  ``seed`` draws the simple split and the validation part
    (a tenth of the training commands; the command "jump" alone always stays in
    training, since the add-jump split teaches its meaning with it alone).
    """
    from . import text

    seed = check_seed("seed", seed)
    train, test = data.scan(split, seed)
    cut = len(train) // 10
    # data.scan shuffled them with seed; the add-jump split's one example of "jump"
    # alone is the only place its meaning is taught, so it stays in training
    val = [p for p in train[:cut] if p[0] != "jump"]
    pairs = {"train": train[cut:] + [p for p in train[:cut] if p[0] == "jump"], "val": val, "test": test}
    words = lambda part, side: [w for pair in pairs[part] for w in pair[side].split()]  # noqa: E731
    source_vocab = text.Vocabulary(words("train", 0), specials=text.SEQ2SEQ_SPECIALS)
    target_vocab = text.Vocabulary(words("train", 1), specials=text.SEQ2SEQ_SPECIALS)
    arrays = {part: text.encode_pairs([(c.split(), a.split()) for c, a in p], source_vocab, target_vocab,
                                      source_length=SCAN_SOURCE_LENGTH, target_length=SCAN_TARGET_LENGTH)
              for part, p in pairs.items()}
    return ScanData(split, pairs, arrays, source_vocab, target_vocab)


def greedy_answers(model, arrays, target_vocab) -> list[str]:
    """A trained encoder-decoder's greedy answer to every source of ``arrays``, as space-separated tokens.

    All sources side by side through :func:`rnnbook.decoding.greedy_decode_batch`,
    at most ``arrays.target.shape[1]`` tokens each; an answer stops before EOS.
    """
    from . import decoding

    decoder = decoding.KerasDecoder(model)
    step_fn, state = decoder.start(encoded=decoder.encoded(arrays.source))
    bos, eos = target_vocab.stoi["<bos>"], target_vocab.stoi["<eos>"]
    best = decoding.greedy_decode_batch(step_fn, state, bos, eos, arrays.target.shape[1])
    return [" ".join(target_vocab.itos[t] for t in tokens if t != eos) for tokens, _ in best]


def masked_loss(pad_id: int = 0):
    """Cross-entropy on logits that ignores the padded target positions (``ignore_class=pad_id``).

    The mean runs over the real tokens only, so a batch's short targets count as
    much per token as its long ones, and the model is never trained to write padding.
    """
    import keras

    return keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                      ignore_class=pad_id)


def scan_task(split: str = "simple", seed: int = 0, *, mask_loss: bool = True) -> Task:
    """SCAN's ``split`` as a protocol: ``SCAN_BUDGET``, teacher forcing, greedy exact match.

    The score is the fraction of test commands whose greedy action sequence is
    exactly right, ``val_score`` the same on the held-out training commands.
    ``mask_loss=False`` trains on the padded positions too (to see why one
    should not).  Build the models with :func:`scan_model`, and train with
    :func:`scan_callbacks` (the learning rate's cosine decay).
    """
    import keras

    scan = scan_data(split, seed)
    if not isinstance(mask_loss, bool):
        raise TypeError(f"mask_loss must be True or False; got {type_name(mask_loss)}")
    arrays = scan.arrays

    def score(part):
        truth = [a for _, a in scan.pairs[part]]
        return lambda model: float(np.mean([a == t for a, t in zip(greedy_answers(model, arrays[part],
                                                                                   scan.target_vocab), truth)]))

    loss = masked_loss() if mask_loss else keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return Task(f"SCAN ({split})", build=None, x_train=[arrays["train"].source, arrays["train"].decoder_input],
                y_train=arrays["train"].target, loss=loss, score=score("test"), val_score=score("val"),
                metric="exact match", higher_is_better=True,
                x_val=[arrays["val"].source, arrays["val"].decoder_input], y_val=arrays["val"].target,
                **SCAN_BUDGET)


def scan_callbacks() -> list:
    """The learning-rate schedule of the SCAN protocol, as Keras callbacks (a fresh list per run).

    Cosine decay over ``SCAN_BUDGET["epochs"]`` epochs, from the budget's
    learning rate at the first epoch to nearly 0 at the last, so that the last
    epochs refine the weights instead of jumping between them.
    """
    import math

    import keras

    epochs, rate = SCAN_BUDGET["epochs"], SCAN_BUDGET["learning_rate"]
    return [keras.callbacks.LearningRateScheduler(lambda epoch: rate * 0.5 * (1 + math.cos(math.pi * epoch / epochs)))]


def scan_word_by_word(command: str) -> str:
    """SCAN's dictionary baseline: each word's own action, in the order written, and nothing else.

    "walk", "look", "run", "jump" give their action, "left" and "right" a turn;
    "turn", "opposite", "around", "twice", "thrice", "and", "after" give
    nothing.  It knows every word and no composition: ``"jump twice after
    walk left"`` -> ``"I_JUMP I_WALK I_TURN_LEFT"`` (the truth is ``"I_TURN_LEFT
    I_WALK I_JUMP I_JUMP"``).
    """
    command = check_str("command", command, nonempty=True)
    words = {"walk": "I_WALK", "look": "I_LOOK", "run": "I_RUN", "jump": "I_JUMP", "left": "I_TURN_LEFT",
             "right": "I_TURN_RIGHT"}
    return " ".join(words[w] for w in command.split() if w in words)


def scan_model(units: int = 64, *, context: str = "attention"):
    """A fresh :func:`rnnbook.models.seq2seq_model` sized for SCAN's vocabularies (the same for every split)."""
    return models.seq2seq_model(*_scan_vocab_sizes(), units, context=context)


@functools.lru_cache(maxsize=1)
def _scan_vocab_sizes() -> tuple[int, int]:
    scan = scan_data("simple")
    return len(scan.source_vocab), len(scan.target_vocab)


# --------------------------------------------------------------------------- the Lee text, character by character (chapter 10)
LEE_LM_BUDGET = dict(epochs=4, batch_size=64, learning_rate=1e-2)   # 4 passes over the training text
LEE_LM_WINDOW = 100   # characters per training window
UNKNOWN_CHAR = "\ufffd"   # stands for a character seen only in the held-out text


@dataclass(frozen=True)
class CharData:
    """The Lee-text benchmark as character ids: the alphabet and the three parts.

    The alphabet is the sorted training characters plus :data:`UNKNOWN_CHAR`,
    exactly as chapter 3's :class:`rnnbook.bptt.CharRNN` encodes the text, so
    every model of the benchmark predicts the same symbols.
    """

    alphabet: list
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def encode(self, text: str) -> np.ndarray:
        """Ids of the characters of ``text`` (unseen characters map to :data:`UNKNOWN_CHAR`)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type_name(text)}")
        index = {c: i for i, c in enumerate(self.alphabet)}
        unknown = index[UNKNOWN_CHAR]
        return np.array([index.get(c, unknown) for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        """The characters of ``ids``."""
        return "".join(self.alphabet[int(i)] for i in ids)


def lee_char_data() -> CharData:
    """:func:`rnnbook.data.lee_text_splits` as character ids over the training alphabet."""
    split = data.lee_text_splits()
    alphabet = sorted(set(split.train)) + [UNKNOWN_CHAR]
    index = {c: i for i, c in enumerate(alphabet)}
    encode = lambda t: np.array([index.get(c, index[UNKNOWN_CHAR]) for c in t], dtype=np.int64)  # noqa: E731
    return CharData(alphabet, encode(split.train), encode(split.val), encode(split.test))


def char_windows(ids, length: int = LEE_LM_WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Cut a stream of ids into non-overlapping windows: inputs [n, length] and next-character targets [n, length].

    Window ``i`` reads ``ids[i*length : (i+1)*length]`` and must predict the
    same stretch shifted by one.  The tail that does not fill a window is dropped.
    """
    from ._validate import as_array

    ids = as_array("ids", ids, ndim=1, shape_desc="[characters]", dtype=None)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"ids must be integer character ids; got dtype {ids.dtype}")
    length = check_positive_int("length", length)
    n = (len(ids) - 1) // length
    if n < 1:
        raise ValueError(
            f"ids must hold more than length={length} characters; got {len(ids)}"
        )
    return (
        ids[: n * length].reshape(n, length),
        ids[1: n * length + 1].reshape(n, length),
    )


def nats_per_char(model, ids) -> float:
    """Mean negative log-likelihood (nats per character) of a language model over a whole text.

    The model reads ``ids`` as one sequence from a zero state and predicts
    each character from all the characters before it (the first is not
    predicted), as :meth:`rnnbook.bptt.CharRNN.loss` scores chapter 3's RNN.
    It runs in NumPy with the model's weights (:class:`rnnbook.decoding.KerasDecoder`),
    which is much faster than Keras one step at a time over a long text.
    """
    from ._validate import as_array

    ids = as_array("ids", ids, ndim=1, shape_desc="[characters]", dtype=None)
    if len(ids) < 2 or ids.dtype.kind not in "iu":
        raise ValueError(f"ids must hold at least two integer character ids; got {len(ids)} of dtype {ids.dtype}")
    if models.model_kind(model) != "language_model":
        raise TypeError(f"model must come from rnnbook.models.language_model; got {type_name(model)}")
    from .decoding import KerasDecoder

    log_probs = KerasDecoder(model).log_probs(ids[:-1])
    return float(-log_probs[np.arange(len(ids) - 1), ids[1:]].mean())


def stream_windows(ids, streams: int, length: int = LEE_LM_WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Windows for training with the state carried across them: inputs and targets [n * streams, length].

    The text is cut into ``streams`` contiguous pieces of equal length (the
    tail that does not fill a window in every piece is dropped), and each
    piece into windows.  Rows ``i * streams`` to ``(i + 1) * streams - 1`` are
    window ``i`` of every piece, so that a batch of ``streams`` rows, taken in
    order, continues each row of the batch before it: a stateful layer's
    final state for row ``r`` is the right initial state for row ``r`` of the
    next batch.
    """
    x, y = char_windows(ids, length)
    streams = check_positive_int("streams", streams)
    per_stream = len(x) // streams
    if per_stream < 1:
        raise ValueError(f"ids must hold at least streams={streams} windows of {length} characters; got {len(x)}")
    # window j of piece r is row r * per_stream + j of x; reorder to j * streams + r
    order = np.arange(per_stream * streams).reshape(streams, per_stream).T.ravel()
    return x[order], y[order]


def train_char_lm(cell: str = "gru", units: int = 256, *, seed: int = 0, epochs: int | None = None,
                  chars: CharData | None = None, carry_state: bool = False, restore_best: bool = False):
    """The Lee-text language-model protocol: train one model, scoring the validation text after every epoch.

    ``models.language_model(cell, V, units)`` trained with ``LEE_LM_BUDGET``
    (Adam, learning rate 0.01, batch 64) on windows of ``LEE_LM_WINDOW``
    characters, cross-entropy on the logits.

    Parameters
    ----------
    carry_state : bool
        False (the chapter's protocol): the windows are shuffled and each
        starts from a zero state.  True: truncated BPTT over the whole text,
        as chapter 3's ``CharRNN`` trains: the text is cut into 64 streams
        (:func:`stream_windows`), the windows are read in order, and each
        starts from the state its stream's previous window ended in (reset to
        zero at the start of each epoch).
    restore_best : bool
        Return the weights of the epoch with the lowest validation loss
        (early stopping's choice) instead of the last epoch's.

    Returns
    -------
    (model, curve)
        ``model`` is a ``language_model`` (never stateful), ``curve`` a list of
        (epoch, seconds of training so far, validation nats per character).
    """
    import keras

    chars = lee_char_data() if chars is None else chars
    if not isinstance(chars, CharData):
        raise TypeError(f"chars must be the CharData of lee_char_data(); got {type_name(chars)}")
    epochs = LEE_LM_BUDGET["epochs"] if epochs is None else check_positive_int("epochs", epochs)
    carry_state, restore_best = check_bool("carry_state", carry_state), check_bool("restore_best", restore_best)
    keras.utils.set_random_seed(check_seed("seed", seed))
    model = models.language_model(cell, len(chars.alphabet), units)
    batch = LEE_LM_BUDGET["batch_size"]
    if carry_state:
        x, y = stream_windows(chars.train, batch)
        trained = models.language_model(cell, len(chars.alphabet), units, stateful_batch=batch)
        trained.set_weights(model.get_weights())
        reset = keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda *_: trained.get_layer("recurrent").reset_state())
    else:
        x, y = char_windows(chars.train)
        trained, reset = model, None
    curve, elapsed, best = [], 0.0, None
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        if epoch == 1:
            models.train(trained, x, y, epochs=1, loss=loss, batch_size=batch,
                         learning_rate=LEE_LM_BUDGET["learning_rate"], shuffle=not carry_state,
                         callbacks=[reset] if reset else None)
        else:   # keep the optimiser's state: one more epoch of the same fit
            trained.fit(x, y, epochs=1, batch_size=batch, verbose=0, shuffle=not carry_state,
                        callbacks=[reset] if reset else None)
        elapsed += time.perf_counter() - start
        if trained is not model:
            model.set_weights(trained.get_weights())
        curve.append((epoch, elapsed, nats_per_char(model, chars.val)))
        if restore_best and (best is None or curve[-1][2] < best[0]):
            best = (curve[-1][2], model.get_weights())
    if restore_best:
        model.set_weights(best[1])
    return model, curve
