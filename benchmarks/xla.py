"""Two levers on Keras's training speed on the CPU: updates per call, and the XLA compiler.

Three ways to run the same training, with the book's own helper
(``models.train``) and data:

- ``1 update per call``: Keras's default, one call of the compiled step per batch;
- ``32 per call``: ``steps_per_execution=32``, the book's default, which runs
  32 updates inside one call (the same updates and the same weights);
- ``32 per call + XLA``: the same with ``jit_compile=True``.

For each, a *warm epoch* (the seconds of one more epoch after the run, when
tracing and compiling are done) and *end to end* (a fresh model built,
compiled and trained for the protocol's whole budget, validation included,
which is what a notebook pays).  Models: the adding-problem LSTM(32) and
GRU(32) of chapters 4 to 6 (``benchmark.adding_task``, 600 updates), and the
character GRU(256) language model of chapter 10 (one epoch end to end).
"""
from __future__ import annotations

import time

from .timing import Section

MODES = (("1 update per call", dict(steps_per_execution=1)),
         ("32 per call", dict(steps_per_execution=32)),
         ("32 per call + XLA", dict(steps_per_execution=32, jit_compile=True)))


def _fit_seconds(build, x, y, *, epochs: int, batch_size: int, loss, learning_rate: float,
                 validation_data=None, global_clipnorm=None, **mode) -> tuple[float, float]:
    """(end-to-end seconds for ``epochs`` epochs from a fresh model, seconds of one more warm epoch)."""
    from rnnbook import models

    model = build()
    start = time.perf_counter()
    models.train(model, x, y, epochs=epochs, loss=loss, batch_size=batch_size, learning_rate=learning_rate,
                 validation_data=validation_data, global_clipnorm=global_clipnorm, **mode)
    end_to_end = time.perf_counter() - start
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
    return end_to_end, time.perf_counter() - start


def run(cells=("lstm", "gru"), adding_epochs: int | None = None, char_lm: bool = True,
        char_lm_limit: int | None = None) -> Section:
    """Measure each model in each mode; ``adding_epochs``/``char_lm_limit`` shrink it for tests."""
    import keras

    from rnnbook import benchmark, models

    rows, raw = [], []
    task = benchmark.adding_task()
    epochs = task.epochs if adding_epochs is None else adding_epochs
    cases = [(f"adding problem, {cell.upper()}(32), {epochs} epoch{'s' if epochs != 1 else ''} + validation",
              (lambda c=cell: task.build(c)), task.x_train, task.y_train,
              dict(epochs=epochs, batch_size=task.batch_size, loss="mse", learning_rate=task.learning_rate,
                   validation_data=(task.x_val, task.y_val), global_clipnorm=task.global_clipnorm))
             for cell in cells]
    if char_lm:
        chars = benchmark.lee_char_data()
        x, y = benchmark.char_windows(chars.train)
        if char_lm_limit is not None:
            x, y = x[:char_lm_limit], y[:char_lm_limit]
        budget = benchmark.LEE_LM_BUDGET
        cases.append(("Lee characters, GRU(256) language model, 1 epoch",
                      lambda: models.language_model("gru", len(chars.alphabet), 256), x, y,
                      dict(epochs=1, batch_size=budget["batch_size"], learning_rate=budget["learning_rate"],
                           loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))))
    for name, build, x, y, kwargs in cases:
        result = {"model": name}
        for mode, options in MODES:
            keras.utils.set_random_seed(0)
            end_to_end, warm = _fit_seconds(build, x, y, **kwargs, **options)
            result[mode] = {"end_to_end_s": end_to_end, "warm_epoch_s": warm}
        for what, key in (("warm epoch", "warm_epoch_s"), ("end to end", "end_to_end_s")):
            base = result[MODES[0][0]][key]
            rows.append([name, what] + [result[m][key] for m, _ in MODES]
                        + [f"{base / result[m][key]:.2f}×" for m, _ in MODES[1:]])
        raw.append(result)
    notes = ["Warm epoch: the seconds of one more epoch after the run, when tracing and XLA's compilation are "
             "done. End to end: a fresh model built, compiled and trained, as a notebook pays it. One run each, "
             "seed 0, on the CPU. `steps_per_execution` changes the speed, not the weights (a test checks that "
             "the histories and weights are identical); XLA changes the last digits."]
    headers = ["model and run", "measure"] + [f"{m} (s)" for m, _ in MODES] + [f"speed-up, {m}" for m, _ in MODES[1:]]
    return Section("xla", "Updates per call and XLA on the CPU: warm epoch and end to end", headers, rows, notes,
                   raw={"results": raw})
