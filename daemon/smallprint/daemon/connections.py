"""Connection limits: no local user can make the daemon unreachable by holding its connections open.

1,100 half-sent requests used to exhaust a 1,024-descriptor limit: health checks timed out, and every failed
accept() logged a traceback. So:
- each client may hold at most PER_CLIENT connections and all together at most TOTAL (beyond that a new connection
  is closed at once: accept() itself keeps working). A client is the local user that owns the peer socket (Linux,
  read from /proc/net/tcp only once many connections are open), else the peer address;
- a connection that has not sent a whole request's headers within HEADER_SECONDS of opening (or of its last
  answer) is closed; a body must arrive within BODY_SECONDS (views.read_json_object);
- the soft descriptor limit is raised to the hard one at start;
- a failed accept() is logged once per ACCEPT_LOG_INTERVAL with a count, not as one traceback per try.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter
from typing import Callable

log = logging.getLogger("smallprint.daemon")

TOTAL = 256
PER_CLIENT = 64
BACKLOG = 64  # connections the kernel queues, and asyncio accepts in one go
# Look a peer's owner up only past this many open connections: cheap for everyday use, exact under a flood.
LOOKUP_OWNER_ABOVE = 16
HEADER_SECONDS = 10.0
BODY_SECONDS = 30.0
ACCEPT_LOG_INTERVAL = 60.0


def raise_descriptor_limit() -> None:
    """Soft RLIMIT_NOFILE up to the hard limit (where the platform has one)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (OSError, ValueError):
            pass


def connection_cap() -> int:
    """TOTAL, or a quarter of the descriptors this process may open if that is fewer: the rest is for the
    connections accepted in one burst before the cap closes them (up to BACKLOG), the listening socket, the
    workers, the store and the logs, so accept() never runs out."""
    try:
        import resource
    except ImportError:
        return TOTAL
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return TOTAL if soft == resource.RLIM_INFINITY else max(8, min(TOTAL, soft // 4))


def per_client_cap(total: int) -> int:
    """A client may hold a quarter of all connections: others still get in while one holds its share."""
    return max(2, min(PER_CLIENT, total // 4))


def _hex_address(host: str, port: int) -> str | None:
    """The /proc/net/tcp spelling of an IPv4 loopback endpoint ("0100007F:1F90"), or None for others."""
    parts = host.split(".")
    if len(parts) != 4:
        return None
    try:
        return "".join(f"{int(p):02X}" for p in reversed(parts)) + f":{port:04X}"
    except ValueError:
        return None


def socket_owner(peer: tuple, local: tuple) -> int | None:
    """The uid owning the other end of a loopback TCP connection (Linux), or None when it cannot be told."""
    host = peer[0].removeprefix("::ffff:")
    theirs, ours = _hex_address(host, peer[1]), _hex_address(local[0].removeprefix("::ffff:"), local[1])
    if theirs is None or ours is None:
        return None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as lines:
                next(lines, None)
                for line in lines:
                    fields = line.split()
                    # their socket: its local address is our peer, its remote address is us
                    if len(fields) > 7 and fields[1].endswith(theirs) and fields[2].endswith(ours):
                        return int(fields[7])
        except OSError:
            return None
    return None


class ConnectionGuard:
    """Counts open connections per client and wraps each accepted protocol (see the module's docstring)."""

    def __init__(self, total: int = TOTAL, per_client: int = PER_CLIENT, header_seconds: float = HEADER_SECONDS):
        self.total = total
        self.per_client = per_client
        self.header_seconds = header_seconds
        self.open: Counter = Counter()
        self.refused = 0
        self._transports: dict[asyncio.BaseTransport, "GuardedProtocol"] = {}

    def client_of(self, transport: asyncio.BaseTransport) -> object:
        peer = transport.get_extra_info("peername")
        if not isinstance(peer, tuple):
            return "local"
        if sum(self.open.values()) >= LOOKUP_OWNER_ABOVE:
            local = transport.get_extra_info("sockname")
            owner = socket_owner(peer, local) if isinstance(local, tuple) else None
            if owner is not None:
                return ("uid", owner)
        return ("address", peer[0])

    def admit(self, client: object) -> bool:
        if sum(self.open.values()) >= self.total or self.open[client] >= self.per_client:
            self.refused += 1
            if self.refused == 1 or self.refused % 100 == 0:
                log.warning("refused a connection from %s: %d open from it, %d in all (refused %d so far)",
                            client, self.open[client], sum(self.open.values()), self.refused)
            return False
        self.open[client] += 1
        return True

    def release(self, client: object) -> None:
        self.open[client] -= 1
        if self.open[client] <= 0:
            del self.open[client]

    def wrap(self, factory: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        return lambda: GuardedProtocol(self, factory())

    # Called by the request middleware: a request's headers have arrived, then its answer has been sent.
    def request_started(self, transport: asyncio.BaseTransport | None) -> None:
        guarded = self._transports.get(transport) if transport is not None else None
        if guarded is not None:
            guarded.disarm()

    def request_finished(self, transport: asyncio.BaseTransport | None) -> None:
        guarded = self._transports.get(transport) if transport is not None else None
        if guarded is not None:
            guarded.arm()


class GuardedProtocol(asyncio.Protocol):
    """aiohttp's request handler behind the guard's admission and header deadline."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol):
        self.guard = guard
        self.inner = inner
        self.client: object = None
        self.transport: asyncio.BaseTransport | None = None
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        client = self.guard.client_of(transport)
        if not self.guard.admit(client):
            transport.abort()
            return
        self.client, self.transport = client, transport
        self.guard._transports[transport] = self
        self.arm()
        self.inner.connection_made(transport)

    def arm(self) -> None:
        self.disarm()
        self._deadline = asyncio.get_running_loop().call_later(self.guard.header_seconds, self._too_slow)

    def disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()  # headers not sent in time (or an idle keep-alive connection): free the slot

    def data_received(self, data: bytes) -> None:
        if self.client is not None:
            self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.client is not None else None

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.client is None:
            return
        self.disarm()
        self.guard._transports.pop(self.transport, None)
        self.guard.release(self.client)
        self.client = None
        self.inner.connection_lost(exc)


class AcceptErrorFilter(logging.Filter):
    """Lets asyncio's "socket.accept() out of system resource" through once per interval, as one line with the
    number of failures since the last one (asyncio retries every second, each time with a traceback)."""

    def __init__(self, interval: float = ACCEPT_LOG_INTERVAL):
        super().__init__()
        self.interval = interval
        self._last = float("-inf")
        self._suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith("socket.accept() out of system resource"):
            return True
        now = time.monotonic()
        if now - self._last < self.interval:
            self._suppressed += 1
            return False
        error = record.exc_info[1] if record.exc_info else None
        record.msg = (f"accepting connections failed ({error or 'out of resources'}); "
                      f"{self._suppressed} more such failures since the last report")
        record.args, record.exc_info, record.exc_text = (), None, None
        self._last, self._suppressed = now, 0
        return True


def guarded_site(runner, host: str, port: int, guard: ConnectionGuard, **kwargs):
    """A TCP site whose connections pass through `guard`, and whose unparsable requests get the error envelope."""
    from aiohttp import web

    from .unparsable import envelope_errors

    class GuardedSite(web.TCPSite):
        async def start(self) -> None:
            await web.BaseSite.start(self)
            server = self._runner.server
            self._server = await asyncio.get_running_loop().create_server(
                guard.wrap(envelope_errors(server)), self._host, self._port, backlog=min(self._backlog, BACKLOG),
                reuse_address=self._reuse_address, reuse_port=self._reuse_port)
            self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port

    return GuardedSite(runner, host, port, **kwargs)


def redirect_stderr_to_log(logger: logging.Logger) -> None:
    """Once the daemon runs detached (its stderr a plain file: the bridge's daemon-start.log), whatever is written
    to stderr from then on goes to the rotated log instead, so nothing can grow that file without bound."""
    import sys

    class LogStream:
        def write(self, text: str) -> int:
            for line in text.rstrip("\n").splitlines():
                if line.strip():
                    logger.error("stderr: %s", line)
            return len(text)

        def flush(self) -> None:
            pass

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        return
    sys.stderr = LogStream()
