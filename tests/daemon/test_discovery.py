"""The runtime file that tells clients where the daemon listens."""
from __future__ import annotations

import os
import subprocess
import sys

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
    assert result.returncode in (0, 3), result.stderr  # running or not: the runtime folder is per user, not per HOME
    assert result.stderr == ""
