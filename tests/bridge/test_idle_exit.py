"""A daemon the browser's bridge started (`serve --idle-exit MINUTES`) goes away some time after the browser has:
once MINUTES pass with no request and no bridge running, it stops as `smallprint stop` would (runtime file
removed, history kept), never in the middle of a request; a bridge that comes back starts another. A daemon started
by hand runs on. Real daemons on loopback, a real bridge, an idle limit of seconds."""
from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import DAEMON_COMMAND, START_TIMEOUT
from .harness import BridgeProcess, bridge_env, daemon_info, get_json, kill_and_wait
from .test_daemon_bridge import POLICY_BLOCKS, analyze_request

IDLE_MINUTES = 0.05  # 3 s
IDLE_SECONDS = IDLE_MINUTES * 60
# The daemon looks every tenth of its limit (at least 0.2 s) and then finishes its requests: leeway for a busy CPU.
EXIT_WITHIN = IDLE_SECONDS + 15.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by whoever adopted it) has gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def wait_for_exit(pid: int, within: float) -> float:
    """Seconds until `pid` exited; fails after `within`."""
    start = time.monotonic()
    while alive(pid):
        reap(pid)
        assert time.monotonic() - start < within, f"the daemon (pid {pid}) did not exit within {within:g} s"
        time.sleep(0.1)
    return time.monotonic() - start


def start_daemon(env: dict, home: Path, *extra: str) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen([*shlex.split(DAEMON_COMMAND), *extra], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    while (info := daemon_info(home)) is None:
        assert process.poll() is None, f"smallprint serve exited with {process.returncode}"
        assert time.monotonic() < deadline, "smallprint serve did not become healthy"
        time.sleep(0.05)
    return process, info


def daemon_log(home: Path) -> str:
    return (home / "logs" / "daemon.log").read_text(encoding="utf-8")


@pytest.fixture
def idle_env(home):
    return bridge_env(home, SMALLPRINT_DAEMON_COMMAND=f"{DAEMON_COMMAND} --idle-exit {IDLE_MINUTES}",
                      SMALLPRINT_BRIDGE_START_TIMEOUT=str(START_TIMEOUT))


def test_a_daemon_the_bridge_started_stays_while_a_bridge_runs_and_goes_once_none_has_for_a_while(idle_env, home):
    bridge = BridgeProcess(idle_env)
    try:
        assert bridge.request(analyze_request("first"))["type"] == "analysis"
        first = daemon_info(home)
        time.sleep(2 * IDLE_SECONDS + 1)  # no request, but the browser's bridge is still there
        assert alive(first["pid"]) and daemon_info(home) == first, "it stopped while a bridge ran"
        assert bridge.close() == 0  # the browser closed its port
    finally:
        bridge.kill()
    took = wait_for_exit(first["pid"], EXIT_WITHIN)
    assert took >= IDLE_SECONDS - 0.5, f"it stopped {took:.1f} s after the bridge went, before its limit"
    assert not (home / "run" / "daemon.json").exists(), "the runtime file is removed"
    log = daemon_log(home)
    assert "no request and no browser for 3 s: stopping" in log and log.rstrip().endswith("stopped"), log[-2000:]

    again = BridgeProcess(idle_env)  # the browser opens again
    try:
        assert again.request({"id": "p", "type": "ping"})["type"] == "pong"
        reply = again.request(analyze_request("second"))
        assert reply["type"] == "analysis", reply
        second = daemon_info(home)
        assert second["pid"] != first["pid"], "a new daemon serves the returning bridge"
        sites = get_json(second, home, "/v1/sites")["sites"]
        assert any(site["site"] == "127.0.0.1" for site in sites), f"the first reading was kept: {sites}"
        assert again.close() == 0
    finally:
        again.kill()
    wait_for_exit(second["pid"], EXIT_WITHIN)


def test_requests_keep_an_idle_exiting_daemon_running_even_one_slower_than_its_limit(idle_env, home):
    process, info = start_daemon(idle_env, home, "--idle-exit", str(IDLE_MINUTES))
    try:
        opener_end = time.monotonic() + 2 * IDLE_SECONDS + 1
        while time.monotonic() < opener_end:  # a request a second, no bridge
            assert daemon_info(home) == info, "it stopped while requests kept coming"
            time.sleep(1.0)
        # One request in flight for twice the limit: its body arrives slowly. The daemon must answer it.
        token = (home / "config" / "token").read_text().strip()
        body = json.dumps({"blocks": POLICY_BLOCKS, "url": "http://127.0.0.1/privacy"}).encode()
        head = (f"POST /v1/analyze HTTP/1.1\r\nHost: 127.0.0.1:{info['port']}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        with socket.create_connection((info["host"], info["port"]), timeout=60) as conn:
            conn.sendall(head.encode())
            pieces = 8
            step = -(-len(body) // pieces)
            for start in range(0, len(body), step):
                time.sleep(2 * IDLE_SECONDS / pieces)
                conn.sendall(body[start:start + step])
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b'"sentences"' in answer or b'"grade"' in answer, answer[-300:]
        took = wait_for_exit(process.pid, EXIT_WITHIN)  # and once nothing more comes, it goes
        assert took >= IDLE_SECONDS - 0.5
        assert process.wait(timeout=5) == 0
        assert not (home / "run" / "daemon.json").exists()
    finally:
        if process.poll() is None:
            kill_and_wait(process.pid)


def test_a_daemon_started_by_hand_runs_on_however_long_nothing_comes(env, home):
    process, info = start_daemon(env, home)  # `smallprint serve`, no --idle-exit
    try:
        time.sleep(2 * IDLE_SECONDS + 3)
        assert process.poll() is None and daemon_info(home) == info
        assert "--idle-exit" not in daemon_log(home)
    finally:
        kill_and_wait(process.pid)


def test_the_bridge_starts_its_daemons_to_exit_after_half_an_hour_idle():
    from smallprint_bridge.daemon_client import default_daemon_command

    command = default_daemon_command()
    assert command[command.index("--idle-exit") + 1] == "30"
