"""Interactive demos (ipywidgets), each with a static fallback figure.

A widget only runs in a live notebook; the published book cannot execute it,
so every demo here has a plain function in :mod:`rnnbook.plots` that draws
representative settings, and the chapter shows that figure right after the widget.

* :func:`gradient_norm_explorer` (chapter 4): ||dh_T/dh_t|| against the lag for a
  chosen spectral norm, activation and sequence length; static fallback
  :func:`rnnbook.plots.gradient_norms_grid`.
"""
from __future__ import annotations

from ._validate import check_choice, check_positive_int

__all__ = ["gradient_norm_explorer", "draw_gradient_norms"]


def draw_gradient_norms(spectral_norm: float = 1.0, activation: str = "tanh", steps: int = 100,
                        units: int = 32, init: str = "orthogonal"):
    """Draw one setting of the explorer: the measured norms and the bound s**lag on a log scale.

    Parameters
    ----------
    spectral_norm : float
        sigma_max(U) (> 0).
    activation : {"tanh", "relu"}
    steps : int
        Sequence length T (>= 2); lags 0 .. T-1 are drawn.
    units : int
        Size of the hidden state.
    init : {"orthogonal", "identity", "gaussian"}
        How U is drawn (see :func:`rnnbook.gradients.recurrent_matrix`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        For settings that :func:`rnnbook.gradients.jacobian_norm_grid` refuses.
    """
    from . import cells, gradients, plots

    steps = check_positive_int("steps", steps)
    if steps < 2:
        raise ValueError(f"steps must be >= 2; got {steps}")
    check_choice("activation", activation, cells.ACTIVATIONS)
    norms = gradients.jacobian_norm_grid([spectral_norm], [activation], steps=steps, units=units, init=init)
    return plots.gradient_norms_grid(norms, title=f"U: {init}, {units} units, T = {steps}")


def gradient_norm_explorer(units: int = 32):
    """Sliders for the spectral norm of U, the activation, the length and how U is drawn.

    Each change redraws :func:`draw_gradient_norms`.  Returns the ipywidgets
    ``interactive`` object (displayed by ``interact``).

    Raises
    ------
    TypeError, ValueError
        If ``units`` is not an int >= 1.
    ImportError
        If ipywidgets is not installed.
    """
    units = check_positive_int("units", units)
    import ipywidgets as w
    import matplotlib.pyplot as plt

    def show(spectral_norm, activation, steps, init):
        draw_gradient_norms(spectral_norm, activation, steps, units, init)
        plt.show()

    return w.interact(
        show,
        spectral_norm=w.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.05, description="sigma_max(U)"),
        activation=w.Dropdown(options=["tanh", "relu"], value="tanh", description="activation"),
        steps=w.IntSlider(value=100, min=10, max=300, step=10, description="length T"),
        init=w.Dropdown(options=["orthogonal", "identity", "gaussian"], value="orthogonal", description="U"),
    )
