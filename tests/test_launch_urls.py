"""The launch (Binder, Thebe, Colab), repository and issue buttons of the built book come from one setting: `repository` in _config.yml."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rnnbook import publish

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).parent / "jupyter-book"


@pytest.fixture(scope="module")
def built_with_other_repository(tmp_path_factory):
    """Build the book (stored outputs, no execution) with the repository setting changed, into a temporary folder."""
    if not JB.exists():
        pytest.skip(f"jupyter-book is not installed next to {sys.executable}")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"] = {"url": "https://github.com/example-org/example-book", "branch": "trunk"}
    out = tmp_path_factory.mktemp("book")
    (out / "_config.yml").write_text(yaml.safe_dump(config))
    subprocess.run([str(JB), "build", str(ROOT), "--config", str(out / "_config.yml"), "--path-output", str(out), "-q"],
                   check=True, capture_output=True, timeout=600)
    return out / "_build" / "html"


def test_the_repository_is_one_setting_in_the_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    assert config["repository"]["branch"]
    # nothing else in the book's sources names a repository of its own, but the Colab cell, which
    # `python -m rnnbook.publish colab` writes from this setting (tests/test_colab.py: it is current)
    owner_repo = url.removeprefix("https://github.com/")
    for path in [*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("chapters/*.md"), ROOT / "_toc.yml"]:
        text = path.read_text()
        if path.suffix == ".ipynb":
            nb = json.loads(text)
            nb["cells"] = [c for c in nb["cells"] if publish.COLAB_TAG not in c.get("metadata", {}).get("tags", [])]
            text = json.dumps(nb)
        assert owner_repo not in text, f"{path.name} names the repository; link through the setting"


def test_every_launch_url_is_built_from_the_setting(built_with_other_repository):
    html = built_with_other_repository
    chapters = sorted((html / "chapters").glob("0*.html"))
    assert chapters, "no chapter pages were built"
    old = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].removeprefix("https://github.com/")
    for page in chapters:
        text = page.read_text()
        assert old not in text, f"{page.name} still links to {old}"
        binder = re.findall(r'href="(https://mybinder\.org/[^"]+)"', text)
        assert binder == [f"https://mybinder.org/v2/gh/example-org/example-book/trunk?"
                          f"urlpath=lab/tree/chapters/{page.stem}.ipynb"], (page.name, binder)
        colab = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', text)
        assert colab == [f"https://colab.research.google.com/github/example-org/example-book/blob/trunk/"
                         f"chapters/{page.stem}.ipynb"], (page.name, colab)
        thebe = re.search(r'binderOptions:\s*{\s*repo:\s*"([^"]+)",\s*ref:\s*"([^"]+)"', text)
        assert thebe and thebe.groups() == ("example-org/example-book", "trunk"), (page.name, "Thebe")
        downloads = re.findall(r'href="([^"]+\.ipynb)"', text)
        assert f"../_sources/chapters/{page.stem}.ipynb" in downloads, (page.name, "no notebook download")
        repo_links = set(re.findall(r'href="(https://github\.com/[^"]+)"', text))
        assert repo_links and all(link.startswith("https://github.com/example-org/example-book") for link in repo_links)
