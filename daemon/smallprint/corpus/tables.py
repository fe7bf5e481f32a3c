"""The tables of a corpus (docs/CORPUS.md documents every column) and how they are built from the parts.

Rows are sorted by service, document, date and source, so the same corpus gives byte-for-byte the same rows
whichever engine ran it and in whatever order its parts were finished.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from .store import CorpusDir, write_atomically

NOT_YET = "not analysed yet: the run was interrupted or its worker failed; run the same command again to resume"

_FINDING = pa.struct([("highlight", pa.int32()), ("block", pa.string()), ("start", pa.int32()), ("end", pa.int32()),
                      ("practice", pa.string()), ("polarity", pa.string()), ("summary", pa.string()),
                      ("text", pa.string()), ("confidence", pa.float64()), ("key", pa.bool_())])
_CHANGE = pa.struct([("change", pa.string()), ("practice", pa.string()), ("polarity", pa.string()),
                     ("summary", pa.string()), ("text", pa.string()), ("old_text", pa.string()),
                     ("practices", pa.list_(pa.string()))])

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


@dataclass(frozen=True, slots=True)
class VersionRow:
    service: str
    document: str
    date: str | None
    source: str
    content_hash: str
    size: int

    def order(self) -> tuple:
        return (self.service, self.document, self.date or "", self.source)


def versions_table(versions) -> pa.Table:
    return pa.Table.from_pylist([{"service": v.service, "document": v.document, "date": v.date, "source": v.source,
                                  "content_hash": v.content_hash, "size": v.size} for v in versions],
                                schema=VERSIONS_PART)


def read_versions(corpus: CorpusDir) -> list[VersionRow]:
    """Every version any run listed into the folder, once each, in table order."""
    seen: dict[tuple, VersionRow] = {}
    for file in corpus.part_files("versions"):
        for row in pq.read_table(file, schema=VERSIONS_PART).to_pylist():
            version = VersionRow(**row)
            seen.setdefault((*version.order(), version.content_hash), version)
    return sorted(seen.values(), key=lambda v: (*v.order(), v.content_hash))


def analysed_hashes(corpus: CorpusDir) -> set[str]:
    return {h for file in corpus.part_files("analyses")
            for h in pq.read_table(file, columns=["content_hash"]).column("content_hash").to_pylist()}


def read_analyses(corpus: CorpusDir, columns: list[str] | None = None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for file in corpus.part_files("analyses"):
        for row in pq.read_table(file, columns=columns, schema=ANALYSES_PART).to_pylist():
            out.setdefault(row["content_hash"], row)
    return out


class DiffViews:
    """Each read text's diff view, fetched from its part when a diff task needs it: the views of a whole corpus
    (tens of kilobytes each) are never in memory at once. A document's versions are read in one run of batches
    (run.py sorts them), so the few parts held in the cache serve most pairs."""

    def __init__(self, corpus: CorpusDir, cached_parts: int = 16):
        self.part_of = {h: file for file in corpus.part_files("analyses")
                        for h in pq.read_table(file, columns=["content_hash"]).column("content_hash").to_pylist()}
        self._read = functools.lru_cache(maxsize=cached_parts)(self._read_part)

    @staticmethod
    def _read_part(file) -> dict[str, bytes]:
        table = pq.read_table(file, columns=["content_hash", "diff_view"])
        return dict(zip(table.column("content_hash").to_pylist(), table.column("diff_view").to_pylist()))

    def __getitem__(self, content_hash: str) -> bytes:
        return self._read(self.part_of[content_hash])[content_hash]


def diffed_pairs(corpus: CorpusDir) -> set[tuple[str, str]]:
    return {(row["previous_hash"], row["content_hash"]) for file in corpus.part_files("changes")
            for row in pq.read_table(file, columns=["previous_hash", "content_hash"]).to_pylist()}


def consecutive_pairs(versions: list[VersionRow], readable: set[str]) -> list[tuple[VersionRow, VersionRow]]:
    """Each readable version with the readable one before it of the same document (in date order), where the text
    differs: an unreadable version in between is passed over, not a gap in the history."""
    by_document: dict[tuple[str, str], list[VersionRow]] = defaultdict(list)
    for v in versions:
        if v.content_hash in readable:
            by_document[(v.service, v.document)].append(v)
    pairs = []
    for history in by_document.values():
        for before, after in zip(history, history[1:]):
            if before.content_hash != after.content_hash:
                pairs.append((before, after))
    return pairs


def write_tables(corpus: CorpusDir) -> dict[str, int]:
    """Rebuild documents, findings and changes from every part; returns their row counts."""
    versions = read_versions(corpus)
    analyses = read_analyses(corpus, columns=[f.name for f in ANALYSES_PART if f.name != "diff_view"])
    diffs: dict[tuple[str, str], dict] = {}
    for file in corpus.part_files("changes"):
        for row in pq.read_table(file, schema=CHANGES_PART).to_pylist():
            diffs.setdefault((row["previous_hash"], row["content_hash"]), row)

    documents, findings, changes = [], [], []
    analysis_names = [name for name, _ in _ANALYSIS_COLUMNS]
    for v in versions:
        key = {"service": v.service, "document": v.document, "date": v.date}
        analysis = analyses.get(v.content_hash)
        row = {**key, "source": v.source, "content_hash": v.content_hash, "size": v.size}
        if analysis is None:
            documents.append({**row, "error": NOT_YET})
            continue
        documents.append({**row, "depth": analysis["depth"], "error": analysis["error"],
                          **{name: analysis[name] for name in analysis_names}})
        findings.extend({**key, "content_hash": v.content_hash, **f} for f in analysis["findings"] or ())
    readable = {h for h, row in analyses.items() if not row["error"]}
    for before, after in consecutive_pairs(versions, readable):
        diff = diffs.get((before.content_hash, after.content_hash))
        for c in (diff or {}).get("changes") or ():
            changes.append({"service": after.service, "document": after.document, "date": after.date,
                            "previous_date": before.date, "content_hash": after.content_hash,
                            "previous_hash": before.content_hash, **c})
    counts = {}
    for name, rows in (("documents", documents), ("findings", findings), ("changes", changes)):
        table = pa.Table.from_pylist(rows, schema=TABLES[name])
        write_atomically(corpus.root / f"{name}.parquet", lambda tmp, t=table: pq.write_table(t, tmp))
        counts[name] = len(rows)
    return counts
