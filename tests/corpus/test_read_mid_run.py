"""A document that changes, goes or comes back between a run's listing and its reading: what the run could not read
then is its row's error in that run's tables, never a reading kept under its text's hash for every later run."""
from __future__ import annotations

import hashlib

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import pyarrow.parquet as pq

from smallprint.corpus.run import analyse_corpus

FIRST = "# Privacy Policy\n\nWe collect your email address.\n\nWe do not sell your personal information.\n"
SECOND = ("# Privacy Policy\n\nWe collect your email address and your face geometry.\n\n"
          "We may use your posts to train our artificial intelligence models.\n\nWe may sell your personal data.\n")


def _run(source, out, cluster, between=None) -> dict:
    """One run on the Dask cluster; `between()` once, after the listing and before any document is read (the run's
    first log line comes between them). The documents row of acme's policy."""
    called = []

    def log(line: str) -> None:
        if between is not None and not called:
            called.append(line)
            between()

    analyse_corpus([str(source)], str(out), engine="dask", address=cluster.scheduler_address, log=log)
    assert between is None or called
    rows = pq.read_table(out / "documents.parquet").to_pylist()
    assert len(rows) == 1
    return rows[0]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_file_rewritten_after_listing_is_not_read_under_its_old_hash(tmp_path, dask_cluster):
    """The file was listed with FIRST and read with SECOND: SECOND's reading was kept under FIRST's hash, and once
    the file read FIRST again its row showed SECOND's grade and highlights in every run after."""
    cluster, _ = dask_cluster
    policy = tmp_path / "corpus" / "acme" / "privacy.md"
    policy.parent.mkdir(parents=True)
    policy.write_text(FIRST)
    out = tmp_path / "out"
    row = _run(policy.parent.parent, out, cluster, between=lambda: policy.write_text(SECOND))
    assert row["content_hash"] == _hash(FIRST) and row["grade"] is None
    assert row["error"].startswith("cannot read: ") and "changed after it was listed" in row["error"]

    policy.write_text(FIRST)  # the file as it was listed the first time
    expected = _run(policy.parent.parent, tmp_path / "alone", cluster)  # read undisturbed: what its row must say
    assert expected["content_hash"] == _hash(FIRST) and expected["error"] is None
    row = _run(policy.parent.parent, out, cluster)
    assert (row["error"], row["grade"], row["highlights"]) == (None, expected["grade"], expected["highlights"])
    assert pq.read_table(out / "findings.parquet").num_rows == pq.read_table(tmp_path / "alone" / "findings.parquet").num_rows


def test_a_file_gone_after_listing_is_read_when_it_comes_back(tmp_path, dask_cluster):
    """A file that could not be read for a moment (deleted and restored, a share that dropped) was kept as
    "cannot read: No such file or directory" under its text's hash: no later run read it again."""
    cluster, _ = dask_cluster
    policy = tmp_path / "corpus" / "acme" / "privacy.md"
    policy.parent.mkdir(parents=True)
    policy.write_text(FIRST)
    out = tmp_path / "out"
    row = _run(policy.parent.parent, out, cluster, between=policy.unlink)
    assert row["error"] == "cannot read: No such file or directory"

    policy.write_text(FIRST)
    row = _run(policy.parent.parent, out, cluster)
    assert row["error"] is None and row["content_hash"] == _hash(FIRST) and row["highlights"] > 0


def test_a_file_gone_for_a_moment_is_read_when_the_run_goes_again(tmp_path, dask_cluster, monkeypatch):
    """A run goes again after it sets a damaged part aside, with what it learnt so far: a file it could not read in
    its first attempt (gone for a moment) and read in its second had that reading dropped, and its row still said it
    could not be read."""
    from smallprint.corpus import run, tables
    from smallprint.corpus.store import DamagedFile

    cluster, _ = dask_cluster
    policy = tmp_path / "corpus" / "acme" / "privacy.md"
    policy.parent.mkdir(parents=True)
    policy.write_text(FIRST)
    out = tmp_path / "out"
    write_tables = tables.write_tables
    attempts = []

    def damaged_once(corpus, *args, **kwargs):
        attempts.append(corpus)
        if len(attempts) == 1:  # the first attempt's end: the file is back, and a part turns out damaged
            policy.write_text(FIRST)
            raise DamagedFile(next(corpus.parts.glob("versions-*")), "found damaged for the test")
        return write_tables(corpus, *args, **kwargs)

    monkeypatch.setattr(run.tables, "write_tables", damaged_once)
    row = _run(policy.parent.parent, out, cluster, between=policy.unlink)
    assert len(attempts) == 2
    assert row["error"] is None and row["content_hash"] == _hash(FIRST) and row["highlights"] > 0
