"""The deterministic A–E grade: concerns cost their weight once, protective promises earn half of it."""
from __future__ import annotations

import pytest

from smallprint.engine.grade import FORMULA, WEIGHTS, grade, letter_for
from smallprint.engine.results import Highlight


def hl(practice, polarity, confidence=0.8, block="b0"):
    return Highlight(block, 0, 1, "x", practice, polarity, "s", confidence, "e")


@pytest.mark.parametrize("score, letter", [(5, "A"), (1, "A"), (0, "B"), (-2, "B"), (-3, "C"), (-6, "C"), (-7, "D"),
                                           (-11, "D"), (-12, "E")])
def test_letters(score, letter):
    assert letter_for(score) == letter


def test_nothing_found_is_b():
    g = grade(())
    assert (g.letter, g.score, g.reasons) == ("B", 0.0, ())


def test_repeats_count_once_and_protective_counts_for_the_reader():
    g = grade([hl("sale_of_data", "protective"), hl("sale_of_data", "protective"), hl("user_rights", "protective")])
    assert g.score == pytest.approx(0.5 * (WEIGHTS["sale_of_data"] + WEIGHTS["user_rights"]))
    assert g.letter == "A"


def test_concerns_cost_and_reasons_name_the_clauses():
    highlights = [hl("ai_training", "concern", 0.6), hl("ai_training", "concern", 0.9), hl("tracking", "neutral"),
                  hl("biometric", "concern"), hl("sale_of_data", "concern"), hl("location", "concern")]
    g = grade(highlights)
    assert g.score == pytest.approx(-(3 + 3 + 3 + 2))
    assert g.letter == "D"
    assert {r.practice for r in g.reasons} == {"ai_training", "biometric", "sale_of_data", "location"}
    ai = next(r for r in g.reasons if r.practice == "ai_training")
    assert ai.highlight == 1  # the strongest clause of the practice
    assert g.reasons[0].points <= g.reasons[-1].points


def test_deterministic_and_formula_stated():
    highlights = [hl("tracking", "concern"), hl("user_choice", "protective")]
    assert grade(highlights) == grade(list(highlights))
    assert "score" in FORMULA and "A if" in FORMULA and grade(highlights).formula == FORMULA
