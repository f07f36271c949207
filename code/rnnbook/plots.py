"""The figures the book repeats.  Each function draws one figure and returns it.

Every figure has a title and labelled axes (with units), and uses the book's
colour-blind-safe palette (set by :func:`rnnbook.setup`).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import as_array

__all__ = ["series_split", "forecasts", "digit_as_sequence", "history"]

_LINESTYLES = ["-", "--", ":", "-."]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def series_split(t, y, start: int, *, title: str, xlabel: str, ylabel: str):
    """A series with its held-out tail shaded: training values before ``start``, test values after."""
    t = as_array("t", t, ndim=1, shape_desc="(n,)")
    y = as_array("y", y, ndim=1, shape_desc="(n,)")
    if t.shape != y.shape:
        raise ValueError(f"t and y must have the same shape, got {t.shape} and {y.shape}")
    fig, ax = _plt().subplots()
    ax.plot(t[:start + 1], y[:start + 1], label="training")
    ax.plot(t[start:], y[start:], label="held-out test")
    ax.axvspan(t[start], t[-1], alpha=0.08, color="grey")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="upper left")
    return fig


def forecasts(t, y_true, preds: Mapping[str, np.ndarray], *, title: str, xlabel: str, ylabel: str):
    """The held-out values and each model's one-step forecasts, one line style each."""
    t = as_array("t", t, ndim=1, shape_desc="(n,)")
    y_true = as_array("y_true", y_true, ndim=1, shape_desc="(n,)")
    fig, ax = _plt().subplots(figsize=(7.2, 3.6))
    ax.plot(t, y_true, color="black", lw=2, label="actual")
    for k, (name, p) in enumerate(preds.items()):
        p = as_array(name, p, ndim=1, shape_desc=f"({len(t)},)")
        if p.shape != t.shape:
            raise ValueError(f"forecast {name!r} must have shape {t.shape}, got {p.shape}")
        ax.plot(t, p, ls=_LINESTYLES[k % 4], label=name)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8, ncol=2)
    return fig


def digit_as_sequence(image, label: int):
    """An 8x8 digit beside the same digit read as 8 time steps of 8 features."""
    img = as_array("image", image, ndim=2, shape_desc="(rows, columns)")
    fig, (a1, a2) = _plt().subplots(1, 2, figsize=(7.2, 3.2), gridspec_kw={"width_ratios": [1, 1.6]})
    a1.imshow(img, cmap="Greys")
    a1.set(title=f"a digit {label} (8x8 pixels)", xlabel="column (feature index)", ylabel="row (time step t)")
    a1.grid(False)
    for t, row in enumerate(img):
        a2.plot(np.arange(img.shape[1]), row + 1.1 * (img.shape[0] - 1 - t), marker="o", ms=3)
        a2.text(-0.6, 1.1 * (img.shape[0] - 1 - t), f"t={t}", ha="right", va="bottom", fontsize=8)
    a2.set(title="the same image as a sequence of rows", xlabel="feature index within a step", yticks=[],
           ylabel="time step (top = t=0)")
    a2.set_xlim(-2, img.shape[1])
    fig.tight_layout()
    return fig


def history(histories: Mapping[str, object], metric: str = "loss", *, title: str, ylabel: str | None = None):
    """Training curves: ``metric`` per epoch for each named Keras ``History`` (or dict of lists)."""
    fig, ax = _plt().subplots()
    for name, h in histories.items():
        values = h.history[metric] if hasattr(h, "history") else h[metric]
        ax.plot(np.arange(1, len(values) + 1), values, label=name)
    ax.set(title=title, xlabel="epoch", ylabel=ylabel or metric)
    ax.legend()
    return fig
