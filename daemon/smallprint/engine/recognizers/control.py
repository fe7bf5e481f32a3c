"""The reader's control and the service's promises: rights, choices, retention, children, security, changes,
and access to private content."""
from __future__ import annotations

from ._words import DOCUMENT_NAMES, NUMBER, TIME_UNIT, gap
from .base import Pattern, Recognizer
from .registry import register

_RIGHT_VERBS = (r"(?:access|review|correct|update|amend|rectif\w+|delet\w*|eras\w+|remov\w*|export|download|obtain|request"
                r"|retrieve|receive|port|object|restrict|know|see|view|edit|modify|change|close|deactivate|cancel|terminate)")


@register
class UserRightsRecognizer(Recognizer):
    practice = "user_rights"
    cues = ("right", "rights", "access", "correct", "correction", "rectify", "rectification", "delete", "deletion",
            "erase", "erasure", "export", "portability", "copy", "download", "complaint", "lodge", "amend", "object",
            "restrict", "restriction", "archive", "update", "edit", "retrieve", "forgotten", "request", "remove", "modify",
            "change", "view", "terminate", "close", "deactivate", "cancel")
    patterns = (
        Pattern("right_to", r"\bright(?<!reserves the right)(?<!reserve the right)(?<!retains the right)(?<!retain the right)s? (?:to|of) (?:\w+\W+){0,3}?" + _RIGHT_VERBS + r"|\bright to be forgotten|\bdata portability"
                r"|\brights? of (?:access|rectification|erasure|portability|deletion)", "protective", "concern", 0.65,
                needs=frozenset(['portability', 'right', 'rights'])),
        Pattern("you_can", r"\b(?:you|users?|members?|customers?|individuals)\b (?:can|may|could|are (?:able|entitled|free) to|(?:will be|are|is) (?:permitted|allowed) to|have the "
                           r"(?:right|ability|option|opportunity) to|also have the right to) (?:\w+\W+){0,3}?" + _RIGHT_VERBS
                + gap(8) + r"(?:data|information|account|content|cop(?:y|ies)|profile|archive|pii|details|posts?|messages"
                           r"|photos|records|history)", "protective", "concern", 0.85),
        Pattern("copy_of_data", r"\b(?:request|obtain|download|export|get|receive|access)\w*" + gap(5)
                + r"(?:a |an )?(?:cop(?:y|ies)|archive|export) of (?:your|the|all|any)|\b(?:download|export|archive) (?:of )?your "
                  r"(?:data|information|content)|\bdata (?:export|download|archive)", "protective", "concern", 0.85,
                needs=frozenset(['archive', 'copies', 'copy', 'download', 'export', 'portability'])),
        Pattern("complaint", r"\b(?:lodge|file|make|submit|raise)\w* a complaint" + gap(6)
                + r"(?:supervisory|data protection|regulator\w*|authorit\w+|commissioner)", "protective", None, 0.85),
        Pattern("request_change", r"\brequest\w* (?:that we |us to |to )?(?:\w+ ){0,2}?(?:delet|correct|access|eras|rectif|updat|amend)\w*"
                                  r"|\b(?:correct|delete|access|erase|update)\w* (?:or (?:\w+ ){1,3}?)?(?:such |your |the |any )(?:personal )?(?:data|information)",
                "protective", "concern", 0.75),
        Pattern("delete_account", r"\b(?:delet|clos|deactivat|remov|eras)\w* (?:your|their|the) (?:\w+ )?(?:account|content|data|profile)"
                                  r"\b", "protective", "concern", 0.55,
                needs=frozenset(['account', 'content', 'data', 'profile'])),
    )
    context = ("request", "contact", "settings", "privacy")


@register
class UserChoiceRecognizer(Recognizer):
    practice = "user_choice"
    cues = ("opt", "optout", "opting", "opted", "opts", "unsubscribe", "unsubscribing",
            "wish", "want", "request", "settings", "preferences", "choices", "privacy", "choose", "elect",
            "decide", "decline", "refuse", "withdraw", "revoke", "retract", "turn", "disable", "limit", "object",
            "stop", "prevent", "restrict", "block", "control", "reject", "sell", "share")
    patterns = (
        Pattern("opt_out", r"\bopt(?:[- ]?out|ing out| out)\b|\bunsubscrib\w+|\bopt[- ]in\b|\bdo not (?:sell|share) my\b",
                "protective", "concern", 0.75,
                needs=frozenset(['opt', 'opted', 'opting', 'opts', 'sell', 'share', 'unsubscribe', 'unsubscribed', 'unsubscribing', 'unsubscription'])),
        Pattern("choose_whether", r"\bchoose (?:whether|if|not to|to (?:stop|no longer))|\b(?:if you (?:do not|don't|no longer) (?:wish|want)|wish(?:es)? not)"
                                  r" to (?:receive|get|be contacted|have|allow|share|participate)|\brequest that (?:\w+ )?(?:we )?(?:not|stop)",
                "protective", None, 0.75,
                needs=frozenset(['choose', 'request', 'want', 'wish', 'wishes'])),
        Pattern("withdraw_consent", r"\b(?:withdraw|revoke|retract)\w* (?:\w+ )?consent", "protective", "concern", 0.85,
                needs=frozenset(['retract', 'revocation', 'revoke', 'revoking', 'withdraw', 'withdrawal', 'withdrawing', 'withdrawn'])),
        Pattern("settings", r"\b(?:chang|adjust|updat|manag|control|modif|visit|review|edit)\w* (?:\w+ ){0,3}?(?:privacy |ad |account |"
                            r"cookie |email |notification |communication )?(?:settings|preferences|privacy controls|choices)\b",
                "protective", "concern", 0.7,
                needs=frozenset(['choices', 'controls', 'preferences', 'settings'])),
        Pattern("you_may_choose", r"\b(?:you|users?) (?:can|may|have the (?:right|option|ability) to|are able to) (?:\w+ )?"
                                  r"(?:choose|elect|decide|decline|refuse|withdraw|turn off|disable|limit|object|stop|"
                                  r"prevent|restrict|block|control|reject)\b(?! using| to use| your use| use)",
                "protective", "concern", 0.45,
                needs=frozenset(['block', 'choose', 'control', 'decide', 'decline', 'disable', 'elect', 'limit', 'object', 'prevent', 'refuse', 'reject', 'restrict', 'stop', 'turn', 'withdraw'])),
    )
    context = ("marketing", "emails", "advertising", "ads", "communications", "sharing", "cookies")


@register
class RetentionRecognizer(Recognizer):
    practice = "retention"
    cues = ("retain", "retains", "retained", "retaining", "retention", "keep", "keeps", "kept", "store", "stores",
            "stored", "storing", "delete", "deleted", "deletes", "deletion", "erase", "erased", "purge", "purged",
            "backup", "backups", "archive", "archived", "archives", "preserve", "preserved", "hold", "remain",
            "anonymize", "anonymise", "anonymized", "anonymised", "logs", "period", "indefinitely", "destroy", "destroyed",
            "remove", "removed", "continue", "continues", "exist", "discard", "discards", "discarded")
    patterns = (
        Pattern("after_deletion", r"\b(?:retain|keep|kept|stor|preserv|maintain|hold|remain|continu|us)\w*" + gap(15)
                + r"(?:after|even after|following|even if|once|when)\b (?:\w+\W+){0,4}?(?:delet\w+|clos\w+|terminat\w+"
                  r"|deactivat\w+|cancel\w+|remov\w+|request\w* (?:\w+ )?(?:deletion|erasure)|leave|stop using)"
                  r"|\b(?:residual|backup|archived?) cop(?:y|ies)|\bmay (?:still )?(?:remain|persist) (?:in|on|visible)|\bpersist\w* in"
                  r"|\bnot (?:be )?(?:able to )?(?:completely |fully |permanently )?(?:delete|remove|erase)"
                  r"|\bcopies (?:\w+ ){0,4}?(?:may|might|will|can) (?:\w+ )?(?:continue to exist|remain|persist)",
                "concern", None, 0.85,
                needs=frozenset(['after', 'archive', 'archived', 'backup', 'backups', 'copies', 'following', 'if', 'not', 'once', 'persist', 'persists', 'remain', 'residual', 'when'])),
        Pattern("indefinite", r"\bindefinite(?:ly)?|\bas long as (?:we|it|the company) (?:see fit|wish|want|deem)|\bunlimited (?:period|time)"
                              r"|\bno (?:fixed |set |specific )?(?:retention )?(?:period|time limit)", "concern", "protective", 0.85),
        Pattern("legal_retention", r"\b(?:retain|keep|preserv|store|hold)\w*" + gap(12)
                + r"(?:legal (?:obligations?|requirements?|claims?)|comply with|required by law|resolve disputes|enforce our"
                  r"|legitimate (?:business )?(?:interests?|purposes)|business purposes)", "concern", "protective", 0.45,
                needs=frozenset(['business', 'comply', 'enforce', 'legal', 'legitimate', 'required', 'resolve'])),
        # "kept for more than a year" (concern); "no data is kept for more than 30 days" (negated: a limit, protective)
        Pattern("beyond_period", r"\b(?:retain|keep|kept|store|stored|hold|held|preserv|log|logged)\w*" + gap(10)
                + r"(?<!no )(?<!not )(?:more|longer) than (?:\w+ ){0,2}?" + NUMBER + r"(?: \(\d+\))? (?:\w+ )?" + TIME_UNIT,
                "concern", "protective", 0.85,
                needs=frozenset(['more', 'longer'])),
        Pattern("finite_period", r"\b(?:delet|eras|remov|purg|destroy|anonymi[sz]|de-identif)\w*" + gap(10)
                + r"(?:within|after|in|for) (?:\w+ ){0,2}?" + NUMBER + r"(?: \(\d+\))? (?:\w+ )?" + TIME_UNIT
                + r"|\b(?:retain|keep|kept|store|stored|hold|held|preserv)\w*" + gap(10)
                + r"(?:for|up to|no (?:more|longer) than|maximum of|period of) (?:\w+ ){0,3}?" + NUMBER + r"(?: \(\d+\))? (?:\w+ )?"
                + TIME_UNIT, "protective", "concern", 0.85),
        Pattern("minimum_necessary", r"\bno longer than (?:\w+ ){0,3}?(?:necessary|needed|required)|\bonly (?:\w+ ){0,4}?(?:as|so) long as"
                                     # "we only hold your data on our systems for as long as is necessary": the limit
                                     # word may stand before the verb, further off, across commas but not a "but"
                                     r"|\bonly\b(?:(?!\bbut\b)[^;:]){1,80}?\b(?:as|so) long as (?:\w+ ){0,3}?(?:necessary|needed"
                                     r"|required|we need)"
                                     r"|\bminimum (?:\w+ ){0,2}?necessary|\bshortest (?:\w+ ){0,2}?(?:period|time)",
                "protective", None, 0.75),
        # Kept "as long as necessary" with no promise of a limit: the usual open-ended clause.
        Pattern("as_long_as_needed", r"\b(?:as|so) long as (?:\w+ ){0,4}?(?:necessary|needed|required|reasonably)"
                                     r"|\b(?:period|time) (?:\w+ )?(?:necessary|needed|required) (?:for|to)", "concern", None, 0.7),
        # Thrown away at once: "it is discarded as quickly as possible", "the server will discard the request data as soon
        # as the response was sent".
        Pattern("prompt_deletion", r"(?:\b(?:is|are|be|been|gets?) (?:\w+ )?(?:deleted|discarded|erased|purged|destroyed)"
                                   r"|\b(?:we|it|server|servers|system|service) (?:\w+ ){0,2}?(?:delete|discard|erase|purge|destroy)s?)"
                + gap(10) + r"(?:immediately|promptly|instantly|as soon as|as quickly as|right (?:after|away)|without (?:undue )?delay)\b",
                # a negation before it is about something else ("data that shall not be logged is discarded at once");
                # "not deleted immediately" is read first, by after_deletion
                "protective", None, 0.75,
                needs=frozenset(['immediately', 'promptly', 'soon', 'quickly', 'instantly', 'right'])),
        Pattern("never_logs", r"\b(?:never|not|no)\b (?:\w+ ){0,3}?(?:keep|store|retain|record|log)\w*" + gap(3)
                + r"(?:logs?|records?|any (?:data|information))\b", "protective", None, 0.5,
                needs=frozenset(['never', 'no', 'not'])),
        Pattern("retain", r"\b(?:retain\w*|retention|keep (?:your|personal|user|some|certain|limited|a record|records|copies)|kept (?:for|until|as long)|how long"
                          r"|logs? (?:are |is )?(?:kept|stored|retained))\b",
                "concern", "protective", 0.55),
    )
    context = ("data", "information", "personal", "account")


# Whom data is collected from, when it is children.
_FROM_CHILDREN = (r"(?:from|about|of) (?:\w+ ){0,2}?(?:children|child|kids|minors|anyone under|persons under"
                  r"|individuals under|users under)")


@register
class ChildrenRecognizer(Recognizer):
    practice = "children"
    cues = ("children", "child", "kids", "minors", "minor", "age", "aged", "parental", "parent", "parents", "guardian",
            "guardians", "coppa", "teens", "teenagers", "teen", "years", "old", "younger", "older", "under", "juveniles")
    patterns = (
        # Collecting from children on purpose is the concern; "we do not knowingly collect ..." only the age limit.
        Pattern("knowingly_collect", r"(?<!not )(?<!n't )(?<!n’t )\bknowingly (?:\w+ ){0,2}?(?:collect|process|solicit|obtain|gather)\w*"
                + gap(8) + _FROM_CHILDREN, "concern", "neutral", 0.85, needs=frozenset(["knowingly"])),
        # A commitment to act: "if we learn we have collected a child's data, we will delete it".
        Pattern("delete_childrens_data", r"\b(?:will|shall|promptly|immediately|then) (?:(?!not\b|never\b)\w+ ){0,2}?"
                                         r"(?:delete|remove|erase|destroy|purge)\w*\b",
                "protective", None, 0.85, needs=frozenset(["will", "shall", "promptly", "immediately", "then"])),
        Pattern("collect_from_children", r"\b(?:collect|process|use|request|solicit|obtain|receive|gather)\w*" + gap(8)
                + _FROM_CHILDREN,
                # "We do not knowingly collect data from children under 13" states the age limit, as "not directed to
                # children" does: informative either way (ToS;DR reads all 139 such points so), not a promise that
                # moves the grade
                "neutral", None, 0.85),
        Pattern("age_limit", r"\b(?:under|below|younger than|at least|over|older than|above) (?:the age of |age )(?:\d{1,2}|thirteen|sixteen"
                             r"|eighteen|majority)|\b(?:\d{1,2}|thirteen|sixteen|eighteen)(?: \(\d{1,2}\))?(?: years?)? (?:of age|years? old|or older)"
                             r"|\bminimum age|\bage (?:limit|requirement|restriction|of majority|of consent)|\blegal age", "neutral", None, 0.85),
        Pattern("children", r"\bchild(?:ren)?(?:'s|’s)?\b|\bkids\b|\bminors?\b|\bcoppa\b|\bparental (?:consent|permission|controls?)"
                            r"|\bparents? or (?:legal )?guardians?|\bteen(?:ager)?s?\b", "neutral", None, 0.75),
    )
    context = ("age", "parent", "parental", "consent", "collect")
    exclude = r"\bchild (?:pornography|sexual|abuse|exploitation)|\bminor (?:changes?|updates?|modifications?|edits?)"


@register
class SecurityRecognizer(Recognizer):
    practice = "security"
    cues = ("security", "secure", "securely", "encryption", "encrypted", "encrypt", "encrypts", "ssl", "tls", "https",
            "breach", "breaches", "safeguards", "safeguard", "protect", "protected", "unauthorized", "unauthorised",
            "factor", "2fa", "authentication", "firewalls", "firewall", "hashed", "guarantee",
            "hacking", "hackers", "measures")
    patterns = (
        Pattern("no_guarantee", r"\b(?:cannot|can ?not|can't|unable to|not|no|never)\b (?:\w+ ){0,3}?(?:guarantee|ensure|warrant|promise)"
                + gap(8) + r"(?:security|secure|safe|absolute|100%|unauthori[sz]ed|protected|impenetrable)|\bno (?:method|system|security"
                           r"|transmission|data transmission|website|measures?)" + gap(10) + r"(?:100%|completely|perfectly|fully|absolutely|totally)"
                           r" (?:secure|safe)", "concern", None, 0.85),
        Pattern("no_liability", r"\b(?:not|no)\b (?:be )?(?:held )?(?:responsible|liable)" + gap(10)
                                + r"(?:unauthori[sz]ed|breach\w*|security|hack\w*|privacy|confidential\w*)"
                                r"|\b(?:disclaim\w*|assumes? no|accept\w* no)\b" + gap(6) + r"(?:liability|responsibility)" + gap(10)
                + r"(?:unauthori[sz]ed|breach\w*|security|hack\w*|privacy|confidential\w*)", "concern", None, 0.85),
        Pattern("breach_notice", r"\b(?:notify|inform|tell|alert)\w*" + gap(8) + r"(?:breach\w*|security incidents?|compromis\w+)"
                                 r"|\b(?:breach\w*|security incidents?|unauthori[sz]ed access)" + gap(12) + r"(?:notify|inform|alert)\w*"
                                 r"|\bbreach notification", "protective", "concern", 0.85),
        Pattern("measures", r"\bencrypt\w*|\bssl\b|\btls\b|\btwo[- ](?:factor|step)|\b2fa\b|\bmulti-factor|\bend-to-end"
                            r"|\bzero-knowledge|\bsecurity (?:measures|safeguards|practices|controls|standards|precautions|procedures|protocols)"
                            r"|\b(?:technical|organi[sz]ational|administrative|physical|appropriate|reasonable|industry[- ]standard|commercially reasonable)"
                            r" (?:\w+ ){0,3}?(?:measures|safeguards|precautions)(?! to (?:inform|notify|tell|let))|\bfirewalls?|\baccess controls?"
                            # hashed passwords protect; a "hashed e-mail address" shared with ad partners is an identifier
                            r"|\bhash(?:ed|ing)? (?:and salted )?passwords?|\bpasswords? (?:\w+ ){0,3}?(?:hashed|salted)"
                            r"|\bprotect\w*" + gap(5) + r"(?:against|from) (?:\w+ )?(?:unauthori[sz]ed|loss|misuse|theft|alteration)"
                            r"|\b(?:stored|kept|held|transmitted|processed|maintained|transferred) (?:\w+ )?securely\b"
                            r"|\bsecure (?:servers?|storage|data (?:centers?|centres?)|facilities)\b",
                "protective", "concern", 0.8),
    )
    context = ("data", "information", "personal", "protect")


# The words that name the document itself: a change clause must name what changes.
_DOC_WORDS = frozenset({"policy", "policies", "terms", "notice", "agreement", "statement", "conditions", "tos", "eula",
                        "document", "rules"})


@register
class PolicyChangeRecognizer(Recognizer):
    practice = "policy_change"
    cues = ("change", "changes", "changed", "modify", "modified", "modification", "modifications", "update", "updates",
            "updated", "amend", "amended", "amendment", "amendments", "revise", "revised", "revision", "revisions",
            "alter", "replace", "notify", "revisit")
    patterns = (
        Pattern("without_notice", r"\bwithout (?:\w+ ){0,2}?(?:notice|notif\w+|warning|informing|telling)"
                                  r"|\bwith or without (?:\w+ )?notice", "concern", "neutral", 0.9),
        # Told outright that no notice will come ("we will not notify you"): the negator sits inside the phrase, where
        # negation scope (which looks before a match) cannot see it, so it is a pattern of its own.
        Pattern("no_notice", r"\b(?:will|shall|would|may|we[’']ll) (?:\w+ ){0,2}?(?:not|never) (?:\w+ ){0,2}?"
                             r"(?:notify|inform|tell|alert|(?:give|provide|send) (?:you )?(?:with )?(?:any )?(?:\w+ )?"
                             r"(?:notice|notification))\b"
                             r"|\b(?:won[’']t|wouldn[’']t) (?:\w+ ){0,2}?(?:notify|inform|tell|alert|(?:give|provide|send) (?:you )?"
                             r"(?:with )?(?:any )?(?:\w+ )?(?:notice|notification))\b"
                             r"|\bno (?:\w+ )?(?:notice|notification) (?:will|shall|would|need|is) ", "concern", None, 0.9),
        # A stated notice period ("at least 30 days before", "no sooner than fourteen days after posting").
        Pattern("notice_period", NUMBER + r"\s*(?:\(\d+\)\s*)?(?:calendar |business )?(?:days?|weeks?|months?)" + gap(6)
                + r"(?:before|prior|in advance|advance notice|notice|after (?:they are |being |the )?(?:posted|notice|notification))"
                  r"|\bno (?:sooner|earlier) than", "protective", "concern", 0.9),
        # Told before changes apply, no period stated: informative.
        Pattern("advance_notice", r"\bin advance\b|\badvance notice|\bprior (?:written )?notice|\bnot (?:\w+ )?(?:apply )?retroactive\w*"
                                  r"|\bbefore (?:the|they|such|any|these|it|we) (?:\w+ )?(?:changes?|terms|policy|updated|revised|make|take|become"
                                  r"|go|come|are)\b", "neutral", None, 0.85),
        Pattern("will_notify", r"\b(?:will|shall|would|we[’']ll) (?:\w+ ){0,5}?(?:notify|inform|tell|email|e-mail|alert|contact|communicate|announce|let you know"
                               r"|provide (?:you )?(?:with )?(?:\w+ )?(?:notice|notification)|post (?:a )?(?:\w+ )?notice)"
                               r"|\b(?:notify\w*|notifi\w+|inform(?:s|ed|ing)?) (?:you|(?:(?:its|our|the|all|affected) )?(?:users?|customers|members|subscribers))\b"
                               r"|\b(?:be |been )?notified\b|\b(?:send|sending|post|posting|display|displaying|give|giving)\b (?:you )?(?:a |an )?"
                               r"(?:\w+ )?(?:notice|notification)\b|\bnotification\b|\bdirect notice"
                               r"|\bnotice (?:will|shall) be (?:posted|sent|given|provided|displayed)|\bprovid\w* (?:\w+ ){0,2}?with (?:\w+ ){0,2}?notice",
                "neutral", "concern", 0.85),
        # Changes the reader must look for: at the service's discretion, "check this page", continued use as consent.
        Pattern("discretion", r"\bat (?:our|its|their|the) (?:sole |own |absolute )?discretion|\bcontinued use (?:\w+ ){0,6}?(?:constitutes?|means"
                              r"|signifies|indicates|deemed|confirms)|\bresponsib\w+ (?:\w+ ){0,4}?(?:to )?(?:review|check)"
                              r"|\brevisit|\b(?:check|review|consult|visit)\w* (?:\w+ ){0,4}?(?:back|periodically|regularly|frequently|often"
                              r"|from time to time)",
                "concern", None, 0.75, needs=_DOC_WORDS),
        Pattern("may_change", r"\b(?:may|can|might|could|reserves? the right to|will|right to)\b (?:\w+ ){0,4}?(?:chang|modif|updat|amend|revis|alter"
                              r"|replac)\w*|\b(?:changes?|modifications?|amendments?|updates?|revisions?) (?:\w+ ){0,3}?(?:to|of) "
                              r"(?:this|these|the|our)", "concern", None, 0.65, needs=_DOC_WORDS),
    )
    context = ("policy", "terms", "time", "notice")
    # A change of "this policy", or any change the reader is told about ("if we change how we use your data, we
    # will notify you"); a breach notice is no policy change.
    requires = DOCUMENT_NAMES + r"|\bchang\w*|\bamend\w*|\bmodif\w*|\brevis\w*"
    exclude = r"^\W*(?:last )?(?:updated|modified|revised|effective)\b|^\W*(?:\w+\W+){0,6}?(?:last|date of) (?:updated|modified|revis\w+|update)\b(?!" + gap(6) + r"(?:may|will))"


_PRIVATE = (r"(?:your |the |users'? |any |those |these )?(?:private |direct |personal |chat )?(?:messages|communications?|chats"
            r"|conversations|dms|private message|e-?mails\b(?! address)|inbox|mail\b(?! address)|recordings|calls|chat logs|private (?:content|files"
            r"|posts|photos|folders|data|information))\b")


@register
class PrivateContentRecognizer(Recognizer):
    practice = "private_content"
    cues = ("messages", "message", "communications", "chats", "chat", "dms", "emails", "mails", "email",
            "inbox", "mail", "conversations", "recordings", "calls", "private", "contents", "content",
            "expectation", "administrators", "administrator", "admins", "admin", "employees", "staff", "personnel",
            "moderators", "reviewers", "contractors", "people", "communication", "accessible", "monitor", "monitors",
            "monitored", "monitoring", "inspect", "scan", "scans", "scanned", "scanning")
    patterns = (
        Pattern("access_messages", r"\b(?:access|read|review|monitor|scan|view|analy[sz]|inspect|listen|look|record|intercept)\w*"
                + gap(8) + _PRIVATE, "concern", "protective", 0.85),
        Pattern("content_of", r"\bcontents? of (?:your |the |those |these |any )?(?:files|communications|e-?mails|messages|chats"
                              r"|conversations|private)|\bno expectation (?:of privacy|that your (?:\w+ )?(?:will|would) be private)",
                "concern", "protective", 0.75),
        Pattern("store_messages", r"\b(?:stor|process|keep|collect|retain)\w*" + gap(6) + _PRIVATE + r"|\bchat logs?\b",
                "concern", "protective", 0.5),
        Pattern("messages_accessed", r"\b(?:private |direct )?(?:messages|communications|conversations|chats|e-?mails|private content|files)"
                + gap(6) + r"(?:may be |are |can be |will be |be )?(?:accessed|read|reviewed|monitored|scanned|viewed|analy[sz]ed|inspected"
                  r"|screened)", "concern", "protective", 0.85,
                needs=frozenset(['accessed', 'analysed', 'analyzed', 'inspected', 'monitored', 'read', 'reviewed', 'scanned', 'screened', 'viewed'])),
        Pattern("staff_access", r"\b(?:employees|staff|personnel|moderators|reviewers|human reviewers|people working|contractors"
                                r"|administrators?|admins?)\b"
                + gap(8) + r"(?:access|review|read|see|listen|view)\w*"
                + r"|\baccessible (?:\w+ ){0,2}?(?:by|to) (?:\w+ ){0,4}?(?:employees|staff|personnel|administrators?|admins?|persons"
                  r"|people|moderators)\b", "concern", "protective", 0.7),
        # "we reserve the right to monitor your account / any communication / your uploads"
        Pattern("monitor_account", r"\b(?:monitor|inspect|scan|screen)\w*" + gap(4)
                + r"(?:your |users'? |user |any |all )(?:accounts?|files|uploads|uploaded content|private content|stuff|photos|videos"
                  r"|personal pages|communications?)\b",
                "concern", "protective", 0.75,
                needs=frozenset(['monitor', 'monitors', 'monitored', 'monitoring', 'inspect', 'inspects', 'inspected', 'scan',
                                 'scans', 'scanned', 'scanning', 'screen', 'screens', 'screened', 'screening'])),
    )
    context = ("private", "content", "messages", "communications")
