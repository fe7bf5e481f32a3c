#!/usr/bin/env python3
"""How two readers who labelled the same policy independently agree: for every NAME.labels.b.jsonl beside a
NAME.labels.jsonl in scripts/reader_labels/ and scripts/arbiter_labels/, reader B's labels scored as highlights
against reader A's, sentence by sentence, exactly as `smallprint eval --sentences` scores highlights.

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    print("policy | precision | practice precision | recall | practice recall | labels A / B")
    for name, f in agreement(args.data).items():
        print(f"{name} | {f['precision']:.3f} | {f['practice_precision']:.3f} | {f['recall']:.3f} | "
              f"{f['practice_recall']:.3f} | {f['labels_a']} / {f['labels_b']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
