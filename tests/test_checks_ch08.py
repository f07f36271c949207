"""Chapter 8 checks accept the solutions and reject plausible mistakes with specific hints."""
import numpy as np
import pytest

from rnnbook import checks


def run(check, fn):
    result = check(fn, quiet=True)
    return result, str(result)


def encode_padded(token_lists, itos, steps):
    stoi = {t: i for i, t in enumerate(itos)}
    out = np.zeros((len(token_lists), steps), dtype=int)
    for row, tokens in enumerate(token_lists):
        ids = [stoi.get(t, stoi["<unk>"]) for t in tokens][:steps]
        out[row, :len(ids)] = ids
    return out


def test_references_pass():
    assert run(checks.encode_padded, encode_padded)[0]


def _left(token_lists, itos, steps):
    out = encode_padded(token_lists, itos, steps)
    return np.array([np.concatenate([row[row > 0][:0], np.zeros(steps - (row > 0).sum()), row[row > 0]])
                     for row in out])


@pytest.mark.parametrize("wrong, hint", [
    (lambda t, i, s: encode_padded(t, i + ["<x>"], s) * 0 + encode_padded(
        [[w if w in i else "<pad>" for w in r] for r in t], i, s), "not to the padding id 0"),
    (_left, "pad at the END"),
    (lambda t, i, s: encode_padded([r[-s:] for r in t], i, s), "keep its first"),
    (lambda t, i, s: encode_padded(t, i, s).T, "not [steps, batch]"),
])
def test_encode_padded_mistakes(wrong, hint):
    result, msg = run(checks.encode_padded, wrong)
    assert not result and hint in msg, msg


@pytest.mark.parametrize("label, value, ok, hint", [
    ("ex8-1", 1_024_000_000, True, None), ("ex8-1", 256_000_000, False, "4 bytes"),
    ("ex8-1", 2_048_000_000, False, "not 8"),
    ("ex8-2", 6, True, None), ("ex8-2", 4, False, "1 + aside + 1"), ("ex8-2", 5, False, "four words"),
    ("ex8-3", 2.5754, True, None), ("ex8-3", 2.8109, False, "without smoothing"),
    ("ex8-3", 1.1699, False, "gensim"),
])
def test_numeric_answers(label, value, ok, hint):
    result = checks.answer(label, value, quiet=True)
    assert bool(result) is ok, str(result)
    if hint:
        assert hint in str(result)
