"""Chapter 13 answers agree with the package that defines them, and plausible mistakes get their hints."""
import math

import pytest

from rnnbook import checks, data, text


def test_ex13_1_is_the_length_of_the_interpreted_command():
    n = len(data.scan_interpret("jump around left thrice and walk opposite right").split())
    assert checks.answer("ex13-1", n, quiet=True)
    result = checks.answer("ex13-1", 33, quiet=True)
    assert not result and "its own phrase" in str(result)


def test_ex13_3_is_the_brevity_penalty_corpus_bleu_applies():
    # a corpus of one hypothesis of 36 tokens, all of them right, against a reference of 48
    ref = " ".join(f"t{k}" for k in range(48))
    hyp = " ".join(ref.split()[:36])
    bp = text.corpus_bleu([hyp], [ref]) / 100          # every precision is 1, so BLEU is 100 * BP
    assert checks.answer("ex13-3", bp, quiet=True)
    wrong = checks.answer("ex13-3", math.exp(1 - 36 / 48), quiet=True)
    assert not wrong and "below 1" in str(wrong)


def test_ex13_5_counts_the_grammar_with_a_fifth_primitive(monkeypatch):
    monkeypatch.setitem(data._SCAN_PRIMITIVES, "swim", "I_SWIM")
    n = len(data.scan_commands())
    assert n == 30_381
    assert checks.answer("ex13-5", n, quiet=True)
    monkeypatch.delitem(data._SCAN_PRIMITIVES, "swim")
    result = checks.answer("ex13-5", len(data.scan_commands()), quiet=True)
    assert not result and "four-primitive" in str(result)


@pytest.mark.parametrize("label", ["ex13-1", "ex13-3", "ex13-5"])
def test_answers_survive_what_a_learner_can_write(label):
    for value in (None, "27", [27], float("nan"), object()):
        assert not checks.answer(label, value, quiet=True)
