"""rnnbook: the shared package behind *Recurrent*, an interactive textbook on RNNs.

Every notebook starts with ``rnnbook.setup()``, which makes the run reproducible
and keeps TensorFlow's start-up messages out of the stored outputs, and shows
the code it builds from scratch with ``rnnbook.show(function)``, read from
this package's own source.
"""
from __future__ import annotations

import os
import random

__version__ = "0.1.0"
__all__ = ["setup", "show", "__version__"]

# TensorFlow prints C++ log lines when it is first imported unless both of these
# are set beforehand.  Set them as soon as the package is imported, so that any
# notebook that imports rnnbook before TensorFlow stays quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from ._source import show  # noqa: E402  (after the environment above is set)

#: The book's colour-blind-safe palette (Okabe & Ito, 2008).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def setup(seed: int = 0, *, tensorflow: bool = True, workers: bool = False) -> None:
    """Make a notebook reproducible: seed every generator and set the plot style.

    Parameters
    ----------
    seed : int
        Seed for Python's ``random``, NumPy's legacy global generator and Keras
        (which seeds TensorFlow too).
    tensorflow : bool
        Also import TensorFlow/Keras and seed them.  Set ``False`` in a notebook
        that never touches TensorFlow, to save the import time.
    workers : bool
        Start the worker processes of :mod:`rnnbook.parallel` now, in the
        background (:func:`rnnbook.parallel.warm_up`), so that the chapter's
        first comparison does not wait for them.  Results do not change: a run
        gives the same weights in a worker as here.

    Raises
    ------
    TypeError
        If ``seed`` is not an int, or ``tensorflow`` or ``workers`` not a bool.
    ValueError
        If ``seed`` is negative.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    for name, flag in (("tensorflow", tensorflow), ("workers", workers)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {type(flag).__name__}")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    # 0 unless the caller chose: `make test-portable` sets 1 to perturb
    # TensorFlow's floating-point results, as another CPU would.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    np.set_printoptions(precision=4, suppress=True)
    if workers:
        from . import parallel

        parallel.warm_up()
    if tensorflow:
        import logging

        import keras

        logging.getLogger("tensorflow").setLevel(logging.ERROR)
        keras.utils.set_random_seed(seed)
    _plot_style()


def _plot_style() -> None:
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=PALETTE),
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "svg.hashsalt": "rnnbook",
        }
    )
    _sharp_figures()


def _sharp_figures() -> None:
    """In a notebook, draw figures as PNGs at twice their size on the page ("retina").

    The notebook and the book show them at their usual size, so they stay
    sharp on high-density screens and when a reader zooms in.  Outside
    IPython (a script, a test) nothing changes.
    """
    try:
        from IPython import get_ipython
    except ImportError:    # pragma: no cover - IPython ships with Jupyter
        return
    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
