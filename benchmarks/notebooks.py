"""Each chapter notebook's execution time, against the book's budget (90 s a notebook, 12 minutes in all).

Every notebook listed in ``_toc.yml`` is executed top to bottom with nbclient in
a fresh ``python3`` kernel, from its own folder, as nbval does in ``make test``.
The notebook is read into memory and executed there: nothing is written back.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

from .timing import Section

NOTEBOOK_BUDGET_S = 90.0
BOOK_BUDGET_S = 12 * 60.0


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

    Returns ``{"seconds": float, "error": str or None}``: a failing cell stops
    the run, and its error's first line is recorded instead of raising.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - a failing notebook is a result, not a crash of the suite
        error = _describe(exc)
    return {"seconds": time.perf_counter() - start, "error": error}


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
