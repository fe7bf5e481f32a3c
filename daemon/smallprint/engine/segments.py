"""OPP-115 top-level categories per block: which of the 10 research categories each block expresses.

A one-vs-rest logistic regression over the presence of word 1-2grams (models/segments.json.gz, see
MODEL_CARD_segments.md), with the previous block's words as context, trained on every labelled OPP-115 policy we
have (train and dev) with per-category cut-offs chosen on out-of-fold predictions (folds by policy). The card gives
the honest dev figure of the same recipe fitted on train alone.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from smallprint.taxonomy import OPP115_CATEGORIES

from .linear import LinearModel, load_named, sigmoid, tokenize
from .results import Block

MODEL_NAME = "segments"


def model() -> LinearModel:
    loaded = load_named(MODEL_NAME)
    if loaded.classes != OPP115_CATEGORIES:
        raise ValueError("the segments model does not match the OPP-115 categories of this version")
    return loaded


def block_logits(blocks: Sequence[Block]) -> tuple[tuple[float, ...], ...]:
    """Per block, the score (logit) of each category in OPP115_CATEGORIES order (() for a block with no word).

    The result for the last block sequence is kept, by identity: the page-kind detector and classify_blocks read
    the same blocks object in one analysis, so the blocks are scored once; the next analysis scores afresh.
    """
    global _last
    last = _last
    if last is not None and last[0] is blocks:
        return last[1]
    result = _logits(tuple(blocks))
    if isinstance(blocks, tuple):  # a list could change under the same identity
        _last = (blocks, result)
    return result


_last: tuple[object, tuple] | None = None  # (blocks object, its scores)


def block_probabilities(blocks: Sequence[Block]) -> list[list[float]]:
    return [[sigmoid(v) for v in scores] for scores in block_logits(blocks)]


def _logits(blocks: tuple[Block, ...]) -> tuple[tuple[float, ...], ...]:
    m = model()
    sums, factor, bias, n = m.sums, m.factor, m.bias, len(m.classes)
    context = m.columns > n  # the model also weighs the words of the previous block (as it was trained)
    previous = None
    out = []
    for block in blocks:
        tokens = tokenize(block.text)
        if not tokens:
            out.append(())
            continue
        weights, norm2, count = sums(tokens)
        f = factor(norm2, count)
        scores = [b + w * f for b, w in zip(bias, weights)]
        if previous is not None:
            scores = [s + p for s, p in zip(scores, previous)]
        if context:
            previous = [w * f for w in weights[n:]]
        out.append(tuple(scores))
    return tuple(out)


def classify_blocks(blocks: Sequence[Block]) -> tuple[tuple[str, ...], ...]:
    """Per block (same order), the OPP-115 categories it expresses; () for blocks with no word."""
    cuts = _cuts()
    return tuple(tuple(c for c, v, cut in zip(OPP115_CATEGORIES, scores, cuts) if v >= cut)
                 for scores in block_logits(blocks))


@lru_cache(maxsize=1)
def _cuts() -> tuple[float, ...]:
    return model().logit_thresholds
