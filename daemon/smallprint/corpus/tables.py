"""The tables of a corpus (docs/CORPUS.md documents every column) and how they are built from the parts.

Rows are sorted by service, document, date and source, so the same corpus gives byte-for-byte the same rows
whichever engine ran it and in whatever order its parts were finished. The three tables of a run are written
together and carry its stamp (STAMP), by which readers know them for one set (read_tables), and the identity of the
engine that read the folder (identity.ENGINE_KEY), as does every part of readings or diffs (stamped).
"""
from __future__ import annotations

import functools
import json
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .identity import ENGINE_KEY, EngineIdentity
from .sources import date_order
from .store import CorpusDir, DamagedFile, StoreError, read_parquet, write_together
from .timeline import in_history

NOT_YET = "not analysed yet: the run was interrupted or its worker failed; run the same command again to resume"

_FINDING = pa.struct([("highlight", pa.int32()), ("block", pa.string()), ("start", pa.int32()), ("end", pa.int32()),
                      ("practice", pa.string()), ("polarity", pa.string()), ("summary", pa.string()),
                      ("text", pa.string()), ("confidence", pa.float64()), ("key", pa.bool_())])
_CHANGE = pa.struct([("change", pa.string()), ("practice", pa.string()), ("polarity", pa.string()),
                     ("summary", pa.string()), ("text", pa.string()), ("old_text", pa.string()),
                     ("practices", pa.list_(pa.string())), ("practices_now", pa.list_(pa.string()))])

VERSIONS_PART = pa.schema([("service", pa.string()), ("document", pa.string()), ("date", pa.string()),
                           ("source", pa.string()), ("content_hash", pa.string()), ("size", pa.int64())])
_ANALYSIS_COLUMNS = [("language", pa.string()), ("kind", pa.string()), ("grade", pa.string()),
                     ("score", pa.float64()), ("chars", pa.int64()), ("blocks", pa.int32()),
                     ("highlights", pa.int32()), ("concerns", pa.int32()), ("protective", pa.int32()),
                     ("neutral", pa.int32()), ("practices", pa.int32())]
ANALYSES_PART = pa.schema([("content_hash", pa.string()), ("error", pa.string()), ("depth", pa.string()),
                           *_ANALYSIS_COLUMNS, ("findings", pa.list_(_FINDING)), ("diff_view", pa.binary())])
CHANGES_PART = pa.schema([("previous_hash", pa.string()), ("content_hash", pa.string()), ("error", pa.string()),
                          ("unchanged", pa.int32()), ("changes", pa.list_(_CHANGE))])

_KEY = [("service", pa.string()), ("document", pa.string()), ("date", pa.string())]
DOCUMENTS = pa.schema([*_KEY, ("source", pa.string()), ("content_hash", pa.string()), ("size", pa.int64()),
                       ("depth", pa.string()), *_ANALYSIS_COLUMNS, ("error", pa.string())])
FINDINGS = pa.schema([*_KEY, ("content_hash", pa.string()), *[(f.name, f.type) for f in _FINDING]])
CHANGES = pa.schema([*_KEY, ("previous_date", pa.string()), ("content_hash", pa.string()),
                     ("previous_hash", pa.string()), *[(f.name, f.type) for f in _CHANGE]])
TABLES = {"documents": DOCUMENTS, "findings": FINDINGS, "changes": CHANGES}
# In the metadata of each table: the stamp of the run that wrote the three together (new_stamp). Readers compare
# them (read_tables); DuckDB shows them with parquet_kv_metadata (docs/CORPUS.md).
STAMP = b"smallprint.tables"


def stamped(table: pa.Table, engine: EngineIdentity) -> pa.Table:
    """A part of readings or diffs, marked with the engine that wrote it: a later run of another engine knows it for
    what it is (run.py) and does not mix it with its own."""
    return table.replace_schema_metadata({**(table.schema.metadata or {}), ENGINE_KEY: engine.text.encode()})


def engine_of(table: pa.Table) -> EngineIdentity | None:
    """The engine that read a part or a table (stamped, write_tables); None for one written before they said."""
    return EngineIdentity.from_text((table.schema.metadata or {}).get(ENGINE_KEY))


@dataclass(frozen=True, slots=True)
class VersionRow:
    service: str
    document: str
    date: str | None
    source: str
    content_hash: str
    size: int

    def order(self) -> tuple:
        return (self.service, self.document, date_order(self.date), self.source)


# In the metadata of a versions part: the source it was listed from, and how its versions' `source` begins.
LISTED_FROM = b"smallprint.source"
LISTED_PREFIXES = b"smallprint.source_prefixes"


def versions_table(versions, source: str | None = None, prefixes: tuple[str, ...] = ()) -> pa.Table:
    """The versions part of one source's listing (sources.source_identity gives `source` and `prefixes`)."""
    table = pa.Table.from_pylist([{"service": v.service, "document": v.document, "date": v.date, "source": v.source,
                                   "content_hash": v.content_hash, "size": v.size} for v in versions],
                                 schema=VERSIONS_PART)
    if source is None:
        return table
    return table.replace_schema_metadata({LISTED_FROM: source.encode(),
                                          LISTED_PREFIXES: json.dumps(prefixes).encode()})


def version_keys(versions) -> list[str]:
    """A listing's rows as text, for the key that tells whether it changed (store.CorpusDir.write_listing)."""
    return [json.dumps([v.service, v.document, v.date, v.source, v.content_hash, v.size]) for v in versions]


def read_versions(corpus: CorpusDir) -> list[VersionRow]:
    """The versions of every source a run listed into the folder, as its latest run listed them, once each, in table
    order. A versions part from before they were kept per source (no source in its metadata) holds whatever a run
    listed then, a file since corrected or deleted included: its rows count only where no source listed since
    covers them (a run over the same sources cleans such a folder)."""
    listed: list[dict] = []
    older: list[dict] = []
    covered: list[str] = []
    for file in corpus.part_files("versions"):
        metadata = read_parquet(file, pq.read_schema).metadata or {}
        rows = read_parquet(file, schema=VERSIONS_PART).to_pylist()
        if LISTED_FROM in metadata:
            listed += rows
            covered += json.loads(metadata[LISTED_PREFIXES])
        else:
            older += rows
    seen: dict[tuple, VersionRow] = {}
    for row in (*listed, *(row for row in older if not row["source"].startswith(tuple(covered)))):
        version = VersionRow(**row)
        seen.setdefault((*version.order(), version.content_hash), version)
    return sorted(seen.values(), key=lambda v: (*v.order(), v.content_hash))


def listed_sources(corpus: CorpusDir) -> list[str]:
    """The sources runs listed into the folder (each as sources.source_identity names it: its absolute path), as
    their versions parts record them. A part that cannot be read, or one from before parts were kept per source,
    names none."""
    found: list[str] = []
    for file in corpus.part_files("versions"):
        try:
            metadata = read_parquet(file, pq.read_schema).metadata or {}
        except StoreError:
            continue
        if LISTED_FROM in metadata:
            found.append(metadata[LISTED_FROM].decode("utf-8", "replace"))
    return sorted(set(found))


def analysed_hashes(corpus: CorpusDir) -> set[str]:
    return {h for file in corpus.part_files("analyses")
            for h in read_parquet(file, columns=["content_hash"]).column("content_hash").to_pylist()}


def read_analyses(corpus: CorpusDir, columns: list[str] | None = None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for file in corpus.part_files("analyses"):
        for row in read_parquet(file, columns=columns, schema=ANALYSES_PART).to_pylist():
            out.setdefault(row["content_hash"], row)
    return out


class PartColumn:
    """One column of the parts of a kind, fetched by its row's key from the part that holds it: a corpus's diff
    views or findings (tens of kilobytes a text) are never all in memory at once. A document's versions are read in
    one run of batches (run.py sorts them), so the few parts held in the cache serve most look-ups in table order."""

    def __init__(self, corpus: CorpusDir, kind: str, column: str, key: tuple[str, ...] = ("content_hash",),
                 cached_parts: int = 16):
        self.column, self.key = column, key
        self.part_of: dict = {}
        for file in corpus.part_files(kind):
            for row in read_parquet(file, columns=list(key)).to_pylist():
                self.part_of.setdefault(self._key(row), file)
        self._read = functools.lru_cache(maxsize=cached_parts)(self._read_part)

    def _key(self, row: dict):
        return row[self.key[0]] if len(self.key) == 1 else tuple(row[k] for k in self.key)

    def _read_part(self, file) -> dict:
        return {self._key(row): row[self.column]
                for row in read_parquet(file, columns=[*self.key, self.column]).to_pylist()}

    def get(self, key, default=None):
        file = self.part_of.get(key)
        return default if file is None else self._read(file)[key]

    def __getitem__(self, key):
        return self._read(self.part_of[key])[key]


def diff_views(corpus: CorpusDir) -> PartColumn:
    return PartColumn(corpus, "analyses", "diff_view")


def diffed_pairs(corpus: CorpusDir) -> set[tuple[str, str]]:
    return {(row["previous_hash"], row["content_hash"]) for file in corpus.part_files("changes")
            for row in read_parquet(file, columns=["previous_hash", "content_hash"]).to_pylist()}


def consecutive_pairs(versions: list[VersionRow], readable: set[str]) -> list[tuple[VersionRow, VersionRow]]:
    """Each readable version with the readable one before it of the same document (in date order), where the text
    differs: an unreadable version in between is passed over, not a gap in the history; an undated version beside
    dated ones has no place in it (`in_history`)."""
    by_document: dict[tuple[str, str], list[VersionRow]] = defaultdict(list)
    for v in versions:
        if v.content_hash in readable:
            by_document[(v.service, v.document)].append(v)
    pairs = []
    for history in by_document.values():
        history = in_history(history)
        for before, after in zip(history, history[1:]):
            if before.content_hash != after.content_hash:
                pairs.append((before, after))
    return pairs


class _TableWriter:
    """Rows written to a Parquet file in row groups as they come, so a table of any size streams through."""
    ROWS_PER_GROUP = 50_000

    def __init__(self, path: str, schema: pa.Schema):
        self.schema, self.rows, self.count = schema, [], 0
        self.writer = pq.ParquetWriter(path, schema)

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.ROWS_PER_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.count += len(self.rows)
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


def write_tables(corpus: CorpusDir, engine: EngineIdentity, unread: Mapping[str, str] | None = None) -> dict[str, int]:
    """Rebuild documents, findings and changes from every part (all read by `engine`: run.py makes sure), in table
    order; returns their row counts. Only the versions and each text's counts are held in memory; findings and
    changes stream from their parts. `unread`: why this run could not read a text that no part holds (kept out of
    the parts, so that the next run reads it again), its versions' error instead of "not analysed yet"."""
    versions = read_versions(corpus)
    analyses = read_analyses(corpus, columns=[f.name for f in ANALYSES_PART if f.name not in ("diff_view", "findings")])
    analysis_names = [name for name, _ in _ANALYSIS_COLUMNS]

    def documents(add) -> None:
        for v in versions:
            row = {"service": v.service, "document": v.document, "date": v.date, "source": v.source,
                   "content_hash": v.content_hash, "size": v.size}
            analysis = analyses.get(v.content_hash)
            if analysis is None:
                add({**row, "error": (unread or {}).get(v.content_hash, NOT_YET)})
            else:
                add({**row, "depth": analysis["depth"], "error": analysis["error"],
                     **{name: analysis[name] for name in analysis_names}})

    def findings(add) -> None:
        column = PartColumn(corpus, "analyses", "findings")
        for v in versions:
            for f in column.get(v.content_hash) or ():
                add({"service": v.service, "document": v.document, "date": v.date, "content_hash": v.content_hash,
                     **f})

    def changes(add) -> None:
        column = PartColumn(corpus, "changes", "changes", key=("previous_hash", "content_hash"))
        readable = {h for h, row in analyses.items() if not row["error"]}
        for before, after in consecutive_pairs(versions, readable):
            for c in column.get((before.content_hash, after.content_hash)) or ():
                add({"service": after.service, "document": after.document, "date": after.date,
                     "previous_date": before.date, "content_hash": after.content_hash,
                     "previous_hash": before.content_hash, **c})

    stamp = new_stamp()
    counts: dict[str, int] = {}

    def write(name: str, fill):
        def to(tmp: str) -> None:
            writer = _TableWriter(tmp, TABLES[name].with_metadata({STAMP: stamp.encode(),
                                                                   ENGINE_KEY: engine.text.encode()}))
            try:
                fill(writer.add)
            finally:
                writer.close()
            counts[name] = writer.count
        return to

    # All three are written before any is renamed into place: a full disk on the second leaves the last set whole.
    write_together([(corpus.root / f"{name}.parquet", write(name, fill))
                    for name, fill in (("documents", documents), ("findings", findings), ("changes", changes))])
    return counts


def new_stamp() -> str:
    """What marks the tables of one run as one set: when, and which run (two runs in one second differ)."""
    return f"{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}/{secrets.token_hex(4)}"


def read_tables(root: Path) -> dict[str, pa.Table]:
    """The tables of a corpus folder, read as one set. A StoreError, saying to run the corpus command again (which
    rebuilds them from the parts), when one is missing or damaged, or when they were not written together: their
    stamps differ, as when a run stopped between renaming them into place. Tables written before they were stamped
    (none is) are read as they are; a set of which only some are stamped is not one set."""
    again = (f"run the `smallprint corpus analyze` that wrote {root} again to rebuild {{}} "
             "(nothing already read is read again)")
    read: dict[str, pa.Table] = {}
    for name in TABLES:
        path = root / f"{name}.parquet"
        if not path.exists():
            raise StoreError(f"{path} is missing: run `smallprint corpus analyze` into {root} again")
        try:
            read[name] = read_parquet(path)
        except DamagedFile as exc:
            raise StoreError(f"{exc}: {again.format('it')}") from None
    stamps = {name: (table.schema.metadata or {}).get(STAMP) for name, table in read.items()}
    if len(set(stamps.values())) > 1:
        written = ", ".join(f"{name}.parquet by the run of {stamp.decode(errors='replace')}" if stamp else
                            f"{name}.parquet by a run from before the tables were stamped"
                            for name, stamp in stamps.items())
        raise StoreError(f"the tables in {root} were not written together ({written}): a run stopped while it "
                         f"replaced them; {again.format('them')}")
    return read
