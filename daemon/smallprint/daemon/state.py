"""Typed keys of the daemon's application state (aiohttp `web.AppKey`): one place, imported by every module."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from aiohttp import web

from ..config import Config
from .connections import ConnectionGuard
from .idle import Activity
from .runner import AnalysisRunner
from .tokens import TokenHolder

# Called after each successful analysis with the aiohttp request, the response dict (a private shallow
# copy) and that same analysis as the worker encoded it (JSON bytes, before anything was added: a recorder
# that stores the analysis need not encode it again); it may add top-level keys such as
# "changes_since_last_visit" to the dict but must not change nested values (they are shared with the cache).
# None: nothing is recorded. Set by smallprint.history.api.
AnalysisRecorder = Callable[[web.Request, dict, bytes], Awaitable[None]]

# Request key: the analyze body's `visit_id` once checked (None when absent), for the recorder (history/api.py).
# (web.RequestKey from aiohttp 3.12 on; a plain string key before, as pyproject allows aiohttp 3.9)
VISIT_ID = (web.RequestKey("visit_id", str | None) if hasattr(web, "RequestKey")  # type: ignore[arg-type]
            else "smallprint.visit_id")

# Request keys: the analyze body's `depth` ("full" or "quick") and `remember` (False when absent) once checked, for the
# recorder, which reads them here rather than from the body again: it reads exactly what the analysis read (a key
# or value written with JSON escapes, "\u0071uick", included).
DEPTH = (web.RequestKey("depth", str) if hasattr(web, "RequestKey")  # type: ignore[arg-type]
         else "smallprint.depth")
REMEMBER = (web.RequestKey("remember", bool) if hasattr(web, "RequestKey")  # type: ignore[arg-type]
            else "smallprint.remember")

# Request key: when the analyze request arrived (history.store.utc_now()), so that the recorder can tell a site
# forgotten while its analysis ran (by the CLI or the API) from one forgotten before the visit.
ARRIVED = (web.RequestKey("arrived", str) if hasattr(web, "RequestKey")  # type: ignore[arg-type]
           else "smallprint.arrived")

CONFIG = web.AppKey("config", Config)
TOKENS = web.AppKey("tokens", TokenHolder)
RUNNER = web.AppKey("runner", AnalysisRunner)
ANALYSIS_RECORDER = web.AppKey("analysis_recorder", AnalysisRecorder | None)  # type: ignore[arg-type]
# OpenAPI fragments added by optional route modules: dicts {"paths": {...}, "schemas": {...}}.
OPENAPI_FRAGMENTS = web.AppKey("openapi_fragments", list[dict[str, Any]])
# The connection limits of a served daemon (connections.py); absent in an app not served by `smallprint serve`.
CONNECTION_GUARD = web.AppKey("connection_guard", ConnectionGuard)
# Set by `smallprint serve` once the requests in flight at a stop have had their grace period: those still running
# are then answered 503 shutting_down (middlewares.py) instead of having their connection cut.
STOP_DEADLINE = web.AppKey("stop_deadline", asyncio.Event)
# Requests in flight and when the last came or went: `serve --idle-exit` stops a daemon idle for long (idle.py).
ACTIVITY = web.AppKey("activity", Activity)
