"""`corpus analyze` run again into the same folder after its sources changed: the tables hold each source as it is
now (a file corrected in place, deleted or renamed leaves no phantom version), and the sources of earlier runs that
a run does not name are kept (docs/CORPUS.md, "Resuming")."""
from __future__ import annotations

import os

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import pyarrow as pa
import pyarrow.parquet as pq

from smallprint.corpus.store import part_key
from smallprint.corpus.tables import VERSIONS_PART

from .conftest import part_stamps, read_tables, run_corpus

OLD = "We collect your email address.\n"
CORRECTED = "We collect your email address.\n\nWe may use your posts to train our AI models.\n"
LATER = "We collect your email address.\n\nWe do not sell your personal information.\n"


def _analyze(*sources, out) -> None:
    done = run_corpus("analyze", *sources, "--out", out, "--workers", "1")
    assert done.returncode == 0, done.stderr


def _versions(out) -> list[tuple[str, str | None, str]]:
    return [(d["document"], d["date"], d["source"].rsplit("/", 1)[-1])
            for d in read_tables(out)["documents"].to_pylist()]


def _acme(tmp_path):
    source = tmp_path / "src" / "acme"
    source.mkdir(parents=True)
    (source / "2020-01-01_privacy.md").write_text(OLD)
    (source / "2022-01-01_privacy.md").write_text(LATER)
    return tmp_path / "src"


def test_a_file_corrected_in_place_is_one_version_with_its_current_text(tmp_path):
    import hashlib

    src, out = _acme(tmp_path), tmp_path / "out"
    _analyze(src, out=out)
    stamps = part_stamps(out)
    (src / "acme" / "2020-01-01_privacy.md").write_text(CORRECTED)
    _analyze(src, out=out)
    tables = read_tables(out)
    documents = tables["documents"].to_pylist()
    assert [(d["date"], d["content_hash"]) for d in documents] == [
        ("2020-01-01", hashlib.sha256(CORRECTED.encode()).hexdigest()),
        ("2022-01-01", hashlib.sha256(LATER.encode()).hexdigest())]
    assert all(d["error"] is None for d in documents)
    # The findings and changes are the corrected text's: its AI-training clause, dropped in 2022.
    assert {f["practice"] for f in tables["findings"].to_pylist() if f["date"] == "2020-01-01"} >= {"ai_training"}
    changes = tables["changes"].to_pylist()
    assert changes and all(c["previous_hash"] == documents[0]["content_hash"] for c in changes)
    # The old text's analysis is still in its part (not rewritten): changing the file back reads nothing again.
    analyses = {k: v for k, v in stamps.items() if k.startswith("analyses-")}
    assert {k: v for k, v in part_stamps(out).items() if k in analyses} == analyses
    (src / "acme" / "2020-01-01_privacy.md").write_text(OLD)
    done = run_corpus("analyze", src, "--out", out, "--workers", "1")
    assert done.returncode == 0 and "0 read now, 2 already in" in done.stdout, done.stdout + done.stderr
    assert len(read_tables(out)["documents"]) == 2


def test_a_file_deleted_or_renamed_is_gone_from_the_tables(tmp_path):
    src, out = _acme(tmp_path), tmp_path / "out"
    (src / "acme" / "2021-01-01_privacy.md").write_text(CORRECTED)
    _analyze(src, out=out)
    assert [date for _, date, _ in _versions(out)] == ["2020-01-01", "2021-01-01", "2022-01-01"]
    (src / "acme" / "2021-01-01_privacy.md").unlink()
    (src / "acme" / "2022-01-01_privacy.md").rename(src / "acme" / "2023-06-01_privacy.md")
    done = run_corpus("analyze", src, "--out", out, "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "0 read now" in done.stdout  # a renamed file's text is already read
    assert _versions(out) == [("policy", "2020-01-01", "2020-01-01_privacy.md"),
                              ("policy", "2023-06-01", "2023-06-01_privacy.md")]
    changes = read_tables(out)["changes"].to_pylist()
    assert {(c["previous_date"], c["date"]) for c in changes} == {("2020-01-01", "2023-06-01")}


def test_the_same_source_spelt_another_way_is_the_same_source_and_others_are_kept(tmp_path, monkeypatch):
    src, out = _acme(tmp_path), tmp_path / "out"
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "1", "service": "Beta", "date": "2024-01-01", "text": "We sell your data."}\n')
    _analyze(src, other, out=out)
    (src / "acme" / "2020-01-01_privacy.md").write_text(CORRECTED)
    monkeypatch.chdir(tmp_path)
    done = run_corpus("analyze", "./src/", "--out", out, "--workers", "1")  # relative now, absolute before
    assert done.returncode == 0, done.stderr
    rows = read_tables(out)["documents"].to_pylist()
    assert [(r["service"], r["date"]) for r in rows] == [("Beta", "2024-01-01"), ("acme", "2020-01-01"),
                                                         ("acme", "2022-01-01")]
    assert rows[1]["source"] == "src/acme/2020-01-01_privacy.md"


def test_a_folder_written_before_listings_were_kept_per_source_loses_its_phantoms(tmp_path):
    """An older folder holds one versions part per run, whatever each listed: a file corrected since is in two of
    them. A run over the same source now drops both old rows for what it lists; another source's stay."""
    src, out = _acme(tmp_path), tmp_path / "out"
    _analyze(src, out=out)
    for part in (out / "parts").glob("versions-*.parquet"):
        part.unlink()
    phantom = [{"service": "acme", "document": "privacy", "date": "2020-01-01",
                "source": f"{src}/acme/2020-01-01_privacy.md", "content_hash": "0" * 64, "size": 3},
               {"service": "acme", "document": "privacy", "date": "2019-01-01",  # deleted since
                "source": f"{src}/acme/2019-01-01_privacy.md", "content_hash": "1" * 64, "size": 3},
               {"service": "Gamma", "document": "policy", "date": None,  # from another source, not listed now
                "source": f"{tmp_path}/gamma.jsonl:1", "content_hash": "2" * 64, "size": 3}]
    pq.write_table(pa.Table.from_pylist(phantom, schema=VERSIONS_PART),
                   out / "parts" / f"versions-{part_key(['an older run'])}.parquet")
    _analyze(src, out=out)
    assert [(d["service"], d["date"], d["error"] is None) for d in read_tables(out)["documents"].to_pylist()] == [
        ("Gamma", None, False), ("acme", "2020-01-01", True), ("acme", "2022-01-01", True)]


def test_a_full_disk_names_the_file_it_could_not_write(tmp_path, capsys, monkeypatch):
    """On a full disk the run once ended with `smallprint: [Errno 28] Error writing bytes to file. Detail: [errno 28]
    No space left on device`, naming no file or folder. pyarrow's error on a full disk (a 64 KiB tmpfs) is raised
    after part of the file is written."""
    from smallprint.cli import main

    def full_disk(table, where, **kw):
        with open(where, "wb") as handle:
            handle.write(b"PAR1")
        raise OSError(28, "Error writing bytes to file. Detail: [errno 28] No space left on device")

    monkeypatch.setattr(pq, "write_table", full_disk)
    out = tmp_path / "out"
    assert main(["corpus", "analyze", str(_acme(tmp_path)), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"smallprint: cannot write {out / 'parts'}{os.sep}versions-"), err
    assert err[0].endswith(".parquet: No space left on device")
    assert not list((out / "parts").glob(".*.tmp"))
