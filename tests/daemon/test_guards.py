"""Middlewares on a real loopback server: auth, Host and Origin refusals, body limit, headers, no CORS."""
from __future__ import annotations

import pytest

from .conftest import TOKEN, assert_error, auth_headers

pytestmark = pytest.mark.asyncio

PROTECTED = [("GET", "/v1/taxonomy", None), ("GET", "/v1/openapi.json", None),
             ("POST", "/v1/analyze", {"text": "We collect your email address."}), ("DELETE", "/v1/memory", None)]




@pytest.mark.parametrize("method, path, body", PROTECTED)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer ", TOKEN,
                                           f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"])
async def test_protected_routes_refuse_missing_or_wrong_tokens(api, method, path, body, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await api.request(method, path, json=body, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_error(await response.json(), "unauthorized")


@pytest.mark.parametrize("method, path, body", PROTECTED)
async def test_protected_routes_accept_the_token(api, method, path, body):
    response = await api.request(method, path, json=body, headers=auth_headers())
    assert response.status == 200, await response.text()
    response = await api.request(method, path, json=body, headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status == 200  # the scheme name is case-insensitive (RFC 7235)


async def test_health_needs_no_token(api):
    response = await api.get("/v1/health")
    assert response.status == 200


async def test_unknown_routes_need_the_token_before_saying_not_found(api):
    response = await api.get("/v1/secret-route")
    assert response.status == 401
    response = await api.get("/v1/secret-route", headers=auth_headers())
    assert response.status == 404
    assert_error(await response.json(), "not_found")


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "localhost:{other}", "127.0.0.1",
                                  "127.0.0.2:{port}", "localhost.evil.example:{port}", "[::1]:{other}",
                                  "127.0.0.1:{port}x", "::1:{port}", "[::1", ""])
@pytest.mark.parametrize("path", ["/v1/health", "/v1/taxonomy"])
async def test_foreign_host_headers_are_refused(api, host, path):
    port = api.port
    response = await api.get(path, headers={"Host": host.format(port=port, other=port + 1), **auth_headers()})
    assert response.status == 403
    assert_error(await response.json(), "forbidden_host")


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}",
                                  "localhost.:{port}"])
async def test_loopback_host_headers_are_accepted(api, host):
    response = await api.get("/v1/taxonomy", headers={"Host": host.format(port=api.port), **auth_headers()})
    assert response.status == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1"},
    {"Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop"},
    {"Origin": "moz-extension://0f1e2d3c-0000-4000-8000-000000000000"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-origin"},
])
@pytest.mark.parametrize("method, path", [("GET", "/v1/health"), ("POST", "/v1/analyze"), ("OPTIONS", "/v1/analyze")])
async def test_requests_from_web_pages_are_refused_without_cors(api, headers, method, path):
    request_headers = {**headers, **auth_headers(), "Access-Control-Request-Method": "POST"}
    response = await api.request(method, path, json={"text": "x"}, headers=request_headers)
    assert response.status == 403
    assert_error(await response.json(), "forbidden_origin")
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


async def test_a_typed_address_is_not_a_web_page(api):
    response = await api.get("/v1/health", headers={"Sec-Fetch-Site": "none"})
    assert response.status == 200


async def test_no_cors_or_caching_headers_on_success(api):
    response = await api.post("/v1/analyze", json={"text": "We keep logs."}, headers=auth_headers())
    assert response.status == 200
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in response.headers


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_bodies_over_the_limit_get_413(make_api, chunked):
    api = await make_api(max_body_bytes=4096)
    body = ('{"text": "' + "a" * 8000 + '"}').encode()

    async def stream():
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    response = await api.post("/v1/analyze", data=stream() if chunked else body,
                              headers={**auth_headers(), "Content-Type": "application/json"})
    assert response.status == 413
    body = await response.json()
    assert_error(body, "payload_too_large")
    assert "4096 bytes" in body["error"]["message"]  # the limit, whichever check refused it (bridge: `too_large`)


async def test_a_body_just_under_the_limit_is_read(make_api):
    api = await make_api(max_body_bytes=4096)
    body = '{"text": "' + "a" * (4096 - 12) + '"}'
    assert len(body) <= 4096
    response = await api.post("/v1/analyze", data=body, headers={**auth_headers(), "Content-Type": "application/json"})
    assert response.status == 200
