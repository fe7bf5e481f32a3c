"""A deterministic A–E grade over a policy's findings, calibrated against human raters.

The grade reads the same findings a reader is shown first (key_findings.py): each practice counts at most once
per polarity, through its surest statement, and only if that statement is sure enough. So one doubtful clause,
or a clause repeated in every row of a table, cannot move it.

    score = sum of PROMISE_WEIGHTS over the practices it promises to protect
          - sum of CONCERN_WEIGHTS over the practices it states against the reader

The weights say how much a practice matters to a reader (AI training on your content, biometrics and sale cost
most; the promises worth most are the ones that rule those out). The letter thresholds are calibrated: on the
current real policies of the shared data (32 services, `policies/`, and 146 more, `policies-more/`), read at full
depth, the thresholds give the letters in the same shares as ToS;DR's human ratings of 47 services
(A 11%, B 21%, C 15%, D 23%, E 30%), so the letters spread the way human raters spread them.
`scripts/calibrate_grade.py` recomputes them and reports agreement with ToS;DR's ratings (README).

Only documents detected as policies get a letter (or any document the caller explicitly asks to grade): a
news article or an empty page has no privacy grade, and `withheld` says why.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..taxonomy import POLICY_KINDS
from .key_findings import MIN_CONFIDENCE
from .results import Grade, GradeReason, KeyFinding
from .summaries import SALE_CHILDREN_ONLY, is_way_out

CONCERN_WEIGHTS: dict[str, float] = {
    "ai_training": 3.0, "biometric": 3.0, "sale_of_data": 3.0, "private_content": 2.5, "sensitive_data": 2.5,
    "location": 2.0, "third_party_sources": 2.0, "profiling": 2.0, "advertising": 2.0, "tracking": 1.5,
    "third_party_sharing": 1.5, "government_access": 1.0, "retention": 1.0, "children": 1.0,
    "employment_education": 1.0, "user_choice": 1.0, "user_rights": 1.0, "security": 1.0,
    "international_transfer": 0.5, "business_transfer": 0.5, "policy_change": 0.5,
}
PROMISE_WEIGHTS: dict[str, float] = {
    "sale_of_data": 2.0, "ai_training": 2.0, "private_content": 2.0, "advertising": 1.5, "tracking": 1.5,
    "biometric": 1.5, "sensitive_data": 1.0, "third_party_sharing": 1.0, "location": 1.0, "profiling": 1.0,
    "retention": 1.0, "government_access": 1.0, "security": 0.5, "user_choice": 0.5, "user_rights": 0.5,
    "children": 0.5, "policy_change": 0.5, "international_transfer": 0.5, "third_party_sources": 0.5,
    "business_transfer": 0.5, "employment_education": 0.5,
}
# (lowest score for the letter, letter), best first: calibrated by scripts/calibrate_grade.py (see the docstring).
THRESHOLDS: tuple[tuple[float, str], ...] = ((3.0, "A"), (-2.0, "B"), (-4.5, "C"), (-8.0, "D"), (float("-inf"), "E"))
# The same calibration over the same 177 policies read at quick depth (`calibrate_grade.py --depth quick`): the
# rules alone state more against the reader than the learned reader does (every severe word is a finding), and with
# the full reading's thresholds 124 of the 177 got E and none an A, so the letter the extension paints first said
# little: 60 of the 177 fell two to four letters below the full reading's letter that replaced it. With these, 73 are
# the same letter and 151 within one (26 two or more off, 12 of them harsher); README "Key findings and the grade".
QUICK_THRESHOLDS: tuple[tuple[float, str], ...] = ((-4.0, "A"), (-8.5, "B"), (-11.5, "C"), (-15.0, "D"),
                                                   (float("-inf"), "E"))
THRESHOLDS_BY_DEPTH = {"full": THRESHOLDS, "quick": QUICK_THRESHOLDS}

# The last words of a page's `withheld` reason when it is no policy: each front end may say how to ask in its own
# terms (the command line names --as-policy).
ASK_TO_GRADE_ANYWAY = "Ask for an analysis as a policy to grade it anyway."


def _weights_text(weights: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])))


def _letters_text(thresholds) -> str:
    return ", ".join(f"{letter} if score >= {floor:g}" for floor, letter in thresholds[:-1]) + ", else E"


def formula(depth: str = "full") -> str:
    """The grade's formula in words, with the letter thresholds of the reading at `depth` (made once)."""
    return _FORMULAS[depth]


_FORMULA_HEAD = (
    "score = sum of promise weights over the practices the policy promises to protect - sum of concern weights "
    "over the practices it states against you; each practice counts once per polarity, through its surest "
    "statement (support >= " + f"{MIN_CONFIDENCE:g}" + "), as in the key findings; concern weights: " + _weights_text(CONCERN_WEIGHTS)
    + "; promise weights: " + _weights_text(PROMISE_WEIGHTS) + " (a way to opt out of a sale or of AI "
    "training, rather than a promise not to sell or train, weighs as a choice: "
    + f"{PROMISE_WEIGHTS['user_choice']:g}" + ", and a promise not to "
    "sell children's data as a children's promise: " + f"{PROMISE_WEIGHTS['children']:g}" + "); letter: "
)
_FORMULAS = {
    "full": _FORMULA_HEAD + _letters_text(THRESHOLDS),
    "quick": _FORMULA_HEAD + _letters_text(QUICK_THRESHOLDS) + " (the thresholds of the quick reading, calibrated on "
             "it: the full reading's are " + _letters_text(THRESHOLDS) + ")",
}
FORMULA = formula("full")


def letter_for(score: float, depth: str = "full") -> str:
    for floor, letter in THRESHOLDS_BY_DEPTH[depth]:
        if score >= floor:
            return letter
    return "E"


def points(finding: KeyFinding) -> float:
    if finding.polarity == "concern":
        return -CONCERN_WEIGHTS.get(finding.practice, 1.0)
    if is_way_out(finding.summary):
        # a way out of a sale or of AI training, not a promise not to sell or train: worth a choice
        return PROMISE_WEIGHTS["user_choice"]
    if finding.summary == SALE_CHILDREN_ONLY:  # a promise about children's data, not the reader's: a children's one
        return PROMISE_WEIGHTS["children"]
    return PROMISE_WEIGHTS.get(finding.practice, 0.5)


def grade_findings(findings: Sequence[KeyFinding], *, kind: str = "privacy_policy", readable: bool = True,
                   as_policy: bool = False, unread: str | None = None, depth: str = "full") -> Grade:
    """The grade over the findings (all of them, not only the first twelve shown). A letter only for a policy
    (or when `as_policy`), and only when there was something to read and it was read (`unread`: why the text was
    not read, e.g. a language the engine was not validated on; even `as_policy` gets no letter then, since no
    findings is not a clean record). `depth`: the reading the findings come from, whose thresholds give the letter."""
    stated = formula(depth)
    reasons = sorted((GradeReason(f.practice, f.polarity, points(f), f.highlights[0]) for f in findings),
                     key=lambda r: (r.points, r.practice))  # what cost most first
    score = sum(r.points for r in reasons)
    if not readable:
        return Grade(None, score, stated, tuple(reasons), "There is no text to read on this page.")
    if unread:
        return Grade(None, score, stated, tuple(reasons), unread)
    if kind not in POLICY_KINDS and not as_policy:
        return Grade(None, score, stated, tuple(reasons),
                     "This page does not look like a privacy policy, cookie policy or terms of service, so it has "
                     f"no grade. {ASK_TO_GRADE_ANYWAY}")
    return Grade(letter_for(score, depth), score, stated, tuple(reasons))
