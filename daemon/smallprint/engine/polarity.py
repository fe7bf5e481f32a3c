"""Polarity: does a clause reduce the reader's privacy (concern), promise something in their favour (protective),
or only inform (neutral)?

Each recognizer pattern states its polarity as written and the polarity when a negation governs it
("we sell" concern / "we do not sell" protective; "you can opt out" protective / "you cannot opt out" concern).
A negation governs a match when it occurs before the match in the same clause: scope ends at a clause break
("; but unless except however because", a bare "otherwise" but not "sell, rent or otherwise share"), or at a new
subject ("and we", ", which", also where the match itself opens with it: "if you no longer want it, you can ...").
A few practices also read sentence-level qualifiers (sharing with service providers is neutral, government disclosure
without notice is a concern).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .fastregex import FastPattern, compile_pattern

POLARITY_ORDER = ("concern", "protective", "neutral")

# Negators, incl. contracted and emphatic forms. "no" counts ("no third party will receive ..."); "without" does not
# ("share without your consent" is still sharing).
_NEGATOR = compile_pattern(
    r"\b(?:not|never|no|neither|nor|cannot|none|nothing|nobody|nowhere)\b|n[’']t\b|\bno longer\b|\bwithout ever\b"
    r"|\b(?:unable|fail|fails|failed|refuse|refuses|decline|declines) to\b"
    r"|\b(?:refrain|refrains|prohibited|forbidden) from\b|\bfree (?:of|from)\b")
# Where a negation's scope ends, looking back from the match.
_SCOPE_BREAK = compile_pattern(
    r"[;:\[\]]|\b(?:but|unless|except|however|although|though|whereas|while|because)\b|(?<!or )\botherwise\b"
    r"|(?:,|\band|\bor|\bthen)\s+(?:we|you|they|it|our|this|these|such|the company)\b")
# Phrases whose "not" negates nothing about the practice. Every alternative opens with a letter (no group or
# optional word in front: "(?:do not|don't|not) wish" is spelt out as three, "(?:under )?no obligation" as two, in
# the same order, so the same phrase matches): the regex engine then skips to the next possible first letter in C
# (~2.5x faster) instead of trying each alternative at every position.
_FALSE_NEGATION = compile_pattern(
    r"do[- ]not[- ]track|do not sell (?:or share )?my|not only|not the only|no matter|whether or not|if not|not limited to|not be limited"
    r"|no later than|not exceed|no more than|no less than|not less than|not more than|no longer than|not longer than|not all\b|not necessarily"
    r"|n[’']t have an account|do not have an account|do not (?:wish|want|agree|consent)|don't (?:wish|want|agree|consent)"
    r"|not (?:wish|want|agree|consent)"
    r"|no longer (?:need|necessary|required|use|want|wish|a justification|maintain)|no (?:sooner|earlier) than|not (?:be |apply )?retroactive\w*"
    r"|free of charge|under no (?:obligation|duty)|no (?:obligation|duty)|not (?:have )?(?:any )?(?:obligation|duty)"
    r"|not (?:be )?obligated|not required to"
    # the condition of a default, not a refusal: "If you do not opt out, ... may use it to train their models"
    r"|if you (?:do not|don[’']t|did not|didn[’']t) (?:opt|object|disable|turn off|change|adjust)")
# How far back a negation may govern (characters): "does not use any of your audio, video, chat, ... to train".
SCOPE_CHARS = 260


@dataclass(frozen=True, slots=True)
class Negation:
    word: str
    at: int  # offset in the sentence


# Cheap test first: most clauses hold no negator at all.
_MAYBE_NEGATED = compile_pattern(r"\b(?:not|never|no|neither|nor|cannot|none|nothing|nobody|nowhere|unable|fail\w*"
                                 r"|refuse\w*|decline\w*|refrain\w*|prohibited|forbidden|free)\b|n[’']t\b")


# A negation over a long list reaches further: "We DO NOT ask for or collect information such as your name, address,
# ... payment information or biometric information or precise geolocation data" (a children's site) read its last
# items, past SCOPE_CHARS, as collected, and its first ones as promises, from one sentence. Beyond SCOPE_CHARS (up to
# LIST_SCOPE_CHARS) a negator governs the match only where it negates a verb of taking or passing on data ("not ask
# for or collect", "never share") whose object is one list running on to the match: no clause break, no verb of its
# own after the negated one, and items joined by commas or "or"/"and" ("which do not have a restricted audience",
# "if you are not satisfied" negate something else).
LIST_SCOPE_CHARS = 1000
_LIST_VERB = compile_pattern(r"\b(?:is|are|was|were|be|been|will|may|might|can|could|shall|should|would|must|do|does"
                             r"|did|has|have|had|we|you|they|it)\b")
_LIST_JOIN = compile_pattern(r",|\bor\b|\band\b")
_TAKES_DATA = re.compile(r"\s*(?:[\w/]+\s+){0,3}?(?:ask|collect|request|store|share|sell|process|use|gather"
                         r"|receive|obtain|keep|retain|disclose|record|track|access|seek)\w*\b")


def _negated_list(sentence: str, match_start: int) -> Negation | None:
    """A negator more than SCOPE_CHARS before the match whose object is a list running on to the match (see above)."""
    lo = max(0, match_start - LIST_SCOPE_CHARS)
    if not _MAYBE_NEGATED.search(sentence, lo, match_start):  # most long sentences: no negator at all
        return None
    window = _FALSE_NEGATION.sub(lambda m: " " * len(m.group(0)), sentence[lo:match_start])
    negators = list(_NEGATOR.finditer(window))
    if not negators:
        return None
    last = negators[-1]
    # the negated verb phrase itself ("not ask for or collect information such as") is in the first words after it
    after = window[last.end():]
    rest = after[min(len(after), SCOPE_CHARS // 4):]
    if not _TAKES_DATA.match(after) or _SCOPE_BREAK.search(after) or _LIST_VERB.search(rest) \
            or sum(1 for _ in _LIST_JOIN.finditer(after)) < 4:
        return None
    return Negation(last.group(0).strip(), lo + last.start())


def find_negation(sentence: str, match_start: int) -> Negation | None:
    """The negator governing a match at `match_start` in a lower-cased sentence, if any."""
    lo = max(0, match_start - SCOPE_CHARS)
    if not _MAYBE_NEGATED.search(sentence, lo, match_start):
        return _negated_list(sentence, match_start) if lo > 0 else None
    window = _FALSE_NEGATION.sub(lambda m: " " * len(m.group(0)), sentence[lo:match_start])
    # A new subject may open the match itself ("if you no longer want it, | you can request ...", "if you are not
    # satisfied ... then | you can request ..."): look for breaks a
    # few characters into it too, and let one that starts before the match end the scope there.
    ahead = window + sentence[match_start:match_start + 16]
    breaks = [min(m.end(), len(window)) for m in _SCOPE_BREAK.finditer(ahead) if m.start() < len(window)]
    scope_start = breaks[-1] if breaks else 0
    last = None
    for m in _NEGATOR.finditer(window, scope_start):
        last = m
    if last is None:
        return _negated_list(sentence, match_start) if lo > 0 else None
    return Negation(last.group(0).strip(), lo + last.start())


def negated_inside(sentence: str, start: int, end: int) -> Negation | None:
    """A negation inside the match itself ("information will not be sold", "we do not use ... to train")."""
    if not _MAYBE_NEGATED.search(sentence, start, end):
        return None
    window = _FALSE_NEGATION.sub(lambda m: " " * len(m.group(0)), sentence[start:end])
    m = _NEGATOR.search(window)
    return Negation(m.group(0).strip(), start + m.start()) if m else None


# Sentence-level qualifiers per practice, applied when no negation decided; first match wins. Each applies to
# the hits of the listed patterns only (None: all patterns of the practice).
_Q = compile_pattern
_TRACKING_CONCERN = _Q(r"third[- ]part|advertis|\bads?\b|marketing|analytic|statistic|\bacross\b|partners|social|\btrack"
                       r"|measur|google|facebook|doubleclick|retarget|interests?\b|profil|other (?:web)?sites|beacon|pixel"
                       r"|plug-?ins?\b|widgets?\b|share ?this|like button|twitter|linkedin|pinterest|youtube")
# Who acts for the service (the guide's neutral sharing)
_PROVIDERS = r"\bservice providers?|\bprocessors?\b|\bon (?:our|its) behalf|\bvendors?\b|\bcontractors?\b"
_QUALIFIERS: dict[str, tuple[tuple[FastPattern, str, str, frozenset[str] | None], ...]] = {
    "third_party_sharing": (
        (_Q(r"\b(?:aggregated?|anonymi[sz]ed|de-identified|non-personal|not personally identif\w*|statistical)\b"),
         "neutral", "only aggregate or anonymised data", None),
        (_Q(_PROVIDERS + r"|\bhelp us\b|\bassist us\b|\bperform\w* (?:services|functions|tasks)|\bhosting"
            r"|\bpayment process\w*"),
         "neutral", "service providers acting for the service", frozenset({"recipients_access", "uses_providers"})),
        # ... and sharing with them said in so many words ("we share your data with our service providers who process
        # it on our behalf"), the guide's own example of neutral, unless the sentence also names advertisers,
        # marketing, a sale, partners, affiliates, data brokers or other third parties beside them (not "third parties
        # who act on our behalf", the guide's own neutral), or a purpose of any kind (the
        # project's careful readers: 757 neutral sentences read as concerns)
        (_Q(r"^(?![\s\S]*(?:advertis|marketing|promot|\bsell|\bsold\b|\bsale|\bpartners?\b|\baffiliates?\b|brokers?\b"
            r"|(?:other|and|or)\s+third[- ]parties\b|their own|for (?:its|their) (?:own )?(?:purposes|use)|any purpose))"
            r"[\s\S]*?(?:" + _PROVIDERS + ")"),
         "neutral", "service providers acting for the service", None),
    ),
    "government_access": (
        (_Q(r"\bwithout (?:\w+ ){0,2}?(?:notice|notif\w+|consent|knowledge|a choice|choice|informing)|\bsole discretion"
            r"|\bin (?:its|our) (?:sole )?(?:opinion|judgment)|\breserves? the right|\bat (?:our|its) discretion"
            r"|\b(?:we|reasonably) believe"),
         "concern", "disclosure without telling you", None),
        # Disclosure on the service's own good-faith belief is its judgement (a concern, as "we believe" is), unless
        # the sentence limits disclosure to legal process outright ("only in response to a valid court order;
        # good faith belief alone is not sufficient")
        (_Q(r"\bonly (?:\w+ ){0,6}?(?:in response to|under|upon|with|pursuant to|when (?:required|compelled)|if (?:required"
            r"|compelled))\b(?:\W+\w+){0,4}?\W+(?:valid |a valid |binding )?(?:legal process|court orders?|warrants?"
            r"|subpoenas?|search warrants?|law|legal obligation)|\bnot (?:\w+ )?sufficient"),
         "protective", "only when legally required", None),
        (_Q(r"\bgood[- ]faith belief"), "concern", "disclosure without telling you", None),
        (_Q(r"\b(?:required|compelled|obliged|obligated) (?:to (?:do so )?)?by (?:\w+ )?law|\bvalid (?:legal|law)"
            r"|\blegal process|\bsubpoena|\bcourt order|\bwarrant|\blawful (?:request|order|process)|\bcomply with"
            r"|\blegal obligation|\bapplicable law|\blaw enforcement|\bgovernment"),
         "neutral", "disclosure the law requires", None),
    ),
    "business_transfer": (
        (_Q(r"\b(?:notify|inform)\w* you\b(?:\W+\w+){0,10}?\W+(?:before|prior)"),
         "protective", "you are told before a transfer", None),
    ),
    "children": (
        (_Q(r"\b(?:not (?:knowingly )?(?:collect|solicit|process)|(?:delete|remove|erase)\w* (?:\w+ ){0,4}?(?:information|data))\b"
            r"(?:\W+\w+){0,12}?\W+(?:children|child|minors|under)"), "neutral", "age limit", None),
    ),
    "tracking": (
        (_Q(r"\bnot (?:\w+ )?(?:contain|include|store|collect)|\bnot (?:\w+ )?(?:personally )?identif|\banonymous|\btemporar"
            r"|\b(?:no|not|never|in no way) (?:\w+ ){0,2}?(?:personal|personally|identif\w*|reveal\w*|linked|tied)"
            r"|\b(?:expire\w*|deleted|discarded|erased|removed) (?:\w+ ){0,2}?(?:when|once|after|at|upon|on)\b"
            r"|\bonly (?:\w+ )?(?:session|essential|necessary|strictly)"),
         "protective", "cookies that do not identify you or expire", frozenset({"cookies", "necessary_cookies"})),
        (_TRACKING_CONCERN, "concern", "cookies used for analytics, ads or by third parties", frozenset({"cookies"})),
        (_Q(r"."), "neutral", "cookies the site uses for itself", frozenset({"cookies"})),
    ),
}
# How much surer a qualified reading is than the bare pattern (a plain "we use cookies" is the weakest reading
# of a passage that also says what the cookies are for).
NEGATED_CONFIDENCE = 0.05
_QUALIFIED_CONFIDENCE = {("tracking", "concern"): 0.1, ("tracking", "protective"): 0.1, ("tracking", "neutral"): -0.1}


def qualify(practice: str, sentence: str, pattern: str | None = None) -> tuple[str, str] | None:
    """(polarity, reason) from a sentence-level qualifier of `practice`, if one applies."""
    for regex, polarity, reason, patterns in _QUALIFIERS.get(practice, ()):
        if (patterns is None or pattern in patterns) and regex.search(sentence):
            return polarity, reason
    return None


# Patterns whose polarity any negation in the clause decides (not only one before the match).
_CLAUSE_NEGATION = {("tracking", "dnt"): "concern"}


# "You have the right to opt out of the sale of your personal information" names a sale to give the reader a way out
# of it: the labelling guide's sale *protective* (the careful readers' label of such sentences), where the sale
# patterns alone read a concern. Decided on the hit's own words, not the sentence's: only a sale the opt-out names
# ("opt out of the sale", "opt-out from the sale", "opt out of having your information sold") is read so, with no
# new clause between them ("you can opt out of emails and we sell your data", "even if you opt out we may still
# sell it", "your data may be sold unless you opt out" keep their concern), and "you cannot opt out of the sale" is a
# concern too, not the negated sale it looks like.
_OPT_OUT = re.compile(r"\bopt(?:s|ed|ing)?[-\u2010-\u2013\s]?outs?\b")
# from "opt out" to the sale: "of"/"from" (or "an opt-out request regarding") and a few words, no clause break
_OPT_OUT_GAP = (r"[^\w.,;:()]+(?:of|from|(?:requests?|rights?)[^\w.,;:()]+(?:for|regarding|concerning|about|on))\b"
                r"(?:[^\w.,;:()]+\w+){0,5}?[^\w.,;:()]+")
_OPT_OUT_GAP_RE = re.compile(_OPT_OUT_GAP)
_NEW_CLAUSE = re.compile(r"\b(?:we|they|it|unless|still|but|however|although|even|while|whereas|except|if|when)\b")
_CLAUSE_BREAK = re.compile(r"[.;:()]|,\s*(?:and|but|or)\b|\b(?:we|us|our)\b")
# the sale words of the sale patterns, and not "sales e-mails" or "our sales team"
OPT_OUT_OF_SALE = re.compile(_OPT_OUT.pattern + _OPT_OUT_GAP + r"(?:sales?\b(?!\s+(?:e-?mails?|calls?|teams?|messages"
                             r"|communications|offers|representatives?|staff|department))|sell\w*|sold\b|rent\w*"
                             r"|monetiz\w*|trad(?:e|ed|ing)\b)")
# The CCPA's own names for an opt-out: the "Do Not Sell (or Share) My Personal Information" link or request, and
# "direct us not to sell". Not promises not to sell.
_DO_NOT_SELL_OPT_OUT = re.compile(
    r"\bdo[- ]not[- ]sell\b(?:\s*(?:or|and|/)\s*share)?\s+(?:my|request|requests|page|link|form)\b"
    r"|\b(?:direct|instruct|ask|request|tell)\w*\s+(?:us|a business|the company|businesses|them)\s+not\s+to\s+sell\b")
# Wordings that only name a sale (these below, and the CCPA names above when `decide` reads a hit by them), each
# read only where every sale word of the sentence lies in its clause
# (`_names_every_sale`): a sentence that also says the service sells ("..., but we may still sell it") keeps its
# concern, since a recognizer reads one sale hit per sentence.
# - a request not to sell, the statute's and the plain one: opt-outs ("request that a business that sells a
#   consumer's personal data, not sell", "if you do not wish for us to sell or share ..., you can make a request"), and
#   the CCPA's "tell a business to stop Selling ... and to refrain from Selling it in the future", or a browser signal
#   "which requests that websites you visit refrain from selling" (it read as a promise not to sell: +2)
_OPT_OUT_REQUEST = re.compile(
    r"\b(?:direct|instruct|ask|request|tell)\w*\s+(?:that\s+)?(?:a\s+|the\s+|any\s+)?(?:business(?:es)?|compan(?:y|ies)"
    r"|we|us|websites?|sites?)\b[^.;:]{0,120}"
    r"\b(?:not\s+(?:to\s+)?sell|stop\s+sell\w*|refrain\s+from\s+sell\w*)\b"
    r"|\b(?:do\s+not|don[’']t)\s+(?:wish|want)\s+(?:for\s+)?(?:us|[\w\s]{0,30}?)\s+to\s+[\"“]?(?:sell|share)\b")
# - a sale the service only supposes ("Were we ever to sell personal information, we would provide an opt-out")
_HYPOTHETICAL_SALE = re.compile(
    r"\b(?:were\s+we|should\s+we|if\s+we\s+(?:ever|were\s+to|decide\s+to|choose\s+to|begin\s+to|start\s+to)"
    r"|to\s+the\s+extent\s+(?:that\s+)?we"
    r"|in\s+the\s+(?:unlikely\s+)?event\s+(?:that\s+)?we\s+(?:ever\s+)?(?:decide\s+to\s+)?)\b")
# - what a right to know or a disclosure request asks about ("you have the right to know what personal information
#   we collect, disclose, and sell about you", "request that we disclose the categories of personal information we
#   sold"): the CCPA's rights, which the careful readers label as rights, not as a sale. Not "the right to know that
#   we sell your data", which states one.
_RIGHT_TO_KNOW = re.compile(
    r"\brights?\s+to\s+disclosure\s+of\b"  # "Right to Disclosure of Information Sold or Shared"
    r"|\b(?:rights?\s+to\s+(?:know|access|request|obtain|receive)|requests?\s+to\s+know"
    r"|request\w*\s+(?:that\s+)?(?:we|us)\s+(?:to\s+)?(?:disclose|provide|tell)(?:\s+(?:to\s+)?you)?)"
    r"\s+(?:about\s+|information\s+about\s+)?(?:what|which|whether|the\s+categories|categories|the\s+specific"
    r"|specific\s+pieces|the\s+personal|how)\b")
# - what a law says of selling ("The CCPA prohibits a business from selling personal information unless ...", "the
#   CCPA requires businesses that 'sell' personal information to provide an opt-out"): the law's words, not a sale
_LAW_SAYS = re.compile(
    r"\b(?:ccpa|cpra|cdpa|vcdpa|ctdpa|gdpr|the\s+(?:law|act|statute|regulations?)|(?:state|california|privacy)\s+laws?"
    r"|(?:these|such|those|certain|some|applicable)\s+(?:state\s+)?laws)\s+(?:\w+\s+)?(?:prohibits?|requires?|defines?"
    r"|gives?|grants?|provides?|permits?|allows?|forbids?|restricts?)\b")
# - a way to refuse a sale not named "opt out" ("You can deny the sale of personal data to third-party services")
_REFUSE_SALE = re.compile(r"\b(?:deny|refuse|reject|object\s+to|block)\s+(?:the\s+|any\s+|a\s+)?(?:sales?|selling)\b")
# Where such a clause ends: a sentence mark, a contrast, a new subject after a comma, or ", and"/", or" that opens a
# new clause rather than continuing a list of verbs ("what we collect, disclose, and sell" continues one).
_CLAUSE_END = re.compile(
    r"[.;!?\n]|\s[-\u2013\u2014]+\s|\u2014|\b(?:but|though|although|however|whereas|while|yet|unless|except|even)\b"
    r"|(?:,|\band|\bor)\s+(?:we|you|they|it|our|your|the company)\b"
    r"|,\s*(?:and|or)\s+(?![\"“”'‘’]?(?:sell|sold|shar|rent|disclos|use|collect|process|trad)\w*)")
# The sale recognizer's sale words (recognizers/sharing.py reads sales with them), and here the noun "sale" too;
# "trade secrets" and "X Ltd trading as Y" sell nothing
SALE_WORDS = (r"\b(?:sell|sells|selling|sold|rent(?:s|ed|ing)?|lease|leased|barter|monetize|trade(?![- ]secret)"
              r"|trading(?! as\b)|traded)\b")
_SALE_WORD = re.compile(SALE_WORDS + r"|\bsale\b")
_WE_NEAR = re.compile(r"\bwe\b")  # the service's own sale, looked for just before a sale word
# "your information is sold" states a sale; "(opt out of having) your information sold" names one
_FINITE = re.compile(r"\b(?:is|are|was|were|will|may|might|can|could|shall|should|would|must)\b")
# "a request to stop selling your personal information", "Criteo stops selling it once you object": an opt-out,
# honoured, where a request or an objection is named; "we do not (cannot) stop selling" is a concern.
_STOP_SALE = re.compile(r"\b(?:stop|stops|stopped|stopping|cease|ceases|ceased|ceasing)\s+(?:the\s+|any\s+(?:further\s+)?)?$")
_REQUEST = re.compile(r"\b(?:request|ask|direct|instruct|object|exercis|submit)\w*|\bopt(?:s|ed|ing)?[- ]?outs?\b"
                      r"|\bdirection\b")
# a negator that governs "stop" itself ("we do not stop selling", "we cannot stop selling"), not one further back
# ("we will not charge you for a request to stop selling")
_STOP_NEGATED = re.compile(r"(?:\b(?:not|never|cannot)|n[’']t)\s+(?:\w+\s+)?$")
# A negation in an "if" clause, right after its subject, is a condition, not a promise: "If we have not sold your
# personal information, we will inform you of that fact" (not "If you are a resident we do not sell ...").
_CONDITION_NEGATION = re.compile(r"\b(?:if|whether)\s+(?:[\w’']+\s+){1,2}"
                                 r"(?:(?:have|has|had|do|does|did|is|are|was|were|will|would|can|could)\s*)?$")
# what a sale the service states sells: the reader's data, not "subscriptions" or "advertising space"
_SALE_OBJECT = re.compile(r"\s+(?:\w+\s+){0,3}?(?:your|personal|data|information|it|them|such)\b")
_CONDITION_WORD = re.compile(r"\b(?:unless|if|when|until|whether)\b")


def _clause_end(sentence: str, position: int) -> int:
    m = _CLAUSE_END.search(sentence, position)
    return m.start() if m else len(sentence)


_NEAR = re.compile(r"\s*(?:[\w’'\"“]+\s+){0,2}[\"“]?")


def _names_every_sale(sentence: str, pattern: re.Pattern, start: int, near: bool = False) -> bool:
    """Whether a match of `pattern` before the sale hit at `start` has the hit and every other sale word of the
    sentence in its clause (and, if `near`, the hit within two words of it: "were we ever to sell", not "if we ever
    change this policy we may sell")."""
    for m in pattern.finditer(sentence):
        if m.start() > start:
            break
        if near and not _NEAR.fullmatch(sentence, m.end(), start):
            continue
        lo, hi = m.start(), _clause_end(sentence, m.end())
        if lo <= start < hi and all(lo <= w.start() < hi for w in _SALE_WORD.finditer(sentence)):
            return True
    return False


def _stop_before(sentence: str, start: int) -> re.Match | None:
    return _STOP_SALE.search(sentence, max(0, start - 40), start)


def _stop_negated(sentence: str, stop: re.Match) -> bool:
    return _STOP_NEGATED.search(sentence, max(0, stop.start() - 30), stop.start()) is not None


def stopped_sale(sentence: str, start: int) -> bool:
    """Whether the sale hit at `start` is what a request or an objection stops ("a request to stop selling", "once
    you opt out, we will stop selling your data and will not sell it again"): a request is named, the hit and every
    un-negated sale word of the sentence follow an un-negated "stop"."""
    if _REQUEST.search(sentence) is None:
        return False
    for w in _SALE_WORD.finditer(sentence):
        stop = _stop_before(sentence, w.start())
        if stop is None:
            if find_negation(sentence, w.start()) is not None:
                continue  # "... and will not sell it again", "a direction not to sell"
            return False
        if _stop_negated(sentence, stop):
            return False
    # (the hit of a "data ... sold" pattern starts before its sale word)
    return any(_stop_before(sentence, w.start()) is not None for w in _SALE_WORD.finditer(sentence, start))


def _sells_too(sentence: str, after: int) -> bool:
    """Whether the service states a sale of the reader's data after a negated one ("You may request that we not sell
    your personal information, but we may still sell it to affiliates"): an un-negated sale word with "we" just
    before it and the data after it, not only supposed, not under a condition ("unless you tell us we may sell it"),
    and not "we sell subscriptions"."""
    for w in _SALE_WORD.finditer(sentence, after):
        if find_negation(sentence, w.start()) is None and negated_inside(sentence, w.start(), w.end()) is None \
                and _WE_NEAR.search(sentence, max(0, w.start() - 40), w.start()) \
                and _SALE_OBJECT.match(sentence, w.end()) \
                and not _CONDITION_WORD.search(sentence, after, w.start()) \
                and not _HYPOTHETICAL_SALE.search(sentence, max(0, w.start() - 40), w.start()):
            return True
    return False


def opt_out_naming(sentence: str, start: int, end: int) -> re.Match | None:
    """The "opt out" in a lower-cased sentence that names the sale hit at start..end (a sale word, or "data ...
    sold"), if any."""
    if _FINITE.search(sentence, start, end):
        return None
    for m in _OPT_OUT.finditer(sentence, 0, start):
        if _OPT_OUT_GAP_RE.fullmatch(sentence, m.end(), start) and not _NEW_CLAUSE.search(sentence, m.end(), start):
            return m
    return None


def opt_out_before(sentence: str, start: int) -> re.Match | None:
    """An un-negated opt-out of a sale earlier in the same clause as a sale hit at `start`, with no first person or new
    clause between: the Nevada wording "the right to opt out of the sale of certain personal information to third
    parties who intend to license or sell that personal information" names no sale of the service's own."""
    for m in OPT_OUT_OF_SALE.finditer(sentence, 0, start):
        if _NEW_CLAUSE.search(m.group(0)) or find_negation(sentence, m.start()) is not None:
            continue
        between = sentence[m.end():start]
        if not _CLAUSE_BREAK.search(between) and not _NEW_CLAUSE.search(between):
            return m
    return None


# "You have the right to opt out of the processing of your personal data for targeted advertising, the sale of
# personal data, or profiling": a list of what the reader may opt out of names each item to give a way out of it,
# however long the list. Read only where nothing between the opt-out and the hit starts a new clause or states
# something: no sentence mark, no "we"/"unless"/"but", no finite verb ("even if you opt out of ads, your data may be
# used for profiling" keeps its concern).
_LIST_GAP = re.compile(r"[^.;:()!?]{0,200}")
# The hit is an item of that list: right after "of"/"from", or the last item after "and"/"or", or an item after a
# comma that another item follows ("..., the sale of personal data, or profiling"; not "If you opt out of emails,
# the sale of your personal information continues").
_LAST_ITEM = re.compile(r"(?:\b(?:of|from|and|or)|/)\s+(?:(?:the|any|certain|such)\s+)?$")
_AFTER_COMMA = re.compile(r",\s+(?:(?:the|any|certain|such)\s+)?$")
_MORE_ITEMS = re.compile(r"[^.;:()!?]*?(?:,|\band\b|\bor\b)")
_STATES_SOMETHING = re.compile(_FINITE.pattern + r"|\b(?:us|our|sells?|sold|shares?|uses?|used)\b")
# Words that set the hit apart from what the reader opts out of ("other than profiling", "though profiling ...",
# "emails, not profiling", "does not opt you out of profiling").
_NOT_AN_ITEM = re.compile(r"\b(?:though|other than|apart from|aside from|besides|excluding|after which|regardless"
                          r"|not|never|no|does|do)\b|n[’']t\b")
# The hit as the subject of a verb of its own: "... and profiling of your behaviour continues", "..., and sale of
# your personal information happen regardless"; a comma, a relative clause or a new subject ends the look.
_OWN_VERB = re.compile(r"(?:\s+(?!(?:that|which|who|where|when|if|we|you|they)\b)[\w’'-]+){0,8}?\s+"
                       r"(?:" + _FINITE.pattern + r"|\b(?:do|does|did|continues?|continued|continuing|happens?"
                       r"|happened|occurs?|occurred|remains?|applies|apply|persists?|takes? place|goes on)\b)")


def opted_out_in_list(sentence: str, start: int, end: int) -> re.Match | None:
    """An "opt out of ..." earlier in the same clause whose list of noun phrases runs on to the hit at `start` (see
    above), if any; negated or not ("you cannot opt out of profiling" is no way out), as the caller reads it."""
    if _FINITE.search(sentence, start, end):
        return None  # "... and your information is sold": a statement, not an item
    for m in _OPT_OUT.finditer(sentence, 0, start):
        if _OPT_OUT_GAP_RE.match(sentence, m.end()) is not None and _an_item(sentence, m.end(), start, end, _LAST_ITEM):
            return m
    return None


def _an_item(sentence: str, after: int, start: int, end: int, last_item: re.Pattern) -> bool:
    """Whether the hit at `start`..`end` is an item of the list of noun phrases that begins at `after`: nothing
    between starts a new clause or states something, the hit is no subject of a verb of its own, and it comes right
    after one of `last_item`'s words or after a comma that another item follows."""
    between = sentence[after:start]
    if not _LIST_GAP.fullmatch(between) or _NEW_CLAUSE.search(between) or _STATES_SOMETHING.search(between) \
            or _NOT_AN_ITEM.search(between) or _OWN_VERB.match(sentence, end):
        return False
    return bool(last_item.search(between) or (_AFTER_COMMA.search(between) and _MORE_ITEMS.match(sentence, start)))


# "You have the right to object to processing of your personal data, including profiling", "to object to profiling":
# the GDPR's right to object names profiling to give a way out of it, as an opt-out list does (above): the hit right
# after "to", or an item of what is objected to ("of", "and", "or", "including", "such as").
# "object to", or "object at any time to": nothing else between ("users who object will be subject to profiling",
# "the right to object shall not apply to profiling" name no way out)
_OBJECTS_TO = re.compile(r"\bobject(?:s|ed|ing)?\s+(?:(?:at\s+any\s+time|at\s+all\s+times|also|always|in\s+particular"
                         r"|specifically|free\s+of\s+charge),?\s+)?to\b|\bobjections?\s+to\b")
_OBJECTED_ITEM = re.compile(r"(?:^|\b(?:of|from|and|or|including|such\s+as|incl\.|e\.g\.,?|namely))\s+"
                            r"(?:(?:the|any|certain|such)\s+)?$")


def objected_to_in_list(sentence: str, start: int, end: int) -> re.Match | None:
    """An "object to ..." earlier in the same clause whose objects run on to the hit at `start` (see above), if any;
    negated or not ("you cannot object to profiling" is no way out), as the caller reads it."""
    if _FINITE.search(sentence, start, end):
        return None
    for m in _OBJECTS_TO.finditer(sentence, 0, start):
        if _an_item(sentence, m.end(), start, end, _OBJECTED_ITEM):
            return m
    return None


def sale_opt_out(sentence: str) -> bool:
    """Whether a lower-cased sentence read as a sale promise is a way to opt out of a sale rather than a promise not
    to sell (summaries.py, and so the grade): an un-negated opt-out that names a sale, or the CCPA's "Do Not Sell My
    Personal Information", and no promise not to sell or sale by "we" beside it ("we do not sell your data, but you
    may still opt out of any sale" and "Right to opt out of sale: we do not sell your data" are promises)."""
    masked = sentence
    for pattern in (_DO_NOT_SELL_OPT_OUT, _OPT_OUT_REQUEST):
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
    m = OPT_OUT_OF_SALE.search(masked)
    if m is not None and (_NEW_CLAUSE.search(m.group(0)) or find_negation(masked, m.start()) is not None):
        m = None
    if m is None and masked == sentence:
        return stopped_sale(sentence, 0)
    for w in _SALE_WORD.finditer(masked):
        if m is not None and m.start() <= w.start() < m.end():
            continue  # the opt-out's own sale
        if find_negation(masked, w.start()) is not None or _WE_NEAR.search(masked, max(0, w.start() - 40), w.start()):
            return False  # a promise not to sell, or the service's own sale, said beside the opt-out
    return True


def confidence_shift(practice: str, polarity: str, reason: str) -> float:
    """Confidence added to (or taken from) a hit whose polarity a qualifier or a negation decided: "these cookies
    do not identify you" says more than the "we use cookies" before it."""
    if reason.startswith("negated"):
        return NEGATED_CONFIDENCE
    return _QUALIFIED_CONFIDENCE.get((practice, polarity), 0.0) if reason.startswith("qualified") else 0.0


# A security measure after a negated verb of access ("we can't see the content of end-to-end encrypted messages",
# "we are not able to read messages protected by encryption"): the negation denies the service's access to what the
# measure protects, which is itself a promise; it does not deny the measure ("we do not encrypt your messages").
_DENIED_ACCESS = re.compile(r"\s+(?:(?:be|been|ever|even|actually|able|to|have|any|way)\s+){0,3}"
                            r"(?:see|seen|read|access|accessed|view|viewed|decrypt|decrypted|listen to|listened to"
                            r"|hear|heard|look at|looked at|open|opened)"
                            # ... whose object is what the measure protects: not "we don't see the need for
                            # encryption", "we cannot see why ...", "we do not view encryption as necessary"
                            r"\s+(?:(?:the|any|all|of|your|their|its|actual)\s+){0,3}(?:contents?|messages?|data"
                            r"|information|communications?|conversations?|calls?|chats?|files?|photos?|videos?|backups?"
                            r"|media|it|them|what|anything)\b")


# A negated way out ("opting out of ads does not opt you out of profiling or the sale of your data", "this will not
# stop the sale of your data", "we will not prevent you from deleting it"): the negation denies the stopping, not the
# practice, which goes on as stated. The stopping verb must follow the negator within two words and come before the
# hit, and the hit must be what is stopped, not a second verb the negator also governs: "we do not block or sell your
# data", "we will not block your access to the services or sell your personal information" stay promises not to
# sell. So an "or"/"and"/"nor" between the verb and the hit may join only noun phrases ("profiling or the sale").
_DENIED_WAY_OUT = re.compile(r"\s+(?:[\w\u2019']+\s+){0,2}?(?P<verb>opt(?:s|ing)?\s+(?:[\w\u2019']+\s+){0,2}?out"
                             r"|stop|stops|prevent|prevents|cease|ceases|block|blocks|turn\s+off|turns\s+off"
                             r"|disable|disables)\b")
_JOINED = re.compile(r"\b(?:or|and|nor)\b|,")
_JOINS_A_NOUN = re.compile(r"\s*(?:the|a|an|any|your|their|its|our|such|other|all|of)\b")


def denies_a_way_out(sentence: str, negator_end: int, start: int) -> str | None:
    """The verb of stopping or opting out ("stop", "opt you out") that the negator ending at `negator_end` governs,
    where its object is the hit at `start` (see _DENIED_WAY_OUT); else None."""
    way_out = _DENIED_WAY_OUT.match(sentence, negator_end)
    if way_out is None or way_out.end() > start:
        return None
    for joined in _JOINED.finditer(sentence, way_out.end(), start):
        if joined.group() == "," or not _JOINS_A_NOUN.match(sentence, joined.end()):
            return None
    return way_out.group("verb")


# A way out that the clause says does not apply ("the right to object shall not apply to profiling", "the right to
# opt out does not apply to processing for fraud prevention"): the negator denies the right, not the practice, which
# goes on as stated. The right must be the subject of the negated "apply" ("exist", "be available"), close before it.
_RIGHT_BEFORE_NEGATOR = re.compile(r"\bright\s+to\s+(?:object|opt[- ]?out|withdraw|refuse|restrict)\b"
                                   r"(?:(?!\b(?:we|you|they|and|but|or)\b)[\w\s,'\u2019-]){0,60}?"
                                   r"\b(?:shall|does|do|will|would|may|can|is|are)\s*$")
_NOT_APPLY = re.compile(r"\s*(?:apply|applies|be\s+available|exist|be\s+possible)\b")


def denies_a_right(sentence: str, negator_at: int, negator_end: int) -> bool:
    """Whether the negator at `negator_at`..`negator_end` denies a right to stop something (see above)."""
    return (_RIGHT_BEFORE_NEGATOR.search(sentence, max(0, negator_at - 100), negator_at) is not None
            and _NOT_APPLY.match(sentence, negator_end) is not None)


def decide(practice: str, sentence: str, start: int, end: int, polarity: str,
           negated_polarity: str | None, pattern: str | None = None) -> tuple[str, str]:
    """Final polarity of a recognizer hit and the reason, for the highlight's explanation."""
    if practice == "sale_of_data" and polarity == "concern":
        opt_out = opt_out_naming(sentence, start, end)
        if opt_out is not None and find_negation(sentence, opt_out.start()) is not None:
            return "concern", "qualified: no way to opt out of a sale"
        stop = _stop_before(sentence, start)
        if stop is not None and _stop_negated(sentence, stop):
            return "concern", "qualified: does not stop selling"
        if opt_out is not None or opt_out_before(sentence, start) is not None or stopped_sale(sentence, start) \
                or _names_every_sale(sentence, _OPT_OUT_REQUEST, start) \
                or _names_every_sale(sentence, _DO_NOT_SELL_OPT_OUT, start):
            return "protective", "qualified: a way to opt out of a sale"
        listed = opted_out_in_list(sentence, start, end)
        if listed is not None and find_negation(sentence, listed.start()) is None:
            return "protective", "qualified: named in a list of what you can opt out of"
        if _names_every_sale(sentence, _HYPOTHETICAL_SALE, start, near=True):
            return "neutral", "qualified: a sale it only supposes"
        if _names_every_sale(sentence, _RIGHT_TO_KNOW, start):
            return "neutral", "qualified: a right to know what is sold, not a sale"
        if _names_every_sale(sentence, _LAW_SAYS, start):
            return "neutral", "qualified: what a law says of selling, not a sale"
        refuse = _REFUSE_SALE.search(sentence, max(0, start - 40), end + 1)
        if refuse is not None and refuse.start() <= start and find_negation(sentence, refuse.start()) is None:
            return "protective", "qualified: a way to refuse a sale"
    if practice == "profiling" and polarity == "concern" \
            and (listed := opted_out_in_list(sentence, start, end)) is not None:
        if find_negation(sentence, listed.start()) is not None:
            return "concern", "qualified: no way to opt out of profiling"
        return "protective", "qualified: named in what you can opt out of"
    if practice == "profiling" and polarity == "concern" \
            and (objected := objected_to_in_list(sentence, start, end)) is not None:
        if find_negation(sentence, objected.start()) is not None:
            return "concern", "qualified: no way to object to profiling"
        return "protective", "qualified: named in what you can object to"
    if negated_polarity is not None:
        neg = find_negation(sentence, start) or negated_inside(sentence, start, end)
        if neg is not None:
            if practice == "sale_of_data":
                if _CONDITION_NEGATION.search(sentence, max(0, neg.at - 40), neg.at) \
                        and negated_inside(sentence, start, end) is None:
                    return "neutral", f"qualified: '{neg.word}' is a condition, not a promise"
                if _sells_too(sentence, end):
                    return "concern", "qualified: a sale by the service follows the negated one"
            if practice == "security" and polarity == "protective" \
                    and _DENIED_ACCESS.match(sentence, neg.at + len(neg.word)):
                return "protective", f"qualified: '{neg.word}' denies seeing what the measure protects"
            if denies_a_way_out(sentence, neg.at + len(neg.word), start) is not None:
                return polarity, f"qualified: '{neg.word}' denies a way to stop it, not the practice"
            if denies_a_right(sentence, neg.at, neg.at + len(neg.word)):
                return polarity, f"qualified: '{neg.word}' denies a right to stop it, not the practice"
            return negated_polarity, f"negated by '{neg.word}'"
    if (practice, pattern) in _CLAUSE_NEGATION:
        # "We do not recognise browser signals, which may include Do Not Track": the negation governs the clause,
        # wherever the signal is named in it.
        neg = negated_inside(sentence, 0, len(sentence))
        if neg is not None:
            return _CLAUSE_NEGATION[(practice, pattern)], f"negated by '{neg.word}'"
    qualified = qualify(practice, sentence, pattern)
    if qualified is not None and polarity != "protective":
        return qualified[0], f"qualified: {qualified[1]}"
    return polarity, ""


# A promise qualifies the clause it follows: "we may change this policy; we will notify you 30 days before" is read
# as the promise, not as the bare change clause. Elsewhere the most frequent polarity wins (ties: concern first).
_QUALIFYING_ORDER = {"policy_change": ("protective", "neutral", "concern")}


def dominant(practice: str, counts: dict[str, int]) -> str:
    """The polarity that stands for a practice across its clauses."""
    for polarity in _QUALIFYING_ORDER.get(practice, ()):
        if counts.get(polarity):
            return polarity
    return max(POLARITY_ORDER, key=lambda p: (counts.get(p, 0), -POLARITY_ORDER.index(p)))


# For clauses found by the model (no pattern to say how the practice is stated): the practice's usual polarity,
# flipped by a negation anywhere in the clause.
_MODEL_DEFAULT = {"user_rights": "protective", "user_choice": "protective", "security": "protective",
                  "children": "neutral", "government_access": "neutral"}


_CHOICES = frozenset({"user_choice", "user_rights"})


def model_polarity(practice: str, sentence: str) -> tuple[str, str]:
    """Polarity for a model-suggested practice in a lower-cased sentence."""
    base = _MODEL_DEFAULT.get(practice, "concern")
    qualified = qualify(practice, sentence)
    neg = find_negation(sentence, len(sentence))
    if neg is not None and base != "neutral":
        # "you cannot turn off location tracking": the clause has no hit, so what is stopped runs to its end. Where
        # the practice is the choice itself, a denied opt-out denies the choice ("this does not opt you out of being
        # served ads"); a denied obstacle to it does not ("we will not prevent you from deleting your data").
        way_out = denies_a_way_out(sentence, neg.at + len(neg.word), len(sentence))
        if way_out is not None and not (practice in _CHOICES and way_out.startswith("opt")):
            return base, f"qualified: '{neg.word}' denies a way to stop it, not the practice"
        return ("concern" if base == "protective" else "protective"), f"negated by '{neg.word}'"
    if qualified is not None:
        return qualified
    return base, ""
