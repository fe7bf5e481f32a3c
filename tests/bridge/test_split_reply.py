"""Replies larger than a frame: a real 200 KB policy from ../shared/data through the bridge and a real daemon.

The browsers drop the port on a host->browser frame over 1 MB, so such replies travel as `part` frames that
the receiver joins (PROTOCOL.md §4). The harness checks every frame's size as written on the pipe.
"""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow  # each test runs a real daemon

from .conftest import DAEMON_COMMAND, START_TIMEOUT
from .harness import BROWSER_LIMIT, BridgeProcess, bridge_env, daemon_info, post_analyze, stop_daemon

POLICY_200KB = "facebook/2025-12-17_pga2_df69a0e.md"  # 217,013 characters
MAX_REPLY_FRAME = 1_000_000


def policy_blocks(shared_data, name: str, copies: int = 1) -> list[dict]:
    """The Markdown policy as the content script would send it: one block per paragraph, in reading order."""
    text = (shared_data / "policies" / name).read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    assert sum(map(len, paragraphs)) > 190_000
    return [{"id": f"c{copy}-b{i}", "text": p.lstrip("#").strip() or p, "tag": "h2" if p.startswith("#") else "p"}
            for copy in range(copies) for i, p in enumerate(paragraphs)]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("split") / "sp-home"
    yield home
    stop_daemon(home)


def run_bridge(home, **env) -> BridgeProcess:
    return BridgeProcess(bridge_env(home, SMALLPRINT_DAEMON_COMMAND=DAEMON_COMMAND,
                                    SMALLPRINT_BRIDGE_START_TIMEOUT=str(START_TIMEOUT), **env))


def analyze_via_bridge(bridge: BridgeProcess, blocks: list[dict], request_id: str) -> tuple[dict, list[int]]:
    before = len(bridge.frame_sizes)
    reply = bridge.request({"id": request_id, "type": "analyze", "blocks": blocks,
                            "url": "http://127.0.0.1/policy", "title": "Policy"})
    assert reply["type"] == "analysis", reply
    return reply, bridge.frame_sizes[before:]


def assert_same_analysis(reply: dict, home, blocks: list[dict]) -> None:
    direct = post_analyze(daemon_info(home), home, {"blocks": blocks, "url": "http://127.0.0.1/policy",
                                                    "title": "Policy"})
    for key in ("highlights", "practices", "grade", "blocks", "content_hash"):
        assert reply["analysis"][key] == direct[key], key


def test_the_200kb_policy_arrives_whole_within_the_browser_limit(shared_data, home):
    blocks = policy_blocks(shared_data, POLICY_200KB)
    bridge = run_bridge(home)
    try:
        reply, sizes = analyze_via_bridge(bridge, blocks, "whole")
        assert len(reply["analysis"]["highlights"]) >= 200, "hundreds of highlights expected in this policy"
        assert all(size <= MAX_REPLY_FRAME for size in sizes)
        assert_same_analysis(reply, home, blocks)
        assert bridge.close() == 0 and bridge.stray_stdout == b""
    finally:
        bridge.kill()


@pytest.mark.parametrize("max_reply", [100_000, 30_000])
def test_the_200kb_policy_through_split_parts(shared_data, home, max_reply):
    blocks = policy_blocks(shared_data, POLICY_200KB)
    bridge = run_bridge(home, SMALLPRINT_BRIDGE_MAX_REPLY_FRAME=str(max_reply))
    try:
        reply, sizes = analyze_via_bridge(bridge, blocks, "split")
        assert len(sizes) >= 5 and all(size <= max_reply for size in sizes), sizes
        assert len(reply["analysis"]["highlights"]) >= 200
        assert_same_analysis(reply, home, blocks)
        assert bridge.close() == 0 and bridge.stray_stdout == b"" and bridge.bad_json == []
    finally:
        bridge.kill()


def test_a_reply_over_one_megabyte_is_split_at_the_real_limit(shared_data, home):
    # A page carrying the 200 KB policy three times (e.g. several language tabs): a reply of well over 1 MB.
    blocks = policy_blocks(shared_data, POLICY_200KB, copies=3)
    bridge = run_bridge(home)
    try:
        reply, sizes = analyze_via_bridge(bridge, blocks, "big")
        assert sum(sizes) > BROWSER_LIMIT and len(sizes) >= 2
        assert all(size <= MAX_REPLY_FRAME < BROWSER_LIMIT for size in sizes), sizes
        assert len(json.dumps(reply).encode()) > BROWSER_LIMIT
        assert_same_analysis(reply, home, blocks)
        assert bridge.close() == 0
    finally:
        bridge.kill()
