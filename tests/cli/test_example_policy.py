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
    ("international_transfer", "concern"),
    ("government_access", "concern"),
])
def test_example_has_the_practices_it_was_written_with(example_analysis, practice, polarity):
    assert (practice, polarity) in _found(example_analysis), sorted(_found(example_analysis))


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
