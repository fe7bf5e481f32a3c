"""A PDF in a corpus is read within the analysis time limit, on a real local Dask cluster (whose workers run their
tasks in threads, where no SIGALRM reaches): a small file that draws one slow stream on every page becomes that
document's error row instead of holding a worker for hours, as does one whose pages draw more than the bound
(smallprint.pdf.MAX_DRAWING_BYTES), and the other documents are read."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import time

import pyarrow.parquet as pq

from smallprint.corpus.run import analyse_corpus
from tests.pdf_writer import HEAVY_PAGES, POLICY_PAGES, pdf_document

# ~10 s a page (50,000 text operations, under pypdf's per-stream limits), 10 pages: minutes without the limit.
SLOW_PAGE = (b"BT /F1 10 Tf 72 700 Td (x) Tj ET\n" * 50_000, 10)


def test_a_slow_or_over_drawn_pdf_on_a_dask_cluster_is_its_rows_error(tmp_path, dask_cluster, smallprint_home):
    cluster, _ = dask_cluster
    (smallprint_home / "config").mkdir(parents=True)
    (smallprint_home / "config" / "config.toml").write_text("analysis_timeout_seconds = 0.1\n")  # a corpus: 10 times that
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "slow.pdf").write_bytes(pdf_document(repeated_page=SLOW_PAGE))
    (source / "privacy.pdf").write_bytes(pdf_document(POLICY_PAGES))
    (source / "heavy.pdf").write_bytes(pdf_document(heavy_pages=HEAVY_PAGES))
    started = time.monotonic()
    summary = analyse_corpus([str(tmp_path / "src")], str(tmp_path / "out"), engine="dask",
                             address=cluster.scheduler_address)
    elapsed = time.monotonic() - started
    assert (summary.versions, summary.failed, summary.given_up) == (3, 2, 0)
    rows = {r["document"]: r for r in pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()}
    assert rows["slow"]["error"] == ("the analysis took longer than 1 s (corpus analyze --time-limit; by default 10 "
                                     "times analysis_timeout_seconds in config.toml); the next run tries it again")
    assert rows["heavy"]["error"].startswith("this PDF's pages hold more than 40 MB of drawing instructions")
    assert rows["privacy"]["error"] is None and rows["privacy"]["highlights"] >= 2, rows["privacy"]
    assert elapsed < 60  # the limit, the cluster's tasks and the tables; not the minutes the pages would take
