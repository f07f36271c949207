"""Chapter 11 checks accept the solutions and reject plausible mistakes with specific hints."""
import numpy as np
import pytest

from rnnbook import checks, text
from rnnbook.checks import _core


def run(check, fn):
    result = check(fn, quiet=True)
    return result, str(result)


def teacher_forcing_arrays(target_ids, bos, eos, length):
    n = len(target_ids)
    decoder_input, target = np.zeros((n, length), dtype=int), np.zeros((n, length), dtype=int)
    for i, ids in enumerate(target_ids):
        decoder_input[i, :len(ids) + 1] = [bos] + list(ids)
        target[i, :len(ids) + 1] = list(ids) + [eos]
    return decoder_input, target


def via_encode_pairs(target_ids, bos, eos, length):
    """The package's encode_pairs, on a vocabulary whose ids are the given ones (BOS 2 and EOS 3 only)."""
    itos = list(text.SEQ2SEQ_SPECIALS) + [chr(ord("a") + k) for k in range(20)]
    vocab = text.Vocabulary(itos[4:], specials=text.SEQ2SEQ_SPECIALS)
    vocab.itos, vocab.stoi = itos, {s: i for i, s in enumerate(itos)}
    pairs = [("x", "".join(itos[i] for i in ids)) for ids in target_ids]
    arrays = text.encode_pairs(pairs, vocab, vocab, source_length=1, target_length=length)
    return arrays.decoder_input, arrays.target


def per_position_accuracy(predictions, truths):
    length = len(truths[0])
    return np.array([np.mean([len(p) > k and p[k] == t[k] for p, t in zip(predictions, truths)])
                     for k in range(length)])


def test_references_pass():
    assert run(checks.teacher_forcing_arrays, teacher_forcing_arrays)[0]
    assert run(checks.per_position_accuracy, per_position_accuracy)[0]


def test_the_package_agrees_with_the_check_where_it_applies():
    """encode_pairs builds the same arrays (on a case with BOS 2 and EOS 3)."""
    ours = teacher_forcing_arrays([[5, 6, 7], [8]], 2, 3, 5)
    package = via_encode_pairs([[5, 6, 7], [8]], 2, 3, 5)
    assert all(np.array_equal(a, b) for a, b in zip(ours, package))


def _left_padded(target_ids, bos, eos, length):
    dec, tgt = teacher_forcing_arrays(target_ids, bos, eos, length)
    for i, ids in enumerate(target_ids):
        used = len(ids) + 1
        dec[i] = np.roll(dec[i], length - used)
        tgt[i] = np.roll(tgt[i], length - used)
    return dec, tgt


def _eos_in_input(target_ids, bos, eos, length):
    dec, tgt = teacher_forcing_arrays(target_ids, bos, eos, length)
    for i, ids in enumerate(target_ids):
        if len(ids) + 1 < length:
            dec[i, len(ids) + 1] = eos
    return dec, tgt


def _no_bos(target_ids, bos, eos, length):
    dec, tgt = teacher_forcing_arrays(target_ids, bos, eos, length)
    dec = np.zeros_like(dec)
    for i, ids in enumerate(target_ids):
        dec[i, :len(ids)] = ids
    return dec, tgt


def _bos_in_target(target_ids, bos, eos, length):
    dec, _ = teacher_forcing_arrays(target_ids, bos, eos, length)
    return dec, dec.copy()


@pytest.mark.parametrize("wrong, hint", [
    (lambda *a: teacher_forcing_arrays(*a)[::-1], "swapped"),
    (_eos_in_input, "EOS belongs to the target"),
    (_no_bos, "start with BOS"),
    (_bos_in_target, "must not start with BOS"),
    (_left_padded, "RIGHT"),
    (lambda *a: teacher_forcing_arrays(*a)[0], "tuple (decoder_input, target)"),
    (lambda *a: tuple(x[:, :-1] for x in teacher_forcing_arrays(*a)), "`length` columns"),
    (lambda *a: (teacher_forcing_arrays(*a)[0], None), "target it is None"),
])
def test_teacher_forcing_mistakes(wrong, hint):
    result, msg = run(checks.teacher_forcing_arrays, wrong)
    assert not result and hint in msg, msg


def _lenient(predictions, truths):
    return np.array([np.mean([p[k] == t[k] for p, t in zip(predictions, truths) if len(p) > k] or [0.0])
                     for k in range(len(truths[0]))])


@pytest.mark.parametrize("wrong, hint", [
    (lambda p, t: 1.0 - per_position_accuracy(p, t), "error rate"),
    (lambda p, t: per_position_accuracy(p, t) * len(t), "divide the number"),
    (_lenient, "too short"),
    (lambda p, t: float(np.mean([a == b for a, b in zip(p, t)])), "exact-match"),
    (lambda p, t: per_position_accuracy(p, t)[:-1], "len(truths[0]) numbers"),
    (lambda p, t: True, "one accuracy per character position"),
])
def test_per_position_mistakes(wrong, hint):
    result, msg = run(checks.per_position_accuracy, wrong)
    assert not result and hint in msg, msg


def _mutating(predictions, truths):
    predictions.clear()
    truths.reverse()
    return [0.5]


def _loops(*args):
    while True:
        try:
            pass
        except Exception:  # noqa: BLE001
            pass


@pytest.mark.parametrize("check", [checks.teacher_forcing_arrays, checks.per_position_accuracy])
@pytest.mark.parametrize("hostile", [
    lambda *a: 1 / 0,
    lambda *a: None,
    lambda *a: "2026-11-21",
    lambda *a: np.full((2, 3), np.nan),
    lambda *a: object(),
    _mutating,
    lambda *a: exec("raise SystemExit(1)"),
])
def test_hostile_answers_do_not_crash(check, hostile):
    result, msg = run(check, hostile)
    assert not result and "\n" not in msg.strip().split("\n")[0]


def test_a_loop_is_stopped(monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.3)
    for check in (checks.teacher_forcing_arrays, checks.per_position_accuracy):
        result, msg = run(check, _loops)
        assert not result and "did not return" in msg, msg


def test_a_mutating_answer_does_not_change_the_cases():
    """A function that edits its inputs sees fresh copies: the right answer still passes afterwards."""
    run(checks.per_position_accuracy, _mutating)
    assert run(checks.per_position_accuracy, per_position_accuracy)[0]


def test_answers():
    assert checks.answer("ex11-1", 18816, quiet=True)
    assert "TWO bias" in str(checks.answer("ex11-1", 18624, quiet=True))
    assert "DECODER" in str(checks.answer("ex11-1", 31104, quiet=True))
    assert checks.answer("ex11-4", 0.99 ** 10, quiet=True)
    assert "all ten" in str(checks.answer("ex11-4", 0.99, quiet=True))
    assert "complement" in str(checks.answer("ex11-4", 1 - 0.99 ** 10, quiet=True))
