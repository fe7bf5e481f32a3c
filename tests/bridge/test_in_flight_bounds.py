"""The bridge holds a bounded number of requests (and bytes of them) in flight: past the bound a request is answered
`busy` at once (PROTOCOL.md §6), never queued without end. Over real pipes, with a daemon that never becomes ready,
so that the requests taken stay in flight while the others arrive."""
from __future__ import annotations

import shlex
import sys
import time

from .harness import BridgeProcess, bridge_env

NEVER_READY = shlex.join([sys.executable, "-c", "import time; time.sleep(60)"])


def _bridge(tmp_path, **extra: str) -> BridgeProcess:
    return BridgeProcess(bridge_env(tmp_path / "home", SMALLPRINT_DAEMON_COMMAND=NEVER_READY,
                                    SMALLPRINT_BRIDGE_START_TIMEOUT="3", **extra))


def _analyze(request_id: str, text: str = "We may sell your personal information.") -> dict:
    return {"id": request_id, "type": "analyze", "blocks": [{"id": "b0", "text": text, "tag": "p"}]}


def test_requests_past_the_in_flight_bound_are_answered_busy_at_once(tmp_path):
    bridge = _bridge(tmp_path, SMALLPRINT_BRIDGE_MAX_IN_FLIGHT="3")
    try:
        for i in range(3):
            bridge.send(_analyze(f"held-{i}"))
        time.sleep(0.5)  # the three are read and waiting for the daemon
        for i in range(5):
            bridge.send(_analyze(f"extra-{i}"))
        bridge.send({"id": "ping-while-busy", "type": "ping"})
        # answered before any of the three held ones (whose daemon start gives up after 3 s): refused, not queued
        busy = [bridge.next_reply(timeout=10) for _ in range(6)]
        assert [r["id"] for r in busy] == [f"extra-{i}" for i in range(5)] + ["ping-while-busy"], busy
        for reply in busy:
            assert reply["type"] == "error" and reply["code"] == "busy" and reply["number"] == 15, reply
            assert "at most 3" in reply["message"] and reply["hint"], reply
        held = sorted((bridge.next_reply(timeout=30) for _ in range(3)), key=lambda r: r["id"])
        assert [r["id"] for r in held] == ["held-0", "held-1", "held-2"]
        assert {r["code"] for r in held} == {"daemon_start_failed"}, held
        # once they are answered the bridge takes requests again
        assert bridge.request({"id": "after", "type": "ping"})["type"] == "pong"
        assert bridge.close() == 0, bridge.stderr
        assert bridge.stray_stdout == b"" and "Traceback" not in bridge.stderr
    finally:
        bridge.kill()


def test_frames_in_flight_are_bounded_in_bytes_too(tmp_path):
    """Together at most SMALLPRINT_BRIDGE_MAX_IN_FLIGHT_BYTES (64 MiB, lowered here): a second large frame while the
    first is in flight is `busy`; a lone frame within the frame limit is always taken."""
    bridge = _bridge(tmp_path, SMALLPRINT_BRIDGE_MAX_IN_FLIGHT_BYTES="4096")
    try:
        bridge.send(_analyze("big-0", "x" * 3000))
        time.sleep(0.5)
        bridge.send(_analyze("big-1", "x" * 3000))
        reply = bridge.next_reply(timeout=10)
        assert reply["id"] == "big-1" and reply["code"] == "busy", reply
        bridge.send({"id": "small", "type": "ping"})  # a small one still fits beside it
        assert bridge.next_reply(timeout=10)["type"] == "pong"
        first = bridge.next_reply(timeout=30)
        assert first["id"] == "big-0" and first["code"] == "daemon_start_failed", first
        bridge.send(_analyze("big-2", "x" * 3000))  # alone in flight now: taken
        again = bridge.next_reply(timeout=30)
        assert again["id"] == "big-2" and again["code"] == "daemon_start_failed", again
        assert bridge.close() == 0, bridge.stderr
    finally:
        bridge.kill()
