"""Chapter 5's checks accept the solutions and reject plausible wrong answers with a specific message."""
import numpy as np
import pytest

from rnnbook import cells, checks
from rnnbook.cells import Step


def run(check, *args):
    result = check(*args, quiet=True)
    return result, str(result)


@pytest.mark.parametrize("exercise, good", [("ex5-1", 4 * 64 * (10 + 64 + 1)), ("ex5-2", 0.9 * 2.0 + 0.5 * -0.6),
                                            ("ex5-4", 0.95**60)])
def test_answers_accept_the_solution(exercise, good):
    result, msg = run(checks.answer, exercise, good)
    assert result and "correct" in msg


@pytest.mark.parametrize("exercise, wrong, hint", [
    ("ex5-1", 4800, "four blocks"),
    ("ex5-1", 18944, "bias vector"),
    ("ex5-1", 14400, "not three"),
    ("ex5-1", 10**6, "too large"),
    ("ex5-2", 1.2, "through the input gate"),
    ("ex5-2", 1.7, "scaled by the forget gate"),
    ("ex5-2", -0.1, "not by 1 - f"),
    ("ex5-2", float(np.tanh(1.5)), "no tanh"),
    ("ex5-4", 57.0, "multiply"),
    ("ex5-4", 0.95**59, "off by one"),
    ("ex5-4", 0.05**60, "not 1 - f"),
])
def test_answers_reject_with_hints(exercise, wrong, hint):
    result, msg = run(checks.answer, exercise, wrong)
    assert not result and hint in msg
    assert "19200" not in msg and "1.5" not in msg.replace("ex5-", "")


def good_step(x_t, h_prev, c_prev, W, U, b):
    z_i, z_f, z_c, z_o = np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)
    i, f, o = cells.sigmoid(z_i), cells.sigmoid(z_f), cells.sigmoid(z_o)
    c_cand = np.tanh(z_c)
    c_t = f * c_prev + i * c_cand
    h_t = o * np.tanh(c_t)
    return Step(h_t, (h_t, c_t), {"i": i, "f": f, "c": c_cand, "o": o})


def variant(order="ifco", cand=np.tanh, out=np.tanh, forget=True, swap=False):
    def step(x_t, h_prev, c_prev, W, U, b):
        z = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
        i, f, o = cells.sigmoid(z["i"]), cells.sigmoid(z["f"]), cells.sigmoid(z["o"])
        c_t = (f if forget else 1.0) * c_prev + i * cand(z["c"])
        h_t = o * out(c_t)
        return Step(h_t, (c_t, h_t) if swap else (h_t, c_t), {"i": i, "f": f, "c": cand(z["c"]), "o": o})
    return step


def with_gates(**changes):
    """The solution with some gate values replaced: changes maps a key to f(gates, pre-activations)."""
    def step(x_t, h_prev, c_prev, W, U, b):
        h, state, gates = good_step(x_t, h_prev, c_prev, W, U, b)
        pre = dict(zip("ifco", np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
        gates = dict(gates)
        for key, f in changes.items():
            gates[key] = f(gates, pre)
        return Step(h, state, gates)
    return step


def test_reference_matches_the_package_cell():
    from rnnbook.checks import ch05
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(3, 4)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5)),
            rng.normal(size=(4, 20)), rng.normal(size=(5, 20)), rng.normal(size=20))
    h, c, gates = ch05._variant(*args)
    step = cells.lstm_step(*args)
    np.testing.assert_allclose(step.h, h, rtol=1e-12)
    np.testing.assert_allclose(step.state[1], c, rtol=1e-12)
    for key in "ifco":
        np.testing.assert_allclose(step.gates[key], gates[key], rtol=1e-12)


def test_lstm_step_accepts_solution_and_library_cell():
    assert run(checks.lstm_step, good_step)[0]
    result, msg = run(checks.lstm_step, cells.lstm_step)
    assert result and msg == "✓ ex5-3: all 3 hidden cases pass."


@pytest.mark.parametrize("wrong, hint", [
    (variant(order="fico"), "wrong gate order"),
    (variant(order="ifoc"), "wrong gate order"),
    (variant(cand=cells.sigmoid), "uses tanh, not sigmoid"),
    (variant(out=lambda c: c), "squash the cell state"),
    (variant(forget=False), "multiplied by the forget gate"),
    (variant(swap=True), "h_t first"),
    (lambda *a: good_step(*a).h, "return a Step(h, state, gates), e.g. `return Step(h_t, (h_t, c_t), "),
    (lambda *a: good_step(*a)[:2], "a tuple of length 2"),
    (lambda *a: Step(good_step(*a).h, (good_step(*a).h,), good_step(*a).gates), "(h_t, c_t)"),
    (lambda *a: Step(good_step(*a).state[1], good_step(*a).state, good_step(*a).gates), "h holds c_t"),
    (lambda x, h, c, W, U, b: Step(good_step(x, h, c, W, U, b).h, (good_step(x, h, c, W, U, b).h, c),
                                   good_step(x, h, c, W, U, b).gates), "previous state"),
    (lambda *a: Step(good_step(*a).h, good_step(*a).state, {"i": 1}), "gates has no key 'f'"),
    (with_gates(i=lambda g, z: g["f"], f=lambda g, z: g["i"]), "belong under 'f'"),
    (with_gates(c=lambda g, z: g["i"] * g["c"]), "before the input gate multiplies it"),
    (with_gates(o=lambda g, z: z["o"]), "pre-activation z_o"),
    (lambda *a: None, "forget a `return`"),
    (lambda *a: Step(np.zeros((2, 9, 9)), (), {}), "shape"),
])
def test_lstm_step_rejects_with_hints(wrong, hint):
    result, msg = run(checks.lstm_step, wrong)
    assert not result and hint in msg and "Traceback" not in msg, msg


def test_lstm_h_right_c_wrong_names_c():
    def wrong_c(*a):
        h, (_, c), gates = good_step(*a)
        return Step(h, (h, c + 1), gates)
    result, msg = run(checks.lstm_step, wrong_c)
    assert not result and "state[1] (c_t): the shape is right but the values are not" in msg


def test_ex5_1_hints_name_the_missing_block(capsys):
    from rnnbook import checks

    assert not checks.answer("ex5-1", 4 * 64 * (64 + 1), quiet=True)  # W left out
    assert "input weights W are missing" in str(checks.answer("ex5-1", 16640, quiet=True))
    assert "recurrent weights U are missing" in str(checks.answer("ex5-1", 4 * 64 * (10 + 1), quiet=True))
