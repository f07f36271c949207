"""Each chapter notebook's execution time against the book's budget, and where it goes, cell by cell.

The budget: 80 s a notebook on the book's 2-core machine (so that a slower
machine stays under 90 s) and 13 minutes for the book.

Every notebook listed in ``_toc.yml`` is executed top to bottom with nbclient in
a fresh ``python3`` kernel, from its own folder, as nbval does in ``make test``.
The notebook is read into memory and executed there: nothing is written back.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

from .timing import Section

NOTEBOOK_BUDGET_S = 80.0
BOOK_BUDGET_S = 13 * 60.0
#: cells at least this long are listed in the per-cell profile
PROFILE_MIN_S = 1.0


def toc_notebooks(root: Path) -> list[Path]:
    """The ``.ipynb`` files of ``_toc.yml``, in table-of-contents order (pages in Markdown are skipped)."""
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
    files = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    files.append(toc["root"])
    walk(toc)
    paths = [Path(root) / (f if f.endswith(".ipynb") else f + ".ipynb") for f in files]
    return [p for p in paths if p.exists()]


def time_notebook(path: Path, timeout: int = 600) -> dict:
    """Execute the notebook at ``path`` in a clean kernel, in memory; wall seconds, kernel start included.

    Returns ``{"seconds": float, "error": str or None, "cells": [...]}``: a
    failing cell stops the run, and its error's first line is recorded instead
    of raising.  ``cells`` has one ``{"index", "seconds", "first_line"}`` per
    executed code cell (``index`` counts every cell of the notebook, from 0),
    read from the execution timestamps nbclient records.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - a failing notebook is a result, not a crash of the suite
        error = _describe(exc)
    return {"seconds": time.perf_counter() - start, "error": error, "cells": cell_seconds(nb)}


def cell_seconds(nb) -> list[dict]:
    """Each executed code cell's seconds, from its ``execution`` timestamps (start of input to the reply)."""
    import datetime

    def stamp(text):
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))

    cells = []
    for index, cell in enumerate(nb.cells):
        times = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type != "code" or "iopub.execute_input" not in times or "shell.execute_reply" not in times:
            continue
        seconds = (stamp(times["shell.execute_reply"]) - stamp(times["iopub.execute_input"])).total_seconds()
        first = next((line.strip() for line in cell.source.splitlines()
                      if line.strip() and not line.lstrip().startswith("#")), "")
        cells.append({"index": index, "seconds": seconds, "first_line": first[:60]})
    return cells


def profile_markdown(results: list[dict], min_seconds: float = PROFILE_MIN_S) -> list[str]:
    """The per-cell profile as Markdown lines: for each notebook, its cells of at least ``min_seconds``."""
    from .timing import markdown_table

    lines = ["### Where each notebook's time goes", "",
             f"Every code cell that took at least {min_seconds:.0f} s, slowest first, with its share of the "
             "notebook's time; the rest of a notebook's time is its short cells and the kernel's start.", ""]
    rows = []
    for result in results:
        total = result["seconds"]
        for cell in sorted(result.get("cells", []), key=lambda c: -c["seconds"]):
            if cell["seconds"] >= min_seconds:
                rows.append([result["notebook"].removeprefix("chapters/"), cell["index"], cell["seconds"],
                             f"{100 * cell['seconds'] / total:.0f} %", "`" + cell["first_line"].replace("`", "'")
                             + "`"])
    lines += [markdown_table(["notebook", "cell", "seconds", "share", "first line of code"], rows), ""]
    return lines


def _describe(exc: Exception) -> str:
    """One line for a failed execution: the cell's error name and value (colour codes removed), or the exception."""
    name, value = getattr(exc, "ename", None) or type(exc).__name__, getattr(exc, "evalue", None) or str(exc)
    value = re.sub(r"\x1b\[[0-9;]*m", "", str(value)).strip().splitlines()
    return f"{name}: {value[0] if value else ''}"[:160]


def run(root: Path, paths=None, *, budget: float = NOTEBOOK_BUDGET_S, book_budget: float = BOOK_BUDGET_S,
        progress=print) -> Section:
    """Time every notebook of ``paths`` (the table of contents' notebooks by default), one after the other."""
    root = Path(root)
    paths = toc_notebooks(root) if paths is None else [Path(p) for p in paths]
    results, rows = [], []
    for path in paths:
        result = time_notebook(path)
        name = path.resolve().relative_to(root.resolve()).as_posix() if path.resolve().is_relative_to(root.resolve()) \
            else path.name
        verdict = "FAILED: " + result["error"] if result["error"] else ("ok" if result["seconds"] <= budget else "OVER")
        results.append({"notebook": name, **result})
        rows.append([name, round(result["seconds"], 1), verdict])
        if progress:
            progress(f"  {name}: {result['seconds']:.1f} s {verdict}")
    total = sum(r["seconds"] for r in results)
    rows.append(["all notebooks", round(total, 1), "ok" if total <= book_budget else "OVER"])
    notes = [(f"Wall seconds per notebook, executed one after the other by nbclient in a fresh kernel (kernel start "
              f"included); budget {budget:.0f} s per notebook and {book_budget:.0f} s for the book, on 2 CPU cores.")]
    return Section("notebooks", "Notebook execution times", ["notebook", "seconds", f"budget {budget:.0f} s"],
                   rows, notes, raw={"budget_s": budget, "book_budget_s": book_budget, "total_s": total,
                                     "results": results})
