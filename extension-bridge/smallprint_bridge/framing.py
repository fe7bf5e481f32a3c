"""Native-messaging frames: a 4-byte length in native byte order, then that many bytes of UTF-8 JSON.

Reading never trusts the peer: it reads exactly the 4 bytes and exactly the declared length (short reads are
normal on pipes), refuses a length over the limit without allocating it, and turns every kind of bad frame
into a `FrameError` carrying the stable error code of PROTOCOL.md, so the host answers instead of crashing.
"""
from __future__ import annotations

import json
import re
import struct
from typing import BinaryIO

from smallprint import strict_json

# Native byte order, standard size: what Chromium and Firefox write (`=I` is 4 bytes on every platform).
LENGTH = struct.Struct("=I")
DEFAULT_MAX_FRAME = 64 * 1024 * 1024
# Browsers drop the port on a host->browser message over 1 MB (1,048,576 bytes); keep a margin below it.
MAX_REPLY_FRAME = 1_000_000
_DRAIN_CHUNK = 64 * 1024
_WIDEST_INDEX = 9_999_999_999


class EndOfInput(Exception):
    """The input ended cleanly, at a frame boundary."""


class FrameError(Exception):
    """A frame that cannot be used. `fatal` means the stream is gone (nothing more can be read)."""

    def __init__(self, code: str, message: str, fatal: bool = False, discard: int = 0):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fatal = fatal
        # Bytes of the refused frame still in the input: the caller answers first, then calls `discard`.
        self.discard = discard


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes; fewer only when the input ended."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def discard(stream: BinaryIO, size: int) -> bool:
    """Discard `size` bytes without holding them; False when the input ended first."""
    remaining = size
    while remaining:
        chunk = stream.read(min(remaining, _DRAIN_CHUNK))
        if not chunk:
            return False
        remaining -= len(chunk)
    return True


def read_frame(stream: BinaryIO, max_frame: int = DEFAULT_MAX_FRAME) -> object:
    """The next message, decoded (see `read_sized_frame`)."""
    return read_sized_frame(stream, max_frame)[0]


def read_sized_frame(stream: BinaryIO, max_frame: int = DEFAULT_MAX_FRAME) -> tuple[object, int]:
    """(the next message, decoded; its frame's body length in bytes). Raises EndOfInput at a clean end, FrameError
    for a bad frame.

    After a non-fatal FrameError the stream is positioned at the next frame once `discard(stream, exc.discard)`
    has run, so the caller can keep serving.
    """
    header = _read_exactly(stream, LENGTH.size)
    if not header:
        raise EndOfInput()
    if len(header) < LENGTH.size:
        raise FrameError("truncated_frame", f"input ended inside a frame's length ({len(header)} of 4 bytes)", fatal=True)
    (length,) = LENGTH.unpack(header)
    if length > max_frame:
        # Not read into memory. The caller answers at once, then skips the body so the next frame is read in
        # step; if the length was garbage the input simply ends while skipping.
        raise FrameError("frame_too_large", f"frame of {length} bytes exceeds the limit of {max_frame} bytes",
                         discard=length)
    body = _read_exactly(stream, length)
    if len(body) < length:
        raise FrameError("truncated_frame", f"input ended inside a frame ({len(body)} of {length} bytes)", fatal=True)
    return decode_body(body), length


def decode_body(body: bytes) -> object:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError("bad_encoding", f"frame is not valid UTF-8 (byte {exc.start})") from None
    try:
        return strict_json.loads(text)  # NaN and Infinity refused, as JSON.parse and the daemon do
    except ValueError as exc:  # JSONDecodeError, and strict_json's refusals (NaN, a number too long to read)
        raise FrameError("malformed_json", f"frame is not valid JSON: {exc}") from None
    except RecursionError:
        raise FrameError("malformed_json", "frame is not valid JSON: nested too deeply") from None


def encode_message(message: object, *, ensure_ascii: bool = False) -> bytes:
    """The JSON body of one frame (no length prefix), compact."""
    return json_utf8(json.dumps(message, ensure_ascii=ensure_ascii, separators=(",", ":"), allow_nan=False))


# A lone UTF-16 surrogate: a page's text can hold one (Firefox sends it as a "\ud800" escape, which json.loads
# keeps), but UTF-8 cannot encode it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_utf8(text: str) -> bytes:
    """JSON text as UTF-8, with any lone surrogate written as its \\uXXXX escape: surrogates only ever sit inside
    JSON strings, where the escape is valid JSON that JSON.parse turns back into the very same string (so a reply
    still carries the request's id, and offsets into a block's text still match)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def frame(body: bytes) -> bytes:
    return LENGTH.pack(len(body)) + body


def reply_frames(message: dict, max_reply: int = MAX_REPLY_FRAME) -> list[bytes]:
    """The frames that carry `message`: one if it fits in `max_reply` bytes, else `part` frames (PROTOCOL.md §4).

    The whole message is serialised with every non-ASCII character escaped, so chunk lengths mean the same in
    Python and JavaScript; each part frame is measured after its own encoding (which escapes the chunk's quotes
    and backslashes) and its chunk shrunk until the frame fits.
    """
    body = encode_message(message)
    if len(body) <= max_reply:
        return [frame(body)]
    text = encode_message(message, ensure_ascii=True).decode("ascii")
    chunks = _split_text(text, message.get("id"), max_reply)
    count = len(chunks)
    frames = []
    for index, chunk in enumerate(chunks):
        frames.append(frame(encode_message(_part(message.get("id"), index, count, chunk))))
    return frames


def _part(request_id: object, index: int, count: int, chunk: str) -> dict:
    return {"id": request_id, "type": "part", "index": index, "count": count, "chunk": chunk}


def _split_text(text: str, request_id: object, max_reply: int) -> list[str]:
    """Consecutive slices of ASCII `text` whose part frames encode to at most `max_reply` bytes.

    The envelope is measured with a 10-digit index and count, more than any split can need, so the bound holds
    for every part.
    """
    envelope = len(encode_message(_part(request_id, _WIDEST_INDEX, _WIDEST_INDEX, "")))
    budget = max_reply - envelope
    if budget < 64:
        raise ValueError("max_reply is too small for a part frame")
    chunks: list[str] = []
    start = 0
    while start < len(text):
        size = min(budget, len(text) - start)
        while True:
            chunk = text[start:start + size]
            encoded = len(encode_message(chunk))  # the chunk as a JSON string, quotes included
            if encoded - 2 <= budget:
                break
            # Escaping grew the chunk: shrink in proportion, at least by one character.
            size = max(1, min(size - 1, size * budget // (encoded - 2)))
        chunks.append(chunk)
        start += size
    return chunks
