"""rnnbook.publish: how notebooks are stored (tidy) and what the built page shows."""
import json
from pathlib import Path

import nbformat
import pytest

from rnnbook import publish

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _nb(*cells, widgets=False):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    if widgets:
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def _widget_cell():
    cell = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nexplorer()")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={publish.WIDGET_MIME: {"model_id": "x"}, "text/plain": "interactive(...)"})]
    return cell


def test_tidy_turns_the_comment_into_a_tag_and_drops_widgets():
    plain = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint(time.time())")
    plain.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1.0\n")]
    nb = _nb(plain, _widget_cell(), nbformat.v4.new_code_cell("x = 1"), widgets=True)
    changes = publish.tidy(nb)
    assert "dropped the saved widget state" in changes
    assert "widgets" not in nb.metadata
    assert nb.cells[0].source == "print(time.time())"
    assert nb.cells[0].metadata.tags == [publish.NBVAL_TAG]
    assert nb.cells[0].outputs, "a timing cell keeps its output: only widget cells are emptied"
    assert nb.cells[1].outputs == []
    assert set(nb.cells[1].metadata.tags) == {publish.NBVAL_TAG, publish.WIDGET_TAG}
    assert "tags" not in nb.cells[2].metadata
    assert publish.tidy(nb) == [], "a tidy notebook stays as it is"


def test_tidy_rejects_what_is_not_a_notebook():
    with pytest.raises(TypeError, match="notebook dict"):
        publish.tidy([1, 2])
    with pytest.raises(TypeError, match="notebook dict"):
        publish.tidy({"cells": "no"})


def test_tidy_file_writes_only_when_something_changed(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(_nb(_widget_cell(), widgets=True), path)
    assert publish.main(["tidy", str(path)]) == 0
    stored = json.loads(path.read_text())
    assert "widgets" not in stored["metadata"] and stored["cells"][0]["outputs"] == []
    before = path.stat().st_mtime_ns
    assert publish.tidy_file(path) == []
    assert path.stat().st_mtime_ns == before


def test_tidy_file_refuses_other_files(tmp_path, capsys):
    other = tmp_path / "notes.txt"
    other.write_text("keep me")
    assert publish.main(["tidy", str(other)]) == 2
    assert "expected an existing .ipynb file" in capsys.readouterr().err
    assert other.read_text() == "keep me"


def test_strip_solution_markers_keeps_the_code():
    code = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\nprint(f(1))"
    assert publish.strip_solution_markers(code) == "def f(x):\n    return 2 * x\nprint(f(1))"
    with pytest.raises(TypeError, match="code must be a str"):
        publish.strip_solution_markers(["### BEGIN SOLUTION"])


def test_long_code_lines_finds_them():
    nb = _nb(nbformat.v4.new_code_cell("x = 1\n" + "y" * 90), nbformat.v4.new_markdown_cell("z" * 200))
    assert publish.long_code_lines(nb) == [(0, 90)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_is_stored_tidy(path):
    nb = nbformat.read(path, as_version=4)
    assert publish.tidy(nb) == [], "run `python -m rnnbook.publish tidy` (make execute does)"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "NBVAL" not in cell.source, "use the nbval-ignore-output tag, not a comment"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_code_fits_the_page(path):
    nb = nbformat.read(path, as_version=4)
    assert publish.long_code_lines(nb) == [], f"code lines over {publish.MAX_CODE_LINE} characters"


def test_unique_scripts_keeps_the_first_of_each():
    from sphinx.builders.html._assets import _JavaScript

    config = _JavaScript(None, body="const THEBE_JS_URL = 1")
    scripts = [_JavaScript("a.js"), config, _JavaScript("b.js", **{"async": "async"}),
               _JavaScript("", body="const THEBE_JS_URL = 1"), _JavaScript("a.js"),
               _JavaScript("b.js")]
    kept = publish.unique_scripts(scripts)
    assert [(s.filename, s.attributes) for s in kept] == [
        ("a.js", {}), (None, {"body": "const THEBE_JS_URL = 1"}),
        ("b.js", {"async": "async"}), ("b.js", {})]


def test_citation_entries_become_list_items():
    body = ('<div role="list" class="citation-list">\n<div class="citation" id="id5" role="doc-biblioentry">'
            '<span class="label">1</span></div>\n</div>')
    out = publish.accessible_citations(body)
    assert 'role="doc-biblioentry"' not in out and out.count('role="listitem"') == 1
    assert publish.accessible_citations("<p>role=doc-biblioentry in prose</p>") == "<p>role=doc-biblioentry in prose</p>"


def test_footer_and_meta_tags():
    assert publish.footer_html("0.1.0", "2026-12-06") == (
        '<p class="recurrent-version">Recurrent 0.1.0, built on 2026-12-06.</p>')
    tags = publish.meta_tags('Learn "RNNs" & more', "Beam search", "Recurrent")
    assert '<meta name="description" content="Learn &quot;RNNs&quot; &amp; more" />' in tags
    assert '<meta property="og:title" content="Beam search | Recurrent" />' in tags
    assert 'property="og:description"' in tags and 'name="twitter:card"' in tags
    assert '<meta property="og:title" content="Recurrent" />' in publish.meta_tags("d", "Recurrent", "Recurrent")


def test_the_build_date_follows_source_date_epoch():
    import datetime

    assert publish.build_date({"SOURCE_DATE_EPOCH": "1796515200"}) == "2026-12-06"
    assert publish.build_date({}) == datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH must be a whole number of seconds"):
        publish.build_date({"SOURCE_DATE_EPOCH": "yesterday"})
