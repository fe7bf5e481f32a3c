"""The project's own labels. Sentence labels (scripts/reader_labels/, scripts/arbiter_labels/): every row names a
sentence of its policy and a practice and polarity of the taxonomy, at most one polarity per practice, and no policy
is in both folders (the second thoughts must never learn from a policy the reader learnt from as if it were unseen).
ToS;DR points read under the guide (scripts/tosdr_guide_labels/): the drawn sample, the figures its README quotes."""
from __future__ import annotations

import json
import sys

import pytest

from smallprint.taxonomy import POLARITIES, PRACTICE_IDS

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from train_reader import more_policy_text  # noqa: E402

FOLDERS = [ROOT / "scripts" / "reader_labels", ROOT / "scripts" / "arbiter_labels"]
# the labels learnt from, and the second readings kept for agreement (NAME.labels.b.jsonl)
FILES = sorted(p for folder in FOLDERS for pattern in ("*.labels.jsonl", "*.labels.b.jsonl")
               for p in folder.glob(pattern))


def test_no_policy_is_in_both_folders():
    reader, arbiter = ({p.name for p in folder.glob("*.labels.jsonl")} for folder in FOLDERS)
    assert reader and len(arbiter) >= 12 and not reader & arbiter


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_labels_name_sentences_of_their_policy(shared_data, path):
    text, sentences = more_policy_text((shared_data / "policies-more" / f"{path.name.split('.')[0]}.md")
                                       .read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows
    for row in rows:
        assert 0 <= row["sid"] < len(sentences)
        practices = [label["practice"] for label in row["labels"]]
        assert set(practices) <= set(PRACTICE_IDS) and len(practices) == len(set(practices))
        assert {label["polarity"] for label in row["labels"]} <= set(POLARITIES)


def test_second_readings_agree_as_the_label_folders_say(shared_data):
    """scripts/label_agreement.py, whose figures the folders' READMEs and the model card quote."""
    from label_agreement import agreement
    found = agreement(shared_data)
    assert {"reader_labels/fedex", "arbiter_labels/paradox-interactive", "arbiter_labels/teads",
            "arbiter_labels/frank"} <= set(found)
    readme = (ROOT / "scripts" / "arbiter_labels" / "README.md").read_text(encoding="utf-8")
    for name, figures in found.items():
        if name.startswith("arbiter_labels/"):
            row = f"| {name.split('/')[1]} " + "".join(
                f"| {figures[k]:.3f} " for k in ("precision", "practice_precision", "recall", "practice_recall"))
            plain = readme.replace(" (2026-12-05, second session)", "").replace(" (eighth session)", "")
            assert row in plain, row


def test_a_second_readers_key_findings_score_as_the_readme_says(shared_data):
    """scripts/label_agreement.py's key-finding agreement, which README.md quotes beside the engine's held-out key
    findings as the scale of issue #12's floors."""
    from label_agreement import key_finding_agreement
    found = key_finding_agreement(shared_data)
    b_read, a_read = found["B read, A as labels"], found["A read, B as labels"]
    assert b_read["policies"] == a_read["policies"] == 15
    assert b_read["most_in_one_policy"] <= 12 and a_read["most_in_one_policy"] <= 12
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (f"reaches precision {b_read['precision']:.3f} and {a_read['precision']:.3f} (the two directions) and "
            f"coverage {b_read['concern_coverage']:.3f} and {a_read['concern_coverage']:.3f} on the "
            f"{b_read['policies']} policies two readers labelled independently, {b_read['key_findings']} key findings "
            f"each way") in readme


def test_tosdr_guide_labels_are_the_drawn_sample_and_agree_as_their_readme_says(shared_data):
    """scripts/tosdr_standard.py: two blind readings of 200 ToS;DR points under the guide; its README's table."""
    from tosdr_standard import LABELS, READERS, read_labels, sample_ids, standard
    drawn = sample_ids(shared_data)
    for name in READERS:
        assert list(read_labels(LABELS / f"{name}.jsonl")) == drawn
    found = standard(shared_data)
    readme = (LABELS / "README.md").read_text(encoding="utf-8")
    a, b = found["reader-a"], found["reader-b"]
    assert f"| {a['states_the_practice']} / 200 | {b['states_the_practice']} / 200 |" in readme
    assert f"| {a['polarity_as_tosdr']:.3f} | {b['polarity_as_tosdr']:.3f} |" in readme
    assert f"| {a['tosdr_precision']:.3f} | {b['tosdr_precision']:.3f} |" in readme
    assert f"| {a['macro_recall']:.3f} / {a['macro_precision']:.3f} | {b['macro_recall']:.3f} / " \
           f"{b['macro_precision']:.3f} |" in readme
    ab = found["reader-b_against_reader-a"]
    assert f"polarity agreement on the point's practice {ab['polarity_agreement']:.3f}" in readme
    assert f"precision\n{ab['precision']:.3f} and recall {ab['recall']:.3f}" in readme
    assert f"practice precision {ab['practice_precision']:.3f} and practice recall {ab['practice_recall']:.3f}" \
           in readme


def test_a_tosdr_guide_label_with_an_unknown_practice_is_refused(tmp_path):
    from tosdr_standard import read_labels
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "1", "labels": [{"practice": "telepathy", "polarity": "concern"}]}\n')
    with pytest.raises(ValueError, match="unknown practice"):
        read_labels(path)


def test_tosdr_readings_that_miss_a_sampled_point_are_refused(shared_data):
    from tosdr_standard import standard
    with pytest.raises(ValueError, match="no readings of 200 sampled points"):
        standard(shared_data, {})


def test_tosdr_sentence_labels_cover_every_point_but_the_standard_sample_on_the_units_the_engine_reads(shared_data):
    """scripts/tosdr_sentence_labels/: every ToS;DR point with a practice and a readable unit, but the 200 of the
    standard sample (a measure, never trained on), labelled unit by unit on exactly the units the engine reads (a
    row's digests); the counts and second readings its README quotes."""
    from label_agreement import short_agreement
    from tosdr_standard import points, sample_ids
    from train_arbiter import REREAD_SINCE_LABELLED, SHORT_LABELS, read_short_labels, unit_digest
    from smallprint.engine.blocks import to_blocks
    from smallprint.engine.reader_input import pair_text, reading_units
    labels = read_short_labels()
    units_of = {pid: [pair_text(u)[0] for u in reading_units(to_blocks(text=row["text"])) if u.readable]
                for pid, row in points(shared_data).items() if " ".join(str(row.get("text") or "").split())}
    readable = {pid for pid, units in units_of.items() if units}
    assert REREAD_SINCE_LABELLED <= set(labels)
    assert set(labels) - REREAD_SINCE_LABELLED == readable - set(sample_ids(shared_data)) - REREAD_SINCE_LABELLED
    for pid, row in labels.items():
        now = [unit_digest(u) for u in units_of.get(pid, [])]
        # a point read differently since it was labelled is named as such, and only such a point
        assert (row["digests"] != now) == (pid in REREAD_SINCE_LABELLED), pid
    readme = (SHORT_LABELS / "README.md").read_text(encoding="utf-8")
    n_units = sum(len(r["digests"]) for r in labels.values())
    n_labels = sum(len(u) for r in labels.values() for u in r["labels"])
    assert f"**{len(labels):,} passages, {n_units:,} units, {n_labels:,} labels**" in readme
    found = short_agreement()
    assert set(found) == {"tosdr_sentence_labels/batch-1", "tosdr_sentence_labels/batch-4"}
    for name, f in found.items():
        row = f"| {name.split('/')[1]} " + "".join(
            f"| {f[k]:.3f} " for k in ("precision", "practice_precision", "recall", "practice_recall"))
        assert f"{row}| {f['labels_a']} / {f['labels_b']} |" in readme, row
