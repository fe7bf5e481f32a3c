"""The language a page is written in, by py3langid (a registry package that ships its model; nothing is fetched).

The reader and the rules were trained and validated on English policies only. On a page in another language the
engine says so plainly instead of painting highlights it cannot stand behind.

A page can hold more than one language: a Canadian policy in English then French (or French then English), an EU
site's German notice before its English policy. `read_languages` looks at every block, not only the page's first
few thousand characters: a long stretch in another language (FOREIGN_MIN_CHARS or more, confirmed by py3langid) is
set aside as an unread part, and the rest of the page is read when it is in English and a substantial part of the
page (ENGLISH_PART_SHARE of its text, ENGLISH_ENOUGH_CHARS, or its largest language). A page with no such stretch
is judged exactly as before, on its first SAMPLE_CHARS; short foreign fragments (a language switcher, a "Français"
link, an address) never make one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import re
from functools import lru_cache

from .results import Block, UnreadPart

# Languages the highlights were validated on (see MODEL_CARD_reader.md).
VALIDATED_LANGUAGES = frozenset({"en"})
# Below this much text the guess is unreliable: such a page is read, not refused.
MIN_CHARS = 200
# Enough text for a sure guess; identifying more only costs time.
SAMPLE_CHARS = 6000
# py3langid's normalised probability below which the guess is "unknown".
MIN_CONFIDENCE = 0.8
# English at a glance: in English prose about a third of the words are these; in German, French or Spanish text
# (even with English names and product words in it) well under a tenth. A page this English is not handed to
# py3langid at all, which keeps its model (~100 MB resident) out of memory for nearly every page read.
ENGLISH_WORDS = frozenset(
    "the and of to a in we you your our is are be may for with or that this by on as it not if us any".split())
ENGLISH_SHARE = 0.25
_WORD = re.compile(r"[^\W\d_]+")

# A block is looked at on its own only with this many words (or, in a script without spaces, NON_LATIN_MIN_LETTERS
# letters); shorter ones (headings, menu entries, "Français", an address line) take the language around them.
BLOCK_MIN_WORDS = 8
NON_LATIN_MIN_LETTERS = 40
# A block this English at a glance is English; English lists and tables ("Name, email address, phone number") fall
# below it, but also have few short words, which prose in any language written with spaces is full of (de, la, et,
# der, und, en, je, w, az, în): a block with few English words and many short ones may be in another language.
BLOCK_ENGLISH_SHARE = 0.12
PROSE_SHORT_WORDS = 0.2
# A stretch of such blocks is another language's part of the page only with this much text in them, and only when
# py3langid is sure of it (MIN_CONFIDENCE): below it (a cookie line, a notice of a sentence or two) the page is read
# as it was. The identifier is loaded only for such a stretch, so English pages rarely need it.
FOREIGN_MIN_CHARS = 400
# The English rest of a page with such parts is read when it is at least this share of the page's text, or as long
# as a short policy (no cookie banner is: a page with every language's version of its policy), or its largest
# language; otherwise (a French policy with an English cookie banner) the page is not read at all.
ENGLISH_PART_SHARE = 0.3
ENGLISH_ENOUGH_CHARS = 5000
# py3langid's code for text with no language in it (a base64 image, a run of addresses): never another language.
NOT_A_LANGUAGE = frozenset({"und", "zxx"})
_LATIN_LETTERS = re.compile(r"[a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")  # not × or ÷
_HEADING = re.compile(r"h[1-6]")


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1, or "und" when undetermined
    confidence: float

    @property
    def validated(self) -> bool:
        return is_validated(self.code)


def is_validated(code: str) -> bool:
    """Whether pages in language `code` are read ("und", too little text to tell, is read)."""
    return code in VALIDATED_LANGUAGES or code == "und"


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def sample(blocks: Sequence[Block]) -> str:
    """Paragraph text first (headings and menus say little), up to SAMPLE_CHARS."""
    parts, size = [], 0
    for block in sorted(blocks, key=lambda b: b.tag.startswith("h")):
        parts.append(block.text)
        size += len(block.text)
        if size >= SAMPLE_CHARS:
            break
    return "\n".join(parts)[:SAMPLE_CHARS]


def detect_language(blocks: Sequence[Block]) -> Language:
    text = sample(blocks)
    if len(text) < MIN_CHARS:
        return Language("und", 0.0)
    words = _WORD.findall(text.lower())
    if words:
        share = sum(word in ENGLISH_WORDS for word in words) / len(words)
        if share >= ENGLISH_SHARE:
            return Language("en", min(1.0, share / ENGLISH_SHARE / 1.5))
    try:
        code, confidence = _identifier().classify(text)
    except Exception:  # a damaged model file must not stop the analysis: the language is then unknown
        return Language("und", 0.0)
    if confidence < MIN_CONFIDENCE:
        return Language("und", float(confidence))
    return Language(str(code), float(confidence))


@dataclass(frozen=True, slots=True)
class Reading:
    """What of a page is read: `language` is the language of what is read (English or undetermined), or, when
    nothing is, the page's; `blocks` are the blocks to read (all of them unless parts are unread); `unread` the
    parts in another language that were set aside."""
    language: Language
    blocks: tuple[Block, ...]
    unread: tuple[UnreadPart, ...] = ()

    def unread_share(self, total_chars: int) -> float:
        return sum(p.chars for p in self.unread) / total_chars if total_chars else 0.0


def _glance(text: str) -> str | None:
    """ "en" for a block that is English at a glance, "other" for one that may be in another language, None for
    one too short (or too list-like) to tell."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    # An ASCII block is all Latin letters; otherwise one count over the block, not a search per word (the letters
    # of _LATIN_LETTERS are all letters, so each lies in some word: the same count, ~5x faster on a policy).
    if not text.isascii():
        letters = sum(map(len, words))
        if letters >= NON_LATIN_MIN_LETTERS and len(_LATIN_LETTERS.findall(lowered)) < letters / 2:
            return "other"
    if len(words) < BLOCK_MIN_WORDS:
        return None
    if sum(word in ENGLISH_WORDS for word in words) / len(words) >= BLOCK_ENGLISH_SHARE:
        return "en"
    return "other" if sum(len(word) <= 3 for word in words) / len(words) >= PROSE_SHORT_WORDS else None


def _stretches(blocks: Sequence[Block]) -> list[tuple[int, int, str]]:
    """(first, last, text) of each stretch of blocks that may be in another language: from its first such block,
    with the headings just before it, to its last, through any blocks too short to tell; an English block ends it.
    `text` is its telling blocks' text, what py3langid is asked about."""
    kinds = [_glance(b.text) for b in blocks]
    stretches, first, last = [], None, None
    for i, kind in enumerate(kinds + ["en"]):
        if kind == "other":
            first, last = (i if first is None else first), i
        elif kind == "en" and first is not None:
            while first > 0 and kinds[first - 1] is None and _HEADING.fullmatch(blocks[first - 1].tag):
                first -= 1
            stretches.append((first, last, "\n".join(blocks[j].text for j in range(first, last + 1)
                                                      if kinds[j] == "other")))
            first = last = None
    return stretches


def _foreign(text: str) -> tuple[str, float] | None:
    """The language of a stretch when py3langid is sure it is one the highlights were not validated on."""
    try:
        code, confidence = _identifier().classify(text[:SAMPLE_CHARS])
    except Exception:  # as in detect_language: a damaged model leaves the language unknown
        return None
    code, confidence = str(code), float(confidence)
    if confidence < MIN_CONFIDENCE or code in NOT_A_LANGUAGE or is_validated(code):
        return None
    return code, confidence


def read_languages(blocks: Sequence[Block]) -> Reading:
    """Which blocks of a page to read, and in which language (see the module's docstring)."""
    blocks = tuple(blocks)
    parts: list[list] = []  # [first, last, language, confidence]
    for first, last, text in _stretches(blocks):
        if len(text) >= FOREIGN_MIN_CHARS and (found := _foreign(text)) is not None:
            parts.append([first, last, *found])
    if not parts:
        return Reading(detect_language(blocks), blocks)
    # What lies between two such parts goes with them unless it is English: a line too short to tell (a heading, an
    # address), or blocks that looked English at a glance only (Hungarian, Spanish and Portuguese say "a" a lot).
    joined = [parts[0]]
    for part in parts[1:]:
        before = joined[-1]
        between = "\n".join(b.text for b in blocks[before[1] + 1:part[0]])
        if len(between) >= MIN_CHARS and _foreign(between) is None:
            joined.append(part)
        elif part[2] == before[2]:
            before[1], before[3] = part[1], max(before[3], part[3])
        else:
            before[1] = part[0] - 1
            joined.append(part)
    unread: set[int] = set()
    size_of: dict[str, int] = {}
    unread_parts = []
    for first, last, code, _ in joined:
        unread.update(range(first, last + 1))
        chars = sum(len(blocks[j].text) for j in range(first, last + 1))
        size_of[code] = size_of.get(code, 0) + chars
        unread_parts.append(UnreadPart(code, blocks[first].id, blocks[last].id, chars))
    rest = tuple(b for i, b in enumerate(blocks) if i not in unread)
    rest_chars = sum(len(b.text) for b in rest)
    total = rest_chars + sum(size_of.values())
    substantial = (rest_chars >= ENGLISH_PART_SHARE * total or rest_chars >= ENGLISH_ENOUGH_CHARS
                   or rest_chars > max(size_of.values()))
    if rest_chars >= FOREIGN_MIN_CHARS and substantial:
        language = detect_language(rest)
        if language.validated:
            return Reading(language, rest, tuple(unread_parts))
    # Not enough English to read: the page is in its other language, as a whole (detect_language, as before, unless
    # its first few thousand characters are the English part: then its largest other language).
    page = detect_language(blocks)
    if page.validated:
        code = max(size_of, key=size_of.get)
        page = Language(code, max(c for _, _, k, c in joined if k == code))
    return Reading(page, blocks)
