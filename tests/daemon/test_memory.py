"""Finding 4 of issue 13 on a real daemon: ten distinct 2-million-character analyses do not grow it without bound
(each used to add ~105 MB through the result cache: ~13 GB projected for 128 entries)."""
from __future__ import annotations

import sys

import pytest

from tests.conftest import require

pytestmark = pytest.mark.slow

RSS_LIMIT_MB = 600


def rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")


def list_like_text(seed: int) -> str:
    """A list of clauses, each a highlight: the shape that makes the biggest analysis per character."""
    lines = (f"- We collect your email address and share it with advertisers, item {seed}-{n}.\n" for n in range(27_000))
    return "".join(lines)[:2_000_000]


def test_ten_distinct_two_million_character_analyses_stay_under_600_mb(daemon):
    require(sys.platform.startswith("linux"), "reads the daemon's RSS from /proc")
    token = daemon.token()
    for seed in range(10):
        status, body = daemon.request("POST", "/v1/analyze", {"text": list_like_text(seed), "depth": "quick"},
                                      token=token)
        assert status == 200, body
        assert len(body["highlights"]) > 10_000
    assert rss_mb(daemon.process.pid) < RSS_LIMIT_MB
