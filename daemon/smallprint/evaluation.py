"""Measured accuracy of the whole engine on data in exactly the formats of ../shared/data.

Three parts, each usable alone (held-out files of the same format can be passed):
- detection: what kind is each page of a policies/ or negatives/ folder (DIR/index.jsonl lists the files)?
  precision, recall and F1 of `privacy_policy` against everything else, and per expected kind how many pages were
  detected as it; a page's expected kind is its index `kind` where given (served-pages/), else privacy_policy in
  a policies folder and "not a privacy policy" in a negatives one; `borderline` pages are reported, not scored;
- opp115: the OPP-115 categories of every segment (a policy's segments, in order, analysed as its blocks),
  micro and macro F1 over the 10 categories; segments with no majority label count as all-negative rows;
- practices: every ToS;DR point with a mapped practice, its text analysed alone: per practice recall (the gold
  practice is among the highlights) and precision (of points where the practice is highlighted, the share whose
  gold practice it is), macro figures over practices with at least 5 points, and polarity accuracy (among points
  whose gold practice was found, the share whose most confident highlight of it has the gold polarity).
Detection and practices go through `smallprint.analyze`, so they measure the engine as users get it.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .cli.inputs import printable_name
from .evaluation_sentences import numbered_jsonl_rows
from .taxonomy import KINDS, OPP115_CATEGORIES, PRACTICE_IDS

MIN_POINTS_FOR_MACRO = 5


def default_data_dir() -> Path:
    """../shared/data seen from the project checkout (or $SMALLPRINT_SHARED/data), else from the working folder."""
    if os.environ.get("SMALLPRINT_SHARED"):
        return Path(os.environ["SMALLPRINT_SHARED"]) / "data"
    project = Path(__file__).resolve().parents[2]
    for candidate in (project.parent / "shared" / "data", Path.cwd().parent / "shared" / "data",
                      Path.cwd() / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return project.parent / "shared" / "data"


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSON Lines file; a ValueError naming the file and line when one is not a JSON object."""
    return [row for _, row in numbered_jsonl_rows(path)]


def digest(paths: Iterable[Path]) -> str:
    """sha256 over the given files (and every file under given folders), in sorted path order."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    h = hashlib.sha256()
    for file in sorted(files, key=lambda p: p.as_posix()):
        h.update(file.name.encode())
        h.update(hashlib.sha256(file.read_bytes()).digest())
    return h.hexdigest()


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# -- detection ----------------------------------------------------------------------------------------------

# What a page of a folder is expected to be detected as: one of the engine's kinds, `borderline` (reported, not
# scored) or NOT_A_POLICY, a page known only not to be a privacy policy (negatives/' `not_privacy_policy`), which
# any kind but privacy_policy matches.
NOT_A_POLICY = "not_privacy_policy"

# The `kind` of a page in a folder's index.jsonl (served-pages/: the kind a reader would call the page) onto the
# engine's kinds. The shared data writes them as the engine does, so each maps onto itself; any other value is
# refused rather than silently scored as something else.
INDEX_KINDS = {kind: kind for kind in KINDS}


@dataclass(frozen=True)
class Page:
    name: str      # as reported: the folder's own name, then the file's path in it
    expected: str  # one of KINDS, "borderline" or NOT_A_POLICY
    path: Path


def _pages(folder: Path, default_expected: str) -> list[Page]:
    """Every page of a folder's index.jsonl with what it should be detected as: its `kind` where the index gives
    one, else its `label` (privacy_policy, borderline, anything else: not a policy), else `default_expected`."""
    index = folder / "index.jsonl"
    if not index.is_file():
        raise ValueError(f"{folder} has no index.jsonl")
    # resolve(): `--policies .` still names the folder by its name; printable_name: a name that is not UTF-8 is
    # shown with its bytes as \\xNN, where printing it would fail
    folder_name = printable_name(folder.resolve().name)
    pages = []
    for entry in read_jsonl(index):
        if "file" not in entry:
            raise ValueError(f"{index}: an entry has no 'file'")
        file, label, kind = str(entry["file"]), entry.get("label"), entry.get("kind")
        if label == "borderline":
            expected = "borderline"
        elif kind is not None:
            if kind not in INDEX_KINDS:
                raise ValueError(f"{index}: {file} has kind {kind!r}, not one of {', '.join(INDEX_KINDS)}")
            expected = INDEX_KINDS[kind]
        elif label:
            expected = "privacy_policy" if label == "privacy_policy" else NOT_A_POLICY
        else:
            expected = default_expected
        pages.append(Page(f"{folder_name}/{file}", expected, folder / file))
    return pages


def _detected_as_expected(kind: str, expected: str) -> bool:
    return kind != "privacy_policy" if expected == NOT_A_POLICY else kind == expected


# The limit of each analysis of this evaluation (evaluate's time_limit); None: time_budget.batch_time_limit's default.
_run_limit: ContextVar[float | None] = ContextVar("eval_time_limit", default=None)


def _analyze(**kwargs):
    """One document of an evaluation, within the run's time limit: a page built to be slow stops the run with a clear
    error instead of holding it for hours. The limit is that of a run over many documents (batch_time_limit: by
    default ten times the daemon's), not the daemon's own: a held-out policy as long as the longest real ones, read
    fully on a small machine, takes longer than a reader waiting on a page is given, and one analysis over the limit
    stops the whole evaluation. The run reads one document at a time in this process, so at full depth the learned
    reader may use the machine's cores (the readings are the same on any number of threads)."""
    from smallprint import analyze

    from .engine.reader import reading_threads
    from .machine import reading_threads as threads_alone
    from .time_budget import OverBudget, batch_limit_said, batch_time_limit, time_budget

    threads = threads_alone() if kwargs.get("depth", "full") == "full" else 1
    seconds = batch_time_limit(_run_limit.get())
    try:
        with time_budget(seconds), reading_threads(threads):
            return analyze(**kwargs)
    except OverBudget:
        raise ValueError(f"an analysis took longer than {seconds:g} s ({batch_limit_said('eval')})") from None


def _page_source(path: Path) -> dict:
    """A page as `smallprint analyze FILE` reads it (`read_document`: its byte-order mark, UTF-16, an HTML page's
    declared charset, a PDF's text; HTML by its suffix), so that a page served in another encoding than UTF-8 is
    detected as a reader's browser shows it, not as replacement characters; an HTML page with its own <title>, as
    the extension sends document.title and `analyze` reads it: detection weighs the title. An empty file is a page
    with no text (detected as such), not the end of the run."""
    from .cli import CliError
    from .cli.inputs import read_document

    if not path.read_bytes().strip():
        return {"text": ""}
    try:
        document = read_document(str(path))
    except CliError as exc:
        raise ValueError(str(exc)) from None
    if not document.is_html:
        return {"text": document.content}
    from .engine.blocks import page_title

    return {"html": document.content, "title": page_title(document.content)}


def evaluate_detection(policies: Path | None, negatives: Path | None, depth: str = "full") -> dict:
    """Each page's detected kind against its expected one: precision, recall and F1 of privacy_policy against
    everything else (a terms page found to be terms is a true negative), and detection per expected kind."""
    pages = []
    if policies is not None:
        pages += _pages(policies, "privacy_policy")
    if negatives is not None:
        pages += _pages(negatives, NOT_A_POLICY)
    tp = fp = fn = tn = 0
    misclassified, borderline = [], []
    per_kind: dict = {}
    for page in pages:
        analysis = _analyze(**_page_source(page.path), depth=depth)
        row = {"file": page.name, "expected": page.expected, "kind": analysis.kind,
               "confidence": round(analysis.kind_confidence, 3), "evidence": list(analysis.kind_evidence[:3])}
        if page.expected == "borderline":
            borderline.append(row)
            continue
        found, wanted = analysis.kind == "privacy_policy", page.expected == "privacy_policy"
        tp += found and wanted
        fp += found and not wanted
        fn += wanted and not found
        tn += not found and not wanted
        right = _detected_as_expected(analysis.kind, page.expected)
        tally = per_kind.setdefault(page.expected, {"pages": 0, "correct": 0, "detected": {}})
        tally["pages"] += 1
        tally["correct"] += right
        tally["detected"] = dict(sorted({**tally["detected"], analysis.kind: tally["detected"].get(analysis.kind, 0) + 1}
                                        .items(), key=lambda item: _kind_order(item[0])))
        if not right:
            misclassified.append(row)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(_f1(precision, recall), 4),
            "tp": tp, "fp": fp, "fn": fn, "tn": tn, "pages": tp + fp + fn + tn,
            "per_kind": {kind: per_kind[kind] for kind in sorted(per_kind, key=_kind_order)},
            "misclassified": misclassified, "borderline": borderline}


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


# -- OPP-115 ------------------------------------------------------------------------------------------------

def tally_categories(counts: dict[str, list[int]], gold: set[str], found: set[str]) -> None:
    """Add one segment's true positives, false positives and false negatives per OPP-115 category to `counts`
    ({category: [tp, fp, fn]})."""
    for c in OPP115_CATEGORIES:
        counts[c][0] += c in gold and c in found
        counts[c][1] += c in found and c not in gold
        counts[c][2] += c in gold and c not in found


def category_scores(counts: dict[str, list[int]]) -> dict:
    """Micro and macro F1 and per-category figures from the tallies of `tally_categories`."""
    per_category = {}
    for c, (tp, fp, fn) in counts.items():
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        per_category[c] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(_f1(p, r), 4),
                           "support": tp + fn, "predicted": tp + fp}
    tp, fp, fn = (sum(v[k] for v in counts.values()) for k in range(3))
    micro = _f1(_ratio(tp, tp + fp), _ratio(tp, tp + fn))
    macro = sum(v["f1"] for v in per_category.values()) / len(per_category)
    return {"micro_f1": round(micro, 4), "macro_f1": round(macro, 4), "per_category": per_category}


def evaluate_opp115(path: Path, split: str | None = None, depth: str = "full") -> dict:
    """Every row of `path` (or only rows of `split`): a policy's segments, in order, analysed as its blocks."""

    rows = [r for r in read_jsonl(path) if split is None or r.get("split") == split]
    if not rows:
        raise ValueError(f"{path}: no OPP-115 rows" + (f" with split == {split!r}" if split else ""))
    by_policy: dict = defaultdict(list)
    for row in rows:
        by_policy[str(row.get("policy_id"))].append(row)
    counts = {c: [0, 0, 0] for c in OPP115_CATEGORIES}  # tp, fp, fn
    for policy_id in sorted(by_policy):
        segments = sorted(by_policy[policy_id], key=lambda r: int(r.get("segment_id", 0)))
        blocks = [{"id": f"s{i}", "text": str(r.get("text") or ""), "tag": "p"} for i, r in enumerate(segments)]
        labelled = {s.block: set(s.categories) for s in _analyze(blocks=blocks, depth=depth, opp115_head=True).segments}
        for i, row in enumerate(segments):
            gold = set(row.get("categories") or ())
            found = labelled.get(f"s{i}", set())
            tally_categories(counts, gold, found)
    result = {**category_scores(counts), "rows": len(rows), "policies": len(by_policy)}
    if depth == "full" and _reader_learnt_opp115():
        # the reader's segment head learnt from every OPP-115 row (a row's split does not keep it out)
        result["rows_seen_in_training"] = len(rows)
        result["note"] = ("the shipped reader's segment head was trained on all OPP-115 rows: these figures are not "
                          "held-out accuracy; see MODEL_CARD_reader.md")
        return result
    seen = _rows_seen_in_training(rows)
    if seen:  # say so, rather than let a figure on training rows pass for a held-out one
        result["rows_seen_in_training"] = seen
        result["note"] = (f"the shipped segments model was trained on {seen} of these {len(rows)} rows (their split is "
                          "one it learnt from): these figures are not held-out accuracy; see MODEL_CARD_segments.md")
    return result


def _reader_learnt_opp115() -> bool:
    try:
        from .engine.reader import model_dir
        return bool(json.loads((model_dir() / "reader.json").read_text(encoding="utf-8")).get("trained_on_opp115"))
    except (OSError, ValueError):
        return False


def _rows_seen_in_training(rows) -> int:
    """How many OPP-115 rows carry a split the shipped segments model was trained on (0 if unknown)."""
    try:
        from .engine.segments import model
        splits = set(model().extra.get("trained_on") or ())
    except (ImportError, ValueError):
        return 0
    return sum(1 for r in rows if r.get("split") in splits)


# -- ToS;DR practices ---------------------------------------------------------------------------------------

def evaluate_practices(path: Path, depth: str = "full") -> dict:
    points = [p for p in read_jsonl(path) if p.get("practice")]
    if not points:
        raise ValueError(f"{path}: no ToS;DR points with a practice")
    return practice_metrics(count_practices(points, depth=depth))


def count_practices(points: Iterable[dict], counts: dict | None = None, use_model: bool = True,
                    depth: str = "quick") -> dict:
    """Tallies of the practices metric over ToS;DR points (each with a `practice`), each text analysed alone;
    added to `counts` when given, so that several runs (e.g. the folds of a held-out evaluation) pool into one."""

    counts = counts if counts is not None else {k: defaultdict(int) for k in _COUNT_KEYS}
    gold_n, found_n, highlighted_n, correct_highlighted, polarity_ok = (counts[k] for k in _COUNT_KEYS)
    for point in points:
        gold, gold_polarity = str(point["practice"]), point.get("polarity")
        highlights = _analyze(text=str(point.get("text") or ""), use_model=use_model, depth=depth).highlights
        gold_n[gold] += 1
        for practice in {h.practice for h in highlights}:
            highlighted_n[practice] += 1
            correct_highlighted[practice] += practice == gold
        mine = [h for h in highlights if h.practice == gold]
        if mine:
            found_n[gold] += 1
            strongest = max(mine, key=lambda h: h.confidence)  # first of the most confident
            polarity_ok[gold] += strongest.polarity == gold_polarity
    return counts


_COUNT_KEYS = ("gold", "found", "highlighted", "correct_highlighted", "polarity_ok")


def practice_metrics(counts: dict) -> dict:
    """Per-practice and macro figures from the tallies of `count_practices`."""
    gold_n, found_n, highlighted_n, correct_highlighted, polarity_ok = (counts[k] for k in _COUNT_KEYS)
    per_practice = {}
    for practice in sorted(set(gold_n) | set(highlighted_n), key=_practice_order):
        per_practice[practice] = {
            "points": gold_n.get(practice, 0),
            "recall": round(_ratio(found_n.get(practice, 0), gold_n.get(practice, 0)), 4),
            "precision": round(_ratio(correct_highlighted.get(practice, 0), highlighted_n.get(practice, 0)), 4),
            "highlighted": highlighted_n.get(practice, 0),
            "polarity_accuracy": round(_ratio(polarity_ok.get(practice, 0), found_n.get(practice, 0)), 4),
        }
    scored = [p for p, n in gold_n.items() if n >= MIN_POINTS_FOR_MACRO]
    macro_recall = sum(per_practice[p]["recall"] for p in scored) / len(scored) if scored else 0.0
    macro_precision = sum(per_practice[p]["precision"] for p in scored) / len(scored) if scored else 0.0
    return {"points": sum(gold_n.values()), "macro_recall": round(macro_recall, 4),
            "macro_precision": round(macro_precision, 4),
            "polarity_accuracy": round(_ratio(sum(polarity_ok.values()), sum(found_n.values())), 4),
            "macro_over": sorted(scored, key=_practice_order), "per_practice": per_practice}


def _practice_order(practice: str) -> tuple[int, str]:
    return (PRACTICE_IDS.index(practice) if practice in PRACTICE_IDS else len(PRACTICE_IDS), practice)


# -- all of it ----------------------------------------------------------------------------------------------

def evaluate_sentences(folder: Path, depth: str = "full") -> dict:
    """Highlights against whole policies labelled sentence by sentence (the format of policy-sentences/), scored
    exactly as its README defines; each policy's NAME.txt analysed as text."""

    from .evaluation_sentences import key_finding_counts, key_finding_summary, load_policies, reader_agreement
    from .evaluation_sentences import evaluate_sentences as score

    analyses = {}

    def read(text: str):
        analyses[text] = analysis = _analyze(text=text, depth=depth)
        return [(h.text, h.practice, h.polarity) for h in analysis.highlights]

    result = score(Path(folder), read)
    # The key findings of the same readings: do they cite sentences labelled with their reading, and do they cover
    # the concern practices each policy states?
    result["key_findings"] = key_finding_summary([
        key_finding_counts(p, analyses[p.text].highlights, analyses[p.text].key_findings)
        for p in load_policies(Path(folder)) if p.text in analyses])
    agreement = reader_agreement(Path(folder))
    if agreement:
        result["two_readers"] = {name: {k: v for k, v in r.items() if k != "per_policy"}
                                 for name, r in agreement.items()}
    result["depth"] = depth
    # only the full depth runs the reader; the quick one's rules and linear models never saw these labels
    seen = _policies_seen_in_training(Path(folder)) if depth == "full" else []
    if seen:
        result["policies_seen_in_training"] = seen
        result["note"] = (f"the shipped reader was trained on {len(seen)} of these policies: these figures are not "
                          "held-out accuracy; see MODEL_CARD_reader.md for the cross-validated ones")
    return result


def _policies_seen_in_training(folder: Path) -> list[str]:
    """Which of a folder's labelled policies the shipped reader learnt from (by the text's sha256)."""
    try:
        from .engine.reader import model_dir
        config = json.loads((model_dir() / "reader.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    trained = set(config.get("trained_on_sha256") or ())
    return sorted(p.name[:-4] for p in Path(folder).glob("*.txt")
                  if hashlib.sha256(p.read_bytes()).hexdigest() in trained)


def _shown(path: Path) -> str:
    """A data path as the result names it: bytes of a name that is not UTF-8 as \\xNN (printable_name), so that the
    JSON and the table can be printed and lose nothing."""
    return printable_name(str(path))


def evaluate(*, opp115: Path | None = None, tosdr: Path | None = None, policies: Path | None = None,
             negatives: Path | None = None, opp115_split: str | None = None, sentences: Path | None = None,
             depth: str = "full", time_limit: float | None = None) -> dict:
    """The parts whose data is given; a part with no data is left out of the result. Each analysis runs within
    `time_limit` seconds (None: time_budget.batch_time_limit's default)."""
    from .time_budget import batch_time_limit

    limit = _run_limit.set(batch_time_limit(time_limit))  # the config read once, not once a document
    try:
        return _evaluate(opp115=opp115, tosdr=tosdr, policies=policies, negatives=negatives, opp115_split=opp115_split,
                         sentences=sentences, depth=depth)
    finally:
        _run_limit.reset(limit)


def _evaluate(*, opp115: Path | None, tosdr: Path | None, policies: Path | None, negatives: Path | None,
              opp115_split: str | None, sentences: Path | None, depth: str) -> dict:
    result: dict = {"data": {}}
    seconds: dict = {}
    if sentences is not None:
        started = time.perf_counter()
        result["sentences"] = evaluate_sentences(sentences, depth)
        seconds["sentences"] = round(time.perf_counter() - started, 2)
        result["data"]["sentences"] = _shown(sentences)
    if policies is not None or negatives is not None:
        started = time.perf_counter()
        result["detection"] = evaluate_detection(policies, negatives, depth)
        seconds["detection"] = round(time.perf_counter() - started, 2)
        result["data"]["policies"] = _shown(policies) if policies else None
        result["data"]["negatives"] = _shown(negatives) if negatives else None
    if opp115 is not None:
        started = time.perf_counter()
        result["opp115"] = evaluate_opp115(opp115, opp115_split, depth)
        seconds["opp115"] = round(time.perf_counter() - started, 2)
        result["data"]["opp115"] = _shown(opp115) + (f" (split == {opp115_split})" if opp115_split else "")
    if tosdr is not None:
        started = time.perf_counter()
        result["practices"] = evaluate_practices(tosdr, depth)
        seconds["practices"] = round(time.perf_counter() - started, 2)
        result["data"]["tosdr"] = _shown(tosdr)
    result["seconds"] = seconds
    result["depth"] = depth
    return result


def evaluate_defaults(data: Path | None = None, depth: str = "full", time_limit: float | None = None) -> dict:
    """The shared data's dev portions: OPP-115 dev rows, every ToS;DR point, every policy and negative page, and
    the whole policies labelled sentence by sentence."""
    data = Path(data) if data else default_data_dir()
    sentences = data / "policy-sentences"
    return evaluate(opp115=data / "opp115" / "segments.jsonl", opp115_split="dev",
                    tosdr=data / "tosdr" / "points.jsonl", policies=data / "policies",
                    negatives=data / "negatives", sentences=sentences if sentences.is_dir() else None, depth=depth,
                    time_limit=time_limit)


def _measure(value: float, defined: bool, width: int) -> str:
    return f"{value:{width}.3f}" if defined else f"{'-':>{width}s}"


def _per_kind_line(expected: str, tally: dict) -> str:
    """e.g. `terms_of_service: 1 of 2 pages detected as terms_of_service (1 as other)`."""
    pages = f"{tally['pages']} page{'s' * (tally['pages'] != 1)}"
    target = "anything but privacy_policy" if expected == NOT_A_POLICY else expected
    wrong = [f"{n} as {kind}" for kind, n in tally["detected"].items() if not _detected_as_expected(kind, expected)]
    return f"{expected}: {tally['correct']} of {pages} detected as {target}" + (f" ({', '.join(wrong)})" if wrong else "")


def _count(n: int, one: str, many: str | None = None) -> str:
    """"1 policy", "2 policies"."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def format_table(result: dict) -> str:
    """The readable view of an evaluation result."""
    lines = []
    sen = result.get("sentences")
    if sen:
        lines.append(f"Highlights vs careful readers' sentence labels ({_count(sen['policies'], 'policy', 'policies')}, "
                     f"{_count(sen['labels'], 'label')}, {_count(sen['highlights'], 'highlight')}, depth {sen['depth']})")
        lines.append(f"  precision {sen['precision']:.3f}  practice precision {sen['practice_precision']:.3f}"
                     f"  recall {sen['recall']:.3f}  practice recall {sen['practice_recall']:.3f}"
                     f"  document F1 {sen['document_f1']:.3f}")
        key = sen.get("key_findings")
        if key:
            lines.append(f"  key findings: {key['key_findings']} ({key['most_in_one_policy']} at most in one policy); "
                         f"precision {key['precision']:.3f}  concern coverage {key['concern_coverage']:.3f}")
        for name, r in (sen.get("two_readers") or {}).items():
            lines.append(f"  two careful readers on {name}: precision {r['precision']:.3f}  practice precision "
                         f"{r['practice_precision']:.3f}  recall {r['recall']:.3f}  practice recall {r['practice_recall']:.3f}")
        if sen.get("note"):
            lines.append(f"  NOTE: {sen['note']}")
        lines.append("")
    det = result.get("detection")
    if det:
        lines.append(f"Detection (privacy_policy vs everything else, {_count(det['pages'], 'page')})")
        # Negative pages alone have no policy to find (recall) and, all rightly passed over, nothing found
        # (precision): "-" there, not a 0.000 that reads as a failure.
        found, policies = det["tp"] + det["fp"], det["tp"] + det["fn"]
        lines.append(f"  precision {_measure(det['precision'], found > 0, 0)}  recall "
                     f"{_measure(det['recall'], policies > 0, 0)}  F1 {_measure(det['f1'], found + policies > 0, 0)}"
                     f"   (tp {det['tp']}, fp {det['fp']}, fn {det['fn']}, tn {det['tn']})")
        for kind, tally in det.get("per_kind", {}).items():
            lines.append("  " + _per_kind_line(kind, tally))
        for row in det["misclassified"]:
            lines.append(f"  misclassified: {row['file']} (expected {row['expected']}, got {row['kind']}"
                         f" {row['confidence']:.2f})")
        for row in det["borderline"]:
            lines.append(f"  borderline, not scored: {row['file']} -> {row['kind']} {row['confidence']:.2f}")
        lines.append("")
    opp = result.get("opp115")
    if opp:
        lines.append(f"OPP-115 categories ({opp['rows']} segment{'s' * (opp['rows'] != 1)}, {opp['policies']} "
                     f"polic{'ies' if opp['policies'] != 1 else 'y'})")
        lines.append(f"  micro F1 {opp['micro_f1']:.3f}  macro F1 {opp['macro_f1']:.3f}")
        if opp.get("note"):
            lines.append(f"  NOTE: {opp['note']}")
        lines.append(f"  {'category':40s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>5s}")
        for category, v in opp["per_category"].items():
            # A category no segment has has no recall, one never predicted no precision, and neither no F1.
            predicted = v.get("predicted", 1)
            lines.append(f"  {category:40s} {_measure(v['precision'], predicted > 0, 6)}"
                         f" {_measure(v['recall'], v['support'] > 0, 6)}"
                         f" {_measure(v['f1'], predicted + v['support'] > 0, 6)} {v['support']:5d}")
        lines.append("")
    pra = result.get("practices")
    if pra:
        lines.append(f"Practices (ToS;DR, {pra['points']} points, each analysed alone)")
        # No practice with enough points (a few held-out points): the macro figures average nothing; "-", not 0.000.
        macro = bool(pra["macro_over"])
        lines.append(f"  macro recall {_measure(pra['macro_recall'], macro, 0)}"
                     f"  macro precision {_measure(pra['macro_precision'], macro, 0)}"
                     f"  polarity accuracy {pra['polarity_accuracy']:.3f}"
                     f"  (macro over {len(pra['macro_over'])} practices with >= {MIN_POINTS_FOR_MACRO} points)")
        lines.append(f"  {'practice':24s} {'points':>6s} {'recall':>7s} {'prec.':>7s} {'polarity':>9s}")
        for practice, v in pra["per_practice"].items():
            # A practice with no points has no recall to measure, one never highlighted no precision, and one whose
            # points were none of them found no polarity (measured on the points found): "-" there, not a 0.000
            # that reads as a failure.
            has_points, highlighted, found = v["points"] > 0, v.get("highlighted", 1) > 0, v["recall"] > 0
            lines.append(f"  {practice:24s} {v['points']:6d} {_measure(v['recall'], has_points, 7)}"
                         f" {_measure(v['precision'], highlighted, 7)} {_measure(v['polarity_accuracy'], found, 9)}")
        lines.append("")
    if result.get("seconds"):
        lines.append("seconds: " + ", ".join(f"{k} {v}" for k, v in result["seconds"].items()))
    return "\n".join(lines)
