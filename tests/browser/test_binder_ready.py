"""Binder readiness: the repository installs and runs a chapter the way repo2docker builds it.

repo2docker (Binder) picks the Python of ``runtime.txt``, then runs
``pip install -r requirements.txt`` from the repository root, with no Makefile.
This test does the same on this machine: a fresh ``python -m venv`` (the system
Python of runtime.txt's version, not the project's .venv), ``pip install -r
requirements.txt`` from a temporary copy of the repository's files (the
requirements install the book's package with ``-e .``), then ``import rnnbook``
and ``jupyter nbconvert --execute`` of chapter 1 with that environment's own
kernel.  No browser is involved, so this test does not need Chromium.

Slow: pip resolves and installs TensorFlow and the rest (minutes; pip's cache
makes a repeat faster), then the chapter runs.  Marked ``slow``:
``pytest -m "not slow"`` leaves it out.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "chapters/01_sequence_learning.ipynb"
KERNEL = "recurrent-binder-check"


def runtime_python() -> str:
    """The X.Y of runtime.txt (repo2docker's format: ``python-X.Y``)."""
    text = (ROOT / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", text)
    assert match, f"runtime.txt must read python-X.Y (repo2docker's format); it reads {text!r}"
    return f"{match[1]}.{match[2]}"


def test_runtime_txt_matches_the_project_python():
    """The book is developed and tested (make test) with the Python that Binder will use."""
    want = runtime_python()
    have = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert have == want, (f"runtime.txt asks Binder for Python {want}, but the project's .venv runs {have}: "
                          "the tests do not cover what Binder runs")


def _repository_files() -> list[str]:
    """Tracked files plus untracked ones git does not ignore (what the next commit will hold), that exist."""
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\0") if p and (ROOT / p).is_file()]


def _clean_env(venv: Path) -> dict:
    """This machine's environment without the project's .venv: PATH starts at the fresh venv's bin."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_DATA_DIR",
                        "JUPYTER_CONFIG_DIR", "PYTEST_CURRENT_TEST")}
    project_bin = str(ROOT / ".venv" / "bin")
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != project_bin]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    return env


@pytest.mark.slow
def test_a_fresh_environment_installs_and_runs_chapter_1(tmp_path):
    version = runtime_python()
    python = shutil.which(f"python{version}")
    if python is None:
        pytest.skip(f"no python{version} on this machine (runtime.txt's version): a venv of another Python "
                    "would not reproduce Binder's environment")
    if not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("needs git and the repository's .git to know which files Binder would see")

    repo = tmp_path / "repo"
    for rel in _repository_files():
        dest = repo / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    venv = tmp_path / "venv"
    env = _clean_env(venv)
    timings = {}
    try:
        _install_and_run(python, repo, venv, env, timings, tmp_path)
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # 2.5 GB: pytest keeps its last three temporary folders
    summary = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    print(f"\nBinder readiness timings: {summary}")


def _install_and_run(python, repo, venv, env, timings, tmp_path):
    def run(step, cmd, timeout, cwd=repo):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
        timings[step] = time.perf_counter() - start
        assert proc.returncode == 0, (f"{step} failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n"
                                      f"--- stdout (end)\n{proc.stdout[-3000:]}\n--- stderr (end)\n{proc.stderr[-5000:]}")
        return proc

    run("venv", [python, "-m", "venv", str(venv)], 300)
    vpy = str(venv / "bin" / "python")
    # exactly what repo2docker runs, from the repository root
    run("pip install -r requirements.txt", [vpy, "-m", "pip", "install", "-r", "requirements.txt"], 1800)
    where = run("import rnnbook", [vpy, "-c", "import rnnbook, sys; print(rnnbook.__file__); print(sys.prefix)"], 300)
    module_file = Path(where.stdout.splitlines()[0]).resolve()
    assert repo.resolve() in module_file.parents, f"rnnbook was imported from {module_file}, not from the repository copy"

    # the environment's own kernel, with its absolute interpreter path, under a name nothing else uses
    run("kernelspec", [vpy, "-m", "ipykernel", "install", "--prefix", str(venv), "--name", KERNEL], 300)
    spec = json.loads((venv / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json").read_text())
    assert Path(spec["argv"][0]).parent == venv / "bin", spec["argv"]
    out = tmp_path / "executed"
    run(f"execute {NOTEBOOK}",
        [str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute", NOTEBOOK,
         "--output-dir", str(out), f"--ExecutePreprocessor.kernel_name={KERNEL}",
         "--ExecutePreprocessor.timeout=600"], 1200)
    executed = json.loads((out / Path(NOTEBOOK).name).read_text())
    errors = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{NOTEBOOK} raised: {errors[0].get('ename')}: {errors[0].get('evalue')}"
