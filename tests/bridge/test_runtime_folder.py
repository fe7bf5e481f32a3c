"""Without XDG_RUNTIME_DIR the runtime file (`daemon.json`, through which the CLI and the bridge find the daemon)
and the daemon's locks lived in TMPDIR/runtime-UID: in the shared /tmp, where another local user can create the
folder first, and following TMPDIR, so that a browser started with another TMPDIR than the terminal looked
elsewhere. They now live in the private per-user state folder, in a folder of the machine's own (a home folder may
be shared between machines), and every side finds the daemon there."""
from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
import time
from pathlib import Path

from .conftest import DAEMON_COMMAND, START_TIMEOUT
from .harness import BridgeProcess, kill_and_wait

UNSET = ("SMALLPRINT_HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
         "TMPDIR", "TEMP", "TMP")


def no_runtime_env(home: Path, tmpdir: Path) -> dict:
    """A session without XDG_RUNTIME_DIR or SMALLPRINT_HOME (ssh, a container, some desktops), HOME and TMPDIR
    of the test's own."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env.update(HOME=str(home), TMPDIR=str(tmpdir), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               PYTHONUNBUFFERED="1", SMALLPRINT_DAEMON_COMMAND=DAEMON_COMMAND,
               SMALLPRINT_BRIDGE_START_TIMEOUT=str(START_TIMEOUT))
    return env


def smallprint(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def status(env: dict) -> dict:
    return json.loads(smallprint(env, "status", "--json").stdout)


def on_machine(env: dict, hostname: str, site_folder: Path) -> dict:
    """`env` on another machine that shares this HOME (NFS): every Python process started with it (the CLI, the
    bridge, the daemon) has `hostname` for socket.gethostname(), and no /run/user/UID either (platformdirs falls back
    to the temporary folder, as without XDG_RUNTIME_DIR on such a machine), so the test runs the same on a system
    that has one, in CI too, instead of skipping."""
    site_folder.mkdir(parents=True)
    (site_folder / "sitecustomize.py").write_text(
        f"import os, socket, tempfile\nimport platformdirs\nsocket.gethostname = lambda: {hostname!r}\n"
        "platformdirs.user_runtime_dir = lambda *args, **kwargs: os.path.join(\n"
        "    tempfile.gettempdir(), f'runtime-{os.getuid()}', 'smallprint')\n")
    python_path = [str(site_folder)] + [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]
    return {**env, "PYTHONPATH": os.pathsep.join(python_path)}


def start_daemon(env: dict) -> subprocess.Popen:
    daemon = subprocess.Popen(shlex.split(DAEMON_COMMAND), env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_TIMEOUT
    while not status(env)["running"]:
        assert daemon.poll() is None, daemon.stderr.read().decode(errors="replace")
        assert time.monotonic() < deadline, "smallprint serve did not start"
        time.sleep(0.1)
    return daemon


def test_without_xdg_runtime_dir_the_daemon_is_found_in_a_private_folder_whatever_the_tmpdir(tmp_path):
    home = tmp_path / "home"
    terminal = no_runtime_env(home, tmp_path / "terminal-tmp")
    browser = no_runtime_env(home, tmp_path / "browser-tmp")  # a browser started from elsewhere
    runtime_file = Path(status(terminal)["runtime_file"])
    assert Path(status(browser)["runtime_file"]) == runtime_file, "the CLI looks in one place, whatever TMPDIR"
    for temp in (tmp_path / "terminal-tmp", tmp_path / "browser-tmp"):
        assert not runtime_file.is_relative_to(temp), f"{runtime_file} is in the temporary folder"
    # XDG_RUNTIME_DIR's stand-in where the system has one (/run/user/UID), else the user's own state folder (this
    # HOME is itself in the test's temporary folder, but the folders above it are not what platformdirs chose)
    assert runtime_file.is_relative_to(f"/run/user/{os.getuid()}") or runtime_file.is_relative_to(home), runtime_file

    daemon = start_daemon(terminal)
    try:
        assert status(terminal)["pid"] == daemon.pid
        assert stat.S_IMODE(runtime_file.parent.stat().st_mode) == 0o700, "the runtime folder is the user's alone"
        assert status(browser)["pid"] == daemon.pid, "the CLI with another TMPDIR finds it"
        bridge = BridgeProcess(browser)
        try:
            reply = bridge.request({"id": "s", "type": "status"})
            assert reply["daemon"]["running"] is True and reply["daemon"]["pid"] == daemon.pid, reply
            assert bridge.request({"id": "p", "type": "ping"})["type"] == "pong"
            assert bridge.close() == 0
        finally:
            bridge.kill()
        assert status(terminal)["pid"] == daemon.pid, "the bridge started no second daemon"
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        daemon.stderr.close()
    assert not runtime_file.exists()


def test_a_runtime_folder_others_may_enter_is_made_private_again(tmp_path):
    home = tmp_path / "home"
    env = no_runtime_env(home, tmp_path / "tmp")
    runtime = Path(status(env)["runtime_file"]).parent
    if not runtime.is_relative_to(home):  # /run/user/UID: the system's, already private
        assert stat.S_IMODE(runtime.parent.stat().st_mode) == 0o700
        return
    runtime.mkdir(parents=True)
    runtime.chmod(0o755)
    daemon = subprocess.Popen(shlex.split(DAEMON_COMMAND), env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not status(env)["running"]:
            assert daemon.poll() is None and time.monotonic() < deadline, "smallprint serve did not start"
            time.sleep(0.1)
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
    finally:
        kill_and_wait(daemon.pid)


def test_machines_sharing_a_home_folder_each_find_their_own_daemon(tmp_path):
    """Without XDG_RUNTIME_DIR two machines sharing a home folder shared one daemon.json: machine B took machine A's
    for a stale one, so A's CLI and bridge lost their daemon (and A's bridge started a second one), and A's
    daemon.lock, which NFS locks across machines, kept B's daemon from starting."""
    home = tmp_path / "home"
    machine_a = on_machine(no_runtime_env(home, tmp_path / "a-tmp"), "machine-a", tmp_path / "a-site")
    machine_b = on_machine(no_runtime_env(home, tmp_path / "b-tmp"), "machine-b", tmp_path / "b-site")
    runtime_a, runtime_b = Path(status(machine_a)["runtime_file"]), Path(status(machine_b)["runtime_file"])
    assert runtime_a.is_relative_to(home) and runtime_b.is_relative_to(home), "not the shared home's state folder"
    assert runtime_a != runtime_b

    daemon_a = start_daemon(machine_a)
    try:
        assert status(machine_b)["running"] is False, "machine B sees machine A's daemon"
        daemon_b = start_daemon(machine_b)
        try:
            assert status(machine_b)["pid"] == daemon_b.pid
            assert status(machine_a)["pid"] == daemon_a.pid, "machine A lost its daemon to machine B's"
            bridge = BridgeProcess(machine_a)
            try:
                reply = bridge.request({"id": "s", "type": "status"})
                assert reply["daemon"]["running"] is True and reply["daemon"]["pid"] == daemon_a.pid, reply
                assert bridge.close() == 0
            finally:
                bridge.kill()
            assert smallprint(machine_b, "stop").returncode == 0
            assert daemon_b.wait(timeout=30) == 0
        finally:
            kill_and_wait(daemon_b.pid)
            daemon_b.stderr.close()
        assert status(machine_a)["pid"] == daemon_a.pid, "machine B's stop stopped machine A's daemon"
    finally:
        kill_and_wait(daemon_a.pid)
        daemon_a.stderr.close()
    assert not runtime_a.exists() and not runtime_b.exists()
