import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnbook import data


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
    (dict(series=np.arange(5), window=2.0), TypeError, "window must be an int, got float"),
    (dict(series=np.arange(5), window=0), ValueError, "window must be >= 1"),
    (dict(series=np.arange(5), window=2, horizon=0), ValueError, "horizon must be >= 1"),
])
def test_sliding_windows_errors(bad, err, msg):
    with pytest.raises(err, match=msg):
        data.sliding_windows(**bad)


def test_train_test_split_series():
    tr, te = data.train_test_split_series(np.arange(10), 3)
    assert tr.tolist() == list(range(7)) and te.tolist() == [7, 8, 9]
    with pytest.raises(ValueError, match="smaller than the series length 10"):
        data.train_test_split_series(np.arange(10), 10)


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
    with pytest.raises(ValueError, match="steps must be >= 2"):
        data.adding_problem(10, 1)
    with pytest.raises(TypeError, match="n must be an int"):
        data.adding_problem("10", 5)


def test_first_value_task():
    x, y = data.first_value_task(100, 12, seed=1)
    assert x.shape == (100, 12, 1) and y.shape == (100,)
    np.testing.assert_array_equal(x[:, 0, 0] > 0, y == 1)
    assert np.abs(x[:, 1:, 0]).max() <= 0.5
    with pytest.raises(ValueError, match="noise must be a number >= 0"):
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
    with pytest.raises(ValueError, match=r"test_size must be a float in \(0, 1\)"):
        data.load_digits_sequences(test_size=2)


def test_text_loaders():
    docs = data.load_lee_documents("background")
    assert len(docs) == 300 and all(isinstance(w, str) for w in docs[0])
    assert len(data.load_lee_documents("test")) == 50
    with pytest.raises(ValueError, match="which must be one of"):
        data.load_lee_text("nope")
    texts, labels = data.load_polarity()
    assert len(texts) == 200 and labels.shape == (200,) and set(labels.tolist()) == {0, 1}
