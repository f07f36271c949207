"""Experiments too long for a notebook's time budget: ``make experiments`` runs them, the chapters read the results.

A chapter's notebook must run within 80 s on two CPU cores.  An experiment that
needs more (more seeds, more contenders, longer training) is a function of this
module, registered with :func:`experiment`.  ``make experiments`` runs every one
(``python -m rnnbook.experiments``; one by name: ``python -m rnnbook.experiments
attention_variants``) and writes its results to ``data/experiments/<name>.json``,
with its settings, the seeds, the versions of Python, NumPy, TensorFlow and
Keras, the machine, the date and the seconds it took.  The notebook reads the
file with :func:`load`, which says what it read, and quotes only its numbers.

Each file carries the SHA-256 digest of its own content.  :func:`load` refuses
a file whose digest no longer matches (edited by hand: its numbers did not come
from a run), and :func:`run` refuses to overwrite one, unless forced
(``--force``), so that nobody's edits are lost without a word.

Trained weights differ in their last digits from one CPU to another, so each
experiment states a tolerance: how far a rerun may move each score.
``tests/test_experiments.py`` reruns one seed of one contender and checks that it
lands within that tolerance of the stored file.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._validate import check_str

__all__ = ["RESULTS_DIR", "Experiment", "EXPERIMENTS", "experiment", "Record", "run", "load", "main"]

#: Where the results live: ``data/experiments/`` of the book's repository.
RESULTS_DIR = Path(__file__).resolve().parents[2] / "data" / "experiments"


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: ``function(**settings)`` returns plain numbers (JSON-able)."""

    name: str
    function: Callable[..., dict]
    chapter: str
    tolerance: float
    description: str


#: Every registered experiment, by name, in the order ``make experiments`` runs them.
EXPERIMENTS: dict[str, Experiment] = {}


def experiment(*, chapter: str, tolerance: float) -> Callable:
    """Register the decorated function as an experiment of ``chapter`` (its docstring's first line describes it).

    ``tolerance`` is the largest change of any score that a rerun on another
    machine may show (an absolute difference, in the score's own units).
    """
    def register(function):
        doc = (function.__doc__ or "").strip().splitlines()
        EXPERIMENTS[function.__name__] = Experiment(function.__name__, function, chapter, float(tolerance),
                                                    doc[0] if doc else "")
        return function
    return register


@dataclass(frozen=True)
class Record:
    """An experiment's results and where they came from, as stored in ``data/experiments/<name>.json``."""

    name: str
    results: dict
    settings: dict
    tolerance: float
    versions: dict
    machine: str
    finished: str
    seconds: float
    digest: str = ""

    def __post_init__(self):
        object.__setattr__(self, "digest", _digest(self._content()))

    def _content(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "digest"}

    def __str__(self) -> str:
        versions = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        return (f"read data/experiments/{self.name}.json, written by `make experiments` on {self.finished[:10]} "
                f"in {self.seconds / 60:.0f} min ({self.machine}; {versions}); a rerun on another machine "
                f"may move each score by up to {self.tolerance:g}")

    def to_json(self) -> str:
        return json.dumps({**self._content(), "digest": self.digest}, indent=1, sort_keys=True) + "\n"


def _digest(content: dict) -> str:
    """SHA-256 of a record's content (every field but the digest), in a canonical JSON form."""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _changed_by_hand(stored: dict) -> bool:
    """True if a stored record's digest does not match its content (or it has none)."""
    content = {k: v for k, v in stored.items() if k != "digest"}
    return stored.get("digest") != _digest(content)


def _versions() -> dict:
    import keras
    import numpy
    import tensorflow

    return {"Python": platform.python_version(), "NumPy": numpy.__version__, "TensorFlow": tensorflow.__version__,
            "Keras": keras.__version__}


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def _known(name: str) -> Experiment:
    name = check_str("name", name, nonempty=True)
    if name not in EXPERIMENTS:
        raise ValueError(f"no experiment named {name!r}; the experiments are {sorted(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def _refuse_if_edited(path: Path, name: str) -> None:
    """Raise FileExistsError if ``path`` exists and was changed since a run wrote it."""
    if not path.exists():
        return
    try:
        edited = _changed_by_hand(json.loads(path.read_text()))
    except (ValueError, AttributeError):   # not JSON, or not a JSON object
        edited = True
    if edited:
        raise FileExistsError(f"{path} was changed since `make experiments` wrote it (its digest does not match "
                              f"its content), so it is not overwritten; move it away, or run "
                              f"`python -m rnnbook.experiments {name} --force` to replace it")


def run(name: str, *, directory: Path | None = RESULTS_DIR, force: bool = False, **settings) -> Record:
    """Run the experiment ``name`` and return its :class:`Record`; write it to ``directory`` unless that is None.

    ``settings`` override the experiment's defaults (fewer seeds, for a quick
    check); a run with overrides is never written, so that the stored file
    always holds the full experiment.

    Raises
    ------
    FileExistsError
        Before running anything, if the file to be written exists and was
        changed since a run wrote it (its digest does not match), unless
        ``force`` is true.
    """
    spec = _known(name)
    path = None if directory is None or settings else Path(directory) / f"{name}.json"
    if path is not None and not force:
        _refuse_if_edited(path, name)
    start = time.perf_counter()
    results = spec.function(**settings)
    record = Record(name, results, settings, spec.tolerance, _versions(), _machine(),
                    datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    round(time.perf_counter() - start, 1))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record.to_json())
    return record


def load(name: str, directory: Path = RESULTS_DIR) -> Record:
    """The stored results of the experiment ``name`` (``make experiments`` writes them).

    Raises
    ------
    ValueError
        If no experiment has that name, or the file is not a record or was
        changed since a run wrote it.
    FileNotFoundError
        If its results were never written here, with the command that writes them.
    """
    _known(name)
    path = Path(directory) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no results at {path}: run `make experiments` (or `python -m rnnbook.experiments "
                                f"{name}`) from the book's folder to write them")
    stored = json.loads(path.read_text())
    fields = set(Record.__dataclass_fields__)
    if set(stored) != fields:
        raise ValueError(f"{path} is not an experiment record: expected the fields {sorted(fields)}, "
                         f"got {sorted(stored)}")
    if _changed_by_hand(stored):
        raise ValueError(f"{path} was changed since `make experiments` wrote it (its digest does not match its "
                         f"content): its numbers did not come from a run; rerun `python -m rnnbook.experiments "
                         f"{name} --force` to replace it")
    return Record(**stored)


# --------------------------------------------------------------------------- the experiments
def _comparison_results(comparison) -> dict:
    """What a chapter reads of a :class:`rnnbook.benchmark.Comparison` on validation: per model, per seed."""
    return {r.cell: {"params": r.params, "val_scores": [round(v, 6) for v in r.val_scores],
                     "val_curves": [[round(v, 6) for v in curve] for curve in r.val_curves]}
            for r in comparison.results}


ATTENTION_VARIANTS = {
    "additive": dict(score="additive"),
    "dot": dict(score="dot"),
    "additive, bidirectional encoder": dict(score="additive", bidirectional=True),
}


@experiment(chapter="12_beam_search_attention", tolerance=0.02)
def attention_variants(units=(16, 32), seeds=(0, 1, 2), variants=tuple(ATTENTION_VARIANTS)) -> dict:
    """Chapter 12: the attention score (additive, dot) and a bidirectional encoder, on the date protocol.

    Every variant of :data:`ATTENTION_VARIANTS` at each width, trained by
    :func:`rnnbook.benchmark.dates_task`'s protocol, validation only.  Returns
    ``{"<units>": {variant: {"params", "val_scores", "val_curves"}}}``.
    """
    from . import benchmark

    task = benchmark.validation_only(benchmark.dates_task())
    out = {}
    for n in units:
        builders = {v: _date_builder(n, ATTENTION_VARIANTS[v]) for v in variants}
        out[str(n)] = _comparison_results(benchmark.compare_models(task, builders, seeds=seeds))
    return out


@experiment(chapter="11_seq2seq", tolerance=0.02)
def sutskever_decoder(units=64, seeds=(0, 1, 2), epochs=(4, 16)) -> dict:
    """Chapter 11: Sutskever et al.'s decoder (the context only as its first state) on the date protocol.

    ``context="initial_state"`` at the chapter's width, trained by
    :func:`rnnbook.benchmark.dates_task`'s protocol (4 epochs) and with more
    epochs, validation only.  Returns ``{"<epochs> epochs": {"params",
    "val_scores", "val_curves", "exposure"}}``, where ``exposure`` holds each
    seed's :func:`rnnbook.benchmark.exposure_bias` on the validation dates.
    """
    import dataclasses

    from . import benchmark

    dates = benchmark.date_data()
    out = {}
    for n in epochs:
        task = dataclasses.replace(benchmark.validation_only(benchmark.dates_task()), epochs=int(n))
        comparison = benchmark.compare_models(task, {"initial_state": _date_builder(units, dict(context="initial_state"))},
                                              seeds=seeds, keep_models=True)
        result = _comparison_results(comparison)["initial_state"]
        result["exposure"] = [{k: round(v, 6) for k, v in benchmark.exposure_bias(m, dates, "val").items()}
                              for m in comparison.results[0].models]
        out[f"{n} epochs"] = result
    return out


@experiment(chapter="13_translation", tolerance=0.05)
def scan_attention(splits=("simple", "length"), seeds=(0, 1, 2), units=64, mask_loss=(True,)) -> dict:
    """Chapter 13: the book's attention encoder-decoder on SCAN's splits, with exact match, BLEU and chrF.

    :func:`rnnbook.benchmark.scan_task`'s protocol, with its learning-rate schedule
    (:func:`rnnbook.benchmark.scan_callbacks`), for each split (and, for
    each value of ``mask_loss``, with and without masking the padded targets).
    Returns ``{"<split>" or "<split>, loss unmasked": {"params", "val_scores",
    "test_scores", "val_curves", "bleu", "chrf", "by_length", "examples"}}``:
    per seed, exact match on the held-out training commands and on the test
    commands, corpus BLEU and chrF of the test answers (sacrebleu), exact match
    per length of the true action sequence (``{length: [per seed]}``), and the
    first five wrong test answers of the first seed.
    """
    from . import benchmark

    out = {}
    for split in splits:
        scan = benchmark.scan_data(split)
        truth = [a for _, a in scan.pairs["test"]]
        for masked in mask_loss:
            task = benchmark.scan_task(split, mask_loss=masked)
            comparison = benchmark.compare_models(task, {"attention": _scan_builder(units)}, seeds=seeds,
                                                  keep_models=True, callbacks=benchmark.scan_callbacks)
            result = _comparison_results(comparison)["attention"]
            answers = [benchmark.greedy_answers(m, scan.arrays["test"], scan.target_vocab)
                       for m in comparison.results[0].models]
            result.update(_translation_scores(answers, truth))
            result["test_scores"] = [round(v, 6) for v in comparison.results[0].scores]
            result["examples"] = [[c, a, t] for (c, t), a in zip(scan.pairs["test"], answers[0]) if a != t][:5]
            out[split if masked else f"{split}, loss unmasked"] = result
    return out


LM_CONTENDERS = {
    "chapter protocol": dict(units=256, epochs=4),
    "state carried across windows": dict(units=256, epochs=4, carry_state=True),
    "longer training": dict(units=256, epochs=12, restore_best=True),
    "wider layer": dict(units=512, epochs=4),
    "all three": dict(units=512, epochs=12, carry_state=True, restore_best=True),
}


@experiment(chapter="10_language_models", tolerance=0.03)
def lm_fair_chance(seeds=(0, 1, 2), contenders=tuple(LM_CONTENDERS)) -> dict:
    """Chapter 10: the GRU language model's fair chance against Kneser-Ney (state, training length, width).

    Each contender of :data:`LM_CONTENDERS` changes the chapter's protocol
    (:func:`rnnbook.benchmark.train_char_lm`) in one way, and "all three"
    in all of them; "longer training" keeps the epoch with the best
    validation loss.  Returns ``{contender: {"params", "val_curves",
    "val_scores", "best_epochs", "test_scores", "seconds"}}``, per seed;
    ``val_scores`` and ``test_scores`` are the returned model's (the last
    epoch's, or the best one's), in nats per character.
    """
    from . import benchmark

    chars = benchmark.lee_char_data()
    out = {}
    for name in contenders:
        options = dict(LM_CONTENDERS[name])
        units = options.pop("units")
        result = {"val_curves": [], "val_scores": [], "best_epochs": [], "test_scores": [], "seconds": []}
        for seed in seeds:
            model, curve = benchmark.train_char_lm("gru", units, seed=seed, chars=chars, **options)
            val = [round(v, 6) for _, _, v in curve]
            best = val.index(min(val)) if options.get("restore_best") else len(val) - 1
            result["params"] = model.count_params()
            result["val_curves"].append(val)
            result["val_scores"].append(val[best])
            result["best_epochs"].append(best + 1)
            result["test_scores"].append(round(benchmark.nats_per_char(model, chars.test), 6))
            result["seconds"].append(round(curve[-1][1], 1))
        out[name] = result
    return out


def _translation_scores(answers, truth) -> dict:
    """Corpus BLEU and chrF (sacrebleu) of each seed's answers, and exact match per length of the truth."""
    import numpy as np
    import sacrebleu

    lengths = np.array([len(t.split()) for t in truth])
    right = [np.array([a == t for a, t in zip(run, truth)]) for run in answers]
    wrong_lengths = [np.array([len(a.split()) - n for a, n, ok in zip(run, lengths, r) if not ok])
                     for run, r in zip(answers, right)]
    return {"bleu": [round(sacrebleu.corpus_bleu(run, [truth], tokenize="none").score, 4) for run in answers],
            "chrf": [round(sacrebleu.corpus_chrf(run, [truth]).score, 4) for run in answers],
            "by_length": {str(n): [round(float(r[lengths == n].mean()), 6) for r in right]
                          for n in sorted(set(lengths.tolist()))},
            # wrong answers: the share shorter than the truth, and their mean length minus the truth's
            "wrong_too_short": [round(float((w < 0).mean()), 6) if len(w) else None for w in wrong_lengths],
            "wrong_length_difference": [round(float(w.mean()), 4) if len(w) else None for w in wrong_lengths]}


class _scan_builder:
    """A picklable ``build()`` for :func:`rnnbook.benchmark.scan_model`."""

    def __init__(self, units):
        self.units = units

    def __call__(self):
        from . import benchmark

        return benchmark.scan_model(self.units)


class _date_builder:
    """A picklable ``build()`` for :func:`rnnbook.benchmark.date_model` (worker processes need one)."""

    def __init__(self, units, options):
        self.units, self.options = units, dict(options)

    def __call__(self):
        from . import benchmark

        options = dict(self.options)
        return benchmark.date_model(options.pop("context", "attention"), self.units, **options)


def main(argv=None) -> int:
    """``python -m rnnbook.experiments [name ...]``: run the named experiments (all by default) and write them."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m rnnbook.experiments", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"experiments to run (default: all of {list(EXPERIMENTS)})")
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument("--force", action="store_true",
                        help="overwrite results even if they were changed since a run wrote them")
    args = parser.parse_args(argv)
    if args.list:
        for spec in EXPERIMENTS.values():
            print(f"{spec.name:24s} {spec.chapter:28s} {spec.description}")
        return 0
    for name in args.names or list(EXPERIMENTS):
        _known(name)
        if not args.force:
            try:   # before any run starts: a refusal after an hour of training helps nobody
                _refuse_if_edited(RESULTS_DIR / f"{name}.json", name)
            except FileExistsError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
    for name in args.names or list(EXPERIMENTS):
        print(f"[{datetime.datetime.now():%H:%M:%S}] {name} ...", flush=True)
        record = run(name, directory=RESULTS_DIR, force=args.force)
        print(f"  {record.seconds:.0f} s -> {RESULTS_DIR / (name + '.json')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
