"""The learned reader on several threads (reader.reading_threads): the same readings, on more than one thread, and
a failure in any of them raised in the caller, with none left running."""
from __future__ import annotations

import dataclasses
import os
import threading
import time

import pytest

from smallprint import analyze
from smallprint.engine import reader
from smallprint.engine.reader import RememberedReadings, load_model, probabilities, reading_threads
from smallprint.engine.reader_input import pair_text, reading_units
from smallprint.engine.blocks import to_blocks
from smallprint.machine import MAX_READING_THREADS, reading_threads as threads_alone, usable_cores

from tests.conftest import ROOT

EXAMPLE = ROOT / "daemon" / "smallprint" / "examples" / "example-privacy-policy.md"


class ThreadNotingSession:
    """The real session, noting which threads ran it (and failing on one run where asked)."""

    def __init__(self, inner, fail_on_run: int | None = None, helpers_pause: float = 0.0):
        self.inner, self.fail_on_run, self.helpers_pause = inner, fail_on_run, helpers_pause
        self.threads: list[int] = []
        self._lock = threading.Lock()

    def run(self, *args, **kwargs):
        with self._lock:
            self.threads.append(threading.get_ident())
            run = len(self.threads)
        if run == self.fail_on_run:
            raise RuntimeError("onnxruntime failed on this unit")
        if threading.current_thread() is not threading.main_thread():
            time.sleep(self.helpers_pause)  # a slow unit: the helper is still reading when the caller waits
        return self.inner.run(*args, **kwargs)


def fresh_reader(**session_options):
    model = load_model()
    session = ThreadNotingSession(model.session, **session_options)
    return dataclasses.replace(model, session=session, remembered=RememberedReadings()), session


def example_pairs():
    text = EXAMPLE.read_text(encoding="utf-8")
    return list(dict.fromkeys(pair_text(u) for u in reading_units(to_blocks(text=text)) if u.readable))


def test_readings_on_several_threads_are_the_readings_on_one():
    pairs = example_pairs()
    assert len(pairs) >= 40
    alone, _ = fresh_reader()
    one = probabilities(alone, pairs)
    several, session = fresh_reader()
    with reading_threads(3):
        assert probabilities(several, pairs) == one  # bit for bit, in the pairs' order
    assert len(session.threads) == len(pairs) and len(set(session.threads)) > 1


def test_a_whole_analysis_is_the_same_on_several_threads():
    text = EXAMPLE.read_text(encoding="utf-8")
    reader.forget_readings()
    one = analyze(text=text, depth="full").to_dict()
    reader.forget_readings()
    with reading_threads(2):
        assert analyze(text=text, depth="full").to_dict() == one


def test_one_thread_is_the_default_and_a_few_units_stay_on_the_calling_thread():
    model, session = fresh_reader()
    probabilities(model, example_pairs())
    assert set(session.threads) == {threading.get_ident()}
    model, session = fresh_reader()
    with reading_threads(4):
        probabilities(model, example_pairs()[:5])  # fewer units than a second thread is worth
    assert set(session.threads) == {threading.get_ident()}


def test_the_thread_count_holds_only_within_its_block():
    model, session = fresh_reader()
    with reading_threads(2):
        with reading_threads(1):
            probabilities(model, example_pairs())
        assert set(session.threads) == {threading.get_ident()}
    model, session = fresh_reader()
    probabilities(model, example_pairs())
    assert set(session.threads) == {threading.get_ident()}


@pytest.mark.parametrize("fail_on_run", [1, 2, 30])
def test_a_failure_on_any_thread_is_raised_to_the_caller_and_stops_the_others(fail_on_run):
    model, session = fresh_reader(fail_on_run=fail_on_run)
    pairs = example_pairs()
    before = threading.active_count()
    with reading_threads(2), pytest.raises(RuntimeError, match="onnxruntime failed"):
        probabilities(model, pairs)
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before  # no reading thread left behind
    assert len(session.threads) < len(pairs)  # they stopped, rather than read the whole page for nothing
    assert len(model.remembered) == 0  # nothing of a failed reading is remembered


def test_a_reading_alone_uses_the_cores_it_may_run_on_up_to_the_cap():
    assert threads_alone() == min(usable_cores(), MAX_READING_THREADS) >= 1


def test_an_interruption_while_waiting_for_the_threads_leaves_none_reading(monkeypatch):
    """A time limit (SIGALRM) or Ctrl+C can come while the calling thread waits for the others: they stop too, and
    are gone when the error reaches the caller (`smallprint eval` starts its next document at once)."""
    model, session = fresh_reader(helpers_pause=0.3)
    pairs = example_pairs()
    before = threading.active_count()
    real_join = threading.Thread.join
    interrupted = []

    def join_interrupted(self, timeout=None):
        if not interrupted:
            interrupted.append(self)
            raise KeyboardInterrupt  # as a signal handler raising in the waiting thread would
        return real_join(self, timeout)

    monkeypatch.setattr(threading.Thread, "join", join_interrupted)
    with reading_threads(2), pytest.raises(KeyboardInterrupt):
        probabilities(model, pairs)
    assert threading.active_count() == before  # joined before the error was raised: nothing reads on
    assert len(model.remembered) == 0


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_the_extra_threads_take_only_cores_nothing_else_wants():
    """They run under SCHED_IDLE: a quick reading asked at the same time, or another program, keeps its core."""
    policies: dict[str, set[int]] = {"caller": set(), "helpers": set()}

    class PolicyNotingSession(ThreadNotingSession):
        def run(self, *args, **kwargs):
            who = "caller" if threading.current_thread() is threading.main_thread() else "helpers"
            policies[who].add(os.sched_getscheduler(0))
            return super().run(*args, **kwargs)

    model = dataclasses.replace(load_model(), session=PolicyNotingSession(load_model().session),
                                remembered=RememberedReadings())
    with reading_threads(2):
        probabilities(model, example_pairs())
    assert policies == {"caller": {os.sched_getscheduler(0)}, "helpers": {os.SCHED_IDLE}}
