"""Recurrent cells from scratch in NumPy: SimpleRNN, LSTM (plain and with peepholes) and GRU.

Each cell comes as a single step (``*_step``), a forward pass over a whole
sequence (``*_forward``) and the backward pass through time (``*_backward``;
the peephole LSTM has no backward pass).  The weights use Keras 3's layout, so
that ``layer.get_weights()`` can be passed straight in and the results compared
with the Keras layer::

    h, cache = lstm_forward(x, *keras_lstm.get_weights())

One contract for every cell: each ``*_step`` returns a :class:`Step`
``(h, state, gates)``, the new output, the tuple of new states (``(h_t,)`` or
``(h_t, c_t)``) and a dict of the gate values.  A step checks its arguments once,
in the ``@_checked`` decorator, so that its body is the maths; the forward passes
check the whole sequence once and run the unchecked step (``step.__wrapped__``)
at every time step.  Options (``h0``, ``c0``, ``activation``, ``reset_after``)
are keyword-only; the cell names are :data:`CELLS`.

Notation (row vectors, as in the code: a batch is a stack of rows)
-------------------------------------------------------------------
x_t : [batch, features]   the input at step t
h_t : [batch, units]      the hidden state after step t (h_0 is the initial state)
c_t : [batch, units]      the LSTM's cell state
W   : kernel              [features, G*units], input weights of the G gates side by side
U   : recurrent_kernel    [units, G*units], recurrent weights, same gate order
b   : bias                [G*units] ([2, 3*units] for the GRU with reset_after=True)
a_t : x_t W + h_{t-1} U + b, the pre-activation (blocks a_i, a_f, a_c, a_o for the LSTM)

Sequences are ``[batch, steps, features]`` and the forward passes return every
step's state, ``h[:, t] = h_{t+1}``, like ``return_sequences=True`` in Keras.
All computations are done in float64; float32 (or integer) inputs are accepted.
The caches hold copies of the inputs, so a caller may change its arrays after
a forward pass.

The peephole LSTM takes a further weight, ``peephole`` [3, units] (rows p_i,
p_f, p_o), as returned by ``rnnbook.layers.PeepholeLSTMCell``;
:func:`input_gradient_norms` measures how strongly the last state depends on
each earlier input.

Each backward pass returns the gradients of the scalar ``sum(h * dh)``, where
``dh`` holds dLoss/dh for every step, with respect to the weights, the inputs
and the initial state(s).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_choice, check_shape, type_name

__all__ = [
    "Step",
    "CELLS",
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


class Step(NamedTuple):
    """What every ``*_step`` function returns: one contract for all cells.

    h : ndarray, shape [batch, units]
        The new output h_t.
    state : tuple of ndarrays
        The new recurrent state: ``(h_t,)`` for the SimpleRNN and the GRU,
        ``(h_t, c_t)`` for the LSTMs.  It is what the next step takes back.
    gates : dict of ndarrays
        The gate values of this step, each [batch, units]: ``{}`` for the
        SimpleRNN, "i", "f", "c" (the candidate), "o" for the LSTMs and "z",
        "r", "h" (the candidate) for the GRU.
    """

    h: Array
    state: tuple
    gates: dict


#: The names of the cells, used for every ``cell=`` argument in the package.
CELLS = ("simple_rnn", "lstm", "gru")

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
def _checked(check: Callable) -> Callable:
    """Decorate a step whose body is only the maths: ``check`` validates the arguments first.

    ``check`` takes the step's arguments and returns them as ``(args, options)``
    (float64 arrays, checked shapes).  The undecorated step, ``step.__wrapped__``,
    is what the forward passes call at every time step, after checking the whole
    sequence once.
    """

    def decorate(maths: Callable) -> Callable:
        @functools.wraps(maths)
        def step(*args, **options) -> Step:
            args, options = check(*args, **options)
            return maths(*args, **options)

        return step

    return decorate


def _check_weights(kernel, recurrent_kernel, bias, gates: int, features: int, reset_after: bool | None = None):
    """Check W, U, b of a cell with ``gates`` gates for inputs with ``features`` features.

    ``reset_after`` is None for the SimpleRNN and the LSTMs; for the GRU it
    selects the bias layout ([2, 3*units] if True, [3*units] if False).
    Returns copies (W, U, b, units) as float64 arrays; the number of units is read off U.
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
    b = as_array("bias", bias)
    if reset_after is True and b.ndim == 1:
        raise ValueError(
            f"bias must have shape [2, 3*units] = (2, {3 * units}) with reset_after=True (row 0 input bias, "
            f"row 1 recurrent bias); got shape {b.shape}. A 1-D bias belongs to reset_after=False"
        )
    if reset_after is True:
        check_shape("bias", b, (2, 3 * units), "[2, 3*units] (reset_after=True)")
    elif reset_after is False:
        if b.ndim == 2:
            raise ValueError(
                f"bias must have shape [3*units] = ({3 * units},) with reset_after=False; got shape {b.shape}. "
                "A bias of shape [2, 3*units] belongs to reset_after=True"
            )
        check_shape("bias", b, (3 * units,), "[3*units] (reset_after=False)")
    else:
        check_shape("bias", b, (gates * units,), f"[{g}units]")
    return W.copy(), U.copy(), b.copy(), units


def _check_reset_after(reset_after) -> bool:
    if not isinstance(reset_after, (bool, np.bool_)):
        raise TypeError(f"reset_after must be True or False; got {type_name(reset_after)}")
    return bool(reset_after)


def _check_state(name: str, value, batch: int, units: int, default_zeros: bool = True) -> Array:
    """An initial or previous state of shape [batch, units] (a copy); ``None`` means zeros (if allowed)."""
    if value is None and default_zeros:
        return np.zeros((batch, units))
    return check_shape(name, as_array(name, value), (batch, units), "[batch, units]").copy()


def _check_step(x_t, states: dict, weights: tuple, gates: int, reset_after: bool | None = None):
    """Validate one step's arguments: (x_t, *states, W, U, b) as float64 arrays, and the units."""
    x_t = as_array("x_t", x_t, ndim=2, shape_desc="[batch, features]")
    W, U, b, units = _check_weights(*weights, gates, x_t.shape[1], reset_after)
    states = [_check_state(name, value, x_t.shape[0], units, default_zeros=False) for name, value in states.items()]
    return (x_t, *states, W, U, b), units


def _check_sequence(x, weights: tuple, initial: dict, gates: int, reset_after: bool | None = None):
    """Validate a forward pass's arguments: x, (W, U, b), the initial states (zeros if None), units."""
    x = as_array("x", x, ndim=3, shape_desc="[batch, steps, features]")
    if x.shape[1] == 0:
        raise ValueError(f"x must have at least one step; got shape {x.shape} (0 steps)")
    batch, _, features = x.shape
    W, U, b, units = _check_weights(*weights, gates, features, reset_after)
    initial = tuple(_check_state(name, value, batch, units) for name, value in initial.items())
    return x.copy(), (W, U, b), initial, units


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


def _rows(a: np.ndarray) -> np.ndarray:
    """[batch, steps, n] -> [batch * steps, n]: every step of every sequence as one row."""
    return a.reshape(-1, a.shape[-1])


def _previous(states: Array, initial: Array) -> Array:
    """The state before each step: [s_0, s_1, ..., s_{T-1}] from [s_1, ..., s_T] and s_0."""
    return np.concatenate([initial[:, None, :], states], axis=1)[:, :-1]


def _scan(step: Callable, x: Array, state: tuple, weights: tuple, **options) -> tuple[Array, tuple, dict]:
    """Run an (unchecked) step over x[:, 0], x[:, 1], ...; stack every output over time.

    Returns h [batch, steps, units], the states (each [batch, steps, units]) and
    the gates (a dict of [batch, steps, units] arrays).
    """
    outputs = []
    for t in range(x.shape[1]):
        out = step(x[:, t], *state, *weights, **options)
        state = out.state
        outputs.append(out)
    h = np.stack([out.h for out in outputs], axis=1)
    states = tuple(np.stack(s, axis=1) for s in zip(*(out.state for out in outputs)))
    gates = {name: np.stack([out.gates[name] for out in outputs], axis=1) for name in outputs[0].gates}
    return h, states, gates


# --------------------------------------------------------------------------- SimpleRNN
def _check_simple_rnn_step(x_t, h_prev, W, U, b, *, activation: str = "tanh"):
    check_choice("activation", activation, ACTIVATIONS)
    args, _ = _check_step(x_t, {"h_prev": h_prev}, (W, U, b), gates=1)
    return args, {"activation": activation}


@_checked(_check_simple_rnn_step)
def simple_rnn_step(x_t, h_prev, W, U, b, *, activation: str = "tanh") -> Step:
    """One step of a simple (Elman) RNN: h_t = act(x_t W + h_{t-1} U + b).

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev : array_like, shape [batch, units]
        h_{t-1}.
    W, U, b : array_like
        kernel [features, units], recurrent_kernel [units, units], bias [units].
    activation : {"tanh", "relu"}, keyword-only

    Returns
    -------
    Step
        ``Step(h_t, (h_t,), {})``: the new state is the output, and there are no gates.

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit, or ``activation`` is not "tanh" or "relu".
    """
    a_t = x_t @ W + h_prev @ U + b
    h_t = np.tanh(a_t) if activation == "tanh" else np.maximum(a_t, 0.0)
    return Step(h_t, (h_t,), {})


def simple_rnn_forward(x, kernel, recurrent_kernel, bias, *, h0=None, activation: str = "tanh") -> tuple[Array, dict]:
    """Run a simple RNN over a sequence: h_t = act(x_t W + h_{t-1} U + b) for t = 1..T.

    Same result as ``keras.layers.SimpleRNN(units, return_sequences=True)``
    with the weights ``[kernel, recurrent_kernel, bias]``.

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
        At least one step.
    kernel : array_like, shape [features, units]
        W.
    recurrent_kernel : array_like, shape [units, units]
        U.
    bias : array_like, shape [units]
        b.
    h0 : array_like, shape [batch, units], optional, keyword-only
        The initial state h_0; zeros if omitted.
    activation : {"tanh", "relu"}, keyword-only

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's state, h[:, t] = h_{t+1}.
    cache : dict
        What :func:`simple_rnn_backward` needs: copies of the inputs, weights
        and h0, the states h and the activation.

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit, x has no steps, or ``activation`` is not "tanh" or "relu".
    """
    check_choice("activation", activation, ACTIVATIONS)
    x, (W, U, b), (h0,), _ = _check_sequence(x, (kernel, recurrent_kernel, bias), {"h0": h0}, gates=1)
    h, _, _ = _scan(simple_rnn_step.__wrapped__, x, (h0,), (W, U, b), activation=activation)
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
    # sums over batch and steps of x_t^T da_t: one matrix product over all rows
    return {
        "kernel": _rows(x).T @ _rows(da),
        "recurrent_kernel": _rows(h_prev).T @ _rows(da),
        "bias": da.sum(axis=(0, 1)),
        "x": da @ W.T,
        "h0": g_next,
    }


# --------------------------------------------------------------------------- LSTM
def _check_lstm_step(x_t, h_prev, c_prev, W, U, b):
    args, _ = _check_step(x_t, {"h_prev": h_prev, "c_prev": c_prev}, (W, U, b), gates=4)
    return args, {}


@_checked(_check_lstm_step)
def lstm_step(x_t, h_prev, c_prev, W, U, b) -> Step:
    """One step of an LSTM (Hochreiter & Schmidhuber 1997, with a forget gate), as in Keras.

    The four gates are computed together, a = x_t W + h_{t-1} U + b, and a is
    split into four blocks of ``units`` columns in the order i, f, c, o:

        i_t  = sigmoid(a_i)             input gate
        f_t  = sigmoid(a_f)             forget gate
        c~_t = tanh(a_c)                candidate cell state
        o_t  = sigmoid(a_o)             output gate
        c_t  = f_t * c_{t-1} + i_t * c~_t
        h_t  = o_t * tanh(c_t)

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev, c_prev : array_like, shape [batch, units]
        h_{t-1} and c_{t-1}.
    W, U, b : array_like
        kernel [features, 4*units], recurrent_kernel [units, 4*units], bias [4*units].

    Returns
    -------
    Step
        ``Step(h_t, (h_t, c_t), gates)``, gates "i", "f", "o" and "c" (the
        candidate c~_t), each [batch, units].

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit.
    """
    a_i, a_f, a_c, a_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i, f, c_cand, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_c), sigmoid(a_o)
    c_t = f * c_prev + i * c_cand
    h_t = o * np.tanh(c_t)
    return Step(h_t, (h_t, c_t), {"i": i, "f": f, "c": c_cand, "o": o})


def lstm_forward(x, kernel, recurrent_kernel, bias, *, h0=None, c0=None) -> tuple[Array, dict]:
    """Run an LSTM over a sequence (see :func:`lstm_step` for the equations).

    Same result as ``keras.layers.LSTM(units, return_sequences=True)`` with
    the weights ``[kernel, recurrent_kernel, bias]`` and the initial state
    ``[h0, c0]``.

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
        At least one step.
    kernel : array_like, shape [features, 4*units]
        W, gate blocks in the order i, f, c, o.
    recurrent_kernel : array_like, shape [units, 4*units]
        U, same order.
    bias : array_like, shape [4*units]
        b, same order.
    h0, c0 : array_like, shape [batch, units], optional, keyword-only
        The initial states h_0 and c_0; zeros if omitted.

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's hidden state.
    cache : dict
        What :func:`lstm_backward` needs (copies of the inputs), and what the
        book plots: "c" (the cell states, [batch, steps, units]) and "gates"
        (a dict "i", "f", "c", "o" of [batch, steps, units] arrays; "c" is the candidate).

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit, or x has no steps.
    """
    x, (W, U, b), (h0, c0), _ = _check_sequence(x, (kernel, recurrent_kernel, bias), {"h0": h0, "c0": c0}, gates=4)
    h, (_, c), gates = _scan(lstm_step.__wrapped__, x, (h0, c0), (W, U, b))
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
        da   = [di * i(1-i), df * f(1-f), dc~ * (1-c~**2), do * o(1-o)]
        g_{t-1} += da U^T,   dx_t = da W^T
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
    da = np.empty((batch, steps, 4 * units))  # dLoss/da_t, gate blocks i, f, c, o
    g_next = np.zeros((batch, units))  # dLoss/dh_t arriving from step t+1
    k_next = np.zeros((batch, units))  # dLoss/dc_t arriving from step t+1
    for t in reversed(range(steps)):
        g = dh[:, t] + g_next
        k = k_next + g * o[:, t] * (1.0 - tanh_c[:, t] ** 2)
        da[:, t] = np.concatenate(
            [
                k * c_cand[:, t] * i[:, t] * (1.0 - i[:, t]),
                k * c_prev[:, t] * f[:, t] * (1.0 - f[:, t]),
                k * i[:, t] * (1.0 - c_cand[:, t] ** 2),
                g * tanh_c[:, t] * o[:, t] * (1.0 - o[:, t]),
            ],
            axis=-1,
        )
        g_next = da[:, t] @ U.T
        k_next = k * f[:, t]

    h_prev = _previous(cache["h"], cache["h0"])
    return {
        "kernel": np.einsum("btf,btg->fg", x, da),
        "recurrent_kernel": np.einsum("btu,btg->ug", h_prev, da),
        "bias": da.sum(axis=(0, 1)),
        "x": da @ W.T,
        "h0": g_next,
        "c0": k_next,
    }


# --------------------------------------------------------------------------- GRU
def _check_gru_step(x_t, h_prev, W, U, b, *, reset_after: bool = True):
    reset_after = _check_reset_after(reset_after)
    args, _ = _check_step(x_t, {"h_prev": h_prev}, (W, U, b), gates=3, reset_after=reset_after)
    return args, {"reset_after": reset_after}


@_checked(_check_gru_step)
def gru_step(x_t, h_prev, W, U, b, *, reset_after: bool = True) -> Step:
    """One step of a GRU (Cho et al. 2014), as in Keras, in both ``reset_after`` forms.

    W, U and b hold three blocks of ``units`` columns in the order z, r, h.

    ``reset_after=True`` (Keras's default; b has two rows, b_in = b[0] and
    b_rec = b[1]): the reset gate multiplies the candidate's recurrent term
    *after* the matrix product,

        z_t  = sigmoid(x_t W_z + b_in_z + h_{t-1} U_z + b_rec_z)        update gate
        r_t  = sigmoid(x_t W_r + b_in_r + h_{t-1} U_r + b_rec_r)        reset gate
        h~_t = tanh(x_t W_h + b_in_h + r_t * (h_{t-1} U_h + b_rec_h))   candidate

    ``reset_after=False`` (Cho et al.'s form; one bias b of 3*units): r_t
    scales h_{t-1} *before* the product,

        z_t  = sigmoid(x_t W_z + h_{t-1} U_z + b_z)
        r_t  = sigmoid(x_t W_r + h_{t-1} U_r + b_r)
        h~_t = tanh(x_t W_h + (r_t * h_{t-1}) U_h + b_h)

    and in both h_t = z_t * h_{t-1} + (1 - z_t) * h~_t: z = 1 keeps the old
    state (Cho et al. and Keras; Chung et al. 2014 swap z and 1 - z).

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev : array_like, shape [batch, units]
        h_{t-1}.
    W, U : array_like
        kernel [features, 3*units], recurrent_kernel [units, 3*units].
    b : array_like
        bias: [2, 3*units] if ``reset_after`` (row 0 input bias, row 1
        recurrent bias), else [3*units].
    reset_after : bool, keyword-only

    Returns
    -------
    Step
        ``Step(h_t, (h_t,), gates)``, gates "z", "r" and "h" (the candidate
        h~_t), each [batch, units].

    Raises
    ------
    TypeError
        If an argument is not an array of numbers, or reset_after not a bool.
    ValueError
        If a shape does not fit (a bias of the other ``reset_after`` form included).
    """
    if reset_after:
        xz, xr, xh = np.split(x_t @ W + b[0], 3, axis=-1)  # input part of each gate
        # recurrent part of each gate
        hz, hr, hh = np.split(h_prev @ U + b[1], 3, axis=-1)
        z = sigmoid(xz + hz)
        r = sigmoid(xr + hr)
        h_cand = np.tanh(xh + r * hh)
    else:
        xz, xr, xh = np.split(x_t @ W + b, 3, axis=-1)
        U_z, U_r, U_h = np.split(U, 3, axis=-1)
        z = sigmoid(xz + h_prev @ U_z)
        r = sigmoid(xr + h_prev @ U_r)
        h_cand = np.tanh(xh + (r * h_prev) @ U_h)
    h_t = z * h_prev + (1.0 - z) * h_cand
    return Step(h_t, (h_t,), {"z": z, "r": r, "h": h_cand})


def gru_forward(x, kernel, recurrent_kernel, bias, *, h0=None, reset_after: bool = True) -> tuple[Array, dict]:
    """Run a GRU over a sequence (see :func:`gru_step` for the equations of both forms).

    Same result as ``keras.layers.GRU(units, return_sequences=True,
    reset_after=reset_after)`` with the weights ``[kernel, recurrent_kernel, bias]``.

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
        At least one step.
    kernel : array_like, shape [features, 3*units]
        W, gate blocks in the order z, r, h.
    recurrent_kernel : array_like, shape [units, 3*units]
        U, same order.
    bias : array_like
        [2, 3*units] if ``reset_after`` (row 0 the input bias, row 1 the
        recurrent bias), else [3*units].
    h0 : array_like, shape [batch, units], optional, keyword-only
        The initial state h_0; zeros if omitted.
    reset_after : bool, keyword-only

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's state.
    cache : dict
        What :func:`gru_backward` needs (copies of the inputs, and
        "reset_after"), and "gates": a dict "z", "r", "h" of [batch, steps,
        units] arrays ("h" is the candidate h~).

    Raises
    ------
    TypeError
        If an argument is not an array of numbers, or reset_after not a bool.
    ValueError
        If a shape does not fit, or x has no steps.
    """
    reset_after = _check_reset_after(reset_after)
    x, (W, U, b), (h0,), _ = _check_sequence(x, (kernel, recurrent_kernel, bias), {"h0": h0}, gates=3,
                                             reset_after=reset_after)
    h, _, gates = _scan(gru_step.__wrapped__, x, (h0,), (W, U, b), reset_after=reset_after)
    cache = {"cell": "gru", "x": x, "kernel": W, "recurrent_kernel": U, "bias": b,
             "h0": h0, "h": h, "gates": gates, "reset_after": reset_after}
    return h, cache


def gru_backward(dh, cache: dict, *, reset_after: bool = True) -> dict[str, Array]:
    """Backpropagation through time for :func:`gru_forward`.

    With g_t = dLoss/dh_t (the given part plus what flows back from step t+1)
    and a_z, a_r, a_h the pre-activations of z, r, h~, going from t = T down to 1:

        da_z = g_t * (h_{t-1} - h~_t) * z(1-z)
        da_h = g_t * (1 - z) * (1 - h~**2)

    ``reset_after=True``, with q_t = h_{t-1} U_h + b_rec_h:

        da_r = da_h * q_t * r(1-r)
        input side:     dxz = [da_z, da_r, da_h]      (through W and b_in)
        recurrent side: dhz = [da_z, da_r, da_h * r]  (through U and b_rec)
        g_{t-1} += g_t * z + dhz U^T

    ``reset_after=False``, where h~ sees (r * h_{t-1}) U_h:

        d(r h) = da_h U_h^T,   da_r = d(r h) * h_{t-1} * r(1-r)
        g_{t-1} += g_t * z + d(r h) * r + da_z U_z^T + da_r U_r^T
        dU_z, dU_r from h_{t-1};  dU_h = sum_t (r_t * h_{t-1})^T da_h

    and dx_t = [da_z, da_r, da_h] W^T in both.

    Parameters
    ----------
    dh : array_like, shape [batch, steps, units]
        dLoss/dh for every step (the shape of ``h``).
    cache : dict
        The cache returned by :func:`gru_forward`.
    reset_after : bool, keyword-only
        Must be the form the forward pass used (a mismatch raises ValueError).

    Returns
    -------
    dict
        Gradients of sum(h * dh): "kernel", "recurrent_kernel", "bias"
        (shaped like the bias), "x" and "h0", each shaped like its input.

    Raises
    ------
    TypeError
        If ``cache`` is not a dict from a forward pass, ``dh`` not an array,
        or reset_after not a bool.
    ValueError
        If ``cache`` comes from another cell or the other ``reset_after``
        form, or ``dh`` does not have h's shape.
    """
    _check_cache(cache, "gru")
    reset_after = _check_reset_after(reset_after)
    if cache.get("reset_after", True) != reset_after:
        raise ValueError(
            f"the cache comes from gru_forward(..., "
            f"reset_after={cache['reset_after']}); "
            f"call gru_backward(..., reset_after={cache['reset_after']}), "
            f"not reset_after={reset_after}"
        )
    dh = _check_dh(dh, cache)
    x, W, U, b, h = (
        cache["x"], cache["kernel"], cache["recurrent_kernel"], cache["bias"],
        cache["h"],
    )
    z, r, h_cand = (cache["gates"][name] for name in "zrh")
    batch, steps, units = h.shape
    h_prev = _previous(h, cache["h0"])
    if not reset_after:
        return _gru_backward_reset_before(dh, x, W, U, h_prev, z, r, h_cand)
    # recurrent part of the candidate
    q = h_prev @ U[:, 2 * units :] + b[1, 2 * units :]

    # dLoss/d(x_t W + b_in), blocks z, r, h
    dxz = np.empty((batch, steps, 3 * units))
    # dLoss/d(h_{t-1} U + b_rec), blocks z, r, h
    dhz = np.empty((batch, steps, 3 * units))
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


def _gru_backward_reset_before(dh, x, W, U, h_prev, z, r, h_cand) -> dict[str, Array]:
    """The backward pass of the ``reset_after=False`` GRU (see :func:`gru_backward`)."""
    batch, steps, units = h_cand.shape
    U_zr, U_h = U[:, : 2 * units], U[:, 2 * units :]
    da = np.empty((batch, steps, 3 * units))  # dLoss/d(pre-activations), blocks z, r, h
    g_next = np.zeros((batch, units))
    for t in reversed(range(steps)):
        g = dh[:, t] + g_next
        da_z = g * (h_prev[:, t] - h_cand[:, t]) * z[:, t] * (1.0 - z[:, t])
        da_h = g * (1.0 - z[:, t]) * (1.0 - h_cand[:, t] ** 2)
        d_rh = da_h @ U_h.T  # dLoss/d(r_t * h_{t-1})
        da_r = d_rh * h_prev[:, t] * r[:, t] * (1.0 - r[:, t])
        da[:, t] = np.concatenate([da_z, da_r, da_h], axis=-1)
        g_next = g * z[:, t] + d_rh * r[:, t] + da[:, t, : 2 * units] @ U_zr.T
    return {
        "kernel": np.einsum("btf,btg->fg", x, da),
        "recurrent_kernel": np.concatenate(
            [np.einsum("btu,btg->ug", h_prev, da[..., : 2 * units]),
             np.einsum("btu,btg->ug", r * h_prev, da[..., 2 * units :])], axis=1),
        "bias": da.sum(axis=(0, 1)),
        "x": da @ W.T,
        "h0": g_next,
    }


# --------------------------------------------------------------------------- peephole LSTM
def _check_peephole(peephole, units: int) -> Array:
    p = as_array("peephole", peephole, ndim=2, shape_desc=f"[3, units] = (3, {units}) (rows p_i, p_f, p_o)")
    return check_shape("peephole", p, (3, units), "[3, units] (rows p_i, p_f, p_o)").copy()


def _check_peephole_lstm_step(x_t, h_prev, c_prev, W, U, b, P):
    args, units = _check_step(x_t, {"h_prev": h_prev, "c_prev": c_prev}, (W, U, b), gates=4)
    return (*args, _check_peephole(P, units)), {}


@_checked(_check_peephole_lstm_step)
def peephole_lstm_step(x_t, h_prev, c_prev, W, U, b, P) -> Step:
    """One step of an LSTM with peephole connections (Gers & Schmidhuber 2000).

    The gates also see the cell state, through diagonal (element-wise) weights
    P = [p_i, p_f, p_o].  With a = x_t W + h_{t-1} U + b split in the Keras
    order i, f, c, o:

        i_t  = sigmoid(a_i + p_i * c_{t-1})
        f_t  = sigmoid(a_f + p_f * c_{t-1})
        c~_t = tanh(a_c)
        c_t  = f_t * c_{t-1} + i_t * c~_t
        o_t  = sigmoid(a_o + p_o * c_t)          (the new cell state)
        h_t  = o_t * tanh(c_t)

    With P all zeros this is exactly :func:`lstm_step`.

    Parameters
    ----------
    x_t : array_like, shape [batch, features]
    h_prev, c_prev : array_like, shape [batch, units]
        h_{t-1} and c_{t-1}.
    W, U, b : array_like
        kernel [features, 4*units], recurrent_kernel [units, 4*units], bias [4*units], gate order i, f, c, o.
    P : array_like, shape [3, units]
        The peephole weights, rows p_i, p_f, p_o.

    Returns
    -------
    Step
        ``Step(h_t, (h_t, c_t), gates)``, gates "i", "f", "o" and "c" (the candidate c~_t).

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit.
    """
    a_i, a_f, a_c, a_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i = sigmoid(a_i + P[0] * c_prev)
    f = sigmoid(a_f + P[1] * c_prev)
    c_cand = np.tanh(a_c)
    c_t = f * c_prev + i * c_cand
    o = sigmoid(a_o + P[2] * c_t)  # the output gate looks at the *new* cell state
    h_t = o * np.tanh(c_t)
    return Step(h_t, (h_t, c_t), {"i": i, "f": f, "c": c_cand, "o": o})


def peephole_lstm_forward(x, kernel, recurrent_kernel, bias, peephole, *, h0=None, c0=None) -> tuple[Array, dict]:
    """Run a peephole LSTM over a sequence (see :func:`peephole_lstm_step` for the equations).

    Same result as ``keras.layers.RNN(rnnbook.layers.PeepholeLSTMCell(units),
    return_sequences=True)`` with the weights ``[kernel, recurrent_kernel,
    bias, peephole]`` (the cell's ``get_weights()`` order).

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
        At least one step.
    kernel : array_like, shape [features, 4*units]
        W, gate blocks in the order i, f, c, o.
    recurrent_kernel : array_like, shape [units, 4*units]
        U, same order.
    bias : array_like, shape [4*units]
        b, same order.
    peephole : array_like, shape [3, units]
        The diagonal peephole weights p_i, p_f, p_o as rows.
    h0, c0 : array_like, shape [batch, units], optional, keyword-only
        The initial states; zeros if omitted.

    Returns
    -------
    h : ndarray, shape [batch, steps, units]
        Every step's hidden state.
    cache : dict
        "c" (cell states, [batch, steps, units]) and "gates" (a dict "i", "f",
        "c", "o" of [batch, steps, units] arrays), plus copies of the inputs.

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If a shape does not fit, or x has no steps.
    """
    x, (W, U, b), (h0, c0), units = _check_sequence(x, (kernel, recurrent_kernel, bias), {"h0": h0, "c0": c0}, gates=4)
    P = _check_peephole(peephole, units)
    h, (_, c), gates = _scan(peephole_lstm_step.__wrapped__, x, (h0, c0), (W, U, b, P))
    cache = {"cell": "peephole_lstm", "x": x, "kernel": W, "recurrent_kernel": U, "bias": b,
             "peephole": P, "h0": h0, "c0": c0, "h": h, "c": c, "gates": gates}
    return h, cache


# --------------------------------------------------------------------------- sensitivity to old inputs
def input_gradient_norms(x, kernel, recurrent_kernel, bias, *, cell: str) -> Array:
    """How strongly the last state h_T depends on each input x_t: ||dh_T/dx_t||_F for t = 1..T.

    One backward pass per unit, all in one batch: copy k of a sequence gets
    dh = 0 everywhere except dh[k, T] = e_k (the k-th unit vector), so that its
    input gradient is row k of the Jacobian dh_T/dx_t.  The Frobenius norm
    over the rows is returned, for every sequence of the batch; read it
    against the lag T - t.

    Parameters
    ----------
    x : array_like, shape [batch, steps, features]
        The input sequences.
    kernel, recurrent_kernel, bias : array_like
        The cell's weights in Keras layout (``layer.get_weights()``).
    cell : {"simple_rnn", "lstm", "gru"}, keyword-only
        Which cell the weights belong to (tanh SimpleRNN, Keras LSTM, Keras
        GRU with reset_after=True).

    Returns
    -------
    ndarray, shape [batch, steps]
        ``norms[n, t] = ||dh_T / dx_{t+1}||_F`` for sequence n; the last
        column is lag 0.

    Raises
    ------
    TypeError
        If an argument is not an array of numbers.
    ValueError
        If ``cell`` is unknown or a shape does not fit.
    """
    check_choice("cell", cell, CELLS)
    x = as_array("x", x, ndim=3, shape_desc="[batch, steps, features]")
    forward, backward = _PASSES[cell]
    U = as_array("recurrent_kernel", recurrent_kernel, ndim=2, shape_desc="[units, G*units]")
    batch, steps, features = x.shape
    units = U.shape[0]
    xb = np.repeat(x, units, axis=0)  # [batch*units, steps, features], copy k of sequence n at n*units + k
    h, cache = forward(xb, kernel, U, bias)
    dh = np.zeros_like(h)
    dh[:, -1] = np.tile(np.eye(units), (batch, 1))
    dx = backward(dh, cache)["x"].reshape(batch, units, steps, features)  # d h_T[k] / d x_t, per sequence
    return np.sqrt((dx**2).sum(axis=(1, 3)))


#: The forward and backward pass of each cell, by name.
_PASSES = {
    "simple_rnn": (simple_rnn_forward, simple_rnn_backward),
    "lstm": (lstm_forward, lstm_backward),
    "gru": (gru_forward, gru_backward),
}
