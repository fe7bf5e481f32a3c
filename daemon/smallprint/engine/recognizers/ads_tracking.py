"""Advertising, tracking technologies and profiling."""
from __future__ import annotations

from ._words import gap
from .base import Pattern, Recognizer
from .registry import register

# The Do Not Track signal, not the verb phrase: "we do not track you" is a promise about tracking, read as such.
_DNT = (r"(?:\bdo[- ]not[- ]track\b(?<!we do not track)(?! (?:you|your|users?|visitors?|people|individuals|anyone|any\b"
        r"|across|ip\b|or profile))|\bdnt\b|\brequests? not to be tracked)")


@register
class AdvertisingRecognizer(Recognizer):
    practice = "advertising"
    cues = ("ads", "ad", "advertising", "advertisement", "advertisements", "advertisers", "advertiser", "advertise",
            "marketing", "targeted", "personalized", "personalised", "interest", "behavioral", "behavioural",
            "promotional", "promotions", "sponsored", "retargeting", "remarketing", "offers")
    patterns = (
        Pattern("targeted_ads", r"\b(?:targeted|personali[sz]ed|tailored|interest-based|behaviou?ral(?:ly)?|relevant|customi[sz]ed"
                                r"|retargeting|remarketing|cross-context)\W+(?:\w+\W+){0,2}?(?:ads|advertis\w+|marketing|offers"
                                r"|promotions|sponsored)", "concern", "protective", 0.7),
        Pattern("use_for_ads", r"\b(?:use|uses|used|using|process\w*|shar\w+|disclos\w+)" + gap(10)
                + r"(?:for|to|in) (?:\w+ ){0,3}?(?:advertis\w+|marketing|ads|promotional)", "concern", "protective", 0.65),
        Pattern("ads", r"\b(?<!non-)(?<!non )(?:advertis(?:ing(?! (?:ids?|identifiers?|providers?|partners?|compan\w+|networks?"
                       r"|platforms?|service providers?|budget|space|agenc\w+))|ements?|ers?|e)|ads|ad (?:networks?|partners|targeting|measurement|personali[sz]ation"
                       r"|serving|delivery)|(?:direct |email |e-mail )?marketing|promotional (?:\w+ )?(?:e-?mails?|communications?"
                       r"|messages?|offers?|materials?)|sponsored (?:content|posts?|stories))\b", "concern", "protective", 0.45),
    )
    context = ("personal", "information", "data", "interests", "activity", "partners")
    exclude = r"\b(?:advertising|marketing) (?:agency|department|team|materials? (?:of|for) (?:our|the) (?:products|services))\b"


@register
class TrackingRecognizer(Recognizer):
    practice = "tracking"
    cues = ("cookie", "cookies", "pixel", "pixels", "beacon", "beacons", "tracking", "track", "tracks", "tracked",
            "tracker", "trackers", "fingerprinting", "fingerprint", "sdk", "sdks", "analytics", "dnt", "storage",
            "referrer", "referring", "clickstream", "gifs", "gif", "tags", "history", "logs", "log", "tracer",
            # the identifiers and referrer words the patterns below name (a pattern only runs when a cue fired)
            "identifier", "identifiers", "idfa", "ids", "id", "referral", "referred", "udid", "imei", "meid", "mac",
            "ip", "ips", "visited")
    patterns = (
        # Do Not Track: honoured is protective, ignored is a concern. The verb carries the polarity ("we do not respond
        # to Do Not Track"); the words "Do Not" inside the signal's name are no negation.
        Pattern("dnt_ignored", r"\b(?:ignor|disregard)\w*" + gap(6) + _DNT + r"|" + _DNT + gap(8)
                + r"(?:are |is |will be |be )?(?:ignored|disregarded)", "concern", None, 0.9),
        Pattern("dnt_respond", r"\b(?<!how we )(?<!how it )(?<!how to )(?:respond|honou?r|recogni[sz]|support|compl(?:y|ies)|obey|follow|act(?:s|ion)?|process|react"
                               r"|alter|chang|respect|treat|accept|adhere)\w*" + gap(8) + _DNT + r"|" + _DNT + gap(8)
                + r"(?:are |is |will be |be )?(?:honou?red|respected|supported|recogni[sz]ed|followed|processed)",
                "protective", "concern", 0.9),
        # Honoured by not tracking: "if you have Do Not Track enabled, we do not collect any analytics data".
        Pattern("dnt_no_tracking", _DNT + gap(12) + r"(?:we|it|they|the (?:site|website|service)) (?:\w+ )?(?:do not|don[’']t|does not"
                r"|doesn[’']t|will not|won[’']t|never|not) (?:\w+ ){0,2}?(?:collect|track|count|load|record|set|place|log|send"
                r"|run|store|use (?:any )?(?:analytics|tracking|cookies|trackers))\b", "protective", None, 0.9),
        Pattern("dnt", _DNT, "neutral", "concern", 0.85),
        # "If you disable cookies, some features may not work": informative, whatever the negations say.
        Pattern("blocking_limits", r"^(?=.*?\bcookies?\b)(?=.*?\b(?:disabl|block|reject|refus|deactivat|turn\w* off|opt\w*[- ]?out"
                                   r"|restrict|delet|remov|declin|without|(?:not|\w+n[’']t) (?:to )?(?:accept|allow|enable)|clear)\w*)(?=.*?(?:\bnot (?:\w+ ){0,2}?(?:function|work"
                                   r"|be (?:\w+ )?(?:available|able|provided|possible|accessible)|operate|load)|\baffect|\blimit|\bimpair"
                                   r"|\bdiminish|\bunable|\bcannot|\bbreak|\bimpact|\bdegrad|\binterfere|\bno longer|\bnot all|\bsome (?:\w+ )?"
                                   r"(?:features|functions|parts|areas|services|pages)))\W*\w+", "neutral", None, 0.8),
        Pattern("necessary_cookies", r"\b(?:necessary|essential|required|session|first[- ]party"
                                     r"|functional(?:ity)?|preference)\W+(?:\w+\W+){0,2}?cookies?\b|\bcookies?\b" + gap(6)
                + r"(?:necessary|essential|required) (?:for|to)", "neutral", "protective", 0.8),
        Pattern("trackers", r"\bbeacons?|\bpixels?(?: tags?)?\b"
                            r"|\btracking (?:technolog\w+|tools?|scripts?|tags?|codes?|services?|software|cookies?)"
                            r"|\bclear gifs?|\bsdks?\b|\badvertising ids?\b|\bad(?:vertising)? identifiers?|\bidfa\b|\bmobile identifiers?|(?:device|browser|canvas) fingerprint\w*|\bfingerprinting\b|\btrackers?\b"
                            r"|\btrack(?:s|ed|ing)? (?:you|your|users?|visitors?|people|individuals|activit\w+|browsing|across)"
                            r"|\bbrowsing (?:history|activity|behaviou?r)|\bclickstream|\breferr(?:er|ing|al) (?:url|page|website|site|data)s?"
                            r"|\b(?:google|web|third[- ]party) analytics|analytics (?:tools?|services?|providers?|cookies|partners|software)",
                "concern", "protective", 0.85,
                needs=frozenset(['ad', 'advertising', 'analytics', 'beacon', 'beacons', 'browsing', 'clickstream', 'fingerprint', 'fingerprinting', 'fingerprints', 'gif', 'gifs', 'identifier', 'identifiers', 'idfa', 'pixel', 'pixels', 'referral', 'referrer', 'referring', 'sdk', 'sdks', 'track', 'tracked', 'tracker', 'trackers', 'tracking', 'tracks'])),
        Pattern("third_party_cookies", r"\bthird[- ]party (?:\w+ )?cookies|\b(?:advertising|targeting|marketing|social media"
                                       r"|analytics?|statistic(?:s|al)|performance|tracking) cookies", "concern", "protective", 0.85),
        Pattern("cookies", r"\bcookies?\b|\blocal storage|\bweb storage|\blocal shared objects|\bflash cookies", "concern",
                "protective", 0.65),
        Pattern("logs", r"\b(?:ip|server|access|usage|activity) logs?\b|\blog (?:data|files?|information)\b", "concern",
                "protective", 0.5),
        # Identifiers that follow a device or browser around, and where a visit came from.
        Pattern("device_ids", r"\b(?:unique |mobile |persistent )?device (?:ids?|identifiers?)\b|\bunique (?:\w+ )?identifiers?\b"
                              r"|\b(?:udid|imei|meid)\b|\bmac address|\bvendor ids?\b"
                              r"|\b(?:web ?pages?|websites?|sites?|urls?|pages?)\b (?:\w+ ){0,3}?(?:you )?(?:visited|were on|came from)"
                              r" (?:\w+ ){0,2}?before|\b(?:websites?|sites?|pages?) (?:that|which) referred|\breferred (?:\w+ ){0,3}?(?:from|via|by)\b",
                "concern", "protective", 0.7,
                needs=frozenset(['device', 'unique', 'udid', 'imei', 'meid', 'mac', 'vendor', 'visited', 'referred', 'were',
                                 'came'])),
        # A bare IP address in what is logged is no practice worth a highlight ("we log your IP address and browser
        # type"); a promise about IP addresses is: "IPs are anonymised", "we do not store IP addresses".
        Pattern("ip_anonymised", r"\bip(?:[- ]address(?:es)?|s)?\b (?:\w+ ){0,3}?(?:is |are )?(?:anonymi[sz]|truncat|mask)\w*"
                                 r"|\b(?:anonymi[sz]|truncat|mask)\w* (?:\w+ ){0,3}?ip(?:[- ]address(?:es)?|s)?\b"
                                 r"|\b(?:not|never|neither|nor)\b (?:\w+ ){0,4}?(?:collect|stor|log|record|keep|sav|track|retain)\w*"
                                 r" (?:\w+ ){0,4}?ip(?:[- ]address(?:es)?|s)?\b",
                "protective", None, 0.7, needs=frozenset(['ip', 'ips'])),
    )
    context = ("device", "browser", "website", "site", "online", "collect")


@register
class ProfilingRecognizer(Recognizer):
    practice = "profiling"
    cues = ("profile", "profiles", "profiling", "infer", "inferences", "inferred", "inference", "combine", "combined",
            "combines", "combining", "automated", "decision", "decisions", "predict", "predictions",
            "personality", "scoring", "segments", "segment", "interests", "across", "link", "linked", "connect")
    patterns = (
        Pattern("automated_decisions", r"\bautomated (?:individual )?decision\w*|\bautomated processing|\bdecision-making",
                "concern", "protective", 0.85),
        Pattern("profiling", r"\bprofiling\b|\b(?:build|create|develop|compile|make)\w* (?:a |user |marketing |consumer )?profiles?\b"
                             r"|\binferences?\b|\b(?:infer|predict)\w*" + gap(4)
                + r"(?:interests|preferences|characteristics|behaviou?r|age|gender|personality)", "concern", "protective", 0.85,
                needs=frozenset(['infer', 'inference', 'inferences', 'inferred', 'inferring', 'infers', 'predict', 'predicted', 'predicting', 'predicts', 'profile', 'profiles', 'profiling'])),
        # Data joined up across products, devices or sources: the point of the sentence, not a side remark.
        Pattern("combine_across", r"\b(?:combin|connect|link|associat|merg)\w*" + gap(6) + r"(?:information|data)\b" + gap(8)
                + r"(?:across|from (?:other|different|third|our other|all)|with (?:other |the )?(?:information|data) (?:we|from|about"
                  r"|that))\b", "concern", "protective", 0.8),
        Pattern("combine_data", r"\bcombin\w*" + gap(8) + r"(?:information|data|accounts?|profiles?)\b"
                + r"|\b(?:information|data)" + gap(6) + r"(?:combined|linked|associated) (?:with|across)"
                + r"|\bacross (?:\w+ ){0,2}?(?:products|services|devices|apps|platforms|companies)\b" + gap(6)
                + r"(?:combin|link|connect|associat)\w*", "concern", "protective", 0.5),
    )
    context = ("information", "data", "ads", "interests")
