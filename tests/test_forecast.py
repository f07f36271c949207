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
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        forecast.mae(y, p[:2])
    table = forecast.score_table(y, {"worse": p, "perfect": y}, train=[0.0, 1.0, 2.0])
    assert table.splitlines()[1].startswith("perfect")
    with pytest.raises(TypeError, match="non-empty dict"):
        forecast.score_table(y, {}, train=[0.0, 1.0])
