"""A diff is the same in every process: which leftover clauses pair up as "changed" must not follow the order of a
set of words, which string hashing changes from process to process (the corpus runs diffs in many workers and
promises identical tables)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import require

PROGRAM = r"""
import json, sys
from smallprint.engine import analyze
from smallprint.history.diff import diff_analyses
old, new = (analyze(text=open(p, encoding="utf-8").read(), depth="quick").to_dict() for p in sys.argv[1:3])
print(json.dumps(diff_analyses(old, new).to_dict()))
"""


def test_the_same_two_versions_give_the_same_diff_under_any_hash_seed(shared_data):
    # Facebook 2021 -> 2023: a large rewrite with many near-tied candidate pairs (where the order once mattered).
    old, new = (shared_data / "policies" / "facebook" / name for name in
                ("2021-11-14_pga1_3cca8a0.md", "2023-01-01_pga2_6ffec9c.md"))
    require(old.is_file() and new.is_file(), "the shared Facebook versions are missing")
    diffs = []
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", PROGRAM, str(old), str(new)], capture_output=True, text=True,
                              timeout=240, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        diffs.append(json.loads(done.stdout))
    assert diffs[0]["counts"]["changed"] > 0
    assert diffs[0] == diffs[1] == diffs[2]
