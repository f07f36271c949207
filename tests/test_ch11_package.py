"""Chapter 11's additions to the package: the parallel-corpus loader and downloader (no network used)."""
import io
import urllib.error
import urllib.request
import zipfile

import pytest

from rnnbook import data

LINES = ("Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250 (Wittydev)\n"
         "How are you?\tComment allez-vous ?\tCC-BY 2.0 (France) Attribution: tatoeba.org\n"
         "\n"
         "I am cold.\tJ'ai froid.\n")


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text(LINES, encoding="utf-8")
    return path


def test_load_tab_pairs_reads_two_columns_and_skips_blank_lines(corpus):
    assert data.load_tab_pairs(corpus) == [("Go.", "Va !"), ("How are you?", "Comment allez-vous ?"),
                                           ("I am cold.", "J'ai froid.")]
    assert data.load_tab_pairs(str(corpus), max_pairs=2, lowercase=True) == [
        ("go.", "va !"), ("how are you?", "comment allez-vous ?")]


def test_load_tab_pairs_errors(tmp_path, corpus):
    with pytest.raises(FileNotFoundError, match="download_tab_pairs"):
        data.load_tab_pairs(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("Go.\tVa !\nno tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        data.load_tab_pairs(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no sentence pairs"):
        data.load_tab_pairs(empty)
    with pytest.raises(ValueError):
        data.load_tab_pairs(corpus, max_pairs=0)
    with pytest.raises(TypeError):
        data.load_tab_pairs(3)


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_download_offline_fails_with_a_clear_message(tmp_path, monkeypatch):
    def offline(request, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(ConnectionError, match="internet access.*load_tab_pairs"):
        data.download_tab_pairs(tmp_path / "fra.txt")
    assert not (tmp_path / "fra.txt").exists()


def test_download_unreachable_address_fails_quickly(tmp_path):
    with pytest.raises(ConnectionError, match="could not download"):
        data.download_tab_pairs(tmp_path / "x.txt", "http://127.0.0.1:9/fra-eng.zip", timeout=2)


def test_download_unzips_the_text_file(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_about.txt", "about the file")
        archive.writestr("fra.txt", LINES)
    seen = {}

    def fake(request, timeout):
        seen["url"], seen["timeout"] = request.full_url, timeout
        return _Response(buffer.getvalue())

    monkeypatch.setattr(urllib.request, "urlopen", fake)
    path = data.download_tab_pairs(tmp_path / "sub" / "fra.txt", timeout=5)
    assert seen == {"url": data.TATOEBA_FRA_URL, "timeout": 5}
    assert len(data.load_tab_pairs(path)) == 3

    def fail(request, timeout):  # an existing file is not downloaded again
        raise AssertionError("downloaded twice")

    monkeypatch.setattr(urllib.request, "urlopen", fail)
    assert data.download_tab_pairs(path) == path


def test_download_plain_text_and_bad_arguments(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: _Response(LINES.encode()))
    path = data.download_tab_pairs(tmp_path / "plain.txt", "https://example.org/fra.txt")
    assert data.load_tab_pairs(path)[1] == ("How are you?", "Comment allez-vous ?")
    with pytest.raises(ValueError, match="timeout"):
        data.download_tab_pairs(tmp_path / "y.txt", timeout=0)
    with pytest.raises(TypeError):
        data.download_tab_pairs(None)


def test_encoder_decoder_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnnbook import plots

    fig = plots.encoder_decoder("03/05/87", "1987-05-03")
    ax = fig.axes[0]
    assert "context vector" in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("enc") == 8 and texts.count("dec") == 11 and "<bos>" in texts and "<eos>" in texts
    # 19 steps: two rows, so that the page does not shrink the boxes past reading (at most 9 inches wide)
    assert fig.get_size_inches()[0] <= 9.0
    plt.close(fig)
    short = plots.encoder_decoder("abc", "xyz")       # 7 steps: one row
    assert short.get_size_inches()[1] < 3
    plt.close(short)
    fig = plots.encoder_decoder(["how", "are", "you"], ["comment", "allez-vous"], title="words")
    assert fig.axes[0].get_title() == "words"
    plt.close(fig)
    with pytest.raises(ValueError, match="1 to 12"):
        plots.encoder_decoder("", "x")
    with pytest.raises(ValueError, match="1 to 12"):
        plots.encoder_decoder("x", "y" * 13)
    with pytest.raises(TypeError):
        plots.encoder_decoder([1, 2], "x")
    with pytest.raises(TypeError):
        plots.encoder_decoder("x", "y", title=3)
