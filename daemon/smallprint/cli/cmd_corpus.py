"""`smallprint corpus analyze SOURCE... --out DIR` and `smallprint corpus report DIR` (corpus research)."""
from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from . import CliError, time_limit_seconds


def register(subparsers) -> None:
    corpus = subparsers.add_parser(
        "corpus", help="analyse thousands of policies and their histories into Parquet tables, and report on them",
        description="Corpus research: read folders, JSON Lines files and Open Terms Archive-style git repositories "
                    "(every version in their history) into Parquet tables, on this machine or on a Dask cluster "
                    "(docs/CORPUS.md).")
    sub = corpus.add_subparsers(dest="corpus_command", metavar="COMMAND")
    corpus.set_defaults(func=lambda args: corpus.print_help(sys.stderr) or 2)

    analyze = sub.add_parser(
        "analyze", help="read every document (and every version) of the sources into DIR",
        description="Read every document of the sources into Parquet tables in DIR: documents, findings (one row "
                    "per highlight) and changes (between consecutive versions). A run that is stopped resumes "
                    "where it stopped: texts already in DIR are not read again.")
    analyze.add_argument("sources", metavar="SOURCE", nargs="+",
                         help="a folder (.md, .txt, .html/.htm, .pdf, recursively), a JSON Lines file, or a git "
                              "repository in Open Terms Archive's layout (<service>/<document type>.md)")
    analyze.add_argument("--out", metavar="DIR", required=True, help="the folder for the tables (made if missing)")
    analyze.add_argument("--depth", choices=("quick", "full"), default="quick",
                         help="quick: the rules alone (default, fast); full: the learned reader too")
    analyze.add_argument("--engine", choices=("local", "dask"), default="local",
                         help="local: worker processes on this machine (default); dask: a Dask cluster")
    analyze.add_argument("--workers", type=int, metavar="N",
                         help="worker processes (default: one per core); with --engine dask and no --address, "
                              "the local cluster's size")
    analyze.add_argument("--address", metavar="tcp://HOST:PORT",
                         help="the Dask scheduler to use (default: start a local cluster on 127.0.0.1)")
    analyze.add_argument("--batch", type=int, metavar="N",
                         help="documents per task (default 16 quick, 4 full): smaller loses less to a dead worker")
    analyze.add_argument("--time-limit", type=time_limit_seconds, metavar="SECONDS",
                         help="how long each document's reading, and then its analysis, may take (default: 10 times "
                              "analysis_timeout_seconds of config.toml, 300 s by default); one that takes longer is "
                              "a row saying so, tried again by the next run")
    analyze.add_argument("--reread", action="store_true",
                         help="read again, with this smallprint, every document that DIR holds as read by another "
                              "engine (other models, another version or layout); its parts are moved to "
                              "DIR/parts/superseded, not deleted. Without it such a DIR is refused")
    analyze.set_defaults(func=run_analyze)

    report = sub.add_parser("report", help="one HTML page (and CSV files) from the tables in DIR",
                            description="Write one self-contained HTML page from a corpus folder: per practice, "
                                        "when services added or dropped it; the services with their current grade "
                                        "and key findings; each change's text. CSV files go beside it.")
    report.add_argument("dir", metavar="DIR", help="a folder written by `smallprint corpus analyze`")
    report.add_argument("--out", metavar="FILE.html", help="where to write the page (default: DIR/report.html)")
    report.set_defaults(func=run_report)


def _need_corpus_extra():
    try:
        import pyarrow  # noqa: F401
        import tqdm  # noqa: F401
    except ImportError as exc:
        raise CliError(f"smallprint corpus needs {exc.name}: pip install 'smallprint[corpus]'") from None


def run_analyze(args) -> int:
    _need_corpus_extra()
    if args.workers is not None and args.workers < 1:
        raise CliError("--workers must be at least 1")
    if args.batch is not None and args.batch < 1:
        raise CliError("--batch must be at least 1")
    from smallprint.corpus.engines import EngineError
    from smallprint.corpus.run import analyse_corpus
    from smallprint.corpus.sources import SourceError
    from smallprint.corpus.store import StoreError

    try:
        with _saying_when_interrupted(args.out):
            summary = analyse_corpus(args.sources, args.out, depth=args.depth, engine=args.engine,
                                     workers=args.workers, address=args.address, batch=args.batch,
                                     reread=args.reread, time_limit=args.time_limit,
                                     log=lambda line: print(f"smallprint: {line}", file=sys.stderr))
    except (SourceError, StoreError, EngineError) as exc:
        raise CliError(str(exc)) from None
    except KeyboardInterrupt:
        raise CliError(f"interrupted: what was finished is kept in {args.out}; run the same command again to resume "
                       "(what is kept is not read again)", code=130) from None
    rows = summary.rows
    print(f"{summary.versions} versions ({summary.documents} distinct texts): {summary.analysed} read now, "
          f"{summary.skipped} already in {args.out}, {summary.failed} of those read now unreadable (recorded with "
          f"their error); {summary.pairs} version pairs compared now; in {summary.seconds:.1f} s.")
    print(f"Tables in {args.out}: documents.parquet ({rows['documents']} rows), findings.parquet "
          f"({rows['findings']}), changes.parquet ({rows['changes']}).")
    if summary.set_aside:
        count = len(summary.set_aside)
        print(f"{count} damaged part{'s' if count != 1 else ''} set aside in {summary.set_aside[0].moved_to.parent} "
              f"(why.txt there says why); what {'they' if count != 1 else 'it'} held was done again.")
    if summary.superseded:
        print(f"{summary.superseded} part{'s' if summary.superseded != 1 else ''} read by another engine moved to "
              f"{Path(args.out) / 'parts' / 'superseded'} (why.txt there says by which); what "
              f"{'they' if summary.superseded != 1 else 'it'} held was read again.")
    if summary.restarts:
        print(f"smallprint: a worker process died {summary.restarts} time{'s' if summary.restarts != 1 else ''}; "
              "the documents it held were sent again to new workers.", file=sys.stderr)
    if summary.given_up:
        print(f"smallprint: {summary.given_up} documents or pairs were not finished (their workers kept dying); "
              "run the same command again to resume.", file=sys.stderr)
        return 3
    return 0


@contextlib.contextmanager
def _saying_when_interrupted(out: str) -> Iterator[None]:
    """Ctrl-C says at once that the run is stopping and what becomes of its work (the stop itself takes a moment:
    the worker processes are stopped, the folder's lock let go), then stops the run as Python would."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:  # ignored (a background job) or taken
        yield
        return

    def stopping(signum, frame) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C: no second message
        print(f"\nsmallprint: stopping: the documents being read now are left for the next run; the parts already "
              f"written to {out} are kept", file=sys.stderr, flush=True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stopping)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


# What `corpus report` writes (report.py): its page and the CSV files beside it.
_REPORT_SUFFIXES = (".html", ".csv")


def run_report(args) -> int:
    _need_corpus_extra()
    from smallprint.corpus.report import report_files, write_report
    from smallprint.corpus.sources import SourceError
    from smallprint.corpus.store import StoreError

    from .output_guard import refuse_a_read_only_file, refuse_overwriting_inputs
    # the report reads the folder's tables and manifest: --out must not name one of them (README: exit 2)
    # and its CSV files go beside --out, so a device or FIFO is no place for it (streams=False). A page or CSV file in
    # the folder, at its top or in a folder of the user's (DIR/reports/), is an earlier report, which is read by
    # nobody (the tables, corpus.json and parts are Parquet and JSON): writing it again is what the user asked for.
    refuse_overwriting_inputs(args.out, [str(p) for p in Path(args.dir).rglob("*") if p.is_file()
                                         and p.suffix.lower() not in _REPORT_SUFFIXES]
                              if args.out and Path(args.dir).is_dir() else [], streams=False)
    # the page (DIR/report.html without --out) and its CSV files, each replaced by a rename that no permission of the
    # file itself stops: one made read-only is refused, as --out of any command refuses one
    for path in report_files(Path(args.out) if args.out else Path(args.dir) / "report.html"):
        refuse_a_read_only_file(path)
    try:
        written = write_report(args.dir, Path(args.out) if args.out else None)
    except (SourceError, StoreError) as exc:
        raise CliError(str(exc)) from None
    for path in written:
        print(path)
    return 0
