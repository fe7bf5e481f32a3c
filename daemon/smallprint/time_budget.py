"""A time limit on one analysis outside the daemon: the CLI and the corpus (eval) runs.

The daemon runs analyses in worker processes it can kill (runner.py); the CLI runs them in its own process, so a
page built to be slow (the HTML parser's worst cases, a huge list-like text) would otherwise hold the terminal or a
corpus run for as long as it likes. The limit is the daemon's `analysis_timeout_seconds` (config.toml), so one
setting bounds every path.

How: a real-time interval timer (SIGALRM) raises in the main thread between two Python steps, which interrupts the
pure-Python engine wherever it is. Where there is no such timer (Windows) or the caller is not the main thread,
the analysis runs unbounded, as before.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class OverBudget(Exception):
    """An analysis ran longer than its time limit."""

    def __init__(self, seconds: float):
        super().__init__(f"the analysis took longer than {seconds:g} s (analysis_timeout_seconds in config.toml)")
        self.seconds = seconds


def analysis_time_limit() -> float:
    """The configured limit of one analysis; the default where the config cannot be read (a broken config must
    not make the limit go away)."""
    from .config import Config, ConfigError, load_config

    try:
        return load_config().analysis_timeout_seconds
    except ConfigError:
        return Config().analysis_timeout_seconds


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise OverBudget inside the `with` block once `seconds` have passed."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
