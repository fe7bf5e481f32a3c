#!/usr/bin/env python3
"""Calibrate the grade's letter thresholds, and measure how the grade agrees with human raters.

1. Reads the current version of every real policy in the shared data (`policies/`: the latest version of each of
   32 services; `policies-more/`: 146 more) at full depth and computes each one's grade score
   (smallprint.engine.grade: the weights are fixed by hand, by what a practice costs a reader).
2. Sets the letter thresholds so that the letters fall in the same shares as ToS;DR's human ratings of the 47
   services in `tosdr/ratings.jsonl` (a higher score is better; A for the top share, E for the bottom one). The
   thresholds are the midpoints between neighbouring scores at the boundaries, rounded to 0.5.
3. Reports, for each service that has both a ToS;DR rating and a policy in the shared data, its grade and ToS;DR's:
   exact and within-one-letter agreement. Wikipedia and GitHub are rated by ToS;DR (B and B, as quoted in issue
   #12) but are not in ratings.jsonl; they are listed as such.

The readings are cached (--cache FILE, JSON Lines by policy and content hash), so a change to the weights alone
re-scores in a second. `--depth quick` reads at quick depth (the rules alone: the extension's first paint,
`corpus analyze` by default) and fits and reports that depth's own thresholds (grade.QUICK_THRESHOLDS) the same way. Usage:
    .venv/bin/python scripts/calibrate_grade.py [--data ../shared/data] [--cache /tmp/grade-readings.jsonl]
                                                [--depth full|quick] [--json]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))

from smallprint.engine import analyze  # noqa: E402
from smallprint.engine.grade import THRESHOLDS_BY_DEPTH, grade_findings  # noqa: E402
from smallprint.engine.key_findings import candidate_findings  # noqa: E402
from smallprint.engine.results import Highlight  # noqa: E402

LETTERS = "ABCDE"
# ToS;DR ratings of services in policies/ that ratings.jsonl does not carry, as quoted in issue #12.
QUOTED_RATINGS = {"wikipedia": "B", "github": "B"}


def current_policies(data: Path) -> list[tuple[str, Path]]:
    latest: dict[str, dict] = {}
    for line in (data / "policies" / "index.jsonl").read_text().splitlines():
        row = json.loads(line)
        service = row["file"].split("/")[0]
        if service not in latest or row["version_date"] > latest[service]["version_date"]:
            latest[service] = row
    found = [(service, data / "policies" / row["file"]) for service, row in sorted(latest.items())]
    found += [(f"more/{p.stem}", p) for p in sorted((data / "policies-more").glob("*.md")) if p.name != "README.md"]
    return found


def readings(policies, cache: Path | None, depth: str = "full") -> dict[str, list[Highlight]]:
    cached = {}
    if cache and cache.is_file():
        for line in cache.read_text().splitlines():
            row = json.loads(line)
            if row.get("depth", "full") == depth:  # rows written before --depth are full readings
                cached[(row["name"], row["sha256"])] = row["highlights"]
    out = {}
    with (cache.open("a") if cache else open("/dev/null", "w")) as sink:
        for name, path in policies:
            text = path.read_text(encoding="utf-8")
            digest = hashlib.sha256(text.encode()).hexdigest()
            if (name, digest) not in cached:
                a = analyze(text=text, depth=depth)
                cached[(name, digest)] = [h.to_dict() for h in a.highlights]
                sink.write(json.dumps({"name": name, "sha256": digest, "depth": depth,
                                       "highlights": cached[(name, digest)]}) + "\n")
                sink.flush()
                print(f"read {name}", file=sys.stderr)
            out[name] = [Highlight(h["block"], h["start"], h["end"], h["text"], h["practice"], h["polarity"],
                                   h["summary"], h["confidence"], h["explanation"], h.get("rules_agree", False))
                          for h in cached[(name, digest)]]
    return out


def thresholds_for(scores: list[float], shares: dict[str, float]) -> list[tuple[float, str]]:
    ranked = sorted(scores, reverse=True)
    n, cumulative, out = len(ranked), 0.0, []
    for letter in LETTERS[:-1]:
        cumulative += shares[letter]
        k = min(n - 1, max(1, round(cumulative * n)))
        out.append((round((ranked[k - 1] + ranked[k]) / 2 * 2) / 2, letter))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--depth", choices=("full", "quick"), default="full",
                    help="the reading graded; each depth has its own thresholds, fitted on its own readings")
    args = ap.parse_args(argv)
    ratings = [json.loads(line) for line in (args.data / "tosdr" / "ratings.jsonl").read_text().splitlines()]
    counts = Counter(r["tosdr_rating"] for r in ratings)
    shares = {letter: counts[letter] / len(ratings) for letter in LETTERS}
    by_policy = readings(current_policies(args.data), args.cache, args.depth)
    scores = {name: grade_findings(candidate_findings(hs)).score for name, hs in by_policy.items()}
    fitted = thresholds_for(list(scores.values()), shares)

    def letter(score: float, table) -> str:
        return next((L for floor, L in table if score >= floor), "E")

    rated = {r["policy_folder"]: r["tosdr_rating"] for r in ratings if r["policy_folder"]}
    rated.update(QUOTED_RATINGS)
    shipped = [(floor, L) for floor, L in THRESHOLDS_BY_DEPTH[args.depth][:-1]]
    rows = [{"service": s, "tosdr": r, "score": scores[s], "grade": letter(scores[s], shipped)}
            for s, r in sorted(rated.items()) if s in scores]
    exact = sum(r["grade"] == r["tosdr"] for r in rows)
    near = sum(abs(LETTERS.index(r["grade"]) - LETTERS.index(r["tosdr"])) <= 1 for r in rows)
    spread = Counter(letter(s, shipped) for s in scores.values())
    report = {"depth": args.depth, "policies": len(scores), "shares": {k: round(v, 3) for k, v in shares.items()},
              "fitted_thresholds": fitted, "shipped_thresholds": shipped,
              "letters_on_real_policies": {L: spread.get(L, 0) for L in LETTERS},
              "rated": rows, "exact": exact, "within_one": near, "n_rated": len(rows)}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"{len(scores)} current policies read at {args.depth} depth; ToS;DR shares {report['shares']}")
        print(f"fitted thresholds {fitted}; shipped {shipped}")
        print(f"letters on real policies (shipped thresholds): {report['letters_on_real_policies']}")
        for r in rows:
            print(f"  {r['service']:12s} ToS;DR {r['tosdr']}  smallprint {r['grade']}  (score {r['score']:g})")
        print(f"agreement with ToS;DR: exact {exact}/{len(rows)}, within one letter {near}/{len(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
