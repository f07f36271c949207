"""Tests of rnnbook.report.error_bound."""
import numpy as np
import pytest

from rnnbook.report import error_bound


@pytest.mark.parametrize("value, tol, text", [
    (3.2e-8, 1e-5, "< 1e-06 (tolerance 1e-05)"),
    (1e-7, 1e-5, "< 1e-06 (tolerance 1e-05)"),
    (9.99e-8, 1e-5, "< 1e-06 (tolerance 1e-05)"),
    (0.0, 1e-12, "< 1e-13 (tolerance 1e-12)"),
    (np.float32(2e-9), 1e-6, "< 1e-07 (tolerance 1e-06)"),
    (2e-6, 1e-5, "< 1e-05 (tolerance 1e-05)"),
    (1e-5, 1e-5, "<= 1e-05 (tolerance 1e-05)"),
    (2.5e-3, 1e-5, "= 2.5e-03, ABOVE the tolerance 1e-05"),
])
def test_error_bound(value, tol, text):
    assert error_bound(value, tol) == text


@pytest.mark.parametrize("value, text", [(3.2e-8, "< 1e-07 (tolerance 1e-05)"), (1e-9, "< 1e-08 (tolerance 1e-05)"),
                                         (1.5e-7, "< 1e-06 (tolerance 1e-05)")])
def test_error_bound_with_a_finer_resolution(value, text):
    assert error_bound(value, 1e-5, resolution=1e-8) == text


def test_error_bound_never_hides_a_failure():
    for value in (1.0000001e-5, 1.5e-5, 3.0):
        assert "ABOVE" in error_bound(value, 1e-5)


@pytest.mark.parametrize("value, tol, err", [(-1e-9, 1e-5, ValueError), (float("nan"), 1e-5, ValueError),
                                             (1e-9, 0.0, ValueError), ("small", 1e-5, TypeError),
                                             (True, 1e-5, TypeError)])
def test_error_bound_argument_errors(value, tol, err):
    with pytest.raises(err):
        error_bound(value, tol)
    with pytest.raises(ValueError):
        error_bound(1e-9, 1e-5, resolution=1e-3)


def test_docstring_examples():
    import doctest

    import rnnbook.report

    assert doctest.testmod(rnnbook.report).failed == 0
