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

__all__ = ["gradient_norm_explorer", "draw_gradient_norms", "draw_temperature",
           "temperature_explorer", "nbest_dates", "print_nbest", "beam_width_explorer"]


#: Show each control's whole label ("sigma_max(U)", not "sigma_ma...").
_LABEL = {"description_width": "initial"}

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
        spectral_norm=w.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.05, description="sigma_max(U)",
            style=_LABEL),
        activation=w.Dropdown(options=["tanh", "relu"], value="tanh", description="activation",
            style=_LABEL),
        steps=w.IntSlider(value=100, min=10, max=300, step=10, description="length T",
            style=_LABEL),
        init=w.Dropdown(options=["orthogonal", "identity", "gaussian"], value="orthogonal", description="U",
            style=_LABEL),
    )


# --------------------------------------------------------------------------- chapter 10: sampling temperature
def draw_temperature(log_probs, labels, temperatures=(0.5, 1.0, 1.5), top_k=None, n: int = 12, *,
                     title: str | None = None):
    """Bars of a next-token distribution after temperature (and top-k), one colour per temperature.

    The distribution at temperature T is softmax(log_probs / T), cut to the
    ``top_k`` most probable tokens and renormalised when ``top_k`` is given,
    as :func:`rnnbook.decoding.sample` draws from it.  The ``n`` tokens most
    probable under the model itself (T = 1) are shown, in that order.

    Parameters
    ----------
    log_probs : array_like, shape [vocab]
        The model's log-probabilities of the next token (natural logs).
    labels : sequence of str, length vocab
        The tokens' names (characters are shown with repr-like escapes for space and newline).
    temperatures : sequence of float
        Each > 0; one group of bars per temperature.
    top_k : int or None
        Keep only the ``top_k`` most probable tokens (>= 1); None keeps all.
    n : int
        How many tokens to show (>= 1).
    title : str or None
        The figure's title; a default names the settings.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        For log-probabilities that are not a finite 1-D array, labels of another
        length, temperatures <= 0, or ``top_k``/``n`` < 1.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from . import PALETTE
    from ._validate import as_array, check_positive_number

    log_probs = as_array("log_probs", log_probs, ndim=1, shape_desc="[vocab]")
    if not np.all(np.isfinite(log_probs)):
        raise ValueError("log_probs must be finite")
    labels = [str(s) for s in labels]
    if len(labels) != len(log_probs):
        raise ValueError(f"labels must name every token: {len(log_probs)} labels; got {len(labels)}")
    if isinstance(temperatures, (int, float)):
        temperatures = (temperatures,)
    temperatures = [check_positive_number("temperature", t) for t in temperatures]
    if not temperatures:
        raise ValueError("give at least one temperature")
    if top_k is not None:
        top_k = check_positive_int("top_k", top_k)
    n = min(check_positive_int("n", n), len(log_probs))
    order = np.argsort(-log_probs, kind="stable")[:n]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.8 / len(temperatures)
    for j, t in enumerate(temperatures):
        logits = log_probs / t
        if top_k is not None and top_k < len(logits):
            logits = np.where(logits >= np.sort(logits)[-top_k], logits, -np.inf)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        ax.bar(np.arange(n) + (j - (len(temperatures) - 1) / 2) * width, p[order], width,
               color=PALETTE[j % len(PALETTE)], label=f"T = {t:g}")
    names = {" ": "space", "\n": "\\n"}
    ax.set_xticks(np.arange(n), [names.get(labels[i], labels[i]) for i in order])
    ax.set(xlabel="next character (most probable first)", ylabel="probability", ylim=(0, 1),
           title=title or "Next-character distribution at several temperatures"
           + (f", top-k = {top_k}" if top_k is not None else ""))
    ax.legend(fontsize=8)
    return fig


def temperature_explorer(log_probs, labels, n: int = 12):
    """A temperature slider and a top-k slider over one next-token distribution.

    Each change redraws :func:`draw_temperature` with T = 1 (the model's own
    distribution) beside the chosen temperature.  ``top_k = 0`` on the slider
    means no cut.  Returns the ipywidgets ``interactive`` object (displayed by ``interact``).

    Raises
    ------
    TypeError, ValueError
        As :func:`draw_temperature`, for the arguments it would refuse.
    ImportError
        If ipywidgets is not installed.
    """
    import numpy as np

    labels = list(labels)
    draw_temperature(log_probs, labels, (1.0,), None, n)   # validate once, before the widget exists
    import ipywidgets as w
    import matplotlib.pyplot as plt

    plt.close()
    log_probs = np.asarray(log_probs, dtype=float)

    def show(temperature, top_k):
        draw_temperature(log_probs, labels, (1.0, temperature), top_k or None, n)
        plt.show()

    return w.interact(
        show,
        temperature=w.FloatLogSlider(value=1.0, base=10, min=-1, max=0.5, step=0.05, description="temperature",
            style=_LABEL),
        top_k=w.IntSlider(value=0, min=0, max=min(20, len(labels)), step=1, description="top-k (0: off)",
            style=_LABEL),
    )



# --------------------------------------------------------------------------- chapter 12: beam width
def nbest_dates(model, dates, written: str, beam_width: int = 4, length_penalty: float = 0.0) -> list[tuple[str, float]]:
    """The n-best ISO answers of a date model for one written date, with their beam scores.

    Parameters
    ----------
    model : keras.Model
        A trained :func:`rnnbook.benchmark.date_model`.
    dates : rnnbook.benchmark.DateData
        The benchmark's vocabularies (:func:`rnnbook.benchmark.date_data`).
    written : str
        A written date (at most ``DATE_SOURCE_LENGTH`` characters seen in training).
    beam_width : int
        Width of :func:`rnnbook.decoding.beam_search` (>= 1).
    length_penalty : float
        Its exponent alpha (>= 0).

    Returns
    -------
    list of (answer, score)
        At most ``beam_width`` answers, best first; the answer stops before EOS.
    """
    from . import benchmark, decoding, text

    if not isinstance(written, str) or not written:
        raise TypeError(f"written must be a non-empty str; got {written!r:.40}")
    beam_width = check_positive_int("beam_width", beam_width)
    source = text.encode_pairs([(written, "2000-01-01")], dates.source_vocab, dates.target_vocab,
                               source_length=benchmark.DATE_SOURCE_LENGTH,
                               target_length=benchmark.DATE_TARGET_LENGTH,
                               reverse_source=dates.reverse_source).source[0]
    step_fn, state = decoding.KerasDecoder(model).start(source)
    bos, eos = dates.target_vocab.stoi["<bos>"], dates.target_vocab.stoi["<eos>"]
    hyps = decoding.beam_search(step_fn, state, bos, eos, beam_width, benchmark.DATE_TARGET_LENGTH, length_penalty)
    return [("".join(dates.target_vocab.itos[t] for t in tokens if t != eos), score) for tokens, score in hyps]


def print_nbest(model, dates, written: str, beam_width: int = 4, length_penalty: float = 0.0) -> None:
    """Print :func:`nbest_dates` as a table: rank, answer and score (what :func:`beam_width_explorer` shows)."""
    print(f"{written!r}, beam width {beam_width}, length penalty {length_penalty:g}")
    for rank, (answer, score) in enumerate(nbest_dates(model, dates, written, beam_width, length_penalty), 1):
        print(f"{rank:2d}. {answer:<11} score {score:8.4f}")


def beam_width_explorer(models_by_name, dates, written=("Saturday 21 November 2026", "21/11/26",
                                                         "the 3rd of May 1999")):
    """Pick a model, a written date, the beam width and the length penalty; print the n-best list.

    ``models_by_name`` maps a name to a trained date model.  Each change
    prints :func:`nbest_dates` as a table (answer, score, probability when
    the length penalty is 0).  Returns the ipywidgets ``interactive`` object.

    Raises
    ------
    ValueError
        If ``models_by_name`` or ``written`` is empty.
    ImportError
        If ipywidgets is not installed.
    """
    if not models_by_name:
        raise ValueError("models_by_name must map at least one name to a trained date model")
    written = [written] if isinstance(written, str) else list(written)
    if not written:
        raise ValueError("written must hold at least one written date")
    import ipywidgets as w

    def show(model, date, beam_width, length_penalty):
        print_nbest(models_by_name[model], dates, date, beam_width, length_penalty)

    return w.interact(
        show,
        model=w.Dropdown(options=list(models_by_name), description="model", style=_LABEL),
        date=w.Dropdown(options=written, description="written date", style=_LABEL),
        beam_width=w.IntSlider(value=4, min=1, max=16, description="beam width", style=_LABEL),
        length_penalty=w.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.1, description="alpha",
            style=_LABEL),
    )


