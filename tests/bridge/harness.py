"""Drives a real `smallprint-bridge` process over real pipes, the way a browser does.

Every byte the bridge writes to stdout is parsed strictly as frames by a reader thread, so a test can assert
that nothing but frames ever reached stdout.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

LENGTH = struct.Struct("=I")
BROWSER_LIMIT = 1024 * 1024
REPLY_TIMEOUT = 60.0


def bridge_executable() -> str:
    beside = Path(sys.executable).parent / "smallprint-bridge"
    found = str(beside) if beside.exists() else shutil.which("smallprint-bridge")
    assert found, "smallprint-bridge is not installed (pip install -e .)"
    return found


def bridge_env(home: Path, **extra: str) -> dict:
    """An environment isolated under `home`: its own config, token file, runtime file and logs."""
    env = dict(os.environ)
    env.update({
        "SMALLPRINT_HOME": str(home),
        # No desktop keyring in tests: the token lives in the 0600 file under SMALLPRINT_HOME.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def frame(message: object) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return LENGTH.pack(len(body)) + body


class BridgeProcess:
    def __init__(self, env: dict, argv: tuple[str, ...] = ("chrome-extension://abcdefghijklmnopabcdefghijklmnop/",)):
        self.proc = subprocess.Popen([bridge_executable(), *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.frames: "queue.Queue[tuple[int, object] | None]" = queue.Queue()
        self.frame_sizes: list[int] = []
        self.stray_stdout = b""  # bytes on stdout that do not form a whole frame
        self.bad_json: list[bytes] = []
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        self._stderr = b""
        self._err_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._err_reader.start()

    def _read_stdout(self) -> None:
        out = self.proc.stdout
        while True:
            header = out.read(4)
            if len(header) < 4:
                self.stray_stdout += header
                break
            (length,) = LENGTH.unpack(header)
            body = out.read(length)
            if len(body) < length:
                self.stray_stdout += header + body
                break
            self.frame_sizes.append(length)
            try:
                message = json.loads(body.decode("utf-8"))
            except ValueError:
                self.bad_json.append(body)
                continue
            self.frames.put((length, message))
        self.frames.put(None)

    def _read_stderr(self) -> None:
        self._stderr = self.proc.stderr.read()

    # -- sending --------------------------------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: object) -> None:
        self.send_raw(frame(message))

    # -- receiving ------------------------------------------------------------------------------------------

    def next_frame(self, timeout: float = REPLY_TIMEOUT) -> dict:
        item = self.frames.get(timeout=timeout)
        assert item is not None, f"bridge closed stdout; stderr: {self.stderr[-2000:]!r}"
        return item[1]

    def next_reply(self, timeout: float = REPLY_TIMEOUT) -> dict:
        """The next whole reply, reassembling `part` frames as PROTOCOL.md §4 says."""
        message = self.next_frame(timeout)
        if message.get("type") != "part":
            return message
        count, chunks = message["count"], {message["index"]: message["chunk"]}
        while len(chunks) < count:
            part = self.next_frame(timeout)
            assert part["type"] == "part" and part["id"] == message["id"] and part["count"] == count
            chunks[part["index"]] = part["chunk"]
        return json.loads("".join(chunks[i] for i in range(count)))

    def request(self, message: dict, timeout: float = REPLY_TIMEOUT) -> dict:
        self.send(message)
        reply = self.next_reply(timeout)
        assert reply["id"] == message["id"], reply
        return reply

    # -- ending ---------------------------------------------------------------------------------------------

    def close(self, timeout: float = 30.0) -> int:
        """Close stdin (the browser closing the port) and wait for a clean exit."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout)
        self._err_reader.join(timeout)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    def remaining_frames(self) -> list[dict]:
        out = []
        while True:
            item = self.frames.get(timeout=REPLY_TIMEOUT)
            if item is None:
                return out
            out.append(item[1])


def daemon_info(home: Path) -> dict | None:
    """The runtime file of a daemon under `home` if that daemon answers its health check, else None."""
    try:
        info = json.loads((home / "run" / "daemon.json").read_text())
    except (OSError, ValueError):
        return None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{info['host']}:{info['port']}/v1/health", timeout=2) as response:
            if response.status != 200:
                return None
    except OSError:
        return None
    return info


def post_analyze(info: dict, home: Path, payload: dict) -> dict:
    """The daemon's own answer to POST /v1/analyze, asked directly (to compare with what the bridge relays)."""
    token = (home / "config" / "token").read_text().strip()
    request = urllib.request.Request(f"http://{info['host']}:{info['port']}/v1/analyze",
                                     data=json.dumps(payload).encode("utf-8"), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=120) as response:
        return json.loads(response.read())


def get_json(info: dict, home: Path, path: str) -> dict:
    """The daemon's answer to GET `path` (e.g. /v1/sites), with the token."""
    token = (home / "config" / "token").read_text().strip()
    request = urllib.request.Request(f"http://{info['host']}:{info['port']}{path}",
                                     headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=60) as response:
        return json.loads(response.read())


def stop_daemon(home: Path, timeout: float = 15.0) -> None:
    """Stop a daemon that a test (or the bridge) started under `home`, via its runtime file."""
    runtime = home / "run" / "daemon.json"
    try:
        pid = int(json.loads(runtime.read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return
    kill_and_wait(pid, timeout)


def kill_and_wait(pid: int, timeout: float = 15.0, sig: int = signal.SIGTERM) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # A detached child of a dead bridge is reaped by init; one of ours must be reaped here.
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
