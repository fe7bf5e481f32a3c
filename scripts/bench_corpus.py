#!/usr/bin/env python3
"""Corpus throughput: documents per second per worker at each depth, and the speed-up from one worker to two.

Reads the shared policies (../shared/data/policies, and policies-more at quick depth) with the corpus run's own
loop and tasks (corpus.run._execute, corpus.work.analyse_batch: one document per task, on a local process pool or
a local Dask cluster), and times each document's completion; then the diffs of consecutive versions, in one process. The steady rate leaves out each worker's first
document (its start-up: a fresh interpreter, the engine's models, at full depth the reader). Full depth runs the
reader with one onnxruntime thread per worker (SMALLPRINT_READER_THREADS=1, as corpus workers do). Figures are
ratios of one run on this machine: speed-up = steady rate with two workers / with one; targets (issue #15) >= 1.7
at quick depth, and quick >= 50 policies/s per core.

Usage: .venv/bin/python scripts/bench_corpus.py [--depth quick|full|both] [--engine local|dask] [--limit N] [--json]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))

SPEEDUP_TARGET = 1.7
QUICK_RATE_TARGET = 50.0


class _NoBar:
    def update(self, n: int) -> None:
        pass


def corpus_versions(shared: Path, depth: str, limit: int | None):
    from smallprint.corpus.sources import list_versions

    folders = [shared / "data" / "policies"] + ([shared / "data" / "policies-more"] if depth == "quick" else [])
    versions = [v for folder in folders for v in list_versions(folder)]
    unique = list({v.content_hash: v for v in versions}.values())
    return unique[:limit] if limit else unique


def measure(versions, depth: str, engine_name: str, workers: int) -> dict:
    from smallprint.corpus.engines import open_engine
    from smallprint.corpus.run import _execute
    from smallprint.corpus.sources import read_version
    from smallprint.corpus.work import Item, analyse_batch

    finished: list[float] = []
    engine = open_engine(engine_name, workers)
    try:
        started = time.perf_counter()
        _execute(engine, functools.partial(analyse_batch, depth=depth), ([v] for v in versions),
                 lambda batch: [Item(v.content_hash, read_version(v), v.is_html, v.size) for v in batch],
                 lambda batch, rows: finished.append(time.perf_counter()), _NoBar())
        total = time.perf_counter() - started
    finally:
        engine.close()
    steady = finished[workers:]  # each worker's first document carries its start-up
    steady_rate = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else float("nan")
    return {"depth": depth, "engine": engine_name, "workers": workers, "documents": len(versions),
            "wall_s": round(total, 2), "docs_per_s": round(len(versions) / total, 2),
            "steady_docs_per_s": round(steady_rate, 2), "steady_per_worker": round(steady_rate / workers, 2)}


def measure_diffs(shared: Path) -> dict:
    """Version pairs compared per second in one process: the shared histories (Facebook, Instagram, YouTube), read
    at quick depth, each version diffed against the one before it as a corpus worker does (corpus.work.diff_pair)."""
    from smallprint.corpus.sources import list_versions, read_version
    from smallprint.corpus.work import Item, Pair, analyse_document, diff_pair

    views: dict[str, list[bytes]] = {}
    for v in list_versions(shared / "data" / "policies"):
        if v.service in ("facebook", "instagram", "youtube"):
            row = analyse_document(Item(v.content_hash, read_version(v), v.is_html, v.size), "quick")
            views.setdefault(v.service, []).append(row["diff_view"])
    pairs = [Pair("a", "b", a, b) for history in views.values() for a, b in zip(history, history[1:])]
    started = time.perf_counter()
    for pair in pairs:
        diff_pair(pair)
    seconds = time.perf_counter() - started
    return {"pairs": len(pairs), "seconds": round(seconds, 2), "pairs_per_s": round(len(pairs) / seconds, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", choices=("quick", "full", "both"), default="both")
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--limit", type=int, help="at most this many documents per depth")
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("SMALLPRINT_SHARED", ROOT.parent / "shared")))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "policies").is_dir():
        print(f"bench_corpus: no shared policies under {args.shared / 'data'}", file=sys.stderr)
        return 1
    results = []
    for depth in (("quick", "full") if args.depth == "both" else (args.depth,)):
        versions = corpus_versions(args.shared, depth, args.limit)
        one, two = (measure(versions, depth, args.engine, n) for n in (1, 2))
        speedup = two["steady_docs_per_s"] / one["steady_docs_per_s"]
        results.append({"depth": depth, "one": one, "two": two, "speedup": round(speedup, 2),
                        "load_average": [round(x, 2) for x in os.getloadavg()]})
        if not args.json:
            print(f"{depth}: {len(versions)} documents, {args.engine} engine")
            for r in (one, two):
                print(f"  {r['workers']} worker{'s' if r['workers'] > 1 else ' '}: {r['wall_s']:7.2f} s in all "
                      f"({r['docs_per_s']:.2f} docs/s), steady {r['steady_docs_per_s']:.2f} docs/s = "
                      f"{r['steady_per_worker']:.2f} per worker")
            target = f" (target >= {SPEEDUP_TARGET})" if depth == "quick" else ""
            print(f"  speed-up 1 -> 2 workers: {speedup:.2f}x{target}; load average {os.getloadavg()[0]:.2f}")
            if depth == "quick":
                print(f"  quick per worker: {one['steady_per_worker']:.1f} docs/s (target >= {QUICK_RATE_TARGET})")
    diffs = measure_diffs(args.shared)
    results.append({"diffs": diffs})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"diffs: {diffs['pairs']} pairs of consecutive versions in {diffs['seconds']:.2f} s, "
              f"{diffs['pairs_per_s']:.2f} pairs/s in one process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
