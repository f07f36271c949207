"""The machinery of the auto-checks: running hidden cases safely and printing feedback.

A check assumes that the learner's function is hostile, by mistake more often
than by design: it may edit its inputs in place, return anything, raise
anything, call ``sys.exit()``, loop for ever, or catch ``Exception`` around an
endless loop.  What this module guarantees:

* **Fresh inputs.** Every call of the learner's function gets its own
  ``copy.deepcopy`` of the case's arguments, so editing them in place changes
  nothing the check reads.
* **A frozen answer key.** Before the learner's function first runs, every case
  (its arguments, its expected values and anything its hints read) is
  deep-copied and frozen: the arrays are read-only (``flags.writeable =
  False``).  The hint code (``diagnose``) only reads these pristine copies,
  never the arrays the learner received.
* **No exception escapes.** Whatever the function returns (a scalar, ``None``,
  a string, a dict, strings or objects in an array, NaN, inf, a huge array, a
  generator, an object whose ``__array__``, ``__float__`` or ``__eq__``
  raises) and whatever it raises, including ``SystemExit``, the check prints a
  one-line message and returns a failed :class:`CheckResult`.  Reading the
  output and computing the hint run inside the same guard; if the hint code
  itself fails, the generic message is printed.  Only ``KeyboardInterrupt``
  (the learner stopping the kernel) goes through.
* **A time limit** of :data:`TIME_LIMIT` seconds per call (and again for reading
  the output).  When it is up, :class:`CheckTimeout` is raised inside the
  learner's code.

Limits of the time limit:

* It needs ``signal.setitimer``, so it works on POSIX (Linux, macOS) in the main
  thread, which is where a notebook cell, a script or pytest runs.  Elsewhere
  (Windows, a worker thread) there is no time limit, and a function that never
  returns hangs the check.
* :class:`CheckTimeout` derives from ``BaseException``, so ``except Exception:``
  in the learner's code does not swallow it, and after the limit the alarm is
  repeated every :data:`_REPEAT` seconds, so code that catches it once is hit
  again.  A loop with a bare ``except:`` (or ``except BaseException:``) that
  carries on can still swallow every repetition and hang: no pure-Python
  mechanism can stop that.
* A long computation inside one C routine (a huge matrix product) is stopped
  only when it returns to Python.
* The checks guard against mistakes, not against deliberate cheating (reading
  the checker's frames, patching NumPy).

Internal API for the chapter modules
------------------------------------
``_core`` is the checks package's own internal module: in the package, only
the modules of :mod:`rnnbook.checks` (``ch01`` to ``ch13``, and ``hidden``)
import from it.
Besides the public names of ``__all__``, which :mod:`rnnbook.checks`
re-exports, these names are its internal API for those modules; a chapter
module uses them (and no other underscore name of ``_core``, nor any private
name of another module), and a change to them is a change to every chapter's
checks:

* running hidden cases: :func:`_run_gradients` (the tuple of gradients of a
  backward step, ch05 and ch06), next to the public :func:`run_cases` and
  :func:`run_step_cases`;
* reading a learner's output inside a ``diagnose`` or an answer's check:
  :class:`_Reject`, :func:`_as_float_array`, :func:`_float_array_or_reject`
  and :func:`_kind`;
* hints shared by the cells' checks: :func:`gate_mixup_hint`, :func:`_close`,
  :func:`_order_hint`, :func:`_swap_shape_hint` and :func:`_weight_shape_hint`;
* for ``hidden`` only, which records the cases of the graded tests:
  ``_RECORDING`` (``None``, or while recording the list that every check
  appends its cases to instead of running them) and ``_ANSWERS`` (the answers
  of :func:`register_answer`, by exercise).

Every other underscore name here is private to this module.
"""
from __future__ import annotations

import copy
import decimal
import math
import numbers
import signal
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CheckResult", "CheckTimeout", "StepSpec", "answer", "register_answer", "registered", "run_cases",
           "run_step_cases", "TIME_LIMIT"]

#: Seconds a learner's function may run on one hidden case (read once, when a check starts).
TIME_LIMIT = 5.0

#: After the time limit, the alarm is repeated every ``_REPEAT`` seconds.
_REPEAT = 0.1

#: An output with more values than this is not converted: it is reported by its shape.
_MAX_VALUES = 10**7

#: The longest piece of an exception's message that is printed.
_MAX_MESSAGE = 200

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

    def assert_passed(self) -> None:
        """Raise ``AssertionError`` with the feedback text if the check failed; return ``None`` if it passed.

        Meant for autograder cells, where a failed check must fail the cell::

            checks.rnn_step(rnn_step, quiet=True).assert_passed()
        """
        if not self.passed:
            raise AssertionError(str(self) or f"{FAIL} {self.exercise}: the check failed.")


def _finish(exercise: str, passed: bool, lines: list[str], quiet: bool = False) -> CheckResult:
    result = CheckResult(exercise, passed, lines)
    if not quiet:
        print(result)
    return result


# --------------------------------------------------------------------------- the guard
class CheckTimeout(BaseException):
    """Raised inside the learner's code when the time limit is up.

    It derives from ``BaseException``, not ``Exception``, so that an ``except
    Exception:`` in the learner's code does not swallow it.
    """


def _guarded(thunk: Callable[[], Any], limit: float | None) -> tuple[str, Any]:
    """Run ``thunk()`` under a time limit of ``limit`` seconds (none if ``limit`` is None or <= 0).

    Returns ``(status, payload)``: ("ok", value), ("timeout", None), ("exit",
    SystemExit) or ("error", the exception).  Never raises, except
    ``KeyboardInterrupt``.  A timer that was running before (an outer guard, or
    pytest-timeout) is restored afterwards with the time it had left.
    """
    use_alarm = (limit is not None and limit > 0 and hasattr(signal, "setitimer")
                 and threading.current_thread() is threading.main_thread())
    armed = [False]

    def on_alarm(signum, frame):
        # Never raise inside this function's own frame: the clean-up below must finish.
        if armed[0] and (frame is None or frame.f_code is not _GUARD_CODE):
            raise CheckTimeout()

    old_handler, old_timer, started = None, (0.0, 0.0), time.monotonic()
    try:
        try:
            if use_alarm:
                old_handler = signal.signal(signal.SIGALRM, on_alarm)
                armed[0] = True
                old_timer = signal.setitimer(signal.ITIMER_REAL, limit, _REPEAT)
            return "ok", thunk()
        except CheckTimeout:
            return "timeout", None
        except KeyboardInterrupt:
            raise
        except SystemExit as exc:
            return "exit", exc
        except BaseException as exc:  # noqa: BLE001 -- the learner's error, reported without a traceback
            return "error", exc
        finally:
            armed[0] = False
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, signal.SIG_DFL if old_handler is None else old_handler)
                if old_timer[0] > 0:
                    left = old_timer[0] - (time.monotonic() - started)
                    signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), old_timer[1])
    except CheckTimeout:  # an alarm that slipped through between two statements above
        return "timeout", None


_GUARD_CODE = _guarded.__code__


def _one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _exception_text(exc: BaseException) -> str:
    """``Name: message`` of an exception on one short line, even if its ``__str__`` fails or hangs."""
    name = _safe(lambda: type(exc).__name__, "an exception")
    message = _safe(lambda: _one_line(str(exc)), "")
    return f"{name}: {message}" if message else name


def _safe(thunk: Callable[[], Any], fallback: Any, limit: float = 1.0) -> Any:
    """``thunk()``, or ``fallback`` if it raises or takes longer than ``limit`` seconds."""
    status, value = _guarded(thunk, limit)
    return value if status == "ok" else fallback


# --------------------------------------------------------------------------- describing values
def _a(name: str) -> str:
    """``name`` with its indefinite article: "a list", "an int"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _kind_unguarded(value: Any) -> str:
    if value is None:
        return "None"
    name = _a(type(value).__name__)
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"{name} of length {len(value)}"
    if isinstance(value, (types.GeneratorType, Iterator)):
        return f"{name} (an iterator)"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{name} of shape {tuple(value.shape)}"
    return name


def _kind(value: Any) -> str:
    """A short description of a value's type and shape, never its contents.  Never raises."""
    return _safe(lambda: _kind_unguarded(value),
                 _safe(lambda: _a(type(value).__name__), "an unreadable object"))


def _callable(fn: Any) -> bool:
    return _safe(lambda: callable(fn), False)


# --------------------------------------------------------------------------- fresh and frozen copies
def _freeze(value: Any) -> Any:
    """A deep copy of ``value`` whose arrays (also inside tuples, lists and dicts) are read-only."""
    value = copy.deepcopy(value)
    _make_read_only(value)
    return value


def _make_read_only(value: Any) -> None:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, Mapping):
        for v in value.values():
            _make_read_only(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _make_read_only(v)


def _fresh(value: Any) -> Any:
    """A deep copy for one call of the learner's function (its arrays are writeable again)."""
    return copy.deepcopy(value)


def _changed(value: Any, pristine: Any) -> bool:
    """Whether the learner's copy ``value`` of the arguments differs from the frozen ``pristine``."""
    if isinstance(pristine, np.ndarray):
        return not (isinstance(value, np.ndarray) and value.shape == pristine.shape
                    and np.array_equal(value, pristine, equal_nan=True))
    if isinstance(pristine, (list, tuple)):
        return (not isinstance(value, (list, tuple)) or len(value) != len(pristine)
                or any(_changed(v, p) for v, p in zip(value, pristine)))
    if isinstance(pristine, Mapping):
        return (not isinstance(value, Mapping) or set(value) != set(pristine)
                or any(_changed(value[k], pristine[k]) for k in pristine))
    return False


# --------------------------------------------------------------------------- reading the output
class _Reject(Exception):
    """Raised by a ``convert`` hook: the output has the wrong form; the message says why."""


def _float_array_or_reject(out: Any):
    """A learner's output as a float array, or a :class:`_Reject` with the reason (for ``run_cases(convert=...)``)."""
    arr, problem = _as_float_array(out)
    if problem:
        raise _Reject(problem)
    return arr


def _as_float_array(value: Any, expected_shape: tuple | None = None):
    """(array, None) if ``value`` converts to a finite float array, else (None, problem).

    Runs the learner's code (``__array__``, ``__float__``, ``__len__``...), so it
    must be called inside :func:`_guarded`; it lets those errors propagate.
    """
    if value is None:
        return None, "it is None: did you forget a `return`?"
    if isinstance(value, (str, bytes, Mapping, set, frozenset)):
        return None, f"it is {_kind(value)}, not numbers"
    if isinstance(value, (types.GeneratorType, Iterator)):
        return None, (f"it is {_kind(value)}, not numbers: build a list or an array from it, "
                      "e.g. np.array(list(...))")
    try:
        raw = np.asarray(value)
    except Exception:  # noqa: BLE001 -- any failure of the learner's object
        return None, f"it is {_kind(value)}, which does not convert to an array of numbers"
    if raw.dtype.kind in "USa":
        return None, f"it holds text (dtype {raw.dtype}), not numbers"
    if raw.dtype.kind == "c":
        return None, f"it holds complex numbers (dtype {raw.dtype}); the answer is real"
    if raw.dtype.kind in "VMm":
        return None, f"it is {_kind(value)} with dtype {raw.dtype}, not plain numbers"
    if raw.size > _MAX_VALUES and (expected_shape is None or raw.shape != tuple(expected_shape)):
        where = f"; expected shape {tuple(expected_shape)}" if expected_shape is not None else ""
        return None, f"it has shape {raw.shape}, {raw.size:,} values{where}"
    if raw.dtype.kind == "O" and not all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in raw.flat):
        return None, (f"it is {_kind(value)}, which is not an array of numbers (NumPy makes an array of "
                      "dtype object from it: look for None, text, or arrays of different shapes)")
    try:
        arr = np.array(raw, dtype=np.float64)  # a copy, a plain ndarray
    except Exception:  # noqa: BLE001
        return None, f"it is {_kind(value)}, which does not convert to an array of numbers"
    if np.isnan(arr).any():
        return None, "it contains NaN: look for 0/0 or a mean over an empty selection"
    if np.isinf(arr).any():
        return None, "it contains inf: look for a division by zero or an overflow"
    return arr, None


def _hint(diagnose: Callable | None, *args) -> str | None:
    """The hint of ``diagnose(*args)``, or None if there is none or the hint code fails."""
    if diagnose is None:
        return None
    try:
        hint = diagnose(*args)
    except Exception:  # noqa: BLE001 -- a failing hint falls back to the generic message
        return None
    return hint if isinstance(hint, str) and hint else None


def _call(fn: Callable, args: tuple, kwargs: dict | None = None, limit: float | None = None, *,
          copy_args: bool = True):
    """Run ``fn(*args, **kwargs)`` (on fresh copies of the arguments unless ``copy_args`` is False).

    Returns (ok, value_or_message).  Never raises (except ``KeyboardInterrupt``).
    """
    limit = TIME_LIMIT if limit is None else limit
    if copy_args:
        args, kwargs = _fresh(tuple(args)), _fresh(dict(kwargs or {}))
    kwargs = kwargs or {}
    status, payload = _guarded(lambda: fn(*args, **kwargs), limit)
    if status == "ok":
        return True, payload
    if status == "timeout":
        return False, f"your function did not return within {limit:g} s (an endless loop?)"
    if status == "exit":
        return False, "your function called exit() or sys.exit(): return a value instead"
    if _safe(lambda: isinstance(payload, NotImplementedError), False):
        return False, "not implemented yet: replace `raise NotImplementedError()` with your code"
    return False, f"your function raised {_exception_text(payload)}"


# --------------------------------------------------------------------------- running cases
#: While not None, :func:`_run` appends (exercise, cases) here instead of running them.
_RECORDING: list | None = None


def _run(exercise: str, fn: Any, cases: Sequence[dict], evaluate: Callable, quiet: bool) -> CheckResult:
    """Freeze the cases, call ``fn`` on each and judge its output with ``evaluate(case, out, where)``.

    ``evaluate`` returns None (the case passes) or the failure line; it runs
    under the time limit, and whatever goes wrong in it becomes a message.
    """
    if _RECORDING is not None:   # building hidden tests (rnnbook.checks.hidden): keep the cases, call nothing
        _RECORDING.append((exercise, copy.deepcopy(list(cases))))
        return CheckResult(exercise, True, [])

    def body():
        if not _callable(fn):
            return False, [f"{FAIL} {exercise}: expected a function, got {_kind(fn)}. "
                           "Pass the function itself, without calling it: check(my_function)."]
        # Everything the check reads is copied and frozen before the learner's code first runs,
        # and so is the time limit: code that raises TIME_LIMIT during a call changes no later call.
        limit = float(TIME_LIMIT)
        frozen = [_freeze(case) for case in cases]
        for k, case in enumerate(frozen, 1):
            where = f"{FAIL} {exercise}, hidden case {k} of {len(frozen)} ({case['label']})"
            args = _fresh(tuple(case["args"]))  # the learner's own copy, for this call only
            ok, out = _call(fn, args, limit=limit, copy_args=False)
            if not ok:
                return False, [_one_line(f"{where}: {out}", 2000)]
            status, line = _guarded(lambda: evaluate(case, out, where), limit)
            if status == "timeout":
                line = f"{where}: reading your output took longer than {limit:g} s; return {case['shape_desc']}."
            elif status != "ok":
                line = (f"{where}: your output ({_kind(out)}) could not be read as numbers; "
                        f"return {case['shape_desc']}.")
            if line is not None:
                if _safe(lambda: _changed(args, case["args"]), False):
                    line += (" Note: your function changed its input arrays in place; leave them as they are "
                             "and build new arrays (or work on copies, x = x.copy()).")
                return False, [_one_line(line, 2000)]
        return True, [f"{PASS} {exercise}: all {len(frozen)} hidden cases pass."]

    status, payload = _guarded(body, None)
    if status == "ok":
        passed, lines = payload
    else:  # a failure of the check itself: still a message, never a traceback
        passed, lines = False, [f"{FAIL} {exercise}: the check could not finish ({_exception_text(payload)})."
                                if payload is not None else f"{FAIL} {exercise}: the check could not finish."]
    return _finish(exercise, passed, lines, quiet)


def _array_verdict(out: Any, expected: np.ndarray, shape_desc: str, what: str,
                   hint_of: Callable[[np.ndarray], str | None], tol: tuple = (1e-6, 1e-8)) -> str | None:
    """None if ``out`` equals ``expected`` within ``tol`` = (rtol, atol), else what is wrong with ``what``."""
    arr, problem = _as_float_array(out, expected.shape)
    if problem:
        return f"{what} is wrong: {problem}"
    if arr.shape != expected.shape:
        hint = hint_of(arr)
        return (f"{what} has shape {arr.shape}; expected shape {expected.shape} ({shape_desc})."
                + (f" Hint: {hint}" if hint else ""))
    if not np.allclose(arr, expected, rtol=tol[0], atol=tol[1]):
        hint = hint_of(arr) or "compare your output with a small example worked by hand."
        lead = "" if what == "your output" else f"{what}: "
        return f"{lead}the shape is right but the values are not. Hint: {hint}"
    return None


def run_cases(exercise: str, fn: Any, cases: Sequence[dict], diagnose: Callable, quiet: bool,
              convert: Callable | None = None) -> CheckResult:
    """Run hidden cases, each a dict with ``label``, ``args``, ``expected`` (an array) and ``shape_desc``.

    Each call of ``fn`` gets a fresh deep copy of ``args``; the cases are
    deep-copied and frozen before the first call.  ``convert(out)``, if given,
    turns the learner's output into what is compared (it may raise
    ``_Reject(message)``); ``diagnose(case, out, expected)`` returns a hint or
    None and only sees the frozen case.  The output is compared with
    ``expected`` as a float array (rtol 1e-6, atol 1e-8, or the case's ``tol`` = (rtol, atol)).

    Whatever ``fn`` returns or raises, the check prints one line and returns a
    :class:`CheckResult`; it never raises (except ``KeyboardInterrupt``).  Each
    call of ``fn``, and the reading of each output, has :data:`TIME_LIMIT`
    seconds; the limit is enforced only in the main thread on POSIX
    (``signal.setitimer``), elsewhere there is none.  It raises
    :class:`CheckTimeout` (a ``BaseException``) in the learner's code and
    repeats it every 0.1 s; only a bare ``except:`` or ``except BaseException:``
    that carries on can swallow it.
    """
    def evaluate(case, out, where):
        expected = np.array(case["expected"], dtype=float)
        expected.flags.writeable = False
        if convert is not None:
            try:
                out = convert(out)
            except _Reject as exc:
                return f"{where}: your output is wrong: {exc}"
        line = _array_verdict(out, expected, case["shape_desc"], "your output",
                              lambda arr: _hint(diagnose, case, arr, expected), case.get("tol", (1e-6, 1e-8)))
        return None if line is None else f"{where}: {line}"

    return _run(exercise, fn, cases, evaluate, quiet)


# --------------------------------------------------------------------------- the Step contract
@dataclass(frozen=True)
class StepSpec:
    """What a cell's step function must return: ``Step(h, state, gates)``.

    ``cell`` names the cell in messages ("a SimpleRNN"), ``example`` is a
    ``return Step(...)`` line, ``state_names`` names the arrays of ``state``
    (("h_t",) or ("h_t", "c_t")) and ``gates`` maps each required gate key to
    what it holds.
    """

    cell: str
    example: str
    state_names: tuple
    gates: dict


def _step_text(spec: StepSpec) -> str:
    return f"return a Step(h, state, gates), e.g. `{spec.example}` — `from rnnbook.cells import Step`"


def _state_text(spec: StepSpec) -> str:
    if len(spec.state_names) == 1:
        return f"({spec.state_names[0]},) — mind the comma: ({spec.state_names[0]}) is not a tuple"
    return "(" + ", ".join(spec.state_names) + ")"


def _gates_text(spec: StepSpec) -> str:
    if not spec.gates:
        return f"{{}} ({spec.cell} has no gates)"
    return "{" + ", ".join(f"{k!r}: {desc}" for k, desc in spec.gates.items()) + "}"


def _split_step(out: Any, spec: StepSpec, expected_h: np.ndarray):
    """``((h, state, gates), None)`` from a Step or any 3-sequence, else ``(None, problem)``."""
    if out is None:
        return None, f"it is None: did you forget a `return`? {_step_text(spec)}."
    if isinstance(out, (tuple, list)) and len(out) == 3:
        return (out[0], out[1], out[2]), None
    note = ""
    arr, _ = _as_float_array(out)
    if arr is not None and arr.shape == expected_h.shape and np.allclose(arr, expected_h, rtol=1e-6, atol=1e-8):
        note = " (its values of h_t are right)"
    return None, f"your function returned {_kind(out)}{note}; {_step_text(spec)}."


def run_step_cases(exercise: str, fn: Any, cases: Sequence[dict], diagnose: Callable, quiet: bool,
                   spec: StepSpec) -> CheckResult:
    """Run hidden cases of a cell's step function, which must return ``Step(h, state, gates)``.

    Each case holds ``label``, ``args``, ``shape_desc`` and ``expected = (h,
    state, gates)``: an array, a tuple of arrays and a dict of arrays.  A
    ``Step`` or any 3-sequence (h, state, gates), in that order, is accepted;
    ``h``, every array of ``state`` and every gate of ``spec.gates`` (all keys
    required, extra keys ignored) are compared in that order.  The first wrong
    part is reported, with the hint of ``diagnose(case, part, out, expected,
    parts)``, where ``part`` is "h", "state[k]" or "gates[key]", ``out`` that
    part of the learner's output as a float array and ``parts`` the learner's
    ``(h, state, gates)``.  Guarantees and limits as :func:`run_cases`.
    """
    def evaluate(case, out, where):
        exp_h, exp_state, exp_gates = case["expected"]
        exp_h = np.array(exp_h, dtype=float)
        split, problem = _split_step(out, spec, exp_h)
        if problem:
            return f"{where}: {problem}"
        h, state, gates = split
        parts = (h, state, gates)

        def check(part, value, expected, what):
            expected = np.array(expected, dtype=float)
            expected.flags.writeable = False
            line = _array_verdict(value, expected, case["shape_desc"], what,
                                  lambda arr: _hint(diagnose, case, part, arr, expected, parts))
            return None if line is None else f"{where}: {line}"

        line = check("h", h, exp_h, "h (the first field of your Step)")
        if line:
            return line
        if not isinstance(state, (tuple, list)):
            return (f"{where}: state, the second field of your Step, is {_kind(state)}; "
                    f"it must be a tuple: {_state_text(spec)}.")
        if len(state) != len(exp_state):
            return (f"{where}: state, the second field of your Step, holds {len(state)} "
                    f"value{'s' if len(state) != 1 else ''}; the state of {spec.cell} step is {_state_text(spec)}.")
        for k, (value, expected) in enumerate(zip(state, exp_state)):
            line = check(f"state[{k}]", value, expected, f"state[{k}] ({spec.state_names[k]})")
            if line:
                return line
        if not isinstance(gates, Mapping):
            return (f"{where}: gates, the third field of your Step, is {_kind(gates)}; "
                    f"it must be a dict: {_gates_text(spec)}.")
        for key in spec.gates:
            if key not in gates:
                return (f"{where}: gates has no key {key!r}; the gates of {spec.cell} step are "
                        f"{_gates_text(spec)}.")
        for key in spec.gates:
            line = check(f"gates[{key!r}]", gates[key], exp_gates[key], f"gates[{key!r}] ({spec.gates[key]})")
            if line:
                return line
        return None

    return _run(exercise, fn, cases, evaluate, quiet)


def gate_mixup_hint(key: str, out: np.ndarray, expected_gates: Mapping) -> str | None:
    """A hint when the learner's gate ``key`` holds the values of another expected gate."""
    for other, value in expected_gates.items():
        if other != key and np.shape(value) == out.shape and np.allclose(out, value, rtol=1e-6, atol=1e-8):
            return (f"gates[{key!r}] holds the values that belong under {other!r}: "
                    "check which value goes with which key.")
    return None


# --------------------------------------------------------------------------- backward steps (ex5-6 and ex6-6)
def _close(a, b) -> bool:
    """Whether ``a`` and ``b`` have the same shape and close values (rtol 1e-6, atol 1e-8)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-8))


def _run_gradients(exercise: str, fn, cases: Sequence[dict], names: Sequence[str], diagnose: Callable,
                   quiet: bool) -> CheckResult:
    """Run hidden cases of a backward step, which returns the tuple of gradients ``names``, in that order.

    Each case holds ``label``, ``args``, ``expected`` (one array per name),
    ``shapes`` (one shape description per name) and ``shape_desc`` (the whole
    tuple).  Any tuple or list of the right length is accepted; its gradients
    are compared in turn (rtol 1e-6, atol 1e-8) and the first wrong one is
    reported, with the hint of ``diagnose(case, name, out, expected)``, where
    ``out`` is the learner's gradient as a float array.  The guarantees (fresh
    copies, a frozen answer key, a time limit, no exception escapes) are those
    of :func:`rnnbook.checks.run_cases`.
    """
    wanted = "(" + ", ".join(names) + ")"

    def evaluate(case, out, where):
        if out is None:
            return f"{where}: your function returned None: did you forget a `return`? Return the tuple {wanted}."
        if isinstance(out, Mapping) or not isinstance(out, (tuple, list)):
            return (f"{where}: your function returned {_kind(out)}; return the {len(names)} gradients "
                    f"as a tuple {wanted}.")
        if len(out) != len(names):
            return (f"{where}: your function returned {_kind(out)}; return the {len(names)} gradients "
                    f"{wanted}, in that order.")
        for k, name in enumerate(names):
            expected = np.array(case["expected"][k], dtype=float)
            expected.flags.writeable = False
            line = _array_verdict(out[k], expected, case["shapes"][k], name,
                                  lambda arr: _hint(diagnose, case, name, arr, expected))
            if line is not None:
                return f"{where}: {line}"
        return None

    return _run(exercise, fn, cases, evaluate, quiet)


def _order_hint(name: str, out: np.ndarray, names: Sequence[str], expected: Sequence) -> str | None:
    """A hint when the learner's gradient ``name`` holds the values of another gradient of the tuple."""
    for other, value in zip(names, expected):
        if other != name and np.shape(value) == out.shape and _close(out, value):
            return (f"these are the values of {other}: return the gradients in the order "
                    "(" + ", ".join(names) + ").")
    return None


def _swap_shape_hint(name: str, out: np.ndarray, x_shape: tuple, h_shape: tuple, names: Sequence[str]) -> str | None:
    """A hint when dx_t has the shape of h_{t-1} or the reverse (features != units): the order of the tuple."""
    order = "(" + ", ".join(names) + ")"
    if name == "dx_t" and out.shape == h_shape:
        return (f"dx_t has one column per input feature, [batch, features]; [batch, units] is the shape of "
                f"dh_prev: return the gradients in the order {order}.")
    if name in ("dh_prev", "dc_prev") and out.shape == x_shape:
        return (f"{name} has one column per unit, [batch, units]; [batch, features] is the shape of dx_t: "
                f"return the gradients in the order {order}.")
    return None


def _weight_shape_hint(name: str, out: np.ndarray, expected: np.ndarray, batch: int, what: str) -> str | None:
    """Hints for a weight gradient (dW, dU, db) of the wrong shape."""
    if name == "db":
        if out.shape == (batch,) + expected.shape:
            return "db has the shape of b: sum da over the batch (axis 0)."
        return None
    if out.shape == expected.shape[::-1]:
        return f"{name} is transposed: it has the shape of the kernel, so compute {what}.T @ da."
    if out.shape == (batch,) + expected.shape:
        return f"sum over the batch: {what}.T @ da adds up the examples' contributions in one product."
    return None


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
    """Check a numeric or shape answer to the exercise labelled ``exercise`` (e.g. ``"ex1-1"``).

    Whatever ``value`` is (also an object whose ``__eq__``, ``__float__`` or
    ``shape`` raises or hangs), it prints one line and returns a
    :class:`CheckResult`; it never raises (except ``KeyboardInterrupt``).
    Reading the value has :data:`TIME_LIMIT` seconds, with the limits described
    in :func:`run_cases`.
    """
    status, payload = _guarded(lambda: _answer(exercise, value), None)
    if status == "ok":
        label, passed, line = payload
    else:  # a failure of the check itself: still a message, never a traceback
        label, passed = "?", False
        line = f"{FAIL} the answer could not be checked ({_exception_text(payload) if payload else 'interrupted'})."
    return _finish(label, passed, [line], quiet)


def _answer(exercise: Any, value: Any) -> tuple[str, bool, str]:
    label = str(str.__str__(exercise)) if type(exercise) is str or isinstance(exercise, str) else None
    if label is None or label not in _ANSWERS:
        shown = repr(label) if label is not None else _kind(exercise)
        return label or "?", False, (f"{FAIL} there is no checked exercise {_one_line(shown, 60)}; "
                                     f"the checked ones are {', '.join(registered())}.")
    key = _ANSWERS[label]
    check = _check_shape_answer if key.kind == "shape" else _check_number_answer
    limit = float(TIME_LIMIT)
    status, payload = _guarded(lambda: check(label, key, value), limit)
    if status == "ok":
        return (label, *payload)
    if status == "timeout":
        return label, False, f"{FAIL} {label}: reading your answer took longer than {limit:g} s."
    expected = "a shape, a tuple of ints such as (2, 3, 4)" if key.kind == "shape" else "a number"
    return label, False, f"{FAIL} {label}: expected {expected}; {_kind(value)} could not be read."


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _check_shape_answer(exercise, key, value):
    if hasattr(value, "shape") and not isinstance(value, tuple):
        value = tuple(value.shape)
    if not isinstance(value, (tuple, list)) or not all(_is_int(v) for v in value):
        return False, f"{FAIL} {exercise}: expected a shape, a tuple of ints such as (2, 3, 4); got {_kind(value)}."
    value = tuple(int(v) for v in value)
    if not all(type(v) is int for v in value):  # an int subclass whose __int__ misbehaves
        return False, f"{FAIL} {exercise}: expected a shape, a tuple of ints such as (2, 3, 4)."
    if value == key.expected:
        return True, f"{PASS} {exercise}: correct."
    for wrong, hint in key.wrong:
        if value == wrong:
            return False, f"{FAIL} {exercise}: not quite. Hint: {hint}"
    if len(value) != len(key.expected):
        return False, f"{FAIL} {exercise}: your shape has {len(value)} axes; the answer has {len(key.expected)}."
    if sorted(value) == sorted(key.expected):
        return False, f"{FAIL} {exercise}: the right sizes, in the wrong order: [batch, steps, features]."
    return False, f"{FAIL} {exercise}: not this shape; name what each axis counts, then try again."


def _number_or_none(value: Any) -> float | None:
    """``value`` as a float when it is a real number (also a 0-d or one-element array,
    ``Decimal`` or ``Fraction``); None for anything else, booleans included."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        value = value.reshape(()).item()
    elif isinstance(value, np.ndarray):
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, decimal.Decimal, np.integer,
                                                                      np.floating)):
        return None
    try:
        number = float(value)
    except OverflowError:
        number = math.inf if value > 0 else -math.inf
    return number if type(number) is float else None  # a float subclass whose __float__ misbehaves


def _decimals_given(value: Any) -> int | None:
    """How many decimals a learner typed (2.58 -> 2), when ``value`` is a plain Python float; else None."""
    if type(value) is not float or not math.isfinite(value):
        return None
    text = repr(value)
    if "e" in text or "E" in text:
        return None
    return len(text.split(".")[1]) if "." in text else 0


def _check_number_answer(exercise, key, value):
    number = _number_or_none(value)
    if number is None:
        return False, f"{FAIL} {exercise}: expected a number, got {_kind(value)}."
    if math.isnan(number) or math.isinf(number):
        return False, f"{FAIL} {exercise}: your answer is {number}; expected a finite number."
    if math.isclose(number, key.expected, rel_tol=key.rtol, abs_tol=1e-9):
        return True, f"{PASS} {exercise}: correct."
    for wrong, hint in key.wrong:
        if math.isclose(number, wrong, rel_tol=key.rtol, abs_tol=1e-9):
            return False, f"{FAIL} {exercise}: not quite. Hint: {hint}"
    decimals = _decimals_given(value)
    if decimals is not None and round(float(key.expected), decimals) == number:
        return False, (f"{FAIL} {exercise}: right to the {decimals} decimal{'s' if decimals != 1 else ''} you gave; "
                       f"give more digits (the check wants a relative error below {key.rtol:g}), "
                       "or better, the value your code computes.")
    direction = "too large" if number > key.expected else "too small"
    return False, f"{FAIL} {exercise}: your answer is {direction}."
