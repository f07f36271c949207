"""The machinery of the auto-checks: running hidden cases safely and printing feedback."""
from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CheckResult", "answer", "register_answer", "registered", "run_cases", "TIME_LIMIT"]

#: Seconds a learner's function may run on one hidden case.
TIME_LIMIT = 5.0

PASS, FAIL = "✓", "✗"


@dataclass
class CheckResult:
    """The outcome of one check: ``passed`` and the feedback ``lines`` that were printed."""

    exercise: str
    passed: bool
    lines: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def _ipython_display_(self) -> None:  # the feedback was printed already
        return None


def _finish(exercise: str, passed: bool, lines: list[str], quiet: bool = False) -> CheckResult:
    result = CheckResult(exercise, passed, lines)
    if not quiet:
        print(result)
    return result


# --------------------------------------------------------------------------- describing values
def _kind(value: Any) -> str:
    """A short description of a value's type and shape, never its contents."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"a {type(value).__name__} of shape {tuple(value.shape)}"
    return f"a {type(value).__name__}"


class _Timeout(Exception):
    pass


def _call(fn: Callable, args: tuple, kwargs: dict | None = None, limit: float = None):
    """Run ``fn(*args, **kwargs)``; return (ok, value_or_message).  Never raises."""
    limit = TIME_LIMIT if limit is None else limit
    kwargs = kwargs or {}
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    def on_alarm(signum, frame):
        raise _Timeout()

    old = None
    try:
        if use_alarm:
            old = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, limit)
        return True, fn(*args, **kwargs)
    except _Timeout:
        return False, f"your function did not return within {limit:g} s (an endless loop?)"
    except NotImplementedError:
        return False, "not implemented yet: replace `raise NotImplementedError()` with your code"
    except Exception as exc:  # the learner's error, reported without a traceback
        return False, f"your function raised {type(exc).__name__}: {exc}"
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def _as_float_array(value: Any):
    """(array, None) if ``value`` converts to a finite float array, else (None, problem)."""
    if value is None:
        return None, "it is None: did you forget a `return`?"
    if isinstance(value, (str, bytes, dict, set)):
        return None, f"it is {_kind(value)}, not numbers"
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"it is {_kind(value)}, which does not convert to an array of numbers"
    if np.isnan(arr).any():
        return None, "it contains NaN: look for 0/0 or a mean over an empty selection"
    if np.isinf(arr).any():
        return None, "it contains inf: look for a division by zero"
    return arr, None


def run_cases(exercise: str, fn: Any, cases: Sequence[dict], diagnose: Callable, quiet: bool) -> CheckResult:
    """Run hidden cases, each a dict with ``label``, ``args`` and ``expected`` (an array)."""
    if not callable(fn):
        return _finish(exercise, False, [f"{FAIL} {exercise}: expected a function, got {_kind(fn)}. "
                                         "Pass the function itself, without calling it: check(my_function)."], quiet)
    for k, case in enumerate(cases, 1):
        where = f"{FAIL} {exercise}, hidden case {k} of {len(cases)} ({case['label']})"
        ok, out = _call(fn, case["args"])
        if not ok:
            return _finish(exercise, False, [f"{where}: {out}"], quiet)
        arr, problem = _as_float_array(out)
        expected = np.asarray(case["expected"], dtype=float)
        if problem:
            return _finish(exercise, False, [f"{where}: your output is wrong: {problem}"], quiet)
        if arr.shape != expected.shape:
            hint = diagnose(case, arr, expected) or ""
            return _finish(exercise, False, [
                f"{where}: your output has shape {arr.shape}; expected shape {expected.shape} ({case['shape_desc']})."
                + (f" Hint: {hint}" if hint else "")], quiet)
        if not np.allclose(arr, expected, rtol=1e-6, atol=1e-8):
            hint = diagnose(case, arr, expected) or "compare your output with a small example worked by hand."
            return _finish(exercise, False, [f"{where}: the shape is right but the values are not. Hint: {hint}"], quiet)
    return _finish(exercise, True, [f"{PASS} {exercise}: all {len(cases)} hidden cases pass."], quiet)


# --------------------------------------------------------------------------- answers with a value
@dataclass(frozen=True)
class _Answer:
    expected: Any               # a number or a tuple of ints
    kind: str                   # "number" or "shape"
    rtol: float = 1e-3
    wrong: tuple = ()           # (plausible wrong value, hint) pairs


_ANSWERS: dict[str, _Answer] = {}


def register_answer(exercise: str, expected: Any, kind: str, rtol: float = 1e-3, wrong: tuple = ()) -> None:
    """Register the answer key of a numeric (``kind="number"``) or shape (``kind="shape"``) exercise.

    ``wrong`` holds (plausible wrong value, hint) pairs: the hint is printed when a
    learner's answer equals that value.
    """
    if kind not in ("number", "shape"):
        raise ValueError(f"kind must be 'number' or 'shape', got {kind!r}")
    if exercise in _ANSWERS:
        raise ValueError(f"exercise {exercise!r} is registered twice")
    _ANSWERS[exercise] = _Answer(expected, kind, rtol, tuple(wrong))


def registered() -> list[str]:
    """The exercise labels that :func:`answer` can check."""
    return sorted(_ANSWERS)


def answer(exercise: str, value: Any, *, quiet: bool = False) -> CheckResult:
    """Check a numeric or shape answer to the exercise labelled ``exercise`` (e.g. ``"ex1-1"``)."""
    if not isinstance(exercise, str) or exercise not in _ANSWERS:
        return _finish(str(exercise), False, [
            f"{FAIL} there is no checked exercise {exercise!r}; the checked ones are {', '.join(registered())}."], quiet)
    key = _ANSWERS[exercise]
    if key.kind == "shape":
        return _check_shape_answer(exercise, key, value, quiet)
    return _check_number_answer(exercise, key, value, quiet)


def _check_shape_answer(exercise, key, value, quiet):
    if hasattr(value, "shape") and not isinstance(value, tuple):
        value = tuple(value.shape)
    if not isinstance(value, (tuple, list)) or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return _finish(exercise, False, [
            f"{FAIL} {exercise}: expected a shape, a tuple of ints such as (2, 3, 4); got {_kind(value)}."], quiet)
    value = tuple(int(v) for v in value)
    if value == key.expected:
        return _finish(exercise, True, [f"{PASS} {exercise}: correct."], quiet)
    for wrong, hint in key.wrong:
        if value == wrong:
            return _finish(exercise, False, [f"{FAIL} {exercise}: not quite. Hint: {hint}"], quiet)
    if len(value) != len(key.expected):
        return _finish(exercise, False, [
            f"{FAIL} {exercise}: your shape has {len(value)} axes; the answer has {len(key.expected)}."], quiet)
    if sorted(value) == sorted(key.expected):
        return _finish(exercise, False, [f"{FAIL} {exercise}: the right sizes, in the wrong order: "
                                         "[batch, steps, features]."], quiet)
    return _finish(exercise, False, [f"{FAIL} {exercise}: not this shape; name what each axis counts, then try again."], quiet)


def _check_number_answer(exercise, key, value, quiet):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return _finish(exercise, False, [f"{FAIL} {exercise}: expected a number, got {_kind(value)}."], quiet)
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return _finish(exercise, False, [f"{FAIL} {exercise}: your answer is {value}; expected a finite number."], quiet)
    if math.isclose(value, key.expected, rel_tol=key.rtol, abs_tol=1e-9):
        return _finish(exercise, True, [f"{PASS} {exercise}: correct."], quiet)
    for wrong, hint in key.wrong:
        if math.isclose(value, wrong, rel_tol=key.rtol, abs_tol=1e-9):
            return _finish(exercise, False, [f"{FAIL} {exercise}: not quite. Hint: {hint}"], quiet)
    direction = "too large" if value > key.expected else "too small"
    return _finish(exercise, False, [f"{FAIL} {exercise}: your answer is {direction}."], quiet)


