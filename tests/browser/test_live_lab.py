"""Live, as on Binder: chapter 4's widget explorer in a real JupyterLab, driven from the browser.

A JupyterLab server (the project's .venv, token-protected, on a free localhost
port, root in a temporary folder holding a copy of the chapter: nothing is
written into the repository) and headless Chromium.  The test opens
``04_vanishing_gradients.ipynb``, runs every cell up to and including the one
that builds the explorer (``widgets.gradient_norm_explorer``), then moves the
explorer's first slider with the keyboard, as a reader would, and checks that
the figure below it is redrawn.  The page's network is limited to localhost.

Slow (a kernel that imports TensorFlow, a JupyterLab start): marked ``slow``.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import ROOT, new_page, require_chromium
from playwright.sync_api import TimeoutError as PlaywrightTimeout

NOTEBOOK = ROOT / "chapters" / "04_vanishing_gradients.ipynb"
EXPLORER_CALL = "widgets.gradient_norm_explorer("
RUN_TIMEOUT_S = 240          # the cells above the explorer import TensorFlow and measure Jacobians
REDRAW_TIMEOUT_S = 60

pytestmark = [pytest.mark.slow]

# Console messages of JupyterLab itself that say nothing about the book.  Each is justified:
BENIGN = [
    # JupyterLab probes for optional server extensions (LSP, announcements/news) and logs
    # the 404 of the probe; the lab works without them.
    "/lsp/status",
    "/lab/api/news",
    "/lab/api/update",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _explorer_cell_index(nb: dict) -> int:
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and EXPLORER_CALL in "".join(cell["source"]):
            return i
    pytest.fail(f"{NOTEBOOK.name} has no code cell calling {EXPLORER_CALL}...)")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on localhost serving a temporary copy of chapter 4; yields (base_url, token, notebook name)."""
    require_chromium()
    work = tmp_path_factory.mktemp("lab")
    shutil.copy2(NOTEBOOK, work / NOTEBOOK.name)
    for extra in ("data",):  # anything the chapter reads relative to the repository
        if (ROOT / extra).is_dir():
            shutil.copytree(ROOT / extra, work / extra)
    # Fresh JupyterLab settings: every cell stays in the page (no windowing, so the n-th .jp-Cell is
    # cell n) and no news toast covers the output.
    settings = work / ".lab-settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # the kernel's "python"
    env["JUPYTER_CONFIG_DIR"] = str(work / ".jupyter-config")   # no user configuration leaks in
    env["JUPYTER_RUNTIME_DIR"] = str(work / ".jupyter-runtime")
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           "--LabApp.expose_app_in_browser=True",             # window.jupyterapp, to run cells via JupyterLab's own commands
           f"--LabApp.user_settings_dir={work / '.lab-settings'}",
           f"--LabApp.workspaces_dir={work / '.lab-workspaces'}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers (CI) run as root; Binder does not
    log = open(work / "lab.log", "w")  # noqa: SIM115 (open while the server runs, closed at teardown)
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"JupyterLab did not start (exit {proc.poll()}):\n{(work / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token, NOTEBOOK.name, work
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_the_explorer_redraws_when_a_slider_moves(chromium, lab):
    base, token, name, work = lab
    nb = json.loads(NOTEBOOK.read_text())
    index = _explorer_cell_index(nb)
    context, page, rec = new_page(chromium, (1400, 1000))
    try:
        page.goto(f"{base}/lab/tree/{name}?token={token}", wait_until="load", timeout=90_000)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        # the kernel of this notebook has started and is idle
        page.wait_for_function(
            """() => { const w = window.jupyterapp.shell.currentWidget;
                       const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                       return k && k.status === 'idle'; }""", timeout=120_000)
        # Run every cell above the explorer, then the explorer: JupyterLab's own commands
        # (menu "Run > Run All Above Selected Cell", then "Run Selected Cell").
        outcome = page.evaluate(
            f"""async () => {{
                const app = window.jupyterapp, panel = app.shell.currentWidget;
                panel.content.activeCellIndex = {index};
                const above = await app.commands.execute('notebook:run-all-above');
                panel.content.activeCellIndex = {index};
                const cell = await app.commands.execute('notebook:run-cell');
                return {{above, cell, kernel: panel.sessionContext.session.kernel.status}};
            }}""")
        errors_in_outputs = page.evaluate(
            """() => [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                   .map(e => e.innerText).filter(t => /Error|Traceback/.test(t)).map(t => t.slice(-400))""")
        assert outcome["above"] is not False and not errors_in_outputs, (
            f"running the cells above the explorer failed: {outcome}; error outputs: {errors_in_outputs}")

        cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
        slider = cell.locator(".widget-slider, .widget-hslider").first
        try:
            slider.wait_for(state="visible", timeout=RUN_TIMEOUT_S * 1000)
        except PlaywrightTimeout:
            pytest.fail(f"no slider in the explorer's output (cell {index}); output text: "
                        f"{cell.locator('.jp-OutputArea').inner_text()[:500]!r}; console: {rec.console_errors[:5]}")
        figure = cell.locator(".jp-OutputArea img").first
        figure.wait_for(state="visible", timeout=REDRAW_TIMEOUT_S * 1000)
        before = figure.get_attribute("src")
        readout = slider.locator(".widget-readout").first
        value_before = readout.inner_text()

        handle = slider.locator(".noUi-handle, [role='slider']").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        # the readout follows the slider at once; the figure once the kernel has redrawn it
        page.wait_for_function("([el, v]) => el.innerText !== v", arg=[readout.element_handle(), value_before],
                               timeout=10_000)
        value_after = readout.inner_text()
        deadline = time.monotonic() + REDRAW_TIMEOUT_S
        after = before
        while time.monotonic() < deadline:
            img = cell.locator(".jp-OutputArea img").first
            if img.count() and img.is_visible():
                after = img.get_attribute("src")
                if after and after != before:
                    break
            page.wait_for_timeout(250)
        assert after != before, (f"the slider moved ({value_before} -> {value_after}) but the figure was not redrawn "
                                 f"within {REDRAW_TIMEOUT_S} s")
        page.screenshot(path=str(work / "explorer.png"))
        errors = [e for e in rec.console_errors + rec.page_errors if not any(b in e for b in BENIGN)]
        errors += [f"failed local request: {r}" for r in rec.failed_local if not any(b in r for b in BENIGN)]
        assert not errors, "console errors in JupyterLab:\n  " + "\n  ".join(dict.fromkeys(errors))
        assert not rec.external, f"JupyterLab asked the network for: {rec.external}"
    finally:
        context.close()
