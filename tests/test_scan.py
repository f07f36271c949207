"""SCAN generated from its grammar: the paper's sizes, its examples, and clear errors."""
import pytest

from rnnbook import data

L, R, J, W = "I_TURN_LEFT", "I_TURN_RIGHT", "I_JUMP", "I_WALK"


@pytest.mark.parametrize("command, actions", [
    # the examples of Lake & Baroni (2018), Figure 1
    ("jump", [J]),
    ("jump left", [L, J]),
    ("jump around right", [R, J] * 4),
    ("turn left twice", [L, L]),
    ("jump thrice", [J, J, J]),
    ("jump opposite left and walk thrice", [L, L, J, W, W, W]),
    ("jump opposite left after walk around left", [L, W] * 4 + [L, L, J]),
    # the rest of the interpretation
    ("turn opposite right", [R, R]),
    ("turn around left", [L] * 4),
    ("look after run twice", ["I_RUN", "I_RUN", "I_LOOK"]),
    ("walk opposite right thrice", [R, R, W] * 3),
])
def test_scan_interprets_the_papers_examples(command, actions):
    assert data.scan_interpret(command) == " ".join(actions)


def test_scan_has_the_datasets_sizes():
    commands = data.scan_commands()
    assert len(commands) == len(set(commands)) == 20_910
    train, test = data.scan("simple")
    assert (len(train), len(test)) == (16_728, 4_182)
    assert not {c for c, _ in train} & {c for c, _ in test}
    train, test = data.scan("length")
    assert (len(train), len(test)) == (16_990, 3_920)
    assert max(len(a.split()) for _, a in train) == 22
    assert min(len(a.split()) for _, a in test) == 24 and max(len(a.split()) for _, a in test) == 48
    train, test = data.scan("addprim_jump")
    assert len(test) == 7_706 and len(train) == 20_910 - 7_706
    assert ("jump", "I_JUMP") in train
    assert all("jump" not in c.split() for c, _ in train if c != "jump")
    assert all("jump" in c.split() and c != "jump" for c, _ in test)


def test_scan_seed_draws_the_simple_split_and_only_reorders_the_others():
    assert data.scan("simple", seed=0) == data.scan("simple", seed=0)
    a, b = data.scan("simple", seed=0), data.scan("simple", seed=1)
    assert set(a[1]) != set(b[1])
    c, d = data.scan("length", seed=0), data.scan("length", seed=1)
    assert c[1] != d[1] and set(c[1]) == set(d[1])


@pytest.mark.parametrize("command, part", [
    ("fly", "'fly'"), ("jump twice twice", "jump twice"), ("walk left around", "walk left around"),
    ("and", "nothing"), ("jump and", "nothing"),
])
def test_scan_rejects_commands_outside_the_grammar(command, part):
    with pytest.raises(ValueError, match="not a SCAN command") as info:
        data.scan_interpret(command)
    assert part in str(info.value)


def test_scan_rejects_bad_arguments():
    with pytest.raises(ValueError, match="split"):
        data.scan("random")
    with pytest.raises(TypeError):
        data.scan_interpret(3)
    with pytest.raises(ValueError):
        data.scan_interpret("")


def test_corpus_bleu_equals_sacrebleu():
    import sacrebleu

    from rnnbook import text

    train, test = data.scan("length")
    truth = [a for _, a in test[:300]]
    # hypotheses with every kind of damage: cut short, an action dropped, turns swapped, too long, perfect
    hyps = []
    for k, t in enumerate(truth):
        words = t.split()
        hyps.append(" ".join([words[: len(words) // 2], words[1:], [w.replace("LEFT", "RIGHT") for w in words],
                              words + words[:3], words][k % 5]))
    ours = text.corpus_bleu(hyps, truth)
    ref = sacrebleu.corpus_bleu(hyps, [truth], tokenize="none", smooth_method="none").score
    assert abs(ours - ref) < 1e-9 and 20 < ours < 95
    assert text.corpus_bleu(truth, truth) == pytest.approx(100.0)
    assert text.corpus_bleu(["I_WALK"], ["I_JUMP I_JUMP"]) == 0.0            # no match at all


def test_corpus_bleu_rejects_bad_input():
    from rnnbook import text

    with pytest.raises(ValueError, match="one reference per hypothesis"):
        text.corpus_bleu(["a"], ["a", "b"])
    with pytest.raises(TypeError, match="list of str"):
        text.corpus_bleu("a b", ["a b"])


def test_scan_data_holds_out_validation_and_encodes_words():
    from rnnbook import benchmark

    scan = benchmark.scan_data("length")
    assert {p: len(v) for p, v in scan.pairs.items()} == {"train": 16_990 - 1_699, "val": 1_699, "test": 3_920}
    assert not {c for c, _ in scan.pairs["val"]} & {c for c, _ in scan.pairs["train"]}
    a = scan.arrays["test"]
    assert a.source.shape == (3_920, benchmark.SCAN_SOURCE_LENGTH) and a.target.shape[1] == benchmark.SCAN_TARGET_LENGTH
    command, actions = scan.pairs["test"][0]
    words = [scan.source_vocab.itos[i] for i in a.source[0] if i]
    assert words == command.split()                                              # padded on the left
    eos = scan.target_vocab.stoi["<eos>"]
    row = list(a.target[0])
    assert [scan.target_vocab.itos[i] for i in row[:row.index(eos)]] == actions.split()
    assert set(row[row.index(eos) + 1:]) <= {0}                                  # padding after <eos>


def test_word_by_word_baseline_and_its_errors():
    from rnnbook import benchmark

    assert benchmark.scan_word_by_word("jump twice after walk left") == "I_JUMP I_WALK I_TURN_LEFT"
    assert benchmark.scan_word_by_word("turn around left") == "I_TURN_LEFT"
    with pytest.raises(ValueError):
        benchmark.scan_word_by_word("")


def test_scan_schedule_decays_from_the_budget_rate_to_nearly_zero():
    from rnnbook import benchmark

    (callback,) = benchmark.scan_callbacks()
    rates = [callback.schedule(e) for e in range(benchmark.SCAN_BUDGET["epochs"])]
    assert rates[0] == benchmark.SCAN_BUDGET["learning_rate"]
    assert all(a > b for a, b in zip(rates, rates[1:])) and rates[-1] < 0.01 * rates[0]


def test_masked_loss_ignores_the_padding_and_greedy_answers_decode_a_trained_step():
    import keras
    import numpy as np

    from rnnbook import benchmark, text

    target = np.array([[5, 3, 0, 0]])
    logits = np.random.default_rng(0).normal(size=(1, 4, 8)).astype("float32")
    masked = float(benchmark.masked_loss()(target, logits))
    changed = logits.copy()
    changed[0, 2:] = 100.0 * np.eye(8)[0]          # whatever the model says at the padding
    assert float(benchmark.masked_loss()(target, changed)) == pytest.approx(masked)
    full = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(target, changed))
    assert full < masked                           # an unmasked loss is diluted by the easy padding
    scan = benchmark.scan_data("simple")
    keras.utils.set_random_seed(0)
    model = benchmark.scan_model(8)
    val = scan.arrays["val"]
    five = text.PairArrays(val.source[:5], val.decoder_input[:5], val.target[:5])
    answers = benchmark.greedy_answers(model, five, scan.target_vocab)
    assert len(answers) == 5 and all(isinstance(a, str) for a in answers)
    assert all(w in scan.target_vocab.stoi for a in answers for w in a.split())


@pytest.mark.parametrize("seed", [0, 9])   # seed 9's shuffle puts "jump" among the first tenth
def test_scan_data_keeps_the_lone_jump_in_training_for_every_seed(seed):
    from rnnbook import benchmark

    train, _ = data.scan("addprim_jump", seed)
    held_first = any(c == "jump" for c, _ in train[: len(train) // 10])
    assert held_first == (seed == 9)
    scan = benchmark.scan_data("addprim_jump", seed)
    assert [a for c, a in scan.pairs["train"] if c == "jump"] == ["I_JUMP"]
    assert "jump" not in {c for c, _ in scan.pairs["val"]}
    assert len(scan.pairs["train"]) + len(scan.pairs["val"]) == 13_204
    assert "jump" in scan.source_vocab.stoi
