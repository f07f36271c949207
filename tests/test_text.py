import math

import numpy as np
import pytest

from rnnbook import text


def test_tokenizers():
    assert text.tokenize_words("It's NOT bad, 3 times!") == ["it's", "not", "bad", "3", "times"]
    # letters of any script: the polarity sentences have "amélie", "clichés" and "ladrón"
    assert text.tokenize_words("Naïve café, ladrón: Amélie's clichés") == ["naïve", "café", "ladrón", "amélie's",
                                                                          "clichés"]
    assert text.tokenize_words("snake_case and x²") == ["snake", "case", "and", "x²"]
    assert text.tokenize_chars("A  b\nc") == list("a b c")
    with pytest.raises(TypeError, match=r"text must be a str; got list \['a'\]"):
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
    with pytest.raises(ValueError, match="order must be an int >= 0; got -1"):
        text.CharMarkovChain(order=-1)
    with pytest.raises(ValueError, match="alpha must be a finite number > 0; got 0.0"):
        text.CharMarkovChain(alpha=0)
    with pytest.raises(RuntimeError, match="call fit"):
        text.CharMarkovChain().log_likelihood("abc")
    with pytest.raises(ValueError, match="text must be a non-empty str"):
        text.CharMarkovChain().fit("")


# --------------------------------------------------------------------------- argument checks
def test_count_ngrams_wants_a_list_of_token_lists():
    tokens = ["the", "cat", "sat"]
    with pytest.raises(TypeError, match=r"list of token lists; got a str \('the'\) at position 0.*pass \[tokens\]"):
        text.count_ngrams(tokens, 2)
    with pytest.raises(TypeError, match="list of token lists; got a single str"):
        text.count_ngrams("the cat sat", 2)
    assert text.count_ngrams([tokens], 2) == {("the", "cat"): 1, ("cat", "sat"): 1}
    assert text.count_ngrams([tuple(tokens)], np.int64(3)) == {("the", "cat", "sat"): 1}
    with pytest.raises(ValueError, match="n must be an int >= 1; got 0"):
        text.count_ngrams([], 0)  # n is checked even with no documents
    with pytest.raises(TypeError, match="n must be an int; got float 2.0"):
        text.ngrams("abc", 2.0)
    with pytest.raises(TypeError, match="tokens must be a sequence; got int"):
        text.ngrams(5, 2)


@pytest.mark.parametrize("specials, err, match", [
    ("<pad>", TypeError, r"specials must be a sequence of str tokens, e.g. \('<pad>',\); got a single str"),
    (("<pad>", "<unk>", "<pad>"), ValueError, r"specials must be distinct; got .* with \['<pad>'\] repeated"),
    (("<pad>", 0), TypeError, r"specials must hold str tokens; got int \(0\) at position 1"),
    (None, TypeError, "specials must be a sequence of str tokens; got NoneType"),
])
def test_vocabulary_rejects_bad_specials(specials, err, match):
    with pytest.raises(err, match=match):
        text.Vocabulary(["a", "b"], specials=specials)


def test_vocabulary_specials_and_min_count():
    v = text.Vocabulary(["a", "b", "a"], specials=["<unk>"], min_count=np.int64(2))
    assert v.itos == ["<unk>", "a"] and len(v) == 2
    with pytest.raises(ValueError, match="min_count must be an int >= 1; got 0"):
        text.Vocabulary(["a"], min_count=0)
    with pytest.raises(TypeError, match="min_count must be an int; got float 1.5"):
        text.Vocabulary(["a"], min_count=1.5)


def test_vocabulary_encode_wants_tokens_and_decode_wants_ids():
    v = text.Vocabulary("b a b c".split())
    with pytest.raises(TypeError, match=r"tokens must be str; got int \(1\) at position 0 \(to turn ids into tokens"):
        v.encode([1, 2])
    with pytest.raises(TypeError, match="got a single str"):
        v.encode("b a")
    with pytest.raises(TypeError, match=r"ids must be ints in \[0, 5\), got str \('a'\)"):
        v.decode(["a"])
    with pytest.raises(TypeError, match=r"got bool \(True\)"):
        v.decode([True])
    with pytest.raises(TypeError, match="decode expects a sequence of int ids, got a str"):
        v.decode("23")
    assert v.decode(np.array([2, 3])) == ["b", "a"]


def test_markov_prob_wants_a_single_character():
    m = text.CharMarkovChain(order=1).fit("abab")
    with pytest.raises(ValueError, match=r"char must be a single character; got a str of length 2 \('ab'\)"):
        m.prob("a", "ab")
    with pytest.raises(ValueError, match="char must be a single character; got a str of length 0"):
        m.prob("a", "")
    with pytest.raises(TypeError, match="char must be a str; got int 3"):
        m.prob("a", 3)
    with pytest.raises(TypeError, match="context must be a str; got list"):
        m.prob(["a"], "b")


def test_markov_chain_arguments_accept_numpy_scalars_and_check_seeds():
    m = text.CharMarkovChain(order=np.int64(2), alpha=np.float32(0.5)).fit("abracadabra")
    ref = text.CharMarkovChain(order=2, alpha=0.5).fit("abracadabra")
    assert type(m.order) is int and m.alpha == 0.5
    assert m.sample(np.int64(12), seed=np.int64(4), prompt="ab") == ref.sample(12, seed=4, prompt="ab")
    with pytest.raises(ValueError, match="seed must be an int >= 0; got -1"):
        m.sample(3, seed=-1)
    with pytest.raises(TypeError, match="seed must be an int; got float 0.5"):
        m.sample(3, seed=0.5)
    with pytest.raises(TypeError, match="prompt must be a str; got None"):
        m.sample(3, prompt=None)
    with pytest.raises(TypeError, match="order must be an int; got bool True"):
        text.CharMarkovChain(order=True)
    with pytest.raises(ValueError, match="alpha must be a finite number > 0; got inf"):
        text.CharMarkovChain(alpha=float("inf"))


def test_tokenize_chars_lower_must_be_a_bool():
    assert text.tokenize_chars("Ab", lower=np.bool_(False)) == ["A", "b"]
    with pytest.raises(TypeError, match="lower must be a bool"):
        text.tokenize_chars("Ab", lower="no")


@pytest.mark.parametrize("ids, depth", [
    ([[0, 2], [1, 1]], 3), ([], 4), (np.array([3, 0], dtype=np.uint8), 5), (2, 3),
    (np.zeros((2, 0), dtype=int), 3), (np.arange(24).reshape(2, 3, 4) % 7, np.int64(7)),
])
def test_one_hot_equals_rows_of_the_identity(ids, depth):
    x = text.one_hot(ids, depth)
    expected = np.eye(depth, dtype=np.float32)[np.asarray(ids).astype(np.int64)]
    assert x.dtype == np.float32 and x.shape == expected.shape and x.flags.c_contiguous
    assert x.tobytes() == expected.tobytes()


def test_one_hot_does_not_build_the_identity_matrix():
    import tracemalloc

    ids = np.arange(12).reshape(3, 4)
    tracemalloc.start()
    try:
        x = text.one_hot(ids, 4000)  # the identity would take 64 MB; the result takes 192 kB
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert x.shape == (3, 4, 4000) and peak < 1_000_000


def test_one_hot_argument_errors():
    with pytest.raises(TypeError, match="depth must be an int; got float 3.0"):
        text.one_hot([0], 3.0)
    with pytest.raises(ValueError, match="depth must be an int >= 1; got 0"):
        text.one_hot([0], 0)
    with pytest.raises(TypeError, match="ids must be integers; got str"):
        text.one_hot("012", 3)
    with pytest.raises(ValueError, match="ids must be a rectangular array of integers; got a ragged list"):
        text.one_hot([[0, 1], [2]], 3)


# --------------------------------------------------------------------------- chapter 8: one-hot, bags, TF-IDF
def test_one_hot_contract():
    ids = np.array([[[0, 4], [2, 1]]])
    x = text.one_hot(ids, depth=5)
    assert x.shape == ids.shape + (5,)
    np.testing.assert_array_equal(x.argmax(-1), ids)
    assert text.one_hot(np.array(3), depth=4).shape == (4,)
    assert text.one_hot(np.zeros((0, 3), dtype=int), depth=2).shape == (0, 3, 2)
    for bad in ([-1], [5], [[0, 7]]):
        with pytest.raises(ValueError, match=r"ids must lie in \[0, 5\)"):
            text.one_hot(bad, depth=5)
    with pytest.raises(ValueError, match="depth must be an int >= 1"):
        text.one_hot([0], depth=0)
    with pytest.raises(TypeError, match="ids must be integers"):
        text.one_hot("abc", depth=3)


def test_bag_of_words_counts_and_unknowns():
    v = text.Vocabulary("not bad not".split())
    bags = text.bag_of_words([["not", "bad", "not"], ["bad", "film"], []], v)
    assert bags.shape == (3, len(v))
    assert bags[0, v.stoi["not"]] == 2 and bags[1, v.unk_id] == 1 and bags[2].sum() == 0
    # order is lost: a review and its reversal have the same bag
    a = "the food was good and the service was not bad".split()
    b = "the service was bad and the food was not good".split()
    np.testing.assert_array_equal(*text.bag_of_words([a, b], text.Vocabulary(a)))
    with pytest.raises(TypeError, match="vocab must be a Vocabulary"):
        text.bag_of_words([["a"]], ["a"])
    with pytest.raises(TypeError, match="got a str"):
        text.bag_of_words(["not bad"], v)


DOCS = [["not", "good", "actually", "great"], ["good", "good", "film"], ["bad", "film"], [], ["film"]]


@pytest.mark.parametrize("norm", ["l2", "l1", None])
@pytest.mark.parametrize("smooth", [True, False])
@pytest.mark.parametrize("sublinear", [True, False])
def test_tfidf_equals_scikit_learn(norm, smooth, sublinear):
    from sklearn.feature_extraction.text import TfidfVectorizer

    ours, vocabulary = text.tfidf(DOCS, smooth_idf=smooth, sublinear_tf=sublinear, norm=norm)
    vec = TfidfVectorizer(analyzer=lambda d: d, lowercase=False, smooth_idf=smooth, sublinear_tf=sublinear, norm=norm)
    theirs = vec.fit_transform(DOCS).toarray()
    assert vocabulary == list(vec.get_feature_names_out())
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_tfidf_hand_computed():
    m, v = text.tfidf([["a", "a", "b"], ["b"]], norm=None)
    assert v == ["a", "b"]
    # idf(a) = ln(3/2) + 1, idf(b) = ln(3/3) + 1 = 1
    np.testing.assert_allclose(m, [[2 * (math.log(1.5) + 1), 1.0], [0.0, 1.0]])
    m, _ = text.tfidf([["a", "a", "b"], ["b"]], sublinear_tf=True, norm=None)
    assert m[0, 0] == pytest.approx((1 + math.log(2)) * (math.log(1.5) + 1))
    m, _ = text.tfidf([["a", "a", "b"], ["b"]])
    np.testing.assert_allclose(np.linalg.norm(m, axis=1), 1.0)


def test_tfidf_errors():
    with pytest.raises(TypeError, match="got a single str"):
        text.tfidf("not bad")
    with pytest.raises(TypeError, match="got a str .* at position 0"):
        text.tfidf(["not bad"])
    with pytest.raises(TypeError, match="tokens must be str; got int"):
        text.tfidf([["a", 1]])
    with pytest.raises(ValueError, match="norm must be 'l2', 'l1' or None; got 'l3'"):
        text.tfidf([["a"]], norm="l3")
    with pytest.raises(TypeError, match="smooth_idf must be a bool"):
        text.tfidf([["a"]], smooth_idf=1)
    with pytest.raises(ValueError, match="at least one token"):
        text.tfidf([[], []])


def test_tfidf_property_against_scikit_learn():
    from hypothesis import given, settings, strategies as st
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = st.lists(st.sampled_from(list("abcdef")), max_size=6)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(words, min_size=1, max_size=6).filter(lambda d: any(d)), st.booleans(), st.booleans(),
           st.sampled_from(["l2", "l1", None]))
    def check(docs, smooth, sublinear, norm):
        ours, vocabulary = text.tfidf(docs, smooth_idf=smooth, sublinear_tf=sublinear, norm=norm)
        vec = TfidfVectorizer(analyzer=lambda d: d, lowercase=False, smooth_idf=smooth, sublinear_tf=sublinear,
                              norm=norm)
        np.testing.assert_allclose(ours, vec.fit_transform(docs).toarray(), rtol=0, atol=1e-12)
        assert vocabulary == list(vec.get_feature_names_out())

    check()
