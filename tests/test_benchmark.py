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


@pytest.fixture
def train_calls(monkeypatch):
    """The keyword arguments of every models.train call made during the test (training still runs)."""
    calls = []
    real = models.train

    def spy(model, x, y, **kw):
        calls.append(kw)
        return real(model, x, y, **kw)

    monkeypatch.setattr(models, "train", spy)
    monkeypatch.setenv("RNNBOOK_WORKERS", "1")   # the spy lives in this process: no worker may train
    return calls


def test_compare_cells_trains_through_models_train(train_calls):
    calls = train_calls
    r = compare_cells(_task(clipnorm=1.0), cells=("lstm",), seeds=(3,))
    assert len(calls) == 1 and len(r["lstm"].epoch_seconds) == 1  # 2 epochs, the first one skipped
    kw = calls[0]
    assert (kw["epochs"], kw["loss"], kw["batch_size"], kw["learning_rate"], kw["clipnorm"]) == (2, "mse", 20, 1e-2, 1.0)
    # the epoch timer, and the snapshot of the optimizer's start that lets later seeds reuse the traced model
    assert [type(c).__name__ for c in kw["callbacks"]] == ["LambdaCallback", "Snapshot"]


def test_compare_cells_needs_a_builder():
    with pytest.raises(TypeError, match="this task has build=None"):
        compare_cells(_task(build=None), cells=("gru",), seeds=(0,))


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
    (dict(build="not callable"), TypeError, "build must be None or a callable and score a callable"),
    (dict(score=None), TypeError, "build must be None or a callable and score a callable"),
    (dict(epochs=0), ValueError, "epochs must be an int >= 1"),
    (dict(learning_rate=-1.0), ValueError, "learning_rate must be a finite number > 0"),
    (dict(clipnorm=0), ValueError, "clipnorm must be a finite number > 0"),
    (dict(y_train=np.zeros((3, 1))), ValueError, "same number of examples"),
])
def test_task_validation(over, err, msg):
    with pytest.raises(err, match=msg):
        _task(**over)


# ----------------------------------------------------------------- protocols, validation curves, tables
def _val_task(**over):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 5, 2)).astype("float32")
    y = x[:, 0, 0].astype("float32")
    xv = rng.normal(size=(20, 5, 2)).astype("float32")
    yv = xv[:, 0, 0].astype("float32")
    mse = lambda a, b: lambda m: float(np.mean((np.asarray(m(a))[:, 0] - b) ** 2))  # noqa: E731
    kw = dict(name="toy", build=lambda c: recurrent_model(c, 3, steps=5, features=2), x_train=x, y_train=y,
              loss="mse", score=mse(xv, yv), val_score=mse(xv, yv), metric="MSE", epochs=3, batch_size=20,
              learning_rate=1e-2, x_val=xv, y_val=yv, global_clipnorm=1.0, solved_below=0.5)
    kw.update(over)
    return Task(**kw)


def test_compare_models_records_validation_curves_models_and_solved_counts(train_calls):
    calls = train_calls
    builders = {"tiny gru": lambda: recurrent_model("gru", 2, steps=5, features=2),
                "tiny rnn": lambda: recurrent_model("simple_rnn", 2, steps=5, features=2)}
    c = benchmark.compare_models(_val_task(), builders, seeds=(0, 1), keep_models=True)
    # one compile per builder: its second seed reuses the compiled, traced model
    assert [k["global_clipnorm"] for k in calls] == [1.0] * 2 and all(k["clipnorm"] is None for k in calls)
    assert all(k["validation_data"] is not None for k in calls)
    r = c["tiny gru"]
    assert len(r.val_curves) == 2 and all(len(curve) == 3 for curve in r.val_curves)
    assert len(r.models) == 2 and r.val_scores == r.scores  # both scores read the same set here
    # the last validation loss of the curve is the validation score (both are the MSE on x_val)
    assert r.val_curves[0][-1] == pytest.approx(r.val_scores[0], rel=1e-4)
    assert r.first_epoch_below(1e9) == [1, 1] and r.first_epoch_below(-1.0) == [None, None]
    assert r.solved(1e9) == 2 and r.solved(-1.0) == 0
    val, test = c.table(split="val"), c.table()
    assert val.startswith("toy: validation MSE over seeds [0, 1]") and test.startswith("toy: test MSE")
    assert "solved" in val and "(solved: test MSE below 0.5)" in test
    again = benchmark.compare_models(_val_task(), builders, seeds=(0, 1))
    assert again["tiny gru"].scores == r.scores and again["tiny gru"].models == ()  # reproducible, models not kept


def test_comparisons_join_only_when_task_and_seeds_agree():
    r = CellResult("a", 1, (1.0, 2.0), val_scores=(1.0, 1.0))
    c1 = Comparison("t", "MSE", (0, 1), [r], solved_below=1.5)
    c2 = Comparison("t", "MSE", (0, 1), [CellResult("b", 2, (0.5, 0.5), val_scores=(0.4, 0.4))], solved_below=1.5)
    joined = c1 + c2
    assert [x.cell for x in joined.results] == ["a", "b"] and joined.solved_below == 1.5
    assert "1/2" in joined.table().splitlines()[2] and "2/2" in joined.table().splitlines()[3]
    with pytest.raises(ValueError, match="same task, metric and seeds"):
        c1 + Comparison("t", "MSE", (0, 2), [r])
    with pytest.raises(ValueError, match="split must be 'test' or 'val'"):
        c1.table(split="train")
    with pytest.raises(ValueError, match="no validation scores"):
        Comparison("t", "MSE", (0,), [CellResult("a", 1, (1.0,))]).table(split="val")


@pytest.mark.parametrize("args, err, msg", [
    (dict(builders={}), ValueError, "builders must be a non-empty mapping"),
    (dict(builders=[lambda: None]), ValueError, "builders must be a non-empty mapping"),
    (dict(builders={"a": 3}), TypeError, "builders must map str names to callables"),
    (dict(seeds=()), ValueError, "seeds must be a non-empty sequence"),
    (dict(keep_models=1), TypeError, "keep_models must be a bool"),
    (dict(task="x"), TypeError, "task must be a rnnbook.benchmark.Task"),
])
def test_compare_models_validation(args, err, msg):
    kwargs = dict(task=_val_task(), builders={"a": lambda: recurrent_model("gru", 2, steps=5, features=2)}, seeds=(0,))
    kwargs.update(args)
    with pytest.raises(err, match=msg):
        benchmark.compare_models(**kwargs)


@pytest.mark.parametrize("over, err, msg", [
    (dict(global_clipnorm=0), ValueError, "global_clipnorm must be a finite number > 0"),
    (dict(clipnorm=1.0), ValueError, "at most one of clipnorm and global_clipnorm"),
    (dict(solved_below=-1), ValueError, "solved_below must be a finite number > 0"),
    (dict(val_score=3), TypeError, "val_score must be None or a callable"),
    (dict(y_val=None), ValueError, "give both x_val and y_val, or neither"),
    (dict(y_val=np.zeros(3)), ValueError, "x_val and y_val must hold the same number"),
])
def test_task_validation_of_the_new_fields(over, err, msg):
    with pytest.raises(err, match=msg):
        _val_task(**over)


def test_the_shared_protocols():
    adding = benchmark.adding_task()
    split = benchmark.data.adding_splits()
    assert adding.x_train.shape == (3000, 50, 2) and adding.x_val.shape == (500, 50, 2)
    assert (adding.epochs, adding.batch_size, adding.learning_rate, adding.global_clipnorm, adding.clipnorm) == \
        (10, 50, 1e-2, 1.0, None)
    assert adding.solved_below == 0.05 and adding.loss == "mse"
    const = type("Const", (), {"__call__": lambda self, x: np.ones((len(x), 1))})()  # predicts 1 everywhere
    assert adding.score(const) == pytest.approx(np.mean((split.y_test - 1) ** 2))
    assert adding.val_score(const) == pytest.approx(np.mean((split.y_val - 1) ** 2))
    model = adding.build("gru")
    assert model.input_shape == (None, 50, 2) and model.count_params() == 3 * 32 * (2 + 32 + 2) + 33
    sun = benchmark.sunspots_task()
    assert sun.x_train.shape == (200, 9, 1) and sun.x_val.shape == (40, 9, 1)
    assert (sun.epochs, sun.batch_size, sun.learning_rate) == (20, 32, 1e-2)
    assert benchmark.sunspots_task(units=4).build("lstm").count_params() == 4 * 4 * (1 + 4 + 1) + 5
    zero = type("Zero", (), {"__call__": lambda self, x: np.zeros((len(x), 1))})()  # predicts the training mean
    s = benchmark.data.sunspot_splits()
    assert sun.score(zero) == pytest.approx(s.mase(np.full(60, s.mean), "test"), rel=1e-5)
    with pytest.raises(ValueError, match="units must be an int >= 1"):
        benchmark.adding_task(units=0)


def test_sunspots_baselines_match_the_forecast_module():
    from rnnbook import forecast
    base = benchmark.sunspots_baselines()
    s = benchmark.data.sunspot_splits()
    assert set(base) == {"naive", "seasonal naive (11 y)", "linear AR, window 9"}
    v = s.values
    assert base["naive"][1] == pytest.approx(forecast.mase(v[249:], v[248:-1], v[:209]))
    assert base["naive"][0] == pytest.approx(forecast.mase(v[209:249], v[208:248], v[:209]))
    assert base["seasonal naive (11 y)"][1] == pytest.approx(forecast.mase(v[249:], v[238:-11], v[:209]))
    assert base["linear AR, window 9"][0] == pytest.approx(0.665, abs=5e-4)  # chapter 1's validation choice


def test_seed_curves_and_series_split_figures():
    import matplotlib

    matplotlib.use("Agg")
    from rnnbook import plots

    c = Comparison("t", "MSE", (0, 1), [CellResult("a", 1, (1.0, 2.0), val_curves=((3.0, 2.0), (3.0, 1.0))),
                                        CellResult("b", 1, (1.0, 2.0), val_curves=((1.0, 1.0), (2.0, 2.0)))])
    fig = plots.seed_curves(c, title="T", baseline=0.5, skip=("b",))
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.get_title() == "T" and ax.get_xlabel() == "epoch"  # 2 seeds of "a", baseline
    with pytest.raises(TypeError, match="comparison must be a rnnbook.benchmark.Comparison"):
        plots.seed_curves([1], title="T")
    with pytest.raises(ValueError, match="has no validation curves"):
        plots.seed_curves(Comparison("t", "MSE", (0,), [CellResult("a", 1, (1.0,))]), title="T")
    t = np.arange(20.0)
    fig = plots.series_split(t, t, 15, val_start=10, title="S", xlabel="x", ylabel="y")
    assert [line.get_label() for line in fig.axes[0].lines] == ["training", "validation", "held-out test"]
    with pytest.raises(ValueError, match="val_start must be below start=15"):
        plots.series_split(t, t, 15, val_start=15, title="S", xlabel="x", ylabel="y")


def test_verdicts_print_only_the_stable_count_and_refuse_a_seed_near_the_threshold():
    from rnnbook.report import ClaimFailed

    far = Comparison("adding", "MSE", (0, 1, 2), [
        CellResult("lstm", 4513, (0.001, 0.003, 0.002), val_scores=(0.002, 0.001, 0.004)),
        CellResult("tanh", 1153, (0.18, 0.17, 0.12), val_scores=(0.18, 0.17, 0.2))], solved_below=0.05)
    text = far.verdicts(split="val")
    assert "lstm" in text and "3/3" in text and "0/3" in text and "4513" in text
    assert "0.002" not in text and "0.18" not in text          # no digit of a trained model
    assert far.verdicts() != text                               # the test split is its own heading
    near = Comparison("adding", "MSE", (0, 1), [CellResult("irnn", 1, (0.06, 0.2))], solved_below=0.05)
    with pytest.raises(ClaimFailed, match="too close to the threshold"):
        near.verdicts()
    assert "1/2" not in near.verdicts(margin=1.1) and "0/2" in near.verdicts(margin=1.1)
    with pytest.raises(ValueError):
        Comparison("t", "MSE", (0,), [CellResult("a", 1, (1.0,))]).verdicts()     # no threshold
    with pytest.raises(ValueError):
        far.verdicts(margin=1.0)
    with pytest.raises(ValueError):
        far.verdicts(split="train")


@pytest.mark.parametrize("kind", ["dropout everywhere", "gru, l2", "built by its first batch"])
def test_later_seeds_reuse_the_traced_model_and_train_the_same_weights(kind):
    """_train_runs gives, seed by seed, the weights, curves and scores of a new model per seed (_train_run)."""
    import keras

    rng = np.random.default_rng(1)
    x_val, y_val = rng.normal(size=(12, 5, 2)).astype("float32"), rng.normal(size=(12, 1)).astype("float32")
    task = _task(x_val=x_val, y_val=y_val, epochs=3)
    build = {
        "dropout everywhere": lambda: models.regularised_model(
            "lstm", 4, steps=5, features=2, dropout=0.3, recurrent_dropout=0.3, output_dropout=0.3),
        "gru, l2": lambda: models.regularised_model("gru", 4, steps=5, features=2, l2=1e-3),
        "built by its first batch": lambda: keras.Sequential([keras.layers.SimpleRNN(3), keras.layers.Dense(1)]),
    }[kind]
    seeds = (0, 1, 2)
    new = []
    for seed in seeds:
        model, history, _ = benchmark._train_run(task, build, seed)
        new.append((model.get_weights(), history.history["val_loss"], task.score(model)))
    reused, models_seen = [], set()
    for model, history, seconds, callbacks in benchmark._train_runs(task, build, seeds):
        models_seen.add(id(model))
        reused.append((model.get_weights(), history.history["val_loss"], task.score(model)))
        assert callbacks == [] and len(seconds) == 2
    assert len(models_seen) == (3 if kind == "built by its first batch" else 1)
    for (w_new, val_new, score_new), (w_old, val_old, score_old) in zip(new, reused):
        assert len(w_new) == len(w_old) and all(np.array_equal(a, b) for a, b in zip(w_new, w_old))
        assert val_new == val_old and score_new == score_old
    assert not all(np.array_equal(a, b) for a, b in zip(new[0][0], new[1][0]))  # the seeds do differ


def test_runs_in_segments_give_the_same_results_for_any_number_of_workers(monkeypatch):
    keep = lambda task, model, history, seconds, callbacks: model.get_weights()  # noqa: E731
    builders = [lambda: recurrent_model("gru", 3, steps=5, features=2),
                lambda: recurrent_model("lstm", 3, steps=5, features=2)]
    results = {}
    for n in ("1", "2"):
        monkeypatch.setenv("RNNBOOK_WORKERS", n)
        results[n] = benchmark._runs_in_segments(_task(), builders, (0, 1, 2), keep)
    assert len(results["1"]) == len(results["2"]) == 6
    for a, b in zip(results["1"], results["2"]):
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
