"""A corpus folder records the engine that read it (corpus/identity.py): a run of another engine (other models,
another smallprint, another diff-view layout) does not mix its readings with the folder's, and `--reread` replaces
them, keeping the old parts aside. Real runs of the CLI over the small corpus, as the other corpus tests."""
from __future__ import annotations

from .conftest import need_corpus_extra

need_corpus_extra()  # before the imports below, which need the corpus extra

import dataclasses
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from smallprint.corpus.identity import ENGINE_KEY, EngineIdentity, engine_identity, models_digest

from tests.conftest import require

from .conftest import analyze_small, assert_same_tables, part_stamps, read_tables, run_corpus, small_corpus

OTHER_MODELS = "0" * 64


def reading_parts(out: Path) -> list[Path]:
    return sorted(p for p in (out / "parts").glob("*.parquet") if not p.name.startswith("versions-"))


def recorded(path: Path) -> EngineIdentity | None:
    return EngineIdentity.from_text((pq.read_schema(path).metadata or {}).get(ENGINE_KEY))


def as_if_read_by(out: Path, engine: EngineIdentity | None) -> None:
    """Make the folder look read by `engine` (None: by a smallprint from before folders recorded one): its parts of
    readings and diffs, its tables and corpus.json say so, as an older smallprint would have left them."""
    for path in [*reading_parts(out), *(out / f"{name}.parquet" for name in ("documents", "findings", "changes"))]:
        table = pq.read_table(path)
        metadata = {k: v for k, v in (table.schema.metadata or {}).items() if k != ENGINE_KEY}
        if engine is not None:
            metadata[ENGINE_KEY] = engine.text.encode()
        pq.write_table(table.replace_schema_metadata(metadata), path)
    manifest = json.loads((out / "corpus.json").read_text())
    manifest.pop("engine", None)
    if engine is not None:
        manifest["engine"] = json.loads(engine.text)
    (out / "corpus.json").write_text(json.dumps(manifest))


def test_the_folder_its_parts_and_tables_record_the_engine(tmp_path):
    _, out, tables = small_corpus(tmp_path)
    engine = engine_identity("quick")
    assert EngineIdentity.from_json(json.loads((out / "corpus.json").read_text())["engine"]) == engine
    assert reading_parts(out) and all(recorded(part) == engine for part in reading_parts(out))
    assert all(EngineIdentity.from_text(table.schema.metadata[ENGINE_KEY]) == engine for table in tables.values())


def test_the_same_engine_extends_the_folder_as_before(tmp_path):
    src, out, _ = small_corpus(tmp_path)
    before = part_stamps(out)
    (src / "acme" / "2023-01-01_privacy.md").write_text("We sell your browsing history to data brokers.\n")
    done = analyze_small(src, out=out)
    assert done.returncode == 0, done.stderr
    assert "1 read now, 4 already in" in done.stdout
    after = part_stamps(out)
    # No reading or diff rewritten (the source's listing is, having a version more).
    assert all(after[name] == stamp for name, stamp in before.items() if not name.startswith("versions-"))
    assert not (out / "parts" / "superseded").exists()


def test_a_folder_read_with_other_models_is_refused_before_anything_is_read(tmp_path):
    src, out, tables = small_corpus(tmp_path)
    older = dataclasses.replace(engine_identity("quick"), models=OTHER_MODELS)
    as_if_read_by(out, older)
    before, tables = part_stamps(out), read_tables(out)
    (src / "acme" / "2023-01-01_privacy.md").write_text("We sell your browsing history to data brokers.\n")
    done = analyze_small(src, out=out)
    assert done.returncode == 1
    message = " ".join(done.stderr.split())
    assert "read by another engine" in message
    assert f"by smallprint {older.version} at quick depth (models {OTHER_MODELS[:12]}, layout {older.layout})" in message
    assert f"this run's engine is {engine_identity('quick')}" in message
    assert f"its models ({OTHER_MODELS[:12]} there, {models_digest('quick')[:12]} here)" in message
    assert "--reread" in message and "another --out" in message
    assert "reading on" not in done.stderr  # stopped before any worker was started
    assert part_stamps(out) == before  # nothing written, nothing moved
    assert_same_tables(read_tables(out), tables)


def test_reread_reads_everything_again_and_keeps_the_old_parts_aside(tmp_path):
    src, out, tables = small_corpus(tmp_path)
    older = dataclasses.replace(engine_identity("quick"), version="0.0.9", layout=0)
    as_if_read_by(out, older)
    old_parts = {part.name for part in reading_parts(out)}
    done = analyze_small(src, "--reread", out=out)
    assert done.returncode == 0, done.stderr
    assert "4 read now, 0 already in" in done.stdout
    assert f"{len(old_parts)} parts read by another engine moved to" in done.stdout
    superseded = out / "parts" / "superseded"
    assert {p.name for p in superseded.glob("*.parquet")} == old_parts
    assert all(recorded(p) == older for p in superseded.glob("*.parquet"))
    assert "read by smallprint 0.0.9" in (superseded / "why.txt").read_text()
    engine = engine_identity("quick")
    assert all(recorded(part) == engine for part in reading_parts(out))
    assert json.loads((out / "corpus.json").read_text())["engine"] == json.loads(engine.text)
    assert_same_tables(read_tables(out), tables)  # the same rows: the "older" engine was this one, renamed
    again = analyze_small(src, out=out)  # and the folder is this engine's now: extended as before
    assert again.returncode == 0, again.stderr
    assert "0 read now, 4 already in" in again.stdout


def test_a_folder_from_before_engines_were_recorded_is_an_unknown_engine(tmp_path):
    src, out, _ = small_corpus(tmp_path)
    as_if_read_by(out, None)
    before = part_stamps(out)
    done = analyze_small(src, out=out)
    assert done.returncode == 1
    message = " ".join(done.stderr.split())
    assert "an unknown engine (a smallprint from before corpus folders recorded their engine)" in message
    assert "--reread" in message
    assert part_stamps(out) == before
    report = run_corpus("report", out)
    assert report.returncode == 0, report.stderr
    assert "quick reading by an unknown engine" in (out / "report.html").read_text()


def test_the_report_names_the_engine_that_read_the_corpus(tmp_path):
    _, out, _ = small_corpus(tmp_path)
    done = run_corpus("report", out)
    assert done.returncode == 0, done.stderr
    engine = engine_identity("quick")
    assert f"read by smallprint {engine.version} at quick depth (models {engine.models[:12]}, layout {engine.layout})" in (
        out / "report.html").read_text()


def test_the_full_depth_digest_covers_the_reader_quick_depth_does_not(tmp_path, monkeypatch):
    from smallprint.engine.reader import MODEL_DIR

    require(MODEL_DIR.is_dir(), f"the learned reader is not installed at {MODEL_DIR}")
    other = tmp_path / "reader"
    other.mkdir()
    for path in MODEL_DIR.iterdir():
        (other / path.name).symlink_to(path)
    (other / "reader.json").unlink()
    shutil.copy(MODEL_DIR / "reader.json", other / "reader.json")
    with open(other / "reader.json", "a") as handle:
        handle.write("\n")  # one byte more: a retrained reader, as far as the digest can tell
    shipped = (models_digest("quick"), models_digest("full"))
    monkeypatch.setenv("SMALLPRINT_READER_DIR", str(other))
    assert models_digest("quick") == shipped[0]
    assert models_digest("full") != shipped[1]
