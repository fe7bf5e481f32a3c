"""`corpus analyze`: list the sources, read every document not yet in the folder, diff consecutive versions, and
rebuild the tables. One loop for every engine (engines.py); parts are written as batches finish (store.py).
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import pyarrow as pa

from . import tables
from .engines import Engine, check_engine, open_engine
from .sources import MAX_LINE_BYTES, SourceError, Version, list_versions, read_version, source_identity
from .store import CorpusDir, open_corpus_dir, writing
from .work import MAX_DOCUMENT_BYTES, Item, Pair, analyse_batch, diff_batch

# Documents per task at each depth: a task of a second or a few keeps the scheduler's share small and loses little when
# a worker dies. Pairs of versions per diff task.
BATCH = {"quick": 16, "full": 2}
PAIR_BATCH = 4
# A batch whose worker died this many times is given up for this run (its documents say so; the next run retries).
MAX_ATTEMPTS = 3


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


@dataclass(frozen=True, slots=True)
class Listing:
    """What one source holds now (sources.source_identity names it)."""
    source: str
    prefixes: tuple[str, ...]
    versions: list[Version]


def _item(version: Version) -> Item:
    """What a worker reads of a version. A file that cannot be read (no permission, gone or rewritten since it was
    listed) is a row with its error: it never stops the run (docs/CORPUS.md)."""
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
            return Item(version.content_hash, b"", version.is_html, os.path.getsize(version.locator[1]))
        return Item(version.content_hash, b"", version.is_html, len(data))
    return Item(version.content_hash, data, version.is_html, version.size)


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
                   max_line_bytes: int = MAX_LINE_BYTES) -> RunSummary:
    """Read every document of `sources` into the corpus folder `out` and rebuild its tables (see the module doc).
    A JSON Lines line longer than `max_line_bytes` is a row with its error, not read (sources.MAX_LINE_BYTES)."""
    started = time.monotonic()
    check_engine(engine, address)
    listings: dict[str, Listing] = {}
    for source in sources:  # every source is listed (and refused when bad) before anything is written
        name, prefixes = source_identity(source)
        if name not in listings:  # one source given twice (or spelt two ways) is one listing
            listings[name] = Listing(name, prefixes, list_versions(source, max_line_bytes=max_line_bytes))
    corpus = open_corpus_dir(out, depth)
    with writing(corpus):
        return _analyse_into(corpus, list(listings.values()), depth, engine, workers, address, batch, log, started)


def _analyse_into(corpus: CorpusDir, listings: list[Listing], depth: str, engine: str, workers: int | None,
                  address: str | None, batch: int | None, log: Callable[[str], None], started: float) -> RunSummary:
    # Each source's listing replaces what an earlier run listed of it: the folder holds each source as it is now (a
    # file corrected in place is one version, not its old text beside it), and the sources of earlier runs that this
    # one does not name are kept (docs/CORPUS.md, "Resuming").
    for listing in listings:
        corpus.write_listing(listing.source, tables.version_keys(listing.versions),
                             tables.versions_table(listing.versions, listing.source, listing.prefixes))
    versions = [v for listing in listings for v in listing.versions]

    first_of: dict[str, Version] = {}
    for v in versions:
        first_of.setdefault(v.content_hash, v)
    already = tables.analysed_hashes(corpus)
    # In document order, so that a document's versions share parts: their diffs then find them together.
    todo = sorted((v for h, v in first_of.items() if h not in already),
                  key=lambda v: (v.service, v.document, v.date or "", v.source))
    log(f"{len(versions)} versions of {len({(v.service, v.document) for v in versions})} documents, "
        f"{len(first_of)} distinct texts: {len(first_of) - len(todo)} already in {corpus.root}, {len(todo)} to read")

    def load(batch: list[Version]) -> list[Item]:
        # Bytes are read here, as a batch is sent, so that only the batches in flight are in memory; a document over
        # the size limit is not read at all (its row says it is too large).
        return [_item(v) for v in batch]

    failed = 0

    def store_analyses(batch: list[Version], rows: list[dict]) -> None:
        nonlocal failed
        failed += sum(1 for row in rows if row["error"])
        corpus.write_part("analyses", (row["content_hash"] for row in rows),
                          pa.Table.from_pylist(rows, schema=tables.ANALYSES_PART))

    size = batch or BATCH[depth]
    task = functools.partial(analyse_batch, depth=depth)
    running = open_engine(engine, workers, address)
    log(running.describe())
    try:
        with _progress(len(todo), "reading") as bar:
            given_up = _execute(running, task, _batches(todo, size), load, store_analyses, bar)
        pairs = _pairs_to_diff(corpus)
        with _progress(len(pairs), "diffing") if pairs else contextlib.nullcontext(None) as bar:
            views = tables.diff_views(corpus)

            def load_pairs(batch: list[tuple[str, str]]) -> list[Pair]:
                return [Pair(a, b, views[a], views[b]) for a, b in batch]

            def store_changes(batch, rows: list[dict]) -> None:
                corpus.write_part("changes", (f"{r['previous_hash']}>{r['content_hash']}" for r in rows),
                                  pa.Table.from_pylist(rows, schema=tables.CHANGES_PART))

            given_up_pairs = _execute(running, diff_batch, _batches(pairs, PAIR_BATCH), load_pairs, store_changes, bar)
    finally:
        running.close()
    rows = tables.write_tables(corpus)
    return RunSummary(versions=len(versions), documents=len(first_of),
                      analysed=len(todo) - sum(len(b) for b in given_up), skipped=len(first_of) - len(todo),
                      failed=failed, given_up=sum(len(b) for b in given_up) + sum(len(b) for b in given_up_pairs),
                      pairs=len(pairs) - sum(len(b) for b in given_up_pairs), restarts=running.restarts, rows=rows,
                      seconds=time.monotonic() - started)


def _pairs_to_diff(corpus: CorpusDir) -> list[tuple[str, str]]:
    """Consecutive versions, both read, whose diff is not in the folder yet (each pair of texts once)."""
    readable = {h for h, row in tables.read_analyses(corpus, columns=["content_hash", "error"]).items()
                if not row["error"]}
    done = tables.diffed_pairs(corpus)
    wanted = ((a.content_hash, b.content_hash)
              for a, b in tables.consecutive_pairs(tables.read_versions(corpus), readable))
    return [pair for pair in dict.fromkeys(wanted) if pair not in done]
