"""`smallprint autostart enable|disable`. On Linux for real: the unit is written into a temporary XDG config folder,
enabled and disabled by the real `systemctl --user` (which links it offline when no user systemd runs, as here)
and checked by `systemd-analyze verify`. The macOS and Windows plans are checked as the files and commands they are."""
from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from smallprint import autostart
from tests.conftest import require

SERVE = [sys.executable, "-m", "smallprint", "serve", "--log-file-only"]


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """HOME, XDG config and runtime folders under tmp_path; no session bus, so systemctl cannot reach a real
    user manager (it would enable the unit in that manager's own folders) and works on the files alone."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_RUNTIME_DIR": str(runtime), "DBUS_SESSION_BUS_ADDRESS": f"unix:path={runtime}/no-bus",
            "SMALLPRINT_HOME": str(tmp_path / "sp-home"), **extra}


def smallprint(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd user unit is Linux's autostart")
def test_enable_and_disable_a_systemd_user_unit(tmp_path):
    require(shutil.which("systemctl") is not None, "systemctl not found (apt-get install systemd)")
    env = isolated_env(tmp_path)
    unit = tmp_path / "config" / "systemd" / "user" / "smallprint.service"
    link = unit.parent / "default.target.wants" / "smallprint.service"

    enabled = smallprint(env, "autostart", "enable")
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.startswith("autostart enabled (systemd)\n")
    assert f"wrote {unit}" in enabled.stdout and "ran: systemctl --user enable smallprint.service" in enabled.stdout
    assert "systemctl --user start smallprint.service" in enabled.stdout
    text = unit.read_text()
    assert f"ExecStart={' '.join(SERVE)}\n" in text
    assert f"Environment=SMALLPRINT_HOME={tmp_path / 'sp-home'}\n" in text and "WantedBy=default.target" in text
    assert link.is_symlink() and link.resolve() == unit
    if shutil.which("systemd-analyze"):  # systemd's own check of the unit: syntax, and ExecStart is executable
        verified = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], env=env, capture_output=True,
                                  text=True, timeout=60)
        assert verified.returncode == 0, verified.stderr

    disabled = smallprint(env, "autostart", "disable")
    assert disabled.returncode == 0, disabled.stderr
    assert f"removed {unit}" in disabled.stdout and "ran: systemctl --user disable smallprint.service" in disabled.stdout
    assert not unit.exists() and not link.is_symlink()
    again = smallprint(env, "autostart", "disable")
    assert again.returncode == 0 and "was not there" in again.stdout


def test_without_systemctl_enable_says_so_and_writes_nothing(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = smallprint(isolated_env(tmp_path, PATH=str(empty)), "autostart", "enable")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("smallprint: autostart enable: ") and "was not found" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "config").exists()


def test_a_path_with_spaces_is_quoted_for_systemd():
    unit = autostart.systemd_unit("/opt/my tools/bin/python3")
    assert 'ExecStart="/opt/my tools/bin/python3" -m smallprint serve --log-file-only\n' in unit


def test_a_dollar_in_smallprint_home_is_kept_as_one_in_the_systemd_environment(monkeypatch):
    """systemd expands $VARIABLES in ExecStart= ("$$" is one dollar) but not in Environment=, where "$$" stayed two
    dollars: the daemon then used another SMALLPRINT_HOME than the one autostart was enabled with."""
    monkeypatch.setenv("SMALLPRINT_HOME", "/home/me/sp$data 100%")
    unit = autostart.systemd_unit("/opt/my $python/bin/python")
    assert 'Environment="SMALLPRINT_HOME=/home/me/sp$data 100%%"\n' in unit, unit
    assert 'ExecStart="/opt/my $$python/bin/python" -m smallprint' in unit, unit


def test_the_macos_launch_agent(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SMALLPRINT_HOME", str(tmp_path / "sp"))
    enable = autostart.plan(True, platform="darwin")
    [(path, text)] = enable.write
    assert path == tmp_path / "Library" / "LaunchAgents" / "org.smallprint.daemon.plist"
    agent = plistlib.loads(text.encode())
    assert agent["Label"] == "org.smallprint.daemon" and agent["ProgramArguments"] == SERVE
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["EnvironmentVariables"] == {"SMALLPRINT_HOME": str(tmp_path / "sp")}
    assert enable.steps[-1].argv == ("launchctl", "bootstrap", f"gui/{os.getuid()}", str(path))
    assert enable.steps[-1].required and not enable.steps[0].required  # unloading an older copy may find none
    disable = autostart.plan(False, platform="darwin")
    assert disable.remove == (path,) and disable.steps[0].argv[:2] == ("launchctl", "bootout")


def test_the_windows_scheduled_task():
    enable = autostart.plan(True, platform="win32")
    [step] = enable.steps
    assert step.argv[:4] == ("schtasks", "/Create", "/TN", "smallprint")
    arguments = dict(zip(step.argv[2::2], step.argv[3::2]))
    assert arguments["/SC"] == "ONLOGON" and arguments["/RL"] == "LIMITED"
    assert arguments["/TR"].endswith("-m smallprint serve --log-file-only") and not enable.write
    [removal] = autostart.plan(False, platform="win32").steps
    assert removal.argv == ("schtasks", "/Delete", "/TN", "smallprint", "/F") and not removal.required
