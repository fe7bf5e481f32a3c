"""What a reader sees of a policy's changes, in every view (text, HTML, the popup's lists): through the real command
and the extension's own script, on real files."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from smallprint.cli import main
from smallprint.history.diff import LOST_PROMISE
from tests.conftest import require
from tests.history.test_api import analyze as api_analyze
from tests.history.test_api import api  # noqa: F401 (the fixture)

EXTENSION = Path(__file__).resolve().parents[2] / "extension-bridge" / "extension"

OLD = """# Example Privacy Policy

We collect your name and email address when you create an account.

We do not sell your personal information to third parties.

We use cookies to remember your preferences.
"""
NEW = """# Example Privacy Policy

We collect your name and email address when you create an account.

We use cookies to remember your preferences.
"""


def _written(folder: Path, **texts: str) -> tuple[Path, ...]:
    """Each text written to a file of its name with ".md" (dated names, read as the versions' dates)."""
    for name, text in texts.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    return tuple(folder / f"{name}.md" for name in texts)


@pytest.fixture
def versions(tmp_path):
    return _written(tmp_path, **{"2024-01-05_policy": OLD, "2024-08-09_policy": NEW})


def _diff(capsys, *args) -> str:
    assert main(["diff", *map(str, args)]) == 0
    return capsys.readouterr().out


def test_a_promise_no_longer_made_reads_as_bad_news_in_the_text_view(versions, capsys):
    out = _diff(capsys, *versions)
    assert "[Sale of data · protective]" not in out, out  # read as a promise the policy makes
    assert f"- {LOST_PROMISE}: [Sale of data] Promises not to sell your personal data" in out, out
    assert f"{LOST_PROMISE}: promises not to sell your personal data." in " ".join(out.split()), out
    assert "No longer stated" not in out and "(protective)" not in out, out


def test_a_promise_no_longer_made_reads_as_bad_news_in_the_html_report(versions, capsys):
    page = _diff(capsys, *versions, "--format", "html")
    (change,) = re.findall(r'<div class="sp-change sp-change-removed">.*?</div>', page, re.S)
    assert f'<span class="sp-what">{LOST_PROMISE}</span>' in change, change
    assert "sp-tag-protective" not in change and "sp-protective" not in change, change  # the promise's green
    assert 'class="sp-tag sp-tag-concern">No longer promised<' in change and 'class="sp sp-concern"' in change
    assert f"{LOST_PROMISE}: promises not to sell your personal data." in page


@pytest.fixture
def node() -> None:
    """node runs the extension's own common.js: these tests skip locally without it and fail in CI (conftest.require)."""
    require(shutil.which("node") is not None, "needs node to run the extension's common.js")


NEEDS_NODE = pytest.mark.usefixtures("node")


def common_js(expression: str, *, stdin: str = "", timezone: str = "UTC"):
    """The value (as JSON) of a JavaScript `expression` over the extension's own common.js (its `SP`), run by node;
    `stdin` is readable as `input`."""
    script = ("const fs = require('fs'), vm = require('vm'); const ctx = {}; vm.createContext(ctx);"
              f"vm.runInContext(fs.readFileSync({json.dumps(str(EXTENSION / 'common.js'))}, 'utf8') + "
              "';globalThis.SP = SP;', ctx); const SP = ctx.SP; const input = fs.readFileSync(0, 'utf8');"
              f"process.stdout.write(JSON.stringify({expression}));")
    done = subprocess.run(["node", "-e", script], input=stdin, capture_output=True, text=True, timeout=60, check=True,
                          env={"PATH": os.environ["PATH"], "TZ": timezone})
    return json.loads(done.stdout)


def _popup_wording(changes: dict) -> list[dict]:
    """The popup's wording of each listed clause, by common.js itself, as popup.js lists them."""
    return common_js("['added', 'changed', 'removed'].flatMap((key) => (JSON.parse(input)[key] ?? []).map((c) => ("
                     "{key, practice: c.practice, ...SP.changeWording(key, c), "
                     "mark: SP.POLARITY_MARKS[SP.changeWording(key, c).polarity], lost: SP.LOST_PROMISE})))",
                     stdin=json.dumps(changes))


def _summary_and_text_view(capsys, versions) -> tuple[str, str]:
    """The diff's summary (JSON), after checking the HTML report heads with the same words, and the text view with
    its lines joined."""
    summary = json.loads(_diff(capsys, *versions, "--format", "json"))["summary"]
    page = _diff(capsys, *versions, "--format", "html")
    assert f'<p class="sp-headline">{html.escape(summary)}</p>' in page, page
    return summary, " ".join(_diff(capsys, *versions).split())


@NEEDS_NODE
def test_the_popup_lists_a_promise_no_longer_made_with_the_concern_mark(versions, capsys):
    changes = json.loads(_diff(capsys, *versions, "--format", "json"))
    listed = _popup_wording(changes)
    (removed,) = [item for item in listed if item["key"] == "removed"]
    assert removed["practice"] == "sale_of_data"
    assert (removed["verb"], removed["polarity"], removed["mark"]) == (LOST_PROMISE, "concern", "\u2717"), removed
    assert removed["lost"] == LOST_PROMISE  # the popup and the reports say it in the same words
    popup = (EXTENSION / "popup.js").read_text(encoding="utf-8")
    assert "SP.changeWording(key, clause)" in popup and "polarityMark(said.polarity)" in popup


# --- one date format: "9 August 2024" (report.reader_date) wherever a reader reads a date --------------------------

_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_PADDED_DAY = re.compile(r"\b0\d (?:January|February|March|April|May|June|July|August|September|October|November|"
                         r"December) \d{4}\b")


def test_history_names_each_version_s_days_as_its_summary_names_them(smallprint_home, capsys):
    from smallprint import analyze
    from smallprint.history.store import Store

    with Store() as store:
        later = NEW + "\nWe may use your content to train artificial intelligence models.\n"
        for text, now in ((OLD, "2024-01-05T09:00:00Z"), (later, "2024-08-09T09:00:00Z")):
            store.record("https://example.com/privacy", analyze(text=text, url="https://example.com/privacy",
                                                              depth="quick").to_dict(), now=now)
    assert main(["history", "example.com"]) == 0
    out = capsys.readouterr().out
    assert "#1  5 January 2024  " in out and "#2  9 August 2024  " in out, out
    assert "New since 5 January 2024: may use your data" in " ".join(out.split()), out
    assert not _ISO_DAY.search(out), out  # "2024-08-09" above "New since 9 August 2024" before
    assert main(["history", "example.com", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert "Version #2 · 9 August 2024</h3>" in page and not _ISO_DAY.search(page), page


def test_the_diff_report_writes_its_dates_one_way(versions):
    from datetime import datetime, timezone

    from smallprint import analyze
    from smallprint.history.diff import diff_analyses
    from smallprint.history.report_html import render_diff_html

    old, new = (analyze(text=p.read_text(encoding="utf-8"), depth="quick").to_dict() for p in versions)
    page = render_diff_html(diff_analyses(old, new, since="2024-01-05"), old_name="old", new_name="new",
                            generated_at=datetime(2026, 12, 6, 14, 5, tzinfo=timezone.utc))
    assert "Compared 6 December 2026, 14:05 UTC" in page and "old version of 5 January 2024" in page, page
    assert not _PADDED_DAY.search(page) and not _ISO_DAY.search(page)  # "06 December 2026" beside "5 January 2024"


@NEEDS_NODE
def test_the_popup_and_the_card_write_the_visit_s_date_as_the_summary_does():
    from smallprint.history.diff import format_since

    stamps = ["2024-08-09T23:30:00Z", "2024-01-05T00:10:00Z", "2024-08-09", "2023-05-18T23:59:59.123456Z"]
    for timezone in ("UTC", "America/Los_Angeles", "Asia/Tokyo"):  # the reader's own zone changes nothing
        shown = common_js(f"{json.dumps(stamps)}.map(SP.readableDate)", timezone=timezone)
        assert shown == [format_since(s) for s in stamps], (timezone, shown)
    for script_name, call in (("popup.js", "SP.readableDate(changes.previous_date)"),
                              ("content.js", "SP.readableDate(changes.previous_date")):
        source = (EXTENSION / script_name).read_text(encoding="utf-8")
        assert call in source and "toLocaleDateString" not in source, script_name


# --- added, reworded and removed, each under one name in every view, the counts adding up ---------------------------

REWORDED = OLD.replace("We use cookies to remember your preferences.",
                       "We use cookies and similar technologies to remember your preferences.") + \
    "\nWe may use your content to train artificial intelligence models.\n"


def test_each_list_is_named_as_the_summary_and_the_counts_name_it(versions, capsys):
    old, _ = versions
    new = old.with_name("2024-08-09_reworded.md")
    new.write_text(REWORDED, encoding="utf-8")
    out = _diff(capsys, old, new)
    # "Changed (1)" above "1 reworded" before; then "Added (1)" over the report's and the popup's "New"; then "New
    # version: ... 1 added" under a list of "New" clauses
    heading = re.search(r"^Changes about your data \((\d+)\): (.*)$", out, re.M)
    assert heading and heading.groups() == ("2", "1 new, 1 reworded"), out
    assert re.findall(r"^  [-+~] (\w+):", out, re.M) == ["New", "Reworded"], out
    tally = re.search(r"New version, (\d+) distinct statements: (\d+) kept, (\d+) new, (\d+) reworded\.", out)
    total, kept, added, reworded = map(int, tally.groups())
    assert (added, reworded) == (1, 1) and kept + added + reworded == total
    assert " added" not in out.split("Each distinct statement")[1], out
    page = _diff(capsys, old, new, "--format", "html")
    whats = re.findall(r'<span class="sp-what">([^<]+)</span>', page)
    assert whats == ["New", "Reworded"], whats
    assert "3 kept, 1 new, 1 reworded." in page and "about data practices: 1 new, 1 reworded." in page, page


def test_every_view_names_each_list_with_the_same_word():
    """The text view headed its list "Added" where the HTML report's boxes and the popup's lines said "New": each view
    takes its words from diff.CHANGE_WORDS (the text view's headings: the test above), the popup's from common.js
    SP.CHANGE_WORDS, kept equal here."""
    from smallprint.history.diff import CHANGE_WORDS

    assert CHANGE_WORDS == {"added": "New", "removed": "Removed", "changed": "Reworded"}
    assert common_js("SP.CHANGE_WORDS") == CHANGE_WORDS
    clause = {"practice": "sale_of_data", "polarity": "neutral", "findings": [{"practice": "sale_of_data"}]}
    verbs = common_js(f"['added', 'changed', 'removed'].map((key) => SP.changeWording(key, {json.dumps(clause)}).verb)")
    assert verbs == [CHANGE_WORDS[key] for key in ("added", "changed", "removed")], verbs


def test_a_version_with_no_data_change_is_said_so_in_the_lists_own_words(tmp_path, smallprint_home, capsys):
    """The HTML report and the history page said "No clause about a data practice was added, removed or changed."
    where every view lists the changes as "New", "Removed" and "Reworded" (diff.CHANGE_WORDS); so did `diff --help`."""
    from smallprint import analyze
    from smallprint.history.diff import CHANGE_WORDS
    from smallprint.history.store import Store

    words = [CHANGE_WORDS[key].lower() for key in ("added", "removed", "changed")]
    none_changed = f"No clause about a data practice is {words[0]}, {words[1]} or {words[2]}."
    later = OLD + "\nThis page was last reviewed by our editors.\n"  # states no data practice
    old, new = _written(tmp_path, **{"2024-01-05_policy": OLD, "2024-08-09_policy": later})
    assert none_changed in _diff(capsys, old, new, "--format", "html")
    with Store() as store:
        for text, now in ((OLD, "2024-01-05T09:00:00Z"), (later, "2024-08-09T09:00:00Z")):
            store.record("https://example.com/privacy", analyze(text=text, url="https://example.com/privacy",
                                                              depth="quick").to_dict(), now=now)
    assert main(["history", "example.com", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert "Version #2" in page and none_changed in page, page
    with pytest.raises(SystemExit):
        main(["diff", "--help"])
    assert f"each {words[0]}, {words[1]} or {words[2]} clause" in " ".join(capsys.readouterr().out.split())


@NEEDS_NODE
def test_the_card_tells_a_reworded_clause_from_a_new_one():
    assert common_js("[SP.sinceLine('added', '9 August 2024'), SP.sinceLine('changed', '9 August 2024'), "
                     "SP.sinceLine('changed', null)]") == ["New since 9 August 2024", "Reworded since 9 August 2024",
                                                         "Reworded since your last visit"]
    content = (EXTENSION / "content.js").read_text(encoding="utf-8")
    # the card's line comes from the list its clause is in, not "New since" for an added and a reworded one alike
    assert "SP.sinceLine(info.fresh.indices.get(info.indices[0]), info.fresh.since)" in content
    assert '["changed", changes.changed]' in content and "`New since ${" not in content


# --- a practice is never both new and gone in one summary ----------------------------------------------------------

def _summary_parts(summary: str) -> dict[str, str]:
    """The summary's sentences by their lead ("New since …", "No longer promised", "No longer stated", ...)."""
    return {m[1]: m[2] for m in re.finditer(r"(New since [^:]+|New in this version|No longer promised|"
                                            r"No longer stated|No longer mentioned|Reworded|More clauses about|"
                                            r"Fewer clauses about)"
                                            r":? (.*?)(?=\. [A-Z]|\.$)", summary)}


def test_a_practice_read_in_a_removed_and_an_added_clause_is_neither_new_nor_gone(shared_data, tmp_path, capsys):
    """facebook 2009 -> 2012: a government-requests clause went and another came, both read as protective only when
    re-read alone. The summary said it was "New since 11 December 2009" and "No longer promised" in one breath."""
    folder = shared_data / "policies" / "facebook"
    old, new = tmp_path / "2009-12-11_policy.md", tmp_path / "2012-12-26_policy.md"
    old.write_bytes((folder / "2009-12-11_pga1_3cca8a0.md").read_bytes())
    new.write_bytes((folder / "2012-12-26_pga1_3cca8a0.md").read_bytes())
    summary = json.loads(_diff(capsys, old, new, "--format", "json"))["summary"]
    parts = _summary_parts(summary)
    new_part = next(v for k, v in parts.items() if k.startswith("New since"))
    gone = "; ".join(parts.get(k, "") for k in ("No longer promised", "No longer stated", "No longer mentioned"))
    # a neutral practice is "mentions retention (neutral)" when new, "retention" when gone (No longer mentioned)
    said_new = {p.strip().rsplit(" (", 1)[0].removeprefix("mentions ") for p in new_part.split(";")}
    said_gone = {p.strip().rsplit(" (", 1)[0] for p in gone.split(";") if p.strip()}
    assert not said_new & said_gone, summary
    assert "tells you about government requests or resists them" not in gone, summary



# --- the summary names only what the counts count ----------------------------------------------------------------

def _youtube_2008_and_2015(shared_data, tmp_path) -> tuple[Path, Path]:
    folder = shared_data / "policies" / "youtube"
    old, new = tmp_path / "2008-11-20_policy.md", tmp_path / "2015-03-03_policy.md"
    old.write_bytes((folder / "2008-11-20_pga1_3cca8a0.md").read_bytes())
    new.write_bytes((folder / "2015-03-03_pga1_3cca8a0.md").read_bytes())
    return old, new


def _no_rewording_named(summary: str, counts: dict) -> None:
    assert counts["data_use"]["changed"] == 0, counts  # no data-use clause was reworded: the summary says none was
    assert "Reworded" not in summary and "New and removed clauses about Advertising" in summary, summary


def test_every_view_of_a_diff_with_no_rewording_names_none(shared_data, tmp_path, capsys):
    """youtube 2008 -> 2015: "Reworded: Advertising (concern) ... and 6 more" with `data_use.changed: 0`."""
    old, new = _youtube_2008_and_2015(shared_data, tmp_path)
    as_json = json.loads(_diff(capsys, old, new, "--format", "json"))
    _no_rewording_named(as_json["summary"], as_json["counts"])
    assert html.escape(as_json["summary"], quote=False) in _diff(capsys, old, new, "--format", "html")
    assert " ".join(as_json["summary"].split()) in " ".join(_diff(capsys, old, new).split())


@pytest.mark.asyncio
async def test_the_extension_s_summary_names_no_rewording_where_none_was(api, shared_data, tmp_path):
    old, new = _youtube_2008_and_2015(shared_data, tmp_path)
    await api_analyze(api, old.read_text(encoding="utf-8"))
    changes = (await api_analyze(api, new.read_text(encoding="utf-8")))["changes_since_last_visit"]
    _no_rewording_named(changes["summary"], changes["counts"])

# --- the popup's lists: the most important first, and what was left out said -------------------------------------

MANY_ADDED = OLD + "".join(f"\nWe use cookies to measure visit number {n} to our pages.\n" for n in range(1, 8)) + \
    "\nWe may use your content to train artificial intelligence models.\n"


@pytest.mark.asyncio
async def test_the_extension_gets_each_list_most_important_first(api):
    """Seven tracking clauses come before the AI-training one in the new version: the popup, which lists five,
    showed five "New: Tracking" and not the clause the summary leads with."""
    policy = "# Privacy Policy of Example Ltd\n\n" + OLD.split("\n", 2)[2]
    await api_analyze(api, policy)
    changes = (await api_analyze(api, policy + MANY_ADDED.split(OLD, 1)[1]))["changes_since_last_visit"]
    added = changes["added"]
    assert len(added) == 8 and added[0]["practice"] == "ai_training", [c["practice"] for c in added]
    assert changes["summary"].startswith("New since") and "train AI models" in changes["summary"]


@NEEDS_NODE
def test_the_popup_says_how_many_clauses_of_each_kind_it_left_out():
    from smallprint.history.diff import LIST_ORDER, counts_line

    left = [{"key": "added"}] * 78 + [{"key": "removed"}] * 2 + [{"key": "changed"}]
    line = common_js(f"SP.moreLine({json.dumps(left)})")
    # "…and 73 more new" per list before; now the reports' counts, in their words and order
    assert line == f"\u2026and 81 more: {counts_line({'added': 78, 'removed': 2, 'changed': 1})}" == \
        "\u2026and 81 more: 2 removed, 78 new, 1 reworded", line
    assert common_js("SP.LIST_ORDER") == list(LIST_ORDER)
    popup = (EXTENSION / "popup.js").read_text(encoding="utf-8")
    assert "SP.inReadingOrder(changes)" in popup and "SP.moreLine(left)" in popup


# --- one order in every view: most important first, a promise no longer made and a new concern leading -------------

BOTH_WAYS_OLD = OLD + "\nWe use cookies to measure visits to our pages.\n"
BOTH_WAYS_NEW = (NEW + "\nWe use cookies and similar technologies to measure visits to our pages.\n"
                 "\nWe may share your information with advertising partners.\n"
                 "\nYou can ask us to delete your account at any time.\n")


@pytest.fixture
def both_ways(tmp_path):
    """A promise dropped (sale of data), a concern and a promise added, a neutral clause reworded."""
    return _written(tmp_path, **{"2024-01-05_policy": BOTH_WAYS_OLD, "2024-08-09_policy": BOTH_WAYS_NEW})


def _whats_in(out: str) -> list[str]:
    return re.findall(r"^  [-+~] ([^:]+):", out, re.M)


def test_every_view_lists_the_changes_in_one_order(both_ways, capsys):
    """The text view listed New, Removed, Reworded and the popup New, Reworded, Removed: a promise no longer made came
    after every new clause, where the HTML report led with it. Every view now lists one list by diff.reading_order."""
    from smallprint.history.diff import CHANGE_WORDS, LIST_ORDER

    text = _whats_in(_diff(capsys, *both_ways))
    assert text[0] == LOST_PROMISE and set(text) >= {LOST_PROMISE, "New", "Reworded"}, text
    page = _diff(capsys, *both_ways, "--format", "html")
    assert re.findall(r'<span class="sp-what">([^<]+)</span>', page) == text
    assert set(LIST_ORDER) == set(CHANGE_WORDS)


@pytest.mark.asyncio
@NEEDS_NODE
async def test_the_popup_lists_the_changes_in_the_text_view_s_order(api, both_ways, capsys):
    old, new = (p.read_text(encoding="utf-8") for p in both_ways)
    await api_analyze(api, old)
    changes = (await api_analyze(api, new))["changes_since_last_visit"]
    assert sorted(map(tuple, changes["order"])) == sorted(
        (key, k) for key in ("added", "removed", "changed") for k in range(len(changes[key])))
    popup = [item["verb"] for item in common_js(
        "SP.inReadingOrder(JSON.parse(input)).map(({key, clause}) => SP.changeWording(key, clause))",
        stdin=json.dumps(changes))]
    assert popup == _whats_in(_diff(capsys, *both_ways)), popup
    assert popup[0] == LOST_PROMISE, popup


# --- a version that is not a policy ---------------------------------------------------------------------------------

def test_a_version_that_is_not_a_policy_is_said_to_be_none_before_what_it_no_longer_promises(versions, capsys):
    """A policy's address answered with an error page: compared as it is, the page "no longer promises" everything,
    and the reader is told first that it is no policy, in every format."""
    old, _ = versions
    page = old.with_name("404.html")
    page.write_text("<html><head><title>Page not found</title></head><body><h1>404</h1><p>Sorry, the page you are "
                    "looking for could not be found.</p><p><a href=\"/\">Go home</a></p></body></html>",
                    encoding="utf-8")
    note = "404.html does not read as a policy: what it lacks or adds may be the page, not a change to the policy."
    lines = _diff(capsys, old, page).splitlines()
    assert lines[1].startswith("Read: ")  # which reading answered, under the heading
    assert " ".join(lines[3:5]) == f"Note: {note}", lines[:7]
    assert lines[6].startswith(LOST_PROMISE), lines[:7]
    assert json.loads(_diff(capsys, old, page, "--format", "json"))["notes"] == [note]
    assert f'<p class="sp-note">Note: {note}</p>' in _diff(capsys, old, page, "--format", "html")
    assert json.loads(_diff(capsys, *versions, "--format", "json"))["notes"] == []  # two policies: no note


# --- a concern no longer stated is good news: never shown with the concern's mark -----------------------------------

CONCERN = "We may sell your personal information to data brokers."
WITH_CONCERN = OLD + f"\n{CONCERN}\n"
CONCERN_REWORDED_AWAY = OLD + "\nWe may sell gift cards to data brokers.\n"


@pytest.fixture
def concern_gone(tmp_path):
    """The old version states a concern (sale of data); one new version drops the clause, the other rewords it into
    a sentence that states no practice."""
    return _written(tmp_path, **{"2024-01-05_policy": WITH_CONCERN, "2024-08-09_removed": OLD,
                                 "2024-08-09_reworded": CONCERN_REWORDED_AWAY})


def test_a_concern_no_longer_stated_reads_as_good_news_in_the_text_view(concern_gone, capsys):
    from smallprint.history.diff import NO_LONGER_STATED

    old, removed, reworded = concern_gone
    for new, sign in ((removed, "-"), (reworded, "~")):
        out = _diff(capsys, old, new)
        assert "[Sale of data · concern]" not in out, out  # listed as the concern it no longer is
        assert f"  {sign} {NO_LONGER_STATED}: [Sale of data] May sell your personal data" in out, out
        assert f"{NO_LONGER_STATED}: may sell" in " ".join(out.split()), out  # the summary's words


def test_a_concern_no_longer_stated_reads_as_good_news_in_the_html_report(concern_gone, capsys):
    from smallprint.history.diff import NO_LONGER_STATED

    old, removed, reworded = concern_gone
    for new, kind in ((removed, "removed"), (reworded, "changed")):
        page = _diff(capsys, old, new, "--format", "html")
        (change,) = re.findall(rf'<div class="sp-change sp-change-{kind}[^"]*">.*?</div>', page, re.S)
        assert f'<span class="sp-what">{NO_LONGER_STATED}</span>' in change, change
        assert "sp-concern" not in change and "sp-tag-concern" not in change, change  # the concern's red
        assert f'class="sp-tag sp-tag-protective">{NO_LONGER_STATED}<' in change and "sp-good-news" in change, change


@NEEDS_NODE
def test_the_popup_lists_a_concern_no_longer_stated_with_a_promise_s_mark(concern_gone, capsys):
    from smallprint.history.diff import NO_LONGER_STATED

    old, removed, reworded = concern_gone
    for new, key in ((removed, "removed"), (reworded, "changed")):
        (item,) = _popup_wording(json.loads(_diff(capsys, old, new, "--format", "json")))
        assert (item["key"], item["practice"]) == (key, "sale_of_data"), item
        # "✗ Reworded: Sale of data (concern)" before
        assert (item["verb"], item["polarity"], item["mark"], item["word"]) == \
            (NO_LONGER_STATED, "protective", "\u2713", ""), item
    assert common_js("SP.NO_LONGER_STATED") == NO_LONGER_STATED  # the popup and the reports say it in the same words


# --- bad news first: a promise no longer made is listed before a concern no longer stated --------------------------

@pytest.fixture
def both_gone(tmp_path):
    """The old version makes a promise and states a concern about the sale of data; the new one has neither."""
    return _written(tmp_path, **{"2024-01-05_policy": WITH_CONCERN, "2024-08-09_policy": NEW})


def test_removed_lists_a_promise_no_longer_made_before_a_concern_no_longer_stated(both_gone, capsys):
    from smallprint.history.diff import NO_LONGER_STATED

    out = _diff(capsys, *both_gone)
    removed = re.findall(r"^  - (No longer \w+):", out, re.M)
    assert removed == [LOST_PROMISE, NO_LONGER_STATED], out  # the good news came first before
    page = _diff(capsys, *both_gone, "--format", "html")
    assert re.findall(r'<span class="sp-what">([^<]+)</span>', page) == [LOST_PROMISE, NO_LONGER_STATED], page


@pytest.mark.asyncio
async def test_the_popup_gets_a_promise_no_longer_made_before_a_concern_no_longer_stated(api):
    policy = "# Privacy Policy of Example Ltd\n\n" + WITH_CONCERN.split("\n", 2)[2]
    await api_analyze(api, policy)
    changes = (await api_analyze(api, "# Privacy Policy of Example Ltd\n\n" + NEW.split("\n", 2)[2])
               )["changes_since_last_visit"]
    removed = [(c["practice"], c["polarity"]) for c in changes["removed"]]
    assert removed == [("sale_of_data", "protective"), ("sale_of_data", "concern")], removed


# --- the summary says a concern no longer stated as the good news it is, a neutral practice gone apart ---------------

NEUTRAL = ("We keep your data for as long as your account is open.\n\n"
           "We may update this privacy policy from time to time and will post the new version on this page.\n")


def test_the_summary_names_a_concern_no_longer_stated_plainly_and_a_neutral_practice_gone_apart(tmp_path, capsys):
    """The summary said "No longer stated: may sell or "share" your personal data (concern); mentions retention
    (neutral); mentions policy changes (neutral)": good news tagged as a concern, and neutral practices among it."""
    from smallprint.history.diff import NO_LONGER_MENTIONED, NO_LONGER_STATED

    versions = _written(tmp_path, **{"2024-01-05_policy": WITH_CONCERN + "\n" + NEUTRAL, "2024-08-09_policy": NEW})
    summary, out = _summary_and_text_view(capsys, versions)
    assert summary == (f"{LOST_PROMISE}: promises not to sell your personal data. "
                       f"{NO_LONGER_STATED}: may sell or \"share\" your personal data. "
                       f"{NO_LONGER_MENTIONED}: retention; policy changes."), summary
    assert summary in out and "(concern)" not in out and "(neutral)" not in out, out



def test_the_summary_names_a_neutral_practice_new_to_the_policy_as_it_names_one_gone(tmp_path, capsys):
    """"New since" said a neutral practice as "mentions retention (neutral)" among the new concerns and promises, where
    the same practice gone reads "No longer mentioned: retention": now "Newly mentioned: retention", in the same place
    (after the turned clauses, beside "No longer mentioned"), in every view."""
    from smallprint.history.diff import NEWLY_MENTIONED

    versions = _written(tmp_path, **{"2024-01-05_policy": NEW, "2024-08-09_policy": WITH_CONCERN + "\n" + NEUTRAL})
    summary, out = _summary_and_text_view(capsys, versions)
    assert summary == ("New since 5 January 2024: may sell or \"share\" your personal data (concern); promises not to "
                       f"sell your personal data (protective). {NEWLY_MENTIONED}: retention; policy changes."), summary
    assert summary in out and "(neutral)" not in out and "mentions " not in out, out


def test_a_summary_that_only_has_neutral_practices_new_still_says_since_when(tmp_path, capsys):
    """Said first, "Newly mentioned" carries the date that "New since" would have ("New since 5 January 2024: mentions
    retention (neutral); ..." before); with an old version of no known date, "in this version"."""
    dated = _written(tmp_path, **{"2024-01-05_policy": OLD, "2024-08-09_policy": OLD + "\n" + NEUTRAL})
    summary = json.loads(_diff(capsys, *dated, "--format", "json"))["summary"]
    assert summary == "Newly mentioned since 5 January 2024: retention; policy changes.", summary
    undated = _written(tmp_path, old=OLD, new=OLD + "\n" + NEUTRAL)
    summary = json.loads(_diff(capsys, *undated, "--format", "json"))["summary"]
    assert summary == "Newly mentioned in this version: retention; policy changes.", summary

# --- one old sentence reworded into two new ones: the old one shown once, both new ones listed ----------------------

_TWICE = "Test out new products and features to see if they work"
SAID_TWICE = f"""# Example Privacy Policy

We collect your name and email address when you create an account.

We use your information to:

- {_TWICE}
- Keep our services secure

Our partners use your information to:

- {_TWICE}
- Measure their ads
"""
REWORDED_TWO_WAYS = SAID_TWICE.replace(f"- {_TWICE}\n- Keep", f"- Build and t{_TWICE[1:]}\n- Keep").replace(
    f"- {_TWICE}\n- Measure", f"- Build and t{_TWICE[1:]}, and\n- Measure")


def test_one_old_sentence_reworded_two_ways_is_shown_once(tmp_path, capsys):
    """facebook 2024 -> 2025 said "was: Test out new products and features to see if they work" twice, over "... to
    see if they work" and "... to see if they work, and"."""
    from smallprint.history.diff import SAME_OLD_WORDING

    versions = _written(tmp_path, **{"2024-01-05_policy": SAID_TWICE, "2024-08-09_policy": REWORDED_TWO_WAYS})
    out = _diff(capsys, *versions, "--all")
    assert out.count(f"was: {_TWICE}") == 1, out
    listed = re.findall(r"^      (was|now): (.*)$", out, re.M)
    assert listed == [("was", _TWICE), ("now", f"Build and t{_TWICE[1:]}"),
                      ("was", SAME_OLD_WORDING), ("now", f"Build and t{_TWICE[1:]}, and")], out
    page = _diff(capsys, *versions, "--format", "html")
    boxes = re.findall(r'<div class="sp-change sp-change-changed">.*?</div>', page, re.S)
    assert len(boxes) == 2 and "the same sentence as the clause above" in boxes[1], boxes
    assert "the same sentence" not in boxes[0], boxes


def test_the_html_report_shows_the_second_new_wording_plainly(tmp_path):
    """The second box struck through the old sentence's words again, as a word diff against it ("<del>Test</del>
    <ins>Build and test</ins> out new products ..."), although the box above had shown them struck."""
    page = tmp_path / "report.html"
    versions = _written(tmp_path, **{"2024-01-05_policy": SAID_TWICE, "2024-08-09_policy": REWORDED_TWO_WAYS})
    assert main(["diff", *map(str, versions), "--format", "html", "--out", str(page)]) == 0
    first, second = re.findall(r'<div class="sp-change sp-change-changed">(.*?)</div>', page.read_text(), re.S)
    assert '<del class="sp-del">Test</del>' in first, first  # the old sentence against the first new one, once
    assert "<del" not in second and "<ins" not in second and "Now reads" not in second, second
    assert re.sub(r"<[^>]+>", "", second) == ("Reworded" + f"Build and t{_TWICE[1:]}, and"
                                              + "Reworded from the same sentence as the clause above."), second


# --- an old version of no known date: never "New since old.md" or "New since stdin" ----------------------------------

def test_an_old_version_without_a_date_is_not_named_as_one(tmp_path, capsys, monkeypatch):
    import io
    import sys

    old, new = _written(tmp_path, old=OLD, new=REWORDED)
    expected = "New in this version: may use your data or content to train AI models (concern)."
    out = _diff(capsys, old, new)
    assert out.splitlines()[3] + " " + out.splitlines()[4] == expected + " Reworded: Tracking (neutral).", out
    assert "New since" not in out  # "New since old.md: ..." before
    as_json = json.loads(_diff(capsys, old, new, "--format", "json"))
    assert as_json["since"] is None and as_json["summary"].startswith(expected), as_json
    page = _diff(capsys, old, new, "--format", "html")
    assert "old version of" not in page and "New since" not in page, page
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(OLD.encode()), encoding="utf-8"))
    summary = json.loads(_diff(capsys, "-", new, "--format", "json"))["summary"]
    assert summary.startswith(expected) and "stdin" not in summary, summary  # "New since stdin: ..." before
    assert _diff(capsys, old, old).splitlines()[3] == "No change to data practices."  # not "... since old.md."
