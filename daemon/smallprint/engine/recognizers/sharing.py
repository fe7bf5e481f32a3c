"""Where data goes: sale, sharing, business transfers, governments, other countries; and where it comes from."""
from __future__ import annotations

import re

from ..polarity import SALE_WORDS
from ._words import gap
from .base import Pattern, Recognizer
from .registry import register

# Every alternative starts with a literal word (no optional prefix): the regex engine can then scan for the
# alternatives' first letters quickly (~5x faster than one optional-prefix alternative makes it).
_RECIPIENTS = (r"(?:third[- ]?part(?:y|ies)|partners?|business partners?|marketing partners?|advertising partners?"
               r"|trusted partners?|select(?:ed)? partners?|affiliate[sd]?|affiliated (?:compan\w+|entities)|service providers?"
               r"|technology providers?|analytics providers?|vendors?|suppliers?|processors?|sub-?processors?|subsidiar\w+|contractors?"
               r"|advertisers?|other (?:compan\w+|parties|organi[sz]ations|entities|businesses)|outside (?:compan\w+|parties"
               r"|organi[sz]ations|entities|businesses)|unaffiliated (?:compan\w+|parties|organi[sz]ations|entities|businesses)"
               r"|external (?:compan\w+|parties|organi[sz]ations|entities|businesses)|group compan\w+|family of companies"
               r"|companies|others\b|anyone|anybody|no one|any (?:other )?(?:organi[sz]ation|company|entity)"
               r"|sponsors?|data brokers?|app developers?|developers)")
# Verbs that pass data on by themselves, and verbs that do so only with data as their object ("provide you
# marketing" passes nothing on; "provide your information to partners" does).
_GIVE = (r"(?:\b(?:shar(?:e|es|ed|ing)|disclos(?:e|es|ed|ing|ure)|transfer(?:s|red|ring)?|releas(?:e|es|ed|ing)"
         r"|pass(?:es|ed|ing)? (?:on|along)|trade|rent|make (?:\w+ )?available|made available)\b|\b(?:provid\w*|giv(?:e|es|en|ing)"
         r"|send|sent|communicat\w*|transmit\w*)\W+(?:\w+\W+){0,3}?(?:information|data|details|pii|it|them)\b)")


@register
class SaleOfDataRecognizer(Recognizer):
    practice = "sale_of_data"
    cues = ("sell", "sells", "selling", "sold", "sale", "sales", "rent", "rents", "renting", "rented", "lease",
            "barter", "monetize", "trade", "trading", "traded")
    patterns = (
        # "data" naming the buyer ("sell gift cards to data brokers") is not what is sold: the object must say it
        Pattern("sell_data", SALE_WORDS + gap(10) + r"(?:personal|information|data(?! (?:brokers?|companies)\b)"
                + r"|details|\bpii\b|e-?mail|addresses|lists?|\bit\b|them|anything|identit)", "concern", "protective",
                0.75),
        Pattern("data_sold", r"(?:information|data|details|\bpii\b)" + gap(6)
                + r"(?:be |is |are |been |get |gets )?(?:sold|rented|traded|monetized)\b", "concern", "protective", 0.9),
        Pattern("ccpa_sale", r"\bsale of (?:your )?(?:personal )?(?:information|data)|\b(?:sell|sale)[\"”']? (?:or|and|and/or) "
                             r"[\"“']?shar(?:e|ing)\b|[\"“']sell(?:ing)?[\"”']|\bnot sell\b", "concern", "protective", 0.85),
    )
    context = ("personal", "information", "data", "third", "parties")
    # A sale of the company's assets is a business transfer; "sales" of products are not about data.
    exclude = (r"\bmerg(?:er|ers|e)\b|acquisition|bankrupt|sale of (?:all|substantially|some|part|a portion|our|its|the) "
               r"(?:\w+ )?(?:of )?(?:our |its |the )?(?:assets|business|company|stock|shares)|reorgani[sz]ation")


@register
class BusinessTransferRecognizer(Recognizer):
    practice = "business_transfer"
    cues = ("merger", "mergers", "merge", "merged", "acquisition", "acquisitions", "acquired", "acquirer",
            "bankruptcy", "bankrupt", "insolvency", "reorganization", "reorganisation", "divestiture", "dissolution",
            "receivership", "successor", "assets", "ownership", "control", "restructuring", "buyer", "purchaser",
            "liquidation", "transaction", "transactions")
    patterns = (
        Pattern("bound_by_policy", r"\b(?:agree\w*|bound|continue|required|obligat\w+|respect|honou?r|subject|consistent)"
                + gap(8) + r"(?:this|the|our|these) (?:privacy )?(?:policy|notice|statement|promises|commitments|terms)",
                "protective", None, 0.8),
        Pattern("merger", r"\b(?:merg(?:er|ers|e|ed|ing)|acqui(?:sitions?|red|rer|ring)|bankrupt\w*|insolvenc\w+"
                          r"|reorgani[sz]ation|restructuring|divestiture|dissolution|receivership|liquidation"
                          r"|change (?:of|in) (?:control|ownership)|(?:sale|transfer) of (?:all|some|substantially|part"
                          r"|a portion|any|our|its|the)" + gap(4) + r"(?:assets|business|company|stock|shares))",
                "concern", "protective", 0.85),
    )
    context = ("transfer", "transferred", "information", "data", "assets")


_AUTHORITIES = (r"(?:law enforcement|government\w*|public authorit\w+|regulatory authorit\w+|judicial authorit\w+"
                r"|competent authorit\w+|tax authorit\w+|authorit(?:y|ies)|police|subpoenas?|court orders?|legal process"
                # a search warrant, not "you represent and warrant that ..."
                r"|(?<!and )(?<!represent )(?<!you )warrants?\b(?! that)"
                r"|lawful (?:requests?|process|orders?|demands?)|legal (?:requests?|process|orders?|demands?)"
                r"|valid (?:requests?|process|orders?|demands?)|national security|regulators?|intelligence agencies|public bodies"
                r"|judicial)")


@register
class GovernmentAccessRecognizer(Recognizer):
    practice = "government_access"
    cues = ("law", "enforcement", "government", "governments", "governmental", "authority", "authorities", "police",
            "subpoena", "subpoenas", "court", "warrant", "warrants", "legal", "lawful", "regulators", "national",
            "transparency", "faith")
    patterns = (
        Pattern("transparency", r"\btransparency report|national security letters?|\bfisa\b|(?:notify|inform|tell)\w* "
                                r"(?:\w+ ){0,3}?(?:users?|you|customers?|account holders?)" + gap(8)
                + r"(?:requests?|subpoenas?|demands?|orders?)|(?:challenge|resist|push back|object to)\w*" + gap(6)
                + r"(?:requests?|demands?|orders?)", "protective", "concern", 0.85,
                needs=frozenset(['challenge', 'challenges', 'fisa', 'inform', 'informs', 'letter', 'letters', 'notifies', 'notify', 'object', 'push', 'resist', 'tell', 'transparency'])),
        Pattern("disclose_to_authorities", r"\b(?:disclos\w+|shar(?:e|es|ed|ing)|provid\w+|releas\w+|access\w*|respond\w*"
                                           r"|turn\w* over|hand\w* over|preserv\w+|reveal\w*|comply|cooperat\w+)" + gap(15)
                + _AUTHORITIES, "concern", "protective", 0.8,
                needs=frozenset(['authorities', 'authority', 'court', 'enforcement', 'government', 'governmental', 'governments', 'intelligence', 'judicial', 'law', 'lawful', 'legal', 'national', 'police', 'process', 'public', 'regulator', 'regulators', 'subpoena', 'subpoenas', 'valid', 'warrant', 'warrants'])),
        Pattern("authorities_request", _AUTHORITIES + gap(8) + r"(?:requests?|access|demands?|inquir\w+|disclos\w+)",
                "concern", "protective", 0.75,
                needs=frozenset(['authorities', 'authority', 'court', 'enforcement', 'government', 'governmental', 'governments', 'intelligence', 'judicial', 'law', 'lawful', 'legal', 'national', 'police', 'process', 'public', 'regulator', 'regulators', 'subpoena', 'subpoenas', 'valid', 'warrant', 'warrants'])),
        Pattern("legal_necessity", r"\b(?:disclos\w+|shar(?:e|es|ed|ing)|provid\w+|releas\w+|reveal\w*|preserv\w+)" + gap(15)
                + r"(?:comply with (?:\w+ ){0,2}?(?:laws?|legal|regulations?)|required (?:to do so )?by (?:applicable )?law"
                  r"|good[- ]faith belief|believe in good faith|legal (?:obligations?|requirements?))", "concern", "protective", 0.5,
                needs=frozenset(['comply', 'faith', 'legal', 'required'])),
    )
    context = ("disclose", "information", "request", "requests", "data")


# Where data about the reader comes from, beyond the companies of _RECIPIENTS: accounts the reader connects,
# social networks, other people ("we receive information from them").
_OTHER_SOURCES = (r"(?:them\b|social (?:media|network|networking)\w*|(?:external|third[- ]party|connected|linked|other|those)"
                  r" (?:services?|accounts?|platforms?|sites?|websites?|apps?|applications?|networks?)|that (?:service|site|platform"
                  r"|account|network)|other (?:users|people|members|individuals))")


@register
class ThirdPartySourcesRecognizer(Recognizer):
    practice = "third_party_sources"
    cues = ("third", "parties", "party", "partner", "partners", "affiliate",
            "affiliates", "affiliated", "provider", "providers", "vendor", "vendors", "processor", "processors",
            "subprocessors", "subsidiaries", "contractors", "contractor", "advertisers",
            "advertiser", "companies", "organizations", "organisations", "entities", "businesses", "others",
            "sponsors", "sponsor", "brokers", "broker", "developers", "group", "family", "publicly", "public",
            "sources", "scrape", "scraped", "scraping", "nonusers", "non", "even", "without", "them", "social", "people",
            "external", "connected", "accounts", "platforms")
    patterns = (
        # What is received must be data: "opt out of receiving targeted ads from advertisers", "receive contracted
        # services from providers" name no source of data about you.
        Pattern("receive_from", r"\b(?:receiv|obtain|collect|get|gets|gather|acquir|purchas|buy|supplement|combin|link)\w*"
                r"(?! (?:\w+ ){0,2}?(?:ads|advertis\w*|marketing|offers|promotion\w*|e-?mails?|communications?|newsletters?|messages"
                r"|services|products|updates)\b)"
                + gap(10) + r"(?:from|through|via) (?:\w+\W+){0,4}?(?:" + _RECIPIENTS + "|" + _OTHER_SOURCES + ")",
                "concern", "protective", 0.85,
                needs=frozenset(['from', 'through', 'via'])),
        # "partners / other people give us information about you"
        Pattern("told_about_you", r"(?:" + _RECIPIENTS + r"|other (?:people|users|members))\W+(?:\w+\W+){0,3}?(?:provid|shar|send|giv|pass|disclos|tell|report)\w* "
                r"(?:(?:to |with )?us )?(?:with )?(?:\w+ ){0,3}?(?:information|data|details) (?:\w+ ){0,2}?about (?:you|your)\b",
                "concern", "protective", 0.75,
                needs=frozenset(['about'])),
        # data brokers are a source, unless the clause sends them something ("sell ... to data brokers", "share it
        # with data brokers": a sale or a sharing, read by their own recognizers)
        Pattern("public_sources", r"\bpublicly[- ]available (?:information|data|sources)|\bpublic (?:sources|databases|records)"
                                  r"|\b(?:other|various|third[- ]party|external|public) sources|(?<!\bto )(?<!\bwith )\bdata brokers?|\bscrap(?:e|ed|ing)\b",
                "concern", "protective", 0.8,
                needs=frozenset(['broker', 'brokers', 'public', 'publicly', 'scrape', 'scraped', 'scraping', 'sources'])),
        Pattern("they_send_us", _RECIPIENTS + gap(6) + r"(?:provid|shar|send|giv|pass|disclos|transfer)\w* (?:(?:to |with )?us (?:with )?"
                + r"(?:\w+ ){0,3}?(?:information|data|details)|(?:\w+ ){0,3}?(?:information|data|details)" + gap(3)
                + r"(?:to|with) us)\b", "concern", "protective", 0.6,
                needs=frozenset(['us'])),
        Pattern("non_users", r"\beven if you (?:do not|don't) (?:have|use|create|hold)|\bnon-?users\b|\bwithout an account",
                "concern", "protective", 0.7,
                needs=frozenset(['even', 'non', 'non-users', 'nonusers', 'without'])),
    )
    context = ("information", "data", "about")


@register
class InternationalTransferRecognizer(Recognizer):
    practice = "international_transfer"
    cues = ("countries", "country", "abroad", "international", "internationally", "world", "worldwide", "borders",
            "border", "jurisdiction", "jurisdictions", "eea", "eu", "states", "outside", "globally",
            "global", "contractual", "adequacy", "shield", "overseas", "located")
    patterns = (
        Pattern("kept_in_region", r"\b(?:stored|hosted|kept|processed|held|resides?|remains?)\b (?:\w+ ){0,2}?(?:exclusively |only |solely |entirely )?"
                r"(?:in|within) (?:the )?(?:eu|european union|eea|european economic area|germany|switzerland|canada|your country)\b(?! and)",
                "protective", "concern", 0.75,
                needs=frozenset(['canada', 'country', 'eea', 'eu', 'european', 'germany', 'switzerland'])),
        Pattern("transfer_abroad", r"\b(?:transferr?\w*|stor\w+|process\w*|host\w*|maintain\w*|located|moved?|sent|access\w*"
                                   r"|shar\w+)" + gap(12)
                + r"(?:other countries|another country|any country|(?:a |any )?countr(?:y|ies) (?:other than|outside)|"
                  r"outside (?:of )?(?:the |your )?(?:eea|european|eu\b|uk\b|united kingdom|country|province|state|jurisdiction|switzerland)"
                  r"|(?:in|to) the (?:united states|u\.s\.?|us\b)|throughout the world|around the world|anywhere in the world"
                  r"|worldwide|across (?:national )?borders|internationally|abroad|overseas|different (?:countries|jurisdictions)"
                  r"|third countr\w+|jurisdictions? (?:other than|outside|that)|countries where)", "concern", "protective", 0.85),
        Pattern("transfer_terms", r"\bcross-border (?:data )?(?:transfers?|processing)|\binternational (?:data )?transfers?"
                                  r"|standard contractual clauses|adequacy decisions?|privacy shield",
                "concern", "protective", 0.75),
    )
    context = ("transfer", "transferred", "data", "information", "processed", "stored")


_CONSENT = (r"(?:with your (?:\w+ )?(?:consent|permission|authori[sz]ation)\b|(?:if|when|where|once|after) you (?:have )?(?:\w+ )?"
            r"(?:consent|agree|authori[sz]e|opt[- ]in|give (?:us )?(?:your )?(?:\w+ )?(?:consent|permission))\b)")
_SHARE_WORD = r"(?:shar(?:e|es|ed|ing)|disclos\w*|pass(?:es|ed|ing)? (?:on|along)|transferr?\w*|third[- ]part\w*|partners?)\b"


# A generic preamble: the policy saying what it explains, or the legal reasons it relies on, for collecting, using
# and sharing (labelling guide, rule 2: "this policy explains how we collect, use and share information" gets no
# label; issue #11: "X has carefully considered the legal reasons it is permitted to collect, use, share..." read as
# sharing). Only the bare sharing verb is set aside, and only where it is the next item of the preamble's own list
# of verbs (the pattern ends where the verb starts): "this is how we collect and use your data, and we may disclose
# it to Acme" still states a disclosure, and sharing with named recipients is read as before.
_PROCESSING = r"(?:receiv|record|stor|process|protect|retain|transfer|handl|maintain|keep|analy[sz])\w*"
_PREAMBLE = re.compile(
    r"(?:(?<!matter )\b(?:how|why)|\blegal (?:reasons?|bas[ie]s|grounds?)|\blawful (?:bas[ie]s|grounds?))"
    r"(?:\s+[^\s,;:]+){0,4}?\s+(?:collect|gather|obtain)\w*,?\s+(?:(?:and|or|and/or)\s+)?(?:" + _PROCESSING
    + r",?\s+(?:(?:and|or|and/or)\s+)?){0,3}(?:us(?:e|es|ed|ing)|process\w*|stor\w*),?\s+"
    r"(?:(?:(?:and|or|and/or)\s+)?" + _PROCESSING + r",?\s+){0,3}(?:(?:and|or|and/or)\s+)?$"
    r"|\b(?:describ|explain|set(?:s)? out|outlin|summari[sz])\w*\s+(?:\w+\s+){0,3}?"
    r"(?:the (?:legal )?(?:reasons?|bases|basis|grounds?)|legal (?:reasons?|bases|basis|grounds?))\b"
    r"(?:\s+[^\s,;:]+){0,4}?\s+$")


@register
class ThirdPartySharingRecognizer(Recognizer):
    practice = "third_party_sharing"
    cues = ("third", "parties", "party", "partner", "partners", "affiliate",
            "affiliates", "affiliated", "provider", "providers", "vendor", "vendors", "processor", "processors",
            "subprocessors", "subsidiaries", "contractors", "contractor", "advertisers",
            "advertiser", "companies", "organizations", "organisations", "entities", "businesses", "others",
            "sponsors", "sponsor", "brokers", "broker", "developers", "group", "family", "share", "shares",
            "shared", "sharing", "disclose", "discloses", "disclosed", "disclosing", "disclosure", "disclosures",
            "consent", "permission", "authorization", "authorisation", "anyone", "anybody", "organization", "organisation", "outside", "give", "gives", "available", "transfer", "transfers", "transferred",
            "supplier", "suppliers", "hosting", "hosted", "passed", "handed", "released", "given")
    patterns = (
        Pattern("only_with_consent", r"\bonly (?:\w+ ){0,4}?(?:with|if|when|where|after) (?:you (?:have )?(?:given|give|provide) )?(?:your )?"
                                     r"(?:explicit |express |prior |specific )?(?:consent|permission|authori[sz]ation)",
                "protective", "concern", 0.8,
                needs=frozenset(['only'])),
        # "with your consent we may share ...", "if you agree, your details are passed to ...": sharing you decide on
        Pattern("with_consent", r"\b" + _CONSENT + r"(?=.{0,200}?\b" + _SHARE_WORD + r")|\b" + _SHARE_WORD + r".{0,200}?\b" + _CONSENT,
                "protective", "concern", 0.75,
                needs=frozenset(['consent', 'permission', 'authorization', 'authorisation', 'agree', 'authorize', 'authorise',
                                 'opt'])),
        Pattern("share_with", _GIVE + gap(14) + _RECIPIENTS, "concern", "protective", 0.6),
        Pattern("recipients_access", _RECIPIENTS + gap(8) + r"(?:have access|may access|access to|can access|receive|process\w*"
                + r"|on (?:our|its) behalf|help us|assist us|perform\w* (?:services|functions|tasks)|operat\w+)",
                "concern", "protective", 0.55,
                needs=frozenset(['access', 'assist', 'assists', 'behalf', 'help', 'helps', 'operate', 'operating', 'operation', 'operations', 'perform', 'performing', 'performs', 'process', 'processes', 'processing', 'receive', 'receives'])),
        Pattern("uses_providers", r"\b(?:uses?|using|employ\w*|engag\w+|work\w* with|rel(?:y|ies) on) (?:the )?(?:services of|(?:\w+ )?"
                                  r"(?:third[- ]party |outside |external )?(?:service providers?|vendors|processors|contractors|hosting"
                                  r" (?:compan\w+|providers?|partners?)|companies|third[- ]parties))", "concern", "protective", 0.55,
                needs=frozenset(['companies', 'contractors', 'hosting', 'parties', 'processors', 'provider', 'providers', 'services', 'third-parties', 'vendors'])),
        Pattern("disclose_generic", r"\b(?:shar(?:e|es|ed|ing)|disclos(?:e|es|ed|ing))\b" + gap(6)
                + r"(?:your |the |such |this |any |personal |personally[- ]\w+ |user )(?:\w+ )?(?:information|data|details|pii|content)",
                "concern", "protective", 0.55),
        # "your contact details may be shared with ...", "no data is passed on to ..."
        Pattern("data_shared", r"\b(?:information|data|details|pii)\b" + gap(4) + r"(?:be |is |are |been |get |gets )?(?:shared|disclosed"
                r"|passed on|handed over|made available|given|released) (?:with|to)\b", "concern", "protective", 0.6),
    )
    context = ("personal", "information", "data", "third", "partners")

    def analyze(self, sentence, words, relaxed=False):
        results = super().analyze(sentence, words, relaxed)
        if results and results[0].pattern == "disclose_generic" and _PREAMBLE.search(sentence, 0, results[0].start):
            return []  # "this policy explains how we collect, use and share your information": no practice stated
        return results
