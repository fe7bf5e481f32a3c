"""A site's stored versions with what each one changed about data practices (for `history` and the API)."""
from __future__ import annotations

from .diff import diff_analyses
from .store import Store, VersionInfo


def version_changes(store: Store, versions: list[VersionInfo]) -> dict[int, dict]:
    """For each version after the first of its document: the headline and counts against the one before it."""
    out: dict[int, dict] = {}
    previous: dict[str, tuple[VersionInfo, dict]] = {}
    for v in versions:
        analysis = store.diff_view(v.id) or {}
        if v.path in previous:
            before, before_analysis = previous[v.path]
            diff = diff_analyses(before_analysis, analysis, since=before.last_seen)
            out[v.id] = {"since_version": before.id, "summary": diff.summary, "counts": diff.to_dict()["counts"]}
        previous[v.path] = (v, analysis)
    return out
