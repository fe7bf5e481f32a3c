"""What a corpus says over time: when each document began or stopped stating each practice, and where it stands now.

Read from the tables (rows as dicts, as pyarrow's `to_pylist` gives them). A document "adds" a practice with a
polarity in the first version that states it after one that did not, and "drops" it in the first version that no
longer does; the first recorded version of a document states what it states ("first"), which is no change.
Unreadable versions are passed over: a change is always between two versions that were read.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from smallprint.engine.key_findings import MAX_KEY_FINDINGS, rank  # as many as the engine's, in its order
from smallprint.taxonomy import PRACTICE_IDS

from .sources import date_order

_PRACTICE_RANK = {pid: i for i, pid in enumerate(PRACTICE_IDS)}
_POLARITY_RANK = {"concern": 0, "protective": 1, "neutral": 2}


@dataclass(frozen=True, slots=True)
class Event:
    practice: str
    polarity: str
    event: str  # first | added | dropped
    service: str
    document: str
    date: str | None
    previous_date: str | None
    summary: str  # how the version states it (for "dropped": how the previous one did)
    pair: int | None  # index of the version pair (see Pair) whose changes hold the clause, None for "first"


@dataclass(frozen=True, slots=True)
class Pair:
    """Two consecutive readable versions of a document and the change rows between them."""
    index: int
    service: str
    document: str
    date: str | None
    previous_date: str | None
    changes: tuple[dict, ...]


@dataclass(frozen=True, slots=True)
class Current:
    """A document's latest readable version: its grade and its key findings."""
    service: str
    document: str
    date: str | None
    versions: int
    grade: str | None
    score: float | None
    key_findings: tuple[tuple[str, str, str], ...]  # (practice, polarity, summary), the engine's order


def in_history(versions: list) -> list:
    """The versions of one document (in date order) that have a place in its history: all of them, unless some are
    dated and some not. A version with no date beside dated ones ("policy.md" in a folder of "2021-01-13_policy.md"
    files) could be older or newer than any of them: sorted first, it made the history run from it (events "dropped"
    at the first dated version of what only it said). It is read and kept in `documents` and `findings`, but compared
    with nothing, and the current state is the newest dated version's (`undated_beside_dated` names them, for the
    run's and the report's notes)."""
    dated = [v for v in versions if _date_of(v)]
    return dated if dated else list(versions)


def undated_beside_dated(versions: list) -> list:
    """The versions that `in_history` leaves out of their document's history, in the order given."""
    dated_documents = {(_field(v, "service"), _field(v, "document")) for v in versions if _date_of(v)}
    return [v for v in versions if not _date_of(v) and (_field(v, "service"), _field(v, "document")) in dated_documents]


def _field(v, name: str):
    return v[name] if isinstance(v, dict) else getattr(v, name)


def _date_of(v) -> str | None:
    return _field(v, "date")


def _by_document(rows: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        out[(row["service"], row["document"])].append(row)
    return out


def build(documents: list[dict], findings: list[dict], changes: list[dict]
          ) -> tuple[list[Event], list[Pair], list[Current]]:
    """Events (in practice order, then date), version pairs with their changes, and each document's current state."""
    states: dict[tuple[str, str, str | None, str], dict[tuple[str, str], str]] = defaultdict(dict)
    for f in findings:  # (service, document, date, hash) -> {(practice, polarity): summary of its first clause}
        states[(f["service"], f["document"], f["date"], f["content_hash"])].setdefault(
            (f["practice"], f["polarity"]), f["summary"])
    # (service, document, date, hash) -> {(practice, polarity): (confidence, summary)}: the engine makes one key
    # finding of each practice and polarity, in the words of its surest clause; every clause behind it is `key`.
    key_of: dict[tuple, dict[tuple[str, str], tuple[float, str]]] = defaultdict(dict)
    for f in findings:
        if f["key"]:
            found = key_of[(f["service"], f["document"], f["date"], f["content_hash"])]
            held = found.get((f["practice"], f["polarity"]))
            if held is None or f["confidence"] > held[0]:
                found[(f["practice"], f["polarity"])] = (f["confidence"], f["summary"])
    change_rows = defaultdict(list)
    for c in changes:
        change_rows[(c["service"], c["document"], c["date"], c["content_hash"])].append(c)

    events: list[Event] = []
    pairs: list[Pair] = []
    current: list[Current] = []
    for (service, document), versions in _by_document(documents).items():
        readable = in_history([v for v in versions if not v["error"]])
        previous = None
        for v in readable:
            key = (service, document, v["date"], v["content_hash"])
            now = states.get(key, {})
            if previous is None:
                events.extend(Event(p, pol, "first", service, document, v["date"], None, summary, None)
                              for (p, pol), summary in now.items())
            elif previous["content_hash"] != v["content_hash"]:
                before = states.get((service, document, previous["date"], previous["content_hash"]), {})
                index = len(pairs)
                pairs.append(Pair(index, service, document, v["date"], previous["date"], tuple(change_rows[key])))
                events.extend(Event(p, pol, "added", service, document, v["date"], previous["date"], summary, index)
                              for (p, pol), summary in now.items() if (p, pol) not in before)
                events.extend(Event(p, pol, "dropped", service, document, v["date"], previous["date"], summary,
                                    index) for (p, pol), summary in before.items() if (p, pol) not in now)
            previous = v
        if readable:
            last = readable[-1]
            found = key_of.get((service, document, last["date"], last["content_hash"]), {})
            # in the engine's order (key_findings.rank: concerns, then promises, the most severe practice first), as
            # `smallprint analyze` lists the same findings; the tables keep which clauses are key, not their order
            ordered = sorted(found, key=lambda practice_polarity: rank(*practice_polarity))
            current.append(Current(service, document, last["date"], len(versions), last["grade"], last["score"],
                                   tuple((p, pol, found[(p, pol)][1]) for p, pol in ordered[:MAX_KEY_FINDINGS])))
        else:
            current.append(Current(service, document, versions[-1]["date"], len(versions), None, None, ()))
    events.sort(key=lambda e: (_PRACTICE_RANK.get(e.practice, 99), date_order(e.date), e.service, e.document,
                               _POLARITY_RANK.get(e.polarity, 3), e.event))
    return events, pairs, current
