"""How the book prints a measured error, and a claim about trained models that every CPU agrees on.

``error_bound``: a measured error, next to the tolerance it must meet.

A check such as "NumPy equals Keras" is shown as the measured magnitude, not as
``True``: ``max |NumPy - Keras| = 3e-08 (tolerance 1e-05)``, and a value above
the tolerance is printed in full and flagged, so that a failure cannot hide
behind rounding.  The measured digits are rounding noise that differs from one
CPU to another; the book's nbval sanitizer (``tests/sanitize.cfg``) masks
exactly the ``= <value> (tolerance`` part, so a stored notebook still checks
the verdict (below the tolerance) on every machine.

``band``: a claim about scores over seeds ("exact match >= 0.95 in every
seed"), checked in the cell and printed as the claim itself.  A trained model's
last digits differ from one CPU to another, so a notebook prints the band that
every machine meets, and the check fails (:class:`ClaimFailed`) where a
machine does not meet it.
"""
from __future__ import annotations

from collections.abc import Sequence

from ._validate import check_number, type_name

__all__ = ["error_bound", "band", "ClaimFailed"]


def error_bound(value, tolerance: float, *, resolution: float | None = None) -> str:
    """Describe a non-negative error ``value`` by its measured magnitude, and compare it with ``tolerance``.

    The value is printed with one significant digit.  On another CPU the digit
    can differ (float32 results against float64 ones differ by about 1e-7,
    float64 ones by about 1e-16); nbval's sanitizer masks it and keeps the
    verdict, which is the same on every machine.

    >>> error_bound(3.2e-8, 1e-5)
    '= 3e-08 (tolerance 1e-05)'
    >>> error_bound(0.0, 1e-12)
    '= 0 (tolerance 1e-12)'
    >>> error_bound(2.5e-3, 1e-5)
    '= 2.5e-03, ABOVE the tolerance 1e-05'
    >>> error_bound(3.2e-8, 1e-5, resolution=1e-6)
    '< 1e-06 (tolerance 1e-05)'

    Parameters
    ----------
    value : float
        The measured error (a maximum absolute difference, a relative error), >= 0.
    tolerance : float
        The largest error accepted (> 0).
    resolution : float, optional, keyword-only
        If given (> 0, at most ``tolerance``), errors below it are reported as
        "< resolution" instead of their value.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``value`` is negative or not finite, ``tolerance`` is not > 0, or
        ``resolution`` is not in (0, tolerance].
    """
    value = check_number("value", value, 0)
    tolerance = check_number("tolerance", tolerance, 0, low_open=True)
    if resolution is not None:
        resolution = check_number("resolution", resolution, 0, tolerance, low_open=True)
    if value > tolerance:
        return f"= {value:.1e}, ABOVE the tolerance {tolerance:.0e}"
    if resolution is not None and value < resolution:
        return f"< {resolution:.0e} (tolerance {tolerance:.0e})"
    shown = "0" if value == 0 else f"{value:.0e}"
    return f"= {shown} (tolerance {tolerance:.0e})"


class ClaimFailed(AssertionError):
    """A claim checked by :func:`band` does not hold for the measured values."""


def band(label: str, values, *, at_least: float | None = None, below: float | None = None,
         need: str | int = "all", unit: str = "seed") -> str:
    """Check that scores (one per seed) lie in a band, and return the claim as a line to print.

    ``need="all"``: every value; ``need="mean"``: their mean; ``need=k`` (an
    int): at least ``k`` of the values.  The band is ``>= at_least``, ``<
    below``, or both.

    >>> band("attention, validation exact match", [1.0, 0.987, 1.0], at_least=0.95)
    'attention, validation exact match: >= 0.95 in every seed (3 of 3)'
    >>> band("no mask, test accuracy", [0.53, 0.61, 0.58], below=0.9, need="mean")
    'no mask, test accuracy: mean of 3 seeds < 0.9'
    >>> band("no mask, test accuracy", [0.53, 0.99, 0.58], below=0.95, need=1)
    'no mask, test accuracy: < 0.95 in at least 1 of 3 seeds'
    >>> band("year, character accuracy", [0.9997], at_least=0.999)
    'year, character accuracy: >= 0.999'

    Parameters
    ----------
    label : str
        What is measured, as the printed line should name it.
    values : sequence of float
        The measurements, e.g. one score per seed (at least one, all finite).
    at_least, below : float, optional, keyword-only
        The band's bounds; at least one must be given.
    need : "all", "mean" or int, keyword-only
        Which values must lie in the band.
    unit : str, keyword-only
        What one value is, as the printed claim names it ("seed", "bin", ...).

    Returns
    -------
    str
        The claim, e.g. ``"attention, validation exact match: >= 0.95 in every seed (3 of 3)"``.

    Raises
    ------
    ClaimFailed
        If the values do not meet the claim; the message gives them all.
    TypeError, ValueError
        If an argument has the wrong type or value.
    """
    if not isinstance(label, str) or not label:
        raise TypeError(f"label must be a non-empty str; got {type_name(label)}")
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) and not hasattr(values, "__len__"):
        raise TypeError(f"values must be a sequence of numbers (one per seed); got {type_name(values)}")
    values = [check_number(f"values[{i}]", v) for i, v in enumerate(list(values))]
    if not values:
        raise ValueError("values must hold at least one number; got an empty sequence")
    if at_least is None and below is None:
        raise ValueError("give at_least, below or both; got neither")
    at_least = None if at_least is None else check_number("at_least", at_least)
    below = None if below is None else check_number("below", below)
    if at_least is not None and below is not None and not at_least < below:
        raise ValueError(f"the band is empty: at_least={at_least} must be < below={below}")
    if not isinstance(unit, str) or not unit:
        raise TypeError(f"unit must be a non-empty str such as 'seed'; got {type_name(unit)}")
    n = len(values)
    if not (need in ("all", "mean") or (isinstance(need, int) and not isinstance(need, bool) and 1 <= need <= n)):
        raise ValueError(f"need must be 'all', 'mean' or an int from 1 to {n} (the number of values); got {need!r}")

    def inside(v: float) -> bool:
        return (at_least is None or v >= at_least) and (below is None or v < below)

    what = " and ".join(part for part in (f">= {at_least:g}" if at_least is not None else "",
                                         f"< {below:g}" if below is not None else "") if part)
    if n == 1 and need in ("all", "mean"):      # one pooled measurement: the band is the claim
        held, claim = inside(values[0]), what
    elif need == "mean":
        held, claim = inside(sum(values) / n), f"mean of {n} {unit}s {what}"
    else:
        k = sum(inside(v) for v in values)
        held = k == n if need == "all" else k >= need
        claim = (f"{what} in every {unit} ({n} of {n})" if need == "all"
                 else f"{what} in at least {need} of {n} {unit}s")
    if not held:
        raise ClaimFailed(f"{label}: the claim '{claim}' does not hold; measured "
                          + ", ".join(f"{v:.4g}" for v in values))
    return f"{label}: {claim}"
