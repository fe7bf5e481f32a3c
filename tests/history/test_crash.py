"""SIGKILL while recording: a real `smallprint serve` is killed again and again in the middle of recording
policy versions; afterwards the store passes PRAGMA integrity_check and holds every version whose request
was answered, each complete."""
from __future__ import annotations

import json
import random
import signal
import threading
import time

import pytest

from smallprint.history.normalise import content_hash
from smallprint.history.store import Store, analysis_text
from tests.conftest import require
from tests.daemon.conftest import run_cli, start_daemon

ROUNDS = 6
CLIENTS = 3


def _post(daemon, token: str, body: dict) -> dict | None:
    try:
        status, reply = daemon.request("POST", "/v1/analyze", body, token=token)
    except OSError:  # killed mid-request: the connection broke
        return None
    return reply if status == 200 else None


@pytest.mark.slow
def test_sigkill_while_recording_never_corrupts_or_loses_a_completed_version(shared_data, tmp_path):
    policy_file = shared_data / "policies" / "youtube" / "2015-03-03_pga1_3cca8a0.md"
    require(policy_file.exists(), f"{policy_file} is missing")
    policy = policy_file.read_text(encoding="utf-8")
    home = tmp_path / "sp-home"
    (home / "config").mkdir(parents=True)
    # Threads, not processes: a SIGKILLed daemon must not leave worker processes behind.
    # Retention high enough that no confirmed version is pruned: this test is about durability, and a fast
    # machine records more than the default 20 versions per site.
    (home / "config" / "config.toml").write_text('worker_mode = "thread"\n\n[history]\nretention_versions = 100000\n')
    rng = random.Random(5)
    confirmed: dict[int, str] = {}  # version id -> hash of the text whose recording was answered
    lock = threading.Lock()
    serial = iter(range(1_000_000))

    for round_number in range(ROUNDS):
        daemon = start_daemon(home, "--port", "0")
        token = run_cli(home, "token").stdout.strip()
        stop = threading.Event()

        def client(site: int) -> None:
            while not stop.is_set():
                n = next(serial)
                text = f"{policy}\n\nRevision {n} of this policy took effect in round {round_number}."
                reply = _post(daemon, token, {"text": text, "url": f"https://www.site{site}.example/privacy"})
                if reply and reply.get("history", {}).get("recorded"):
                    with lock:
                        confirmed[reply["history"]["version"]] = content_hash(analysis_text(reply))

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        # Kill at a random moment once this round has recorded something: the clients keep posting, so the
        # kill lands anywhere in the cycle (reading, analysing, inside the write transaction, answering).
        before, deadline = len(confirmed), time.monotonic() + 90
        while len(confirmed) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.8))
        daemon.process.send_signal(signal.SIGKILL)
        daemon.process.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        for stream in (daemon.process.stdout, daemon.process.stderr):
            stream.close()

    assert len(confirmed) >= ROUNDS, "too few recordings completed to test anything"
    with Store(home / "data" / "smallprint.sqlite3") as store:
        assert store.integrity() == "ok"
        stored = {v.id: v for site in store.sites() for v in store.versions(site.site)}
        print(f"{ROUNDS} kills: {len(confirmed)} versions answered as recorded, {len(stored)} stored")
        missing = sorted(set(confirmed) - set(stored))
        assert not missing, f"versions answered as recorded but lost: {missing}"
        for version_id, digest in confirmed.items():
            assert stored[version_id].hash == digest
            analysis = store.analysis(version_id)
            assert content_hash(analysis_text(analysis)) == digest  # the whole analysis, not a torn write
            assert json.dumps(analysis)
        # A version written but not yet answered when the kill came is allowed; a half-written one is not.
        for v in stored.values():
            assert content_hash(store.text(v.id)) == v.hash
