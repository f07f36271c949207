"""The Colab set-up cell: in every chapter, current with _config.yml, a no-op off Colab, and on a
(simulated) Colab machine it fetches the book so that `import rnnbook` and the data work."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnnbook import publish

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
CONFIG = (ROOT / "_config.yml").read_text()


def _code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_chapter_starts_with_the_colab_cell_of_the_books_repository(path):
    first = _code_cells(path)[0]
    tags = first.get("metadata", {}).get("tags", [])
    assert publish.COLAB_TAG in tags and "remove-cell" in tags, f"{path.name}: the first code cell is not the Colab cell"
    expected = publish.colab_cell(*publish.repository(CONFIG))
    assert "".join(first["source"]) == expected, (
        f"{path.name}: its Colab cell does not fetch _config.yml's repository: run python -m rnnbook.publish colab")
    assert not first.get("outputs"), f"{path.name}: the Colab cell printed something off Colab"
    assert sum(publish.COLAB_TAG in c.get("metadata", {}).get("tags", []) for c in _code_cells(path)) == 1


def test_the_libraries_colab_installs_are_pinned_as_in_requirements():
    pins = dict(re.findall(r"^([\w-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    for requirement in publish.COLAB_MISSING:
        name, version = requirement.split("==")
        assert pins.get(name) == version, f"{requirement}: requirements.txt pins {name}=={pins.get(name)}"


def test_set_colab_cell_inserts_once_then_updates_in_place():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("x = 1")])
    assert publish.set_colab_cell(nb, "a") and [c.source for c in nb.cells] == ["# T", "a", "x = 1"]
    assert not publish.set_colab_cell(nb, "a")
    assert publish.set_colab_cell(nb, "b") and [c.source for c in nb.cells] == ["# T", "b", "x = 1"]
    with pytest.raises(TypeError, match="url must be a non-empty str"):
        publish.colab_cell("", "main")


def test_off_colab_the_cell_does_nothing(monkeypatch, tmp_path):
    def refuse(*a, **k):
        raise AssertionError("the Colab cell ran a command off Colab")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.chdir(tmp_path)
    path, env = list(sys.path), dict(os.environ)
    exec(publish.colab_cell("https://example.org/book", "main", str(tmp_path / "book")), {})
    assert sys.path == path and dict(os.environ) == env and Path.cwd() == tmp_path


def test_on_colab_the_cell_fetches_the_book_and_its_package_imports_there(tmp_path):
    """A Python with a stand-in ``google.colab`` runs the cell against a local clone of this repository."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    origin = tmp_path / "origin"   # the repository as published: this checkout's commit on a branch
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(origin)], check=True)
    subprocess.run(["git", "-C", str(origin), "checkout", "-q", "-B", "published"], check=True)
    fake = tmp_path / "fake"
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "__init__.py").write_text("")
    book = tmp_path / "content" / "recurrent"
    cell = publish.colab_cell(origin.as_uri(), "published", str(book))
    script = f"""
import google.colab, os, subprocess, sys
sys.path = [p for p in sys.path if os.path.realpath(p) != os.path.realpath({str(ROOT / 'code')!r})]
exec(compile({cell!r}, "colab-cell", "exec"))
import rnnbook
from rnnbook import experiments
child = subprocess.run([sys.executable, "-c", "import rnnbook; print(rnnbook.__file__)"],
                       capture_output=True, text=True, check=True).stdout.strip()
print(rnnbook.__file__, os.getcwd(), experiments.RESULTS_DIR.is_dir(), child, sep="\\n")
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(fake)
    env["PIP_NO_INDEX"] = "1"   # offline: the pinned libraries are installed here already
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    module, cwd, results, child = done.stdout.strip().splitlines()[-4:]
    assert module == str(book / "code" / "rnnbook" / "__init__.py") and cwd == str(book / "chapters")
    assert results == "True" and child == module   # the data, and the worker processes' package


def test_the_student_edition_fetches_the_student_repository_and_carries_what_it_runs_on():
    import nbformat

    from rnnbook import assign

    files = assign._edition_files(ROOT)
    expected = publish.colab_cell(*publish.repository(CONFIG, "student_repository"))
    assert expected != publish.colab_cell(*publish.repository(CONFIG))
    for path in NOTEBOOKS:
        nb = nbformat.reads(files[f"chapters/{path.name}"].decode(), as_version=4)
        colab = [c for c in nb.cells if publish.COLAB_TAG in c.metadata.get("tags", [])]
        assert [c.source for c in colab] == [expected], path.name
    for name in ("requirements.txt", "runtime.txt"):
        assert files[name] == (ROOT / name).read_bytes(), name
    assert any(name.startswith("data/experiments/") for name in files)
