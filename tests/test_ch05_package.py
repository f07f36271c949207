"""Chapter 5's package code: the peephole LSTM (NumPy and Keras), input-gradient norms, and two plots."""
import matplotlib

matplotlib.use("Agg")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnnbook import cells, layers, plots  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def lstm_weights(rng, features=3, units=4):
    return (rng.normal(scale=0.5, size=(features, 4 * units)), rng.normal(scale=0.5, size=(units, 4 * units)),
            rng.normal(scale=0.5, size=4 * units))


def test_peephole_with_zero_peepholes_is_the_lstm(rng):
    x = rng.normal(size=(2, 6, 3))
    w = lstm_weights(rng)
    h, cache = cells.peephole_lstm_forward(x, *w, np.zeros((3, 4)))
    h_ref, cache_ref = cells.lstm_forward(x, *w)
    np.testing.assert_allclose(h, h_ref, atol=1e-12)
    np.testing.assert_allclose(cache["c"], cache_ref["c"], atol=1e-12)


def test_peephole_step_equations(rng):
    x_t, h_prev, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    W, U, b = lstm_weights(rng)
    P = rng.normal(size=(3, 4))
    step = cells.peephole_lstm_step(x_t, h_prev, c_prev, W, U, b, P)
    (h, c), g = step.state, step.gates
    assert step.h is h
    z_i, z_f, z_c, z_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i, f = cells.sigmoid(z_i + P[0] * c_prev), cells.sigmoid(z_f + P[1] * c_prev)
    c_ref = f * c_prev + i * np.tanh(z_c)
    o = cells.sigmoid(z_o + P[2] * c_ref)
    np.testing.assert_allclose(c, c_ref)
    np.testing.assert_allclose(h, o * np.tanh(c_ref))
    np.testing.assert_allclose(g["o"], o)
    # the forward pass's first step is the step from zero states
    h_seq, _ = cells.peephole_lstm_forward(x_t[:, None], W, U, b, P, h0=h_prev, c0=c_prev)
    np.testing.assert_allclose(h_seq[:, 0], h)


def test_keras_peephole_cell_matches_numpy(rng):
    keras.utils.set_random_seed(0)
    x = rng.normal(size=(3, 7, 2)).astype("float32")
    layer = layers.peephole_lstm(5, return_sequences=True)
    layer.build((None, None, 2))
    W, U, b, P = layer.get_weights()
    assert W.shape == (2, 20) and U.shape == (5, 20) and b.shape == (20,) and P.shape == (3, 5)
    np.testing.assert_allclose(b[5:10], 1.0)  # unit forget bias
    np.testing.assert_allclose(P, 0.0)
    layer.set_weights([W, U, b, rng.normal(size=(3, 5)).astype("float32")])
    h, _ = cells.peephole_lstm_forward(x, *layer.get_weights())
    np.testing.assert_allclose(h, np.asarray(layer(x)), atol=1e-5)
    last = np.asarray(layers.peephole_lstm(5)(x))
    assert last.shape == (3, 5)


def test_keras_peephole_cell_config_and_no_forget_bias():
    cell = layers.PeepholeLSTMCell(4, unit_forget_bias=False)
    clone = layers.PeepholeLSTMCell.from_config(cell.get_config())
    assert clone.units == 4 and clone.unit_forget_bias is False
    rnn = keras.layers.RNN(cell)
    rnn.build((None, None, 3))
    np.testing.assert_allclose(cell.get_weights()[2], 0.0)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(units=0), ValueError, "units must be an int >= 1"),
    (dict(units=2.5), TypeError, "units must be an int"),
    (dict(units=3, unit_forget_bias="yes"), TypeError, "unit_forget_bias must be a bool"),
])
def test_keras_peephole_cell_validation(kwargs, err, match):
    with pytest.raises(err, match=match):
        layers.PeepholeLSTMCell(**kwargs)


def test_peephole_lstm_return_sequences_type():
    with pytest.raises(TypeError, match="return_sequences must be a bool"):
        layers.peephole_lstm(3, return_sequences="yes")


def test_peephole_validation(rng):
    x = rng.normal(size=(2, 5, 3))
    w = lstm_weights(rng)
    with pytest.raises(ValueError, match=r"peephole must have shape \[3, units\]"):
        cells.peephole_lstm_forward(x, *w, np.zeros((4,)))
    with pytest.raises(ValueError, match=r"peephole must have shape \[3, units\]"):
        cells.peephole_lstm_forward(x, *w, np.zeros((3, 5)))
    with pytest.raises(TypeError, match="peephole must be an array of numbers"):
        cells.peephole_lstm_step(x[:, 0], np.zeros((2, 4)), np.zeros((2, 4)), *w, "p")
    with pytest.raises(ValueError, match=r"x must have shape \[batch, steps, features\]"):
        cells.peephole_lstm_forward(x[0], *w, np.zeros((3, 4)))


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
def test_input_gradient_norms_match_tensorflow(kind, rng):
    keras.utils.set_random_seed(1)
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind](4)
    x = rng.normal(size=(1, 9, 2)).astype("float32")
    layer.build((None, None, 2))
    x_var = tf.Variable(x)
    with tf.GradientTape() as tape:
        h_T = layer(x_var)
    jac = np.asarray(tape.jacobian(h_T, x_var))[0, :, 0]  # [units, steps, features]
    expected = np.sqrt((jac**2).sum(axis=(0, 2)))
    got = cells.input_gradient_norms(x, *layer.get_weights(), cell=kind)[0]
    assert got.shape == (9,)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-7)


def test_input_gradient_norms_validation(rng):
    w = lstm_weights(rng)
    with pytest.raises(ValueError, match="cell must be one of"):
        cells.input_gradient_norms(rng.normal(size=(1, 5, 3)), *w, cell="peephole")
    with pytest.raises(ValueError, match=r"x must have shape \[batch, steps, features\]"):
        cells.input_gradient_norms(rng.normal(size=(5, 3)), *w, cell="lstm")
    with pytest.raises(ValueError, match="features"):
        cells.input_gradient_norms(rng.normal(size=(1, 5, 2)), *w, cell="lstm")
    with pytest.raises(TypeError):
        cells.input_gradient_norms(rng.normal(size=(1, 5, 3)), *w)  # cell is a required keyword


def test_gate_heatmaps_and_gradient_plot(rng):
    gates = {k: rng.uniform(size=(20, 6)) for k in "ifco"}
    fig = plots.gate_heatmaps(gates, marks=[3, 12], units=4, title="gates")
    assert len(fig.axes) == 6 and fig.axes[0].get_title() == "gates"  # 3 heatmaps + 3 colour bars
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["0", "1", "2", "3"]
    fig = plots.gate_heatmaps(gates, units=3, title="gates", unit_ids=[26, 4, 9, 1, 0, 2])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["26", "4", "9"]  # ids, not positions
    with pytest.raises(ValueError, match="one id per column"):
        plots.gate_heatmaps(gates, title="gates", unit_ids=[1, 2])
    fig = plots.gradient_norms_by_lag({"a": np.geomspace(1, 1e-5, 30), "b": np.zeros(30)}, title="norms")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2 and "lag" in ax.get_xlabel()
    matplotlib.pyplot.close("all")


def test_plot_validation(rng):
    with pytest.raises(TypeError, match="gates must be a dict"):
        plots.gate_heatmaps([1, 2], title="t")
    with pytest.raises(ValueError, match="gates has no"):
        plots.gate_heatmaps({"i": np.zeros((3, 2))}, title="t")
    with pytest.raises(ValueError, match=r"must have shape \[steps, units\]"):
        plots.gate_heatmaps({k: np.zeros(3) for k in "ifo"}, title="t")
    with pytest.raises(TypeError, match="norms must be a dict"):
        plots.gradient_norms_by_lag([1.0], title="t")
    with pytest.raises(ValueError, match=r"must have shape \[lags\]"):
        plots.gradient_norms_by_lag({"a": np.zeros((2, 2))}, title="t")
