"""Compile the engine's hot regexes into the same regexes, arranged so that Python's regex engine searches them
faster. Every rewrite here is exact: the compiled regex matches exactly where, and exactly what, the regex as
written matches (tests/engine/test_regex_speedups.py checks the spans on real sentences).

Four rewrites:
- consecutive top-level alternatives that start with a word boundary share it: `\\bA|\\bB|C` is compiled as
  `\\b(?:A|B)|C` (alternatives keep their order, so the same one wins). The engine then tests the boundary once
  per position and goes no further inside words, instead of entering each alternative at every position;
- a run of word characters (`\\w+`, `\\w*`) that must be followed by a non-word character, or a run of non-word
  characters followed by a word character (the gaps between words: `(?:\\W+\\w+){0,8}?\\W+`), is made possessive
  (`\\w++`): giving back characters could only leave a character of the same kind next, where the regex needs the
  other, so backtracking into the run never finds a match, and possessive runs skip those attempts;
- a word boundary in front of alternatives that all open with a word character (`\\b(?:we|our) ...`, most
  recognizer patterns) is checked just after that character instead, as `(?<!\\w.)` (the character before it is no
  word character): the same condition, but a regex whose every alternative opens with a literal character gets a
  first-character table from re's compiler, and the search skips in C to the next position where a match could
  start, instead of trying the boundary and the alternatives at every position (the recognizers' searches: ~22% fewer
  instructions, valgrind);
- text that is all ASCII (most sentences) is searched by a second compilation with ASCII classes: on ASCII text
  `\\w`, `\\b` and `\\d` mean the same either way (and `\\s` is spelt out as the characters Unicode counts as
  space), but the ASCII ones are a table look-up instead of a Unicode database query per character (~30% faster).
"""
from __future__ import annotations

import re

from .literals import literals_of_tree

try:  # CPython's own regex parser and compiler (what re.compile uses); private, so their absence only turns the
    # rewrites off (every regex is then compiled as written), never changes a result
    from re import _compiler as _sre_compile
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - another interpreter or a future layout
    _sre_compile = _sre = _sre_parse = None


class FastPattern:
    """A regex (`pattern`, as written) compiled for any text (`unicode`) and for ASCII-only text (`ascii`);
    `search`, `finditer` and `sub` take the one that fits the text, and callers in a hot loop may pick one
    themselves. `literals`: what any match needs (literals.py), for a cheap pre-test."""
    __slots__ = ("pattern", "unicode", "ascii", "literals")

    def __init__(self, pattern: str, unicode: re.Pattern, ascii: re.Pattern, literals=()) -> None:
        self.pattern = pattern
        self.unicode = unicode
        self.ascii = ascii
        self.literals = literals

    def __repr__(self) -> str:
        return f"compile_pattern({self.pattern!r})"

    def search(self, string: str, *span) -> re.Match | None:
        return (self.ascii if string.isascii() else self.unicode).search(string, *span)

    def finditer(self, string: str, *span):
        return (self.ascii if string.isascii() else self.unicode).finditer(string, *span)

    def sub(self, repl, string: str, count: int = 0) -> str:
        return (self.ascii if string.isascii() else self.unicode).sub(repl, string, count)


def compile_pattern(regex: str) -> FastPattern:
    """`re.compile(regex)`, searched faster (see the module's doc); falls back to the plain compile."""
    factored = share_leading_boundaries(regex)
    if _sre_parse is not None:
        try:
            tree = _sre_parse.parse(factored)  # parsed once (in Python: the costly part) for everything below
            flags = tree.state.flags
            if not flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
                literals = literals_of_tree(tree)
                _possessive_runs(tree.data, frozenset({END}), {})
                leading = _leading_char(tree.data, False)
                if leading is not None:
                    tree.data = leading
                unicode = _sre_compile.compile(tree, flags)
                if not _ready_for_ascii(tree.data):  # \s spelt out, as a str regex means it on ASCII text
                    return FastPattern(regex, unicode, unicode, literals)
                tree.state.flags = flags & ~_sre.SRE_FLAG_UNICODE | _sre.SRE_FLAG_ASCII  # ints: enum flags are slow
                return FastPattern(regex, unicode, _sre_compile.compile(tree, tree.state.flags), literals)
        except Exception:  # anything unexpected in the parser's output: the plain regex, as written
            pass
    plain = re.compile(factored)
    return FastPattern(regex, plain, plain)


# The ASCII characters Unicode counts as white space (\s in a str regex): \t \n \v \f \r, \x1c-\x1f and " ".
# ASCII \s leaves out \x1c-\x1f, so it is spelt out.
_UNICODE_SPACE_IN_ASCII = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32)


def _ready_for_ascii(items) -> bool:
    """In place, in a tree parsed for ASCII: replace \\s and \\S by the characters a str regex means by them on
    ASCII text. False where the ASCII compilation could differ on ASCII text (a class mixing \\S with other members,
    a case-insensitive group): then none is made."""
    for index, (op, arg) in enumerate(items):
        if op is _sre.LITERAL or op is _sre.AT:
            continue
        if op is _sre.IN:
            if not any(member_op is _sre.CATEGORY and member_arg in (_sre.CATEGORY_SPACE, _sre.CATEGORY_NOT_SPACE)
                       for member_op, member_arg in arg):
                continue
            members = []
            for member_op, member_arg in arg:
                if member_op is _sre.CATEGORY and member_arg == _sre.CATEGORY_SPACE:
                    members += [(_sre.LITERAL, code) for code in _UNICODE_SPACE_IN_ASCII]
                elif member_op is _sre.CATEGORY and member_arg == _sre.CATEGORY_NOT_SPACE:
                    if len(arg) != 1:
                        return False
                    members += [(_sre.NEGATE, None)] + [(_sre.LITERAL, code) for code in _UNICODE_SPACE_IN_ASCII]
                else:
                    members.append((member_op, member_arg))
            items[index] = (_sre.IN, members)
        elif op is _sre.SUBPATTERN:
            if arg[1] & re.IGNORECASE or not _ready_for_ascii(arg[3].data):
                return False  # (?i:...): Unicode case folding differs (pattern 'ſ' matches 's'); no ASCII version
        elif op is _sre.BRANCH:
            if not all(_ready_for_ascii(alternative.data) for alternative in arg[1]):
                return False
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            if not _ready_for_ascii(arg[2].data):
                return False
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            if not _ready_for_ascii(arg[1].data):
                return False
        elif op is _sre.CATEGORY:  # only inside classes in parsed trees; be safe
            return False
        elif op in (_sre.GROUPREF_EXISTS, _sre.ATOMIC_GROUP):
            return False
    return True


def share_leading_boundaries(regex: str) -> str:
    """`\\bA|\\bB|C` -> `\\b(?:A|B)|C`: the same regex, with one boundary test for consecutive alternatives."""
    out: list[str] = []
    run: list[str] = []

    def end_run() -> None:
        if len(run) == 1:
            out.append("\\b" + run[0])
        elif run:
            out.append("\\b(?:" + "|".join(run) + ")")
        run.clear()

    for branch in top_level_branches(regex):
        if branch.startswith("\\b"):
            run.append(branch[2:])
        else:
            end_run()
            out.append(branch)
    end_run()
    return "|".join(out)


def top_level_branches(regex: str) -> list[str]:
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


# -- a leading word boundary moved behind the first character -------------------------------------------------------

def _leading_char(items, boundary: bool):
    """The parsed sequence `items` (preceded by a \\b where `boundary`) rebuilt to open with a literal character, or
    with alternatives that each do; None where it cannot be. A \\b before a word character c (ASCII, so a word
    character in both compilations) holds exactly where the character before c is no word character or there is
    none, which `c(?<!\\w.)` tests after c (a look-behind that does not fit before the start succeeds).
    Alternatives keep their order, and an alternative that is a group of alternatives alone is spliced in
    (`(?:A|B)|C` is `A|B|C`), so the same alternative wins at each position. (Copying what follows a group of
    alternatives into each, `(?:A|B)R` as `AR|BR`, would let more patterns open with a character, but measured ~25%
    more instructions a search: the first-character table then lets through most letters.) The originals are not
    changed."""
    if not items:
        return None
    op, arg = items[0]
    if op is _sre.LITERAL:
        if not boundary:
            return list(items)
        if arg < 128 and _is_word_char(chr(arg)):
            return [items[0], _not_after_word()] + list(items[1:])
        return None
    if op is _sre.AT and arg == _sre.AT_BOUNDARY:
        return _leading_char(items[1:], True)
    if op is _sre.BRANCH:
        alternatives = []
        for alternative in arg[1]:
            rebuilt = _leading_char(alternative.data, boundary)
            if rebuilt is None:
                return None
            if len(rebuilt) == 1 and rebuilt[0][0] is _sre.BRANCH:
                alternatives += rebuilt[0][1][1]  # a group of alternatives that is the whole alternative: spliced
            elif rebuilt[0][0] is _sre.LITERAL:
                alternatives.append(_sre_parse.SubPattern(alternative.state, rebuilt))
            else:
                return None
        return [(_sre.BRANCH, (None, alternatives))] + list(items[1:])
    return None


def _not_after_word():
    """`(?<!\\w.)`, parsed."""
    return _sre_parse.parse(r"(?<!\w.)").data[0]


# -- making runs possessive ---------------------------------------------------------------------------------------
# What may come first at a place in the regex: kinds of character, WORD and/or NONWORD, and END when the match may
# end there (a run at the very end of the regex gives back nothing: its longest form, tried first, matches).
WORD, NONWORD, END = "word", "nonword", "end"
_UNKNOWN = frozenset({WORD, NONWORD, END})
_WORD, _NONWORD = frozenset({WORD}), frozenset({NONWORD})


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what \w means in a str regex


def _class_kinds(members) -> frozenset[str]:
    """The kinds of character a character class can match."""
    kinds = set()
    for op, arg in members:
        if op is _sre.LITERAL:
            kinds.add(WORD if _is_word_char(chr(arg)) else NONWORD)
        elif op is _sre.CATEGORY and arg == _sre.CATEGORY_WORD:
            kinds.add(WORD)
        elif op is _sre.CATEGORY and arg in (_sre.CATEGORY_NOT_WORD, _sre.CATEGORY_SPACE):
            kinds.add(NONWORD)
        else:
            return _UNKNOWN  # ranges, digits, negated classes, ...: no claim
    return frozenset(kinds)


def _item_first(op, arg, after: frozenset[str], memo: dict) -> frozenset[str]:
    """What one parsed item, followed by something that may start with `after`, may start with. `memo` keeps the
    answers for groups within one regex (the same group is asked about from every level above it)."""
    if op is _sre.LITERAL:
        return _WORD if _is_word_char(chr(arg)) else _NONWORD
    if op is _sre.IN:
        return _class_kinds(arg)
    if op is _sre.AT and arg == _sre.AT_BOUNDARY and END not in after:
        return after  # \b consumes nothing (where the match may end just after it, no claim is made)
    if op not in (_sre.SUBPATTERN, _sre.BRANCH, _sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        return _UNKNOWN  # other anchors, lookarounds (they may depend on what a run gives back), references, ...
    key = (id(arg), after)
    known = memo.get(key)
    if known is not None and known[0] is arg:  # (the group itself is kept, so that its id is not reused)
        return known[1]
    if op is _sre.SUBPATTERN:
        first = _sequence_first(arg[3].data, after, memo)
    elif op is _sre.BRANCH:
        first = frozenset().union(*(_sequence_first(alternative.data, after, memo) for alternative in arg[1]))
    else:
        low, _high, body = arg
        inside = _sequence_first(body.data, _UNKNOWN, memo)
        first = inside if low >= 1 else inside | after
    memo[key] = (arg, first)
    return first


def _afters(items, follow: frozenset[str], memo: dict) -> list[frozenset[str]]:
    """For each item of a sequence, what may come first after it, given what follows the sequence."""
    afters = [follow] * len(items)
    for i in range(len(items) - 1, 0, -1):
        op, arg = items[i]
        afters[i - 1] = _item_first(op, arg, afters[i], memo)
    return afters


def _sequence_first(items, follow: frozenset[str], memo: dict) -> frozenset[str]:
    first = follow
    for op, arg in reversed(items):
        first = _item_first(op, arg, first, memo)
    return first


def _plain(op, arg) -> bool:
    """A character, a class, an anchor or an optional/repeated character ("s?"): nothing to make possessive."""
    return op in (_sre.LITERAL, _sre.IN, _sre.AT) or (
        op is _sre.MAX_REPEAT and len(arg[2].data) == 1 and arg[2].data[0][0] is _sre.LITERAL)


def _possessive_runs(items, follow: frozenset[str], memo: dict) -> None:
    """In place, in a parsed sequence (a list of items): make each greedy run of one kind of character (\\w+,
    \\W*, [ -]+) possessive where what may follow it starts with the other kind or ends the match."""
    if all(_plain(op, arg) for op, arg in items):
        return  # plain characters and anchors only (most alternatives: a word or phrase): no run, nothing inside
    afters = _afters(items, follow, memo)
    for index, (op, arg) in enumerate(items):
        after = afters[index]
        if op is _sre.SUBPATTERN:
            _possessive_runs(arg[3].data, after, memo)
        elif op is _sre.BRANCH:
            for alternative in arg[1]:
                _possessive_runs(alternative.data, after, memo)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, high, body = arg
            # Inside, one repetition is followed by another or by what follows the repeat.
            _possessive_runs(body.data, _sequence_first(body.data, _UNKNOWN, memo) | after, memo)
            if op is _sre.MAX_REPEAT and len(body.data) == 1 and body.data[0][0] is _sre.IN:
                kinds = _class_kinds(body.data[0][1])
                if len(kinds) == 1 and END not in kinds and not (after - {END}) & kinds:
                    # e.g. \\w+ before \\W: a shorter run leaves a word character where a non-word one must come
                    items[index] = (_sre.POSSESSIVE_REPEAT, (low, high, body))
        # lookarounds, references and the rest are left as they are
