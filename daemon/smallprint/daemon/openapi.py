"""The OpenAPI 3.1 document of the API, built as plain dicts (served at GET /v1/openapi.json).

Extending it from another route module (e.g. smallprint.history.api, inside its `setup(app)`):

    from smallprint.daemon.openapi import register_openapi, error_responses
    register_openapi(app, paths={"/v1/sites/{site}": {"get": {..., "responses": {"200": ..., **error_responses(404)}}}},
                     schemas={"Site": {...}})

An operation lists only the errors of its own; those every route can give (the guards' 400, 403, 405, 413, 500 and
503 `shutting_down`, and 401 where a token is needed) are added to every operation, its own or a module's, by
build_openapi (`_add_responses_every_route_gives`).

Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect); refer to them as "#/components/schemas/<Name>".
Response schemas allow extra properties, so adding a field to a response is not a breaking change.
"""
from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from .. import __version__
from ..history.store import MAX_VISIT_ID_CHARS
from .errors import ERROR_CODES
from .state import OPENAPI_FRAGMENTS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(item: dict) -> dict:
    return {"type": "array", "items": item}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    return schema


STR = {"type": "string"}
NUM = {"type": "number"}
INT = {"type": "integer"}
NULLABLE_STR = {"type": ["string", "null"]}
POLARITY = {"type": "string", "enum": ["concern", "protective", "neutral"]}

# What a forget of the daemon's memory answers (DELETE /v1/memory; DELETE /v1/sites and /v1/sites/{site} add them
# to their answers).
MEMORY_FORGOTTEN_PROPERTIES: dict[str, dict] = {
    "memory_forgotten": {"type": "boolean", "const": True,
                         "description": "the daemon forgot what it held in memory of the pages it read: its cached "
                                        "analyses (all of them: they are kept by content, not by site) and the "
                                        "reader's remembered readings"},
    "forgotten_analyses": {"type": "integer", "minimum": 0, "description": "how many cached analyses it dropped"},
}

# Status -> name of the shared response in components.responses.
_RESPONSE_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                   405: "MethodNotAllowed", 413: "PayloadTooLarge", 415: "UnsupportedMediaType",
                   422: "UnprocessableInput", 500: "InternalError", 503: "ServiceUnavailable", 504: "AnalysisTimeout"}
# Headers an error answer carries (docs/API.md): a 401 says how to authenticate, a 405 which methods the route takes.
_RESPONSE_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}},
    405: {"Allow": {"schema": {"type": "string"}, "description": "The methods the route takes, e.g. \"GET, HEAD\""}},
}
# What any route may answer, whatever it does (middlewares.py, unparsable.py): a request that is not valid HTTP (400),
# from a web page or with a foreign Host (403), with a method the route does not take (405), a body over
# max_body_bytes (413: checked before the token), a bug (500), and a stop that outlasts the grace period (503).
_EVERY_ROUTE = (400, 403, 405, 413, 500)
SHUTTING_DOWN = "ShuttingDown"


def error_responses(*statuses: int) -> dict[str, dict]:
    """Response entries for error statuses, e.g. `{**error_responses(400, 401)}` inside an operation's responses."""
    return {str(s): {"$ref": f"#/components/responses/{_RESPONSE_NAMES[s]}"} for s in statuses}


def _codes_for(status: int) -> list[str]:
    return [code for code, (code_status, _) in ERROR_CODES.items() if code_status == status]


def _error_response(status: int, codes: list[str]) -> dict:
    response = {"description": "; ".join(f"`{c}`: {ERROR_CODES[c][1]}" for c in codes),
                "content": {"application/json": {"schema": _ref("Error")}}}
    if status in _RESPONSE_HEADERS:
        response["headers"] = copy.deepcopy(_RESPONSE_HEADERS[status])
    return response


def _components_responses() -> dict[str, dict]:
    responses = {name: _error_response(status, _codes_for(status)) for status, name in _RESPONSE_NAMES.items()}
    # A route with no 503 of its own answers only this one (ServiceUnavailable adds the policy memory's).
    responses[SHUTTING_DOWN] = _error_response(503, ["shutting_down"])
    return responses


def _add_responses_every_route_gives(paths: dict[str, dict], security: list) -> None:
    """Every operation gets the answers every route can give (see _EVERY_ROUTE), and 401 unless it needs no token;
    an operation's own entry for a status (ServiceUnavailable for 503) stands, as it names more codes."""
    for operations in paths.values():
        for operation in operations.values():
            responses = operation["responses"]
            statuses = _EVERY_ROUTE + ((401,) if operation.get("security", security) else ())
            for status, entry in {**error_responses(*statuses),
                                  "503": {"$ref": f"#/components/responses/{SHUTTING_DOWN}"}}.items():
                responses.setdefault(status, entry)
            operation["responses"] = dict(sorted(responses.items()))


# Standard base64 (RFC 4648 section 4, padded), exactly what the server's strict decoding accepts.
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"

SCHEMAS: dict[str, dict] = {
    "Error": _object({"error": _object({
        "code": {"type": "string", "enum": list(ERROR_CODES), "description": "Stable; see docs/API.md."},
        "message": {"type": "string", "description": "One human sentence; may change between versions."},
    })}),
    "Health": _object({"status": {"type": "string", "const": "ok"}, "version": STR, "api": {"const": "v1"},
                       "proof": {"type": "string", "description": "With ?challenge=: HMAC-SHA256 of the challenge "
                                                                  "and port under the API token (hex)"}},
                      required=["status", "version", "api"]),
    "RequestBlock": {**_object({"id": STR, "text": STR,
                                "tag": {"type": ["string", "null"], "description": "h1..h6, p, li, td (null: none)"}},
                               required=["id", "text"])},
    "AnalyzeRequest": {
        "description": "Exactly one of text, html, blocks or pdf (null counts as absent). Other keys are ignored.",
        "type": "object",
        "properties": {
            "text": {"type": ["string", "null"], "description": "Plain text; paragraphs separated by blank lines."},
            "html": {"type": ["string", "null"], "description": "A whole page or a fragment."},
            "blocks": {"type": ["array", "null"], "items": _ref("RequestBlock"),
                       "description": "Reading-order blocks as the extension extracts them; ids must be unique "
                                      "(the engine refuses duplicates with 422)."},
            "pdf": {"type": ["string", "null"], "contentEncoding": "base64", "contentMediaType": "application/pdf",
                    "pattern": BASE64_PATTERN,
                    "description": "A PDF file, base64-encoded; its text is read (a scanned PDF without text is "
                                   "refused with 422)."},
            "url": NULLABLE_STR,
            "title": NULLABLE_STR,
            "depth": {"type": ["string", "null"], "enum": ["full", "quick", None],
                      "description": "full (default): the learned reader reads every sentence; quick: the rules "
                                     "alone, fast enough for a first paint. The result's `depth` says which "
                                     "answered (full falls back to quick, with a notice, where the reader cannot "
                                     "run)."},
            "as_policy": {"type": ["boolean", "null"],
                          "description": "Grade the document even if it is not detected as a policy (default "
                                         "false: a page that is not a policy gets no letter, and "
                                         "grade.withheld says why)."},
            "remember": {"type": ["boolean", "null"],
                         "description": "With the policy memory on: remember this page even if it is not detected "
                                        "as a policy (policies are remembered anyway; the extension's \"Analyse "
                                        "this page\" sends it)."},
            "visit_id": {"type": ["string", "null"], "minLength": 1, "maxLength": MAX_VISIT_ID_CHARS,
                         "description": "With the policy memory on: an id for one visit of the page (the extension "
                                        "makes a random one per page load). Readings sent again with the same id "
                                        "(late text, a cookie banner) replace that visit's own remembered version "
                                        "instead of adding one, and changes_since_last_visit always compares with "
                                        "the version remembered before the visit. Without it every reading counts "
                                        "as a visit."},
        },
        "oneOf": [
            {"required": [chosen], "properties": {
                name: ({"type": "array" if name == "blocks" else "string"} if name == chosen else {"type": "null"})
                for name in ("text", "html", "blocks", "pdf")}}
            for chosen in ("text", "html", "blocks", "pdf")
        ],
    },
    "Block": _object({"id": STR, "text": STR, "tag": STR}),
    "Highlight": _object({
        "block": STR, "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
        "text": STR, "practice": STR, "polarity": POLARITY, "summary": STR, "confidence": NUM,
        "explanation": {"type": "string", "description": "what fired, for researchers: reader, rule pattern, cue words"},
        "reason": {"type": "string", "description": "why it is highlighted, in one plain sentence for readers"},
        "rules_agree": {"type": "boolean",
                        "description": "full depth: the rules read the same practice and polarity as the reader"},
    }),
    "PracticeFinding": _object({
        "practice": STR, "label": STR, "polarity": POLARITY,
        "counts": {"type": "object", "additionalProperties": INT}, "strongest": INT, "summary": STR,
    }),
    "GradeReason": _object({"practice": STR, "polarity": POLARITY, "points": NUM, "highlight": INT}),
    "Grade": _object({"letter": {"type": ["string", "null"], "enum": ["A", "B", "C", "D", "E", None],
                                 "description": "null when the document is not graded (withheld says why)"},
                      "score": NUM, "formula": STR, "reasons": _array(_ref("GradeReason")),
                      "withheld": NULLABLE_STR}),
    "KeyFinding": _object({"practice": STR, "polarity": POLARITY, "summary": STR, "highlights": _array(INT),
                           "why_important": STR, "confidence": NUM}),
    "SegmentLabels": _object({"block": STR, "categories": _array(STR)}),
    "UnreadPart": _object({"language": {"type": "string", "description": "ISO 639-1 of the part"},
                           "first_block": STR, "last_block": STR,
                           "chars": {"type": "integer", "minimum": 0,
                                     "description": "length of its blocks' text"}}),
    "Analysis": _object({
        "schema_version": INT,
        "depth": {"type": "string", "enum": ["full", "quick"]},
        "language": {"type": "string",
                     "description": "ISO 639-1 of the text that was read (und when undetermined); on a page that was "
                                    "not read (no highlights, a notice says why), the page's language"},
        "notices": _array(STR),
        "unread_parts": {**_array(_ref("UnreadPart")),
                         "description": "parts of the page in a language the highlights were not validated on, "
                                        "left unread while the rest (English) was read: the blocks from "
                                        "first_block to last_block; a notice says so too. Empty when the whole "
                                        "page was read, or none of it"},
        "kind": {"type": "string", "enum": ["privacy_policy", "cookie_policy", "terms_of_service", "other"]},
        "kind_confidence": NUM,
        "kind_evidence": _array(STR),
        "url": NULLABLE_STR,
        "title": NULLABLE_STR,
        "content_hash": STR,
        "grade": _ref("Grade"),
        "key_findings": _array(_ref("KeyFinding")),
        "practices": _array(_ref("PracticeFinding")),
        "highlights": _array(_ref("Highlight")),
        "segments": _array(_ref("SegmentLabels")),
        "blocks": _array(_ref("Block")),
    }),
    "MemoryForgotten": _object(dict(MEMORY_FORGOTTEN_PROPERTIES)),
    "Taxonomy": _object({
        "polarities": _array(STR),
        "kinds": _array(STR),
        "opp115_categories": _array(STR),
        "practices": _array(_object({
            "id": STR, "label": STR, "covers": STR,
            "polarity_meaning": _object({"concern": STR, "protective": STR, "neutral": STR}),
        })),
    }),
}


def _json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS: dict[str, dict] = {
    "/v1/health": {"get": {
        "operationId": "health", "summary": "Is the daemon up (no token needed)",
        "security": [],
        "parameters": [{"name": "challenge", "in": "query", "required": False,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,128}$"},
                        "description": "A fresh random string: the answer's `proof` shows the daemon holds the "
                                       "API token, before a client sends it the token or any page."}],
        "responses": {"200": _json_response("Up", _ref("Health"))},
    }},
    "/v1/analyze": {"post": {
        "operationId": "analyze", "summary": "Analyse a page: its kind, highlighted clauses, practices and grade",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("AnalyzeRequest")}}},
        "responses": {"200": _json_response("The analysis (smallprint.Analysis.to_dict())", _ref("Analysis")),
                      **error_responses(415, 422, 504)},
    }},
    "/v1/memory": {"delete": {
        "operationId": "forgetMemory",
        "summary": "Forget what the daemon holds in memory of the pages it read (what `smallprint forget` asks of a "
                   "running daemon); the policy memory on disk is not touched",
        "responses": {"200": _json_response("What was forgotten", _ref("MemoryForgotten"))},
    }},
    "/v1/taxonomy": {"get": {
        "operationId": "taxonomy", "summary": "Practice ids, labels and what each polarity means",
        "responses": {"200": _json_response("The taxonomy", _ref("Taxonomy"))},
    }},
    "/v1/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document",
        "responses": {"200": _json_response("OpenAPI 3.1 document", {"type": "object"})},
    }},
}


def register_openapi(app: web.Application, *, paths: dict[str, dict] | None = None,
                     schemas: dict[str, dict] | None = None,
                     extra_properties: dict[str, dict[str, dict]] | None = None) -> None:
    """Add an optional module's routes and schemas to the document served by this app. `extra_properties` adds
    optional properties to existing schemas ({"Analysis": {"history": ...}}): a module that adds keys to another
    route's answer documents them there, so the served document describes every key a client can get."""
    app[OPENAPI_FRAGMENTS].append({"paths": paths or {}, "schemas": schemas or {},
                                   "extra_properties": extra_properties or {}})


# aiohttp answers HEAD on every GET route (same checks, status and headers, no body). Listing a `head` operation
# beside each `get` would double the document for what HTTP itself promises; it is said once instead.
HEAD_NOTE = "Every GET operation also answers HEAD: the same status and headers, without the body."


def build_openapi(app: web.Application | None = None) -> dict:
    paths = copy.deepcopy(PATHS)
    schemas = copy.deepcopy(SCHEMAS)
    for fragment in (app[OPENAPI_FRAGMENTS] if app is not None else ()):
        for path, operations in fragment["paths"].items():
            paths.setdefault(path, {}).update(copy.deepcopy(operations))
        schemas.update(copy.deepcopy(fragment["schemas"]))
        for name, properties in fragment["extra_properties"].items():
            schemas[name]["properties"].update(copy.deepcopy(properties))  # optional: not added to "required"
    security = [{"bearer": []}]
    _add_responses_every_route_gives(paths, security)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "smallprint local API",
            "version": __version__,
            "description": "The smallprint daemon's API on loopback. Every error is "
                           "{\"error\": {\"code\", \"message\"}}; codes are listed in docs/API.md. " + HEAD_NOTE,
        },
        "servers": [{"url": "http://127.0.0.1:{port}", "variables": {"port": {"default": "8716"}}}],
        "security": security,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": _components_responses(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "The token printed by `smallprint token`."}},
        },
    }
