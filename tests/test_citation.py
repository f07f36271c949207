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
