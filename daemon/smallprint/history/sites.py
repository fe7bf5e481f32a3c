"""Which site a policy belongs to, and which document of that site it is.

The site is the registrable domain under the Public Suffix List as the `publicsuffixlist` package bundles it
(never fetched: smallprint makes no network connection): "facebook.com" for "www.facebook.com", "bbc.co.uk" for
"www.bbc.co.uk", and, because the list's private section counts too, "alice.github.io" and "bob.github.io" are
two sites, so one page on a shared host can neither read nor disturb another's history.

The document is the path, plus the few query parameters that name a different document ("?doc=privacy",
WordPress's "?page_id=3") or another language of it ("?hl=fr": a language switch is a version stream of its own,
never an edit of the first). Every other parameter (session ids, campaign codes, e-mail addresses) is dropped.
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that name which document a URL shows, and those that name its language.
DOCUMENT_PARAMETERS = frozenset({"doc", "document", "docid", "page", "page_id", "p", "policy", "article", "section",
                                 "topic", "slug"})
LANGUAGE_PARAMETERS = frozenset({"hl", "lang", "language", "locale", "lc", "ln", "setlang", "uselang"})
# A value worth keeping is a short word: an e-mail address or a token is neither.
_IDENTITY_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@lru_cache(maxsize=1)
def _public_suffix_list():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the bundled copy of the list; nothing is downloaded


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


def ascii_host(host: str) -> str:
    """A host in the one spelling browsers send: "www.bücher.de" -> "www.xn--bcher-kva.de" (IDNA), so that a site
    has one key however the reader types it (CLI, /v1/sites/{site}); a name IDNA refuses is left as it is."""
    if host.isascii():
        return host
    try:
        return ".".join(label.encode("idna").decode("ascii") if label else "" for label in host.split("."))
    except UnicodeError:
        return host


def registrable_domain(host: str) -> str:
    """"www.bbc.co.uk" -> "bbc.co.uk"; IP addresses and single-label hosts are returned unchanged."""
    host = host.rstrip(".").lower()
    address = ip_literal(host)
    if address is not None:
        return address
    host = ascii_host(".".join(label for label in host.split(".") if label))
    # None for a host that is itself a public suffix ("github.io", "localhost"): it is its own site.
    return _public_suffix_list().privatesuffix(host) or host


@lru_cache(maxsize=1)
def _icann_suffix_list():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(only_icann=True)


def cap_owner(site: str) -> str:
    """Who pays for a site's history under the caps: its registrable domain under the ICANN part of the list only
    ("alice.github.io" -> "github.io", "evil7.pages.dev" -> "pages.dev"). Sites on one shared host keep their
    histories apart, but share one site's caps: names under a private suffix cost nothing to make, and a host
    with endless free sites must not be able to push every other site's history out of the store."""
    if ip_literal(site) is not None:
        return site
    return _icann_suffix_list().privatesuffix(site) or site


def identity_query(query: str) -> str:
    """The parameters of a query string that name the document or its language, sorted ("hl=fr&page_id=3");
    "" when there are none."""
    if not query:
        return ""
    kept = sorted({(name.lower(), value.lower() if name.lower() in LANGUAGE_PARAMETERS else value)
                   for name, value in parse_qsl(query, keep_blank_values=False)
                   if name.lower() in DOCUMENT_PARAMETERS | LANGUAGE_PARAMETERS and _IDENTITY_VALUE.fullmatch(value)})
    return urlencode(kept)


def without_path_parameters(path: str) -> str:
    """"/privacy;jsessionid=0AB1" -> "/privacy": a segment's ";..." parameters are a session id (Java servlets) or
    the like, never which document it is, and are not stored."""
    return "/".join(segment.split(";", 1)[0] for segment in path.split("/")) if ";" in path else path


def policy_path(url: str) -> str:
    """The document's path without fragment, path parameters or trailing slash, with its identity query if any:
    "/privacy/policy", "/legal?doc=privacy", "/privacy?hl=fr"."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    path = without_path_parameters(parts.path or "/").rstrip("/") or "/"
    query = identity_query(parts.query)
    return f"{path}?{query}" if query else path


def with_language(path: str, language: str) -> str:
    """`path` as the document in `language` ("/privacy" -> "/privacy?lang=fr"), unless its query names a language
    already: a site that switches language by cookie, at one address, gets a version stream per language, as
    "?hl=fr" does, instead of a French page read as an edit of the English one."""
    base, _, query = path.partition("?")
    if any(name.lower() in LANGUAGE_PARAMETERS for name, _ in parse_qsl(query)):
        return path
    query = identity_query(f"{query}&lang={language}" if query else f"lang={language}")
    return f"{base}?{query}" if query else base


def url_to_remember(url: str) -> str:
    """The URL as the store keeps it: scheme, host, port, path and identity query. Other parameters and the
    fragment (session ids, e-mail addresses, campaign codes) and any user:password are dropped."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # not a number: not worth keeping
        port = None
    return urlunsplit((parts.scheme, host + (f":{port}" if port else ""), without_path_parameters(parts.path),
                       identity_query(parts.query), ""))


def is_host_name(host: str) -> bool:
    """Whether `host` (as host_of gives it) can name a site: letters, digits, hyphens and dots (IP addresses add ':'
    and brackets). Anything else ("exa mple.com", "a<b", "not a url") is no host a site route could be asked for."""
    return bool(host) and all(ch.isalnum() or ch in _HOST_PUNCTUATION for ch in host)


def site_of(url: str) -> tuple[str, str]:
    """(registrable domain, policy path) of a page's URL; raises ValueError for one without a host a site route
    accepts. The URL must be absolute ("https://host/..."): "privacy" or "not a url" is no address of a page, and a
    host that site_key refuses ("https://a b.example/x") would file the page under a site that no route or CLI
    command can then read or forget."""
    scheme = _SCHEME.match(url)
    host = host_of(url) if scheme and url[scheme.end():].startswith("//") else ""
    if not is_host_name(host):
        raise ValueError(f"not a URL with a host name: {url!r}")
    return registrable_domain(host), policy_path(url)


def site_key(site: str) -> str:
    """What names a site in the store: a URL, a host or a domain, reduced to its registrable domain."""
    site = site.strip()
    address = ip_literal(site)  # a bare IPv6 address would read as host "2001" and port "db8::1"
    if address is not None:
        return address
    host = host_of(site) if ("/" in site or ":" in site) else site.rstrip(".").lower()
    # Anything but a host name ("exa mple.com", "a<b") is a typo, which should be an error rather than "nothing is
    # remembered"; site_of refuses to file a page under such a name for the same reason.
    if not is_host_name(host):
        raise ValueError(f"not a site name: {site!r}")
    return registrable_domain(host)
