"""A corpus folder that was damaged between runs: a part truncated or corrupt (a killed worker or a full disk on an
older version, a copy that went wrong, an edit) is set aside in parts/damaged/, named, and what it held is read
again, so the tables come out complete; and the final tables, rewritten together at the end of every run, are never
read as one set when they are not (docs/CORPUS.md, "Resuming" and "The tables are written together").

Nothing here is skipped: the corpus extra is imported directly (its absence fails these tests), and the sources are
made here, not taken from the shared data."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from .conftest import analyze_small, assert_same_tables, read_tables, run_corpus, small_corpus, small_sources


def _part_holding(out: Path, kind: str, content_hash: str) -> Path:
    for part in sorted((out / "parts").glob(f"{kind}-*.parquet")):
        if content_hash in pq.read_table(part, columns=["content_hash"]).column("content_hash").to_pylist():
            return part
    raise AssertionError(f"no {kind} part holds {content_hash}")


def _hash_of(tables: dict, date: str) -> str:
    return next(d["content_hash"] for d in tables["documents"].to_pylist() if d["date"] == date)


def _spoil_columns(part: Path, prefix: str) -> None:
    """Overwrite the bytes of the part's columns whose path begins with `prefix`, leaving its footer whole: a part
    damaged inside, which only reading those columns finds."""
    metadata = pq.read_metadata(part)
    data = bytearray(part.read_bytes())
    spoilt = 0
    for group in range(metadata.num_row_groups):
        for index in range(metadata.num_columns):
            column = metadata.row_group(group).column(index)
            if not column.path_in_schema.startswith(prefix):
                continue
            start = column.dictionary_page_offset or column.data_page_offset
            data[start:start + column.total_compressed_size] = b"\xff" * column.total_compressed_size
            spoilt += 1
    assert spoilt, f"{part.name} has no column {prefix}"
    part.write_bytes(bytes(data))


def test_a_truncated_part_is_set_aside_named_and_its_documents_read_again(tmp_path):
    src, out, before = small_corpus(tmp_path)
    part = _part_holding(out, "analyses", _hash_of(before, "2021-01-01"))
    truncated = part.read_bytes()[: part.stat().st_size // 2]
    part.write_bytes(truncated)  # as a copy that stopped half-way leaves it

    done = analyze_small(src, out=out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # Said plainly: which part, why, where it went and what happens now; and in the summary.
    aside = out / "parts" / "damaged" / part.name
    assert f"{part} cannot be read (Parquet magic bytes not found in footer" in done.stderr, done.stderr
    assert f"moved to {aside}; the documents it held are read again (those the sources still list)" \
        in done.stderr, done.stderr
    assert "4 versions (4 distinct texts): 1 read now, 3 already in" in done.stdout, done.stdout
    assert f"1 damaged part set aside in {out / 'parts' / 'damaged'}" in done.stdout, done.stdout
    # Never deleted: the damaged bytes are kept aside, with why; the part is written again, whole.
    assert aside.read_bytes() == truncated
    assert part.name in (out / "parts" / "damaged" / "why.txt").read_text(encoding="utf-8")
    assert pq.read_table(part).num_rows == 1
    # The tables are complete: the same rows as before the damage.
    assert_same_tables(read_tables(out), before)
    assert run_corpus("report", out).returncode == 0


def test_a_part_damaged_inside_is_found_where_it_is_read_and_what_it_held_is_redone(tmp_path):
    """A part whose footer is whole reads as a part until its damaged columns are read: here a diff's part (found
    as the run looks for the pairs already compared) and a reading's findings (found only as the tables are
    rebuilt, after the reading and the diffs). Both are set aside and redone within the same run."""
    src, out, before = small_corpus(tmp_path)
    analyses = _part_holding(out, "analyses", _hash_of(before, "2022-01-01"))
    _spoil_columns(analyses, "findings")
    [changes] = (out / "parts").glob("changes-*.parquet")  # the two pairs of acme's three versions: one batch
    _spoil_columns(changes, "previous_hash")

    done = analyze_small(src, out=out)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for part in (analyses, changes):
        assert f"{part} cannot be read (" in done.stderr, done.stderr
        assert (out / "parts" / "damaged" / part.name).is_file()
    assert f"moved to {out / 'parts' / 'damaged' / changes.name}; the version pairs it held are compared again " \
        "(those still consecutive)" in done.stderr
    assert "1 read now, 3 already in" in done.stdout and "2 version pairs compared" in done.stdout, done.stdout
    assert "2 damaged parts set aside" in done.stdout, done.stdout
    assert_same_tables(read_tables(out), before)


def test_a_part_damaged_again_stops_the_run_and_no_copy_of_it_is_lost(tmp_path, capsys, monkeypatch):
    """A failing disk: the run sets a damaged part aside, reads again what it held, and the part it writes in its
    place is damaged too. Another attempt would only loop, so the run stops, saying where the first copy went and
    that the second stays; the next run, on a sound disk, sets the second aside beside the first and completes."""
    from smallprint.cli import main

    src, out, before = small_corpus(tmp_path)
    part = _part_holding(out, "analyses", _hash_of(before, "2021-01-01"))
    first_copy = part.read_bytes()[: part.stat().st_size // 2]
    part.write_bytes(first_copy)
    damaged = out / "parts" / "damaged"
    real_write = pq.write_table

    def failing_disk(table, where, **options):  # what it writes of that part comes back damaged inside
        real_write(table, where, **options)
        if os.path.basename(where).startswith(f".{part.name}."):
            _spoil_columns(Path(where), "findings")

    monkeypatch.setattr(pq, "write_table", failing_disk)
    assert main(["corpus", "analyze", str(src), "--out", str(out), "--workers", "1", "--batch", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert any(f"moved to {damaged / part.name}; the documents it held are read again" in line for line in err), err
    assert err[-1].startswith(f"smallprint: {part} cannot be read ("), err
    assert err[-1].endswith(f"after this run set it aside as {damaged / part.name} and wrote it again: the disk may "
                            "be failing; check it before running again (this copy stays where it is, and the next "
                            "run sets it aside beside the first)"), err
    assert (damaged / part.name).read_bytes() == first_copy
    second_copy = part.read_bytes()
    assert second_copy != first_copy and len((damaged / "why.txt").read_text(encoding="utf-8").splitlines()) == 1
    assert_same_tables(read_tables(out), before)  # the run stopped before it replaced them

    monkeypatch.undo()
    done = analyze_small(src, out=out)
    assert done.returncode == 0, done.stderr
    second = damaged / f"{part.stem}.2.parquet"
    assert f"moved to {second} (damaged before too: the copy set aside then stays as {damaged / part.name}); the " \
        "documents it held are read again" in done.stderr, done.stderr
    assert (damaged / part.name).read_bytes() == first_copy and second.read_bytes() == second_copy
    why = (damaged / "why.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[0].split(" ", 1)[1] for line in why] == [
        f"parts/{part.name} -> damaged/{part.name}", f"parts/{part.name} -> damaged/{second.name}"]
    assert_same_tables(read_tables(out), before)


def test_a_damaged_listing_of_a_source_this_run_does_not_name_stops_it_and_stays(tmp_path):
    """A source's versions part is its listing: this run can list again only the sources it names. Another's lost
    listing would silently drop that source from the tables, so the run stops before anything is read, saying how
    to go on, and leaves the part where it is (the current tables still name the source)."""
    src, out = small_sources(tmp_path), tmp_path / "out"
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "1", "service": "Gamma", "date": "2024-01-01", "text": "We sell your data."}\n')
    done = analyze_small(src, other, out=out)
    assert done.returncode == 0, done.stderr
    before = read_tables(out)
    [listing] = [p for p in (out / "parts").glob("versions-*.parquet")
                 if str(other) in (pq.read_schema(p).metadata or {}).get(b"smallprint.source", b"").decode()]
    listing.write_bytes(listing.read_bytes()[:100])

    done = analyze_small(src, out=out)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"smallprint: {listing} cannot be read (Parquet magic bytes not found in footer. Either the file is "
        "corrupted or this is not a parquet file.); it holds the versions of a source that an earlier run named and "
        "this one does not: run again naming every source of this folder (the `source` column of its "
        "documents.parquet lists them), which lists it afresh, or move the part away to leave that source out"]
    assert listing.is_file() and not (out / "parts" / "damaged").exists()
    assert_same_tables(read_tables(out), before)

    done = analyze_small(src, other, out=out)
    assert done.returncode == 0, done.stderr
    assert f"moved to {out / 'parts' / 'damaged' / listing.name}; this run lists its source again" in done.stderr
    assert_same_tables(read_tables(out), before)


def test_a_full_disk_between_the_tables_leaves_the_last_whole_set(tmp_path, capsys, monkeypatch):
    """The tables were once written one after the other, each renamed into place as it was done: a full disk while
    findings.parquet was written left the new documents.parquet beside the old findings and changes."""
    from smallprint.cli import main

    src, out, before = small_corpus(tmp_path)
    (src / "acme" / "2023-01-01_privacy.md").write_text("We collect your email address.\n")
    real_writer = pq.ParquetWriter

    def full_disk_at_findings(where, schema, **options):
        if os.path.basename(where).startswith(".findings.parquet."):
            Path(where).write_bytes(b"PAR1")
            raise OSError(28, "Error writing bytes to file. Detail: [errno 28] No space left on device")
        return real_writer(where, schema, **options)

    monkeypatch.setattr(pq, "ParquetWriter", full_disk_at_findings)
    assert main(["corpus", "analyze", str(src), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"smallprint: cannot write {out / 'findings.parquet'}: No space left on device", err
    # None of the three was replaced: they are the last run's, together, and no temporary file is left.
    assert_same_tables(read_tables(out), before)
    assert not list(out.glob(".*.tmp"))
    monkeypatch.undo()
    assert run_corpus("report", out).returncode == 0
    done = analyze_small(src, out=out)  # the disk has room again: the next run writes the new set
    assert done.returncode == 0, done.stderr
    assert len(read_tables(out)["documents"]) == 5


def test_the_report_refuses_tables_that_were_not_written_together(tmp_path):
    """Renaming the new tables into place is three steps: a run killed between them leaves tables of two runs. Each
    table carries the run that wrote the set; a reader refuses a mix rather than report on it."""
    src, out, _ = small_corpus(tmp_path)
    shutil.copy(out / "documents.parquet", tmp_path / "documents-then.parquet")
    (src / "acme" / "2023-01-01_privacy.md").write_text("We collect your email address.\n")
    assert analyze_small(src, out=out).returncode == 0
    stamps = {pq.read_schema(out / f"{name}.parquet").metadata.get(b"smallprint.tables")
              for name in ("documents", "findings", "changes")}
    assert len(stamps) == 1 and None not in stamps
    shutil.copy(tmp_path / "documents-then.parquet", out / "documents.parquet")

    done = run_corpus("report", out)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"smallprint: the tables in {out} were not written together (documents.parquet by the "
                           "run of "), line
    assert line.endswith(f"a run stopped while it replaced them; run the `smallprint corpus analyze` that wrote {out} "
                         "again to rebuild them (nothing already read is read again)"), line
    assert not (out / "report.html").exists()


@pytest.mark.parametrize("table", ["documents", "changes"])
def test_the_report_names_a_damaged_table_and_the_remedy(tmp_path, table):
    _, out, _ = small_corpus(tmp_path)
    path = out / f"{table}.parquet"
    path.write_bytes(path.read_bytes()[:-20])
    done = run_corpus("report", out)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"smallprint: {path} cannot be read (Parquet magic bytes not found in footer. Either the file is corrupted or "
        f"this is not a parquet file.): run the `smallprint corpus analyze` that wrote {out} again to rebuild it "
        "(nothing already read is read again)"]
