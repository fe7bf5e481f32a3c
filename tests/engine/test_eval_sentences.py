"""Highlights scored against sentence labels exactly as policy-sentences/README.md defines it: a hand-counted
policy, whitespace-insensitive placement, pooled counts, and `smallprint eval --sentences` end to end."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from smallprint.evaluation_sentences import TextLocator, evaluate_sentences, load_policies, score_policy

TEXT = ("Privacy Policy\n\nWe sell your data to brokers. We do not train AI on your messages.\n\n"
        "You can delete your account.")
SENTENCES = [(0, 14), (16, 45), (46, 82), (84, 112)]
LABELS = {1: [("sale_of_data", "concern")], 2: [("ai_training", "protective"), ("private_content", "protective")],
          3: [("user_rights", "protective")]}


def write_policy(folder, name="tiny-2026", labels=LABELS, suffix=".labels.jsonl"):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_text(TEXT, encoding="utf-8")
    (folder / f"{name}.sentences.jsonl").write_text("".join(
        json.dumps({"sid": i, "start": s, "end": e, "text": TEXT[s:e]}) + "\n" for i, (s, e) in enumerate(SENTENCES)))
    (folder / f"{name}{suffix}").write_text("".join(
        json.dumps({"sid": sid, "labels": [{"practice": p, "polarity": q} for p, q in pairs]}) + "\n"
        for sid, pairs in labels.items()))
    return folder


def test_counts_by_hand(tmp_path):
    (policy,) = load_policies(write_policy(tmp_path / "p"))
    shown = [
        ("We  sell your\ndata to brokers.", "sale_of_data", "concern"),        # right (whitespace differs)
        ("We do not train AI on your messages.", "ai_training", "concern"),   # practice right, polarity wrong
        ("Privacy Policy", "policy_change", "neutral"),                        # a heading: wrong
        ("no such text anywhere", "tracking", "neutral"),                      # cannot be placed: wrong
    ]
    counts, f1 = score_policy(policy, shown)
    assert (counts.highlights, counts.correct, counts.practice_correct, counts.unplaced) == (4, 1, 2, 1)
    assert (counts.labels, counts.covered) == (4, 1)
    assert (counts.practice_labels, counts.practice_covered) == (4, 2)
    # shown pairs {sale c, ai c, policy_change n, tracking n} vs labelled {sale c, ai p, private p, rights p}
    assert f1 == pytest.approx(2 * (1 / 4) * (1 / 4) / (1 / 4 + 1 / 4))


def test_a_highlight_spanning_two_sentences_counts_for_both(tmp_path):
    (policy,) = load_policies(write_policy(tmp_path / "p"))
    counts, _ = score_policy(policy, [(TEXT[16:82], "ai_training", "protective")])
    assert counts.correct == 1 and counts.covered == 1


def test_the_locator_ignores_whitespace_and_markup():
    locator = TextLocator("Hello,   **world**.\nWe share data.")
    assert locator.locate("world. We share") == (11, 28)
    assert locator.locate("   ") is None


def test_the_locator_skips_markup_a_labelled_text_kept():
    text = "Write to [[email protected]](https://x.example/l#ab) today. Data<br><br>Location data."
    locator = TextLocator(text)
    assert locator.locate("Write to [email protected] today.") == (0, text.index(" Data") - 1)
    assert locator.locate("Location data.") == (text.index("Location"), len(text) - 1)


def test_the_locator_keeps_positions_past_a_letter_that_lowercases_to_two():
    text = "İstanbul office. We sell data."  # "İ".lower() is "i" plus a combining dot
    locator = TextLocator(text)
    assert locator.locate("We sell data") == (text.index("We"), len(text) - 1)
    assert TextLocator(text).locate("istanbul office") == (0, text.index("."))


def test_evaluate_pools_counts_over_policies(tmp_path):
    folder = write_policy(tmp_path / "p")
    write_policy(folder, name="other-2026", labels={1: [("sale_of_data", "concern")]})
    result = evaluate_sentences(folder, lambda text: [(text[16:45], "sale_of_data", "concern")])
    assert result["policies"] == 2 and result["highlights"] == 2 and result["labels"] == 5
    assert result["precision"] == 1.0 and result["recall"] == pytest.approx(2 / 5)


def test_cli_eval_sentences_end_to_end(tmp_path):
    folder = write_policy(tmp_path / "p")
    write_policy(folder, suffix=".labels.b.jsonl")  # a second reader who agrees completely
    out = subprocess.run([sys.executable, "-m", "smallprint", "eval", "--sentences", str(folder), "--json"],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)["sentences"]
    assert result["policies"] == 1 and result["depth"] == "full"
    assert {"precision", "practice_precision", "recall", "practice_recall", "document_f1"} <= set(result)
    assert result["highlights"] >= 2 and result["practice_precision"] >= 0.5
    assert result["two_readers"]["tiny-2026"]["precision"] == 1.0
    table = subprocess.run([sys.executable, "-m", "smallprint", "eval", "--sentences", str(folder), "--depth", "quick"],
                           capture_output=True, text=True, check=True).stdout
    assert "Highlights vs careful readers' sentence labels" in table and "depth quick" in table


def test_cli_eval_sentences_refuses_a_folder_without_sentences(tmp_path):
    out = subprocess.run([sys.executable, "-m", "smallprint", "eval", "--sentences", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "--sentences" in out.stderr and "Traceback" not in out.stderr


def test_bootstrap_intervals_resample_whole_policies():
    from smallprint.evaluation_sentences import Counts, bootstrap_intervals
    good = Counts(highlights=10, correct=9, practice_correct=10, labels=10, covered=9, practice_labels=10,
                  practice_covered=10)
    poor = Counts(highlights=10, correct=3, practice_correct=6, labels=10, covered=3, practice_labels=10,
                  practice_covered=6)
    # one policy: nothing to resample, the interval is the figure itself
    assert bootstrap_intervals({"a": (good, 1.0)}, rounds=50)["precision"] == (0.9, 0.9)
    both = {"a": (good, 1.0), "b": (poor, 0.5)}
    intervals = bootstrap_intervals(both, rounds=400)
    assert intervals == bootstrap_intervals(both, rounds=400)  # seeded: a report is repeatable
    # whole policies resampled: a resample is both "good", both "poor" or one of each (precision 0.9, 0.3 or 0.6),
    # and with two policies each end is reached in a quarter of the rounds; resampling single highlights instead
    # would give values between them
    assert intervals["precision"] == (0.3, 0.9)
    assert intervals["practice_recall"] == (0.6, 1.0)
    assert bootstrap_intervals({}) == {}


def test_only_the_full_depth_is_said_to_have_seen_the_policies(tmp_path, monkeypatch):
    # the quick depth runs no reader, so a policy the reader learnt from is not in-sample for it
    from smallprint import evaluation
    folder = write_policy(tmp_path / "p")
    monkeypatch.setattr(evaluation, "_policies_seen_in_training", lambda folder: ["tiny-2026"])
    assert "note" not in evaluation.evaluate_sentences(folder, depth="quick")
    assert "not held-out accuracy" in evaluation.evaluate_sentences(folder, depth="full")["note"]


def test_the_table_counts_one_policy_in_the_singular():
    from smallprint.evaluation import format_table

    figures = dict(precision=1.0, practice_precision=1.0, recall=1.0, practice_recall=1.0, document_f1=1.0)
    one = format_table({"sentences": {"policies": 1, "labels": 1, "highlights": 1, "depth": "quick", **figures},
                        "detection": {"pages": 1, "tp": 1, "fp": 0, "fn": 0, "tn": 0, "precision": 1.0,
                                      "recall": 1.0, "f1": 1.0, "per_kind": {}, "misclassified": [],
                                      "borderline": []}})
    assert "(1 policy, 1 label, 1 highlight, depth quick)" in one
    assert "everything else, 1 page)" in one
    two = format_table({"sentences": {"policies": 2, "labels": 5, "highlights": 0, "depth": "full", **figures}})
    assert "(2 policies, 5 labels, 0 highlights, depth full)" in two
