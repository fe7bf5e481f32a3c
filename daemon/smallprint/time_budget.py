"""A time limit on one analysis outside the daemon: the CLI and the corpus (eval) runs.

The daemon runs analyses in worker processes it can kill (runner.py); the CLI runs them in its own process, so a
page built to be slow (the HTML parser's worst cases, a huge list-like text) would otherwise hold the terminal or a
corpus run for as long as it likes. The limit is the daemon's `analysis_timeout_seconds` (config.toml), so one
setting bounds every path.

How: in the main thread, a real-time interval timer (SIGALRM) raises between two Python steps, which interrupts
the pure-Python engine wherever it is. In any other thread (a Dask worker runs its tasks in a thread pool, where no
signal handler can run), and where there is no such timer (Windows), a timer thread asks CPython to raise in the
caller's thread instead (PyThreadState_SetAsyncExc): the same effect, between the same Python steps. Both wait for
a C call under way to return (pypdf's decompression of one stream, bounded by pypdf itself).
"""
from __future__ import annotations

import ctypes
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class OverBudget(Exception):
    """An analysis ran longer than its time limit."""

    def __init__(self, seconds: float):
        super().__init__(f"the analysis took longer than {seconds:g} s (analysis_timeout_seconds in config.toml)")
        self.seconds = seconds


def analysis_time_limit() -> float:
    """The configured limit of one analysis; the default where the config cannot be read (a broken config must
    not make the limit go away)."""
    from .config import Config, ConfigError, load_config

    try:
        return load_config().analysis_timeout_seconds
    except ConfigError:
        return Config().analysis_timeout_seconds


# A run over many documents (`corpus analyze`, `eval`) wants every one read: its limit only stops a pathological one,
# so by default it is this many times analysis_timeout_seconds, which is sized for a reader waiting on a page (the
# largest real policy, read fully on one thread, takes some 45 s on a 2-core AVX2 machine: over the daemon's 30 s).
BATCH_LIMIT_FACTOR = 10


def batch_time_limit(seconds: float | None = None) -> float:
    """The limit of each document of a run over many: `seconds` (the command's --time-limit), else
    BATCH_LIMIT_FACTOR times the configured analysis_timeout_seconds."""
    return seconds if seconds is not None else BATCH_LIMIT_FACTOR * analysis_time_limit()


def batch_limit_said(command: str) -> str:
    """Where a run's limit comes from, for its time-out message."""
    return f"{command} --time-limit; by default {BATCH_LIMIT_FACTOR} times analysis_timeout_seconds in config.toml"


# Once the time is up, OverBudget is raised again this often until the block is left: a raise that lands where Python
# ignores exceptions (a gc callback, such as the one dask.distributed installs in its workers and Hypothesis in a test
# run, or a __del__) would otherwise be lost, and the block would run on unbounded. Clean-up that a raise sets going
# is written to take a second one (the reader's threads are joined whatever comes meanwhile, engine/reader.py).
RAISE_AGAIN_SECONDS = 0.25


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise OverBudget inside the `with` block once `seconds` have passed, and again every RAISE_AGAIN_SECONDS until
    the block is left."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        with _thread_time_budget(seconds):
            yield
        return

    def expire(signum, frame):
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    # Again and again, as in other threads: the main thread drops a raise too where one lands in a gc callback or a
    # __del__ (a CI run's `eval --time-limit 0.5` ran its 4 s to the end when Hypothesis's gc callback took the raise).
    signal.setitimer(signal.ITIMER_REAL, seconds, RAISE_AGAIN_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _thread_time_budget(seconds: float) -> Iterator[None]:
    """time_budget in a thread that no signal reaches: a watcher thread raises OverBudget in it. CPython raises an
    exception given by its class, so the class carries the limit (`expired`)."""
    set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async_exc is None or sys.implementation.name != "cpython":  # not CPython: unbounded, as before
        yield
        return
    expired = type("OverBudget", (OverBudget,), {"__init__": lambda self: OverBudget.__init__(self, seconds)})
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    left = threading.Event()
    inside = True  # whether the block still runs: once it is left, nothing more may be raised in the thread

    def expire_until_left() -> None:
        wait = seconds
        while not left.wait(wait):
            with lock:
                if not inside:
                    return
                set_async_exc(target, ctypes.py_object(expired))
            wait = RAISE_AGAIN_SECONDS

    watcher = threading.Thread(target=expire_until_left, name="smallprint-time-budget", daemon=True)
    try:
        # Started inside the try: a thread kept waiting past `seconds` just after starting it gets the raise on the way
        # back from start(), and outside the try the clean-up below never ran, so the watcher raised for ever in it.
        watcher.start()
        yield
    finally:
        while True:
            try:
                with lock:
                    inside = False
                    set_async_exc(target, None)  # a raise asked for but not yet delivered is dropped
                break
            except expired:  # delivered on the way out: the block is left all the same
                continue
        left.set()
