"""The package behind chapters 10-12: dates, pair encoding, generation models, their NumPy decoders and protocols."""
from datetime import date

import numpy as np
import pytest

from rnnbook import benchmark, cells, data, decoding, models, text

keras = pytest.importorskip("keras")


# --------------------------------------------------------------------------- dates
def test_dates_are_correct_deterministic_and_cover_every_format():
    pairs = data.dates(600, seed=3)
    assert pairs == data.dates(600, seed=3)
    assert pairs != data.dates(600, seed=4)
    for written, iso in pairs:
        d = date.fromisoformat(iso)
        assert date(1950, 1, 1) <= d <= date(2049, 12, 31)
        assert written in {fmt(d) for fmt in data.DATE_FORMATS.values()}
    styles = {next(k for k, fmt in data.DATE_FORMATS.items() if fmt(date.fromisoformat(i)) == w) for w, i in pairs}
    assert len(styles) == len(data.DATE_FORMATS) == 12


def test_every_format_example_is_the_same_day():
    d = date(2026, 11, 21)
    for example, fmt in data.DATE_FORMATS.items():
        assert fmt(d) == example


def test_written_dates_are_unambiguous():
    # no two different days share a written form in any style
    days = [date.fromordinal(o) for o in range(date(1950, 1, 1).toordinal(), date(2049, 12, 31).toordinal() + 1)]
    for fmt in data.DATE_FORMATS.values():
        written = [fmt(d) for d in days]
        assert len(set(written)) == len(days)


def test_date_splits_never_share_a_day():
    split = data.date_splits()
    assert (len(split.train), len(split.val), len(split.test)) == (8000, 1000, 1000)
    days = [{iso for _, iso in part} for part in (split.train, split.val, split.test)]
    assert not days[0] & days[1] and not days[0] & days[2] and not days[1] & days[2]
    assert data.date_splits().test == split.test


@pytest.mark.parametrize("n, error", [(0, ValueError), (2.5, TypeError), ("3", TypeError)])
def test_dates_reject_bad_n(n, error):
    with pytest.raises(error, match="n"):
        data.dates(n)


# --------------------------------------------------------------------------- pairs
def vocabularies(pairs):
    src = text.Vocabulary([c for s, _ in pairs for c in s], specials=text.SEQ2SEQ_SPECIALS)
    tgt = text.Vocabulary([c for _, t in pairs for c in t], specials=text.SEQ2SEQ_SPECIALS)
    return src, tgt


def test_encode_pairs_layout():
    pairs = [("ab", "xyz"), ("abba", "y")]
    src, tgt = vocabularies(pairs)
    arr = text.encode_pairs(pairs, src, tgt, source_length=5, target_length=4)
    bos, eos = tgt.stoi["<bos>"], tgt.stoi["<eos>"]
    assert arr.source.shape == (2, 5) and arr.target.shape == (2, 4) and len(arr) == 2
    assert list(arr.source[0]) == [0, 0, 0] + src.encode(["a", "b"])          # padded on the left
    assert list(arr.decoder_input[0]) == [bos] + tgt.encode(list("xyz"))
    assert list(arr.target[0]) == tgt.encode(list("xyz")) + [eos]
    assert list(arr.target[1]) == tgt.encode(["y"]) + [eos, 0, 0]               # padded on the right
    assert list(arr.decoder_input[1, 1:]) == list(arr.target[1, :-1]) or arr.decoder_input[1, 2] == 0
    rev = text.encode_pairs(pairs, src, tgt, source_length=5, target_length=4, reverse_source=True)
    assert list(rev.source[1]) == [0] + src.encode(list("abba"))[::-1]


def test_encode_pairs_errors():
    pairs = [("abc", "xy")]
    src, tgt = vocabularies(pairs)
    with pytest.raises(ValueError, match="too long"):
        text.encode_pairs(pairs, src, tgt, source_length=2, target_length=5)
    with pytest.raises(ValueError, match="too long"):
        text.encode_pairs(pairs, src, tgt, source_length=5, target_length=2)
    with pytest.raises(TypeError, match="pairs"):
        text.encode_pairs("abc", src, tgt, source_length=5, target_length=5)
    with pytest.raises(TypeError, match=r"pairs\[0\]"):
        text.encode_pairs([("abc",)], src, tgt, source_length=5, target_length=5)
    with pytest.raises(ValueError, match="specials"):
        text.encode_pairs(pairs, text.Vocabulary(list("abc")), tgt, source_length=5, target_length=5)
    with pytest.raises(TypeError, match="Vocabulary"):
        text.encode_pairs(pairs, {"a": 1}, tgt, source_length=5, target_length=5)


# --------------------------------------------------------------------------- models and their NumPy decoders
def keras_log_probs(model, inputs):
    return keras.ops.convert_to_numpy(keras.ops.log_softmax(model(inputs), axis=-1)).astype(np.float64)


@pytest.mark.parametrize("cell", ["simple_rnn", "gru", "lstm"])
def test_language_model_step_fn_reproduces_keras(cell):
    keras.utils.set_random_seed(0)
    lm = models.language_model(cell, 11, 8, embed_dim=5)
    assert models.model_kind(lm) == "language_model"
    ids = np.random.default_rng(1).integers(0, 11, 9)
    ref = keras_log_probs(lm, ids[None])[0]
    np.testing.assert_allclose(decoding.KerasDecoder(lm).log_probs(ids), ref, atol=1e-5)
    # the lean loop over a long text computes the equations of rnnbook.cells, to rounding
    decoder = decoding.KerasDecoder(lm)
    forward = {"simple_rnn": cells.simple_rnn_forward, "gru": cells.gru_forward, "lstm": cells.lstm_forward}[cell]
    long_ids = np.random.default_rng(2).integers(0, 11, 300)
    np.testing.assert_allclose(decoder._states(long_ids), forward(decoder.embed[long_ids][None], *decoder.recurrent)[0][0],
                               rtol=0, atol=1e-12)
    step_fn, state = decoding.keras_step_fn(lm, ids[:4])      # reads 3 tokens, the 4th is fed next
    log_probs, _ = step_fn(ids[3:4], state)
    np.testing.assert_allclose(log_probs[0], ref[3], atol=1e-5)


@pytest.mark.parametrize("context", models.SEQ2SEQ_CONTEXTS)
def test_seq2seq_step_fn_reproduces_keras(context):
    keras.utils.set_random_seed(0)
    m = models.seq2seq_model(9, 7, 6, embed_dim=4, context=context)
    assert models.model_kind(m) == "seq2seq" and m.name == f"seq2seq_{context}"
    rng = np.random.default_rng(2)
    src, dec_in = rng.integers(0, 9, (2, 5)), rng.integers(0, 7, (2, 4))
    assert_steps_match_keras(m, src, dec_in)


def assert_steps_match_keras(m, src, dec_in):
    """The NumPy decoder, fed the decoder input token by token, gives Keras's teacher-forced log-probabilities."""
    ref = keras_log_probs(m, [src, dec_in])
    decoder = decoding.KerasDecoder(m)
    for i in range(len(src)):
        step_fn, state = decoder.start(src[i])
        for t in range(dec_in.shape[1]):
            log_probs, state = step_fn(dec_in[i, t:t + 1], state)
            np.testing.assert_allclose(log_probs[0], ref[i, t], atol=1e-5)
    return decoder


def test_attention_map_matches_the_keras_layer():
    keras.utils.set_random_seed(0)
    m = models.seq2seq_model(9, 7, 6, context="attention")
    alpha_model = keras.Model(m.inputs, m.get_layer("attention").output[1])
    src, tgt = np.array([[0, 3, 4, 5, 8]]), np.array([[4, 5, 6, 3]])
    dec_in = np.concatenate([[[2]], tgt[:, :-1]], axis=1)
    ref = keras.ops.convert_to_numpy(alpha_model([src, dec_in]))[0]
    alpha = decoding.KerasDecoder(m).attention_map(src[0], tgt[0], bos_id=2)
    np.testing.assert_allclose(alpha, ref, atol=1e-6)
    np.testing.assert_allclose(alpha.sum(1), 1.0, atol=1e-9)
    assert (alpha[:, 0] == 0).all() and (ref[:, 0] == 0).all()        # the padding (id 0) gets no weight
    with pytest.raises(TypeError, match="attention"):
        decoding.KerasDecoder(models.seq2seq_model(9, 7, 6)).attention_map(src[0], tgt[0], 2)


def test_model_builders_and_adapters_reject_bad_input():
    with pytest.raises(ValueError, match="cell"):
        models.language_model("rnn", 10, 4)
    with pytest.raises(ValueError, match="vocab_size"):
        models.language_model("gru", 1, 4)
    with pytest.raises(ValueError, match="context"):
        models.seq2seq_model(5, 5, 4, context="bahdanau")
    with pytest.raises(TypeError, match="units"):
        models.seq2seq_model(5, 5, 4.0)
    with pytest.raises(TypeError, match="language_model or seq2seq_model"):
        decoding.keras_step_fn(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
    lm = models.language_model("gru", 6, 4)
    with pytest.raises(ValueError, match=r"\[0, 6\)"):
        decoding.keras_step_fn(lm, [1, 7])
    with pytest.raises(TypeError, match="integer"):
        decoding.keras_step_fn(lm, [1.5, 2.0])
    with pytest.raises(ValueError, match="at least one"):
        decoding.keras_step_fn(models.seq2seq_model(5, 5, 4), [])


# --------------------------------------------------------------------------- protocols
def test_date_data_and_scoring():
    dates = benchmark.date_data()
    arr = dates.arrays["val"]
    assert arr.source.shape == (1000, benchmark.DATE_SOURCE_LENGTH)
    assert arr.target.shape == (1000, benchmark.DATE_TARGET_LENGTH)
    truth = [iso for _, iso in dates.pairs["val"]]
    assert benchmark.exact_match(truth, dates, "val") == 1.0
    assert benchmark.exact_match(truth[:-1] + ["1999-01-01x"], dates, "val") == pytest.approx(0.999)
    with pytest.raises(ValueError, match="one str per val date"):
        benchmark.exact_match(truth[:10], dates, "val")
    with pytest.raises(ValueError, match="part"):
        benchmark.exact_match(truth, dates, "dev")
    assert benchmark.date_data(reverse_source=True).arrays["val"].source.shape == arr.source.shape


def test_decode_dates_runs_greedy_and_beam_through_the_decoders():
    keras.utils.set_random_seed(0)
    dates = benchmark.date_data()
    model = benchmark.date_model("every_step", 8)
    greedy = benchmark.decode_dates(model, dates, "test")
    assert len(greedy) == 1000 and all(isinstance(a, str) for a in greedy)
    assert benchmark.decode_dates(model, dates, "test", beam_width=1) == greedy
    # an untrained model gets (almost) nothing right
    assert benchmark.exact_match(greedy, dates, "test") < 0.01
    with pytest.raises(TypeError, match="DateData"):
        benchmark.decode_dates(model, "dates")


def test_dates_task_is_a_task_for_compare_models():
    task = benchmark.dates_task()
    assert task.higher_is_better and task.epochs == benchmark.DATES_BUDGET["epochs"]
    assert len(task.x_train) == 2 and len(task.x_train[0]) == len(task.y_train) == 8000


def test_char_data_windows_and_scores():
    chars = benchmark.lee_char_data()
    assert chars.alphabet[-1] == benchmark.UNKNOWN_CHAR and len(chars.alphabet) == 55
    assert chars.decode(chars.encode("the cat")) == "the cat"
    x, y = benchmark.char_windows(np.arange(25), 6)
    assert x.shape == y.shape == (4, 6)
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ValueError, match="more than length"):
        benchmark.char_windows(np.arange(5), 6)
    with pytest.raises(TypeError, match="integer"):
        benchmark.char_windows(np.linspace(0, 1, 20), 3)
    keras.utils.set_random_seed(0)
    lm = models.language_model("gru", len(chars.alphabet), 8)
    ids = chars.val[:400]
    ref = keras_log_probs(lm, ids[None, :-1])[0]
    expected = -ref[np.arange(399), ids[1:]].mean()
    assert benchmark.nats_per_char(lm, ids) == pytest.approx(expected, abs=1e-5)
    assert abs(benchmark.nats_per_char(lm, ids) - np.log(55)) < 0.1     # untrained: about ln V
    with pytest.raises(TypeError, match="language_model"):
        benchmark.nats_per_char(benchmark.date_model(units=4), ids)


def test_encode_pairs_reads_token_lists_as_words():
    pairs = [("how are you".split(), "comment allez-vous".split())]
    src = text.Vocabulary(pairs[0][0], specials=text.SEQ2SEQ_SPECIALS)
    tgt = text.Vocabulary(pairs[0][1], specials=text.SEQ2SEQ_SPECIALS)
    arr = text.encode_pairs(pairs, src, tgt, source_length=4, target_length=3)
    assert list(arr.source[0]) == [0] + src.encode(["how", "are", "you"])
    assert list(arr.target[0]) == tgt.encode(["comment", "allez-vous"]) + [tgt.stoi["<eos>"]]
    with pytest.raises(TypeError, match="lists of str"):
        text.encode_pairs([(["how", 3], ["x"])], src, tgt, source_length=4, target_length=3)


def test_per_position_accuracy_counts_missing_characters_as_wrong():
    acc = benchmark.per_position_accuracy(["2026-11", "2001-02-04", "2001-02-031"], ["2026-11-21", "2001-02-03",
                                                                                   "2001-02-03"])
    np.testing.assert_allclose(acc, [1, 1, 1, 1, 1, 1, 1, 2 / 3, 2 / 3, 1 / 3])
    with pytest.raises(ValueError, match="one answer per truth"):
        benchmark.per_position_accuracy(["a"], ["a", "b"])
    with pytest.raises(TypeError, match="list of str"):
        benchmark.per_position_accuracy("abc", ["abc"])


def test_decode_dates_scores_are_the_answers_log_probabilities():
    keras.utils.set_random_seed(1)
    dates = benchmark.date_data()
    model = benchmark.date_model("attention", 8)
    answers, scores = benchmark.decode_dates(model, dates, "val", scores=True)
    assert len(answers) == len(scores) == 1000 and np.all(scores <= 0)
    beam_answers, beam_scores = benchmark.decode_dates(model, dates, "val", beam_width=1, length_penalty=1.0,
                                                       scores=True)     # the one-at-a-time beam path
    assert beam_answers == answers and np.all(beam_scores >= scores - 1e-9)   # divided by a length >= 1
    decoder = decoding.KerasDecoder(model)
    for i in range(5):
        step_fn, state = decoder.start(dates.arrays["val"].source[i])
        tokens, total = decoding.greedy_decode(step_fn, state, 2, 3, benchmark.DATE_TARGET_LENGTH)
        assert "".join(dates.target_vocab.itos[t] for t in tokens if t != 3) == answers[i]
        assert total == pytest.approx(scores[i], abs=1e-9)


def test_decode_dates_one_at_a_time_gives_the_batched_answers():
    keras.utils.set_random_seed(2)
    dates = benchmark.date_data()
    model = benchmark.date_model("every_step", 8)
    batched = benchmark.decode_dates(model, dates, "test", scores=True)
    single = benchmark.decode_dates(model, dates, "test", scores=True, batch=False)
    assert batched[0] == single[0]
    np.testing.assert_allclose(batched[1], single[1], atol=1e-9)
    with pytest.raises(TypeError, match="batch"):
        benchmark.decode_dates(model, dates, batch="no")


def test_attention_model_ignores_the_padding_entirely():
    # with the padding masked, more padding on the left changes nothing the decoder computes
    keras.utils.set_random_seed(3)
    m = models.seq2seq_model(9, 7, 6, context="attention")
    alpha_model = keras.Model(m.inputs, m.get_layer("attention").output[1])
    dec_in = np.array([[2, 4, 5]])
    short, padded = np.array([[3, 4, 5]]), np.array([[0, 0, 0, 0, 3, 4, 5]])
    a_short = keras.ops.convert_to_numpy(alpha_model([short, dec_in]))[0]
    a_padded = keras.ops.convert_to_numpy(alpha_model([padded, dec_in]))[0]
    assert (a_padded[:, :4] == 0).all()
    assert np.abs(a_padded[:, 4:].sum(1) - 1).max() < 1e-6
    # the encoder still reads the padding, so the weights on the real characters move a little, but stay a
    # distribution over them alone
    assert a_short.shape == (3, 3)
    decoder = decoding.KerasDecoder(m)
    assert decoder.source_mask(padded).tolist() == [[False] * 4 + [True] * 3]
    plain = decoding.KerasDecoder(models.seq2seq_model(9, 7, 6, context="every_step"))
    assert plain.source_mask(padded).all()               # a model without attention has nothing to mask
    # the NumPy decoder gives the padding no weight either, and agrees with Keras
    alpha = decoder.attention_map(padded[0], dec_in[0, 1:].tolist() + [3], bos_id=2)
    np.testing.assert_allclose(alpha, a_padded, atol=1e-6)


@pytest.mark.parametrize("options", [dict(score="dot"), dict(bidirectional=True)])
def test_attention_variants_step_fn_reproduces_keras(options):
    keras.utils.set_random_seed(5)
    m = models.seq2seq_model(9, 7, 6, embed_dim=4, context="attention", **options)
    rng = np.random.default_rng(6)
    src, dec_in = rng.integers(1, 9, (2, 6)), rng.integers(0, 7, (2, 4))
    src[0, :2] = 0                                               # padding on the left
    decoder = assert_steps_match_keras(m, src, dec_in)
    alpha_model = keras.Model(m.inputs, m.get_layer("attention").output[1])
    alpha = keras.ops.convert_to_numpy(alpha_model([src, dec_in]))
    assert (alpha[0, :, :2] == 0).all()
    np.testing.assert_allclose(decoder.attention_map(src[0], dec_in[0, 1:].tolist() + [3], 2), alpha[0], atol=1e-6)


def test_seq2seq_options_are_checked():
    with pytest.raises(ValueError, match="score must be one of"):
        models.seq2seq_model(9, 7, 6, context="attention", score="general")
    with pytest.raises(ValueError, match="context='attention' only"):
        models.seq2seq_model(9, 7, 6, bidirectional=True)
    with pytest.raises(ValueError, match="twice as wide"):
        models.seq2seq_model(9, 7, 6, context="attention", score="dot", bidirectional=True)
    with pytest.raises(TypeError, match="bidirectional"):
        models.seq2seq_model(9, 7, 6, context="attention", bidirectional=1)


def test_validation_only_hides_the_test_score():
    task = benchmark.validation_only(benchmark.dates_task())
    assert np.isnan(task.score(None)) and task.val_score is not None
    with pytest.raises(TypeError, match="Task"):
        benchmark.validation_only("dates")


def test_exposure_bias_counts_free_running_and_teacher_forced_errors():
    keras.utils.set_random_seed(0)
    model = benchmark.date_model("every_step", 8)            # untrained: plenty of mistakes
    dates = benchmark.first_dates(benchmark.date_data(), "val", 20)
    bias = benchmark.exposure_bias(model, dates, "val")
    assert set(bias) == {"teacher_forced", "free_running", "after_first_mistake", "after_first_mistake_forced",
                         "positions_after"}
    for key in ("teacher_forced", "free_running", "after_first_mistake", "after_first_mistake_forced"):
        assert 0 <= bias[key] <= 1
    # free running is greedy decoding: its errors are those of decode_dates
    answers = benchmark.decode_dates(model, dates, "val")
    truth = [iso for _, iso in dates.pairs["val"]]
    wrong = np.mean([[k >= len(a) or a[k] != t[k] for k in range(10)] for a, t in zip(answers, truth)])
    assert bias["free_running"] == pytest.approx(wrong)


def test_stream_windows_continue_each_row_in_the_next_batch():
    x, y = benchmark.stream_windows(np.arange(1001), 4, 10)
    assert x.shape == y.shape == (100, 10)
    np.testing.assert_array_equal(y, x + 1)
    # row r of batch i (rows i*4 .. i*4+3) starts where row r of batch i-1 ended
    np.testing.assert_array_equal(x[4:, 0], x[:-4, -1] + 1)
    assert sorted(x.ravel().tolist()) == list(range(1000))       # every character once
    with pytest.raises(ValueError, match="at least streams=8 windows"):
        benchmark.stream_windows(np.arange(50), 8, 10)


def test_stateful_language_model_carries_its_state_across_calls():
    keras.utils.set_random_seed(0)
    plain = models.language_model("gru", 7, 5)
    stateful = models.language_model("gru", 7, 5, stateful_batch=2)
    stateful.set_weights(plain.get_weights())
    ids = np.random.default_rng(0).integers(0, 7, (2, 20))
    whole = keras.ops.convert_to_numpy(plain(ids))
    halves = [keras.ops.convert_to_numpy(stateful(ids[:, :10])), keras.ops.convert_to_numpy(stateful(ids[:, 10:]))]
    np.testing.assert_allclose(np.concatenate(halves, axis=1), whole, atol=1e-5)
    stateful.get_layer("recurrent").reset_state()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(stateful(ids[:, :10])), whole[:, :10], atol=1e-5)
    with pytest.raises(ValueError, match="stateful_batch"):
        models.language_model("gru", 7, 5, stateful_batch=0)


def test_train_char_lm_carries_state_and_restores_the_best_epoch():
    full = benchmark.lee_char_data()
    small = benchmark.CharData(full.alphabet, full.train[:13_000], full.val[:500], full.test[:500])
    model, curve = benchmark.train_char_lm("gru", 8, seed=0, epochs=3, chars=small, carry_state=True,
                                           restore_best=True)
    assert models.model_kind(model) == "language_model" and not model.get_layer("recurrent").stateful
    vals = [v for _, _, v in curve]
    assert len(vals) == 3 and vals[-1] < np.log(55)
    assert benchmark.nats_per_char(model, small.val) == pytest.approx(min(vals), abs=1e-9)
    with pytest.raises(TypeError, match="carry_state"):
        benchmark.train_char_lm("gru", 8, epochs=1, chars=small, carry_state=1)


def test_restore_best_returns_the_weights_of_the_best_validation_epoch(monkeypatch):
    full = benchmark.lee_char_data()
    small = benchmark.CharData(full.alphabet, full.train[:6_500], full.val[:300], full.test[:300])
    seen, scripted = [], iter([2.0, 1.5, 1.8])          # epoch 2 is the best, not the last

    def scored(model, ids):
        seen.append([w.copy() for w in model.get_weights()])
        return next(scripted)

    monkeypatch.setattr(benchmark, "nats_per_char", scored)
    model, curve = benchmark.train_char_lm("gru", 4, seed=0, epochs=3, chars=small, restore_best=True)
    assert [v for _, _, v in curve] == [2.0, 1.5, 1.8]
    assert not np.array_equal(seen[1][0], seen[2][0])   # training moved the weights after epoch 2
    for got, best in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(got, best)
