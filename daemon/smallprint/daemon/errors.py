"""The API's error envelope and its stable codes.

Every error response is `{"error": {"code": <code>, "message": <one human sentence>}}`. Codes are part of the
API contract (docs/API.md): never rename or reuse one; add new ones at the end.
"""
from __future__ import annotations

import json

from aiohttp import web

# code -> (HTTP status, when it happens)
ERROR_CODES: dict[str, tuple[int, str]] = {
    "invalid_json": (400, "The body is not a JSON object (malformed JSON, NaN or Infinity, which JSON has not, a "
                          "number too large to be anything but infinity, such as 1e999, an integer of over 4,300 "
                          "digits, not UTF-8, or not an object)."),
    "invalid_request": (400, "The JSON is well-formed but wrong: none or several of text/html/blocks, or a field "
                             "of the wrong type; or the request is not valid HTTP, or its body does not match its "
                             "Content-Encoding."),
    "unauthorized": (401, "The Authorization: Bearer token is missing or wrong."),
    "forbidden_origin": (403, "The request comes from a web page (it carries an Origin or cross-site Sec-Fetch-Site "
                              "header)."),
    "forbidden_host": (403, "The Host header is not the loopback address or localhost with the daemon's port "
                            "(DNS rebinding protection)."),
    "not_found": (404, "No such route."),
    "method_not_allowed": (405, "The route exists but not with this method."),
    "payload_too_large": (413, "The body is larger than max_body_bytes, or holds more than 4,000,000 characters "
                               "(which a blocks list of more than 200,000 blocks always does)."),
    "unprocessable_input": (422, "The engine cannot analyse this input: a block id given twice, a PDF that is "
                                 "scanned, locked, damaged or not a PDF. (Input over the engine's size limits is "
                                 "input_too_large.)"),
    "internal_error": (500, "A bug in smallprint; details are in the daemon's log, never in the response."),
    "analysis_timeout": (504, "The analysis took longer than analysis_timeout_seconds."),
    "history_unavailable": (503, "The policy memory cannot be read or written (read-only or full disk, or a store "
                                 "written by a newer smallprint); analyses still work."),
    "shutting_down": (503, "The daemon is stopping (`smallprint stop`, Ctrl+C, SIGTERM) and the request was still "
                           "running 5 seconds later, the time it gives requests in flight; send it again once a "
                           "daemon runs."),
    "input_too_large": (422, "The input is over the engine's limits: more than 2,000,000 characters of text or "
                             "200,000 blocks (text, HTML or a PDF's text that splits into more; a blocks list that "
                             "long is payload_too_large first), or a PDF whose pages hold more than 40 MB of "
                             "drawing instructions; the message names the limit."),
    "unsupported_media_type": (415, "The body's Content-Type is given and is not application/json (a text/plain or "
                                    "form body, which a web page can send without asking; send the header "
                                    "Content-Type: application/json, or none)."),
}


class ApiError(Exception):
    """Raised by views and middlewares; turned into the envelope by the error middleware."""

    def __init__(self, code: str, message: str, headers: dict[str, str] | None = None):
        if code not in ERROR_CODES:
            raise KeyError(f"unknown API error code {code!r}")
        super().__init__(message)
        self.code = code
        self.status = ERROR_CODES[code][0]
        self.message = message
        self.headers = headers or {}


def error_response(code: str, message: str, headers: dict[str, str] | None = None, *,
                   response_class: type[web.Response] = web.Response) -> web.Response:
    status = ERROR_CODES[code][0]
    body = json.dumps({"error": {"code": code, "message": message}})
    return response_class(status=status, text=body, content_type="application/json", headers=headers)


# aiohttp's own HTTP exceptions (raised by the router or body reading) mapped to our codes.
STATUS_TO_CODE: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden_origin",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    422: "unprocessable_input",
    504: "analysis_timeout",
}
