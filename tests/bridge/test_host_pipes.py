"""`smallprint-bridge` over real pipes: exact frames, every kind of bad frame, and nothing but frames on stdout.

None of these needs a daemon: bad frames are answered by the bridge itself, and `ping` never starts one.
"""
from __future__ import annotations

import struct
import time

import pytest

from .harness import LENGTH, BridgeProcess, bridge_env, frame

ERROR_NUMBERS = {"frame_too_large": 1, "malformed_json": 2, "bad_encoding": 3, "bad_request": 4, "unknown_type": 5,
                 "truncated_frame": 12}


@pytest.fixture
def bridge(tmp_path):
    process = BridgeProcess(bridge_env(tmp_path / "home", SMALLPRINT_BRIDGE_MAX_FRAME="4096"))
    yield process
    process.kill()


def assert_error(reply: dict, code: str, request_id=None) -> None:
    assert reply["type"] == "error", reply
    assert reply["id"] == request_id
    assert reply["code"] == code
    assert reply["number"] == ERROR_NUMBERS[code]
    assert reply["message"] and "Traceback" not in reply["message"]


def assert_clean_end(bridge: BridgeProcess) -> None:
    assert bridge.close() == 0, bridge.stderr
    assert bridge.stray_stdout == b"" and bridge.bad_json == [], "stdout carried something that is not a frame"
    assert "Traceback" not in bridge.stderr


@pytest.mark.parametrize("argv", [
    ("chrome-extension://abcdefghijklmnopabcdefghijklmnop/",),        # how Chromium starts a host
    ("/home/me/.mozilla/native-messaging-hosts/org.smallprint.bridge.json", "bridge@smallprint.org"),  # Firefox
    (),
])
def test_ping_gets_an_exact_pong_frame(tmp_path, argv):
    bridge = BridgeProcess(bridge_env(tmp_path / "home"), argv=argv)
    try:
        reply = bridge.request({"id": "p1", "type": "ping", "extension_version": "0.1.0"})
        assert reply["type"] == "pong" and reply["protocol"] == 1
        assert reply["max_reply_frame_bytes"] <= 1024 * 1024
        assert reply["max_frame_bytes"] == 64 * 1024 * 1024
        assert_clean_end(bridge)
        assert len(bridge.frame_sizes) == 1
        assert not (tmp_path / "home" / "run" / "daemon.json").exists(), "ping must not start a daemon"
    finally:
        bridge.kill()


def test_many_messages_in_one_write_each_get_one_reply(bridge):
    ids = list(range(300))
    bridge.send_raw(b"".join(frame({"id": i, "type": "ping"}) for i in ids))
    replies = [bridge.next_reply() for _ in ids]
    assert sorted(r["id"] for r in replies) == ids
    assert {r["type"] for r in replies} == {"pong"}
    assert_clean_end(bridge)
    assert len(bridge.frame_sizes) == len(ids)


def test_a_frame_written_one_byte_at_a_time_is_read_whole(bridge):
    for byte in frame({"id": "slow", "type": "ping"}):
        bridge.send_raw(bytes([byte]))
    assert bridge.next_reply()["type"] == "pong"
    assert_clean_end(bridge)


BAD_BODIES = [
    pytest.param(b"{not json", "malformed_json", id="malformed-json"),
    pytest.param(b"", "malformed_json", id="empty-frame"),
    pytest.param(b'{"id": 1, "type": "ping"', "malformed_json", id="cut-json"),
    pytest.param(b'{"id": 1, "type": "\xff\xfe"}', "bad_encoding", id="invalid-utf8"),
    pytest.param(b'"\xed\xa0\x80"', "bad_encoding", id="utf8-surrogate"),
    pytest.param(b"[1, 2, 3]", "bad_request", id="array"),
    pytest.param(b'{"type": "ping"}', "bad_request", id="no-id"),
    pytest.param(b'{"id": true, "type": "ping"}', "bad_request", id="boolean-id"),
    pytest.param(b"[" * 1500 + b"]" * 1500, "malformed_json", id="deep-nesting"),
    # Python's parser takes these words, JSON.parse (and the daemon) do not: the same rule on both sides.
    pytest.param(b'{"id": 1, "type": "ping", "x": NaN}', "malformed_json", id="nan"),
    pytest.param(b'{"id": 1, "type": "ping", "x": [Infinity, -Infinity]}', "malformed_json", id="infinity"),
]


@pytest.mark.parametrize("body,code", BAD_BODIES)
def test_a_bad_frame_gets_its_error_and_the_bridge_keeps_serving(bridge, body, code):
    bridge.send_raw(LENGTH.pack(len(body)) + body)
    assert_error(bridge.next_reply(), code)
    assert bridge.request({"id": "after", "type": "ping"})["type"] == "pong"
    assert_clean_end(bridge)


@pytest.mark.parametrize("message,code", [
    ({"id": 7, "type": "no-such-thing"}, "unknown_type"),
    ({"id": 7}, "bad_request"),
    ({"id": 7, "type": 3}, "bad_request"),
    ({"id": 7, "type": "analyze"}, "bad_request"),
    ({"id": 7, "type": "analyze", "blocks": []}, "bad_request"),
    ({"id": 7, "type": "analyze", "blocks": [{"id": "b0"}]}, "bad_request"),
    ({"id": 7, "type": "analyze", "blocks": [{"id": "b0", "text": "x"}], "url": 5}, "bad_request"),
    ({"id": 7, "type": "analyze", "blocks": [{"id": "b0", "text": "x"}], "depth": "deep"}, "bad_request"),
    ({"id": 7, "type": "analyze", "blocks": [{"id": "b0", "text": "x"}], "depth": 1}, "bad_request"),
    ({"id": 7, "type": "analyze", "blocks": [{"id": "b0", "text": "x"}], "as_policy": "yes"}, "bad_request"),
])
def test_an_invalid_request_is_answered_with_its_id(bridge, tmp_path, message, code):
    assert_error(bridge.request(message), code, request_id=7)
    assert_clean_end(bridge)
    assert not (tmp_path / "home" / "run" / "daemon.json").exists(), "a refused request must not start a daemon"


def test_an_oversized_frame_is_refused_skipped_and_the_next_frame_served(bridge):
    body = b'{"id": 1, "type": "ping", "pad": "' + b"x" * 10_000 + b'"}'
    bridge.send_raw(LENGTH.pack(len(body)) + body)
    assert_error(bridge.next_reply(), "frame_too_large")
    assert bridge.request({"id": "next", "type": "ping"})["type"] == "pong"
    assert_clean_end(bridge)


def test_a_garbage_length_is_refused_at_once_and_the_end_of_input_is_clean(bridge):
    bridge.send_raw(b"\xff\xff\xff\xff" + b"rest of a stream that is out of step")
    assert_error(bridge.next_reply(timeout=10), "frame_too_large")
    assert_clean_end(bridge)


@pytest.mark.parametrize("data", [
    pytest.param(b"\x05\x00", id="inside-the-length"),
    pytest.param(LENGTH.pack(100) + b'{"id": 1', id="inside-the-body"),
])
def test_end_of_input_inside_a_frame_is_reported_and_the_bridge_exits_cleanly(bridge, data):
    bridge.send_raw(data)
    bridge.proc.stdin.close()
    assert_error(bridge.next_reply(), "truncated_frame")
    assert_clean_end(bridge)


def test_end_of_input_at_a_frame_boundary_exits_cleanly_without_output(bridge):
    assert_clean_end(bridge)
    assert bridge.frame_sizes == []


def test_the_length_is_native_byte_order(bridge):
    body = b'{"id": "order", "type": "ping"}'
    bridge.send_raw(struct.pack("=I", len(body)) + body)
    assert bridge.next_reply()["id"] == "order"
    assert_clean_end(bridge)


STRAY_OUTPUT = '''
import atexit, os, sys, threading, time
def _noise():
    deadline = time.monotonic() + 30
    while sys.stdout is not sys.stderr and time.monotonic() < deadline:  # the bridge has started serving
        time.sleep(0.01)
    print("stray print while serving")
    os.system("echo stray output of a child process")
    sys.stdout.flush()
threading.Thread(target=_noise).start()
atexit.register(lambda: print("stray print at exit"))
'''


def test_stray_output_after_start_never_reaches_the_frames(tmp_path):
    # sitecustomize runs inside the bridge's interpreter: a stand-in for a noisy library or child process.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(STRAY_OUTPUT)
    bridge = BridgeProcess(bridge_env(tmp_path / "home", PYTHONPATH=str(site)))
    try:
        time.sleep(0.5)  # let the noise happen while the bridge serves
        assert bridge.request({"id": 1, "type": "ping"})["type"] == "pong"
        assert_clean_end(bridge)
        assert "stray print while serving" in bridge.stderr and "stray output of a child process" in bridge.stderr
        assert "stray print at exit" in bridge.stderr
    finally:
        bridge.kill()


def test_an_id_too_long_to_echo_is_refused_and_the_next_request_served(bridge):
    """PROTOCOL.md §2: a string id of more than 1,024 characters is a bad_request with id null (every reply echoes
    the id, and one that fills a frame could not be split into parts: its request would go unanswered)."""
    bridge.send({"id": "x" * 1025, "type": "ping"})
    assert_error(bridge.next_reply(), "bad_request")
    assert bridge.request({"id": "x" * 1024, "type": "ping"})["type"] == "pong"
    assert_clean_end(bridge)


def test_a_reply_that_cannot_be_framed_is_still_answered(tmp_path):
    """Each request gets exactly one reply: at the smallest reply frame (1,000 bytes) a 1,000-character id cannot
    be echoed in any frame, so the reply is an `internal` error with id null, and the failure is in the log; the
    bridge keeps serving."""
    process = BridgeProcess(bridge_env(tmp_path / "home", SMALLPRINT_BRIDGE_MAX_REPLY_FRAME="1000"))
    try:
        process.send({"id": "y" * 1000, "type": "ping"})
        reply = process.next_reply()
        assert reply["type"] == "error" and reply["code"] == "internal" and reply["id"] is None, reply
        assert process.request({"id": 2, "type": "ping"})["type"] == "pong"
        assert process.close() == 0
        assert "could not be sent" in (tmp_path / "home" / "logs" / "bridge.log").read_text(encoding="utf-8")
    finally:
        process.kill()
