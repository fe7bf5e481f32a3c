"""`smallprint stop`: ask the running daemon to shut down as Ctrl+C would, and wait until it has.

The daemon is found through its runtime file, and trusted to be ours only while it holds the per-user instance
lock: a runtime file left by a crashed daemon whose pid now belongs to another program is never signalled.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

from .discovery import pid_alive, read_runtime_info
from .server import instance_lock_held

STOP_TIMEOUT_SECONDS = 20.0  # in-flight requests get SHUTDOWN_GRACE_SECONDS, then the worker pool closes
_POLL_SECONDS = 0.05


class StopError(Exception):
    """The daemon could not be stopped; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Stopped:
    pid: int
    url: str


def stop_daemon(timeout: float = STOP_TIMEOUT_SECONDS) -> Stopped | None:
    """Stop the running daemon; None when none was running. Raises StopError when it does not stop in time."""
    info = read_runtime_info()
    if info is None or not instance_lock_held():
        return None
    try:
        # SIGTERM: the daemon finishes requests in flight and removes its runtime file. (On Windows, where
        # os.kill ends the process at once, the lock dies with it and the runtime file is then recognised as stale.)
        os.kill(info.pid, signal.SIGTERM)
    except ProcessLookupError:
        return None  # it exited between the check and the signal
    except PermissionError:
        raise StopError(f"the daemon (pid {info.pid}) belongs to another user; it cannot be stopped from here") from None
    deadline = time.monotonic() + timeout
    while pid_alive(info.pid) and instance_lock_held():  # until it has exited
        if time.monotonic() > deadline:
            raise StopError(f"the daemon (pid {info.pid}) did not stop within {timeout:.0f} s; "
                            "see its log (`smallprint status` says where)")
        time.sleep(_POLL_SECONDS)
    return Stopped(pid=info.pid, url=info.base_url)
