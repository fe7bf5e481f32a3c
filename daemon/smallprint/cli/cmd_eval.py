"""`smallprint eval [--opp115 FILE] [--tosdr FILE] [--policies DIR] [--negatives DIR] [--sentences DIR]
[--depth full|quick] [--time-limit SECONDS] [--json]`: engine accuracy.

With no data option it measures the shared data's dev portions (../shared/data: OPP-115 dev rows, every ToS;DR
point, every policy and negative page). With some, only those parts run, on every row of the given files, so
held-out files in the same formats can be measured.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import CliError, time_limit_seconds


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="measure the engine's accuracy on data in the formats of ../shared/data",
        description="Measure page detection (policies/, served-pages/ and negatives/ folders with index.jsonl: "
                    "per kind, and privacy policy vs everything else), OPP-115 segment "
                    "categories (segments.jsonl) and practice highlights (ToS;DR points.jsonl). Without options: "
                    "the dev portions of ../shared/data; with options: only the parts given, on all their rows.")
    parser.add_argument("--opp115", type=Path, metavar="FILE", help="OPP-115 segments.jsonl (every row is scored)")
    parser.add_argument("--tosdr", type=Path, metavar="FILE", help="ToS;DR points.jsonl (points with a practice)")
    parser.add_argument("--policies", type=Path, metavar="DIR",
                        help="folder of pages with index.jsonl: each a privacy policy unless the index gives its "
                             "kind (privacy_policy, cookie_policy, terms_of_service or other, as served-pages/)")
    parser.add_argument("--negatives", type=Path, metavar="DIR",
                        help="folder of non-policy pages with index.jsonl (label borderline: reported, not scored)")
    parser.add_argument("--sentences", type=Path, metavar="DIR",
                        help="whole policies labelled sentence by sentence (NAME.txt, NAME.sentences.jsonl, "
                             "NAME.labels.jsonl, as ../shared/data/policy-sentences): highlight precision and recall")
    parser.add_argument("--depth", choices=("full", "quick"), default="full",
                        help="which reading to measure: full (the learned reader, default) or quick (the rules)")
    parser.add_argument("--time-limit", type=time_limit_seconds, metavar="SECONDS",
                        help="how long one analysis may take before the evaluation stops, saying so (default: 10 "
                             "times analysis_timeout_seconds of config.toml, 300 s by default)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.set_defaults(func=run)


def _check(path: Path | None, what: str, folder: bool) -> Path | None:
    if path is None:
        return None
    if folder and not (path / "index.jsonl").is_file():
        raise CliError(f"{what} {path}: not a folder with an index.jsonl")
    if not folder and path.is_dir():
        raise CliError(f"{what} {path}: a folder, not a file")
    if not folder and not path.is_file():
        raise CliError(f"{what} {path}: no such file")
    return path


def _check_sentences(path: Path | None) -> Path | None:
    if path is None:
        return None
    if not path.is_dir() or not any(path.glob("*.sentences.jsonl")):
        raise CliError(f"--sentences {path}: not a folder with NAME.txt, NAME.sentences.jsonl and NAME.labels.jsonl")
    return path


def run(args) -> int:
    from smallprint import evaluation

    given = any(getattr(args, name) is not None for name in ("opp115", "tosdr", "policies", "negatives", "sentences"))
    try:
        if given:
            result = evaluation.evaluate(
                opp115=_check(args.opp115, "--opp115", False), tosdr=_check(args.tosdr, "--tosdr", False),
                policies=_check(args.policies, "--policies", True),
                negatives=_check(args.negatives, "--negatives", True),
                sentences=_check_sentences(args.sentences), depth=args.depth, time_limit=args.time_limit)
        else:
            data = evaluation.default_data_dir()
            if not (data / "opp115" / "segments.jsonl").is_file():
                raise CliError(f"no evaluation data at {data}: pass --opp115/--tosdr/--policies/--negatives "
                               "or set SMALLPRINT_SHARED")
            result = evaluation.evaluate_defaults(data, depth=args.depth, time_limit=args.time_limit)
    except (OSError, ValueError) as exc:
        raise CliError(f"evaluation failed: {exc}") from None
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(evaluation.format_table(result))
    return 0
