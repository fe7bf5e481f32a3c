"""The resilience review's findings about the policy memory, through a real app on a loopback socket: a locked store
never holds an analysis up, a lone surrogate does not stop a page being remembered, a damaged version does not stop
a document's history, and a site forgotten while its page was being read is not stored again."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from smallprint import paths
from smallprint.cli import main
from smallprint.history import api as history_api
from smallprint.history.api import HISTORY
from smallprint.history.store import Store
from tests.conftest import hold_calls

from .test_api import POLICY, POLICY_WITH_AI, analyze, api, get  # noqa: F401 (api is a fixture)

URL = "https://www.resilient.example/privacy"


@pytest.mark.asyncio
async def test_a_store_another_program_holds_never_holds_the_analysis_up(api, monkeypatch):
    """Finding 1: with the store locked, four analyses sent together were answered at 12, 22, 32 and 42 s, each
    waiting for the one before it to time out recording; the bridge gives up at 120 s, the analysis with it."""
    monkeypatch.setattr(history_api, "RECORD_WAIT_SECONDS", 0.3)
    await analyze(api, POLICY, url=URL)  # the store exists
    holder = sqlite3.connect(paths.store_file(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        replies = await asyncio.gather(*(analyze(api, POLICY_WITH_AI + f"\n\nClause {n}.", url=f"{URL}/{n}")
                                         for n in range(3)))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for reply in replies:
        assert reply["highlights"] and reply["history"]["recorded"] is False
        assert "busy" in reply["history"]["reason"]
    # the recordings went on, and land once the store is free
    service = api.server.app[HISTORY]
    await service.run(lambda: None)
    # (filed as the moved /privacy document: their text is its revision; each seen at its own address)
    seen_at = {v["url"] for v in (await get(api, "/v1/sites/resilient.example/versions"))["versions"]}
    assert seen_at >= {f"{URL}/{n}" for n in range(3)}


@pytest.mark.asyncio
async def test_a_lone_surrogate_does_not_stop_a_page_being_remembered(api):
    """Finding 2: PROTOCOL.md accepts a lone surrogate anywhere a string is; SQLite refused the text, and the page
    was never remembered ("surrogates not allowed")."""
    blocks = [{"id": "b0", "text": "Privacy Policy", "tag": "h1"},
              {"id": "b1", "text": "Caf\ud83d menu. We may sell your personal information to data brokers."}]
    response = await api.post("/v1/analyze", json={"blocks": blocks, "url": URL, "title": "T\udc00", "remember": True},
                              headers=history_api_auth())
    assert response.status == 200
    reply = await response.json()
    assert reply["history"]["recorded"] is True, reply["history"]
    [version] = (await get(api, "/v1/sites/resilient.example/versions"))["versions"]
    assert version["title"] == "T\ufffd"


def history_api_auth() -> dict:
    from .test_api import AUTH
    return AUTH


def _damage_latest(site: str) -> None:
    db = sqlite3.connect(paths.store_file(), isolation_level=None)
    (version_id,) = db.execute("SELECT v.id FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.site = ? "
                               "ORDER BY v.id DESC LIMIT 1", (site,)).fetchone()
    # a bad sector: the blobs keep their zlib header, and garbage follows
    db.execute("UPDATE versions SET analysis = CAST(substr(analysis, 1, 8) || randomblob(40) AS BLOB), "
               "diff_view = CAST(substr(diff_view, 1, 8) || randomblob(40) AS BLOB) WHERE id = ?", (version_id,))
    db.close()


@pytest.mark.asyncio
async def test_a_damaged_version_costs_its_diff_never_the_documents_history(api, capsys):
    """Finding 3: one damaged compressed analysis gave 500 on the diff routes, an 'unexpected error' in the CLI,
    and 'recording failed (a bug in smallprint)' on every later visit: the page's history stopped for good."""
    await analyze(api, POLICY, url=URL)
    await analyze(api, POLICY_WITH_AI, url=URL)
    _damage_latest("resilient.example")
    body = await get(api, "/v1/sites/resilient.example/diff", status=503)
    assert body["error"]["code"] == "history_unavailable" and "damaged" in str(body["error"]), body
    later = await analyze(api, POLICY + "\n\nWe keep your data for ten years.", url=URL)
    assert later["history"]["recorded"] is True and later["history"]["new_version"] is True
    again = await analyze(api, POLICY, url=URL)  # and the page's history goes on with diffs from there
    assert again["history"]["recorded"] is True and "changes_since_last_visit" in again
    assert main(["history", "resilient.example"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "unexpected error" not in err


@pytest.mark.asyncio
async def test_a_site_forgotten_while_its_page_is_read_is_not_stored_again(api, monkeypatch):
    """Finding 9: a forget that arrived while the site's analysis ran was undone when the analysis was recorded."""
    from smallprint.engine import reader

    forgotten = hold_calls(monkeypatch, reader, "probabilities")  # the reading waits until the forget is answered
    reading = asyncio.ensure_future(analyze(api, POLICY_WITH_AI + "\n\n" + POLICY, url=URL))
    await asyncio.sleep(0.05)  # the request has arrived (its handler notes when)
    assert not reading.done()
    response = await api.delete("/v1/sites/resilient.example", headers=history_api_auth())
    assert response.status == 200
    forgotten.set()
    reply = await reading
    assert reply["history"]["recorded"] is False and "forgotten" in reply["history"]["reason"]
    assert (await get(api, "/v1/sites"))["sites"] == []
    # a visit after the forget is remembered as usual
    assert (await analyze(api, POLICY, url=URL))["history"]["recorded"] is True


def test_a_forget_from_the_command_line_is_not_undone_by_a_reading_in_flight(smallprint_home):
    """Review: the guard held for the API's forget only; `smallprint forget` (the usual way) writes the store
    directly, and the reading that was in flight stored the site again."""
    from smallprint import analyze as engine_analyze
    from smallprint.history.store import ForgottenMeanwhile, utc_now

    analysis = engine_analyze(text=POLICY, url=URL).to_dict()
    with Store() as store:
        store.record(URL, analysis)
    arrived = utc_now()  # a reading begins ...
    assert main(["forget", "resilient.example"]) == 0  # ... the reader forgets the site meanwhile
    with Store() as store:
        with pytest.raises(ForgottenMeanwhile):
            store.record(URL, analysis, arrived=arrived)
        assert store.sites() == []
        store.record(URL, analysis, arrived=utc_now())  # a reading that began after the forget is stored
        assert [s.site for s in store.sites()] == ["resilient.example"]
    assert main(["forget", "--all"]) == 0
    with Store() as store, pytest.raises(ForgottenMeanwhile):
        store.record(URL, analysis, arrived=arrived)
