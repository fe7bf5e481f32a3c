"""Sites: the registrable domain (offline, from a built-in suffix list) and the policy's path."""
from __future__ import annotations

import pytest

from smallprint.history.sites import registrable_domain, site_key, site_of, url_to_remember


@pytest.mark.parametrize("host, domain", [
    ("www.facebook.com", "facebook.com"),
    ("m.facebook.com", "facebook.com"),
    ("facebook.com", "facebook.com"),
    ("www.bbc.co.uk", "bbc.co.uk"),
    ("shop.example.com.au", "example.com.au"),
    ("a.b.example.co.jp", "example.co.jp"),
    ("WWW.Example.ORG.", "example.org"),
    ("localhost", "localhost"),
    ("127.0.0.1", "127.0.0.1"),
    ("[::1]", "::1"),  # one spelling of an IP address, as site_of and site_key give it
    ("alice.github.io", "alice.github.io"),  # the Public Suffix List's private section: one site per user
    ("github.io", "github.io"),
    ("www.shop.netlify.app", "shop.netlify.app"),
])
def test_registrable_domain(host, domain):
    assert registrable_domain(host) == domain


@pytest.mark.parametrize("url, expected", [
    ("https://www.facebook.com/privacy/policy/?entry_point=x#top", ("facebook.com", "/privacy/policy")),
    ("https://policies.google.com/privacy", ("google.com", "/privacy")),
    ("http://example.co.uk", ("example.co.uk", "/")),
    ("https://user@www.example.com:8443/legal/privacy.html", ("example.com", "/legal/privacy.html")),
])
def test_site_of_url(url, expected):
    assert site_of(url) == expected


@pytest.mark.parametrize("url", ["about:blank", "file:///home/me/policy.html", ""])
def test_a_url_without_a_host_is_refused(url):
    with pytest.raises(ValueError):
        site_of(url)


@pytest.mark.parametrize("value", ["facebook.com", "www.facebook.com", "https://m.facebook.com/privacy", "FACEBOOK.COM"])
def test_site_key_accepts_domain_host_or_url(value):
    assert site_key(value) == "facebook.com"


@pytest.mark.parametrize("value", ["exa mple.com", "a b", "example.com<script>", "ex\tample.org", "%", "..."])
def test_site_key_refuses_what_is_not_a_host_name(value):
    with pytest.raises(ValueError, match="not a site name"):
        site_key(value)


# An international name is keyed as browsers send it (punycode), however the reader types it.
@pytest.mark.parametrize("value, expected", [("bücher.de", "xn--bcher-kva.de"), ("www.xn--bcher-kva.de", "xn--bcher-kva.de"),
                                             ("127.0.0.1", "127.0.0.1"),
                                             ("http://[::1]:8080/privacy", "::1"), ("my_host.example.com", "example.com")])
def test_site_key_keeps_international_names_and_addresses(value, expected):
    assert site_key(value) == expected


@pytest.mark.parametrize("url, kept", [
    ("https://www.example.com/privacy?email=bob%40example.org&sid=42#top", "https://www.example.com/privacy"),
    ("https://bob:secret@Example.com:8443/legal/privacy.html", "https://example.com:8443/legal/privacy.html"),
    ("http://[::1]:8080/privacy?x=1", "http://[::1]:8080/privacy"),
    ("https://example.com", "https://example.com"),
])
def test_the_remembered_url_keeps_no_query_fragment_or_password(url, kept):
    assert url_to_remember(url) == kept


@pytest.mark.parametrize("url, path", [
    ("https://example.com/privacy?utm_source=mail&sid=42", "/privacy"),
    ("https://example.com/legal?doc=privacy&utm_campaign=x", "/legal?doc=privacy"),
    ("https://example.com/?page_id=3", "/?page_id=3"),
    ("https://policies.example.com/privacy?hl=FR", "/privacy?hl=fr"),
    ("https://example.com/privacy?hl=en&p=bob%40example.org", "/privacy?hl=en"),  # an address is no document name
])
def test_only_parameters_that_name_a_document_or_its_language_are_part_of_its_identity(url, path):
    assert site_of(url)[1] == path
    assert url_to_remember(url).endswith(path)
