"""Chapter 7's additions to models, forecast and plots: regularised and TCN builders, multi-step forecasts, figures."""
import matplotlib

matplotlib.use("Agg")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnbook import data, forecast, models, plots  # noqa: E402


# --------------------------------------------------------------------------- models
@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("options", [{}, dict(dropout=0.2), dict(recurrent_dropout=0.3), dict(output_dropout=0.5),
                                     dict(l2=1e-3), dict(dropout=0.1, recurrent_dropout=0.1, output_dropout=0.1)])
def test_regularised_model_starts_from_the_plain_models_weights(cell, options):
    keras.utils.set_random_seed(7)
    plain = models.recurrent_model(cell, 5, steps=9, features=2)
    keras.utils.set_random_seed(7)
    reg = models.regularised_model(cell, 5, steps=9, features=2, **options)
    assert len(plain.get_weights()) == len(reg.get_weights())
    for a, b in zip(plain.get_weights(), reg.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_regularised_model_layers():
    m = models.regularised_model("lstm", 4, steps=None, features=1, dropout=0.2, recurrent_dropout=0.3,
                                 output_dropout=0.4, l2=1e-3, outputs=3)
    rnn, drop, head = m.layers
    assert (rnn.dropout, rnn.recurrent_dropout, drop.rate) == (0.2, 0.3, 0.4)
    assert rnn.kernel_regularizer is not None and head.kernel_regularizer is not None
    assert m(np.zeros((2, 6, 1))).shape == (2, 3)
    assert len(m.losses) == 3 and all(float(v) > 0 for v in m.losses)   # kernel, recurrent kernel, head
    x = np.ones((1, 4, 1), "float32")
    np.testing.assert_allclose(m(x, training=False), m(x, training=False))  # no dropout at inference
    assert models.regularised_model("gru", 4, steps=3, features=1).losses == []


@pytest.mark.parametrize("kw, err", [(dict(dropout=1.0), ValueError), (dict(recurrent_dropout=-0.1), ValueError),
                                     (dict(output_dropout="0.1"), TypeError), (dict(l2=-1.0), ValueError),
                                     (dict(outputs=0), ValueError), (dict(cell="rnn"), ValueError),
                                     (dict(units=2.0), TypeError), (dict(seed=-1), ValueError)])
def test_regularised_model_validates(kw, err):
    args = dict(cell="lstm", units=3, steps=5, features=1)
    args.update(kw)
    cell, units = args.pop("cell"), args.pop("units")
    with pytest.raises(err):
        models.regularised_model(cell, units, **args)


@pytest.mark.parametrize("k, dilations, convs, expected", [(2, (1, 2, 4), 2, 15), (3, (1, 2, 4, 8, 16), 2, 125),
                                                           (2, (1,), 1, 2), (5, [3], 2, 25)])
def test_receptive_field(k, dilations, convs, expected):
    assert models.receptive_field(k, dilations, convs) == expected


def test_receptive_field_validates():
    with pytest.raises(ValueError):
        models.receptive_field(2, ())
    with pytest.raises(ValueError):
        models.receptive_field(2, (1, 0))
    with pytest.raises(TypeError):
        models.receptive_field(2, (1.5,))


def test_tcn_is_causal_and_sees_exactly_its_receptive_field():
    keras.utils.set_random_seed(0)
    field = models.receptive_field(2, (1, 2))                       # 7 steps
    seq = models.tcn_model(6, steps=None, features=2, kernel_size=2, dilations=(1, 2), return_sequences=True)
    last = models.tcn_model(6, steps=12, features=2, kernel_size=2, dilations=(1, 2))
    last.set_weights(seq.get_weights())
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 12, 2)).astype("float32")
    y = np.asarray(seq(x))
    x2 = x.copy()
    x2[:, 8:] += 5.0                                                # change the future of step 7
    np.testing.assert_allclose(np.asarray(seq(x2))[:, :8], y[:, :8], atol=1e-6)
    np.testing.assert_allclose(np.asarray(last(x)), y[:, -1], atol=1e-6)
    x3 = x.copy()
    x3[:, :12 - field] += 5.0                                       # outside the last output's field
    np.testing.assert_allclose(np.asarray(last(x3)), np.asarray(last(x)), atol=1e-6)
    x4 = x.copy()
    x4[:, 12 - field] += 5.0                                        # the oldest step it sees
    assert np.abs(np.asarray(last(x4)) - np.asarray(last(x))).max() > 1e-4


def test_tcn_parameter_count():
    f = 40                                                          # the chapter's TCN: 10 f^2 + 11 f + 1
    m = models.tcn_model(f, steps=9, features=1, kernel_size=2, dilations=(1, 2, 4))
    assert models.count_params(m) == 10 * f * f + 11 * f + 1 == 16441


@pytest.mark.parametrize("kw, err", [(dict(kernel_size=1), ValueError), (dict(dilations=()), ValueError),
                                     (dict(filters=0), ValueError), (dict(return_sequences=1), TypeError),
                                     (dict(output_activation=3), TypeError)])
def test_tcn_validates(kw, err):
    args = dict(filters=4, steps=5, features=1)
    args.update(kw)
    with pytest.raises(err):
        models.tcn_model(args.pop("filters"), **args)


# --------------------------------------------------------------------------- forecast
@pytest.fixture(scope="module")
def split():
    return data.sunspot_splits()


def test_horizon_windows(split):
    X, Y = forecast.horizon_windows(split, "test", 10)
    assert X.shape == (51, 9) and Y.shape == (51, 10)
    t0 = split.test_start
    np.testing.assert_array_equal(X[0], split.values[t0 - 9:t0])
    np.testing.assert_array_equal(Y[-1], split.values[-10:])
    Xtr, Ytr = forecast.horizon_windows(split, "train", 10)
    assert Xtr.shape == (split.val_start - 9 - 10 + 1, 9)
    assert Ytr.max() <= split.values[:split.val_start].max()
    np.testing.assert_array_equal(Ytr[:, 0], data.sliding_windows(split.values[:split.val_start], 9)[1][:len(Ytr), 0])
    with pytest.raises(ValueError, match="too short"):
        forecast.horizon_windows(split, "val", 41)
    with pytest.raises(TypeError):
        forecast.horizon_windows(split.values, "val", 3)
    with pytest.raises(ValueError):
        forecast.horizon_windows(split, "validation", 3)


def test_recursive_forecast_by_hand():
    predict = lambda w: w[:, -1] + w[:, 0]                          # noqa: E731
    out = forecast.recursive_forecast(predict, np.array([[1.0, 2.0, 3.0]]), 3)
    # windows: [1,2,3] -> 4; [2,3,4] -> 6; [3,4,6] -> 9
    np.testing.assert_array_equal(out, [[4.0, 6.0, 9.0]])
    windows = np.array([[1.0, 2.0, 3.0]])
    forecast.recursive_forecast(lambda w: w.sum(axis=1), windows, 2)
    np.testing.assert_array_equal(windows, [[1.0, 2.0, 3.0]])      # the input is not modified
    with pytest.raises(ValueError, match="returned 2 values"):
        forecast.recursive_forecast(lambda w: np.zeros(2), windows, 2)
    with pytest.raises(TypeError):
        forecast.recursive_forecast(None, windows, 2)


def test_one_step_recursive_equals_window_forecast(split):
    ar = forecast.fit_linear_ar(*data.sliding_windows(split.part("train"), 9))
    X, Y = forecast.horizon_windows(split, "val", 1)
    np.testing.assert_allclose(forecast.recursive_forecast(ar, X, 1)[:, 0], split.forecast(ar, "val"))


def test_direct_linear_equals_one_fit_per_horizon(split):
    X, Y = forecast.horizon_windows(split, "train", 4)
    direct = forecast.fit_linear_direct(X, Y)
    for h in range(4):
        one = forecast.fit_linear_ar(X, Y[:, h])
        np.testing.assert_allclose(direct(X)[:, h], one(X), rtol=1e-8, atol=1e-8)
    with pytest.raises(ValueError):
        forecast.fit_linear_direct(X, Y[:-1])
    with pytest.raises(ValueError):
        direct(X[:, :3])


def test_horizon_mase_and_naive(split):
    X, Y = forecast.horizon_windows(split, "test", 5)
    train = split.part("train")
    naive = forecast.horizon_naive(split, "test", 5)
    per_h = forecast.horizon_mase(Y, naive, train)
    assert per_h.shape == (5,)
    assert per_h[0] == pytest.approx(forecast.mase(Y[:, 0], X[:, -1], train))
    seasonal = forecast.horizon_naive(split, "test", 5, period=11)
    t0 = split.test_start
    np.testing.assert_array_equal(seasonal[0], split.values[t0 - 11:t0 - 6])
    with pytest.raises(ValueError, match="period"):
        forecast.horizon_naive(split, "test", 5, period=3)
    with pytest.raises(ValueError, match="same shape"):
        forecast.horizon_mase(Y, naive[:, :4], train)


def test_scaled_predictor_inverts_the_scaling():
    class Identity:
        def __call__(self, z):
            return z[:, -2:, 0]                                     # two "outputs": the last two scaled inputs
    predict = forecast.scaled_predictor(Identity(), 10.0, 2.0)
    np.testing.assert_allclose(predict(np.array([[1.0, 3.0, 5.0]])), [[3.0, 5.0]], rtol=1e-6)
    with pytest.raises(ValueError):
        forecast.scaled_predictor(Identity(), 0.0, 0.0)


# --------------------------------------------------------------------------- plots
def test_chapter7_figures():
    import matplotlib.pyplot as plt

    m = np.random.default_rng(0).random((10, 4)) > 0.3
    fig = plots.dropout_masks({"a": m, "b": ~m}, title="masks")
    assert len(fig.axes) == 2 and fig.axes[0].get_xlabel() == "time step t"
    fig2 = plots.error_by_horizon({"one": np.arange(3.0), "seeds": np.ones((3, 3))}, title="t")
    assert fig2.axes[0].get_xlabel().startswith("forecast horizon")
    fig3 = plots.time_against_length({"x": {10: 0.001, 100: 0.01}}, title="t")
    assert fig3.axes[0].get_xscale() == "log"
    fig4 = plots.early_stopping_curves([[3.0, 2.0, 2.5, 2.6], [1.0, 0.5]], [(4, 2), (2, 2)], title="t",
                                       labels=["seed 0", "seed 1"])
    assert fig4.axes[0].get_yscale() == "log" and len(fig4.axes[0].lines) == 8
    plt.close("all")
    with pytest.raises(ValueError, match="one label per curve"):
        plots.early_stopping_curves([[1.0, 2.0]], [(2, 1)], title="t", labels=["a", "b"])
    with pytest.raises(ValueError, match="best_epoch"):
        plots.early_stopping_curves([[1.0, 2.0]], [(3, 1)], title="t")
    with pytest.raises(ValueError):
        plots.dropout_masks({}, title="t")
    with pytest.raises(ValueError):
        plots.dropout_masks({"a": np.ones(3)}, title="t")
    with pytest.raises(ValueError):
        plots.error_by_horizon({"a": np.ones(3), "b": np.ones(4)}, title="t")
    with pytest.raises(ValueError):
        plots.time_against_length({}, title="t")


# --------------------------------------------------------------------------- forecast intervals
def test_sample_and_residual_intervals_by_hand():
    draws = np.arange(101, dtype=float)[:, None] * np.array([1.0, 2.0])      # [101 draws, 2 forecasts]
    lo, hi = forecast.sample_interval(draws, 0.9)
    np.testing.assert_allclose(lo, [5.0, 10.0])
    np.testing.assert_allclose(hi, [95.0, 190.0])
    # 19 residuals -5..13, level 0.8: k = floor(20 * 0.2 / 2) = 2, the 2nd smallest and the 2nd largest
    lo, hi = forecast.residual_interval([10.0, 20.0], np.arange(-5.0, 14.0), 0.8)
    np.testing.assert_allclose(lo, [6.0, 16.0])
    np.testing.assert_allclose(hi, [22.0, 32.0])
    with pytest.raises(ValueError, match="too few"):
        forecast.residual_interval([1.0], np.zeros(10), 0.9)
    s = forecast.interval_scores([1.0, 5.0, 9.0, 3.0], [0.0, 0.0, 0.0, 3.0], [2.0, 4.0, 10.0, 3.0])
    assert s == {"coverage": 0.75, "width": 4.0}


def test_residual_interval_covers_its_level_on_exchangeable_errors():
    rng = np.random.default_rng(0)
    lo, hi = forecast.residual_interval(np.zeros(20000), rng.normal(size=2000), 0.9)
    assert abs(forecast.interval_scores(rng.normal(size=20000), lo, hi)["coverage"] - 0.9) < 0.02


@pytest.mark.parametrize("call, err", [
    (lambda: forecast.sample_interval(np.zeros((5, 2)), 1.0), "strictly between 0 and 1"),
    (lambda: forecast.sample_interval(np.zeros(5), 0.9), "draws, m"),
    (lambda: forecast.residual_interval(np.zeros(3), np.zeros(4), True), "strictly between 0 and 1"),
    (lambda: forecast.interval_scores([1.0, 2.0], [0.0], [3.0]), "one shape"),
    (lambda: forecast.interval_scores([1.0], [2.0], [0.0]), "lo must be <= its hi"),
])
def test_intervals_validate(call, err):
    with pytest.raises(ValueError, match=err):
        call()


def test_mc_dropout_draws_differ_and_a_plain_model_is_deterministic():
    keras.utils.set_random_seed(0)
    noisy = models.regularised_model("lstm", 8, steps=9, features=1, output_dropout=0.5)
    plain = models.regularised_model("lstm", 8, steps=9, features=1)
    x = np.random.default_rng(0).normal(size=(4, 9, 1))
    draws = forecast.mc_dropout_samples(noisy, x, samples=50)
    assert draws.shape == (50, 4) and draws.std(axis=0).min() > 0
    # without dropout every draw is the plain prediction
    flat = forecast.mc_dropout_samples(plain, x, samples=3)
    np.testing.assert_allclose(flat, np.repeat(np.asarray(plain(x)).T, 3, axis=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="steps, features"):
        forecast.mc_dropout_samples(noisy, x[..., 0])
    with pytest.raises(ValueError, match="one output per input"):
        forecast.mc_dropout_samples(models.regularised_model("lstm", 8, steps=9, features=1, outputs=2), x)


def test_dropout_intervals_on_the_sunspot_split(split):
    keras.utils.set_random_seed(0)
    model = models.regularised_model("lstm", 8, steps=9, features=1, output_dropout=0.3)
    out = forecast.dropout_intervals(model, split, "val", samples=20)
    assert list(out) == ["MC dropout", "MC dropout + noise", "validation residuals"]
    for lo, hi in out.values():
        assert lo.shape == hi.shape == (40,) and (lo <= hi).all()
    # on the part its residuals come from, the conformal interval covers about its level
    lo, hi = out["validation residuals"]
    assert forecast.interval_scores(split.part("val"), lo, hi)["coverage"] >= 0.85
    with pytest.raises(ValueError, match="part"):
        forecast.dropout_intervals(model, split, "train")
