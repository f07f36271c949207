import numpy as np
import pytest

from rnnbook import data, forecast


def test_naive_and_seasonal_naive():
    s = np.arange(10.0) ** 2
    np.testing.assert_array_equal(forecast.naive_forecast(s, 7), s[6:9])
    np.testing.assert_array_equal(forecast.seasonal_naive_forecast(s, 7, 3), s[4:7])
    with pytest.raises(ValueError, match=r"start must be in \[3, 10\)"):
        forecast.seasonal_naive_forecast(s, 2, 3)
    with pytest.raises(ValueError, match="period must be an int >= 1"):
        forecast.seasonal_naive_forecast(s, 5, 0)


def test_linear_ar_recovers_an_exact_recurrence():
    s = np.zeros(60)
    s[:2] = [1.0, 0.5]
    for t in range(2, 60):
        s[t] = 0.6 * s[t - 1] - 0.3 * s[t - 2] + 2.0
    X, y = data.sliding_windows(s[:40], 2)
    predict = forecast.fit_linear_ar(X, y)
    np.testing.assert_allclose(predict.coef, [-0.3, 0.6, 2.0], atol=1e-8)
    np.testing.assert_allclose(forecast.window_forecast(predict, s, 40, 2), s[40:], atol=1e-8)
    with pytest.raises(ValueError, match=r"windows must have shape \(m, 2\), got \(1, 3\)"):
        predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="one target per window: expected 38 values, got 3"):
        forecast.fit_linear_ar(X, y[:3])


def test_arima_random_walk_equals_naive():
    rng = np.random.default_rng(0)
    s = rng.normal(size=80).cumsum()
    pred, _ = forecast.arima_forecast(s, 60, order=(0, 1, 0))
    np.testing.assert_allclose(pred, forecast.naive_forecast(s, 60), atol=1e-8)


def test_metrics():
    y, p = np.array([1.0, 2.0, 3.0]), np.array([1.0, 4.0, 3.0])
    assert forecast.mae(y, p) == pytest.approx(2 / 3)
    assert forecast.rmse(y, p) == pytest.approx(np.sqrt(4 / 3))
    assert forecast.mase(y, p, train=[0.0, 1.0, 2.0]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"same shape; got shapes \(3,\) and \(2,\)"):
        forecast.mae(y, p[:2])
    table = forecast.score_table(y, {"worse": p, "perfect": y}, train=[0.0, 1.0, 2.0])
    assert table.splitlines()[1].startswith("perfect")
    with pytest.raises(ValueError, match="non-empty dict.*got an empty dict"):
        forecast.score_table(y, {}, train=[0.0, 1.0])
    with pytest.raises(TypeError, match="non-empty dict of name -> predictions; got list"):
        forecast.score_table(y, [p], train=[0.0, 1.0])
    with pytest.raises(TypeError, match="forecast name must be a str; got int 3"):
        forecast.score_table(y, {3: p}, train=[0.0, 1.0, 2.0])


# --------------------------------------------------------------------------- argument checks
@pytest.mark.parametrize("period, err, match", [
    (0, ValueError, "period must be an int >= 1; got 0"),
    (-2, ValueError, "period must be an int >= 1; got -2"),
    (1.0, TypeError, "period must be an int; got float 1.0"),
    (True, TypeError, "period must be an int; got bool True"),
])
def test_mase_rejects_a_bad_period(period, err, match):
    y = np.array([1.0, 2.0, 3.0])
    with pytest.raises(err, match=match):
        forecast.mase(y, y + 1, train=[0.0, 1.0, 3.0, 2.0], period=period)


def test_mase_accepts_numpy_ints():
    y, p, train = np.array([1.0, 2.0, 3.0]), np.array([1.0, 4.0, 3.0]), np.array([0.0, 1.0, 3.0, 2.0, 5.0])
    assert forecast.mase(y, p, train, period=np.int64(2)) == forecast.mase(y, p, train, period=2)


@pytest.mark.parametrize("train, period, kind", [([4.0] * 6, 1, "constant series"),
                                                  ([1.0, 2.0] * 4, 2, "constant or exactly 2-periodic series")])
def test_mase_of_a_train_series_the_naive_forecast_fits_exactly_is_a_value_error(train, period, kind):
    y = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=f"MASE is undefined.*in-sample MAE of 0.0, as for a {kind}"):
        forecast.mase(y, y + 1, train, period=period)


def test_mase_rejects_a_non_finite_train_series():
    with pytest.raises(ValueError, match="train must hold finite numbers; got nan at index 2"):
        forecast.mase([1.0], [2.0], [0.0, 1.0, np.nan, 3.0])


@pytest.mark.parametrize("metric", [forecast.mae, forecast.rmse,
                                    lambda a, b: forecast.mase(a, b, train=[0.0, 1.0, 3.0])])
def test_metrics_require_equal_shapes_not_only_equal_sizes(metric):
    a = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match=r"same shape; got shapes \(2, 3\) and \(3, 2\)"):
        metric(a, a.T)
    with pytest.raises(ValueError, match=r"same shape; got shapes \(3,\) and \(3, 1\)"):
        metric(a[0], a[0][:, None])
    with pytest.raises(ValueError, match=r"at least one value; got shape \(0,\)"):
        metric([], [])
    assert metric(a, a + 1) == metric(a.ravel(), a.ravel() + 1)  # equal shapes of any rank are fine


def test_start_and_window_checks():
    s = np.arange(10.0)
    np.testing.assert_array_equal(forecast.naive_forecast(s, np.int64(7)), forecast.naive_forecast(s, 7))
    with pytest.raises(TypeError, match="start must be an int; got float 7.0"):
        forecast.naive_forecast(s, 7.0)
    with pytest.raises(TypeError, match="predict must be a function.*got str"):
        forecast.window_forecast("linear", s, 7, 2)
    with pytest.raises(ValueError, match="window must be an int >= 1; got 0"):
        forecast.window_forecast(lambda X: X[:, -1], s, 7, 0)
    np.testing.assert_array_equal(forecast.window_forecast(lambda X: X[:, -1], s, 7, np.int64(2)), s[6:9])
