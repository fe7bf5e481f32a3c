"""Blocks from text, Markdown, HTML and the extension's list: same words, same blocks; no recursion."""
from __future__ import annotations

import pytest

from smallprint.engine.blocks import (MAX_INPUT_CHARS, blocks_from_html, blocks_from_list, blocks_from_text, page_title,
                                      to_blocks)


def texts(blocks):
    return [(b.tag, b.text) for b in blocks]


@pytest.mark.parametrize("source, expected", [
    ("One paragraph.\n\nAnother one.", [("p", "One paragraph."), ("p", "Another one.")]),
    ("# Privacy Policy\nWe collect data.", [("h1", "Privacy Policy"), ("p", "We collect data.")]),
    ("Privacy Policy\n==============\n\nText here.", [("h1", "Privacy Policy"), ("p", "Text here.")]),
    ("Intro:\n\n* first item\n* second **bold** item", [("p", "Intro:"), ("li", "first item"), ("li", "second bold item")]),
    ("See [our partners](https://example.com/p) and _more_.", [("p", "See our partners and more.")]),
    ("| Data | Use |\n|---|---|\n| email | login |", [("td", "Data"), ("td", "Use"), ("td", "email"), ("td", "login")]),
    ("line one\nline two", [("p", "line one\nline two")]),
    ("   \n\n  \t ", []),
    # HTML line breaks in a Markdown table cell or line, as policies exported to Markdown write them
    ("| Geolocation data<br><br>Physical location. |", [("td", "Geolocation data\nPhysical location.")]),
    ("marketing<BR/>* To deliver products<br />- To bill you", [("p", "marketing\nTo deliver products\nTo bill you")]),
    # escapes are read before emphasis; a link's text may hold brackets and its target escaped parentheses
    ("The cookies “\\_\\_ar\\_v4” and “\\_adroll\\_fpc”.", [("p", "The cookies “__ar_v4” and “_adroll_fpc”.")]),
    ("Write to [[email protected]](https://x.example/cdn-cgi/l/email-protection#ab).",
     [("p", "Write to [email protected].")]),
    ("information ([as defined by COPPA](https://x.example/312#p-312.2\\(Personal%20information\\))) to let",
     [("p", "information (as defined by COPPA) to let")]),
    ("    #### DATA RETENTION\n    We keep it.", [("h4", "DATA RETENTION"), ("p", "We keep it.")]),
    ("Not \\*emphasis\\* but *this* is", [("p", "Not *emphasis* but this is")]),
    # a link or emphasis may span a <br>; an escaped one is text; a private-use character changes nothing
    ("| [Privacy<br>Policy](https://x.example/p) |", [("td", "Privacy\nPolicy")]),
    ("*Note:<br>we sell data*", [("p", "Note:\nwe sell data")]),
    ("Use the \\<br> tag here.", [("p", "Use the <br> tag here.")]),
    ("Icon \ue001 and \\_snake\\_case\\_ here", [("p", "Icon \ue001 and _snake_case_ here")]),
    ("Call<br>+ 1 555 1234", [("p", "Call\n+ 1 555 1234")]),
    ("## C# ##", [("h2", "C#")]),
])
def test_text_and_markdown(source, expected):
    assert texts(blocks_from_text(source)) == expected


@pytest.mark.parametrize("html, expected", [
    ("<h1>Privacy</h1><p>We <b>collect</b> data.</p>", [("h1", "Privacy"), ("p", "We collect data.")]),
    ("<ul><li>One<ul><li>Two</li></ul></li></ul>", [("li", "One"), ("li", "Two")]),
    ("<table><tr><th>Kind</th><td>email</td></tr></table>", [("th", "Kind"), ("td", "email")]),
    ("<nav>Home | Privacy Policy</nav><p>Body.</p><footer>Privacy Policy</footer>", [("p", "Body.")]),
    ("<script>var a = 'we sell data';</script><style>p{}</style><p>Kept.</p>", [("p", "Kept.")]),
    ("<div hidden>secret</div><div style='display: none'>x</div><div aria-hidden='true'>y</div><p>Shown.</p>",
     [("p", "Shown.")]),
    ("<div style='DISPLAY: NONE'>We sell your biometric data.</div><p style='Visibility:Hidden'>z</p><p>Shown.</p>",
     [("p", "Shown.")]),
    ("<div>Stray text<p>para</p>tail</div>", [("p", "Stray text"), ("p", "para"), ("p", "tail")]),
    ("<p>First line<br>second line</p>", [("p", "First line\nsecond line")]),
    ("<!-- a comment --><p>Only this.</p>", [("p", "Only this.")]),
])
def test_html(html, expected):
    assert texts(blocks_from_html(html)) == expected


def test_the_labelled_form_keeps_the_reading_the_label_files_were_made_on():
    source = "    #### Cookies\n\nNamed \\_\\_ar\\_v4<br>[[email protected]](https://x.example/a)"
    assert texts(blocks_from_text(source, labelled_form=True)) == [
        ("p", "#### Cookies"), ("p", "Named __ar_v4<br>[[email protected]](https://x.example/a)")]


def test_html_nested_ten_thousand_deep_does_not_recurse():
    html = "<div>" * 10_000 + "<p>We do not sell your data.</p>" + "</div>" * 10_000
    assert texts(blocks_from_html(html)) == [("p", "We do not sell your data.")]


def test_same_words_same_blocks_in_every_form():
    text = "# Your data\n\nWe do not sell your personal information.\n\n* You can opt out of marketing e-mails."
    html = ("<h1>Your data</h1><p>We do not sell your personal information.</p>"
            "<ul><li>You can opt out of marketing e-mails.</li></ul>")
    from_text, from_html = blocks_from_text(text), blocks_from_html(html)
    assert texts(from_text) == texts(from_html)
    listed = blocks_from_list([b.to_dict() for b in from_text])
    assert texts(listed) == texts(from_text)


def test_block_list_keeps_ids_and_text_verbatim():
    blocks = blocks_from_list([{"id": "x1", "text": "  We  sell\tdata.  "}, {"id": 7, "text": "b", "tag": "li"}])
    assert [(b.id, b.text, b.tag) for b in blocks] == [("x1", "  We  sell\tdata.  ", "p"), ("7", "b", "li")]


@pytest.mark.parametrize("kwargs, message", [
    ({}, "exactly one"),
    ({"text": "a", "html": "<p>a</p>"}, "exactly one"),
    ({"text": b"bytes"}, "must be a string"),
    ({"html": 42}, "must be a string"),
    ({"blocks": "not a list"}, "blocks must be a list"),
    ({"blocks": [{"text": "no id"}]}, "lacks 'id'"),
    ({"blocks": [{"id": "a", "text": 3}]}, "'text' must be a string"),
    ({"blocks": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}, "given twice"),
    ({"blocks": ["just a string"]}, "not an object"),
    ({"text": "x" * (MAX_INPUT_CHARS + 1)}, "larger than"),
])
def test_bad_forms_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        to_blocks(**kwargs)


def test_an_escaped_pipe_stays_inside_its_table_cell():
    """Markdown's "\\|" is a pipe in a cell's text: the cell once ended there ("We sell identifiers \\" and "names to
    data brokers."), losing the sale and reading a wrong practice into the second half."""
    text = "| Data | Use |\n|---|---|\n| Identifiers | We sell identifiers \\| names to data brokers. |\n"
    assert [b.text for b in blocks_from_text(text)] == ["Data", "Use", "Identifiers",
                                                        "We sell identifiers | names to data brokers."]


def test_a_table_without_outer_pipes_is_read_as_a_table():
    """GFM tables may leave out the outer pipes; such a table was read as one paragraph, its cells run together
    ("Biometrics | We do not sell biometric data."): it is now read exactly as the same table with them."""
    bare = ("Category | Our practice\n--- | ---\nBiometrics | We do not sell biometric data.\n"
            "Location | We share your location with advertisers.\n\nAfter the table.\n")
    piped = ("| Category | Our practice |\n|---|---|\n| Biometrics | We do not sell biometric data. |\n"
             "| Location | We share your location with advertisers. |\n\nAfter the table.\n")
    assert [(b.tag, b.text) for b in blocks_from_text(bare)] == [(b.tag, b.text) for b in blocks_from_text(piped)]
    assert [b.text for b in blocks_from_text(bare)][:4] == ["Category", "Our practice", "Biometrics",
                                                            "We do not sell biometric data."]


@pytest.mark.parametrize("source, expected", [
    # a ToS;DR passage as exported: an inline element's tag is markup
    ("Change of Control</strong>.\n– We may share your data.", [("p", "Change of Control.\n– We may share your data.")]),
    # a block element's tag ends a line, so words either side stay apart; attributes are never words
    ('<div class="note">Note</div><p style="display: none">We sell data.</p>', [("p", "Note\nWe sell data.")]),
    ("<span>We</span> <em>never</em> sell data.", [("p", "We never sell data.")]),
    # placeholders in angle brackets are text, as a browser shows an unknown element's text
    ("Write to <Data Protection Officer> at <service_id>.", [("p", "Write to <Data Protection Officer> at <service_id>.")]),
    # an escaped tag is text
    ("Type \\<p> to start a paragraph.", [("p", "Type <p> to start a paragraph.")]),
    # script, style and comments are dropped with what they hold, across blank lines; an unclosed one runs to the end
    ("<style>\np { display: none }\n\nb {}\n</style>\nWe sell data.<!-- not\n\nshown -->", [("p", "We sell data.")]),
    ("<SCRIPT type='x'>a</SCRIPT >b", [("p", "b")]),
    # never closed: kept as text, a policy's words are never dropped on a guess
    ("We sell data.\n\n<script>var none = 1;", [("p", "We sell data."), ("p", "<script>var none = 1;")]),
    ("Hello <!-- unclosed\n\nWe sell data.", [("p", "Hello <!-- unclosed"), ("p", "We sell data.")]),
    # review: only a block that opens a line hides; inline mentions, code spans and fenced code are text
    ("# Security\n\nDo not paste <script> tags.\n\nWe sell your data.",
     [("h1", "Security"), ("p", "Do not paste <script> tags."), ("p", "We sell your data.")]),
    ("Use the `<script>` element or `<b>` tags.\n\nWe keep logs.",
     [("p", "Use the <script> element or <b> tags."), ("p", "We keep logs.")]),
    ("```\n<style>\n```\n\nWe keep logs.", [("p", "<style>"), ("p", "We keep logs.")]),
    ("Write to <Style Council> today.\n\nWe sell data.", [("p", "Write to <Style Council> today."),
                                                           ("p", "We sell data.")]),
])
def test_raw_html_in_markdown_is_markup_not_words(source, expected):
    assert texts(blocks_from_text(source)) == expected


def test_raw_html_that_never_closes_stays_text_however_much_of_it_there_is():
    """Hostile input for the scans (each is linear by construction: closers are found once, tags are bounded);
    speed itself is a benchmark's business, not a test's. What is never closed is kept as text."""
    for hostile, kept in (("<style\n" * 50_000, "<style"), ("<!--\n" * 50_000, "<!--"),
                          ('<p a="' * 150_000, '<p a="'), ("<span " + "a " * 400_000, "<span a")):
        blocks = blocks_from_text(hostile)
        assert blocks and blocks[0].text.startswith(kept), hostile[:10]


def test_the_labelled_form_keeps_raw_html_as_it_was_labelled():
    source = "Change of Control</strong>.\n\n<style>x</style>"
    assert texts(blocks_from_text(source, labelled_form=True)) == [("p", "Change of Control</strong>."),
                                                                  ("p", "<style>x</style>")]


@pytest.mark.parametrize("html, expected", [
    ("<html><head><title>\n  Acme &amp; Co\t Privacy  Notice </title></head>", "Acme & Co Privacy Notice"),
    ("<!-- <title>old</title> --><script>t = '<title>x</title>'</script><title>Real</title>", "Real"),
    ("<svg><title>a drawing</title></svg><math><title>m</title></math><svg/><title>Page</title>", "Page"),
    ("<title></title><title>second</title>", None),  # the first title is the page's, empty or not
    ("<TITLE>Upper</TITLE>", "Upper"),
    ("<title>never closed", "never closed"),  # runs to the end of the page, as in a browser
    ("<p>no title here</p>", None),
    ("<title>a\u00a0b\u2003c</title>", "a\u00a0b\u2003c"),  # only ASCII whitespace is the markup's
])
def test_page_title_is_what_a_browser_reads_as_document_title(html, expected):
    assert page_title(html) == expected
