"""The student edition of the book, and a build of the book without solutions.

Usage::

    python -m rnnbook.assign student OUT        # notebooks for learners, into OUT/
    python -m rnnbook.assign book-student OUT   # the HTML book without solutions, into OUT/html

What changes in the student edition:

* In code cells, every region between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  (nbgrader's markers) becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()``,
  indented like the region, and the cell's outputs are cleared.  Cells that call an
  auto-check (``checks.``) lose their stored outputs too.
* In markdown, ``solution`` directives are removed, and so is everything between a
  ``solution-start`` and a ``solution-end`` cell, except the code cells with solution
  regions, which stay (stubbed) as the place where the learner writes.

Everything else is kept as it is, outputs included.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
BOOK_FILES = ("_config.yml", "_toc.yml", "references.bib", "chapters", "code", "pyproject.toml")

_SOLUTION_BLOCK = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{solution\}.*?^(?P=fence)[ \t]*$\n?", re.MULTILINE | re.DOTALL)
_START = re.compile(r"^(:{3,}|`{3,})\{solution-start\}", re.MULTILINE)
_END = re.compile(r"^(:{3,}|`{3,})\{solution-end\}", re.MULTILINE)


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


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the student edition of one notebook (the input is not modified)."""
    nb = nbformat.from_dict(nb)  # deep copy
    cells, gated = [], False
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "markdown" and _START.search(src):
            gated = True
            continue
        if cell.cell_type == "markdown" and _END.search(src):
            gated = False
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


def write_student_edition(root: Path, out: Path) -> list[Path]:
    """Copy the book from ``root`` into ``out`` with every notebook in its student edition."""
    root, out = Path(root), Path(out)
    if out.resolve() == root.resolve():
        raise ValueError("the student edition must go to another folder than the book itself")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
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


def _book_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "_toc.yml").exists():
            return parent
    return Path.cwd()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnbook.assign", description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=["student", "book-student"])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--root", type=Path, default=None, help="the book's folder (default: found from the package)")
    args = parser.parse_args(argv)
    root = args.root or _book_root()
    if args.edition == "student":
        written = write_student_edition(root, args.out)
        print(f"wrote the student edition of {len(written)} notebooks to {args.out}/chapters")
        return 0
    src = args.out.parent / (args.out.name + "-source")
    write_student_edition(root, src)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(src), "--path-output", str(args.out), "-q"]
    done = subprocess.run(cmd)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
