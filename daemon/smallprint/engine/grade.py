"""A deterministic A–E grade over the practices found.

Each practice counts once per polarity (its strongest clause), so repeating a clause does not move the grade:
a concern subtracts the practice's weight, a protective promise adds half of it, neutral clauses count zero.
Score = sum over practices; letter by fixed thresholds. The reasons list the clauses that moved the score.
"""
from __future__ import annotations

from collections.abc import Sequence

from .results import Grade, GradeReason, Highlight

# How much a concern about each practice costs the reader (privacy harm, roughly as ToS;DR weighs its cases).
WEIGHTS: dict[str, float] = {
    "ai_training": 3.0, "biometric": 3.0, "sale_of_data": 3.0, "sensitive_data": 2.5, "private_content": 2.5,
    "location": 2.0, "profiling": 2.0, "third_party_sharing": 2.0, "advertising": 1.5, "tracking": 1.5,
    "third_party_sources": 1.5, "government_access": 1.5, "retention": 1.5, "employment_education": 1.0,
    "children": 1.0, "policy_change": 1.0, "international_transfer": 1.0, "security": 1.5, "business_transfer": 0.5,
    "user_rights": 1.5, "user_choice": 1.5,
}
PROTECTIVE_FACTOR = 0.5
# (lowest score for the letter, letter), best first.
THRESHOLDS: tuple[tuple[float, str], ...] = ((1.0, "A"), (-2.0, "B"), (-6.0, "C"), (-11.0, "D"), (float("-inf"), "E"))

FORMULA = (
    "score = sum over practices of (+0.5 x weight if a protective clause is found) - (weight if a concern clause is "
    "found); each practice and polarity counts once; weights: "
    + ", ".join(f"{k} {v:g}" for k, v in sorted(WEIGHTS.items(), key=lambda kv: (-kv[1], kv[0])))
    + "; letter: A if score >= 1, B if >= -2, C if >= -6, D if >= -11, else E"
)


def letter_for(score: float) -> str:
    for floor, letter in THRESHOLDS:
        if score >= floor:
            return letter
    return "E"


def grade(highlights: Sequence[Highlight]) -> Grade:
    """Grade from highlights: the strongest clause per (practice, polarity) is the one that moves the score."""
    strongest: dict[tuple[str, str], int] = {}
    for i, h in enumerate(highlights):
        if h.polarity == "neutral":
            continue
        key = (h.practice, h.polarity)
        if key not in strongest or h.confidence > highlights[strongest[key]].confidence:
            strongest[key] = i
    reasons = []
    for (practice, polarity), index in sorted(strongest.items()):
        weight = WEIGHTS.get(practice, 1.0)
        points = -weight if polarity == "concern" else PROTECTIVE_FACTOR * weight
        reasons.append(GradeReason(practice, polarity, points, index))
    score = sum(r.points for r in reasons)
    reasons.sort(key=lambda r: (r.points, r.practice))  # the clauses that cost most first
    return Grade(letter_for(score), score, FORMULA, tuple(reasons))
