"""Gradient tools: clipping, finite-difference checks, and Jacobian norms over time.

* :func:`clip_by_global_norm` and :func:`clip_by_value` are NumPy versions of
  ``tf.clip_by_global_norm`` and ``tf.clip_by_value`` for a list (or dict) of
  gradients.
* :func:`numerical_gradient`, :func:`relative_error` and
  :func:`check_cell_gradients` check the hand-written backward passes of
  :mod:`rnnbook.cells` against central finite differences.
* :func:`jacobian_norms` measures how a SimpleRNN's gradient shrinks or grows
  with the distance (lag) it travels back in time, for recurrent matrices drawn
  by :func:`recurrent_matrix` with a chosen spectral norm.
* :func:`train_with_clipping` is chapter 4's clipping experiment: a NumPy
  SimpleRNN regressor (by default ReLU with U = 1.1 I, whose gradient explodes
  back through time) trained with :class:`rnnbook.optim.SGD`, its gradients
  clipped (or not) before each step, their norms recorded.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from . import cells
from .optim import SGD
from ._validate import (
    as_array,
    check_choice,
    check_positive_int,
    check_positive_number,
    check_shape,
    type_name,
)

__all__ = [
    "clip_by_global_norm",
    "clip_by_value",
    "numerical_gradient",
    "relative_error",
    "check_cell_gradients",
    "jacobian_norms",
    "recurrent_matrix",
    "jacobian_norm_grid",
    "train_with_clipping",
    "ClipRun",
]

#: How :func:`recurrent_matrix` draws U.
INITS = ("orthogonal", "identity", "gaussian")

Array = np.ndarray
Grads = Sequence | Mapping  # a list/tuple of arrays, or a dict name -> array


# --------------------------------------------------------------------------- clipping
def _as_grad_items(grads) -> tuple[list, list[Array | None], bool]:
    """Split ``grads`` into (keys, arrays, is_dict); None entries stay None."""
    if isinstance(grads, Mapping):
        keys, values, is_dict = list(grads.keys()), list(grads.values()), True
    elif isinstance(grads, (list, tuple)):
        keys, values, is_dict = list(range(len(grads))), list(grads), False
    else:
        raise TypeError(f"grads must be a list, tuple or dict of arrays; got {type_name(grads)}")
    if not values:
        raise ValueError("grads must hold at least one array; got an empty " + type_name(grads))
    arrays = [None if v is None else as_array(f"grads[{k!r}]", v, dtype=None) for k, v in zip(keys, values)]
    return keys, arrays, is_dict


def _pack(keys: list, arrays: list, is_dict: bool):
    return dict(zip(keys, arrays)) if is_dict else arrays


def clip_by_global_norm(grads: Grads, max_norm: float) -> tuple[list | dict, float]:
    """Rescale a set of gradients so that their joint L2 norm is at most ``max_norm``.

        global_norm = sqrt(sum over all arrays g of sum(g**2))
        clipped g   = g * max_norm / max(global_norm, max_norm)

    Every gradient is scaled by the same factor, so the direction of the whole
    update is kept; nothing changes when global_norm <= max_norm.  This is the
    formula of ``tf.clip_by_global_norm``.

    Parameters
    ----------
    grads : list, tuple or dict of array_like
        The gradients.  ``None`` entries (a variable without a gradient) are
        ignored in the norm and returned as ``None``, as in TensorFlow.
    max_norm : float
        The largest allowed global norm (> 0).

    Returns
    -------
    clipped : list or dict
        New arrays, each with its input's dtype (a dict, with the same keys,
        when ``grads`` is a dict; a list otherwise).  The inputs are never modified.
    global_norm : float
        The global norm before clipping.  If it is inf or NaN, every clipped
        array is NaN, as in TensorFlow.

    Raises
    ------
    TypeError
        If ``grads`` is not a list, tuple or dict, or an entry is not an array
        of numbers; if ``max_norm`` is not a number.
    ValueError
        If ``grads`` is empty, or ``max_norm`` is not a finite number > 0.
    """
    keys, arrays, is_dict = _as_grad_items(grads)
    max_norm = check_positive_number("max_norm", max_norm)
    global_norm = float(np.sqrt(sum(
        np.sum(np.square(g, dtype=np.float64)) for g in arrays if g is not None
    )))
    scale = (
        max_norm / max(global_norm, max_norm) if np.isfinite(global_norm) else np.nan
    )
    clipped = [
        None if g is None else g * np.asarray(scale, dtype=_float_dtype(g))
        for g in arrays
    ]
    return _pack(keys, clipped, is_dict), global_norm


def _float_dtype(g: Array) -> np.dtype:
    """The dtype a scaled ``g`` keeps: its own if floating, float64 for integers."""
    return g.dtype if g.dtype.kind == "f" else np.dtype(np.float64)


def clip_by_value(grads: Grads, limit: float) -> list | dict:
    """Clip every gradient element-wise to [-limit, limit].

    Unlike :func:`clip_by_global_norm` this can change the direction of the
    update.  Same conventions as there: a list (or tuple) gives a list, a dict
    a dict with the same keys, ``None`` entries pass through, inputs are never
    modified and each array keeps its dtype.

    Raises
    ------
    TypeError
        If ``grads`` is not a list, tuple or dict of arrays, or ``limit`` not a number.
    ValueError
        If ``grads`` is empty, or ``limit`` is not a finite number > 0.
    """
    keys, arrays, is_dict = _as_grad_items(grads)
    limit = check_positive_number("limit", limit)
    clipped = [None if g is None else np.clip(g, -limit, limit) for g in arrays]
    return _pack(keys, clipped, is_dict)


# --------------------------------------------------------------------------- gradient checks
def numerical_gradient(f: Callable[[Array], float], x, eps: float = 1e-6) -> Array:
    """The gradient of a scalar function by central finite differences.

        df/dx[j] ~ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)

    ``f`` is called with a float64 copy of ``x`` that is perturbed one entry at
    a time (and restored after each entry); ``x`` itself is never modified.
    The error is O(eps**2) from truncation plus O(1e-16 |f| / eps) from
    rounding, about 1e-10 with the default eps in float64.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a scalar.
    x : array_like
        The point at which to differentiate.
    eps : float
        The step (> 0).

    Returns
    -------
    ndarray, float64, shaped like ``x``

    Raises
    ------
    TypeError
        If ``f`` is not callable or ``x`` not an array of numbers.
    ValueError
        If ``eps`` is not a finite number > 0, or ``f`` does not return a scalar.
    """
    if not callable(f):
        raise TypeError(f"f must be callable; got {type_name(f)}")
    x = np.array(as_array("x", x), dtype=np.float64, copy=True)
    eps = check_positive_number("eps", eps)

    def f_scalar(value: Array) -> float:
        out = np.asarray(f(value))
        if out.size != 1 or out.dtype.kind not in "iuf":
            raise ValueError(f"f must return a scalar; got {type_name(out)} of shape {out.shape}")
        return float(out.reshape(()))

    grad = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        old = x[j]
        x[j] = old + eps
        f_plus = f_scalar(x)
        x[j] = old - eps
        f_minus = f_scalar(x)
        x[j] = old
        grad[j] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    """The relative error between two arrays of the same shape:

        relative_error(a, b) = max|a - b| / max(max(|a| + |b|), tiny)

    (maxima over all elements; tiny is the smallest positive float64, so two
    zero arrays give 0.0).  It is a norm-wise error: entries that are close to
    zero in both arrays do not blow it up.  Analytic and numerical gradients
    that agree give about 1e-10 in float64; an error in a backward pass
    typically gives 1e-2 or more.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not an array of numbers.
    ValueError
        If their shapes differ.
    """
    a, b = as_array("a", a), as_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got shapes {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    tiny = np.finfo(np.float64).tiny
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), tiny))


#: For each cell: its forward and backward pass (from :mod:`rnnbook.cells`), and the names of its initial states.
_CELLS = {name: (*cells._PASSES[name], ("h0", "c0") if name == "lstm" else ("h0",)) for name in cells.CELLS}
_WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")


def _weights_dict(weights, states: tuple[str, ...]) -> dict:
    """``[kernel, recurrent_kernel, bias]`` or a dict of those (plus initial states) -> dict."""
    if isinstance(weights, Mapping):
        missing = [k for k in _WEIGHT_NAMES if k not in weights]
        unknown = [k for k in weights if k not in _WEIGHT_NAMES + states]
        if missing or unknown:
            raise ValueError(
                f"weights must have the keys {list(_WEIGHT_NAMES)} (and optionally {list(states)}); "
                f"got keys {list(weights)}"
            )
        return dict(weights)
    if isinstance(weights, (list, tuple)):
        if len(weights) != 3:
            raise ValueError(f"weights must be [kernel, recurrent_kernel, bias]; got {len(weights)} arrays")
        return dict(zip(_WEIGHT_NAMES, weights))
    raise TypeError(f"weights must be a list [kernel, recurrent_kernel, bias] or a dict; got {type_name(weights)}")


def check_cell_gradients(cell: str, x, weights, *, seed: int = 0, eps: float = 1e-6, **options) -> dict[str, float]:
    """Compare a cell's analytic backward pass with finite differences.

    The loss is L = sum(h * dh) with a random dh ~ N(0, 1) drawn from ``seed``.
    For every argument of the forward pass (weights, x and the initial states)
    the gradient from ``<cell>_backward`` is compared with
    :func:`numerical_gradient` of L, using :func:`relative_error`.  Everything
    runs in float64.  The SimpleRNN uses tanh.

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
    x : array_like, shape [batch, steps, features]
    weights : list or dict
        ``[kernel, recurrent_kernel, bias]`` (e.g. ``layer.get_weights()``), or
        a dict with those keys and optionally "h0" (and "c0" for the LSTM).
        Initial states not given are drawn from N(0, 0.5**2) with ``seed``, so
        that their gradients are checked at a generic point.
    seed : int
        Seed of the random dh (and initial states).
    eps : float
        Finite-difference step.
    **options
        Keyword options of the cell's forward pass: ``activation`` for the
        SimpleRNN, ``reset_after`` for the GRU (also passed to its backward pass).

    Returns
    -------
    dict
        The relative error for each key of the backward pass: "kernel",
        "recurrent_kernel", "bias", "x", "h0" (and "c0").  Below 1e-6 means
        the backward pass is right.

    Raises
    ------
    TypeError, ValueError
        For an unknown ``cell``, or arguments the forward pass refuses.
    """
    check_choice("cell", cell, tuple(_CELLS))
    forward, backward, states = _CELLS[cell]
    backward_options = {"reset_after": options["reset_after"]} if "reset_after" in options else {}
    args = {"x": as_array("x", x, ndim=3, shape_desc="[batch, steps, features]"), **_weights_dict(weights, states)}
    rng = np.random.default_rng(seed)
    units = as_array("recurrent_kernel", args["recurrent_kernel"], ndim=2, shape_desc="[units, G*units]").shape[0]
    for name in states:
        if name not in args:
            args[name] = rng.normal(scale=0.5, size=(args["x"].shape[0], units))
    args = {name: as_array(name, value) for name, value in args.items()}  # float64 throughout

    x_arg = args.pop("x")
    h, cache = forward(x_arg, **args, **options)
    args["x"] = x_arg
    dh = rng.standard_normal(h.shape)
    analytic = backward(dh, cache, **backward_options)

    errors = {}
    for name, grad in analytic.items():

        def loss(value: Array, name: str = name) -> float:
            values = {**args, name: value}
            return float(np.sum(forward(values.pop("x"), **values, **options)[0] * dh))

        errors[name] = relative_error(grad, numerical_gradient(loss, args[name], eps))
    return errors


# --------------------------------------------------------------------------- Jacobians over time
def jacobian_norms(
    recurrent_kernel,
    steps: int,
    *,
    activation: str = "tanh",
    x=None,
    kernel=None,
    bias=None,
    h0=None,
    seed: int = 0,
) -> Array:
    """How strongly h_T depends on h_t in a SimpleRNN, for every lag T - t.

    The RNN h_k = act(a_k), a_k = x_k W + h_{k-1} U + b runs over each
    sequence x_1..x_T (T = ``steps``).  With h as a column vector, the
    Jacobian of one step is

        J_k = dh_k/dh_{k-1} = diag(act'(a_k)) U^T        (entry [i, j] = dh_k[i]/dh_{k-1}[j])

    and by the chain rule dh_T/dh_t = J_T J_{T-1} ... J_{t+1}.  This function
    returns its spectral norm (largest singular value) for lag = T - t = 0, 1,
    ..., steps - 1; lag 0 is the identity, norm 1.  Since
    ||J_k|| <= max|act'| ||U||, the norms shrink geometrically when
    ||U||_2 < 1 (vanishing gradients) and can grow when act' ~ 1 and ||U||_2 > 1
    (exploding gradients).

    Parameters
    ----------
    recurrent_kernel : array_like, shape [units, units]
        U.
    steps : int
        T, the length of the sequences (>= 1).
    activation : {"tanh", "relu"}, keyword-only
    x : array_like, shape [batch, steps, features], optional, keyword-only
        The input sequences.  If omitted, one sequence of one feature with
        entries ~ N(0, 0.1**2) and a kernel ~ N(0, 1) are drawn from ``seed``.
    kernel : array_like, shape [features, units], optional, keyword-only
        W; required exactly when ``x`` is given.
    bias : array_like, shape [units], optional, keyword-only
        b; zeros if omitted.
    h0 : array_like, shape [batch, units], optional, keyword-only
        h_0; zeros if omitted.
    seed : int, keyword-only
        Seed for the default inputs.

    Returns
    -------
    ndarray, shape [batch, steps]
        ``norms[n, lag] = ||dh_T / dh_{T-lag}||_2`` for sequence n (batch 1
        for the default inputs).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a shape does not fit, ``x`` and ``kernel`` are not given together,
        or ``x`` does not have ``steps`` steps.
    """
    steps = check_positive_int("steps", steps)
    check_choice("activation", activation, cells.ACTIVATIONS)
    U = as_array("recurrent_kernel", recurrent_kernel, ndim=2, shape_desc="[units, units]")
    units = U.shape[0]
    check_shape("recurrent_kernel", U, (units, units), "[units, units]")
    if (x is None) != (kernel is None):
        raise ValueError("x and kernel must be given together (or both omitted for random inputs)")
    if x is None:
        rng = np.random.default_rng(seed)
        x = rng.normal(scale=0.1, size=(1, steps, 1))
        kernel = rng.normal(size=(1, units))
    x = as_array("x", x, ndim=3, shape_desc="[batch, steps, features]")
    if x.shape[1] != steps:
        raise ValueError(f"x has {x.shape[1]} steps but steps={steps}; x must have shape [batch, steps, features]")
    bias = np.zeros(units) if bias is None else bias

    h, _ = cells.simple_rnn_forward(x, kernel, U, bias, h0=h0, activation=activation)
    act_grad = cells.activation_derivative(h, activation)  # act'(a_k), [batch, steps, units]

    norms = np.empty((x.shape[0], steps))
    for n in range(x.shape[0]):
        product = np.eye(units)  # dh_T/dh_t, starting at t = T
        norms[n, 0] = 1.0
        for lag in range(1, steps):
            k = steps - lag  # 0-based index of h_{t+1}, the step whose Jacobian joins the product
            product = product @ (act_grad[n, k][:, None] * U.T)  # ... J_{t+1} = diag(act'(a_{t+1})) U^T
            norms[n, lag] = np.linalg.norm(product, 2)
    return norms


# --------------------------------------------------------------------------- recurrent matrices of a given spectral norm
def recurrent_matrix(units: int, spectral_norm: float, *, init: str = "orthogonal", seed: int = 0) -> Array:
    """A recurrent matrix U of shape [units, units] whose largest singular value is ``spectral_norm``.

    * ``"orthogonal"``: ``spectral_norm`` times a random orthogonal matrix, so
      *every* singular value equals ``spectral_norm`` (Keras's default
      ``recurrent_initializer`` is an orthogonal matrix, i.e. spectral norm 1);
    * ``"identity"``: ``spectral_norm`` times the identity (the IRNN's start);
    * ``"gaussian"``: a matrix of N(0, 1) entries rescaled so that its largest
      singular value is ``spectral_norm``; its other singular values are smaller.

    Parameters
    ----------
    units : int
        Size of the hidden state (>= 1).
    spectral_norm : float
        The largest singular value sigma_max(U) (> 0).
    init : {"orthogonal", "identity", "gaussian"}, keyword-only
        How the matrix is drawn (the ``"..."`` items above).
    seed : int, keyword-only
        Seed of the random matrix (unused for "identity").

    Returns
    -------
    ndarray, float64, shape [units, units]

    Raises
    ------
    TypeError
        If ``units`` is not an int or ``spectral_norm`` not a number.
    ValueError
        If ``units`` < 1, ``spectral_norm`` <= 0 or ``init`` is unknown.
    """
    units = check_positive_int("units", units)
    spectral_norm = check_positive_number("spectral_norm", spectral_norm)
    check_choice("init", init, INITS)
    if init == "identity":
        return spectral_norm * np.eye(units)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((units, units))
    if init == "gaussian":
        return spectral_norm * a / np.linalg.norm(a, 2)
    q, r = np.linalg.qr(a)
    return spectral_norm * q * np.sign(np.diag(r))


def jacobian_norm_grid(
    spectral_norms: Sequence[float],
    activations: Sequence[str] = ("tanh", "relu"),
    *,
    steps: int = 101,
    units: int = 32,
    init: str = "orthogonal",
    seed: int = 0,
) -> dict[tuple[str, float], Array]:
    """:func:`jacobian_norms` for every (activation, spectral norm) pair.

    U comes from :func:`recurrent_matrix` (``units``, ``init``, ``seed``); the
    inputs are :func:`jacobian_norms`'s default random sequence, the same for
    every pair.

    Returns
    -------
    dict
        ``{(activation, spectral_norm): norms}``, each ``norms`` of shape
        [steps] with ``norms[lag] = ||dh_T/dh_{T-lag}||_2``.

    Raises
    ------
    TypeError, ValueError
        If ``spectral_norms`` or ``activations`` is empty or not a sequence,
        or an entry is refused by :func:`recurrent_matrix` or :func:`jacobian_norms`.
    """
    for name, value in (("spectral_norms", spectral_norms), ("activations", activations)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list or tuple; got {type_name(value)}")
        if len(value) == 0:
            raise ValueError(f"{name} must not be empty")
    return {
        (act, float(s)): jacobian_norms(recurrent_matrix(units, s, init=init, seed=seed), steps, activation=act,
                                        seed=seed)[0]
        for act in activations
        for s in spectral_norms
    }


class ClipRun(NamedTuple):
    """What :func:`train_with_clipping` records at every update (each an array of shape [updates])."""

    loss: Array  #: the mini-batch MSE before the update (inf once the run has diverged)
    grad_norm_recurrent: Array  #: ||dL/dU||, the recurrent kernel's gradient, before clipping (inf after divergence)
    grad_norm_readout: Array  #: ||dL/dW_y||, the linear read-out's gradient, before clipping (inf after divergence)


def train_with_clipping(
    x,
    y,
    *,
    clip: str | None = None,
    threshold: float = 1.0,
    units: int = 16,
    activation: str = "relu",
    init: str = "identity",
    spectral_norm: float = 1.1,
    kernel_scale: float = 0.05,
    learning_rate: float = 0.01,
    updates: int = 200,
    batch_size: int = 50,
    seed: int = 0,
) -> ClipRun:
    """Train a NumPy SimpleRNN + linear read-out with plain SGD, optionally clipping the gradients.

    The model is h = SimpleRNN(x) (:func:`rnnbook.cells.simple_rnn_forward`),
    prediction = h_T W_y + b_y, loss = mean squared error.  U starts as
    :func:`recurrent_matrix` (``init``, every singular value ``spectral_norm``
    for "orthogonal" and "identity"), W ~ N(0, (kernel_scale**2) / features),
    W_y ~ N(0, 1/units), b = b_y = 0.  Each update draws a random mini-batch,
    computes the gradients by BPTT, records their norms, clips them (or not)
    and takes a step with :class:`rnnbook.optim.SGD`.

    The defaults are chapter 4's exploding network: ReLU with U = 1.1 I, whose
    Jacobians multiply the gradient by up to 1.1 per step back in time.

    Parameters
    ----------
    x : array_like, shape [n, steps, features]
    y : array_like, shape [n]
    clip : {None, "global_norm", "value"}, keyword-only
        None: no clipping; "global_norm": :func:`clip_by_global_norm` with
        ``threshold``; "value": :func:`clip_by_value` with ``threshold``.
    threshold : float
        The max_norm or the limit of the clipping (> 0).
    units, updates, batch_size : int
    activation : {"tanh", "relu"}
    init : {"orthogonal", "identity", "gaussian"}
    spectral_norm, kernel_scale, learning_rate : float
    seed : int
        Seed of the initial weights and of the mini-batches.

    Returns
    -------
    ClipRun
        ``loss``, ``grad_norm_recurrent`` and ``grad_norm_readout`` per update.
        Once the loss stops being finite (the run diverged) the remaining
        entries are inf.

    Raises
    ------
    TypeError, ValueError
        If ``x`` or ``y`` has the wrong type or shape, or a setting is invalid.
    """
    x = as_array("x", x, ndim=3, shape_desc="[n, steps, features]")
    y = as_array("y", y, ndim=1, shape_desc="[n]")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"y must have shape [n] = ({x.shape[0]},) to match x; got {y.shape}")
    if clip is not None:
        check_choice("clip", clip, ("global_norm", "value"))
    check_choice("activation", activation, cells.ACTIVATIONS)
    threshold = check_positive_number("threshold", threshold)
    learning_rate = check_positive_number("learning_rate", learning_rate)
    kernel_scale = check_positive_number("kernel_scale", kernel_scale)
    updates = check_positive_int("updates", updates)
    batch_size = check_positive_int("batch_size", batch_size)
    units = check_positive_int("units", units)

    rng = np.random.default_rng(seed)
    features = x.shape[2]
    params = {
        "W": rng.normal(scale=kernel_scale * features**-0.5, size=(features, units)),
        "U": recurrent_matrix(units, spectral_norm, init=init, seed=seed),
        "b": np.zeros(units),
        "W_y": rng.normal(scale=units**-0.5, size=units),  # read-out weights
        "b_y": np.zeros(()),  # read-out bias
    }
    sgd = SGD(learning_rate)
    run = ClipRun(np.full(updates, np.inf), np.full(updates, np.inf), np.full(updates, np.inf))
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(updates):
            idx = rng.choice(x.shape[0], size=min(batch_size, x.shape[0]), replace=False)
            h, cache = cells.simple_rnn_forward(x[idx], params["W"], params["U"], params["b"], activation=activation)
            err = h[:, -1] @ params["W_y"] + params["b_y"] - y[idx]
            loss = float(np.mean(err**2))
            if not np.isfinite(loss):
                break
            dpred = 2 * err / len(idx)
            dh = np.zeros_like(h)
            dh[:, -1] = dpred[:, None] * params["W_y"][None, :]
            g = cells.simple_rnn_backward(dh, cache)
            grads = {"W": g["kernel"], "U": g["recurrent_kernel"], "b": g["bias"],
                     "W_y": h[:, -1].T @ dpred, "b_y": np.sum(dpred)}
            run.loss[k] = loss
            run.grad_norm_recurrent[k] = np.linalg.norm(grads["U"])
            run.grad_norm_readout[k] = np.linalg.norm(grads["W_y"])
            if not np.isfinite(run.grad_norm_recurrent[k]):
                break
            if clip == "global_norm":
                grads, _ = clip_by_global_norm(grads, threshold)
            elif clip == "value":
                grads = clip_by_value(grads, threshold)
            sgd.step(params, grads)
    return run
