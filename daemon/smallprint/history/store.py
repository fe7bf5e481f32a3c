"""The policy memory: every distinct version of every policy the reader has read, per site, in SQLite.

Layout (schema version in PRAGMA user_version, migrated forward on open):
  documents(id, site, path)            one row per policy document: registrable domain + path
  versions(id, document_id, hash, text, analysis, first_seen, last_seen, url, title, kind, source_hash,
           diff_view)               (analysis: Analysis.to_dict() as zlib-compressed JSON; diff_view: the
                                       part of it a diff reads, compact, NULL in versions stored before schema 5
                                       and dropped from those stored before schema 9)
                                       one row per distinct text of a document (hash of its normalised words;
                                       source_hash: the engine's hash of the raw page last seen as it)
                                       id: AUTOINCREMENT (schema 8), never given again once deleted: clients
                                       keep version ids
  documents.site is always a name site_key accepts (schema 10 deleted those stored under one it refuses)
  visits(visit, document_id, version_id, created, prior_seen, seen, baseline_id, asked)
                                       what one visit (a page load in the extension, named by the random id it
                                       sends) did to a document: the version holding its text, whether the visit
                                       stored it, that version's last_seen before the visit marked it seen, the
                                       version its new text was compared with (kept while the visit is live), and
                                       when the reading that did it was asked for (schema 11; NULL before)

Why it survives crashes: WAL journal, synchronous=FULL, and every write is one `BEGIN IMMEDIATE ... COMMIT`
transaction, so a process killed at any instant leaves either the whole version or none of it.
Why `secure_delete`: `forget` must really remove what a person read, not leave it in free pages.
A store that cannot be written (read-only, disk full, newer schema) raises HistoryUnavailable; callers
carry on without history. A damaged file (SQLite finds it malformed, or no database at all) raises StoreDamaged: no
single site can be forgotten out of it, so forgetting everything sets the file aside and starts a fresh store
(set_aside_damaged). One that this process cannot write (StoreReadOnly) can still be opened with
`read_only=True` (SQLite's mode=ro) for reading.
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import logging
import os
import re
import sqlite3
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from smallprint import paths
from smallprint.strict_json import is_unicode_text
from smallprint.engine.language import is_validated
from smallprint.taxonomy import POLICY_KINDS

from .diff import VIEW_HIGHLIGHT_KEYS
from .normalise import clean_inline, content_hash, strip_line_prefix
from .sites import cap_owner, site_key, site_of, url_to_remember, with_language


log = logging.getLogger("smallprint.history")


class HistoryUnavailable(Exception):
    """The store cannot be opened or written; the message says why in one sentence."""


class StoreTooNew(HistoryUnavailable):
    """The store was written by a newer smallprint whose schema this one does not know."""


class StoreReadOnly(HistoryUnavailable):
    """The store (its file, its folder or the file system under it) cannot be written by this process; opened with
    `read_only=True` it can still be read."""


class StoreNeedsUpgrade(HistoryUnavailable):
    """Opened read-only, a store too old for this smallprint's queries: upgrading it means writing it."""


class StoreDamaged(HistoryUnavailable):
    """The store's file is damaged (SQLite: "database disk image is malformed", "file is not a database"): what it
    holds can no longer be read, changed or forgotten site by site. Forgetting everything (`smallprint forget --all`,
    DELETE /v1/sites) sets the file aside and starts a fresh store."""

    @classmethod
    def at(cls, path: Path, cause: BaseException) -> "StoreDamaged":
        return cls(f"the history store {path} is damaged and cannot be used ({cause}): nothing more is read from or "
                   "written to it; `smallprint forget --all` (or DELETE /v1/sites) moves it aside and starts a fresh "
                   "store")


# SQLite's primary codes for a damaged file: SQLITE_CORRUPT (a malformed page or index), SQLITE_NOTADB (no database
# header at all: a file overwritten, or not a store).
_DAMAGED_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
# Their messages, for an error that carries no code (raised before SQLite gave one, or by an older module).
_DAMAGED_MESSAGES = ("database disk image is malformed", "file is not a database")


def _is_damage_error(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _DAMAGED_CODES
    return any(message in str(exc) for message in _DAMAGED_MESSAGES)


# The files SQLite keeps beside a store in WAL mode: its journal and the journal's shared index.
_COMPANIONS = ("-wal", "-shm")


def file_state(path: Path) -> tuple[int, int, int, int] | None:
    """(device, inode, size, modification time) of the file at `path`, None when there is none: a damaged file, which
    nothing writes, is the same file only while all four hold; a sound backup copied over it in place (`cp`, the same
    inode) is another, and is opened (it was refused as damaged until the daemon restarted)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, None when there is none: which file a connection opened, to tell it
    from another put at the same path since (a backup restored) or none (the file removed by hand)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


# The errors that say a store cannot be written here (its mode, its owner, a read-only mount), as opposed to a full
# disk or a damaged file.
_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def _is_read_only_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in _READ_ONLY_ERRNOS
    return isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_READONLY


def _schema_1(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        path TEXT NOT NULL,
        UNIQUE (site, path))""")
    db.execute("""CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        text TEXT NOT NULL,
        analysis TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        UNIQUE (document_id, hash))""")


def _schema_2(db: sqlite3.Connection) -> None:
    # What the reader saw it as (address, title, page kind), and a faster "latest version" lookup.
    db.execute("ALTER TABLE versions ADD COLUMN url TEXT")
    db.execute("ALTER TABLE versions ADD COLUMN title TEXT")
    db.execute("ALTER TABLE versions ADD COLUMN kind TEXT")
    db.execute("CREATE INDEX versions_by_document_seen ON versions (document_id, last_seen)")


def _schema_3(db: sqlite3.Connection) -> None:
    # The engine's hash of the raw page last seen as this version: a revisit of the very same bytes is
    # recognised without normalising the text again.
    db.execute("ALTER TABLE versions ADD COLUMN source_hash TEXT")


def _schema_4(db: sqlite3.Connection) -> None:
    # Analyses are kept zlib-compressed (JSON text before): a 200 KB policy's analysis goes from ~490 KB to
    # ~85 KB, and writing less costs no time.
    rows = db.execute("SELECT id, analysis FROM versions WHERE typeof(analysis) = 'text'").fetchall()
    for version_id, analysis in rows:
        db.execute("UPDATE versions SET analysis = ? WHERE id = ?", (_pack(analysis), version_id))


def _schema_5(db: sqlite3.Connection) -> None:
    # What a diff reads of each analysis (blocks and highlights, see _pack_view), so that comparing a new
    # version with the previous one decodes ~50 KB instead of a ~500 KB analysis (~9 ms of json.loads for a
    # 200 KB policy). Versions stored before have none and are diffed from their full analysis: filling it in
    # here would decode every stored analysis while the reader waits for the first one after the upgrade.
    db.execute("ALTER TABLE versions ADD COLUMN diff_view BLOB")


def _schema_6(db: sqlite3.Connection) -> None:
    # Each version's size on disk (text + analysis + diff view), for the per-site and overall caps; the index
    # covers it, so summing sizes never reads the versions' big columns.
    db.execute("ALTER TABLE versions ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE versions SET bytes = length(CAST(text AS BLOB)) + length(analysis) "
               "+ coalesce(length(diff_view), 0)")
    db.execute("CREATE INDEX versions_by_document_size ON versions (document_id, last_seen, id, bytes)")


def _schema_7(db: sqlite3.Connection) -> None:
    # A page re-sent during one visit (late text, a cookie banner) replaces that visit's own earlier text instead of
    # piling up versions whose differences read as "new since your last visit". What the visit did is kept so it can
    # be undone: the version it stored (created = 1, deleted on a re-send), or the version it only marked seen
    # (created = 0, its last_seen put back to prior_seen).
    db.execute("""CREATE TABLE visits (
        visit TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        version_id INTEGER REFERENCES versions(id) ON DELETE SET NULL,
        created INTEGER NOT NULL,
        prior_seen TEXT,
        seen TEXT NOT NULL,
        PRIMARY KEY (visit, document_id))""")
    db.execute("CREATE INDEX visits_by_version ON visits (version_id)")
    # When each site was last forgotten ("*": everything), so that a reading that began before a forget (the CLI's or
    # the API's) is not stored after it (Store.record's `arrived`). Rows older than a day are dropped.
    db.execute("CREATE TABLE forgotten (site TEXT PRIMARY KEY, at TEXT NOT NULL)")


def _schema_8(db: sqlite3.Connection) -> None:
    # Version ids are never given again. Clients keep them (the extension's `history.version`, a saved report's
    # `?from=&to=`, a researcher's notes); without AUTOINCREMENT SQLite hands out max(id) + 1, so after a forget, a
    # retention prune or a visit's re-send deleted the newest version, its id named another text of the same site.
    # SQLite cannot ALTER a table to AUTOINCREMENT: the table is rebuilt as SQLite's documentation lays out (run with
    # foreign keys off, see Store._migrate: dropping the old table must not null visits.version_id), keeping every id.
    # Ids deleted before this upgrade above the highest one kept cannot be known; from here on none comes back.
    # Document ids stay as they are: no client ever sees one.
    # visits.baseline_id: the version the visit's reading was compared with. While the visit may still send the page
    # again (its reading is unseen since), pruning keeps that version: else, with one version kept per document or
    # the site at its cap, the re-send undid the visit's reading and was compared with nothing.
    db.execute("ALTER TABLE visits ADD COLUMN baseline_id INTEGER REFERENCES versions(id) ON DELETE SET NULL")
    # The whole table as it stands from schema 8 on (schema 1's columns restated: released steps are never edited).
    db.execute("""CREATE TABLE versions_rebuilt (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        text TEXT NOT NULL,
        analysis TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        url TEXT,
        title TEXT,
        kind TEXT,
        source_hash TEXT,
        diff_view BLOB,
        bytes INTEGER NOT NULL DEFAULT 0,
        UNIQUE (document_id, hash))""")
    columns = ("id, document_id, hash, text, analysis, first_seen, last_seen, url, title, kind, source_hash, "
               "diff_view, bytes")
    db.execute(f"INSERT INTO versions_rebuilt ({columns}) SELECT {columns} FROM versions")
    db.execute("DROP TABLE versions")  # its indexes go with it
    db.execute("ALTER TABLE versions_rebuilt RENAME TO versions")
    db.execute("CREATE INDEX versions_by_document_seen ON versions (document_id, last_seen)")
    db.execute("CREATE INDEX versions_by_document_size ON versions (document_id, last_seen, id, bytes)")
    # Every DELETE FROM versions sets the visits pointing at it to NULL (ON DELETE SET NULL), and deleting a
    # document deletes its visits: without these, each such delete read the whole visits table (a forget --all of
    # 10,000 versions beside 32,000 visits: 19.8 s, against 2.8 s with them).
    db.execute("CREATE INDEX visits_by_baseline ON visits (baseline_id)")
    db.execute("CREATE INDEX visits_by_document ON visits (document_id)")


def _schema_9(db: sqlite3.Connection) -> None:
    # The diff view keeps each block's kind (its tag): a diff joins a sentence that a converted PDF broke over two
    # paragraphs, but never into a heading or out of one ("Learn more", a link that ends a paragraph, ran into the
    # heading below it). A view packed before has no kinds, and diffed against one that has, the same text would be cut
    # into statements two ways: the views are dropped (their sizes with them), and those versions are diffed from their
    # whole analysis, which has the kinds (a view is not rebuilt here for the reason given at schema 5).
    db.execute("UPDATE versions SET bytes = bytes - length(diff_view), diff_view = NULL WHERE diff_view IS NOT NULL")


def _schema_10(db: sqlite3.Connection) -> None:
    # A `url` with no host a site route accepts ("not a url", "https://a b.example/x") was filed under that text as its
    # site: listed by /v1/sites, but no route or CLI command could read or forget it (site_key refuses the name), only
    # `forget --all`. Such a page is no longer recorded (site_of); what was stored so goes, as a forget would delete it
    # (foreign keys are off while migrating: the cascades are spelt out). Only names site_key refuses outright go,
    # never one it reduces otherwise: that depends on the bundled suffix list, and a site kept must not vanish with a
    # new list.
    unreachable = [site for (site,) in db.execute("SELECT DISTINCT site FROM documents") if not _is_site_name(site)]
    documents = "SELECT id FROM documents WHERE site = ?"
    versions = f"SELECT id FROM versions WHERE document_id IN ({documents})"
    for site in unreachable:
        db.execute(f"UPDATE visits SET version_id = NULL WHERE version_id IN ({versions})", (site,))
        db.execute(f"UPDATE visits SET baseline_id = NULL WHERE baseline_id IN ({versions})", (site,))
        db.execute(f"DELETE FROM visits WHERE document_id IN ({documents})", (site,))
        db.execute(f"DELETE FROM versions WHERE document_id IN ({documents})", (site,))
        db.execute("DELETE FROM documents WHERE site = ?", (site,))


def _schema_11(db: sqlite3.Connection) -> None:
    # visits.asked: when the reading that the visit's row records was asked for (the daemon's `arrived`). Two readings
    # of one visit can be answered out of order (a slow full reading of the text before a late paragraph, then a quick
    # one of the text after it); the older one, recorded last, replaced the newer text as the visit's version, and
    # the next visit was compared with a text the reader never saw last. A reading asked before the one a visit's row
    # holds is now refused (Store._record). Rows written before have no time, and refuse nothing.
    db.execute("ALTER TABLE visits ADD COLUMN asked TEXT")


def _is_site_name(site: str) -> bool:
    try:
        site_key(site)
    except ValueError:
        return False
    return True


# MIGRATIONS[n] takes a store from schema n to n + 1. Append only; never edit a released step.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_schema_1, _schema_2, _schema_3, _schema_4,
                                                                 _schema_5, _schema_6, _schema_7, _schema_8,
                                                                 _schema_9, _schema_10, _schema_11)
# The versions that live visits compare with: a visit is live while its reading can still be undone by a re-send
# (Store._undo_visit: its version is unseen since), and its re-send is then compared with its baseline.
_LIVE_BASELINES = ("SELECT v.baseline_id FROM visits v JOIN versions w ON w.id = v.version_id "
                   "WHERE v.baseline_id IS NOT NULL AND w.last_seen = v.seen")
# Visits remembered per document (the most recent ones): enough for the tabs open on one policy at a time.
VISITS_PER_DOCUMENT = 16
# A visit id is the extension's random per-page-load token; longer strings are refused by the API.
MAX_VISIT_ID_CHARS = 128


def is_visit_id(value: object) -> bool:
    """A visit id the store takes: a string of 1 to MAX_VISIT_ID_CHARS characters, all Unicode text."""
    return isinstance(value, str) and 0 < len(value) <= MAX_VISIT_ID_CHARS and is_unicode_text(value)


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """How much the store keeps. A page can make itself many documents (pushState to a new path on every
    scroll) or many versions (new text on every visit); these caps bound what it costs on disk, the oldest
    versions going first: of the site over its caps, then of any site while the store is over its own."""
    site_versions: int = 100
    site_bytes: int = 32 * 1024 * 1024
    store_bytes: int = 512 * 1024 * 1024


def _pack(analysis_json: str | bytes) -> bytes:
    if isinstance(analysis_json, str):
        analysis_json = analysis_json.encode("utf-8", "surrogatepass")
    return zlib.compress(analysis_json, 1)  # level 1: fast, and ~6x smaller


class DamagedVersion(HistoryUnavailable):
    """A stored analysis that cannot be decoded (SQLite keeps no checksums: one bad sector is enough)."""

    @classmethod
    def of(cls, cause: Exception) -> "DamagedVersion":
        return cls(f"a version in the history store is damaged and cannot be read ({cause}); "
                   "`smallprint forget SITE` removes that site's history")


def _unpack(value: bytes | str) -> dict:
    try:
        return json.loads(zlib.decompress(value) if isinstance(value, bytes) else value)
    except (zlib.error, ValueError) as exc:
        raise DamagedVersion.of(exc) from None


def _packed(analysis: dict, encoded: bytes | None) -> tuple[bytes, bytes]:
    """A version's stored analysis (`encoded` as it is, when the caller has the JSON already) and its diff view."""
    return _pack(encoded if encoded is not None else
                 json.dumps(analysis, ensure_ascii=False, separators=(",", ":"), check_circular=False)), \
        _pack_view(analysis)


def _pack_view(analysis: dict) -> bytes:
    """diff_view(analysis), as lists rather than objects: [block ids, block texts, highlight rows, block tags] (each
    row the values of VIEW_HIGHLIGHT_KEYS in that order), zlib-compressed. ~2 ms to encode and ~3 ms to decode
    for a 200 KB policy, against ~9 ms to decode the whole analysis. Changing this layout takes a migration."""
    blocks = analysis.get("blocks") or ()
    rows = [[h["block"], h["start"], h["end"], h["practice"], h["polarity"], h.get("summary"), h.get("confidence")]
            for h in analysis.get("highlights") or ()]
    return zlib.compress(json.dumps([[b["id"] for b in blocks], [b["text"] for b in blocks], rows,
                                     [b.get("tag") or "p" for b in blocks]], check_circular=False).encode("ascii"), 1)


def _unpack_view(value: bytes) -> dict:
    """The view as diff_view() gives it. One packed before schema 9 (read from a store opened read-only, which is
    not migrated) has no block tags: its blocks read as paragraphs, as every diff read them then."""
    try:
        ids, texts, rows, *packed_tags = json.loads(zlib.decompress(value))
        (tags,) = packed_tags or (["p"] * len(ids),)
    except (zlib.error, ValueError, TypeError) as exc:
        raise DamagedVersion.of(exc) from None
    return {"blocks": [{"id": i, "text": t, "tag": g} for i, t, g in zip(ids, texts, tags)],
            "highlights": [dict(zip(VIEW_HIGHLIGHT_KEYS, row)) for row in rows]}


def _diff_input(view: bytes | None, analysis: bytes | str | None) -> dict:
    """What to diff a version by: its view, else (stored before schema 5) its whole analysis."""
    if view is not None:
        return _unpack_view(view)
    return _unpack(analysis) if analysis is not None else {}


# The oldest schema that a store opened read-only can be read at: the reading queries use diff_view (schema 5); what
# later steps added (sizes, visits, forgets, permanent ids) only writing reads.
OLDEST_READABLE_SCHEMA = 5
# The view, and the analysis only when there is no view: the analysis is not even read from the file then.
_DIFF_COLUMNS = "diff_view, CASE WHEN diff_view IS NULL THEN analysis END"
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    site: str
    path: str
    hash: str
    first_seen: str  # ISO 8601 UTC
    last_seen: str
    url: str | None
    title: str | None
    kind: str | None
    chars: int

    def to_dict(self) -> dict:
        return {"id": self.id, "site": self.site, "path": self.path, "hash": self.hash,
                "first_seen": self.first_seen, "last_seen": self.last_seen, "url": self.url,
                "title": self.title, "kind": self.kind, "chars": self.chars}


@dataclass(frozen=True, slots=True)
class SiteInfo:
    site: str
    documents: int
    versions: int
    first_seen: str
    last_seen: str

    def to_dict(self) -> dict:
        return {"site": self.site, "documents": self.documents, "versions": self.versions,
                "first_seen": self.first_seen, "last_seen": self.last_seen}


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `record` did: the version now current, and the one that was current before (if it differs)."""
    version: VersionInfo
    is_new_text: bool  # False when the text equals the last stored version (only last_seen moved)
    previous: VersionInfo | None  # the last stored version, when its text differs
    previous_analysis: dict | None  # what a diff reads of its analysis (diff_view), or all of it (stored before v5)
    # Older versions forgotten to keep within StoreLimits while recording this one (the reader is told).
    forgotten: int = 0


_VERSION_COLUMNS = ("v.id, d.site, d.path, v.hash, v.first_seen, v.last_seen, v.url, v.title, v.kind, "
                    "length(v.text)")


def _info(row: tuple) -> VersionInfo:
    return VersionInfo(*row)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


# A policy at a new address of its site is compared with the site's policy at another address (and the reader told
# what changed since it) when it shares at least this share of its word 5-grams with that policy's current text
# (Jaccard). Measured on ../shared/data/policies: a revision keeps most of
# its wording (facebook 2018->2021, 2023->2024, 2024->2025: 0.92, 0.71, 0.75); a rewrite keeps almost none (0.01-0.04
# for facebook's other steps: nothing tells it from another policy, so it is not linked); two services' policies
# share at most 0.03, but one company's boilerplate more (facebook and instagram: 0.52), hence 0.6 and one site only.
# Only the most recently seen candidates are compared.
MOVED_MIN_SIMILARITY = 0.6
MOVED_MARGIN = 0.05
MOVED_CANDIDATES = 20


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def _similarity(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str | None) -> str | None:
    """`text` as SQLite can hold it: a lone surrogate (JSON may carry one: "\\ud83d"; PROTOCOL.md accepts them) is
    U+FFFD, as a browser shows it. The analysis itself is stored as it came (surrogatepass)."""
    return _SURROGATE.sub("\ufffd", text) if isinstance(text, str) and _SURROGATE.search(text) else text


def analysis_text(analysis: dict) -> str:
    """The text of an analysis (its blocks), normalised: what is hashed and stored. The engine has already
    turned Markdown or HTML into blocks; what is left is numbering, stray marks and spacing, per block."""
    return "\n\n".join(filter(None, (clean_inline(strip_line_prefix(b["text"])) for b in analysis.get("blocks") or ())))


@dataclass(frozen=True, slots=True)
class ForgotEverything:
    """What Store.forget_everything deleted: the sites that had versions, and the versions."""
    sites: int
    versions: int


@dataclass(frozen=True, slots=True)
class SetAside:
    """What forgetting everything did with a damaged store's file (set_aside_damaged): moved it, with its -wal and -shm,
    to `moved_to`, or (`moved_to` None: it could not be moved) deleted it."""
    path: Path
    moved_to: Path | None

    def sentence(self) -> str:
        if self.moved_to is None:
            return (f"the history store {self.path} was damaged, so it could be neither emptied nor moved aside: it "
                    "was deleted, and a fresh store was started")
        # Kept rather than deleted (what was asked for may be recovered from it), so the reader is told it is there:
        # it may still hold the pages they asked to forget.
        return (f"the history store {self.path} was damaged, so it could not be emptied: it was moved aside to "
                f"{self.moved_to} (delete it once you no longer need it: it may still hold what you read), and a "
                "fresh store was started")

    def to_dict(self) -> dict:
        return {"path": str(self.path), "moved_to": None if self.moved_to is None else str(self.moved_to),
                "message": self.sentence()}


def set_aside_damaged(path: Path, now: datetime | None = None) -> SetAside:
    """Move a damaged store's file and its -wal and -shm to `<name>.damaged-<UTC time>` beside it (the set-aside copy
    stays whole, its journal with it), or delete them where they cannot be moved. The caller has closed its own
    connection to it. The -wal and -shm must not stay behind either way: SQLite would read a stale journal into the
    fresh store made at `path`. HistoryUnavailable, naming the file, when it can be neither moved nor deleted."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", *_COMPANIONS)):
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}.{n}")
    moved_to: Path | None = target
    try:
        os.rename(path, target)
    except FileNotFoundError:
        moved_to = None  # gone meanwhile (removed by hand): nothing to keep
    except OSError:
        moved_to = None
        _remove(path)
    for suffix in _COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if moved_to is not None:
            with contextlib.suppress(OSError):
                os.rename(companion, f"{moved_to}{suffix}")
        _remove(companion)  # (gone already once moved)
    return SetAside(path, moved_to)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise HistoryUnavailable(f"the damaged history store's file {path} could be neither moved aside nor deleted "
                                 f"({exc})") from None


class ForgottenMeanwhile(Exception):
    """The site was forgotten after the reading being recorded began: it is not stored again."""


class SupersededInVisit(Exception):
    """The same visit's page was recorded from a reading asked for after this one: this older text is not stored
    over it."""


# A forget is remembered this long, far beyond any reading in flight (the analysis time limit is at most a day).
FORGOTTEN_KEPT_SECONDS = 86_400


class Store:
    """One SQLite connection, used from any thread one call at a time.

    `read_only`: open an existing store for reading only (`smallprint history`, or the daemon's reading routes when
    the store cannot be written): nothing is created, migrated or written, and every write raises HistoryUnavailable
    naming the file. A store that cannot be written opened without it raises StoreReadOnly."""

    def __init__(self, path: Path | None = None, *, retention_versions: int | None = None,
                 limits: StoreLimits = StoreLimits(), read_only: bool = False):
        self.path = Path(path) if path else paths.store_file()
        self.retention_versions = retention_versions
        self.limits = limits
        self.read_only = read_only
        self._lock = threading.Lock()
        self._companions: dict[str, tuple[int, int] | None] = {}
        if read_only:
            self._db = self._open_read_only()
            self.identity = file_identity(self.path)
            return
        try:
            paths.ensure(self.path.parent)
            # Only this user may read what they have read; SQLite gives its -wal and -shm files the same mode. A store
            # copied or restored from a backup (0644) is made this user's alone again, with what SQLite left beside it.
            for companion in (self.path, self.path.with_name(self.path.name + "-wal"),
                              self.path.with_name(self.path.name + "-shm")):
                flags = os.O_RDWR | (os.O_CREAT if companion == self.path else 0)
                try:
                    fd = os.open(companion, flags, 0o600)
                except OSError:
                    if companion == self.path:
                        raise
                    continue  # no -wal or -shm left beside it (or one SQLite itself will refuse, saying why)
                try:
                    paths.keep_private(fd)
                finally:
                    os.close(fd)
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            self.identity = file_identity(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise self._unwritable(exc) if self._cannot_write_here(exc) else \
                HistoryUnavailable(f"cannot open the history store {self.path}: {exc}") from None
        try:
            self._configure()
            self._migrate()
            # The journal files this connection uses (there by now: migrating wrote), for close_replaced.
            self._companions = {suffix: file_identity(Path(f"{self.path}{suffix}")) for suffix in _COMPANIONS}
        except sqlite3.Error as exc:
            self._db.close()
            if _is_damage_error(exc):  # before the folder's rights: a damaged file is damaged wherever it lies
                raise StoreDamaged.at(self.path, exc) from None
            raise self._unwritable(exc) if self._cannot_write_here(exc) else \
                HistoryUnavailable(f"cannot use the history store {self.path}: {exc}") from None
        except HistoryUnavailable:
            self._db.close()
            raise

    def is_still_the_file(self) -> bool:
        """Whether the file at `path` is still the one this connection opened: one removed by hand or replaced (a
        backup restored, a damaged one set aside by another process) leaves the connection reading and writing a file
        nobody will see again. One stat: cheap enough for every request."""
        return self.identity is not None and file_identity(self.path) == self.identity

    def _too_new(self, version: int, advice: str) -> StoreTooNew:
        return StoreTooNew(f"the history store {self.path} was written by a newer smallprint (schema {version}; this "
                           f"one reads up to {SCHEMA_VERSION}): {advice}")

    def _cannot_write_here(self, exc: BaseException) -> bool:
        """Whether `exc` comes of the store being unwritable here: said so, or its -wal file could not be created in
        a folder this process cannot write (SQLite then only says it cannot open a file)."""
        return _is_read_only_error(exc) or (self.path.parent.is_dir() and not os.access(self.path.parent, os.W_OK))

    def _unwritable(self, cause: BaseException) -> StoreReadOnly:
        return StoreReadOnly(f"the history store {self.path} is read-only here ({cause}): nothing was changed; "
                             "`smallprint history SITE` can still read it")

    def _open_read_only(self) -> sqlite3.Connection:
        """A connection that cannot write (`mode=ro`), to a store at a schema the reading queries know."""
        if not self.path.is_file():
            raise HistoryUnavailable(f"there is no history store at {self.path}")
        uri = self.path.absolute().as_uri() + "?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise HistoryUnavailable(f"cannot open the history store {self.path} for reading: {exc}") from None
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.Error as exc:
                # A WAL store read where its -shm index cannot be created (a read-only folder or mount, no writer
                # running): with no -wal file beside it, all it holds is in the file itself, so SQLite may read it as
                # immutable. A -wal file (a writer we cannot join) holds commits the file lacks: not read without.
                if not self._cannot_write_here(exc) or Path(f"{self.path}-wal").exists():
                    raise
                db.close()
                db = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
                version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise self._too_new(version, "upgrade smallprint to read it")
            if version < OLDEST_READABLE_SCHEMA:
                raise StoreNeedsUpgrade(f"the history store {self.path} is from an older smallprint (schema {version})"
                                        " and must be upgraded, which needs writing it")
            db.execute("PRAGMA query_only = ON")  # mode=ro already refuses; this says so before SQLite tries
            return db
        except sqlite3.Error as exc:
            db.close()
            if _is_damage_error(exc):
                raise StoreDamaged.at(self.path, exc) from None
            raise HistoryUnavailable(f"cannot read the history store {self.path}: {exc}") from None
        except HistoryUnavailable:
            db.close()
            raise

    def _configure(self) -> None:
        db = self._db
        db.execute("PRAGMA busy_timeout = 10000")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # before any write: a newer store is left exactly as it is
            raise self._too_new(version, "upgrade smallprint, or move the file away to start a new history")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise HistoryUnavailable(f"the history store {self.path} cannot use WAL journaling (got {mode})")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA secure_delete = ON")

    def _migrate(self) -> None:
        # Foreign keys are off while migrating (the pragma is a no-op inside a transaction, hence here): a step that
        # rebuilds a table drops the old one, and with them on, that drop would run the ON DELETE actions of every
        # row pointing at it. What a step leaves is checked before it commits instead.
        self._db.execute("PRAGMA foreign_keys = OFF")
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:  # another process upgraded it meanwhile
                raise StoreTooNew(f"the history store {self.path} was upgraded by a newer smallprint "
                                  f"(schema {version})")
            # Rows that already pointed at nothing (a version deleted by hand in the sqlite3 shell, whose foreign
            # keys are off by default) are the store's as it was, readable as before: only rows the steps broke
            # stop the upgrade.
            # (table, rowid, parent table): the constraint's own number changes when a step adds a foreign key
            broken_before = {row[:3] for row in db.execute("PRAGMA foreign_key_check")} \
                if version != SCHEMA_VERSION else set()
            for step in MIGRATIONS[version:]:
                step(db)
            if version != SCHEMA_VERSION:
                broken = [row for row in db.execute("PRAGMA foreign_key_check").fetchall()
                          if row[:3] not in broken_before]
                if broken:  # rolled back: the store stays at its old schema, as it was
                    raise HistoryUnavailable(f"cannot upgrade the history store {self.path}: {len(broken)} row(s) "
                                             f"would point at nothing (first: table {broken[0][0]})")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._db.execute("PRAGMA foreign_keys = ON")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading so that what it reads cannot change under it."""
        if self.read_only:
            raise HistoryUnavailable(f"the history store {self.path} is open read-only: nothing was changed")
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _call(self, what: str, fn: Callable[[], object]):
        with self._lock:
            try:
                return fn()
            except sqlite3.Error as exc:
                if _is_damage_error(exc) or self._damage_behind(exc):
                    raise StoreDamaged.at(self.path, exc) from None
                raise HistoryUnavailable(f"history store: cannot {what}: {exc}") from None

    def _damage_behind(self, exc: sqlite3.Error) -> bool:
        """Whether a foreign key failure comes of a damaged file: every delete here cascades, so on a sound store none
        fails, but on a damaged page of versions SQLite answered `forget SITE` with "FOREIGN KEY constraint failed",
        not "malformed". Checked only then: a quick_check reads the whole file."""
        if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
            return False
        try:
            return self._db.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok"
        except sqlite3.Error as check:
            return _is_damage_error(check)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def close_replaced(self) -> None:
        """Close a connection whose file was removed or replaced (is_still_the_file() is false), and remove the -wal
        and -shm it used if they are still at the path. SQLite does not checkpoint a file that moved, so it leaves them
        there, and would read that stale journal into whatever file is put at the path (a restored backup) as if it
        were its own. Those of another file (their own identity) are left alone."""
        self.close()
        for suffix, identity in self._companions.items():
            companion = Path(f"{self.path}{suffix}")
            if identity is not None and file_identity(companion) == identity:
                with contextlib.suppress(OSError):
                    companion.unlink()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing -----------------------------------------------------------------------------------------

    def record(self, url: str, analysis: dict, *, now: str | None = None, encoded: bytes | None = None,
               visit: str | None = None, arrived: str | None = None) -> Recorded:
        """Remember this analysis as the current version of the document at `url`.

        The text is hashed after normalisation, so a re-styled page is the same version (only last_seen
        moves). Old versions beyond `retention_versions` go, oldest first; the current one always stays.
        `encoded`: the same analysis as JSON, when the caller has it already (the daemon's worker encodes
        every analysis): it is stored as it is instead of being encoded again (~11 ms for a 200 KB policy).
        `visit`: the id of the visit (one page load in the extension) this reading belongs to. Another reading of
        the same document in the same visit (late text, a cookie banner) first undoes what the visit's earlier
        reading did: the version it stored goes, a version it only marked seen gets its last_seen back. So the
        visit's latest text replaces its earlier text, and is compared with the version remembered before the
        visit; without a visit id every reading counts as a visit of its own.
        `arrived`: when the reading began (utc_now()); ForgottenMeanwhile if its site was forgotten since (by the
        CLI or the API), and nothing is stored; SupersededInVisit if `visit` already recorded the document from a
        reading that began later (two readings of one visit answered out of order), and nothing is stored.
        """
        site, path = site_of(url)
        site, path = storable(site), storable(path)
        language = analysis.get("language")
        if isinstance(language, str) and not is_validated(language):
            # Not read (no highlights): its own stream, or a cookie-based language switch at the same address would
            # read as the policy dropping every practice it states.
            path = with_language(path, language)
        url = storable(url_to_remember(url))
        if analysis.get("url") is not None:  # the stored analysis keeps no query string either
            remembered = url_to_remember(analysis["url"])
            if remembered != analysis["url"]:
                analysis, encoded = {**analysis, "url": remembered}, None
        if visit is not None and not is_visit_id(visit):
            raise ValueError(f"a visit id is a string of 1 to {MAX_VISIT_ID_CHARS} characters, without lone surrogates")
        return self._call("record a version",
                          lambda: self._record(site, path, url, analysis, now, encoded, visit, arrived))

    def _record(self, site: str, path: str, url: str, analysis: dict, now: str | None, encoded: bytes | None,
                visit: str | None, arrived: str | None = None) -> Recorded:
        with self._write() as db:
            # The time is taken once the store is ours, not before waiting for it (another recording, a program
            # holding the store): a reading of the visit asked for meanwhile and stored first would otherwise have
            # a time after this `now`, and the check below would take it for a clock stepped back and store this
            # older reading over it.
            now = now or utc_now()
            if arrived is not None and db.execute(
                    "SELECT 1 FROM forgotten WHERE site IN (?, '*') AND at >= ?", (site, arrived)).fetchone():
                raise ForgottenMeanwhile("the site was forgotten while this page was being read")
            found = db.execute("SELECT id FROM documents WHERE site = ? AND path = ?", (site, path)).fetchone()
            doc_id = found[0] if found else None
            moved_baseline = None  # the version of another address this visit's earlier reading was compared with
            if visit is not None and doc_id is not None:
                # Only a time between this reading's arrival and now says it is the older one: a visit's time ahead
                # of now was taken before the clock stepped back (a laptop's clock set right on waking), and would
                # refuse every reading of the visit after it.
                if arrived is not None and (held := db.execute(
                        "SELECT asked FROM visits WHERE visit = ? AND document_id = ?", (visit, doc_id)).fetchone()) \
                        and held[0] is not None and arrived < held[0] <= now:
                    raise SupersededInVisit("a newer reading of this page in the same visit is remembered; this "
                                            "older one is not stored over it")
                again = self._same_text_again_in_visit(db, visit, doc_id, url, analysis, now, encoded, arrived)
                if again is not None:
                    # the newer reading's analysis may be larger than the one it replaced: the caps are kept as after
                    # any other reading
                    forgotten = self._prune(db, site, doc_id, again.version.id)
                    return dataclasses.replace(again, forgotten=forgotten) if forgotten else again
                moved_baseline = self._visit_baseline_elsewhere(db, visit, doc_id)
                doc_id = self._undo_visit(db, visit, doc_id)
            recorded, touched = self._record_text(db, site, path, doc_id, url, analysis, now, encoded,
                                                  moved_baseline)
            if visit is not None and touched is not None:
                baseline = recorded.previous.id if recorded.previous is not None else None
                self._note_visit(db, visit, *touched, recorded.version.id, now, baseline, arrived)
            if touched is not None:
                # After the visit is noted: what it compared with is then one of the versions pruning keeps. On every
                # reading, not only of new text: a version kept past retention or a cap as a live visit's baseline
                # goes once no visit can still undo its reading (another visit, or a reading without one, has seen
                # the text since), and the reader who sees it go is told; waiting for the document's next new
                # text would, for a policy that does not change again, keep it for good.
                forgotten = self._prune(db, site, touched[0], recorded.version.id)
                if forgotten:
                    recorded = dataclasses.replace(recorded, forgotten=forgotten)
            return recorded

    def _record_text(self, db: sqlite3.Connection, site: str, path: str, doc_id: int | None, url: str,
                     analysis: dict, now: str, encoded: bytes | None, moved_baseline: int | None = None
                     ) -> tuple[Recorded, tuple[int, bool, str | None] | None]:
        """Store the text (or mark the version holding it seen). Returns what was recorded, and what a visit would
        have to undo: (document id, whether the version was stored now, its last_seen before), or None when the
        document at this address was not touched. `moved_baseline`: the version of another address that this
        visit's earlier reading of a new address was compared with (see _visit_baseline_elsewhere)."""
        source_hash = analysis.get("content_hash")
        latest = None if doc_id is None else self._latest(db, doc_id)
        # The same page again, byte for byte (the common case): no need to normalise anything.
        if latest is not None and source_hash and latest[-1] == source_hash:
            db.execute("UPDATE versions SET last_seen = ? WHERE id = ?", (now, latest[0]))
            return Recorded(self._version(db, latest[0]), False, None, None), (doc_id, False, latest[5])
        text = storable(analysis_text(analysis))
        digest = content_hash(text)
        if latest is not None and latest[3] == digest:
            db.execute("UPDATE versions SET last_seen = ?, source_hash = ? WHERE id = ?",
                       (now, source_hash, latest[0]))
            return Recorded(self._version(db, latest[0]), False, None, None), (doc_id, False, latest[5])
        if latest is None:
            # A new address of this site showing a policy it already holds (a single-page app's pushState,
            # a redirect): the same policy, seen again, not another document to store.
            same = db.execute("SELECT v.id, v.document_id FROM versions v JOIN documents d ON d.id = v.document_id "
                              "WHERE d.site = ? AND v.hash = ? ORDER BY v.last_seen DESC LIMIT 1",
                              (site, digest)).fetchone()
            if same is not None:
                # Seen again, but only a document's current text counts as seen: bumping an older one (a stale
                # mirror of a policy that has changed since) would make it the "latest" of its document, and the
                # next visit to the unchanged page would report old changes as new.
                current = db.execute("SELECT id FROM versions WHERE document_id = ? ORDER BY last_seen DESC, "
                                     "id DESC LIMIT 1", (same[1],)).fetchone()
                if current is not None and current[0] == same[0]:
                    db.execute("UPDATE versions SET last_seen = ? WHERE id = ?", (now, same[0]))
                return Recorded(self._version(db, same[0]), False, None, None), None
        # A new address whose text revises a policy the site holds at another address (a dated URL per version, a new
        # CMS): the reader is told what changed since that policy rather than shown a "first version". It stays a
        # document of its own: the other address may still be live (a regional variant), and each address is
        # compared with itself from then on.
        compared = None
        if latest is None and moved_baseline is not None:
            # The visit's re-send keeps comparing with what its first reading was compared with, as at any address;
            # guessing again would compare it with whatever the old address holds now.
            compared = (moved_baseline,)
        elif latest is None:
            moved = self._moved_from(db, site, path, text, analysis.get("kind"))
            if moved is not None:
                compared = self._latest(db, moved)
        if doc_id is None:
            doc_id = db.execute("INSERT INTO documents (site, path) VALUES (?, ?)", (site, path)).lastrowid
        payload, view = _packed(analysis, encoded)
        size = len(text.encode("utf-8", "surrogatepass")) + len(payload) + len(view)
        row = db.execute("SELECT id, last_seen FROM versions WHERE document_id = ? AND hash = ?",
                         (doc_id, digest)).fetchone()
        if row:  # the text went back to an earlier version
            version_id, prior_seen = row
            db.execute("UPDATE versions SET last_seen = ?, analysis = ?, diff_view = ?, url = ?, title = ?, "
                       "kind = ?, source_hash = ?, bytes = ? WHERE id = ?",
                       (now, payload, view, url, storable(analysis.get("title")), analysis.get("kind"),
                        source_hash, size, version_id))
        else:
            prior_seen = None
            version_id = db.execute(
                "INSERT INTO versions (document_id, hash, text, analysis, diff_view, first_seen, last_seen, url,"
                " title, kind, source_hash, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, digest, text, payload, view, now, now, url, storable(analysis.get("title")),
                 analysis.get("kind"), source_hash, size),
            ).lastrowid
        # The previous version is read before retention runs: at retention_versions = 1 it is about to go, and
        # what changed since it is still the answer.
        base = latest if latest is not None else compared
        previous, previous_analysis = self._compared_with(db, base[0]) if base is not None else (None, None)
        recorded = Recorded(self._version(db, version_id), True, previous, previous_analysis)
        return recorded, (doc_id, row is None, prior_seen)

    @staticmethod
    def _compared_with(db: sqlite3.Connection, version_id: int) -> tuple[VersionInfo | None, dict | None]:
        """The version a reading is compared with and what a diff reads of it; (None, None) where it is gone. A
        damaged one costs the reading its list of changes, never the new version: else no later text of the page
        could ever be stored."""
        row = db.execute(f"SELECT {_VERSION_COLUMNS}, {_DIFF_COLUMNS} FROM versions v JOIN documents d "
                         "ON d.id = v.document_id WHERE v.id = ?", (version_id,)).fetchone()
        if row is None:
            return None, None
        try:
            return _info(row[:-2]), _diff_input(*row[-2:])
        except DamagedVersion:
            log.warning("history: the previous version of a document is damaged; recorded without a diff")
            return _info(row[:-2]), None

    @staticmethod
    def _latest(db: sqlite3.Connection, doc_id: int) -> tuple:
        """A document's current version: its VersionInfo columns, then its source_hash."""
        return db.execute(
            f"SELECT {_VERSION_COLUMNS}, v.source_hash FROM versions v JOIN documents d ON d.id = v.document_id "
            "WHERE v.document_id = ? ORDER BY v.last_seen DESC, v.id DESC LIMIT 1", (doc_id,)).fetchone()

    def _moved_from(self, db: sqlite3.Connection, site: str, path: str, text: str, kind: str | None) -> int | None:
        """The document of `site` whose policy this new address's text most likely revises: of the site's documents
        at other addresses, of the same kind of policy and language, the one whose current text shares the most
        word 5-grams with it, if at least MOVED_MIN_SIMILARITY and clearly more (MOVED_MARGIN) than the next; else
        None. Only policies are compared, and only within one site."""
        if kind not in POLICY_KINDS:
            return None
        language = path.partition("?")[2]
        candidates = db.execute(
            "SELECT d.id, d.path, v.text FROM documents d JOIN versions v ON v.document_id = d.id "
            "WHERE d.site = ? AND v.kind = ? AND v.id = (SELECT id FROM versions WHERE document_id = d.id "
            "ORDER BY last_seen DESC, id DESC LIMIT 1) ORDER BY v.last_seen DESC LIMIT ?",
            (site, kind, MOVED_CANDIDATES)).fetchall()
        shingles = None
        scored = []
        for doc_id, other_path, other_text in candidates:
            if other_path == path or other_path.partition("?")[2] != language:  # "?lang=fr" is another stream
                continue
            shingles = shingles if shingles is not None else _shingles(text)
            scored.append((_similarity(shingles, _shingles(other_text)), doc_id))
        scored.sort(key=lambda t: -t[0])  # stable: of equals, the most recently seen first
        if not scored or scored[0][0] < MOVED_MIN_SIMILARITY:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < MOVED_MARGIN:
            return None  # two policies it could revise (variants of one text): which it came from is a guess
        return scored[0][1]

    def _same_text_again_in_visit(self, db: sqlite3.Connection, visit: str, doc_id: int, url: str, analysis: dict,
                                  now: str, encoded: bytes | None, arrived: str | None) -> Recorded | None:
        """The visit sends the text of the version its own reading stored again (a re-send without a change, the
        same page read twice): that version is kept, with the newer reading's analysis, and the answer is the first
        one's (a new version, compared with the visit's baseline). Undoing and storing it again gave it a new id each
        time, and the id the first answer named was gone. None where this is not that case."""
        row = db.execute("SELECT version_id, created, seen, baseline_id FROM visits WHERE visit = ? AND "
                         "document_id = ?", (visit, doc_id)).fetchone()
        if row is None or row[0] is None or not row[1]:
            return None  # no reading of this visit, one forgotten meanwhile, or one that stored nothing new
        version_id, _, seen, baseline_id = row
        held = db.execute("SELECT hash, source_hash, last_seen FROM versions WHERE id = ?", (version_id,)).fetchone()
        if held is None or held[2] != seen:
            return None  # gone, or seen since by another visit: undoing and recording again decides
        source_hash = analysis.get("content_hash")
        if not (source_hash and source_hash == held[1]) and content_hash(storable(analysis_text(analysis))) != held[0]:
            return None
        previous = previous_analysis = None
        if baseline_id is not None:
            previous, previous_analysis = self._compared_with(db, baseline_id)
            if previous is None:
                return None
        elif db.execute("SELECT 1 FROM versions WHERE document_id = ? AND id != ? LIMIT 1",
                        (doc_id, version_id)).fetchone() is not None:
            return None  # compared with nothing, though other versions are held: undoing and recording again decides
        payload, view = _packed(analysis, encoded)
        text_bytes = db.execute("SELECT length(CAST(text AS BLOB)) FROM versions WHERE id = ?",
                                (version_id,)).fetchone()[0]
        db.execute("UPDATE versions SET last_seen = ?, analysis = ?, diff_view = ?, url = ?, title = ?, kind = ?, "
                   "source_hash = ?, bytes = ? WHERE id = ?",
                   (now, payload, view, url, storable(analysis.get("title")), analysis.get("kind"), source_hash,
                    text_bytes + len(payload) + len(view), version_id))
        db.execute("UPDATE visits SET seen = ?, asked = ? WHERE visit = ? AND document_id = ?",
                   (now, arrived, visit, doc_id))
        return Recorded(self._version(db, version_id), True, previous, previous_analysis)

    @staticmethod
    def _visit_baseline_elsewhere(db: sqlite3.Connection, visit: str, doc_id: int) -> int | None:
        """The version of another document (a policy moved to this address, see _moved_from) that this visit's
        earlier reading of `doc_id` was compared with, if it is still held; else None. Kept by pruning while the visit
        is live (_LIVE_BASELINES); undoing the reading may leave the new address without a version, and its
        re-send is then compared with this one again."""
        row = db.execute("SELECT b.id FROM visits v JOIN versions b ON b.id = v.baseline_id "
                         "WHERE v.visit = ? AND v.document_id = ? AND b.document_id != ?",
                         (visit, doc_id, doc_id)).fetchone()
        return row[0] if row else None

    def _undo_visit(self, db: sqlite3.Connection, visit: str, doc_id: int) -> int | None:
        """Undo what an earlier reading in this visit did to the document, so that the new reading is compared with
        the version remembered before the visit. Returns the document's id, or None when that left the document
        without a version (it is deleted then, as if the visit had never come)."""
        row = db.execute("SELECT version_id, created, prior_seen, seen FROM visits WHERE visit = ? AND document_id = ?",
                         (visit, doc_id)).fetchone()
        if row is None:
            return doc_id
        version_id, created, prior_seen, seen = row
        db.execute("DELETE FROM visits WHERE visit = ? AND document_id = ?", (visit, doc_id))
        if version_id is None:  # forgotten meanwhile
            return doc_id
        # Only if nothing saw that version since this visit did (another visit, or a reading without a visit id,
        # moves last_seen): what another visit saw stays remembered as seen.
        unseen_since = db.execute("SELECT 1 FROM versions WHERE id = ? AND last_seen = ?", (version_id, seen)).fetchone()
        if unseen_since is not None:
            if not created:
                db.execute("UPDATE versions SET last_seen = ? WHERE id = ?", (prior_seen, version_id))
            elif db.execute("SELECT 1 FROM visits WHERE version_id = ? OR baseline_id = ? LIMIT 1",
                            (version_id, version_id)).fetchone() is None:  # nor what another visit compares with
                db.execute("DELETE FROM versions WHERE id = ?", (version_id,))
        if db.execute("SELECT 1 FROM versions WHERE document_id = ? LIMIT 1", (doc_id,)).fetchone() is None:
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            return None
        return doc_id

    def _note_visit(self, db: sqlite3.Connection, visit: str, doc_id: int, created: bool, prior_seen: str | None,
                    version_id: int, now: str, baseline: int | None, asked: str | None = None) -> None:
        """Remember what this visit's reading did (to undo it on the visit's next reading), what it was compared
        with (`baseline`, kept by pruning meanwhile) and when it was asked for (`asked`: an older reading of the
        visit is then refused); only the most recent VISITS_PER_DOCUMENT visits of a document are kept."""
        db.execute("INSERT OR REPLACE INTO visits (visit, document_id, version_id, created, prior_seen, seen, "
                   "baseline_id, asked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (visit, doc_id, version_id, int(created), prior_seen, now, baseline, asked))
        db.execute("DELETE FROM visits WHERE document_id = ? AND rowid NOT IN (SELECT rowid FROM visits "
                   "WHERE document_id = ? ORDER BY seen DESC, rowid DESC LIMIT ?)",
                   (doc_id, doc_id, VISITS_PER_DOCUMENT))

    def _prune(self, db: sqlite3.Connection, site: str, doc_id: int, keep: int) -> int:
        """Keep the document `doc_id` within `retention_versions`, then its site and the store within their caps.
        Neither ever removes `keep` (the version just recorded) nor a version a live visit compares with (see
        _LIVE_BASELINES): a visit's reading and its baseline count as one. Returns how many versions the caps
        forgot (retention's are expected, and not told)."""
        if self.retention_versions:
            # This document, and the other addresses its visits were compared with (a policy moved here): their
            # versions kept as this document's live baselines go once its visits can no longer undo their readings,
            # and the old address of a moved policy may never be read again to prune them.
            compared_elsewhere = [row[0] for row in db.execute(
                "SELECT DISTINCT b.document_id FROM visits v JOIN versions b ON b.id = v.baseline_id "
                "WHERE v.document_id = ? AND b.document_id != ?", (doc_id, doc_id))]
            for document in (doc_id, *compared_elsewhere):
                # Kept: the live baselines among its versions, whichever document's visit compares with them (a
                # visit at a policy's new address compares with the old address's version).
                db.execute("DELETE FROM versions WHERE document_id = ? AND id NOT IN (SELECT id FROM versions "
                           "WHERE document_id = ? ORDER BY last_seen DESC, id DESC LIMIT ?) "
                           f"AND id NOT IN ({_LIVE_BASELINES} AND v.baseline_id IN "
                           "(SELECT id FROM versions WHERE document_id = ?))",
                           (document, document, self.retention_versions, document))
        return self._keep_within_limits(db, site, keep)

    def _keep_within_limits(self, db: sqlite3.Connection, site: str, keep: int) -> int:
        """Forget the oldest versions (never `keep`, the one just recorded, nor a live visit's baseline) of `site` and
        the other sites of its owner (`sites.cap_owner`) while they are over a site's caps, then of any site while
        the store is over its own; documents left without a version go too. Returns how many versions were
        forgotten."""
        limits = self.limits
        forgotten = 0
        kept: set[int] | None = None  # {keep} and the live baselines, read only when something has to go

        def must_stay(version_id: int) -> bool:
            nonlocal kept
            if kept is None:
                kept = {keep, *(row[0] for row in db.execute(_LIVE_BASELINES))}
            return version_id in kept
        # the site and the other sites of its owner (`cap_owner`: "*.github.io" share one site's caps)
        owner = cap_owner(site)
        under = "%." + owner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        site_rows = db.execute("SELECT v.id, v.bytes FROM versions v JOIN documents d ON d.id = v.document_id "
                               "WHERE d.site = ? OR d.site LIKE ? ESCAPE '\\' ORDER BY v.last_seen, v.id",
                               (owner, under)).fetchall()
        count, total = len(site_rows), sum(size for _, size in site_rows)
        for version_id, size in site_rows:
            if count <= limits.site_versions and total <= limits.site_bytes:
                break
            if must_stay(version_id):
                continue
            db.execute("DELETE FROM versions WHERE id = ?", (version_id,))
            count, total, forgotten = count - 1, total - size, forgotten + 1
        total = db.execute("SELECT coalesce(sum(bytes), 0) FROM versions").fetchone()[0]
        if total > limits.store_bytes:
            for version_id, size in db.execute("SELECT id, bytes FROM versions ORDER BY last_seen, id").fetchall():
                if total <= limits.store_bytes:
                    break
                if must_stay(version_id):
                    continue
                db.execute("DELETE FROM versions WHERE id = ?", (version_id,))
                total, forgotten = total - size, forgotten + 1
        if forgotten:
            db.execute("DELETE FROM documents WHERE id NOT IN (SELECT document_id FROM versions)")
        return forgotten

    def forget(self, site: str) -> int:
        """Delete everything stored for a site (a URL or host is reduced to its registrable domain).
        Returns the number of versions deleted."""
        domain = site_key(site)

        def run() -> int:
            with self._write() as db:
                n = db.execute("SELECT count(*) FROM versions v JOIN documents d ON d.id = v.document_id "
                               "WHERE d.site = ?", (domain,)).fetchone()[0]
                db.execute("DELETE FROM documents WHERE site = ?", (domain,))
                self._note_forgotten(db, domain)
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy left behind in the journal
            return n
        return self._call("forget a site", run)

    @staticmethod
    def _note_forgotten(db: sqlite3.Connection, site: str) -> None:
        now = datetime.now(timezone.utc)
        db.execute("INSERT OR REPLACE INTO forgotten (site, at) VALUES (?, ?)", (site, utc_now()))
        cutoff = (now - timedelta(seconds=FORGOTTEN_KEPT_SECONDS)).isoformat(timespec="microseconds")
        db.execute("DELETE FROM forgotten WHERE at < ?", (cutoff.replace("+00:00", "Z"),))

    def forget_all(self) -> int:
        """Delete everything stored (`smallprint forget --all`). Returns the number of versions deleted."""
        return self.forget_everything().versions

    def forget_everything(self) -> ForgotEverything:
        """forget_all, saying how many sites and versions were deleted (DELETE /v1/sites)."""
        def run() -> ForgotEverything:
            with self._write() as db:
                sites, versions = db.execute("SELECT count(DISTINCT d.site), count(v.id) FROM versions v "
                                             "JOIN documents d ON d.id = v.document_id").fetchone()
                db.execute("DELETE FROM documents")
                db.execute("DELETE FROM forgotten")
                self._note_forgotten(db, "*")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
            return ForgotEverything(sites, versions)
        return self._call("forget everything", run)

    # --- reading -----------------------------------------------------------------------------------------

    def _version(self, db: sqlite3.Connection, version_id: int) -> VersionInfo:
        return _info(db.execute(f"SELECT {_VERSION_COLUMNS} FROM versions v JOIN documents d "
                                "ON d.id = v.document_id WHERE v.id = ?", (version_id,)).fetchone())

    def sites(self) -> list[SiteInfo]:
        return self._call("list sites", lambda: [SiteInfo(*row) for row in self._db.execute(
            "SELECT d.site, count(DISTINCT d.id), count(v.id), min(v.first_seen), max(v.last_seen) "
            "FROM documents d JOIN versions v ON v.document_id = d.id GROUP BY d.site ORDER BY max(v.last_seen) DESC"
        )])

    def versions(self, site: str) -> list[VersionInfo]:
        """A site's versions, per document in order of first sight."""
        domain = site_key(site)
        return self._call("list versions", lambda: [_info(row) for row in self._db.execute(
            f"SELECT {_VERSION_COLUMNS} FROM versions v JOIN documents d ON d.id = v.document_id "
            "WHERE d.site = ? ORDER BY d.path, v.first_seen, v.id", (domain,))])

    def analysis(self, version_id: int) -> dict | None:
        row = self._call("read a version", lambda: self._db.execute(
            "SELECT analysis FROM versions WHERE id = ?", (version_id,)).fetchone())
        return _unpack(row[0]) if row else None

    def diff_view(self, version_id: int) -> dict | None:
        """What a diff reads of a version's analysis (see diff.diff_view): cheaper than `analysis`."""
        row = self._call("read a version", lambda: self._db.execute(
            f"SELECT {_DIFF_COLUMNS} FROM versions WHERE id = ?", (version_id,)).fetchone())
        return _diff_input(*row) if row else None

    def text(self, version_id: int) -> str | None:
        row = self._call("read a version", lambda: self._db.execute(
            "SELECT text FROM versions WHERE id = ?", (version_id,)).fetchone())
        return row[0] if row else None

    def settings(self) -> dict:
        """The connection's safety settings, as SQLite reports them (for `status` and the tests)."""
        def read() -> dict:
            return {name: self._db.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("user_version", "journal_mode", "foreign_keys", "synchronous", "secure_delete")}
        return self._call("read settings", read)

    def integrity(self) -> str:
        """'ok', or what PRAGMA integrity_check found."""
        rows = self._call("check integrity", lambda: self._db.execute("PRAGMA integrity_check").fetchall())
        return "; ".join(r[0] for r in rows)
