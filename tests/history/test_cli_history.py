"""`smallprint diff`, `history` and `forget` through the real command."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from smallprint import analyze, paths
from smallprint.cli import main
from smallprint.history.store import Store
from tests.history.conftest import store_at_schema

OLD_MD = """# Privacy Policy

## What we collect

We collect your **email address** and the precise location of your device.

We do not sell your personal information.
"""
NEW_MD = OLD_MD + """
We may use the information we collect and publicly available information to help train our machine learning or
artificial intelligence models.

We may collect and use your biometric information, such as face geometry, to verify your identity.
"""
NEW_HTML = ("<!DOCTYPE html><html><body><h1>Privacy Policy</h1><h2>What we collect</h2>"
            "<p>We collect your <b>email address</b> and the precise location of your device.</p>"
            "<p>We may use the information we collect and publicly available information to help train our machine "
            "learning or artificial intelligence models.</p>"
            "<p>We may collect and use your biometric information, such as face geometry, to verify your identity.</p>"
            "</body></html>")


@pytest.fixture
def files(tmp_path):
    old = tmp_path / "2023-05-18_policy.md"
    old.write_text(OLD_MD)
    new_md = tmp_path / "policy-new.md"
    new_md.write_text(NEW_MD)
    new_html = tmp_path / "policy-new.html"
    new_html.write_text(NEW_HTML)
    return old, new_md, new_html


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smallprint", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("new_kind", ["markdown", "html"])
def test_diff_json_reports_the_added_clauses(files, new_kind, smallprint_home, capsys):
    old, new_md, new_html = files
    new = new_md if new_kind == "markdown" else new_html
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"added", "removed", "changed", "summary"} <= set(out)
    added = {(c["practice"], c["polarity"]) for c in out["added"]}
    assert {("ai_training", "concern"), ("biometric", "concern")} <= added
    assert out["summary"].startswith("New since 18 May 2023")
    if new_kind == "html":  # a sentence removed in the HTML version is reported as removed
        assert [c["practice"] for c in out["removed"]] == ["sale_of_data"]
    assert not smallprint_home.exists(), "diff must not touch the store"


def test_diff_of_a_file_with_one_stray_byte_reports_no_change_and_notes_the_byte(tmp_path, smallprint_home, capsys):
    """A byte that is not UTF-8 appended to an unchanged UTF-8 policy once made every "’" of it mojibake, and `diff`
    reported dozens of reworded clauses with nothing to say why; the byte is the only new text, and the note says so
    (on stderr, as `analyze` says it)."""
    text = OLD_MD.replace("We do not sell", "We don’t sell") + "\nCafé’s promise: we never read your messages.\n"
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_bytes(text.encode("utf-8"))
    new.write_bytes(text.encode("utf-8") + b"\n\xff\n")
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [c["text"] for c in out["added"]] == ["ÿ"]  # the byte itself, and nothing else
    assert (out["removed"], out["changed"]) == ([], [])
    assert "new.md is not UTF-8" in captured.err and "1 byte" in captured.err
    assert "old.md" not in captured.err


def test_diff_reads_at_the_depth_asked_and_says_which(files, capsys):
    """`diff --depth quick` compares as `corpus analyze` does by default (a researcher checks a corpus's changes with
    it), and both views say which reading answered."""
    old, new_md, _ = files
    assert main(["diff", str(old), str(new_md), "--depth", "quick", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["depth"] == "quick"
    assert {("ai_training", "concern"), ("biometric", "concern")} <= {(c["practice"], c["polarity"]) for c in out["added"]}
    assert main(["diff", str(old), str(new_md), "--depth", "quick"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "Read: quick (the rules alone)"
    assert main(["diff", str(old), str(new_md), "--depth", "quick", "--format", "html"]) == 0  # the report said nothing
    assert "read: quick (the rules alone)" in capsys.readouterr().out


def test_diff_says_the_depth_that_answered_not_the_one_asked_for(files, tmp_path):
    """Without the reader both versions are read at quick depth: diff said "Read: full" all the same."""
    import os

    old, new_md, _ = files
    env = {**os.environ, "SMALLPRINT_READER_DIR": str(tmp_path / "no-reader"), "SMALLPRINT_HOME": str(tmp_path / "h")}
    done = subprocess.run([sys.executable, "-m", "smallprint", "diff", str(old), str(new_md), "--format", "json"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["depth"] == "quick"
    assert any(n.startswith("The full reading is unavailable") for n in out["notes"]), out["notes"]


def test_diff_text_leads_with_the_summary(files, capsys):
    old, new_md, _ = files
    assert main(["diff", str(old), str(new_md)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1] == "Read: full (the learned reader read both versions)"
    assert lines[3].startswith("New since 18 May 2023")
    assert "AI training · concern" in out and "Biometric data · concern" in out


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.external = []
        self.marks = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or (tag == "a" and (attrs.get("href") or "").startswith("http")):
            self.external.append((tag, attrs))
        if tag == "mark":
            self.marks.append(attrs.get("data-practice"))


def test_diff_html_is_self_contained_and_highlights_the_data_use_changes(files, tmp_path):
    old, new_md, _ = files
    out = tmp_path / "changes.html"
    result = run("diff", str(old), str(new_md), "--format", "html", "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    collector = _Collector()
    collector.feed(page)
    assert collector.external == []
    assert {"ai_training", "biometric"} <= set(collector.marks)
    assert "New since 18 May 2023" in page and "Changes about your data" in page
    # Both versions' statements, each adding up.
    for side, gone in (("Old", "removed"), ("New", "new")):  # the added clauses as their list is named
        total, kept, gone_n, reworded = map(int, re.search(
            rf"{side} version, (\d+) distinct statements?: (\d+) kept, (\d+) {gone}, (\d+) reworded\.", page).groups())
        assert kept + gone_n + reworded == total > 0


@pytest.mark.parametrize("args, message", [
    (["diff", "missing-old.md", "missing-new.md"], "missing-old.md"),
    (["diff", "-", "-"], "only one of OLD and NEW"),
    (["history", "about:blank"], "not a site name"),
    (["history", "exa mple.com"], "not a site name"),
    (["forget", "exa mple.com"], "not a site name"),
])
def test_errors_are_one_line_without_traceback(args, message, smallprint_home, tmp_path):
    result = subprocess.run([sys.executable, "-m", "smallprint", *args], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path, env={**__import__("os").environ, "SMALLPRINT_HOME": str(smallprint_home)})
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_both_versions_from_stdin_is_a_usage_error(capsys):
    """`diff - -` exited 1, as a comparison that failed; a usage error exits 2, as argparse's do."""
    assert main(["diff", "-", "-"]) == 2
    assert capsys.readouterr().err == "smallprint: only one of OLD and NEW can be stdin (-): give the other as a file\n"


def _remember(url: str, text: str, now: str) -> None:
    with Store() as store:
        store.record(url, analyze(text=text, url=url).to_dict(), now=now)


def test_history_lists_versions_with_their_changes(smallprint_home, capsys):
    _remember("https://www.example.com/privacy", OLD_MD, "2023-05-18T09:00:00Z")
    _remember("https://example.com/privacy", NEW_MD, "2024-01-02T09:00:00Z")
    assert main(["history", "https://www.example.com/anything"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("example.com: 2 versions remembered")
    assert "/privacy" in text and "First version seen." in text and "New since 18 May 2023" in text

    assert main(["history", "example.com", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first, second = data["versions"]
    assert first["changes"] is None
    assert second["changes"]["counts"]["data_use"]["added"] == 2


def test_history_html_shows_each_versions_data_use_changes(smallprint_home, tmp_path, capsys):
    _remember("https://example.com/privacy", OLD_MD, "2023-05-18T09:00:00Z")
    _remember("https://example.com/privacy", NEW_MD, "2024-01-02T09:00:00Z")
    out = tmp_path / "history.html"
    assert main(["history", "example.com", "--format", "html", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    page = out.read_text(encoding="utf-8")
    collector = _Collector()
    collector.feed(page)
    assert collector.external == []
    assert {"ai_training", "biometric"} <= set(collector.marks)
    assert "example.com: 2 versions remembered" in page and "First version seen." in page
    assert "New since 18 May 2023" in page
    # the same versions, the same headline as the JSON form
    assert main(["history", "example.com", "--format", "json"]) == 0
    first, second = json.loads(capsys.readouterr().out)["versions"]
    assert second["changes"]["since_version"] == first["id"]
    assert second["changes"]["summary"] in page.replace("&#x27;", "'").replace("&quot;", '"')


def test_history_of_an_unknown_site(smallprint_home, capsys):
    assert main(["history", "nothing.example"]) == 0
    assert "Nothing is remembered about nothing.example" in capsys.readouterr().out


def test_forget_a_site_and_everything(smallprint_home, capsys):
    _remember("https://a.example/privacy", OLD_MD, "2023-05-18T09:00:00Z")
    _remember("https://b.example/privacy", OLD_MD, "2023-05-18T09:00:00Z")
    _remember("https://b.example/privacy", NEW_MD, "2023-06-18T09:00:00Z")
    assert main(["forget", "www.a.example"]) == 0
    assert "Forgot a.example: 1 version deleted." in capsys.readouterr().out
    assert main(["forget", "a.example"]) == 0
    assert "Nothing was remembered about a.example." in capsys.readouterr().out
    assert main(["forget", "--all"]) == 0
    assert "2 versions deleted" in capsys.readouterr().out
    with Store() as store:
        assert store.sites() == []


@pytest.mark.parametrize("history_enabled", [True, False])
def test_forgetting_nothing_creates_no_store(smallprint_home, history_enabled):
    """`forget` wrote a new 60 KB store where there was none, even with the policy memory turned off; `history`
    already created none. With no daemon running, nothing can be in the middle of recording either."""
    if not history_enabled:
        paths.config_file().parent.mkdir(parents=True, exist_ok=True)
        paths.config_file().write_text("[history]\nenabled = false\n")
    site, everything = run("forget", "tidewell.example"), run("forget", "--all")
    assert (site.returncode, site.stdout, site.stderr) == (0, "Nothing was remembered about tidewell.example.\n", "")
    assert (everything.returncode, everything.stdout, everything.stderr) == (0, "Forgot everything: 0 versions "
                                                                                 "deleted.\n", "")
    assert not paths.store_file().exists() and not paths.store_file().parent.exists()
    refused = run("forget", "not a site")
    assert refused.returncode == 1 and "not a site name" in refused.stderr


def test_forget_needs_a_site_or_all(smallprint_home):
    with pytest.raises(SystemExit):
        main(["forget"])


def test_history_reads_a_store_it_cannot_write_and_forget_says_why_it_cannot(smallprint_home, make_store_read_only):
    """A backup, another user's copy, a read-only mount: `history` reads it (opened read-only), `forget` fails naming
    the file, in one line, and nothing changes. How the store is made unwritable even for root: see conftest."""
    _remember("https://example.com/privacy", OLD_MD, "2023-05-18T09:00:00Z")
    _remember("https://example.com/privacy", NEW_MD, "2024-01-02T09:00:00Z")
    store_file = paths.store_file()
    make_store_read_only()
    before = {path.name: path.read_bytes() for path in store_file.parent.iterdir()}
    listed = run("history", "example.com", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    first, second = json.loads(listed.stdout)["versions"]
    assert second["changes"]["since_version"] == first["id"]
    text = run("history", "www.example.com")
    assert text.returncode == 0 and text.stdout.startswith("example.com: 2 versions remembered"), text.stderr

    refused = run("forget", "example.com")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and str(store_file) in refused.stderr, refused.stderr
    assert "read-only" in refused.stderr, refused.stderr
    # nothing was lost, nothing was added next to it
    assert {path.name: path.read_bytes() for path in store_file.parent.iterdir()} == before
    assert run("history", "example.com", "--format", "json").stdout == listed.stdout


def test_history_of_an_old_store_it_cannot_write_says_what_to_do_not_to_run_itself(smallprint_home,
                                                                                     make_store_read_only):
    """A store too old to be read as it is must be upgraded, which writes it; where it cannot be written, the error
    says so and what to do, rather than StoreReadOnly's advice to run `smallprint history`, the command just run."""
    store_file = paths.store_file()
    store_at_schema(store_file, 4).close()
    make_store_read_only()
    before = {path.name: path.read_bytes() for path in store_file.parent.iterdir()}
    refused = run("history", "example.com")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "older smallprint" in refused.stderr and "write access" in refused.stderr, refused.stderr
    assert "smallprint history SITE` can still read it" not in refused.stderr
    assert {path.name: path.read_bytes() for path in store_file.parent.iterdir()} == before


def test_history_keeps_a_sites_long_or_broken_title_on_its_versions_line(smallprint_home, capsys):
    title = "Privacy Policy\nexample.com: 9 versions remembered\n" + "word " * 400
    with Store() as store:
        store.record("https://example.com/privacy", analyze(text=OLD_MD, url="https://example.com/privacy",
                                                            title=title).to_dict(), now="2023-05-18T09:00:00Z")
    assert main(["history", "example.com"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "example.com: 1 version remembered"
    assert not any(line.startswith("example.com: 9") for line in lines)  # the title cannot forge a heading line
    version_line = next(line for line in lines if line.startswith("  #"))
    assert "Privacy Policy example.com: 9 versions remembered word" in version_line
    assert len(version_line) < 140 and version_line.endswith("\u2026")
