"""Tests of rnnbook.embeddings: word2vec (SGNS) and GloVe in NumPy."""
import numpy as np
import pytest
from gensim.models import KeyedVectors, Word2Vec

from rnnbook import data
from rnnbook import embeddings as E

TOY = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"],
       ["a", "cat", "and", "a", "dog"]] * 4


@pytest.fixture(scope="module")
def lee():
    return data.load_lee_documents("background")


def test_vocabulary_equals_gensims(lee):
    words, counts = E.build_vocab(lee, 3)
    model = Word2Vec(vector_size=10, min_count=3, workers=1, seed=0)
    model.build_vocab(lee)
    assert set(words) == set(model.wv.index_to_key)
    assert words[0] == model.wv.index_to_key[0]
    assert list(counts) == sorted(counts, reverse=True)
    assert counts[0] == model.wv.get_vecattr(words[0], "count")


def test_keep_probabilities_formula():
    counts = np.array([1000, 10, 1])
    keep = E.keep_probabilities(counts, 1e-2)
    t = 1e-2 * counts.sum()
    assert keep[0] == pytest.approx((np.sqrt(1000 / t) + 1) * t / 1000)
    assert keep[1] == keep[2] == 1.0
    np.testing.assert_array_equal(E.keep_probabilities(counts, 0), 1.0)


def test_noise_distribution_is_unigram_to_the_three_quarters():
    p = E.noise_distribution(np.array([16, 1]))
    assert p.sum() == pytest.approx(1.0)
    assert p[0] / p[1] == pytest.approx(8.0)


def test_skipgram_pairs_stay_inside_sentences_and_windows():
    ids = np.arange(10)
    sent = np.array([0] * 4 + [1] * 6)
    c, o = E.skipgram_pairs(ids, sent, 2, np.random.default_rng(0))
    assert len(c) == len(o) > 0
    assert np.all(sent[c] == sent[o])
    assert np.all((np.abs(c - o) >= 1) & (np.abs(c - o) <= 2))
    c1, o1 = E.skipgram_pairs(ids, sent, 1, np.random.default_rng(0))
    # window 1: every neighbour pair inside a sentence, both ways: 2 * (3 + 5)
    assert len(c1) == 16


def test_sgns_loss_at_zero_vectors_is_log2_per_term():
    v, u = np.zeros((3, 4)), np.ones((3, 6, 4))
    assert E.sgns_loss(v, u) == pytest.approx(3 * 6 * np.log(2))


def test_sgns_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    v, u = rng.normal(size=(3, 4)), rng.normal(size=(3, 6, 4))
    dv, du = E.sgns_gradients(v, u)
    eps = 1e-6
    for arr, grad in ((v, dv), (u, du)):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            plus = E.sgns_loss(v, u)
            arr[idx] = old - eps
            minus = E.sgns_loss(v, u)
            arr[idx] = old
            num[idx] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-7)


def test_scatter_add_sums_repeated_rows_like_add_at():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(5, 3)).astype(np.float32)
    rows = np.array([0, 2, 2, 4, 0, 0])
    values = rng.normal(size=(6, 3)).astype(np.float32)
    expected = w.copy()
    np.add.at(expected, rows, values)
    E.scatter_add(w, rows, values)
    np.testing.assert_allclose(w, expected, rtol=1e-6)


def test_sgns_update_lowers_the_loss():
    rng = np.random.default_rng(2)
    w_in, w_out = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    centres, targets = np.array([0, 1, 1]), np.array([[2, 3, 4], [5, 0, 3], [2, 4, 4]])
    before = E.sgns_loss(w_in[centres], w_out[targets])
    E.sgns_update(w_in, w_out, centres, targets, 0.01)
    assert E.sgns_loss(w_in[centres], w_out[targets]) < before


def test_train_word2vec_returns_deterministic_keyed_vectors():
    a = E.train_word2vec(TOY, vector_size=8, window=2, min_count=2, epochs=3, seed=1)
    b = E.train_word2vec(TOY, vector_size=8, window=2, min_count=2, epochs=3, seed=1)
    c = E.train_word2vec(TOY, vector_size=8, window=2, min_count=2, epochs=3, seed=2)
    assert isinstance(a, KeyedVectors) and a.vector_size == 8
    assert set(a.index_to_key) == {w for s in TOY for w in s}
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert not np.array_equal(a.vectors, c.vectors)
    assert np.all(np.isfinite(a.vectors))


@pytest.mark.parametrize("args, kwargs, err, msg", [
    ("not a corpus", {}, TypeError, "sentences"),
    ([["a", 1]], {}, TypeError, "str tokens"),
    ([["a"], "b c"], {}, TypeError, r"sentences\[1\]"),
    ([[]], {}, ValueError, "at least one token"),
    (TOY, dict(vector_size=0), ValueError, "vector_size"),
    (TOY, dict(window=2.5), TypeError, "window"),
    (TOY, dict(sample=-0.1), ValueError, "sample"),
    (TOY, dict(alpha=0.0), ValueError, "alpha"),
    (TOY, dict(min_count=100), ValueError, "min_count"),
    (TOY, dict(seed=-1), ValueError, "seed"),
])
def test_train_word2vec_validation(args, kwargs, err, msg):
    with pytest.raises(err, match=msg):
        E.train_word2vec(args, **kwargs)


def test_cooccurrence_matrix_by_hand():
    X = E.cooccurrence_matrix([["a", "b", "c"], ["c", "a"]], ["a", "b", "c"], window=2).toarray()
    expected = np.array([[0, 1, 0.5 + 1], [1, 0, 1], [1.5, 1, 0]])
    np.testing.assert_allclose(X, expected)


def test_cooccurrence_skips_words_outside_the_vocabulary():
    X = E.cooccurrence_matrix([["a", "zz", "b"]], ["a", "b"], window=1).toarray()
    np.testing.assert_allclose(X, [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="repeat"):
        E.cooccurrence_matrix(TOY, ["a", "a"])


def test_glove_weight_is_capped():
    np.testing.assert_allclose(E.glove_weight(np.array([50.0, 100.0, 400.0])), [0.5 ** 0.75, 1, 1])


def test_glove_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    V, d = 4, 3
    params = {"w": rng.normal(size=(V, d)), "w_tilde": rng.normal(size=(V, d)),
              "b": rng.normal(size=V), "b_tilde": rng.normal(size=V)}
    i, j = np.array([0, 1, 2, 3, 0]), np.array([1, 0, 3, 2, 2])
    x = np.array([3.0, 3.0, 120.0, 120.0, 0.5])

    def loss():
        return E.glove_loss(params["w"], params["w_tilde"], params["b"], params["b_tilde"], i, j, x)

    grads = E.glove_gradients(params, i, j, x)
    eps = 1e-6
    for name, arr in params.items():
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            plus = loss()
            arr[idx] = old - eps
            minus = loss()
            arr[idx] = old
            num[idx] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(2 * grads[name], num, rtol=1e-5, atol=1e-7, err_msg=name)


def test_train_glove_fits_and_is_deterministic():
    words = ["the", "cat", "sat", "on", "mat", "dog", "log", "a", "and"]
    X = E.cooccurrence_matrix(TOY, words, window=2)
    a = E.train_glove(X, words, vector_size=5, x_max=10, epochs=30, lr=0.1, seed=0)
    b = E.train_glove(X.toarray(), words, vector_size=5, x_max=10, epochs=30, lr=0.1, seed=0)
    assert isinstance(a, KeyedVectors) and a.index_to_key == words
    np.testing.assert_allclose(a.vectors, b.vectors, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("matrix, vocab, kwargs, err, msg", [
    (np.ones((2, 3)), ["a", "b"], {}, ValueError, "shape"),
    (np.ones((2, 2)), "ab", {}, TypeError, "vocab"),
    (np.zeros((2, 2)), ["a", "b"], {}, ValueError, "non-zero"),
    (-np.ones((2, 2)), ["a", "b"], {}, ValueError, "non-negative"),
    ("abc", ["a", "b"], {}, TypeError, "cooccurrence"),
    (np.ones((2, 2)), ["a", "b"], dict(x_max=0), ValueError, "x_max"),
    (np.ones((2, 2)), ["a", "b"], dict(epochs=1.5), TypeError, "epochs"),
])
def test_train_glove_validation(matrix, vocab, kwargs, err, msg):
    with pytest.raises(err, match=msg):
        E.train_glove(matrix, vocab, **kwargs)


def test_embedding_matrix_rows():
    kv = E.to_keyed_vectors(["cat", "dog"], np.array([[1.0, 2.0], [3.0, 4.0]]))
    rows = E.embedding_matrix(kv, ["<pad>", "<unk>", "dog", "zebra"], seed=0)
    assert rows.shape == (4, 2) and rows.dtype == np.float32
    np.testing.assert_array_equal(rows[0], 0.0)
    np.testing.assert_array_equal(rows[2], [3.0, 4.0])
    with pytest.raises(TypeError, match="words"):
        E.embedding_matrix(kv, "dog")


def test_polarity_accuracies_one_fold():
    kv = E.to_keyed_vectors(["good", "bad"], np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]))
    folds = data.polarity_folds()[:1]
    acc = E.polarity_accuracies(kv, "frozen", folds, units=2, epochs=1)
    assert acc.shape == (1,) and 0.0 <= acc[0] <= 1.0
    with pytest.raises(ValueError, match="init"):
        E.polarity_accuracies(kv, "pretrained", folds)


# --------------------------------------------------------------------------- GloVe's history, PPMI, word pairs
TOY_WORDS = ["the", "cat", "sat", "on", "mat", "dog", "log", "a", "and"]


def test_glove_history_checkpoints_equal_separate_runs():
    X = E.cooccurrence_matrix(TOY, TOY_WORDS, window=2)
    h = E.glove_history(X, TOY_WORDS, [20, 5], vector_size=5, x_max=10, lr=0.1, seed=0, loss_every=5)
    assert sorted(h.vectors) == [5, 20]
    for c in (5, 20):
        alone = E.train_glove(X, TOY_WORDS, vector_size=5, x_max=10, epochs=c, lr=0.1, seed=0)
        np.testing.assert_array_equal(h.vectors[c].vectors, alone.vectors)
    steps, losses = zip(*h.losses)
    assert steps == (5, 10, 15, 20)
    assert all(b < a for a, b in zip(losses, losses[1:]))      # AdaGrad on this toy keeps descending
    assert h.n_entries == X.nnz and h.n_params == 2 * len(TOY_WORDS) * 6
    assert "4 losses" in repr(h)


@pytest.mark.parametrize("kwargs, err, msg", [
    (dict(checkpoints=[]), TypeError, "checkpoints"),
    (dict(checkpoints=5), TypeError, "checkpoints"),
    (dict(checkpoints=[0]), ValueError, "checkpoint"),
    (dict(checkpoints=[3], loss_every=-1), ValueError, "loss_every"),
])
def test_glove_history_validation(kwargs, err, msg):
    X = E.cooccurrence_matrix(TOY, TOY_WORDS, window=2)
    with pytest.raises(err, match=msg):
        E.glove_history(X, TOY_WORDS, **kwargs)


def test_ppmi_svd_equals_a_dense_computation():
    X = E.cooccurrence_matrix(TOY, TOY_WORDS, window=2).toarray()
    kv = E.ppmi_svd(X, TOY_WORDS, vector_size=3)
    # the formula written out on the dense matrix
    p_ctx = X.sum(axis=0) ** 0.75 / (X.sum(axis=0) ** 0.75).sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(X / X.sum(axis=1, keepdims=True) / p_ctx)
    ppmi = np.where(X > 0, np.maximum(pmi, 0.0), 0.0)
    u, s, _ = np.linalg.svd(ppmi)
    expected = u[:, :3] * np.sqrt(s[:3])
    got = kv.vectors
    for k in range(3):                     # singular vectors are defined up to their sign
        sign = np.sign(got[:, k] @ expected[:, k])
        np.testing.assert_allclose(sign * got[:, k], expected[:, k], atol=1e-5)
    with pytest.raises(ValueError, match="vector_size"):
        E.ppmi_svd(X, TOY_WORDS, vector_size=9)


def test_pair_spearman_equals_gensims_evaluation(tmp_path):
    from gensim.test.utils import datapath

    rng = np.random.default_rng(0)
    words, _ = E.build_vocab(data.load_lee_documents("background"), 3)
    words = words + ["Tiger", "LOVE"]          # upper case: matched case-insensitively, the first key wins
    kv = E.to_keyed_vectors(words, rng.normal(size=(len(words), 4)))
    for name in ("wordsim353.tsv", "simlex999.txt"):
        pairs = E.load_word_pairs(datapath(name))
        rho, n = E.pair_spearman(kv, pairs)
        pearson, spearman, oov = kv.evaluate_word_pairs(datapath(name))
        assert n >= 50 and rho == pytest.approx(spearman.statistic, abs=1e-12)
        assert n == round(len(pairs) * (1 - oov / 100))
    path = tmp_path / "bad.txt"
    path.write_text("# comment\ncat\tdog\n")
    with pytest.raises(ValueError, match="word<TAB>word<TAB>score"):
        E.load_word_pairs(path)
    with pytest.raises(TypeError, match="pairs"):
        E.pair_spearman(kv, "cat dog 3")
    with pytest.raises(TypeError, match="row"):
        E.pair_spearman(kv, [("cat", "dog")])


def test_spearman_interval_brackets_the_estimate_and_is_reproducible():
    from gensim.test.utils import datapath

    docs = data.load_lee_documents("background")[:60]
    words, _ = E.build_vocab(docs, 2)
    kv = E.to_keyed_vectors(words, np.random.default_rng(1).normal(size=(len(words), 8)))
    pairs = [(a, b, s) for a, b, s in E.load_word_pairs(datapath("wordsim353.tsv"))]
    pairs += [(w, words[k + 1], float(k % 7)) for k, w in enumerate(words[:40])]
    rho, n = E.pair_spearman(kv, pairs)
    low, high = E.spearman_interval(kv, pairs, n_resamples=200)
    assert low < rho < high and (low, high) == E.spearman_interval(kv, pairs, n_resamples=200)
    with pytest.raises(ValueError, match="at least 3"):
        E.spearman_interval(kv, [("cat", "dog", 1.0)])


def test_random_start_has_the_spread_of_the_vectors():
    kv = E.to_keyed_vectors([f"w{k}" for k in range(50)], np.random.default_rng(0).normal(0, 0.3, (50, 6)))
    rows = E._random_rows(kv, 400, seed=0)
    assert rows.std() == pytest.approx(np.std(kv.vectors), rel=0.1)


# --------------------------------------------------------------------------- WEAT
from rnnbook import embeddings  # noqa: E402


def _kv(rows):
    return embeddings.to_keyed_vectors(list(rows), np.array(list(rows.values()), dtype=float))


def test_weat_by_hand_and_against_a_brute_force_permutation_test():
    from itertools import combinations

    rng = np.random.default_rng(0)
    words = {f"w{k}": rng.normal(size=5) for k in range(14)}
    kv = _kv(words)
    X, Y, A, B = ["w0", "w1", "w2"], ["w3", "w4", "w5"], ["w6", "w7", "w8", "w9"], ["w10", "w11", "w12", "w13"]
    out = embeddings.weat(kv, X, Y, A, B)
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)  # noqa: E731
    s = {w: np.mean([cos(words[w], words[a]) for a in A]) - np.mean([cos(words[w], words[b]) for b in B])
         for w in X + Y}
    d = (np.mean([s[w] for w in X]) - np.mean([s[w] for w in Y])) / np.std([s[w] for w in X + Y], ddof=1)
    assert out["effect_size"] == pytest.approx(d) and out["splits"] == 20
    stat = lambda xs: sum(s[w] for w in xs) - sum(s[w] for w in X + Y if w not in xs)  # noqa: E731
    p = np.mean([stat(c) >= stat(X) - 1e-12 for c in combinations(X + Y, 3)])
    assert out["p_value"] == pytest.approx(p)
    p2 = np.mean([abs(stat(c)) >= abs(stat(X)) - 1e-12 for c in combinations(X + Y, 3)])
    assert out["p_two_sided"] == pytest.approx(p2)


def test_weat_finds_a_planted_association():
    # career words lean towards the male words, family words towards the female words
    rng = np.random.default_rng(1)
    male, female = rng.normal(size=20), rng.normal(size=20)
    rows = {f"m{k}": male + 0.3 * rng.normal(size=20) for k in range(4)}
    rows |= {f"f{k}": female + 0.3 * rng.normal(size=20) for k in range(4)}
    rows |= {f"c{k}": male + 2 * rng.normal(size=20) for k in range(5)}
    rows |= {f"h{k}": female + 2 * rng.normal(size=20) for k in range(5)}
    out = embeddings.weat(_kv(rows), [f"c{k}" for k in range(5)], [f"h{k}" for k in range(5)],
                          [f"m{k}" for k in range(4)], [f"f{k}" for k in range(4)])
    assert out["effect_size"] > 1.5 and out["p_value"] <= 1 / 252 + 1e-9
    swapped = embeddings.weat(_kv(rows), [f"h{k}" for k in range(5)], [f"c{k}" for k in range(5)],
                              [f"m{k}" for k in range(4)], [f"f{k}" for k in range(4)])
    assert swapped["effect_size"] == pytest.approx(-out["effect_size"]) and swapped["p_value"] > 0.99


@pytest.mark.parametrize("args, err", [
    ((["a", "b"], ["c", "d", "e"], ["f", "g"], ["h", "i"]), "same size"),
    ((["a", "b"], ["c", "d"], ["e"], ["f", "g"]), "at least two words"),
    ((["a", "b"], ["c", "zz"], ["d", "e"], ["f", "g"]), "not in the vocabulary: \\['zz'\\]"),
    ((["a", "b"], ["c", "d"], ["d", "e"], ["f", "g"]), "must not share"),
])
def test_weat_validates(args, err):
    kv = _kv({w: np.arange(3.0) + k for k, w in enumerate("abcdefghi")})
    with pytest.raises(ValueError, match=err):
        embeddings.weat(kv, *args)
    with pytest.raises(TypeError, match="list of str words"):
        embeddings.weat(kv, "ab", ["c", "d"], ["d", "e"], ["f", "g"])
