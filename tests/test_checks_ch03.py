"""Chapter 3's checks accept the solutions and reject plausible wrong answers with a specific message."""
import math

import numpy as np
import pytest

from rnnbook import bptt, checks


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


# --------------------------------------------------------------------------- numeric answers
@pytest.mark.parametrize("exercise, good", [("ex3-2", math.log(80)), ("ex3-2", 4.382), ("ex3-3", 4900)])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and "correct" in msg


def test_ex3_3_matches_the_package():
    assert bptt.backward_steps(1000, 10, 50) == 4900


@pytest.mark.parametrize("wrong, hint", [
    (math.log2(80), "bits"), (math.log10(80), "base 10"), (1 / 80, "minus its log"),
    (80, "perplexity"), (10.0, "too large"), (None, "expected a number"),
])
def test_ex3_2_rejects_with_hints(wrong, hint):
    result, msg = run(checks.answer, "ex3-2", wrong)
    assert not result and hint in msg and "4.38" not in msg


@pytest.mark.parametrize("wrong, hint", [
    (5000, "first few updates"), (1000, "full BPTT"), (100, "number of updates"),
    (48775, "k1 = 1"), (50000, "every k1 steps"), (4901, "too large"), (4899, "too small"),
])
def test_ex3_3_rejects_with_hints(wrong, hint):
    result, msg = run(checks.answer, "ex3-3", wrong)
    assert not result and hint in msg and "4900" not in msg


# --------------------------------------------------------------------------- ex3-1 step_backward
def step_backward(g, h, U):
    return (g * (1 - h**2)) @ U.T


def test_step_backward_accepts_solution():
    result, msg = run(checks.step_backward, step_backward)
    assert result and "all 3 hidden cases pass" in msg


@pytest.mark.parametrize("wrong, hint", [
    (lambda g, h, U: g @ U.T, "forgot the tanh derivative"),
    (lambda g, h, U: (g * (1 - h**2)) @ U, "not U"),
    (lambda g, h, U: (g * (1 - h)) @ U.T, "(squared)"),
    (lambda g, h, U: (g * (1 - np.tanh(h) ** 2)) @ U.T, "not 1 - tanh(h)**2"),
    (lambda g, h, U: g * (1 - h**2), "one more step"),
    (lambda g, h, U: (g @ U.T) * (1 - h**2), "before the matrix product"),
    (lambda g, h, U: step_backward(g, h, U).T, "transposed"),
    (lambda g, h, U: None, "forget a `return`"),
    (lambda g, h, U: 2 * step_backward(g, h, U), "values are not"),
])
def test_step_backward_rejects_with_hints(wrong, hint):
    result, msg = run(checks.step_backward, wrong)
    assert not result and hint in msg and "Traceback" not in msg


# --------------------------------------------------------------------------- ex3-4 tbptt_windows
def tbptt_windows(T, k1, k2):
    return np.array([(max(0, e - k2), e) for e in range(k1, T + 1, k1)])


def test_tbptt_windows_accepts_solution():
    result, msg = run(checks.tbptt_windows, tbptt_windows)
    assert result and "all 5 hidden cases pass" in msg


def test_tbptt_windows_agree_with_backward_steps():
    for T, k1, k2 in [(20, 4, 10), (100, 7, 9), (1000, 10, 50)]:
        w = tbptt_windows(T, k1, k2)
        assert int((w[:, 1] - w[:, 0]).sum()) == bptt.backward_steps(T, k1, k2)


@pytest.mark.parametrize("wrong, hint", [
    (lambda T, k1, k2: np.array([(e - k2, e) for e in range(k1, T + 1, k1)]), "clip the start"),
    (lambda T, k1, k2: np.array([(max(0, e - k1), e) for e in range(k1, T + 1, k1)]), "k1 only says how often"),
    (lambda T, k1, k2: np.array([(max(0, e - k2 + 1), e) for e in range(k1, T + 1, k1)]), "starts at end - k2"),
    (lambda T, k1, k2: np.array([(max(0, e - k2 - 1), e - 1) for e in range(k1, T + 1, k1)]), "end is exclusive"),
    (lambda T, k1, k2: np.array([(max(0, e - k2), e) for e in range(k1, T, k1)]), "number of updates"),
    (lambda T, k1, k2: tbptt_windows(T, k1, k2).T, "one row per update"),
    (lambda T, k1, k2: "windows", "not numbers"),
])
def test_tbptt_windows_rejects_with_hints(wrong, hint):
    result, msg = run(checks.tbptt_windows, wrong)
    assert not result and hint in msg
