#!/usr/bin/env python3
"""Load benchmark of a real `smallprint serve` (not a test): start-up, idle memory, 50 concurrent analyses.

    .venv/bin/python scripts/bench_daemon.py [--concurrency 50] [--workers 2] [--worker-mode process|thread]

Figures: time from starting `smallprint serve` to its first healthy answer (several starts; target <= 1.5 s),
time from starting it to the first quick and then full answer for the policy (a cold start, as after an idle exit),
idle RSS of the daemon and, separately, of its worker processes (target <= 80 MB for the daemon),
latency p50/p99 of N concurrent analyses of a mid-sized real policy (each request distinct, so none is served
from the cache), and /v1/health latency p99 while they run (target < 50 ms).
Everything runs in a throw-away SMALLPRINT_HOME; the token goes to a file there (no keyring is touched).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SMALLPRINT_SHARED", ROOT.parent / "shared")).resolve() / "data"
HEALTH_INTERVAL = 0.02


def pick_policy() -> tuple[str, str]:
    """The privacy policy of median length among the latest versions (name, text)."""
    entries = [json.loads(line) for line in (SHARED_DATA / "policies" / "index.jsonl").read_text().splitlines()
               if line.strip()]
    latest = [e for e in entries if e.get("note") == "latest in snapshot" and e.get("doc_type") == "Privacy Policy"]
    latest.sort(key=lambda e: e["chars"])
    chosen = latest[len(latest) // 2]
    return f"{chosen['service']} ({chosen['chars']} chars)", (SHARED_DATA / "policies" / chosen["file"]).read_text()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


class Daemon:
    def __init__(self, home: Path, workers: int, worker_mode: str, history: bool = True):
        self.home = home
        config_dir = home / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "config.toml").write_text(
            f'port = 0\nworkers = {workers}\nworker_mode = "{worker_mode}"\nanalysis_timeout_seconds = 300\n'
            f"[history]\nenabled = {'true' if history else 'false'}\n")
        self.env = dict(os.environ, SMALLPRINT_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> float:
        """Start `smallprint serve`; seconds until /v1/health first answers (CPU seconds it took: self.start_cpu)."""
        started = self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "smallprint", "serve"], env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()  # "smallprint daemon listening on http://127.0.0.1:PORT ..."
        if "listening on" not in line:
            raise SystemExit(f"daemon did not start: {line!r}")
        self.port = int(line.split("http://127.0.0.1:")[1].split()[0])
        asyncio.run(self._wait_healthy())
        elapsed = time.perf_counter() - started
        self.start_cpu = cpu_seconds(self.process.pid)  # less sensitive than wall time to a busy machine
        return elapsed

    async def _wait_healthy(self) -> None:
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/v1/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.005)

    def token(self) -> str:
        return subprocess.run([sys.executable, "-m", "smallprint", "token"], env=self.env, capture_output=True,
                              text=True, check=True).stdout.strip()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        if self.process:
            self.process.stdout.close()


async def idle_health(port: int, seconds: float) -> list[float]:
    """Health latencies with nothing else going on: the floor set by this machine's current load."""
    found: list[float] = []
    async with aiohttp.ClientSession() as session:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            began = time.perf_counter()
            async with session.get(f"http://127.0.0.1:{port}/v1/health") as response:
                await response.read()
            found.append(time.perf_counter() - began)
            await asyncio.sleep(HEALTH_INTERVAL)
    return found


async def first_readings(daemon: "Daemon", token: str, text: str) -> tuple[float, float]:
    """Right after a start (as the bridge asks after starting a daemon): seconds from `smallprint serve` starting to
    the quick answer, and then to the full one, each asked as the extension asks, quick first."""
    base = f"http://127.0.0.1:{daemon.port}"
    headers = {"Authorization": f"Bearer {token}"}
    answered = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        for depth in ("quick", "full"):
            body = {"text": text, "url": "https://example.com/privacy", "title": "Privacy Policy", "depth": depth}
            async with session.post(f"{base}/v1/analyze", json=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise SystemExit(f"{depth} analysis after a start answered {response.status}")
            answered.append(time.perf_counter() - daemon.started)
    return answered[0], answered[1]


async def load(port: int, token: str, text: str, concurrency: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    health: list[float] = []
    statuses: list[int] = []
    done = asyncio.Event()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=600)) as session:
        async def one(i: int) -> None:
            body = {"text": text, "url": f"https://example.com/privacy?copy={i}", "title": "Privacy Policy"}
            began = time.perf_counter()
            async with session.post(f"{base}/v1/analyze", json=body, headers=headers) as response:
                await response.read()
                statuses.append(response.status)
            latencies.append(time.perf_counter() - began)

        async def probe_health() -> None:
            while not done.is_set():
                began = time.perf_counter()
                async with session.get(f"{base}/v1/health") as response:
                    await response.read()
                health.append(time.perf_counter() - began)
                await asyncio.sleep(HEALTH_INTERVAL)

        prober = asyncio.create_task(probe_health())
        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(concurrency)))
        wall = time.perf_counter() - began
        done.set()
        await prober
        cached_began = time.perf_counter()
        await one(0)  # the same request again: served from the cache
        cached = time.perf_counter() - cached_began
        del latencies[concurrency:], statuses[concurrency:]
    return {"statuses": statuses, "latencies": latencies, "health": health, "wall": wall, "cached": cached}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-mode", choices=("process", "thread"), default="process")
    parser.add_argument("--starts", type=int, default=5, help="start-up measurements")
    parser.add_argument("--no-history", action="store_true", help="turn the policy memory off (on by default)")
    args = parser.parse_args()

    name, text = pick_policy()
    print(f"policy: {name}; {args.concurrency} concurrent analyses; {args.workers} {args.worker_mode} workers; policy memory {'off' if args.no_history else 'on'}; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    with tempfile.TemporaryDirectory(prefix="smallprint-bench-") as tmp:
        startup: list[float] = []
        startup_cpu: list[float] = []
        for i in range(args.starts):
            daemon = Daemon(Path(tmp) / f"start{i}", args.workers, args.worker_mode)
            try:
                startup.append(daemon.start())
                startup_cpu.append(daemon.start_cpu)
            finally:
                daemon.stop()
        baseline_began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import aiohttp.web"], check=True)
        baseline = time.perf_counter() - baseline_began
        print(f"start to first healthy answer: median {statistics.median(startup):.2f} s, "
              f"best {min(startup):.2f} s, worst {max(startup):.2f} s (target <= 1.5 s); "
              f"for scale, `python -c 'import aiohttp.web'` took {baseline:.2f} s now "
              f"(ratio {statistics.median(startup) / baseline:.1f}x); CPU time of the daemon until healthy: "
              f"median {statistics.median(startup_cpu):.2f} s")

        # A cold start, as after an idle exit: the first quick and full answers (the token is read beforehand, as the
        # bridge has it, so that only the daemon's own start is timed).
        cold: list[tuple[float, float]] = []
        for i in range(args.starts):
            daemon = Daemon(Path(tmp) / f"cold{i}", args.workers, args.worker_mode)
            token = daemon.token()
            try:
                daemon.start()
                cold.append(asyncio.run(first_readings(daemon, token, text)))
            finally:
                daemon.stop()
        quick_cold, full_cold = (statistics.median(c[i] for c in cold) for i in (0, 1))
        print(f"start to first answers: quick median {quick_cold:.2f} s ({', '.join(f'{c[0]:.2f}' for c in cold)}; "
              f"{quick_cold / baseline:.1f}x the aiohttp import), full median {full_cold:.2f} s "
              f"({', '.join(f'{c[1]:.2f}' for c in cold)}; {full_cold / baseline:.1f}x)")

        daemon = Daemon(Path(tmp) / "load", args.workers, args.worker_mode, history=not args.no_history)
        try:
            daemon.start()
            token = daemon.token()
            time.sleep(4)  # past the background start: workers spawned and warmed up, token read
            daemon_rss = rss_kb(daemon.process.pid) / 1024
            helpers = descendants(daemon.process.pid)
            helper_rss = sum(rss_kb(pid) for pid in helpers) / 1024
            print(f"idle RSS: daemon {daemon_rss:.1f} MB (target <= 80 MB); its {len(helpers)} helper processes "
                  f"(forkserver + workers) {helper_rss:.1f} MB together")

            idle = asyncio.run(idle_health(daemon.port, 5.0))
            cpu_before = cpu_seconds(daemon.process.pid)
            result = asyncio.run(load(daemon.port, token, text, args.concurrency))
            loop_cpu = cpu_seconds(daemon.process.pid) - cpu_before
            ok = sum(1 for s in result["statuses"][:args.concurrency] if s == 200)
            lat, health = result["latencies"], result["health"]
            print(f"analyses: {ok}/{args.concurrency} succeeded in {result['wall']:.1f} s "
                  f"({args.concurrency / result['wall']:.1f}/s); latency p50 {percentile(lat, 50):.2f} s, "
                  f"p99 {percentile(lat, 99):.2f} s; one repeat from the cache {result['cached'] * 1000:.1f} ms")
            print(f"health while loaded: {len(health)} checks, p50 {percentile(health, 50) * 1000:.1f} ms, "
                  f"p99 {percentile(health, 99) * 1000:.1f} ms, max {max(health) * 1000:.1f} ms (target p99 < 50 ms); "
                  f"idle daemon, same machine, just before: p50 {percentile(idle, 50) * 1000:.1f} ms, "
                  f"p99 {percentile(idle, 99) * 1000:.1f} ms")
            print(f"daemon main process CPU during the load: {loop_cpu:.2f} s "
                  f"({loop_cpu / result['wall'] * 100:.0f}% of one CPU"
                  + ("; the analyses ran in worker processes)" if args.worker_mode == "process" else
                     ", analyses included: they ran in its threads)"))
            loaded_rss = rss_kb(daemon.process.pid) / 1024
            print(f"RSS after the load: daemon {loaded_rss:.1f} MB, helpers "
                  f"{sum(rss_kb(p) for p in descendants(daemon.process.pid)) / 1024:.1f} MB")
            return 0 if ok == args.concurrency else 1
        finally:
            daemon.stop()


if __name__ == "__main__":
    sys.exit(main())
