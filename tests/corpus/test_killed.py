"""A run whose worker is killed, or which is killed itself, mid-run: it finishes or resumes, and no row is lost or
duplicated (the tables equal an undisturbed run's, row for row). One document per task (--batch 1), so that the
run is still reading when the first part appears and the kill comes."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import os
import signal
import time

import psutil
import pytest

from .conftest import assert_same_tables, part_stamps, read_tables, run_corpus, start_corpus

pytestmark = pytest.mark.slow


def _wait_for_parts(out, process, count: int = 1, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = len(list((out / "parts").glob("analyses-*.parquet"))) if (out / "parts").is_dir() else 0
        if found >= count:
            return found
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("no part was written in time")


def _pool_workers(pid: int) -> list[psutil.Process]:
    """The process pool's workers: children started by multiprocessing's spawn (not its resource tracker)."""
    found = []
    for child in psutil.Process(pid).children():
        try:
            if any("spawn_main" in part for part in child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.Error:  # gone, or a zombie, between listing and asking
            continue
    return found


def _finish(process, timeout: float = 240) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_a_killed_run_resumes_without_losing_or_rewriting_anything(reference, ota_repo, policies_folder, tmp_path):
    out = tmp_path / "corpus"
    process = start_corpus("analyze", ota_repo, policies_folder, "--out", out, "--workers", "2", "--batch", "1")
    found = _wait_for_parts(out, process)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, at once
    process.wait()
    assert found < 45
    stamps = part_stamps(out)
    assert not (out / "documents.parquet").exists()  # killed before the tables were written
    done = run_corpus("analyze", ota_repo, policies_folder, "--out", out, "--workers", "2", "--batch", "1")
    assert done.returncode == 0, done.stderr
    read_before = len([name for name in stamps if name.startswith("analyses-")])
    assert f"{45 - read_before} read now, {read_before} already in" in done.stdout
    assert {k: v for k, v in part_stamps(out).items() if k in stamps} == stamps  # no finished part rewritten
    assert_same_tables(read_tables(out), reference[1])


def test_ctrl_c_says_at_once_that_it_stops_and_that_a_rerun_resumes_and_waits_for_no_document(
        reference, ota_repo, policies_folder, tmp_path):
    """Ctrl-C was silent until the run ended, seconds later at full depth (it waited for the documents in progress,
    whose results it would not keep), and then said only "interrupted". The worker is held stopped here, as a
    document that takes long would hold it: the run must not wait for it."""
    out = tmp_path / "corpus"
    process = start_corpus("analyze", ota_repo, policies_folder, "--out", out, "--workers", "1", "--batch", "1")
    _wait_for_parts(out, process)
    (worker,) = _pool_workers(process.pid)
    worker.suspend()
    try:
        stamps = part_stamps(out)
        started = time.monotonic()
        process.send_signal(signal.SIGINT)  # the run only: its worker is busy (stopped) and takes no signal
        code, stdout, stderr = _finish(process, timeout=30)
        took = time.monotonic() - started
    finally:
        if worker.is_running():
            worker.resume()
    assert code == 130 and stdout == "" and took < 10, (code, took, stderr)
    lines = [line.strip() for line in stderr.replace("\r", "\n").splitlines() if line.startswith("smallprint: ")]
    assert lines[-2:] == [
        f"smallprint: stopping: the documents being read now are left for the next run; the parts already written "
        f"to {out} are kept",
        f"smallprint: interrupted: what was finished is kept in {out}; run the same command again to resume (what is "
        "kept is not read again)"]
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE
    kept = part_stamps(out)
    done = run_corpus("analyze", ota_repo, policies_folder, "--out", out, "--workers", "2", "--batch", "1")
    assert done.returncode == 0, done.stderr
    read_before = len([name for name in kept if name.startswith("analyses-")])
    assert read_before >= len([name for name in stamps if name.startswith("analyses-")])
    assert f"{45 - read_before} read now, {read_before} already in" in done.stdout
    assert {k: v for k, v in part_stamps(out).items() if k in kept} == kept
    assert_same_tables(read_tables(out), reference[1])


def test_a_local_worker_killed_mid_run_is_replaced_and_the_run_finishes(reference, ota_repo, policies_folder, tmp_path):
    out = tmp_path / "corpus"
    process = start_corpus("analyze", ota_repo, policies_folder, "--out", out, "--workers", "2", "--batch", "1")
    _wait_for_parts(out, process)
    workers = _pool_workers(process.pid)
    assert workers, "no worker process found"
    workers[0].kill()
    code, stdout, stderr = _finish(process)
    assert code == 0, stderr
    assert "45 read now" in stdout
    assert "a worker process died 1 time; the documents it held were sent again" in stderr
    assert_same_tables(read_tables(out), reference[1])


def test_a_dask_worker_killed_mid_run_is_replaced_and_the_run_finishes(reference, ota_repo, policies_folder,
                                                                       dask_cluster, tmp_path):
    cluster, client = dask_cluster
    pids = client.run(os.getpid)
    out = tmp_path / "corpus"
    process = start_corpus("analyze", ota_repo, policies_folder, "--out", out, "--engine", "dask", "--address",
                           cluster.scheduler_address, "--batch", "1")
    _wait_for_parts(out, process)
    killed = next(iter(pids.values()))
    os.kill(killed, signal.SIGKILL)
    code, stdout, stderr = _finish(process)
    assert code == 0, stderr
    assert "45 read now" in stdout
    assert killed not in client.run(os.getpid).values()  # the cluster replaced the worker it lost
    assert_same_tables(read_tables(out), reference[1])


def test_a_batch_never_inherits_the_failed_attempts_of_a_finished_one():
    """Attempts are counted by a batch's id, which Python hands to a later batch once one is gone: every batch here
    fails twice and then succeeds (within MAX_ATTEMPTS), so none may be given up, however ids are reused."""
    from collections import Counter
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from smallprint.corpus import run

    failures: Counter = Counter()

    class FlakyEngine:
        workers = 1

        def submit(self, fn, items):
            future = Future()
            if failures[items[0]] < 2:
                failures[items[0]] += 1
                future.set_exception(BrokenProcessPool("a worker died"))
            else:
                future.set_result([fn(x) for x in items])
            return future

        def can_restart(self):
            return True

        def restart(self):
            pass

    class Bar:
        def update(self, n):
            pass

    done = []
    given_up = run._execute(FlakyEngine(), lambda x: x, ([i] for i in range(300)), lambda batch: list(batch),
                            lambda batch, rows: done.extend(rows), Bar())
    assert given_up == [] and sorted(done) == list(range(300))
