"""Access log lines that name the route, not the path: `GET /v1/sites/{site}/diff 200 3.1ms`.

Why: paths of some routes carry the sites a person visited; the log should say what the daemon did, not
where its user browses. Query strings, headers and bodies are never logged.
"""
from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


def route_of(request: web.BaseRequest) -> str:
    """The route a request took, as declared (`/v1/sites/{site}/diff`), never its path: what every log line names."""
    try:
        match_info = request.match_info  # type: ignore[attr-defined]
    except (AttributeError, AssertionError):
        # A request aiohttp could not parse never reached the router: web.Request.match_info asserts on it.
        match_info = None
    resource = match_info.route.resource if match_info is not None else None
    return resource.canonical if resource is not None else "(no route)"


class RouteAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.1fms", request.method, route_of(request), response.status, time * 1000)
