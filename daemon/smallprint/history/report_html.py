"""The HTML reports of policy memory: what a policy changed (diff), and a site's history of versions.

The diff report is one self-contained page listing what a policy changed, data-use changes first.

Built on the analysis report's page shell (smallprint.report) so both reports look alike. A changed clause is
shown word by word (deleted words struck through, new words underlined); clauses that state a data practice
are painted in their polarity's colour. No script, no external resource.
"""
from __future__ import annotations

from datetime import datetime, timezone
from difflib import SequenceMatcher

from smallprint import __version__
from smallprint.report import (escape, kind_label, legend_html, polarity_tag, practice_label, reader_moment,
                               render_page)

from .diff import (DEPTH_READ, ClauseChange, PolicyDiff, change_label, counts_line, dropped_concern, format_since,
                   in_reading_order, listed_as, news_polarity, old_wording_once)
from .store import VersionInfo
from .timeline import seen_span

# Said where no clause about a data practice changed, in the words every view lists the changes under
# (diff.CHANGE_WORDS: "New", "Removed", "Reworded"), not "added" or "changed"; the corpus report page says it too.
NO_DATA_CHANGES = "No clause about a data practice is new, removed or reworded."
_NO_DATA_CHANGES = f'<p class="sp-muted">{NO_DATA_CHANGES}</p>'

_EXTRA_CSS = """
.sp-change { border: 1px solid var(--rule); border-left-width: 5px; border-radius: 8px; padding: 8px 12px;
  margin: 0 0 12px; }
.sp-change-added { border-left-color: var(--protective-line); }
.sp-change-removed { border-left-color: var(--concern-line); }
.sp-change-changed { border-left-color: var(--accent); }
.sp-change.sp-good-news { border-left-color: var(--protective-line); }
.sp-good-news .sp-removed-text { text-decoration-color: var(--protective-line); }
.sp-change .sp-what { font-size: .85rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); margin-right: 6px; }
.sp-change p { margin: 6px 0 0; }
del.sp-del { background: var(--concern-bg); color: var(--concern-ink); }
ins.sp-ins { background: var(--protective-bg); color: var(--protective-ink); text-decoration: underline; }
.sp-removed-text { text-decoration: line-through; text-decoration-color: var(--concern-line); }
.sp-headline { font-size: 1.1rem; font-weight: 600; }
.sp-note { border-left: 4px solid var(--concern-line); padding-left: 8px; }
"""


def _word_diff(old: str, new: str) -> str:
    """The new text with deleted words struck through and inserted words marked."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(f'<del class="sp-del">{escape(" ".join(a[i1:i2]))}</del>')
        if j2 > j1:
            out.append(f'<ins class="sp-ins">{escape(" ".join(b[j1:j2]))}</ins>')
    return " ".join(out)


def _practice_line(change: ClauseChange) -> str:
    findings = change.findings or change.old_findings
    if not findings:
        return ""
    label = change_label(change)
    if label:  # tagged as the news it is: a promise lost in red, never the green "Protective"; a concern gone in green
        return "<br>".join(f"{escape(practice_label(f.practice))} {polarity_tag(news_polarity(change), label)} "
                           f'<span class="sp-small">{escape(f.summary)}</span>' for f in findings)
    parts = [f"{escape(practice_label(f.practice))} {polarity_tag(f.polarity)} "
             f'<span class="sp-small">{escape(f.summary)}</span>' for f in findings]
    return "<br>".join(parts)


def _painted(text: str, change: ClauseChange, *, removed: bool = False) -> str:
    inner = escape(text)
    if removed:
        inner = f'<span class="sp-removed-text">{inner}</span>'
    if change.polarity:
        # a promise no longer made is painted as the loss it is (the concern colour), not as a promise; a concern no
        # longer stated as the good news it is (a promise's colour), not as a concern
        polarity = news_polarity(change)
        inner = f'<mark class="sp sp-{escape(polarity)}" data-practice="{escape(change.practice or "")}">{inner}</mark>'
    return inner


def _change_html(change: ClauseChange, same_as_above: bool = False) -> str:
    """`same_as_above`: the clause above was reworded from the same old sentence (see diff.old_wording_once)."""
    if change.change == "changed" and same_as_above:
        # its new wording as it reads: the old sentence's words were struck through in the box above, and striking
        # them again here read as a second old sentence reworded
        body = (f"<p>{_painted(change.text, change)}</p>"
                '<p class="sp-small sp-muted">Reworded from the same sentence as the clause above.</p>')
    elif change.change == "changed":
        body = f"<p>{_word_diff(change.old_text or '', change.text)}</p>"
        if change.polarity:
            body += f'<p class="sp-small">Now reads: {_painted(change.text, change)}</p>'
    else:
        body = f"<p>{_painted(change.text, change, removed=change.change == 'removed')}</p>"
    if change.occurrences > 1:
        body += f'<p class="sp-small sp-muted">The same change in {change.occurrences} places, shown once.</p>'
    what = listed_as(change)  # "No longer promised" / "No longer stated", or the list's own word
    good = " sp-good-news" if dropped_concern(change) else ""
    return (f'<div class="sp-change sp-change-{change.change}{good}"><span class="sp-what">{escape(what)}</span>'
            f"{_practice_line(change)}{body}</div>")


def _section(title: str, changes: list[ClauseChange]) -> str:
    if not changes:
        return ""
    return f"<h2>{escape(title)} ({len(changes)})</h2>" + _changes_html(changes)


def _changes_html(changes: list[ClauseChange]) -> str:
    return "\n".join(_change_html(c, same) for c, same in old_wording_once(changes))


def render_diff_html(diff: PolicyDiff, *, old_name: str, new_name: str, generated_at: datetime | None = None,
                     notes: list[str] = (), depth: str | None = None) -> str:
    """`notes`: said above the summary (a version that does not read as a policy); `depth`: the reading that
    answered (`smallprint diff` says which, as its text view does)."""
    when = reader_moment(generated_at or datetime.now(timezone.utc))
    everything = in_reading_order((*diff.added, *diff.removed, *diff.changed))  # as every change view lists them
    data_use = [c for c in everything if c.is_data_use]
    other = [c for c in everything if not c.is_data_use]
    since = format_since(diff.since)
    noted = "".join(f'<p class="sp-note">Note: {escape(note)}</p>' for note in notes)
    by_kind = {kind: sum(c.change == kind for c in data_use) for kind in ("added", "removed", "changed")}
    counts = " ".join(diff.tally.sentences()) + (f" {len(data_use)} of the {len(everything)} changes are about data "
                                                  f"practices{': ' + counts_line(by_kind) if data_use else ''}. "
                                                  "Each distinct statement counts once")
    main = (_section("Changes about your data", data_use) or
            _NO_DATA_CHANGES)
    if other:
        main += (f'<details class="sp-appendix"><summary>Other changes ({len(other)}): wording that states no data '
                 f"practice</summary>{_changes_html(other)}</details>")
    body = (
        '<header class="sp-top"><div class="sp-brand">smallprint policy changes</div>'
        f"<h1>{escape(old_name)} → {escape(new_name)}</h1>"
        f'<div class="sp-meta">Compared {escape(when)} with smallprint {escape(__version__)}, entirely on this computer'
        f"{' · old version of ' + escape(since) if since else ''}"
        f"{' · read: ' + escape(DEPTH_READ[depth]) if depth else ''}</div></header>\n"
        '<div class="sp-layout">\n'
        '<aside class="sp-aside" aria-label="Summary">'
        f"<h2>In short</h2>{noted}"
        f'<p class="sp-headline">{escape(diff.summary)}</p>'
        f'<p class="sp-small sp-muted">{escape(counts)}. Reordering, re-wrapping, formatting and numbering are '
        "not counted as changes.</p>"
        f"<h2>Legend</h2>{legend_html(listed_below=False, cards=False)}"
        '<p class="sp-small"><ins class="sp-ins">new words</ins> · <del class="sp-del">removed words</del></p>'
        "</aside>\n"
        f'<main class="sp-doc" aria-label="What changed">{main}</main>\n</div>\n'
        '<footer class="sp-foot">Made by smallprint, a local reader of privacy policies. Practices are recognised '
        "automatically and can be wrong; quote the policies themselves as the authority.</footer>"
    )
    return render_page(f"smallprint: what changed in {new_name}", body, _EXTRA_CSS)


def render_history_html(site: str, versions: list[VersionInfo], diffs: dict[int, PolicyDiff], *,
                        generated_at: datetime | None = None) -> str:
    """A site's remembered versions, document by document, oldest first; under each later version, the data-use
    clauses it added, removed or changed against the version before it (`diffs`: version id -> that diff)."""
    when = reader_moment(generated_at or datetime.now(timezone.utc))
    parts = []
    path = None
    for v in versions:
        if v.path != path:
            path = v.path
            parts.append(f"<h2>{escape(site + path)}</h2>")
        seen = seen_span(v, " to ")
        diff = diffs.get(v.id)
        head = (f'<div class="sp-version"><h3>Version #{v.id} · {escape(seen)}</h3>'
                f'<p class="sp-small sp-muted">{v.chars:,} characters · {escape(kind_label(v.kind or ""))}'
                f"{' · ' + escape(v.title) if v.title else ''}</p>")
        if diff is None:
            parts.append(head + '<p>First version seen.</p></div>')
            continue
        data_use = [c for c in in_reading_order((*diff.added, *diff.removed, *diff.changed)) if c.is_data_use]
        body = _changes_html(data_use) or \
            _NO_DATA_CHANGES
        parts.append(head + f'<p class="sp-headline">{escape(diff.summary)}</p>{body}</div>')
    main = "\n".join(parts) or f"<p>Nothing is remembered about {escape(site)}.</p>"
    body = (
        '<header class="sp-top"><div class="sp-brand">smallprint policy history</div>'
        f"<h1>{escape(site)}: {len(versions)} version{'s' if len(versions) != 1 else ''} remembered</h1>"
        f'<div class="sp-meta">Made {escape(when)} with smallprint {escape(__version__)} from what this computer '
        "remembers</div></header>\n"
        '<div class="sp-layout">\n'
        f'<aside class="sp-aside" aria-label="Legend"><h2>Legend</h2>{legend_html(listed_below=False, cards=False)}'
        '<p class="sp-small"><ins class="sp-ins">new words</ins> · <del class="sp-del">removed words</del></p>'
        '<p class="sp-small sp-muted">Each version is compared with the one before it; reordering, re-wrapping, '
        "formatting and numbering are not counted as changes.</p></aside>\n"
        f'<main class="sp-doc" aria-label="Versions">{main}</main>\n</div>\n'
        '<footer class="sp-foot">Made by smallprint, a local reader of privacy policies. Practices are recognised '
        "automatically and can be wrong; quote the policies themselves as the authority.</footer>"
    )
    return render_page(f"smallprint: history of {site}", body, _EXTRA_CSS + _HISTORY_CSS)


_HISTORY_CSS = """
.sp-version { border-top: 1px solid var(--rule); padding-top: 8px; margin-top: 14px; }
.sp-version h3 { margin: 0 0 2px; font-size: 1rem; }
"""
