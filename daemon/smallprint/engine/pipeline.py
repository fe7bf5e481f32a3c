"""analyze(): input -> blocks -> highlighted clauses (clauses.py) -> practices, grade, OPP-115 segments and the
document kind. The trained parts (kind, segments, practice model) are optional: without them the engine falls back
to its rules and still answers.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from ..taxonomy import OPP115_CATEGORIES, PRACTICE_BY_ID, PRACTICE_IDS
from . import polarity as pol
from .blocks import to_blocks
from .clauses import find_highlights, read_clause
from .grade import grade as grade_highlights
from .results import Analysis, Block, Highlight, PracticeFinding, SegmentLabels

__all__ = ["analyze", "find_highlights", "read_clause", "summarize_practices"]

_OPP_FOR_PRACTICE: dict[str, str] = {
    "ai_training": OPP115_CATEGORIES[0], "biometric": OPP115_CATEGORIES[0], "sensitive_data": OPP115_CATEGORIES[0],
    "location": OPP115_CATEGORIES[0], "employment_education": OPP115_CATEGORIES[0], "advertising": OPP115_CATEGORIES[0],
    "tracking": OPP115_CATEGORIES[0], "private_content": OPP115_CATEGORIES[0], "profiling": OPP115_CATEGORIES[0],
    "sale_of_data": OPP115_CATEGORIES[1], "third_party_sharing": OPP115_CATEGORIES[1],
    "third_party_sources": OPP115_CATEGORIES[1], "government_access": OPP115_CATEGORIES[1],
    "business_transfer": OPP115_CATEGORIES[1], "user_choice": OPP115_CATEGORIES[2], "user_rights": OPP115_CATEGORIES[3],
    "retention": OPP115_CATEGORIES[4], "security": OPP115_CATEGORIES[5], "policy_change": OPP115_CATEGORIES[6],
    "children": OPP115_CATEGORIES[8], "international_transfer": OPP115_CATEGORIES[8],
}


def summarize_practices(highlights: Sequence[Highlight]) -> tuple[PracticeFinding, ...]:
    by_practice: dict[str, list[int]] = {}
    for i, h in enumerate(highlights):
        by_practice.setdefault(h.practice, []).append(i)
    findings = []
    for practice in PRACTICE_IDS:
        indices = by_practice.get(practice)
        if not indices:
            continue
        counts = {p: 0 for p in pol.POLARITY_ORDER}
        for i in indices:
            counts[highlights[i].polarity] += 1
        dominant = pol.dominant(practice, counts)
        strongest = max((i for i in indices if highlights[i].polarity == dominant),
                        key=lambda i: (highlights[i].confidence, -i))
        findings.append(PracticeFinding(practice, PRACTICE_BY_ID[practice].label, dominant,
                                        tuple((p, counts[p]) for p in pol.POLARITY_ORDER), strongest,
                                        highlights[strongest].summary))
    return tuple(findings)


def _segments(blocks: Sequence[Block], highlights: Sequence[Highlight]) -> tuple[SegmentLabels, ...]:
    try:
        from .segments import classify_blocks
    except ImportError:
        classify_blocks = None
    if classify_blocks is not None:
        try:
            labels = classify_blocks(blocks)
            return tuple(SegmentLabels(b.id, tuple(cats)) for b, cats in zip(blocks, labels))
        except Exception:  # fall back to the rules' view rather than fail the analysis
            pass
    per_block: dict[str, set[str]] = {}
    for h in highlights:
        cats = per_block.setdefault(h.block, set())
        cats.add(_OPP_FOR_PRACTICE[h.practice])
        if h.practice == "tracking" and re.search(r"(?i)do[- ]not[- ]track|\bdnt\b", h.text):
            cats.add("Do Not Track")
    return tuple(SegmentLabels(b.id, tuple(c for c in OPP115_CATEGORIES if c in per_block.get(b.id, ())))
                 for b in blocks)


_KIND_WORDS = (("cookie_policy", re.compile(r"(?i)\bcookie (?:policy|notice|statement)")),
               ("privacy_policy", re.compile(r"(?i)\bprivacy (?:policy|notice|statement)|\bdata (?:policy|protection notice)")),
               ("terms_of_service", re.compile(r"(?i)\bterms (?:of (?:service|use)|and conditions)|\buser agreement")))


def _kind(blocks: Sequence[Block], highlights: Sequence[Highlight], url, title) -> tuple[str, float, tuple[str, ...]]:
    try:
        from .kind import detect_kind
    except ImportError:
        detect_kind = None
    if detect_kind is not None:
        try:
            result = detect_kind(blocks, url=url, title=title)
            return result.kind, float(result.confidence), tuple(result.evidence)
        except (OSError, ValueError, KeyError):  # a missing or damaged model file: use the rules below
            pass
    # Fallback until the trained detector exists: heading/title words plus density of practice clauses.
    head = " ".join([title or "", url or ""] + [b.text for b in blocks[:3]])
    practices = {h.practice for h in highlights}
    for kind, rx in _KIND_WORDS:
        if rx.search(head) and (kind != "privacy_policy" or len(practices) >= 5):
            return kind, 0.6, (f"heading or title names a {kind.replace('_', ' ')}", f"{len(practices)} practices found")
    if len(practices) >= 8:
        return "privacy_policy", 0.5, (f"{len(practices)} different practices found",)
    return "other", 0.5, ("no policy heading and few practices",)


def analyze(*, text=None, html=None, blocks=None, url=None, title=None, use_model: bool = True) -> Analysis:
    """Analyse one document given as exactly one of `text` (plain or Markdown), `html`, or `blocks`
    (`[{"id", "text", "tag"?}]`). Raises ValueError on input it cannot take."""
    if url is not None and not isinstance(url, str):
        raise ValueError("url must be a string")
    if title is not None and not isinstance(title, str):
        raise ValueError("title must be a string")
    parsed = to_blocks(text=text, html=html, blocks=blocks)
    highlights = find_highlights(parsed, use_model=use_model)
    kind, confidence, evidence = _kind(parsed, highlights, url, title)
    digest = hashlib.sha256("\n\n".join(b.text for b in parsed).encode("utf-8", "surrogatepass")).hexdigest()
    return Analysis(kind=kind, kind_confidence=confidence, kind_evidence=evidence, blocks=parsed,
                    highlights=highlights, practices=summarize_practices(highlights),
                    grade=grade_highlights(highlights), segments=_segments(parsed, highlights),
                    content_hash=digest, url=url, title=title)
