"""A full disk or a read-only store: the analysis still arrives, with a note that history is unavailable.

The store lives on a real tiny tmpfs when this process may mount one (root, as in CI containers); a
read-only store is then a read-only remount. Without mount rights a read-only directory (chmod) stands in;
a full disk needs the tmpfs.
"""
from __future__ import annotations

import os
from pathlib import Path
import shutil
import subprocess
import uuid

import pytest
import pytest_asyncio

import smallprint
from smallprint.config import Config
from smallprint.daemon.app import create_app
from smallprint.history.store import Store
from tests.conftest import require

pytestmark = pytest.mark.asyncio

TOKEN = "history-unavailable-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "https://www.example.org/privacy"
# The project's bundled example policy (written for smallprint), so the page is a policy by any reading.
POLICY = (Path(smallprint.__file__).parent / "examples" / "example-privacy-policy.md").read_text(encoding="utf-8")


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def data_mount(smallprint_home):
    """SMALLPRINT_HOME/data as its own 2 MiB tmpfs, or None when mounting is not allowed here."""
    data = smallprint_home / "data"
    data.mkdir(parents=True)
    if os.geteuid() != 0 or shutil.which("mount") is None or not _mount("-t", "tmpfs", "-o", "size=2m,mode=0700",
                                                                        "tmpfs", str(data)):
        yield None
        return
    try:
        yield data
    finally:
        subprocess.run(["umount", "-l", str(data)], capture_output=True)


@pytest_asyncio.fixture
async def api(aiohttp_client, data_mount):
    app = create_app(Config().replace(worker_mode="thread"), token=TOKEN, optional_modules=("smallprint.history.api",))
    return await aiohttp_client(app)


async def analyze(api, text: str) -> dict:
    response = await api.post("/v1/analyze", json={"text": text, "url": URL}, headers=AUTH)
    assert response.status == 200, await response.text()
    return await response.json()


def _fill(folder) -> None:
    """Write until the file system says it is full."""
    handle = open(folder / f"filler-{uuid.uuid4().hex}", "wb", buffering=0)
    try:
        while True:
            handle.write(b"\0" * 4096)
    except OSError:
        pass
    finally:
        try:
            handle.close()
        except OSError:
            pass


async def test_full_disk_keeps_the_analysis_and_says_history_is_unavailable(api, data_mount):
    require(data_mount is not None, "needs a tiny tmpfs (mount rights) to fill a disk for real")
    first = await analyze(api, POLICY)
    assert first["history"]["recorded"] is True
    _fill(data_mount)

    bigger = POLICY + "".join(f"\n\nWe may share clause {n} of our data practices with partners." for n in range(60))
    result = await analyze(api, bigger)
    assert result["highlights"] and result["kind"] == "privacy_policy"
    assert result["history"]["available"] is False and result["history"]["recorded"] is False
    assert "full" in result["history"]["reason"]
    assert "changes_since_last_visit" not in result

    for filler in data_mount.glob("filler-*"):  # space comes back: history works again, nothing was lost
        filler.unlink()
    again = await analyze(api, bigger)
    assert again["history"]["recorded"] is True and again["changes_since_last_visit"]["previous_version"] == \
        first["history"]["version"]
    sites = await api.get("/v1/sites", headers=AUTH)
    assert (await sites.json())["sites"][0]["versions"] == 2


async def test_read_only_store_keeps_the_analysis_and_says_history_is_unavailable(api, data_mount, smallprint_home):
    # A store with one version, written earlier (the daemon opens its store on first use, i.e. after this).
    from smallprint import analyze as engine_analyze
    with Store() as store:
        store.record(URL, engine_analyze(text=POLICY, url=URL).to_dict())
    if data_mount is not None:
        assert _mount("-o", "remount,ro", str(data_mount))
    else:
        require(os.geteuid() != 0, "root ignores file modes and cannot mount here: no way to make the store read-only")
        for path in (smallprint_home / "data").iterdir():
            path.chmod(0o400)
        (smallprint_home / "data").chmod(0o500)
    try:
        result = await analyze(api, POLICY + "\n\nWe may use your content to train our artificial intelligence models.")
        assert result["highlights"] and result["kind"] == "privacy_policy"
        assert result["history"]["available"] is False
        assert "read" in result["history"]["reason"].lower()
        listing = await api.get("/v1/sites", headers=AUTH)
        body = await listing.json()
        # Reading may still work from a read-only store; if it cannot, the error is the documented one.
        assert listing.status == 200 or (listing.status == 503 and body["error"]["code"] == "history_unavailable")
    finally:
        if data_mount is not None:
            _mount("-o", "remount,rw", str(data_mount))
        else:
            (smallprint_home / "data").chmod(0o700)


async def test_an_unopenable_store_location_keeps_the_analysis(aiohttp_client, smallprint_home):
    # The data folder's place is taken by a file: the store cannot even be created.
    smallprint_home.mkdir(parents=True, exist_ok=True)
    (smallprint_home / "data").write_text("not a folder")
    app = create_app(Config().replace(worker_mode="thread"), token=TOKEN, optional_modules=("smallprint.history.api",))
    client = await aiohttp_client(app)
    result = await analyze(client, POLICY)
    assert result["highlights"]
    assert result["history"]["available"] is False and "cannot open the history store" in result["history"]["reason"]
    listing = await client.get("/v1/sites", headers=AUTH)
    assert listing.status == 503 and (await listing.json())["error"]["code"] == "history_unavailable"
