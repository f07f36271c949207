"""Every custom Keras 3 recurrent cell of the book: the cells Keras does not ship.

* :class:`PeepholeLSTMCell`: an LSTM cell with peephole connections
  (Gers & Schmidhuber 2000); :func:`peephole_lstm` wraps it in a layer.
* :class:`LayerNormSimpleRNNCell`: a SimpleRNN cell with layer normalisation
  (Ba, Kiros & Hinton 2016).

Like any Keras cell, each runs over a sequence inside ``keras.layers.RNN``::

    layer = keras.layers.RNN(PeepholeLSTMCell(32), return_sequences=True)

and its weights come back in the order that the NumPy version in
:mod:`rnnbook.cells` takes them::

    h, cache = cells.peephole_lstm_forward(x, *layer.get_weights())

Every class is registered with ``keras.saving.register_keras_serializable``
under the package name ``"rnnbook"``, so a saved model that uses one loads back.

Unlike the rest of the package, this module imports Keras (and so TensorFlow)
at the top: a class has to derive from ``keras.layers.Layer`` when it is
defined.  ``import rnnbook`` and the other modules never import this one; only
code that needs a custom Keras cell does (``from rnnbook import layers``).
"""
from __future__ import annotations

import keras
from keras import ops

from ._validate import check_positive_int, check_positive_number, type_name

__all__ = ["PeepholeLSTMCell", "peephole_lstm", "LayerNormSimpleRNNCell", "AdditiveAttention"]


@keras.saving.register_keras_serializable(package="rnnbook")
class PeepholeLSTMCell(keras.layers.Layer):
    """An LSTM cell whose gates also see the cell state (peephole connections).

    With z = x_t W + h_{t-1} U + b split in Keras's gate order i, f, c, o, and
    diagonal peephole weights p_i, p_f, p_o (the rows of ``peephole``):

        i_t = sigmoid(z_i + p_i * c_{t-1}),   f_t = sigmoid(z_f + p_f * c_{t-1})
        c_t = f_t * c_{t-1} + i_t * tanh(z_c)
        o_t = sigmoid(z_o + p_o * c_t),       h_t = o_t * tanh(c_t)

    The initialisers match ``keras.layers.LSTM`` (Glorot-uniform W, orthogonal
    U, zero bias with the forget block at 1 when ``unit_forget_bias``); the
    peephole weights start at zero, so a fresh cell computes exactly what an
    LSTM with the same W, U, b computes.

    Parameters
    ----------
    units : int
        Size of h_t and c_t.
    unit_forget_bias : bool
        Start the forget-gate bias at 1 (Keras's default for ``LSTM``).
    peephole_initializer : str or keras.initializers.Initializer
        Initialiser of the [3, units] peephole weights ("zeros" by default).
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``, ...).

    Raises
    ------
    TypeError
        If ``units`` is not an int or ``unit_forget_bias`` not a bool.
    ValueError
        If ``units`` < 1.
    """

    def __init__(self, units: int, unit_forget_bias: bool = True, peephole_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        if not isinstance(unit_forget_bias, bool):
            raise TypeError(f"unit_forget_bias must be a bool; got {type_name(unit_forget_bias)}")
        self.unit_forget_bias = unit_forget_bias
        self.peephole_initializer = keras.initializers.get(peephole_initializer)
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"the last axis of the input (features) must be known; got input shape {input_shape}")
        n = self.units
        self.kernel = self.add_weight(shape=(features, 4 * n), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(n, 4 * n), initializer="orthogonal", name="recurrent_kernel")

        forget_one = self.unit_forget_bias

        def bias_init(shape, dtype=None):
            b = ops.zeros((4 * n,), dtype=dtype)
            if forget_one:
                b = ops.concatenate([ops.zeros((n,), dtype=dtype), ops.ones((n,), dtype=dtype),
                                     ops.zeros((2 * n,), dtype=dtype)])
            return b

        self.bias = self.add_weight(shape=(4 * n,), initializer=bias_init, name="bias")
        self.peephole = self.add_weight(shape=(3, n), initializer=self.peephole_initializer, name="peephole")

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = ops.sigmoid(z_i + self.peephole[0] * c_prev)
        f = ops.sigmoid(z_f + self.peephole[1] * c_prev)
        c = f * c_prev + i * ops.tanh(z_c)
        o = ops.sigmoid(z_o + self.peephole[2] * c)
        h = o * ops.tanh(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, unit_forget_bias=self.unit_forget_bias,
                      peephole_initializer=keras.initializers.serialize(self.peephole_initializer))
        return config


def peephole_lstm(units: int, return_sequences: bool = False, unit_forget_bias: bool = True, **kwargs):
    """A peephole LSTM layer: ``keras.layers.RNN(PeepholeLSTMCell(units), ...)``.

    Parameters
    ----------
    units : int
        Size of the state.
    return_sequences : bool
        Return h_t for every step ([batch, steps, units]) instead of only h_T.
    unit_forget_bias : bool
        Start the forget-gate bias at 1.
    **kwargs
        Passed to ``keras.layers.RNN`` (``name``, ``return_state``, ...).

    Returns
    -------
    keras.layers.RNN

    Raises
    ------
    TypeError, ValueError
        As :class:`PeepholeLSTMCell`; TypeError too if ``return_sequences`` is not a bool.
    """
    if not isinstance(return_sequences, bool):
        raise TypeError(f"return_sequences must be a bool; got {type_name(return_sequences)}")
    cell = PeepholeLSTMCell(units, unit_forget_bias=unit_forget_bias)
    return keras.layers.RNN(cell, return_sequences=return_sequences, **kwargs)


@keras.saving.register_keras_serializable(package="rnnbook")
class LayerNormSimpleRNNCell(keras.layers.Layer):
    """A SimpleRNN cell with layer normalisation (Ba, Kiros & Hinton, 2016).

        h_t = tanh(gamma * LN(x_t W + h_{t-1} U) + b),  LN(a) = (a - mean(a)) / sqrt(var(a) + eps)

    where the mean and variance are taken over the units of *one* example at
    one step, so nothing depends on the batch.  Use it inside
    ``keras.layers.RNN``::

        layer = keras.layers.RNN(LayerNormSimpleRNNCell(32), return_sequences=True)

    Weights, in the order of ``get_weights()``: kernel W [features, units]
    (Glorot-uniform), recurrent_kernel U [units, units] (orthogonal start, as
    Keras's SimpleRNN), gamma [units] (ones), bias b [units] (zeros).

    Parameters
    ----------
    units : int
        Size of h_t.
    epsilon : float
        Added to the variance before the square root.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``, ...).

    Raises
    ------
    TypeError
        If ``units`` is not an int or ``epsilon`` not a number.
    ValueError
        If ``units`` < 1 or ``epsilon`` <= 0.
    """

    def __init__(self, units: int, epsilon: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        self.epsilon = check_positive_number("epsilon", epsilon)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"the last axis of the input (features) must be known; got input shape {input_shape}")
        self.kernel = self.add_weight(shape=(features, self.units), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="orthogonal",
                                                name="recurrent_kernel")
        self.gamma = self.add_weight(shape=(self.units,), initializer="ones", name="gamma")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs, states):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        a = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
        mean = ops.mean(a, axis=-1, keepdims=True)
        var = ops.var(a, axis=-1, keepdims=True)
        h = ops.tanh(self.gamma * (a - mean) / ops.sqrt(var + self.epsilon) + self.bias)
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="rnnbook")
class AdditiveAttention(keras.layers.Layer):
    """Additive attention (Bahdanau, Cho & Bengio 2015) of every query step over a memory.

    For each query vector s (a decoder state) and the memory h_1..h_T (the
    encoder's outputs):

        e_j     = v . tanh(s W_query + h_j W_memory)     score of source position j
        alpha   = softmax_j(e)                           attention weights, summing to 1
        context = sum_j alpha_j h_j

    Called as ``context, alpha = layer(query, memory, memory_mask)`` with query
    [batch, target_steps, units], memory [batch, source_steps, units] and an
    optional boolean memory_mask [batch, source_steps] that is False at the
    source's padding: a masked position gets the score -inf, so its weight is
    exactly 0 and the weights of the real positions sum to 1.  It returns
    context [batch, target_steps, units] and alpha
    [batch, target_steps, source_steps].  Weights, in the order of
    ``get_weights()`` and of :func:`rnnbook.decoding.additive_attention`:
    W_query [units, attention_units], W_memory [memory_units, attention_units],
    v [attention_units].

    Parameters
    ----------
    units : int
        attention_units, the size of the hidden layer that scores each pair.
    **kwargs
        Passed to ``keras.layers.Layer``.
    """

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)

    def build(self, query_shape, memory_shape, memory_mask_shape=None):
        self.W_query = self.add_weight(shape=(query_shape[-1], self.units), initializer="glorot_uniform",
                                       name="W_query")
        self.W_memory = self.add_weight(shape=(memory_shape[-1], self.units), initializer="glorot_uniform",
                                        name="W_memory")
        self.v = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="v")

    def call(self, query, memory, memory_mask=None):
        q = ops.matmul(query, self.W_query)[:, :, None, :]          # [batch, Tq, 1, a]
        k = ops.matmul(memory, self.W_memory)[:, None, :, :]        # [batch, 1, Ts, a]
        e = ops.sum(ops.tanh(q + k) * self.v, axis=-1)              # [batch, Tq, Ts]
        if memory_mask is not None:                                 # padding: score -inf
            e = ops.where(memory_mask[:, None, :], e, float("-inf"))
        alpha = ops.softmax(e, axis=-1)
        return ops.matmul(alpha, memory), alpha

    def compute_output_shape(self, query_shape, memory_shape, memory_mask_shape=None):
        return (*query_shape[:-1], memory_shape[-1]), (*query_shape[:-1], memory_shape[1])

    def get_config(self):
        return {**super().get_config(), "units": self.units}


