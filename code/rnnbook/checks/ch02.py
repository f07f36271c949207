"""Auto-checks of chapter 2, "Recurrent neurons and layers"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, StepSpec, register_answer, run_cases, run_step_cases

__all__ = ["rnn_step", "count_rnn_params"]

register_answer("ex2-1", 32 * (10 + 32 + 1), "number", rtol=0.0, wrong=(
    (32 * (10 + 32), "you left out the bias: one per unit."),
    (32 * (10 + 1), "you left out the recurrent kernel U, which maps h_{t-1} (units values) to every unit."),
    (32 * 10, "that is the input kernel W alone; add the recurrent kernel U and the bias b."),
    (2 * 32 * (10 + 32 + 1), "that counts two layers (as in a Bidirectional wrapper); the question is about one SimpleRNN."),
    (10 * (10 + 32 + 1), "the number of rows of W is the features, but every count is per *unit*: multiply by units."),
))
register_answer("ex2-2", (64, 30, 32), "shape", wrong=(
    ((64, 32), "that is the output without return_sequences (the last state only); with it, every step is kept."),
    ((64, 30, 10), "the feature axis changes: a recurrent layer outputs one value per unit at each step."),
    ((30, 64, 32), "the batch comes first: [batch, steps, units]."),
    ((64, 32, 30), "the steps stay in the middle: [batch, steps, units]."),
))


# --------------------------------------------------------------------------- rnn_step
_RNN_STEP = StepSpec(cell="a SimpleRNN", example="return Step(h_t, (h_t,), {})", state_names=("h_t",), gates={})


def _rnn_case(batch: int, features: int, units: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    x_t = np.round(rng.normal(size=(batch, features)), 3)
    h_prev = np.round(rng.uniform(-0.9, 0.9, size=(batch, units)), 3)
    W = np.round(rng.normal(scale=0.5, size=(features, units)), 3)
    U = np.round(rng.normal(scale=0.5, size=(units, units)), 3)
    b = np.round(rng.normal(scale=0.5, size=units), 3)
    h_t = np.tanh(x_t @ W + h_prev @ U + b)
    return dict(label=f"batch={batch}, features={features}, units={units}",
                args=(x_t, h_prev, W, U, b), expected=(h_t, (h_t,), {}),
                shape_desc=f"[batch, units] = ({batch}, {units})")


def rnn_step(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(x_t, h_prev, W, U, b)`` -> ``Step(h, state, gates)``: one step of a simple RNN.

        h_t = tanh(x_t W + h_prev U + b)

    ``x_t`` is [batch, features], ``h_prev`` [batch, units], ``W`` [features, units],
    ``U`` [units, units] and ``b`` [units].  The function returns
    ``Step(h_t, (h_t,), {})`` (``from rnnbook.cells import Step``): the new output
    h_t [batch, units], the new state as a 1-tuple ``(h_t,)`` and no gates ``{}``.
    Any 3-sequence (h, state, gates) in that order is accepted.
    """
    # The first case is square (features == units), so that mixing up W and U, or
    # transposing a kernel, gives values of the right shape that can be diagnosed.
    cases = [_rnn_case(4, 5, 5, 0), _rnn_case(4, 3, 5, 1), _rnn_case(1, 2, 6, 2), _rnn_case(3, 7, 2, 3)]

    def diagnose(case, part, out, expected, parts):
        if part not in ("h", "state[0]"):
            return None
        x_t, h_prev, W, U, b = case["args"]
        batch, features = x_t.shape
        units = U.shape[0]
        if out.shape != expected.shape:
            if out.shape == (units, batch):
                return "your output is transposed: one row per sequence of the batch, one column per unit."
            if out.shape == (batch, features) or (out.ndim == 2 and out.shape[-1] == features):
                return (f"your output has one column per input feature ({features}); did you multiply by the "
                        "kernel's transpose? x_t [batch, features] @ W [features, units] gives [batch, units].")
            if out.ndim == 1:
                return "you reduced away an axis: keep one row per sequence and one column per unit."
            return None
        pre = x_t @ W + h_prev @ U + b
        candidates = [
            (h_prev, "that is h_prev, the previous state; "
                     + ("h" if part == "h" else "the state (h_t,)") + " holds the new state h_t."),
            (pre, "did you forget the tanh? The pre-activation must go through tanh."),
            (np.tanh(x_t @ W + h_prev @ U), "did you forget the bias b?"),
            (np.tanh(x_t @ W + b), "the previous state is missing: add h_prev @ U."),
            (np.tanh(h_prev @ U + b), "the input is missing: add x_t @ W."),
            (np.tanh(x_t @ W + h_prev + b), "h_prev must be multiplied by the recurrent kernel U, not added as it is."),
            (1 / (1 + np.exp(-pre)), "that is the sigmoid; a SimpleRNN uses tanh."),
            (np.maximum(pre, 0), "that is a ReLU; this cell uses tanh."),
        ]
        if features == units:
            candidates += [
                (np.tanh(x_t @ W + h_prev @ W + b), "did you use W for the recurrent term? h_prev is multiplied by U."),
                (np.tanh(x_t @ U + h_prev @ W + b), "W and U are swapped: x_t goes with W, h_prev with U."),
                (np.tanh(x_t @ W.T + h_prev @ U + b), "did you multiply by the kernel's transpose? Use x_t @ W."),
                (np.tanh(x_t @ W + h_prev @ U.T + b), "did you multiply by the recurrent kernel's transpose? Use h_prev @ U."),
                (np.tanh(x_t @ W.T + h_prev @ U.T + b), "did you transpose both kernels? Row vectors multiply from the left: x_t @ W, h_prev @ U."),
            ]
        for value, hint in candidates:
            if value.shape == out.shape and np.allclose(out, value, rtol=1e-6, atol=1e-8):
                return hint
        return None

    return run_step_cases("ex2-3", fn, cases, diagnose, quiet, _RNN_STEP)


# --------------------------------------------------------------------------- count_rnn_params
def count_rnn_params(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(features, units)``: the number of weights of one ``SimpleRNN(units)`` layer."""
    sizes = [(3, 5), (8, 64), (100, 16), (7, 2), (1, 1)]
    cases = [dict(label=f"features={f}, units={u}", args=(f, u), expected=np.array(u * (f + u + 1), dtype=float),
                  shape_desc="a single number") for f, u in sizes]

    def diagnose(case, out, expected):
        f, u = case["args"]
        if out.shape != ():
            return "return one number (an int), not a list or an array."
        value = float(out)
        known = [
            (u * (f + u), "did you forget the bias? Each unit has one."),
            (u * (f + 1), "the recurrent kernel U is missing: it maps the units previous values to every unit."),
            (u * f, "that is the input kernel W alone; add the recurrent kernel U and the bias b."),
            (f * (f + u + 1), "every weight belongs to one unit: multiply by units, not by features."),
            (u * (f + u + 2), "one bias per unit, not two (Keras's SimpleRNN has a single bias vector)."),
            (2 * u * (f + u + 1), "that counts two layers, as a Bidirectional wrapper would."),
        ]
        for wrong, hint in known:
            if np.isclose(value, wrong):
                return hint
        return None

    return run_cases("ex2-4", fn, cases, diagnose, quiet)
