"""A tiny pure-Python runtime for the engine's linear text classifiers.

The model files (engine/models/*.json.gz) are written by scripts/train_models.py with scikit-learn; here they
are only read, with the standard library, so the default engine needs no numpy and no scikit-learn.

Features are word unigrams and bigrams of `\\w+` tokens of the lower-cased text, present/absent (binary tf),
weighted by idf and L2-normalised over the model's vocabulary: exactly what the trainer fits. The idf is folded
into the stored weights, so scoring a text is: look every unigram and bigram up in one dict (bigrams are tuple
keys, so no strings are built), sum the weight rows of the distinct hits, divide by the norm. All of it runs in
C-level `map`/`zip`/`sum` calls rather than per-token Python code, which is what keeps the engine fast.
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
from itertools import islice
from pathlib import Path

FORMAT = "smallprint-linear/1"
MODELS_DIR = Path(__file__).resolve().parent / "models"
TOKEN = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """The tokens every model was trained on: `\\w+` runs of the lower-cased text."""
    return TOKEN.findall(text.lower())


def _floats(encoded: str) -> array:
    values = array("f")
    values.frombytes(base64.b64decode(encoded))
    if sys.byteorder != "little":  # the files are little-endian everywhere
        values.byteswap()
    return values


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Weights of one linear classifier over a shared vocabulary.

    `rows[i]` holds the weight (already multiplied by idf) of vocabulary feature i for every output, `norm2[i]`
    its squared idf (for the L2 norm). Row 0 is a zero row that unknown features could point at.
    `outputs` is `len(classes)` for a one-vs-rest or multinomial model; models with context weights store
    more columns per row (see segments.py), which callers slice.
    """
    name: str
    classes: tuple[str, ...]
    vocab: dict
    rows: tuple[tuple[float, ...], ...]
    norm2: array
    bias: tuple[float, ...]
    thresholds: tuple[float, ...]
    outputs: int
    kind: str  # "ovr" (independent sigmoids) or "multinomial" (softmax)
    extra: dict

    # -- features -------------------------------------------------------------------------------------------
    def feature_ids(self, tokens: list[str]) -> set[int]:
        """Distinct vocabulary rows present in a token list (unigrams and bigrams)."""
        get = self.vocab.get
        ids = set(map(get, tokens))
        ids.update(map(get, zip(tokens, islice(tokens, 1, None))))
        ids.discard(None)
        return ids

    def raw_scores(self, ids: set[int]) -> list[float]:
        """Un-normalised sums of the weight rows of `ids` (one value per output column), and no bias."""
        if not ids:
            return [0.0] * self.outputs
        return [sum(col) for col in zip(*map(self.rows.__getitem__, ids))]

    def norm(self, ids: set[int]) -> float:
        return math.sqrt(sum(map(self.norm2.__getitem__, ids))) if ids else 1.0

    def decision(self, ids: set[int]) -> list[float]:
        """Linear scores (logits) of one text given its feature ids."""
        raw = self.raw_scores(ids)
        inv = 1.0 / self.norm(ids)
        return [b + s * inv for b, s in zip(self.bias, raw)]

    def probabilities(self, tokens: list[str]) -> list[float]:
        return self.to_probabilities(self.decision(self.feature_ids(tokens)))

    def to_probabilities(self, logits: list[float]) -> list[float]:
        if self.kind == "multinomial":
            top = max(logits)
            exps = [math.exp(v - top) for v in logits]
            total = sum(exps)
            return [e / total for e in exps]
        return [sigmoid(v) for v in logits]


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
    if data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} model file")
    outputs = int(data["outputs"])
    vocab: dict = {}
    for row, feature in enumerate(data["vocab"].split("\n"), start=1):
        parts = feature.split(" ")
        vocab[parts[0] if len(parts) == 1 else tuple(parts)] = row
    flat = _floats(data["weights"])
    zero = (0.0,) * outputs
    rows = (zero,) + tuple(zip(*[iter(flat)] * outputs))
    norm2 = array("d", [0.0])
    norm2.extend(_floats(data["norm2"]).tolist())
    if len(rows) != len(vocab) + 1 or len(norm2) != len(rows):
        raise ValueError(f"{path}: vocabulary and weights disagree")
    return LinearModel(
        name=data["name"], classes=tuple(data["classes"]), vocab=vocab, rows=rows, norm2=norm2,
        bias=tuple(data["bias"]), thresholds=tuple(data.get("thresholds") or ()), outputs=outputs,
        kind=data.get("kind", "ovr"), extra=data.get("extra", {}),
    )


@lru_cache(maxsize=None)
def load_named(name: str) -> LinearModel:
    """The shipped model `name` (engine/models/<name>.json.gz), loaded once per process."""
    return load(MODELS_DIR / f"{name}.json.gz")


def encode_floats(values) -> str:
    """float32 little-endian, base64: the weight encoding of the model files (used by the trainer)."""
    packed = array("f", values)
    if packed.itemsize != 4:  # pragma: no cover - every supported platform has 4-byte floats
        raise ValueError("float32 arrays are required")
    if sys.byteorder != "little":  # pragma: no cover
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")
