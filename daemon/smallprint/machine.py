"""What this machine lets the process use, asked in one place."""
from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system tells it (a container or `taskset`
    may allow fewer than the machine has), else the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)


# A reading that has the machine to itself runs the learned reader on at most this many threads: on 2 cores the
# median shared policy's full reading takes 0.51x the time on two threads; past a few threads each one saves less
# (the rest of the reading is one thread's), and a reading spread wide slows everything else the machine runs.
MAX_READING_THREADS = 4


def reading_threads() -> int:
    """How many threads a full reading with the machine to itself may use (reader.reading_threads)."""
    return min(usable_cores(), MAX_READING_THREADS)
