"""Tests of rnnbook._validate: the argument checks every module shares."""
import numpy as np
import pytest

from rnnbook._validate import (
    _received,
    as_array,
    check_bool,
    check_choice,
    check_int,
    check_number,
    check_positive_int,
    check_positive_number,
    check_seed,
    check_shape,
    check_str,
)


# --------------------------------------------------------------------------- check_int
@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3), np.uint8(3), np.int8(3)])
def test_check_int_accepts_python_and_numpy_ints(value):
    out = check_int("n", value)
    assert out == 3 and type(out) is int


@pytest.mark.parametrize("value, match", [
    (True, "n must be an int; got bool True"),
    (np.bool_(True), "n must be an int; got bool True"),
    (2.0, "n must be an int; got float 2.0"),
    (np.float32(2.0), "n must be an int; got float32 2.0"),
    ("2", "n must be an int; got str '2'"),
    (None, "n must be an int; got None"),
    (list(range(100)), "n must be an int; got list$"),  # a long repr is left out
])
def test_check_int_rejects_other_types(value, match):
    with pytest.raises(TypeError, match=match):
        check_int("n", value)


@pytest.mark.parametrize("kwargs, value, match", [
    (dict(minimum=1), 0, "n must be an int >= 1; got 0"),
    (dict(maximum=5), 6, "n must be an int <= 5; got 6"),
    (dict(minimum=1, maximum=5), np.int64(9), r"n must be an int in \[1, 5\]; got 9"),
])
def test_check_int_bounds(kwargs, value, match):
    with pytest.raises(ValueError, match=match):
        check_int("n", value, **kwargs)
    assert check_int("n", 1, minimum=1) == 1 and check_int("n", 5, maximum=5) == 5


# --------------------------------------------------------------------------- check_seed
def test_check_seed():
    assert check_seed("seed", 0) == 0 and check_seed("seed", np.int64(7)) == 7
    assert check_seed("seed", 2**40) == 2**40
    with pytest.raises(ValueError, match="seed must be an int >= 0; got -1"):
        check_seed("seed", -1)
    for bad in (None, 1.0, "1", True):
        with pytest.raises(TypeError, match="seed must be an int; got"):
            check_seed("seed", bad)
    a = np.random.default_rng(check_seed("seed", np.int64(3))).normal(size=4)
    assert a.tobytes() == np.random.default_rng(3).normal(size=4).tobytes()


# --------------------------------------------------------------------------- check_number
@pytest.mark.parametrize("value", [0.5, np.float32(0.5), np.float64(0.5), 1, np.int64(1)])
def test_check_number_accepts_reals(value):
    out = check_number("x", value)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize("kwargs, value, err, match", [
    ({}, True, TypeError, "x must be a number; got bool True"),
    ({}, "1", TypeError, "x must be a number; got str '1'"),
    ({}, 1 + 2j, TypeError, r"x must be a number; got complex \(1\+2j\)"),
    ({}, float("nan"), ValueError, "x must be a finite number; got nan"),
    ({}, -np.inf, ValueError, "x must be a finite number; got -inf"),
    (dict(low=0), -0.5, ValueError, "x must be a finite number >= 0; got -0.5"),
    (dict(low=0, low_open=True), 0, ValueError, "x must be a finite number > 0; got 0.0"),
    (dict(high=1), 1.5, ValueError, "x must be a finite number <= 1; got 1.5"),
    (dict(high=1, high_open=True), 1, ValueError, "x must be a finite number < 1; got 1.0"),
    (dict(low=0, high=1, high_open=True), 1.0, ValueError, r"in \[0, 1\); got 1.0"),
    (dict(low=0, high=1, low_open=True, high_open=True), 0.0, ValueError, r"in \(0, 1\); got 0.0"),
    (dict(low=1e-8, high=0.5), 0.75, ValueError, r"in \[1e-08, 0.5\]; got 0.75"),
    (dict(low=0, high=1), np.inf, ValueError, r"finite number in \[0, 1\]; got inf"),
])
def test_check_number_rejects(kwargs, value, err, match):
    with pytest.raises(err, match=match):
        check_number("x", value, **kwargs)


def test_check_number_bounds_are_inclusive_unless_open():
    assert check_number("x", 0, low=0) == 0.0 and check_number("x", 1, high=1) == 1.0
    assert check_number("x", 0.25, 0, 1, low_open=True, high_open=True) == 0.25


# --------------------------------------------------------------------------- check_bool, check_str
def test_check_bool():
    assert check_bool("flag", True) is True and check_bool("flag", np.bool_(False)) is False
    for bad, shown in ((1, "int 1"), ("yes", "str 'yes'"), (None, "None")):
        with pytest.raises(TypeError, match=rf"flag must be a bool \(True or False\); got {shown}"):
            check_bool("flag", bad)


def test_check_str():
    assert check_str("s", "abc") == "abc" and check_str("s", "") == ""
    assert check_str("s", np.str_("a")) == "a"
    with pytest.raises(TypeError, match="s must be a str; got bytes b'a'"):
        check_str("s", b"a")
    with pytest.raises(TypeError, match="s must be a str; got None"):
        check_str("s", None)
    with pytest.raises(ValueError, match="s must be a non-empty str; got ''"):
        check_str("s", "", nonempty=True)


def test_received_survives_a_broken_repr():
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    assert _received(Hostile()) == "Hostile"
    with pytest.raises(TypeError, match="n must be an int; got Hostile"):
        check_int("n", Hostile())


# --------------------------------------------------------------------------- the existing helpers keep their behaviour
def test_existing_helpers_are_unchanged():
    assert check_positive_int("k", np.int64(2)) == 2
    with pytest.raises(ValueError, match="k must be an int >= 1; got 0"):
        check_positive_int("k", 0)
    with pytest.raises(TypeError, match="k must be an int; got bool"):
        check_positive_int("k", True)
    assert check_positive_number("lr", np.float32(0.5)) == 0.5
    with pytest.raises(ValueError, match="lr must be a finite number > 0; got 0.0"):
        check_positive_number("lr", 0)
    with pytest.raises(ValueError, match="mode must be one of 'a', 'b'; got 3"):
        check_choice("mode", 3, ("a", "b"))
    arr = as_array("x", [[1, 2]], ndim=2)
    assert arr.dtype == np.float64 and check_shape("x", arr, (1, None)) is arr
    with pytest.raises(ValueError, match=r"x must have shape \[batch, units\] = \(1, 3\); got shape \(1, 2\)"):
        check_shape("x", arr, (1, 3), "[batch, units]")
