"""Chapter 9 checks accept the solutions and reject plausible mistakes with specific hints."""
import numpy as np
import pytest

from rnnbook import checks, embeddings


def run(check, fn):
    result = check(fn, quiet=True)
    return result, str(result)


def keep_probability(counts, sample):
    return embeddings.keep_probabilities(np.asarray(counts) / np.sum(counts), sample)


def analogy(vectors, a, b, c):
    kv = embeddings.to_keyed_vectors([f"w{k}" for k in range(len(vectors))], np.asarray(vectors))
    return int(kv.most_similar(positive=[f"w{b}", f"w{c}"], negative=[f"w{a}"], topn=1)[0][0][1:])


def test_references_pass_including_the_package_and_gensim():
    assert run(checks.keep_probability, keep_probability)[0]
    assert run(checks.analogy, analogy)[0]


def _keep(c, s):
    f = c / c.sum()
    return (np.sqrt(f / s) + 1) * s / f


@pytest.mark.parametrize("wrong, hint", [
    (_keep, "cannot exceed 1"),
    (lambda c, s: np.minimum(1.0, np.sqrt(s / (c / c.sum()))), "discard rule"),
    (lambda c, s: np.minimum(1.0, (np.sqrt(c / s) + 1.0) * s / c), "frequencies, not counts"),
    (lambda c, s: 1.0 - keep_probability(c, s), "DISCARDING"),
    (lambda c, s: keep_probability(c, s)[:-1], "shaped like counts"),
])
def test_keep_probability_mistakes(wrong, hint):
    result, msg = run(checks.keep_probability, wrong)
    assert not result and hint in msg, msg


def _scores(v, a, b, c, normalise=True, sign=1):
    u = v / np.linalg.norm(v, axis=1, keepdims=True)
    x = u if normalise else v
    return u @ (sign * (x[b] - x[a]) + x[c])


def _pick(scores, exclude):
    scores = scores.copy()
    scores[list(exclude)] = -np.inf
    return int(np.argmax(scores))


@pytest.mark.parametrize("wrong, hint", [
    (lambda v, a, b, c: _pick(_scores(v, a, b, c), ()), "exclude a, b and c"),
    (lambda v, a, b, c: _pick(_scores(v, a, b, c, normalise=False), (a, b, c)), "unit length"),
    (lambda v, a, b, c: _pick(_scores(v, a, b, c, sign=-1), (a, b, c)), "not a - b + c"),
    (lambda v, a, b, c: _pick(-_scores(v, a, b, c), (a, b, c)), "LARGEST"),
    (lambda v, a, b, c: _scores(v, a, b, c), "ONE index"),
    (lambda v, a, b, c: True, "an int"),
])
def test_analogy_mistakes(wrong, hint):
    result, msg = run(checks.analogy, wrong)
    assert not result and hint in msg, msg


def test_answers():
    assert checks.answer("ex9-1", 2_000_000, quiet=True)
    assert "TWO vectors" in str(checks.answer("ex9-1", 1_000_000, quiet=True))
    assert checks.answer("ex9-3", 0.25 ** 0.75, quiet=True)
    assert "power alpha" in str(checks.answer("ex9-3", 0.25, quiet=True))
