"""`corpus analyze`: list the sources, read every document not yet in the folder, diff consecutive versions, and
rebuild the tables. One loop for every engine (engines.py); parts are written as batches finish (store.py).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..time_budget import batch_time_limit
from . import tables
from .engines import Engine, check_engine, open_engine
from .identity import ENGINE_KEY, EngineIdentity, describe, engine_identity
from .sources import (MAX_LINE_BYTES, SourceError, Version, date_order, list_versions, read_version,
                      refuse_out_inside, source_identity)
from .store import (CorpusDir, DamagedFile, StoreError, check_corpus_dir, holding, open_corpus_dir, read_parquet,
                    ready_to_write)
from .timeline import undated_beside_dated
from .work import MAX_DOCUMENT_BYTES, Item, Pair, analyse_batch, diff_batch, too_large

# Documents per task at each depth: a task of a second or a few keeps the scheduler's share small and loses little when
# a worker dies. At full depth, a task's documents are mostly one document's versions (they are sent in document
# order) and the reader remembers the sentences it read (engine.reader.READINGS_REMEMBERED): after the first, a
# version costs only its changed sentences (a one-paragraph edit: about 1/18 of a first reading), so four per task.
# Pairs of versions per diff task.
BATCH = {"quick": 16, "full": 4}
PAIR_BATCH = 4
# A batch whose worker died this many times is given up for this run (its documents say so; the next run retries).
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class SetAside:
    """A damaged part the run moved aside: where it went, why, and what the run did about what it held."""
    part: Path
    moved_to: Path
    why: str
    then: str

    def __str__(self) -> str:
        # A part damaged again, in a later run, is set aside beside its copy from before (store.CorpusDir.set_aside).
        before = (f" (damaged before too: the copy set aside then stays as {self.moved_to.with_name(self.part.name)})"
                  if self.moved_to.name != self.part.name else "")
        return f"{self.part} cannot be read ({self.why}); moved to {self.moved_to}{before}; {self.then}"


@dataclass(frozen=True, slots=True)
class RunSummary:
    versions: int
    documents: int  # distinct texts
    analysed: int  # read by this run
    skipped: int  # already in the folder
    failed: int  # unreadable documents (recorded with their error)
    given_up: int  # documents whose worker kept dying (not recorded: the next run tries again)
    pairs: int  # version pairs diffed by this run
    restarts: int  # times the local process pool was replaced after one of its workers died
    rows: dict[str, int]
    seconds: float
    set_aside: tuple[SetAside, ...] = ()  # damaged parts moved to parts/damaged/, what they held done again
    superseded: int = 0  # parts read by another engine moved to parts/superseded/ (--reread), what they held redone


@dataclass(frozen=True, slots=True)
class Listing:
    """What one source holds now (sources.source_identity names it)."""
    source: str
    prefixes: tuple[str, ...]
    versions: list[Version]


# What a version whose bytes are no longer those it was listed with reads as (a file rewritten between listing and
# reading): its row would otherwise hold the new text's reading under the old text's hash.
CHANGED_SINCE_LISTED = ("cannot read: {} changed after it was listed (its bytes are not those it was listed with); "
                        "run again to read it as it is now")


def _item(version: Version) -> Item:
    """What a worker reads of a version. A file that cannot be read (no permission, gone or rewritten since it was
    listed) is a row with its error: it never stops the run (docs/CORPUS.md). Such an error is the moment's, not the
    text's (_unread_now)."""
    if version.locator[0] == "unreadable":
        return Item(version.content_hash, b"", version.is_html, version.size, version.locator[2])
    if version.size > MAX_DOCUMENT_BYTES:
        return Item(version.content_hash, b"", version.is_html, version.size)
    try:
        data = read_version(version, limit=MAX_DOCUMENT_BYTES)
    except OSError as exc:
        return Item(version.content_hash, b"", version.is_html, version.size, f"cannot read: {exc.strerror or exc}")
    except SourceError as exc:  # a JSON Lines record or a git blob that is not what was listed: the source changed
        return Item(version.content_hash, b"", version.is_html, version.size, f"cannot read: {exc}")
    if len(data) > MAX_DOCUMENT_BYTES:  # a file grown past the limit since it was listed: read no further
        with contextlib.suppress(OSError):
            return Item(version.content_hash, b"", version.is_html, version.size,
                        too_large(os.path.getsize(version.locator[1])))
        return Item(version.content_hash, b"", version.is_html, version.size, too_large(len(data)))
    if hashlib.sha256(data).hexdigest() != version.content_hash:
        return Item(version.content_hash, b"", version.is_html, version.size,
                    CHANGED_SINCE_LISTED.format(version.source))
    return Item(version.content_hash, data, version.is_html, version.size)


def _unread_now(version: Version, item: Item) -> bool:
    """Whether `item` is a version this run could not read although it was listed whole (gone, no permission, changed
    since): not a property of its text, whose hash keys the parts, so it is kept out of them and read again by the
    next run. One that could not be read when listed has a hash of its own (its path and why), and is kept."""
    return item.error is not None and version.locator[0] != "unreadable"


def _progress(total: int, label: str):
    from tqdm import tqdm

    # On a terminal: a bar with counts, rate and ETA; elsewhere (a log, CI) nothing but the summary.
    return tqdm(total=total, desc=label, unit="doc" if label == "reading" else "pair", disable=None,
                file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def _batches(items: Sequence, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _execute(engine: Engine, fn: Callable, batches: Iterator[list], load: Callable[[list], list],
             done: Callable[[list, list], None], bar) -> list[list]:
    """Run `fn(load(batch))` for every batch, at most two per worker in flight; `done(batch, rows)` as each finishes.
    Returns the batches given up on (their workers kept dying)."""
    in_flight: dict = {}
    attempts: dict[int, int] = {}
    given_up: list[list] = []
    lost: list[list] = []  # batches to send again: their worker died, or the pool was broken when they were sent
    pending = iter(batches)

    def submit(batch: list) -> None:
        try:
            in_flight[engine.submit(fn, load(batch))] = batch
        except BrokenProcessPool:  # a worker died since the last look: the pool takes nothing more
            lost.append(batch)

    def fill() -> None:
        while len(in_flight) < 2 * engine.workers and not lost:
            batch = next(pending, None)
            if batch is None:
                return
            submit(batch)

    fill()
    while in_flight or lost:
        finished, _ = wait(list(in_flight), return_when=FIRST_COMPLETED) if in_flight else (set(), set())
        for future in finished:
            batch = in_flight.pop(future)
            try:
                rows = future.result()
            except Exception:  # its worker died (BrokenProcessPool; Dask's KilledWorker) or it could not be sent
                lost.append(batch)
                continue
            done(batch, rows)
            # Attempts are counted by the batch's id, which Python may give to a later batch once this one is gone:
            # forget it now, or that batch would start with this one's failed attempts.
            attempts.pop(id(batch), None)
            bar.update(len(batch))
        if not lost:
            fill()
            continue
        if engine.can_restart():
            # A dead worker breaks the whole pool: every batch still in it is lost too, and is sent again.
            lost += list(in_flight.values())
            in_flight.clear()
            engine.restart()
        retry, lost[:] = list(lost), []
        for batch in retry:
            attempts[id(batch)] = attempts.get(id(batch), 0) + 1
            if attempts[id(batch)] >= MAX_ATTEMPTS:
                given_up.append(batch)
                bar.update(len(batch))
            else:
                submit(batch)
        fill()
    return given_up


def analyse_corpus(sources: Sequence[str], out: str, *, depth: str = "quick", engine: str = "local",
                   workers: int | None = None, address: str | None = None, batch: int | None = None,
                   log: Callable[[str], None] = lambda line: None,
                   max_line_bytes: int = MAX_LINE_BYTES, reread: bool = False,
                   time_limit: float | None = None) -> RunSummary:
    """Read every document of `sources` into the corpus folder `out` and rebuild its tables (see the module doc).
    A JSON Lines line longer than `max_line_bytes` is a row with its error, not read (sources.MAX_LINE_BYTES).
    A folder read by another engine (identity.py) is refused, or with `reread` read again by this one. Each document
    is read, and then analysed, within `time_limit` seconds (None: time_budget.batch_time_limit's default)."""
    started = time.monotonic()
    check_engine(engine, address)
    identity = engine_identity(depth)
    for source in sources:  # before listing, which takes a while in a large folder
        refuse_out_inside(source, out)
    # The folder is held first: a second run on it is turned away before it lists and hashes every source (minutes
    # in a large corpus), and writes nothing there, not even corpus.json (two first runs at two depths would each
    # record theirs).
    with holding(out) as root:
        check_corpus_dir(root, depth)  # another depth, or not a corpus: said before the sources are listed
        listings: dict[str, Listing] = {}
        for source in sources:  # every source is listed (and refused when bad) before anything is written
            name, prefixes = source_identity(source)
            if name not in listings:  # one source given twice (or spelt two ways) is one listing
                listings[name] = Listing(name, prefixes, list_versions(source, max_line_bytes=max_line_bytes))
        corpus = open_corpus_dir(root, depth, engine=identity)
        ready_to_write(corpus)
        return _analyse_into(corpus, list(listings.values()), identity, reread, engine, workers, address, batch,
                             batch_time_limit(time_limit), log, started)


def _analyse_into(corpus: CorpusDir, listings: list[Listing], identity: EngineIdentity, reread: bool, engine: str,
                  workers: int | None, address: str | None, batch: int | None, time_limit: float,
                  log: Callable[[str], None], started: float) -> RunSummary:
    versions = [v for listing in listings for v in listing.versions]
    first_of: dict[str, Version] = {}
    for v in versions:
        first_of.setdefault(v.content_hash, v)
    damage = _Damage(corpus, {corpus.listing_part(listing.source) for listing in listings}, log)
    # Every part's footer, before anything is written: a truncated part (the usual damage: a copy or a disk that
    # stopped half-way) is found here, all of them in one pass, and a listing this run cannot replace stops it now;
    # so is a part read by another engine, which this run does not mix with its own readings.
    footers = _read_footers(corpus)
    others = {part: read_by for part, read_by in footers.engines.items() if read_by != identity}
    if others and not reread:
        raise StoreError(_another_engine(corpus, identity, others))
    damage.set_aside(footers.damaged)
    for part, read_by in others.items():
        corpus.supersede(part, f"read by {describe(read_by)}; read again (--reread) by {identity}")
    if others:
        log(f"{len(others)} part{'s' if len(others) != 1 else ''} read by another engine moved to "
            f"{corpus.superseded} (--reread): what {'they' if len(others) != 1 else 'it'} held is read again by "
            f"{identity}")
    elif reread:
        log(f"every part in {corpus.parts} was read by {identity}: nothing to read again")
    if corpus.recorded_engine() != identity:  # a folder read again, or one made before folders said by whom
        corpus.record_engine(identity)
    done = _Done()
    running: Engine | None = None

    def engine_now() -> Engine:  # started once, at the first attempt, and kept for any that follows
        nonlocal running
        if running is None:
            running = open_engine(engine, workers, address)
            log(running.describe())
        return running

    try:
        while True:
            try:
                rows, given_up, given_up_pairs = _attempt(corpus, listings, versions, first_of, identity, batch,
                                                          time_limit, done, engine_now, log)
                break
            except DamagedFile as found:
                # A part damaged inside (its footer whole) is found where its damaged columns are read, which may be
                # as late as the tables: it is set aside and the run goes again, reading only what that part held.
                damage.set_aside([found])
    except KeyboardInterrupt:  # Ctrl-C: the parts written so far stay; the documents in progress are dropped
        if running is not None:
            running.close(at_once=True)
            running = None
        raise
    finally:
        if running is not None:
            running.close()
    read = done.read - given_up
    return RunSummary(versions=len(versions), documents=len(first_of), analysed=len(read),
                      skipped=len(first_of) - len(read) - len(given_up), failed=len(done.failed - given_up),
                      given_up=len(given_up) + len(given_up_pairs), pairs=len(done.compared - given_up_pairs),
                      restarts=running.restarts if running else 0, rows=rows, seconds=time.monotonic() - started,
                      set_aside=tuple(damage.moved), superseded=len(others))


@dataclass(frozen=True, slots=True)
class _Done:
    """What this run has read and compared, over every attempt (a damaged part found late makes another)."""
    read: set[str] = field(default_factory=set)  # content hashes
    failed: set[str] = field(default_factory=set)  # of those, the unreadable
    compared: set[tuple[str, str]] = field(default_factory=set)  # version pairs (previous hash, hash)
    # Of the failed, those this run could not read at the time (_unread_now) or within its time limit: hash -> why,
    # for its tables only
    unread: dict[str, str] = field(default_factory=dict)


def _attempt(corpus: CorpusDir, listings: list[Listing], versions: list[Version], first_of: dict[str, Version],
             identity: EngineIdentity, batch: int | None, time_limit: float, done: _Done,
             engine_now: Callable[[], Engine], log: Callable[[str], None]
             ) -> tuple[dict[str, int], set[str], set[tuple[str, str]]]:
    """List, read what no part holds, diff what no part holds, rebuild the tables: the tables' row counts, and the
    texts and pairs given up on (their workers kept dying). A DamagedFile for the first damaged part it reads."""
    depth = identity.depth
    # Each source's listing replaces what an earlier run listed of it: the folder holds each source as it is now (a
    # file corrected in place is one version, not its old text beside it), and the sources of earlier runs that this
    # one does not name are kept (docs/CORPUS.md, "Resuming").
    for listing in listings:
        corpus.write_listing(listing.source, tables.version_keys(listing.versions),
                             tables.versions_table(listing.versions, listing.source, listing.prefixes))
    already = tables.analysed_hashes(corpus)
    # In document order, so that a document's versions share parts: their diffs then find them together.
    todo = sorted((v for h, v in first_of.items() if h not in already),
                  key=lambda v: (v.service, v.document, date_order(v.date), v.source))
    log(f"{len(versions)} versions of {len({(v.service, v.document) for v in versions})} documents, "
        f"{len(first_of)} distinct texts: {len(first_of) - len(todo)} already in {corpus.root}, {len(todo)} to read")

    def load(batch: list[Version]) -> list[Item]:
        # Bytes are read here, as a batch is sent, so that only the batches in flight are in memory; a document over
        # the size limit is not read at all (its row says it is too large).
        items = [_item(v) for v in batch]
        for version, item in zip(batch, items):
            if _unread_now(version, item):
                done.unread[item.content_hash] = item.error
            else:  # read now, though an earlier attempt of this run could not (a damaged part made it go again)
                done.unread.pop(item.content_hash, None)
        return items

    def store_analyses(batch: list[Version], rows: list[dict]) -> None:
        # A document that ran out of time is not kept either, as one unread now: the next run tries it again, whatever
        # its time limit (docs/CORPUS.md, "Time limits").
        done.unread.update((row["content_hash"], row["error"]) for row in rows if row["timed_out"])
        kept = [row for row in rows if row["content_hash"] not in done.unread]
        if kept:
            corpus.write_part("analyses", (row["content_hash"] for row in kept),
                              tables.stamped(pa.Table.from_pylist(kept, schema=tables.ANALYSES_PART), identity))
        done.read.update(row["content_hash"] for row in rows)
        done.failed.update(row["content_hash"] for row in rows if row["error"])

    running = engine_now()
    # PDFs are read, and documents analysed, within this run's limit (by default from this machine's config), sent
    # with the tasks: a worker of a remote cluster has no config of its own to read it from.
    reading = functools.partial(analyse_batch, depth=depth, time_limit=time_limit)
    with _progress(len(todo), "reading") as bar:
        given_up = _execute(running, reading, _batches(todo, batch or BATCH[depth]), load, store_analyses, bar)
    readable = {h for h, row in tables.read_analyses(corpus, columns=["content_hash", "error"]).items()
                if not row["error"]}
    listed = tables.read_versions(corpus)
    # Said once what was read is known: a version is left out of a history only beside a dated one that was read
    undated = undated_beside_dated([v for v in listed if v.content_hash in readable])
    if undated:
        log(f"note: {len(undated)} version{'s have' if len(undated) != 1 else ' has'} no date beside dated versions of "
            f"the same document (first: {undated[0].source}): read, but placed in no history and compared with none "
            "of them; a date in the file name (YYYY-MM-DD) places one")
    pairs = _pairs_to_diff(corpus, listed, readable)
    with _progress(len(pairs), "diffing") if pairs else contextlib.nullcontext(None) as bar:
        views = tables.diff_views(corpus)

        def load_pairs(batch: list[tuple[str, str]]) -> list[Pair]:
            return [Pair(a, b, views[a], views[b]) for a, b in batch]

        def store_changes(batch, rows: list[dict]) -> None:
            corpus.write_part("changes", (f"{r['previous_hash']}>{r['content_hash']}" for r in rows),
                              tables.stamped(pa.Table.from_pylist(rows, schema=tables.CHANGES_PART), identity))
            done.compared.update((r["previous_hash"], r["content_hash"]) for r in rows)

        given_up_pairs = _execute(running, diff_batch, _batches(pairs, PAIR_BATCH), load_pairs, store_changes, bar)
    return (tables.write_tables(corpus, identity, done.unread), {v.content_hash for b in given_up for v in b},
            {pair for b in given_up_pairs for pair in b})


@dataclass(frozen=True, slots=True)
class _Footers:
    """What the footers of a folder's parts say, read once each before a run writes anything."""
    damaged: list[DamagedFile]  # parts whose footer cannot be read
    engines: dict[Path, EngineIdentity | None]  # who read each whole part of readings or diffs (None: not said)


def _read_footers(corpus: CorpusDir) -> _Footers:
    damaged: list[DamagedFile] = []
    engines: dict[Path, EngineIdentity | None] = {}
    for part in corpus.part_files():
        try:
            footer = read_parquet(part, pq.read_metadata)
        except DamagedFile as found:
            damaged.append(found)
            continue
        # A versions part is a source's listing, which no engine reads: it is kept whoever reads the folder.
        if not part.name.startswith("versions-"):
            engines[part] = EngineIdentity.from_text((footer.metadata or {}).get(ENGINE_KEY))
    return _Footers(damaged, engines)


def _another_engine(corpus: CorpusDir, identity: EngineIdentity,
                    others: dict[Path, EngineIdentity | None]) -> str:
    """Why a run stops on a folder read by another engine, what differs, and what to do instead."""
    counts: dict[EngineIdentity | None, int] = {}
    for read_by in others.values():
        counts[read_by] = counts.get(read_by, 0) + 1
    which = "; ".join(f"{count} part{'s' if count != 1 else ''} by {describe(read_by)}"
                      + (f", which differs from this run's in {' and '.join(identity.differences(read_by))}"
                         if read_by is not None else "")
                      for read_by, count in counts.items())
    return (f"{corpus.root} was read by another engine ({which}); this run's engine is {identity}. Its readings "
            "are not mixed with theirs in one table: run again with --reread to read every document again with "
            f"this engine (the other parts are moved to {corpus.superseded}, not deleted; name every source of the "
            "folder, as the `source` column of its documents.parquet lists them), or analyse into another --out")


# What a run does about a damaged part of each kind: all of it can be done again, the listing of a source only by a
# run that names the source.
_REDONE = {"analyses": "the documents it held are read again (those the sources still list)",
           "changes": "the version pairs it held are compared again (those still consecutive)",
           "versions": "this run lists its source again"}


@dataclass(frozen=True, slots=True)
class _Damage:
    """Damaged parts found by a run: each moved aside, said on the log and kept for the summary."""
    corpus: CorpusDir
    listed: set[Path]  # the versions parts of the sources this run names
    log: Callable[[str], None]
    moved: list[SetAside] = field(default_factory=list)

    def set_aside(self, found: list[DamagedFile]) -> None:
        """Move each damaged part aside, or raise a StoreError, before moving any, when one cannot be redone by this
        run: the listing of a source it does not name (moved aside, that source would leave the tables unsaid), or a
        part it wrote again and found damaged again (a failing disk: another attempt would only loop)."""
        for damage in found:
            if damage.path.parent != self.corpus.parts:  # not a part (the run reads nothing else): nothing to redo
                raise damage
            earlier = next((moved for moved in self.moved if moved.part == damage.path), None)
            if earlier is not None:
                raise StoreError(f"{damage}, after this run set it aside as {earlier.moved_to} and wrote it again: the "
                                 "disk may be failing; check it before running again (this copy stays where it is, "
                                 "and the next run sets it aside beside the first)")
            if damage.path.name.startswith("versions-") and damage.path not in self.listed:
                raise StoreError(f"{damage}; it holds the versions of a source that an earlier run named and this one "
                                 "does not: run again naming every source of this folder (the `source` column of its "
                                 "documents.parquet lists them), which lists it afresh, or move the part away to leave "
                                 "that source out")
        for damage in found:
            then = _REDONE[damage.path.name.split("-", 1)[0]]
            moved = SetAside(damage.path, self.corpus.set_aside(damage.path, f"{damage.why}; {then}"), damage.why,
                             then)
            self.moved.append(moved)
            self.log(str(moved))


def _pairs_to_diff(corpus: CorpusDir, listed: list, readable: set[str]) -> list[tuple[str, str]]:
    """Consecutive versions of `listed`, both `readable`, whose diff is not in the folder yet (each pair of texts
    once)."""
    done = tables.diffed_pairs(corpus)
    wanted = ((a.content_hash, b.content_hash) for a, b in tables.consecutive_pairs(listed, readable))
    return [pair for pair in dict.fromkeys(wanted) if pair not in done]
