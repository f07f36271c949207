"""Forecasting baselines and scores, shared by every chapter that forecasts a series.

All forecasts here are *one step ahead* over a held-out tail: the value at time
``t`` is predicted from the true values before ``t`` only.  A model earns its
place only if it beats :func:`naive_forecast` and :func:`seasonal_naive_forecast`
on the same tail.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._series import mae, mase, rmse, series_and_start, window_forecast
from ._validate import as_array, check_choice, check_int, check_positive_int, check_str, type_name
from .data import SeriesSplits

__all__ = [
    "naive_forecast",
    "seasonal_naive_forecast",
    "window_forecast",
    "fit_linear_ar",
    "arima_forecast",
    "mae",
    "rmse",
    "mase",
    "score_table",
    # multi-step forecasts (chapter 7)
    "horizon_windows",
    "recursive_forecast",
    "fit_linear_direct",
    "horizon_mase",
    "scaled_predictor",
    "horizon_naive",
    # forecast intervals
    "mc_dropout_samples",
    "sample_interval",
    "residual_interval",
    "interval_scores",
    "dropout_intervals",
]


def naive_forecast(series, start: int) -> np.ndarray:
    """Predict each value of ``series[start:]`` by the value just before it."""
    s = series_and_start(series, start, 1)
    return s[start - 1:-1].copy()


def seasonal_naive_forecast(series, start: int, period: int) -> np.ndarray:
    """Predict each value of ``series[start:]`` by the value one ``period`` earlier."""
    period = check_int("period", period, minimum=1)
    s = series_and_start(series, start, period)
    return s[start - period:len(s) - period].copy()


def _least_squares(X: np.ndarray, Y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Fit ``Y ≈ X @ w + b`` by least squares (``Y`` one or several columns); return the checked predictor."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)

    def predict(windows):
        W = as_array("windows", windows, ndim=2, shape_desc=f"(m, {X.shape[1]})")
        if W.shape[1] != X.shape[1]:
            raise ValueError(f"windows must have shape (m, {X.shape[1]}), got {W.shape}")
        return W @ coef[:-1] + coef[-1]

    predict.coef = coef  # type: ignore[attr-defined]
    return predict


def fit_linear_ar(X, y) -> Callable[[np.ndarray], np.ndarray]:
    """Least-squares linear autoregression ``y ≈ X @ w + b`` on windows; returns its predict function."""
    X = as_array("X", X, ndim=2, shape_desc="(samples, window)")
    y = as_array("y", y).reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must hold one target per window: expected {X.shape[0]} values, got {y.shape[0]}")
    return _least_squares(X, y)


def arima_forecast(series, start: int, order=(1, 0, 0), seasonal_order=(0, 0, 0, 0), trend=None):
    """Fit a statsmodels ARIMA on ``series[:start]``, then forecast ``series[start:]`` one step ahead.

    The parameters are estimated on the training head only; ``results.apply``
    then runs the same model over the whole series, so every forecast uses the
    true past but no parameter ever sees the test tail.

    Returns
    -------
    predictions : ndarray, shape (len(series) - start,)
    results : the fitted statsmodels results object (on the head)
    """
    import warnings

    from statsmodels.tsa.arima.model import ARIMA

    s = series_and_start(series, start, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ARIMA(s[:start], order=order, seasonal_order=seasonal_order, trend=trend).fit()
        full = res.apply(s)
        pred = full.get_prediction(start=start).predicted_mean
    return np.asarray(pred, dtype=float), res


def score_table(y_true, forecasts: Mapping[str, np.ndarray], train, period: int = 1) -> str:
    """A fixed-width table of MAE, RMSE and MASE for each named forecast, best MAE first."""
    if not isinstance(forecasts, Mapping):
        raise TypeError(f"forecasts must be a non-empty dict of name -> predictions; got {type_name(forecasts)}")
    if not forecasts:
        raise ValueError("forecasts must be a non-empty dict of name -> predictions; got an empty dict")
    for name in forecasts:
        check_str("forecast name", name)
    rows = [(name, mae(y_true, p), rmse(y_true, p), mase(y_true, p, train, period)) for name, p in forecasts.items()]
    rows.sort(key=lambda r: r[1])
    width = max(len(r[0]) for r in rows)
    lines = [f"{'model':<{width}}  {'MAE':>8}  {'RMSE':>8}  {'MASE':>6}"]
    lines += [f"{n:<{width}}  {m:8.2f}  {r:8.2f}  {s:6.3f}" for n, m, r, s in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------- multi-step forecasts (chapter 7)
def horizon_windows(split, part: str, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw (window, next ``horizon`` values) pairs of a :class:`rnnbook.data.SeriesSplits` part.

    A forecast origin t is the first year to predict: the input is the
    ``split.window`` values before t (they may reach back into earlier parts:
    they are the past) and the target is ``values[t : t + horizon]``, every
    one of them inside ``part``.

    Returns
    -------
    X : ndarray, shape [m, window]
    Y : ndarray, shape [m, horizon]
        In the series' units; row i starts at origin ``max(lo, window) + i``.

    Raises
    ------
    TypeError
        If ``split`` is not a SeriesSplits or ``horizon`` is not an int.
    ValueError
        If ``part`` is unknown, or too short for one window and ``horizon`` targets.
    """
    if not isinstance(split, SeriesSplits):
        raise TypeError(f"split must be a rnnbook.data.SeriesSplits, e.g. data.sunspot_splits(); "
                        f"got {type_name(split)}")
    horizon = check_int("horizon", horizon, minimum=1)
    lo, hi = {"train": (0, split.val_start), "val": (split.val_start, split.test_start),
              "test": (split.test_start, len(split.values))}[check_choice("part", part, ("train", "val", "test"))]
    origins = np.arange(max(lo, split.window), hi - horizon + 1)
    if origins.size == 0:
        raise ValueError(f"the {part} part (indices {lo} to {hi}) is too short for a window of {split.window} "
                         f"and {horizon} targets")
    X = split.values[origins[:, None] - split.window + np.arange(split.window)]
    Y = split.values[origins[:, None] + np.arange(horizon)]
    return X.astype(float), Y.astype(float)


def recursive_forecast(
    predict_one: Callable[[np.ndarray], np.ndarray], windows, horizon: int
) -> np.ndarray:
    """Multi-step forecasts by feeding a one-step model its own predictions.

    Step h predicts from the last ``window`` values known so far, the newest
    ``h - 1`` of which are predictions: the window slides one step and the
    prediction is appended at the end.

    Parameters
    ----------
    predict_one : callable
        Maps windows [m, window] to the next value, [m] (or [m, 1]).
    windows : array_like, shape [m, window]
        The true past of each origin, oldest value first.
    horizon : int
        Steps to forecast.

    Returns
    -------
    ndarray, shape [m, horizon]

    Raises
    ------
    TypeError
        If ``predict_one`` is not callable or ``horizon`` is not an int.
    ValueError
        If ``windows`` is not 2-D or ``predict_one`` returns the wrong number of values.
    """
    if not callable(predict_one):
        raise TypeError(
            "predict_one must be a function of an array of windows; "
            f"got {type_name(predict_one)}"
        )
    w = as_array("windows", windows, ndim=2, shape_desc="[m, window]").copy()
    horizon = check_int("horizon", horizon, minimum=1)
    out = np.empty((w.shape[0], horizon))
    for h in range(horizon):
        step = np.asarray(predict_one(w), dtype=float).reshape(-1)
        if step.shape[0] != w.shape[0]:
            raise ValueError(
                f"predict_one returned {step.shape[0]} values "
                f"for {w.shape[0]} windows"
            )
        out[:, h] = step
        # slide: drop the oldest, append the prediction
        w = np.concatenate([w[:, 1:], step[:, None]], axis=1)
    return out


def fit_linear_direct(X, Y) -> Callable[[np.ndarray], np.ndarray]:
    """Least-squares linear models ``Y[:, h] ≈ X @ w_h + b_h``, one per horizon h, fitted together.

    The direct strategy with a linear model: each horizon has its own
    weights, and since least squares separates over the columns of ``Y`` the
    one multi-output fit equals ``horizon`` separate fits.  Returns a
    predictor of windows [m, window] -> [m, horizon].
    """
    X = as_array("X", X, ndim=2, shape_desc="[samples, window]")
    Y = as_array("Y", Y, ndim=2, shape_desc="[samples, horizon]")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y must hold one row per window: expected {X.shape[0]} rows, got {Y.shape[0]}")
    return _least_squares(X, Y)             # coef: [window + 1, horizon]


def horizon_mase(Y_true, Y_pred, train) -> np.ndarray:
    """MASE at each horizon: column h of the forecasts against column h of the truth, shape [horizon].

    Every column is scaled by the same number, the in-sample MAE of the
    one-step naive forecast on ``train``, so the columns compare directly.
    """
    a = as_array("Y_true", Y_true, ndim=2, shape_desc="[m, horizon]")
    b = as_array("Y_pred", Y_pred, ndim=2, shape_desc="[m, horizon]")
    if a.shape != b.shape:
        raise ValueError(f"Y_true and Y_pred must have the same shape [m, horizon]; got {a.shape} and {b.shape}")
    return np.array([mase(a[:, h], b[:, h], train) for h in range(a.shape[1])])


def scaled_predictor(model, mean: float, std: float) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a Keras model trained on scaled windows [m, window, 1] as a predictor of raw windows [m, window].

    Returns ``predict(windows)`` -> the model's outputs in the series' units,
    shape [m, outputs] (one column for a one-step model).
    """
    mean, std = float(mean), float(std)
    if not std > 0:
        raise ValueError(f"std must be > 0; got {std}")

    def predict(windows):
        W = as_array("windows", windows, ndim=2, shape_desc="[m, window]")
        z = ((W - mean) / std)[..., None].astype(np.float32)             # [m, window, 1]
        out = np.asarray(model(z), dtype=float)
        return out.reshape(out.shape[0], -1) * std + mean

    return predict


def horizon_naive(split, part: str, horizon: int, period: int = 1) -> np.ndarray:
    """The naive multi-step forecasts of :func:`horizon_windows`' targets, shape [m, horizon].

    With ``period=1`` every horizon gets the last known value (persistence);
    with ``period=p >= horizon``, the target ``y[t + h]`` gets ``y[t + h - p]``,
    the value one season earlier, which is known at the origin t.

    Raises
    ------
    ValueError
        If ``period`` is neither 1 nor at least ``horizon``, or the part is too short.
    """
    horizon = check_int("horizon", horizon, minimum=1)
    period = check_int("period", period, minimum=1)
    if period != 1 and period < horizon:
        raise ValueError(f"period must be 1 (persistence) or >= horizon={horizon}, so that every value used is "
                         f"known at the origin; got {period}")
    X, Y = horizon_windows(split, part, horizon)
    if period == 1:
        return np.repeat(X[:, -1:], horizon, axis=1)
    lo = {"train": 0, "val": split.val_start, "test": split.test_start}[part]
    origins = np.arange(max(lo, split.window), max(lo, split.window) + len(X))
    if origins.min() - period < 0:
        raise ValueError(f"the first origin of the {part} part has fewer than period={period} values before it")
    return split.values[origins[:, None] + np.arange(horizon) - period].astype(float)


# --------------------------------------------------------------------------- forecast intervals
def _check_level(level) -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be a probability strictly between 0 and 1, such as 0.9; got {level!r}")
    return float(level)


def mc_dropout_samples(model, x, *, samples: int = 200) -> np.ndarray:
    """Forecasts with dropout left on at prediction time (Gal & Ghahramani 2016): one row per draw.

    Every one of the ``samples`` copies of each input gets its own dropout
    masks (Keras draws them per sequence), in one batched call
    ``model(x_tiled, training=True)``.  The draws come from the layers' own
    seed generators, so they repeat when the notebook runs again.

    Parameters
    ----------
    model : keras.Model
        A trained model with dropout (``dropout``, ``recurrent_dropout`` or a ``Dropout`` layer).
    x : array_like, shape [m, steps, features]
        The inputs, as the model reads them.
    samples : int
        Draws per input.

    Returns
    -------
    ndarray, shape [samples, m]
        The model's (single) output for each draw and input, in the model's units.

    Raises
    ------
    ValueError
        If ``x`` is not [m, steps, features], ``samples`` < 1, or the model has more than one output per input.
    """
    X = as_array("x", x, ndim=3, shape_desc="[m, steps, features]").astype(np.float32)
    samples = check_positive_int("samples", samples)
    tiled = np.broadcast_to(X, (samples, *X.shape)).reshape(-1, *X.shape[1:])
    out = np.asarray(model(tiled, training=True), dtype=float)
    if out.size != tiled.shape[0]:
        raise ValueError(f"the model must give one output per input; got output shape {out.shape}")
    return out.reshape(samples, X.shape[0])


def sample_interval(samples, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """The central ``level`` interval of each column of ``samples`` [draws, m]: its two empirical quantiles."""
    S = as_array("samples", samples, ndim=2, shape_desc="[draws, m]")
    level = _check_level(level)
    lo, hi = np.quantile(S, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return lo, hi


def residual_interval(point, val_residuals, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Intervals from held-out errors (split conformal): ``point`` plus order statistics of the residuals.

    ``val_residuals`` are ``truth - forecast`` on n held-out values the model
    was not fitted on.  The bounds are the k-th smallest and the k-th largest
    residual with k = floor((n + 1) (1 - level) / 2), the finite-sample rule of
    split conformal prediction (Lei et al. 2018): if the test errors and the
    held-out errors are exchangeable, at least ``level`` of the test values fall
    inside on average.  A time series is not exchangeable, so on a series this
    is a baseline to check, not a guarantee.

    Raises
    ------
    ValueError
        If ``level`` is not in (0, 1), or there are too few residuals for it
        (k = 0: (n + 1) (1 - level) / 2 < 1).
    """
    P = as_array("point", point, ndim=1, shape_desc="[m]")
    R = np.sort(as_array("val_residuals", val_residuals, ndim=1, shape_desc="[n]"))
    level = _check_level(level)
    k = int(np.floor((len(R) + 1) * (1 - level) / 2 + 1e-9))   # 1e-9: 1 - 0.8 is 0.19999...
    if k < 1:
        raise ValueError(f"{len(R)} residuals are too few for a {level:.0%} interval; "
                         f"need at least {int(np.ceil(2 / (1 - level))) - 1}")
    return P + R[k - 1], P + R[len(R) - k]


def interval_scores(y_true, lo, hi) -> dict[str, float]:
    """Coverage (share of ``y_true`` inside [lo, hi]) and mean width of forecast intervals.

    Raises
    ------
    ValueError
        If the three arrays differ in shape or some ``lo > hi``.
    """
    y = as_array("y_true", y_true, ndim=1, shape_desc="[m]")
    lo = as_array("lo", lo, ndim=1, shape_desc="[m]")
    hi = as_array("hi", hi, ndim=1, shape_desc="[m]")
    if not y.shape == lo.shape == hi.shape:
        raise ValueError(f"y_true, lo and hi must have one shape; got {y.shape}, {lo.shape}, {hi.shape}")
    if (lo > hi).any():
        raise ValueError(f"every lo must be <= its hi; {int((lo > hi).sum())} are not")
    return {"coverage": float(((y >= lo) & (y <= hi)).mean()), "width": float((hi - lo).mean())}


def dropout_intervals(
    model, split, part: str = "test", *, level: float = 0.9, samples: int = 200
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Three ``level`` intervals for the one-step forecasts of ``part``, from a model trained with dropout.

    * ``"MC dropout"``: the central quantiles of ``samples`` forecasts with
      dropout on (:func:`mc_dropout_samples`): the model's own uncertainty only.
    * ``"MC dropout + noise"``: Gal and Ghahramani's predictive distribution,
      the draws' mean and variance plus the noise variance of the series, which
      is estimated on the validation part (mean squared error of the draws'
      mean, less their mean variance); a normal interval.
    * ``"validation residuals"``: the baseline (split conformal): the model's
      plain forecast plus order statistics of its validation errors (:func:`residual_interval`).

    Parameters
    ----------
    model : keras.Model
        Trained on ``split.windows("train")`` (scaled windows).
    split : rnnbook.data.SeriesSplits
        The series and its parts.
    part : {"val", "test"}
        Where the intervals are made.
    level : float
        Nominal coverage, e.g. 0.9.
    samples : int
        Dropout draws per forecast.

    Returns
    -------
    dict of str to (lo, hi)
        Interval bounds in the series' units, each of shape [m] (the targets of ``split.windows(part)``).
    """
    from scipy.stats import norm

    part = check_choice("part", part, ("val", "test"))
    level = _check_level(level)
    # (series units)
    raw = lambda z: np.asarray(z, dtype=float) * split.std + split.mean  # noqa: E731
    (x_val, y_val), (x, _) = split.windows("val"), split.windows(part)
    val_draws, draws = (raw(mc_dropout_samples(model, w, samples=samples))
                        for w in (x_val, x))
    val_truth, centre = raw(y_val), draws.mean(axis=0)
    noise = max(float(np.mean((val_truth - val_draws.mean(axis=0)) ** 2)
                      - val_draws.var(axis=0).mean()), 0.0)
    spread = norm.ppf((1 + level) / 2) * np.sqrt(draws.var(axis=0) + noise)
    point, val_point = raw(model(x)).reshape(-1), raw(model(x_val)).reshape(-1)
    return {"MC dropout": sample_interval(draws, level),
            "MC dropout + noise": (centre - spread, centre + spread),
            "validation residuals": residual_interval(point, val_truth - val_point,
                                                      level)}
