"""Frozen result types of the engine; `Analysis.to_dict()` is the JSON contract of the API and the extension."""
from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of reading-order text: a heading, paragraph, list item or table cell."""
    id: str
    text: str
    tag: str = "p"

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "tag": self.tag}


@dataclass(frozen=True, slots=True)
class Highlight:
    """A clause that states a practice. `start`/`end` are code-point offsets into the block's text."""
    block: str
    start: int
    end: int
    text: str
    practice: str
    polarity: str  # concern | protective | neutral
    summary: str
    confidence: float
    explanation: str  # what fired: recognizer or model, and the cue words
    # At full depth: the rules read the same practice with the same polarity as the learned reader. Two readers
    # agreeing make a surer key finding (key_findings.py); at quick depth the rules are the only reader: False.
    # Where the rules decide a practice's polarity (reader.POLARITY_FROM_RULES: sale, security) and the reader reads
    # the practice with another, the polarity shown is the rules' and this is True: the two agree on the practice,
    # and the rules, the more precise of the two there, on the polarity (the explanation says the polarity is
    # theirs; `confidence` stays the reader's, in the practice with its own polarity). Measured figures include this.
    rules_agree: bool = False

    def to_dict(self) -> dict:
        return {
            "block": self.block, "start": self.start, "end": self.end, "text": self.text,
            "practice": self.practice, "polarity": self.polarity, "summary": self.summary,
            "confidence": round(self.confidence, 3), "explanation": self.explanation,
            "reason": self.reason, "rules_agree": self.rules_agree,
        }

    @property
    def reason(self) -> str:
        """Why it is highlighted, in one plain sentence (reasons.py); `explanation` is the explainer's record."""
        from .reasons import plain_reason
        return plain_reason(self.explanation, self.practice, self.polarity, self.confidence)


@dataclass(frozen=True, slots=True)
class PracticeFinding:
    """One entry per practice found in a document."""
    practice: str
    label: str
    polarity: str  # the dominant polarity across its highlights
    counts: tuple[tuple[str, int], ...]  # ((polarity, n), ...) for concern, protective, neutral
    strongest: int  # index into Analysis.highlights of the most confident clause
    summary: str

    def to_dict(self) -> dict:
        return {"practice": self.practice, "label": self.label, "polarity": self.polarity,
                "counts": dict(self.counts), "strongest": self.strongest, "summary": self.summary}


@dataclass(frozen=True, slots=True)
class GradeReason:
    """A clause that moved the grade, and by how much."""
    practice: str
    polarity: str
    points: float
    highlight: int  # index into Analysis.highlights

    def to_dict(self) -> dict:
        return {"practice": self.practice, "polarity": self.polarity, "points": self.points,
                "highlight": self.highlight}


@dataclass(frozen=True, slots=True)
class Grade:
    letter: str | None  # A (best) .. E (worst); None when the document is not graded (`withheld` says why)
    score: float
    formula: str
    reasons: tuple[GradeReason, ...] = ()
    withheld: str | None = None  # why there is no letter: the page is not a policy, or there is nothing to read

    def to_dict(self) -> dict:
        return {"letter": self.letter, "score": round(self.score, 2), "formula": self.formula,
                "reasons": [r.to_dict() for r in self.reasons], "withheld": self.withheld}


@dataclass(frozen=True, slots=True)
class KeyFinding:
    """One of the few things to know about a policy: one distinct statement of a practice with a polarity."""
    practice: str
    polarity: str  # concern | protective
    summary: str
    highlights: tuple[int, ...]  # indices into Analysis.highlights: every place it is said, the surest first
    why_important: str
    confidence: float

    def to_dict(self) -> dict:
        return {"practice": self.practice, "polarity": self.polarity, "summary": self.summary,
                "highlights": list(self.highlights), "why_important": self.why_important,
                "confidence": round(self.confidence, 3)}


@dataclass(frozen=True, slots=True)
class SegmentLabels:
    """The OPP-115 top-level categories that one block expresses."""
    block: str
    categories: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"block": self.block, "categories": list(self.categories)}


@dataclass(frozen=True, slots=True)
class UnreadPart:
    """A part of a page in a language the highlights were not validated on, left unread while the rest of the page
    was read: the blocks from `first_block` to `last_block` (in reading order, both included)."""
    language: str  # ISO 639-1
    first_block: str
    last_block: str
    chars: int  # the length of its blocks' text

    def to_dict(self) -> dict:
        return {"language": self.language, "first_block": self.first_block, "last_block": self.last_block,
                "chars": self.chars}


@dataclass(frozen=True, slots=True)
class Analysis:
    kind: str
    kind_confidence: float
    kind_evidence: tuple[str, ...]
    blocks: tuple[Block, ...]
    highlights: tuple[Highlight, ...]
    practices: tuple[PracticeFinding, ...]
    grade: Grade
    segments: tuple[SegmentLabels, ...]
    content_hash: str
    url: str | None = None
    title: str | None = None
    schema_version: int = field(default=SCHEMA_VERSION)
    # Which reading answered: "full" (the learned reader) or "quick" (the rules alone, for a first paint, or
    # where the reader is unavailable; `notices` then says why).
    depth: str = "quick"
    # ISO 639-1 of the text that was read, "und" when undetermined; on a page that was not read, the page's language
    language: str = "und"
    notices: tuple[str, ...] = ()  # plain-language notes for the reader: an unvalidated language, a fallback
    # The few clauses that matter, most important first (key_findings.py); every highlight stays in `highlights`.
    key_findings: tuple[KeyFinding, ...] = ()
    # Parts of the page in another language, set aside while its English rest was read (`notices` says so too); empty
    # when the whole page was read, and when none of it was (then `language` is not English and there are no
    # highlights).
    unread_parts: tuple[UnreadPart, ...] = ()

    def to_dict(self) -> dict:
        return {
            "schema_version": self.schema_version,
            "depth": self.depth,
            "language": self.language,
            "notices": list(self.notices),
            "unread_parts": [p.to_dict() for p in self.unread_parts],
            "kind": self.kind,
            "kind_confidence": round(self.kind_confidence, 3),
            "kind_evidence": list(self.kind_evidence),
            "url": self.url,
            "title": self.title,
            "content_hash": self.content_hash,
            "grade": self.grade.to_dict(),
            "key_findings": [k.to_dict() for k in self.key_findings],
            "practices": [p.to_dict() for p in self.practices],
            "highlights": [h.to_dict() for h in self.highlights],
            "segments": [s.to_dict() for s in self.segments],
            "blocks": [b.to_dict() for b in self.blocks],
        }
