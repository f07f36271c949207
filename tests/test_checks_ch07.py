"""Chapter 7 checks accept the solutions and reject plausible mistakes with specific hints."""
import numpy as np
import pytest

from rnnbook import checks, practice


def run(check, fn):
    result = check(fn, quiet=True)
    return result, str(result)


def sorted_padded_steps(lengths, batch_size):
    ordered = np.sort(np.asarray(lengths))
    return int(sum(len(b) * b.max() for b in (ordered[i:i + batch_size] for i in range(0, len(ordered), batch_size))))


def test_references_pass():
    assert run(checks.sorted_padded_steps, sorted_padded_steps)[0]
    package = lambda L, bs: practice.padded_steps(np.asarray(L, dtype=int), [  # noqa: E731
        np.argsort(L, kind="stable")[i:i + bs] for i in range(0, len(L), bs)])
    assert run(checks.sorted_padded_steps, package)[0]


@pytest.mark.parametrize("wrong, hint", [
    (lambda L, bs: int(np.sum(L)), "number of real steps"),
    (lambda L, bs: len(L) * int(np.max(L)), "longest sequence of the whole set"),
    (lambda L, bs: practice.padded_steps(np.asarray(L, dtype=int), [np.arange(len(L))[i:i + bs]
                                                                   for i in range(0, len(L), bs)]), "sort"),
    (lambda L, bs: int(sum(len(b) * b.max() for b in (np.sort(L)[::-1][i:i + bs] for i in range(0, len(L), bs)))),
     "shortest to the longest"),
    (lambda L, bs: [sorted_padded_steps(L, bs)] * 2, "return one number"),
])
def test_sorted_padded_steps_mistakes(wrong, hint):
    result, msg = run(checks.sorted_padded_steps, wrong)
    assert not result and hint in msg, msg


@pytest.mark.parametrize("label, value, ok, hint", [
    ("ex7-1", 2048, True, None), ("ex7-1", 204800, False, "fresh mask"), ("ex7-1", 8192, False, "one per gate"),
    ("ex7-2", 4 * 0.3 / 0.7, True, None), ("ex7-2", 1.7143, True, None),
    ("ex7-2", 4 * 0.3 * 0.7, False, "without the scaling"), ("ex7-2", 4 / 0.7, False, "E[X^2]"),
    ("ex7-2", 1.2, False, "missing the factor"),
    ("ex7-3", 125, True, None), ("ex7-3", 63, False, "two convolutions"), ("ex7-3", 124, False, "off by one"),
    ("ex7-5", 2, True, None), ("ex7-5", 1, False, "input dropout does not block"),
    ("ex7-5", 3, False, "reset_after=False"),
])
def test_numeric_answers(label, value, ok, hint):
    result = checks.answer(label, value, quiet=True)
    assert result.passed == ok
    if hint:
        assert hint in str(result), str(result)


def test_answers_are_registered():
    assert {"ex7-1", "ex7-2", "ex7-3", "ex7-5"} <= set(checks.registered())
