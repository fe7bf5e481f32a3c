"""Defects a demanding user found in the command line and its HTML reports, each through the real command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SHORT_POLICY = "# Privacy Policy\n\nWe collect your email address.\n\nWe sell your data to advertisers.\n"


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """An isolated SMALLPRINT_HOME and Python's usual block-buffered standard output (PYTHONUNBUFFERED, which some
    shells and CI runners set, hides what buffering does at exit)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "NO_COLOR")}
    return {**env, "SMALLPRINT_HOME": str(home), **extra}


def smallprint(env: dict[str, str], *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], env=env, input=stdin, capture_output=True,
                          timeout=300)


def smallprint_into_closed_pipe(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The command with standard output a pipe that nobody reads any more (`... | true`, `... | grep -q x` that has
    already matched)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "smallprint", *args], env=env, stdout=write_end,
                              stderr=subprocess.PIPE, timeout=300)
    finally:
        os.close(write_end)


# --- a reader that leaves early ------------------------------------------------------------------------------

@pytest.mark.parametrize("unbuffered", [False, True])
def test_a_short_answer_into_a_closed_pipe_keeps_its_exit_status_and_says_nothing(tmp_path, unbuffered):
    """A short output sat in Python's buffer until exit, where the closed pipe gave exit status 120 and 'Exception
    ignored ... BrokenPipeError' on stderr; `status`'s 3 (not running) became 0 when the pipe broke mid-command."""
    env = cli_env(tmp_path / "sp-home", **({"PYTHONUNBUFFERED": "1"} if unbuffered else {}))
    policy = tmp_path / "policy.md"
    policy.write_text(SHORT_POLICY)
    for args, expected in ((("analyze", str(policy), "--depth", "quick"), 0),
                           (("history", "example.com"), 0),
                           (("status",), 3),
                           (("status", "--json"), 3)):
        done = smallprint_into_closed_pipe(env, *args)
        assert (done.returncode, done.stderr.decode()) == (expected, ""), args


# --- the text view ------------------------------------------------------------------------------------------

def test_a_page_with_no_grade_says_so_in_the_label_column_and_names_the_option(tmp_path):
    """"Grade: none." was indented under "Read:" as if part of it, and told the reader to "ask for an analysis as
    a policy" without naming the option that does it."""
    policy = tmp_path / "policy.md"
    policy.write_text(SHORT_POLICY)
    done = smallprint(cli_env(tmp_path / "sp-home"), "analyze", str(policy), "--depth", "quick")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    grade = next(i for i, line in enumerate(lines) if "Grade:" in line)
    assert lines[grade].startswith("Grade: none.")
    assert "--as-policy" in " ".join(lines[grade:grade + 3])
    graded = smallprint(cli_env(tmp_path / "sp-home"), "analyze", str(policy), "--depth", "quick", "--as-policy")
    assert "Grade: none" not in graded.stdout.decode()


def test_in_short_counts_one_practice_and_one_clause_in_the_singular(tmp_path):
    policy = tmp_path / "policy.md"
    policy.write_text(SHORT_POLICY)
    done = smallprint(cli_env(tmp_path / "sp-home"), "analyze", str(policy), "--depth", "quick", "--all")
    assert done.returncode == 0, done.stderr
    assert ": 1 practice found, 1 clause highlighted." in done.stdout.decode()


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_an_undetermined_language_is_said_in_words_not_as_und(tmp_path, fmt):
    """A text too short to tell its language showed "language und" (BCP 47's code), which reads as a word."""
    policy = tmp_path / "policy.md"
    policy.write_text(SHORT_POLICY)
    done = smallprint(cli_env(tmp_path / "sp-home"), "analyze", str(policy), "--depth", "quick", "--format", fmt)
    out = done.stdout.decode()
    assert done.returncode == 0 and "language not determined" in out and "language und" not in out


# --- the change reports -------------------------------------------------------------------------------------

OLD_POLICY = "# Privacy Policy\n\nWe collect your email address.\n\nWe do not sell your personal information.\n"
NEW_POLICY = OLD_POLICY + "\nWe share your precise location with advertisers so that they can show you ads.\n"


@pytest.fixture
def remembered(tmp_path, monkeypatch) -> dict[str, str]:
    """Two versions of example.com's policy in a store under tmp_path, through the real analysis and store; the
    environment for commands that read it."""
    from smallprint import analyze
    from smallprint.history.store import Store

    home = tmp_path / "sp-home"
    monkeypatch.setenv("SMALLPRINT_HOME", str(home))  # the store's folder, as the command finds it
    with Store() as store:
        for text, when in ((OLD_POLICY, "2024-01-02T09:00:00Z"), (NEW_POLICY, "2025-03-04T09:00:00Z")):
            store.record("https://example.com/privacy", analyze(text=text, depth="quick").to_dict(), now=when)
    return cli_env(home)


def test_change_reports_promise_no_hover_cards_they_do_not_have(tmp_path, remembered):
    """The diff and history pages' legend said "Hover over or tab to a highlight to see what it means", but their
    highlights have no card; the analysis report's have, and it says how to see them (hover, or a link to them:
    highlights are no Tab stops, see test_report.py)."""
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(OLD_POLICY)
    new.write_text(NEW_POLICY)
    pages = {"diff": smallprint(remembered, "diff", str(old), str(new), "--format", "html"),
             "history": smallprint(remembered, "history", "example.com", "--format", "html"),
             "analyze": smallprint(remembered, "analyze", str(new), "--depth", "quick", "--format", "html")}
    for name, done in pages.items():
        assert done.returncode == 0, (name, done.stderr)
        page = done.stdout.decode()
        promised = "to see what it means" in page
        has_cards = "data-card=" in page
        assert promised == has_cards, name
    assert '<mark class="sp sp-concern"' in pages["diff"].stdout.decode()  # the change reports do paint highlights
    assert "follow a link to it" in pages["analyze"].stdout.decode()


def test_history_names_the_kind_of_page_in_words(remembered):
    """`history` showed the store's identifier ("privacy_policy") where the other views say "privacy policy"."""
    text = smallprint(remembered, "history", "example.com")
    page = smallprint(remembered, "history", "example.com", "--format", "html")
    assert text.returncode == page.returncode == 0, (text.stderr, page.stderr)
    for out in (text.stdout.decode(), page.stdout.decode()):
        assert "privacy_policy" not in out and "rivacy policy" in out


# --- the analysis report --------------------------------------------------------------------------------------

def _heading_levels(page: str) -> list[int]:
    """Every heading's level in document order: <h1>-<h6> and role="heading" elements with their aria-level."""
    from html.parser import HTMLParser

    levels: list[int] = []

    class Headings(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
                levels.append(int(tag[1]))
            elif attrs.get("role") == "heading":
                levels.append(int(attrs["aria-level"]))

    Headings().feed(page)
    return levels


def test_the_report_has_one_top_heading_and_the_policys_headings_nest_under_it(tmp_path):
    """The policy's own "# Privacy Policy" was a second level-1 heading, after the summary's level-2 ones, so a
    screen reader's outline put the policy and the list of highlights beside the report, not in it."""
    policy = tmp_path / "policy.md"
    policy.write_text("# Privacy Policy\n\n## What we collect\n\nWe collect your email address.\n\n"
                      "### Sharing\n\nWe sell your data to advertisers.\n")
    done = smallprint(cli_env(tmp_path / "sp-home"), "analyze", str(policy), "--depth", "quick", "--format", "html")
    assert done.returncode == 0, done.stderr
    levels = _heading_levels(done.stdout.decode())
    assert levels.count(1) == 1 and levels[0] == 1
    policy_levels = [lvl for lvl in levels[1:] if lvl > 2]
    assert policy_levels == [3, 4]  # the policy's h2 and h3, under its h1 (now level 2)
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))  # no level skipped on the way down


# --- eval -----------------------------------------------------------------------------------------------------

def test_eval_on_pages_that_are_no_policy_shows_no_failing_precision_and_recall(shared_data, tmp_path):
    """Negative pages alone (all rightly passed over) were reported as "precision 0.000  recall 0.000  F1 0.000",
    which reads as a detector that fails; there is nothing to find and nothing was found."""
    done = smallprint(cli_env(tmp_path / "sp-home"), "eval", "--negatives", str(shared_data / "negatives"),
                      "--depth", "quick")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "fp 0, fn 0" in out and "precision -  recall -  F1 -" in out and "0.000" not in out


def test_eval_opp115_table_leaves_unmeasurable_figures_blank_and_counts_in_the_singular(shared_data, tmp_path):
    """A category no segment has was shown with recall 0.000; one policy was "1 policies"."""
    rows = (shared_data / "opp115" / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    first_policy = [r for r in rows if json.loads(r)["policy_id"] == json.loads(rows[0])["policy_id"]][:5]
    segments = tmp_path / "segments.jsonl"
    segments.write_text("\n".join(first_policy) + "\n", encoding="utf-8")
    done = smallprint(cli_env(tmp_path / "sp-home"), "eval", "--opp115", str(segments), "--depth", "quick")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert f"({len(first_policy)} segments, 1 policy)" in out
    unseen = [line.split() for line in out.splitlines() if line.startswith("  ") and line.rstrip().endswith(" 0")
              and not line.lstrip().startswith(("micro", "category", "NOTE"))]
    assert unseen and all(columns[-3] == "-" for columns in unseen)  # R, then F1 and n


def test_eval_given_a_folder_for_a_file_says_so(tmp_path):
    done = smallprint(cli_env(tmp_path / "sp-home"), "eval", "--opp115", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.decode() == f"smallprint: --opp115 {tmp_path}: a folder, not a file\n"


# --- diff -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, heading", [("text", "smallprint diff: stdin -> new.md"), ("html", "<h1>stdin → new.md</h1>")])
def test_a_version_read_from_stdin_is_named_stdin(tmp_path, fmt, heading):
    """`diff - new.md` headed its text and its report with a bare "-", while its summary said "stdin"."""
    new = tmp_path / "new.md"
    new.write_text(NEW_POLICY)
    done = subprocess.run([sys.executable, "-m", "smallprint", "diff", "-", "new.md", "--format", fmt],
                          cwd=tmp_path, env=cli_env(tmp_path / "sp-home"), input=OLD_POLICY.encode(),
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert heading in done.stdout.decode()


# --- what the commands accept, and the names of what they read ------------------------------------------------

@pytest.mark.parametrize("command", ["analyze", "diff"])
def test_help_says_pdfs_and_stdin_are_read(tmp_path, command):
    """Both read PDFs and `-` for stdin (cli/inputs.py), but their --help said neither (diff) or not PDFs (analyze)."""
    done = smallprint(cli_env(tmp_path / "sp-home"), command, "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.decode().split())  # argparse wraps lines anywhere
    assert "PDF" in text and "- for stdin" in text, text


# A Latin-1 file name from an old archive: not UTF-8, so Python holds its \xe9 byte as a lone surrogate.
LATIN1_NAME = os.fsdecode(b"caf\xe9.md")


def test_a_file_name_that_is_not_utf8_is_escaped_not_lost(tmp_path):
    """It was printed as "caf?.md" even in --format json; every view now writes the byte as \\xe9."""
    env = cli_env(tmp_path / "sp-home")
    (tmp_path / LATIN1_NAME).write_text(OLD_POLICY, encoding="utf-8")
    (tmp_path / "new.md").write_text(NEW_POLICY, encoding="utf-8")
    (tmp_path / os.fsdecode(b"vide\xe9.md")).write_bytes(b"")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "smallprint", *args], cwd=tmp_path, env=env,
                              capture_output=True, timeout=300, check=False)

    analysed = run("analyze", LATIN1_NAME, "--depth", "quick")
    assert analysed.returncode == 0, analysed.stderr
    assert analysed.stdout.decode().splitlines()[0] == "caf\\xe9.md"
    as_json = run("diff", LATIN1_NAME, "new.md", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    diff = json.loads(as_json.stdout)
    # no date in the name: the summary names no file ("New in this version"), and `since` is none
    assert (diff["old"], diff["since"]) == ("caf\\xe9.md", None) and "caf" not in diff["summary"]
    as_text = run("diff", LATIN1_NAME, "new.md").stdout.decode()
    assert as_text.startswith("smallprint diff: caf\\xe9.md -> new.md\n") and "?" not in as_text.splitlines()[0]
    assert "<h1>caf\\xe9.md → new.md</h1>" in run("diff", LATIN1_NAME, "new.md", "--format", "html").stdout.decode()
    empty = run("analyze", os.fsdecode(b"vide\xe9.md"))
    assert empty.returncode == 1 and empty.stderr.decode() == "smallprint: nothing to analyse: vide\\xe9.md is empty\n"


def test_an_escaped_file_name_still_cannot_drive_the_terminal(tmp_path):
    """The escape is for bytes that are not UTF-8; a control sequence that is valid UTF-8 in the same name is still
    shown as U+FFFD by the text views, and escaped by JSON (where it is kept, as data)."""
    hostile = os.fsdecode(b"caf\xe9\x1b]0;OWNED\x07.md")
    env = cli_env(tmp_path / "sp-home")
    (tmp_path / hostile).write_text(OLD_POLICY, encoding="utf-8")
    (tmp_path / "new.md").write_text(NEW_POLICY, encoding="utf-8")
    for args in (["analyze", hostile, "--depth", "quick"], ["diff", hostile, "new.md"]):
        out = subprocess.run([sys.executable, "-m", "smallprint", *args], cwd=tmp_path, env=env,
                             capture_output=True, timeout=300, check=False).stdout.decode()
        assert "\x1b" not in out and "\x07" not in out, out[:200]
        assert "caf\\xe9\ufffd]0;OWNED\ufffd.md" in out
    as_json = subprocess.run([sys.executable, "-m", "smallprint", "diff", hostile, "new.md", "--format", "json"],
                             cwd=tmp_path, env=env, capture_output=True, timeout=300, check=False).stdout
    assert b"\x1b" not in as_json and json.loads(as_json)["old"] == "caf\\xe9\x1b]0;OWNED\x07.md"
