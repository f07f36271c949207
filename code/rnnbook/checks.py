"""Auto-checks for the book's exercises.

A learner calls a check on an answer (``checks.answer("ex1-1", value)``) or on a
function they wrote (``checks.seasonal_naive(my_function)``).  The check runs
hidden cases and prints feedback: which case failed, what was expected in shape
and kind, and a hint about the likely mistake.  It never prints the expected
values themselves, and no exception from the learner's code (or from inside
this module) escapes: ``None``, a wrong type, NaN, a function that raises or
one that runs past the time limit all become a message.

Every check returns a :class:`CheckResult` (truthy when everything passed),
which shows nothing more in a notebook since the feedback is already printed.
"""
from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CheckResult", "answer", "seasonal_naive", "masked_mean", "TIME_LIMIT", "registered"]

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


def _run_cases(exercise: str, fn: Any, cases: Sequence[dict], diagnose: Callable, quiet: bool) -> CheckResult:
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


_ANSWERS: dict[str, _Answer] = {
    # Chapter 1
    "ex1-1": _Answer((32, 20, 50), "shape", wrong=(
        ((20, 32, 50), "the batch comes first: [batch, steps, features]."),
        ((32, 50, 20), "the features of one step come last: [batch, steps, features]."),
        ((640, 50), "that is the tensor flattened over time; an RNN keeps batch and steps apart."),
        ((32, 20), "each word is a vector, so there is a third axis for its features."),
    )),
    "ex1-3": _Answer(298, "number", rtol=0.0, wrong=(
        (299, "off by one: the last window needs `horizon` values after it."),
        (297, "off by one: count the start indices i with i + window + horizon <= n."),
        (309, "that is the length of the series; each window needs window + horizon values."),
    )),
}


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


# --------------------------------------------------------------------------- chapter 1 functions
def _series(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(size=n).cumsum() + 10 * np.sin(np.arange(n) / 2), 3)


def seasonal_naive(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(series, start, period)``: one-step seasonal-naive forecasts of ``series[start:]``."""
    cases = []
    for k, (n, start, period) in enumerate([(12, 8, 4), (30, 20, 7), (25, 24, 1), (40, 12, 12)]):
        s = _series(n, k)
        cases.append(dict(label=f"series of length {n}, start={start}, period={period}",
                          args=(s, start, period), expected=s[start - period:n - period],
                          shape_desc="one forecast per value of series[start:]"))

    def diagnose(case, out, expected):
        s, start, period = case["args"]
        if out.shape[0] == expected.shape[0] + 1 or out.shape[0] == expected.shape[0] - 1:
            return "off by one in the length: you need a forecast for each index t from start to len(series) - 1."
        if out.shape == expected.shape:
            if period != 1 and np.allclose(out, s[start - 1:len(s) - 1]):
                return "that is the plain naive forecast (one step back); look back a whole season: series[t - period]."
            for shift, what in ((period - 1, "period - 1"), (period + 1, "period + 1")):
                if 0 < shift <= start and np.allclose(out, s[start - shift:len(s) - shift]):
                    return f"your forecasts look back {what} steps; the value one season earlier is series[t - period]."
            if np.allclose(out, s[start:]):
                return "you returned the values to be forecast themselves: a forecast may only use the past."
        return None

    return _run_cases("ex1-2", fn, cases, diagnose, quiet)


def masked_mean(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(x, mask)``: the mean over the real (unmasked) steps of each sequence.

    ``x`` has shape [batch, steps, features] and ``mask`` [batch, steps] (1 = real step);
    the answer has shape [batch, features].
    """
    cases = []
    rng = np.random.default_rng(7)
    for b, t, f in [(2, 4, 1), (3, 5, 2), (4, 6, 3)]:
        x = np.round(rng.normal(size=(b, t, f)), 3)
        lengths = rng.integers(1, t + 1, size=b)
        lengths[0] = t - 1 if t > 1 else 1
        mask = (np.arange(t)[None, :] < lengths[:, None]).astype(float)
        x = x * mask[..., None]  # padded steps hold zeros, as after padding
        expected = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        cases.append(dict(label=f"batch={b}, steps={t}, features={f}, lengths={lengths.tolist()}",
                          args=(x, mask), expected=expected, shape_desc="[batch, features]"))

    def diagnose(case, out, expected):
        x, mask = case["args"]
        if out.shape == (x.shape[0],):
            return "average over the steps axis (axis 1) only, keeping the features axis: keepdims or sum(axis=1)."
        if out.shape == (x.shape[0], x.shape[1]):
            return "you averaged over the features axis; average over the steps axis (axis 1) instead."
        if out.shape == (x.shape[1], x.shape[2]) or out.shape == (x.shape[2],):
            return "you averaged over the batch; each sequence needs its own mean."
        if out.shape == expected.shape and np.allclose(out, x.mean(axis=1)):
            return "you divided by the padded length; divide by the number of real steps, mask.sum(axis=1)."
        return None

    return _run_cases("ex1-4", fn, cases, diagnose, quiet)
