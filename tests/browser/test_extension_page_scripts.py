"""The page's own scripts keep working on the nodes they own while the extension paints, in Chromium and in Firefox
ESR: a framework that rewrites a text node it rendered (React, Vue and Svelte set the node's `data`) sees its new
text alone once the extension has read the page again, not the old clause painting split off that node; and a page
that made `smallprint-mark` a custom element with a shadow root of its own is still painted, and still re-read when
it changes. The page's scripts come with the page (?page-script=, harness.PAGE_SCRIPTS), so that they run as the
page's own in both browsers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from .harness import MARKS_JS, assert_marks_match, painted

pytestmark = pytest.mark.browser

# The framework renders the paragraph again: it sets the data of the node it owns, which painting split.
RERENDER_JS = """text => { window.__ownText.data = text; }"""
PARAGRAPH_TEXT_JS = "() => window.__ownParagraph.textContent.replace(/\\s+/g, ' ').trim()"
SPLIT_PREFIX_KEPT_JS = "() => window.__ownText.parentNode === window.__ownParagraph"

PAGE_OWNS_THE_MARKS_JS = """() => { const marks = [...document.querySelectorAll('smallprint-mark')];
  return marks.length > 0 && marks.every(m => m.shadowRoot?.mode === 'open'); }"""

# (the policy's own "sell" clause, again in a paragraph of its own: the reader flags it wherever it stands)
LATE_CLAUSE = "We may sell your personal information to advertising partners and data brokers."
ADD_LATE_CLAUSE_JS = f"""() => {{ const p = document.createElement('p'); p.textContent = {LATE_CLAUSE!r};
  document.querySelector('main').append(p); }}"""


@dataclass(frozen=True)
class PaintedPage:
    """A policy page the extension painted, whatever the browser: `evaluate(js, arg=None)` runs `js` in the page
    as its own scripts do; `first` is the tab's state once painted."""
    browser: object  # ChromiumSession or FirefoxSession
    url: str
    evaluate: Callable
    first: dict

    def painted_again(self, what: str) -> dict:
        """The tab's state once the page has been read and painted again since `first`."""
        return self.browser.wait_state(self.url, lambda s: painted(s) and s["analysedAt"] > self.first["analysedAt"],
                                       what)


@pytest.fixture(params=["chromium", "firefox"])
def open_painted(request, page_server):
    """open_painted(page_script, what) -> PaintedPage: policy.html starting with its own PAGE_SCRIPTS[page_script],
    in a fresh Chromium or Firefox ESR with the extension, once painted."""
    launch = request.getfixturevalue(f"launch_{request.param}")

    def open_(page_script: str, what: str) -> PaintedPage:
        browser = launch()
        url = f"{page_server}/policy.html?page-script={page_script}"
        page, first = browser.open_until(url, what=what)
        # a Playwright page (Chromium), or the Firefox session's own tab (its open_until gives no page)
        return PaintedPage(browser, url, page.evaluate if page is not None else browser.evaluate, first)
    return open_


def test_a_text_node_the_page_rewrites_shows_its_new_text_alone(open_painted):
    page = open_painted("keep-own-text", "the policy to be painted")
    assert any("We may sell" in g["text"] for g in page.evaluate(MARKS_JS).values())
    assert page.evaluate(SPLIT_PREFIX_KEPT_JS)  # split, the prefix kept

    new_text = "Crème brûlée fans, welcome. We never sell anything about you to anyone."
    page.evaluate(RERENDER_JS, new_text)
    again = page.painted_again("the rewritten page to be read and painted again")
    assert page.evaluate(PARAGRAPH_TEXT_JS) == new_text, "the old clause painting split off stayed on the page"
    assert "We may sell your personal information" not in {h["text"] for h in again["highlights"]}
    assert_marks_match(page.evaluate(MARKS_JS), again["highlights"])


def test_marks_the_page_gave_a_shadow_root_of_its_own_are_painted_and_the_page_still_watched(open_painted):
    page = open_painted("own-shadow-marks", "the policy to be painted despite the page's own marks")
    # the marks are the page's own elements, each with the shadow root the page's definition gave it
    assert page.evaluate(PAGE_OWNS_THE_MARKS_JS), "the page's own definition of smallprint-mark did not run"
    assert_marks_match(page.evaluate(MARKS_JS), page.first["highlights"])

    page.evaluate(ADD_LATE_CLAUSE_JS)  # late text: read only if the page is still watched after the paint
    later = page.painted_again("the late clause to be read")
    assert later["contentHash"] != page.first["contentHash"], "the late text was not read"
    flagged = lambda state: [h["text"] for h in state["highlights"]].count(LATE_CLAUSE)  # noqa: E731
    assert flagged(later) > flagged(page.first), later["highlights"]
    assert_marks_match(page.evaluate(MARKS_JS), later["highlights"])


def test_a_text_node_the_page_renders_again_with_more_text_shows_it_once(open_painted):
    """A framework whose text grows (state += more) sets the node's data to the whole new text, which begins with the
    text painting split: it was taken for text appended to the part the node kept, and the old clause showed twice."""
    page = open_painted("keep-own-text", "the policy to be painted")
    assert page.evaluate(SPLIT_PREFIX_KEPT_JS)  # split, the prefix kept
    rendered = page.evaluate("() => window.__ownParagraph.textContent")  # as the framework rendered it, spaces and all

    page.evaluate(RERENDER_JS, rendered + " We keep a copy of it for a year.")
    page.painted_again("the grown page to be read and painted again")
    grown = " ".join(rendered.split()) + " We keep a copy of it for a year."
    assert page.evaluate(PARAGRAPH_TEXT_JS) == grown, "the old clause painting split off showed twice"


def test_text_the_page_inserts_inside_the_part_painting_kept_keeps_the_rest_of_the_node(open_painted):
    """A page that edits its own text node in place (insertData at an offset it keeps) changed the part painting
    left in the node: that was taken for a rewrite, and the clause painting split off the node was dropped from the
    page. A live Range at the end of the kept part tells an edit inside it from a new text set whole."""
    page = open_painted("keep-own-text", "the policy to be painted")
    assert page.evaluate(SPLIT_PREFIX_KEPT_JS)  # split, the prefix kept
    rendered = page.evaluate("() => window.__ownParagraph.textContent")
    at = page.evaluate("() => window.__ownText.data.indexOf('welcome')")
    assert 0 < at < page.evaluate("() => window.__ownText.length")  # inside the kept part

    page.evaluate("at => window.__ownText.insertData(at, 'dear reader, ')", at)
    again = page.painted_again("the edited page to be read and painted again")
    # (offsets in UTF-16 code units, as the page's own: the kept part holds an emoji)
    edited = page.evaluate("([text, at]) => text.slice(0, at) + 'dear reader, ' + text.slice(at)", [rendered, at])
    edited = " ".join(edited.split())
    assert page.evaluate(PARAGRAPH_TEXT_JS) == edited, "the clause painting split off the node was dropped"
    assert any("We may sell your personal" in h["text"] for h in again["highlights"])
    assert_marks_match(page.evaluate(MARKS_JS), again["highlights"])
