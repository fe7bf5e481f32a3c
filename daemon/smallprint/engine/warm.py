"""Load what the engine loads lazily, at once: a daemon worker does this at start so no request pays for it."""
from __future__ import annotations


def load_everything() -> None:
    # (the language identifier is not loaded here: English pages never need it, see language.ENGLISH_SHARE)
    from .reader import ReaderUnavailable, load_model

    try:
        load_model()
    except ReaderUnavailable:  # the full depth then answers with the quick reading and says why
        pass
