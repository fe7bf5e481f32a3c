"""The OpenAPI 3.1 document: valid per the spec, and real responses (successes and errors) match its schemas."""
from __future__ import annotations

import jsonschema
import openapi_spec_validator
import pytest
import pytest_asyncio
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from smallprint.daemon.app import OPTIONAL_ROUTE_MODULES
from smallprint.daemon.errors import ERROR_CODES
from smallprint.daemon.openapi import HEAD_NOTE

from .conftest import auth_headers

pytestmark = pytest.mark.asyncio

DOC_URI = "urn:smallprint:openapi"
POLICY = ("Privacy Policy\n\nWe collect your email address and location.\n\n"
          "We may use your content to train our AI models.\n\nWe do not sell your personal information.")

# (method, path, request kwargs, expected status)
CASES = [
    ("GET", "/v1/health", {}, 200),
    ("GET", "/v1/taxonomy", {"headers": auth_headers()}, 200),
    ("GET", "/v1/openapi.json", {"headers": auth_headers()}, 200),
    ("POST", "/v1/analyze", {"headers": auth_headers(), "json": {"text": POLICY, "url": "https://example.org/p"}}, 200),
    ("POST", "/v1/analyze", {"headers": auth_headers(), "json": {"blocks": [{"id": "a", "text": POLICY}]}}, 200),
    ("POST", "/v1/analyze", {"headers": {**auth_headers(), "Content-Type": "application/json"}, "data": b"{"}, 400),
    ("POST", "/v1/analyze", {"headers": {**auth_headers(), "Content-Type": "text/plain"}, "data": b"{}"}, 415),
    ("POST", "/v1/analyze", {"headers": auth_headers(), "json": {}}, 400),
    ("POST", "/v1/analyze", {"json": {"text": "x"}}, 401),
    ("GET", "/v1/taxonomy", {}, 401),
    ("DELETE", "/v1/memory", {"headers": auth_headers()}, 200),
    ("DELETE", "/v1/memory", {}, 401),
    ("GET", "/v1/health", {"headers": {"Origin": "https://evil.example"}}, 403),
    ("GET", "/v1/health", {"headers": {"Host": "evil.example"}}, 403),
    ("POST", "/v1/analyze", {"headers": auth_headers(), "data": b"x" * 5000}, 413),
]


@pytest_asyncio.fixture
async def document_and_api(make_api):
    # With the optional modules the real daemon loads (the policy memory), so their fragments are checked too.
    api = await make_api(optional_modules=OPTIONAL_ROUTE_MODULES, max_body_bytes=4096)
    response = await api.get("/v1/openapi.json", headers=auth_headers())
    return await response.json(), api


def response_schema(document: dict, path: str, method: str, status: int) -> dict:
    response = document["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[1]
        response = document["components"]["responses"][name]
    return response["content"]["application/json"]["schema"]


def validator_for(document: dict, schema: dict) -> jsonschema.Validator:
    # Local refs ("#/components/...") resolve against the whole document.
    wrapped = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": DOC_URI + "#/$defs/target",
               "$defs": {}}
    document_with_target = dict(document, **{"$defs": {"target": schema}})
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(document_with_target,
                                                                        default_specification=DRAFT202012))
    return jsonschema.Draft202012Validator(wrapped, registry=registry)


async def test_the_document_is_valid_openapi_3_1(document_and_api):
    document, _ = document_and_api
    assert document["openapi"] == "3.1.0"
    openapi_spec_validator.validate(document)


async def test_every_route_is_documented(document_and_api):
    document, api = document_and_api
    served = {(route.method.lower(), route.resource.canonical) for route in api.server.app.router.routes()
              if route.method != "HEAD"}
    documented = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert served == documented


async def test_head_is_answered_on_every_get_route_as_the_document_says(document_and_api):
    """The document lists GET operations only (test_every_route_is_documented leaves HEAD out) and says that each
    answers HEAD: the HEAD routes served must be exactly the documented GETs, each answering as its GET, bodiless."""
    document, api = document_and_api
    assert HEAD_NOTE in document["info"]["description"]
    served_head = {route.resource.canonical for route in api.server.app.router.routes() if route.method == "HEAD"}
    documented_get = {path for path, operations in document["paths"].items() if "get" in operations}
    assert served_head == documented_get
    for path in sorted(documented_get):
        concrete = path.replace("{site}", "example.com")
        got = await api.get(concrete, headers=auth_headers())
        head = await api.head(concrete, headers=auth_headers())
        assert (head.status, head.headers["Content-Type"]) == (got.status, got.headers["Content-Type"]), path
        assert await head.read() == b"", path


async def test_every_operation_lists_the_answers_every_route_can_give(document_and_api):
    """405 (with Allow), 413 (the size check runs before the token), 503 shutting_down, the guards' 400 and 403, 500,
    and 401 wherever a token is needed: on every served operation, the policy memory's too."""
    document, api = document_and_api

    def resolved(entry: dict) -> dict:
        return document["components"]["responses"][entry["$ref"].rsplit("/", 1)[1]] if "$ref" in entry else entry

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            listed = operation["responses"]
            needed = {"400", "403", "405", "413", "500", "503"}
            if operation.get("security") != []:  # every route but /v1/health needs the token
                needed.add("401")
            assert needed <= set(listed), (method, path, needed - set(listed))
            assert "shutting_down" in resolved(listed["503"])["description"], (method, path)
            assert "Allow" in resolved(listed["405"])["headers"]


@pytest.mark.parametrize("method, path", [("PATCH", "/v1/sites"), ("POST", "/v1/taxonomy"), ("PUT", "/v1/health"),
                                          ("GET", "/v1/memory"), ("POST", "/v1/sites/example.com/diff")])
async def test_a_method_a_route_does_not_take_is_answered_as_documented(document_and_api, method, path):
    document, api = document_and_api
    response = await api.request(method, path, headers=auth_headers())
    assert response.status == 405 and response.headers["Allow"]
    canonical = path.replace("example.com", "{site}")
    documented = next(m for m in document["paths"][canonical])
    validator_for(document, response_schema(document, canonical, documented, 405)).validate(await response.json())


@pytest.mark.parametrize("method, path", [("DELETE", "/v1/memory"), ("GET", "/v1/taxonomy"), ("GET", "/v1/sites"),
                                          ("GET", "/v1/health")])
async def test_a_body_over_the_limit_is_answered_as_documented_on_every_route(document_and_api, method, path):
    document, api = document_and_api
    response = await api.request(method, path, data=b"x" * 5000)
    assert response.status == 413
    validator_for(document, response_schema(document, path, method, 413)).validate(await response.json())


async def test_every_error_code_is_in_the_error_schema(document_and_api):
    document, _ = document_and_api
    assert document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"] \
        == list(ERROR_CODES)


@pytest.mark.parametrize("method, path, kwargs, status", CASES)
async def test_real_responses_match_the_document(document_and_api, method, path, kwargs, status):
    document, api = document_and_api
    response = await api.request(method, path, **kwargs)
    assert response.status == status, await response.text()
    body = await response.json()
    validator_for(document, response_schema(document, path, method, status)).validate(body)


async def test_a_wrong_body_fails_the_schema(document_and_api):
    """The check above has teeth: a body that breaks the Analysis schema is caught."""
    document, _ = document_and_api
    validator = validator_for(document, response_schema(document, "/v1/analyze", "POST", 200))
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"kind": "novel", "highlights": "none"})


@pytest.mark.parametrize("body, valid", [
    ({"text": "x"}, True), ({"html": "<p>x</p>", "url": None}, True), ({"blocks": [{"id": "a", "text": "x"}]}, True),
    ({}, False), ({"text": "x", "html": "y"}, False), ({"text": 1}, False), ({"blocks": [{"id": "a"}]}, False),
])
async def test_the_request_schema_agrees_with_the_server(document_and_api, body, valid):
    document, api = document_and_api
    schema = document["paths"]["/v1/analyze"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert validator_for(document, schema).is_valid(body) is valid
    response = await api.post("/v1/analyze", json=body, headers=auth_headers())
    assert (response.status == 200) is valid
