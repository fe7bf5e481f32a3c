"""The terminal view of an analysis: kind, grade and why, then each practice with its clauses in context.

Colours only when asked for (the caller decides: a TTY and no NO_COLOR); without them the emphasised span is set
off with » « so the view still reads well in a log file or a pipe.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from ..engine.grade import ASK_TO_GRADE_ANYWAY
from ..engine.results import Analysis, Highlight
from ..taxonomy import POLARITIES, POLICY_KINDS, PRACTICE_BY_ID
from ..report import language_label, not_a_policy_note
from .terminal import for_terminal, one_line, terminal_safe

KIND_LABELS = {
    "privacy_policy": "privacy policy",
    "cookie_policy": "cookie policy",
    "terms_of_service": "terms of service",
    "other": "not a policy",
}
CONTEXT_CHARS = 90  # of the surrounding block, each side of a clause
_SPAN_OPEN, _SPAN_CLOSE = "\ue000", "\ue001"  # private-use sentinels: survive wrapping, replaced at the end
_SENTENCE_END = re.compile(r"[.!?;:](?=\s)")


@dataclass(frozen=True, slots=True)
class Style:
    """ANSI styles, or nothing."""
    colour: bool

    def _sgr(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def bold(self, text: str) -> str:
        return self._sgr("1", text)

    def dim(self, text: str) -> str:
        return self._sgr("2", text)

    def polarity(self, polarity: str, text: str) -> str:
        return self._sgr({"concern": "1;31", "protective": "1;32", "neutral": "1;34"}.get(polarity, "1"), text)

    def span_markers(self, polarity: str) -> tuple[str, str]:
        if not self.colour:
            return "»", "«"
        code = {"concern": "1;4;31", "protective": "1;4;32", "neutral": "1;4;34"}.get(polarity, "1;4")
        return f"\033[{code}m", "\033[0m"


def render_text(analysis: Analysis, *, colour: bool = False, width: int = 100, source: str | None = None,
                show_all: bool = False) -> str:
    """The key findings first; every highlight, by practice, with `show_all`. What came from the page is shown
    with its control characters made harmless (`terminal.for_terminal`) before any colour is added."""
    analysis = for_terminal(analysis)
    source = terminal_safe(source) if source is not None else None
    style = Style(colour)
    width = max(50, min(width, 120))
    out: list[str] = []
    out.append(style.bold(one_line(analysis.title, width) or one_line(source, width) or "Analysis"))
    if analysis.url:
        out.append(style.dim(analysis.url))
    kind = KIND_LABELS.get(analysis.kind, analysis.kind)
    out.append(f"Kind:  {style.bold(kind)} (confidence {analysis.kind_confidence:.0%})")
    for evidence in analysis.kind_evidence[:3]:
        out.append(style.dim(f"       · {evidence}"))
    if analysis.kind not in POLICY_KINDS:
        out.extend(_wrap(f"({not_a_policy_note(analysis)})", width, "       ", style.dim))
    reading = ("full (the learned reader read every sentence)" if analysis.depth == "full"
               else "quick (the rules alone)")
    out.append(f"Read:  {reading}; language {language_label(analysis.language)}")
    for notice in analysis.notices:
        out.extend(_wrap(f"Note: {notice}", width, "       ", style.bold))
    out.extend(_grade_lines(analysis, style, width))
    out.append("")
    out.extend(_key_finding_lines(analysis, style, width))
    out.append("")
    if not show_all:
        rest = len(analysis.highlights)
        if rest:
            out.append(style.dim(f"{rest} clause{'s' if rest != 1 else ''} highlighted in all; "
                                 f"--all shows every one, by practice."))
            out.append("")
        return "\n".join(out) + "\n"
    out.append(style.bold("All highlights, by practice"))
    out.append("")
    by_practice: dict[str, list[int]] = {}
    for index, h in enumerate(analysis.highlights):
        by_practice.setdefault(h.practice, []).append(index)
    order = [f.practice for f in analysis.practices] + [p for p in by_practice if p not in
                                                         {f.practice for f in analysis.practices}]
    blocks = {b.id: b.text for b in analysis.blocks}
    if not analysis.highlights:
        out.append("No data practices were found.")
    for practice in order:
        indexes = by_practice.get(practice, [])
        finding = next((f for f in analysis.practices if f.practice == practice), None)
        counts = dict(finding.counts) if finding else {}
        if not counts:
            for i in indexes:
                counts[analysis.highlights[i].polarity] = counts.get(analysis.highlights[i].polarity, 0) + 1
        count_text = ", ".join(f"{style.polarity(p, p)} ×{counts[p]}" for p in POLARITIES if counts.get(p))
        rule = "─" * 2
        out.append(f"{rule} {style.bold(_label(practice))}  {count_text}")
        if finding and finding.summary:
            out.extend(_wrap(finding.summary, width, "   "))
        for i in indexes:
            out.extend(_clause_lines(analysis.highlights[i], blocks.get(analysis.highlights[i].block, ""),
                                     style, width, finding.summary if finding else ""))
        out.append("")

    out.append(style.bold("In short"))
    out.append(f"   {KIND_LABELS.get(analysis.kind, analysis.kind).capitalize()}, grade "
               f"{style.bold(analysis.grade.letter or 'none')}: {_count(len(analysis.practices), 'practice')} found, "
               f"{_count(len(analysis.highlights), 'clause')} highlighted.")
    if not analysis.practices:
        out.append("   Nothing about the use of personal data was found.")
    for finding in analysis.practices:
        mark = {"concern": "✗", "protective": "✓"}.get(finding.polarity, "·")
        out.append(f"   {style.polarity(finding.polarity, mark)} {finding.summary or _label(finding.practice)}")
    return "\n".join(out) + "\n"


def _grade_lines(analysis: Analysis, style: Style, width: int) -> list[str]:
    grade = analysis.grade
    if grade.letter is None:
        withheld = (grade.withheld or "").replace(ASK_TO_GRADE_ANYWAY, "`smallprint analyze --as-policy` grades it "
                                                                       "anyway.")
        # "Grade:" in the label column, as "Kind:" and "Read:" are; its reason wrapped under the text column.
        return textwrap.wrap(f"Grade: none. {withheld}", width=width, subsequent_indent="       ")
    # wrapped as plain text (the letter is the line's second word), then the letter painted
    out = textwrap.wrap(f"Grade: {grade.letter} (score {grade.score:g}; A is best, E is worst; how it is worked "
                        f"out: README, \"Key findings and the grade\")", width=width, subsequent_indent="       ")
    out[0] = f"Grade: {style.bold(grade.letter)}{out[0][len('Grade: ') + len(grade.letter):]}"
    against = [r for r in grade.reasons if r.points < 0]
    favour = [r for r in grade.reasons if r.points >= 0]
    for heading, polarity, reasons in (("against you", "concern", against), ("in your favour", "protective", favour)):
        if reasons:
            items = ", ".join(f"{_label(r.practice)} {r.points:+g}" for r in sorted(reasons, key=lambda r: -abs(r.points)))
            lines = textwrap.wrap(f"{heading}: {items}", width=width, initial_indent="       ",
                                  subsequent_indent="         ")
            lines[0] = lines[0].replace(heading, style.polarity(polarity, heading), 1)
            out.extend(lines)
    return out


def _key_finding_lines(analysis: Analysis, style: Style, width: int) -> list[str]:
    if not analysis.key_findings:
        return [style.bold("Key findings"), "   None: no clause states a practice clearly enough to lead with."]
    out = [style.bold(f"Key findings ({len(analysis.key_findings)}, most important first)")]
    blocks = {b.id: b.text for b in analysis.blocks}
    for n, finding in enumerate(analysis.key_findings, 1):
        mark = {"concern": "✗", "protective": "✓"}.get(finding.polarity, "·")
        out.append(f"{n:>2}. {style.polarity(finding.polarity, mark)} {style.bold(_label(finding.practice))}: "
                   f"{finding.summary}")
        out.extend(_wrap(finding.why_important, width, "      ", style.dim))
        lead = analysis.highlights[finding.highlights[0]]
        out.extend(_clause_lines(lead, blocks.get(lead.block, ""), style, width, finding.summary)[1:])
        if len(finding.highlights) > 1:
            more = len(finding.highlights) - 1
            out.append(style.dim(f"      (said {more} more time{'s' if more != 1 else ''} in this document)"))
    return out


def _clause_lines(h: Highlight, block_text: str, style: Style, width: int, practice_summary: str = "") -> list[str]:
    head = f"   {style.polarity(h.polarity, h.polarity.upper())} {style.dim(f'{h.confidence:.0%}')}"
    lines = [head if h.summary == practice_summary else f"{head}  {h.summary}"]
    context = _in_context(h, block_text)
    wrapped = textwrap.wrap(context, width=width - 6, break_long_words=False, break_on_hyphens=False)
    opening, closing = style.span_markers(h.polarity)
    inside = False
    for line in wrapped:
        # A span that wraps onto the next line is re-opened there, so colours never leak into the margin.
        rendered = (opening if inside and style.colour else "") + line
        inside = _still_inside(line, inside)
        rendered = rendered.replace(_SPAN_OPEN, opening).replace(_SPAN_CLOSE, closing)
        if inside and style.colour:
            rendered += "\033[0m"
        lines.append("      " + rendered)
    lines.extend(_wrap(f"why: {h.reason}", width, "      ", style.dim))
    return lines


def _still_inside(line: str, inside: bool) -> bool:
    for char in line:
        if char == _SPAN_OPEN:
            inside = True
        elif char == _SPAN_CLOSE:
            inside = False
    return inside


def _in_context(h: Highlight, block_text: str) -> str:
    """The clause with up to CONTEXT_CHARS of its block either side, cut at sentence or word boundaries."""
    if not (0 <= h.start < h.end <= len(block_text)) or block_text[h.start:h.end] != h.text:
        return f"{_SPAN_OPEN}{_squash(h.text)}{_SPAN_CLOSE}"
    before = block_text[max(0, h.start - CONTEXT_CHARS):h.start]
    after = block_text[h.end:h.end + CONTEXT_CHARS]
    if h.start > CONTEXT_CHARS:
        ends = list(_SENTENCE_END.finditer(before))
        before = before[ends[-1].end():] if ends else "…" + before.split(" ", 1)[-1]
    if h.end + CONTEXT_CHARS < len(block_text):
        end = _SENTENCE_END.search(after)
        after = after[:end.end()] if end else after.rsplit(" ", 1)[0] + "…"
    return _squash(f"{before.lstrip()}{_SPAN_OPEN}{h.text}{_SPAN_CLOSE}{after.rstrip()}")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _wrap(text: str, width: int, indent: str, paint=None) -> list[str]:
    lines = textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent) or []
    return [paint(line) if paint else line for line in lines]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _label(practice_id: str) -> str:
    practice = PRACTICE_BY_ID.get(practice_id)
    return practice.label if practice else practice_id
