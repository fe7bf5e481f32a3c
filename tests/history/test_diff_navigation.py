"""A link whose words only point somewhere else ("Learn more", "Click here", "Back to top") is no statement: a new one
is not an added statement, a dropped one not a removed one, and neither is counted on either side. A link that names
something ("Do Not Sell or Share My Personal Information", "Your Privacy Choices", "Cookie settings") is a statement,
and a new one is listed as added, whatever the engine reads in it.

The versions go through a real store (each recorded, each side diffed from the view the store kept) and the real
diff; their counts are checked as tests/history/test_diff_counts.py checks them."""
from __future__ import annotations

import pytest

from smallprint import analyze
from smallprint.history.diff import cut, diff_analyses, is_navigation
from smallprint.history.normalise import words
from smallprint.history.store import Store
from tests.history.test_diff_counts import _assert_counts_are_a_partition

URL = "https://www.example.com/legal/privacy"
POLICY = ("# Privacy Policy\n\nWe collect your email address to run your account.\n\n"
          "We keep your messages for a year.\n\nYou can delete your account at any time.\n")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data" / "smallprint.sqlite3") as s:
        yield s


def _stored_diff(store: Store, old: dict, new: dict):
    """`new` recorded after `old`, diffed as the daemon diffs them: from the views the store kept. Returns the diff
    and its counts, checked to add up on both sides."""
    store.record(URL, old, now="2025-01-01T00:00:00Z")
    recorded = store.record(URL, new, now="2025-06-01T00:00:00Z")
    assert recorded.previous is not None and recorded.version.id != recorded.previous.id
    old_view, new_view = store.diff_view(recorded.previous.id), store.diff_view(recorded.version.id)
    diff = diff_analyses(old_view, new_view, since="2025-01-01")
    assert diff.to_dict() == diff_analyses(old, new, since="2025-01-01").to_dict()
    return diff, _assert_counts_are_a_partition(diff, old_view, new_view)


def _text(text: str) -> dict:
    return analyze(text=text, url=URL, depth="quick").to_dict()


def _texts(items) -> list[str]:
    return [c.text for c in items]


def test_a_new_learn_more_link_is_not_an_added_statement_but_a_new_opt_out_link_is(store):
    """A redesign puts "Learn more" links under the paragraphs (one a block of its own, one after a sentence) and
    adds the CCPA opt-out link: the opt-out is the one new statement."""
    new = POLICY.replace("a year.\n", "a year. [Learn more](https://example.com/retention)\n").replace(
        "to run your account.\n", "to run your account.\n\n[Learn more](https://example.com/email)\n") \
        + "\n[Do Not Sell or Share My Personal Information](https://example.com/ccpa)\n"
    diff, counts = _stored_diff(store, _text(POLICY), _text(new))
    assert _texts(diff.added) == ["Do Not Sell or Share My Personal Information"]
    assert (diff.added[0].practice, diff.added[0].polarity) == ("sale_of_data", "protective")
    assert diff.removed == () and diff.changed == ()
    assert counts["statements"]["new"] == counts["statements"]["old"] + 1
    assert counts["new_side"] == {"kept": counts["statements"]["old"], "added": 1, "reworded": 0}


def test_a_new_print_or_pdf_link_is_not_an_added_statement_but_a_named_control_is(store):
    """A redesign adds "Download PDF", "View printable version" and "Print" under the policy, beside "Manage ad
    preferences": only the control is new, and both sides still add up."""
    new = POLICY + ("\n[Download PDF](https://example.com/privacy.pdf)\n\n[View printable version](?print=1)\n\n"
                    "[Print](javascript:print())\n\n[Manage ad preferences](https://example.com/ads)\n")
    diff, counts = _stored_diff(store, _text(POLICY), _text(new))
    assert _texts(diff.added) == ["Manage ad preferences"]
    assert diff.removed == () and diff.changed == ()
    assert counts["statements"]["new"] == counts["statements"]["old"] + 1


def test_a_dropped_pointer_is_not_removed_and_both_sides_count_the_same_statements(store):
    """"Back to top" after each section and a "Click here" go in the new version: nothing the policy says changed."""
    old = POLICY.replace("a year.\n", "a year.\n\n[Back to top](#top)\n\n[Click here](https://example.com/x)\n")
    diff, counts = _stored_diff(store, _text(old), _text(POLICY))
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
    assert counts["statements"] == {"old": 4, "new": 4}
    assert counts["old_side"] == {"kept": 4, "removed": 0, "reworded": 0} and counts["identical"] == 4


def test_links_that_name_a_choice_are_statements_even_where_no_practice_is_read_in_them(store):
    """The extension sends a link a page shows as a block of its own with its tag ("a"): "Learn more" and "Show
    all" are no statements, "Your Privacy Choices" and "Cookie settings" are, although the engine finds no practice
    in their words."""
    def blocks(*extra):
        paragraphs = [("h1", "Privacy Policy"), ("p", "We collect your email address to run your account."),
                      ("p", "You can delete your account at any time.")]
        return analyze(blocks=[{"id": f"b{k}", "text": text, "tag": tag}
                               for k, (tag, text) in enumerate(paragraphs + list(extra))],
                       url=URL, depth="quick").to_dict()

    new = blocks(("a", "Learn more"), ("a", "Your Privacy Choices"), ("button", "Show all"),
                 ("a", "Cookie settings"))
    diff, counts = _stored_diff(store, blocks(), new)
    assert _texts(diff.added) == ["Your Privacy Choices", "Cookie settings"]
    assert counts["new_side"]["added"] == 2 and counts["statements"] == {"old": 3, "new": 5}


def test_a_pointer_that_a_converted_pdf_broke_from_the_rest_of_its_sentence_is_part_of_it():
    """facebook's 2012 policy: "... settings. Learn more" and, a paragraph below, "at: https://...". Joined back,
    "Learn more at:" is one clause (as before pointers were left out), not a pointer and a stray "at:"."""
    analysis = _text("# Privacy Policy\n\nYou can change your settings. Learn more\n\nat: https://example.com/help\n")
    assert [c.text for c in cut(analysis)[0]] == ["Privacy Policy", "You can change your settings.",
                                                  "Learn more at:", "https://example.com/help"]


def test_a_pointer_run_into_the_next_sentence_is_only_cut_differently():
    """The whole policy on one line: "[Learn more](...)" now runs into the heading and sentence after it. Its words
    are still where they were, so nothing was added (the old version's pointer is no statement, but its words are
    read when deciding what was only cut differently)."""
    old = ("# Privacy Policy\n\nWe may anonymize data. [Learn more](https://example.com/a)\n\n"
           "### combine the information we collect\n\nWe combine your activity across our services.\n")
    new = old.replace("\n\n### ", " ### ")
    old_analysis, new_analysis = _text(old), _text(new)
    diff = diff_analyses(old_analysis, new_analysis)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
    _assert_counts_are_a_partition(diff, old_analysis, new_analysis)


@pytest.mark.parametrize("text", ["Learn more", "Learn more.", "Read more »", "Click here", "here", "See more",
                                  "More information", "Back to top", "Return to top", "Top of page", "Learn how.",
                                  "See an example.", "See some examples.", "Expand", "Collapse all", "Show all",
                                  "Show less", "Continue reading",
                                  # the same policy again, as a print or a file (the shared data's apple 2025,
                                  # imgur and surveymonkey policies have the last three)
                                  "Print", "Download PDF", "View printable version", "Printer-friendly version",
                                  "Save as PDF", "Download (PDF, 245 KB)", "Download the PDF version of this policy",
                                  "Download a copy of this Privacy Policy", "Print Imgur's Privacy Policy",
                                  "Print this Page"])
def test_generic_pointers_are_navigation(text):
    assert is_navigation(words(text))


@pytest.mark.parametrize("text", ["Do Not Sell or Share My Personal Information", "Your Privacy Choices",
                                  "Cookie settings", "Download your information", "Manage ad preferences",
                                  "Learn more about how ads work", "All", "None", "More than 13 years old",
                                  "Here is what we collect", "Information", "Examples of data we collect",
                                  "Download your data", "Print your boarding pass", "Request a copy of your data",
                                  "Print settings", "Download the app", "PDF files you upload", "Privacy Policy"])
def test_what_names_something_is_not_navigation(text):
    assert not is_navigation(words(text))


# --- real versions -------------------------------------------------------------------------------------------------

def _real(shared_data, service: str, name: str) -> dict:
    return analyze(text=(shared_data / "policies" / service / name).read_text(encoding="utf-8"),
                   depth="quick").to_dict()


def test_real_redesigns_add_and_drop_no_pointers_and_keep_the_links_that_name_controls(shared_data, store):
    """instagram's 2022 policy put "Learn more." after 21 list items, "See examples." after four and "Return to top"
    after each section; its 2025 one dropped "Return to top" and the examples, and added links to the controls
    ("Download your information"). The controls are listed; the pointers are not, either way."""
    old, new = (_real(shared_data, "instagram", name) for name in
                ("2021-01-13_pga1_3cca8a0.md", "2022-09-22_pga2_f511e76.md"))
    diff, _ = _stored_diff(store, old, new)
    added = _texts(diff.added)
    assert {"Account security", "Communication preferences"} <= set(added)
    pointers = [t for t in added if is_navigation(words(t))]
    assert not pointers and not {"Learn more.", "Return to top", "See examples."} & set(added)
    newer = _real(shared_data, "instagram", "2025-12-17_pga2_918fc82.md")
    later = diff_analyses(new, newer)
    _assert_counts_are_a_partition(later, new, newer)
    assert "Download your information" in _texts(later.added)
    assert not [t for t in _texts((*later.added, *later.removed)) if is_navigation(words(t))]
    assert "Return to top" not in _texts(later.removed)
