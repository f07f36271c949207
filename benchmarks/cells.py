"""NumPy cells (``rnnbook.cells``) against Keras layers: forward and backward time, and agreement.

For each cell the same weights run through the NumPy forward
(``cells.<cell>_forward(x, *layer.get_weights())``), the NumPy backward of the
loss ``sum(h * dh)``, the Keras layer's call and a ``tf.GradientTape`` of the
same loss, as chapters 2, 5 and 6 do.  Keras is timed eagerly (how the book
calls a layer) and inside ``tf.function`` (how ``model.fit`` runs it).
"""
from __future__ import annotations

import numpy as np

from .timing import Section, median_seconds

CELL_LAYERS = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
GRADIENTS = ("kernel", "recurrent_kernel", "bias", "x")


def _numpy_passes(cell: str):
    from rnnbook import cells

    return getattr(cells, f"{cell}_forward"), getattr(cells, f"{cell}_backward")


def compare_cell(cell: str, *, batch: int = 32, steps: int = 50, features: int = 16, units: int = 64,
                 repeats: int = 5, seed: int = 0) -> dict:
    """Time and compare one cell; returns seconds per call and the agreement of outputs and gradients.

    ``x`` is [batch, steps, features] in float32, the Keras layer's default;
    the NumPy cells compute in float64, so the differences are float32 rounding.
    """
    import keras
    import tensorflow as tf
    from rnnbook import gradients

    forward, backward = _numpy_passes(cell)
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    layer = getattr(keras.layers, CELL_LAYERS[cell])(units, return_sequences=True)
    h_keras = np.asarray(layer(x))
    weights = layer.get_weights()
    h_np, cache = forward(x, *weights)
    dh = rng.normal(size=h_np.shape)
    grads_np = backward(dh, cache)

    x_var, dh_tf = tf.Variable(x), tf.constant(dh, dtype=tf.float32)

    def tape_grads():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x_var) * dh_tf)
        return tape.gradient(loss, [*layer.trainable_weights, x_var])

    grads_tf = dict(zip(GRADIENTS, tape_grads()))
    compiled_forward, compiled_grads = tf.function(lambda: layer(x_var)), tf.function(tape_grads)

    def numpy_both():
        backward(dh, forward(x, *weights)[1])

    return {
        "cell": cell,
        "numpy_forward": median_seconds(lambda: forward(x, *weights), repeats),
        "numpy_forward_backward": median_seconds(numpy_both, repeats),
        "keras_forward": median_seconds(lambda: layer(x_var), repeats),
        "keras_forward_backward": median_seconds(tape_grads, repeats),
        "tf_function_forward": median_seconds(compiled_forward, repeats),
        "tf_function_forward_backward": median_seconds(compiled_grads, repeats),
        "max_abs_h_difference": float(np.abs(h_np - h_keras).max()),
        "max_gradient_relative_error": max(gradients.relative_error(grads_np[k], np.asarray(grads_tf[k]))
                                           for k in GRADIENTS),
    }


def run(cells=("simple_rnn", "lstm", "gru"), *, batch: int = 32, steps: int = 50, features: int = 16,
        units: int = 64, repeats: int = 5) -> Section:
    """The cells section: one row per (cell, implementation), times in milliseconds per call."""
    results = [compare_cell(c, batch=batch, steps=steps, features=features, units=units, repeats=repeats)
               for c in cells]
    rows = []
    for r in results:
        agree = [r["max_abs_h_difference"], r["max_gradient_relative_error"]]
        rows.append([f"{r['cell']}: NumPy (`rnnbook.cells`)", 1e3 * r["numpy_forward"],
                     1e3 * r["numpy_forward_backward"], "reference", "reference"])
        rows.append([f"{r['cell']}: Keras, eager", 1e3 * r["keras_forward"], 1e3 * r["keras_forward_backward"], *agree])
        rows.append([f"{r['cell']}: Keras, `tf.function`", 1e3 * r["tf_function_forward"],
                     1e3 * r["tf_function_forward_backward"], *agree])
    headers = ["cell: implementation", "forward (ms)", "forward + backward (ms)", "max |Δh| vs NumPy",
               "max gradient relative error"]
    notes = [(f"x: [batch {batch}, steps {steps}, features {features}], {units} units, float32 for Keras and "
              f"float64 in NumPy; loss sum(h ⊙ dh); median of {repeats} repeats after a warm-up call."),
             ("Backward on the Keras side is a `tf.GradientTape` of the same loss (forward included); "
              "the gradients compared are those of the kernel, recurrent kernel, bias and input. "
              "Tolerances in the chapters: 1e-5 for h, 1e-4 for the relative error of the gradients.")]
    return Section("cells", "NumPy cells against Keras layers", headers, rows, notes,
                   raw={"sizes": {"batch": batch, "steps": steps, "features": features, "units": units,
                             "repeats": repeats},
                        "results": results})
