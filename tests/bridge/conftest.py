"""Fixtures for the bridge tests: an isolated SMALLPRINT_HOME and a real daemon on a free loopback port."""
from __future__ import annotations

import shlex
import subprocess
import sys
import time

import pytest

from .harness import bridge_env, daemon_info, stop_daemon

# The bridge starts daemons with this in tests: port 0, so parallel runs and a real daemon never collide.
DAEMON_COMMAND = shlex.join([sys.executable, "-m", "smallprint", "serve", "--port", "0"])
START_TIMEOUT = 30.0


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "sp-home"
    yield home
    stop_daemon(home)  # whichever daemon a test or the bridge left running


@pytest.fixture
def env(home):
    return bridge_env(home, SMALLPRINT_DAEMON_COMMAND=DAEMON_COMMAND,
                      SMALLPRINT_BRIDGE_START_TIMEOUT=str(START_TIMEOUT))


@pytest.fixture
def running_daemon(env, home):
    """A real `smallprint serve --port 0` started by the test (not by the bridge); its RuntimeInfo-like dict."""
    process = subprocess.Popen(shlex.split(DAEMON_COMMAND), env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        info = daemon_info(home)
        if info is not None:
            break
        if process.poll() is not None:
            pytest.fail(f"smallprint serve exited: {process.stderr.read().decode(errors='replace')}")
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("smallprint serve did not become healthy")
    yield info
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stderr.close()
