import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnbook import data, forecast, text


def test_sliding_windows_example():
    X, y = data.sliding_windows(np.arange(6), window=3, horizon=2)
    assert X.tolist() == [[0, 1, 2], [1, 2, 3]]
    assert y.tolist() == [[3, 4], [4, 5]]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 60), window=st.integers(1, 20), horizon=st.integers(1, 5))
def test_sliding_windows_shapes_and_content(n, window, horizon):
    s = np.arange(n, dtype=float) * 1.5
    if n < window + horizon:
        with pytest.raises(ValueError, match=f"needs at least {window + horizon}"):
            data.sliding_windows(s, window, horizon)
        return
    X, y = data.sliding_windows(s, window, horizon)
    m = n - window - horizon + 1
    assert X.shape == (m, window) and y.shape == (m, horizon)
    for i in (0, m - 1):
        np.testing.assert_array_equal(X[i], s[i:i + window])
        np.testing.assert_array_equal(y[i], s[i + window:i + window + horizon])


@pytest.mark.parametrize("bad, err, msg", [
    (dict(series=np.zeros((3, 2)), window=1), ValueError, r"shape \(n,\); got shape \(3, 2\)"),
    (dict(series="abc", window=1), TypeError, "got str"),
    (dict(series=np.arange(5), window=2.0), TypeError, "window must be an int; got float 2.0"),
    (dict(series=np.arange(5), window=True), TypeError, "window must be an int; got bool True"),
    (dict(series=np.arange(5), window=0), ValueError, "window must be an int >= 1; got 0"),
    (dict(series=np.arange(5), window=2, horizon=0), ValueError, "horizon must be an int >= 1; got 0"),
])
def test_sliding_windows_errors(bad, err, msg):
    with pytest.raises(err, match=msg):
        data.sliding_windows(**bad)


def test_adding_problem_contract():
    x, y = data.adding_problem(500, 30, seed=3)
    assert x.shape == (500, 30, 2) and y.shape == (500,)
    assert x.dtype == np.float32
    assert ((x[..., 0] >= 0) & (x[..., 0] <= 1)).all()
    marks = x[..., 1]
    assert set(np.unique(marks)) == {0.0, 1.0}
    assert (marks.sum(axis=1) == 2).all()
    assert (marks[:, :15].sum(axis=1) == 1).all() and (marks[:, 15:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y, (x[..., 0] * marks).sum(axis=1), rtol=1e-6)
    x2, y2 = data.adding_problem(500, 30, seed=3)
    np.testing.assert_array_equal(x, x2)
    assert not np.array_equal(x, data.adding_problem(500, 30, seed=4)[0])


def test_adding_problem_baseline_is_one_sixth():
    _, y = data.adding_problem(20000, 10, seed=0)
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.01


def test_adding_problem_errors():
    with pytest.raises(ValueError, match="steps must be an int >= 2; got 1"):
        data.adding_problem(10, 1)
    with pytest.raises(TypeError, match="n must be an int; got str '10'"):
        data.adding_problem("10", 5)


def test_first_value_task():
    x, y = data.first_value_task(100, 12, seed=1)
    assert x.shape == (100, 12, 1) and y.shape == (100,)
    np.testing.assert_array_equal(x[:, 0, 0] > 0, y == 1)
    assert np.abs(x[:, 1:, 0]).max() <= 0.5
    with pytest.raises(ValueError, match="noise must be a finite number >= 0; got -1.0"):
        data.first_value_task(10, 5, noise=-1.0)


def test_sunspots_and_gdp():
    years, s = data.load_sunspots()
    assert years.shape == s.shape == (309,) and years[0] == 1700 and years[-1] == 2008
    q, g = data.load_macro_gdp()
    assert q.shape == g.shape == (203,) and q[0] == 1959.0 and np.all(np.diff(q) > 0)
    assert g.min() > 2000


def test_digits_sequences():
    (xtr, ytr), (xte, yte) = data.load_digits_sequences()
    assert xtr.shape[1:] == (8, 8) and xtr.shape[0] + xte.shape[0] == 1797
    assert 0.0 <= xtr.min() and xtr.max() <= 1.0
    assert set(np.unique(yte)) == set(range(10))
    with pytest.raises(ValueError, match=r"test_size must be a finite number in \(0, 1\); got 2.0"):
        data.load_digits_sequences(test_size=2)


def test_text_loaders():
    docs = data.load_lee_documents("background")
    assert len(docs) == 300 and all(isinstance(w, str) for w in docs[0])
    assert len(data.load_lee_documents("test")) == 50
    with pytest.raises(ValueError, match="which must be one of"):
        data.load_lee_text("nope")
    texts, labels = data.load_polarity()
    assert len(texts) == 200 and labels.shape == (200,) and set(labels.tolist()) == {0, 1}


# --------------------------------------------------------------------------- argument checks
def test_generators_accept_numpy_ints_with_identical_results():
    x, y = data.adding_problem(np.int64(20), np.int32(8), seed=np.int64(5))
    x2, y2 = data.adding_problem(20, 8, seed=5)
    assert x.tobytes() == x2.tobytes() and y.tobytes() == y2.tobytes()
    a, b = data.first_value_task(np.int64(10), np.int64(6), noise=np.float64(0.5), seed=np.int64(2))
    a2, b2 = data.first_value_task(10, 6, noise=0.5, seed=2)
    assert a.tobytes() == a2.tobytes() and b.tobytes() == b2.tobytes()
    X, yy = data.sliding_windows(np.arange(6), window=np.int64(3), horizon=np.int8(2))
    assert X.tolist() == [[0, 1, 2], [1, 2, 3]] and yy.tolist() == [[3, 4], [4, 5]]
    assert data.first_value_task(4, 3, noise=np.float32(0.25), seed=0)[0].shape == (4, 3, 1)


@pytest.mark.parametrize("fn", [
    lambda seed: data.adding_problem(4, 3, seed=seed),
    lambda seed: data.first_value_task(4, 3, seed=seed),
    lambda seed: data.load_digits_sequences(seed=seed),
])
def test_generators_check_their_seed(fn):
    with pytest.raises(ValueError, match="seed must be an int (>= 0|in \\[0, 4294967295\\]); got -1"):
        fn(-1)
    with pytest.raises(TypeError, match="seed must be an int; got float 1.0"):
        fn(1.0)
    with pytest.raises(TypeError, match="seed must be an int; got None"):
        fn(None)
    with pytest.raises(TypeError, match="seed must be an int; got bool True"):
        fn(True)


def test_first_value_task_noise_checks():
    with pytest.raises(TypeError, match="noise must be a number; got str '0.5'"):
        data.first_value_task(4, 3, noise="0.5")
    with pytest.raises(ValueError, match="noise must be a finite number >= 0; got nan"):
        data.first_value_task(4, 3, noise=float("nan"))


def test_digits_argument_checks():
    with pytest.raises(TypeError, match="test_size must be a number; got str '0.25'"):
        data.load_digits_sequences(test_size="0.25")
    with pytest.raises(ValueError, match="seed must be an int in \\[0, 4294967295\\]; got 4294967296"):
        data.load_digits_sequences(seed=2**32)


def test_lee_loaders_check_which_and_share_the_word_tokenizer():
    from rnnbook import text

    with pytest.raises(TypeError, match="which must be a str; got int 1"):
        data.load_lee_text(1)
    line = next(ln for ln in data.load_lee_text("test").splitlines() if ln.strip())
    assert data.load_lee_documents("test")[0] == text.tokenize_words(line)
    assert not hasattr(data, "_WORD") and not hasattr(data, "train_test_split_series")


# ----------------------------------------------------------------- the shared benchmarks' splits
def test_adding_splits_are_the_one_protocol_split():
    s = data.adding_splits()
    assert (s.x_train.shape, s.x_val.shape, s.x_test.shape) == ((3000, 50, 2), (500, 50, 2), (500, 50, 2))
    assert data.ADDING_STEPS == 50
    x, y = data.adding_problem(500, 50, seed=4)
    np.testing.assert_array_equal(s.x_val, x)
    np.testing.assert_array_equal(s.y_val, y)
    assert not np.array_equal(s.x_val, s.x_test)  # three different generator seeds


def test_sunspot_splits_parts_windows_and_scores():
    s = data.sunspot_splits()
    years, values = data.load_sunspots()
    assert (s.years[s.val_start], s.years[s.test_start], s.window) == (1909, 1949, 9)
    assert len(s.part("train")) + len(s.part("val")) + len(s.part("test")) == len(values) == 309
    assert (len(s.part("val")), len(s.part("test"))) == (40, 60)
    assert s.mean == pytest.approx(values[:209].mean()) and s.std == pytest.approx(values[:209].std())
    x, y = s.windows("train")
    assert x.shape == (200, 9, 1) and y.shape == (200,) and x.dtype == np.float32
    # a window holds the 9 values before its target, scaled by the training statistics
    np.testing.assert_allclose(x[0, :, 0] * s.std + s.mean, values[:9], rtol=1e-5)
    np.testing.assert_allclose(y[0] * s.std + s.mean, values[9], rtol=1e-5)
    xv, yv = s.windows("val")
    np.testing.assert_allclose(xv[0, :, 0] * s.std + s.mean, values[200:209], rtol=1e-5)  # reaches back into training
    assert s.windows("test")[0].shape == (60, 9, 1)
    # a predictor that returns the true next value scores MASE 0; the naive forecast matches forecast.mase
    truth = lambda w: np.array([values[np.flatnonzero(np.all(np.lib.stride_tricks.sliding_window_view(values, 9)[:-1] == row, axis=1))[0] + 9] for row in w])  # noqa: E731
    assert s.mase(s.forecast(truth, "val"), "val") == 0.0
    naive = lambda w: np.asarray(w)[:, -1]  # noqa: E731
    assert s.mase(s.forecast(naive, "test"), "test") == pytest.approx(
        forecast.mase(values[249:], values[248:-1], values[:209]))


def test_sunspot_splits_reject_unknown_parts():
    s = data.sunspot_splits()
    with pytest.raises(ValueError, match="part must be one of"):
        s.part("validation")
    with pytest.raises(TypeError, match="part must be a str"):
        s.windows(1)


def test_lee_text_splits_are_disjoint_halves_of_the_test_articles():
    t = data.lee_text_splits()
    assert len(t.train) > 300_000 and 10_000 < len(t.val) < 16_000 and 10_000 < len(t.test) < 16_000
    whole = "".join(text.tokenize_chars(data.load_lee_text("test")))
    assert whole.startswith(t.val[:200]) and whole.endswith(t.test[-200:])
    assert t.val[:500] not in t.test and t.train == t.train.lower() and "  " not in t.val


def test_polarity_folds_are_stratified_repeated_and_deterministic():
    _, labels = data.load_polarity()
    folds = data.polarity_folds()
    assert len(folds) == 15
    for train, test in folds:
        assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == 200
        assert abs(labels[test].mean() - labels.mean()) <= 0.05  # stratified
    first_repeat = np.sort(np.concatenate([test for _, test in folds[:5]]))
    np.testing.assert_array_equal(first_repeat, np.arange(200))  # each repeat covers every sentence once
    again = data.polarity_folds()
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))
    assert not np.array_equal(folds[0][1], data.polarity_folds(seed=1)[0][1])
    with pytest.raises(ValueError, match="n_splits must be an int >= 2"):
        data.polarity_folds(n_splits=1)
    with pytest.raises(TypeError, match="n_repeats"):
        data.polarity_folds(n_repeats=2.0)
