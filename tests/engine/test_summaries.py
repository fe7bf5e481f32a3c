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


# A summary is the reader's promise of what the clause says. These clauses were summarised with claims they do not
# make (the old text beside each); a reading of the practice and polarity, without the words, gets the general text.
@pytest.mark.parametrize("practice, polarity, clause, expected, old", [
    ("tracking", "protective", "Your Chrome browsing history is only saved to your account if you've enabled Chrome "
     "synchronization with your Google Account.", "Limits tracking or lets you control it",
     "Limits tracking: says it does not track you or uses only non-identifying cookies"),
    ("user_choice", "concern", "If you access other Allstate family of company websites, you may need to make a "
     "separate selection for each.", "Limits your choices about your data", "You cannot opt out"),
    ("user_choice", "concern", "To do that, \"Allow Personalisation\" is set to on when you create an account.",
     "Limits your choices about your data", "You cannot opt out"),
    ("user_choice", "concern", "Please note that if you opt out of interest-based advertising, some information will "
     "still be collected for other purposes.", "Limits your choices about your data", "You cannot opt out"),
    ("tracking", "neutral", "The cookie allows the server to uniquely identify the browser on each page.",
     "Explains how it uses cookies", "Uses cookies the site needs to work; blocking them may break features"),
    ("tracking", "neutral", "We collect device data such as information about the device you use to access the App.",
     "Explains its approach to tracking", "Uses cookies the site needs to work; blocking them may break features"),
    ("tracking", "neutral", "Consent, where required under applicable law (e.g. when non-essential cookies are used).",
     "Explains how it uses cookies", "Uses cookies the site needs to work; blocking them may break features"),
    ("third_party_sharing", "protective", "These third parties have access to your Personal Data only to perform these "
     "tasks on our behalf and are obligated not to disclose or use it for any other purpose.",
     "Limits sharing of your data with others",
     "Does not share your data with others without your consent or a legal reason"),
    ("third_party_sharing", "neutral", "When you visit one of our Facebook Fan Pages, we process your personal data as "
     "joint controllers with Facebook.", "Explains who it shares your data with",
     "Uses service providers that handle your data on its behalf"),
    ("third_party_sharing", "neutral", "We may share Information as well as aggregated information that we collect.",
     "Shares aggregated or anonymised data with others", "Shares only aggregated or anonymised data with others"),
    # "advertising" is a purpose, not a recipient; the law and the public are no "companies"
    ("third_party_sharing", "concern", "We may share your personal information for cross-context behavioural "
     "advertising.", "Shares your data with others", "Shares your data with advertisers"),
    ("third_party_sharing", "concern", "We disclose your Personal Data publicly when you post content.",
     "Shares your data with others", "Shares your data with other companies"),
    ("location", "protective", "You can turn off precise geo-location tracking through the location settings on your "
     "device.", "Limits use of your location or lets you control it", "Says it does not collect or keep your location"),
    ("location", "protective", "We do not share your latitude and longitude coordinates.",
     "Says it does not share your precise location", "Says it does not collect or keep your location"),
    ("location", "neutral", "We may derive the non-precise location of your device from your IP address.",
     "Collects your IP address, which reveals your approximate location",
     "Collects your precise location (GPS, Wi-Fi or cell towers)"),
    ("policy_change", "neutral", "We may occasionally amend this Privacy Policy to reflect changes to our services.",
     "Explains how this policy may change", "Will tell you about important changes to this policy"),
    ("policy_change", "neutral", "You can see when this Privacy Notice was last updated by checking the date at the "
     "top.", "Explains how this policy may change", "Will tell you about important changes to this policy"),
    ("policy_change", "protective", "If we make material changes, we will notify you by email.",
     "Promises to tell you about policy changes", "Tells you in advance before the policy changes"),
    ("policy_change", "protective", "You can also view prior versions of the Policy below.",
     "Promises to tell you about policy changes", "Tells you in advance before the policy changes"),
    ("biometric", "protective", "Biometric identifiers are used only to verify your identity at your request.",
     "Limits use of biometric data", "Says it does not collect biometric data"),
    ("sensitive_data", "protective", "Any Sensitive Personal Information shall only be processed by us for the purpose "
     "of performing the services.", "Limits use of sensitive data or lets you limit it",
     "Says it does not collect sensitive data"),
    ("sensitive_data", "protective", "We do not use or disclose Sensitive Personal Information for any purpose other "
     "than the purpose for which it is collected.", "Limits use of sensitive data or lets you limit it",
     "Says it does not collect sensitive data"),
    ("children", "protective", "In certain jurisdictions, this voice chat feature is not available to users under the "
     "age of 13.", "Has rules for children under 13", "Not meant for children: age limit 13"),
    ("children", "protective", "You must be at least 16 years of age to consent to online behavioural advertising.",
     "Has rules for children under 16", "Not meant for children: age limit 16"),
    ("children", "neutral", "You agree to supervise your children's use of our services.",
     "Has rules about children's data or age limits", "Has rules about children's data and age limits"),
    ("sale_of_data", "protective", "We do not knowingly sell the personal information of minors under 16 years of age.",
     "Promises not to sell children's personal data", "Promises not to sell your personal data"),
    ("retention", "neutral", "Retained for up to 2 years after the account deletion.",
     "Keeps your data for up to 2 years", "Keeps your data for 2 years"),
    ("retention", "neutral", "In general, we do not retain personal data for more than 25 months.",
     "Keeps your data for up to 25 months", "Keeps your data for 25 months"),
    ("user_rights", "protective", "Under certain conditions, you may be able to invoke binding arbitration to resolve "
     "your complaint.", "Says how to make a privacy complaint", "You can complain to a data protection authority"),
    ("user_rights", "neutral", "Documentation, such as a copy of our Authorized Agent Form signed by you, must be "
     "submitted with this request.", "You have rights over your data", "You can see your data"),
    ("user_rights", "neutral", "In this case, we will notify you and keep you updated.",
     "You have rights over your data", "You can correct your data"),
    ("user_choice", "protective", "You can opt not to share this information with Sellers via the Buyer Privacy "
     "Settings.", "Gives you choices about how your data is used", "You can opt out of the sale of your data"),
    ("user_choice", "protective", "We will ask for your consent before using pixel tags in emails sent to you.",
     "Gives you choices about how your data is used", "You can opt out of marketing messages"),
    ("user_choice", "neutral", "You may not be able to use certain features if you choose not to submit the "
     "requested information.", "Explains your choices about your data",
     "You can opt out or change settings that limit how your data is used"),
    ("ai_training", "protective", "You can opt-out of model training anytime in the settings.",
     "Lets you opt out of AI training on your data", "Says it does not use your data to train AI models"),
    # a limit on training is no denial of it; a denial with an exception says so
    ("ai_training", "protective", "We only use personal data included in our training data to help our models learn "
     "about language.", "Limits how it uses your data to train AI models",
     "Says it does not use your data to train AI models"),
    ("ai_training", "protective", "We take steps to reduce the amount of personal information in our training "
     "datasets before they are used to improve and train our models.",
     "Limits how it uses your data to train AI models", "Says it does not use your data to train AI models"),
    ("ai_training", "protective", "We do not use Your Data to train our models, except if you use a free "
     "subscription and have not opted-out.", "Says it does not use your data to train AI models, with exceptions",
     "Says it does not use your data to train AI models"),
    # a denial that holds once the reader opts out is a way out, not a promise
    ("ai_training", "protective", "Once you opt out, new conversations will not be used to train our models.",
     "Lets you opt out of AI training on your conversations",
     "Says it does not use your conversations to train AI models"),
    ("ai_training", "protective", "If you turn the Improve the model setting off, your chats will not be used to "
     "train our models.", "Lets you opt out of AI training on your conversations",
     "Says it does not use your conversations to train AI models"),
    # the CCPA's "tell a business to stop selling ... and to refrain from selling" and a browser signal that "requests
    # that websites you visit refrain from selling" are ways out of a sale, not promises not to sell (+2)
    ("sale_of_data", "protective", "You have the right to tell a business to stop Selling or Sharing Your PI and to "
     "refrain from Selling or Sharing it in the future.", "Lets you opt out of the sale of your personal data",
     "Promises not to sell your personal data"),
    ("sale_of_data", "protective", "This extension allows you to activate the Global Privacy Control (GPC) signal, "
     "which requests that websites you visit refrain from selling or sharing your data.",
     "Lets you opt out of the sale of your personal data", "Promises not to sell your personal data"),
    # a promise about private content says what it promises: only a denial of reading is "does not read"
    ("private_content", "protective", "We will record calls, only where you are notified in advance that the call "
     "may be recorded.", "Limits access to your private messages or files",
     "Says it does not read your private messages"),
    ("private_content", "protective", "We will not share the content of User messages with any third party.",
     "Says it does not share your private messages", "Says it does not read your private messages"),
    ("private_content", "protective", "Your messages are end-to-end encrypted.",
     "Protects your private messages with encryption", "Says it does not read your private messages"),
    # a change the clause says it will tell of is not one "possibly without telling you"
    ("policy_change", "concern", "We may update this policy at any time and will notify users who have enabled the "
     "notification preference.", "May change this policy at any time",
     "May change this policy at any time, possibly without telling you"),
    # "limit" is a way out only where the reader limits; the service limiting its training data is a limit
    ("ai_training", "protective", "We limit the personal data used to train our models.",
     "Limits how it uses your data to train AI models", "Lets you opt out of AI training on your data"),
    ("ai_training", "protective", "You can limit whether your conversations are used to train our models.",
     "Lets you opt out of AI training on your conversations", "Limits how it uses your data to train AI models"),
    # a denial without "not" is still one; an exception of a later clause is not the training clause's
    ("ai_training", "protective", "No customer data is used to train our AI models.",
     "Says it does not use your data to train AI models", "Limits how it uses your data to train AI models"),
    ("ai_training", "protective", "None of your personal data is used to train our large language models.",
     "Says it does not use your data to train AI models", "Limits how it uses your data to train AI models"),
    ("ai_training", "protective", "We do not use your data to train AI models, and we do not share it with anyone "
     "except our processors.", "Says it does not use your data to train AI models",
     "Says it does not use your data to train AI models, with exceptions"),
    ("advertising", "protective", "You may opt out at the European Digital Advertising Alliance.",
     "Limits use of your data for ads or lets you opt out", "Limits use of your data for ads"),
    ("tracking", "concern", "Used to track user actions across the site for debugging purposes.",
     "Tracks you with cookies or similar tools", "Tracks you with cookies or similar tools across other websites"),
])
def test_no_claim_the_clause_does_not_make(practice, polarity, clause, expected, old):
    assert summarize(practice, polarity, clause) == expected != old


# The specific texts stay where the clause's own words make the claim.
@pytest.mark.parametrize("practice, polarity, clause, expected", [
    ("user_choice", "concern", "You cannot opt out of this processing.", "You cannot opt out"),
    ("user_choice", "concern", "There is no way to opt out of service messages.", "You cannot opt out"),
    ("user_choice", "concern", "Providing your phone number is mandatory.", "You cannot opt out"),
    ("user_choice", "concern", "You are required to provide your name to use the service.", "You cannot opt out"),
    ("user_choice", "concern", "By using the Service, you agree to the collection and use of information in "
     "accordance with this policy.", "Using the service counts as your consent"),
    ("tracking", "neutral", "These cookies are strictly necessary for the website to function.",
     "Uses cookies the site needs to work"),
    ("tracking", "neutral", "If you disable cookies, some features of the site may not work properly.",
     "Blocking cookies may break some features"),
    ("tracking", "protective", "You can set your browser to refuse all cookies.", "Lets you block or delete cookies"),
    ("tracking", "protective", "We honour the Global Privacy Control signal.", "Honours the Global Privacy Control signal"),
    ("tracking", "protective", "No personal data is on, connected to, or derivable from, these cookies.",
     "Says its cookies do not identify you"),
    ("tracking", "protective", "We do not track you across other websites.",
     "Says it does not track you across other websites"),
    ("tracking", "concern", "Third-party cookies and pixels track you across other websites.",
     "Tracks you with cookies and tracking pixels across other websites"),
    ("tracking", "concern", "Advertising partners collect information about your online activities over time and "
     "across different websites.", "Tracks you with cookies or similar tools across other websites"),
    ("third_party_sharing", "protective", "We do not provide any Personal Data to third parties without your express "
     "consent.", "Asks for your consent before some sharing of your data"),
    ("third_party_sharing", "neutral", "We use service providers who process data on our behalf.",
     "Uses service providers that handle your data on its behalf"),
    ("third_party_sharing", "concern", "We share data with advertising partners and ad networks.",
     "Shares your data with advertisers and partners"),
    ("location", "protective", "We do not collect your precise location.", "Says it does not collect your precise location"),
    ("location", "protective", "Your location is never shared with others.", "Says it does not share your location"),
    ("location", "concern", "We collect your precise GPS location.", "Collects your precise location (GPS, Wi-Fi or cell towers)"),
    ("biometric", "protective", "We do not collect facial recognition data.", "Says it does not collect face data"),
    ("sensitive_data", "protective", "We do not collect sensitive personal information.",
     "Says it does not collect sensitive data"),
    ("policy_change", "neutral", "We will notify you of material changes to this Notice.",
     "Says it will tell you about changes to this policy"),
    ("policy_change", "protective", "We will notify you by email prior to the change becoming effective.",
     "Tells you in advance before the policy changes"),
    ("children", "protective", "Our services are not intended for children under 13.",
     "Not meant for children: age limit 13"),
    ("children", "protective", "We do not knowingly collect personal information from children under the age of 16.",
     "Not meant for children: age limit 16"),
    ("children", "protective", "Our websites and services are not aimed at children.", "Not meant for children"),
    ("user_rights", "protective", "You have the right to lodge a complaint with a supervisory authority.",
     "You can complain to a data protection authority"),
    ("user_rights", "protective", "We have a portal for deleting your personal data or accessing the information we "
     "hold.", "You can see and delete your data"),
    ("retention", "neutral", "We keep server logs for 30 days.", "Keeps your data for 30 days"),
    ("user_choice", "protective", "You may opt out of receiving personalized ads through the NAI.",
     "You can opt out of targeted ads"),
    ("user_choice", "protective", "You can opt out of the sale of your personal information.",
     "You can opt out of the sale of your data"),
    ("ai_training", "protective", "Any new conversations will not be used to train our models.",
     "Says it does not use your conversations to train AI models"),
])
def test_specific_texts_fire_on_the_words(practice, polarity, clause, expected):
    assert summarize(practice, polarity, clause) == expected


@pytest.mark.parametrize("practice", PRACTICE_IDS)
@pytest.mark.parametrize("polarity", POLARITIES)
def test_the_general_texts_are_short(practice, polarity):
    assert len(summarize(practice, polarity, "Some clause.")) <= 80
