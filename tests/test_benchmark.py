"""rnnbook.benchmark: builders, validation, and a tiny end-to-end comparison."""
import numpy as np
import pytest

from rnnbook import benchmark
from rnnbook.benchmark import CellResult, Comparison, Task, compare_cells, recurrent_model


def _count(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize("cell, expected", [
    ("simple", 4 * (3 + 4 + 1) + 5),
    ("lstm", 4 * 4 * (3 + 4 + 1) + 5),
    ("gru", 3 * 4 * (3 + 4 + 2) + 5),  # reset_after=True: two bias rows
])
def test_recurrent_model_parameter_counts(cell, expected):
    assert _count(recurrent_model(cell, 4, steps=6, features=3)) == expected


def test_recurrent_model_stacked_bidirectional_and_embedding():
    m = recurrent_model("gru", 4, steps=6, features=3, layers=2, bidirectional=True)
    first, second = 2 * 3 * 4 * (3 + 4 + 2), 2 * 3 * 4 * (8 + 4 + 2)
    assert _count(m) == first + second + (8 + 1)
    m = recurrent_model("lstm", 8, steps=5, vocab_size=20, embed_dim=4, mask_zero=True,
                        return_sequences=True, outputs=20, output_activation="softmax")
    out = m(np.zeros((2, 5), dtype="int32"))
    assert tuple(out.shape) == (2, 5, 20)


@pytest.mark.parametrize("kwargs, err, msg", [
    (dict(cell="rnn", units=4, steps=3, features=1), ValueError, "cell must be one of"),
    (dict(cell=3, units=4, steps=3, features=1), TypeError, "cell must be a str"),
    (dict(cell="gru", units=0, steps=3, features=1), ValueError, "units must be an int >= 1"),
    (dict(cell="gru", units=4, steps=3), ValueError, "exactly one of features"),
    (dict(cell="gru", units=4, steps=3, features=1, vocab_size=5), ValueError, "exactly one of features"),
    (dict(cell="gru", units=4, steps=3, features=1, layers=1.5), TypeError, "layers must be an int"),
])
def test_recurrent_model_validation(kwargs, err, msg):
    with pytest.raises(err, match=msg):
        recurrent_model(**kwargs)


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
    a = compare_cells(_task(), cells=("simple", "gru"), seeds=(0, 1))
    b = compare_cells(_task(), cells=("simple", "gru"), seeds=(0, 1))
    assert [r.cell for r in a.results] == ["simple", "gru"]
    assert a["gru"].params == 3 * 3 * (2 + 3 + 2) + 4 and a["simple"].params == 3 * (2 + 3 + 1) + 4
    assert a["gru"].scores == b["gru"].scores and len(a["gru"].scores) == 2
    assert a["gru"].seconds_per_epoch > 0 and len(a["gru"].epoch_seconds) == 2  # first epoch of each seed skipped
    table = a.table()
    assert "toy: train MSE over seeds [0, 1]" in table and "±" in table and "s/epoch" not in table
    assert "s/epoch" in a.timing_table() and "1.00x simple" in a.timing_table()
    assert a.best() in ("simple", "gru")


def test_cell_result_statistics_and_best():
    r1, r2 = CellResult("lstm", 10, (1.0, 3.0)), CellResult("gru", 8, (0.5, 0.5), (0.1, 0.3, 0.2))
    assert r1.mean == 2.0 and r1.std == pytest.approx(np.sqrt(2.0)) and np.isnan(r1.seconds_per_epoch)
    assert r2.std == 0.0 and r2.seconds_per_epoch == pytest.approx(0.2)
    assert CellResult("x", 1, (4.0,)).std == 0.0
    c = Comparison("t", "MSE", (0, 1), [r1, r2])
    assert c.best() == "gru"
    assert Comparison("t", "acc", (0, 1), [r1, r2], higher_is_better=True).best() == "lstm"
    with pytest.raises(KeyError, match="no result for cell 'simple'"):
        c["simple"]
    assert "lstm          10     2.000 ± 1.414    1.000 3.000" in c.table()


@pytest.mark.parametrize("args, err, msg", [
    (dict(task="toy"), TypeError, "task must be a rnnbook.benchmark.Task"),
    (dict(cells=()), ValueError, "cells must be a non-empty sequence"),
    (dict(cells="gru"), ValueError, "cells must be a non-empty sequence"),
    (dict(cells=("gru", "transformer")), ValueError, "cell must be one of"),
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


def test_cells_mapping():
    assert benchmark.CELLS == {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
