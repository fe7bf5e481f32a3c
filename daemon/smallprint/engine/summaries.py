"""One plain-language sentence per highlight and per practice, specific where the clause allows.

"We may use the information we collect and publicly available information to help train our machine learning
models" becomes "May use your data and public data to train AI models". Templates name the things the clause
names (posts, location from the IP address, 30 days); otherwise the sentence says what a reading of that practice
and polarity means in general, hedged where the reading is all there is ("Limits tracking or lets you control it",
not "says it does not track you"): a summary is the reader's promise of what the clause says, so a specific claim
("You cannot opt out", "Uses cookies the site needs to work") is made only where the clause's own words make it.
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
    # a recipient, not a purpose: "share ... for targeted advertising" names nobody
    (r"\badvertisers?\b|\badvertising (?:partners?|networks?|companies|providers?|platforms?|technology partners?)"
     r"|\bad (?:networks?|partners|tech)", "advertisers"),
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
# "non-precise location" is no precise one
_PRECISE = compile_pattern(r"\bgps\b|\bgnss\b|(?<!non-)(?<!non )(?<!not )\bprecise\b|(?<!not )\bexact\b|latitude|wi-?fi"
                           r"|cell towers?|bluetooth")
_IP_ADDRESS = compile_pattern(r"\bip[- ]address")
# The signal, not the act: "we do not track you" is no Do Not Track signal
_DNT = compile_pattern(r"do[- ]not[- ]track(?! (?:you|users|individuals|visitors|consumers|people|your)\b)|\bdnt\b")
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
# Other sites, not "across the site" or "across your devices": the clause names sites, apps or services elsewhere
_ACROSS_SITES = compile_pattern(r"other (?:web)?sites|others[’'] (?:web)?sites|across (?:\w+ ){0,3}?(?:web)?sites"
                                r"|across (?:the )?(?:web|internet)|over time and across|cross[- ](?:site|context)"
                                r"|third[- ]party (?:web)?sites|third[- ]party (?:cookies|platforms|apps|services)")
_AFTER_DELETION = compile_pattern(r"after|even if|backup|residual|remain")
_MARKETING = compile_pattern(r"market|promot|newsletter|unsubscrib|(?:opt[- ]?out|stop|receiv|no longer)[^.;]{0,30}"
                             r"e-?mails?")
_ADS = compile_pattern(r"\bads?\b|advertis")
_SALE = compile_pattern(r"\bsell(?:s|ing)?\b|\bsold\b|\bsales?\b")  # not "sellers"
_COMPLAINT = compile_pattern(r"complain")
_AUTHORITY = compile_pattern(r"authorit|regulator|supervisory|commissioner|\bdpas?\b|\bico\b|attorney general")
# A way the reader acts (opts out, turns off, withdraws): an opt-out summary needs one
_CHOICE_WORDS = compile_pattern(r"opt(?:[- ]?out|[- ]in|s? not)|unsubscrib|withdraw|\bobject|disabl|turn(?:ing)? off"
                                r"|\bmanage|settings|preferences|choices?\b|\bchoose|\bstop\b|declin|reject|\blimit"
                                r"|do not (?:sell|share)|\breset|\bcontrol")
# The clause itself says there is no way out ("you cannot opt out", "is required", "mandatory")
_NO_OPT_OUT = compile_pattern(r"(?:cannot|can ?not|can[’']t|unable to|not (?:be )?(?:able|possible) to|may not)\s+"
                              r"(?:\w+\s+)?(?:opt[- ]?out|refuse|decline|object|withdraw|disable|turn (?:it |this )?off)"
                              r"|\bno (?:way|option|ability|means|choice) to\b|\bnot optional\b|\bmandatory\b"
                              r"|\brequired to (?:provide|give|accept|agree|consent|submit|share|use)"
                              r"|\b(?:is|are) required (?:to|for|in order)|\bmust (?:provide|accept|agree|consent|give)")
# "By using the service you agree": using is taken as consent
_USE_IS_CONSENT = compile_pattern(r"(?:\bby (?:using|accessing|visiting|continuing|providing|submitting|interacting)|"
                                  r"continued use)[^.;]{0,160}?\b(?:agree|consent|accept|acknowledge)")
# The clause denies an act ("we do not collect", "is never shared", "is not sent"): (regex, the act)
_DENIES = r"(?:\b(?:not|never|neither|nor)|n[’']t)\s+(?:\w+\s+){0,3}?"
_NOT_GATHERED = compile_pattern(_DENIES + r"(?:collect|stor(?:e|ed)|keep|kept|retain|process|access|receiv|sen[dt]"
                                           r"|obtain|record|gather|have access)")
_NOT_USED = compile_pattern(_DENIES + r"(?:use[ds]?\b|train)")  # AI training: "will not be used to train our models"
# An exception the training clause makes to its own denial ("We do not use Your Data to train our models, except if
# ..."); not one of a clause after it ("..., and we do not share it with anyone except our processors")
_TRAINING_EXCEPTION = compile_pattern(r"\btrain\w*(?P<gap>[^;.]*?)\b(?:except|unless|other than|apart from)\b")
_NEW_CLAUSE = compile_pattern(r"[,:]\s*(?:and|but|or|while)\s+(?:we|it|they|you|our|this)\b|\band we\b")
# Words of a limit on training, not a denial of it ("only", "reduce", "de-identified")
_LIMITED = compile_pattern(r"\bonly\b|\breduc\w*|\bminimi[sz]\w*|\blimit\w*|\bde-?identif\w*|\banonymi[sz]\w*"
                           r"|\bpseudonymi[sz]\w*|\baggregat\w*|\bremov\w*|\bfilter\w*")
_NOT_TRACKING = compile_pattern(r"\b(?:do|does|will)(?: not|n[’']t) track\b")
_NOT_SHARED = compile_pattern(_DENIES + r"(?:shar|disclos|sell|sold|giv|provid|transfer|pass)")
_CONSENT = compile_pattern(r"(?:without|only with|unless (?:you|we have)|except with|with) (?:your |prior |express |"
                           r"explicit )*(?:consent|permission|authori[sz]ation|agreement)")
# Cookies the service cannot work without, and blocking that breaks features
_NEEDED_COOKIES = compile_pattern(r"strictly necessary|(?<!non-)(?<!non )\bessential\b|necessary (?:for|to) (?:the |our )?(?:website|site|"
                                  r"service|platform|app)|(?:required|needed) (?:for|to) (?:the |our )?(?:website|site|"
                                  r"service|platform|app|function|work|operat)")
_BLOCKING_BREAKS = compile_pattern(r"(?:disabl|block|reject|refus|delet|remov|turn(?:ing)? off)\w*[^.;]{0,80}?"
                                   r"(?:may not|might not|will not|won[’']t|not (?:be able|work|function)|unable|"
                                   r"some (?:features|parts|functions)|properly|correctly)")
_COOKIE_CONTROL = compile_pattern(r"(?:disabl|block|reject|refus|delet|remov|clear|manag|modif|chang|adjust|set|"
                                  r"enabl)\w*[^.;]{0,60}?cookies|cookies?[^.;]{0,40}?(?:settings|preferences)")
_COOKIE_LIKE = compile_pattern(r"cookie|technolog|local storage")
_YOU = compile_pattern(r"\byou")
_GPC = compile_pattern(r"global privacy control|\bgpc\b")
_NOT_IDENTIFYING = compile_pattern(r"(?:\bno|\bnot|\bnever|n[’']t)\s+[^.;]{0,40}?(?:personal data|personal information|"
                                   r"personally identif|identify you|identif(?:y|ies) (?:you|users|individuals))")
# A promise made for children only ("we do not sell the personal information of minors under 16")
_CHILDREN = compile_pattern(r"\bchild|\bminors?\b|\bkids?\b|\bteens?\b|\bunder (?:the age of )?\d|years of age")
# The service is not for children, in the clause's words ("not intended for", "must be at least 16")
_NOT_FOR_CHILDREN = compile_pattern(r"\bnot\b[^.;]{0,60}?\b(?:intended|directed|meant|aimed|target|designed for (?:use by )?"
                                    r"(?:children|minors|kids)|for use|knowingly (?:collect|solicit|gather|obtain))\b"
                                    r"|\bmust be (?:at least|over|\d)(?![^.;]*\bto (?:consent|agree|enable|opt|make|purchase|"
                                    r"buy|participate))"
                                    r"|\b(?:only|solely) (?:for|available to|open to) (?:adults|users|persons|people|"
                                    r"individuals)|\bprohibit\w* (?:children|minors|anyone|users|persons|individuals) under")
# Notice of a change in advance, in the clause's words
_IN_ADVANCE = compile_pattern(r"\bprior (?:to|notice|written)|\bbefore (?:the |any |such |these |they |it |changes?|"
                              r"taking|becoming|making|we\b|\d)|in advance|advance notice|\bahead of")
_WILL_TELL = compile_pattern(r"(?<!not )\b(?:will|shall|would)\s+(?:\w+\s+){0,3}?(?:notify|inform|tell|alert|e-?mail you|"
                             r"let you know|contact you|ask|obtain your consent)")
_AT_MOST = compile_pattern(r"\bup to\b|\b(?:no|not)\b[^.;]{0,40}?\b(?:more|longer) than|\bmaximum\b|\bat most\b"
                          r"|\bwithin\b")
# Service providers, in the clause's words (or their mark: work done on the service's behalf)
_PROVIDERS = compile_pattern(r"\bservice providers?|\bvendors?\b|\bprocessors?\b|\bcontractors?\b|\bsuppliers?\b|"
                             r"on (?:our|its) behalf|(?:perform|provide) services|services (?:for|to) us|\bhost(?:ing|s)?\b|"
                             r"\bcloud\b|payment (?:service|processing)|\bmaintenance services|\bemail services")


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


# "limit" is the reader's choice only where the reader limits ("you can limit whether your chats train our models");
# "we limit the personal data used to train our models" is the service's own limit (_LIMITED), not a way out
_READER_LIMITS = compile_pattern(r"\byou(?:rself)?\b[^.;]{0,40}?\blimit")


# A denial that holds once the reader acts ("Once you opt out, new conversations will not be used to train our
# models", "if you turn off Improve the model, ..."): a way out, not a promise (a reviewer's reading of ChatGPT's page)
_CHOICE_FIRST = compile_pattern(r"\b(?:once|if|when|after|where)\s+you\b[^.;]{0,40}?\b(?:opt(?:[- ]?out|s? out)"
                                r"|turn(?:ed|s)? (?:\w+ ){0,6}?off|disabl|withdraw|object|choose not|decline|unsubscrib)")


def _reader_choice(c: str) -> bool:
    return any(not m.group(0).startswith("limit") or _READER_LIMITS.search(c, max(0, m.start() - 45), m.end())
               for m in _CHOICE_WORDS.finditer(c))


# A way out of AI training is not a promise not to train (the training is on until the reader acts): said so, and
# weighed as a choice by the grade, as a way out of a sale is (grade.py)
AI_OPT_OUT = "Lets you opt out of AI training"


def is_ai_opt_out(summary: str) -> bool:
    return summary.startswith(AI_OPT_OUT)


def is_way_out(summary: str) -> bool:
    """A way out of a sale or of AI training (SALE_OPT_OUT, AI_OPT_OUT): weighed as a choice, led by a promise."""
    return summary == SALE_OPT_OUT or is_ai_opt_out(summary)


def _ai(polarity: str, c: str) -> str:
    objects = _ai_objects(c)
    if polarity == "protective":  # "you can opt out of model training" is a way out, not a promise
        denied = _NOT_USED.search(c) or _NOT_GATHERED.search(c)
        if (_reader_choice(c) and not denied) or (denied and _CHOICE_FIRST.search(c, 0, denied.start())):
            return f"{AI_OPT_OUT} on {objects}"
        if _LIMITED.search(c) and not denied:
            # a limit, not a denial: "we only use ... included in our training data", "we reduce the personal
            # information in our training datasets" must not read as "does not use your data"
            return f"Limits how it uses {objects} to train AI models"
        exception = _TRAINING_EXCEPTION.search(c)  # one the training clause itself makes, not a later clause's
        with_exceptions = ", with exceptions" if exception and not _NEW_CLAUSE.search(exception.group("gap")) else ""
        return f"Says it does not use {objects} to train AI models{with_exceptions}"
    if polarity == "neutral":
        return "Explains how its AI models relate to your data"
    return f"May use {objects} to train AI models"


# A way out of a sale is not a promise not to sell: it is said so, and the grade weighs it as a choice (grade.py).
SALE_OPT_OUT = "Lets you opt out of the sale of your personal data"
# Nor is a promise about children's data a promise about the reader's own: it grades as a children's promise.
SALE_CHILDREN_ONLY = "Promises not to sell children's personal data"


def _sale(polarity: str, c: str) -> str:
    if polarity == "protective":
        if sale_opt_out(c):
            return SALE_OPT_OUT
        # "we do not sell the personal information of minors under 16" promises nothing about the reader's own
        return SALE_CHILDREN_ONLY if _CHILDREN.search(c) else \
            "Promises not to sell your personal data"
    if polarity == "neutral":  # "the right to know what we sell", "if we have not sold ...": no sale stated
        return "Mentions the sale of personal data"
    if _SHARE_WORD.search(c):
        return "May sell or \"share\" your personal data for advertising"
    return "May sell your personal data"


def _sharing(polarity: str, c: str) -> str:
    if polarity == "protective":
        if _CONSENT.search(c):
            return "Asks for your consent before some sharing of your data"
        return "Limits sharing of your data with others"
    if polarity == "neutral":
        if _AGGREGATE.search(c):  # "aggregated information" beside "Information": not "only" aggregated
            return "Shares aggregated or anonymised data with others"
        if _PROVIDERS.search(c):
            return "Uses service providers that handle your data on its behalf"
        return "Explains who it shares your data with"
    recipients = _found(_RECIPIENTS, c)  # "others": authorities and the public are no "companies"
    return f"Shares your data with {_join(recipients[:3]) if recipients else 'others'}"


def _location(polarity: str, c: str) -> str:
    if polarity == "protective":  # most such clauses are a setting or a limit, not a promise not to collect
        what = "your precise location" if _PRECISE.search(c) else "your location"
        if _NOT_SHARED.search(c):
            return f"Says it does not share {what}"
        if _NOT_GATHERED.search(c):
            return f"Says it does not collect {what}"
        return "Limits use of your location or lets you control it"
    if _PRECISE.search(c):
        return "Collects your precise location (GPS, Wi-Fi or cell towers)"
    if _IP_ADDRESS.search(c):
        return "Collects your IP address, which reveals your approximate location"
    return "Collects your location"


def _biometric(polarity: str, c: str) -> str:
    kinds = _found(_BIOMETRICS, c)
    what = _join(kinds) if kinds else "biometric data"
    if polarity == "protective":
        return f"Says it does not collect {what}" if _NOT_GATHERED.search(c) else "Limits use of biometric data"
    if polarity == "neutral":
        return "Explains its approach to biometric data"
    return f"May collect and use your {what}" + (" (biometric data)" if kinds else "")


# The service denies reading or opening what is private ("we cannot see the content of end-to-end encrypted messages",
# "we do not read your emails"): the only clause "Says it does not read your private messages" may be said of
_NOT_READ = compile_pattern(_DENIES + r"(?:read|see|access|view|monitor|scan|listen|look at|open|review|decrypt"
                                      r"|have access)")
_ENCRYPTED = compile_pattern(r"\bencrypt\w*|end-to-end")


def _private(polarity: str, c: str) -> str:
    if polarity == "protective":
        # every protective reading said "does not read your private messages": "We will record calls, only where you
        # are notified in advance", "we will not share the content of User messages with any third party", a
        # processor bound "by only processing personal data according to your instructions" (a reviewer's full-depth
        # reading of policies-more)
        if _NOT_READ.search(c):
            return "Says it does not read your private messages"
        if _ENCRYPTED.search(c):
            return "Protects your private messages with encryption"
        if _NOT_SHARED.search(c):
            return "Says it does not share your private messages"
        return "Limits access to your private messages or files"
    if polarity == "neutral":
        return "Explains how it handles your private messages or files"
    return "May access your private messages or files"


def _sensitive(polarity: str, c: str) -> str | None:
    if polarity == "protective":  # most such clauses limit its use ("only for the purpose ..."), or explain the right to
        return "Says it does not collect sensitive data" if _NOT_GATHERED.search(c) else \
            "Limits use of sensitive data or lets you limit it"
    return None


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
    kinds = _found(_TRACKERS, c)
    if polarity == "protective":
        if _GPC.search(c) and _HONOURS.search(c) and not _IGNORES.search(c):
            return "Honours the Global Privacy Control signal"
        if _COOKIE_CONTROL.search(c) and _YOU.search(c):  # the reader's act, not a browser's
            return "Lets you block or delete cookies"
        if _NOT_IDENTIFYING.search(c) and kinds:
            return f"Says its {_join(kinds)} do not identify you"
        if _NOT_TRACKING.search(c):
            return "Says it does not track you" + (" across other websites" if _ACROSS_SITES.search(c) else "")
        return "Limits tracking or lets you control it"
    if polarity == "neutral":
        if _NEEDED_COOKIES.search(c) and _COOKIE_LIKE.search(c):
            return "Uses cookies the site needs to work"
        if _BLOCKING_BREAKS.search(c) and "cookie" in c:
            return "Blocking cookies may break some features"
        return f"Explains how it uses {_join(kinds)}" if kinds else "Explains its approach to tracking"
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
    if not period:
        return "Explains how long it keeps your data"
    # "up to 3 years", "no more than 25 months": a ceiling, not a stay
    return f"Keeps your data for up to {period}" if _AT_MOST.search(c) else f"Keeps your data for {period}"


def _policy_change(polarity: str, c: str) -> str:
    period = _period(c)
    if polarity == "protective":
        if period and _IN_ADVANCE.search(c):
            return f"Tells you {period} before policy changes take effect"
        return "Tells you in advance before the policy changes" if _IN_ADVANCE.search(c) else \
            "Promises to tell you about policy changes"
    if polarity == "neutral":  # most say where the date is, or that the policy may change
        return "Says it will tell you about changes to this policy" if _WILL_TELL.search(c) else \
            "Explains how this policy may change"
    if _WILL_TELL.search(c):  # "... we will notify users who have enabled the notification preference": not "without"
        return "May change this policy at any time"
    return "May change this policy at any time, possibly without telling you"


def _children(polarity: str, c: str) -> str:
    m = _AGE.search(c)
    age = (m.group(1) or m.group(2)) if m else None
    if polarity == "concern":
        return "May collect data from children"
    # "not available to users under 13" is a feature's limit, "do not sell ... of minors under 16" a promise:
    # neither says the service is not for children
    if _NOT_FOR_CHILDREN.search(c):
        return f"Not meant for children: age limit {age}" if age else "Not meant for children"
    return f"Has rules for children under {age}" if age else "Has rules about children's data or age limits"


def _government(polarity: str, c: str) -> str:
    if polarity == "protective":
        return "Gives data to authorities only under legal process, or tells you about requests"
    if polarity == "neutral":
        return "Explains when it gives your data to authorities"
    # "without telling you" only where the sentence says so: most such clauses say nothing about notice
    unnoticed = _NO_NOTICE.search(c) and not _PROMISED_NOTICE.search(c)
    return "May give your data to authorities or others" + (" without telling you" if unnoticed else "")


def _choice(polarity: str, c: str) -> str:
    if polarity == "concern":  # "you may need to make a separate selection for each site" is no "cannot opt out"
        if _NO_OPT_OUT.search(c):
            return "You cannot opt out"
        if _USE_IS_CONSENT.search(c):
            return "Using the service counts as your consent"
        return "Limits your choices about your data"
    if _CHOICE_WORDS.search(c):  # an opt-out named only where the clause names a way out
        if _MARKETING.search(c):
            return "You can opt out of marketing messages"
        if _ADS.search(c):
            return "You can opt out of targeted ads"
        if _SALE.search(c):
            return "You can opt out of the sale of your data"
    if polarity == "neutral":  # "if you do not provide it, some features may not work": a choice explained
        return "Explains your choices about your data"
    return "Gives you choices about how your data is used"


# "a copy of the power of attorney", "keep you updated", "lose access to games" name no right
_RIGHTS_VERBS = tuple((word, compile_pattern(rx)) for word, rx in (
    ("see", r"(?<!lose )(?<!losing )\baccess(?:ing)?(?!\w)(?! to (?:the |our |your |certain |other |some |any )*(?:game|service|"
            r"site|website|platform|feature|function|app|account|content|link|camera|microphone|device))"
            r"|\bcopy of (?:the |your |my |any |all |certain )*(?:personal|information|data)|\bknow\b"),
    ("correct", r"correct|rectif|amend|\bupdat\w* (?:the |your |my |any |it|inaccurate|incorrect|personal)"),
    ("delete", r"delet|eras|remov"), ("export", r"export|download|portab|archive")))


def _rights(polarity: str, c: str) -> str:
    if polarity == "concern":
        return "Limits your rights over your data"
    verbs = [word for word, rx in _RIGHTS_VERBS if rx.search(c)]
    if _COMPLAINT.search(c) and not verbs:  # "complaints should first contact us" names no authority
        return "You can complain to a data protection authority" if _AUTHORITY.search(c) else \
            "Says how to make a privacy complaint"
    return f"You can {_join(verbs)} your data" if verbs else "You have rights over your data"


_SPECIFIC = {
    "ai_training": _ai, "sale_of_data": _sale, "third_party_sharing": _sharing, "location": _location,
    "biometric": _biometric, "sensitive_data": _sensitive, "tracking": _tracking, "retention": _retention, "policy_change": _policy_change,
    "children": _children, "government_access": _government, "user_choice": _choice, "user_rights": _rights,
    "private_content": _private,
}
