"""The two tasks a corpus run hands to its workers: read a batch of documents, and diff a batch of version pairs.

Both are plain module-level functions of picklable arguments returning plain rows, so that any scheduler runs them
(a local process pool, a Dask cluster): Dask's "one function, any scheduler". They never raise for one bad
document: its row carries the error instead, so a binary file or an engine failure never stops the run.
"""
from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass

# A document larger than this is recorded as too large rather than read: the largest real policy in the shared data
# is 0.3 MB, and a full reading grows with length (tens of minutes for tens of megabytes).
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Item:
    """One document to read: its hash (the key of its row), its bytes and whether they are HTML. A document over
    MAX_DOCUMENT_BYTES comes without its bytes (only its size), so that it is never sent to a worker; one that
    could not be read comes with why (`error`), which is its row."""
    content_hash: str
    data: bytes
    is_html: bool
    size: int
    error: str | None = None


def too_large(size: int) -> str:
    """Why a document of `size` bytes is not read."""
    return f"too large: {size / 1e6:.1f} MB (the limit is {MAX_DOCUMENT_BYTES / 1e6:.1f} MB)"


def _one_reader_thread() -> None:
    # Each worker process reads one document at a time; onnxruntime's own threads would fight the other workers for
    # the same cores (engine/reader.py reads this variable when it first loads the model).
    os.environ.setdefault("SMALLPRINT_READER_THREADS", "1")


def key_highlights(analysis: dict) -> set[int]:
    """Indices of the highlights behind the analysis's key findings."""
    return {index for finding in analysis.get("key_findings") or () for index in finding.get("highlights", [])}


def _error_row(content_hash: str, depth: str, error: str, *, timed_out: bool = False) -> dict:
    # `timed_out` is no column of a part: it tells the run that the row is not to be kept (run.py).
    return {"content_hash": content_hash, "error": error, "depth": depth, "findings": [], "diff_view": None,
            "timed_out": timed_out}


# Appended to a time-out's error: the row is not kept in the parts, so the next run tries the document again (a time-out
# says as much about the moment, a busy machine or the limit of this run, as about the text).
TRIED_AGAIN = "; the next run tries it again"


def _timed_out_row(content_hash: str, depth: str, seconds: float) -> dict:
    from smallprint.time_budget import batch_limit_said

    error = f"the analysis took longer than {seconds:g} s ({batch_limit_said('corpus analyze')}){TRIED_AGAIN}"
    return _error_row(content_hash, depth, error, timed_out=True)


def analyse_document(item: Item, depth: str, time_limit: float | None = None) -> dict:
    """The row of one document: what the engine found (counts, grade, its highlights) or why it could not read it.
    A PDF is read within `time_limit` seconds (the run's, time_budget.batch_time_limit; None: the default here), as
    the CLI reads one: pypdf bounds each stream, not a file, and a small PDF that draws one slow stream on every page
    would hold a worker for hours. The analysis that follows has a limit of its own, the same, as in the CLI: a page
    built to be slow (a huge list-like text) would otherwise hold a worker for as long as it likes. In a Dask
    worker, whose tasks run in threads that no signal reaches, time_budget raises from a watcher thread instead.
    A time-out is the row's error, marked `timed_out`: the run keeps it out of the parts."""
    from smallprint.cli import CliError
    from smallprint.cli.inputs import decode_bytes

    if item.error:
        return _error_row(item.content_hash, depth, item.error)
    if item.size > MAX_DOCUMENT_BYTES:
        return _error_row(item.content_hash, depth, too_large(item.size))
    if not item.data.strip():
        return _error_row(item.content_hash, depth, "empty: nothing to analyse")
    from smallprint.pdf import PdfError, looks_like_pdf, read_pdf_text
    from smallprint.time_budget import OverBudget, batch_time_limit, time_budget

    seconds = batch_time_limit(time_limit)
    try:
        if looks_like_pdf(item.data):  # a PDF policy: its text layer (a scan without one says so)
            with time_budget(seconds):
                text = read_pdf_text(item.data)
        else:
            text, _ = decode_bytes(item.data, "the document", html_hint=item.is_html)
    except OverBudget:
        return _timed_out_row(item.content_hash, depth, seconds)
    except (CliError, PdfError) as exc:
        return _error_row(item.content_hash, depth, str(exc))
    except Exception as exc:  # a reading bug on one document is that document's row, not a dead worker's batch
        return _error_row(item.content_hash, depth, f"cannot read: {type(exc).__name__}: {exc}")
    from smallprint.engine import analyze
    from smallprint.engine.blocks import InputTooLarge
    from smallprint.history.diff import diff_view

    try:
        with time_budget(seconds):
            analysis = analyze(**({"html": text} if item.is_html else {"text": text}), depth=depth,
                               with_segments=False).to_dict()
    except OverBudget:  # before Exception, which it is: a time-out is no engine failure
        return _timed_out_row(item.content_hash, depth, seconds)
    except InputTooLarge as exc:  # under the byte limit, over the engine's: "too large", as a filter on it expects
        return _error_row(item.content_hash, depth, f"too large: {exc} (the engine's limit)")
    except ValueError as exc:
        return _error_row(item.content_hash, depth, f"cannot analyse: {exc}")
    except Exception as exc:  # an engine bug on one document must not stop the corpus
        return _error_row(item.content_hash, depth, f"engine failure: {type(exc).__name__}: {exc}")
    highlights = analysis["highlights"]
    key = key_highlights(analysis)
    polarities = [h["polarity"] for h in highlights]
    return {
        "content_hash": item.content_hash, "error": None, "timed_out": False, "depth": analysis["depth"],
        "language": analysis["language"], "kind": analysis["kind"],
        "grade": analysis["grade"]["letter"], "score": float(analysis["grade"]["score"]),
        "chars": sum(len(b["text"]) for b in analysis["blocks"]), "blocks": len(analysis["blocks"]),
        "highlights": len(highlights), "concerns": polarities.count("concern"),
        "protective": polarities.count("protective"), "neutral": polarities.count("neutral"),
        "practices": len(analysis["practices"]),
        "findings": [{"highlight": i, "block": h["block"], "start": h["start"], "end": h["end"],
                      "practice": h["practice"], "polarity": h["polarity"], "summary": h["summary"],
                      "text": h["text"], "confidence": float(h["confidence"]), "key": i in key}
                     for i, h in enumerate(highlights)],
        # What a diff reads of the analysis (history.diff.diff_view), kept for the changes between versions.
        "diff_view": zlib.compress(json.dumps(diff_view(analysis), ensure_ascii=False).encode("utf-8"), 1),
    }


def analyse_batch(items: list[Item], depth: str, time_limit: float | None = None) -> list[dict]:
    """The rows of a batch of documents, in order, each read and analysed within `time_limit` (analyse_document)."""
    _one_reader_thread()
    return [analyse_document(item, depth, time_limit) for item in items]


@dataclass(frozen=True, slots=True)
class Pair:
    """Two consecutive versions of a document to compare: their hashes and compressed diff views."""
    previous_hash: str
    content_hash: str
    previous_view: bytes
    view: bytes


def diff_pair(pair: Pair) -> dict:
    """The data-use changes from one version to the next, from the same diff as `smallprint diff`."""
    from smallprint.history.diff import diff_analyses

    try:
        diff = diff_analyses(json.loads(zlib.decompress(pair.previous_view)), json.loads(zlib.decompress(pair.view)))
    except Exception as exc:  # as for analyses: one pair must not stop the corpus
        return {"previous_hash": pair.previous_hash, "content_hash": pair.content_hash, "changes": [],
                "unchanged": None, "error": f"diff failure: {type(exc).__name__}: {exc}"}
    rows = []
    for kind, changes in (("added", diff.added), ("removed", diff.removed), ("changed", diff.changed)):
        for c in changes:
            if not c.is_data_use:
                continue
            practices = list(dict.fromkeys(f"{f.practice}:{f.polarity}" for f in (*c.findings, *c.old_findings)))
            rows.append({"change": kind, "practice": c.practice, "polarity": c.polarity, "summary": c.summary,
                         "text": c.text, "old_text": c.old_text, "practices": practices,
                         # what the clause states as it reads now (a removed one: nothing): a reworded one that
                         # states nothing is a promise no longer made or a concern no longer stated (diff.news_polarity)
                         "practices_now": [] if kind == "removed" else
                         list(dict.fromkeys(f"{f.practice}:{f.polarity}" for f in c.findings))})
    return {"previous_hash": pair.previous_hash, "content_hash": pair.content_hash, "changes": rows,
            "unchanged": diff.unchanged, "error": None}


def diff_batch(pairs: list[Pair]) -> list[dict]:
    _one_reader_thread()
    return [diff_pair(pair) for pair in pairs]
