"""A document's analysis, not only a PDF's reading, is bounded by the run's time limit on a real local Dask cluster
(whose workers run their tasks in threads, where no SIGALRM reaches), and a document that ran out of time is not kept
in the corpus folder: the next run tries it again, as a higher limit lets it finish. The limit's default, ten times the
daemon's analysis_timeout_seconds, is tested in test_pdf_bounds.py."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import time
from pathlib import Path

import pyarrow.parquet as pq

from smallprint.corpus.run import analyse_corpus
from tests.pdf_writer import pdf_document

from .conftest import ACME, run_corpus

TIMED_OUT = ("the analysis took longer than 1 s (corpus analyze --time-limit; by default 10 times "
             "analysis_timeout_seconds in config.toml); the next run tries it again")
# A list of 33,000 distinct items (1.9 MB, under the engine's 2,000,000 characters): some 4 s of quick analysis on an
# idle machine, four times the limit of these tests.
SLOW_TO_ANALYSE = "".join(f"- We share your location with advertisers, partner {i}\n" for i in range(33_000))
# One page of 60,000 text operations: some 2.5 s of reading on an idle Zen 5 machine (more elsewhere), then its
# analysis. With 30,000 it read in 1.2 s there: a first raise at the 1 s limit that a Dask worker's gc callback
# swallowed (time_budget.RAISE_AGAIN_SECONDS) left the second, at 1.25 s, too late, and the document was read in time.
SLOW_OPERATIONS = 60_000
SLOW_TO_READ = (b"BT /F1 10 Tf 72 700 Td (x) Tj ET\n" * SLOW_OPERATIONS, 1)


def documents(out: Path) -> dict[str, dict]:
    return {r["document"]: r for r in pq.read_table(out / "documents.parquet").to_pylist()}


def test_an_analysis_that_runs_out_of_time_is_its_rows_error_and_the_run_goes_on(tmp_path, dask_cluster,
                                                                                  smallprint_home):
    """Only a PDF's reading had a limit: a text that the engine takes long over held a worker for as long as it took
    (a pathological one, forever)."""
    cluster, _ = dask_cluster
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "listing.md").write_text(SLOW_TO_ANALYSE)
    (source / "privacy.md").write_text(ACME["2022-01-01_privacy.md"])
    started = time.monotonic()
    summary = analyse_corpus([str(tmp_path / "src")], str(tmp_path / "out"), engine="dask",
                             address=cluster.scheduler_address, time_limit=1)
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

    def run(time_limit: float):
        return analyse_corpus([str(tmp_path / "src")], str(tmp_path / "out"), engine="dask",
                              address=cluster.scheduler_address, time_limit=time_limit)

    first = run(1)
    assert (first.analysed, first.failed) == (2, 1)
    assert documents(tmp_path / "out")["slow"]["error"] == TIMED_OUT
    again = run(1)  # the same limit: tried again (the machine may be less busy now), the other document not
    assert (again.analysed, again.skipped, again.failed) == (1, 1, 1)
    assert documents(tmp_path / "out")["slow"]["error"] == TIMED_OUT
    higher = run(120)
    assert (higher.analysed, higher.skipped, higher.failed) == (1, 1, 0)
    rows = documents(tmp_path / "out")
    assert rows["slow"]["error"] is None and rows["slow"]["chars"] == SLOW_OPERATIONS, rows["slow"]
    assert rows["privacy"]["error"] is None


def test_the_command_line_takes_a_time_limit_and_refuses_one_that_is_no_limit(tmp_path):
    """A corpus read at full depth needs more than the daemon's limit for its largest policies (some 45 s on one
    thread here, against 30 s), and a researcher chooses the limit per run."""
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "listing.md").write_text(SLOW_TO_ANALYSE)
    for bad in ("0", "-1", "nan", "86401"):
        refused = run_corpus("analyze", str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--time-limit", bad)
        assert refused.returncode == 2, refused  # a usage error, one line naming the option
        assert (f"smallprint: error: argument --time-limit: must be a number of seconds above 0 and at most 86400, "
                f"not '{bad}'") in refused.stderr and refused.stderr.count("\n") == 1
        assert not (tmp_path / "out").exists()
    timed = run_corpus("analyze", str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--time-limit", "0.5",
                       "--workers", "1")
    assert timed.returncode == 0, timed.stderr
    assert documents(tmp_path / "out")["listing"]["error"] == TIMED_OUT.replace("1 s", "0.5 s")
