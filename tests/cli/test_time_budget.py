"""smallprint.time_budget in the main thread (SIGALRM) and outside it (a Dask worker runs its tasks in a thread
pool, where no signal handler runs): the limit holds in both, is raised again when a raise is lost, and nothing is
raised once the block is left."""
from __future__ import annotations

import threading
import time

import pytest

from smallprint.time_budget import OverBudget, time_budget

WHERE = pytest.mark.parametrize("where", ["main thread", "other thread"])


def _outcome(work, where: str) -> object:
    """What `work()` returned or raised, run in this (the main) thread or in a thread of its own (at most 20 s)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # noqa: BLE001 - the outcome under test
            outcome.append(exc)

    if where == "main thread":
        run()
        return outcome[0]
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "the time limit did not stop the thread"
    return outcome[0]


@WHERE
def test_a_busy_loop_is_stopped_at_the_limit(where):
    def busy() -> float:
        started = time.monotonic()
        with time_budget(0.3):
            while time.monotonic() - started < 5:
                pass
        return time.monotonic() - started

    outcome = _outcome(busy, where)
    assert isinstance(outcome, OverBudget), outcome
    assert str(outcome) == "the analysis took longer than 0.3 s (analysis_timeout_seconds in config.toml)"


@WHERE
def test_a_raise_lost_where_an_exception_is_dropped_is_raised_again(where):
    """The first raise lands in code that drops exceptions, as dask.distributed's or Hypothesis's gc callback or a
    __del__ does (Python prints and ignores what they raise): the block must still be stopped. The main thread's
    alarm was raised once, and a CI run's evaluation ran on past its limit so."""
    dropped: list[OverBudget] = []

    class DropsTheFirstRaise:
        def __del__(self):
            if dropped:
                return
            try:
                while True:  # until the raise comes, here, where it is dropped
                    time.sleep(0.01)
            except OverBudget as exc:
                dropped.append(exc)

    def run_on() -> str:
        started = time.monotonic()
        with time_budget(0.2):
            while time.monotonic() - started < 5:
                DropsTheFirstRaise()
        return "ran to the end"

    outcome = _outcome(run_on, where)
    assert len(dropped) == 1 and isinstance(outcome, OverBudget), outcome


@WHERE
def test_nothing_is_raised_after_the_block_is_left_in_time(where):
    def quick_then_wait() -> str:
        with time_budget(0.2):
            pass
        deadline = time.monotonic() + 0.8
        while time.monotonic() < deadline:  # past the limit, outside the block
            pass
        return "done"

    assert _outcome(quick_then_wait, where) == "done"


def test_a_raise_that_comes_while_the_watcher_is_being_started_is_no_raise_after_the_block(monkeypatch):
    """A thread that the system leaves waiting just after it started the watcher (a busy machine, a Dask worker's
    threads contending for the GIL) got the watcher's raise before its block's clean-up was in place: the raise left
    the block, the clean-up never ran, and the watcher raised again and again for ever in that thread, whatever it ran
    next (the next document of a corpus worker stopped at once)."""
    start_a_thread = threading.Thread.start

    def start_then_wait_a_while(thread: threading.Thread) -> None:
        start_a_thread(thread)
        if thread.name == "smallprint-time-budget":
            time.sleep(0.3)  # past the limit: the raise is delivered here, on the way back

    def limit_then_other_work() -> str:
        try:
            with time_budget(0.05):
                pass
        except OverBudget:
            pass  # the raise came before the block: a time-out all the same
        deadline = time.monotonic() + 0.8
        while time.monotonic() < deadline:  # the next document's work
            pass
        return "done"

    monkeypatch.setattr(threading.Thread, "start", start_then_wait_a_while)
    assert _outcome(limit_then_other_work, "other thread") == "done"
