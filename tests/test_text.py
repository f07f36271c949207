import math

import numpy as np
import pytest

from rnnbook import text


def test_tokenizers():
    assert text.tokenize_words("It's NOT bad, 3 times!") == ["it's", "not", "bad", "3", "times"]
    assert text.tokenize_chars("A  b\nc") == list("a b c")
    with pytest.raises(TypeError, match="text must be a str, got list"):
        text.tokenize_words(["a"])


def test_vocabulary_roundtrip_and_order():
    v = text.Vocabulary("b a b c b a".split())
    assert v.itos[:2] == ["<pad>", "<unk>"]
    assert v.itos[2:] == ["b", "a", "c"]  # most frequent first
    assert v.decode(v.encode(["a", "c"])) == ["a", "c"]
    assert v.encode(["zzz"]) == [v.unk_id]
    assert len(v) == 5 and "b" in v


def test_vocabulary_errors():
    with pytest.raises(TypeError, match="got a single str"):
        text.Vocabulary("abc")
    with pytest.raises(TypeError, match="tokens must be str, got int"):
        text.Vocabulary([1, 2])
    v = text.Vocabulary(["a"], specials=())
    with pytest.raises(KeyError, match="no '<unk>'"):
        v.encode(["b"])
    with pytest.raises(ValueError, match=r"ids must be ints in \[0, 1\)"):
        v.decode([3])


def test_one_hot():
    x = text.one_hot([[0, 2], [1, 1]], depth=3)
    assert x.shape == (2, 2, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x.argmax(-1), [[0, 2], [1, 1]])
    assert (x.sum(-1) == 1).all()
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 3\), got values from 0 to 3"):
        text.one_hot([0, 3], depth=3)
    with pytest.raises(TypeError, match="ids must be integers, got dtype float64"):
        text.one_hot([0.5], depth=3)


def test_ngrams():
    assert text.ngrams("abcd", 3) == [("a", "b", "c"), ("b", "c", "d")]
    assert text.ngrams("ab", 3) == []
    c = text.count_ngrams([["a", "b"], ["b", "a", "b"]], 2)
    assert c[("a", "b")] == 2 and c[("b", "a")] == 1
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        text.ngrams("ab", 0)


def test_markov_chain_probabilities_sum_to_one():
    m = text.CharMarkovChain(order=2, alpha=0.5).fit("abracadabra")
    for ctx in ["ab", "zz", "", "ra"]:
        assert math.isclose(sum(m.prob(ctx, ch) for ch in m.alphabet), 1.0)


def test_markov_chain_learns_order():
    train = "abc" * 200
    m1 = text.CharMarkovChain(order=1, alpha=0.01).fit(train)
    m0 = text.CharMarkovChain(order=0, alpha=0.01).fit(train)
    assert m1.log_likelihood("abcabc") > -0.1  # almost certain
    assert m0.log_likelihood("abcabc") == pytest.approx(math.log(1 / 3), abs=0.01)
    assert m1.sample(9, seed=0, prompt="a") == "abcabcabca"


def test_markov_chain_backs_off_to_seen_context():
    m = text.CharMarkovChain(order=3, alpha=0.01).fit("aaab" * 50)
    # "zzz" was never seen: back off to the unigram distribution, not uniform
    assert m.prob("zzz", "a") == pytest.approx((150 + 0.01) / (200 + 0.02))


def test_markov_chain_errors():
    with pytest.raises(ValueError, match="order must be an int >= 0"):
        text.CharMarkovChain(order=-1)
    with pytest.raises(ValueError, match="alpha must be a number > 0"):
        text.CharMarkovChain(alpha=0)
    with pytest.raises(RuntimeError, match="call fit"):
        text.CharMarkovChain().log_likelihood("abc")
    with pytest.raises(ValueError, match="text must not be empty"):
        text.CharMarkovChain().fit("")
