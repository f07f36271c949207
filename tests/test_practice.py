"""rnnbook.practice: dropout masks, cuDNN rules, padding and masks, bucketing, timing, early stopping."""
import dataclasses

import keras
import numpy as np
import pytest

from rnnbook import benchmark, models, practice
from rnnbook.benchmark import Task

L = keras.layers


# --------------------------------------------------------------------------- dropout masks
@pytest.mark.parametrize("kind", ["recurrent", "input"])
def test_keras_masks_are_one_per_sequence_and_fixed_over_time(kind):
    m = practice.keras_dropout_masks(0.3, kind=kind, batch=200, steps=12, units=10, seed=3)
    assert m.shape == (200, 12, 10) and m.dtype == bool
    assert (m == m[:, :1]).all()                                # the same mask at every step
    assert 0.2 < 1 - m.mean() < 0.4                              # about the rate is dropped
    assert (m[:, 0] != m[0, 0]).any()                            # sequences differ


def test_keras_masks_are_reproducible_and_seeded():
    a = practice.keras_dropout_masks(0.5, seed=1)
    b = practice.keras_dropout_masks(0.5, seed=1)
    c = practice.keras_dropout_masks(0.5, seed=2, batch=50)
    assert np.array_equal(a, b) and c.shape == (50, 10, 8)


def test_reading_the_recurrent_mask_is_exact():
    """With U = (1 - p)/2 I, kept units give h >= 1.5 and dropped ones exactly 1: the threshold is never close."""
    rate = 0.4
    layer = L.SimpleRNN(6, activation="linear", use_bias=False, recurrent_dropout=rate, seed=5, return_sequences=True)
    x = np.ones((30, 9, 1), dtype="float32")
    layer.build(x.shape)
    layer.set_weights([np.ones((1, 6)), (1 - rate) / 2 * np.eye(6)])
    h = np.asarray(layer(x, training=True))[:, 1:]
    assert np.all((np.abs(h - 1) < 1e-5) | (h >= 1.5 - 1e-5))


@pytest.mark.parametrize("kw, err", [(dict(rate=0.0), ValueError), (dict(rate=1.0), ValueError),
                                     (dict(rate="0.2"), TypeError), (dict(rate=0.2, kind="output"), ValueError),
                                     (dict(rate=0.2, batch=0), ValueError), (dict(rate=0.2, steps=2.0), TypeError),
                                     (dict(rate=0.2, seed=-1), ValueError)])
def test_keras_masks_validate(kw, err):
    rate = kw.pop("rate")
    with pytest.raises(err):
        practice.keras_dropout_masks(rate, **kw)


# --------------------------------------------------------------------------- cuDNN rules
@pytest.mark.parametrize("layer, expected", [
    (L.LSTM(4), []), (L.GRU(4), []), (L.LSTM(4, dropout=0.3), []),
    (L.LSTM(4, recurrent_dropout=0.1), ["recurrent_dropout"]),
    (L.LSTM(4, unroll=True), ["unroll"]),
    (L.LSTM(4, use_bias=False), ["use_bias"]),
    (L.LSTM(4, activation="relu"), ["activation=relu"]),
    (L.GRU(4, recurrent_activation="hard_sigmoid"), ["recurrent_activation"]),
    (L.GRU(4, reset_after=False), ["reset_after"]),
    (L.LSTM(4, use_cudnn=False), ["use_cudnn=False"]),
    (L.SimpleRNN(4), ["SimpleRNN has no cuDNN kernel"]),
    (L.Bidirectional(L.LSTM(4)), []),
    (L.Bidirectional(L.GRU(4, unroll=True)), ["unroll"]),
])
def test_cudnn_blockers(layer, expected):
    found = practice.cudnn_blockers(layer)
    assert len(found) == len(expected), found
    for reason, word in zip(found, expected):
        assert word in reason


def test_cudnn_blockers_agree_with_keras_own_argument_check():
    rnn = pytest.importorskip("keras.src.backend.tensorflow.rnn")
    if not hasattr(rnn, "_do_lstm_arguments_support_cudnn"):
        pytest.skip("this Keras version has no _do_lstm_arguments_support_cudnn")
    for kw in [{}, dict(activation="relu"), dict(recurrent_activation="tanh"), dict(unroll=True), dict(use_bias=False)]:
        lstm, gru = L.LSTM(3, **kw), L.GRU(3, **kw)
        keras_says = rnn._do_lstm_arguments_support_cudnn(lstm.activation, lstm.recurrent_activation, lstm.unroll,
                                                           lstm.use_bias)
        assert keras_says == (practice.cudnn_blockers(lstm) == []), kw
        keras_says = rnn._do_gru_arguments_support_cudnn(gru.activation, gru.recurrent_activation, gru.unroll,
                                                         gru.use_bias, gru.reset_after)
        assert keras_says == (practice.cudnn_blockers(gru) == []), kw


def test_cudnn_blockers_needs_a_layer():
    with pytest.raises(TypeError, match="keras layer"):
        practice.cudnn_blockers("LSTM")


# --------------------------------------------------------------------------- variable-length data
def test_random_walk_tagging():
    xs, ys = practice.random_walk_tagging(50, min_steps=3, max_steps=7, seed=4)
    assert len(xs) == len(ys) == 50
    for x, y in zip(xs, ys):
        assert x.shape == (len(y), 1) and 3 <= len(y) <= 7
        assert set(np.unique(x)) <= {-1.0, 1.0}
        np.testing.assert_array_equal(y, (np.cumsum(x[:, 0]) > 0).astype(np.float32))
    again, _ = practice.random_walk_tagging(50, min_steps=3, max_steps=7, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(xs, again))
    with pytest.raises(ValueError):
        practice.random_walk_tagging(5, min_steps=8, max_steps=7)
    with pytest.raises(TypeError):
        practice.random_walk_tagging(5.0)


def test_pad_right():
    x, mask = practice.pad_right([np.array([[1.0], [2.0]]), np.array([[3.0]])], length=4, value=-1)
    assert x.shape == (2, 4, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(x[..., 0], [[1, 2, -1, -1], [3, -1, -1, -1]])
    np.testing.assert_array_equal(mask, [[True, True, False, False], [True, False, False, False]])
    x, mask = practice.pad_right([[1.0, 2.0, 3.0], [4.0]])            # 1-D steps, padded to the longest
    assert x.shape == (2, 3) and mask.sum() == 4
    with pytest.raises(ValueError, match=">= 3"):
        practice.pad_right([[1.0, 2.0, 3.0]], length=2)
    with pytest.raises(ValueError, match="same per-step shape"):
        practice.pad_right([np.zeros((2, 1)), np.zeros((2, 2))])
    with pytest.raises(ValueError, match="at least one step"):
        practice.pad_right([np.zeros((0, 1))])
    with pytest.raises(TypeError):
        practice.pad_right(np.zeros((2, 3)))


def test_masked_scores_by_hand():
    y = np.array([[1.0, 0.0, 0.0]])
    p = np.array([[0.9, 0.2, 0.7]])
    mask = np.array([[True, True, False]])
    s = practice.masked_scores(y, p, mask)
    losses = -np.log([0.9, 0.8, 0.3])
    assert s["loss (all steps)"] == pytest.approx(losses.mean())
    assert s["loss (real steps)"] == pytest.approx(losses[:2].mean())
    assert s["accuracy (all steps)"] == pytest.approx(2 / 3) and s["accuracy (real steps)"] == 1.0
    assert practice.masked_scores(y, p[..., None], mask) == s       # [batch, steps, 1] accepted
    with pytest.raises(ValueError, match="same shape"):
        practice.masked_scores(y, p[:, :2], mask)
    with pytest.raises(ValueError, match="no real step"):
        practice.masked_scores(y, p, np.zeros_like(mask))
    with pytest.raises(TypeError):
        practice.masked_scores(y, p, "mask")


def test_masked_scores_equal_keras_masked_loss_and_accuracy():
    xs, ys = practice.random_walk_tagging(20, min_steps=2, max_steps=9, seed=0)
    x, mask = practice.pad_right(xs)
    y, _ = practice.pad_right(ys)
    keras.utils.set_random_seed(0)
    model = models.recurrent_model("lstm", 4, steps=None, features=1, mask_value=0.0, return_sequences=True,
                                   outputs=1, output_activation="sigmoid")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    loss, acc = model.evaluate(x, y[..., None], batch_size=len(x), verbose=0)
    s = practice.masked_scores(y, model.predict(x, verbose=0), mask)
    assert s["loss (real steps)"] == pytest.approx(loss, rel=1e-4)
    assert s["accuracy (real steps)"] == pytest.approx(acc, rel=1e-4)
    assert s["loss (all steps)"] != pytest.approx(loss, rel=1e-3)


# --------------------------------------------------------------------------- bucketing
def test_bucket_batches():
    lengths = np.random.default_rng(0).integers(1, 50, size=101)
    batches = practice.bucket_batches(lengths, 8, boundaries=(10, 20, 30), seed=1)
    assert sorted(np.concatenate(batches).tolist()) == list(range(101))
    bucket = np.searchsorted([10, 20, 30], lengths, side="right")
    for b in batches:
        assert 1 <= len(b) <= 8 and len(set(bucket[b])) == 1         # one bucket per batch
    again = practice.bucket_batches(lengths, 8, boundaries=(10, 20, 30), seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    other = practice.bucket_batches(lengths, 8, boundaries=(10, 20, 30), seed=2)
    assert not all(np.array_equal(a, b) for a, b in zip(batches, other))
    full = [np.arange(i, min(i + 8, 101)) for i in range(0, 101, 8)]
    assert practice.padded_steps(lengths, batches) < practice.padded_steps(lengths, full) <= 101 * lengths.max()


def test_bucket_batches_validates():
    with pytest.raises(ValueError, match="increasing"):
        practice.bucket_batches([3, 4], 2, boundaries=(5, 5))
    with pytest.raises(ValueError, match="ints >= 1"):
        practice.bucket_batches([3.5, 4.0], 2, boundaries=(5,))
    with pytest.raises(ValueError, match="ints >= 1"):
        practice.bucket_batches([3, 0], 2, boundaries=(5,))
    with pytest.raises(TypeError):
        practice.bucket_batches([3, 4], 2.0, boundaries=(5,))


def test_padded_steps_by_hand():
    lengths = np.array([5, 1, 4, 2])
    assert practice.padded_steps(lengths, [np.array([0, 1]), np.array([2, 3])]) == 2 * 5 + 2 * 4
    assert practice.padded_steps(lengths, [np.array([1, 3]), np.array([2, 0]), np.array([], dtype=int)]) == 4 + 10
    with pytest.raises(ValueError, match="indices"):
        practice.padded_steps(lengths, [np.array([0, 4])])
    with pytest.raises(TypeError):
        practice.padded_steps(lengths, np.array([[0, 1]]))


# --------------------------------------------------------------------------- timing
def test_timers_return_positive_seconds():
    model = keras.Sequential([keras.Input((5, 2)), L.LSTM(3), L.Dense(1)])
    x, y = np.zeros((4, 5, 2), "float32"), np.zeros((4, 1), "float32")
    assert practice.seconds_per_update(model, x, y, repeats=2) > 0
    assert practice.epoch_seconds(model, [(x, y), (x[:2], y[:2])], repeats=1) > 0
    with pytest.raises(TypeError):
        practice.seconds_per_update("model", x, y)
    with pytest.raises(ValueError):
        practice.epoch_seconds(model, [])
    with pytest.raises(TypeError):
        practice.epoch_seconds(model, [x])


# --------------------------------------------------------------------------- comparisons and early stopping
@pytest.mark.parametrize("curve, patience, expected", [
    ([3.0, 2.0, 1.0], 2, (3, 3)),                                   # never stops
    ([3.0, 2.0, 2.5, 2.6, 1.0], 2, (4, 2)),                         # stops before the later improvement
    ([1.0, 1.0, 1.0], 1, (2, 1)),                                   # equal is not an improvement
    ([5.0], 1, (1, 1)),
])
def test_early_stopping_epochs(curve, patience, expected):
    assert practice.early_stopping_epochs(curve, patience) == expected


def test_early_stopping_epochs_validates():
    with pytest.raises(ValueError):
        practice.early_stopping_epochs([], 2)
    with pytest.raises(ValueError):
        practice.early_stopping_epochs([1.0, np.nan], 2)
    with pytest.raises(TypeError):
        practice.early_stopping_epochs([1.0], 2.0)


def _toy_task(**over):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5, 1)).astype("float32")
    y = (0.5 * x[:, 0, 0] + rng.normal(size=60)).astype("float32")     # mostly noise: easy to overfit
    xv = rng.normal(size=(30, 5, 1)).astype("float32")
    yv = (0.5 * xv[:, 0, 0]).astype("float32")
    mse = lambda a, b: lambda m: float(np.mean((np.asarray(m(a))[:, 0] - b) ** 2))  # noqa: E731
    kw = dict(name="toy", build=lambda c: None, x_train=x, y_train=y, loss="mse", score=mse(xv, yv),
              val_score=mse(xv, yv), metric="MSE", epochs=12, batch_size=20, learning_rate=3e-2, x_val=xv, y_val=yv)
    kw.update(over)
    return Task(**kw)


def _toy_build():
    return models.regularised_model("lstm", 12, steps=5, features=1)


def test_compare_with_no_callbacks_is_compare_models():
    task = _toy_task(epochs=3)
    ours = benchmark.compare_models(task, {"lstm": _toy_build}, seeds=(0, 1), keep_models=True, callbacks=list)
    theirs = benchmark.compare_models(task, {"lstm": _toy_build}, seeds=(0, 1))
    assert ours["lstm"].scores == theirs["lstm"].scores
    assert ours["lstm"].val_curves == theirs["lstm"].val_curves and ours["lstm"].params == theirs["lstm"].params
    assert len(ours["lstm"].models) == 2


def test_replayed_early_stopping_equals_the_keras_callback():
    task = _toy_task()
    replay = practice.compare_early_stopping(task, {"lstm": _toy_build}, patience=1, seeds=(0, 1, 2))
    stop = lambda: [keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)]  # noqa: E731
    real = benchmark.compare_models(task, {"lstm": _toy_build}, seeds=(0, 1, 2), callbacks=stop)
    full, early = replay.results
    assert early.cell == "lstm + early stopping"
    np.testing.assert_allclose(early.scores, real["lstm"].scores, rtol=1e-6)
    np.testing.assert_allclose(early.val_scores, real["lstm"].val_scores, rtol=1e-6)
    assert [len(c) for c in early.val_curves] == [len(c) for c in real["lstm"].val_curves]
    assert any(len(c) < task.epochs for c in early.val_curves)       # the rule fired at least once
    plain = benchmark.compare_models(task, {"lstm": _toy_build}, seeds=(0, 1, 2))
    assert full.scores == plain["lstm"].scores                       # the first row is the full budget


def test_compare_early_stopping_keeps_both_models():
    task = _toy_task(epochs=4)
    r = practice.compare_early_stopping(task, {"lstm": _toy_build}, patience=1, seeds=(0,), keep_models=True)
    full, early = r.results[0].models[0], r.results[1].models[0]
    assert float(task.score(full)) == r.results[0].scores[0]
    assert float(task.score(early)) == r.results[1].scores[0]


def test_compare_early_stopping_gives_the_same_runs_in_workers_and_here(monkeypatch):
    task = _toy_task(epochs=3)
    monkeypatch.setenv("RNNBOOK_WORKERS", "2")
    there = practice.compare_early_stopping(task, {"lstm": _toy_build}, patience=1, seeds=(0, 1))
    monkeypatch.setenv("RNNBOOK_WORKERS", "1")
    here = practice.compare_early_stopping(task, {"lstm": _toy_build}, patience=1, seeds=(0, 1))
    for a, b in zip(there.results, here.results):
        assert a.scores == b.scores and a.val_curves == b.val_curves and a.val_scores == b.val_scores


def _comparison(rows, higher=False):
    results = [benchmark.CellResult(name, 10, tuple(scores), (0.1,), tuple(scores)) for name, scores in rows.items()]
    return benchmark.Comparison("toy", "MSE", (0, 1, 2), results, higher)


def test_paired_differences_by_hand():
    c = _comparison({"base": [1.0, 2.0, 3.0], "a": [0.5, 2.5, 2.0], "b": [1.0, 2.0, 3.0]})
    d = practice.paired_differences(c, "base")
    assert list(d) == ["a", "b"]
    np.testing.assert_allclose(d["a"], [-0.5, 0.5, -1.0])
    np.testing.assert_allclose(d["b"], 0.0)
    table = practice.paired_table(c, "base", split="val")
    assert "better in 2/3" in table and "negative is better" in table
    assert "better in 1/3" in practice.paired_table(_comparison(
        {"base": [1.0, 2.0, 3.0], "a": [0.5, 2.5, 2.0]}, higher=True), "base")


def test_paired_differences_validate():
    c = _comparison({"base": [1.0, 2.0, 3.0], "a": [0.5, 2.5, 2.0]})
    with pytest.raises(KeyError, match="no result"):
        practice.paired_differences(c, "nope")
    with pytest.raises(ValueError, match="split"):
        practice.paired_differences(c, "base", split="train")
    with pytest.raises(TypeError, match="Comparison"):
        practice.paired_differences({"base": [1.0]}, "base")
    short = _comparison({"base": [1.0, 2.0, 3.0]})
    short.results.append(benchmark.CellResult("a", 10, (1.0, 2.0), (0.1,), (1.0, 2.0)))
    with pytest.raises(ValueError, match="has 2 test scores, the baseline has 3"):
        practice.paired_differences(short, "base")


def test_comparisons_validate():
    task = _toy_task(epochs=1)
    with pytest.raises(ValueError, match="validation"):
        practice.compare_early_stopping(dataclasses.replace(task, x_val=None, y_val=None), {"a": _toy_build},
                                        patience=2)
    with pytest.raises(TypeError):
        practice.compare_early_stopping("task", {"a": _toy_build}, patience=2)
    with pytest.raises(TypeError, match="callbacks must be None or a function"):
        benchmark.compare_models(task, {"a": _toy_build}, callbacks="callbacks")
    with pytest.raises(TypeError, match="list of keras.callbacks"):
        benchmark.compare_models(task, {"a": _toy_build}, seeds=(0,), callbacks=lambda: "stop")
    with pytest.raises(ValueError, match="non-empty mapping"):
        practice.compare_early_stopping(task, {}, patience=2)


def test_xla_tradeoff_times_both_modes_and_the_break_even():
    build = lambda: keras.Sequential([keras.Input((5, 2)), L.GRU(3), L.Dense(1)])  # noqa: E731
    x, y = np.zeros((4, 5, 2), "float32"), np.zeros((4, 1), "float32")
    result = practice.xla_tradeoff(build, x, y, repeats=2)
    for mode in ("default", "xla"):
        assert result[mode]["first"] > 0 and result[mode]["update"] > 0
    saved = result["default"]["update"] - result["xla"]["update"]
    if saved > 0:
        expected = max(result["xla"]["first"] - result["default"]["first"], 0) / saved
        assert result["break_even"] == pytest.approx(expected)
    else:
        assert result["break_even"] == float("inf")
    assert practice.seconds_per_update(build(), x, y, repeats=1, jit_compile=True) > 0
    with pytest.raises(TypeError):
        practice.xla_tradeoff("not a builder", x, y)
    with pytest.raises(TypeError):
        practice.xla_tradeoff(lambda: "not a model", x, y)
    with pytest.raises(TypeError):
        practice.seconds_per_update(build(), x, y, jit_compile="yes")
