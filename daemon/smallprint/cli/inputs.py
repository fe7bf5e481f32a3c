"""Reading a document for the command line: a file or stdin, in whatever encoding it came in, as text or HTML
(or a PDF's text).

Shared by the commands that take files (`analyze`, and `diff` may use it too). Failures are `CliError`s with one
clear line, never a traceback.
"""
from __future__ import annotations

import codecs
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..pdf import PdfError, looks_like_pdf, read_pdf_text
from . import CliError

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

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

    A PDF (by its header, or a `.pdf` name) is read for its text (smallprint.pdf); `.html`/`.htm` files are HTML; stdin is HTML when it looks like a page or a fragment of one; all else is text
    (plain or Markdown).
    """
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read()
        name = "stdin"
    else:
        data = _read_file(Path(path))
        name = path
    if not data.strip():
        raise CliError(f"nothing to analyse: {name} is empty")
    if looks_like_pdf(data) or (path != "-" and Path(path).suffix.lower() == ".pdf"):
        try:
            return Document(name=name, content=read_pdf_text(data), is_html=False)
        except PdfError as exc:
            raise CliError(f"cannot analyse {name}: {exc}") from None
    content, note = decode_bytes(data, name, html_hint=path != "-" and Path(path).suffix.lower() in HTML_SUFFIXES)
    if path == "-":
        is_html = looks_like_html(content)
    else:
        is_html = Path(path).suffix.lower() in HTML_SUFFIXES
    return Document(name=name, content=content, is_html=is_html, note=note)


def _read_file(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise CliError(f"no such file: {file}") from None
    except IsADirectoryError:
        raise CliError(f"{file} is a folder, not a file") from None
    except PermissionError:
        raise CliError(f"permission denied: cannot read {file}") from None
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror or exc}") from None


def decode_bytes(data: bytes, name: str = "input", *, html_hint: bool = False) -> tuple[str, str | None]:
    """Decode with the encoding the bytes declare or show, returning (text, note-or-None).

    Order: a byte-order mark; strict UTF-8; UTF-16 without a mark (recognised by its NUL bytes); an HTML
    `<meta charset>`; else Windows-1252 (Latin-1 for its five undefined bytes), which never fails, with a note.
    Binary data is refused rather than turned into nonsense.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), (None if codec == "utf-8" else f"{name} is {label}")
            except UnicodeDecodeError:
                raise CliError(f"{name} starts with a {label} byte-order mark but is not valid {label}") from None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    utf16 = _guess_utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), f"{name} is UTF-16 without a byte-order mark"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise CliError(f"{name} looks like a binary file, not text or HTML")
    declared = _declared_charset(data) if html_hint or data.lstrip()[:1] == b"<" else None
    if declared:
        try:
            return data.decode(declared), f"{name} is not UTF-8; read it as {declared}, as the page declares"
        except (ValueError, LookupError):  # UnicodeError too: `<meta charset="undefined">` names a codec that
            pass                           # exists and refuses every byte
    try:
        return data.decode("cp1252"), f"{name} is not UTF-8; read it as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"{name} is not UTF-8; read it as Latin-1"


def _guess_utf16_without_bom(data: bytes) -> str | None:
    """Mostly-ASCII UTF-16 has a NUL in every other byte; which half says the byte order."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
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
