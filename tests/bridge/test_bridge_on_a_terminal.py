"""`smallprint-bridge` started by a person says what it is and exits 2, instead of waiting for binary frames."""
from __future__ import annotations

import os
import pty
import subprocess

import pytest

from smallprint import __version__

from .harness import bridge_env, bridge_executable


def test_on_a_terminal_it_explains_itself_and_exits_2(tmp_path):
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run([bridge_executable()], stdin=terminal, capture_output=True, text=True, timeout=30,
                                env=bridge_env(tmp_path / "home"))
    finally:
        os.close(controller)
        os.close(terminal)
    assert result.returncode == 2
    assert result.stdout == ""  # stdout is the browser's frame channel: never words there
    assert "native-messaging host" in result.stderr and "smallprint install-host" in result.stderr
    assert __version__ in result.stderr


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_explains_itself_even_on_pipes(tmp_path, flag):
    result = subprocess.run([bridge_executable(), flag], input="", capture_output=True, text=True, timeout=30,
                            env=bridge_env(tmp_path / "home"))
    assert result.returncode == 2 and result.stdout == "" and "not run by hand" in result.stderr


def test_version(tmp_path):
    result = subprocess.run([bridge_executable(), "--version"], input="", capture_output=True, text=True, timeout=30,
                            env=bridge_env(tmp_path / "home"))
    assert result.returncode == 0 and result.stdout.strip() == f"smallprint-bridge {__version__}"
