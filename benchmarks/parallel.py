"""The seeds of a comparison side by side: ``benchmark.compare_models`` with 1 worker and with the default.

The adding problem's LSTM(32) and GRU(32), 3 seeds each (``benchmark.adding_task``,
the comparison of chapters 4 to 6): once with ``RNNBOOK_WORKERS=1`` (every run in
this process, one after the other) and once with :func:`rnnbook.parallel.workers`'
choice for this machine, workers' start included.  The scores must be identical.
"""
from __future__ import annotations

import os
import time

from .timing import Section


def _timed(workers: str | None, epochs: int | None):
    from rnnbook import benchmark

    task = benchmark.adding_task()
    if epochs is not None:
        import dataclasses
        task = dataclasses.replace(task, epochs=epochs)
    saved = os.environ.get("RNNBOOK_WORKERS")
    if workers is None:
        os.environ.pop("RNNBOOK_WORKERS", None)
    else:
        os.environ["RNNBOOK_WORKERS"] = workers
    try:
        start = time.perf_counter()
        result = benchmark.compare_models(task, {c: (lambda c=c: task.build(c)) for c in ("lstm", "gru")})
        return time.perf_counter() - start, result
    finally:
        if saved is None:
            os.environ.pop("RNNBOOK_WORKERS", None)
        else:
            os.environ["RNNBOOK_WORKERS"] = saved


def run(epochs: int | None = None) -> Section:
    """Time the comparison both ways; ``epochs`` shrinks it for tests."""
    from rnnbook import parallel

    alone_s, alone = _timed("1", epochs)
    side_s, side = _timed(None, epochs)
    same = all(a.scores == b.scores and a.val_curves == b.val_curves for a, b in zip(alone.results, side.results))
    if not same:
        raise AssertionError("runs side by side gave other scores than one after the other")
    rows = [["adding problem, LSTM(32) and GRU(32), 3 seeds each", side.workers, alone_s, side_s,
             f"{alone_s / side_s:.2f}×", "yes"]]
    notes = [f"One after the other: `RNNBOOK_WORKERS=1`. Side by side: {side.workers} worker processes "
             f"(`rnnbook.parallel.workers()` on this machine, at most {parallel.MAX_WORKERS}), their start "
             "included, as a notebook pays it on its first comparison. Each run seeds itself, so the scores and "
             "validation curves are identical, to the last bit, both ways (checked here and by a unit test)."]
    return Section("parallel", "Seeds side by side: a comparison in worker processes",
                   ["comparison", "workers", "one after the other (s)", "side by side (s)", "speed-up",
                    "identical scores"], rows, notes, raw={"alone_s": alone_s, "side_s": side_s,
                                                           "workers": side.workers})
