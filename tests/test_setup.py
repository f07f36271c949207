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
        m = models.recurrent_model("simple_rnn", 4, steps=None, features=1)
        h = models.train(m, x, y, epochs=3, loss="mse")
        return h.history["loss"]

    assert fit() == fit()
    m = models.recurrent_model("lstm", 4, steps=5, features=1, mask_value=0.0)
    assert m.output_shape == (None, 1) and models.count_params(m) == 4 * (1 + 4 + 1) * 4 + 5
    assert models.dense_net((8, 8), hidden=(3,), outputs=2).output_shape == (None, 2)
    with pytest.raises(ValueError, match="cell must be one of"):
        models.recurrent_model("transformer", 16, steps=None, features=1)
    with pytest.raises(ValueError, match="units must be an int >= 1; got 0"):
        models.recurrent_model("simple_rnn", 0, steps=None, features=1)
    with pytest.raises(TypeError, match="input_shape must be a non-empty tuple"):
        models.dense_net(8)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
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


def test_notebook_kernels_get_the_same_floating_point_code_paths_everywhere():
    """conftest.py and the Makefile pin NumPy's BLAS kernel and vector paths; a child process sees them."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert re.search(r"^export OPENBLAS_CORETYPE := Haswell$", makefile, re.M)
    assert re.search(r"^export OPENBLAS_NUM_THREADS := 1$", makefile, re.M)
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    pinned = re.search(r"^export NPY_DISABLE_CPU_FEATURES := (\S+)$", makefile, re.M).group(1)
    assert os.environ["OPENBLAS_CORETYPE"] == "Haswell"
    assert os.environ["NPY_DISABLE_CPU_FEATURES"] == pinned
    code = ("import numpy, threadpoolctl; "
            "info = [i for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas']; "
            "print(info[0]['architecture'], info[0]['num_threads'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "Haswell 1"


@pytest.mark.parametrize("option", ["tensorflow", "workers"])
def test_setup_rejects_a_flag_that_is_not_a_bool(option):
    with pytest.raises(TypeError, match=f"{option} must be True or False, got str"):
        rnnbook.setup(0, **{option: "yes"})


def test_setup_can_start_the_workers(monkeypatch):
    from rnnbook import parallel

    asked = []
    monkeypatch.setattr(parallel, "warm_up", lambda: asked.append(True) or 2)
    rnnbook.setup(0, tensorflow=False)
    assert asked == []
    rnnbook.setup(0, tensorflow=False, workers=True)
    assert asked == [True]
