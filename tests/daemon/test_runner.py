"""The analysis runner with real worker processes: cache, shared in-flight work, time limit, pool restart."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import pytest_asyncio

from smallprint.daemon.runner import (AnalysisRejected, AnalysisRequest, AnalysisRunner, AnalysisTimeout,
                                      _lower_priority, _pool_context, analyze_in_worker)
from tests.conftest import hold_calls, require

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
    assert second.body is first.body and second.data == first.data and json.loads(first.body) == dict(first.data)
    assert runner.stats["analyses"] == 1 and runner.stats["cache_hits"] == 1
    await runner.analyze(request("We collect your name.", url="https://example.org/p"))
    assert runner.stats["analyses"] == 2  # url is part of the key: it is echoed in the result


async def test_the_cache_forgets_the_least_recently_used(runner):
    for text in ("one", "two", "one", "three", "one", "two"):
        await runner.analyze(request(text))
    # cache of 2: one, two -> hit one -> three evicts two -> hit one -> two again is a miss
    assert runner.stats == {**runner.stats, "analyses": 4, "cache_hits": 2}


@pytest.mark.parametrize("runner", [{"workers": 1, "mode": "thread", "cache_entries": 100,
                                     "cache_max_bytes": 20_000}], indirect=True)
async def test_the_cache_is_bounded_in_bytes(runner):
    """Finding 4 of issue 13: entries alone do not bound memory; the cache keeps at most cache_max_bytes of JSON
    and never an analysis bigger than a quarter of that."""
    small = [f"We collect your name and address number {i}." for i in range(30)]
    for text in small:
        await runner.analyze(request(text))
    assert runner._cache_bytes <= 20_000 and 0 < len(runner._cache) < 30
    assert sum(map(len, runner._cache.values())) == runner._cache_bytes
    await runner.analyze(request(BIG_TEXT))  # its analysis is far over 5,000 bytes
    assert all(len(body) <= 5_000 for body in runner._cache.values())
    before = runner.stats["analyses"]
    await runner.analyze(request(BIG_TEXT))
    assert runner.stats["analyses"] == before + 1  # not cached: analysed again


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


# Worker start-up made deliberately slower than the time limit below, so that the test does not depend on how
# fast this machine starts a process and imports the engine. A tiny analysis takes milliseconds.
SLOW_START_SECONDS = 2.0
LIMIT_BELOW_START_SECONDS = 1.0


def slow_worker_start() -> None:
    """Worker initializer (module-level: workers import it by name)."""
    _lower_priority()
    time.sleep(SLOW_START_SECONDS)


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 0, "timeout_seconds": LIMIT_BELOW_START_SECONDS,
                                     "worker_initializer": slow_worker_start}], indirect=True)
async def test_the_time_limit_does_not_count_worker_start_up(runner):
    # A fresh pool: the clock starts once the worker has started and loaded the engine.
    first = await runner.analyze(request("We collect your name."))
    assert len(first.data["content_hash"]) == 64
    # An overrun replaces the pool; the next analysis must not pay the new pool's start-up against its limit,
    # or every analysis after one overrun would time out too.
    runner.timeout_seconds = 1e-6
    with pytest.raises(AnalysisTimeout):
        await runner.analyze(request(BIG_TEXT))
    runner.timeout_seconds = LIMIT_BELOW_START_SECONDS
    after = await runner.analyze(request("We collect your email address."))
    assert len(after.data["content_hash"]) == 64
    assert runner.stats["timeouts"] == 1 and runner.stats["pool_restarts"] == 1


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 0}], indirect=True)
async def test_a_worker_killed_from_outside_is_replaced_and_later_analyses_still_work(runner):
    """The OOM killer, a crash in onnxruntime or a stray kill breaks a process pool for every later analysis; the
    runner replaces it (BrokenProcessPool is a RuntimeError too, which once made it re-raise instead)."""
    import os
    import signal
    await runner.analyze(request("We sell your data.", depth="quick"))
    os.kill(next(iter(runner._pool._processes)), signal.SIGKILL)
    await asyncio.sleep(0.5)
    for text in ("We collect your email address.", "We share your location with advertisers."):
        result = await runner.analyze(request(text, depth="quick"))
        assert len(result.data["content_hash"]) == 64
    assert runner.stats["pool_restarts"] == 1


def quick_stage_loaded_here() -> bool:
    """Probe, run in a worker as its first task (module-level: workers import it by name)."""
    from smallprint.engine.recognizers import registry

    return registry._DEFAULT is not None  # the rules' compiled patterns: built by the quick stage


def reader_loads_here(seconds: float) -> bool:
    """Probe, run in a worker: whether the reader gets loaded in it within `seconds`, no task asking for it."""
    from smallprint.engine import reader

    deadline = time.monotonic() + seconds
    while reader._MODEL is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return reader._MODEL is not None


def forkserver_in_use() -> int:
    """The pid of this test process's forkserver, where the runner's pools start by forkserver."""
    require(_pool_context().get_start_method() == "forkserver",
            "the pool starts by spawn here (a long temporary folder, or no forkserver on this platform)")
    from multiprocessing import forkserver

    return forkserver._forkserver._forkserver_pid


async def test_a_new_worker_inherits_the_quick_stage_from_the_forkserver(runner):
    """The forkserver loads the quick stage once (worker_preload), so a worker of a fresh pool (as after a forget
    or an overrun) is ready for quick readings before any warm-up ran in it. The forkserver loads neither the reader
    nor onnxruntime, and starts no thread: forking either is unsafe."""
    first_task = await asyncio.wrap_future(runner._pool.submit(quick_stage_loaded_here))  # before any warm-up
    assert first_task is True
    forkserver = Path(f"/proc/{forkserver_in_use()}")
    assert len(list((forkserver / "task").iterdir())) == 1, "the forkserver started a thread"
    assert "onnxruntime" not in (forkserver / "maps").read_text(), "the forkserver loaded onnxruntime"


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 0}], indirect=True)
async def test_a_worker_that_the_pool_gives_no_warm_up_task_still_loads_the_reader(runner):
    """Ready at once, one worker may take all of a pool's warm-up tasks before the pool starts the next worker,
    which then never runs one: each worker starts the reader's load itself when it starts."""
    forkserver_in_use()
    assert await asyncio.wrap_future(runner._pool.submit(reader_loads_here, 120.0)) is True


# How much longer the reader's load takes in `slow_reader_load`'s workers: longer than the limit below.
SLOW_READER_LOAD_SECONDS = 4.0


def slow_reader_load() -> None:
    """Worker initializer: the reader's load takes SLOW_READER_LOAD_SECONDS longer (a busy machine's disk and CPU)."""
    _lower_priority()
    from smallprint.engine import reader

    real_load = reader._load

    def slow(folder):
        time.sleep(SLOW_READER_LOAD_SECONDS)
        return real_load(folder)

    reader._load = slow


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 0, "timeout_seconds": 3.0,
                                     "worker_initializer": slow_reader_load}], indirect=True)
async def test_a_full_readings_clock_does_not_count_the_readers_load(runner):
    """The reader loads in the background of a new worker; a full reading that comes before it is done waits for it
    before its clock starts, as every reading waits for the quick stage: a limit shorter than the load would
    otherwise time out the first full reading of every new pool (a cold start, a forget, an overrun)."""
    answer = await runner.analyze(request("We may share your email address with advertisers."))
    assert answer.data["depth"] == "full"
    assert runner.stats["timeouts"] == 0 and runner.stats["pool_restarts"] == 0


# --- forgetting what the daemon holds in memory ------------------------------------------------------------------

# Long enough that a forget lands while it is read (a few seconds at full depth), short enough to read three times.
READ_FOR_A_WHILE = "\n\n".join(f"We may share your email address with partner {i} for targeted advertising."
                               for i in range(400))


def readings_remembered_here() -> int:
    """Runs in a worker (module-level: pickled by name): how many readings its reader remembers."""
    from smallprint.engine.reader import load_model
    return len(load_model().remembered)


async def readings_remembered_by_the_worker(runner) -> int:
    return await asyncio.wrap_future(runner._pool.submit(readings_remembered_here))


async def until_sent_to_the_workers(runner, pool=None) -> None:
    """Until an analysis has been handed to `pool` (the current one by default)."""
    pool = pool or runner._pool
    for _ in range(6000):
        if runner._pool is pool and runner._pool_has_read:
            await asyncio.sleep(0.2)  # in a worker's hands, not only submitted
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the analysis never reached the workers")


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 8}], indirect=True)
async def test_a_forget_empties_the_cache_and_replaces_the_workers(runner):
    await runner.analyze(request("We collect your name."))
    await runner.analyze(request("We collect your name."))
    assert runner.stats["analyses"] == 1 and runner.stats["cache_hits"] == 1
    workers = set(runner._pool._processes)
    assert runner.forget_memory().analyses == 1
    assert not runner._cache and runner._cache_bytes == 0
    await runner.analyze(request("We collect your name."))
    assert runner.stats["analyses"] == 2  # read again, by new workers: none remembers it
    assert workers and not workers & set(runner._pool._processes)
    # a forget is no fault
    assert runner.stats["pool_restarts"] == 0 and runner.stats["memory_forgets"] == 1
    assert runner.forget_memory().analyses == 1  # the reading after the forget was cached as usual


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 0}], indirect=True)
async def test_a_forget_leaves_workers_that_read_nothing_as_they_are(runner):
    await runner.warm_up()
    workers = set(runner._pool._processes)
    assert runner.forget_memory().analyses == 0
    assert set(runner._pool._processes) == workers  # they hold nothing of any page: no need to start new ones


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 8}], indirect=True)
async def test_an_analysis_running_at_forgets_is_answered_and_not_cached(runner):
    reading = asyncio.ensure_future(runner.analyze(request(READ_FOR_A_WHILE)))
    await until_sent_to_the_workers(runner)
    first_pool = runner._pool
    runner.forget_memory()  # kills the worker reading it: read again in the new pool
    await until_sent_to_the_workers(runner)
    assert runner._pool is not first_pool and not reading.done()
    runner.forget_memory()  # and again: a forget does not use up the one retry that a fault allows
    result = await reading
    assert len(result.data["content_hash"]) == 64
    # Asked before the forgets, it leaves nothing behind: neither its analysis nor the readings of the new worker
    # that read it again
    assert not runner._cache and await readings_remembered_by_the_worker(runner) == 0
    assert runner.stats["pool_restarts"] == 0 and runner.stats["memory_forgets"] == 2
    await runner.analyze(request(READ_FOR_A_WHILE))  # asked after them: read, cached and remembered as usual
    assert len(runner._cache) == 1 and runner.stats["analyses"] == 2
    assert await readings_remembered_by_the_worker(runner) > 0


@pytest.mark.parametrize("runner", [{"workers": 1, "cache_entries": 8}], indirect=True)
async def test_work_the_replaced_pool_cancelled_is_read_again_not_cancelled(runner, monkeypatch):
    """A pool shut down cancels the work it has not yet handed to a worker: an analysis submitted just before a
    forget must not come back as a cancelled request."""
    await runner.warm_up()
    submit = AnalysisRunner._submit
    handed: list[asyncio.Future] = []

    async def cancelled_by_the_pool(pool, fn, *args):
        if fn is analyze_in_worker and not handed:
            handed.append(asyncio.get_running_loop().create_future())
            return handed[0]
        return await submit(pool, fn, *args)

    monkeypatch.setattr(runner, "_submit", cancelled_by_the_pool)
    reading = asyncio.ensure_future(runner.analyze(request("We collect your name.")))
    while not handed:
        await asyncio.sleep(0.01)
    runner.forget_memory()
    handed[0].cancel()  # what shutting the old pool down does to work still queued in it
    result = await reading
    assert len(result.data["content_hash"]) == 64


@pytest.mark.parametrize("runner", [{"workers": 1, "mode": "thread", "cache_entries": 8}], indirect=True)
async def test_in_thread_mode_a_forget_clears_the_readers_memory_here(runner):
    from smallprint.engine import reader
    from smallprint.engine.blocks import to_blocks
    from smallprint.engine.reader_input import pair_text, reading_units

    text = "We share your precise location with our advertising partners to show you ads near you."
    await runner.analyze(request(text))
    pairs = [pair_text(u) for u in reading_units(to_blocks(text=text)) if u.readable]
    memory = reader.load_model().remembered
    assert pairs and all(memory.recall(pair) is not None for pair in pairs)
    assert runner.forget_memory().analyses == 1
    assert all(memory.recall(pair) is None for pair in pairs) and not runner._cache


@pytest.mark.parametrize("runner", [{"workers": 1, "mode": "thread", "cache_entries": 8}], indirect=True)
async def test_in_thread_mode_a_reading_under_way_at_a_forget_is_not_kept(runner, monkeypatch):
    from smallprint.engine import reader

    await runner.analyze(request("Warm the reader up."))
    forgotten = hold_calls(monkeypatch, reader, "_read")  # the network's reading, once the reading has begun
    text = "We sell the list of apps installed on your phone to data brokers, who resell it."
    reading = asyncio.ensure_future(runner.analyze(request(text)))
    await asyncio.sleep(0.2)
    assert not reading.done()
    runner.forget_memory()
    forgotten.set()
    assert len((await reading).data["content_hash"]) == 64
    assert len(reader.load_model().remembered) == 0 and not runner._cache


@pytest.mark.parametrize("runner", [{"workers": 2, "mode": "thread", "cache_entries": 8},
                                    {"workers": 1, "mode": "thread", "cache_entries": 8}], indirect=True)
async def test_a_full_reading_alone_may_read_on_the_cores_the_workers_could_use(runner, monkeypatch):
    import threading

    from smallprint import machine
    from smallprint.daemon import runner as runner_module

    asked: list[tuple[str, str, int]] = []
    release = threading.Event()
    real = runner_module.analyze_in_worker

    def noting(kwargs, forget_readings_after=False, reading_threads=1):
        asked.append((kwargs["text"], kwargs["depth"], reading_threads))
        if kwargs["text"].startswith("Held"):
            release.wait(30)
        return real(kwargs, forget_readings_after, reading_threads)

    monkeypatch.setattr(runner_module, "analyze_in_worker", noting)
    alone = min(runner.workers, machine.reading_threads())
    await runner.analyze(request("We collect your name and email address.", depth="full"))
    await runner.analyze(request("We collect your postal address.", depth="quick"))
    assert asked == [("We collect your name and email address.", "full", alone),
                     ("We collect your postal address.", "quick", 1)]
    if runner.workers == 1:
        assert alone == 1  # one worker asked for: one core, however many the machine has
        return
    # A quick reading beside it (a fraction of a second; another tab's, say) is no reason to
    # keep the full one to one core.
    held = asyncio.ensure_future(runner.analyze(request("Held quick.", depth="quick")))
    while len(asked) < 3:
        await asyncio.sleep(0.01)
    await runner.analyze(request("We sell your browsing history to data brokers.", depth="full"))
    assert asked[-1] == ("We sell your browsing history to data brokers.", "full", alone)
    release.set()
    await held
    # Another full reading is: each keeps to one thread.
    release.clear()
    held = asyncio.ensure_future(runner.analyze(request("Held full. We share your location with advertisers.",
                                                        depth="full")))
    while len(asked) < 5:
        await asyncio.sleep(0.01)
    await runner.analyze(request("We keep your data after you delete your account.", depth="full"))
    assert asked[-1] == ("We keep your data after you delete your account.", "full", 1)
    release.set()
    await held
    await runner.analyze(request("We may share your contacts with our partners.", depth="full"))
    assert asked[-1][2] == alone


@pytest.mark.parametrize("runner", [{"workers": 2, "mode": "thread", "timeout_seconds": 0.5, "cache_entries": 0}],
                         indirect=True)
async def test_in_thread_mode_a_reading_over_its_limit_still_counts_as_running(runner, monkeypatch):
    """A thread cannot be stopped: a reading over its time limit goes on after its request gave up. A full reading
    asked meanwhile does not have the machine to itself, and keeps to one thread."""
    import threading

    import smallprint
    from smallprint.daemon import runner as runner_module

    runner._threads_alone = 2  # as on a machine of two cores or more, whatever this one has
    asked: list[tuple[str, int]] = []
    release, holding, ended = threading.Event(), threading.Event(), threading.Event()
    real_worker, real_analyze = runner_module.analyze_in_worker, smallprint.analyze

    def noting(kwargs, forget_readings_after=False, reading_threads=1):
        asked.append((kwargs["text"], reading_threads))
        try:
            return real_worker(kwargs, forget_readings_after, reading_threads)
        finally:
            if kwargs["text"] == "Held.":
                ended.set()

    def held(**kwargs):
        if kwargs["text"] == "Held.":
            holding.set()
            release.wait(30)
        return real_analyze(**kwargs)

    monkeypatch.setattr(runner_module, "analyze_in_worker", noting)
    monkeypatch.setattr(smallprint, "analyze", held)
    try:
        with pytest.raises(AnalysisTimeout):
            await runner.analyze(request("Held.", depth="full"))
        assert holding.is_set() and not release.is_set()  # still reading, in its thread
        runner.timeout_seconds = 120.0
        await runner.analyze(request("We sell your browsing history to data brokers.", depth="full"))
        assert asked[-1] == ("We sell your browsing history to data brokers.", 1)
    finally:
        release.set()
    assert await asyncio.to_thread(ended.wait, 30)
    await runner.analyze(request("We keep your data for as long as the law requires.", depth="full"))
    assert asked[-1] == ("We keep your data for as long as the law requires.", 2)  # alone again
