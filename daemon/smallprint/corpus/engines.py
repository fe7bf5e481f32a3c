"""Where a corpus run's tasks execute: processes on this machine, or a Dask cluster.

Both are `concurrent.futures` executors (a process pool, and dask.distributed's ClientExecutor), so the run is one
loop whatever runs it. Without an address, `dask` starts a LocalCluster of worker processes bound to 127.0.0.1:
nothing listens beyond this machine and nothing is contacted outside it. Loopback is not enough on its own, though:
every local user and process can reach 127.0.0.1, and a Dask scheduler runs whatever code a client sends it, in this
user's worker processes. So the cluster speaks TLS with credentials made for it alone and held only in memory
(`Security.temporary`: a client must present a certificate of that one-off authority), and its HTTP servers (the
scheduler's, on 8787 even with the dashboard off, and each worker's) serve no route: a web page that rebinds a name
to 127.0.0.1 would otherwise read the scheduler's JSON and HTML pages about the run.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

from ..machine import usable_cores

ENGINES = ("local", "dask")


class EngineError(RuntimeError):
    """The engine could not start (no Dask installed, a scheduler that does not answer): one sentence."""


def default_workers() -> int:
    return usable_cores()


@dataclass
class Engine:
    """An executor with what the run needs around it: how many tasks to keep in flight, and how to recover."""
    name: str
    workers: int
    executor: Executor | None = None
    _cluster: object = None
    _client: object = None
    restarts: int = field(default=0)

    def describe(self) -> str:
        if self.name == "local":
            return f"reading on {self.workers} local worker process{'es' if self.workers != 1 else ''}"
        where = "a local Dask cluster on 127.0.0.1" if self._cluster is not None else (
            f"the Dask cluster at {self._client.scheduler.address}")
        threads = self.threads()
        waiting = "" if threads else " (it has no workers yet: the tasks wait for some to join)"
        return f"reading on {where}, {threads} worker thread{'s' if threads != 1 else ''}{waiting}"

    def threads(self) -> int:
        return sum(w.get("nthreads", 1) for w in self._client.scheduler_info().get("workers", {}).values())

    def submit(self, fn, *args):
        if self.name != "local":
            return self.executor.submit(fn, *args)
        try:  # the pool starts its worker processes as the first tasks come
            return self.executor.submit(fn, *args)
        except OSError as exc:
            raise EngineError(cannot_start_processes("the local worker processes", exc)) from None

    def can_restart(self) -> bool:
        """A process pool whose worker died is broken for good and is replaced; Dask replaces its own workers."""
        return self.name == "local"

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = _process_pool(self.workers)
        self.restarts += 1

    def close(self, *, at_once: bool = False) -> None:
        """Stop the workers once their tasks are done; `at_once` (the run was interrupted): stop the local worker
        processes now. That loses no finished work: a worker writes nothing, its results are written by the run as
        they come, and once interrupted the run takes no more of them. Waiting for the documents in progress (seconds
        each at full depth) would only delay the stop."""
        if self.executor is not None and self.name == "local":
            if at_once:
                _terminate_workers(self.executor)
            self.executor.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _terminate_workers(executor: ProcessPoolExecutor) -> None:
    kill = getattr(executor, "kill_workers", None)  # Python 3.14
    if kill is not None:
        kill()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError):  # gone already, or closed
            process.kill()  # not terminate(): a worker that is stopped (SIGSTOP, a debugger) gets a SIGTERM only later


def _process_pool(workers: int) -> ProcessPoolExecutor:
    # spawn: a fresh interpreter per worker (onnxruntime and threads do not survive fork), the same on every OS.
    try:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    except OSError as exc:  # its queues' locks start multiprocessing's resource tracker, a process of its own
        raise EngineError(cannot_start_processes("the local worker processes", exc)) from None


def cannot_start_processes(what: str, exc: BaseException) -> str:
    """Why `what` (processes multiprocessing starts) could not start, and what to do, in one line. The OSError
    itself names no cause: where this user cannot run the interpreter, multiprocessing's resource tracker dies
    unseen and the first write to it fails with EPIPE or EBADF (the CLI once printed just `[Errno 9] Bad file
    descriptor`, or for EPIPE exited 0 with no tables)."""
    from multiprocessing import spawn

    executable = spawn.get_executable()
    if isinstance(executable, bytes):
        executable = os.fsdecode(executable)
    if not os.access(executable, os.X_OK):
        cause = (f"this user may not run the Python interpreter {executable}, which each of them runs (a virtual "
                 "environment made from a Python in another user's home is the usual cause): run as a user who "
                 "may, or make the environment from a Python this user can run")
    elif os.path.isdir("/dev/shm") and not os.access("/dev/shm", os.W_OK | os.X_OK):
        cause = "this user may not create the semaphores they share in /dev/shm: run as a user who may"
    else:
        cause = (f"each is a new process of {executable} that shares semaphores and open files with this one, "
                 "which this user or sandbox does not allow (a process limit, a seccomp or container policy)")
    return (f"cannot start {what} that read the documents: multiprocessing could not start its resource tracker "
            f"or a worker ({type(exc).__name__}: {exc}); {cause}. `--workers 1` still starts one; "
            "`--engine dask --address tcp://HOST:PORT` reads on an existing Dask cluster and starts no process here")


def check_engine(name: str, address: str | None) -> None:
    """Refuse a choice that cannot work before anything starts or is written."""
    if name not in ENGINES:
        raise EngineError(f"engine must be one of {', '.join(ENGINES)}")
    if address and name != "dask":
        raise EngineError("--address needs --engine dask")


# The HTTP servers a local cluster starts whatever its dashboard: with no route they answer nothing but 404.
NO_HTTP_ROUTES = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}


def _private_credentials():
    """TLS credentials for one local cluster, in memory only: only this process and the cluster's own processes
    hold them, so no other local user or process can connect to the scheduler or a worker and have code run."""
    from distributed.security import Security

    try:
        return Security.temporary()
    except ImportError:  # it makes them with `cryptography`
        raise EngineError("--engine dask needs the cryptography package for its local cluster's private "
                          "credentials: pip install 'smallprint[corpus]'") from None


def open_engine(name: str, workers: int | None = None, address: str | None = None) -> Engine:
    check_engine(name, address)
    if name == "local":
        count = workers or default_workers()
        return Engine("local", count, _process_pool(count))
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("--engine dask needs Dask: pip install 'smallprint[corpus]'") from None
    cluster = None
    try:
        if address:
            client = Client(address, timeout="10s")
        else:
            security = _private_credentials()
            try:
                with dask.config.set(NO_HTTP_ROUTES):  # the nannies copy the config they are made with to workers
                    cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                                           processes=True, host="127.0.0.1", dashboard_address=None,
                                           security=security, silence_logs=logging.ERROR)
            except (OSError, RuntimeError) as exc:  # RuntimeError: "Nanny failed to start" (its process did not)
                raise EngineError(cannot_start_processes("a local Dask cluster's worker processes", exc)) from None
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        where = f"at {address}" if address else "of the local cluster"
        raise EngineError(f"cannot reach the Dask scheduler {where}: {exc}") from None
    engine = Engine("dask", 1, client.get_executor(pure=False), cluster, client)
    engine.workers = workers or max(1, engine.threads())  # how many tasks to keep in flight: two per thread
    return engine
