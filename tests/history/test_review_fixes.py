"""What a review found in the policy memory (2026-12-05): each test failed before its fix."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import pytest_asyncio

import smallprint
from smallprint.config import Config
from smallprint.daemon.app import create_app
from smallprint.history.store import Store

TOKEN = "review-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
POLICY = (Path(smallprint.__file__).parent / "examples" / "example-privacy-policy.md").read_text(encoding="utf-8")
EXTRA = "We sell your personal information to data brokers."


def quick(text: str, url: str) -> dict:
    return smallprint.analyze(text=text, url=url, depth="quick").to_dict()


@pytest.fixture
def smallprint_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "sp-home"
    monkeypatch.setenv("SMALLPRINT_HOME", str(home))
    return home


@pytest_asyncio.fixture
async def api(aiohttp_client, smallprint_home):
    app = create_app(Config().replace(worker_mode="thread"), token=TOKEN,
                     optional_modules=("smallprint.history.api",))
    return await aiohttp_client(app)


def test_retention_of_one_version_still_records_a_changed_policy(tmp_path):
    """retention_versions = 1 is valid (docs/CONFIG.md); the previous version was deleted before it was read for
    the diff, and every changed visit failed as "a bug in smallprint"."""
    store = Store(tmp_path / "h.db", retention_versions=1)
    url = "https://example.com/privacy"
    store.record(url, quick(POLICY, url))
    recorded = store.record(url, quick(POLICY + "\n\n" + EXTRA, url))
    assert recorded.is_new_text and recorded.previous is not None
    assert len(store.versions("example.com")) == 1


def test_a_path_session_parameter_is_not_part_of_the_document_and_is_not_stored(tmp_path):
    """";jsessionid=..." (Java servlets) names a session, not a document: one document, and never on disk."""
    store = Store(tmp_path / "h.db")
    a = "https://example.com/privacy;jsessionid=0AB12CD34EF56"
    b = "https://example.com/privacy;jsessionid=9ZY87XW65VU43"
    store.record(a, quick(POLICY, a))
    store.record(b, quick(POLICY + "\n\n" + EXTRA, b))
    versions = store.versions("example.com")
    assert all("jsessionid" not in (v.url or "") + v.path for v in versions), [(v.path, v.url) for v in versions]
    assert len({v.path for v in versions}) == 1


def test_a_site_with_a_non_ascii_name_has_one_key_however_it_is_spelt(tmp_path):
    """The browser sends the host in punycode; a reader types it in Unicode (CLI, /v1/sites/{site}, forget)."""
    store = Store(tmp_path / "h.db")
    url = "https://www.xn--bcher-kva.de/datenschutz"  # how location.href spells www.bücher.de
    store.record(url, quick(POLICY, url))
    assert store.versions("bücher.de") and store.versions("www.bücher.de")


FRENCH = """Politique de confidentialité

Nous collectons les informations que vous nous fournissez lorsque vous créez un compte, comme votre nom et votre
adresse e-mail.

Nous pouvons utiliser vos contenus publics pour entraîner nos modèles d'intelligence artificielle.

Nous ne vendons pas vos données personnelles. Nous partageons vos informations avec nos partenaires publicitaires.

Nous conservons vos données pendant un an après la suppression de votre compte."""


@pytest.mark.asyncio
async def test_a_language_switch_at_the_same_address_is_not_reported_as_practices_dropped(api):
    """Many sites switch language by cookie, at one URL. The French page (not read: no highlights) is a version
    stream of its own, not an edit of the English one that "no longer states" every practice."""
    url = "https://www.example.com/privacy"
    first = await (await api.post("/v1/analyze", json={"text": POLICY, "url": url}, headers=AUTH)).json()
    assert first["history"]["recorded"]
    second = await (await api.post("/v1/analyze", json={"text": FRENCH, "url": url, "remember": True},
                                   headers=AUTH)).json()
    assert second["language"] == "fr"
    changes = second.get("changes_since_last_visit")
    assert changes is None or not re.search("No longer (stated|promised)", changes["summary"]), changes["summary"]
    third = await (await api.post("/v1/analyze", json={"text": POLICY, "url": url}, headers=AUTH)).json()
    assert not (third.get("changes_since_last_visit") or {}).get("added"), third.get("changes_since_last_visit")


def test_an_old_copy_seen_elsewhere_does_not_make_an_unchanged_page_report_old_changes(tmp_path):
    """/privacy went A -> B (the reader was told). An old copy of A at another address of the site (a stale mirror)
    is recognised as A, but must not become A's document's "latest": back on /privacy, still B, nothing changed."""
    store = Store(tmp_path / "h.db")
    page, mirror = "https://example.com/privacy", "https://example.com/privacy-archive"
    store.record(page, quick(POLICY, page), now="2024-01-01T00:00:00.000000Z")
    store.record(page, quick(POLICY + "\n\n" + EXTRA, page), now="2024-02-01T00:00:00.000000Z")
    store.record(mirror, quick(POLICY, mirror), now="2024-03-01T00:00:00.000000Z")
    again = store.record(page, quick(POLICY + "\n\n" + EXTRA, page), now="2024-04-01T00:00:00.000000Z")
    assert again.previous is None, f"reports changes since version {again.previous.id} although the page is unchanged"
