"""The recognizer registry and its cue index: cue word -> recognizers that care about it."""
from __future__ import annotations

from .base import Recognizer

_CLASSES: list[type[Recognizer]] = []


def register(cls: type[Recognizer]) -> type[Recognizer]:
    """Class decorator: adds a recognizer to the default registry."""
    _CLASSES.append(cls)
    return cls


class Registry:
    """Instantiated recognizers plus the index the pipeline uses for its single cue pass."""

    def __init__(self, classes: list[type[Recognizer]]) -> None:
        self.recognizers: tuple[Recognizer, ...] = tuple(cls() for cls in classes)
        index: dict[str, list[int]] = {}
        for i, rec in enumerate(self.recognizers):
            for cue in rec.cues:
                index.setdefault(cue, []).append(i)
        self.cue_index: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in index.items()}
        self.cue_words: frozenset[str] = frozenset(index)
        self.by_practice: dict[str, Recognizer] = {r.practice: r for r in self.recognizers}

    def fired(self, words: set[str]) -> list[Recognizer]:
        """Recognizers whose cue words occur among `words`, in registration order."""
        hits = words & self.cue_words
        if not hits:
            return []
        chosen: set[int] = set()
        for word in hits:
            chosen.update(self.cue_index[word])
        return [self.recognizers[i] for i in sorted(chosen)]

    def practices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.practice for r in self.recognizers))


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    global _DEFAULT
    if _DEFAULT is None:
        from . import ai, data_types, sharing, ads_tracking, control  # noqa: F401  (registration side effects)
        _DEFAULT = Registry(_CLASSES)
    return _DEFAULT
