"""The literal text a regex cannot match without, read off the regex itself, so that a pattern whose words are
not in a sentence is ruled out by a few `in` tests (C string scans) instead of a regex search.

`required_literals(regex)` returns groups of strings: every match of the regex, anywhere in a string, needs at
least one string of each group to occur in that string. The test is exact (a pattern is skipped only where its
search would find nothing), so results never change; only the cost does. It is derived from the regex, not
declared beside it, so it cannot drift from a pattern when the pattern is edited.
"""
from __future__ import annotations

import re

try:  # CPython's own regex parser (the one re.compile uses); private, so its absence only turns the test off
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - another interpreter or a future layout: every pattern is searched
    _sre = _sre_parse = None

# A group is worth testing only if it is cheap and rarely passes by accident: not too many literals (each `in`
# test costs ~0.05 us on a sentence; a group of dozens costs as much as the search it would save, ~4 us on a cued
# sentence, where the regex is tried at every position), none shorter than 3 characters (" ", "in", "no" occur in
# nearly every sentence). Up to 16 literals and 5 groups (it was 6 and 3): half the recognizers' searches found
# nothing that a larger group rules out (the verbs of "share with", the recipients' nouns), and the quick reading
# runs ~5% fewer instructions on the shared policies (valgrind; 12/4 and 24/6 gave less or no more).
MIN_LITERAL = 3
MAX_ALTERNATIVES = 16
MAX_GROUPS = 5


def required_literals(regex: str) -> tuple[tuple[str, ...], ...]:
    """Groups of literals, each of which must be represented in any string the regex matches (a match's
    lookarounds included); () when nothing cheap and sure can be said."""
    if _sre_parse is None:
        return ()
    try:
        return literals_of_tree(_sre_parse.parse(regex))
    except Exception:  # anything unexpected in the parser's output: no pre-test, the search decides as before
        return ()


def literals_of_tree(parsed) -> tuple[tuple[str, ...], ...]:
    """`required_literals` of a regex already parsed by re's parser (fastregex.compile_pattern parses once)."""
    if parsed.state.flags & re.IGNORECASE:
        return ()  # literals would have to be case-folded; the recognizers' patterns never ask for this
    useful = []
    for group in _conjunction(list(parsed)):
        # A literal that contains another literal of its group adds nothing: the shorter one occurs wherever it does.
        group = {s for s in group if not any(o != s and o in s for o in group)}
        if len(group) <= MAX_ALTERNATIVES and min(map(len, group)) >= MIN_LITERAL:
            useful.append(tuple(sorted(group)))
    # Fewest alternatives first: the cheapest tests, and a single literal is usually the most telling.
    useful = sorted(set(useful), key=lambda g: (len(g), g))
    return tuple(useful[:MAX_GROUPS])


def _conjunction(items) -> list[frozenset[str]]:
    """For a sequence of parsed regex items: groups of literals, a match needing one literal of every group."""
    groups: list[frozenset[str]] = []
    run: list[str] = []  # consecutive literal characters: they occur together, as one string

    def end_run() -> None:
        if run:
            groups.append(frozenset({"".join(run)}))
            run.clear()

    for op, arg in items:
        if op is _sre.LITERAL:
            run.append(chr(arg))
            continue
        end_run()
        if op is _sre.SUBPATTERN:
            _group, add_flags, _del_flags, sub = arg
            if not add_flags & re.IGNORECASE:
                groups.extend(_conjunction(list(sub)))
        elif op is _sre.BRANCH:
            # One alternative matches: its most telling group, united over the alternatives, is needed.
            union: set[str] = set()
            for alternative in arg[1]:
                needed = _conjunction(list(alternative))
                if not needed:
                    break  # an alternative that needs no literal: the branch as a whole needs none
                union |= max(needed, key=lambda g: (min(map(len, g)), -len(g)))
            else:
                if union:
                    groups.append(frozenset(union))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, _high, sub = arg
            if low >= 1:
                groups.extend(_conjunction(list(sub)))
        elif op is _sre.ASSERT:
            # A positive lookahead or lookbehind: what it asserts is in the string too.
            _direction, sub = arg
            groups.extend(_conjunction(list(sub)))
        # Anything else (\b, ^, classes, \w, ., negative lookarounds, ...) needs no particular literal.
    end_run()
    return groups


def contains_all(text: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """True when `text` holds at least one literal of every group (always when there are no groups)."""
    for group in groups:
        for literal in group:
            if literal in text:
                break
        else:
            return False
    return True
