"""A site's stored versions with what each one changed about data practices (for `history` and the API)."""
from __future__ import annotations

from .diff import PolicyDiff, diff_analyses, format_since
from .store import Store, VersionInfo


def seen_span(v: VersionInfo, joiner: str) -> str:
    """The day a version was seen, or the first and last day joined by `joiner` when they differ, written as the
    summary under it writes its "New since" date ("9 August 2024": format_since), not "2024-08-09" above it."""
    first, last = format_since(v.first_seen), format_since(v.last_seen)
    return first if first == last else f"{first}{joiner}{last}"


def version_diffs(store: Store, versions: list[VersionInfo]) -> dict[int, PolicyDiff]:
    """For each version after the first of its document: its diff against the version before it."""
    out: dict[int, PolicyDiff] = {}
    previous: dict[str, tuple[VersionInfo, dict]] = {}
    for v in versions:
        analysis = store.diff_view(v.id) or {}
        if v.path in previous:
            before, before_analysis = previous[v.path]
            out[v.id] = diff_analyses(before_analysis, analysis, since=before.last_seen)
        previous[v.path] = (v, analysis)
    return out


def version_changes(store: Store, versions: list[VersionInfo]) -> dict[int, dict]:
    """For each version after the first of its document: the headline and counts against the one before it."""
    diffs = version_diffs(store, versions)
    previous: dict[str, int] = {}  # path -> id of its latest version so far
    out: dict[int, dict] = {}
    for v in versions:
        if v.id in diffs:
            out[v.id] = {"since_version": previous[v.path], "summary": diffs[v.id].summary,
                         "counts": diffs[v.id].to_dict()["counts"]}
        previous[v.path] = v.id
    return out
