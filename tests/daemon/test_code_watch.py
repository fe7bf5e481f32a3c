"""A daemon whose installed code changes under it (an upgrade) starts again on the new code, answering what it was
reading first (daemon/code_watch.py): the watch itself, and a real daemon run from a copy of the package."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

import smallprint
from smallprint.daemon.code_watch import code_fingerprint, restart_when_code_changes
from smallprint.daemon.idle import Activity

from .conftest import start_daemon

PACKAGE = Path(smallprint.__file__).resolve().parent
POLICY = (PACKAGE / "examples" / "example-privacy-policy.md").read_text(encoding="utf-8")


def a_package(root: Path) -> Path:
    (root / "pkg" / "__pycache__").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("x = 1\n")
    (root / "pkg" / "model.bin").write_bytes(b"\0" * 10)
    return root / "pkg"


@contextlib.contextmanager
def daemon_installed_in(tmp_path: Path, *serve_args: str, version: str | None = None):
    """A real daemon (`smallprint serve --port 0 ...`) run from a copy of the package under `tmp_path`, looking at
    its code every 0.2 s; yields (daemon, the copy's folder, the PYTHONPATH that finds it). `version`: the copy's
    __version__, to tell its code from the next."""
    installed = tmp_path / "site" / "smallprint"
    shutil.copytree(PACKAGE, installed, ignore=shutil.ignore_patterns("__pycache__"))
    if version is not None:
        init = installed / "__init__.py"
        init.write_text(init.read_text().replace(f'__version__ = "{smallprint.__version__}"',
                                                 f'__version__ = "{version}"'))
    path = os.pathsep.join([str(installed.parent), os.environ.get("PYTHONPATH", "")])
    daemon = start_daemon(tmp_path / "home", "--port", "0", *serve_args,
                          env_extra={"PYTHONPATH": path, "SMALLPRINT_CODE_CHECK_SECONDS": "0.2"})
    try:
        yield daemon, installed, path
    finally:
        daemon.stop()
        for stream in (daemon.process.stdout, daemon.process.stderr):
            stream.close()


def zombie_children(pid: int) -> list[int]:
    """The exited, never waited-for children of `pid` (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def probe_instance_lock(path: Path, probing: threading.Event, was_free: list) -> None:
    """While `probing` is set, try the daemon's instance lock every few milliseconds; note each time it was free."""
    import fcntl

    with open(path, "a+") as handle:
        while probing.is_set():
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                time.sleep(0.002)
                continue
            was_free.append(time.monotonic())
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            time.sleep(0.002)


def test_the_fingerprint_changes_with_any_file_of_the_package_and_not_with_compiled_caches(tmp_path):
    package = a_package(tmp_path)
    first = code_fingerprint(package)
    (package / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"cache")
    assert code_fingerprint(package) == first
    (package / "model.bin").write_bytes(b"\1" * 10)  # same size, new contents (and time)
    os.utime(package / "model.bin", ns=(1, 1))
    second = code_fingerprint(package)
    assert second != first
    (package / "new.py").write_text("")
    assert code_fingerprint(package) != second


def test_an_editor_s_swap_lock_and_backup_files_are_not_code(tmp_path):
    """In an editable install the package folder is the source: opening a file in an editor must not restart the
    daemon (twice: when the swap file comes and when it goes)."""
    package = a_package(tmp_path)
    first = code_fingerprint(package)
    for name in (".__init__.py.swp", ".#__init__.py", "#__init__.py#", "__init__.py~"):
        (package / name).write_text("")
    (package / ".idea").mkdir()
    (package / ".idea" / "workspace.xml").write_text("")
    assert code_fingerprint(package) == first


def test_the_watch_waits_for_the_requests_in_flight_then_stops_the_daemon(tmp_path):
    package = a_package(tmp_path)

    async def scenario():
        activity, stop = Activity(), asyncio.Event()
        activity.began()  # a page is being read
        watch = asyncio.create_task(restart_when_code_changes(activity, stop, code_fingerprint(package), package,
                                                              interval=0.05))
        await asyncio.sleep(0.2)
        assert not watch.done()  # nothing changed
        (package / "__init__.py").write_text("x = 2  # the upgrade\n")
        await asyncio.sleep(0.5)
        assert not stop.is_set() and not watch.done()  # the reading in flight is answered first
        activity.ended()
        assert await asyncio.wait_for(watch, 5) is True and stop.is_set()

        stopped_by_hand = asyncio.Event()
        watch = asyncio.create_task(restart_when_code_changes(Activity(), stopped_by_hand, "another", package,
                                                              interval=0.05))
        stopped_by_hand.set()  # `smallprint stop` before any change was seen: no restart
        assert await asyncio.wait_for(watch, 5) is False

    asyncio.run(scenario())


@pytest.mark.slow
def test_a_daemon_upgraded_under_it_answers_its_reading_then_runs_the_new_code_in_the_same_process(tmp_path):
    with daemon_installed_in(tmp_path, version="1.0-old") as (daemon, installed, path):
        init = installed / "__init__.py"
        token = daemon.token({"PYTHONPATH": path})
        assert daemon.request("GET", "/v1/health")[1]["version"] == "1.0-old"
        pid = daemon.process.pid

        answers: list = []
        long_policy = "\n\n".join(POLICY.replace("We", f"Section {n}: we") for n in range(6))  # a few seconds' read
        reading = threading.Thread(target=lambda: answers.append(
            daemon.request("POST", "/v1/analyze", {"text": long_policy, "depth": "full"}, token=token)))
        reading.start()
        time.sleep(0.3)
        # From the upgrade until the new code answers, the instance lock is never free: a bridge starting a daemon
        # meanwhile could otherwise take it, and the restarting one would exit saying one already runs.
        probing, lock_was_free = threading.Event(), []
        probe = threading.Thread(target=probe_instance_lock, args=(daemon.home / "run" / "daemon.lock", probing,
                                                                   lock_was_free))
        probing.set()
        probe.start()
        init.write_text(init.read_text().replace('"1.0-old"', '"2.0-new"'))  # the upgrade lands mid-reading
        reading.join(120)
        [(status, body)] = answers
        assert status == 200 and body["depth"] == "full", body  # answered, not cut

        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            runtime = daemon.home / "run" / "daemon.json"
            try:
                info = json.loads(runtime.read_text())
                daemon.info = info
                health = daemon.request("GET", "/v1/health")[1]
            except (OSError, ValueError):
                health = None
            if health and health.get("version") == "2.0-new":
                break
            assert daemon.process.poll() is None, daemon.process.stderr.read()
            time.sleep(0.2)
        probing.clear()
        probe.join(10)
        assert health and health["version"] == "2.0-new", health
        assert lock_was_free == [], "the instance lock was free during the restart"
        assert info["pid"] == pid and daemon.process.poll() is None  # the same process, on the new code
        assert zombie_children(pid) == []  # the old worker pool's helpers were waited for, not left behind
        assert daemon.request("POST", "/v1/analyze", {"text": POLICY, "depth": "quick"}, token=token)[0] == 200
        log = (daemon.home / "logs" / "daemon.log").read_text()
        # seen while the page was read (a few seconds), acted on once it was answered
        assert log.index("installed code changed") < log.index("POST /v1/analyze 200") \
            < log.index("stopped; starting again on the new code"), log


@pytest.mark.slow
def test_a_broken_upgrade_of_a_background_daemon_says_why_in_its_start_log(tmp_path):
    """A daemon started in the background (`--log-file-only`, as the bridge starts it) has its stderr on the null
    device: the new code's start-up failure would be written nowhere. It goes to daemon-start.log, as at a first
    start."""
    with daemon_installed_in(tmp_path, "--log-file-only") as (daemon, installed, _):
        init = installed / "__init__.py"
        init.write_text('raise ImportError("this upgrade is broken: reinstall smallprint")\n' + init.read_text())
        assert daemon.process.wait(timeout=60) != 0  # the new code could not start
        start_log = (daemon.home / "logs" / "daemon-start.log").read_text()
        assert "this upgrade is broken: reinstall smallprint" in start_log, start_log


def test_the_command_line_run_again_keeps_paths_with_spaces_whole_on_windows(monkeypatch):
    """Windows' exec joins its arguments with spaces, unquoted: a Python or a script under "C:\\Users\\Jane Doe"
    reached the new process cut in two, and the daemon did not come back."""
    import logging
    import subprocess
    import sys

    from smallprint.cli import cmd_serve

    python, script = r"C:\Users\Jane Doe\Python312\python.exe", r"C:\Users\Jane Doe\Scripts\smallprint.exe"
    execed: list = []
    monkeypatch.setattr(sys, "executable", python)
    monkeypatch.setattr(sys, "orig_argv", [python, script, "serve", "--log-file-only"])
    monkeypatch.setattr(sys, "argv", [script, "serve", "--log-file-only"])
    monkeypatch.setattr(logging, "shutdown", lambda: None)  # the test run's own log handlers stay open
    monkeypatch.setattr(cmd_serve.os, "execv", lambda path, args: execed.append((path, args)))
    monkeypatch.setattr(cmd_serve.os, "name", "nt")
    # this test process's own worker-pool helpers stay: stopping them broke the next test that used a process pool
    # ("Connection refused" from a stopped forkserver) wherever one ran before this test
    monkeypatch.setattr(cmd_serve, "_let_helper_processes_go", lambda: None)
    cmd_serve._run_again(log_file_only=False)
    monkeypatch.undo()
    [(path, args)] = execed
    # what the new process's command line is once Windows has joined them: each argument whole
    assert path == python and " ".join(args) == subprocess.list2cmdline([python, script, "serve", "--log-file-only"])
    # elsewhere exec passes the arguments as they are
    assert cmd_serve.exec_arguments([python, script], windows=False) == [python, script]


@pytest.mark.skipif(os.name == "nt", reason="descriptor 2 is POSIX's stderr")
def test_a_background_daemon_started_with_stderr_closed_hands_its_start_log_to_the_new_code(smallprint_home):
    """With descriptor 2 closed (a daemon started with `2>&-`), the start log opened for the new code's start-up
    errors was given descriptor 2 itself, and closed again after being put there: the new code had no stderr, and
    the next file it opened became its stderr."""
    import subprocess
    import sys

    script = """
import os, sys
os.close(2)
from smallprint.cli import cmd_serve
sys.orig_argv, sys.argv = [sys.executable, "-m", "smallprint", "serve"], ["smallprint", "serve", "--log-file-only"]
cmd_serve.os.execv = lambda path, args: None
cmd_serve._run_again(log_file_only=True)
print(os.fstat(2).st_ino)
"""
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stdout
    assert int(ran.stdout.split()[-1]) == (smallprint_home / "logs" / "daemon-start.log").stat().st_ino


@pytest.mark.skipif(os.name == "nt", reason="signals reach a Windows daemon as KeyboardInterrupt, which ends it")
def test_a_stop_asked_while_the_daemon_stops_to_start_again_stops_it(smallprint_home, monkeypatch):
    """Ctrl+C or `smallprint stop` while the daemon was stopping to start again on new code (the requests in flight
    finishing) was swallowed: it started again, and `stop`, seeing the lock free for a moment, said it had stopped."""
    import signal

    from smallprint.config import Config
    from smallprint.daemon import code_watch, server

    async def changed_at_once(activity, stop, started_with, *args, **kwargs):
        stop.set()
        return True

    def and_a_stop_comes(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # while the requests in flight finish
        return remove(*args, **kwargs)

    remove = server.remove_runtime_info
    monkeypatch.setattr(code_watch, "restart_when_code_changes", changed_at_once)
    config = Config().replace(worker_mode="thread", port=0)
    assert asyncio.run(server._run(config, lambda info: None, "a-token")) is True  # no signal: it starts again
    monkeypatch.setattr(server, "remove_runtime_info", and_a_stop_comes)
    assert asyncio.run(server._run(config, lambda info: None, "a-token")) is False


@pytest.mark.skipif(os.name == "nt", reason="Windows' exec starts another process: the lock is released there")
def test_a_descriptor_named_for_the_lock_is_taken_over_only_if_it_is_that_lock_file(tmp_path, monkeypatch):
    """The restarting daemon names its lock's descriptor in the environment for the process it becomes; a variable
    naming any other file (or none, or garbage) is ignored, and taken out of the environment so no child sees it."""
    from smallprint.daemon.server import INHERITED_LOCK_ENV, InstanceLock

    (tmp_path / "daemon.lock").touch()
    with open(tmp_path / "other", "w") as other:
        for named in (str(other.fileno()), "not a number", "999999"):
            monkeypatch.setenv(INHERITED_LOCK_ENV, named)
            assert InstanceLock(tmp_path / "daemon.lock").adopt_inherited() is False
            assert INHERITED_LOCK_ENV not in os.environ
        assert not other.closed and os.fstat(other.fileno())  # another file's descriptor is left alone

    kept = InstanceLock(tmp_path / "daemon.lock")
    assert kept.acquire()
    kept.keep_across_exec()  # what a restart does before exec: the lock stays held by the named descriptor
    assert not InstanceLock(tmp_path / "daemon.lock").acquire()
    adopted = InstanceLock(tmp_path / "daemon.lock")
    assert adopted.adopt_inherited() and INHERITED_LOCK_ENV not in os.environ
    adopted.release()
    free = InstanceLock(tmp_path / "daemon.lock")
    assert free.acquire()
    free.release()


@pytest.mark.skipif(os.name == "nt", reason="no inherited lock on Windows")
def test_the_lock_kept_for_the_restart_is_never_descriptor_2_even_with_stderr_closed(tmp_path):
    """The restart points descriptor 2 at its start log; had the kept lock landed there (stderr closed, as some
    service managers start a daemon), that would have closed it, and the gap in the lock would be back."""
    import subprocess
    import sys

    code = ("import os, sys\n"
            "from pathlib import Path\n"
            "from smallprint.daemon.server import INHERITED_LOCK_ENV, InstanceLock\n"
            f"lock = InstanceLock(Path({str(tmp_path / 'daemon.lock')!r}))\n"
            "assert lock.acquire()\n"
            "os.close(2)\n"  # descriptor 2 free when the restart keeps the lock
            "lock.keep_across_exec()\n"
            "print(os.environ[INHERITED_LOCK_ENV])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and int(done.stdout) >= 3, (done.stdout, done.stderr)


def test_a_worker_pool_helper_that_does_not_stop_does_not_hold_the_restart(monkeypatch):
    """Stopping the pool's helpers waits for them; one that never stops (a worker stuck in the kernel holds the
    tracker's pipe) must not hold the restart, with the instance lock held and nothing listening."""
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker
    import multiprocessing.util

    from smallprint.cli import cmd_serve

    never = threading.Event()
    monkeypatch.setattr(multiprocessing.forkserver._forkserver, "_stop", lambda: never.wait(30))
    # this test process's own pools and tracker stay as they are
    monkeypatch.setattr(multiprocessing.util, "_exit_function", lambda: None)
    monkeypatch.setattr(multiprocessing.resource_tracker._resource_tracker, "_stop", lambda: None)
    monkeypatch.setattr(cmd_serve, "HELPERS_STOP_SECONDS", 0.3)
    started = time.monotonic()
    cmd_serve._let_helper_processes_go()
    assert time.monotonic() - started < 5
    never.set()
    for thread in threading.enumerate():
        if thread.name == "smallprint-helpers-stop":
            thread.join(5)
