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

The tool never deletes or changes what it did not write.  Every folder it writes carries a
marker file, ``.rnnbook-student-edition``, that lists each file it wrote with its SHA-256
hash.  On the next run into the same folder it replaces (or removes) only those files, and
only while they are unchanged; everything else in the folder (a learner's own files, an
nbgrader course's ``gradebook.db``, ``submitted/``, ``autograded/``, ``feedback/``,
``release/``) stays as it is.  If one of its files was changed since, or a file it did not
write stands where it would write, it stops with ``error: ...`` naming the file and exit
status 2, and nothing is touched; ``--force`` then moves the old folder aside to
``OUT.old-<time>`` (it is never deleted) and writes a fresh one.

Before anything on disk is touched, the output folder (for ``book-student``: both
``OUT-source`` and ``OUT``) is checked, and the tool stops with ``error: ...`` and exit
status 2 (:class:`UnsafeOutputError` from Python) when it is

* the book's own folder, or a folder that contains the book (``..``, ``~``, ``/``),
  compared after resolving symbolic links and ``..``;
* inside one of the book's own sources (``chapters``, ``code``, ``tests``, ``data``,
  ``.git``, the files of :data:`BOOK_FILES`, anything git tracks);
* a symbolic link (give the real folder instead);
* an existing file, or anything else that is not a folder;
* an existing folder that is not empty and has no marker: remove it yourself or choose
  another folder.

``--root`` must be a Recurrent book (a ``_toc.yml`` and notebooks in ``chapters/``), or the
tool stops with exit status 2 (:class:`NotABookError`).  A new folder, an empty folder, or
one of the tool's own marked folders is fine, also inside the book (``make student``
writes ``student/`` in the book's root) and also the current folder (``.``).
``book-student`` never deletes its build folder: jupyter-book writes into it, and the
marker then lists what was built, so that a changed page is noticed on the next run.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
#: What the student edition copies from the book: its sources, and the images, stylesheet and
#: measured results the pages show (the notebooks go through :func:`student_notebook`).
BOOK_FILES = ("_config.yml", "_toc.yml", "references.bib", "chapters", "code", "pyproject.toml",
              "images", "_static", "benchmarks")
#: What the notebooks need to run where the student edition is published (Binder, Colab):
#: the stored experiment results and the pinned requirements.
RUN_FILES = ("data", "requirements.txt", "runtime.txt")
MARKER = ".rnnbook-student-edition"
MARKER_TEXT = ("Written by `python -m rnnbook.assign` (the student edition of Recurrent). "
               "On the next run it replaces only the files listed here, and only while they are unchanged.\n")
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
    """Return the student edition of one notebook (the input is not modified).

    Besides the solutions, the output of every cell tagged ``answer-to-<label>`` is left
    out (:func:`_hide_answers`): it shows the package's code that an exercise asks for.
    """
    nb = _hide_answers(nbformat.from_dict(nb))  # a deep copy
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


def _more_questions(body: str) -> bool:
    """Whether an exercise asks more than one question (two question marks, or parts (a), (b))."""
    text = re.sub(r"`[^`]*`|\$[^$]*\$", "", body)   # question marks in code or maths do not count
    return text.count("?") >= 2 or bool(re.search(r"\(b\)", text))


def exercises(nb: nbformat.NotebookNode) -> dict[str, dict]:
    """The exercises of a notebook: label -> {"auto": auto-checked?, "points": number of stars,
    "written": does it ask more than one question (so that an auto-checked one also needs a written answer)?}."""
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
                                     "points": max(1, title.count("\u2605")),
                                     "written": _more_questions(match["body"])}
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


def _is_check_cell(cell) -> bool:
    lines = [line for line in cell.source.split("\n") if line.strip()]
    return cell.cell_type == "code" and bool(lines) and all(
        line.startswith(("checks.", " ", ")")) for line in lines) and lines[0].startswith("checks.")


#: A code cell tagged ``answer-to-<label>`` shows (usually with ``rnnbook.show``) code that
#: exercise ``<label>`` asks the learner to write; the editions without solutions leave out
#: its output, and its source becomes a comment.
ANSWER_TAG = "answer-to-"


def _hide_answers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Clear, in place, the outputs of the cells tagged ``answer-to-<label>`` and say why."""
    cells = []
    for cell in nb.cells:
        labels = [t[len(ANSWER_TAG):] for t in cell.metadata.get("tags", []) if t.startswith(ANSWER_TAG)]
        if cell.cell_type != "code" or not labels:
            cells.append(cell)
            continue
        shown = ", ".join(labels)
        cell.outputs, cell.execution_count = [], None
        cell.source = "\n".join(f"# {line}" for line in cell.source.split("\n")) + \
            f"\n# (not run in this edition: it shows the answer to exercise {shown})"
        cells.append(cell)
        cells.append(nbformat.v4.new_markdown_cell(
            f"*The package's code for this step is not shown in this edition: writing it is exercise "
            f"{shown}, further down. The full book shows it.*"))
    nb.cells = cells
    return nb


_DIRECTIVE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<name>exercise|admonition|footbibliography|note|warning|tip)\}"
                        r"(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$\n?", re.MULTILINE | re.DOTALL)
_OPTION = re.compile(r"^:(?P<key>[a-z-]+):[ \t]*(?P<value>[^\n]*)\n?", re.MULTILINE)
_TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*\n", re.MULTILINE)   # a MyST label line: (ch-intro)=
_ROLE = re.compile(r"\{(?P<role>term|numref|footcite|cite|ref|eq|doc)\}`(?P<text>[^`]*)`")


def _role_text(match: re.Match) -> str:
    role, text = match["role"], match["text"]
    shown, _, target = text.partition(" <")
    target = target.rstrip(">") if target else shown
    if role in ("footcite", "cite"):
        return "[" + ", ".join(k.strip() for k in text.split(",")) + "]"
    if role == "eq":
        return f"({text})"
    if role == "numref":
        return shown.replace("%s", f"*{target}*") if "%s" in shown else f"*{target}*"
    return shown if target != shown or role != "ref" else f"*{text}*"


def release_markdown(markdown: str) -> str:
    """The book's MyST Markdown as plain Markdown that JupyterLab shows without markup.

    Exercises and boxes become a bold title over their text (``:label:`` kept as the
    exercise's name), the bibliography directive and label lines such as ``(ch-intro)=``
    are dropped, and roles become their
    text: ``{term}`RNN``` -> RNN, ``{footcite}`a,b``` -> [a, b], ``{numref}`fig-x``` ->
    *fig-x*, ``{eq}`e``` -> (e).
    """
    def directive(match: re.Match) -> str:
        name, title, body = match["name"], match["title"].strip(), match["body"]
        if name == "footbibliography":
            return ""
        options = {}
        while (opt := _OPTION.match(body)) is not None:
            options[opt["key"]] = opt["value"].strip()
            body = body[opt.end():]
        if name == "exercise":
            head = f"**Exercise {options.get('label', '')}**" + (f" {title}" if title else "")
        else:
            head = f"**{title or name.capitalize()}**"
        return head + "\n\n" + body.strip("\n") + "\n"

    previous = None
    while previous != markdown:   # nested boxes, from the outside in
        previous, markdown = markdown, _DIRECTIVE.sub(directive, markdown)
    markdown = _TARGET.sub("", markdown)
    return _ROLE.sub(_role_text, markdown)



# --------------------------------------------------------------------------- finding leaks
def solution_lines(nb: nbformat.NotebookNode) -> set[str]:
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
        if cell.cell_type == "code" and BEGIN in cell.source:
            region = False
            for line in lines:
                if line.strip() == BEGIN:
                    region = True
                elif line.strip() == END:
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


def shown_lines(cell) -> set[str]:
    """Every line a cell's outputs show, as a reader sees it: text, Markdown and HTML (tags removed)."""
    lines = set()
    for out in cell.get("outputs", []):
        texts = [out.get("text", "")]
        texts += [v if isinstance(v, str) else "".join(v) for k, v in out.get("data", {}).items()
                  if k.startswith("text/")]
        for text in texts:
            text = html.unescape(re.sub(r"<[^>]+>", "", str(text)))
            lines.update(line.strip() for line in text.split("\n"))
    return lines


def nbgrader_notebook(nb: nbformat.NotebookNode, *, salt: int | None = None) -> nbformat.NotebookNode:
    """Return the nbgrader source version of one notebook (the input is not modified).

    * The reading, the figures and the references stay, in plain Markdown that JupyterLab
      shows as it is (:func:`release_markdown`); the output of a cell tagged
      ``answer-to-<label>`` (the package's code that an exercise asks the learner to
      write) is left out, as in the student edition.
    * A solution block (from ``{solution-start}`` to ``{solution-end}``) keeps only the
      code cells with ``### BEGIN/END SOLUTION`` regions, as nbgrader solution cells
      without outputs; its explanations and worked code are dropped from the cells the
      release is made from.
    * An auto-checked exercise gets locked autograder-test cells worth its stars in
      points, right after its solution block (:func:`_test_cells`): the check's visible
      feedback, and a hidden test written with ``salt`` (random if None) that grades
      without the package, so a learner who patches or reads ``rnnbook.checks`` gains
      nothing.  The check comes from the solution cell's last lines or from the check
      cell that follows the block.
    * Any other exercise (conceptual, experiment) gets a manually graded answer cell
      worth its stars; the book's solution is its rubric, inside solution markers, so
      the release shows only nbgrader's "YOUR ANSWER HERE".

    Raises
    ------
    ValueError
        If the notebook's exercises and solution blocks do not fit together (a solution
        block without an exercise, an auto-checked exercise without a check).
    """
    nb = _hide_answers(nbformat.from_dict(nb))  # a deep copy
    salt = secrets.randbelow(2**31) if salt is None else salt
    found = exercises(nb)
    cells, gated, label, rubric, checks_, awaiting, pending = [], False, None, [], [], None, []

    def written_answer(points: int, what: str):
        text = release_markdown("\n\n".join(part.strip("\n") for part in rubric if part.strip()))
        answer = nbformat.v4.new_markdown_cell(
            f"**Your answer to {what}** ({points} point{'s' if points != 1 else ''}, graded by hand)\n\n"
            f"{BEGIN}\nRubric, from the book's solution:\n\n{text}\n{END}")
        answer.metadata["nbgrader"] = _nbgrader_meta(f"{label}-answer", solution=True, grade=True,
                                                     locked=False, points=points)
        return answer

    def close_block():
        info = found[label]
        if info["auto"]:
            # the questions beyond the checked number get a written answer, worth 1 point
            extra = [written_answer(1, f"the other questions of {label}")] if info["written"] else []
            return (_test_cells(label, info["points"], "\n".join(checks_), salt) + extra) if checks_ \
                else (label, extra)
        return [written_answer(info["points"], label)]

    def text_cell(text: str) -> None:
        if text.strip():
            cells.append(nbformat.v4.new_markdown_cell(release_markdown(strip_solution_directives(text.strip("\n")))))

    for cell in nb.cells:
        src = cell.source
        if awaiting is not None:
            if not _is_check_cell(cell):
                raise ValueError(f"auto-checked exercise {awaiting} has no check call")
            cells.extend(_test_cells(awaiting, found[awaiting]["points"], src, salt) + pending)
            awaiting, pending = None, []
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
                    if isinstance(closed, tuple):   # the check cell follows the block
                        awaiting, pending = closed
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
            cell.source = release_markdown(strip_solution_directives(src))
        cells.append(cell)
    if gated:
        raise ValueError("a solution-start cell without a matching solution-end cell")
    if awaiting is not None:
        raise ValueError(f"auto-checked exercise {awaiting} has no check call")
    nb.cells = cells
    return nb


def _quiet(call_source: str) -> str:
    """``checks.x(args)`` -> ``checks.x(args, quiet=True)``: the failure text is shown once, by the assert."""
    return call_source if "quiet=" in call_source else call_source[:-1].rstrip() + ", quiet=True)"


def _defined_guard(label: str, names: list[str]) -> list[str]:
    """Lines that turn a missing answer (a blank exercise) into a hint instead of a bare NameError."""
    lines = []
    for name in names:
        if name.isidentifier():
            lines += ["try:", f"    {name}",
                      "except NameError:",
                      f"    raise AssertionError('{label}: `{name}` is not defined yet: "
                      f"write your answer in the cell above and run it') from None"]
    return lines


def _test_cells(label: str, points: int, check_code: str, salt: int) -> list:
    """The locked, graded test cells of an auto-checked exercise.

    Each check call keeps its visible feedback (the check, run quietly, its text shown once
    by the ``assert``) and gets a hidden test (:mod:`rnnbook.checks.hidden`) written with
    ``salt``, which grades without the package.  A coding exercise worth two or more points
    gets two cells: 1 point for the structure and shapes of the outputs, the rest for their
    values.
    """
    from .checks import hidden

    calls = hidden.check_calls(check_code)
    visible, hidden_values, hidden_shapes = [], [], []
    for k, (name, args, source) in enumerate(calls):
        result = f"_result{k if len(calls) > 1 else ''}"
        if name == "answer":
            ex, value = (ast_literal(args[0]), args[1]) if len(args) >= 2 else (None, None)
            if ex is None:
                raise ValueError(f"checks.answer needs a label and a value; found {source!r}")
            visible += _defined_guard(ex, [value])
            hidden_values.append(hidden.hidden_answer_block(ex, value))
        else:
            if not args:
                raise ValueError(f"checks.{name} needs the learner's function; found {source!r}")
            visible += _defined_guard(label, [args[0]])
            hidden_values.append(hidden.hidden_block(name, args[0], salt=salt, part="values"))
            hidden_shapes.append(hidden.hidden_block(name, args[0], salt=salt, part="shape"))
        visible += [f"{result} = {_quiet(source)}", f"assert {result}, str({result})"]
    cells = []
    split = hidden_shapes and points >= 2
    if split:
        shape = nbformat.v4.new_code_cell("\n".join(
            [f"# {label}, part 1 (1 point): your outputs have the right structure and shapes (a hidden test).",
             *_defined_guard(label, [a[0] for n, a, _ in calls if n != "answer" and a]), *hidden_shapes]))
        shape.metadata["nbgrader"] = _nbgrader_meta(f"{label}-shape", solution=False, grade=True,
                                                    locked=True, points=1)
        cells.append(shape)
    test = nbformat.v4.new_code_cell("\n".join(
        ([f"# {label}, part 2 ({points - 1} points): the values, on the check's cases and on hidden ones."]
         if split else []) + visible + hidden_values))
    test.metadata["nbgrader"] = _nbgrader_meta(f"{label}-test", solution=False, grade=True, locked=True,
                                               points=points - 1 if split else points)
    cells.append(test)
    return cells


def ast_literal(source: str):
    """The value of a literal written as ``source`` (a label such as ``"ex1-3"``), or None."""
    import ast

    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None


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


# ---------------------------------------------------------------------------
# What the tool wrote: a manifest of paths and hashes, kept in the marker file.

class ChangedOutputError(UnsafeOutputError):
    """A file the tool wrote was changed (or something else stands where it would write)."""


class NotABookError(ValueError):
    """``--root`` is not a Recurrent book."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> dict[str, str] | None:
    """What the tool wrote into ``folder``: relative path -> SHA-256, or ``None`` if unknown.

    ``None`` means the marker holds no readable list (an older version of the tool wrote
    it, or it was edited), so nothing in the folder can be called the tool's own.
    """
    try:
        record = json.loads((Path(folder) / MARKER).read_text())
        files = record["files"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not isinstance(files, dict):
        return None
    safe = {}
    for rel, digest in files.items():
        parts = Path(rel).parts if isinstance(rel, str) else ()
        if (not parts or Path(rel).is_absolute() or ".." in parts or parts[0] == MARKER
                or not isinstance(digest, str)):
            return None  # a crafted list that points outside the folder is no list at all
        safe[rel] = digest
    return safe


def _write_manifest(folder: Path, files: dict[str, str], edition: str, extra: dict | None = None) -> None:
    record = {"written_by": "python -m rnnbook.assign", "edition": edition,
              "note": MARKER_TEXT.strip(), **(extra or {}), "files": dict(sorted(files.items()))}
    (Path(folder) / MARKER).write_text(json.dumps(record, indent=1) + "\n")


def _changed(out: Path, old: dict[str, str], new: Iterable[str]) -> list[str]:
    """Paths under ``out`` that the tool may not replace or remove: its files changed since,
    and anything it did not write standing where it would write now."""
    bad = []
    for rel, digest in old.items():
        path = out / rel
        if not os.path.lexists(path):
            continue
        if path.is_symlink() or not path.is_file() or _sha256(path.read_bytes()) != digest:
            bad.append(rel)
    for rel in new:
        if rel in old:
            continue
        path = out / rel
        if os.path.lexists(path):
            bad.append(rel)
            continue
        for parent in list(Path(rel).parents)[:-1]:   # every folder on the way, not out itself
            p = out / parent
            if p.is_symlink() or (p.exists() and not p.is_dir()):
                bad.append(str(parent))
                break
    return sorted(set(bad))


def _aside(out: Path) -> Path:
    """A new name next to ``out`` for moving it aside: ``OUT.old-YYYYmmdd-HHMMSS`` (-2, -3 ...)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = out.with_name(f"{out.name}.old-{stamp}")
    n = 2
    while os.path.lexists(target):
        target, n = out.with_name(f"{out.name}.old-{stamp}-{n}"), n + 1
    return target


def write_tree(root: Path, out: Path, files: dict[str, bytes], *, edition: str,
               force: bool = False, what: str = "output folder", extra: dict | None = None) -> Path | None:
    """Write ``files`` (relative path -> bytes) into ``out``, touching nothing the tool did not write.

    ``out`` is checked first (:func:`check_output`).  If it was written before, the files
    listed in its marker that are unchanged are replaced (or removed, when no longer part
    of the edition); every other file in ``out`` stays as it is.  The marker then lists
    the new files with their SHA-256 hashes.

    If one of the tool's files was changed since, or a file the tool did not write stands
    where it would write, nothing is touched and :class:`ChangedOutputError` names it,
    unless ``force`` is true: then the old folder is moved aside to ``OUT.old-<time>``
    (never deleted) and a fresh ``out`` is written.  Returns where it was moved, or None.
    """
    out = Path(os.path.abspath(out))
    exists = check_output(root, out, what)
    old = read_manifest(out) if exists and is_marked(out) else {}
    moved = None
    if old is None:
        conflicts = [f"{MARKER} (written by an older version of the tool, without hashes)"]
    else:
        conflicts = _changed(out, old, files)
    if conflicts:
        if not force:
            more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
            raise ChangedOutputError(
                f"refusing to replace {out / conflicts[0]}{more}: it was changed since the tool wrote it, "
                f"or the tool did not write it; nothing was changed. Keep your work elsewhere, "
                f"or run again with --force to move {out} aside to {out.name}.old-<time>")
        moved = _aside(out)
        os.rename(out, moved)
        old = {}
    out.mkdir(parents=True, exist_ok=True)
    for rel in sorted(set(old) - set(files)):
        path = out / rel
        if os.path.lexists(path):
            path.unlink()
        for parent in Path(rel).parents:
            folder = out / parent
            if folder == out or any(folder.iterdir()):
                break
            folder.rmdir()
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".rnnbook-tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    _write_manifest(out, {rel: _sha256(data) for rel, data in files.items()}, edition, extra)
    return moved


def _course_salt(out: Path) -> int:
    """The hidden tests' salt of the course in ``out`` (kept in its marker), or a new random one.

    Keeping it means that writing the course again writes the same source notebooks, so
    an unchanged course stays unchanged and its gradebook matches its tests.
    """
    try:
        salt = json.loads((Path(out) / MARKER).read_text()).get("salt")
    except (OSError, ValueError, AttributeError):
        salt = None
    if isinstance(salt, int) and not isinstance(salt, bool) and 0 <= salt < 2**31:
        return salt
    return secrets.randbelow(2**31)


def check_book_root(root: Path) -> list[Path]:
    """The chapter notebooks of the book at ``root``; :class:`NotABookError` if it is not one."""
    root = Path(root)
    if not (root / "_toc.yml").is_file():
        raise NotABookError(f"{root} is not a Recurrent book: it has no _toc.yml "
                            "(give the book's folder with --root)")
    notebooks = sorted((root / "chapters").glob("*.ipynb"))
    if not notebooks:
        raise NotABookError(f"{root} is not a Recurrent book: no notebooks in {root / 'chapters'} "
                            "(give the book's folder with --root)")
    return notebooks


def student_config(config: str) -> str:
    """The book's ``_config.yml`` for the student edition: its ``repository`` is ``student_repository``.

    Every launch button (Binder, Colab, Live code) and the repository links are built
    from ``repository: url / branch``; the student edition must open notebooks without
    solutions, so it points them at the repository and branch that ``student_repository``
    names (where an instructor publishes the student edition).  Without that key the
    configuration is kept as it is.  Only the two values change; comments stay.
    """
    import yaml

    settings = yaml.safe_load(config) or {}
    student = settings.get("student_repository")
    if not student:
        return config
    if not isinstance(student, dict) or not {"url", "branch"} <= set(student):
        raise ValueError("student_repository in _config.yml needs a url and a branch")
    lines, inside = config.split("\n"), False
    for k, line in enumerate(lines):
        if re.match(r"^repository:\s*$", line):
            inside = True
            continue
        if inside and re.match(r"^\S", line):
            inside = False
        if inside:
            for key in ("url", "branch"):
                if re.match(rf"^\s+{key}:", line):
                    indent = line[: len(line) - len(line.lstrip())]
                    lines[k] = f"{indent}{key}: {student[key]}"
    return "\n".join(lines)


def _edition_files(root: Path) -> dict[str, bytes]:
    """Every file of the student edition of the book at ``root``: relative path -> bytes."""
    from . import publish

    skip = {".ipynb_checkpoints", "__pycache__", "_build"}
    files = {}
    config = root / "_config.yml"
    edition_config = student_config(config.read_text(encoding="utf-8")) if config.is_file() else ""
    for name in BOOK_FILES + RUN_FILES:
        src = root / name
        paths = [src] if src.is_file() else sorted(src.rglob("*")) if src.is_dir() else []
        for path in paths:
            rel = path.relative_to(root)
            if (not path.is_file() or path.is_symlink() or skip & set(rel.parts)
                    or any(part.endswith(".egg-info") for part in rel.parts)):
                continue
            data = path.read_bytes()
            if rel.as_posix() == "_config.yml":
                data = edition_config.encode("utf-8")
            if rel.parts[0] == "chapters" and path.suffix == ".ipynb":
                nb = student_notebook(nbformat.reads(data.decode("utf-8"), as_version=4))
                # its Colab cell fetches the edition's own repository (student_repository, where set)
                if any(publish.COLAB_TAG in c.metadata.get("tags", []) for c in nb.cells):
                    publish.set_colab_cell(nb, publish.colab_cell(*publish.repository(edition_config)))
                data = (nbformat.writes(nb) + "\n").encode("utf-8")
            files[rel.as_posix()] = data
    return files


def write_student_edition(root: Path, out: Path, *, force: bool = False) -> list[Path]:
    """Write the student edition of the book at ``root`` into ``out``; return its notebooks.

    The book's files (:data:`BOOK_FILES`) and what its notebooks need to run
    (:data:`RUN_FILES`) are copied, every chapter notebook in its student edition
    (:func:`student_notebook`), its Colab cell fetching ``student_repository``.  ``out`` is written by :func:`write_tree`:
    only the tool's own unchanged files are ever replaced, and ``force`` moves a changed
    folder aside instead of refusing.

    Raises
    ------
    NotABookError
        If ``root`` is not a Recurrent book.
    UnsafeOutputError
        If ``out`` may not be written, or (:class:`ChangedOutputError`) holds a changed file;
        then nothing on disk was touched.
    """
    root = Path(root)
    check_output(root, Path(out))
    check_book_root(root)
    out = Path(os.path.abspath(out))
    files = _edition_files(root)
    write_tree(root, out, files, edition="student", force=force)
    return [out / rel for rel in sorted(files) if rel.startswith("chapters/") and rel.endswith(".ipynb")]


NBGRADER_CONFIG = """\
# nbgrader's configuration for the Recurrent course, written by `python -m rnnbook.assign nbgrader`.
# Run nbgrader from this folder: nbgrader generate_assignment 01_sequence_learning, and so on.
# Edit it freely: the tool then refuses to replace it (and tells you) instead of losing your edits.
c = get_config()  # noqa: F821  (nbgrader provides it)
c.CourseDirectory.course_id = {course_id!r}
{exchange}
# Keep the reading's figures and printed results in the release: the source notebooks
# already hold no output in any solution or test cell.
c.ClearOutput.enabled = False
# A deleted or emptied locked test cell is put back from the database when grading,
# so it is graded, not left as "needs manual grade".
c.OverwriteCells.add_missing_cells = True
# Seconds per cell: the longest training cell takes under two minutes, and an endless
# loop in a submission then costs three minutes, not ten.
c.Execute.timeout = 180
"""


def nbgrader_config(course_id: str = "recurrent", exchange: str | None = None) -> str:
    """The text of the course's ``nbgrader_config.py``."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", course_id or ""):
        raise ValueError(f"course_id must be letters, digits, '.', '_' or '-', got {course_id!r}")
    line = (f"c.Exchange.root = {exchange!r}" if exchange else
            "# c.Exchange.root = '/srv/nbgrader/exchange'   # set with --exchange (nbgrader's default)")
    return NBGRADER_CONFIG.format(course_id=course_id, exchange=line)


def write_nbgrader_course(root: Path, out: Path, *, force: bool = False, course_id: str = "recurrent",
                          exchange: str | None = None) -> list[Path]:
    """Write an nbgrader course folder into ``out``: ``source/<stem>/<stem>.ipynb`` per chapter.

    Each notebook is :func:`nbgrader_notebook` of a chapter; ``out/nbgrader_config.py``
    (:func:`nbgrader_config`) sets the course up.  ``out`` is written by :func:`write_tree`,
    so a course in use keeps its ``gradebook.db``, ``release/``, ``submitted/``,
    ``autograded/`` and ``feedback/``: the tool touches only the files it wrote, and
    refuses (or with ``force`` moves the course aside) when one of them was edited.

    Raises
    ------
    NotABookError
        If ``root`` is not a Recurrent book.
    UnsafeOutputError
        If ``out`` may not be written; then nothing on disk was touched.
    """
    root = Path(root)
    check_output(root, Path(out))
    chapters = [p for p in check_book_root(root) if p.name[:1].isdigit()]
    if not chapters:
        raise NotABookError(f"{root} has no numbered chapter notebooks in {root / 'chapters'}")
    out = Path(os.path.abspath(out))
    salt = _course_salt(out) if is_marked(out) else secrets.randbelow(2**31)
    files = {"nbgrader_config.py": nbgrader_config(course_id, exchange).encode("utf-8")}
    for path in chapters:
        nb = nbgrader_notebook(nbformat.read(path, as_version=4), salt=salt)
        files[f"source/{path.stem}/{path.stem}.ipynb"] = (nbformat.writes(nb) + "\n").encode("utf-8")
    # the salt is the course's secret: it stays in the course folder, which learners never see
    write_tree(root, out, files, edition="nbgrader", force=force, extra={"salt": salt})
    return [out / "source" / p.stem / f"{p.stem}.ipynb" for p in chapters]


def _built_files(out: Path) -> dict[str, str]:
    """Every file jupyter-book wrote under ``out/_build``, with its hash."""
    return {path.relative_to(out).as_posix(): _sha256(path.read_bytes())
            for path in sorted((out / "_build").rglob("*")) if path.is_file() and not path.is_symlink()}


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
    parser.add_argument("--force", action="store_true",
                        help="if a file the tool wrote was changed, move the old folder aside to OUT.old-<time> "
                             "(it is never deleted) and write a fresh one")
    parser.add_argument("--pdf", action="store_true",
                        help="book-student: also print the edition as one PDF, OUT/_build/html/recurrent.pdf "
                             "(needs Chromium; rnnbook.pdf)")
    parser.add_argument("--course-id", default="recurrent", help="nbgrader: the course id (default: recurrent)")
    parser.add_argument("--exchange", default=None, help="nbgrader: the exchange folder (Exchange.root)")
    args = parser.parse_args(argv)
    root = args.root or _book_root()
    try:
        if args.edition == "student":
            written = write_student_edition(root, args.out, force=args.force)
            print(f"wrote the student edition of {len(written)} notebooks to {args.out}/chapters")
            return 0
        if args.edition == "nbgrader":
            written = write_nbgrader_course(root, args.out, force=args.force, course_id=args.course_id,
                                            exchange=args.exchange)
            print(f"wrote an nbgrader course of {len(written)} assignments to {args.out}: "
                  f"cd {args.out} && nbgrader generate_assignment {written[0].parent.name}")
            return 0
        exists = check_output(root, args.out, what="output folder of the book build")
        out_abs = Path(os.path.abspath(args.out))
        src = out_abs.with_name(out_abs.name + "-source")
        check_output(root, src, what=f"source folder of the book build (OUT-source, next to {args.out})")
        check_book_root(root)
        if exists and is_marked(out_abs):
            built = read_manifest(out_abs)
            changed = ([MARKER] if built is None else _changed(out_abs, built, ()))
            if changed and not args.force:
                raise ChangedOutputError(
                    f"refusing to rebuild into {out_abs}: {out_abs / changed[0]} was changed since the tool "
                    f"built it; nothing was changed. Run again with --force to move {out_abs} aside")
            if changed:
                os.rename(out_abs, _aside(out_abs))
        write_student_edition(root, src, force=args.force)
    except (UnsafeOutputError, NotABookError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(src), "--path-output", str(out_abs), "-q"]
    done = subprocess.run(cmd)
    code = done.returncode
    if code == 0 and args.pdf:    # the edition's PDF, linked from its pages as the full book's is (make pdf)
        code = _student_pdf(cmd[0], src, out_abs)
    if out_abs.is_dir() and not out_abs.is_symlink():
        _write_manifest(out_abs, _built_files(out_abs), "book-student")
    return code


def _student_pdf(jupyter_book: str, src: Path, out: Path) -> int:
    """Build ``src`` as one page and print it to ``out/_build/html/recurrent.pdf``; 0 on success."""
    from . import pdf

    try:
        pdf.build(src, out / "_build" / "html" / "recurrent.pdf", path_output=out, jupyter_book=jupyter_book)
    except (FileNotFoundError, RuntimeError) as err:
        print(f"error: the student edition's PDF: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
