"""Small argument checks shared by the rnnbook modules.

Every public function of the package checks its arguments with these helpers, so
that a wrong call fails with a message naming the expected and the received
shape or type, never with a NumPy broadcasting error from deep inside the maths.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = ["as_array", "check_shape", "check_positive_number", "check_positive_int", "check_choice", "type_name"]

#: NumPy dtype kinds accepted as numbers: signed and unsigned integers, floats.
_NUMERIC_KINDS = "iuf"


def type_name(value: object) -> str:
    """The name of ``value``'s type, as used in error messages (``'str'``, ``'NoneType'``)."""
    return type(value).__name__


def as_array(
    name: str,
    value: object,
    ndim: int | None = None,
    shape_desc: str | None = None,
    dtype: type | None = np.float64,
) -> np.ndarray:
    """Convert ``value`` to a NumPy array of numbers, checking its type and rank.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : array_like
        An ndarray, a (nested) list of numbers, a scalar, or anything with
        ``__array__`` (a TensorFlow tensor, a Keras variable).
    ndim : int, optional
        The required number of dimensions.
    shape_desc : str, optional
        How the expected shape is described in the error, e.g.
        ``"[batch, steps, features]"``.  Defaults to ``"<ndim>-D"``.
    dtype : numpy dtype or None
        The dtype of the result (float64 by default); ``None`` keeps the
        input's numeric dtype.

    Returns
    -------
    ndarray
        The array; no copy is made when ``value`` already has the right dtype.

    Raises
    ------
    TypeError
        If ``value`` is ``None``, a string, or does not hold numbers.
    ValueError
        If ``value`` is ragged, or does not have ``ndim`` dimensions.
    """
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers; got {type_name(value)}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers; got a ragged {type_name(value)}") from err
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{name} must be an array of numbers; got {type_name(value)} with dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        desc = shape_desc if shape_desc is not None else f"{ndim}-D"
        raise ValueError(f"{name} must have shape {desc}; got shape {arr.shape}")
    return arr if dtype is None else arr.astype(dtype, copy=False)


def _format_shape(shape: Sequence[int | None]) -> str:
    """``(4, None)`` -> ``'(4, ?)'``; one-element shapes keep their comma: ``'(8,)'``."""
    parts = ["?" if n is None else str(n) for n in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def check_shape(name: str, arr: np.ndarray, expected: Sequence[int | None], desc: str | None = None) -> np.ndarray:
    """Check that ``arr.shape`` matches ``expected``, where ``None`` matches any size.

    The error reads e.g. ``h0 must have shape [batch, units] = (4, 8); got shape (4, 3)``.

    Returns
    -------
    ndarray
        ``arr`` itself, so that the call can be chained.

    Raises
    ------
    ValueError
        If the rank or any fixed size differs.
    """
    expected = tuple(expected)
    ok = arr.ndim == len(expected) and all(e is None or e == n for e, n in zip(expected, arr.shape))
    if not ok:
        want = _format_shape(expected) if desc is None else f"{desc} = {_format_shape(expected)}"
        raise ValueError(f"{name} must have shape {want}; got shape {arr.shape}")
    return arr


def check_positive_number(name: str, value: object) -> float:
    """Check that ``value`` is a finite real number > 0 and return it as a float.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (``bool`` is refused too).
    ValueError
        If it is not finite or not > 0.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type_name(value)}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0; got {value}")
    return value


def check_positive_int(name: str, value: object) -> int:
    """Check that ``value`` is an int >= 1 (``bool`` refused) and return it.

    Raises
    ------
    TypeError
        If ``value`` is not an int.
    ValueError
        If it is < 1.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {type_name(value)}")
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value}")
    return int(value)


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of the strings in ``choices``.

    Raises
    ------
    ValueError
        Listing the allowed values, if ``value`` is anything else (including a
        non-string).
    """
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value
