"""A real daemon whose analysis workers are killed from outside (the OOM killer, a crash in a native library) goes
on answering: the next analyses get 200, not one 500 after another until someone restarts it."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.daemon.conftest import start_daemon


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue  # gone between listing and reading
        if int(stat.rsplit(b")", 1)[1].split()[1]) == pid:
            kids.append(int(entry.name))
    return kids


def test_killing_every_analysis_worker_does_not_turn_later_analyses_into_errors(tmp_path):
    daemon = start_daemon(tmp_path / "sp-home")
    try:
        token = daemon.token()
        status, answer = daemon.request("POST", "/v1/analyze", {"text": "We may sell your personal information.",
                                                                 "depth": "quick"}, token=token)
        assert status == 200, answer
        # the workers are forked by the daemon's forkserver (they share its command line)
        forkservers = [p for p in _children(daemon.process.pid)
                       if b"forkserver" in Path(f"/proc/{p}/cmdline").read_bytes()]
        workers = [w for f in forkservers for w in _children(f)]
        assert workers, "no analysis worker found under the daemon"
        for worker in workers:
            try:
                os.kill(worker, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.5)
        for text in ("We collect your email address.", "We share your location with advertisers."):
            status, answer = daemon.request("POST", "/v1/analyze", {"text": text, "depth": "quick"}, token=token)
            assert status == 200, answer
    finally:
        daemon.stop()
