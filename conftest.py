"""pytest settings shared by the unit tests and the notebook (nbval) run.

``--nbval-times PATH`` adds up the time nbval spends in each notebook and
writes a table (also printed at the end of the run): the book's budget is
90 s a notebook on any 2-core machine (80 s on the book's own, in `make bench`)
and 13 minutes in all.
"""
from __future__ import annotations

import os
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# The same floating-point code paths on every x86-64 machine with AVX2 (the
# Makefile exports the same values): without these, NumPy's BLAS and its vector
# loops pick AVX-512 or AVX2 code by CPU, and a long or chaotic training run in
# a notebook prints other digits in CI than where it was executed.  They reach
# the notebook kernels, which start after this point.
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4,AVX512_ICL,AVX512_SPR")

NOTEBOOK_BUDGET_S = 90.0
BOOK_BUDGET_S = 13 * 60.0

_times: dict[str, float] = defaultdict(float)
_started: dict[str, float] = {}


def pytest_addoption(parser):
    parser.addoption("--nbval-times", default=None, help="write each notebook's execution time to this file")


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _times[path] += report.duration


def pytest_collection_finish(session):
    _started["t"] = time.perf_counter()


def timing_table(times: dict[str, float]) -> str:
    """The table of notebook times, with the budget verdicts."""
    lines = [f"{'notebook':<48} {'seconds':>8}  budget {NOTEBOOK_BUDGET_S:.0f} s"]
    for path, secs in sorted(times.items()):
        flag = "ok" if secs <= NOTEBOOK_BUDGET_S else "OVER"
        lines.append(f"{path:<48} {secs:8.1f}  {flag}")
    total = sum(times.values())
    flag = "ok" if total <= BOOK_BUDGET_S else "OVER"
    lines.append(f"{'all notebooks':<48} {total:8.1f}  {flag} (book budget {BOOK_BUDGET_S:.0f} s)")
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _times:
        return
    table = timing_table(_times)
    terminalreporter.write_sep("-", "notebook execution times (kernel start and every cell)")
    terminalreporter.write_line(table)
    out = config.getoption("--nbval-times")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(table + "\n")
