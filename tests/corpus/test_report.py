"""`smallprint corpus report`: one self-contained page with the timelines (AI training and biometric data first), the
services' current grade and key findings, links that land on each change's text, and CSV files for spreadsheets."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import csv
import re

from .conftest import run_corpus


def test_the_report_is_one_self_contained_page_with_timelines_services_and_changes(reference, tmp_path):
    out, tables = reference
    target = tmp_path / "report.html"
    done = run_corpus("report", out, "--out", target)
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    # Loads nothing, runs nothing.
    assert not re.search(r"<script|<link|<img|<iframe|src=|url\(|https?://", page, re.I)
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
