#!/usr/bin/env python3
"""Train the reader's second thoughts (engine/arbiter.py): the word model and the two tree ensembles, from the
reader's out-of-fold readings, with held-out figures.

    .venv/bin/python scripts/train_arbiter.py --examples EXAMPLES.jsonl.gz --oof RUN_DIR \
        [--out daemon/smallprint/engine/models/reader] [--json-out FIGURES.json]

EXAMPLES is what `train_reader.py prepare` wrote, RUN_DIR what `train_reader.py fit --runs 0,1,2,3,4` wrote
(oof-K.json: each labelled unit read by the fold model that never saw its policy). The ensembles must learn how far
to trust readings of *unseen* text, so they learn from those out-of-fold readings, never from the final model's
readings of its own training data; at run time they judge the final model's readings of new pages.

The ensembles also learn from short excerpts of the same policies (`excerpt_tables`: runs of 1, 2 or 3 sentences,
each read as a whole document, in its policy's fold), because the engine is also given short texts (a pasted
clause, a ToS;DR point) whose policy-level features look nothing like a whole policy's. The cut-offs are still
chosen on whole policies.

Held-out figures (the same 5 folds, by service): for each fold, the word model and the ensembles are trained on the
other folds only, and the cut-offs are chosen by an inner cross-validation on those other folds (each inner fold
scored by ensembles that did not see it); the fold is then scored once. The criterion for the cut-offs is the
smallest margin above issue #11's four floors (precision 0.62, practice precision 0.80, recall 0.50, practice
recall 0.65) on the inner folds' sentence units. The shipped files are then trained on all folds, their cut-offs
chosen the same way. The reader's readings are out-of-fold throughout, so their only leak is second-order (a fold
model that read fold A learnt from fold B's labels), as in any stacked model.

The --json-out figures also hold `tosdr_readings`, each ToS;DR point's held-out readings, which
`scripts/tosdr_standard.py --readings` scores against two blind readings of 200 points under the guide.

Needs the `train` extra (scikit-learn, numpy). Deterministic: fixed folds, lbfgs, seeded trees.
"""
from __future__ import annotations

import argparse
import gzip
import json
import pickle
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402

from smallprint.engine import arbiter as A  # noqa: E402
from smallprint.engine.linear import load as load_linear, tokenize  # noqa: E402
from smallprint.engine.pointers import points_elsewhere  # noqa: E402
from smallprint.engine.reader import with_severe_rules  # noqa: E402
from smallprint.engine.reader_heldout import rule_practices, tally_point  # noqa: E402
from smallprint.engine.reader_input import PAIR_LABELS  # noqa: E402
from smallprint.evaluation_sentences import bootstrap_intervals, load_policies, score_policy, summarize  # noqa: E402

FOLDS = 5
SEED = 20261204
# Policies of policies-more labelled under the same guide but kept out of the reader's training (reader_labels/ is
# what the reader learns from): the final reader's readings of them are readings of text it has never seen, which is
# what the second thoughts learn from. They join the folds like the others.
UNSEEN_LABELS = ROOT / "scripts" / "arbiter_labels"
# ToS;DR passages labelled sentence by sentence under the same guide (blind: the passage only), kept out of the
# 200-point standard sample (scripts/tosdr_guide_labels/): with --short-labels, short documents the ensembles learn
# from beside the policies' excerpts, each in its service's fold (scripts/tosdr_sentence_labels/README.md). Measured
# 2026-12-05 and not shipped: ToS;DR's polarity fell (0.692 -> 0.673); with --short-cuts its precision fell too.
SHORT_LABELS = ROOT / "scripts" / "tosdr_sentence_labels"
# Points whose text the engine reads differently since they were labelled (raw HTML in the point's Markdown is now
# markup: "Change of Control</strong>." became "Change of Control."); their rows keep the digests of the units they
# were made on, and a unit no longer read is left out (`labelled_by_digest`). The label folder's test keeps this set
# exact.
REREAD_SINCE_LABELLED = frozenset({"696", "7081"})
FLOORS = {"precision": 0.62, "practice_precision": 0.80, "recall": 0.50, "practice_recall": 0.65}
PRACTICE_CUTS = tuple(round(0.3 + 0.05 * i, 2) for i in range(11))
PAIR_CUTS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
# at most this many practices shown per sentence (0: no cap), chosen with the cut-offs
CAPS = (0, 1, 2, 3)
# the practice ensemble's least weight for a severe practice read by the rules alone to be shown (0: always shown).
# No higher than 0.4: at 0.5 (the search's choice once, 2026-12-05) plain "We may sell your personal information to
# data brokers." under a heading went unshown (tests/engine/test_hostile_html.py), the worst miss the product can
# make; the bound is a product requirement, not a figure the folds chose.
SEVERE_CUTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)
# above reader.RULES_ONLY_CONFIDENCE: a severe practice shown on the rules' word alone never makes a key finding
# Short documents (a pasted clause, a ToS;DR point: at most SHORT_UNITS units; every labelled policy is longer)
# may get cut-offs of their own, chosen on the guide-labelled ToS;DR passages of the inner folds by the F1 of their
# (unit, practice, polarity) labels (`--short-cuts`): a passage someone quotes nearly always states a practice,
# where most sentences of a whole policy state none.
SHORT_UNITS = 11
SHORT_PRACTICE_CUTS = tuple(round(0.1 + 0.05 * i, 2) for i in range(15))
SHORT_PAIR_CUTS = (0.0, 0.1, 0.2, 0.3, 0.4)
KF_CUTS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
KF_FLOORS = (0.90, 0.80)  # issue #12: key-finding precision, concern coverage
WORDS_C = 4.0
WORDS_FEATURES = 20_000
TREES = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "max_depth": 6, "min_samples_leaf": 40,
         "random_state": SEED}


# -- data -------------------------------------------------------------------------------------------------------

def load_documents(examples_path: Path, oof_dir: Path) -> dict[str, list[dict]]:
    """Per labelled policy, its readable units in reading order with their out-of-fold readings."""
    from train_reader import read_examples
    _, examples = read_examples(examples_path)
    by_key = {(e["group"], e["unit"]): e for e in examples if e["source"] == "sentences"}
    documents: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(oof_dir.glob("oof-*.json")):
        for row in json.loads(path.read_text()):
            if row["source"] != "sentences":
                continue
            e = by_key[(row["group"], row["unit"])]
            documents[e["group"]].append({"unit": e["unit"], "a": e["a"], "b": e["b"], "fold": int(e["fold"]),
                                          "gold": set(e["pairs"]), "reader": row["pairs"]})
    for units in documents.values():
        units.sort(key=lambda u: u["unit"])
        for u in units:
            u["rules"] = rule_practices(u["a"])
    return dict(sorted(documents.items()))


def labelled_policies(data: Path) -> dict:
    from train_reader import more_policies
    policies = {p.name: p for p in load_policies(data / "policy-sentences")}
    shared = set(policies)
    policies.update({p.name: p for p in more_policies(data)})
    policies.update({p.name: p for p in more_policies(data, folder=UNSEEN_LABELS)})
    return policies, shared


def unseen_documents(data: Path, reader_dir: Path) -> dict[str, list[dict]]:
    """The UNSEEN_LABELS policies' readable units, read by the final reader in `reader_dir` (which never learnt
    from them), in the form `load_documents` gives."""
    from train_reader import FOLDS as READER_FOLDS, _hash_fold, _key, labelled_units, more_policies
    from smallprint.engine.reader import _load, probabilities
    policies = more_policies(data, folder=UNSEEN_LABELS)
    if not policies:
        return {}
    # the reader alone: the folder's second thoughts are what is being rebuilt (and may be for other features)
    with tempfile.TemporaryDirectory() as bare:
        for name in ("reader.int8.onnx", "reader.json", "tokenizer.json"):
            shutil.copy(reader_dir / name, Path(bare) / name)
        model = _load(Path(bare))
    assert READER_FOLDS == FOLDS
    out = {}
    for policy in policies:
        units, _ = labelled_units(policy)
        readings, _ = probabilities(model, [(u["a"], u["b"]) for u in units])
        fold = _hash_fold(_key(policy.name.rsplit("-", 1)[0]))
        out[policy.name] = [{"unit": u["unit"], "a": u["a"], "b": u["b"], "fold": fold, "gold": set(u["pairs"]),
                             "reader": r, "rules": rule_practices(u["a"])} for u, r in zip(units, readings)]
    return out


def unit_digest(text: str) -> str:
    """What a label row records of the unit it labels, so that labels never land on other units."""
    import hashlib
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def read_short_label_file(path: Path) -> dict[str, dict]:
    """{point id: {"digests": [...], "labels": [[(practice, polarity), ...] per unit]}} of one labels file;
    ValueError on a row that is not one, or a point given twice."""
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        row = json.loads(line)
        labels = [[(x["practice"], x["polarity"]) for x in unit] for unit in row["labels"]]
        if len(labels) != len(row["digests"]) or str(row["id"]) in out or any(
                pair not in PAIR_LABELS for unit in labels for pair in unit):
            raise ValueError(f"{path.name}:{n}: not a label row")
        out[str(row["id"])] = {"digests": row["digests"], "labels": labels}
    return out


def read_short_labels(folder: Path = SHORT_LABELS) -> dict[str, dict]:
    """Every `*.labels.jsonl` of `folder` (the first readings; second ones are `*.labels.b.jsonl`), merged; a point
    in two files is refused."""
    out: dict[str, dict] = {}
    for path in sorted(folder.glob("*.labels.jsonl")) if folder.is_dir() else ():
        rows = read_short_label_file(path)
        if rows.keys() & out.keys():
            raise ValueError(f"{path.name}: labels again a point of another file")
        out.update(rows)
    return out


def tosdr_points(examples_path: Path, oof_dir: Path) -> tuple[list[dict], dict[str, list]]:
    """The held-out ToS;DR points ("tosdr-eval" examples: each point's units) and, by point id, their units' readings
    by the fold model that never saw the point's service."""
    from train_reader import read_examples
    _, examples = read_examples(examples_path)
    probs = defaultdict(list)
    for path in sorted(oof_dir.glob("oof-*.json")):
        for row in json.loads(path.read_text()):
            if row["source"] == "tosdr-eval":
                probs[str(row["point"])].append(row["pairs"])
    return [e for e in examples if e["source"] == "tosdr-eval"], probs


def short_documents(examples_path: Path, oof_dir: Path, labels: dict[str, dict]) -> dict[str, list[dict]]:
    """The labelled ToS;DR passages as documents ("tosdr:ID"), their units read by the fold model that never saw
    the point's service (the held-out ToS;DR measure reads the same), in the form `load_documents` gives."""
    points, probs = tosdr_points(examples_path, oof_dir)
    out = {}
    for e in (x for x in points if str(x["point"]) in labels):
        gold_of = labelled_by_digest(labels[str(e["point"])])
        units = [{"unit": i, "a": a, "b": b, "fold": int(e["fold"]), "reader": p, "rules": rule_practices(a),
                  "gold": {PAIR_LABELS.index(pair) for pair in gold_of[unit_digest(a)]}}
                 for i, ((a, b), p) in enumerate(zip(e["units"], probs[str(e["point"])]))
                 if unit_digest(a) in gold_of]
        if units:
            out[f"tosdr:{e['point']}"] = units
    return out


def labelled_by_digest(row: dict) -> dict[str, list]:
    """A label row's labels by the digest of the unit they were made on. Units the engine now reads differently
    (`REREAD_SINCE_LABELLED`) have no labels and are left out of the passage, never given another unit's labels; a
    digest given twice with different labels is refused (the same text cannot have two readings in one row)."""
    out: dict[str, list] = {}
    for digest, gold in zip(row["digests"], row["labels"]):
        if out.setdefault(digest, gold) != gold:
            raise ValueError(f"unit {digest} is labelled twice, differently")
    return out


# -- the word model ---------------------------------------------------------------------------------------------

def fit_words(texts: list[str], y: np.ndarray) -> dict:
    """One-vs-rest logistic regression over the 63 pairs (balanced; the strongest WORDS_FEATURES kept, refitted),
    as a smallprint-linear model document. A pair with fewer than 2 positives gets no weights and a low bias."""
    from train_models import fit_binary, model_document, select_features, vectorizer

    def fit_all(x):
        coef = np.zeros((y.shape[1], x.shape[1]))
        bias = np.full(y.shape[1], -8.0)
        for j in range(y.shape[1]):
            if y[:, j].sum() >= 2:
                m = fit_binary(x, y[:, j], WORDS_C, True)
                coef[j], bias[j] = m.coef_[0], m.intercept_[0]
        return coef, bias

    vec = vectorizer()
    coef, _ = fit_all(vec.fit_transform(texts))
    vec = vectorizer(vocabulary=select_features(vec, coef, WORDS_FEATURES))
    coef, bias = fit_all(vec.fit_transform(texts))
    return model_document("words", ["/".join(p) for p in PAIR_LABELS], vec, coef, bias, [0.5] * y.shape[1])


_LOADED: dict[int, object] = {}


def words_probabilities(document: dict, units: list[dict]) -> np.ndarray:
    """Probabilities through the run-time scorer (engine/linear.py), quantisation included."""
    model = _LOADED.get(id(document))
    if model is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "words.json.gz"
            path.write_bytes(gzip.compress(json.dumps(document).encode()))
            model = _LOADED[id(document)] = load_linear(path)
    return np.array([model.probabilities(tokenize(A.words_text(u["a"], u["b"]))) for u in units])


def words_training(units: list[dict]) -> tuple[list[str], np.ndarray]:
    y = np.zeros((len(units), len(PAIR_LABELS)), dtype=int)
    for i, u in enumerate(units):
        y[i, sorted(u["gold"])] = 1
    return [A.words_text(u["a"], u["b"]) for u in units], y


# -- the ensembles ----------------------------------------------------------------------------------------------

def candidates_of(units: list[dict], words: np.ndarray):
    c = A.candidate_features(A.policy_view([u["reader"] for u in units], words, range(len(units)),
                                           [u["rules"] for u in units], [u["a"] for u in units],
                                           [u["b"] for u in units]))
    pair_y = np.array([PAIR_LABELS.index((A.PRACTICE_IDS[k], A.POLARITIES[b])) in units[i]["gold"]
                       for i, k, b in c.pair_index], dtype=int)
    gold_practices = [{PAIR_LABELS[j][0] for j in u["gold"]} for u in units]
    practice_y = np.array([A.PRACTICE_IDS[k] in gold_practices[i] for i, k in c.practice_index], dtype=int)
    return c, pair_y, practice_y


# Short excerpts of the training policies (runs of 1, 2 or 3 sentences, each read as a whole document) added to
# the ensembles' training rows: the engine is also given short texts (a pasted clause, a ToS;DR point), whose
# policy-level features look nothing like a whole policy's. Names "POLICY#K"; each follows its policy's fold.
EXCERPTS: dict[str, list[str]] = {}


# Labelled ToS;DR passages (short_documents), by fold: they join the training rows of any ensemble that learns
# from that fold's policies.
SHORT_BY_FOLD: dict[int, list[str]] = {}
FOLD_OF: dict[str, int] = {}


def with_excerpts(names: list[str]) -> list[str]:
    folds = sorted({FOLD_OF[n] for n in names if n in FOLD_OF})
    return [*names, *(e for n in names for e in EXCERPTS.get(n, ())),
            *(d for f in folds for d in SHORT_BY_FOLD.get(f, ()))]


def excerpt_tables(documents, words) -> dict:
    """Cut every document into consecutive runs of 1, 2, 3, 1, 2, 3... units, each a document of its own
    (EXCERPTS, filled afresh, names each document's)."""
    EXCERPTS.clear()
    tables = {}
    for name, units in documents.items():
        i = k = 0
        while i < len(units):
            n = 1 + k % 3
            key = f"{name}#{k}"
            tables[key] = candidates_of(units[i:i + n], words[name][i:i + n])
            EXCERPTS.setdefault(name, []).append(key)
            i, k = i + n, k + 1
    return tables


def fit_ensembles(tables: dict, names: list[str]):
    names = with_excerpts(names)
    pair = HistGradientBoostingClassifier(**TREES).fit(np.vstack([tables[n][0].pairs for n in names]),
                                                       np.concatenate([tables[n][1] for n in names]))
    practice = HistGradientBoostingClassifier(**TREES).fit(np.vstack([tables[n][0].practices for n in names]),
                                                           np.concatenate([tables[n][2] for n in names]))
    return pair, practice


def ensemble_scores(models, tables: dict, names: list[str]) -> dict:
    pair, practice = models
    return {n: (pair.predict_proba(tables[n][0].pairs)[:, 1] if len(tables[n][1]) else np.zeros(0),
                practice.predict_proba(tables[n][0].practices)[:, 1] if len(tables[n][2]) else np.zeros(0))
            for n in names}


POLARITY_BY = "pair"


def readings(units: list[dict], table, scores, cuts) -> list[list[tuple[str, str, float]]]:
    """What the engine shows for a document: arbiter.choose, then the severe practices only the rules read that the
    practice ensemble admits."""
    if len(cuts) > 4:  # (practice, pair, cap, severe, (short practice, short pair))
        cuts = (*cuts[4], *cuts[2:4]) if cuts[4] and len(units) <= SHORT_UNITS else cuts[:4]
    practice_cut, pair_cut, cap, severe_cut = cuts
    shown = A.choose(table[0], scores[0], scores[1], len(units), practice_cut, pair_cut, polarity_by=POLARITY_BY,
                     max_per_unit=cap)
    admitted = A.severe_admitted(table[0], scores[1], len(units), severe_cut)
    return [with_severe_rules(found, {p: (pol, "") for p, pol in u["rules"].items()}, severe)
            for u, found, severe in zip(units, shown, admitted)]


def unit_counts(documents, tables, scores, names, cuts) -> dict:
    """Figures on the units' own labels, by `readings` itself (slow; `DecisionTable` must agree with it)."""
    shown = right = practice_right = labels = practice_labels = 0
    for n in names:
        units = documents[n]
        for u, found in zip(units, readings(units, tables[n], scores[n], cuts)):
            gold = {PAIR_LABELS[j] for j in u["gold"]}
            gold_practices = {p for p, _ in gold}
            shown += len(found)
            right += sum((p, pol) in gold for p, pol, *_ in found)
            practice_right += sum(r[0] in gold_practices for r in found)
            labels += len(gold)
            practice_labels += len(gold_practices)
    return figures_of(shown, right, practice_right, labels, practice_labels)


def figures_of(shown, right, practice_right, labels, practice_labels) -> dict:
    # One polarity per practice and unit, so the pairs shown are distinct: those right are also the labels covered
    ratio = lambda a, b: float(a / b) if b else 0.0  # noqa: E731
    return {"precision": ratio(right, shown), "practice_precision": ratio(practice_right, shown),
            "recall": ratio(right, labels), "practice_recall": ratio(practice_right, practice_labels)}


class DecisionTable:
    """What `readings` would show of `names` under any cut-offs, as flat arrays, so that the inner search over
    (practice cut, pair cut, cap per unit, severe cut) is a few numpy passes per setting instead of a pass over every
    unit. One row per (unit, practice) candidate with its likeliest polarity; one per severe practice the rules read
    (shown by `with_severe_rules` where the unit does not show that practice and the practice ensemble gives it at
    least the severe cut)."""

    def __init__(self, documents, tables, scores, names):
        from smallprint.engine.reader import POLARITY_FROM_RULES, SEVERE_FROM_RULES
        cols = defaultdict(list)
        rule_cols = defaultdict(list)
        self.labels = self.practice_labels = 0
        offset = 0
        for n in names:
            units, (c, _, _), (pair_p, practice_p) = documents[n], tables[n], scores[n]
            golds = [{PAIR_LABELS[j] for j in u["gold"]} for u in units]
            self.labels += sum(len(g) for g in golds)
            self.practice_labels += sum(len({p for p, _ in g}) for g in golds)
            row_of = {}
            practice_p_of = {(int(i), int(k)): float(p) for (i, k), p in zip(c.practice_index, practice_p)}
            if len(pair_p):
                top = c.pairs[:, A.PAIR_FEATURES.index("reader_top")] if POLARITY_BY == "reader" else \
                    np.zeros(len(pair_p))
                order = np.lexsort((-np.asarray(pair_p), -top, c.pair_of_practice))
                owners = c.pair_of_practice[order]
                hidden = A.unsupported_severe(c)
                for row in order[np.r_[True, owners[1:] != owners[:-1]]]:
                    if hidden[row]:
                        continue  # never shown, as arbiter.choose
                    unit, k, b = (int(v) for v in c.pair_index[row])
                    practice, polarity = A.PRACTICE_IDS[k], A.POLARITIES[b]
                    rules = units[unit]["rules"]
                    if practice in POLARITY_FROM_RULES and practice in rules:
                        polarity = rules[practice]
                    row_of[(unit, practice)] = len(cols["unit"])
                    cols["unit"].append(offset + unit)
                    cols["k"].append(k)
                    cols["capped"].append(practice not in A.UNCAPPED)
                    cols["practice_p"].append(practice_p[c.pair_of_practice[row]])
                    cols["pair_p"].append(pair_p[row])
                    cols["right"].append((practice, polarity) in golds[unit])
                    cols["practice_right"].append(practice in {p for p, _ in golds[unit]})
            for i, u in enumerate(units):
                for practice in sorted(SEVERE_FROM_RULES & set(u["rules"])):
                    rule_cols["owner"].append(row_of.get((i, practice), -1))
                    # no practice row: never admitted, as arbiter.severe_admitted (even at cut 0)
                    rule_cols["practice_p"].append(practice_p_of.get((i, A.PRACTICE_IDS.index(practice)), -1.0))
                    rule_cols["right"].append((practice, u["rules"][practice]) in golds[i])
                    rule_cols["practice_right"].append(practice in {p for p, _ in golds[i]})
            offset += len(units)
        self.unit = np.array(cols["unit"], dtype=np.int64)
        self.practice_p = np.array(cols["practice_p"], dtype=float)
        self.pair_p = np.array(cols["pair_p"], dtype=float)
        self.right = np.array(cols["right"], dtype=bool)
        self.practice_right = np.array(cols["practice_right"], dtype=bool)
        # rank order for the cap, as arbiter.choose: by unit, then the uncapped practices, then the likeliest
        # practice first, ties in taxonomy order
        self.order = np.lexsort((np.array(cols["k"], dtype=np.int64), -self.practice_p,
                                 np.array(cols["capped"], dtype=bool), self.unit))
        self.rule_owner = np.array(rule_cols["owner"], dtype=np.int64)
        self.rule_practice_p = np.array(rule_cols["practice_p"], dtype=float)
        self.rule_right = np.array(rule_cols["right"], dtype=bool)
        self.rule_practice_right = np.array(rule_cols["practice_right"], dtype=bool)

    def shown(self, practice_cut: float, pair_cut: float, cap: int) -> np.ndarray:
        shown = (self.practice_p >= practice_cut) & (self.pair_p >= pair_cut)
        if cap:
            passing = shown[self.order].astype(np.int64)
            units = self.unit[self.order]
            running = np.cumsum(passing)
            starts = np.r_[True, units[1:] != units[:-1]]
            before = np.maximum.accumulate(np.where(starts, running - passing, 0))
            keep = np.zeros_like(shown)
            keep[self.order] = (running - before) <= cap
            shown &= keep
        return shown

    def figures(self, cuts) -> dict:
        shown = self.shown(*cuts[:3])
        rules = self.rule_practice_p >= cuts[3]
        owned = self.rule_owner >= 0
        rules[owned] &= ~shown[self.rule_owner[owned]]
        return figures_of(int(shown.sum() + rules.sum()),
                          int(self.right[shown].sum() + self.rule_right[rules].sum()),
                          int(self.practice_right[shown].sum() + self.rule_practice_right[rules].sum()),
                          self.labels, self.practice_labels)


def margin(figures: dict) -> float:
    return min(figures[k] - v for k, v in FLOORS.items())


def choose_cuts(documents, tables, scores, names) -> tuple[float, float, int, float]:
    table = DecisionTable(documents, tables, scores, names)
    return max(((pc, qc, cap, sc) for pc in PRACTICE_CUTS for qc in PAIR_CUTS for cap in CAPS for sc in SEVERE_CUTS),
               key=lambda cuts: margin(table.figures(cuts)))


def inner_scores(tables, names, fold_of, short: bool = False) -> dict:
    """Scores of every document in `names` from ensembles trained on the other folds among `names` (and, with
    `short`, of the labelled ToS;DR passages of those folds, by the same ensembles)."""
    out = {}
    for g in sorted({fold_of[n] for n in names}):
        train = [n for n in names if fold_of[n] != g]
        scored = [n for n in names if fold_of[n] == g] + (SHORT_BY_FOLD.get(g, []) if short else [])
        out.update(ensemble_scores(fit_ensembles(tables, train), tables, scored))
    return out


def f1(figures: dict) -> float:
    p, r = figures["precision"], figures["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def choose_short_cuts(documents, tables, scores, names, cuts) -> tuple[float, float]:
    """(practice cut, pair cut) for short documents: the best F1 on the labelled passages `names`, with the cap and
    severe cut of `cuts` (chosen on whole policies)."""
    table = DecisionTable(documents, tables, scores, names)
    return max(((pc, qc) for pc in SHORT_PRACTICE_CUTS for qc in SHORT_PAIR_CUTS),
               key=lambda c: (f1(table.figures((*c, *cuts[2:4]))), c))


def tosdr_figures(examples_path: Path, oof_dir: Path, words_by_fold, outer, chosen) -> tuple[dict, dict]:
    """ToS;DR points of unseen services, read as the engine reads a short document: each point's units through the
    fold's reader, word model and ensembles, scored as `smallprint eval` scores points (evaluation.py); and each
    point's readings, [practice, polarity] surest first (scripts/tosdr_standard.py scores them against the guide)."""
    from smallprint.evaluation import _COUNT_KEYS, practice_metrics
    points, probs = tosdr_points(examples_path, oof_dir)
    counts = {k: defaultdict(int) for k in _COUNT_KEYS}
    read = {}
    for e in points:
        fold, gold, gold_polarity = int(e["fold"]), e["practice"], e["polarity"]
        units = [{"a": a, "b": b, "reader": p, "gold": set(), "rules": rule_practices(a)}
                 for (a, b), p in zip(e["units"], probs.get(str(e["point"]), ()))]
        found = []
        if units:
            table = candidates_of(units, words_probabilities(words_by_fold[fold], units))
            scores = ensemble_scores(outer[fold], {"point": table}, ["point"])["point"]
            found = [r for unit in readings(units, table, scores, chosen[fold]) for r in unit]
        tally_point(counts, gold, gold_polarity, found)
        read[str(e["point"])] = [[r[0], r[1]] for r in sorted(found, key=lambda r: -r[2])]
    return practice_metrics(counts), read


# -- key findings -----------------------------------------------------------------------------------------------

def key_finding_figures(documents, policies, shown_by_doc, names, min_confidence) -> dict:
    from smallprint.evaluation_sentences import key_finding_counts_of_readings, key_finding_summary
    counts = [key_finding_counts_of_readings(
        policies[n], [(u["a"], p, pol, conf, source != "rules" and u["rules"].get(p) == pol)
                      for u, found in zip(documents[n], shown_by_doc[n]) for p, pol, conf, source in found],
        min_confidence) for n in names]
    return key_finding_summary(counts)


# -- main -------------------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--examples", type=Path, required=True)
    parser.add_argument("--oof", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="write words.json.gz and arbiter.json.gz here")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--polarity-by", choices=("pair", "reader"), default="pair",
                        help="whose likeliest polarity a shown practice takes (the engine: the pair ensemble's)")
    parser.add_argument("--criterion", choices=("all", "shared"), default="shared",
                        help="whose labels the cut-offs are chosen on: all labelled policies, or only the shared "
                             "careful-reader ones (the standard the issue's floors are measured on)")
    parser.add_argument("--no-excerpts", dest="excerpts", action="store_false",
                        help="train the ensembles on whole policies only (before 2026-12-05)")
    parser.add_argument("--short-labels", action="store_true",
                        help="the ensembles also learn from the ToS;DR passages labelled under the guide "
                             "(scripts/tosdr_sentence_labels/; measured and not shipped, MODEL_CARD_reader.md)")
    parser.add_argument("--short-cuts", action="store_true",
                        help="measure cut-offs of their own for short documents, chosen on the labelled ToS;DR "
                             "passages (measured and not shipped: the engine has no short cut-offs, so not with --out)")
    parser.add_argument("--readings-out", type=Path,
                        help="pickle every labelled policy's held-out readings here ({name: [(sentence, rules, "
                             "shown)]}): key-finding variants can then be scored in seconds")
    parser.add_argument("--cache", type=Path, help="keep the out-of-fold word model readings here (experiments)")
    parser.add_argument("--reader", type=Path, default=ROOT / "daemon" / "smallprint" / "engine" / "models" / "reader",
                        help="the final reader, which reads the policies of scripts/arbiter_labels/ (never its own)")
    args = parser.parse_args(argv)
    if args.short_cuts and args.out:
        parser.error("--short-cuts is a measurement: the engine reads every document at the whole-policy cut-offs")
    if args.short_cuts and not args.short_labels:
        parser.error("--short-cuts needs the labelled ToS;DR passages (--short-labels)")
    global POLARITY_BY
    POLARITY_BY = args.polarity_by
    started = time.time()
    documents = load_documents(args.examples, args.oof)
    unseen = unseen_documents(args.data, args.reader)
    documents.update(unseen)
    policies, shared = labelled_policies(args.data)
    names = list(documents)
    judged = (lambda ns: [n for n in ns if n in shared]) if args.criterion == "shared" else (lambda ns: ns)
    fold_of = {n: documents[n][0]["fold"] for n in names}
    folds = sorted(set(fold_of.values()))
    log = lambda *a: print(f"[{time.time() - started:6.0f}s]", *a, file=sys.stderr, flush=True)  # noqa: E731

    # word model: out of fold (for the ensembles' training rows), then on everything (shipped)
    words, words_by_fold = {}, {}
    if args.cache and args.cache.is_file():
        cached_names, words, words_by_fold = pickle.loads(args.cache.read_bytes())
        if cached_names != names:  # another set of policies: start afresh
            words, words_by_fold = {}, {}
    for f in folds:
        if f in words_by_fold:
            continue
        train = [u for n in names if fold_of[n] != f for u in documents[n]]
        document = words_by_fold[f] = fit_words(*words_training(train))
        for n in names:
            if fold_of[n] == f:
                words[n] = words_probabilities(document, documents[n])
        log(f"word model, fold {f}")
    if args.cache:
        args.cache.write_bytes(pickle.dumps((names, words, words_by_fold)))
    tables = {n: candidates_of(documents[n], words[n]) for n in names}
    if args.excerpts:
        tables.update(excerpt_tables(documents, words))
        log(f"{len(tables) - len(names)} excerpts")
    FOLD_OF.clear()
    FOLD_OF.update(fold_of)
    SHORT_BY_FOLD.clear()
    short = {}
    if args.short_labels:
        short = short_documents(args.examples, args.oof, read_short_labels())
        for name, units in short.items():
            fold = units[0]["fold"]
            tables[name] = candidates_of(units, words_probabilities(words_by_fold[fold], units))
            SHORT_BY_FOLD.setdefault(fold, []).append(name)
        log(f"{len(short)} labelled ToS;DR passages ({sum(map(len, short.values()))} units)")
    everything = {**documents, **short}

    # held out: ensembles and cut-offs from the other folds only
    chosen, shown, outer = {}, {}, {}
    scores_heldout = {}
    for f in folds:
        train = [n for n in names if fold_of[n] != f]
        test = [n for n in names if fold_of[n] == f]
        inner = inner_scores(tables, train, fold_of, short=args.short_cuts)
        chosen[f] = choose_cuts(documents, tables, inner, judged(train))
        if args.short_cuts:
            chosen[f] = (*chosen[f], choose_short_cuts(everything, tables, inner, [
                d for g in sorted({fold_of[n] for n in train}) for d in SHORT_BY_FOLD.get(g, [])], chosen[f]))
        if f == folds[0]:  # the fast search must count exactly what the engine's decision rule shows
            table = DecisionTable(documents, tables, inner, train)
            for cuts in ((0.5, 0.25, 0, 0.0), (0.4, 0.0, 1, 0.1), (0.6, 0.35, 2, 0.3), (0.45, 0.2, 3, 0.05),
                         chosen[f]):
                if table.figures(cuts) != unit_counts(documents, tables, inner, train, cuts):
                    raise AssertionError(f"DecisionTable disagrees with readings() at {cuts}")
        outer[f] = fit_ensembles(tables, train)
        scores_heldout.update(ensemble_scores(outer[f], tables, test))
        scores_heldout.update(ensemble_scores(outer[f], tables, SHORT_BY_FOLD.get(f, [])))
        for n in test:
            # as the engine shows them: a sentence that only points elsewhere with no reading (reader.read_units).
            # The cut-off search above counts pointers' readings too (they are ~0.1% of what is shown).
            shown[n] = [[] if points_elsewhere(u["a"]) else found
                        for u, found in zip(documents[n], readings(documents[n], tables[n], scores_heldout[n],
                                                                   chosen[f]))]
        log(f"held-out fold {f}: cut-offs {chosen[f]}")
    if args.readings_out:
        args.readings_out.write_bytes(pickle.dumps(
            {"shared": sorted(shared), "readings": {n: [(u["a"], u["rules"], found) for u, found in
                                                        zip(documents[n], shown[n])] for n in names}}))
    per_policy = {n: score_policy(policies[n], [(u["a"], p, pol) for u, found in zip(documents[n], shown[n])
                                                for p, pol, *_ in found]) for n in names}
    figures = {"cutoffs_by_fold": {str(f): chosen[f] for f in folds},
               "sentences": summarize({n: v for n, v in per_policy.items() if n in shared}),
               "sentences_all_labelled": summarize(per_policy),
               # how far the shared figures could move with other policies of the same kind (resampled by policy)
               "sentences_interval": bootstrap_intervals({n: v for n, v in per_policy.items() if n in shared})}
    # the severe practices shown on the rules' word alone (held out, shared policies): how often they are right
    rules_only = [(r, {PAIR_LABELS[j] for j in u["gold"]}) for n in names if n in shared
                  for u, found in zip(documents[n], shown[n]) for r in found if r[3] == "rules"]
    figures["rules_only_severe"] = {
        "shown": len(rules_only), "right": sum((r[0], r[1]) in gold for r, gold in rules_only),
        "practice_right": sum(r[0] in {p for p, _ in gold} for r, gold in rules_only)}
    log("severe practices shown on the rules' word alone (shared):", figures["rules_only_severe"])
    for key in ("sentences", "sentences_all_labelled"):
        s = figures[key]
        log(key, {k: s[k] for k in ("policies", "highlights", "precision", "practice_precision", "recall",
                                    "practice_recall", "document_f1")})
    log("sentences, 95% interval by policy:", figures["sentences_interval"])
    if short:
        # the labelled ToS;DR passages, each scored by the ensembles of the fold that never saw its service, on
        # their guide labels (unit, practice, polarity), at the whole-policy cut-offs and at the short ones
        for key, which in (("short_passages", lambda c: c[:4]), ("short_passages_short_cuts", lambda c: c)):
            counts = [0] * 5
            for f in folds:
                for n in SHORT_BY_FOLD.get(f, []):
                    units = short[n]
                    for u, found in zip(units, readings(units, tables[n], scores_heldout[n], which(chosen[f]))):
                        gold = {PAIR_LABELS[j] for j in u["gold"]}
                        counts[0] += len(found)
                        counts[1] += sum((p, pol) in gold for p, pol, *_ in found)
                        counts[2] += sum(p in {q for q, _ in gold} for p, *_ in found)
                        counts[3] += len(gold)
                        counts[4] += len({q for q, _ in gold})
            figures[key] = figures_of(*counts)
            log(key, figures[key])
    figures["tosdr"], figures["tosdr_readings"] = tosdr_figures(args.examples, args.oof, words_by_fold, outer, chosen)
    log("tosdr", figures["tosdr"])
    # key findings at each cut-off: on the shared policies (reported), and on the project-labelled ones, where
    # key_findings.MIN_CONFIDENCE is chosen (the shared policies' figures never choose it)
    for key, which in (("key_findings", sorted(shared)), ("key_findings_tuning", sorted(set(names) - shared))):
        figures[key] = {str(m): key_finding_figures(documents, policies, shown, which, m) for m in KF_CUTS}
        log(key, {m: (v["precision"], v["concern_coverage"]) for m, v in figures[key].items()})
    tuning = figures["key_findings_tuning"]
    figures["key_findings_cut"] = max(KF_CUTS, key=lambda m: min(tuning[str(m)]["precision"] - KF_FLOORS[0],
                                                                 tuning[str(m)]["concern_coverage"] - KF_FLOORS[1]))
    log("key_findings.MIN_CONFIDENCE by the project-labelled policies:", figures["key_findings_cut"],
        "shared policies there:", figures["key_findings"][str(figures["key_findings_cut"])])

    if args.out:
        all_units = [u for n in names for u in documents[n]]
        document = fit_words(*words_training(all_units))
        final_cuts = choose_cuts(documents, tables, inner_scores(tables, names, fold_of), judged(names))
        pair, practice = fit_ensembles(tables, names)
        exported = {"format": A.FORMAT, "pair_features": list(A.PAIR_FEATURES),
                    "practice_features": list(A.PRACTICE_FEATURES),
                    "practice_cut": final_cuts[0], "pair_cut": final_cuts[1], "max_per_unit": final_cuts[2],
                    "severe_rules_cut": final_cuts[3],
                    "pair": A.export_ensemble(pair), "practice": A.export_ensemble(practice),
                    "trained": {"documents": len(names), "pair_rows": int(sum(len(tables[n][1]) for n in names)),
                                "practice_rows": int(sum(len(tables[n][2]) for n in names)),
                                "excerpts": sum(len(EXCERPTS.get(n, ())) for n in names),
                                "excerpt_pair_rows": int(sum(len(tables[e][1]) for n in names
                                                             for e in EXCERPTS.get(n, ()))),
                                "trees": TREES}}
        if SHORT_BY_FOLD:
            exported["trained"]["short_passages"] = sum(map(len, SHORT_BY_FOLD.values()))
            exported["trained"]["short_pair_rows"] = int(sum(len(tables[d][1]) for ds in SHORT_BY_FOLD.values()
                                                             for d in ds))
        # the exported trees must score exactly as scikit-learn does
        check = A.TreeEnsemble.from_dict(exported["pair"])
        sample = np.vstack([tables[n][0].pairs for n in names[:5]])
        assert np.allclose(check.probabilities(sample), pair.predict_proba(sample)[:, 1], atol=1e-9)
        args.out.mkdir(parents=True, exist_ok=True)
        from train_models import write_model
        write_model(document, args.out)
        payload = json.dumps(exported, sort_keys=True, separators=(",", ":")).encode()
        (args.out / A.ARBITER_FILE).write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
        figures["shipped_cutoffs"] = final_cuts
        log(f"wrote {args.out / 'words.json.gz'} and {args.out / A.ARBITER_FILE}; cut-offs {final_cuts}")
    figures["seconds"] = round(time.time() - started)
    text = json.dumps(figures, indent=1)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
