"""`smallprint serve/status/token` as real subprocesses: lifecycle, single instance, port in use, token stores."""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from .conftest import FAIL_KEYRING, PLAINTEXT_KEYRING, run_cli, start_daemon
from smallprint.daemon.server import PORT_IN_USE_STATUS

pytestmark = pytest.mark.slow

POLICY = {"text": "Privacy Policy\n\nWe collect your email address.\n\nWe do not sell your personal information."}


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("smallprint: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_answers_then_shuts_down_cleanly(daemon_factory, sig):
    daemon = daemon_factory("--port", "0")
    assert daemon.info["host"] == "127.0.0.1" and daemon.info["port"] > 0
    assert daemon.request("GET", "/v1/health")[0] == 200
    status, body = daemon.request("POST", "/v1/analyze", POLICY, token=daemon.token())
    assert status == 200 and body["kind"]
    assert daemon.stop(sig) == 0
    assert not (daemon.home / "run" / "daemon.json").exists()
    log = (daemon.home / "logs" / "daemon.log").read_text()
    assert "listening on" in log and "stopped" in log and "POST /v1/analyze 200" in log
    assert "Traceback" not in daemon.process.stderr.read()


def test_a_long_temporary_folder_path_still_analyzes(daemon_factory, tmp_path):
    """A browser passes its environment on to the native host and so to the daemon: under a TMPDIR too long for the
    forkserver's Unix socket (found when geckodriver's was a test's folder), workers start by spawn instead of
    every analysis failing with an internal error."""
    long_tmp = tmp_path / ("t" * 60) / ("m" * 40)
    long_tmp.mkdir(parents=True)
    assert len(str(long_tmp)) + len("/pymp-XXXXXXXX/listener-XXXXXXXX") > 107
    daemon = daemon_factory("--port", "0", env_extra={"TMPDIR": str(long_tmp)})
    status, body = daemon.request("POST", "/v1/analyze", {**POLICY, "depth": "full"}, token=daemon.token())
    assert status == 200, body
    assert body["highlights"]
    log = (daemon.home / "logs" / "daemon.log").read_text()
    assert "Traceback" not in log and "AF_UNIX" not in log


def test_the_pool_starts_by_spawn_where_the_forkserver_socket_path_would_be_too_long(monkeypatch, tmp_path):
    import multiprocessing
    import tempfile

    from smallprint.daemon import runner
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.fail("this platform has no forkserver: the test is for Linux and macOS")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert runner._pool_context().get_start_method() == "forkserver"
    long = tmp_path / ("x" * (runner._SOCKET_PATH_MAX - len(str(tmp_path)) - runner._FORKSERVER_SOCKET_SUFFIX + 1))
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    assert runner._pool_context().get_start_method() == "spawn"


def test_log_file_only_keeps_stdout_and_stderr_quiet(daemon_factory):
    # How the bridge starts the daemon: its stderr is a file nobody rotates, so all logging goes to daemon.log.
    daemon = daemon_factory("--port", "0", "--log-file-only")
    assert daemon.request("GET", "/v1/health")[0] == 200
    assert daemon.stop(signal.SIGTERM) == 0
    assert daemon.process.stdout.read() == "" and daemon.process.stderr.read() == ""
    log = (daemon.home / "logs" / "daemon.log").read_text()
    assert "listening on" in log and "stopped" in log


def test_log_file_only_still_reports_start_up_errors_on_stderr(daemon):
    second = run_cli(daemon.home, "serve", "--port", "0", "--log-file-only", timeout=60)
    assert_one_line_error(second, "already running")


def test_a_log_file_that_cannot_be_written_is_said_once_not_for_every_line(daemon_factory, tmp_path):
    """A full log folder once printed a ~30-line "--- Logging error --- Traceback" on serve's stderr for every log
    line. /dev/full stands in for the full disk: every write to it fails with ENOSPC."""
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    (home / "logs" / "daemon.log").symlink_to("/dev/full")
    daemon = daemon_factory("--port", "0", home=home)
    token = daemon.token()
    for _ in range(3):
        assert daemon.request("POST", "/v1/analyze", POLICY, token=token)[0] == 200
    assert daemon.stop() == 0
    said = daemon.process.stderr.read()
    assert "Logging error" not in said and "Traceback" not in said
    warning = f"smallprint: cannot write the log file {home / 'logs' / 'daemon.log'}: No space left on device"
    assert said.count(warning) == 1, said
    assert said.count("cannot write the log file") == 1


def test_a_runtime_file_that_cannot_be_written_stops_serve_with_one_line(tmp_path):
    home = tmp_path / "home"
    (home / "run" / "daemon.json" / "in-the-way").mkdir(parents=True)  # a folder where the file goes
    result = run_cli(home, "serve", "--port", "0", timeout=60)
    assert_one_line_error(result, f"cannot write the runtime file {home / 'run' / 'daemon.json'}")
    assert not list((home / "run").glob(".daemon-*"))


def _block_the_port(home: Path, blocker: socket.socket) -> tuple[list[str], str]:
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    return ["--port", str(port)], f"port {port} on 127.0.0.1 is already in use by another program"


def _block_the_runtime_file(home: Path, blocker: socket.socket) -> tuple[list[str], str]:
    (home / "run" / "daemon.json" / "in-the-way").mkdir(parents=True)
    return ["--port", "0"], f"cannot write the runtime file {home / 'run' / 'daemon.json'}"


def _block_the_token_file(home: Path, blocker: socket.socket) -> tuple[list[str], str]:
    (home / "config" / "token").mkdir(parents=True)
    return ["--port", "0"], f"cannot read the API token file {home / 'config' / 'token'}: Is a directory"


@pytest.mark.parametrize("block", [_block_the_port, _block_the_runtime_file, _block_the_token_file],
                         ids=["port in use", "runtime file", "token file"])
def test_a_start_up_failure_logs_its_error_and_never_stopped(tmp_path, block):
    """A serve that could not write its runtime file once logged "smallprint: stopped" before its error, on the
    console and in the log file, as if the daemon had run; only a daemon that said "listening" says "stopped"."""
    home = tmp_path / "home"
    with socket.socket() as blocker:
        args, error = block(home, blocker)
        result = run_cli(home, "serve", *args, keyring_backend=FAIL_KEYRING, timeout=60)
    # a taken port has its own status, on which the bridge starts its daemon again on a free port
    assert result.returncode == (PORT_IN_USE_STATUS if block is _block_the_port else 1) and result.stdout == ""
    assert result.stderr.startswith("smallprint: ") and result.stderr.count("\n") == 1, result.stderr
    assert error in result.stderr
    log = (home / "logs" / "daemon.log").read_text()
    assert "ERROR smallprint.daemon: start-up failed: " in log and error in log
    assert "stopped" not in log and "listening" not in log


def test_status_reports_a_running_daemon_and_its_files(daemon):
    result = run_cli(daemon.home, "status", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["running"] and report["pid"] == daemon.process.pid and report["port"] == daemon.info["port"]
    assert report["config_file"] == str(daemon.home / "config" / "config.toml")
    assert report["log_dir"] == str(daemon.home / "logs") and report["data_dir"] == str(daemon.home / "data")
    assert report["token_store"] == f"keyring:{PLAINTEXT_KEYRING}"
    text = run_cli(daemon.home, "status")
    assert f"running at http://127.0.0.1:{daemon.info['port']}" in text.stdout
    assert report["idle_exit_minutes"] is None and "stops:       runs until stopped" in text.stdout, text.stdout


def test_status_says_a_daemon_started_as_the_bridge_starts_it_stops_when_idle(daemon_factory):
    """`status` did not say whether the running daemon would exit by itself: one the browser's bridge started runs
    with --idle-exit 30 and stops after half an hour with nothing to do."""
    daemon = daemon_factory("--port", "0", "--idle-exit", "30")
    report = json.loads(run_cli(daemon.home, "status", "--json").stdout)
    assert report["running"] and report["idle_exit_minutes"] == 30, report
    text = run_cli(daemon.home, "status").stdout
    assert "stops:       after 30 minutes with no page read and no browser running the bridge" in text, text


def test_status_when_not_running(tmp_path):
    result = run_cli(tmp_path / "home", "status")
    assert result.returncode == 3
    assert "not running" in result.stdout
    assert json.loads(run_cli(tmp_path / "home", "status", "--json").stdout)["config_error"] is None


def test_status_says_when_the_config_would_stop_serve(tmp_path):
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("port = 70000\n")
    result = run_cli(home, "status")
    assert result.returncode == 3 and result.stderr == ""
    assert "will refuse it" in result.stdout and "port = 70000 is not valid" in result.stdout
    report = json.loads(run_cli(home, "status", "--json").stdout)
    assert "port = 70000" in report["config_error"]


def test_a_second_serve_says_where_the_first_is(daemon):
    second = run_cli(daemon.home, "serve", "--port", "0", timeout=60)
    assert_one_line_error(second, "already running", f"http://127.0.0.1:{daemon.info['port']}",
                          str(daemon.process.pid))
    assert daemon.request("GET", "/v1/health")[0] == 200  # the first one is untouched


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = run_cli(tmp_path / "home", "serve", "--port", str(port))
    assert_one_line_error(result, f"port {port}", "in use", "--port")
    assert not (tmp_path / "home" / "run" / "daemon.json").exists()


def test_a_stale_runtime_file_does_not_block_a_new_daemon(daemon_factory, tmp_path):
    home = tmp_path / "sp-home"
    (home / "run").mkdir(parents=True)
    (home / "run" / "daemon.json").write_text(json.dumps(
        {"pid": 2 ** 22 + 1, "host": "127.0.0.1", "port": 1, "version": "0", "started": "x"}))
    daemon = daemon_factory("--port", "0", home=home)
    assert daemon.info["pid"] == daemon.process.pid


def test_non_loopback_needs_the_flag(tmp_path):
    result = run_cli(tmp_path / "home", "serve", "--host", "0.0.0.0", "--port", "0")
    assert_one_line_error(result, "--allow-remote")


def test_non_loopback_with_the_flag_warns(daemon_factory):
    daemon = daemon_factory("--host", "0.0.0.0", "--port", "0", "--allow-remote")
    assert daemon.request("GET", "/v1/health")[0] == 200
    assert daemon.stop() == 0
    assert "other machines can reach the API" in daemon.process.stderr.read()


@pytest.mark.parametrize("config, named", [
    ("port = 'eighty'", "port"),
    ("workers = 0", "workers"),
    ("this is not toml", "not valid TOML"),
    ("colour = 'blue'", "colour"),
])
def test_bad_config_stops_serve_with_one_line(tmp_path, config, named):
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(config)
    result = run_cli(home, "serve", "--port", "0")
    assert_one_line_error(result, named, str(home / "config" / "config.toml"))


def test_the_config_file_is_used(daemon_factory, tmp_path):
    home = tmp_path / "sp-home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("port = 0\nmax_body_bytes = 2048\n")
    daemon = daemon_factory(home=home)
    status, body = daemon.request("POST", "/v1/analyze", {"text": "x" * 4000}, token=daemon.token())
    assert status == 413 and body["error"]["code"] == "payload_too_large"


def test_file_fallback_when_no_keyring_works(daemon_factory):
    daemon = daemon_factory("--port", "0", keyring_backend=FAIL_KEYRING)
    token = daemon.token()
    token_file = daemon.home / "config" / "token"
    assert token_file.read_text().strip() == token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert daemon.request("POST", "/v1/analyze", POLICY, token=token)[0] == 200
    report = json.loads(run_cli(daemon.home, "status", "--json", keyring_backend=FAIL_KEYRING).stdout)
    assert report["token_store"] == f"file:{token_file}"


def test_serve_refuses_to_start_without_a_readable_token(tmp_path):
    """serve once said "listening" when the token could not be read or stored, then answered every authenticated
    request with 500; it now refuses to start, naming the token file and the cause."""
    home = tmp_path / "home"
    (home / "config" / "token").mkdir(parents=True)  # where the token file should be: unreadable as one
    result = run_cli(home, "serve", "--port", "0", keyring_backend=FAIL_KEYRING, timeout=30)
    assert_one_line_error(result, f"cannot read the API token file {home / 'config' / 'token'}: Is a directory")
    assert "listening" not in result.stdout + result.stderr
    assert not (home / "run" / "daemon.json").exists()


def test_serve_refuses_to_start_when_the_token_cannot_be_stored(tmp_path, monkeypatch, capsys):
    """The full disk of the report, in process: storing the new token fails with ENOSPC."""
    from smallprint.cli import main
    from smallprint.daemon import server

    async def listening(*args):
        pytest.fail("serve went on to listen without a token")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("SMALLPRINT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FAIL_KEYRING)
    monkeypatch.setattr(server, "_run", listening)
    monkeypatch.setattr(os, "fsync", no_space)
    assert main(["serve", "--port", "0"]) == 1
    err = capsys.readouterr().err
    token_file = tmp_path / "home" / "config" / "token"
    assert err == (f"smallprint: cannot start without the API token: cannot write the API token file {token_file}: "
                   "No space left on device\n")


def test_status_says_the_token_cannot_be_read_instead_of_blaming_health(daemon_factory):
    daemon = daemon_factory("--port", "0", keyring_backend=FAIL_KEYRING)
    token_file = daemon.home / "config" / "token"
    token_file.write_bytes(b"\xff\xfe not a token")
    result = run_cli(daemon.home, "status", keyring_backend=FAIL_KEYRING)
    assert result.returncode == 3 and result.stderr == ""
    assert "does not answer /v1/health" not in result.stdout
    assert f"the API token cannot be read, so whether {daemon.base_url} (pid {daemon.process.pid}" in result.stdout
    assert f"the API token file {token_file} is damaged (not UTF-8 text)" in result.stdout
    report = json.loads(run_cli(daemon.home, "status", "--json", keyring_backend=FAIL_KEYRING).stdout)
    assert "is damaged" in report["token_error"] and report["pid"] == daemon.process.pid
    assert daemon.request("GET", "/v1/health")[0] == 200  # the daemon kept the token it read at start-up


def test_the_keyring_path_keeps_no_token_file(daemon):
    token = daemon.token()
    assert daemon.request("GET", "/v1/taxonomy", token=token)[0] == 200
    assert not (daemon.home / "config" / "token").exists()
    assert (daemon.home / "xdg-data" / "python_keyring" / "keyring_pass.cfg").is_file()


@pytest.mark.parametrize("keyring_backend", [PLAINTEXT_KEYRING, FAIL_KEYRING], ids=["keyring", "file"])
def test_a_rotated_token_replaces_the_old_one_in_the_running_daemon(daemon_factory, keyring_backend):
    daemon = daemon_factory("--port", "0", keyring_backend=keyring_backend)
    old = daemon.token()
    assert daemon.request("GET", "/v1/taxonomy", token=old)[0] == 200
    rotated = run_cli(daemon.home, "token", "--rotate", keyring_backend=keyring_backend)
    new = rotated.stdout.strip()
    assert rotated.returncode == 0 and new != old
    assert daemon.request("GET", "/v1/taxonomy", token=new)[0] == 200
    deadline = time.monotonic() + 20  # the daemon re-reads the store every few seconds
    while daemon.request("GET", "/v1/taxonomy", token=old)[0] != 401:
        assert time.monotonic() < deadline, "the old token still works"
        time.sleep(0.5)


def test_the_access_log_names_routes_not_visited_sites(daemon):
    token = daemon.token()
    daemon.request("GET", "/v1/sites/private-visit.example/versions", token=token)
    daemon.request("GET", "/v1/no-such-route?q=private-query", token=token)
    log_file = daemon.home / "logs" / "daemon.log"
    deadline = time.monotonic() + 20  # the access line is written just after the answer is sent
    while "GET (no route) 404" not in log_file.read_text():
        assert time.monotonic() < deadline, log_file.read_text()
        time.sleep(0.1)
    log = log_file.read_text()
    assert "GET /v1/sites/{site}/versions" in log
    assert "private-visit.example" not in log and "private-query" not in log


def test_sigterm_lets_the_analysis_in_flight_finish(daemon):
    token = daemon.token()
    text = "\n\n".join(f"Section {i}. We may share your email address and location with advertising partner {i}, "
                       f"and we keep it for {i} months after you delete your account." for i in range(600))
    answer: dict = {}

    # Quick depth: the grace for requests in flight is 5 s, and a full reading of this text on a loaded 2-core
    # machine can take longer, when 503 shutting_down is the right answer and this test would fail on timing.
    def analyse() -> None:
        answer["status"], answer["body"] = daemon.request("POST", "/v1/analyze", {"text": text, "depth": "quick"},
                                                          token=token)

    before = _cpu_ticks(_descendants(daemon.process.pid))
    worker = threading.Thread(target=analyse)
    worker.start()
    # Signal once an analysis worker is busy with it: the request is then in flight (or, on a fast machine, already
    # answered: still a valid run). A fixed pause was not enough on a loaded machine, where the signal could arrive
    # before the daemon had accepted the connection at all.
    deadline = time.monotonic() + 30
    while worker.is_alive() and time.monotonic() < deadline \
            and _cpu_ticks(_descendants(daemon.process.pid)) - before < 5:
        time.sleep(0.02)
    daemon.process.send_signal(signal.SIGTERM)
    worker.join(timeout=60)
    assert answer["status"] == 200 and answer["body"]["content_hash"]
    assert daemon.process.wait(timeout=30) == 0


def _stat(pid: int | str) -> list[bytes]:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...); [] for a process that is gone."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (the forkserver, the analysis workers, the resource tracker)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(entry.name) if entry.name.isdigit() else []
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _cpu_ticks(pids: set[int]) -> int:
    """User and system CPU time of these processes, in clock ticks (gone processes count 0)."""
    return sum(int(f[11]) + int(f[12]) for f in map(_stat, pids) if len(f) > 12)


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return bool(fields) and fields[0] != b"Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_a_daemon_killed_with_sigkill_leaves_no_worker_behind(daemon):
    status, _ = daemon.request("POST", "/v1/analyze", {"text": "We collect your name."}, token=daemon.token())
    assert status == 200  # the workers exist and hold the engine
    helpers = _descendants(daemon.process.pid)
    assert helpers, "no worker processes under the daemon"
    daemon.process.kill()
    daemon.process.wait(timeout=30)
    deadline = time.monotonic() + 30  # workers look for their daemon every couple of seconds
    while any(_running(pid) for pid in helpers):
        assert time.monotonic() < deadline, f"left behind: {[pid for pid in helpers if _running(pid)]}"
        time.sleep(0.2)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_killing_every_analysis_worker_does_not_turn_later_analyses_into_errors(daemon):
    """Workers killed from outside (the OOM killer, a crash in a native library) once left a broken pool: every later
    analysis got 500 until someone restarted the daemon. The next analyses now get 200."""
    token = daemon.token()
    status, answer = daemon.request("POST", "/v1/analyze", {"text": "We may sell your personal information.",
                                                             "depth": "quick"}, token=token)
    assert status == 200, answer
    # the workers are forked by the daemon's forkserver (they share its command line): its children
    below = {pid: _stat(pid)[1:2] for pid in _descendants(daemon.process.pid)}  # pid: [its parent's pid]
    forkservers = {str(pid).encode() for pid, parent in below.items() if parent == [str(daemon.process.pid).encode()]
                   and b"forkserver" in (Path("/proc") / str(pid) / "cmdline").read_bytes()}
    workers = {pid for pid, parent in below.items() if parent and parent[0] in forkservers}
    assert workers, "no analysis worker found under the daemon"
    for worker in workers:
        try:
            os.kill(worker, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.5)
    for text in ("We collect your email address.", "We share your location with advertisers."):
        status, answer = daemon.request("POST", "/v1/analyze", {"text": text, "depth": "quick"}, token=token)
        assert status == 200, answer


def test_serve_waits_for_a_daemon_that_is_still_stopping(daemon_factory, tmp_path, monkeypatch):
    """The bridge starts a daemon as soon as one stops mid-request (503 shutting_down); the old one may still hold
    the instance lock while it finishes, with its runtime file already gone. `serve` failed at once then ("another
    smallprint daemon is starting or stopping"), so the bridge's retry failed; it now waits for the lock."""
    from smallprint.daemon.server import InstanceLock, lock_file

    home = tmp_path / "sp-home"
    monkeypatch.setenv("SMALLPRINT_HOME", str(home))
    stopping = InstanceLock(lock_file())
    assert stopping.acquire()
    releaser = threading.Timer(1.5, stopping.release)
    releaser.start()
    try:
        daemon = daemon_factory("--port", "0", home=home)
        assert daemon.request("GET", "/v1/health")[0] == 200
    finally:
        releaser.cancel()
        stopping.release()


def test_a_port_held_by_a_smallprint_daemon_that_cannot_be_found_is_not_called_another_program(daemon_factory,
                                                                                                tmp_path):
    """A browser's bridge that looks for the daemon's runtime file elsewhere (another TMPDIR or XDG_RUNTIME_DIR than
    the daemon it or a terminal started) starts a second one, which found the port taken. The popup then said
    "already in use by another program", and the reader went looking for one: it was smallprint's own daemon."""
    running = daemon_factory("--port", "0")
    port = str(running.info["port"])
    # the same user's token (the same keyring), its runtime file looked for in another folder
    elsewhere = tmp_path / "other-runtime-folder"
    mine = run_cli(elsewhere, "serve", "--port", port, timeout=60, XDG_DATA_HOME=str(running.home / "xdg-data"),
                   XDG_CONFIG_HOME=str(running.home / "xdg-config"))
    assert mine.returncode == PORT_IN_USE_STATUS, mine.stderr
    assert f"port {port} on 127.0.0.1 is already used by a smallprint daemon of yours" in mine.stderr
    assert str(elsewhere / "run" / "daemon.json") in mine.stderr and "another program" not in mine.stderr
    theirs = run_cli(tmp_path / "another-home", "serve", "--port", port, timeout=60)  # another token
    assert theirs.returncode == PORT_IN_USE_STATUS, theirs.stderr
    assert f"port {port} on 127.0.0.1 is already used by another smallprint daemon" in theirs.stderr
    assert "of yours" not in theirs.stderr and "another program" not in theirs.stderr
