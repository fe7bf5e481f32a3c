"""Reading clauses: sentences -> one cue pass -> recognizers on cued sentences -> arbitration -> polarity ->
highlights; and the trained practice model's say on the clauses the rules read weakly or not at all.

Speed comes from reading the text once: each sentence is tokenized once, its words are intersected with the
registry's cue index (a C-level set operation), and only the recognizers whose cues fired try their patterns,
each pattern gated by the words it needs, the first (most specific) match deciding.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..taxonomy import PRACTICE_IDS
from . import polarity as pol
from .recognizers import RecognizerResult, default_registry
from .recognizers._words import DOCUMENT_NAMES
from .fastregex import compile_pattern
from .linear import words_of_lowered
from .pointers import points_elsewhere
from .reader_input import MIN_WORDS
from .results import Block, Highlight
from .sentences import split_sentences
from .summaries import summarize

# Legal boilerplate that borrows practice words (liability for "unauthorized access", "as is" warranties):
# only a security concern may be read from such a sentence. (compile_pattern: the same regex, searched faster.)
_BOILERPLATE = compile_pattern(
    r"\barbitrat\w+|\bclass[- ]action|\bwarrant(?:y|ies)\b|[\"“']as[- ]is[\"”']|\bas[- ]is (?:and|basis)|\bindemnif\w+"
    r"|\bhold (?:\w+ )?harmless|\bgoverning law|\bexclusive jurisdiction|\blimitation of liability"
    r"|\bliable (?:to you )?for any (?:indirect|direct|incidental|consequential|special|damages)")
# One of these words must be in a sentence before the boilerplate regex is tried at all.
_BOILERPLATE_WORDS = frozenset({
    "arbitration", "arbitrate", "arbitrator", "arbitral", "arbitrators", "class", "warranty", "warranties", "as",
    "indemnify", "indemnification", "indemnity", "indemnified", "harmless", "governing", "exclusive", "limitation",
    "liable"})
# When a more specific practice explains a sentence, generic sharing on the same words is not repeated.
_SPECIFIC_OVER_SHARING = frozenset({"business_transfer", "third_party_sources"})
# Practices whose subject sits in another practice's sentence without being the point of it:
# (practice, the practices that take the sentence over, the patterns concerned or None for all).
_SUPPRESSIONS: tuple[tuple[str, frozenset[str], frozenset[str] | None], ...] = (
    ("third_party_sharing", _SPECIFIC_OVER_SHARING, None),
    # Analytics vendors behind cookies, and vendors abroad, are read as tracking and as transfers.
    ("third_party_sharing", frozenset({"tracking", "international_transfer"}), frozenset({"recipients_access", "uses_providers"})),
    # "advertising cookies", "opt out of marketing e-mails", "object to direct marketing": tracking, choice, rights.
    ("advertising", frozenset({"user_choice", "user_rights", "tracking"}), None),
    # "We may sell your data to data brokers": brokers as buyers, not as a source.
    ("third_party_sources", frozenset({"sale_of_data", "third_party_sharing"}), frozenset({"public_sources"})),
    # "We never sell or share your data for marketing purposes" is a promise about sale.
    ("advertising", frozenset({"sale_of_data"}), frozenset({"use_for_ads"})),
    # An IP address in a list of logged data is tracking; "depending on your location, data is transferred" a transfer.
    ("location", frozenset({"tracking"}), frozenset({"ip_address"})),
    ("location", frozenset({"international_transfer"}), None),
    # Browser settings that block cookies are about tracking.
    ("user_choice", frozenset({"tracking"}), frozenset({"settings", "you_may_choose"})),
    # E-mails with tracking pixels, and how long chats are kept, are tracking and retention.
    ("private_content", frozenset({"tracking", "retention"}), frozenset({"store_messages", "access_messages"})),
    # "If we learn we have collected a child's data, we delete it promptly": a promise about children's data.
    ("retention", frozenset({"children"}), frozenset({"prompt_deletion"})),
    # "If you do not agree to the changes, you may close your account"; "we may not be able to delete your data".
    ("user_rights", frozenset({"policy_change", "retention", "children", "security"}),
     frozenset({"delete_account", "request_change", "you_can"})),
)
_SUPPRESSIBLE: dict[str, list[tuple[frozenset[str], frozenset[str] | None]]] = {}
for _practice, _suppressors, _patterns in _SUPPRESSIONS:
    _SUPPRESSIBLE.setdefault(_practice, []).append((_suppressors, _patterns))
# A hit scoring below WEAK_HIT is dropped when another practice in the same sentence scores ARBITRATION_MARGIN more.
WEAK_HIT = 0.62
ARBITRATION_MARGIN = 0.15
# Model-suggested practices (clauses the rules missed) need at least this probability, and the model's own
# cross-validated cut-off for the practice.
MODEL_THRESHOLD = 0.35
# Practices for which the model's additions were wrong more often than right on services it had not seen
# (measured both ways across a split of the ToS;DR services): it must be surer to add one.
MODEL_THRESHOLD_FOR = {p: 0.45 for p in ("location", "retention", "third_party_sources", "security", "sale_of_data",
                                        "private_content")}
# Words the model's addition of a practice needs beyond its recognizer's cues: an IP address alone, in a list of
# logged data, is read as tracking by the rules, so the model may add a location only where the clause names a place.
MODEL_NEEDS = {"location": re.compile(r"locat|geo|gps|gnss|\bcity|\bcountry|\bregion|latitude|longitude|whereabouts"
                                      r"|coordinates|\bpostal|\bzip code"),
               # a change of what? "You can change your cookie settings at any time" changes no policy
               "policy_change": re.compile(DOCUMENT_NAMES + r"|\b(?:contract|document|rules|version|notif\w*|tou|discretion"
                                                          r"|bound by)\b|\bcontinu\w* (?:to )?use")}
MODEL_SURE = 0.9  # ... unless the model is this sure
# Rule readings scoring below this are weak: they stay only if the model, where there is one, shares them.
CONFIRM_BELOW = 0.72
# A weak rule reading stays only if the model gives its practice at least this probability (when a model is there).
MODEL_CONFIRMS = 0.15
# The lowest probability asked of the model (below it a practice counts as 0). No probability under MODEL_CONFIRMS
# changes a reading (MODEL_THRESHOLD is higher still), so the floor sits just under it, and the model rounds and
# sorts only the probabilities that can matter (it was 0.05: ~8 per clause, now ~2.5, the same highlights). Just
# under, not at it: probabilities are rounded to 4 places before they are compared, so 0.14996 counts as 0.15.
MODEL_FLOOR = MODEL_CONFIRMS - 1e-4


def _lower(text: str) -> str:
    """Lower-case without changing length, so offsets stay valid ('İ'.lower() has two code points)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def repetitive_filler(tokens: list[str]) -> bool:
    """A sentence of over 60 words of which fewer than one in five are distinct (a dump, generated padding, an attack
    on the patterns, one phrase repeated a megabyte long): it states no practice, and the rules do not read it."""
    return len(tokens) > 60 and len(set(tokens)) * 5 < len(tokens)


class _Finder:
    """Runs the registry over sentences; holds the pattern-order table once per process."""

    def __init__(self) -> None:
        self.registry = default_registry()

    def sentence_hits(self, low: str, tokens: list[str] | None = None
                      ) -> tuple[dict[str, RecognizerResult], frozenset[str]]:
        """The practices a lower-cased sentence states (best hit each), and the practices whose cue words occur.
        `tokens`: the sentence's words (words_of_lowered), where the caller has them already."""
        if tokens is None:
            tokens = words_of_lowered(low)
        if repetitive_filler(tokens):
            return {}, frozenset()
        words = set(tokens)
        recognizers, cued = self.registry.cued(words)
        if not recognizers:
            return {}, frozenset()
        best: dict[str, tuple[int, RecognizerResult]] = {}
        for rec in recognizers:
            for r in rec.analyze(low, words):
                rank = rec.pattern_rank[r.pattern]
                if r.practice not in best or rank < best[r.practice][0]:
                    best[r.practice] = (rank, r)
        hits = {practice: r for practice, (_, r) in best.items()}
        if not _BOILERPLATE_WORDS.isdisjoint(words) and _BOILERPLATE.search(low):
            # boilerplate: no reading but a security concern, and nothing for the model to add
            return {p: r for p, r in hits.items() if p == "security" and r.polarity != "protective"}, frozenset()
        if len(hits) > 1:
            hits = _arbitrate(hits)
        if len(hits) > 1:
            # Decided against the readings as found, all at once: deleting as we go made the outcome depend on the
            # order the recognizers were registered in (a reading removed first could no longer remove another).
            read = frozenset(hits)
            hits = {practice: hit for practice, hit in hits.items()
                    if not any(not suppressors.isdisjoint(read) and (patterns is None or hit.pattern in patterns)
                               for suppressors, patterns in _SUPPRESSIBLE.get(practice, ()))}
        return hits, cued


def _arbitrate(hits: dict[str, RecognizerResult]) -> dict[str, RecognizerResult]:
    """A weak, generic reading of a sentence ("... advertisers ..." in a sentence about cookies) gives way to a
    clearly stronger one; readings of similar strength all stay (a clause can state several practices)."""
    top = max(r.score for r in hits.values())
    return {p: r for p, r in hits.items() if r.score >= WEAK_HIT or top - r.score < ARBITRATION_MARGIN}


_FINDER: _Finder | None = None


def _finder() -> _Finder:
    global _FINDER
    if _FINDER is None:
        _FINDER = _Finder()
    return _FINDER


def read_clause(sentence: str) -> dict[str, tuple[str, str]]:
    """Rules only, one clause: {practice: (polarity, explanation)}. For tests and for explaining one sentence."""
    low = _lower(sentence)
    hits, _ = _finder().sentence_hits(low)
    out = {}
    for practice, r in hits.items():
        polarity, reason = pol.decide(practice, low, r.start, r.end, r.polarity, r.negated_polarity, r.pattern)
        out[practice] = (polarity, r.explanation + (f"; {reason}" if reason else ""))
    return out


def _model():
    """B's sentence-level practice classifier, when it is there (the engine works without it)."""
    try:
        from .practice_model import predict_practices
    except ImportError:
        return None
    return predict_practices


HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_RANK = {practice: i for i, practice in enumerate(PRACTICE_IDS)}


def _practice_rank(item: tuple[str, RecognizerResult]) -> int:
    return _RANK[item[0]]


@dataclass(frozen=True, slots=True)
class RulesReading:
    """What the quick reading found, and how many characters of text it passed over as repetitive filler
    (`repetitive_filler`): the analysis says so, since none of that text was read."""
    highlights: tuple[Highlight, ...]
    filler_chars: int


# A sentence of fewer than reader_input.MIN_WORDS words is a contents entry or a label ("Location information.",
# "Sale of data"), which the full depth does not read either, unless it has a subject or a verb that states
# something: "We sell data.", "Data is sold.", "You can't opt out." are read.
_STATES_SOMETHING = re.compile(r"^\W*(?:we|you|they|i|it)\b|\b(?:is|are|was|were|be|been|will|may|might|can|could"
                               r"|shall|should|would|must|do|does|did)\b|n[’']t\b", re.IGNORECASE)


def find_highlights(blocks: Sequence[Block], use_model: bool = True) -> tuple[Highlight, ...]:
    """Rules on every sentence; then the model, where there is one, on the clauses the rules read weakly or not
    at all: it confirms or drops weak readings, and adds readings the rules missed."""
    return read_with_rules(blocks, use_model).highlights


def read_with_rules(blocks: Sequence[Block], use_model: bool = True) -> RulesReading:
    """find_highlights, with the characters of the sentences it passed over as repetitive filler."""
    finder = _finder()
    filler_chars = 0
    readings: list[tuple[Block, int, int, str, dict[str, RecognizerResult], frozenset[str]]] = []
    memo: dict[str, tuple[dict[str, RecognizerResult], frozenset[str], list[str]]] = {}
    # Distinct clauses to ask the model about, in order, with their words when the model may reuse them: an ASCII
    # clause, lower-cased, is split into the same words as the model's own tokenizer would split it.
    to_model: dict[str, list[str] | None] = {}
    for block in blocks:
        if block.tag in HEADING_TAGS:
            continue  # "How we share your information" names a section; the clauses under it state the practice
        text = block.text
        for span in split_sentences(text):
            if points_elsewhere(text[span.start:span.end]):
                continue  # "Learn more about ...": it points to where the policy says it (pointers.py)
            if text[span.start:span.end].rstrip().endswith("?"):
                # a question states nothing ("Does Bolt transfer your personal data to other countries?", "How long
                # is your data kept?"): it asks what the sentences after it answer, and led key findings. The
                # project's careful readers labelled 2 of 579 questions in 155 policies.
                continue
            low = _lower(text[span.start:span.end])
            seen = memo.get(low)
            if seen is None:  # policies repeat lines ("How we may use it: ..."); read each distinct one once
                tokens = words_of_lowered(low)
                seen = memo[low] = (*finder.sentence_hits(low, tokens), tokens)
            hits, cued, tokens = seen
            if not hits and not cued and repetitive_filler(tokens):
                filler_chars += span.end - span.start
            if (hits or cued) and (len(tokens) >= MIN_WORDS or _STATES_SOMETHING.search(low)):
                # a short "Location information." (a contents entry) is not read (see _STATES_SOMETHING); its
                # words are the ones counted for the memo, so no sentence is scanned twice on this hot path
                if use_model and cued and span.end - span.start >= 25 \
                        and (not hits or any(r.score < CONFIRM_BELOW for r in hits.values())):
                    to_model[low] = tokens if low.isascii() else None
                readings.append((block, span.start, span.end, low, hits, cued))
    model_view = _predict(list(to_model), list(to_model.values())) if to_model else {}
    highlights: list[Highlight] = []
    read: dict[tuple[str, str], tuple[str, str, float, str]] = {}  # (clause, practice) -> its reading, built once
    for block, start, end, low, hits, cued in readings:
        sentence = block.text[start:end]
        probs = model_view.get(low)
        kept = 0
        # in taxonomy order (a sentence has one reading, rarely more: nothing to sort then)
        for practice, r in (sorted(hits.items(), key=_practice_rank) if len(hits) > 1 else hits.items()):
            if probs is not None and r.score < CONFIRM_BELOW and probs.get(practice, 0.0) < MODEL_CONFIRMS:
                continue  # a weak reading the model does not share
            kept += 1
            key = (low, practice)
            reading = read.get(key)
            if reading is None:
                polarity, reason = pol.decide(practice, low, r.start, r.end, r.polarity, r.negated_polarity, r.pattern)
                explanation = r.explanation + (f"; {reason}" if reason else "")
                if probs is not None and r.score < CONFIRM_BELOW:
                    explanation += f"; model agrees p={probs[practice]:.2f}"
                confidence = min(0.99, r.score + pol.confidence_shift(practice, polarity, reason))
                reading = read[key] = (polarity, summarize(practice, polarity, sentence), confidence, explanation)
            polarity, summary, confidence, explanation = reading
            highlights.append(Highlight(block.id, start, end, sentence, practice, polarity, summary, confidence,
                                        explanation))
        if probs and not kept:  # the rules read nothing here, or nothing the model shares (and the model some)
            highlights.extend(_model_highlights(block, start, end, low, probs, cued))
    return RulesReading(tuple(highlights), filler_chars)


def _predict(lows: list[str], tokens: list[list[str] | None] | None = None) -> dict[str, dict[str, float]]:
    """Model probabilities per lower-cased clause ({practice: p} for p >= a low floor); empty without a model.
    `tokens`: per clause, its words as the model's tokenizer gives them, or None to have them found."""
    predict = _model()
    if predict is None:
        return {}
    try:
        predictions = predict(lows, threshold=MODEL_FLOOR, tokens=tokens)
    except Exception:  # a missing or broken model file must not take the rules down with it
        return {}
    return {low: dict(candidates) for low, candidates in zip(lows, predictions)}


@lru_cache(maxsize=1)
def _model_cutoffs() -> dict[str, float]:
    """The model's own per-practice cut-offs (chosen by cross-validation over services), where it states them."""
    try:
        from .practice_model import model
        m = model()
        return dict(zip(m.classes, m.thresholds))
    except Exception:  # an older or missing model: the engine's own threshold alone applies
        return {}


def _model_highlights(block: Block, start: int, end: int, low: str, probs: dict[str, float],
                      cued: frozenset[str]) -> list[Highlight]:
    # Every practice needs at least MODEL_THRESHOLD and a cue word: most clauses the model is asked about (~4 in 5)
    # give it no such practice, and are answered here without sorting or reading the cut-offs.
    if not any(prob >= MODEL_THRESHOLD and practice in cued for practice, prob in probs.items()):
        return []
    out = []
    cutoffs = _model_cutoffs()
    for practice, prob in sorted(probs.items(), key=lambda kv: -kv[1]):
        # The model may only name a practice whose cue words occur in the clause: it decides between
        # readings the words allow, it does not invent a subject the clause never mentions.
        if prob < max(MODEL_THRESHOLD, MODEL_THRESHOLD_FOR.get(practice, 0.0), cutoffs.get(practice, 0.0)) \
                or practice not in cued:
            continue
        if practice in MODEL_NEEDS and prob < MODEL_SURE and not MODEL_NEEDS[practice].search(low):
            continue
        polarity, reason = _model_clause_polarity(practice, low)
        sentence = block.text[start:end]
        explanation = f"model: practice classifier p={prob:.2f}" + (f"; {reason}" if reason else "")
        out.append(Highlight(block.id, start, end, sentence, practice, polarity,
                             summarize(practice, polarity, sentence), float(prob) * 0.8, explanation))
    return out


def _model_clause_polarity(practice: str, low: str) -> tuple[str, str]:
    """Polarity of a clause the model assigned to `practice`: read by that practice's own patterns with their
    gates lifted when one matches ("will make an announcement in advance"), otherwise by negation and defaults."""
    recognizer = _finder().registry.by_practice.get(practice)
    if recognizer is not None:
        hits = recognizer.analyze(low, set(words_of_lowered(low)), relaxed=True)
        if hits:
            r = min(hits, key=lambda h: recognizer.pattern_rank[h.pattern])
            polarity, reason = pol.decide(practice, low, r.start, r.end, r.polarity, r.negated_polarity, r.pattern)
            return polarity, f"polarity read by {r.pattern}" + (f", {reason}" if reason else "")
    return pol.model_polarity(practice, low)
