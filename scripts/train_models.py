#!/usr/bin/env python3
"""Rebuild every trained model of the engine from ../shared/data, deterministically.

    .venv/bin/python scripts/train_models.py [--data ../shared/data] [--out daemon/smallprint/engine/models]
                                            [--only segments,practices,kind,reader] [--report]

The learned reader (`--only reader`, not in the default set: six fine-tunes, the five fold models and the final one,
each about an hour on this machine's 2 cores in float32 and about 45 minutes with the bfloat16 autocast that
`train_reader.py fit` uses on CPUs that compute it natively, as this machine's; about ten minutes on a GPU) is
rebuilt by scripts/train_reader.py (prepare, fit (seeded), export to int8 ONNX), scripts/train_arbiter.py (its
second thoughts, from the fold models' out-of-fold readings: about 10 minutes on 2 cores) and
scripts/train_opp_blend.py (its OPP-115 categories blended with the segments model's: about 5 minutes); see
MODEL_CARD_reader.md.

Needs the `train` extra (scikit-learn, numpy); the engine itself never imports them. Inputs are read in a fixed
order, every estimator is deterministic (lbfgs, fixed folds), weights are stored as float32 and the gzip header
carries no timestamp, so two runs write byte-identical files. The model cards (MODEL_CARD_*.md) are written by
hand; `--report` prints the cross-validated figures they quote.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from smallprint.engine.linear import FORMAT, OFFSET, encode_uint16  # noqa: E402
from smallprint.taxonomy import OPP115_CATEGORIES, PRACTICE_IDS  # noqa: E402

TOKEN_PATTERN = r"\w+"  # must match smallprint.engine.linear.TOKEN
MARKUP = re.compile(r"<[^>\n]{0,300}>")


# -- shared helpers -----------------------------------------------------------------------------------------

def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class AdditiveTfidf:
    """Counted word 1-2grams x idf, divided by sqrt(sum over occurrences of idf^2): what LinearModel computes.

    (sklearn's L2 norm is not a sum over occurrences, which the packed run-time scoring needs.) With binary=True
    each feature counts once, present or not, and the divisor is the plain L2 norm (a model file says "tf": "binary").
    """

    def __init__(self, vocabulary=None, min_df=2, binary=False):
        self.binary = binary
        self.counts = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True, ngram_range=(1, 2), min_df=min_df,
                                      vocabulary=vocabulary, dtype=np.float64, binary=binary)
        self.idf_ = None

    def fit_transform(self, texts):
        counts = self.counts.fit_transform(texts)
        n = counts.shape[0]
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        self.idf_ = np.log((1 + n) / (1 + df)) + 1.0  # sklearn's smooth idf
        return self._weigh(counts)

    def transform(self, texts):
        return self._weigh(self.counts.transform(texts))

    def _weigh(self, counts):
        norm = np.sqrt(np.asarray(counts @ (self.idf_ ** 2)).ravel())
        norm[norm == 0] = 1.0
        return (sparse.diags(1.0 / norm) @ counts @ sparse.diags(self.idf_)).tocsr()

    def get_feature_names_out(self):
        return self.counts.get_feature_names_out()


def vectorizer(vocabulary=None, min_df=2, binary=False) -> AdditiveTfidf:
    return AdditiveTfidf(vocabulary=vocabulary, min_df=min_df, binary=binary)


def fit_binary(x, y, c: float, balanced: bool) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=5000, solver="lbfgs", class_weight="balanced" if balanced else None)
    model.fit(x, y)
    return model


def best_threshold(y: np.ndarray, p: np.ndarray, lo=0.1, hi=0.9) -> float:
    """The probability cut that maximises F1 on out-of-fold predictions (ties: the cut nearest 0.5)."""
    best, best_f1 = 0.5, -1.0
    for cut in sorted(np.round(np.arange(lo, hi + 1e-9, 0.02), 2), key=lambda t: abs(t - 0.5)):
        pred = p >= cut
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(cut), f1
    return best


def select_features(vec: AdditiveTfidf, weights: np.ndarray, keep: int) -> list[str]:
    """The `keep` features with the largest weight (any class), sorted: the shipped vocabulary."""
    names = vec.get_feature_names_out()
    strength = np.abs(weights).max(axis=0) * vec.idf_
    order = np.argsort(-strength, kind="stable")[:keep]
    return sorted(str(names[i]) for i in order)


def model_document(name: str, classes, vec: AdditiveTfidf, coef: np.ndarray, bias, thresholds, kind="ovr",
                   extra=None) -> dict:
    """coef: outputs x features (in vec's feature order). The idf is folded into the stored weights, which are
    quantised to 16 bits (with OFFSET) next to the quantised idf^2 and a count of 1 (see engine/linear.py)."""
    names = [str(n) for n in vec.get_feature_names_out()]
    order = sorted(range(len(names)), key=names.__getitem__)
    idf = vec.idf_[order]
    weights = (coef[:, order] * idf).T  # features x outputs
    weight_scale = float(np.float32(np.abs(weights).max() / (OFFSET - 1)))
    norm_scale = float(np.float32((idf ** 2).max() / 65535))
    columns = weights.shape[1]  # len(classes), or more (context weights) for models that use them
    fields = np.zeros((len(order), columns + 2), dtype=np.int64)
    fields[:, :columns] = np.rint(weights / weight_scale).astype(np.int64) + OFFSET
    fields[:, columns] = np.maximum(1, np.rint(idf ** 2 / norm_scale)).astype(np.int64)
    fields[:, columns + 1] = 1
    return {
        "format": FORMAT, "name": name, "kind": kind, "classes": list(classes), "columns": int(columns),
        "tf": "binary" if vec.binary else "count",
        "vocab": "\n".join(names[i] for i in order),
        "fields": encode_uint16(fields.ravel().tolist()),
        "weight_scale": weight_scale, "norm_scale": norm_scale,
        "bias": [round(float(b), 6) for b in bias],
        "thresholds": [round(float(t), 4) for t in thresholds],
        "extra": extra or {},
    }


def write_model(document: dict, out_dir: Path) -> Path:
    payload = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    path = out_dir / f"{document['name']}.json.gz"
    path.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    return path


def fit_ovr(texts, y, idx, c: float, keep: int):
    """One-vs-rest over texts[idx]: fit on all features, keep the `keep` strongest, refit on those."""
    vec = vectorizer()
    x = vec.fit_transform([texts[i] for i in idx])
    coef = np.vstack([fit_binary(x, y[idx, j], c, True).coef_ for j in range(y.shape[1])])
    vec = vectorizer(vocabulary=select_features(vec, coef, keep))
    x = vec.fit_transform([texts[i] for i in idx])
    return vec, [fit_binary(x, y[idx, j], c, True) for j in range(y.shape[1])]


def out_of_fold(texts, y, groups, c: float, keep: int) -> np.ndarray:
    """Probabilities of every text from a model that did not see its group (5 folds)."""
    oof = np.zeros(y.shape)
    for fold_train, fold_test in GroupKFold(n_splits=5).split(texts, y, groups):
        vec, models = fit_ovr(texts, y, fold_train, c, keep)
        x = vec.transform([texts[i] for i in fold_test])
        for j, model in enumerate(models):
            oof[fold_test, j] = model.predict_proba(x)[:, 1]
    return oof


def f1_table(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, list[float]]:
    tp = (pred & (y == 1)).sum(axis=0).astype(float)
    fp = (pred & (y == 0)).sum(axis=0).astype(float)
    fn = ((~pred) & (y == 1)).sum(axis=0).astype(float)
    per = [2 * t / (2 * t + a + b) if (2 * t + a + b) else 0.0 for t, a, b in zip(tp, fp, fn)]
    micro = 2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum())
    return float(micro), float(np.mean(per)), per


# -- OPP-115 segment categories ----------------------------------------------------------------------------

SEGMENT_C = 16.0
SEGMENT_FEATURES = 40000  # more than the vocabulary: pruning to 15,000 cost 0.9 points of dev micro-F1
# The shipped model learns from every labelled policy we have (train and dev: 95 policies); the held-out test
# policies are elsewhere. --report also fits on train alone and scores dev: the honest dev figure for the card.
SEGMENT_SPLITS = ("train", "dev")
SEGMENT_CONTEXT = 0.5  # weight of the previous segment's features next to the segment's own
SEGMENT_AUGMENT_WEIGHT = 0.5
# ToS;DR points whose practice names one OPP-115 category unambiguously: extra positives for that category only.
SEGMENT_AUGMENT = {"retention": "Data Retention", "security": "Data Security", "policy_change": "Policy Change",
                   "user_rights": "User Access, Edit and Deletion", "user_choice": "User Choice/Control",
                   "children": "International and Specific Audiences",
                   "international_transfer": "International and Specific Audiences"}


def _with_previous(x, policy_ids) -> sparse.csr_matrix:
    """[own features | SEGMENT_CONTEXT x the previous segment's features (zero at a policy's start)]."""
    rows = []
    empty = sparse.csr_matrix((1, x.shape[1]))
    for i in range(x.shape[0]):
        rows.append(x[i - 1] if i and policy_ids[i - 1] == policy_ids[i] else empty)
    return sparse.hstack([x, SEGMENT_CONTEXT * sparse.vstack(rows)]).tocsr()


def fit_segments(texts, policy_ids, y, extra, keep, vocabulary=None):
    """One-vs-rest over segments with their predecessor; `extra` = [(text, column)] augmenting positives."""
    vec = vectorizer(vocabulary=vocabulary, binary=True)  # term presence: +0.6 micro-F1 in CV over counts
    weighed = vec.fit_transform(texts + [t for t, _ in extra])
    x = _with_previous(weighed[:len(texts)], policy_ids)
    x_extra = sparse.hstack([weighed[len(texts):], sparse.csr_matrix((len(extra), weighed.shape[1]))]).tocsr()
    models = []
    for j in range(y.shape[1]):
        mine = [i for i, (_, column) in enumerate(extra) if column == j]
        xj, yj, wj = x, y[:, j], np.ones(len(texts))
        if mine:
            xj = sparse.vstack([x, x_extra[mine]]).tocsr()
            yj = np.r_[yj, np.ones(len(mine))]
            wj = np.r_[wj, np.full(len(mine), SEGMENT_AUGMENT_WEIGHT)]
        # liblinear: the same optimum family as lbfgs here (CV within 0.001), several times faster on these features
        model = LogisticRegression(C=SEGMENT_C, max_iter=5000, solver="liblinear", class_weight="balanced")
        models.append(model.fit(xj, yj, sample_weight=wj))
    if vocabulary is None:  # keep the strongest features (own or as context), refit on them
        n = len(vec.idf_)
        coef = np.vstack([m.coef_ for m in models])
        strength = np.maximum(np.abs(coef[:, :n]), np.abs(coef[:, n:]))
        return fit_segments(texts, policy_ids, y, extra, keep, select_features(vec, strength, keep))
    return vec, models


def predict_segments(vec, models, texts, policy_ids) -> np.ndarray:
    x = _with_previous(vec.transform(texts), policy_ids)
    return np.column_stack([m.predict_proba(x)[:, 1] for m in models])


def segment_augmentation(data: Path) -> list[tuple[str, int]]:
    extra = []
    for point in read_jsonl(data / "tosdr" / "points.jsonl"):
        category = SEGMENT_AUGMENT.get(point.get("practice"))
        if category:
            extra.append((clean_point_text(point["text"]), OPP115_CATEGORIES.index(category)))
    return sorted(extra)


def segment_labels(rows) -> np.ndarray:
    return np.array([[c in r["categories"] for c in OPP115_CATEGORIES] for r in rows], dtype=int)


def fit_segment_model(pool: list[dict], extra, folds: int = 5):
    """(vectorizer, models, per-category thresholds, CV micro, CV macro) for the segments of `pool`.

    Thresholds come from out-of-fold predictions, folds grouped by policy, so no cut is tuned on the policy it cuts.
    """
    texts = [r["text"] for r in pool]
    policies = [r["policy_id"] for r in pool]
    y = segment_labels(pool)
    oof = np.zeros(y.shape)
    for fold_train, fold_test in GroupKFold(n_splits=folds).split(texts, y, np.array(policies)):
        vec, models = fit_segments([texts[i] for i in fold_train], [policies[i] for i in fold_train], y[fold_train],
                                   extra, SEGMENT_FEATURES)
        oof[fold_test] = predict_segments(vec, models, [texts[i] for i in fold_test],
                                          [policies[i] for i in fold_test])
    thresholds = [best_threshold(y[:, j], oof[:, j]) for j in range(y.shape[1])]
    cv_micro, cv_macro, _ = f1_table(y, oof >= np.array(thresholds))
    vec, models = fit_segments(texts, policies, y, extra, SEGMENT_FEATURES)
    return vec, models, thresholds, cv_micro, cv_macro


def train_segments(data: Path, report: bool) -> dict:
    rows = read_jsonl(data / "opp115" / "segments.jsonl")
    rows.sort(key=lambda r: (r["policy_id"], r["segment_id"]))
    extra = segment_augmentation(data)
    pool = [r for r in rows if r["split"] in SEGMENT_SPLITS]
    vec, models, thresholds, cv_micro, cv_macro = fit_segment_model(pool, extra)
    n = len(vec.idf_)
    coef = np.vstack([m.coef_ for m in models])
    # columns: own weight per category, then the weight of the same feature in the previous block
    columns = np.vstack([coef[:, :n], SEGMENT_CONTEXT * coef[:, n:]])
    bias = [float(m.intercept_[0]) for m in models]
    figures = {"policies": len({r["policy_id"] for r in pool}), "segments": len(pool),
               "cv_micro_f1": round(cv_micro, 4), "cv_macro_f1": round(cv_macro, 4)}
    print(f"segments: {figures['policies']} policies ({'+'.join(SEGMENT_SPLITS)}), 5-fold CV by policy: "
          f"micro {cv_micro:.3f} macro {cv_macro:.3f}")
    if report:  # the honest dev figure: the same recipe fitted on train alone, scored on dev
        train = [r for r in rows if r["split"] == "train"]
        dev = [r for r in rows if r["split"] == "dev"]
        v, m, cuts, t_micro, t_macro = fit_segment_model(train, extra)
        p = predict_segments(v, m, [r["text"] for r in dev], [r["policy_id"] for r in dev])
        micro, macro, per = f1_table(segment_labels(dev), p >= np.array(cuts))
        print(f"  same recipe on train only: train-CV micro {t_micro:.3f} macro {t_macro:.3f}; "
              f"dev micro {micro:.3f} macro {macro:.3f}")
        print("  per category (dev):", ", ".join(f"{c.split()[0]} {f:.2f}" for c, f in zip(OPP115_CATEGORIES, per)))
        print("  thresholds (shipped):", thresholds)
    return model_document("segments", OPP115_CATEGORIES, vec, columns, bias, thresholds,
                          extra={**figures, "trained_on": list(SEGMENT_SPLITS), "context": "previous block"})


# -- ToS;DR practices --------------------------------------------------------------------------------------

PRACTICE_C = 4.0
PRACTICE_FEATURES = 8000


def clean_point_text(text: str) -> str:
    return re.sub(r"\s+", " ", MARKUP.sub(" ", text)).strip()


def practice_points(data: Path) -> list[dict]:
    points = [p for p in read_jsonl(data / "tosdr" / "points.jsonl") if p.get("practice") in PRACTICE_IDS]
    for p in points:
        p["clean"] = clean_point_text(p["text"])
    points = [p for p in points if len(re.findall(TOKEN_PATTERN, p["clean"])) >= 3]
    points.sort(key=lambda p: (p["service"], str(p["point_id"])))
    return points


def train_practices(data: Path, report: bool) -> dict:
    return practices_document(practice_points(data), report)


def practices_document(points: list[dict], report: bool = False) -> dict:
    """The practices model document trained on `points` (as `practice_points` gives them): cut-offs from
    service-grouped cross-validation over these points, then the fit on all of them."""
    classes = [c for c in PRACTICE_IDS if any(p["practice"] == c for p in points)]
    texts = [p["clean"] for p in points]
    y = np.array([[p["practice"] == c for c in classes] for p in points], dtype=int)
    groups = np.array([p["service"] for p in points])

    oof = out_of_fold(texts, y, groups, PRACTICE_C, PRACTICE_FEATURES)
    thresholds = [best_threshold(y[:, j], oof[:, j], lo=0.3) for j in range(len(classes))]
    pred = oof >= np.array(thresholds)
    recall = [float(pred[y[:, j] == 1, j].mean()) for j in range(len(classes))]
    precision = [float(y[pred[:, j], j].mean()) if pred[:, j].any() else 0.0 for j in range(len(classes))]
    counts = y.sum(axis=0)
    big = [j for j in range(len(classes)) if counts[j] >= 5]
    macro_r = float(np.mean([recall[j] for j in big]))
    macro_p = float(np.mean([precision[j] for j in big]))
    if report:
        print(f"practices (point level, 5-fold by service): macro recall {macro_r:.3f} macro precision {macro_p:.3f}")
        for j, c in enumerate(classes):
            print(f"  {c:24s} n={counts[j]:4d} R {recall[j]:.2f} P {precision[j]:.2f} cut {thresholds[j]}")
    vec, models = fit_ovr(texts, y, np.arange(len(texts)), PRACTICE_C, PRACTICE_FEATURES)
    coef = np.vstack([m.coef_ for m in models])
    bias = [float(m.intercept_[0]) for m in models]
    return model_document("practices", classes, vec, coef, bias, thresholds,
                          extra={"cv_macro_recall": round(macro_r, 4), "cv_macro_precision": round(macro_p, 4)})


# -- document kind ---------------------------------------------------------------------------------------

KIND_C = 0.5
# Logit shifts for what the address says (the URL is an extra signal; the text decides).
KIND_URL_PRIORS = {"url_privacy": 0.8, "url_cookie": -0.4, "url_terms": -0.4}
TERMS_DOCUMENTS = re.compile(r"terms|conditions|agreement|eula|rules|guidelines|acceptable use", re.I)


def split_blocks(text: str):
    """Blocks of a Markdown/plain text the way the engine makes them (its own splitter when available)."""
    from smallprint.engine.results import Block
    try:
        from smallprint.engine.blocks import blocks_from_text
        # the Markdown reading the shipped page-kind model was trained on: the rebuild stays that model
        return blocks_from_text(text, labelled_form=True)
    except ImportError:  # the engine's splitter not there yet: blank lines and Markdown headings
        out = []
        for i, part in enumerate(re.split(r"\n\s*\n|\n(?=#)", text)):
            part = part.strip()
            if part:
                heading = part.startswith("#")
                out.append(Block(f"b{i}", part.lstrip("#").strip(), "h2" if heading else "p"))
        return tuple(out)


def page_blocks(text: str, is_html: bool):
    if is_html:
        from smallprint.engine.blocks import blocks_from_html
        return blocks_from_html(text)
    return split_blocks(text)


def kind_documents(data: Path) -> list[tuple[str, tuple, int]]:
    """(name, blocks, is_privacy_policy) of every training document, in a fixed order.

    Positives: the full policies and the OPP-115 policies (segments joined). Negatives: documents rebuilt from
    ToS;DR points quoted from terms of service, cookie policies and other non-privacy documents of a service
    (hard negatives: passages chosen because they touch on data), and the negatives/ pages (news, blog posts,
    docs, terms, HTML pages with a privacy link, cookie banners; borderline cookie policies and the DPA count as
    not-a-privacy-policy). Those pages are also the dev check, so --report gives their leave-one-out result.
    """
    from smallprint.engine.results import Block
    docs = []
    index = read_jsonl(data / "policies" / "index.jsonl")
    for entry in sorted(index, key=lambda e: e["file"]):
        text = (data / "policies" / entry["file"]).read_text(encoding="utf-8")
        docs.append((f"policies/{entry['file']}", split_blocks(text), 1))
    by_policy: dict = {}
    for row in read_jsonl(data / "opp115" / "segments.jsonl"):
        by_policy.setdefault(row["policy_id"], []).append(row)
    for policy_id in sorted(by_policy):
        segs = sorted(by_policy[policy_id], key=lambda r: r["segment_id"])
        blocks = []
        for seg in segs:
            for line in seg["text"].split("\n"):
                if line.strip():
                    blocks.append(Block(f"b{len(blocks)}", line.strip(), "p"))
        docs.append((f"opp115/{policy_id}", tuple(blocks), 1))
    for entry in sorted(read_jsonl(data / "negatives" / "index.jsonl"), key=lambda e: e["file"]):
        text = (data / "negatives" / entry["file"]).read_text(encoding="utf-8")
        docs.append((f"negatives/{entry['file']}", page_blocks(text, entry["file"].endswith(".html")), 0))
    grouped: dict = {}
    for point in read_jsonl(data / "tosdr" / "points.jsonl"):
        source = point.get("source_document") or ""
        if TERMS_DOCUMENTS.search(source) or re.search(r"cookie", source, re.I):
            grouped.setdefault((point["service"], source), []).append(point)
    for key in sorted(grouped):
        points = sorted(grouped[key], key=lambda p: str(p["point_id"]))
        if len(points) < 3:
            continue
        blocks = tuple(Block(f"b{i}", clean_point_text(p["text"]), "p") for i, p in enumerate(points))
        docs.append((f"tosdr/{key[0]}/{key[1]}", blocks, 0))
    # Each real page again without its title and first headings, every block a paragraph: the cues of the
    # content must carry the decision too (pages often reach us without their heading, or mid-document).
    headless = []
    for name, blocks, label in docs:
        if name.startswith(("policies/", "negatives/")) and len(blocks) > 6:
            flat = tuple(Block(b.id, b.text, "p") for b in blocks[3:] if len(b.text) > 80)
            if flat:
                headless.append((name + "#headless", flat, label))
    return docs + headless


def train_kind(data: Path, report: bool) -> dict:
    from smallprint.engine import kind
    docs = kind_documents(data)
    x = np.array([kind.read_document(blocks).values for _, blocks, _ in docs])
    y = np.array([label for _, _, label in docs])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=KIND_C, max_iter=5000, class_weight="balanced").fit(z, y)
    if report:
        # Leave-one-out over the real pages (negatives/ and the full policies): refit without the page, judge it.
        wrong = []
        for i, (name, _, label) in enumerate(docs):
            if name.startswith(("tosdr/", "opp115/")) or name.endswith("#headless"):
                continue
            keep = np.array([not (n == name or n == name + "#headless") for n, _, _ in docs])
            m = LogisticRegression(C=KIND_C, max_iter=5000, class_weight="balanced").fit(z[keep], y[keep])
            p = m.predict_proba(z[i:i + 1])[0, 1]
            if (p >= 0.5) != bool(label):
                wrong.append(f"{name} p={p:.2f}")
        print(f"kind leave-one-out errors on policies/ + negatives/: {len(wrong)}", *wrong, sep="\n  ")
        print(f"kind: {int(y.sum())} policies, {int((1 - y).sum())} non-policy documents; weights:")
        for name, w in sorted(zip(kind.FEATURES, model.coef_[0]), key=lambda t: -abs(t[1])):
            print(f"  {name:16s} {w:+.3f}")
    weights = [float(w) for w in model.coef_[0]]
    for name, prior in KIND_URL_PRIORS.items():  # no training page has a URL: set by hand, small on purpose
        weights[kind.FEATURES.index(name)] = prior
    return {"format": kind.FORMAT, "name": "kind", "features": list(kind.FEATURES),
            "weights": [round(w, 6) for w in weights], "bias": round(float(model.intercept_[0]), 6),
            "mean": [round(float(m), 6) for m in mean], "scale": [round(float(s), 6) for s in scale],
            "training": {"policies": int(y.sum()), "non_policies": int((1 - y).sum())}}


# -- main ---------------------------------------------------------------------------------------------------

# kind reads the segments model, so it is trained after it.
TRAINERS = {"segments": train_segments, "practices": train_practices, "kind": train_kind}


def train_reader_model(data: Path, out: Path, tosdr_polarity: str = "case") -> None:
    """prepare -> fit (the five fold models, whose out-of-fold readings the second thoughts learn from, and the
    final one; 5 epochs, batch 64, the shipped recipe) -> export -> train_arbiter.py -> train_opp_blend.py, in a
    temporary folder."""
    import subprocess
    import tempfile
    script = [sys.executable, str(ROOT / "scripts" / "train_reader.py")]
    with tempfile.TemporaryDirectory(prefix="smallprint-reader-") as tmp:
        examples, run = Path(tmp) / "examples.jsonl.gz", Path(tmp) / "run"
        thresholds = Path(tmp) / "thresholds.json"
        shipped = json.loads((out / "reader.json").read_text())["thresholds"] if (out / "reader.json").is_file() else {}
        thresholds.write_text(json.dumps(shipped or {"*": 0.4, "with_rules": 0.05}))
        subprocess.run([*script, "prepare", "--data", str(data), "--out", str(examples)], check=True)
        subprocess.run([*script, "fit", "--examples", str(examples), "--runs", "0,1,2,3,4,final", "--out", str(run),
                        "--epochs", "5", "--batch", "64", "--lr", "8e-5", "--tosdr-polarity", tosdr_polarity],
                       check=True)
        subprocess.run([*script, "export", "--weights", str(run / "final.pt"), "--train-info", str(run / "final.json"),
                        "--thresholds", str(thresholds), "--data", str(data), "--out", str(out)], check=True)
        subprocess.run([sys.executable, str(ROOT / "scripts" / "train_arbiter.py"), "--data", str(data),
                        "--examples", str(examples), "--oof", str(run), "--out", str(out)], check=True)
        subprocess.run([sys.executable, str(ROOT / "scripts" / "train_opp_blend.py"), "--data", str(data),
                        "--oof", str(run), "--out", str(out)], check=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "daemon" / "smallprint" / "engine" / "models")
    parser.add_argument("--only", default=",".join(TRAINERS))
    parser.add_argument("--report", action="store_true", help="print cross-validated and dev figures")
    parser.add_argument("--reader-tosdr-polarity", choices=("case", "practice"), default="case",
                        help="train_reader.py fit --tosdr-polarity (the shipped reader: case)")
    args = parser.parse_args(argv)
    if not (args.data / "opp115" / "segments.jsonl").is_file():
        print(f"train_models: shared data not found at {args.data}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only.split(","):
        if name == "reader":
            train_reader_model(args.data, args.out / "reader", args.reader_tosdr_polarity)
            continue
        path = write_model(TRAINERS[name](args.data, args.report), args.out)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
