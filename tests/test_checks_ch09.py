"""Chapter 9 checks accept the solutions and reject plausible mistakes with specific hints."""
import numpy as np

from rnnbook import checks


def test_answers():
    assert checks.answer("ex9-1", 2_000_000, quiet=True)
    assert "TWO vectors" in str(checks.answer("ex9-1", 1_000_000, quiet=True))
    assert checks.answer("ex9-3", 0.25 ** 0.75, quiet=True)
    assert "power alpha" in str(checks.answer("ex9-3", 0.25, quiet=True))


def _sgns_gradient(v_c, u_o, negatives):
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    return (sig(u_o @ v_c) - 1) * u_o + sum(sig(u @ v_c) * u for u in negatives)


def test_sgns_answer_is_the_finite_difference_gradient():
    v_c, u_o, u_1 = np.array([1.0, 0.0]), np.array([0.5, 0.5]), np.array([-1.0, 2.0])
    loss = lambda v: -np.log(1 / (1 + np.exp(-u_o @ v))) - np.log(1 / (1 + np.exp(u_1 @ v)))  # noqa: E731
    eps = 1e-6
    numeric = (loss(v_c + [eps, 0]) - loss(v_c - [eps, 0])) / (2 * eps)
    assert abs(numeric - _sgns_gradient(v_c, u_o, [u_1])[0]) < 1e-6
    assert checks.answer("ex9-2", numeric, quiet=True)
    assert "sign of the negative" in str(checks.answer("ex9-2", -0.1888 + 0.2689, quiet=True))


def test_glove_answer_is_the_finite_difference_gradient():
    w, wt, bt = np.array([0.1, 0.2]), np.array([0.3, -0.1]), 1.0
    loss = lambda b: (20 / 100) ** 0.75 * (w @ wt + b + bt - np.log(20)) ** 2  # noqa: E731
    numeric = (loss(0.5 + 1e-6) - loss(0.5 - 1e-6)) / 2e-6
    assert checks.answer("ex9-4", numeric, quiet=True)
    assert "factor 2" in str(checks.answer("ex9-4", numeric / 2, quiet=True))
