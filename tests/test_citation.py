"""CITATION.cff is valid YAML with what GitHub's citation button reads, and agrees with the package."""
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    for key in ("cff-version", "message", "title", "authors", "license", "version", "date-released"):
        assert cff.get(key), key
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cff["version"] == project["version"] and cff["license"] == project["license"]
    assert cff["title"] == config["title"] and cff["repository-code"] == config["repository"]["url"]


def test_the_landing_page_cites_what_citation_cff_says():
    import re

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    page = (ROOT / "chapters" / "intro.md").read_text()
    block = re.search(r"```bibtex\n(.*?)```", page, re.S).group(1)
    fields = dict(re.findall(r"^\s*(\w+)\s*=\s*\{+(.*?)\}+,?$", block, re.M))
    assert fields["title"] == cff["title"] and fields["version"] == cff["version"]
    assert fields["author"] == cff["authors"][0]["name"]
    assert fields["year"] == str(cff["date-released"])[:4]


def test_the_landing_figure_is_what_the_package_draws(tmp_path):
    from rnnbook import publish

    drawn = publish.hero_figure(tmp_path / "hero.svg").read_bytes()
    assert drawn == (ROOT / publish.HERO).read_bytes(), (
        f"{publish.HERO} differs from the drawing: run python -m rnnbook.publish hero")
