"""scripts/train_arbiter.py's excerpts: short runs of a training policy's sentences, each read as a document of its
own, join the ensembles' training with their policy, and only with it (a held-out policy's excerpts never train the
ensembles that score it)."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import train_arbiter as T  # noqa: E402


def _policy(n, seed):
    rng = np.random.default_rng(seed)
    return [{"a": f"We keep your data for {i} years.", "b": "", "reader": list(rng.random(63) ** 4),
             "rules": {"retention": "concern"} if i % 2 else {}, "gold": {0} if i % 3 == 0 else set()}
            for i in range(n)]


def test_excerpts_are_runs_of_one_two_three_sentences_and_follow_their_policy():
    documents = {"alpha": _policy(7, 1), "beta": _policy(4, 2)}
    words = {name: np.random.default_rng(3).random((len(units), 63)) ** 4 for name, units in documents.items()}
    tables = T.excerpt_tables(documents, words)
    # 1 + 2 + 3 + 1 units of alpha, 1 + 2 + (the 1 left) of beta: every unit once
    assert T.EXCERPTS == {"alpha": ["alpha#0", "alpha#1", "alpha#2", "alpha#3"],
                          "beta": ["beta#0", "beta#1", "beta#2"]}
    assert set(tables) == {e for names in T.EXCERPTS.values() for e in names}
    units_in = {k: 1 + int(t[0].practice_index[:, 0].max()) for k, t in tables.items() if len(t[0].practice_index)}
    assert all(units_in[k] <= size for k, size in zip(T.EXCERPTS["alpha"], (1, 2, 3, 1)) if k in units_in)
    # each excerpt is read as a document of its own: its first unit is at position 0
    assert all(t[0].pairs[:, T.A.PAIR_FEATURES.index("position")].min() == 0 for t in tables.values() if len(t[1]))
    assert T.with_excerpts(["beta"]) == ["beta", "beta#0", "beta#1", "beta#2"]
    assert not any(name.startswith("alpha") for name in T.with_excerpts(["beta"]))
    # built afresh each time: a second call does not count them twice
    T.excerpt_tables(documents, words)
    assert T.with_excerpts(["alpha"]) == ["alpha", "alpha#0", "alpha#1", "alpha#2", "alpha#3"]


def test_the_fast_search_table_shows_what_the_engine_shows():
    """`DecisionTable` (the cut-off search's numpy passes) gives the figures of `readings` (arbiter.choose and
    with_severe_rules, as the engine) at any cut-offs, with and without a cap, with severe practices the rules alone
    read."""
    ai = [3 * T.A.PRACTICE_IDS.index("ai_training") + j for j in range(3)]
    rng = np.random.default_rng(5)
    units = [{"a": f"Sentence {i}.", "b": "", "reader": list(rng.random(63) ** 4),
              "rules": {"ai_training": "concern", "retention": "concern"} if i % 3 else {},
              "gold": {ai[0]} if i % 2 == 0 else set()} for i in range(12)]
    documents = {"p": units}
    tables = {"p": T.candidates_of(units, rng.random((len(units), 63)) ** 4)}
    n_pairs, n_practices = len(tables["p"][0].pairs), len(tables["p"][0].practices)
    for cuts in [(0.0, 0.0, 0, 0.0), (0.3, 0.2, 0, 0.5), (0.0, 0.0, 1, 0.0), (0.5, 0.5, 2, 0.9)]:
        scores = {"p": (rng.random(n_pairs), rng.random(n_practices))}
        assert T.DecisionTable(documents, tables, scores, ["p"]).figures(cuts) == \
            T.unit_counts(documents, tables, scores, ["p"], cuts)


def test_labelled_tosdr_passages_train_only_the_ensembles_of_other_folds(monkeypatch):
    """A ToS;DR passage labelled under the guide joins the ensembles' training with its service's fold, so the
    held-out ToS;DR measure never scores a service with ensembles that learnt from its passages."""
    monkeypatch.setattr(T, "FOLD_OF", {"alpha": 0, "beta": 1, "gamma": 1})
    monkeypatch.setattr(T, "SHORT_BY_FOLD", {0: ["tosdr:10"], 1: ["tosdr:11", "tosdr:12"]})
    monkeypatch.setattr(T, "EXCERPTS", {"alpha": ["alpha#0"]})
    assert T.with_excerpts(["alpha"]) == ["alpha", "alpha#0", "tosdr:10"]
    assert T.with_excerpts(["beta", "gamma"]) == ["beta", "gamma", "tosdr:11", "tosdr:12"]
    assert set(T.with_excerpts(["alpha", "beta"])) >= {"tosdr:10", "tosdr:11", "tosdr:12"}


def test_short_labels_must_name_their_units(tmp_path):
    """A label row carries a digest of each unit it labels; a row whose labels and units do not line up, a pair
    outside the taxonomy or a point labelled in two files is refused, not trained on."""
    good = {"id": "7", "digests": [T.unit_digest("We sell data."), T.unit_digest("Contact us.")],
            "labels": [[{"practice": "sale_of_data", "polarity": "concern"}], []]}
    (tmp_path / "a.labels.jsonl").write_text(json.dumps(good) + "\n")
    assert T.read_short_labels(tmp_path) == {"7": {"digests": good["digests"],
                                                   "labels": [[("sale_of_data", "concern")], []]}}
    for bad, message in (({**good, "labels": [[]]}, "b.labels.jsonl:1"),
                         ({**good, "id": "8", "labels": [[{"practice": "x", "polarity": "concern"}], []]},
                          "b.labels.jsonl:1"),
                         (good, "another file")):
        (tmp_path / "b.labels.jsonl").write_text(json.dumps(bad) + "\n")
        with pytest.raises(ValueError, match=message):
            T.read_short_labels(tmp_path)
