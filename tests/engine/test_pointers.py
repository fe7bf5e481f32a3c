"""Sentences that only point elsewhere get no highlight, at either depth (engine/pointers.py; the labelling guide's
rule 2: no label for navigation and pointers)."""
from __future__ import annotations

import pytest

from smallprint.engine import analyze
from smallprint.engine.pointers import MAX_WORDS, points_elsewhere


@pytest.mark.parametrize("sentence", [
    "Learn more about how end-to-end encryption works.",
    "To learn more about our verification feature and how we process your face data, read on.",
    "You can read more about your rights in the Guidance from the Irish Data Protection Commission.",
    "For more information about how targeted advertising works, you can visit the NAI's educational page.",
    "Further information on these measures can be found in our Information Security document.",
    "See Section 12 below, \"Right to contest a decision based solely on automated processing\".",
    "Please refer to our Summary Chart for details regarding the categories of Personal Information we share.",
    "Please click here to see the EEA SCCs.",
    "* Learn more.",
])
def test_pointers(sentence):
    assert points_elsewhere(sentence)


@pytest.mark.parametrize("sentence", [
    # practices and promises
    "We use end-to-end encryption to protect your messages.",
    "We sell your personal information to data brokers.",
    "We may see your location when you use the app.",  # "see" not at the start, not a pointer
    # more than a pointer: something the reader can do, ask for, or rely on
    "To learn more, or to switch this off, please visit our Cookie notice.",
    "You can learn more about the options available to limit these third parties' use of your information.",
    "Please refer to the currently available opt-outs for Google Analytics.",
    "Please review this privacy notice from time to time.",
    "For more information, please contact your local data protection authority.",
    "To obtain more information about the safeguards or to obtain a copy of them, please email us.",
    "For more information about your choices, see our Cookie Policy.",
    "Learn more about how to delete your account.",
    # long: a pointer that states a practice on the way
    "See the section below for more information on certain third parties who may also collect similar information "
    "about you when you visit our websites and use our apps, and combine it with what they hold about you from other "
    "services and devices over time.",
])
def test_not_pointers(sentence):
    assert not points_elsewhere(sentence)


def test_a_long_sentence_is_left_to_the_reader():
    base = "Learn more about how we protect your data"
    assert points_elsewhere(base + ".")
    assert not points_elsewhere(base + " " + "and more " * MAX_WORDS + ".")


POLICY = """# Privacy Policy

We use end-to-end encryption to protect your messages.

Learn more about how end-to-end encryption works.

We share your precise location with advertisers. For more information about how targeted advertising works, see our
Advertising page.
"""


@pytest.mark.parametrize("depth", ["quick", "full"])
def test_no_highlight_on_a_pointer_at_either_depth(depth):
    analysis = analyze(text=POLICY, depth=depth)
    assert analysis.depth == depth
    texts = {h.text for h in analysis.highlights}
    assert "We use end-to-end encryption to protect your messages." in texts
    assert not any(points_elsewhere(t) for t in texts), texts
    assert not any(t.startswith(("Learn more", "For more information")) for t in texts), texts
