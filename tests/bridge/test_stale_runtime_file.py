"""Finding 2 of issue 13: after the daemon dies, whoever listens on the port its runtime file names gets neither
the bridge's token nor the page, and `smallprint status` does not call it running."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smallprint.daemon.discovery import now_iso

from .harness import BridgeProcess, daemon_info
from .test_daemon_bridge import analyze_request

IMPOSTOR = Path(__file__).with_name("impostor.py")


@pytest.fixture
def impostor(home, tmp_path):
    """A listener on the port of a runtime file left by a killed daemon (its pid now someone else's: the
    impostor's own, so the file looks alive)."""
    record = tmp_path / "impostor-saw.jsonl"
    process = subprocess.Popen([sys.executable, str(IMPOSTOR), str(record)], stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    (home / "run").mkdir(parents=True, exist_ok=True)
    (home / "run" / "daemon.json").write_text(json.dumps(
        {"pid": process.pid, "host": "127.0.0.1", "port": port, "version": "0.1.0", "started": now_iso()}))
    yield port, record
    process.kill()
    process.wait()
    process.stdout.close()


def requests_seen(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


@pytest.mark.slow
def test_the_bridge_sends_no_token_or_page_to_an_impostor(env, home, impostor):
    port, record = impostor
    bridge = BridgeProcess(env)
    try:
        reply = bridge.request(analyze_request())
        assert reply["type"] == "analysis", reply  # from a real daemon the bridge started instead
        real = daemon_info(home)
        assert real is not None and real["port"] != port
    finally:
        bridge.kill()
    seen = requests_seen(record)
    assert seen, "the bridge should have asked the impostor for a proof"
    for request in seen:
        assert request["method"] == "GET" and request["path"].startswith("/v1/health?challenge=")
        assert "Authorization" not in request["headers"] and not request["body"]


def test_status_does_not_call_an_impostor_running(env, home, impostor):
    port, record = impostor
    token = subprocess.run([sys.executable, "-m", "smallprint", "token"], env=env, capture_output=True, text=True)
    assert token.returncode == 0
    result = subprocess.run([sys.executable, "-m", "smallprint", "status", "--json"], env=env, capture_output=True,
                            text=True, timeout=60)
    report = json.loads(result.stdout)
    assert result.returncode != 0
    assert report["running"] is False and report["answering"] is True and report["impostor"] is True
    text = subprocess.run([sys.executable, "-m", "smallprint", "status"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert "cannot prove it holds your API token" in text.stdout
    assert all("Authorization" not in r["headers"] for r in requests_seen(record))
