#!/usr/bin/env python3
"""How far ToS;DR's polarity is from the labelling guide's: two readers labelled 200 ToS;DR points of the shared data
blind, under `../shared/docs/labelling-guide.md` (scripts/tosdr_guide_labels/), and their labels are compared with the
point's `practice` and `polarity` (the polarity of the ToS;DR *case* the point is quoted for) and with each other.

    .venv/bin/python scripts/tosdr_standard.py [--data ../shared/data] [--readings FIGURES.json]

--readings: the JSON that `scripts/train_arbiter.py --json-out` writes; its `tosdr_readings` (each point read at full
depth by the reader and second thoughts of the fold that never saw the point's service) are scored the same way.

Why it matters: issue #11 asks for polarity >= 0.90 on ToS;DR points and for the careful readers' standard on whole
policies; where the two standards disagree, no reader can meet both.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))

from smallprint.evaluation import read_jsonl  # noqa: E402
from smallprint.taxonomy import POLARITIES, PRACTICE_IDS  # noqa: E402

LABELS = ROOT / "scripts" / "tosdr_guide_labels"
READERS = ("reader-a", "reader-b")
SAMPLE_SEED, SAMPLE_SIZE = 20261205, 200


def points(data: Path) -> dict[str, dict]:
    """The ToS;DR points with a practice, by point id."""
    return {str(r["point_id"]): r for r in read_jsonl(data / "tosdr" / "points.jsonl") if r.get("practice")}


def sample_ids(data: Path) -> list[str]:
    """The points the readers were given: of the points with a practice and some text, in points.jsonl's order (as
    train_reader.py's held-out "tosdr-eval" examples), shuffled with SAMPLE_SEED, the first SAMPLE_SIZE that have a
    unit the engine reads."""
    from smallprint.engine.blocks import to_blocks
    from smallprint.engine.reader_input import reading_units
    rows = [r for r in points(data).values() if " ".join(str(r.get("text") or "").split())]
    order = list(range(len(rows)))
    random.Random(SAMPLE_SEED).shuffle(order)
    chosen = []
    for i in order:
        if any(u.readable for u in reading_units(to_blocks(text=rows[i]["text"]))):
            chosen.append(str(rows[i]["point_id"]))
            if len(chosen) == SAMPLE_SIZE:
                break
    return chosen


def read_labels(path: Path) -> dict[str, dict[str, str]]:
    """{point id: {practice: polarity}}; ValueError on a row that is not one."""
    out = {}
    for n, row in enumerate(read_jsonl(path), 1):
        labels = {x["practice"]: x["polarity"] for x in row["labels"]}
        if len(labels) != len(row["labels"]) or not set(labels) <= set(PRACTICE_IDS) \
                or not set(labels.values()) <= set(POLARITIES):
            raise ValueError(f"{path}, row {n}: a practice twice, or an unknown practice or polarity")
        out[str(row["id"])] = labels
    return out


def against_tosdr(labels: dict[str, dict[str, str]], truth: dict[str, dict]) -> dict:
    """How often a reading states the point's practice, and gives it ToS;DR's polarity where it does; and of the
    practices it reads, the share that are the point's own (ToS;DR's precision: one case per point)."""
    stated = same = read = own = 0
    confusion: Counter = Counter()
    for pid, found in labels.items():
        gold = truth[pid]
        read += len(found)
        own += gold["practice"] in found
        if gold["practice"] in found:
            stated += 1
            same += found[gold["practice"]] == gold["polarity"]
            confusion[f"{gold['polarity']}->{found[gold['practice']]}"] += 1
    # and as `smallprint eval` scores points (the floors): macro over practices with enough points
    from smallprint.engine.reader_heldout import tally_point
    from smallprint.evaluation import _COUNT_KEYS, practice_metrics
    counts = {k: defaultdict(int) for k in _COUNT_KEYS}
    for pid, found in labels.items():
        tally_point(counts, truth[pid]["practice"], truth[pid]["polarity"],
                    [(p, pol, 1.0) for p, pol in found.items()])
    metrics = practice_metrics(counts)
    return {"points": len(labels), "states_the_practice": stated, "polarity_as_tosdr": round(same / stated, 3),
            "practices_read": read, "tosdr_precision": round(own / read, 3) if read else 0.0,
            "macro_recall": round(metrics["macro_recall"], 3), "macro_precision": round(metrics["macro_precision"], 3),
            "confusion": dict(confusion.most_common())}


def between(a: dict[str, dict[str, str]], b: dict[str, dict[str, str]], truth: dict[str, dict]) -> dict:
    """`b` scored against `a`: on the point's practice where both state it, the share with the same polarity; over
    all (practice, polarity) pairs and all practices, precision and recall of b against a."""
    both = same = pairs_a = pairs_b = pairs_common = practices_common = 0
    for pid in a:
        x, y, practice = a[pid], b[pid], truth[pid]["practice"]
        if practice in x and practice in y:
            both += 1
            same += x[practice] == y[practice]
        pairs_a += len(x)
        pairs_b += len(y)
        pairs_common += len(set(x.items()) & set(y.items()))
        practices_common += len(set(x) & set(y))
    return {"points_both_state_the_practice": both, "polarity_agreement": round(same / both, 3),
            "precision": round(pairs_common / pairs_b, 3), "recall": round(pairs_common / pairs_a, 3),
            "practice_precision": round(practices_common / pairs_b, 3),
            "practice_recall": round(practices_common / pairs_a, 3)}


def standard(data: Path, readings: dict[str, list] | None = None) -> dict:
    truth = points(data)
    readers = {name: read_labels(LABELS / f"{name}.jsonl") for name in READERS}
    ids = list(readers[READERS[0]])
    for name, labels in readers.items():
        if list(labels) != ids or not set(ids) <= set(truth):
            raise ValueError(f"{name}: not the same points in the same order, or a point not in the shared data")
    out = {name: against_tosdr(labels, truth) for name, labels in readers.items()}
    out["reader-b_against_reader-a"] = between(readers["reader-a"], readers["reader-b"], truth)
    if readings is not None:
        missing = [pid for pid in ids if pid not in readings]
        if missing:
            raise ValueError(f"--readings has no readings of {len(missing)} sampled points (e.g. {missing[0]})")
        full = {pid: {} for pid in ids}
        for pid in ids:
            for practice, polarity in readings[pid]:
                full[pid].setdefault(practice, polarity)  # the engine's strongest reading comes first
        out["full_depth_held_out"] = against_tosdr(full, truth)
        for name, labels in readers.items():
            out[f"full_depth_against_{name}"] = between(labels, full, truth)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--readings", type=Path, help="train_arbiter.py's --json-out file (its tosdr_readings)")
    args = parser.parse_args(argv)
    readings = json.loads(args.readings.read_text())["tosdr_readings"] if args.readings else None
    print(json.dumps(standard(args.data, readings), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
