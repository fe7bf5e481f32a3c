"""Sale, sharing, business transfers, government access, other sources, international transfers."""
from __future__ import annotations

import pytest

from tests.engine._clauses import polarity_of


@pytest.mark.parametrize("sentence, practice, polarity", [
    ("we do not sell your personal information", "sale_of_data", "protective"),
    ("We may sell your personal information to data brokers.", "sale_of_data", "concern"),
    ("Your personal data will never be sold or rented.", "sale_of_data", "protective"),
    # a right to opt out of a sale is a way out of it (the labelling guide's protective), also across a line
    # break; a sentence that also says the service sells keeps its concern, and so does one with no way out
    # (polarity.opt_out_naming)
    ("You have the right to opt out of the sale of your personal information.", "sale_of_data", "protective"),
    ("- opt out of sale of your personal information (if any);", "sale_of_data", "protective"),
    ("You have the right to opt\nout of the sale of your personal information.", "sale_of_data", "protective"),
    ("You may opt out of selling your data at any time.", "sale_of_data", "protective"),
    ("We do not sell your personal information, but you may still opt out of any sale.", "sale_of_data",
     "protective"),
    ("We may sell your personal information to data brokers; you can opt out of the sale at any time.",
     "sale_of_data", "concern"),
    ("We may share or sell your personal information to advertisers; you can opt out of the sale.",
     "sale_of_data", "concern"),
    ("We’ll sell your personal information unless you opt out of the sale.", "sale_of_data", "concern"),
    ("We have sold the following categories of personal information; you may opt out of the sale.",
     "sale_of_data", "concern"),
    ("Acme sells your personal information to partners; you may opt out of the sale.", "sale_of_data", "concern"),
    ("Your personal information may be sold to partners unless you opt out of the sale.", "sale_of_data",
     "concern"),
    ("Unless you opt out, your personal information may be sold.", "sale_of_data", "concern"),
    ("If you opt out of emails, the sale of your personal information continues.", "sale_of_data", "concern"),
    ("You can opt out of having your personal information sold.", "sale_of_data", "protective"),
    ("You can opt out of targeted advertising and the sale of your personal information.", "sale_of_data",
     "protective"),
    ("You can opt out of marketing emails and we sell your personal information to partners.", "sale_of_data",
     "concern"),
    ("Even if you opt out we may still sell your personal information.", "sale_of_data", "concern"),
    ("You can opt out (we sell your personal information to brokers).", "sale_of_data", "concern"),
    ("Users who opted out may still have their data sold.", "sale_of_data", "concern"),
    ("You may opt out of emails and your information is sold to partners.", "sale_of_data", "concern"),
    ("You cannot opt out of the sale of your personal information.", "sale_of_data", "concern"),
    ("There is no way to opt out of the sale of your personal information.", "sale_of_data", "concern"),
    ("You may have the right to opt-out of your personal information being sold or shared for purposes of targeted "
     "advertising.", "sale_of_data", "protective"),
    ("You can submit an opt-out request regarding the sale of your personal information.", "sale_of_data",
     "protective"),
    ("If you are a resident of Nevada, you have the right to opt-out of the sale of certain Personal Information to "
     "third parties who intend to license or sell that Personal Information.", "sale_of_data", "protective"),
    ("You may opt out of the sale of your data, and third parties may sell it.", "sale_of_data", "concern"),
    ("We do not sell, rent or trade your email address.", "sale_of_data", "protective"),
    # a request to stop selling is an opt-out, honoured (polarity.stopped_sale)
    ("If you submit a request to stop selling your personal information, we will stop selling it.", "sale_of_data",
     "protective"),
    ("Criteo stops selling your personal data once you object.", "sale_of_data", "protective"),
    # a sale named as what a right to know asks about states no sale (polarity._RIGHT_TO_KNOW), and a negation
    # inside an "if" clause is a condition, not a promise; a sale stated beside a right keeps its concern
    ("If you are a California resident, you have the right to know what personal information we collect, disclose, "
     "and \u201csell\u201d about you.", "sale_of_data", "neutral"),
    ("You may request that we disclose the categories of personal information we sold about you.", "sale_of_data",
     "neutral"),
    ("If we have not sold your personal information, we will inform you of that fact.", "sale_of_data", "neutral"),
    ("You have the right to know what we collect. We sell your personal information to data brokers.",
     "sale_of_data", "concern"),
    ("If you are a California resident, we do not sell your personal information.", "sale_of_data", "protective"),
    # the statute's opt-out and "if you do not wish for us to sell"; a sale only supposed is no sale stated
    ("Request that a business that sells a consumer's personal data, not sell the consumer's personal data.",
     "sale_of_data", "protective"),
    ("If you do not wish for us or our partners to \"sell\" or \"share\" personal information relating to your "
     "visits to our sites for advertising purposes, you can make your request.", "sale_of_data", "protective"),
    ("Were we ever to sell Personal Information, we would provide information on our opt out process here.",
     "sale_of_data", "neutral"),
    ("If we ever sell your data, it will be to partners.", "sale_of_data", "neutral"),
    ("We sell your data, and if you do not wish to receive emails you can unsubscribe.", "sale_of_data", "concern"),
    # what a law says of selling, a right's label, a sale "to the extent" there is one, a way to refuse a sale (a
    # reviewer's full-depth readings of policies-more, where the rules decide a sale's polarity: 'May sell' on
    # policies that promise five times not to sell)
    ("The CCPA prohibits a business from selling Personal Information unless you have received explicit notice.",
     "sale_of_data", "neutral"),
    ("The CCPA requires businesses that \u201csell\u201d personal information to provide an opt-out from such sales.",
     "sale_of_data", "neutral"),
    ("Right to Disclosure of Information Sold or Shared and Right to Opt-Out of the Sale or Sharing of your Personal "
     "Information:", "sale_of_data", "neutral"),
    ("To the extent that we sell or share your personal information, you have the right to opt out.",
     "sale_of_data", "neutral"),
    ("You can deny the sale of personal data to third-party services.", "sale_of_data", "protective"),
    ("The CCPA gives you rights, and we sell your personal information to data brokers.", "sale_of_data", "concern"),
    # ... and each of them only where every sale word of the sentence is in its clause: a sale the service states
    # beside it keeps its concern, a promise beside it its protection (found by review)
    ("You have the right to request that we disclose what personal information we have sold; in the past 12 months "
     "we have sold identifiers to advertisers.", "sale_of_data", "concern"),
    ("You have the right to request that we disclose what personal information we have sold, and in the past 12 "
     "months we have sold identifiers to advertisers.", "sale_of_data", "concern"),
    ("You have the right to know what personal information we collect, and we sell your personal information to "
     "data brokers.", "sale_of_data", "concern"),
    ("Right to know: we sell your personal information to third parties for advertising.", "sale_of_data", "concern"),
    ("You have the right to know that we sell your personal information to advertisers.", "sale_of_data", "concern"),
    ("You have the right to access your data, and we sell it to advertisers.", "sale_of_data", "concern"),
    ("When advertisers ask us to provide audience segments, we sell your personal information to them.",
     "sale_of_data", "concern"),
    ("You have the right to access your personal information, and we never sell or rent it to anyone.",
     "sale_of_data", "protective"),
    ("You have the right to know what personal information we collect, and we do not sell it.", "sale_of_data",
     "protective"),
    ("If we ever change this policy, we may sell your data to new partners.", "sale_of_data", "concern"),
    ("Even if you do not want us to sell your data, we will sell it to our partners.", "sale_of_data", "concern"),
    ("You may request that we not sell your personal information, but we may still sell it to affiliates.",
     "sale_of_data", "concern"),
    ("We do not stop selling your data when you close your account.", "sale_of_data", "concern"),
    ("We cannot stop selling your personal information once it has been shared.", "sale_of_data", "concern"),
    ("We may stop selling your data at any time but currently we sell it to advertisers.", "sale_of_data", "concern"),
    ("If you're a California resident we don't sell your personal information.", "sale_of_data", "protective"),
    ("If you create an account we will never sell your information.", "sale_of_data", "protective"),
    ("Whether or not you have an account we do not sell your data.", "sale_of_data", "protective"),
    ("If you opt out we will not sell your data to third parties.", "sale_of_data", "protective"),
    ("If you decide not to allow any other than the necessary cookies, your personal information will not be shared "
     "or sold.", "sale_of_data", "protective"),
    ("We do not sell your data, but if we ever sell it we will tell you.", "sale_of_data", "protective"),
    # (a second review)
    ("You have the right to know what personal information we collect and we sell it to data brokers.",
     "sale_of_data", "concern"),
    ("You have the right to know what personal information we collect\nand we sell it to data brokers.",
     "sale_of_data", "concern"),
    ("You have the right to know what we collect \u2014 we sell your data to data brokers.", "sale_of_data",
     "concern"),
    ("If we ever change this policy we may sell your data to new partners.", "sale_of_data", "concern"),
    ("You have the right to know what we sell, and we lease your data to brokers.", "sale_of_data", "concern"),
    ("We will not charge you for a request to stop selling your personal information.", "sale_of_data",
     "protective"),
    ("We will not discriminate against you if you ask us to stop selling your personal information.",
     "sale_of_data", "protective"),
    ("Once you opt out, we will stop selling your data and will not sell it again unless you opt back in.",
     "sale_of_data", "protective"),
    ("We do not sell your data, we sell subscriptions.", "sale_of_data", "protective"),
    ("We do not sell your data, but we do sell advertising space on our site.", "sale_of_data", "protective"),
    ("We don't sell your data unless you tell us we may sell it.", "sale_of_data", "protective"),
    ("If requested we won't sell your personal information.", "sale_of_data", "protective"),
    ("If the business has not sold your personal information, it will inform you.", "sale_of_data", "neutral"),
    ("The COMPANY shall, once it has received direction from a consumer not to sell the consumer's personal "
     "information, stop selling the consumer's personal information.", "sale_of_data", "protective"),
    ("We will not sell or otherwise share any information we collect with third parties.", "third_party_sharing",
     "protective"),
    ("We share your information with advertising partners.", "third_party_sharing", "concern"),
    ("We never share your data with third parties.", "third_party_sharing", "protective"),
    ("We use service providers who process data on our behalf.", "third_party_sharing", "neutral"),
    ("If we are involved in a merger, acquisition or bankruptcy, your data may be transferred.",
     "business_transfer", "concern"),
    ("We may disclose your information without notice to law enforcement.", "government_access", "concern"),
    ("We only disclose data to law enforcement when required by a valid court order.", "government_access", "protective"),
    ("We publish a transparency report about government requests.", "government_access", "protective"),
    ("We receive information about you from our partners and data brokers.", "third_party_sources", "concern"),
    ("We obtain information from data brokers.", "third_party_sources", "concern"),
    ("Your data may be transferred to and processed in countries outside the European Economic Area.",
     "international_transfer", "concern"),
    ("All data is stored exclusively in the EU.", "international_transfer", "protective"),
    # passive sharing, suppliers, and sharing the reader agrees to
    ("Your contact details may be passed on to the courier.", "third_party_sharing", "concern"),
    ("Our suppliers process your order data on our behalf.", "third_party_sharing", "neutral"),
    ("We never disclose personally-identifying details outside the team.", "third_party_sharing", "protective"),
    ("If you agree, we will share your name with the event organisers.", "third_party_sharing", "protective"),
    ("Club partners receive your e-mail address only with your explicit permission.", "third_party_sharing",
     "protective"),
    # sources beyond named companies: connected accounts, social networks, "them"
    ("We team up with analytics firms and may get details about you from them.", "third_party_sources", "concern"),
    ("When you link a social network profile, we obtain your name and friends list from that account.",
     "third_party_sources", "concern"),
    ("Our retail partners send us data about your purchases in their stores.", "third_party_sources", "concern"),
    # what a preamble's words do not excuse: sharing stated, or legal reasons that are the occasion of a disclosure
    ("We collect, use and share your personal information.", "third_party_sharing", "concern"),
    ("We may share your information for legal reasons, such as to comply with a subpoena.", "third_party_sharing",
     "concern"),
    ("This policy explains how we share your data with advertisers.", "third_party_sharing", "concern"),
    # a preamble's words elsewhere in a sentence that discloses (a review's cases, 2026-12-07)
    ("This is how we collect and use your data, and we may disclose your personal information to Acme Corp.",
     "third_party_sharing", "concern"),
    ("Regardless of how you sign up, we collect and use your email and we share your email data with Meta.",
     "third_party_sharing", "concern"),
    ("We do not care how you feel; we collect, use and share your data freely.", "third_party_sharing", "concern"),
    ("This section describes the legal basis, and we share your information with Google.", "third_party_sharing",
     "concern"),
    ("No matter how you use the service we collect, use and share your data.", "third_party_sharing", "concern"),
])
def test_sharing(sentence, practice, polarity):
    assert polarity_of(sentence, practice) == polarity


@pytest.mark.parametrize("sentence, practice", [
    ("In the event of a sale of all of our assets, data may transfer to the buyer.", "sale_of_data"),
    ("We sell software licences and hardware.", "sale_of_data"),
    ("We may sell your personal information to data brokers.", "third_party_sharing"),
    ("Any dispute shall be resolved under the laws of the State of California.", "government_access"),
    ("We collect the details you type into the sign-up form from you directly.", "third_party_sources"),
    ("With your consent, we set a cookie that counts page views.", "third_party_sharing"),
    ("We are not liable for confidential or trade-secret information stored on our equipment.", "sale_of_data"),
    ("By accessing the services, you represent and warrant that you are at least 13 years of age.", "government_access"),
    ("We use the services of Example Ltd trading as CheckCo to verify the data you provide.", "sale_of_data"),
    # a buyer named "data broker" is no sale of data: the thing sold is gift cards (a review's finding, 2026-12-06)
    ("We may sell gift cards to data brokers.", "sale_of_data"),
    ("We may sell gift cards to data brokers.", "third_party_sources"),  # they are sent something, not a source
    ("We never share your information with data brokers.", "third_party_sources"),
    # receiving ads or services from someone is no data about you from them
    ("You can opt out of receiving personalized website ads from advertisers and ad networks.", "third_party_sources"),
    ("We receive contracted services and licensed products from third party providers.", "third_party_sources"),
    # generic preambles (labelling guide, rule 2; issue #11's X preamble): no practice stated
    ("This Privacy Policy explains how we collect, use and share your information.", "third_party_sharing"),
    ("X has carefully considered the legal reasons it is permitted to collect, use, share, and otherwise process "
     "your information.", "third_party_sharing"),
    ("This policy describes how Acme collects, uses, and discloses personal information.", "third_party_sharing"),
    ("In this section we describe the legal reasons we have for sharing your data.", "third_party_sharing"),
    ("It explains how and why we collect, store, process and share any of the personal data you provide us.",
     "third_party_sharing"),
])
def test_not_this_practice(sentence, practice):
    assert polarity_of(sentence, practice) is None
