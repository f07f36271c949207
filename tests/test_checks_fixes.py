"""Checks that a right answer in any reasonable form passes, and that a wrong one cannot slip through."""
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from rnnbook import checks
from rnnbook.checks import _core


def test_the_time_limit_is_read_once_per_check(monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.5)
    calls = []

    def sneaky(series, start, period):
        calls.append(1)
        _core.TIME_LIMIT = 1e9   # try to switch the limit off for the later calls
        if len(calls) > 1:
            while True:
                pass
        return series[start - period:len(series) - period]

    result = checks.seasonal_naive(sneaky, quiet=True)
    assert not result and "did not return within 0.5 s" in str(result)


def test_a_float32_softmax_passes_the_attention_check():
    def softmax32(scores):
        s = np.asarray(scores, dtype=np.float32)
        e = np.exp(s - s.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    assert checks.attention_weights(softmax32, quiet=True)


def test_the_attention_hints_print_no_overflow_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = checks.attention_weights(lambda s: np.asarray(s) * 0.0 + 0.5, quiet=True)
    assert not result


@pytest.mark.parametrize("value", [298, 298.0, np.array(298), np.array([298.0]), np.int32(298), np.float32(298),
                                   Decimal(298), Fraction(298, 1)], ids=repr)
def test_a_right_number_passes_in_any_numeric_form(value):
    assert checks.answer("ex1-3", value, quiet=True)


@pytest.mark.parametrize("value", [True, "298", [298], np.array([298, 298]), None, Decimal("NaN")], ids=repr)
def test_what_is_not_one_number_is_refused(value):
    result = checks.answer("ex1-3", value, quiet=True)
    assert not result and "ex1-3" in str(result)


@pytest.mark.parametrize("label, value", [("ex8-3", 2.58), ("ex9-3", 0.354)])
def test_too_few_digits_ask_for_more_digits(label, value):
    result = checks.answer(label, value, quiet=True)
    assert not result and "give more digits" in str(result) and "too large" not in str(result)


def test_a_wrong_number_still_says_which_way():
    assert "too large" in str(checks.answer("ex8-3", 3.5, quiet=True))
    assert "too small" in str(checks.answer("ex9-3", 0.2, quiet=True))
