"""The figures the book repeats.  Each function draws one figure and returns it.

Every figure has a title and labelled axes (with units), and uses the book's
colour-blind-safe palette (set by :func:`rnnbook.setup`).
"""
from __future__ import annotations

import functools

from collections.abc import Mapping

import numpy as np

from ._validate import as_array, check_positive_int

__all__ = ["series_split", "forecasts", "digit_as_sequence", "history", "unrolled_rnn",
           "gate_heatmaps", "gradient_norms_by_lag", "gradient_norms_grid", "loss_per_update",
           "unrolled_bptt", "tbptt_windows", "dropout_masks", "error_by_horizon",
           "time_against_length", "early_stopping_curves", "attention_heatmaps", "encoder_decoder"]

_LINESTYLES = ["-", "--", ":", "-."]



def _diagram_box(ax, x, y, text, color, w=0.9, h=0.55, text_color="white", *, fontsize=10):
    """A rounded box with centred text, for the network diagrams."""
    import matplotlib.patches as mpatches

    ax.add_patch(mpatches.FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                         facecolor=color, edgecolor="black", lw=1))
    ax.text(x, y, text, ha="center", va="center", color=text_color, fontsize=fontsize)


def _diagram_arrow(ax, x0, y0, x1, y1, *, lw=1.4, **kw):
    """An arrow from (x0, y0) to (x1, y1), for the network diagrams."""
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops=dict(arrowstyle="-|>", lw=lw, color="black", shrinkA=0, shrinkB=0, **kw))

def _plt():
    import matplotlib.pyplot as plt

    return plt


def series_split(t, y, start: int, *, title: str, xlabel: str, ylabel: str, val_start: int | None = None):
    """A series with its held-out tail shaded: training values before ``start``, test values after.

    With ``val_start``, the values from ``val_start`` to ``start`` are drawn as the validation part.
    """
    t = as_array("t", t, ndim=1, shape_desc="(n,)")
    y = as_array("y", y, ndim=1, shape_desc="(n,)")
    if t.shape != y.shape:
        raise ValueError(f"t and y must have the same shape, got {t.shape} and {y.shape}")
    start = check_positive_int("start", start)
    if start >= len(t):
        raise ValueError(f"start must be below the series length {len(t)}; got {start}")
    if val_start is not None:
        val_start = check_positive_int("val_start", val_start)
        if val_start >= start:
            raise ValueError(f"val_start must be below start={start}; got {val_start}")
    fit_end = start if val_start is None else val_start
    fig, ax = _plt().subplots()
    ax.plot(t[:fit_end + 1], y[:fit_end + 1], label="training")
    if val_start is not None:
        ax.plot(t[val_start:start + 1], y[val_start:start + 1], label="validation")
        ax.axvspan(t[val_start], t[start], alpha=0.05, color="grey")
    ax.plot(t[start:], y[start:], label="held-out test")
    ax.axvspan(t[start], t[-1], alpha=0.12, color="grey")
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


def seed_curves(comparison, *, title: str, ylabel: str = "validation loss", baseline: float | None = None,
                skip: tuple[str, ...] = ()):
    """Validation curves of a :class:`rnnbook.benchmark.Comparison`: one colour per model, one line per seed.

    Parameters
    ----------
    comparison : rnnbook.benchmark.Comparison
        Trained with a validation set, so that each result has ``val_curves``.
    title, ylabel : str
        The figure's title and y-axis label (the x-axis is the epoch).
    baseline : float or None
        A horizontal dotted line, e.g. the error of the constant prediction.
    skip : tuple of str
        Names of models to leave out of the figure.

    Raises
    ------
    TypeError
        If ``comparison`` is not a Comparison.
    ValueError
        If a model to draw has no validation curves.
    """
    from . import PALETTE
    from .benchmark import Comparison

    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison must be a rnnbook.benchmark.Comparison; got {type(comparison).__name__}")
    fig, ax = _plt().subplots(figsize=(6.4, 4.6))
    shown = [r for r in comparison.results if r.cell not in skip]
    for k, r in enumerate(shown):
        if not r.val_curves:
            raise ValueError(f"{r.cell!r} has no validation curves: train its Task with x_val and y_val")
        for j, curve in enumerate(r.val_curves):
            ax.plot(np.arange(1, len(curve) + 1), curve, color=PALETTE[k % len(PALETTE)],
                    ls=("-", "--", ":")[j % 3], lw=1.4, label=f"{r.cell}, seed {comparison.seeds[j]}")
    if baseline is not None:
        ax.axhline(baseline, color="black", ls=":", lw=1, label=f"baseline ({baseline:.3g})")
    ax.set(title=title, xlabel="epoch", ylabel=ylabel)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    fig.tight_layout()
    return fig


def unrolled_rnn(steps: int = 4, *, title: str | None = None):
    """A recurrent cell drawn folded (with its loop) and unrolled through ``steps`` time steps.

    Boxes and arrows only: each step's input x_t enters the *same* cell (same
    W, U, b), the cell emits h_t, and h_{t-1} flows from one step to the next.

    Parameters
    ----------
    steps : int
        Number of time steps to unroll, from 1 to 8.
    title : str or None
        The figure's title; a default one names the number of steps.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``steps`` is not an int, or ``title`` is neither a string nor None.
    ValueError
        If ``steps`` is not between 1 and 8.
    """
    steps = check_positive_int("steps", steps)
    if steps > 8:
        raise ValueError(f"steps must be between 1 and 8 (the figure gets unreadable beyond); got {steps}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None; got {type(title).__name__}")

    from . import PALETTE

    plt = _plt()
    fig, ax = plt.subplots(figsize=(1.7 * (steps + 2) + 0.4, 3.4))
    cell_color, in_color, out_color = PALETTE[0], PALETTE[1], PALETTE[2]

    box = functools.partial(_diagram_box, ax, fontsize=10)
    arrow = functools.partial(_diagram_arrow, ax, lw=1.4)

    # folded view: one cell with a loop from its output back to itself
    box(0, 1, "cell\nW, U, b", cell_color)
    box(0, 0, "$x_t$", in_color, w=0.6, h=0.4, text_color="black")
    box(0, 2, "$h_t$", out_color, w=0.6, h=0.4, text_color="black")
    arrow(0, 0.2, 0, 0.68)
    arrow(0, 1.32, 0, 1.8)
    arrow(0.33, 2.0, 0.5, 1.2, connectionstyle="arc3,rad=-0.9")
    # the label sits outside the loop's arc, never on the arrow
    ax.text(0.86, 1.6, "$h_{t-1}$", fontsize=9, ha="left", va="center")

    # unrolled view: the same cell at t = 1..steps
    x0 = 2.7
    box(x0 - 0.9, 1, "$h_0$", PALETTE[7], w=0.55, h=0.4)
    for k in range(steps):
        x = x0 + 1.5 * k + 0.5
        box(x, 1, "cell", cell_color)
        box(x, 0, f"$x_{{{k + 1}}}$", in_color, w=0.6, h=0.4, text_color="black")
        box(x, 2, f"$h_{{{k + 1}}}$", out_color, w=0.6, h=0.4, text_color="black")
        arrow(x, 0.2, x, 0.68)
        arrow(x, 1.32, x, 1.8)
        left = x0 - 0.62 if k == 0 else x - 1.5 + 0.5
        arrow(left, 1, x - 0.5, 1)
    ax.text(x0 + 1.5 * (steps - 1) + 0.5, -0.55, "time $t$ \u2192", ha="center", fontsize=9)
    ax.text(x0 - 0.9, -0.55, "the same W, U, b at every step", ha="left", fontsize=9)
    ax.set_xlim(-0.7, x0 + 1.5 * (steps - 1) + 1.2)
    ax.set_ylim(-0.8, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"A recurrent cell, folded (left) and unrolled over {steps} time steps (right)")
    fig.tight_layout()
    return fig


def gate_heatmaps(gates: Mapping[str, np.ndarray], *, marks=None, units: int = 8, title: str,
                  names: tuple = ("i", "f", "o"), unit_ids=None):
    """LSTM gate activations over time for one sequence: one heatmap per gate (units x steps).

    Parameters
    ----------
    gates : mapping of str to array_like, each shape [steps, units]
        E.g. ``{k: cache["gates"][k][0] for k in "ifco"}`` from ``cells.lstm_forward``.
    marks : array_like of int, optional
        Steps to flag with a vertical line (e.g. the marked positions of the adding problem).
    units : int
        How many units (rows) to show, the first ``units``.
    title : str
        The figure's title.
    names : tuple of str
        Which gates to draw, top to bottom.
    unit_ids : sequence of int, optional
        The layer's unit number of each column of the gate arrays, used as the
        row labels (when the columns are a selection of units, their ids are
        not their positions); by default 0, 1, 2, ...

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``gates`` is not a mapping, or a gate is not an array of numbers.
    ValueError
        If a gate named in ``names`` is missing or not 2-D, ``units`` < 1, or
        ``unit_ids`` does not have one id per column.
    """
    if not isinstance(gates, Mapping):
        raise TypeError(f"gates must be a dict of [steps, units] arrays; got {type(gates).__name__}")
    units = check_positive_int("units", units)
    missing = [n for n in names if n not in gates]
    if missing:
        raise ValueError(f"gates has no {missing}; it has {sorted(gates)}")
    arrays = [as_array(f"gates[{n!r}]", gates[n], ndim=2, shape_desc="[steps, units]") for n in names]
    columns = arrays[0].shape[1]
    ids = np.arange(columns) if unit_ids is None else np.asarray(unit_ids).ravel()
    if ids.shape != (columns,):
        raise ValueError(f"unit_ids must have one id per column of the gates, {columns}; got {ids.shape[0]}")
    labels = {"i": "input gate i", "f": "forget gate f", "o": "output gate o", "c": "candidate c~"}
    plt = _plt()
    fig, axes = plt.subplots(len(names), 1, figsize=(7.2, 1.3 + 1.1 * len(names)), sharex=True, squeeze=False)
    for ax, name, g in zip(axes[:, 0], names, arrays):
        shown = g[:, :units].T
        vmin, vmax = (-1, 1) if name == "c" else (0, 1)
        im = ax.imshow(shown, aspect="auto", cmap="cividis", vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.grid(False)
        ax.set_ylabel(f"{labels.get(name, name)}\nunit", fontsize=8)
        ax.set_yticks(range(shown.shape[0]), [str(int(u)) for u in ids[: shown.shape[0]]], fontsize=7)
        if marks is not None:
            for m in np.asarray(marks).ravel():
                for edge in (float(m) - 0.5, float(m) + 0.5):
                    ax.axvline(edge, color="#D55E00", lw=1.0, ls="--")
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.03)
    axes[-1, 0].set_xlabel("time step t" + (" (dashed lines frame the marked steps)" if marks is not None else ""))
    axes[0, 0].set_title(title)
    fig.tight_layout()
    return fig


def gradient_norms_by_lag(norms: Mapping[str, np.ndarray], *, title: str,
                          ylabel: str = "gradient norm (log scale)"):
    """Gradient norms against the lag T - t on a log scale, one line per named curve.

    Parameters
    ----------
    norms : mapping of str to array_like, shape [lags]
        ``norms[name][lag]`` for lag = 0, 1, ...; values <= 0 are not drawn.
    title, ylabel : str

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``norms`` is not a mapping or a curve is not an array of numbers.
    ValueError
        If a curve is not 1-D.
    """
    if not isinstance(norms, Mapping):
        raise TypeError(f"norms must be a dict of 1-D arrays; got {type(norms).__name__}")
    fig, ax = _plt().subplots()
    for k, (name, values) in enumerate(norms.items()):
        v = as_array(name, values, ndim=1, shape_desc="[lags]")
        v = np.where(v > 0, v, np.nan)
        ax.semilogy(np.arange(len(v)), v, ls=_LINESTYLES[k % 4], label=name)
    ax.set(title=title, xlabel="lag T - t (steps back from the last step)", ylabel=ylabel)
    ax.legend(fontsize=8)
    return fig


def gradient_norms_grid(norms, *, title: str = "Gradient norm against lag"):
    """Small multiples of ||dh_T/dh_t|| against the lag T - t, one panel per activation, on a log scale.

    Parameters
    ----------
    norms : dict
        ``{(activation, spectral_norm): array of shape [steps]}``, as returned by
        :func:`rnnbook.gradients.jacobian_norm_grid`.  Each spectral norm s gets
        one colour; its bound s**lag (max|act'| = 1 for tanh and ReLU) is drawn dashed.
    title : str
        The figure's suptitle.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``norms`` is not a dict with (str, number) keys.
    ValueError
        If ``norms`` is empty.
    """
    if not isinstance(norms, Mapping):
        raise TypeError(f"norms must be a dict {{(activation, spectral_norm): norms}}; got {type(norms).__name__}")
    if not norms:
        raise ValueError("norms must not be empty")
    for key in norms:
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str)
                and isinstance(key[1], (int, float))):
            raise TypeError(f"every key of norms must be (activation, spectral_norm); got {key!r}")
    from . import PALETTE

    activations = list(dict.fromkeys(k[0] for k in norms))
    scales = sorted(set(k[1] for k in norms))
    fig, axes = _plt().subplots(1, len(activations), figsize=(3.6 * len(activations), 3.4), sharey=True, squeeze=False)
    for ax, act in zip(axes[0], activations):
        for j, s in enumerate(scales):
            if (act, s) not in norms:
                continue
            n = as_array(f"norms[{(act, s)!r}]", norms[(act, s)], ndim=1, shape_desc="[steps]")
            lags = np.arange(len(n))
            color = PALETTE[j % len(PALETTE)]
            ax.semilogy(lags, np.maximum(n, 1e-300), color=color, label=f"measured, s = {s:g}")
            ax.semilogy(lags, float(s) ** lags, color=color, ls="--", lw=1, label=f"bound s^lag, s = {s:g}")
        ax.set(title=f"activation: {act}", xlabel="lag T - t (steps)")
    axes[0][0].set_ylabel("||dh_T / dh_t||  (spectral norm)")
    axes[0][-1].legend(fontsize=7, loc="lower left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def loss_per_update(curves, *, title: str, ylabel: str = "mini-batch loss (MSE, log scale)"):
    """Loss curves against the update number on a log scale; a curve that diverged (inf) is cut where it did.

    Parameters
    ----------
    curves : dict
        ``{name: array of losses, one per update}``.
    title, ylabel : str

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``curves`` is not a dict.
    ValueError
        If ``curves`` is empty.
    """
    if not isinstance(curves, Mapping):
        raise TypeError(f"curves must be a dict {{name: losses}}; got {type(curves).__name__}")
    if not curves:
        raise ValueError("curves must not be empty")
    fig, ax = _plt().subplots()
    for k, (name, values) in enumerate(curves.items()):
        v = as_array(name, values, ndim=1, shape_desc="[updates]")
        shown = np.where(np.isfinite(v), v, np.nan)
        ax.semilogy(np.arange(1, len(v) + 1), shown, ls=_LINESTYLES[k % 4], label=name)
    ax.set(title=title, xlabel="update (SGD step)", ylabel=ylabel)
    ax.legend()
    return fig


def unrolled_bptt(steps: int = 4):
    """Draw a SimpleRNN unrolled over ``steps`` steps: the forward pass and the gradient's way back.

    Inputs x_t feed states h_t, each state feeds a loss l_t and the next state;
    the backward pass (dashed) runs the other way along every arrow.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        Unless ``steps`` is an int from 1 to 10.
    """
    import matplotlib.pyplot as plt

    from . import PALETTE

    steps = check_positive_int("steps", steps)
    if steps > 10:
        raise ValueError(f"steps must be at most 10 to stay readable; got {steps}")
    fig, ax = plt.subplots(figsize=(1.5 * steps + 1.5, 3.0))
    box = dict(boxstyle="round", fc="white", ec=PALETTE[0])
    fwd = dict(arrowstyle="->", color="black", lw=1.2)
    bwd = dict(arrowstyle="->", color=PALETTE[3], lw=1.2, ls="--")
    for t in range(steps + 1):
        ax.text(t, 1, f"$h_{t}$", ha="center", va="center", bbox=box, fontsize=12)
        if t == 0:
            continue
        ax.text(t, 0, f"$x_{t}$", ha="center", va="center", fontsize=12)
        ax.text(t, 2, rf"$\ell_{t}$", ha="center", va="center", fontsize=12)
        ax.annotate("", xy=(t - 0.25, 1.06), xytext=(t - 0.75, 1.06), arrowprops=fwd)
        ax.annotate("", xy=(t - 0.75, 0.88), xytext=(t - 0.25, 0.88), arrowprops=bwd)
        ax.annotate("", xy=(t, 0.78), xytext=(t, 0.18), arrowprops=fwd)
        ax.annotate("", xy=(t - 0.06, 1.82), xytext=(t - 0.06, 1.22), arrowprops=fwd)
        ax.annotate("", xy=(t + 0.06, 1.22), xytext=(t + 0.06, 1.82), arrowprops=bwd)
    ax.plot([], [], color="black", label="forward: W, U, b reused at every step")
    ax.plot([], [], color=PALETTE[3], ls="--", label="backward: gradients flow back in time")
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.02), ncol=2, frameon=False, fontsize=9)
    ax.set(xlim=(-0.5, steps + 0.5), ylim=(-0.3, 2.3), title=f"A SimpleRNN unrolled over {steps} steps")
    ax.axis("off")
    fig.tight_layout()
    return fig


def tbptt_windows(steps: int, k1: int, k2: int):
    """Draw the backward windows of TBPTT(k1, k2) on a stream of ``steps`` steps, one row per update.

    Each row shows the steps the gradient flows through (the window of up to
    k2 steps) and, darker, the k1 steps whose losses start it.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        As :func:`backward_steps`.
    """
    import matplotlib.pyplot as plt

    from . import PALETTE

    from .bptt import backward_steps

    backward_steps(steps, k1, k2)  # validates
    ends = list(range(k1, steps + 1, k1))
    fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(ends) + 1.2))
    for row, e in enumerate(ends):
        start = max(0, e - k2)
        ax.broken_barh([(start, e - start)], (row - 0.35, 0.7), color=PALETTE[5], label=f"window: the up to {k2} steps the gradient flows through" if row == 0 else None)
        ax.broken_barh([(e - k1, k1)], (row - 0.35, 0.7), color=PALETTE[0], label=f"losses of the {k1} new steps" if row == 0 else None)
    ax.set(xlabel="time step", ylabel="update", xlim=(0, steps), yticks=range(len(ends)),
           yticklabels=[str(i + 1) for i in range(len(ends))], title=f"Truncated BPTT with k1={k1}, k2={k2}")
    ax.invert_yaxis()
    fig.legend(loc="lower center", ncol=1, fontsize=8, frameon=False)  # below the axes: it covers no bar
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return fig


# --------------------------------------------------------------------------- chapter 7
def dropout_masks(masks: Mapping[str, np.ndarray], *, title: str):
    """Dropout masks of one sequence side by side: time step across, unit down, dropped values dark.

    Parameters
    ----------
    masks : mapping of str to array of bool, shape [steps, units]
        ``True`` where the value was kept, one panel per entry.
    title : str
        The figure's title.

    Raises
    ------
    TypeError, ValueError
        If ``masks`` is empty or a mask is not 2-D.
    """
    from matplotlib.colors import ListedColormap

    from . import PALETTE

    if not isinstance(masks, Mapping) or not masks:
        raise ValueError("masks must be a non-empty dict of name -> [steps, units] boolean array")
    arrays = {name: np.asarray(m, dtype=float) for name, m in masks.items()}
    for name, m in arrays.items():
        if m.ndim != 2:
            raise ValueError(f"mask {name!r} must have shape [steps, units]; got shape {m.shape}")
    fig, axes = _plt().subplots(1, len(arrays), figsize=(3.4 * len(arrays), 3.0), squeeze=False)
    cmap = ListedColormap([PALETTE[7], "#F2F2F2"])               # dropped: black, kept: light grey
    for ax, (name, m) in zip(axes[0], arrays.items()):
        ax.imshow(m.T, cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        ax.set(title=name, xlabel="time step t", ylabel="unit of h_{t-1}")
        ax.grid(False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def error_by_horizon(curves: Mapping[str, np.ndarray], *, title: str, ylabel: str = "MASE"):
    """Forecast error against horizon: one line per method, the seeds' range shaded.

    Parameters
    ----------
    curves : mapping of str to array, shape [horizon] or [seeds, horizon]
        The error at each horizon; with several seeds the mean is drawn and
        the range from the best to the worst seed is shaded.
    title, ylabel : str
        The figure's title and y-axis label (the x-axis is the horizon in steps).

    Raises
    ------
    ValueError
        If ``curves`` is empty or the curves have different horizons.
    """
    from . import PALETTE

    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty dict of name -> [horizon] or [seeds, horizon] array")
    arrays = {name: np.atleast_2d(as_array(name, c)) for name, c in curves.items()}
    horizons = {a.shape[1] for a in arrays.values()}
    if len(horizons) != 1 or any(a.ndim != 2 for a in arrays.values()):
        raise ValueError(f"every curve must have the same horizon; got horizons {sorted(horizons)}")
    h = np.arange(1, horizons.pop() + 1)
    fig, ax = _plt().subplots(figsize=(6.8, 4.6))
    for k, (name, a) in enumerate(arrays.items()):
        color = PALETTE[k % len(PALETTE)]
        label = name if a.shape[0] == 1 else f"{name} (mean of {a.shape[0]} seeds, range shaded)"
        ax.plot(h, a.mean(axis=0), color=color, ls=_LINESTYLES[k % 4], marker="o", ms=3, label=label)
        if a.shape[0] > 1:
            ax.fill_between(h, a.min(axis=0), a.max(axis=0), color=color, alpha=0.15)
    ax.set(title=title, xlabel="forecast horizon (steps ahead)", ylabel=ylabel, xticks=h)
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    return fig


def time_against_length(times: Mapping[str, Mapping[int, float]], *, title: str,
                        ylabel: str = "milliseconds per update"):
    """Measured time against sequence length on log-log axes, one line per configuration.

    Parameters
    ----------
    times : mapping of str to mapping of int to float
        Configuration name -> {sequence length: seconds}.
    title, ylabel : str
        The figure's title and y-axis label (the values are drawn in milliseconds).
    """
    if not isinstance(times, Mapping) or not times:
        raise ValueError("times must be a non-empty dict of name -> {length: seconds}")
    fig, ax = _plt().subplots(figsize=(6.4, 3.8))
    for k, (name, by_length) in enumerate(times.items()):
        lengths = sorted(by_length)
        ax.plot(lengths, [1000 * by_length[n] for n in lengths], ls=_LINESTYLES[k % 4], marker="o", label=name)
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax.set(title=title, xlabel="sequence length (steps)", ylabel=ylabel, xscale="log", yscale="log")
    ax.set_xticks(sorted({n for by_length in times.values() for n in by_length}))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def early_stopping_curves(curves, stops, *, title: str, ylabel: str = "validation loss", labels=None):
    """Validation curves of several runs, with the epoch early stopping restores and the epoch where it stops.

    Parameters
    ----------
    curves : sequence of array_like
        One validation curve per run (e.g. per seed), a value per epoch.
    stops : sequence of (int, int)
        Per run, ``(epochs_trained, best_epoch)`` counted from 1, as
        :func:`rnnbook.practice.early_stopping_epochs` returns them.
    title, ylabel : str
        The figure's title and y-axis label (the x-axis is the epoch; the y-axis is logarithmic).
    labels : sequence of str or None
        A legend entry per run (default "run 0", "run 1", ...).

    Raises
    ------
    ValueError
        If ``curves`` is empty, the lists differ in length, or an epoch lies outside its curve.
    """
    from . import PALETTE

    curves = [as_array(f"curves[{k}]", c, ndim=1, shape_desc="(epochs,)") for k, c in enumerate(curves)]
    stops = [tuple(int(v) for v in s) for s in stops]
    if not curves or len(curves) != len(stops):
        raise ValueError(f"give one (epochs_trained, best_epoch) pair per curve; got {len(curves)} curves and "
                         f"{len(stops)} pairs")
    labels = [f"run {k}" for k in range(len(curves))] if labels is None else [str(v) for v in labels]
    if len(labels) != len(curves):
        raise ValueError(f"give one label per curve; got {len(labels)} labels for {len(curves)} curves")
    fig, ax = _plt().subplots(figsize=(6.4, 3.8))
    for k, (c, (trained, best)) in enumerate(zip(curves, stops)):
        if not 1 <= best <= trained <= len(c):
            raise ValueError(f"run {k}: need 1 <= best_epoch <= epochs_trained <= {len(c)}; got {(trained, best)}")
        color, epochs = PALETTE[k % len(PALETTE)], np.arange(1, len(c) + 1)
        ax.plot(epochs, c, color=color, ls=_LINESTYLES[k % 4], lw=1.4, label=labels[k])
        ax.plot(best, c[best - 1], "o", color=color, ms=7)
        ax.plot(trained, c[trained - 1], "X", color=color, ms=8)
    ax.plot([], [], "o", color="grey", label="best epoch (weights restored)")
    ax.plot([], [], "X", color="grey", label="early stopping stops")
    ax.set(title=title, xlabel="epoch", ylabel=ylabel, yscale="log")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig



def attention_heatmaps(maps, *, title: str):
    """Attention weights of an encoder-decoder, one heatmap per example (chapter 12).

    Parameters
    ----------
    maps : sequence of (source_chars, target_chars, alpha)
        ``alpha`` is [len(target_chars), len(source_chars)]: row t holds the
        weights over the source characters while the model writes target
        character t (each row sums to 1).
    title : str
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``maps`` is empty or an ``alpha`` does not match its characters.
    """
    maps = list(maps)
    if not maps:
        raise ValueError("maps must hold at least one (source_chars, target_chars, alpha) triple")
    checked = []
    for k, (src, tgt, alpha) in enumerate(maps):
        alpha = as_array(f"maps[{k}] alpha", alpha, ndim=2, shape_desc="[target_steps, source_steps]")
        if alpha.shape != (len(tgt), len(src)):
            raise ValueError(f"maps[{k}]: alpha has shape {alpha.shape}; expected "
                             f"[len(target_chars), len(source_chars)] = {(len(tgt), len(src))}")
        checked.append((list(src), list(tgt), alpha))
    widths = [len(src) for src, _, _ in checked]
    fig, axes = _plt().subplots(1, len(checked), figsize=(min(13.0, 1.2 + 0.3 * sum(widths) + 1.2 * len(checked)), 3.9),
                                gridspec_kw={"width_ratios": widths}, squeeze=False)
    for k, (ax, (src, tgt, alpha)) in enumerate(zip(axes[0], checked)):
        image = ax.imshow(alpha, cmap="viridis", vmin=0.0, vmax=1.0, aspect="equal")
        ax.set_xticks(range(len(src)), [c if c != " " else "␣" for c in src], fontsize=8)
        ax.set_yticks(range(len(tgt)), tgt, fontsize=8)
        ax.grid(False)
        ax.set_xlabel("source character (input)")
        if k == 0:
            ax.set_ylabel("target character (output)")
        ax.set_title("".join(src), fontsize=9)
    fig.colorbar(image, ax=list(axes[0]), shrink=0.8, label="attention weight α")
    fig.suptitle(title)
    return fig



def encoder_decoder(source, target, *, title: str | None = None):
    """An encoder-decoder drawn unrolled: the encoder reads ``source``, its last state c starts the decoder.

    Boxes and arrows only.  The encoder's cells read the source tokens; only
    its last state, the context vector c, goes on.  The decoder's cells read
    ``<bos>`` and the target tokens (teacher forcing) and predict the target
    tokens and ``<eos>``; a dashed arrow shows c entering every decoder step
    (Cho et al.; Sutskever et al. use c only as the first state).  Up to 12
    steps in all are drawn in one row; longer pairs put the encoder in a row
    above the decoder, so that the labels stay readable at the width of a page.

    Parameters
    ----------
    source, target : sequence of str
        The tokens (short words or characters; a str is a sequence of characters), 1 to 12 of each.
    title : str or None
        The figure's title; a default one is used if None.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If a token is not a str, or ``title`` is neither a str nor None.
    ValueError
        If ``source`` or ``target`` is empty or longer than 12 tokens.
    """
    for name, tokens in (("source", source), ("target", target)):
        if not all(isinstance(t, str) for t in tokens):
            raise TypeError(f"{name} must hold str tokens")
        if not 1 <= len(tokens) <= 12:
            raise ValueError(f"{name} must hold 1 to 12 tokens (the figure gets unreadable beyond); got {len(tokens)}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None; got {type(title).__name__}")

    from . import PALETTE

    source, target = list(source), list(target)
    plt = _plt()
    n_src, n_tgt = len(source), len(target) + 1
    # up to 12 steps in all, one row; beyond, the encoder above the decoder, so that the boxes
    # keep a readable size at the width of a page
    two_rows = n_src + n_tgt > 12
    if two_rows:
        enc_x = [1.2 * k for k in range(n_src)]
        dec_x = [1.2 * k for k in range(n_tgt)]
        enc_y = 4.1                                   # the encoder's token row; its cells sit 1 higher
        right = max(enc_x[-1], dec_x[-1]) + 1.1
        fig, ax = plt.subplots(figsize=(0.62 * (right - dec_x[0] + 1.4), 4.6))
    else:
        gap = 1.0
        enc_x = [1.2 * k for k in range(n_src)]
        dec_x = [enc_x[-1] + gap + 1.2 * (k + 1) for k in range(n_tgt)]
        enc_y = 0.0
        fig, ax = plt.subplots(figsize=(min(0.62 * (1.2 * (n_src + n_tgt) + gap + 0.6), 13.0), 2.6))

    box = functools.partial(_diagram_box, ax, fontsize=8)
    arrow = functools.partial(_diagram_arrow, ax, lw=1.3)
    dashed = dict(color="0.45", lw=0.9, ls="--")

    for k, (x, token) in enumerate(zip(enc_x, source)):
        box(x, enc_y + 1, "enc", PALETTE[0])
        box(x, enc_y, "\u2423" if token == " " else token, PALETTE[1], w=0.7, h=0.4, text_color="black")
        arrow(x, enc_y + 0.2, x, enc_y + 0.68)
        if k:
            arrow(enc_x[k - 1] + 0.5, enc_y + 1, x - 0.5, enc_y + 1)
    inputs, outputs = ["<bos>"] + target, target + ["<eos>"]
    for k, x in enumerate(dec_x):
        box(x, 1, "dec", PALETTE[3])
        box(x, 0, "\u2423" if inputs[k] == " " else inputs[k], PALETTE[1], w=0.8, h=0.4, text_color="black")
        box(x, 2.1, "\u2423" if outputs[k] == " " else outputs[k], PALETTE[2], w=0.56, h=0.4, text_color="black")
        arrow(x, 0.2, x, 0.68)
        arrow(x, 1.32, x, 1.9)
        if k:
            arrow(dec_x[k - 1] + 0.5, 1, x - 0.5, 1)
    # the context vector: the encoder's last state starts the decoder
    if two_rows:
        # from the last encoder cell, right and down, then along under the encoder to the first decoder cell
        elbow = [(enc_x[-1] + 0.5, enc_y + 1), (right, enc_y + 1), (right, 3.2), (dec_x[0] - 0.9, 3.2),
                 (dec_x[0] - 0.9, 1)]
        ax.plot(*zip(*elbow), color="black", lw=1.3)
        arrow(dec_x[0] - 0.9, 1, dec_x[0] - 0.5, 1)
        ax.text(right + 0.12, (enc_y + 1 + 3.2) / 2, "$c$", ha="left", va="center", fontsize=11)
        ax.plot([dec_x[0] - 0.38, dec_x[-1] - 0.38], [2.75, 2.75], **dashed)
        ax.plot([right - 0.2, right - 0.2, dec_x[-1] - 0.38], [3.2, 2.75, 2.75], **dashed)
        ax.text(dec_x[0] - 0.45, 3.35, "c at every step (Cho et al.; not in Sutskever et al.)", fontsize=8,
                color="0.3")
        ax.text(enc_x[0] - 0.45, enc_y + 1.7, "encoder reads the source", ha="left", fontsize=9)
    else:
        arrow(enc_x[-1] + 0.5, 1, dec_x[0] - 0.5, 1)
        ax.text((enc_x[-1] + dec_x[0]) / 2, 1.15, "$c$", ha="center", va="bottom", fontsize=11)
        ax.plot([enc_x[-1], enc_x[-1], dec_x[-1]], [1.32, 2.75, 2.75], **dashed)
        ax.text(enc_x[-1] + 0.1, 2.85, "c at every step (Cho et al.; not in Sutskever et al.)", fontsize=8, color="0.3")
        ax.text(enc_x[0] - 0.45, -0.55, "encoder reads the source", ha="left", fontsize=9)
    for x in dec_x:
        ax.annotate("", xy=(x - 0.38, 1.32), xytext=(x - 0.38, 2.75),
                    arrowprops=dict(arrowstyle="-|>", lw=0.8, ls="--", color="0.45", shrinkA=0, shrinkB=0))
    ax.text(dec_x[0] - 0.45, -0.55, "decoder reads <bos> + target, predicts target + <eos>", ha="left", fontsize=9)
    ax.set_xlim(min(enc_x[0], dec_x[0]) - 1.1 if two_rows else enc_x[0] - 0.7,
                (right + 0.6) if two_rows else dec_x[-1] + 0.7)
    ax.set_ylim(-0.8, enc_y + 2.0 if two_rows else 3.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or "An encoder-decoder, unrolled: the context vector c is the encoder's last state")
    fig.tight_layout()
    return fig


