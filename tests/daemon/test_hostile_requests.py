"""Finding 10 of issue 13, on a real loopback server: a body too big for the engine is refused before it is
parsed, and a Host header whose port is a non-ASCII digit is refused (403), not a server error."""
from __future__ import annotations

import asyncio
import json

import pytest

from smallprint.daemon import views
from smallprint.daemon.views import MAX_BODY_CHARS, MAX_INPUT_CHARS
from smallprint.engine.blocks import MAX_BLOCKS
from smallprint.engine.blocks import MAX_INPUT_CHARS as ENGINE_MAX_INPUT_CHARS

from ..conftest import ROOT

from .conftest import assert_error, auth_headers

def test_the_daemon_knows_the_engine_limit():
    assert (MAX_INPUT_CHARS, views.MAX_BLOCKS) == (ENGINE_MAX_INPUT_CHARS, MAX_BLOCKS)


@pytest.mark.asyncio
@pytest.mark.parametrize("body", [
    {"text": "a" * 15_000_000},
    {"blocks": [{"id": f"b{i}", "text": "x" * 1000} for i in range(5000)]},
])
async def test_a_body_over_the_engine_limit_is_refused_before_parsing(api, body):
    response = await api.post("/v1/analyze", data=json.dumps(body), headers={**auth_headers(),
                              "Content-Type": "application/json"})
    assert response.status == 413
    assert_error(await response.json(), "payload_too_large")


@pytest.mark.asyncio
async def test_more_blocks_than_the_engine_reads_are_refused_by_the_limit_the_answer_names(api):
    """docs/API.md promised 422 input_too_large for more than 200,000 blocks; but a list that long is always over the
    body's 4,000,000 characters, checked first, and its 413 spoke of pages of 2,000,000 characters only, for a list
    whose text was empty. The 413 names the body's limit and the blocks', and the docs say which applies; a text
    the engine splits into more than 200,000 blocks is the engine's 422."""
    async def refusal(body: str, status: int, code: str) -> str:
        response = await api.post("/v1/analyze", data=body, headers={**auth_headers(),
                                  "Content-Type": "application/json"})
        assert response.status == status
        answer = await response.json()
        assert_error(answer, code)
        return answer["error"]["message"]

    smallest = json.dumps({"blocks": [{"id": "", "text": ""}] * (MAX_BLOCKS + 1)}, separators=(",", ":"))
    assert len(smallest) > MAX_BODY_CHARS
    message = await refusal(smallest, 413, "payload_too_large")
    assert f"{MAX_BODY_CHARS:,} a request may hold" in message and f"{MAX_BLOCKS:,} blocks" in message
    paragraphs = json.dumps({"text": "a\n\n" * (MAX_BLOCKS + 1)})
    assert f"more than {MAX_BLOCKS:,} blocks" in await refusal(paragraphs, 422, "input_too_large")

    api_doc = " ".join((ROOT / "docs" / "API.md").read_text(encoding="utf-8").split())
    assert "a `blocks` list of more than 200,000 blocks is always over it" in api_doc


@pytest.mark.asyncio
async def test_escaped_characters_count_once(api):
    # 1.5 million "é" written as \\u00e9 escapes: 9 MB of JSON, 1.5 million characters for the engine.
    body = json.dumps({"text": "Privacy policy. We do not sell your data. " + "\u00e9" * 1_500_000}, ensure_ascii=True)
    assert len(body) > MAX_BODY_CHARS
    response = await api.post("/v1/analyze", data=body, headers={**auth_headers(), "Content-Type": "application/json"})
    assert response.status != 413, await response.text()


@pytest.mark.asyncio
@pytest.mark.parametrize("port", ["\u00b2", "\u0661\u0662", "8\u0968"])
async def test_a_non_ascii_digit_port_in_host_is_forbidden(api, port):
    reader, writer = await asyncio.open_connection(api.host, api.port)
    request = (f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").encode("utf-8")
    writer.write(request)
    await writer.drain()
    response = await reader.read()
    writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line.split()[1] == b"403", response[:300]
    assert_error(json.loads(rest.partition(b"\r\n\r\n")[2]), "forbidden_host")


@pytest.mark.asyncio
async def test_health_proves_the_daemon_holds_the_token(api):
    """Finding 2: the proof a client checks before it sends the token (smallprint.daemon.proof)."""
    from smallprint.daemon.proof import new_challenge, proof_is_valid

    from .conftest import TOKEN

    challenge = new_challenge()
    response = await api.get("/v1/health", params={"challenge": challenge})
    body = await response.json()
    assert response.status == 200
    assert proof_is_valid(body["proof"], TOKEN, challenge, api.port)
    assert not proof_is_valid(body["proof"], "another-token", challenge, api.port)
    assert not proof_is_valid(body["proof"], TOKEN, challenge, api.port + 1)  # relayed from elsewhere
    assert "proof" not in await (await api.get("/v1/health")).json()


@pytest.mark.asyncio
@pytest.mark.parametrize("challenge", ["short", "x" * 129, "has space in it 12345", "\u00e9" * 20])
async def test_a_malformed_challenge_is_a_clear_400(api, challenge):
    response = await api.get("/v1/health", params={"challenge": challenge})
    assert response.status == 400
    assert_error(await response.json(), "invalid_request")
