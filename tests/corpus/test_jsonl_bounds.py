"""A JSON Lines source whose line is huge (a record of gigabytes, or a binary file misnamed .jsonl with no newline):
the line is skipped a chunk at a time and becomes a row that names it and says why; every other line is read."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import json
import tracemalloc

import pyarrow.parquet as pq

from smallprint.corpus import sources
from smallprint.corpus.run import analyse_corpus

POLICY = "# Privacy Policy\n\nWe collect your email address.\n\nWe do not sell your personal information.\n"


def _line(**record) -> bytes:
    return json.dumps(record).encode() + b"\n"


def test_a_line_over_the_bound_is_skipped_in_bounded_memory_and_listed_with_why(tmp_path):
    """Listing once read each line whole (`for line in file`): a 1 GB line took 1 GB of memory before anything
    said it was too long. A 48 MiB line of NUL bytes (sparse, no newline: a binary file misnamed .jsonl) against
    a 64 KiB bound must cost no more than a few chunks of memory."""
    source = tmp_path / "mixed.jsonl"
    with open(source, "wb") as handle:
        handle.write(_line(id="a", service="Acme", text=POLICY))
        handle.write(b'{"id": "b", "text": "' + b"x" * 100_000 + b'"}\n')  # over the bound by a little
        handle.write(_line(id="c", service="Beta", text=POLICY + "We share your location."))
        handle.seek(48 * 1024 * 1024, 1)  # the rest of the file: one line of NUL bytes, never written
        handle.truncate()
    tracemalloc.start()
    try:
        versions = sources.list_versions(source, max_line_bytes=64 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"listing held {peak / 1e6:.1f} MB"
    assert [(v.service, v.source.rsplit(":", 1)[1], v.locator[0]) for v in versions] == [
        ("Acme", "1", "jsonl"), ("2", "2", "unreadable"), ("Beta", "3", "jsonl"), ("4", "4", "unreadable")]
    assert versions[1].locator[2] == "too large: line 2 is 0.1 MB (a JSON Lines line is read up to 0.1 MB); not read"
    assert versions[1].size == 100_000 + len('{"id": "b", "text": ""}')
    assert versions[3].size == 48 * 1024 * 1024 and versions[3].locator[2].startswith("too large: line 4 is 50.3 MB")
    assert sources.read_version(versions[2]) == (POLICY + "We share your location.").encode()


def test_a_line_at_the_bound_is_read(tmp_path):
    source = tmp_path / "edge.jsonl"
    line = _line(id="a", text=POLICY)
    source.write_bytes(line + line.rstrip(b"\n"))  # the second line without its newline, at the end of the file
    bound = len(line) - 1  # the first line's bytes, less its newline
    assert [v.locator[0] for v in sources.list_versions(source, max_line_bytes=bound)] == ["jsonl", "jsonl"]
    assert [v.locator[0] for v in sources.list_versions(source, max_line_bytes=bound - 1)] == ["unreadable"] * 2


def test_a_run_on_a_dask_cluster_records_the_long_line_and_reads_every_other(tmp_path, dask_cluster):
    cluster, _ = dask_cluster
    source = tmp_path / "policies.jsonl"
    with open(source, "wb") as handle:
        handle.write(_line(id="a", service="Acme", document="privacy", date="2020-01-01", text=POLICY))
        handle.write(_line(id="b", service="Acme", date="2021-01-01", text=POLICY + "x" * 5000))  # over 4 KiB
        handle.write(_line(id="c", service="Acme", document="privacy", date="2022-01-01",
                           text=POLICY + "\nWe may use your posts to train our artificial intelligence models.\n"))
        handle.write(b"\x00\xff" * 3000)  # binary, no newline
    summary = analyse_corpus([str(source)], str(tmp_path / "out"), engine="dask", address=cluster.scheduler_address,
                             max_line_bytes=4096)
    assert (summary.versions, summary.failed, summary.given_up) == (4, 2, 0)
    documents = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    rows = {r["source"].rsplit(":", 1)[1]: r for r in documents}
    assert rows["2"]["error"] == "too large: line 2 is 0.0 MB (a JSON Lines line is read up to 0.0 MB); not read"
    assert rows["4"]["error"].startswith("too large: line 4 is 0.0 MB") and rows["4"]["size"] == 6000
    assert rows["1"]["error"] is None and rows["3"]["error"] is None
    assert rows["3"]["highlights"] > rows["1"]["highlights"]
    # The two versions read are compared with each other: the lines not read take nothing from the history.
    changes = pq.read_table(tmp_path / "out" / "changes.parquet").to_pylist()
    assert {(c["previous_date"], c["date"]) for c in changes} == {("2020-01-01", "2022-01-01")}


def test_a_record_rewritten_between_listing_and_reading_is_a_row_not_the_end_of_the_run(tmp_path):
    """The JSON Lines file is rewritten after it was listed and before its lines are read (a crawler still writing
    it): the record that is no longer where it was once ended the run with a bare JSONDecodeError, naming no line,
    and the records after it were not read."""
    source = tmp_path / "policies.jsonl"
    first, second = _line(id="a", service="Acme", text=POLICY), _line(id="b", service="Beta", text=POLICY + "x")
    source.write_bytes(first + second)
    rewritten = []

    def rewrite_once_listed(line: str) -> None:  # the run's first log line comes between listing and reading
        if not rewritten:
            source.write_bytes(first + b"\n" * len(second))
            rewritten.append(line)

    summary = analyse_corpus([str(source)], str(tmp_path / "out"), workers=1, log=rewrite_once_listed)
    assert rewritten and (summary.versions, summary.failed) == (2, 1)
    rows = {r["service"]: r for r in pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()}
    assert rows["Acme"]["error"] is None
    assert rows["Beta"]["error"] == (f"cannot read: {source}:2 is no longer the record it was when listed (the file "
                                     "changed since); run again to list it anew")
