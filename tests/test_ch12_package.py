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
