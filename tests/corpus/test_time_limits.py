"""A document's analysis, not only a PDF's reading, is bounded by analysis_timeout_seconds on a real local Dask cluster
(whose workers run their tasks in threads, where no SIGALRM reaches), and a document that ran out of time is not kept
in the corpus folder: the next run tries it again, as a higher limit lets it finish."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import time
from pathlib import Path

import pyarrow.parquet as pq

from smallprint.corpus.run import analyse_corpus
from tests.pdf_writer import pdf_document

from .conftest import ACME

TIMED_OUT = ("the analysis took longer than 1 s (analysis_timeout_seconds in config.toml); "
             "the next run tries it again")
# A list of 33,000 distinct items (1.9 MB, under the engine's 2,000,000 characters): some 4 s of quick analysis on an
# idle machine, four times the limit of these tests.
SLOW_TO_ANALYSE = "".join(f"- We share your location with advertisers, partner {i}\n" for i in range(33_000))
# One page of 30,000 text operations: some 2 s of reading on an idle machine, then its analysis.
SLOW_TO_READ = (b"BT /F1 10 Tf 72 700 Td (x) Tj ET\n" * 30_000, 1)


def time_limit(home: Path, seconds: float) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text(f"analysis_timeout_seconds = {seconds}\n")


def documents(out: Path) -> dict[str, dict]:
    return {r["document"]: r for r in pq.read_table(out / "documents.parquet").to_pylist()}


def test_an_analysis_that_runs_out_of_time_is_its_rows_error_and_the_run_goes_on(tmp_path, dask_cluster,
                                                                                  smallprint_home):
    """Only a PDF's reading had a limit: a text that the engine takes long over held a worker for as long as it took
    (a pathological one, forever)."""
    cluster, _ = dask_cluster
    time_limit(smallprint_home, 1)
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "listing.md").write_text(SLOW_TO_ANALYSE)
    (source / "privacy.md").write_text(ACME["2022-01-01_privacy.md"])
    started = time.monotonic()
    summary = analyse_corpus([str(tmp_path / "src")], str(tmp_path / "out"), engine="dask",
                             address=cluster.scheduler_address)
    assert time.monotonic() - started < 60
    assert (summary.versions, summary.failed, summary.given_up) == (2, 1, 0)
    rows = documents(tmp_path / "out")
    assert rows["listing"]["error"] == TIMED_OUT and rows["listing"]["grade"] is None
    assert rows["privacy"]["error"] is None and rows["privacy"]["highlights"] >= 2, rows["privacy"]


def test_a_document_that_ran_out_of_time_is_read_again_by_the_next_run(tmp_path, dask_cluster, smallprint_home):
    """A PDF whose reading timed out was kept as an error row in the parts: no later run read it again, not even one
    with a higher limit."""
    cluster, _ = dask_cluster
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "slow.pdf").write_bytes(pdf_document(repeated_page=SLOW_TO_READ))
    (source / "privacy.md").write_text(ACME["2022-01-01_privacy.md"])

    def run():
        return analyse_corpus([str(tmp_path / "src")], str(tmp_path / "out"), engine="dask",
                              address=cluster.scheduler_address)

    time_limit(smallprint_home, 1)
    first = run()
    assert (first.analysed, first.failed) == (2, 1)
    assert documents(tmp_path / "out")["slow"]["error"] == TIMED_OUT
    again = run()  # the same limit: tried again (the machine may be less busy now), the other document not
    assert (again.analysed, again.skipped, again.failed) == (1, 1, 1)
    assert documents(tmp_path / "out")["slow"]["error"] == TIMED_OUT
    time_limit(smallprint_home, 120)
    higher = run()
    assert (higher.analysed, higher.skipped, higher.failed) == (1, 1, 0)
    rows = documents(tmp_path / "out")
    assert rows["slow"]["error"] is None and rows["slow"]["chars"] == 30_000, rows["slow"]
    assert rows["privacy"]["error"] is None
