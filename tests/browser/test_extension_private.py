"""What the security review asked of the extension, in Chromium and in Firefox: nothing read in a private window is
remembered."""
from __future__ import annotations

import pytest

from tests.bridge.harness import daemon_info, get_json

from .harness import MARKS_JS, assert_marks_match, painted

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
