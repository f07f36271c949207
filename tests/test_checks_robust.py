"""The auto-checks cannot be fooled, broken or hung by a learner's function.

For every function check: the package's reference passes; plausible wrong
answers fail with their specific hint; and hostile answers (a scalar, None,
text, objects, NaN, inf, a huge array, an object whose ``__array__`` raises or
hangs, a function that raises, exits, edits its inputs in place or loops for
ever inside ``except Exception``) all end in a one-line failure message within
the time limit, never in an exception.  ``checks.answer`` never raises either.
"""
from __future__ import annotations

import signal
import sys
import time
from typing import NamedTuple

import numpy as np
import pytest

from rnnbook import benchmark, bptt, cells, checks, forecast, gradients
from rnnbook.cells import Step
from rnnbook.checks import _core

LIMIT = 0.5


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", LIMIT)


# --------------------------------------------------------------------------- references
def _masked_mean(x, mask):  # the package has no masked mean: the book's solution
    return (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)


def _step_backward(g, h, U):
    """The package's BPTT (cells.simple_rnn_backward) on one step whose output is h: the gradient to h_0."""
    batch, units = h.shape
    _, cache = cells.simple_rnn_forward(np.zeros((batch, 1, 1)), np.zeros((1, units)), U, np.zeros(units))
    cache["h"] = h[:, None, :]
    return cells.simple_rnn_backward(g[:, None, :], cache)["h0"]


def _tbptt_windows(T, k1, k2):  # the package only counts the steps (bptt.backward_steps) or draws them
    return np.array([(max(0, e - k2), e) for e in range(k1, T + 1, k1)])


def _rnn_forward(x, h0, W, U, b):
    return cells.simple_rnn_forward(x, W, U, b, h0=h0)[0]


def _gru_backward_step(dh, x_t, h_prev, W, U, b):
    """The package's BPTT (cells.gru_backward) on a one-step sequence that starts from h_prev."""
    _, cache = cells.gru_forward(x_t[:, None, :], W, U, b, h0=h_prev)
    g = cells.gru_backward(dh[:, None, :], cache)
    return g["x"][:, 0], g["h0"], g["kernel"], g["recurrent_kernel"], g["bias"]


def _lstm_backward_step(dh, dc, x_t, h_prev, c_prev, W, U, b):
    # cells.lstm_backward takes no gradient at the last c_t, so the reference is the check's own,
    # which tests/test_checks_ch05.py proves equal to cells.lstm_backward and to finite differences.
    return checks.ch05._lstm_grads(dh, dc, x_t, h_prev, c_prev, W, U, b)


def _steps(h):
    return Step(h, (h,), {})


REFERENCES = {
    "seasonal_naive": forecast.seasonal_naive_forecast,
    "masked_mean": _masked_mean,
    "rnn_step": cells.simple_rnn_step,
    "rnn_forward": _rnn_forward,
    "step_backward": _step_backward,
    "tbptt_windows": _tbptt_windows,
    "clip_global": gradients.clip_by_global_norm,
    "lstm_step": cells.lstm_step,
    "lstm_backward_step": _lstm_backward_step,
    "gru_step": cells.gru_step,
    "gru_backward_step": _gru_backward_step,
}

# The references of the hostile-answer tests (all fast: none needs Keras).
FAST = dict(REFERENCES)

#: The checks whose inputs include arrays (that a learner could edit in place).
ARRAY_INPUTS = ["seasonal_naive", "masked_mean", "rnn_step", "rnn_forward", "step_backward", "clip_global", "lstm_step",
                "lstm_backward_step", "gru_step", "gru_backward_step"]

#: The number of hidden cases of each check, as the notebooks print it.
N_CASES = {"seasonal_naive": 4, "masked_mean": 4, "rnn_step": 4, "rnn_forward": 4, "step_backward": 3,
           "tbptt_windows": 5, "clip_global": 3, "lstm_step": 3, "lstm_backward_step": 3, "gru_step": 3,
           "gru_backward_step": 3}
EXERCISE = {"seasonal_naive": "ex1-2", "masked_mean": "ex1-4", "rnn_step": "ex2-2", "rnn_forward": "ex2-3",
            "step_backward": "ex3-1", "tbptt_windows": "ex3-4", "clip_global": "ex4-3", "lstm_step": "ex5-2",
            "lstm_backward_step": "ex5-6", "gru_step": "ex6-1", "gru_backward_step": "ex6-6"}


# Chapter 7: the padded steps of sorted batches.
def _sorted_padded_steps(lengths, batch_size):
    ordered = np.sort(np.asarray(lengths, dtype=float))
    return float(sum(len(b) * b.max() for b in (ordered[i:i + batch_size] for i in range(0, len(ordered), batch_size))))


for _refs in (REFERENCES, FAST):
    _refs.update(sorted_padded_steps=_sorted_padded_steps)
ARRAY_INPUTS += ["sorted_padded_steps"]
N_CASES.update(sorted_padded_steps=4)
EXERCISE.update(sorted_padded_steps="ex7-4")


# Chapter 8: the padded encoding (its inputs are lists of str, not arrays).
def _encode_padded(token_lists, itos, steps):
    stoi = {t: i for i, t in enumerate(itos)}
    out = np.zeros((len(token_lists), steps))
    for row, tokens in enumerate(token_lists):
        ids = [stoi.get(t, 1) for t in tokens][:steps]
        out[row, :len(ids)] = ids
    return out


for _refs in (REFERENCES, FAST):
    _refs.update(encode_padded=_encode_padded)
N_CASES.update(encode_padded=5)
EXERCISE.update(encode_padded="ex8-4")


# Chapter 10: perplexity and the sampling distribution (temperature and top-k).
def _perplexity(log_probs, targets):
    return float(np.exp(-np.mean(log_probs[np.arange(len(targets)), targets])))


def _sampling_distribution(log_probs, temperature, top_k):
    logits = np.asarray(log_probs, dtype=float) / temperature
    if top_k is not None and top_k < len(logits):
        logits = np.where(logits >= np.sort(logits)[-top_k], logits, -np.inf)
    p = np.exp(logits - logits.max())
    return p / p.sum()


for _refs in (REFERENCES, FAST):
    _refs.update(perplexity=_perplexity, sampling_distribution=_sampling_distribution)
ARRAY_INPUTS += ["perplexity", "sampling_distribution"]
N_CASES.update(perplexity=4, sampling_distribution=7)
EXERCISE.update(perplexity="ex10-2", sampling_distribution="ex10-4")


# Chapter 11: the teacher-forcing arrays and per-position accuracy (their inputs are lists, not arrays).
def _teacher_forcing_arrays(target_ids, bos, eos, length):
    n = len(target_ids)
    decoder_input, target = np.zeros((n, length), dtype=int), np.zeros((n, length), dtype=int)
    for i, ids in enumerate(target_ids):
        decoder_input[i, :len(ids) + 1] = [bos] + list(ids)
        target[i, :len(ids) + 1] = list(ids) + [eos]
    return decoder_input, target


for _refs in (REFERENCES, FAST):
    _refs.update(teacher_forcing_arrays=_teacher_forcing_arrays, per_position_accuracy=benchmark.per_position_accuracy)
N_CASES.update(teacher_forcing_arrays=5, per_position_accuracy=5)
EXERCISE.update(teacher_forcing_arrays="ex11-2", per_position_accuracy="ex11-3")


# Chapter 12: one beam-search step and the attention softmax.
def _beam_step(scores, log_probs, width):
    totals = np.asarray(scores)[:, None] + np.asarray(log_probs)
    best = np.argsort(-totals, axis=None, kind="stable")[:width]
    rows, tokens = np.unravel_index(best, totals.shape)
    return rows, tokens, totals[rows, tokens]


def _unshifted_softmax(scores):   # the mistake: exp without subtracting the maximum overflows
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)


def _attention_weights(scores):
    z = np.asarray(scores, dtype=float)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


for _refs in (REFERENCES, FAST):
    _refs.update(beam_step=_beam_step, attention_weights=_attention_weights)
ARRAY_INPUTS += ["beam_step", "attention_weights"]
N_CASES.update(beam_step=4, attention_weights=4)
EXERCISE.update(beam_step="ex12-2", attention_weights="ex12-4")


def test_every_function_check_is_covered():
    import inspect
    found = {name for mod in (checks.ch01, checks.ch02, checks.ch03, checks.ch04, checks.ch05, checks.ch06,
                              checks.ch07, checks.ch08, checks.ch09, checks.ch10, checks.ch11,
                              checks.ch12)
             for name in mod.__all__ if inspect.isfunction(getattr(mod, name))}
    assert found == set(REFERENCES)


def run(name, fn):
    result = getattr(checks, name)(fn, quiet=True)
    return result, str(result)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_package_reference_passes_its_check(name):
    result, msg = run(name, REFERENCES[name])
    assert result.passed, msg
    assert msg == f"✓ {EXERCISE[name]}: all {N_CASES[name]} hidden cases pass."


def test_windows_reference_agrees_with_the_package_count():
    for T, k1, k2 in [(20, 5, 5), (20, 4, 10), (23, 5, 8), (12, 1, 3)]:
        w = _tbptt_windows(T, k1, k2)
        assert int((w[:, 1] - w[:, 0]).sum()) == bptt.backward_steps(T, k1, k2)


# --------------------------------------------------------------------------- plausible mistakes
def _lstm_wrong(order="ifco", cand=np.tanh):
    def step(x_t, h_prev, c_prev, W, U, b):
        z = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=-1)))
        i, f, o = cells.sigmoid(z["i"]), cells.sigmoid(z["f"]), cells.sigmoid(z["o"])
        c_t = f * c_prev + i * cand(z["c"])
        h_t = o * np.tanh(c_t)
        return Step(h_t, (h_t, c_t), {"i": i, "f": f, "c": cand(z["c"]), "o": o})
    return step


def _gru_wrong(**kwargs):
    def step(x, h, W, U, b):
        h_t, gates, _ = checks.ch06._variant(x, h, W, U, b, full=True, **kwargs)
        return Step(h_t, (h_t,), gates)
    return step


MISTAKES = [
    ("seasonal_naive", lambda s, start, p: s[start - 1:len(s) - 1], "plain naive forecast"),
    ("seasonal_naive", lambda s, start, p: s[start:], "values to be forecast themselves"),
    ("masked_mean", lambda x, m: x.mean(axis=1), "divided by the padded length"),
    ("masked_mean", lambda x, m: x.mean(axis=0), "averaged over the batch"),
    ("rnn_step", lambda x, h, W, U, b: _steps(x @ W + h @ U + b), "forget the tanh"),
    ("rnn_step", lambda x, h, W, U, b: _steps(np.tanh(x @ U + h @ W + b)), "swapped"),
    ("rnn_forward", lambda x, h0, W, U, b: _rnn_forward(x, h0, W, U, b)[:, -1], "only the last state"),
    ("rnn_forward", lambda x, h0, W, U, b: _rnn_forward(x, np.zeros_like(h0), W, U, b), "start from zeros"),
    ("step_backward", lambda g, h, U: g @ U.T, "forgot the tanh derivative"),
    ("step_backward", lambda g, h, U: (g * (1 - h**2)) @ U, "not U"),
    ("tbptt_windows", lambda T, k1, k2: np.array([(e - k2, e) for e in range(k1, T + 1, k1)]), "clip the start"),
    ("tbptt_windows", lambda T, k1, k2: _tbptt_windows(T, k1, k2).T, "one row per update"),
    ("clip_global", lambda g, m: [np.clip(a, -m, m) for a in g], "clipping by value"),
    ("clip_global", lambda g, m: [a * m / max(np.linalg.norm(a), m) for a in g], "each array by its own norm"),
    ("lstm_step", _lstm_wrong(order="fico"), "wrong gate order"),
    ("lstm_step", _lstm_wrong(cand=cells.sigmoid), "uses tanh, not sigmoid"),
    ("lstm_backward_step", lambda *a: checks.ch05._lstm_grads(*a, dh_to_c=False), "you left out the second"),
    ("lstm_backward_step", lambda *a: checks.ch05._lstm_grads(*a, dc_prev="k"), "missing the forget gate"),
    ("lstm_backward_step", lambda *a: checks.ch05._lstm_grads(*a, d_gate="tanh"), "are sigmoids"),
    ("gru_step", _gru_wrong(flip=True), "Chung et al.'s convention"),
    ("gru_step", _gru_wrong(rec_bias=False), "recurrent bias row"),
    ("gru_backward_step", lambda *a: checks.ch06._gru_grads(*a, direct=False), "also uses h_{t-1} directly"),
    ("gru_backward_step", lambda *a: checks.ch06._gru_grads(*a, r_rec=False), "da_h * r"),
]
MISTAKES += [
    ("sorted_padded_steps", lambda L, bs: float(np.sum(L)), "number of real steps"),
    ("sorted_padded_steps", lambda L, bs: len(L) * float(np.max(L)), "longest sequence of the whole set"),
]
MISTAKES += [
    ("encode_padded", lambda t, i, s: _encode_padded([r[-s:] for r in t], i, s), "keep its first"),
    ("encode_padded", lambda t, i, s: _encode_padded(t, i, s).T, "not [steps, batch]"),
]
MISTAKES += [
]
MISTAKES += [
    ("perplexity", lambda lp, t: float(-np.mean(lp[np.arange(len(t)), t])), "the loss in nats per token"),
    ("perplexity", lambda lp, t: float(np.exp(-np.sum(lp[np.arange(len(t)), t]))), "a mean, not a sum"),
    ("sampling_distribution", lambda lp, T, k: _sampling_distribution(lp * T * T, T, k), "multiplying inverts"),
    ("sampling_distribution", lambda lp, T, k: _sampling_distribution(lp, T, None), "top-k is ignored"),
    ("teacher_forcing_arrays", lambda ids, b, e, n: _teacher_forcing_arrays(ids, b, e, n)[::-1], "swapped them"),
    ("teacher_forcing_arrays", lambda ids, b, e, n: (_teacher_forcing_arrays(ids, b, e, n)[0],
                                                     _teacher_forcing_arrays(ids, b, e, n)[0]),
     "must not start with BOS"),
    ("per_position_accuracy", lambda p, t: 1.0 - benchmark.per_position_accuracy(p, t), "error rate"),
    ("per_position_accuracy", lambda p, t: benchmark.per_position_accuracy(p, t) * len(t), "divide the number"),
    ("beam_step", lambda s, lp, w: tuple(a[::-1] for a in _beam_step(s, lp, w)), "best first"),
    ("beam_step", lambda s, lp, w: _beam_step(s, lp, w)[:2] + (np.asarray(lp)[_beam_step(s, lp, w)[:2]],),
     "not the last token's"),
    ("attention_weights", lambda e: _unshifted_softmax(e), "NaN"),
    ("attention_weights", lambda e: _attention_weights(np.asarray(e).T).T, "not over the queries"),
]


def test_every_check_has_two_mistakes():
    counts = {name: sum(1 for n, _, _ in MISTAKES if n == name) for name in REFERENCES}
    assert min(counts.values()) >= 2, counts


@pytest.mark.parametrize("name, wrong, hint", MISTAKES)
def test_plausible_mistakes_get_their_hint(name, wrong, hint):
    result, msg = run(name, wrong)
    assert not result and hint in msg, msg


def _scribble(args):
    """Edit every array of the arguments in place (also inside lists)."""
    for a in args:
        if isinstance(a, np.ndarray):
            a *= 7 if a.dtype.kind in "iu" else 7.0   # integer inputs (token ids) are scribbled as integers
            a += 1
        elif isinstance(a, list):
            _scribble(a)


@pytest.mark.parametrize("name, wrong, hint", [m for m in MISTAKES if m[0] in ARRAY_INPUTS])
def test_hints_read_pristine_copies_even_if_the_inputs_were_edited(name, wrong, hint):
    def wrong_and_scribbles(*args):
        out = wrong(*args)
        out = _map_arrays(out, np.array)  # own the output before editing the inputs
        _scribble(args)
        return out
    result, msg = run(name, wrong_and_scribbles)
    assert not result and hint in msg, msg
    assert "changed its input arrays in place" in msg


# --------------------------------------------------------------------------- hostile answers
def _map_arrays(out, f):
    """``out`` with every array or number inside (tuples, lists, dicts, NamedTuples) replaced by f(array)."""
    if isinstance(out, tuple) and hasattr(out, "_fields"):
        return type(out)(*[_map_arrays(v, f) for v in out])
    if isinstance(out, (tuple, list)):
        return type(out)(_map_arrays(v, f) for v in out)
    if isinstance(out, dict):
        return {k: _map_arrays(v, f) for k, v in out.items()}
    return f(np.asarray(out, dtype=float))


def _zero(args):
    for a in args:
        if isinstance(a, np.ndarray):
            a[...] = 0
        elif isinstance(a, list):
            _zero(a)


class ArrayRaises:
    def __array__(self, *a, **k):
        raise RuntimeError("no array for you")


class ArrayHangs:
    def __array__(self, *a, **k):
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001 -- the point of the test
                pass


class EqRaises:
    def __eq__(self, other):
        raise RuntimeError("no comparison")

    __hash__ = object.__hash__


class FloatRaises:
    def __float__(self):
        raise RuntimeError("no float")


class LenRaises(tuple):
    def __len__(self):
        raise RuntimeError("no length")


class StrRaises(Exception):
    def __str__(self):
        raise RuntimeError("no message")


def _forever_catching_exception(*args):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001 -- the point of the test
            pass


def _forever_busy(*args):
    n = 0
    while True:
        try:
            n += 1
        except Exception:  # noqa: BLE001
            pass


def _raise(exc):
    def fn(*args):
        raise exc
    return fn


def _recurse(*args):
    return _recurse(*args)


HOSTILE = {
    "scalar": lambda ref: (lambda *a: 3.0),
    "None": lambda ref: (lambda *a: None),
    "str": lambda ref: (lambda *a: "abc"),
    "bytes": lambda ref: (lambda *a: b"abc"),
    "str array": lambda ref: (lambda *a: _map_arrays(ref(*a), lambda x: x.astype(str))),
    "object array": lambda ref: (lambda *a: np.array([None, {}, "x"], dtype=object)),
    "dict": lambda ref: (lambda *a: {"h": 1.0}),
    "set": lambda ref: (lambda *a: {1.0, 2.0}),
    "ragged list": lambda ref: (lambda *a: [[1.0, 2.0], [3.0]]),
    "NaN": lambda ref: (lambda *a: _map_arrays(ref(*a), lambda x: np.full_like(x, np.nan))),
    "inf": lambda ref: (lambda *a: _map_arrays(ref(*a), lambda x: np.full_like(x, np.inf))),
    "complex": lambda ref: (lambda *a: _map_arrays(ref(*a), lambda x: x + 1j)),
    "generator": lambda ref: (lambda *a: (v for v in range(3))),
    "huge virtual array": lambda ref: (lambda *a: np.broadcast_to(0.0, (10**6, 10**6))),
    "big array": lambda ref: (lambda *a: np.zeros((2000, 2000))),
    "__array__ raises": lambda ref: (lambda *a: ArrayRaises()),
    "__array__ hangs": lambda ref: (lambda *a: ArrayHangs()),
    "__eq__ raises": lambda ref: (lambda *a: EqRaises()),
    "__float__ raises": lambda ref: (lambda *a: FloatRaises()),
    "__len__ raises": lambda ref: (lambda *a: LenRaises((1.0, 2.0, 3.0))),
    "weird Step fields": lambda ref: (lambda *a: (None, None, None)),
    "Step of objects": lambda ref: (lambda *a: Step(ArrayRaises(), (FloatRaises(),), {"z": EqRaises()})),
    "the function itself": lambda ref: (lambda *a: ref),
    "raises": lambda ref: (lambda *a: 1 / 0),
    "raises, __str__ raises": lambda ref: _raise(StrRaises()),
    "raises a long message": lambda ref: _raise(ValueError("line\n" * 10_000)),
    "raises a BaseException": lambda ref: _raise(GeneratorExit("stop")),
    "sys.exit": lambda ref: (lambda *a: sys.exit(3)),
    "wrong signature": lambda ref: (lambda: 0),
    "recursion": lambda ref: _recurse,
    "loop catching Exception": lambda ref: _forever_catching_exception,
    "busy loop catching Exception": lambda ref: _forever_busy,
    "zeroes inputs, returns zeros": lambda ref: (
        lambda *a: (lambda out: (_zero(a), _map_arrays(out, np.zeros_like))[1])(ref(*a))),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_hostile_answers_end_in_one_failure_line(name, kind, short_limit):
    fn = HOSTILE[kind](FAST[name])
    t0 = time.perf_counter()
    result, msg = run(name, fn)
    elapsed = time.perf_counter() - t0
    assert isinstance(result, checks.CheckResult) and not result.passed, msg
    assert msg.startswith(f"✗ {EXERCISE[name]}") and "\n" not in msg and "Traceback" not in msg, msg
    assert len(msg) < 1200, msg
    assert elapsed < LIMIT + 1, (elapsed, msg)


@pytest.mark.parametrize("name", ARRAY_INPUTS)
def test_zeroing_the_inputs_does_not_change_the_answer_key(name, short_limit):
    """The old exploit: zero the inputs in place, then answer for the zeroed inputs."""
    ref = FAST[name]

    def exploit(*args):
        _zero(args)
        with np.errstate(all="ignore"):
            return ref(*args)
    result, msg = run(name, exploit)
    assert not result, msg
    assert "changed its input arrays in place" in msg


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_inputs_are_fresh_writeable_copies(name, short_limit):
    """A correct function that works on its inputs in place passes: each call gets its own writeable copy."""
    ref = FAST[name]
    seen = []

    def in_place(*args):
        for a in args:
            if isinstance(a, np.ndarray):
                assert a.flags.writeable
                assert all(a is not s for s in seen)
                seen.append(a)
        out = _map_arrays(ref(*args), np.array)
        _scribble(args)  # edits after computing the answer do not matter
        return out
    result, msg = run(name, in_place)
    assert result, msg


@pytest.mark.parametrize("kind", ["loop catching Exception", "busy loop catching Exception"])
def test_time_limit_message(kind, short_limit):
    result, msg = run("rnn_step", HOSTILE[kind](None))
    assert not result and f"did not return within {LIMIT:g} s" in msg


def test_specific_messages(short_limit):
    assert "called exit()" in run("seasonal_naive", HOSTILE["sys.exit"](None))[1]
    assert "RecursionError" in run("masked_mean", _recurse)[1]
    assert "raised StrRaises" in run("masked_mean", _raise(StrRaises()))[1]
    assert "TypeError" in run("masked_mean", lambda: 0)[1]
    assert "reading your output took longer" in run("masked_mean", HOSTILE["__array__ hangs"](None))[1]
    assert "holds text" in run("masked_mean", HOSTILE["str array"](FAST["masked_mean"]))[1]
    assert "complex" in run("masked_mean", HOSTILE["complex"](FAST["masked_mean"]))[1]
    assert "iterator" in run("masked_mean", HOSTILE["generator"](None))[1]
    msg = run("masked_mean", HOSTILE["huge virtual array"](None))[1]
    assert "(1000000, 1000000)" in msg and "expected shape (2, 1)" in msg
    msg = run("seasonal_naive", lambda s, start, p: (None, None, None))[1]
    assert "not an array of numbers" in msg and "None" in msg and "NaN" not in msg
    msg = run("seasonal_naive", lambda s, start, p: 3.0)[1]
    assert "your output has shape (); expected shape (4,)" in msg


def test_keyboard_interrupt_goes_through(short_limit):
    with pytest.raises(KeyboardInterrupt):
        run("masked_mean", _raise(KeyboardInterrupt()))


def test_the_timer_and_handler_are_restored(short_limit):
    def handler(signum, frame):
        raise AssertionError("the outer timer fired")
    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100.0)
        run("rnn_step", _forever_catching_exception)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 95 < left <= 100
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _catches_the_timeout_once(*args):
    try:
        while True:
            pass
    except BaseException:  # noqa: BLE001 -- swallows the first alarm, then loops again
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001
                pass


def _loops_in_finally(*args):
    try:
        while True:
            pass
    finally:
        while True:
            pass


@pytest.mark.parametrize("stubborn", [_catches_the_timeout_once, _loops_in_finally])
def test_the_alarm_repeats_after_the_limit(stubborn, short_limit):
    old = signal.getsignal(signal.SIGALRM)
    t0 = time.perf_counter()
    result, msg = run("gru_step", stubborn)
    assert not result and "did not return within" in msg
    assert time.perf_counter() - t0 < LIMIT + 1
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is old


def test_timeout_is_a_base_exception():
    assert issubclass(checks.CheckTimeout, BaseException)
    assert not issubclass(checks.CheckTimeout, Exception)


# --------------------------------------------------------------------------- the frozen answer key
def test_cases_are_frozen_before_the_function_runs_and_hints_cannot_write():
    def diagnose(case, out, expected):
        case["args"][0][0] = 99.0  # our own bug: writes into the frozen case
        return "never shown"

    x = np.arange(3.0)
    cases = [dict(label="one", args=(x,), expected=x, shape_desc="[3]")]
    result = checks.run_cases("exX", lambda a: a * 2, cases, diagnose, quiet=True)
    assert not result and "compare your output with a small example" in str(result)
    assert x.tolist() == [0.0, 1.0, 2.0] and x.flags.writeable  # the caller's arrays are untouched


def test_a_crashing_diagnose_falls_back_to_the_generic_message():
    cases = [dict(label="one", args=(1,), expected=np.zeros(2), shape_desc="[2]")]
    result = checks.run_cases("exX", lambda a: np.ones(2), cases, lambda *a: 1 / 0, quiet=True)
    assert not result and "the shape is right but the values are not" in str(result)
    result = checks.run_cases("exX", lambda a: np.ones(3), cases, lambda *a: 1 / 0, quiet=True)
    assert not result and "your output has shape (3,); expected shape (2,) ([2])." in str(result)


# --------------------------------------------------------------------------- answer()
class IntSub(int):
    def __int__(self):
        raise RuntimeError("no int")

    def __index__(self):
        raise RuntimeError("no index")


class IntHangs(int):
    def __int__(self):
        return _forever_catching_exception()


class FloatSub(float):
    def __float__(self):
        raise RuntimeError("no float")


class ShapeRaises:
    @property
    def shape(self):
        raise RuntimeError("no shape")


class HashRaises:
    def __hash__(self):
        raise RuntimeError("no hash")


WEIRD_VALUES = [None, "1", b"1", {}, [], [1, "a"], (1.5, 2), object(), EqRaises(), FloatRaises(), IntSub(3),
                FloatSub(2.0), ShapeRaises(), float("inf"), float("nan"), 10**400, -(10**400), 1 + 2j,
                np.array([1, 2]), np.float64("nan"), (v for v in range(3)), ArrayRaises(), (IntSub(1), 2, 3),
                (IntHangs(1), 2, 3), IntHangs(5), LenRaises((1, 2, 3)), True, np.bool_(True), {1, 2}]


@pytest.mark.parametrize("value", WEIRD_VALUES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("exercise", checks.registered())
def test_answer_never_raises(exercise, value, short_limit):
    t0 = time.perf_counter()
    result = checks.answer(exercise, value, quiet=True)
    msg = str(result)
    assert not result and msg.startswith(f"✗ {exercise}") and "\n" not in msg, msg
    assert time.perf_counter() - t0 < LIMIT + 1.5


class StrSub(str):
    def __hash__(self):
        raise RuntimeError("no hash")

    def __eq__(self, other):
        raise RuntimeError("no comparison")


class Liar:
    @property
    def __class__(self):
        return str


@pytest.mark.parametrize("label", [None, 3, HashRaises(), ["ex1-1"], EqRaises(), "ex1-1 ", "", StrSub("ex9")])
def test_answer_with_a_weird_label(label):
    result = checks.answer(label, 1, quiet=True)
    assert not result and "no checked exercise" in str(result) and "\n" not in str(result)


def test_answer_with_a_str_subclass_label_and_a_lying_object():
    assert checks.answer(StrSub("ex1-3"), 298, quiet=True)
    result = checks.answer(Liar(), 1, quiet=True)
    assert not result and str(result).startswith("✗") and "\n" not in str(result)


# --------------------------------------------------------------------------- CheckResult.assert_passed
def test_assert_passed():
    assert checks.rnn_step(cells.simple_rnn_step, quiet=True).assert_passed() is None
    assert checks.answer("ex1-3", 298, quiet=True).assert_passed() is None
    failed = checks.answer("ex1-3", 299, quiet=True)
    with pytest.raises(AssertionError, match="off by one"):
        failed.assert_passed()
    with pytest.raises(AssertionError, match="ex2-2"):
        checks.rnn_step(lambda *a: None, quiet=True).assert_passed()


# --------------------------------------------------------------------------- the Step contract
class OtherTuple(NamedTuple):
    a: object
    b: object
    c: object


@pytest.mark.parametrize("name", ["rnn_step", "lstm_step", "gru_step"])
def test_step_checks_accept_any_three_sequence(name):
    ref = FAST[name]
    assert run(name, lambda *a: OtherTuple(*ref(*a)))[0]
    assert run(name, lambda *a: list(ref(*a)))[0]
    assert run(name, lambda *a: tuple(ref(*a)))[0]


@pytest.mark.parametrize("name, example", [
    ("rnn_step", "`return Step(h_t, (h_t,), {})`"),
    ("lstm_step", "`return Step(h_t, (h_t, c_t), {\"i\": i, \"f\": f, \"c\": c_cand, \"o\": o})`"),
    ("gru_step", "`return Step(h_t, (h_t,), {\"z\": z, \"r\": r, \"h\": h_cand})`"),
])
def test_step_checks_name_the_contract_for_a_bare_array(name, example):
    result, msg = run(name, lambda *a: FAST[name](*a).h)
    assert not result
    assert f"return a Step(h, state, gates), e.g. {example} — `from rnnbook.cells import Step`" in msg
    assert "its values of h_t are right" in msg


@pytest.mark.parametrize("name, key", [("lstm_step", "i"), ("lstm_step", "c"), ("gru_step", "z"), ("gru_step", "h")])
def test_step_checks_compare_every_gate(name, key):
    def wrong(*a):
        h, state, gates = FAST[name](*a)
        return Step(h, state, dict(gates, **{key: gates[key] + 0.1}))
    result, msg = run(name, wrong)
    assert not result and f"gates[{key!r}]" in msg and "the shape is right but the values are not" in msg
