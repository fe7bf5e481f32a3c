"""A daemon worker's warm-up (engine.warm): the quick reading's loads first, the reader's beside the first requests.

Each test runs in a fresh interpreter: what it checks is what a new worker process has loaded, and this test
process has loaded everything long ago."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

EXAMPLE = ROOT / "daemon" / "smallprint" / "examples" / "example-privacy-policy.md"


def run_fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_after_the_quick_stage_a_quick_reading_loads_nothing_more():
    """No file opened, no module imported, no pattern compiled by the first real page's quick reading: the
    warm-up's text took the quick reading down every path that loads something. The reader is not loaded."""
    out = run_fresh(f"""
        import sys
        import smallprint
        from smallprint.engine import fastregex, reader, warm
        warm.load_for_quick()
        assert reader._MODEL is None, "the quick stage loaded the reader"
        text = open({str(EXAMPLE)!r}, encoding="utf-8").read()
        opened, compiled = [], []
        def watch(event, args):
            if event == "open" and isinstance(args[0], str) and not args[0].startswith("/proc"):
                opened.append(args[0])
        sys.addaudithook(watch)
        real_compile = fastregex.compile_pattern
        def counting(*a, **k):
            compiled.append(a[:1])
            return real_compile(*a, **k)
        fastregex.compile_pattern = counting
        modules = set(sys.modules)
        analysis = smallprint.analyze(text=text, depth="quick")
        assert analysis.highlights, "the example policy has highlights at quick depth"
        print("opened", opened)
        print("imported", sorted(set(sys.modules) - modules))
        print("compiled", len(compiled))
        print("reader", reader._MODEL is not None)
    """)
    assert out.splitlines() == ["opened []", "imported []", "compiled 0", "reader False"]


def test_a_quick_reading_does_not_wait_for_the_reader_and_a_full_one_does():
    """The worker's warm-up returns with the reader still loading; a quick reading is answered while that load is
    held up, and a full reading waits for the same load (one load, not two) and answers at full depth."""
    out = run_fresh(f"""
        import threading
        import smallprint
        from smallprint.daemon.runner import _warm_up
        from smallprint.engine import reader
        release, loading, loads = threading.Event(), threading.Event(), []
        real_load = reader._load
        def held_load(folder):
            loads.append(folder)
            loading.set()
            assert release.wait(120), "never released"
            return real_load(folder)
        reader._load = held_load
        assert _warm_up() is True
        assert loading.wait(120), "the warm-up did not start loading the reader"
        text = open({str(EXAMPLE)!r}, encoding="utf-8").read()
        quick = smallprint.analyze(text=text, depth="quick")
        print("quick", quick.depth, bool(quick.highlights), "reader loaded:", reader._MODEL is not None)
        answers = []
        full = threading.Thread(target=lambda: answers.append(smallprint.analyze(text=text)))
        full.start()
        full.join(0.5)
        print("full waiting:", full.is_alive())
        release.set()
        full.join(300)
        print("full", answers[0].depth, "loads:", len(loads))
    """)
    assert out.splitlines() == ["quick quick True reader loaded: False", "full waiting: True", "full full loads: 1"]


def test_the_forkservers_preload_swallows_any_error_of_the_quick_stage():
    """The forkserver survives only an ImportError from what it preloads: any other error would kill it and every
    later pool. The worker then loads the quick stage itself (daemon.runner._warm_up), and reports the error."""
    out = run_fresh("""
        from smallprint.engine import warm
        def broken():
            raise RuntimeError("a model file is damaged")
        warm.load_for_quick = broken
        from smallprint.daemon import worker_preload
        print("preloaded", worker_preload.QUICK_STAGE_PRELOADED)
    """)
    assert out.splitlines() == ["preloaded False"]


def test_a_worker_asked_twice_loads_the_reader_once():
    """A forkserver worker starts the reader's load at its start and again in its warm-up task (and a thread-mode
    daemon in each warm-up): one load, not a second try where the first failed (a damaged model read twice)."""
    out = run_fresh("""
        from smallprint.engine import reader, warm
        loads = []
        def unavailable(folder):
            loads.append(folder)
            raise reader.ReaderUnavailable("no model here")
        reader._load = unavailable
        first, second = warm.load_reader_in_background(), warm.load_reader_in_background()
        warm.wait_for_reader(120)
        print("same thread", first is second, "loads:", len(loads))
    """)
    assert out.splitlines() == ["same thread True loads: 1"]
