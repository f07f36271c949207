"""Greedy decoding, beam search and sampling against brute force and hand-made models."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnbook import decoding

BOS, EOS = 0, 1


def tiny_rnn(vocab=4, units=3, seed=0, calls=None):
    """A random tiny RNN whose next-token distribution depends on the whole history.

    Its state is (h, history): ``history`` holds every token fed so far.  Mixing
    up state rows would change the scores, so the brute-force test catches it.
    """
    rng = np.random.default_rng(seed)
    E, A, B = rng.normal(size=(vocab, units)), rng.normal(size=(units, units)), 2 * rng.normal(size=(units, vocab))

    def step_fn(tokens, state):
        h, history = state
        assert tokens.ndim == 1 and len(tokens) == len(h) == len(history)
        if calls is not None:
            calls.append(len(tokens))
        h = np.tanh(h @ A + E[tokens])
        z = h @ B
        z = z - z.max(1, keepdims=True)
        return z - np.log(np.exp(z).sum(1, keepdims=True)), (h, np.concatenate([history, tokens[:, None]], 1))

    def start():
        return step_fn, (np.zeros((1, units)), np.array([[BOS]]))

    return start


def complete_sequences(vocab, max_len):
    """Every finished output: non-EOS tokens then EOS (shorter than max_len), or exactly max_len tokens."""
    body = [t for t in range(vocab) if t != EOS]
    for n in range(max_len):
        for prefix in itertools.product(body, repeat=n):
            yield list(prefix) + [EOS]
    for prefix in itertools.product(body, repeat=max_len - 1):
        for last in range(vocab):
            if last != EOS:
                yield list(prefix) + [last]


def brute_force(start, vocab, max_len, length_penalty=0.0):
    scored = []
    for seq in complete_sequences(vocab, max_len):
        step_fn, state = start()
        total = decoding.sequence_log_prob(step_fn, state, BOS, seq)
        scored.append((seq, total / len(seq) ** length_penalty))
    return sorted(scored, key=lambda s: -s[1])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("length_penalty", [0.0, 1.0])
def test_wide_beam_equals_brute_force(seed, length_penalty):
    vocab, max_len = 4, 4
    start = tiny_rnn(vocab, seed=seed)
    exact = brute_force(start, vocab, max_len, length_penalty)
    step_fn, state = start()
    beam = decoding.beam_search(step_fn, state, BOS, EOS, beam_width=vocab ** max_len, max_len=max_len,
                                length_penalty=length_penalty)
    assert [s for s, _ in beam] == [s for s, _ in exact][: len(beam)]
    np.testing.assert_allclose([v for _, v in beam], [v for _, v in exact][: len(beam)], atol=1e-12)
    assert len(beam) == len(exact)  # the beam this wide finds every finished sequence


def test_finished_hypotheses_follow_the_contract():
    start = tiny_rnn(5, seed=3)
    step_fn, state = start()
    beam = decoding.beam_search(step_fn, state, BOS, EOS, beam_width=6, max_len=5)
    assert 1 <= len(beam) <= 6
    scores = [s for _, s in beam]
    assert scores == sorted(scores, reverse=True)
    for tokens, score in beam:
        assert BOS not in tokens[:0]  # BOS is never returned as a first token by construction
        assert len(tokens) <= 5
        assert EOS not in tokens[:-1]
        assert tokens[-1] == EOS or len(tokens) == 5
        step_fn, state = start()
        assert score == pytest.approx(decoding.sequence_log_prob(step_fn, state, BOS, tokens))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), vocab=st.integers(2, 6), max_len=st.integers(1, 7))
def test_width_one_is_greedy(seed, vocab, max_len):
    start = tiny_rnn(vocab, seed=seed)
    greedy = decoding.greedy_decode(*start(), BOS, EOS, max_len)
    beam = decoding.beam_search(*start(), BOS, EOS, beam_width=1, max_len=max_len)
    assert len(beam) == 1
    assert beam[0][0] == greedy[0]
    assert beam[0][1] == pytest.approx(greedy[1])


def test_one_step_call_per_decoding_step_with_all_hypotheses():
    calls = []
    start = tiny_rnn(6, seed=1, calls=calls)
    decoding.beam_search(*start(), BOS, EOS, beam_width=4, max_len=5)
    assert 1 <= len(calls) <= 5
    assert calls[0] == 1 and all(1 <= n <= 4 for n in calls)
    assert max(calls) > 1  # hypotheses really were batched


def greedy_trap():
    """A model where the greedy first choice (A, 0.6) leads to uncertain continuations.

    After A every one of three tokens has probability 1/3; after B, EOS is certain.
    Greedy: A then anything: 0.6 * 1/3 = 0.2.  Best: B then EOS: 0.4.
    """
    A, B, C, D = 2, 3, 4, 5
    table = {BOS: {A: 0.6, B: 0.4}, A: {C: 1 / 3, D: 1 / 3, EOS: 1 / 3}, B: {EOS: 1.0},
             C: {EOS: 1.0}, D: {EOS: 1.0}}

    def step_fn(tokens, state):
        out = np.full((len(tokens), 6), -np.inf)
        for i, t in enumerate(tokens):
            for nxt, p in table[int(t)].items():
                out[i, nxt] = np.log(p)
        return out, state

    return step_fn, np.zeros((1, 1))


def test_greedy_misses_what_beam_search_finds():
    step_fn, state = greedy_trap()
    greedy_tokens, greedy_lp = decoding.greedy_decode(step_fn, state, BOS, EOS, 5)
    best_tokens, best_lp = decoding.beam_search(step_fn, state, BOS, EOS, beam_width=2, max_len=5)[0]
    assert greedy_tokens[0] == 2 and np.exp(greedy_lp) == pytest.approx(0.2)
    assert best_tokens == [3, EOS] and np.exp(best_lp) == pytest.approx(0.4)


def test_length_penalty_prefers_longer_outputs():
    # EOS right away: log 0.5; a longer answer: 0.5 * 0.9 * 0.9 ... per-token mean is higher
    def step_fn(tokens, state):
        out = np.full((len(tokens), 3), -np.inf)
        for i, t in enumerate(tokens):
            out[i, EOS], out[i, 2] = (np.log(0.5), np.log(0.5)) if t == BOS else (np.log(0.1), np.log(0.9))
        return out, state

    raw = decoding.beam_search(step_fn, np.zeros((1, 1)), BOS, EOS, beam_width=3, max_len=6)
    normalised = decoding.beam_search(step_fn, np.zeros((1, 1)), BOS, EOS, beam_width=3, max_len=6,
                                      length_penalty=1.0)
    assert raw[0][0] == [EOS]
    assert len(normalised[0][0]) > 1


def test_eos_none_runs_to_max_len():
    start = tiny_rnn(3, seed=0)
    tokens, _ = decoding.greedy_decode(*start(), BOS, None, 7)
    assert len(tokens) == 7
    tokens, _ = decoding.sample(*start(), BOS, None, 9, seed=1)
    assert len(tokens) == 9


def test_sample_is_seeded_and_top_k_limits_the_choices():
    start = tiny_rnn(6, seed=2)
    a = decoding.sample(*start(), BOS, EOS, 8, seed=5)
    assert a == decoding.sample(*start(), BOS, EOS, 8, seed=5)
    assert decoding.sample(*start(), BOS, EOS, 8, top_k=1, seed=9)[0] == decoding.greedy_decode(*start(), BOS, EOS, 8)[0]
    # the first token's frequencies follow the model's distribution (and its top 2 only, with top_k=2)
    step_fn, state = start()
    p = np.exp(step_fn(np.array([BOS]), state)[0][0])
    firsts = np.array([decoding.sample(*start(), BOS, EOS, 1, seed=s)[0][0] for s in range(3000)])
    freq = np.bincount(firsts, minlength=6) / 3000
    assert np.abs(freq - p).max() < 0.04
    top2 = set(np.argsort(-p)[:2])
    assert {decoding.sample(*start(), BOS, EOS, 1, top_k=2, seed=s)[0][0] for s in range(300)} <= top2


def test_low_temperature_approaches_greedy_and_high_flattens():
    start = tiny_rnn(6, seed=4)
    greedy = decoding.greedy_decode(*start(), BOS, EOS, 6)[0]
    assert all(decoding.sample(*start(), BOS, EOS, 6, temperature=0.01, seed=s)[0] == greedy for s in range(20))
    hot = {decoding.sample(*start(), BOS, EOS, 1, temperature=50.0, seed=s)[0][0] for s in range(400)}
    assert hot == set(range(6))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"beam_width": 0}, ValueError, "beam_width"),
    ({"beam_width": 2.5}, TypeError, "beam_width"),
    ({"max_len": 0}, ValueError, "max_len"),
    ({"length_penalty": -1.0}, ValueError, "length_penalty"),
    ({"length_penalty": None}, TypeError, "length_penalty"),
    ({"bos_id": -1}, ValueError, "bos_id"),
    ({"eos_id": "1"}, TypeError, "eos_id"),
])
def test_beam_search_rejects_bad_arguments(kwargs, error, match):
    step_fn, state = tiny_rnn(4)()
    args = {"step_fn": step_fn, "state": state, "bos_id": BOS, "eos_id": EOS, "beam_width": 2, "max_len": 3}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        decoding.beam_search(**args)


def test_state_and_step_fn_are_checked():
    step_fn, state = tiny_rnn(4)()
    with pytest.raises(TypeError, match="callable"):
        decoding.greedy_decode("model", state, BOS, EOS, 3)
    with pytest.raises(ValueError, match="leading axis 1"):
        decoding.greedy_decode(step_fn, (np.zeros((2, 3)), np.zeros((2, 1))), BOS, EOS, 3)
    with pytest.raises(ValueError, match="same leading axis"):
        decoding.greedy_decode(step_fn, (np.zeros((1, 3)), np.zeros((2, 1))), BOS, EOS, 3)
    with pytest.raises(TypeError, match="NumPy array"):
        decoding.greedy_decode(step_fn, [[0.0]], BOS, EOS, 3)
    with pytest.raises(TypeError, match="tuple"):
        decoding.greedy_decode(lambda t, s: np.zeros((1, 3)), np.zeros((1, 1)), BOS, EOS, 3)
    with pytest.raises(ValueError, match=r"\[1, vocab\]"):
        decoding.greedy_decode(lambda t, s: (np.zeros((2, 3)), s), np.zeros((1, 1)), BOS, EOS, 3)
    with pytest.raises(ValueError, match="log-probabilities"):
        decoding.greedy_decode(lambda t, s: (np.ones((1, 3)), s), np.zeros((1, 1)), BOS, EOS, 3)
    with pytest.raises(ValueError, match="rows"):
        decoding.beam_search(lambda t, s: (np.log(np.full((len(t), 3), 1 / 3)), np.zeros((1, 1))),
                             np.zeros((1, 1)), BOS, EOS, beam_width=3, max_len=3)


@pytest.mark.parametrize("kwargs, error", [
    ({"temperature": 0.0}, ValueError), ({"temperature": "hot"}, TypeError),
    ({"top_k": 0}, ValueError), ({"top_k": 1.5}, TypeError), ({"seed": -3}, ValueError),
])
def test_sample_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        decoding.sample(*tiny_rnn(4)(), BOS, EOS, 3, **kwargs)


def test_sequence_log_prob_checks_tokens():
    step_fn, state = tiny_rnn(4)()
    with pytest.raises(ValueError, match="non-empty"):
        decoding.sequence_log_prob(step_fn, state, BOS, [])
    with pytest.raises(ValueError, match="below the vocabulary size"):
        decoding.sequence_log_prob(step_fn, state, BOS, [9])


def test_additive_attention_weights_sum_to_one_and_check_shapes():
    rng = np.random.default_rng(0)
    q, mem = rng.normal(size=(2, 4)), rng.normal(size=(2, 5, 4))
    Wq, Wm, v = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=3)
    context, alpha = decoding.additive_attention(q, mem, Wq, Wm, v)
    np.testing.assert_allclose(alpha.sum(1), 1.0)
    np.testing.assert_allclose(context, np.einsum("nt,ntu->nu", alpha, mem))
    with pytest.raises(ValueError, match="memory must have shape"):
        decoding.additive_attention(q, mem[:1], Wq, Wm, v)


@pytest.mark.parametrize("score", ["additive", "dot"])
def test_masked_attention_is_attention_over_the_real_positions_alone(score):
    rng = np.random.default_rng(1)
    q, mem = rng.normal(size=(2, 4)), rng.normal(size=(2, 5, 4))
    Wq, Wm, v = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=3)
    attend = ((lambda q, m, mask=None: decoding.additive_attention(q, m, Wq, Wm, v, mask)) if score == "additive"
              else decoding.dot_attention)
    mask = np.array([[False, False, True, True, True], [True] * 5])
    context, alpha = attend(q, mem, mask)
    assert (alpha[0, :2] == 0).all()
    np.testing.assert_allclose(alpha.sum(1), 1.0)
    short_context, short_alpha = attend(q[:1], mem[:1, 2:])
    np.testing.assert_allclose(alpha[0, 2:], short_alpha[0])
    np.testing.assert_allclose(context[0], short_context[0])
    np.testing.assert_allclose(alpha[1], attend(q[1:], mem[1:])[1][0])


def test_attention_mask_errors_name_the_expected_and_the_received():
    q, mem = np.zeros((2, 4)), np.zeros((2, 5, 4))
    with pytest.raises(ValueError, match=r"mask must have shape \[n, steps\] = \(2, 5\); got \(2, 4\)"):
        decoding.dot_attention(q, mem, np.ones((2, 4), bool))
    with pytest.raises(TypeError, match="mask must hold True"):
        decoding.dot_attention(q, mem, np.ones((2, 5)))
    with pytest.raises(ValueError, match="row 1 has none"):
        decoding.dot_attention(q, mem, np.array([[True] * 5, [False] * 5]))


def test_dot_attention_equals_keras_attention_layer_with_a_mask():
    import keras

    rng = np.random.default_rng(2)
    query, memory = rng.normal(size=(3, 2, 6)).astype("float32"), rng.normal(size=(3, 7, 6)).astype("float32")
    mask = np.ones((3, 7), bool)
    mask[0, :3] = mask[2, :6] = False
    context, alpha = keras.layers.Attention()([query, memory], mask=[None, mask], return_attention_scores=True)
    for t in range(2):
        c, a = decoding.dot_attention(query[:, t], memory, mask)
        np.testing.assert_allclose(a, keras.ops.convert_to_numpy(alpha)[:, t], atol=1e-6)
        np.testing.assert_allclose(c, keras.ops.convert_to_numpy(context)[:, t], atol=1e-5)


def test_keras_additive_attention_layer_masks_like_numpy():
    from rnnbook import layers

    rng = np.random.default_rng(4)
    query, memory = rng.normal(size=(2, 3, 8)).astype("float32"), rng.normal(size=(2, 5, 8)).astype("float32")
    mask = np.array([[False, True, True, True, True], [False, False, False, True, True]])
    layer = layers.AdditiveAttention(6)
    context, alpha = (keras_np(a) for a in layer(query, memory, mask))
    W_query, W_memory, v = layer.get_weights()
    for t in range(3):
        c, a = decoding.additive_attention(query[:, t], memory, W_query, W_memory, v, mask)
        np.testing.assert_allclose(a, alpha[:, t], atol=1e-6)
        np.testing.assert_allclose(c, context[:, t], atol=1e-5)
    assert (alpha[1, :, :3] == 0).all()


def keras_np(x):
    import keras

    return keras.ops.convert_to_numpy(x)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), vocab=st.integers(2, 6), width=st.integers(1, 5), max_len=st.integers(1, 7),
       penalty=st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_beam_early_stop_changes_nothing_but_the_work(seed, vocab, width, max_len, penalty):
    step_fn, state = tiny_rnn(vocab, seed=seed)()
    calls = {"early": 0, "full": 0}

    def counted(kind):
        def step(tokens, s):
            calls[kind] += 1
            return step_fn(tokens, s)
        return step

    early = decoding.beam_search(counted("early"), state, BOS, EOS, width, max_len, penalty)
    original = decoding._settled
    decoding._settled = lambda *args: False              # the same search, run to max_len
    try:
        full = decoding.beam_search(counted("full"), state, BOS, EOS, width, max_len, penalty)
    finally:
        decoding._settled = original
    assert early == full
    assert calls["early"] <= calls["full"]


def test_beam_stops_early_once_no_live_hypothesis_can_win():
    # EOS has probability 0.97 at every step and every other token 0.01: one step settles the best

    def step(tokens, state):
        log_probs = np.log(np.tile([0.97, 0.01, 0.01, 0.01], (len(tokens), 1)))
        return log_probs, state

    calls = []
    best = decoding.beam_search(lambda t, s: (calls.append(1), step(t, s))[1], np.zeros((1, 1)), 3, 0, 1, 10)
    assert best[0][0] == [0] and len(calls) == 1
    calls.clear()
    nbest = decoding.beam_search(lambda t, s: (calls.append(1), step(t, s))[1], np.zeros((1, 1)), 3, 0, 2, 10)
    # the second best is "x EOS" (0.01 * 0.97), found at step 2; after that no live one can beat it
    assert [tokens for tokens, _ in nbest] == [[0], [1, 0]] and len(calls) == 2


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), vocab=st.integers(2, 6), max_len=st.integers(1, 7), n=st.integers(1, 6))
def test_batched_greedy_equals_greedy_row_by_row(seed, vocab, max_len, n):
    start = tiny_rnn(vocab, seed=seed)
    step_fn, _ = start()
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(n, 3))                       # n different inputs: n different initial states
    batch = decoding.greedy_decode_batch(step_fn, (h, np.full((n, 1), BOS)), BOS, EOS, max_len)
    assert len(batch) == n
    for i in range(n):
        tokens, total = decoding.greedy_decode(step_fn, (h[i:i + 1], np.array([[BOS]])), BOS, EOS, max_len)
        assert batch[i][0] == tokens
        assert batch[i][1] == pytest.approx(total, abs=1e-12)


def test_batched_greedy_checks_its_arguments():
    step_fn, state = tiny_rnn(4)()
    with pytest.raises(ValueError, match="max_len"):
        decoding.greedy_decode_batch(step_fn, state, BOS, EOS, 0)
    with pytest.raises(TypeError, match="callable"):
        decoding.greedy_decode_batch(None, state, BOS, EOS, 3)


def test_impossible_extensions_never_enter_the_n_best_list():
    step_fn, state = greedy_trap()                     # most tokens have probability 0 at every step
    nbest = decoding.beam_search(step_fn, state, BOS, EOS, beam_width=8, max_len=5)
    assert all(np.isfinite(score) for _, score in nbest)
    assert {tuple(t) for t, _ in nbest} == {(2, 4, EOS), (2, 5, EOS), (2, EOS), (3, EOS)}
