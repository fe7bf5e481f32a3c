"""An engine whose processes cannot start says what failed and what to do, rather than a bare OSError.

Where this user may not run the interpreter (a virtual environment made from a Python in another user's home),
multiprocessing's resource tracker dies unseen and the next write to it fails with EBADF or EPIPE: the run once
ended with `smallprint: [Errno 9] Bad file descriptor` (or, for EPIPE, exit 0 and no tables). The start is made to
fail here as it does there."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import errno
import os
from concurrent.futures import Future

import pytest

from smallprint.cli import main
from smallprint.corpus import engines


@pytest.fixture
def source(tmp_path):
    (tmp_path / "src" / "acme").mkdir(parents=True)
    (tmp_path / "src" / "acme" / "privacy.md").write_text("We collect your email address.\n")
    return tmp_path / "src"


def _analyze(source, out, *extra) -> int:
    return main(["corpus", "analyze", str(source), "--out", str(out), *extra])


def _says_what_failed_and_what_to_do(err: str, what: str) -> None:
    last = err.splitlines()[-1]  # one line, the last: what the run said before it stays as it was
    assert "cannot start" not in err.replace(last, ""), err
    assert last.startswith(f"smallprint: cannot start {what}") and "resource tracker" in last
    assert "[Errno 9] Bad file descriptor" in last
    assert "--engine dask --address" in last and "`--workers 1` still starts one" in last


def test_a_process_pool_that_cannot_start_its_resource_tracker_is_named(source, tmp_path, monkeypatch, capsys):
    def refuse(**kwargs):
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(engines, "ProcessPoolExecutor", refuse)
    assert _analyze(source, tmp_path / "out", "--workers", "1") == 1
    _says_what_failed_and_what_to_do(capsys.readouterr().err, "the local worker processes")
    assert not (tmp_path / "out" / "documents.parquet").exists()


def test_a_worker_that_cannot_start_is_named_and_the_pool_shut_down(source, tmp_path, monkeypatch, capsys):
    closed = []

    class Pool:  # starts, as a pool does; its workers are started with the first task, and cannot be
        def __init__(self, **kwargs):
            pass

        def submit(self, fn, *args) -> Future:
            raise OSError(errno.EBADF, "Bad file descriptor")

        def shutdown(self, **kwargs):
            closed.append(kwargs)

    monkeypatch.setattr(engines, "ProcessPoolExecutor", Pool)
    assert _analyze(source, tmp_path / "out", "--workers", "1") == 1
    _says_what_failed_and_what_to_do(capsys.readouterr().err, "the local worker processes")
    assert closed


def test_a_local_dask_cluster_that_cannot_start_its_workers_is_named(source, tmp_path, monkeypatch, capsys):
    import distributed

    def refuse(**kwargs):
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(distributed, "LocalCluster", refuse)
    assert _analyze(source, tmp_path / "out", "--engine", "dask", "--workers", "1") == 1
    _says_what_failed_and_what_to_do(capsys.readouterr().err, "a local Dask cluster's worker processes")


def test_an_interpreter_this_user_may_not_run_is_named(monkeypatch):
    from multiprocessing import spawn

    executable = os.fsdecode(spawn.get_executable())
    monkeypatch.setattr(engines.os, "access", lambda path, mode: path != executable)
    message = engines.cannot_start_processes("the local worker processes", OSError(errno.EBADF, "Bad file descriptor"))
    assert f"this user may not run the Python interpreter {executable}" in message
