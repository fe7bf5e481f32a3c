"""OPP-115 top-level categories per block: which of the 10 research categories each block expresses.

A one-vs-rest logistic regression over word 1-2grams (models/segments.json.gz, see MODEL_CARD_segments.md),
trained on the OPP-115 train policies with per-category cut-offs chosen by cross-validation on those same
train policies, so the dev policies stay an honest check.
"""
from __future__ import annotations

from typing import Sequence

from smallprint.taxonomy import OPP115_CATEGORIES

from .linear import LinearModel, load_named, tokenize
from .results import Block

MODEL_NAME = "segments"


def model() -> LinearModel:
    loaded = load_named(MODEL_NAME)
    if loaded.classes != OPP115_CATEGORIES:
        raise ValueError("the segments model does not match the OPP-115 categories of this version")
    return loaded


def block_probabilities(blocks: Sequence[Block]) -> list[list[float]]:
    """Per block, the probability of each category in OPP115_CATEGORIES order."""
    m = model()
    out = []
    for block in blocks:
        out.append(m.probabilities(tokenize(block.text)))
    return out


def classify_blocks(blocks: Sequence[Block]) -> tuple[tuple[str, ...], ...]:
    """Per block (same order), the OPP-115 categories it expresses; () for blocks with no word."""
    m = model()
    cuts = m.thresholds
    labels = []
    for block in blocks:
        tokens = tokenize(block.text)
        if not tokens:
            labels.append(())
            continue
        probs = m.probabilities(tokens)
        labels.append(tuple(c for c, p, cut in zip(OPP115_CATEGORIES, probs, cuts) if p >= cut))
    return tuple(labels)
