"""Running the daemon in the foreground: one instance per user, bind, runtime file, logs, graceful shutdown.

Sequence: take the per-user lock (a second `serve` reports the first and fails) -> set up logging -> read (or
create) the API token, or refuse to start -> start the app -> listen (a port in use is a clear error) -> write the
runtime file with the real port -> wait for SIGINT/SIGTERM (or, with --idle-exit, for an idle spell: idle.py) -> remove the runtime file -> let in-flight requests
finish for SHUTDOWN_GRACE_SECONDS, then answer those still running 503 shutting_down -> close the worker pool.
"""
from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import logging.handlers
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, TextIO

from .. import __version__, paths
from ..config import Config
from .connections import (HEADER_SECONDS, AcceptErrorFilter, ConnectionGuard, connection_cap, guarded_site,
                          per_client_cap, raise_descriptor_limit, redirect_stderr_to_log)
from .discovery import RuntimeInfo, now_iso, read_runtime_info, remove_runtime_info, write_runtime_info

log = logging.getLogger("smallprint.daemon")

LOG_FILE_BYTES = 1024 * 1024
LOG_FILE_BACKUPS = 5
# In-flight requests get this long to finish after SIGINT/SIGTERM (`smallprint stop`); those still running are then
# answered 503 shutting_down (middlewares.stop_deadline), for which aiohttp waits ANSWER_SECONDS more before it
# cuts what is left. Short, so that a stop is prompt; analyses take longer only on long policies.
SHUTDOWN_GRACE_SECONDS = 5.0
ANSWER_SECONDS = 2.0


class ServeError(Exception):
    """The daemon cannot start; the message is one line for the user."""


# `smallprint serve` exits with this status, rather than 1, when its address is taken (sysexits' EX_TEMPFAIL): the
# browser's bridge, which started it on the default port, then starts it again on a free one (--port 0).
PORT_IN_USE_STATUS = 75


class PortInUse(ServeError):
    """The port to listen on is taken (EADDRINUSE)."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def lock_file() -> Path:
    return paths.runtime_dir() / "daemon.lock"


# The descriptor of the instance lock a daemon keeps across its own restart on new code (code_watch.py), for the
# process it becomes.
INHERITED_LOCK_ENV = "SMALLPRINT_INSTANCE_LOCK_FD"


class InstanceLock:
    """An advisory lock held for the daemon's lifetime; the OS releases it if the process dies."""

    def __init__(self, path: Path):
        self.path = path
        self._handle = None

    def acquire(self) -> bool:
        paths.ensure(self.path.parent)
        handle = open(self.path, "a+")
        try:
            if os.name == "nt":
                import msvcrt
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the descriptor drops the lock
            self._handle = None

    def keep_across_exec(self) -> None:
        """Let the process this one becomes (os.execv, restarting on new code) hold the lock on without a gap: with
        none held for the second the new code takes to start, a bridge could start another daemon, and the one
        restarting would exit saying one already runs (a terminal's, a service manager's daemon gone). POSIX only:
        elsewhere the lock is released as before."""
        if self._handle is None:
            return
        if os.name == "nt":
            self.release()
            return
        # A second descriptor of the same open file holds the same lock (flock's are the open file's), so the first
        # can close as usual while this one, inheritable, crosses the exec.
        import fcntl

        # at 3 or above: were stderr closed, a plain dup could be descriptor 2, which the restart points at its log
        kept = fcntl.fcntl(self._handle.fileno(), fcntl.F_DUPFD, 3)
        os.set_inheritable(kept, True)
        os.environ[INHERITED_LOCK_ENV] = str(kept)
        self.release()

    def adopt_inherited(self) -> bool:
        """Take over the lock the process before an exec kept for this one (keep_across_exec). The variable is
        taken out of the environment at once, so that no child sees it; a descriptor that is not a lock on this
        very file is not used."""
        named = os.environ.pop(INHERITED_LOCK_ENV, None)
        if named is None or os.name == "nt":
            return False
        try:
            fd = int(named)
            held, ours = os.fstat(fd), os.stat(self.path)
        except (ValueError, OSError):
            return False
        if (held.st_dev, held.st_ino) != (ours.st_dev, ours.st_ino):
            return False
        import fcntl
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours already: the same open file holds it
        except OSError:
            os.close(fd)
            return False
        os.set_inheritable(fd, False)
        self._handle = open(fd, "a+", closefd=True)
        return True


def instance_lock_held() -> bool:
    """Whether a smallprint daemon holds the per-user instance lock, which the OS releases when its holder dies:
    a runtime file naming a live pid is a daemon's only while this is true (the pid may be another program's)."""
    lock = InstanceLock(lock_file())
    if lock.acquire():
        lock.release()
        return False
    return True


# How long `serve` waits for the instance lock while another daemon holds it without a runtime file: one that is
# stopping (it removes its runtime file first, then finishes its requests and exits; `stop` allows it about 7 s) or
# starting. The bridge starts a daemon at once when one stops mid-request; it must not fail because the old one has
# not quite gone.
STOPPING_WAIT_SECONDS = 10.0


def _acquire_after_a_stopping_daemon(lock: InstanceLock) -> bool:
    deadline = time.monotonic() + STOPPING_WAIT_SECONDS
    while not lock.acquire():
        if read_runtime_info() is not None or time.monotonic() >= deadline:
            return False  # a daemon is running (or will not go): already_running_message says which
        time.sleep(0.1)
    return True


def already_running_message() -> str:
    info = read_runtime_info()
    if info is None:
        return f"another smallprint daemon is starting or stopping (lock {lock_file()}); try again in a moment"
    return (f"already running at {info.base_url} (pid {info.pid}); "
            "see `smallprint status`, or stop it before starting another")


class LogFileHandler(logging.handlers.RotatingFileHandler):
    """The rotated log file. One that cannot be written (a full disk) is said once on stderr, naming the file and
    the error, and is then written no more: logging's default prints a ~30-line "--- Logging error ---" traceback
    for every line, which floods the console of a daemon that otherwise works."""

    stopped = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.stopped:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.stopped:
            return
        self.stopped = True
        error = sys.exc_info()[1]
        reason = (error.strerror if isinstance(error, OSError) else None) or error or "unknown error"
        try:
            print(f"smallprint: cannot write the log file {self.baseFilename}: {reason}; the daemon logs no more "
                  "to it until it is restarted", file=sys.stderr, flush=True)
        except Exception:  # stderr gone too: nothing more to tell anyone
            pass
        with contextlib.suppress(Exception):  # its buffer still holds what could not be written
            self.close()


def setup_logging(level: str, console: TextIO | None = sys.stderr) -> Path:
    """Rotating log file in the log dir; the console gets the same lines while running in the foreground."""
    log_path = paths.log_dir() / "daemon.log"
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        paths.ensure(log_path.parent)
        file_handler = LogFileHandler(log_path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS,
                                      encoding="utf-8")
    except OSError as exc:
        raise ServeError(f"cannot open the log file {log_path}: {exc.strerror or exc}") from None
    file_handler.setFormatter(formatter)
    root = logging.getLogger("smallprint")
    root.setLevel(level)
    root.handlers[:] = [file_handler]
    root.propagate = False
    if console is not None:
        console_handler = logging.StreamHandler(console)
        console_handler.setFormatter(logging.Formatter("smallprint: %(message)s"))
        console_handler.setLevel(max(logging.getLevelName(level), logging.INFO))
        # A line the command already tells the person at the console (serve's "listening on ...") stays in the file.
        console_handler.addFilter(lambda record: not getattr(record, "file_only", False))
        root.addHandler(console_handler)
    # Request lines go to the file only: one line per request naming the route (access_log.py).
    access = logging.getLogger("aiohttp.access")
    access.handlers[:] = [file_handler]
    access.setLevel(logging.INFO)
    access.propagate = False
    server_log = logging.getLogger("aiohttp.server")  # aiohttp logs its own internal errors here
    server_log.handlers[:] = [file_handler]
    from .unparsable import UnreadableBodyFilter  # imports aiohttp: only once the daemon is about to serve

    server_log.filters[:] = [UnreadableBodyFilter()]
    server_log.propagate = False
    # asyncio's own errors (a failed accept() among them, every second while descriptors run out) go to the
    # rotated file too, never to stderr; accept failures once a minute.
    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.handlers[:] = [file_handler]
    asyncio_log.filters[:] = [AcceptErrorFilter()]
    asyncio_log.propagate = False
    return log_path


def check_bind_address(host: str, allow_remote: bool) -> None:
    if is_loopback(host):
        return
    if not allow_remote:
        raise ServeError(f"refusing to listen on {host}: it is not a loopback address, so other machines could reach "
                         "the API; pass --allow-remote (or set allow_non_loopback = true) if you really mean it")
    log.warning("listening on non-loopback address %s: other machines can reach the API (the token still applies)",
                host)


def _port_in_use(config: Config, token: str | None) -> PortInUse:
    """The port is taken: by whom, where that can be told. A smallprint daemon whose runtime file is not where this
    one looks (started with another XDG_RUNTIME_DIR, HOME or SMALLPRINT_HOME: a browser's bridge, a terminal) is
    not "another program", and the reader who sees that in the popup would look for the wrong culprit."""
    from .proof import ask_for_proof

    where = f"port {config.port} on {config.host}"
    choose = "pick another with --port N (0 picks a free one) or set `port` in the config file"
    host = f"[{config.host}]" if ":" in config.host else config.host
    answer = ask_for_proof(f"http://{host}:{config.port}", config.port, token or "", timeout=1.0)
    health = answer.health or {}
    if token and answer.proved:
        return PortInUse(f"{where} is already used by a smallprint daemon of yours that recorded its address "
                          f"elsewhere than {paths.runtime_file()} (it was started with another XDG_RUNTIME_DIR, "
                          f"HOME or SMALLPRINT_HOME): stop that daemon, or {choose}")
    if health.get("status") == "ok" and health.get("api") == "v1":
        return PortInUse(f"{where} is already used by another smallprint daemon (another user's, or one with another "
                          f"SMALLPRINT_HOME and token): stop that daemon, or {choose}")
    return PortInUse(f"{where} is already in use by another program; {choose}")


async def _run(config: Config, ready: Callable[[RuntimeInfo], None] | None, token: str | None = None,
               idle_exit_minutes: float | None = None) -> bool:
    """Serve until stopped. Returns True when the daemon stopped to start again on changed code (code_watch.py)."""
    from aiohttp import web

    from .access_log import RouteAccessLogger
    from .app import create_app, on_listening
    from .code_watch import code_fingerprint, restart_when_code_changes
    from .idle import describe_minutes, stop_when_idle
    from .state import ACTIVITY, CONNECTION_GUARD, STOP_DEADLINE, TOKENS

    raise_descriptor_limit()
    code = code_fingerprint()  # what this daemon runs: workers started later import from the same files
    app = create_app(config)
    if token is not None:
        app[TOKENS].prime(token)
    total = connection_cap()
    guard = app[CONNECTION_GUARD] = ConnectionGuard(total=total, per_client=per_client_cap(total))
    runner = web.AppRunner(app, handle_signals=False, access_log=logging.getLogger("aiohttp.access"),
                           access_log_class=RouteAccessLogger, keepalive_timeout=HEADER_SECONDS,
                           shutdown_timeout=SHUTDOWN_GRACE_SECONDS + ANSWER_SECONDS)
    await runner.setup()
    site = guarded_site(runner, config.host, config.port, guard)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            raise _port_in_use(config, token) from None
        raise ServeError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None

    address = runner.addresses[0]
    info = RuntimeInfo(pid=os.getpid(), host=str(address[0]), port=int(address[1]), version=__version__,
                       started=now_iso(), idle_exit_minutes=idle_exit_minutes or None)
    stop = asyncio.Event()
    background_start = None
    idle_watch = None
    code_watch = None
    # "stopped" is said only by a daemon that said "listening": one that failed to start says why, and nothing that
    # reads as if it had run.
    started = False
    # A signal (Ctrl+C, `smallprint stop`) while the daemon stops to start again on new code is obeyed: it stops.
    asked_to_stop = asyncio.Event()

    def on_signal() -> None:
        asked_to_stop.set()
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, on_signal)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt instead
            pass
    try:
        background_start = on_listening(app)
        try:
            write_runtime_info(info)
        except OSError as exc:  # a full or read-only runtime folder: clients could not find this daemon
            raise ServeError(f"cannot write the runtime file {paths.runtime_file()}, through which clients find the "
                             f"daemon: {exc.strerror or exc}") from None
        log.info("listening on %s (pid %d, version %s)", info.base_url, info.pid, info.version,
                 extra={"file_only": ready is not None})
        started = True
        if idle_exit_minutes:
            log.info("exits after %s with no request and no browser's bridge running (--idle-exit)",
                     describe_minutes(idle_exit_minutes))
            idle_watch = asyncio.create_task(stop_when_idle(app[ACTIVITY], idle_exit_minutes * 60, stop))
        code_watch = asyncio.create_task(restart_when_code_changes(app[ACTIVITY], stop, code))
        if ready is not None:
            ready(info)
        else:  # started detached (`--log-file-only`): stderr is a file nobody rotates
            redirect_stderr_to_log(log)
        await stop.wait()
        log.info("stopping: finishing requests in flight (%g s at most)", SHUTDOWN_GRACE_SECONDS)
        loop.call_later(SHUTDOWN_GRACE_SECONDS, app[STOP_DEADLINE].set)
    finally:
        if background_start is not None:
            background_start.cancel()
        if idle_watch is not None:
            idle_watch.cancel()
        restart = code_watch is not None and code_watch.done() and not code_watch.cancelled() \
            and code_watch.exception() is None and code_watch.result()
        if code_watch is not None:
            code_watch.cancel()
        remove_runtime_info(pid=info.pid)
        await runner.cleanup()
        restart = restart and not asked_to_stop.is_set()  # a signal during the shutdown, too
        if started:
            log.info("stopped; starting again on the new code" if restart else "stopped")
    return restart


def _api_token() -> str:
    """The API token, created on first use, before listening: a daemon that cannot read or store it would answer
    every authenticated request with 500."""
    from .. import auth

    try:
        return auth.get_token()
    except OSError as exc:  # auth.TokenStoreError names the file and the cause
        raise ServeError(f"cannot start without the API token: {exc}") from None


def serve(config: Config, *, allow_remote: bool = False, console: TextIO | None = sys.stderr,
          ready: Callable[[RuntimeInfo], None] | None = None, idle_exit_minutes: float | None = None) -> bool:
    """Run the daemon until SIGINT/SIGTERM, or until idle for `idle_exit_minutes` (idle.py) when given. Returns True
    when it stopped because its installed code changed (code_watch.py): the caller then runs the command again.
    Raises ServeError when it cannot start."""
    lock = InstanceLock(lock_file())
    if not (lock.adopt_inherited() or _acquire_after_a_stopping_daemon(lock)):
        raise ServeError(already_running_message())
    restart = False
    try:
        setup_logging(config.log_level, console)
        try:
            check_bind_address(config.host, allow_remote or config.allow_non_loopback)
            restart = asyncio.run(_run(config, ready, _api_token(), idle_exit_minutes))
            return restart
        except ServeError as exc:
            # The log file says why this start failed; the console hears it once, from the command (file_only).
            log.error("start-up failed: %s", exc, extra={"file_only": True})
            raise
    finally:
        if restart:
            lock.keep_across_exec()  # the caller runs the command again in this process (cmd_serve)
        else:
            lock.release()
