"""`corpus report`: one self-contained HTML page from a corpus folder, and CSV files beside it for spreadsheets.

The page, like every smallprint report, loads nothing and runs no script (report.render_page): per practice (AI
training and biometric data first, the taxonomy's order) a timeline of when documents began or stopped stating it,
each event linked to the clause that changed; the services with their current grade and key findings; and, per pair
of consecutive versions, the text of each clause that changed about a data practice.
"""
from __future__ import annotations

import contextlib
import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from smallprint.clip import clip_words
from smallprint.history.diff import (SAME_OLD_WORDING, change_label, dropped_concern, format_since, listed_as,
                                     news_polarity, old_wording_once, reading_order)
from smallprint.history.report_html import NO_DATA_CHANGES
from smallprint.report import POLARITY_LABELS, escape, polarity_tag, practice_label, reader_moment, render_page
from smallprint.taxonomy import PRACTICE_IDS

from .identity import EngineIdentity, describe
from .sources import SourceError, date_order, inside_source_folder, printable_name
from .store import CorpusDir, StoreError, held_by_a_run, publish_together, read_corpus_dir
from .tables import engine_of, listed_sources, read_tables
from .timeline import Current, Event, Pair, build, undated_beside_dated

# Clauses listed per version pair besides those the timelines link to: the rest are in the CSV and the Parquet table.
_MORE_CHANGES_SHOWN = 40
_EVENT_WORDS = {"first": "states it in its first recorded version", "added": "began stating it",
                "dropped": "stopped stating it"}
_CSS = """
.sp-corpus { max-width: 1200px; margin: 0 auto; padding: 12px 28px 40px; }
.sp-corpus h2 { margin-top: 2em; border-bottom: 1px solid var(--rule); }
.sp-corpus h3 { margin: 1.6em 0 .4em; }
.sp-strip { width: 100%; max-width: 1000px; height: auto; display: block; margin: 6px 0; }
.sp-strip text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.sp-strip .axis { stroke: var(--rule); }
.sp-strip .concern { fill: var(--concern-line); } .sp-strip .protective { fill: var(--protective-line); }
.sp-strip .neutral { fill: var(--neutral-line); } .sp-strip .first { fill-opacity: .35; }
.sp-change { border-left: 4px solid var(--rule); padding: 2px 10px; margin: 6px 0; }
.sp-change-added { border-left-color: var(--protective-line); }
.sp-change-removed { border-left-color: var(--concern-line); }
.sp-change-changed { border-left-color: var(--accent); }
.sp-change.sp-good-news { border-left-color: var(--protective-line); }
.sp-change:target { background: var(--panel); }
.sp-was { color: var(--muted); }
.sp-grade-cell { display: inline-block; min-width: 1.8em; font-weight: 800; text-align: center; color: #fff;
  border-radius: 4px; }
"""


def report_files(target: Path) -> list[Path]:
    """What write_report writes for the page `target`: the page, then its CSV files beside it."""
    stem = target.with_suffix("")
    return [target, *(Path(f"{stem}-{table}.csv") for table in ("timeline", "services", "changes"))]


def write_report(folder: str | Path, out: Path | None = None, *, generated_at: datetime | None = None) -> list[Path]:
    """Write the page (default DIR/report.html) and its CSV files beside it, as one set (store.publish_together): a
    failure at any point leaves the previous page and CSV files, all of them, and the page goes in only after the
    CSV files it speaks of; the next run puts back the previous set of one that was killed while it renamed them.
    Returns their paths, the page first."""
    with _while_a_run_writes(Path(folder)):
        corpus = read_corpus_dir(folder)
    target = out or corpus.root / "report.html"
    for source in listed_sources(corpus):  # before the tables are read, which takes a while in a large corpus
        if inside_source_folder(source, target):
            where = f"--out {printable_name(str(out))}" if out else printable_name(str(target))
            raise SourceError(f"{where} is inside the source folder {source} of this corpus: the next `corpus analyze` "
                              f"would read the page as a document of it; choose a path outside it"
                              + ("" if out else " with --out"))
    # One set or none: a missing, damaged or torn set of tables is refused, saying how to rebuild it (read_tables).
    with _while_a_run_writes(corpus.root):
        read = read_tables(corpus.root)
    engine = engine_of(read["documents"])  # the three say the same: they are one set
    tables = {name: table.to_pylist() for name, table in read.items()}
    events, pairs, current = build(tables["documents"], tables["findings"], tables["changes"])
    page = render_corpus_html(corpus, tables["documents"], events, pairs, current, generated_at=generated_at,
                              engine=engine)
    timeline_csv, services_csv, changes_csv = report_files(target)[1:]
    csvs = [(timeline_csv,
             _csv(["practice", "polarity", "event", "service", "document", "date", "previous_date", "summary"],
                  ([e.practice, e.polarity, e.event, e.service, e.document, e.date, e.previous_date, e.summary]
                   for e in events))),
            (services_csv,
             _csv(["service", "document", "latest_date", "versions", "grade", "score", "key_findings"],
                  ([c.service, c.document, c.date, c.versions, c.grade, c.score,
                    "; ".join(f"{summary} ({polarity})" for _, polarity, summary in c.key_findings)]
                   for c in current))),
            (changes_csv,
             _csv(["service", "document", "date", "previous_date", "change", "practice", "polarity", "summary", "text",
                   "old_text", "listed_as"],
                  (_change_row(c) for c in tables["changes"])))]
    # The page last: it is what a reader opens, and it goes in only after every CSV file it speaks of.
    publish_together([*csvs, (target, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))])
    return [target, *(path for path, _ in csvs)]


@contextlib.contextmanager
def _while_a_run_writes(root: Path) -> Iterator[None]:
    """A folder found without its corpus.json or its tables, or with tables of two runs, while a `corpus analyze`
    holds it (its first run, or one between renaming two tables) is no folder to mend: the run is writing it, and the
    report is for when it has finished, not "run analyze again"."""
    try:
        yield
    except StoreError as exc:
        if held_by_a_run(root):
            raise StoreError(f"a `smallprint corpus analyze` is writing {root} now and its tables are not all there "
                             "yet; run `smallprint corpus report` when it has finished") from exc
        raise


def _change_row(c: dict) -> list:
    """A row of report-changes.csv: the changes table's row, and what the change views list it as (`listed_as`: "No
    longer promised", "No longer stated", else "New", "Removed" or "Reworded", as the HTML report and the popup list
    it). `change` and `polarity` stay the clause's own ("removed", "protective" for a promise no longer made)."""
    return [c["service"], c["document"], c["date"], c["previous_date"], c["change"], c["practice"], c["polarity"],
            c["summary"], c["text"], c["old_text"], listed_as(_Change.of(c))]


def _csv(header: list[str], rows: Iterable[list]) -> Callable[[str], None]:
    """What writes a CSV file of `rows` (made as they are written) under `header` to the path it is given."""
    def write(tmp: str) -> None:
        # UTF-8 with a byte-order mark: spreadsheet programs then read accented and curly characters correctly.
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(["" if value is None else value for value in row] for row in rows)

    return write


def _when(date: str | None) -> str:
    """A version's date as every change view writes it, "9 August 2024" (the day in UTC: diff.format_since), for the
    page; the tables and the CSV files keep ISO 8601."""
    return format_since(date) or "undated"


def _year(date: str | None) -> float | None:
    if not date:
        return None
    try:
        d = datetime.fromisoformat(date[:10])
    except ValueError:
        return None
    return d.year + (d.timetuple().tm_yday - 1) / 366


def _strip_svg(events: list[Event], span: tuple[int, int]) -> str:
    """One row per document, a mark per event: a faint dot for the first version, a triangle up where it began,
    down where it stopped, coloured by what it means for the reader (_event_polarity: a promise dropped in the concern
    colour, as the change box it links to). The same events are listed in the table under it."""
    rows = list(dict.fromkeys((e.service, e.document) for e in events))
    first, last = span
    left, width, height = 170, 800, 18
    total_height = 24 + height * len(rows)

    def x(date: str | None) -> float:
        year = _year(date)
        return left + (width * (year - first) / max(1, last - first)) if year is not None else left

    parts = [f'<svg class="sp-strip" viewBox="0 0 {left + width + 20} {total_height}" role="img" '
             f'aria-label="timeline">']
    for year in range(first, last + 1):
        px = left + width * (year - first) / max(1, last - first)
        parts.append(f'<line class="axis" x1="{px:.1f}" y1="0" x2="{px:.1f}" y2="{total_height - 14}"/>'
                     f'<text x="{px:.1f}" y="{total_height - 2}" text-anchor="middle">{year}</text>')
    for i, (service, document) in enumerate(rows):
        y = 12 + height * i
        parts.append(f'<text x="4" y="{y + 4}">{escape(clip_words(service, 24))}</text>')
        for e in (e for e in events if (e.service, e.document) == (service, document)):
            # in the words of the row under the strip and of the change box it links to ("No longer promised"),
            # not the practice's own polarity, which contradicts the mark's colour for a promise dropped
            px = x(e.date)
            title = escape(f"{_when(e.date)} · {service} — {document} · {practice_label(e.practice)} · "
                           f"{_EVENT_WORDS[e.event]} · {_event_label(e)}: {e.summary}")
            shape = {"added": f"{px - 5:.1f},{y + 5} {px + 5:.1f},{y + 5} {px:.1f},{y - 5}",
                     "dropped": f"{px - 5:.1f},{y - 5} {px + 5:.1f},{y - 5} {px:.1f},{y + 5}"}.get(e.event)
            css = f'{_event_polarity(e)}{" first" if e.event == "first" else ""}'
            mark = (f'<polygon class="{css}" points="{shape}">' if shape
                    else f'<circle class="{css}" cx="{px:.1f}" cy="{y}" r="4">')
            parts.append(f'{mark}<title>{title}</title>{"</polygon>" if shape else "</circle>"}')
    parts.append("</svg>")
    return "".join(parts)


def _link(event: Event, targets: dict[tuple[int, str], str]) -> str:
    if event.pair is None:
        return ""
    anchor = targets.get((event.pair, f"{event.practice}:{event.polarity}"), f"pair-{event.pair}")
    return f'<a href="#{anchor}">the change</a>'


def _dropped(event: Event) -> "_Change | None":
    """A "dropped" event as the change views read it (a clause removed, stating nothing now), else None."""
    return _Change("removed", event.practice, event.polarity, ()) if event.event == "dropped" else None


def _event_polarity(event: Event) -> str:
    """The polarity an event is coloured with: what it means for the reader, as its change box is coloured
    (diff.news_polarity): a promise a version stopped making is a concern, a concern it stopped stating good news;
    any other event its own polarity."""
    gone = _dropped(event)
    return (news_polarity(gone) if gone else None) or event.polarity


def _event_label(event: Event) -> str:
    """What an event is named, on its row's tag and its mark's hover title: a promise a version stopped making as the
    change box it links to names it ("No longer promised"), not "Protective"; a concern it stopped stating "No longer
    stated"; any other event by its polarity ("Concern")."""
    gone = _dropped(event)
    return (change_label(gone) if gone else None) or POLARITY_LABELS.get(event.polarity, event.polarity)


def _event_tag(event: Event) -> str:
    """The tag of a timeline's row: its name (_event_label) in the colour of what it means for the reader
    (_event_polarity): "No longer promised" in the concern colour, not the green "Protective"."""
    return polarity_tag(_event_polarity(event), _event_label(event))


def _timelines_html(events: list[Event], targets: dict[tuple[int, str], str]) -> str:
    years = [int(y) for y in (_year(e.date) for e in events) if y is not None]
    span = (min(years), max(years) + 1) if years else (2000, 2001)
    by_practice: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_practice[e.practice].append(e)
    out = ['<section id="timelines"><h2>When each practice was added or dropped</h2>'
           '<p class="sp-muted sp-small">Per practice, the most serious first. ▲ a version began stating it, '
           '▼ a version stopped, a faint dot: the first recorded version states it. Red: a concern or a promise no '
           'longer made, green: a protection or a concern no longer stated, blue: neutral. Each change links to the '
           'clause that changed.</p>']
    for practice in sorted(by_practice, key=lambda p: PRACTICE_IDS.index(p) if p in PRACTICE_IDS else 99):
        chosen = by_practice[practice]
        moves = [e for e in chosen if e.event != "first"]
        out.append(f'<h3 id="practice-{escape(practice)}">{escape(practice_label(practice))} '
                   f'<span class="sp-muted sp-small">{len(moves)} change{"s" if len(moves) != 1 else ""}</span></h3>')
        out.append(_strip_svg(chosen, span))
        if moves:
            rows = "".join(f"<tr><td>{escape(_when(e.date))}</td><td>{escape(e.service)}</td>"
                           f"<td>{escape(e.document)}</td><td>{escape(_EVENT_WORDS[e.event])} "
                           f"{_event_tag(e)}<br><span class=\"sp-small\">{escape(e.summary)}</span></td>"
                           f"<td>{_link(e, targets)}</td></tr>" for e in moves)
            out.append('<table class="sp-table"><tr><th>date</th><th>service</th><th>document</th><th>what</th>'
                       f"<th></th></tr>{rows}</table>")
    out.append("</section>")
    return "".join(out)


def _services_html(current: list[Current]) -> str:
    rows = []
    for c in current:
        findings = "".join(f"<li>{polarity_tag(polarity)} {escape(summary)} "
                           f'<span class="sp-muted sp-small">({escape(practice_label(practice))})</span></li>'
                           for practice, polarity, summary in c.key_findings)
        grade = (f'<td><span class="sp-grade-cell sp-grade-{escape(c.grade)}">{escape(c.grade)}</span></td>' if c.grade
                 else '<td class="sp-muted">unread</td>')
        rows.append(f"<tr><td>{escape(c.service)}</td><td>{escape(c.document)}</td><td>{escape(_when(c.date))}</td>"
                    f"<td>{c.versions}</td>{grade}<td><ul class=\"sp-small\">{findings}</ul></td></tr>")
    return ('<section id="services"><h2>Services now</h2><p class="sp-muted sp-small">Each document\'s latest '
            "readable version: its grade (A best, E worst) and its key findings.</p>"
            '<table class="sp-table"><tr><th>service</th><th>document</th><th>latest version</th><th>versions</th>'
            f"<th>grade</th><th>key findings</th></tr>{''.join(rows)}</table></section>")


class _Change(NamedTuple):
    """A row of the changes table as history.diff reads a change, so that the page names, colours and orders it by
    the change views' own rules (change_label, news_polarity, reading_order): a promise no longer made is bad news ("No
    longer promised"), a concern no longer stated good news ("No longer stated")."""
    change: str
    practice: str | None
    polarity: str | None
    findings: tuple[str, ...]  # what its clause states as it reads now

    @classmethod
    def of(cls, row: dict) -> "_Change":
        now = row.get("practices_now")
        if now is None:  # a table of layout 3 or before: a reworded clause is taken to state its practice still
            now = () if row["change"] == "removed" else (row["practice"],)
        return cls(row["change"], row["practice"], row["polarity"], tuple(now))


def _changes_html(pairs: list[Pair], linked: set[tuple[int, int]]) -> str:
    out = ['<section id="changes"><h2>What changed, version by version</h2><p class="sp-muted sp-small">Clauses '
           "about a data practice that were added, removed or reworded between consecutive versions (the same diff "
           "as <code>smallprint diff</code>).</p>"]
    for pair in pairs:
        out.append(f'<h3 id="pair-{pair.index}">{escape(pair.service)} — {escape(pair.document)}: '
                   f"{escape(_when(pair.date))} <span class=\"sp-muted sp-small\">since "
                   f"{escape(_when(pair.previous_date))}</span></h3>")
        changes = [_Change.of(c) for c in pair.changes]
        # most important first, as every change view lists them (reading_order; the table's order among equals)
        ranked = sorted(range(len(changes)), key=lambda k: reading_order(changes[k]))
        shown = {k for k in ranked if (pair.index, k) in linked}
        shown |= set([k for k in ranked if k not in shown][:_MORE_CHANGES_SHOWN])
        # one old sentence reworded into two new ones: both listed, the old one shown once
        for k, same_as_above in old_wording_once([k for k in ranked if k in shown],
                                                 lambda k: pair.changes[k]["old_text"]):
            c, change = pair.changes[k], changes[k]
            was = (f'<div class="sp-was sp-small">was: '
                   f'{escape(SAME_OLD_WORDING if same_as_above else c["old_text"])}</div>'
                   if c["change"] == "changed" and c["old_text"] else "")
            good = " sp-good-news" if dropped_concern(change) else ""
            tag = polarity_tag(news_polarity(change) or "neutral", change_label(change))
            # named as the change views name it (listed_as: "New", "Reworded", "No longer promised"), not by the
            # table's raw "added" or "removed"
            what = f"{listed_as(change)} · {practice_label(c['practice'] or '')}"
            out.append(f'<div class="sp-change sp-change-{escape(c["change"])}{good}" id="pair-{pair.index}-{k}">'
                       f'<span class="sp-small">{escape(what)}</span> {tag}<div>{escape(c["text"])}</div>{was}</div>')
        if len(shown) < len(pair.changes):
            out.append(f'<p class="sp-muted sp-small">and {len(pair.changes) - len(shown)} more in the changes CSV '
                       "and changes.parquet.</p>")
        if not pair.changes:
            out.append(f'<p class="sp-muted sp-small">{escape(NO_DATA_CHANGES)}</p>')  # the HTML report's words
    out.append("</section>")
    return "".join(out)


def _errors_html(documents: list[dict]) -> str:
    failed = [d for d in documents if d["error"]]
    if not failed:
        return ""
    rows = "".join(f"<tr><td>{escape(d['service'])}</td><td>{escape(d['document'])}</td>"
                   f"<td>{escape(_when(d['date']))}</td><td class=\"sp-small\">{escape(d['source'])}</td>"
                   f"<td>{escape(d['error'])}</td></tr>" for d in failed)
    return ('<section id="unreadable"><h2>Unreadable documents</h2><table class="sp-table"><tr><th>service</th>'
            f"<th>document</th><th>date</th><th>source</th><th>why</th></tr>{rows}</table></section>")


def _undated_html(documents: list[dict]) -> str:
    """The versions placed in no history (timeline.in_history): read, graded in the tables, compared with nothing."""
    undated = undated_beside_dated([d for d in documents if not d["error"]])
    if not undated:
        return ""
    rows = "".join(f"<tr><td>{escape(d['service'])}</td><td>{escape(d['document'])}</td>"
                   f"<td class=\"sp-small\">{escape(d['source'])}</td></tr>" for d in undated)
    return ('<section id="undated"><h2>Versions with no date</h2><p class="sp-muted sp-small">Each has no date beside '
            "dated versions of the same document, so it could be older or newer than any of them: it is read (its "
            "findings are in the tables) but compared with none of them, and no timeline or current state comes from "
            "it. A date in its file name (YYYY-MM-DD) or its JSON Lines record places it.</p><table class=\"sp-table\">"
            f"<tr><th>service</th><th>document</th><th>source</th></tr>{rows}</table></section>")


def render_corpus_html(corpus: CorpusDir, documents: list[dict], events: list[Event], pairs: list[Pair],
                       current: list[Current], *, generated_at: datetime | None = None,
                       engine: EngineIdentity | None = None) -> str:
    targets: dict[tuple[int, str], str] = {}  # (pair, "practice:polarity") -> anchor of its first changed clause
    linked: set[tuple[int, int]] = set()
    wanted = {(e.pair, f"{e.practice}:{e.polarity}") for e in events if e.pair is not None}
    for pair in pairs:
        for k, c in enumerate(pair.changes):
            for practice in c["practices"] or ():
                if (pair.index, practice) in wanted and (pair.index, practice) not in targets:
                    targets[(pair.index, practice)] = f"pair-{pair.index}-{k}"
                    linked.add((pair.index, k))
    dates = sorted((d["date"] for d in documents if d["date"]), key=date_order)
    services = len({d["service"] for d in documents})
    when = reader_moment(generated_at or datetime.now(timezone.utc))  # "6 December 2026, 14:05 UTC"
    span = f", {_when(dates[0])} to {_when(dates[-1])}" if dates else ""
    # Which engine read the figures below (identity.py), so that whoever cites them can say, and compare like with like.
    read_by = f"read by {engine}" if engine else f"{corpus.depth} reading by {describe(None)}"
    head = (f'<header class="sp-top"><div class="sp-brand">smallprint corpus</div>'
            f"<h1>{escape(corpus.root.resolve().name)}</h1><div class=\"sp-meta\">{len(current)} documents of "
            f"{services} services, {len(documents)} versions{escape(span)}; {escape(read_by)}; "
            f"written {escape(when)}. Contents: <a href=\"#timelines\">timelines</a> · <a href=\"#services\">"
            f"services</a> · <a href=\"#changes\">changes</a></div></header>")
    body = (f'{head}<main class="sp-corpus">{_timelines_html(events, targets)}{_services_html(current)}'
            f"{_changes_html(pairs, linked)}{_undated_html(documents)}{_errors_html(documents)}</main>")
    return render_page(f"smallprint corpus: {corpus.root.resolve().name}", body, _CSS)
