"""The figure added for chapter 2."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnbook import plots  # noqa: E402


@pytest.mark.parametrize("steps", [1, 4, 8])
def test_unrolled_rnn_draws_one_cell_per_step(steps):
    fig = plots.unrolled_rnn(steps=steps)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("cell") == steps
    assert f"$x_{{{steps}}}$" in texts and f"$h_{{{steps}}}$" in texts and "$h_0$" in texts
    assert str(steps) in ax.get_title()
    plt.close(fig)


def test_unrolled_rnn_custom_title():
    fig = plots.unrolled_rnn(steps=2, title="mine")
    assert fig.axes[0].get_title() == "mine"
    plt.close(fig)


@pytest.mark.parametrize("steps, err, msg", [
    (0, ValueError, "steps must be an int >= 1"),
    (9, ValueError, "between 1 and 8"),
    (2.0, TypeError, "steps must be an int; got float"),
    ("3", TypeError, "got str"),
    (True, TypeError, "got bool"),
])
def test_unrolled_rnn_validates_steps(steps, err, msg):
    with pytest.raises(err, match=msg):
        plots.unrolled_rnn(steps=steps)


def test_unrolled_rnn_validates_title():
    with pytest.raises(TypeError, match="title must be a str or None; got int"):
        plots.unrolled_rnn(steps=2, title=3)
