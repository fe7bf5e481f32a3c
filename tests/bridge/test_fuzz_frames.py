"""A property of the bridge's read-dispatch-reply loop (host.serve, in-process), for any stream of frames a browser
or anything else may write: every frame gets exactly one reply, and each reply is what PROTOCOL.md says it is.

The streams mix well-formed requests with what a hostile or buggy peer sends: lengths over the limit (whose bodies
must be skipped in step), truncated frames, invalid UTF-8, non-object JSON, fields of every JSON type, duplicate
keys, deep nesting, lone surrogates, NaN and Infinity, ids at the length limit. Requests that would reach the daemon
go to a real DaemonClient whose daemon command does not exist, so they end in `daemon_start_failed`.
"""
from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from smallprint import strict_json
from smallprint_bridge import framing, host
from smallprint_bridge.daemon_client import DaemonClient, DaemonSettings
from smallprint_bridge.errors import ERROR_NUMBERS

from .test_framing import TrickleStream

MAX_FRAME = 8 * 1024

# Any code point, lone surrogates included (a page's text can hold them; Firefox sends them as \\uXXXX escapes).
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=12)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), ANY_TEXT)
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                           st.dictionaries(ANY_TEXT, inner, max_size=3)), max_leaves=8)
IDS = st.one_of(st.integers(), ANY_TEXT, st.text("a\x00\"\\\u00e9\ud800", min_size=1020, max_size=1030), JSON_VALUE)
TYPES = st.one_of(st.sampled_from(["ping", "status", "analyze", "forget", "pong", "part", "", "PING"]), JSON_VALUE)
BLOCKS = st.one_of(
    st.lists(st.fixed_dictionaries({"id": ANY_TEXT, "text": ANY_TEXT},
                                   optional={"tag": st.one_of(st.sampled_from(["h1", "p", None]), JSON_VALUE),
                                             "extra": JSON_VALUE}), min_size=1, max_size=3),
    st.lists(JSON_VALUE, max_size=3), JSON_VALUE)
FIELDS = {"blocks": BLOCKS, "url": st.one_of(ANY_TEXT, JSON_VALUE), "title": JSON_VALUE,
          "depth": st.one_of(st.sampled_from(["quick", "full"]), JSON_VALUE), "as_policy": JSON_VALUE,
          "remember": JSON_VALUE, "visit_id": st.one_of(ANY_TEXT, JSON_VALUE), "extension_version": JSON_VALUE,
          "site": st.one_of(ANY_TEXT, JSON_VALUE), "all": st.one_of(st.just(True), JSON_VALUE)}


VALID_BLOCKS = st.lists(st.fixed_dictionaries({"id": ANY_TEXT, "text": ANY_TEXT},
                                              optional={"tag": st.sampled_from(["h1", "p", None])}), min_size=1,
                       max_size=3)


@st.composite
def requests(draw) -> dict:
    if draw(st.booleans()):  # a valid analysis request, now and then one of its fields drawn anew (perhaps wrong)
        message = {"id": draw(st.one_of(st.integers(), ANY_TEXT)), "type": "analyze", "blocks": draw(VALID_BLOCKS)}
        names = [draw(st.sampled_from(["id", "type", *FIELDS]))] if draw(st.booleans()) else []
    else:  # anything, mostly with an id and a type, so that the fields behind them are reached
        names = [name for name in ("id", "type", *FIELDS) if draw(st.integers(0, 4))]
        message = {}
    values = {"id": IDS, "type": TYPES, **FIELDS}
    for name in names:
        message[name] = draw(values[name])
    return message


def encode(value: object, ascii_only: bool) -> bytes:
    # Python writes NaN and Infinity (which JSON.parse refuses) and, with ascii_only=False, lone surrogates as the
    # bytes of a surrogate (not UTF-8): both are inputs the bridge must answer.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


BODIES = st.one_of(
    st.builds(encode, requests(), st.booleans()),
    st.builds(encode, JSON_VALUE, st.booleans()),
    st.binary(max_size=40),
    st.builds(lambda kind: b'{"id": 1, "type": "status", "id": "again", "type": %s}' % encode(kind, True), TYPES),
    st.builds(lambda depth: b'{"id": 7, "type": "ping", "x": ' + b"[" * depth + b"]" * depth + b"}",
              st.integers(1, 3_000)),  # Python's parser gives up near 1,000
    st.sampled_from([b"", b"NaN", b'{"id": NaN, "type": "ping"}', b'{"id": Infinity, "type": "ping"}',
                     b'{"id": 1e999, "type": "ping"}', b'\xef\xbb\xbf{"id": 1, "type": "ping"}',
                     b'{"id": ' + b"9" * 5000 + b', "type": "ping"}', b'{"id": "\\ud800", "type": "\\udc00"}',
                     b'{"id": "\xed\xa0\x80", "type": "ping"}']),
)


@st.composite
def streams(draw) -> tuple[bytes, list[bytes | None], str | None]:
    """(the bytes, each frame's body or None for one over the limit, how the input ends: None at a boundary)."""
    data, frames = b"", []
    for body in draw(st.lists(BODIES, max_size=5)):
        if draw(st.integers(0, 6)) == 0:  # over the limit: refused, then exactly its length skipped
            padding = b"\0" * (MAX_FRAME + 1 - len(body))
            data += framing.LENGTH.pack(len(body) + len(padding)) + body + padding
            frames.append(None)
        else:
            data += framing.LENGTH.pack(len(body)) + body
            frames.append(body)
    ending = draw(st.sampled_from([None, None, "inside the length", "inside the body", "while skipping"]))
    data += {None: b"", "inside the length": b"\x05\x00", "inside the body": framing.LENGTH.pack(100) + b"{}",
             "while skipping": framing.LENGTH.pack(2**32 - 1) + b"{}"}[ending]
    return data, frames, ending


# JSON nested about this deep parses or not depending on how deep the parser's caller already is on the stack
# (Python's parser counts its nesting against the recursion limit): either answer is right for it.
DEPTH_EITHER_WAY = 500


def expected_replies(body: bytes | None) -> list[tuple[object, set[str]]]:
    """The replies the frame may get, each as (the id it carries, the types or error codes it may have), from
    PROTOCOL.md §2, §3 and §6."""
    if body is not None and b"[" * DEPTH_EITHER_WAY in body:
        return [(None, {"malformed_json"}), *expected_replies(body.replace(b"[" * DEPTH_EITHER_WAY, b"[" * 10)
                                                             .replace(b"]" * DEPTH_EITHER_WAY, b"]" * 10))]
    return [expected_reply(body)]


def expected_reply(body: bytes | None) -> tuple[object, set[str]]:
    if body is None:
        return None, {"frame_too_large"}
    try:
        message = strict_json.loads(body.decode("utf-8"))  # NaN and Infinity are malformed_json too
    except UnicodeDecodeError:
        return None, {"bad_encoding"}
    except ValueError:
        return None, {"malformed_json"}
    request_id = message.get("id") if isinstance(message, dict) else None
    if isinstance(request_id, bool) or not isinstance(request_id, (str, int)) or \
            (isinstance(request_id, str) and len(request_id) > host.MAX_ID_CHARS):
        return None, {"bad_request"}
    kind = message.get("type")
    if not isinstance(kind, str):
        return request_id, {"bad_request"}
    outcomes = {"ping": {"pong"}, "status": {"status"}, "analyze": {"bad_request", "daemon_start_failed"},
                "forget": {"bad_request", "daemon_start_failed"}}
    return request_id, outcomes.get(kind, {"unknown_type"})


def read_replies(output: bytes, max_reply: int) -> list[dict]:
    """The frames the bridge wrote, read strictly (nothing but whole frames), split replies reassembled."""
    replies, parts, position = [], {}, 0
    while position < len(output):
        (length,) = framing.LENGTH.unpack_from(output, position)
        body = output[position + 4:position + 4 + length]
        assert len(body) == length <= max_reply
        position += 4 + length
        message = json.loads(body.decode("utf-8"))  # strict: valid UTF-8, no NaN needed
        assert isinstance(message, dict) and "id" in message and isinstance(message.get("type"), str), message
        if message["type"] != "part":
            replies.append(message)
            continue
        chunks = parts.setdefault(json.dumps(message["id"]), {})
        chunks[message["index"]] = message["chunk"]
        if len(chunks) == message["count"]:
            del parts[json.dumps(message["id"])]
            replies.append(json.loads("".join(chunks[i] for i in range(message["count"]))))
    assert not parts, "a split reply was left incomplete"
    return replies


class KeptOpen(io.BytesIO):
    def close(self) -> None:  # the writer may close its stream; the test still reads it
        pass


@pytest.fixture(scope="module")
def no_daemon_settings(tmp_path_factory):
    """A home of its own, and a daemon command that cannot run: analyses end in `daemon_start_failed` at once."""
    home = tmp_path_factory.mktemp("fuzz-bridge")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMALLPRINT_HOME", str(home / "sp-home"))
        patch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        yield DaemonSettings(start_timeout=5, request_timeout=5, command=(str(home / "no-such-daemon"),))


@given(stream=streams(), read_step=st.sampled_from([1, 3, 4096, 1 << 20]),
       max_reply=st.sampled_from([framing.MAX_REPLY_FRAME, 20_000]))
# derandomize: the same examples every run (explore further locally by raising max_examples).
@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_frame_gets_exactly_its_one_reply(no_daemon_settings, stream, read_step, max_reply):
    data, frames, ending = stream
    output = KeptOpen()
    writer = host.FrameWriter(output, max_reply)
    bridge = host.Bridge(writer, client_factory=lambda: DaemonClient(no_daemon_settings), max_frame=MAX_FRAME)
    assert host.serve(TrickleStream(data, read_step), writer, bridge, MAX_FRAME) == 0

    replies = read_replies(output.getvalue(), max_reply)
    expected = [expected_replies(body) for body in frames]
    if ending is not None:
        expected.append([(None, {"frame_too_large" if ending == "while skipping" else "truncated_frame"})])
    assert len(replies) == len(expected), replies
    for reply in replies:
        event(f"reply: {reply.get('code', reply['type'])}")  # what the examples reached (--hypothesis-show-statistics)
        if reply["type"] == "error":
            assert ERROR_NUMBERS[reply["code"]] == reply["number"]
            assert isinstance(reply["message"], str) and reply["message"]
    # Replies to requests may come in any order (the bridge serves a few at a time): match each by id.
    unmatched = list(replies)
    for alternatives in sorted(expected, key=len):  # frames with one possible reply first: they have no choice
        match = next((r for r in unmatched for request_id, outcomes in alternatives
                      if r["id"] == request_id and r.get("code", r["type"]) in outcomes), None)
        assert match is not None, f"no reply that is one of {alternatives}: {unmatched}"
        unmatched.remove(match)
