"""Found by fuzzing a real `smallprint serve` (schemathesis' probes, then by hand): requests aiohttp cannot parse, and
bodies it cannot decode, get the API's error envelope like every other error, and leave no traceback in the log.

Before: a NUL in a header, a bad method or an over-long header line got aiohttp's own plain-text 400 quoting the
offending bytes, and logged two tracebacks (the second from the access logger, which assumed every request had
reached the router); a body declared gzip that was not gzip was a 500 `internal_error`, "a bug in smallprint".
"""
from __future__ import annotations

import gzip
import json
import socket
import time

import pytest

from .conftest import assert_error, start_daemon

pytestmark = pytest.mark.slow

# Stands for what a request's bytes may hold (a token, a site someone visited): never echoed, never logged.
PRIVATE = b"private-marker.example"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    daemon = start_daemon(tmp_path_factory.mktemp("unparsable") / "sp-home", "--port", "0")
    daemon.api_token = daemon.token()
    yield daemon
    daemon.stop()
    for stream in (daemon.process.stdout, daemon.process.stderr):
        stream.close()


def exchange(daemon, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the answer until the daemon closes the connection: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", daemon.info["port"]), timeout=30) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def daemon_log(daemon) -> str:
    return "".join(path.read_text() for path in sorted((daemon.home / "logs").glob("daemon.log*")))


def request_head(daemon, *lines: bytes, method: bytes = b"GET", path: bytes = b"/v1/health") -> bytes:
    host = b"Host: 127.0.0.1:%d" % daemon.info["port"]
    return b"\r\n".join([method + b" " + path + b" HTTP/1.1", host, *lines]) + b"\r\n\r\n"


UNPARSABLE = {
    "a NUL byte in a header": lambda d: request_head(d, b"X-Note: " + PRIVATE + b"\x00"),
    "a method that is no method": lambda d: b"GET\x01" + PRIVATE + b" /v1/health HTTP/1.1\r\n\r\n",
    "a Content-Length that is no number": lambda d: request_head(d, b"Content-Length: " + PRIVATE),
    "a header line over 8 KB": lambda d: request_head(d, b"X-Note: " + PRIVATE * 500),
    "both Transfer-Encoding and Content-Length": lambda d: request_head(
        d, b"Transfer-Encoding: chunked", b"Content-Length: 2", method=b"POST", path=b"/v1/analyze") + b"{}",
    "a Content-Encoding the daemon cannot decode": lambda d: request_head(
        d, b"Content-Encoding: br", b"Content-Length: %d" % len(PRIVATE), method=b"POST", path=b"/v1/analyze") + PRIVATE,
}


@pytest.mark.parametrize("name", list(UNPARSABLE))
def test_a_request_that_is_not_valid_http_gets_the_envelope(daemon, name):
    status, headers, body = exchange(daemon, UNPARSABLE[name](daemon))
    assert status == 400, body
    assert headers["content-type"].startswith("application/json")
    assert_error(json.loads(body), "invalid_request")
    assert PRIVATE not in body
    log = daemon_log(daemon)
    assert "Traceback" not in log and PRIVATE.decode() not in log
    assert daemon.request("GET", "/v1/health")[0] == 200  # and the daemon serves on


@pytest.mark.parametrize("encoding,body", [
    ("gzip", b"not gzip at all"),
    ("deflate", b"not deflate either"),
])
def test_a_body_that_does_not_decode_is_a_clear_400(daemon, encoding, body):
    raw = request_head(daemon, b"Authorization: Bearer " + daemon.api_token.encode(),
                       b"Content-Type: application/json", b"Content-Encoding: " + encoding.encode(),
                       b"Content-Length: %d" % len(body), method=b"POST", path=b"/v1/analyze") + body
    status, headers, answer = exchange(daemon, raw)
    assert status == 400, answer
    assert_error(json.loads(answer), "invalid_request")
    assert "Traceback" not in daemon_log(daemon)


def test_a_body_that_does_not_decode_refused_before_it_is_read_leaves_no_traceback(daemon):
    # No token: answered 401 before the body is read; aiohttp then reads the rest of it, which fails again.
    raw = request_head(daemon, b"Content-Type: application/json", b"Content-Encoding: gzip", b"Content-Length: 11",
                       method=b"POST", path=b"/v1/analyze") + b"not gzip at"
    status, _, answer = exchange(daemon, raw)
    assert status == 401
    assert_error(json.loads(answer), "unauthorized")
    assert "Traceback" not in daemon_log(daemon)


def test_a_well_compressed_body_is_still_read(daemon):
    body = gzip.compress(json.dumps({"text": "We may sell your personal data.", "depth": "quick"}).encode())
    raw = request_head(daemon, b"Authorization: Bearer " + daemon.api_token.encode(), b"Connection: close",
                       b"Content-Type: application/json", b"Content-Encoding: gzip",
                       b"Content-Length: %d" % len(body), method=b"POST", path=b"/v1/analyze") + body
    status, _, answer = exchange(daemon, raw)
    assert status == 200, answer
    assert json.loads(answer)["depth"] == "quick"


# The headers by which an answer could be told apart, or that protect it: an answer aiohttp makes for a request
# that is not valid HTTP never passes through the app (its on_response_prepare), and once named the server
# ("Python/3.11 aiohttp/3.x") and left out Cache-Control and X-Content-Type-Options, unlike every routed answer.
COMPARED_HEADERS = ("server", "cache-control", "x-content-type-options", "content-type", "access-control-allow-origin")


@pytest.mark.parametrize("name", list(UNPARSABLE))
def test_a_request_that_is_not_valid_http_is_answered_with_the_headers_of_every_other_error(daemon, name):
    routed = {}
    token = b"Authorization: Bearer " + daemon.api_token.encode()
    for path, token_line, expected_status in ((b"/v1/no-such-route", token, 404),
                                              (b"/v1/analyze", b"X-Token: none", 401)):
        raw = request_head(daemon, token_line, b"Connection: close", method=b"POST", path=path)
        status, headers, _ = exchange(daemon, raw)
        assert status == expected_status
        routed[expected_status] = {h: headers.get(h) for h in COMPARED_HEADERS}
    assert routed[404] == routed[401]  # what every routed answer carries, whatever the error
    _, refused, _ = exchange(daemon, UNPARSABLE[name](daemon))
    assert {h: refused.get(h) for h in COMPARED_HEADERS} == routed[404]
    assert refused["cache-control"] == "no-store" and "server" not in refused


@pytest.mark.parametrize("path", [b"/v1/analyze", b"/v1/no-such-route"])
def test_an_expectation_the_daemon_does_not_meet_gets_the_envelope(daemon, path):
    # aiohttp answers Expect before the app's middlewares; anything but 100-continue was its plain-text 417
    # "Unknown Expect: ...", the one error answer outside the envelope.
    raw = request_head(daemon, b"Authorization: Bearer " + daemon.api_token.encode(), b"Expect: " + PRIVATE,
                       b"Connection: close", b"Content-Length: 2", method=b"POST", path=path) + b"{}"
    status, headers, body = exchange(daemon, raw)
    assert status == 400, body
    assert headers["content-type"].startswith("application/json") and headers["cache-control"] == "no-store"
    assert_error(json.loads(body), "invalid_request")
    assert PRIVATE not in body and PRIVATE.decode() not in daemon_log(daemon)
    assert "Traceback" not in daemon_log(daemon)


def test_a_client_that_leaves_before_its_body_is_no_server_error(daemon):
    """A client that closes its connection halfway through its body (a closed tab, a killed curl) asked nothing a
    bug of ours could answer. Before: logged as an "unhandled error" with a traceback, and a 500 in the access log."""
    with socket.create_connection(("127.0.0.1", daemon.info["port"]), timeout=30) as connection:
        connection.sendall(request_head(daemon, b"Authorization: Bearer " + daemon.api_token.encode(),
                                        b"Content-Type: application/json", b"Content-Length: 1000",
                                        method=b"POST", path=b"/v1/analyze") + b'{"text": "We sell')
        time.sleep(0.3)  # the view is now waiting for the rest of the body
    deadline = time.monotonic() + 10
    while "before its request body arrived" not in daemon_log(daemon) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = daemon_log(daemon)
    assert "Traceback" not in log and "unhandled error" not in log and "POST /v1/analyze 500" not in log
    assert "before its request body arrived" in log
    assert daemon.request("GET", "/v1/health")[0] == 200
