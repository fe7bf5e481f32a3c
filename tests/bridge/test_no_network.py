"""Nothing leaves the machine on the extension's path either: the bridge, over real pipes as the browser drives it,
the daemon it starts itself and that daemon's workers bind and connect on loopback only, through an analysis that
is remembered, the changes since the last visit, `status`, and both kinds of `forget`.

Every Python process gets the audit hook of tests/network_guard.py (socket.bind, connect, sendto, getaddrinfo):
a non-loopback call is recorded and refused."""
from __future__ import annotations

import time

import pytest

from tests.network_guard import calls, guarded_env

from .harness import BridgeProcess
from .test_daemon_bridge import POLICY_BLOCKS

pytestmark = pytest.mark.slow  # a real daemon, started by the bridge


def test_the_bridge_and_the_daemon_it_starts_stay_on_loopback(tmp_path, env):
    guard, log = guarded_env(tmp_path)
    bridge = BridgeProcess({**env, **guard})
    try:
        assert bridge.request({"id": "p", "type": "ping"})["type"] == "pong"
        for n in (1, 2):
            reply = bridge.request({"id": f"a{n}", "type": "analyze", "blocks": POLICY_BLOCKS[:n + 1],
                                    "url": "https://www.notes.example/privacy", "title": "Privacy",
                                    "visit_id": f"visit-{n}"}, timeout=120)
            assert reply["type"] == "analysis" and reply["analysis"]["history"]["recorded"], reply
        assert bridge.request({"id": "s", "type": "status"})["type"] == "status"
        assert bridge.request({"id": "f1", "type": "forget", "site": "notes.example"})["type"] == "forgotten"
        assert bridge.request({"id": "f2", "type": "forget", "all": True})["type"] == "forgotten"
        time.sleep(2)  # the daemon's background start (worker warm-up, token refresh) runs too
        assert bridge.close() == 0, bridge.stderr
    finally:
        bridge.kill()
    seen = calls(log)
    assert [c for c in seen if not c["allowed"]] == []
    # the hook was live in the bridge and in the daemon it started: the daemon bound, the bridge connected
    assert {c["event"] for c in seen} >= {"socket.bind", "socket.connect"}
    assert len({c["pid"] for c in seen}) >= 2
