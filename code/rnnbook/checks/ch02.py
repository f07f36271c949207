"""Auto-checks of chapter 2, "Recurrent neurons and layers"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..cells import simple_rnn_forward
from ._core import CheckResult, StepSpec, register_answer, run_cases, run_step_cases

__all__ = ["rnn_step", "rnn_forward"]

register_answer("ex2-1", (64, 30, 32), "shape", wrong=(
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

    return run_step_cases("ex2-2", fn, cases, diagnose, quiet, _RNN_STEP)


# --------------------------------------------------------------------------- rnn_forward (ex2-3)
def _states(x, h0, W, U, b, *, carry=True, act=np.tanh, swap=False, same_x=False, backwards=False):
    """The states h_1..h_T [batch, steps, units] of a simple RNN, or of one of the plausible mistakes."""
    if swap:
        W, U = U, W
    h, out = h0, []
    order = range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])
    for t in order:
        x_t = x[:, 0] if same_x else x[:, t]
        h = act(x_t @ W + (h if carry else h0) @ U + b)
        out.append(h)
    return np.stack(out, axis=1)


def _forward_case(batch: int, steps: int, features: int, units: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features))
    h0 = rng.uniform(-0.9, 0.9, size=(batch, units))
    W = rng.normal(scale=0.6, size=(features, units))
    U = rng.normal(scale=0.6, size=(units, units))
    b = rng.normal(scale=0.4, size=units)
    expected, _ = simple_rnn_forward(x, W, U, b, h0=h0)
    return dict(label=f"batch={batch}, steps={steps}, features={features}, units={units}, non-zero h0",
                args=(x, h0, W, U, b), expected=expected,
                shape_desc=f"[batch, steps, units] = ({batch}, {steps}, {units})")


def rnn_forward(fn: Callable, *, quiet: bool = False) -> CheckResult:
    """Check ``fn(x, h0, W, U, b)`` -> every state of a simple RNN, [batch, steps, units].

        h_t = tanh(x_t W + h_{t-1} U + b),  t = 1..T, starting from the given h_0

    ``x`` is [batch, steps, features], ``h0`` [batch, units], ``W`` [features, units],
    ``U`` [units, units] and ``b`` [units].  The function returns the states after
    every step, h_1 .. h_T, stacked as [batch, steps, units] (``out[:, t]`` is the
    state after reading ``x[:, t]``), like ``cells.simple_rnn_forward`` and
    ``SimpleRNN(units, return_sequences=True)``; h_0 itself is not part of it.
    """
    # batch != steps in every case, so that [steps, batch, units] cannot pass by accident;
    # one case has a single step, one has features == units (W and U swapped has the right shape).
    cases = [_forward_case(2, 5, 3, 4, 80), _forward_case(3, 1, 2, 3, 81), _forward_case(4, 6, 3, 3, 82),
             _forward_case(1, 4, 1, 2, 83)]

    def diagnose(case, out, expected):
        x, h0, W, U, b = case["args"]
        batch, steps, _ = x.shape
        units = h0.shape[1]
        if out.shape != expected.shape:
            if out.shape == (batch, units):
                if np.allclose(out, expected[:, -1]):
                    return ("that is only the last state h_T; keep the state of every step and stack them "
                            "along axis 1: [batch, steps, units].")
                return "return the state of every step, stacked as [batch, steps, units], not one state."
            if out.shape == (steps, batch, units):
                return ("the axes are [steps, batch, units]; the book's order is [batch, steps, units]: "
                        "stack the states along axis 1 (np.stack(states, axis=1)).")
            if out.shape == (batch, steps + 1, units):
                return ("one state too many: the output holds h_1 .. h_T, the states after each step; "
                        "h0 is the starting point, not part of the output.")
            if out.shape == (batch, steps - 1, units):
                return "one state missing: there is one output state per step of x, h_1 .. h_T."
            return None
        if np.allclose(out, expected[:, ::-1]):
            return "the states are in reverse order: out[:, t] is the state after reading x[:, t]."
        forwards = "time runs forwards: read x[:, 0] first and x[:, -1] last."
        candidates = [
            (_states(x, np.zeros_like(h0), W, U, b), "did you start from zeros? The first step reads the given h0."),
            (np.concatenate([h0[:, None], expected[:, :-1]], axis=1),
             "off by one: out[:, t] is the state *after* step t; store the new state, not the one the step "
             "started from."),
            (_states(x, h0, W, U, b, carry=False), "carry the state: each step reads the state the previous step "
                                                    "produced, not h0."),
            (_states(x, h0, W, U, b, same_x=True), "every step reads its own input x[:, t], not x[:, 0]."),
            (_states(x, h0, W, U, b, backwards=True), forwards),
            (_states(x, h0, W, U, b, backwards=True)[:, ::-1], forwards),
            (_states(x, h0, W, U, b, act=lambda a: a),
             "did you forget the tanh? Each new state is tanh(x_t W + h_{t-1} U + b)."),
        ]
        if x.shape[2] == units:
            candidates.append((_states(x, h0, W, U, b, swap=True),
                               "W and U are swapped: x_t goes with W, h_{t-1} with U."))
        for value, hint in candidates:
            if value.shape == out.shape and np.allclose(out, value, rtol=1e-6, atol=1e-8):
                return hint
        return None

    return run_cases("ex2-3", fn, cases, diagnose, quiet)
