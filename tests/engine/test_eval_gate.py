"""The evaluation gate: the engine's accuracy on the shared dev data may not fall below pinned floors.

The floors sit a little under what was measured when they were pinned, so noise passes and a real regression
fails. They only mean something for the data they were measured on, hence the digest: when ../shared/data
changes, this gate fails until someone re-measures (`smallprint eval`) and re-pins floors and digest here,
deliberately.
"""
from __future__ import annotations

import pytest

from smallprint import evaluation

# sha256 (smallprint.evaluation.digest) of opp115/segments.jsonl, tosdr/points.jsonl, policies/, negatives/.
DATA_DIGEST = "6c74eadf80fa446afa061bae721e6f880be546295c270c9a7e1bc09c2c15b20b"

# (part, metric) -> floor. Measured on the data above at pinning time: see the comment on each line.
FLOORS = {
    ("detection", "f1"): 0.97,                 # measured 1.000 (45 policies, 24 negatives)
    ("detection", "recall"): 0.97,             # measured 1.000
    # the shipped segments model learnt from these dev rows: this floor guards the run-time path (blocks, scoring,
    # cut-offs); test_the_segments_recipe_generalises_from_train_to_dev below guards generalisation
    ("opp115", "micro_f1"): 0.95,              # measured 0.997 (20 dev policies, 647 segments)
    ("opp115", "macro_f1"): 0.95,              # measured 0.994
    ("practices", "macro_recall"): 0.83,       # measured 0.858 (all 2,182 mapped points)
    ("practices", "macro_precision"): 0.735,   # measured 0.758
    ("practices", "polarity_accuracy"): 0.86,   # measured 0.881 (was floored at 0.845 when 0.864)
}

pytestmark = pytest.mark.slow


def _data_paths(shared_data):
    return [shared_data / "opp115" / "segments.jsonl", shared_data / "tosdr" / "points.jsonl",
            shared_data / "policies", shared_data / "negatives"]


@pytest.fixture(scope="module")
def measured(shared_data):
    found = evaluation.digest(_data_paths(shared_data))
    if found != DATA_DIGEST:
        pytest.fail(f"the shared evaluation data changed (digest {found[:12]}, floors pinned for {DATA_DIGEST[:12]}):"
                    " re-measure with `smallprint eval` and re-pin FLOORS and DATA_DIGEST in this file",
                    pytrace=False)
    return evaluation.evaluate_defaults(shared_data)


@pytest.mark.parametrize("part, metric", sorted(FLOORS), ids=lambda v: str(v))
def test_metric_stays_above_its_floor(measured, part, metric):
    value = measured[part][metric]
    floor = FLOORS[(part, metric)]
    assert value >= floor, f"{part} {metric} fell to {value:.3f}, below its pinned floor {floor:.3f}"


def test_no_real_policy_is_missed(measured):
    missed = [row["file"] for row in measured["detection"]["misclassified"] if row["expected"] == "privacy_policy"]
    assert not missed, f"policies not recognised: {missed}"


def test_the_result_has_the_documented_shape(measured):
    assert set(measured) >= {"detection", "opp115", "practices"}
    assert {"precision", "recall", "f1", "misclassified", "borderline"} <= set(measured["detection"])
    assert len(measured["opp115"]["per_category"]) == 10
    assert {"macro_recall", "macro_precision", "polarity_accuracy", "per_practice"} <= set(measured["practices"])


# The shipped segments model learnt from the dev policies too (every labelled policy helps on unseen ones), so its
# dev figure above guards the run-time path, not generalisation. This guards the recipe: fitted on the train
# policies alone by scripts/train_models.py's own code, it must keep its accuracy on the dev policies.
RECIPE_FLOORS = {"micro_f1": 0.775, "macro_f1": 0.765}  # measured 0.787 / 0.782 (train 75 -> dev 20 policies)


def test_the_segments_recipe_generalises_from_train_to_dev(shared_data):
    import numpy as np

    from tests.engine._trainer import trainer

    train_models = trainer()
    rows = train_models.read_jsonl(shared_data / "opp115" / "segments.jsonl")
    rows.sort(key=lambda r: (r["policy_id"], r["segment_id"]))
    train = [r for r in rows if r["split"] == "train"]
    dev = [r for r in rows if r["split"] == "dev"]
    vec, models, cuts, _, _ = train_models.fit_segment_model(train, train_models.segment_augmentation(shared_data))
    scores = train_models.predict_segments(vec, models, [r["text"] for r in dev], [r["policy_id"] for r in dev])
    micro, macro, _ = train_models.f1_table(train_models.segment_labels(dev), scores >= np.array(cuts))
    assert micro >= RECIPE_FLOORS["micro_f1"], f"train -> dev micro-F1 fell to {micro:.3f}"
    assert macro >= RECIPE_FLOORS["macro_f1"], f"train -> dev macro-F1 fell to {macro:.3f}"


def test_eval_says_when_the_segments_model_has_seen_the_rows(measured, shared_data, tmp_path):
    import json

    # the shared dev rows were learnt from: the figure is flagged, not passed off as accuracy
    assert measured["opp115"]["rows_seen_in_training"] == measured["opp115"]["rows"]
    assert "not held-out accuracy" in measured["opp115"]["note"]
    assert "NOTE: the shipped segments model was trained on" in evaluation.format_table(measured)
    # rows of a split the model never learnt from (the held-out test policies) carry no such note
    rows = [json.loads(line) for line in (shared_data / "opp115" / "segments.jsonl").open(encoding="utf-8")]
    held_out = tmp_path / "test.jsonl"
    held_out.write_text("".join(json.dumps({**r, "split": "test"}) + "\n" for r in rows[:40]), encoding="utf-8")
    result = evaluation.evaluate_opp115(held_out)
    assert "note" not in result and "rows_seen_in_training" not in result
