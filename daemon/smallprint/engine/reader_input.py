"""What the learned reader reads: one function that turns blocks into reading units, used by training and by the
running engine alike, so that what is trained is what runs.

A *unit* is one sentence (or clause) of a block, as `split_sentences` cuts it, with the context a careful reader
has when they reach it: the heading it sits under, and the text just before it (the previous sentence, or the
lead-in that ends with a colon before a list item). The model sees the sentence as the first text of a pair and
the context as the second, each cut to a few words so that the cost of reading stays proportional to the policy.

Pure Python: no model library is imported here.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..taxonomy import OPP115_CATEGORIES, POLARITIES, PRACTICE_IDS
from .results import Block
from .sentences import split_sentences

# The reader's outputs: one probability per (practice, polarity) pair, in this order, then the OPP-115 categories.
PAIR_LABELS: tuple[tuple[str, str], ...] = tuple((p, pol) for p in PRACTICE_IDS for pol in POLARITIES)
PAIR_INDEX = {pair: i for i, pair in enumerate(PAIR_LABELS)}
OPP_LABELS: tuple[str, ...] = OPP115_CATEGORIES

# Token budget of one unit (sentence + context). Long sentences are cut: the words that state a practice come
# early in a policy sentence, and cost grows with every token (a policy sentence averages ~30 tokens).
MAX_TOKENS = 64
# Token budget of a whole block read by the OPP-115 segment head (a paragraph says more than a sentence).
SEGMENT_TOKENS = 96
# Context is cut to this many words: enough to know the section and what the sentence continues.
HEADING_WORDS = 10
BEFORE_WORDS = 14
# A unit with fewer words than this states no practice ("Location information.", "Last updated: May 2025"):
# it is not read at all, which is both the labelling guide's rule for headings and a saving.
MIN_WORDS = 4

# A block is cut to this many characters before the segment head tokenizes it: SEGMENT_TOKENS never reach that far
# (a token is 4-6 characters of policy text), and a megabyte-long block must not be tokenized whole.
SEGMENT_CHARS = 2000

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WORD = re.compile(r"\w+")
_HEADING_END = re.compile(r"[.;,]\s*$")


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence of a block and the context it is read in. `start`/`end` index into the block's text."""
    block: str
    start: int
    end: int
    text: str
    heading: str
    before: str

    @property
    def readable(self) -> bool:
        return has_enough_words(self.text)


def has_enough_words(text: str) -> bool:
    """Whether a sentence has the MIN_WORDS words it takes to state a practice (the quick depth reads a shorter one
    only where it has a subject or a verb: clauses._STATES_SOMETHING)."""
    return len(_WORD.findall(text)) >= MIN_WORDS


def _looks_like_heading(block: Block) -> bool:
    """A heading tag, or a short line of plain text without closing punctuation (text and Markdown inputs give
    headings as such lines: "What Choices Do I Have?", "Sharing with partners")."""
    if block.tag in HEADING_TAGS:
        return True
    text = block.text.strip()
    if not text or "\n" in text or len(text) > 120:
        return False
    # A short line ending in a colon ("Information you give us:") counts too: it titles what follows.
    return len(_WORD.findall(text)) <= 12 and not _HEADING_END.search(text)


def _first_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n])


def _last_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[-n:])


def reading_units(blocks: Sequence[Block]) -> list[Unit]:
    """Every sentence of every block, in reading order, with its heading and what came just before."""
    units: list[Unit] = []
    heading = ""
    before = ""
    lead_in = ""  # the last sentence before a list that ends with a colon
    for block in blocks:
        if _looks_like_heading(block):
            heading = _first_words(block.text, HEADING_WORDS)
            # the heading is context for what follows, and a unit of its own (which the reader learns to pass over)
            units.append(Unit(block.id, 0, len(block.text), block.text, "", before))
            before = block.text
            lead_in = ""
            continue
        for span in split_sentences(block.text):
            sentence = block.text[span.start:span.end]
            context_before = before
            if block.tag == "li" and lead_in and span.start == 0:
                context_before = lead_in
            units.append(Unit(block.id, span.start, span.end, sentence, heading, context_before))
            before = sentence
        if block.tag != "li":
            lead_in = before if before.rstrip().endswith(":") else ""
    return units


def pair_text(unit: Unit) -> tuple[str, str]:
    """The two texts the model reads for a unit: the sentence, and its context cut to a few words."""
    context = []
    if unit.heading:
        context.append(_first_words(unit.heading, HEADING_WORDS))
    if unit.before and unit.before != unit.heading:
        context.append(_last_words(unit.before, BEFORE_WORDS))
    return _tokenizable(unit.text), _tokenizable(" | ".join(context))


def _tokenizable(text: str) -> str:
    """Lone surrogates (which a page's text can carry) have no UTF-8 form; the tokenizer is given '?' instead."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def segment_text(block_text: str) -> str:
    """What the OPP-115 segment head reads of a block (or of a training segment)."""
    return _tokenizable(block_text[:SEGMENT_CHARS])
