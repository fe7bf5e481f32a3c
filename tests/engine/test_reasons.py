"""Every highlight says why in one sentence a non-expert reads (engine/reasons.py), next to the explainer's record."""
from __future__ import annotations

import re

import pytest

from smallprint import analyze
from smallprint.engine.reasons import certainty, plain_reason

from tests.conftest import ROOT

JARGON = re.compile(r"Recognizer|p=\d|reader:|rules:|context:|_")


@pytest.mark.parametrize("explanation, practice, polarity, confidence, expected", [
    ('reader: tracking neutral, 82% sure; rules: TrackingRecognizer/trackers: "advertising id"; context: collect, '
     "device (rules read concern)", "tracking", "neutral", 0.82,
     "smallprint's trained reader reads this as about tracking, informative (fairly sure); the words "
     "“advertising id” alone would suggest against you."),
    ('reader: ai_training concern, 91% sure; rules: AiTrainingRecognizer/train_models: "train our machine '
     'learning"; context: content', "ai_training", "concern", 0.91,
     "smallprint's trained reader reads this as about AI training, against you (very sure); the words “train our "
     "machine learning” point the same way."),
    ("reader: private_content neutral, 41% sure", "private_content", "neutral", 0.41,
     "smallprint's trained reader reads this as about private content, informative (unsure)."),
    ('reader: sale_of_data, 55% sure, with another polarity; rules: SaleOfDataRecognizer/sell_data: "sell your '
     'personal"; context: data; concern: for this practice the rules decide the polarity', "sale_of_data", "concern",
     0.55, "smallprint's trained reader reads this as about sale of data (not fully sure); the words “sell your "
     "personal” show it is against you."),
    ('rules: BiometricRecognizer/face: "face recognition"; shown although the reader is unsure of it: a severe '
     "practice", "biometric", "concern", 0.35,
     "It mentions “face recognition”: biometric data is serious enough to show although smallprint's trained "
     "reader is unsure of it."),
    ('SaleOfDataRecognizer/sell_data: "sell your personal"; context: information; negated by \'not\'',
     "sale_of_data", "protective", 0.9, "It says “sell your personal”, with “not” turning it round: sale of data, "
     "in your favour."),
    ("model: practice classifier p=0.66", "tracking", "neutral", 0.53,
     "Its wording is typical of clauses about tracking (not fully sure)."),
])
def test_each_form_of_explanation_reads_plainly(explanation, practice, polarity, confidence, expected):
    assert plain_reason(explanation, practice, polarity, confidence) == expected


def test_certainty_words_cover_every_confidence():
    assert [certainty(c) for c in (0.0, 0.44, 0.45, 0.65, 0.85, 1.0)] == [
        "unsure", "unsure", "not fully sure", "fairly sure", "very sure", "very sure"]


@pytest.mark.parametrize("depth", ["full", "quick"])
def test_every_highlight_of_the_example_has_a_reason_without_jargon(depth):
    policy = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    highlights = analyze(text=policy, depth=depth).to_dict()["highlights"]
    assert highlights
    for h in highlights:
        assert h["reason"] and h["explanation"] and not JARGON.search(h["reason"].replace("smallprint's", "")), h


# Rule matches longer than an explanation quotes (CUE_CHARS), from couchsurfing's and logitech's policies: their
# "why" line quoted "…third par", "…any applic", "…around the worl".
LONG_CUES = ("We may link or combine with other information we get from third parties to help understand your "
             "needs.\n\n"
             "We may disclose information if we believe that disclosure is reasonably necessary to comply with any "
             "applicable law, regulation, legal process or governmental request.\n\n"
             "Your personal data may be transferred or accessed by Logitech entities around the world, including "
             "in the United States.")


def _quotes(text: str) -> list[str]:
    return re.findall(r"“([^”]+)”", text)


def test_a_quoted_cue_is_whole_words_or_says_where_it_was_cut():
    highlights = analyze(text=LONG_CUES, depth="quick").highlights
    words = set(re.findall(r"\w+", LONG_CUES.lower()))
    cut = 0
    for h in highlights:
        cue = re.search(r'Recognizer/[\w-]+: "([^"]+)"', h.explanation)
        for quote in ([cue.group(1)] if cue else []) + _quotes(h.reason):
            cut += quote.endswith("…")
            last = re.findall(r"\w+", quote)[-1]
            assert last.lower() in words, (quote, h.reason)  # never the first letters of a word
    assert cut >= 2  # the long matches were cut, and say so


@pytest.mark.parametrize("text, limit, expected", [
    ("we get from third parties", 22, "we get from third…"),
    ("we get from third parties", 18, "we get from third…"),
    ("we get from third, parties", 19, "we get from third…"),
    ("short enough", 60, "short enough"),
    ("a" * 30, 10, "a" * 9 + "…"),
    ("we don't sell data", 8, "we…"),  # not "we don'…"
    ("we sell third-party data", 15, "we sell…"),  # not "we sell third-…"
])
def test_clip_words(text, limit, expected):
    from smallprint.clip import clip_words

    assert clip_words(text, limit) == expected and len(clip_words(text, limit)) <= limit
