#!/usr/bin/env python3
"""How two readers who labelled the same policy independently agree: for every NAME.labels.b.jsonl beside a
NAME.labels.jsonl in scripts/reader_labels/ and scripts/arbiter_labels/, reader B's labels scored as highlights
against reader A's, sentence by sentence, exactly as `smallprint eval --sentences` scores highlights; and for every
batch-K.labels.b.jsonl of scripts/tosdr_sentence_labels/ (ToS;DR passages), reader B's (unit, practice, polarity)
labels against reader A's on the passages B read, scored the same way unit by unit; and (the last lines) issue #12's
key-finding measure with a second careful reader in the engine's place: one reader's labels made highlights
(confidence 1) and key findings as the engine picks them (`key_finding_counts_of_readings`), scored against the other
reader's labels, both ways, over every doubly labelled policy (policy-sentences' NAME.labels.b.jsonl too).

    .venv/bin/python scripts/label_agreement.py [--data ../shared/data]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))
sys.path.insert(0, str(ROOT / "scripts"))

from smallprint.evaluation_sentences import (key_finding_counts_of_readings, key_finding_summary,  # noqa: E402
                                             load_policies, second_reading_figures)
from smallprint.engine.key_findings import MIN_CONFIDENCE  # noqa: E402
from train_reader import more_policies  # noqa: E402

FOLDERS = (ROOT / "scripts" / "reader_labels", ROOT / "scripts" / "arbiter_labels")


def agreement(data: Path) -> dict[str, dict]:
    out = {}
    for folder in FOLDERS:
        second = {p.name: p for p in more_policies(data, ".labels.b.jsonl", folder=folder)}
        for first in more_policies(data, folder=folder):
            b = second.get(first.name)
            if b is None:
                continue
            figures = second_reading_figures(first, b)
            out[f"{folder.name}/{first.name}"] = {
                **{k: figures[k] for k in ("precision", "practice_precision", "recall", "practice_recall")},
                "labels_a": sum(len(v) for v in first.labels.values()),
                "labels_b": sum(len(v) for v in b.labels.values())}
    return out


def doubly_labelled(data: Path) -> list[tuple]:
    """(reader A's, reader B's) LabelledPolicy of every policy two readers labelled independently."""
    pairs = []
    for folder in FOLDERS:
        second = {p.name: p for p in more_policies(data, ".labels.b.jsonl", folder=folder)}
        pairs += [(first, second[first.name]) for first in more_policies(data, folder=folder) if first.name in second]
    shared = data / "policy-sentences"
    second = {p.name: p for p in load_policies(shared, ".labels.b.jsonl")}
    pairs += [(first, second[first.name]) for first in load_policies(shared) if first.name in second]
    return pairs




def key_finding_agreement(data: Path) -> dict[str, dict]:
    """Issue #12's key-finding measure (precision, concern coverage) with reader B's labels as the engine's readings,
    scored against reader A's, and the other way round: what a second careful reader reaches on it."""
    pairs = doubly_labelled(data)

    def as_readings(policy):
        return [(policy.text[policy.starts[k]:policy.ends[k]], practice, polarity, 1.0, False)
                for k, labels in sorted(policy.labels.items()) for practice, polarity in sorted(labels)]

    return {"B read, A as labels": key_finding_summary(
                [key_finding_counts_of_readings(a, as_readings(b), MIN_CONFIDENCE) for a, b in pairs]),
            "A read, B as labels": key_finding_summary(
                [key_finding_counts_of_readings(b, as_readings(a), MIN_CONFIDENCE) for a, b in pairs])}


def short_agreement(folder: Path = ROOT / "scripts" / "tosdr_sentence_labels") -> dict[str, dict]:
    from train_arbiter import read_short_label_file, read_short_labels
    first = read_short_labels(folder)
    out = {}
    for path in sorted(folder.glob("*.labels.b.jsonl")):
        second = read_short_label_file(path)
        a_pairs, b_pairs = set(), set()
        for point, b in second.items():
            a = first[point]
            if a["digests"] != b["digests"]:
                raise ValueError(f"{path.name}: point {point} was read on other units")
            a_pairs |= {(point, i, p, pol) for i, unit in enumerate(a["labels"]) for p, pol in unit}
            b_pairs |= {(point, i, p, pol) for i, unit in enumerate(b["labels"]) for p, pol in unit}
        a_practices = {(x, i, p) for x, i, p, _ in a_pairs}
        b_practices = {(x, i, p) for x, i, p, _ in b_pairs}
        ratio = lambda n, d: n / d if d else 0.0  # noqa: E731
        out[f"{folder.name}/{path.name.split('.')[0]}"] = {
            "precision": ratio(len(a_pairs & b_pairs), len(b_pairs)),
            "practice_precision": ratio(sum((x, i, p) in a_practices for x, i, p, _ in b_pairs), len(b_pairs)),
            "recall": ratio(len(a_pairs & b_pairs), len(a_pairs)),
            "practice_recall": ratio(len(a_practices & b_practices), len(a_practices)),
            "labels_a": len(a_pairs), "labels_b": len(b_pairs), "passages": len(second)}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    print("policy | precision | practice precision | recall | practice recall | labels A / B")
    for name, f in {**agreement(args.data), **short_agreement()}.items():
        print(f"{name} | {f['precision']:.3f} | {f['practice_precision']:.3f} | {f['recall']:.3f} | "
              f"{f['practice_recall']:.3f} | {f['labels_a']} / {f['labels_b']}")
    print("key findings (issue #12's measure), a second reader in the engine's place:")
    for direction, f in key_finding_agreement(args.data).items():
        print(f"{direction}: {f['policies']} policies, {f['key_findings']} key findings, precision "
              f"{f['precision']:.3f}, concern coverage {f['concern_coverage']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
