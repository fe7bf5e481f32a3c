"""Request guards, outermost first: activity (for --idle-exit), connection deadline, error envelope, the stop deadline, Host check, Origin check, body size, bearer
auth.

Why each guard exists:
- Host: a web page can point its own domain at 127.0.0.1 (DNS rebinding) and then talk to us as "same origin";
  its requests still carry its own Host name, so only loopback names with our port are accepted.
- Origin: the extension talks through the native-messaging bridge, never HTTP, so a request with an Origin
  header (or a cross-site Sec-Fetch-Site) is a web page trying to reach us. No CORS headers are ever sent.
- Auth: every route but /v1/health needs the token, compared in constant time.
- Errors: every failure leaves as the JSON envelope; tracebacks go to the log only.
- Response headers (`harden_headers`): the same on every answer, routed or not (unparsable.py).
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import MutableMapping

from aiohttp import web

from .access_log import route_of
from .errors import STATUS_TO_CODE, ApiError, error_response
from .state import ACTIVITY, CONFIG, CONNECTION_GUARD, STOP_DEADLINE, TOKENS

log = logging.getLogger("smallprint.daemon")

PUBLIC_PATHS = frozenset({"/v1/health"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# Sec-Fetch-Site "none" is a user typing the address; the others are scripts or links on some page.
WEB_PAGE_FETCH_SITES = frozenset({"cross-site", "same-site", "same-origin"})


@web.middleware
async def error_envelope(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.code, exc.message, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = STATUS_TO_CODE.get(exc.status)
        if code is None:
            # the route, not the path: a path of /v1/sites/... names a site the reader visited (access_log.py)
            log.warning("unmapped HTTP status %s on %s %s", exc.status, request.method, route_of(request))
            code = "internal_error" if exc.status >= 500 else "invalid_request"
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(code, _http_message(exc, request.app[CONFIG].max_body_bytes), headers)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, route_of(request))
        return error_response("internal_error", "internal error; see the daemon log for details")


def _http_message(exc: web.HTTPException, max_body_bytes: int) -> str:
    if exc.status == 413:  # aiohttp's client_max_size, on a body without Content-Length (chunked)
        return f"request body larger than {max_body_bytes} bytes"
    if exc.status == 404:
        return "no such route"
    if exc.status == 405:
        return "method not allowed on this route"
    return exc.reason or "request refused"


def split_host(header: str) -> tuple[str, int | None] | None:
    """("name", port) from a Host header; None when it cannot be parsed. No port means the default, 80."""
    header = header.strip()
    if not header:
        return None
    if header.startswith("["):  # [IPv6]:port
        end = header.find("]")
        if end < 0:
            return None
        name, rest = header[1:end], header[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    else:
        name, sep, port_text = header.rpartition(":")
        if not sep:
            name, port_text = header, None
        if ":" in name:  # a bare IPv6 address without brackets
            return None
    if port_text is None:
        return name.lower(), 80
    if not (port_text.isascii() and port_text.isdigit()):  # "²" and "١" are digits to str.isdigit, not ports
        return None
    return name.lower().rstrip("."), int(port_text)


def local_port(request: web.Request) -> int | None:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if isinstance(sockname, tuple) and len(sockname) >= 2:
        return int(sockname[1])
    return None


def _allowed_names(request: web.Request) -> frozenset[str] | None:
    config = request.app[CONFIG]
    names = set(LOOPBACK_NAMES)
    try:
        address = ipaddress.ip_address(config.host)
    except ValueError:
        address = None
    if address is not None and address.is_unspecified:
        return None  # bound to every interface on purpose (--allow-remote): any name, the port still counts
    names.add(config.host.lower())  # bound on purpose to another address: that name is fine too
    return frozenset(names)


@web.middleware
async def activity(request: web.Request, handler):
    """Counts the request as in flight from its headers to its answer: an idle-exiting daemon never stops while
    one runs, and waits its whole limit after the last (idle.py)."""
    tracker = request.app.get(ACTIVITY)
    if tracker is None:
        return await handler(request)
    tracker.began()
    try:
        return await handler(request)
    finally:
        tracker.ended()


@web.middleware
async def connection_deadline(request: web.Request, handler):
    """A request's headers have arrived: its connection's header deadline stops until the answer is sent
    (connections.py); then the next request's headers must come in time."""
    guard = request.app.get(CONNECTION_GUARD)
    if guard is None:
        return await handler(request)
    guard.request_started(request.transport)
    try:
        return await handler(request)
    finally:
        guard.request_finished(request.transport)


@web.middleware
async def stop_deadline(request: web.Request, handler):
    """A request still running when the grace period of a stop ends (server.py) is answered 503 shutting_down, in
    the envelope, rather than having its connection cut (what aiohttp does to handlers still running)."""
    deadline = request.app[STOP_DEADLINE]
    if deadline.is_set():
        raise ApiError("shutting_down", "the daemon is stopping; send the request again once a daemon runs")
    work = asyncio.ensure_future(handler(request))
    passed = asyncio.ensure_future(deadline.wait())
    try:
        await asyncio.wait((work, passed), return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        work.cancel()
        raise
    finally:
        passed.cancel()
    if not work.done():
        work.cancel()
        await asyncio.wait((work,))
        raise ApiError("shutting_down", "the daemon is stopping and this request was still running after the "
                                        "grace period it gives requests in flight; send it again once a daemon runs")
    return work.result()


@web.middleware
async def host_check(request: web.Request, handler):
    parsed = split_host(request.headers.get("Host", ""))
    port = local_port(request)
    names = _allowed_names(request)
    if parsed is None or (names is not None and parsed[0] not in names) or (port is not None and parsed[1] != port):
        raise ApiError("forbidden_host", "Host header must be 127.0.0.1, [::1] or localhost with the daemon's port")
    return await handler(request)


@web.middleware
async def origin_check(request: web.Request, handler):
    if "Origin" in request.headers or request.headers.get("Sec-Fetch-Site", "").lower() in WEB_PAGE_FETCH_SITES:
        raise ApiError("forbidden_origin", "requests from web pages are refused; the extension uses native messaging")
    return await handler(request)


@web.middleware
async def body_limit(request: web.Request, handler):
    # Refuse early on the declared length; aiohttp's client_max_size catches chunked bodies while reading.
    limit = request.app[CONFIG].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiError("payload_too_large", f"request body larger than {limit} bytes")
    return await handler(request)


@web.middleware
async def bearer_auth(request: web.Request, handler):
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    token = given.strip() if scheme.lower() == "bearer" else None
    if not await request.app[TOKENS].check(token):
        raise ApiError("unauthorized", "missing or wrong API token (Authorization: Bearer <token>; "
                                       "see `smallprint token`)", headers={"WWW-Authenticate": "Bearer"})
    return await handler(request)


def harden_headers(headers: MutableMapping[str, str]) -> None:
    """The headers every answer carries or lacks, whichever path made it: the app's (`harden_response`) or aiohttp's
    own for a request it cannot parse (unparsable.py), so that no answer can be told apart by them."""
    # Answers may hold what a person read; no cache should keep them, no browser should sniff them.
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    # aiohttp names itself and its version ("Python/3.11 aiohttp/3.9"): nothing a client needs, and a fingerprint.
    headers.pop("Server", None)


async def harden_response(request: web.Request, response: web.StreamResponse) -> None:
    """The app's on_response_prepare: runs after aiohttp has added its default headers (Server among them)."""
    harden_headers(response.headers)


MIDDLEWARES = (activity, connection_deadline, error_envelope, stop_deadline, host_check, origin_check, body_limit, bearer_auth)
