"""Instructors grade with nbgrader: `python -m rnnbook.assign nbgrader OUT`, then nbgrader itself.

The fast tests check the course folder's notebooks cell by cell.  The end-to-end tests
run the real nbgrader on chapters 1 and 5 (every chapter with ``make test-nbgrader``,
which sets ``RNNBOOK_NBGRADER_CHAPTERS=all``): generate the release, check that it
holds nothing from inside a solution block, and autograde the book's own notebook
(full marks) and the untouched release (no points).
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnbook import assign, checks

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9]*.ipynb"))
BIN = Path(sys.executable).parent
NBGRADER = BIN / "nbgrader"

_wanted = os.environ.get("RNNBOOK_NBGRADER_CHAPTERS", "01_sequence_learning,05_lstm")
GRADED = CHAPTERS if _wanted == "all" else [p for p in CHAPTERS if p.stem in _wanted.split(",")]


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def _solution_lines(nb) -> set[str]:
    """Every substantial line written inside the book's solution blocks (text and code)."""
    inside, found, gated = set(), set(), False
    outside = set()
    for cell in nb.cells:
        lines = cell.source.split("\n")
        if cell.cell_type == "markdown" and re.search(r"\{solution-(start|end)\}", cell.source):
            for line in lines:
                if "{solution-start}" in line:
                    gated = True
                elif "{solution-end}" in line:
                    gated = False
                elif not line.startswith((":", "```")):
                    (inside if gated else outside).add(line.strip())
            continue
        if cell.cell_type == "code" and assign.BEGIN in cell.source:
            region = False
            for line in lines:
                if line.strip() == assign.BEGIN:
                    region = True
                elif line.strip() == assign.END:
                    region = False
                elif region:  # the code around the markers is the learner's scaffold
                    inside.add(line.strip())
                else:
                    outside.add(line.strip())
            continue
        (inside if gated else outside).update(line.strip() for line in lines)
    for line in inside:
        if len(line) >= 12 and line not in outside:
            found.add(line)
    return found


# ---------------------------------------------------------------- the course folder, cell by cell
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_is_graded(path):
    book = nbformat.read(path, as_version=4)
    source = assign.nbgrader_notebook(book)
    found = assign.exercises(book)
    graded = {_meta(c)["grade_id"]: c for c in source.cells if _meta(c).get("grade")}
    for label, info in found.items():
        if info["auto"]:
            test = graded[f"{label}-test"]
            assert test.cell_type == "code" and _meta(test)["locked"] and not _meta(test)["solution"]
            assert _meta(test)["points"] == info["points"] > 0
            assert test.source.strip().endswith(".assert_passed()")
            assert all(line.startswith("checks.") for line in test.source.split("\n"))
        else:
            answer = graded[f"{label}-answer"]
            assert answer.cell_type == "markdown" and _meta(answer)["solution"]
            assert _meta(answer)["points"] == info["points"] > 0
            assert assign.BEGIN in answer.source and "Rubric" in answer.source
    for cell in source.cells:
        if _meta(cell).get("solution") and cell.cell_type == "code":
            assert "checks." not in cell.source, "a solution cell holds only the learner's answer"
        if _meta(cell).get("solution") or _meta(cell).get("grade"):
            assert not cell.get("outputs"), "no stored output in a solution or test cell"
    assert "## References" in "\n".join(c.source for c in source.cells)


def test_the_source_keeps_the_reading():
    book = nbformat.read(CHAPTERS[0], as_version=4)
    source = assign.nbgrader_notebook(book)
    reading = [c.source for c in book.cells if "{exercise}" in c.source or c.source.startswith("(ch-")]
    text = [c.source for c in source.cells]
    assert reading and all(r in text for r in reading)
    figures = sum("image/png" in o.get("data", {}) for c in source.cells for o in c.get("outputs", []))
    assert figures >= 3, "the figures stay in the source (and the release)"


def _tiny_book(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(c) if isinstance(c, str) else c for c in cells]
    return nb


EXERCISE = "```{exercise} \u2605 numeric, auto-checked\n:label: ex0-1\n\nHow much?\n```"


def test_an_auto_checked_exercise_without_a_check_is_refused():
    nb = _tiny_book(EXERCISE, "```{solution-start} ex0-1\n```",
                    nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
                    "```{solution-end}\n```", "The end.")
    with pytest.raises(ValueError, match="ex0-1 has no check call"):
        assign.nbgrader_notebook(nb)


def test_a_solution_block_without_its_exercise_is_refused():
    nb = _tiny_book("```{solution-start} ex9-9\n```", "```{solution-end}\n```")
    with pytest.raises(ValueError, match="ex9-9, which is not an exercise"):
        assign.nbgrader_notebook(nb)


def test_a_check_cell_after_the_block_becomes_the_test():
    nb = _tiny_book(EXERCISE, "```{solution-start} ex0-1\n```\nWhy: because.",
                    nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
                    "```{solution-end}\n```\n\nText after.",
                    nbformat.v4.new_code_cell('checks.answer("ex0-1", x)'))
    cells = assign.nbgrader_notebook(nb).cells
    assert [c.source for c in cells if c.cell_type == "markdown"][-1] == "Text after."
    assert cells[-1].source == 'checks.answer("ex0-1", x).assert_passed()'
    assert not any("because" in c.source for c in cells)


def test_the_course_tool_never_overwrites_foreign_work(tmp_path):
    out = tmp_path / "course"
    out.mkdir()
    (out / "grades.db").write_text("an instructor's gradebook")
    assert assign.main(["nbgrader", str(out)]) == 2
    assert (out / "grades.db").read_text() == "an instructor's gradebook"
    assert assign.main(["nbgrader", str(ROOT)]) == 2


def test_assert_passed_raises_with_the_feedback():
    result = checks.answer("ex1-3", 297, quiet=True)
    with pytest.raises(AssertionError) as err:
        result.assert_passed()
    assert str(err.value) == str(result) and "ex1-3" in str(err.value)


# ---------------------------------------------------------------- nbgrader itself, end to end
def _run(args, cwd, timeout=1200):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(NBGRADER), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not NBGRADER.exists():
        pytest.fail(f"nbgrader is not installed next to {sys.executable}: run make (requirements.txt pins it)")
    out = tmp_path_factory.mktemp("nbgrader") / "course"
    assign.write_nbgrader_course(ROOT, out)
    assert (out / "nbgrader_config.py").is_file()
    assert sorted(p.name for p in (out / "source").iterdir()) == [p.stem for p in CHAPTERS]
    return out


def _autograded(course_dir: Path, assignment: str, student: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        auto = [g for g in nb.grades if g.cell.cell_type == "code"]
        return sum(g.auto_score or 0 for g in auto), sum(g.max_score for g in auto)


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_nbgrader_grades_the_chapter(course, path):
    name = path.stem
    _run(["generate_assignment", name, "--force"], course)
    release = course / "release" / name / f"{name}.ipynb"
    released = set()
    for cell in nbformat.read(release, as_version=4).cells:
        texts = [cell.source] + [str(out.get("text", "")) + json.dumps(out.get("data", {}))
                                 for out in cell.get("outputs", [])]
        released.update(line.strip() for text in texts for line in text.split("\n"))
    leaked = sorted(_solution_lines(nbformat.read(path, as_version=4)) & released)
    assert not leaked, f"the release shows lines from solution blocks: {leaked[:5]}"

    # the learner's round trip through an exchange: fetch the release, submit it untouched
    exchange = course.parent / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o777)
    ex = [f"--Exchange.root={exchange}"]
    _run(["release_assignment", name, "--force", *ex], course)
    home = course.parent / "learner"
    home.mkdir(exist_ok=True)
    _run(["fetch_assignment", name, "--course", "recurrent", *ex], home)
    assert (home / name / f"{name}.ipynb").read_text() == release.read_text()
    _run(["submit", name, "--course", "recurrent", *ex], home)
    _run(["collect", name, "--update", *ex], course)
    collected = [p.name for p in (course / "submitted").iterdir() if (p / name).is_dir()]
    assert len(collected) == 1, collected
    stubs = collected[0]
    # the book's own solutions, handed in as a second student's submission
    target = course / "submitted" / "book" / name
    target.mkdir(parents=True)
    shutil.copy(course / "source" / name / f"{name}.ipynb", target / f"{name}.ipynb")
    _run(["autograde", name, "--create", "--force"], course)

    score, most = _autograded(course, name, "book")
    assert most > 0 and score == most, f"the book's own solutions got {score} of {most} autograded points"
    score, most = _autograded(course, name, stubs)
    assert score == 0 < most, f"the untouched release got {score} of {most} autograded points"
    _run(["generate_feedback", name, "--force"], course)
    for student in ("book", stubs):
        assert (course / "feedback" / student / name / f"{name}.html").is_file()

    # re-running the course tool in the graded course loses nothing of it
    kept = {p: p.read_bytes() for sub in ("gradebook.db", "submitted", "autograded", "feedback", "release")
            for p in ([course / sub] if (course / sub).is_file() else (course / sub).rglob("*")) if p.is_file()}
    assert assign.main(["nbgrader", str(course), "--root", str(ROOT)]) == 0
    assert all(p.read_bytes() == data for p, data in kept.items())

