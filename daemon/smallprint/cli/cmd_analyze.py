"""`smallprint analyze PATH|- [--format text|json|html] [--depth full|quick] [--all] [--as-policy] [--url URL]
[--title T] [--out FILE]`."""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import CliError, flush_stdout, writing_stdout
from .inputs import printable_name, read_document
from .output_guard import is_stdout, is_stream, refuse_a_read_only_file, refuse_overwriting_inputs
from .terminal import json_text

FORMATS = ("text", "json", "html")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "analyze", help="analyse a policy file (or stdin) and show its highlights",
        description="Analyse a privacy policy on this computer. PDFs (by their %PDF- header or a .pdf name) are "
                    "read for their text; .html/.htm files, and stdin that looks like HTML, are read as HTML; "
                    "everything else as plain text or Markdown.")
    parser.add_argument("path", metavar="PATH|-", help="the file to analyse (text, Markdown, HTML or PDF), "
                                                        "or - for stdin")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text: a readable terminal view (default); json: the full analysis; "
                             "html: a self-contained report page")
    parser.add_argument("--depth", choices=("full", "quick"), default="full",
                        help="full: the learned reader reads every sentence (default); quick: the rules alone")
    parser.add_argument("--all", action="store_true", dest="show_all",
                        help="text view: every highlight, by practice, after the key findings (default: key findings)")
    parser.add_argument("--as-policy", action="store_true",
                        help="grade the document even if it does not look like a policy")
    parser.add_argument("--url", help="where the policy was published (an extra signal, shown in the report)")
    parser.add_argument("--title", help="the page title (an extra signal, shown in the report; an HTML page's own "
                                        "<title> by default)")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout (- is stdout)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colours in the text view: auto = when stdout is a terminal and NO_COLOR is unset")
    parser.set_defaults(func=run)


def _reading_alone(depth: str):
    """One document, read while the reader waits: at full depth the learned reader may use the machine's cores
    (the readings are the same on any number of threads). The quick depth imports nothing of the reader's."""
    if depth != "full":
        return contextlib.nullcontext()
    from smallprint.engine.reader import reading_threads
    from smallprint.machine import reading_threads as threads_alone
    return reading_threads(threads_alone())


def run(args) -> int:
    refuse_overwriting_inputs(args.out, [args.path])
    document = read_document(args.path)
    if document.note:
        print(f"smallprint: note: {document.note}", file=sys.stderr)

    from smallprint import analyze  # imported late: `smallprint --help` should not load the engine
    from smallprint.time_budget import OverBudget, analysis_time_limit, time_budget

    source = {"html": document.content} if document.is_html else {"text": document.content}
    title = args.title
    if title is None and document.is_html:
        # The page's own title, as the extension sends `document.title`: it heads the views and names the document
        # to the page-kind detector, so that a saved page reads as it does in the browser.
        from smallprint.engine.blocks import page_title
        title = page_title(document.content)
    try:
        with time_budget(analysis_time_limit()), _reading_alone(args.depth):
            analysis = analyze(**source, url=args.url, title=title, depth=args.depth, as_policy=args.as_policy)
    except (ValueError, OverBudget) as exc:
        raise CliError(f"cannot analyse {document.name}: {exc}") from None

    if args.format == "json":
        output = json_text(analysis.to_dict())
    elif args.format == "html":
        from smallprint.report import render_analysis_html
        output = render_analysis_html(analysis)
    else:
        from .text_view import render_text
        to_terminal = args.out in (None, "-") and sys.stdout.isatty()
        colour = args.color == "always" or (args.color == "auto" and to_terminal and not os.environ.get("NO_COLOR"))
        width = shutil.get_terminal_size((100, 24)).columns if to_terminal else 100
        output = render_text(analysis, colour=colour, width=width,
                             source=None if args.path == "-" else printable_name(Path(args.path).name),
                             show_all=args.show_all)

    if args.out and args.out != "-":
        write_atomically(Path(args.out), output)
    else:
        _print(output)
    return 0


def write_atomically(target: Path, content: str) -> None:
    """Write via a temporary file in the same folder, so a failure never leaves a half-written report. A device or
    FIFO (`--out /dev/stdout`, a named pipe) is written into instead, as the shell's `>` would: renaming a file over
    it would replace it (/dev/stdout turned into a regular file, for a user allowed to write /dev). A link to a
    report is written through and stays a link. A read-only report is refused, not replaced."""
    # errors="replace": a lone surrogate (a --title that was not UTF-8 on the command line) becomes "?", as on
    # stdout (_print), instead of failing the whole report.
    if is_stdout(target):
        # written to the descriptor itself, as `--out -` writes: opened anew, a file the shell appends to (`>> log`)
        # would be cut to nothing first, and a pipe's reader leaving is handled as stdout's (cli.main)
        _print(content, encoding="utf-8")  # in UTF-8, as every --out is written
        return
    if is_stream(target):
        try:
            with open(target, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
                handle.write(content)
        except OSError as exc:
            raise _cannot_write(target, exc.strerror or str(exc)) from None
        return
    refuse_a_read_only_file(target)  # again: `history` checks nothing before, and a long analysis gives time
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise _cannot_write(target, f"the folder {printable_name(str(folder))} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _cannot_write(target, exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
            handle.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report should follow the user's usual mode
        os.replace(tmp, target)
    except BaseException as exc:  # whatever the failure (Ctrl+C too), no temporary file is left beside the target
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc.strerror or str(exc)) from None
        raise


def _cannot_write(target: Path, why: str) -> CliError:
    """The one line saying why `target` was not written, its name as the other messages show it (printable_name)."""
    return CliError(f"cannot write {printable_name(str(target))}: {why}")


def _print(output: str, encoding: str | None = None) -> None:
    # A terminal whose encoding cannot show every character gets replacements rather than a crash.
    encoding = encoding or sys.stdout.encoding or "utf-8"
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(output)
        return
    flush_stdout()
    with writing_stdout():
        buffer.write(output.encode(encoding, errors="replace"))
    flush_stdout()
