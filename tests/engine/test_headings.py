"""Section headings name practices ("How we share your information") but state none: they get no highlight."""
import pytest

from smallprint import analyze

BODY = "We share your personal information with advertising partners."


@pytest.mark.parametrize("source", [
    {"text": f"## How we share your information\n\n{BODY}"},
    {"html": f"<h2>How we share your information</h2><p>{BODY}</p>"},
    {"blocks": [{"id": "h", "text": "How we share your information", "tag": "h2"}, {"id": "p", "text": BODY, "tag": "p"}]},
])
def test_a_heading_gets_no_highlight_but_the_clause_under_it_does(source):
    analysis = analyze(**source)
    heading, body = analysis.blocks
    assert not [h for h in analysis.highlights if h.block == heading.id]
    assert any(h.block == body.id and h.practice == "third_party_sharing" for h in analysis.highlights)
