"""Presidio-like recognizers: small classes declared with cue words, patterns and context words.

A recognizer never scans a whole document. The pipeline tokenizes each sentence once, intersects its words with
the cue index of the registry, and asks only the recognizers whose cues fired to run their patterns over that
sentence; a pattern is searched only if the words it needs (`needs`) and the literal text its regex cannot match
without (literals.py) are in the sentence. Each hit is a frozen `RecognizerResult` carrying its own explanation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..fastregex import compile_pattern
from ..literals import contains_all
from ...clip import clip_words

# The most of a pattern's match an explanation quotes (the "why" line and the API's `reason` quote it): whole words.
CUE_CHARS = 60


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
        # first word, which one big alternation of all patterns loses (measured: ~7x slower). Beside each, the
        # literals it cannot match without (literals.py): where they are absent, the search is skipped, at the cost
        # of a few `in` tests, with the same result.
        steps = []
        for pattern in self.patterns:
            regex = compile_pattern(pattern.regex)
            # the two compilations' search methods, bound once (looked up per step otherwise)
            steps.append((pattern, regex.ascii.search, regex.unicode.search, pattern.needs or None, regex.literals))
        self._steps = tuple(steps)
        self._exclude = compile_pattern(self.exclude) if self.exclude else None
        self._requires = compile_pattern(self.requires) if self.requires else None
        self._context = frozenset(self.context)
        self.name = type(self).__name__
        self.pattern_rank = {p.name: i for i, p in enumerate(self.patterns)}

    def analyze(self, sentence: str, words: frozenset[str] | set[str], relaxed: bool = False) -> list[RecognizerResult]:
        """`sentence` is lower-cased; `words` its tokens. Returns the hit of the first pattern (in declared order,
        most specific first) that matches, or nothing: that pattern decides the reading, so the rest need not run.
        `relaxed` skips the gates (exclude, requires, needs): for reading the polarity of a clause that the
        model, not a pattern, found to state this practice."""
        if not relaxed:
            if self._exclude is not None and contains_all(sentence, self._exclude.literals) \
                    and self._exclude.search(sentence):
                return []
            if self._requires is not None and not (contains_all(sentence, self._requires.literals)
                                                   and self._requires.search(sentence)):
                return []
        ascii = sentence.isascii()  # most sentences: their patterns' faster ASCII compilation applies (fastregex.py)
        for pattern, search_ascii, search_unicode, needs, literals in self._steps:
            if needs is not None and not relaxed and needs.isdisjoint(words):
                continue
            if literals and not contains_all(sentence, literals):
                continue  # the pattern cannot match: a literal it needs is not in the sentence
            m = search_ascii(sentence) if ascii else search_unicode(sentence)
            if m is None:
                continue
            context_hits = sorted(self._context & words) if self._context else []
            score = min(0.99, pattern.score + (self.context_boost if context_hits else 0.0))
            cue = clip_words(" ".join(m.group(0).split()), CUE_CHARS)
            explanation = f"{self.name}/{pattern.name}: \"{cue}\""
            if context_hits:
                explanation += f"; context: {', '.join(context_hits[:4])}"
            return [RecognizerResult(m.start(), m.end(), score, explanation, self.practice, pattern.name,
                                     pattern.polarity, pattern.negated)]
        return []
