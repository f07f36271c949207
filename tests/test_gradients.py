"""Tests of rnnbook.gradients: clipping against TensorFlow, gradient checks, Jacobian norms."""
from __future__ import annotations

import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from rnnbook import cells  # noqa: E402
from rnnbook import gradients as G  # noqa: E402


def random_grads(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 4)), rng.normal(size=(4,)), rng.normal(size=(2, 2, 2))]


# --------------------------------------------------------------------------- clip_by_global_norm
@pytest.mark.parametrize("max_norm", [0.5, 2.0, 100.0])
def test_clip_by_global_norm_equals_tensorflow(max_norm):
    grads = random_grads()
    before = [g.copy() for g in grads]
    clipped, norm = G.clip_by_global_norm(grads, max_norm)
    tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], max_norm)
    assert isinstance(norm, float)
    np.testing.assert_allclose(norm, float(tf_norm), rtol=1e-12)
    for ours, theirs in zip(clipped, tf_clipped):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12)
    for g, b in zip(grads, before):  # inputs unchanged, outputs are new arrays
        np.testing.assert_array_equal(g, b)
    assert all(c is not g for c, g in zip(clipped, grads))


def test_clip_by_global_norm_dict_tuple_none_and_dtype():
    grads = random_grads()
    as_dict = {"kernel": grads[0], "skip": None, "bias": grads[1].astype(np.float32)}
    clipped, norm = G.clip_by_global_norm(as_dict, 1.0)
    assert list(clipped) == ["kernel", "skip", "bias"]
    assert clipped["skip"] is None
    assert clipped["bias"].dtype == np.float32
    tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(grads[0]), None, tf.constant(grads[1])], 1.0)
    assert tf_clipped[1] is None
    np.testing.assert_allclose(norm, float(tf_norm), rtol=1e-6)
    np.testing.assert_allclose(clipped["kernel"], tf_clipped[0].numpy(), rtol=1e-6)

    as_tuple, _ = G.clip_by_global_norm(tuple(grads), 1.0)
    assert isinstance(as_tuple, list) and len(as_tuple) == 3
    ints, int_norm = G.clip_by_global_norm([np.array([3, 4])], 1.0)
    assert int_norm == 5.0
    np.testing.assert_allclose(ints[0], [0.6, 0.8])


def test_clip_by_global_norm_non_finite_gives_nan_like_tensorflow():
    grads = [np.array([1.0, np.inf]), np.array([2.0])]
    clipped, norm = G.clip_by_global_norm(grads, 1.0)
    tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], 1.0)
    assert norm == float(tf_norm) == np.inf
    for ours, theirs in zip(clipped, tf_clipped):
        assert np.all(np.isnan(ours)) and np.all(np.isnan(theirs.numpy()))


@settings(max_examples=40, deadline=None)
@given(
    arrays=st.lists(
        hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4), elements=st.floats(-1e3, 1e3)),
        min_size=1,
        max_size=3,
    ),
    max_norm=st.floats(1e-3, 1e3),
)
def test_clip_by_global_norm_bounds_norm_and_keeps_direction(arrays, max_norm):
    clipped, norm = G.clip_by_global_norm(arrays, max_norm)
    new_norm = np.sqrt(sum(np.sum(c**2) for c in clipped))
    assert new_norm <= max_norm * (1 + 1e-12)
    if norm > 0:  # the same factor s in (0, 1] for every array: direction kept
        scale = new_norm / norm
        assert 0 < scale <= 1 + 1e-12
        for c, g in zip(clipped, arrays):
            np.testing.assert_allclose(c, scale * g, rtol=1e-9, atol=1e-300)
    if norm <= max_norm:
        for c, g in zip(clipped, arrays):
            np.testing.assert_array_equal(c, g)


@pytest.mark.parametrize("func", [G.clip_by_global_norm, G.clip_by_value])
def test_clipping_argument_errors(func):
    grads = random_grads()
    name = "max_norm" if func is G.clip_by_global_norm else "limit"
    for bad in [0, -1.0, np.inf, np.nan]:
        with pytest.raises(ValueError, match=rf"{name} must be a finite number > 0; got"):
            func(grads, bad)
    with pytest.raises(TypeError, match=f"{name} must be a number; got str"):
        func(grads, "1")
    with pytest.raises(ValueError, match="grads must hold at least one array; got an empty list"):
        func([], 1.0)
    with pytest.raises(TypeError, match="grads must be a list, tuple or dict of arrays; got ndarray"):
        func(grads[0], 1.0)
    with pytest.raises(TypeError, match=re.escape("grads[1] must be an array of numbers; got str")):
        func([grads[0], "oops"], 1.0)
    msg = "grads['b'] must be an array of numbers; got list with dtype object"
    with pytest.raises(TypeError, match=re.escape(msg)):
        func({"a": grads[0], "b": [None, 1.0]}, 1.0)


# --------------------------------------------------------------------------- clip_by_value
def test_clip_by_value_equals_tensorflow_and_keeps_inputs():
    grads = [g * 3 for g in random_grads(1)]
    before = [g.copy() for g in grads]
    clipped = G.clip_by_value(grads, 1.5)
    for ours, g in zip(clipped, grads):
        np.testing.assert_array_equal(ours, tf.clip_by_value(tf.constant(g), -1.5, 1.5).numpy())
        assert np.abs(ours).max() <= 1.5
    for g, b in zip(grads, before):
        np.testing.assert_array_equal(g, b)
    as_dict = G.clip_by_value({"w": np.array([-3.0, 0.2, 9.0], dtype=np.float32), "none": None}, 1.0)
    assert as_dict["none"] is None
    assert as_dict["w"].dtype == np.float32
    np.testing.assert_array_equal(as_dict["w"], np.array([-1.0, 0.2, 1.0], dtype=np.float32))


# --------------------------------------------------------------------------- finite differences
def test_numerical_gradient_of_a_known_function_leaves_x_alone():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = G.numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(G.numerical_gradient(lambda v: float(v @ v), [1, 2]), [2.0, 4.0], rtol=1e-8)


def test_numerical_gradient_errors():
    with pytest.raises(TypeError, match="f must be callable; got int"):
        G.numerical_gradient(3, np.zeros(2))
    with pytest.raises(ValueError, match=re.escape("f must return a scalar; got ndarray of shape (2,)")):
        G.numerical_gradient(lambda v: v, np.zeros(2))
    with pytest.raises(ValueError, match="eps must be a finite number > 0; got 0.0"):
        G.numerical_gradient(np.sum, np.zeros(2), eps=0.0)
    with pytest.raises(TypeError, match="x must be an array of numbers; got str"):
        G.numerical_gradient(np.sum, "x")


def test_relative_error():
    a = np.array([1.0, 2.0])
    assert G.relative_error(a, a) == 0.0
    assert G.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert G.relative_error(a, [1.0, 2.5]) == pytest.approx(0.5 / 4.5)
    assert G.relative_error(a, -a) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=re.escape("a and b must have the same shape; got shapes (2,) and (3,)")):
        G.relative_error(a, np.zeros(3))


# --------------------------------------------------------------------------- check_cell_gradients
def cell_weights(kind: str, rng, features: int = 3, units: int = 3) -> list[np.ndarray]:
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    bias_shape = (2, 3 * units) if kind == "gru" else (gates * units,)
    return [
        rng.normal(scale=0.6, size=(features, gates * units)),
        rng.normal(scale=0.6, size=(units, gates * units)),
        rng.normal(scale=0.6, size=bias_shape),
    ]


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
def test_check_cell_gradients_agree_with_finite_differences(kind):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3, 3))
    errors = G.check_cell_gradients(kind, x, cell_weights(kind, rng), seed=1)
    states = ["h0", "c0"] if kind == "lstm" else ["h0"]
    assert list(errors) == ["kernel", "recurrent_kernel", "bias", "x", *states]
    assert all(isinstance(e, float) for e in errors.values())
    assert max(errors.values()) < 1e-6, errors


def test_check_cell_gradients_accepts_a_dict_with_initial_states():
    rng = np.random.default_rng(9)
    W, U, b = cell_weights("lstm", rng)
    weights = {"kernel": W, "recurrent_kernel": U, "bias": b,
               "h0": rng.normal(size=(1, 3)), "c0": rng.normal(size=(1, 3))}
    errors = G.check_cell_gradients("lstm", rng.normal(size=(1, 2, 3)).astype(np.float32), weights)
    assert max(errors.values()) < 1e-6


def test_check_cell_gradients_catches_a_wrong_backward(monkeypatch):
    def broken_backward(dh, cache):
        grads = cells.simple_rnn_backward(dh, cache)
        grads["recurrent_kernel"] = grads["recurrent_kernel"] * 1.01  # a 1% mistake
        return grads

    monkeypatch.setitem(G._CELLS, "simple_rnn", (cells.simple_rnn_forward, broken_backward, ("h0",)))
    rng = np.random.default_rng(10)
    errors = G.check_cell_gradients("simple_rnn", rng.normal(size=(2, 3, 3)), cell_weights("simple_rnn", rng))
    assert errors["recurrent_kernel"] > 1e-3
    assert errors["kernel"] < 1e-6


def test_check_cell_gradients_errors():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 2, 3))
    weights = cell_weights("gru", rng)
    with pytest.raises(ValueError, match="cell must be one of 'simple_rnn', 'lstm', 'gru'; got 'rnn'"):
        G.check_cell_gradients("rnn", x, weights)
    with pytest.raises(TypeError, match="weights must be a list .* or a dict; got ndarray"):
        G.check_cell_gradients("gru", x, weights[0])
    with pytest.raises(ValueError, match=re.escape("weights must be [kernel, recurrent_kernel, bias]; got 2 arrays")):
        G.check_cell_gradients("gru", x, weights[:2])
    with pytest.raises(ValueError, match=re.escape("got keys ['kernel', 'recurrent_kernel', 'bias', 'c0']")):
        G.check_cell_gradients("gru", x, {"kernel": weights[0], "recurrent_kernel": weights[1],
                                          "bias": weights[2], "c0": np.zeros((1, 3))})
    with pytest.raises(ValueError, match=re.escape("x must have shape [batch, steps, features]; got shape (2, 3)")):
        G.check_cell_gradients("gru", x[0], weights)
    with pytest.raises(ValueError, match=re.escape("x has 3 features but kernel has shape (4, 9), expected (3, 9)")):
        G.check_cell_gradients("gru", x, cell_weights("gru", rng, features=4))


# --------------------------------------------------------------------------- jacobian_norms
def matrix_with_spectral_norm(norm: float, units: int, seed: int) -> np.ndarray:
    m = np.random.default_rng(seed).normal(size=(units, units))
    return m * norm / np.linalg.norm(m, 2)


def test_jacobian_norms_lag_zero_is_identity_and_shape():
    norms = G.jacobian_norms(matrix_with_spectral_norm(1.5, 4, 0), 7)[0]
    assert G.jacobian_norms(matrix_with_spectral_norm(1.5, 4, 0), 7).shape == (1, 7)
    assert norms[0] == 1.0
    assert np.all(norms > 0)


@pytest.mark.parametrize("seed", [0, 1])
def test_jacobian_norms_vanish_with_tanh_and_a_contracting_matrix(seed):
    U = matrix_with_spectral_norm(0.5, 4, seed)
    norms = G.jacobian_norms(U, 10, seed=seed)[0]
    assert np.all(np.diff(norms) <= 1e-12)
    assert np.all(norms <= 0.5 ** np.arange(10) + 1e-12)


def test_jacobian_norms_explode_with_relu_in_the_positive_regime():
    units, steps = 4, 8
    U = 1.1 * np.eye(units)[[1, 2, 3, 0]]  # a permutation: orthogonal and non-negative, spectral norm 1.1
    x, kernel = np.ones((2, steps, 1)), np.ones((1, units))  # every pre-activation stays > 0: relu' = 1
    norms = G.jacobian_norms(U, steps, activation="relu", x=x, kernel=kernel, h0=np.ones((2, units)))
    assert norms.shape == (2, steps)
    np.testing.assert_allclose(norms, np.tile(1.1 ** np.arange(steps), (2, 1)), rtol=1e-12)
    norms = norms[0]
    assert np.all(np.diff(norms) > 0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_jacobian_norms_equal_finite_difference_jacobians(activation):
    rng = np.random.default_rng(11)
    steps, units = 4, 3
    U, W, b = rng.normal(size=(units, units)), rng.normal(size=(2, units)), rng.normal(scale=0.5, size=units)
    x = rng.normal(size=(steps, 2))
    batch = np.stack([rng.normal(size=(steps, 2)), x])  # the sequence checked is the second of the batch
    norms = G.jacobian_norms(U, steps, activation=activation, x=batch, kernel=W, bias=b)[1]
    h, _ = cells.simple_rnn_forward(x[None], W, U, b, activation=activation)
    for lag in range(1, steps):
        t = steps - lag  # h_t = h[0, t - 1]; run the remaining inputs x_{t+1}..x_T from it
        def h_T(i, state, t=t):
            return cells.simple_rnn_forward(x[None, t:], W, U, b, h0=state[None], activation=activation)[0][0, -1, i]
        jac = np.stack([G.numerical_gradient(lambda s, i=i: h_T(i, s), h[0, t - 1]) for i in range(units)])
        assert norms[lag] == pytest.approx(np.linalg.norm(jac, 2), rel=1e-6)


def test_jacobian_norms_default_inputs_follow_the_seed():
    U = matrix_with_spectral_norm(1.2, 3, 0)
    np.testing.assert_array_equal(G.jacobian_norms(U, 6, seed=3), G.jacobian_norms(U, 6, seed=3))
    assert not np.array_equal(G.jacobian_norms(U, 6, seed=3), G.jacobian_norms(U, 6, seed=4))


def test_jacobian_norms_errors():
    U = np.eye(3)
    msg = "recurrent_kernel must have shape [units, units] = (3, 3); got shape (3, 4)"
    with pytest.raises(ValueError, match=re.escape(msg)):
        G.jacobian_norms(np.zeros((3, 4)), 5)
    with pytest.raises(ValueError, match="steps must be an int >= 1; got 0"):
        G.jacobian_norms(U, 0)
    with pytest.raises(TypeError, match="steps must be an int; got float"):
        G.jacobian_norms(U, 2.5)
    with pytest.raises(ValueError, match="activation must be one of 'tanh', 'relu'; got 'sigmoid'"):
        G.jacobian_norms(U, 5, activation="sigmoid")
    with pytest.raises(ValueError, match="x and kernel must be given together"):
        G.jacobian_norms(U, 5, x=np.zeros((1, 5, 1)))
    with pytest.raises(ValueError, match=re.escape("x has 4 steps but steps=5")):
        G.jacobian_norms(U, 5, x=np.zeros((1, 4, 1)), kernel=np.zeros((1, 3)))
    with pytest.raises(ValueError, match=re.escape("x must have shape [batch, steps, features]; got shape (5, 1)")):
        G.jacobian_norms(U, 5, x=np.zeros((5, 1)), kernel=np.zeros((1, 3)))
    with pytest.raises(ValueError, match=re.escape("h0 must have shape [batch, units] = (1, 3); got shape (3,)")):
        G.jacobian_norms(U, 5, h0=np.zeros(3))
    with pytest.raises(ValueError, match=re.escape("x has 1 features but kernel has shape (2, 3), expected (1, 3)")):
        G.jacobian_norms(U, 5, x=np.zeros((1, 5, 1)), kernel=np.zeros((2, 3)))
    with pytest.raises(TypeError):
        G.jacobian_norms(U, 5, "tanh")  # options are keyword-only


def test_check_cell_gradients_passes_options_to_the_cell():
    rng = np.random.default_rng(21)
    x = rng.normal(size=(2, 3, 3))
    W, U, b = cell_weights("gru", rng)
    errors = G.check_cell_gradients("gru", x, [W, U, b[0]], seed=2, reset_after=False)
    assert max(errors.values()) < 1e-6, errors
    errors = G.check_cell_gradients("simple_rnn", x, cell_weights("simple_rnn", rng), seed=2, activation="relu")
    assert max(errors.values()) < 1e-6, errors
