"""The output folder of a corpus run: what makes a run resumable.

Layout of DIR:
  .lock                            held by the run writing the folder (one at a time)
  corpus.json                      what the folder holds: its depth (one folder, one depth), the smallprint that
                                   made it, and the engine that read it (identity.py)
  parts/versions-<key>.parquet     the versions a source holds as its latest run listed them (service, document,
                                   date, source, content hash), one part per source, <key> from its absolute path
  parts/analyses-<key>.parquet     the readings of a batch of documents, one row per content hash
  parts/changes-<key>.parquet      the diffs of a batch of consecutive version pairs, one row per pair
  parts/damaged/                   parts a run found damaged and set aside (never deleted), and why.txt: why
  parts/superseded/                parts read by another engine, set aside by a run told to read them again
                                   (--reread; never deleted), and why.txt: by which engine
  documents.parquet, findings.parquet, changes.parquet    the tables (tables.py), merged from the parts
  report.html, report-*.csv        `corpus report`'s page and CSV files (report.py), published as one set
                                   (publish_together, held by .report.html.lock)

A part of analyses or changes is written once, under a name derived from what it holds, to a temporary file in the
same folder that is then renamed over its name (atomic on POSIX and Windows): a run killed at any instant leaves
whole parts or none, a resumed run skips every content hash (and every pair) already in a part, and no finished part
is ever rewritten. A source's versions part is its listing now: it is replaced, by the same rename, when the source
lists other versions than it did (a file corrected, deleted or renamed since), and left alone otherwise; what it no
longer lists leaves the tables, while the analyses of those texts stay in their parts (a text that comes back is
not read again). The tables are rebuilt from all parts at the end of each run, also by rename, all three written
before any is renamed (write_together). A part that cannot be read is a DamagedFile (read_parquet), which the run
sets aside and redoes (run.py). The report's page and CSV files are published as one set (publish_together).
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .identity import EngineIdentity

MANIFEST = "corpus.json"
FORMAT = 1
PART_KINDS = ("versions", "analyses", "changes")
# In the metadata of a versions part, beside the source tables.py records there: a key of its rows, which tells
# whether the source lists what it did.
LISTING_KEY = b"smallprint.listing"


class StoreError(ValueError):
    """The output folder cannot be used: one sentence says why."""


def write_atomically(target: Path, write) -> None:
    """Call `write(temporary path)`, flush it to disk, then rename it to `target`. A failure to write (a full or
    read-only disk) is a StoreError naming the file, not pyarrow's bare "[Errno 28] Error writing bytes to file"."""
    write_together([(target, write)])


def write_together(writes: Sequence[tuple[Path, Callable[[str], None]]]) -> None:
    """Write each `(target, write)` as write_atomically does, but rename none into place before all are written and
    flushed: a failure while writing any of them (a full disk) leaves every target as it was, so files that belong
    together are never left a version apart by it. The renames themselves are one after the other (no file system
    renames several files at once): the corpus tables carry a stamp of their set for the instant between two
    (tables.py)."""
    staged: list[tuple[str, Path]] = []
    target = None
    try:
        for target, write in writes:
            staged.append((_staged(target, write), target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write {target}: {_reason(exc)}") from None
        raise


def _staged(target: Path, write: Callable[[str], None]) -> str:
    """`write(temporary path)` beside `target`, flushed to disk and given the user's permissions; its path."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; tables are for sharing, as the user's files usually are
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


# The folder a set of files is staged in before publish_together moves them into place, beside them: its name ends so
# (never ".tmp", which the corpus run's clean-up takes for a file of its own, ready_to_write()).
STAGING = ".staging"
_JOURNAL = "journal.json"


def publish_together(writes: Sequence[tuple[Path, Callable[[str], None]]]) -> None:
    """Write files that belong together (the report's page and its CSV files), all in one folder, so that a reader
    finds either the set they replace or the new set, never some of each; the last of `writes` (the page, what a
    reader opens) is put in place last.

    Why not a folder swapped into place: the files stand beside others (the corpus folder itself, by default) at paths
    that people and scripts know, and no call replaces a folder that exists, or several files, in one step on Linux,
    macOS and Windows alike (Linux's renameat2 exchange and macOS's renamex_np have no Windows counterpart, and a
    rename to the side then into place leaves an instant with no folder at all). So the set is staged whole in a
    sibling folder (the same disk: a rename there is atomic), and only when every file is written and flushed are
    they renamed in, one at a time, each an atomic replace, with the files they replace kept (hard links) and a
    journal of the swap. A failure while writing (a full disk, no permission) leaves every file as it was; a failure
    between two renames (Windows refuses to replace a file open in a spreadsheet) puts the previous files back; a run
    killed between two renames leaves its journal, by which the next run puts the previous set back before it
    writes its own. StoreError naming the file, in every case."""
    folder = writes[-1][0].parent
    names = [target.name for target, _ in writes]
    if any(target.parent != folder for target, _ in writes) or len(set(names)) != len(names):
        raise ValueError("publish_together writes distinct files of one folder")
    lead = names[-1]
    with _held(folder / f".{lead}.lock", f"another `smallprint corpus report` is writing {folder / lead}; let it "
                                         "finish first"):
        for leftover in _staged_sets(folder, lead):  # a killed run's: no other run holds the lock
            _put_back(leftover, folder)
            shutil.rmtree(leftover, ignore_errors=True)
        try:
            stage = Path(tempfile.mkdtemp(prefix=f".{lead}.", suffix=STAGING, dir=folder))
        except OSError as exc:
            raise StoreError(f"cannot write in {folder}: {_reason(exc)}") from None
        try:
            _stage(stage, writes)
            _swap(stage, folder, names)
        except BaseException as exc:  # an interruption too: a folder is never left half replaced for the next run
            try:
                _put_back(stage, folder)
            except StoreError as undone:  # the stage stays: the next run puts back what this one could not
                raise StoreError(f"{exc}; and {undone}") from None
            shutil.rmtree(stage, ignore_errors=True)
            if isinstance(exc, StoreError):
                raise StoreError(f"{exc}; {lead} and the files written with it are as they were") from None
            raise
        shutil.rmtree(stage, ignore_errors=True)


def _staged_sets(folder: Path, lead: str) -> list[Path]:
    """The folders that sets led by `lead` were staged in (named by hand: a glob pattern would read a "[" in the
    name as its own)."""
    return sorted(path for path in folder.iterdir()
                  if path.name.startswith(f".{lead}.") and path.name.endswith(STAGING) and path.is_dir())


def _stage(stage: Path, writes: Sequence[tuple[Path, Callable[[str], None]]]) -> None:
    """Each file of the set written and flushed in stage/new/, under its name; nothing in the folder is touched."""
    new = stage / "new"
    new.mkdir()
    for target, write in writes:
        try:
            os.replace(_staged(new / target.name, write), new / target.name)
        except OSError as exc:
            raise StoreError(f"cannot write {target}: {_reason(exc)}") from None


def _swap(stage: Path, folder: Path, names: list[str]) -> None:
    """Rename the staged files into `folder` in order, keeping those they replace in stage/old/ until all are in, and
    first a journal of what is replaced, by which _put_back undoes it."""
    old = stage / "old"
    old.mkdir()
    had = [name for name in names if (folder / name).exists()]
    for name in had:
        try:
            _keep(folder / name, old / name)
        except OSError as exc:
            raise StoreError(f"cannot keep {folder / name} while it is replaced: {_reason(exc)}") from None
    journal = json.dumps({"files": names, "had": had})
    write_atomically(stage / _JOURNAL, lambda tmp: Path(tmp).write_text(journal, encoding="utf-8"))
    for name in names:
        try:
            os.replace(stage / "new" / name, folder / name)
        except OSError as exc:
            raise StoreError(f"cannot replace {folder / name}: {_reason(exc)}") from None


def _keep(path: Path, copy: Path) -> None:
    """`copy` of `path` that outlives its replacement: a hard link (no bytes copied), or a copy where the file system
    has none (FAT, some network shares)."""
    try:
        os.link(path, copy)
    except OSError:
        shutil.copy2(path, copy)


def _put_back(stage: Path, folder: Path) -> None:
    """Undo a swap, whether it failed or its run was killed at any step (undoing twice is undoing once): every file
    that has left stage/new/ has replaced one, which goes back from stage/old/, or had none, and goes. A stage with
    no journal replaced nothing. StoreError, the stage left for the next run, when a file cannot be put back."""
    try:
        journal = json.loads((stage / _JOURNAL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read {stage / _JOURNAL}, the journal of an unfinished report: {exc}") from None
    for name in journal["files"]:
        if (stage / "new" / name).exists():
            continue
        try:
            if name not in journal["had"]:
                (folder / name).unlink(missing_ok=True)
            elif (stage / "old" / name).exists():
                os.replace(stage / "old" / name, folder / name)
        except OSError as exc:
            raise StoreError(f"cannot put back the previous {folder / name}: {_reason(exc)}; it is kept in "
                             f"{stage / 'old'}, which the next run puts back") from None


def _reason(exc: OSError) -> str:
    """The OS's words for an error (pyarrow's message wraps them twice: "[Errno 28] Error writing bytes to file.
    Detail: [errno 28] No space left on device")."""
    if exc.errno:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)


class DamagedFile(StoreError):
    """A Parquet file that cannot be read (truncated, corrupt, not Parquet at all): names it and why. A damaged part
    is set aside by the run, which redoes what it held (run.py); a damaged table is rebuilt by the next run."""

    def __init__(self, path: Path, why: str):
        super().__init__(f"{path} cannot be read ({why})")
        self.path, self.why = path, why


def read_parquet(path: Path, read=None, **options):
    """`read(path, **options)`, pyarrow.parquet.read_table unless told (read_schema, read_metadata: its footer alone),
    for every read of a part or a table: one that is truncated or corrupt is a DamagedFile naming it, not pyarrow's
    error, which names no remedy (and a corrupt page no file). An error of the system's (no permission, the file
    gone, too many files open, a disk that cannot be read) is a plain StoreError: the file may be whole, and setting
    it aside would not help."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return (read or pq.read_table)(path, **options)
    except pa.ArrowException as exc:  # ArrowInvalid: a truncated file, not Parquet, columns missing
        raise DamagedFile(path, _damage(exc)) from None
    except OSError as exc:
        # pyarrow's FileNotFoundError and PermissionError come without an errno, and so does Parquet's own error (a
        # corrupt page): a bare OSError.
        code = exc.errno or {FileNotFoundError: errno.ENOENT, PermissionError: errno.EACCES}.get(type(exc))
        if code is None:
            raise DamagedFile(path, _damage(exc)) from None
        raise StoreError(f"cannot read {path}: {os.strerror(code)}") from None


def _damage(exc: Exception) -> str:
    """pyarrow's words for a damaged file, on one line and without the path, which DamagedFile gives once: some name
    it ("Could not open Parquet input source '<path>': ..."), some run over lines with a control byte in them."""
    text = re.sub(r"^Could not open Parquet input source '.*?': ", "", str(exc), flags=re.DOTALL)
    return " ".join("".join(c if c.isprintable() else " " for c in text).split()) or type(exc).__name__


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

    @property
    def damaged(self) -> Path:
        return self.parts / "damaged"

    @property
    def superseded(self) -> Path:
        return self.parts / "superseded"

    def part_files(self, kind: str | None = None) -> list[Path]:
        """The parts of one kind (versions, analyses, changes), or of every kind; never those set aside. A parts
        folder this user may not list is a StoreError: Path.glob would find no part in it, and the run would read
        everything again and write tables without what the parts hold."""
        kinds = [kind] if kind else list(PART_KINDS)
        try:
            names = os.listdir(self.parts)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"cannot read {self.parts}: {_reason(exc)}") from None
        return sorted(self.parts / name for name in names
                      if name.endswith(".parquet") and any(name.startswith(f"{k}-") for k in kinds))

    def listing_part(self, source: str) -> Path:
        """The versions part of a source (sources.source_identity names it): one per source, named after it."""
        return self.parts / f"versions-{part_key([f'source {source}'])}.parquet"

    def set_aside(self, part: Path, note: str) -> Path:
        """Move a damaged part into parts/damaged/, under a name not taken there, and add `note` (why, and what the
        run does about it) to damaged/why.txt; returns where it went. Never deleted: it may hold hours of reading
        that a repair could save, and what damaged it may be worth a look. Outside parts/, no run reads it again.
        StoreError, the part left where it is, when it cannot be moved (damaged/ read-only)."""
        return self._move_aside(part, self.damaged, "damaged", note)

    def supersede(self, part: Path, note: str) -> Path:
        """Move a part read by another engine into parts/superseded/, as set_aside moves a damaged one (`note`: which
        engine, in superseded/why.txt): a run told to read everything again (--reread) replaces it, and the
        readings of the older engine stay there for whoever wants to compare the two."""
        return self._move_aside(part, self.superseded, "superseded", note)

    def _move_aside(self, part: Path, folder: Path, what: str, note: str) -> Path:
        try:
            folder.mkdir(exist_ok=True)
            target, copies = folder / part.name, 1
            while target.exists():  # the same part set aside before: keep both
                copies += 1
                target = folder / f"{part.stem}.{copies}{part.suffix}"
            os.replace(part, target)
        except OSError as exc:
            raise StoreError(f"cannot move the {what} {part} into {folder}: {_reason(exc)}; it stays where it "
                             "is") from None
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        # The note is also on stderr and in the run's summary: a disk too full to take it here loses no word of it.
        with contextlib.suppress(OSError), open(folder / "why.txt", "a", encoding="utf-8") as handle:
            handle.write(f"{stamp} parts/{part.name} -> {folder.name}/{target.name}: {note}\n")
        return target

    def recorded_engine(self) -> EngineIdentity | None:
        """The engine corpus.json says read the folder; None when it says none (written before it would)."""
        return EngineIdentity.from_json(_read_manifest(self.root / MANIFEST).get("engine"))

    def record_engine(self, engine: EngineIdentity) -> None:
        """Say in corpus.json that `engine` reads the folder (what else it says is kept)."""
        manifest = self.root / MANIFEST
        _write_manifest(manifest, {**_read_manifest(manifest), "engine": json.loads(engine.text)})

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

        target = self.listing_part(source)
        listing = part_key(keys).encode()
        if target.exists() and (read_parquet(target, pq.read_schema).metadata or {}).get(LISTING_KEY) == listing:
            return None
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), LISTING_KEY: listing})
        write_atomically(target, lambda tmp: pq.write_table(table, tmp))
        return target


def check_corpus_dir(path: str | Path, depth: str) -> None:
    """StoreError when `path` cannot hold a reading at `depth`: a file, a folder holding a reading at another depth,
    or one that is neither empty nor a corpus. Writes nothing: a run asks before it lists its sources."""
    root = Path(path)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is a file, not a folder")
    manifest = root / MANIFEST
    if manifest.exists():
        held = _read_manifest(manifest)
        if held.get("depth") != depth:
            raise StoreError(f"{root} holds a {held.get('depth')} reading; a {depth} one needs another --out")
    elif root.is_dir() and any(p.name not in ("parts", ".lock") for p in root.iterdir()):
        raise StoreError(f"{root} is not empty and holds no corpus; choose an empty or new folder")


def open_corpus_dir(path: str | Path, depth: str, *, create: bool = True,
                    engine: EngineIdentity | None = None) -> CorpusDir:
    """The folder, made when missing (recording `engine` as what reads it); StoreError when it holds a reading at
    another depth or is not a corpus (check_corpus_dir). Whether the engine of an existing folder is this one is the
    run's to ask (run.py): it may be told to read everything again. A run calls it while it holds the folder
    (holding): two first runs at once would otherwise each write their depth into corpus.json."""
    from smallprint import __version__

    root = Path(path)
    check_corpus_dir(root, depth)
    manifest = root / MANIFEST
    if manifest.exists():
        return _ready(CorpusDir(root, depth))
    if not create:
        raise StoreError(f"{root} holds no corpus (no {MANIFEST}); run `smallprint corpus analyze` first")
    _make_folder(root)
    corpus = _ready(CorpusDir(root, depth))
    _write_manifest(manifest, {"format": FORMAT, "depth": depth, "written_by": f"smallprint {__version__}",
                               **({"engine": json.loads(engine.text)} if engine else {})})
    return corpus


def _read_manifest(manifest: Path) -> dict:
    try:
        held = json.loads(manifest.read_text(encoding="utf-8"))
    except OSError as exc:  # no permission, a disk that cannot be read: the file may be whole
        raise StoreError(f"cannot read {manifest}: {_reason(exc)}") from None
    except ValueError as exc:
        raise StoreError(f"{manifest} is damaged ({exc}); use another --out") from None
    if not isinstance(held, dict):
        raise StoreError(f"{manifest} is damaged (not a JSON object); use another --out")
    return held


def _write_manifest(manifest: Path, held: dict) -> None:
    text = json.dumps(held, indent=2)
    write_atomically(manifest, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))


def read_corpus_dir(path: str | Path) -> CorpusDir:
    """An existing corpus folder, whatever its depth (for `corpus report`)."""
    manifest = Path(path) / MANIFEST
    try:
        depth = json.loads(manifest.read_text(encoding="utf-8"))["depth"]
    except FileNotFoundError:
        raise StoreError(f"{path} holds no corpus (no {MANIFEST}); run `smallprint corpus analyze` first") from None
    except OSError as exc:
        raise StoreError(f"cannot read {manifest}: {_reason(exc)}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{manifest} is damaged ({exc})") from None
    return CorpusDir(Path(path), depth)


def _ready(corpus: CorpusDir) -> CorpusDir:
    _make_folder(corpus.parts)
    return corpus


def _make_folder(folder: Path) -> None:
    """`folder` and those above it, made where missing; StoreError naming it when they cannot be (a read-only disk,
    a parent this user may not write, a file in the way), not Python's "[Errno 30] Read-only file system: '...'"."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot make {folder}: {_reason(exc)}") from None


LOCK = ".lock"
# How long a run waits for readers of the folder's lock to let it go before it says another run holds the folder: a
# `corpus report` holds it shared for an instant (held_by_a_run), and a run starting at that instant was turned away as
# if another run held it. A reader's lock lasts microseconds; this is for a reader that the system paused meanwhile.
READERS_WAITED_FOR_SECONDS = 2.0


def busy_writing(root: Path) -> str:
    """What a run says of a folder another `corpus analyze` holds."""
    return f"another `smallprint corpus analyze` is writing {root}; let it finish first"


@contextlib.contextmanager
def holding(path: str | Path) -> Iterator[Path]:
    """Hold the output folder for one run, made when missing, before the run lists a source or writes anything in it
    (corpus.json included): a second run on it at the same time is refused at once, not after it has listed and hashed
    every source (minutes in a large corpus), and never writes beside the first. A folder this run made and left
    without a corpus (a source refused, Ctrl-C while listing) is removed again, as if the run had never been."""
    root = Path(path)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is a file, not a folder")
    made = [folder for folder in (root, *root.parents) if not folder.exists()]
    _make_folder(root)
    with _held(root / LOCK, busy_writing(root), wait_for_readers=READERS_WAITED_FOR_SECONDS):
        try:
            yield root
        finally:
            if made and not (root / MANIFEST).exists():
                _remove_made(root, made)


def _remove_made(root: Path, made: list[Path]) -> None:
    """Remove the folders a run made (`made`, the deepest first) and its lock, while it still holds it; whatever
    another program put there meanwhile stays (rmdir removes only an empty folder)."""
    with contextlib.suppress(OSError):
        (root / LOCK).unlink(missing_ok=True)
    for folder in (root / "parts", *made):
        if folder.is_dir():
            try:
                folder.rmdir()
            except OSError:  # not empty (or not ours to remove): it stays, and so do those above it
                return


def held_by_a_run(root: Path) -> bool:
    """Whether a `corpus analyze` holds `root` now (holding)."""
    return _held_to_write(root / LOCK)


def _held_to_write(lock: Path) -> bool:
    """Whether a process holds `lock` to write (exclusive): tried with a shared lock, let go at once, on the lock file
    if there is one (a reader makes none)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks (see _held)
        return False
    try:
        handle = open(lock, "rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def ready_to_write(corpus: CorpusDir) -> None:
    """Before a run held by `holding` writes a part: temporary files left by a run that was killed mid-write are
    removed (never a finished part), and a folder this user may not write in (its permissions, a read-only disk) is
    refused now, not after hours of reading, at the first part or the tables."""
    for folder in (corpus.root, corpus.parts):
        _check_writable(folder)
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def _held(lock: Path, busy: str, wait_for_readers: float = 0.0) -> Iterator[None]:
    """Hold `lock` (made when missing) while the block runs; StoreError `busy` when another process holds it, or
    naming its folder when it cannot be made there. With `wait_for_readers`, a lock that only readers hold (shared, as
    held_by_a_run holds it for an instant) is waited for up to that many seconds; one that another process holds to
    write (exclusive) is refused at once."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; one run at a time is then the user's to keep
        fcntl = None
    try:
        handle = open(lock, "a")
    except OSError as exc:
        raise StoreError(f"cannot write in {lock.parent}: {_reason(exc)}") from None
    with handle:
        if fcntl is not None:
            deadline = time.monotonic() + wait_for_readers
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline or _held_to_write(lock):
                        raise StoreError(busy) from None
                    time.sleep(0.02)
        yield


def _check_writable(folder: Path) -> None:
    """StoreError naming `folder` when no file can be made in it, tried by making one (the permission bits do not
    tell: a read-only disk, an access list, root)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".writable.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StoreError(f"cannot write in {folder}: {_reason(exc)}") from None
