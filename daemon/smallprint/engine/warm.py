"""Load what the engine loads lazily, at once: a daemon worker does this at start so no request pays for it.

Two stages, because they serve two depths. What the quick reading needs (the rules' compiled patterns, the linear
models, the page-kind and segment models: about half a second) comes first; the learned reader (onnxruntime's
session, the tokenizer, the second thoughts: about as long again) second. A daemon worker loads the first before
it takes any request and the second beside its first requests (`load_reader_in_background`), so that after a
cold start, as after an idle exit, the quick highlights need not wait for the reader to load.
"""
from __future__ import annotations

import threading

# A short policy-like text that takes the quick reading down every path that loads something: a title and a heading
# (the page's kind), clauses of several practices and polarities (the recognizers' patterns, the linear models),
# and paragraphs (the segment model). The language identifier is not loaded by it, on purpose: an English page is
# recognised at a glance and never needs it (language.ENGLISH_SHARE).
WARM_UP_TEXT = (
    "# Privacy Policy\n\n"
    "This Privacy Policy explains how we collect, use and share your personal information.\n\n"
    "## Information we collect\n\n"
    "We collect your email address, your location and the content you upload. We may share it with advertisers "
    "and use it to train our artificial intelligence models. We do not sell your personal information.\n\n"
    "## Your choices\n\n"
    "You can delete your account at any time, and we delete your data within 30 days.\n"
)


def load_for_quick() -> None:
    """Everything a quick reading loads lazily. Reads only WARM_UP_TEXT, and at quick depth: the reader, which
    remembers what it read, reads nothing here."""
    from . import pipeline

    pipeline.analyze(text=WARM_UP_TEXT, depth="quick")


def load_reader() -> None:
    """The learned reader (and its second thoughts). Where it cannot be loaded, the full depth answers with the quick
    reading and says why, so that is no error here."""
    from .reader import ReaderUnavailable, load_model

    try:
        load_model()
    except ReaderUnavailable:
        pass


_loading: threading.Thread | None = None  # this process's background load of the reader, once started
_loading_lock = threading.Lock()


def load_reader_in_background() -> threading.Thread:
    """Start loading the reader in a thread of this process and return at once. A full reading that starts before
    it is done waits for it (reader.load_model is locked), rather than loading a second copy; a quick one goes
    ahead: onnxruntime builds its session outside the interpreter's lock, so the two run side by side.
    Once per process: a worker may be asked twice (runner._worker_start and _warm_up; every thread-mode warm-up),
    and where the reader cannot be loaded a second try would only fail again, at the cost of the first."""
    global _loading
    with _loading_lock:
        if _loading is None:
            _loading = threading.Thread(target=load_reader, name="smallprint-load-reader", daemon=True)
            _loading.start()
        return _loading


def wait_for_reader(seconds: float) -> None:
    """Wait (at most `seconds`) until the background load of the reader, if one was started, is done."""
    loading = _loading
    if loading is not None:
        loading.join(seconds)
