"""Parsing the Host header, the basis of the DNS-rebinding guard."""
from __future__ import annotations

import pytest

from smallprint.daemon.middlewares import split_host


@pytest.mark.parametrize("header, parsed", [
    ("localhost:8716", ("localhost", 8716)),
    ("LocalHost:1", ("localhost", 1)),
    ("127.0.0.1", ("127.0.0.1", 80)),
    ("[::1]:8716", ("::1", 8716)),
    ("[::1]", ("::1", 80)),
    ("localhost.:5", ("localhost", 5)),
    ("::1:8716", None),
    ("[::1]x", None),
    ("host:port", None),
    ("", None),
])
def test_split_host(header, parsed):
    assert split_host(header) == parsed
