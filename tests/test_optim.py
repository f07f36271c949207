"""Tests of rnnbook.optim: SGD and Adam for dicts of NumPy arrays."""
import numpy as np
import pytest

from rnnbook import bptt, optim


def reference_adam(params, grad_seq, lr, b1, b2, eps):
    """Adam's update exactly as bptt.Adam computed it before the move to optim (operation for operation)."""
    params = {k: v.copy() for k, v in params.items()}
    m, v, t = {}, {}, 0
    for grads in grad_seq:
        t += 1
        for k, g in grads.items():
            mk = m.setdefault(k, np.zeros_like(params[k]))
            vk = v.setdefault(k, np.zeros_like(params[k]))
            mk *= b1
            mk += (1 - b1) * g
            vk *= b2
            vk += (1 - b2) * g * g
            m_hat = mk / (1 - b1**t)
            v_hat = vk / (1 - b2**t)
            params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return params, m, v


def random_problem(dtype, steps=25, seed=0):
    rng = np.random.default_rng(seed)
    params = {"w": rng.normal(size=(3, 4)).astype(dtype), "b": rng.normal(size=4).astype(dtype)}
    grad_seq = [{"b": rng.normal(size=4).astype(dtype), "w": rng.normal(size=(3, 4)).astype(dtype)}
                for _ in range(steps)]
    return params, grad_seq


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("hyper", [dict(learning_rate=1e-3), dict(learning_rate=3e-2, beta1=0.5, beta2=0.9, eps=1e-6),
                                   dict(learning_rate=np.float32(0.01), beta1=0, beta2=np.float64(0.99))])
def test_adam_is_bit_identical_to_the_original_arithmetic(dtype, hyper):
    params, grad_seq = random_problem(dtype)
    full = dict(dict(learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8), **hyper)
    hyper_floats = (float(full[k]) for k in ("learning_rate", "beta1", "beta2", "eps"))
    expected, m, v = reference_adam(params, grad_seq, *hyper_floats)
    opt = optim.Adam(**hyper)
    for grads in grad_seq:
        opt.step(params, grads)
    assert opt.t == len(grad_seq)
    for k in params:
        assert params[k].dtype == dtype and params[k].tobytes() == expected[k].tobytes(), k
        assert opt.m[k].tobytes() == m[k].tobytes() and opt.v[k].tobytes() == v[k].tobytes(), k


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    params = {"w": np.array([1.0, -2.0])}
    optim.Adam(0.1).step(params, {"w": np.array([3.0, -0.5])})
    assert np.allclose(params["w"], [0.9, -1.9])
    assert bptt.Adam is optim.Adam


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(beta1=1.5), ValueError, r"beta1 must be a finite number in \[0, 1\); got 1.5"),
    (dict(beta1=1.0), ValueError, r"beta1 must be a finite number in \[0, 1\); got 1.0"),
    (dict(beta2=-0.1), ValueError, r"beta2 must be a finite number in \[0, 1\); got -0.1"),
    (dict(eps=-1), ValueError, "eps must be a finite number > 0; got -1.0"),
    (dict(eps=0.0), ValueError, "eps must be a finite number > 0; got 0.0"),
    (dict(learning_rate=0), ValueError, "learning_rate must be a finite number > 0"),
    (dict(learning_rate=float("nan")), ValueError, "learning_rate must be a finite number > 0"),
    (dict(beta1="0.9"), TypeError, "beta1 must be a number; got str '0.9'"),
    (dict(eps=True), TypeError, "eps must be a number; got bool True"),
])
def test_adam_rejects_bad_hyperparameters(kwargs, err, match):
    with pytest.raises(err, match=match):
        optim.Adam(**kwargs)


@pytest.mark.parametrize("make", [lambda: optim.Adam(0.1), lambda: optim.SGD(0.1)])
def test_step_checks_grads_against_params_before_changing_anything(make):
    opt = make()
    params = {"w": np.ones((2, 3)), "b": np.zeros(3)}
    before = {k: v.copy() for k, v in params.items()}
    bad_calls = [
        ({"w": np.ones((3, 2)), "b": np.zeros(3)}, ValueError,
         r"grads\['w'\] must have the shape of params\['w'\] \(2, 3\); got shape \(3, 2\)"),
        ({"w": np.ones((2, 3))}, ValueError, r"same keys; grads misses \['b'\] and has extra \[\]"),
        ({"w": np.ones((2, 3)), "b": np.zeros(3), "c": 1.0}, ValueError, r"has extra \['c'\]"),
        ({"b": np.zeros(3), "w": "grad"}, TypeError, r"grads\['w'\] must be an array of numbers; got str"),
        ([np.ones((2, 3)), np.zeros(3)], TypeError, "grads must be a dict of name -> ndarray; got list"),
    ]
    for grads, err, match in bad_calls:
        with pytest.raises(err, match=match):
            opt.step(params, grads)
    with pytest.raises(TypeError, match="params must be a dict of name -> ndarray; got list"):
        opt.step([params["w"]], {"w": np.ones((2, 3))})
    with pytest.raises(TypeError, match=r"params\['w'\] must be a float ndarray .*got ndarray with dtype int64"):
        opt.step({"w": np.ones(3, dtype=np.int64)}, {"w": np.ones(3)})
    with pytest.raises(TypeError, match=r"params\['w'\] must be a float ndarray .*got list"):
        opt.step({"w": [1.0, 2.0]}, {"w": np.ones(2)})
    assert all(params[k].tobytes() == before[k].tobytes() for k in params)  # nothing moved
    if isinstance(opt, optim.Adam):
        assert opt.t == 0 and not opt.m and not opt.v


def test_sgd_step_is_w_minus_learning_rate_times_g():
    params, grad_seq = random_problem(np.float64, steps=5)
    expected = {k: v.copy() for k, v in params.items()}
    opt = optim.SGD(0.1)
    for grads in grad_seq:
        opt.step(params, grads)
        expected = {k: expected[k] - 0.1 * grads[k] for k in expected}  # gradients.train_with_clipping's update
    assert all(params[k].tobytes() == expected[k].tobytes() for k in params)
    assert repr(opt) == "SGD(learning_rate=0.1)"
    assert optim.SGD(np.float32(0.5)).learning_rate == 0.5
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0; got -1"):
        optim.SGD(-1)
    with pytest.raises(TypeError, match="learning_rate must be a number; got None"):
        optim.SGD(None)


def test_module_docstring_names_the_chapters_that_use_it():
    doc = optim.__doc__
    assert "chapter 3" in doc and "chapter 4" in doc and "CharRNN" in doc and "clipping" in doc
