"""A damaged store file (SQLite finds it malformed, or no database at all): nothing more is read from it or written to
it, the message names the file and the way out, and forgetting everything, through the API or the CLI, sets it aside
and starts a fresh store. Through a real app on a loopback socket, the real Store and the real CLI."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import jsonschema
import pytest

from smallprint import paths
from smallprint.cli import main
from smallprint.history.api import HISTORY
from smallprint.history.store import Store, StoreDamaged
from tests.conftest import require
from tests.daemon.test_openapi import response_schema, validator_for

from .test_api import AUTH, POLICY, analyze, api, get  # noqa: F401 (api is a fixture)
from .test_store_replaced import OTHER, URL, remove_store_by_hand, sites_in_the_file, store_files

def _fill_and_damage() -> bytes:
    """A store of three sites, six versions, one of whose leaf pages of versions is then overwritten (a bad sector);
    the damaged file's bytes."""
    from smallprint import analyze as engine_analyze

    base = engine_analyze(text=POLICY, url=URL).to_dict()
    base.pop("content_hash", None)  # each version its own text, read as such
    with Store() as store:
        for n in range(6):
            blocks = [*base["blocks"], {"id": f"probe{n}", "text": f"Damage probe {n}: we keep logs {n} days.",
                                        "tag": "p"}]
            store.record(f"https://site{n % 3}.example/privacy", {**base, "blocks": blocks})
    store_file = paths.store_file()
    db = sqlite3.connect(store_file)
    try:
        # the leaf holding the most versions (the first pages of each version's row; the rest overflow)
        pages = [row[0] for row in db.execute("SELECT pageno FROM dbstat WHERE name = 'versions' "
                                              "AND pagetype = 'leaf' ORDER BY ncell DESC, pageno")]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.OperationalError:  # an SQLite built without the dbstat table
        pages = []
    finally:
        db.close()
    require(bool(pages), "needs SQLite's dbstat table to find a page of the versions table")
    with open(store_file, "r+b") as f:
        f.seek((pages[0] - 1) * page_size + 8)
        f.write(b"\xff" * 64)
    return store_file.read_bytes()


def _forget_sites_until_one_fails(forget) -> StoreDamaged:
    """Forget the damaged store's sites in turn, until forgetting one raises StoreDamaged (no other error is right)."""
    for n in range(3):
        try:
            forget(f"site{n}.example")
        except StoreDamaged as damage:
            return damage
    raise AssertionError("the damaged page held none of the sites' versions")


def _not_a_database() -> None:
    paths.store_file().parent.mkdir(parents=True, exist_ok=True)
    paths.store_file().write_bytes(b"this is no SQLite database at all\n" * 200)


def _store_bytes() -> tuple[bytes | None, ...]:
    """The store's file and its -wal as they are on disk (None: no such file)."""
    return tuple(path.read_bytes() if path.exists() else None for path in store_files()[:2])


def _set_aside() -> list[Path]:
    """The damaged stores set aside (their -wal and -shm, when moved with them, not counted)."""
    store = paths.store_file()
    return sorted(path for path in store.parent.glob(store.name + ".damaged-*")
                  if not path.name.endswith(("-wal", "-shm")))


def test_a_damaged_store_says_so_naming_the_file_and_the_way_out(smallprint_home):
    """Review: SQLite's own words ("database disk image is malformed") were all the reader got, with no way out."""
    _fill_and_damage()
    with Store() as store, pytest.raises(StoreDamaged) as damaged:
        store.sites()
    message = str(damaged.value)
    assert str(paths.store_file()) in message and "damaged" in message and "forget --all" in message
    # Forgetting a site whose versions lie on the damaged page fails, in SQLite's words, on a foreign key or a malformed
    # page: either is the same damage. (Where a site's rows lie depends on their sizes: each site is tried.)
    with Store() as store:
        assert _forget_sites_until_one_fails(store.forget)
    _not_a_database()
    with pytest.raises(StoreDamaged) as damaged:
        Store()
    assert str(paths.store_file()) in str(damaged.value)
    with pytest.raises(StoreDamaged):
        Store(read_only=True)


@pytest.mark.asyncio
async def test_a_damaged_store_is_never_written_and_forgetting_everything_starts_afresh(api):
    """Review: with one damaged page, reads gave SQLite's raw message, forgetting a site failed ("FOREIGN KEY constraint
    failed"), forgetting everything failed ("malformed"), and new sites were still recorded into the damaged file."""
    _fill_and_damage()
    # forgetting one site first: the damage is named, and the way out
    for n in range(3):
        response = await api.delete(f"/v1/sites/site{n}.example", headers=AUTH)
        body = await response.json()
        if response.status != 200:
            break
    assert response.status == 503 and body["error"]["code"] == "history_unavailable", body
    assert "is damaged" in body["error"]["message"] and "forget --all" in body["error"]["message"]
    damaged = _store_bytes()
    body = await get(api, "/v1/sites", status=503)
    assert "damaged" in body["error"]["message"] and str(paths.store_file()) in body["error"]["message"]
    new_site = await analyze(api, POLICY, url=OTHER)
    assert new_site["history"]["available"] is False and new_site["history"]["recorded"] is False
    assert "damaged" in new_site["history"]["reason"] and "forget --all" in new_site["history"]["reason"]
    assert _store_bytes() == damaged  # nothing written into the damaged file, nor its journal

    response = await api.delete("/v1/sites", headers=AUTH)
    body = await response.json()
    assert response.status == 200, body
    [aside] = _set_aside()
    assert body["deleted_sites"] == body["deleted_versions"] == 0 and body["memory_forgotten"] is True
    assert body["damaged_store"]["path"] == str(paths.store_file())
    assert body["damaged_store"]["moved_to"] == str(aside) and "moved aside" in body["damaged_store"]["message"]
    assert aside.read_bytes() == damaged[0]  # moved whole: what was read may still be recovered from it
    document = await get(api, "/v1/openapi.json")
    validator_for(document, response_schema(document, "/v1/sites", "DELETE", 200)).validate(body)
    with pytest.raises(jsonschema.ValidationError):  # the schema knows the object's fields
        validator_for(document, response_schema(document, "/v1/sites", "DELETE", 200)).validate(
            {**body, "damaged_store": {**body["damaged_store"], "moved_to": 3}})
    assert (await get(api, "/v1/sites"))["sites"] == []
    assert (await analyze(api, POLICY, url=OTHER))["history"]["recorded"] is True
    assert sites_in_the_file() == ["other.example"]


@pytest.mark.asyncio
async def test_forget_all_from_the_command_line_sets_a_damaged_store_aside(api, capsys):
    """Review: `smallprint forget --all` failed on a damaged store ("malformed"), and a daemon holding it kept using
    it. Now the file goes aside, a fresh store is started, and the daemon opens the fresh one."""
    _fill_and_damage()
    assert (await get(api, "/v1/sites", status=503))["error"]["code"] == "history_unavailable"  # the daemon knows
    capsys.readouterr()
    assert main(["forget", "--all"]) == 0
    out = capsys.readouterr().out
    [aside] = _set_aside()
    assert "damaged" in out and str(aside) in out and "fresh store" in out
    assert sites_in_the_file() == []
    assert (await get(api, "/v1/sites"))["sites"] == []  # the daemon left the damaged file with it
    assert (await analyze(api, POLICY, url=OTHER))["history"]["recorded"] is True
    assert sites_in_the_file() == ["other.example"]


def test_forget_all_from_the_command_line_replaces_a_file_that_is_no_database(smallprint_home, capsys):
    _not_a_database()
    assert main(["forget", "--all"]) == 0
    [aside] = _set_aside()
    assert aside.read_bytes().startswith(b"this is no SQLite database")
    assert "moved aside to" in capsys.readouterr().out
    assert sites_in_the_file() == []


@pytest.mark.asyncio
async def test_a_damaged_store_removed_by_hand_is_started_afresh(api):
    """Review: deleting the damaged file by hand did not help until the daemon was restarted."""
    _fill_and_damage()
    await get(api, "/v1/sites", status=503)
    remove_store_by_hand()
    assert (await get(api, "/v1/sites"))["sites"] == []
    assert (await analyze(api, POLICY, url=OTHER))["history"]["recorded"] is True
    assert api.server.app[HISTORY].store().is_still_the_file()


def test_the_popup_says_where_a_damaged_store_went():
    """The extension's forgetOutcome said "Nothing was remembered." after forgetting everything set a damaged store
    aside (its counts are 0: the damaged file cannot be counted)."""
    from .test_change_reports import common_js

    moved = {"all": True, "deleted_sites": 0, "deleted_versions": 0,
             "damaged_store": {"path": "/h/smallprint.sqlite3", "moved_to": "/h/smallprint.sqlite3.damaged-x",
                               "message": "damaged"}}
    said = common_js("SP.forgetOutcome(JSON.parse(input))", stdin=__import__("json").dumps(moved))
    assert "damaged" in said and "/h/smallprint.sqlite3.damaged-x" in said and "Nothing was remembered" not in said
    deleted = {**moved, "damaged_store": {**moved["damaged_store"], "moved_to": None}}
    said = common_js("SP.forgetOutcome(JSON.parse(input))", stdin=__import__("json").dumps(deleted))
    assert "deleted and a fresh one started" in said


def test_a_sound_backup_copied_over_a_damaged_store_is_opened(smallprint_home):
    """`cp backup.sqlite3 smallprint.sqlite3` keeps the inode: the damaged file was known by (device, inode) alone,
    so the daemon went on refusing the restored store as damaged until it restarted."""
    import shutil

    from smallprint.history.api import HistoryService

    store_file = paths.store_file()
    with Store():
        pass
    backup = store_file.with_name("backup.sqlite3")
    source, copy = sqlite3.connect(store_file), sqlite3.connect(backup)
    source.backup(copy)
    source.close(), copy.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{store_file}{suffix}").unlink(missing_ok=True)
    store_file.write_bytes(b"this is no SQLite database at all\n" * 200)
    service = HistoryService()
    try:
        with pytest.raises(StoreDamaged):
            service._guarded(lambda: service.store().sites())
        with pytest.raises(StoreDamaged):  # still refused while it lies there
            service._guarded(lambda: service.store().sites())
        shutil.copyfile(backup, store_file)  # in place: the same inode
        assert service._guarded(lambda: service.store().sites()) == []
    finally:
        service.close()
