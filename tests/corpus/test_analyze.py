"""`smallprint corpus analyze`, end to end through the CLI: the tables, the same diff as `smallprint diff`,
identical results on a Dask cluster, resuming, and bad input that is recorded rather than stopping the run."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import json
import os

import pyarrow.parquet as pq

from smallprint.corpus.tables import TABLES
from smallprint.corpus.work import MAX_DOCUMENT_BYTES

from .conftest import assert_same_tables, part_stamps, read_tables, run_corpus


def test_the_tables_hold_every_version_highlight_and_change(reference, ota_repo):
    out, tables = reference
    for name, schema in TABLES.items():
        assert tables[name].schema.equals(schema), name
    documents = tables["documents"].to_pylist()
    assert len(documents) == 17 + 45  # the repository's history and the shared folder
    assert all(d["error"] is None and d["depth"] == "quick" and d["grade"] in "ABCDE" for d in documents)
    keys = [(d["service"], d["document"], d["date"], d["source"]) for d in documents]
    assert len(set(keys)) == len(keys) and keys == sorted(keys, key=lambda k: (k[0], k[1], k[2] or "", k[3]))
    findings = tables["findings"].to_pylist()
    per_version = {}
    for f in findings:
        per_version[(f["service"], f["date"], f["content_hash"])] = per_version.get(
            (f["service"], f["date"], f["content_hash"]), 0) + 1
    assert all(per_version.get((d["service"], d["date"], d["content_hash"]), 0) == d["highlights"]
               for d in documents)
    assert any(f["key"] for f in findings)
    changes = tables["changes"].to_pylist()
    pairs = {(c["service"], c["date"], c["previous_date"]) for c in changes if c["service"] == "Facebook"}
    assert len(pairs) == 7  # eight versions of Facebook's policy, seven steps
    assert all(c["change"] in ("added", "removed", "changed") and c["practice"] for c in changes)
    # The AI-training clause Facebook added in its 2025 policy is in the table, with its text.
    assert any(c["service"] == "Facebook" and c["date"].startswith("2025-12-17") and c["practice"] == "ai_training"
               and c["polarity"] == "concern" and c["change"] in ("added", "changed") for c in changes)


def test_changes_are_the_diff_of_smallprint_diff(reference, ota_repo):
    """One pair of versions: the changes table holds exactly the data-use clauses history.diff reports."""
    from smallprint.corpus.sources import list_versions, read_version
    from smallprint.engine import analyze
    from smallprint.history.diff import diff_analyses

    _, tables = reference
    youtube = [v for v in list_versions(ota_repo) if v.service == "YouTube"]
    old, new = (analyze(text=read_version(v).decode("utf-8"), depth="quick").to_dict() for v in youtube[:2])
    diff = diff_analyses(old, new)
    expected = sorted((kind, c.text) for kind, items in (("added", diff.added), ("removed", diff.removed),
                                                          ("changed", diff.changed)) for c in items if c.is_data_use)
    rows = [c for c in tables["changes"].to_pylist() if c["service"] == "YouTube" and c["date"] == youtube[1].date]
    assert sorted((c["change"], c["text"]) for c in rows) == expected
    assert rows and all(c["previous_date"] == youtube[0].date for c in rows)


def test_a_dask_cluster_gives_the_same_rows(reference, ota_repo, policies_folder, dask_cluster, tmp_path):
    cluster, client = dask_cluster
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    done = run_corpus("analyze", ota_repo, policies_folder, "--out", tmp_path / "dask", "--engine", "dask",
                      "--address", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr
    assert_same_tables(read_tables(tmp_path / "dask"), reference[1])
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_second_run_reads_nothing_again_and_rewrites_no_part(reference, ota_repo, policies_folder, tmp_path):
    out = tmp_path / "corpus"
    first = run_corpus("analyze", ota_repo, "--out", out, "--workers", "2")
    assert first.returncode == 0, first.stderr
    stamps = part_stamps(out)
    again = run_corpus("analyze", ota_repo, policies_folder, "--out", out, "--workers", "2")
    assert again.returncode == 0, again.stderr
    # The shared folder holds the repository's 17 texts too (as other files): only its 28 others are read.
    assert "62 versions (45 distinct texts): 28 read now, 17 already in" in again.stdout
    assert {k: v for k, v in part_stamps(out).items() if k in stamps} == stamps
    assert_same_tables(read_tables(out), reference[1])


def test_another_depth_needs_another_folder(reference, ota_repo):
    out, _ = reference
    done = run_corpus("analyze", ota_repo, "--out", out, "--depth", "full")
    assert done.returncode == 1
    assert "holds a quick reading; a full one needs another --out" in done.stderr


def test_binary_huge_and_empty_documents_are_recorded_with_their_error(tmp_path):
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "privacy.md").write_text("# Privacy Policy\n\nWe may use your posts to train our AI models.\n\n"
                                       "We do not sell your personal information.\n")
    (source / "binary.txt").write_bytes(bytes(range(256)) * 64)
    with open(source / "huge.md", "wb") as handle:  # 50 MB: refused by size, never sent to a worker
        handle.truncate(50 * 1000 * 1000)
    (source / "blank.txt").write_text("   \n")
    # under the byte limit, over the engine's 2,000,000 characters: "too large" too, not "cannot analyse"
    (source / "long.md").write_text("We collect your email address. " * 70_000)
    done = run_corpus("analyze", tmp_path / "src", "--out", tmp_path / "out", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "4 of those read now unreadable" in done.stdout
    rows = {r["document"]: r for r in pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()}
    assert rows["binary"]["error"] == "the document looks like a binary file, not text or HTML"
    assert rows["huge"]["error"].startswith("too large: 50.0 MB") and rows["huge"]["size"] == 50_000_000
    assert 50_000_000 > MAX_DOCUMENT_BYTES
    assert rows["blank"]["error"] == "empty: nothing to analyse"
    assert rows["long"]["error"] == "too large: input is larger than 2,000,000 characters (the engine's limit)"
    assert rows["privacy"]["error"] is None and rows["privacy"]["highlights"] >= 2
    assert all(rows[name]["grade"] is None for name in ("binary", "huge", "blank"))
    assert os.path.getsize(tmp_path / "out" / "findings.parquet") > 0


def test_json_lines_of_text_and_html_are_read_and_versions_compared(tmp_path):
    source = tmp_path / "policies.jsonl"
    rows = [{"id": "1", "service": "Acme", "url": "https://acme.example/privacy", "date": "2020-01-01",
             "text": "We collect your email address.\n\nWe do not sell your personal information."},
            {"id": "2", "service": "Acme", "url": "https://acme.example/privacy", "date": "2024-01-01",
             "html": "<h1>Privacy</h1><p>We collect your email address.</p>"
                     "<p>We may use your posts to train our artificial intelligence models.</p>"}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    done = run_corpus("analyze", source, "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    tables = read_tables(tmp_path / "out")
    assert [d["error"] for d in tables["documents"].to_pylist()] == [None, None]
    changes = tables["changes"].to_pylist()
    assert {(c["change"], c["practice"], c["polarity"]) for c in changes} >= {("added", "ai_training", "concern")}
    assert all(c["previous_date"] == "2020-01-01" and c["date"] == "2024-01-01" for c in changes)


def test_an_unreadable_version_is_passed_over_in_the_history(tmp_path):
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "2020-01-01_privacy.md").write_text("We collect your email address.\n")
    (source / "2021-01-01_privacy.md").write_bytes(bytes(range(256)) * 8)  # a broken capture
    (source / "2022-01-01_privacy.md").write_text("We collect your email address.\n\n"
                                                  "We may use your posts to train our AI models.\n")
    done = run_corpus("analyze", tmp_path / "src", "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    changes = read_tables(tmp_path / "out")["changes"].to_pylist()
    assert changes and {(c["previous_date"], c["date"]) for c in changes} == {("2020-01-01", "2022-01-01")}


def test_a_second_run_on_the_same_folder_at_the_same_time_is_refused(reference, ota_repo):
    import fcntl

    out, _ = reference
    with open(out / ".lock", "a") as handle:  # as a run in progress holds it
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = run_corpus("analyze", ota_repo, "--out", out)
    assert done.returncode == 1
    assert "another `smallprint corpus analyze` is writing" in done.stderr


def test_the_full_depth_reads_with_the_learned_reader(tmp_path):
    source = tmp_path / "policies.jsonl"
    source.write_text(json.dumps({"id": "1", "service": "Acme", "text": "# Privacy Policy\n\nWe may use the content "
                                  "you post to train and improve our artificial intelligence models.\n\nWe do not sell "
                                  "your personal information to anyone."}) + "\n")
    done = run_corpus("analyze", source, "--out", tmp_path / "out", "--workers", "1", "--depth", "full")
    assert done.returncode == 0, done.stderr
    tables = read_tables(tmp_path / "out")
    assert tables["documents"].column("depth").to_pylist() == ["full"]
    findings = tables["findings"].to_pylist()
    assert ("ai_training", "concern") in {(f["practice"], f["polarity"]) for f in findings}
    assert any(f["key"] for f in findings)


def test_pdf_policies_are_read_and_a_scan_says_why_not(tmp_path):
    from tests.pdf_writer import POLICY_PAGES, pdf_document

    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "privacy.pdf").write_bytes(pdf_document(POLICY_PAGES))
    (source / "scanned.pdf").write_bytes(pdf_document(scanned_pages=1))
    done = run_corpus("analyze", tmp_path / "src", "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    rows = {r["document"]: r for r in pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()}
    assert rows["privacy"]["error"] is None and rows["privacy"]["highlights"] >= 2, rows["privacy"]
    assert rows["scanned"]["error"] and "scan" in rows["scanned"]["error"].lower(), rows["scanned"]


def test_a_page_declaring_a_charset_that_decodes_nothing_is_read_as_windows_1252_and_sinks_no_batch(tmp_path):
    """`<meta charset="undefined">` (broken page templates) names a codec that exists and refuses every byte; its
    UnicodeError once escaped the document's row, and the whole batch was retried as a dead worker's and given up
    (exit 3, good documents never read)."""
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "privacy.md").write_text("# Privacy Policy\n\nWe collect your email address.\n")
    (source / "cookies.html").write_bytes(b'<html><head><meta charset="undefined"></head><body><p>We sell your '
                                          b'data to advertisers. Caf\xe9.</p></body></html>')
    done = run_corpus("analyze", tmp_path / "src", "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    rows = {r["document"]: r for r in pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()}
    assert rows["privacy"]["error"] is None and rows["cookies"]["error"] is None


def test_report_out_refuses_to_overwrite_a_table_it_reads(tmp_path):
    """README: --out refuses (exit 2) a file the same command reads; the report once replaced findings.parquet."""
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "privacy.md").write_text("# Privacy Policy\n\nWe collect your email address.\n")
    out = tmp_path / "out"
    assert run_corpus("analyze", tmp_path / "src", "--out", out, "--workers", "1").returncode == 0
    before = (out / "findings.parquet").read_bytes()
    done = run_corpus("report", out, "--out", out / "findings.parquet")
    assert done.returncode == 2 and "overwrite" in done.stderr
    assert (out / "findings.parquet").read_bytes() == before
    # an earlier report page in the folder is no input: writing it again is what was asked (it was refused as one)
    (out / "reports").mkdir()
    # a folder of the user's too, and a page named in capitals (both were refused)
    for page in (out / "mine.html", out / "reports" / "mine.html", out / "MINE.HTML"):
        for _ in range(2):
            again = run_corpus("report", out, "--out", page)
            assert again.returncode == 0, again.stderr
    assert (out / "mine.html").read_text().startswith("<!DOCTYPE html>") or "<html" in (out / "mine.html").read_text()
    refused = run_corpus("report", out, "--out", out / "corpus.json")
    assert refused.returncode == 2 and "overwrite" in refused.stderr
    # the default page and the CSV files beside a page, made read-only, are refused and left as they are, as --out
    # of any command refuses a read-only file (they were replaced: a rename ignores the file's own permission)
    assert run_corpus("report", out).returncode == 0
    for made_read_only, args in ((out / "report.html", ()), (out / "mine-services.csv", ("--out", out / "mine.html"))):
        made_read_only.chmod(0o444)
        kept = made_read_only.stat()
        refused = run_corpus("report", out, *args)
        assert refused.returncode == 1 and "it is read-only" in refused.stderr, refused.stderr
        assert made_read_only.stat().st_ino == kept.st_ino and made_read_only.stat().st_mtime_ns == kept.st_mtime_ns
