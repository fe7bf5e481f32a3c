"""A daemon the bridge starts while its port is taken (another user's smallprint on a shared machine, another
program): on the default port it starts again on a free one; on a port someone chose, the clear error stands."""
from __future__ import annotations

import contextlib
import shlex
import socket
import sys

import pytest

pytestmark = pytest.mark.slow  # each test starts a real daemon

from .harness import BridgeProcess, daemon_info

DEFAULT_PORT = 8716
PAGE = {"type": "analyze", "blocks": [{"id": "b0", "text": "We may sell your personal information.", "tag": "p"}]}


@contextlib.contextmanager
def held_port(port: int = 0):
    """A loopback port something else listens on, for the test's length. When another program holds the port
    already (a real daemon on 8716), it is taken all the same."""
    holder = socket.socket()
    try:
        try:
            holder.bind(("127.0.0.1", port))
            holder.listen(1)
        except OSError:
            if port == 0:
                raise
        yield holder.getsockname()[1] if port == 0 else port
    finally:
        holder.close()


def start_analysis(env: dict) -> dict:
    bridge = BridgeProcess(env)
    try:
        reply = bridge.request({"id": "a1", **PAGE})
        assert bridge.close() == 0
        return reply
    finally:
        bridge.kill()


def test_a_taken_default_port_starts_the_daemon_on_a_free_one(env, home):
    env = {key: value for key, value in env.items() if key != "SMALLPRINT_DAEMON_COMMAND"}  # the bridge's own
    with held_port(DEFAULT_PORT):
        reply = start_analysis(env)
        assert reply["type"] == "analysis", reply
        info = daemon_info(home)
        assert info is not None and info["port"] not in (0, DEFAULT_PORT), info


def test_a_port_the_config_names_is_never_changed(env, home):
    env = {key: value for key, value in env.items() if key != "SMALLPRINT_DAEMON_COMMAND"}
    with held_port() as port:
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(f"port = {port}\n")
        reply = start_analysis(env)
    assert reply["type"] == "error" and reply["code"] == "daemon_start_failed", reply
    assert f"port {port} on 127.0.0.1 is already in use" in reply["message"], reply
    assert daemon_info(home) is None


def test_a_port_the_environments_command_names_is_never_changed(env, home):
    with held_port() as port:
        command = shlex.join([sys.executable, "-m", "smallprint", "serve", "--port", str(port)])
        reply = start_analysis({**env, "SMALLPRINT_DAEMON_COMMAND": command})
    assert reply["type"] == "error" and reply["code"] == "daemon_start_failed", reply
    assert f"port {port} on 127.0.0.1 is already in use" in reply["message"], reply
    assert daemon_info(home) is None
