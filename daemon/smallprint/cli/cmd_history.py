"""`smallprint diff OLD NEW`, `smallprint history SITE`, `smallprint forget SITE | --all` (policy memory).

`diff` compares two files and never touches the store; `history` and `forget` work on the store directly
(SQLite copes with the daemon using it at the same time). `history` opens it read-only and creates no store, so it
reads a store it cannot write (a backup, another user's copy, a read-only mount); `forget` then fails, naming it.
Once the store has forgotten, `forget` asks a running daemon to forget what it holds in memory too
(daemon/forgetting.py).
"""
from __future__ import annotations

import contextlib
import re
import sys
import textwrap
from pathlib import Path

from . import CliError
from .inputs import printable_name, read_document
from .terminal import json_text, one_line, terminal_safe

FORMATS = ("text", "json", "html")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_SIGN = {"added": "+", "removed": "-", "changed": "~"}


def register(subparsers) -> None:
    diff = subparsers.add_parser(
        "diff", help="what changed between two versions of a policy (files; the store is not touched)",
        description="Compare two versions of a policy (text, Markdown, HTML or PDF files, read as `analyze` reads "
                    "them) clause by clause. Reordering, re-wrapping, formatting, numbering and links that only "
                    "point elsewhere (\"Learn more\", \"Back to top\") or give the same policy as a print or a "
                    "file (\"Print\", \"Download PDF\") are not changes; each "
                    "new, removed or reworded clause comes with the data practice it states.")
    diff.add_argument("old", metavar="OLD", help="the earlier version: a file, or - for stdin")
    diff.add_argument("new", metavar="NEW", help="the later version: a file, or - for stdin (not both)")
    diff.add_argument("--format", choices=FORMATS, default="text",
                      help="text (default), json (added/removed/changed/summary), or html (a self-contained report)")
    diff.add_argument("--since", metavar="LABEL",
                      help="how to name the old version in the summary (default: a date in its file name; "
                           "without one the summary says \"New in this version\", never a file name)")
    diff.add_argument("--depth", choices=("full", "quick"), default="full",
                      help="full: the learned reader reads both versions (default); quick: the rules alone, as "
                           "`corpus analyze` reads by default (a corpus's changes are those of `diff --depth quick`)")
    diff.add_argument("--all", action="store_true", help="text: also list clauses that state no data practice")
    diff.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    diff.set_defaults(func=run_diff)

    history = subparsers.add_parser(
        "history", help="the remembered versions of a site's policies and what each changed",
        description="List the stored versions of a site's policies (oldest first) with their data-practice changes.")
    history.add_argument("site", metavar="SITE", help="a domain (example.com), host or URL")
    history.add_argument("--format", choices=FORMATS, default="text",
                         help="text (default), json, or html (a self-contained page: each version's data-use "
                              "changes against the one before it)")
    history.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    history.set_defaults(func=run_history)

    forget = subparsers.add_parser("forget", help="delete what is remembered about a site (or everything)",
                                   description="Delete the stored versions of a site's policies, or with --all "
                                               "every stored version. A running daemon is then asked to forget "
                                               "what it holds in memory of the pages it read (its recent analyses "
                                               "and readings, all of them: they are kept by content, not by "
                                               "site).")
    target = forget.add_mutually_exclusive_group(required=True)
    target.add_argument("site", metavar="SITE", nargs="?", help="a domain (example.com), host or URL")
    target.add_argument("--all", action="store_true", help="forget every site")
    forget.set_defaults(func=run_forget)


# --- diff ------------------------------------------------------------------------------------------------

def since_label(path: str) -> str | None:
    """A date found in the old file's name ("2023-05-18_policy.md" -> "2023-05-18"), else None: the summary then says
    "New in this version:" and "No change to data practices", as for any old version of no known date, not "New since
    old.md:" or "New since stdin:", which read as a date that is none."""
    if path == "-":
        return None
    m = _DATE_IN_NAME.search(Path(path).name)
    if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31:
        return f"{m[1]}-{m[2]}-{m[3]}"
    return None


def _analyse(path: str, depth: str = "full") -> dict:
    from smallprint import analyze
    from smallprint.time_budget import OverBudget, analysis_time_limit, time_budget

    document = read_document(path)
    if document.note:  # as `analyze` says it: a version read in another encoding can differ for that alone
        print(f"smallprint: note: {document.note}", file=sys.stderr)
    source = {"html": document.content} if document.is_html else {"text": document.content}
    try:
        with time_budget(analysis_time_limit()):
            return analyze(**source, depth=depth).to_dict()
    except (ValueError, OverBudget) as exc:
        raise CliError(f"cannot analyse {document.name}: {exc}") from None


def _shown_name(path: str, name: str) -> str:
    """How a version is named to a reader: `name` (a name that is not UTF-8 with its bytes as \\xNN, not "?"), or
    "stdin" for "-" (as analyze's notes say)."""
    return "stdin" if path == "-" else printable_name(name)


def run_diff(args) -> int:
    if args.old == "-" and args.new == "-":
        # A usage error, as argparse's are (exit status 2), not a failure of the comparison (1).
        raise CliError("only one of OLD and NEW can be stdin (-): give the other as a file", code=2)
    from .output_guard import refuse_overwriting_inputs
    refuse_overwriting_inputs(args.out, [args.old, args.new])
    from smallprint.history.diff import diff_analyses

    old, new = _analyse(args.old, args.depth), _analyse(args.new, args.depth)
    diff = diff_analyses(old, new, since=args.since or since_label(args.old))
    notes = not_a_policy_notes((_shown_name(args.old, Path(args.old).name), old),
                               (_shown_name(args.new, Path(args.new).name), new))
    # The depth that answered, not the one asked for: without the reader (a missing or broken model file) both
    # versions are read at quick depth, and the analyses say why; a comparison is as deep as its shallower reading.
    from smallprint.engine.pipeline import READER_UNAVAILABLE
    depth = "quick" if "quick" in (old.get("depth"), new.get("depth")) else "full"
    notes += list(dict.fromkeys(n for a in (old, new) for n in a.get("notices") or ()
                                if n.startswith(READER_UNAVAILABLE)))
    if args.format == "json":
        output = json_text({"old": printable_name(args.old), "new": printable_name(args.new), "depth": depth,
                            **diff.to_dict(), "notes": notes})
    elif args.format == "html":
        from smallprint.history.report_html import render_diff_html
        output = render_diff_html(diff, old_name=_shown_name(args.old, Path(args.old).name),
                                  new_name=_shown_name(args.new, Path(args.new).name), notes=notes, depth=depth)
    else:
        output = terminal_safe(render_diff_text(diff, old=_shown_name(args.old, args.old),
                                                new=_shown_name(args.new, args.new), show_all=args.all, notes=notes,
                                                depth=depth))
    _emit(output, args.out)
    return 0


def not_a_policy_notes(*versions: tuple[str, dict]) -> list[str]:
    """A note for each version (name, analysis) that does not read as a policy: compared with a policy, a login page,
    an error page or a policy's table of contents "no longer promises" everything the policy promised, and the
    reader is told why before that list."""
    from smallprint.taxonomy import POLICY_KINDS

    return [f"{name} does not read as a policy: what it lacks or adds may be the page, not a change to the policy."
            for name, analysis in versions if analysis.get("kind") not in POLICY_KINDS]


def _emit(output: str, out: str | None) -> None:
    from .cmd_analyze import _print, write_atomically

    if out and out != "-":
        write_atomically(Path(out), output)
    else:
        _print(output)


def _wrap(text: str, indent: str, width: int = 100) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent) or [indent]


def render_diff_text(diff, *, old: str, new: str, show_all: bool = False, notes: list[str] = (),
                     depth: str | None = None) -> str:
    from smallprint.history.diff import (DEPTH_READ, SAME_OLD_WORDING, change_label, counts_line, in_reading_order,
                                         listed_as, old_wording_once)
    from smallprint.report import practice_label

    lines = [f"smallprint diff: {old} -> {new}"]
    if depth:  # which reading answered, as `analyze` says it
        lines.append("Read: " + DEPTH_READ[depth])
    lines.append("")
    lines += [line for note in notes for line in _wrap(f"Note: {note}", "")] + ([""] if notes else [])
    lines += [*_wrap(diff.summary, ""), ""]
    everything = in_reading_order((*diff.added, *diff.removed, *diff.changed))
    # one list, most important first, as the HTML report, the corpus report and the popup list them (reading_order),
    # each clause under its list's word (listed_as): not New, then Removed, then Reworded, a promise no longer made
    # after every new clause
    lists = [("Changes about your data", [c for c in everything if c.is_data_use])]
    other = [c for c in everything if not c.is_data_use]
    if show_all:
        lists.append(("Other changes, wording that states no data practice", other))
    for title, shown in lists:
        if not shown:
            continue
        counts = {kind: sum(c.change == kind for c in shown) for kind in ("added", "removed", "changed")}
        lines.append(f"{title} ({len(shown)}): {counts_line(counts)}")
        for c, same_as_above in old_wording_once(shown):
            label = change_label(c)
            if label:  # never "[Sale of data · protective] Promises not to sell ...", nor "[... · concern]" gone
                what = f"[{practice_label(c.practice)}] {c.summary}"
            elif c.practice:
                what = f"[{practice_label(c.practice)} · {c.polarity}] {c.summary}"
            else:
                what = "[no data practice]"
            repeats = f" (in {c.occurrences} places)" if c.occurrences > 1 else ""
            lines.append(f"  {_SIGN[c.change]} {listed_as(c)}: {what}{repeats}")
            if c.change == "changed":
                lines += _wrap(f"was: {SAME_OLD_WORDING if same_as_above else c.old_text}", "      ")
                lines += _wrap(f"now: {c.text}", "      ")
            else:
                lines += _wrap(f"\u201c{c.text}\u201d", "      ")
        lines.append("")
    if other and not show_all:
        lines.append(f"{len(other)} other clause{'s' if len(other) != 1 else ''} changed without stating a data "
                     "practice (--all lists them).")
    lines.append("Each distinct statement counted once (repeats, reordering, wrapping and formatting ignored):")
    lines += [line for sentence in diff.tally.sentences() for line in _wrap(sentence, "  ")]
    return "\n".join(lines) + "\n"


# --- history and forget ----------------------------------------------------------------------------------

def _open_store():
    """The store, to change it (`forget`)."""
    from smallprint.history.store import HistoryUnavailable

    try:
        return _store_to_change()
    except HistoryUnavailable as exc:
        raise CliError(str(exc)) from None


def _store_to_change():
    """The store, to change it; HistoryUnavailable (StoreDamaged among them) when it cannot be opened."""
    from smallprint.config import ConfigError, load_config
    from smallprint.history.store import Store

    try:
        retention = load_config().history.retention_versions
    except ConfigError:
        retention = None  # a broken config must not stop anyone from reading or deleting their history
    return Store(retention_versions=retention)


def _open_store_to_read():
    """The store opened read-only (a backup, another user's copy, a read-only mount can be read), or None when there
    is none: reading creates no store. A store too old to be read as it is is upgraded first, which writes it."""
    from smallprint import paths
    from smallprint.history.store import HistoryUnavailable, Store, StoreNeedsUpgrade, StoreReadOnly

    if not paths.store_file().exists():
        return None
    try:
        return Store(read_only=True)
    except StoreNeedsUpgrade:
        try:
            return _open_store()
        except CliError as exc:
            if not isinstance(exc.__context__, StoreReadOnly):
                raise
            # StoreReadOnly's own advice is "`smallprint history SITE` can still read it": the command just run
            raise CliError(f"the history store {paths.store_file()} was written by an older smallprint and must "
                           "be upgraded before it can be read, which needs write access to it and its folder "
                           "(copy it somewhere writable, or open it once where it can be written)") from None
    except HistoryUnavailable as exc:
        raise CliError(str(exc)) from None


def _site(value: str) -> str:
    from smallprint.history.sites import site_key

    try:
        return site_key(value)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def run_history(args) -> int:
    from smallprint.history.store import HistoryUnavailable
    from smallprint.history.timeline import seen_span, version_changes
    from smallprint.report import kind_label

    site = _site(args.site)
    out = getattr(args, "out", None)
    store = _open_store_to_read()
    with store if store is not None else contextlib.nullcontext():
        try:
            versions = store.versions(site) if store is not None else []  # no store: nothing was ever remembered
            if args.format == "html":
                from smallprint.history.report_html import render_history_html
                from smallprint.history.timeline import version_diffs

                _emit(render_history_html(site, versions, version_diffs(store, versions)), out)
                return 0
            changes = version_changes(store, versions)
        except HistoryUnavailable as exc:
            raise CliError(str(exc)) from None
    if args.format == "json":
        items = [{**v.to_dict(), "changes": changes.get(v.id)} for v in versions]
        _emit(json_text({"site": site, "versions": items}), out)
        return 0
    if not versions:
        _emit(f"Nothing is remembered about {site}.\n", out)
        return 0
    lines = [f"{site}: {len(versions)} version{'s' if len(versions) != 1 else ''} remembered", ""]
    path = None
    for v in versions:
        if v.path != path:
            path = v.path
            lines.append(f"{path}")
        seen = seen_span(v, " .. ")
        kind = kind_label(v.kind).lower() if v.kind else ""
        # a title the site gave: on the version's own line, however long or broken into lines it is
        lines.append(f"  #{v.id}  {seen}  {v.chars:,} characters  {kind}  {one_line(v.title, 60)}".rstrip())
        change = changes.get(v.id)
        lines += _wrap(change["summary"] if change else "First version seen.", "        ")
    # titles and addresses were given by the sites themselves
    _emit(terminal_safe("\n".join(lines) + "\n"), out)
    return 0


def run_forget(args) -> int:
    from smallprint.history.store import HistoryUnavailable

    site = None if args.all else _site(args.site)
    aside = None
    if _nothing_to_forget():
        n = 0
    elif site is None:
        n, aside = _forget_everything()
    else:
        with _open_store() as store:
            try:
                n = store.forget(site)
            except HistoryUnavailable as exc:
                raise CliError(str(exc)) from None
    if aside is not None:
        _emit(f"Forgot everything: {aside.sentence()}.\n", None)
    elif site is None:
        _emit(f"Forgot everything: {n} version{'s' if n != 1 else ''} deleted.\n", None)
    else:
        _emit(f"Forgot {site}: {n} version{'s' if n != 1 else ''} deleted.\n" if n
              else f"Nothing was remembered about {site}.\n", None)
    # Even where the store held nothing of the site: the daemon holds every page it read recently, stored or not.
    _forget_daemon_memory()
    return 0


def _forget_everything():
    """`forget --all` on the store: (versions deleted, None), or, where the store is damaged and cannot be emptied,
    (0, what was done with its file): the reader asked for all of it to go, so the file is set aside and a fresh store
    started, noting the forget (a reading a daemon has in flight is not stored after it). A daemon holding the
    damaged file opens the fresh one at its next request (HistoryService.store)."""
    from smallprint import paths
    from smallprint.history.store import HistoryUnavailable, StoreDamaged, set_aside_damaged

    try:
        try:
            with _store_to_change() as store:
                return store.forget_all(), None
        except StoreDamaged:  # (closed by then: the file is not held while it is moved)
            aside = set_aside_damaged(paths.store_file())
            with _store_to_change() as store:
                store.forget_all()
            return 0, aside
    except HistoryUnavailable as exc:
        raise CliError(str(exc)) from None


def _nothing_to_forget() -> bool:
    """Whether there is no store, and none can be in the making: then `forget` creates none (as `history` does not).
    Where a daemon runs with the policy memory on, a store is made all the same: a page of the site it is reading
    now would otherwise be stored just after, and the store's note of the forget is what refuses it."""
    from smallprint import paths
    from smallprint.config import ConfigError, load_config

    if paths.store_file().exists():
        return False
    try:
        if not load_config().history.enabled:
            return True
    except ConfigError:
        pass  # a broken config must not stop anyone from deleting their history; the daemon may record meanwhile
    return not _daemon_runs()


def _daemon_runs() -> bool:
    from smallprint.daemon.discovery import read_runtime_info

    if read_runtime_info() is None:
        return False
    from smallprint.daemon.server import instance_lock_held  # only now: it loads aiohttp

    return instance_lock_held()


def _forget_daemon_memory() -> None:
    """Ask a running daemon to forget its memory too, and say so; where it cannot be asked, the store's forget
    stands (exit status 0) and a warning says what still holds the pages."""
    from smallprint.daemon.forgetting import DaemonForgot, forget_daemon_memory

    outcome = forget_daemon_memory()
    if outcome is None:  # no daemon runs: nothing is held in memory
        return
    if isinstance(outcome, DaemonForgot):
        n = outcome.analyses
        _emit(f"The running daemon also forgot its recent readings ({n} cached analys{'es' if n != 1 else 'is'}).\n",
              None)
        return
    print(f"smallprint: warning: the running daemon (pid {outcome.pid}, {outcome.url}) could not be asked to forget: "
          f"{outcome.why}; it holds its recent readings in memory until it stops (`smallprint stop`)",
          file=sys.stderr)
