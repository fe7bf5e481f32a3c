"""A trained second opinion on which practice a sentence states, for clauses the recognizers miss.

One-vs-rest logistic regression over word 1-2grams (models/practices.json.gz, see MODEL_CARD_practices.md),
trained on ToS;DR points (CC BY-SA 3.0) mapped to the smallprint taxonomy. Per-practice cut-offs were chosen
by cross-validation with folds by service, so they reflect services the model has not seen.
It says *which* practice, never the polarity: negation and scope are the recognizers' job.
"""
from __future__ import annotations

from itertools import repeat
from operator import ge
from typing import Sequence

from smallprint.taxonomy import PRACTICE_IDS

from .linear import LinearModel, load_named, logit, sigmoid, tokenize

MODEL_NAME = "practices"


def model() -> LinearModel:
    loaded = load_named(MODEL_NAME)
    unknown = set(loaded.classes) - set(PRACTICE_IDS)
    if unknown:
        raise ValueError(f"the practices model knows practices this version does not: {sorted(unknown)}")
    return loaded


def predict_practices(sentences: Sequence[str], threshold: float | None = None,
                      tokens: Sequence[list[str] | None] | None = None) -> list[list[tuple[str, float]]]:
    """Per sentence, (practice id, probability) pairs above the cut-off, most probable first.

    The cut-off is each practice's cross-validated one unless `threshold` overrides it for all practices.
    `tokens`, where given: per sentence, its tokens (linear.tokenize) if the caller has them already, else None.
    """
    m = model()
    # Compared as logits: a sigmoid is computed only for the few practices that pass.
    cuts = m.logit_thresholds if threshold is None else (logit(threshold),) * len(m.classes)
    logits, classes = m.logits, m.classes
    results = []
    for sentence, words in zip(sentences, tokens if tokens is not None else repeat(None)):
        words = tokenize(sentence) if words is None else words
        if not words:
            results.append([])
            continue
        scores = logits(words)
        passed = list(map(ge, scores, cuts))
        if True not in passed:  # the common case, decided without a Python loop over the practices
            results.append([])
            continue
        found = [(c, round(sigmoid(v), 4)) for c, v, ok in zip(classes, scores, passed) if ok]
        if len(found) > 1:
            found.sort(key=lambda item: -item[1])
        results.append(found)
    return results
