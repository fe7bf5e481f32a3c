"""Runs analyses off the event loop: a worker pool, a time limit per analysis, and an LRU cache by content hash.

The cache is bounded in bytes as well as entries, and keeps each analysis as its encoded JSON only: the decoded
form of one analysis of a 2-million-character list is ~100 MB of Python objects (~23 MB as JSON), so 128 of them
held as objects could grow the daemon by gigabytes. A hit decodes the JSON again (a few ms for a usual policy).

Why processes by default: the engine is pure Python, so in a thread it would hold the GIL and slow every
health check and request parse while it works. With `workers` processes the event loop stays free.

Why a semaphore in front of the pool: the time limit should measure the analysis, not its wait in the queue,
so a request only enters the pool when a worker is free, and its clock starts then. For the same reason the
clock waits for the pool's warm-up (starting the processes, importing the engine, loading its models: about a
second): otherwise a limit below that would time out every analysis on a fresh pool, and since an overrun
replaces the pool, every analysis after the first overrun too. Where workers start by forkserver, the forkserver
loads the quick reading's part of that once, at its start (worker_preload), and every worker it forks inherits it:
a pool that a forget or an overrun replaced is ready for quick readings at once (measured, 2 workers on 2 busy cores:
forget to the next quick answer median 0.50 s against 1.87 s; a new worker's CPU until ready 0.05 s against 0.37 s).

A process that overruns its limit cannot be interrupted from outside, so the runner replaces the whole pool
(kills its processes); analyses that were running in the old pool are retried once on the new one.

What the daemon holds in memory (the cache, and in each worker the reader's remembered readings) is forgotten on
demand (`forget_memory`: `smallprint forget`, DELETE /v1/memory and /v1/sites/{site}). Processes cannot be asked to
forget one by one, so a forget replaces the pool the way an overrun does, without counting as a fault.
"""
from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from .. import machine
from .discovery import pid_alive

log = logging.getLogger("smallprint.daemon")

INPUT_FIELDS = ("text", "html", "blocks", "pdf")


class AnalysisTimeout(Exception):
    """The analysis ran longer than its limit."""


class AnalysisRejected(ValueError):
    """The engine refused the input (a ValueError from `smallprint.analyze`)."""


class AnalysisTooLarge(AnalysisRejected):
    """The engine refused the input as over its size limits (engine.blocks.InputTooLarge, pdf.PdfTooLarge)."""


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    """A validated /v1/analyze body: exactly one of text, html, blocks, pdf."""
    field: str  # "text" | "html" | "blocks" | "pdf"
    content: Any  # str (a PDF as base64), or a list of {"id", "text", "tag"?} dicts
    url: str | None = None
    title: str | None = None
    depth: str = "full"  # "full": the learned reader; "quick": the rules, for a first paint
    as_policy: bool = False  # grade the document even if it does not look like a policy (the reader asked)

    def cache_key(self) -> str:
        # url and title are part of the key: the engine may use them and echoes them in the result; so is the
        # depth: the quick and the full reading of one page are cached side by side.
        canonical = json.dumps([self.field, self.content, self.url, self.title, self.depth, self.as_policy],
                               sort_keys=True,
                               ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()

    def engine_kwargs(self) -> dict[str, Any]:
        return {self.field: self.content, "url": self.url, "title": self.title, "depth": self.depth,
                "as_policy": self.as_policy}


@dataclass(frozen=True, slots=True)
class MemoryForgotten:
    """What `AnalysisRunner.forget_memory` dropped: the cached analyses (the readings the workers remembered are
    not counted: each worker holds its own, and a forget replaces the workers rather than asking them)."""
    analyses: int

    def to_dict(self) -> dict[str, Any]:
        """The API's answer (DELETE /v1/memory, and added to the answers of DELETE /v1/sites and /v1/sites/{site})."""
        return {"memory_forgotten": True, "forgotten_analyses": self.analyses}


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """One analysis, shared by the cache and every request that asks for it: treat as read-only."""
    data: Mapping[str, Any]  # Analysis.to_dict()
    body: bytes  # the same, encoded as JSON in the worker, so the event loop does not spend time encoding it


class _FullReadingsRunningHere:
    """How many full readings run in this process now (`analyze_in_worker`). In thread mode these are the daemon's
    own: a reading over its time limit reads on in its thread (a thread cannot be stopped) after its request, and
    its slot, gave up on it, so the runner's count of slots taken misses it."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    def __enter__(self) -> None:
        with self._lock:
            self._count += 1

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._count -= 1


_FULL_READINGS_RUNNING_HERE = _FullReadingsRunningHere()


def analyze_in_worker(kwargs: dict[str, Any], forget_readings_after: bool = False,
                      reading_threads: int = 1) -> tuple[dict, bytes]:
    """Runs in a worker: the engine's analysis as data and as JSON. Module-level so it pickles by name.
    `forget_readings_after`: the analysis was asked before the daemon forgot its memory (and is read again, or only
    now, after it): what it leaves in the reader's memory is forgotten once it is done. `reading_threads`: how many
    threads the learned reader may use (AnalysisRunner.reading_threads_for)."""
    if kwargs.get("depth", "full") != "full":
        return _analyze_in_worker(kwargs, forget_readings_after, reading_threads)
    with _FULL_READINGS_RUNNING_HERE:
        return _analyze_in_worker(kwargs, forget_readings_after, reading_threads)


def _analyze_in_worker(kwargs: dict[str, Any], forget_readings_after: bool,
                       reading_threads: int) -> tuple[dict, bytes]:
    import smallprint

    try:
        if "pdf" in kwargs:  # read here, not on the event loop: a long PDF takes a while
            from smallprint.pdf import read_pdf_text
            kwargs = {**kwargs, "text": read_pdf_text(base64.b64decode(kwargs["pdf"]))}
            del kwargs["pdf"]
        if reading_threads > 1 and kwargs.get("depth", "full") == "full":
            from smallprint.engine.reader import reading_threads as threads
            with threads(reading_threads):
                data = smallprint.analyze(**kwargs).to_dict()
        else:
            data = smallprint.analyze(**kwargs).to_dict()
    except ValueError as exc:
        # Re-raised as our own type with a plain message: pickles cleanly and never carries a traceback out.
        from smallprint.engine.blocks import InputTooLarge
        from smallprint.pdf import PdfTooLarge
        too_large = isinstance(exc, (InputTooLarge, PdfTooLarge))
        raise (AnalysisTooLarge if too_large else AnalysisRejected)(str(exc)) from None
    finally:
        if forget_readings_after:
            from smallprint.engine.reader import forget_readings
            forget_readings()
    return data, json.dumps(data).encode("ascii")


def _warm_up() -> bool:
    """Runs in each worker at start: import the engine and load what the quick reading needs before the first
    request, then start loading the reader beside it (engine.warm). The runner waits for this before any request's
    clock starts, and for `_reader_loaded` too before a full reading's."""
    from smallprint.engine.warm import load_for_quick, load_reader_in_background

    if not _quick_stage_inherited():  # under spawn, in thread mode, or where the forkserver's preload failed
        load_for_quick()
    load_reader_in_background()
    return True


def _reader_loaded() -> bool:
    """Runs in a worker, before a pool's first full reading: wait for the reader's background load, so that the
    reading's clock does not count it (a limit below it would time the reading out, and replace the pool)."""
    from smallprint.engine.warm import wait_for_reader

    wait_for_reader(WARM_UP_LIMIT_SECONDS)
    return True


# Longest wait for a pool's warm-up before an analysis goes ahead anyway (its clock then includes the rest).
WARM_UP_LIMIT_SECONDS = 60.0

# Workers run this much below the daemon's CPU priority: when the machine is busy, the event loop (health
# checks, request parsing) gets the CPU before the analyses do.
WORKER_NICENESS = 5


def _lower_priority() -> None:
    """Worker initializer."""
    if hasattr(os, "nice"):  # not on Windows
        try:
            os.nice(WORKER_NICENESS)
        except OSError:
            pass


# How often a worker checks that its daemon still lives.
DAEMON_WATCH_SECONDS = 2.0


def _watch_daemon(pid: int) -> None:
    while pid_alive(pid):  # a zombie counts as gone: it will never send work again
        time.sleep(DAEMON_WATCH_SECONDS)
    os._exit(0)  # nothing to clean up: the daemon that wanted our answers is gone


def _worker_start(daemon_pid: int, then) -> None:
    """Worker initializer. A worker holds both ends of its pool's queues, so it never sees end-of-file when the
    daemon is killed with SIGKILL (or crashes): without this watch it, the forkserver and the resource tracker
    would stay behind forever, each holding the engine in memory."""
    if os.name != "nt":  # os.kill(pid, 0) would terminate the daemon on Windows
        threading.Thread(target=_watch_daemon, args=(daemon_pid,), name="smallprint-daemon-watch",
                         daemon=True).start()
    then()
    if _quick_stage_inherited():
        # Ready for quick readings at once, a worker may finish the pool's first warm-up task before the pool starts
        # its second worker, which then never runs one: start the reader's load here, in every worker.
        from smallprint.engine.warm import load_reader_in_background

        load_reader_in_background()


def _quick_stage_inherited() -> bool:
    """Whether this worker's forkserver loaded the quick stage (worker_preload): never under spawn."""
    preload = sys.modules.get("smallprint.daemon.worker_preload")
    return preload is not None and preload.QUICK_STAGE_PRELOADED


# The forkserver listens on a Unix socket at <temporary folder>/pymp-XXXXXXXX/listener-XXXXXXXX, and a socket's path
# holds at most 103 bytes on macOS (107 on Linux). Under a long TMPDIR (a sandbox's, a test runner's, one a browser
# passes on to the native host and so to the daemon) binding it fails on the first analysis.
_FORKSERVER_SOCKET_SUFFIX = len("/pymp-XXXXXXXX/listener-XXXXXXXX")
_SOCKET_PATH_MAX = 103

# What the forkserver imports at its start: the main module, as it does by default, and the quick stage.
_FORKSERVER_PRELOAD = ["__main__", "smallprint.daemon.worker_preload"]


def _pool_context():
    # forkserver: workers start from a clean, single-threaded server process, not a fork of the running
    # event loop (forking a threaded process is unsafe). spawn where forkserver does not exist, or where its
    # socket's path would be too long (spawn needs no socket; workers just start slower).
    methods = multiprocessing.get_all_start_methods()
    try:
        socket_path = len(os.fsencode(tempfile.gettempdir())) + _FORKSERVER_SOCKET_SUFFIX
    except OSError:  # no usable temporary folder at all: spawn needs none
        socket_path = _SOCKET_PATH_MAX + 1
    usable = "forkserver" in methods and socket_path <= _SOCKET_PATH_MAX
    if not usable:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The forkserver loads the quick stage once at its start, and the workers it forks inherit it (worker_preload).
    # It is started once per process, so the list only counts before the first pool; setting it again is harmless.
    context.set_forkserver_preload(_FORKSERVER_PRELOAD)
    return context


class AnalysisRunner:
    def __init__(self, *, workers: int, mode: str, timeout_seconds: float, cache_entries: int,
                 cache_max_bytes: int = 64 * 1024 * 1024, worker_initializer=_lower_priority):
        self.workers = workers
        self.worker_initializer = worker_initializer  # module-level (pickled by name); tests slow it down
        self.mode = mode
        self.timeout_seconds = timeout_seconds
        self.cache_entries = cache_entries
        self.cache_max_bytes = cache_max_bytes
        self._cache: OrderedDict[str, bytes] = OrderedDict()  # key -> the analysis as JSON
        self._cache_bytes = 0
        self._inflight: dict[str, asyncio.Future] = {}
        self._slots = asyncio.Semaphore(workers)
        # full readings holding a slot: one alone may read on more than one core (reading_threads_for)
        self._running_full = 0
        self._threads_alone = max(1, min(workers, machine.reading_threads()))
        self._pool: concurrent.futures.Executor | None = None
        self._warm_task: asyncio.Future | None = None
        self._warm_pool: concurrent.futures.Executor | None = None  # the pool that _warm_task warms
        self._reader_task: asyncio.Future | None = None  # a pool's first full reading waits for its reader's load
        self._reader_pool: concurrent.futures.Executor | None = None  # the pool that _reader_task waits in
        # Whether an analysis was sent to the current pool: until then its workers hold nothing of any page (the
        # warm-up reads a sentence of its own), and a forget need not replace them.
        self._pool_has_read = False
        # Counts forgets: an analysis asked before one is not cached after it (_remember).
        self._memory_generation = 0
        # pool_restarts counts faults (an overrun, a worker that died); memory_forgets the forgets, which replace
        # the pool too in process mode.
        self.stats = {"analyses": 0, "cache_hits": 0, "timeouts": 0, "pool_restarts": 0, "memory_forgets": 0}

    # -- lifecycle -------------------------------------------------------------------------------------
    def _new_pool(self) -> concurrent.futures.Executor:
        if self.mode == "thread":
            return concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="smallprint-analysis")
        return concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=_pool_context(),
                                                      initializer=_worker_start,
                                                      initargs=(os.getpid(), self.worker_initializer))

    def start(self) -> None:
        self._pool = self._new_pool()

    def start_warm_up(self) -> None:
        """Warm the current pool up in the background, once per pool."""
        if self._pool is None or self._warm_pool is self._pool:  # closed already, or warming or warm
            return
        self._warm_pool = self._pool
        self._warm_task = asyncio.ensure_future(self.warm_up())

    async def warm_up(self) -> None:
        """Start every worker and load the engine in it, in the background, so the first request is not slow."""
        pool = self._pool
        if pool is None:
            return
        try:
            await asyncio.gather(*[await self._submit(pool, _warm_up) for _ in range(self.workers)])
        except Exception as exc:  # a warm-up failure is not fatal: the real request will report it
            if self._pool is pool:  # not a pool that a forget or an overrun replaced (and killed) meanwhile
                log.warning("worker warm-up failed: %s", exc)

    def close(self) -> None:
        if self._warm_task is not None:
            self._warm_task.cancel()
        pool, self._pool = self._pool, None
        if pool is not None:
            self._kill(pool)

    @staticmethod
    def _kill(pool: concurrent.futures.Executor) -> None:
        if isinstance(pool, concurrent.futures.ProcessPoolExecutor):
            terminate = getattr(pool, "terminate_workers", None)  # public from Python 3.14
            if terminate is not None:
                terminate()
            else:
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)

    def _restart_pool(self, broken: concurrent.futures.Executor) -> None:
        if self._pool is not broken:  # another overrun (or a forget) already replaced it
            return
        self.stats["pool_restarts"] += 1
        self._replace_pool(broken)

    def _replace_pool(self, old: concurrent.futures.Executor) -> None:
        self._pool = self._new_pool()
        self._pool_has_read = False
        self._kill(old)
        self.start_warm_up()  # at once: the next analysis waits for it before its clock starts

    def forget_memory(self) -> MemoryForgotten:
        """Forget what this daemon holds in memory of the pages it read: every cached analysis (the cache is keyed
        by content, not by site, so a site's forget empties it too) and the readings the reader remembers.

        In process mode the workers cannot be asked one by one, so the pool is replaced (and its processes
        killed): an analysis running in it is read again from the start in the new one, and answered, not failed.
        In thread mode the reader's memory is in this process and is cleared here. Either way an analysis asked
        before the forget leaves nothing behind when it ends: it is not cached, and the readings it began before
        the forget (reader.RememberedReadings) or after it (`analyze_in_worker`) are not remembered. One asked after
        the forget is new, and cached as usual."""
        self._memory_generation += 1
        self.stats["memory_forgets"] += 1
        dropped = len(self._cache)
        self._cache.clear()
        self._cache_bytes = 0
        if self.mode != "process":
            _forget_readings_in_this_process()
            how = "the reader's readings cleared"
        elif self._pool is not None and self._pool_has_read:
            self._replace_pool(self._pool)
            how = "the workers replaced"
        else:
            how = "the workers had read nothing"
        log.info("forgot the memory: %d cached analyses dropped, %s", dropped, how)
        return MemoryForgotten(analyses=dropped)

    async def _until_warm(self, pool: concurrent.futures.Executor) -> None:
        """Wait (bounded) until `pool` has started its workers and loaded the engine: not part of any time limit."""
        if self._pool is pool:
            self.start_warm_up()  # a request before the daemon's scheduled warm-up starts it now
        task = self._warm_task
        if task is None or self._warm_pool is not pool or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), WARM_UP_LIMIT_SECONDS)
        except TimeoutError:
            log.warning("worker warm-up still running after %.0fs; analysing anyway", WARM_UP_LIMIT_SECONDS)
        except asyncio.CancelledError:
            if not task.cancelled():  # we were cancelled, not the warm-up (close() cancels that)
                raise

    async def _until_reader_loaded(self, pool: concurrent.futures.Executor) -> None:
        """Wait (bounded) until a worker of `pool` has loaded the reader: not part of any time limit. Once per pool;
        its workers all began the load at their start, so one done means the others are too, or nearly."""
        if self._reader_pool is not pool:
            self._reader_pool = pool
            self._reader_task = asyncio.ensure_future(self._submit_and_wait(pool, _reader_loaded))
        if self._reader_task.done():  # every full reading after the pool's first
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._reader_task), WARM_UP_LIMIT_SECONDS)
        except (TimeoutError, BrokenProcessPool, RuntimeError):  # the analysis then finds (and reports) what is wrong
            pass
        except asyncio.CancelledError:
            if _being_cancelled():
                raise  # a pool replaced meanwhile cancels the wait, not this request

    async def _submit_and_wait(self, pool: concurrent.futures.Executor, fn) -> Any:
        return await (await self._submit(pool, fn))

    @staticmethod
    async def _submit(pool: concurrent.futures.Executor, fn, *args) -> asyncio.Future:
        """Submit from a helper thread: ProcessPoolExecutor.submit starts missing worker processes synchronously
        (up to a second on a busy machine), which must not stall the event loop."""
        return asyncio.wrap_future(await asyncio.to_thread(pool.submit, fn, *args))

    # -- analysis --------------------------------------------------------------------------------------
    async def analyze(self, request: AnalysisRequest) -> AnalysisResult:
        """The analysis, from the cache or a worker. Raises AnalysisTimeout, AnalysisRejected."""
        key = request.cache_key()
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.stats["cache_hits"] += 1
            return AnalysisResult(MappingProxyType(json.loads(cached)), cached)
        pending = self._inflight.get(key)
        if pending is None:  # identical concurrent requests share one analysis
            pending = asyncio.ensure_future(self._compute(request))
            self._inflight[key] = pending
            pending.add_done_callback(lambda _f: self._inflight.pop(key, None))
        else:
            self.stats["cache_hits"] += 1
        return await asyncio.shield(pending)

    def reading_threads_for(self, request: AnalysisRequest) -> int:
        """How many threads a full reading may run the learned reader on: as many as the workers could use together
        (`workers`, at most the cores and machine.MAX_READING_THREADS) when it is the only full reading running,
        else one. A quick reading (the rules, at most about 30 word-passes of the page: a fraction of a second)
        shares the cores with it for that while, as any two programs do; the full one, minutes of CPU on a long
        policy, should not keep to one core for it (its extra threads take only idle cores: reader.py).
        The readings are the same whatever the count (reader.reading_threads). A full reading that starts while
        another runs keeps to one thread."""
        others = self._running_full - 1
        if self.mode == "thread":  # readings over their limit read on in this process (_FullReadingsRunningHere)
            others = max(others, len(_FULL_READINGS_RUNNING_HERE))
        if request.depth != "full" or others > 0:
            return 1
        return self._threads_alone

    async def _compute(self, request: AnalysisRequest) -> AnalysisResult:
        asked_in = self._memory_generation
        async with self._slots:
            self._running_full += request.depth == "full"
            try:
                data, body = await self._run_with_limit(request, asked_in, retry=True)
            finally:
                self._running_full -= request.depth == "full"
        result = AnalysisResult(MappingProxyType(data), body)
        self.stats["analyses"] += 1
        self._remember(request.cache_key(), body, asked_in)
        return result

    def _remember(self, key: str, body: bytes, asked_in: int) -> None:
        """Cache `body` under `key`, least recently used first out, within both bounds. An analysis bigger than a
        quarter of the byte bound is not kept: it would push out many ordinary ones. Nor is one asked before a
        forget (`asked_in`, the memory's generation then): it would bring back what the reader just forgot."""
        if asked_in != self._memory_generation:
            return
        if not self.cache_entries or len(body) > self.cache_max_bytes // 4:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._cache_bytes -= len(old)
        self._cache[key] = body
        self._cache_bytes += len(body)
        while len(self._cache) > self.cache_entries or self._cache_bytes > self.cache_max_bytes:
            _, dropped = self._cache.popitem(last=False)
            self._cache_bytes -= len(dropped)

    async def _run_with_limit(self, request: AnalysisRequest, asked_in: int, retry: bool) -> tuple[dict, bytes]:
        if self._pool is None:
            raise RuntimeError("the analysis pool is not running")
        pool = self._pool
        generation = self._memory_generation
        await self._until_warm(pool)
        if request.depth == "full":
            await self._until_reader_loaded(pool)
        started = time.monotonic()
        future = None
        try:
            if pool is self._pool:
                self._pool_has_read = True  # its workers will remember this page's readings: a forget replaces them
            future = await self._submit(pool, analyze_in_worker, request.engine_kwargs(),
                                        asked_in != self._memory_generation, self.reading_threads_for(request))
            return await asyncio.wait_for(future, self.timeout_seconds)
        except TimeoutError:
            self.stats["timeouts"] += 1
            log.warning("analysis over its %.1fs limit (%s, %d chars); stopping it",
                        self.timeout_seconds, request.field, len(json.dumps(request.content)))
            if self.mode == "process":
                self._restart_pool(pool)
            raise AnalysisTimeout(f"the analysis took longer than {self.timeout_seconds:g} s") from None
        except asyncio.CancelledError:
            # A pool shut down cancels the work it had not yet handed to a worker: when a forget or another
            # analysis's overrun replaced our pool, that is no cancellation of this request.
            if future is None or not future.cancelled() or self._pool is pool or _being_cancelled():
                raise
            lost: Exception = BrokenProcessPool("the pool was replaced before a worker took the analysis")
        except (BrokenProcessPool, RuntimeError) as exc:
            # BrokenProcessPool is a RuntimeError too: test for it first. A worker killed from outside (the OOM
            # killer, a crash in onnxruntime, a stray kill) breaks the pool for every later analysis, so it is
            # always replaced; any other RuntimeError from our own pool is a real error.
            if not isinstance(exc, BrokenProcessPool) and self._pool is pool:
                raise  # not "submitted to a pool already shut down": a real error
            lost = exc
        # Our pool was replaced (a forget, or another analysis overran) or a worker died: try once more.
        self._restart_pool(pool)
        forgotten = self._memory_generation != generation
        # A forget is no fault: it does not use up the one retry a fault allows, so that an analysis running when
        # the reader forgets is answered, however many forgets it meets.
        if not retry and not forgotten:
            raise lost
        log.info("worker pool %s under a running analysis after %.2fs; reading it again",
                 "replaced by a forget" if forgotten else "restarted", time.monotonic() - started)
        return await self._run_with_limit(request, asked_in, retry=retry if forgotten else False)


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _forget_readings_in_this_process() -> None:
    """Thread mode: the reader reads in this process, and forgets here. Where no analysis ever loaded it, it
    remembers nothing, and is not imported for nothing (that would load the engine into the daemon)."""
    reader = sys.modules.get("smallprint.engine.reader")
    if reader is not None:
        reader.forget_readings()
