"""Fixtures of the browser tests: the built book served on localhost, and one headless Chromium.

See browser_helpers.py for the rules: Debian's Chromium, never a download (absent: skip);
the book built first with `make build` (absent: fail); no network beyond localhost.
"""
from __future__ import annotations

import functools
import http.server
import socketserver
import threading

import pytest
from browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HTML,
    require_book,
    require_chromium,
)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: minutes, not seconds (a fresh virtual environment, a live JupyterLab)")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="session")
def book_url():
    """The built book, served from _build/html on a free localhost port; yields its base URL (with a slash)."""
    require_book()
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session (each page gets its own context)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
