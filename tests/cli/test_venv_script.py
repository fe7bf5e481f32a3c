"""scripts/_venv.sh (behind scripts/demo and scripts/test) with an environment made for a checkout that has moved.

After `mv smallprint smallprint2`, `.venv/bin/smallprint` named the old place's Python ("cannot execute: required file
not found") and `scripts/demo` reused the environment as it was, so the README's "run `install-host` again after a
move" could not be followed. The script now makes such an environment again (its reinstall is left to fail here:
no package index in tests)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_venv_script(venv: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SMALLPRINT_VENV": str(venv), "PYTHON": sys.executable,
           "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run(["bash", "-c", '. scripts/_venv.sh ""'], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _installed_environment(venv: Path, made_at: Path, stamp: str) -> Path:
    """An environment as scripts/demo leaves it, made at `made_at` and then moved to `venv`."""
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    launcher = venv / "bin" / "smallprint"
    launcher.write_text(f"#!{made_at}/bin/python\nimport smallprint\n", encoding="utf-8")
    launcher.chmod(0o755)
    (venv / ".smallprint-installed").write_text(stamp, encoding="utf-8")  # newer than pyproject.toml
    return launcher


@pytest.mark.parametrize(("launcher_moved", "stamp"), [
    (True, ""),  # a stamp from before the stamp named the place: the commands still name the old one
    (True, "{root}\n{venv}\n"),
    (False, "{root}-before-the-move\n{venv}\n"),  # SMALLPRINT_VENV stayed, the checkout it imports moved
], ids=["old-stamp", "both-moved", "checkout-moved"])
def test_an_environment_moved_with_its_checkout_is_made_again(tmp_path, launcher_moved, stamp):
    old, venv = tmp_path / "old-place" / ".venv", tmp_path / "new-place" / ".venv"
    launcher = _installed_environment(venv, old if launcher_moved else venv, stamp.format(root=ROOT, venv=venv))
    result = _run_venv_script(venv)
    assert "was made for smallprint at another place" in result.stderr, result.stderr
    assert (venv / "pyvenv.cfg").is_file(), "the environment was not made again"
    assert not launcher.exists(), "the moved environment's commands were kept"


def test_an_environment_in_place_is_reused(tmp_path):
    venv = tmp_path / ".venv"
    launcher = _installed_environment(venv, venv, f"{ROOT}\n{venv}\n")
    result = _run_venv_script(venv)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert launcher.read_text(encoding="utf-8").startswith(f"#!{venv}/bin/python")
