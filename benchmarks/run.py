"""Run the book's benchmark suite and write ``benchmarks/results.md`` and ``benchmarks/results.json``.

    python benchmarks/run.py                      # everything (``make bench``), about 15 minutes on 2 cores
    python benchmarks/run.py --only cells word2vec
    python benchmarks/run.py --quick              # small sizes, written to _build/benchmarks-quick/

Sections: ``cells`` (NumPy cells vs Keras layers), ``word2vec`` (NumPy vs
gensim), ``decoding`` (beam search vs greedy on the dates), ``xla`` (Keras's XLA
compiler on the CPU, warm epoch and end to end), ``parallel`` (the seeds of a
comparison in worker processes, against one after the other), ``notebooks`` (each chapter's
execution time, and where it goes, cell by cell).  With ``--only``, the other sections already in the
output's ``results.json`` are kept, each with the date it was measured.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import timing  # imports neither NumPy nor TensorFlow

timing.set_environment()   # before NumPy or TensorFlow is imported, here and in the notebook kernels

SECTIONS = ("cells", "word2vec", "decoding", "xla", "parallel", "notebooks")
DEFAULT_OUT = ROOT / "benchmarks" / "results.md"
QUICK_OUT = ROOT / "_build" / "benchmarks-quick" / "results.md"


def run_section(name: str, quick: bool) -> timing.Section:
    """Run one section at full size, or with ``quick`` at development size."""
    if name == "cells":
        from benchmarks import cells
        return cells.run(batch=4, steps=10, features=3, units=8, repeats=2) if quick else cells.run()
    if name == "word2vec":
        from benchmarks import word2vec
        return word2vec.run(settings={"epochs": 2}, seeds=(0,)) if quick else word2vec.run()
    if name == "decoding":
        from benchmarks import decoding
        return decoding.run(contexts=("every_step",), limit=50, epochs=1) if quick else decoding.run()
    if name == "xla":
        from benchmarks import xla
        return xla.run(cells=("gru",), adding_epochs=1, char_lm=False) if quick else xla.run()
    if name == "parallel":
        from benchmarks import parallel
        return parallel.run(epochs=1) if quick else parallel.run()
    if name == "notebooks":
        from benchmarks import notebooks
        paths = notebooks.toc_notebooks(ROOT)
        return notebooks.run(ROOT, paths[:1] if quick else paths)
    raise ValueError(f"unknown section {name!r}; choose from {', '.join(SECTIONS)}")


def render(sections: list[dict], machine: dict, quick: bool = False) -> str:
    """The Markdown of ``results.md``: one ``###`` heading, table and notes per section (no ``#`` heading)."""
    lines = ["<!-- Written by benchmarks/run.py (make bench); do not edit by hand. -->", ""]
    if quick:
        lines += ["**Quick run at development sizes: these numbers are not the book's benchmark.**", ""]
    lines += [(f"Machine: {machine['processor']}, {machine['cpu_count']} CPUs, {machine['platform']}; "
               f"Python {machine['python']}, NumPy {machine['numpy']}, TensorFlow {machine['tensorflow']}, "
               f"Keras {machine['keras']}, gensim {machine['gensim']}."), ""]
    for s in sorted(sections, key=lambda s: SECTIONS.index(s["name"])):
        lines += [f"### {s['title']}", "", f"Measured {s['date']}.", "",
                  timing.markdown_table(s["headers"], s["rows"]), ""]
        lines += [note + "\n" for note in s["notes"]]
        if s["name"] == "notebooks" and s["raw"].get("results"):
            from benchmarks import notebooks
            lines += notebooks.profile_markdown(s["raw"]["results"])
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for development (default output "
                        f"{QUICK_OUT.relative_to(ROOT)})")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, metavar="NAME",
                        help=f"run only these sections ({', '.join(SECTIONS)}); keep the others from the output")
    parser.add_argument("--out", type=Path, default=None, help="the Markdown file to write (results.json beside it)")
    args = parser.parse_args(argv)
    out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    json_path = out.with_suffix(".json")

    kept = {}
    if args.only and json_path.exists():
        kept = {s["name"]: s for s in json.loads(json_path.read_text()).get("sections", [])}
    machine = timing.machine()
    for name in args.only or SECTIONS:
        print(f"[{timing.now()}] {name} ...", flush=True)
        start = time.perf_counter()
        section = run_section(name, args.quick)
        kept[name] = section.to_dict()
        print(timing.markdown_table(section.headers, section.rows))
        print(f"[{name}: {time.perf_counter() - start:.0f} s]", flush=True)
    sections = [kept[n] for n in SECTIONS if n in kept]
    json_path.write_text(json.dumps({"date": timing.now(), "quick": args.quick, "machine": machine,
                                     "sections": sections}, indent=1, default=float) + "\n")
    out.write_text(render(sections, machine, args.quick))
    print(f"wrote {out} and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
