"""scripts/train_reader.py's targets: what each kind of example teaches (the training itself needs torch, the `train`
extra, and runs outside CI; `batch_targets` is plain numpy, so what every mode trains on is checked here)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from smallprint.engine.reader_input import PAIR_INDEX, PAIR_LABELS
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from train_reader import OTHER_PRACTICE_WEIGHT, batch_targets  # noqa: E402

N_PAIRS, N_OPP = len(PAIR_LABELS), 10
MASK = [PAIR_INDEX[("retention", p)] for p in ("concern", "protective", "neutral")]
EXAMPLES = [
    {"source": "sentences", "mask": "all", "pairs": [PAIR_INDEX[("location", "concern")]]},
    {"source": "tosdr", "mask": MASK, "pairs": [PAIR_INDEX[("retention", "protective")]],
     "other_weight": OTHER_PRACTICE_WEIGHT},
    {"source": "tosdr", "mask": "all", "pairs": [], "weight": 0.5},  # a point whose case is no data practice
    {"source": "opp115", "opp": [2, 5]},
]


def test_a_tosdr_point_teaches_its_cases_polarity_by_default():
    pair_y, pair_m, opp_y, opp_m, rows, cols, weights = batch_targets(EXAMPLES, N_PAIRS, N_OPP)
    assert pair_y[1].sum() == 1 and pair_y[1, PAIR_INDEX[("retention", "protective")]] == 1
    assert np.allclose(pair_m[1, MASK], 1.0)
    others = np.delete(pair_m[1], MASK)
    assert np.allclose(others, OTHER_PRACTICE_WEIGHT)
    assert len(rows) == len(cols) == len(weights) == 0
    # sentences: every pair, weight 1; a null point: every pair a weak negative; a segment: the OPP head only
    assert np.allclose(pair_m[0], 1.0) and pair_y[0, PAIR_INDEX[("location", "concern")]] == 1
    assert np.allclose(pair_m[2], 0.5) and pair_y[2].sum() == 0
    assert pair_m[3].sum() == 0 and np.allclose(opp_m[3], 1.0) and opp_y[3, [2, 5]].tolist() == [1, 1]
    assert opp_m[:3].sum() == 0


def test_with_practice_a_tosdr_point_teaches_only_its_practice():
    default = batch_targets(EXAMPLES, N_PAIRS, N_OPP)
    pair_y, pair_m, opp_y, opp_m, rows, cols, weights = batch_targets(EXAMPLES, N_PAIRS, N_OPP, "practice")
    # no per-polarity target on the practice's three outputs; the others stay weak negatives
    assert pair_m[1, MASK].sum() == 0 and pair_y[1].sum() == 0
    assert np.allclose(np.delete(pair_m[1], MASK), OTHER_PRACTICE_WEIGHT)
    assert rows.tolist() == [1] and cols.tolist() == [MASK] and weights.tolist() == [1.0]
    # every other example as by default
    for mine, theirs in zip((pair_y, pair_m, opp_y, opp_m), default[:4]):
        assert np.array_equal(np.delete(mine, 1, axis=0), np.delete(theirs, 1, axis=0))


# -- fit's runs, resumed (torch stood in for: what is checked is which runs `fit` fits again) -------------------

def fake_fit(monkeypatch, tmp_path, stop_in: set):
    """train_reader.fit with torch, the fine-tune and the predictions stood in for; returns its calls per run."""
    import gzip
    import json
    import types

    import train_reader

    fake_torch = types.SimpleNamespace(cuda=types.SimpleNamespace(is_available=lambda: False),
                                       set_num_threads=lambda n: None,
                                       save=lambda state, path: Path(path).write_bytes(b"weights"))
    monkeypatch.setitem(sys.modules, "torch", fake_torch)
    calls: dict[str, int] = {}

    class Net:
        def state_dict(self):
            return {}

    def fit_one(*args, checkpoint, stop_after, recipe=None, **kwargs):
        run = checkpoint.stem.split("-", 1)[1]
        calls[run] = calls.get(run, 0) + 1
        if run in stop_in:  # stopped after an epoch (--stop-after-epoch, a machine's time limit)
            stop_in.discard(run)
            checkpoint.write_bytes(b"state")
            return None
        return Net(), None, None

    monkeypatch.setattr(train_reader, "fit_one", fit_one)
    monkeypatch.setattr(train_reader, "predict", lambda net, tok, texts, device: ([[0.5] * N_PAIRS for _ in texts],
                                                                                  [[0.5] * N_OPP for _ in texts]))
    examples = tmp_path / "examples.jsonl.gz"
    with gzip.open(examples, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"format": "test"}) + "\n")
        for fold in range(2):
            handle.write(json.dumps({"source": "sentences", "fold": fold, "group": f"g{fold}", "unit": fold,
                                     "a": f"We collect item {fold}.", "b": ""}) + "\n")
    base = tmp_path / "base"
    base.mkdir(exist_ok=True)
    (base / "config.json").write_text('{"hidden_size": 384}')
    return calls, ["fit", "--examples", str(examples), "--base", str(base), "--out", str(tmp_path / "out"),
                   "--runs", "0,1,final", "--stop-after-epoch", "1"]


def test_the_same_fit_command_goes_on_with_the_run_it_stopped_in(monkeypatch, tmp_path, capsys):
    import train_reader

    calls, argv = fake_fit(monkeypatch, tmp_path, stop_in={"1"})
    assert train_reader.main(argv) == 3  # stopped in run 1, run 0 written
    assert calls == {"0": 1, "1": 1}
    assert train_reader.main(argv) == 0
    # run 0 was not fitted again: with five folds and a machine's ten minutes, it would be, every time
    assert calls == {"0": 1, "1": 2, "final": 1}
    assert "run 0: done before" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == [
        "done-0.json", "done-1.json", "done-final.json", "final.json", "oof-0.json", "oof-1.json"]
    # other settings are another recipe: every run is fitted again
    assert train_reader.main([*argv, "--lr", "1e-4"]) == 0
    assert calls == {"0": 2, "1": 3, "final": 2}
    # so is a smaller network, or batches by length
    assert train_reader.main([*argv, "--lr", "1e-4", "--layers", "3"]) == 0
    assert calls == {"0": 3, "1": 4, "final": 3}
    assert train_reader.main([*argv, "--lr", "1e-4", "--batching", "length"]) == 0
    assert calls == {"0": 4, "1": 5, "final": 4}
    assert train_reader.main([*argv, "--lr", "1e-4"]) == 0  # and back: fitted again, as another recipe's outputs
    assert calls == {"0": 5, "1": 6, "final": 5}
    # so is another base encoder under the same folder name: its files are part of the recipe
    (tmp_path / "base" / "config.json").write_text('{"hidden_size": 768}')
    assert train_reader.main([*argv, "--lr", "1e-4"]) == 0
    assert calls == {"0": 6, "1": 7, "final": 6}


# -- precision: part of the recipe only where it is not the device's old default -------------------------------

def test_a_cpu_fit_in_bfloat16_is_another_recipe_and_float32_is_the_old_one():
    import train_reader

    train = [{"source": "sentences", "group": "g", "unit": 0, "a": "We collect your email.", "b": ""}]

    def digest(device, precision):
        return train_reader._recipe_digest(train, 5, 64, 8e-5, 1, "case", device, precision=precision)

    # checkpoints and done-RUN.json files written before precision was a setting stay resumable
    assert digest("cpu", "fp32") == digest("cpu", None)
    assert digest("cuda", "bf16") == digest("cuda", None)
    # a float32 checkpoint is never resumed in bfloat16, nor the other way round
    assert digest("cpu", "bf16") != digest("cpu", "fp32")
    assert digest("cuda", "fp32") != digest("cuda", "bf16")


def test_auto_precision_is_bfloat16_on_a_gpu_and_follows_the_cpu_otherwise(monkeypatch):
    import types

    import train_reader

    def torch_with(bf16: bool):
        return types.SimpleNamespace(cpu=types.SimpleNamespace(_is_avx512_bf16_supported=lambda: bf16,
                                                               _is_amx_tile_supported=lambda: False))

    monkeypatch.setitem(sys.modules, "torch", torch_with(True))
    assert train_reader.training_precision("cpu", "auto") == "bf16"
    assert train_reader.training_precision("cuda:0", "auto") == "bf16"
    assert train_reader.training_precision("cpu", "fp32") == "fp32"
    monkeypatch.setitem(sys.modules, "torch", torch_with(False))
    assert train_reader.training_precision("cpu", "auto") == "fp32"
    # a torch without the probes (older releases) trains in float32 on the CPU, as before
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace())
    assert train_reader.training_precision("cpu", "auto") == "fp32"


# -- a smaller reader (fit --layers N) -------------------------------------------------------------------------

def test_keeping_fewer_layers_is_another_recipe_and_keeping_all_is_the_old_one():
    import train_reader

    train = [{"source": "sentences", "group": "g", "unit": 0, "a": "We collect your email.", "b": ""}]

    def digest(layers):
        return train_reader._recipe_digest(train, 5, 64, 8e-5, 1, "case", "cpu", layers=layers)

    # checkpoints written before --layers existed stay resumable; a 3-layer one is never resumed as a 6-layer one
    assert digest(0) == train_reader._recipe_digest(train, 5, 64, 8e-5, 1, "case", "cpu")
    assert len({digest(0), digest(3), digest(4)}) == 3
    assert digest(6) == digest(0)  # all of the base's six layers is the shipped recipe, however it is asked for


def test_export_reads_how_many_layers_the_weights_hold():
    import train_reader

    def weights(layers):
        state = {"encoder.embeddings.word_embeddings.weight": 0, "pairs.weight": 0, "opp.bias": 0}
        for k in range(layers):
            state[f"encoder.encoder.layer.{k}.attention.self.query.weight"] = 0
            state[f"encoder.encoder.layer.{k}.output.dense.bias"] = 0
        return state

    assert train_reader.layers_in(weights(6)) == 6
    assert train_reader.layers_in(weights(3)) == 3
    broken = weights(3)
    del broken["encoder.encoder.layer.1.attention.self.query.weight"], broken["encoder.encoder.layer.1.output.dense.bias"]
    for state in (broken, {"pairs.weight": 0}):  # a gap in the layers, or no encoder at all
        try:
            train_reader.layers_in(state)
        except SystemExit as refused:
            assert "encoder layers" in str(refused)
        else:
            raise AssertionError("weights without layers 0..N-1 were exported")


def test_batches_by_length_hold_every_example_once_among_examples_of_about_its_length():
    import random
    import types

    import train_reader

    draw_length = random.Random(7)
    lengths = [draw_length.choice([12, 30, 47, 64, 96]) + k % 5 for k in range(7000)]  # three pools of 3,200
    items = [(types.SimpleNamespace(ids=[0] * n), {"n": k}) for k, n in enumerate(lengths)]

    def draw(seed):
        return [[ex["n"] for _, ex in batch] for batch in train_reader._length_batches(items, 64, random.Random(seed))]

    batches = draw(1)
    assert sorted(n for batch in batches for n in batch) == list(range(7000))
    assert [len(b) for b in batches].count(64) == 7000 // 64

    def padding(batches):
        return sum(max(lengths[n] for n in b) * len(b) for b in batches) / sum(lengths)

    assert padding(batches) < 1.05
    # random batches of 64 pad nearly every unit to the longest (96-100 tokens): the difference the option makes
    assert padding([[ex["n"] for _, ex in b] for b in train_reader._batches(items, 64, random.Random(1))]) > 1.5
    assert draw(1) == batches and draw(2) != batches  # the seeded draw decides, as for random batches
    assert train_reader._recipe_digest([], 5, 64, 8e-5, 1, "case", "cpu", batching="random") == \
        train_reader._recipe_digest([], 5, 64, 8e-5, 1, "case", "cpu")
    assert train_reader._recipe_digest([], 5, 64, 8e-5, 1, "case", "cpu", batching="length") != \
        train_reader._recipe_digest([], 5, 64, 8e-5, 1, "case", "cpu")


# -- ToS;DR case titles (prepare --case-titles) ------------------------------------------------------------------

def test_case_titles_are_learnt_once_each_by_every_fold():
    import train_reader

    rows = [
        {"case_title": "The service can read your private messages", "practice": "private_content",
         "polarity": "concern", "service": "a"},
        {"case_title": "The service can read  your private messages", "practice": "private_content",
         "polarity": "concern", "service": "b"},  # the same title, spaced otherwise, from another service
        {"case_title": "The service is provided 'as is'", "practice": None, "polarity": None, "service": "a"},
        {"case_title": "", "practice": "tracking", "polarity": "concern", "service": "c"},
    ]
    examples = train_reader.case_title_examples(rows)
    assert [e["a"] for e in examples] == ["The service can read your private messages",
                                          "The service is provided 'as is'"]
    assert all(e["fold"] == train_reader.EVERY_FOLD and e["source"] == "tosdr" for e in examples)
    # a title with a practice teaches that practice's three outputs, with the case's polarity, as a point does
    pair_y, pair_m, *_ = batch_targets(examples, N_PAIRS, N_OPP)
    trio = [PAIR_INDEX[("private_content", p)] for p in ("concern", "protective", "neutral")]
    assert pair_y[0, PAIR_INDEX[("private_content", "concern")]] == 1 and pair_y[0].sum() == 1
    assert np.allclose(pair_m[0, trio], 1.0) and np.allclose(np.delete(pair_m[0], trio), OTHER_PRACTICE_WEIGHT)
    # one with no data practice is a weak negative for every pair
    assert pair_y[1].sum() == 0 and np.allclose(pair_m[1], train_reader.NULL_POINT_WEIGHT)
    # no fold holds them out: every run's training set keeps them
    assert all(e["fold"] != held for e in examples for held in range(train_reader.FOLDS))
