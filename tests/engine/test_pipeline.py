"""analyze(): the issue's four examples, the same highlights in every input form, and the shape of the result."""
from __future__ import annotations

import json

import pytest

from smallprint import analyze
from smallprint.taxonomy import OPP115_CATEGORIES, PRACTICE_IDS

AI_CONCERN = ("We may use the information we collect and publicly available information to help train our machine "
              "learning or artificial intelligence models.")
AI_PROTECTIVE = ("Zoom does not use any of your audio, video, chat, screen sharing, attachments or other "
                 "communications-like Customer Content (such as poll results, whiteboard and reactions) to train "
                 "Zoom’s or third-party artificial intelligence models.")
BIOMETRIC = ("Based on your consent, we may collect and use your biometric information for safety, security, and "
             "identification purposes.")
NO_SALE = "We do not sell your personal information."


@pytest.mark.parametrize("text, practice, polarity, summary", [
    (AI_CONCERN, "ai_training", "concern", "May use your data and public data to train AI models"),
    (AI_PROTECTIVE, "ai_training", "protective", None),
    (BIOMETRIC, "biometric", "concern", None),
    (NO_SALE, "sale_of_data", "protective", "Promises not to sell your personal data"),
])
def test_issue_examples(text, practice, polarity, summary):
    analysis = analyze(text=text)
    mine = [h for h in analysis.highlights if h.practice == practice]
    assert len(mine) == 1
    h = mine[0]
    assert h.polarity == polarity
    assert (h.start, h.end, h.text) == (0, len(text), text)
    assert h.explanation and h.summary
    if summary:
        assert h.summary == summary
    # nothing else in the clause is read with the opposite polarity for the same practice
    assert {x.polarity for x in analysis.highlights if x.practice == practice} == {polarity}


def test_biometric_and_no_sale_examples_have_no_other_practices():
    # the rules' precision (the full reading is measured against careful readers: test_eval_gate.py)
    assert [h.practice for h in analyze(text=BIOMETRIC, depth="quick").highlights] == ["biometric"]
    assert [h.practice for h in analyze(text=NO_SALE, depth="quick").highlights] == ["sale_of_data"]
    assert [h.practice for h in analyze(text=NO_SALE).highlights] == ["sale_of_data"]


@pytest.mark.parametrize("text", [
    "Any dispute arising from these terms shall be resolved by binding arbitration in San Francisco, California.",
    "THE SERVICE IS PROVIDED \"AS IS\" WITHOUT WARRANTIES OF ANY KIND, EXPRESS OR IMPLIED.",
    "Acme Corp., 123 Main Street, Suite 400, Springfield, IL 62701, USA.",
    "You agree to indemnify and hold harmless the Company from any claims.",
    "These terms are governed by the laws of the State of Delaware.",
])
def test_legal_boilerplate_gets_no_highlight(text):
    assert analyze(text=text).highlights == ()


def test_an_ip_address_in_a_list_of_logged_data_is_no_location():
    # The rules read a bare IP address as tracking; the model may not add a location for it unless very sure.
    found = {h.practice for h in analyze(text="Our servers record the browser version, screen size, IP address and "
                                              "operating system of each visit.").highlights}
    assert "location" not in found
    assert "location" in {h.practice for h in analyze(text="We look up your IP address to estimate the city you "
                                                            "connect from.").highlights}


DOC_TEXT = ("# Privacy Policy\n\nWe do not sell your personal information. We use cookies and web beacons to "
            "track your activity.\n\n* You can opt out of marketing e-mails.\n* We may change this policy at any "
            "time without notice.")
DOC_HTML = ("<html><body><nav>Home</nav><h1>Privacy Policy</h1><p>We do not sell your personal information. "
            "We use cookies and web beacons to track your activity.</p><ul><li>You can opt out of marketing "
            "e-mails.</li><li>We may change this policy at any time without notice.</li></ul>"
            "<footer>Privacy Policy | Terms</footer></body></html>")


def _readings(analysis):
    texts = {b.id: b.text for b in analysis.blocks}
    return [(texts[h.block], h.start, h.end, h.practice, h.polarity, h.summary) for h in analysis.highlights]


def test_same_words_same_highlights_in_every_form():
    from_text = analyze(text=DOC_TEXT)
    from_html = analyze(html=DOC_HTML)
    from_blocks = analyze(blocks=[{"id": f"ext-{i}", "text": b.text, "tag": b.tag}
                                  for i, b in enumerate(from_text.blocks)])
    assert _readings(from_text) == _readings(from_html) == _readings(from_blocks)
    assert {h.practice for h in from_text.highlights} >= {"sale_of_data", "tracking", "user_choice", "policy_change"}
    assert {h.block for h in from_blocks.highlights} <= {f"ext-{i}" for i in range(len(from_text.blocks))}


def test_highlight_offsets_point_at_their_text():
    blocks = [{"id": "a", "text": "Intro. 😀 We may sell your personal information to advertisers. Bye."}]
    analysis = analyze(blocks=blocks)
    assert analysis.highlights
    for h in analysis.highlights:
        assert blocks[0]["text"][h.start:h.end] == h.text
        assert h.text == "😀 We may sell your personal information to advertisers."


def test_same_practice_is_never_highlighted_twice_over_the_same_words():
    text = ("We share your data with partners and affiliates, and we disclose your information to advertisers "
            "and other third parties. We share data with service providers.")
    seen = set()
    for h in analyze(text=text).highlights:
        key = (h.block, h.start, h.end, h.practice)
        assert key not in seen
        seen.add(key)


def test_result_shape_and_json(tmp_path):
    analysis = analyze(text=DOC_TEXT, url="https://example.com/privacy", title="Privacy Policy")
    d = analysis.to_dict()
    json.dumps(d)  # JSON-ready
    for key in ("schema_version", "kind", "kind_confidence", "kind_evidence", "highlights", "practices", "grade",
                "segments", "blocks", "content_hash", "url", "title"):
        assert key in d
    assert d["kind"] in ("privacy_policy", "cookie_policy", "terms_of_service", "other")
    assert 0.0 <= d["kind_confidence"] <= 1.0
    for h in d["highlights"]:
        assert set(h) >= {"block", "start", "end", "text", "practice", "polarity", "summary", "confidence",
                          "explanation"}
        assert h["practice"] in PRACTICE_IDS and h["polarity"] in ("concern", "protective", "neutral")
    practices = {p["practice"]: p for p in d["practices"]}
    assert practices["sale_of_data"]["polarity"] == "protective"
    assert practices["sale_of_data"]["summary"] == "Promises not to sell your personal data"
    for p in d["practices"]:
        assert d["highlights"][p["strongest"]]["practice"] == p["practice"]
    assert d["grade"]["letter"] in "ABCDE" and d["grade"]["formula"]
    assert all(d["highlights"][r["highlight"]]["practice"] == r["practice"] for r in d["grade"]["reasons"])
    assert [s["block"] for s in d["segments"]] == [b["id"] for b in d["blocks"]]
    assert all(set(s["categories"]) <= set(OPP115_CATEGORIES) for s in d["segments"])


def test_rules_alone_still_work():
    analysis = analyze(text=NO_SALE, use_model=False)
    assert [(h.practice, h.polarity) for h in analysis.highlights] == [("sale_of_data", "protective")]


def _policy_files(shared_data):
    files = sorted((shared_data / "policies").rglob("*.md"), key=lambda p: p.stat().st_size)
    return [files[0], files[len(files) // 2]]


def test_real_policy_reads_the_same_as_text_html_and_blocks(shared_data):
    from html import escape

    for path in _policy_files(shared_data):
        from_text = analyze(text=path.read_text(encoding="utf-8"))
        assert from_text.highlights, path
        tags = {"li": "li", "td": "td", "th": "th"}
        html = "<html><body><nav>Home</nav>" + "".join(
            f"<{tags.get(b.tag, b.tag if b.tag.startswith('h') else 'p')}>"
            + "<br>".join(escape(line) for line in b.text.split("\n"))
            + f"</{tags.get(b.tag, b.tag if b.tag.startswith('h') else 'p')}>"
            for b in from_text.blocks) + "<footer>Privacy Policy</footer></body></html>"
        from_html = analyze(html=html)
        from_blocks = analyze(blocks=[b.to_dict() for b in from_text.blocks])
        assert _readings(from_text) == _readings(from_html) == _readings(from_blocks), path
        assert from_text.grade == from_html.grade == from_blocks.grade


def test_a_polarity_the_rules_decided_is_explained_as_theirs():
    """The reader's confidence is in its own polarity; where the rules overrode it (reader.POLARITY_FROM_RULES), the
    explanation must not present it as the reader's confidence in the polarity shown."""
    from smallprint.engine.pipeline import explain
    rules = {"sale_of_data": ("concern", 'SaleOfDataRecognizer/sell_data: "sell your data"')}
    text, agree = explain("sale_of_data", "concern", 0.46, "rules_polarity", rules)
    assert text == ('reader: sale_of_data, 46% sure, with another polarity; rules: SaleOfDataRecognizer/sell_data: '
                    '"sell your data"; concern: for this practice the rules decide the polarity') and agree
    text, agree = explain("sale_of_data", "protective", 0.9, "reader", rules)
    assert text.startswith("reader: sale_of_data protective, 90% sure") and text.endswith("(rules read concern)")
    assert not agree
    assert explain("retention", "neutral", 0.7, "reader", rules) == ("reader: retention neutral, 70% sure", False)
    text, agree = explain("sale_of_data", "concern", 0.35, "rules", rules)
    assert text.startswith("rules: SaleOfDataRecognizer") and not agree


def test_the_kind_evidence_counts_one_statement_in_the_singular():
    evidence = analyze(text="We may sell your data. Caf\u00e9 opening hours are posted at the door.",
                       depth="quick").kind_evidence
    assert any(line.startswith("1 first-person data-practice statement (") for line in evidence), evidence


def test_a_name_in_another_language_is_quoted_whole_in_the_kind_evidence():
    """"calls itself “confidentialit”": the cue's word stem was quoted, its "é" cut off (a reviewer's French page)."""
    french = analyze(text="# Politique de confidentialité\n\nNous collectons vos données.", depth="quick")
    assert any("“confidentialité”" in e for e in french.kind_evidence), french.kind_evidence
    german = analyze(text="# Datenschutzerklärung\n\nWir erheben Ihre Daten.", depth="quick")
    assert any("“Datenschutzerklärung”" in e for e in german.kind_evidence), german.kind_evidence
