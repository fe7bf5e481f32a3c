"""The background's limits on what a content script may send (PROTOCOL.md section 9), driven from the extension's
own content-script world in Chromium (through the DevTools protocol), as a page that took over its renderer would:
an `analyze` over the daemon's input limit is refused with a clear error and never reaches the bridge, and a tab
gets at most four analyses in flight, the rest answered `busy` at once (and content.js's own analysis of the page's
latest version waits its turn rather than give up)."""
from __future__ import annotations

import re
import shlex
import sys

import pytest

from tests.history.test_change_reports import common_js
from tests.history.test_change_reports import node  # noqa: F401 (the fixture)

from .harness import content_script_world

pytestmark = pytest.mark.browser

NEVER_READY = shlex.join([sys.executable, "-c", "import time; time.sleep(120)"])

SEND_JS = """(messages) => Promise.all(messages.map(m => chrome.runtime.sendMessage(m)))"""


def page_seen_not_analysed(launch_chromium, page_server, **env):
    """A Chromium with the extension (`env` for its bridge), automatic analysis off, showing the test policy: the
    browser, the page's url, `send(js, arg)` in its content script's world, and `analyze(text, **page_fields)`,
    an analyze message for that page."""
    browser = launch_chromium(**env)
    browser.in_extension("() => chrome.storage.local.set({settings: {autoAnalyse: false}})")
    url = f"{page_server}/policy.html"
    page = browser.open(url)
    browser.wait_state(url, lambda s: s.get("status") == "off", "the page to be seen, not analysed")

    def analyze(text: str, **page_fields) -> dict:
        return {"type": "analyze", "reason": "auto", "depth": "quick",
                "page": {"url": url, "title": "t", "blocks": [{"id": "b0", "text": text, "tag": "p"}], **page_fields}}
    return browser, url, content_script_world(page, browser.extension_id), analyze


def test_a_content_script_cannot_send_oversized_pages_or_unbounded_analyses(launch_chromium, page_server):
    browser, url, send, analyze = page_seen_not_analysed(
        launch_chromium, page_server, SMALLPRINT_DAEMON_COMMAND=NEVER_READY, SMALLPRINT_BRIDGE_START_TIMEOUT="3")
    # one character over the daemon's 2,000,000, in one block or spread over many
    huge = [analyze("x" * 2_000_001),
            {**analyze(""), "page": {"url": url, "blocks": [{"id": f"b{i}", "text": "x" * 1001} for i in range(2000)]}},
            {**analyze(""), "page": {"url": url, "blocks": [{"id": f"b{i}", "text": ""} for i in range(200_001)]}},
            analyze("We may sell your data.", title="t" * 70_000)]
    for reply in send(SEND_JS, huge):
        assert reply["ok"] is False and reply["error"]["code"] == "too_large", reply
        assert reply["error"]["message"].startswith("The page is too large to analyse"), reply
    assert browser.state(url)["status"] == "off", "a refused page changed the tab's state"

    # eight at once while the daemon never becomes ready: four are taken (and fail later), four are refused at once
    replies = send(SEND_JS, [analyze(f"We may sell your data ({i}).") for i in range(8)])
    codes = sorted(r["error"]["code"] for r in replies)
    assert codes == ["busy"] * 4 + ["daemon_start_failed"] * 4, replies
    # once they are answered, the tab may ask again
    [again] = send(SEND_JS, [analyze("We may sell your data (again).")])
    assert again["error"]["code"] == "daemon_start_failed", again


def test_an_analysis_the_bridge_answers_busy_is_sent_once_more_after_a_short_wait(launch_chromium, page_server):
    """PROTOCOL.md section 6, `busy` (15): the bridge did nothing with the request, so the background sends it again
    once (background.js nativeRequestRetryingBusy). A bridge taking one request at a time, two analyses at once:
    both are answered."""
    _, _, send, analyze = page_seen_not_analysed(launch_chromium, page_server, SMALLPRINT_BRIDGE_MAX_IN_FLIGHT="1")
    [warm] = send(SEND_JS, [analyze("We may sell your data (warm-up).")])  # the daemon started: quick readings are fast
    assert warm["ok"] is True, warm
    replies = send(SEND_JS, [analyze(f"We may sell your data ({i}).") for i in range(2)])
    assert [r["ok"] for r in replies] == [True, True], replies


def test_the_latest_version_of_a_page_waits_its_turn_when_the_tab_s_analyses_are_all_taken(launch_chromium,
                                                                                           page_server):
    """A tab's analyses in flight may be older versions of its page (their answers are dropped), so content.js does
    not give the latest up when the background answers `busy`: it waits its turn. Here four requests hold the tab's
    share until the daemon's start times out (3 s); the reader's own analysis then goes ahead and gets that
    daemon's answer (it never starts), not `busy`."""
    browser, url, send, analyze = page_seen_not_analysed(
        launch_chromium, page_server, SMALLPRINT_DAEMON_COMMAND=NEVER_READY, SMALLPRINT_BRIDGE_START_TIMEOUT="3")
    held = [analyze(f"We may sell your data ({i}).") for i in range(4)]
    send("(messages) => { messages.forEach(m => chrome.runtime.sendMessage(m)); return true; }", held)
    tab = browser.message({"type": "find-tab", "url": url})["tabId"]
    reply = browser.in_extension("(tabId) => chrome.tabs.sendMessage(tabId, {type: 'analyse-now'})", tab)
    assert reply["ok"] is False and reply["error"]["code"] == "daemon_start_failed", reply


@pytest.mark.usefixtures("node")
def test_a_page_too_large_and_a_busy_bridge_each_get_their_own_words_not_the_generic_advice():
    """`too_large` and `busy` say what happened and what to do (wait; nothing to type), not "could not analyse this
    page, run smallprint status". too_large names no limit of its own: the one that refused the page may be lower
    than the defaults (the daemon's configured max_body_bytes, test_too_large.py), and the message shown below the
    help ("Details: …") names it."""
    helps = common_js("Object.fromEntries(['too_large', 'busy', 'no_such_code'].map((c) => [c, SP.errorHelp(c)]))")
    generic = helps.pop("no_such_code")
    for code, help_ in helps.items():
        assert help_["title"] != generic["title"] and "command" not in help_, (code, help_)
    too_large = helps["too_large"]
    assert "too large" in too_large["title"] and "nothing of it was read" in too_large["fix"]
    assert not re.search(r"\d", too_large["title"] + too_large["fix"]), too_large
    assert "the details below name it" in too_large["fix"]
    assert "too many pages at once" in helps["busy"]["title"] and "Wait a moment" in helps["busy"]["fix"]
