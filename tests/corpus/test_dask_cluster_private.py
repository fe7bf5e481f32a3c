"""The local Dask cluster of `--engine dask` is this run's alone. Loopback keeps the network out, not the other users
and processes of this machine: a Dask scheduler runs whatever code a client sends it, in this user's worker
processes. So another process, with no credentials or with TLS credentials of its own making, cannot connect and
have code run; and the scheduler's HTTP server (on 8787 even with the dashboard off), which a web page could read
by rebinding a name to 127.0.0.1, serves none of its pages about the run."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from smallprint.corpus import engines

# Another local process: it tries to have the scheduler at argv[1] run code, with the credentials argv[2] names.
FOREIGN = r'''
import os, sys
from distributed import Client
from distributed.security import Security
address, how = sys.argv[1], sys.argv[2]
if how == "plain":  # no credentials, and the address as plain TCP
    address = "tcp://" + address.split("://", 1)[1]
    security = None
elif how == "no-credentials":
    security = None
else:  # a certificate authority of its own
    security = Security.temporary()
try:
    client = Client(address, security=security, timeout="5s")
    print("RAN", client.submit(os.getpid, pure=False).result(timeout=10))
except BaseException as exc:
    print("REFUSED", type(exc).__name__)
'''


@pytest.fixture(scope="module")
def engine():
    opened = engines.open_engine("dask", 1)
    try:
        yield opened
    finally:
        opened.close()


def test_the_run_itself_has_its_tasks_done(engine):
    assert engine.submit(os.getpid).result(timeout=60) != os.getpid()


@pytest.mark.parametrize("how", ["plain", "no-credentials", "own-authority"])
def test_another_process_cannot_have_code_run_in_the_cluster(engine, how):
    address = engine._client.scheduler.address
    done = subprocess.run([sys.executable, "-c", FOREIGN, address, how], capture_output=True, text=True, timeout=60)
    assert "RAN" not in done.stdout, f"{how}: another process ran code in the cluster at {address}"
    assert done.stdout.startswith("REFUSED"), done.stdout + done.stderr[-2000:]


@pytest.mark.parametrize("path", ["/json/identity.json", "/info/main/workers.html", "/health"])
def test_the_scheduler_http_server_serves_no_page(engine, path):
    port = engine._client.scheduler_info()["services"]["dashboard"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).close()
    assert refused.value.code == 404
