"""Nothing leaves the machine: the daemon, its workers and the CLI make no non-loopback connection.

Every Python process of the run (daemon, forkserver, analysis workers, CLI) gets a sitecustomize with an audit
hook on socket.connect / socket.sendto / socket.getaddrinfo that records each attempt and blocks any that is
not loopback or a local (AF_UNIX) socket.
"""
from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest

from tests.pdf_writer import POLICY_PAGES, pdf_document

from .conftest import run_cli, start_daemon, subprocess_env

pytestmark = pytest.mark.slow

SITECUSTOMIZE = r'''
import ipaddress, json, os, socket, sys

_LOG = os.environ["SMALLPRINT_NET_LOG"]
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", ""}


def _is_local(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _note(kind, host, allowed):
    with open(_LOG, "a") as log:
        log.write(json.dumps({"pid": os.getpid(), "kind": kind, "host": str(host), "allowed": allowed}) + "\n")
    if not allowed:
        raise OSError(f"blocked by the no-network test: {kind} to {host}")


def _hook(event, args):
    if event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) == getattr(socket, "AF_UNIX", None):
            return
        host = address[0] if isinstance(address, tuple) else address
        _note(event, host, _is_local(host))
    elif event == "socket.getaddrinfo":
        _note(event, args[0], _is_local(args[0]))


sys.addaudithook(_hook)
'''

PAGE = """<!doctype html><html><head><title>Privacy Policy</title>
<link rel="stylesheet" href="https://cdn.example.com/site.css"><script src="https://tracker.example.net/t.js"></script>
</head><body><h1>Privacy Policy</h1><img src="https://images.example.org/logo.png">
<p>We collect your email address and precise location. See <a href="https://example.com/more">more</a>.</p>
<iframe src="https://ads.example.com/frame"></iframe>
<p>We may use your content to train our artificial intelligence models.</p>
<p>We do not sell your personal information.</p></body></html>"""


@pytest.fixture
def guarded_env(tmp_path):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.jsonl"
    log.touch()
    return {"PYTHONPATH": str(site_dir), "SMALLPRINT_NET_LOG": str(log)}, log


def attempts(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_the_guard_blocks_and_records_outbound_connections(tmp_path, guarded_env):
    extra, log = guarded_env
    probe = ("import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=2)\n"
             "except OSError as e:\n    print(e)\n")
    result = subprocess.run([sys.executable, "-c", probe], env=subprocess_env(tmp_path / "h", **extra),
                            capture_output=True, text=True, timeout=60)
    assert "blocked by the no-network test" in result.stdout
    assert [a for a in attempts(log) if not a["allowed"]]


def test_serving_and_analysing_makes_no_outbound_connection(tmp_path, guarded_env):
    extra, log = guarded_env
    home = tmp_path / "sp-home"
    daemon = start_daemon(home, "--port", "0", env_extra=extra)
    try:
        token = daemon.token(env_extra=extra)
        for body in ({"html": PAGE, "url": "https://example.com/privacy", "title": "Privacy Policy"},
                     {"text": "We share your data with advertising partners.", "url": "https://example.com/terms"},
                     {"pdf": base64.b64encode(pdf_document(POLICY_PAGES)).decode(), "url": "https://example.com/p.pdf"}):
            status, analysis = daemon.request("POST", "/v1/analyze", body, token=token)
            assert status == 200, analysis
        assert run_cli(home, "status", **extra).returncode == 0
        time.sleep(2)  # let the background start (worker warm-up, token refresh) run too
        assert daemon.stop() == 0
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
        daemon.process.wait()
    seen = attempts(log)
    assert [a for a in seen if not a["allowed"]] == []
    assert any(a["kind"] == "socket.connect" for a in seen)  # the hook was live: `status` called /v1/health
