"""`smallprint eval`: each part on files in the shared data's formats, JSON or table, and clear errors."""
from __future__ import annotations

import json
from importlib import resources

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


# -- a damaged --sentences folder is refused, naming the file and line (each case once gave silent figures) --


TEXT = ("Privacy Policy\n\nWe may use your content to train our AI models.\n\n"
        "We do not sell your personal information.\n")


def _sentences(text):
    rows, sid = [], 0
    for line in text.split("\n"):
        if line.strip():
            start = text.index(line)
            rows.append({"sid": sid, "start": start, "end": start + len(line), "text": line})
            sid += 1
    return rows


def _write(folder: Path, name: str, text: str, labels, sentences=None):
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    rows = sentences if sentences is not None else _sentences(text)
    (folder / f"{name}.sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if labels is not None:
        (folder / f"{name}.labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labels), encoding="utf-8")


GOOD_LABELS = [{"sid": 1, "labels": [{"practice": "ai_training", "polarity": "concern"}]},
               {"sid": 2, "labels": [{"practice": "sale_of_data", "polarity": "protective"}]}]


def _eval(folder, capsys):
    code = main(["eval", "--sentences", str(folder), "--depth", "quick", "--json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out)["sentences"] if code == 0 else None), err


@pytest.mark.parametrize("case", ["missing labels", "stale offsets", "offsets past the end", "outside the taxonomy",
                                  "sid twice", "row without start"])
def test_a_damaged_sentences_folder_is_refused_not_scored(tmp_path, capsys, case):
    labels, rows, text = GOOD_LABELS, None, TEXT
    if case == "missing labels":
        _write(tmp_path, "b", TEXT.replace("do not sell", "sell"), None)
    elif case == "stale offsets":
        rows, text = _sentences(TEXT), "Last updated: 1 May 2026. Read this carefully.\n\n" + TEXT
    elif case == "offsets past the end":
        rows = _sentences(TEXT) + [{"sid": 3, "start": 5000, "end": 5100, "text": "gone"}]
    elif case == "outside the taxonomy":
        labels = [{"sid": 1, "labels": [{"practice": "AI training", "polarity": "bad"}]}] + GOOD_LABELS[1:]
    elif case == "sid twice":
        labels = GOOD_LABELS + [{"sid": 1, "labels": [{"practice": "retention", "polarity": "concern"}]}]
    else:
        rows = _sentences(TEXT)
        del rows[1]["start"]
    _write(tmp_path, "a", text, labels, sentences=rows)
    code, result, err = _eval(tmp_path, capsys)
    assert code != 0 and result is None, result
    assert ".jsonl" in err or ".txt" in err, err


def test_a_sound_sentences_folder_is_scored(tmp_path, capsys):
    _write(tmp_path, "a", TEXT, GOOD_LABELS)
    code, result, err = _eval(tmp_path, capsys)
    assert code == 0 and result["policies"] == 1 and result["labels"] == 2, (err, result)


# -- --policies on a folder whose index.jsonl gives each page's kind (served-pages/): scored by that kind ------


def _detection(args, capsys):
    assert main(["eval", *args, "--depth", "quick", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["detection"]


def test_policies_folder_pages_are_scored_by_their_index_kind(shared_data, capsys):
    # Four privacy policies, one terms of service and three other legal pages: a terms page found to be terms was
    # once counted as a policy missed, and every page of the folder as a policy to find.
    index = [json.loads(line) for line in
             (shared_data / "served-pages" / "index.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    kinds = {row["file"]: row["kind"] for row in index}
    detection = _detection(["--policies", str(shared_data / "served-pages")], capsys)
    policies = sum(kind == "privacy_policy" for kind in kinds.values())
    assert detection["tp"] + detection["fn"] == policies
    assert detection["fp"] + detection["tn"] == len(kinds) - policies
    per_kind = detection["per_kind"]
    assert {kind: row["pages"] for kind, row in per_kind.items()} == {
        kind: sum(k == kind for k in kinds.values()) for kind in set(kinds.values())}
    for row in detection["misclassified"]:
        assert row["file"].startswith("served-pages/"), row  # the folder's own name, not "policies/"
        assert row["expected"] == kinds[row["file"].split("/", 1)[1]] != row["kind"], row
    # every page is either detected as its kind or listed as misclassified, once
    assert sum(row["correct"] for row in per_kind.values()) + len(detection["misclassified"]) == len(kinds)


def test_an_html_page_is_judged_with_its_title_as_analyze_judges_it(shared_data, tmp_path, capsys):
    """Detection weighs a page's title; eval read HTML pages without their <title>, which `smallprint analyze` and the
    extension give, so the two named different confidences for one page (0.856 against 0.89 here)."""
    page = "perplexity-acceptable-use-policy.html"
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / page).write_bytes((shared_data / "served-pages" / page).read_bytes())
    (folder / "index.jsonl").write_text(json.dumps({"file": page, "kind": "other"}) + "\n", encoding="utf-8")
    [row] = _detection(["--policies", str(folder)], capsys)["misclassified"]
    assert main(["analyze", str(folder / page), "--depth", "quick", "--format", "json"]) == 0
    analysed = json.loads(capsys.readouterr().out)
    assert (row["kind"], row["confidence"]) == (analysed["kind"], analysed["kind_confidence"])


def _legal_folder(folder, kinds):
    folder.mkdir()
    pages = {
        # the bundled example policy (`scripts/demo`), which test_example_policy.py shows is detected as one
        "privacy_policy": (resources.files("smallprint") / "examples" / "example-privacy-policy.md").read_text(
            encoding="utf-8"),
        "terms_of_service": "Terms of Service\n\nThese terms of service govern your use of the service. By using "
                            "the service you agree to these terms. You may not misuse the service. We may suspend "
                            "your account. These terms are governed by the laws of Ireland. Any dispute will be "
                            "settled by binding arbitration.\n",
    }
    rows = []
    for number, kind in enumerate(kinds):
        name = f"page-{number}.md"
        (folder / name).write_text(pages.get(kind, pages["terms_of_service"]), encoding="utf-8")
        rows.append({"file": name, **({"kind": kind} if kind else {})})
    (folder / "index.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


def test_a_terms_page_found_to_be_terms_is_no_miss_and_misses_name_their_folder(tmp_path, capsys, smallprint_home):
    folder = _legal_folder(tmp_path / "held-out-legal", ["privacy_policy", "terms_of_service", None])
    detection = _detection(["--policies", str(folder)], capsys)
    # page-2 has no kind in the index: in a --policies folder it is a privacy policy to find, as before
    assert detection["per_kind"]["privacy_policy"]["pages"] == 2
    assert detection["per_kind"]["terms_of_service"] == {"pages": 1, "correct": 1,
                                                          "detected": {"terms_of_service": 1}}, detection
    assert (detection["tp"], detection["fp"], detection["fn"], detection["tn"]) == (1, 0, 1, 1), detection
    assert [(row["file"], row["expected"]) for row in detection["misclassified"]] == [
        ("held-out-legal/page-2.md", "privacy_policy")]


def test_the_table_shows_detection_per_kind(tmp_path, capsys, smallprint_home):
    folder = _legal_folder(tmp_path / "legal", ["privacy_policy", "terms_of_service"])
    assert main(["eval", "--policies", str(folder), "--depth", "quick"]) == 0
    out = capsys.readouterr().out
    assert "F1 1.000" in out and "misclassified" not in out
    assert "terms_of_service: 1 of 1 page detected as terms_of_service" in out, out


def test_a_kind_outside_the_engines_kinds_is_refused(tmp_path, capsys):
    folder = _legal_folder(tmp_path / "legal", ["Terms of Service"])
    assert main(["eval", "--policies", str(folder), "--depth", "quick"]) == 1
    err = capsys.readouterr().err
    assert "index.jsonl" in err and "'Terms of Service'" in err and "Traceback" not in err and err.count("\n") == 1


def test_a_folder_name_that_is_not_utf8_is_escaped_in_the_misses(tmp_path):
    """Misses are named by their folder; a Latin-1 folder name is written with \\xNN, as file names are elsewhere,
    instead of failing to print."""
    import os
    import subprocess
    import sys

    folder = _legal_folder(tmp_path / os.fsdecode(b"l\xe9gal"), [None])
    done = subprocess.run([sys.executable, "-m", "smallprint", "eval", "--policies", str(folder), "--depth", "quick",
                           "--json"], env={**os.environ, "SMALLPRINT_HOME": str(tmp_path / "sp-home")},
                          capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    misses = json.loads(done.stdout)["detection"]["misclassified"]
    assert [row["file"] for row in misses] == ["l\\xe9gal/page-0.md"]


# A policy-like list of 33,000 distinct items (1.9 MB): some 4 s of quick analysis on an idle machine.
SLOW_PAGE = "".join(f"- We share your location with advertisers, partner {i}\n" for i in range(33_000))


def test_one_long_analysis_stops_the_evaluation_only_past_the_runs_own_limit(tmp_path, capsys, smallprint_home):
    """An evaluation used the daemon's 30 s limit, and one analysis over it stops the whole run: a held-out policy
    as long as the longest real ones, read fully on a small machine (some 45 s on one core here), would have ended
    the evaluation. A run over many documents has ten times that limit, or its own --time-limit."""
    folder = tmp_path / "held-out"
    folder.mkdir()
    (folder / "long.md").write_text(SLOW_PAGE, encoding="utf-8")
    (folder / "index.jsonl").write_text(json.dumps({"file": "long.md"}) + "\n", encoding="utf-8")
    (smallprint_home / "config").mkdir(parents=True)
    (smallprint_home / "config" / "config.toml").write_text("analysis_timeout_seconds = 1\n")
    # the daemon's 1 s would stop this run; ten times it does not
    assert main(["eval", "--policies", str(folder), "--depth", "quick", "--json"]) == 0
    detection = json.loads(capsys.readouterr().out)["detection"]
    assert detection["tp"] + detection["fn"] == 1  # scored, found or missed
    for limit in ("0", "nan", "-3", "86401", "inf", "soon"):
        with pytest.raises(SystemExit) as refused:  # a usage error, one line naming the option
            main(["eval", "--policies", str(folder), "--time-limit", limit])
        assert refused.value.code == 2
        assert (f"smallprint: error: argument --time-limit: must be a number of seconds above 0 and at most 86400, "
                f"not '{limit}'") in capsys.readouterr().err
    assert main(["eval", "--policies", str(folder), "--depth", "quick", "--time-limit", "0.5"]) == 1
    assert ("an analysis took longer than 0.5 s (eval --time-limit; by default 10 times analysis_timeout_seconds in "
            "config.toml)") in capsys.readouterr().err
