"""Why a clause is highlighted, in one sentence a non-expert reads.

`Highlight.explanation` is the explainer's record for researchers ("reader: tracking neutral, 82% sure; rules:
TrackingRecognizer/trackers: "advertising id"; context: collect, device (rules read concern)"): which reader fired,
how sure it was, which rule pattern matched which words. The views a reader sees (the extension's card, the HTML
report, the terminal) show this sentence instead; the JSON keeps both. Built from the explanation alone, whose
forms are fixed by the code that writes them (pipeline.explain, clauses.py, recognizers/base.py), so every
highlight ever stored gets one too.
"""
from __future__ import annotations

import re

from ..clip import clip_words

_CUE = re.compile(r'Recognizer/[\w-]+: "([^"]{1,200})"')
_NEGATION = re.compile(r"negated by '([^']{1,40})'")
_RULES_DISAGREE = re.compile(r"\(rules read (concern|protective|neutral)\)")
_SIDE = {"concern": "against you", "protective": "in your favour", "neutral": "informative"}
_CUE_CHARS = 80


def certainty(confidence: float) -> str:
    """How sure, in words: the numbers are calibrated only roughly, and a reader needs no more than this."""
    if confidence >= 0.85:
        return "very sure"
    if confidence >= 0.65:
        return "fairly sure"
    if confidence >= 0.45:
        return "not fully sure"
    return "unsure"


def _quoted(cue: str) -> str:
    return f"“{clip_words(' '.join(cue.split()), _CUE_CHARS)}”"


def plain_reason(explanation: str, practice: str, polarity: str, confidence: float) -> str:
    """One plain sentence for a highlight's explanation (see the module's docstring)."""
    from ..taxonomy import PRACTICE_BY_ID

    known = PRACTICE_BY_ID.get(practice)
    label = known.label if known else practice.replace("_", " ")
    if len(label) > 1 and label[1].islower():  # "Biometric data" -> "biometric data"; "AI training" stays
        label = label[0].lower() + label[1:]
    cue_match = _CUE.search(explanation)
    cue = _quoted(cue_match.group(1)) if cue_match else None
    negation = _NEGATION.search(explanation)
    side = _SIDE.get(polarity, polarity)
    if explanation.startswith("rules:"):
        return (f"It mentions {cue or label}: {label} is serious enough to show although smallprint's trained "
                "reader is unsure of it.")
    if explanation.startswith("reader:"):
        sure = certainty(confidence)
        if "with another polarity" in explanation:
            return (f"smallprint's trained reader reads this as about {label} ({sure}); the words "
                    f"{cue or 'it uses'} show it is {side}.")
        reason = f"smallprint's trained reader reads this as about {label}, {side} ({sure})"
        disagree = _RULES_DISAGREE.search(explanation)
        if cue and disagree:
            return f"{reason}; the words {cue} alone would suggest {_SIDE[disagree.group(1)]}."
        if cue:
            return f"{reason}; the words {cue} point the same way."
        return f"{reason}."
    if explanation.startswith("model:"):
        return f"Its wording is typical of clauses about {label} ({certainty(confidence)})."
    if cue:
        turned = f", with “{negation.group(1)}” turning it round" if negation else ""
        return f"It says {cue}{turned}: {label}, {side}."  # label may open the clause after the colon
    return f"smallprint's rules read this as about {label}, {side}."
