"""Finding 1 of issue 13: invisible characters and look-alike letters cannot hide a clause, and highlights still
land on the page's own characters."""
from __future__ import annotations

import re
import unicodedata

import pytest

from smallprint import analyze
from smallprint.engine.visible import CONFUSABLES, fold

SOFT_HYPHEN, ZERO_WIDTH_SPACE, WORD_JOINER, BYTE_ORDER_MARK = "\u00ad", "\u200b", "\u2060", "\ufeff"
INVISIBLES = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440"}


def hide_in_long_words(text: str, hidden: str) -> str:
    """The attack of the finding: an invisible character inside every word of six letters or more."""
    return re.sub(r"[A-Za-z]{6,}", lambda m: m.group()[:3] + hidden + m.group()[3:], text)


def with_look_alikes(text: str) -> str:
    return re.sub(r"[A-Za-z]{5,}", lambda m: "".join(CYRILLIC.get(c, c) for c in m.group()), text)


@pytest.mark.parametrize("text, folded", [
    ("pri\u00advacy po\u200blicy", "privacy policy"),
    ("bio\u2060metric\ufeff data", "biometric data"),
    ("\u0455\u0435ll your data", "sell your data"),              # Cyrillic dze and ie
    ("\ufb01nger\u00a0prints", "fingerprints"[:6] + " prints"),  # ligature fi, no-break space
    ("\uff53\uff45\uff4c\uff4c", "sell"),                          # full-width letters
])
def test_fold_reads_what_a_reader_sees_and_maps_back(text, folded):
    result = fold(text)
    assert result.text == folded
    for position, char in enumerate(result.text):
        original = text[result.original(position)]
        assert original == char or CONFUSABLES.get(original) == char or char in unicodedata.normalize("NFKC", original)


@pytest.mark.parametrize("text", ["Мы не продаём ваши данные.", "Η πολιτική απορρήτου", "plain ASCII text",
                                  "caf\u00e9 na\u00efve \u201cquoted\u201d \u2014 dash"])
def test_fold_leaves_real_words_and_ordinary_punctuation_alone(text):
    assert fold(text).text == text


def test_a_clause_with_hidden_characters_is_read_on_the_page_own_characters():
    sent = "We may s\u00adell your per\u200bsonal infor\u2060mation to data brokers."
    analysis = analyze(blocks=[{"id": "b0", "text": sent}], depth="quick")
    [highlight] = [h for h in analysis.highlights if h.practice == "sale_of_data"]
    assert highlight.text == sent[highlight.start:highlight.end]
    assert INVISIBLES.sub("", highlight.text) == "We may sell your personal information to data brokers."
    assert analysis.blocks[0].text == sent  # the page's own text is what the result gives back


@pytest.fixture(scope="module")
def chatgpt_policy(shared_data) -> str:
    [path] = sorted((shared_data / "policies" / "chatgpt").glob("*.md"))[-1:]
    return path.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("depth", ["quick", "full"])
@pytest.mark.parametrize("disguise", [
    lambda t: hide_in_long_words(t, SOFT_HYPHEN), lambda t: hide_in_long_words(t, ZERO_WIDTH_SPACE),
    lambda t: hide_in_long_words(t, WORD_JOINER + BYTE_ORDER_MARK), with_look_alikes,
], ids=["soft-hyphen", "zero-width-space", "word-joiner-and-bom", "cyrillic-look-alikes"])
def test_a_real_policy_reads_the_same_with_invisible_characters(chatgpt_policy, depth, disguise):
    plain = analyze(text=chatgpt_policy, depth=depth)
    disguised_text = disguise(chatgpt_policy)
    assert disguised_text != chatgpt_policy
    disguised = analyze(text=disguised_text, depth=depth)
    assert disguised.grade.letter == plain.grade.letter
    assert abs(len(disguised.highlights) - len(plain.highlights)) <= 0.05 * len(plain.highlights)
    blocks = {b.id: b.text for b in disguised.blocks}
    for highlight in disguised.highlights:
        assert highlight.text == blocks[highlight.block][highlight.start:highlight.end]
    # Each highlight covers the same words as without the disguise (the disguise removed or folded).
    undisguise = {v: k for k, v in CYRILLIC.items()}
    seen = {(h.practice, "".join(undisguise.get(c, c) for c in INVISIBLES.sub("", h.text)))
            for h in disguised.highlights}
    # (the policy as published already carries a few word joiners of its own)
    assert seen == {(h.practice, INVISIBLES.sub("", h.text)) for h in plain.highlights}
