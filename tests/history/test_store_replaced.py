"""The store's file removed by hand or replaced by a restored backup while the daemon runs: the daemon reopens what is
at the path now. Through a real app on a loopback socket and the real Store."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from smallprint import paths
from smallprint.history.store import Store

from .test_api import POLICY, POLICY_WITH_AI, analyze, api, get  # noqa: F401 (api is a fixture)

URL = "https://www.replaced.example/privacy"
OTHER = "https://www.other.example/privacy"


def store_files() -> list[Path]:
    store = paths.store_file()
    return [store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")]


def remove_store_by_hand() -> None:
    for path in store_files():
        path.unlink(missing_ok=True)


def sites_in_the_file() -> list[str]:
    """What another program opening the file at the path finds in it (what the daemon's next start would read)."""
    with Store() as store:
        return [s.site for s in store.sites()]


@pytest.mark.asyncio
async def test_a_store_removed_while_the_daemon_runs_is_started_afresh(api):
    """Review: after `rm smallprint.sqlite3*` the daemon kept its connection to the unlinked file: it still listed the
    deleted sites, compared the next visit with the deleted version, and all it recorded was gone at its restart."""
    first = await analyze(api, POLICY, url=URL)
    assert first["history"]["recorded"] is True
    remove_store_by_hand()

    assert (await get(api, "/v1/sites"))["sites"] == []
    again = await analyze(api, POLICY_WITH_AI, url=URL)
    assert again["history"]["recorded"] is True and again["history"]["new_version"] is True
    assert "changes_since_last_visit" not in again  # nothing is compared with the version that was deleted
    assert paths.store_file().is_file()
    assert sites_in_the_file() == ["replaced.example"]  # recorded in the file at the path, kept at the next start


@pytest.mark.asyncio
async def test_a_backup_restored_over_the_store_is_what_the_daemon_reads(api, tmp_path):
    """A backup put over the store (moved into place: a new file at the path) while the daemon runs: the daemon reads
    the backup, not the file it had open, and records into it."""
    await analyze(api, POLICY, url=URL)
    backup = tmp_path / "backup.sqlite3"
    live, copy = sqlite3.connect(paths.store_file()), sqlite3.connect(backup)
    live.backup(copy)  # the backup holds replaced.example only
    live.close()
    copy.close()
    await analyze(api, POLICY, url=OTHER)
    assert {s["site"] for s in (await get(api, "/v1/sites"))["sites"]} == {"replaced.example", "other.example"}

    os.replace(backup, paths.store_file())  # only the file itself, as a restore puts it back
    assert [s["site"] for s in (await get(api, "/v1/sites"))["sites"]] == ["replaced.example"]
    later = await analyze(api, POLICY_WITH_AI, url=URL)  # compared with the backup's version
    assert later["changes_since_last_visit"]["added"]
    assert sorted(sites_in_the_file()) == ["replaced.example"]


def test_the_store_says_whether_its_file_is_still_the_one_it_opened(smallprint_home):
    with Store() as store:
        assert store.is_still_the_file()
        remove_store_by_hand()
        assert not store.is_still_the_file()
