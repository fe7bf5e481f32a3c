"""analyze(): input -> blocks -> highlighted clauses -> practices, grade, OPP-115 segments and the document kind.

Two depths, one result schema:
- "full" (the default): the learned reader (reader.py) reads every sentence with its context and decides which
  practices it states and with which polarity; the rules only explain its readings (which words fired);
- "quick": the rules alone (clauses.py), fast enough for a first paint; also the fallback where the reader cannot
  be loaded, which the result's `notices` then says.
On a page in a language the highlights were not validated on, neither depth paints highlights: the result says so.
On a page that is partly in such a language (a bilingual policy), both depths read its English part alone, and the
result says which parts were not read (`unread_parts`, and a notice).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from ..taxonomy import OPP115_CATEGORIES, PRACTICE_BY_ID, PRACTICE_IDS
from . import polarity as pol
from .blocks import script_drawn_notice, to_blocks
from .clauses import HEADING_TAGS, find_highlights, read_clause, read_with_rules
from .grade import grade_findings
from .key_findings import MAX_KEY_FINDINGS, candidate_findings
from .summaries import summarize
from .language import read_languages
from .results import Analysis, Block, Highlight, PracticeFinding, SegmentLabels
from .visible import fold_blocks, unfold_highlights

__all__ = ["DEPTHS", "analyze", "find_highlights", "read_clause", "summarize_practices"]

DEPTHS = ("full", "quick")
# How the notice that the full reading fell back to the quick one begins (`smallprint diff` looks for it)
READER_UNAVAILABLE = "The full reading is unavailable"

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


def explain(practice: str, polarity: str, confidence: float, source: str,
            rule_reading: dict[str, tuple[str, str]]) -> tuple[str, bool]:
    """A full-depth reading's explanation, and whether the rules agree with it (Highlight.rules_agree). `source` as
    reader.with_severe_rules names it; `rule_reading` the recognizers' {practice: (polarity, why)} for the unit."""
    if source == "rules":
        return f"rules: {rule_reading[practice][1]}; shown although the reader is unsure of it: a severe practice", False
    if source == "rules_polarity":
        # the reader's confidence is in its own polarity, which the rules overrode (reader.POLARITY_FROM_RULES)
        return (f"reader: {practice}, {confidence:.0%} sure, with another polarity; rules: {rule_reading[practice][1]}; "
                f"{polarity}: for this practice the rules decide the polarity"), True
    explanation = f"reader: {practice} {polarity}, {confidence:.0%} sure"
    if practice not in rule_reading:
        return explanation, False
    rule_polarity, why = rule_reading[practice]
    return (explanation + f"; rules: {why}" + ("" if rule_polarity == polarity else f" (rules read {rule_polarity})"),
            rule_polarity == polarity)


def _read_with_rules(blocks: Sequence[Block], use_model: bool) -> tuple[tuple[Highlight, ...], int]:
    reading = read_with_rules(blocks, use_model=use_model)
    return reading.highlights, reading.filler_chars


def _filler_notice(filler_chars: int, total_chars: int) -> str:
    """What the quick reading did not read: sentences of one phrase repeated over and over (a megabyte-long one is
    cut into pieces, each of them such a sentence). Without this an analysis of such a page said nothing of it,
    and showed no highlights as if the page stated nothing."""
    share = filler_chars / total_chars if total_chars else 0.0
    share_text = f"{share:.0%}" if share >= 0.005 else "less than 1%"
    return (f"Part of this page ({share_text} of its text, {filler_chars:,} characters) was not read: it repeats the "
            f"same few words over and over in sentences of more than 60 words, which the quick reading passes over "
            f"as filler; the highlights and grade are for the rest of the page.")


def _read_fully(blocks: Sequence[Block], opp115_head: bool
                ) -> tuple[tuple[Highlight, ...], tuple[SegmentLabels, ...] | None]:
    """The learned reader's highlights, and its OPP-115 segments when asked; ReaderUnavailable when it cannot run."""
    from .linear import sigmoid
    from .reader import load_model, opp_categories, read_units
    from .reader_input import reading_units
    from .segments import block_logits

    model = load_model()
    by_id = {b.id: b for b in blocks}
    # A heading names a section; the clauses under it state the practice. Its text is context for the units
    # below it (reading_units has put it there), but it is not read itself.
    units = [u for u in reading_units(blocks) if by_id[u.block].tag not in HEADING_TAGS]
    memo: dict[str, dict] = {}

    def rules(text: str) -> dict:  # policies repeat sentences; the recognizers read each distinct one once
        if text not in memo:
            memo[text] = read_clause(text)
        return memo[text]

    rules_of = [rules(u.text) if u.readable else {} for u in units]
    readings = read_units(units, rules_of, model)
    highlights: list[Highlight] = []
    for unit, found, rule_reading in zip(units, readings, rules_of):
        for practice, polarity, confidence, source in found:
            explanation, agree = explain(practice, polarity, confidence, source, rule_reading)
            highlights.append(Highlight(unit.block, unit.start, unit.end, unit.text, practice, polarity,
                                        summarize(practice, polarity, unit.text), confidence, explanation, agree))
    if not opp115_head:
        return tuple(highlights), None
    readable = [i for i, b in enumerate(blocks) if b.text.strip()]
    words = None
    if model.opp_blend is not None:  # the segments model's probabilities, for the blend (reader.opp_categories)
        logits = block_logits(blocks)
        at = {c: j for j, c in enumerate(OPP115_CATEGORIES)}
        words = [[sigmoid(logits[i][at[c]]) if logits[i] else 0.0 for c in model.opp] for i in readable]
    categories = opp_categories([blocks[i].text for i in readable], model, words_probabilities=words) \
        if readable else []
    found_for = {blocks[i].id: cats for i, cats in zip(readable, categories)}
    segments = tuple(SegmentLabels(b.id, tuple(c for c in OPP115_CATEGORIES if c in found_for.get(b.id, ())))
                     for b in blocks)
    return tuple(highlights), segments


def analyze(*, text=None, html=None, blocks=None, url=None, title=None, use_model: bool = True,
            depth: str = "full", opp115_head: bool = False, as_policy: bool = False,
            with_segments: bool = True) -> Analysis:
    """Analyse one document given as exactly one of `text` (plain or Markdown), `html`, or `blocks`
    (`[{"id", "text", "tag"?}]`), reading it at `depth` ("full": the learned reader; "quick": the rules).
    The OPP-115 segments (a research benchmark's view, not shown to readers) come from the small linear segments
    model, or at full depth with `opp115_head` from the reader's own segment head (a second pass over every block:
    ~30% of a full reading, so only `smallprint eval` asks for it); `with_segments=False` leaves them out (a fifth of
    a quick reading; the corpus tables do not use them). Only a document detected as a policy gets a letter grade,
    or any document when `as_policy` (the reader asked for it). Raises ValueError on input it cannot take."""
    if url is not None and not isinstance(url, str):
        raise ValueError("url must be a string")
    if title is not None and not isinstance(title, str):
        raise ValueError("title must be a string")
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {', '.join(DEPTHS)}")
    page_blocks = to_blocks(text=text, html=html, blocks=blocks)
    # Everything reads the text as a reader sees it (no invisible characters or look-alike letters to hide a word
    # behind); the highlights are moved back onto the page's own characters at the end.
    parsed, folded_maps = fold_blocks(page_blocks)
    reading = read_languages(parsed)
    language, read = reading.language, reading.blocks
    notices: list[str] = []
    if html is not None and (drawn := script_drawn_notice(html, page_blocks)):
        notices.append(drawn)
    answered = "quick"
    segments = None
    filler_chars = 0  # text the quick reading passed over as repetitive filler (clauses.repetitive_filler)
    if not language.validated:
        # Rules and reader were validated on English only: no highlights beat misleading ones.
        highlights: tuple[Highlight, ...] = ()
        notices.append(f"This page looks like it is in a language smallprint has not been validated on "
                       f"({language.code}); it shows no highlights rather than unreliable ones.")
        answered = depth
    elif depth == "full":
        from .reader import ReaderUnavailable
        try:
            highlights, segments = _read_fully(read, opp115_head)
            answered = "full"
        except ReaderUnavailable as exc:
            notices.append(f"{READER_UNAVAILABLE} ({exc}); these are the quick reading's highlights.")
            highlights, filler_chars = _read_with_rules(read, use_model)
    else:
        highlights, filler_chars = _read_with_rules(read, use_model)
    if reading.unread:
        codes = ", ".join(dict.fromkeys(p.language for p in reading.unread))
        share = reading.unread_share(sum(len(b.text) for b in parsed))
        notices.append(f"Part of this page ({share:.0%} of its text) is in a language smallprint has not been "
                       f"validated on ({codes}); that part was not read, and the highlights and grade are for the "
                       f"rest of the page alone.")
    if filler_chars:
        notices.append(_filler_notice(filler_chars, sum(len(b.text) for b in parsed)))
    kind, confidence, evidence = _kind(read, highlights, url, title)
    # Key findings and the grade read the folded text (repeats compared as a reader sees them); unfolding keeps
    # every highlight in its place in the list, so their indices stay right.
    findings = candidate_findings(highlights)
    grade = grade_findings(findings, kind=kind, as_policy=as_policy, readable=any(b.text.strip() for b in read),
                           depth=answered,  # the thresholds of the reading that answered
                           unread=None if language.validated else
                           f"This page looks like it is in a language smallprint has not been validated on "
                           f"({language.code}), so it was not read and has no grade.")
    if with_segments:
        segments = segments if segments is not None else _segments(read, highlights)
        if len(read) != len(parsed):  # the unread parts' blocks are in no category
            found = {s.block: s for s in segments}
            segments = tuple(found.get(b.id, SegmentLabels(b.id, ())) for b in parsed)
    highlights = unfold_highlights(highlights, page_blocks, folded_maps)
    digest = hashlib.sha256("\n\n".join(b.text for b in page_blocks).encode("utf-8", "surrogatepass")).hexdigest()
    return Analysis(kind=kind, kind_confidence=confidence, kind_evidence=evidence, blocks=page_blocks,
                    highlights=highlights, practices=summarize_practices(highlights),
                    grade=grade, key_findings=findings[:MAX_KEY_FINDINGS],
                    segments=segments if with_segments else (),
                    content_hash=digest, url=url, title=title, depth=answered, language=language.code,
                    notices=tuple(notices), unread_parts=reading.unread)
