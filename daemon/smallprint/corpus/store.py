"""The output folder of a corpus run: what makes a run resumable.

Layout of DIR:
  .lock                            held by the run writing the folder (one at a time)
  corpus.json                      what the folder holds: its depth (one folder, one depth) and the smallprint that
                                   wrote it
  parts/versions-<key>.parquet     the versions a source holds as its latest run listed them (service, document,
                                   date, source, content hash), one part per source, <key> from its absolute path
  parts/analyses-<key>.parquet     the readings of a batch of documents, one row per content hash
  parts/changes-<key>.parquet      the diffs of a batch of consecutive version pairs, one row per pair
  documents.parquet, findings.parquet, changes.parquet    the tables (tables.py), merged from the parts

A part of analyses or changes is written once, under a name derived from what it holds, to a temporary file in the
same folder that is then renamed over its name (atomic on POSIX and Windows): a run killed at any instant leaves
whole parts or none, a resumed run skips every content hash (and every pair) already in a part, and no finished part
is ever rewritten. A source's versions part is its listing now: it is replaced, by the same rename, when the source
lists other versions than it did (a file corrected, deleted or renamed since), and left alone otherwise; what it no
longer lists leaves the tables, while the analyses of those texts stay in their parts (a text that comes back is
not read again). The tables are rebuilt from all parts at the end of each run, also by rename.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "corpus.json"
FORMAT = 1
# In the metadata of a versions part, beside the source tables.py records there: a key of its rows, which tells
# whether the source lists what it did.
LISTING_KEY = b"smallprint.listing"


class StoreError(ValueError):
    """The output folder cannot be used: one sentence says why."""


def write_atomically(target: Path, write) -> None:
    """Call `write(temporary path)`, flush it to disk, then rename it to `target`. A failure to write (a full or
    read-only disk) is a StoreError naming the file, not pyarrow's bare "[Errno 28] Error writing bytes to file"."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {_reason(exc)}") from None
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; tables are for sharing, as the user's files usually are
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write {target}: {_reason(exc)}") from None
        raise


def _reason(exc: OSError) -> str:
    """The OS's words for an error (pyarrow's message wraps them twice: "[Errno 28] Error writing bytes to file.
    Detail: [errno 28] No space left on device")."""
    if exc.errno:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)


def part_key(keys: Iterable[str]) -> str:
    """A part's name from the keys of its rows: the same rows make the same name."""
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class CorpusDir:
    root: Path
    depth: str

    @property
    def parts(self) -> Path:
        return self.root / "parts"

    def part_files(self, kind: str) -> list[Path]:
        return sorted(self.parts.glob(f"{kind}-*.parquet"))

    def write_part(self, kind: str, keys: Iterable[str], table) -> Path | None:
        """Write a part of rows keyed by `keys`; a part of the same rows already there is left alone."""
        import pyarrow.parquet as pq

        target = self.parts / f"{kind}-{part_key(keys)}.parquet"
        if target.exists():
            return None
        write_atomically(target, lambda tmp: pq.write_table(table, tmp))
        return target

    def write_listing(self, source: str, keys: Iterable[str], table) -> Path | None:
        """Write the versions `source` lists now (rows keyed by `keys`) over what an earlier run listed of it, so that
        a file corrected, deleted or renamed since is no version any more; left alone when the listing is the same."""
        import pyarrow.parquet as pq

        target = self.parts / f"versions-{part_key([f'source {source}'])}.parquet"
        listing = part_key(keys).encode()
        if target.exists() and (pq.read_schema(target).metadata or {}).get(LISTING_KEY) == listing:
            return None
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), LISTING_KEY: listing})
        write_atomically(target, lambda tmp: pq.write_table(table, tmp))
        return target


def open_corpus_dir(path: str | Path, depth: str, *, create: bool = True) -> CorpusDir:
    """The folder, made when missing; StoreError when it holds a reading at another depth or is not a corpus."""
    from smallprint import __version__

    root = Path(path)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is a file, not a folder")
    manifest = root / MANIFEST
    if manifest.exists():
        try:
            held = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{manifest} is damaged ({exc}); use another --out") from None
        if held.get("depth") != depth:
            raise StoreError(f"{root} holds a {held.get('depth')} reading; a {depth} one needs another --out")
        return _ready(CorpusDir(root, depth))
    if not create:
        raise StoreError(f"{root} holds no corpus (no {MANIFEST}); run `smallprint corpus analyze` first")
    if root.is_dir() and any(p.name not in ("parts", ".lock") for p in root.iterdir()):
        raise StoreError(f"{root} is not empty and holds no corpus; choose an empty or new folder")
    root.mkdir(parents=True, exist_ok=True)
    corpus = _ready(CorpusDir(root, depth))
    text = json.dumps({"format": FORMAT, "depth": depth, "written_by": f"smallprint {__version__}"}, indent=2)
    write_atomically(manifest, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))
    return corpus


def read_corpus_dir(path: str | Path) -> CorpusDir:
    """An existing corpus folder, whatever its depth (for `corpus report`)."""
    manifest = Path(path) / MANIFEST
    try:
        depth = json.loads(manifest.read_text(encoding="utf-8"))["depth"]
    except FileNotFoundError:
        raise StoreError(f"{path} holds no corpus (no {MANIFEST}); run `smallprint corpus analyze` first") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{manifest} is damaged ({exc})") from None
    return CorpusDir(Path(path), depth)


def _ready(corpus: CorpusDir) -> CorpusDir:
    corpus.parts.mkdir(parents=True, exist_ok=True)
    return corpus


@contextlib.contextmanager
def writing(corpus: CorpusDir) -> Iterator[CorpusDir]:
    """Hold the folder for one run: a second run on it at the same time is refused (two runs would write the same
    parts and tables). Temporary files left by a run that was killed mid-write are removed: never a finished part."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; one run at a time is then the user's to keep
        fcntl = None
    with open(corpus.root / ".lock", "a") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"another `smallprint corpus analyze` is writing {corpus.root}; "
                                 "let it finish first") from None
        for folder in (corpus.root, corpus.parts):
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)
        yield corpus
