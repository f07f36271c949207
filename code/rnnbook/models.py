"""Small Keras 3 model builders and a quiet training loop, shared by the chapters.

The builders keep notebook cells short; each returns an *uncompiled*
``keras.Sequential`` whose layers a chapter can inspect.  :func:`train`
compiles with Adam, fits silently (``verbose=0``) and returns the history.
"""
from __future__ import annotations

from collections.abc import Sequence

__all__ = ["dense_net", "rnn_net", "train", "count_params", "LayerNormSimpleRNNCell"]

_CELLS = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def _check_units(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return value


def dense_net(input_shape: Sequence[int], hidden: Sequence[int] = (32,), outputs: int = 1,
              output_activation: str | None = None, activation: str = "relu"):
    """A multilayer perceptron: ``Flatten`` (if the input is not 1-D), Dense hidden layers, a Dense output.

    Parameters
    ----------
    input_shape : tuple of int
        The shape of one example, without the batch axis, e.g. ``(window,)`` or ``(8, 8)``.
    hidden : sequence of int
        Units of each hidden layer.
    outputs : int
        Units of the output layer.
    output_activation : str or None
        ``None`` for regression, ``"sigmoid"`` or ``"softmax"`` for classification.
    """
    import keras

    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise TypeError(f"input_shape must be a non-empty tuple of ints, got {input_shape!r}")
    layers = [keras.Input(tuple(input_shape))]
    if len(input_shape) > 1:
        layers.append(keras.layers.Flatten())
    layers += [keras.layers.Dense(_check_units("hidden units", h), activation=activation) for h in hidden]
    layers.append(keras.layers.Dense(_check_units("outputs", outputs), activation=output_activation))
    return keras.Sequential(layers)


def rnn_net(units: int = 16, features: int = 1, outputs: int = 1, cell: str = "simple",
            output_activation: str | None = None, steps: int | None = None,
            return_sequences: bool = False, mask_value: float | None = None):
    """A one-layer recurrent network: [batch, steps, features] -> Dense(outputs).

    Parameters
    ----------
    units : int
        Size of the hidden state h_t.
    features : int
        Size of each input x_t.
    cell : {"simple", "lstm", "gru"}
        Which recurrent layer.
    steps : int or None
        Fixed number of steps, or ``None`` to accept any length.
    return_sequences : bool
        Output at every step ([batch, steps, outputs]) instead of only the last.
    mask_value : float or None
        If given, a ``Masking`` layer skips steps whose features all equal it (padding).
    """
    import keras

    if cell not in _CELLS:
        raise ValueError(f"cell must be one of {sorted(_CELLS)}, got {cell!r}")
    layers = [keras.Input((steps, _check_units("features", features)))]
    if mask_value is not None:
        layers.append(keras.layers.Masking(mask_value=mask_value))
    layers.append(getattr(keras.layers, _CELLS[cell])(_check_units("units", units), return_sequences=return_sequences))
    layers.append(keras.layers.Dense(_check_units("outputs", outputs), activation=output_activation))
    return keras.Sequential(layers)


def train(model, x, y, *, epochs: int, loss: str, batch_size: int = 32, learning_rate: float = 1e-3,
          metrics: Sequence[str] = (), validation_data=None, clipnorm: float | None = None):
    """Compile ``model`` with Adam and fit it silently; return the Keras ``History``.

    Shapes are checked by Keras; this only validates the training settings.
    """
    import keras

    _check_units("epochs", epochs)
    _check_units("batch_size", batch_size)
    if not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"learning_rate must be a number > 0, got {learning_rate!r}")
    opt = keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm)
    model.compile(optimizer=opt, loss=loss, metrics=list(metrics))
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                     validation_data=validation_data, shuffle=True)


def count_params(model) -> int:
    """The number of trainable weights of a Keras model."""
    return int(sum(int(w.numpy().size) for w in model.trainable_weights))


def _layer_norm_simple_rnn_cell_class():
    """Build the Keras class lazily, so that importing rnnbook.models does not import Keras."""
    import keras

    @keras.saving.register_keras_serializable(package="rnnbook")
    class LayerNormSimpleRNNCell(keras.layers.Layer):
        """A SimpleRNN cell with layer normalisation (Ba, Kiros & Hinton, 2016):

            h_t = tanh(LN(x_t W + h_{t-1} U) + b),  LN(a) = gamma * (a - mean(a)) / sqrt(var(a) + eps)

        where the mean and variance are taken over the units of *one* example at
        one step, so nothing depends on the batch.  Use it inside
        ``keras.layers.RNN``.  Weights: kernel [features, units],
        recurrent_kernel [units, units] (orthogonal start, as Keras's SimpleRNN),
        gamma [units] (ones), bias [units] (zeros).
        """

        def __init__(self, units: int, epsilon: float = 1e-3, **kwargs):
            super().__init__(**kwargs)
            self.units = _check_units("units", units)
            self.epsilon = float(epsilon)
            self.state_size = self.units
            self.output_size = self.units

        def build(self, input_shape):
            features = input_shape[-1]
            self.kernel = self.add_weight(shape=(features, self.units), initializer="glorot_uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="orthogonal",
                                                    name="recurrent_kernel")
            self.gamma = self.add_weight(shape=(self.units,), initializer="ones", name="gamma")
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, inputs, states):
            from keras import ops

            h_prev = states[0] if isinstance(states, (list, tuple)) else states
            a = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
            mean = ops.mean(a, axis=-1, keepdims=True)
            var = ops.var(a, axis=-1, keepdims=True)
            h = ops.tanh(self.gamma * (a - mean) / ops.sqrt(var + self.epsilon) + self.bias)
            return h, [h]

        def get_config(self):
            return {**super().get_config(), "units": self.units, "epsilon": self.epsilon}

    return LayerNormSimpleRNNCell


def __getattr__(name: str):
    """``models.LayerNormSimpleRNNCell`` builds the Keras class on first access."""
    if name == "LayerNormSimpleRNNCell":
        cls = _layer_norm_simple_rnn_cell_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module 'rnnbook.models' has no attribute {name!r}")
