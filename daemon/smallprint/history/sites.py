"""Which site a policy belongs to: its registrable domain and the policy's path.

The registrable domain ("facebook.com" for "www.facebook.com", "bbc.co.uk" for "www.bbc.co.uk") is
worked out offline from a short built-in list of multi-label public suffixes. smallprint never
downloads the Public Suffix List (it makes no network connection), so the answer is approximate:
suffixes missing from `_MULTI_LABEL_SUFFIXES` (e.g. private registries such as "github.io" or rarer
second-level domains) are treated as ordinary domains, so "alice.github.io" and "bob.github.io"
both map to "github.io". This only affects how versions are grouped, never what is analysed.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

# Second-level public suffixes in wide use (ccTLDs that register under com./co./org. and the like).
_GENERIC_SECOND_LEVEL = ("ac", "co", "com", "edu", "gov", "net", "org", "or", "ne", "go", "gob", "mil", "nic")
_COUNTRIES_WITH_SECOND_LEVEL = (
    "ar", "au", "bd", "br", "cn", "co", "cy", "eg", "gr", "hk", "id", "il", "in", "jp", "ke", "kr", "lk", "mx",
    "my", "ng", "nz", "pe", "ph", "pk", "pl", "pt", "py", "qa", "sa", "sg", "th", "tr", "tw", "ua", "ug", "uk",
    "uy", "ve", "vn", "za",
)
_MULTI_LABEL_SUFFIXES = frozenset(
    {f"{second}.{country}" for country in _COUNTRIES_WITH_SECOND_LEVEL for second in _GENERIC_SECOND_LEVEL}
    | {"ltd.uk", "plc.uk", "me.uk", "nhs.uk", "police.uk", "sch.uk", "asn.au", "id.au", "gen.nz", "school.nz",
       "govt.nz", "ad.jp", "gr.jp", "lg.jp", "nom.br", "blog.br", "art.br", "gouv.fr", "com.fr", "co.at",
       "or.at", "gv.at", "co.it", "gov.it", "com.es", "nom.es", "org.es", "co.ca", "gc.ca", "co.de", "com.de"}
)


_HOST_PUNCTUATION = frozenset("-._:[]")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")


def host_of(url: str) -> str:
    """The lower-case host of a URL (or of a bare host name); "" for about:blank, mailto: and the like."""
    scheme = _SCHEME.match(url)
    if scheme and not url[scheme.end():].startswith("//"):
        return ""
    parts = urlsplit(url if "//" in url else f"//{url}")
    return (parts.hostname or "").rstrip(".").lower()


def ip_literal(text: str) -> str | None:
    """The one spelling of an IP address ("2001:DB8:0::1", "[2001:db8::1]" -> "2001:db8::1"), or None when `text`
    is not one: an IPv6 site then has a single key however a URL, the CLI or a route spells it."""
    try:
        return ipaddress.ip_address(text.strip("[]")).compressed
    except ValueError:
        return None


def registrable_domain(host: str) -> str:
    """"www.bbc.co.uk" -> "bbc.co.uk"; IP addresses and single-label hosts are returned unchanged."""
    host = host.rstrip(".").lower()
    address = ip_literal(host)
    if address is not None:
        return address
    labels = [label for label in host.split(".") if label]
    if len(labels) <= 2:
        return ".".join(labels)
    keep = 3 if ".".join(labels[-2:]) in _MULTI_LABEL_SUFFIXES else 2
    return ".".join(labels[-keep:])


def policy_path(url: str) -> str:
    """The document's path without query, fragment or trailing slash: "/privacy/policy"."""
    path = urlsplit(url if "//" in url else f"//{url}").path or "/"
    return path.rstrip("/") or "/"


def url_to_remember(url: str) -> str:
    """The URL as the store keeps it: scheme, host, port and path. The query and fragment (session ids, e-mail
    addresses, campaign codes) and any user:password are dropped; the site and the path name the document."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # not a number: not worth keeping
        port = None
    return urlunsplit((parts.scheme, host + (f":{port}" if port else ""), parts.path, "", ""))


def site_of(url: str) -> tuple[str, str]:
    """(registrable domain, policy path) of a URL; raises ValueError for a URL without a host."""
    host = host_of(url)
    if not host:
        raise ValueError(f"not a URL with a host name: {url!r}")
    return registrable_domain(host), policy_path(url)


def site_key(site: str) -> str:
    """What names a site in the store: a URL, a host or a domain, reduced to its registrable domain."""
    site = site.strip()
    address = ip_literal(site)  # a bare IPv6 address would read as host "2001" and port "db8::1"
    if address is not None:
        return address
    host = host_of(site) if ("/" in site or ":" in site) else site.rstrip(".").lower()
    # A host name is letters, digits, hyphens and dots (IP addresses add ':' and brackets); anything else
    # ("exa mple.com", "a<b") is a typo, which should be an error rather than "nothing is remembered".
    if not host or not all(ch.isalnum() or ch in _HOST_PUNCTUATION for ch in host):
        raise ValueError(f"not a site name: {site!r}")
    return registrable_domain(host)
