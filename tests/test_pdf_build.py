"""rnnbook.pdf.build: the one route from a book's sources to its PDF (make pdf and the student edition)."""
import shutil
import subprocess
from pathlib import Path

import pytest

from rnnbook import pdf


@pytest.fixture
def book(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_build" / "singlehtml").mkdir(parents=True)
    (tmp_path / "_build" / "singlehtml" / "old.html").write_text("a page of an older build\n")
    return tmp_path


@pytest.fixture
def calls(monkeypatch):
    """jupyter-book replaced by a fake that writes a one-page build; printing recorded, not done."""
    seen = {"build": [], "print": []}

    def run(cmd, *a, **k):
        seen["build"].append([str(c) for c in cmd])
        single = Path(cmd[cmd.index("--path-output") + 1]) / "_build" / "singlehtml"
        single.mkdir(parents=True, exist_ok=True)
        (single / "index.html").write_text("<html>one page</html>\n")
        return subprocess.CompletedProcess(cmd, 0 if "fails" not in str(cmd[2]) else 1)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(pdf, "print_book", lambda html, out: seen["print"].append((Path(html), Path(out)))
                        or {"maths": "typeset", "overflow": [], "bytes": 1})
    return seen


def test_build_makes_a_fresh_single_page_and_prints_it(book, calls):
    assert pdf.build(book, book / "out.pdf", jupyter_book="jb")["maths"] == "typeset"
    assert calls["build"] == [["jb", "build", str(book), "--path-output", str(book), "--builder", "singlehtml", "-q"]]
    assert calls["print"] == [(book / "_build" / "singlehtml" / "index.html", book / "out.pdf")]
    assert not (book / "_build" / "singlehtml" / "old.html").exists()   # nothing of an older build is printed


def test_build_into_another_folder(book, calls, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("site")
    pdf.build(book, elsewhere / "b.pdf", path_output=elsewhere, jupyter_book="jb")
    assert calls["build"][0][4] == str(elsewhere)
    assert calls["print"] == [(elsewhere / "_build" / "singlehtml" / "index.html", elsewhere / "b.pdf")]
    assert (book / "_build" / "singlehtml" / "old.html").exists()   # the book's own build is left alone


def test_build_refuses_a_folder_that_is_not_a_book_and_reports_a_failed_build(tmp_path, calls):
    with pytest.raises(FileNotFoundError, match="has no _config.yml"):
        pdf.build(tmp_path, tmp_path / "x.pdf", jupyter_book="jb")
    fails = tmp_path / "fails"
    fails.mkdir()
    (fails / "_config.yml").write_text("title: t\n")
    with pytest.raises(RuntimeError, match="could not build .* as one page"):
        pdf.build(fails, tmp_path / "x.pdf", jupyter_book="jb")
    assert calls["print"] == []


def test_the_command_line_builds_from_the_source_with_source(book, calls, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: "jb")   # the jupyter-book next to this Python
    assert pdf.main(["--source", str(book), str(book / "c.pdf")]) == 0
    assert calls["build"][0][:2] == ["jb", "build"] and "wrote" in capsys.readouterr().out
    assert pdf.main([str(book / "nothing"), str(book / "d.pdf")]) == 2   # no build there: an error, no PDF
    assert "no singlehtml build" in capsys.readouterr().err
