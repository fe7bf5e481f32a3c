"""`smallprint forget`, once the store has forgotten: the running daemon forgets what it holds in memory too (its
cached analyses and the reader's remembered readings), through DELETE /v1/memory.

The store is a file that `forget` changes itself; the daemon's memory can only be asked. The daemon is found through
its runtime file and counts as running only while it holds the per-user instance lock (as for `smallprint stop`), and
the token goes to it only once it has proved it holds that token (proof.py): a program squatting on a dead daemon's
port gets neither the token nor the request.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from .. import auth
from .discovery import read_runtime_info
from .proof import ask_for_proof

# Forgetting answers at once (in process mode the new workers start in the background): a daemon slower than this
# is too busy to be trusted to have forgotten.
FORGET_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class DaemonForgot:
    """The running daemon forgot its memory: `analyses` cached analyses were dropped."""
    analyses: int


@dataclass(frozen=True, slots=True)
class DaemonNotAsked:
    """A daemon runs (pid, url) but could not be asked to forget, for the reason `why` (one clause)."""
    pid: int
    url: str
    why: str


def forget_daemon_memory(timeout: float = FORGET_TIMEOUT_SECONDS) -> DaemonForgot | DaemonNotAsked | None:
    """Ask the running daemon to forget what it holds in memory; None when no daemon runs."""
    info = read_runtime_info()
    if info is None:
        return None
    from .server import instance_lock_held  # only now: it loads aiohttp, which `forget` without a daemon needs not

    if not instance_lock_held():  # a runtime file left by a daemon that did not stop cleanly: its pid is reused
        return None
    try:
        token = auth.get_token(create=False)
    except Exception as exc:  # none stored, a damaged token file, a keyring that fails
        return DaemonNotAsked(info.pid, info.base_url, f"the API token cannot be read ({exc})")
    answer = ask_for_proof(info.base_url, info.port, token)
    if not answer.proved:
        why = ("it does not answer" if answer.health is None
               else "it cannot prove that it holds your API token, so nothing was sent to it")
        return DaemonNotAsked(info.pid, info.base_url, why)
    request = urllib.request.Request(f"{info.base_url}/v1/memory", method="DELETE",
                                     headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy
    try:
        with opener.open(request, timeout=timeout) as response:
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:  # a daemon started from an older smallprint, before it could forget
            return DaemonNotAsked(info.pid, info.base_url, "it is an older smallprint daemon that cannot forget "
                                                           "its memory")
        return DaemonNotAsked(info.pid, info.base_url, f"it answered HTTP {exc.code}{_error_code(exc)}")
    except (OSError, ValueError) as exc:  # URLError, a timeout, a broken connection; an answer that is not JSON
        return DaemonNotAsked(info.pid, info.base_url, f"asking it failed ({exc})")
    analyses = body.get("forgotten_analyses") if isinstance(body, dict) else None
    if not isinstance(analyses, int) or body.get("memory_forgotten") is not True:
        return DaemonNotAsked(info.pid, info.base_url, "its answer does not say that it forgot")
    return DaemonForgot(analyses)


def _error_code(error: urllib.error.HTTPError) -> str:
    """`: <code>` from the API's error envelope, or nothing."""
    try:
        code = json.loads(error.read().decode("utf-8"))["error"]["code"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return f": {code}" if isinstance(code, str) and code.isidentifier() else ""
