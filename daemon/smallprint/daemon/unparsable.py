"""Requests aiohttp cannot parse get the API's error envelope too.

A request with a NUL in a header, a method that is no method, a header line over 8 KB or a Content-Encoding the
daemon cannot decode never reaches the app and its middlewares: aiohttp's RequestHandler answers it itself, through
`handle_error`, with a plain-text 400 that quotes the offending bytes (which may be a header, or a path naming a site
someone visited) and logs a traceback holding those same bytes. Here such a request gets the envelope, and the log
one line that names what was wrong, never the bytes. Its answer carries the headers every other answer carries
(middlewares.harden_headers): the app's on_response_prepare, which adds them, never runs for a request that was
never routed.
"""
from __future__ import annotations

import logging
from typing import Awaitable, Callable

from aiohttp import http_exceptions, web
from aiohttp.web_protocol import RequestHandler

from .errors import STATUS_TO_CODE, error_response
from .middlewares import harden_headers

log = logging.getLogger("smallprint.daemon")

INTERNAL_ERROR_MESSAGE = "internal error; see the daemon log for details"


def _what_was_wrong(exc: BaseException | None) -> str:
    """One sentence about the refused request, without its bytes (aiohttp's own messages quote them)."""
    if isinstance(exc, http_exceptions.LineTooLong):
        return "the request is not valid HTTP: its request line or a header line is too long"
    if isinstance(exc, http_exceptions.ContentEncodingError):
        return "the request is not valid HTTP: its body's Content-Encoding cannot be decoded"
    return "the request is not valid HTTP"


class UnroutedResponse(web.Response):
    """An answer to a request that never reached the app, with the headers of the app's answers. aiohttp adds its
    defaults (Server) in `_prepare_headers` and then runs the app's on_response_prepare, but for routed requests
    only; it has no public step after its defaults for any other answer, so the same policy runs at the end of that
    one (test_unparsable_requests.py tells if a new aiohttp moves it)."""

    async def _prepare_headers(self) -> None:
        await super()._prepare_headers()
        harden_headers(self.headers)


class EnvelopeRequestHandler(RequestHandler):
    """aiohttp's RequestHandler with error answers in the envelope. No new attributes: RequestHandler has
    __slots__, and `envelope_errors` turns the handlers aiohttp builds into this class."""

    __slots__ = ()

    def handle_error(self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if request.writer.output_size > 0:  # as aiohttp's own: an answer has begun, none other can follow
            raise ConnectionError("a response was already being sent; cannot send an error response")
        code = STATUS_TO_CODE.get(status) or ("internal_error" if status >= 500 else "invalid_request")
        if status >= 500:  # a bug of ours (the middlewares answer every exception a view raises): keep the traceback
            self.log_exception("error handling a request", exc_info=exc)
            text = INTERNAL_ERROR_MESSAGE
        else:
            text = _what_was_wrong(exc)
            log.info("refused a request: %s (%s)", text, type(exc).__name__ if exc is not None else status)
        response = error_response(code, text, response_class=UnroutedResponse)
        response.force_close()  # the rest of the connection's bytes cannot be read in step: do not try
        return response


def _expectation_errors_in_the_envelope(handle: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]):
    """The app's request handler, with the one HTTP error that leaves it without passing the middlewares in the
    envelope: aiohttp answers an `Expect` header before them (100-continue, or anything else a 417 in plain text,
    "Unknown Expect: ..."), and an error raised there reaches the RequestHandler as it is."""
    async def handle_in_envelope(request: web.BaseRequest) -> web.StreamResponse:
        try:
            return await handle(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            code = STATUS_TO_CODE.get(exc.status) or ("internal_error" if exc.status >= 500 else "invalid_request")
            log.info("refused a request before its route: HTTP %s", exc.status)
            message = (INTERNAL_ERROR_MESSAGE if exc.status >= 500 else
                       "the request's Expect header asks for something other than 100-continue"
                       if exc.status == 417 else "the request cannot be answered")
            return error_response(code, message)
    handle_in_envelope.in_envelope = True
    return handle_in_envelope


def envelope_errors(server: web.Server) -> Callable[[], RequestHandler]:
    """A protocol factory (aiohttp's web.Server) whose request handlers answer errors in the envelope."""
    if not getattr(server.request_handler, "in_envelope", False):
        server.request_handler = _expectation_errors_in_the_envelope(server.request_handler)

    def make() -> RequestHandler:
        handler = server()
        handler.__class__ = EnvelopeRequestHandler  # same slots, only handle_error differs
        return handler
    return make


class UnreadableBodyFilter(logging.Filter):
    """For aiohttp.server's log: after answering, aiohttp reads what is left of a request's body (so that the client
    gets the answer rather than a reset), and a body that does not decode (declared gzip and not gzip) fails again
    there, logged as an "Unhandled exception" with a traceback. It is the client's body, already answered (400, or
    a 401 before it was read): one line instead, and aiohttp closes the connection as it does anyway."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, web.RequestPayloadError):
            cause = error.__cause__ or error
            record.msg = "a request body that does not decode was left unread after its answer (%s); connection closed"
            record.args = (type(cause).__name__,)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True
