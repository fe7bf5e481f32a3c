"""Bad input gives a result or a clear ValueError, never a hang, a crash or a RecursionError.

No timing assertions here (speed lives in scripts/bench_engine.py); pytest-timeout bounds a hang."""
from __future__ import annotations

import pytest

from smallprint import analyze
from smallprint.engine.blocks import MAX_INPUT_CHARS


@pytest.mark.parametrize("kwargs", [
    {"text": ""}, {"text": "   \n\t  \n"}, {"html": ""}, {"html": "<html><body></body></html>"}, {"blocks": []},
    {"blocks": [{"id": "a", "text": ""}]},
])
def test_empty_input_gives_an_empty_analysis(kwargs):
    analysis = analyze(**kwargs)
    assert analysis.highlights == () and analysis.practices == ()
    assert analysis.grade.letter is None and analysis.grade.withheld  # nothing to read: no grade
    analysis.to_dict()


@pytest.mark.parametrize("kwargs", [
    {"text": "We do not sell\x00 your personal information.\x00\x00"},
    {"html": "<p>We do not sell\x00 your personal information.</p>"},
    {"blocks": [{"id": "a", "text": "We do not sell your personal information.\x00"}]},
])
def test_nul_bytes(kwargs):
    analysis = analyze(**kwargs)
    assert [h.practice for h in analysis.highlights] == ["sale_of_data"]


@pytest.mark.parametrize("kwargs", [
    {"text": "We may sell your personal information \ud800 to partners. \udfff"},
    {"html": "<p>We may sell your personal information \udc00 to partners.</p>"},
    {"blocks": [{"id": "\ud800", "text": "We may sell your personal information \ud800 to partners."}]},
])
def test_lone_surrogates(kwargs):
    analysis = analyze(**kwargs)
    assert "sale_of_data" in {h.practice for h in analysis.highlights}
    assert len(analysis.content_hash) == 64


def test_twenty_megabytes_is_refused_clearly():
    with pytest.raises(ValueError, match="larger than"):
        analyze(text="We may sell your data. " * (20_000_000 // 23))
    with pytest.raises(ValueError, match="larger than"):
        analyze(blocks=[{"id": str(i), "text": "x" * 1_000_000} for i in range(MAX_INPUT_CHARS // 1_000_000 + 1)])


def test_html_nested_ten_thousand_levels():
    html = "<div>" * 10_000 + "<p>We may sell your personal information.</p>" + "</div>" * 10_000
    assert [h.practice for h in analyze(html=html, depth="quick").highlights] == ["sale_of_data"]
    assert "sale_of_data" in {h.practice for h in analyze(html=html).highlights}


def test_unclosed_deep_markup():
    analysis = analyze(html="<span><b><i>" * 5_000 + "We never sell your personal data.")
    assert [h.polarity for h in analysis.highlights] == ["protective"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unit", [
    "a" * 50 + " ",                                  # one long word after another
    "share " * 3,                                    # a cue word repeated: patterns with gaps must stay linear
    "we do not " * 2,                                # negators everywhere
    "[" * 10 + "](" * 10,                            # Markdown link openers that never close
    "*_" * 20,                                       # emphasis marks that never close
    "sell, " * 5,
    "cookies; " * 4,
    "<a " * 10,
])
def test_megabyte_of_adversarial_text_finishes(unit):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    analysis = analyze(text=text)
    assert analysis.content_hash


@pytest.mark.timeout(60)
@pytest.mark.parametrize("line", ["# " + "#" * 1_000_000 + "x", "    # " + " #" * 500_000 + "x"])
def test_a_megabyte_heading_of_closing_marks_finishes(line):
    # a heading pattern that backtracked took 13 s on 80,000 marks (quadratic: hours on these)
    assert analyze(text=line).content_hash


@pytest.mark.timeout(60)
def test_megabyte_without_any_sentence_break():
    from smallprint.engine.sentences import MAX_SPAN
    analysis = analyze(text="we may share your information with partners " * 23_000)
    assert all(len(h.text) <= MAX_SPAN for h in analysis.highlights)


def test_long_unpunctuated_policy_text_still_reads_its_clauses():
    from smallprint.engine.sentences import MAX_SPAN
    words = " ".join(f"item{i}" for i in range(300))
    text = f"{words} we may sell your personal information to data brokers {words}"
    # The rules read every word of a span; the learned reader reads its first 64 tokens (MODEL_CARD_reader.md),
    # so a clause buried 300 words into unpunctuated text is the rules' to find.
    analysis = analyze(text=text, depth="quick")
    assert [h.practice for h in analysis.highlights] == ["sale_of_data"]
    assert all(len(h.text) <= MAX_SPAN for h in analysis.highlights)


@pytest.mark.parametrize("kwargs", [{"url": 5}, {"title": ["x"]}])
def test_bad_url_or_title(kwargs):
    with pytest.raises(ValueError):
        analyze(text="x", **kwargs)


REPEATED = "We may share your personal information with advertising partners and "
ORDINARY = "We may share your personal information with advertising partners and brokers."


def test_one_phrase_repeated_a_megabyte_long_is_said_to_be_unread():
    """A single 1.8 MB sentence (one phrase over and over) is cut into pieces, each passed over by the rules as
    filler: the quick reading showed no highlights and said nothing of the text it had not read."""
    analysis = analyze(html="<p>" + REPEATED * 26000 + "brokers.</p>", depth="quick")
    assert analysis.highlights == ()
    assert analysis.notices == ("Part of this page (100% of its text, 1,792,207 characters) was not read: it repeats "
                                "the same few words over and over in sentences of more than 60 words, which the "
                                "quick reading passes over as filler; the highlights and grade are for the rest of "
                                "the page.",)
    assert analysis.to_dict()["notices"] == list(analysis.notices)


def test_the_share_not_read_is_of_the_whole_page_and_ordinary_sentences_are_read_as_before():
    filler = REPEATED * 40  # 2,800 characters: a few pieces of filler
    page = f"<p>{ORDINARY}</p><p>{filler}brokers.</p><p>We do not sell your personal information.</p>"
    analysis = analyze(html=page, depth="quick")
    ordinary = analyze(html=f"<p>{ORDINARY}</p><p>We do not sell your personal information.</p>", depth="quick")
    assert [(h.text, h.practice, h.polarity) for h in analysis.highlights] == \
        [(h.text, h.practice, h.polarity) for h in ordinary.highlights] != []
    assert ordinary.notices == ()
    assert len(analysis.notices) == 1 and analysis.notices[0].startswith("Part of this page (96% of its text, ")
