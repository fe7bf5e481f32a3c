"""A corpus run contacts nothing outside the machine and listens only on loopback: on local processes, and with
`--engine dask` (the local cluster it starts: scheduler, nannies and workers, with the dashboard off).

Every Python process of the run gets a sitecustomize with an audit hook on socket.bind / connect / sendto /
getaddrinfo that records each call and refuses any that is not on the loopback address or a local (AF_UNIX)
socket. Binding to "" or 0.0.0.0 (every interface) counts as not loopback.
"""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import json

import pytest

from .conftest import corpus_env, run_corpus

pytestmark = pytest.mark.slow

SITECUSTOMIZE = r'''
import ipaddress, json, os, socket, sys

_LOG = os.environ["SMALLPRINT_NET_LOG"]


def _loopback(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hook(event, args):
    if event not in ("socket.bind", "socket.connect", "socket.sendto", "socket.getaddrinfo"):
        return
    if event == "socket.getaddrinfo":
        host = args[0]
        allowed = host is None or _loopback(host)
    else:
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) == getattr(socket, "AF_UNIX", None):
            return
        host = address[0] if isinstance(address, tuple) else address
        allowed = _loopback(host)
    with open(_LOG, "a") as log:
        log.write(json.dumps({"pid": os.getpid(), "event": event, "host": str(host), "allowed": allowed}) + "\n")
    if not allowed:
        raise OSError(f"blocked by the no-network test: {event} {host}")


sys.addaudithook(_hook)
'''


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_a_corpus_run_stays_on_loopback(tmp_path, ota_repo, engine):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.jsonl"
    log.touch()
    env = corpus_env(PYTHONPATH=str(site), SMALLPRINT_NET_LOG=str(log))
    done = run_corpus("analyze", ota_repo, "--out", tmp_path / "out", "--engine", engine, "--workers", "2", env=env)
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [c for c in calls if not c["allowed"]] == []
    if engine == "dask":  # the hook was live in the cluster's processes: they bound and connected on loopback
        assert {c["event"] for c in calls} >= {"socket.bind", "socket.connect"}
        assert len({c["pid"] for c in calls}) >= 3  # the run (with its scheduler) and two worker processes
