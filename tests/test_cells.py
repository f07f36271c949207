"""Tests of rnnbook.cells: the NumPy cells against Keras and tf.GradientTape."""
from __future__ import annotations

import os
import re
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rnnbook import cells  # noqa: E402
from rnnbook.gradients import relative_error  # noqa: E402

BATCH, STEPS, FEATURES, UNITS = 2, 4, 3, 5

# kind -> (forward, backward, Keras layer class, number of gates, initial states)
SPECS = {
    "simple_rnn": (cells.simple_rnn_forward, cells.simple_rnn_backward, keras.layers.SimpleRNN, 1, ("h0",)),
    "lstm": (cells.lstm_forward, cells.lstm_backward, keras.layers.LSTM, 4, ("h0", "c0")),
    "gru": (cells.gru_forward, cells.gru_backward, keras.layers.GRU, 3, ("h0",)),
}
# (kind, activation): SimpleRNN with both activations, LSTM and GRU with their fixed ones
CASES = [("simple_rnn", "tanh"), ("simple_rnn", "relu"), ("lstm", None), ("gru", None)]


def keras_layer(kind: str, activation: str | None, rng, dtype: str = "float32"):
    """A built Keras layer of the given kind with random N(0, 0.5^2) weights."""
    kwargs = {"activation": activation} if activation else {}
    layer = SPECS[kind][2](UNITS, return_sequences=True, dtype=dtype, **kwargs)
    layer.build((None, None, FEATURES))
    layer.set_weights([rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()])
    return layer


def forward_kwargs(activation: str | None) -> dict:
    return {"activation": activation} if activation else {}


def random_weights(kind: str, rng, features: int = FEATURES, units: int = UNITS) -> list[np.ndarray]:
    g = SPECS[kind][3]
    bias_shape = (2, 3 * units) if kind == "gru" else (g * units,)
    return [
        rng.normal(scale=0.5, size=(features, g * units)),
        rng.normal(scale=0.5, size=(units, g * units)),
        rng.normal(scale=0.5, size=bias_shape),
    ]


# --------------------------------------------------------------------------- forward vs Keras
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize(("kind", "activation"), CASES)
def test_forward_matches_keras(kind, activation, with_state):
    rng = np.random.default_rng(1)
    layer = keras_layer(kind, activation, rng)
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    states = [rng.normal(size=(BATCH, UNITS)).astype("float32") for _ in SPECS[kind][4]] if with_state else []
    expected = np.asarray(layer(x, initial_state=states) if states else layer(x))

    forward = SPECS[kind][0]
    h, _ = forward(x, *layer.get_weights(), *states, **forward_kwargs(activation))
    assert h.shape == (BATCH, STEPS, UNITS)
    np.testing.assert_allclose(h, expected, rtol=0, atol=1e-5)


# --------------------------------------------------------------------------- backward vs GradientTape
@pytest.mark.parametrize(("kind", "activation"), CASES)
def test_backward_matches_gradient_tape(kind, activation):
    rng = np.random.default_rng(2)
    forward, backward, _, _, state_names = SPECS[kind]
    layer = keras_layer(kind, activation, rng, dtype="float64")
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    states = [rng.normal(size=(BATCH, UNITS)) for _ in state_names]
    h, cache = forward(x, *layer.get_weights(), *states, **forward_kwargs(activation))
    dh = rng.normal(size=h.shape)

    x_tf, states_tf = tf.constant(x), [tf.constant(s) for s in states]
    with tf.GradientTape() as tape:
        tape.watch([x_tf, *states_tf])
        loss = tf.reduce_sum(layer(x_tf, initial_state=states_tf) * dh)
    expected = tape.gradient(loss, [*layer.trainable_weights, x_tf, *states_tf])
    names = ["kernel", "recurrent_kernel", "bias", "x", *state_names]

    grads = backward(dh, cache)
    assert list(grads) == names
    for name, want in zip(names, expected):
        assert grads[name].shape == tuple(want.shape), name
        assert relative_error(grads[name], np.asarray(want)) < 1e-4, name


@pytest.mark.parametrize("kind", list(SPECS))
def test_backward_with_default_states_returns_their_gradient(kind):
    rng = np.random.default_rng(3)
    forward, backward, _, _, state_names = SPECS[kind]
    weights = random_weights(kind, rng)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h, cache = forward(x, *weights)
    dh = rng.normal(size=h.shape)
    zeros = [np.zeros((BATCH, UNITS)) for _ in state_names]
    h_explicit, cache_explicit = forward(x, *weights, *zeros)
    np.testing.assert_array_equal(h, h_explicit)
    grads, grads_explicit = backward(dh, cache), backward(dh, cache_explicit)
    for name in state_names:
        assert grads[name].shape == (BATCH, UNITS)
        np.testing.assert_array_equal(grads[name], grads_explicit[name])


# --------------------------------------------------------------------------- steps and caches
def test_simple_rnn_step_is_the_formula_and_the_first_forward_step():
    rng = np.random.default_rng(4)
    W, U, b = random_weights("simple_rnn", rng)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h0 = rng.normal(size=(BATCH, UNITS))
    for activation, act in [("tanh", np.tanh), ("relu", lambda a: np.maximum(a, 0))]:
        h1 = cells.simple_rnn_step(x[:, 0], h0, W, U, b, activation=activation)
        np.testing.assert_allclose(h1, act(x[:, 0] @ W + h0 @ U + b))
        h, _ = cells.simple_rnn_forward(x, W, U, b, h0, activation=activation)
        np.testing.assert_array_equal(h[:, 0], h1)
        np.testing.assert_array_equal(h[:, 1], cells.simple_rnn_step(x[:, 1], h1, W, U, b, activation))


def test_lstm_step_and_cache_expose_gates_and_cell_states():
    rng = np.random.default_rng(5)
    weights = random_weights("lstm", rng)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h0, c0 = rng.normal(size=(2, BATCH, UNITS))
    h, cache = cells.lstm_forward(x, *weights, h0, c0)
    h1, c1, gates = cells.lstm_step(x[:, 0], h0, c0, *weights)
    assert set(gates) == {"i", "f", "c", "o"}
    np.testing.assert_array_equal(h[:, 0], h1)
    np.testing.assert_array_equal(cache["c"][:, 0], c1)
    np.testing.assert_allclose(c1, gates["f"] * c0 + gates["i"] * gates["c"])
    np.testing.assert_allclose(h1, gates["o"] * np.tanh(c1))
    assert cache["c"].shape == (BATCH, STEPS, UNITS)
    assert set(cache["gates"]) == {"i", "f", "c", "o"}
    for name, value in cache["gates"].items():
        assert value.shape == (BATCH, STEPS, UNITS)
        np.testing.assert_array_equal(value[:, 0], gates[name])
    for name in "ifo":
        assert np.all((cache["gates"][name] > 0) & (cache["gates"][name] < 1))


def test_gru_step_and_cache_follow_cho_convention():
    rng = np.random.default_rng(6)
    weights = random_weights("gru", rng)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h0 = rng.normal(size=(BATCH, UNITS))
    h, cache = cells.gru_forward(x, *weights, h0)
    h1, gates = cells.gru_step(x[:, 0], h0, *weights)
    assert set(gates) == {"z", "r", "h"}
    np.testing.assert_array_equal(h[:, 0], h1)
    np.testing.assert_allclose(h1, gates["z"] * h0 + (1 - gates["z"]) * gates["h"])  # z = 1 keeps h_prev
    assert set(cache["gates"]) == {"z", "r", "h"}
    for name, value in cache["gates"].items():
        assert value.shape == (BATCH, STEPS, UNITS)
        np.testing.assert_array_equal(value[:, 0], gates[name])


def test_inputs_as_float32_and_lists_give_float64():
    rng = np.random.default_rng(7)
    weights = random_weights("lstm", rng)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h64, _ = cells.lstm_forward(x, *weights)
    h32, _ = cells.lstm_forward(x.astype(np.float32), *[w.astype(np.float32) for w in weights])
    hl, _ = cells.lstm_forward(x.tolist(), *[w.tolist() for w in weights])
    assert h32.dtype == hl.dtype == np.float64
    np.testing.assert_allclose(h32, h64, atol=1e-5)
    np.testing.assert_array_equal(hl, h64)


def test_sigmoid_is_stable_and_correct():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(cells.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(cells.sigmoid(-z), 1 - cells.sigmoid(z), atol=1e-15)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        assert cells.sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]
    assert cells.sigmoid(0.0) == 0.5


def test_activation_derivative():
    h = np.array([-0.5, 0.0, 0.5])
    np.testing.assert_allclose(cells.activation_derivative(h, "tanh"), 1 - h**2)
    np.testing.assert_array_equal(cells.activation_derivative(np.array([0.0, 2.0]), "relu"), [0.0, 1.0])


@settings(max_examples=25, deadline=None)
@given(
    kind=st.sampled_from(list(SPECS)),
    batch=st.integers(1, 3),
    steps=st.integers(1, 4),
    features=st.integers(1, 3),
    units=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_shapes_for_any_sizes(kind, batch, steps, features, units, seed):
    rng = np.random.default_rng(seed)
    forward, backward, _, _, state_names = SPECS[kind]
    x = rng.normal(size=(batch, steps, features))
    weights = random_weights(kind, rng, features, units)
    h, cache = forward(x, *weights)
    assert h.shape == (batch, steps, units)
    assert np.all(np.isfinite(h))
    grads = backward(np.ones_like(h), cache)
    for name, value in zip(["kernel", "recurrent_kernel", "bias", "x"], [*weights, x]):
        assert grads[name].shape == value.shape
    for name in state_names:
        assert grads[name].shape == (batch, units)


# --------------------------------------------------------------------------- argument errors
def _call_forward(kind, x=None, weights=None, states=(), **kwargs):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, STEPS, FEATURES)) if x is None else x
    weights = random_weights(kind, rng) if weights is None else weights
    return SPECS[kind][0](x, *weights, *states, **kwargs)


@pytest.mark.parametrize("kind", list(SPECS))
def test_x_must_be_3d(kind):
    msg = "x must have shape [batch, steps, features]; got shape (4, 3)"
    with pytest.raises(ValueError, match=re.escape(msg)):
        _call_forward(kind, x=np.zeros((4, 3)))


@pytest.mark.parametrize(("kind", "gates"), [("simple_rnn", 1), ("lstm", 4), ("gru", 3)])
def test_feature_size_must_match_kernel(kind, gates):
    weights = random_weights(kind, np.random.default_rng(0), features=5, units=2)
    msg = f"x has 3 features but kernel has shape (5, {2 * gates}), expected (3, {2 * gates})"
    with pytest.raises(ValueError, match=re.escape(msg)):
        _call_forward(kind, weights=weights)


def test_kernel_columns_must_match_units():
    W, U, b = random_weights("lstm", np.random.default_rng(0))
    msg = f"kernel has shape (3, 7) but recurrent_kernel has shape {U.shape} (units=5), expected kernel shape (3, 20)"
    with pytest.raises(ValueError, match=re.escape(msg)):
        cells.lstm_forward(np.zeros((1, 2, 3)), W[:, :7], U, b)


@pytest.mark.parametrize(
    ("kind", "shape", "msg"),
    [
        ("simple_rnn", (5, 4), "recurrent_kernel must have shape [units, units] = (5, 5); got shape (5, 4)"),
        ("lstm", (5, 19), "recurrent_kernel must have shape [units, 4*units] = (5, 20); got shape (5, 19)"),
        ("gru", (5, 3), "recurrent_kernel must have shape [units, 3*units] = (5, 15); got shape (5, 3)"),
        ("gru", (15,), "recurrent_kernel must have shape [units, 3*units]; got shape (15,)"),
    ],
)
def test_recurrent_kernel_shape(kind, shape, msg):
    W, _, b = random_weights(kind, np.random.default_rng(0))
    with pytest.raises(ValueError, match=re.escape(msg)):
        _call_forward(kind, weights=[W, np.zeros(shape), b])


@pytest.mark.parametrize(
    ("kind", "shape", "msg"),
    [
        ("simple_rnn", (4,), "bias must have shape [units] = (5,); got shape (4,)"),
        ("lstm", (2, 20), "bias must have shape [4*units] = (20,); got shape (2, 20)"),
        ("gru", (2, 14), "bias must have shape [2, 3*units] = (2, 15); got shape (2, 14)"),
        ("gru", (15,), "bias must have shape [2, 3*units] = (2, 15)"),
    ],
)
def test_bias_shape(kind, shape, msg):
    W, U, _ = random_weights(kind, np.random.default_rng(0))
    with pytest.raises(ValueError, match=re.escape(msg)):
        _call_forward(kind, weights=[W, U, np.zeros(shape)])


def test_gru_1d_bias_names_reset_after():
    W, U, _ = random_weights("gru", np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"got shape \(15,\).*reset_after=False"):
        cells.gru_forward(np.zeros((1, 2, 3)), W, U, np.zeros(15))


@pytest.mark.parametrize(
    ("kind", "states", "name"),
    [
        ("simple_rnn", [np.zeros((2, 3))], "h0"),
        ("gru", [np.zeros((5,))], "h0"),
        ("lstm", [np.zeros((3, 5))], "h0"),
        ("lstm", [np.zeros((2, 5)), np.zeros((2, 4))], "c0"),
    ],
)
def test_initial_state_shape(kind, states, name):
    got = states[-1].shape
    msg = f"{name} must have shape [batch, units] = (2, 5); got shape {got}"
    with pytest.raises(ValueError, match=re.escape(msg)):
        _call_forward(kind, states=states)


@pytest.mark.parametrize("kind", list(SPECS))
@pytest.mark.parametrize(
    ("position", "value", "msg"),
    [
        (0, "abc", "x must be an array of numbers; got str"),
        (0, None, "x must be an array of numbers; got NoneType"),
        (1, None, "kernel must be an array of numbers; got NoneType"),
        (2, {"a": 1}, "recurrent_kernel must be an array of numbers; got dict"),
        (3, ["a", "b"], "bias must be an array of numbers; got list"),
    ],
)
def test_non_arrays_raise_type_error(kind, position, value, msg):
    rng = np.random.default_rng(0)
    args = [rng.normal(size=(BATCH, STEPS, FEATURES)), *random_weights(kind, rng)]
    args[position] = value
    with pytest.raises(TypeError, match=re.escape(msg)):
        SPECS[kind][0](*args)


@pytest.mark.parametrize("activation", ["sigmoid", None, "TANH"])
def test_unknown_activation(activation):
    msg = f"activation must be one of 'tanh', 'relu'; got {activation!r}"
    with pytest.raises(ValueError, match=re.escape(msg)):
        _call_forward("simple_rnn", activation=activation)
    with pytest.raises(ValueError, match=re.escape(msg)):
        weights = random_weights("simple_rnn", np.random.default_rng(0))
        cells.simple_rnn_step(np.zeros((1, 3)), np.zeros((1, 5)), *weights, activation=activation)


@pytest.mark.parametrize("kind", list(SPECS))
def test_dh_must_match_h(kind):
    h, cache = _call_forward(kind)
    msg = "dh must have shape [batch, steps, units] (the shape of h) = (2, 4, 5); got shape (2, 4, 6)"
    with pytest.raises(ValueError, match=re.escape(msg)):
        SPECS[kind][1](np.zeros((2, 4, 6)), cache)
    with pytest.raises(TypeError, match="dh must be an array of numbers; got str"):
        SPECS[kind][1]("dh", cache)


def test_cache_from_another_cell_or_not_a_cache():
    h, cache = _call_forward("lstm")
    msg = "cache comes from lstm_forward, but gru_backward needs the cache of gru_forward"
    with pytest.raises(ValueError, match=msg):
        cells.gru_backward(np.zeros_like(h), cache)
    with pytest.raises(TypeError, match="cache must be the dict returned by simple_rnn_forward; got list"):
        cells.simple_rnn_backward(np.zeros_like(h), [h])
    with pytest.raises(TypeError, match="cache must be the dict returned by lstm_forward; got dict"):
        cells.lstm_backward(np.zeros_like(h), {"h": h})


def test_step_argument_errors():
    rng = np.random.default_rng(0)
    weights = random_weights("lstm", rng)
    h = np.zeros((2, 5))
    with pytest.raises(ValueError, match=re.escape("x_t must have shape [batch, features]; got shape (2, 1, 3)")):
        cells.lstm_step(np.zeros((2, 1, 3)), h, h, *weights)
    with pytest.raises(ValueError, match=re.escape("c_prev must have shape [batch, units] = (2, 5); got shape (2, 4)")):
        cells.lstm_step(np.zeros((2, 3)), h, np.zeros((2, 4)), *weights)
    with pytest.raises(TypeError, match="h_prev must be an array of numbers; got NoneType"):
        cells.gru_step(np.zeros((2, 3)), None, *random_weights("gru", rng))
    with pytest.raises(ValueError, match=re.escape("x has 4 features but kernel has shape (3, 5), expected (4, 5)")):
        cells.simple_rnn_step(np.zeros((2, 4)), h, *random_weights("simple_rnn", rng))
