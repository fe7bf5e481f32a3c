"""An audit hook for every Python process of a test run (its sitecustomize): each socket.bind, connect, sendto and
getaddrinfo is recorded in $SMALLPRINT_NET_LOG, and any that is not on the loopback address or a local (AF_UNIX)
socket is refused. Binding to "" or 0.0.0.0 (every interface) counts as not loopback."""
from __future__ import annotations

import json
import os
from pathlib import Path

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


def guarded_env(folder: Path) -> tuple[dict[str, str], Path]:
    """({PYTHONPATH, SMALLPRINT_NET_LOG}: what a process's environment needs for the hook, the log it writes)."""
    site = folder / "net-guard"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = folder / "net.jsonl"
    log.touch()
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p)  # the code under test stays
    return {"PYTHONPATH": path, "SMALLPRINT_NET_LOG": str(log)}, log


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
