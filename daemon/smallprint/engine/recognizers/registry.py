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
        # Each cue word as a bit mask of its recognizers: a sentence's cue words OR-ed together name the recognizers
        # to run, and the few hundred combinations that occur are looked up, not rebuilt and sorted per sentence.
        self._cue_masks: dict[str, int] = {cue: sum(1 << i for i in ids) for cue, ids in self.cue_index.items()}
        self._by_mask: dict[int, tuple[tuple[Recognizer, ...], frozenset[str]]] = {}

    def fired(self, words: set[str]) -> list[Recognizer]:
        """Recognizers whose cue words occur among `words`, in registration order."""
        return list(self.cued(words)[0])

    def cued(self, words: set[str] | frozenset[str]) -> tuple[tuple[Recognizer, ...], frozenset[str]]:
        """The recognizers whose cue words occur among `words` (registration order), and their practices."""
        hits = words & self.cue_words
        if not hits:
            return (), frozenset()
        masks = self._cue_masks
        mask = 0
        for word in hits:
            mask |= masks[word]
        found = self._by_mask.get(mask)
        if found is None:
            if len(self._by_mask) >= 65536:  # bounded, whatever the input (the shared policies make ~1,000)
                self._by_mask.clear()
            chosen = tuple(rec for i, rec in enumerate(self.recognizers) if mask >> i & 1)
            found = self._by_mask[mask] = (chosen, frozenset(rec.practice for rec in chosen))
        return found

    def practices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.practice for r in self.recognizers))


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    global _DEFAULT
    if _DEFAULT is None:
        from . import ai, data_types, sharing, ads_tracking, control  # noqa: F401  (registration side effects)
        _DEFAULT = Registry(_CLASSES)
    return _DEFAULT
