"""`smallprint serve`, `smallprint stop`, `smallprint status`, `smallprint token`: run, stop, inspect and authenticate
to the daemon.

Imports of aiohttp and keyring happen inside the commands, so other commands do not pay for them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import SERVES_WITHOUT_STDOUT, CliError

# `status` exit codes, as in LSB init scripts: 0 running, 3 not running.
STATUS_NOT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="run the local daemon (API on loopback) in the foreground",
                                  description="Run the smallprint daemon in the foreground until Ctrl+C or SIGTERM.")
    serve.add_argument("--port", type=int, help="TCP port (0 picks a free one); default from the config, 8716")
    serve.add_argument("--host", help="address to listen on; default 127.0.0.1")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a non-loopback --host (other machines could then reach the API)")
    serve.add_argument("--log-file-only", action="store_true",
                       help="log to the rotated log file only, not also to stderr (for a daemon started in the "
                            "background, whose stderr would otherwise grow without rotation); start-up errors "
                            "still go to stderr")
    serve.add_argument("--idle-exit", type=_minutes, metavar="MINUTES",
                       help="exit, as `smallprint stop` would, after MINUTES (decimals allowed) with no request and "
                            "no browser's bridge running; the bridge starts its daemons with --idle-exit 30 and "
                            "starts one again when it needs it. Without it (the default) the daemon runs until "
                            "stopped")
    # with no stdout (pythonw.exe, autostart's Windows task) it serves all the same
    serve.set_defaults(func=run_serve, **{SERVES_WITHOUT_STDOUT: True})

    stop = subparsers.add_parser("stop", help="stop the running daemon (as Ctrl+C would)",
                                 description="Ask the running daemon to exit, as Ctrl+C would, and wait until it "
                                             "has. Requests in flight get 5 seconds to finish; those still running "
                                             "then are answered with the API's error 503 shutting_down. Exit status "
                                             "0 also when none was running.")
    stop.set_defaults(func=run_stop)

    status = subparsers.add_parser("status", help="is the daemon running, where are its files, which token store",
                                   description="Exit status: 0 when the daemon runs, 3 when it does not.")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=run_status)

    token = subparsers.add_parser("token", help="print the API token (created on first use)")
    token.add_argument("--rotate", action="store_true",
                       help="replace the token with a new one (the running daemon switches within seconds)")
    token.set_defaults(func=run_token)


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a positive number of minutes: {text!r}")
    return value


def _load_config():
    from ..config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def run_serve(args: argparse.Namespace) -> int:
    from ..config import ConfigError
    from ..daemon.server import PORT_IN_USE_STATUS, PortInUse, ServeError, serve

    config = _load_config()
    overrides = {key: value for key, value in (("host", args.host), ("port", args.port)) if value is not None}
    try:
        config = config.replace(**overrides)
    except ConfigError as exc:
        raise CliError(str(exc), code=2) from None

    def announce(info) -> None:
        print(f"smallprint daemon listening on {info.base_url} (pid {info.pid}); Ctrl+C to stop", flush=True)

    try:
        restart = serve(config, allow_remote=args.allow_remote, ready=None if args.log_file_only else announce,
                        console=None if args.log_file_only else sys.stderr, idle_exit_minutes=args.idle_exit)
    except ServeError as exc:
        raise CliError(str(exc), code=PORT_IN_USE_STATUS if isinstance(exc, PortInUse) else 1) from None
    if restart:
        _run_again(log_file_only=args.log_file_only)
    return 0


def _run_again(log_file_only: bool) -> None:
    """Run this process's own command line again in its place (daemon/code_watch.py: the installed code changed).
    The same process, so a terminal, a service manager or the bridge that started it still has it; only on Windows,
    whose exec starts another process, does the pid change."""
    import logging

    if not args_from_command_line():
        raise CliError("the installed smallprint changed; run `smallprint serve` again to use it")
    if log_file_only:
        # The running daemon sent its stderr to the log (connections.redirect_stderr_to_log), leaving descriptor 2 on
        # the null device: the new code's start-up errors (an upgrade that cannot import, a config it refuses) would
        # be written nowhere. They go where a bridge-started daemon's start-up errors go.
        from .. import paths

        try:
            start_log = os.open(paths.ensure(paths.log_dir()) / "daemon-start.log",
                                os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            if start_log != 2:  # with descriptor 2 closed (started with `2>&-`), the log was given it already
                os.dup2(start_log, 2)
                os.close(start_log)
        except OSError:
            pass  # a full or read-only log folder: the restart matters more than its errors' record
    else:
        print("smallprint's installed code changed: starting again on it", file=sys.stderr, flush=True)
    _let_helper_processes_go()
    logging.shutdown()  # the log's last lines written before the process is replaced
    if sys.stdout is not None:  # None under pythonw.exe (autostart's Windows task)
        sys.stdout.flush()
    os.execv(sys.executable, exec_arguments([sys.executable, *sys.orig_argv[1:]]))


def _let_helper_processes_go() -> None:
    """End the worker pool's helper processes (multiprocessing's forkserver and resource tracker) as an exit would.
    They stop once this process's end of their pipe closes, which exec does; but the process goes on under the new
    code, never waits for them, and each restart left both behind as zombies, and the pool's socket folder in the
    temporary directory. Best effort, through the hooks CPython's own tests stop them with: on any other Python
    they are left as before."""
    if "multiprocessing" not in sys.modules:
        return
    import threading
    from multiprocessing import forkserver, resource_tracker, util

    def stop_them() -> None:
        for stop in (getattr(getattr(forkserver, "_forkserver", None), "_stop", None),
                     getattr(util, "_exit_function", None),  # the pool's temporary folder, as at exit
                     getattr(getattr(resource_tracker, "_resource_tracker", None), "_stop", None)):
            try:
                if stop is not None:
                    stop()
            except Exception:  # noqa: BLE001 (a helper already gone, a changed private hook): the restart goes on
                pass

    # Each waits for its helper, and the tracker for every worker that still holds its pipe: a worker stuck in the
    # kernel would hold the restart, the instance lock held and nothing listening. They are not waited for longer.
    stopping = threading.Thread(target=stop_them, name="smallprint-helpers-stop", daemon=True)
    stopping.start()
    stopping.join(HELPERS_STOP_SECONDS)
    if stopping.is_alive():
        import logging

        logging.getLogger("smallprint.daemon").warning(
            "the worker pool's helper processes did not stop within %g s; starting again without them",
            HELPERS_STOP_SECONDS)


# How long a restart waits for the worker pool's helper processes to stop (_let_helper_processes_go).
HELPERS_STOP_SECONDS = 5.0


def exec_arguments(argv: list[str], windows: bool | None = None) -> list[str]:
    """`argv` as os.execv must be given it. Windows' exec joins its arguments with spaces, unquoted: a path with a
    space (C:\\Users\\Jane Doe\\...\\python.exe, the script beside it) would reach the new process as two
    arguments, and it would fail to start. Each is quoted there as a command line quotes it."""
    if not (os.name == "nt" if windows is None else windows):
        return argv
    import subprocess

    return [subprocess.list2cmdline([arg]) for arg in argv]


def args_from_command_line() -> bool:
    """Whether this process was started as a command (`smallprint serve`, `python -m smallprint serve`) that can be
    run again as it was, rather than called from other Python code."""
    return len(getattr(sys, "orig_argv", ())) > 1 and "serve" in sys.argv[1:]


def run_stop(args: argparse.Namespace) -> int:
    from ..daemon.stopping import StopError, stop_daemon

    try:
        stopped = stop_daemon()
    except StopError as exc:
        raise CliError(str(exc)) from None
    if stopped is None:
        print("smallprint daemon: not running; nothing to stop")
    else:
        print(f"smallprint daemon at {stopped.url} (pid {stopped.pid}) stopped")
    return 0


def _token_problem(create: bool) -> tuple[str | None, str | None]:
    """(the API token, None) or (None, why it cannot be read or created)."""
    from .. import auth

    try:
        return auth.get_token(create=create), None
    except auth.TokenNotFound:
        return None, None  # none yet: `serve` or `smallprint token` creates it
    except Exception as exc:
        return None, str(exc)


def _check(info, token: str | None):
    """What answers at the runtime file's address, and whether it proved it holds this user's token: a file left
    by a killed daemon may name a port that someone else now listens on."""
    from ..daemon.proof import HealthAnswer, ask_for_proof

    if token is None:  # a broken token store: the answer cannot be checked, so it is not trusted
        return HealthAnswer(None, False)
    return ask_for_proof(info.base_url, info.port, token)


def _config_problem() -> str | None:
    """Why `serve` would refuse the config file, or None: status is where a reader looks when it will not start."""
    from ..config import ConfigError, load_config

    try:
        load_config()
    except ConfigError as exc:
        return str(exc)
    return None


def status_report() -> dict:
    from .. import auth, paths
    from ..daemon.discovery import read_runtime_info
    from ..daemon.server import instance_lock_held

    info = read_runtime_info()
    # Created if missing while a daemon runs, as the bridge does: one that has just started may not have stored it yet.
    token, token_error = _token_problem(create=info is not None)
    answer = _check(info, token) if info and not token_error else None
    health = answer.health if answer else None
    proved = bool(answer and answer.proved)
    config_file = paths.config_file()
    return {
        "running": bool(info and proved),
        "pid": info.pid if info else None,
        "url": info.base_url if info else None,
        "port": info.port if info else None,
        "version": (health or {}).get("version") if proved else None,
        "started": info.started if info else None,
        # --idle-exit: the minutes with no page read and no browser after which it stops (the browser's bridge starts
        # it with 30); None: it runs until stopped
        "idle_exit_minutes": info.idle_exit_minutes if info and proved else None,
        "answering": health is not None,
        # Something answers, but cannot prove it holds this user's token: not our daemon, never sent anything.
        "impostor": health is not None and not proved,
        # The file names a live pid, but no daemon holds the instance lock: left by a daemon that did not stop
        # cleanly. Its pid and port are no longer a daemon's: another program may have them now, or nothing. (A killed
        # daemon its parent has not reaped yet, a zombie, is not a live pid: its file reads as no daemon at all.)
        "stale_runtime_file": bool(info and not proved and not instance_lock_held()),
        "config_file": str(config_file),
        "config_file_exists": config_file.is_file(),
        "config_error": _config_problem(),
        "data_dir": str(paths.data_dir()),
        "log_dir": str(paths.log_dir()),
        "runtime_file": str(paths.runtime_file()),
        "token_store": auth.token_store_name(),
        "token_error": token_error,
        "helpers": _registered_helpers(),
        "unusable_browsers": _unusable_browsers(),
        "browser_notes": _browser_notes(),
    }


def _registered_helpers() -> list[dict]:
    """The browsers this user registered the bridge with (install-host's per-user manifests), and whether the
    launcher each names is still there: after smallprint moved, the popup's "could not start" has this as its cause."""
    import os

    from smallprint_bridge import install

    found = []
    for place in install.placements(install.BROWSERS):
        try:
            launcher = json.loads(place.manifest.read_text(encoding="utf-8")).get("path")
        except (OSError, ValueError, AttributeError):
            continue
        launcher = launcher if isinstance(launcher, str) else ""
        found.append({"browser": place.browser, "manifest": str(place.manifest), "launcher": launcher,
                      "launcher_ok": bool(launcher) and os.path.isfile(launcher) and os.access(launcher, os.X_OK)})
    return found


def _unusable_browsers() -> dict[str, str]:
    """The browsers here only as a Snap or Flatpak that cannot use the helper, with why and what to do: what
    install-host says when it refuses them (a manifest it wrote earlier in ~/.config is not read by them)."""
    from smallprint_bridge import install

    return {b: reason for b in install.BROWSERS if (reason := install.refusal(b))}


def _browser_notes() -> dict[str, list[str]]:
    """What install-host notes about a browser it registers (Firefox's snap and its portal, a Snap or Flatpak copy
    beside the ordinary browser), for the browsers registered now."""
    from smallprint_bridge import install

    registered = dict.fromkeys(helper["browser"] for helper in _registered_helpers())
    return {b: said for b in registered if (said := install.notes(b))}


def _stopping(idle_exit_minutes: float | None) -> str:
    """When a running daemon stops by itself: after --idle-exit's minutes with nothing to do (as the browser's bridge
    starts it), or never."""
    from ..daemon.idle import describe_minutes

    if not idle_exit_minutes:
        return "runs until stopped (`smallprint stop`)"
    return (f"after {describe_minutes(idle_exit_minutes)} with no page read and no browser running the bridge "
            "(--idle-exit, as the browser's bridge starts it; the bridge starts it again when it needs it)")


def run_status(args: argparse.Namespace) -> int:
    report = status_report()
    # The answer is the exit status: it stands even if the reader of what follows leaves early (cli.main).
    args.exit_status = 0 if report["running"] else STATUS_NOT_RUNNING
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        if report["running"]:
            print(f"daemon:      running at {report['url']} (pid {report['pid']}, version {report['version']}, "
                  f"since {report['started']})")
            print(f"stops:       {_stopping(report['idle_exit_minutes'])}")
        elif report["impostor"]:
            print(f"daemon:      not running; {report['url']} (left in the runtime file by pid {report['pid']}) is "
                  "answered by something that cannot prove it holds your API token: not smallprint's daemon "
                  "(nothing is sent to it)")
        elif report["stale_runtime_file"]:
            print(f"daemon:      not running (start it with `smallprint serve`); the runtime file is stale: no "
                  f"smallprint daemon holds the instance lock, so pid {report['pid']} and {report['url']}, which it "
                  "names, are no longer a smallprint daemon's; another program may use them now")
        elif report["pid"] and report["token_error"]:
            print(f"daemon:      unknown: the API token cannot be read, so whether {report['url']} (pid "
                  f"{report['pid']}, from the runtime file) is smallprint's daemon cannot be checked")
        elif report["pid"]:
            print(f"daemon:      pid {report['pid']} holds {report['url']} but does not answer /v1/health")
        else:
            print("daemon:      not running (start it with `smallprint serve`)")
        config_note = "" if report["config_file_exists"] or report["config_error"] else " (absent: defaults in use)"
        print(f"config:      {report['config_file']}{config_note}")
        if report["config_error"]:
            print(f"             not usable, `smallprint serve` will refuse it: {report['config_error']}")
        print(f"data:        {report['data_dir']}")
        print(f"logs:        {report['log_dir']}")
        print(f"runtime:     {report['runtime_file']}")
        print(f"token store: {report['token_store']}")
        if report["token_error"]:
            print(f"             not usable, `smallprint serve` will refuse to start: {report['token_error']}")
        for helper in report["helpers"]:
            print(f"helper:      {helper['browser']}: {helper['manifest']} -> {helper['launcher']}")
            if not helper["launcher_ok"]:
                print("             that launcher is gone (smallprint moved or was installed again), so the browser "
                      f"cannot start it: run `smallprint install-host --browser {helper['browser']}`")
            for note in report["browser_notes"].get(helper["browser"], []):
                print(f"             note: {note}")
        if not report["helpers"]:
            print("helper:      not registered with any browser (`smallprint install-host` does it)")
        for browser, reason in report["unusable_browsers"].items():
            print(f"helper:      {browser} cannot use it: {reason}")
    return args.exit_status


def run_token(args: argparse.Namespace) -> int:
    from .. import auth

    token = auth.rotate_token() if args.rotate else auth.get_token()
    print(token)
    if args.rotate:
        print(f"smallprint: new token stored in {auth.token_store_name()}; the running daemon switches to it "
              "within a few seconds", file=sys.stderr)
    return 0
