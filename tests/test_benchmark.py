"""rnnbook.benchmark: tasks, validation, tables, and a tiny end-to-end comparison."""
import inspect

import numpy as np
import pytest

from rnnbook import benchmark, cells, models
from rnnbook.benchmark import CellResult, Comparison, Task, compare_cells
from rnnbook.models import recurrent_model


def test_the_builder_lives_in_models():
    with pytest.raises(AttributeError, match="moved to rnnbook.models.recurrent_model"):
        benchmark.recurrent_model  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        benchmark.nothing  # noqa: B018


def _task(**over):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5, 2)).astype("float32")
    y = x[:, 0, :1].astype("float32")
    kw = dict(name="toy", build=lambda c: recurrent_model(c, 3, steps=5, features=2), x_train=x, y_train=y,
              loss="mse", score=lambda m: float(m.evaluate(x, y, verbose=0)), metric="train MSE",
              epochs=2, batch_size=20, learning_rate=1e-2)
    kw.update(over)
    return Task(**kw)


def test_compare_cells_end_to_end_is_reproducible():
    a = compare_cells(_task(), cells=("simple_rnn", "gru"), seeds=(0, 1))
    b = compare_cells(_task(), cells=("simple_rnn", "gru"), seeds=(0, 1))
    assert [r.cell for r in a.results] == ["simple_rnn", "gru"]
    assert a["gru"].params == 3 * 3 * (2 + 3 + 2) + 4 and a["simple_rnn"].params == 3 * (2 + 3 + 1) + 4
    assert a["gru"].scores == b["gru"].scores and len(a["gru"].scores) == 2
    assert a["gru"].seconds_per_epoch > 0 and len(a["gru"].epoch_seconds) == 2  # first epoch of each seed skipped
    table = a.table()
    assert "toy: train MSE over seeds [0, 1]" in table and "±" in table and "s/epoch" not in table
    rows = table.splitlines()[1:]
    assert rows[1].startswith("simple_rnn ") and rows[2].startswith("gru        ")  # one column width for all names
    end = rows[0].index("params") + len("params")  # the params column stays aligned
    assert rows[1][:end].endswith(f" {a['simple_rnn'].params}") and rows[2][:end].endswith(f" {a['gru'].params}")
    assert "s/epoch" in a.timing_table() and "1.00x simple_rnn" in a.timing_table()
    assert a.best() in ("simple_rnn", "gru")


def test_compare_cells_trains_through_models_train(monkeypatch):
    calls = []
    real = models.train

    def spy(model, x, y, **kw):
        calls.append(kw)
        return real(model, x, y, **kw)

    monkeypatch.setattr(models, "train", spy)
    r = compare_cells(_task(clipnorm=1.0), cells=("lstm",), seeds=(3,))
    assert len(calls) == 1 and len(r["lstm"].epoch_seconds) == 1  # 2 epochs, the first one skipped
    kw = calls[0]
    assert (kw["epochs"], kw["loss"], kw["batch_size"], kw["learning_rate"], kw["clipnorm"]) == (2, "mse", 20, 1e-2, 1.0)
    assert len(kw["callbacks"]) == 1


def test_compare_cells_defaults_to_every_cell():
    assert inspect.signature(compare_cells).parameters["cells"].default == cells.CELLS == ("simple_rnn", "lstm", "gru")


def test_cell_result_statistics_and_best():
    r1, r2 = CellResult("lstm", 10, (1.0, 3.0)), CellResult("gru", 8, (0.5, 0.5), (0.1, 0.3, 0.2))
    assert r1.mean == 2.0 and r1.std == pytest.approx(np.sqrt(2.0)) and np.isnan(r1.seconds_per_epoch)
    assert r2.std == 0.0 and r2.seconds_per_epoch == pytest.approx(0.2)
    assert CellResult("x", 1, (4.0,)).std == 0.0
    c = Comparison("t", "MSE", (0, 1), [r1, r2])
    assert c.best() == "gru"
    assert Comparison("t", "acc", (0, 1), [r1, r2], higher_is_better=True).best() == "lstm"
    with pytest.raises(KeyError, match="no result for cell 'simple_rnn'"):
        c["simple_rnn"]
    assert "lstm          10     2.000 ± 1.414    1.000 3.000" in c.table()


@pytest.mark.parametrize("args, err, msg", [
    (dict(task="toy"), TypeError, "task must be a rnnbook.benchmark.Task"),
    (dict(cells=()), ValueError, "cells must be a non-empty sequence"),
    (dict(cells="gru"), ValueError, "cells must be a non-empty sequence"),
    (dict(cells=("gru", "transformer")), ValueError, "cell must be one of 'simple_rnn', 'lstm', 'gru'"),
    (dict(cells=("simple", "gru")), ValueError, "cell must be one of 'simple_rnn', 'lstm', 'gru'; got 'simple'"),
    (dict(cells=("gru", 1)), TypeError, "cell must be a str"),
    (dict(seeds=()), ValueError, "seeds must be a non-empty sequence"),
    (dict(seeds=(0, -1)), ValueError, "seeds must be >= 0"),
    (dict(seeds=(0.5,)), TypeError, "seeds must be ints"),
])
def test_compare_cells_validation(args, err, msg):
    kwargs = dict(task=_task(), cells=("gru",), seeds=(0,))
    kwargs.update(args)
    with pytest.raises(err, match=msg):
        compare_cells(**kwargs)


@pytest.mark.parametrize("over, err, msg", [
    (dict(build="not callable"), TypeError, "build and score must be callables"),
    (dict(epochs=0), ValueError, "epochs must be an int >= 1"),
    (dict(learning_rate=-1.0), ValueError, "learning_rate must be a finite number > 0"),
    (dict(clipnorm=0), ValueError, "clipnorm must be a finite number > 0"),
    (dict(y_train=np.zeros((3, 1))), ValueError, "same number of examples"),
])
def test_task_validation(over, err, msg):
    with pytest.raises(err, match=msg):
        _task(**over)
