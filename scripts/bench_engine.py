#!/usr/bin/env python3
"""Engine speed and memory, as ratios measured in one run (no absolute timings to compare across machines).

For the largest and the median policy in ../shared/data/policies: the median time of `analyze(text=...)` over
several runs, and its ratio to one `re.findall(r"\\w+", text.lower())` pass over the same text (the floor for any
method that reads every word), timed interleaved with the analyses. Quick depth: with the trained linear models
and, for comparison, with the rules alone (`use_model=False`); full depth: the learned reader (one onnxruntime
thread, as in a daemon worker). Then the peak RSS of a fresh subprocess that imports the engine and analyses the
largest policy (full depth: the reader loaded). Full depth is timed as a first reading (the reader's memory of
the pairs it read is forgotten before each run), once more as a re-read after a one-paragraph edit, and, where the
machine has more than one core, as a first reading alone on several threads (what the daemon does when no other
analysis runs; the targets are one core's).
Targets: quick ratio <= 30 on every policy; full ratio <= 1000 on the median policy and <= 1500 on the largest;
peak RSS <= 80 MB quick, <= 300 MB with the reader loaded.

Usage: .venv/bin/python scripts/bench_engine.py [--policies DIR] [--runs N] [--depth quick|full|both] [--json]
       .venv/bin/python scripts/bench_engine.py --against MODEL_DIR [--runs N]   (two readers, in turn)
"""
from __future__ import annotations

import argparse
import json
import os
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
FULL_RATIO_TARGET = {"median": 1000.0, "largest": 1500.0}
FULL_RSS_TARGET_MB = 300.0

# The peak is read from /proc/self/status (VmHWM, of this process's own memory) where there is one: getrusage's
# ru_maxrss survives fork+exec, so a child of a benchmark that has already read policies fully would report the
# parent's peak.
_RSS_CHILD = """
import resource, sys
sys.path.insert(0, {daemon!r})
from smallprint import analyze
text = open({path!r}, encoding="utf-8").read()
analysis = analyze(text=text, depth={depth!r})
try:
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak, len(analysis.highlights))
"""


def pick_policies(folder: Path) -> list[tuple[str, Path]]:
    files = sorted((p for p in folder.rglob("*.md")), key=lambda p: (p.stat().st_size, str(p)))
    if not files:
        raise SystemExit(f"bench_engine: no policies under {folder}")
    return [("largest", files[-1]), ("median", files[len(files) // 2])]


def timed(fn, clock=time.perf_counter) -> float:
    start = clock()
    fn()
    return clock() - start


def bench_policy(label: str, path: Path, runs: int, use_model: bool = True, depth: str = "quick") -> dict:
    from smallprint import analyze as analyze_at_depth
    from smallprint.engine.reader import forget_readings

    def analyze(**kwargs):
        return analyze_at_depth(**kwargs, depth=depth)

    def first_reading(**kwargs):
        # A first reading: the reader remembers the pairs it read (reader.READINGS_REMEMBERED), and a run over the
        # same text would time only its memory. Forgetting a few thousand entries costs well under a millisecond.
        forget_readings()
        return analyze(**kwargs)

    text = path.read_text(encoding="utf-8")
    word_pass = re.compile(r"\w+")
    analyze(text=text, use_model=use_model)  # warm-up: loads recognizers and models once, as a running daemon would
    engine_times, baseline_times, ratios, cpu_ratios = [], [], [], []
    # Interleaved, so that a load spike on a shared machine hits both sides of a ratio alike; CPU time as well as
    # wall time, since on a busy machine time spent waiting for a core is no cost of the engine.
    for _ in range(runs):
        baseline = min(timed(lambda: word_pass.findall(text.lower())) for _ in range(3))
        engine = timed(lambda: first_reading(text=text, use_model=use_model))
        cpu_baseline = min(timed(lambda: word_pass.findall(text.lower()), time.process_time) for _ in range(3))
        cpu_engine = timed(lambda: first_reading(text=text, use_model=use_model), time.process_time)
        baseline_times.append(baseline)
        engine_times.append(engine)
        ratios.append(engine / baseline)
        cpu_ratios.append(cpu_engine / cpu_baseline)
    analysis = analyze(text=text, use_model=use_model)
    edited = {}
    if depth == "full":
        # The same policy read again after one paragraph changed (a new version, or a page whose visible text moved
        # by a date or a banner): only the pairs whose sentence or context changed are read.
        paragraphs = text.split("\n\n")
        middle = len(paragraphs) // 2
        paragraphs[middle] += " We may change this section of the policy from time to time."
        changed = "\n\n".join(paragraphs)
        edited_ratios = []
        for _ in range(runs):
            first_reading(text=text, use_model=use_model)
            baseline = min(timed(lambda: word_pass.findall(changed.lower())) for _ in range(3))
            edited_ratios.append(timed(lambda: analyze(text=changed, use_model=use_model)) / baseline)
        edited = {"edited_ratio": statistics.median(edited_ratios)}
        # A reading with the machine to itself (the daemon with no other analysis running, `smallprint analyze`)
        # runs the network on several threads (reader.reading_threads): wall time, beside the one-core ratio.
        from smallprint.engine.reader import reading_threads
        from smallprint.machine import reading_threads as threads_alone
        if threads_alone() > 1:
            alone_ratios = []
            with reading_threads(threads_alone()):
                for _ in range(runs):
                    baseline = min(timed(lambda: word_pass.findall(text.lower())) for _ in range(3))
                    alone_ratios.append(timed(lambda: first_reading(text=text, use_model=use_model)) / baseline)
            edited.update(alone_threads=threads_alone(), alone_ratio=statistics.median(alone_ratios))
    return {"policy": label, "file": str(path.relative_to(path.parents[1])), "chars": len(text),
            "depth": depth, "model": use_model, "highlights": len(analysis.highlights), "engine_s": statistics.median(engine_times),
            "findall_s": statistics.median(baseline_times), "ratio": statistics.median(ratios),
            # The least-disturbed run of each side: on a shared, busy machine the fairest single figure.
            "best_ratio": min(engine_times) / min(baseline_times),
            "cpu_ratio": statistics.median(cpu_ratios), **edited}


def compare_readers(label: str, path: Path, other: Path, runs: int) -> dict:
    """A full first reading with the shipped reader against one with the reader in `other` (a model folder, e.g.
    one re-exported or with its graph changed), run by run in turn in this one process, by CPU time: the share of
    the shipped reader's time that the other takes, as the median of the runs' paired ratios. On a noisy machine
    this resolves a difference of a few per cent that two separate benchmark runs do not (each run drifts by
    more than that)."""
    from smallprint import analyze
    from smallprint.engine import reader

    text = path.read_text(encoding="utf-8")
    models = {"shipped": reader.load_model(), "other": reader._load(other)}

    def first_reading(name: str) -> None:
        reader._MODEL = models[name]  # the process's reader (load_model's), swapped for this benchmark only
        reader.forget_readings()
        analyze(text=text, depth="full")

    try:
        for name in models:
            first_reading(name)  # warm-up, each once
        times = {name: [] for name in models}
        for run in range(runs):
            for name in (("shipped", "other") if run % 2 == 0 else ("other", "shipped")):
                times[name].append(timed(lambda: first_reading(name), time.process_time))
    finally:
        reader._MODEL = models["shipped"]
    paired = [o / s for o, s in zip(times["other"], times["shipped"])]
    return {"policy": label, "file": str(path.relative_to(path.parents[1])), "other": str(other),
            "shipped_cpu_s": statistics.median(times["shipped"]), "other_cpu_s": statistics.median(times["other"]),
            "other_over_shipped": statistics.median(paired)}


def peak_rss_mb(path: Path, depth: str = "quick") -> float:
    code = _RSS_CHILD.format(daemon=str(ROOT / "daemon"), path=str(path), depth=depth)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]) / 1024.0  # VmHWM and ru_maxrss are in KiB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=Path, default=ROOT.parent / "shared" / "data" / "policies")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--depth", choices=("quick", "full", "both"), default="both")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--against", type=Path, metavar="MODEL_DIR",
                        help="only compare full first readings with the shipped reader and with the reader in "
                             "MODEL_DIR, in turn in one process (CPU time; the median of paired ratios)")
    args = parser.parse_args(argv)
    os.environ.setdefault("SMALLPRINT_READER_THREADS", "1")  # one core, as in a daemon worker
    if args.against:
        rows = [compare_readers(label, path, args.against, args.runs) for label, path in pick_policies(args.policies)]
        if args.json:
            print(json.dumps({"comparisons": rows}, indent=2))
        for r in rows if not args.json else ():
            print(f"{r['policy']:8s} {r['file']:45s} shipped {r['shipped_cpu_s'] * 1000:8.1f} ms CPU  "
                  f"{r['other']}: {r['other_cpu_s'] * 1000:8.1f} ms CPU  other/shipped {r['other_over_shipped']:.3f} "
                  f"(median of {args.runs} paired runs)")
        return 0
    depths = ("quick", "full") if args.depth == "both" else (args.depth,)
    rows = []
    for label, path in pick_policies(args.policies):
        if "quick" in depths:
            rows += [bench_policy(label, path, args.runs, use_model) for use_model in (True, False)]
        if "full" in depths:
            rows.append(bench_policy(label, path, max(3, args.runs // 2), True, "full"))
    largest = pick_policies(args.policies)[0][1]
    rss = {depth: peak_rss_mb(largest, depth) for depth in depths}
    ok = all(r["ratio"] <= (RATIO_TARGET if r["depth"] == "quick" else FULL_RATIO_TARGET[r["policy"]])
             for r in rows if r["model"])
    ok = ok and rss.get("quick", 0) <= RSS_TARGET_MB and rss.get("full", 0) <= FULL_RSS_TARGET_MB
    if args.json:
        print(json.dumps({"policies": rows, "peak_rss_mb": rss, "ratio_target": RATIO_TARGET,
                          "full_ratio_target": FULL_RATIO_TARGET, "rss_target_mb": RSS_TARGET_MB,
                          "full_rss_target_mb": FULL_RSS_TARGET_MB, "ok": ok}, indent=2))
    else:
        for r in rows:
            what = "full (reader)" if r["depth"] == "full" else ("quick+model" if r["model"] else "rules only")
            target = RATIO_TARGET if r["depth"] == "quick" else FULL_RATIO_TARGET[r["policy"]]
            print(f"{r['policy']:8s} {what:13s} {r['file']:45s} {r['chars']:>8,} chars  {r['highlights']:4d} highlights  "
                  f"engine {r['engine_s'] * 1000:8.1f} ms  findall {r['findall_s'] * 1000:6.2f} ms  "
                  f"ratio {r['ratio']:7.1f} (best runs {r['best_ratio']:7.1f}, CPU time {r['cpu_ratio']:7.1f}; "
                  f"target <= {target:g})")
            if "edited_ratio" in r:
                print(f"{'':8s} {'':13s} read again after a one-paragraph edit: ratio {r['edited_ratio']:7.1f} "
                      "(only the changed sentences are read)")
            if "alone_ratio" in r:
                print(f"{'':8s} {'':13s} read alone on {r['alone_threads']} threads (wall time): ratio "
                      f"{r['alone_ratio']:7.1f} (the daemon with no other analysis running; the target is one core's)")
        for depth, mb in rss.items():
            target = RSS_TARGET_MB if depth == "quick" else FULL_RSS_TARGET_MB
            print(f"peak RSS analysing the largest policy in a fresh process, {depth}: {mb:.1f} MB (target <= {target:g})")
        print("OK" if ok else "ABOVE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
