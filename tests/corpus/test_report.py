"""`smallprint corpus report`: one self-contained page with the timelines (AI training and biometric data first), the
services' current grade and key findings, links that land on each change's text, and CSV files for spreadsheets."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import csv
import html
import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smallprint.cli import main
from smallprint.corpus import report
from smallprint.corpus.store import STAGING

from .conftest import ACME, analyze_small, corpus_env, run_corpus, small_corpus

REPORT_FILES = ("report.html", "report-timeline.csv", "report-services.csv", "report-changes.csv")


def test_the_report_is_one_self_contained_page_with_timelines_services_and_changes(reference, tmp_path):
    out, tables = reference
    target = tmp_path / "report.html"
    done = run_corpus("report", out, "--out", target)
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    # Loads nothing, runs nothing (a policy's clause may say an address, "https://www.facebook.com/ads/create/", as
    # text: no element's attribute is one).
    assert not re.search(r"<script|<link|<img|<iframe|src=|url\(|=[\"']?https?://", page, re.I)
    # Timelines by practice, the most serious first.
    sections = re.findall(r'<h3 id="practice-([a-z_]+)">', page)
    assert sections[:2] == ["ai_training", "biometric"]
    ai = page[page.index('id="practice-ai_training"'):page.index('id="practice-biometric"')]
    assert "Facebook" in ai and "began stating it" in ai
    # Every link lands on an element of the page, and the AI-training changes land on clause texts.
    ids = set(re.findall(r'id="([^"]+)"', page))
    links = re.findall(r'href="#([^"]+)"', page)
    assert links and all(link in ids for link in links)
    assert any(re.fullmatch(r"pair-\d+-\d+", link) for link in re.findall(r'href="#([^"]+)"', ai))
    # The services table: each document's current grade and key findings.
    services = page[page.index('id="services"'):page.index('id="changes"')]
    documents = {(d["service"], d["document"]) for d in tables["documents"].to_pylist()}
    assert services.count("<tr>") == len(documents) + 1
    assert "sp-grade-E" in services and "<li>" in services


def test_the_csv_files_hold_the_timeline_the_services_and_the_changes(reference, tmp_path):
    out, tables = reference
    done = run_corpus("report", out, "--out", tmp_path / "r.html")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / f"r{suffix}") for suffix in
                                   (".html", "-timeline.csv", "-services.csv", "-changes.csv")]
    with open(tmp_path / "r-changes.csv", encoding="utf-8-sig", newline="") as handle:
        changes = list(csv.DictReader(handle))
    assert len(changes) == tables["changes"].num_rows
    with open(tmp_path / "r-timeline.csv", encoding="utf-8-sig", newline="") as handle:
        events = list(csv.DictReader(handle))
    assert {e["event"] for e in events} == {"first", "added", "dropped"}
    assert events[0]["practice"] == "ai_training"


def test_a_folder_without_a_corpus_is_refused(tmp_path):
    done = run_corpus("report", tmp_path)
    assert done.returncode == 1
    assert "holds no corpus" in done.stderr and "Traceback" not in done.stderr


def test_unreadable_documents_are_listed_with_why(tmp_path):
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "privacy.md").write_text("We may use your posts to train our AI models.\n")
    (source / "scan.txt").write_bytes(bytes(range(256)) * 4)
    assert run_corpus("analyze", tmp_path / "src", "--out", tmp_path / "out", "--workers", "1").returncode == 0
    done = run_corpus("report", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    unreadable = page[page.index('id="unreadable"'):]
    assert "scan" in unreadable and "looks like a binary file" in unreadable


def _report_files(out: Path) -> dict[str, tuple[int, bytes]]:
    """Each report file's inode and bytes: a file replaced, even by the same bytes, has another inode."""
    return {name: ((out / name).stat().st_ino, (out / name).read_bytes()) for name in REPORT_FILES
            if (out / name).exists()}


def _report_then_change(tmp_path: Path) -> tuple[Path, dict]:
    """A corpus and its report, then a version more read into it: the next report differs in every file."""
    src, out, _ = small_corpus(tmp_path)
    assert main(["corpus", "report", str(out)]) == 0
    before = _report_files(out)
    (src / "acme" / "2023-01-01_privacy.md").write_text("We collect your email address.\n")
    assert analyze_small(src, out=out).returncode == 0
    return out, before


def _full_disk_at_the_second_csv(monkeypatch) -> None:
    real = report._csv
    made = []

    def csv_writer(header, rows):
        made.append(header)
        if len(made) != 2:
            return real(header, rows)

        def full_disk(tmp: str) -> None:
            Path(tmp).write_bytes(b"service,docu")
            raise OSError(errno.ENOSPC, "No space left on device")
        return full_disk

    monkeypatch.setattr(report, "_csv", csv_writer)


def _assert_no_leftovers(out: Path) -> None:
    assert not list(out.glob(f".*{STAGING}")) and not list(out.glob(".*.tmp"))


def _assert_report_refused(out: Path, capsys, line: str, before: dict) -> None:
    """`corpus report` into `out` fails, saying `line` alone, and leaves the report files as `before`, and nothing
    of its own."""
    assert main(["corpus", "report", str(out)]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [f"smallprint: {line}"]
    assert _report_files(out) == before
    _assert_no_leftovers(out)


_FULL_DISK = "No space left on device; report.html and the files written with it are as they were"


def test_a_full_disk_between_the_report_files_leaves_the_last_set_whole(tmp_path, capsys, monkeypatch):
    """The page and CSV files were once renamed into place one by one as each was written: a full disk while the
    second CSV file was written left a new page and timeline beside the old services and changes."""
    out, before = _report_then_change(tmp_path)
    _full_disk_at_the_second_csv(monkeypatch)
    _assert_report_refused(out, capsys, f"cannot write {out / 'report-services.csv'}: {_FULL_DISK}", before)

    monkeypatch.undo()  # room again: the next report replaces every file
    assert main(["corpus", "report", str(out)]) == 0
    after = _report_files(out)
    assert sorted(after) == sorted(before)
    assert all(after[name][0] != before[name][0] and after[name][1] != before[name][1] for name in REPORT_FILES)
    assert "2023-01-01" in (out / "report-services.csv").read_text(encoding="utf-8-sig")
    _assert_no_leftovers(out)


@pytest.mark.parametrize("earlier_report", [True, False])
def test_a_file_that_cannot_be_replaced_puts_back_those_replaced_before_it(tmp_path, capsys, monkeypatch,
                                                                           earlier_report):
    """Windows refuses to replace a file that is open in a spreadsheet: the files renamed into place before it go
    back to what they were (or away, where there were none), so the page never stands beside CSV files of another
    run."""
    out, before = _report_then_change(tmp_path)
    if not earlier_report:
        for name in REPORT_FILES:
            (out / name).unlink()
        before = {}
    real_replace = os.replace

    def open_elsewhere(source, target):
        if Path(target) == out / "report-services.csv":
            raise PermissionError(errno.EACCES, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", open_elsewhere)
    _assert_report_refused(out, capsys, f"cannot replace {out / 'report-services.csv'}: Permission denied; report.html "
                           "and the files written with it are as they were", before)


# `corpus report` in a process that kills itself (SIGKILL: no clean-up runs) as a file reaches `argv[2]`: its
# staged copy (while the set is written) or its place beside the page (while the set is renamed into place).
_KILLED_AT = """
import os, signal, sys
from pathlib import Path
from smallprint.corpus.report import write_report

out, at = Path(sys.argv[1]), sys.argv[2]
real_replace = os.replace

def replace(source, target):
    real_replace(source, target)
    target = Path(target)
    if target.name == "report-services.csv" and (target.parent == out) == (at == "renamed"):
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
write_report(out)
"""


@pytest.mark.parametrize("at", ["staged", "renamed"])
def test_a_report_killed_midway_is_undone_by_the_next_run(tmp_path, capsys, monkeypatch, at):
    """A run killed while it writes its files leaves the last report as it was; one killed between two renames
    leaves two of its CSV files beside the last page, and its journal: the next run, first thing, puts back the
    last set (here it fails itself, on a full disk, to show what it put back) and removes what the killed run
    left."""
    out, before = _report_then_change(tmp_path)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT, str(out), at], env=corpus_env(), capture_output=True,
                            text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    [leftover] = out.glob(f".report.html.*{STAGING}")
    now = _report_files(out)
    if at == "renamed":
        assert [name for name in REPORT_FILES if now[name] != before[name]] == ["report-timeline.csv",
                                                                                 "report-services.csv"]
    else:
        assert now == before

    _full_disk_at_the_second_csv(monkeypatch)
    _assert_report_refused(out, capsys, f"cannot write {out / 'report-services.csv'}: {_FULL_DISK}", before)
    assert not leftover.exists()
    monkeypatch.undo()
    assert main(["corpus", "report", str(out)]) == 0
    assert all(after[0] != before[name][0] for name, after in _report_files(out).items())
    _assert_no_leftovers(out)


def test_a_second_report_into_the_same_place_at_once_is_refused(tmp_path, capsys):
    """Two reports renaming their files into one folder at once would leave one's page beside the other's CSV files;
    the second is refused while the first holds the folder's report lock."""
    fcntl = pytest.importorskip("fcntl")  # Windows has no such lock: one report at a time is the user's to keep
    _, out, _ = small_corpus(tmp_path)
    with open(out / ".report.html.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["corpus", "report", str(out)]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"smallprint: another `smallprint corpus report` is writing {out / 'report.html'}; let it finish first"]
    assert not list(out.glob("report*"))
    assert main(["corpus", "report", str(out)]) == 0


def test_a_long_service_name_in_the_timeline_strip_is_cut_at_a_word():
    """The strip's row names were cut at 24 characters wherever that fell, unmarked ("Tidewell Photo Sharing C");
    now at a word, with "…", as every quote the product shows."""
    from smallprint.corpus.timeline import Event

    name = "Tidewell Photo Sharing Community"
    event = Event("ai_training", "concern", "added", name, "privacy", "2021-01-01", "2020-01-01",
                  "May use your posts to train AI models", 0)
    labels = re.findall(r'<text x="4" y="[\d.]+">([^<]*)</text>', report._strip_svg([event], (2020, 2021)))
    assert labels == ["Tidewell Photo Sharing…"]


def test_a_report_inside_a_source_folder_of_the_corpus_is_refused(tmp_path):
    """`corpus report DIR --out SRC/x.html` wrote the page into a source folder, where the next `corpus analyze`
    read smallprint's own page as a policy (as `corpus analyze --out SRC/sub` did before it was refused)."""
    src, out, _ = small_corpus(tmp_path)
    (tmp_path / "link").symlink_to(src)
    for page in ("src/x.html", "src/acme/report.html", "link/x.html", "link/acme/x.csv"):
        done = run_corpus("report", out, "--out", tmp_path / page)
        assert (done.returncode, done.stdout) == (1, ""), page
        assert done.stderr == (f"smallprint: --out {tmp_path / page} is inside the source folder {src} of this corpus: "
                               "the next `corpus analyze` would read the page as a document of it; choose a path "
                               "outside it\n")
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == [
        "acme", *(f"acme/{name}" for name in ACME), "beta", "beta/privacy.md"]  # nothing written
    # A hidden folder of a source is not walked, and outside the sources the page goes anywhere.
    for page in (src / ".reports" / "x.html", tmp_path / "elsewhere.html"):
        page.parent.mkdir(exist_ok=True)
        assert run_corpus("report", out, "--out", page).returncode == 0 and page.exists()
    # A corpus folder moved into a source (or made there before that was refused): its default page is refused too.
    moved = src / "old-corpus"
    out.rename(moved)
    done = run_corpus("report", moved)
    assert done.returncode == 1 and not (moved / "report.html").exists()
    assert done.stderr == (f"smallprint: {moved / 'report.html'} is inside the source folder {src} of this corpus: "
                           "the next `corpus analyze` would read the page as a document of it; choose a path outside "
                           "it with --out\n")


def test_one_old_sentence_reworded_two_ways_shows_its_was_once():
    """The changes of a version pair said "was: <the same old sentence>" under each of two new wordings of it."""
    from smallprint.corpus.timeline import Pair
    from smallprint.history.diff import SAME_OLD_WORDING

    old = "Test out new products and features to see if they work"
    changes = tuple({"change": "changed", "practice": None, "polarity": None, "text": new, "old_text": old}
                    for new in (f"Build and t{old[1:]}", "Keep our services secure", f"Build and t{old[1:]}, and"))
    changes = (changes[0], {**changes[1], "old_text": "Keep our service secure"}, changes[2])
    page = report._changes_html([Pair(0, "Acme", "privacy", "2025-01-01", "2024-01-01", changes)], set())
    assert re.findall(r"was: ([^<]*)<", page) == [old, SAME_OLD_WORDING, "Keep our service secure"], page
    texts = re.findall(r"</span><div>([^<]*)</div>", page)
    assert texts == [f"Build and t{old[1:]}", f"Build and t{old[1:]}, and", "Keep our services secure"], page


def test_the_page_writes_its_dates_as_every_change_view_does_and_the_csv_keeps_iso(tmp_path, capsys):
    """The page said "2021-01-01 ... since 2020-01-01" and "written 2026-12-06 14:05 UTC" while every change view says
    "1 January 2021" (report.reader_date, by diff.format_since); the tables and the CSV files keep ISO 8601."""
    _, out, tables = small_corpus(tmp_path)
    assert main(["corpus", "report", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", page), re.findall(r".{40}\b\d{4}-\d{2}-\d{2}\b.{20}", page)
    assert "versions, 1 January 2020 to 1 January 2022;" in page, page
    assert re.search(r"written \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC\.", page), page
    assert '1 January 2021 <span class="sp-muted sp-small">since 1 January 2020</span></h3>' in page, page
    assert "<td>1 January 2021</td>" in page, page  # the timelines' tables
    with (out / "report-changes.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {(r["date"], r["previous_date"]) for r in rows} <= {("2021-01-01", "2020-01-01"),
                                                                       ("2022-01-01", "2021-01-01")}, rows
    assert set(tables["documents"].column("date").to_pylist()) >= {"2020-01-01", "2021-01-01", "2022-01-01"}


_PROMISE = "We do not sell your personal information to third parties."
_CONCERN = "We may sell your personal information to data brokers."
_RIGHT = "You can delete your account at any time."
_BOX = re.compile(r'<div class="sp-change ([^"]*)" id="pair-\d+-\d+"><span class="sp-small">([^<]*)</span> '
                  r'<span class="sp-tag sp-tag-(\w+)">([^<]*)</span><div>([^<]*)</div>')


def _reported_promise_concern_and_right(tmp_path: Path) -> Path:
    """A corpus of one document in two versions, read (at quick depth, the default) and reported: the second drops a
    promise (_PROMISE) and a concern (_CONCERN) and adds a right (_RIGHT). Returns the corpus folder."""
    src, out = tmp_path / "src", tmp_path / "out"
    (src / "acme").mkdir(parents=True)
    head = ("# Example Privacy Policy\n\nWe collect your name and email address when you create an account.\n\n")
    (src / "acme" / "2020-01-01_privacy.md").write_text(
        f"{head}{_PROMISE}\n\nWe use cookies to remember your preferences.\n\n{_CONCERN}\n")
    (src / "acme" / "2021-01-01_privacy.md").write_text(
        f"{head}We use cookies to remember your preferences.\n\n{_RIGHT}\n")
    done = analyze_small(src, out=out)  # at quick depth, the default
    assert done.returncode == 0, done.stderr
    assert main(["corpus", "report", str(out)]) == 0
    return out


def test_what_changed_names_a_lost_promise_and_a_gone_concern_as_the_change_views_do_most_important_first(tmp_path):
    """"What changed" tagged a removed promise with the green "Protective" and a removed concern with the red "Concern",
    and listed a version pair's changes in the table's order (added, removed, reworded), not most important first."""
    from smallprint.history.diff import LOST_PROMISE, NO_LONGER_STATED

    out = _reported_promise_concern_and_right(tmp_path)
    boxes = _BOX.findall((out / "report.html").read_text(encoding="utf-8"))
    assert [(css, tag, label, text) for css, _, tag, label, text in boxes] == [
        ("sp-change-removed", "concern", LOST_PROMISE, _PROMISE),  # bad news first
        ("sp-change-removed sp-good-news", "protective", NO_LONGER_STATED, _CONCERN),
        ("sp-change-added", "protective", "Protective", _RIGHT)], boxes
    # each box says what it is in the change views' words ("added · Sale of data" before, "New" in every other view)
    assert [what for _, what, _, _, _ in boxes] == [
        f"{LOST_PROMISE} · Sale of data", f"{NO_LONGER_STATED} · Sale of data", "New · Your rights"], boxes


def test_the_timelines_name_a_promise_dropped_as_the_change_it_links_to_does(tmp_path):
    """A timeline's row for a promise a version stopped making was tagged with the green "Protective" (and a concern
    it stopped stating with the red "Concern"), beside a link to the change box that says "No longer promised"."""
    from smallprint.history.diff import LOST_PROMISE, NO_LONGER_STATED

    page = (_reported_promise_concern_and_right(tmp_path) / "report.html").read_text(encoding="utf-8")
    rows = re.findall(r'<td>(began stating it|stopped stating it) <span class="sp-tag sp-tag-(\w+)">([^<]*)</span>'
                      r'<br><span class="sp-small">([^<]*)</span>', page)
    assert sorted((event, tag, label) for event, tag, label, _ in rows) == [
        ("began stating it", "protective", "Protective"),
        ("stopped stating it", "concern", LOST_PROMISE),
        ("stopped stating it", "protective", NO_LONGER_STATED)], rows


def test_the_timeline_strip_colours_a_promise_dropped_as_a_concern_as_its_change_box_is(tmp_path):
    """The strip's ▼ for a promise a version stopped making was green (the practice's own polarity, "protective"),
    where the row beside it and the change box it links to say "No longer promised" in the concern colour; a concern
    no longer stated is good news there, and so here."""
    from smallprint.history.diff import LOST_PROMISE, NO_LONGER_STATED

    page = (_reported_promise_concern_and_right(tmp_path) / "report.html").read_text(encoding="utf-8")
    marks = re.findall(r'<polygon class="([\w ]+)" points="[^"]*"><title>[^<]* · '
                       r'(began stating it|stopped stating it) · ([^:<]+):', page)
    assert sorted((event, label, css) for css, event, label in marks) == [
        ("began stating it", "Protective", "protective"),
        ("stopped stating it", LOST_PROMISE, "concern"),  # a promise gone: bad news
        ("stopped stating it", NO_LONGER_STATED, "protective")], marks  # a concern gone: good news


def test_a_timeline_mark_s_hover_title_names_the_event_as_its_row_and_change_box_do():
    """The hover title of the red ▼ for a promise a version stopped making said "stopped stating it (protective)",
    where its row and the change box it links to say "No longer promised"; it now says what they say, with the
    version's date, the service, the document and the practice."""
    from smallprint.corpus.timeline import Event
    from smallprint.history.diff import LOST_PROMISE, NO_LONGER_STATED

    def event(polarity, kind, summary):
        return Event("sale_of_data", polarity, kind, "Acme", "privacy", "2024-03-01", "2023-01-01", summary, 0)

    events = [event("protective", "dropped", "We do not sell your data."),
              event("concern", "dropped", "We may sell your data."),
              event("concern", "added", "We sell your data to brokers.")]
    strip = report._strip_svg(events, (2023, 2025))
    assert re.findall(r'class="(\w+)"[^>]*><title>([^<]*)</title>', strip) == [
        ("concern", f"1 March 2024 · Acme — privacy · Sale of data · stopped stating it · {LOST_PROMISE}: "
                    "We do not sell your data."),
        ("protective", f"1 March 2024 · Acme — privacy · Sale of data · stopped stating it · {NO_LONGER_STATED}: "
                       "We may sell your data."),
        ("concern", "1 March 2024 · Acme — privacy · Sale of data · began stating it · Concern: "
                    "We sell your data to brokers.")], strip
    # the very words of each event's row tag
    tags = [re.search(r">([^<]*)</span>", report._event_tag(e)).group(1) for e in events]
    assert tags == [LOST_PROMISE, NO_LONGER_STATED, "Concern"], tags


def test_a_version_pair_with_no_data_change_is_said_so_in_the_html_report_s_words():
    """The corpus page said "No clause about a data practice changed." where the HTML report and the history page say
    "... is new, removed or reworded." (the lists' own words, diff.CHANGE_WORDS)."""
    from smallprint.corpus.timeline import Pair
    from smallprint.history.report_html import NO_DATA_CHANGES

    page = report._changes_html([Pair(0, "Acme", "privacy", "2025-01-01", "2024-01-01", ())], set())
    assert NO_DATA_CHANGES == "No clause about a data practice is new, removed or reworded."
    assert f'<p class="sp-muted sp-small">{NO_DATA_CHANGES}</p>' in page, page
    assert "practice changed." not in page, page


def test_a_clause_reworded_into_one_that_states_nothing_is_a_promise_lost_or_a_concern_gone():
    """A reworded row whose new wording states no practice (`practices_now` empty) is named by what it means for the
    reader; one that still states it (or a row of a table from before `practices_now`) keeps its own tag."""
    from smallprint.corpus.timeline import Pair
    from smallprint.history.diff import LOST_PROMISE, NO_LONGER_STATED

    def row(polarity, now, text):
        return {"change": "changed", "practice": "sale_of_data", "polarity": polarity, "text": text,
                "old_text": f"{text} (before)", **({} if now is None else {"practices_now": now})}

    changes = (row("concern", [], "concern gone"), row("concern", ["sale_of_data:concern"], "concern kept"),
               row("protective", [], "promise gone"), row("protective", None, "promise of an older table"))
    page = report._changes_html([Pair(0, "Acme", "privacy", "2025-01-01", "2024-01-01", changes)], set())
    assert [(what, tag, label, text) for _, what, tag, label, text in _BOX.findall(page)] == [
        ("Reworded · Sale of data", "concern", "Concern", "concern kept"),  # equals: table order
        (f"{LOST_PROMISE} · Sale of data", "concern", LOST_PROMISE, "promise gone"),
        (f"{NO_LONGER_STATED} · Sale of data", "protective", NO_LONGER_STATED, "concern gone"),
        ("Reworded · Sale of data", "protective", "Protective", "promise of an older table")], page


_CHANGES_CSV = ["service", "document", "date", "previous_date", "change", "practice", "polarity", "summary", "text",
                "old_text"]


def test_the_changes_csv_lists_a_lost_promise_and_a_gone_concern_as_the_change_views_do(tmp_path):
    """report-changes.csv said only change=removed, polarity=protective for a promise no longer made, where the page,
    `smallprint diff` and the popup say "No longer promised" (and "No longer stated" for a concern gone): a column
    `listed_as` now says it, after the columns as they were."""
    from smallprint.history.diff import LOST_PROMISE, NO_LONGER_STATED

    out = _reported_promise_concern_and_right(tmp_path)
    with (out / "report-changes.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == [*_CHANGES_CSV, "listed_as"], header
    listed = {row[8]: (row[4], row[6], row[10]) for row in rows}
    assert listed == {_PROMISE: ("removed", "protective", LOST_PROMISE),
                      _CONCERN: ("removed", "concern", NO_LONGER_STATED),
                      _RIGHT: ("added", "protective", "New")}, rows


def test_the_changes_csv_names_a_clause_reworded_into_nothing_as_the_page_does():
    """A reworded row whose new wording states no practice is a promise lost or a concern gone; one still stating it,
    a row of a table from before `practices_now`, and a neutral clause removed keep the list's own word."""
    from smallprint.history.diff import LOST_PROMISE, NO_LONGER_STATED

    def row(change, polarity, now, text):
        return {"service": "Acme", "document": "privacy", "date": "2025-01-01", "previous_date": "2024-01-01",
                "change": change, "practice": "sale_of_data" if polarity != "neutral" else "retention",
                "polarity": polarity, "summary": "s", "text": text, "old_text": None,
                **({} if now is None else {"practices_now": now})}

    rows = [row("changed", "concern", [], "concern gone"), row("changed", "concern", ["sale_of_data:concern"], "kept"),
            row("changed", "protective", [], "promise gone"), row("changed", "protective", None, "older table"),
            row("removed", "neutral", [], "retention removed"), row("added", "neutral", ["retention:neutral"], "new")]
    assert [(r[8], r[10]) for r in map(report._change_row, rows)] == [
        ("concern gone", NO_LONGER_STATED), ("kept", "Reworded"), ("promise gone", LOST_PROMISE),
        ("older table", "Reworded"), ("retention removed", "Removed"), ("new", "New")]


def test_key_findings_are_in_the_engine_s_order_not_the_taxonomy_s(tmp_path):
    """report-services.csv listed academia-edu's key findings by the taxonomy (its employment-history concern second)
    while `smallprint analyze` lists the same findings most important first (its IP-address location concern, then
    data from other companies ...): a reader comparing the two saw another order."""
    from smallprint.engine import analyze

    from tests.conftest import SHARED_DATA, require

    policy = SHARED_DATA / "policies-more" / "academia-edu.md"
    require(policy.is_file(), f"shared policies not found at {policy.parent}")
    src = tmp_path / "src"
    src.mkdir()
    (src / policy.name).write_bytes(policy.read_bytes())
    assert run_corpus("analyze", src, "--out", tmp_path / "out", "--workers", "1").returncode == 0
    assert run_corpus("report", tmp_path / "out").returncode == 0
    with open(tmp_path / "out" / "report-services.csv", encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    engine = analyze(text=policy.read_text(encoding="utf-8"), depth="quick").key_findings
    assert len(engine) > 2
    assert row["key_findings"] == "; ".join(f"{k.summary} ({k.polarity})" for k in engine)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    services = page[page.index('id="services"'):page.index('id="changes"')]
    shown = [services.index(html.escape(k.summary, quote=True)) for k in engine]
    assert shown == sorted(shown)


def test_the_services_list_one_key_finding_per_practice_and_polarity_in_the_engine_s_order():
    """From the findings table alone: concerns before promises, the most severe practice first (key_findings.rank),
    a finding said by several key clauses once, in the words of the surest (as the engine's lead clause)."""
    from smallprint.corpus.timeline import build

    version = {"service": "s", "document": "d", "date": "2024-01-01", "content_hash": "h"}
    documents = [{**version, "error": None, "grade": "D", "score": -3.0}]

    def key(practice, polarity, summary, confidence=0.9):
        return {**version, "practice": practice, "polarity": polarity, "summary": summary, "key": True,
                "confidence": confidence}

    findings = [key("employment_education", "concern", "Work history"), key("location", "concern", "Location"),
                key("user_rights", "protective", "Rights"), key("third_party_sources", "concern", "Other sources"),
                key("location", "concern", "Where you are", confidence=0.5)]
    [current] = build(documents, findings, [])[2]
    assert current.key_findings == (("location", "concern", "Location"),
                                    ("third_party_sources", "concern", "Other sources"),
                                    ("employment_education", "concern", "Work history"),
                                    ("user_rights", "protective", "Rights"))


def test_an_undated_version_beside_dated_ones_is_placed_in_no_history(tmp_path):
    """A folder of dated versions and one undated file ("policy.md"): the undated one sorted first, so the history
    ran from it ("ai_training concern dropped" in 2012) and the newest dated text was called the current one. It is
    read and kept in the tables, compared with nothing, and named on the page and in the run's notes."""
    import pyarrow.parquet as pq

    src = tmp_path / "src" / "acme"
    src.mkdir(parents=True)
    (src / "2012-12-18_policy.md").write_text("# Privacy Policy\n\nWe collect your email address.\n")
    (src / "2021-01-13_policy.md").write_text("# Privacy Policy\n\nWe collect your email address.\n\n"
                                              "We may sell your personal information to data brokers.\n")
    (src / "policy.md").write_text("# Privacy Policy\n\nWe may use your posts to train our artificial intelligence "
                                   "models.\n")
    out = tmp_path / "out"
    done = analyze_small(tmp_path / "src", out=out)
    assert done.returncode == 0, done.stderr
    assert "1 version has no date beside dated versions" in done.stderr and "policy.md" in done.stderr
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    assert sorted(d["date"] or "" for d in documents) == ["", "2012-12-18", "2021-01-13"]
    changes = pq.read_table(out / "changes.parquet").to_pylist()
    assert {(c["previous_date"], c["date"]) for c in changes} == {("2012-12-18", "2021-01-13")}
    assert run_corpus("report", out).returncode == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="undated"' in page and "policy.md" in page.split('id="undated"')[1]
    with open(out / "report-services.csv", newline="", encoding="utf-8-sig") as handle:
        (service,) = list(csv.DictReader(handle))
    assert service["latest_date"] == "2021-01-13"
    with open(out / "report-timeline.csv", newline="", encoding="utf-8-sig") as handle:
        events = list(csv.DictReader(handle))
    assert not [e for e in events if e["practice"] == "ai_training"], events  # from the undated text: no event


def test_a_time_with_a_fraction_of_a_second_comes_after_the_whole_second_it_is_in(tmp_path):
    """"...30.5Z" sorted before "...30Z" as text ("." before "Z"): the later version was read as the earlier, the
    sale it adds reported "dropped" and the older text called the current one."""
    import json

    import pyarrow.parquet as pq

    from smallprint.corpus.sources import date_order

    assert sorted(["2024-01-15T10:20:30.5Z", "2024-01-15T10:20:31Z", "2024-01-15T10:20:30Z", "2024-01-15"],
                  key=date_order) == ["2024-01-15", "2024-01-15T10:20:30Z", "2024-01-15T10:20:30.5Z",
                                      "2024-01-15T10:20:31Z"]
    source = tmp_path / "versions.jsonl"
    rows = [{"id": "b", "service": "acme", "document": "privacy", "date": "2024-01-15T10:20:30.5Z",
             "text": "# Privacy Policy\n\nWe collect your email address.\n\n"
                     "We may sell your personal information to data brokers.\n"},
            {"id": "a", "service": "acme", "document": "privacy", "date": "2024-01-15T10:20:30Z",
             "text": "# Privacy Policy\n\nWe collect your email address.\n"}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out"
    done = analyze_small(source, out=out)
    assert done.returncode == 0, done.stderr
    changes = pq.read_table(out / "changes.parquet").to_pylist()
    assert [(c["previous_date"], c["date"]) for c in changes] == [("2024-01-15T10:20:30Z", "2024-01-15T10:20:30.5Z")]
    assert run_corpus("report", out).returncode == 0
    with open(out / "report-services.csv", newline="", encoding="utf-8-sig") as handle:
        (service,) = list(csv.DictReader(handle))
    assert service["latest_date"] == "2024-01-15T10:20:30.5Z"
    with open(out / "report-timeline.csv", newline="", encoding="utf-8-sig") as handle:
        events = [(e["practice"], e["event"]) for e in csv.DictReader(handle)]
    assert ("sale_of_data", "added") in events and ("sale_of_data", "dropped") not in events, events


def test_undated_versions_whose_only_dated_one_is_unreadable_are_the_history_and_no_note_says_otherwise(tmp_path):
    """The note was made before reading: it named versions 'placed in no history' that were compared (their only
    dated neighbour was blank), so the note and the changes table disagreed."""
    src = tmp_path / "src" / "acme"
    src.mkdir(parents=True)
    (src / "2020-01-01_policy.md").write_text("  \n")
    (src / "policy.md").write_text("# Privacy Policy\n\nWe sell your data.\n")
    (src / "policy.txt").write_text("# Privacy Policy\n\nWe sell your data and your location.\n")
    done = analyze_small(tmp_path / "src", out=tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "no date beside dated versions" not in done.stderr
    assert "1 version pairs compared now" in done.stdout
