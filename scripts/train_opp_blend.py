#!/usr/bin/env python3
"""The OPP-115 categories at full depth: the reader's segment head and the segments model (the quick depth's word
model, models/segments.json.gz), averaged, with per-category cut-offs; held-out figures by policy.

    .venv/bin/python scripts/train_opp_blend.py --oof RUN_DIR [--out daemon/smallprint/engine/models/reader] \
        [--json-out FIGURES.json]

RUN_DIR is what `train_reader.py fit --runs 0,1,2,3,4` wrote: every OPP-115 segment read by the fold model that
never saw its policy. The segments model is refitted here with its own recipe
(train_models.fit_segments, ToS;DR augmentation included) on the same folds' other policies, so both halves of the
average are out of fold. The two are different kinds of reader (a fine-tuned encoder over the first 96 tokens of
a segment; word presence over the whole segment and the one before it) and their errors differ: their plain mean
(not a tuned weight) reads OPP-115 better than either. Held out: each fold's cut-offs are chosen (F1 per category,
train_models.best_threshold) on the other folds' out-of-fold means and applied to it; the shipped cut-offs on all
folds'. Deterministic (liblinear, fixed folds). Needs the `train` extra.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402

import train_models as TM  # noqa: E402
from smallprint.engine.reader import OPP_BLEND_FILE, OPP_BLEND_FORMAT  # noqa: E402
from smallprint.taxonomy import OPP115_CATEGORIES  # noqa: E402

READER_WEIGHT = 0.5  # the plain mean; 0.6 and 0.7 measured worse (MODEL_CARD_reader.md)


def out_of_fold(data: Path, oof_dir: Path):
    """(segments in policy order, their labels, fold, the reader head's and the segments model's OOF probabilities)."""
    from train_reader import FOLDS, _hash_fold
    reader = {}
    for path in sorted(oof_dir.glob("oof-*.json")):
        for row in json.loads(path.read_text()):
            if row["source"] == "opp115":
                reader[(row["group"], int(row["segment"]))] = row["opp"]
    rows = [r for r in TM.read_jsonl(data / "opp115" / "segments.jsonl")
            if (f"opp-{r['policy_id']}", int(r["segment_id"])) in reader]
    rows.sort(key=lambda r: (str(r["policy_id"]), int(r["segment_id"])))
    fold = np.array([_hash_fold(f"opp-{r['policy_id']}") for r in rows])
    y = TM.segment_labels(rows)
    head = np.array([reader[(f"opp-{r['policy_id']}", int(r["segment_id"]))] for r in rows])
    words = np.zeros(y.shape)
    extra = TM.segment_augmentation(data)
    for f in range(FOLDS):
        train, test = np.where(fold != f)[0], np.where(fold == f)[0]
        vec, models = TM.fit_segments([rows[i]["text"] for i in train], [rows[i]["policy_id"] for i in train],
                                      y[train], extra, TM.SEGMENT_FEATURES)
        words[test] = TM.predict_segments(vec, models, [rows[i]["text"] for i in test],
                                          [rows[i]["policy_id"] for i in test])
    return rows, y, fold, head, words


def cuts_for(y: np.ndarray, p: np.ndarray) -> list[float]:
    return [TM.best_threshold(y[:, j], p[:, j]) for j in range(y.shape[1])]


def figures(y: np.ndarray, predicted: np.ndarray) -> dict:
    micro, macro, per = TM.f1_table(y, predicted)
    return {"micro_f1": round(micro, 4), "macro_f1": round(macro, 4),
            "per_category": {c: round(v, 4) for c, v in zip(OPP115_CATEGORIES, per)}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--oof", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    started = time.time()
    rows, y, fold, head, words = out_of_fold(args.data, args.oof)
    mean = READER_WEIGHT * head + (1 - READER_WEIGHT) * words
    held_out = np.zeros(y.shape, dtype=bool)
    for f in sorted(set(fold)):
        held_out[fold == f] = mean[fold == f] >= np.array(cuts_for(y[fold != f], mean[fold != f]))
    result = {"segments": len(rows), "policies": len({r["policy_id"] for r in rows}),
              "reader_head_at_0.5": figures(y, head >= 0.5), "segments_model_at_0.5": figures(y, words >= 0.5),
              "mean_at_0.5": figures(y, mean >= 0.5), "mean_held_out_cuts": figures(y, held_out)}
    for key in ("reader_head_at_0.5", "segments_model_at_0.5", "mean_at_0.5", "mean_held_out_cuts"):
        print(f"{key}: micro {result[key]['micro_f1']} macro {result[key]['macro_f1']}", file=sys.stderr)
    cuts = cuts_for(y, mean)
    result["shipped_cuts"] = dict(zip(OPP115_CATEGORIES, cuts))
    if args.out:
        document = {"format": OPP_BLEND_FORMAT, "categories": list(OPP115_CATEGORIES), "reader_weight": READER_WEIGHT,
                    "cuts": cuts, "held_out": {k: result["mean_held_out_cuts"][k] for k in ("micro_f1", "macro_f1")}}
        (args.out / OPP_BLEND_FILE).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out / OPP_BLEND_FILE}", file=sys.stderr)
    result["seconds"] = round(time.time() - started)
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
