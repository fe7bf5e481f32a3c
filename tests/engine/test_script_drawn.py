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
