"""Issue 13's findings about sites and the store, through a real app on a loopback socket: IPv6 sites round-trip
(finding 9), sites are kept apart by the Public Suffix List (finding 5), and what a site or the store may hold is
capped (finding 6)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
import pytest_asyncio

from smallprint.cli import main
from smallprint.config import Config, HistoryConfig
from smallprint.daemon.app import create_app
from smallprint.history.sites import site_key
from smallprint.history.store import Store, StoreLimits

from .test_api import POLICY, POLICY_WITH_AI, TOKEN, analyze, api, get  # noqa: F401 (api is a fixture)


@pytest.mark.asyncio
@pytest.mark.parametrize("url, spellings", [
    ("http://[2001:db8::1]:8080/privacy", ["2001:db8::1", "[2001:db8::1]", "2001:DB8:0::1"]),
    ("http://[::1]/privacy", ["::1", "[::1]", "0:0:0:0:0:0:0:1"]),
    ("http://127.0.0.1:8000/privacy", ["127.0.0.1"]),
])
async def test_ip_address_sites_can_be_listed_read_and_forgotten(api, capsys, url, spellings):
    recorded = (await analyze(api, POLICY, url=url))["history"]
    assert recorded["recorded"] is True
    site = recorded["site"]
    assert [s["site"] for s in (await get(api, "/v1/sites"))["sites"]] == [site]
    for spelling in spellings:
        body = await get(api, f"/v1/sites/{quote(spelling, safe='')}/versions")
        assert body["site"] == site and len(body["versions"]) == 1, spelling
    assert main(["forget", spellings[-1]]) == 0, capsys.readouterr().err
    assert (await get(api, "/v1/sites"))["sites"] == []


@pytest.mark.parametrize("spelling, key", [
    ("http://[2001:db8::1]:8080/privacy", "2001:db8::1"), ("https://[2001:DB8::1]/", "2001:db8::1"),
    ("2001:db8::1", "2001:db8::1"), ("[::1]", "::1"), ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
])
def test_ipv6_spellings_share_one_key(spelling, key):
    assert site_key(spelling) == key


@pytest.mark.asyncio
async def test_pages_of_two_users_of_a_shared_host_are_two_sites(api):
    """Finding 5: evil.github.io cannot read or disturb victim.github.io's history."""
    victim = await analyze(api, POLICY, url="https://victim.github.io/privacy")
    evil = await analyze(api, POLICY_WITH_AI, url="https://evil.github.io/privacy")
    assert victim["history"]["site"] == "victim.github.io" and evil["history"]["site"] == "evil.github.io"
    assert "changes_since_last_visit" not in evil  # the victim's version is not the evil page's previous one
    again = await analyze(api, POLICY, url="https://victim.github.io/privacy")
    assert again["history"]["new_version"] is False and "changes_since_last_visit" not in again
    assert sorted(s["site"] for s in (await get(api, "/v1/sites"))["sites"]) == ["evil.github.io",
                                                                                 "victim.github.io"]


@pytest.mark.asyncio
async def test_a_language_switch_is_a_version_stream_of_its_own_not_an_edit(api):
    english = await analyze(api, POLICY, url="https://example.com/privacy?hl=en")
    other = await analyze(api, POLICY_WITH_AI, url="https://example.com/privacy?hl=fr&utm_source=x")
    assert english["history"]["path"] == "/privacy?hl=en" and other["history"]["path"] == "/privacy?hl=fr"
    assert other["history"]["new_version"] is True and "changes_since_last_visit" not in other
    # A tracking parameter is not a new document: the same text at the same path is the same version.
    tracked = await analyze(api, POLICY, url="https://example.com/privacy?hl=en&fbclid=abc")
    assert tracked["history"]["version"] == english["history"]["version"]


@pytest.mark.asyncio
async def test_a_single_page_app_moving_between_addresses_stores_one_policy_once(api):
    """Finding 6: a page calling pushState to a new path on every scroll stored 30 documents in one load."""
    first = await analyze(api, POLICY, url="https://app.example.com/privacy")
    for n in range(30):
        again = await analyze(api, POLICY, url=f"https://app.example.com/privacy/section-{n}")
        assert again["history"]["version"] == first["history"]["version"]
        assert again["history"]["new_version"] is False
    [site] = (await get(api, "/v1/sites"))["sites"]
    assert (site["documents"], site["versions"]) == (1, 1)


@pytest_asyncio.fixture
async def capped_api(aiohttp_client, smallprint_home):
    history = HistoryConfig(max_site_versions=5, max_site_bytes=10 * 1024 * 1024, max_store_bytes=10 * 1024 * 1024)
    app = create_app(Config().replace(worker_mode="thread", history=history), token=TOKEN,
                     optional_modules=("smallprint.history.api",))
    return await aiohttp_client(app)


@pytest.mark.asyncio
async def test_a_site_over_its_cap_loses_its_oldest_versions_and_the_reader_is_told(capped_api):
    other = await analyze(capped_api, POLICY, url="https://other.example.org/privacy")
    notes = []
    for n in range(8):
        text = POLICY + f"\n\nWe may sell your personal information to data broker number {n}."
        notes.append((await analyze(capped_api, text, url=f"https://spa.example.com/privacy/{n}"))["history"])
    assert [note.get("forgotten_versions", 0) for note in notes] == [0] * 5 + [1] * 3
    versions = (await get(capped_api, "/v1/sites/spa.example.com/versions"))["versions"]
    assert sorted(v["id"] for v in versions) == [note["version"] for note in notes[3:]]  # the newest five
    # Another site's history is untouched by this one's growth.
    assert [v["id"] for v in (await get(capped_api, "/v1/sites/other.example.org/versions"))["versions"]] == [
        other["history"]["version"]]


def test_the_whole_store_stays_within_its_cap_oldest_first(tmp_path):
    policy = {"blocks": [{"id": "b0", "text": "x" * 50_000}], "kind": "privacy_policy"}
    with Store(tmp_path / "store.sqlite", limits=StoreLimits(store_bytes=400_000)) as store:
        recorded = []
        for n in range(12):
            analysis = {**policy, "blocks": [{"id": "b0", "text": f"{n} " + "x" * 50_000 + f" {n}"}]}
            recorded.append(store.record(f"https://site{n}.example/privacy", analysis))
        total = store._db.execute("SELECT sum(bytes) FROM versions").fetchone()[0]
        assert total <= 400_000
        kept = [s.site for s in store.sites()]
        assert "site11.example" in kept and "site0.example" not in kept
        assert sum(r.forgotten for r in recorded) == 12 - len(kept)
        assert store._db.execute("SELECT count(*) FROM documents").fetchone()[0] == len(kept)


def test_free_sites_under_one_private_suffix_share_one_sites_caps(tmp_path):
    """Security review F2: each name under a private suffix (*.pages.dev, *.github.io) is a site of its own, and
    costs nothing to make; filling the store from many of them pushed every other site's history out. They keep
    their histories apart but share one site's caps, so the store cap is never reached through them."""
    def policy(n):
        return {"blocks": [{"id": "b0", "text": f"{n} " + "x" * 50_000 + f" {n}"}], "kind": "privacy_policy"}

    limits = StoreLimits(site_versions=100, site_bytes=300_000, store_bytes=800_000)
    with Store(tmp_path / "store.sqlite", limits=limits) as store:
        bank = store.record("https://mybank.example/privacy", policy("bank"))
        for n in range(24):
            store.record(f"https://evil{n % 4}.pages.dev/privacy/{n}", policy(n))
        kept = {s.site: s.versions for s in store.sites()}
        assert kept["mybank.example"] == 1 and [v.id for v in store.versions("mybank.example")] == [bank.version.id]
        evil = store._db.execute("SELECT sum(v.bytes) FROM versions v JOIN documents d ON d.id = v.document_id "
                                 "WHERE d.site LIKE '%.pages.dev'").fetchone()[0]
        assert evil <= 300_000
        # the newest of them are kept, each under its own site key
        assert "evil3.pages.dev" in kept and store.versions("evil3.pages.dev")[-1].path == "/privacy/23"


def test_cap_owner_is_the_icann_registrable_domain():
    from smallprint.history.sites import cap_owner
    assert cap_owner("alice.github.io") == cap_owner("bob.github.io") == "github.io"
    assert cap_owner("bbc.co.uk") == "bbc.co.uk" and cap_owner("example.com") == "example.com"
    assert cap_owner("2001:db8::1") == "2001:db8::1" and cap_owner("localhost") == "localhost"


def test_a_policy_moved_to_a_new_address_with_new_text_is_the_same_document(tmp_path):
    """A site that puts each version at its own address (/privacy/2025-01, then /privacy/2026-03) with edits was
    two documents: the reader saw a first version, never what changed. A revision keeps most of its wording
    (MOVED_MIN_SIMILARITY, measured on the shared policies); another policy of the site does not."""
    from smallprint import analyze
    from tests.conftest import ROOT

    example = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    revised = example.replace("We keep backups", "We keep encrypted backups") + (
        "\n\nWe may also use your voice notes to train our speech recognition models.\n")
    other = ("# Privacy Policy for the Tidewell Shop\n\nWhen you buy from the shop we collect your shipping address "
             "and payment details.\n\nWe share your order with the courier that delivers it.\n\nWe keep invoices "
             "for ten years because tax law requires it.\n\nYou can ask for a copy of your data at any time.\n")
    with Store(tmp_path / "store.sqlite") as store:
        first = store.record("https://tidewell.example/privacy/2025-01", analyze(text=example).to_dict())
        shop = store.record("https://tidewell.example/shop/privacy", analyze(text=other).to_dict())
        moved = store.record("https://tidewell.example/privacy/2026-03", analyze(text=revised).to_dict())
        assert shop.version.path == "/shop/privacy" and shop.previous is None  # another policy: its own document
        assert moved.is_new_text and moved.previous is not None and moved.previous.id == first.version.id
        assert moved.version.path == "/privacy/2026-03"  # a document of its own: the old address may be live
        again = store.record("https://tidewell.example/privacy/2026-03", analyze(text=revised).to_dict())
        assert not again.is_new_text and again.version.id == moved.version.id
        # review: the old address still live (a regional variant) is compared with itself, never reported changed
        back = store.record("https://tidewell.example/privacy/2025-01", analyze(text=example).to_dict())
        assert not back.is_new_text and back.version.id == first.version.id and back.previous is None


def test_a_new_address_between_two_variants_is_compared_with_neither(tmp_path):
    """Two live variants of one policy (global and EU) that a new address's text revises about equally: which it
    came from is a guess, so it is a first version."""
    from smallprint import analyze
    from tests.conftest import ROOT

    example = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    with Store(tmp_path / "store.sqlite") as store:
        store.record("https://tidewell.example/privacy", analyze(text=example).to_dict())
        store.record("https://tidewell.example/privacy/eu",
                     analyze(text=example + "\n\nOur EU representative is Tidewell Europe B.V.\n").to_dict())
        third = store.record("https://tidewell.example/privacy/uk",
                             analyze(text=example + "\n\nOur UK representative is Tidewell UK Ltd.\n").to_dict())
        assert third.is_new_text and third.previous is None
