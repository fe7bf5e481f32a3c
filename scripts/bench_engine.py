#!/usr/bin/env python3
"""Engine speed and memory, as ratios measured in one run (no absolute timings to compare across machines).

For the largest and the median policy in ../shared/data/policies: the median time of `analyze(text=...)` over
several runs, and its ratio to one `re.findall(r"\\w+", text.lower())` pass over the same text (the floor for any
method that reads every word). Then the peak RSS of a fresh subprocess that imports the engine and analyses the
largest policy. Targets: ratio <= 30 on every policy, peak RSS <= 80 MB.

Usage: .venv/bin/python scripts/bench_engine.py [--policies DIR] [--runs N] [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))

RATIO_TARGET = 30.0
RSS_TARGET_MB = 80.0

_RSS_CHILD = """
import resource, sys
sys.path.insert(0, {daemon!r})
from smallprint import analyze
text = open({path!r}, encoding="utf-8").read()
analysis = analyze(text=text)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(analysis.highlights))
"""


def pick_policies(folder: Path) -> list[tuple[str, Path]]:
    files = sorted((p for p in folder.rglob("*.md")), key=lambda p: (p.stat().st_size, str(p)))
    if not files:
        raise SystemExit(f"bench_engine: no policies under {folder}")
    return [("largest", files[-1]), ("median", files[len(files) // 2])]


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_policy(label: str, path: Path, runs: int) -> dict:
    from smallprint import analyze

    text = path.read_text(encoding="utf-8")
    word_pass = re.compile(r"\w+")
    analyze(text=text)  # warm-up: loads recognizers and models once, as a running daemon would have
    baseline = median_time(lambda: word_pass.findall(text.lower()), runs * 3)
    engine = median_time(lambda: analyze(text=text), runs)
    analysis = analyze(text=text)
    return {"policy": label, "file": str(path.relative_to(path.parents[1])), "chars": len(text),
            "highlights": len(analysis.highlights), "engine_s": engine, "findall_s": baseline,
            "ratio": engine / baseline}


def peak_rss_mb(path: Path) -> float:
    code = _RSS_CHILD.format(daemon=str(ROOT / "daemon"), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]) / 1024.0  # ru_maxrss is in KiB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=Path, default=ROOT.parent / "shared" / "data" / "policies")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [bench_policy(label, path, args.runs) for label, path in pick_policies(args.policies)]
    rss = peak_rss_mb(pick_policies(args.policies)[0][1])
    ok = all(r["ratio"] <= RATIO_TARGET for r in rows) and rss <= RSS_TARGET_MB
    if args.json:
        print(json.dumps({"policies": rows, "peak_rss_mb": rss, "ratio_target": RATIO_TARGET,
                          "rss_target_mb": RSS_TARGET_MB, "ok": ok}, indent=2))
    else:
        for r in rows:
            print(f"{r['policy']:8s} {r['file']:55s} {r['chars']:>8,} chars  {r['highlights']:4d} highlights  "
                  f"engine {r['engine_s'] * 1000:8.1f} ms  findall {r['findall_s'] * 1000:6.2f} ms  "
                  f"ratio {r['ratio']:6.1f} (target <= {RATIO_TARGET:g})")
        print(f"peak RSS analysing the largest policy in a fresh process: {rss:.1f} MB (target <= {RSS_TARGET_MB:g})")
        print("OK" if ok else "ABOVE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
