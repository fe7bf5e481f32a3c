"""Split a block's text into sentence- or clause-sized spans with code-point offsets.

Highlights are placed on these spans, so they must be tight: a long sentence (a run-on list of purposes) is cut
further at semicolons. One regex pass finds candidate boundaries; abbreviations are checked only there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A candidate boundary: end punctuation (+ closing quotes/brackets) then space and anything but a lower-case
# ASCII letter (a capital in any script, digit, quote, bracket, bullet, emoji); or a line break, unless it falls
# inside a sentence (a word or comma before it and a lower-case word after it: a wrapped line; checked in Python,
# since a regex alternative that may start with optional spaces would be tried at every position). Fixed-width pieces only: linear time on any input.
# Written as `[.!?]+[\"'”’)\]]*[ \t]+(?=[^\sa-z])|[\r\n]\s*` with its first character taken out in front (each
# alternative then checks which one it was): the same matches, but a regex that starts with one character class
# lets the regex engine skip to the next candidate character in C (~3x faster) instead of trying both alternatives
# at every position.
_BOUNDARY = re.compile(r"[.!?\r\n](?:(?<=[.!?])[.!?]*[\"'”’)\]]*[ \t]+(?=[^\sa-z])|(?<=[\r\n])\s*)")
_CLAUSE = re.compile(r";[ \t]+|:[ \t]+(?=[\"'“(•\-*]?[A-Z(•])")
_LAST_WORD = re.compile(r"(\w[\w.]{0,12})[.!?]+[\"'”’)\]]*\s*$")
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "inc", "ltd", "llc", "co", "corp", "mr", "mrs", "ms", "dr", "st", "no", "nos", "vs", "u.s",
    "u.k", "e.u", "approx", "art", "sec", "para", "fig", "jr", "sr", "cf", "al", "ex", "incl", "p", "pp", "u.s.a",
    "s.a", "s.l", "b.v", "n.v", "gmbh", "ag", "viz", "ca", "vol", "op", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec",
})
# Sentences longer than this are cut into clauses at semicolons (and colons that open a capitalised clause).
LONG_SENTENCE = 280
MIN_CLAUSE = 40
# No span is longer than this: text without sentence punctuation (a dump, an attack) is cut at spaces, so the
# work per span, and a highlight, stay bounded.
MAX_SPAN = 1000


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def ends_with_abbreviation(text: str, cut: int) -> bool:
    """Whether the sentence end that stops at `cut` (after its punctuation and closing quotes) is an abbreviation's
    full stop ("e.g.", "U.S.", "Inc."): no sentence ends there. The history diff cuts clauses by the same rule."""
    m = _LAST_WORD.search(text, max(0, cut - 16), cut)
    return bool(m) and m.group(1).lower().rstrip(".") in _ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _bounded(text: str, span: Span) -> list[Span]:
    """Cut a span longer than MAX_SPAN at the last space before each limit (or hard at the limit)."""
    if span.end - span.start <= MAX_SPAN:
        return [span]
    pieces, start = [], span.start
    while span.end - start > MAX_SPAN:
        cut = text.rfind(" ", start + MAX_SPAN // 2, start + MAX_SPAN)
        cut = cut if cut > start else start + MAX_SPAN
        piece = _trimmed(text, start, cut)
        if piece:
            pieces.append(piece)
        start = cut
    last = _trimmed(text, start, span.end)
    if last:
        pieces.append(last)
    return pieces


def _clauses(text: str, span: Span) -> list[Span]:
    """Cut a long sentence at clause boundaries, keeping pieces at least MIN_CLAUSE long."""
    if span.end - span.start <= LONG_SENTENCE:
        return [span]
    if span.end - span.start > MAX_SPAN * 4 and ";" not in text[span.start:span.end]:
        return _bounded(text, span)
    pieces: list[Span] = []
    start = span.start
    for m in _CLAUSE.finditer(text, span.start, span.end):
        if m.start() - start >= MIN_CLAUSE and span.end - m.end() >= MIN_CLAUSE:
            piece = _trimmed(text, start, m.start() + 1)
            if piece:
                pieces.append(piece)
            start = m.end()
    last = _trimmed(text, start, span.end)
    if last:
        pieces.append(last)
    return [bounded for piece in pieces for bounded in _bounded(text, piece)]


def _wrapped(text: str, at: int, after: int) -> bool:
    """A line break inside a sentence: a word or comma before it, a lower-case word or '(' after it."""
    before = at - 1
    while before >= 0 and text[before] in " \t":
        before -= 1
    if before < 0 or not (text[before].isalnum() or text[before] in "_,"):
        return False
    return after < len(text) and ("a" <= text[after] <= "z" or text[after] == "(")


def split_sentences(text: str) -> list[Span]:
    """Sentence (or clause) spans of `text`, in order, without surrounding whitespace."""
    spans: list[Span] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        first = text[m.start()]
        if first in "\r\n":
            if _wrapped(text, m.start(), m.end()):
                continue
            piece = _trimmed(text, start, m.start())
        else:
            punct_end = m.start() + len(m.group(0).rstrip())
            if first == "." and ends_with_abbreviation(text, punct_end):
                continue
            piece = _trimmed(text, start, punct_end)
        if piece:
            spans.extend(_clauses(text, piece))
        start = m.end()
    piece = _trimmed(text, start, len(text))
    if piece:
        spans.extend(_clauses(text, piece))
    return spans
