import os
import random

import numpy as np
import pytest

import rnnbook
from rnnbook import models, plots


def test_setup_seeds_everything():
    rnnbook.setup(seed=3)
    a = (random.random(), np.random.rand())
    import keras
    k1 = keras.random.uniform((3,)).numpy()
    rnnbook.setup(seed=3)
    assert a == (random.random(), np.random.rand())
    np.testing.assert_array_equal(k1, keras.random.uniform((3,)).numpy())
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3" and os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


@pytest.mark.parametrize("seed, err", [("1", TypeError), (1.5, TypeError), (True, TypeError), (-1, ValueError)])
def test_setup_rejects_bad_seeds(seed, err):
    with pytest.raises(err, match="seed"):
        rnnbook.setup(seed=seed)


def test_models_builders_and_training_is_reproducible():
    rnnbook.setup(0)
    x = np.random.default_rng(0).normal(size=(64, 5, 1)).astype("float32")
    y = x[:, 0, 0]

    def fit():
        rnnbook.setup(0)
        m = models.rnn_net(units=4, features=1, cell="simple")
        h = models.train(m, x, y, epochs=3, loss="mse")
        return h.history["loss"]

    assert fit() == fit()
    m = models.rnn_net(units=4, features=1, cell="lstm", steps=5, mask_value=0.0)
    assert m.output_shape == (None, 1) and models.count_params(m) == 4 * (1 + 4 + 1) * 4 + 5
    assert models.dense_net((8, 8), hidden=(3,), outputs=2).output_shape == (None, 2)
    with pytest.raises(ValueError, match="cell must be one of"):
        models.rnn_net(cell="transformer")
    with pytest.raises(ValueError, match="units must be an int >= 1, got 0"):
        models.rnn_net(units=0)
    with pytest.raises(TypeError, match="input_shape must be a non-empty tuple"):
        models.dense_net(8)
    with pytest.raises(ValueError, match="learning_rate must be a number > 0"):
        models.train(m, x, y, epochs=1, loss="mse", learning_rate=0)


def test_plots_return_labelled_figures():
    import matplotlib
    matplotlib.use("agg")
    rnnbook.setup(0, tensorflow=False)
    t = np.arange(10.0)
    fig = plots.forecasts(t, t, {"naive": t + 1}, title="T", xlabel="year", ylabel="value")
    ax = fig.axes[0]
    assert ax.get_title() == "T" and ax.get_xlabel() == "year" and ax.get_ylabel() == "value"
    with pytest.raises(ValueError, match=r"forecast 'bad' must have shape \(10,\), got \(3,\)"):
        plots.forecasts(t, t, {"bad": t[:3]}, title="T", xlabel="x", ylabel="y")
    fig = plots.digit_as_sequence(np.zeros((8, 8)), 3)
    assert all(a.get_xlabel() and a.get_title() for a in fig.axes)
    fig = plots.series_split(t, t, 5, title="S", xlabel="x", ylabel="y")
    assert fig.axes[0].get_legend() is not None
    matplotlib.pyplot.close("all")
