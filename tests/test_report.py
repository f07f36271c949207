"""Tests of rnnbook.report.error_bound."""
import numpy as np
import pytest

from rnnbook.report import error_bound


@pytest.mark.parametrize("value, tol, text", [
    (3.2e-8, 1e-5, "= 3e-08 (tolerance 1e-05)"),
    (9.99e-8, 1e-5, "= 1e-07 (tolerance 1e-05)"),
    (0.0, 1e-12, "= 0 (tolerance 1e-12)"),
    (np.float32(2e-9), 1e-6, "= 2e-09 (tolerance 1e-06)"),
    (1e-5, 1e-5, "= 1e-05 (tolerance 1e-05)"),
    (2.5e-3, 1e-5, "= 2.5e-03, ABOVE the tolerance 1e-05"),
])
def test_error_bound(value, tol, text):
    assert error_bound(value, tol) == text


@pytest.mark.parametrize("value, text", [(3.2e-8, "= 3e-08 (tolerance 1e-05)"), (1e-9, "< 1e-08 (tolerance 1e-05)"),
                                         (1.6e-7, "= 2e-07 (tolerance 1e-05)")])
def test_error_bound_with_a_resolution(value, text):
    assert error_bound(value, 1e-5, resolution=1e-8) == text


def test_the_sanitizer_masks_the_digits_and_keeps_the_verdict():
    import configparser
    import re
    from pathlib import Path

    cfg = configparser.ConfigParser()
    cfg.read(Path(__file__).with_name("sanitize.cfg"))
    pattern, replace = cfg["measured-errors"]["regex"], cfg["measured-errors"]["replace"]
    masked = {re.sub(pattern, replace, "max |d| " + error_bound(v, 1e-5)) for v in (0.0, 3e-8, 4.4e-7, 9e-6)}
    assert masked == {"max |d| = MEASURED (tolerance 1e-05)"}
    above = "max |d| " + error_bound(2e-5, 1e-5)
    assert re.sub(pattern, replace, above) == above            # a failure is never masked


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


# --- band: a claim over seeds, checked and printed -------------------------------------------

def test_band_prints_the_claim_when_every_seed_meets_it():
    from rnnbook.report import band

    assert band("attention, exact match", [1.0, 0.987, 1.0], at_least=0.95) == \
        "attention, exact match: >= 0.95 in every seed (3 of 3)"
    assert band("loss", np.array([0.2, 0.3]), below=0.5, at_least=0.1) == "loss: >= 0.1 and < 0.5 in every seed (2 of 2)"


def test_band_mean_and_at_least_k():
    from rnnbook.report import band

    assert band("acc", [0.53, 0.99, 0.58], below=0.9, need="mean") == "acc: mean of 3 seeds < 0.9"
    assert band("acc", [0.53, 0.99, 0.58], below=0.95, need=2) == "acc: < 0.95 in at least 2 of 3 seeds"


@pytest.mark.parametrize("values, kwargs", [
    ([1.0, 0.94, 1.0], dict(at_least=0.95)),               # one seed under the band
    ([0.95, 0.95], dict(below=0.95)),                       # the upper bound is strict
    ([0.5, 0.99, 0.99], dict(below=0.8, need="mean")),      # the mean is over
    ([0.5, 0.99, 0.99], dict(below=0.95, need=2)),          # only one of three inside
])
def test_band_fails_loudly_with_the_measured_values(values, kwargs):
    from rnnbook.report import ClaimFailed, band

    with pytest.raises(ClaimFailed, match="does not hold; measured"):
        band("score", values, **kwargs)
    assert issubclass(ClaimFailed, AssertionError)


@pytest.mark.parametrize("args, kwargs, error", [
    (("score", [0.5]), {}, ValueError),                                   # no bound
    (("score", []), dict(at_least=0.5), ValueError),                      # nothing measured
    (("score", "0.5"), dict(at_least=0.5), TypeError),
    (("", [0.5]), dict(at_least=0.5), TypeError),
    (("score", [0.5, float("nan")]), dict(at_least=0.5), ValueError),
    (("score", [0.5]), dict(at_least=0.9, below=0.1), ValueError),        # empty band
    (("score", [0.5, 0.6]), dict(at_least=0.1, need=3), ValueError),      # more than measured
    (("score", [0.5, 0.6]), dict(at_least=0.1, need="most"), ValueError),
])
def test_band_refuses_bad_arguments(args, kwargs, error):
    from rnnbook.report import band

    with pytest.raises(error):
        band(*args, **kwargs)


def test_band_of_one_pooled_value_states_the_band_alone():
    from rnnbook.report import ClaimFailed, band

    assert band("year accuracy", [0.9997], at_least=0.999) == "year accuracy: >= 0.999"
    with pytest.raises(ClaimFailed):
        band("year accuracy", [0.998], at_least=0.999)


def test_band_names_its_unit():
    from rnnbook.report import band

    assert band("accuracy", [0.99, 0.97], at_least=0.95, unit="length bin") == \
        "accuracy: >= 0.95 in every length bin (2 of 2)"
    with pytest.raises(TypeError):
        band("accuracy", [0.99], at_least=0.95, unit="")
