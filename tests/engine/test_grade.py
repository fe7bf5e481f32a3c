"""The grade: a deterministic formula over the findings, with thresholds calibrated against human raters."""
from __future__ import annotations

import json

import pytest

from smallprint.engine import analyze
from smallprint.engine.grade import (CONCERN_WEIGHTS, FORMULA, PROMISE_WEIGHTS, QUICK_THRESHOLDS, THRESHOLDS, formula,
                                    grade_findings, letter_for)
from smallprint.engine.key_findings import candidate_findings
from smallprint.engine.results import Highlight


def grade(highlights, **kwargs):
    """The grade as the engine forms it: over the findings of the highlights."""
    return grade_findings(candidate_findings(highlights), **kwargs)


def hl(practice, polarity, confidence=0.8, text=None):
    return Highlight("b0", 0, 1, text or f"{practice} {polarity} {confidence}", practice, polarity, "s",
                     confidence, "e")


@pytest.mark.parametrize("score, letter", [(5, "A"), (3, "A"), (2.5, "B"), (2, "B"), (0, "B"), (-2, "B"), (-2.5, "C"), (-3, "C"),
                                           (-4.5, "C"), (-5, "D"), (-8, "D"), (-8.5, "E")])
def test_letters(score, letter):
    assert letter_for(score) == letter


def test_thresholds_are_best_first_and_stated_in_the_formula():
    floors = [floor for floor, _ in THRESHOLDS]
    assert floors == sorted(floors, reverse=True) and [L for _, L in THRESHOLDS] == list("ABCDE")
    assert f"A if score >= {THRESHOLDS[0][0]:g}" in FORMULA and "ai_training 3" in FORMULA


@pytest.mark.parametrize("score, letter", [(-4, "A"), (-4.5, "B"), (-8.5, "B"), (-9, "C"), (-11.5, "C"), (-12, "D"),
                                           (-15, "D"), (-15.5, "E")])
def test_the_quick_reading_has_thresholds_of_its_own(score, letter):
    """The rules alone state more against the reader than the learned reader: with the full reading's thresholds 125
    of 177 real policies read at quick depth got E, a first paint that fell two to four letters short of the grade
    that replaced it. Calibrated the same way on the same policies (scripts/calibrate_grade.py --depth quick)."""
    assert letter_for(score, "quick") == letter
    floors = [floor for floor, _ in QUICK_THRESHOLDS]
    assert floors == sorted(floors, reverse=True) and [L for _, L in QUICK_THRESHOLDS] == list("ABCDE")
    assert "A if score >= -4," in formula("quick") and "A if score >= 3," in FORMULA == formula("full")


def test_a_grade_is_given_by_the_thresholds_of_the_reading_that_answered(tmp_path, monkeypatch):
    text = ("# Privacy Policy\n\nWe may sell your personal information to data brokers. We use your posts to train "
            "our artificial intelligence models. We collect your fingerprints and face geometry.\n")
    quick = analyze(text=text, depth="quick", as_policy=True)
    assert quick.grade.formula == formula("quick")
    assert quick.grade.letter == letter_for(quick.grade.score, "quick")
    from smallprint.engine import reader

    monkeypatch.setattr(reader, "_MODEL", None)  # loaded afresh (and restored after the test) from no model at all
    monkeypatch.setenv("SMALLPRINT_READER_DIR", str(tmp_path / "no-reader"))  # full asked, quick answered
    fallback = analyze(text=text, depth="full", as_policy=True)
    assert fallback.depth == "quick" and fallback.grade.formula == formula("quick")


def test_nothing_found_in_a_policy_is_b():
    g = grade(())
    assert (g.letter, g.score, g.reasons, g.withheld) == ("B", 0.0, (), None)


def test_each_practice_counts_once_per_polarity():
    g = grade([hl("sale_of_data", "protective"), hl("sale_of_data", "protective", 0.9), hl("user_rights", "protective")])
    assert g.score == pytest.approx(PROMISE_WEIGHTS["sale_of_data"] + PROMISE_WEIGHTS["user_rights"])


@pytest.mark.parametrize("practice, way_out, promise, promise_summary", [
    ("sale_of_data", "You can opt out of the sale of your data.", "We do not sell your personal information.",
     "Promises not to sell your personal data"),
    # "Once you opt out, new conversations will not be used to train our models" was worth a promise not to train
    # (2): on a page whose training is on until the reader acts, that nearly cancelled the training concern
    ("ai_training", "Once you opt out, new conversations will not be used to train our models.",
     "We do not use your content to train our models.", "Says it does not use your content to train AI models"),
])
def test_a_way_out_weighs_as_a_choice_not_as_a_promise(practice, way_out, promise, promise_summary):
    from smallprint.engine.summaries import summarize

    opt_out = Highlight("b0", 0, 1, way_out, practice, "protective", summarize(practice, "protective", way_out), 0.8,
                        "e")
    (finding,) = candidate_findings([opt_out])
    assert "not a promise" in finding.why_important
    assert grade_findings([finding]).score == pytest.approx(PROMISE_WEIGHTS["user_choice"])
    assert "opt out of a sale or of AI training" in FORMULA
    # beside a promise, the promise leads and grades as one, though the way out is the surer clause
    said = Highlight("b1", 0, 1, promise, practice, "protective", promise_summary, 0.7, "e")
    (finding,) = candidate_findings([opt_out, said])
    assert finding.summary == promise_summary and finding.confidence == 0.7
    assert grade_findings([finding]).score == pytest.approx(PROMISE_WEIGHTS[practice])


def test_a_doubtful_clause_does_not_move_the_grade():
    assert grade([hl("ai_training", "concern", 0.3)]).score == 0
    assert grade([hl("ai_training", "concern", 0.7)]).score == -CONCERN_WEIGHTS["ai_training"]


def test_neutral_clauses_count_nothing_and_reasons_name_the_surest_clause():
    highlights = [hl("ai_training", "concern", 0.6), hl("ai_training", "concern", 0.9), hl("tracking", "neutral"),
                  hl("biometric", "concern"), hl("sale_of_data", "concern"), hl("location", "concern")]
    g = grade(highlights)
    assert g.score == pytest.approx(-(3 + 3 + 3 + 2))
    assert g.letter == "E"
    assert {r.practice for r in g.reasons} == {"ai_training", "biometric", "sale_of_data", "location"}
    assert next(r for r in g.reasons if r.practice == "ai_training").highlight == 1
    assert g.reasons[0].points <= g.reasons[-1].points


def test_deterministic():
    highlights = [hl("tracking", "concern"), hl("user_choice", "protective")]
    assert grade(highlights) == grade(list(highlights)) and grade(highlights).formula == FORMULA


def test_only_policies_get_a_letter_unless_asked():
    g = grade([hl("tracking", "concern")], kind="other")
    assert g.letter is None and "does not look like a privacy policy" in g.withheld
    assert grade([hl("tracking", "concern")], kind="other", as_policy=True).letter == "B"


def test_an_empty_page_and_a_news_page_get_no_letter():
    assert analyze(text="", depth="quick").grade.letter is None
    news = analyze(text="The city council met on Tuesday to discuss the new bus lanes. The mayor said the plan "
                        "would be voted on next month, after a public consultation.", depth="quick")
    assert news.kind == "other" and news.grade.letter is None and news.grade.withheld
    assert analyze(text=news.blocks[0].text, depth="quick", as_policy=True).grade.letter is not None


# Pinned grades of real current policies at full depth (scripts/calibrate_grade.py reports them with ToS;DR's
# ratings: DuckDuckGo A, Facebook E, Signal B, Wikipedia B; smallprint gives Signal B, a score of 2.5 that was an A
# until the fourteenth session's recalibration set A's floor to 3, and Facebook D, one point above E, since the
# eighth session's second thoughts).
@pytest.mark.parametrize("service, letter", [("duckduckgo", "A"), ("facebook", "D"), ("signal", "B"),
                                             ("wikipedia", "B"), ("instagram", "E")])
def test_real_policies_keep_their_calibrated_grades(shared_data, service, letter):
    index = [json.loads(line) for line in (shared_data / "policies" / "index.jsonl").read_text().splitlines()]
    latest = max((r for r in index if r["file"].startswith(f"{service}/")), key=lambda r: r["version_date"])
    analysis = analyze(text=(shared_data / "policies" / latest["file"]).read_text(encoding="utf-8"))
    assert analysis.kind == "privacy_policy"
    assert analysis.grade.letter == letter, analysis.grade.to_dict()


# ... and at quick depth, with its own thresholds (ToS;DR: DuckDuckGo A, Facebook E, Apple D).
@pytest.mark.parametrize("service, letter", [("duckduckgo", "A"), ("facebook", "E"), ("apple", "B")])
def test_real_policies_keep_their_calibrated_quick_grades(shared_data, service, letter):
    index = [json.loads(line) for line in (shared_data / "policies" / "index.jsonl").read_text().splitlines()]
    latest = max((r for r in index if r["file"].startswith(f"{service}/")), key=lambda r: r["version_date"])
    analysis = analyze(text=(shared_data / "policies" / latest["file"]).read_text(encoding="utf-8"), depth="quick")
    assert analysis.kind == "privacy_policy"
    assert analysis.grade.letter == letter, analysis.grade.to_dict()


def test_a_policy_in_a_language_it_did_not_read_gets_no_letter_even_when_asked():
    """No highlights on a page in an unvalidated language is not a clean record: a German policy that sells data
    must not show a B, detected as a policy or analysed as one (the popup's "Analyse this page")."""
    german = ("Datenschutzerklärung. Wir verkaufen Ihre personenbezogenen Daten an Datenhändler. Wir verwenden Ihre "
              "Beiträge, um unsere Modelle der künstlichen Intelligenz zu trainieren. Wir erfassen biometrische "
              "Daten wie Ihre Gesichtsgeometrie. Sie können der Verarbeitung jederzeit widersprechen.")
    for as_policy in (False, True):
        analysis = analyze(text=german, depth="quick", url="https://example.de/privacy-policy",
                           title="Privacy Policy", as_policy=as_policy)
        assert analysis.language == "de" and analysis.highlights == ()
        assert analysis.grade.letter is None, analysis.grade
        assert "language" in analysis.grade.withheld and "(de)" in analysis.grade.withheld


def test_a_promise_not_to_sell_childrens_data_weighs_as_a_childrens_promise():
    """"We do not sell the personal information of consumers under 16" promises nothing about the reader's own data:
    it is summarised so (summaries.SALE_CHILDREN_ONLY) and weighs as a promise about children, not as one not to
    sell (it weighed 2, as much as "we never sell your data")."""
    from smallprint.engine.summaries import summarize

    text = "We do not sell the personal information of consumers under 16 years of age."
    summary = summarize("sale_of_data", "protective", text)
    assert summary == "Promises not to sell children's personal data"
    children_only = Highlight("b0", 0, 1, text, "sale_of_data", "protective", summary, 0.9, "e")
    (finding,) = candidate_findings([children_only])
    assert grade_findings([finding]).score == pytest.approx(PROMISE_WEIGHTS["children"])
    assert "children's data as a children's promise" in FORMULA
    # beside a promise about everyone's data, that one leads and grades as such, though less sure
    promise = Highlight("b1", 0, 1, "We do not sell your personal information.", "sale_of_data", "protective",
                        "Promises not to sell your personal data", 0.6, "e")
    (finding,) = candidate_findings([children_only, promise])
    assert finding.summary == "Promises not to sell your personal data"
    assert grade_findings([finding]).score == pytest.approx(PROMISE_WEIGHTS["sale_of_data"])
