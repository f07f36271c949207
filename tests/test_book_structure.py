"""What every page of the book must have, read from its sources: one title, no skipped
heading levels, alt text and a caption on every figure, and the field's core references."""
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files.extend(entry["file"] for entry in part["chapters"])
    found = []
    for name in files:
        matches = [p for p in (ROOT / f"{name}.ipynb", ROOT / f"{name}.md") if p.exists()]
        assert matches, f"_toc.yml lists {name}, which has no .ipynb or .md file"
        found.append(matches[0])
    return found


PAGES = _toc_files()
NOTEBOOKS = [p for p in PAGES if p.suffix == ".ipynb"]


def _markdown(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text()
    nb = json.loads(path.read_text())
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _headings(text: str) -> list[int]:
    levels, fence = [], None
    for line in text.split("\n"):
        marker = re.match(r"^(`{3,}|:{3,})", line)
        if marker:
            if fence is None:
                fence = marker.group(1)[0]
            elif line.strip() and set(line.strip()) == {fence}:
                fence = None
            continue
        heading = re.match(r"^(#{1,6}) \S", line)
        if heading and fence is None:
            levels.append(len(heading.group(1)))
    return levels


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_one_title_and_no_skipped_heading_level(path):
    levels = _headings(_markdown(path))
    assert levels and levels[0] == 1 and levels.count(1) == 1, f"{path.name}: headings {levels}"
    skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not skips, f"{path.name} skips a heading level: {skips}"


def test_the_heading_reader_ignores_code_fences():
    text = "# Title\n```python\n# a comment, not a heading\n```\n## Part\n:::{note}\n### inside\n:::\n"
    assert _headings(text) == [1, 2]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_has_alt_text_and_a_caption(path):
    nb = json.loads(path.read_text())
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if any("image/png" in out.get("data", {}) for out in cell.get("outputs", [])):
            mystnb = cell["metadata"].get("mystnb", {})
            alt = mystnb.get("image", {}).get("alt", "")
            assert len(alt.split()) >= 5, f"{path.name} cell {index}: alt text missing or too short"
            figure = mystnb.get("figure", {})
            assert figure.get("caption") and figure.get("name", "").startswith("fig-"), (
                f"{path.name} cell {index}: a figure needs a caption and a fig- label")


CORE_REFERENCES = {
    "bengio1994learning": "Bengio",
    "hochreiter1997long": "Hochreiter",
    "gers2000learning": "Gers",
    "pascanu2013difficulty": "Pascanu",
    "cho2014learning": "Cho",
    "chung2014empirical": "Chung",
    "sutskever2014sequence": "Sutskever",
    "bahdanau2015neural": "Bahdanau",
    "mikolov2013efficient": "Mikolov",
    "pennington2014glove": "Pennington",
    "le2015simple": "Le",
    "jozefowicz2015empirical": "Jozefowicz",
    "williams1990efficient": "Peng",
}


def test_the_core_references_are_in_the_bibliography_and_cited():
    bib = (ROOT / "references.bib").read_text()
    cited = "\n".join(_markdown(p) for p in PAGES)
    for key, author in CORE_REFERENCES.items():
        entry = re.search(r"@\w+\{" + key + r",(.*?)\n\}", bib, re.S)
        assert entry, f"references.bib has no entry {key}"
        assert author in entry.group(1), f"{key} should be by {author}"
        assert re.search(r"\{(foot)?cite(:\w+)?\}`[^`]*\b" + key + r"\b", cited), f"no page cites {key}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_at_most_one_code_cell_in_six_escapes_nbval(path):
    """Outputs are checked, not waved through: timings, widgets and machine-dependent digits only."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    ignored = [i for i, c in enumerate(cells) if "nbval-ignore-output" in c.get("metadata", {}).get("tags", [])]
    assert 6 * len(ignored) <= len(cells), (
        f"{path.name}: {len(ignored)} of {len(cells)} code cells carry nbval-ignore-output (at most one in six); "
        "print what every machine agrees on (report.band, Comparison.verdicts) instead")


#: A code cell shows one idea: at most this many lines, and at most one cell in ten above SHORT_CELL.
LONG_CELL, SHORT_CELL = 25, 20
#: Characters a code line may hold: what the page's code column shows at 1280 px (a browser test measures it).
CODE_LINE = 85


def _cell_lines(cell: dict) -> list[str]:
    return "".join(cell["source"]).rstrip("\n").split("\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_short_and_fit_the_column(path):
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    lengths = [len(_cell_lines(c)) for c in cells]
    long = [(i, n) for i, n in enumerate(lengths) if n > LONG_CELL]
    assert not long, f"{path.name}: code cells (index among code cells, lines) over {LONG_CELL} lines: {long}"
    over = sum(n > SHORT_CELL for n in lengths)
    assert 10 * over <= len(cells), (
        f"{path.name}: {over} of {len(cells)} code cells are over {SHORT_CELL} lines (at most one in ten)")
    wide = [(i, len(line)) for i, c in enumerate(cells) for line in _cell_lines(c) if len(line) > CODE_LINE]
    assert not wide, f"{path.name}: code lines over {CODE_LINE} characters (code cell, length): {wide}"
    # code written in the prose (an exercise's solution, a command) fits the column too
    fenced = [(n, len(line)) for n, line in _fenced_code_lines(_markdown(path)) if len(line) > CODE_LINE]
    assert not fenced, f"{path.name}: code lines in the prose over {CODE_LINE} characters (line, length): {fenced}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_package_code_a_page_shows_fits_the_column(path):
    """Every ``rnnbook.show(X)`` of the chapter displays lines that the code column holds."""
    import importlib

    import rnnbook

    shown = sorted({m.group(1) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
                    for m in re.finditer(r"rnnbook\.show\(([\w.]+)", "".join(c["source"]))})
    wide = []
    for name in shown:
        module, *attrs = name.split(".")
        obj = importlib.import_module(f"rnnbook.{module}")
        for attr in attrs:
            obj = getattr(obj, attr)
        code = repr(rnnbook.show(obj))
        wide += [(name, len(line)) for line in code.splitlines() if len(line) > CODE_LINE]
    assert not wide, f"{path.name}: shown package code over {CODE_LINE} characters (object, length): {wide}"


def _fenced_code_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line inside a code fence (```python, ```bash, ```, ```{code-cell})."""
    lines, stack = [], []
    for number, line in enumerate(text.split("\n"), 1):
        fence = re.match(r"^\s*(`{3,}|~{3,})(.*)$", line)
        if fence:
            if stack and fence.group(1) == stack[-1][0] and not fence.group(2).strip():
                stack.pop()
            else:
                stack.append((fence.group(1), fence.group(2).strip()))
            continue
        if stack and (not stack[-1][1].startswith("{") or stack[-1][1].startswith("{code")):
            lines.append((number, line))
    return lines


@pytest.mark.parametrize("path", [p for p in PAGES if p.suffix == ".md"], ids=lambda p: p.stem)
def test_code_blocks_of_the_pages_fit_the_column(path):
    wide = [(n, len(line)) for n, line in _fenced_code_lines(path.read_text()) if len(line) > CODE_LINE]
    assert not wide, f"{path.name}: code lines over {CODE_LINE} characters (line number, length): {wide}"


def test_the_fence_reader_tells_code_from_directives():
    text = "```{admonition} Note\nprose " + "p" * 90 + "\n```\n```python\nx = 1\n```\n````{tab-set}\n```bash\nls\n```\n````"
    assert _fenced_code_lines(text) == [(5, "x = 1"), (9, "ls")]


def test_the_cell_rule_catches_a_long_cell(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ["x = 1\n"] * (LONG_CELL + 1)}]}
    (tmp_path / "long.ipynb").write_text(json.dumps(nb))
    with pytest.raises(AssertionError, match="over 25 lines"):
        test_code_cells_are_short_and_fit_the_column(tmp_path / "long.ipynb")
    nb["cells"] = [{"cell_type": "code", "source": ["y" * (CODE_LINE + 1)]}]
    (tmp_path / "wide.ipynb").write_text(json.dumps(nb))
    with pytest.raises(AssertionError, match="over 85 characters"):
        test_code_cells_are_short_and_fit_the_column(tmp_path / "wide.ipynb")


def _assigned_names(source: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign) else [node.target]
                   if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)) else [])
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_an_answer_variable_is_set_only_by_the_learner(path):
    """A blank answer must not pass because the reading set a variable of the same name."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    answers = {m.group(2): m.group(1) for c in cells
               for m in re.finditer(r'checks\.answer\("([^"]+)", (\w+)', "".join(c["source"]))}
    for cell in cells:
        source = "".join(cell["source"])
        if "### BEGIN SOLUTION" in source:
            continue
        clash = _assigned_names(source) & set(answers)
        assert not clash, f"the reading sets {sorted(clash)}, the answer of {[answers[n] for n in clash]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_answer_tag_names_an_exercise_of_its_chapter(path):
    nb = json.loads(path.read_text())
    text = _markdown(path)
    labels = set(re.findall(r"^:label:\s*(ex\S+)", text, re.MULTILINE))
    for cell in nb["cells"]:
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.startswith("answer-to-"):
                assert cell["cell_type"] == "code" and tag[len("answer-to-"):] in labels, tag


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercise_labels_match_the_numbers_on_the_page(path):
    """Exercise k of chapter n is labelled exn-k, so what a check prints is what the page shows."""
    labels = re.findall(r"^```\{exercise\}[^\n]*\n:label:\s*(ex\S+)", _markdown(path), re.MULTILINE)
    if not labels:
        return
    chapter = int(path.stem.split("_")[0])
    assert labels == [f"ex{chapter}-{k}" for k in range(1, len(labels) + 1)], labels


def test_every_registered_check_names_an_exercise_on_a_page():
    import sys

    sys.path.insert(0, str(ROOT / "code"))
    from rnnbook import checks

    labels = {label for path in NOTEBOOKS
              for label in re.findall(r"^:label:\s*(ex\S+)", _markdown(path), re.MULTILINE)}
    assert set(checks.registered()) <= labels, sorted(set(checks.registered()) - labels)


WIDGET_NOTE = "It needs a running notebook (the rocket button at the top of the page opens it on Binder or Colab); "


def test_every_widget_says_the_same_thing_and_has_its_static_version_right_under_it():
    """A reader without a kernel sees one sentence, in the same words everywhere, and a static view next."""
    import nbformat

    widgets = 0
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        for i, cell in enumerate(cells):
            if "widget" not in cell.metadata.get("tags", []):
                continue
            widgets += 1
            before, after = cells[i - 1], cells[i + 1]
            assert before.cell_type == "markdown" and WIDGET_NOTE + "right under it," in before.source, (
                f"{path.name} cell {i}: the text before a widget must say {WIDGET_NOTE!r}")
            assert after.cell_type == "code" and "widget" not in after.metadata.get("tags", []), (
                f"{path.name} cell {i}: the static version must come right after the widget")
            assert after.outputs, f"{path.name} cell {i + 1}: the static version has no stored output"
    assert widgets >= 3


#: Numbers the prose may type that no output prints: arithmetic the text does on printed values.
TYPED_NUMBERS = {
    "05_lstm": {"1.31": "0.655 x 2, the kept part of the old cell value, from the printed gate"},
    "13_translation": {"0.717": "the brevity penalty of the worked example, from the lengths in its equation"},
}


def _output_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append("".join(out.get("text", "")))
            for kind in ("text/plain", "text/markdown", "text/html"):
                parts.append("".join(out.get("data", {}).get(kind, "")))
    return "\n".join(parts)


def _unprinted_numbers(prose: str, printed: str) -> list[str]:
    """Decimal numbers (two or more decimals) of the prose, outside maths and code, that no output prints."""
    prose = re.sub(r"```.*?```", "", prose, flags=re.S)
    prose = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`", "", prose, flags=re.S)
    return [m.group(0) for m in re.finditer(r"(?<![\w.])\d+\.\d{2,}(?![\w.])", prose) if m.group(0) not in printed]


def test_unprinted_numbers_are_found():
    assert _unprinted_numbers("MASE 0.504 against 0.545, $x = 0.25$, `lr=0.001`", "0.504 0.545") == []
    assert _unprinted_numbers("the run scored 0.42", "score 0.36") == ["0.42"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_number_the_prose_quotes_is_printed_by_the_book(path):
    """A result typed in the prose must be one that an output of the book prints (the chapter's own, or
    another chapter's that it quotes), so that a re-run that changes an output cannot leave the prose
    behind.  The check reads every chapter's outputs: it finds a number no run prints any more, not
    which chapter printed it."""
    printed = "\n".join(_output_text(json.loads(p.read_text())) for p in NOTEBOOKS)
    allowed = TYPED_NUMBERS.get(path.stem, {})
    unprinted = _unprinted_numbers(_markdown(path), printed)
    missing = [n for n in unprinted if n not in allowed]
    assert not missing, f"{path.name}: numbers in the prose that no output of the book prints: {missing}"
    stale = [n for n in allowed if n not in unprinted]
    assert not stale, f"{path.name}: TYPED_NUMBERS lists numbers the prose no longer types: {stale}"
