"""The output folder is held before anything else: a second `corpus analyze` on it is turned away before it lists a
source or writes a byte there, and `corpus report` says a run is writing a folder whose first run has no tables yet."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import contextlib
import fcntl
import json
import threading
import time

import pytest

from smallprint.corpus import run, store
from smallprint.corpus.report import write_report
from smallprint.corpus.store import StoreError

from .conftest import run_corpus, small_sources

BUSY = "another `smallprint corpus analyze` is writing"
WRITING_NOW = "is writing {} now and its tables are not all there yet; run `smallprint corpus report` when it has"


@contextlib.contextmanager
def held_as_a_run_holds_it(out):
    """`out`/.lock held, as by a `corpus analyze` in progress (one that has not written corpus.json yet, when `out`
    holds nothing else)."""
    out.mkdir(exist_ok=True)
    with open(out / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield


@pytest.fixture
def listed(monkeypatch) -> list:
    """The sources the run lists (run.list_versions, which reads and hashes every document of one)."""
    calls = []
    real = run.list_versions

    def recording(source, **options):
        calls.append(source)
        return real(source, **options)

    monkeypatch.setattr(run, "list_versions", recording)
    return calls


def test_a_second_run_is_turned_away_before_it_lists_a_source(tmp_path, listed):
    """It listed and hashed every source (minutes on a large corpus) and only then found the folder held."""
    src, out = small_sources(tmp_path), tmp_path / "out"
    with held_as_a_run_holds_it(out), pytest.raises(StoreError, match=BUSY):
        run.analyse_corpus([str(src)], str(out), workers=1)
    assert listed == []


def test_a_second_first_run_at_another_depth_writes_nothing_in_the_folder(tmp_path, listed):
    """corpus.json was written before the lock was tried: a second first run at another depth recorded its own depth
    in the folder the first run was reading into, whose parts then held quick readings under "full"."""
    src, out = small_sources(tmp_path), tmp_path / "out"
    with held_as_a_run_holds_it(out), pytest.raises(StoreError, match=BUSY):
        run.analyse_corpus([str(src)], str(out), depth="full", workers=1)
    assert sorted(p.name for p in out.iterdir()) == [".lock"] and listed == []


def test_a_new_folder_left_without_a_corpus_is_removed_with_its_lock(tmp_path):
    """The folder is made to be held before the sources are listed: a source refused leaves no trace of it."""
    done = run_corpus("analyze", tmp_path / "missing", "--out", tmp_path / "new" / "out")
    assert done.returncode == 1 and "no such file or folder" in done.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("manifest", [False, True], ids=["before corpus.json", "before the tables"])
def test_a_report_during_the_first_run_says_the_run_is_writing_the_folder(tmp_path, manifest):
    """It said "documents.parquet is missing: run `smallprint corpus analyze` into DIR again" of a run under way."""
    out = tmp_path / "out"
    out.mkdir()
    if manifest:
        (out / "corpus.json").write_text(json.dumps({"format": 1, "depth": "quick"}))
    with held_as_a_run_holds_it(out), pytest.raises(StoreError) as refused:
        write_report(out)
    assert WRITING_NOW.format(out) in str(refused.value)
    # Once no run holds it, what is missing is said as before: that folder needs a run.
    with pytest.raises(StoreError, match="holds no corpus" if not manifest else "is missing: run"):
        write_report(out)


def test_a_run_waits_for_a_report_that_is_asking_whether_the_folder_is_held(tmp_path):
    """`corpus report` asks with a shared lock on the folder's lock, held for an instant: a run starting at that
    instant was turned away as if another run held the folder. It waits for the reader; a run holding it to write is
    still refused at once (the tests above)."""
    src, out = small_sources(tmp_path), tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "a") as reader:
        fcntl.flock(reader, fcntl.LOCK_SH | fcntl.LOCK_NB)  # as store.held_by_a_run holds it
        letting_go = threading.Timer(0.3, fcntl.flock, (reader, fcntl.LOCK_UN))
        letting_go.start()
        try:
            summary = run.analyse_corpus([str(src)], str(out), workers=1)
        finally:
            letting_go.join()
    assert summary.versions == 4 and (out / "documents.parquet").exists()


def test_a_run_holding_the_folder_is_refused_at_once_not_after_waiting_for_readers(tmp_path, listed):
    src, out = small_sources(tmp_path), tmp_path / "out"
    started = time.monotonic()
    with held_as_a_run_holds_it(out), pytest.raises(StoreError, match=BUSY):
        run.analyse_corpus([str(src)], str(out), workers=1)
    assert time.monotonic() - started < store.READERS_WAITED_FOR_SECONDS and listed == []
