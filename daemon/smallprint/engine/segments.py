"""OPP-115 top-level categories per block: which of the 10 research categories each block expresses.

A one-vs-rest logistic regression over the presence of word 1-2grams (models/segments.json.gz, see
MODEL_CARD_segments.md), with the previous block's words as context, trained on every labelled OPP-115 policy we
have (train and dev) with per-category cut-offs chosen on out-of-fold predictions (folds by policy). The card gives
the honest dev figure of the same recipe fitted on train alone.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import repeat
from operator import add, mul
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
    """Per block, the score (logit) of each category in OPP115_CATEGORIES order (() for a block with no word)."""
    scorer = _scorer(blocks)
    return tuple(scorer.logits(i) for i in range(len(scorer.blocks)))


def block_logits_at(blocks: Sequence[Block], indices: Sequence[int]) -> dict[int, tuple[float, ...]]:
    """The scores of the blocks at `indices` only (as block_logits gives them): the page-kind detector reads the
    first 150 long blocks, and a block's score needs only its own words and the previous block's, so the blocks
    between (short ones, and everything after the last one read) are never scored (~40% fewer on a policy)."""
    scorer = _scorer(blocks)
    return {i: scorer.logits(i) for i in indices}


class _Scorer:
    """One block sequence's scores, each block's words summed once, when a score first needs them.

    A block's score is its own (bias + its words' weights) plus, where the model has context columns (as it was
    trained), the context weights of the nearest block before it that has a word. Kept for the last block
    sequence, by identity: the page-kind detector and classify_blocks read the same blocks object in one analysis,
    so each block is scored once; the next analysis scores afresh."""

    def __init__(self, blocks: tuple[Block, ...]) -> None:
        m = model()
        self.blocks = blocks
        self._sums, self._factor, self._bias, self._n = m.sums, m.factor, m.bias, len(m.classes)
        self._context = m.columns > self._n
        self._parts: list = [_UNSCORED] * len(blocks)
        self._logits: list = [_UNSCORED] * len(blocks)

    def _part(self, i: int):
        """(own scores, context weights or None) of block i; None for a block with no word."""
        part = self._parts[i]
        if part is _UNSCORED:
            tokens = tokenize(self.blocks[i].text)
            if tokens:
                weights, norm2, count = self._sums(tokens)
                f = self._factor(norm2, count)
                # bias + w * f per class, and w * f per context column: the same float operations, in C (map)
                part = (list(map(add, self._bias, map(mul, weights, repeat(f)))),
                        list(map(mul, weights[self._n:], repeat(f))) if self._context else None)
            else:
                part = None
            self._parts[i] = part
        return part

    def logits(self, i: int) -> tuple[float, ...]:
        found = self._logits[i]
        if found is not _UNSCORED:
            return found
        own = self._part(i)
        if own is None:
            found = ()
        else:
            found = tuple(own[0])
            if self._context:
                for j in range(i - 1, -1, -1):  # the nearest block before with a word gives the context
                    previous = self._part(j)
                    if previous is not None:
                        found = tuple(map(add, own[0], previous[1]))
                        break
        self._logits[i] = found
        return found


_UNSCORED = object()
_last: _Scorer | None = None


def _scorer(blocks: Sequence[Block]) -> _Scorer:
    global _last
    last = _last
    if last is not None and last.blocks is blocks:
        return last
    scorer = _Scorer(tuple(blocks))
    if isinstance(blocks, tuple):  # a list could change under the same identity
        scorer.blocks = blocks
        _last = scorer
    return scorer


def block_probabilities(blocks: Sequence[Block]) -> list[list[float]]:
    return [[sigmoid(v) for v in scores] for scores in block_logits(blocks)]


def classify_blocks(blocks: Sequence[Block]) -> tuple[tuple[str, ...], ...]:
    """Per block (same order), the OPP-115 categories it expresses; () for blocks with no word."""
    cuts = _cuts()
    return tuple(tuple(c for c, v, cut in zip(OPP115_CATEGORIES, scores, cuts) if v >= cut)
                 for scores in block_logits(blocks))


@lru_cache(maxsize=1)
def _cuts() -> tuple[float, ...]:
    return model().logit_thresholds
