"""The v1 routes: health, analyze, memory, taxonomy, openapi.json. Input checks live here; guards in middlewares."""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from typing import Any

from aiohttp import hdrs, web

from .. import __version__, strict_json
from ..history.store import MAX_VISIT_ID_CHARS, is_visit_id, utc_now
from ..taxonomy import taxonomy_document
from .connections import BODY_SECONDS
from .errors import ApiError
from .middlewares import local_port
from .openapi import build_openapi
from .proof import CHALLENGE, daemon_proof
from .runner import (INPUT_FIELDS, AnalysisRejected, AnalysisRequest, AnalysisResult, AnalysisTimeout,
                     AnalysisTooLarge)
from .state import ANALYSIS_RECORDER, ARRIVED, DEPTH, REMEMBER, RUNNER, TOKENS, VISIT_ID

log = logging.getLogger("smallprint.daemon")

routes = web.RouteTableDef()


@routes.get("/v1/health")
async def health(request: web.Request) -> web.Response:
    answer = {"status": "ok", "version": __version__, "api": "v1"}
    challenge = request.query.get("challenge")
    if challenge is not None:
        # A client checks that it reached the real daemon before it sends the token (proof.py).
        if not CHALLENGE.fullmatch(challenge):
            raise ApiError("invalid_request", "'challenge' must be 16 to 128 letters, digits, '-' or '_'")
        port = local_port(request)
        token = await request.app[TOKENS].token_for_proof()
        if port is not None and token is not None:
            answer["proof"] = daemon_proof(token, challenge, port)
    return web.json_response(answer)


@routes.delete("/v1/memory")
async def forget_memory(request: web.Request) -> web.Response:
    """Forget what the daemon holds in memory of the pages it read (its cached analyses, the reader's remembered
    readings): what `smallprint forget` asks of a running daemon once the store has forgotten. The store is not
    touched."""
    forgotten = request.app[RUNNER].forget_memory()
    return web.json_response(forgotten.to_dict())


@routes.get("/v1/taxonomy")
async def taxonomy(request: web.Request) -> web.Response:
    return web.json_response(taxonomy_document())


@routes.get("/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(build_openapi(request.app))


# A body holding more characters than this is refused before it is parsed: the engine reads at most
# MAX_INPUT_CHARS characters, and parsing JSON runs on the event loop (a 15 MB body held every other request,
# health checks included, for ~300 ms) only to be refused afterwards. Twice the engine's limit leaves room for the
# JSON's own punctuation, block ids, url and title. A `blocks` list of more than MAX_BLOCKS blocks is always over it
# too (the least a block takes, `{"id":"","text":""},`, is 20 characters): such a list is this 413, never the
# engine's 422 input_too_large, which more blocks than MAX_BLOCKS give only where the engine splits text or HTML.
MAX_INPUT_CHARS = 2_000_000  # engine.blocks.MAX_INPUT_CHARS and MAX_BLOCKS; not imported, which would load the
MAX_BLOCKS = 200_000  # whole engine into the daemon's main process (its analyses run in workers)
MAX_BODY_CHARS = 2 * MAX_INPUT_CHARS


def refuse_a_body_declared_not_json(request: web.Request) -> None:
    """ApiError("unsupported_media_type") for a body whose Content-Type is given and is not application/json
    (parameters such as charset aside). A `text/plain` or form body is what a web page can send to another origin
    without the browser asking first (no CORS preflight); read as JSON anyway, the daemon answered it. A body with
    no Content-Type at all is still read: every client we ship sends application/json, and `curl --data` without
    -H sends a form type, which is refused saying what to send."""
    declared = request.headers.get(hdrs.CONTENT_TYPE)
    if declared is None or request.content_type == "application/json":
        return
    shown = declared if len(declared) <= 60 and declared.isprintable() else f"{declared[:60]!r}"
    raise ApiError("unsupported_media_type", f"the body must be sent as Content-Type: application/json, not {shown}")


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object, or ApiError("invalid_json"); ApiError("unsupported_media_type") first, without
    reading it, when it is declared as something else. Body size in bytes is enforced by aiohttp (413); in
    characters here, before parsing."""
    refuse_a_body_declared_not_json(request)
    try:
        raw = await asyncio.wait_for(request.read(), BODY_SECONDS)
    except TimeoutError:
        # A client that cannot send its body in time is holding a connection, not asking anything: drop it.
        log.warning("a request body did not arrive within %.0f s; closing its connection", BODY_SECONDS)
        if request.transport is not None:
            request.transport.abort()
        raise ApiError("invalid_request", "the body did not arrive in time") from None
    except ConnectionResetError:
        # The client closed its connection before its whole body came (aiohttp's ClientConnectionResetError is one):
        # no bug of ours, and no one is left to answer. Without this it was logged as an unhandled error, traceback
        # and 500 included.
        log.info("a client closed its connection before its request body arrived")
        raise ApiError("invalid_request", "the connection closed before the body arrived") from None
    except web.RequestPayloadError:
        # Not a bug of ours but a body that does not decode: declared gzip or deflate and not that, or a chunked
        # encoding broken after the headers (aiohttp then closes the connection: unparsable.UnreadableBodyFilter).
        raise ApiError("invalid_request", "the body cannot be read: its Content-Encoding or Transfer-Encoding "
                                          "does not match it") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError("invalid_json", "the body is not UTF-8") from None
    # An escape such as \u00e9 is one character once parsed: counted as one (str.count runs at C speed).
    characters = len(text) - 5 * text.count("\\u")
    if characters > MAX_BODY_CHARS:
        raise ApiError("payload_too_large", f"the body holds about {characters:,} characters, more than the "
                                            f"{MAX_BODY_CHARS:,} a request may hold; smallprint reads pages of at "
                                            f"most {MAX_INPUT_CHARS:,} characters of text in at most "
                                            f"{MAX_BLOCKS:,} blocks (a list of more blocks is always over "
                                            f"{MAX_BODY_CHARS:,} characters)")
    try:
        data = strict_json.loads(text)  # NaN and Infinity refused, as every standard parser does, and 1e999
    except ValueError as exc:
        raise ApiError("invalid_json", f"the body is not valid JSON: {exc}") from None
    except RecursionError:  # "[[[[...]]]]" nested deeper than the parser's stack: bad input, not a bug
        raise ApiError("invalid_json", "the body is not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError("invalid_json", "the body must be a JSON object")
    return data


def _optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError("invalid_request", f"{name!r} must be a string or null")
    return value


def _check_blocks(blocks: Any) -> list[dict[str, str]]:
    """The blocks with only their id, text and tag: other keys are ignored like other top-level keys, and must
    neither reach the worker (a deeply nested one cannot be pickled) nor make a cache miss."""
    if not isinstance(blocks, list):
        raise ApiError("invalid_request", "'blocks' must be a list of {id, text, tag?} objects")
    checked = []
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            raise ApiError("invalid_request", f"blocks[{index}] must be an object")
        for key, required in (("id", True), ("text", True), ("tag", False)):
            if block.get(key) is None and not required:  # a null tag counts as absent, as the bridge allows
                continue
            if not isinstance(block.get(key), str):
                raise ApiError("invalid_request", f"blocks[{index}].{key} must be a string")
        checked.append({key: block[key] for key in ("id", "text", "tag") if block.get(key) is not None})
    return checked


def _check_base64(content: str) -> None:
    """'pdf' is standard padded base64 (the OpenAPI pattern); what the bytes are is the worker's to judge."""
    try:
        base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("invalid_request", "'pdf' must be the PDF file in standard base64") from None


def parse_analysis_request(data: dict[str, Any]) -> AnalysisRequest:
    """Exactly one of text/html/blocks (a null counts as absent), optional url and title; other keys are ignored."""
    given = [name for name in INPUT_FIELDS if data.get(name) is not None]
    if len(given) != 1:
        found = ", ".join(given) if given else "none"
        raise ApiError("invalid_request", f"give exactly one of 'text', 'html', 'blocks' or 'pdf' (found: {found})")
    field = given[0]
    content = data[field]
    if field == "blocks":
        content = _check_blocks(content)
    elif not isinstance(content, str):
        raise ApiError("invalid_request", f"{field!r} must be a string")
    elif field == "pdf":
        _check_base64(content)
    depth = data.get("depth")
    if depth is None:
        depth = "full"
    if depth not in ("full", "quick"):
        raise ApiError("invalid_request", "'depth' must be \"full\" (the learned reader) or \"quick\" (the rules)")
    as_policy = data.get("as_policy")
    if as_policy is not None and not isinstance(as_policy, bool):
        raise ApiError("invalid_request", "'as_policy' must be true or false")
    remember = data.get("remember")  # for the policy memory (history/api.py, via request[REMEMBER])
    if remember is not None and not isinstance(remember, bool):
        raise ApiError("invalid_request", "'remember' must be true or false")
    visit_id = data.get("visit_id")  # one page load, for the policy memory (history/api.py, via request[VISIT_ID])
    if visit_id is not None and not is_visit_id(visit_id):
        raise ApiError("invalid_request", f"'visit_id' must be a string of 1 to {MAX_VISIT_ID_CHARS} characters, "
                                          "without lone surrogates")
    return AnalysisRequest(field=field, content=content, url=_optional_str(data, "url"),
                           title=_optional_str(data, "title"), depth=depth, as_policy=bool(as_policy))


@routes.post("/v1/analyze")
async def analyze(request: web.Request) -> web.Response:
    request[ARRIVED] = utc_now()  # the policy memory's clock: a forget after this is not undone (history/store.py)
    body = await read_json_object(request)
    analysis_request = parse_analysis_request(body)
    # for the recorder, as parse_analysis_request checked them
    request[VISIT_ID] = body.get("visit_id")
    request[DEPTH] = analysis_request.depth
    request[REMEMBER] = body.get("remember") is True
    try:
        result = await request.app[RUNNER].analyze(analysis_request)
    except AnalysisTimeout as exc:
        raise ApiError("analysis_timeout", str(exc)) from None
    except AnalysisTooLarge as exc:
        raise ApiError("input_too_large", str(exc)) from None
    except AnalysisRejected as exc:
        raise ApiError("unprocessable_input", str(exc) or "the engine cannot analyse this input") from None
    data = dict(result.data)  # the recorder's private copy
    recorder = request.app.get(ANALYSIS_RECORDER)
    if recorder is not None:
        try:
            await recorder(request, data, result.body)
        except Exception:  # remembering the policy is a bonus; the analysis itself must still arrive
            log.exception("the analysis recorder failed")
            data = dict(result.data)
    return web.Response(body=_encode(result, data), content_type="application/json")


def _encode(result: AnalysisResult, data: dict) -> bytes:
    """The response body. The worker already encoded the analysis; when the recorder only added top-level keys
    (its contract), those are appended to that JSON instead of encoding ~100 KB again on the event loop."""
    original = result.data
    if not all(key in data and data[key] is value for key, value in original.items()):
        return json.dumps(data).encode("ascii")
    added = {key: value for key, value in data.items() if key not in original}
    if not added:
        return result.body
    return result.body[:-1] + b", " + json.dumps(added).encode("ascii")[1:]
