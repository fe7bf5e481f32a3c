"""The HTML report: one self-contained page, everything escaped, highlights placed at the engine's offsets."""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from smallprint import analyze
from smallprint.engine.results import Analysis, Block, Grade, GradeReason, Highlight, PracticeFinding
from smallprint.report import Mark, marked_text_html, render_analysis_html, render_page

from tests.conftest import ROOT

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" </p></mark>'


class PageParser(HTMLParser):
    """Collects every element and attribute, and the text, of a page (strict enough to catch broken nesting)."""

    VOID = {"meta", "br", "img", "link", "input", "hr", "col", "area", "base", "wbr", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: list[str] = []
        self.mismatched: list[str] = []
        self.in_style = False
        self.css: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.mismatched.append(tag)
        else:
            self.stack.pop()
        self.in_style = False

    def handle_data(self, data):
        (self.css if self.in_style else self.text).append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    assert not parser.mismatched and not parser.stack, (parser.mismatched, parser.stack)
    return parser


def _analysis(blocks, highlights, **extra) -> Analysis:
    """A real Analysis value, built by hand so the report's handling of edge cases does not depend on the engine."""
    fields = dict(kind="privacy_policy", kind_confidence=0.9, kind_evidence=("title",), blocks=tuple(blocks),
                  highlights=tuple(highlights), practices=(), grade=Grade("B", 1.0, "test formula"), segments=(),
                  content_hash="0" * 64, url=None, title=None)
    fields.update(extra)
    return Analysis(**fields)


def assert_self_contained(page: str) -> None:
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.elements}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "base"}
    for tag, attrs in parsed.elements:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not re.match(r"^(https?:)?//", value), f"<{tag} {name}={value!r}> loads something"
            assert not value.startswith(("javascript:", "file:")), f"<{tag} {name}={value!r}>"
        assert not any(name.startswith("on") for name in attrs), f"<{tag}> has an event handler"
    css = "".join(parsed.css)
    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(?!data:)", css), "the CSS loads something"


@pytest.mark.parametrize("source", ["text", "html"])
def test_report_of_a_real_analysis_is_self_contained(source):
    policy = ("Privacy Policy\n\nWe collect your email address and your precise location.\n\n"
              "We do not sell your personal information.")
    if source == "html":
        policy = "<h1>Privacy Policy</h1>" + "".join(f"<p>{p}</p>" for p in policy.split("\n\n")[1:])
    page = render_analysis_html(analyze(**{source: policy}, url="https://example.com/privacy", title="Policy"))
    assert_self_contained(page)
    assert "We do not sell your personal information" in "".join(parse(page).text)


def test_hostile_text_in_a_real_analysis_stays_inert():
    page = render_analysis_html(analyze(text=f"Privacy notice\n\n{HOSTILE}\n\nWe may sell your data. {HOSTILE}",
                                        url='https://x.example/"><script>alert(2)</script>', title=HOSTILE))
    assert_self_contained(page)
    parsed = parse(page)
    assert HOSTILE in "".join(parsed.text)  # shown verbatim as text, not interpreted


def test_hostile_highlight_fields_stay_inert():
    text = f"We may sell your data {HOSTILE} to partners."
    start = text.index("sell")
    highlight = Highlight("b0", start, len(text), text[start:], "sale_of_data", "concern",
                          f"summary {HOSTILE}", 0.8, f"why {HOSTILE}")
    finding = PracticeFinding("sale_of_data", f"Sale {HOSTILE}", "concern", (("concern", 1),), 0, HOSTILE)
    analysis = _analysis([Block("b0", text, tag=HOSTILE)], [highlight], practices=(finding,),
                         kind_evidence=(HOSTILE,), title=HOSTILE, url=HOSTILE,
                         grade=Grade("E", -3, HOSTILE, (GradeReason("sale_of_data", "concern", -3, 0),)))
    page = render_analysis_html(analysis)
    assert_self_contained(page)
    marks = [attrs for tag, attrs in parse(page).elements if tag == "mark" and "data-card" in attrs]
    assert marks and HOSTILE in marks[0]["data-card"] and HOSTILE in marks[0]["aria-description"]


def test_highlights_sit_at_the_code_point_offsets():
    text = "Emoji 😀 and accents é first. We may sell your data. Then more."
    start = text.index("We may sell")
    end = text.index(" Then")
    analysis = _analysis([Block("b0", text)], [Highlight("b0", start, end, text[start:end], "sale_of_data",
                                                         "concern", "May sell", 0.9, "cue 'sell'")])
    page = render_analysis_html(analysis)
    marked = re.search(r'<mark [^>]*id="h0"[^>]*>(.*?)</mark>', page).group(1)
    assert marked == "We may sell your data."


def test_overlapping_marks_are_flattened_without_nesting():
    text = "We share your data with advertisers for ads."
    marks = [Mark(0, 30, "concern", "third_party_sharing", "sharing card", "h0"),
             Mark(20, 44, "neutral", "advertising", "ads card", "h1")]
    fragment = marked_text_html(text, marks)
    parsed = parse(f"<p>{fragment}</p>")
    pieces = [attrs for tag, attrs in parsed.elements if tag == "mark"]
    assert [p.get("id") for p in pieces] == ["h0", "h1", None]
    assert pieces[1]["data-practice"] == "third_party_sharing advertising"
    assert pieces[1]["data-polarity"] == "concern"  # a concern shows through where it overlaps
    assert "sharing card" in pieces[1]["data-card"] and "ads card" in pieces[1]["data-card"]
    assert "".join(parsed.text) == text


@pytest.mark.parametrize("bad", [Mark(-1, 3, "concern"), Mark(5, 2, "concern"), Mark(0, 999, "concern")])
def test_marks_outside_the_text_are_ignored(bad):
    assert marked_text_html("a <b> text", [bad]) == "a &lt;b&gt; text"


def test_page_shell_is_reusable_and_escapes_its_title():
    page = render_page("<Diff> & more", "<main><p>body</p></main>", extra_css=".x { color: red; }")
    assert_self_contained(page)
    assert "<title>&lt;Diff&gt; &amp; more</title>" in page and ".x { color: red; }" in page


def test_non_policy_pages_say_so():
    page = render_analysis_html(_analysis([Block("b0", "Hello")], [], kind="other", kind_confidence=0.1))
    assert "was not recognised as a privacy policy" in page


def test_every_highlight_has_an_anchor_even_when_marks_start_together():
    text = "We share your data with advertisers for ads."
    highlights = [Highlight("b0", 0, 30, text[:30], "third_party_sharing", "concern", "s", 0.9, "e"),
                  Highlight("b0", 0, 44, text, "advertising", "concern", "a", 0.9, "e"),
                  Highlight("b0", 20, 44, text[20:], "profiling", "neutral", "p", 0.9, "e")]
    parsed = parse(render_analysis_html(_analysis([Block("b0", text)], highlights)))
    ids = [attrs["id"] for _, attrs in parsed.elements if "id" in attrs]
    assert {"h0", "h1", "h2"} <= set(ids) and len(ids) == len(set(ids))


def test_key_findings_lead_and_only_their_clauses_are_painted_strongly():
    analysis = analyze(text="# Privacy Policy\n\nWe use the content you post to train our artificial intelligence "
                            "models.\n\nWe retain your data.\n\nYou can delete your account.\n\nWe share your "
                            "information with service providers who process payments for us.", depth="quick")
    assert len(analysis.key_findings) > 1
    # The report paints what the analysis names as key: keep one key finding, so both kinds of clause are shown.
    analysis = dataclasses.replace(analysis, key_findings=analysis.key_findings[:1])
    page = render_analysis_html(analysis)
    assert "Key findings (" in page and page.index("Key findings (") < page.index("Practices found")
    key = {i for k in analysis.key_findings for i in k.highlights}
    checked = set()
    for index in range(len(analysis.highlights)):
        mark = re.search(rf'<mark class="([^"]*)"[^>]*id="h{index}"', page)
        if mark:
            checked.add(index)
            assert ("sp-quiet" in mark.group(1)) == (index not in key), (index, mark.group(1))
    assert checked & key and checked - key  # both kinds of clause were looked at


def test_a_news_page_asked_for_says_why_it_has_no_grade():
    analysis = analyze(text="The city council met on Tuesday to discuss the new bus lanes. The mayor said the plan "
                            "would be voted on next month.", depth="quick")
    assert "No grade." in render_analysis_html(analysis)


def test_the_key_findings_panel_counts_the_other_highlights_not_all_of_them():
    import re
    from smallprint import analyze
    from smallprint.report import render_analysis_html
    analysis = analyze(text=(ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text(encoding="utf-8"),
                       depth="quick")
    cited = {i for k in analysis.key_findings for i in k.highlights}
    said = int(re.search(r"the other (\d+) highlights? quietly", render_analysis_html(analysis)).group(1))
    assert cited and said == len(analysis.highlights) - len(cited)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_summary_comes_first_for_keyboards_screen_readers_and_print():
    """UX review: the grade and key findings came after every highlight (120 tab stops in the bundled example,
    pages 15-16 of 17 in print). The summary is now first in the page, with a skip link to the policy."""
    policy = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    page = render_analysis_html(analyze(text=policy))
    elements = [(tag, attrs) for tag, attrs in parse(page).elements]
    order = [tag for tag, _ in elements if tag in ("aside", "main")]
    assert order == ["aside", "main"]
    skips = [attrs["href"] for tag, attrs in elements if tag == "a" and "sp-skip" in attrs.get("class", "")]
    assert "#sp-policy" in skips and any(attrs.get("id") == "sp-policy" for _, attrs in elements)
    # the card is a description, not a tooltip that covers it
    assert all("title" not in attrs for tag, attrs in elements if tag == "mark")


def test_polarity_is_never_carried_by_colour_alone_and_grades_are_legible():
    css = render_page("t", "")
    # quiet marks keep their polarity's line style: a double line needs 3px to show as double
    assert re.search(r"mark\.sp-quiet\.sp-protective \{ border-bottom-width: 3px; \}", css)
    for letter in "ABCDE":
        colour = re.search(rf"--grade-{letter}: (#[0-9a-f]{{6}})", css).group(1)
        ratio = (1.05) / (_luminance(colour) + 0.05)
        assert ratio >= 4.5, (letter, colour, round(ratio, 2))


@pytest.mark.parametrize("source, asked, expected", [
    ("We may sell your personal information to data brokers.", False, "no grade"),
    ("We may sell your personal information to data brokers.", True, "graded as one because you asked"),
    ("Wir verkaufen Ihre personenbezogenen Daten an Datenhändler, und wir teilen sie mit Werbepartnern.", True,
     "Nothing in it is highlighted"),
])
def test_a_page_that_is_not_a_policy_is_told_the_truth(source, asked, expected):
    """UX review: every non-policy page was told its clauses were highlighted "because the analysis was requested
    explicitly", also when nobody asked and when nothing was highlighted."""
    analysis = analyze(text=source, as_policy=asked)
    assert analysis.kind == "other"
    notice = re.search(r'<p class="sp-notice">(.*?)</p>', render_analysis_html(analysis)).group(1)
    assert expected in notice and ("you asked" in notice) == (expected.endswith("you asked"))


def test_the_policy_is_marked_with_its_language_and_its_paragraphs_with_their_direction():
    policy = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    page = render_analysis_html(analyze(text=policy))
    assert '<html lang="en">' in page and '<div lang="en">' in page and '<p class="blk blk-p" dir="auto">' in page


def test_highlights_are_no_tab_stops_yet_each_is_one_link_away():
    """Every highlight was a Tab stop: the bundled example's 120 highlights took 120 presses to get past, and a long
    policy's hundreds. Now skip links lead to the key findings, the policy and the list of every highlight; the
    highlights leave the Tab order, and a link to each (from the key findings, the list) focuses it and shows its
    card, including one that starts on the same words as another (an empty anchor inside that one's mark)."""
    policy = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    analysis = analyze(text=policy, depth="quick")
    page = render_analysis_html(analysis)
    parsed = parse(page)
    elements = parsed.elements
    # nothing is put in the Tab order by hand: only the links, the grade's <summary> and the trace checkbox are
    # Tab stops
    assert not [attrs for _, attrs in elements if attrs.get("tabindex") not in (None, "-1")]
    marks = [attrs for tag, attrs in elements if tag == "mark" and "data-card" in attrs]
    assert marks and all(attrs.get("tabindex") == "-1" for attrs in marks)  # focusable by a link or a click
    ids = {attrs["id"] for _, attrs in elements if "id" in attrs}
    skips = [attrs["href"] for tag, attrs in elements if tag == "a" and "sp-skip" in attrs.get("class", "")]
    assert skips == ["#sp-key-findings", "#sp-policy", "#sp-all-highlights"]
    assert {s[1:] for s in skips} <= ids
    # the policy's text, however many highlights it holds, is no Tab stop at all
    policy_text = page[page.index('id="sp-policy"'):page.index('id="sp-all-highlights"')]
    assert policy_text.count("<mark ") > 50 and not re.search(r'<a |<summary|tabindex="0"', policy_text)
    # every highlight is a link's target: a mark, or an anchor directly inside one
    linked = {attrs["href"][1:] for tag, attrs in elements if tag == "a" and attrs.get("href", "").startswith("#")}
    assert {f"h{i}" for i in range(len(analysis.highlights))} <= linked
    anchors_in_marks = re.findall(r'<mark [^>]*>((?:<span class="sp-anchor" id="h\d+"></span>)+)', page)
    inner = {a for found in anchors_in_marks for a in re.findall(r'id="(h\d+)"', found)}
    mark_ids = {attrs["id"] for attrs in marks if "id" in attrs}
    assert {f"h{i}" for i in range(len(analysis.highlights))} == mark_ids | inner and inner
    # following a link shows the card: by :target (and :focus, where the browser focuses the target)
    css = "".join(parsed.css)
    assert "mark.sp[data-card]:target::after" in css and "mark.sp[data-card]:has(> .sp-anchor:target)::after" in css
    assert "tab to a highlight" not in page and "follow a link to it" in page


def test_the_grade_lines_quote_their_clauses_in_whole_words():
    """A grade line quoted its clause cut at 87 characters wherever that fell: "…precise geolocation and web brows…",
    "…and to better i…". Now the cut is after the last whole word that fits, still marked "…"."""
    policy = ("Privacy Policy\n\nWe may sell your personal information, including your precise geolocation and web "
              "browsing history, to advertising partners and data brokers.\n\nWe use the content you post to train "
              "our artificial intelligence models and to better improve recommendations.")
    analysis = analyze(text=policy, depth="quick", as_policy=True)  # too short to be graded otherwise
    page = render_analysis_html(analysis)
    quotes = re.findall(r'<a href="#h\d+" class="sp-small">“([^”]+)”</a>', page)
    assert len(quotes) == len(analysis.grade.reasons) >= 2
    words = set(re.findall(r"\w+", policy))
    for quote in quotes:
        assert len(quote) <= 90 and quote.endswith("…")  # both clauses are longer than a grade line
        assert re.findall(r"\w+", quote)[-1] in words, quote  # never the first letters of a word
        assert policy.replace("\n\n", " ").find(quote[:-1]) >= 0, quote  # the clause's own opening words


# Review 2, findings 3 and 12: the report printed, and read on a narrow screen. These run the real CLI on the bundled
# example, as a reader would (`smallprint analyze … --format html --out report.html`), once for the module.

@pytest.fixture(scope="module")
def example_report(tmp_path_factory) -> str:
    from smallprint.cli import main
    out = tmp_path_factory.mktemp("report") / "report.html"
    code = main(["analyze", str(ROOT / "daemon/smallprint/examples/example-privacy-policy.html"), "--format", "html",
                 "--out", str(out)])
    assert code == 0
    return out.read_text(encoding="utf-8")


def _css_block(css: str, opening: str) -> str:
    """The body of the CSS block that starts with `opening` ("@media print {"), braces balanced."""
    start = css.index(opening) + len(opening)
    depth, i = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(css[i], 0)
        i += 1
    return css[start:i - 1]


def _rules(css: str) -> dict[str, str]:
    """selector → declarations, for the flat rules of a block (a selector list is split into its selectors)."""
    rules: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        for selector in selectors.split(","):
            rules[selector.strip()] = rules.get(selector.strip(), "") + body
    return rules


def test_the_printed_report_keeps_its_grade_tags_and_the_grades_explanation(example_report):
    """Printing drops backgrounds unless told not to: the grade's white letter all but vanished from its box on
    paper, the Concern/Protective tags lost their fills, and "How the grade is computed" (a closed <details>) was not
    in the PDF at all. In print they keep their colours, and a collapsed section prints opened."""
    parsed = parse(example_report)
    assert any(tag == "span" and "sp-grade" in attrs.get("class", "") for tag, attrs in parsed.elements)
    assert "How the grade is computed" in "".join(parsed.text)
    print_rules = _rules(_css_block("".join(parsed.css), "@media print {"))
    for selector in (".sp-grade", ".sp-tag", "mark.sp"):
        assert re.search(r"(?<!-)print-color-adjust:\s*exact", print_rules.get(selector, "")), selector
    # a closed <details> shows its content in print (Chromium, Firefox: the ::details-content part)
    opened = print_rules.get("details::details-content", "")
    assert "content-visibility: visible" in opened and "display: block" in opened
    # no script opens it: the page forbids scripts, and has none
    assert "default-src 'none'" in example_report and "script-src" not in example_report
    assert not any(tag == "script" for tag, _ in parsed.elements)


def test_long_rule_names_wrap_instead_of_widening_a_narrow_page(example_report):
    """On a 400px window the page was 438px wide: the list under the policy names rules with no place to break
    ("GovernmentAccessRecognizer/disclose_to_authorities"). That list now breaks such words anywhere."""
    parsed = parse(example_report)
    lists = [attrs for tag, attrs in parsed.elements if tag == "ol" and "sp-all" in attrs.get("class", "").split()]
    assert len(lists) == 1
    rules = _rules("".join(parsed.css))
    assert "overflow-wrap: anywhere" in rules[".sp-all"]
    assert re.search(r"\w{30,}/\w+", example_report)  # the example does name such a rule


def test_the_engines_trace_is_behind_a_switch_and_each_summary_ends_before_why(example_report):
    """Every item of the list under the policy ended with the engine's trace ("(reader: government_access concern,
    85% sure; rules: …; context: …)"), 66 times on the example, and its summary ran on into the reason ("…to
    authorities or others Why: …"). The trace is now in its own element, hidden until one checkbox above the list is
    ticked (a labelled control that keyboards reach and screen readers announce, no script), and not printed unless
    ticked; each summary ends as a sentence."""
    parsed = parse(example_report)
    start = example_report.index('id="sp-all-highlights"')
    listing = example_report[start:example_report.index("</ol>", start)]
    items = re.findall(r"<li>(.*?)</li>", listing, flags=re.S)
    assert len(items) > 20
    for item in items:
        outside = re.sub(r'<span class="sp-trace[^"]*">.*?</span>', "", item)
        assert "reader:" not in outside and "% sure" not in outside, item
        assert re.search(r'<span class="sp-trace[^"]*">How the engine read it: [^<]*reader: ', item), item
        why = re.search(r"([^>\s])\s+Why: ", outside)
        assert why and why.group(1) in ".!?…:;", item
    switch = [attrs for tag, attrs in parsed.elements if tag == "input"]
    assert [(s.get("type"), s.get("id")) for s in switch] == [("checkbox", "sp-show-trace")]
    assert "checked" not in switch[0]
    labels = [attrs for tag, attrs in parsed.elements if tag == "label" and attrs.get("for") == "sp-show-trace"]
    assert labels and "Show how the engine read each clause" in example_report
    css = "".join(parsed.css)
    rules = _rules(css)
    assert "display: none" in rules[".sp-trace"]
    assert "display: block" in rules[".sp-trace-check:checked ~ .sp-all .sp-trace"]
    assert "display: none" in _rules(_css_block(css, "@media print {"))[".sp-trace-check"]
