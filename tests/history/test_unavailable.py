"""A full disk or a read-only store: the analysis still arrives, with a note that history is unavailable.

The store lives on a real tiny tmpfs when this process may mount one (root, as in CI containers); a
read-only store is then a read-only remount. Without mount rights a read-only directory (chmod) stands in;
a full disk needs the tmpfs. Both fixtures are in conftest.py.
"""
from __future__ import annotations

from pathlib import Path
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


async def test_read_only_store_keeps_the_analysis_and_says_history_is_unavailable(api, make_store_read_only):
    # A store with one version, written earlier (the daemon opens its store on first use, i.e. after this).
    from smallprint import analyze as engine_analyze
    with Store() as store:
        first = store.record(URL, engine_analyze(text=POLICY, url=URL).to_dict()).version
    make_store_read_only()
    result = await analyze(api, POLICY + "\n\nWe may use your content to train our artificial intelligence models.")
    assert result["highlights"] and result["kind"] == "privacy_policy"
    assert result["history"]["available"] is False
    assert "read" in result["history"]["reason"].lower()
    # What is remembered can still be read (the store is opened read-only for that); forgetting says why it cannot.
    listing = await api.get("/v1/sites", headers=AUTH)
    assert listing.status == 200 and [s["site"] for s in (await listing.json())["sites"]] == ["example.org"]
    versions = await api.get("/v1/sites/example.org/versions", headers=AUTH)
    assert versions.status == 200 and [v["id"] for v in (await versions.json())["versions"]] == [first.id]
    refused = await api.delete("/v1/sites/example.org", headers=AUTH)
    body = await refused.json()
    assert refused.status == 503 and body["error"]["code"] == "history_unavailable"
    assert "smallprint.sqlite3" in body["error"]["message"] and "read-only" in body["error"]["message"]


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
