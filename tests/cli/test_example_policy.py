"""The bundled example policy (the one `scripts/demo` analyses) gives the findings the README promises."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from smallprint import analyze
from smallprint.cli import main

EXAMPLES = resources.files("smallprint") / "examples"
EXAMPLE_HTML = EXAMPLES / "example-privacy-policy.html"
EXAMPLE_MD = EXAMPLES / "example-privacy-policy.md"


@pytest.fixture(scope="module")
def example_analysis():
    return analyze(html=EXAMPLE_HTML.read_text(encoding="utf-8")).to_dict()


def _found(analysis: dict) -> set[tuple[str, str]]:
    return {(h["practice"], h["polarity"]) for h in analysis["highlights"]}


def test_example_is_recognised_as_a_privacy_policy(example_analysis):
    assert example_analysis["kind"] == "privacy_policy"


@pytest.mark.parametrize("practice, polarity", [
    ("ai_training", "concern"),
    ("ai_training", "protective"),
    ("biometric", "concern"),
    ("sale_of_data", "protective"),
    ("advertising", "concern"),
    ("retention", "concern"),
    ("children", "protective"),
    ("government_access", "concern"),
])
def test_example_has_the_practices_it_was_written_with(example_analysis, practice, polarity):
    assert (practice, polarity) in _found(example_analysis), sorted(_found(example_analysis))


def test_example_states_its_transfers_abroad(example_analysis):
    # "may be transferred to ... other countries ..., which may have data protection laws different from those of
    # your country": careful readers under the guide label such a clause concern or neutral (the taxonomy's concern
    # is "processed anywhere in the world"; "different", not "weaker", laws) and the reader says neutral; the
    # standard contractual clauses are a safeguard.
    found = _found(example_analysis)
    assert {("international_transfer", "concern"), ("international_transfer", "neutral")} & found, sorted(found)
    assert ("international_transfer", "protective") in found


@pytest.mark.parametrize("boilerplate", [
    "binding individual arbitration",
    "410 Harbor Row",
    "Effective date: 3 March 2026",
])
def test_example_boilerplate_gets_no_highlight(example_analysis, boilerplate):
    blocks = {b["id"]: b["text"] for b in example_analysis["blocks"]}
    hits = [h for h in example_analysis["highlights"] if boilerplate in blocks[h["block"]]]
    assert not hits, hits


def test_markdown_copy_gives_the_same_highlights(example_analysis):
    from_markdown = analyze(text=EXAMPLE_MD.read_text(encoding="utf-8")).to_dict()
    assert ([(h["practice"], h["polarity"], h["text"]) for h in from_markdown["highlights"]]
            == [(h["practice"], h["polarity"], h["text"]) for h in example_analysis["highlights"]])


def test_example_through_the_command(capsys):
    assert main(["analyze", str(EXAMPLE_HTML), "--format", "json"]) == 0
    assert {("ai_training", "concern"), ("biometric", "concern"),
            ("sale_of_data", "protective")} <= _found(json.loads(capsys.readouterr().out))
