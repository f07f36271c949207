"""The order-and-negation review generator of chapter 8: deterministic, balanced, in bag-of-words-identical pairs,
no review shared between parts."""
from collections import Counter

import numpy as np
import pytest

from rnnbook import data, text


def test_deterministic_and_balanced():
    texts, labels = data.order_reviews(200, seed=3)
    again, labels2 = data.order_reviews(200, seed=3)
    assert texts == again and np.array_equal(labels, labels2)
    assert len(texts) == 200 and labels.shape == (200,) and labels.dtype == np.int64
    assert set(labels.tolist()) == {0, 1} and labels.sum() == 100
    assert data.order_reviews(200, seed=4)[0] != texts


def test_pairs_share_their_bag_of_words_and_have_opposite_labels():
    texts, labels = data.order_reviews(300, seed=0)
    for k in range(0, 300, 2):
        a, b = text.tokenize_words(texts[k]), text.tokenize_words(texts[k + 1])
        assert Counter(a) == Counter(b) and a != b
        assert labels[k] + labels[k + 1] == 1


def test_labels_follow_the_second_clause():
    texts, labels = data.order_reviews(400, seed=1)
    positive = set(data._ORDER_POSITIVE)
    for t, y in zip(texts, labels):
        first, second = t.split(" but ")
        assert (first + second).count(" not ") == 1          # exactly one clause is negated
        negated = " was not " in second
        assert y == ((second.split()[-1] in positive) != negated)


def test_no_short_ngram_holds_not_and_its_adjective():
    # at least three tokens stand between "not" and the adjective it negates
    texts, _ = data.order_reviews(200, seed=5)
    adjectives = set(data._ORDER_POSITIVE) | set(data._ORDER_NEGATIVE)
    for t in texts:
        tokens = text.tokenize_words(t)
        k = tokens.index("not")
        after = next(i for i in range(k, len(tokens)) if tokens[i] in adjectives)
        assert after - k >= 4


def test_exclude_keeps_parts_disjoint():
    train, _ = data.order_reviews(400, seed=0)
    test, labels = data.order_reviews(400, seed=2, exclude=train)
    assert not set(train) & set(test) and len(set(test)) == 400
    for k in range(0, 400, 2):                      # the mirror pairs survive the redraws
        assert Counter(test[k].split()) == Counter(test[k + 1].split()) and labels[k] != labels[k + 1]


def test_splits_differ():
    parts = {name: set(data.order_reviews(100, seed)[0]) for name, seed in data.ORDER_SEEDS.items()}
    assert parts["train"] != parts["test"] and parts["val"] != parts["test"]


def test_errors():
    with pytest.raises(ValueError, match="n must be even"):
        data.order_reviews(3)
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        data.order_reviews(0)
    with pytest.raises(TypeError, match="n must be an int"):
        data.order_reviews(2.0)
    with pytest.raises(ValueError, match="seed"):
        data.order_reviews(2, seed=-1)
