"""A diff's counts add up on both sides: each distinct statement of the old version is kept, removed or reworded,
each of the new version kept, added or reworded, exactly once; and they agree with the lists.

Real consecutive versions of several services (both ways, and each against itself), and small hand-made texts
for the cases where the two sides cannot match one to one: merges, splits, repeats, re-segmenting."""
from __future__ import annotations

from pathlib import Path

import pytest

from smallprint import analyze
from smallprint.history.diff import PolicyDiff, cut, diff_analyses
from smallprint.history.normalise import words

SERVICES = ("facebook", "instagram", "youtube")  # those with several versions in the shared data

_analyses: dict[Path, dict] = {}


def _analysis_of(path: Path) -> dict:
    # Each version is read once for all the tests of this module (the quick reading: the counts depend on the
    # text's cutting into statements, not on the depth of the reading).
    if path not in _analyses:
        _analyses[path] = analyze(text=path.read_text(encoding="utf-8"), depth="quick").to_dict()
    return _analyses[path]


def _consecutive(shared: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for service in SERVICES:
        versions = sorted((shared / "policies" / service).glob("*.md"))
        assert len(versions) >= 2, f"{service}: expected several versions in the shared data"
        pairs += list(zip(versions, versions[1:]))
    return pairs


def _assert_counts_are_a_partition(diff: PolicyDiff, old: dict, new: dict) -> dict:
    """Both sides add up, and every number agrees with the statements and the lists."""
    counts = diff.to_dict()["counts"]
    old_side, new_side = counts["old_side"], counts["new_side"]
    (old_clauses, old_statements), (new_clauses, new_statements) = cut(old), cut(new)
    assert counts["statements"] == {"old": len(old_statements), "new": len(new_statements)}
    assert old_side["kept"] + old_side["removed"] + old_side["reworded"] == counts["statements"]["old"], counts
    assert new_side["kept"] + new_side["added"] + new_side["reworded"] == counts["statements"]["new"], counts
    assert min(*old_side.values(), *new_side.values()) >= 0
    # The existing keys keep their meaning.
    assert counts["unchanged"] + counts["added"] + counts["changed"] == counts["statements"]["new"]
    assert (old_side["removed"], new_side["added"]) == (counts["removed"], counts["added"])
    # Every listed clause is one of its version's statements, on the side the list says. (A clause's statement is
    # its key as the cut made it: the words of a sentence joined over two paragraphs are read half by half.)
    old_key = {c.text: c.key for c in old_clauses}
    new_key = {c.text: c.key for c in new_clauses}
    removed = {old_key[c.text] for c in diff.removed}
    added = {new_key[c.text] for c in diff.added}
    assert len(removed) == len(diff.removed) and removed <= old_statements - new_statements
    assert len(added) == len(diff.added) and added <= new_statements - old_statements
    new_wordings = {new_key[c.text] for c in diff.changed}
    old_wordings = {old_key[c.old_text] for c in diff.changed}
    assert len(new_wordings) == len(diff.changed) and new_wordings <= new_statements
    assert old_wordings <= old_statements
    # Kept word for word is the same number on both sides; reworded is at least the wordings the changed list
    # shows that the other version does not have.
    assert counts["identical"] == len(old_statements & new_statements)
    assert counts["identical"] <= min(old_side["kept"], new_side["kept"])
    assert new_side["reworded"] == len(new_wordings - old_statements)
    assert old_side["reworded"] >= len(old_wordings - new_statements)
    # A changed clause's new wording is never one the old version already had word for word: that is no rewording.
    assert not new_wordings & old_statements, sorted(new_wordings & old_statements)
    assert new_side["reworded"] == len(diff.changed) and new_side["kept"] == counts["unchanged"]
    return counts


@pytest.fixture(scope="module")
def consecutive(shared_data) -> list[tuple[Path, Path]]:
    return _consecutive(shared_data)


def test_both_sides_add_up_for_consecutive_real_versions_either_way(consecutive):
    for earlier, later in consecutive:
        for old_path, new_path in ((earlier, later), (later, earlier)):
            old, new = _analysis_of(old_path), _analysis_of(new_path)
            forth = _assert_counts_are_a_partition(diff_analyses(old, new), old, new)
        back = diff_analyses(_analysis_of(later), _analysis_of(earlier)).to_dict()["counts"]
        ahead = diff_analyses(_analysis_of(earlier), _analysis_of(later)).to_dict()["counts"]
        assert back["identical"] == ahead["identical"]
        assert back["statements"] == {"old": ahead["statements"]["new"], "new": ahead["statements"]["old"]}
    assert forth  # at least one pair was compared


def test_the_pairs_of_the_issue_add_up(shared_data):
    """2023-01-01 -> 2024-08-09 gave old 732 against 637 + 47 + 32 = 716; 2024-08-09 -> 2025-12-17 gave old 839
    against 772 + 70 + 27 = 869: the new side's unchanged does not count the old side."""
    facebook = shared_data / "policies" / "facebook"
    names = ("2023-01-01_pga2_6ffec9c.md", "2024-08-09_pga2_49a826a.md", "2025-12-17_pga2_df69a0e.md")
    for old_name, new_name in zip(names, names[1:]):
        old, new = _analysis_of(facebook / old_name), _analysis_of(facebook / new_name)
        counts = _assert_counts_are_a_partition(diff_analyses(old, new), old, new)
        assert counts["statements"]["old"] > 0 and counts["old_side"]["kept"] > 0


def test_a_version_against_itself_keeps_everything(consecutive):
    for version in sorted({path for pair in consecutive for path in pair}):
        analysis = _analysis_of(version)
        diff = diff_analyses(analysis, analysis)
        counts = _assert_counts_are_a_partition(diff, analysis, analysis)
        n = counts["statements"]["old"]
        assert n == counts["statements"]["new"] > 0
        assert counts["old_side"] == {"kept": n, "removed": 0, "reworded": 0}, version
        assert counts["new_side"] == {"kept": n, "added": 0, "reworded": 0}, version
        assert counts["identical"] == counts["unchanged"] == n


# --- small hand-made texts -----------------------------------------------------------------------------------------

def _text_diff(old_text: str, new_text: str) -> tuple[PolicyDiff, dict]:
    old, new = (analyze(text=t, depth="quick").to_dict() for t in (old_text, new_text))
    diff = diff_analyses(old, new)
    return diff, _assert_counts_are_a_partition(diff, old, new)


# (A clause whose words all sit in runs of four words that the other version has is re-segmented, not changed: so
# the rewordings below each bring a word of their own.)

_REWORDED = "We share your email address with advertisers."


@pytest.mark.parametrize("old_pair, new_pair, old_reworded, new_reworded", [
    # two old wordings reworded into one new one: one change, said in two places
    ((_REWORDED, "We share your email address with partners."),
     ("We share your email and phone with marketers.",) * 2, 2, 1),
    # one old wording (said twice) reworded two ways: two changes with the same old text
    ((_REWORDED,) * 2, ("We share your email and phone with marketers.",
                        "We share your email address and name with marketers."), 1, 2),
], ids=["merged", "split"])
def test_each_side_counts_its_own_reworded_wordings(old_pair, new_pair, old_reworded, new_reworded):
    def text(pair):
        return f"# Privacy Policy\n\n{pair[0]}\n\nYou can delete your account.\n\n{pair[1]}\n"

    diff, counts = _text_diff(text(old_pair), text(new_pair))
    assert not diff.added and not diff.removed
    assert len(diff.changed) == new_reworded and sum(c.occurrences for c in diff.changed) == 2
    assert {c.old_text for c in diff.changed} <= set(old_pair)
    assert counts["old_side"] == {"kept": 2, "removed": 0, "reworded": old_reworded}
    assert counts["new_side"] == {"kept": 2, "added": 0, "reworded": new_reworded}


def test_a_wording_kept_word_for_word_is_kept_even_where_a_copy_of_it_was_reworded():
    """"Email address" said twice; the new version keeps one and rewords the other: the old statement is still
    there word for word, so it is kept, and the change is listed with it as the old wording."""
    diff, counts = _text_diff("# Privacy Policy\n\nEmail address\n\nWe sell it.\n\nEmail address\n",
                              "# Privacy Policy\n\nEmail address\n\nContact support.\n\nEmail address book\n")
    (change,) = diff.changed
    assert (change.old_text, change.text) == ("Email address", "Email address book")
    assert counts["old_side"] == {"kept": 2, "removed": 1, "reworded": 0}
    assert counts["new_side"] == {"kept": 2, "added": 1, "reworded": 1}
    assert counts["identical"] == 2


def test_statements_joined_into_one_are_kept_on_both_sides_but_count_as_many_as_each_side_has():
    """A heading that lost its line break runs into its sentence: two old statements are one new one, no change."""
    diff, counts = _text_diff("# Privacy Policy\n\nContact us\n\nWe collect your email address to reply.\n",
                              "# Privacy Policy\n\nContact us We collect your email address to reply.\n")
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
    assert counts["old_side"] == {"kept": 3, "removed": 0, "reworded": 0}
    assert counts["new_side"] == {"kept": 2, "added": 0, "reworded": 0}
    assert counts["identical"] == 1
    split, split_counts = _text_diff("# Privacy Policy\n\nContact us We collect your email address to reply.\n",
                                     "# Privacy Policy\n\nContact us\n\nWe collect your email address to reply.\n")
    assert (split.added, split.removed, split.changed) == ((), (), ())
    assert (split_counts["old_side"]["kept"], split_counts["new_side"]["kept"]) == (2, 3)


def test_repeats_count_once_on_each_side():
    row = "| {} | We share it with advertising partners for personalised ads. |"
    old = ("# Privacy Policy\n\nWe collect your email address to run the service.\n\nWe keep it for a year.\n\n"
           + "\n".join(row.format(kind) for kind in ("Name", "Email", "Phone")))
    new = ("# Privacy Policy\n\nWe collect your email address to run the service.\n\n"
           + "\n".join(row.format(kind) for kind in ("Name", "Email", "Phone", "Address", "Device")))
    diff, counts = _text_diff(old, new)
    assert [c.text for c in diff.removed] == ["We keep it for a year."]
    # new: heading, collect, the shared statement, Name, Email, Phone, Address, Device
    assert counts["statements"] == {"old": 7, "new": 8}
    assert counts["old_side"] == {"kept": 6, "removed": 1, "reworded": 0}
    assert counts["new_side"] == {"kept": 6, "added": 2, "reworded": 0}


def test_a_sentence_split_over_an_unchanged_and_a_changed_paragraph_is_one_statement():
    old = "# Privacy Policy\n\nWe don't\n\nsell any of your information to anyone.\n\nWe keep it for a year.\n"
    new = old.replace("to anyone.", "to anyone, and we never will.")
    diff, counts = _text_diff(old, new)
    assert [words(c.text)[:3] for c in (*diff.added, *diff.changed)] == [("we", "don", "t")]
    assert counts["statements"] == {"old": 3, "new": 3}


def test_the_text_view_states_both_sides():
    from smallprint.cli.cmd_history import render_diff_text

    diff, counts = _text_diff("# Privacy Policy\n\nContact us\n\nWe collect your email address to reply.\n\n"
                              "We keep it for a year.\n",
                              "# Privacy Policy\n\nContact us We collect your email address to reply.\n\n"
                              "We keep it for two years.\n\nWe sell it.\n")
    text = render_diff_text(diff, old="a.md", new="b.md", show_all=True)
    o, n = counts["old_side"], counts["new_side"]
    assert (f"Old version, {counts['statements']['old']} distinct statements: {o['kept']} kept, "
            f"{o['removed']} removed, {o['reworded']} reworded.") in text
    assert (f"New version, {counts['statements']['new']} distinct statements: {n['kept']} kept, "
            f"{n['added']} new, {n['reworded']} reworded.") in text
    assert "split or joined into statements differently" in text
