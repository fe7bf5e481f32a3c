"""The history routes and the analysis recorder, through a real app on a loopback socket."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import pytest_asyncio

import smallprint
from smallprint.config import Config, HistoryConfig
from smallprint.daemon.app import create_app
from smallprint.daemon.state import RUNNER
from smallprint.history.api import HISTORY
from tests.daemon.test_openapi import response_schema, validator_for

pytestmark = pytest.mark.asyncio

TOKEN = "history-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "https://www.example.co.uk/privacy"
# The project's bundled example policy (written for smallprint), so the page is a policy by any reading.
POLICY = (Path(smallprint.__file__).parent / "examples" / "example-privacy-policy.md").read_text(encoding="utf-8")
# Re-wrapped (line breaks inside paragraphs gone), some emphasis added, numbering dropped from the headings.
POLICY_RESTYLED = re.sub(r"(?<!\n)\n(?!\n|#)", " ", POLICY).replace("We collect the content", "We **collect** the content")
POLICY_RESTYLED = re.sub(r"^## \d+\. ", "## ", POLICY_RESTYLED, flags=re.M)
AI_CLAUSE = ("We may also use the photos you upload and publicly available information to help train our facial "
             "recognition and generative artificial intelligence models.")
POLICY_WITH_AI = POLICY + "\n\n" + AI_CLAUSE
NOT_A_POLICY = "Our team went hiking last weekend. The weather was lovely and everyone enjoyed the view."


@pytest_asyncio.fixture
async def api(aiohttp_client, smallprint_home):
    app = create_app(Config().replace(worker_mode="thread"), token=TOKEN, optional_modules=("smallprint.history.api",))
    return await aiohttp_client(app)


async def analyze(api, text: str, url: str | None = URL, **extra) -> dict:
    response = await api.post("/v1/analyze", json={"text": text, "url": url, **extra}, headers=AUTH)
    assert response.status == 200, await response.text()
    return await response.json()


async def get(api, path: str, status: int = 200, headers=AUTH) -> dict:
    response = await api.get(path, headers=headers)
    body = await response.json()
    assert response.status == status, body
    return body


async def openapi(api) -> dict:
    return await get(api, "/v1/openapi.json")


async def test_a_policy_is_remembered_and_a_change_is_reported_on_the_next_visit(api):
    first = await analyze(api, POLICY)
    assert first["kind"] == "privacy_policy"
    assert first["history"] == {**first["history"], "available": True, "recorded": True, "site": "example.co.uk",
                                "path": "/privacy", "new_version": True}
    assert "changes_since_last_visit" not in first

    restyled = await analyze(api, POLICY_RESTYLED)
    assert restyled["history"]["new_version"] is False
    assert restyled["history"]["version"] == first["history"]["version"]
    assert "changes_since_last_visit" not in restyled

    changed = await analyze(api, POLICY_WITH_AI, url="https://example.co.uk/privacy/")
    changes = changed["changes_since_last_visit"]
    assert changes["previous_version"] == first["history"]["version"]
    versions = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert changes["previous_date"] == versions[0]["last_seen"]
    assert [(c["text"], c["practice"], c["polarity"]) for c in changes["added"]] == [
        (AI_CLAUSE, "ai_training", "concern")]
    assert changes["removed"] == [] and changes["changed"] == []
    assert changes["summary"].startswith("New since ")
    assert "AI training (concern)" in changes["summary"] or "train AI" in changes["summary"]
    # The extension marks the new clause where it is: block and offsets into the analysis it received.
    added = changes["added"][0]
    block = next(b for b in changed["blocks"] if b["id"] == added["block"])
    assert block["text"][added["start"]:added["end"]] == AI_CLAUSE
    # What was stored is the worker's JSON of the analysis: the response without the keys the recorder added.
    stored = api.app[HISTORY].store().analysis(changed["history"]["version"])
    assert stored == {k: v for k, v in changed.items() if k not in ("history", "changes_since_last_visit")}

    document = await openapi(api)
    validator_for(document, {"$ref": "#/components/schemas/ChangesSinceLastVisit"}).validate(changes)
    validator_for(document, {"$ref": "#/components/schemas/HistoryNote"}).validate(changed["history"])


async def test_every_key_the_memory_adds_to_an_analysis_is_in_the_served_document(api):
    """The OpenAPI document is the machine-readable contract: the keys the policy memory adds to /v1/analyze's
    answer (history, changes_since_last_visit and, for a policy at a new address, previous_path/previous_url) are
    properties of its schemas, not extras a client meets undocumented."""
    await analyze(api, POLICY, url="https://www.example.co.uk/legal/privacy-2025")
    moved = await analyze(api, POLICY_WITH_AI, url="https://www.example.co.uk/legal/privacy-2026")
    changes = moved["changes_since_last_visit"]
    assert changes["previous_path"] == "/legal/privacy-2025"
    schemas = (await openapi(api))["components"]["schemas"]
    assert set(moved) <= set(schemas["Analysis"]["properties"])
    assert set(changes) <= set(schemas["ChangesSinceLastVisit"]["properties"])
    assert set(moved["history"]) <= set(schemas["HistoryNote"]["properties"])
    document = await openapi(api)
    validator_for(document, response_schema(document, "/v1/analyze", "POST", 200)).validate(moved)
    analysis = document["components"]["schemas"]["Analysis"]
    validator_for(document, analysis["properties"]["changes_since_last_visit"]).validate(changes)
    with pytest.raises(Exception):  # the documented property has teeth
        validator_for(document, analysis["properties"]["history"]).validate({"recorded": "yes"})


async def test_ordinary_pages_are_not_remembered_unless_asked(api):
    page = await analyze(api, NOT_A_POLICY, url="https://blog.example.org/hike")
    assert page["kind"] != "privacy_policy"
    assert "history" not in page
    assert (await get(api, "/v1/sites"))["sites"] == []

    asked = await analyze(api, NOT_A_POLICY, url="https://blog.example.org/hike", remember=True)
    assert asked["history"]["recorded"] is True
    assert [s["site"] for s in (await get(api, "/v1/sites"))["sites"]] == ["example.org"]


async def test_without_a_url_nothing_is_remembered(api):
    result = await analyze(api, POLICY, url=None)
    assert "history" not in result
    assert (await get(api, "/v1/sites"))["sites"] == []


async def test_a_url_without_a_host_is_explained_not_failed(api):
    result = await analyze(api, POLICY, url="about:blank")
    assert result["history"]["recorded"] is False and result["highlights"]


@pytest.mark.parametrize("url", ["not a url", "privacy", "https://a b.example/x", "example.com/privacy", "https://"])
async def test_a_url_whose_host_no_site_route_accepts_is_not_recorded(api, url):
    """Filed under "not a url" or "a b.example", a page was listed by /v1/sites but no route could read or forget it."""
    result = await analyze(api, POLICY, url=url, remember=True)
    assert result["history"] == {"available": True, "recorded": False,
                                 "reason": f"not a URL with a host name: {url!r}"}
    assert result["highlights"]
    assert (await get(api, "/v1/sites"))["sites"] == []


async def test_every_site_a_page_is_filed_under_can_be_read_and_forgotten_by_its_routes(api):
    urls = ["http://localhost:8080/privacy", "http://[::1]:8080/privacy", "https://my_host.example.org/p",
            "https://bücher.de/datenschutz", "https://127.0.0.1/privacy", "HTTPS://WWW.Example.NET./Privacy"]
    for url in urls:
        assert (await analyze(api, POLICY, url=url))["history"]["recorded"] is True
    sites = [s["site"] for s in (await get(api, "/v1/sites"))["sites"]]
    assert len(sites) == len(urls)
    for site in sites:
        assert (await get(api, f"/v1/sites/{quote(site, safe='')}/versions"))["versions"]
        response = await api.delete(f"/v1/sites/{quote(site, safe='')}", headers=AUTH)
        assert response.status == 200, await response.text()
    assert (await get(api, "/v1/sites"))["sites"] == []


async def test_sites_versions_and_diff_routes(api):
    await analyze(api, POLICY)
    await analyze(api, POLICY_WITH_AI)
    document = await openapi(api)

    sites = await get(api, "/v1/sites")
    assert [(s["site"], s["versions"]) for s in sites["sites"]] == [("example.co.uk", 2)]
    validator_for(document, response_schema(document, "/v1/sites", "GET", 200)).validate(sites)

    versions = await get(api, "/v1/sites/www.example.co.uk/versions?changes=true")
    assert versions["site"] == "example.co.uk"
    first, second = versions["versions"]
    assert first["changes"] is None and "AI training (concern)" in second["changes"]["summary"]
    validator_for(document, response_schema(document, "/v1/sites/{site}/versions", "GET", 200)).validate(versions)

    default = await get(api, "/v1/sites/example.co.uk/diff")
    explicit = await get(api, f"/v1/sites/example.co.uk/diff?from={first['id']}&to={second['id']}")
    assert default == explicit
    assert (default["from"]["id"], default["to"]["id"]) == (first["id"], second["id"])
    assert [(c["practice"], c["polarity"]) for c in default["added"]] == [("ai_training", "concern")]
    validator_for(document, response_schema(document, "/v1/sites/{site}/diff", "GET", 200)).validate(default)
    counts = default["counts"]
    assert set(counts) == set(document["components"]["schemas"]["ChangeCounts"]["properties"])
    assert sum(counts["old_side"].values()) == counts["statements"]["old"]
    assert sum(counts["new_side"].values()) == counts["statements"]["new"]

    backwards = await get(api, f"/v1/sites/example.co.uk/diff?from={second['id']}&to={first['id']}")
    assert [(c["practice"], c["polarity"]) for c in backwards["removed"]] == [("ai_training", "concern")]


@pytest.mark.parametrize("path, status, code", [
    ("/v1/sites/unknown.example/versions", 404, "not_found"),
    ("/v1/sites/unknown.example/diff", 404, "not_found"),
    ("/v1/sites/example.co.uk/diff?from=abc", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?to=0", 400, "invalid_request"),
    # int() reads these as 1 or 10; a version id is written in the digits 0-9 alone.
    ("/v1/sites/example.co.uk/diff?from=%2B1", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?from=%201", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?to=1%20", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?to=1_0", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?from=%D9%A1", 400, "invalid_request"),  # ١, ARABIC-INDIC DIGIT ONE
    ("/v1/sites/example.co.uk/diff?to=-1", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?to=" + "9" * 5000, 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?to=" + "9" * 19, 404, "not_found"),
    # Found by schemathesis: a boolean that is neither true nor false was read as false, not refused.
    ("/v1/sites/example.co.uk/versions?changes=null", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/versions?changes=ture", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?data_use_only=maybe", 400, "invalid_request"),
    ("/v1/sites/example.co.uk/diff?from=999", 404, "not_found"),
    # Issue 13, finding 12: the schema's {site} is any string; one that names no site is not found, not malformed.
    ("/v1/sites/%E8%A5%BB%F3%85%B9%BF%15/versions", 404, "not_found"),
    ("/v1/sites/exa%20mple.com/diff", 404, "not_found"),
    ("/v1/sites/example.co.uk/diff", 404, "not_found"),  # only one version: nothing to compare
])
async def test_errors_use_the_envelope(api, path, status, code):
    await analyze(api, POLICY)
    body = await get(api, path, status=status)
    assert body["error"]["code"] == code and body["error"]["message"]
    document = await openapi(api)
    route = re.sub(r"^/v1/sites/[^/]+", "/v1/sites/{site}", path.split("?")[0])
    validator_for(document, response_schema(document, route, "GET", status)).validate(body)


@pytest.mark.parametrize("spelling, wanted", [("true", True), ("TRUE", True), ("1", True), ("yes", True),
                                              ("false", False), ("0", False), ("no", False), ("", False)])
async def test_boolean_query_parameters_take_their_usual_spellings(api, spelling, wanted):
    await analyze(api, POLICY)
    versions = (await get(api, f"/v1/sites/example.co.uk/versions?changes={spelling}"))["versions"]
    assert all(("changes" in version) is wanted for version in versions)


async def test_a_version_of_another_site_is_not_found_here(api):
    await analyze(api, POLICY)
    other = await analyze(api, POLICY, url="https://other.example/privacy")
    body = await get(api, f"/v1/sites/example.co.uk/diff?to={other['history']['version']}", status=404)
    assert body["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/v1/sites", "/v1/sites/example.co.uk/versions", "/v1/sites/example.co.uk/diff"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
async def test_every_history_route_needs_the_token(api, path, headers):
    body = await get(api, path, status=401, headers=headers)
    assert body["error"]["code"] == "unauthorized"


async def test_web_pages_are_refused(api):
    body = await get(api, "/v1/sites", status=403, headers={**AUTH, "Origin": "https://evil.example"})
    assert body["error"]["code"] == "forbidden_origin"


async def test_history_turned_off_in_the_config(aiohttp_client, smallprint_home):
    from smallprint.config import parse_config
    config = parse_config({"worker_mode": "thread", "history": {"enabled": False}})
    client = await aiohttp_client(create_app(config, token=TOKEN, optional_modules=("smallprint.history.api",)))
    result = await analyze(client, POLICY)
    assert result["history"]["available"] is False and "turned off" in result["history"]["reason"]
    body = await get(client, "/v1/sites", status=503)
    assert body["error"]["code"] == "history_unavailable"


async def test_a_quick_reading_is_not_remembered_the_full_one_is(api):
    quick = await analyze(api, POLICY, depth="quick")
    assert quick["depth"] == "quick" and "history" not in quick
    assert (await get(api, "/v1/sites"))["sites"] == []
    full = await analyze(api, POLICY, depth="full")
    assert full["depth"] == "full" and full["history"]["recorded"] is True


async def escaped(api, text: str, url: str, field: str) -> dict:
    """An analysis whose body writes `field` (a raw JSON member) with JSON escapes, as any JSON encoder may."""
    body = '{"text": %s, "url": %s, %s}' % (json.dumps(text), json.dumps(url), field)
    response = await api.post("/v1/analyze", data=body.encode("ascii"),
                              headers={**AUTH, "Content-Type": "application/json"})
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_recorder_reads_depth_and_remember_as_the_analysis_did_json_escapes_included(api):
    """The recorder once searched the raw body for `"quick"` and `"remember"`: a depth or a key written with JSON
    escapes was read as quick (or remember) by the analysis but not by the recorder, which then stored a quick
    reading as a version, or dropped a page the reader asked to remember."""
    quick = await escaped(api, POLICY, URL, '"depth": "\\u0071uick"')
    assert quick["depth"] == "quick" and "history" not in quick
    assert (await get(api, "/v1/sites"))["sites"] == []
    asked = await escaped(api, NOT_A_POLICY, "https://blog.example.org/hike", '"\\u0072emember": true')
    assert asked["kind"] != "privacy_policy" and asked["history"]["recorded"] is True
    assert [s["site"] for s in (await get(api, "/v1/sites"))["sites"]] == ["example.org"]
    # and a body that names them only inside other text is read as what it says: full, not asked to remember
    plain = await analyze(api, NOT_A_POLICY + ' "quick" "remember"', url="https://other.example.net/a")
    assert plain["depth"] == "full" and "history" not in plain


SHARING_CLAUSE = "We may also share your precise location with advertising partners so that they can show you ads."
POLICY_WITH_AI_AND_SHARING = POLICY_WITH_AI + "\n\n" + SHARING_CLAUSE


def added_texts(reply: dict) -> list[str]:
    return [c["text"] for c in reply["changes_since_last_visit"]["added"]]


async def test_a_page_sent_again_in_one_visit_is_compared_with_the_visit_before_not_with_itself(api):
    """A late cookie banner or content change makes the extension send the page again during one visit: that must
    neither store another version nor report the visit's own differences as new since the last visit."""
    first = await analyze(api, POLICY, visit_id="visit-1")
    before = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert len(before) == 1

    changed = await analyze(api, POLICY_WITH_AI, visit_id="visit-2")
    assert added_texts(changed) == [AI_CLAUSE]
    # The same visit sends the page again, with late text: still compared with visit 1's version (and its date).
    late = await analyze(api, POLICY_WITH_AI_AND_SHARING, visit_id="visit-2")
    changes = late["changes_since_last_visit"]
    assert changes["previous_version"] == first["history"]["version"]
    assert changes["previous_date"] == before[0]["last_seen"]
    assert sorted(added_texts(late)) == sorted([AI_CLAUSE, SHARING_CLAUSE])
    # ...and the visit's latest text replaced its earlier one: two versions, not three.
    versions = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert [v["id"] for v in versions][0] == first["history"]["version"] and len(versions) == 2
    assert versions[1]["id"] == late["history"]["version"]
    assert (await api.get("/v1/sites/example.co.uk/diff", headers=AUTH)).status == 200

    # A real later visit compares with what was seen last: nothing new.
    revisit = await analyze(api, POLICY_WITH_AI_AND_SHARING, visit_id="visit-3")
    assert "changes_since_last_visit" not in revisit and revisit["history"]["new_version"] is False
    assert revisit["history"]["version"] == late["history"]["version"]


@pytest.mark.parametrize("history", [HistoryConfig(retention_versions=1), HistoryConfig(max_site_versions=1)],
                         ids=["retention_versions=1", "site at its cap"])
async def test_a_page_sent_again_in_one_visit_keeps_its_baseline_when_only_one_version_is_kept(
        aiohttp_client, smallprint_home, history):
    """With one version kept per document (or the site at its cap), the visit's first reading used to push out the
    version from before the visit; the re-send then undid the visit's reading and was compared with nothing."""
    app = create_app(Config().replace(worker_mode="thread", history=history), token=TOKEN,
                     optional_modules=("smallprint.history.api",))
    api = await aiohttp_client(app)
    first = await analyze(api, POLICY, visit_id="visit-1")
    changed = await analyze(api, POLICY_WITH_AI, visit_id="visit-2")
    assert added_texts(changed) == [AI_CLAUSE]
    late = await analyze(api, POLICY_WITH_AI_AND_SHARING, visit_id="visit-2")
    changes = late.get("changes_since_last_visit")
    assert changes is not None and changes["previous_version"] == first["history"]["version"], late["history"]
    assert sorted(added_texts(late)) == sorted([AI_CLAUSE, SHARING_CLAUSE])
    # The version before the visit is kept while the visit may still send the page again; the visit's reading and
    # it count as one version.
    versions = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert [v["id"] for v in versions] == [first["history"]["version"], late["history"]["version"]]

    # Another visit sees that text: the first visit can no longer undo it, and the next new version leaves one
    # version from before it (its baseline) besides itself; visit 1's version is gone, as the limit says.
    seen = await analyze(api, POLICY_WITH_AI_AND_SHARING, visit_id="visit-3")
    assert "changes_since_last_visit" not in seen
    newer = await analyze(api, POLICY_WITH_AI, visit_id="visit-4")
    assert newer["changes_since_last_visit"]["previous_version"] == late["history"]["version"]
    assert [c["text"] for c in newer["changes_since_last_visit"]["removed"]] == [SHARING_CLAUSE]
    versions = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert sorted(v["id"] for v in versions) == [late["history"]["version"], newer["history"]["version"]]


async def test_a_visit_that_first_saw_the_remembered_text_keeps_its_date_when_the_page_changes(api):
    await analyze(api, POLICY, visit_id="visit-1")
    [seen] = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    same = await analyze(api, POLICY, visit_id="visit-2")  # unchanged: only marked seen
    assert "changes_since_last_visit" not in same
    late = await analyze(api, POLICY_WITH_AI, visit_id="visit-2")  # then late text arrives in the same visit
    assert added_texts(late) == [AI_CLAUSE]
    # "changed since your visit on ..." names visit 1, not the first reading of this same visit
    assert late["changes_since_last_visit"]["previous_date"] == seen["last_seen"]
    # The page goes back to what it was, still in visit 2: the visit's version goes, nothing is new.
    back = await analyze(api, POLICY, visit_id="visit-2")
    assert "changes_since_last_visit" not in back and back["history"]["version"] == seen["id"]
    assert [v["id"] for v in (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]] == [seen["id"]]


async def test_the_same_page_sent_again_in_a_visit_keeps_its_version_id(api):
    """The same page sent twice in one visit (or several times at once) made a new version id each time, said so,
    and the id of the first answer was gone from the site's versions."""
    import asyncio

    await analyze(api, POLICY, visit_id="visit-1")
    first = await analyze(api, POLICY_WITH_AI, visit_id="visit-2")
    again = await asyncio.gather(*(analyze(api, POLICY_WITH_AI, visit_id="visit-2") for _ in range(4)))
    for reply in again:
        assert reply["history"]["version"] == first["history"]["version"], reply["history"]
        assert reply["history"]["new_version"] is True and added_texts(reply) == [AI_CLAUSE]
    versions = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert len(versions) == 2 and versions[-1]["id"] == first["history"]["version"]


async def test_without_a_visit_id_every_reading_is_a_visit_as_before(api):
    await analyze(api, POLICY)
    await analyze(api, POLICY_WITH_AI)
    late = await analyze(api, POLICY_WITH_AI_AND_SHARING)
    assert added_texts(late) == [SHARING_CLAUSE]
    assert len((await get(api, "/v1/sites/example.co.uk/versions"))["versions"]) == 3


async def test_a_first_visit_sent_again_stores_one_version_and_reports_nothing(api):
    await analyze(api, POLICY, visit_id="visit-1")
    late = await analyze(api, POLICY_WITH_AI, visit_id="visit-1")
    assert "changes_since_last_visit" not in late and late["history"]["new_version"] is True
    versions = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert [v["id"] for v in versions] == [late["history"]["version"]]


async def test_an_older_reading_of_a_visit_answered_after_a_newer_one_is_not_stored_over_it(api, monkeypatch):
    """A visit's page changes while its full reading is on its way (late text), and the reading of the new text is
    answered first: the older reading, answered last, used to become the visit's version, so the next visit was
    compared with a text the reader never saw last."""
    import asyncio
    import threading
    import uuid

    from smallprint.engine import reader

    # a clause no earlier test read (the reader remembers readings): its reading waits until the newer one is answered
    late_clause = f"We may share the contents of your {uuid.uuid4().hex} folder with our advertising partners."
    release, hold = threading.Event(), reader.probabilities

    def after_release(model, pairs, *args, **kwargs):
        if any(late_clause in a for a, _ in pairs):
            release.wait(30)
        return hold(model, pairs, *args, **kwargs)

    monkeypatch.setattr(reader, "probabilities", after_release)
    await analyze(api, POLICY, visit_id="visit-1")
    older = asyncio.ensure_future(analyze(api, POLICY + "\n\n" + late_clause, visit_id="visit-2"))
    await asyncio.sleep(0.2)  # asked for; its reading waits
    assert not older.done()
    newer = await analyze(api, POLICY_WITH_AI, visit_id="visit-2")
    assert added_texts(newer) == [AI_CLAUSE]
    release.set()
    stale = await older
    assert stale["history"]["recorded"] is False and "newer reading" in stale["history"]["reason"], stale["history"]
    assert "changes_since_last_visit" not in stale
    versions = (await get(api, "/v1/sites/example.co.uk/versions"))["versions"]
    assert [v["id"] for v in versions][-1] == newer["history"]["version"] and len(versions) == 2
    # the next visit to the page as it was last seen finds nothing new
    assert "changes_since_last_visit" not in await analyze(api, POLICY_WITH_AI, visit_id="visit-3")


async def test_a_late_recording_refused_as_it_should_be_is_not_logged_as_a_failure(caplog):
    """A recording the reply stopped waiting for (a busy store) that the store then refuses on purpose is no failure:
    the log said "failed" for a reading of a forgotten site, or one superseded in its visit."""
    import asyncio
    import logging

    from smallprint.history.api import _late_recording_done
    from smallprint.history.store import ForgottenMeanwhile, SupersededInVisit

    for refusal, level in ((SupersededInVisit("a newer reading"), logging.INFO),
                           (ForgottenMeanwhile("forgotten"), logging.INFO), (OSError("disk I/O error"), logging.WARNING)):
        recording = asyncio.get_running_loop().create_future()
        recording.set_exception(refusal)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="smallprint"):
            _late_recording_done(recording)
        [record] = [r for r in caplog.records if "did not wait for" in r.getMessage()]
        assert record.levelno == level and ("failed" in record.getMessage()) == (level == logging.WARNING)


async def test_forgetting_a_site_forgets_its_visits(api, smallprint_home):
    await analyze(api, POLICY, visit_id="visit-1")
    assert (await api.delete("/v1/sites/example.co.uk", headers=AUTH)).status == 200
    store = api.app[HISTORY].store()
    assert store._call("count visits", lambda: store._db.execute("SELECT count(*) FROM visits").fetchone()[0]) == 0


async def test_delete_forgets_what_the_daemon_holds_in_memory_too(api):
    """The cache is kept by content, not by site: forgetting one site forgets every page read recently, stored or
    not (an ordinary page is never stored, but it is cached)."""
    runner = api.app[RUNNER]
    await analyze(api, POLICY)
    await analyze(api, NOT_A_POLICY, url="https://other.example/blog")
    await analyze(api, POLICY)
    assert runner.stats["analyses"] == 2 and runner.stats["cache_hits"] == 1
    response = await api.delete("/v1/sites/example.co.uk", headers=AUTH)
    body = await response.json()
    assert response.status == 200 and body["memory_forgotten"] is True and body["forgotten_analyses"] == 2
    await analyze(api, NOT_A_POLICY, url="https://other.example/blog")
    assert runner.stats["analyses"] == 3  # read again: the daemon held nothing of it any more


@pytest.mark.parametrize("path", ["/v1/sites/example.co.uk", "/v1/sites"])  # one site, or every site
async def test_delete_forgets_the_memory_even_where_the_store_cannot_be_written(smallprint_home, aiohttp_client,
                                                                                path):
    app = create_app(Config().replace(worker_mode="thread", history=HistoryConfig(enabled=False)), token=TOKEN,
                     optional_modules=("smallprint.history.api",))
    api = await aiohttp_client(app)
    await analyze(api, POLICY)
    response = await api.delete(path, headers=AUTH)
    body = await response.json()
    assert response.status == 503 and body["error"]["code"] == "history_unavailable"
    assert "turned off" in body["error"]["message"] and "memory" in body["error"]["message"]
    assert app[RUNNER].stats["memory_forgets"] == 1 and not app[RUNNER]._cache
    document = await openapi(api)
    route = "/v1/sites/{site}" if path != "/v1/sites" else path
    validator_for(document, response_schema(document, route, "DELETE", 503)).validate(body)


async def test_delete_forgets_a_site_as_the_forget_command_does(api):
    await analyze(api, POLICY)
    await analyze(api, POLICY_WITH_AI)
    await analyze(api, POLICY, url="https://other.example/privacy")
    refused = await api.delete("/v1/sites/example.co.uk")  # no token
    assert refused.status == 401 and (await refused.json())["error"]["code"] == "unauthorized"
    assert len((await get(api, "/v1/sites/example.co.uk/versions"))["versions"]) == 2

    response = await api.delete("/v1/sites/www.example.co.uk", headers=AUTH)  # a host is reduced to its site
    body = await response.json()
    assert response.status == 200
    assert body == {"site": "example.co.uk", "deleted_versions": 2, "memory_forgotten": True, "forgotten_analyses": 3}
    document = await openapi(api)
    validator_for(document, response_schema(document, "/v1/sites/{site}", "DELETE", 200)).validate(body)
    await get(api, "/v1/sites/example.co.uk/versions", status=404)
    assert [s["site"] for s in (await get(api, "/v1/sites"))["sites"]] == ["other.example"]  # others untouched

    again = await api.delete("/v1/sites/example.co.uk", headers=AUTH)
    assert again.status == 200 and (await again.json())["deleted_versions"] == 0
    bad = await api.delete("/v1/sites/not a site", headers=AUTH)
    assert bad.status == 404 and (await bad.json())["error"]["code"] == "not_found"  # as GET: no site, nothing kept


async def test_delete_without_a_site_forgets_every_site_as_forget_all_does(api):
    runner = api.app[RUNNER]
    await analyze(api, POLICY)
    await analyze(api, POLICY_WITH_AI)
    await analyze(api, POLICY, url="https://other.example/privacy")
    await analyze(api, NOT_A_POLICY, url="https://other.example/blog")  # cached, never stored
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = await api.delete("/v1/sites", headers=headers)
        assert refused.status == 401 and (await refused.json())["error"]["code"] == "unauthorized"
    web_page = await api.delete("/v1/sites", headers={**AUTH, "Origin": "https://evil.example"})
    assert web_page.status == 403 and (await web_page.json())["error"]["code"] == "forbidden_origin"
    assert len((await get(api, "/v1/sites"))["sites"]) == 2 and runner.stats["memory_forgets"] == 0

    response = await api.delete("/v1/sites", headers=AUTH)
    body = await response.json()
    assert response.status == 200, body
    assert body == {"deleted_sites": 2, "deleted_versions": 3, "memory_forgotten": True, "forgotten_analyses": 4}
    document = await openapi(api)
    assert document["paths"]["/v1/sites"]["delete"]["operationId"] == "forgetEverySite"
    validator_for(document, response_schema(document, "/v1/sites", "DELETE", 200)).validate(body)
    assert (await get(api, "/v1/sites"))["sites"] == []
    await get(api, "/v1/sites/example.co.uk/versions", status=404)
    await analyze(api, NOT_A_POLICY, url="https://other.example/blog")
    assert runner.stats["analyses"] == 5  # read again: the daemon held nothing of it any more

    again = await api.delete("/v1/sites", headers=AUTH)  # nothing remembered: the outcome already holds
    assert again.status == 200
    assert await again.json() == {"deleted_sites": 0, "deleted_versions": 0, "memory_forgotten": True,
                                  "forgotten_analyses": 1}


async def test_a_reading_begun_before_everything_was_forgotten_is_not_stored_after_it(api):
    """As after `smallprint forget --all`: the store notes when everything was forgotten, so a reading that arrived
    before is not recorded (it would bring back what the reader just forgot)."""
    from smallprint.history.store import ForgottenMeanwhile, utc_now

    arrived = utc_now()
    assert (await api.delete("/v1/sites", headers=AUTH)).status == 200
    store = api.app[HISTORY].store()
    analysis = await analyze(api, NOT_A_POLICY, url=None)  # any analysis, to have one at hand
    with pytest.raises(ForgottenMeanwhile):
        store.record(URL, {**analysis, "url": URL, "kind": "privacy_policy"}, arrived=arrived)
    assert (await get(api, "/v1/sites"))["sites"] == []


async def test_a_site_given_as_an_address_is_reduced_to_its_site(api):
    """The extension may send what it has (a page's address): the daemon reduces it, as for a host."""
    await analyze(api, POLICY)
    response = await api.delete("/v1/sites/https%3A%2F%2Fwww.example.co.uk%2Fprivacy%3Fa%3D1", headers=AUTH)
    body = await response.json()
    assert response.status == 200 and body["site"] == "example.co.uk" and body["deleted_versions"] == 1, body
