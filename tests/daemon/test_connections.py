"""Finding 3 of issue 13 on a real daemon: another local user holding half-sent requests open cannot make it
unreachable, such connections are closed, and accept() failures are logged once per interval."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from smallprint.daemon.connections import AcceptErrorFilter

from .conftest import PLAINTEXT_KEYRING, DaemonProcess, subprocess_env, wait_for_runtime_file
from tests.conftest import require

pytestmark = pytest.mark.slow

DESCRIPTORS = 256  # the daemon's hard limit here, so that the flood below would exhaust it
FLOOD = 600

# Another local user (uid 65534, "nobody") opening connections and sending half a request on each.
ATTACKER = """
import encodings.idna, os, socket, sys, time
os.setgid(65534); os.setuid(65534)  # after the imports: the interpreter's files may be root's alone
port, count = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(count):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(f"GET /v1/health HTTP/1.1\\r\\nHost: 127.0.0.1:{port}\\r\\n".encode())
        held.append(s)
    except OSError:
        pass
print(len(held), flush=True)
time.sleep(120)
"""


def health_ms(port: int) -> float:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    started = time.monotonic()
    with opener.open(f"http://127.0.0.1:{port}/v1/health", timeout=10) as response:
        assert response.status == 200
    return (time.monotonic() - started) * 1000


def open_connections_of(pid: int) -> int:
    """The process's open sockets. A descriptor can close between the listing and its readlink (the daemon is
    dropping connections as this counts): such a one is not open."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except FileNotFoundError:
            pass
    return count


def test_a_flood_of_half_sent_requests_from_another_user_does_not_blind_the_daemon(tmp_path):
    require(sys.platform.startswith("linux") and os.geteuid() == 0, "needs Linux and root to act as another user")
    home = tmp_path / "sp-home"
    limited = (f"import os, resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, ({DESCRIPTORS}, {DESCRIPTORS}));"
               " os.execv(sys.executable, [sys.executable, '-m', 'smallprint', 'serve', '--port', '0'])")
    process = subprocess.Popen([sys.executable, "-c", limited], env=subprocess_env(home), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    daemon = DaemonProcess(process, home, PLAINTEXT_KEYRING, wait_for_runtime_file(home, process))
    baseline = open_connections_of(daemon.process.pid)  # the listening socket, the worker pool's sockets
    attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, str(daemon.info["port"]), str(FLOOD)],
                                stdout=subprocess.PIPE, text=True)
    try:
        attacker.stdout.readline()  # the flood is in place (connections over the cap were closed at once)
        assert health_ms(daemon.info["port"]) < 5000
        assert baseline + 8 <= open_connections_of(daemon.process.pid) < DESCRIPTORS / 2
        # The half-sent requests are closed once their headers are late (10 s).
        deadline = time.monotonic() + 60
        while open_connections_of(daemon.process.pid) > baseline + 2:
            assert time.monotonic() < deadline, "half-sent requests were not closed"
            time.sleep(1)
    finally:
        attacker.kill()
        attacker.wait()
        attacker.stdout.close()
        daemon.stop()
        for stream in (daemon.process.stdout, daemon.process.stderr):
            stream.close()
    log = (tmp_path / "sp-home" / "logs" / "daemon.log").read_text()
    assert "Too many open files" not in log and "Traceback" not in log


def test_accept_failures_are_logged_once_per_interval():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    logger = logging.getLogger("test.accept-errors")
    logger.handlers[:] = [Keep()]
    logger.filters[:] = [AcceptErrorFilter(interval=3600)]
    logger.propagate = False
    for _ in range(1000):
        try:
            raise OSError(24, "Too many open files")
        except OSError:
            logger.error("socket.accept() out of system resource", exc_info=True)
    logger.error("something else")
    assert len(records) == 2 and "Traceback" not in records[0] and "Too many open files" in records[0]


DETACHED = """
import logging, logging.handlers, sys, threading
from smallprint.daemon.connections import redirect_stderr_to_log
handler = logging.handlers.RotatingFileHandler(sys.argv[1], maxBytes=20_000, backupCount=1)
log = logging.getLogger("smallprint.daemon")
log.addHandler(handler)
redirect_stderr_to_log(log)
for n in range(2_000):
    print(f"stray line {n} that a library wrote to stderr", file=sys.stderr)
def boom():
    raise RuntimeError("a thread failed")
thread = threading.Thread(target=boom)
thread.start()
thread.join()
"""


def test_a_detached_daemon_writes_nothing_unbounded_to_its_start_log(tmp_path):
    """Finding 3: daemon-start.log (the detached daemon's stderr, as the bridge opens it) no longer grows without
    bound: once the daemon runs, what goes to stderr goes to the size-rotated log."""
    start_log, rotated = tmp_path / "daemon-start.log", tmp_path / "daemon.log"
    with open(start_log, "wb") as stderr:
        subprocess.run([sys.executable, "-c", DETACHED, str(rotated)], stderr=stderr, timeout=60, check=True)
    assert start_log.read_bytes() == b""
    assert rotated.stat().st_size <= 20_000 and (tmp_path / "daemon.log.1").stat().st_size <= 20_000
    assert "a thread failed" in rotated.read_text()
