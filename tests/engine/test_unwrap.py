"""Hard-wrapped Markdown/plain-text paragraphs read like the HTML made from them (same sentences, same highlights)."""
import pytest

from smallprint import analyze
from smallprint.engine.blocks import unwrap

WRAPPED = ("We may keep copies of some information in our backups and logs for up to a year after Tidewell Labs, Inc.\n"
           "(\"Tidewell\") deletes your account, and we do not knowingly collect personal information from\n"
           "children under 13.")


@pytest.mark.parametrize("lines, expected", [
    (["a line long enough to have been wrapped by an editor", "and its rest."],
     "a line long enough to have been wrapped by an editor and its rest."),
    (["Tidewell Labs", "12 Harbour Street"], "Tidewell Labs\n12 Harbour Street"),  # short lines: the author's breaks
    (["What we collect when you sign up for the Services:", "your name"],
     "What we collect when you sign up for the Services:\nyour name"),  # a colon introduces what follows
    (["a line long enough to have been wrapped by an editor  ", "after a Markdown hard break"],
     "a line long enough to have been wrapped by an editor  \nafter a Markdown hard break"),
])
def test_unwrap(lines, expected):
    assert unwrap(lines) == expected


def test_a_wrapped_paragraph_gives_the_highlights_of_its_html_form():
    as_text = analyze(text=WRAPPED)
    as_html = analyze(html="<p>" + WRAPPED.replace("\n", " ") + "</p>")
    assert [(h.practice, h.polarity, h.text) for h in as_text.highlights] == \
           [(h.practice, h.polarity, h.text) for h in as_html.highlights]
    assert any(h.practice == "children" for h in as_text.highlights)
