"""The `smallprint` command. Each sub-command lives in its own module with a `register(subparsers)`.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
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


class _Parser(argparse.ArgumentParser):
    """argparse's parser, but a usage error (an argument missing, unknown or of a wrong value) is one line on stderr
    like every other error, naming the help that explains it, with argparse's exit status 2: argparse printed its
    usage block first, several lines in which the error was the last. The sub-commands' parsers are of this class
    too (add_subparsers makes them of the parent's)."""

    def error(self, message: str):
        self.exit(2, f"smallprint: error: {message} (see `{self.prog} --help`)\n")

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but an argument no parser knows is said by the sub-command's parser, whose help lists
        what it takes (`smallprint analyze x --bogus`: see `smallprint analyze --help`, not `smallprint --help`)."""
        words = list(sys.argv[1:] if args is None else args)
        parsed, unknown = self.parse_known_args(words, namespace)
        if unknown:
            stray_at = words.index(unknown[0]) if unknown[0] in words else len(words)
            _chosen_parser(self, parsed, words, stray_at).error(
                f"unrecognized arguments: {' '.join(unknown)}")
        return parsed


def _chosen_parser(parser: argparse.ArgumentParser, args: argparse.Namespace, words: list[str],
                   stray_at: int, after: int = 0) -> argparse.ArgumentParser:
    """The innermost sub-command parser that `args` went through (`smallprint corpus report`'s) before the word at
    `stray_at` in `words`, else `parser`: `smallprint --bogus analyze x` is the top parser's error, not analyze's."""
    for action in parser._actions:  # argparse keeps its sub-commands as an action with a `choices` of parsers
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(args, action.dest, None) or ""
            chosen = action.choices.get(name)
            if chosen is not None and name in words[after:stray_at]:
                return _chosen_parser(chosen, args, words, stray_at, words.index(name, after) + 1)
    return parser


def time_limit_seconds(text: str) -> float:
    """argparse type of a command's --time-limit: seconds in the range of analysis_timeout_seconds (NaN refused, as
    it compares false); a usage error otherwise."""
    from smallprint.config import MAX_TIME_LIMIT_SECONDS, TIME_LIMIT_RULE

    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= MAX_TIME_LIMIT_SECONDS:
        raise argparse.ArgumentTypeError(f"must be {TIME_LIMIT_RULE}, not {text!r}")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    from smallprint import __version__

    parser = _Parser(prog="smallprint", description="What privacy policies really say, read locally.")
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


@contextlib.contextmanager
def writing_stdout():
    """Around a write to standard output: a failure other than its reader leaving (a full disk, `> /dev/full`) is a
    CliError that says it was the output that failed, not a bare "[Errno 28] No space left on device" that names
    nothing. A reader leaving (BrokenPipeError) is handled in main: it has all it wanted."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise CliError(f"cannot write to standard output: {exc.strerror or exc}") from None


def flush_stdout() -> None:
    """Flush standard output (see writing_stdout); there is none to flush where Python has none (sys.stdout None:
    `serve` started with descriptor 1 closed, or by pythonw.exe, as autostart's Windows task runs the daemon)."""
    if sys.stdout is None:
        return
    with writing_stdout():
        sys.stdout.flush()


class _GuardedStdout:
    """Standard output for the length of a command: a write or flush that fails for any reason but its reader
    leaving is the CliError that names standard output (writing_stdout), whichever command printed. Each command
    guarding its own prints left `status`, `token` and `eval` saying a bare "[Errno 28] No space left on device"
    when the others said "cannot write to standard output: ...". Everything else is the stream's own."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        with writing_stdout():
            return self._stream.write(text)

    def flush(self) -> None:
        with writing_stdout():
            self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


NO_STDOUT = "cannot write to standard output: it is closed"


class _NoStdout:
    """Standard output where the process has none: started with descriptor 1 closed (`>&-`) or by pythonw.exe.
    Python leaves sys.stdout None and print() writes nothing there, so `smallprint token >&-` exited 0 with the
    token printed nowhere, and `analyze`, `diff`, `history` and `forget` failed on None ("unexpected error:
    AttributeError ... isatty"). Writing anything is the one line a full disk gives ("cannot write to standard
    output: ..."), exit status 1, as `cat` and `ls` fail with a closed stdout; a command that writes nothing
    there succeeds. `serve` keeps None (SERVES_WITHOUT_STDOUT): autostart's Windows task starts the daemon with
    pythonw.exe, and its one line on stdout says only where it listens."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        if text:
            raise CliError(NO_STDOUT)
        return 0

    def flush(self) -> None:
        pass  # nothing was written: a command that printed nothing has not failed

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import io
        raise io.UnsupportedOperation("standard output is closed")


# The attribute a command's parser sets (set_defaults) when it runs as well with no standard output at all.
SERVES_WITHOUT_STDOUT = "serves_without_stdout"


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
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout) if stdout is not None else _NoStdout()
    try:
        return _run(argv)
    finally:
        sys.stdout = stdout


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The arguments. `--help` and `--version` print and exit here (SystemExit, as argparse's own), and their output
    failing is said as any command's is ("cannot write to standard output: ...", status 1), not a traceback, nor
    nothing with status 0 where a short help stayed in the buffer; a reader that left early (`smallprint --help |
    head -1`) has what it wanted."""
    try:
        try:
            return parser.parse_args(argv)
        except SystemExit as done:
            if not done.code:
                flush_stdout()
            raise
    except CliError as exc:
        print(f"smallprint: {exc}", file=sys.stderr)
        raise SystemExit(exc.code) from None
    except BrokenPipeError:
        if not _stdout_closed():
            raise
        _discard_stdout()
        raise SystemExit(0) from None


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    if isinstance(sys.stdout, _NoStdout) and getattr(args, SERVES_WITHOUT_STDOUT, False):
        sys.stdout = None  # as Python has it: print() writes nothing (main puts it back)
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
