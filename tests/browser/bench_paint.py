"""Benchmark (not a test): page load event -> last highlight painted, in headless Chromium with the real extension,
bridge and daemon, for the median-sized and the largest policy in ../shared/data/policies.

    .venv/bin/python -m tests.browser.bench_paint [--browser chromium|firefox] [--runs 5] [--out FILE]

The daemon is started by the bridge on a warm-up page first, so the figures are for a running daemon. Each run
is a first reading: before it the daemon forgets what it read (DELETE /v1/memory: its cached analyses and the
reader's remembered readings), and its new workers are warmed on another text (the reader and the language
identifier loaded), as a daemon that has been running a while is; a revisit of a page read before (the last run's,
in a new tab: a cache hit) is reported beside it, as `revisit`. How long a daemon takes from its start to its
first answers is scripts/bench_daemon.py's to say. Each run
loads the page in a fresh tab; the content script measures the time itself (performance.now() at the end of
painting minus the navigation's loadEventEnd) and splits it into extraction, native round trip and painting (and, within painting, the walk up the page's
elements for the colours behind the clauses).
The quick reading (the rules) is painted first and the learned reader's replaces it: both times are reported
(`first.msSinceLoad` is the quick paint's). Targets: quick paint <= 300 ms (issue 4), the reader's highlights
<= 2 s after load (issue 11), for the median policy.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.bridge.harness import daemon_info, post_analyze, stop_daemon
from tests.conftest import ROOT, SHARED_DATA, missing_shared_data_reason

from .harness import PAGES_DIR, ChromiumSession, FirefoxSession, PageHandler, geckodriver_path, install_host, painted


def pick_policies() -> dict[str, dict]:
    rows = [json.loads(line) for line in (SHARED_DATA / "policies" / "index.jsonl").read_text().splitlines() if line]
    rows.sort(key=lambda r: r["chars"])
    return {"median": rows[len(rows) // 2], "largest": rows[-1]}


def measure(browser, url: str) -> dict:
    page = browser.open(url)  # Chromium: a new tab each time; Firefox: the same tab, a new page
    state = browser.wait_state(url, painted, f"{url} to be painted", timeout=300)
    if page is not None:
        page.close()
    if state["status"] != "done":
        raise SystemExit(f"analysis failed: {state.get('error')}")
    return {**state["painted"], "highlights_found": len(state["highlights"]), "reply_frames": state["replyFrames"]}


WARM_UP_GERMAN = ("Wir erheben Ihre personenbezogenen Daten, wenn Sie unsere Dienste nutzen. Wir geben Ihre Daten "
                  "nicht an Dritte weiter, es sei denn, Sie haben eingewilligt. Sie können Ihre Einwilligung "
                  "jederzeit widerrufen. ") * 4


def forget_and_warm(home: Path) -> None:
    """The daemon forgets what it read, and its new workers are warmed: the next page is a first reading by a
    daemon that is ready, not a cache hit (a page read in an earlier run is answered from the daemon's cache, and
    its sentences from the reader's memory: 0.5 s against 4.5 s for the median policy on a 2-core machine)."""
    import urllib.request

    info = daemon_info(home)
    if info is None:
        raise SystemExit("the daemon the bridge started does not answer")
    token = (home / "config" / "token").read_text().strip()
    forget = urllib.request.Request(f"http://{info['host']}:{info['port']}/v1/memory", method="DELETE",
                                    headers={"Authorization": f"Bearer {token}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(forget, timeout=60) as response:
        response.read()
    # A forget replaces the workers; one full reading each (at once, so that each worker takes one) waits for
    # their readers to load. Its German paragraph loads the language identifier too, as a worker that has read a
    # while has (the median policy needs it: a long list of addresses that no glance can call English).
    warm_ups = [threading.Thread(target=post_analyze, args=(info, home, {
        "text": f"Warm-up {i}. We collect your email address to send you our newsletter.\n\n" + WARM_UP_GERMAN,
        "depth": "full"})) for i in range(2)]
    for thread in warm_ups:
        thread.start()
    for thread in warm_ups:
        thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", choices=("chromium", "firefox"), default="chromium")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    args.out = args.out or ROOT / "test-artifacts" / f"bench-paint-{args.browser}.json"
    if not (SHARED_DATA / "policies").is_dir():
        print(missing_shared_data_reason(), file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PageHandler, directory=str(PAGES_DIR)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="smallprint-bench-") as tmp:
        home = Path(tmp) / "sp-home"
        profile = Path(tmp) / "profile"
        profile.mkdir()
        try:
            with sync_playwright() as driver:
                if args.browser == "chromium":
                    install_host(profile / "NativeMessagingHosts", home, "chromium")
                    browser = ChromiumSession(driver, profile)
                else:
                    os.environ["SE_OFFLINE"] = "true"  # Selenium must not try to download drivers
                    install_host(profile / ".mozilla" / "native-messaging-hosts", home, "firefox")
                    browser = FirefoxSession(profile, geckodriver_path(), Path(tmp) / "geckodriver.log")
                try:
                    started = time.monotonic()
                    measure(browser, f"{base}/policy.html")  # warm-up: the bridge starts the daemon
                    print(f"warm-up (daemon start included): {time.monotonic() - started:.1f} s")
                    for label, row in pick_policies().items():
                        name = row["file"].removesuffix(".md")
                        runs = []
                        for i in range(args.runs):
                            forget_and_warm(home)
                            # A distinct query per run: each is a new page to the extension (no dedupe).
                            runs.append(measure(browser, f"{base}/policies/{name}.html?run={i}"))
                        # the last run's page again, in a new tab: the daemon's cache answers both readings (its key
                        # holds the address; and each worker remembers only the sentences it read itself)
                        revisit = measure(browser, f"{base}/policies/{name}.html?run={args.runs - 1}")
                        times = [r["msSinceLoad"] for r in runs]
                        quick_times = [(r.get("first") or {}).get("msSinceLoad") for r in runs]
                        results[label] = {
                            "median_quick_ms_since_load": statistics.median(t for t in quick_times if t is not None)
                            if any(t is not None for t in quick_times) else None,
                            "file": row["file"], "chars": row["chars"], "runs": runs,
                            "median_ms_since_load": statistics.median(times),
                            "median_round_trip_ms": statistics.median(r["roundTripMs"] for r in runs),
                            "median_extract_ms": statistics.median(r["extractMs"] for r in runs),
                            "median_paint_ms": statistics.median(r["paintMs"] for r in runs),
                            # part of the paint: the getComputedStyle walk for the colours behind the clauses
                            "median_background_ms": statistics.median(r.get("backgroundMs", 0) for r in runs),
                            "revisit": revisit,
                        }
                        r = results[label]
                        print(f"{label:8} {row['file']} ({row['chars']:,} chars, {runs[0]['highlights_found']} clauses):"
                              f" load -> quick painted median {r['median_quick_ms_since_load']} ms,"
                              f" full painted median {r['median_ms_since_load']} ms"
                              f" (extract {r['median_extract_ms']}, round trip {r['median_round_trip_ms']},"
                              f" paint {r['median_paint_ms']}, of which background colours"
                              f" {r['median_background_ms']}); runs {times}; a revisit (the daemon's cache):"
                              f" quick {(revisit.get('first') or {}).get('msSinceLoad')} ms,"
                              f" full {revisit['msSinceLoad']} ms")
                finally:
                    browser.close()
        finally:
            stop_daemon(home)
            server.shutdown()
    print(f"browser: {args.browser}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
