"""Talks to the daemon's loopback API for the bridge, and starts a daemon when none is running.

The daemon is started detached (its own session, no inherited stdio) because the browser kills the bridge
when the extension's port closes, and the daemon must outlive that. Requests go straight to the loopback
address from the runtime file, never through a proxy (urllib would otherwise honour http_proxy).
"""
from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import re
import shlex
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from smallprint import auth, paths
from smallprint.daemon.discovery import RuntimeInfo, read_runtime_info
from smallprint.daemon.idle import BRIDGE_IDLE_MINUTES
from smallprint.daemon.proof import HealthAnswer, ask_for_proof
from smallprint.daemon.tokens import MIN_RELOAD_SECONDS

from .errors import FORGET_HINTS, BridgeError
from .framing import json_utf8

log = logging.getLogger("smallprint_bridge.daemon")

HEALTH_TIMEOUT = 2.0
# A daemon that answered health this recently is trusted without asking again.
HEALTH_FRESH_SECONDS = 5.0
POLL_INTERVAL = 0.1
# The daemon re-reads its token store at most every MIN_RELOAD_SECONDS (smallprint.daemon.tokens), for a proof and for
# a token it does not know: a proof or a 401 that may come from a token rotated a moment ago is asked again only once
# that interval has surely passed, or the second answer would be the first one again.
TOKEN_RELOAD_WAIT = MIN_RELOAD_SECONDS + 0.2
_STDERR_TAIL = 400
_START_LOG_LIMIT = 1_000_000
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Connection failures that mean "the daemon went away or restarted": worth one retry.
_BROKEN = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine, http.client.IncompleteRead)


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


DEFAULT_START_TIMEOUT = 15.0
DEFAULT_REQUEST_TIMEOUT = 120.0


def default_daemon_command() -> tuple[str, ...]:
    """`smallprint serve` of this very installation (the browser starts us without an activated venv). Its stderr
    goes to daemon-start.log for its whole life, so it logs to its rotated log file only. It exits once idle with
    no browser running (smallprint.daemon.idle); the next request starts another."""
    return (sys.executable, "-m", "smallprint", "serve", "--log-file-only", "--idle-exit", f"{BRIDGE_IDLE_MINUTES:g}")


@dataclass(frozen=True, slots=True)
class DaemonSettings:
    start_timeout: float = DEFAULT_START_TIMEOUT
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    command: tuple[str, ...] = field(default_factory=default_daemon_command)

    @classmethod
    def from_env(cls) -> "DaemonSettings":
        override = os.environ.get("SMALLPRINT_DAEMON_COMMAND", "").strip()
        return cls(start_timeout=_env_float("SMALLPRINT_BRIDGE_START_TIMEOUT", DEFAULT_START_TIMEOUT),
                   request_timeout=_env_float("SMALLPRINT_BRIDGE_REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT),
                   command=tuple(shlex.split(override)) if override else default_daemon_command())


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: object  # decoded JSON, or None when the body was not JSON


def _request(info: RuntimeInfo, method: str, route: str, *, timeout: float, token: str | None = None,
             payload: bytes | None = None) -> HttpReply:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if payload is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(info.base_url + route, data=payload, method=method, headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except urllib.error.URLError as exc:
        # urllib wraps connect-time errors; unwrap so the caller sees ConnectionRefusedError, TimeoutError...
        if isinstance(exc.reason, BaseException):
            raise exc.reason from None
        raise ConnectionError(str(exc.reason)) from None
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        body = None
    return HttpReply(status, body)


@dataclass(frozen=True, slots=True)
class Found:
    """What answers at the runtime file's address: `info` (None: no runtime file), its `health` answer (None: nothing
    answered) and whether it `proved` it holds our token (smallprint.daemon.proof)."""
    info: RuntimeInfo | None
    health: dict | None = None
    proved: bool = False

    @property
    def unproved(self) -> bool:
        """Something answers its health check there, but cannot prove it holds our token: a daemon reading another
        token store, or whoever listens on the port a killed daemon's runtime file names."""
        return self.health is not None and not self.proved


def _ask(info: RuntimeInfo) -> HealthAnswer:
    try:
        token = auth.get_token()
    except Exception as exc:
        raise BridgeError("unauthorized", f"could not read the API token: {exc}") from None
    return ask_for_proof(info.base_url, info.port, token, timeout=HEALTH_TIMEOUT)


def _look(*, patient: bool) -> Found:
    """Ask the daemon the runtime file names to prove it holds our token. A runtime file left by a killed daemon
    may name a port that another local user now listens on, and it must get neither the token nor the page. With
    `patient`, an answer without the proof is asked once more after TOKEN_RELOAD_WAIT: the daemon may still hold the
    token that `smallprint token --rotate` replaced a moment ago."""
    info = read_runtime_info()
    if info is None:
        return Found(None)
    answer = _ask(info)
    if patient and answer.health is not None and not answer.proved:
        time.sleep(TOKEN_RELOAD_WAIT)
        if (again := read_runtime_info()) is None:
            return Found(None)
        info, answer = again, _ask(again)
    if answer.health is not None and not answer.proved:
        log.warning("%s answers but cannot prove it holds the API token: not our daemon; sending it nothing",
                    info.base_url)
    return Found(info, answer.health, answer.proved)


class _PortTaken(Exception):
    """The daemon exited at start-up because its port is taken; `error` is the daemon_start_failed that says so."""

    def __init__(self, error: BridgeError):
        super().__init__(str(error))
        self.error = error


def _may_pick_the_port(command: tuple[str, ...]) -> bool:
    """Whether a daemon that found its port taken may be started again on a free one: only this bridge's own
    command (SMALLPRINT_DAEMON_COMMAND is the environment's choice) with no `port` in the config file. A port someone
    chose is never changed behind their back: its clear error stands."""
    if tuple(command) != default_daemon_command():
        return False
    try:
        from smallprint.config import load_config

        return "port" not in load_config().set_in_file
    except Exception:  # a config that cannot be read: the daemon said why it did not start, and that stands
        return False


def _smallprint_daemon_runs() -> bool:
    """Whether a smallprint daemon holds the per-user instance lock (so one runs, whatever it answers)."""
    try:
        from smallprint.daemon.server import instance_lock_held

        return instance_lock_held()
    except Exception:  # cannot tell: the caller treats it as "perhaps not"
        log.exception("could not check the daemon's instance lock")
        return False


def _refusal(found: Found) -> BridgeError | None:
    """`unauthorized` when a smallprint daemon runs (it holds the instance lock) and answers at its runtime file's
    address without proving it holds our token; None when all is well or what answers is no smallprint daemon (a
    killed daemon's port someone else took: another daemon can start, and is started)."""
    if found.unproved and _smallprint_daemon_runs():
        return _not_ours(found.info)
    return None


def _not_ours(info: RuntimeInfo) -> BridgeError:
    """A smallprint daemon runs, but cannot prove it holds the token this bridge reads: starting another one would
    only fail ("already running"), and sending it the token and the page is what the proof is there to prevent."""
    try:
        store = auth.token_store_name()
    except Exception:
        store = "its token store"
    return BridgeError(
        "unauthorized",
        f"a smallprint daemon is running at {info.base_url} (pid {info.pid}) that does not hold this bridge's API "
        f"token ({store}): stop it with `smallprint stop` and the next page starts one that does, or check which "
        "token store each uses (`smallprint status`, `smallprint token`)",
        {"daemon_pid": info.pid, "token_store": store})


@contextlib.contextmanager
def _start_lock():
    """Serialise daemon starts between bridges (two browsers may start at once). Best effort off POSIX."""
    lock_path = paths.ensure(paths.runtime_dir()) / "bridge-start.lock"
    with open(lock_path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: the daemon's own single-instance check still prevents two daemons
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class DaemonClient:
    """Thread-safe: the host serves a few requests at once; starting a daemon is serialised."""

    def __init__(self, settings: DaemonSettings | None = None):
        self.settings = settings or DaemonSettings.from_env()
        self._lock = threading.Lock()
        self._trusted: tuple[RuntimeInfo, float] | None = None
        self._children: list[subprocess.Popen] = []  # daemons we started, reaped so none lingers as a zombie

    # -- discovery ---------------------------------------------------------------------------------------

    def running(self) -> tuple[RuntimeInfo, dict] | None:
        """The running daemon and its health answer, or None."""
        found = self._look(patient=False)
        return (found.info, found.health) if found.proved else None

    def _look(self, *, patient: bool) -> Found:
        self._reap()
        found = _look(patient=patient)
        if found.proved:
            self._trusted = (found.info, time.monotonic())
        return found

    def _reap(self) -> None:
        # A dead child that is not waited for still "exists" for os.kill(pid, 0), which would make its stale
        # runtime file look alive.
        self._children = [child for child in self._children if child.poll() is None]

    def _fresh(self) -> RuntimeInfo | None:
        trusted = self._trusted
        if trusted and time.monotonic() - trusted[1] < HEALTH_FRESH_SECONDS:
            return trusted[0]
        return None

    def ensure_running(self, *, trust_recent: bool = True) -> RuntimeInfo:
        if trust_recent and (info := self._fresh()) is not None:
            return info
        if (found := self._look(patient=True)).proved:
            return found.info
        with self._lock, _start_lock():
            found = self._look(patient=False)  # another thread or bridge may have started one meanwhile
            if found.proved:
                return found.info
            if (refusal := _refusal(found)) is not None:
                # A daemon that reads another token store (a terminal's keyring, the browser's 0600 file): another
                # `serve` would only say "already running".
                raise refusal
            return self._start()

    def _start(self) -> RuntimeInfo:
        command = list(self.settings.command)
        try:
            return self._launch(command)
        except _PortTaken as taken:
            if not _may_pick_the_port(self.settings.command):
                raise taken.error from None
            # The default port is someone else's (another user's daemon on a shared machine, another program):
            # clients find the daemon through its runtime file, so any free port serves as well.
            log.warning("the default port is taken (%s); starting the daemon on a free port instead", taken.error)
            return self._launch(command + ["--port", "0"])

    def _launch(self, command: list[str]) -> RuntimeInfo:
        """Run `command` and wait until the daemon it starts proves it holds our token. Raises _PortTaken when it
        exits saying its port is taken (PORT_IN_USE_STATUS), else BridgeError when it fails."""
        log_file = paths.ensure(paths.log_dir()) / "daemon-start.log"
        log.info("no daemon answers; starting %s", shlex.join(command))
        # The daemon's stderr stays attached to this file for its lifetime; start afresh once it gets large.
        mode = "wb" if log_file.exists() and log_file.stat().st_size > _START_LOG_LIMIT else "ab"
        with open(log_file, mode) as err:
            offset = err.tell()
            try:  # cwd: the root always exists, and the daemon must not keep the browser's folder busy
                process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                    cwd=os.path.abspath(os.sep), close_fds=True, **_detached())
            except OSError as exc:
                raise BridgeError("daemon_start_failed", f"could not run {command[0]}: {exc.strerror or exc}") from None
        self._children.append(process)
        deadline = time.monotonic() + self.settings.start_timeout
        found = Found(None)
        while time.monotonic() < deadline:
            if (found := self._look(patient=False)).proved:
                log.info("daemon ready: pid %s on %s", found.info.pid, found.info.base_url)
                return found.info
            code = process.poll()
            if code is not None:
                # It exited: nothing it started will become healthy. Whatever runs now runs already (another daemon
                # it found, say, while it said "already running"): asked once more, then the answer is final.
                if (found := self._look(patient=True)).proved:
                    log.info("daemon ready: pid %s on %s", found.info.pid, found.info.base_url)
                    return found.info
                if (refusal := _refusal(found)) is not None:
                    raise refusal
                tail = _tail(log_file, offset)
                error = BridgeError("daemon_start_failed",
                                    f"the smallprint daemon exited with status {code} while starting"
                                    + (f": {tail}" if tail else ""), {"exit_status": code})
                from smallprint.daemon.server import PORT_IN_USE_STATUS

                raise _PortTaken(error) if code == PORT_IN_USE_STATUS else error
            time.sleep(POLL_INTERVAL)
        if process.poll() is None:
            process.terminate()  # ours, and useless: a later request starts a fresh one
        if (refusal := _refusal(found)) is not None:
            raise refusal
        tail = _tail(log_file, offset)
        raise BridgeError("daemon_start_failed",
                          f"the smallprint daemon did not become ready within {self.settings.start_timeout:g} s"
                          + (f": {tail}" if tail else ""))

    # -- requests ---------------------------------------------------------------------------------------

    def status(self) -> dict:
        found = self._look(patient=True)
        if found.proved:
            daemon = {"running": True, **found.info.to_dict(), "holds_token": True}
            if isinstance(found.health.get("version"), str):
                daemon["version"] = found.health["version"]
        elif found.unproved:
            # What the runtime file names answers without the proof: a smallprint daemon reading another token store
            # when one holds the instance lock (running, but refusing this bridge), else not smallprint's at all.
            ours = _smallprint_daemon_runs()
            daemon = {"running": ours, **found.info.to_dict(), "version": None, "holds_token": False}
            if not ours:
                daemon["idle_exit_minutes"] = None
        else:
            daemon = {"running": False, "host": None, "port": None, "pid": None, "version": None, "started": None,
                      "idle_exit_minutes": None, "holds_token": None}
        try:
            store = auth.token_store_name()
        except Exception:  # a broken keyring must not break status
            store = None
        return {"daemon": daemon, "token_store": store}

    def analyze(self, payload: dict) -> dict:
        """POST /v1/analyze; the daemon's JSON answer."""
        return _answer(self._call("POST", "/v1/analyze", json_utf8(json.dumps(payload, ensure_ascii=False))))

    def forget(self, site: str | None) -> dict:
        """DELETE /v1/sites/{site}, or DELETE /v1/sites (everything) when `site` is None; the daemon's JSON answer.
        Forgetting twice forgets nothing more, so it is retried as an analysis is."""
        try:
            return self._forget(site)
        except BridgeError as exc:
            if exc.hint is None and exc.code in FORGET_HINTS:  # a forget that timed out is no long page
                exc.hint = FORGET_HINTS[exc.code]
            raise

    def _forget(self, site: str | None) -> dict:
        # (a lone surrogate, which no site name holds, goes as its bytes: the daemon finds no site in them)
        named = "" if site is None else "/" + urllib.parse.quote(site, safe="", errors="surrogatepass")
        reply = self._call("DELETE", f"/v1/sites{named}", what="forgetting")
        error = _daemon_code(reply)
        if reply.status == 404 and error == "not_found" and site is not None:
            raise BridgeError("not_a_site", f"nothing can be remembered under {site[:200]!r}: it is not a site name",
                              {"http_status": 404, "daemon_code": error})
        if error == "history_unavailable":  # the daemon's memory was forgotten all the same (its message says so)
            raise BridgeError("history_unavailable", f"the policy memory could not be changed: "
                                                     f"{reply.body['error'].get('message') or 'HTTP 503'}",
                              {"http_status": reply.status, "daemon_code": error})
        return _answer(reply, what="forgetting")

    def _call(self, method: str, route: str, body: bytes | None = None, *, what: str = "the analysis") -> HttpReply:
        """One request to the daemon, started if none runs. Retries once after a broken connection or a daemon
        stopping mid-request (waiting for a daemon again), and once after a 401 (reading the token again)."""
        info = self.ensure_running()
        retried_connection = retried_token = False
        while True:
            try:
                token = auth.get_token()
            except Exception as exc:
                raise BridgeError("unauthorized", f"could not read the API token: {exc}") from None
            try:
                reply = _request(info, method, route, timeout=self.settings.request_timeout,
                                 token=token, payload=body)
            except TimeoutError:
                raise BridgeError("timeout", f"the daemon did not finish {what} within "
                                             f"{self.settings.request_timeout:g} s") from None
            except (_BROKEN + (OSError,)) as exc:
                self._trusted = None
                if retried_connection:
                    raise BridgeError("daemon_unavailable",
                                      f"the daemon went away during the request and again after a retry ({exc})") from None
                retried_connection = True
                log.warning("connection to the daemon broke (%s); waiting for a daemon and retrying once", exc)
                info = self.ensure_running(trust_recent=False)
                continue
            if reply.status == 401 and not retried_token:
                # The token may have been rotated since the daemon last read it; it reads its store again for an
                # unknown token at most every MIN_RELOAD_SECONDS, and may just have (a rotation a moment before).
                retried_token = True
                log.info("the daemon refused the API token; reading it again in %.1f s", TOKEN_RELOAD_WAIT)
                time.sleep(TOKEN_RELOAD_WAIT)
                continue
            if _shutting_down(reply) and not retried_connection:
                # the daemon was stopped while it answered (`smallprint stop`, a restart): the same as a connection
                # that broke, so the request (a page to read) is sent once more to the daemon that comes up next
                retried_connection = True
                self._trusted = None
                log.warning("the daemon stopped during the request; waiting for a daemon and retrying once")
                info = self.ensure_running(trust_recent=False)
                continue
            return reply


def _daemon_code(reply: HttpReply) -> str | None:
    """The `code` of the daemon's error envelope, if its answer is one."""
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def _shutting_down(reply: HttpReply) -> bool:
    return reply.status == 503 and _daemon_code(reply) == "shutting_down"


def _answer(reply: HttpReply, what: str = "the analysis") -> dict:
    if reply.status == 200 and isinstance(reply.body, dict):
        return reply.body
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    daemon_code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    detail = {"http_status": reply.status, "daemon_code": daemon_code}
    text = message or f"HTTP {reply.status}"
    if reply.status == 401:
        raise BridgeError("unauthorized", f"the daemon refused the API token: {text}", detail)
    # Too big for the daemon: its body limit (413: max_body_bytes, or over 4,000,000 characters, which more than
    # 200,000 blocks always are) or the engine's input limit (422 input_too_large: 2,000,000 characters of text).
    # The message names the limit.
    if reply.status == 413 or daemon_code == "input_too_large":
        raise BridgeError("too_large", f"the page is too large for smallprint: {text}", detail)
    if reply.status in (400, 422):
        raise BridgeError("bad_request", f"the daemon refused the request: {text}", detail)
    if reply.status in (408, 504) or daemon_code in ("timeout", "analysis_timeout"):
        raise BridgeError("timeout", f"the daemon gave up on {what}: {text}", detail)
    if daemon_code == "shutting_down":
        raise BridgeError("daemon_unavailable", f"the daemon stopped during the request, twice: {text}", detail)
    raise BridgeError("daemon_error", f"the daemon answered with an error: {text}", detail)


def _detached() -> dict:
    if os.name == "nt":
        flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        return {"creationflags": flags}
    return {"start_new_session": True}


def _tail(log_file: Path, offset: int) -> str:
    """The last line the failed start wrote to stderr, for the error message."""
    try:
        with open(log_file, "rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The log is shared with what an earlier, killed daemon left running: its multiprocessing resource tracker may
    # write a warning about leaked semaphores when it exits, which says nothing about why this start failed.
    reasons = [line for line in lines if not _PYTHON_WARNING.search(line)]
    lines = reasons or lines
    return lines[-1][-_STDERR_TAIL:] if lines else ""


_PYTHON_WARNING = re.compile(r"^warnings\.warn\(|\b\w*Warning: ")
