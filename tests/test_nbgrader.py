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
            parts = [graded[g] for g in (f"{label}-shape", f"{label}-test") if g in graded]
            for cell in parts:
                assert cell.cell_type == "code" and _meta(cell)["locked"] and not _meta(cell)["solution"]
                assert cell.source.count("### BEGIN HIDDEN TESTS") == cell.source.count("### END HIDDEN TESTS") >= 1
                hidden_part = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1]
                assert "checks" not in hidden_part and "rnnbook" not in hidden_part
            assert sum(_meta(c)["points"] for c in parts) == info["points"] > 0
            assert "quiet=True)" in test.source and "assert _result" in test.source
            if len(parts) == 2:   # partial credit: 1 point for the shapes, the rest for the values
                assert _meta(parts[0])["points"] == 1 and info["points"] >= 2
            if info["written"]:   # a second question gets an answer cell of its own
                answer = graded[f"{label}-answer"]
                assert answer.cell_type == "markdown" and _meta(answer)["points"] == 1
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
    assert reading and all(assign.release_markdown(r) in text for r in reading)
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
    nb = _tiny_book(EXERCISE.replace("ex0-1", "ex1-3"), "```{solution-start} ex1-3\n```\nWhy: because.",
                    nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 298\n### END SOLUTION"),
                    "```{solution-end}\n```\n\nText after.",
                    nbformat.v4.new_code_cell('checks.answer("ex1-3", x)'))
    cells = assign.nbgrader_notebook(nb, salt=1).cells
    assert [c.source for c in cells if c.cell_type == "markdown"][-1] == "Text after."
    test = cells[-1].source
    assert '_result = checks.answer("ex1-3", x, quiet=True)\nassert _result, str(_result)' in test
    assert "### BEGIN HIDDEN TESTS\n" in test and "_math.isclose(float(_v), 298.0" in test
    assert not any("because" in c.source for c in cells)
    for x, passes in ((298, True), (297, False)):   # the whole cell, run as the autograder runs it
        namespace = {"x": x, "checks": checks}
        if passes:
            exec(test, namespace)
        else:
            with pytest.raises(AssertionError):
                exec(test, namespace)
    with pytest.raises(AssertionError, match="`x` is not defined yet"):
        exec(test, {"checks": checks})


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


def test_the_leak_finder_sees_code_shown_in_an_output():
    """The case that a search of json.dumps(outputs) missed: the answer shown by rnnbook.show."""
    nb = nbformat.read(ROOT / "chapters" / "12_beam_search_attention.ipynb", as_version=4)
    shown = [c for c in nb.cells if c.cell_type == "code" and "show(decoding._beam)" in c.source]
    assert shown and assign.solution_lines(nb) & assign.shown_lines(shown[0]), "the full book shows the package's _beam"
    student = assign.student_notebook(nb)
    assert not any(assign.solution_lines(nb) & assign.shown_lines(c) for c in student.cells)


def _cheat_cell():
    """What a learner can do in their own kernel: switch the checks off and read their tables."""
    return nbformat.v4.new_code_cell(
        "from rnnbook import checks as _c\n"
        "from rnnbook.checks import _core\n"
        "_c.CheckResult.assert_passed = lambda self: None\n"
        "_c.CheckResult.__bool__ = lambda self: True\n"
        "_c.answer = lambda *a, **k: _c.CheckResult('x', True, [])\n"
        "import sys\n"
        "def _peek(*args):\n"
        "    f = sys._getframe(1)\n"
        "    while f is not None:\n"
        "        for name in ('expected', '_expected', 'case'):\n"
        "            if name in f.f_locals:\n"
        "                return f.f_locals[name]\n"
        "        f = f.f_back\n"
        "    return None\n")


def _with_solutions(source: Path, keep) -> nbformat.NotebookNode:
    """The course's source notebook with the solution regions of the exercises not in ``keep`` stubbed."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        meta = _meta(cell)
        if cell.cell_type == "code" and meta.get("solution") and not keep(meta["grade_id"]):
            cell.source = assign.stub_solutions(cell.source)[0]
    return nb


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_nbgrader_grades_the_chapter(course, path):
    name = path.stem
    _run(["generate_assignment", name, "--force"], course)
    release = course / "release" / name / f"{name}.ipynb"
    released = set()
    for cell in nbformat.read(release, as_version=4).cells:
        released.update(line.strip() for line in cell.source.split("\n"))
        released.update(assign.shown_lines(cell))
    leaked = sorted(assign.solution_lines(nbformat.read(path, as_version=4)) & released)
    assert not leaked, f"the release shows lines from solution blocks: {leaked[:5]}"
    release_text = release.read_text()
    assert "HIDDEN TESTS" not in release_text and "_arr(" not in release_text, "the release shows a hidden test"

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
    source = course / "source" / name / f"{name}.ipynb"
    graded = {_meta(c)["grade_id"]: _meta(c)["points"] for c in nbformat.read(source, as_version=4).cells
              if _meta(c).get("grade") and c.cell_type == "code"}
    labels = sorted({g.rsplit("-", 1)[0] for g in graded})
    half = set(labels[::2])
    # three more students: the book's own solutions, half of them, and a cheat on the release
    submissions = {"book": _with_solutions(source, lambda g: True),
                   "half": _with_solutions(source, lambda g: g in half)}
    cheat = nbformat.read(release, as_version=4)
    answers = re.findall(r'checks\.answer\("[^"]+", (\w+)', source.read_text())
    cheat.cells.insert(1, _cheat_cell())
    cheat.cells[1].source += "".join(f"{v} = 0\n" for v in answers)   # a wrong number for every answer
    for cell in cheat.cells:   # and functions that return what they find in the checker's frames
        if cell.cell_type == "code" and _meta(cell).get("solution"):
            cell.source = cell.source.replace("raise NotImplementedError()",
                                              "return _peek()" if "def " in cell.source else "pass")
    submissions["cheat"] = cheat
    for student, nb in submissions.items():
        target = course / "submitted" / student / name
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target / f"{name}.ipynb")
    _run(["autograde", name, "--create", "--force"], course)

    total = sum(graded.values())
    score, most = _autograded(course, name, "book")
    assert most == total > 0 and score == most, f"the book's own solutions got {score} of {most} autograded points"
    score, most = _autograded(course, name, stubs)
    assert score == 0 < most, f"the untouched release got {score} of {most} autograded points"
    score, _ = _autograded(course, name, "half")
    right = sum(p for g, p in graded.items() if g.rsplit("-", 1)[0] in half)
    assert score == right, f"half of the solutions got {score} points; their exercises are worth {right}"
    score, _ = _autograded(course, name, "cheat")
    assert score == 0, f"patching rnnbook.checks and reading its frames took {score} points"
    _run(["generate_feedback", name, "--force"], course)
    for student in ("book", stubs, "half", "cheat"):
        page = course / "feedback" / student / name / f"{name}.html"
        assert page.is_file()
        text = page.read_text()
        assert "site-packages" not in text and str(ROOT / "code") not in text, \
            "the feedback shows a traceback into the package's files"

    # re-running the course tool in the graded course loses nothing of it
    kept = {p: p.read_bytes() for sub in ("gradebook.db", "submitted", "autograded", "feedback", "release")
            for p in ([course / sub] if (course / sub).is_file() else (course / sub).rglob("*")) if p.is_file()}
    assert assign.main(["nbgrader", str(course), "--root", str(ROOT)]) == 0
    assert all(p.read_bytes() == data for p, data in kept.items())



MYST = re.compile(r"^(`{3,}|:{3,})\{|\{(term|numref|footcite|cite|ref|eq|doc)\}`|^\([\w.:-]+\)=\s*$|^:(label|class):",
                  re.MULTILINE)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_release_shows_no_myst_markup(path):
    source = assign.nbgrader_notebook(nbformat.read(path, as_version=4), salt=1)
    for cell in source.cells:
        if cell.cell_type == "markdown":
            found = MYST.search(cell.source)
            assert found is None, f"MyST markup {found.group(0)!r} in: {cell.source[:120]!r}"


def test_an_exercise_with_more_questions_is_noticed():
    ask = assign._more_questions
    assert ask("How many bytes does X take? How many do the ids take?")
    assert ask("(a) Count them. (b) Explain.") and not ask("What is `a?b` worth?")
    written = [label for path in CHAPTERS for label, info in assign.exercises(nbformat.read(path, as_version=4)).items()
               if info["auto"] and info["written"]]
    assert "ex8-1" in written and "ex2-1" in written


def test_release_markdown():
    md = ("(ch-x)=\n# Title\n\nSee {numref}`Fig. %s <fig-a>`, {term}`RNNs <rnn>` and {footcite}`a2019,b2020`.\n\n"
          "```{exercise} \u2605\u2605 Write it (auto-checked)\n:label: ex1-2\n\nDo it.\n```\n\n"
          "```{admonition} Common misconception\n:class: warning\nText.\n```\n\n```{footbibliography}\n```\n")
    out = assign.release_markdown(md)
    assert out.startswith("# Title") and "See Fig. *fig-a*, RNNs and [a2019, b2020]." in out
    assert "**Exercise ex1-2** \u2605\u2605 Write it (auto-checked)\n\nDo it." in out
    assert "**Common misconception**\n\nText." in out and "footbibliography" not in out
