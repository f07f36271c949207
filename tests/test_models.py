"""rnnbook.models: the one builder, the one training helper, and the lazy Keras import."""
import subprocess
import sys

import keras
import numpy as np
import pytest

from rnnbook import cells, layers, models

L = keras.layers

# The configurations the chapters build, with the layers written out by hand in
# the order the builder must create them.  With the same seed, the builder must
# give exactly these initial weights: the notebooks store results trained from them.
PINNED = {
    "ch01/ch02 SimpleRNN, sigmoid": (
        dict(cell="simple_rnn", units=16, steps=None, features=1, output_activation="sigmoid"),
        lambda: [keras.Input((None, 1)), L.SimpleRNN(16), L.Dense(1, activation="sigmoid")]),
    "ch02 padding + Masking": (
        dict(cell="simple_rnn", units=16, steps=None, features=1, output_activation="sigmoid", mask_value=0.0),
        lambda: [keras.Input((None, 1)), L.Masking(mask_value=0.0), L.SimpleRNN(16), L.Dense(1, activation="sigmoid")]),
    "ch02 digits rows": (
        dict(cell="simple_rnn", units=64, steps=None, features=8, outputs=10, output_activation="softmax"),
        lambda: [keras.Input((None, 8)), L.SimpleRNN(64), L.Dense(10, activation="softmax")]),
    "ch05 sunspots LSTM": (
        dict(cell="lstm", units=32, steps=None, features=1),
        lambda: [keras.Input((None, 1)), L.LSTM(32), L.Dense(1)]),
    "ch06 adding GRU": (
        dict(cell="gru", units=32, steps=30, features=2),
        lambda: [keras.Input((30, 2)), L.GRU(32), L.Dense(1)]),
    "ch06 characters": (
        dict(cell="lstm", units=32, steps=40, vocab_size=48, return_sequences=True, outputs=48,
             output_activation="softmax"),
        lambda: [keras.Input((40,), dtype="int32"), L.Embedding(48, 16, mask_zero=False),
                 L.LSTM(32, return_sequences=True), L.Dense(48, activation="softmax")]),
    "ch06 two stacked GRUs": (
        dict(cell="gru", units=16, steps=9, features=1, layers=2),
        lambda: [keras.Input((9, 1)), L.GRU(16, return_sequences=True), L.GRU(16), L.Dense(1)]),
    "ch06 bidirectional GRU": (
        dict(cell="gru", units=16, steps=9, features=1, bidirectional=True),
        lambda: [keras.Input((9, 1)), L.Bidirectional(L.GRU(16)), L.Dense(1)]),
}


@pytest.mark.parametrize("name", list(PINNED))
def test_builder_pins_layers_and_initial_weights(name):
    kwargs, reference = PINNED[name]
    kwargs = dict(kwargs)
    keras.utils.set_random_seed(0)
    model = models.recurrent_model(kwargs.pop("cell"), kwargs.pop("units"), **kwargs)
    keras.utils.set_random_seed(0)
    ref = keras.Sequential(reference())
    assert [type(layer).__name__ for layer in model.layers] == [type(layer).__name__ for layer in ref.layers]
    assert tuple(model.inputs[0].shape) == tuple(ref.inputs[0].shape)
    got, want = model.get_weights(), ref.get_weights()
    assert [w.shape for w in got] == [w.shape for w in want]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_same_seed_same_weights_other_seed_other_weights():
    keras.utils.set_random_seed(0)
    a = models.recurrent_model("lstm", 4, steps=None, features=2).get_weights()
    keras.utils.set_random_seed(1)
    b = models.recurrent_model("lstm", 4, steps=None, features=2).get_weights()
    assert not np.array_equal(a[0], b[0])


def test_cell_names_are_the_packages():
    assert cells.CELLS == ("simple_rnn", "lstm", "gru")
    assert tuple(models._KERAS_LAYERS) == cells.CELLS


@pytest.mark.parametrize("cell, expected", [
    ("simple_rnn", 4 * (3 + 4 + 1) + 5),
    ("lstm", 4 * 4 * (3 + 4 + 1) + 5),
    ("gru", 3 * 4 * (3 + 4 + 2) + 5),  # reset_after=True: two bias rows
])
def test_parameter_counts(cell, expected):
    assert models.count_params(models.recurrent_model(cell, 4, steps=6, features=3)) == expected


def test_masking_skips_padded_steps_and_any_length():
    keras.utils.set_random_seed(0)
    m = models.recurrent_model("gru", 3, steps=None, features=1, mask_value=0.0)
    x = np.random.default_rng(0).normal(size=(2, 5, 1)).astype("float32")
    padded = np.concatenate([x, np.zeros((2, 3, 1), "float32")], axis=1)  # [batch, 8 steps, 1]
    np.testing.assert_allclose(np.asarray(m(padded)), np.asarray(m(x)), atol=1e-6)


def test_stacked_bidirectional_and_embedding_shapes():
    m = models.recurrent_model("gru", 4, steps=6, features=3, layers=2, bidirectional=True)
    first, second = 2 * 3 * 4 * (3 + 4 + 2), 2 * 3 * 4 * (8 + 4 + 2)
    assert models.count_params(m) == first + second + (8 + 1)
    m = models.recurrent_model("lstm", 8, steps=5, vocab_size=20, embed_dim=4, mask_zero=True,
                               return_sequences=True, outputs=20, output_activation="softmax")
    assert tuple(m(np.zeros((2, 5), dtype="int32")).shape) == (2, 5, 20)


@pytest.mark.parametrize("kwargs, err, msg", [
    (dict(cell="simple"), ValueError, r"cell must be one of 'simple_rnn', 'lstm', 'gru'; got 'simple' \(the SimpleRNN"),
    (dict(cell="rnn"), ValueError, "cell must be one of 'simple_rnn', 'lstm', 'gru'; got 'rnn'"),
    (dict(cell=3), TypeError, "cell must be a str, one of 'simple_rnn', 'lstm', 'gru'; got int"),
    (dict(units=0), ValueError, "units must be an int >= 1; got 0"),
    (dict(units=2.5), TypeError, "units must be an int; got float"),
    (dict(steps=0), ValueError, "steps must be an int >= 1"),
    (dict(steps="9"), TypeError, "steps must be an int; got str"),
    (dict(features=None), ValueError, "exactly one of features"),
    (dict(vocab_size=5), ValueError, "exactly one of features"),
    (dict(features=0), ValueError, "features must be an int >= 1"),
    (dict(features=None, vocab_size=0), ValueError, "vocab_size must be an int >= 1"),
    (dict(embed_dim=0), ValueError, "embed_dim must be an int >= 1"),
    (dict(layers=1.5), TypeError, "layers must be an int; got float"),
    (dict(outputs=0), ValueError, "outputs must be an int >= 1"),
    (dict(bidirectional=1), TypeError, r"bidirectional must be a bool \(True or False\); got int 1"),
    (dict(return_sequences="yes"), TypeError, r"return_sequences must be a bool \(True or False\); got str 'yes'"),
    (dict(mask_zero=None), TypeError, r"mask_zero must be a bool \(True or False\); got None"),
    (dict(mask_value="0"), TypeError, "mask_value must be a number or None; got str"),
    (dict(mask_zero=True), ValueError, "mask_zero=True masks token id 0"),
    (dict(features=None, vocab_size=5, mask_value=0.0), ValueError, "mask_value masks real-valued input"),
    (dict(output_activation=3), TypeError, "output_activation must be None, an activation name"),
])
def test_recurrent_model_validation(kwargs, err, msg):
    args = dict(cell="gru", units=4, steps=3, features=1)
    args.update(kwargs)
    with pytest.raises(err, match=msg):
        models.recurrent_model(args.pop("cell"), args.pop("units"), **args)


def test_steps_is_keyword_only_and_required():
    with pytest.raises(TypeError):
        models.recurrent_model("gru", 4, features=1)  # steps missing: say None for any length
    with pytest.raises(TypeError):
        models.recurrent_model("gru", 4, 3, 1)


def _toy(n=32):
    x = np.random.default_rng(0).normal(size=(n, 5, 1)).astype("float32")
    return x, x[:, 0, 0] + x[:, -1, 0]


def test_train_is_reproducible_and_records_history():
    x, y = _toy()

    def fit(**kw):
        keras.utils.set_random_seed(0)
        m = models.recurrent_model("simple_rnn", 3, steps=None, features=1)
        return models.train(m, x, y, epochs=2, loss="mse", batch_size=16, **kw).history

    h = fit()
    assert h == fit() and len(h["loss"]) == 2
    h = fit(validation_data=(x[:8], y[:8]), metrics=["mae"], clipnorm=1.0)
    assert set(h) == {"loss", "mae", "val_loss", "val_mae"}


def test_steps_per_execution_changes_the_speed_not_the_weights():
    """Several updates per call of the compiled step: the same updates in the same order."""
    x, y = _toy()

    def fit(**kw):
        keras.utils.set_random_seed(0)
        m = models.recurrent_model("lstm", 3, steps=None, features=1)
        h = models.train(m, x, y, epochs=2, loss="mse", batch_size=5, validation_data=(x[:8], y[:8]), **kw)
        return h.history, m.get_weights()

    (h1, w1), (h32, w32) = fit(steps_per_execution=1), fit()      # 7 batches an epoch: 32 covers an epoch
    (h3, w3) = fit(steps_per_execution=3)                          # 7 = 3 + 3 + 1: a short last execution
    assert h1 == h32 == h3
    for a, b, c in zip(w1, w32, w3):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_train_passes_callbacks_and_global_clipnorm():
    x, y = _toy()
    epochs = []
    cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs.append(epoch))
    keras.utils.set_random_seed(0)
    m = models.recurrent_model("gru", 2, steps=5, features=1)
    models.train(m, x, y, epochs=2, loss="mse", callbacks=[cb], global_clipnorm=1.0, shuffle=False)
    assert epochs == [0, 1]
    assert float(m.optimizer.global_clipnorm) == 1.0 and m.optimizer.clipnorm is None


@pytest.mark.parametrize("kwargs, err, msg", [
    (dict(model="net"), TypeError, "model must be a keras.Model"),
    (dict(epochs=0), ValueError, "epochs must be an int >= 1; got 0"),
    (dict(epochs=1.0), TypeError, "epochs must be an int; got float"),
    (dict(batch_size=0), ValueError, "batch_size must be an int >= 1"),
    (dict(learning_rate=0), ValueError, "learning_rate must be a finite number > 0; got 0"),
    (dict(learning_rate="1e-3"), TypeError, "learning_rate must be a number; got str"),
    (dict(loss=3), TypeError, "loss must be a Keras loss name"),
    (dict(metrics="accuracy"), TypeError, "metrics must be a list of metric names"),
    (dict(validation_data=[1, 2]), TypeError, "validation_data must be None or a tuple"),
    (dict(validation_data=(1,)), TypeError, "validation_data must be None or a tuple .* of length 1"),
    (dict(callbacks="cb"), TypeError, "callbacks must be None or a list"),
    (dict(callbacks=[print]), TypeError, "callbacks must hold keras.callbacks.Callback objects; got builtin"),
    (dict(clipnorm=-1.0), ValueError, "clipnorm must be a finite number > 0"),
    (dict(global_clipnorm=0), ValueError, "global_clipnorm must be a finite number > 0"),
    (dict(clipnorm=1.0, global_clipnorm=1.0), ValueError, "at most one of clipnorm and global_clipnorm"),
    (dict(shuffle=1), TypeError, r"shuffle must be a bool \(True or False\); got int 1"),
    (dict(jit_compile="yes"), TypeError, "jit_compile must be a bool"),
    (dict(steps_per_execution=0), ValueError, "steps_per_execution must be an int >= 1"),
    (dict(verbose=3), ValueError, "verbose must be 0 .*, 1 or 2; got 3"),
    (dict(verbose=True), ValueError, "verbose must be 0"),
    (dict(y=np.zeros(5)), ValueError, "x and y must hold the same number of examples; got 32 and 5"),
])
def test_train_validation(kwargs, err, msg):
    x, y = _toy()
    args = dict(model=models.recurrent_model("gru", 2, steps=5, features=1), x=x, y=y, epochs=1, loss="mse")
    args.update(kwargs)
    with pytest.raises(err, match=msg):
        models.train(args.pop("model"), args.pop("x"), args.pop("y"), **args)


def test_dense_net():
    assert models.dense_net((8, 8), hidden=(3,), outputs=2).output_shape == (None, 2)
    with pytest.raises(TypeError, match="input_shape must be a non-empty tuple"):
        models.dense_net(8)
    with pytest.raises(ValueError, match="hidden units must be an int >= 1"):
        models.dense_net((4,), hidden=(0,))


def test_moved_names():
    assert layers.LayerNormSimpleRNNCell.__module__ == "rnnbook.layers"
    with pytest.raises(AttributeError, match="use rnnbook.layers.LayerNormSimpleRNNCell"):
        models.LayerNormSimpleRNNCell  # noqa: B018
    with pytest.raises(AttributeError, match="replaced by rnnbook.models.recurrent_model"):
        models.rnn_net  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        models.NoSuchThing  # noqa: B018


def test_importing_the_package_does_not_import_keras():
    code = ("import rnnbook, rnnbook.models, rnnbook.benchmark, rnnbook.cells; import sys; "
            "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules, "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow'))[:5]")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_embedding_weights_initialise_and_freeze_the_embedding():
    rows = np.arange(12, dtype="float32").reshape(6, 2) / 10
    frozen = models.recurrent_model("gru", 3, steps=4, vocab_size=6, embed_dim=2, mask_zero=True,
                                    embedding_weights=rows, embedding_trainable=False)
    embedding = frozen.layers[0]
    assert isinstance(embedding, keras.layers.Embedding)
    np.testing.assert_array_equal(embedding.get_weights()[0], rows)
    assert not embedding.trainable and len(frozen.trainable_weights) == len(frozen.weights) - 1
    default = models.recurrent_model("gru", 3, steps=4, vocab_size=6, embed_dim=2)
    assert default.layers[0].trainable and np.abs(default.layers[0].get_weights()[0]).max() <= 0.05


@pytest.mark.parametrize("kwargs, err, msg", [
    (dict(vocab_size=6, embed_dim=2, embedding_weights=np.zeros((5, 2))), ValueError, r"\(6, 2\)"),
    (dict(features=3, embedding_weights=np.zeros((6, 2))), ValueError, "vocab_size"),
    (dict(vocab_size=6, embed_dim=2, embedding_weights="abc"), TypeError, "embedding_weights"),
    (dict(vocab_size=6, embed_dim=2, embedding_trainable=1), TypeError, "embedding_trainable"),
])
def test_embedding_weights_validation(kwargs, err, msg):
    with pytest.raises(err, match=msg):
        models.recurrent_model("lstm", 3, steps=4, **kwargs)
