"""Optimisers for the NumPy models: plain gradient descent (:class:`SGD`) and :class:`Adam`.

Both update a dict of NumPy arrays in place with ``step(params, grads)``,
where ``grads`` has the same keys and shapes as ``params``.

Which chapters use them:

* chapter 3 (backpropagation through time): :func:`rnnbook.bptt.train` trains
  the character-level :class:`~rnnbook.bptt.CharRNN` with :class:`Adam`
  (the notebook reaches it as ``bptt.Adam``, which is this class);
* chapter 4 (vanishing and exploding gradients): the clipping experiment,
  :func:`rnnbook.gradients.train_with_clipping`, takes plain gradient-descent
  steps ``w - learning_rate * g``, the update :class:`SGD` makes.

The update arithmetic is written once and never reordered: the notebooks store
training curves computed with it, digit for digit.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import as_array, check_number, check_positive_number, type_name

__all__ = ["SGD", "Adam"]

Array = np.ndarray


def _check_step_args(params, grads) -> dict:
    """Check that ``params`` is a dict of float arrays and ``grads`` matches it key for key, shape for shape.

    Everything is checked before any weight changes, so a bad call leaves the
    parameters and the optimiser's state as they were.  Returns the gradients
    as arrays (their dtype kept, no copy), in the order of ``grads``.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of name -> ndarray; got {type_name(params)}")
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict of name -> ndarray; got {type_name(grads)}")
    if set(params) != set(grads):
        missing, extra = sorted(map(str, set(params) - set(grads))), sorted(map(str, set(grads) - set(params)))
        raise ValueError(f"params and grads must be dicts with the same keys; grads misses {missing} "
                         f"and has extra {extra}")
    out = {}
    for k, g in grads.items():
        p = params[k]
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            got = f"ndarray with dtype {p.dtype}" if isinstance(p, np.ndarray) else type_name(p)
            raise TypeError(f"params[{k!r}] must be a float ndarray (it is updated in place); got {got}")
        g = as_array(f"grads[{k!r}]", g, dtype=None)
        if g.shape != p.shape:
            raise ValueError(f"grads[{k!r}] must have the shape of params[{k!r}] {p.shape}; got shape {g.shape}")
        out[k] = g
    return out


class SGD:
    """Plain gradient descent for a dict of NumPy arrays, updated in place.

        w <- w - lr * g

    Parameters
    ----------
    learning_rate : float
        The step size lr (finite, > 0).
    """

    def __init__(self, learning_rate: float = 1e-2):
        self.learning_rate = check_positive_number("learning_rate", learning_rate)

    def __repr__(self) -> str:
        return f"SGD(learning_rate={self.learning_rate})"

    def step(self, params: dict, grads: dict) -> None:
        """Update every ``params[k]`` in place with ``grads[k]``.

        Raises
        ------
        TypeError
            If ``params`` is not a dict of float arrays, or ``grads`` not a dict.
        ValueError
            If their keys differ, or a gradient's shape differs from its weight's.
        """
        grads = _check_step_args(params, grads)
        for k, g in grads.items():
            params[k] -= self.learning_rate * g


class Adam:
    """The Adam optimiser (Kingma & Ba, 2015) for a dict of NumPy arrays, updated in place.

        m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g**2
        w <- w - lr * m_hat / (sqrt(v_hat) + eps)    (m_hat, v_hat: bias-corrected)

    Parameters
    ----------
    learning_rate : float
        lr, finite and > 0.
    beta1, beta2 : float
        Decay rates of the moment estimates, in [0, 1).
    eps : float
        Added to the denominator, finite and > 0.
    """

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.learning_rate = check_positive_number("learning_rate", learning_rate)
        self.beta1 = check_number("beta1", beta1, 0, 1, high_open=True)
        self.beta2 = check_number("beta2", beta2, 0, 1, high_open=True)
        self.eps = check_number("eps", eps, 0, low_open=True)
        self.m: dict[str, Array] = {}
        self.v: dict[str, Array] = {}
        self.t = 0

    def __repr__(self) -> str:
        return (f"Adam(learning_rate={self.learning_rate}, beta1={self.beta1}, beta2={self.beta2}, "
                f"eps={self.eps}, t={self.t})")

    def step(self, params: dict, grads: dict) -> None:
        """Update every ``params[k]`` in place with ``grads[k]``.

        Raises
        ------
        TypeError
            If ``params`` is not a dict of float arrays, or ``grads`` not a dict.
        ValueError
            If their keys differ, or a gradient's shape differs from its weight's.
        """
        grads = _check_step_args(params, grads)
        self.t += 1
        for k, g in grads.items():
            m = self.m.setdefault(k, np.zeros_like(params[k]))
            v = self.v.setdefault(k, np.zeros_like(params[k]))
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            params[k] -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
