"""`smallprint eval` on held-out files that the shared data's formats allow but its own files do not show: a UTF-8
byte-order mark and CRLF line ends (JSON Lines files and policy texts), pages in another encoding than UTF-8, a
handful of ToS;DR points. Each case once stopped the run or scored it wrong; fixtures are written in tmp_path."""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from smallprint.cli import main

BOM = "\ufeff"
TEXT = ("Privacy Policy\n\nWe may use your content to train our AI models.\n\n"
        "We do not sell your personal information.\n")
LABELS = [{"sid": 1, "labels": [{"practice": "ai_training", "polarity": "concern"}]},
          {"sid": 2, "labels": [{"practice": "sale_of_data", "polarity": "protective"}]}]
POINTS = [{"point_id": "1", "service": "a", "service_url": "a.example", "case_title": "t",
           "tosdr_classification": "bad", "practice": "sale_of_data", "polarity": "protective",
           "text": "We do not sell your personal information to anyone.", "source_document": "Privacy Policy"},
          {"point_id": "2", "service": "b", "service_url": None, "case_title": "t", "tosdr_classification": "neutral",
           "practice": None, "polarity": None, "text": "Disputes are settled by arbitration.",
           "source_document": "Terms of Service"}]
SEGMENTS = [{"policy_id": 1, "policy_name": "a.example", "policy_url": "a.example/privacy", "segment_id": i,
             "text": text, "categories": categories, "categories_12": [], "categories_union": categories,
             "votes": {}, "attributes_majority": {}, "split": "test"}
            for i, (text, categories) in enumerate([
                ("We collect your e-mail address when you register.", ["First Party Collection/Use"]),
                ("We keep your data for two years.", ["Data Retention"])])]


def _jsonl(rows, windows: bool = False) -> str:
    """JSON Lines as a Windows editor saves them (a byte-order mark, CRLF, a blank line at the end) or plainly."""
    newline = "\r\n" if windows else "\n"
    return (BOM if windows else "") + "".join(json.dumps(r) + newline for r in rows) + (newline if windows else "")


def _run(args, capsys) -> dict:
    code = main(["eval", *args, "--depth", "quick", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _sentence_rows(text: str) -> list[dict]:
    rows, at = [], 0
    for sid, line in enumerate(line for line in text.splitlines() if line.strip()):
        at = text.index(line, at)
        rows.append({"sid": sid, "start": at, "end": at + len(line), "text": line})
        at += len(line)
    return rows


def _policy_folder(folder: Path, stored: str, offsets_on: str, windows_jsonl: bool = False) -> Path:
    """One labelled policy whose NAME.txt holds `stored` and whose offsets were made on `offsets_on`."""
    folder.mkdir()
    (folder / "p-2027.txt").write_bytes(stored.encode("utf-8"))
    (folder / "p-2027.sentences.jsonl").write_bytes(_jsonl(_sentence_rows(offsets_on), windows_jsonl).encode())
    (folder / "p-2027.labels.jsonl").write_bytes(_jsonl(LABELS, windows_jsonl).encode())
    return folder


def _scored(result: dict) -> dict:
    keep = ("policies", "labels", "highlights", "precision", "recall", "document_f1", "unplaced_highlights")
    return {k: result["sentences"][k] for k in keep}


CRLF = TEXT.replace("\n", "\r\n")


@pytest.mark.parametrize("case, stored, offsets_on, windows_jsonl", [
    ("JSON Lines with a byte-order mark and CRLF", TEXT, TEXT, True),
    ("a CRLF text, offsets counting each \\r", CRLF, CRLF, False),
    ("a text turned CRLF after its offsets were made", CRLF, TEXT, False),
    ("a text saved with a byte-order mark after its offsets were made", BOM + TEXT, TEXT, False),
    ("a byte-order mark the offsets count", BOM + TEXT, BOM + TEXT, False),
])
def test_a_policy_saved_the_windows_way_scores_as_the_plain_one(tmp_path, capsys, smallprint_home, case, stored,
                                                                offsets_on, windows_jsonl):
    # A byte-order mark stopped the run ("Unexpected UTF-8 BOM"), and a CRLF text was read in text mode, every \r
    # dropped, so offsets that count them were refused as stale.
    plain = _scored(_run(["--sentences", str(_policy_folder(tmp_path / "plain", TEXT, TEXT))], capsys))
    assert plain["labels"] == 2 and plain["highlights"] > 0, plain
    other = _policy_folder(tmp_path / "held out", stored, offsets_on, windows_jsonl)
    assert _scored(_run(["--sentences", str(other)], capsys)) == plain, case


def test_offsets_that_fit_no_reading_of_the_text_are_still_refused(tmp_path, capsys):
    folder = _policy_folder(tmp_path / "p", CRLF, "Last updated: 1 May 2026.\n\n" + TEXT)
    assert main(["eval", "--sentences", str(folder), "--depth", "quick"]) == 1
    err = capsys.readouterr().err
    assert "p-2027.sentences.jsonl:" in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("saved", [lambda text: text.replace("\n", "\r\n"), lambda text: BOM + text],
                         ids=["CRLF", "byte-order mark"])
def test_offsets_that_fit_two_readings_with_no_text_to_tell_them_apart_are_refused(tmp_path, capsys, saved):
    # Rows without their "text" (the format's field, not required): the first reading that fitted was taken, the file
    # as stored, so offsets made on the \n lines of a text later turned CRLF pointed every sentence after the first
    # line end at the wrong characters, and the policy scored 0 with no word said.
    text = "Privacy Policy\n\n" + "".join(f"Part {i}.\n\n" for i in range(30)) + TEXT
    rows = [{key: row[key] for key in ("sid", "start", "end")} for row in _sentence_rows(text)]
    folder = _policy_folder(tmp_path / "p", saved(text), text)
    (folder / "p-2027.sentences.jsonl").write_text(_jsonl(rows), encoding="utf-8")
    assert main(["eval", "--sentences", str(folder), "--depth", "quick"]) == 1
    err = capsys.readouterr().err
    assert "p-2027.sentences.jsonl: its offsets fit p-2027.txt both" in err and err.count("\n") == 1, err


def test_tosdr_opp115_and_index_files_with_a_byte_order_mark_and_crlf_are_read(tmp_path, capsys, smallprint_home):
    for windows in (False, True):
        folder = tmp_path / f"windows {windows}"
        (folder / "pages").mkdir(parents=True)
        (folder / "points.jsonl").write_bytes(_jsonl(POINTS, windows).encode())
        (folder / "segments.jsonl").write_bytes(_jsonl(SEGMENTS, windows).encode())
        (folder / "pages" / "terms.md").write_text("Terms of Service\n\nBy using the service you agree to these "
                                                   "terms. Disputes are settled by arbitration.\n", encoding="utf-8")
        (folder / "pages" / "index.jsonl").write_bytes(_jsonl([{"file": "terms.md", "category": "legal",
                                                                "label": "not_privacy_policy"}], windows).encode())
        result = _run(["--tosdr", str(folder / "points.jsonl"), "--opp115", str(folder / "segments.jsonl"),
                       "--negatives", str(folder / "pages")], capsys)
        figures = (result["practices"]["points"], result["opp115"]["rows"], result["opp115"]["micro_f1"],
                   result["detection"]["pages"], result["detection"]["tn"])
        if not windows:
            plain = figures
            assert figures[:2] == (1, 2) and figures[3:] == (1, 1), figures  # the point without a practice: left out
    assert figures == plain


def test_a_page_in_utf16_is_detected_as_analyze_reads_it(tmp_path, capsys, smallprint_home):
    # Pages were read as UTF-8 with errors replaced: a UTF-16 page (or one in its declared charset) became replacement
    # characters and NULs, and a privacy policy was detected as "other"; `smallprint analyze` reads it as it is.
    policy = (resources.files("smallprint") / "examples" / "example-privacy-policy.md").read_text(encoding="utf-8")
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "policy.md").write_bytes(policy.encode("utf-16"))
    (folder / "empty.html").write_bytes(b"")  # no text: detected as such, not the end of the run
    (folder / "index.jsonl").write_text(_jsonl([{"file": "policy.md", "kind": "privacy_policy"},
                                                {"file": "empty.html", "kind": "other"}]), encoding="utf-8")
    detection = _run(["--policies", str(folder)], capsys)["detection"]
    assert main(["analyze", str(folder / "policy.md"), "--depth", "quick", "--format", "json"]) == 0
    analysed = json.loads(capsys.readouterr().out)
    assert analysed["kind"] == "privacy_policy"
    assert detection["per_kind"]["privacy_policy"] == {"pages": 1, "correct": 1, "detected": {"privacy_policy": 1}}
    assert detection["pages"] == 2, detection


def test_a_few_points_show_no_macro_figure_in_the_table(tmp_path, capsys, smallprint_home):
    # Macro figures average the practices with at least 5 points; with none, the table printed 0.000 (a failure).
    (tmp_path / "points.jsonl").write_text(_jsonl(POINTS), encoding="utf-8")
    assert main(["eval", "--tosdr", str(tmp_path / "points.jsonl"), "--depth", "quick"]) == 0
    out = capsys.readouterr().out
    assert "macro recall -  macro precision -" in out and "macro over 0 practices" in out, out


# -- the --json object's keys: stable, and each named in the README's Accuracy section -----------------------


README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_KEYS = {
    None: {"data", "seconds", "depth", "sentences", "detection", "opp115", "practices"},
    "sentences": {"policies", "highlights", "labels", "precision", "practice_precision", "recall", "practice_recall",
                  "document_f1", "unplaced_highlights", "per_policy", "key_findings", "depth"},
    "detection": {"precision", "recall", "f1", "tp", "fp", "fn", "tn", "pages", "per_kind", "misclassified",
                  "borderline"},
    "opp115": {"micro_f1", "macro_f1", "per_category", "rows", "policies"},
    "practices": {"points", "macro_recall", "macro_precision", "polarity_accuracy", "macro_over", "per_practice"},
}
# present only where they apply: a second reader's labels, the reader's own training data
OPTIONAL_KEYS = {"sentences": {"two_readers", "policies_seen_in_training", "note"},
                 "opp115": {"rows_seen_in_training", "note"}}


def test_the_json_keys_are_the_documented_ones(tmp_path, capsys, smallprint_home):
    folder = _policy_folder(tmp_path / "sentences", TEXT, TEXT)
    (tmp_path / "points.jsonl").write_text(_jsonl(POINTS), encoding="utf-8")
    (tmp_path / "segments.jsonl").write_text(_jsonl(SEGMENTS), encoding="utf-8")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "p.md").write_text(TEXT, encoding="utf-8")
    (pages / "index.jsonl").write_text(_jsonl([{"file": "p.md"}]), encoding="utf-8")
    result = _run(["--sentences", str(folder), "--tosdr", str(tmp_path / "points.jsonl"), "--opp115",
                   str(tmp_path / "segments.jsonl"), "--policies", str(pages)], capsys)
    assert set(result) == DOCUMENTED_KEYS[None]
    for part in DOCUMENTED_KEYS.keys() - {None}:
        assert DOCUMENTED_KEYS[part] <= set(result[part]) <= DOCUMENTED_KEYS[part] | OPTIONAL_KEYS.get(part, set()), \
            (part, set(result[part]) ^ DOCUMENTED_KEYS[part])
    accuracy = README.read_text(encoding="utf-8").split("## Accuracy", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([a-z_0-9]+)`", accuracy))
    every_key = set().union(*DOCUMENTED_KEYS.values(), *OPTIONAL_KEYS.values()) - {None}
    assert every_key <= named, f"not named in the README's Accuracy section: {sorted(every_key - named)}"


@pytest.mark.parametrize("damaged", ["points.jsonl", "p-2027.txt"])
def test_a_file_that_is_not_utf8_is_named(tmp_path, capsys, damaged):
    # The codec's message ("'utf-8' codec can't decode byte 0xe9 in position 56") named no file among dozens.
    folder = _policy_folder(tmp_path / "data", TEXT, TEXT)
    (folder / "points.jsonl").write_text(_jsonl(POINTS), encoding="utf-8")
    with open(folder / damaged, "ab") as handle:
        handle.write("café\n".encode("latin-1"))
    args = ["--tosdr", str(folder / "points.jsonl")] if damaged == "points.jsonl" else ["--sentences", str(folder)]
    assert main(["eval", *args, "--depth", "quick"]) == 1
    err = capsys.readouterr().err
    assert f"{damaged}: not UTF-8 text" in err and "Traceback" not in err and err.count("\n") == 1, err


def test_a_practice_whose_points_were_all_missed_shows_no_polarity_accuracy(tmp_path, capsys, smallprint_home):
    # Polarity accuracy is measured on the points whose practice was found; with none found the table said 0.000.
    missed = {**POINTS[0], "practice": "security", "text": "We do not sell your personal information to anyone."}
    (tmp_path / "points.jsonl").write_text(_jsonl([POINTS[0], missed]), encoding="utf-8")
    assert main(["eval", "--tosdr", str(tmp_path / "points.jsonl"), "--depth", "quick"]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()
            if line.startswith("  ") and len(line.split()) == 5}
    assert rows["security"][:2] == ["1", "0.000"] and rows["security"][3] == "-", rows
    assert rows["sale_of_data"][3] == "1.000", rows
