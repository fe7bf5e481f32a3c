"""Helpers for recognizer tests: read one clause with the rules alone."""
from __future__ import annotations

from smallprint.engine.clauses import read_clause


def polarity_of(sentence: str, practice: str) -> str | None:
    found = read_clause(sentence).get(practice)
    return found[0] if found else None
