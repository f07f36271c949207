"""Hidden tests for nbgrader: the auto-checks' cases written into the test cell itself.

The checks of :mod:`rnnbook.checks` run in the learner's own kernel, next to the
learner's code, and carry their answer key with them.  They are feedback, not
grading: a learner can patch them (``CheckResult.assert_passed = lambda self:
None``) or read their tables.  For grading, :func:`hidden_block` writes a test
that does not depend on the package at all:

* the cases are those of the check, but drawn with other random seeds (a *salt*,
  chosen when the course is generated), so that they appear nowhere in the
  package, and their inputs and expected values are written into the cell as
  literals (NumPy arrays as base64 ``.npy`` bytes);
* the learner's function is called on every hidden input first; only then are
  the expected values decoded, and the outputs are compared with plain NumPy
  (``numpy.allclose``, rtol 1e-6 and atol 1e-8 as the checks use, unless the check
  sets another tolerance);
* nbgrader removes the block from the released notebook (``### BEGIN HIDDEN
  TESTS`` ... ``### END HIDDEN TESTS``) and puts it back from its database when it
  grades, so the learner never sees it.

What this does not stop: code in the learner's kernel that reads the running
cell's own source or code object (``sys._getframe``, ``gc``, IPython's input
history) can find the expected values once the block runs, and code that patches
NumPy itself can make any comparison pass.  No test that runs in the learner's
own kernel can stop that; the instructor guide says so.

A check whose cases use no random numbers is given extra random cases in its
chapter module, so that every check has hidden cases of its own (a test checks
that the salted cases differ from the visible ones for every check).
"""
from __future__ import annotations

import ast
import base64
import contextlib
import io
import math
import pickle
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _core

__all__ = ["record_cases", "hidden_cases", "hidden_block", "hidden_answer_block", "CHECKS"]

#: The function checks, by the name a notebook calls them with (``checks.<name>(fn)``).
CHECKS = ("seasonal_naive", "masked_mean", "rnn_step", "rnn_forward", "step_backward", "tbptt_windows",
          "clip_global", "lstm_step", "lstm_backward_step", "gru_step", "gru_backward_step",
          "sorted_padded_steps", "encode_padded", "perplexity", "sampling_distribution", "teacher_forcing_arrays",
          "per_position_accuracy", "beam_step", "attention_weights")


@contextlib.contextmanager
def _salted_rng(salt: int | None):
    """``numpy.random.default_rng(seed)`` seeded with ``[salt, seed]`` for an int seed, while inside."""
    original = np.random.default_rng
    if salt is None:
        yield
        return

    def salted(seed=None, *args, **kwargs):
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            seed = [int(salt), int(seed)]
        return original(seed, *args, **kwargs)

    np.random.default_rng = salted
    try:
        yield
    finally:
        np.random.default_rng = original


def record_cases(check: str, salt: int | None = None) -> tuple[str, list[dict]]:
    """The exercise label and the cases of ``checks.<check>``, drawn with ``salt`` (None: the visible ones).

    Nothing is run: the check is called with a placeholder function while
    :data:`rnnbook.checks._core._RECORDING` collects its cases.
    """
    from .. import checks

    if check not in CHECKS:
        raise ValueError(f"check must be one of {', '.join(CHECKS)}; got {check!r}")
    if salt is not None and (not isinstance(salt, int) or isinstance(salt, bool) or salt < 0):
        raise ValueError(f"salt must be a non-negative int or None, got {salt!r}")
    if _core._RECORDING is not None:
        raise RuntimeError("record_cases is already running")
    _core._RECORDING = []
    try:
        with _salted_rng(salt):
            getattr(checks, check)(lambda *args: None, quiet=True)
        recorded = _core._RECORDING
    finally:
        _core._RECORDING = None
    if len(recorded) != 1:
        raise RuntimeError(f"checks.{check} ran {len(recorded)} sets of cases; expected 1")
    return recorded[0]


def hidden_cases(check: str, salt: int) -> tuple[str, list[dict]]:
    """The cases of ``checks.<check>`` drawn with ``salt``, less any whose inputs a visible case has."""
    exercise, visible = record_cases(check)
    _, salted = record_cases(check, salt)
    seen = {pickle.dumps(case["args"]) for case in visible}
    own = [case for case in salted if pickle.dumps(case["args"]) not in seen]
    if not own:
        raise RuntimeError(f"checks.{check} has no case that depends on the salt")
    return exercise, own


# --------------------------------------------------------------------------- writing literals
def _array_literal(a: np.ndarray) -> str:
    buf = io.BytesIO()
    np.save(buf, np.array(a, order="C", copy=True), allow_pickle=False)
    return f'_arr("{base64.b64encode(buf.getvalue()).decode("ascii")}")'


def _literal(value: Any) -> str:
    """Python source that rebuilds ``value`` with NumPy alone (arrays, numbers, strings, containers)."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError("object arrays cannot be written into a hidden test")
        return _array_literal(value)
    if hasattr(value, "hidden_literal"):
        return value.hidden_literal(_literal)
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, (np.bool_,)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return repr(v) if math.isfinite(v) else f"float({str(v)!r})"
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} into a hidden test")


def _expected_of(case: dict) -> tuple[str, Any]:
    """(kind, expected) of a recorded case: "array", "step" (h, state, gates) or "tuple" (gradients)."""
    exp = case["expected"]
    if isinstance(exp, (tuple, list)) and len(exp) == 3 and isinstance(exp[2], Mapping):
        h, state, gates = exp
        return "step", (np.asarray(h, float), tuple(np.asarray(s, float) for s in state),
                        {k: np.asarray(v, float) for k, v in gates.items()})
    if isinstance(exp, (tuple, list)):
        return "tuple", tuple(np.asarray(e, float) for e in exp)
    return "array", np.asarray(exp, float)


# The code every hidden block shares: decoding, reading an output as numbers, comparing.
_PRELUDE = '''\
import base64 as _b64, copy as _copy, io as _io
import numpy as _np

def _arr(text):
    return _np.load(_io.BytesIO(_b64.b64decode(text)), allow_pickle=False)

def _numbers(out, shape):
    """The output as a float array of ``shape``, read as the check reads it, or None."""
    if out is None or isinstance(out, (str, bytes, bool, _np.bool_, dict)):
        return None
    if isinstance(out, tuple) and len(out) == 2 and _np.ndim(out[1]) == 0 and len(shape) == 1:
        out = out[0]  # (clipped, norm), as tf.clip_by_global_norm returns
    try:
        arr = _np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if (arr is None or arr.shape != shape) and isinstance(out, (list, tuple)):
        try:
            arr = _np.concatenate([_np.ravel(_np.asarray(a, dtype=float)) for a in out]) if out else None
        except (TypeError, ValueError):
            return None
    if arr is not None and len(shape) == 0 and arr.size == 1:
        arr = arr.reshape(())
    return arr if arr is not None and arr.shape == shape else None

def _parts(out, kind, exp):
    """Pairs (learner's part, expected array); None where the output has the wrong structure."""
    if kind == "array":
        return [(_numbers(out, exp.shape), exp)]
    if kind == "tuple":
        if not isinstance(out, (list, tuple)) or len(out) != len(exp):
            return None
        return [(_numbers(o, e.shape), e) for o, e in zip(out, exp)]
    if not isinstance(out, (list, tuple)) or len(out) != 3:
        return None
    h, state, gates = out
    if (not isinstance(state, (list, tuple)) or len(state) != len(exp[1])
            or not hasattr(gates, "keys") or not set(exp[2]) <= set(gates.keys())):
        return None
    pairs = [(_numbers(h, exp[0].shape), exp[0])]
    pairs += [(_numbers(s, e.shape), e) for s, e in zip(state, exp[1])]
    return pairs + [(_numbers(gates[k], e.shape), e) for k, e in exp[2].items()]
'''


def _call_line(fn_source: str) -> str:
    return f"_outs.append(({fn_source})(*_copy.deepcopy(_args)))"


def hidden_block(check: str, fn_source: str, *, salt: int, part: str = "values") -> str:
    """The ``### BEGIN HIDDEN TESTS`` block that grades ``fn_source`` (e.g. ``"seasonal_naive"``).

    ``part="shape"`` asserts only that every output has the structure and the shapes
    of the answer (partial credit); ``part="values"`` asserts the values too.
    """
    if part not in ("shape", "values"):
        raise ValueError(f"part must be 'shape' or 'values', got {part!r}")
    exercise, cases = hidden_cases(check, salt)
    inputs, expected = [], []
    for case in cases:
        kind, exp = _expected_of(case)
        inputs.append(_literal(tuple(case["args"])))
        expected.append(f"({kind!r}, {_literal(exp)}, {_literal(tuple(case.get('tol', (1e-6, 1e-8))))})")
    verdict = ("_ok = _got is not None and all(o is not None for o, e in _got)" if part == "shape" else
               "_ok = _got is not None and all(o is not None and _np.allclose(o, e, rtol=_tol[0], atol=_tol[1])"
               " for o, e in _got)")
    what = "the structure and shapes of" if part == "shape" else "the values of"
    body = "\n".join([
        f"# {exercise}: {len(cases)} hidden cases, compared with plain NumPy ({what} your outputs).",
        _PRELUDE,
        "def _hidden_test(_parts=_parts, _np=_np, _copy=_copy):   # bound now, before any learner code runs",
        "    _inputs = [",
        *[f"        {line}," for line in inputs],
        "    ]",
        "    _outs = []",
        "    for _args in _inputs:",
        f"        {_call_line(fn_source)}",
        "    _expected = [   # decoded only after every call",
        *[f"        {line}," for line in expected],
        "    ]",
        "    for _k, (_out, (_kind, _exp, _tol)) in enumerate(zip(_outs, _expected), 1):",
        "        _got = _parts(_out, _kind, _exp)",
        f"        {verdict}",
        f"        assert _ok, '{exercise}: hidden case %d of %d is wrong ({what} your output)' % (_k, len(_outs))",
        "",
        "_hidden_test()",
    ])
    return f"### BEGIN HIDDEN TESTS\n{body}\n### END HIDDEN TESTS"


def hidden_answer_block(exercise: str, value_source: str) -> str:
    """The hidden block that grades a numeric or shape answer given as ``value_source``."""
    key = _core._ANSWERS.get(exercise)
    if key is None:
        raise ValueError(f"there is no checked answer {exercise!r}; the checked ones are "
                         f"{', '.join(_core.registered())}")
    if key.kind == "shape":
        test = (f"_v = tuple(_v.shape) if hasattr(_v, 'shape') and not isinstance(_v, tuple) else _v\n"
                f"assert isinstance(_v, (tuple, list)) and [int(x) for x in _v] == {list(key.expected)!r} "
                f"and all(float(x) == int(x) for x in _v), '{exercise}: the shape is not right'")
    else:
        test = (f"import math as _math\n"
                f"assert _math.isclose(float(_v), {float(key.expected)!r}, rel_tol={key.rtol!r}, abs_tol=1e-9), "
                f"'{exercise}: the number is not right'")
    body = (f"# {exercise}: the answer, compared with the key written here when the course was generated.\n"
            f"_v = ({value_source})\n{test}")
    return f"### BEGIN HIDDEN TESTS\n{body}\n### END HIDDEN TESTS"


def check_calls(check_code: str) -> list[tuple[str, list[str], str]]:
    """The check calls of a test cell: (check name, its argument sources, the statement's source)."""
    tree = ast.parse(check_code)
    calls = []
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        func = getattr(call, "func", None)
        if not (isinstance(call, ast.Call) and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name) and func.value.id == "checks"):
            raise ValueError(f"a check cell may hold only checks.<name>(...) calls; found "
                             f"{ast.get_source_segment(check_code, stmt)!r}")
        args = [ast.get_source_segment(check_code, a) for a in call.args]
        calls.append((func.attr, args, ast.get_source_segment(check_code, stmt)))
    return calls
