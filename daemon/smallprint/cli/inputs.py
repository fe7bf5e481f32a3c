"""Reading a document for the command line: a file or stdin, in whatever encoding it came in, as text or HTML
(or a PDF's text).

Shared by the commands that take files (`analyze`, and `diff` may use it too). Failures are `CliError`s with one
clear line, never a traceback.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..pdf import PdfError, looks_like_pdf, read_pdf_text
from . import CliError

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

# The most read of one input, so that endless input (/dev/zero, `yes |`) or a huge file is refused before it fills
# memory. The engine reads at most 2,000,000 characters (8 MB of UTF-8 at the very most, a few MB as policies are
# written); a PDF holds far more bytes than text (fonts, images): 64 MiB leaves room for every real policy PDF, and
# reading that much costs well under a second.
MAX_INPUT_BYTES = 64 * 1024 * 1024
# A pipe given as a path (`<(curl ...)`, a named FIFO) is read as stdin is, but a FIFO that no program ever writes
# to would otherwise keep the command waiting for ever: this long for the first byte, then a clear error.
PIPE_WAIT_SECONDS = 60.0
_CHUNK = 1024 * 1024

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_HTML_START = re.compile(r"\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(html|head|body|main|article|section|div|p|h[1-6]|ul|ol|li|table|br)\b[^<>]*>",
                       re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Document:
    """What was read: the decoded content, whether to analyse it as HTML, and a note about its encoding if any."""
    name: str
    content: str
    is_html: bool
    note: str | None = None  # e.g. "not UTF-8; read as Windows-1252"


def read_document(path: str, *, stdin=None) -> Document:
    """Read PATH (or stdin when PATH is "-") and decide text vs HTML.

    A PDF (by its header, or a `.pdf` name) is read for its text (smallprint.pdf); `.html`/`.htm` files are HTML;
    stdin, and a pipe given as a path (`<(curl ...)`, a FIFO), is HTML when it looks like a page or a fragment of one;
    all else is text (plain or Markdown).
    """
    suffix = "" if path == "-" else Path(path).suffix.lower()
    if path == "-":
        data, name, is_stream = _read_stdin(stdin), "stdin", True
    else:
        (data, is_stream), name = _read_file(Path(path)), printable_name(path)
    if not data.strip():
        raise CliError(f"nothing to analyse: {name} is empty")
    if looks_like_pdf(data) or suffix == ".pdf":
        from ..time_budget import OverBudget, analysis_time_limit, time_budget

        try:
            # Within the analysis time limit: pypdf bounds each stream, not the file, and a small PDF can make it
            # read for hours (one slow page repeated); the analysis that follows has a limit of its own.
            with time_budget(analysis_time_limit()):
                return Document(name=name, content=read_pdf_text(data), is_html=False)
        except (PdfError, OverBudget) as exc:
            raise CliError(f"cannot analyse {name}: {exc}") from None
    content, note = decode_bytes(data, name, html_hint=suffix in HTML_SUFFIXES)
    # A pipe's name ("/dev/fd/63") says nothing of what comes through it: it is read by its content, as stdin is.
    is_html = suffix in HTML_SUFFIXES or (is_stream and looks_like_html(content))
    return Document(name=name, content=content, is_html=is_html, note=note)


def _read_stdin(stream=None) -> bytes:
    """At most MAX_INPUT_BYTES + 1 bytes of `stream`, or of stdin; a closed stdin (`<&-`) is a clear error."""
    if stream is None:
        if sys.stdin is None:  # Python's sys.stdin when file descriptor 0 was closed before it started
            raise CliError("nothing to analyse: stdin is closed")
        stream = sys.stdin.buffer
    try:
        data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:  # e.g. EBADF: descriptor 0 closed after Python started, or not open for reading
        raise CliError(f"cannot read stdin: {exc.strerror or exc}") from None
    _refuse_too_large(data, "stdin")
    return data


def printable_name(name: str) -> str:
    """A name as text can hold it, losing nothing: a file name that is not UTF-8 (an old archive's Latin-1
    "caf\\xe9.md") has its undecodable bytes written as \\xNN escapes, and a lone surrogate that JSON allows
    ("\\ud800") as a \\uNNNN escape, instead of a "?" (or a codec error that names no document) when it is printed
    or written as UTF-8. A valid name is returned as it is (the text views still make it terminal-safe). Shared by
    the CLI's views and messages and the corpus's tables."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte of a file name
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _too_large(name: str) -> str:
    return (f"{name} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, the most smallprint reads of one "
            "document")


def _refuse_too_large(data: bytes, name: str) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise CliError(_too_large(name))


def _read_file(file: Path) -> tuple[bytes, bool]:
    """At most MAX_INPUT_BYTES of a file, and whether it was a stream: a regular file by its size first (a huge or
    sparse file is refused without reading it), a pipe or device (`<(curl ...)`, a FIFO, /dev/stdin) as it comes,
    waiting at most PIPE_WAIT_SECONDS for a first byte."""
    name = printable_name(str(file))
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            is_stream = not stat.S_ISREG(mode)
            if not is_stream:
                if os.fstat(fd).st_size > MAX_INPUT_BYTES:
                    raise CliError(_too_large(name))
                os.set_blocking(fd, True)
                data = _read_up_to(fd, MAX_INPUT_BYTES + 1)
            else:
                data = _read_stream(fd, name)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise CliError(f"no such file: {name}") from None
    except IsADirectoryError:
        raise CliError(f"{name} is a folder, not a file") from None
    except PermissionError:
        raise CliError(f"permission denied: cannot read {name}") from None
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}") from None
    _refuse_too_large(data, name)
    return data, is_stream


def _read_up_to(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(_CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _read_stream(fd: int, name: str) -> bytes:
    """A pipe or device opened non-blocking: read until its end or MAX_INPUT_BYTES + 1 bytes."""
    try:
        import select
        poller = select.poll()
    except (ImportError, AttributeError):  # no poll() (Windows): a plain read, still bounded
        os.set_blocking(fd, True)
        return _read_up_to(fd, MAX_INPUT_BYTES + 1)
    poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + PIPE_WAIT_SECONDS
    chunks, size = [], 0
    while size <= MAX_INPUT_BYTES:
        # Until the first byte, a FIFO nobody has opened for writing reads as "nothing yet", not as its end.
        wait = None if chunks else max(0.0, deadline - time.monotonic())
        if not poller.poll(None if wait is None else int(wait * 1000) + 1):
            raise CliError(f"nothing came from {name} within {PIPE_WAIT_SECONDS:g} s: no program writes to it")
        try:
            chunk = os.read(fd, min(_CHUNK, MAX_INPUT_BYTES + 1 - size))
        except BlockingIOError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def decode_bytes(data: bytes, name: str = "input", *, html_hint: bool = False) -> tuple[str, str | None]:
    """Decode with the encoding the bytes declare or show, returning (text, note-or-None).

    Order: a byte-order mark; UTF-16 without a mark (recognised by its NUL bytes: text in Latin script written as
    UTF-16 is also valid UTF-8, every other byte a NUL, so this comes before UTF-8); strict UTF-8; an HTML
    `<meta charset>`; else Windows-1252 (Latin-1 for its five undefined bytes), which never fails, with a note.
    Binary data, and text riddled with NULs in no shape of UTF-16 (UTF-32 without a mark), is refused rather than
    turned into nonsense. Shared by the CLI (`analyze`, `diff`, `history`) and `corpus analyze`.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), (None if codec == "utf-8" else f"{name} is {label}")
            except UnicodeDecodeError:
                # UTF-8 with a mark (as Notepad saves it) and a stray byte is read as UTF-8 without one would be
                mostly_utf8 = _utf8_with_stray_bytes(data[len(bom):]) if codec == "utf-8" else None
                if mostly_utf8:
                    return mostly_utf8[0], _stray_note(name, mostly_utf8[1])
                raise CliError(f"{name} starts with a {label} byte-order mark but is not valid {label}") from None
    utf16 = _guess_utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), f"{name} is UTF-16 without a byte-order mark"
        except UnicodeDecodeError:
            pass
    binary = CliError(f"{name} looks like a binary file, not text or HTML")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if text.count("\x00", 0, _SHAPE_SAMPLE_BYTES) * 100 > min(len(text), _SHAPE_SAMPLE_BYTES):
            raise binary  # over 1% NULs: a stray one is kept, as it always was; this many are no text
        return text, None
    if b"\x00" in data:
        raise binary
    declared = _declared_charset(data) if html_hint or data.lstrip()[:1] == b"<" else None
    if declared:
        try:
            return data.decode(declared), f"{name} is not UTF-8; read it as {declared}, as the page declares"
        except (ValueError, LookupError):  # UnicodeError too: `<meta charset="undefined">` names a codec that
            pass                           # exists and refuses every byte
    mostly_utf8 = _utf8_with_stray_bytes(data)
    if mostly_utf8:
        return mostly_utf8[0], _stray_note(name, mostly_utf8[1])
    try:
        return data.decode("cp1252"), f"{name} is not UTF-8; read it as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"{name} is not UTF-8; read it as Latin-1"


def _stray_note(name: str, stray: int) -> str:
    return (f"{name} is not UTF-8 in {stray} byte{'s' if stray != 1 else ''}; read {'those' if stray != 1 else 'it'} "
            "as Windows-1252 and the rest as UTF-8")


def _stray_byte_as_windows_1252(error: UnicodeDecodeError) -> tuple[str, int]:
    """A codecs error handler: bytes that are not UTF-8 read one by one as Windows-1252 (Latin-1 for the five bytes
    it leaves undefined), the way a pasted Windows quote or a truncated character most likely meant them."""
    bad = error.object[error.start:error.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), error.end


codecs.register_error("smallprint-stray-windows-1252", _stray_byte_as_windows_1252)


def _utf8_with_stray_bytes(data: bytes) -> tuple[str, int] | None:
    """(text, how many bytes are not UTF-8) when `data` is UTF-8 but for a few stray bytes, else None.

    One stray byte must not make the whole file Windows-1252: every "é" and "’" of a UTF-8 policy would become
    "Ã©" and "â€™", and a diff against the same policy without the byte reported it reworded throughout. A legacy
    single-byte file is told apart by which there is more of: multi-byte UTF-8 characters, or places that are not
    UTF-8 (Windows-1252 text forms a valid UTF-8 pair only by accident, as "Ã©" does)."""
    replaced = data.decode("utf-8", errors="replace")  # one U+FFFD for each place that is not UTF-8
    stray_places = replaced.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    # characters beyond ASCII, less the replacements: the multi-byte UTF-8 characters the data holds
    multibyte = len(replaced) - len(replaced.encode("ascii", errors="ignore")) - stray_places
    if multibyte < stray_places:  # a tie ("é" and one stray byte) is UTF-8's: a legacy file rarely forms a pair
        return None
    # valid characters encode back to their own bytes; each replacement (3 bytes) stood for the stray ones
    stray_bytes = len(data) - (len(replaced.encode("utf-8")) - 3 * stray_places)
    return data.decode("utf-8", errors="smallprint-stray-windows-1252"), stray_bytes


# How much of the input shows its shape (UTF-16 without a mark, NULs): enough for any encoding, a cheap look at 64 MiB.
_SHAPE_SAMPLE_BYTES = 64 * 1024


def _guess_utf16_without_bom(data: bytes) -> str | None:
    """Mostly-ASCII UTF-16 has a NUL in every other byte; which half says the byte order. Judged by the first
    _SHAPE_SAMPLE_BYTES; the whole must still decode."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:_SHAPE_SAMPLE_BYTES]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def looks_like_html(content: str) -> bool:
    """Whether text from stdin is a page or fragment: it starts like one, or has several block-level tags."""
    head = content[:8192]
    if _HTML_START.match(head):
        return True
    starts_with_tag = head.lstrip().startswith("<") and _HTML_TAG.match(head.lstrip()) is not None
    return starts_with_tag or len(_HTML_TAG.findall(head)) >= 3
