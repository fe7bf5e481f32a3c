"""The /v1/sites routes and the history additions to /v1/analyze, for the daemon's OpenAPI document."""
from __future__ import annotations

from smallprint.daemon.openapi import MEMORY_FORGOTTEN_PROPERTIES, error_responses

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NSTR = {"type": ["string", "null"]}
_POLARITY = {"type": ["string", "null"], "enum": ["concern", "protective", "neutral", None]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}


def _side(version: str, **parts: str) -> dict:
    """One version's statements in parts that add up to them: {part: what it counts}."""
    return {"type": "object", "properties": {name: {**_INT, "description": meaning} for name, meaning in parts.items()},
            "description": f"the {version} version's statements, each in one part: {' + '.join(parts)} = "
                           f"statements.{version}"}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_UNAVAILABLE = {"503": _json("`history_unavailable`: the store cannot be read or written (read-only or full "
                             "disk, written by a newer smallprint, or a damaged file); `shutting_down`: the daemon "
                             "stopped while the request was running.", _ref("Error"))}
# DELETE /v1/sites on a damaged store (history.store.SetAside): what was done with its file.
_DAMAGED_STORE = {**_object({"path": _STR, "moved_to": _NSTR, "message": _STR}),
                  "description": "Only when the store was damaged and could not be emptied: its file (`path`) was "
                                 "moved aside to `moved_to` with its -wal and -shm (it may still hold what was read), "
                                 "or deleted (`moved_to` null) where it could not be moved, and a fresh store was "
                                 "started; the counts are then 0, as what it held cannot be counted. `message` says "
                                 "so in a sentence."}
# How the boolean query parameters are read (history.api.FLAG_SPELLINGS).
_FLAG_SPELLINGS = "1/0 and yes/no are read as true/false too, an empty value as absent; any other value is a 400."
_SITE_PARAM = {"name": "site", "in": "path", "required": True, "schema": _STR,
               "description": "A registrable domain (facebook.com) or IP address; a host or URL is reduced to one; "
                              "a name that is no site at all is not found (404)."}

SCHEMAS: dict[str, dict] = {
    "HistorySite": _object({"site": _STR, "documents": _INT, "versions": _INT, "first_seen": _STR,
                            "last_seen": _STR}),
    "HistoryVersion": _object({"id": _INT, "site": _STR, "path": _STR, "hash": _STR, "first_seen": _STR,
                               "last_seen": _STR, "url": _NSTR, "title": _NSTR, "kind": _NSTR, "chars": _INT,
                               "changes": {"type": ["object", "null"],
                                           "description": "With ?changes=true: summary and counts against "
                                                          "the previous version of the same document."}},
                              required=["id", "site", "path", "hash", "first_seen", "last_seen"]),
    "ClauseFinding": _object({"practice": _STR, "polarity": _POLARITY, "summary": _STR, "confidence": {"type": "number"}}),
    "ClauseChange": _object({
        "change": {"type": "string", "enum": ["added", "removed", "changed"]},
        "practice": _NSTR, "polarity": _POLARITY, "summary": _NSTR, "text": _STR,
        "findings": {"type": "array", "items": _ref("ClauseFinding")},
        "block": _STR, "start": _INT, "end": _INT,
        "parts": {"type": "array", "minItems": 1, "description": (
            "Every span the clause's text is read from, in order; the first is block/start/end. More than one when a "
            "sentence broken over paragraphs (a converted PDF) was joined back: text is the parts' text joined by a "
            "space."), "items": _object({"block": _STR, "start": _INT, "end": _INT})},
        "old_text": _NSTR, "old_findings": {"type": "array", "items": _ref("ClauseFinding")},
        "occurrences": {"type": "integer", "minimum": 1,
                        "description": "how many places make this same change (repeats are reported once)"},
        "elsewhere": {"type": "array", "description": (
            "Every span of the same change's other places (occurrences - 1 of them, or more where one was a sentence "
            "broken over paragraphs), in the same version as block: a statement added in every row of a table is "
            "listed once and can still be marked in each row."),
            "items": _object({"block": _STR, "start": _INT, "end": _INT})},
    }, required=["change", "practice", "polarity", "summary", "text", "findings", "block", "start", "end",
                 "parts"]),
    "ChangeCounts": {"type": "object", "description": (
        "Every count is of distinct statements (clauses by their words: a repeat, a table row said in every row, "
        "counts once; reordering, wrapping and formatting are never changes, and a link that only points elsewhere, "
        "such as \"Learn more\" or \"Back to top\", is no statement). Each version's statements add up: "
        "statements.old = old_side.kept + old_side.removed + old_side.reworded, and statements.new = "
        "new_side.kept + new_side.added + new_side.reworded."), "properties": {
        "added": {**_INT, "description": "clauses in the added list"},
        "removed": {**_INT, "description": "clauses in the removed list"},
        "changed": {**_INT, "description": "clauses in the changed list (one per new wording)"},
        "unchanged": {**_INT, "description": "new statements neither added nor in the changed list: "
                                             "unchanged + added + changed = statements.new"},
        "statements": {"type": "object", "properties": {"old": _INT, "new": _INT},
                       "description": "distinct statements in each version"},
        "old_side": _side("old", kept="old statements whose words are all still in the new version",
                          removed="= removed",
                          reworded="old wordings in the changed list (old_text) that the new version does not have "
                                   "word for word"),
        "new_side": _side("new", kept="new statements whose words were all in the old version", added="= added",
                          reworded="new wordings in the changed list (text) that the old version did not have word "
                                   "for word; = changed but for those"),
        "identical": {**_INT, "description": (
            "statements word for word in both versions, the same on both sides. The rest of each side's kept are "
            "statements cut differently (a heading run into its sentence, a list made one line, a sentence split "
            "over two paragraphs no longer next to each other), so old_side.kept and new_side.kept can differ; "
            "old_side.reworded and new_side.reworded differ where rewordings merged (two old wordings now one new "
            "one) or split (one old wording now two).")},
        "data_use": {"type": "object", "additionalProperties": _INT}},
        "required": ["added", "removed", "changed", "unchanged", "statements", "old_side", "new_side", "identical",
                     "data_use"]},
    "PolicyDiff": _object({
        "site": _STR, "from": _ref("HistoryVersion"), "to": _ref("HistoryVersion"),
        "since": _NSTR, "summary": _STR,
        "added": {"type": "array", "items": _ref("ClauseChange")},
        "removed": {"type": "array", "items": _ref("ClauseChange")},
        "changed": {"type": "array", "items": _ref("ClauseChange")},
        "counts": _ref("ChangeCounts"),
    }),
    "ChangesSinceLastVisit": _object({
        "previous_date": _STR, "previous_version": _INT, "summary": _STR,
        "previous_path": {**_STR, "description": "Only when the policy moved: the path of the site's policy at its "
                                                 "old address that this reading was compared with."},
        "previous_url": {**_NSTR, "description": "Only when the policy moved: that version's address, as recorded."},
        "added": {"type": "array", "items": _ref("ClauseChange")},
        "removed": {"type": "array", "items": _ref("ClauseChange")},
        "changed": {"type": "array", "items": _ref("ClauseChange")},
        "order": {"type": "array", "items": {"type": "array", "prefixItems": [
            {"type": "string", "enum": ["added", "removed", "changed"]}, _INT], "minItems": 2, "maxItems": 2},
                  "description": "Every clause of the three lists once, as [list, index into it], in the order every "
                                 "change view lists them: most important first (a promise no longer made and a new "
                                 "concern lead), the popup's order."},
        "counts": _ref("ChangeCounts"),
    }, required=["previous_date", "summary", "added", "removed", "changed"]),
    "HistoryNote": {
        "description": "Added to an analysis with a url that is a policy (privacy_policy, cookie_policy, "
                       "terms_of_service) or whose request carried \"remember\": true: whether this version was "
                       "remembered, or why not. Other pages are never stored.",
        **_object({"available": {"type": "boolean"}, "recorded": {"type": "boolean"}, "reason": _STR,
                   "site": _STR, "path": _STR, "version": _INT, "new_version": {"type": "boolean"},
                   "first_seen": _STR,
                   "forgotten_versions": {**_INT, "description": "Older versions forgotten to keep the site, or "
                                                                 "the whole store, within its caps (only when > 0)."}},
                  required=["available", "recorded"]),
    },
}

# Keys the policy memory adds to /v1/analyze's answer (history/api.py's record_analysis), documented on Analysis.
ANALYSIS_PROPERTIES: dict[str, dict] = {
    "history": _ref("HistoryNote"),
    "changes_since_last_visit": {
        **_ref("ChangesSinceLastVisit"),
        "description": "Only when this reading was remembered and differs from the version read before (on an "
                       "earlier visit; a re-send in the same visit compares with the version from before it)."},
}

PATHS: dict[str, dict] = {
    "/v1/sites/{site}": {"delete": {
        "operationId": "forgetSite",
        "summary": "Forget a site: delete every remembered version of its policies (what `smallprint forget` does), "
                   "and what the daemon holds in memory of the pages it read",
        "parameters": [_SITE_PARAM],
        "responses": {"200": _json("What was deleted (0 versions when nothing was remembered) and forgotten",
                                   _object({"site": _STR, "deleted_versions": _INT,
                                            **MEMORY_FORGOTTEN_PROPERTIES})),
                      **error_responses(404), **_UNAVAILABLE},
    }},
    "/v1/sites": {"get": {
        "operationId": "listSites", "summary": "Sites whose policies are remembered, most recently seen first",
        "responses": {"200": _json("The sites", _object({"sites": {"type": "array", "items": _ref("HistorySite")}})),
                      **_UNAVAILABLE},
    }, "delete": {
        "operationId": "forgetEverySite",
        "summary": "Forget everything: delete every remembered version of every site's policies (what `smallprint "
                   "forget --all` does), and what the daemon holds in memory of the pages it read",
        "responses": {"200": _json("What was deleted (0 sites and 0 versions when nothing was remembered) and "
                                   "forgotten",
                                   _object({"deleted_sites": {**_INT, "minimum": 0,
                                                              "description": "sites that had remembered versions"},
                                            "deleted_versions": {**_INT, "minimum": 0},
                                            **MEMORY_FORGOTTEN_PROPERTIES,
                                            "damaged_store": _DAMAGED_STORE},
                                           required=["deleted_sites", "deleted_versions",
                                                     *MEMORY_FORGOTTEN_PROPERTIES])),
                      **_UNAVAILABLE},
    }},
    "/v1/sites/{site}/versions": {"get": {
        "operationId": "listVersions", "summary": "A site's remembered policy versions, per document, oldest first",
        "parameters": [_SITE_PARAM,
                       {"name": "changes", "in": "query", "required": False, "schema": {"type": "boolean"},
                        "description": "Also give each version's data-practice changes since the one before. "
                                       + _FLAG_SPELLINGS}],
        "responses": {"200": _json("The versions", _object({"site": _STR, "versions": {
                          "type": "array", "items": _ref("HistoryVersion")}})),
                      **error_responses(404), **_UNAVAILABLE},
    }},
    "/v1/sites/{site}/diff": {"get": {
        "operationId": "diffVersions",
        "summary": "What changed between two versions (default: the latest and the one before it)",
        "parameters": [_SITE_PARAM,
                       {"name": "from", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
                       {"name": "to", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
                       {"name": "data_use_only", "in": "query", "required": False, "schema": {"type": "boolean"},
                        "description": "List only clauses that state a data practice (counts still cover all). "
                                       + _FLAG_SPELLINGS}],
        "responses": {"200": _json("Added, removed and changed clauses with their practices", _ref("PolicyDiff")),
                      **error_responses(404), **_UNAVAILABLE},
    }},
}
