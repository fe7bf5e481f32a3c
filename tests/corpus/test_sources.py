"""Listing sources: the three layouts, every version of a git history, and clear refusals of what is no corpus."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import json
import os
import re
import subprocess

import pytest

from smallprint.corpus.sources import SourceError, list_versions, read_version, table_name

from .conftest import analyze_small, read_tables, run_corpus, small_sources


def test_a_folder_is_read_recursively_with_service_document_and_date_but_not_its_readme(tmp_path):
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "2021-03-04_privacy.md").write_text("We collect your email address.")
    (tmp_path / "acme" / "2022-05-06_privacy.md").write_text("We collect your email address and location.")
    (tmp_path / "acme" / "notes.docx").write_bytes(b"PK\x03\x04")  # not a document suffix
    (tmp_path / "README.md").write_text("What this folder holds.")  # the corpus's description, not a policy
    (tmp_path / "solo.html").write_text("<p>We do not sell your data.</p>")
    versions = list_versions(tmp_path)
    assert [(v.service, v.document, v.date, v.is_html) for v in versions] == [
        ("acme", "policy", "2021-03-04", False), ("acme", "policy", "2022-05-06", False),
        ("solo", "solo", None, True)]
    assert read_version(versions[2]) == b"<p>We do not sell your data.</p>"


def test_json_lines_give_ids_services_dates_and_html(tmp_path):
    source = tmp_path / "policies.jsonl"
    rows = [{"id": "a1", "service": "Acme", "url": "https://acme.example/privacy", "date": "2020-01-01",
             "text": "We collect your email address."},
            {"id": "a2", "service": "Acme", "url": "https://acme.example/privacy", "date": "2021-01-01",
             "html": "<p>We collect your location.</p>"}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    versions = list_versions(source)
    assert [(v.service, v.document, v.date, v.is_html) for v in versions] == [
        ("Acme", "https://acme.example/privacy", "2020-01-01", False),
        ("Acme", "https://acme.example/privacy", "2021-01-01", True)]
    assert read_version(versions[1]) == b"<p>We collect your location.</p>"


def test_json_lines_dates_are_iso_days_or_utc_times_that_sort_in_time_order(tmp_path):
    """A date "as given" once took any text: "December 18, 2012" sorted after every ISO date, so the history ran from
    2025 back to 2012 and the report's current state was the 2012 text; times with an offset sorted as text, not in
    time. Days stay as written, times are made UTC."""
    source = tmp_path / "policies.jsonl"
    rows = [{"id": "a", "service": "S", "document": "d", "date": "2025-12-17T00:00:00+05:00", "text": "x"},
            {"id": "b", "service": "S", "document": "d", "date": "2025-12-16T20:00:00Z", "text": "y"},
            {"id": "c", "service": "S", "document": "d", "date": "2012-12-18", "text": "z"},
            {"id": "e", "service": "S", "document": "d", "date": "2013-01-02 08:00", "text": "w"}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    dates = [v.date for v in list_versions(source)]
    assert dates == ["2025-12-16T19:00:00Z", "2025-12-16T20:00:00Z", "2012-12-18", "2013-01-02T08:00:00Z"]
    assert sorted(dates) == ["2012-12-18", "2013-01-02T08:00:00Z", "2025-12-16T19:00:00Z", "2025-12-16T20:00:00Z"]


def test_json_lines_times_in_rfc_3339_forms_are_read_and_out_of_range_ones_refused():
    from smallprint.corpus.sources import iso_date

    assert iso_date("2024-01-16t10:00:00z") == "2024-01-16T10:00:00Z"
    assert iso_date("2024-01-15T10:20:30.25Z") == "2024-01-15T10:20:30.25Z"  # fractions kept: they order the second
    assert iso_date("2024-01-15T10:20:30.9Z") > iso_date("2024-01-15T10:20:30.1Z")
    for bad in ("0001-01-01T00:30:00+01:00", "\uff12\uff10\uff12\uff14-01-15"):  # before year 1 in UTC; full-width
        with pytest.raises(SourceError, match="not a valid ISO 8601 date"):
            iso_date(bad)


@pytest.mark.parametrize("date", ["December 18, 2012", "2012-02-30", "18/12/2012", 20121218, "2012-12-18T25:00"])
def test_a_json_line_whose_date_is_no_iso_date_is_named(tmp_path, date):
    source = tmp_path / "dated.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "fine", "date": "2012-12-18"}) + "\n"
                      + json.dumps({"id": "b", "text": "fine", "date": date}) + "\n")
    with pytest.raises(SourceError, match=r"dated.jsonl:2 has a date that is not a valid ISO 8601 date"):
        list_versions(source)


def test_a_bad_json_line_is_named(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": 1, "text": "fine"}\n{"id": 2, "body": "no text"}\n')
    with pytest.raises(SourceError, match=r"bad.jsonl:2 has neither"):
        list_versions(source)


def test_a_json_line_nested_too_deeply_is_named_like_any_bad_line(tmp_path):
    """A record of 100,000 nested arrays is valid JSON that Python's parser cannot read: it once ended the run with
    "unexpected error: RecursionError: maximum recursion depth exceeded ...", naming no line."""
    source = tmp_path / "deep.jsonl"
    source.write_text('{"id": "a", "text": "We sell your data."}\n'
                      '{"id": "b", "text": "x", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    done = run_corpus("analyze", source, "--out", tmp_path / "out")
    assert done.returncode == 1 and "Traceback" not in done.stderr and "unexpected" not in done.stderr
    assert done.stderr == f"smallprint: {source}:2 cannot be read: its JSON nests deeper than the parser allows\n"
    assert not (tmp_path / "out").exists()


def test_every_version_in_the_git_history_is_listed_with_its_commit_date(ota_repo):
    versions = list_versions(ota_repo)
    assert len(versions) == 17  # 8 Facebook + 4 Instagram + 5 YouTube; the README at the top is not a document
    facebook = [v for v in versions if v.service == "Facebook"]
    assert [v.date for v in facebook][:2] == ["2005-08-09T12:00:00Z", "2009-12-11T12:00:00Z"]
    assert {v.document for v in versions} == {"Privacy Policy"}
    # Read from history, not the checkout: the first version is the 2005 text, though the file now holds 2025's.
    assert len(read_version(facebook[0])) == 6294 < (ota_repo / "Facebook" / "Privacy Policy.md").stat().st_size


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is an empty source: the folder holds no .md, .txt, .html or .pdf document"),
    (lambda p: p.with_suffix(".jsonl").write_text("\n"), "is an empty source: the JSON Lines file holds no line"),
    (lambda p: None, "no such file or folder"),
])
def test_an_empty_or_missing_source_is_refused_and_nothing_is_written(tmp_path, make, message):
    source = tmp_path / "src"
    make(source)
    if not source.exists() and source.with_suffix(".jsonl").exists():
        source = source.with_suffix(".jsonl")
    done = run_corpus("analyze", source, "--out", tmp_path / "out")
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("out", ["src/out", "src", "src/beta/deeper/out", "link/out"])
def test_a_corpus_folder_inside_a_source_folder_is_refused_before_anything_is_written(tmp_path, out):
    """`--out SRC/out` was accepted; after `corpus report`, the next run read smallprint's own report.html as a
    privacy policy of a service named after the output folder."""
    src = small_sources(tmp_path)
    (tmp_path / "link").symlink_to(src)
    done = analyze_small(src, out=tmp_path / out)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"smallprint: --out {tmp_path / out} is inside the source folder {src}: what smallprint "
                           "writes there (report.html) would be read as documents of it on the next run; choose a "
                           "folder outside it\n")
    assert not (tmp_path / out / "corpus.json").exists() and not (src / "out").exists()


def test_a_corpus_folder_in_a_hidden_folder_of_a_source_is_not_walked_and_is_let_be(tmp_path):
    src = small_sources(tmp_path)
    out = src / ".corpus"
    assert analyze_small(src, out=out).returncode == 0
    assert run_corpus("report", out).returncode == 0 and (out / "report.html").exists()
    again = analyze_small(src, out=out)
    assert again.returncode == 0, again.stderr
    assert "0 read now" in again.stdout


def test_a_repository_without_the_layout_is_refused(tmp_path, needs_git):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "policy.md").write_text("We collect your email address.")  # at the top: not <service>/<type>.md
    (repo / "a" / "b").mkdir(parents=True)
    (repo / "a" / "b" / "deep.md").write_text("We collect your location.")  # too deep
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    done = run_corpus("analyze", repo, "--out", tmp_path / "out")
    assert done.returncode == 1
    assert "not in Open Terms Archive's layout" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_file_that_cannot_be_read_is_listed_with_its_error_and_becomes_its_row(tmp_path, monkeypatch):
    """docs/CORPUS.md: a document that cannot be read is a row with its error; it never stops the run (one file
    without read permission once ended the listing with "[Errno 13] Permission denied" and nothing was read)."""
    from pathlib import Path

    from smallprint.corpus.run import _item
    from smallprint.corpus.sources import list_versions
    from smallprint.corpus.work import analyse_document
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "privacy.md").write_text("# Privacy Policy\n\nWe collect your email address.\n")
    (tmp_path / "acme" / "terms.md").write_text("# Terms\n\nWe collect your email address.\n")
    real = Path.open

    def open_file(self, *args, **kwargs):
        if self.name == "terms.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_file)
    versions = {v.document: v for v in list_versions(tmp_path)}
    assert set(versions) == {"privacy", "terms"}
    row = analyse_document(_item(versions["terms"]), "quick")
    assert row["error"] == "cannot read: Permission denied"
    assert analyse_document(_item(versions["privacy"]), "quick")["error"] is None


def test_a_file_name_that_is_not_utf8_is_a_row_not_a_codec_error(tmp_path):
    """An old archive's Latin-1 file name ("caf\\xe9-2020-01-01.md") once stopped the run with "surrogates not
    allowed", naming no file; its bytes are written as escapes in the tables instead."""
    import os

    from smallprint.corpus.sources import list_versions
    from smallprint.corpus.tables import versions_table
    (tmp_path / "acme").mkdir()
    with open(os.path.join(os.fsencode(tmp_path / "acme"), b"caf\xe9-2020-01-01.md"), "wb") as handle:
        handle.write(b"# Privacy Policy\n\nWe collect your email address.\n")
    (version,) = list_versions(tmp_path)
    assert version.document == "caf\\xe9" and version.date == "2020-01-01"
    assert versions_table([version]).num_rows == 1


def test_a_huge_file_is_hashed_a_chunk_at_a_time_and_read_no_further_than_the_limit(tmp_path, monkeypatch):
    """Listing once read every file whole to hash it (a 1.2 GB file took 1.2 GB of memory); a file that grows past the
    limit after it was listed is read no further than the limit, and is a "too large" row."""
    import hashlib
    import io
    from pathlib import Path

    from smallprint.corpus import run, sources
    from smallprint.corpus.work import MAX_DOCUMENT_BYTES, analyse_document
    (tmp_path / "acme").mkdir()
    huge = tmp_path / "acme" / "privacy.md"
    with open(huge, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: no disk used
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read whole"))
    reads = []
    real_read = io.BufferedReader.read

    class Counting(io.BufferedReader):
        def read(self, size=-1):
            reads.append(size)
            return real_read(self, size)

    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, mode="r", *a, **k: Counting(real_open(self, "rb", buffering=0))
                        if mode == "rb" else real_open(self, mode, *a, **k))
    (version,) = sources.list_versions(tmp_path)
    assert version.size == 100 * 1024 * 1024
    assert max(reads) <= 1024 * 1024 and -1 not in reads
    assert version.content_hash == hashlib.sha256(b"\0" * version.size).hexdigest()

    small = tmp_path / "acme" / "terms.md"
    small.write_text("# Terms\n\nWe collect your email address.\n")
    version = next(v for v in sources.list_versions(tmp_path) if v.document == "terms")
    with open(small, "ab") as handle:  # it grows after the listing
        handle.truncate(50 * 1024 * 1024)
    reads.clear()
    item = run._item(version)
    assert max(reads) <= MAX_DOCUMENT_BYTES + 1 and item.data == b""
    assert analyse_document(item, "quick")["error"].startswith("too large: 52.4 MB")


def test_json_strings_with_lone_surrogates_are_escaped_not_a_codec_error(tmp_path):
    """JSON allows a lone surrogate ("\\udce9", "\\ud800") in a string; one in a service or document once stopped the
    run with "surrogates not allowed", naming no line, and nothing was read."""
    import pyarrow.parquet as pq

    source = tmp_path / "policies.jsonl"
    source.write_text('{"id": "a", "service": "caf\\udce9", "date": "2020-01-01", "text": "We sell your data."}\n'
                      '{"id": "b", "service": "Acme", "document": "x\\ud800", "text": "We collect your email."}\n')
    done = run_corpus("analyze", source, "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    rows = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    assert [(r["service"], r["document"], r["date"], r["error"]) for r in rows] == [
        ("Acme", "x\\ud800", None, None), ("caf\\xe9", "a", "2020-01-01", None)]
    # a date is an ISO 8601 date or the line is refused, the surrogate shown escaped
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "date": "2020\\ud800", "text": "We sell your data."}\n')
    refused = run_corpus("analyze", tmp_path / "bad.jsonl", "--out", tmp_path / "out2", "--workers", "1")
    assert refused.returncode != 0 and "bad.jsonl:1 has a date that is not a valid ISO 8601 date" in refused.stderr
    assert "\\ud800" in refused.stderr and "Traceback" not in refused.stderr


def test_a_git_path_that_is_not_utf8_is_escaped_not_a_codec_error(tmp_path, needs_git):
    """An OTA repository with a Latin-1 service folder ("caf\\xe9/Privacy Policy.md") once stopped the run with
    "surrogates not allowed", naming no file, as a folder's Latin-1 file name once did."""
    import os

    import pyarrow.parquet as pq

    repo = tmp_path / "repo"
    service = os.path.join(os.fsencode(repo), b"caf\xe9")
    os.makedirs(service)
    with open(os.path.join(service, b"Privacy Policy.md"), "wb") as handle:
        handle.write(b"# Privacy Policy\n\nWe collect your email address.\n")
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "a version"]):
        subprocess.run(["git", "-C", str(repo), *command], check=True, capture_output=True)
    done = run_corpus("analyze", repo, "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    (row,) = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    assert (row["service"], row["document"], row["error"]) == ("caf\\xe9", "Privacy Policy", None)
    assert row["source"].endswith(":caf\\xe9/Privacy Policy.md")


def test_a_repository_s_own_config_runs_no_program_while_its_history_is_read(tmp_path, needs_git):
    """A corpus repository that came as an archive brings its .git/config: with log.showSignature and a gpg.program
    there, `git log` ran that program on each signed commit, as the researcher, while the history was listed."""
    repo = tmp_path / "repo"
    (repo / "acme").mkdir(parents=True)
    (repo / "acme" / "Privacy Policy.md").write_text("We collect your email address.\n")
    git = ["git", "-C", str(repo)]
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "a version"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    # A signed commit (its signature need not be valid: git hands it to the program to check).
    tree = subprocess.run([*git, "rev-parse", "HEAD^{tree}"], check=True, capture_output=True, text=True).stdout.strip()
    parent = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    commit = (f"tree {tree}\nparent {parent}\nauthor t <t@t.invalid> 1600000000 +0000\n"
              "committer t <t@t.invalid> 1600000000 +0000\n"
              "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n\nsigned\n")
    sha = subprocess.run([*git, "hash-object", "-t", "commit", "-w", "--stdin"], input=commit, check=True,
                         capture_output=True, text=True).stdout.strip()
    subprocess.run([*git, "update-ref", "HEAD", sha], check=True)
    ran = tmp_path / "the-repository-s-program-ran"
    program = tmp_path / "program"
    program.write_text(f"#!/bin/sh\ntouch '{ran}'\nexit 1\n")
    program.chmod(0o755)
    subprocess.run([*git, "config", "gpg.program", str(program)], check=True)
    subprocess.run([*git, "config", "log.showSignature", "true"], check=True)
    assert [v.service for v in list_versions(repo)] == ["acme"]
    assert not ran.exists()


def test_a_control_character_in_a_name_is_escaped_as_the_cli_escapes_a_byte_and_the_name_stays_the_same(tmp_path):
    """A newline in a file name stayed raw in the service and document columns, and split its row of the report's CSV
    files in two: it is written as \\x0a, as the CLI writes a byte that is not UTF-8 (\\xe9), on every run."""
    src = tmp_path / "src"
    (src / "ac\nme").mkdir(parents=True)
    (src / "ac\nme" / "privacy\tpolicy_2020-01-01.md").write_text("We collect your email address.\n")
    (src / "ac\nme" / "privacy\tpolicy_2021-01-01.md").write_text("We sell your personal information.\n")
    (src / "caf\u202eé.md").write_text("We collect your location.\n")
    out = tmp_path / "out"
    assert analyze_small(src, out=out).returncode == 0
    names = {(v.service, v.document) for v in list_versions(src)}
    assert names == {("ac\\x0ame", "privacy\\x09policy"), ("caf\\u202eé", "caf\\u202eé")}
    again = analyze_small(src, out=out)
    assert again.returncode == 0 and "0 read now" in again.stdout  # the same names: nothing read again
    tables = read_tables(out)
    assert {(d["service"], d["document"]) for d in tables["documents"].to_pylist()} == names
    assert all("\n" not in d["source"] for d in tables["documents"].to_pylist())
    assert run_corpus("report", out).returncode == 0
    for name in ("report-services.csv", "report-timeline.csv", "report-changes.csv"):
        lines = (out / name).read_text(encoding="utf-8-sig").splitlines()
        assert all(line.count(",") >= 2 for line in lines), name  # no row split by a line break
    services = (out / "report-services.csv").read_text(encoding="utf-8-sig")
    assert "ac\\x0ame,privacy\\x09policy" in services and "\u202e" not in services


def read_back(name: str) -> str:
    """A name as it was before table_name escaped it (docs/CORPUS.md, "Sources"): \\xNN below 80 is that character
    (\\x5c a backslash), from 80 a byte that is not UTF-8 (as os.fsdecode holds it), \\uNNNN that character; any
    other backslash is the name's own."""
    def one(m: re.Match) -> str:
        code = int(m[0][2:], 16)
        return chr(code) if m[0][1] == "u" or code < 0x80 else os.fsdecode(bytes([code]))
    return re.sub(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4})", one, name)


@pytest.mark.parametrize("name", [
    "a\\x0ab", "a\nb", "a\\\nb", "caf\\xe9", "caf" + os.fsdecode(b"\xe9"), "a\x85", "a" + os.fsdecode(b"\x85"),
    "a\\u202e", "a\u202e", "a\\\\x41", "a\\x5c", "C:\\users\\docs\\x", "\\", "a\\u20", "a\x7f", "a\\x7f"])
def test_a_name_as_the_tables_write_it_reads_back_as_it_was(name):
    """A file literally named `a\\x0ab.md` and one with a newline in its name were both written `a\\x0ab`: one
    document of two files."""
    assert read_back(table_name(name)) == name
    assert not any(c in table_name(name) for c in "\n\x85\x7f\u202e")


def test_names_that_read_as_no_escape_are_written_as_before():
    """Folders read before the escapes could be read back keep their documents' names (and so their histories):
    only a backslash that reads as an escape, and a C1 control, are written otherwise than they were."""
    assert [table_name(n) for n in ("ac\nme", "privacy\tpolicy", "caf" + os.fsdecode(b"\xe9"), "caf\u202eé",
                                    "C:\\users\\docs", "a\\b", "a\\x4")] == [
        "ac\\x0ame", "privacy\\x09policy", "caf\\xe9", "caf\\u202eé", "C:\\users\\docs", "a\\b", "a\\x4"]


def test_a_file_named_with_an_escape_and_one_with_that_character_are_two_documents(tmp_path):
    src = tmp_path / "src"
    (src / "acme").mkdir(parents=True)
    (src / "acme" / "a\\x0ab.md").write_text("We collect your email address.\n")
    (src / "acme" / "a\nb.md").write_text("We sell your personal information.\n")
    out = tmp_path / "out"
    assert analyze_small(src, out=out).returncode == 0
    rows = read_tables(out)["documents"].to_pylist()
    assert sorted((d["document"], d["date"]) for d in rows) == [("a\\x0ab", None), ("a\\x5cx0ab", None)]
    assert sorted(read_back(d["source"]) for d in rows) == sorted(str(p) for p in (src / "acme").iterdir())
