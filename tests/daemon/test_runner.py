"""The analysis runner with real worker processes: cache, shared in-flight work, time limit, pool restart."""
from __future__ import annotations

import asyncio
import json

import pytest
import pytest_asyncio

from smallprint.daemon.runner import (AnalysisRejected, AnalysisRequest, AnalysisRunner, AnalysisTimeout,
                                      analyze_in_worker)

pytestmark = pytest.mark.asyncio

BIG_TEXT = "\n\n".join(f"We may share your email address with partner {i} for targeted advertising." for i in range(2000))


def request(text: str, **extra) -> AnalysisRequest:
    return AnalysisRequest(field="text", content=text, **extra)


@pytest_asyncio.fixture
async def runner(request):
    options = {"workers": 2, "mode": "process", "timeout_seconds": 120.0, "cache_entries": 2,
               **getattr(request, "param", {})}
    pool = AnalysisRunner(**options)
    pool.start()
    yield pool
    pool.close()


async def test_results_are_cached_by_content(runner):
    first = await runner.analyze(request("We collect your name."))
    with pytest.raises(TypeError):
        first.data["added_by_caller"] = True  # shared with the cache, so read-only
    second = await runner.analyze(request("We collect your name."))
    assert second is first and json.loads(first.body) == dict(first.data)
    assert runner.stats["analyses"] == 1 and runner.stats["cache_hits"] == 1
    await runner.analyze(request("We collect your name.", url="https://example.org/p"))
    assert runner.stats["analyses"] == 2  # url is part of the key: it is echoed in the result


async def test_the_cache_forgets_the_least_recently_used(runner):
    for text in ("one", "two", "one", "three", "one", "two"):
        await runner.analyze(request(text))
    # cache of 2: one, two -> hit one -> three evicts two -> hit one -> two again is a miss
    assert runner.stats == {**runner.stats, "analyses": 4, "cache_hits": 2}


async def test_identical_concurrent_requests_share_one_analysis(runner):
    results = await asyncio.gather(*(runner.analyze(request(BIG_TEXT)) for _ in range(5)))
    assert all(r is results[0] for r in results)
    assert runner.stats["analyses"] == 1


@pytest.mark.parametrize("runner", [{"timeout_seconds": 1e-6, "cache_entries": 0}], indirect=True)
async def test_an_overrun_kills_the_pool_and_the_next_analysis_still_works(runner):
    with pytest.raises(AnalysisTimeout):
        await runner.analyze(request(BIG_TEXT))
    assert runner.stats["timeouts"] == 1 and runner.stats["pool_restarts"] == 1
    runner.timeout_seconds = 120.0
    result = await runner.analyze(request("We collect your name."))
    assert len(result.data["content_hash"]) == 64


async def test_analyses_running_when_the_pool_is_replaced_are_retried(runner):
    slow = asyncio.ensure_future(runner.analyze(request(BIG_TEXT)))
    await asyncio.sleep(0.05)
    runner._restart_pool(runner._pool)  # what an overrun elsewhere does
    result = await slow
    assert len(result.data["content_hash"]) == 64
    assert runner.stats["pool_restarts"] == 1 and runner.stats["analyses"] == 1


async def test_the_engine_refusing_input_is_a_rejection_not_a_crash():
    with pytest.raises(AnalysisRejected):
        analyze_in_worker({"text": "a", "html": "<p>a</p>"})
