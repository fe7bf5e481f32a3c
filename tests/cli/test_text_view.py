"""The terminal view: clauses in context with the span set off, colours only when asked for."""
from __future__ import annotations

import dataclasses
import re

import pytest

from smallprint.cli.text_view import render_text
from smallprint.engine.results import Analysis, Block, Grade, GradeReason, Highlight, PracticeFinding

LONG = ("Tidewell is a place to share photos with friends and family, near and far, every day of the year. "
        "We do not sell your personal information, and we will not sell it in the future. "
        "This sentence is after the clause and goes on for quite a while so that the context is cut somewhere.")


def _analysis(kind="privacy_policy") -> Analysis:
    start = LONG.index("We do not sell")
    end = LONG.index(", and we will")
    highlight = Highlight("b0", start, end, LONG[start:end], "sale_of_data", "protective",
                          "Promises not to sell your personal data", 0.95, "SaleRecognizer: \"do not sell\"")
    finding = PracticeFinding("sale_of_data", "Sale of data", "protective", (("protective", 1),), 0,
                              "Promises not to sell your personal data")
    return Analysis(kind=kind, kind_confidence=0.9, kind_evidence=("calls itself a privacy policy",),
                    blocks=(Block("b0", LONG),), highlights=(highlight,), practices=(finding,),
                    grade=Grade("A", 1.5, "the formula", (GradeReason("sale_of_data", "protective", 1.5, 0),)),
                    segments=(), content_hash="0" * 64, title="Tidewell")


def test_plain_view_sets_off_the_span_within_its_sentence():
    out = render_text(_analysis(), colour=False, width=200, show_all=True)
    assert "\033[" not in out
    assert "»We do not sell your personal information«, and we will not sell it in the future." in out
    assert "…" not in out.split("»")[0].splitlines()[-1]  # the context starts at a sentence start
    assert "Kind:  privacy policy (confidence 90%)" in out
    assert "Grade: A" in out and "in your favour: Sale of data +1.5" in out
    assert out.rstrip().endswith("✓ Promises not to sell your personal data")


@pytest.mark.parametrize("width", [50, 60, 80])
def test_colour_view_never_leaks_colour_past_a_line_end(width):
    out = render_text(_analysis(), colour=True, width=width, show_all=True)
    assert "\033[1;4;32m" in out  # the protective span, underlined green
    for line in out.splitlines():
        codes = re.findall(r"\033\[([0-9;]*)m", line)
        assert not codes or codes[-1] == "0", repr(line)


def test_non_policies_are_flagged():
    out = " ".join(render_text(_analysis(kind="other")).split())
    # this hand-made analysis has a letter, so it was graded because the reader asked
    assert "was not recognised as a privacy policy" in out and "graded as one because you asked" in out


def test_key_findings_lead_and_show_all_is_asked_for():
    from smallprint.engine import analyze

    analysis = analyze(text="# Privacy Policy\n\nWe use the content you post to train our artificial intelligence "
                            "models.\n\nWe do not sell your personal information.\n\nYou can delete your account.",
                       depth="quick")
    short = render_text(analysis)
    assert "Key findings" in short and "--all shows every one" in short and "All highlights" not in short
    assert short.index("Key findings") > short.index("Grade:")
    assert "score =" not in short  # the formula lives in the README, not after every analysis
    full = render_text(analysis, show_all=True)
    assert "All highlights, by practice" in full and full.index("Key findings") < full.index("All highlights")


@pytest.mark.parametrize("title, source, headline", [
    ("Acme\n\nPrivacy \t Notice", None, "Acme Privacy Notice"),
    ("A" * 300, None, "A" * 79 + "…"),
    ("word " * 60, None, ("word " * 16).rstrip() + "…"),
    ("Privacy notice " * 4 + "for guests of extraordinary services", None,  # cut at a word: not "of extra…"
     "Privacy notice " * 4 + "for guests of…"),
    (" \n ", "policy.html", "policy.html"),
    (None, "a\nb.html", "a b.html"),
])
def test_the_headline_is_one_line_no_wider_than_the_view(title, source, headline):
    """A title (a page's, --title's, a remembered one) or a file name with line breaks broke the view's first line
    into several; a very long one filled the screen."""
    out = render_text(dataclasses.replace(_analysis(), title=title), width=80, source=source)
    assert out.splitlines()[0] == headline
    assert out.splitlines()[1].startswith("Kind:")


def test_the_grade_line_names_a_readme_section_that_exists():
    """The grade line sends the reader to the README section that works the grade out; it named "The grade", a
    section that was never there (a helper's review)."""
    from pathlib import Path
    lines = render_text(_analysis(), colour=False, width=200).splitlines()
    at = next(i for i, l in enumerate(lines) if l.startswith("Grade:"))
    (section,) = re.findall(r'README, "([^"]+)"', " ".join(l.strip() for l in lines[at:at + 2]))
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"\n## {section}\n" in readme, section


@pytest.mark.parametrize("colour", [False, True])
def test_the_grade_line_keeps_to_the_width(colour):
    """At 100 columns (the width when output is not a terminal) the grade line ran to 102."""
    out = render_text(_analysis(), colour=colour, width=100)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert max(len(line) for line in plain.splitlines()) <= 100
    assert re.search(r"^Grade: (\x1b\[[0-9;]*m)?A(\x1b\[[0-9;]*m)? \(score 1\.5;", out, re.M), out
