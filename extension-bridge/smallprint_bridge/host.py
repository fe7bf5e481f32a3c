"""`smallprint-bridge`: the native-messaging host the browser starts for the extension (PROTOCOL.md).

The browser reads our stdout as frames, and a single stray byte there breaks the port, so the first thing
`main` does is move the real stdout to a private file descriptor for frames and point fd 1 (and sys.stdout)
at stderr: a stray print, a library warning or a child process can then only reach the log, never the frames.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, Callable

from smallprint import strict_json

from . import framing
from .errors import BridgeError, error_reply

PROTOCOL_VERSION = 1
HOST_NAME = "org.smallprint.bridge"
# Analyses run on MAX_WORKERS threads; `status` and `forget` on CONTROL_WORKERS of their own, so that they never wait
# behind four long analyses; `ping` (and a request refused before any handler runs) is answered at once by the thread
# that reads the frames: it needs no daemon.
MAX_WORKERS = 4
CONTROL_WORKERS = 2
CONTROL_TYPES = frozenset({"status", "forget"})
POOLED_TYPES = frozenset({"analyze"}) | CONTROL_TYPES
# Requests read but not yet answered (running on the pool or waiting for a worker): past MAX_IN_FLIGHT of them, or
# past MAX_IN_FLIGHT_BYTES of their frames together, a request is answered `busy` at once instead of queued
# (PROTOCOL.md §6, §9), so a renderer that floods the port cannot make the bridge hold unbounded memory. A lone frame
# within max_frame is always taken.
MAX_IN_FLIGHT = 1024
MAX_IN_FLIGHT_BYTES = framing.DEFAULT_MAX_FRAME

log = logging.getLogger("smallprint_bridge")
# A string `id` longer than this is refused (PROTOCOL.md §2): every reply echoes the id, and one that fills a frame
# could not be split into part frames, so its request would go unanswered.
MAX_ID_CHARS = 1024
# `visit_id` (PROTOCOL.md §3, analyze): the daemon refuses a longer one (smallprint.history.store.MAX_VISIT_ID_CHARS);
# checked here so the extension gets `bad_request` without a round trip.
MAX_VISIT_ID_CHARS = 128
# `site` of `forget` (PROTOCOL.md §3): a domain, host or page address; it travels in the daemon's URL path.
MAX_SITE_CHARS = 2048


def _bridge_version() -> str:
    from smallprint import __version__
    return __version__


def _env_int(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return min(max(value, low), high)


def max_frame_from_env() -> int:
    """The largest frame accepted from the browser."""
    return _env_int("SMALLPRINT_BRIDGE_MAX_FRAME", framing.DEFAULT_MAX_FRAME, 1, 2**32 - 1)


def max_in_flight_from_env() -> int:
    """At most this many requests in flight (tests lower it); never above MAX_IN_FLIGHT."""
    return _env_int("SMALLPRINT_BRIDGE_MAX_IN_FLIGHT", MAX_IN_FLIGHT, 1, MAX_IN_FLIGHT)


def max_in_flight_bytes_from_env() -> int:
    """At most this many bytes of frames in flight (tests lower it); never above MAX_IN_FLIGHT_BYTES."""
    return _env_int("SMALLPRINT_BRIDGE_MAX_IN_FLIGHT_BYTES", MAX_IN_FLIGHT_BYTES, 1, MAX_IN_FLIGHT_BYTES)


def max_reply_from_env() -> int:
    """The largest frame sent to the browser. Only ever lowered (tests use it to split ordinary replies);
    never above the browsers' limit."""
    return _env_int("SMALLPRINT_BRIDGE_MAX_REPLY_FRAME", framing.MAX_REPLY_FRAME, 1000, framing.MAX_REPLY_FRAME)


class FrameWriter:
    """Writes whole replies; the parts of a split reply go out back to back, never interleaved with others."""

    def __init__(self, stream: BinaryIO, max_reply: int = framing.MAX_REPLY_FRAME):
        self._stream = stream
        self.max_reply = max_reply
        self._lock = threading.Lock()
        self.closed = False

    def send(self, message: dict) -> None:
        frames = framing.reply_frames(message, self.max_reply)
        with self._lock:
            if self.closed:
                return
            try:
                for data in frames:
                    self._stream.write(data)
                self._stream.flush()
            except (BrokenPipeError, OSError, ValueError) as exc:  # the browser closed the port
                self.closed = True
                log.info("stdout closed (%s); dropping replies", exc)
                return
        if len(frames) > 1:
            log.info("reply %r sent as %d parts (%d bytes)", message.get("id"), len(frames), sum(map(len, frames)))


class Bridge:
    """Dispatches requests by `type`. The daemon client is created lazily: `ping` must work without it."""

    def __init__(self, writer: FrameWriter, client_factory: Callable[[], object] | None = None,
                 max_frame: int = framing.DEFAULT_MAX_FRAME):
        self.writer = writer
        self.max_frame = max_frame
        self._client_factory = client_factory
        self._client = None
        self._client_lock = threading.Lock()
        self.handlers = {"ping": self.ping, "status": self.status, "analyze": self.analyze, "forget": self.forget}

    @property
    def client(self):
        with self._client_lock:
            if self._client is None:
                if self._client_factory is None:
                    from .daemon_client import DaemonClient
                    self._client_factory = DaemonClient
                self._client = self._client_factory()
            return self._client

    # -- message types ----------------------------------------------------------------------------------

    def ping(self, message: dict) -> dict:
        return {"type": "pong", "protocol": PROTOCOL_VERSION, "bridge_version": _bridge_version(),
                "max_frame_bytes": self.max_frame, "max_reply_frame_bytes": self.writer.max_reply}

    def status(self, message: dict) -> dict:
        return {"type": "status", "protocol": PROTOCOL_VERSION, "bridge_version": _bridge_version(),
                **self.client.status(), "log_file": str(log_file_path())}

    def analyze(self, message: dict) -> dict:
        payload = _analyze_payload(message)
        answer = self.client.analyze(payload)
        if isinstance(answer.get("analysis"), dict):
            extras = {k: v for k, v in answer.items() if k not in ("analysis", "id", "type")}
            return {"type": "analysis", "analysis": answer["analysis"], **extras}
        return {"type": "analysis", "analysis": answer}

    def forget(self, message: dict) -> dict:
        """The reader asked to forget a site (`site`) or everything (`all`): the daemon's store and its memory."""
        site = _forget_target(message)
        answer = self.client.forget(site)
        facts = {k: v for k, v in answer.items() if k not in ("id", "type", "all")}
        return {"type": "forgotten", **({"all": True} if site is None else {}), **facts}

    # -- dispatch ---------------------------------------------------------------------------------------

    def reply_to(self, message: object) -> dict:
        """The reply to one decoded frame; never raises."""
        if not isinstance(message, dict):
            return error_reply(None, "bad_request", f"a message must be a JSON object, not {_json_kind(message)}")
        request_id = message.get("id")
        if isinstance(request_id, bool) or not isinstance(request_id, (str, int)):
            return error_reply(None, "bad_request", "a message needs an `id` (string or integer)")
        if isinstance(request_id, str) and len(request_id) > MAX_ID_CHARS:
            return error_reply(None, "bad_request", f"an `id` must be at most {MAX_ID_CHARS} characters "
                                                    f"(this one has {len(request_id)})")
        kind = message.get("type")
        if not isinstance(kind, str):
            return error_reply(request_id, "bad_request", "a message needs a `type` (string)")
        handler = self.handlers.get(kind)
        if handler is None:
            return error_reply(request_id, "unknown_type",
                               f"unknown message type {kind[:80]!r}; known: {', '.join(sorted(self.handlers))}")
        try:
            reply = handler(message)
        except BridgeError as exc:
            log.warning("%s %r failed: %s: %s", kind, request_id, exc.code, exc.message)
            return error_reply(request_id, exc.code, exc.message, exc.detail, exc.hint)
        except Exception as exc:  # a bug: tell the extension in one line, keep the traceback in the log
            log.exception("%s %r failed unexpectedly", kind, request_id)
            return error_reply(request_id, "internal", f"{kind} failed: {type(exc).__name__}: {exc}")
        return {"id": request_id, **reply}

    def handle(self, message: object) -> None:
        """Answer one decoded frame, exactly once. Runs in the thread pool, where an exception would vanish
        unseen: a reply that cannot be framed (a NaN or an infinity in the daemon's answer) becomes `internal`."""
        reply = self.reply_to(message)
        try:
            self.writer.send(reply)
            return
        except Exception as exc:
            log.exception("the reply to %r could not be sent", str(reply.get("id"))[:80])
            text = f"the reply could not be encoded: {type(exc).__name__}: {str(exc)[:200]}"
        try:
            self.writer.send(error_reply(reply.get("id"), "internal", text))
        except Exception:  # the id itself does not fit in a frame (a small max_reply_frame_bytes)
            self.writer.send(error_reply(None, "internal", text))


def _usable_id(message: object) -> str | int | None:
    """The message's `id` if a reply can echo it (a string of at most MAX_ID_CHARS, or an integer), else None."""
    request_id = message.get("id") if isinstance(message, dict) else None
    if isinstance(request_id, bool) or not isinstance(request_id, (str, int)):
        return None
    return None if isinstance(request_id, str) and len(request_id) > MAX_ID_CHARS else request_id


def _json_kind(value: object) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


def _analyze_payload(message: dict) -> dict:
    """The daemon's request body, after checking what the bridge can check cheaply."""
    blocks = message.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise BridgeError("bad_request", "`blocks` must be a non-empty array")
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("id"), str) or not isinstance(block.get("text"), str):
            raise BridgeError("bad_request", f"blocks[{index}] needs a string `id` and a string `text`")
        if "tag" in block and block["tag"] is not None and not isinstance(block["tag"], str):
            raise BridgeError("bad_request", f"blocks[{index}].tag must be a string")
    payload: dict = {"blocks": blocks}
    for key in ("url", "title"):
        value = message.get(key)
        if value is not None and not isinstance(value, str):
            raise BridgeError("bad_request", f"`{key}` must be a string or null")
        if value is not None:
            payload[key] = value
    # "quick" (the rules, for a first paint) or "full" (the learned reader, the default).
    depth = message.get("depth")
    if depth is not None and depth not in ("quick", "full"):
        raise BridgeError("bad_request", "`depth` must be \"quick\" or \"full\"")
    if depth is not None:
        payload["depth"] = depth
    # The reader's explicit "Analyse this page" grades the page even if it does not look like a policy.
    as_policy = message.get("as_policy")
    if as_policy is not None and not isinstance(as_policy, bool):
        raise BridgeError("bad_request", "`as_policy` must be true or false")
    if as_policy:
        payload["as_policy"] = True
    # The reader's explicit "Analyse this page" asks the daemon to remember a page it would not store by itself.
    remember = message.get("remember")
    if remember is not None and not isinstance(remember, bool):
        raise BridgeError("bad_request", "`remember` must be true or false")
    if remember:
        payload["remember"] = True
    # One page load ("visit"): the daemon's policy memory replaces that visit's own version when the page is re-sent.
    visit_id = message.get("visit_id")
    # A lone surrogate ("\ud800" in JSON) the daemon refuses too: its store cannot hold one in an id.
    if visit_id is not None and not (isinstance(visit_id, str) and 0 < len(visit_id) <= MAX_VISIT_ID_CHARS
                                     and strict_json.is_unicode_text(visit_id)):
        raise BridgeError("bad_request", f"`visit_id` must be a string of 1 to {MAX_VISIT_ID_CHARS} characters, "
                                         "without lone surrogates")
    if visit_id is not None:
        payload["visit_id"] = visit_id
    return payload


def _forget_target(message: dict) -> str | None:
    """The site a `forget` names, or None for `all`: exactly one of the two, `site` a non-empty string (a domain,
    host or address: the daemon reduces it to the site) and `all` true."""
    has_site, has_all = "site" in message, "all" in message
    if has_site == has_all:
        raise BridgeError("bad_request", "a `forget` needs exactly one of `site` (a string) and `all` (true)")
    if has_all:
        if message["all"] is not True:
            raise BridgeError("bad_request", "`all` must be true (to forget one site, send `site` instead)")
        return None
    site = message["site"]
    if not isinstance(site, str) or not site.strip() or len(site) > MAX_SITE_CHARS:
        raise BridgeError("bad_request", f"`site` must be a domain, host or address of 1 to {MAX_SITE_CHARS} "
                                         "characters")
    return site


# -- process set-up ---------------------------------------------------------------------------------------

def log_file_path():
    from smallprint import paths
    return paths.log_dir() / "bridge.log"


def _setup_logging() -> None:
    root = logging.getLogger("smallprint_bridge")
    root.setLevel(logging.INFO)
    try:
        from smallprint import paths
        paths.ensure(paths.log_dir())
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file_path(), maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(sys.stderr)  # the browser shows a host's stderr in its own log
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


def _claim_stdio() -> tuple[BinaryIO, BinaryIO]:
    """(frames in, frames out). Afterwards fd 1 and sys.stdout lead to stderr."""
    frames_out_fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    if os.name == "nt":  # frames are binary: no CRLF translation
        import msvcrt
        msvcrt.setmode(sys.stdin.fileno(), os.O_BINARY)
        msvcrt.setmode(frames_out_fd, os.O_BINARY)
    return sys.stdin.buffer, os.fdopen(frames_out_fd, "wb")


class InFlight:
    """Counts the requests read and not yet answered, and their frames' bytes (MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES)."""

    def __init__(self, max_requests: int = MAX_IN_FLIGHT, max_bytes: int = MAX_IN_FLIGHT_BYTES):
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.requests = 0
        self.bytes = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.requests >= self.max_requests or (self.requests and self.bytes + size > self.max_bytes):
                return False
            self.requests += 1
            self.bytes += size
            return True

    def give_back(self, size: int) -> None:
        with self._lock:
            self.requests -= 1
            self.bytes -= size


def _kind(message: object) -> str | None:
    kind = message.get("type") if isinstance(message, dict) else None
    return kind if isinstance(kind, str) else None


def serve(frames_in: BinaryIO, writer: FrameWriter, bridge: Bridge, max_frame: int,
          in_flight: InFlight | None = None) -> int:
    """Read frames until the input ends. Analyses run on a small pool, `status` and `forget` on a pool of their own,
    so that neither waits behind long analyses; `ping`, and whatever is refused before reaching a handler, is
    answered here at once. Past the in-flight bounds a request is answered `busy` at once rather than queued."""
    in_flight = in_flight or InFlight()

    def run(message: object, size: int) -> None:
        try:
            bridge.handle(message)
        finally:
            in_flight.give_back(size)

    with ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="bridge") as pool, \
            ThreadPoolExecutor(max_workers=CONTROL_WORKERS, thread_name_prefix="bridge-control") as control:
        while True:
            try:
                message, size = framing.read_sized_frame(frames_in, max_frame)
            except framing.EndOfInput:
                log.info("input ended; finishing replies in flight")
                break
            except framing.FrameError as exc:
                log.warning("bad frame: %s", exc)
                writer.send(error_reply(None, exc.code, exc.message))
                if exc.fatal:
                    break
                if exc.discard and not framing.discard(frames_in, exc.discard):
                    log.info("input ended while discarding a refused frame")
                    break
                continue
            if not in_flight.take(size):
                log.warning("busy: %d requests (%d bytes) in flight; refused one of %d bytes",
                            in_flight.requests, in_flight.bytes, size)
                writer.send(error_reply(_usable_id(message), "busy",
                                        f"the bridge is already handling {in_flight.requests} requests "
                                        f"(at most {in_flight.max_requests}, {in_flight.max_bytes} bytes); "
                                        "send this one again when one of them is answered"))
                continue
            kind = _kind(message)
            if kind not in POOLED_TYPES or kind not in bridge.handlers:
                run(message, size)  # ping, or an error reply: no daemon, nothing to wait for
            elif kind in CONTROL_TYPES:
                control.submit(run, message, size)
            else:
                pool.submit(run, message, size)
    return 0


NOT_FOR_TERMINALS = """\
smallprint-bridge {version}: the native-messaging host that the smallprint browser extension starts.
It speaks length-prefixed JSON frames with the browser over stdin and stdout (extension-bridge/PROTOCOL.md),
not to a person at a terminal, so it is not run by hand:
  smallprint install-host    registers it with your browsers
  smallprint status          says whether the daemon it talks to is running
"""
# Exit status 2, as for a usage error: the bridge was started by a person, not by a browser.
USAGE_EXIT = 2


def _started_by_a_person(argv: list[str]) -> bool:
    """A browser gives the bridge pipes and its own arguments (an origin, or a manifest path and an add-on id),
    never a terminal on stdin and never --help."""
    if any(arg in ("-h", "--help") for arg in argv):
        return True
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv in (["-V"], ["--version"]):
        print(f"smallprint-bridge {_bridge_version()}")
        return 0
    if _started_by_a_person(argv):
        # Before stdout is claimed for frames: a terminal gets words, and the bridge does not wait for frames.
        sys.stderr.write(NOT_FOR_TERMINALS.format(version=_bridge_version()))
        return USAGE_EXIT
    frames_in, frames_out = _claim_stdio()
    _setup_logging()
    # Chromium passes the caller's origin, Firefox the manifest path and add-on id: informative only.
    log.info("bridge %s started (pid %d) by %s", _bridge_version(), os.getpid(), " ".join(argv) or "(no arguments)")
    max_frame = max_frame_from_env()
    writer = FrameWriter(frames_out, max_reply_from_env())
    bridge = Bridge(writer, max_frame=max_frame)
    # While it runs, a daemon started with --idle-exit (as this bridge starts them) stays.
    from smallprint.daemon.idle import BridgePresence

    presence = BridgePresence()
    presence.hold()
    try:
        return serve(frames_in, writer, bridge, max_frame, InFlight(max_in_flight_from_env(), max_in_flight_bytes_from_env()))
    except KeyboardInterrupt:
        return 0
    except Exception:  # never a traceback on the browser's stderr; the log keeps it
        log.exception("bridge failed")
        return 1
    finally:
        presence.release()
        log.info("bridge exiting")


if __name__ == "__main__":
    sys.exit(main())
