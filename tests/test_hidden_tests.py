"""The hidden tests that nbgrader runs: written from the checks' cases, graded with plain NumPy."""
import pickle

import numpy as np
import pytest

from rnnbook import checks
from rnnbook.checks import _core, hidden

SALT = 20261206


def _key(args):
    return repr([a.tobytes() if isinstance(a, np.ndarray) else "a model" if callable(a) else repr(a)
                 for a in args])


def _oracle(check):
    """A function that answers every hidden case right (it looks the answer up by its input)."""
    _, cases = hidden.hidden_cases(check, SALT)
    table = {_key(c["args"]): c for c in cases}

    def answer(*args):
        case = table[_key(args)]
        kind, exp = hidden._expected_of(case)
        if kind == "step":
            return exp[0], exp[1], dict(exp[2])
        if kind == "tuple":
            return tuple(exp)
        return exp
    return answer


def _run(block, fn):
    namespace = {"fn": fn}
    exec(compile(block, "<hidden test>", "exec"), namespace)


@pytest.mark.parametrize("check", hidden.CHECKS)
def test_every_check_has_hidden_cases_of_its_own(check):
    exercise, visible = hidden.record_cases(check)
    _, own = hidden.hidden_cases(check, SALT)
    assert own and exercise.startswith("ex")
    seen = {pickle.dumps(c["args"]) for c in visible}
    assert all(pickle.dumps(c["args"]) not in seen for c in own)


@pytest.mark.parametrize("check", hidden.CHECKS)
def test_hidden_block_passes_right_answers_and_fails_wrong_ones(check):
    block = hidden.hidden_block(check, "fn", salt=SALT)
    assert block.startswith("### BEGIN HIDDEN TESTS\n") and block.endswith("\n### END HIDDEN TESTS")
    assert "rnnbook" not in block and "checks" not in block
    _run(block, _oracle(check))
    _run(hidden.hidden_block(check, "fn", salt=SALT, part="shape"), _oracle(check))
    right = _oracle(check)

    def off(*args):
        out = right(*args)
        return (out[0] + 1.0, *out[1:]) if isinstance(out, tuple) else np.asarray(out, float) + 1.0
    _run(hidden.hidden_block(check, "fn", salt=SALT, part="shape"), off)   # the shapes are right
    with pytest.raises(AssertionError, match="hidden case 1 of"):
        _run(block, off)
    for wrong in (lambda *a: None, lambda *a: "text", lambda *a: np.zeros((2, 2, 2, 2))):
        with pytest.raises(AssertionError):
            _run(block, wrong)
        with pytest.raises(AssertionError):
            _run(hidden.hidden_block(check, "fn", salt=SALT, part="shape"), wrong)


def test_patching_the_checks_does_not_help():
    block = hidden.hidden_block("seasonal_naive", "fn", salt=SALT)
    saved = checks.CheckResult.assert_passed
    checks.CheckResult.assert_passed = lambda self: None
    try:
        with pytest.raises(AssertionError):
            _run(block, lambda *a: None)
    finally:
        checks.CheckResult.assert_passed = saved


def test_a_function_that_reads_the_callers_expected_values_finds_none():
    def cheat(*args):
        import sys
        frame = sys._getframe(1)
        while frame is not None:
            for name in ("expected", "_expected", "case"):
                if name in frame.f_locals:
                    return frame.f_locals[name]
            frame = frame.f_back
        return None
    with pytest.raises(AssertionError):
        _run(hidden.hidden_block("masked_mean", "fn", salt=SALT), cheat)


@pytest.mark.parametrize("label", _core.registered())
def test_hidden_answer_block(label):
    key = _core._ANSWERS[label]
    block = hidden.hidden_answer_block(label, "value")
    right = key.expected if key.kind == "shape" else float(key.expected)
    exec(block, {"value": right})
    wrong = tuple(v + 1 for v in key.expected) if key.kind == "shape" else float(key.expected) * 1.5 + 1
    with pytest.raises(AssertionError):
        exec(block, {"value": wrong})


def test_record_cases_refuses_bad_arguments():
    with pytest.raises(ValueError, match="check must be one of"):
        hidden.record_cases("nope")
    with pytest.raises(ValueError, match="salt must be"):
        hidden.record_cases("masked_mean", salt=-1)
