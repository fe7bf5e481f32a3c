#!/usr/bin/env python3
"""Benchmark: what policy memory adds to an analysis of a ~200 KB policy (target: <= 50 ms).

For each scenario the previous version is already stored; the timed part is what the daemon's recorder does
after the analysis: normalise + hash the text, write the version in one SQLite transaction (WAL,
synchronous=FULL), read back the previous analysis, and diff the two. As in the daemon, the recorder is
handed the analysis both as a dict and as the JSON the analysis worker already encoded for the response
(that encoding is part of every analysis, recorded or not, so it is not timed here). Reported next to the analysis alone,
measured in the same run, as milliseconds and as a ratio.

Scenarios:
  unchanged   the same policy seen again (only last_seen moves; no diff)
  edited      the policy with three clauses inserted (AI training, biometric, a "no AI training" promise)
  real        the service's real previous version (facebook 2024-08-09 -> 2025-12-17: a large rewrite)

Usage: .venv/bin/python scripts/bench_history.py [--repeat N] [--shared PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))

from smallprint import analyze  # noqa: E402
from smallprint.history.diff import diff_analyses  # noqa: E402
from smallprint.history.store import Store  # noqa: E402

URL = "https://www.facebook.com/privacy/policy/"
INSERTED = (
    "We may use the information we collect and publicly available information to help train our machine learning "
    "or artificial intelligence models.",
    "We may collect and use your biometric information, such as face geometry, to verify your identity.",
    "We do not use customer content to train AI models.",
)


def _insert(text: str) -> str:
    paragraphs = text.split("\n\n")
    for k, clause in enumerate(INSERTED):
        paragraphs.insert((k + 1) * len(paragraphs) // 4, clause)
    return "\n\n".join(paragraphs)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _encoded(analysis: dict) -> bytes:
    """The analysis as the daemon's worker encodes it for the response (smallprint.daemon.runner)."""
    return json.dumps(analysis).encode("ascii")


def _record_and_diff(folder: Path, old: dict, new: dict, repeat: int, clock) -> tuple[list[float], list[float], dict]:
    """Times of (record, diff) with `old` stored as the previous version; a fresh store for every run."""
    record_times, diff_times, last = [], [], {}
    old_json, new_json = _encoded(old), _encoded(new)
    for n in range(repeat):
        with Store(folder / f"store-{n}.sqlite3") as store:
            store.record(URL, old, now="2024-08-09T00:00:00Z", encoded=old_json)
            start = clock()
            recorded = store.record(URL, new, encoded=new_json)
            middle = clock()
            if recorded.previous_analysis is not None:
                diff = diff_analyses(recorded.previous_analysis, new, since=recorded.previous.last_seen)
                last = diff.to_dict()["counts"]
            end = clock()
        record_times.append(middle - start)
        diff_times.append(end - middle)
    return record_times, diff_times, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    policies = args.shared / "policies" / "facebook"
    new_file, old_file = policies / "2025-12-17_pga2_df69a0e.md", policies / "2024-08-09_pga2_49a826a.md"
    if not new_file.exists():
        print(f"bench_history: shared data not found at {args.shared}", file=sys.stderr)
        return 1
    new_text, old_text = new_file.read_text(encoding="utf-8"), old_file.read_text(encoding="utf-8")

    # Two clocks: wall time (what the reader waits, includes fsync and other processes' load) and this
    # process's CPU time (the work itself, steadier on a shared machine).
    clocks = {"wall": time.perf_counter, "cpu": time.process_time}
    analysis_ms = {}
    for clock_name, clock in clocks.items():
        samples = []
        for _ in range(args.repeat):
            start = clock()
            new = analyze(text=new_text, url=URL).to_dict()
            samples.append(clock() - start)
        analysis_ms[clock_name] = _median_ms(samples)
    start = time.process_time()
    for _ in range(args.repeat):
        re.findall(r"\w+", new_text.lower())
    floor_ms = (time.process_time() - start) / args.repeat * 1000
    edited = analyze(text=_insert(new_text), url=URL).to_dict()
    real_old = analyze(text=old_text, url=URL).to_dict()

    print(f"policy: {new_file.relative_to(args.shared)} ({len(new_text.encode()) / 1024:.0f} KB, "
          f"{len(new['blocks'])} blocks, {len(new['highlights'])} highlights)")
    print(f"analysis alone: {analysis_ms['wall']:.1f} ms wall, {analysis_ms['cpu']:.1f} ms CPU "
          f"(median of {args.repeat}); re.findall floor {floor_ms:.1f} ms CPU; load average {os.getloadavg()[0]:.1f}")
    print()
    print(f"{'scenario':<10} {'clock':<5} {'record ms':>10} {'diff ms':>9} {'added ms':>9} {'(best)':>7} "
          f"{'vs analysis':>12}  diff counts")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, old, current in (("unchanged", new, new), ("edited", new, edited), ("real", real_old, new)):
            for clock_name, clock in clocks.items():
                record_times, diff_times, counts = _record_and_diff(folder / f"{name}-{clock_name}", old, current,
                                                                    args.repeat, clock)
                record_ms, diff_ms = _median_ms(record_times), _median_ms(diff_times)
                totals = [r + d for r, d in zip(record_times, diff_times)]
                added, best = _median_ms(totals), min(totals) * 1000
                summary = (f"+{counts['added']} -{counts['removed']} ~{counts['changed']} "
                           f"(data use +{counts['data_use']['added']} -{counts['data_use']['removed']} "
                           f"~{counts['data_use']['changed']})") if counts else "no diff (same text)"
                print(f"{name:<10} {clock_name:<5} {record_ms:>10.1f} {diff_ms:>9.1f} {added:>9.1f} {best:>7.1f} "
                      f"{added / analysis_ms[clock_name]:>11.1%}  {summary}")

        # Size on disk: one store holding the two real versions, checkpointed.
        with Store(folder / "size.sqlite3") as store:
            store.record(URL, real_old, now="2024-08-09T00:00:00Z", encoded=_encoded(real_old))
            store.record(URL, new, encoded=_encoded(new))
        size = (folder / "size.sqlite3").stat().st_size
        json_size = len(json.dumps(new, ensure_ascii=False, separators=(",", ":")).encode())
        print()
        print(f"store size with the 2 real versions ({(len(old_text) + len(new_text)) / 1024:.0f} KB of Markdown): "
              f"{size / 1024:.0f} KB; one stored analysis JSON: {json_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
