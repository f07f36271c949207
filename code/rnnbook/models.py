"""The one Keras model builder and the one training helper that every chapter uses.

:func:`recurrent_model` builds every recurrent network of the book, from one
SimpleRNN layer to stacked bidirectional GRUs over token ids, and
:func:`train` compiles a model with Adam and fits it quietly.  Every comparison
(:func:`rnnbook.benchmark.compare_cells` included) goes through these two, so
that two contenders differ only in what the comparison changes.
:func:`dense_net` is the feed-forward baseline.

Cells are named as everywhere in the package (:data:`rnnbook.cells.CELLS`):
``"simple_rnn"``, ``"lstm"``, ``"gru"``.

Keras is imported inside the functions that need it, so ``import
rnnbook.models`` stays fast and TensorFlow-free.  The custom Keras cells live
in :mod:`rnnbook.layers`.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

from ._validate import check_bool, check_positive_int, check_positive_number, type_name
from .cells import CELLS

__all__ = [
    "dense_net", "recurrent_model", "train", "count_params",
    # chapter 7: regularised and convolutional models
    "regularised_model", "receptive_field", "tcn_model",
    # chapters 10-12: generating sequences
    "language_model", "seq2seq_model", "SEQ2SEQ_CONTEXTS", "ATTENTION_SCORES", "model_kind",
]

#: The Keras layer of each cell name in ``CELLS``.
_KERAS_LAYERS = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def _check_cell(cell: object) -> str:
    """``cell`` must be one of ``CELLS``: TypeError for a non-str, ValueError listing the names otherwise."""
    names = ", ".join(repr(c) for c in CELLS)
    if not isinstance(cell, str):
        raise TypeError(f"cell must be a str, one of {names}; got {type_name(cell)}")
    if cell not in CELLS:
        hint = " (the SimpleRNN cell is called 'simple_rnn')" if cell == "simple" else ""
        raise ValueError(f"cell must be one of {names}; got {cell!r}{hint}")
    return cell


def _check_activation(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str) and not callable(value):
        raise TypeError(f"{name} must be None, an activation name such as 'sigmoid', or a callable; "
                        f"got {type_name(value)}")


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
    activation : str
        Activation of the hidden layers.

    Returns
    -------
    keras.Sequential
        Uncompiled.

    Raises
    ------
    TypeError
        If ``input_shape`` is not a non-empty tuple or list, or a size is not an int.
    ValueError
        If a size is < 1.
    """
    import keras

    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise TypeError(f"input_shape must be a non-empty tuple of ints, got {input_shape!r}")
    layers = [keras.Input(tuple(input_shape))]
    if len(input_shape) > 1:
        layers.append(keras.layers.Flatten())
    layers += [keras.layers.Dense(check_positive_int("hidden units", h), activation=activation) for h in hidden]
    layers.append(keras.layers.Dense(check_positive_int("outputs", outputs), activation=output_activation))
    return keras.Sequential(layers)


def recurrent_model(cell: str, units: int, *, steps: int | None, features: int | None = None,
                    vocab_size: int | None = None, embed_dim: int = 16, mask_zero: bool = False,
                    mask_value: float | None = None, layers: int = 1, bidirectional: bool = False,
                    return_sequences: bool = False, outputs: int = 1, output_activation: str | None = None,
                    embedding_weights=None, embedding_trainable: bool = True):
    """A recurrent network: [batch, steps, features] (or token ids [batch, steps]) -> Dense(outputs).

    The layers, in order: ``Input``; ``Masking(mask_value)`` if ``mask_value``
    is given, or ``Embedding(vocab_size, embed_dim, mask_zero=mask_zero)`` for
    token ids; ``layers`` recurrent layers of ``units`` each (each wrapped in
    ``Bidirectional`` if asked); ``Dense(outputs, activation=output_activation)``.

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
        The recurrent layer: Keras's ``SimpleRNN``, ``LSTM`` or ``GRU``, with
        Keras's defaults (GRU with ``reset_after=True``).
    units : int
        Units of every recurrent layer (the size of h_t).
    steps : int or None
        Sequence length, or ``None`` to accept any length.
    features : int, optional
        Features per step for real-valued input, shape [batch, steps, features].
        Give either ``features`` or ``vocab_size``.
    vocab_size : int, optional
        For integer token ids, shape [batch, steps]: an ``Embedding`` comes first.
    embed_dim : int
        Size of the embedding vectors (token ids only).
    mask_zero : bool
        Token ids only: treat id 0 as padding, which the recurrent layers skip.
    mask_value : float or None
        Real-valued input only: a ``Masking`` layer makes the recurrent layers
        skip the steps whose features all equal ``mask_value`` (padding).
    layers : int
        How many recurrent layers to stack (all but the last return sequences).
    bidirectional : bool
        Wrap every recurrent layer in ``Bidirectional`` (forward and backward
        states concatenated, so twice the weights).
    return_sequences : bool
        The last recurrent layer returns every step: one output per step,
        [batch, steps, outputs], instead of [batch, outputs].
    outputs : int
        Units of the final Dense layer.
    output_activation : str, callable or None
        ``None`` for regression, ``"sigmoid"``/``"softmax"`` for classification.
    embedding_weights : array_like or None
        Token ids only: initial rows of the ``Embedding``, shape
        [vocab_size, embed_dim] (pretrained word vectors); ``None`` keeps
        Keras's random initialisation.
    embedding_trainable : bool
        Token ids only: ``False`` freezes the ``Embedding`` during training.

    Returns
    -------
    keras.Sequential
        Uncompiled.

    Raises
    ------
    TypeError
        If ``cell`` is not a str, a size is not an int, a flag is not a bool,
        ``mask_value`` is not a number or ``output_activation`` is neither a
        str, a callable nor None.
    ValueError
        If ``cell`` is unknown (the names are listed), a size is < 1, not
        exactly one of ``features`` and ``vocab_size`` is given, a mask
        option does not fit the input (``mask_value`` needs ``features``,
        ``mask_zero`` needs ``vocab_size``), or ``embedding_weights`` is given
        without ``vocab_size`` or with a shape other than [vocab_size, embed_dim].

    Examples
    --------
    >>> model = recurrent_model("lstm", 32, steps=None, features=1)             # doctest: +SKIP
    >>> model = recurrent_model("gru", 32, steps=40, vocab_size=60, return_sequences=True,
    ...                         outputs=60, output_activation="softmax")        # doctest: +SKIP
    """
    _check_cell(cell)
    units = check_positive_int("units", units)
    if steps is not None:
        steps = check_positive_int("steps", steps)
    if (features is None) == (vocab_size is None):
        raise ValueError("give exactly one of features (real-valued input [batch, steps, features]) "
                         f"and vocab_size (token ids [batch, steps]); "
                         f"got features={features!r}, vocab_size={vocab_size!r}")
    if features is not None:
        features = check_positive_int("features", features)
    else:
        vocab_size = check_positive_int("vocab_size", vocab_size)
    embed_dim = check_positive_int("embed_dim", embed_dim)
    mask_zero = check_bool("mask_zero", mask_zero)
    if mask_value is not None:
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise TypeError(f"mask_value must be a number or None; got {type_name(mask_value)}")
        if features is None:
            raise ValueError("mask_value masks real-valued input (give features); for token ids use "
                             f"mask_zero=True; got mask_value={mask_value!r} with vocab_size={vocab_size!r}")
    if mask_zero and vocab_size is None:
        raise ValueError("mask_zero=True masks token id 0 (give vocab_size); for real-valued input use "
                         f"mask_value; got features={features!r}")
    layers = check_positive_int("layers", layers)
    bidirectional = check_bool("bidirectional", bidirectional)
    return_sequences = check_bool("return_sequences", return_sequences)
    outputs = check_positive_int("outputs", outputs)
    _check_activation("output_activation", output_activation)
    embedding_trainable = check_bool("embedding_trainable", embedding_trainable)
    if embedding_weights is not None:
        if vocab_size is None:
            raise ValueError("embedding_weights initialise the Embedding of token ids (give vocab_size); "
                             f"got features={features!r}")
        import numpy as np

        try:
            embedding_weights = np.asarray(embedding_weights, dtype="float32")
        except (TypeError, ValueError):
            raise TypeError("embedding_weights must be an array of numbers of shape [vocab_size, embed_dim]; "
                            f"got {type_name(embedding_weights)}") from None
        if embedding_weights.shape != (vocab_size, embed_dim):
            raise ValueError(f"embedding_weights must have shape [vocab_size, embed_dim] = {(vocab_size, embed_dim)}; "
                             f"got shape {embedding_weights.shape}")

    import keras

    if features is not None:
        stack = [keras.Input((steps, features))]
        if mask_value is not None:
            stack.append(keras.layers.Masking(mask_value=mask_value))
    else:
        stack = [keras.Input((steps,), dtype="int32"),
                 keras.layers.Embedding(vocab_size, embed_dim, mask_zero=mask_zero)]
    layer_cls = getattr(keras.layers, _KERAS_LAYERS[cell])
    for k in range(layers):
        layer = layer_cls(units, return_sequences=return_sequences or k < layers - 1)
        stack.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
    stack.append(keras.layers.Dense(outputs, activation=output_activation))
    model = keras.Sequential(stack)
    if vocab_size is not None:
        embedding = model.layers[0]
        if embedding_weights is not None:
            embedding.set_weights([embedding_weights])
        embedding.trainable = embedding_trainable
    return model


def _n_examples(value) -> int | None:
    shape = getattr(value, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) > 0 and shape[0] is not None else None


def train(model, x, y, *, epochs: int, loss: str | Callable, batch_size: int = 32, learning_rate: float = 1e-3,
          metrics: Sequence[str] = (), validation_data: tuple | None = None, callbacks: Sequence | None = None,
          clipnorm: float | None = None, global_clipnorm: float | None = None, shuffle: bool = True,
          verbose: int = 0, jit_compile: bool = False, steps_per_execution: int = 32):
    """Compile ``model`` with Adam and fit it (quietly by default); return the Keras ``History``.

    The one training loop of the book: every comparison calls it, so every
    contender gets the same optimiser and the same batches for the same seed.

    Parameters
    ----------
    model : keras.Model
        An uncompiled (or to-be-recompiled) model.
    x, y : array_like
        Inputs, e.g. [batch, steps, features], and targets.
    epochs : int
        Passes over the data.
    loss : str or callable
        A Keras loss, e.g. ``"mse"`` or ``"sparse_categorical_crossentropy"``.
    batch_size : int
        Examples per update.
    learning_rate : float
        Adam's step size.
    metrics : sequence of str
        Extra metrics recorded in the history, e.g. ``["accuracy"]``.
    validation_data : tuple or None
        ``(x_val, y_val)``, evaluated after every epoch (``val_loss`` in the history).
    callbacks : sequence of keras.callbacks.Callback, optional
        Passed to ``fit`` (an epoch timer, early stopping, ...).
    clipnorm : float or None
        Clip the gradient of each weight to this norm.
    global_clipnorm : float or None
        Clip the gradient of all weights together to this norm (not with ``clipnorm``).
    shuffle : bool
        Shuffle the examples before every epoch.
    verbose : {0, 1, 2}
        Keras's progress output; 0 (silent) keeps notebook outputs stable.
    jit_compile : bool
        Compile the training step with XLA.  On a CPU it about halves a warm
        epoch of a small LSTM or GRU, but compiling costs seconds, so it pays
        only on long runs (``make bench`` measures both).  Keras's default on
        a machine without an accelerator is off.
    steps_per_execution : int
        Updates run inside one call of the compiled step, so that Python's
        overhead is paid once per this many batches: the same updates in the
        same order, and the same weights.  On a CPU the gain is small (from
        nothing to a few percent for the book's models; ``make bench``
        measures it).  Callbacks at the end of a batch then run once per
        execution; those at the end of an epoch are unaffected.

    Returns
    -------
    keras.callbacks.History
        ``history.history["loss"]`` holds the training loss of each epoch.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model, or an argument has the wrong type.
    ValueError
        If a size or rate is not > 0, ``verbose`` is not 0, 1 or 2, both
        ``clipnorm`` and ``global_clipnorm`` are given, or ``x`` and ``y``
        hold different numbers of examples.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model (e.g. from recurrent_model); got {type_name(model)}")
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    learning_rate = check_positive_number("learning_rate", learning_rate)
    if not isinstance(loss, str) and not callable(loss):
        raise TypeError(f"loss must be a Keras loss name such as 'mse' or a callable; got {type_name(loss)}")
    if isinstance(metrics, str) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics must be a list of metric names such as ['accuracy']; got {type_name(metrics)}")
    if validation_data is not None and (not isinstance(validation_data, tuple) or len(validation_data) not in (2, 3)):
        raise TypeError(f"validation_data must be None or a tuple (x_val, y_val); got {type_name(validation_data)}"
                        + (f" of length {len(validation_data)}" if isinstance(validation_data, tuple) else ""))
    if callbacks is not None:
        if isinstance(callbacks, (str, keras.callbacks.Callback)) or not isinstance(callbacks, Sequence):
            raise TypeError(f"callbacks must be None or a list of keras.callbacks.Callback; got {type_name(callbacks)}")
        for cb in callbacks:
            if not isinstance(cb, keras.callbacks.Callback):
                raise TypeError(f"callbacks must hold keras.callbacks.Callback objects; got {type_name(cb)}")
        callbacks = list(callbacks)
    if clipnorm is not None:
        clipnorm = check_positive_number("clipnorm", clipnorm)
    if global_clipnorm is not None:
        global_clipnorm = check_positive_number("global_clipnorm", global_clipnorm)
        if clipnorm is not None:
            raise ValueError(f"give at most one of clipnorm and global_clipnorm; got clipnorm={clipnorm}, "
                             f"global_clipnorm={global_clipnorm}")
    shuffle = check_bool("shuffle", shuffle)
    jit_compile = check_bool("jit_compile", jit_compile)
    steps_per_execution = check_positive_int("steps_per_execution", steps_per_execution)
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0 (silent), 1 or 2; got {verbose!r}")
    n_x, n_y = _n_examples(x), _n_examples(y)
    if n_x is not None and n_y is not None and n_x != n_y:
        raise ValueError(f"x and y must hold the same number of examples; got {n_x} and {n_y}")

    opt = keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm, global_clipnorm=global_clipnorm)
    model.compile(optimizer=opt, loss=loss, metrics=list(metrics), jit_compile=jit_compile,
                  steps_per_execution=steps_per_execution)
    return _fit(model, x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                validation_data=validation_data, shuffle=shuffle, callbacks=callbacks)


def _fit(model, x, y, *, epochs, batch_size, verbose, validation_data, shuffle, callbacks):
    """The ``fit`` of :func:`train`, on a model it has compiled (also used to train a compiled model again)."""
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                     validation_data=validation_data, shuffle=shuffle, callbacks=callbacks)


def count_params(model) -> int:
    """The number of trainable weights of a Keras model."""
    return int(sum(int(w.numpy().size) for w in model.trainable_weights))


_MOVED = {
    "rnn_net": "rnnbook.models.rnn_net was replaced by rnnbook.models.recurrent_model(cell, units, *, steps, "
               "features=...), with cell names 'simple_rnn', 'lstm', 'gru'",
}


_MOVED["LayerNormSimpleRNNCell"] = "the custom Keras cells live in rnnbook.layers: use rnnbook.layers.LayerNormSimpleRNNCell"


def __getattr__(name: str):
    """A clear error for the names that moved, instead of a bare AttributeError."""
    if name in _MOVED:
        raise AttributeError(_MOVED[name])
    raise AttributeError(f"module 'rnnbook.models' has no attribute {name!r}")


# ------------------------------------------------------------------ chapter 7: regularised and convolutional models
def regularised_model(
    cell: str, units: int, *, steps: int | None, features: int, dropout: float = 0.0,
    recurrent_dropout: float = 0.0, output_dropout: float = 0.0, l2: float = 0.0,
    outputs: int = 1, seed: int | None = None,
):
    """:func:`recurrent_model`'s one-layer network with the usual regularisers switched on one by one.

    The layers: ``Input``; the recurrent layer (with ``dropout`` on its input
    and ``recurrent_dropout`` on its state); ``Dropout(output_dropout)`` on its
    output if asked; ``Dense(outputs)``.  ``l2`` adds the penalty
    ``l2 * sum(w**2)`` of the input, recurrent and output kernels to the loss.

    With every option at 0 the model is the one ``recurrent_model(cell, units,
    steps=steps, features=features, outputs=outputs)`` builds, and, for the same
    Keras seed, it starts from the same weights whatever the options: the
    layers are created in the same order (the ``Dropout`` layer last), so a
    comparison changes only the regulariser.

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
        The recurrent layer.
    units : int
        Its width (the size of h_t).
    steps : int or None
        Sequence length, or ``None`` for any length.
    features : int
        Features per step of the real-valued input [batch, steps, features].
    dropout : float in [0, 1)
        Keras's ``dropout``: the fraction of input features dropped.  Keras
        draws one mask per sequence and feature and keeps it for every step.
    recurrent_dropout : float in [0, 1)
        Keras's ``recurrent_dropout``: the fraction of h_{t-1} dropped before it
        meets U, again with one mask per sequence, the same at every step
        (Gal & Ghahramani 2016).
    output_dropout : float in [0, 1)
        A ``Dropout`` layer between the recurrent layer and the Dense head.
    l2 : float >= 0
        The L2 penalty factor of the kernels (0 for none).
    outputs : int
        Units of the Dense head (the forecast horizon for a multi-output model).
    seed : int or None
        Seed of the dropout masks (``None``: drawn from Keras's global seed).

    Returns
    -------
    keras.Sequential
        Uncompiled.

    Raises
    ------
    TypeError
        If a size is not an int or a rate is not a number.
    ValueError
        If ``cell`` is unknown, a size is < 1, a rate is outside [0, 1) or ``l2`` < 0.
    """
    from ._validate import check_number, check_seed

    _check_cell(cell)
    units = check_positive_int("units", units)
    if steps is not None:
        steps = check_positive_int("steps", steps)
    features = check_positive_int("features", features)
    rates = {
        name: check_number(name, value, 0, 1, high_open=True)
        for name, value in (
            ("dropout", dropout),
            ("recurrent_dropout", recurrent_dropout),
            ("output_dropout", output_dropout),
        )
    }
    l2 = check_number("l2", l2, 0)
    outputs = check_positive_int("outputs", outputs)
    if seed is not None:
        seed = check_seed("seed", seed)

    import keras

    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    layer_cls = getattr(keras.layers, _KERAS_LAYERS[cell])
    rnn = layer_cls(
        units,
        dropout=rates["dropout"],
        recurrent_dropout=rates["recurrent_dropout"],
        seed=seed,
        kernel_regularizer=reg,
        recurrent_regularizer=reg,
    )
    head = keras.layers.Dense(outputs, kernel_regularizer=reg)
    stack = [keras.Input((steps, features)), rnn]
    if rates["output_dropout"] > 0:
        # created after the head
        stack.append(keras.layers.Dropout(rates["output_dropout"], seed=seed))
    return keras.Sequential(stack + [head])


def receptive_field(kernel_size: int, dilations: Sequence[int], convs_per_block: int = 2) -> int:
    """How many past steps (the current one included) one output of a stack of causal convolutions sees.

    Each causal convolution of kernel size k and dilation d reaches (k - 1) d
    steps further back, so a stack of residual blocks, each with
    ``convs_per_block`` convolutions of dilation d_b, sees
    ``1 + convs_per_block * (k - 1) * sum(d_b)`` steps.

    Raises
    ------
    TypeError
        If a size is not an int, or ``dilations`` is not a sequence of ints.
    ValueError
        If a size is < 1 or ``dilations`` is empty.
    """
    kernel_size = check_positive_int("kernel_size", kernel_size)
    convs_per_block = check_positive_int("convs_per_block", convs_per_block)
    if isinstance(dilations, (str, bytes)) or not isinstance(dilations, Sequence) or not dilations:
        raise ValueError(f"dilations must be a non-empty sequence of ints >= 1, e.g. (1, 2, 4, 8); got {dilations!r}")
    dilations = [check_positive_int("dilation", d) for d in dilations]
    return 1 + convs_per_block * (kernel_size - 1) * sum(dilations)


def tcn_model(
    filters: int, *, steps: int | None, features: int, kernel_size: int = 2,
    dilations: Sequence[int] = (1, 2, 4, 8), outputs: int = 1,
    output_activation: str | None = None, return_sequences: bool = False,
):
    """A temporal convolutional network (Bai, Kolter & Koltun 2018): residual blocks of dilated causal convolutions.

    Each block b holds two ``Conv1D(filters, kernel_size, padding="causal",
    dilation_rate=d_b, activation="relu")`` layers; its input is added back
    to their output (through a 1x1 convolution when the widths differ) and a
    ReLU follows.  "Causal" padding pads on the left only, so the output at
    step t reads the input at steps <= t and never the future.  The head is
    ``Dense(outputs)`` on the last step (or on every step with
    ``return_sequences=True``).  Bai et al. also use weight normalisation and
    dropout inside each block; this small version leaves both out.

    Parameters
    ----------
    filters : int
        Channels of every convolution.
    steps : int or None
        Sequence length, or ``None`` for any length.
    features : int
        Features per step of the input [batch, steps, features].
    kernel_size : int
        Taps of each convolution (>= 2 to see the past at all).
    dilations : sequence of int
        One residual block per dilation; :func:`receptive_field` gives the steps one output sees.
    outputs : int
        Units of the Dense head.
    output_activation : str or None
        ``None`` for regression, ``"sigmoid"`` or ``"softmax"`` for classification.
    return_sequences : bool
        One output per step, [batch, steps, outputs], instead of [batch, outputs].

    Returns
    -------
    keras.Model
        Uncompiled.

    Raises
    ------
    TypeError
        If a size is not an int or a flag is not a bool.
    ValueError
        If a size is < 1, ``kernel_size`` < 2 or ``dilations`` is empty.
    """
    filters = check_positive_int("filters", filters)
    if steps is not None:
        steps = check_positive_int("steps", steps)
    features = check_positive_int("features", features)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    if kernel_size < 2:
        raise ValueError(
            "kernel_size must be >= 2 (a 1-tap convolution never sees the past); "
            f"got {kernel_size}"
        )
    receptive_field(kernel_size, dilations)  # validates the dilations
    outputs = check_positive_int("outputs", outputs)
    _check_activation("output_activation", output_activation)
    return_sequences = check_bool("return_sequences", return_sequences)

    import keras

    L = keras.layers
    inputs = keras.Input((steps, features))
    x = inputs
    for d in dilations:
        y = L.Conv1D(filters, kernel_size, padding="causal",
                     dilation_rate=int(d), activation="relu")(x)
        y = L.Conv1D(filters, kernel_size, padding="causal",
                     dilation_rate=int(d), activation="relu")(y)
        skip = x if x.shape[-1] == filters else L.Conv1D(filters, 1)(x)
        x = L.Activation("relu")(L.Add()([skip, y]))
    if not return_sequences:
        x = x[:, -1, :]  # the last step has seen the whole receptive field
    return keras.Model(inputs, L.Dense(outputs, activation=output_activation)(x))


# ------------------------------------------------------------------ chapters 10-12: generating sequences
_LM_CELLS = ("simple_rnn", "lstm", "gru")


def language_model(cell: str, vocab_size: int, units: int, *, embed_dim: int = 32,
                   stateful_batch: int | None = None):
    """A next-token model: token ids [batch, steps] -> logits [batch, steps, vocab_size].

    ``Embedding`` ("embedding"), one ``SimpleRNN``, ``LSTM`` or ``GRU`` returning every step
    ("recurrent"), and a ``Dense`` readout to one logit per token
    ("readout"; no softmax, so train it with
    ``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``).
    :func:`rnnbook.decoding.keras_step_fn` runs it one step at a time.

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
    vocab_size : int
        Number of distinct tokens (>= 2).
    units : int
        Size of the recurrent state.
    embed_dim : int
        Size of the token vectors.
    stateful_batch : int, optional
        If given, the model takes batches of exactly this many rows and the
        recurrent layer is ``stateful``: each call starts from the state the
        previous call ended in, row by row, until ``reset_state()``.  Its
        weights are those of the model built without it.

    Returns
    -------
    keras.Model
        Uncompiled, named ``"language_model"``.
    """
    if not isinstance(cell, str) or cell not in _LM_CELLS:
        raise ValueError(f"cell must be one of {_LM_CELLS}; got {cell!r}")
    vocab_size = check_positive_int("vocab_size", vocab_size)
    if vocab_size < 2:
        raise ValueError(f"vocab_size must be at least 2; got {vocab_size}")
    units = check_positive_int("units", units)
    embed_dim = check_positive_int("embed_dim", embed_dim)
    if stateful_batch is not None:
        stateful_batch = check_positive_int("stateful_batch", stateful_batch)
    import keras

    ids = keras.Input((None,), batch_size=stateful_batch, dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(ids)
    x = getattr(keras.layers, _KERAS_LAYERS[cell])(units, return_sequences=True, stateful=stateful_batch is not None,
                                                   name="recurrent")(x)
    return keras.Model(ids, keras.layers.Dense(vocab_size, name="readout")(x), name="language_model")


SEQ2SEQ_CONTEXTS = ("initial_state", "every_step", "attention")
ATTENTION_SCORES = ("additive", "dot")


def seq2seq_model(source_vocab: int, target_vocab: int, units: int, *, embed_dim: int = 32,
                  context: str = "every_step", attention_units: int | None = None,
                  score: str = "additive", bidirectional: bool = False):
    """A GRU encoder-decoder, trained with teacher forcing: three ways to pass the source on.

    Inputs ``[source [batch, source_steps], decoder_input [batch, target_steps]]``
    (the target shifted right behind BOS); output logits
    [batch, target_steps, target_vocab].  The encoder ("encoder") reads the
    embedded source ("source_embedding"); its last state c starts the decoder
    ("decoder"), which reads the embedded decoder input ("target_embedding");
    a Dense layer ("readout") gives the logits.  ``context`` says how the
    decoder sees the source:

    - ``"initial_state"``: only through its first state, c (Sutskever, Vinyals & Le 2014);
    - ``"every_step"``: c also enters every decoder step, next to the token, and
      the readout (Cho et al. 2014).  Still one fixed-size vector per source;
    - ``"attention"``: an attention layer ("attention") scores every encoder
      output against each decoder state (the source's padding, id 0, is masked
      out: it gets weight 0), and the readout sees the decoder state and that
      step's context vector (the context read after the decoder step, as in
      Luong, Pham & Manning 2015).  ``score="additive"`` is Bahdanau, Cho &
      Bengio's (2015) :class:`rnnbook.layers.AdditiveAttention`; ``"dot"`` is
      Luong et al.'s dot product, ``keras.layers.Attention()``, with no weights.

    Parameters
    ----------
    source_vocab, target_vocab : int
        Vocabulary sizes (>= 2).
    units : int
        Size of the encoder's and the decoder's GRU state.
    embed_dim : int
        Size of the token vectors of both embeddings.
    context : {"initial_state", "every_step", "attention"}
    attention_units : int, optional
        Size of the additive score's hidden layer (default ``units``).
    score : {"additive", "dot"}
        The attention score (``context="attention"`` only).
    bidirectional : bool
        With ``context="attention"``: a bidirectional encoder, as in Bahdanau
        et al.  A second GRU reads the source backwards; the memory is both
        directions' outputs side by side [batch, source_steps, 2 * units], and
        the decoder starts from the forward GRU's last state.  (The additive
        score only: a dot product needs memory and decoder state of one size.)

    Returns
    -------
    keras.Model
        Uncompiled, named ``"seq2seq_<context>"``.
    """
    sizes = {name: check_positive_int(name, v) for name, v in
             (("source_vocab", source_vocab), ("target_vocab", target_vocab), ("units", units),
              ("embed_dim", embed_dim))}
    for name in ("source_vocab", "target_vocab"):
        if sizes[name] < 2:
            raise ValueError(f"{name} must be at least 2; got {sizes[name]}")
    if not isinstance(context, str) or context not in SEQ2SEQ_CONTEXTS:
        raise ValueError(f"context must be one of {SEQ2SEQ_CONTEXTS}; got {context!r}")
    if not isinstance(score, str) or score not in ATTENTION_SCORES:
        raise ValueError(f"score must be one of {ATTENTION_SCORES}; got {score!r}")
    bidirectional = check_bool("bidirectional", bidirectional)
    if context != "attention" and (score != "additive" or bidirectional):
        raise ValueError(f"score and bidirectional apply to context='attention' only; got context={context!r} "
                         f"with score={score!r}, bidirectional={bidirectional}")
    if score == "dot" and bidirectional:
        raise ValueError("score='dot' needs memory and decoder state of one size; a bidirectional encoder's memory "
                         "is twice as wide: use score='additive' with bidirectional=True")
    attention_units = units if attention_units is None else check_positive_int("attention_units", attention_units)
    return _seq2seq(*sizes.values(), context, attention_units, score, bidirectional)


def _seq2seq(source_vocab, target_vocab, units, embed_dim, context, attention_units,
             score, bidirectional):
    import keras

    from .layers import AdditiveAttention

    L = keras.layers
    source = keras.Input((None,), dtype="int32", name="source")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    src = L.Embedding(source_vocab, embed_dim, name="source_embedding")(source)
    # memory: forward and backward outputs side by side; c: the forward state
    if bidirectional:
        memory, c, _ = L.Bidirectional(
            L.GRU(units, return_sequences=True, return_state=True),
            name="encoder")(src)
    else:
        memory, c = L.GRU(units, return_sequences=True, return_state=True,
                          name="encoder")(src)
    tgt = L.Embedding(target_vocab, embed_dim,
                      name="target_embedding")(decoder_input)
    if context == "every_step":   # c next to every token
        repeated = L.Lambda(
            lambda pair: keras.ops.repeat(pair[0][:, None, :],
                                          keras.ops.shape(pair[1])[1], axis=1),
            name="repeat_context")([c, tgt])
        tgt = L.Concatenate(name="token_and_context")([tgt, repeated])
    h = L.GRU(units, return_sequences=True, name="decoder")(tgt, initial_state=c)
    if context == "every_step":
        h = L.Concatenate(name="state_and_context")([h, repeated])
    elif context == "attention":
        # False at padding
        real = L.Lambda(lambda ids: keras.ops.not_equal(ids, 0),
                        name="source_mask")(source)
        if score == "additive":
            attended, _ = AdditiveAttention(attention_units,
                                            name="attention")(h, memory, real)
        else:
            attended, _ = L.Attention(name="attention")(
                [h, memory], mask=[None, real], return_attention_scores=True)
        h = L.Concatenate(name="state_and_context")([h, attended])
    logits = L.Dense(target_vocab, name="readout")(h)
    return keras.Model([source, decoder_input], logits, name=f"seq2seq_{context}")


def model_kind(model) -> str | None:
    """``"language_model"``, ``"seq2seq"`` (with or without attention) or ``None``, from the model's layers."""
    try:
        names = {layer.name for layer in model.layers}
    except AttributeError:
        return None
    if {"embedding", "recurrent", "readout"} <= names:
        return "language_model"
    if {"source_embedding", "encoder", "target_embedding", "decoder", "readout"} <= names:
        return "seq2seq"
    return None
