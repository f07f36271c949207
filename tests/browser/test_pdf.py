"""The book's PDF (``make pdf``): every chapter and figure, fonts embedded, nothing cut at the margin.

``make pdf`` writes ``_build/html/recurrent.pdf`` (``make test`` runs it before these tests);
the checks read that file with pypdf.  The printing tool itself is also run on two small pages:
one that prints, and one it must refuse because a table would be cut at the right margin.
"""
from __future__ import annotations

import json
import re

import pytest
import yaml
from browser_helpers import HTML, ROOT, STUDENT_EDITION, require_chromium

from rnnbook import pdf

PDF = HTML / "recurrent.pdf"


def _reader():
    from pypdf import PdfReader

    if not PDF.exists():
        pytest.fail(f"{PDF} does not exist: build it with `make pdf`", pytrace=False)
    return PdfReader(str(PDF))


def _outline_titles(items) -> list[str]:
    titles = []
    for item in items:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(str(item.get("/Title", "")))
    return titles


def _chapter_titles() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    titles = []
    for name in files:
        path = ROOT / f"{name}.ipynb"
        if path.exists():
            text = "".join(json.loads(path.read_text())["cells"][0]["source"])
        else:
            text = (ROOT / f"{name}.md").read_text()
        heading = re.search(r"^# (.+)$", re.sub(r"^\(.*\)=\n", "", text, flags=re.M), re.M)
        titles.append(re.sub(r"[`*]", "", heading.group(1)).strip())
    return titles


def _figures_in_notebooks() -> int:
    count = 0
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            count += sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    return count


@pytest.fixture(scope="module")
def reader():
    return _reader()


def test_the_pdf_has_every_chapter_in_its_bookmarks(reader):
    pages = len(reader.pages)
    assert 150 <= pages <= 1500, f"{PDF}: {pages} pages"
    # a title wrapped over two lines loses the space at the break in Chromium's bookmarks
    outline = re.sub(r"\s+", "", " | ".join(_outline_titles(reader.outline)))
    missing = [t for t in _chapter_titles() if re.sub(r"\s+", "", t) not in outline]
    assert not missing, f"{PDF}: chapters missing from the bookmarks: {missing}"


def test_every_font_is_embedded_and_every_figure_printed(reader):
    unembedded, images = set(), 0
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":      # glyphs drawn in the file itself
                continue
            described = font["/DescendantFonts"][0].get_object() if font.get("/Subtype") == "/Type0" else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                unembedded.add(str(font.get("/BaseFont")))
        images += sum(x.get_object().get("/Subtype") == "/Image"
                      for x in (resources.get("/XObject") or {}).values())
    assert not unembedded, f"{PDF}: fonts not embedded (a reader without them sees other glyphs): {unembedded}"
    if not STUDENT_EDITION:
        expected = _figures_in_notebooks()
        assert images >= expected, f"{PDF}: {images} images, but the notebooks hold {expected} figures"


def test_the_pdf_shows_no_raw_tex_and_is_newer_than_its_sources(reader):
    text = "\n".join(reader.pages[i].extract_text() for i in range(0, len(reader.pages), 7))
    raw = re.findall(r"\$\$|\\begin\{|\\frac\{|\\mathrm\{", text)
    assert not raw, f"{PDF}: TeX printed as text: {raw[:5]}"
    sources = [p for p in (ROOT / "chapters").iterdir() if p.suffix in (".ipynb", ".md")]
    stale = [p.name for p in sources if p.stat().st_mtime > PDF.stat().st_mtime]
    if not STUDENT_EDITION:
        assert not stale, f"{PDF} is older than {stale[:5]}: run `make pdf` again"


def _print(tmp_path, body: str):
    """``python -m rnnbook.pdf`` on a one-page build holding ``body`` (a process of its own, as make pdf runs it)."""
    import subprocess
    import sys

    build = tmp_path / "build"
    build.mkdir()
    (build / "index.html").write_text(f"<html><head><title>t</title></head><body><article>{body}</article>"
                                      "</body></html>")
    return subprocess.run([sys.executable, "-m", "rnnbook.pdf", str(build), str(tmp_path / "out.pdf")],
                          capture_output=True, text=True, timeout=300)


def test_printing_writes_a_pdf_of_a_page(tmp_path):
    require_chromium()
    from pypdf import PdfReader

    done = _print(tmp_path, "<h1>A chapter</h1><p>Some prose.</p>")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "no maths" in done.stdout
    assert "A chapter" in PdfReader(str(tmp_path / "out.pdf")).pages[0].extract_text()


def test_printing_refuses_a_page_that_would_be_cut_at_the_margin(tmp_path):
    require_chromium()
    wide = "<table><tr><td style='white-space:nowrap'>" + "word " * 300 + "</td></tr></table>"
    done = _print(tmp_path, wide)
    assert done.returncode == 2 and "cut at the right margin" in done.stderr, done.stderr[-2000:]
    assert not (tmp_path / "out.pdf").exists()


def test_single_page_follows_the_builds_redirect(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "intro.html").write_text("<html>book</html>")
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=chapters/intro.html" />')
    page = pdf.single_page(tmp_path)
    assert page == tmp_path / "book.html" and page.read_text() == "<html>book</html>"
    with pytest.raises(FileNotFoundError, match="no singlehtml build"):
        pdf.single_page(tmp_path / "chapters")


def test_solutions_are_printed_open_in_the_book_and_absent_from_the_student_edition(reader):
    """The full PDF shows every solution opened; the student edition's, printed from its own build, none."""
    pages = [(n + 1, page.extract_text()) for n, page in enumerate(reader.pages)]
    found = [n for n, text in pages if re.search(r"Solution to\s*Exercise", text)]
    if STUDENT_EDITION:
        assert not found, f"{PDF}: solutions on pages {found[:10]}"
    else:
        assert len(found) >= 40, f"{PDF}: only {len(found)} pages show a solution; the dropdowns were not opened"
