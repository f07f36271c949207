"""rnnbook.layers: the custom Keras cells (layer-normalised SimpleRNN; the peephole LSTM is in test_ch05_package)."""
import keras
import numpy as np
import pytest

from rnnbook import layers


def _numpy_layer_norm_rnn(x, W, U, gamma, b, eps=1e-3):
    h, out = np.zeros((x.shape[0], U.shape[0])), []
    for t in range(x.shape[1]):
        a = x[:, t] @ W + h @ U
        a = (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + eps)
        h = np.tanh(gamma * a + b)
        out.append(h)
    return np.stack(out, axis=1)  # [batch, steps, units]


def test_layer_norm_cell_matches_numpy_and_is_batch_independent():
    keras.utils.set_random_seed(0)
    layer = keras.layers.RNN(layers.LayerNormSimpleRNNCell(5), return_sequences=True)
    x = np.random.default_rng(0).normal(size=(3, 4, 2)).astype("float32")  # [batch, steps, features]
    out = np.asarray(layer(x))
    W, U, gamma, b = layer.get_weights()
    assert W.shape == (2, 5) and U.shape == (5, 5) and gamma.shape == (5,) and b.shape == (5,)
    np.testing.assert_allclose(gamma, 1.0)
    np.testing.assert_allclose(U @ U.T, np.eye(5), atol=1e-5)  # orthogonal start, as SimpleRNN
    layer.set_weights([W, U, np.linspace(0.5, 1.5, 5).astype("float32"), np.full(5, 0.1, "float32")])
    out = np.asarray(layer(x))
    np.testing.assert_allclose(out, _numpy_layer_norm_rnn(x, *layer.get_weights()), atol=1e-5)
    np.testing.assert_allclose(np.asarray(layer(x[:1])), out[:1], atol=1e-6)  # no batch statistics


def test_layer_norm_cell_is_scale_invariant_in_u():
    keras.utils.set_random_seed(0)
    layer = keras.layers.RNN(layers.LayerNormSimpleRNNCell(4, epsilon=1e-8))
    x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")
    layer.build((None, 6, 3))
    W, U, gamma, b = layer.get_weights()
    base = np.asarray(layer(x))
    layer.set_weights([3 * W, 3 * U, gamma, b])  # LN removes a common scale of the pre-activation
    np.testing.assert_allclose(np.asarray(layer(x)), base, atol=1e-4)


def test_custom_cells_are_registered_and_round_trip(tmp_path):
    for name in ("LayerNormSimpleRNNCell", "PeepholeLSTMCell"):
        assert keras.saving.get_registered_object(f"rnnbook>{name}") is getattr(layers, name)
    cell = layers.LayerNormSimpleRNNCell(3, epsilon=1e-4)
    clone = layers.LayerNormSimpleRNNCell.from_config(cell.get_config())
    assert clone.units == 3 and clone.epsilon == 1e-4
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 2)),
                              keras.layers.RNN(layers.LayerNormSimpleRNNCell(3), return_sequences=True),
                              keras.layers.RNN(layers.PeepholeLSTMCell(2)), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(2, 4, 2)).astype("float32")
    path = tmp_path / "ln.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert type(loaded.layers[0].cell) is layers.LayerNormSimpleRNNCell
    assert type(loaded.layers[1].cell) is layers.PeepholeLSTMCell


@pytest.mark.parametrize("kwargs, err, msg", [
    (dict(units=0), ValueError, "units must be an int >= 1; got 0"),
    (dict(units=2.5), TypeError, "units must be an int; got float"),
    (dict(units=3, epsilon=0), ValueError, "epsilon must be a finite number > 0"),
    (dict(units=3, epsilon="small"), TypeError, "epsilon must be a number; got str"),
])
def test_layer_norm_cell_validation(kwargs, err, msg):
    with pytest.raises(err, match=msg):
        layers.LayerNormSimpleRNNCell(**kwargs)


def test_layer_norm_cell_needs_known_features():
    with pytest.raises(ValueError, match="features"):
        layers.LayerNormSimpleRNNCell(3).build((None, None))
