"""A corpus run contacts nothing outside the machine and listens only on loopback: on local processes, and with
`--engine dask` (the local cluster it starts: scheduler, nannies and workers, with the dashboard off).

Every Python process of the run gets a sitecustomize with an audit hook on socket.bind / connect / sendto /
getaddrinfo that records each call and refuses any that is not on the loopback address or a local (AF_UNIX)
socket. Binding to "" or 0.0.0.0 (every interface) counts as not loopback.
"""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import pytest

from tests.network_guard import calls, guarded_env

from .conftest import corpus_env, run_corpus

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_a_corpus_run_stays_on_loopback(tmp_path, ota_repo, engine):
    guard, log = guarded_env(tmp_path)
    done = run_corpus("analyze", ota_repo, "--out", tmp_path / "out", "--engine", engine, "--workers", "2",
                      env=corpus_env(**guard))
    assert done.returncode == 0, done.stderr
    seen = calls(log)
    assert [c for c in seen if not c["allowed"]] == []
    if engine == "dask":  # the hook was live in the cluster's processes: they bound and connected on loopback
        assert {c["event"] for c in seen} >= {"socket.bind", "socket.connect"}
        assert len({c["pid"] for c in seen}) >= 3  # the run (with its scheduler) and two worker processes
