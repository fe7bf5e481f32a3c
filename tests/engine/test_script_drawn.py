"""A saved page whose text its scripts draw is told apart from an empty or short page: a notice says why nothing
was read, instead of only "too short to be a policy"."""
from __future__ import annotations

import json

from smallprint import analyze

SHELL = ("<html><head><title>Privacy</title></head><body><div id='root'></div>"
         + "<script type='application/json'>" + json.dumps({"payload": ["x" * 100] * 300}) + "</script>"
         + "<script>window.boot()</script></body></html>")


def drawn(analysis) -> list[str]:
    return [n for n in analysis.notices if n.startswith("This page's text is drawn by its scripts")]


def test_a_script_drawn_shell_gets_a_notice_saying_why_nothing_was_read():
    analysis = analyze(html=SHELL, depth="quick")
    assert analysis.highlights == () and analysis.grade.letter is None
    [notice] = drawn(analysis)
    assert "holds only 0 characters" in notice and "31 kB of script" in notice
    assert "drawn by its scripts" in analysis.to_dict()["notices"][0]  # the API and the CLI show notices as they are
    # ...and its kind says there is nothing to read, not that the page is "too short" to be a policy
    assert analysis.kind_evidence[0] == "not a policy: there is no text to read", analysis.kind_evidence


def test_short_pages_and_real_pages_with_scripts_get_no_such_notice():
    assert drawn(analyze(html="<p>We collect your email address.</p>", depth="quick")) == []
    assert drawn(analyze(html="<p>Hello</p><script>" + "x" * 5_000 + "</script>", depth="quick")) == []  # little script
    policy = "".join(f"<p>Section {i}. We collect your email address and share it with partners.</p>" for i in range(40))
    assert drawn(analyze(html=policy + "<script>" + "x" * 200_000 + "</script>", depth="quick")) == []
    assert drawn(analyze(text="x" * 10, depth="quick")) == []  # text and blocks are never a saved page


def test_of_the_served_pages_only_the_script_drawn_one_gets_it(shared_data):
    index = [json.loads(line) for line in (shared_data / "served-pages" / "index.jsonl").read_text().splitlines()
             if line.strip()]
    flagged = {row["file"] for row in index
               if drawn(analyze(html=(shared_data / "served-pages" / row["file"]).read_text(encoding="utf-8"),
                                depth="quick"))}
    assert flagged == {"llama-api-privacy-policy-docs-trust-data-commitments.html"}


def test_unclosed_script_tags_are_counted_in_one_pass():
    """Found by review: a regex per '<script' scanned to the end of the page for each unclosed tag (128 KB of
    '<script>' took 10 s). The count is one left-to-right pass; checked by the operations it does, not by time."""
    from smallprint.engine import blocks
    calls = 0
    original = blocks._SCRIPT_CLOSE

    class Counting:
        def search(self, text, pos=0):
            nonlocal calls
            calls += 1
            return original.search(text, pos)

    blocks._SCRIPT_CLOSE = Counting()
    try:
        assert blocks._script_chars("<script>" * 16_000, stop_at=10**9) == 8 * 16_000 - 8
    finally:
        blocks._SCRIPT_CLOSE = original
    assert calls == 1  # the first tag is never closed: the rest of the page is its body, read once
    assert blocks._script_chars("<script a" * 1000, stop_at=10**9) == 0  # no '>': no element, and no rescans
    assert blocks._script_chars("<p>x</p><script>abc</script><SCRIPT type=x>de</SCRIPT >", stop_at=10**9) == 5
