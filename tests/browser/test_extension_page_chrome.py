"""Page chrome is not the document: a consent dialog or banner is neither sent for reading nor painted (Chromium and
Firefox ESR), and a clause the reader focused keeps the focus when the page is repainted (Chromium): by the full
reading replacing the quick one, or by a change of settings."""
from __future__ import annotations

import pytest

from tests.bridge.harness import daemon_info, post_analyze

from .harness import SIMPLE_BLOCKS_JS, painted, quick_painted, wait_for

pytestmark = pytest.mark.browser

LARGE_POLICY = "facebook/2025-12-17_pga2_df69a0e"  # ~640 clauses: its full reading takes a while after the quick one

# The page's blocks the simple way (SIMPLE_BLOCKS_JS), leaving out the page's chrome as the content script does.
CHROME = "[role=dialog], [role=alertdialog], [aria-modal=true], dialog, #onetrust-consent-sdk"
DOCUMENT_BLOCKS_JS = f"""() => [...document.body.querySelectorAll('h1,h2,h3,h4,h5,h6,p,li')]
  .filter(e => e.offsetParent !== null && !e.closest('script,style,noscript,{CHROME}'))
  .map((e, i) => ({{id: 'b' + i, text: e.textContent.replace(/[ \\t\\n\\r\\f]+/g, ' ').trim(), tag: e.localName}}))
  .filter(b => b.text)"""
CHROME_TEXT_JS = f"""() => [...document.querySelectorAll('{CHROME}')].map(e => e.textContent.replace(/\\s+/g, ' ').trim())"""
MARKS_IN_JS = """selector => [...document.querySelectorAll('smallprint-mark')].filter(m => m.closest(selector))
  .map(m => m.textContent)"""


def check_consent_policy(evaluate, state: dict, home, url: str) -> None:
    """The policy is read and painted without its consent dialog and OneTrust banner; its cookie-policy section is."""
    assert state["kind"] == "privacy_policy", state["kind"]
    # What was sent is exactly the document's blocks, the dialog and banner left out (the daemon's hash of them).
    blocks = evaluate(DOCUMENT_BLOCKS_JS)
    analysis = post_analyze(daemon_info(home), home, {"blocks": blocks, "url": url})
    assert analysis["content_hash"] == state["contentHash"], "the page's chrome was sent with the policy"
    chrome_text = evaluate(CHROME_TEXT_JS)
    assert len(chrome_text) == 2 and all(chrome_text), chrome_text
    for h in state["highlights"]:
        assert h["text"] not in " ".join(chrome_text), h
    assert evaluate(f"() => ({MARKS_IN_JS})('{CHROME}')") == [], "the consent dialog or banner was painted"
    # The dialog's clauses would be painted if it were read: it states tracking and sharing practices.
    alone = post_analyze(daemon_info(home), home, {"blocks": [{"id": f"b{i}", "text": t} for i, t in enumerate(chrome_text)]})
    assert alone["highlights"], "the test's dialog states no practice: it would prove nothing"
    # A section named "cookie-policy" is the policy's own, and read
    inside = evaluate(f"() => ({MARKS_IN_JS})('#cookie-policy')")
    assert inside and "tracking technologies" in " ".join(inside), inside
    assert any("tracking technologies" in h["text"] for h in state["highlights"])


def check_dialog_only_page(state: dict, evaluate) -> None:
    """A "Page not found" page whose only text is a cookie-consent dialog has nothing to read: no kind, no grade."""
    assert state["status"] == "skipped", state
    assert not state.get("kind") and not state.get("grade"), state
    assert evaluate("() => document.querySelectorAll('smallprint-mark').length") == 0


def test_consent_dialog_and_banner_are_not_read_or_painted_in_chromium(launch_chromium, page_server, bridge_home):
    browser = launch_chromium()
    url = f"{page_server}/consent-policy.html"
    page, state = browser.open_until(url, what="the policy page to be painted")
    check_consent_policy(page.evaluate, state, bridge_home, url)


def test_a_page_whose_only_text_is_a_consent_dialog_is_not_read_in_chromium(launch_chromium, page_server, bridge_home):
    browser = launch_chromium()
    browser.open_until(f"{page_server}/consent-policy.html")  # starts the daemon, asked directly below
    url = f"{page_server}/consent-privacy-404.html"
    page = browser.open(url)
    state = browser.wait_state(url, lambda s: s.get("status") in ("skipped", "done", "error"), "the page to be read")
    check_dialog_only_page(state, page.evaluate)
    assert browser.badge(url) == ""
    # the page with its dialog, as it was read before: a graded cookie policy on a "Page not found" page
    before = post_analyze(daemon_info(bridge_home), bridge_home,
                          {"blocks": page.evaluate(SIMPLE_BLOCKS_JS), "url": url, "title": page.title()})
    assert before["kind"] != "other", "the test's dialog is not read as a policy: it would prove nothing"


def test_consent_dialog_and_banner_are_not_read_or_painted_in_firefox(launch_firefox, page_server, bridge_home):
    browser = launch_firefox()
    url = f"{page_server}/consent-policy.html"
    _, state = browser.open_until(url, what="the policy page to be painted")
    check_consent_policy(browser.evaluate, state, bridge_home, url)
    url = f"{page_server}/consent-privacy-404.html"
    browser.open(url)
    state = browser.wait_state(url, lambda s: s.get("status") in ("skipped", "done", "error"), "the page to be read")
    check_dialog_only_page(state, browser.evaluate)


# ---- focus across the quick -> full repaint --------------------------------------------------------------------

FOCUS_QUICK_MARK_JS = """() => {
  const marks = [...document.querySelectorAll('smallprint-mark[tabindex="0"]')];
  const m = marks[Math.floor(marks.length / 2)];
  m.focus({preventScroll: true});
  window.__focusedMark = m;
  return {highlight: Number(m.dataset.highlight), scrollY: window.scrollY, active: document.activeElement === m};
}"""
AFTER_REPAINT_JS = """() => { const a = document.activeElement;
  return {replaced: !window.__focusedMark.isConnected, tag: a.localName, highlight: Number(a.dataset.highlight),
          tabindex: a.getAttribute('tabindex'), scrollY: window.scrollY}; }"""


def position(highlight: dict) -> tuple[int, int, int]:
    return int(highlight["block"].removeprefix("b")), highlight["start"], highlight["end"]


def test_focus_stays_on_the_clause_when_the_full_reading_repaints_the_quick_one(launch_chromium, page_server):
    """A clause focused while the quick reading is shown keeps the focus when the full reading replaces every mark:
    the mark over the same words (or the next one after them) takes it, without scrolling the page."""
    browser = launch_chromium()
    url = f"{page_server}/policies/{LARGE_POLICY}.html"
    page = browser.open(url)
    quick = browser.wait_state(url, lambda s: quick_painted(s) and s["painted"].get("depth") == "quick",
                               "the quick reading to be painted")
    focused = page.evaluate(FOCUS_QUICK_MARK_JS)
    assert focused["active"], focused
    full = browser.wait_state(url, painted, "the full reading to be painted")
    wait_for(lambda: page.evaluate("() => !window.__focusedMark.isConnected"), 10, what="the quick marks to go")
    after = page.evaluate(AFTER_REPAINT_JS)
    assert quick["depth"] == "quick" and after["replaced"], "the full reading was painted before the clause took focus"
    assert after["tag"] == "smallprint-mark" and after["tabindex"] == "0", after
    assert after["scrollY"] == focused["scrollY"], (focused, after)
    was = position(quick["highlights"][focused["highlight"]])
    now = position(full["highlights"][after["highlight"]])
    # over the same words, or the first clause after them
    assert now[0] > was[0] or (now[0] == was[0] and now[2] > was[1]), (was, now)


SET_SETTINGS_JS = """async (changes) => { const {settings} = await chrome.storage.local.get('settings');
  await chrome.storage.local.set({settings: {...(settings ?? {}), ...changes}}); }"""


def test_focus_stays_on_the_clause_when_a_change_of_settings_repaints_the_page(launch_chromium, page_server):
    """Other settings repaint every mark too: the focused clause keeps the focus, or, when its practice is hidden,
    the next clause after it takes it."""
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    page, state = browser.open_until(url, what="the policy page to be painted")
    focused = page.evaluate(FOCUS_QUICK_MARK_JS)
    browser.in_extension(SET_SETTINGS_JS, {"paintAll": True})
    wait_for(lambda: page.evaluate("() => !window.__focusedMark.isConnected"), 10, what="the page to be repainted")
    after = page.evaluate(AFTER_REPAINT_JS)
    assert after["tag"] == "smallprint-mark" and after["highlight"] == focused["highlight"], (focused, after)
    assert after["scrollY"] == focused["scrollY"], (focused, after)

    was = position(state["highlights"][focused["highlight"]])
    practice = state["highlights"][focused["highlight"]]["practice"]
    page.evaluate("() => { window.__focusedMark = document.activeElement; }")
    browser.in_extension(SET_SETTINGS_JS, {"hiddenPractices": [practice]})
    wait_for(lambda: page.evaluate("() => !window.__focusedMark.isConnected"), 10, what="the page to be repainted")
    after = page.evaluate(AFTER_REPAINT_JS)
    assert after["tag"] == "smallprint-mark", after
    now = state["highlights"][after["highlight"]]
    assert now["practice"] != practice and (position(now)[0], position(now)[1]) >= was[:2] or not any(
        h["practice"] != practice and (position(h)[0], position(h)[1]) >= was[:2] for h in state["highlights"]), (was, now)
