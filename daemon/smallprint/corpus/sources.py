"""Where a corpus comes from: a folder of documents, a JSON Lines file, or an Open Terms Archive-style git repository.

Each source is listed as `Version`s (one recorded text of one document of one service, with its date) whose bytes
are read on demand by `read_version`, so that a million-document corpus is never held in memory at once. Listing a
source reads every document once to hash it: the hash is what makes a run resumable (see store.py).

Layouts:
- folder: `.md`, `.txt`, `.html`/`.htm` and `.pdf` files, recursively, but for README files. The service is the first folder below the source (or,
  for a file directly in it, the file's name); a date (YYYY-MM-DD) in the file name is the version's date; the
  document is the file name without that date and what follows it (what is left of "2024-01-15_v2.md" is nothing:
  the document is then "policy"), so dated files in one folder are versions of one document.
- JSON Lines: `{"id", "text" | "html", "url"?, "service"?, "document"?, "date"?}` a line. The document is
  `document`, else `url`, else `id`; the service is `service`, else the id.
- git repository (a folder holding `.git`): Open Terms Archive's layout, `<service>/<document type>.md`; every
  commit that added or changed such a file is a version of it, dated by the commit (UTC). Files elsewhere (a
  README at the top) are not documents. History is read with `git log` and `git cat-file`, never the checkout.
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from smallprint.cli.inputs import MAX_INPUT_BYTES, printable_name

DOCUMENT_SUFFIXES = frozenset({".md", ".txt", ".html", ".htm", ".pdf"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
# A JSON Lines line is read whole to parse it, so a line of gigabytes (or a binary file misnamed .jsonl, with no
# newline) would be held whole in memory: a line longer than this is skipped a chunk at a time and becomes a row
# that says so. The bound is the one on every other input (`smallprint analyze`, the daemon); a record's text is
# then checked against the document limit (work.MAX_DOCUMENT_BYTES), as a file's is.
MAX_LINE_BYTES = MAX_INPUT_BYTES
_SKIP_CHUNK_BYTES = 1024 * 1024
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


# What would break a name's line or reorder what follows it where the name is shown (a newline or a tab in a file name
# splits its row in a CSV file, a bidirectional override turns the rest of a line around): C0 and C1 controls, DEL,
# the Unicode line and paragraph separators, bidirectional embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# A backslash that a name holds itself where it would read as the start of an escape that table_name writes (a file
# literally named `a\x0ab.md`): written as an escape too, \x5c, so that it is not read as a newline.
_READS_AS_ESCAPE = re.compile(r"\\(?=x[0-9a-f]{2}|u[0-9a-f]{4})")


def table_name(name: str) -> str:
    """A name as the tables, the CSV files and the page hold it: as the CLI shows a name (printable_name: a byte that
    is not UTF-8 as \\xNN, 80 to ff), and each control character escaped too (a newline as \\x0a, DEL as \\x7f; a
    C1 control, whose \\xNN a byte's would be, as \\u0085; an override as \\u202e), so that every name is one line
    of text that shows as written. Nothing else is changed but a backslash of the name's own that would read as such
    an escape (`a\\x0ab`, where a newline reads `a\\x0ab` too), written \\x5c: two names are never written
    alike, and the escapes can be read back (docs/CORPUS.md, "Sources"). The same file is named the same in every
    run: its versions stay one document, and its readings are found by its text."""
    name = printable_name(_READS_AS_ESCAPE.sub(r"\\x5c", name))
    if not _CONTROL.search(name):
        return name
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x80 else f"\\u{ord(m[0]):04x}", name)


class SourceError(ValueError):
    """A source that cannot be read as a corpus: the message says which and why, in one sentence."""


@dataclass(frozen=True, slots=True)
class Version:
    """One recorded text of one document. `locator` says how to read its bytes again (see read_version)."""
    service: str
    document: str
    date: str | None  # ISO 8601: "2024-01-15", or "2024-01-15T10:20:30Z" from a commit
    source: str  # for people: the file, "file.jsonl:LINE", or "repo@COMMIT:path"
    content_hash: str  # sha256 of the document's bytes (for JSON Lines: of its text, UTF-8)
    size: int  # bytes
    is_html: bool
    # ("file", path) | ("jsonl", path, byte offset, line length) | ("git", repo, blob sha) | ("unreadable", path, why)
    locator: tuple


def list_versions(source: str | Path, *, max_line_bytes: int = MAX_LINE_BYTES) -> list[Version]:
    """Every version a source holds; SourceError when it holds none or is not a corpus. A JSON Lines line longer
    than `max_line_bytes` is not read: it is listed as an unreadable version that says so (see _jsonl_versions)."""
    path = Path(source)
    if not path.exists():
        raise SourceError(f"no such file or folder: {path}")
    if path.is_dir() and (path / ".git").exists():
        versions = list(_git_versions(path))
        kind = "git repository"
    elif path.is_dir():
        versions = list(_folder_versions(path))
        kind = "folder"
    elif path.suffix.lower() in {".jsonl", ".ndjson"}:
        versions = list(_jsonl_versions(path, max_line_bytes))
        kind = "JSON Lines file"
    else:
        raise SourceError(f"{path} is not a folder, a git repository or a JSON Lines file (.jsonl)")
    if not versions:
        what = {"folder": "no .md, .txt, .html or .pdf document", "JSON Lines file": "no line"}.get(kind)
        if what is None:
            raise SourceError(f"{path} is a git repository but not in Open Terms Archive's layout: no commit in its "
                              "history adds or changes a file <service>/<document type>.md")
        raise SourceError(f"{path} is an empty source: the {kind} holds {what}")
    return versions


def inside_source_folder(source: str | Path, out: str | Path) -> bool:
    """Whether `out` (a folder or a file, there or still to be made) is, or lies inside, the folder `source` walks, so
    that what smallprint writes there would be read as documents of that source on the next run. Paths are compared
    resolved (a symbolic link to the source is caught). A git repository is read from its history, not its files, and
    a hidden folder or file is not walked: both are let be, as is a source that is not a folder (now)."""
    path = Path(source)
    if not path.is_dir() or (path / ".git").exists():
        return False
    folder, target = path.resolve(), Path(out).resolve()
    if target != folder and folder not in target.parents:
        return False
    return not any(part.startswith(".") for part in target.relative_to(folder).parts)


def refuse_out_inside(source: str | Path, out: str | Path) -> None:
    """SourceError when the corpus folder `out` is (or would be made) inside the folder `source` walks: its report
    (report.html), and whatever else is written there, would be read as documents of that source on the next run."""
    if not inside_source_folder(source, out):
        return
    raise SourceError(f"--out {printable_name(str(out))} is inside the source folder {printable_name(str(source))}: "
                      "what smallprint writes there (report.html) would be read as documents of it on the next run; "
                      "choose a folder outside it")


def source_identity(source: str | Path) -> tuple[str, tuple[str, ...]]:
    """What names a source across runs, and how the `source` of each version it lists begins.

    The name is the source's absolute path (symbolic links resolved), so that `corpus/` and `./corpus` are one
    source; the beginnings are those of its versions' `source` however the path was spelt in a run (as given,
    absolute, relative to here), so that what an older folder recorded of it can be told apart (tables.py)."""
    path = Path(source)
    resolved = path.resolve()
    after = ("@" if path.is_dir() and (path / ".git").exists() else os.sep if path.is_dir() else ":")
    spellings = [str(path), str(resolved)]
    with contextlib.suppress(ValueError):  # Windows: no relative path from one drive to another
        spellings.append(os.path.relpath(resolved))
    # The name keys the source's listing part (store.CorpusDir.listing_part): it stays as it was. The beginnings are
    # matched against the `source` column, which table_name writes.
    return printable_name(str(resolved)), tuple(dict.fromkeys(table_name(spelling) + after
                                                              for spelling in spellings))


def read_version(version: Version, limit: int | None = None) -> bytes:
    """The bytes of a version (for JSON Lines: its text or html, UTF-8). With `limit`, a file is read no further
    than one byte past it, however much it has grown since it was listed (the caller then sees it is too large)."""
    kind = version.locator[0]
    if kind == "file":
        with Path(version.locator[1]).open("rb") as handle:
            return handle.read(-1 if limit is None else limit + 1)
    if kind == "jsonl":
        # No further than the line as it was listed (its length is within the line bound): a file rewritten since
        # cannot make this read a line of gigabytes.
        path, offset, length = version.locator[1:]
        with open(path, "rb") as handle:
            handle.seek(offset)
            line = handle.read(length)
        try:
            record = json.loads(line)
            return _jsonl_body(record if isinstance(record, dict) else {})[0]
        except (ValueError, UnicodeError, RecursionError):
            raise SourceError(f"{version.source} is no longer the record it was when listed (the file changed "
                              "since); run again to list it anew") from None
    if kind == "git":
        return _cat_file(version.locator[1]).read(version.locator[2])
    raise ValueError(f"unknown locator {kind!r}")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _date_in(name: str) -> re.Match | None:
    m = _DATE.search(name)
    return m if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31 else None


# --- folder ------------------------------------------------------------------------------------------------

def _folder_versions(root: Path) -> Iterator[Version]:
    # A README (a corpus's own description, as policies-more and OTA repositories have) is not one of its documents.
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()
                   and p.stem.lower() != "readme"
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    for file in files:
        relative = file.relative_to(root)
        stem = table_name(file.stem)
        found = _date_in(stem)
        document = (stem[:found.start()] if found else stem).strip(" _-.") or "policy"
        service = table_name(relative.parts[0]) if len(relative.parts) > 1 else document
        is_html = file.suffix.lower() in HTML_SUFFIXES
        try:
            content_hash, size = _hash_file(file)
        except OSError as exc:  # no permission, or gone: a row with its error, never the end of the run
            reason = f"cannot read: {exc.strerror or exc}"
            yield Version(service=service, document=document, date=found[0] if found else None,
                          source=table_name(str(file)), content_hash=_digest(f"{file}\0{reason}".encode(
                              "utf-8", "surrogateescape")), size=0, is_html=is_html,
                          locator=("unreadable", str(file), reason))
            continue
        yield Version(service=service, document=document, date=found[0] if found else None,
                      source=table_name(str(file)), content_hash=content_hash, size=size, is_html=is_html,
                      locator=("file", str(file)))


def _hash_file(file: Path) -> tuple[str, int]:
    """sha256 and size of a file, read a chunk at a time: a file of gigabytes costs time, never memory (it is then
    a "too large" row, work.py)."""
    digest, size = hashlib.sha256(), 0
    with file.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- JSON Lines --------------------------------------------------------------------------------------------

def _jsonl_body(record: dict) -> tuple[bytes, bool]:
    """The document's bytes and whether they are HTML; SourceError names what is missing."""
    if isinstance(record.get("text"), str):
        return record["text"].encode("utf-8", "surrogatepass"), False
    if isinstance(record.get("html"), str):
        return record["html"].encode("utf-8", "surrogatepass"), True
    raise SourceError('has neither "text" nor "html" as a string')


def _jsonl_versions(file: Path, max_line_bytes: int) -> Iterator[Version]:
    offset = 0
    with open(file, "rb") as handle:
        for number, line in enumerate(iter(lambda: handle.readline(max_line_bytes + 1), b""), start=1):
            start = offset
            if len(line) > max_line_bytes and not line.endswith(b"\n"):
                yield _line_too_long(file, number, line, handle, max_line_bytes)
                offset = handle.tell()
                continue
            offset += len(line)
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise SourceError("is not a JSON object")
                data, is_html = _jsonl_body(record)
            except (ValueError, UnicodeError) as exc:
                reason = exc if isinstance(exc, SourceError) else f"is not valid JSON ({exc})"
                raise SourceError(f"{file}:{number} {reason}") from None
            except RecursionError:  # valid JSON, but arrays in arrays ... deeper than Python's parser goes
                raise SourceError(f"{file}:{number} cannot be read: its JSON nests deeper than the parser "
                                  "allows") from None
            # A JSON string may hold a lone surrogate ("\\udce9"), which no table can: escaped (table_name).
            ident = table_name(str(record.get("id") if record.get("id") is not None else number))
            service = table_name(str(record.get("service") or ident))
            document = table_name(str(record.get("document") or record.get("url") or ident))
            try:
                date = iso_date(record.get("date"))
            except SourceError as exc:
                raise SourceError(f"{file}:{number} {exc}") from None
            yield Version(service=service, document=document, date=date,
                          source=table_name(f"{file}:{number}"), content_hash=_digest(data), size=len(data),
                          is_html=is_html, locator=("jsonl", str(file), start, len(line)))


def iso_date(value) -> str | None:
    """A JSON Lines record's `date` as the tables hold dates, so that they sort in time order: a day as given
    ("2024-01-15"), a time in UTC ("2024-01-15T10:20:30Z", as git commits are dated; fractions of a second kept; a
    time without an offset is taken as UTC; RFC 3339's lower-case "t" and "z" too). Anything that is no ISO 8601 date
    ("December 18, 2012", 20121218 as a number, digits other than 0-9, a year before 1 once made UTC) is refused,
    naming what to write: as text it would sort out of time order."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DAY.fullmatch(text):
            try:
                datetime.strptime(text, "%Y-%m-%d")
                return text
            except ValueError:
                pass
        elif _ISO_TIME.match(text):
            text = text[:10] + "T" + text[11:].upper()
            try:
                when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
                when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
            except (ValueError, OverflowError):  # OverflowError: "0001-01-01T00:30:00+01:00" is before year 1 in UTC
                pass
            else:
                return when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{when.microsecond:06d}".rstrip("0") if when.microsecond
                                                               else "") + "Z"
    shown = json.dumps(value)  # ASCII: a lone surrogate in it is shown escaped, never a codec error
    raise SourceError(f"has a date that is not a valid ISO 8601 date ({shown[:60]}): write it as \"2024-01-15\" or "
                      "\"2024-01-15T10:20:30Z\"")


def date_order(date: str | None) -> str:
    """The key that sorts the tables' dates (`iso_date`'s forms) in time order, undated first. The text alone does
    not: "2024-01-15T10:20:30.1Z" sorted before "2024-01-15T10:20:30Z" ("." before "Z"), a tenth of a second later
    shown as earlier. Without the "Z" (every time is in UTC) a whole second is a prefix of its fractions, as a day is
    of its times, and a prefix sorts first."""
    return (date or "").removesuffix("Z")


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]")


def _line_too_long(file: Path, number: int, head: bytes, handle, max_line_bytes: int) -> Version:
    """The version of a line longer than the bound, read to its end a chunk at a time and kept nowhere: a row that
    names the line and says why it was not read (the run goes on with the lines after it). Its id, service and
    document are inside the line, which is not parsed, so they are its line number, as for a record without an id.
    Its hash is of the line's bytes, so that a run over the same file finds the row already written."""
    digest, size = hashlib.sha256(b"smallprint: a JSON Lines line over the bound\0"), 0
    chunk = head
    while chunk:
        digest.update(chunk)
        size += len(chunk)
        if chunk.endswith(b"\n"):
            break
        chunk = handle.readline(_SKIP_CHUNK_BYTES)
    size -= chunk.endswith(b"\n")  # the newline ends the line, it is not in it
    reason = (f"too large: line {number} is {size / 1e6:.1f} MB (a JSON Lines line is read up to "
              f"{max_line_bytes / 1e6:.1f} MB); not read")
    return Version(service=str(number), document=str(number), date=None, source=table_name(f"{file}:{number}"),
                   content_hash=digest.hexdigest(), size=size, is_html=False,
                   locator=("unreadable", str(file), reason))


# --- git (Open Terms Archive) ------------------------------------------------------------------------------

def _git(repo: str | Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise SourceError("reading a git repository needs the git command, which is not installed") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"git cannot read {repo}: {reason[-1] if reason else 'exit ' + str(done.returncode)}")
    return done.stdout


def _is_layout(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 2 and parts[1].lower().endswith(".md") and not parts[0].startswith(".")


def _git_versions(repo: Path) -> Iterator[Version]:
    # One line per commit ("@" sha, commit time), then its raw changes ":old mode new mode old sha new sha status\tpath").
    # --first-parent -m: a merge counts with what it brought to the main line; renames are a delete and an add.
    # --no-show-signature: a repository's own .git/config (one that came in an archive) may set log.showSignature and
    # a gpg.program, which `git log` would run on its signed commits: reading a corpus must run none of its programs.
    try:
        log = _git(repo, "log", "--no-show-signature", "--reverse", "--first-parent", "-m", "--no-renames", "--raw",
                   "--no-abbrev", "--format=@%H %ct", "-z")
    except SourceError as exc:
        if "does not have any commits" in str(exc):
            return
        raise
    changes: list[tuple[str, str, str, str]] = []  # commit, time, blob, path
    commit = when = None
    fields = log.decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(fields):
        field = fields[i].strip("\n")
        if field.startswith("@"):
            commit, stamp = field[1:].split()
            when = datetime.fromtimestamp(int(stamp), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            i += 1
        elif field.startswith(":"):
            meta, path = field.split(), fields[i + 1]
            blob, status = meta[3], meta[4]
            if status[0] in "AMT" and _is_layout(path):
                changes.append((commit, when, blob, path))
            i += 2
        else:
            i += 1
    sizes = _blob_sizes(repo, [blob for _, _, blob, _ in changes])
    hashes = _blob_hashes(repo, list(dict.fromkeys(blob for _, _, blob, _ in changes)))
    for commit, when, blob, path in changes:
        # git's paths are bytes: one that is not UTF-8 (a Latin-1 "caf\\xe9/Privacy Policy.md") is escaped, as in
        # a folder: the tables cannot hold its surrogates, and the run would stop naming no file.
        service, name = table_name(path).split("/")
        yield Version(service=service, document=name[:-3], date=when,
                      source=table_name(f"{repo}@{commit[:12]}:{path}"),
                      content_hash=hashes[blob], size=sizes[blob], is_html=False, locator=("git", str(repo), blob))


def _blob_sizes(repo: Path, blobs: list[str]) -> dict[str, int]:
    if not blobs:
        return {}
    out = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-check=%(objectname) %(objectsize)"],
                         input="\n".join(dict.fromkeys(blobs)).encode() + b"\n", capture_output=True, check=True)
    return {sha: int(size) for sha, size in (line.split() for line in out.stdout.decode().splitlines())}


def _blob_hashes(repo: Path, blobs: list[str]) -> dict[str, str]:
    """sha256 of each blob's bytes, streamed through the repository's `git cat-file --batch`."""
    reader = _cat_file(str(repo))
    return {blob: _digest(reader.read(blob)) for blob in blobs}


class _CatFile:
    """One `git cat-file --batch` per repository, kept open: a corpus reads every version of every document, and a
    git process for each would cost more than reading the blob."""

    def __init__(self, repo: str):
        self.process = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)

    def read(self, blob: str) -> bytes:
        # One request at a time: writing every request first could fill both pipes and stall.
        self.process.stdin.write(blob.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3:
            raise SourceError(f"git cannot read blob {blob}: {b' '.join(header).decode('utf-8', 'replace')}")
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)  # the newline after the contents
        return data

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


_READERS: dict[str, _CatFile] = {}


def _cat_file(repo: str) -> _CatFile:
    if repo not in _READERS:
        _READERS[repo] = _CatFile(repo)
    return _READERS[repo]


@atexit.register
def _close_readers() -> None:
    while _READERS:
        _READERS.popitem()[1].close()
