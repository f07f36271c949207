"""Auto-checks of chapter 10, "Language models and text generation"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, _float_array_or_reject, _kind, _Reject, register_answer, run_cases

__all__ = ["perplexity", "sampling_distribution"]

register_answer("ex10-1", float(np.exp(1.5)), "number", rtol=1e-3, wrong=(
    (1.5, "that is the loss in nats per character; perplexity is e raised to that loss."),
    (2 ** 1.5, "the loss is in nats (natural log), so the base is e, not 2."),
    (10 ** 1.5, "the loss is in nats (natural log), so the base is e, not 10."),
    (float(np.exp(-1.5)), "the loss is already the NEGATIVE mean log-probability: perplexity = exp(+loss)."),
    (1.5 / np.log(2), "that converts the loss to bits per character; perplexity is exp(loss) itself."),
))

register_answer("ex10-3", 0.64 / 0.68, "number", rtol=1e-3, wrong=(
    (0.8, "the temperature changes the distribution: divide the log-probabilities by T = 0.5 first."),
    (float(np.sqrt(0.8) / (np.sqrt(0.8) + np.sqrt(0.2))), "divide the log-probabilities BY T (a power of 1/T = 2), "
     "do not multiply them by T."),
    (0.64, "after raising the probabilities to the power 1/T, renormalise them so that they sum to 1."),
    (0.2 ** 2 / 0.68, "that is the probability of the LESS likely token; the question asks for the more likely one."),
))


# --------------------------------------------------------------------------- perplexity
def _perplexity_cases():
    from scipy.special import log_softmax

    rng = np.random.default_rng(10)
    cases = []
    for label, steps, vocab, scale in [("5 steps over a vocabulary of 4", 5, 4, 1.0),
                                       ("20 steps over a vocabulary of 55 (the Lee alphabet)", 20, 55, 2.0),
                                       ("a confident model, 12 steps over 7 symbols", 12, 7, 4.0),
                                       ("one step over 3 symbols", 1, 3, 1.5)]:
        log_probs = np.round(log_softmax(rng.normal(scale=scale, size=(steps, vocab)), axis=-1), 12)
        log_probs = log_softmax(log_probs, axis=-1)
        targets = rng.integers(0, vocab, size=steps)
        if steps > 1:
            targets[0] = int(np.argmin(log_probs[0]))    # not always the most likely token
        nll = -log_probs[np.arange(steps), targets]
        cases.append(dict(label=label, args=(log_probs, targets), expected=np.array(np.exp(nll.mean())),
                          shape_desc="one number (a float)", log_probs=log_probs, targets=targets))
    return cases


def perplexity(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(log_probs, targets)``: the perplexity of a model on a sequence.

    ``log_probs`` is [steps, vocab], natural-log probabilities of the next token
    at every step; ``targets`` is [steps], the tokens that came.  The answer is
    exp(-mean_t log_probs[t, targets[t]]), one float.
    """
    cases = _perplexity_cases()

    def convert(out):
        if isinstance(out, (bool, np.bool_)):
            raise _Reject(f"it is {_kind(out)}; return the perplexity, one float")
        arr = _float_array_or_reject(out)
        if arr.size != 1:
            raise _Reject(f"it has {arr.size} values; return ONE number: average over the steps")
        return arr.reshape(())

    def diagnose(case, out, expected):
        lp, t = np.array(case["log_probs"]), np.array(case["targets"])
        picked = lp[np.arange(len(t)), t]
        value = float(out)
        close = lambda x: bool(np.isclose(value, x, rtol=1e-6, atol=1e-9))   # noqa: E731
        if close(-picked.mean()):
            return "that is the loss in nats per token; perplexity is exp of it."
        if close(np.exp(picked.mean())):
            return "mind the sign: perplexity is exp of MINUS the mean log-probability (it is >= 1)."
        if close(np.exp(-picked.sum())):
            return "average the log-probabilities over the steps (a mean, not a sum) before taking exp."
        if close(2.0 ** (-picked.mean())):
            return "the log-probabilities are natural logs: use exp, not 2 ** ..."
        if close(1.0 / np.exp(picked).mean()):
            return "average the LOG-probabilities, then exponentiate; not the probabilities themselves."
        if close(np.exp(-lp.max(axis=1).mean())):
            return "score the tokens that actually came (targets), not the most likely tokens."
        if close(np.exp(-lp.mean())):
            return "pick each step's log-probability of its target, log_probs[t, targets[t]]; do not average over the vocabulary."
        if value < 1.0:
            return "a perplexity is at least 1: check the sign and the exp."
        return None

    return run_cases("ex10-2", fn, cases, diagnose, quiet, convert=convert)


# --------------------------------------------------------------------------- sampling distribution
def _sampling_reference(log_probs, temperature, top_k):
    logits = log_probs / temperature
    if top_k is not None and top_k < len(logits):
        cut = np.sort(logits)[-top_k]
        logits = np.where(logits >= cut, logits, -np.inf)
    p = np.exp(logits - logits.max())
    return p / p.sum()


def _variant(log_probs, temperature, top_k, *, multiply=False, normalise=True, smallest=False, k_shift=0,
             cut_after=False):
    logits = log_probs * temperature if multiply else log_probs / temperature
    k = None if top_k is None else top_k + k_shift
    if cut_after:
        p = np.exp(logits - logits.max())
        p = p / p.sum()
        if k is not None and k < len(p):
            p = np.where(p >= np.sort(p)[-k], p, 0.0)
        return p
    if k is not None and 0 < k < len(logits):
        if smallest:
            cut = np.sort(logits)[k - 1]
            logits = np.where(logits <= cut, logits, -np.inf)
        else:
            cut = np.sort(logits)[-k]
            logits = np.where(logits >= cut, logits, -np.inf)
    p = np.exp(logits - logits.max())
    return p / p.sum() if normalise else p


def sampling_distribution(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(log_probs, temperature, top_k)``: the distribution that a sampler draws the next token from.

    ``log_probs`` is [vocab] (natural logs); divide by ``temperature``, keep the
    ``top_k`` largest (all when ``top_k`` is None), and return the renormalised
    probabilities [vocab], zeros outside the top k.
    """
    from scipy.special import log_softmax

    rng = np.random.default_rng(11)
    cases = []
    for label, vocab, temperature, top_k in [("8 tokens, temperature 1, no top-k", 8, 1.0, None),
                                             ("8 tokens, temperature 0.5, no top-k", 8, 0.5, None),
                                             ("10 tokens, temperature 2, no top-k", 10, 2.0, None),
                                             ("12 tokens, temperature 1, top_k=3", 12, 1.0, 3),
                                             ("20 tokens, temperature 0.7, top_k=5", 20, 0.7, 5),
                                             ("6 tokens, temperature 1.5, top_k=1", 6, 1.5, 1),
                                             ("5 tokens, temperature 0.8, top_k=9 (more than the vocabulary)",
                                              5, 0.8, 9)]:
        log_probs = log_softmax(rng.normal(scale=1.5, size=vocab), axis=-1)
        cases.append(dict(label=label, args=(log_probs, temperature, top_k),
                          expected=_sampling_reference(log_probs, temperature, top_k),
                          shape_desc="one probability per token, shape (vocab,)", log_probs=log_probs,
                          temperature=temperature, top_k=top_k))

    def diagnose(case, out, expected):
        lp, T, k = np.array(case["log_probs"]), case["temperature"], case["top_k"]
        if out.shape != expected.shape:
            return "return one probability per token of the vocabulary, zeros for the tokens cut by top-k."
        if np.any(out < 0):
            return "return probabilities (>= 0), not log-probabilities or logits."
        if not np.isclose(out.sum(), 1.0, atol=1e-6):
            if np.allclose(out, _variant(lp, T, k, normalise=False)):
                return "renormalise: after dividing by T and exponentiating, divide by the sum."
            if np.allclose(out, _variant(lp, T, k, cut_after=True)):
                return "renormalise after the top-k cut, so that the kept probabilities sum to 1."
            return "the probabilities must sum to 1."
        if T != 1.0 and np.allclose(out, _variant(lp, 1.0, k)):
            return "the temperature is ignored: divide the log-probabilities by it."
        if T != 1.0 and np.allclose(out, _variant(lp, T, k, multiply=True)):
            return "divide the log-probabilities BY the temperature; multiplying inverts its effect."
        if k is not None and k < len(lp):
            if np.allclose(out, _variant(lp, T, None)):
                return "top-k is ignored: keep only the k most probable tokens."
            if np.allclose(out, _variant(lp, T, k, smallest=True)):
                return "keep the k MOST probable tokens, not the least probable ones."
            if np.count_nonzero(out) != k:
                return f"with top_k={k}, exactly {k} tokens must keep a probability > 0; you kept {np.count_nonzero(out)}."
        return None

    return run_cases("ex10-4", fn, cases, diagnose, quiet, convert=_float_array_or_reject)
