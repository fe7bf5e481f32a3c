"""The reader's second thoughts: which of its readings a careful reader would agree with.

The fine-tuned reader (reader.py) scores every (practice, polarity) pair of a sentence on its own. Whether a reading
should be *shown* depends on more than that score: what a second, differently built reader says of the sentence
(a linear model over its words, `models/reader/words.json.gz`), what the rules read in it, what the sentences around
it say, and how the whole policy reads that practice. Two small gradient-boosted tree ensembles
(`models/reader/arbiter.json.gz`, trained by `scripts/train_arbiter.py` on the readings of policies each
fold model had never seen, so that they learn how far to trust readings of unseen text) weigh those signals:

- the *practice* ensemble: how likely a careful reader labels this practice on this sentence at all;
- the *pair* ensemble: how likely they label it with this polarity.

A practice is shown where the practice ensemble reaches its cut-off and the pair ensemble's best polarity reaches
its own (at most `max_per_unit` practices per sentence, the likeliest, severe ones never dropped for commoner
ones); the highlight carries the pair ensemble's probability as its confidence (a calibrated chance of being
right, which the key findings and the grade build on). The cut-offs and the figures they give on held-out policies
are in MODEL_CARD_reader.md.

`candidate_features` is the one function that turns readings into the ensembles' inputs, at training and at run
time alike. numpy only (onnxruntime's own dependency); the trees are evaluated here, without scikit-learn.
"""
from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..taxonomy import POLARITIES, PRACTICE_IDS

FORMAT = "smallprint-arbiter/1"
ARBITER_FILE = "arbiter.json.gz"
WORDS_FILE = "words.json.gz"
N_PRACTICES = len(PRACTICE_IDS)
# A (practice, polarity) pair is a candidate where either reader gives it at least this much, or the rules read it:
# below both, careful readers almost never label it (and leaving such pairs out keeps the tables small).
READER_FLOOR = 0.02
WORDS_FLOOR = 0.1
# The reader's probability at which a practice counts as read in the policy-level features (its old cut-off).
DOCUMENT_CUT = 0.4
# The word model reads the sentence and the last few words of its context (the heading or the lead-in).
CONTEXT_WORDS = 8

PAIR_FEATURES = (
    "reader_p", "reader_sum", "reader_max", "reader_top", "words_p", "words_sum", "words_max", "words_top",
    "reader_logp", "words_logp", "rules_read", "rules_same_polarity",
    "log_words", "reader_others", "words_others", "reader_prev", "reader_next", "reader_prev_max",
    "reader_next_max", "document_share", "document_max", "words_document_max", "position", "has_context",
    "ends_with_colon",
    *(f"practice={p}" for p in PRACTICE_IDS), *(f"polarity={p}" for p in POLARITIES))
_OWN = 12  # the first 12 pair features depend on the polarity; the rest are shared by a practice's three pairs
PRACTICE_FEATURES = (*(f"{name}[{pol}]" for pol in POLARITIES for name in PAIR_FEATURES[:_OWN]),
                     *PAIR_FEATURES[_OWN:_OWN + 13], *(f"practice={p}" for p in PRACTICE_IDS))


def words_text(sentence: str, context: str) -> str:
    """What the word model reads of a unit: the sentence and the end of its context (training and run time)."""
    tail = context.split()[-CONTEXT_WORDS:]
    return f"{sentence} {' '.join(tail)}" if tail else sentence


# Practices the cap on practices per sentence never drops for a commoner one: missing "we train AI on your photos"
# or "we sell your data" is the worst miss this product can make (reader.SEVERE_FROM_RULES is this set).
UNCAPPED = frozenset({"ai_training", "biometric", "sale_of_data"})
_UNCAPPED_K = sorted(PRACTICE_IDS.index(p) for p in UNCAPPED)
# ... and never shown on a sentence that neither the reader (at least this sure) nor the rules read as that
# practice: the trees weigh the neighbours and the whole policy, and after "we may train AI on your data" they read
# AI training into "we may collect your face geometry to verify your identity" (test_cli_history caught it; the
# reader gives it 0.055, the AI-training words being in its context). Held out on the project-labelled policies
# (not the shared 28), severe readings the rules did not make were right 7 times of 19 where the reader gave the
# practice under 0.1 (3 of 11 under 0.05, which did not stop this one), against 0.68 for all severe readings
# (2026-12-05, eighth session; chosen before the shared 28 were measured with it).
SEVERE_READER_FLOOR = 0.1

# Units are turned into feature rows this many at a time: a hostile page can hold 200,000 units (the same line
# repeated), and a unit's full feature table is ~12 KB.
CHUNK = 1024


@dataclass(frozen=True)
class Candidates:
    """The candidate pairs of a stretch of a document and the ensembles' inputs. Rows of `pairs` are (unit,
    practice, polarity) triples `pair_index` (unit: its index in the document); rows of `practices` are (unit,
    practice) `practice_index`; `pair_of_practice` maps each pair row to its practice row."""
    pair_index: object  # int array, rows x 3
    pairs: object  # float array, rows x len(PAIR_FEATURES)
    practice_index: object  # int array, rows x 2
    practices: object  # float array, rows x len(PRACTICE_FEATURES)
    pair_of_practice: object  # int array, one per pair row


@dataclass(frozen=True)
class PolicyView:
    """What the features need of a whole document, held once: each distinct (sentence, context) pair's readings
    (`reader_rows`, `words_rows`: distinct x 63) and which one each unit is (`row_of`), the rules' readings, and
    the per-practice figures of the whole policy."""
    reader_rows: object
    words_rows: object
    row_of: object  # int array, one per unit
    rules: object  # bool, units x 21 x 3: the rules read this practice with this polarity
    rules_read: object  # bool, units x 21
    reader_max: object  # units x 21: the reader's likeliest polarity's probability, per practice
    share: object  # 21: the share of units where the reader reads the practice (>= DOCUMENT_CUT)
    reader_top: object  # 21: the reader's highest probability for the practice anywhere in the policy
    words_top: object  # 21: the word model's
    sentences: Sequence[str]
    contexts: Sequence[str]

    @property
    def units(self) -> int:
        return len(self.sentences)


def policy_view(reader_rows, words_rows, row_of, rule_polarities: Sequence[Mapping[str, str]],
                sentences: Sequence[str], contexts: Sequence[str]) -> PolicyView:
    """`reader_rows`/`words_rows`: the 63 probabilities of each distinct (sentence, context) pair; `row_of[i]`: the
    pair of unit i (in reading order); `rule_polarities[i]`: the rules' {practice: polarity} of unit i."""
    import numpy as np

    n = len(sentences)
    reader_rows = np.asarray(reader_rows, dtype=np.float64).reshape(-1, N_PRACTICES, 3)
    words_rows = np.asarray(words_rows, dtype=np.float64).reshape(-1, N_PRACTICES, 3)
    row_of = np.asarray(row_of, dtype=np.int64).reshape(n)
    rules = np.zeros((n, N_PRACTICES, 3), dtype=bool)
    rules_read = np.zeros((n, N_PRACTICES), dtype=bool)
    practice_at = {p: k for k, p in enumerate(PRACTICE_IDS)}
    polarity_at = {p: b for b, p in enumerate(POLARITIES)}
    for i, readings in enumerate(rule_polarities):
        for practice, polarity in readings.items():
            k = practice_at.get(practice)
            if k is not None:
                rules_read[i, k] = True
                if polarity in polarity_at:
                    rules[i, k, polarity_at[polarity]] = True
    reader_max = reader_rows.max(2)[row_of] if n else np.zeros((0, N_PRACTICES))
    words_max = words_rows.max(2)[row_of] if n else np.zeros((0, N_PRACTICES))
    empty = np.zeros(N_PRACTICES)
    return PolicyView(reader_rows, words_rows, row_of, rules, rules_read, reader_max,
                      (reader_max >= DOCUMENT_CUT).mean(0) if n else empty, reader_max.max(0) if n else empty,
                      words_max.max(0) if n else empty, sentences, contexts)


def candidate_features(view: PolicyView, start: int = 0, stop: int | None = None) -> Candidates:
    """The ensembles' inputs for units start..stop of a document (all of them by default)."""
    import numpy as np

    n = view.units
    stop = n if stop is None else min(stop, n)
    m = max(0, stop - start)
    reader = view.reader_rows[view.row_of[start:stop]]
    words = view.words_rows[view.row_of[start:stop]]
    rules = view.rules[start:stop]
    reader_max, words_max = reader.max(2), words.max(2)
    zeros = np.zeros((1, N_PRACTICES, 3))
    before = view.reader_rows[view.row_of[start - 1:start]] if start > 0 else zeros
    after = view.reader_rows[view.row_of[stop:stop + 1]] if stop < n else zeros
    prev = np.concatenate([before, reader[:-1]]) if m else reader
    nxt = np.concatenate([reader[1:], after]) if m else reader
    shape = (m, N_PRACTICES, 3)

    def per_unit(values):  # (m,) -> (m, 21, 3)
        return np.broadcast_to(np.asarray(values, dtype=np.float64)[:, None, None], shape)

    def per_practice(values):  # (m, 21) -> (m, 21, 3)
        return np.broadcast_to(values[:, :, None], shape)

    def per_policy(values):  # (21,) -> (m, 21, 3)
        return np.broadcast_to(values[None, :, None], shape)

    sentences = view.sentences[start:stop]
    columns = [
        reader, per_practice(reader.sum(2)), per_practice(reader_max),
        (reader == reader_max[:, :, None]).astype(np.float64),
        words, per_practice(words.sum(2)), per_practice(words_max),
        (words == words_max[:, :, None]).astype(np.float64),
        np.log(reader + 1e-4), np.log(words + 1e-4),
        per_practice(view.rules_read[start:stop].astype(np.float64)), rules.astype(np.float64),
        per_unit([math.log(len(s.split()) + 1) for s in sentences]),
        per_practice(view.reader_max[start:stop].sum(1, keepdims=True) - reader_max),
        per_practice(words_max.sum(1, keepdims=True) - words_max),
        prev, nxt, per_practice(prev.max(2)), per_practice(nxt.max(2)),
        per_policy(view.share), per_policy(view.reader_top), per_policy(view.words_top),
        per_unit([i / n for i in range(start, stop)]),
        per_unit([float(bool(c)) for c in view.contexts[start:stop]]),
        per_unit([float(s.rstrip().endswith(":")) for s in sentences]),
    ]
    table = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=-1)  # m x 21 x 3 x 25
    candidate = (reader >= READER_FLOOR) | (words >= WORDS_FLOOR) | rules
    units, practices, polarities = np.nonzero(candidate)
    pair_index = np.stack([units + start, practices, polarities], axis=1)
    pairs = np.concatenate([table[units, practices, polarities],
                            np.eye(N_PRACTICES)[practices], np.eye(3)[polarities]], axis=1) if len(units) else \
        np.zeros((0, len(PAIR_FEATURES)))
    # practice rows: one per (unit, practice) with a candidate pair, in the pairs' order
    keys = units * N_PRACTICES + practices
    _, first, pair_of_practice = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    pair_of_practice = rank[pair_of_practice.reshape(-1)]
    pu, pk = units[first[order]], practices[first[order]]
    practice_index = np.stack([pu + start, pk], axis=1)
    own = table[pu, pk, :, :_OWN].reshape(len(pu), 3 * _OWN)
    shared = table[pu, pk, 0, _OWN:]
    practice_rows = np.concatenate([own, shared, np.eye(N_PRACTICES)[pk]], axis=1) if len(pu) else \
        np.zeros((0, len(PRACTICE_FEATURES)))
    return Candidates(pair_index, pairs, practice_index, practice_rows, pair_of_practice)


_READER_MAX, _RULES_READ = PAIR_FEATURES.index("reader_max"), PAIR_FEATURES.index("rules_read")


def unsupported_severe(candidates: Candidates):
    """Per pair row, whether it is a severe practice that neither the reader (SEVERE_READER_FLOOR) nor the rules
    read in its sentence: never shown (`choose`, and the trainer's search alike)."""
    import numpy as np
    pairs = np.asarray(candidates.pairs)
    if not len(pairs):
        return np.zeros(0, dtype=bool)
    return np.isin(np.asarray(candidates.pair_index)[:, 1], _UNCAPPED_K) \
        & (pairs[:, _READER_MAX] < SEVERE_READER_FLOOR) & (pairs[:, _RULES_READ] == 0)


@dataclass(frozen=True)
class TreeEnsemble:
    """A binary gradient-boosted tree ensemble (scikit-learn's HistGradientBoostingClassifier, exported): all
    trees' nodes in flat arrays, evaluated level by level for every row and tree at once."""
    baseline: float
    roots: object
    feature: object
    threshold: object
    left: object
    right: object
    leaf: object
    value: object
    depth: int

    @classmethod
    def from_dict(cls, data: Mapping) -> "TreeEnsemble":
        import numpy as np
        feature, threshold, left, right, leaf, value, roots = [], [], [], [], [], [], []
        for tree in data["trees"]:
            offset = len(feature)
            roots.append(offset)
            feature += tree["feature"]
            threshold += tree["threshold"]
            left += [offset + i for i in tree["left"]]
            right += [offset + i for i in tree["right"]]
            leaf += tree["leaf"]
            value += tree["value"]
        return cls(float(data["baseline"]), np.array(roots, dtype=np.int64), np.array(feature, dtype=np.int64),
                   np.array(threshold, dtype=np.float64), np.array(left, dtype=np.int64),
                   np.array(right, dtype=np.int64), np.array(leaf, dtype=bool), np.array(value, dtype=np.float64),
                   int(data["depth"]))

    def probabilities(self, rows):
        import numpy as np
        rows = np.asarray(rows, dtype=np.float64)
        if not len(rows):
            return np.zeros(0)
        node = np.repeat(self.roots[:, None], len(rows), axis=1)  # trees x rows
        row = np.arange(len(rows))[None, :]
        for _ in range(self.depth):
            go_left = rows[row, self.feature[node]] <= self.threshold[node]
            node = np.where(self.leaf[node], node, np.where(go_left, self.left[node], self.right[node]))
        score = self.baseline + self.value[node].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-score))


@dataclass(frozen=True)
class Arbiter:
    pair: TreeEnsemble
    practice: TreeEnsemble
    practice_cut: float
    pair_cut: float
    # At most this many practices shown per sentence, the likeliest first (0: no cap); chosen with the cut-offs.
    max_per_unit: int = 0
    # A severe practice (UNCAPPED) that only the rules read is shown where the practice ensemble gives it at least
    # this much (0: wherever the rules read it); chosen with the cut-offs. The rules explain; they do not overrule
    # the reader, so how far their word alone counts is learnt like every other cut-off.
    severe_rules_cut: float = 0.0

    def read(self, view: PolicyView) -> list[list[tuple[str, str, float]]]:
        """Per unit, the shown (practice, polarity, confidence) readings, one polarity per practice (`choose` at the
        file's cut-offs), CHUNK units at a time (bounded memory whatever the page)."""
        return self.read_with_admitted(view)[0]

    def read_with_admitted(self, view: PolicyView) -> tuple[list[list[tuple[str, str, float]]], list[frozenset]]:
        """`read`, and per unit the severe practices whose reading by the rules alone may be shown
        (`severe_admitted` at `severe_rules_cut`)."""
        out: list[list[tuple[str, str, float]]] = []
        admitted: list[frozenset] = []
        for start in range(0, view.units, CHUNK):
            stop = min(view.units, start + CHUNK)
            candidates = candidate_features(view, start, stop)  # no rows: both ensembles and `choose` give none
            practice_p = self.practice.probabilities(candidates.practices)
            out.extend(choose(candidates, self.pair.probabilities(candidates.pairs), practice_p, stop - start,
                              self.practice_cut, self.pair_cut, start=start, max_per_unit=self.max_per_unit))
            admitted.extend(severe_admitted(candidates, practice_p, stop - start, self.severe_rules_cut, start))
        return out, admitted


def choose(candidates: Candidates, pair_p, practice_p, units: int, practice_cut: float, pair_cut: float,
           polarity_by: str = "pair", start: int = 0, max_per_unit: int = 0) -> list[list[tuple[str, str, float]]]:
    """The decision rule, given both ensembles' probabilities (the trainer calls it with its own), for the units
    start..start+units that `candidates` cover: a practice is shown where the practice ensemble reaches
    `practice_cut` and its likeliest polarity reaches `pair_cut`; where more than `max_per_unit` (if not 0) of a
    unit's practices pass, only the likeliest (by the practice ensemble, ties in taxonomy order) are shown, the
    practices of UNCAPPED always among them."""
    import numpy as np
    out: list[list[tuple[str, str, float]]] = [[] for _ in range(units)]
    if not len(pair_p):
        return out
    # The polarity of each (unit, practice): the pair ensemble's likeliest (polarity_by="pair", the engine's), or
    # the reader's likeliest where that is a candidate ("reader"). On held-out policies the ensemble's choice gave
    # precision 0.609 and recall 0.540 against the reader's 0.600 and 0.521 (51 policies; MODEL_CARD_reader.md).
    top = candidates.pairs[:, PAIR_FEATURES.index("reader_top")] if polarity_by == "reader" else \
        np.zeros(len(pair_p))
    order = np.lexsort((-np.asarray(pair_p), -top, candidates.pair_of_practice))
    owners = candidates.pair_of_practice[order]
    first = order[np.r_[True, owners[1:] != owners[:-1]]]
    passing: list[list[tuple[bool, float, int, int]]] = [[] for _ in range(units)]  # (capped, -p, k, row)
    hidden = unsupported_severe(candidates)
    for row in first:
        owner = candidates.pair_of_practice[row]
        if practice_p[owner] >= practice_cut and pair_p[row] >= pair_cut and not hidden[row]:
            unit, k = (int(v) for v in candidates.pair_index[row][:2])
            passing[unit - start].append((PRACTICE_IDS[k] not in UNCAPPED, -float(practice_p[owner]), k, int(row)))
    for unit, rows in enumerate(passing):
        if max_per_unit and len(rows) > max_per_unit:
            rows = sorted(rows)[:max_per_unit]
        for _, _, k, row in sorted(rows, key=lambda r: r[2]):
            out[unit].append((PRACTICE_IDS[k], POLARITIES[int(candidates.pair_index[row][2])], float(pair_p[row])))
    return out


def severe_admitted(candidates: Candidates, practice_p, units: int, cut: float, start: int = 0
                    ) -> list[frozenset]:
    """Per unit start..start+units, the UNCAPPED practices that the practice ensemble gives at least `cut`: those a
    reading by the rules alone may show (reader.with_severe_rules). Every practice the rules read with one of the
    three polarities is a candidate (`candidate_features`), so at cut 0 that is every severe practice they read."""
    import numpy as np
    out: list[set] = [set() for _ in range(units)]
    index = np.asarray(candidates.practice_index).reshape(-1, 2)
    keep = np.isin(index[:, 1], _UNCAPPED_K) & (np.asarray(practice_p) >= cut)
    for unit, k in index[keep]:
        out[int(unit) - start].add(PRACTICE_IDS[int(k)])
    return [frozenset(s) for s in out]


def _cap(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"max_per_unit must be a whole number >= 0, not {value!r}")
    return value


def _probability(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"severe_rules_cut must be a number from 0 to 1, not {value!r}")
    return float(value)


def load_arbiter(folder: Path) -> Arbiter:
    """The ensembles and cut-offs in `folder`; ValueError when the file is missing or not one."""
    path = Path(folder) / ARBITER_FILE
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, ValueError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file")
    if tuple(data.get("pair_features", ())) != PAIR_FEATURES or \
            tuple(data.get("practice_features", ())) != PRACTICE_FEATURES:
        raise ValueError(f"{path} was trained on other features; rebuild it (scripts/train_arbiter.py)")
    try:
        return Arbiter(TreeEnsemble.from_dict(data["pair"]), TreeEnsemble.from_dict(data["practice"]),
                       float(data["practice_cut"]), float(data["pair_cut"]), _cap(data.get("max_per_unit", 0)),
                       _probability(data.get("severe_rules_cut", 0.0)))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"{path}: malformed arbiter file ({exc})") from exc


def export_ensemble(model) -> dict:
    """A fitted binary HistGradientBoostingClassifier as the dict `TreeEnsemble.from_dict` reads (trainer only)."""
    trees = []
    depth = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({"feature": [int(v) for v in nodes["feature_idx"]],
                      "threshold": [float(v) for v in nodes["num_threshold"]],
                      "left": [int(v) for v in nodes["left"]], "right": [int(v) for v in nodes["right"]],
                      "leaf": [int(v) for v in nodes["is_leaf"]], "value": [float(v) for v in nodes["value"]]})
        depth = max(depth, int(nodes["depth"].max()))
    return {"baseline": float(model._baseline_prediction.ravel()[0]), "depth": depth, "trees": trees}
