"""The `smallprint` command. Each sub-command lives in its own module with a `register(subparsers)`.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Module names under smallprint.cli, in the order they appear in --help.
COMMAND_MODULES = (
    "cmd_analyze",   # analyze PATH|- [--format text|json|html]
    "cmd_eval",      # eval [--opp115 ...] (engine accuracy)
    "cmd_serve",     # serve, status, token (daemon)
    "cmd_host",      # install-host (native-messaging bridge)
    "cmd_autostart",  # autostart enable|disable (daemon at login)
    "cmd_history",   # diff, history, forget (policy memory)
    "cmd_corpus",    # corpus analyze, corpus report (corpus research)
)


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status `code`."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    from smallprint import __version__

    parser = argparse.ArgumentParser(prog="smallprint", description="What privacy policies really say, read locally.")
    parser.add_argument("-V", "--version", action="version", version=f"smallprint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"smallprint.cli.{name}")
        except ModuleNotFoundError as exc:  # a command whose module is not written yet
            if exc.name != f"smallprint.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def flush_stdout() -> None:
    """Flush standard output; a failure other than its reader leaving (a full disk, `> /dev/full`) is a CliError that
    says it was the output that failed, not a bare "[Errno 28] No space left on device" that names nothing."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # handled in main: the reader has all it wanted
    except OSError as exc:
        raise stdout_failed(exc) from None


def stdout_failed(exc: OSError) -> CliError:
    return CliError(f"cannot write to standard output: {exc.strerror or exc}")


def _stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone (POLLERR on its write end), as opposed to a pipe
    to a daemon, a worker or a subprocess breaking. Where poll() is missing (Windows), a broken pipe is taken
    for standard output, as before."""
    import select
    if not hasattr(select, "poll"):
        return True
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no file descriptor (captured output), or already closed
        return False


def _discard_stdout() -> None:
    """Point standard output at the null device, so that what is left in its buffer does not fail again, with
    a message on stderr, when Python flushes it at exit."""
    import os
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor (captured output): nothing is flushed at exit
        pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    code = None
    try:
        code = int(args.func(args) or 0)
        # What is still in Python's buffer goes out now, where a reader that has left is handled below; at exit it
        # would fail as "Exception ignored ... BrokenPipeError" and exit status 120.
        flush_stdout()
        return code
    except CliError as exc:
        print(f"smallprint: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("smallprint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError as exc:
        if _stdout_closed():
            _discard_stdout()
            # `smallprint analyze x | head`: the reader has all it wanted, and the command's own answer stands
            # (`status`: 3 when the daemon is not running, decided before it printed).
            return code if code is not None else getattr(args, "exit_status", 0)
        print(f"smallprint: {exc}", file=sys.stderr)  # another pipe broke: the command did not finish
        return 1
    except (OSError, ValueError, UnicodeError) as exc:
        print(f"smallprint: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: still one line, never a traceback
        print(f"smallprint: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
