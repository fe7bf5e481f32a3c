"""What the daemon logs of a request that broke names its route, never its path: a path of /v1/sites/... names a
site the reader visited, and the log says what the daemon did, not where its user browses (access_log.py). The
access log's own lines are checked on a real `smallprint serve` in test_server.py."""
from __future__ import annotations

import logging

import pytest

from .conftest import assert_error, auth_headers

VISITED = "a-site-the-reader-visited.example"


@pytest.mark.asyncio
@pytest.mark.parametrize("route, status, code", [("fails", 500, "internal_error"), ("unmapped", 400, "invalid_request")])
async def test_a_request_that_broke_is_logged_by_its_route_not_its_path(make_api, caplog, route, status, code):
    client = await make_api(optional_modules=("tests.daemon.failing_routes",))
    with caplog.at_level(logging.DEBUG, logger="smallprint"):
        response = await client.get(f"/v1/sites/{VISITED}/{route}", headers=auth_headers())
        assert response.status == status
        assert_error(await response.json(), code)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("smallprint"))
    assert f"/v1/sites/{{site}}/{route}" in logged  # it is logged, by its route
    assert VISITED not in logged
