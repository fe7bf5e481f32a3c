"""Forgetting reaches what the running daemon holds in memory: its cached analyses and the reader's remembered
readings (DELETE /v1/memory, DELETE /v1/sites/{site}, `smallprint forget`), on a real loopback socket."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from smallprint.daemon.app import OPTIONAL_ROUTE_MODULES
from smallprint.daemon.state import RUNNER

from .conftest import assert_error, auth_headers, run_cli
from .test_openapi import response_schema, validator_for
from .test_runner import READ_FOR_A_WHILE

PAGE = "We collect your email address.\n\nWe share your location with advertising partners."


async def analyze(api, text: str, **extra) -> dict:
    response = await api.post("/v1/analyze", json={"text": text, **extra}, headers=auth_headers())
    assert response.status == 200, await response.text()
    return await response.json()


async def forget_memory(api) -> dict:
    response = await api.delete("/v1/memory", headers=auth_headers())
    assert response.status == 200, await response.text()
    return await response.json()


@pytest.mark.asyncio
async def test_delete_memory_forgets_the_cached_analyses_and_says_how_many(make_api):
    api = await make_api(optional_modules=OPTIONAL_ROUTE_MODULES)
    runner = api.app[RUNNER]
    await analyze(api, PAGE)
    await analyze(api, PAGE)
    assert runner.stats["analyses"] == 1 and runner.stats["cache_hits"] == 1

    refused = await api.delete("/v1/memory")  # authenticated like every route
    assert refused.status == 401
    assert_error(await refused.json(), "unauthorized")
    assert runner.stats["memory_forgets"] == 0

    body = await forget_memory(api)
    assert body == {"memory_forgotten": True, "forgotten_analyses": 1}
    document = await (await api.get("/v1/openapi.json", headers=auth_headers())).json()
    validator_for(document, response_schema(document, "/v1/memory", "DELETE", 200)).validate(body)
    await analyze(api, PAGE)
    assert runner.stats["analyses"] == 2  # read again: nothing of it was left
    assert (await forget_memory(api))["forgotten_analyses"] == 1


@pytest.mark.asyncio
async def test_delete_memory_replaces_the_worker_processes(make_api):
    api = await make_api(worker_mode="process", workers=1)
    runner = api.app[RUNNER]
    await analyze(api, PAGE)
    workers = set(runner._pool._processes)
    await forget_memory(api)
    await analyze(api, PAGE)
    assert workers and not workers & set(runner._pool._processes)  # the reader's readings went with the old ones
    assert runner.stats["pool_restarts"] == 0 and runner.stats["memory_forgets"] == 1  # a forget is no fault


@pytest.mark.asyncio
async def test_an_analysis_running_when_the_memory_is_forgotten_is_still_answered(make_api):
    api = await make_api(worker_mode="process", workers=1)
    runner = api.app[RUNNER]
    await analyze(api, PAGE)  # the worker is up
    reading = asyncio.ensure_future(analyze(api, READ_FOR_A_WHILE))
    while runner.stats["analyses"] < 1 or not runner._inflight:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # in the worker's hands
    reading_pool = runner._pool
    assert not reading.done()
    assert (await forget_memory(api))["forgotten_analyses"] == 1
    assert runner._pool is not reading_pool  # the worker reading it was killed: it is read again by a new one
    answered = await reading
    assert len(answered["highlights"]) > 100
    assert (await forget_memory(api))["forgotten_analyses"] == 0  # asked before the forget: not cached after it


# --- `smallprint forget` with a real daemon ---------------------------------------------------------------------

def daemon_log(daemon) -> str:
    log = daemon.home / "logs" / "daemon.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


@pytest.mark.slow
def test_forget_all_makes_the_running_daemon_forget_its_memory(daemon):
    token = daemon.token()
    status, _ = daemon.request("POST", "/v1/analyze", {"text": PAGE, "depth": "quick"}, token=token)
    assert status == 200
    result = run_cli(daemon.home, "forget", "--all")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Forgot everything: 0 versions deleted.",
                                          "The running daemon also forgot its recent readings (1 cached analysis)."]
    assert result.stderr == ""
    status, body = daemon.request("DELETE", "/v1/memory", token=token)
    assert (status, body) == (200, {"memory_forgotten": True, "forgotten_analyses": 0})  # nothing left to forget


@pytest.mark.slow
def test_forget_warns_when_the_running_daemon_cannot_prove_it_holds_the_token(daemon, tmp_path):
    """A daemon that answers with another token (this user's was rotated, or read from another keyring) cannot be
    trusted with this one: the store's forget stands, and a warning says what still holds the pages."""
    token = daemon.token()
    status, _ = daemon.request("POST", "/v1/analyze", {"text": PAGE, "depth": "quick"}, token=token)
    assert status == 200
    elsewhere = {"XDG_DATA_HOME": str(tmp_path / "another-keyring")}
    assert daemon.token(elsewhere) != token
    result = run_cli(daemon.home, "forget", "example.com", **elsewhere)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Nothing was remembered about example.com.\n"
    warning = result.stderr.strip()
    assert len(warning.splitlines()) == 1 and warning.startswith("smallprint: warning: ")
    assert f"pid {daemon.process.pid}" in warning and "cannot prove" in warning and "smallprint stop" in warning
    assert "DELETE /v1/memory" not in daemon_log(daemon)  # it was never sent the token nor asked
    status, body = daemon.request("DELETE", "/v1/memory", token=token)
    assert body["forgotten_analyses"] == 1  # it still held the page


@pytest.fixture
def impostor(smallprint_home, tmp_path):
    """A listener on the port of a runtime file left by a killed daemon (tests/bridge/impostor.py): no daemon holds
    the instance lock."""
    record = tmp_path / "impostor-saw.jsonl"
    script = Path(__file__).resolve().parent.parent / "bridge" / "impostor.py"
    process = subprocess.Popen([sys.executable, str(script), str(record)], stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    (smallprint_home / "run").mkdir(parents=True, exist_ok=True)
    (smallprint_home / "run" / "daemon.json").write_text(json.dumps(
        {"pid": process.pid, "host": "127.0.0.1", "port": port, "version": "0.1.0", "started": "2026-01-01"}))
    yield record
    process.kill()
    process.wait()
    process.stdout.close()


def test_forget_sends_nothing_where_no_daemon_runs(smallprint_home, impostor):
    run_cli(smallprint_home, "token")
    result = run_cli(smallprint_home, "forget", "--all")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Forgot everything: 0 versions deleted.\n" and result.stderr == ""
    assert not impostor.exists()  # not even asked for a proof: nothing holds the instance lock


def test_forget_warns_and_sends_no_token_to_a_listener_that_cannot_prove_it(smallprint_home, impostor):
    """Where the instance lock is held (a daemon starting or stopping) but the runtime file's port answers without
    a proof, the token is never sent there."""
    from smallprint.daemon.server import InstanceLock, lock_file

    run_cli(smallprint_home, "token")
    lock = InstanceLock(lock_file())
    assert lock.acquire()
    try:
        result = run_cli(smallprint_home, "forget", "--all")
    finally:
        lock.release()
    assert result.returncode == 0 and "cannot prove" in result.stderr, result.stderr
    seen = [json.loads(line) for line in impostor.read_text().splitlines()]
    assert seen and all(r["method"] == "GET" and r["path"].startswith("/v1/health?challenge=") for r in seen)
    assert all("Authorization" not in r["headers"] for r in seen)
