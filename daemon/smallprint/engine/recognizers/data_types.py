"""Kinds of data that matter on their own: biometric, sensitive categories, location, employment and education."""
from __future__ import annotations

from ._words import gap
from .base import Pattern, Recognizer
from .registry import register


@register
class BiometricRecognizer(Recognizer):
    practice = "biometric"
    cues = ("biometric", "biometrics", "face", "facial", "faceprint", "faceprints", "fingerprint", "fingerprints",
            "voiceprint", "voiceprints", "iris", "retina", "retinal", "palm", "geometry", "voice")
    patterns = (
        Pattern("biometric", r"\bbiometric\w*", "concern", "protective", 0.9),
        Pattern("face", r"\bfac(?:e|ial)[- ](?:recognition|geometry|scan\w*|templates?|prints?|id\b|features?"
                        r"|data|detection|measurements?|landmarks?|mapping|analysis)|\bfaceprints?", "concern", "protective", 0.9),
        # a device's "fingerprint" is tracking, not a body's: "device or browser fingerprint", "digital fingerprint
        # technology", "the digital \"fingerprint\"", "browser type or fingerprint", a phone's "build fingerprint"
        Pattern("prints", r"(?<!device )(?<!browser )(?<!canvas )(?<!digital )(?<!digital \")(?<!digital “)(?<!build )(?<!type or )"
                          r"\bfingerprints?\b(?! ?ing)|\bvoice ?prints?|\bpalm ?prints?"
                          r"|\b(?:iris|retina\w*) (?:scans?|patterns?|images?)|\bvoice (?:recognition|identification|biometrics?)",
                "concern", "protective", 0.85),
    )
    context = ("collect", "use", "process", "store", "identify", "identification", "recognize")
    # A sentence about a device's fingerprint speaks of it throughout: "... converted into a unique serial number (the
    # digital "fingerprint") and determines if it matches previous fingerprints" (the Daily Mail) named no body,
    # unless it also names a body's marks (face, iris, voice, palm, retina) or biometrics outright.
    exclude = (r"^(?![\s\S]*(?:biometric|\bfac(?:e|ial)\b|\biris|\bretina|\bvoice|\bpalm))[\s\S]*?"
               r"\b(?:device|browser|digital|canvas|build)\W+(?:\w+\W+){0,2}?fingerprint")


@register
class SensitiveDataRecognizer(Recognizer):
    practice = "sensitive_data"
    cues = ("sensitive", "special", "health", "medical", "racial", "ethnic", "religion", "religious", "sexual",
            "orientation", "political", "union", "genetic", "philosophical", "criminal", "disability", "sex",
            "beliefs", "pregnancy", "dna")
    patterns = (
        Pattern("sensitive", r"\bsensitive (?:personal )?(?:data|information|categories|info)\b"
                             r"|\bspecial categor(?:y|ies) of (?:personal )?(?:data|information)", "concern", "protective", 0.85),
        Pattern("categories", r"\b(?:racial|ethnic) (?:or ethnic )?origin|\brace\b" + gap(2) + r"ethnic\w*"
                r"|\breligio\w+ (?:or philosophical )?(?:beliefs?|affiliation)|\bphilosophical beliefs?"
                r"|\bsex(?:ual)? (?:orientation|life|preferences?)|\bpolitical (?:opinions?|views|affiliations?|beliefs?)"
                r"|\b(?:trade )?union membership|\bgenetic (?:data|information|testing)|\bdna\b"
                r"|\bcriminal (?:records?|convictions?|history|offen[cs]es)", "concern", "protective", 0.85),
        Pattern("health", r"\b(?:health|medical)(?:[- ]related)?(?: and \w+)? (?:data|information|info|conditions?|records?"
                          r"|history|status)", "concern", "protective", 0.8),
    )
    context = ("collect", "process", "use", "share")


_LOCATION_NOT_USER = r"(?:server|servers|data cent(?:er|re)s?|processing|storage|office|business|physical) locations?|location of (?:our|the|its) (?:servers?|offices?|data)"


@register
class LocationRecognizer(Recognizer):
    practice = "location"
    cues = ("location", "locations", "geolocation", "geo", "gps", "gnss", "geographic", "geographical", "latitude",
            "longitude", "whereabouts", "ip", "coordinates", "located", "position")
    patterns = (
        Pattern("precise", r"\b(?:precise|exact|gps|gnss|real-time|device|mobile|physical|geographic(?:al)?|approximate"
                           r"|general|current|your)\W+(?:geo-?)?locations?\b|\bgps\b|\bgnss\b|\bgeo-?locat\w+"
                           r"|\blatitude|\blongitude", "concern", "protective", 0.85),
        Pattern("location_data", r"\blocation(?:[- ]based)? (?:data|information|info|services|history|signals)\b"
                                 r"|\b(?:collect|use|track|access|determine|infer|share|receive|obtain|store)\w*" + gap(6)
                                 + r"locations?\b", "concern", "protective", 0.7),
        # An IP address counts as location only where the clause says it is used for location; a bare IP address
        # in a list of logged data is read by the tracking recognizer.
        Pattern("ip_address", r"\bip[- ]address(?:es)?\b(?=.*?\b(?:locat\w*|geograph\w*|city|country|region|area|where)\b)"
                              r"|\b(?:locat\w*|geograph\w*|city|country|region|area)\b.*?\bip[- ]address(?:es)?\b",
                "concern", "protective", 0.55, needs=frozenset({"ip"})),
    )
    context = ("device", "collect", "wi-fi", "wifi", "cell", "towers", "bluetooth")
    exclude = _LOCATION_NOT_USER


@register
class EmploymentEducationRecognizer(Recognizer):
    practice = "employment_education"
    cues = ("employment", "education", "educational", "employer", "employers", "job", "jobs", "professional",
            "career", "resume", "resumes", "cv", "school", "schools", "degree", "degrees", "academic", "work")
    patterns = (
        Pattern("history", r"\b(?:employment|education(?:al)?|professional|work|job|academic|career)(?:[- ]related)?"
                           r" (?:and (?:\w+ )?)?(?:history|background|information|details|experience|records?|qualifications)",
                "concern", "protective", 0.8),
        Pattern("job_search", r"\bjob[- ](?:search\w*|applications?|seekers?|title)|\bresumes?\b|\bcvs?\b"
                              r"|\b(?:schools?|universit\w+|degrees?) (?:attended|earned|information)|\bcurrent employer",
                "concern", "protective", 0.7),
    )
    context = ("collect", "history", "profile")
