"""Presidio-like recognizers: small classes declared with cue words, patterns and context words.

A recognizer never scans a whole document. The pipeline tokenizes each sentence once, intersects its words with
the cue index of the registry, and asks only the recognizers whose cues fired to run their (one, combined)
pattern over that sentence. Each hit is a frozen `RecognizerResult` carrying its own explanation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Pattern:
    """One way a practice is stated. `polarity` applies as written; `negated` when a negation governs the match
    (None: negation does not change it)."""
    name: str
    regex: str
    polarity: str
    negated: str | None = None
    score: float = 0.75
    # Words of which at least one must be in the sentence for the pattern to be tried at all (a set lookup is
    # far cheaper than a regex search); empty: always tried when the recognizer's cues fired.
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RecognizerResult:
    """A recognizer's hit inside one sentence: offsets are relative to that sentence."""
    start: int
    end: int
    score: float
    explanation: str
    practice: str
    pattern: str
    polarity: str
    negated_polarity: str | None


def _top_level_branches(regex: str) -> list[str]:
    """Split a regex at its top-level '|' (outside groups, classes and escapes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if regex[i + 1:i + 2] == "]":
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(regex[start:i])
            start = i + 1
        i += 1
    parts.append(regex[start:])
    return parts


def compile_fast(regex: str) -> tuple[re.Pattern, bool]:
    """Compile a pattern; when every top-level branch starts with a word boundary, compile it without those
    leading `\\b`s and return True, so the caller checks the boundary itself. The regex engine scans for a
    pattern's possible first characters quickly, but not when it must first test a word boundary (~3x slower)."""
    branches = _top_level_branches(regex)
    if all(b.startswith("\\b") for b in branches):
        return re.compile("|".join(b[2:] for b in branches)), True
    return re.compile(regex), False


def _at_word_start(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")


def search_bounded(regex: re.Pattern, needs_boundary: bool, text: str):
    """`regex.search(text)`, honouring the leading word boundary that `compile_fast` took out."""
    m = regex.search(text)
    if not needs_boundary:
        return m
    while m is not None and not _at_word_start(text, m.start()):
        m = regex.search(text, m.start() + 1)
    return m


class Recognizer:
    """Subclasses declare: `practice`, `cues` (lower-case words, exact tokens), `patterns`, `context` words that
    raise confidence when they occur in the same sentence, and optionally `exclude` (a regex that vetoes a hit,
    e.g. the legal boilerplate that borrows the practice's words) and `requires` (a regex the sentence must
    contain, e.g. "policy" or "terms" for policy changes). Patterns are listed most specific first: when several
    fire in one sentence, the first decides the polarity."""
    practice: ClassVar[str]
    cues: ClassVar[tuple[str, ...]]
    patterns: ClassVar[tuple[Pattern, ...]]
    context: ClassVar[tuple[str, ...]] = ()
    exclude: ClassVar[str | None] = None
    requires: ClassVar[str | None] = None
    context_boost: ClassVar[float] = 0.1

    def __init__(self) -> None:
        # One compiled regex per pattern, searched separately: each keeps the regex engine's fast scan for its
        # first word, which one big alternation of all patterns loses (measured: ~7x slower).
        self._regexes = tuple(compile_fast(p.regex) for p in self.patterns)
        self._exclude = re.compile(self.exclude) if self.exclude else None
        self._requires = re.compile(self.requires) if self.requires else None
        self._context = frozenset(self.context)
        self.name = type(self).__name__
        self.pattern_rank = {p.name: i for i, p in enumerate(self.patterns)}

    def analyze(self, sentence: str, words: frozenset[str] | set[str], relaxed: bool = False) -> list[RecognizerResult]:
        """`sentence` is lower-cased; `words` its tokens. Returns the hit of the first pattern (in declared order,
        most specific first) that matches, or nothing: that pattern decides the reading, so the rest need not run.
        `relaxed` skips the gates (exclude, requires, needs): for reading the polarity of a clause that the
        model, not a pattern, found to state this practice."""
        if not relaxed:
            if self._exclude is not None and self._exclude.search(sentence):
                return []
            if self._requires is not None and not self._requires.search(sentence):
                return []
        for pattern, (regex, bounded) in zip(self.patterns, self._regexes):
            if pattern.needs and not relaxed and pattern.needs.isdisjoint(words):
                continue
            m = search_bounded(regex, bounded, sentence)
            if m is None:
                continue
            context_hits = sorted(self._context & words) if self._context else []
            score = min(0.99, pattern.score + (self.context_boost if context_hits else 0.0))
            cue = " ".join(m.group(0).split())[:60]
            explanation = f"{self.name}/{pattern.name}: \"{cue}\""
            if context_hits:
                explanation += f"; context: {', '.join(context_hits[:4])}"
            return [RecognizerResult(m.start(), m.end(), score, explanation, self.practice, pattern.name,
                                     pattern.polarity, pattern.negated)]
        return []
