"""Chapter 12 checks accept the solutions and reject plausible mistakes with specific hints."""
import time

import numpy as np
import pytest

from rnnbook import checks


def run(check, fn):
    result = check(fn, quiet=True)
    return result, str(result)


def beam_step(scores, log_probs, width):
    totals = np.asarray(scores)[:, None] + np.asarray(log_probs)
    best = np.argsort(-totals, axis=None, kind="stable")[:width]
    rows, tokens = np.unravel_index(best, totals.shape)
    return rows, tokens, totals[rows, tokens]


def beam_step_loop(scores, log_probs, width):
    """A plain-Python solution: every extension in a list, sorted."""
    ext = sorted(((s + lp, r, t) for r, (s, row) in enumerate(zip(scores, log_probs)) for t, lp in enumerate(row)),
                 reverse=True)[:width]
    return [r for _, r, _ in ext], [t for _, _, t in ext], [v for v, _, _ in ext]


def softmax(scores):
    z = np.asarray(scores) - np.max(scores, axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def test_references_pass():
    assert run(checks.beam_step, beam_step)[0]
    assert run(checks.beam_step, beam_step_loop)[0]
    assert run(checks.attention_weights, softmax)[0]


def _totals(s, lp):
    return np.asarray(s)[:, None] + np.asarray(lp)


@pytest.mark.parametrize("wrong, hint", [
    (lambda s, lp, w: tuple(a[::-1] for a in beam_step(s, lp, w)), "best first"),
    (lambda s, lp, w: beam_step(-np.asarray(s), -np.asarray(lp), w)[:2]
     + (_totals(s, lp)[beam_step(-np.asarray(s), -np.asarray(lp), w)[:2]],), "HIGHEST"),
    (lambda s, lp, w: beam_step(np.zeros(len(s)), lp, w)[:2]
     + (_totals(s, lp)[beam_step(np.zeros(len(s)), lp, w)[:2]],), "not by the next token's"),
    (lambda s, lp, w: (beam_step(s, lp, w)[0], beam_step(s, lp, w)[0] * np.shape(lp)[1] + beam_step(s, lp, w)[1],
                       beam_step(s, lp, w)[2]), "flat indices"),
    (lambda s, lp, w: (beam_step(s, lp, w)[1], beam_step(s, lp, w)[0], beam_step(s, lp, w)[2]), "swapped"),
    (lambda s, lp, w: beam_step(s, lp, w)[:2] + (np.asarray(lp)[beam_step(s, lp, w)[:2]],), "not the last token's"),
    (lambda s, lp, w: beam_step(s, lp, w)[:2] + (beam_step(s, lp, w)[2] + 1,), "new_scores[i] must be"),
    (lambda s, lp, w: tuple(a[:-1] for a in beam_step(s, lp, w)), "exactly width"),
    (lambda s, lp, w: beam_step(s, lp, w)[:2], "three arrays"),
    (lambda s, lp, w: None, "tuple"),
])
def test_beam_step_mistakes(wrong, hint):
    result, msg = run(checks.beam_step, wrong)
    assert not result and hint in msg, msg


@pytest.mark.parametrize("wrong, hint", [
    (lambda e: np.exp(e) / np.exp(e).sum(axis=-1, keepdims=True), "NaN"),
    (lambda e: np.exp(np.asarray(e) - np.max(e, axis=-1, keepdims=True)), "normalise"),
    (lambda e: softmax(np.asarray(e).T).T, "not over the queries"),
    (lambda e: 1 / (1 + np.exp(-np.asarray(e))), "not a sigmoid"),
    (lambda e: np.asarray(e) / np.sum(e, axis=-1, keepdims=True), "exponentiate"),
    (lambda e: softmax(np.asarray(e).reshape(1, -1)).reshape(np.shape(e)), "each row"),
    (lambda e: softmax(e).T, "one row per query"),
    (lambda e: "weights", "not numbers"),
])
def test_attention_weights_mistakes(wrong, hint):
    result, msg = run(checks.attention_weights, wrong)
    assert not result and hint in msg, msg


def _mutates(scores, log_probs, width):
    out = beam_step(scores, log_probs, width)
    scores[:] = 0.0
    return out[0], out[1], out[2] + 1


def _raises(*args):
    raise RuntimeError("boom")


def _loops(*args):
    while True:
        pass


class _Hostile:
    def __array__(self, *args, **kwargs):
        raise ValueError("no")

    def __len__(self):
        raise ValueError("no")


@pytest.mark.parametrize("check", [checks.beam_step, checks.attention_weights])
@pytest.mark.parametrize("fn", [_raises, lambda *a: _Hostile(), lambda *a: (_Hostile(),) * 3, lambda *a: [1, "a"],
                                lambda *a: np.full((3, 2), np.nan), lambda *a: object(), 42])
def test_hostile_answers_do_not_crash(check, fn):
    result, msg = run(check, fn)
    assert not result and "Traceback" not in msg and msg


def test_mutating_inputs_is_reported():
    result, msg = run(checks.beam_step, _mutates)
    assert not result and "in place" in msg, msg


def test_endless_loop_times_out():
    start = time.perf_counter()
    result, msg = run(checks.beam_step, _loops)
    assert not result and "did not return" in msg
    assert time.perf_counter() - start < 30


def test_answers():
    assert checks.answer("ex12-1", 5461, quiet=True)
    assert "cut at max_len" in str(checks.answer("ex12-1", 1365, quiet=True))
    assert "first EOS" in str(checks.answer("ex12-1", 5 ** 6, quiet=True))
    alpha = np.log(np.log(0.2) / np.log(0.4)) / np.log(1.5)
    assert checks.answer("ex12-3", alpha, quiet=True)
    assert checks.answer("ex12-3", round(alpha, 3), quiet=True)
    assert "(3/2)**alpha" in str(checks.answer("ex12-3", 1 / alpha, quiet=True))
    assert "not the probabilities" in str(checks.answer("ex12-3", np.log(2) / np.log(1.5), quiet=True))
