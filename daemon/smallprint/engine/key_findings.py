"""The few clauses that matter: a policy's key findings, most important first.

A reader wants the ten things to know, not 700 highlights. The key findings are built from the highlights in
three steps:
1. *Statements*: highlights with the same words (case, punctuation and numbering aside) and the same reading
   are one statement, however often a policy repeats it (a table row that says the same thing in every row,
   a summary that repeats the full text). Neutral readings are information, not findings: they are left out.
2. *One statement per practice and polarity*: the one the engine is surest of (then the most repeated, then the
   first), and only if it is sure enough (`MIN_CONFIDENCE`): a key finding should be right far more often than
   an ordinary highlight, and the surest statement of a practice is right far more often than the average one.
   Where the rules read the same practice and polarity as the learned reader, the two agreeing make it surer
   (`AGREEMENT_BONUS`), and a severe practice both read (`SEVERE`) is sure enough on that agreement alone: the
   reader is cautious about rare practices ("We may sell your personal information" at p=0.10), and the rules
   alone are not enough either ("You can turn face recognition off" is no biometric concern).
3. *Order*: concerns before promises; within each, rare and severe practices (AI training on your content,
   biometrics, sale, private messages) before common ones (`SEVERITY`); at most `MAX_KEY_FINDINGS`.

Every other highlight stays in the analysis ("show all"); a key finding lists the indices of its statement's
highlights, so a reader can go from it to each place the policy says it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..taxonomy import PRACTICE_IDS
from .linear import words_of_lowered
from .results import Highlight, KeyFinding
from .summaries import SALE_CHILDREN_ONLY, SALE_OPT_OUT, is_ai_opt_out, is_way_out

MAX_KEY_FINDINGS = 12
# A statement becomes a key finding only at this support or above. A highlight's confidence is the reader's second
# thoughts' calibrated chance of being right (arbiter.py). Chosen by scripts/train_arbiter.py on held-out readings
# (5 folds by service) of the 140 policies this project's readers labelled, as the cut-off (0.4-0.8) with the
# largest smallest margin above #12's floors (precision 0.90, concern coverage 0.80): 0.822 / 0.720 there. The 28
# shared careful-reader policies never choose it and are what is reported: 0.733 / 0.738 (at 0.4, the earlier
# cut-off: 0.733 / 0.748). Higher cut-offs trade coverage for precision; none reaches both floors. 0.4 is the lowest
# the search allows, to stay above reader.RULES_ONLY_CONFIDENCE: a severe practice shown on the rules' word alone is
# never led with.
MIN_CONFIDENCE = 0.45
# Chosen earlier on the reader's own out-of-fold readings of the 28 shared policies, among a few variants (README,
# "Key findings and the grade"): with both, precision 0.663 -> 0.680 and concern coverage 0.607 -> 0.662 there.
AGREEMENT_BONUS = 0.1
SEVERE = frozenset({"ai_training", "biometric", "sale_of_data", "private_content", "sensitive_data"})

# Most severe first. Concerns: what is hard to undo or to see (your content training AI, your face, a sale of your
# data, your private messages) before what nearly every policy says (sharing with service providers, cookies).
SEVERITY: dict[str, tuple[str, ...]] = {
    "concern": ("ai_training", "biometric", "sale_of_data", "private_content", "sensitive_data", "location",
                "third_party_sources", "profiling", "advertising", "tracking", "government_access",
                "third_party_sharing", "retention", "children", "employment_education", "user_choice",
                "user_rights", "security", "international_transfer", "business_transfer", "policy_change"),
    "protective": ("sale_of_data", "ai_training", "private_content", "advertising", "tracking", "biometric",
                   "sensitive_data", "third_party_sharing", "location", "profiling", "retention", "security",
                   "government_access", "user_choice", "user_rights", "children", "policy_change",
                   "international_transfer", "third_party_sources", "business_transfer", "employment_education"),
}
_POLARITY_ORDER = ("concern", "protective")  # the polarities that make findings
_RANKED_POLARITIES = ("concern", "protective", "neutral")

# Why a reader should care, one line per practice and polarity (the taxonomy says *what*; this says *why*).
_WHY_CONCERN: dict[str, str] = {
    "ai_training": "What trains an AI model cannot easily be taken back out of it.",
    "biometric": "Your face, voice or fingerprints cannot be changed if they leak.",
    "sale_of_data": "Data that is sold leaves the company's promises behind.",
    "private_content": "Private messages and files are meant for the people you send them to.",
    "sensitive_data": "Health, beliefs and orientation are the data most open to misuse.",
    "location": "Where you go shows where you live, work and pray.",
    "third_party_sources": "It learns about you from others, not only from what you give it.",
    "profiling": "A profile of you can decide what you see and what you are offered.",
    "advertising": "Your data is used to target you with advertising.",
    "tracking": "Your activity can be followed beyond this service.",
    "government_access": "Your data can reach governments or police.",
    "third_party_sharing": "Your data goes to other companies, under their own policies.",
    "retention": "Data kept longer can leak or be reused longer.",
    "children": "Children's data needs more care than adults'.",
    "employment_education": "Work and school history can follow you for years.",
    "user_choice": "You may not be able to say no.",
    "user_rights": "Your rights over your data are limited.",
    "security": "Your data's safety is not promised.",
    "international_transfer": "Other countries' laws may then apply to your data.",
    "business_transfer": "A new owner could use your data differently.",
    "policy_change": "The rules can change under you.",
}
# A promise is worth knowing because it can be held to. The line says why such a promise matters, not what this
# company promised: the summary says that, in the clause's own terms (summaries.py), and a protective reading is
# also a limit, a way out or a promise about children only ("Your data is not for sale" was shown beside "Promises
# not to sell children's personal data" and beside opt-outs).
_WHY_PROTECTIVE: dict[str, str] = {
    "ai_training": "What never trains an AI model never has to be taken back out of one.",
    "biometric": "Your face, voice and fingerprints cannot be changed if they leak; limits on them matter.",
    "sale_of_data": "Data that is not sold stays under the promises of the company you chose.",
    "private_content": "Private messages and files are meant for the people you send them to.",
    "sensitive_data": "Health, beliefs and orientation are the data most open to misuse; limits on them matter.",
    "advertising": "Limits on ads, or a way out of them, keep your data from being used to target you.",
    "tracking": "Limits on tracking, or a way to stop it, keep your activity from being followed.",
    "third_party_sharing": "The fewer companies hold your data, the fewer policies it depends on.",
    "location": "Where you go shows where you live, work and pray; limits on it matter.",
    "profiling": "Limits on profiling, or a right to object, keep a profile from deciding what you see.",
    "retention": "Data kept for less time has less time to leak or be reused.",
    "security": "Stated security measures are ones you can hold the company to if your data leaks.",
    "government_access": "Limits on requests from authorities keep your data from reaching them unchecked.",
    "user_choice": "A choice you can make is a limit on your data you set yourself.",
    "user_rights": "Rights over your data let you see, correct or remove what is held about you.",
    "children": "Children's data needs more care than adults'.",
    "policy_change": "Being told before the rules change lets you decide in time.",
    "international_transfer": "Protection when your data leaves your region keeps your rights with it.",
}


# Numbering, not numbers: a list item's or a table row's number ("3.", "(iv)", "| 2. |") makes no statement of its
# own, but "kept for 30 days" and "kept for 5 days" are two statements.
_LEADING_NUMBER = re.compile(r"^[\s|*#>•-]*(?:\(?(?:\d+(?:\.\d+)*|[ivx]+|[a-z])[.)]|\d+(?:\.\d+)+)\s")
_CELL_NUMBER = re.compile(r"(?<=\|)\s*\(?\d+(?:\.\d+)*[.)]?\s*(?=\|)")


def statement_key(text: str) -> str:
    """The words of a clause, lower-cased, without punctuation, numbering or spacing: equal for repeats."""
    lowered = _CELL_NUMBER.sub(" ", text.lower())
    return " ".join(words_of_lowered(_LEADING_NUMBER.sub(" ", lowered, count=1)))


def why_important(practice: str, polarity: str, summary: str = "") -> str:
    if summary == SALE_OPT_OUT:
        return "You can keep your data out of a sale: a choice worth making, not a promise that it is never sold."
    if is_ai_opt_out(summary):
        return ("You can keep your data out of AI training: a choice worth making, not a promise that it is never "
                "used to train.")
    if polarity == "protective":
        return _WHY_PROTECTIVE.get(practice, "A clause in your favour is one you can hold the company to.")
    return _WHY_CONCERN.get(practice, "It works against your privacy.")


def rank(practice: str | None, polarity: str | None) -> tuple[int, int]:
    """Sort key of a finding, and of anything else shown by importance (a diff's changes): concerns, then
    promises, then neutral readings; within each the more severe practice first (neutral ones in the taxonomy's
    order)."""
    order = SEVERITY.get(polarity or "", PRACTICE_IDS)
    return (_RANKED_POLARITIES.index(polarity) if polarity in _RANKED_POLARITIES else len(_RANKED_POLARITIES),
            order.index(practice) if practice in order else len(order))


def support(h: Highlight, min_confidence: float = MIN_CONFIDENCE) -> float:
    """How sure the engine is of a highlight as a key finding: its confidence, more where two readers agree."""
    if not h.rules_agree:
        return h.confidence
    boosted = min(0.999, h.confidence + AGREEMENT_BONUS)
    return max(boosted, min_confidence) if h.practice in SEVERE else boosted


def candidate_findings(highlights: Sequence[Highlight], min_confidence: float = MIN_CONFIDENCE
                       ) -> tuple[KeyFinding, ...]:
    """Every (practice, polarity) that has a sure enough statement, in order of importance (uncapped)."""
    statements: dict[tuple[str, str, str], list[int]] = {}
    keys: dict[str, str] = {}  # a sentence read as several practices is keyed once
    for i, h in enumerate(highlights):
        if h.polarity not in _POLARITY_ORDER:
            continue
        key = keys.get(h.text)
        if key is None:
            key = keys[h.text] = statement_key(h.text)
        if key:
            statements.setdefault((h.practice, h.polarity, key), []).append(i)
    best: dict[tuple[str, str], tuple[tuple, int, list[int]]] = {}
    for (practice, polarity, _), indices in statements.items():
        lead = max(indices, key=lambda i: (support(highlights[i], min_confidence), -i))  # the surest place
        confidence = support(highlights[lead], min_confidence)
        if confidence < min_confidence:
            continue
        # a promise not to sell (or train) leads over a way to opt out of a sale (or of AI training) or a promise
        # about children's data only, however sure: it says more (and grades so)
        lead_summary = highlights[lead].summary
        score = (lead_summary != SALE_CHILDREN_ONLY and not is_way_out(lead_summary), confidence, len(indices),
                 -indices[0])
        current = best.get((practice, polarity))
        if current is None or score > current[0]:
            best[(practice, polarity)] = (score, lead, indices)
    findings = []
    for (practice, polarity), (score, lead, indices) in best.items():
        cited = (lead, *(i for i in indices if i != lead))  # the surest place first: where "show me" goes
        summary = highlights[lead].summary
        findings.append(KeyFinding(practice, polarity, summary, cited, why_important(practice, polarity, summary),
                                   score[1]))
    findings.sort(key=lambda f: (*rank(f.practice, f.polarity), -f.confidence))
    return tuple(findings)
