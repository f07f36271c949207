"""Interpolated Kneser-Ney: a proper distribution in every context, and the standard n-gram baseline."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnbook import text

TEXT = "the cat sat on the mat. the dog sat on the log. a cat and a dog."


@pytest.mark.parametrize("order", [1, 2, 3, 5])
@pytest.mark.parametrize("context", ["", "the ", "xyz", "the cat sat on th", "qqqq"])
def test_probabilities_sum_to_one_with_the_unknown_symbol(order, context):
    kn = text.KneserNeyChain(order=order).fit(TEXT)
    total = sum(kn.prob(context, c) for c in kn.alphabet) + kn.prob(context, "\u2603")
    assert math.isclose(total, 1.0, rel_tol=1e-12)
    assert all(kn.prob(context, c) > 0 for c in kn.alphabet)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="ab c.", min_size=2, max_size=60), st.integers(1, 4), st.text(alphabet="abc xy", max_size=6),
       st.floats(0.05, 0.95))
def test_a_distribution_for_any_text_order_context_and_discount(train, order, context, discount):
    kn = text.KneserNeyChain(order=order, discount=discount).fit(train)
    total = sum(kn.prob(context, c) for c in kn.alphabet) + kn.prob(context, "\u2603")
    assert math.isclose(total, 1.0, rel_tol=1e-9)


def test_continuation_counts_at_the_lower_orders():
    # "q" is frequent but follows only one context: as a unigram continuation it is rare
    kn = text.KneserNeyChain(order=1).fit("zq zq zq zq ba ca da ea")  # q and a 4 times each
    assert kn.prob("x", "q") < kn.prob("x", "a")  # unseen context "x": the continuation unigrams decide


def test_log_likelihood_is_the_mean_log_probability():
    kn = text.KneserNeyChain(order=3).fit(TEXT)
    held_out = "the rat sat."
    padded = kn.START * 3 + held_out
    direct = np.mean([math.log(kn.prob(padded[:i + 3], ch)) for i, ch in enumerate(held_out)])
    assert math.isclose(kn.log_likelihood(held_out), direct, rel_tol=1e-12)


def test_it_beats_add_alpha_on_held_out_text():
    from rnnbook import data

    lee = data.lee_text_splits()
    kn = text.KneserNeyChain(order=4).fit(lee.train)
    add = text.CharMarkovChain(order=4, alpha=0.03).fit(lee.train)
    assert kn.log_likelihood(lee.val[:5000]) > add.log_likelihood(lee.val[:5000]) + 0.05


@pytest.mark.parametrize("bad, match", [(dict(order=0), "order"), (dict(discount=1.0), "discount"),
                                        (dict(discount=0), "discount"), (dict(order="3"), "order")])
def test_bad_settings_are_refused(bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        text.KneserNeyChain(**bad)


def test_use_before_fit_and_bad_input():
    with pytest.raises(RuntimeError, match="fit"):
        text.KneserNeyChain().log_likelihood("abc")
    kn = text.KneserNeyChain(order=2).fit(TEXT)
    with pytest.raises(ValueError, match="single character"):
        kn.prob("ab", "cd")
    with pytest.raises(TypeError):
        kn.fit(["not", "a", "str"])
