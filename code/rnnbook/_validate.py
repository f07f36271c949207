"""Small argument checks shared by the rnnbook modules.

Every public function of the package checks its arguments with these helpers, so
that a wrong call fails with a message naming the expected and the received
shape or type, never with a NumPy broadcasting error from deep inside the maths.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "as_array",
    "check_shape",
    "check_positive_number",
    "check_positive_int",
    "check_int",
    "check_seed",
    "check_number",
    "check_bool",
    "check_str",
    "check_choice",
    "type_name",
]

#: NumPy dtype kinds accepted as numbers: signed and unsigned integers, floats.
_NUMERIC_KINDS = "iuf"


def type_name(value: object) -> str:
    """The name of ``value``'s type, as used in error messages (``'str'``, ``'NoneType'``)."""
    return type(value).__name__


def _received(value: object) -> str:
    """How a received value is named in an error: its type, and its repr when that is short.

    ``_received(2.5)`` -> ``'float 2.5'``, ``_received([1, 2])`` -> ``'list [1, 2]'``,
    ``_received(np.int64(3))`` -> ``'int64 3'``, ``_received(None)`` -> ``'None'``; a long
    repr is left out, only the type is named.
    """
    if value is None:
        return "None"
    try:  # a NumPy scalar shows as its value, "float32 2.0", not "float32 np.float32(2.0)"
        numpy_scalar = isinstance(value, np.generic) and not isinstance(value, (np.str_, np.bytes_))
        text = str(value) if numpy_scalar else repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        return type_name(value)
    return f"{type_name(value)} {text}" if len(text) <= 40 else type_name(value)


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
    return check_number(name, value, 0, low_open=True)


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


def _is_int(value: object) -> bool:
    """True for Python and NumPy integers, False for ``bool`` and ``numpy.bool_``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(name: str, value: object, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[minimum, maximum]`` and return it as an ``int``.

    NumPy integers (``np.int64``, ``np.uint8``, ...) are accepted; ``bool`` is
    refused, although Python counts it as an int, because ``True`` passed for a
    size is always a mistake.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : object
        The value to check.
    minimum, maximum : int, optional
        Inclusive bounds; ``None`` leaves that side open.

    Returns
    -------
    int
        ``int(value)``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer, e.g. ``n must be an int; got float 2.0``.
    ValueError
        If it lies outside the bounds, e.g. ``steps must be an int >= 2; got 1``.
    """
    if not _is_int(value):
        raise TypeError(f"{name} must be an int; got {_received(value)}")
    value = int(value)  # type: ignore[arg-type]
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            want = f"in [{minimum}, {maximum}]"
        elif minimum is not None:
            want = f">= {minimum}"
        else:
            want = f"<= {maximum}"
        raise ValueError(f"{name} must be an int {want}; got {value}")
    return value


def check_seed(name: str, value: object) -> int:
    """Check that ``value`` is a random seed, an int >= 0 (NumPy integers accepted), and return it.

    ``numpy.random.default_rng(seed)`` gives the same stream for ``3`` and
    ``np.int64(3)``, so converting to ``int`` changes no result.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``None`` and ``bool`` included).
    ValueError
        If it is negative.
    """
    return check_int(name, value, minimum=0)


def _format_bound(x: float) -> str:
    """``0`` -> ``'0'``, ``0.5`` -> ``'0.5'``, ``1e-08`` -> ``'1e-08'``."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def check_number(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Check that ``value`` is a finite real number between ``low`` and ``high``; return it as a float.

    Python and NumPy ints and floats are accepted (``np.float32(0.5)``);
    ``bool`` is refused.

    Parameters
    ----------
    name : str
        The argument's name, used in error messages.
    value : object
        The value to check.
    low, high : float, optional
        Bounds; ``None`` leaves that side unbounded.
    low_open, high_open : bool
        Exclude the bound itself: ``low=0, low_open=True`` means ``> 0``.

    Returns
    -------
    float
        ``float(value)``.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If it is NaN or infinite, or outside the bounds, e.g.
        ``beta1 must be a finite number in [0, 1); got 1.5``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {_received(value)}")
    value = float(value)
    if low is not None and high is not None:
        want = f" in {'(' if low_open else '['}{_format_bound(low)}, {_format_bound(high)}{')' if high_open else ']'}"
    elif low is not None:
        want = f" {'>' if low_open else '>='} {_format_bound(low)}"
    elif high is not None:
        want = f" {'<' if high_open else '<='} {_format_bound(high)}"
    else:
        want = ""
    ok = bool(np.isfinite(value))
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(f"{name} must be a finite number{want}; got {value!r}")
    return value


def check_bool(name: str, value: object) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (``numpy.bool_`` accepted) and return a ``bool``.

    Raises
    ------
    TypeError
        For anything else, ``0``, ``1`` and ``"yes"`` included.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool (True or False); got {_received(value)}")
    return bool(value)


def check_str(name: str, value: object, *, nonempty: bool = False) -> str:
    """Check that ``value`` is a ``str`` (and, with ``nonempty=True``, not ``""``); return it.

    Raises
    ------
    TypeError
        If ``value`` is not a str (``bytes`` and ``None`` included).
    ValueError
        If ``nonempty`` and ``value`` is empty.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str; got {_received(value)}")
    if nonempty and not value:
        raise ValueError(f"{name} must be a non-empty str; got ''")
    return value
