"""The language a page is written in, by py3langid (a registry package that ships its model; nothing is fetched).

The reader and the rules were trained and validated on English policies only. On a page in another language the
engine says so plainly instead of painting highlights it cannot stand behind.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import re
from functools import lru_cache

from .results import Block

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
