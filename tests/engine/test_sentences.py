"""Sentence and clause spans: code-point offsets, abbreviations, line breaks, long run-on sentences cut at ';'."""
from __future__ import annotations

import pytest

from smallprint.engine.sentences import LONG_SENTENCE, split_sentences


def pieces(text):
    return [text[s.start:s.end] for s in split_sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("We collect data. We share it.", ["We collect data.", "We share it."]),
    ("We use cookies, e.g. session cookies. They expire.", ["We use cookies, e.g. session cookies.", "They expire."]),
    ("Acme Inc. collects data. It is fine.", ["Acme Inc. collects data.", "It is fine."]),
    ("Data is stored in the U.S. We may move it.", ["Data is stored in the U.S. We may move it."]),
    ("Do we sell data? No! We never do.", ["Do we sell data?", "No!", "We never do."]),
    ("First line\nSecond line", ["First line", "Second line"]),
    ("data may move to\ncountries abroad.", ["data may move to\ncountries abroad."]),  # a wrapped line
    ("Heading:\nbody text", ["Heading:", "body text"]),
    ("He said \"we track you.\" Then left.", ["He said \"we track you.\"", "Then left."]),
    ("version 2.1 is here. ok", ["version 2.1 is here. ok"]),
    ("", []),
    ("   ", []),
])
def test_split(text, expected):
    assert pieces(text) == expected


def test_offsets_are_code_points_with_astral_characters():
    text = "😀 We sell data. 👍 We keep it."
    spans = split_sentences(text)
    assert [text[s.start:s.end] for s in spans] == ["😀 We sell data.", "👍 We keep it."]


def test_long_sentence_is_cut_into_clauses():
    clause = "we use your information to provide and improve the services we offer to you and others"
    text = "; ".join([clause] * 6) + "."
    assert len(text) > LONG_SENTENCE
    parts = pieces(text)
    assert len(parts) == 6 and all(len(p) <= len(clause) + 1 for p in parts)


def test_spans_cover_no_whitespace_at_ends():
    for span in split_sentences("  One.   Two.  \n\n Three  "):
        assert span.end > span.start


def test_text_without_punctuation_is_cut_into_bounded_spans():
    from smallprint.engine.sentences import MAX_SPAN
    text = "we share data with partners " * 2000
    spans = split_sentences(text)
    assert len(spans) > 1 and all(s.end - s.start <= MAX_SPAN for s in spans)
    assert "".join(text[s.start:s.end] + " " for s in spans).split() == text.split()


def test_boundary_regex_finds_what_its_plain_form_finds():
    """_BOUNDARY is written with its first character in front, to search faster; it must match the same spans."""
    import re
    from pathlib import Path

    from smallprint.engine import sentences

    plain = re.compile(r"[.!?]+[\"'”’)\]]*[ \t]+(?=[^\sa-z])|[\r\n]\s*")
    example = Path(sentences.__file__).resolve().parents[1] / "examples" / "example-privacy-policy.md"
    texts = ["a.b. c", "end!!! \"Next", "x?\n\n y", "Mr. Smith. Then", "...", "a .\t\tB", ". \n", "!?!?  (A",
             "a\r\n\r\nb", "é. É", "x.)] 1", "no. 5 and no. six.  Seven", "", example.read_text(encoding="utf-8")]
    for text in texts:
        assert [m.span() for m in sentences._BOUNDARY.finditer(text)] == [m.span() for m in plain.finditer(text)]
