"""The suite's shared helpers: a timeit-style timer, the machine's description and the Markdown table writer."""
from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# What every run sets before NumPy or TensorFlow is imported (the Makefile exports the same
# values): quiet TensorFlow, fixed oneDNN, and the same BLAS kernel, thread count and
# vector code paths on every x86-64 machine.
ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4,AVX512_ICL,AVX512_SPR",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def set_environment() -> None:
    """Put :data:`ENV` into ``os.environ`` (inherited by notebook kernels and other subprocesses)."""
    os.environ.update(ENV)


@dataclass
class Section:
    """One benchmark's results: a table (headers and rows of cells) and notes printed under it."""

    name: str
    title: str
    headers: list[str]
    rows: list[list]
    notes: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    date: str = field(default_factory=lambda: now())

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "headers": self.headers, "rows": self.rows,
                "notes": self.notes, "raw": self.raw, "date": self.date}


def now() -> str:
    """The current UTC time, to the second, in ISO format."""
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def median_seconds(fn: Callable[[], object], repeats: int = 5, min_time: float = 0.05) -> float:
    """Median seconds per call of ``fn()``, measured like ``timeit``.

    One warm-up call first (TensorFlow traces and allocates on the first call),
    then the number of calls per repeat is chosen so that a repeat lasts at
    least ``min_time`` seconds (``Timer.autorange``), and the median over
    ``repeats`` repeats, divided by that number, is returned.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1; got {repeats}")
    fn()
    timer = timeit.Timer(fn)
    number = 1
    while True:
        if timer.timeit(number) >= min_time or number >= 1000:
            break
        number *= 2
    return statistics.median(timer.repeat(repeat=repeats, number=number)) / number


def machine() -> dict:
    """Where the numbers were measured: platform, CPU, core count and the library versions."""
    import numpy

    info = {"platform": platform.platform(), "processor": _cpu_name(), "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0], "numpy": numpy.__version__}
    for module in ("tensorflow", "keras", "gensim"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:  # pragma: no cover - all are pinned in requirements.txt
            info[module] = "not installed"
    return info


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt(value, digits: int = 3) -> str:
    """A table cell: numbers to ``digits`` significant digits, ``None`` as a dash, anything else as str."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
        return f"{value:.1e}"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:#.{digits}g}"     # keeps trailing zeros: 1.00, 0.300


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub/MyST pipe table; every row must have one cell per header."""
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row {row!r} has {len(row)} cells for {len(headers)} headers")
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    align = ["---" if i == 0 else "--:" for i in range(len(headers))]
    return "\n".join([line(headers), "| " + " | ".join(align) + " |", *(line([fmt(c) for c in r]) for r in rows)])
