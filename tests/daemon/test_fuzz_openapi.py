"""Schemathesis fuzzes a real `smallprint serve` from its own OpenAPI document.

For every operation it generates requests from the schemas and checks that the daemon never answers 5xx, that
every status and body it returns is the one documented, and that the content type is right.
"""
from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from smallprint.config import Config
from smallprint.daemon.app import create_app
from smallprint.daemon.openapi import build_openapi

from .conftest import auth_headers, start_daemon

pytestmark = pytest.mark.slow

# The document exactly as the daemon serves it, optional modules (the policy memory) included.
schema = schemathesis.openapi.from_dict(build_openapi(create_app(Config(), token="unused")))


@pytest.fixture(scope="module")
def fuzzed_daemon(tmp_path_factory):
    daemon = start_daemon(tmp_path_factory.mktemp("fuzz") / "sp-home", "--port", "0")
    session = requests.Session()
    session.trust_env = False  # never through an HTTP(S)_PROXY: loopback only
    yield daemon, session, daemon.token()
    session.close()
    daemon.stop()
    for stream in (daemon.process.stdout, daemon.process.stderr):
        stream.close()


def schema_valid_requests_are_not_refused_as_malformed(ctx, response, case) -> None:
    """Our stricter stand-in for schemathesis' positive_data_acceptance, on every operation: a request valid per
    the schema is never refused as malformed (400) nor unprocessable (422), with one exception JSON Schema cannot
    express: the engine may refuse a /v1/analyze body (422: duplicate block ids, more characters than it reads).
    (A {site} that names no site is 404, not found: the schema's {site} is any string.)"""
    meta = getattr(case, "meta", None)
    if meta is not None and meta.generation.mode == GenerationMode.NEGATIVE:
        return
    refused = response.status_code == 400 or (response.status_code == 422 and case.path != "/v1/analyze")
    assert not refused, f"schema-valid request refused: {case.method} {case.path} {response.status_code} {response.text}"


@schema.parametrize()
# derandomize: the same examples every run, so CI is reproducible (explore more locally by raising max_examples).
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_daemon_keeps_its_documented_contract(fuzzed_daemon, case):
    daemon, session, token = fuzzed_daemon
    case.call_and_validate(base_url=daemon.base_url, session=session, headers=auth_headers(token),
                           excluded_checks=[positive_data_acceptance],
                           additional_checks=[schema_valid_requests_are_not_refused_as_malformed])
