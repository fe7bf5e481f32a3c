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


def test_the_table_shows_no_figure_where_there_is_nothing_to_measure(tmp_path, capsys, smallprint_home):
    # Two ToS;DR-format points about sale of data only: the other practices the engine highlights in them have no
    # points, so no recall and no polarity accuracy (a 0.000 there read as a failure).
    points = [{"id": 1, "service": "a", "practice": "sale_of_data", "polarity": "protective",
               "text": "We do not sell your personal information to anyone."},
              {"id": 2, "service": "b", "practice": "sale_of_data", "polarity": "concern",
               "text": "We sell your personal information and your precise location to advertisers."}]
    (tmp_path / "points.jsonl").write_text("\n".join(json.dumps(p) for p in points) + "\n", encoding="utf-8")
    assert main(["eval", "--tosdr", str(tmp_path / "points.jsonl"), "--depth", "quick"]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()
            if line.startswith("  ") and len(line.split()) == 5}
    assert rows["sale_of_data"][0] == "2" and "-" not in rows["sale_of_data"]
    no_points = {practice: row for practice, row in rows.items() if row[0] == "0"}
    assert no_points, f"no practice without points was highlighted: {rows}"
    for row in no_points.values():
        assert row[1] == "-" and row[3] == "-" and row[2] != "-"  # recall and polarity: none; precision: measured
