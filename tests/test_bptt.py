"""Tests of rnnbook.bptt: the character-level RNN, truncated BPTT and the echo task."""
import numpy as np
import pytest

from rnnbook import plots, bptt, gradients


def small_model(seed=0):
    m = bptt.CharRNN("abcd", units=5, seed=seed)
    rng = np.random.default_rng(seed)
    for k in m.params:  # a generic point, not the near-zero start of the output layer
        m.params[k] = rng.normal(scale=0.5, size=m.params[k].shape)
    return m


# --------------------------------------------------------------------------- softmax
def test_softmax_is_a_distribution_and_never_overflows():
    p = bptt.softmax([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    assert np.allclose(p.sum(-1), 1) and np.isfinite(p).all() and p[0, 0] == 1.0


@pytest.mark.parametrize("shape, dtype", [((7,), np.float64), ((3, 5), np.float64), ((2, 4, 9), np.float64),
                                          ((4, 6), np.float32), ((0, 3), np.float64)])
def test_softmax_arithmetic_is_unchanged(shape, dtype):
    """The stored notebook outputs were computed with exactly these operations, in this order."""
    z = (np.random.default_rng(0).normal(scale=20, size=shape)).astype(dtype)
    if z.size:
        z.flat[1] = -np.inf  # an -inf entry is allowed: probability 0
    e = np.exp(z.astype(np.float64) - z.astype(np.float64).max(axis=-1, keepdims=True))
    expected = e / e.sum(axis=-1, keepdims=True)
    p = bptt.softmax(z)
    assert p.dtype == np.float64 and p.shape == shape and p.tobytes() == expected.tobytes()


@pytest.mark.parametrize("z, match", [
    ([], r"at least one class; got shape \(0,\)"),
    (np.zeros((2, 0)), r"at least one class; got shape \(2, 0\)"),
    (3.0, r"at least one class; got shape \(\)"),
    ([[0.0, 1.0], [np.nan, 0.0]], r"finite numbers \(or -inf\); got NaN at index \(1, 0\)"),
    ([1.0, np.inf], r"finite numbers \(or -inf\); got \+inf at index \(1,\)"),
    ([[0.0, 1.0], [-np.inf, -np.inf]], r"the row at index \(1,\) is all -inf"),
    ([-np.inf, -np.inf], r"z needs a finite entry; got all -inf"),
])
def test_softmax_rejects_empty_and_non_finite_logits(z, match):
    with pytest.raises(ValueError, match=match):
        bptt.softmax(z)


# --------------------------------------------------------------------------- CharRNN
def test_untrained_loss_is_ln_V():
    m = bptt.CharRNN("abcdefghij", units=16, seed=1)
    ids = np.random.default_rng(0).integers(0, 10, size=(4, 30))
    assert abs(m.loss(ids[:, :-1], ids[:, 1:]) - np.log(10)) < 0.01


@pytest.mark.parametrize("loss_steps", [None, 1, 3])
def test_loss_and_grads_match_finite_differences(loss_steps):
    m = small_model()
    rng = np.random.default_rng(1)
    ids, targets = rng.integers(0, 4, size=(2, 6)), rng.integers(0, 4, size=(2, 6))
    h0 = rng.normal(size=(2, 5))
    loss, grads, h = m.loss_and_grads(ids, targets, h0, loss_steps=loss_steps)
    assert h.shape == (2, 6, 5)
    first = 0 if loss_steps is None else 6 - loss_steps
    assert np.isclose(loss, bptt.CharRNN.loss(m, ids[:, first:], targets[:, first:], h[:, first - 1] if first else h0))
    for key, grad in grads.items():
        def f(value, key=key):
            saved = m.params[key]
            m.params[key] = value
            out = m.loss_and_grads(ids, targets, h0, loss_steps=loss_steps)[0]
            m.params[key] = saved
            return out
        num = gradients.numerical_gradient(f, m.params[key].copy())
        assert gradients.relative_error(grad, num) < 1e-7, key


def test_loss_steps_errors():
    m = small_model()
    ids = np.zeros((1, 4), dtype=int)
    with pytest.raises(ValueError, match="at most the number of steps 4"):
        m.loss_and_grads(ids, ids, loss_steps=5)
    with pytest.raises(TypeError, match="loss_steps must be an int"):
        m.loss_and_grads(ids, ids, loss_steps=1.5)


def test_encode_decode_and_unknown():
    m = bptt.CharRNN("ab?", units=3, unknown="?")
    assert m.decode(m.encode("abba")) == "abba"
    assert m.decode(m.encode("abz")) == "ab?"
    strict = bptt.CharRNN("ab", units=3)
    with pytest.raises(ValueError, match="'z' is not in the alphabet"):
        strict.encode("az")
    with pytest.raises(TypeError, match="text must be a str"):
        strict.encode(3)
    assert "V=3, units=3" in repr(m) and m.vocab_size == 3


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(alphabet="a"), ValueError, "at least 2 distinct"),
    (dict(alphabet="aab"), ValueError, "at least 2 distinct"),
    (dict(alphabet=["ab", "c"]), TypeError, "single characters"),
    (dict(alphabet=5), TypeError, "got int"),
    (dict(alphabet="ab", units=0), ValueError, "units must be an int >= 1"),
    (dict(alphabet="ab", seed=-1), ValueError, "seed must be an int >= 0"),
    (dict(alphabet="ab", unknown="?"), ValueError, "unknown must be a symbol"),
])
def test_charrnn_rejects_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        bptt.CharRNN(**kwargs)


def test_forward_rejects_bad_ids():
    m = small_model()
    with pytest.raises(ValueError, match=r"ids in \[0, 3\]"):
        m.forward(np.array([[0, 4]]))
    with pytest.raises(ValueError, match=r"\[batch, steps\]"):
        m.forward(np.array([0, 1]))
    with pytest.raises(TypeError, match="integer symbol ids"):
        m.forward(np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="targets must have the shape of ids"):
        m.loss(np.zeros((1, 3), dtype=int), np.zeros((1, 2), dtype=int))


def test_sample_is_reproducible_and_keeps_the_prompt():
    m = small_model()
    a, b = m.sample(20, seed=3, prompt="ab"), m.sample(20, seed=3, prompt="ab")
    assert a == b and a.startswith("ab") and len(a) == 22 and set(a) <= set("abcd")
    assert m.sample(0) == "" and len(m.sample(5, temperature=0.5)) == 5
    with pytest.raises(ValueError, match="length must be an int >= 0"):
        m.sample(-1)
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        m.sample(3, temperature=0)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(prompt=None), TypeError, "prompt must be a str; got None"),
    (dict(prompt=["a"]), TypeError, "prompt must be a str; got list"),
    (dict(prompt="az"), ValueError, "'z' is not in the alphabet"),
    (dict(seed=-1), ValueError, "seed must be an int >= 0; got -1"),
    (dict(seed=0.5), TypeError, "seed must be an int; got float 0.5"),
    (dict(length=2.0), TypeError, "length must be an int; got float 2.0"),
    (dict(temperature=float("nan")), ValueError, "temperature must be a finite number > 0"),
    (dict(temperature="hot"), TypeError, "temperature must be a number; got str"),
])
def test_sample_checks_every_argument_before_sampling(kwargs, err, match, monkeypatch):
    m = small_model()

    def no_sampling(*args, **kw):
        raise AssertionError("sample() started sampling before checking its arguments")

    monkeypatch.setattr(bptt.cells, "simple_rnn_step", no_sampling)
    monkeypatch.setattr(bptt.cells, "simple_rnn_forward", no_sampling)
    args = dict(length=5)
    args.update(kwargs)
    with pytest.raises(err, match=match):
        m.sample(**args)


def test_numpy_ints_give_the_same_model_and_text():
    a, b = bptt.CharRNN("abcd", units=5, seed=np.int64(2)), bptt.CharRNN("abcd", units=5, seed=2)
    assert all(a.params[k].tobytes() == b.params[k].tobytes() for k in a.params)
    assert a.sample(np.int64(15), seed=np.uint8(3), prompt="ab") == b.sample(15, seed=3, prompt="ab")
    ids, targets = bptt.echo_task(np.int64(30), np.int64(3), seed=np.int64(1))
    ids2, targets2 = bptt.echo_task(30, 3, seed=1)
    assert ids.tobytes() == ids2.tobytes() and targets.tobytes() == targets2.tobytes()
    with pytest.raises(TypeError, match="seed must be an int; got str '1'"):
        bptt.echo_task(30, 3, seed="1")
    with pytest.raises(TypeError, match="unknown must be a str; got int 5"):
        bptt.CharRNN("ab", unknown=5)


# --------------------------------------------------------------------------- Adam
def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    params = {"w": np.array([1.0, -2.0])}
    opt = bptt.Adam(0.1)
    opt.step(params, {"w": np.array([3.0, -0.5])})
    assert np.allclose(params["w"], [0.9, -1.9])
    with pytest.raises(ValueError, match="same keys"):
        opt.step(params, {"v": np.zeros(2)})
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        bptt.Adam(0)
    from rnnbook import optim

    assert bptt.Adam is optim.Adam  # moved to optim, still reachable as bptt.Adam


# --------------------------------------------------------------------------- truncated BPTT
def test_backward_steps_counts():
    assert bptt.backward_steps(1000, 1000, 1000) == 1000  # full BPTT
    assert bptt.backward_steps(100, 25, 25) == 100  # chunks: every step once
    assert bptt.backward_steps(1000, 10, 50) == 4900
    assert bptt.backward_steps(10, 1, 10) == 55
    with pytest.raises(ValueError, match="k1 must be <= k2"):
        bptt.backward_steps(10, 5, 2)
    with pytest.raises(TypeError, match="steps must be an int"):
        bptt.backward_steps(10.0, 1, 2)


def test_train_lowers_the_loss_and_counts_backward_steps():
    m = bptt.CharRNN("abc", units=8, seed=0)
    ids = m.encode("abcacb" * 200)
    row = (len(ids) - 1) // 4
    updates = row // 5
    hist = bptt.train(m, ids, k1=5, k2=12, batch=4, updates=updates, learning_rate=1e-2, log_every=10)
    assert hist["backward_steps"] == bptt.backward_steps(row, 5, 12)
    assert hist["loss"][-1] < 0.5 * hist["loss"][0] and len(hist["loss"]) == updates // 10


def test_train_wraps_around_the_stream():
    m = bptt.CharRNN("ab", units=4, seed=0)
    hist = bptt.train(m, m.encode("ab" * 50), k1=10, batch=2, updates=12, log_every=4)
    assert hist["backward_steps"] == 12 * 10 and hist["update"] == [4, 8, 12]


@pytest.mark.parametrize("k1, k2, learns", [(8, 8, True), (1, 7, True), (4, 10, True), (4, 4, False)])
def test_echo_is_learned_only_when_the_window_reaches_the_lag(k1, k2, learns):
    ids, targets = bptt.echo_task(20000, lag=6, seed=0)
    test_ids, test_targets = bptt.echo_task(2000, lag=6, seed=1)
    m = bptt.CharRNN("01", units=16, seed=0)
    bptt.train(m, ids, targets, k1=k1, k2=k2, batch=16, updates=600, learning_rate=1e-2)
    acc = (m.forward(test_ids[None])[0][0].argmax(-1) == test_targets)[6:].mean()
    assert (acc > 0.95) if learns else (acc < 0.6)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(k1=5, k2=3), ValueError, "k1 must be <= k2"),
    (dict(k1=0), ValueError, "k1 must be an int >= 1"),
    (dict(batch=50), ValueError, "fewer than k2"),
    (dict(clip=-1.0), ValueError, "clip must be a finite number > 0"),
    (dict(targets=np.zeros(3, dtype=int)), ValueError, "targets must have the shape of ids"),
    (dict(ids=np.zeros(100)), TypeError, "integer symbol ids"),
    (dict(model="model"), TypeError, "model must be a CharRNN"),
])
def test_train_rejects_bad_arguments(kwargs, err, match):
    m = bptt.CharRNN("ab", units=4)
    args = dict(model=m, ids=np.zeros(100, dtype=int), k1=5, batch=4, updates=2)
    args.update(kwargs)
    with pytest.raises(err, match=match):
        bptt.train(**args)


def test_echo_task():
    ids, targets = bptt.echo_task(50, lag=3, seed=2)
    assert ids.shape == targets.shape == (50,) and set(np.unique(ids)) <= {0, 1}
    assert np.array_equal(targets[3:], ids[:-3]) and not targets[:3].any()
    with pytest.raises(ValueError, match="larger than lag"):
        bptt.echo_task(3, lag=3)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        bptt.echo_task(10, lag=2, seed=-1)


# --------------------------------------------------------------------------- figures
def test_figures():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plots.unrolled_bptt(3)
    assert fig.axes[0].get_title() == "A SimpleRNN unrolled over 3 steps"
    fig2 = plots.tbptt_windows(20, 4, 10)
    ax = fig2.axes[0]
    assert ax.get_xlabel() == "time step" and len(ax.get_yticks()) == 5
    plt.close("all")
    with pytest.raises(ValueError, match="at most 10"):
        plots.unrolled_bptt(11)
    with pytest.raises(ValueError, match="k1 must be <= k2"):
        plots.tbptt_windows(20, 5, 2)
