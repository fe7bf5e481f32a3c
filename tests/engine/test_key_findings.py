"""Key findings: one per practice and polarity (its surest statement, repeats merged), concerns first, severe practices
first, at most twelve."""
from __future__ import annotations

from smallprint.engine import analyze
from smallprint.engine.key_findings import (AGREEMENT_BONUS, MAX_KEY_FINDINGS, MIN_CONFIDENCE, candidate_findings,
                                            rank, statement_key)
from smallprint.engine.reader import RULES_ONLY_CONFIDENCE
from smallprint.engine.results import Highlight
from smallprint.taxonomy import PRACTICE_IDS


def key_findings(highlights):
    """What the analysis shows (pipeline.py): the first twelve findings."""
    return candidate_findings(highlights)[:MAX_KEY_FINDINGS]


def hl(practice, polarity, text, confidence=0.8):
    return Highlight("b0", 0, len(text), text, practice, polarity, f"summary of {practice}", confidence, "e")


def test_repeats_and_table_rows_are_one_statement():
    assert statement_key("We share it with Advertisers.") == statement_key("we share it with advertisers")
    rows = [hl("third_party_sharing", "concern", "| 3. | We share it with advertisers |") for _ in range(7)]
    found = key_findings(rows)
    assert len(found) == 1 and sorted(found[0].highlights) == list(range(7))


def test_concerns_first_then_severity():
    highlights = [hl("user_rights", "protective", "You can delete your data."),
                  hl("tracking", "concern", "We use cookies to track you across sites."),
                  hl("ai_training", "concern", "We train our AI models on your posts."),
                  hl("sale_of_data", "protective", "We do not sell your data."),
                  hl("advertising", "neutral", "We show ads.")]
    order = [(f.practice, f.polarity) for f in key_findings(highlights)]
    assert order == [("ai_training", "concern"), ("tracking", "concern"), ("sale_of_data", "protective"),
                     ("user_rights", "protective")]
    assert all(f.why_important for f in key_findings(highlights))


def test_surest_statement_leads_and_doubtful_ones_are_left_out():
    highlights = [hl("location", "concern", "We may know roughly where you are.", 0.55),
                  hl("location", "concern", "We collect your precise GPS location.", 0.95),
                  hl("biometric", "concern", "You can turn face recognition off.", 0.2)]
    found = key_findings(highlights)
    assert [(f.practice, f.highlights) for f in found] == [("location", (1,))]


def test_never_more_than_twelve():
    highlights = [hl(p, pol, f"{p} {pol} clause") for p in PRACTICE_IDS for pol in ("concern", "protective")]
    assert len(candidate_findings(highlights)) == 2 * len(PRACTICE_IDS)
    assert len(key_findings(highlights)) == MAX_KEY_FINDINGS


def test_analysis_leads_with_key_findings_and_keeps_every_highlight():
    text = ("# Privacy Policy\n\nWe use the content you post to train our artificial intelligence models.\n\n"
            "We do not sell your personal information.\n\n" + "We use cookies to show you personalised ads.\n\n" * 3)
    analysis = analyze(text=text, depth="quick")
    out = analysis.to_dict()
    assert 1 <= len(out["key_findings"]) <= MAX_KEY_FINDINGS
    assert set(out["key_findings"][0]) == {"practice", "polarity", "summary", "highlights", "why_important",
                                           "confidence"}
    cited = {i for k in out["key_findings"] for i in k["highlights"]}
    assert cited <= set(range(len(out["highlights"])))
    assert out["key_findings"][0]["polarity"] == "concern"


def test_two_readers_agreeing_make_a_surer_key_finding():
    def agreed(practice, polarity, text, confidence):
        return Highlight("b0", 0, len(text), text, practice, polarity, "s", confidence, "e", rules_agree=True)

    # The reader is cautious about a sale; with the rules reading it too, a severe practice is led with.
    sale = agreed("sale_of_data", "concern", "We may sell your personal information.", 0.1)
    assert [(f.practice, f.polarity) for f in key_findings([sale])] == [("sale_of_data", "concern")]
    # A common practice needs more than agreement: the bonus lifts a near miss over the cut-off, not a long shot.
    near_miss = MIN_CONFIDENCE - AGREEMENT_BONUS / 2
    assert key_findings([agreed("tracking", "concern", "We use cookies.", near_miss)])
    assert not key_findings([hl("tracking", "concern", "We use cookies.", near_miss)])
    assert not key_findings([agreed("tracking", "concern", "We use cookies.", 0.2)])
    # The rules alone (a severe practice the reader does not show) never make a key finding.
    assert RULES_ONLY_CONFIDENCE < MIN_CONFIDENCE
    assert not key_findings([hl("biometric", "concern", "You can turn face recognition off.", RULES_ONLY_CONFIDENCE)])


def test_one_order_of_importance_for_findings_and_changes():
    assert rank("ai_training", "concern") < rank("tracking", "concern") < rank("sale_of_data", "protective")
    assert rank("sale_of_data", "protective") < rank("ai_training", "neutral") < rank(None, None)


def test_numbering_is_not_a_statement_but_numbers_are():
    """A list item's or table row's number does not make a statement of its own; "kept for 30 days" and "kept for
    5 days" are two statements, not one said twice."""
    assert statement_key("| 3. | We share it with advertisers |") == statement_key("| 4. | We share it with advertisers |")
    assert statement_key("3. We share it.") == statement_key("(iv) We share it.") == statement_key("1.2 We share it.")
    assert statement_key("We keep your search history for 30 days.") != \
        statement_key("We keep your search history for 5 days.")


def test_why_a_promise_matters_claims_nothing_the_clause_does_not_say():
    """The why-line of a protective finding says why such a clause matters, never what this company promised: the
    summary does that in the clause's terms. "Your data is not for sale" was shown beside a promise about children's
    data only, and "Your data is deleted within a stated time" beside clauses that state no time."""
    from smallprint.engine.key_findings import why_important
    from smallprint.taxonomy import PRACTICE_IDS

    for practice in PRACTICE_IDS:
        why = why_important(practice, "protective", "Promises not to sell children's personal data")
        assert why
        for claim in ("is not for sale", "deleted within a stated time", "is not collected", "are left alone",
                      "stay out of its AI models", "stay private", "is not followed", "You will be told"):
            assert claim not in why, (practice, why)
