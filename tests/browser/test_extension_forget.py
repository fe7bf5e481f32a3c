"""Forgetting from the browser, in Chromium and in Firefox, with the real bridge and a real daemon: the popup's
"Forget this site" and the settings page's "Forget everything smallprint remembers" empty the daemon's store (seen
through GET /v1/sites); a content script cannot ask for a forget."""
from __future__ import annotations

import pytest

from tests.bridge.harness import daemon_info, get_json, post_analyze
from tests.bridge.test_daemon_bridge import POLICY_BLOCKS

from .harness import painted, wait_for
from .test_extension_accessibility import Chromium, browser  # noqa: F401 (the fixture: each test in both browsers)
from .test_extension_private import in_content_script

pytestmark = pytest.mark.browser

OTHER_SITE = "https://www.other.example/privacy"
RECENT = "The pages read recently were forgotten too."
REFUSED = {"ok": False, "error": {"code": "refused", "message": "not a message this sender may send"}}
RESULT_JS = "() => document.querySelector('#forget-result[data-outcome]')?.textContent.trim() ?? null"


def remembered(home) -> dict[str, int]:
    """What the daemon's store holds: {site: versions}."""
    return {site["site"]: site["versions"] for site in get_json(daemon_info(home), home, "/v1/sites")["sites"]}


def press(b, *keys: str) -> None:
    """Keys pressed in the popup or the settings page, as a keyboard would."""
    if isinstance(b, Chromium):
        for key in keys:
            b.popup_page.keyboard.press(key)
        return
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    b.browser.driver.switch_to.window(b.popup_handle)
    ActionChains(b.browser.driver).send_keys(*(getattr(Keys, key.upper()) for key in keys)).perform()


def tab_to(b, element_id: str, most: int = 60) -> None:
    """Move the focus with Tab alone, from the top of the page, until `element_id` has it: it is reachable."""
    b.popup("() => document.activeElement?.blur()")
    for _ in range(most):
        press(b, "Tab")
        if b.popup("() => document.activeElement?.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_the_reader_forgets_a_site_in_the_popup_and_everything_in_the_settings(browser, page_server,  # noqa: F811
                                                                               policy_version, bridge_home):
    b = browser
    url = f"{page_server}/versioned/policy.html"
    policy_version(1)
    first = b.open_policy(url)
    policy_version(2)
    b.reload()
    second = b.browser.wait_state(url, lambda s: painted(s) and s["analysedAt"] > first["analysedAt"],
                                  "the second visit to be painted")
    assert second["changes"] and b.new_outlines(), "the added clause is not shown as new since the last visit"
    post_analyze(daemon_info(bridge_home), bridge_home, {"blocks": POLICY_BLOCKS, "url": OTHER_SITE})
    assert remembered(bridge_home) == {"127.0.0.1": 2, "other.example": 1}

    # The popup: "Forget this site", named by its label and the site, reached and pressed with the keyboard.
    b.open_popup(url)
    [name] = b.names("#forget-site")
    assert name.startswith("Forget this site") and "127.0.0.1" in name, name
    tab_to(b, "forget-site")
    press(b, "Enter")
    said = wait_for(lambda: b.popup(RESULT_JS), 30, what="the popup to say what was forgotten")
    assert said == f"Forgot 127.0.0.1: 2 versions of its policies deleted. {RECENT}"
    assert remembered(bridge_home) == {"other.example": 1}  # that site only
    shown = b.popup("""() => ({focus: document.activeElement?.id, status: document.querySelector('#status').textContent,
      changes: !!document.querySelector('#changes'), kind: document.querySelector('#kind')?.dataset.kind})""")
    assert shown == {"focus": "forget-site", "status": said, "changes": False, "kind": "privacy_policy"}, shown
    # The tab keeps its reading, without the changes since the last visit; its page drops the "new" outlines.
    state = b.browser.state(url)
    assert state["status"] == "done" and state["changes"] is None and state["highlights"], state
    if isinstance(b, Chromium):
        assert b.browser.badge(url) == state["grade"]["letter"]  # no "•": nothing changed since a visit now
    wait_for(lambda: not b.new_outlines(), 10, what="the page to drop the outlines of the clauses new since the visit")
    press(b, "Enter")  # again: nothing is left to forget, and that is said, not an error
    wait_for(lambda: b.popup(RESULT_JS) == f"Nothing was remembered about 127.0.0.1. {RECENT}", 30,
             what="the popup to say that nothing was remembered")

    # The settings page: "Forget everything smallprint remembers" asks first; Escape (or Cancel) forgets nothing.
    b.open_options()
    confirm_js = """() => ({shown: !document.querySelector('#forget-confirm').hidden, focus: document.activeElement?.id,
      expanded: document.querySelector('#forget-all').getAttribute('aria-expanded')})"""
    [name] = b.names("#forget-all")
    assert name == "Forget everything smallprint remembers", name
    tab_to(b, "forget-all")
    press(b, "Enter")
    assert b.popup(confirm_js) == {"shown": True, "focus": "forget-all-yes", "expanded": "true"}
    press(b, "Escape")
    assert b.popup(confirm_js) == {"shown": False, "focus": "forget-all", "expanded": "false"}
    assert remembered(bridge_home) == {"other.example": 1}, "a forget without its confirmation"
    press(b, "Enter", "Enter")  # "Forget everything", then "Yes, forget everything"
    said = wait_for(lambda: b.popup(RESULT_JS), 30, what="the settings page to say what was forgotten")
    assert said == f"Forgot everything: 1 version of the policies of 1 site deleted. {RECENT}"
    assert remembered(bridge_home) == {}
    assert b.popup(confirm_js) == {"shown": False, "focus": "forget-all", "expanded": "false"}


def test_forgetting_without_a_daemon_says_what_failed_and_its_fix(browser, page_server, bridge_home):  # noqa: F811
    """The daemon cannot be started: the settings page says so with the command that shows why (SP.errorHelp)."""
    b = browser
    b.open_policy(f"{page_server}/policy.html")  # the bridge is running; the next daemon it starts cannot start
    (bridge_home / "config").mkdir(parents=True, exist_ok=True)
    (bridge_home / "config" / "config.toml").write_text("port = 'not a number\n", encoding="utf-8")
    from tests.bridge.harness import stop_daemon

    stop_daemon(bridge_home)
    b.open_options()
    b.popup("() => { document.querySelector('#forget-all').click(); document.querySelector('#forget-all-yes').click(); }")
    wait_for(lambda: b.popup(RESULT_JS), 60, what="the settings page to say why nothing was forgotten")
    shown = b.popup("""() => ({code: document.querySelector('#forget-result .error')?.dataset.code,
      commands: [...document.querySelectorAll('#forget-result .fix-command')].map(c => c.textContent)})""")
    assert shown["code"] == "daemon_start_failed", shown
    assert shown["commands"] == ["smallprint serve", "smallprint install-host"], shown


def test_a_content_script_cannot_ask_for_a_forget(launch_chromium, page_server, bridge_home):
    browser = launch_chromium()
    url = f"{page_server}/policy.html"
    page, _ = browser.open_until(url, what="the policy page to be painted")
    assert remembered(bridge_home) == {"127.0.0.1": 1}
    # as a page that took over its renderer could: the content script's own world sends `forget`
    replies = in_content_script(page, """(async () => [
      await chrome.runtime.sendMessage({type: 'forget', all: true}),
      await chrome.runtime.sendMessage({type: 'forget', site: location.hostname}),
      await chrome.runtime.sendMessage({type: 'forget', site: location.hostname, tabId: 1, url: location.href})])()""")
    assert replies == [REFUSED] * 3, replies
    assert remembered(bridge_home) == {"127.0.0.1": 1}, "a content script made the daemon forget"
    assert browser.state(url)["status"] == "done"
    # an extension page may ask, but must say what to forget
    for message in ({"type": "forget"}, {"type": "forget", "site": "", "all": False},
                    {"type": "forget", "site": "127.0.0.1", "all": True}):
        assert browser.message(message)["error"]["code"] == "bad_request", message
    assert remembered(bridge_home) == {"127.0.0.1": 1}


def test_the_popup_offers_no_forget_in_a_private_window_in_firefox(launch_firefox, page_server):
    """A private window's pages are not remembered: its popup has nothing of theirs to forget, and no per-site
    controls at all (the footer)."""
    from urllib.parse import quote

    browser = launch_firefox(private=True)
    url = f"{page_server}/policy.html"
    browser.open_until(url, what="the policy in the private window to be painted")
    browser.open_extension_page(f"popup.html?url={quote(url, safe='')}")
    driver = browser.driver
    wait_for(lambda: driver.execute_script("return !!document.querySelector('#kind')"), 30, what="the popup summary")
    wait_for(lambda: driver.execute_script("return document.querySelector('footer').hidden"), 10,
             what="the popup to hide its per-site controls")
    assert driver.execute_script("return document.querySelector('#forget').hidden") is True
