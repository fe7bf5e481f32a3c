"""The daemon side of policy memory: /v1/sites routes and the recorder run after each /v1/analyze.

Plugged in by smallprint.daemon.app (OPTIONAL_ROUTE_MODULES) through `setup(app)`: the routes get the
daemon's guards (Host, Origin, bearer token, error envelope), and `record_analysis` is installed as the
app's ANALYSIS_RECORDER. All store work runs on one dedicated thread so SQLite never blocks the event loop,
and a store that cannot be written only costs the reader their history, never their analysis.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from aiohttp import web

from smallprint import paths
from smallprint.daemon.errors import ApiError
from smallprint.daemon.openapi import register_openapi
from smallprint.daemon.state import ANALYSIS_RECORDER, ARRIVED, CONFIG, DEPTH, REMEMBER, RUNNER, VISIT_ID
from smallprint.taxonomy import POLICY_KINDS

from .diff import diff_analyses, in_reading_order, reading_order
from .openapi_doc import ANALYSIS_PROPERTIES, PATHS, SCHEMAS
from .sites import site_key
from .store import (ForgotEverything, ForgottenMeanwhile, HistoryUnavailable, Recorded, SetAside, Store, StoreDamaged,
                    StoreLimits, StoreReadOnly, SupersededInVisit, VersionInfo, file_state, set_aside_damaged)
from .timeline import version_changes

log = logging.getLogger("smallprint.history")


class HistoryService:
    """Opens the store on first use and again after a failure (the disk may have been freed meanwhile), and again when
    its file was removed or replaced while the daemon ran. A damaged file (StoreDamaged) is left alone until it is
    replaced, or forgetting everything sets it aside."""

    def __init__(self, path: Path | None = None, *, enabled: bool = True, retention_versions: int | None = None,
                 limits: StoreLimits = StoreLimits()):
        self.path = path
        self.enabled = enabled
        self.retention_versions = retention_versions
        self.limits = limits
        self._store: Store | None = None
        # The damaged file found at the path (its identity, and what was found): not opened again while it lies there.
        self._damaged: tuple[tuple[int, int, int, int] | None, StoreDamaged] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smallprint-history")

    def store(self) -> Store:
        if not self.enabled:
            raise HistoryUnavailable("history is turned off ([history] enabled = false in the config)")
        if self._store is not None and not self._store.is_still_the_file():
            # Removed by hand or replaced (a backup restored, a damaged store set aside by `smallprint forget --all`):
            # the connection still reads and writes the old file, listing what was deleted, comparing visits with it
            # and losing what it records at the next start.
            log.warning("history: the store file was removed or replaced while the daemon ran; opening it again")
            self._drop_store()
        if self._damaged is not None:
            identity, damage = self._damaged
            if identity is not None and file_state(self.store_path()) == identity:
                raise damage  # no write goes into a damaged file, nor another read of it
            self._damaged = None  # replaced or removed since: a fresh start
        if self._store is None:
            self._store = Store(self.path, retention_versions=self.retention_versions, limits=self.limits)
        return self._store

    def store_path(self) -> Path:
        return Path(self.path) if self.path else paths.store_file()

    def _drop_store(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            if store.is_still_the_file():
                store.close()
            else:
                store.close_replaced()

    def _found_damaged(self, damage: StoreDamaged) -> None:
        """Stop using the damaged file: its connection is closed, and no call opens it again while it lies there."""
        if self._damaged is not None and self._damaged[1] is damage:
            return
        replaced = self._store is not None and not self._store.is_still_the_file()
        self._drop_store()
        # found in a file no longer there: the next call opens what is there now; else the file as it lies once
        # closed (closing may still touch it), so that a backup copied over it in place is told apart
        identity = None if replaced else file_state(self.store_path())
        self._damaged = (identity, damage)
        log.warning("history: %s", damage)

    def forget_everything(self) -> tuple[ForgotEverything, SetAside | None]:
        """What DELETE /v1/sites does to the store: every site deleted (what was deleted, and None). A damaged store
        cannot be emptied, but the reader asked for all of it to go: its file is set aside (set_aside_damaged) and a
        fresh store started, which notes the forget as any store does (a reading in flight is not stored after it)."""
        try:
            return self.store().forget_everything(), None
        except StoreDamaged:
            self._drop_store()
            aside = set_aside_damaged(self.store_path())
            self._damaged = None
            log.warning("history: %s", aside.sentence())
            return self.store().forget_everything(), aside

    def read_only_store(self) -> Store:
        """The store opened read-only, for one reading (to close after it)."""
        if not self.enabled:
            raise HistoryUnavailable("history is turned off ([history] enabled = false in the config)")
        return Store(self.path, read_only=True)

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, partial(self._guarded, fn, *args))

    def _guarded(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) on the history thread; a damaged store it finds is not used again (_found_damaged)."""
        try:
            return fn(*args)
        except StoreDamaged as damage:
            self._found_damaged(damage)
            raise

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._drop_store()

    def record(self, url: str, analysis: dict, encoded: bytes | None = None, visit: str | None = None,
               arrived: str | None = None) -> dict:
        """Store the version (`encoded`: the analysis as JSON, if already at hand; `visit`: the extension's id of
        the page load; `arrived`: when its request came; see Store.record); the keys to add to the response."""
        recorded = self.store().record(url, analysis, encoded=encoded, visit=visit, arrived=arrived)
        extra: dict[str, Any] = {"history": _history_note(recorded)}
        if recorded.previous is not None and recorded.previous_analysis is not None:
            extra["changes_since_last_visit"] = changes_since(recorded, analysis)
        return extra


def _history_note(recorded: Recorded) -> dict:
    v = recorded.version
    note = {"available": True, "recorded": True, "site": v.site, "path": v.path, "version": v.id,
            "new_version": recorded.is_new_text, "first_seen": v.first_seen}
    if recorded.forgotten:
        note["forgotten_versions"] = recorded.forgotten
    return note


def changes_since(recorded: Recorded, analysis: dict) -> dict:
    previous = recorded.previous
    assert previous is not None and recorded.previous_analysis is not None
    diff = diff_analyses(recorded.previous_analysis, analysis, since=previous.last_seen)
    # Only clauses that state a data practice travel to the extension; the counts cover every clause. Each list most
    # important first: in the policy's order the popup's first few were whatever came first ("New: Advertising" five
    # times, the AI-training clause the summary names not among them). "order" is the three lists as one, in the
    # order every change view lists them (diff.reading_order): [list, index] pairs, the popup's order, so that it
    # leads with a promise no longer made as the text view and the HTML report do, and keeps no copy of the ranking.
    body = diff.to_dict(data_use_only=True)
    lists = {key: in_reading_order(c for c in items if c.is_data_use)
             for key, items in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed))}
    body.update({key: [c.to_dict() for c in items] for key, items in lists.items()})
    order = sorted(((key, k, c) for key, items in lists.items() for k, c in enumerate(items)),
                   key=lambda found: reading_order(found[2]))
    moved = {"previous_url": previous.url, "previous_path": previous.path} \
        if previous.path != recorded.version.path else {}  # compared with the site's policy at another address
    return {"previous_date": previous.last_seen, "previous_version": previous.id, **moved,
            "added": body["added"], "removed": body["removed"], "changed": body["changed"],
            "order": [[key, k] for key, k, _ in order], "summary": body["summary"], "counts": body["counts"]}


HISTORY = web.AppKey("history", HistoryService)


def _wants_remembering(request: web.Request, result: dict) -> bool:
    """Policies are remembered; any other page only when the reader asked for it ("remember": true). Read as the
    analyze view checked it (request[REMEMBER]), never from the body again: a key written with JSON escapes
    ("\\u0072emember") is the same key to the view and to the recorder."""
    if result.get("kind") in POLICY_KINDS:
        return True
    return request.get(REMEMBER) is True


def _asked_quick(request: web.Request) -> bool:
    """A quick reading (the extension's first paint) is followed by the full one: only the full one is remembered,
    so that one visit makes one version and its changes are read by the reader. The depth the analysis ran at
    (request[DEPTH], as the analyze view checked it)."""
    return request.get(DEPTH) == "quick"


def _late_recording_done(recording: "asyncio.Future[Any]") -> None:
    """A recording the reply stopped waiting for: its failure is logged (without the site), never lost unseen. One
    refused as it should be (its site forgotten meanwhile, or a newer reading of its visit stored first) is no
    failure."""
    if recording.cancelled() or (failure := recording.exception()) is None:
        return
    if isinstance(failure, (ForgottenMeanwhile, SupersededInVisit)):
        log.info("history: a recording the reply did not wait for was not stored: %s", failure)
    else:
        log.warning("history: a recording the reply did not wait for failed: %s", failure)


# How long a reply waits for its visit to be recorded: recording takes milliseconds unless another program holds the
# store, when each waits up to the busy timeout in one queue (12 s, 22 s, 32 s... for analyses sent together).
RECORD_WAIT_SECONDS = 3.0


async def record_analysis(request: web.Request, result: dict, encoded: bytes | None = None) -> None:
    """The app's ANALYSIS_RECORDER: remember the page's version and say what changed since the last visit.
    `encoded` is `result` as the worker encoded it (JSON): stored as it is, not encoded again."""
    service = request.app[HISTORY]
    url = result.get("url")
    if not url or not _wants_remembering(request, result) or _asked_quick(request):
        return
    try:
        # the extension's id of this page load, as the analyze view checked it: readings sent again during one visit
        # replace that visit's own version instead of adding versions (Store.record). A store another program
        # holds locked makes each recording wait up to its busy timeout (10 s) in one queue: the reader waits
        # RECORD_WAIT_SECONDS at most and gets the analysis; the recording goes on and lands when it can.
        recording = asyncio.ensure_future(service.run(service.record, url, result, encoded, request.get(VISIT_ID),
                                                      request.get(ARRIVED)))
        extra = await asyncio.wait_for(asyncio.shield(recording), RECORD_WAIT_SECONDS)
    except asyncio.TimeoutError:
        recording.add_done_callback(_late_recording_done)
        log.warning("history: the store is busy; an analysis was answered without waiting for its recording")
        result["history"] = {"available": True, "recorded": False,
                             "reason": "the history store is busy (another program may hold it); this visit is "
                                       "remembered if it comes free within seconds, without a list of changes"}
        return
    except ForgottenMeanwhile as exc:
        # forgotten (CLI or API) while this page was read: storing it now would undo what the reader just asked for
        result["history"] = {"available": True, "recorded": False, "reason": str(exc)}
        return
    except SupersededInVisit as exc:
        # answered after a reading of the same visit that was asked for later (the page changed meanwhile): the
        # visit's newer text stays its version; the extension drops this answer anyway (background.js superseded)
        result["history"] = {"available": True, "recorded": False, "reason": str(exc)}
        return
    except HistoryUnavailable as exc:
        log.warning("history unavailable: %s", exc)
        result["history"] = {"available": False, "recorded": False, "reason": str(exc)}
        return
    except ValueError as exc:  # a URL without a host (about:blank, file:...): nothing to file it under
        result["history"] = {"available": True, "recorded": False, "reason": str(exc)}
        return
    except Exception:  # a bug here must cost the history, not the analysis; the log never names the site
        log.exception("history: recording a version failed")
        result["history"] = {"available": False, "recorded": False,
                             "reason": "recording failed (a bug in smallprint; see the daemon log)"}
        return
    result.update(extra)


# --- routes ----------------------------------------------------------------------------------------------

routes = web.RouteTableDef()


async def _with_store(request: web.Request, fn: Callable[[Store], Any], *, reading: bool = True) -> Any:
    """fn(store) on the history thread. A store this process cannot write (a read-only file, folder or mount) is
    still read, opened read-only for this one call (it may become writable, or be written by its owner, meanwhile);
    a write to it answers 503 history_unavailable naming the file."""
    def call(service: HistoryService) -> Any:
        try:
            store = service.store()
        except StoreReadOnly:
            if not reading:
                raise
            with service.read_only_store() as store:
                return fn(store)
        return fn(store)
    return await _with_service(request, call)


async def _with_service(request: web.Request, fn: Callable[[HistoryService], Any]) -> Any:
    """fn(service) on the history thread; a store that cannot be used answers 503 history_unavailable."""
    service = request.app[HISTORY]
    try:
        return await service.run(fn, service)
    except HistoryUnavailable as exc:
        raise ApiError("history_unavailable", str(exc)) from None


def _site_param(request: web.Request) -> str:
    try:
        return site_key(request.match_info["site"])
    except ValueError as exc:
        # Not found rather than malformed: the schema's {site} is any string, and nothing is remembered under a
        # name that is no site (the CLI, where it is more likely a typo, says it is no site name).
        raise ApiError("not_found", f"{exc}; nothing is remembered under it") from None


FLAG_SPELLINGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}


def _flag(request: web.Request, name: str) -> bool:
    """A boolean query parameter (absent: false). Any other value is refused: `?changes=ture` silently read as false
    would answer without the changes that were asked for."""
    value = FLAG_SPELLINGS.get(request.query.get(name, "").lower())
    if value is None:
        raise ApiError("invalid_request", f"{name!r} must be true or false")
    return value


@routes.get("/v1/sites")
async def list_sites(request: web.Request) -> web.Response:
    sites = await _with_store(request, lambda store: store.sites())
    return web.json_response({"sites": [s.to_dict() for s in sites]})


@routes.get("/v1/sites/{site}/versions")
async def list_versions(request: web.Request) -> web.Response:
    site = _site_param(request)
    with_changes = _flag(request, "changes")

    def read(store: Store) -> tuple[list[VersionInfo], dict[int, dict]]:
        versions = store.versions(site)
        return versions, (version_changes(store, versions) if with_changes else {})
    versions, changes = await _with_store(request, read)
    if not versions:
        raise ApiError("not_found", f"no policy of {site} is remembered")
    items = []
    for v in versions:
        item = v.to_dict()
        if with_changes:
            item["changes"] = changes.get(v.id)
        items.append(item)
    return web.json_response({"site": site, "versions": items})


def _version_id(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    # ASCII digits alone: int() also reads "+1", " 1", "1_0" and "١" (an Arabic-Indic one), none of them an id. Ids
    # are SQLite rowids, of at most 19 digits (int() gives up at 4,300, with a message naming a Python setting).
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19):
        raise ApiError("invalid_request", f"{name!r} must be a version id (a whole number in the digits 0-9)")
    value = int(raw)
    if value < 1:
        raise ApiError("invalid_request", f"{name!r} must be a positive version id")
    return value


def default_pair(versions: list[VersionInfo], to_id: int | None) -> tuple[VersionInfo | None, VersionInfo | None]:
    """`to`: the given version, else the most recently seen; `from`: the version of the same document before it."""
    by_id = {v.id: v for v in versions}
    to = by_id.get(to_id) if to_id is not None else max(versions, key=lambda v: (v.last_seen, v.id), default=None)
    if to is None:
        return None, None
    same_doc = [v for v in versions if v.path == to.path and (v.first_seen, v.id) < (to.first_seen, to.id)]
    return (max(same_doc, key=lambda v: (v.first_seen, v.id)) if same_doc else None), to


@routes.get("/v1/sites/{site}/diff")
async def site_diff(request: web.Request) -> web.Response:
    site = _site_param(request)
    from_id, to_id = _version_id(request, "from"), _version_id(request, "to")
    data_use_only = _flag(request, "data_use_only")

    def compute(store: Store) -> dict:
        versions = store.versions(site)
        if not versions:
            raise ApiError("not_found", f"no policy of {site} is remembered")
        by_id = {v.id: v for v in versions}
        for name, value in (("from", from_id), ("to", to_id)):
            if value is not None and value not in by_id:
                raise ApiError("not_found", f"version {value} ({name}) is not a version of {site}")
        default_from, to = default_pair(versions, to_id)
        old = by_id[from_id] if from_id is not None else default_from
        if old is None or to is None:
            raise ApiError("not_found", f"{site} has only one remembered version of that policy; nothing to compare")
        diff = diff_analyses(store.diff_view(old.id) or {}, store.diff_view(to.id) or {}, since=old.last_seen)
        return {"site": site, "from": old.to_dict(), "to": to.to_dict(), **diff.to_dict(data_use_only=data_use_only)}
    return web.json_response(await _with_store(request, compute))



async def _forget(request: web.Request, fn: Callable[[HistoryService], Any]) -> tuple[Any, dict]:
    """The daemon forgets what it holds in memory of the pages it read (all of it: its cache is kept by content, not
    by site), then fn(service) deletes from the store; (what fn returned, what the memory forgot). The memory goes
    first, and whatever the store answers: a page is in memory whether or not the store could be written."""
    forgotten = request.app[RUNNER].forget_memory()
    try:
        deleted = await _with_service(request, fn)
    except ApiError as exc:
        raise ApiError(exc.code, f"{exc.message} (the daemon's memory of recent readings was forgotten)",
                       exc.headers) from None
    return deleted, forgotten.to_dict()


@routes.delete("/v1/sites/{site}")
async def forget_site(request: web.Request) -> web.Response:
    """What `smallprint forget SITE` does: every document and version of the site is deleted, and the daemon forgets
    what it holds in memory. Forgetting a site that is not remembered is not an error (the outcome the caller wants
    already holds)."""
    site = _site_param(request)
    deleted, forgotten = await _forget(request, lambda service: service.store().forget(site))
    log.info("forgot a site through the API: %d version(s) deleted", deleted)  # the log never names the site
    return web.json_response({"site": site, "deleted_versions": deleted, **forgotten})


@routes.delete("/v1/sites")
async def forget_every_site(request: web.Request) -> web.Response:
    """What `smallprint forget --all` does: every site's documents and versions are deleted, and the daemon forgets
    what it holds in memory. An empty store is not an error either."""
    (deleted, aside), forgotten = await _forget(request, HistoryService.forget_everything)
    log.info("forgot every site through the API: %d version(s) of %d site(s) deleted", deleted.versions,
             deleted.sites)
    # A damaged store set aside: what it held cannot be counted (0 sites and versions), and the reader is told where
    # the file went.
    damaged = {"damaged_store": aside.to_dict()} if aside is not None else {}
    return web.json_response({"deleted_sites": deleted.sites, "deleted_versions": deleted.versions, **forgotten,
                              **damaged})


# --- wiring ----------------------------------------------------------------------------------------------

def _service_context(app: web.Application) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        yield
        await asyncio.get_running_loop().run_in_executor(None, app[HISTORY].close)
    return context


def setup(app: web.Application) -> None:
    """Called by create_app: routes, OpenAPI entries, the recorder hook and the store's lifecycle."""
    settings = app[CONFIG].history
    app[HISTORY] = HistoryService(enabled=settings.enabled, retention_versions=settings.retention_versions,
                                  limits=StoreLimits(settings.max_site_versions, settings.max_site_bytes,
                                                     settings.max_store_bytes))
    app[ANALYSIS_RECORDER] = record_analysis
    app.router.add_routes(routes)
    app.cleanup_ctx.append(_service_context(app))
    register_openapi(app, paths=PATHS, schemas=SCHEMAS, extra_properties={"Analysis": ANALYSIS_PROPERTIES})


__all__ = ["setup", "record_analysis", "HistoryService", "HISTORY"]
