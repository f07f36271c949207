"""Chapter 12's additions to plots and widgets: attention heatmaps and the n-best explorer."""
import matplotlib

matplotlib.use("Agg")
import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnbook import benchmark, decoding, plots, widgets  # noqa: E402


# --------------------------------------------------------------------------- plots.attention_heatmaps
def _alpha(rows, cols, seed=0):
    a = np.random.default_rng(seed).random((rows, cols))
    return a / a.sum(axis=1, keepdims=True)


def test_attention_heatmaps_draws_one_panel_per_example():
    maps = [("21/11/26", list("2026-11-21") + ["<eos>"], _alpha(11, 8)),
            ("the 3rd", ["a", "b"], _alpha(2, 7, seed=1))]
    fig = plots.attention_heatmaps(maps, title="t")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2
    assert [t.get_text() for t in panels[0].get_xticklabels()][:3] == ["2", "1", "/"]
    assert panels[1].get_xticklabels()[3].get_text() == "␣"          # spaces are drawn visibly
    assert panels[0].get_ylabel() and not panels[1].get_ylabel()
    assert panels[0].images[0].get_array().shape == (11, 8)
    plt.close(fig)


@pytest.mark.parametrize("maps, err", [([], ValueError), ([("ab", ["x"], _alpha(2, 2))], ValueError),
                                       ([("ab", ["x"], np.ones(2))], ValueError)])
def test_attention_heatmaps_rejects_bad_input(maps, err):
    with pytest.raises(err):
        plots.attention_heatmaps(maps, title="t")


# --------------------------------------------------------------------------- widgets.nbest_dates
@pytest.fixture(scope="module")
def small_model():
    keras.utils.set_random_seed(0)
    return benchmark.date_model("attention", units=8), benchmark.date_data()


def test_nbest_dates_matches_beam_search(small_model):
    model, dates = small_model
    nbest = widgets.nbest_dates(model, dates, "21/11/26", beam_width=3)
    assert 1 <= len(nbest) <= 3
    scores = [s for _, s in nbest]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(a, str) and "<eos>" not in a for a, _ in nbest)
    source = np.full(benchmark.DATE_SOURCE_LENGTH, dates.source_vocab.stoi["<pad>"])
    source[-8:] = [dates.source_vocab.stoi[c] for c in "21/11/26"]
    step_fn, state = decoding.KerasDecoder(model).start(source)
    eos = dates.target_vocab.stoi["<eos>"]
    hyps = decoding.beam_search(step_fn, state, dates.target_vocab.stoi["<bos>"], eos, 3,
                                benchmark.DATE_TARGET_LENGTH)
    assert [a for a, _ in nbest] == ["".join(dates.target_vocab.itos[t] for t in toks if t != eos) for toks, _ in hyps]
    np.testing.assert_allclose(scores, [s for _, s in hyps])
    greedy = widgets.nbest_dates(model, dates, "21/11/26", beam_width=1)
    assert len(greedy) == 1


@pytest.mark.parametrize("written, err", [("", TypeError), (5, TypeError)])
def test_nbest_dates_rejects_bad_dates(small_model, written, err):
    model, dates = small_model
    with pytest.raises(err):
        widgets.nbest_dates(model, dates, written)


def test_beam_width_explorer(small_model, capsys):
    pytest.importorskip("ipywidgets")
    model, dates = small_model
    with pytest.raises(ValueError):
        widgets.beam_width_explorer({}, dates)
    with pytest.raises(ValueError):
        widgets.beam_width_explorer({"m": model}, dates, written=[])
    w = widgets.beam_width_explorer({"m": model}, dates, written="21/11/26")
    assert w is not None
    assert "beam width" in capsys.readouterr().out


# --------------------------------------------------------------------------- benchmark.search_errors
def test_search_errors_splits_the_wrong_answers_by_the_truth_s_probability(small_model):
    model, dates = small_model
    dates = benchmark.first_dates(dates, "val", 12)
    assert len(dates.pairs["val"]) == 12 and len(dates.arrays["val"].source) == 12
    assert len(dates.pairs["train"]) == 8000
    answers, scores = benchmark.decode_dates(model, dates, "val", beam_width=2, scores=True, batch=False)
    result = benchmark.search_errors(model, dates, answers, scores)
    truth = [t for _, t in dates.pairs["val"]]
    assert result["wrong"] == sum(a != t for a, t in zip(answers, truth))    # untrained: all or most are wrong
    assert result["search_errors"] + result["model_errors"] == result["wrong"]
    # a search error is exactly a date whose truth the model prefers to the returned answer
    decoder, eos = decoding.KerasDecoder(model), dates.target_vocab.stoi["<eos>"]
    bos = dates.target_vocab.stoi["<bos>"]
    for i, (a, t) in enumerate(zip(answers, truth)):
        if a == t:
            continue
        step_fn, state = decoder.start(dates.arrays["val"].source[i])
        lp = decoding.sequence_log_prob(step_fn, state, bos, [dates.target_vocab.stoi[c] for c in t] + [eos])
        assert (i in result["dates"]) == (lp > scores[i] + 1e-9)
    # the truth itself, scored as the answer, is never an error
    step_fns = [decoder.start(dates.arrays["val"].source[i]) for i in range(12)]
    true_scores = [decoding.sequence_log_prob(f, s, bos, [dates.target_vocab.stoi[c] for c in t] + [eos])
                   for (f, s), t in zip(step_fns, truth)]
    assert benchmark.search_errors(model, dates, truth, true_scores) == \
        {"wrong": 0, "search_errors": 0, "model_errors": 0, "dates": []}


def test_search_errors_refuses_mismatched_answers(small_model):
    model, dates = small_model
    with pytest.raises(ValueError, match="one answer and one score"):
        benchmark.search_errors(model, dates, ["2000-01-01"], [0.0])
    with pytest.raises(TypeError):
        benchmark.search_errors(model, "dates", ["2000-01-01"], [0.0])
