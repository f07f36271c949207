"""Every check accepts the correct solution and rejects plausible wrong answers with a specific message."""
import time

import numpy as np
import pytest

from rnnbook import checks


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


# --------------------------------------------------------------------------- answer()
@pytest.mark.parametrize("exercise, good", [("ex1-1", (32, 20, 50)), ("ex1-3", 298)])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and result.passed and "correct" in msg


def test_shape_answer_accepts_arrays_with_that_shape():
    assert checks.answer("ex1-1", np.zeros((32, 20, 50)), quiet=True)


@pytest.mark.parametrize("wrong, hint", [
    ((20, 32, 50), "batch comes first"),
    ((32, 50, 20), "features of one step come last"),
    ((32, 20), "third axis"),
    ((50, 20, 32), "wrong order"),
    ((1, 2, 3), "name what each axis counts"),
    (None, "expected a shape"),
    ("32, 20, 50", "expected a shape"),
    ((32.0, 20, 50), "expected a shape"),
])
def test_shape_answer_rejects_with_hints(wrong, hint):
    result, msg = run(checks.answer, "ex1-1", wrong)
    assert not result and hint in msg
    assert "(32, 20, 50)" not in msg  # never reveals the answer


@pytest.mark.parametrize("wrong, hint", [
    (299, "off by one"), (297, "off by one"), (309, "length of the series"),
    (500, "too large"), (3, "too small"), (float("nan"), "finite number"),
    (None, "expected a number"), ("298", "expected a number"), (True, "expected a number"),
])
def test_number_answer_rejects_with_hints(wrong, hint):
    result, msg = run(checks.answer, "ex1-3", wrong)
    assert not result and hint in msg and "298" not in msg


def test_unknown_exercise():
    result, msg = run(checks.answer, "ex9-9", 1)
    assert not result and "no checked exercise 'ex9-9'" in msg and "ex1-1" in msg


def test_check_prints_and_hides_its_repr(capsys):
    result = checks.answer("ex1-3", 298)
    assert capsys.readouterr().out.strip() == "✓ ex1-3: correct."
    assert result._ipython_display_() is None


# --------------------------------------------------------------------------- seasonal_naive
def seasonal_naive(series, start, period):
    series = np.asarray(series, dtype=float)
    return series[start - period:len(series) - period]


def test_seasonal_naive_accepts_solution():
    result, msg = run(checks.seasonal_naive, seasonal_naive)
    assert result and "all 4 hidden cases pass" in msg


@pytest.mark.parametrize("wrong, hint", [
    (lambda s, start, p: np.asarray(s)[start - p + 1:len(s) - p + 1], "look back period - 1 steps"),
    (lambda s, start, p: np.asarray(s)[start - 1:len(s) - 1], "plain naive forecast"),
    (lambda s, start, p: np.asarray(s)[start:], "values to be forecast themselves"),
    (lambda s, start, p: np.asarray(s)[start - p:len(s) - p - 1], "off by one in the length"),
    (lambda s, start, p: None, "did you forget a `return`"),
    (lambda s, start, p: [float("nan")] * (len(s) - start), "NaN"),
    (lambda s, start, p: "abc", "not numbers"),
    (lambda s, start, p: 1 / 0, "ZeroDivisionError"),
])
def test_seasonal_naive_rejects_with_hints(wrong, hint):
    result, msg = run(checks.seasonal_naive, wrong)
    assert not result and hint in msg and "Traceback" not in msg
    assert "hidden case 1 of 4" in msg or "hidden case" in msg


def test_check_of_a_stub_says_not_implemented():
    def stub(series, start, period):
        raise NotImplementedError()
    result, msg = run(checks.seasonal_naive, stub)
    assert not result and "not implemented yet" in msg


def test_check_of_a_non_function():
    result, msg = run(checks.seasonal_naive, None)
    assert not result and "expected a function, got None" in msg


def test_check_stops_a_function_that_never_returns(monkeypatch):
    monkeypatch.setattr(checks._core, "TIME_LIMIT", 0.3)

    def forever(series, start, period):
        while True:
            pass
    t0 = time.perf_counter()
    result, msg = run(checks.seasonal_naive, forever)
    assert not result and "did not return within 0.3 s" in msg
    assert time.perf_counter() - t0 < 3


# --------------------------------------------------------------------------- masked_mean
def masked_mean(x, mask):
    x, mask = np.asarray(x, float), np.asarray(mask, float)
    return (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)


def test_masked_mean_accepts_solution():
    result, msg = run(checks.masked_mean, masked_mean)
    assert result and "all 4 hidden cases pass" in msg


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, m: np.asarray(x).mean(axis=1), "divided by the padded length"),
    (lambda x, m: np.asarray(x).mean(axis=2), "averaged over the features axis"),
    (lambda x, m: np.asarray(x).mean(axis=0), "averaged over the batch"),
    (lambda x, m: masked_mean(x, m).mean(axis=1), "average over the steps axis (axis 1) only"),
    (lambda x, m: masked_mean(x, m) * 0, "values are not"),
    (lambda x, m: np.asarray(x).sum(axis=1) / np.asarray(m).sum(axis=1, keepdims=True), "padded steps"),
])
def test_masked_mean_rejects_with_hints(wrong, hint):
    result, msg = run(checks.masked_mean, wrong)
    assert not result and hint in msg
