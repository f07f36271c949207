"""The order-and-negation review generator of chapter 8: deterministic, balanced, in bag-of-words-identical pairs."""
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


def test_labels_follow_the_last_clause():
    texts, labels = data.order_reviews(400, seed=1)
    positive, negative = set(data._ORDER_POSITIVE), set(data._ORDER_NEGATIVE)
    for t, y in zip(texts, labels):
        words = t.split()
        if words[-1] == "not":      # "x but the b was not": the opposite of x
            x = words[3]
            assert y == (x in negative)
        elif words[-1] == "was":    # "was not x but the b was": x
            x = words[4]
            assert y == (x in positive)
        else:                       # the last adjective decides
            assert y == (words[-1] in positive)


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
