"""A route module for tests (app.py OPTIONAL_ROUTE_MODULES' plug-in shape) whose one route fails as a bug would:
for checking what the daemon logs of a request that broke."""
from __future__ import annotations

from aiohttp import web


async def _fails(request: web.Request) -> web.Response:
    raise RuntimeError("a bug")


async def _unmapped(request: web.Request) -> web.Response:
    raise web.HTTPRequestRangeNotSatisfiable()  # 416: a status with no code of the error envelope


def setup(app: web.Application) -> None:
    app.router.add_get("/v1/sites/{site}/fails", _fails)
    app.router.add_get("/v1/sites/{site}/unmapped", _unmapped)
