"""A tiny pure-Python runtime for the engine's linear text classifiers.

The model files (engine/models/*.json.gz) are written by scripts/train_models.py with scikit-learn; here they
are only read, with the standard library, so the default engine needs no numpy and no scikit-learn.

Features are word unigrams and bigrams of the `\\w+` tokens of the lower-cased text, counted (or, for a model whose
file says `"tf": "binary"`, present or not), weighted by idf and normalised by sqrt(sum over occurrences of idf^2)
(the L2 norm when no feature repeats, so always for binary models; otherwise, unlike it, a sum over occurrences).
Every quantity a score needs is therefore a plain sum over the text's features, which allows the trick that makes this
fast: each vocabulary feature maps to ONE Python integer in which the feature's quantised weights for every class, its
idf^2 and a count of 1 sit side by side in 32-bit fields. Scoring a text is then two C-level `sum(map(dict.get, ...))`
passes (unigrams, then bigram tuples: no strings are built) and one unpack of the total; no per-token Python code
runs. Each field holds an unsigned 16-bit value (weights are stored with an offset), so 65,535 features can be summed
before a field could overflow; longer texts are summed in chunks.
"""
from __future__ import annotations

import base64
import gzip
import json
import math
import re
import sys
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, repeat
from operator import add, mul, sub
from pathlib import Path

FORMAT = "smallprint-linear/2"
MODELS_DIR = Path(__file__).resolve().parent / "models"
TOKEN = re.compile(r"\w+")
OFFSET = 32768  # stored weight = round(weight / weight_scale) + OFFSET, in 0..65535
FIELD_BYTES = 4
CHUNK = 30_000  # tokens summed at once: 2 * CHUNK features * 65535 stays below 2**32


# For ASCII text, `\\w` is [A-Za-z0-9_]: every other byte becomes a space and str.split does the rest, in C,
# about 2.5x faster than the regex, which is tried at every character. Other text takes the regex.
_ASCII_WORD_BYTES = bytes(c if chr(c).isalnum() or c == ord("_") else 0x20 for c in range(128)) + b" " * 128


def tokenize(text: str) -> list[str]:
    """The tokens every model was trained on: `\\w+` runs of the lower-cased text."""
    return words_of_lowered(text.lower())


# Typographic punctuation, the usual reason an English policy's text is not ASCII (in the shared policies a
# third of the text is in blocks that hold one, almost always a curly quote or a bullet). None is a word character,
# so turned into spaces they leave the words as they were, and the text may take the ASCII path.
_COMMON_NON_WORD = tuple(c for c in "\u2019\u201c\u201d\u2018\u25cf\u2013\u2014\u2022\u00a0\u00b7\u2026\u00ae\u00a9\u2122\u00a7"
                         if not (c.isalnum() or c == "_"))


def words_of_lowered(lowered: str) -> list[str]:
    """`re.findall(r"\\w+", lowered)`, faster for ASCII text (the recognizers' word gate uses it too)."""
    if not lowered.isascii():
        for c in _COMMON_NON_WORD:  # a few C-level scans, where the regex would be tried at every character
            if c in lowered:
                lowered = lowered.replace(c, " ")
        if not lowered.isascii():
            return TOKEN.findall(lowered)
    return lowered.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()


@dataclass(frozen=True, slots=True)
class LinearModel:
    """One linear classifier: `packed` maps a feature (str, or a (str, str) bigram) to its packed fields.

    Fields, low bits first: one quantised weight per output, then idf^2, then the constant 1 (the count).
    """
    name: str
    classes: tuple[str, ...]
    columns: int  # weight fields per feature: one per class, or more (segments: + context weights)
    packed: dict
    weight_scale: float
    norm_scale: float
    bias: tuple[float, ...]
    thresholds: tuple[float, ...]
    kind: str  # "ovr" (independent sigmoids) or "multinomial" (softmax)
    extra: dict
    binary: bool = False  # features counted once however often they occur (term presence, not frequency)

    @property
    def outputs(self) -> int:
        return len(self.classes)

    def factor(self, norm2: int, count: int) -> float:
        """What turns summed quantised weights into logit contributions: the scale over the text's norm."""
        if not count or not norm2:
            return 0.0
        return self.weight_scale / math.sqrt(norm2 * self.norm_scale)

    def sums(self, tokens: list[str]) -> tuple[list[int], int, int]:
        """(per-column quantised weight sums, idf^2 sum, number of features found) over the text's features."""
        get = self.packed.get
        width = self.columns + 2
        # Features outside the vocabulary are dropped (filter(None, ...): get gives None) rather than summed as 0:
        # adding 0 to a many-field integer still builds a new one, and most bigrams, and many words of a clause,
        # are not in a vocabulary.
        if self.binary:  # each distinct feature once (sets are built in C); fewer than 65,536 features in the
            # vocabulary (checked at load) means no field can overflow, however long the text
            total = (sum(filter(None, map(get, set(tokens))))
                     + sum(filter(None, map(get, set(zip(tokens, islice(tokens, 1, None)))))))
            fields = _unpack(total, width)
        elif len(tokens) <= CHUNK:
            total = (sum(filter(None, map(get, tokens)))
                     + sum(filter(None, map(get, zip(tokens, islice(tokens, 1, None))))))
            fields = _unpack(total, width)
        else:  # sum each chunk apart so that no 32-bit field can overflow into the next
            fields = [0] * width
            for start in range(0, len(tokens), CHUNK):
                part = tokens[start:start + CHUNK + 1]  # one token of overlap for the bigram across the cut
                total = (sum(filter(None, map(get, part[:CHUNK])))
                         + sum(filter(None, map(get, zip(part, islice(part, 1, None))))))
                fields = [a + b for a, b in zip(fields, _unpack(total, width))]
        count = fields[-1]
        return list(map(sub, fields[:-2], repeat(count * OFFSET))), fields[-2], count

    def logits(self, tokens: list[str]) -> list[float]:
        """Per class, the text's score on its own (context columns, if any, are left out)."""
        weights, norm2, count = self.sums(tokens)
        return list(map(add, self.bias, map(mul, weights, repeat(self.factor(norm2, count)))))

    @property
    def logit_thresholds(self) -> tuple[float, ...]:
        """The per-class cut-offs as logits, so that callers compare scores without a sigmoid per class."""
        return tuple(logit(t) for t in self.thresholds)

    def probabilities(self, tokens: list[str]) -> list[float]:
        logits = self.logits(tokens)
        if self.kind == "multinomial":
            top = max(logits)
            exps = [math.exp(v - top) for v in logits]
            total = sum(exps)
            return [e / total for e in exps]
        return [sigmoid(v) for v in logits]


def _unpack(total: int, width: int):
    fields = array("I")
    fields.frombytes(total.to_bytes(width * FIELD_BYTES, "little"))
    if sys.byteorder != "little":
        fields.byteswap()
    return fields


def logit(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log(probability / (1 - probability))


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    e = math.exp(value)
    return e / (1.0 + e)


def load(path: Path) -> LinearModel:
    """Read a model file written by scripts/train_models.py; a clear ValueError if it is not one."""
    try:
        data = json.loads(gzip.decompress(Path(path).read_bytes()))
    except (OSError, EOFError, ValueError) as exc:
        raise ValueError(f"cannot read model file {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} model file")
    try:
        classes = tuple(data["classes"])
        columns = int(data.get("columns", len(classes)))
        width = columns + 2
        features = data["vocab"].split("\n")
        narrow = base64.b64decode(data["fields"])  # uint16 little-endian, row after row
        if len(narrow) != 2 * width * len(features):
            raise ValueError("vocabulary and weights disagree")
        # Widen every 16-bit value to a 32-bit field (two zero bytes after it) with C-level slice copies.
        wide = bytearray(2 * len(narrow))
        wide[0::4] = narrow[0::2]
        wide[1::4] = narrow[1::2]
        step = width * FIELD_BYTES
        rows = map(wide.__getitem__, map(slice, range(0, len(wide), step), range(step, len(wide) + step, step)))
        keys = [f if " " not in f else tuple(f.split(" ")) for f in features]
        packed = dict(zip(keys, map(int.from_bytes, rows, repeat("little"))))
        model = LinearModel(
            name=str(data["name"]), classes=classes, columns=columns, packed=packed, weight_scale=float(data["weight_scale"]),
            norm_scale=float(data["norm_scale"]), bias=tuple(float(b) for b in data["bias"]),
            thresholds=tuple(float(t) for t in data.get("thresholds") or ()), kind=data.get("kind", "ovr"),
            extra=dict(data.get("extra") or {}), binary=data.get("tf", "count") == "binary")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: malformed model file ({exc})") from exc
    if model.binary and len(packed) > 65535:
        raise ValueError(f"{path}: malformed model file (a binary model holds at most 65,535 features)")
    if len(model.bias) != len(classes) or columns < len(classes):
        raise ValueError(f"{path}: malformed model file (one bias and at least one weight per class expected)")
    return model


@lru_cache(maxsize=None)
def load_named(name: str) -> LinearModel:
    """The shipped model `name` (engine/models/<name>.json.gz), loaded once per process."""
    return load(MODELS_DIR / f"{name}.json.gz")


def encode_uint16(values) -> str:
    """uint16 little-endian, base64: the field encoding of the model files (used by the trainer)."""
    packed = array("H", values)
    if sys.byteorder != "little":  # pragma: no cover
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")
