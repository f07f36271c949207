"""How the book prints a measured error: its order of magnitude, next to the tolerance it must meet.

A check such as "NumPy equals Keras" is shown as a magnitude, not as ``True``:
``max |NumPy - Keras| < 1e-07 (tolerance 1e-05)``.  The magnitude is rounded
up to a power of ten, so that the stored output of a notebook survives the
last-digit differences between CPUs, and a value above the tolerance is
printed in full and flagged, so that a failure cannot hide behind rounding.
"""
from __future__ import annotations

import math

from ._validate import check_number

__all__ = ["error_bound"]


def error_bound(value, tolerance: float, *, resolution: float | None = None) -> str:
    """Describe a non-negative error ``value`` by the power of ten above it, and compare it with ``tolerance``.

    Errors below ``resolution`` (by default a tenth of the tolerance) are all
    reported as "< resolution": at that level the digits are rounding noise
    that differs between CPUs (float32 results against float64 ones differ by
    about 1e-7, float64 ones by about 1e-16), and a printed decade would change
    from one machine to another.

    >>> error_bound(3.2e-8, 1e-5)
    '< 1e-06 (tolerance 1e-05)'
    >>> error_bound(3.2e-8, 1e-5, resolution=1e-8)
    '< 1e-07 (tolerance 1e-05)'
    >>> error_bound(0.0, 1e-12)
    '< 1e-13 (tolerance 1e-12)'
    >>> error_bound(2.5e-3, 1e-5)
    '= 2.5e-03, ABOVE the tolerance 1e-05'

    Parameters
    ----------
    value : float
        The measured error (a maximum absolute difference, a relative error), >= 0.
    tolerance : float
        The largest error accepted (> 0).
    resolution : float, optional, keyword-only
        The smallest magnitude worth printing (> 0, at most ``tolerance``);
        ``tolerance / 10`` if omitted.

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
    resolution = tolerance / 10 if resolution is None else check_number("resolution", resolution, 0, tolerance,
                                                                        low_open=True)
    if value > tolerance:
        return f"= {value:.1e}, ABOVE the tolerance {tolerance:.0e}"
    if value < resolution:
        return f"< {resolution:.0e} (tolerance {tolerance:.0e})"
    bound = 10.0 ** (math.floor(math.log10(value)) + 1)  # the smallest power of ten strictly above value
    if bound > tolerance:  # value is in the tolerance's own decade: all we can say is that it meets it
        return f"<= {tolerance:.0e} (tolerance {tolerance:.0e})"
    return f"< {bound:.0e} (tolerance {tolerance:.0e})"
