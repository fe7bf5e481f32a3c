"""The bridge's stable error codes (PROTOCOL.md §6) and the `error` reply built from them.

Numbers are part of the protocol: never renumber, only append.
"""
from __future__ import annotations

ERROR_NUMBERS: dict[str, int] = {
    "frame_too_large": 1,
    "malformed_json": 2,
    "bad_encoding": 3,
    "bad_request": 4,
    "unknown_type": 5,
    "daemon_unavailable": 6,
    "daemon_start_failed": 7,
    "daemon_error": 8,
    "timeout": 9,
    "internal": 10,
    "unauthorized": 11,
    "truncated_frame": 12,
    "not_a_site": 13,
    "history_unavailable": 14,
    "busy": 15,
    "too_large": 16,
}

# What a reader can do about it; shown by the extension under the message. A request type may say something else
# for a code (FORGET_HINTS: a `forget` that timed out is no long page).
HINTS: dict[str, str] = {
    "daemon_unavailable": "Check that smallprint is installed, then run `smallprint status`.",
    "daemon_start_failed": "Run `smallprint serve` in a terminal to see why it does not start,"
                           " or `smallprint status`.",
    "daemon_error": "See the daemon's log (`smallprint status` says where).",
    "timeout": "The page may be very long; try again, or analyse it with `smallprint analyze`.",
    "unauthorized": "Run `smallprint stop`: the next page starts the daemon again with the token the helper reads. "
                    "If it still fails, `smallprint status` and `smallprint token` say which token store is used.",
    "internal": "This is a bug in smallprint-bridge; its log file has the details.",
    "busy": "Too many pages were sent at once; reload the page to try again.",
    "history_unavailable": "The policy memory needs `[history] enabled = true` in the config and a data folder it "
                           "can write; `smallprint status` says where both are.",
}

# `forget` (PROTOCOL.md §3): the same codes, other advice.
FORGET_HINTS: dict[str, str] = {
    "timeout": "The service may still be forgetting; ask again in a moment (forgetting twice forgets nothing more), "
               "or run `smallprint forget` in a terminal.",
}


class BridgeError(Exception):
    """A failure the extension is told about with one of the stable codes."""

    def __init__(self, code: str, message: str, detail: dict | None = None, hint: str | None = None):
        if code not in ERROR_NUMBERS:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail
        self.hint = hint  # instead of HINTS[code]


def error_reply(request_id: object, code: str, message: str, detail: dict | None = None,
                hint: str | None = None) -> dict:
    reply = {"id": request_id, "type": "error", "code": code, "number": ERROR_NUMBERS[code], "message": message}
    if hint or code in HINTS:
        reply["hint"] = hint or HINTS[code]
    if detail:
        reply["detail"] = detail
    return reply
