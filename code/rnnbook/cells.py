"""Recurrent cells from scratch in NumPy: SimpleRNN, LSTM and GRU.

Each cell comes as a single step (``*_step``), a forward pass over a whole
sequence (``*_forward``) and the backward pass through time (``*_backward``).
The weights use Keras 3's layout, so that ``layer.get_weights()`` can be passed
straight in and the results compared with the Keras layer::

    h, cache = lstm_forward(x, *keras_lstm.get_weights())

Notation (row vectors, as in the code: a batch is a stack of rows)
-------------------------------------------------------------------
x_t : [batch, features]   the input at step t
h_t : [batch, units]      the hidden state after step t (h_0 is the initial state)
c_t : [batch, units]      the LSTM's cell state
W   : kernel              [features, G*units], input weights of the G gates side by side
U   : recurrent_kernel    [units, G*units], recurrent weights, same gate order
b   : bias                [G*units] ([2, 3*units] for the GRU)

Sequences are ``[batch, steps, features]`` and the forward passes return every
step's state, ``h[:, t] = h_{t+1}``, like ``return_sequences=True`` in Keras.
All computations are done in float64; float32 (or integer) inputs are accepted.

The LSTM with peephole connections (``peephole_lstm_*``, forward only) takes
a fifth weight, ``peephole`` [3, units] (rows p_i, p_f, p_o), as returned by
``rnnbook.layers.PeepholeLSTMCell``; ``input_gradient_norms`` measures how
strongly the last state depends on each earlier input.

Each backward pass returns the gradients of the scalar ``sum(h * dh)``, where
``dh`` holds dLoss/dh for every step, with respect to the weights, the inputs
and the initial state(s).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._validate import as_array, check_choice, check_shape, type_name

__all__ = [
    "sigmoid",
    "activation_derivative",
    "simple_rnn_step",
    "simple_rnn_forward",
    "simple_rnn_backward",
    "lstm_step",
    "lstm_forward",
    "lstm_backward",
    "gru_step",
    "gru_forward",
    "gru_backward",
    "peephole_lstm_step",
    "peephole_lstm_forward",
    "input_gradient_norms",
]

Array = np.ndarray

#: Activations available to the SimpleRNN.
ACTIVATIONS = ("tanh", "relu")


# --------------------------------------------------------------------------- activations
def sigmoid(z) -> Array:
    """The logistic function sigma(z) = 1 / (1 + exp(-z)), without overflow.

    Computed as exp(-log(1 + exp(-z))) with ``np.logaddexp``, which never
    overflows: sigmoid(-1000) is 0.0 and sigmoid(1000) is 1.0, without warnings.
    """
    z = as_array("z", z)
    return np.exp(-np.logaddexp(0.0, -z))


def _activate(a: Array, activation: str) -> Array:
    return np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)


def activation_derivative(h, activation: str = "tanh") -> Array:
    """The derivative act'(a) of an activation, written in terms of its output h = act(a).

    tanh'(a) = 1 - h**2 and relu'(a) = 1 if h > 0 else 0 (0 at a = 0, as in
    TensorFlow).  Writing it with h means the backward pass only needs the
    stored states, not the pre-activations.
    """
    h = as_array("h", h)
    check_choice("activation", activation, ACTIVATIONS)
    return 1.0 - h**2 if activation == "tanh" else (h > 0).astype(np.float64)


# --------------------------------------------------------------------------- argument checks
def _check_weights(kernel, recurrent_kernel, bias, gates: int, features: int, gru: bool = False):
    """Check W, U, b of a cell with ``gates`` gates for inputs with ``features`` features.

    Returns (W, U, b, units) as float64 arrays; the number of units is read off U.
    """
    g = "" if gates == 1 else f"{gates}*"
    U = as_array("recurrent_kernel", recurrent_kernel, ndim=2, shape_desc=f"[units, {g}units]")
    units = U.shape[0]
    if U.shape[1] != gates * units:
        raise ValueError(
            f"recurrent_kernel must have shape [units, {g}units] = ({units}, {gates * units}); got shape {U.shape}"
        )
    W = as_array("kernel", kernel, ndim=2, shape_desc=f"[features, {g}units]")
    expected = (features, gates * units)
    if W.shape[0] != features:
        raise ValueError(f"x has {features} features but kernel has shape {W.shape}, expected {expected}")
    if W.shape[1] != gates * units:
        raise ValueError(
            f"kernel has shape {W.shape} but recurrent_kernel has shape {U.shape} (units={units}), "
            f"expected kernel shape {expected}"
        )
    if gru:
        b = as_array("bias", bias)
        if b.ndim == 1:
            raise ValueError(
                f"bias must have shape [2, 3*units] = (2, {3 * units}) (Keras GRU with reset_after=True: "
                f"row 0 input bias, row 1 recurrent bias); got shape {b.shape}. A 1-D bias belongs to "
                "reset_after=False, which is not implemented here"
            )
        check_shape("bias", b, (2, 3 * units), "[2, 3*units]")
    else:
        b = check_shape("bias", as_array("bias", bias), (gates * units,), f"[{g}units]")
    return W, U, b, units


def _check_x(x) -> Array:
    return as_array("x", x, ndim=3, shape_desc="[batch, steps, features]")


def _check_x_t(x_t) -> Array:
    return as_array("x_t", x_t, ndim=2, shape_desc="[batch, features]")


def _check_state(name: str, value, batch: int, units: int, default_zeros: bool = True) -> Array:
    """An initial or previous state of shape [batch, units]; ``None`` means zeros (if allowed)."""
    if value is None and default_zeros:
        return np.zeros((batch, units))
    return check_shape(name, as_array(name, value), (batch, units), "[batch, units]")


def _check_cache(cache, cell: str) -> None:
    if not isinstance(cache, Mapping) or "cell" not in cache:
        raise TypeError(f"cache must be the dict returned by {cell}_forward; got {type_name(cache)}")
    if cache["cell"] != cell:
        raise ValueError(
            f"cache comes from {cache['cell']}_forward, but {cell}_backward needs the cache of {cell}_forward"
        )


def _check_dh(dh, cache) -> Array:
    dh = as_array("dh", dh)
    return check_shape("dh", dh, cache["h"].shape, "[batch, steps, units] (the shape of h)")


def _previous(states: Array, initial: Array) -> Array:
    """The state before each step: [s_0, s_1, ..., s_{T-1}] from [s_1, ..., s_T] and s_0."""
    return np.concatenate([initial[:, None, :], states], axis=1)[:, :-1]


# --------------------------------------------------------------------------- SimpleRNN
def _simple_rnn_step(x_t: Array, h_prev: Array, W: Array, U: Array, b: Array, activation: str) -> Array:
    return _activate(x_t @ W + h_prev @ U + b, activation)


def simple_rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias, activation: str = "tanh") -> Array:
    """One step of a simple (Elman) RNN.

        h_t = act(x_t W + h_{t-1} U + b)

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev : array_like, shape [batch, units]
        h_{t-1}.
    kernel, recurrent_kernel, bias : array_like
        W [features, units], U [units, units], b [units].
    activation : {"tanh", "relu"}

    Returns
    -------
    h_t : ndarray, shape [batch, units]

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit, or ``activation`` is not "tanh" or "relu".
    """
    check_choice("activation", activation, ACTIVATIONS)
    x_t = _check_x_t(x_t)
    W, U, b, units = _check_weights(kernel, recurrent_kernel, bias, 1, x_t.shape[1])
    h_prev = _check_state("h_prev", h_prev, x_t.shape[0], units, default_zeros=False)
    return _simple_rnn_step(x_t, h_prev, W, U, b, activation)


def simple_rnn_forward(x, kernel, recurrent_kernel, bias, h0=None, activation: str = "tanh") -> tuple[Array, dict]:
    """Run a simple RNN over a sequence: h_t = act(x_t W + h_{t-1} U + b) for t = 1..T.

    Same result as ``keras.layers.SimpleRNN(units, return_sequences=True)``
    with the weights ``[kernel, recurrent_kernel, bias]``.

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
    kernel : array_like, shape [features, units]
        W.
    recurrent_kernel : array_like, shape [units, units]
        U.
    bias : array_like, shape [units]
        b.
    h0 : array_like, shape [batch, units], optional
        The initial state h_0; zeros if omitted.
    activation : {"tanh", "relu"}

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's state, h[:, t] = h_{t+1}.
    cache : dict
        What :func:`simple_rnn_backward` needs: the inputs, weights, h0, h and
        the activation.

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit, or ``activation`` is not "tanh" or "relu".
    """
    check_choice("activation", activation, ACTIVATIONS)
    x = _check_x(x)
    batch, steps, features = x.shape
    W, U, b, units = _check_weights(kernel, recurrent_kernel, bias, 1, features)
    h0 = _check_state("h0", h0, batch, units)

    h = np.empty((batch, steps, units))
    h_t = h0
    for t in range(steps):
        h_t = _simple_rnn_step(x[:, t], h_t, W, U, b, activation)
        h[:, t] = h_t
    cache = {"cell": "simple_rnn", "x": x, "kernel": W, "recurrent_kernel": U, "bias": b,
             "h0": h0, "h": h, "activation": activation}
    return h, cache


def simple_rnn_backward(dh, cache: dict) -> dict[str, Array]:
    """Backpropagation through time for :func:`simple_rnn_forward`.

    With a_t = x_t W + h_{t-1} U + b and g_t = dLoss/dh_t (the given dh[:, t]
    plus what flows back from step t+1), going from t = T down to 1:

        da_t     = g_t * act'(a_t)
        g_{t-1} += da_t U^T         (the gradient flowing back in time)
        dx_t     = da_t W^T
        dW = sum_t x_t^T da_t,   dU = sum_t h_{t-1}^T da_t,   db = sum_t sum_batch da_t

    Parameters
    ----------
    dh : array_like, shape [batch, steps, units]
        dLoss/dh for every step (the shape of ``h``).
    cache : dict
        The cache returned by :func:`simple_rnn_forward`.

    Returns
    -------
    dict
        Gradients of sum(h * dh): "kernel", "recurrent_kernel", "bias", "x"
        and "h0", each shaped like its input (h0: [batch, units], also when the
        forward pass used the default zeros).

    Raises
    ------
    TypeError
        If ``cache`` is not a dict from a forward pass, or ``dh`` not an array.
    ValueError
        If ``cache`` comes from another cell, or ``dh`` does not have h's shape.
    """
    _check_cache(cache, "simple_rnn")
    dh = _check_dh(dh, cache)
    x, W, U, h = cache["x"], cache["kernel"], cache["recurrent_kernel"], cache["h"]
    act_grad = activation_derivative(h, cache["activation"])

    da = np.empty_like(h)  # dLoss/da_t for every step
    g_next = np.zeros_like(cache["h0"])  # gradient arriving at h_t from step t+1
    for t in reversed(range(h.shape[1])):
        da[:, t] = (dh[:, t] + g_next) * act_grad[:, t]
        g_next = da[:, t] @ U.T

    h_prev = _previous(h, cache["h0"])
    return {
        "kernel": np.einsum("btf,btu->fu", x, da),
        "recurrent_kernel": np.einsum("btv,btu->vu", h_prev, da),
        "bias": da.sum(axis=(0, 1)),
        "x": da @ W.T,
        "h0": g_next,
    }


# --------------------------------------------------------------------------- LSTM
def _lstm_step(x_t, h_prev, c_prev, W, U, b) -> tuple[Array, Array, dict[str, Array]]:
    z_i, z_f, z_c, z_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    gates = {"i": sigmoid(z_i), "f": sigmoid(z_f), "c": np.tanh(z_c), "o": sigmoid(z_o)}
    c_t = gates["f"] * c_prev + gates["i"] * gates["c"]
    h_t = gates["o"] * np.tanh(c_t)
    return h_t, c_t, gates



def _lstm_step_args(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """Validate the arguments of one LSTM step: (x_t, h_prev, c_prev, W, U, b, units)."""
    x_t = _check_x_t(x_t)
    W, U, b, units = _check_weights(kernel, recurrent_kernel, bias, 4, x_t.shape[1])
    h_prev = _check_state("h_prev", h_prev, x_t.shape[0], units, default_zeros=False)
    c_prev = _check_state("c_prev", c_prev, x_t.shape[0], units, default_zeros=False)
    return x_t, h_prev, c_prev, W, U, b, units

def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> tuple[Array, Array, dict[str, Array]]:
    """One step of an LSTM (Hochreiter & Schmidhuber 1997, with a forget gate), as in Keras.

    The four gates are computed together, z = x_t W + h_{t-1} U + b, and z is
    split into four blocks of ``units`` columns in the order i, f, c, o:

        i_t  = sigmoid(z_i)             input gate
        f_t  = sigmoid(z_f)             forget gate
        c~_t = tanh(z_c)                candidate cell state
        o_t  = sigmoid(z_o)             output gate
        c_t  = f_t * c_{t-1} + i_t * c~_t
        h_t  = o_t * tanh(c_t)

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev, c_prev : array_like, shape [batch, units]
        h_{t-1} and c_{t-1}.
    kernel, recurrent_kernel, bias : array_like
        W [features, 4*units], U [units, 4*units], b [4*units].

    Returns
    -------
    h_t, c_t : ndarray, shape [batch, units]
    gates : dict
        "i", "f", "o" (the gates) and "c" (the candidate c~_t), each [batch, units].

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit.
    """
    args = _lstm_step_args(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    return _lstm_step(*args[:-1])


def lstm_forward(x, kernel, recurrent_kernel, bias, h0=None, c0=None) -> tuple[Array, dict]:
    """Run an LSTM over a sequence (see :func:`lstm_step` for the equations).

    Same result as ``keras.layers.LSTM(units, return_sequences=True)`` with
    the weights ``[kernel, recurrent_kernel, bias]`` and the initial state
    ``[h0, c0]``.

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
    kernel : array_like, shape [features, 4*units]
        W, gate blocks in the order i, f, c, o.
    recurrent_kernel : array_like, shape [units, 4*units]
        U, same order.
    bias : array_like, shape [4*units]
        b, same order.
    h0, c0 : array_like, shape [batch, units], optional
        The initial states h_0 and c_0; zeros if omitted.

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's hidden state.
    cache : dict
        What :func:`lstm_backward` needs, and what the book plots: "c" (the
        cell states, [batch, steps, units]) and "gates" (a dict "i", "f", "c",
        "o" of [batch, steps, units] arrays; "c" is the candidate).

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit.
    """
    x = _check_x(x)
    batch, steps, features = x.shape
    W, U, b, units = _check_weights(kernel, recurrent_kernel, bias, 4, features)
    h0 = _check_state("h0", h0, batch, units)
    c0 = _check_state("c0", c0, batch, units)

    h, c = np.empty((batch, steps, units)), np.empty((batch, steps, units))
    gates = {name: np.empty((batch, steps, units)) for name in "ifco"}
    h_t, c_t = h0, c0
    for t in range(steps):
        h_t, c_t, gates_t = _lstm_step(x[:, t], h_t, c_t, W, U, b)
        h[:, t], c[:, t] = h_t, c_t
        for name, value in gates_t.items():
            gates[name][:, t] = value
    cache = {"cell": "lstm", "x": x, "kernel": W, "recurrent_kernel": U, "bias": b,
             "h0": h0, "c0": c0, "h": h, "c": c, "gates": gates}
    return h, cache


def lstm_backward(dh, cache: dict) -> dict[str, Array]:
    """Backpropagation through time for :func:`lstm_forward`.

    With g_t = dLoss/dh_t and k_t = dLoss/dc_t (each: the given part plus what
    flows back from step t+1), going from t = T down to 1:

        do   = g_t * tanh(c_t)
        k_t += g_t * o_t * (1 - tanh(c_t)**2)
        di   = k_t * c~_t,   dc~ = k_t * i_t,   df = k_t * c_{t-1}
        k_{t-1} = k_t * f_t                       (the cell state's "highway")
        dz   = [di * i(1-i), df * f(1-f), dc~ * (1-c~**2), do * o(1-o)]
        g_{t-1} += dz U^T,   dx_t = dz W^T
        dW = sum_t x_t^T dz_t,   dU = sum_t h_{t-1}^T dz_t,   db = sum dz_t

    Parameters
    ----------
    dh : array_like, shape [batch, steps, units]
        dLoss/dh for every step (the shape of ``h``).
    cache : dict
        The cache returned by :func:`lstm_forward`.

    Returns
    -------
    dict
        Gradients of sum(h * dh): "kernel", "recurrent_kernel", "bias", "x",
        "h0" and "c0", each shaped like its input.

    Raises
    ------
    TypeError
        If ``cache`` is not a dict from a forward pass, or ``dh`` not an array.
    ValueError
        If ``cache`` comes from another cell, or ``dh`` does not have h's shape.
    """
    _check_cache(cache, "lstm")
    dh = _check_dh(dh, cache)
    x, W, U, c = cache["x"], cache["kernel"], cache["recurrent_kernel"], cache["c"]
    i, f, c_cand, o = (cache["gates"][name] for name in "ifco")
    c_prev = _previous(c, cache["c0"])
    tanh_c = np.tanh(c)

    batch, steps, units = c.shape
    dz = np.empty((batch, steps, 4 * units))  # dLoss/dz_t, gate blocks i, f, c, o
    g_next = np.zeros((batch, units))  # dLoss/dh_t arriving from step t+1
    k_next = np.zeros((batch, units))  # dLoss/dc_t arriving from step t+1
    for t in reversed(range(steps)):
        g = dh[:, t] + g_next
        k = k_next + g * o[:, t] * (1.0 - tanh_c[:, t] ** 2)
        dz[:, t] = np.concatenate(
            [
                k * c_cand[:, t] * i[:, t] * (1.0 - i[:, t]),
                k * c_prev[:, t] * f[:, t] * (1.0 - f[:, t]),
                k * i[:, t] * (1.0 - c_cand[:, t] ** 2),
                g * tanh_c[:, t] * o[:, t] * (1.0 - o[:, t]),
            ],
            axis=-1,
        )
        g_next = dz[:, t] @ U.T
        k_next = k * f[:, t]

    h_prev = _previous(cache["h"], cache["h0"])
    return {
        "kernel": np.einsum("btf,btg->fg", x, dz),
        "recurrent_kernel": np.einsum("btu,btg->ug", h_prev, dz),
        "bias": dz.sum(axis=(0, 1)),
        "x": dz @ W.T,
        "h0": g_next,
        "c0": k_next,
    }


# --------------------------------------------------------------------------- GRU
def _gru_step(x_t, h_prev, W, U, b) -> tuple[Array, dict[str, Array]]:
    xz, xr, xh = np.split(x_t @ W + b[0], 3, axis=-1)  # input part of each gate
    hz, hr, hh = np.split(h_prev @ U + b[1], 3, axis=-1)  # recurrent part of each gate
    z = sigmoid(xz + hz)
    r = sigmoid(xr + hr)
    h_cand = np.tanh(xh + r * hh)
    h_t = z * h_prev + (1.0 - z) * h_cand
    return h_t, {"z": z, "r": r, "h": h_cand}


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias) -> tuple[Array, dict[str, Array]]:
    """One step of a GRU (Cho et al. 2014) in Keras' default ``reset_after=True`` form.

    The kernel, recurrent kernel and both bias rows hold three blocks of
    ``units`` columns in the order z, r, h.  With b_in = bias[0] and
    b_rec = bias[1]:

        z_t  = sigmoid(x_t W_z + b_in_z + h_{t-1} U_z + b_rec_z)        update gate
        r_t  = sigmoid(x_t W_r + b_in_r + h_{t-1} U_r + b_rec_r)        reset gate
        h~_t = tanh(x_t W_h + b_in_h + r_t * (h_{t-1} U_h + b_rec_h))   candidate
        h_t  = z_t * h_{t-1} + (1 - z_t) * h~_t

    This is the convention of Cho et al. (2014) and Keras: z = 1 keeps the old
    state.  Chung et al. (2014) and some other texts swap z and 1 - z.
    "reset_after" means the reset gate multiplies h_{t-1} U_h + b_rec_h, after
    the matrix product (Keras' ``reset_after=False``, r applied to h_{t-1}
    before the product, with a 1-D bias, is not implemented here).

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev : array_like, shape [batch, units]
        h_{t-1}.
    kernel, recurrent_kernel : array_like
        W [features, 3*units], U [units, 3*units].
    bias : array_like, shape [2, 3*units]
        Row 0 the input bias b_in, row 1 the recurrent bias b_rec.

    Returns
    -------
    h_t : ndarray, shape [batch, units]
    gates : dict
        "z", "r" (the gates) and "h" (the candidate h~_t), each [batch, units].

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit (a 1-D bias included).
    """
    x_t = _check_x_t(x_t)
    W, U, b, units = _check_weights(kernel, recurrent_kernel, bias, 3, x_t.shape[1], gru=True)
    h_prev = _check_state("h_prev", h_prev, x_t.shape[0], units, default_zeros=False)
    return _gru_step(x_t, h_prev, W, U, b)


def gru_forward(x, kernel, recurrent_kernel, bias, h0=None) -> tuple[Array, dict]:
    """Run a GRU over a sequence (see :func:`gru_step` for the equations).

    Same result as ``keras.layers.GRU(units, return_sequences=True)`` (the
    default ``reset_after=True``) with the weights ``[kernel, recurrent_kernel, bias]``.

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
    kernel : array_like, shape [features, 3*units]
        W, gate blocks in the order z, r, h.
    recurrent_kernel : array_like, shape [units, 3*units]
        U, same order.
    bias : array_like, shape [2, 3*units]
        Row 0 the input bias, row 1 the recurrent bias.  A 1-D bias
        (``reset_after=False``) is refused with a ValueError.
    h0 : array_like, shape [batch, units], optional
        The initial state h_0; zeros if omitted.

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's state.
    cache : dict
        What :func:`gru_backward` needs, and "gates": a dict "z", "r", "h" of
        [batch, steps, units] arrays ("h" is the candidate h~).

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit.
    """
    x = _check_x(x)
    batch, steps, features = x.shape
    W, U, b, units = _check_weights(kernel, recurrent_kernel, bias, 3, features, gru=True)
    h0 = _check_state("h0", h0, batch, units)

    h = np.empty((batch, steps, units))
    gates = {name: np.empty((batch, steps, units)) for name in "zrh"}
    h_t = h0
    for t in range(steps):
        h_t, gates_t = _gru_step(x[:, t], h_t, W, U, b)
        h[:, t] = h_t
        for name, value in gates_t.items():
            gates[name][:, t] = value
    cache = {"cell": "gru", "x": x, "kernel": W, "recurrent_kernel": U, "bias": b,
             "h0": h0, "h": h, "gates": gates}
    return h, cache


def gru_backward(dh, cache: dict) -> dict[str, Array]:
    """Backpropagation through time for :func:`gru_forward`.

    With g_t = dLoss/dh_t (the given part plus what flows back from step t+1),
    q_t = h_{t-1} U_h + b_rec_h, and a_z, a_r, a_h the pre-activations of z, r, h~,
    going from t = T down to 1:

        da_z = g_t * (h_{t-1} - h~_t) * z(1-z)
        da_h = g_t * (1 - z) * (1 - h~**2)
        da_r = da_h * q_t * r(1-r)
        input side:     dxz = [da_z, da_r, da_h]      (through W and b_in)
        recurrent side: dhz = [da_z, da_r, da_h * r]  (through U and b_rec)
        g_{t-1} += g_t * z + dhz U^T,   dx_t = dxz W^T
        dW = sum_t x_t^T dxz_t,  dU = sum_t h_{t-1}^T dhz_t,  db = [sum dxz, sum dhz]

    Parameters
    ----------
    dh : array_like, shape [batch, steps, units]
        dLoss/dh for every step (the shape of ``h``).
    cache : dict
        The cache returned by :func:`gru_forward`.

    Returns
    -------
    dict
        Gradients of sum(h * dh): "kernel", "recurrent_kernel", "bias"
        ([2, 3*units]), "x" and "h0", each shaped like its input.

    Raises
    ------
    TypeError
        If ``cache`` is not a dict from a forward pass, or ``dh`` not an array.
    ValueError
        If ``cache`` comes from another cell, or ``dh`` does not have h's shape.
    """
    _check_cache(cache, "gru")
    dh = _check_dh(dh, cache)
    x, W, U, b, h = cache["x"], cache["kernel"], cache["recurrent_kernel"], cache["bias"], cache["h"]
    z, r, h_cand = (cache["gates"][name] for name in "zrh")
    batch, steps, units = h.shape
    h_prev = _previous(h, cache["h0"])
    q = h_prev @ U[:, 2 * units :] + b[1, 2 * units :]  # recurrent part of the candidate

    dxz = np.empty((batch, steps, 3 * units))  # dLoss/d(x_t W + b_in), blocks z, r, h
    dhz = np.empty((batch, steps, 3 * units))  # dLoss/d(h_{t-1} U + b_rec), blocks z, r, h
    g_next = np.zeros((batch, units))
    for t in reversed(range(steps)):
        g = dh[:, t] + g_next
        da_z = g * (h_prev[:, t] - h_cand[:, t]) * z[:, t] * (1.0 - z[:, t])
        da_h = g * (1.0 - z[:, t]) * (1.0 - h_cand[:, t] ** 2)
        da_r = da_h * q[:, t] * r[:, t] * (1.0 - r[:, t])
        dxz[:, t] = np.concatenate([da_z, da_r, da_h], axis=-1)
        dhz[:, t] = np.concatenate([da_z, da_r, da_h * r[:, t]], axis=-1)
        g_next = g * z[:, t] + dhz[:, t] @ U.T

    return {
        "kernel": np.einsum("btf,btg->fg", x, dxz),
        "recurrent_kernel": np.einsum("btu,btg->ug", h_prev, dhz),
        "bias": np.stack([dxz.sum(axis=(0, 1)), dhz.sum(axis=(0, 1))]),
        "x": dxz @ W.T,
        "h0": g_next,
    }


# --------------------------------------------------------------------------- peephole LSTM
def _check_peephole(peephole, units: int) -> Array:
    p = as_array("peephole", peephole, ndim=2, shape_desc=f"[3, units] = (3, {units}) (rows p_i, p_f, p_o)")
    return check_shape("peephole", p, (3, units), "[3, units] (rows p_i, p_f, p_o)")


def _peephole_lstm_step(x_t, h_prev, c_prev, W, U, b, P) -> tuple[Array, Array, dict[str, Array]]:
    z_i, z_f, z_c, z_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i = sigmoid(z_i + P[0] * c_prev)
    f = sigmoid(z_f + P[1] * c_prev)
    c_cand = np.tanh(z_c)
    c_t = f * c_prev + i * c_cand
    o = sigmoid(z_o + P[2] * c_t)  # the output gate looks at the *new* cell state
    h_t = o * np.tanh(c_t)
    return h_t, c_t, {"i": i, "f": f, "c": c_cand, "o": o}


def peephole_lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, peephole
                       ) -> tuple[Array, Array, dict[str, Array]]:
    """One step of an LSTM with peephole connections (Gers & Schmidhuber 2000).

    The gates also see the cell state, through diagonal (element-wise) weights
    p_i, p_f, p_o.  With z = x_t W + h_{t-1} U + b split in the Keras order
    i, f, c, o:

        i_t  = sigmoid(z_i + p_i * c_{t-1})
        f_t  = sigmoid(z_f + p_f * c_{t-1})
        c~_t = tanh(z_c)
        c_t  = f_t * c_{t-1} + i_t * c~_t
        o_t  = sigmoid(z_o + p_o * c_t)          (the new cell state)
        h_t  = o_t * tanh(c_t)

    With ``peephole`` all zeros this is exactly :func:`lstm_step`.

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev, c_prev : array_like, shape [batch, units]
        h_{t-1} and c_{t-1}.
    kernel, recurrent_kernel, bias : array_like
        W [features, 4*units], U [units, 4*units], b [4*units], gate order i, f, c, o.
    peephole : array_like, shape [3, units]
        The rows p_i, p_f, p_o.

    Returns
    -------
    h_t, c_t : ndarray, shape [batch, units]
    gates : dict
        "i", "f", "o" (the gates) and "c" (the candidate c~_t), each [batch, units].

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit.
    """
    x_t, h_prev, c_prev, W, U, b, units = _lstm_step_args(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    return _peephole_lstm_step(x_t, h_prev, c_prev, W, U, b, _check_peephole(peephole, units))


def peephole_lstm_forward(x, kernel, recurrent_kernel, bias, peephole, h0=None, c0=None) -> tuple[Array, dict]:
    """Run a peephole LSTM over a sequence (see :func:`peephole_lstm_step` for the equations).

    Same result as ``keras.layers.RNN(rnnbook.layers.PeepholeLSTMCell(units),
    return_sequences=True)`` with the weights ``[kernel, recurrent_kernel,
    bias, peephole]`` (the cell's ``get_weights()`` order).

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
    kernel : array_like, shape [features, 4*units]
        W, gate blocks in the order i, f, c, o.
    recurrent_kernel : array_like, shape [units, 4*units]
        U, same order.
    bias : array_like, shape [4*units]
        b, same order.
    peephole : array_like, shape [3, units]
        The diagonal peephole weights p_i, p_f, p_o as rows.
    h0, c0 : array_like, shape [batch, units], optional
        The initial states; zeros if omitted.

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's hidden state.
    cache : dict
        "c" (cell states, [batch, steps, units]) and "gates" (a dict "i", "f",
        "c", "o" of [batch, steps, units] arrays), plus the inputs.

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit.
    """
    x = _check_x(x)
    batch, steps, features = x.shape
    W, U, b, units = _check_weights(kernel, recurrent_kernel, bias, 4, features)
    P = _check_peephole(peephole, units)
    h0 = _check_state("h0", h0, batch, units)
    c0 = _check_state("c0", c0, batch, units)

    h, c = np.empty((batch, steps, units)), np.empty((batch, steps, units))
    gates = {name: np.empty((batch, steps, units)) for name in "ifco"}
    h_t, c_t = h0, c0
    for t in range(steps):
        h_t, c_t, gates_t = _peephole_lstm_step(x[:, t], h_t, c_t, W, U, b, P)
        h[:, t], c[:, t] = h_t, c_t
        for name, value in gates_t.items():
            gates[name][:, t] = value
    cache = {"cell": "peephole_lstm", "x": x, "kernel": W, "recurrent_kernel": U, "bias": b,
             "peephole": P, "h0": h0, "c0": c0, "h": h, "c": c, "gates": gates}
    return h, cache


# --------------------------------------------------------------------------- sensitivity to old inputs
_SENSITIVITY = {"simple_rnn": (1, "simple_rnn_forward", "simple_rnn_backward"),
                "lstm": (4, "lstm_forward", "lstm_backward")}


def input_gradient_norms(cell: str, x, kernel, recurrent_kernel, bias) -> Array:
    """How strongly the last state h_T depends on each input x_t: ||dh_T/dx_t||_F for t = 1..T.

    One backward pass per unit, all in one batch: copy k of the sequence gets
    dh = 0 everywhere except dh[k, T] = e_k (the k-th unit vector), so that its
    input gradient is row k of the Jacobian dh_T/dx_t.  The Frobenius norm
    over the rows is returned; read it against the lag T - t.

    Parameters
    ----------
    cell : {"simple_rnn", "lstm"}
        Which cell the weights belong to (tanh SimpleRNN, or Keras LSTM).
    x : array_like, shape [steps, features]
        One input sequence.
    kernel, recurrent_kernel, bias : array_like
        The cell's weights in Keras layout (``layer.get_weights()``).

    Returns
    -------
    ndarray, shape [steps]
        ``norms[t] = ||dh_T / dx_{t+1}||_F``; the last entry is lag 0.

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If ``cell`` is unknown or a shape does not fit.
    """
    check_choice("cell", cell, tuple(_SENSITIVITY))
    x = as_array("x", x, ndim=2, shape_desc="[steps, features]")
    gates, forward_name, backward_name = _SENSITIVITY[cell]
    U = as_array("recurrent_kernel", recurrent_kernel, ndim=2, shape_desc="[units, G*units]")
    units = U.shape[0]
    forward, backward = globals()[forward_name], globals()[backward_name]
    xb = np.repeat(x[None], units, axis=0)  # [units, steps, features]
    h, cache = forward(xb, kernel, U, bias)
    dh = np.zeros_like(h)
    dh[:, -1] = np.eye(units)
    dx = backward(dh, cache)["x"]  # [units, steps, features]: dx[k, t] = d h_T[k] / d x_t
    return np.sqrt((dx**2).sum(axis=(0, 2)))
