"""What the security review asked of the extension, in Chromium and in Firefox: nothing read in a private window is
remembered; a content script speaks for its own tab and page only, whatever its messages say."""
from __future__ import annotations

import pytest

from tests.bridge.harness import daemon_info, get_json

from .harness import MARKS_JS, analysis_done, assert_marks_match, painted, wait_for

pytestmark = pytest.mark.browser


def remembered_sites(home) -> list:
    return get_json(daemon_info(home), home, "/v1/sites")["sites"]


def test_a_policy_read_in_an_incognito_window_is_painted_and_not_remembered(launch_chromium, page_server, bridge_home):
    browser = launch_chromium()
    browser.allow_in_incognito()  # as the reader would, on chrome://extensions
    url = f"{page_server}/policy.html"
    browser.open_incognito(url)
    state = browser.wait_state(url, painted, "the policy in the incognito window to be painted")
    assert state["status"] == "done" and state["kind"] == "privacy_policy" and state["highlights"], state.get("error")
    assert state["painted"]["highlights"] > 0 and state["changes"] is None
    assert remembered_sites(bridge_home) == []


def test_a_policy_read_in_a_private_window_is_painted_and_not_remembered_in_firefox(launch_firefox, page_server,
                                                                                    bridge_home):
    browser = launch_firefox(private=True)  # every window private; the add-on allowed there
    url = f"{page_server}/policy.html"
    _, state = browser.open_until(url, what="the policy in the private window to be painted")
    assert state["kind"] == "privacy_policy" and state["changes"] is None
    assert_marks_match(browser.evaluate(MARKS_JS), state["highlights"])
    assert remembered_sites(bridge_home) == []


# ---- a content script's messages: its tab and its address are the browser's ---------------------------------------

def in_content_script(page, expression: str):
    """Evaluate `expression` (a promise) in the extension's content-script world of `page` (Chromium's isolated world,
    reached through the DevTools protocol), as a page that took over its renderer could."""
    session = page.context.new_cdp_session(page)
    contexts = []
    session.on("Runtime.executionContextCreated", lambda event: contexts.append(event["context"]))
    try:
        session.send("Runtime.enable")
        world = wait_for(lambda: next((c for c in contexts if c.get("auxData", {}).get("type") == "isolated"
                                       and c.get("name") == "smallprint"), None), 5, what="the content script's world")
        result = session.send("Runtime.evaluate", {"expression": expression, "contextId": world["id"],
                                                   "awaitPromise": True, "returnByValue": True})
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")
    finally:
        session.detach()


FORGED = "https://forged.example/privacy"


def test_a_content_script_cannot_speak_for_another_tab_or_address(launch_chromium, page_server, bridge_home):
    browser = launch_chromium()
    news_url = f"{page_server}/news.html"
    news = browser.open(news_url)
    news_state = browser.wait_state(news_url, lambda s: analysis_done(s) and s.get("depth") == "full",
                                    "news.html to be read in full")
    victim = browser.message({"type": "find-tab", "url": news_url})["tabId"]
    url = f"{page_server}/policy.html"
    page, _ = browser.open_until(url, what="the policy page to be painted")
    own = browser.message({"type": "find-tab", "url": url})["tabId"]
    blocks = [{"id": "b0", "text": "Privacy Policy", "tag": "h1"},
              {"id": "b1", "text": "We may sell your personal information to data brokers.", "tag": "p"}]
    forged = in_content_script(page, f"""(async () => {{
      const send = m => chrome.runtime.sendMessage(m);
      return {{
        page: await send({{type: 'page', tabId: {victim}, url: {FORGED!r}, title: 'forged', auto: true}}),
        analyze: await send({{type: 'analyze', tabId: {victim}, reason: 'manual', depth: 'full',
                             page: {{url: {FORGED!r}, title: 'forged', visitId: 'v', blocks: {blocks!r}}}}}),
        getState: await send({{type: 'get-state', tabId: {victim}}}),
        findTab: await send({{type: 'find-tab', url: {news_url!r}}}),
      }};
    }})()""")
    # an address on another origin than the frame's: refused outright; questions only extension pages ask: refused
    assert all(reply == {"ok": False, "error": {"code": "refused", "message": "not a message this sender may send"}}
               for reply in forged.values()), forged
    # the other tab kept its own state; the daemon heard nothing of the forged address
    after = browser.message({"type": "get-state", "tabId": victim})["state"]
    assert after["url"] == news_url and after["analysedAt"] == news_state["analysedAt"], after
    assert all("forged" not in site["site"] for site in remembered_sites(bridge_home))

    # A tab id of another tab, with the frame's own address: it is the sender's own tab that is written.
    reply = in_content_script(page, f"""chrome.runtime.sendMessage({{type: 'skipped', tabId: {victim},
      url: location.href, reason: 'forged'}})""")
    assert reply == {"ok": True}, reply
    assert browser.message({"type": "get-state", "tabId": victim})["state"]["status"] == "done"
    assert browser.message({"type": "get-state", "tabId": own})["state"]["reason"] == "forged"
    news.close()


@pytest.mark.parametrize("name", ["chromium", "firefox"])
def test_a_page_of_a_single_page_app_is_still_read_under_its_own_address(name, request, page_server):
    """The browser's sender.url is the document's address at load, in both browsers: after history.pushState the
    address within that origin is the content script's, or an app's pages would be refused or misnamed."""
    browser = request.getfixturevalue(f"launch_{name}")()
    home = f"{page_server}/spa.html"
    if name == "chromium":
        page = browser.open(home)
        click = lambda: page.click("#to-privacy")  # noqa: E731
    else:
        browser.open(home)
        click = lambda: browser.driver.find_element("css selector", "#to-privacy").click()  # noqa: E731
    assert browser.wait_state(home, analysis_done, "the app's home page to be analysed")["kind"] == "other"
    click()
    privacy = f"{page_server}/spa.html?page=privacy"
    state = browser.wait_state(privacy, painted, "the app's privacy page to be painted")
    assert state["status"] == "done" and state["kind"] == "privacy_policy" and state["url"] == privacy, state
