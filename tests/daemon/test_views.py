"""The v1 routes on a real loopback server: answers, every 4xx/5xx code, the extension points for other modules."""
from __future__ import annotations

import json

import pytest

from smallprint import __version__
from smallprint.daemon.views import parse_analysis_request
from smallprint.taxonomy import taxonomy_document

from .conftest import assert_error, auth_headers
from .route_plugin import SECRET

pytestmark = pytest.mark.asyncio

PLUGIN = ("tests.daemon.route_plugin",)
POLICY_TEXT = ("Privacy Policy\n\nWe collect your email address and device identifiers.\n\n"
               "We do not sell your personal information.\n\nYou can delete your account at any time.")




async def test_health(api):
    response = await api.get("/v1/health")
    assert await response.json() == {"status": "ok", "version": __version__, "api": "v1"}


async def test_taxonomy(api):
    response = await api.get("/v1/taxonomy", headers=auth_headers())
    assert await response.json() == taxonomy_document()


@pytest.mark.parametrize("body", [
    {"text": POLICY_TEXT},
    {"html": "<html><head><title>Privacy</title></head><body><h1>Privacy Policy</h1>"
             "<p>We do not sell your personal information.</p></body></html>"},
    {"blocks": [{"id": "b0", "text": "Privacy Policy", "tag": "h1"},
                {"id": "b1", "text": "We do not sell your personal information."}]},
    {"text": POLICY_TEXT, "html": None, "blocks": None, "url": "https://example.org/privacy", "title": "Privacy"},
    {"text": POLICY_TEXT, "extra_field_from_a_newer_client": 1},
    # a null tag counts as absent, as the bridge (PROTOCOL.md §3) lets it through
    {"blocks": [{"id": "b0", "text": POLICY_TEXT, "tag": None}], "remember": None},
])
async def test_analyze_accepts_each_input_form(api, body):
    response = await api.post("/v1/analyze", json=body, headers=auth_headers())
    assert response.status == 200, await response.text()
    analysis = await response.json()
    assert analysis["url"] == body.get("url") and analysis["title"] == body.get("title")
    assert len(analysis["content_hash"]) == 64
    assert analysis["kind"] in taxonomy_document()["kinds"]


@pytest.mark.parametrize("raw, code", [
    (b"{not json", "invalid_json"),
    (b"", "invalid_json"),
    (b"\xff\xfe{}", "invalid_json"),
    (b"[1, 2]", "invalid_json"),
    (b'"text"', "invalid_json"),
    # Deeper than the parser's stack: still a 400, not a 500.
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "invalid_json", id="nested-too-deeply"),
    pytest.param(b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "invalid_json", id="nested-too-deeply-inside"),
    # Words Python's parser takes but JSON has not (JSON.parse refuses them): no answer to what no one else reads.
    pytest.param(b'{"text": "x", "foo": Infinity}', "invalid_json", id="infinity"),
    pytest.param(b'{"text": "x", "foo": -Infinity}', "invalid_json", id="minus-infinity"),
    pytest.param(b'{"text": "x", "foo": [NaN]}', "invalid_json", id="nan"),
    # Numbers only too large for a float: Python read them as infinity, the value the words above are refused for.
    pytest.param(b'{"text": "x", "foo": 1e999}', "invalid_json", id="overflow"),
    pytest.param(b'{"text": "x", "foo": [-1.5e400]}', "invalid_json", id="minus-overflow"),
    (b"{}", "invalid_request"),
    (b'{"url": "https://example.org"}', "invalid_request"),
    (b'{"text": null, "html": null}', "invalid_request"),
    (b'{"text": "a", "html": "<p>a</p>"}', "invalid_request"),
    (b'{"text": "a", "blocks": []}', "invalid_request"),
    (b'{"text": 5}', "invalid_request"),
    (b'{"html": ["<p>"]}', "invalid_request"),
    (b'{"blocks": "b0"}', "invalid_request"),
    (b'{"blocks": ["b0"]}', "invalid_request"),
    (b'{"blocks": [{"id": "b0"}]}', "invalid_request"),
    (b'{"blocks": [{"id": 0, "text": "x"}]}', "invalid_request"),
    (b'{"blocks": [{"id": "b0", "text": "x", "tag": 1}]}', "invalid_request"),
    (b'{"text": "a", "url": 5}', "invalid_request"),
    (b'{"text": "a", "title": ["t"]}', "invalid_request"),
    (b'{"text": "a", "remember": "yes"}', "invalid_request"),
    (b'{"text": "a", "remember": {}}', "invalid_request"),
    (b'{"text": "a", "visit_id": 5}', "invalid_request"),
    (b'{"text": "a", "visit_id": ""}', "invalid_request"),
    (b'{"text": "a", "visit_id": "' + b"v" * 129 + b'"}', "invalid_request"),
    # A lone surrogate: valid JSON, but no store can hold it in an id (it was a recording failure naming a codec).
    (b'{"text": "a", "visit_id": "v\\udc00"}', "invalid_request"),
])
async def test_analyze_refuses_bad_bodies_with_400(api, raw, code):
    response = await api.post("/v1/analyze", data=raw, headers={**auth_headers(), "Content-Type": "application/json"})
    assert response.status == 400
    assert_error(await response.json(), code)


async def test_a_number_that_overflows_is_refused_as_infinity_is(api):
    raw = b'{"text": "x", "n": 1e999}'
    response = await api.post("/v1/analyze", data=raw, headers={**auth_headers(), "Content-Type": "application/json"})
    assert response.status == 400
    body = await response.json()
    assert_error(body, "invalid_json")
    assert "1e999 is too large" in body["error"]["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/octet-stream"])
async def test_a_body_declared_as_something_else_than_json_is_refused_with_415(api, content_type):
    """A text/plain or form body is what a web page can send to another origin with no CORS preflight; it was
    read as JSON and answered all the same."""
    raw = json.dumps({"text": POLICY_TEXT}).encode()
    response = await api.post("/v1/analyze", data=raw, headers={**auth_headers(), "Content-Type": content_type})
    assert response.status == 415
    body = await response.json()
    assert_error(body, "unsupported_media_type")
    assert "application/json" in body["error"]["message"] and content_type in body["error"]["message"]


@pytest.mark.parametrize("content_type", [None, "application/json", "application/json; charset=utf-8",
                                          "Application/JSON"])
async def test_a_json_body_or_one_with_no_content_type_is_read(api, content_type):
    from aiohttp import hdrs
    headers = {**auth_headers(), **({"Content-Type": content_type} if content_type else {})}
    # skip_auto_headers: without it aiohttp declares bytes application/octet-stream itself
    response = await api.post("/v1/analyze", data=json.dumps({"text": POLICY_TEXT}).encode(), headers=headers,
                              skip_auto_headers=[hdrs.CONTENT_TYPE])
    assert response.status == 200, await response.text()


async def test_a_number_too_long_to_read_is_refused_in_plain_words(api):
    """Python refuses an integer of over 4,300 digits with a message naming its own setting
    (sys.set_int_max_str_digits): that told the sender how the daemon is built, and nothing it could act on."""
    raw = b'{"text": "x", "n": ' + b"9" * 5000 + b"}"
    response = await api.post("/v1/analyze", data=raw, headers={**auth_headers(), "Content-Type": "application/json"})
    assert response.status == 400
    body = await response.json()
    assert_error(body, "invalid_json")
    assert "more than 4,300 digits" in body["error"]["message"]
    assert "sys" not in body["error"]["message"] and "set_int_max_str_digits" not in body["error"]["message"]


async def test_input_the_engine_refuses_gets_422(api):
    blocks = [{"id": "b0", "text": "We collect your email address."}, {"id": "b0", "text": "We sell it."}]
    response = await api.post("/v1/analyze", json={"blocks": blocks}, headers=auth_headers())
    assert response.status == 422
    assert_error(await response.json(), "unprocessable_input")


async def test_input_over_the_engines_limits_gets_422_input_too_large(api):
    """Its own code, not unprocessable_input: a client (the bridge's `too_large`) tells "too big" from unreadable."""
    response = await api.post("/v1/analyze", json={"text": "a" * 2_000_001}, headers=auth_headers())
    assert response.status == 422
    body = await response.json()
    assert_error(body, "input_too_large")
    assert "2,000,000 characters" in body["error"]["message"]


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/v1/analyze", 405, "method_not_allowed"),
    ("PUT", "/v1/taxonomy", 405, "method_not_allowed"),
    ("GET", "/v2/health", 404, "not_found"),
    ("GET", "/", 404, "not_found"),
])
async def test_unknown_routes_and_methods(api, method, path, status, code):
    response = await api.request(method, path, headers=auth_headers())
    assert response.status == status
    assert_error(await response.json(), code)


async def test_an_analysis_over_its_time_limit_gets_504(make_api):
    api = await make_api(analysis_timeout_seconds=1e-6, cache_entries=0)
    text = "\n\n".join(f"We may share your email address with partner number {i} for advertising." for i in range(3000))
    response = await api.post("/v1/analyze", json={"text": text}, headers=auth_headers())
    assert response.status == 504
    assert_error(await response.json(), "analysis_timeout")


async def test_a_bug_gets_500_without_a_traceback(make_api):
    api = await make_api(optional_modules=PLUGIN)
    response = await api.get("/v1/test/boom", headers=auth_headers())
    assert response.status == 500
    text = await response.text()
    assert SECRET not in text and "Traceback" not in text
    assert_error(await response.json(), "internal_error")


async def test_plugged_routes_get_the_same_guards(make_api):
    api = await make_api(optional_modules=PLUGIN)
    response = await api.get("/v1/test/boom")
    assert response.status == 401
    response = await api.get("/v1/test/boom", headers={**auth_headers(), "Origin": "https://evil.example"})
    assert response.status == 403


async def test_the_analysis_recorder_may_add_keys(make_api):
    api = await make_api(optional_modules=PLUGIN)
    body = {"text": POLICY_TEXT, "url": "https://example.org/privacy"}
    first = await (await api.post("/v1/analyze", json=body, headers=auth_headers())).json()
    assert first["changes_since_last_visit"] == {"seen_before": False, "url": "https://example.org/privacy",
                                                 "encoded_is_the_analysis": True}
    # A cached answer goes through the recorder too, so a repeat visit is still recorded.
    second = await (await api.post("/v1/analyze", json=body, headers=auth_headers())).json()
    assert second == first


async def test_a_failing_recorder_does_not_lose_the_analysis(make_api):
    api = await make_api(optional_modules=PLUGIN)
    response = await api.post("/v1/analyze", json={"text": POLICY_TEXT, "title": "recorder fails"},
                              headers=auth_headers())
    assert response.status == 200
    body = await response.json()
    assert "changes_since_last_visit" not in body and SECRET not in await response.text()


async def test_plugged_routes_appear_in_the_openapi_document(make_api):
    api = await make_api(optional_modules=PLUGIN)
    document = await (await api.get("/v1/openapi.json", headers=auth_headers())).json()
    assert "/v1/test/boom" in document["paths"] and "Boom" in document["components"]["schemas"]
    plain = await (await (await make_api()).get("/v1/openapi.json", headers=auth_headers())).json()
    assert "/v1/test/boom" not in plain["paths"]


@pytest.mark.parametrize("change", ["none", "add", "replace"])
async def test_the_response_body_reuses_the_workers_json_only_when_safe(change):
    from types import MappingProxyType

    from smallprint.daemon.runner import AnalysisResult
    from smallprint.daemon.views import _encode

    original = {"kind": "privacy_policy", "highlights": [{"practice": "ai_training"}], "url": None}
    result = AnalysisResult(MappingProxyType(original), json.dumps(original).encode())
    data = dict(result.data)
    if change == "add":
        data["changes_since_last_visit"] = {"added": [1]}
    elif change == "replace":
        data["kind"] = "other"
    body = _encode(result, data)
    assert json.loads(body) == data
    assert (body == result.body) is (change == "none")


async def test_extra_block_keys_are_ignored_even_deeply_nested(make_api):
    # Parsed fine (under the parser's depth limit), but too deep to pickle for a worker process: the daemon must
    # drop what it ignores before the analysis is sent to a worker, and the cache key must not depend on it.
    api = await make_api(worker_mode="process", workers=1)
    deep = json.loads("[" * 900 + "]" * 900)
    blocks = [{"id": "b0", "text": "We do not sell your personal information.", "tag": "p", "x": deep}]
    response = await api.post("/v1/analyze", json={"blocks": blocks}, headers=auth_headers())
    assert response.status == 200, await response.text()
    plain = await api.post("/v1/analyze", json={"blocks": [{k: v for k, v in blocks[0].items() if k != "x"}]},
                           headers=auth_headers())
    assert (await plain.json())["content_hash"] == (await response.json())["content_hash"]
    assert parse_analysis_request({"blocks": blocks}).content == [{"id": "b0", "text": blocks[0]["text"], "tag": "p"}]


async def test_analyze_answers_at_the_depth_asked_and_caches_each_on_its_own(api):
    answers = {}
    for depth in ("quick", "full", None):
        body = {"text": POLICY_TEXT} if depth is None else {"text": POLICY_TEXT, "depth": depth}
        response = await api.post("/v1/analyze", json=body, headers=auth_headers())
        assert response.status == 200, await response.text()
        answers[depth] = await response.json()
    assert answers["quick"]["depth"] == "quick"
    assert answers["full"]["depth"] == "full"
    assert answers[None] == answers["full"]  # full is the default, and the cached full answer
    assert set(answers["quick"]) == set(answers["full"])  # one schema


@pytest.mark.parametrize("depth", ["deep", 1, ""])
async def test_an_unknown_depth_gets_400(api, depth):
    response = await api.post("/v1/analyze", json={"text": POLICY_TEXT, "depth": depth}, headers=auth_headers())
    assert response.status == 400
    assert_error(await response.json(), "invalid_request")


async def test_as_policy_grades_a_page_that_is_not_a_policy(api):
    news = {"text": "The city council met on Tuesday to discuss the new bus lanes. The mayor said the plan would be "
                    "voted on next month, after a public consultation.", "depth": "quick"}
    plain = await (await api.post("/v1/analyze", json=news, headers=auth_headers())).json()
    assert plain["kind"] == "other" and plain["grade"]["letter"] is None and plain["grade"]["withheld"]
    asked = await (await api.post("/v1/analyze", json={**news, "as_policy": True}, headers=auth_headers())).json()
    assert asked["grade"]["letter"] in tuple("ABCDE") and asked["grade"]["withheld"] is None  # cached apart


@pytest.mark.parametrize("as_policy", ["yes", 1, [True]])
async def test_a_non_boolean_as_policy_gets_400(api, as_policy):
    response = await api.post("/v1/analyze", json={"text": POLICY_TEXT, "as_policy": as_policy}, headers=auth_headers())
    assert response.status == 400
    assert_error(await response.json(), "invalid_request")
