"""Benchmark (not a test): what the native-messaging bridge adds on top of the daemon, and how big its frames are.

For the median-sized and the ~200 KB policy of ../shared/data/policies it measures, with a warm daemon
(analysis cached by content hash, so the numbers are transport, not engine):
- round trip through `smallprint-bridge` over real pipes vs. the same POST straight to the daemon;
- the reply's size and its frames (and the same with the reply forced through `part` frames).
Also the ping round trip. Run: .venv/bin/python extension-bridge/benchmarks/bridge_roundtrip.py [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bridge.harness import BridgeProcess, bridge_env, daemon_info, post_analyze, stop_daemon  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "policies"


def policy_blocks(path: Path) -> list[dict]:
    paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return [{"id": f"b{i}", "text": p} for i, p in enumerate(paragraphs)]


def pick_policies() -> list[tuple[str, Path]]:
    rows = [json.loads(line) for line in (SHARED / "index.jsonl").read_text().splitlines() if line.strip()]
    rows.sort(key=lambda r: r["chars"])
    median = rows[len(rows) // 2]
    near_200k = min(rows, key=lambda r: abs(r["chars"] - 200_000))
    return [("median", SHARED / median["file"]), ("~200 KB", SHARED / near_200k["file"])]


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sp-bench-")) / "home"
    command = shlex.join([sys.executable, "-m", "smallprint", "serve", "--port", "0"])
    bridge = BridgeProcess(bridge_env(home, SMALLPRINT_DAEMON_COMMAND=command, SMALLPRINT_BRIDGE_START_TIMEOUT="60"))
    split = None
    try:
        start = time.perf_counter()
        bridge.request({"id": "start", "type": "analyze", "blocks": [{"id": "b0", "text": "We sell your data."}]})
        print(f"first analyze incl. starting the daemon: {(time.perf_counter() - start) * 1000:.0f} ms")
        ping_ms = timed(lambda: bridge.request({"id": "p", "type": "ping"}), args.repeat * 10)
        print(f"ping round trip (pipes only): {ping_ms:.2f} ms median")
        info = daemon_info(home)
        split = BridgeProcess(bridge_env(home, SMALLPRINT_DAEMON_COMMAND=command,
                                         SMALLPRINT_BRIDGE_MAX_REPLY_FRAME="100000"))
        for label, path in pick_policies():
            blocks = policy_blocks(path)
            message = {"id": label, "type": "analyze", "blocks": blocks, "url": "http://127.0.0.1/p"}
            payload = {k: v for k, v in message.items() if k not in ("id", "type")}
            first = time.perf_counter()
            post_analyze(info, home, payload)  # warm the daemon's cache
            cold = (time.perf_counter() - first) * 1000
            direct = timed(lambda: post_analyze(info, home, payload), args.repeat)
            before = len(bridge.frame_sizes)
            reply = bridge.request(message)
            sizes = bridge.frame_sizes[before:]
            via = timed(lambda: bridge.request(message), args.repeat)
            before = len(split.frame_sizes)
            split.request(message)
            parts = split.frame_sizes[before:]
            via_split = timed(lambda: split.request(message), args.repeat)
            chars = sum(len(b["text"]) for b in blocks)
            print(f"{label}: {path.relative_to(SHARED)} ({chars:,} chars, {len(blocks)} blocks, "
                  f"{len(reply['analysis']['highlights'])} highlights); request frame "
                  f"{len(json.dumps(message).encode()):,} B")
            print(f"  reply {sum(sizes):,} B in {len(sizes)} frame(s), largest {max(sizes):,} B")
            print(f"  engine (cold, direct HTTP) {cold:.0f} ms; warm: direct HTTP {direct:.1f} ms, via bridge "
                  f"{via:.1f} ms (x{via / direct:.2f}); via bridge split into {len(parts)} parts of <= "
                  f"{max(parts):,} B: {via_split:.1f} ms (x{via_split / direct:.2f})")
    finally:
        for process in (bridge, split):
            if process is not None:
                process.close()
        stop_daemon(home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
