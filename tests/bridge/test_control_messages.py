"""`ping`, `status` and `forget` next to long analyses, over real pipes, in front of a stand-in daemon
(stand_in_daemon.py) whose analyses take as long as a test needs: `ping` is answered at once, `status` and `forget`
have workers of their own (PROTOCOL.md §2); and what `status` and a `forget` that timed out say (§3)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from smallprint_bridge.errors import HINTS

from .harness import BridgeProcess, bridge_env

STAND_IN = Path(__file__).with_name("stand_in_daemon.py")
NO_DAEMON_COMMAND = "/bin/false"  # the bridge must use the stand-in, never start one


@pytest.fixture
def stand_in(home):
    """Starts the stand-in daemon under `home` with the delays a test asks for (indirect parameters)."""
    started = []

    def start(**delays: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, str(STAND_IN)], env=bridge_env(home, **delays),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        started.append(process)
        assert process.stdout.readline().strip().isdigit(), "the stand-in daemon did not start"
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()
        process.stdout.close()


def _analyze(request_id: str) -> dict:
    return {"id": request_id, "type": "analyze", "blocks": [{"id": "b0", "text": f"page {request_id}"}]}


def test_ping_status_and_forget_do_not_wait_behind_four_slow_analyses(home, stand_in):
    delay = 6.0
    stand_in(ANALYZE_DELAY=str(delay))
    bridge = BridgeProcess(bridge_env(home, SMALLPRINT_DAEMON_COMMAND=NO_DAEMON_COMMAND))
    try:
        started = time.monotonic()
        for i in range(5):  # four on the analysis workers, one waiting for them
            bridge.send(_analyze(f"a{i}"))
        time.sleep(0.5)
        bridge.send({"id": "p", "type": "ping"})
        bridge.send({"id": "s", "type": "status"})
        bridge.send({"id": "f", "type": "forget", "site": "example.com"})
        first = [bridge.next_reply(timeout=30) for _ in range(3)]
        answered = time.monotonic() - started
        assert first[0]["id"] == "p" and first[0]["type"] == "pong", first  # at once, before the other two
        assert {r["id"]: r["type"] for r in first} == {"p": "pong", "s": "status", "f": "forgotten"}, first
        assert answered < delay - 1, f"answered after {answered:.1f} s: behind the analyses"
        analyses = sorted((bridge.next_reply(timeout=60) for _ in range(5)), key=lambda r: r["id"])
        assert [(r["id"], r["type"]) for r in analyses] == [(f"a{i}", "analysis") for i in range(5)], analyses
        assert bridge.close() == 0, bridge.stderr
        assert bridge.stray_stdout == b"" and bridge.bad_json == []
    finally:
        bridge.kill()


def test_status_always_carries_idle_exit_minutes_and_holds_token(home, stand_in):
    bridge = BridgeProcess(bridge_env(home, SMALLPRINT_DAEMON_COMMAND=NO_DAEMON_COMMAND))
    try:
        none = bridge.request({"id": 1, "type": "status"})["daemon"]
        assert none == {"running": False, "host": None, "port": None, "pid": None, "version": None, "started": None,
                        "idle_exit_minutes": None, "holds_token": None}, none
        process = stand_in()
        running = bridge.request({"id": 2, "type": "status"})["daemon"]
        assert running["running"] is True and running["holds_token"] is True, running
        assert running["pid"] == process.pid and running["version"] == "stand-in", running
        assert running["idle_exit_minutes"] == 30, running
        assert bridge.close() == 0, bridge.stderr
    finally:
        bridge.kill()


def test_a_forget_that_times_out_gets_a_hint_of_its_own(home, stand_in):
    stand_in(ANALYZE_DELAY="5", FORGET_DELAY="5")
    bridge = BridgeProcess(bridge_env(home, SMALLPRINT_DAEMON_COMMAND=NO_DAEMON_COMMAND,
                                      SMALLPRINT_BRIDGE_REQUEST_TIMEOUT="1"))
    try:
        forget = bridge.request({"id": "f", "type": "forget", "all": True}, timeout=30)
        assert forget["type"] == "error" and forget["code"] == "timeout" and forget["number"] == 9, forget
        assert "forgetting" in forget["message"], forget
        assert forget["hint"] != HINTS["timeout"] and "long" not in forget["hint"], forget
        assert "forget" in forget["hint"], forget
        analysis = bridge.request(_analyze("a"), timeout=30)
        assert analysis["code"] == "timeout" and analysis["hint"] == HINTS["timeout"], analysis
        assert bridge.close() == 0, bridge.stderr
    finally:
        bridge.kill()
