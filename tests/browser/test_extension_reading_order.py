"""Answers may come in another order than they were asked in (a slow reading, a re-send, the bridge's `busy`): the
background's state (what the popup and the badge show) is the full reading's once it came, a quick answer of the
same text that comes after it does not put the rules' reading back, and an older reading's answer never replaces
a newer one's."""
from __future__ import annotations

import pytest

from .test_extension_limits import SEND_JS, page_seen_not_analysed

pytestmark = pytest.mark.browser

POLICY = ("We may sell your personal information to data brokers. We use your photos to train our artificial "
          "intelligence models. You can delete your account at any time.")


def test_a_quick_answer_after_the_full_one_leaves_the_full_reading_shown(launch_chromium, page_server):
    # A bridge that takes one request at a time: of the two sent at once, the full reading (sent first) is taken,
    # the quick one is answered `busy` and sent again after a short wait (background.js BUSY_RETRY_MS), by when the
    # full one has been answered: the quick answer comes second.
    browser, url, send, analyze = page_seen_not_analysed(launch_chromium, page_server,
                                                         SMALLPRINT_BRIDGE_MAX_IN_FLIGHT="1")
    visit = {"visitId": browser.state(url)["visitId"]}  # the page load the content script reads in
    [warm] = send(SEND_JS, [{**analyze("We collect your email address.", **visit), "depth": "full"}])
    assert warm["ok"] is True, warm  # the daemon started and its reader loaded: a full reading is now fast
    full, quick = {**analyze(POLICY, **visit), "depth": "full"}, analyze(POLICY, **visit)
    replies = send(SEND_JS, [full, quick])
    assert [r["ok"] for r in replies] == [True, True], replies
    assert [r["analysis"]["depth"] for r in replies] == ["full", "quick"]
    state = browser.state(url)
    assert state["status"] == "done" and state["depth"] == "full", state
    assert {"ai_training", "sale_of_data"} <= {h["practice"] for h in state["highlights"]}


def test_an_answer_to_an_older_reading_of_the_page_does_not_replace_a_newer_one(launch_chromium, page_server):
    """The page changed (or the reader asked again) while a reading was under way: content.js drops the older
    answer, and the background keeps the newer reading's state for the popup and the badge. Here the newer reading
    (2) is taken first and the older one (1) comes after it, as a slow full reading of the old text would."""
    browser, url, send, analyze = page_seen_not_analysed(launch_chromium, page_server,
                                                         SMALLPRINT_BRIDGE_MAX_IN_FLIGHT="1")
    visit = {"visitId": browser.state(url)["visitId"]}
    [warm] = send(SEND_JS, [{**analyze("We collect your email address.", **visit), "depth": "full"}])
    assert warm["ok"] is True, warm
    newer = analyze(POLICY, reading=2, **visit)
    older = {**analyze("We collect your postal address to ship your orders.", reading=1, **visit), "depth": "full"}
    replies = send(SEND_JS, [newer, older])
    assert [r["ok"] for r in replies] == [True, True], replies
    state = browser.state(url)
    assert state["status"] == "done" and state["reading"] == 2 and state["depth"] == "quick", state
    assert state["contentHash"] == replies[0]["analysis"]["content_hash"]
