"""Negation scope and sentence-level qualifiers."""
from __future__ import annotations

import pytest

from smallprint.engine.polarity import decide, dominant, find_negation, model_polarity


def _at(sentence: str, word: str) -> int:
    return sentence.index(word)


@pytest.mark.parametrize("sentence, word, negator", [
    ("we do not sell your data", "sell", "not"),
    ("we will never share your data", "share", "never"),
    ("we don't track you", "track", "n't"),
    ("zoom does not use any of your audio, video, chat or content to train models", "train", "not"),
    ("we are unable to respond to such signals", "respond", "unable to"),
    ("no third party will receive your data", "receive", "no"),
    ("we will not sell or otherwise share your data", "share", "not"),  # "or otherwise" continues the list
    ("we will not then share your data", "share", "not"),  # "then" without a new subject ends nothing
])
def test_negation_found(sentence, word, negator):
    neg = find_negation(sentence, _at(sentence, word))
    assert neg is not None and neg.word == negator


@pytest.mark.parametrize("sentence, word", [
    ("we sell your data", "sell"),
    ("we do not rent cars, but we sell your data", "sell"),            # 'but' ends the scope
    ("we do not control them; we share your data", "share"),           # ';' ends the scope
    ("we do not sell it. otherwise we share your data", "share"),      # a bare 'otherwise' ends the scope
    ("if you do not agree, we may share your data", "share"),          # a new subject ends the scope
    ("we honour do not track signals", "signals"),                     # the signal's name is no negation
    ("including but not limited to sharing with partners", "sharing"),
    ("we are under no obligation to review messages, but may monitor them", "monitor"),
    ("cookies are not the only way to track visitors", "track"),
    ("if you no longer want it, you can request deletion", "you can"),  # the new subject opens the match
    # "then" and a new subject end a condition's negation: the main clause is not negated
    ("if you are not satisfied with our response then you can request the regulator's details", "you can"),
    ("if you cannot update it through those pages, then you can submit a request", "submit"),
    ("messages cannot be read by us because they are end-to-end encrypted", "end-to-end"),  # 'because' ends it
    ("you may request that we no longer maintain your information", "information"),
])
def test_no_negation(sentence, word):
    assert find_negation(sentence, _at(sentence, word)) is None


@pytest.mark.parametrize("practice, sentence, word, pattern, polarity, negated, expected", [
    ("sale_of_data", "we do not sell your data", "sell", "sell_data", "concern", "protective", "protective"),
    ("sale_of_data", "we may sell your data", "sell", "sell_data", "concern", "protective", "concern"),
    ("user_choice", "you cannot opt out", "opt", "opt_out", "protective", "concern", "concern"),
    ("third_party_sharing", "third parties help us operate the service on our behalf", "third", "recipients_access",
     "concern", "protective", "neutral"),
    ("government_access", "we disclose data to authorities without notice", "disclose", "disclose_to_authorities",
     "concern", "protective", "concern"),
    ("government_access", "we disclose data to police only under a valid court order", "disclose",
     "disclose_to_authorities", "concern", "protective", "protective"),
    # disclosure on the service's own good-faith belief is its judgement, not a legal duty (as "we believe")
    ("government_access", "we may share your information with law enforcement where we have a good faith belief "
     "that it is required by law", "share", "disclose_to_authorities", "concern", "protective", "concern"),
    ("government_access", "we may disclose it to government authorities if we have a good-faith belief that "
     "disclosure is reasonably necessary", "disclose", "disclose_to_authorities", "concern", "protective", "concern"),
    # ... unless the sentence limits disclosure to legal process outright
    ("government_access", "we disclose information to authorities only in response to valid legal process, such as "
     "a search warrant, and we require a good faith belief that the request is lawful", "disclose",
     "disclose_to_authorities", "concern", "protective", "protective"),
    ("government_access", "we will only disclose data to law enforcement in response to a valid court order; good "
     "faith belief alone is not sufficient", "disclose", "disclose_to_authorities", "concern", "protective",
     "protective"),
    # disclosure the law requires is neither a promise nor, said plainly, a risk: careful readers of the project's
    # own labels read such sentences concern 192, neutral 144, protective 13 times; it read as a promise ("only when
    # legally required") on 962 sentences of the 220 policy files
    ("government_access", "we may disclose your information to law enforcement to comply with applicable law",
     "disclose", "disclose_to_authorities", "concern", "protective", "neutral"),
    ("government_access", "we may share your personal data in response to a subpoena or court order", "share",
     "disclose_to_authorities", "concern", "protective", "neutral"),
    # sharing with service providers who act for the service is the guide's own neutral example, whatever pattern
    # found it; not where the sentence also names advertisers, marketing, a sale or partners
    ("third_party_sharing", "we share your personal data with our service providers who process it on our behalf",
     "share", "share_with", "concern", "protective", "neutral"),
    ("third_party_sharing", "we share your personal data with service providers and advertising partners", "share",
     "share_with", "concern", "protective", "concern"),
    ("third_party_sharing", "we share your data with vendors, who may use it for their own purposes", "share",
     "share_with", "concern", "protective", "concern"),
    ("third_party_sharing", "we may share your personal information with data brokers and service providers", "share",
     "share_with", "concern", "protective", "concern"),
    ("third_party_sharing", "we share personal data with service providers and other third parties", "share",
     "share_with", "concern", "protective", "concern"),
    ("third_party_sharing", "we provide personal information to third parties to perform services on our behalf",
     "provide", "share_with", "concern", "protective", "neutral"),
    ("third_party_sharing", "we share your data with our business partner and our service providers", "share",
     "share_with", "concern", "protective", "concern"),
    ("tracking", "we use cookies on our website", "cookies", "cookies", "concern", "protective", "neutral"),
    ("tracking", "we use cookies from third-party advertisers", "cookies", "cookies", "concern", "protective", "concern"),
    # a negated verb of access before a security measure denies access, not the measure
    ("security", "we can't see the content of end-to-end encrypted messages", "end-to-end", "measures", "protective",
     "concern", "protective"),
    ("security", "we cannot ever decrypt what is encrypted on your device", "encrypted", "measures", "protective",
     "concern", "protective"),
    ("security", "we do not encrypt your messages", "encrypt", "measures", "protective", "concern", "concern"),
    ("security", "we cannot see whether your data is not encrypted", "encrypted", "measures", "protective", "concern",
     "concern"),  # the nearer negation denies the measure
    # ... only where the access verb's object is what the measure protects, not a reason or a judgement
    ("security", "we cannot see why you would not want encryption, so we do not encrypt your messages", "encryption",
     "measures", "protective", "concern", "concern"),
    ("security", "we don't see the need for end-to-end encryption", "end-to-end", "measures", "protective", "concern",
     "concern"),
    ("security", "we do not view encryption as necessary for the data we store", "encryption", "measures",
     "protective", "concern", "concern"),
    ("security", "these third parties cannot see your actual data, which remains encrypted", "encrypted", "measures",
     "protective", "concern", "protective"),
    # what a list of opt-outs names is a way out of it, however long the list
    ("profiling", "you have the right to opt-out of the processing of your personal data for purposes of targeted "
     "advertising, the sale of personal data, or profiling", "profiling", "profiling", "concern", "protective",
     "protective"),
    ("sale_of_data", "you have the right to opt-out of the processing of your personal data for purposes of targeted "
     "advertising, the sale of personal data, or profiling", "sale", "ccpa_sale", "concern", "protective",
     "protective"),
    ("profiling", "even if you opt out of targeted ads, your data may be used for profiling", "profiling",
     "profiling", "concern", "protective", "concern"),
    ("profiling", "you can opt out of emails, but we use profiling to show you ads", "profiling", "profiling",
     "concern", "protective", "concern"),
    ("profiling", "you cannot opt out of profiling", "profiling", "profiling", "concern", "protective", "concern"),
    ("profiling", "if you opt out of emails, profiling of your activity continues", "profiling", "profiling",
     "concern", "protective", "concern"),
    # not an item of the list: the subject of a verb of its own, or set apart from what you opt out of
    ("profiling", "you can opt out of marketing emails and profiling of your behaviour continues", "profiling",
     "profiling", "concern", "protective", "concern"),
    ("sale_of_data", "you can opt out of marketing emails, and profiling and sale of your personal information happen "
     "regardless", "sale", "ccpa_sale", "concern", "protective", "concern"),
    ("sale_of_data", "you can opt out of newsletters, though profiling and selling of your data continue", "selling",
     "sell_data", "concern", "protective", "concern"),
    ("sale_of_data", "residents can opt out of certain processing, other than profiling and the sale of personal data",
     "sale", "ccpa_sale", "concern", "protective", "concern"),
    ("profiling", "if you opt out of profiling and data sales, some features may not work", "profiling", "profiling",
     "concern", "protective", "protective"),
    # the right to object names what it is a way out of, as an opt-out list does
    ("profiling", "you have the right to object to processing of your personal data, including profiling",
     "profiling", "profiling", "concern", "protective", "protective"),
    ("profiling", "you have the right to object to profiling and automated decision-making", "profiling",
     "profiling", "concern", "protective", "protective"),
    ("profiling", "you have the right to object at any time to profiling", "profiling", "profiling", "concern",
     "protective", "protective"),
    ("profiling", "you cannot object to profiling", "profiling", "profiling", "concern", "protective", "concern"),
    ("profiling", "if you object to cookies, we will still use profiling to improve ads", "profiling", "profiling",
     "concern", "protective", "concern"),
    ("profiling", "you may object to direct marketing, and we use profiling to personalise offers", "profiling",
     "profiling", "concern", "protective", "concern"),
    ("profiling", "you can object to marketing emails and profiling of your behaviour continues", "profiling",
     "profiling", "concern", "protective", "concern"),
    # ... "object" must be followed by "to" (or "at any time to"): no way out is named otherwise
    ("profiling", "users who object will be subject to profiling", "profiling", "profiling", "concern", "protective",
     "concern"),
    ("profiling", "customers who object remain subject to profiling and targeted advertising", "profiling",
     "profiling", "concern", "protective", "concern"),
    ("profiling", "objecting users are subject to profiling", "profiling", "profiling", "concern", "protective",
     "concern"),
    # ... and a right to object that "shall not apply" to profiling denies the right, not the profiling
    ("profiling", "the right to object shall not apply to profiling", "profiling", "profiling", "concern",
     "protective", "concern"),
    ("profiling", "your right to opt out does not apply to profiling for fraud prevention", "profiling", "profiling",
     "concern", "protective", "concern"),
    ("profiling", "you have the right to opt out, and we do not apply profiling to children", "profiling",
     "profiling", "concern", "protective", "protective"),
    # a negated way out denies the stopping, not the practice: it goes on as stated
    ("profiling", "opting out of personalised ads does not opt you out of profiling or the sale of your data",
     "profiling", "profiling", "concern", "protective", "concern"),
    ("sale_of_data", "opting out of personalised ads does not opt you out of profiling or the sale of your data",
     "sale", "ccpa_sale", "concern", "protective", "concern"),
    ("profiling", "you can opt out of marketing emails, but this does not stop profiling", "profiling", "profiling",
     "concern", "protective", "concern"),
    ("advertising", "opting-out will not stop advertising but the ads you see may be less relevant", "advertising",
     "ads", "concern", "protective", "concern"),
    ("tracking", "we don't stop tracking you when you leave the site", "tracking", "tracking", "concern",
     "protective", "concern"),
    ("user_rights", "we will not prevent you from deleting your data", "deleting", "delete", "protective", "concern",
     "protective"),
    # ... but not where the negator denies the practice itself, or the stopping verb is one of a pair of verbs
    ("sale_of_data", "we do not block or sell your data", "sell", "sell_data", "concern", "protective",
     "protective"),
    ("profiling", "we do not stop you from opting out, and we do not use profiling", "profiling", "profiling",
     "concern", "protective", "protective"),
    ("tracking", "we will not, to stop fraud, track you across sites", "track", "tracking", "concern",
     "protective", "protective"),
    # ... nor where the negator also governs a second verb, after the stopping verb's own object (a review's cases)
    ("sale_of_data", "we will not block your access to the services or sell your personal information if you "
     "exercise your rights", "sell", "sell_data", "concern", "protective", "protective"),
    ("tracking", "we don\u2019t block ads or track you across websites", "track", "tracking", "concern", "protective",
     "protective"),
    ("third_party_sharing", "we will not stop providing the services or share your data with advertisers",
     "share", "share_with", "concern", "protective", "protective"),
    ("profiling", "this does not opt your account out of profiling", "profiling", "profiling", "concern",
     "protective", "concern"),
])
def test_decide(practice, sentence, word, pattern, polarity, negated, expected):
    start = _at(sentence, word)
    assert decide(practice, sentence, start, start + len(word), polarity, negated, pattern)[0] == expected


@pytest.mark.parametrize("practice, counts, expected", [
    ("sale_of_data", {"concern": 1, "protective": 3, "neutral": 0}, "protective"),
    ("sale_of_data", {"concern": 2, "protective": 2, "neutral": 0}, "concern"),      # ties: concern first
    ("policy_change", {"concern": 3, "protective": 0, "neutral": 1}, "neutral"),     # the notice qualifies the change
    ("policy_change", {"concern": 3, "protective": 1, "neutral": 1}, "protective"),
])
def test_dominant(practice, counts, expected):
    assert dominant(practice, counts) == expected


@pytest.mark.parametrize("practice, sentence, expected", [
    ("user_rights", "you may ask us for a copy of your data", "protective"),
    ("sale_of_data", "personal information is never exchanged for money", "protective"),
    ("advertising", "partners show you ads based on your activity", "concern"),
    ("children", "the service is for adults", "neutral"),
    # a negated way out, in a clause the model found (no hit: what is stopped runs to the clause's end)
    ("location", "you cannot turn off location tracking", "concern"),
    ("user_rights", "we will not prevent you from deleting your data", "protective"),
    ("location", "we do not stop to collect or share your location", "protective"),
    ("tracking", "we do not block cookies and we never track you", "protective"),
    ("user_choice", "please note this does not opt you out of being served ads", "concern"),  # the choice, denied
    ("user_choice", "we will not stop you from opting out of marketing", "protective"),
])
def test_model_polarity(practice, sentence, expected):
    assert model_polarity(practice, sentence)[0] == expected


def test_a_denied_way_out_is_no_promise_in_a_whole_reading():
    """The quick reading (which the extension paints first) of a sentence that says an opt-out leaves profiling and
    sale in place: neither is shown as a promise."""
    from smallprint.engine import analyze
    analysis = analyze(text="Opting out of personalised ads does not opt you out of profiling or the sale of your "
                            "data.", depth="quick")
    read = {(h.practice, h.polarity) for h in analysis.highlights}
    assert ("profiling", "protective") not in read and ("sale_of_data", "protective") not in read
    assert ("profiling", "concern") in read and ("sale_of_data", "concern") in read
