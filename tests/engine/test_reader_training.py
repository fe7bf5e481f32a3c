"""scripts/train_reader.py's targets: what each kind of example teaches (the training itself needs torch, the `train`
extra, and runs outside CI; `batch_targets` is plain numpy, so what every mode trains on is checked here)."""
from __future__ import annotations

import sys

import numpy as np

from smallprint.engine.reader_input import PAIR_INDEX, PAIR_LABELS
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from train_reader import OTHER_PRACTICE_WEIGHT, batch_targets  # noqa: E402

N_PAIRS, N_OPP = len(PAIR_LABELS), 10
MASK = [PAIR_INDEX[("retention", p)] for p in ("concern", "protective", "neutral")]
EXAMPLES = [
    {"source": "sentences", "mask": "all", "pairs": [PAIR_INDEX[("location", "concern")]]},
    {"source": "tosdr", "mask": MASK, "pairs": [PAIR_INDEX[("retention", "protective")]],
     "other_weight": OTHER_PRACTICE_WEIGHT},
    {"source": "tosdr", "mask": "all", "pairs": [], "weight": 0.5},  # a point whose case is no data practice
    {"source": "opp115", "opp": [2, 5]},
]


def test_a_tosdr_point_teaches_its_cases_polarity_by_default():
    pair_y, pair_m, opp_y, opp_m, rows, cols, weights = batch_targets(EXAMPLES, N_PAIRS, N_OPP)
    assert pair_y[1].sum() == 1 and pair_y[1, PAIR_INDEX[("retention", "protective")]] == 1
    assert np.allclose(pair_m[1, MASK], 1.0)
    others = np.delete(pair_m[1], MASK)
    assert np.allclose(others, OTHER_PRACTICE_WEIGHT)
    assert len(rows) == len(cols) == len(weights) == 0
    # sentences: every pair, weight 1; a null point: every pair a weak negative; a segment: the OPP head only
    assert np.allclose(pair_m[0], 1.0) and pair_y[0, PAIR_INDEX[("location", "concern")]] == 1
    assert np.allclose(pair_m[2], 0.5) and pair_y[2].sum() == 0
    assert pair_m[3].sum() == 0 and np.allclose(opp_m[3], 1.0) and opp_y[3, [2, 5]].tolist() == [1, 1]
    assert opp_m[:3].sum() == 0


def test_with_practice_a_tosdr_point_teaches_only_its_practice():
    default = batch_targets(EXAMPLES, N_PAIRS, N_OPP)
    pair_y, pair_m, opp_y, opp_m, rows, cols, weights = batch_targets(EXAMPLES, N_PAIRS, N_OPP, "practice")
    # no per-polarity target on the practice's three outputs; the others stay weak negatives
    assert pair_m[1, MASK].sum() == 0 and pair_y[1].sum() == 0
    assert np.allclose(np.delete(pair_m[1], MASK), OTHER_PRACTICE_WEIGHT)
    assert rows.tolist() == [1] and cols.tolist() == [MASK] and weights.tolist() == [1.0]
    # every other example as by default
    for mine, theirs in zip((pair_y, pair_m, opp_y, opp_m), default[:4]):
        assert np.array_equal(np.delete(mine, 1, axis=0), np.delete(theirs, 1, axis=0))
