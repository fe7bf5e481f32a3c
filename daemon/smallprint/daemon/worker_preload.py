"""Imported by the runner's forkserver at its start (runner._pool_context): load what the quick reading needs there
once, so that every worker it forks inherits it (engine.warm.load_for_quick) and is ready for quick readings at
once, at a cold start as after a forget or an overrun replaced the pool.

Only the quick stage, never the reader: it would load onnxruntime, whose session (and the threads it starts) must
not be forked; each worker loads its own reader (runner._warm_up). The quick stage starts no thread.

The forkserver swallows only an ImportError from its preloads, and any other exception would kill it (and with it
every later pool), so this module swallows everything: a worker whose forkserver loaded nothing loads the quick
stage itself (runner._warm_up), and reports its errors there, where they are logged. So does one whose forkserver
could not import this module at all (the forkserver swallows that ImportError; it may not have every entry the daemon
added to sys.path).
"""
from __future__ import annotations


def _preload_quick_stage() -> bool:
    try:
        from smallprint.engine.warm import load_for_quick

        load_for_quick()
    except BaseException:  # noqa: BLE001 - see the module's docstring; the worker's warm-up tries again
        return False
    return True


QUICK_STAGE_PRELOADED = _preload_quick_stage()
