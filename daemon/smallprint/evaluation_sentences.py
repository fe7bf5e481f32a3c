"""Highlights scored against whole policies labelled sentence by sentence, exactly as
../shared/data/policy-sentences/README.md defines it:

- each highlight is placed on the sentences its text overlaps in NAME.txt (whitespace-insensitive);
- precision = highlights whose (practice, polarity) is a label of a sentence they overlap / all highlights;
  practice precision = the same, practice only;
- recall = labels (sentence, practice, polarity) covered by an overlapping highlight of that practice and polarity
  / all labels; practice recall = the same over (sentence, practice);
- document F1 = per policy, the set of (practice, polarity) pairs shown vs the set labelled; averaged.
Pooled over policies (sums of counts), except document F1.

The same placement (`TextLocator`) maps the reader's units onto labelled sentences when training data is built.
"""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .taxonomy import POLARITIES, PRACTICE_IDS


@dataclass(frozen=True)
class LabelledPolicy:
    name: str
    text: str
    starts: tuple[int, ...]  # sentence start offsets, sorted
    ends: tuple[int, ...]
    labels: dict[int, frozenset[tuple[str, str]]] = field(default_factory=dict)  # sentence index -> labels

    def sentences_overlapping(self, start: int, end: int) -> range:
        """Indices of the sentences whose [start, end) overlaps [start, end)."""
        first = bisect.bisect_right(self.ends, start)
        last = bisect.bisect_left(self.starts, end)
        return range(first, last)


def numbered_jsonl_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) of every non-blank line of a JSON Lines file; ValueError naming the file and line of one
    that is not a JSON object. A UTF-8 byte-order mark (a file saved by a Windows editor) is not part of the first
    row, and CRLF line ends and trailing blank lines are whitespace, as JSON Lines allows. A file that is not UTF-8
    (as JSON must be) is a ValueError naming it, not a codec's message that names no file."""
    rows = []
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except ValueError as exc:
                        raise ValueError(f"{path}:{number}: not JSON ({exc})") from None
                    if not isinstance(row, dict):
                        raise ValueError(f"{path}:{number}: not a JSON object")
                    rows.append((number, row))
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None
    return rows


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> ValueError:
    return ValueError(f"{path}: not UTF-8 text ({exc.reason})")


def _sentence_rows(path: Path, text: str) -> list[dict]:
    """The sentence rows of a policy, checked against its text: offsets inside it, in order, and the row's own
    "text" (where given) the very characters they point at, so that a NAME.txt edited after its offsets were
    made is refused instead of scoring 0."""
    rows = []
    for number, row in numbered_jsonl_rows(path):
        sid, start, end = row.get("sid"), row.get("start"), row.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (sid, start, end)):
            raise ValueError(f"{path}:{number}: a sentence row needs whole-number sid, start and end")
        if not 0 <= start < end <= len(text):
            raise ValueError(f"{path}:{number}: offsets {start}-{end} are outside the text ({len(text)} characters)")
        if isinstance(row.get("text"), str) and text[start:end] != row["text"]:
            raise ValueError(f"{path}:{number}: sentence {sid}'s text is not the text at {start}-{end} of the "
                             f"policy (was the .txt edited after its offsets were made?)")
        rows.append(row)
    if len({r["sid"] for r in rows}) != len(rows):
        raise ValueError(f"{path}: a sid is given to two sentences")
    return sorted(rows, key=lambda r: r["start"])


def _text_and_sentences(txt: Path, sentence_file: Path) -> tuple[str, list[dict]]:
    """NAME.txt as its sentence offsets were made on, with its sentence rows. The offsets count the code points of
    the file as stored (each \\r of a CRLF line end, a byte-order mark), so it is read exactly, not in text mode,
    which would drop every \\r and shift each offset after it; where they fit only the file without its mark or with
    its line ends as \\n (converted after the offsets were made: a checkout that writes CRLF, an editor's save), that
    reading is the one they were made on. Offsets that fit none are refused as `_sentence_rows` says. Offsets that
    fit more than one reading, pointing at other characters in each, are refused too: only a row's "text" tells the
    readings apart, and without it the first that fits would place every sentence after the first line end on the
    wrong characters (a CRLF file whose offsets were made on its \\n lines scored 0), silently."""
    try:
        stored = txt.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(txt, exc) from None
    unmarked = stored.removeprefix("\ufeff")
    as_text_mode = [t.replace("\r\n", "\n").replace("\r", "\n") for t in (stored, unmarked)]
    readings = dict.fromkeys([stored, unmarked, *as_text_mode])  # in this order, each once
    fitting, first_error = [], None
    for text in readings:
        try:
            fitting.append((text, _sentence_rows(sentence_file, text)))
        except ValueError as exc:
            first_error = first_error or exc
    if not fitting:
        raise first_error
    text, rows = fitting[0]
    pointed_at = [text[row["start"]:row["end"]] for row in rows]
    if any([other[row["start"]:row["end"]] for row in rows] != pointed_at for other, _ in fitting[1:]):
        raise ValueError(f"{sentence_file}: its offsets fit {txt.name} both as stored and with its byte-order mark or "
                         f"\\r line ends left out, at other characters in each, and no row gives its \"text\" to "
                         f"say which: give each sentence row its text, or save {txt.name} as its offsets were made")
    return text, rows


def _label_pairs(path: Path, number: int, row: dict) -> frozenset[tuple[str, str]]:
    labels = row.get("labels", ())
    if not isinstance(labels, list):
        raise ValueError(f"{path}:{number}: \"labels\" must be a list")
    pairs = []
    for label in labels:
        if not isinstance(label, dict) or label.get("practice") not in PRACTICE_IDS or \
                label.get("polarity") not in POLARITIES:
            raise ValueError(f"{path}:{number}: {label!r} is not a practice and polarity of the taxonomy "
                             f"(docs/taxonomy.md: practice ids such as \"ai_training\"; concern, protective or neutral)")
        pairs.append((label["practice"], label["polarity"]))
    return frozenset(pairs)


def load_policies(folder: Path, labels_suffix: str = ".labels.jsonl") -> list[LabelledPolicy]:
    """Every NAME.txt with its NAME.sentences.jsonl and NAME.labels.jsonl (or another labeller's file: then a
    policy without one is skipped, since a second reader reads only some). ValueError, naming the file and line,
    for a policy without its files, offsets that do not fit its text, a sid labelled twice or a label outside the
    taxonomy: figures on a damaged folder would be wrong without saying so."""
    folder = Path(folder)
    policies = []
    for txt in sorted(folder.glob("*.txt")):
        name = txt.name[:-4]
        sentence_file = folder / f"{name}.sentences.jsonl"
        label_file = folder / f"{name}{labels_suffix}"
        if not sentence_file.is_file() or not label_file.is_file():
            if labels_suffix == ".labels.jsonl":
                missing = sentence_file if not sentence_file.is_file() else label_file
                raise ValueError(f"{txt}: its {missing.name} is missing (every NAME.txt is scored with its "
                                 f"NAME.sentences.jsonl and NAME.labels.jsonl)")
            continue
        text, sentences = _text_and_sentences(txt, sentence_file)
        position = {row["sid"]: i for i, row in enumerate(sentences)}
        labels: dict[int, frozenset[tuple[str, str]]] = {}
        seen: set = set()
        for number, row in numbered_jsonl_rows(label_file):
            sid = row.get("sid")
            if sid not in position:
                raise ValueError(f"{label_file}:{number}: sid {sid!r} is not a sentence of {name}")
            if sid in seen:
                raise ValueError(f"{label_file}:{number}: sid {sid} is labelled twice (one row per sentence)")
            seen.add(sid)
            pairs = _label_pairs(label_file, number, row)
            if pairs:
                labels[position[sid]] = pairs
        policies.append(LabelledPolicy(name, text, tuple(r["start"] for r in sentences),
                                       tuple(r["end"] for r in sentences), labels))
    if not policies:
        raise ValueError(f"{folder}: no NAME.txt with NAME.sentences.jsonl and NAME{labels_suffix}")
    return policies


# Markup that a labelled text may carry and the engine's reading of it does not (a Markdown export read as it was
# labelled keeps HTML's <br> and the targets of links it could not read, which the engine now reads): skipped on
# both sides, so that a unit still finds its labelled sentence. A target may hold one level of parentheses.
_MARKUP = re.compile(r"<br\s{0,20}/?>|\]\((?:[^()\s\\]|\\.|\((?:[^()\s\\]|\\.){0,300}\)){0,2000}\)", re.I)


def _letters(text: str) -> list[tuple[int, str]]:
    """(position, character) of every letter and digit of `text` outside `_MARKUP` (blanked, so positions hold)."""
    if "<" in text or "](" in text:
        text = _MARKUP.sub(lambda m: " " * (m.end() - m.start()), text)
    return [(i, c) for i, c in enumerate(text) if c.isalnum()]


def _fold_char(c: str) -> str:
    """One character for one: "İ".lower() is "i" and a combining dot, which would shift every position after it."""
    return c.lower()[0]


class TextLocator:
    """Finds a snippet in a text ignoring whitespace and markup (only letters and digits are compared), searching
    forward from a cursor first, since highlights and units come in reading order."""

    def __init__(self, text: str) -> None:
        keep = _letters(text)
        self.positions = [i for i, _ in keep]
        self.folded = "".join(_fold_char(c) for _, c in keep)
        self.cursor = 0

    @staticmethod
    def fold(snippet: str) -> str:
        return "".join(_fold_char(c) for _, c in _letters(snippet))

    def locate(self, snippet: str) -> tuple[int, int] | None:
        key = self.fold(snippet)
        if not key:
            return None
        at = self.folded.find(key, self.cursor)
        if at < 0:
            at = self.folded.find(key)
        if at < 0:
            return None
        self.cursor = at  # the next highlight may be on the same sentence
        return self.positions[at], self.positions[at + len(key) - 1] + 1


@dataclass
class Counts:
    highlights: int = 0
    correct: int = 0
    practice_correct: int = 0
    labels: int = 0
    covered: int = 0
    practice_labels: int = 0
    practice_covered: int = 0
    unplaced: int = 0

    def add(self, other: "Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def score_policy(policy: LabelledPolicy, highlights: Iterable[tuple[str, str, str]]) -> tuple[Counts, float]:
    """Counts for one policy, and its document F1. `highlights` are (text, practice, polarity) in reading order."""
    counts = Counts()
    locator = TextLocator(policy.text)
    covered: set[tuple[int, str, str]] = set()
    practice_covered: set[tuple[int, str]] = set()
    shown: set[tuple[str, str]] = set()
    for text, practice, polarity in highlights:
        counts.highlights += 1
        shown.add((practice, polarity))
        place = locator.locate(text)
        if place is None:
            counts.unplaced += 1
            continue
        right = practice_right = False
        for i in policy.sentences_overlapping(*place):
            gold = policy.labels.get(i, frozenset())
            if (practice, polarity) in gold:
                right = True
                covered.add((i, practice, polarity))
            if any(p == practice for p, _ in gold):
                practice_right = True
                practice_covered.add((i, practice))
        counts.correct += right
        counts.practice_correct += practice_right
    gold_pairs = {(i, p, pol) for i, labels in policy.labels.items() for p, pol in labels}
    gold_practices = {(i, p) for i, p, _ in gold_pairs}
    counts.labels = len(gold_pairs)
    counts.covered = len(covered & gold_pairs)
    counts.practice_labels = len(gold_practices)
    counts.practice_covered = len(practice_covered & gold_practices)
    labelled = {(p, pol) for labels in policy.labels.values() for p, pol in labels}
    tp = len(shown & labelled)
    precision, recall = _ratio(tp, len(shown)), _ratio(tp, len(labelled))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return counts, f1


def summarize(per_policy: dict[str, tuple[Counts, float]]) -> dict:
    total = Counts()
    for counts, _ in per_policy.values():
        total.add(counts)
    f1s = [f1 for _, f1 in per_policy.values()]
    return {
        "policies": len(per_policy),
        "highlights": total.highlights,
        "labels": total.labels,
        "precision": round(_ratio(total.correct, total.highlights), 4),
        "practice_precision": round(_ratio(total.practice_correct, total.highlights), 4),
        "recall": round(_ratio(total.covered, total.labels), 4),
        "practice_recall": round(_ratio(total.practice_covered, total.practice_labels), 4),
        "document_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "unplaced_highlights": total.unplaced,
        "per_policy": {name: {"highlights": c.highlights, "precision": round(_ratio(c.correct, c.highlights), 3),
                              "recall": round(_ratio(c.covered, c.labels), 3), "document_f1": round(f1, 3)}
                       for name, (c, f1) in sorted(per_policy.items())},
    }


# What a figure pooled over a few dozen policies could have been with other policies of the same kind: resampling
# whole policies (the unit the held-out policies are drawn in), seeded so that a report is repeatable.
BOOTSTRAP_ROUNDS = 2000
BOOTSTRAP_SEED = 20261205


def bootstrap_intervals(per_policy: dict[str, tuple[Counts, float]], rounds: int = BOOTSTRAP_ROUNDS,
                        seed: int = BOOTSTRAP_SEED, level: float = 0.95) -> dict[str, tuple[float, float]]:
    """Percentile intervals of the four pooled figures (precision, practice precision, recall, practice recall)
    over policies resampled with replacement: how far a figure near a floor is from it, in the data's own noise."""
    import random

    rng = random.Random(seed)
    rows = [counts for counts, _ in per_policy.values()]
    if not rows:
        return {}
    samples: dict[str, list[float]] = {"precision": [], "practice_precision": [], "recall": [], "practice_recall": []}
    for _ in range(rounds):
        total = Counts()
        for _ in rows:
            total.add(rows[rng.randrange(len(rows))])
        samples["precision"].append(_ratio(total.correct, total.highlights))
        samples["practice_precision"].append(_ratio(total.practice_correct, total.highlights))
        samples["recall"].append(_ratio(total.covered, total.labels))
        samples["practice_recall"].append(_ratio(total.practice_covered, total.practice_labels))
    tail = round(rounds * (1 - level) / 2)  # resamples left out at each end
    out = {}
    for name, values in samples.items():
        values.sort()
        out[name] = (round(values[tail], 4), round(values[rounds - 1 - tail], 4))
    return out


def evaluate_sentences(folder: Path, read: Callable[[str], Sequence[tuple[str, str, str]]],
                       labels_suffix: str = ".labels.jsonl") -> dict:
    """Score `read(text) -> [(highlight text, practice, polarity)]` on every labelled policy of `folder`."""
    per_policy = {p.name: score_policy(p, read(p.text)) for p in load_policies(folder, labels_suffix)}
    return summarize(per_policy)


def key_finding_counts(policy: LabelledPolicy, highlights, findings) -> tuple[int, int, int, int]:
    """(key findings shown, those whose cited sentences carry their (practice, polarity), concern practices the
    labels say the policy states, those of them a concern key finding covers) for one policy."""
    locator = TextLocator(policy.text)
    right = 0
    for f in findings:
        places = [locator.locate(highlights[i].text) for i in f.highlights]
        right += any((f.practice, f.polarity) in policy.labels.get(k, ())
                     for place in places if place for k in policy.sentences_overlapping(*place))
    stated = {p for labels in policy.labels.values() for p, polarity in labels if polarity == "concern"}
    covered = stated & {f.practice for f in findings if f.polarity == "concern"}
    return len(findings), right, len(stated), len(covered)


def key_finding_counts_of_readings(policy: LabelledPolicy, readings: Iterable[tuple[str, str, str, float, bool]],
                                   min_confidence: float) -> tuple[int, int, int, int]:
    """`key_finding_counts` for a policy's readings (sentence text, practice, polarity, confidence, whether the
    rules read the same) made highlights with the engine's summaries (a promise not to sell leads over an
    opt-out by them) and key findings as the engine picks them: how held-out readings are scored."""
    from .engine.key_findings import MAX_KEY_FINDINGS, candidate_findings
    from .engine.results import Highlight
    from .engine.summaries import summarize as summary_of
    highlights = [Highlight("b", 0, len(text), text, practice, polarity, summary_of(practice, polarity, text),
                            confidence, "", rules_agree)
                  for text, practice, polarity, confidence, rules_agree in readings]
    findings = candidate_findings(highlights, min_confidence)[:MAX_KEY_FINDINGS]
    return key_finding_counts(policy, highlights, findings)


def key_finding_summary(counts: Sequence[tuple[int, int, int, int]]) -> dict:
    shown, right, stated, covered = (sum(c[k] for c in counts) for k in range(4))
    return {"policies": len(counts), "key_findings": shown, "most_in_one_policy": max((c[0] for c in counts), default=0),
            "precision": round(right / shown, 4) if shown else 0.0,
            "concern_coverage": round(covered / stated, 4) if stated else 0.0}


def reader_agreement(folder: Path) -> dict:
    """Where a second reader labelled a policy (NAME.labels.b.jsonl): reader B's labels scored as highlights
    against reader A's, sentence by sentence (the ceiling for any reader)."""
    out = {}
    for policy_a in load_policies(folder):
        second = Path(folder) / f"{policy_a.name}.labels.b.jsonl"
        if not second.is_file():
            continue
        (policy_b,) = [p for p in load_policies(folder, ".labels.b.jsonl") if p.name == policy_a.name]
        out[policy_a.name] = second_reading_figures(policy_a, policy_b)
    return out


def second_reading_figures(policy_a: LabelledPolicy, policy_b: LabelledPolicy) -> dict:
    """Reader B's labels of a policy scored as highlights against reader A's labels of the same text."""
    shown = [(policy_b.text[policy_b.starts[i]:policy_b.ends[i]], p, pol)
             for i in sorted(policy_b.labels) for p, pol in sorted(policy_b.labels[i])]
    return summarize({policy_a.name: score_policy(policy_a, shown)})
