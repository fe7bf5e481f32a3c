#!/usr/bin/env python3
"""Practice recognition on ToS;DR services the practice model has not seen: the honest figures for issue #2.

`smallprint eval` scores every ToS;DR point with the shipped practice model, which was trained on those points, so
its practice figures are optimistic. Here the mapped points are split into K folds by service (GroupKFold over the
services, in a fixed order: deterministic); for each fold the practice model is retrained on the other services'
points exactly as scripts/train_models.py trains the shipped one (its `practice_points` / `practices_document`),
loaded with smallprint.engine.linear and swapped into the engine for that fold only (the shipped file is never
written), and the held-out services' points go through `smallprint.evaluation.count_practices` -- the code path of
`smallprint eval`. The folds' tallies are pooled and scored once (`practice_metrics`): macro recall, macro precision,
polarity accuracy and per-practice figures, with the model and with the recognizers alone.

Usage: .venv/bin/python scripts/eval_practices_heldout.py [--data ../shared/data] [--folds 5] [--json]
                                                          [--cache DIR] [--errors FILE]
--cache DIR keeps each fold's trained model (keyed by its training points and the trainer's source), so runs that
change only the recognizers skip the retraining. --errors FILE writes one JSON line per held-out point that was
missed or drew a wrong practice (gold, highlights with their explanations), for reading errors per practice.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

import train_models  # noqa: E402
from smallprint import analyze, evaluation  # noqa: E402
from smallprint.engine import clauses, linear, practice_model  # noqa: E402

WEAK = ("third_party_sharing", "advertising", "private_content")


def mapped_points(data: Path) -> list[dict]:
    """Every ToS;DR point with a practice, as `smallprint eval` reads them, in a fixed order."""
    points = [p for p in evaluation.read_jsonl(data / "tosdr" / "points.jsonl") if p.get("practice")]
    return sorted(points, key=lambda p: (str(p["service"]), str(p["point_id"])))


def folds(points: list[dict], k: int) -> list[set[str]]:
    """The held-out services of each fold."""
    services = np.array([str(p["service"]) for p in points])
    return [set(services[test]) for _, test in GroupKFold(n_splits=k).split(services, groups=services)]


def fold_model(training: list[dict], cache: Path | None) -> linear.LinearModel:
    """The practice model trained on `training` (train_models.practice_points rows), as the engine loads it."""
    key = None
    if cache is not None:
        h = hashlib.sha256(Path(train_models.__file__).read_bytes())
        for p in training:
            h.update(json.dumps([p["clean"], p["practice"], p["service"]]).encode())
        key = cache / f"practices-{h.hexdigest()[:16]}.json.gz"
        if key.is_file():
            return linear.load(key)
    document = train_models.practices_document(training)
    with tempfile.TemporaryDirectory() as tmp:
        path = train_models.write_model(document, Path(tmp))
        if key is not None:
            cache.mkdir(parents=True, exist_ok=True)
            key.write_bytes(path.read_bytes())
        return linear.load(path)


@contextlib.contextmanager
def engine_model(model: linear.LinearModel):
    """The engine reads `model` as its practice model while inside; the shipped one again after."""
    original = practice_model.model
    practice_model.model = lambda: model
    clauses._model_cutoffs.cache_clear()
    try:
        yield
    finally:
        practice_model.model = original
        clauses._model_cutoffs.cache_clear()


def errors_of(points: list[dict], fold: int, handle) -> None:
    for point in points:
        highlights = analyze(text=str(point.get("text") or "")).highlights
        found = {h.practice for h in highlights}
        mine = [h for h in highlights if h.practice == point["practice"]]
        polarity = max(mine, key=lambda h: h.confidence).polarity if mine else None
        if found == {point["practice"]} and polarity == point.get("polarity"):
            continue
        handle.write(json.dumps({
            "fold": fold, "service": point["service"], "point_id": point["point_id"], "gold": point["practice"],
            "gold_polarity": point.get("polarity"), "missed": not mine,
            "wrong_polarity": bool(mine) and polarity != point.get("polarity"),
            "extra": sorted(found - {point["practice"]}), "text": point.get("text"),
            "highlights": [{"practice": h.practice, "polarity": h.polarity, "confidence": round(h.confidence, 3),
                            "text": h.text, "explanation": h.explanation} for h in highlights],
        }, ensure_ascii=False) + "\n")


def run(data: Path, k: int, cache: Path | None, errors: Path | None, log=sys.stderr) -> dict:
    points = mapped_points(data)
    trainable = train_models.practice_points(data)
    with_model = rules = None
    handle = open(errors, "w", encoding="utf-8") if errors else None
    try:
        for i, held_out in enumerate(folds(points, k)):
            started = time.perf_counter()
            model = fold_model([p for p in trainable if str(p["service"]) not in held_out], cache)
            test = [p for p in points if str(p["service"]) in held_out]
            with engine_model(model):
                with_model = evaluation.count_practices(test, with_model)
                if handle:
                    errors_of(test, i, handle)
            rules = evaluation.count_practices(test, rules, use_model=False)
            print(f"fold {i + 1}/{k}: {len(held_out)} services, {len(test)} points"
                  f" ({time.perf_counter() - started:.0f} s)", file=log)
    finally:
        if handle:
            handle.close()
    return {"folds": k, "services": len({str(p['service']) for p in points}), "points": len(points),
            "with_model": evaluation.practice_metrics(with_model), "rules_only": evaluation.practice_metrics(rules)}


def format_result(result: dict) -> str:
    lines = [f"Held-out practices: {result['points']} ToS;DR points of {result['services']} services,"
             f" {result['folds']} folds by service (the practice model never saw a point's service)"]
    both = (result["with_model"], result["rules_only"])
    for name, r in zip(("rules + model", "rules alone"), both):
        lines.append(f"  {name:14s} macro recall {r['macro_recall']:.3f}  macro precision {r['macro_precision']:.3f}"
                     f"  polarity accuracy {r['polarity_accuracy']:.3f}")
    lines.append(f"  {'practice':24s} {'points':>6s} | {'R':>6s} {'P':>6s} {'pol':>6s} {'hl':>5s} | rules alone:"
                 f" {'R':>6s} {'P':>6s} {'pol':>6s}")
    for practice, v in both[0]["per_practice"].items():
        o = both[1]["per_practice"].get(practice, {"recall": 0.0, "precision": 0.0, "polarity_accuracy": 0.0})
        mark = " *" if practice in WEAK else ""
        lines.append(f"  {practice:24s} {v['points']:6d} | {v['recall']:6.3f} {v['precision']:6.3f}"
                     f" {v['polarity_accuracy']:6.3f} {v['highlighted']:5d} |              {o['recall']:6.3f}"
                     f" {o['precision']:6.3f} {o['polarity_accuracy']:6.3f}{mark}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--cache", type=Path, help="a folder to keep the folds' trained models in")
    parser.add_argument("--errors", type=Path, help="write the held-out errors (JSON lines) here")
    args = parser.parse_args(argv)
    if not (args.data / "tosdr" / "points.jsonl").is_file():
        print(f"eval_practices_heldout: ToS;DR points not found under {args.data}", file=sys.stderr)
        return 1
    result = run(args.data, args.folds, args.cache, args.errors)
    print(json.dumps(result, indent=1) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
