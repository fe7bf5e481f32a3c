"""Which engine read a corpus folder: smallprint's version, the depth, a digest of the model files that decide a
reading at that depth, and the layout of what the parts hold (docs/CORPUS.md, "Which engine read it").

A folder is extended run after run, so parts read by an older smallprint (other models, other rules, another diff
view) would otherwise be mixed silently with this one's in one table, and consecutive versions diffed from views
cut two ways. Every part of readings or diffs carries the identity of the engine that wrote it (its Parquet
metadata, under ENGINE_KEY), as do corpus.json and the tables; a run whose identity differs from its parts' stops
before it reads (run.py), unless told to read everything again (--reread).
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

# The layout of what a part holds, bumped by hand whenever it changes in a way the models' digest does not show:
# the diff view (history.diff.diff_view), the columns of a part, how a row is made of an analysis (work.py). A diff of
# two views cut two ways is no diff, so a folder of another layout is read again, not extended.
#   1: diff views carry each block's tag (a heading is never half of a broken sentence)
#   2: a sentence that only points elsewhere has no reading (engine/pointers.py); diff clauses: a pointer or an info
#      icon is no statement, a line of its own never runs into the line above, a joined clause has its parts
#      (smallprint's version stayed 0.1.0 through these, so the layout says it)
#   3: diff clauses: a control that gives the same policy as a print or a file ("Print", "Download PDF") is no
#      statement either
#   4: a change's row says what its clause states as it reads now (`practices_now`), so that the report tells a
#      promise no longer made and a concern no longer stated from a clause reworded with its practice kept
#   5: the quick reading changed (2026-12-07): a question is not read, disclosure the law requires and sharing with
#      service providers read neutral, a long negated list is negated to its end, a device's "fingerprint" is no
#      biometric, and the quick grade has thresholds of its own; a folder read before would show these as changes
#      between its old versions and its new ones ("government_access protective dropped"), and letters that moved
#      with no change in the text
READING_LAYOUT = 5
# In the metadata of every part of readings or diffs, and of every table: the identity, as JSON (EngineIdentity.text).
ENGINE_KEY = b"smallprint.engine"
# How an engine is named where none was recorded: a part, folder or table written before identities were.
UNKNOWN = "an unknown engine (a smallprint from before corpus folders recorded their engine)"


@dataclass(frozen=True, slots=True)
class EngineIdentity:
    version: str  # smallprint's: its rules and code
    depth: str  # quick or full
    models: str  # sha256 of the model files read at that depth (models_digest)
    layout: int  # READING_LAYOUT

    @property
    def text(self) -> str:
        """The JSON recorded in a part's metadata, the tables' and corpus.json: the same identity, the same bytes."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_text(cls, text: str | bytes | None) -> EngineIdentity | None:
        """The identity recorded as `text`; None where none was (or what was is not one: it cannot be told apart
        from an unknown engine)."""
        if text is None:
            return None
        try:
            return cls.from_json(json.loads(text))
        except ValueError:
            return None

    @classmethod
    def from_json(cls, data) -> EngineIdentity | None:
        """The identity as corpus.json holds it (the object `text` writes); None where it holds none."""
        try:
            return cls(str(data["version"]), str(data["depth"]), str(data["models"]), int(data["layout"]))
        except (ValueError, KeyError, TypeError):
            return None

    def __str__(self) -> str:
        return f"smallprint {self.version} at {self.depth} depth (models {self.models[:12]}, layout {self.layout})"

    def differences(self, other: EngineIdentity) -> list[str]:
        """What tells `other` from this one, in words."""
        said = []
        if other.version != self.version:
            said.append(f"its smallprint version ({other.version} there, {self.version} here)")
        if other.depth != self.depth:
            said.append(f"its depth ({other.depth} there, {self.depth} here)")
        if other.models != self.models:
            said.append(f"its models ({other.models[:12]} there, {self.models[:12]} here)")
        if other.layout != self.layout:
            said.append(f"its diff view and part layout ({other.layout} there, {self.layout} here)")
        return said


def describe(identity: EngineIdentity | None) -> str:
    return str(identity) if identity is not None else UNKNOWN


def engine_identity(depth: str) -> EngineIdentity:
    """The identity of the engine this process runs at `depth`."""
    from smallprint import __version__

    return EngineIdentity(__version__, depth, models_digest(depth), READING_LAYOUT)


def model_files(depth: str) -> list[Path]:
    """The files that decide a reading at `depth`: the linear models at every depth, and at full depth the learned
    reader's folder too (engine.reader.model_dir: $SMALLPRINT_READER_DIR where set), every file in it."""
    from smallprint.engine.linear import MODELS_DIR

    files = sorted(MODELS_DIR.glob("*.json.gz"))
    if depth == "full":
        from smallprint.engine.reader import model_dir

        folder = model_dir()
        files += sorted(path for path in folder.glob("*") if path.is_file()) if folder.is_dir() else []
    return files


def models_digest(depth: str) -> str:
    """sha256 over the names and bytes of model_files(depth): some 25 MB at full depth, hashed once per process (a
    run asks once, never per document)."""
    return _digest(tuple(model_files(depth)))


@functools.lru_cache(maxsize=8)
def _digest(files: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for path in files:
        # The name and size too: a reader folder without one of its files (a reading then falls back) is another
        # engine, and the size keeps one file's bytes from passing for the next one's name.
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
