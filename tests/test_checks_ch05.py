"""Chapter 5's checks accept the solutions and reject plausible wrong answers with a specific message."""
import numpy as np
import pytest

from rnnbook import cells, checks


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
    c_t = f * c_prev + i * np.tanh(z_c)
    return o * np.tanh(c_t), c_t


def variant(order="ifco", cand=np.tanh, out=np.tanh, forget=True, swap=False, only_h=False):
    def step(x_t, h_prev, c_prev, W, U, b):
        z = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
        i, f, o = cells.sigmoid(z["i"]), cells.sigmoid(z["f"]), cells.sigmoid(z["o"])
        c_t = (f if forget else 1.0) * c_prev + i * cand(z["c"])
        h_t = o * out(c_t)
        if only_h:
            return h_t
        return (c_t, h_t) if swap else (h_t, c_t)
    return step


def test_lstm_step_accepts_solution_and_library_cell():
    assert run(checks.lstm_step, good_step)[0]
    assert run(checks.lstm_step, lambda *a: cells.lstm_step(*a)[:2])[0]


@pytest.mark.parametrize("wrong, hint", [
    (variant(order="fico"), "wrong gate order"),
    (variant(order="ifoc"), "wrong gate order"),
    (variant(cand=cells.sigmoid), "uses tanh, not sigmoid"),
    (variant(out=lambda c: c), "squash the cell state"),
    (variant(forget=False), "multiplied by the forget gate"),
    (variant(swap=True), "h_t first"),
    (variant(only_h=True), "return both states"),
    (lambda *a: None, "forget a `return`"),
    (lambda *a: np.zeros((2, 9, 9)), "shape"),
])
def test_lstm_step_rejects_with_hints(wrong, hint):
    result, msg = run(checks.lstm_step, wrong)
    assert not result and hint in msg and "Traceback" not in msg
