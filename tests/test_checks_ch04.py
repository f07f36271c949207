"""The chapter-4 checks accept the solutions and reject plausible mistakes with specific hints."""
import numpy as np
import pytest

from rnnbook import checks


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


@pytest.mark.parametrize("exercise, good", [("ex4-1", 0.8**30), ("ex4-2", 1 / 4), ("ex4-2", 0.25), ("ex4-8", 0.025)])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and "correct" in msg


@pytest.mark.parametrize("exercise, wrong, hint", [
    ("ex4-1", 24.0, "power"), ("ex4-1", 0.8**29, "off by one"), ("ex4-1", 0.0, "not zero"),
    ("ex4-1", 0.9**50, "chapter's example"), ("ex4-1", 0.5, "too large"), ("ex4-1", None, "expected a number"),
    ("ex4-2", 1 / 12, "ONE uniform"), ("ex4-2", 1 / 6, "two-value"), ("ex4-2", 1.5, "mean of the target"),
    ("ex4-2", 0.5, "too large"),
    ("ex4-8", 0.5, "that is the threshold"), ("ex4-8", 0.05, "that is the learning rate"), ("ex4-8", 10.0, "a product"),
])
def test_answers_reject_with_hints(exercise, wrong, hint):
    result, msg = run(checks.answer, exercise, wrong)
    assert not result and hint in msg
    assert "0.005" not in msg and "0.166" not in msg


def clip_global(grads, max_norm):
    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
    scale = max_norm / max(norm, max_norm)
    return [g * scale for g in grads]


def test_clip_global_accepts_solution_and_tuple_form():
    assert run(checks.clip_global, clip_global)[0]
    result, msg = run(checks.clip_global, lambda g, m: (clip_global(g, m), 1.0))
    assert result and "all 3 hidden cases pass" in msg


def _no_sqrt(grads, m):
    sq = sum(np.sum(np.square(g)) for g in grads)
    return [g * m / sq for g in grads]


def _each(grads, m):
    return [g * m / max(np.linalg.norm(g), m) for g in grads]


def _always(grads, m):
    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
    return [g * m / norm for g in grads]


@pytest.mark.parametrize("wrong, hint", [
    (_no_sqrt, "square root"),
    (_each, "each array by its own norm"),
    (_always, "already below max_norm"),
    (lambda g, m: [np.clip(a, -m, m) for a in g], "clipping by value"),
    (lambda g, m: np.concatenate([np.ravel(a) for a in g]), "return a list"),
    (lambda g, m: g[:1], "one clipped array per gradient"),
    (lambda g, m: None, "forget a `return`"),
    (lambda g, m: [None] * len(g), "array 0 of your list"),
    (lambda g, m: {"a": g[0]}, "return a list of arrays"),
])
def test_clip_global_rejects_with_hints(wrong, hint):
    result, msg = run(checks.clip_global, wrong)
    assert not result and hint in msg and "Traceback" not in msg
