"""Plain-language summaries: specific where the clause allows, the taxonomy's wording otherwise."""
from __future__ import annotations

import pytest

from smallprint.engine.summaries import summarize
from smallprint.taxonomy import POLARITIES, PRACTICE_IDS


@pytest.mark.parametrize("practice, polarity, clause, expected", [
    ("ai_training", "concern", "We may use your posts and publicly available information to train our AI models.",
     "May use your posts and public data to train AI models"),
    ("ai_training", "protective", "We do not use customer content to train models.",
     "Says it does not use your content to train AI models"),
    ("sale_of_data", "protective", "We do not sell your personal information.", "Promises not to sell your personal data"),
    # a way out of a sale is said as such, not as a promise not to sell
    ("sale_of_data", "protective", "You have the right to opt out of the sale of your personal information.",
     "Lets you opt out of the sale of your personal data"),
    ("sale_of_data", "protective", "We do not sell your personal information, but you may still opt out of any sale.",
     "Promises not to sell your personal data"),
    ("sale_of_data", "protective", "You have the right to direct us not to sell your personal information.",
     "Lets you opt out of the sale of your personal data"),
    ("sale_of_data", "protective", "Click \u201cDo Not Sell My Personal Information\u201d at the bottom of the page.",
     "Lets you opt out of the sale of your personal data"),
    ("sale_of_data", "protective", "Right to Opt-Out of Sale: We do not sell your personal information.",
     "Promises not to sell your personal data"),
    ("sale_of_data", "protective", "If you are a resident of Nevada, you have the right to opt-out of the sale of "
     "certain Personal Information to third parties who intend to license or sell that Personal Information.",
     "Lets you opt out of the sale of your personal data"),
    # a request to stop selling is a way out of a sale; a neutral sale reading says no sale
    ("sale_of_data", "protective", "If you submit a request to stop selling your personal information, we will stop "
     "selling it.", "Lets you opt out of the sale of your personal data"),
    ("sale_of_data", "neutral", "You have the right to know what personal information we collect, disclose, and sell.",
     "Mentions the sale of personal data"),
    ("ai_training", "neutral", "We use de-identified data to improve our models.",
     "Explains how its AI models relate to your data"),
    ("biometric", "neutral", "Biometric data is defined by state law.", "Explains its approach to biometric data"),
    # Do Not Track: what DNT is, a treatment the clause does not call honouring, and an explicit refusal
    ("tracking", "neutral", "Your browser may allow you to transmit a Do Not Track signal.",
     "Explains your browser's Do Not Track signal"),
    ("tracking", "concern", "Your browser may allow you to transmit a Do Not Track signal.",
     "Says how it treats your browser's Do Not Track signal"),
    ("tracking", "concern", "We do not respond to Do Not Track signals.", "Ignores your browser's Do Not Track signal"),
    ("tracking", "protective", "We honor Do Not Track signals.", "Honours your browser's Do Not Track signal"),
    ("tracking", "concern", "Our Site does not at this time respond to Do Not Track signals.",
     "Ignores your browser's Do Not Track signal"),
    ("tracking", "concern", "We have no mechanism to respond to Do Not Track signals.",
     "Ignores your browser's Do Not Track signal"),
    ("tracking", "concern", "Do Not Track signals are not recognized by our systems.",
     "Ignores your browser's Do Not Track signal"),
    ("tracking", "concern", "We disregard Do Not Track signals.", "Ignores your browser's Do Not Track signal"),
    ("tracking", "protective", "In respect of Do Not Track signals, we do not track users across third-party websites.",
     "Says how it treats your browser's Do Not Track signal"),
    ("tracking", "protective", "California law requires us to disclose how we respond to Do Not Track signals.",
     "Says how it treats your browser's Do Not Track signal"),
    # "without telling you" only where the clause says so
    ("government_access", "concern", "We may disclose your data to law enforcement agencies.",
     "May give your data to authorities or others"),
    ("government_access", "concern", "We may disclose your data to law enforcement without notice to you.",
     "May give your data to authorities or others without telling you"),
    ("government_access", "neutral", "We disclose data where required by law.",
     "Explains when it gives your data to authorities"),
    ("government_access", "concern", "We will not disclose your data to authorities without notifying you first, "
     "unless we believe it is necessary.", "May give your data to authorities or others"),
    ("government_access", "concern", "We may disclose your data to law enforcement without your consent.",
     "May give your data to authorities or others"),
    ("government_access", "concern", "We may be prohibited by law from notifying you of such requests.",
     "May give your data to authorities or others without telling you"),
    ("government_access", "concern", "We won't disclose your data to authorities without notifying you first, unless "
     "we believe it is necessary.", "May give your data to authorities or others"),
    ("government_access", "concern", "We may disclose your data to anyone, including but not limited to law "
     "enforcement agencies, without notice to you.", "May give your data to authorities or others without telling you"),
    ("government_access", "concern", "We may not notify you of requests from law enforcement.",
     "May give your data to authorities or others without telling you"),
    ("tracking", "protective", "With respect to Do Not Track signals, we do not track users across third-party "
     "websites.", "Says how it treats your browser's Do Not Track signal"),
    ("tracking", "protective", "We do not respond to DNT signals, but we do not track you across sites anyway.",
     "Says how it treats your browser's Do Not Track signal"),
    ("tracking", "concern", "There is no uniform standard for processing Do Not Track signals.",
     "Says how it treats your browser's Do Not Track signal"),
    ("tracking", "concern", "At this time, we do not currently respond to or otherwise take action in response to web "
     "browser do not track signals.", "Ignores your browser's Do Not Track signal"),
    ("location", "concern", "We collect your precise GPS location.", "Collects your precise location (GPS, Wi-Fi or cell towers)"),
    ("location", "concern", "We log your IP address.", "Collects your IP address, which reveals your approximate location"),
    ("retention", "protective", "Logs are deleted after 30 days.", "Deletes or anonymises your data within 30 days"),
    ("policy_change", "protective", "We will notify you 30 days before changes take effect.",
     "Tells you 30 days before policy changes take effect"),
    ("tracking", "concern", "We do not respond to Do Not Track signals.", "Ignores your browser's Do Not Track signal"),
    ("third_party_sharing", "concern", "We share your data with advertisers and partners.",
     "Shares your data with advertisers and partners"),
    ("children", "neutral", "You must be at least 16 years old.", "Not meant for children: age limit 16"),
    ("user_rights", "protective", "You can access, correct or delete your data.", "You can see, correct and delete your data"),
    ("user_choice", "protective", "You can unsubscribe from marketing e-mails.", "You can opt out of marketing messages"),
])
def test_specific_summaries(practice, polarity, clause, expected):
    assert summarize(practice, polarity, clause) == expected


@pytest.mark.parametrize("practice", PRACTICE_IDS)
@pytest.mark.parametrize("polarity", POLARITIES)
def test_every_practice_and_polarity_has_one_plain_sentence(practice, polarity):
    text = summarize(practice, polarity, "Some clause.")
    assert text and "\n" not in text and len(text) < 120


@pytest.mark.parametrize("clause", ["You can opt out of sales emails at any time.",
                                    "You cannot opt out of the sale of your personal information.",
                                    "You can opt out of emails and we never sell your data."])
def test_no_opt_out_of_a_sale_is_said_where_there_is_none(clause):
    assert summarize("sale_of_data", "protective", clause) != "Lets you opt out of the sale of your personal data"
