"""Held-out figures of the reader from out-of-fold probabilities (scripts/train_reader.py fit --runs 0,...,4):
every unit, point and segment is scored by the fold model that never saw its policy or service.

The cut-offs (the reader's own, and the lower one where a recognizer reads the same practice) are chosen the same
way for the shipped model and inside the evaluation, where the choice is nested: for each fold, the pair that
maximises F1 (precision, recall) + F1 (practice precision, practice recall) on the *other* folds' units is applied
to that fold. No figure reported here comes from cut-offs chosen on the units it scores.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..evaluation import (MIN_POINTS_FOR_MACRO, _COUNT_KEYS, _f1, category_scores, practice_metrics,
                          tally_categories)
from ..evaluation_sentences import load_policies, score_policy, summarize
from ..taxonomy import OPP115_CATEGORIES
from .clauses import read_clause
from .pointers import points_elsewhere
from .reader import RULES_ONLY_CONFIDENCE, decide

GRID = tuple((round(0.25 + 0.05 * i, 2), w) for i in range(8) for w in (0.05, 0.1, 0.15, 0.2, 1.0))

_RULES: dict[str, dict] = {}


def rule_practices(text: str) -> dict[str, str]:
    """The recognizers' {practice: polarity} for a unit's text, as the engine passes them to `decide`."""
    if text not in _RULES:
        _RULES[text] = {practice: reading[0] for practice, reading in read_clause(text).items()}
    return _RULES[text]


def _readings(probs, text, cut):
    if points_elsewhere(text):  # shown with no reading, as the engine does (reader.read_units)
        return []
    threshold, with_rules = cut
    return decide(probs, lambda _p: threshold, with_rules, rule_practices(text))


def _sentence_counts(policies, units_by_policy, cut) -> dict:
    per_policy = {}
    for policy in policies:
        shown = []
        for text, probs in units_by_policy.get(policy.name, ()):
            for practice, polarity, _ in _readings(probs, text, cut):
                shown.append((text, practice, polarity))
        per_policy[policy.name] = score_policy(policy, shown)
    return summarize(per_policy)


def key_finding_figures(policies, units_by_policy, cut, min_confidence: float) -> dict:
    """Key findings from held-out readings, against careful readers' labels: the share of key findings whose
    cited sentences carry their (practice, polarity), and the share of each policy's labelled concern practices
    that a concern key finding covers (pooled over policies)."""
    from ..evaluation_sentences import key_finding_counts_of_readings, key_finding_summary

    counts = []
    for policy in policies:
        # a severe practice read on the rules' word alone gets the engine's confidence for it (reader.py)
        readings = [(text, practice, polarity,
                     probability if probability >= cut[1] else RULES_ONLY_CONFIDENCE,
                     probability >= cut[1] and rule_practices(text).get(practice) == polarity)
                    for text, probs in units_by_policy.get(policy.name, ())
                    for practice, polarity, probability in _readings(probs, text, cut)]
        counts.append(key_finding_counts_of_readings(policy, readings, min_confidence))
    return key_finding_summary(counts)


def tally_point(counts: dict, gold: str, gold_polarity: str, readings) -> None:
    """Add one ToS;DR point's (practice, polarity, probability, ...) readings to `practice_metrics` tallies."""
    gold_n, found_n, highlighted_n, correct_highlighted, polarity_ok = (counts[k] for k in _COUNT_KEYS)
    gold_n[gold] += 1
    for practice in {r[0] for r in readings}:
        highlighted_n[practice] += 1
        correct_highlighted[practice] += practice == gold
    mine = [r for r in readings if r[0] == gold]
    if mine:
        found_n[gold] += 1
        polarity_ok[gold] += max(mine, key=lambda r: r[2])[1] == gold_polarity


def best_threshold(policies, units_by_policy) -> tuple[float, float]:
    scored = []
    for cut in GRID:
        s = _sentence_counts(policies, units_by_policy, cut)
        scored.append((_f1(s["precision"], s["recall"]) + _f1(s["practice_precision"], s["practice_recall"]), cut))
    return max(scored)[1]


def heldout_figures(data: Path, examples: list[dict], oof: list[dict], more=()) -> dict:
    """`more`: further labelled policies (LabelledPolicy) that the examples include."""
    shared = {p.name: p for p in load_policies(Path(data) / "policy-sentences")}
    policies = {**shared, **{p.name: p for p in more}}
    by_key = {}
    for e in examples:
        if e["source"] == "sentences":
            by_key[("sentences", e["group"], e["unit"])] = e
        elif e["source"] == "tosdr-eval":
            by_key[("tosdr-eval", e["point"])] = e
        elif e["source"] == "opp115":
            by_key[("opp115", e["group"], e["segment"])] = e
    units = defaultdict(lambda: defaultdict(list))  # fold -> policy -> [(text, probs)] in reading order
    points = defaultdict(lambda: defaultdict(list))  # fold -> point -> [probs per unit]
    point_rows = {}
    segments = []
    for row in oof:
        if row["source"] == "sentences":
            e = by_key[("sentences", row["group"], row["unit"])]
            units[e["fold"]][e["group"]].append((e["unit"], e["a"], row["pairs"]))
        elif row["source"] == "tosdr-eval":
            e = by_key[("tosdr-eval", row["point"])]
            points[e["fold"]][row["point"]].append(row["pairs"])
            point_rows[row["point"]] = e
        else:
            e = by_key[("opp115", row["group"], row["segment"])]
            segments.append((e, row["opp"]))
    for fold in units:
        for name in units[fold]:
            units[fold][name] = [(text, probs) for _, text, probs in sorted(units[fold][name], key=lambda x: x[0])]
    folds = sorted(units)

    # nested cut-off: chosen on the other folds, applied to this one
    chosen = {}
    for fold in folds:
        others = {n: u for f in folds if f != fold for n, u in units[f].items()}
        chosen[fold] = best_threshold([policies[n] for n in others], others)
    per_policy = {}
    for fold in folds:
        cut = chosen[fold]
        for name, rows in units[fold].items():
            shown = [(text, practice, polarity) for text, probs in rows
                     for practice, polarity, _ in _readings(probs, text, cut)]
            per_policy[name] = score_policy(policies[name], shown)
    sentences = summarize({n: v for n, v in per_policy.items() if n in shared})
    sentences_all = summarize(per_policy)

    counts = {k: defaultdict(int) for k in _COUNT_KEYS}
    # points whose text has no readable unit were never sent; they count as found nothing
    for e in (x for x in examples if x["source"] == "tosdr-eval"):
        fold, gold, gold_polarity = e["fold"], e["practice"], e["polarity"]
        cut = chosen.get(fold, (0.5, 1.0))
        readings = [r for (text, _), probs in zip(e["units"], points[fold].get(e["point"], ()))
                    for r in _readings(probs, text, cut)]
        tally_point(counts, gold, gold_polarity, readings)
    tosdr = practice_metrics(counts)

    opp_counts = {c: [0, 0, 0] for c in OPP115_CATEGORIES}
    for e, probs in segments:
        tally_categories(opp_counts, {OPP115_CATEGORIES[i] for i in e["opp"]},
                         {c for c, p in zip(OPP115_CATEGORIES, probs) if p >= 0.5})
    opp = {"segments": len(segments), **category_scores(opp_counts)}
    everything = {n: u for f in folds for n, u in units[f].items()}
    shipped = best_threshold([policies[n] for n in everything], everything)
    # Key findings at the shipped cut-off and a few others (the shipped one was chosen from these on all folds:
    # one number, so its figures are close to, not strictly, held out).
    key = {str(m): {"shared": key_finding_figures([shared[n] for n in everything if n in shared], everything,
                                                  shipped, m),
                    "all": key_finding_figures([policies[n] for n in everything], everything, shipped, m)}
           for m in (0.4, 0.5, 0.6, 0.7, 0.8)}
    return {"cutoffs_by_fold": chosen, "cutoffs_for_shipping": {"*": shipped[0], "with_rules": shipped[1]}, "sentences": sentences, "sentences_with_project_labels": sentences_all,
            "tosdr": {k: v for k, v in tosdr.items()}, "opp115": opp, "key_findings": key,
            "note": f"5 folds by service; macro over practices with >= {MIN_POINTS_FOR_MACRO} points"}
