"""One-step forecasting of a 1-D series: windows, window forecasts and point scores.

The private core that :mod:`rnnbook.data` and :mod:`rnnbook.forecast` share, so
that neither module imports the other: ``data.SeriesSplits.forecast`` and
``data.SeriesSplits.mase`` need :func:`window_forecast` and :func:`mase`, which
need :func:`sliding_windows`.  Import the public names from their public
modules: ``rnnbook.data.sliding_windows``; ``rnnbook.forecast.window_forecast``,
``mae``, ``rmse`` and ``mase``.  :func:`series_and_start` is the package-internal
argument check of ``forecast``'s one-step baselines.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validate import as_array, check_int, type_name

__all__ = ["sliding_windows", "series_and_start", "window_forecast", "mae", "rmse", "mase"]


def sliding_windows(
    series, window: int, horizon: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a 1-D series into (input window, target) pairs.

    ``X[i] = series[i : i + window]`` and ``y[i] = series[i + window : i + window + horizon]``.

    Parameters
    ----------
    series : array_like, shape (n,)
        The series, oldest value first.
    window : int
        How many past values each input holds (>= 1).
    horizon : int
        How many future values each target holds (>= 1).

    Returns
    -------
    X : ndarray, shape (n - window - horizon + 1, window)
    y : ndarray, shape (n - window - horizon + 1, horizon)

    Raises
    ------
    ValueError
        If the series is not 1-D, or shorter than ``window + horizon``.
    TypeError
        If ``window`` or ``horizon`` is not an int.

    Examples
    --------
    >>> X, y = sliding_windows([1, 2, 3, 4, 5], window=3)
    >>> X.tolist(), y.tolist()
    ([[1, 2, 3], [2, 3, 4]], [[4], [5]])
    """
    s, window, horizon = _check_windows(series, window, horizon)
    count = len(s) - window - horizon + 1  # the number of (window, target) pairs
    start = np.arange(count)[:, None]  # row k starts at s[k]
    X = s[start + np.arange(window)]  # s[k], ..., s[k + window - 1]
    y = s[start + window + np.arange(horizon)]  # the next `horizon` values
    return X, y


def _check_windows(series, window, horizon) -> tuple[np.ndarray, int, int]:
    """The checked arguments of :func:`sliding_windows`."""
    window = check_int("window", window, minimum=1)
    horizon = check_int("horizon", horizon, minimum=1)
    s = as_array("series", series, ndim=1, shape_desc="(n,)", dtype=None)
    if len(s) < window + horizon:
        raise ValueError(
            f"series has {len(s)} values, but window={window} plus horizon={horizon} "
            f"needs at least {window + horizon}"
        )
    return s, window, horizon


def series_and_start(series, start: int, need: int) -> np.ndarray:
    """``series`` as a checked 1-D array, after checking that ``need <= start < len(series)``."""
    s = as_array("series", series, ndim=1, shape_desc="(n,)")
    start = check_int("start", start)
    if not need <= start < s.shape[0]:
        raise ValueError(f"start must be in [{need}, {s.shape[0]}) for a series of length {s.shape[0]}, got {start}")
    return s


def window_forecast(predict: Callable[[np.ndarray], np.ndarray], series, start: int, window: int) -> np.ndarray:
    """One-step forecasts of ``series[start:]`` by a model of the last ``window`` values.

    ``predict`` maps an array of windows, shape ``(m, window)``, to ``m`` predictions.
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function of an array of windows; got {type_name(predict)}")
    window = check_int("window", window, minimum=1)
    s = series_and_start(series, start, window)
    X, _ = sliding_windows(s[start - window:], window)
    out = np.asarray(predict(X), dtype=float).reshape(-1)
    if out.shape[0] != X.shape[0]:
        raise ValueError(f"predict returned {out.shape[0]} values for {X.shape[0]} windows")
    return out


def _pair(y_true, y_pred):
    """The two arrays, flattened, after checking that they have the same (non-empty) shape.

    Equal shapes are required, not only equal sizes: a ``(2, 3)`` forecast
    scored against a ``(3, 2)`` truth pairs the wrong values.
    """
    a = as_array("y_true", y_true)
    b = as_array("y_pred", y_pred)
    if a.shape != b.shape:
        raise ValueError(f"y_true and y_pred must have the same shape; got shapes {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError(f"y_true and y_pred must hold at least one value; got shape {a.shape}")
    return a.reshape(-1), b.reshape(-1)


def mae(y_true, y_pred) -> float:
    """Mean absolute error.

    Raises
    ------
    TypeError
        If either argument is not an array of numbers.
    ValueError
        If their shapes differ, or they are empty.
    """
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error.

    Raises
    ------
    TypeError, ValueError
        As :func:`mae`.
    """
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mase(y_true, y_pred, train, period: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler, 2006).

    The MAE divided by the in-sample MAE of the (seasonal) naive forecast on
    ``train``; below 1 means better than that naive forecast did in training.

    Raises
    ------
    TypeError
        If ``period`` is not an int, or an array argument does not hold numbers.
    ValueError
        If ``period`` < 1, ``train`` has at most ``period`` values, the shapes
        of ``y_true`` and ``y_pred`` differ, or the naive in-sample error is
        zero (``train`` repeats itself every ``period`` steps, e.g. a
        constant series), which leaves MASE undefined.
    """
    period = check_int("period", period, minimum=1)
    t = as_array("train", train, ndim=1, shape_desc="(n,)")
    if t.shape[0] <= period:
        raise ValueError(f"train needs more than period={period} values, got {t.shape[0]}")
    finite = np.isfinite(t)
    if not finite.all():
        raise ValueError(f"train must hold finite numbers; got {t[~finite][0]} at index {int(np.argmin(finite))}")
    scale = np.mean(np.abs(t[period:] - t[:-period]))
    if not scale > 0:
        steps = "the value just before" if period == 1 else f"the value {period} steps earlier"
        kind = "constant" if period == 1 else f"constant or exactly {period}-periodic"
        raise ValueError(f"MASE is undefined for this train series: the naive forecast by {steps} has an "
                         f"in-sample MAE of {float(scale)}, as for a {kind} series; score with mae or rmse instead")
    return mae(y_true, y_pred) / float(scale)
