"""The engine's regex speed-ups change no result: literal pre-tests never skip a pattern that would match, and
regexes compiled to search faster (fastregex.py: shared word boundaries, possessive runs, an ASCII compilation for
ASCII text) find exactly what the regexes as written find."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smallprint.engine import clauses, polarity, sentences, summaries
from smallprint.engine.blocks import to_blocks
from smallprint.engine.recognizers import default_registry
from smallprint.engine.fastregex import FastPattern, compile_pattern, share_leading_boundaries
from smallprint.engine.literals import contains_all, required_literals

EXAMPLE = Path(sentences.__file__).resolve().parents[1] / "examples" / "example-privacy-policy.md"

TRICKY = [
    "we do not sell your personal information to third parties.",
    "we may share information with our service providers, who process it on our behalf.",
    "third-party cookies and web beacons track your browsing across sites.",
    "pixel tags, sdks and device fingerprinting; do not track signals are ignored.",
    "you can request a copy of your data or ask us to delete it within 30 days.",
    "we retain backups for 90 days after you close your account, as-is and without warranty.",
    "law enforcement requests are disclosed in our transparency report.",
    "children under 13 (thirteen) years of age may not use the service.",
    "reshare, unshared, overshare: words that only contain the cue words.",
    "",
]


def _corpus(extra: list[str] = ()) -> list[str]:
    blocks = to_blocks(text=EXAMPLE.read_text(encoding="utf-8"))
    lows = [clauses._lower(b.text[s.start:s.end]) for b in blocks for s in sentences.split_sentences(b.text)]
    return lows + TRICKY + list(extra)


def _all_regexes() -> list[tuple[str, str]]:
    out = []
    for rec in default_registry().recognizers:
        out += [(f"{rec.name}/{p.name}", p.regex) for p in rec.patterns]
        out += [(f"{rec.name}/{kind}", rx) for kind, rx in (("exclude", rec.exclude), ("requires", rec.requires)) if rx]
    # The other modules' compiled regexes, as they were written.
    for module in (clauses, polarity, summaries):
        for name, value in vars(module).items():
            rows = value if isinstance(value, tuple) else (value,)
            for row in rows:
                for item in (row if isinstance(row, tuple) else (row,)):
                    if isinstance(item, FastPattern):
                        out.append((f"{module.__name__}.{name}", item.pattern))
    for practice, rows in polarity._QUALIFIERS.items():
        out += [(f"qualifier/{practice}/{reason}", rx.pattern) for rx, _, reason, _ in rows]
    return out


def _spans(regex, text):
    return [m.span() for m in regex.finditer(text)]


def _check(regexes, corpus):
    for name, regex in regexes:
        plain, fast = re.compile(regex), compile_pattern(regex)
        literals = fast.literals
        assert literals == required_literals(share_leading_boundaries(regex))
        for text in corpus:
            found = _spans(plain, text)
            assert _spans(fast.unicode, text) == found, (name, text)
            if text.isascii():
                assert _spans(fast.ascii, text) == found, (name, text)
            if found:
                assert contains_all(text, literals), (name, literals, text)


def test_recognizer_regexes_unchanged_on_example_policy():
    _check(_all_regexes(), _corpus())


def test_recognizer_regexes_unchanged_on_tosdr_points(shared_data):
    points = [json.loads(line) for line in (shared_data / "tosdr" / "points.jsonl").open(encoding="utf-8")]
    texts = [clauses._lower(str(p.get("text") or "")) for p in points[::5]]
    _check(_all_regexes(), texts)


@pytest.mark.parametrize("regex, expected", [
    (r"\bshar(?:e|ing)\b", (("shar",),)),
    (r"\bsell\w*" + r"(?:\W+\w+){0,6}?\W+" + r"(?:data|information)", (("sell",), ("data", "information"))),
    (r"\bcookies?\b|\blocal storage", (("cookie", "local storage"),)),
    (r"(?:your )?data", (("data",),)),                    # an optional part is not needed
    (r"(?i)cookies", ()),                                  # case-insensitive: nothing said
    (r"^(?=.*?cookie)(?=.*?\bblock)", (("block",), ("cookie",))),  # what a lookahead asserts is in the text
    (r"(?<!not )share", (("share",),)),                    # a negative lookbehind needs nothing
    (r"\bad\b|\bads\b", ()),                               # too short to be worth a test
    (r"x|\w+", ()),                                        # an alternative with no literal: nothing needed
])
def test_required_literals(regex, expected):
    assert required_literals(regex) == expected


def test_contains_all():
    assert contains_all("we share data", (("shar",), ("data", "info")))
    assert not contains_all("we share it", (("shar",), ("data", "info")))
    assert contains_all("anything", ())


def test_compile_pattern_opens_with_a_character():
    # re's compiler gives a regex a first-character table only if it opens with characters, not with \b
    from re import _parser
    from smallprint.engine.fastregex import _leading_char
    rewritten = _leading_char(_parser.parse(share_leading_boundaries(r"\bwe (?:may )?share|\bour share|\bcookies?")).data, False)
    assert [alternative.data[0] for alternative in rewritten[0][1][1]] == [(_parser.LITERAL, ord(c)) for c in "woc"]
    fast = compile_pattern(r"\b(?:we|our) (?:may )?share|\bcookies?")
    assert [m.span() for m in fast.finditer("cookies: we share, ourselves share")] == [(0, 7), (9, 17)]
    assert compile_pattern(r"\b(?:-|a)b").search("-b ab").span() == (3, 5)  # \b before "-": left as written


def test_compile_pattern_shares_leading_boundaries_in_order():
    assert share_leading_boundaries(r"\bab|\bcd|ef|\bgh") == r"\b(?:ab|cd)|ef|\bgh"
    # The first alternative that matches at a position still wins: "\bis|\bisland" finds "is", not "island".
    assert compile_pattern(r"\bis|\bisland").search("an island").group(0) == "is"


@pytest.mark.parametrize("regex, text", [
    (r"\w+(?=b)", "abc"),                   # a lookahead after a run: the run must give back ("a")
    (r"\w+\B", "abc"),                      # \B after a run: likewise
    (r"\W*\b", "a, "),                       # \b where the match may end
    (r"(?:\W+\w+){0,3}?\W+(?:data|info)", "our own, data"),
    (r"x\w*", "xyz!"),
    (r"[ -]+a", " - a"),
    (r"\s+", "a \x1c\x1d b"),                # \s: Unicode counts \x1c-\x1f as space, ASCII \s does not
    (r"[^\S\n]+", "a \x1f\nb"),
    (r"\S+", "\x1e ab"),
    (r"\w+", "héllo wörld"),
    (r"\d+", "١٢٣ 45"),                      # Arabic-Indic digits are \d in a str regex
    # a leading \b moved behind the first character, as (?<!\w.)
    (r"\b(?:we|our) share", "we share, sweet share, our share, four share"),
    (r"\bshare", "share reshare éshare _share 1share -share\nshare"),
    (r"\b(?:a|ab)c|\bx", "abc ac xac axc bx"),  # the first alternative that matches at a position still wins
    (r"\bis|\bisland|land", "island is land"),
])
def test_compile_pattern_matches_as_written_on_awkward_text(regex, text):
    fast = compile_pattern(regex)
    assert _spans(fast.unicode, text) == _spans(re.compile(regex), text)
    assert [m.span() for m in fast.finditer(text)] == _spans(re.compile(regex), text)
    if text.isascii():
        assert _spans(fast.ascii, text) == _spans(re.compile(regex), text)
