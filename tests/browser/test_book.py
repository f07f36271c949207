"""The built book in a real browser, with no network: every page of the table of contents.

Run after ``make build`` (``make browser``; ``make test`` does both).  Each page
is loaded once at desktop width (1280 x 800) and once at phone width (390 x 844),
each time in a fresh browser context (fresh storage: a first visit), with every
request to a host other than localhost aborted and recorded.  The checks are
separate tests parametrised by page, so a failure names the page and the check.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from browser_helpers import HTML, ROOT, STUDENT_EDITION, new_page, require_book, require_chromium
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from rnnbook.pdf import open_everything, wait_for_maths

DESKTOP = (1280, 800)
PHONE = (390, 844)
SCREENSHOTS = ROOT / "_build" / "screenshots"
MATHJAX_LOAD_MS = 1_500      # MathJax is a deferred script: it has run (or failed) by `load`; a short grace
MATHJAX_TYPESET_MS = 30_000  # the first typeset of the longest chapter takes a few seconds
SOLUTION_PAGE = "chapters/05_lstm"
SCREENSHOT_PAGE = "chapters/03_bptt"
MARKERS = ["### BEGIN SOLUTION", "### END SOLUTION", "BEGIN SOLUTION", "END SOLUTION", "NBVAL_IGNORE_OUTPUT", "NBVAL"]
WIDGET_REPR = re.compile(r"\b(interactive|VBox|HBox|Box|Output|IntSlider|FloatSlider|FloatLogSlider|Dropdown)"
                         r"\((children|value|layout|outputs|options)=")


def toc_pages() -> list[str]:
    """Every document of _toc.yml (root first), as a path without suffix, e.g. 'chapters/05_lstm'."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(re.sub(r"\.(md|ipynb|rst)$", "", node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return list(dict.fromkeys(pages))


PAGES = toc_pages()
NOTEBOOK_PAGES = [p for p in PAGES if (ROOT / f"{p}.ipynb").exists()]

# --------------------------------------------------------------------------- what the browser sees
COLLECT = """async () => {
  const math = [...document.querySelectorAll('span.math, div.math')];
  const untypeset = math.filter(e => !e.querySelector('mjx-container'))
                        .slice(0, 5).map(e => e.textContent.trim().slice(0, 80));
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = 'eager'; });
  const settle = img => (img.complete && img.naturalWidth > 0) ? null :
      Promise.race([img.decode().catch(() => null), new Promise(r => setTimeout(r, 10000))]);
  await Promise.all(imgs.map(settle));
  const widgetDom = [...document.querySelectorAll(
      '.jupyter-widgets, .widget-slider, .widget-interact, .widget-dropdown, .widget-hslider, .jupyter-widgets-output-area')];
  return {
    math: math.length,
    mjx: document.querySelectorAll('mjx-container').length,
    untypeset,
    text: document.body.innerText,
    images: imgs.map(img => ({src: img.getAttribute('src'), url: img.currentSrc || img.src,
                              alt: img.getAttribute('alt'), width: img.naturalWidth})),
    widgetDom: widgetDom.length,
    widgetDomClasses: [...new Set(widgetDom.map(e => e.className))].slice(0, 5),
    widgetViews: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
    launch: [...document.querySelectorAll('.article-header-buttons a[href]')].map(a => ({
        href: a.href, raw: a.getAttribute('href'), title: a.title || a.textContent.trim(),
        cls: a.className})),
    mathjaxScripts: [...document.scripts].map(s => s.src).filter(s => /mathjax/i.test(s)),
    prose: (() => {   // the article's text without code, outputs and typeset maths
      const main = document.querySelector('main') || document.body;
      const copy = main.cloneNode(true);
      copy.querySelectorAll('pre, code, .cell_output, .output, mjx-container, script, style, .MathJax')
          .forEach(e => e.remove());
      return copy.textContent;
    })(),
    captions: [...document.querySelectorAll('figcaption')].map(e => e.textContent),
    searchFields: [...document.querySelectorAll('.search-button-field')].filter(e => e.offsetParent !== null).length,
    brokenTableCode: [...document.querySelectorAll('td code, th code')]
        .filter(e => e.getClientRects().length > 1).map(e => e.textContent).slice(0, 10),
    unlinkedFigures: [...document.querySelectorAll('div.cell_output img, figure img')]
        .filter(img => !img.closest('a')).map(img => img.getAttribute('src')).slice(0, 10),
    meta: Object.fromEntries([...document.querySelectorAll('meta[name], meta[property]')]
        .map(m => [m.getAttribute('name') || m.getAttribute('property'), m.content])),
    footer: [...document.querySelectorAll('footer')].map(f => f.innerText).join(' / '),
    pdfLink: (document.querySelector('a.btn-download-pdf-button') || {}).href || null,
    printButtons: document.querySelectorAll('button[onclick*="print"]').length,
    // TeX that MathJax left as text: a macro inside \\text{...} is not expanded
    rawTex: [...document.querySelectorAll('mjx-container')].map(m => m.textContent)
        .filter(t => /\\\\[a-zA-Z]+/.test(t)).map(t => t.slice(0, 80)).slice(0, 10),
    // code blocks and display equations the reader must scroll sideways to read (at 1280 px)
    clippedCode: [...document.querySelectorAll('div.highlight pre')]
        .filter(p => p.offsetParent !== null && p.innerText.trim() && p.scrollWidth > p.clientWidth + 1)
        .map(p => ({first: p.innerText.split('\\n')[0].slice(0, 60),
                    longest: Math.max(...p.innerText.split('\\n').map(l => l.length))})),
    clippedMath: [...document.querySelectorAll('mjx-container[display="true"]')]
        .filter(m => m.offsetParent !== null && m.scrollWidth > m.clientWidth + 1)
        .map(m => m.textContent.slice(0, 60)),
    // raster figures with fewer than ~2 image pixels per CSS pixel are blurred on a high-density screen
    blurryFigures: [...document.querySelectorAll('div.cell_output img, figure img')]
        .filter(img => img.offsetParent !== null && !/\\.svg$/i.test(img.getAttribute('src') || ''))
        .filter(img => img.naturalWidth < 1.9 * img.getBoundingClientRect().width)
        .map(img => `${img.getAttribute('src')}: ${img.naturalWidth} px drawn at ${Math.round(img.getBoundingClientRect().width)} px`),
  };
}"""

# What the reader sees once every solution and dropdown is open (rnnbook.pdf.open_everything).
OPENED = """() => ({text: document.body.innerText,
                 code: [...document.querySelectorAll('pre, .cell_output, .output')].map(e => e.innerText)})"""

# Elements whose right edge passes the viewport with no scroll box of their own (or of an
# ancestor) that fits the viewport.  Only the outermost offender of each subtree is reported.
OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const path = e => {
    const parts = [];
    for (let n = e; n && n.nodeType === 1 && parts.length < 5; n = n.parentElement) {
      let s = n.tagName.toLowerCase();
      if (n.id) { parts.unshift(s + '#' + n.id); break; }
      const cls = [...n.classList].slice(0, 2).join('.');
      if (cls) s += '.' + cls;
      parts.unshift(s);
    }
    return parts.join(' > ');
  };
  const visible = e => {
    const cs = getComputedStyle(e);
    return cs.display !== 'none' && cs.visibility !== 'hidden';
  };
  const fits = r => r.right <= vw + 1 && r.left >= -1;
  const contained = e => {
    for (let n = e; n && n !== document.documentElement && n !== document.body; n = n.parentElement) {
      const ox = getComputedStyle(n).overflowX;
      if (['auto', 'scroll', 'hidden', 'clip'].includes(ox) && fits(n.getBoundingClientRect())) return true;
    }
    return false;
  };
  const offenders = [];
  const flagged = new Set();
  for (const e of document.body.querySelectorAll('*')) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= vw + 1) continue;
    if (contained(e)) continue;
    let p = e.parentElement, under = false;
    for (; p; p = p.parentElement) if (flagged.has(p)) { under = true; break; }
    flagged.add(e);
    if (!under) offenders.push({path: path(e), left: Math.round(r.left), right: Math.round(r.right),
                                width: Math.round(r.width)});
  }
  return {viewport: vw, scrollWidth: document.documentElement.scrollWidth, offenders};
}"""


def _load(page, url):
    page.goto(url, wait_until="load", timeout=60_000)
    return wait_for_maths(page, load_ms=MATHJAX_LOAD_MS, typeset_ms=MATHJAX_TYPESET_MS)


AXE_RULESETS = ["wcag2a", "wcag2aa"]       # WCAG 2.0 levels A and AA, as axe-core tags them
AXE_FAILING = ("serious", "critical")       # impacts that fail; "minor" and "moderate" are reported only
# Wait until every CSS transition and animation on the page has finished (a frame first, so that
# the ones a class change just started are listed).
SETTLED = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const finite = document.getAnimations().filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.race([Promise.all(finite.map(a => a.finished.catch(() => null))),
                      new Promise(r => setTimeout(r, 5000))]);
}"""
DARK_MODE = """() => { document.documentElement.dataset.theme = 'dark';
                       document.documentElement.dataset.mode = 'dark'; }"""


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2 A and AA violations on the page as it is now (axe-playwright-python injects axe.min.js)."""
    from axe_playwright_python.sync_playwright import Axe

    # preload=False: axe's CSSOM preload (only for a WCAG 2.1 rule outside these tags) refetches
    # each @import relative to the page instead of its stylesheet, a request that fails
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_RULESETS}, "preload": False})
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [str(n["target"]) for n in v["nodes"]]} for v in result.response["violations"]]


class Visits:
    """Loads each page on first use (desktop and phone), keeps what the checks need."""

    def __init__(self, browser, base):
        self.browser, self.base, self.cache = browser, base, {}

    def __call__(self, name: str) -> dict:
        if name in self.cache:
            return self.cache[name]
        path = HTML / f"{name}.html"
        if not path.exists():
            pytest.fail(f"{name}.html was not built although _toc.yml lists {name} (run `make build`)", pytrace=False)
        url = self.base + f"{name}.html"
        data = {"url": url}
        context, page, rec = new_page(self.browser, DESKTOP)
        try:
            data["mathjax"] = _load(page, url)
            data.update(page.evaluate(COLLECT))
            open_everything(page)
            opened = page.evaluate(OPENED)
            data["opened_text"], data["opened_code"] = opened["text"], opened["code"]
            # with every solution and dropdown open, in the default light mode, then in dark mode
            page.evaluate(SETTLED)   # opened dropdowns fade in: measure contrast after the fade
            data["axe"] = {"light": axe_violations(page)}
            page.evaluate(DARK_MODE)
            page.evaluate(SETTLED)   # the theme's colour transitions settle
            data["axe"]["dark"] = axe_violations(page)
            data["desktop"] = rec
        finally:
            context.close()
        context, page, rec = new_page(self.browser, PHONE)
        try:
            _load(page, url)
            data["overflow"] = page.evaluate(OVERFLOW)
            data["phone_figures"] = page.evaluate(
                """() => [...document.querySelectorAll('div.cell_output img, figure img')]
                          .filter(img => img.offsetParent !== null)
                          .map(img => ({src: img.getAttribute('src'), width: img.getBoundingClientRect().width,
                                        natural: img.naturalWidth}))""")
            data["phone"] = rec
        finally:
            context.close()
        self.cache[name] = data
        return data


@pytest.fixture(scope="module")
def visit(chromium, book_url):
    return Visits(chromium, book_url)


@pytest.fixture(scope="module", autouse=True)
def _preconditions():
    require_chromium()
    require_book()


def _around(text: str, pattern: re.Pattern, before: int = 30, after: int = 30) -> list[str]:
    """Each match of ``pattern`` in ``text`` with its surroundings, on one line."""
    return [text[max(0, m.start() - before):m.end() + after].replace("\n", " ") for m in pattern.finditer(text)]


def _lines(items, limit=15):
    items = list(dict.fromkeys(items))
    more = f"\n  ... and {len(items) - limit} more" if len(items) > limit else ""
    return "\n  " + "\n  ".join(items[:limit]) + more


# --------------------------------------------------------------------------- every page
@pytest.mark.parametrize("name", PAGES)
def test_no_console_errors_on_first_visit(visit, name):
    """Fresh storage at both widths: no console error, no uncaught exception."""
    v = visit(name)
    errors = [f"[desktop] {e}" for e in v["desktop"].console_errors + v["desktop"].page_errors]
    errors += [f"[phone] {e}" for e in v["phone"].console_errors + v["phone"].page_errors]
    assert not errors, f"{v['url']}: console errors{_lines(errors)}"


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(visit, name):
    """axe-core, WCAG 2 A and AA, light and dark mode, every solution open: nothing serious or critical."""
    v = visit(name)
    bad = [f"[{mode}] {x['impact']} {x['id']} ({x['help']}): {', '.join(x['targets'][:3])}"
           for mode, found in v["axe"].items() for x in found if x["impact"] in AXE_FAILING]
    assert not bad, f"{v['url']}: accessibility violations{_lines(bad)}"


def test_the_accessibility_check_sees_a_violation(chromium):
    """The check can fail: a low-contrast paragraph and a list without items are reported."""
    context, page, _ = new_page(chromium, DESKTOP)
    try:
        page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                         '<p style="color:#aaa;background:#fff">faint text</p>'
                         '<div role="list"><div role="doc-biblioentry">an entry</div></div></main></body></html>')
        found = {v["id"]: v["impact"] for v in axe_violations(page)}
    finally:
        context.close()
    assert found.get("color-contrast") == "serious" and found.get("aria-required-children") == "critical"


@pytest.mark.parametrize("name", PAGES)
def test_description_preview_tags_and_versioned_footer(visit, name):
    """Search engines and link previews get a description; the footer says which version, built when."""
    v = visit(name)
    meta = v["meta"]
    assert len(meta.get("description", "")) > 80, f"{v['url']}: no meta description ({meta})"
    assert meta.get("og:description") == meta["description"] and meta.get("og:title"), f"{v['url']}: {meta}"
    assert re.search(r"Recurrent \d+\.\d+\.\d+, built on \d{4}-\d{2}-\d{2}\.", v["footer"]), (
        f"{v['url']}: the footer does not give the version and build date: {v['footer']!r}")


@pytest.mark.parametrize("name", PAGES)
def test_no_failed_local_requests(visit, name):
    v = visit(name)
    failed = v["desktop"].failed_local + v["phone"].failed_local
    assert not failed, f"{v['url']}: local requests failed{_lines(failed)}"


@pytest.mark.parametrize("name", PAGES)
def test_needs_no_network(visit, name):
    """With the network cut, the page asks for nothing outside the book."""
    v = visit(name)
    external = v["desktop"].external + v["phone"].external
    assert not external, f"{v['url']}: the page requests resources from the network (blocked){_lines(external)}"


@pytest.mark.parametrize("name", PAGES)
def test_every_equation_typesets_offline(visit, name):
    v = visit(name)
    if v["math"] == 0:
        assert "\\(" not in v["text"] and "\\[" not in v["text"], f"{v['url']}: raw TeX delimiters in the text"
        return
    blocked_mathjax = [u for u in v["desktop"].external if "mathjax" in u.lower()]
    assert not blocked_mathjax, (f"{v['url']}: MathJax is loaded from the network, so equations do not typeset "
                                 f"offline{_lines(blocked_mathjax)}\n  (MathJax state: {v['mathjax']}; "
                                 f"{v['math']} math elements, {v['mjx']} typeset)")
    assert v["mathjax"] == "typeset", f"{v['url']}: MathJax {v['mathjax']} (scripts: {v['mathjaxScripts']})"
    assert not v["rawTex"], f"{v['url']}: TeX macros shown as text inside equations{_lines(v['rawTex'])}"
    assert v["mjx"] == v["math"], (f"{v['url']}: {v['math']} math elements but {v['mjx']} mjx-container; "
                                   f"untypeset:{_lines(v['untypeset'])}")
    raw = [v["text"][max(0, m.start() - 30):m.end() + 30].replace("\n", " ")
           for m in re.finditer(r"\\\(|\\\[", v["text"])]
    assert not raw, f"{v['url']}: raw TeX delimiters visible{_lines(raw)}"


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads_and_has_alt_text(visit, name):
    v = visit(name)
    broken = [f"{i['src']} (naturalWidth 0)" for i in v["images"] if not i["width"]]
    assert not broken, f"{v['url']}: images that do not load{_lines(broken)}"
    no_alt = [i["src"] for i in v["images"] if not (i["alt"] or "").strip()]
    assert not no_alt, f"{v['url']}: images without alt text{_lines(no_alt)}"
    # myst-nb writes the file's path as alt when a figure has none: that is not alt text
    path_alt = [i["src"] for i in v["images"]
                if Path(i["alt"]).name == Path(i["src"]).name or re.fullmatch(r"\S+\.(png|jpe?g|svg|gif)", i["alt"])]
    assert not path_alt, f"{v['url']}: images whose alt text is only their file name{_lines(path_alt)}"


@pytest.mark.parametrize("name", PAGES)
def test_no_solution_or_nbval_markers_visible(visit, name):
    """No marker in any code cell, output or comment line, on the page or in a solution dropdown once opened.

    A marker named in running prose (the instructors' guide explains nbgrader's
    "### BEGIN SOLUTION" convention) is text about the markers, not a leftover one.
    """
    v = visit(name)
    found = []
    code = [("code", text) for text in v["opened_code"]]
    lines = [("comment line", line) for line in v["opened_text"].splitlines() if line.strip().startswith("#")]
    for places in (code, lines):  # comment lines outside code blocks, only if the code blocks are clean
        for where, text in places:
            hit = next((m for m in MARKERS if m in text), None)  # the longest marker first (### BEGIN SOLUTION)
            if hit:
                i = text.index(hit)
                found.append(f"{hit!r} in {where}: ...{text[max(0, i - 40):i + len(hit) + 40]!r}...")
        if found:
            break
    assert not found, f"{v['url']}: markers visible (with every dropdown opened){_lines(found)}"


@pytest.mark.parametrize("name", PAGES)
def test_no_dead_widgets(visit, name):
    """The static book cannot run ipywidgets: no widget repr, no widget DOM, no widget view left to render."""
    v = visit(name)
    reprs = _around(v["text"], WIDGET_REPR, 20, 60)
    assert not reprs, f"{v['url']}: widget state text visible{_lines(reprs)}"
    assert v["widgetDom"] == 0, (f"{v['url']}: {v['widgetDom']} ipywidgets DOM elements that no kernel drives "
                                 f"(classes {v['widgetDomClasses']})")
    assert v["widgetViews"] == 0, (
        f"{v['url']}: {v['widgetViews']} widget view(s) (script type application/vnd.jupyter.widget-view+json) "
        "in the static page: with the network they render as dead controls from the CDN widget manager, "
        "without it as an empty output; show the static fallback figure instead (remove-output tag)")


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_overflow_on_a_phone(visit, name):
    """At 390 px, everything wider than the screen sits in a scroll box that itself fits the screen."""
    v = visit(name)
    o = v["overflow"]
    offenders = [f"{x['path']}: right edge {x['right']} px, width {x['width']} px" for x in o["offenders"]]
    assert not offenders, (f"{v['url']} at {o['viewport']} px (document scrollWidth {o['scrollWidth']} px): "
                           f"elements wider than the screen outside a scroll box{_lines(offenders)}")


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_launch_buttons_point_at_the_configured_repository(visit, name, chromium):
    """The buttons as rendered: Binder, Colab (if any), repository, issues, edit (if any), download."""
    # the configuration the tested build was made from: the student edition's launches its own branch
    book_config = (ROOT / "_config.yml").read_text()
    if STUDENT_EDITION:
        from rnnbook.assign import student_config

        book_config = student_config(book_config)
    config = yaml.safe_load(book_config)
    repo_url = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    owner_repo = repo_url.removeprefix("https://github.com/")
    launch = config.get("launch_buttons", {})
    binderhub = launch.get("binderhub_url", "").rstrip("/")
    source = f"{name}.ipynb"
    v = visit(name)
    links = v["launch"]
    assert links, f"{v['url']}: no launch/repository buttons in .article-header-buttons"
    problems, seen = [], set()
    for link in links:
        href = link["href"]
        if "mybinder.org" in href or (binderhub and href.startswith(binderhub)):
            seen.add("binder")
            lab = "lab/tree/" if launch.get("notebook_interface") == "jupyterlab" else "tree/"
            want = f"{binderhub}/v2/gh/{owner_repo}/{branch}?urlpath={lab}{source}"
            if href != want:
                problems.append(f"Binder: {href} != {want}")
        elif "colab.research.google.com" in href:
            seen.add("colab")
            want = f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{source}"
            if href != want:
                problems.append(f"Colab: {href} != {want}")
        elif href.startswith("https://github.com/") or "github" in href:
            if "/issues" in href:
                seen.add("issues")
                if not href.startswith(f"{repo_url}/issues/new"):
                    problems.append(f"issues: {href} is not under {repo_url}/issues/new")
            elif "/edit/" in href:
                seen.add("edit")
                if href != f"{repo_url}/edit/{branch}/{source}":
                    problems.append(f"edit: {href} != {repo_url}/edit/{branch}/{source}")
            else:
                seen.add("repository")
                if href not in (repo_url, repo_url + "/"):
                    problems.append(f"repository: {href} != {repo_url}")
        elif "btn-download-pdf-button" in link["cls"]:     # the whole book's PDF (its own test follows it)
            seen.add("pdf")
            if not link["raw"].endswith("recurrent.pdf"):
                problems.append(f"pdf: {link['raw']} is not the book's PDF")
        elif "download" in link["cls"]:
            seen.add("download")
            if not link["raw"].endswith(f"_sources/{source}"):
                problems.append(f"download: {link['raw']} does not point at this page's notebook")
        elif not href.startswith(v["url"].split("chapters/")[0]):
            problems.append(f"unrecognised external button {link['title']!r}: {href}")
    assert not problems, f"{v['url']}:{_lines(problems)}"
    missing = {"binder", "repository", "issues"} - seen
    if launch.get("binderhub_url") is None:
        missing.discard("binder")
    assert not missing, f"{v['url']}: no {sorted(missing)} button (buttons: {[l['href'] for l in links]})"
    # The download button serves the notebook itself, and the launch URL names a file that exists in the repo
    assert (ROOT / source).exists(), f"the Binder URL opens {source}, which is not in the repository"
    context = chromium.new_context()
    try:
        for link in links:
            if "download" in link["cls"] and "btn-download-pdf-button" not in link["cls"]:
                resp = context.request.get(link["href"])
                assert resp.ok, f"download button {link['href']}: HTTP {resp.status}"
                assert resp.json().get("cells"), f"download button {link['href']} does not serve a notebook"
    finally:
        context.close()


# --------------------------------------------------------------------------- single-page checks
def test_solution_dropdown_opens(chromium, book_url):
    """Closed at first; the chevron opens and closes it; on a phone a tap on the title opens it too."""
    if STUDENT_EDITION:   # the student edition has no solutions at all
        context, page, _ = new_page(chromium, DESKTOP)
        try:
            page.goto(book_url + f"{SOLUTION_PAGE}.html", wait_until="load")
            assert page.locator("div.solution").count() == 0, f"{SOLUTION_PAGE}: the student edition shows a solution"
        finally:
            context.close()
        return
    context, page, rec = new_page(chromium, DESKTOP)
    try:
        page.goto(book_url + f"{SOLUTION_PAGE}.html", wait_until="load")
        solution = page.locator("div.solution.dropdown").first
        assert solution.count() == 1, f"{SOLUTION_PAGE}: no div.solution.dropdown (sphinx-exercise solution)"
        content = solution.locator("section").first
        page.wait_for_selector("div.solution.dropdown button.toggle-button", state="attached", timeout=10_000)
        assert not content.is_visible(), f"{SOLUTION_PAGE}: the first solution is open before any click"
        button = solution.locator("button.toggle-button").first
        button.click()
        try:
            content.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeout:
            pytest.fail(f"{SOLUTION_PAGE}: clicking the first solution's toggle button does not show it "
                        f"(classes now {solution.get_attribute('class')!r}; console errors "
                        f"{rec.console_errors + rec.page_errors})")
        assert content.inner_text().strip(), "the opened solution is empty"
        button.click()
        content.wait_for(state="hidden", timeout=5_000)
    finally:
        context.close()
    # a phone: the title is most of what a thumb can hit, and it ends in a link to the exercise
    context, page, rec = new_page(chromium, PHONE)
    try:
        page.goto(book_url + f"{SOLUTION_PAGE}.html", wait_until="load")
        page.wait_for_selector("div.solution.dropdown button.toggle-button", state="attached", timeout=10_000)
        solution = page.locator("div.solution.dropdown").first
        content = solution.locator("section").first
        url = page.url
        solution.locator(".admonition-title a").first.click()
        try:
            content.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeout:
            pytest.fail(f"{SOLUTION_PAGE}: at phone width a tap on the solution's title does not open it "
                        f"(the page went to {page.url})")
        assert page.url == url, f"the tap followed the title's link to {page.url}"
    finally:
        context.close()


def test_search_finds_a_term(chromium, book_url):
    context, page, rec = new_page(chromium, DESKTOP)
    try:
        page.goto(book_url + "search.html?q=LSTM", wait_until="load")
        results = page.locator("#search-results ul.search li")
        try:
            results.first.wait_for(state="attached", timeout=20_000)
        except PlaywrightTimeout:
            status = page.locator("#search-results").inner_text() if page.locator("#search-results").count() else ""
            pytest.fail(f"search.html?q=LSTM: no result within 20 s (search results text: {status!r}; "
                        f"console errors: {rec.console_errors + rec.page_errors})")
        assert results.count() >= 1
        assert any("lstm" in (results.nth(i).inner_text() or "").lower() for i in range(results.count()))
        errors = rec.console_errors + rec.page_errors + rec.failed_local
        assert not errors, f"search page errors{_lines(errors)}"
    finally:
        context.close()


@pytest.mark.parametrize("label, viewport", [("desktop", DESKTOP), ("phone", (390, 844))])
def test_screenshot_of_a_chapter(chromium, book_url, label, viewport):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / f"{Path(SCREENSHOT_PAGE).name}_{label}_{viewport[0]}.png"
    context, page, rec = new_page(chromium, viewport)
    try:
        _load(page, book_url + f"{SCREENSHOT_PAGE}.html")
        page.screenshot(path=str(out), full_page=True)
    finally:
        context.close()
    assert out.stat().st_size > 10_000, f"{out}: screenshot is suspiciously small"


# --------------------------------------------------------------------------- the source, as written, rendered
# What a broken directive, role or math span leaves in the prose (code blocks and outputs excluded).
MARKUP = re.compile(r"```|:::|\{(admonition|exercise|solution|solution-start|solution-end|figure|note|warning|"
                    r"numref|term|footcite|cite|ref|eq|doc|glue)\}|^\s*:(class|label|name|width|align):"
                    r"|\$\$|\$\\[a-zA-Z]+|\$[^\s$](?:[^$\n]{0,80}[^\s$])?\$", re.MULTILINE)
# A word doubled before a reference: "exercise Exercise 3.6", "chapter Chapter 5".
DOUBLED = re.compile(r"\b(exercise|chapter|figure|fig\.|table|section|equation|appendix)\s+\1\b", re.IGNORECASE)


@pytest.mark.parametrize("name", PAGES)
def test_no_markup_visible_in_the_prose(visit, name):
    v = visit(name)
    found = _around(v["prose"], MARKUP, 40, 40)
    assert not found, f"{v['url']}: MyST or Markdown syntax visible in the text{_lines(found)}"


@pytest.mark.parametrize("name", PAGES)
def test_no_doubled_word_before_a_reference(visit, name):
    v = visit(name)
    found = _around(v["prose"], DOUBLED)
    assert not found, f"{v['url']}: a doubled word before a reference{_lines(found)}"


def _caption_tokens(text: str) -> list[str]:
    """The words of a caption and its <tokens>, without maths (typeset apart) or Markdown marks."""
    text = re.sub(r"\$[^$]*\$", " ", text)
    return re.findall(r"<\w+>|\w+", text.replace("`", "").replace("*", ""))


def _source_captions(name: str) -> list[str]:
    import json

    path = ROOT / f"{name}.ipynb"
    if not path.exists():
        return []
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        meta = cell.get("metadata", {})
        figure = (meta.get("myst") or meta.get("mystnb") or {}).get("figure") or {}
        if figure.get("caption"):
            found.append(figure["caption"])
    return found


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_every_caption_renders_its_whole_source_text(visit, name):
    """Each figure caption's words, <bos> and <eos> included, appear in order in a rendered caption."""
    v = visit(name)
    rendered = [_caption_tokens(c) for c in v["captions"]]

    def inside(words, tokens):
        it = iter(tokens)
        return all(any(w == t for t in it) for w in words)

    lost = [c[:100] for c in _source_captions(name) if not any(inside(_caption_tokens(c), r) for r in rendered)]
    assert not lost, f"{v['url']}: captions that lost part of their text when rendered{_lines(lost)}"


def test_the_caption_check_sees_a_lost_token():
    words = _caption_tokens("reads `<bos>` and the target and predicts the target and `<eos>`.")
    assert "<bos>" in words and "<eos>" in words
    assert _caption_tokens("Fig. 11.1 reads and the target and predicts the target and .").count("<bos>") == 0
    assert DOUBLED.search("see exercise Exercise 3.6") and not DOUBLED.search("see Exercise 3.6")
    assert MARKUP.search("text ```{admonition} Common") and MARKUP.search(":class: warning")
    assert not MARKUP.search("a cost of $5 and 3 :: 4") and not MARKUP.search("from $5 to $10")
    assert MARKUP.search("the raw $p_i, p_f, p_o$ of a broken box") and MARKUP.search("a raw $x$ here")


@pytest.mark.parametrize("name", PAGES[:3])
def test_one_search_field(visit, name):
    """pydata-sphinx-theme adds a search field to the header bar; the book keeps the sidebar's only."""
    v = visit(name)
    assert v["searchFields"] == 1, f"{v['url']}: {v['searchFields']} visible search fields at 1280 px"


@pytest.mark.parametrize("name", PAGES)
def test_no_name_breaks_inside_a_table_cell(visit, name):
    """At 1280 px, `rnnbook.data` in a table stays on one line (the table scrolls instead)."""
    v = visit(name)
    assert not v["brokenTableCode"], f"{v['url']}: code broken across lines in a table cell{_lines(v['brokenTableCode'])}"


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_figures_fit_a_phone_and_open_at_full_size(visit, name):
    v = visit(name)
    wide = [f"{f['src']}: {f['width']:.0f} px" for f in v["phone_figures"] if f["width"] > PHONE[0]]
    assert not wide, f"{v['url']}: figures wider than a 390 px screen{_lines(wide)}"
    assert not v["unlinkedFigures"], f"{v['url']}: figures with no link to their full size{_lines(v['unlinkedFigures'])}"


@pytest.mark.parametrize("name", PAGES)
def test_code_and_equations_fit_the_column(visit, name):
    """At 1280 px every code block and display equation is read without a sideways scrollbar."""
    v = visit(name)
    code = [f"{c['first']!r}... (longest line {c['longest']} characters)" for c in v["clippedCode"]]
    assert not code, f"{v['url']}: code blocks cut off at the right edge{_lines(code)}"
    assert not v["clippedMath"], (f"{v['url']}: display equations wider than the column (break them with "
                                  f"aligned){_lines(v['clippedMath'])}")


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_figures_are_sharp_on_a_high_density_screen(visit, name):
    v = visit(name)
    assert not v["blurryFigures"], f"{v['url']}: figures drawn at 1x{_lines(v['blurryFigures'])}"


def test_the_fit_checks_see_a_wide_block_and_a_blurry_figure(chromium):
    """The checks can fail: a code line wider than its box, a wide equation, a 1x image, raw TeX are reported."""
    import base64
    import io

    import matplotlib
    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1), dpi=100)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode()
    context, page, _ = new_page(chromium, DESKTOP)
    try:
        page.set_content(
            '<html><body><main style="width:300px">'
            '<div class="highlight"><pre style="overflow-x:auto">' + "x" * 200 + '</pre></div>'
            '<mjx-container display="true" style="display:block;overflow-x:auto;width:200px">'
            '<span style="display:inline-block;width:600px">wide</span></mjx-container>'
            f'<div class="cell_output"><img src="data:image/png;base64,{png}" width="100"></div>'
            '<mjx-container><mjx-utext>Cho et al. (\\texttt{every\\_step})</mjx-utext></mjx-container>'
            '</main></body></html>')
        seen = page.evaluate(COLLECT)
    finally:
        context.close()
    assert [c["longest"] for c in seen["clippedCode"]] == [200]
    assert seen["clippedMath"] == ["wide"]
    assert len(seen["blurryFigures"]) == 1 and "100 px drawn at 100 px" in seen["blurryFigures"][0]
    assert seen["rawTex"] == ["Cho et al. (\\texttt{every\\_step})"]


@pytest.mark.parametrize("name", PAGES)
def test_the_download_menu_offers_the_whole_book_as_a_pdf(visit, name):
    """The ".pdf" entry is the book's PDF (make pdf), not window.print() of one page."""
    v = visit(name)
    assert v["printButtons"] == 0, f"{v['url']}: a button still prints the page instead of linking the PDF"
    assert v["pdfLink"] and v["pdfLink"].endswith("/recurrent.pdf"), f"{v['url']}: PDF link {v['pdfLink']!r}"
    base = v["url"][: -len(f"{name}.html")]
    assert v["pdfLink"].startswith(base), f"{v['url']}: the PDF link leaves the book: {v['pdfLink']}"
    target = HTML / v["pdfLink"][len(base):]
    assert target.is_file(), f"{v['url']}: the PDF link leads to {target}, which was not built (`make pdf`)"


def test_live_code_offline_says_it_needs_the_network(chromium, book_url):
    """With no network, the "Live code" button says what it needs instead of loading for ever."""
    context, page, rec = new_page(chromium, DESKTOP)
    try:
        page.goto(book_url + "chapters/05_lstm.html", wait_until="load")
        page.wait_for_function("() => typeof initThebe === 'function'", timeout=10_000)
        # the launch menu's "Live Code" entry (sphinx-book-theme adds the status button under the title)
        page.evaluate("() => document.querySelector('button.btn-launch-thebe').click()")
        page.wait_for_function(
            "() => (document.querySelector('.thebe-launch-button') || {innerText: ''}).innerText"
            ".includes('needs a network')", timeout=15_000)
        assert any("thebe" in url.lower() for url in rec.external), "no request for Thebe was blocked"
    finally:
        context.close()
