"""Beam search against greedy decoding on the date benchmark: time against exact match, as in chapter 12.

One date model is trained with the package's protocol (``benchmark.dates_task``
with ``DATES_BUDGET``, ``benchmark.date_model``, through
``benchmark.compare_models`` with a fixed seed, the recipe of chapter 12), then
the validation dates are decoded with ``benchmark.decode_dates``: greedily, all
dates side by side and one at a time, and with beams of width 2, 4 and 8.
"""
from __future__ import annotations

import time

from .timing import Section

WIDTHS = (1, 2, 4, 8)


def train_date_model(context: str = "every_step", units: int = 32, seed: int = 0, epochs: int | None = None):
    """Chapter 12's model: ``date_model(context, units)`` trained once on the date protocol; returns it and its row.

    ``epochs`` overrides the protocol's budget (for quick development runs only).
    """
    import dataclasses

    from rnnbook import benchmark

    task = benchmark.dates_task()
    if epochs is not None:
        task = dataclasses.replace(task, epochs=epochs)
    start = time.perf_counter()
    comparison = benchmark.compare_models(task, {context: lambda: benchmark.date_model(context, units=units)},
                                          seeds=(seed,), keep_models=True)
    result = comparison.results[0]
    return result.models[0], {"context": context, "units": units, "seed": seed, "parameters": result.params,
                              "train_seconds": time.perf_counter() - start,
                              "val_exact_match": result.val_scores[0], "test_exact_match": result.scores[0],
                              "epochs": task.epochs}


def time_decoding(model, dates, part: str = "val", widths=WIDTHS, limit: int | None = None) -> list[dict]:
    """Decode ``part`` (its first ``limit`` dates, all by default) greedily and with each beam width.

    Returns one dict per decoder: name, beam width, seconds per 1000 dates, exact match.
    """
    from rnnbook import benchmark

    if limit is not None:
        dates = benchmark.first_dates(dates, part, limit)
    n = len(dates.pairs[part])
    runs = [("greedy, all dates side by side", 1, True)] + [
        ("greedy, one date at a time" if w == 1 else f"beam search, width {w}", w, False) for w in widths]
    rows = []
    for name, width, batch in runs:
        start = time.perf_counter()
        answers = benchmark.decode_dates(model, dates, part, beam_width=width, batch=batch)
        seconds = time.perf_counter() - start
        rows.append({"decoder": name, "beam_width": width, "batch": batch, "dates": n,
                     "seconds_per_1000": 1000 * seconds / n,
                     "exact_match": benchmark.exact_match(answers, dates, part)})
    return rows


def run(contexts=("every_step", "attention"), units: int = 32, seed: int = 0, *, limit: int | None = None,
        epochs: int | None = None) -> Section:
    """Train each of chapter 12's date models once, then time every decoder on the validation dates (the first ``limit``)."""
    from rnnbook import benchmark

    dates = benchmark.date_data()
    rows, raw, trained_notes = [], [], []
    for context in contexts:
        model, trained = train_date_model(context, units, seed, epochs)
        results = time_decoding(model, dates, "val", limit=limit)
        raw.append({"model": trained, "results": results})
        rows += [[f"{context}: {r['decoder']}", r["beam_width"], r["seconds_per_1000"], f"{r['exact_match']:.3f}"]
                 for r in results]
        trained_notes.append(f"`{context}` ({trained['parameters']:,} parameters, trained in "
                             f"{trained['train_seconds']:.0f} s)")
    n = raw[0]["results"][0]["dates"]
    budget = ", ".join(f"{k}={v}" for k, v in benchmark.DATES_BUDGET.items())
    epochs_note = "" if epochs is None else f" (quick run: {epochs} epochs instead)"
    notes = [(f"Models: `benchmark.date_model(context, units={units})` for context {' and '.join(trained_notes)}, "
              f"each trained once with seed {seed} on the date protocol (`DATES_BUDGET`: {budget}){epochs_note}; "
              f"decoded in NumPy by `benchmark.decode_dates` on {n} validation dates."),
             ("Greedy side by side decodes every date in one batch of NumPy steps; every other row decodes one date "
              "at a time, so greedy and beam search are compared on equal terms.")]
    return Section("decoding", "Beam search against greedy decoding on the dates",
                   ["model: decoder", "beam width", "seconds per 1000 dates", "validation exact match"], rows, notes,
                   raw={"units": units, "seed": seed, "models": raw})
