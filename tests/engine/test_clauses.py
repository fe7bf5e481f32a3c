"""Clause reading: which practices a clause yields once recognizers, arbitration and suppression have spoken."""
from __future__ import annotations

import pytest

from smallprint.engine.blocks import blocks_from_text
from smallprint.engine.clauses import find_highlights, read_clause


@pytest.mark.parametrize("sentence, practices", [
    # a more specific reading takes the sentence over
    ("We use advertising cookies and web beacons to track you across websites.", {"tracking"}),
    ("You can opt out of marketing e-mails at any time.", {"user_choice"}),
    ("If we are acquired, your data may be transferred to the buyer.", {"business_transfer"}),
    ("We log your IP address and browser type.", set()),
    ("We use your IP address to determine your approximate location.", {"location"}),
    ("If we learn that we have collected personal information from a child under 13, we will delete it promptly.",
     {"children"}),
    # several practices in one clause stay when each is stated
    ("We share your precise location with advertising partners.", {"location", "third_party_sharing"}),
    ("We do not sell or share your personal information with third parties.", {"sale_of_data", "third_party_sharing"}),
    # boilerplate keeps only a security concern
    ("To the fullest extent permitted by law, we disclaim all warranties and are not liable for any unauthorized "
     "access to your data.", {"security"}),
    ("These terms are governed by the laws of Ireland and disputes go to binding arbitration.", set()),
])
def test_practices_of_a_clause(sentence, practices):
    assert set(read_clause(sentence)) == practices


def test_repeated_lines_read_alike():
    line = "How we may disclose it: To our contracted service providers and to our related companies."
    blocks = blocks_from_text("\n\n".join([line] * 5))
    highlights = find_highlights(blocks, use_model=False)
    per_block = {}
    for h in highlights:
        per_block.setdefault(h.block, []).append((h.start, h.end, h.practice, h.polarity, h.summary))
    assert len(per_block) == 5 and len({tuple(v) for v in per_block.values()}) == 1


def test_model_readings_say_so_and_rules_readings_name_their_pattern():
    blocks = blocks_from_text("We do not sell your personal information.\n\n"
                              "Certain data is handled by outside firms that help us run the site.")
    for h in find_highlights(blocks):
        assert h.explanation.startswith("model: ") or "Recognizer/" in h.explanation


def test_model_floor_below_the_confirming_probability_changes_nothing(monkeypatch):
    """Probabilities under MODEL_CONFIRMS decide nothing: asking the model down to 0.05 reads the same."""
    from pathlib import Path

    from smallprint.engine import clauses

    example = Path(clauses.__file__).resolve().parents[1] / "examples" / "example-privacy-policy.md"
    blocks = blocks_from_text(example.read_text(encoding="utf-8") + "\n\nSome data may be handled by outside firms."
                              "\n\nWe might keep a record of your visits to other sites for a while.")
    ours = find_highlights(blocks)
    monkeypatch.setattr(clauses, "MODEL_FLOOR", 0.05)
    assert find_highlights(blocks) == ours
    assert clauses.MODEL_FLOOR < clauses.MODEL_CONFIRMS < clauses.MODEL_THRESHOLD


@pytest.mark.parametrize("sentence, practice, expected", [
    # the model may name a policy change only where a document (or a notice) is named
    ("You can change your cookie settings at any time.", "policy_change", False),
    ("The organization may modify this contract at any time.", "policy_change", True),
    # rights stated with the verbs people use: remove, change, terminate, be permitted to export
    ("You have the ability to remove User Content which you have posted on our forums.", "user_rights", True),
    ("If your personal data is inaccurate, you can change the information you provided in your dashboard.",
     "user_rights", True),
    ("You may terminate your account at any time on the account page.", "user_rights", True),
])
def test_practice_read_in_a_whole_analysis(sentence, practice, expected):
    found = {h.practice for h in find_highlights(blocks_from_text(sentence))}
    assert (practice in found) == expected


def test_suppression_does_not_depend_on_registration_order():
    """A reading that another takes over is dropped whatever order the recognizers were registered in: with the
    chain advertising <- user_rights <- policy_change, deleting as we went kept advertising in one order only."""
    from smallprint.engine.clauses import _Finder, _lower
    from smallprint.engine.recognizers import default_registry
    from smallprint.engine.recognizers.registry import _CLASSES, Registry

    sentence = ("You may request us to inform you about the data we hold, to request changes to it, or to object to "
                "processing of personal data for marketing purposes.")
    forward, backward = _Finder(), _Finder()
    default_registry()
    backward.registry = Registry(list(reversed(_CLASSES)))
    low = _lower(sentence)
    found = set(forward.sentence_hits(low)[0])
    assert found == set(backward.sentence_hits(low)[0])
    assert "advertising" not in found and "policy_change" in found
