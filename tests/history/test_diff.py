"""The policy diff: inserted data-use clauses are found with their practice and polarity; moves are not changes."""
from __future__ import annotations

import random

import pytest

from smallprint import analyze
from smallprint.history.diff import cut, diff_analyses, format_since, practice_phrase
from smallprint.history.normalise import words

# Mid-sized real policies of different services and styles; the clauses are inserted between paragraphs.
HOSTS = ("youtube/2022-07-11_pga2_f2ca46e.md", "instagram/2021-01-13_pga1_3cca8a0.md",
         "facebook/2018-06-11_pga1_3cca8a0.md")
INSERTIONS = {
    "ai training": ("We may use the information we collect and publicly available information to help train our "
                    "machine learning or artificial intelligence models.", "ai_training", "concern"),
    "biometric": ("We may collect and use your biometric information, such as face geometry and voiceprints, to "
                  "verify your identity.", "biometric", "concern"),
    "no ai training": ("We do not use customer content to train AI models.", "ai_training", "protective"),
}


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def _diff(old_text: str, new_text: str, since: str = "2023-05-18", depth: str = "quick"):
    # The diff is tested on the quick reading, whose readings of these synthetic clauses are fixed by the rules;
    # the learned reader's accuracy is measured against careful readers (test_eval_gate.py, MODEL_CARD_reader.md).
    # test_the_diff_reads_with_either_depth runs the full reading through the same diff.
    return diff_analyses(analyze(text=old_text, depth=depth).to_dict(), analyze(text=new_text, depth=depth).to_dict(),
                         since=since)


def test_the_diff_reads_with_either_depth():
    old = "Privacy Policy\n\nWe collect your email address to run your account."
    new = old + ("\n\nWe may use the information we collect and publicly available information to help train our "
                 "machine learning or artificial intelligence models.")
    diff = _diff(old, new, depth="full")
    assert [(c.practice, c.polarity) for c in diff.added] == [("ai_training", "concern")]
    assert diff.removed == () and diff.changed == ()


def _insert(paragraphs: list[str], clause: str, where: str) -> str:
    middle = len(paragraphs) // 2
    if where == "own paragraph":
        return "\n\n".join(paragraphs[:middle] + [clause] + paragraphs[middle:])
    # Appended to the first prose paragraph after the middle that ends a sentence: the block changes, its other
    # sentences do not.
    k = next(i for i in range(middle, len(paragraphs)) if len(paragraphs[i]) > 80
             and paragraphs[i].rstrip().endswith(".") and not paragraphs[i].lstrip().startswith(("#", "*", "-", "|")))
    return "\n\n".join(paragraphs[:k] + [paragraphs[k].rstrip() + " " + clause] + paragraphs[k + 1:])


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("insertion", list(INSERTIONS))
@pytest.mark.parametrize("where", ["own paragraph", "end of a paragraph"])
def test_an_inserted_data_use_clause_is_reported_as_added(shared_data, host, insertion, where):
    clause, practice, polarity = INSERTIONS[insertion]
    original = (shared_data / "policies" / host).read_text(encoding="utf-8")
    paragraphs = _paragraphs(original)
    revised = _insert(paragraphs, clause, where)

    diff = _diff("\n\n".join(paragraphs), revised)

    assert [c.text for c in diff.added] == [clause]
    added = diff.added[0]
    assert (added.practice, added.polarity) == (practice, polarity)
    assert added.summary
    assert diff.removed == () and diff.changed == ()
    assert "18 May 2023" in diff.summary
    assert practice_phrase(practice, polarity) in diff.summary or f"({polarity})" in diff.summary


def test_all_three_insertions_at_once_make_the_headline(shared_data):
    paragraphs = _paragraphs((shared_data / "policies" / HOSTS[1]).read_text(encoding="utf-8"))
    revised = list(paragraphs)
    for k, (clause, _, _) in enumerate(INSERTIONS.values()):
        revised.insert(5 + 7 * k, clause)
    diff = _diff("\n\n".join(paragraphs), "\n\n".join(revised))
    assert {(c.practice, c.polarity) for c in diff.added} == {(p, pol) for _, p, pol in INSERTIONS.values()}
    assert diff.summary.startswith("New since 18 May 2023")
    for _, practice, polarity in INSERTIONS.values():
        assert practice_phrase(practice, polarity) in diff.summary or practice.split("_")[0] in diff.summary.lower()


@pytest.mark.parametrize("host", HOSTS)
def test_reordering_paragraphs_is_not_a_change(shared_data, host):
    paragraphs = _paragraphs((shared_data / "policies" / host).read_text(encoding="utf-8"))
    shuffled = list(paragraphs)
    random.Random(7).shuffle(shuffled)
    diff = _diff("\n\n".join(paragraphs), "\n\n".join(shuffled))
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
    assert diff.summary == "No change to data practices since 18 May 2023."


def test_a_removed_clause_is_reported_with_its_practice(shared_data):
    paragraphs = _paragraphs((shared_data / "policies" / HOSTS[0]).read_text(encoding="utf-8"))
    clause = INSERTIONS["no ai training"][0]
    with_promise = paragraphs[:10] + [clause] + paragraphs[10:]
    diff = _diff("\n\n".join(with_promise), "\n\n".join(paragraphs))
    assert [(c.text, c.practice, c.polarity) for c in diff.removed] == [(clause, "ai_training", "protective")]
    assert "No longer promised: says it does not use your data to train AI models" in diff.summary, diff.summary


@pytest.mark.parametrize("old, new, practice, old_polarity, new_polarity", [
    ("We do not sell your personal information to anyone.", "We may sell your personal information to partners.",
     "sale_of_data", "protective", "concern"),
    ("We do not use your content to train artificial intelligence models.",
     "We use your content to train artificial intelligence models.", "ai_training", "protective", "concern"),
])
def test_a_reworded_clause_is_changed_with_its_old_text(old, new, practice, old_polarity, new_polarity):
    intro = "This privacy policy explains how Example Ltd handles your information.\n\n"
    outro = "\n\nYou can contact our data protection officer at any time."
    diff = _diff(intro + old + outro, intro + new + outro)
    assert len(diff.changed) == 1 and not diff.added and not diff.removed
    change = diff.changed[0]
    assert (change.old_text, change.text) == (old, new)
    assert (change.practice, change.polarity) == (practice, new_polarity)
    assert (practice, old_polarity) in {(f.practice, f.polarity) for f in change.old_findings}
    assert "New since 18 May 2023" in diff.summary and "No longer promised" in diff.summary


def _analysis(blocks: list[str], highlights: list[tuple[int, str, str, str]]) -> dict:
    """A hand-made analysis: block texts, and (block index, quoted words, practice, polarity) highlights."""
    out_highlights = []
    for index, quote, practice, polarity in highlights:
        start = blocks[index].index(quote)
        out_highlights.append({"block": f"b{index}", "start": start, "end": start + len(quote), "text": quote,
                               "practice": practice, "polarity": polarity, "summary": f"{practice} {polarity}",
                               "confidence": 0.9})
    return {"blocks": [{"id": f"b{i}", "text": t, "tag": "p"} for i, t in enumerate(blocks)],
            "highlights": out_highlights}


@pytest.mark.parametrize("old_blocks, new_blocks", [
    (["1. We collect your email.", "2. We share it with partners."], ["We share it with partners.", "We collect your email."]),
    (["Contact\n\nWe collect your email. We share it with partners."], ["Contact", "We collect your email.", "We share it with partners."]),
    (["**We collect** your email.", "We share it\nwith partners."], ["We collect your email.", "We share it with partners."]),
    (["We collect your email.", "We share it with partners."], ["We collect your email. We share it with partners."]),
])
def test_resegmenting_and_formatting_are_not_changes(old_blocks, new_blocks):
    diff = diff_analyses(_analysis(old_blocks, []), _analysis(new_blocks, []))
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())


def test_clause_findings_come_from_the_engine_highlights_over_them():
    old = _analysis(["We collect your email."], [])
    new = _analysis(["We collect your email. We share your face geometry with partners."],
                    [(0, "face geometry", "biometric", "concern"), (0, "share", "third_party_sharing", "concern")])
    diff = diff_analyses(old, new, since="2023-05-18T10:00:00Z")
    (added,) = diff.added
    assert added.text == "We share your face geometry with partners."
    assert {(f.practice, f.polarity) for f in added.findings} == {("biometric", "concern"),
                                                                  ("third_party_sharing", "concern")}
    assert diff.to_dict()["added"][0]["findings"]
    assert set(diff.to_dict()) >= {"added", "removed", "changed", "summary"}


@pytest.mark.parametrize("since, shown", [
    ("2023-05-18", "18 May 2023"), ("2023-05-18T23:59:59.123456Z", "18 May 2023"), ("old.md", "old.md"), (None, None),
])
def test_format_since(since, shown):
    assert format_since(since) == shown


def test_a_highlight_over_many_clauses_is_given_only_to_the_clause_that_states_it():
    blocks = ["To develop new services. Examples of processing activities: Understanding how people organised "
              "their photos helped us design a photos app. We use publicly available information to help train "
              "our machine learning models."]
    new = _analysis(blocks, [(0, blocks[0], "ai_training", "concern")])  # the whole block, wider than a clause
    diff = diff_analyses(_analysis([], []), new)
    practices = {c.text: c.practice for c in diff.added}
    assert practices["We use publicly available information to help train our machine learning models."] == \
        "ai_training"
    assert practices["Understanding how people organised their photos helped us design a photos app."] is None
    assert practices["To develop new services."] is None


def test_a_sentence_split_by_a_pdf_line_break_is_read_whole():
    # The engine saw "sell any of your information ..." without its "We don't" and called it a concern.
    blocks = ["We don't", "sell any of your information to anyone, and we never will."]
    new = _analysis(blocks, [(1, "sell any of your information to anyone", "sale_of_data", "concern")])
    (added,) = diff_analyses(_analysis([], []), new).added
    assert added.text == "We don't sell any of your information to anyone, and we never will."
    assert (added.practice, added.polarity) == ("sale_of_data", "protective")


def test_a_split_sentence_is_read_whole_when_only_one_half_changed():
    """The unchanged "We don't" paragraph is set aside as identical; the changed half must still be read with it,
    not reported as "sell any of your information ..." with the concern the engine saw in that half alone."""
    old = _analysis(["We don't", "sell any of your information to anyone."],
                    [(1, "sell any of your information to anyone", "sale_of_data", "concern")])
    new = _analysis(["We don't", "sell any of your information to anyone, and we never will."],
                    [(1, "sell any of your information to anyone", "sale_of_data", "concern")])
    diff = diff_analyses(old, new)
    reported = [c for c in (*diff.added, *diff.changed)]
    assert [c.text for c in reported] == ["We don't sell any of your information to anyone, and we never will."]
    assert (reported[0].practice, reported[0].polarity) == ("sale_of_data", "protective")


def test_a_statement_repeated_in_every_table_row_is_one_change():
    old = "# Privacy Policy\n\nWe collect your email address to run the service."
    row = "| {} | We share it with advertising partners for personalised ads. |"
    new = old + "\n\n" + "\n".join(row.format(kind) for kind in ("Name", "Email", "Phone", "Address", "Device",
                                                                    "Location", "Purchases"))
    diff = _diff(old, new).to_dict()
    shared = [c for c in diff["added"] if "advertising partners" in c["text"]]
    assert len(shared) == 1 and shared[0]["occurrences"] == 7, diff["added"]
    # ...listed once, while the page can still mark it in every row it was added in
    blocks = {b["id"]: b["text"] for b in analyze(text=new, depth="quick").to_dict()["blocks"]}
    places = [shared[0], *shared[0]["elsewhere"]]
    assert len({(p["block"], p["start"]) for p in places}) == 7
    assert {blocks[p["block"]][p["start"]:p["end"]] for p in places} == {shared[0]["text"]}
    assert all(c["elsewhere"] == [] for c in diff["added"] if c is not shared[0])


def test_counts_add_up_and_a_version_against_itself_has_no_change(shared_data):
    versions = sorted((shared_data / "policies" / "facebook").glob("*.md"))
    old, new = (analyze(text=v.read_text(encoding="utf-8"), depth="quick").to_dict() for v in versions[-2:])
    same = diff_analyses(new, new).to_dict()["counts"]
    assert (same["added"], same["removed"], same["changed"]) == (0, 0, 0)
    assert same["unchanged"] == same["statements"]["new"] == same["statements"]["old"]
    counts = diff_analyses(old, new).to_dict()["counts"]
    assert counts["unchanged"] + counts["added"] + counts["changed"] == counts["statements"]["new"] == same["unchanged"]
    assert counts["removed"] + counts["changed"] <= counts["statements"]["old"]


def test_the_headline_never_says_more_and_fewer_about_one_practice():
    old = ("# Privacy Policy\n\nWe share your data with analytics providers.\n\n"
           "We share your data with payment processors.")
    new = ("# Privacy Policy\n\nWe share your data with advertising networks.\n\n"
           "We disclose your information to our marketing affiliates in other countries.")
    summary = _diff(old, new).summary
    more = summary.split("More clauses about", 1)[1].split(".")[0] if "More clauses about" in summary else ""
    fewer = summary.split("Fewer clauses about", 1)[1].split(".")[0] if "Fewer clauses about" in summary else ""
    labels = lambda part: {w.strip().split(" (")[0] for w in part.replace(" and ", ",").split(",") if w.strip()}
    assert not (labels(more) & labels(fewer)), summary



def _added_and_removed_about_ads():
    """Ads are stated in both versions (a kept clause); one ad clause went and two unrelated ones came, none
    reworded; and a neutral mention of ads went while concerns about ads came."""
    kept = "Our partners show you personalised ads on other sites."
    gone = ["We show ads based on the videos you watch.", "Advertisers may receive reports about ad views."]
    came = ["Your searches help us choose which ads you see across our services.",
            "Sponsors pay for placements in your home feed."]
    old = _analysis([kept, *gone], [(0, kept, "advertising", "concern"), (1, gone[0], "advertising", "concern"),
                                    (2, gone[1], "advertising", "neutral")])
    new = _analysis([kept, *came], [(0, kept, "advertising", "concern"), (1, came[0], "advertising", "concern"),
                                    (2, came[1], "advertising", "concern")])
    return diff_analyses(old, new, since="2008-11-20")


def test_the_headline_says_reworded_only_of_reworded_clauses():
    """youtube 2008 -> 2015: "Reworded: Advertising (concern) ... and 6 more" while `counts.data_use.changed` was 0: a
    practice with clauses added and removed was headlined as reworded. It is said as what the counts count."""
    diff = _added_and_removed_about_ads()
    counts = diff.to_dict()["counts"]["data_use"]
    assert counts == {"added": 2, "removed": 2, "changed": 0}, counts
    assert "Reworded" not in diff.summary and "More clauses" not in diff.summary, diff.summary
    assert "Fewer clauses" not in diff.summary, diff.summary
    assert diff.summary == "Since 20 November 2008: new and removed clauses about Advertising.", diff.summary


def test_a_neutral_practice_still_mentioned_otherwise_is_not_no_longer_mentioned():
    """youtube 2008 -> 2015 also said "No longer mentioned: advertising" beside 20 new clauses about advertising."""
    summary = _added_and_removed_about_ads().summary
    assert "No longer mentioned" not in summary and "Newly mentioned" not in summary, summary


def test_every_summary_of_the_shared_versions_names_only_what_its_lists_hold(shared_data):
    """Each consecutive pair of the shared data's dated versions (quick depth): "Reworded" names only practices of
    reworded clauses, "New and removed" only practices with clauses in both lists, never one practice both "More"
    and "Fewer"."""
    from smallprint.history.diff import _sure_pairs
    from smallprint.taxonomy import PRACTICE_BY_ID

    by_label = {p.label: pid for pid, p in PRACTICE_BY_ID.items()}

    def said(summary: str, lead: str) -> set[str]:
        part = summary.split(lead, 1)[1].split(".")[0] if lead in summary else ""
        part = part.rsplit(" and ", 1)[0] if part.rstrip().endswith(" more") else part
        return {by_label[item.split(" (")[0].strip()] for item in part.replace(" and ", ", ").split(", ")
                if item.strip()}

    for folder in ("youtube", "facebook", "instagram"):
        versions = sorted((shared_data / "policies" / folder).glob("*.md"))
        readings = [analyze(text=v.read_text(encoding="utf-8"), depth="quick").to_dict() for v in versions]
        for (a, old), (b, new) in zip(zip(versions, readings), list(zip(versions, readings))[1:]):
            diff = diff_analyses(old, new, since=a.name[:10])
            stated = lambda changes, side="findings": {p for c in changes for p, _ in _sure_pairs(getattr(c, side))}
            reworded = stated(diff.changed) | stated(diff.changed, "old_findings")
            assert said(diff.summary, "Reworded: ") <= reworded, (a.name, b.name, diff.summary)
            both = said(diff.summary.replace(": new and removed", ". New and removed"), "New and removed clauses about ")
            assert both <= stated(diff.added) & stated(diff.removed), (a.name, b.name, diff.summary)
            assert not said(diff.summary, "More clauses about ") & said(diff.summary, "Fewer clauses about "), \
                (a.name, b.name, diff.summary)

def test_the_text_view_says_how_many_places_a_repeated_change_makes():
    from smallprint.cli.cmd_history import render_diff_text

    old = "# Privacy Policy\n\nWe collect your email address to run the service."
    new = old + "\n\n" + "\n".join(f"| {k} | We share it with advertising partners for personalised ads. |"
                                   for k in ("Name", "Email", "Phone"))
    text = render_diff_text(_diff(old, new), old="a.md", new="b.md")
    assert "(in 3 places)" in text and "distinct statements: " in text


_OLD_SHORT = ("# Privacy Policy\n\nWe collect your email address to run your account.\n\n"
              "We share your email address with advertisers.\n\nYou can delete your account at any time.\n")
# the reworded sentence appears twice in the new version: in the text and again in a summary
_NEW_SHORT = ("# Privacy Policy\n\nWe collect your email address to run your account.\n\n"
              "We share your email address and phone number with advertisers.\n\nYou can delete your account at "
              "any time.\n\n## Summary\n\nWe share your email address and phone number with advertisers.\n")


def test_a_reworded_statement_said_twice_is_one_change_and_the_counts_add_up():
    """Not one "changed" and one "added" for the same new wording: its second copy is one more occurrence of the
    change; and the statements neither added nor changed are the unchanged ones."""
    d = diff_analyses(analyze(text=_OLD_SHORT, depth="quick").to_dict(),
                      analyze(text=_NEW_SHORT, depth="quick").to_dict())
    reported = [words(c.text) for c in (*d.added, *d.changed)]
    assert len(reported) == len(set(reported)), [(c.change, c.text) for c in (*d.added, *d.changed)]
    (change,) = [c for c in d.changed if "phone number" in c.text]
    assert change.occurrences == 2
    (other,) = change.elsewhere  # the summary's copy, where the page marks it too
    assert other != (change.block, change.start, change.end)
    new_blocks = {b["id"]: b["text"] for b in analyze(text=_NEW_SHORT, depth="quick").to_dict()["blocks"]}
    assert new_blocks[other[0]][other[1]:other[2]] == change.text
    # new version: the heading, collect, share..., delete, "Summary" = 5 statements, 2 touched
    assert d.statements[1] == 5 and d.unchanged == 3
    assert [c.text for c in d.added] == ["Summary"]


def test_a_versions_statement_count_does_not_depend_on_what_it_is_compared_with():
    """A sentence a converted PDF broke over two paragraphs is one statement whether or not one half changed, so
    diff A B and diff B B count B's statements alike, and A B's unchanged, changed and added add up to them."""
    b = ("# Privacy Policy\n\nWe collect your email address and\n\nshare it with advertisers for marketing.\n\n"
         "We keep your data for one year.\n")
    a = b.replace("with advertisers", "with our partners")
    ab = diff_analyses(analyze(text=a, depth="quick").to_dict(), analyze(text=b, depth="quick").to_dict())
    bb = diff_analyses(analyze(text=b, depth="quick").to_dict(), analyze(text=b, depth="quick").to_dict())
    assert ab.statements[1] == bb.statements[1] == bb.unchanged == bb.statements[0]
    assert ab.unchanged + len(ab.changed) + len(ab.added) == bb.unchanged


@pytest.mark.parametrize("old_polarity, new_polarity, lead", [
    ("protective", "concern", "Turned against you, in a clause that was in your favour: "),
    ("concern", "protective", "Turned in your favour, in a clause that was a concern: "),
])
def test_a_clause_that_turns_is_named_as_turned_not_as_reworded(old_polarity, new_polarity, lead):
    """UX review: "We do not sell" -> "We may sell" in a policy that states both polarities of sale elsewhere
    (a CCPA "may be considered a sale", a promise about children) was headlined "Reworded: Sale of data
    (concern), ..., Sale of data (protective)"."""
    others = ["Sharing identifiers with ad partners may be considered a sale under California law.",
              "We never sell the personal information of children under 16."]
    old = _analysis(["We do not sell your personal information.", *others],
                    [(0, "We do not sell your personal information.", "sale_of_data", old_polarity),
                     (1, others[0], "sale_of_data", "concern"), (2, others[1], "sale_of_data", "protective")])
    new = _analysis(["We may sell your personal information.", *others],
                    [(0, "We may sell your personal information.", "sale_of_data", new_polarity),
                     (1, others[0], "sale_of_data", "concern"), (2, others[1], "sale_of_data", "protective")])
    summary = diff_analyses(old, new, since="2023-05-18").summary
    assert summary.startswith(lead), summary
    assert "Reworded" not in summary and "More clauses" not in summary and "Fewer clauses" not in summary


# --- what a statement is: link labels, headings, lists written in a cell ------------------------------------------

def _statements(analysis: dict) -> list[str]:
    return [c.text for c in cut(analysis)[0]]


def _reported(diff) -> list[str]:
    return [c.text for c in (*diff.added, *diff.removed, *diff.changed)]


def test_a_link_that_ends_a_paragraph_does_not_run_into_the_heading_below_it():
    """A change report listed "Learn more benefits the public": a "[Learn more](...)" link ends a paragraph (no full
    stop), and the glossary heading under it starts in lower case, as the second half of a sentence a converted PDF
    broke over two paragraphs does."""
    old = ("# Privacy Policy\n\nWe may anonymize data. [Learn more](https://example.com/anonymization)\n\n"
           "You can delete your account at any time.\n")
    new = old.replace("\n\nYou can", "\n\n### benefits the public\n\nFor example, we publish reports about requests "
                                     "to remove content.\n\nYou can")
    assert _reported(_diff(old, new)) == ["benefits the public",
                                          "For example, we publish reports about requests to remove content."]


@pytest.mark.parametrize("blocks, statements", [
    # a heading is never half of a sentence, nor is a table cell
    ([("h2", "About Example and ExampleAI"), ("p", "exampleAI is a service that answers questions.")],
     ["About Example and ExampleAI", "exampleAI is a service that answers questions."]),
    ([("td", "Contact details"), ("td", "your name and email address")],
     ["Contact details", "your name and email address"]),
    # a list item starts an item of its own
    ([("li", "your profile name"), ("li", "your profile photo, if you upload one")],
     ["your profile name", "your profile photo, if you upload one"]),
    # a paragraph, or a list item, that a page break cut is still joined to its paragraph
    ([("li", "We share it with service providers and"), ("p", "courts when the law requires it.")],
     ["We share it with service providers and courts when the law requires it."]),
    # a view stored before blocks kept their kind: paragraphs
    ([(None, "We don't"), (None, "sell any of your information.")], ["We don't sell any of your information."]),
])
def test_a_sentence_is_joined_over_two_blocks_only_from_running_text_into_a_paragraph(blocks, statements):
    analysis = {"blocks": [{"id": f"b{k}", "text": text, **({"tag": tag} if tag else {})}
                           for k, (tag, text) in enumerate(blocks)], "highlights": []}
    assert _statements(analysis) == statements


def test_each_line_of_a_list_written_in_a_table_cell_is_a_statement():
    """A list in a Markdown table cell is written with <br>s, which the engine keeps as line breaks (the bullets go
    with them): each line is an item, and the link label under the list ("Information from Partners ...") is not
    the end of the last item."""
    cell = ("| Information we use |\n| --- |\n| Your activity:<br><br>* Content you create, like posts<br>"
            "* Device signals<br><br>[Information from Partners](#partners) |\n")
    analysis = analyze(text="# Privacy Policy\n\n" + cell, depth="quick").to_dict()
    assert _statements(analysis) == ["Privacy Policy", "Information we use", "Your activity:",
                                     "Content you create, like posts", "Device signals", "Information from Partners"]
    # a line the author wrapped inside a sentence is still one statement
    assert _statements(_analysis(["We share it\nwith partners, and\n(never) sell it."], [])) == [
        "We share it\nwith partners, and\n(never) sell it."]


def test_an_abbreviation_does_not_end_a_statement():
    analysis = _analysis(["To view our certification, visit the U.S. Department of Commerce's website. We collect "
                          "device data (e.g. GPS location) and more."], [])
    assert _statements(analysis) == ["To view our certification, visit the U.S. Department of Commerce's website.",
                                     "We collect device data (e.g. GPS location) and more."]


def test_no_statement_of_a_real_version_runs_into_the_heading_after_it(shared_data):
    """youtube's glossary ends paragraphs with "[Learn more](...)" above lower-case headings: "Learn more phone
    number", "Learn more benefits the public" were statements, and reported as added."""
    for version in sorted((shared_data / "policies" / "youtube").glob("*.md")):
        analysis = analyze(text=version.read_text(encoding="utf-8"), depth="quick").to_dict()
        blocks = analysis["blocks"]
        after = {b["id"]: blocks[k + 1] for k, b in enumerate(blocks[:-1])}
        glued = [c.text for c in cut(analysis)[0] if c.block in after and after[c.block]["tag"].startswith("h")
                 and c.text.endswith(" " + after[c.block]["text"])]
        assert not glued, (version.name, glued)
    folder = shared_data / "policies" / "youtube"
    old, new = (analyze(text=(folder / name).read_text(encoding="utf-8"), depth="quick").to_dict()
                for name in ("2022-07-11_pga2_f2ca46e.md", "2024-01-15_pga2_b523f1f.md"))
    reported = _reported(diff_analyses(old, new))
    assert "benefits the public" in reported and not [t for t in reported if t.startswith("Learn more ")
                                                      and not t.startswith(("Learn more about", "Learn more in"))]


def test_a_real_list_in_table_cells_is_cut_into_its_items(shared_data):
    """facebook's 2023 policy lists, in table cells, what information each purpose uses: the items ran into one
    statement ("Device characteristics and device software What you're doing on your device ... Device signals
    ...")."""
    folder = shared_data / "policies" / "facebook"
    old, new = (analyze(text=(folder / name).read_text(encoding="utf-8"), depth="quick").to_dict()
                for name in ("2021-11-14_pga1_3cca8a0.md", "2023-01-01_pga2_6ffec9c.md"))
    assert {"Device signals", "Device characteristics and device software"} <= set(_statements(new))
    for text in _reported(diff_analyses(old, new)):
        for k in (k for k, ch in enumerate(text) if ch == "\n"):  # a line break left inside a statement is wrapping
            assert (text[k - 1].isalnum() or text[k - 1] == ",") and (text[k + 1].islower() or text[k + 1] == "("), text


# --- what a change is: a wording already there, phrases recombined ----------------------------------------------------

def test_a_wording_the_old_version_already_had_is_not_a_rewording():
    """The text now says what the summary said before: the reader has read that wording. It is no rewording of the
    sentence it replaced, which is removed."""
    summary = "\n\n## Summary\n\nWe share your email address and phone number with advertisers.\n"
    old = ("# Privacy Policy\n\nWe share your email address with advertisers for marketing.\n\n"
           "You can delete your account." + summary)
    new = ("# Privacy Policy\n\nWe share your email address and phone number with advertisers. We keep it for a "
           "year.\n\nYou can delete your account." + summary)
    diff = _diff(old, new)
    assert diff.changed == ()
    assert [c.text for c in diff.removed] == ["We share your email address with advertisers for marketing."]
    assert [c.text for c in diff.added] == ["We keep it for a year."]


def test_a_real_wording_said_elsewhere_before_is_not_a_rewording(shared_data):
    """youtube's 2022 policy, diffed against its 2021 one (newer first): "Chrome browsing history you've synced with
    your Google Account;" (a list item in 2022 too, and again in 2021's California table) was listed as the new
    wording of 2022's glossary sentence about Chrome sync."""
    folder = shared_data / "policies" / "youtube"
    newer, older = (analyze(text=(folder / name).read_text(encoding="utf-8"), depth="quick").to_dict()
                    for name in ("2022-07-11_pga2_f2ca46e.md", "2021-07-03_pga1_3cca8a0.md"))
    diff = diff_analyses(newer, older)
    old_statements = cut(newer)[1]
    assert not [c.text for c in diff.changed if words(c.text) in old_statements]
    assert [c.text for c in diff.removed if c.text.startswith("Your Chrome browsing history is only saved")]


def test_a_rewording_that_recombines_phrases_of_the_old_version_is_listed():
    """Every run of four words of "We do not sell your personal information to advertisers." is somewhere in the old
    version ("we do not sell" in one sentence, "sell your personal information" in another): its words are not
    only cut differently, they say something the old version did not."""
    old = ("# Privacy Policy\n\nWe sell your personal information to advertisers. We do not sell your data to anyone "
           "under 16.\n\nYou can delete your account at any time.\n")
    new = old.replace("We sell your", "We do not sell your").replace("under 16", "under 13")
    diff = _diff(old, new)
    assert [(c.old_text, c.text) for c in diff.changed] == [
        ("We sell your personal information to advertisers.",
         "We do not sell your personal information to advertisers."),
        ("We do not sell your data to anyone under 16.", "We do not sell your data to anyone under 13.")]
    assert diff.added == diff.removed == ()


def _real_pair(shared_data, service: str, old_name: str, new_name: str):
    return diff_analyses(*(analyze(text=(shared_data / "policies" / service / name).read_text(encoding="utf-8"),
                                   depth="quick").to_dict() for name in (old_name, new_name)))


def test_a_real_rewording_that_recombines_phrases_is_listed(shared_data):
    """facebook 2023-01-01 -> 2024-08-09 dropped "advertisers" from a purpose ("... to businesses, advertisers and
    other partners:"); every run of four words of the new wording was somewhere in the old version, so it was not
    listed at all."""
    diff = _real_pair(shared_data, "facebook", "2023-01-01_pga2_6ffec9c.md", "2024-08-09_pga2_49a826a.md")
    assert "Providing measurement, analytics and other business services to businesses, and other partners:" in \
        [c.text for c in (*diff.added, *diff.changed)]


def test_a_clause_only_cut_differently_can_be_the_other_half_of_a_change(shared_data):
    """youtube 2022 -> 2024: "For example, we process your payment information ..." became a list item without its
    "For example,", and a sentence gained an address. One side of each has its words in the other version in the
    same order (re-cut), the other does not: without a partner it would read as removed (or added)."""
    diff = _real_pair(shared_data, "youtube", "2022-07-11_pga2_f2ca46e.md", "2024-01-15_pga2_b523f1f.md")
    changed = {(c.old_text, c.text) for c in diff.changed}
    assert ("For example, we process your payment information when you buy extra storage for Google Drive.",
            "We process your payment information when you buy extra storage for Google Drive.") in changed
    assert ("Google LLC for users of Google services based in the United Kingdom",
            "Google LLC for users of Google services based in the United Kingdom, located at 1600 Amphitheatre "
            "Parkway, Mountain View, California 94043, USA.") in changed


# --- review finding 7: a heading-like line, an information icon, and where a joined clause is -------------------

def _statements_of(text: str) -> list[str]:
    return [c.text for c in cut(analyze(text=text, depth="quick").to_dict())[0]]


def test_an_information_icon_is_no_word_and_starts_what_follows_it():
    """facebook 2025: a heading-like line, then "ⓘ If we cannot associate you ..." as a paragraph of its own. NFKC made
    the icon an "i", whose lower case made the note read as the rest of the heading: "Providing, developing and
    improving AI at Meta i If we cannot associate you ..."; a line of two notes ran into one statement."""
    text = ("# Privacy Policy\n\nProviding, developing and improving AI at Meta\n\n"
            "\u24d8 If we cannot associate you or your device with a registered user of the Meta Products\n\n"
            "Sharing information with others including law enforcement\n\n"
            "\u24d8 For registered users of the Meta Products \u24d8 For all registered users, including those under "
            "the age of majority\n\n"
            "\u2139\ufe0f see our help pages for what we collect\n")
    statements = _statements_of(text)
    assert "Providing, developing and improving AI at Meta" in statements
    assert "If we cannot associate you or your device with a registered user of the Meta Products" in statements
    assert "For registered users of the Meta Products" in statements
    assert "For all registered users, including those under the age of majority" in statements
    # a note after an icon is a line of its own, even in lower case
    assert "see our help pages for what we collect" in statements
    assert not [s for s in statements if "i" in s.split() or "\u24d8" in s or "\u2139" in s], statements


@pytest.mark.parametrize("first, second", [
    ("April 24, 2025", "xAI's main Privacy Policy outlines how xAI collects and uses your personal information."),
    ("+420 228 881 031", "experts@verasafe.com"),
    ("VeraSafe, LLC", "c/o VeraSafe Ireland Ltd."),
    ("San Francisco, California 94105", "privacy@instacart.com"),
    ("Online: [here](https://example.com/help)", "[rep\\_tinder@prighter.com](mailto:rep_tinder@prighter.com)"),
    ("Google", "https://policies.google.com/technologies/ads"),
    # a heading, a label or a list item may end with a particle; the next line is its own
    ("People and accounts you share and communicate with", "When you share and communicate using our Products, you "
     "choose the audience."),
    ("Legitimate interests relied on", "It is in our interest to show you relevant ads."),
    ("Terms you search for", "Videos you watch"),
    ("To comply with applicable law; and", "To protect the rights of Example Inc."),
    ("Sign in or", "Create an account"),
    ("Contact us via", "Email"),
])
def test_a_line_of_its_own_is_not_the_rest_of_the_line_above(first, second):
    """A date, an address, a telephone number or a link above a line that starts in lower case only because it is an
    address or a name written with capitals inside: two lines, not one broken sentence (grok, perplexity, tinder)."""
    from smallprint.history.normalise import clean_inline

    statements = _statements_of(f"# Contact\n\n{first}\n\n{second}\n")
    assert words(clean_inline(second)) in {words(s) for s in statements}, statements


@pytest.mark.parametrize("first, second, joined", [
    ("When you use our services, you\u2019re trusting us with your",
     "information. We understand this is a big responsibility.",
     "When you use our services, you're trusting us with your information."),
    ("In the event of the death of a user, please send us an email to the following email",
     "address:support@instagram.com. We will usually write back.",
     "In the event of the death of a user, please send us an email to the following email "
     "address:support@instagram.com."),
    ("Users are able to change their personal information by emailing us at", "support@alphavantage.co.",
     "Users are able to change their personal information by emailing us at support@alphavantage.co."),
    ("We collect information from our users (\u201cUsers,\u201d \u201cyou,\u201d",
     "and/or \u201cyour\u201d) to run the service.",
     "We collect information from our users (\"Users,\" \"you,\" and/or \"your\") to run the service."),
    # a name after a word no sentence ends with: the line above was cut mid-sentence (youtube 2021, whose diff
    # against 2015 paired the half "... individuals outside of" with an unrelated old clause)
    ("We do not share your personal information with companies, organizations, or individuals outside of",
     "Google except in the following cases:",
     "We do not share your personal information with companies, organizations, or individuals outside of Google "
     "except in the following cases:"),
    ("You can turn off all Platform applications from your", "Privacy Settings.",
     "You can turn off all Platform applications from your Privacy Settings."),
])
def test_a_sentence_a_converted_pdf_broke_over_two_paragraphs_is_still_joined(first, second, joined):
    """The rule keeps every join of the shared data's converted PDFs (youtube 2021, instagram 2012, facebook 2012 ...),
    short first halves that look like headings and halves that end in an e-mail address included."""
    assert joined in _statements_of(f"# Privacy Policy\n\n{first}\n\n{second}\n")


def _part_texts(analysis: dict, change: dict) -> str:
    from smallprint.history.normalise import clean_inline

    text_of = {b["id"]: b["text"] for b in analysis["blocks"]}
    return " ".join(clean_inline(text_of[p["block"]][p["start"]:p["end"]]).strip("*_ ") for p in change["parts"])


def test_a_clause_joined_over_two_paragraphs_is_located_by_its_parts():
    """A joined clause's block/start/end named its first half only, so its text was not what they located: `parts`
    names every half (the first is block/start/end), and the text is theirs joined."""
    old = analyze(text="# Privacy Policy\n\nWe keep your data for a year.\n", depth="quick").to_dict()
    new = analyze(text=("# Privacy Policy\n\nWe keep your data for a year. We may share your email address and\n\n"
                        "phone number with advertising partners for marketing.\n"), depth="quick").to_dict()
    added = diff_analyses(old, new).to_dict()["added"]
    (clause,) = [c for c in added if c["text"].startswith("We may share")]
    assert clause["text"] == ("We may share your email address and phone number with advertising partners for "
                              "marketing.")
    assert len(clause["parts"]) == 2 and clause["parts"][0] == {k: clause[k] for k in ("block", "start", "end")}
    assert clause["parts"][1]["block"] != clause["block"]
    assert _part_texts(new, clause) == clause["text"]
    # a clause within one block has one part, its block/start/end
    one = analyze(text="# Privacy Policy\n\nWe keep your data for a year. We sell your data to brokers.\n",
                  depth="quick").to_dict()
    (single,) = diff_analyses(old, one).to_dict()["added"]
    assert single["parts"] == [{k: single[k] for k in ("block", "start", "end")}]
    assert _part_texts(one, single) == single["text"] == "We sell your data to brokers."


def test_real_listed_clauses_are_what_their_parts_locate_and_no_icon_reads_as_a_word(shared_data):
    """facebook 2024 -> 2025 listed 23 clauses such as "Providing, developing and improving AI at Meta i If we cannot
    associate you ...", located at 0-46 of the heading alone; and facebook 2009 -> 2012, a converted PDF, keeps its
    sentences joined over paragraphs, each located by its parts."""
    for old_name, new_name in (("2024-08-09_pga2_49a826a.md", "2025-12-17_pga2_df69a0e.md"),
                               ("2009-12-11_pga1_3cca8a0.md", "2012-12-26_pga1_3cca8a0.md")):
        old, new = (analyze(text=(shared_data / "policies" / "facebook" / name).read_text(encoding="utf-8"),
                            depth="quick").to_dict() for name in (old_name, new_name))
        diff = diff_analyses(old, new).to_dict()
        listed = [(new, c) for c in diff["added"] + diff["changed"]] + [(old, c) for c in diff["removed"]]
        assert not [c["text"] for _, c in listed if "i" in c["text"].split()]
        assert not [c["text"] for a, c in listed if _part_texts(a, c) != c["text"]]
        if new_name.startswith("2012"):
            assert len([c for _, c in listed if len(c["parts"]) > 1]) >= 50
    statements = cut(new)[1]
    assert words("When you sign up for Facebook, you are required to provide information such as your name, email "
                 "address, birthday, and gender.") in statements


# --- review finding 16: a clause that turned is named with what it says, not a stock promise ---------------------

def test_a_turned_clause_is_quoted_not_summed_up_by_the_practices_stock_promise():
    """youtube 2021 -> 2022: "Chrome browsing history you've synced with your Google Account;" (tracking, a concern)
    became "Your Chrome browsing history is only saved to your account if you've enabled Chrome synchronization ..."
    (tracking, protective). The headline said "limits tracking or honours Do Not Track", the taxonomy's stock
    promise, which that clause does not make."""
    others = ["We use cookies and pixels to track you across other websites.",
              "We do not track you when your browser sends a Do Not Track signal."]
    old_clause = "Chrome browsing history you've synced with your Google Account."
    new_clause = ("Your Chrome browsing history is only saved to your account if you've enabled Chrome "
                  "synchronization with your Google Account.")
    old = _analysis([old_clause, *others], [(0, old_clause, "tracking", "concern"),
                                            (1, others[0], "tracking", "concern"),
                                            (2, others[1], "tracking", "protective")])
    new = _analysis([new_clause, *others], [(0, new_clause, "tracking", "protective"),
                                            (1, others[0], "tracking", "concern"),
                                            (2, others[1], "tracking", "protective")])
    summary = diff_analyses(old, new, since="2021-07-03").summary
    assert summary.startswith("Turned in your favour, in a clause that was a concern: Tracking, now \u201cYour Chrome "
                              "browsing history is only saved to your account if you've enabled Chrome "
                              "synchronization with \u2026\u201d."), summary
    assert "Do Not Track" not in summary and "limits tracking" not in summary.lower()
    back = diff_analyses(new, old).summary
    assert back.startswith("Turned against you, in a clause that was in your favour: Tracking, now \u201cChrome "
                           "browsing history you've synced with your Google Account.\u201d"), back
    assert "\u201d." not in back  # the quote's own full stop ends the sentence: no second one after it
