"""The text a reader sees, for matching: invisible characters removed, look-alike letters folded, compatibility
forms (ligatures, full-width letters, no-break spaces) replaced by their plain letters, with a map from every
position of the folded text back to the page's own characters.

A policy can look identical in the browser while its words are broken for a matcher: a soft hyphen (U+00AD) or a
zero-width space inside "biometric", a Cyrillic "а" in "sell". Rules and the learned reader both read the folded
text; highlights are moved back through the map so that they still land on the page's own characters (the
extension paints them by offset into the text it sent).

Only characters that render as nothing, or as the same letter, are touched: a Cyrillic or Greek letter is folded
only inside a word that also has a Latin letter, or, in mostly Latin text, a word whose letters are all look-alikes
(Russian or Greek text stays as it is).
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from .results import Block, Highlight

# Invisible characters that are not format characters (category Cf, removed by rule below): the combining
# grapheme joiner, variation selectors, and the Hangul fillers, which render as blank space of no width.
_INVISIBLE_OTHER = frozenset(
    [0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])

# Cyrillic and Greek letters drawn like a Latin letter in common fonts (Unicode's confusables.txt, the subset
# whose glyphs are the same letter, not merely similar).
CONFUSABLES: dict[str, str] = {
    # Cyrillic lower case
    "\u0430": "a", "\u0441": "c", "\u0501": "d", "\u0435": "e", "\u04bb": "h", "\u0456": "i", "\u0458": "j",
    "\u04cf": "l", "\u043e": "o", "\u0440": "p", "\u051b": "q", "\u0455": "s", "\u051d": "w", "\u0445": "x",
    "\u0443": "y",
    # Cyrillic upper case
    "\u0410": "A", "\u0412": "B", "\u0421": "C", "\u0415": "E", "\u041d": "H", "\u0406": "I", "\u0408": "J",
    "\u041a": "K", "\u041c": "M", "\u041e": "O", "\u0420": "P", "\u0405": "S", "\u0422": "T", "\u0425": "X",
    "\u04ae": "Y", "\u0417": "3",
    # Greek
    "\u03bf": "o", "\u03b9": "i", "\u03bd": "v", "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z",
    "\u0397": "H", "\u0399": "I", "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O", "\u03a1": "P",
    "\u03a4": "T", "\u03a5": "Y", "\u03a7": "X",
}

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A word holding at least one look-alike; its letters decide whether to fold it.
_WORD_WITH_CONFUSABLE = re.compile(r"[^\W\d_]*[" + "".join(CONFUSABLES) + r"][^\W\d_]*")
_ANY_CONFUSABLE = re.compile("[" + "".join(CONFUSABLES) + "]")  # a cheap pre-check: most pages have none
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CYRILLIC_OR_GREEK_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_SAFE_COMPAT = re.compile(r"[\w \-'.,]+")


@lru_cache(maxsize=4096)
def _replacement(char: str) -> str | None:
    """What a non-ASCII character becomes in the folded text ("" for nothing), or None to keep it."""
    code = ord(char)
    if code in _INVISIBLE_OTHER or unicodedata.category(char) == "Cf":
        return ""
    # NFKC where it is safe: a compatibility form (ligature "ﬁ", full-width "Ａ", no-break space) whose plain form
    # is letters, digits, spaces or plain punctuation. Others ("½", superscripts in footnote marks, "¨") stay.
    if unicodedata.decomposition(char).startswith("<"):
        plain = unicodedata.normalize("NFKC", char)
        if plain != char and _SAFE_COMPAT.fullmatch(plain):
            return plain
    return None


@dataclass(frozen=True, slots=True)
class FoldedText:
    """Folded `text`, and where it came from: `breaks` are (folded position, shift) pairs, sorted; a folded
    position p at or after a break's position comes from original position p + that break's shift."""
    text: str
    breaks: tuple[tuple[int, int], ...] = ()

    def original(self, position: int) -> int:
        """The original position of the folded character at `position`."""
        if not self.breaks:
            return position
        i = bisect_right(self.breaks, (position, float("inf"))) - 1
        return position + (self.breaks[i][1] if i >= 0 else 0)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded [start, end): from the first character's origin to just after the last's."""
        if end <= start:
            at = self.original(start)
            return at, at
        return self.original(start), self.original(end - 1) + 1


def fold(text: str) -> FoldedText:
    """The text as a reader sees it, for matching; the identity (no copy, no map) for plain ASCII text."""
    if text.isascii():
        return FoldedText(text)
    pieces: list[str] = []
    breaks: list[tuple[int, int]] = []
    done = 0  # original characters consumed
    out_len = 0
    for match in _NON_ASCII.finditer(text):
        replacement = _replacement(match.group())
        if replacement is None:
            continue
        at = match.start()
        pieces.append(text[done:at])
        out_len += at - done
        if replacement:
            pieces.append(replacement)
            # every character of a longer replacement comes from the one original character
            for k in range(len(replacement)):
                breaks.append((out_len + k, at - out_len - k))
            out_len += len(replacement)
        done = at + 1
        breaks.append((out_len, done - out_len))
    pieces.append(text[done:])
    folded = "".join(pieces) if breaks else text
    if _ANY_CONFUSABLE.search(folded):
        # In Latin text a word made only of look-alikes ("ѕее") is a disguise too; in Greek or Russian text it is
        # a real word ("Η", "сор").
        latin_text = len(_LATIN_LETTER.findall(folded)) > len(_CYRILLIC_OR_GREEK_LETTER.findall(folded))
        folded = _WORD_WITH_CONFUSABLE.sub(lambda m: _fold_word(m.group(), latin_text), folded)  # one for one:
        # the map is unchanged
    return FoldedText(folded, _merged(breaks))


def _fold_word(word: str, latin_text: bool) -> str:
    has_latin = any("a" <= c.lower() <= "z" for c in word)
    if has_latin or (latin_text and all(c in CONFUSABLES for c in word)):
        return "".join(CONFUSABLES.get(c, c) for c in word)
    return word


def _merged(breaks: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Breaks with one entry per folded position (the last shift given for it wins)."""
    merged: dict[int, int] = {}
    for position, shift in breaks:
        merged[position] = shift
    return tuple(sorted(merged.items()))


def fold_blocks(blocks: Sequence[Block]) -> tuple[tuple[Block, ...], dict[str, FoldedText]]:
    """Blocks with folded text (same ids and tags), and the maps of those whose text changed."""
    folded_blocks = []
    maps: dict[str, FoldedText] = {}
    for block in blocks:
        folded = fold(block.text)
        if folded.text is block.text:
            folded_blocks.append(block)
        else:
            maps[block.id] = folded
            folded_blocks.append(Block(block.id, folded.text, block.tag))
    return tuple(folded_blocks), maps


def unfold_highlights(highlights: Sequence[Highlight], originals: Sequence[Block],
                      maps: dict[str, FoldedText]) -> tuple[Highlight, ...]:
    """Highlights found in folded blocks, moved onto the original blocks' characters."""
    if not maps:
        return tuple(highlights)
    text_of = {b.id: b.text for b in originals}
    out = []
    for h in highlights:
        folded = maps.get(h.block)
        if folded is None:
            out.append(h)
            continue
        start, end = folded.original_span(h.start, h.end)
        out.append(replace(h, start=start, end=end, text=text_of[h.block][start:end]))
    return tuple(out)
