"""`smallprint eval`: each part on files in the shared data's formats, JSON or table, and clear errors."""
from __future__ import annotations

import json

import pytest

from smallprint.cli import main


@pytest.fixture
def small_sets(shared_data, tmp_path):
    """A few rows of each shared set, written to tmp_path in the same formats (nothing enters the repository)."""
    opp = [line for line in (shared_data / "opp115" / "segments.jsonl").read_text(encoding="utf-8").splitlines()
           if json.loads(line)["split"] == "dev"][:40]
    (tmp_path / "segments.jsonl").write_text("\n".join(opp) + "\n", encoding="utf-8")
    points = [line for line in (shared_data / "tosdr" / "points.jsonl").read_text(encoding="utf-8").splitlines()
              if json.loads(line)["practice"]][:60]
    (tmp_path / "points.jsonl").write_text("\n".join(points) + "\n", encoding="utf-8")
    return tmp_path


def test_eval_json_has_every_documented_part(small_sets, shared_data, capsys):
    code = main(["eval", "--opp115", str(small_sets / "segments.jsonl"), "--tosdr", str(small_sets / "points.jsonl"),
                 "--negatives", str(shared_data / "negatives"), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert 0.0 <= result["opp115"]["micro_f1"] <= 1.0 and result["opp115"]["rows"] == 40
    assert len(result["opp115"]["per_category"]) == 10
    practices = result["practices"]
    assert practices["points"] == 60
    assert {"macro_recall", "macro_precision", "polarity_accuracy", "per_practice"} <= set(practices)
    detection = result["detection"]
    assert {"precision", "recall", "f1", "misclassified", "borderline"} <= set(detection)
    assert len(detection["borderline"]) == 3  # reported apart, not scored
    assert detection["tp"] + detection["fn"] == 0  # negatives only: nothing to recall


def test_eval_table_is_readable(small_sets, capsys):
    assert main(["eval", "--opp115", str(small_sets / "segments.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "micro F1" in out and "Data Retention" in out
    assert "Practices" not in out  # only the parts asked for run


@pytest.mark.parametrize("args, message", [
    (["--opp115", "/nonexistent/segments.jsonl"], "no such file"),
    (["--policies", "/nonexistent"], "index.jsonl"),
])
def test_missing_data_is_one_clear_line(args, message, capsys):
    assert main(["eval", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_a_broken_line_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "points.jsonl"
    bad.write_text('{"practice": "tracking", "text": "We use cookies."}\n{not json\n', encoding="utf-8")
    assert main(["eval", "--tosdr", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "points.jsonl:2" in err and "Traceback" not in err
