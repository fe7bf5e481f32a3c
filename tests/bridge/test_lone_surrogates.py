"""Finding 8 of issue 13: lone surrogates (which Firefox's JSON.stringify writes as "\\ud800" escapes for a page's
unpaired UTF-16 halves) get a reply through the real bridge pipes and a real daemon, never silence or `internal`."""
from __future__ import annotations

import json

import pytest

from .harness import LENGTH, BridgeProcess, bridge_env
from .test_daemon_bridge import POLICY_BLOCKS


def escaped_frame(message: dict) -> bytes:
    body = json.dumps(message, ensure_ascii=True).encode("ascii")  # lone surrogates as \\uXXXX escapes
    return LENGTH.pack(len(body)) + body


@pytest.fixture
def bridge(env):
    process = BridgeProcess(env)
    yield process
    process.kill()


@pytest.mark.parametrize("request_id", ["\ud800", "a\udfffb", "\ud83d"])
def test_a_ping_with_a_lone_surrogate_id_is_answered_with_that_id(tmp_path, request_id):
    bridge = BridgeProcess(bridge_env(tmp_path / "home"))
    try:
        bridge.send_raw(escaped_frame({"id": request_id, "type": "ping"}))
        reply = bridge.next_reply(timeout=15)
        assert reply["type"] == "pong" and reply["id"] == request_id
        assert bridge.request({"id": "next", "type": "ping"})["type"] == "pong"
        assert bridge.close() == 0 and "Traceback" not in bridge.stderr
        assert bridge.stray_stdout == b"" and bridge.bad_json == []
    finally:
        bridge.kill()


@pytest.mark.slow
def test_blocks_with_lone_surrogates_are_analysed_through_a_real_daemon(bridge, running_daemon):
    blocks = [dict(b) for b in POLICY_BLOCKS]
    blocks[2]["text"] = "We may use the content\ud800 you upload to train our artificial intelligence models.\udc00"
    blocks.append({"id": "b\udfff", "text": "\ud800", "tag": "p"})
    bridge.send_raw(escaped_frame({"id": "s1", "type": "analyze", "blocks": blocks,
                                   "url": "http://127.0.0.1/privacy", "title": "Privacy \ud800"}))
    reply = bridge.next_reply()
    assert reply["type"] == "analysis", reply
    analysis = reply["analysis"]
    assert [b["text"] for b in analysis["blocks"]] == [b["text"] for b in blocks]  # offsets refer to these
    assert "ai_training" in {h["practice"] for h in analysis["highlights"]}
    # A second visit (the policy memory read back what it stored) answers the same way.
    bridge.send_raw(escaped_frame({"id": "s2", "type": "analyze", "blocks": blocks,
                                   "url": "http://127.0.0.1/privacy"}))
    assert bridge.next_reply()["type"] == "analysis"
