"""Helpers shared by the browser tests: where things are, a page with its network limited to localhost.

The tests drive the system's Chromium (``RECURRENT_CHROMIUM``, else Debian's
``/usr/bin/chromium``: :func:`rnnbook.pdf.find_chromium`) through Playwright; no
browser is ever downloaded.  Where that binary is absent every browser test
skips, saying why.  The book itself must have been built first (``make build``):
a missing ``_build/html/index.html`` is a failure, not a skip.

Every page is opened in a fresh browser context (fresh storage, as on a first
visit), and every request whose host is not localhost is aborted and recorded:
the book must work with no network.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rnnbook.pdf import find_chromium

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("RECURRENT_BOOK_HTML", ROOT / "_build" / "html"))  # another build (e.g. a preview) to test
#: True when the tested build is the student edition (``python -m rnnbook.assign book-student OUT``
#: builds into OUT/_build/html and marks OUT).
STUDENT_EDITION = (HTML.resolve().parents[1] / ".rnnbook-student-edition").exists()
try:  # the browser the book's printer uses (RECURRENT_CHROMIUM, else Debian's)
    CHROMIUM: Path | None = find_chromium()
except FileNotFoundError as missing:
    CHROMIUM, _MISSING = None, str(missing)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def require_chromium():
    """Skip the calling test (or module) when the Chromium binary is absent."""
    if CHROMIUM is None:
        pytest.skip(f"the browser tests drive the system's Chromium: {_MISSING}")


def require_book():
    """Fail, with the remedy, when the book has not been built."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML / 'index.html'} does not exist: build the book first (`make build`)", pytrace=False)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


class Recorder:
    """What a page did on the wire and on its console: errors, failed local requests, blocked external ones."""

    def __init__(self):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_local: list[str] = []
        self.external: list[str] = []

    def attach(self, context, page):
        def route(r):
            if is_local(r.request.url):
                r.continue_()
            else:
                self.external.append(r.request.url)
                r.abort("internetdisconnected")

        context.route("**/*", route)

        def on_console(msg):
            if msg.type == "error":
                loc = msg.location or {}
                where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
                self.console_errors.append(f"{msg.text}{where}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

        def on_response(resp):
            if is_local(resp.url) and resp.status >= 400:
                self.failed_local.append(f"{resp.status} {resp.url}")

        page.on("response", on_response)

        def on_failed(req):
            if is_local(req.url):
                self.failed_local.append(f"{req.failure} {req.url}")

        page.on("requestfailed", on_failed)
        return self


def new_page(browser, viewport=(1280, 800)):
    """A fresh context (fresh storage) with its network limited to localhost; returns (context, page, recorder)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  service_workers="block")
    page = context.new_page()
    rec = Recorder().attach(context, page)
    return context, page, rec
