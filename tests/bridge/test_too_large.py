"""A page too big for the daemon reaches the extension as `too_large` (PROTOCOL.md §6, 16), not `bad_request`: over
real native-messaging pipes, through a real daemon on loopback, for each of the daemon's size limits."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # each test runs a real daemon

from .harness import BridgeProcess


@pytest.fixture
def bridge(env):
    process = BridgeProcess(env)
    yield process
    process.kill()


def analyze(blocks: list[dict]) -> dict:
    return {"id": "big", "type": "analyze", "blocks": blocks, "url": "http://127.0.0.1/privacy", "title": "Big"}


def assert_too_large(reply: dict, http_status: int, daemon_code: str, limit: str) -> None:
    assert reply["type"] == "error" and reply["id"] == "big", reply
    assert (reply["code"], reply["number"]) == ("too_large", 16), reply
    assert reply["detail"] == {"http_status": http_status, "daemon_code": daemon_code}, reply
    assert limit in reply["message"], reply


def test_text_over_the_engines_character_limit_is_too_large(bridge, running_daemon):
    # 2,100,000 characters: under the daemon's body limits, so the engine itself refuses it (422 input_too_large)
    blocks = [{"id": f"b{i}", "text": "We collect your email address. " * 22_581, "tag": "p"} for i in range(3)]
    assert sum(len(b["text"]) for b in blocks) > 2_000_000
    assert_too_large(bridge.request(analyze(blocks)), 422, "input_too_large", "2,000,000 characters")
    # the daemon still reads a page of ordinary size afterwards
    assert bridge.request(analyze([{"id": "b0", "text": "We sell your data."}]))["type"] == "analysis"


def test_more_blocks_than_the_engine_reads_is_too_large(bridge, running_daemon):
    # 200,001 blocks: their JSON holds more than 4,000,000 characters, refused before parsing (413 payload_too_large),
    # the message naming both limits
    blocks = [{"id": str(i), "text": "a"} for i in range(200_001)]
    assert_too_large(bridge.request(analyze(blocks)), 413, "payload_too_large", "4,000,000 a request may hold")


def test_a_body_over_the_daemons_max_body_bytes_is_too_large(env, home):
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text("max_body_bytes = 65536\n")
    bridge = BridgeProcess(env)  # starts its own daemon, which reads this config
    try:
        blocks = [{"id": "b0", "text": "We collect your email address. " * 4_000}]  # 124,000 characters
        assert_too_large(bridge.request(analyze(blocks)), 413, "payload_too_large", "65536 bytes")
    finally:
        bridge.kill()
