"""The student edition of every notebook runs; only exercise stubs may raise, and only NotImplementedError.

Executing every chapter's student edition takes about as long as nbval itself, so
``make test`` executes chapters 1, 5 and 12 (set by ``RNNBOOK_STUDENT_CHAPTERS``) and
``make test-student`` executes all of them; every other test here covers every chapter.
"""
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnnbook import assign

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.relative_to(ROOT) for p in (ROOT / "chapters").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
_wanted = os.environ.get("RNNBOOK_STUDENT_CHAPTERS", "all")
EXECUTED = NOTEBOOKS if _wanted == "all" else [p for p in NOTEBOOKS if p.stem in _wanted.split(",")]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    assign.write_student_edition(ROOT, out)
    return out


def test_every_chapter_has_solutions_and_checks():
    for rel in NOTEBOOKS:
        nb = nbformat.read(ROOT / rel, as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        exercises = sum(c.source.count("{exercise}") for c in nb.cells if c.cell_type == "markdown")
        checked = sum(s.count("checks.") for s in code)
        stubs = sum(s.count(assign.BEGIN) for s in code)
        if exercises:
            assert exercises >= 5, f"{rel}: {exercises} exercises, expected at least 5"
            assert 2 * checked >= exercises, f"{rel}: {checked} of {exercises} exercises auto-checked"
            assert stubs >= 1, f"{rel}: no solution regions"


@pytest.mark.parametrize("rel", EXECUTED, ids=str)
def test_student_edition_runs(edition, rel):
    path = edition / rel
    nb = nbformat.read(path, as_version=4)
    assert not any(assign.BEGIN in c.source for c in nb.cells), "a solution survived"
    assert not any("{solution" in c.source for c in nb.cells if c.cell_type == "markdown")
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if not errors:
            continue
        assert "raise NotImplementedError()" in cell.source, f"a non-exercise cell raised: {cell.source[:80]!r}"
        assert {e.ename for e in errors} == {"NotImplementedError"}
    # the auto-checks of stubbed functions report "not implemented yet" instead of raising (a numeric
    # answer, checks.answer, sits in its exercise's cell, which stops at the stub's NotImplementedError)
    coding = [c for c in nb.cells if c.cell_type == "code" and re.search(r"checks\.(?!answer\()\w+\(", c.source)]
    if coding:
        assert "not implemented yet" in "".join(o.get("text", "") for c in coding for o in c.outputs)


def test_book_without_solutions_builds(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "student-book"
    done = subprocess.run([sys.executable, "-m", "rnnbook.assign", "book-student", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    pages = list((out / "_build" / "html" / "chapters").glob("*.html"))
    assert pages, "no chapter pages were built"
    for page in pages:
        html = page.read_text()
        assert 'class="solution' not in html and "BEGIN SOLUTION" not in html, page.name
    assert any("YOUR CODE HERE" in p.read_text() for p in pages)


def _expected_student_sources(nb):
    """Every cell outside the solution blocks, read line by line (independently of rnnbook.assign)."""
    expected, gated = [], False
    for cell in nb.cells:
        if cell.cell_type == "code":
            source, stubs = assign.stub_solutions(cell.source)
            shows = [t.split("answer-to-", 1)[1] for t in cell.metadata.get("tags", []) if t.startswith("answer-to-")]
            if shows:   # the package's code for an exercise: commented out, and a note says why
                expected.append("\n".join("# " + line for line in source.split("\n"))
                                + f"\n# (not run in this edition: it shows the answer to exercise {', '.join(shows)})")
                expected.append(f"*The package's code for this step is not shown in this edition: writing it is "
                                f"exercise {', '.join(shows)}, further down. The full book shows it.*")
            elif stubs or not gated:
                expected.append(source)
            continue
        lines, kept, fence = cell.source.split("\n"), [], None
        for line in lines:
            if fence is not None:                    # inside a solution-start/-end directive
                if line.strip() == fence:
                    fence = None
                continue
            head = line.lstrip()
            if head.startswith(("```{solution-start}", "```{solution-end}")):
                gated = head.startswith("```{solution-start}")
                fence = "```"
                continue
            if not gated:
                kept.append(line)
        text = "\n".join(kept).strip("\n")
        if text.strip():
            expected.append(assign.strip_solution_directives(text))
    return expected


@pytest.mark.parametrize("rel", NOTEBOOKS, ids=str)
def test_student_edition_keeps_every_cell_outside_the_solutions(rel):
    nb = nbformat.read(ROOT / rel, as_version=4)
    student = assign.student_notebook(nb)
    assert [c.source for c in student.cells] == _expected_student_sources(nb)
    if any("## References" in c.source for c in nb.cells if c.cell_type == "markdown"):
        assert any("## References" in c.source for c in student.cells), "the References section was lost"


@pytest.mark.parametrize("rel", NOTEBOOKS, ids=str)
def test_no_output_of_the_student_edition_shows_an_answer(rel):
    """Read line by line, as a reader sees it: code that rnnbook.show prints is text, not JSON."""
    book = nbformat.read(ROOT / rel, as_version=4)
    answers = assign.solution_lines(book)
    student = assign.student_notebook(book)
    for cell in student.cells:
        shown = assign.shown_lines(cell) & answers
        assert not shown, f"{rel}: an output shows lines of a solution: {sorted(shown)[:3]}"
    hidden = [c for c in book.cells if any(t.startswith(assign.ANSWER_TAG) for t in c.metadata.get("tags", []))]
    assert all(c.outputs for c in hidden), "the full book shows what the student edition hides"
