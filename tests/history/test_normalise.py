"""Normalisation: formatting, numbering, emphasis, wrapping and whitespace never make a new version."""
from __future__ import annotations

import re

import pytest

from smallprint import analyze
from smallprint.history.diff import diff_analyses
from smallprint.history.normalise import content_hash, normalise, paragraphs, words

# Real policies with Markdown of different kinds: setext headings, tables with <br>, links with note
# markers (facebook 2023); bold headings and hard-wrapped lines (youtube 2008); lists (youtube 2022).
REAL_POLICIES = ("facebook/2023-01-01_pga2_6ffec9c.md", "youtube/2008-11-20_pga1_3cca8a0.md",
                 "youtube/2022-07-11_pga2_f2ca46e.md")


def unwrap(text: str) -> str:
    """Remove the line breaks inside paragraphs, and those (blank lines too) that cut a sentence in two."""
    return re.sub(r"(?<=[a-z,])\n+(?=[a-z])", " ", re.sub(r"(?<!\n)\n(?!\n)", " ", text))


def one_line(text: str) -> str:
    """Remove every line break."""
    return re.sub(r"\s*\n\s*", " ", text)


def no_emphasis(text: str) -> str:
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text).replace("*", "")


REWRITES = {
    "unwrapped": unwrap,
    "one line": one_line,
    "emphasis removed": no_emphasis,
    "unwrapped, emphasis removed": lambda t: unwrap(no_emphasis(t)),
    "one line, emphasis removed": lambda t: one_line(no_emphasis(t)),
}


@pytest.mark.parametrize("name", REAL_POLICIES)
@pytest.mark.parametrize("rewrite", list(REWRITES))
def test_formatting_only_rewrite_of_a_real_policy_is_not_a_data_use_change(shared_data, name, rewrite):
    original = (shared_data / "policies" / name).read_text(encoding="utf-8")
    rewritten = REWRITES[rewrite](original)
    assert rewritten != original
    assert content_hash(normalise(rewritten)) == content_hash(normalise(original))
    diff = diff_analyses(analyze(text=original).to_dict(), analyze(text=rewritten).to_dict(), since="2023-05-18")
    data_use = [c for c in (*diff.added, *diff.removed, *diff.changed) if c.is_data_use]
    assert data_use == [], [(c.change, c.practice, c.text[:80]) for c in data_use[:5]]
    assert not diff.has_data_use_changes
    assert diff.summary.startswith("No change to data practices since 18 May 2023")


@pytest.mark.parametrize("text, expected", [
    ("# Heading\n\nSome *very* **important** text.", ["Heading", "Some very important text."]),
    ("Heading\n=======\n\nBody text\nwrapped here.", ["Heading", "Body text wrapped here."]),
    ("1. First item\n2. Second item", ["First item", "Second item"]),
    ("(a) Alpha clause\n(b) Beta clause", ["Alpha clause", "Beta clause"]),
    ("* one\n- two\n+ three", ["one", "two", "three"]),
    ("See [our policy\\[3\\]](#annotation-3) and <https://x.example>.", ["See our policy and ."]),
    ("| Purpose | Data |\n|---|---|\n| Ads<br>* more | Email |", ["Purpose", "Data", "Ads", "more", "Email"]),
    ("> quoted `code` and ~~gone~~ words", ["quoted code and gone words"]),
    ("Tabs\tand\u00a0odd   spaces", ["Tabs and odd spaces"]),
])
def test_markdown_formatting_is_removed(text, expected):
    assert paragraphs(text, is_html=False) == expected


@pytest.mark.parametrize("html, expected", [
    ("<h1>Privacy</h1><p>We <em>collect</em> <a href='/x'>data</a>.</p>", ["Privacy", "We collect data."]),
    ("<ul><li>one</li><li>two</li></ul><script>var x = 1;</script>", ["one", "two"]),
    ("<p>line<br>break</p><style>p {}</style>", ["line", "break"]),
])
def test_html_is_reduced_to_its_visible_paragraphs(html, expected):
    assert paragraphs(html, is_html=True) == expected


@pytest.mark.parametrize("a, b", [
    ("We collect your data.", "We  collect\nyour **data**."),
    ("<p>We collect your data.</p>", "We collect your data."),
    ("1. We collect your data.", "- We collect your data."),
    ("We collect your data", "we COLLECT your data!"),
    ("That\u2019s how we collect it.", "That's how we collect it."),
    ("We use \ufb01les.", "We use files."),
])
def test_same_words_same_hash(a, b):
    assert content_hash(normalise(a)) == content_hash(normalise(b))


@pytest.mark.parametrize("a, b", [
    ("We do not sell your data.", "We sell your data."),
    ("We keep data for 30 days.", "We keep data for 90 days."),
])
def test_different_words_different_hash(a, b):
    assert content_hash(normalise(a)) != content_hash(normalise(b))


def test_inline_numbering_is_not_a_word_but_other_numbers_are():
    assert words("below: 1. We keep it 30 days. (a) Then") == ("below", "we", "keep", "it", "30", "days", "then")


def test_the_html_and_markdown_copies_of_the_bundled_example_are_one_version():
    from pathlib import Path

    from smallprint.history.store import analysis_text

    examples = Path(__import__("smallprint").__file__).parent / "examples"
    as_markdown = analyze(text=(examples / "example-privacy-policy.md").read_text(encoding="utf-8")).to_dict()
    as_html = analyze(html=(examples / "example-privacy-policy.html").read_text(encoding="utf-8")).to_dict()
    assert content_hash(analysis_text(as_markdown)) == content_hash(analysis_text(as_html))
    diff = diff_analyses(as_markdown, as_html)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
