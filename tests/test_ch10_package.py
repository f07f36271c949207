"""Chapter 10's additions to the package: the temperature figure and its widget."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnbook import widgets  # noqa: E402

LOG_PROBS = np.log(np.array([0.5, 0.2, 0.15, 0.1, 0.05]))
LABELS = ["e", " ", "t", "\n", "a"]


def _heights(fig):
    ax = fig.axes[0]
    return [np.array([b.get_height() for b in c]) for c in ax.containers]


def test_draw_temperature_bars_are_the_tempered_distribution():
    fig = widgets.draw_temperature(LOG_PROBS, LABELS, (0.5, 1.0, 2.0), n=5)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    heights = _heights(fig)
    assert len(heights) == 3
    np.testing.assert_allclose(heights[1], [0.5, 0.2, 0.15, 0.1, 0.05])
    p = np.array([0.5, 0.2, 0.15, 0.1, 0.05]) ** 2
    np.testing.assert_allclose(heights[0], p / p.sum())
    for h in heights:
        assert h.sum() == pytest.approx(1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["e", "space", "t", "\\n", "a"]
    plt.close(fig)


def test_draw_temperature_top_k_and_n():
    fig = widgets.draw_temperature(LOG_PROBS, LABELS, 1.0, top_k=2, n=3)
    (h,) = _heights(fig)
    np.testing.assert_allclose(h, [0.5 / 0.7, 0.2 / 0.7, 0.0])
    assert "top-k = 2" in fig.axes[0].get_title()
    plt.close(fig)


@pytest.mark.parametrize("kwargs, error", [
    (dict(log_probs=[[0.0]]), ValueError),
    (dict(labels=["a"]), ValueError),
    (dict(temperatures=(0.0,)), ValueError),
    (dict(temperatures=()), ValueError),
    (dict(top_k=0), ValueError),
    (dict(n=0), ValueError),
    (dict(log_probs=[0.0, -np.inf, -1.0, -2.0, -3.0]), ValueError),
])
def test_draw_temperature_refuses_bad_arguments(kwargs, error):
    args = dict(log_probs=LOG_PROBS, labels=LABELS)
    args.update(kwargs)
    with pytest.raises(error):
        widgets.draw_temperature(**args)
    plt.close("all")


def test_temperature_explorer_builds_a_widget():
    pytest.importorskip("ipywidgets")
    out = widgets.temperature_explorer(LOG_PROBS, LABELS, n=4)
    names = {c.description for c in out.widget.children if hasattr(c, "description")}
    assert {"temperature", "top-k (0: off)"} <= names
    plt.close("all")
    with pytest.raises(ValueError):
        widgets.temperature_explorer(LOG_PROBS, LABELS[:2])
