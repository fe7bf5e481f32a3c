"""Rights, choices, retention, children, security, policy changes, private content."""
from __future__ import annotations

import pytest

from tests.engine._clauses import polarity_of


@pytest.mark.parametrize("sentence, practice, polarity", [
    ("You have the right to access, correct and delete your personal data.", "user_rights", "protective"),
    ("You can request a copy of your data at any time.", "user_rights", "protective"),
    ("You may lodge a complaint with a supervisory authority.", "user_rights", "protective"),
    ("You can opt out of marketing e-mails by clicking unsubscribe.", "user_choice", "protective"),
    ("You cannot opt out of this processing.", "user_choice", "concern"),
    ("We may keep your data even after you delete your account.", "retention", "concern"),
    ("Logs are deleted after 30 days.", "retention", "protective"),
    ("We retain personal data only as long as necessary for the purposes described.", "retention", "protective"),
    ("We only hold your personal information on our systems for as long as is necessary for these purposes.",
     "retention", "protective"),
    ("We will only store payment details, if any are collected, for as long as needed to complete a transaction.",
     "retention", "protective"),
    ("We only collect what we need, but we keep it as long as necessary for our business.", "retention", "concern"),
    ("Some of your comments may not be completely removed and copies may continue to exist on the service.",
     "retention", "concern"),
    ("Your reviews will continue to be publicly visible even after your account is cancelled.", "retention", "concern"),
    ("Data that shall not be logged is discarded as quickly as possible.", "retention", "protective"),
    ("The server will discard the request data as soon as the response is sent.", "retention", "protective"),
    ("Card numbers are deleted immediately after the payment is authorised.", "retention", "protective"),
    ("We take all steps necessary to ensure that your data is stored securely.", "security", "protective"),
    ("Your files are kept on secure servers.", "security", "protective"),
    ("Passwords are stored hashed and salted.", "security", "protective"),
    ("Our service is not directed to children under 13.", "children", "neutral"),
    ("We do not knowingly collect personal information from children under 13.", "children", "neutral"),
    ("We may knowingly collect information from children with parental consent.", "children", "concern"),
    ("We don't knowingly collect or solicit personal information from children.", "children", "neutral"),
    ("If we learn that we have collected information from a child under 13, we will delete it.", "children", "protective"),
    ("Information a child under 13 has posted will not be deleted automatically.", "children", "neutral"),
    ("You must be at least 16 years old to use the service.", "children", "neutral"),
    ("We use encryption and industry-standard security measures.", "security", "protective"),
    ("We cannot guarantee the security of your information.", "security", "concern"),
    ("We may change this policy at any time without notice.", "policy_change", "concern"),
    ("We will notify you by email of material changes to this policy.", "policy_change", "neutral"),
    ("We will notify you at least 30 days before changes to these terms take effect.", "policy_change", "protective"),
    ("We may access your private messages to enforce our terms.", "private_content", "concern"),
    ("We cannot read your messages.", "private_content", "protective"),
    # open-ended "as long as needed" versus a promised limit
    ("Account records are kept as long as they are needed for the purposes above.", "retention", "concern"),
    ("We hold your order history only for so long as the law requires.", "retention", "protective"),
    ("Access logs are stored no longer than two weeks.", "retention", "protective"),
    ("Nothing you upload is stored for more than seven days.", "retention", "protective"),
    ("Chat transcripts may be kept for longer than five years.", "retention", "concern"),
    ("The company keeps the right to monitor your account whenever it sees fit.", "private_content", "concern"),
    ("Moderators may review any communication sent through the forum.", "private_content", "concern"),
    ("Uploaded records sit on a server accessible only to two administrators.", "private_content", "concern"),
    ("We never scan your uploads.", "private_content", "protective"),
    # told about changes: by notifying members, by posting or sending a notice
    ("The club may revise these rules, notifying its members by letter.", "policy_change", "neutral"),
    ("We can update this notice from time to time by sending you a notice in the app.", "policy_change", "neutral"),
    ("If we revise this statement we will tell you and change the last updated line at the top.", "policy_change",
     "neutral"),
    # told that no notice will come: the negator sits inside the phrase, so it is read there, not by negation scope
    ("We will not notify you of changes to this privacy policy.", "policy_change", "concern"),
    ("If this happens, changes take effect at once and we will not give you any notice.", "policy_change", "concern"),
    ("We won't tell you when these terms change.", "policy_change", "concern"),
    ("No notice will be given for minor changes to this policy.", "policy_change", "concern"),
    ("We do not notify users when we change this policy.", "policy_change", "concern"),
    # a promise not to change it silently is being told, as "we will notify you" is
    ("We will not make material changes to this policy without notifying you.", "policy_change", "neutral"),
])
def test_control(sentence, practice, polarity):
    assert polarity_of(sentence, practice) == polarity


@pytest.mark.parametrize("sentence, practice", [
    ("We reserve the right to amend these terms.", "user_rights"),
    ("Last updated: March 3, 2024.", "policy_change"),
    ("We may make minor changes to the product.", "children"),
    ("If you do not agree, you may stop using the service.", "user_choice"),
    ("When we update this policy, we will take appropriate measures to inform you.", "security"),
    ("We may share hashed e-mail addresses with our advertising partners.", "security"),
    # "information you provided" is no "inform you"
    ("If your details are wrong, you can change the information you provided.", "policy_change"),
])
def test_not_this_practice(sentence, practice):
    assert polarity_of(sentence, practice) is None
