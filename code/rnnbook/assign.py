"""The student edition of the book, and a build of the book without solutions.

Usage::

    python -m rnnbook.assign student OUT        # notebooks for learners, into OUT/
    python -m rnnbook.assign book-student OUT   # the HTML book without solutions, into OUT/_build/html
                                                # (its sources go to OUT-source, next to OUT)

What changes in the student edition:

* In code cells, every region between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  (nbgrader's markers) becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()``,
  indented like the region, and the cell's outputs are cleared.  Cells that call an
  auto-check (``checks.``) lose their stored outputs too.
* In markdown, ``solution`` directives are removed, and so is everything between a
  ``solution-start`` and a ``solution-end`` cell, except the code cells with solution
  regions, which stay (stubbed) as the place where the learner writes.

Everything else is kept as it is, outputs included.

The tool never deletes what it did not write.  Every folder it writes carries a marker
file, ``.rnnbook-student-edition``; an existing output folder is replaced (deleted and
written again) only when it carries that marker, so anything you put in a marked folder
goes with it on the next run.  Before anything on disk is touched, the output folder
(for ``book-student``: both ``OUT-source`` and ``OUT``) is checked, and the tool stops
with ``error: ...`` and exit status 2 (:class:`UnsafeOutputError` from Python) when it is

* the book's own folder, or a folder that contains the book (``..``, ``~``, ``/``),
  compared after resolving symbolic links and ``..``;
* inside one of the book's own sources (``chapters``, ``code``, ``tests``, ``data``,
  ``.git``, the files of :data:`BOOK_FILES`, anything git tracks);
* a symbolic link (give the real folder instead);
* an existing file, or anything else that is not a folder;
* an existing folder that is not empty and has no marker: remove it yourself or choose
  another folder.

A new folder, an empty folder, or one of the tool's own marked folders is fine, also
inside the book (``make student`` writes ``student/`` in the book's root).  The build of
``book-student`` is not deleted before building: ``OUT`` is only checked, and marked
once the build has run.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
BOOK_FILES = ("_config.yml", "_toc.yml", "references.bib", "chapters", "code", "pyproject.toml")
MARKER = ".rnnbook-student-edition"
MARKER_TEXT = ("Written by `python -m rnnbook.assign` (the student edition of Recurrent). "
               "This folder is deleted and written again on the next run.\n")
# top-level names in the book that are its sources: the tool never writes into (or over) them
SOURCE_NAMES = frozenset(BOOK_FILES) | {
    ".git", ".github", ".ci", ".gitignore", "tests", "data", "conftest.py", "Makefile",
    "README.md", "requirements.txt", "runtime.txt"}


class UnsafeOutputError(ValueError):
    """The output folder is one the tool must not write to or delete; nothing was touched."""

_SOLUTION_BLOCK = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{solution\}.*?^(?P=fence)[ \t]*$\n?", re.MULTILINE | re.DOTALL)
_START = re.compile(r"^(:{3,}|`{3,})\{solution-start\}", re.MULTILINE)
_END = re.compile(r"^(:{3,}|`{3,})\{solution-end\}", re.MULTILINE)
# a whole fenced solution-start or solution-end directive, options and closing fence included
_GATE_BLOCK = re.compile(r"^(?P<fence>:{3,}|`{3,})\{solution-(?P<kind>start|end)\}.*?^(?P=fence)[ \t]*$\n?",
                         re.MULTILINE | re.DOTALL)


def stub_solutions(source: str) -> tuple[str, int]:
    """Replace each solution region of a code cell with the stub; return (new source, regions replaced).

    Raises
    ------
    ValueError
        If a ``BEGIN`` marker has no matching ``END`` (or the reverse).
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    out, inside, count, indent = [], False, 0, ""
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError("a second '### BEGIN SOLUTION' before '### END SOLUTION'")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in STUB)
            count += 1
        elif stripped == END:
            if not inside:
                raise ValueError("'### END SOLUTION' without '### BEGIN SOLUTION'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("'### BEGIN SOLUTION' without '### END SOLUTION'")
    return "\n".join(out), count


def strip_solution_directives(markdown: str) -> str:
    """Remove every ``{solution}`` directive block (colon or backtick fenced) from markdown."""
    return _SOLUTION_BLOCK.sub("", markdown)


def _outside_solutions(markdown: str, gated: bool) -> tuple[str, bool]:
    """The text of a markdown cell that lies outside solution blocks, and whether the cell ends inside one.

    ``gated`` says whether the cell starts inside a solution block (after a
    ``{solution-start}`` in an earlier cell).
    """
    kept, pos = [], 0
    for match in _GATE_BLOCK.finditer(markdown):
        if not gated:
            kept.append(markdown[pos:match.start()])
        if match["kind"] == "start":
            if gated:
                raise ValueError("a solution-start inside another solution block")
            gated = True
        else:
            if not gated:
                raise ValueError("a solution-end without a solution-start")
            gated = False
        pos = match.end()
    if not gated:
        kept.append(markdown[pos:])
    return "".join(kept), gated


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the student edition of one notebook (the input is not modified)."""
    nb = nbformat.from_dict(nb)  # deep copy
    cells, gated = [], False
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "markdown" and (_START.search(src) or _END.search(src)):
            kept, gated = _outside_solutions(src, gated)
            if kept.strip():   # text before a solution-start or after a solution-end stays
                cell.source = strip_solution_directives(kept.strip("\n"))
                cells.append(cell)
            continue
        if cell.cell_type == "code":
            new, count = stub_solutions(src)
            if count:
                cell.source, cell.outputs, cell.execution_count = new, [], None
            elif gated:
                continue  # solution-only code (a worked experiment): not in the student edition
            elif "checks." in src:
                cell.outputs, cell.execution_count = [], None
        elif gated:
            continue
        elif cell.cell_type == "markdown":
            cell.source = strip_solution_directives(src)
        cells.append(cell)
    if gated:
        raise ValueError("a solution-start cell without a matching solution-end cell")
    nb.cells = cells
    return nb


_EXERCISE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{exercise\}(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                       re.MULTILINE | re.DOTALL)
_LABEL = re.compile(r"^:label:\s*(?P<label>\S+)", re.MULTILINE)
_START_LABEL = re.compile(r"\{solution-start\}\s*(?P<label>\S+)")
#: nbgrader's cell metadata schema that the course folder is written in.
NBGRADER_SCHEMA = 3


def _nbgrader_meta(grade_id: str, *, solution: bool, grade: bool, locked: bool,
                   points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": NBGRADER_SCHEMA, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def exercises(nb: nbformat.NotebookNode) -> dict[str, dict]:
    """The exercises of a notebook: label -> {"auto": auto-checked?, "points": number of stars}."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for match in _EXERCISE.finditer(cell.source):
            label = _LABEL.search(match["body"])
            if label is None:
                raise ValueError(f"an exercise without a :label: ({match['title'].strip()!r})")
            title = match["title"]
            found[label["label"]] = {"auto": "auto-checked" in title,
                                     "points": max(1, title.count("\u2605"))}
    return found


def _split_checks(source: str) -> tuple[str, list[str]]:
    """Split a solution cell into (the learner's part, the check statements after its last END)."""
    lines = source.split("\n")
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    tail_start = ends[-1] + 1 if ends else len(lines)
    keep, checks_ = lines[:tail_start], []
    for line in lines[tail_start:]:
        (checks_ if line.startswith("checks.") else keep).append(line)
    return "\n".join(keep).rstrip("\n"), checks_


def _assertion(check_code: str) -> str:
    """``checks.x(...)`` statements, each made to raise ``AssertionError`` when the check fails."""
    import ast

    tree = ast.parse(check_code)
    lines = []
    for stmt in tree.body:
        segment = ast.get_source_segment(check_code, stmt)
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
            raise ValueError(f"a check cell may hold only check calls; found {segment!r}")
        lines.append(f"{segment}.assert_passed()")
    return "\n".join(lines)


def _is_check_cell(cell) -> bool:
    lines = [line for line in cell.source.split("\n") if line.strip()]
    return cell.cell_type == "code" and bool(lines) and all(
        line.startswith(("checks.", " ", ")")) for line in lines) and lines[0].startswith("checks.")


def nbgrader_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the nbgrader source version of one notebook (the input is not modified).

    * The reading, the figures and the references stay as they are.
    * A solution block (from ``{solution-start}`` to ``{solution-end}``) keeps only the
      code cells with ``### BEGIN/END SOLUTION`` regions, as nbgrader solution cells
      without outputs; its explanations and worked code are dropped from the cells the
      release is made from.
    * An auto-checked exercise gets a locked autograder-test cell worth its stars in
      points, right after its solution block, in which each check call ends in
      ``.assert_passed()``, so a failed check fails the cell.  The check comes from the
      solution cell's last lines or from the check cell that follows the block.
    * Any other exercise (conceptual, experiment) gets a manually graded answer cell
      worth its stars; the book's solution is its rubric, inside solution markers, so
      the release shows only nbgrader's "YOUR ANSWER HERE".

    Raises
    ------
    ValueError
        If the notebook's exercises and solution blocks do not fit together (a solution
        block without an exercise, an auto-checked exercise without a check).
    """
    nb = nbformat.from_dict(nb)  # deep copy
    found = exercises(nb)
    cells, gated, label, rubric, checks_, awaiting = [], False, None, [], [], None

    def close_block():
        info = found[label]
        if info["auto"]:
            return [_test_cell(label, info["points"], "\n".join(checks_))] if checks_ else label
        text = "\n\n".join(part.strip("\n") for part in rubric if part.strip())
        answer = nbformat.v4.new_markdown_cell(
            f"**Your answer to {label}** ({info['points']} points, graded by hand)\n\n"
            f"{BEGIN}\nRubric, from the book's solution:\n\n{text}\n{END}")
        answer.metadata["nbgrader"] = _nbgrader_meta(f"{label}-answer", solution=True, grade=True,
                                                     locked=False, points=info["points"])
        return [answer]

    def text_cell(text: str) -> None:
        if text.strip():
            cells.append(nbformat.v4.new_markdown_cell(strip_solution_directives(text.strip("\n"))))

    for cell in nb.cells:
        src = cell.source
        if awaiting is not None:
            if not _is_check_cell(cell):
                raise ValueError(f"auto-checked exercise {awaiting} has no check call")
            cells.append(_test_cell(awaiting, found[awaiting]["points"], src))
            awaiting = None
            continue
        if cell.cell_type == "markdown" and (_START.search(src) or _END.search(src)):
            outside, pos = [], 0
            for gate in _GATE_BLOCK.finditer(src):
                (rubric if gated else outside).append(src[pos:gate.start()])
                pos = gate.end()
                if gate["kind"] == "start":
                    if gated:
                        raise ValueError("a solution-start inside another solution block")
                    text_cell("".join(outside))
                    outside, gated, rubric, checks_ = [], True, [], []
                    label = _START_LABEL.search(gate.group(0))["label"]
                    if label not in found:
                        raise ValueError(f"a solution block for {label}, which is not an exercise here")
                else:
                    if not gated:
                        raise ValueError("a solution-end without a solution-start")
                    gated = False
                    closed = close_block()
                    if isinstance(closed, str):
                        awaiting = closed
                    else:
                        cells.extend(closed)
            (rubric if gated else outside).append(src[pos:])
            text_cell("".join(outside))
            continue
        if gated:
            if cell.cell_type == "code" and BEGIN in src:
                learner, tail = _split_checks(src)
                checks_.extend(tail)
                cell.source, cell.outputs, cell.execution_count = learner, [], None
                cell.metadata["nbgrader"] = _nbgrader_meta(label, solution=True, grade=False,
                                                           locked=False)
                cells.append(cell)
            elif cell.cell_type == "code":
                rubric.append(f"```python\n{src}\n```")
            else:
                rubric.append(src)
            continue
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "markdown":
            cell.source = strip_solution_directives(src)
        cells.append(cell)
    if gated:
        raise ValueError("a solution-start cell without a matching solution-end cell")
    if awaiting is not None:
        raise ValueError(f"auto-checked exercise {awaiting} has no check call")
    nb.cells = cells
    return nb


def _test_cell(label: str, points: int, check_code: str):
    cell = nbformat.v4.new_code_cell(_assertion(check_code))
    cell.metadata["nbgrader"] = _nbgrader_meta(f"{label}-test", solution=False, grade=True,
                                               locked=True, points=points)
    return cell


def _tracked_top_names(root: Path) -> set[str]:
    """The top-level names under ``root`` that git tracks (empty when git or a repository is missing)."""
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode != 0:
        return set()
    names = (p.split("/", 1)[0] for p in done.stdout.decode("utf-8", "surrogateescape").split("\0"))
    return {n for n in names if n}


def is_marked(folder: Path) -> bool:
    """Whether ``folder`` is a real folder holding this tool's marker (a regular file, not a link)."""
    folder, marker = Path(folder), Path(folder) / MARKER
    return (not folder.is_symlink() and folder.is_dir()
            and not marker.is_symlink() and marker.is_file())


def mark(folder: Path) -> None:
    """Put this tool's marker into ``folder``."""
    (Path(folder) / MARKER).write_text(MARKER_TEXT)


def check_output(root: Path, out: Path, what: str = "output folder") -> bool:
    """Check that the tool may write ``out``; return whether ``out`` exists (and is then marked or empty).

    Nothing is written or deleted here.  The rules are those of the module's docstring.

    Raises
    ------
    UnsafeOutputError
        If ``out`` is the book, contains it, lies in the book's sources, is a symbolic link,
        is not a folder, or is a non-empty folder without the marker.
    """
    root, out = Path(root), Path(out)
    root_real = Path(os.path.realpath(root))
    out_real = Path(os.path.realpath(out))
    shown = str(out) if str(out) == str(out_real) else f"{out} ({out_real})"

    def refuse(reason: str) -> UnsafeOutputError:
        return UnsafeOutputError(f"refusing to use {shown} as the {what}: {reason}; nothing was changed")

    if out_real == root_real:
        raise refuse(f"it is the book's own folder ({root_real}); "
                     "the student edition must go to another folder than the book itself")
    if root_real.is_relative_to(out_real):
        raise refuse(f"it contains the book ({root_real}); the student edition must go to "
                     "another folder than the book itself, and never to one that holds it")
    if out.is_symlink():
        raise refuse(f"it is a symbolic link (to {os.readlink(out)}); "
                     "the tool does not write or delete through links: give the real folder")
    if out_real.is_relative_to(root_real):
        top = out_real.relative_to(root_real).parts[0]
        if top in SOURCE_NAMES or top in _tracked_top_names(root_real):
            raise refuse(f"it is in the book's own sources ({root_real / top}); "
                         "write the student edition outside them (e.g. student/ in the book's folder)")
    if not out.exists():
        return False
    if not out.is_dir():
        raise refuse("it exists and is not a folder")
    if is_marked(out):
        return True
    if any(out.iterdir()):
        raise refuse(f"it is a folder that is not empty and was not written by this tool "
                     f"(it has no {MARKER} marker); remove it yourself or choose a new or empty folder")
    return True


def write_student_edition(root: Path, out: Path) -> list[Path]:
    """Copy the book from ``root`` into ``out`` with every notebook in its student edition.

    ``out`` is checked first (:func:`check_output`); an existing ``out`` is replaced only
    when it is empty or carries the tool's marker, and the new ``out`` is marked.

    Raises
    ------
    UnsafeOutputError
        If ``out`` may not be written (then nothing on disk was touched).
    """
    root, out = Path(root), Path(out)
    if check_output(root, out) and is_marked(out):
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    mark(out)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", "*.egg-info")
    for name in BOOK_FILES:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, out / name)
    written = []
    for path in sorted((out / "chapters").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.write(student_notebook(nb), path)
        written.append(path)
    return written


NBGRADER_CONFIG = """\
# nbgrader's configuration for the Recurrent course, written by `python -m rnnbook.assign nbgrader`.
# Run nbgrader from this folder: nbgrader generate_assignment 01_sequence_learning, and so on.
c = get_config()  # noqa: F821  (nbgrader provides it)
c.CourseDirectory.course_id = "recurrent"
# Keep the reading's figures and printed results in the release: the source notebooks
# already hold no output in any solution or test cell.
c.ClearOutput.enabled = False
# Some chapters train models in a cell for up to a minute.
c.Execute.timeout = 600
"""


def write_nbgrader_course(root: Path, out: Path) -> list[Path]:
    """Write an nbgrader course folder into ``out``: ``source/<stem>/<stem>.ipynb`` per chapter.

    Each notebook is :func:`nbgrader_notebook` of a chapter; ``out/nbgrader_config.py``
    sets the course up.  ``out`` is checked and replaced like the student edition's
    folder (:func:`check_output`), and marked.

    Raises
    ------
    UnsafeOutputError
        If ``out`` may not be written (then nothing on disk was touched).
    """
    root, out = Path(root), Path(out)
    chapters = sorted((root / "chapters").glob("[0-9]*.ipynb"))
    if not chapters:
        raise ValueError(f"no chapter notebooks in {root / 'chapters'}")
    sources = {path.stem: nbgrader_notebook(nbformat.read(path, as_version=4)) for path in chapters}
    if check_output(root, out) and is_marked(out):
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    mark(out)
    (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    written = []
    for stem, nb in sources.items():
        folder = out / "source" / stem
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{stem}.ipynb")
        written.append(folder / f"{stem}.ipynb")
    return written


def _book_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "_toc.yml").exists():
            return parent
    return Path.cwd()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnbook.assign", description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=["student", "book-student", "nbgrader"])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--root", type=Path, default=None, help="the book's folder (default: found from the package)")
    args = parser.parse_args(argv)
    root = args.root or _book_root()
    try:
        if args.edition == "student":
            written = write_student_edition(root, args.out)
            print(f"wrote the student edition of {len(written)} notebooks to {args.out}/chapters")
            return 0
        if args.edition == "nbgrader":
            written = write_nbgrader_course(root, args.out)
            print(f"wrote an nbgrader course of {len(written)} assignments to {args.out}: "
                  f"cd {args.out} && nbgrader generate_assignment {written[0].stem}")
            return 0
        out_abs = Path(os.path.abspath(args.out))
        check_output(root, args.out, what="output folder of the book build")
        src = out_abs.with_name(out_abs.name + "-source")
        check_output(root, src, what=f"source folder of the book build (OUT-source, next to {args.out})")
        write_student_edition(root, src)
    except UnsafeOutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(src), "--path-output", str(args.out), "-q"]
    done = subprocess.run(cmd)
    if args.out.is_dir() and not args.out.is_symlink():
        mark(args.out)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
