"""Chapter 10 checks accept the solutions and reject plausible mistakes with specific hints."""
import time

import numpy as np
import pytest

from rnnbook import checks


def run(check, fn):
    result = check(fn, quiet=True)
    return result, str(result)


def perplexity(log_probs, targets):
    return float(np.exp(-np.mean(log_probs[np.arange(len(targets)), targets])))


def sampling_distribution(log_probs, temperature, top_k):
    logits = np.asarray(log_probs) / temperature
    if top_k is not None and top_k < len(logits):
        logits = np.where(logits >= np.sort(logits)[-top_k], logits, -np.inf)
    p = np.exp(logits - logits.max())
    return p / p.sum()


def _picked(lp, t):
    return lp[np.arange(len(t)), t]


def test_references_pass():
    assert run(checks.perplexity, perplexity)[0]
    assert run(checks.sampling_distribution, sampling_distribution)[0]


def test_reference_variants_pass():
    """Other correct forms: a 0-d array, the probabilities raised to 1/T, a sort-free top-k."""
    assert run(checks.perplexity, lambda lp, t: np.exp(-_picked(lp, t).mean()))[0]

    def via_powers(lp, T, k):
        p = np.exp(lp) ** (1 / T)
        if k is not None and k < len(p):
            p[np.argsort(p)[:-k]] = 0.0
        return p / p.sum()

    assert run(checks.sampling_distribution, via_powers)[0]


@pytest.mark.parametrize("wrong, hint", [
    (lambda lp, t: -_picked(lp, t).mean(), "exp of it"),
    (lambda lp, t: np.exp(_picked(lp, t).mean()), "mind the sign"),
    (lambda lp, t: np.exp(-_picked(lp, t).sum()), "not a sum"),
    (lambda lp, t: 2.0 ** (-_picked(lp, t).mean()), "natural logs"),
    (lambda lp, t: 1.0 / np.exp(_picked(lp, t)).mean(), "LOG-probabilities"),
    (lambda lp, t: np.exp(-lp.max(axis=1).mean()), "targets"),
    (lambda lp, t: np.exp(-lp.mean()), "log_probs[t, targets[t]]"),
    (lambda lp, t: np.exp(-_picked(lp, t)), "ONE number"),
    (lambda lp, t: None, "forget a `return`"),
    (lambda lp, t: True, "one float"),
])
def test_perplexity_mistakes(wrong, hint):
    result, msg = run(checks.perplexity, wrong)
    assert not result and hint in msg, msg


def _no_norm(lp, T, k):
    logits = lp / T
    if k is not None and k < len(logits):
        logits = np.where(logits >= np.sort(logits)[-k], logits, -np.inf)
    return np.exp(logits - logits.max())


def _cut_after(lp, T, k):
    p = sampling_distribution(lp, T, None)
    if k is not None and k < len(p):
        p = np.where(p >= np.sort(p)[-k], p, 0.0)
    return p


def _smallest(lp, T, k):
    logits = lp / T
    if k is not None and k < len(logits):
        logits = np.where(logits <= np.sort(logits)[k - 1], logits, -np.inf)
    p = np.exp(logits - logits.max())
    return p / p.sum()


def _off_by_one(lp, T, k):
    return sampling_distribution(lp, T, None if k is None else k + 1)


@pytest.mark.parametrize("wrong, hint", [
    (lambda lp, T, k: sampling_distribution(lp, 1.0, k), "temperature is ignored"),
    (lambda lp, T, k: sampling_distribution(lp * T * T, T, k), "multiplying inverts"),
    (_no_norm, "divide by the sum"),
    (_cut_after, "after the top-k cut"),
    (lambda lp, T, k: sampling_distribution(lp, T, None), "top-k is ignored"),
    (_smallest, "MOST probable"),
    (_off_by_one, "exactly"),
    (lambda lp, T, k: np.log(sampling_distribution(lp, T, k) + 1e-300), "not log-probabilities"),
    (lambda lp, T, k: sampling_distribution(lp, T, k)[:-1], "one probability per token"),
])
def test_sampling_distribution_mistakes(wrong, hint):
    result, msg = run(checks.sampling_distribution, wrong)
    assert not result and hint in msg, msg


def _mutate(lp, *rest):
    lp[...] = 0.0
    return 1.0


def _raise(*args):
    raise RuntimeError("boom")


def _loop(*args):
    while True:
        time.sleep(0.01)


@pytest.mark.parametrize("check", [checks.perplexity, checks.sampling_distribution])
@pytest.mark.parametrize("hostile", [_mutate, _raise, _loop, lambda *a: "text", lambda *a: np.nan,
                                     lambda *a: object(), lambda *a: {"p": 1}])
def test_hostile_answers_do_not_crash(check, hostile):
    result, msg = run(check, hostile)
    assert not result and msg


def test_a_mutating_solution_does_not_spoil_later_cases():
    def mutating_but_right(lp, t):
        out = perplexity(lp, t)
        lp[...] = 0.0
        t[...] = 0
        return out

    assert run(checks.perplexity, mutating_but_right)[0]


def test_answers():
    assert checks.answer("ex10-1", np.exp(1.5), quiet=True)
    assert "e raised" in str(checks.answer("ex10-1", 1.5, quiet=True))
    assert "not 2" in str(checks.answer("ex10-1", 2 ** 1.5, quiet=True))
    assert checks.answer("ex10-3", 0.64 / 0.68, quiet=True)
    assert "renormalise" in str(checks.answer("ex10-3", 0.64, quiet=True))
    assert "do not multiply" in str(checks.answer("ex10-3", np.sqrt(0.8) / (np.sqrt(0.8) + np.sqrt(0.2)), quiet=True))
    assert not checks.answer("ex10-3", "0.94", quiet=True)
