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
    h, _ = forward(x, *layer.get_weights(), **dict(zip(SPECS[kind][4], states)), **forward_kwargs(activation))
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
    h, cache = forward(x, *layer.get_weights(), **dict(zip(state_names, states)), **forward_kwargs(activation))
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
    h_explicit, cache_explicit = forward(x, *weights, **dict(zip(state_names, zeros)))
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
        step = cells.simple_rnn_step(x[:, 0], h0, W, U, b, activation=activation)
        assert isinstance(step, cells.Step) and step.gates == {}
        np.testing.assert_allclose(step.h, act(x[:, 0] @ W + h0 @ U + b))
        assert len(step.state) == 1 and step.state[0] is step.h
        h, _ = cells.simple_rnn_forward(x, W, U, b, h0=h0, activation=activation)
        np.testing.assert_array_equal(h[:, 0], step.h)
        np.testing.assert_array_equal(h[:, 1], cells.simple_rnn_step(x[:, 1], *step.state, W, U, b,
                                                                     activation=activation).h)


def test_lstm_step_and_cache_expose_gates_and_cell_states():
    rng = np.random.default_rng(5)
    weights = random_weights("lstm", rng)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h0, c0 = rng.normal(size=(2, BATCH, UNITS))
    h, cache = cells.lstm_forward(x, *weights, h0=h0, c0=c0)
    step = cells.lstm_step(x[:, 0], h0, c0, *weights)
    h1, c1 = step.state
    gates = step.gates
    assert set(gates) == {"i", "f", "c", "o"}
    assert step.h is h1
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


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_step_and_cache_follow_cho_convention(reset_after):
    rng = np.random.default_rng(6)
    weights = random_weights("gru", rng)
    if not reset_after:
        weights[2] = weights[2][0]
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h0 = rng.normal(size=(BATCH, UNITS))
    h, cache = cells.gru_forward(x, *weights, h0=h0, reset_after=reset_after)
    h1, (state,), gates = cells.gru_step(x[:, 0], h0, *weights, reset_after=reset_after)
    assert state is h1
    assert set(gates) == {"z", "r", "h"}
    np.testing.assert_array_equal(h[:, 0], h1)
    np.testing.assert_allclose(h1, gates["z"] * h0 + (1 - gates["z"]) * gates["h"])  # z = 1 keeps h_prev
    assert set(cache["gates"]) == {"z", "r", "h"}
    for name, value in cache["gates"].items():
        assert value.shape == (BATCH, STEPS, UNITS)
        np.testing.assert_array_equal(value[:, 0], gates[name])


def _peephole_weights(rng):
    return [*random_weights("lstm", rng), rng.normal(scale=0.5, size=(3, UNITS))]


STEP_CALLS = {
    "simple_rnn": lambda rng, x_t, h, c: cells.simple_rnn_step(x_t, h, *random_weights("simple_rnn", rng)),
    "lstm": lambda rng, x_t, h, c: cells.lstm_step(x_t, h, c, *random_weights("lstm", rng)),
    "gru": lambda rng, x_t, h, c: cells.gru_step(x_t, h, *random_weights("gru", rng)),
    "gru_reset_before": lambda rng, x_t, h, c: cells.gru_step(
        x_t, h, *random_weights("gru", rng)[:2], rng.normal(size=3 * UNITS), reset_after=False),
    "peephole_lstm": lambda rng, x_t, h, c: cells.peephole_lstm_step(x_t, h, c, *_peephole_weights(rng)),
}


@pytest.mark.parametrize("name", list(STEP_CALLS))
def test_every_step_returns_the_one_contract(name):
    rng = np.random.default_rng(11)
    x_t, h, c = rng.normal(size=(BATCH, FEATURES)), rng.normal(size=(BATCH, UNITS)), rng.normal(size=(BATCH, UNITS))
    step = STEP_CALLS[name](rng, x_t, h, c)
    assert isinstance(step, cells.Step)
    assert step.h.shape == (BATCH, UNITS)
    assert isinstance(step.state, tuple) and step.state[0] is step.h
    assert len(step.state) == (2 if "lstm" in name else 1)
    expected_gates = {"simple_rnn": set(), "lstm": set("ifco"), "peephole_lstm": set("ifco")}.get(name, set("zrh"))
    assert set(step.gates) == expected_gates
    for value in [*step.state, *step.gates.values()]:
        assert value.shape == (BATCH, UNITS)


@pytest.mark.parametrize("kind", list(SPECS))
def test_forward_cache_holds_copies_not_the_callers_arrays(kind):
    rng = np.random.default_rng(12)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    weights = random_weights(kind, rng)
    h, cache = SPECS[kind][0](x, *weights)
    dh = rng.normal(size=h.shape)
    before = SPECS[kind][1](dh, cache)
    x[:] = 0.0
    for w in weights:
        w[...] = 0.0
    after = SPECS[kind][1](dh, cache)
    for name in before:
        np.testing.assert_array_equal(before[name], after[name])


@pytest.mark.parametrize("kind", list(SPECS))
def test_sequence_without_steps_is_refused(kind):
    with pytest.raises(ValueError, match=re.escape("x must have at least one step; got shape (2, 0, 3)")):
        _call_forward(kind, x=np.zeros((2, 0, 3)))


def test_options_are_keyword_only():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    with pytest.raises(TypeError):
        cells.simple_rnn_forward(x, *random_weights("simple_rnn", rng), np.zeros((BATCH, UNITS)))
    with pytest.raises(TypeError):
        cells.gru_forward(x, *random_weights("gru", rng), None, False)
    with pytest.raises(TypeError):
        cells.simple_rnn_step(x[:, 0], np.zeros((BATCH, UNITS)), *random_weights("simple_rnn", rng), "relu")


# --------------------------------------------------------------------------- GRU, reset_after=False
def _keras_gru_reset_before(rng, dtype):
    layer = keras.layers.GRU(UNITS, return_sequences=True, reset_after=False, dtype=dtype)
    layer.build((None, None, FEATURES))
    layer.set_weights([rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
def test_gru_reset_before_forward_matches_keras(with_state):
    rng = np.random.default_rng(14)
    layer = _keras_gru_reset_before(rng, "float32")
    assert layer.get_weights()[2].shape == (3 * UNITS,)
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    h0 = rng.normal(size=(BATCH, UNITS)).astype("float32") if with_state else None
    expected = np.asarray(layer(x, initial_state=[h0]) if with_state else layer(x))
    h, cache = cells.gru_forward(x, *layer.get_weights(), h0=h0, reset_after=False)
    assert cache["reset_after"] is False
    np.testing.assert_allclose(h, expected, rtol=0, atol=1e-5)


def test_gru_reset_before_backward_matches_gradient_tape():
    rng = np.random.default_rng(15)
    layer = _keras_gru_reset_before(rng, "float64")
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    h0 = rng.normal(size=(BATCH, UNITS))
    h, cache = cells.gru_forward(x, *layer.get_weights(), h0=h0, reset_after=False)
    dh = rng.normal(size=h.shape)
    x_tf, h0_tf = tf.constant(x), tf.constant(h0)
    with tf.GradientTape() as tape:
        tape.watch([x_tf, h0_tf])
        loss = tf.reduce_sum(layer(x_tf, initial_state=[h0_tf]) * dh)
    expected = tape.gradient(loss, [*layer.trainable_weights, x_tf, h0_tf])
    grads = cells.gru_backward(dh, cache, reset_after=False)
    assert list(grads) == ["kernel", "recurrent_kernel", "bias", "x", "h0"]
    for name, want in zip(grads, expected):
        assert grads[name].shape == tuple(want.shape), name
        assert relative_error(grads[name], np.asarray(want)) < 1e-4, name


def test_gru_reset_after_mismatches_are_refused():
    rng = np.random.default_rng(16)
    W, U, b = random_weights("gru", rng)
    x = rng.normal(size=(1, 2, FEATURES))
    with pytest.raises(ValueError, match=r"shape \[3\*units\].*reset_after=False; got shape \(2, 15\)"):
        cells.gru_forward(x, W, U, b, reset_after=False)
    h, cache = cells.gru_forward(x, W, U, b[0], reset_after=False)
    with pytest.raises(ValueError, match="call gru_backward\\(..., reset_after=False\\)"):
        cells.gru_backward(np.ones_like(h), cache)
    with pytest.raises(TypeError, match="reset_after must be True or False; got str"):
        cells.gru_step(x[:, 0], np.zeros((1, UNITS)), W, U, b, reset_after="yes")


# --------------------------------------------------------------------------- input_gradient_norms
@pytest.mark.parametrize("kind", list(SPECS))
def test_input_gradient_norms_are_batch_first_and_match_finite_differences(kind):
    rng = np.random.default_rng(17)
    x = rng.normal(size=(2, 4, FEATURES))
    weights = random_weights(kind, rng)
    norms = cells.input_gradient_norms(x, *weights, cell=kind)
    assert norms.shape == (2, 4)
    from rnnbook.gradients import numerical_gradient
    for n in range(2):
        jac = np.stack([numerical_gradient(lambda v, k=k: float(SPECS[kind][0](v[None], *weights)[0][0, -1, k]), x[n])
                        for k in range(UNITS)])  # [units, steps, features]
        np.testing.assert_allclose(norms[n], np.sqrt((jac**2).sum(axis=(0, 2))), rtol=1e-5, atol=1e-9)


def test_input_gradient_norms_refuses_unbatched_x_and_unknown_cell():
    rng = np.random.default_rng(18)
    weights = random_weights("lstm", rng)
    with pytest.raises(ValueError, match=re.escape("x must have shape [batch, steps, features]; got shape (4, 3)")):
        cells.input_gradient_norms(np.zeros((4, 3)), *weights, cell="lstm")
    with pytest.raises(ValueError, match="cell must be one of 'simple_rnn', 'lstm', 'gru'; got 'simple'"):
        cells.input_gradient_norms(np.zeros((1, 4, 3)), *weights, cell="simple")


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
    return SPECS[kind][0](x, *weights, **dict(zip(SPECS[kind][4], states)), **kwargs)


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
        ("gru", (2, 14), "bias must have shape [2, 3*units] (reset_after=True) = (2, 15); got shape (2, 14)"),
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
