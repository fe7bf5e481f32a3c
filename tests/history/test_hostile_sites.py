"""Issue 13's site-identity findings through a real app on a loopback socket: IPv6 sites round-trip (finding 9)."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from smallprint.cli import main
from smallprint.history.sites import site_key

from .test_api import POLICY, POLICY_WITH_AI, analyze, api, get  # noqa: F401 (api is a fixture)

pytestmark = pytest.mark.asyncio


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


async def test_a_language_switch_is_a_version_stream_of_its_own_not_an_edit(api):
    english = await analyze(api, POLICY, url="https://example.com/privacy?hl=en")
    other = await analyze(api, POLICY_WITH_AI, url="https://example.com/privacy?hl=fr&utm_source=x")
    assert english["history"]["path"] == "/privacy?hl=en" and other["history"]["path"] == "/privacy?hl=fr"
    assert other["history"]["new_version"] is True and "changes_since_last_visit" not in other
    # A tracking parameter is not a new document: the same text at the same path is the same version.
    tracked = await analyze(api, POLICY, url="https://example.com/privacy?hl=en&fbclid=abc")
    assert tracked["history"]["version"] == english["history"]["version"]
