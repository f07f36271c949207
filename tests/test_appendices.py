"""The appendix pages: every code example on them runs and shows what it claims.

The cheat sheet and the maths refresher are executed block by block, in page
order, in one namespace per page, so a broken example fails with the page and
the number of its block.  The scaling-up page configures TensorFlow's logical
devices, which only works before TensorFlow initialises, so it runs in a fresh
interpreter.  The glossary is checked for size and for duplicate terms.
"""
from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"

PINS = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4,AVX512_ICL,AVX512_SPR",
}

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(page: str) -> list[str]:
    """The ```python fenced blocks of a page, in order."""
    return [m.group(1) for m in _FENCE.finditer((CHAPTERS / page).read_text(encoding="utf-8"))]


def test_python_blocks_finds_fences():
    text = "x\n```python\na = 1\n```\n\n```bash\nls\n```\n```python\nb = a + 1\n```\n"
    found = [m.group(1) for m in _FENCE.finditer(text)]
    assert found == ["a = 1\n", "b = a + 1\n"]


@pytest.mark.parametrize("page", ["keras_cheatsheet.md", "maths_refresher.md"])
def test_page_examples_run(page, capsys):
    for key, value in PINS.items():
        os.environ.setdefault(key, value)
    blocks = python_blocks(page)
    assert len(blocks) >= 5, f"{page}: expected at least 5 python blocks, found {len(blocks)}"
    namespace: dict = {"__name__": f"appendix_{page.removesuffix('.md')}"}
    for number, code in enumerate(blocks, start=1):
        try:
            exec(compile(code, f"{page} block {number}", "exec"), namespace)
        except Exception as error:  # noqa: BLE001 - report which block failed, with its code
            pytest.fail(f"{page}, python block {number} of {len(blocks)} raised "
                        f"{type(error).__name__}: {error}\n--- block {number} ---\n{code}")


def test_scaling_up_runs_on_two_replicas():
    blocks = python_blocks("scaling_up.md")
    assert blocks, "scaling_up.md has no python blocks"
    script = "\n\n".join(blocks)
    env = {**os.environ, **PINS}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    env["CUDA_VISIBLE_DEVICES"] = ""  # the page is about two CPU replicas
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=120, cwd=CHAPTERS)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"scaling_up.md exited with {done.returncode}:\n{textwrap.shorten(output, 4000)}"
    replicas = re.search(r"replicas in sync:\s*(\d+)", done.stdout)
    assert replicas and int(replicas.group(1)) == 2, f"no 'replicas in sync: 2' in:\n{done.stdout}"
    losses = re.search(r"loss: first epoch ([-+0-9.eE]+|nan|inf), last epoch ([-+0-9.eE]+|nan|inf)", done.stdout)
    assert losses, f"no 'loss: first epoch ..., last epoch ...' line in:\n{done.stdout}"
    first, last = float(losses.group(1)), float(losses.group(2))
    assert math.isfinite(first) and math.isfinite(last), (first, last)
    assert last < first, f"loss did not decrease: {first} -> {last}"


def glossary_terms() -> list[str]:
    text = (CHAPTERS / "glossary.md").read_text(encoding="utf-8")
    match = re.search(r"^```\{glossary\}[ \t]*\n(.*?)^```[ \t]*$", text, re.DOTALL | re.MULTILINE)
    assert match, "glossary.md has no ```{glossary} block"
    terms = []
    for line in match.group(1).splitlines():
        if not line.strip() or line.startswith((" ", "\t")) or line.startswith(":"):
            continue  # blank lines, definitions (indented) and options such as :sorted:
        terms.append(line.strip())
    return terms


def test_glossary_terms():
    terms = glossary_terms()
    assert len(terms) >= 40, f"only {len(terms)} glossary terms"
    lowered = [t.lower() for t in terms]
    duplicates = sorted({t for t in lowered if lowered.count(t) > 1})
    assert not duplicates, f"duplicate glossary terms: {duplicates}"


def test_glossary_definitions_point_to_chapters():
    text = (CHAPTERS / "glossary.md").read_text(encoding="utf-8")
    body = re.search(r"^```\{glossary\}[ \t]*\n(.*?)^```[ \t]*$", text, re.DOTALL | re.MULTILINE).group(1)
    entries = re.split(r"\n(?=\S)", body)
    missing = [e.splitlines()[0] for e in entries
               if not e.startswith(":") and e.strip() and "{ref}`" not in e and "{numref}`" not in e]
    assert not missing, f"glossary terms without a chapter reference: {missing}"
