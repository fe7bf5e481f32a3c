"""Load what the engine loads lazily, at once: a daemon worker does this at start so no request pays for it."""
from __future__ import annotations


def load_everything() -> None:
    from .language import _identifier
    from .reader import ReaderUnavailable, load_model

    _identifier()
    try:
        load_model()
    except ReaderUnavailable:  # the full depth then answers with the quick reading and says why
        pass
