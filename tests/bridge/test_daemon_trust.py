"""Over real pipes, in front of real daemons: a daemon that runs but reads another token store than the bridge is
said to be one (`unauthorized` at once, `status` running), not taken for "no daemon" and waited for until the start
timeout; a start whose process exits fails at once; and a second quick `smallprint token --rotate` is no refusal."""
from __future__ import annotations

import os
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from .conftest import DAEMON_COMMAND, START_TIMEOUT
from .harness import BridgeProcess, bridge_env, daemon_info, kill_and_wait
from .test_daemon_bridge import analyze_request

pytestmark = pytest.mark.slow  # real daemons

# Well under the start timeout the bridge is given below: the old bridge waited all of it, request after request.
QUICKLY = 8.0


def _daemon_reading_another_store(home, tmp_path) -> subprocess.Popen:
    """A real `smallprint serve` whose token lives in a (plaintext, test-only) keyring, while the bridge under the
    same SMALLPRINT_HOME uses the 0600 file: a daemon started where the desktop keyring works, a browser whose
    bridge has none."""
    keyring_home = tmp_path / "keyring-home"
    env = bridge_env(home, PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring", HOME=str(keyring_home),
                     XDG_DATA_HOME=str(keyring_home / "data"))
    process = subprocess.Popen(shlex.split(DAEMON_COMMAND), env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    while daemon_info(home) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the daemon reading the keyring did not start")
        time.sleep(0.05)
    return process


def test_a_daemon_that_does_not_hold_the_bridges_token_is_said_to_run_and_refuse(env, home, tmp_path):
    daemon = _daemon_reading_another_store(home, tmp_path)
    pid = daemon_info(home)["pid"]
    bridge = BridgeProcess({**env, "SMALLPRINT_BRIDGE_START_TIMEOUT": "20"})
    try:
        started = time.monotonic()
        for i in range(3):  # three tabs at once: none waits for the others' start timeouts
            bridge.send(analyze_request(f"tab-{i}"))
        replies = sorted((bridge.next_reply(timeout=90) for _ in range(3)), key=lambda r: r["id"])
        elapsed = time.monotonic() - started
        assert [r["id"] for r in replies] == ["tab-0", "tab-1", "tab-2"]
        for reply in replies:
            assert reply["type"] == "error" and reply["code"] == "unauthorized" and reply["number"] == 11, reply
            assert "does not hold this bridge's API token" in reply["message"], reply
            assert f"pid {pid}" in reply["message"] and "`smallprint stop`" in reply["message"], reply
            assert "smallprint stop" in reply["hint"] and "smallprint serve" not in reply["hint"], reply
            assert reply["detail"]["daemon_pid"] == pid and reply["detail"]["token_store"].startswith("file:")
        assert elapsed < QUICKLY, f"{elapsed:.1f} s for three refusals"

        status = bridge.request({"id": "s", "type": "status"})["daemon"]
        assert status["running"] is True and status["holds_token"] is False, status
        assert status["pid"] == pid and status["version"] is None, status
        assert status["idle_exit_minutes"] is None, status  # started without --idle-exit

        # What the message says to do: stopped, the next page starts a daemon with the bridge's own token.
        kill_and_wait(pid)
        daemon.wait(timeout=15)
        reply = bridge.request(analyze_request("after-stop"), timeout=90)
        assert reply["type"] == "analysis", reply
        own = daemon_info(home)
        assert own is not None and own["pid"] != pid
        status = bridge.request({"id": "s2", "type": "status"})["daemon"]
        assert status["running"] is True and status["holds_token"] is True and status["pid"] == own["pid"]
        assert bridge.close() == 0, bridge.stderr
    finally:
        bridge.kill()
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()


def test_a_start_whose_process_exits_fails_at_once_though_the_runtime_file_names_a_live_pid(home, tmp_path):
    # A runtime file naming a live process (not a daemon: nothing listens on its port), and a daemon command that
    # exits at once: the start has failed, whatever the file says; no need to wait for the start timeout.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (home / "run").mkdir(parents=True)
        with socket.socket() as probe:  # a loopback port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        (home / "run" / "daemon.json").write_text(
            f'{{"pid": {sleeper.pid}, "host": "127.0.0.1", "port": {port}, "version": "0.1.0", '
            '"started": "2024-01-01T00:00:00+00:00"}')
        failing = shlex.join([sys.executable, "-c", "import sys; sys.stderr.write('cannot start here\\n'); sys.exit(3)"])
        bridge = BridgeProcess(bridge_env(home, SMALLPRINT_DAEMON_COMMAND=failing, SMALLPRINT_BRIDGE_START_TIMEOUT="20"))
        try:
            started = time.monotonic()
            reply = bridge.request(analyze_request("a"), timeout=60)
            elapsed = time.monotonic() - started
            assert reply["type"] == "error" and reply["code"] == "daemon_start_failed", reply
            assert "status 3" in reply["message"] and "cannot start here" in reply["message"], reply
            assert reply["detail"] == {"exit_status": 3}
            assert elapsed < QUICKLY, f"{elapsed:.1f} s"
            assert bridge.close() == 0, bridge.stderr
        finally:
            bridge.kill()
    finally:
        sleeper.kill()
        sleeper.wait()


def _rotate(home) -> None:
    """What `smallprint token --rotate` does to the file store (auth._write_file_token): a new token, atomically."""
    target = home / "config" / "token"
    fd, tmp = tempfile.mkstemp(prefix=".token-", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)


def test_a_second_quick_rotation_is_not_refused(env, home, running_daemon):
    """The daemon reads its store again for a token it does not know at most every MIN_RELOAD_SECONDS: after one
    rotation has made it read it, a second one a moment later gets a 401 first, and the bridge's one retry must come
    after that interval, not at once."""
    bridge = BridgeProcess(env)
    try:
        for round_ in range(2):
            # a fresh proof, so the bridge goes straight to the request (and the daemon reads the store for it)
            assert bridge.request({"id": f"s{round_}", "type": "status"})["daemon"]["running"] is True
            _rotate(home)
            first = bridge.request({"id": f"f{round_}a", "type": "forget", "site": "example.com"})
            assert first["type"] == "forgotten", first
            _rotate(home)  # within a second of the daemon reading the store for the first one
            second = bridge.request({"id": f"f{round_}b", "type": "forget", "site": "example.com"})
            assert second["type"] == "forgotten", second
        assert bridge.close() == 0, bridge.stderr
    finally:
        bridge.kill()
