"""Sentences that only point elsewhere get no highlight, at either depth.

The labelling guide (rule 2) gives no label to "navigation and pointers ('see Section 4', 'learn more in our Cookie
Policy')": such a sentence tells the reader where to read, not what is done with their data, and whatever it points
to is highlighted where the policy says it. The reader learnt this from the labels only in part: "Learn more about
how end-to-end encryption works." was shown as a security promise (85% sure), "Learn more about our verification
feature and how we process your face data." as a biometric concern, "See Section 12 below, 'Right to contest ...'"
as a profiling promise.

A pointer here is a sentence that *begins* as one ("Learn more", "For more information", "See our ...", "Please refer
to the ...", "Click here") and says nothing a reader could act on or rely on besides: a sentence that also names a
choice, a right, a request, a setting or a change ("To learn more, or to switch this off, please visit our Cookie
notice", "Please review this notice periodically", "For more information, please contact your local data protection
authority") keeps its readings, as does a long one (over MAX_WORDS words), which can state a practice on the way
("See the section below for more information on certain third parties who may also collect similar information when
you visit ...").

Chosen on the project's own labelled policies (scripts/reader_labels and scripts/arbiter_labels, 140 policies; never
on ../shared/data/policy-sentences, which measures the engine): careful readers labelled 3 of the 566 sentences it
matches (0.5%), and of the 24,438 full-depth highlights of those policies it removes 28, one of them right by the
labels. English only, as the readings are.
"""
from __future__ import annotations

import re

__all__ = ["MAX_WORDS", "points_elsewhere"]

# Longer sentences can state a practice after the pointer; they are left to the reader.
MAX_WORDS = 30

_POINTER = re.compile(
    r"^[\W_]{0,8}(?:"
    r"(?:(?:to|you\s+can|you\s+may|please)\s+)?(?:learn|find\s+out|read|see|discover)\s+more\b"
    r"|(?:for|to\s+(?:get|obtain|find|receive))\s+(?:more|further|additional|detailed)\s+(?:information|info|details)\b"
    r"|(?:more|further|additional)\s+(?:information|details)\s+(?:about|on|regarding|can|is|are|may)\b"
    r"|(?:please\s+)?(?:see|refer\s+to|visit|check\s+out|consult|read)\s+(?:our|the|section|this|these|that|their|its)\b"
    r"|(?:please\s+)?click\s+here\b"
    r")", re.IGNORECASE)

# What makes a sentence more than a pointer: something the reader can do or ask for, or a change to the policy.
_MORE_THAN_A_POINTER = re.compile(
    r"\b(?:opt(?:\s|-)?(?:out|in)s?|unsubscribe|delet\w*|withdraw\w*|object\w*|request\w*|exercis\w*|disabl\w*"
    r"|(?:turn|switch)\w*\s+(?:\w+\s+)?(?:off|on)|limit\w*|manag\w*|chang\w*|control\w*|adjust\w*|contact\s+us"
    r"|choices?|settings?|preferences?|access\w*|cop(?:y|ies)|periodically|from\s+time\s+to\s+time"
    r"|authorit(?:y|ies)|complain\w*)\b", re.IGNORECASE)


def points_elsewhere(sentence: str) -> bool:
    """Whether `sentence` only points elsewhere (see the module's docstring): it then gets no highlight."""
    return (_POINTER.search(sentence) is not None and len(sentence.split()) <= MAX_WORDS
            and _MORE_THAN_A_POINTER.search(sentence) is None)
