"""An optional route module, plugged in the way smallprint.history.api is: `setup(app)`.

Used by the tests to exercise the extension points (extra routes, OpenAPI fragments, the analysis recorder)
and to reach the 500 path with a real failing handler.
"""
from __future__ import annotations

import json

from aiohttp import web

from smallprint.daemon.openapi import error_responses, register_openapi
from smallprint.daemon.state import ANALYSIS_RECORDER

SECRET = "secret-detail-that-must-stay-in-the-log"


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError(SECRET)


async def record(request: web.Request, analysis: dict, encoded: bytes) -> None:
    if analysis.get("title") == "recorder fails":
        raise RuntimeError(SECRET)
    # `encoded` is the worker's JSON of the very analysis the recorder was given, before it adds anything.
    analysis["changes_since_last_visit"] = {"seen_before": False, "url": analysis.get("url"),
                                            "encoded_is_the_analysis": json.loads(encoded) == analysis}


def setup(app: web.Application) -> None:
    app.router.add_get("/v1/test/boom", boom)
    app[ANALYSIS_RECORDER] = record
    register_openapi(app, paths={"/v1/test/boom": {"get": {
        "operationId": "boom", "summary": "Always fails (tests only)",
        "responses": {"200": {"description": "never", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Boom"}}}}, **error_responses(401, 500)},
    }}}, schemas={"Boom": {"type": "object"}})
