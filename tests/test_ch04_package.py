"""Chapter 4's additions: recurrent_matrix, jacobian_norm_grid, train_with_clipping, the plots, widgets and the layer-norm cell."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from rnnbook import data, gradients, layers, plots, widgets


@pytest.mark.parametrize("kind", ["orthogonal", "identity", "gaussian"])
def test_recurrent_matrix_has_the_spectral_norm(kind):
    U = gradients.recurrent_matrix(8, 1.3, init=kind, seed=1)
    assert U.shape == (8, 8)
    assert np.isclose(np.linalg.norm(U, 2), 1.3)
    if kind != "gaussian":
        assert np.allclose(np.linalg.svd(U, compute_uv=False), 1.3)


@pytest.mark.parametrize("args, kwargs, err", [((0, 1.0), {}, ValueError), ((4, -1.0), {}, ValueError),
                                               ((4, 1.0), {"init": "eye"}, ValueError), ((4.5, 1.0), {}, TypeError),
                                               ((4, "1"), {}, TypeError), ((4, 1.0, "identity"), {}, TypeError)])
def test_recurrent_matrix_errors(args, kwargs, err):
    with pytest.raises(err):
        gradients.recurrent_matrix(*args, **kwargs)


def test_identity_relu_reaches_the_bound_and_tanh_stays_below():
    grid = gradients.jacobian_norm_grid([0.9, 1.1], ["tanh", "relu"], steps=30, units=8, init="identity")
    lags = np.arange(30)
    assert set(grid) == {("tanh", 0.9), ("tanh", 1.1), ("relu", 0.9), ("relu", 1.1)}
    for (act, s), n in grid.items():
        assert n.shape == (30,) and np.all(n <= s**lags * (1 + 1e-9))
    assert np.allclose(grid[("relu", 1.1)][:10], 1.1**lags[:10])  # while some unit stays active


@pytest.mark.parametrize("kw, err", [(dict(spectral_norms=[]), ValueError), (dict(spectral_norms="1"), TypeError),
                                     (dict(spectral_norms=[1.0], activations=["sigmoid"]), ValueError)])
def test_jacobian_norm_grid_errors(kw, err):
    with pytest.raises(err):
        gradients.jacobian_norm_grid(**kw)


def test_train_with_clipping_diverges_without_and_not_with_clipping():
    x, y = data.adding_problem(300, 50, seed=0)
    plain = gradients.train_with_clipping(x, y, updates=60)
    assert isinstance(plain, gradients.ClipRun)
    assert plain.grad_norm_recurrent[0] > 10 * plain.grad_norm_readout[0]  # the gradient grows back in time
    assert not np.isfinite(plain.loss[-1]) or plain.loss[-1] > 1e6
    for clip, thr in (("global_norm", 1.0), ("value", 0.1)):
        clipped = gradients.train_with_clipping(x, y, clip=clip, threshold=thr, updates=60)
        assert clipped.loss.shape == (60,) and np.all(np.isfinite(clipped.loss))
        assert clipped.loss[-10:].mean() < clipped.loss[0]
    again = gradients.train_with_clipping(x, y, clip="value", threshold=0.1, updates=5)
    repeat = gradients.train_with_clipping(x, y, clip="value", threshold=0.1, updates=5)
    assert all(np.array_equal(a, b) for a, b in zip(again, repeat))


def test_train_with_clipping_records_the_unclipped_norms():
    x, y = data.adding_problem(100, 10, seed=3)
    run = gradients.train_with_clipping(x, y, clip="global_norm", threshold=1e-3, activation="tanh",
                                        init="orthogonal", spectral_norm=1.0, updates=3)
    assert np.all(run.grad_norm_recurrent > 0) and np.all(np.isfinite(run.grad_norm_readout))
    assert run.grad_norm_readout[0] > 1e-3  # recorded before clipping, not after


@pytest.mark.parametrize("kw, err", [(dict(clip="norm"), ValueError), (dict(threshold=0), ValueError),
                                     (dict(updates=0), ValueError), (dict(learning_rate="a"), TypeError),
                                     (dict(activation="sigmoid"), ValueError), (dict(init="eye"), ValueError),
                                     (dict(kernel_scale=-1.0), ValueError)])
def test_train_with_clipping_errors(kw, err):
    x, y = data.adding_problem(10, 4)
    with pytest.raises(err):
        gradients.train_with_clipping(x, y, **kw)
    with pytest.raises(ValueError, match=r"\[n, steps, features\]"):
        gradients.train_with_clipping(x[0], y)
    with pytest.raises(ValueError, match="shape"):
        gradients.train_with_clipping(x, y[:5])


def test_plots_and_widget_fallback_draw():
    grid = gradients.jacobian_norm_grid([0.9, 1.0], ["tanh", "relu"], steps=12, units=4)
    fig = plots.gradient_norms_grid(grid)
    assert len(fig.axes) == 2 and fig.axes[0].get_yscale() == "log"
    fig = plots.loss_per_update({"a": [1.0, 0.5, np.inf], "b": [1.0, 0.9, 0.8]}, title="t")
    assert fig.axes[0].get_xlabel().startswith("update")
    fig = widgets.draw_gradient_norms(1.1, "relu", 10, units=4, init="identity")
    assert fig.axes[0].get_title() == "activation: relu"
    with pytest.raises(TypeError):
        plots.gradient_norms_grid([1, 2])
    with pytest.raises(ValueError):
        plots.gradient_norms_grid({})
    with pytest.raises(TypeError):
        plots.gradient_norms_grid({"tanh": np.ones(3)})
    with pytest.raises(ValueError):
        plots.loss_per_update({}, title="t")
    with pytest.raises(ValueError):
        widgets.draw_gradient_norms(1.0, "sigmoid", 10)
    with pytest.raises(ValueError):
        widgets.draw_gradient_norms(1.0, "tanh", 1)


def test_gradient_norm_explorer_builds():
    pytest.importorskip("ipywidgets")
    out = widgets.gradient_norm_explorer(units=4)
    assert out is not None
    with pytest.raises(ValueError):
        widgets.gradient_norm_explorer(units=0)


def test_layer_norm_cell_matches_numpy_and_is_batch_independent():
    import rnnbook

    rnnbook.setup(seed=0)
    import keras

    from rnnbook import models

    layer = keras.layers.RNN(layers.LayerNormSimpleRNNCell(5), return_sequences=True)
    x = np.random.default_rng(0).normal(size=(3, 4, 2)).astype("float32")
    out = np.asarray(layer(x))
    W, U, gamma, b = [v.numpy() for v in layer.cell.weights]
    h = np.zeros((3, 5))
    for t in range(4):
        a = x[:, t] @ W + h @ U
        a = (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-3)
        h = np.tanh(gamma * a + b)
        assert np.allclose(out[:, t], h, atol=1e-5)
    assert np.allclose(np.asarray(layer(x[:1])), out[:1], atol=1e-6)  # no batch statistics
    with pytest.raises(ValueError):
        layers.LayerNormSimpleRNNCell(0)
    with pytest.raises(AttributeError):
        models.NoSuchThing  # noqa: B018
