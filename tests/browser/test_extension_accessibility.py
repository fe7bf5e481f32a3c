"""What the accessibility review asked of the extension, in Chromium and in Firefox: polarity never shown by colour
alone, on the page and in the popup; a popup that keeps the reader's focus and place while a reading runs; a card
that stays while the pointer is on it, and that the page's own scripts cannot open; a popup whose grade, counts,
reasons and words can all be read; buttons named by their label; dark mode, and lines that show on dark pages."""
from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest

from .harness import (ADDED_CLAUSE, SIMPLE_BLOCKS_JS, card_box, contrast_ratio, new_outlines,
                      painted, wait_for)

pytestmark = pytest.mark.browser

# The extension's words for the three polarities, and the marks shown beside them (common.js).
POLARITY_WORDS = {"concern": "Concern", "protective": "Protective", "neutral": "Neutral"}
POLARITY_MARKS = {"concern": "✗", "protective": "✓", "neutral": "i"}
LINE_STYLES = {"concern": "solid", "protective": "double", "neutral": "dotted"}
TRANSPARENT = "rgba(0, 0, 0, 0)"

# WCAG contrast, in the page: `contrast(a, b)` of two computed colours, `behind(element)` the colour behind it.
CONTRAST_JS = """
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92
    : ((v + 0.055) / 1.055) ** 2.4); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
    if (rgb(c).length < 4 || rgb(c)[3] >= 0.5) return c; } return 'rgb(255, 255, 255)'; };
"""

MARK_STYLES_JS = """() => [...document.querySelectorAll('smallprint-mark')].map(m => {
  const s = getComputedStyle(m);
  return {polarity: m.dataset.polarity, key: m.dataset.key === 'true', fill: s.backgroundColor,
          width: parseFloat(s.borderBottomWidth), style: s.borderBottomStyle, colour: s.borderBottomColor};
})"""

POPUP_JS = """() => ({
  keyFindings: [...document.querySelectorAll('#key-findings li')].map(li => ({
    practice: li.dataset.practice, polarity: li.dataset.polarity, text: li.querySelector('button').innerText})),
  practices: [...document.querySelectorAll('#practices li')].map(li => ({
    practice: li.dataset.practice, text: li.querySelector('.counts').textContent,
    marked: [...li.querySelectorAll('.count')].map(c => c.dataset.polarity),
    dots: li.querySelectorAll('.dot').length})),
})"""


def counts_text(counts: dict) -> str:
    return " · ".join(f"{POLARITY_MARKS[p]} {counts[p]} {POLARITY_WORDS[p].lower()}" for p in POLARITY_WORDS
                      if counts.get(p))


# ---- the two browsers, behind one face -------------------------------------------------------------------------

class Chromium:
    name = "chromium"

    def __init__(self, launch, dark: bool = False):
        self.browser = launch()
        self.scheme = "dark" if dark else "light"
        self.page = None
        self.popup_page = None

    def open_policy(self, url: str) -> dict:
        self.page, state = self.browser.open_until(url, what=f"{url} to be painted")
        self.page.emulate_media(color_scheme=self.scheme)
        return state

    def open_options(self) -> None:
        self.popup_page = self.browser.open(f"{self.browser.origin}/options.html")
        self.popup_page.emulate_media(color_scheme=self.scheme)
        self.popup_page.wait_for_selector("#practices input")  # the settings are loaded

    def evaluate(self, script: str):
        return self.page.evaluate(script)

    def open_popup(self, url: str) -> None:
        self.popup_page = self.browser.popup(url)
        self.popup_page.emulate_media(color_scheme=self.scheme)
        self.popup_page.wait_for_selector("#kind, #error", timeout=30_000)

    def popup(self, script: str):
        return self.popup_page.evaluate(script)

    def move_mouse(self, points: list[tuple[float, float]]) -> None:
        for x, y in points:
            self.page.mouse.move(x, y)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def message(self, message: dict):
        return self.browser.message(message)

    def reload(self) -> None:
        self.page.reload()

    def new_outlines(self) -> list[dict]:
        """The outlines of the clauses painted as new (in the marks' closed shadow roots: the DevTools protocol)."""
        return new_outlines(self.page)

    def names(self, selector: str) -> list[str]:
        """The accessible names of the popup's elements matching `selector`, as the browser computes them."""
        session = self.popup_page.context.new_cdp_session(self.popup_page)
        try:
            root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            nodes = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
            return [session.send("Accessibility.getPartialAXTree", {"nodeId": n, "fetchRelatives": False})
                    ["nodes"][0]["name"]["value"] for n in nodes]
        finally:
            session.detach()


class Firefox:
    name = "firefox"
    # the reader's colour scheme: the system's, and what pages are told (prefers-color-scheme)
    DARK = {"ui.systemUsesDarkTheme": 1, "layout.css.prefers-color-scheme.content-override": 0}

    def __init__(self, launch, dark: bool = False):
        self.browser = launch(prefs=self.DARK if dark else None)
        self.popup_handle = None

    def open_options(self) -> None:
        self.popup_handle = self.browser.open_extension_page("options.html")
        wait_for(lambda: self.popup("() => !!document.querySelector('#practices input')"), 10,
                 what="the settings to load")

    def open_policy(self, url: str) -> dict:
        return self.browser.open_until(url, what=f"{url} to be painted")[1]

    def evaluate(self, script: str):
        return self.browser.evaluate(script)

    def open_popup(self, url: str) -> None:
        self.popup_handle = self.browser.open_extension_page(f"popup.html?url={quote(url, safe='')}")
        wait_for(lambda: self.popup("() => !!document.querySelector('#kind, #error')"), 30, what="the popup summary")

    def popup(self, script: str):
        self.browser.driver.switch_to.window(self.popup_handle)
        return self.browser.driver.execute_script(f"return ({script})()")

    def move_mouse(self, points: list[tuple[float, float]]) -> None:
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        driver = self.browser.driver
        driver.switch_to.window(self.browser.page_handle)
        actions = ActionBuilder(driver, duration=10)
        for x, y in points:
            actions.pointer_action.move_to_location(round(x), round(y))
        actions.perform()

    def press(self, key: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        self.browser.driver.switch_to.window(self.browser.page_handle)
        ActionChains(self.browser.driver).send_keys({"Escape": Keys.ESCAPE}[key]).perform()

    def message(self, message: dict):
        return self.browser.message(message)

    def reload(self) -> None:
        self.browser.driver.switch_to.window(self.browser.page_handle)
        self.browser.driver.refresh()

    def new_outlines(self) -> list[dict]:
        """As Chromium's: WebDriver reaches closed shadow roots in Firefox (the page's own scripts do not)."""
        driver = self.browser.driver
        driver.switch_to.window(self.browser.page_handle)
        return [{"colour": span.value_of_css_property("outline-color"),
                 "style": span.value_of_css_property("outline-style")}
                for mark in driver.find_elements("css selector", "smallprint-mark")
                for span in mark.shadow_root.find_elements("css selector", "span.new")]

    def names(self, selector: str) -> list[str]:
        self.browser.driver.switch_to.window(self.popup_handle)
        return [e.accessible_name for e in self.browser.driver.find_elements("css selector", selector)]


def launch(request, dark: bool = False):
    if request.param == "chromium":
        return Chromium(request.getfixturevalue("launch_chromium"), dark)
    return Firefox(request.getfixturevalue("launch_firefox"), dark)


@pytest.fixture(params=["chromium", "firefox"])
def browser(request):
    return launch(request)


@pytest.fixture(params=["chromium", "firefox"])
def dark_browser(request):
    """A browser whose reader asked for dark mode."""
    return launch(request, dark=True)


# ---- 1. polarity is never told by colour alone ------------------------------------------------------------------

def test_each_polarity_has_its_own_line_on_the_page_and_its_mark_and_word_in_the_popup(browser, page_server):
    url = f"{page_server}/policy.html"
    state = browser.open_policy(url)

    marks = browser.evaluate(MARK_STYLES_JS)
    assert {m["polarity"] for m in marks} == set(LINE_STYLES), "policy.html has clauses of every polarity"
    assert any(m["key"] for m in marks) and any(not m["key"] for m in marks)
    for m in marks:
        # the line style tells the polarity, filled (key finding) or quiet alike
        assert m["style"] == LINE_STYLES[m["polarity"]], m
        if m["polarity"] == "protective":
            assert m["width"] >= 3, m  # thinner, a double line shows as a single one
        # key findings stand out by their fill, quiet clauses have none
        assert (m["fill"] != TRANSPARENT) == m["key"], m

    browser.open_popup(url)
    shown = browser.popup(POPUP_JS)
    assert [(k["practice"], k["polarity"]) for k in shown["keyFindings"]] == [
        (k["practice"], k["polarity"]) for k in state["keyFindings"]]
    names = browser.names("#key-findings li button")
    assert len(names) == len(state["keyFindings"]) > 0
    for finding, name, key in zip(shown["keyFindings"], names, state["keyFindings"]):
        # the mark is seen, the word is both seen and heard
        assert POLARITY_MARKS[key["polarity"]] in finding["text"], finding
        assert POLARITY_WORDS[key["polarity"]] in finding["text"], finding
        assert POLARITY_WORDS[key["polarity"]] in name, name
        assert re.sub(r"\s+", " ", key["summary"]) in name, name

    # "Show all": each practice lists its clauses per polarity, each with its mark, and no single dot that could
    # disagree with the polarity its key finding names
    by_practice = {p["practice"]: p for p in shown["practices"]}
    for practice in state["practices"]:
        row = by_practice[practice["practice"]]
        assert row["text"] == counts_text(practice["counts"]), row
        assert row["marked"] == [p for p in POLARITY_WORDS if practice["counts"].get(p)] and row["dots"] == 0, row
    for key in state["keyFindings"]:
        assert key["polarity"] in by_practice[key["practice"]]["marked"], (key, by_practice[key["practice"]])


# ---- 2. the popup keeps the reader's place while a reading runs ----------------------------------------------------

# Where the reader is in the popup, and every time the view was rebuilt since WATCH_JS ran.
WATCH_JS = """() => { window.__rebuilt = 0;
  new MutationObserver(() => window.__rebuilt++).observe(document.querySelector('#view'), {childList: true}); }"""
PLACE_JS = """() => ({focus: document.activeElement?.dataset?.focus ?? document.activeElement?.localName,
  open: document.querySelector('#show-all')?.open ?? null, rebuilt: window.__rebuilt,
  status: document.querySelector('#status')?.textContent ?? null,
  statusRole: document.querySelector('#status')?.getAttribute('role') ?? null,
  live: [...document.querySelectorAll('[aria-live]')].map(e => e.id || e.localName)})"""


def test_the_popup_keeps_focus_and_show_all_while_the_full_reading_runs(browser, page_server):
    url = f"{page_server}/policy.html"
    state = browser.open_policy(url)
    tab = browser.message({"type": "find-tab", "url": url})["tabId"]
    # The quick reading of the page, as the tab's state: the popup waits for the full one, looking every 400 ms.
    page = {"url": url, "title": state["title"], "visitId": state["visitId"], "blocks": browser.evaluate(SIMPLE_BLOCKS_JS)}
    assert browser.message({"type": "analyze", "tabId": tab, "page": page, "reason": "auto", "depth": "quick"})["ok"]
    browser.open_popup(url)
    wait_for(lambda: browser.popup("() => document.querySelector('#status').dataset.depth") == "quick", 10,
             what="the popup to show the quick reading")
    practice = state["practices"][0]["practice"]
    browser.popup(f"""() => {{ document.querySelector('#show-all').open = true;
      document.querySelector('#practices li[data-practice="{practice}"] button').focus(); }}""")
    browser.popup(WATCH_JS)
    time.sleep(2)  # five looks at the tab's state, which did not change
    place = browser.popup(PLACE_JS)
    assert place["rebuilt"] == 0, place
    assert place["focus"] == f"practice:{practice}" and place["open"] is True, place
    # one small live line says which reading is shown; the view itself is not live
    assert place["statusRole"] == "status" and "Quick reading" in place["status"] and place["live"] == [], place

    # The full reading lands: the view is rebuilt once, and the reader is where they were.
    assert browser.message({"type": "analyze", "tabId": tab, "page": page, "reason": "auto", "depth": "full"})["ok"]
    wait_for(lambda: browser.popup("() => document.querySelector('#status').dataset.depth") == "full", 10,
             what="the popup to show the full reading")
    time.sleep(1)
    place = browser.popup(PLACE_JS)
    assert place["rebuilt"] == 1, place
    assert place["focus"] == f"practice:{practice}" and place["open"] is True, place


# ---- 3. the card: hoverable, persistent, dismissable; opened by the reader only -------------------------------------

# What the page can know of the card: that one is shown, and for which clause (aria-describedby) - never where it is or
# how big (the host stays at the viewport's corner, 0 x 0; the box is placed inside its closed shadow root).
CARD_JS = """() => { const c = document.querySelector('smallprint-card');
  if (!c) return null;
  const r = c.getBoundingClientRect();
  const marks = [...document.querySelectorAll('smallprint-mark')];
  return {rect: [r.left, r.top, r.width, r.height],
          clause: marks.findIndex(m => m.getAttribute('aria-describedby') === c.id)}; }"""
CARD_GAP = 6  # content.js: the card sits this far below its clause
# The first clause, near the top of the window so that its card goes below it; where its last line starts, a point
# from which the pointer can go straight down onto the card.
# (After the scroll events have been dispatched: a scroll closes a hover card.)
CLAUSE_JS = """() => { const m = document.querySelector('smallprint-mark[tabindex="0"]');
  m.scrollIntoView({block: 'start'}); scrollBy(0, -20);
  const lines = m.getClientRects(), last = lines[lines.length - 1];
  const where = {x: last.left + 5, y: (last.top + last.bottom) / 2, bottom: m.getBoundingClientRect().bottom};
  return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(where), 50))));
}"""
# Events made by the page's own scripts: none of them may open the card (nor close a card the reader opened).
SYNTHETIC_EVENTS_JS = """() => { const m = document.querySelector('smallprint-mark[tabindex="0"]');
  const shown = () => !!document.querySelector('smallprint-card');
  const result = {};
  m.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, composed: true, clientX: 1, clientY: 1}));
  result.mouseover = shown();
  m.dispatchEvent(new FocusEvent('focusin', {bubbles: true, composed: true}));
  result.focusin = shown();
  m.focus();  // the browser's own focus events: the card shows, as for a reader tabbing to the clause
  result.focused = shown();
  document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));
  m.dispatchEvent(new FocusEvent('focusout', {bubbles: true, composed: true}));
  result.after_fake_escape = shown();
  m.blur();
  result.blurred = shown();
  return result; }"""


def test_the_card_stays_while_the_pointer_is_on_it_and_escape_closes_it(browser, page_server):
    browser.open_policy(f"{page_server}/policy.html")
    assert browser.evaluate(SYNTHETIC_EVENTS_JS) == {"mouseover": False, "focusin": False, "focused": True,
                                                     "after_fake_escape": True, "blurred": False}

    mark = browser.evaluate(CLAUSE_JS)
    x, y = mark["x"], mark["y"]
    browser.move_mouse([(x, y)])
    card = wait_for(lambda: browser.evaluate(CARD_JS), 5, what="the card of the hovered clause")
    assert card["rect"] == [0, 0, 0, 0] and card["clause"] >= 0, card  # the page learns nothing of its size
    # From the clause, across the gap, onto the card (below the clause: it was scrolled near the window's top) and
    # about on it: the card stays, and stays the same clause's card, whatever clauses the page has under it.
    top = mark["bottom"] + CARD_GAP
    path = [(x, y + (top + 30 - y) * i / 8) for i in range(1, 9)] + [(x + 40, top + 20)]
    browser.move_mouse(path)
    assert browser.evaluate(CARD_JS) == card
    browser.press("Escape")
    assert browser.evaluate(CARD_JS) is None
    # Hovered again, then left for elsewhere: it goes.
    browser.move_mouse([(x, y)])
    wait_for(lambda: browser.evaluate(CARD_JS), 5, what="the card again")
    browser.move_mouse([(x, y + 2), (2, 2)])
    assert browser.evaluate(CARD_JS) is None


# ---- 5. the popup's details: nothing clipped, nothing only in a tooltip, one set of words ----------------------------

DETAILS_JS = """() => { document.querySelector('#show-all').open = true;
  return {
    // cut now, or on one line that longer counts would overflow
    clipped: [...document.querySelectorAll('#practices .counts, #key-findings .counts')]
      .filter(c => c.scrollWidth > c.clientWidth + 1 || getComputedStyle(c).whiteSpace === 'nowrap')
      .map(c => c.textContent),
    showAll: document.querySelector('#show-all summary').textContent,
    text: document.querySelector('#view').innerText,
    titles: [...document.querySelectorAll('#view [title]')].filter(e => e.closest('#key-findings')).length,
  }; }"""


def test_the_popup_says_what_its_grade_lists_and_reasons_mean(browser, page_server):
    url = f"{page_server}/policy.html"
    state = browser.open_policy(url)
    browser.open_popup(url)
    shown = browser.popup(DETAILS_JS)
    assert shown["clipped"] == [], shown["clipped"]
    n = len(state["practices"])
    assert shown["showAll"] == f"Show all {n} practices ({state['highlightCount']} clauses)", shown["showAll"]
    assert "Grade" in shown["text"] and "A is best, E is worst" in shown["text"], shown["text"]
    # why each key finding matters is on screen, not only in a tooltip
    for key in state["keyFindings"]:
        assert key["why_important"] in shown["text"], key
    assert shown["titles"] == 0
    # the report's words for the polarities, with their meaning; no other words for them
    for word, meaning in [("Concern", "reduces your privacy or control"),
                          ("Protective", "a promise or right in your favour"), ("Neutral", "informative only")]:
        assert f"{word}: {meaning}" in shown["text"], shown["text"]
    outside_legend = shown["text"].replace("a promise or right in your favour", "").replace("informative only", "")
    assert not re.search(r"(?i)in your favour|informative", outside_legend), shown["text"]


# ---- 6. labels in names, dark mode, lines on dark pages ------------------------------------------------------------

# Every piece of text on the page that is shown, with its contrast against what is behind it (< 4.5 listed).
LOW_CONTRAST_JS = """() => {""" + CONTRAST_JS + """
  const low = [];
  for (const e of document.querySelectorAll('body *')) {
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.data.trim()) || !e.getClientRects().length) continue;
    const s = getComputedStyle(e);
    const ratio = contrast(s.color, behind(e));
    if (ratio < 4.5) low.push([e.localName + '.' + e.className, e.textContent.trim().slice(0, 30), s.color,
                               behind(e), Math.round(ratio * 100) / 100]);
  }
  return {dark: lum(behind(document.body)) < 0.2, low};
}"""


def test_the_remove_button_is_named_by_its_label(browser, page_server):
    browser.open_options()
    browser.popup("""() => { document.querySelector('#new-site').value = 'example.com';
      document.querySelector('#add-site button').click(); }""")
    wait_for(lambda: browser.names("#sites li button"), 5, what="the site's Remove button")
    [name] = browser.names("#sites li button")
    assert name.startswith("Remove") and "example.com" in name, name  # WCAG 2.5.3: the label is in the name


def test_options_popup_and_card_follow_dark_mode_with_readable_text(dark_browser, page_server):
    browser = dark_browser
    url = f"{page_server}/policy.html"
    browser.open_policy(url)
    browser.open_popup(url)
    browser.popup("() => { document.querySelector('#show-all').open = true; }")
    popup = browser.popup(LOW_CONTRAST_JS)
    assert popup["dark"] and popup["low"] == [], popup
    browser.open_options()
    browser.popup("""() => { document.querySelector('#new-site').value = 'example.com';
      document.querySelector('#add-site button').click(); }""")
    options = browser.popup(LOW_CONTRAST_JS)
    assert options["dark"] and options["low"] == [], options
    if isinstance(browser, Chromium):  # the card's closed shadow root: read through the DevTools protocol
        for polarity in LINE_STYLES:  # the card of a clause of each polarity
            browser.page.locator(f"smallprint-mark[tabindex='0'][data-polarity='{polarity}']").first.focus()
            card = card_box(browser.page, ("color", "background-color", "border-left-color"))
            ratio = browser.evaluate(f"() => {{ {CONTRAST_JS} return contrast({card['style']['color']!r}, "
                                     f"{card['style']['background-color']!r}); }}")
            assert ratio >= 4.5 and card["style"]["background-color"] != "rgb(255, 255, 255)", card
            # its polarity's line, beside the text, shows on the dark card too
            line = contrast_ratio(card["style"]["border-left-color"], card["style"]["background-color"])
            assert line >= 3, (polarity, line, card)


# Every mark's line, with the colour behind the mark as the test works it out on its own: the background colours of
# the mark's ancestors drawn one over the other on a canvas (the browser's own conversion of any colour syntax, and
# its own compositing), over the white canvas of a page without a colour scheme. The line lies on that colour for a
# filled mark too: its fill stops at the line (background-clip: padding-box), so the gaps of its line show the page.
LINES_JS = """() => {""" + CONTRAST_JS + """
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const backgrounds = new Map();
  const behindOf = e => {
    if (!backgrounds.has(e)) {
      const chain = [];
      for (let a = e; a; a = a.parentElement) chain.unshift(a);
      ctx.globalCompositeOperation = 'copy';
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, 1, 1);
      ctx.globalCompositeOperation = 'source-over';
      for (const a of chain) {
        ctx.fillStyle = 'rgba(0, 0, 0, 0)';
        ctx.fillStyle = getComputedStyle(a).backgroundColor;
        ctx.fillRect(0, 0, 1, 1);
      }
      const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
      backgrounds.set(e, `rgb(${r}, ${g}, ${b})`);
    }
    return backgrounds.get(e);
  };
  return [...document.querySelectorAll('smallprint-mark')].map(m => {
    const s = getComputedStyle(m);
    const behind = behindOf(m.parentElement);
    return {polarity: m.dataset.polarity, key: m.dataset.key === 'true', clip: s.backgroundClip,
            colour: s.borderBottomColor, behind, ratio: Math.round(contrast(s.borderBottomColor, behind) * 100) / 100};
  });
}"""


def assert_lines_show(lines: list[dict], where: str) -> None:
    """Lines of every polarity, filled and quiet, each at >= 3:1 on the colour behind it (WCAG 1.4.11)."""
    assert {m["polarity"] for m in lines if not m["key"]} == set(LINE_STYLES), (where, lines)
    assert any(m["key"] for m in lines), (where, lines)
    low = [m for m in lines if m["ratio"] < 3]
    assert not low, (where, low)
    assert all(m["clip"] == "padding-box" for m in lines if m["key"]), (where, lines)


# a policy with quiet clauses of every polarity (policy.html has neutral ones only)
MEDIUM_POLICY = "policies/duckduckgo/2026-08-21_contrib_46e3c71.html"


@pytest.mark.parametrize("page", [MEDIUM_POLICY, f"dark/{MEDIUM_POLICY}"], ids=["light-page", "dark-page"])
def test_lines_show_on_light_and_dark_pages(browser, page_server, page):
    browser.open_policy(f"{page_server}/{page}")
    assert_lines_show(browser.evaluate(LINES_JS), page)


# Page backgrounds as sites write them (the page server's ?background=, on html and body): Tailwind v4's palette is
# in oklch(), and browsers give such a colour back in its own syntax; mid-greys, where neither the dark nor the light
# lines reach 3:1 as they are; a translucent colour, over the one under it.
BACKGROUNDS = {
    "tailwind-gray-800-oklch": "oklch(27.8% 0.033 256.848)",
    "tailwind-gray-900-oklch": "oklch(21% 0.034 264.665)",
    "tailwind-gray-900-hex": "#101828",  # the same colour in sRGB
    "lab": "lab(22 4 -12)",
    "lch": "lch(85 20 90)",
    "display-p3": "color(display-p3 0.16 0.17 0.2)",
    "mid-grey": "#777777",
    "mid-grey-oklch": "oklch(0.62 0 0)",
    "translucent-oklch-over-white": "oklch(0.25 0.02 250 / 0.6)",
}


def test_lines_show_on_backgrounds_in_any_colour_syntax(browser, page_server):
    lines = {}
    for name, background in BACKGROUNDS.items():
        browser.open_policy(f"{page_server}/{MEDIUM_POLICY}?background={quote(background)}")
        lines[name] = browser.evaluate(LINES_JS)
        assert_lines_show(lines[name], f"{name}: {background}")
    # one colour, whatever its syntax: the same lines
    same = [(m["polarity"], m["key"], m["colour"]) for m in lines["tailwind-gray-900-oklch"]]
    assert same == [(m["polarity"], m["key"], m["colour"]) for m in lines["tailwind-gray-900-hex"]]


# The visits of the versioned policy on a light page (the white canvas) and on a dark one (#121212, the canvas of a
# page in a dark colour scheme).
OUTLINE_BACKGROUNDS = {"light": ("", "#ffffff"), "dark": ("?background=%23121212", "#121212")}


def test_the_outline_of_a_clause_new_since_the_last_visit_shows_on_light_and_dark_pages(
        browser, page_server, policy_version):
    for name, (query, behind) in OUTLINE_BACKGROUNDS.items():
        url = f"{page_server}/versioned/policy.html{query}"
        policy_version(1)
        since = browser.open_policy(url)["analysedAt"]
        policy_version(2)
        browser.reload()
        state = browser.browser.wait_state(url, lambda s, since=since: painted(s) and s["analysedAt"] > since,
                                           f"the second visit of the {name} page to be painted")
        assert state["changes"] and ADDED_CLAUSE in [c["text"] for c in state["changes"]["added"]], state["changes"]
        outlines = browser.new_outlines()
        assert outlines, f"no clause painted as new on the {name} page"
        for outline in outlines:
            assert outline["style"] == "dashed" and contrast_ratio(outline["colour"], behind) >= 3, (name, outline)


# ---- 10. the toolbar badge: the popup's grade colours, a letter that reads on each -----------------------------------

def rgba(hex_colour: str) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)] + [255]


BADGE_JS = """tabId => { const action = (globalThis.browser ?? globalThis.chrome).action;
  return Promise.all([action.getBadgeText({tabId}), action.getBadgeBackgroundColor({tabId}),
                      action.getBadgeTextColor({tabId})]); }"""


def test_the_badge_shows_the_grade_in_the_popups_colours_with_a_readable_letter(browser, page_server):
    from smallprint.report import SHARED_CSS

    url = f"{page_server}/policy.html"
    state = browser.open_policy(url)
    letter = state["grade"]["letter"]
    tab = browser.message({"type": "find-tab", "url": url})["tabId"]
    text, background, letter_colour = browser.browser.in_extension(BADGE_JS, tab)
    report = dict(re.findall(r"--grade-([A-E]): (#[0-9a-f]{6})", SHARED_CSS))
    assert text == letter and background == rgba(report[letter]), (text, background, report)
    assert contrast_ratio(background, letter_colour) >= 4.5, (background, letter_colour)
    browser.open_popup(url)
    shown = browser.popup("""() => { const s = getComputedStyle(document.querySelector('#grade'));
      return [s.backgroundColor, s.color]; }""")
    assert contrast_ratio(*shown) >= 4.5 and [float(v) for v in re.findall(r"[\d.]+", shown[0])][:3] == background[:3], shown


# ---- 9. a bilingual page: the popup says which part was not read, the page is left as it is there ----------------------

def test_the_popup_says_which_part_of_a_bilingual_policy_was_not_read(browser, page_server):
    from tests.engine.test_language import FRENCH

    url = f"{page_server}/bilingual.html"
    state = browser.open_policy(url)
    assert len(state["notices"]) == 1 and "(fr)" in state["notices"][0], state["notices"]
    # only the English part is painted: nothing on the French part, not even a shade saying it was not read
    marked = browser.evaluate("""() => [...document.querySelectorAll('smallprint-mark')]
      .map(m => m.closest('p, li, h1, h2, td').textContent.replace(/\\s+/g, ' ').trim())""")
    french = " ".join(FRENCH.split())
    assert marked and not [text for text in marked if text in french], marked
    browser.open_popup(url)
    shown = browser.popup("() => [...document.querySelectorAll('#view .notice')].map(n => n.textContent)")
    assert shown == state["notices"], shown
