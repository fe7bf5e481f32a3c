"""The evaluation gate: the engine's accuracy on the shared dev data may not fall below pinned floors.

The floors sit a little under what was measured when they were pinned, so noise passes and a real regression
fails. They only mean something for the data they were measured on, hence the digest: when ../shared/data
changes, this gate fails until someone re-measures (`smallprint eval`) and re-pins floors and digest here,
deliberately.
"""
from __future__ import annotations

import pytest

from smallprint import evaluation

# sha256 (smallprint.evaluation.digest) of opp115/segments.jsonl, tosdr/points.jsonl, policies/, negatives/ and
# policy-sentences/.
DATA_DIGEST = "bd202191525925e33dc4b8c464c043ba92a894cfcfb71d93a12675b12396c38d"

# (depth, part, metric) -> floor. Measured on the data above at pinning time: see the comment on each line.
# Both depths are gated: quick (the rules and linear models, the first paint) and full (the learned reader, the
# default). The trained parts learnt from much of this data, so these floors guard the run-time path (blocks,
# tokenizer, model file, cut-offs, polarity); held-out figures are in MODEL_CARD_reader.md and the README.
FLOORS = {
    ("quick", "detection", "f1"): 0.97,                 # measured 1.000 (45 policies, 24 negatives)
    ("quick", "detection", "recall"): 0.97,             # measured 1.000
    # the shipped segments model learnt from these dev rows: test_the_segments_recipe_generalises_from_train_to_dev
    # below guards generalisation
    ("quick", "opp115", "micro_f1"): 0.95,              # measured 0.997 (20 dev policies, 647 segments)
    ("quick", "opp115", "macro_f1"): 0.95,              # measured 0.994
    ("quick", "practices", "macro_recall"): 0.83,       # measured 0.853 (all 2,182 mapped points)
    ("quick", "practices", "macro_precision"): 0.735,   # measured 0.758
    ("quick", "practices", "polarity_accuracy"): 0.86,  # measured 0.871 (0.882 before legal disclosure and service providers read neutral; floored at 0.845 when 0.864)
    ("quick", "sentences", "precision"): 0.38,          # measured 0.434 (28 policies, 5,317 labels; 0.393 before 2026-12-07)
    ("quick", "sentences", "practice_precision"): 0.64,  # measured 0.698
    ("quick", "sentences", "recall"): 0.30,             # measured 0.325
    ("quick", "sentences", "practice_recall"): 0.50,    # measured 0.524
    ("full", "detection", "f1"): 0.97,                  # measured 1.000
    ("full", "detection", "recall"): 0.97,              # measured 1.000
    ("full", "opp115", "micro_f1"): 0.95,               # measured 0.984 (head + segments model; both learnt them)
    ("full", "opp115", "macro_f1"): 0.95,               # measured 0.979
    # with the second thoughts (arbiter.py), learnt from whole policies, ToS;DR's one-sentence points read a little
    # worse (held out: MODEL_CARD_reader.md); re-pinned 2026-12-04
    ("full", "practices", "macro_recall"): 0.77,        # measured 0.779 (was 0.846 before the second thoughts)
    ("full", "practices", "macro_precision"): 0.70,     # measured 0.717
    ("full", "practices", "polarity_accuracy"): 0.71,   # measured 0.731 (0.798 before the seventh session, 0.767
    #                                                     before the eighth)
    # re-pinned 2026-12-05 (eighth session: second thoughts retrained on 140 project-labelled policies, 117 of them
    # in scripts/arbiter_labels and 71 new, so the 28 weigh less in what they learnt and in-sample figures fall while held-out ones rise); held-out
    # figures are in MODEL_CARD_reader.md. Measured again in the ninth session, after the reader began reading one
    # unit per run and the second thoughts were retrained on its readings (floors unchanged).
    ("full", "sentences", "precision"): 0.87,           # measured 0.890 (was 0.929; held out: 0.652)
    ("full", "sentences", "practice_precision"): 0.90,  # measured 0.922 (was 0.941; held out: 0.808)
    ("full", "sentences", "recall"): 0.85,              # measured 0.864 (was 0.901; held out: 0.551)
    ("full", "sentences", "practice_recall"): 0.88,     # measured 0.891 (was 0.913; held out: 0.681)
}

pytestmark = pytest.mark.slow


def _data_paths(shared_data):
    return [shared_data / "opp115" / "segments.jsonl", shared_data / "tosdr" / "points.jsonl",
            shared_data / "policies", shared_data / "negatives", shared_data / "policy-sentences"]


_MEASURED: dict = {}


@pytest.fixture(scope="module")
def measure(shared_data):
    found = evaluation.digest(_data_paths(shared_data))
    if found != DATA_DIGEST:
        pytest.fail(f"the shared evaluation data changed (digest {found[:12]}, floors pinned for {DATA_DIGEST[:12]}):"
                    " re-measure with `smallprint eval` and re-pin FLOORS and DATA_DIGEST in this file",
                    pytrace=False)

    def at(depth: str) -> dict:
        if depth not in _MEASURED:
            _MEASURED[depth] = evaluation.evaluate_defaults(shared_data, depth=depth)
        return _MEASURED[depth]
    return at


@pytest.fixture(scope="module")
def measured(measure):
    return measure("full")


@pytest.mark.parametrize("depth, part, metric", sorted(FLOORS), ids=lambda v: str(v))
def test_metric_stays_above_its_floor(measure, depth, part, metric):
    value = measure(depth)[part][metric]
    floor = FLOORS[(depth, part, metric)]
    assert value >= floor, f"{depth} {part} {metric} fell to {value:.3f}, below its pinned floor {floor:.3f}"


@pytest.mark.parametrize("depth", ["quick", "full"])
def test_no_real_policy_is_missed(measure, depth):
    missed = [row["file"] for row in measure(depth)["detection"]["misclassified"] if row["expected"] == "privacy_policy"]
    assert not missed, f"policies not recognised: {missed}"


# In-sample (the reader and its second thoughts learnt from these policies): guards the run-time path of the key
# findings. Held out (README): precision 0.733, concern coverage 0.738.
KEY_FINDING_FLOORS = {"precision": 0.89, "concern_coverage": 0.84}  # measured 0.911 / 0.866 (324 key findings;
#                                                                     0.969 / 0.853 before the eighth session)


def test_key_findings_are_few_and_stay_above_their_floors(measured):
    key = measured["sentences"]["key_findings"]
    assert key["policies"] == 28 and 0 < key["most_in_one_policy"] <= 12
    for metric, floor in KEY_FINDING_FLOORS.items():
        assert key[metric] >= floor, f"key findings {metric} fell to {key[metric]:.3f}, below {floor}"


def test_the_result_has_the_documented_shape(measured):
    assert set(measured) >= {"detection", "opp115", "practices", "sentences"}
    assert {"precision", "recall", "f1", "misclassified", "borderline"} <= set(measured["detection"])
    assert len(measured["opp115"]["per_category"]) == 10
    assert {"macro_recall", "macro_precision", "polarity_accuracy", "per_practice"} <= set(measured["practices"])
    assert {"precision", "practice_precision", "recall", "practice_recall", "document_f1"} <= set(measured["sentences"])


def test_eval_says_when_the_reader_has_seen_the_policies(measured):
    assert len(measured["sentences"]["policies_seen_in_training"]) == 28
    assert "not held-out accuracy" in measured["sentences"]["note"]
    assert "NOTE: the shipped reader was trained on 28" in evaluation.format_table(measured)


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


def test_eval_says_when_the_segments_model_has_seen_the_rows(measure, shared_data, tmp_path):
    import json

    measured = measure("quick")
    # the shared dev rows were learnt from: the figure is flagged, not passed off as accuracy
    assert measured["opp115"]["rows_seen_in_training"] == measured["opp115"]["rows"]
    assert "not held-out accuracy" in measured["opp115"]["note"]
    assert "NOTE: the shipped segments model was trained on" in evaluation.format_table(measured)
    # rows of a split the model never learnt from (the held-out test policies) carry no such note
    rows = [json.loads(line) for line in (shared_data / "opp115" / "segments.jsonl").open(encoding="utf-8")]
    held_out = tmp_path / "test.jsonl"
    held_out.write_text("".join(json.dumps({**r, "split": "test"}) + "\n" for r in rows[:40]), encoding="utf-8")
    result = evaluation.evaluate_opp115(held_out, depth="quick")
    assert "note" not in result and "rows_seen_in_training" not in result
    # the reader learnt from every OPP-115 row, whatever its split: the full depth says so even on "test" rows
    result = evaluation.evaluate_opp115(held_out)
    assert result["rows_seen_in_training"] == 40 and "reader" in result["note"]
