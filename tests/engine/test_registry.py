"""The recognizer registry: every practice of the taxonomy has a recognizer; cue index points at the right ones."""
from __future__ import annotations

import re

import pytest

from smallprint.engine.recognizers import default_registry
from smallprint.taxonomy import PRACTICE_IDS


def test_every_practice_is_recognized():
    assert set(default_registry().practices()) == set(PRACTICE_IDS)


@pytest.mark.parametrize("rec", default_registry().recognizers, ids=lambda r: r.name)
def test_recognizer_declarations(rec):
    assert rec.practice in PRACTICE_IDS
    assert rec.cues and all(c == c.lower() and re.fullmatch(r"\w+", c) for c in rec.cues)
    names = [p.name for p in rec.patterns]
    assert len(names) == len(set(names))
    for p in rec.patterns:
        assert p.polarity in ("concern", "protective", "neutral")
        assert p.negated in (None, "concern", "protective", "neutral")
        assert 0 < p.score < 1


@pytest.mark.parametrize("words, practice", [
    ({"we", "sell", "data"}, "sale_of_data"),
    ({"cookies"}, "tracking"),
    ({"biometric"}, "biometric"),
])
def test_cue_index(words, practice):
    assert practice in {r.practice for r in default_registry().fired(words)}


def test_no_cue_no_recognizer():
    assert default_registry().fired({"the", "weather", "is", "nice"}) == []
