"""The HTML report: one self-contained page showing a policy with its highlights inline.

No external resources of any kind (no remote fonts, images, scripts or style sheets) and no JavaScript: the page
must open the same way from an e-mail attachment, offline, years later. Hover/focus cards are pure CSS
(`attr(data-card)`), and every highlight is also listed in a printable appendix because tooltips do not print.

By keyboard (no script, so no roving focus): highlights are not Tab stops, since a policy with hundreds of them
took hundreds of presses to get past. Skip links lead to the key findings, the policy and the list of every
highlight; the key findings, the grade's reasons, the practices and that list link to the clauses, and following a
link to a clause focuses it and shows its card (`:target`, `:focus`). Tab goes on from there.

The page shell (`render_page`, `SHARED_CSS`, `marked_text_html`, `legend_html`) is public so that other reports
(the policy diff) look the same.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable, Sequence

from . import __version__
from .clip import clip_words
from .engine.results import Analysis, Block, Highlight
from .taxonomy import PRACTICE_BY_ID, POLICY_KINDS, POLARITIES

KIND_LABELS = {
    "privacy_policy": "Privacy policy",
    "cookie_policy": "Cookie policy",
    "terms_of_service": "Terms of service",
    "other": "Not a policy",
}
POLARITY_LABELS = {"concern": "Concern", "protective": "Protective", "neutral": "Neutral"}
POLARITY_MEANINGS = {
    "concern": "reduces your privacy or control",
    "protective": "a promise or right in your favour",
    "neutral": "informative only",
}
# When marks of several polarities cover the same words, the colour shown is the first of these present.
_POLARITY_PRECEDENCE = ("concern", "protective", "neutral")
GRADE_QUOTE_CHARS = 90  # a grade line quotes its clause in at most this many characters (clip.clip_words)

SHARED_CSS = """
:root {
  --ink: #1d1f24; --muted: #5b616e; --paper: #ffffff; --panel: #f5f6f8; --rule: #d9dce3; --accent: #3344aa;
  --concern-bg: #ffd9d6; --concern-ink: #9f1d12; --concern-line: #d93a2b;
  --protective-bg: #d3f2dc; --protective-ink: #14622f; --protective-line: #2a9d54;
  --neutral-bg: #e2e8f3; --neutral-ink: #2f4a75; --neutral-line: #6d86b0;
  /* white letters on each at >= 5:1 (B and C were 2.7:1 and 2.6:1) */
  --grade-A: #1e7b40; --grade-B: #4d7a12; --grade-C: #8a6a00; --grade-D: #b34d0f; --grade-E: #c8322a;
}
@media (prefers-color-scheme: dark) {
  :root {
    --ink: #e6e7ea; --muted: #a3a8b3; --paper: #16181c; --panel: #1f2228; --rule: #343842; --accent: #9fb0ff;
    --concern-bg: #5a1f1a; --concern-ink: #ffb4ab; --protective-bg: #173f25; --protective-ink: #9fe3b5;
    --neutral-bg: #263247; --neutral-ink: #b5c8ea;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--paper); color: var(--ink);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); }
.sp-top { border-bottom: 1px solid var(--rule); padding: 18px 28px 14px; }
.sp-top h1 { margin: 0 0 4px; font-size: 1.45rem; line-height: 1.3; }
.sp-top .sp-meta { color: var(--muted); font-size: .88rem; overflow-wrap: anywhere; }
.sp-brand { font-weight: 700; letter-spacing: .02em; color: var(--muted); font-size: .8rem; text-transform: uppercase; }
/* The summary comes first in the page (keyboard, screen readers, print) and is shown beside the policy on wide
   screens, above it on narrow ones. */
.sp-layout { display: grid; grid-template-columns: minmax(0, 1fr) 360px; grid-template-areas: "doc aside"; gap: 28px;
  padding: 20px 28px 40px; max-width: 1320px; margin: 0 auto; }
.sp-doc { grid-area: doc; } .sp-aside { grid-area: aside; }
@media (max-width: 980px) { .sp-layout { grid-template-columns: minmax(0, 1fr); grid-template-areas: "aside" "doc"; } }
/* Skip links: hidden until focused, then shown one at a time in the same place. */
.sp-skip { position: absolute; left: -10000px; top: 0; }
.sp-skip:focus { left: 12px; top: 8px; z-index: 20; background: var(--paper); padding: 4px 8px; border-radius: 6px; }
.sp-doc { max-width: 46rem; }
.sp-aside { align-self: start; position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto;
  background: var(--panel); border: 1px solid var(--rule); border-radius: 10px; padding: 16px 18px; font-size: .93rem; }
@media (max-width: 980px) { .sp-aside { position: static; max-height: none; } }
.sp-aside h2 { font-size: 1rem; margin: 18px 0 8px; }
.sp-aside h2:first-child { margin-top: 0; }
.sp-notice { border: 1px solid var(--concern-line); background: var(--concern-bg); color: var(--concern-ink);
  border-radius: 8px; padding: 8px 12px; margin: 0 0 16px; }
.blk { margin: 0 0 .9em; white-space: pre-wrap; overflow-wrap: anywhere; }
.blk-h1 { font-size: 1.5rem; font-weight: 700; line-height: 1.3; margin-top: 1.2em; }
.blk-h2 { font-size: 1.25rem; font-weight: 700; line-height: 1.3; margin-top: 1.2em; }
.blk-h3, .blk-h4, .blk-h5, .blk-h6 { font-size: 1.05rem; font-weight: 700; margin-top: 1em; }
.blk-li { padding-left: 1.4em; position: relative; }
.blk-li::before { content: "\\2022"; position: absolute; left: .4em; color: var(--muted); }
.blk-td, .blk-th { padding-left: .8em; border-left: 3px solid var(--rule); }
mark.sp { color: inherit; border-radius: 3px; padding: 0 1px; position: relative; cursor: help;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
mark.sp-concern { background: var(--concern-bg); border-bottom: 2px solid var(--concern-line); }
mark.sp-protective { background: var(--protective-bg); border-bottom: 2px double var(--protective-line); }
mark.sp-neutral { background: var(--neutral-bg); border-bottom: 2px dotted var(--neutral-line); }
/* Quiet marks keep their polarity's line style (solid, double, dotted), so colour is never the only cue: a
   double line needs 3px to show as double. */
mark.sp-quiet { background: transparent; border-bottom-width: 1px; }
mark.sp-quiet.sp-protective { border-bottom-width: 3px; }
mark.sp-quiet:hover, mark.sp-quiet:focus { background: var(--neutral-bg); }
.sp-key-list li { margin-bottom: .5rem; }
/* A highlight is no Tab stop; it is reached by a link (the key findings, the list under the policy), which makes
   it the :target and, being focusable (tabindex -1), focuses it: either shows its outline and card. A highlight that
   starts on the same words as another is anchored by an empty .sp-anchor inside that one's mark; :has() rules stand
   alone, since a browser without :has() drops a whole selector list. */
mark.sp:focus, mark.sp:target { outline: 2px solid var(--accent); outline-offset: 1px; }
mark.sp:has(> .sp-anchor:target) { outline: 2px solid var(--accent); outline-offset: 1px; }
mark.sp-quiet:target { background: var(--neutral-bg); }
mark.sp-quiet:has(> .sp-anchor:target) { background: var(--neutral-bg); }
/* the card's box; it is drawn only where a rule below gives it content */
mark.sp[data-card]::after {
  position: absolute; left: 0; top: calc(100% + 6px); z-index: 10; width: max-content;
  max-width: min(26rem, 80vw); white-space: pre-line; font-size: .85rem; line-height: 1.45; font-weight: normal;
  background: var(--paper); color: var(--ink); border: 1px solid var(--rule); border-radius: 8px; padding: 8px 10px;
  box-shadow: 0 4px 18px rgba(0, 0, 0, .18);
}
mark.sp[data-card]:hover::after, mark.sp[data-card]:focus::after, mark.sp[data-card]:target::after {
  content: attr(data-card); }
mark.sp[data-card]:has(> .sp-anchor:target)::after { content: attr(data-card); }
.sp-tag { display: inline-block; border-radius: 999px; padding: 0 8px; font-size: .78rem; font-weight: 600;
  white-space: nowrap; }
.sp-tag-concern { background: var(--concern-bg); color: var(--concern-ink); }
.sp-tag-protective { background: var(--protective-bg); color: var(--protective-ink); }
.sp-tag-neutral { background: var(--neutral-bg); color: var(--neutral-ink); }
.sp-legend { list-style: none; margin: 0; padding: 0; }
.sp-legend li { margin: 4px 0; }
.sp-swatch { display: inline-block; padding: 0 6px; margin-right: 6px; border-radius: 3px; }
table.sp-table { border-collapse: collapse; width: 100%; }
table.sp-table th, table.sp-table td { text-align: left; vertical-align: top; padding: 4px 6px;
  border-bottom: 1px solid var(--rule); }
table.sp-table th { font-size: .8rem; color: var(--muted); font-weight: 600; }
.sp-grade { display: inline-block; min-width: 2.2em; text-align: center; font-size: 1.8rem; font-weight: 800;
  color: #fff; border-radius: 8px; }
.sp-grade-A { background: var(--grade-A); } .sp-grade-B { background: var(--grade-B); }
.sp-grade-C { background: var(--grade-C); } .sp-grade-D { background: var(--grade-D); }
.sp-grade-E { background: var(--grade-E); }
.sp-appendix { margin-top: 2em; }
details summary { cursor: pointer; color: var(--accent); }
.sp-muted { color: var(--muted); }
.sp-small { font-size: .85rem; }
footer.sp-foot { color: var(--muted); font-size: .82rem; border-top: 1px solid var(--rule); padding: 14px 28px; }
/* The list under the policy quotes clauses and names rules ("GovernmentAccessRecognizer/disclose_to_authorities")
   that have no place to break: on a 400px screen one such word made the whole page scroll sideways. */
.sp-all { overflow-wrap: anywhere; }
.sp-aside { overflow-wrap: break-word; }  /* not anywhere: the grade table's "Points" would break as "Poin ts" */
/* How the engine read each clause (reader, rules, context) is for the curious, not the reader: hidden until the
   checkbox above the list is ticked (no script; a checkbox says its state to keyboards and screen readers, and a
   hidden trace is not read out). */
.sp-trace { display: none; }
.sp-trace-check:checked ~ .sp-all .sp-trace { display: block; }
@media print {
  .sp-aside { position: static; max-height: none; border: 0; padding: 0; }
  .sp-layout { display: block; }
  /* Printing drops backgrounds by default: the grade's white letter vanished from its box, and the tags and the
     legend lost their fills. */
  mark.sp, .sp-grade, .sp-tag, .sp-swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  mark.sp[data-card]::after { display: none; }
  /* Paper cannot be clicked open: a collapsed section (how the grade is computed) prints opened. */
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; color: var(--ink); font-weight: 600; }
  details > summary::-webkit-details-marker { display: none; }
  .sp-trace-check, .sp-trace-switch { display: none; }
}
"""


def escape(text: str) -> str:
    """HTML-escape text for element content and attribute values alike."""
    return html.escape(text, quote=True)


def render_page(title: str, body_html: str, extra_css: str = "", *, lang: str = "en") -> str:
    """A complete, self-contained HTML document: the shared look, a title, and the given body."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Nothing on the page may load anything: say so to the browser as well.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">\n"
        '<meta name="referrer" content="no-referrer">\n'
        f"<meta name=\"generator\" content=\"smallprint {escape(__version__)}\">\n"
        f"<title>{escape(title)}</title>\n<style>{SHARED_CSS}{extra_css}</style>\n</head>\n"
        f"<body>\n{body_html}\n</body>\n</html>\n"
    )


@dataclass(frozen=True, slots=True)
class Mark:
    """A span to emphasise inside a text: code-point offsets, its polarity and the card shown on hover/focus."""
    start: int
    end: int
    polarity: str
    practice: str = ""
    card: str = ""
    anchor: str = ""  # an element id for the span's first piece, so summaries can link to it
    key: bool = False  # a key finding's clause: painted prominently, the others quietly


def marked_text_html(text: str, marks: Sequence[Mark]) -> str:
    """Escape `text` and wrap the marked spans in <mark> elements.

    Overlapping marks (two practices over the same words) are flattened into consecutive pieces, each carrying every
    mark that covers it, so the markup never nests or crosses.
    """
    usable = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    if not usable:
        return escape(text)
    cuts = sorted({0, len(text), *(m.start for m in usable), *(m.end for m in usable)})
    anchored: set[str] = set()
    out: list[str] = []
    for lo, hi in zip(cuts, cuts[1:]):
        piece = escape(text[lo:hi])
        covering = [m for m in usable if m.start <= lo and hi <= m.end]
        if not covering:
            out.append(piece)
            continue
        polarity = next((p for p in _POLARITY_PRECEDENCE if any(m.polarity == p for m in covering)), "neutral")
        practices = " ".join(dict.fromkeys(m.practice for m in covering if m.practice))
        card = "\n\n".join(dict.fromkeys(m.card for m in covering if m.card))
        quiet = "" if any(m.key for m in covering) else " sp-quiet"
        # Not a Tab stop (hundreds of highlights would be hundreds of presses): links lead here, and tabindex -1
        # lets following one, or a click or tap, focus the mark and show its card.
        attrs = [f'class="sp sp-{polarity}{quiet}"', 'tabindex="-1"']
        new_anchors = list(dict.fromkeys(m.anchor for m in covering if m.anchor and m.anchor not in anchored))
        extra_anchors = ""
        if new_anchors:
            attrs.append(f'id="{escape(new_anchors[0])}"')
            anchored.update(new_anchors)
            # An element has one id; other marks starting on the same words get empty anchors inside it, so that a
            # link to one of them still shows this mark's card (CSS :has).
            extra_anchors = "".join(f'<span class="sp-anchor" id="{escape(a)}"></span>' for a in new_anchors[1:])
        if practices:
            attrs.append(f'data-practice="{escape(practices)}"')
        attrs.append(f'data-polarity="{polarity}"')
        if card:
            # The card is shown by CSS on hover, on focus and as a link's target, and given to screen readers as a
            # description; no `title`, whose tooltip would cover the card.
            attrs.append(f'aria-description="{escape(card)}" data-card="{escape(card)}"')
        out.append(f"<mark {' '.join(attrs)}>{extra_anchors}{piece}</mark>")
    return "".join(out)


def legend_html(*, listed_below: bool = True, cards: bool = True) -> str:
    """The three polarities, each in its own line style; `listed_below`: the page lists every highlight under the
    policy (the analysis report does, the change reports do not); `cards`: its highlights show a card on hover and
    keyboard focus (the change reports' do not: each change names its practice in words beside it)."""
    items = "".join(
        f'<li><span class="sp-swatch sp-tag-{p}"><mark class="sp sp-{p}">{POLARITY_LABELS[p]}</mark></span>'
        f'<span class="sp-muted">{escape(POLARITY_MEANINGS[p])}</span></li>'
        for p in POLARITIES
    )
    hints = []
    if cards:
        hints.append("Hover over a highlight, or follow a link to it, to see what it means and why it was flagged.")
    if listed_below:
        hints.append("Every highlight is also listed under the policy, each with a link to its place.")
    return f'<ul class="sp-legend">{items}</ul>' + (
        f'<p class="sp-small sp-muted">{" ".join(hints)}</p>' if hints else "")


def polarity_tag(polarity: str, label: str | None = None) -> str:
    """The polarity's coloured tag, saying its name ("Concern") or `label` (a change's: "No longer promised", in the
    colour of what it means for the reader, diff.news_polarity)."""
    label = label or POLARITY_LABELS.get(polarity, polarity)
    return f'<span class="sp-tag sp-tag-{escape(polarity)}">{escape(label)}</span>'


def language_label(code: str) -> str:
    """The language code as shown to a reader: "und" (BCP 47 for undetermined, as for a text too short to tell)
    would read as a word."""
    return code if code and code != "und" else "not determined"


def kind_label(kind: str) -> str:
    """A page kind ("privacy_policy") as a reader says it ("Privacy policy")."""
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def practice_label(practice_id: str) -> str:
    practice = PRACTICE_BY_ID.get(practice_id)
    return practice.label if practice else practice_id


def _card(h: Highlight) -> str:
    return (f"{practice_label(h.practice)} · {POLARITY_LABELS.get(h.polarity, h.polarity)}\n"
            f"{h.summary}\nWhy: {h.reason}")


def _block_html(block: Block, marks: Sequence[Mark]) -> str:
    tag = (block.tag or "p").lower()
    css = f"blk blk-{escape(tag)}" if tag.isalnum() else "blk"
    inner = marked_text_html(block.text, marks)
    if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
        # One level below the policy's own: the report's title is the page's only level-1 heading, and the policy's
        # headings nest under it instead of starting a second outline after the summary.
        level = min(int(tag[1]) + 1, 6)
        return f'<div class="{css}" role="heading" aria-level="{level}" dir="auto">{inner}</div>'
    return f'<p class="{css}" dir="auto">{inner}</p>'


def _document_html(analysis: Analysis) -> str:
    key = {i for k in analysis.key_findings for i in k.highlights}
    marks_by_block: dict[str, list[Mark]] = {}
    for index, h in enumerate(analysis.highlights):
        marks_by_block.setdefault(h.block, []).append(
            Mark(h.start, h.end, h.polarity, h.practice, _card(h), anchor=f"h{index}", key=index in key))
    return "\n".join(_block_html(b, marks_by_block.get(b.id, ())) for b in analysis.blocks)


def _kind_html(analysis: Analysis) -> str:
    kind = kind_label(analysis.kind)
    evidence = "".join(f"<li>{escape(e)}</li>" for e in analysis.kind_evidence[:6])
    reading = ("read sentence by sentence by the learned reader" if analysis.depth == "full"
               else "quick reading (the rules alone)")
    notices = "".join(f'<p class="sp-small"><strong>Note:</strong> {escape(n)}</p>' for n in analysis.notices)
    return (f"<p><strong>{escape(kind)}</strong> "
            f'<span class="sp-muted">(confidence {analysis.kind_confidence:.0%})</span></p>'
            + (f'<ul class="sp-small sp-muted">{evidence}</ul>' if evidence else "")
            + f'<p class="sp-small sp-muted">{escape(reading)}; language {escape(language_label(analysis.language))}</p>' + notices)


def _key_findings_html(analysis: Analysis) -> str:
    if not analysis.key_findings:
        return '<p class="sp-muted">No clause states a practice clearly enough to lead with.</p>'
    items = []
    for k in analysis.key_findings:
        where = f"#h{k.highlights[0]}"
        more = len(k.highlights) - 1
        items.append(f'<li>{polarity_tag(k.polarity)} <a href="{where}"><strong>{escape(practice_label(k.practice))}'
                     f'</strong></a>: {escape(k.summary)}<br><span class="sp-small sp-muted">'
                     f'{escape(k.why_important)}' + (f" Said {more} more time{'s' * (more != 1)}." if more else "")
                     + "</span></li>")
    others = len(analysis.highlights) - len({i for k in analysis.key_findings for i in k.highlights})
    return (f'<ol class="sp-key-list">{"".join(items)}</ol><p class="sp-small sp-muted">Their clauses are painted '
            f"strongly in the policy; the other {others} highlight{'s' * (others != 1)} quietly (all are listed "
            "under the policy).</p>")


def _grade_html(analysis: Analysis) -> str:
    grade = analysis.grade
    if grade.letter is None:
        return f'<p class="sp-muted">No grade. {escape(grade.withheld or "")}</p>'
    letter = grade.letter if grade.letter in "ABCDE" and len(grade.letter) == 1 else "C"
    rows = []
    for reason in grade.reasons:
        link = ""
        if 0 <= reason.highlight < len(analysis.highlights):
            short = clip_words(" ".join(analysis.highlights[reason.highlight].text.split()), GRADE_QUOTE_CHARS)
            link = f' <a href="#h{reason.highlight}" class="sp-small">“{escape(short)}”</a>'
        rows.append(f"<tr><td>{reason.points:+g}</td><td>{escape(practice_label(reason.practice))} "
                    f"{polarity_tag(reason.polarity)}{link}</td></tr>")
    table = ('<table class="sp-table sp-small"><tr><th>Points</th><th>Clause that moved the grade</th></tr>'
             + "".join(rows) + "</table>") if rows else ""
    against = sum(1 for r in grade.reasons if r.points < 0)
    favour = sum(1 for r in grade.reasons if r.points > 0)
    tally = (f'<p class="sp-small">{against} practice{"s" * (against != 1)} counted against you, '
             f'{favour} in your favour.</p>') if grade.reasons else ""
    return (f'<p><span class="sp-grade sp-grade-{letter}">{escape(grade.letter)}</span> '
            f'<span class="sp-muted">score {grade.score:g} · A is best, E is worst</span></p>{tally}'
            '<details class="sp-small"><summary>How the grade is computed</summary>'
            f"<p>{escape(grade.formula)}</p>{table}</details>")


def _practices_html(analysis: Analysis) -> str:
    if not analysis.practices:
        return '<p class="sp-muted">No data practices were found.</p>'
    rows = []
    for finding in analysis.practices:
        counts = dict(finding.counts)
        count_tags = " ".join(f"{polarity_tag(p)}&nbsp;×{counts[p]}" for p in POLARITIES if counts.get(p))
        rows.append(
            f'<tr><td><a href="#h{finding.strongest}"><strong>{escape(finding.label)}</strong></a><br>'
            f'<span class="sp-small">{escape(finding.summary)}</span></td><td class="sp-small">{count_tags}</td></tr>')
    return ('<table class="sp-table"><tr><th>Practice</th><th>Clauses</th></tr>' + "".join(rows) + "</table>")


def _appendix_html(analysis: Analysis) -> str:
    if not analysis.highlights:
        return ""
    items = []
    for index, h in enumerate(analysis.highlights):
        items.append(
            f'<li><a href="#h{index}">{escape(practice_label(h.practice))}</a> {polarity_tag(h.polarity)} '
            f'<span class="sp-muted sp-small">confidence {h.confidence:.0%}</span><br>'
            f"“{escape(h.text)}”<br><span class=\"sp-small\">{escape(_as_sentence(h.summary))} "
            f"Why: {escape(h.reason)}</span>"
            + (f'<span class="sp-trace sp-small sp-muted">How the engine read it: {escape(h.explanation)}</span>'
               if h.explanation else "") + "</li>")
    # The engine's trace of each clause ("reader: government_access concern, 85% sure; rules: …") ended every item,
    # 66 times on the bundled example: it is now behind one checkbox (see .sp-trace), unticked, so also unprinted.
    switch = ('<input type="checkbox" class="sp-trace-check" id="sp-show-trace">'
              '<label class="sp-trace-switch sp-small" for="sp-show-trace"> Show how the engine read each clause '
              "(its reader, rules and context)</label>"
              if any(h.explanation for h in analysis.highlights) else "")
    return (f'<h2 class="sp-appendix" id="sp-all-highlights">All highlighted clauses ({len(items)})</h2>'
            f'{switch}<ol class="sp-small sp-all">{"".join(items)}</ol>')


# Dates a reader reads (the reports' stamps, "New since ...", a version's days in `history`) are written one way:
# "9 August 2024", the day without a leading zero, the month in words, in UTC (the extension's popup and "New since"
# card write them so too: common.js SP.readableDate). JSON keeps ISO 8601 ("2024-08-09T10:00:00Z").
def reader_date(day: date) -> str:
    """"9 August 2024"."""
    return f"{day.day} {day:%B %Y}"


def reader_moment(moment: datetime) -> str:
    """"6 December 2026, 14:05 UTC": when a report was made."""
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return f"{reader_date(moment)}, {moment:%H:%M} UTC"


def _as_sentence(text: str) -> str:
    """A summary followed by "Why: …" ends as a sentence: it ran straight on ("…to authorities or others Why: …")."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…:;" else f"{text}."



def render_analysis_html(analysis: Analysis, *, generated_at: datetime | None = None) -> str:
    """The report a journalist would attach to a story: the policy, its highlights inline, and the summary."""
    when = reader_moment(generated_at or datetime.now(timezone.utc))
    title = analysis.title or _first_heading(analysis.blocks) or "Policy"
    meta = [f"Analysed {escape(when)} with smallprint {escape(__version__)}, entirely on this computer"]
    if analysis.url:
        meta.insert(0, escape(analysis.url))  # shown as text, never as a link: the report loads nothing
    meta.append(f"content sha256 {escape(analysis.content_hash[:16])}…")
    notice = ""
    if analysis.kind not in POLICY_KINDS:
        notice = f'<p class="sp-notice">{escape(not_a_policy_note(analysis))}</p>'
    # The policy's own words in the policy's language (screen readers pick their voice by it); the report's own
    # words stay English.
    policy_lang = f' lang="{escape(analysis.language)}"' if analysis.language not in ("", "und") else ""
    # Highlights are no Tab stops (marked_text_html): these skip links, and the links in the summary and the list
    # under the policy, lead to them.
    skips = [("sp-key-findings", "Skip to the key findings"), ("sp-policy", "Skip to the policy")]
    if analysis.highlights:
        skips.append(("sp-all-highlights", "Skip to all highlighted clauses"))
    skip_links = "".join(f'<a class="sp-skip" href="#{target}">{label}</a>' for target, label in skips)
    body = (
        f'<nav aria-label="Skip links">{skip_links}</nav>'
        f'<header class="sp-top"><div class="sp-brand">smallprint report</div><h1>{escape(title)}</h1>'
        f'<div class="sp-meta">{" · ".join(meta)}</div></header>\n'
        '<div class="sp-layout">\n'
        '<aside class="sp-aside" aria-label="Summary">'
        f"<h2>What kind of page</h2>{_kind_html(analysis)}"
        f"<h2>Grade</h2>{_grade_html(analysis)}"
        f'<h2 id="sp-key-findings">Key findings ({len(analysis.key_findings)})</h2>{_key_findings_html(analysis)}'
        f"<h2>Legend</h2>{legend_html()}"
        f"<h2>Practices found ({len(analysis.practices)})</h2>{_practices_html(analysis)}</aside>\n"
        f'<main class="sp-doc" id="sp-policy" aria-label="The policy with its highlights">{notice}\n'
        f'<div{policy_lang}>{_document_html(analysis)}</div>\n'
        f"{_appendix_html(analysis)}</main>\n"
        "</div>\n"
        '<footer class="sp-foot">Made by smallprint, a local reader of privacy policies. Highlights are produced '
        "automatically and can be wrong; quote the policy itself, not this report, as the authority.</footer>"
    )
    return render_page(f"smallprint report: {title}", body)


def not_a_policy_note(analysis: Analysis) -> str:
    """What a page that does not look like a policy is told, truthfully: whether it was graded because the reader
    asked, and whether anything was highlighted at all."""
    lead = "This text was not recognised as a privacy policy, cookie policy or terms of service."
    if not analysis.highlights:
        return f"{lead} Nothing in it is highlighted."
    if analysis.grade.letter is not None:
        return f"{lead} It is graded as one because you asked; its clauses are highlighted."
    return (f"{lead} Its clauses are still highlighted, but it has no grade; they may matter less here than in a "
            "policy.")


def _first_heading(blocks: Iterable[Block]) -> str | None:
    for block in blocks:
        if block.tag.lower() in ("h1", "h2", "title") and block.text.strip():
            return block.text.strip()
    return None
