"""The runtime file that tells clients where the daemon listens."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from smallprint import paths
from smallprint.daemon.discovery import RuntimeInfo, read_runtime_info, remove_runtime_info, write_runtime_info


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_round_trip(smallprint_home):
    info = RuntimeInfo(pid=os.getpid(), host="127.0.0.1", port=8716, version="0.1.0", started="2026-01-01T00:00:00+00:00")
    write_runtime_info(info)
    assert read_runtime_info() == info
    assert info.base_url == "http://127.0.0.1:8716"
    assert RuntimeInfo(1, "::1", 5, "v", "s").base_url == "http://[::1]:5"


def test_missing_file_means_not_running(smallprint_home):
    assert read_runtime_info() is None


def test_a_dead_pid_means_stale(smallprint_home):
    write_runtime_info(RuntimeInfo(pid=dead_pid(), host="127.0.0.1", port=1, version="v", started="s"))
    assert read_runtime_info() is None


def _state(pid: int) -> bytes:
    """A process's state in /proc/PID/stat (after its name in parentheses): R, S, Z..."""
    return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a process's state is read from /proc")
def test_a_zombie_is_not_alive_and_its_runtime_file_is_stale(smallprint_home, monkeypatch):
    """A daemon killed under a shell (`smallprint serve &`, `kill -9`) keeps its pid until the shell reaps it:
    os.kill(pid, 0) still finds it, so status and stop took the zombie for a running daemon."""
    from smallprint.daemon import discovery

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert discovery.pid_alive(child.pid)
        child.send_signal(signal.SIGKILL)  # and not reaped (no wait()) until the end: a zombie
        deadline = time.monotonic() + 10
        while _state(child.pid) != b"Z":
            assert time.monotonic() < deadline, "the child did not become a zombie"
            time.sleep(0.02)
        assert not discovery.pid_alive(child.pid)
        write_runtime_info(RuntimeInfo(pid=child.pid, host="127.0.0.1", port=1, version="v", started="s"))
        assert read_runtime_info() is None
        monkeypatch.setattr(discovery.sys, "platform", "darwin")  # elsewhere as before: os.kill finds it, alive
        assert discovery.pid_alive(child.pid)
    finally:
        child.kill()
        child.wait()


@pytest.mark.parametrize("content", ["", "{", "[]", '{"pid": 1}', '{"pid": "x", "host": "h", "port": 1, '
                                     '"version": "v", "started": "s"}',
                                     '{"pid": 1, "host": "h", "port": 0, "version": "v", "started": "s"}'])
def test_malformed_files_mean_not_running(smallprint_home, content):
    path = paths.runtime_file()
    paths.ensure(path.parent)
    path.write_text(content)
    assert read_runtime_info() is None


def test_remove_only_our_own(smallprint_home):
    info = RuntimeInfo(pid=os.getpid(), host="127.0.0.1", port=2, version="v", started="s")
    write_runtime_info(info)
    remove_runtime_info(pid=os.getpid() + 1)
    assert read_runtime_info() == info
    remove_runtime_info(pid=os.getpid())
    assert not paths.runtime_file().exists()


def test_on_windows_liveness_is_asked_without_os_kill(monkeypatch):
    # On Windows os.kill(pid, 0) terminates the process: `smallprint status` would kill the daemon it looks for.
    from smallprint.daemon import discovery

    asked: list[int] = []
    monkeypatch.setattr(discovery.os, "name", "nt")
    monkeypatch.setattr(discovery.os, "kill", lambda *args: pytest.fail("os.kill used on Windows"))
    monkeypatch.setattr(discovery, "_windows_pid_alive", lambda pid: asked.append(pid) or True)
    assert discovery.pid_alive(4242) and asked == [4242]


def test_status_without_xdg_runtime_dir_prints_no_warning(tmp_path):
    # Common over ssh and in containers: platformdirs' fallback is fine, its RuntimeDirWarning is noise.
    env = {key: value for key, value in os.environ.items()
           if key not in ("SMALLPRINT_HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")}
    env.update(HOME=str(tmp_path), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = subprocess.run([sys.executable, "-m", "smallprint", "status"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode in (0, 3), result.stderr  # running or not: whatever another test left under this HOME
    assert result.stderr == ""


@pytest.fixture
def shared_home_without_runtime_dir(tmp_path, monkeypatch) -> Path:
    """A home folder that several machines share (NFS), in a session without XDG_RUNTIME_DIR, where platformdirs
    would fall back to the shared temporary folder (as on a machine without /run/user/UID): the runtime folder is
    then the one in the state folder under this HOME."""
    if sys.platform in ("win32", "darwin"):
        pytest.skip("macOS and Windows keep their own per-user runtime folders")
    for name in ("SMALLPRINT_HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    temp_fallback = str(Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}" / "smallprint")
    monkeypatch.setattr(paths.platformdirs, "user_runtime_dir", lambda *args, **kwargs: temp_fallback)
    return home


def test_machines_sharing_a_home_folder_each_find_their_own_daemon(shared_home_without_runtime_dir, monkeypatch):
    """Both machines wrote one ~/.local/state/smallprint/run/daemon.json: machine B took machine A's for a stale one
    (its pid is not alive on B) and replaced it, after which A's CLI and bridge no longer found A's daemon, and A's
    bridge started a second one. And NFS locks across machines: A's daemon.lock kept B's daemon from starting."""
    from smallprint.daemon import idle, server

    def on_machine(name: str) -> None:
        monkeypatch.setattr(paths.socket, "gethostname", lambda: name)

    machine_b_daemon = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # alive, here too
    try:
        on_machine("machine-a.example.org")
        machine_a_info = RuntimeInfo(pid=os.getpid(), host="127.0.0.1", port=8716, version="v", started="s")
        write_runtime_info(machine_a_info)
        machine_a_files = {paths.runtime_file(), server.lock_file(), idle.bridges_lock_file()}
        on_machine("Machine-B")
        assert read_runtime_info() is None, "machine B saw machine A's daemon"
        machine_b_info = RuntimeInfo(pid=machine_b_daemon.pid, host="127.0.0.1", port=8717, version="v", started="s")
        write_runtime_info(machine_b_info)
        assert read_runtime_info() == machine_b_info
        machine_b_files = {paths.runtime_file(), server.lock_file(), idle.bridges_lock_file()}
        on_machine("machine-a.example.org")
        assert read_runtime_info() == machine_a_info, "machine B's daemon took machine A's place"
    finally:
        machine_b_daemon.kill()
        machine_b_daemon.wait()
    assert not machine_a_files & machine_b_files, "the machines share a runtime file or a lock"
    shared_run = shared_home_without_runtime_dir / ".local" / "state" / "smallprint" / "run"
    assert {path.parent for path in machine_a_files | machine_b_files} == {shared_run / "machine-a.example.org",
                                                                          shared_run / "machine-b"}


@pytest.mark.parametrize(("hostname", "folder"), [("Laptop.Local", "laptop.local"), ("../../etc", "_.._etc"),
                                                  ("a/b\\c d", "a_b_c_d"), ("", "localhost"), ("..", "localhost")])
def test_a_host_name_makes_a_folder_name_that_stays_in_the_runtime_folder(monkeypatch, hostname, folder):
    monkeypatch.setattr(paths.socket, "gethostname", lambda: hostname)
    assert paths.host_folder_name() == folder


def test_xdg_runtime_dir_is_the_machine_s_own_and_takes_no_host_folder(monkeypatch):
    # XDG_RUNTIME_DIR (or /run/user/UID): a tmpfs of this machine's, as platformdirs accepts it (not under /tmp)
    monkeypatch.delenv("SMALLPRINT_HOME", raising=False)
    machine_runtime = Path(f"/run/user/{os.getuid()}/smallprint")
    monkeypatch.setattr(paths.platformdirs, "user_runtime_dir", lambda *args, **kwargs: str(machine_runtime))
    monkeypatch.setattr(paths.socket, "gethostname", lambda: "machine-a")
    assert paths.runtime_file() == machine_runtime / "daemon.json"
