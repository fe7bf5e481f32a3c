"""smallprint as a user installs it: the wheel built from this checkout (`pip wheel . --no-deps`), installed into a
fresh virtual environment outside the checkout, then `smallprint install-host` and the extension it ships, driven in
headless Chromium with that installation's bridge and daemon on a real policy page."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bridge.harness import daemon_info
from tests.conftest import ROOT

from .harness import ChromiumSession, MARKS_JS, assert_marks_match, files_named_by, painted

REAL_POLICY = "apple/2025-09-23_contrib_5976284"  # ~30 KB of text, from ../shared/data/policies


@dataclass(frozen=True, slots=True)
class Installation:
    venv: Path
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def run(self, *args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
        """One of the installation's own commands, from a folder outside the checkout, with no PYTHONPATH."""
        clean = {k: v for k, v in (env or os.environ).items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run([str(self.bin / args[0]), *args[1:]], cwd=cwd, env=clean, capture_output=True,
                              text=True, timeout=120)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installation:
    """Build the wheel and install it (with its dependencies, as pip or pipx would) into a fresh venv."""
    where = tmp_path_factory.mktemp("wheel-install")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--quiet",
                            "--wheel-dir", str(where / "dist")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, f"pip wheel failed:\n{built.stderr[-3000:]}"
    [wheel] = (where / "dist").glob("smallprint-*.whl")
    environment = where / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    done = subprocess.run([str(environment / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                          cwd=where, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"pip install of the wheel failed:\n{done.stderr[-3000:]}"
    return Installation(environment, wheel)


def installed_extension_dir(installation: Installation, cwd: Path) -> Path:
    found = installation.run("python", "-c", "from smallprint_bridge.install import default_extension_dir as d;"
                             " print(d())", cwd=cwd)
    assert found.returncode == 0, found.stderr
    return Path(found.stdout.strip())


def test_the_wheel_carries_the_extension_and_install_host_finds_every_file(installed, tmp_path):
    user = tmp_path / "user"
    env = {**os.environ, "HOME": str(user), "SMALLPRINT_HOME": str(tmp_path / "sp-home")}
    result = installed.run("smallprint", "install-host", "--browser", "chromium", "--browser", "firefox",
                           "--target-dir", str(tmp_path / "hosts"), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr

    extension = installed_extension_dir(installed, tmp_path)
    assert extension.is_relative_to(installed.venv), f"{extension} is not the installed copy"
    assert str(extension) in result.stdout  # the load instructions name the installed extension
    manifest = json.loads((extension / "manifest.json").read_text(encoding="utf-8"))
    named = files_named_by(manifest)
    assert "background.js" in named and "popup.html" in named
    missing = [name for name in named if not (extension / name).is_file()]
    assert not missing, f"the installed extension lacks {missing}"
    source_files = {p.relative_to(ROOT / "extension-bridge" / "extension").as_posix()
                    for p in (ROOT / "extension-bridge" / "extension").rglob("*") if p.is_file() and p.name != "README.md"}
    assert {p.relative_to(extension).as_posix() for p in extension.rglob("*") if p.is_file()} == source_files

    for browser, allowed in (("chromium", "allowed_origins"), ("firefox", "allowed_extensions")):
        host = json.loads((tmp_path / "hosts" / browser / "org.smallprint.bridge.json").read_text())
        assert host["path"] == str(installed.bin / "smallprint-bridge") and host[allowed]
        assert os.access(host["path"], os.X_OK)


@pytest.mark.browser
def test_the_installed_extension_and_bridge_highlight_a_real_policy_in_chromium(installed, playwright_driver,
                                                                                page_server, bridge_home, tmp_path,
                                                                                shared_data):
    profile = tmp_path / "chromium-profile"
    hosts = profile / "NativeMessagingHosts"
    # The browser passes its environment to the bridge: keep everything under the test's home, and let the daemon
    # the installed bridge starts take any free port (other test runs may hold the default one).
    env = {**os.environ, "SMALLPRINT_HOME": str(bridge_home),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "SMALLPRINT_BRIDGE_START_TIMEOUT": "60",
           "SMALLPRINT_DAEMON_COMMAND": f"{installed.bin / 'python'} -m smallprint serve --port 0 --log-file-only"}
    env.pop("PYTHONPATH", None)
    written = installed.run("smallprint", "install-host", "--browser", "chromium", "--target-dir", str(hosts),
                            cwd=tmp_path, env=env)
    assert written.returncode == 0, written.stderr
    assert json.loads((hosts / "org.smallprint.bridge.json").read_text())["path"] == str(installed.bin / "smallprint-bridge")

    extension = installed_extension_dir(installed, tmp_path)
    browser = ChromiumSession(playwright_driver, profile, extension_dir=extension, env=env)
    try:
        url = f"{page_server}/policies/{REAL_POLICY}.html"
        page, state = browser.open_until(url, painted, "the installed extension to paint a real policy")
        assert state["kind"] == "privacy_policy" and state["highlights"]
        assert_marks_match(page.evaluate(MARKS_JS), state["highlights"])
        info = daemon_info(bridge_home)
        assert info is not None, "the installed bridge did not start a daemon"
        command = Path(f"/proc/{info['pid']}/cmdline").read_bytes().split(b"\0")
        assert command[0].decode() == str(installed.bin / "python"), "the daemon is not the installed one"
    finally:
        browser.close()
