#!/usr/bin/env python3
"""How two readers who labelled the same policy independently agree: for every NAME.labels.b.jsonl beside a
NAME.labels.jsonl in scripts/reader_labels/ and scripts/arbiter_labels/, reader B's labels scored as highlights
against reader A's, sentence by sentence, exactly as `smallprint eval --sentences` scores highlights; and for every
batch-K.labels.b.jsonl of scripts/tosdr_sentence_labels/ (ToS;DR passages), reader B's (unit, practice, polarity)
labels against reader A's on the passages B read, scored the same way unit by unit.

    .venv/bin/python scripts/label_agreement.py [--data ../shared/data]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))
sys.path.insert(0, str(ROOT / "scripts"))

from smallprint.evaluation_sentences import second_reading_figures  # noqa: E402
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
