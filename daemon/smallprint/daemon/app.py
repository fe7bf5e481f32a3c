"""The daemon's aiohttp application factory.

State lives under typed keys (smallprint.daemon.state); resources (the analysis worker pool, the token refresh
task) open and close with the app through `cleanup_ctx`.

Plugging in an optional route module (how smallprint.history adds /v1/sites without touching these files):
  - list its import path in OPTIONAL_ROUTE_MODULES; if it imports, `create_app` calls its `setup(app)`;
  - in `setup(app)`: `app.router.add_routes(...)`, `register_openapi(app, paths=..., schemas=...)`
    (smallprint.daemon.openapi), open/close resources with `app.cleanup_ctx.append(...)`, and optionally
    `app[ANALYSIS_RECORDER] = recorder` — an `async def recorder(request, analysis: dict, encoded: bytes) -> None`
    called after each successful /v1/analyze with a shallow copy of the response dict (and the worker's JSON
    encoding of it, before anything was added), to which it may add top-level keys
    (e.g. "changes_since_last_visit"; nested values are shared with the cache: read them only). It reads its settings from `app[CONFIG].history` / `app[CONFIG].table(...)`.
  Routes added this way get the same guards (Host, Origin, auth, size, error envelope) as every other route.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from typing import AsyncIterator, Iterable

from aiohttp import web

from ..config import Config
from .middlewares import MIDDLEWARES, harden_response
from .runner import AnalysisRunner
from .idle import Activity
from .state import ACTIVITY, ANALYSIS_RECORDER, CONFIG, OPENAPI_FRAGMENTS, RUNNER, STOP_DEADLINE, TOKENS
from .tokens import TokenHolder
from .views import routes

log = logging.getLogger("smallprint.daemon")

OPTIONAL_ROUTE_MODULES = ("smallprint.history.api",)


async def _analysis_pool(app: web.Application) -> AsyncIterator[None]:
    runner = app[RUNNER]
    runner.start()
    try:
        yield
    finally:
        runner.close()


async def _token_refresh(app: web.Application) -> AsyncIterator[None]:
    # The first read happens in on_listening() or on the first request that needs the token (TokenHolder.check).
    tokens = app[TOKENS]
    task = asyncio.create_task(tokens.refresh_forever())
    try:
        yield
    finally:
        for pending in (task, tokens.preload_task):
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending


# Seconds between listening and the background start-up work: the first health checks (the bridge and the
# CLI poll /v1/health right after starting us) should not compete with it for the CPU.
BACKGROUND_START_DELAY = 1.0


def on_listening(app: web.Application) -> asyncio.TimerHandle:
    """Called by the server once it accepts connections: schedule the work that would otherwise slow start-up
    (spawning the analysis workers; reading the token, unless `serve` has read it before listening). A request
    that needs either before then does it on demand. Cancel the returned handle when stopping before it fires."""
    def start() -> None:
        app[RUNNER].start_warm_up()
        app[TOKENS].start_preload()

    return asyncio.get_running_loop().call_later(BACKGROUND_START_DELAY, start)


def _setup_optional_modules(app: web.Application, names: Iterable[str]) -> None:
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):  # the module itself is not there (yet)
                log.debug("optional route module %s not installed", name)
                continue
            raise
        module.setup(app)


def create_app(config: Config | None = None, *, token: str | None = None,
               optional_modules: Iterable[str] = OPTIONAL_ROUTE_MODULES) -> web.Application:
    """The application. `token` fixes the API token (tests); by default it comes from smallprint.auth."""
    config = config or Config()
    # client_max_size makes aiohttp refuse (413) bodies over the limit while reading, chunked ones included.
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=config.max_body_bytes)
    app[CONFIG] = config
    app[TOKENS] = TokenHolder(fixed=token)
    app[RUNNER] = AnalysisRunner(workers=config.workers, mode=config.worker_mode,
                                 timeout_seconds=config.analysis_timeout_seconds, cache_entries=config.cache_entries,
                                 cache_max_bytes=config.cache_max_bytes)
    app[ANALYSIS_RECORDER] = None
    app[OPENAPI_FRAGMENTS] = []
    app[STOP_DEADLINE] = asyncio.Event()
    app[ACTIVITY] = Activity()
    app.router.add_routes(routes)
    app.cleanup_ctx.append(_analysis_pool)
    app.cleanup_ctx.append(_token_refresh)
    app.on_response_prepare.append(harden_response)
    _setup_optional_modules(app, optional_modules)
    return app
