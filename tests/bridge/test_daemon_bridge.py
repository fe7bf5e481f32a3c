"""The bridge in front of a real daemon on loopback: round trip, starting a daemon, restarts, failures."""
from __future__ import annotations

import json
import os
import shlex
import signal
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test runs a real daemon

from .harness import BridgeProcess, daemon_info, get_json, kill_and_wait, post_analyze, stop_daemon

# Written for this test (not from any real service).
POLICY_BLOCKS = [
    {"id": "b0", "text": "Privacy Policy of Example Notes", "tag": "h1"},
    {"id": "b1", "text": "We collect the notes you write, your email address and approximate location "
                         "derived from your IP address.", "tag": "p"},
    {"id": "b2", "text": "We may use the content you upload to train and improve our artificial intelligence "
                         "models.", "tag": "p"},
    {"id": "b3", "text": "We do not sell your personal information. You can request deletion of your account "
                         "and data at any time.", "tag": "p"},
    {"id": "b4", "text": "Café owners 😀 may share voice prints with us; we may collect biometric identifiers.",
     "tag": "li"},
]


def analyze_request(request_id: object = "a1") -> dict:
    return {"id": request_id, "type": "analyze", "blocks": POLICY_BLOCKS,
            "url": "http://127.0.0.1/privacy", "title": "Privacy Policy of Example Notes"}


def kill_the_daemon_mid_request(bridge: BridgeProcess, home) -> tuple[dict, dict]:
    """Warm up, freeze the daemon so the next request is certainly in flight, SIGKILL it, and return
    (the killed daemon's runtime info, the bridge's reply to that request)."""
    assert bridge.request(analyze_request("warm-up"))["type"] == "analysis"
    first = daemon_info(home)
    os.kill(first["pid"], signal.SIGSTOP)
    try:
        bridge.send(analyze_request("in-flight"))
        time.sleep(1.0)
    finally:
        kill_and_wait(first["pid"], sig=signal.SIGKILL)
    return first, bridge.next_reply()


@pytest.fixture
def bridge(env):
    process = BridgeProcess(env)
    yield process
    process.kill()


def test_analysis_round_trip_through_a_running_daemon(bridge, running_daemon, home):
    reply = bridge.request(analyze_request())
    assert reply["type"] == "analysis", reply
    analysis = reply["analysis"]
    assert [b["id"] for b in analysis["blocks"]] == [b["id"] for b in POLICY_BLOCKS]
    assert analysis["url"] == "http://127.0.0.1/privacy"
    direct = post_analyze(running_daemon, home, {"blocks": POLICY_BLOCKS, "url": "http://127.0.0.1/privacy",
                                                 "title": "Privacy Policy of Example Notes"})
    for key in ("kind", "grade", "highlights", "practices", "content_hash"):
        assert analysis[key] == direct[key], key
    assert daemon_info(home)["pid"] == running_daemon["pid"], "the bridge must use the running daemon"
    assert bridge.close() == 0
    assert bridge.stray_stdout == b"" and bridge.bad_json == []


def test_the_extension_can_ask_for_the_quick_reading_first(bridge, running_daemon):
    quick = bridge.request({**analyze_request("q"), "depth": "quick"})
    full = bridge.request({**analyze_request("f"), "depth": "full"})
    assert quick["type"] == full["type"] == "analysis", (quick, full)
    assert quick["analysis"]["depth"] == "quick" and full["analysis"]["depth"] == "full"
    assert quick["analysis"]["content_hash"] == full["analysis"]["content_hash"]


def test_status_reports_the_running_daemon_and_the_token_store(bridge, running_daemon):
    reply = bridge.request({"id": "s", "type": "status"})
    assert reply["type"] == "status"
    assert reply["daemon"]["running"] is True
    assert reply["daemon"]["port"] == running_daemon["port"] and reply["daemon"]["pid"] == running_daemon["pid"]
    assert reply["token_store"].startswith("file:")
    assert reply["log_file"].endswith("bridge.log")


def test_status_never_starts_a_daemon(bridge, home):
    reply = bridge.request({"id": "s", "type": "status"})
    assert reply["daemon"]["running"] is False and reply["daemon"]["port"] is None
    assert daemon_info(home) is None


def test_the_bridge_starts_a_detached_daemon_that_outlives_it(bridge, home):
    assert daemon_info(home) is None
    reply = bridge.request(analyze_request())
    assert reply["type"] == "analysis", reply
    info = daemon_info(home)
    assert info is not None
    assert os.getsid(info["pid"]) == info["pid"], "the daemon must lead its own session (detached)"
    assert bridge.close() == 0  # the browser closes the port: the bridge ends
    assert daemon_info(home)["pid"] == info["pid"], "the daemon must outlive the bridge"


def test_a_daemon_killed_mid_request_is_restarted_and_the_request_retried_once(bridge, home):
    first, reply = kill_the_daemon_mid_request(bridge, home)
    assert reply["id"] == "in-flight"
    assert reply["type"] == "analysis", reply
    second = daemon_info(home)
    assert second is not None and second["pid"] != first["pid"]
    log = (home / "logs" / "bridge.log").read_text()
    assert "retrying once" in log


FAILING_COMMANDS = [
    pytest.param(shlex.join([sys.executable, "-c", "import sys; sys.stderr.write('boom: cannot start\\n'); sys.exit(3)"]),
                 "boom: cannot start", id="exits-at-once"),
    pytest.param(shlex.join(["/nonexistent/smallprint-daemon"]), "could not run", id="missing-program"),
    pytest.param(shlex.join([sys.executable, "-c", "import time; time.sleep(60)"]), "did not become ready",
                 id="never-ready"),
]


@pytest.mark.parametrize("command,says", FAILING_COMMANDS)
def test_a_daemon_that_cannot_start_gives_daemon_start_failed(env, home, command, says):
    env = {**env, "SMALLPRINT_DAEMON_COMMAND": command, "SMALLPRINT_BRIDGE_START_TIMEOUT": "2"}
    bridge = BridgeProcess(env)
    try:
        reply = bridge.request(analyze_request())
        assert reply["type"] == "error" and reply["code"] == "daemon_start_failed" and reply["number"] == 7, reply
        assert says in reply["message"] and reply["hint"]
        assert bridge.request({"id": "still", "type": "ping"})["type"] == "pong", "the bridge keeps serving"
        assert bridge.close() == 0
    finally:
        bridge.kill()


def test_a_broken_config_gives_daemon_start_failed_with_the_daemons_reason(env, home):
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("port = 'not a number\n")
    bridge = BridgeProcess(env)
    try:
        reply = bridge.request(analyze_request())
        assert reply["type"] == "error" and reply["code"] == "daemon_start_failed", reply
        assert "config" in reply["message"]
        assert daemon_info(home) is None
        assert bridge.close() == 0
    finally:
        bridge.kill()


def test_a_daemon_that_stops_answering_gives_timeout(env, running_daemon):
    # Warm up through a bridge with the usual time limit: a fresh daemon's workers load the reader first.
    warm = BridgeProcess(env)
    try:
        assert warm.request(analyze_request("warm-up"))["type"] == "analysis"
    finally:
        warm.kill()
    bridge = BridgeProcess({**env, "SMALLPRINT_BRIDGE_REQUEST_TIMEOUT": "2"})
    try:
        assert bridge.request(analyze_request("warm-up"))["type"] == "analysis"
        os.kill(running_daemon["pid"], signal.SIGSTOP)
        try:
            reply = bridge.request(analyze_request("frozen"))
        finally:
            os.kill(running_daemon["pid"], signal.SIGCONT)
        assert reply["type"] == "error" and reply["code"] == "timeout" and reply["number"] == 9, reply
        assert bridge.request({"id": "still", "type": "ping"})["type"] == "pong"
    finally:
        bridge.kill()


def test_a_daemon_holding_another_token_is_sent_nothing(env, home, running_daemon, tmp_path):
    # A second home that finds the same daemon (same runtime file) but holds a different token: that daemon cannot
    # prove it holds this home's token (issue 13, finding 2), so the bridge starts its own instead of sending it
    # the token and the page.
    other = tmp_path / "other-home"
    (other / "run").mkdir(parents=True)
    (other / "config").mkdir()
    (other / "run" / "daemon.json").write_text((home / "run" / "daemon.json").read_text())
    (other / "config" / "token").write_text("not-the-daemons-token\n")
    (other / "config" / "token").chmod(0o600)
    bridge = BridgeProcess({**env, "SMALLPRINT_HOME": str(other)})
    try:
        reply = bridge.request(analyze_request())
        assert reply["type"] == "analysis", reply
        own = daemon_info(other)
        assert own is not None and own["pid"] != running_daemon["pid"]
        assert "not-the-daemons-token" not in json.dumps(reply)
    finally:
        bridge.kill()
        stop_daemon(other)


START_ONCE = '''
import os, sys
marker = sys.argv[1]
if os.path.exists(marker):
    sys.stderr.write("refusing a second start\\n")
    sys.exit(4)
open(marker, "w").close()
os.execv(sys.executable, [sys.executable, "-m", "smallprint", "serve", "--port", "0"])
'''


def test_a_daemon_killed_mid_request_that_cannot_restart_gives_daemon_start_failed(env, home, tmp_path):
    script = tmp_path / "start_once.py"
    script.write_text(START_ONCE)
    command = shlex.join([sys.executable, str(script), str(tmp_path / "started")])
    bridge = BridgeProcess({**env, "SMALLPRINT_DAEMON_COMMAND": command, "SMALLPRINT_BRIDGE_START_TIMEOUT": "10"})
    try:
        _, reply = kill_the_daemon_mid_request(bridge, home)
        assert reply["id"] == "in-flight" and reply["type"] == "error", reply
        assert reply["code"] == "daemon_start_failed" and "refusing a second start" in reply["message"]
        assert bridge.close() == 0
    finally:
        bridge.kill()


@pytest.mark.parametrize("value", ["yes", 1, [True]])
def test_remember_must_be_a_boolean(bridge, value):
    reply = bridge.request({**analyze_request(), "remember": value})
    assert reply["type"] == "error" and reply["code"] == "bad_request", reply


@pytest.mark.parametrize("value", [5, "", "v" * 129, ["v1"], "v\udc00"])
def test_visit_id_must_be_a_short_string(bridge, value):
    reply = bridge.request({**analyze_request(), "visit_id": value})
    assert reply["type"] == "error" and reply["code"] == "bad_request", reply


def test_visit_id_reaches_the_daemon():
    from smallprint_bridge.host import _analyze_payload

    payload = _analyze_payload({**analyze_request(), "visit_id": "3f9a"})
    assert payload["visit_id"] == "3f9a"
    assert "visit_id" not in _analyze_payload(analyze_request())  # old extensions: as before


def test_remember_reaches_the_daemon_so_an_ordinary_page_is_stored(bridge, running_daemon, home):
    page = [{"id": "p0", "text": "Our bakery opens at nine. We sell bread and cakes.", "tag": "p"}]
    url = "http://bakery.example/hours"
    reply = bridge.request({"id": "r1", "type": "analyze", "blocks": page, "url": url, "remember": True})
    assert reply["type"] == "analysis", reply
    sites = get_json(running_daemon, home, "/v1/sites")
    assert any("bakery.example" in json.dumps(site) for site in sites["sites"]), sites


def test_the_daemon_the_bridge_starts_logs_to_its_rotated_file_only():
    # Its stderr stays attached to daemon-start.log for its whole life; that file is not rotated.
    from smallprint_bridge.daemon_client import default_daemon_command

    command = default_daemon_command()
    assert command[command.index("serve"):][:2] == ("serve", "--log-file-only")


def test_a_start_failure_names_its_reason_not_a_leftover_warning(tmp_path):
    from smallprint_bridge.daemon_client import _tail

    log = tmp_path / "daemon-start.log"
    log.write_text("earlier run\nrefusing a second start\n"
                   "/usr/lib/python3.11/multiprocessing/resource_tracker.py:254: UserWarning: resource_tracker: "
                   "There appear to be 1 leaked semaphore objects to clean up at shutdown\n"
                   "  warnings.warn('resource_tracker: There appear to be %d '\n")
    assert _tail(log, len("earlier run\n")) == "refusing a second start"
    log.write_text("only a warning: UserWarning: something\n")
    assert _tail(log, 0) == "only a warning: UserWarning: something"


@pytest.mark.parametrize("status,daemon_code,code", [
    (400, "invalid_request", "bad_request"), (413, "payload_too_large", "too_large"),
    (422, "unprocessable_input", "bad_request"), (422, "input_too_large", "too_large"),
    (401, "unauthorized", "unauthorized"),
    (504, "analysis_timeout", "timeout"), (500, "internal_error", "daemon_error"), (503, "x", "daemon_error")])
def test_daemon_errors_map_to_the_codes_protocol_md_gives(status, daemon_code, code):
    """PROTOCOL.md §6: a request the daemon refused (400, 422) is the extension's `bad_request`, one it refused as too
    big (413, 422 input_too_large) its `too_large`; any error other
    than those and 401 / timeouts is `daemon_error`; each carries the daemon's status and code as `detail`."""
    from smallprint_bridge.daemon_client import HttpReply, _answer
    from smallprint_bridge.errors import BridgeError
    with pytest.raises(BridgeError) as caught:
        _answer(HttpReply(status, {"error": {"code": daemon_code, "message": "refused"}}))
    assert caught.value.code == code
    assert caught.value.detail == {"http_status": status, "daemon_code": daemon_code}
    protocol = (Path(__file__).resolve().parents[2] / "extension-bridge" / "PROTOCOL.md").read_text(encoding="utf-8")
    assert "also a `400` or `422` from the daemon" in protocol and "| 16 | `too_large` |" in protocol


# A daemon whose first analysis (while the marker file exists) lasts longer than `stop`'s grace period.
SLOW_ONCE_DAEMON = """
import asyncio, os, sys
from smallprint.daemon import runner
marker = os.environ["SMALLPRINT_TEST_SLOW_ONCE"]
original = runner.AnalysisRunner.analyze

async def slow_once(self, request):
    if os.path.exists(marker):
        os.unlink(marker)
        await asyncio.sleep(120)
    return await original(self, request)

runner.AnalysisRunner.analyze = slow_once
from smallprint.cli import main
sys.exit(main(["serve", "--port", "0"]))
"""


def test_a_daemon_stopped_mid_request_answers_shutting_down_and_the_bridge_retries_once(env, home, tmp_path):
    """`smallprint stop` (or a restart) while the daemon reads a long page: the daemon answers 503 shutting_down,
    which the bridge once passed on as a generic daemon_error; it is a daemon going away, so it retries once."""
    import subprocess
    marker = tmp_path / "slow-once"
    marker.touch()
    env = {**env, "SMALLPRINT_DAEMON_COMMAND": shlex.join([sys.executable, "-c", SLOW_ONCE_DAEMON]),
           "SMALLPRINT_TEST_SLOW_ONCE": str(marker)}
    bridge = BridgeProcess(env)
    try:
        bridge.send(analyze_request("in-flight"))
        deadline = time.monotonic() + 60
        while marker.exists() and time.monotonic() < deadline:  # the slow analysis has begun
            time.sleep(0.1)
        assert not marker.exists()
        first = daemon_info(home)
        stopped = subprocess.run([sys.executable, "-m", "smallprint", "stop"], env=env, capture_output=True,
                                 text=True, timeout=120)
        assert stopped.returncode == 0, stopped.stderr
        reply = bridge.next_reply()
        assert reply["id"] == "in-flight" and reply["type"] == "analysis", reply
        assert daemon_info(home)["pid"] != first["pid"]
        assert "stopped during the request" in (home / "logs" / "bridge.log").read_text()
        assert bridge.close() == 0
    finally:
        bridge.kill()
        stop_daemon(home)
