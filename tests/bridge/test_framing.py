"""smallprint_bridge.framing in-process: reading from byte streams with short reads, and splitting replies."""
from __future__ import annotations

import io
import json

import pytest

from smallprint_bridge import framing

from .harness import BROWSER_LIMIT


class TrickleStream(io.RawIOBase):
    """Returns at most `step` bytes per read, like a pipe under load."""

    def __init__(self, data: bytes, step: int):
        self._data, self._pos, self._step = data, 0, step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self._step if size < 0 else min(size, self._step)
        chunk = self._data[self._pos:self._pos + n]
        self._pos += len(chunk)
        return chunk


def framed(message: object) -> bytes:
    return framing.frame(framing.encode_message(message))


@pytest.mark.parametrize("step", [1, 3, 4, 5, 4096])
def test_short_reads_still_give_whole_frames(step):
    messages = [{"id": i, "type": "ping", "text": "é😀" * i} for i in range(20)]
    stream = TrickleStream(b"".join(framed(m) for m in messages), step)
    assert [framing.read_frame(stream) for _ in messages] == messages
    with pytest.raises(framing.EndOfInput):
        framing.read_frame(stream)


@pytest.mark.parametrize("data,code,fatal", [
    (b"\x01", "truncated_frame", True),
    (framing.LENGTH.pack(10) + b"{}", "truncated_frame", True),
    (framing.LENGTH.pack(3) + b"\xc3\x28!", "bad_encoding", False),
    (framing.LENGTH.pack(3) + b"{]}", "malformed_json", False),
    (framing.LENGTH.pack(0), "malformed_json", False),
    (framing.LENGTH.pack(9) + b'{"a":NaN}', "malformed_json", False),
    # only too large for a float: Python read it as Infinity, the value NaN and Infinity are refused for
    (framing.LENGTH.pack(11) + b'{"a":1e999}', "malformed_json", False),
])
def test_bad_frames_raise_their_code(data, code, fatal):
    with pytest.raises(framing.FrameError) as caught:
        framing.read_frame(io.BytesIO(data))
    assert (caught.value.code, caught.value.fatal) == (code, fatal)


def test_a_number_too_long_to_read_is_refused_in_plain_words():
    body = b'{"id": 1, "type": "ping", "n": ' + b"9" * 5000 + b"}"
    with pytest.raises(framing.FrameError) as caught:
        framing.read_frame(io.BytesIO(framing.LENGTH.pack(len(body)) + body))
    assert caught.value.code == "malformed_json" and "more than 4,300 digits" in caught.value.message
    assert "sys" not in caught.value.message


def test_an_oversized_frame_is_not_read_into_memory_and_can_be_skipped():
    stream = io.BytesIO(framing.LENGTH.pack(5000) + b"x" * 5000 + framed({"id": 2, "type": "ping"}))
    with pytest.raises(framing.FrameError) as caught:
        framing.read_frame(stream, max_frame=1000)
    assert caught.value.code == "frame_too_large" and caught.value.discard == 5000
    assert stream.tell() == 4, "the body must not be read before the refusal is answered"
    assert framing.discard(stream, caught.value.discard)
    assert framing.read_frame(stream, max_frame=1000) == {"id": 2, "type": "ping"}


def test_skipping_stops_at_the_end_of_input():
    assert not framing.discard(io.BytesIO(b"short"), 1 << 31)


def _reassemble(frames: list[bytes]) -> dict:
    messages = [json.loads(f[4:]) for f in frames]
    if len(messages) == 1:
        return messages[0]
    assert [m["index"] for m in messages] == list(range(len(messages)))
    assert {m["count"] for m in messages} == {len(messages)} and {m["type"] for m in messages} == {"part"}
    return json.loads("".join(m["chunk"] for m in messages))


# Text that JSON escaping grows the most: quotes and backslashes double again inside a part's chunk.
SPLIT_TEXTS = [
    pytest.param("plain words " * 100_000, id="ascii"),
    pytest.param('"\\' * 300_000, id="quotes-and-backslashes"),
    pytest.param("é😀\u2028\x00\n\t" * 60_000, id="non-ascii-and-controls"),
]


@pytest.mark.parametrize("text", SPLIT_TEXTS)
@pytest.mark.parametrize("max_reply", [framing.MAX_REPLY_FRAME, 50_000])
def test_a_large_reply_splits_into_parts_under_the_limit_that_reassemble(text, max_reply):
    message = {"id": "big", "type": "analysis", "analysis": {"blocks": [{"id": "b0", "text": text}]}}
    frames = framing.reply_frames(message, max_reply)
    assert len(frames) >= 2
    for data in frames:
        assert framing.LENGTH.unpack(data[:4])[0] == len(data) - 4
        assert len(data) - 4 <= max_reply <= BROWSER_LIMIT
    assert _reassemble(frames) == message


def test_a_reply_that_fits_is_one_frame():
    message = {"id": 1, "type": "pong", "protocol": 1}
    frames = framing.reply_frames(message)
    assert len(frames) == 1 and json.loads(frames[0][4:]) == message
