"""The whole book as one PDF: the single-page HTML build, printed by Chromium.

``make pdf`` runs ``python -m rnnbook.pdf --source . _build/html/recurrent.pdf``
(:func:`build`): Sphinx's ``singlehtml`` builder puts every chapter on one
page, figures and equations included, and :func:`print_book` opens that page
in Chromium (through Playwright, offline), waits for MathJax to typeset every
equation, opens every solution, and prints it to A4 with page numbers and a
bookmark per heading.  The stylesheet's print rules
(``_static/recurrent.css``) hide the navigation, wrap long code lines instead of
cutting them, and start each chapter on a new page.

Before printing, :func:`print_book` measures the page as it will be printed and
refuses to write a PDF in which a code block, an equation, a table or a figure
runs past the right margin.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["A4_MARGINS", "wait_for_maths", "open_everything", "find_chromium", "single_page", "print_book",
           "build", "main"]

#: Page margins of the printed book.
A4_MARGINS = {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
_FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
           '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
_MATHJAX_MS = 120_000

# MathJax's state once it has typeset the page, or why it has not (see wait_for_maths).
_TYPESET = """async ([loadMs, typesetMs]) => {
  if (!document.querySelector('span.math, div.math')) return 'no maths';
  const start = performance.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (performance.now() - start > loadMs) return 'never loaded';
    await new Promise(r => setTimeout(r, 50));
  }
  const state = await Promise.race([MathJax.startup.promise.then(() => 'typeset', e => 'failed: ' + e),
                                    new Promise(r => setTimeout(() => r('timed out'), typesetMs))]);
  if (state !== 'typeset') return state;
  const left = [...document.querySelectorAll('span.math, div.math')].filter(e => !e.querySelector('mjx-container'));
  return left.length ? `${left.length} equations not typeset` : 'typeset';
}"""

# Every hidden part a reader can open: sphinx-togglebutton's admonitions and <details>.
_OPEN = """() => {
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('details').forEach(d => { d.open = true; });
}"""

# What would be cut at the right margin: wider than its box and not wrapped, or past the text column.
_OVERFLOW = """() => {
  const column = document.querySelector('article') || document.body;
  const right = column.getBoundingClientRect().right + 1;
  const name = e => (e.closest('[id]') ? '#' + e.closest('[id]').id + ' ' : '') +
                    (e.innerText || e.getAttribute('src') || '').trim().split('\\n')[0].slice(0, 60);
  const shown = e => e.offsetParent !== null && e.getClientRects().length;
  const out = [];
  for (const e of document.querySelectorAll('pre, mjx-container[display="true"], table, img')) {
    if (!shown(e)) continue;
    if (e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > right)
      out.push(`${e.tagName.toLowerCase()} ${name(e)}`);
  }
  return out;
}"""


def wait_for_maths(page, *, load_ms: int = 30_000, typeset_ms: int = _MATHJAX_MS) -> str:
    """Wait until MathJax has typeset the equations of a loaded Playwright ``page``; return its state.

    ``"typeset"`` (every equation), ``"no maths"`` (nothing to typeset),
    ``"never loaded"`` (MathJax did not start within ``load_ms``),
    ``"timed out"`` (not done within ``typeset_ms``), ``"failed: ..."``, or
    ``"N equations not typeset"``.  The printer and the browser tests share it.
    """
    return page.evaluate(_TYPESET, [load_ms, typeset_ms])


def open_everything(page) -> None:
    """Open every solution, dropdown and ``<details>`` of a loaded Playwright ``page``, as a reader can."""
    page.evaluate(_OPEN)


def find_chromium() -> Path:
    """The Chromium to print with: ``RECURRENT_CHROMIUM`` if set, else Debian's ``/usr/bin/chromium``.

    Raises
    ------
    FileNotFoundError
        If there is none (no browser is downloaded: install one, e.g. ``apt-get install chromium``).
    """
    for candidate in (os.environ.get("RECURRENT_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError("printing the book needs Chromium: install it (apt-get install chromium) or set "
                            "RECURRENT_CHROMIUM to its path; no browser is downloaded")


def single_page(build: str | Path) -> Path:
    """The one page of a ``singlehtml`` build, where its relative links work.

    Jupyter Book writes the page under the root document's name
    (``chapters/intro.html``) while its links to ``_static/`` and ``_images/``
    are relative to the build folder, so it is copied there as ``book.html``;
    ``index.html`` (a redirect) names it.

    Raises
    ------
    FileNotFoundError
        If ``build`` holds no ``index.html`` that leads to a page.
    """
    import re
    import shutil

    build = Path(build)
    index = build / "index.html"
    if not index.is_file():
        raise FileNotFoundError(f"no singlehtml build in {build}: run jupyter-book build . --builder singlehtml")
    redirect = re.search(r'url=([^"\s]+\.html)', index.read_text())
    page = build / redirect.group(1) if redirect else index
    if not page.is_file():
        raise FileNotFoundError(f"{index} leads to {page}, which is missing")
    if page.parent == build:
        return page
    shutil.copyfile(page, build / "book.html")
    return build / "book.html"


def print_book(html: str | Path, out: str | Path, *, chromium: str | Path | None = None) -> dict:
    """Print the single-page book ``html`` to the PDF ``out`` (A4); return what was measured.

    Parameters
    ----------
    html : path
        The page of a ``singlehtml`` build (:func:`single_page`).
    out : path
        The PDF to write (its folder is created).
    chromium : path, optional
        The browser; :func:`find_chromium` by default.

    Returns
    -------
    dict
        ``maths`` (MathJax's state: "typeset" or "no maths"), ``overflow`` (empty:
        nothing runs past the margin), ``bytes`` (the PDF's size).

    Raises
    ------
    FileNotFoundError
        If ``html`` or Chromium is missing.
    RuntimeError
        If the equations do not typeset, or something would be cut at the right margin
        (no PDF is written then).
    """
    from playwright.sync_api import sync_playwright

    html, out = Path(html).resolve(), Path(out)
    if not html.is_file():
        raise FileNotFoundError(f"no single-page book at {html}: build it first "
                                "(jupyter-book build . --builder singlehtml)")
    browser_path = Path(chromium) if chromium is not None else find_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(browser_path))
        try:
            page = browser.new_page()
            # offline: nothing but the build's own files
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                       else r.abort())
            page.goto(html.as_uri(), wait_until="load", timeout=_MATHJAX_MS)
            maths = wait_for_maths(page)
            if maths not in ("typeset", "no maths"):
                raise RuntimeError(f"{html}: {maths}; the PDF would show raw TeX")
            open_everything(page)
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 673, "height": 1000})   # A4 less the side margins (178 mm) at 96 px per inch
            overflow = page.evaluate(_OVERFLOW)
            if overflow:
                listing = "\n  ".join(overflow[:20])
                raise RuntimeError(f"{len(overflow)} blocks would be cut at the right margin of the PDF:\n  {listing}")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(out), format="A4", margin=A4_MARGINS, print_background=True,
                     display_header_footer=True, header_template="<span></span>", footer_template=_FOOTER,
                     outline=True, tagged=True)
        finally:
            browser.close()
    return {"maths": maths, "overflow": overflow, "bytes": out.stat().st_size}


def build(source: str | Path, out: str | Path, *, path_output: str | Path | None = None,
          jupyter_book: str | Path | None = None) -> dict:
    """Build the book in ``source`` as one page (Sphinx's ``singlehtml``) and print it to the PDF ``out``.

    The single page goes to ``PATH_OUTPUT/_build/singlehtml`` (``path_output``
    defaults to ``source``), rebuilt from scratch so that no page of an older
    build is printed; then :func:`print_book`.  ``make pdf`` and the student
    edition (``python -m rnnbook.assign book-student OUT --pdf``) both print
    through here.  Returns :func:`print_book`'s report.

    Raises
    ------
    FileNotFoundError
        If ``source`` has no ``_config.yml``, or Chromium is missing.
    RuntimeError
        If Jupyter Book fails, or :func:`print_book` refuses to print.
    """
    import shutil
    import subprocess

    source = Path(source)
    if not (source / "_config.yml").is_file():
        raise FileNotFoundError(f"{source} is not a Jupyter Book (it has no _config.yml)")
    root = Path(path_output) if path_output is not None else source
    single = root / "_build" / "singlehtml"
    shutil.rmtree(single, ignore_errors=True)
    if jupyter_book is None:
        jupyter_book = shutil.which("jupyter-book", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                                         os.environ.get("PATH", "")]))
    if jupyter_book is None:
        raise FileNotFoundError("jupyter-book is not installed (pip install -r requirements.txt)")
    done = subprocess.run([str(jupyter_book), "build", str(source), "--path-output", str(root),
                           "--builder", "singlehtml", "-q"])
    if done.returncode != 0:
        raise RuntimeError(f"jupyter-book could not build {source} as one page (exit {done.returncode})")
    return print_book(single_page(single), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnbook.pdf", description=__doc__.split("\n")[0])
    parser.add_argument("build", help="the folder of a singlehtml build, or with --source the book's folder")
    parser.add_argument("out", help="the PDF to write")
    parser.add_argument("--source", action="store_true",
                        help="build the book in BUILD as one page first (into BUILD/_build/singlehtml)")
    args = parser.parse_args(argv)
    try:
        report = (build(args.build, args.out) if args.source
                  else print_book(single_page(args.build), args.out))
    except (FileNotFoundError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({report['bytes'] / 1e6:.1f} MB; equations {report['maths']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
