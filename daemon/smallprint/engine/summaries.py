"""One plain-language sentence per highlight and per practice, specific where the clause allows.

"We may use the information we collect and publicly available information to help train our machine learning
models" becomes "May use your data and public data to train AI models". Templates name the things the clause
names (posts, location from the IP address, 30 days); otherwise the taxonomy's own wording is used.
"""
from __future__ import annotations

from ..taxonomy import PRACTICE_BY_ID
from .fastregex import compile_pattern
from .polarity import sale_opt_out

# What the clause is about, in the reader's words: (regex on the lower-cased clause, phrase, owned by the reader?)
_AI_OBJECTS = (
    (r"\bposts?\b|\btweets?\b|\bcomments\b", "posts", True),
    (r"\bconversations?\b|\bchats?\b|\bprompts?\b|\binputs?\b", "conversations", True),
    (r"\bphotos?\b|\bimages?\b|\bvideos?\b", "photos and videos", True),
    (r"\bvoice\b|\baudio\b|\brecordings?\b", "voice recordings", True),
    (r"\bcontent\b", "content", True),
    (r"\bpublicly available\b|\bpublic (?:data|information|posts|content|sources)", "public data", False),
    (r"\binformation\b|\bdata\b", "data", True),
)
_RECIPIENTS = (
    (r"\badvertis\w+|\bad (?:networks?|partners)", "advertisers"),
    (r"\bpartners?\b", "partners"),
    (r"\baffiliate\w*|\bfamily of companies|\bgroup compan", "its affiliates"),
    (r"\bservice providers?|\bvendors?\b|\bprocessors?\b|\bcontractors?\b", "service providers"),
    (r"\bthird[- ]?part", "third parties"),
)
_TRACKERS = (
    (r"\bcookies?\b", "cookies"), (r"\bpixels?\b|\bbeacons?\b|\bclear gifs?", "tracking pixels"),
    (r"fingerprint", "device fingerprinting"), (r"\bsdks?\b", "SDKs"), (r"\banalytics\b", "analytics tools"),
)
_BIOMETRICS = (
    (r"\bfac(?:e|ial)\b|\bfaceprint", "face data"), (r"\bfingerprints?\b", "fingerprints"),
    (r"\bvoice ?prints?|\bvoice (?:recognition|identification|biometric)", "voiceprints"), (r"\biris|\bretina", "eye scans"),
)
_PERIOD = compile_pattern(r"\b(\d{1,4}|one|two|three|four|five|six|seven|ten|twelve|fourteen|thirty|sixty|ninety)"
                          r"(?: \(\d+\))? (?:calendar |business )?(hours?|days?|weeks?|months?|years?)\b")
_AGE = compile_pattern(r"\b(?:under|below|younger than|at least|over|older than|above|age of)\s+(?:the age of\s+)?"
                       r"(\d{1,2})\b|\b(\d{1,2})(?: \(\d{1,2}\))?(?: years?)? (?:of age|years? old|or older)")

# Words the one-line summaries look for (compiled once, not looked up in re's cache on every call).
_SHARE_WORD = compile_pattern(r"\bshar(?:e|ing)\b")
_AGGREGATE = compile_pattern(r"aggregat|anonymi|de-identified")
_PRECISE = compile_pattern(r"\bgps\b|\bgnss\b|\bprecise\b|\bexact\b|latitude|wi-?fi|cell towers?|bluetooth")
_IP_ADDRESS = compile_pattern(r"\bip[- ]address")
_DNT = compile_pattern(r"do[- ]not[- ]track|\bdnt\b")
# Do Not Track: "honours" only where the clause says the service honours (responds to, respects ...) the signal and
# does not say it ignores it ("with respect to Do Not Track" is no honouring); "ignores" only where it says so.
_IGNORES = compile_pattern(r"\b(?:ignor|disregard)\w*|(?:\bnot|\bnever|\bno|n[’']t)\s+(?:\w+\s+){0,4}?(?:honou?r|respect|"
                           r"respond|recogni[sz]|compl(?:y|ies|ied)|obey|support|act(?:s|ed|ing)?\s+(?:up)?on)\w*"
                           r"|\bnot\s+(?:be\s+)?(?:recogni[sz]ed|honou?red|respected)\b")
# "we honour", "our site responds to": the service's own act ("disclose how we respond to Do Not Track" is none)
_HONOURS = compile_pattern(r"(?<!how )\b(?:we|our (?:site|sites|service|services|website|websites|app|apps|systems?))\b"
                           r"[^.;]{0,40}?\b(?:honou?r(?:s|ed|ing)?|(?<!with )(?<!in )respect(?:s|ed|ing)?|"
                           r"respond(?:s|ed|ing)?|recogni[sz](?:e|es|ed|ing)|compl(?:y|ies|ied)\s+with|obey(?:s|ed|ing)?)\b"
                           r"|\btreat\w* .{0,40}as an? (?:opt|request)")
# A clause that says the disclosure happens without the reader being told, and does not promise the opposite ("we
# will not disclose ... without notifying you first")
_NO_NOTICE = compile_pattern(r"without (?:prior |first )?(?:notice|notif\w*|telling|informing|your knowledge)"
                             r"|(?:prohibited|barred|restricted|not (?:be )?(?:able|permitted|allowed))\s+(?:by law\s+)?"
                             r"(?:from|to)\s+(?:notify|notifying|tell|telling|inform|informing)"
                             r"|\b(?:may|might|will|can)\s+not\s+(?:\w+\s+)?(?:notify|tell|inform)")
_PROMISED_NOTICE = compile_pattern(r"(?:\b(?:not|never)|n[’']t)\s+(?:\w+\s+){0,2}?(?:disclose|share|give|provide|"
                                   r"release|hand|transfer)\w*\b[^.;]{0,80}?\bwithout (?:prior |first )?"
                                   r"(?:notice|notif\w*|telling|informing)")
_ACROSS_SITES = compile_pattern(r"other (?:web)?sites|across|third[- ]party")
_AFTER_DELETION = compile_pattern(r"after|even if|backup|residual|remain")
_MARKETING = compile_pattern(r"market|promot|newsletter|e-?mails?|unsubscrib")
_ADS = compile_pattern(r"\bads?\b|advertis")
_SALE = compile_pattern(r"\bsell|\bsale")
_COMPLAINT = compile_pattern(r"complain")


def _compiled(table):
    return tuple((compile_pattern(row[0]),) + tuple(row[1:]) for row in table)


_AI_OBJECTS, _RECIPIENTS, _TRACKERS, _BIOMETRICS = map(_compiled, (_AI_OBJECTS, _RECIPIENTS, _TRACKERS, _BIOMETRICS))


def _found(table, clause: str) -> list:
    return [row[1:] if len(row) > 2 else row[1] for row in table if row[0].search(clause)]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ai_objects(clause: str) -> str:
    found = _found(_AI_OBJECTS, clause)
    mine = [phrase for phrase, owned in found if owned]
    if "data" in mine and len(mine) > 1:
        mine.remove("data")  # "your posts" says more than "your posts and data"
    public = [phrase for phrase, owned in found if not owned]
    parts = ([f"your {_join(mine)}"] if mine else []) + public
    return _join(parts) if parts else "your data"


def _period(clause: str) -> str | None:
    m = _PERIOD.search(clause)
    return f"{m.group(1)} {m.group(2)}" if m else None


def summarize(practice: str, polarity: str, clause: str) -> str:
    """A one-line plain-language summary of one clause."""
    c = clause.lower()
    special = _SPECIFIC.get(practice)
    if special is not None:
        text = special(polarity, c)
        if text:
            return text
    entry = PRACTICE_BY_ID[practice]
    if polarity == "concern" and entry.concern:
        return entry.concern
    if polarity == "protective" and entry.protective:
        return entry.protective
    return f"Explains its approach to {entry.label.lower()}"


def _ai(polarity: str, c: str) -> str:
    objects = _ai_objects(c)
    if polarity == "protective":
        return f"Says it does not use {objects} to train AI models"
    if polarity == "neutral":
        return "Explains how its AI models relate to your data"
    return f"May use {objects} to train AI models"


# A way out of a sale is not a promise not to sell: it is said so, and the grade weighs it as a choice (grade.py).
SALE_OPT_OUT = "Lets you opt out of the sale of your personal data"


def _sale(polarity: str, c: str) -> str:
    if polarity == "protective":
        return SALE_OPT_OUT if sale_opt_out(c) else "Promises not to sell your personal data"
    if polarity == "neutral":  # "the right to know what we sell", "if we have not sold ...": no sale stated
        return "Mentions the sale of personal data"
    if _SHARE_WORD.search(c):
        return "May sell or \"share\" your personal data for advertising"
    return "May sell your personal data"


def _sharing(polarity: str, c: str) -> str:
    if polarity == "protective":
        return "Does not share your data with others without your consent or a legal reason"
    if polarity == "neutral":
        if _AGGREGATE.search(c):
            return "Shares only aggregated or anonymised data with others"
        return "Uses service providers that handle your data on its behalf"
    recipients = _found(_RECIPIENTS, c)
    return f"Shares your data with {_join(recipients[:3]) if recipients else 'other companies'}"


def _location(polarity: str, c: str) -> str:
    if polarity == "protective":
        return "Says it does not collect or keep your location"
    if _PRECISE.search(c):
        return "Collects your precise location (GPS, Wi-Fi or cell towers)"
    if _IP_ADDRESS.search(c):
        return "Collects your IP address, which reveals your approximate location"
    return "Collects your location"


def _biometric(polarity: str, c: str) -> str:
    kinds = _found(_BIOMETRICS, c)
    what = _join(kinds) if kinds else "biometric data"
    if polarity == "protective":
        return f"Says it does not collect {what}"
    if polarity == "neutral":
        return "Explains its approach to biometric data"
    return f"May collect and use your {what}" + (" (biometric data)" if kinds else "")


def _tracking(polarity: str, c: str) -> str:
    dnt = bool(_DNT.search(c))
    if dnt:
        if polarity == "neutral":  # "your browser may let you send a Do Not Track signal": what DNT is
            return "Explains your browser's Do Not Track signal"
        if polarity == "protective":
            return "Honours your browser's Do Not Track signal" if _HONOURS.search(c) and not _IGNORES.search(c) else \
                "Says how it treats your browser's Do Not Track signal"
        return "Ignores your browser's Do Not Track signal" if _IGNORES.search(c) else \
            "Says how it treats your browser's Do Not Track signal"
    if polarity == "protective":
        return "Limits tracking: says it does not track you or uses only non-identifying cookies"
    if polarity == "neutral":
        return "Uses cookies the site needs to work; blocking them may break features"
    kinds = _found(_TRACKERS, c)
    what = _join(kinds) if kinds else "cookies or similar tools"
    where = " across other websites" if _ACROSS_SITES.search(c) else ""
    return f"Tracks you with {what}{where}"


def _retention(polarity: str, c: str) -> str:
    period = _period(c)
    if polarity == "protective":
        return f"Deletes or anonymises your data within {period}" if period else \
            "Keeps your data only as long as needed"
    if polarity == "concern":
        if _AFTER_DELETION.search(c):
            return "May keep your data even after you delete it"
        return "May keep your data for a long or unstated time"
    return f"Keeps your data for {period}" if period else "Explains how long it keeps your data"


def _policy_change(polarity: str, c: str) -> str:
    period = _period(c)
    if polarity == "protective":
        return f"Tells you {period} before policy changes take effect" if period else \
            "Tells you in advance before the policy changes"
    if polarity == "neutral":
        return "Will tell you about important changes to this policy"
    return "May change this policy at any time, possibly without telling you"


def _children(polarity: str, c: str) -> str:
    m = _AGE.search(c)
    age = (m.group(1) or m.group(2)) if m else None
    if polarity == "concern":
        return "May collect data from children"
    return f"Not meant for children: age limit {age}" if age else "Has rules about children's data and age limits"


def _government(polarity: str, c: str) -> str:
    if polarity == "protective":
        return "Gives data to authorities only under legal process, or tells you about requests"
    if polarity == "neutral":
        return "Explains when it gives your data to authorities"
    # "without telling you" only where the sentence says so: most such clauses say nothing about notice
    unnoticed = _NO_NOTICE.search(c) and not _PROMISED_NOTICE.search(c)
    return "May give your data to authorities or others" + (" without telling you" if unnoticed else "")


def _choice(polarity: str, c: str) -> str:
    if polarity == "concern":
        return "You cannot opt out"
    if _MARKETING.search(c):
        return "You can opt out of marketing messages"
    if _ADS.search(c):
        return "You can opt out of targeted ads"
    if _SALE.search(c):
        return "You can opt out of the sale of your data"
    return "You can opt out or change settings that limit how your data is used"


_RIGHTS_VERBS = tuple((word, compile_pattern(rx)) for word, rx in (
    ("see", r"\baccess|\bcopy|\bknow\b"), ("correct", r"correct|rectif|amend|update"), ("delete", r"delet|eras|remov"),
    ("export", r"export|download|portab|archive")))


def _rights(polarity: str, c: str) -> str:
    if polarity == "concern":
        return "Limits your rights over your data"
    verbs = [word for word, rx in _RIGHTS_VERBS if rx.search(c)]
    if _COMPLAINT.search(c) and not verbs:
        return "You can complain to a data protection authority"
    return f"You can {_join(verbs)} your data" if verbs else "You have rights over your data"


_SPECIFIC = {
    "ai_training": _ai, "sale_of_data": _sale, "third_party_sharing": _sharing, "location": _location,
    "biometric": _biometric, "tracking": _tracking, "retention": _retention, "policy_change": _policy_change,
    "children": _children, "government_access": _government, "user_choice": _choice, "user_rights": _rights,
}
