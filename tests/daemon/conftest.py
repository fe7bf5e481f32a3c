"""Fixtures for the daemon tests: an in-process app on a real loopback socket, and a real `smallprint serve`.

`api` drives the app through aiohttp's test client (a real TCP server on 127.0.0.1). `daemon` spawns
`python -m smallprint serve` as a subprocess with an isolated SMALLPRINT_HOME and a chosen keyring backend.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from smallprint.config import Config
from smallprint.daemon.app import create_app

TOKEN = "test-token-for-the-daemon"
PLAINTEXT_KEYRING = "keyrings.alt.file.PlaintextKeyring"
FAIL_KEYRING = "keyring.backends.fail.Keyring"
STARTUP_TIMEOUT = 30.0


def auth_headers(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_api(aiohttp_client, smallprint_home):
    """make_api(**config overrides, optional_modules=(...)) -> a test client for a fresh app with token TOKEN."""
    async def make(optional_modules=(), **overrides):
        config = Config().replace(**{"worker_mode": "thread", **overrides})
        app = create_app(config, token=TOKEN, optional_modules=optional_modules)
        return await aiohttp_client(app)
    return make


@pytest_asyncio.fixture
async def api(make_api):
    return await make_api()


def assert_error(body: dict, code: str) -> None:
    """The one error envelope: {"error": {"code", "message"}} and nothing else."""
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def subprocess_env(home: Path, keyring_backend: str = PLAINTEXT_KEYRING, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SMALLPRINT_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = keyring_backend
    # keyrings.alt's file backends and keyring's own config live under XDG dirs: keep them inside the test home.
    env["XDG_DATA_HOME"] = str(home / "xdg-data")
    env["XDG_CONFIG_HOME"] = str(home / "xdg-config")
    env.update(extra)
    return env


def run_cli(home: Path, *args: str, keyring_backend: str = PLAINTEXT_KEYRING, timeout: float = 60,
            **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], env=subprocess_env(home, keyring_backend,
                          **extra_env), capture_output=True, text=True, timeout=timeout)


@dataclass
class DaemonProcess:
    process: subprocess.Popen
    home: Path
    keyring_backend: str
    info: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.info['port']}"

    def token(self, env_extra: dict[str, str] | None = None) -> str:
        result = run_cli(self.home, "token", keyring_backend=self.keyring_backend, **(env_extra or {}))
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def request(self, method: str, path: str, body: dict | bytes | None = None, token: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def wait_for_runtime_file(home: Path, process: subprocess.Popen, timeout: float = STARTUP_TIMEOUT) -> dict:
    runtime = home / "run" / "daemon.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"daemon exited with {process.returncode}: {process.stderr.read()}")
        if runtime.exists():
            try:
                info = json.loads(runtime.read_text())
            except ValueError:
                info = None
            if info and info.get("pid") == process.pid:
                return info
        time.sleep(0.05)
    raise AssertionError("daemon did not write its runtime file in time")


def start_daemon(home: Path, *args: str, keyring_backend: str = PLAINTEXT_KEYRING,
                 env_extra: dict[str, str] | None = None) -> DaemonProcess:
    process = subprocess.Popen([sys.executable, "-m", "smallprint", "serve", *args],
                               env=subprocess_env(home, keyring_backend, **(env_extra or {})), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    daemon = DaemonProcess(process, home, keyring_backend)
    try:
        daemon.info = wait_for_runtime_file(home, process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return daemon


@pytest.fixture
def daemon_factory(tmp_path):
    """start(*serve args, keyring_backend=..., home=...) -> a running DaemonProcess, stopped after the test."""
    started: list[DaemonProcess] = []

    def start(*args: str, keyring_backend: str = PLAINTEXT_KEYRING, home: Path | None = None,
              env_extra: dict[str, str] | None = None) -> DaemonProcess:
        daemon = start_daemon(home or tmp_path / "sp-home", *args, keyring_backend=keyring_backend,
                              env_extra=env_extra)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        if daemon.process.poll() is None:
            daemon.process.terminate()
            try:
                daemon.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.process.kill()
                daemon.process.wait()
        for stream in (daemon.process.stdout, daemon.process.stderr):
            stream.close()


@pytest.fixture
def daemon(daemon_factory):
    return daemon_factory("--port", "0")
