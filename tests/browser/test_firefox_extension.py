"""The same core test in Firefox ESR: a policy page gets its highlights at the words the daemon found."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from .harness import (ARTIFACTS, DEEP_MARKS_JS, MARKS_JS, assert_marks_match, check_defined_elements_read_nothing,
                      check_grade_line_names_a_both_ways_practice_once, check_late_text_in_one_visit, painted,
                      record_timing, wait_for)

pytestmark = pytest.mark.browser


def test_policy_page_is_highlighted_in_firefox(launch_firefox, page_server):
    browser = launch_firefox()
    url = f"{page_server}/policy.html"
    _, state = browser.open_until(url, what="the policy page to be painted")
    record_timing("policy.html", "firefox", state)
    assert state["kind"] == "privacy_policy"
    marks = browser.evaluate(MARKS_JS)
    assert marks, "no highlights painted"
    assert_marks_match(marks, state["highlights"])
    by_practice = {(g["practice"], g["polarity"]): " ".join(g["text"].split()) for g in marks.values()}
    sale = by_practice.get(("sale_of_data", "concern"))
    assert sale and "sell your personal information" in sale and "🍰" not in sale, by_practice
    ARTIFACTS.mkdir(exist_ok=True)
    browser.driver.save_screenshot(str(ARTIFACTS / "firefox-policy.png"))

    browser.open_extension_page(f"popup.html?url={quote(url, safe='')}")  # the popup, as a tab for that page
    wait_for(lambda: browser.driver.execute_script("return !!document.querySelector('#practices')"), 20,
             what="the popup summary")
    shown = browser.driver.execute_script("""return {
      kind: document.querySelector('#kind').dataset.kind, grade: document.querySelector('#grade').textContent,
      practices: [...document.querySelectorAll('#practices li')].map(li => li.dataset.practice)}""")
    assert shown == {"kind": state["kind"], "grade": state["grade"]["letter"],
                     "practices": [p["practice"] for p in state["practices"]]}


def test_the_popup_names_a_practice_that_counted_both_ways_once_with_its_net_points_in_firefox(launch_firefox,
                                                                                                page_server):
    """As in Chromium: the grade line names the sale of data, counted against the reader and in their favour, once
    with its net points (popup.js gradeWhy)."""
    browser = launch_firefox()
    url = f"{page_server}/both-ways-policy.html"
    _, state = browser.open_until(url, what="the both-ways policy to be painted")
    browser.open_extension_page(f"popup.html?url={quote(url, safe='')}")  # the popup, as a tab for that page
    why = wait_for(lambda: browser.driver.execute_script(
        "const line = document.querySelector('#grade-why'); return line && line.innerText"), 20, what="the grade line")
    # each practice's label as the popup's own list shows it (WebDriver's scripts do not see the popup's `SP`)
    labels = browser.driver.execute_script("return Object.fromEntries([...document.querySelectorAll('#practices li')]"
                                           ".map((li) => [li.dataset.practice, li.querySelector('.label').textContent]))")
    check_grade_line_names_a_both_ways_practice_once(state, why, labels)


def test_policy_inside_a_shadow_root_is_highlighted_in_firefox(launch_firefox, page_server):
    browser = launch_firefox()
    _, state = browser.open_until(f"{page_server}/shadow-policy.html", what="the web-component policy to be painted")
    assert state["kind"] == "privacy_policy"
    marks = browser.evaluate(DEEP_MARKS_JS)
    assert_marks_match(marks, state["highlights"])
    where = {(g["practice"], g["polarity"]): g["where"] for g in marks.values()}
    assert where.get(("sale_of_data", "concern")) == "shadow" and where.get(("ai_training", "protective")) == "light", where
    assert not any(h["practice"] == "biometric" for h in state["highlights"])


def test_non_policy_page_is_left_untouched_in_firefox(launch_firefox, page_server):
    browser = launch_firefox()
    url = f"{page_server}/news.html"
    _, state = browser.open_until(url, lambda s: s.get("status") == "done", "the news page to be analysed")
    assert state["kind"] == "other"
    assert browser.evaluate("() => document.querySelectorAll('smallprint-mark').length") == 0


def test_missing_host_is_reported_in_firefox(launch_firefox, page_server):
    browser = launch_firefox(install=False)
    url = f"{page_server}/policy.html"
    browser.open(url)
    state = browser.wait_state(url, lambda s: s.get("status") == "error", "the error")
    assert state["error"]["code"] == "host_missing", state["error"]
    assert browser.evaluate("() => document.querySelectorAll('smallprint-mark').length") == 0


def test_a_helper_that_was_moved_away_names_install_host_in_firefox(launch_firefox, page_server, tmp_path):
    """The host manifest names a smallprint-bridge that is gone (the checkout or its environment moved). Firefox says
    only "An unexpected error occurred"; the popup said "The smallprint helper stopped unexpectedly" and offered
    `smallprint status`, which knows nothing of the helper's registration: it now also offers install-host."""
    browser = launch_firefox()
    manifest = tmp_path / "firefox-home-0" / ".mozilla" / "native-messaging-hosts" / "org.smallprint.bridge.json"
    Path(json.loads(manifest.read_text())["path"]).unlink()
    url = f"{page_server}/policy.html"
    browser.open(url)
    state = browser.wait_state(url, lambda s: s.get("status") == "error", "the error")
    assert state["error"]["code"] == "host_failed", state["error"]
    browser.open_extension_page(f"popup.html?url={quote(url, safe='')}")
    wait_for(lambda: browser.driver.execute_script("return Boolean(document.querySelector('#error'))"), 30,
             what="the popup's error")
    shown = browser.driver.execute_script("""return {
      commands: [...document.querySelectorAll('.fix-command')].map(code => code.textContent),
      text: document.body.innerText}""")
    assert shown["commands"] == ["smallprint status", "smallprint install-host"], shown
    assert "could not start" in shown["text"], shown


def test_text_arriving_later_in_a_visit_is_not_new_since_the_last_visit_in_firefox(launch_firefox, page_server,
                                                                                  policy_version, bridge_home):
    check_late_text_in_one_visit(launch_firefox(), f"{page_server}/versioned/policy.html", policy_version, bridge_home)


def test_a_tab_that_moved_to_a_page_no_content_script_reads_shows_no_earlier_state_in_firefox(launch_firefox,
                                                                                                page_server):
    browser = launch_firefox()
    url = f"{page_server}/policy.html"
    browser.open_until(url, what="the policy page to be painted")
    tab = browser.message({"type": "find-tab", "url": url})["tabId"]
    browser.open("about:blank")
    assert browser.message({"type": "get-state", "tabId": tab})["state"] is None


def test_a_page_back_from_the_back_forward_cache_shows_its_own_state_in_firefox(launch_firefox, page_server):
    browser = launch_firefox()
    url = f"{page_server}/policy.html"
    news = f"{page_server}/news.html"
    # Whether a page goes into the back-forward cache is the browser's choice (Firefox evicts under memory pressure
    # and on timers: one CI run in many loaded the page again). What is tested is the extension once a page *is*
    # restored, so the navigation is tried again, a few times, before the test says the cache never restored it.
    for _attempt in range(3):
        _, policy = browser.open_until(url, what="the policy page to be painted")
        browser.evaluate("() => { window.__notReloaded = true; }")
        browser.open_until(news, lambda s: s.get("status") == "done", "the news page to be analysed")
        browser.driver.back()
        if browser.evaluate("() => window.__notReloaded === true"):
            break
    else:
        raise AssertionError("the page was loaded again, not restored from the back-forward cache, three times")
    back = browser.wait_state(url, painted, "the restored policy page to be the tab's state again")
    assert back["kind"] == "privacy_policy" and back["grade"] == policy["grade"]
    assert_marks_match(browser.evaluate(MARKS_JS), back["highlights"])


def test_a_page_that_defines_the_extension_s_elements_cannot_read_the_history_in_firefox(launch_firefox, page_server,
                                                                                         policy_version):
    """The Chromium test's page in Firefox ESR: its own first script makes `smallprint-mark` and `smallprint-card`
    custom elements of its own and keeps their ElementInternals, through which a closed shadow root attached to them
    is the page's to read. It must read neither which clauses are outlined as new nor the card's "New since DATE"."""
    check_defined_elements_read_nothing(launch_firefox(), f"{page_server}/versioned/policy.html?page-script=define-elements",
                                        policy_version)
