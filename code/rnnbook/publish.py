"""How the chapter notebooks are stored and published.

Two jobs keep tooling out of the reader's sight:

* :func:`tidy` runs after a notebook is executed (``make execute`` calls
  ``python -m rnnbook.publish tidy NB``).  It turns a leading
  ``# NBVAL_IGNORE_OUTPUT`` comment into the cell tag ``nbval-ignore-output``
  (which nbval honours), drops the notebook's saved widget state, and stores every
  cell that displays a live widget without outputs, tagged ``widget`` and
  ``nbval-ignore-output``: a saved widget is dead on a static page and shows as raw
  ``interactive(children=...`` text on Binder until the cell runs.
* This module is also a Sphinx extension (``rnnbook.publish`` in ``_config.yml``):
  when the book is built it removes nbgrader's ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` lines from the code the page shows.  The notebooks keep
  them, because the student edition (:mod:`rnnbook.assign`) and nbgrader need them.
"""
from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import re
import sys
from pathlib import Path

import nbformat

NBVAL_COMMENT = "# NBVAL_IGNORE_OUTPUT"
NBVAL_TAG = "nbval-ignore-output"
WIDGET_TAG = "widget"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
#: The longest code line a chapter may show: longer lines scroll sideways on the page.
MAX_CODE_LINE = 85

__all__ = ["tidy", "tidy_file", "strip_solution_markers", "long_code_lines", "unique_scripts",
           "HERO", "hero_figure", "build_date", "setup", "COLAB_TAG", "COLAB_FOLDER", "COLAB_MISSING",
           "colab_cell", "repository", "set_colab_cell", "colab_cells"]

#: The landing page's figure, drawn by :func:`hero_figure` (``python -m rnnbook.publish hero``).
HERO = Path("images") / "hero.svg"


def _add_tags(cell: dict, *tags: str) -> None:
    have = cell.setdefault("metadata", {}).setdefault("tags", [])
    have.extend(tag for tag in tags if tag not in have)


def _shows_widget(cell: dict) -> bool:
    return any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))


def tidy(nb: dict) -> list[str]:
    """Tidy an executed notebook in place for storage; return what changed.

    Parameters
    ----------
    nb : dict
        A notebook (nbformat 4), as read by ``nbformat.read`` or ``json.load``.

    Returns
    -------
    list of str
        One line per change, empty when the notebook was already tidy.

    Raises
    ------
    TypeError
        If ``nb`` is not a dict with a list of ``cells``.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise TypeError(f"nb must be a notebook dict with a 'cells' list, got {type(nb).__name__}")
    changes = []
    if nb.get("metadata", {}).pop("widgets", None) is not None:
        changes.append("dropped the saved widget state")
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines = source.split("\n")
        if lines and lines[0].strip() == NBVAL_COMMENT:
            cell["source"] = "\n".join(lines[1:])
            _add_tags(cell, NBVAL_TAG)
            changes.append(f"cell {index}: comment {NBVAL_COMMENT!r} -> tag {NBVAL_TAG!r}")
        if _shows_widget(cell):
            _add_tags(cell, WIDGET_TAG, NBVAL_TAG)
            changes.append(f"cell {index}: tagged {WIDGET_TAG!r}")
        if WIDGET_TAG in cell.get("metadata", {}).get("tags", []) and cell.get("outputs"):
            cell["outputs"] = []
            changes.append(f"cell {index}: widget outputs removed")
    return changes


def tidy_file(path: str | Path) -> list[str]:
    """Tidy the notebook at ``path`` in place (see :func:`tidy`); return what changed."""
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"expected an existing .ipynb file, got {str(path)!r}")
    nb = nbformat.read(path, as_version=4)
    changes = tidy(nb)
    if changes:
        nbformat.write(nb, path)
    return changes


def strip_solution_markers(code: str) -> str:
    """Remove the lines that hold only an nbgrader solution marker from ``code``."""
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, got {type(code).__name__}")
    return "\n".join(line for line in code.split("\n") if line.strip() not in SOLUTION_MARKERS)


def long_code_lines(nb: dict, limit: int = MAX_CODE_LINE) -> list[tuple[int, int]]:
    """(cell index, line length) of every code line longer than ``limit`` characters."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") == "code":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            found.extend((index, len(line)) for line in source.split("\n") if len(line) > limit)
    return found


def _strip_notebook_markers(app, docname: str, source: list[str]) -> None:
    """Sphinx ``source-read`` hook: drop solution markers from a notebook's code cells."""
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    nb = json.loads(source[0])
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            code = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cell["source"] = strip_solution_markers(code)
    source[0] = json.dumps(nb)


def unique_scripts(scripts: list) -> list:
    """``scripts`` without repeats, in order (same file, same inline body, same attributes).

    sphinx-thebe registers its inline configuration once per reading pass, so a page
    could declare ``const THEBE_JS_URL`` twice, which is a JavaScript error.
    """
    seen, kept = set(), []
    for script in scripts:
        # an inline script is registered with filename None by one extension, '' by another
        key = (str(getattr(script, "filename", script) or ""),
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    return kept


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` hook: each script once per page."""
    if "script_files" in context:
        context["script_files"] = unique_scripts(context["script_files"])


def accessible_citations(body: str) -> str:
    """The bibliography's entries as list items of their ``role="list"`` container.

    docutils writes each entry of a citation list as ``<div class="citation"
    role="doc-biblioentry">`` inside ``<div role="list" class="citation-list">``.
    ARIA 1.2 deprecates ``doc-biblioentry``, and a ``list`` must own
    ``listitem`` children, so screen readers (and axe-core's
    ``aria-required-children`` rule, a critical violation) find a list with no
    items.  The entries become ``role="listitem"``; nothing visible changes.
    """
    return body.replace('role="doc-biblioentry"', 'role="listitem"')


def _accessible_page(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` hook: :func:`accessible_citations` on the body.

    (A code block that scrolls sideways takes keyboard focus through ``_static/recurrent.js``,
    which checks every block whenever its size changes, closed dropdowns included.)
    """
    if "body" in context:
        context["body"] = accessible_citations(context["body"])


def footer_html(version: str, built: str) -> str:
    """The line under every page: the book's version and the date it was built."""
    return f'<p class="recurrent-version">Recurrent {html.escape(version)}, built on {html.escape(built)}.</p>'


def meta_tags(description: str, title: str, book: str) -> str:
    """A page's description and link-preview tags (Open Graph, Twitter card), as HTML."""
    title = f"{title} | {book}" if title and title != book else book
    tags = {"name=description": description, "property=og:type": "book", "property=og:title": title,
            "property=og:description": description, "property=og:site_name": book,
            "name=twitter:card": "summary"}
    return "".join(f'<meta {key.split("=")[0]}="{key.split("=")[1]}" content="{html.escape(value, quote=True)}" />\n'
                   for key, value in tags.items())


def build_date(environ: dict | None = None) -> str:
    """The date a build states, ISO format: ``SOURCE_DATE_EPOCH`` if set (reproducible builds), else today (UTC).

    Raises
    ------
    ValueError
        If ``SOURCE_DATE_EPOCH`` is set to anything but a whole number of seconds.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970; got {epoch!r}")
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    else:
        moment = datetime.datetime.now(datetime.timezone.utc)
    return moment.date().isoformat()


def _stamp_footer(app, config) -> None:
    """Sphinx ``config-inited`` hook: the version and build date in the theme's footer."""
    from . import __version__

    built = build_date()
    config.html_theme_options = {**config.html_theme_options, "extra_footer": footer_html(__version__, built)}


def _add_meta(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` hook: the description and preview tags in every page's head."""
    description = app.config.html_context.get("description", "")
    if description:
        title = re.sub(r"<[^>]+>", "", context.get("title", "") or "")
        context["metatags"] = context.get("metatags", "") + meta_tags(
            description, html.unescape(title), app.config.html_title or app.config.project)


def setup(app):
    """Register the build-time hooks (Sphinx extension entry point)."""
    app.connect("config-inited", _stamp_footer)
    app.connect("html-page-context", _add_meta)
    app.connect("source-read", _strip_notebook_markers)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _accessible_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def hero_figure(path: str | Path) -> Path:
    """Draw the landing page's figure, a recurrent cell folded and unrolled, as an SVG at ``path``.

    The same drawing as chapter 2's (:func:`rnnbook.plots.unrolled_rnn`), as a
    vector image with no date in it, so that drawing it again gives the same
    file (a test checks the committed one).
    """
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from . import _plot_style, plots

    _plot_style()
    fig = plots.unrolled_rnn(4, title="One cell, the same weights at every step: a recurrent network unrolled")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return path


#: The tag of the first code cell of every chapter: the set-up that makes the notebook run on Colab.
COLAB_TAG = "colab-setup"
#: Where the Colab cell puts the book on a Colab machine.
COLAB_FOLDER = "/content/recurrent"
#: The libraries the book needs that Colab does not ship (pinned as in requirements.txt; a test compares).
COLAB_MISSING = ("gensim==4.4.0", "sacrebleu==2.6.0")

_COLAB_CELL = """\
# On Google Colab only (elsewhere nothing happens): fetch the book, for its
# package and data, and install the libraries Colab lacks.
import os, subprocess, sys
REPOSITORY, BRANCH = {url}, {branch}
BOOK = {folder}
if "google.colab" in sys.modules:
    if not os.path.isdir(BOOK):
        subprocess.run(["git", "clone", "-q", "--depth=1", "--branch", BRANCH,
                        REPOSITORY, BOOK], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                        {missing}], check=True)
    if BOOK + "/code" not in sys.path:   # here, and in the worker processes
        sys.path.insert(0, BOOK + "/code")
        os.environ["PYTHONPATH"] = BOOK + "/code"
    os.chdir(BOOK + "/chapters")"""


def colab_cell(url: str, branch: str, folder: str = COLAB_FOLDER) -> str:
    """The source of the set-up cell that lets a chapter notebook run on Google Colab.

    Colab opens a notebook alone, without the book's package or data.  On
    Colab (where the module ``google.colab`` is loaded) the cell clones the
    book's repository ``url`` at ``branch`` into ``folder``, installs
    :data:`COLAB_MISSING`, puts the package (``code/``) on the import path,
    also of the worker processes, and moves to ``chapters/``; anywhere else
    it does nothing.  The page hides it (tag ``remove-cell``).
    """
    for name, value in (("url", url), ("branch", branch), ("folder", folder)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{name} must be a non-empty str; got {value!r}")
    missing = ", ".join(json.dumps(m) for m in COLAB_MISSING)
    return _COLAB_CELL.format(url=json.dumps(url), branch=json.dumps(branch), folder=json.dumps(folder),
                              missing=missing)


def repository(config: str, key: str = "repository") -> tuple[str, str]:
    """``(url, branch)`` of the ``repository`` (or ``student_repository``) setting of a ``_config.yml``'s text."""
    import yaml

    entry = (yaml.safe_load(config) or {}).get(key) or {}
    if not entry.get("url"):
        raise ValueError(f"_config.yml has no {key}: url")
    return str(entry["url"]), str(entry.get("branch") or "main")


def set_colab_cell(nb: dict, source: str) -> bool:
    """Make the cell tagged :data:`COLAB_TAG` hold ``source``, inserting it before the first code cell
    if there is none; return whether the notebook changed."""
    cells = nb["cells"]
    for cell in cells:
        if COLAB_TAG in cell.get("metadata", {}).get("tags", []):
            if cell["source"] == source:
                return False
            cell["source"] = source
            return True
    first = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cell = nbformat.v4.new_code_cell(source)
    cell["id"] = COLAB_TAG   # the same id in every chapter, not a random one
    _add_tags(cell, COLAB_TAG, "remove-cell")
    cells.insert(first, cell)
    return True


def colab_cells(root: str | Path = ".") -> list[Path]:
    """Write the Colab cell of ``root/_config.yml``'s repository into every chapter notebook; return those changed."""
    root = Path(root)
    source = colab_cell(*repository((root / "_config.yml").read_text(encoding="utf-8")))
    changed = []
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if set_colab_cell(nb, source):
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnbook.publish", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tidy_parser = sub.add_parser("tidy", help="tidy executed notebooks in place for storage")
    tidy_parser.add_argument("notebooks", nargs="+")
    hero_parser = sub.add_parser("hero", help=f"draw the landing page's figure (default {HERO})")
    hero_parser.add_argument("path", nargs="?", default=str(HERO))
    colab_parser = sub.add_parser("colab", help="write the Colab set-up cell of _config.yml's repository "
                                                "into every chapter notebook")
    colab_parser.add_argument("root", nargs="?", default=".")
    args = parser.parse_args(argv)
    if args.command == "colab":
        for path in colab_cells(args.root):
            print(f"{path}: Colab cell written")
        return 0
    if args.command == "hero":
        print(f"wrote {hero_figure(args.path)}")
        return 0
    for name in args.notebooks:
        try:
            changes = tidy_file(name)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        for change in changes:
            print(f"{name}: {change}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
