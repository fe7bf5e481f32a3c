"""`forget` over real pipes to the real bridge, in front of a real daemon on loopback: the reader forgets a site, or
everything, from the browser (PROTOCOL.md §3), and a request that does not say exactly what to forget is refused."""
from __future__ import annotations

import pytest

from .harness import BridgeProcess, daemon_info, get_json
from .test_daemon_bridge import POLICY_BLOCKS

pytestmark = pytest.mark.slow  # real daemons


@pytest.fixture
def bridge(env):
    process = BridgeProcess(env)
    yield process
    process.kill()


def remember(bridge: BridgeProcess, url: str) -> None:
    reply = bridge.request({"id": f"read {url}", "type": "analyze", "blocks": POLICY_BLOCKS, "url": url})
    assert reply["type"] == "analysis" and reply["analysis"]["history"]["recorded"], reply


def remembered(info: dict, home) -> dict[str, int]:
    return {site["site"]: site["versions"] for site in get_json(info, home, "/v1/sites")["sites"]}


def assert_clean_end(bridge: BridgeProcess) -> None:
    assert bridge.close() == 0, bridge.stderr
    assert bridge.stray_stdout == b"" and bridge.bad_json == [], "stdout carried something that is not a frame"


def test_a_site_then_everything_is_forgotten(bridge, running_daemon, home):
    for url in ("http://127.0.0.1/privacy", "https://www.notes.example/privacy", "https://other.example/privacy"):
        remember(bridge, url)
    assert remembered(running_daemon, home) == {"127.0.0.1": 1, "notes.example": 1, "other.example": 1}

    reply = bridge.request({"id": "f1", "type": "forget", "site": "127.0.0.1"})
    assert reply == {"id": "f1", "type": "forgotten", "site": "127.0.0.1", "deleted_versions": 1,
                     "memory_forgotten": True, "forgotten_analyses": 3}, reply
    assert remembered(running_daemon, home) == {"notes.example": 1, "other.example": 1}
    # what the extension has at hand, a host or a page's address, names its site: the daemon reduces it
    by_address = bridge.request({"id": 2, "type": "forget", "site": "https://www.notes.example/privacy?from=popup"})
    assert by_address["type"] == "forgotten" and by_address["site"] == "notes.example", by_address
    assert by_address["deleted_versions"] == 1 and by_address["forgotten_analyses"] == 0
    again = bridge.request({"id": "f3", "type": "forget", "site": "notes.example"})
    assert again["type"] == "forgotten" and again["deleted_versions"] == 0, again  # nothing left: not an error
    assert remembered(running_daemon, home) == {"other.example": 1}

    everything = bridge.request({"id": "f4", "type": "forget", "all": True})
    assert everything == {"id": "f4", "type": "forgotten", "all": True, "deleted_sites": 1, "deleted_versions": 1,
                          "memory_forgotten": True, "forgotten_analyses": 0}, everything
    assert remembered(running_daemon, home) == {}
    assert daemon_info(home)["pid"] == running_daemon["pid"], "the bridge must use the running daemon"
    assert_clean_end(bridge)


def test_forget_starts_the_daemon_when_none_runs(bridge, home):
    """The store is the daemon's: with no daemon running, `forget` starts one as `analyze` does."""
    assert daemon_info(home) is None
    reply = bridge.request({"id": "f", "type": "forget", "all": True})
    assert reply["type"] == "forgotten" and reply["deleted_sites"] == reply["deleted_versions"] == 0, reply
    assert daemon_info(home) is not None, "no daemon was started"
    assert_clean_end(bridge)


@pytest.mark.parametrize("fields", [
    {"site": "example.com", "all": True},  # both
    {},  # neither
    {"all": False}, {"all": "true"}, {"all": 1}, {"all": None},
    {"site": 5}, {"site": ""}, {"site": "   "}, {"site": None}, {"site": ["example.com"]}, {"site": {"a": 1}},
    {"site": "example.com", "all": False},
    {"site": "a" * 2049},
], ids=lambda fields: repr(fields)[:40])
def test_a_forget_that_does_not_say_exactly_what_to_forget_is_refused(bridge, home, fields):
    reply = bridge.request({"id": "bad", "type": "forget", **fields})
    assert reply["type"] == "error" and reply["code"] == "bad_request" and reply["number"] == 4, reply
    assert reply["id"] == "bad" and "Traceback" not in reply["message"]
    assert daemon_info(home) is None, "a refused request must not start a daemon"
    assert_clean_end(bridge)


@pytest.mark.parametrize("site", ["exa mple.com", "a<b>", "\ud800"])
def test_a_name_that_is_no_site_is_not_a_site(bridge, running_daemon, home, site):
    remember(bridge, "https://other.example/privacy")
    reply = bridge.request({"id": "n", "type": "forget", "site": site})
    assert reply["type"] == "error" and reply["code"] == "not_a_site" and reply["number"] == 13, reply
    assert reply["detail"] == {"http_status": 404, "daemon_code": "not_found"}
    assert remembered(running_daemon, home) == {"other.example": 1}  # nothing else was touched
    assert_clean_end(bridge)


def test_history_turned_off_is_said_and_the_memory_is_forgotten_all_the_same(env, home):
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[history]\nenabled = false\n", encoding="utf-8")
    bridge = BridgeProcess(env)
    try:
        for fields in ({"all": True}, {"site": "example.com"}):
            reply = bridge.request({"id": "h", "type": "forget", **fields})
            assert reply["type"] == "error" and reply["code"] == "history_unavailable" and reply["number"] == 14, reply
            assert "turned off" in reply["message"] and "memory of recent readings was forgotten" in reply["message"]
            assert reply["hint"] and reply["detail"] == {"http_status": 503, "daemon_code": "history_unavailable"}
        assert_clean_end(bridge)
    finally:
        bridge.kill()


def test_every_error_code_is_in_protocol_md_with_its_number():
    """The extension branches on the code and its number: both stay as PROTOCOL.md §6 lists them."""
    import re
    from pathlib import Path

    from smallprint_bridge.errors import ERROR_NUMBERS

    protocol = (Path(__file__).resolve().parents[2] / "extension-bridge" / "PROTOCOL.md").read_text(encoding="utf-8")
    table = dict((code, int(number)) for number, code in re.findall(r"^\| (\d+) \| `(\w+)` \|", protocol, re.M))
    assert table == ERROR_NUMBERS
    assert "### `forget` → `forgotten`" in protocol
