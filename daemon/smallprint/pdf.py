"""A PDF policy's text, for the engine (the CLI, the API's `pdf` field, the corpus command).

pypdf is maintained, pure Python and reads only the file it is given (no fonts or services fetched). Its layout
mode keeps the page's vertical gaps as blank lines, so paragraphs stay paragraphs; the engine then joins a
paragraph's wrapped lines as it does for any plain text (engine/blocks.py). A scanned PDF, whose pages are images
with no text layer, is refused with that reason: smallprint reads text and does no OCR.
"""
from __future__ import annotations

import io
import logging
import re

# pypdf reports a damaged but readable file as warnings through logging, which would otherwise reach the terminal
# as stray lines; what matters to the reader (no text, unreadable) is raised as a PdfError instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

PDF_MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024  # readers accept the header anywhere in the first KB (some files start with junk)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
# A line that is only a page number ("3", "- 3 -", "Page 3", "Page 3 of 12"): a running footer, not policy text.
_PAGE_NUMBER = re.compile(r"(?:page\s+)?[-–—\s]*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*", re.IGNORECASE)


class PdfError(ValueError):
    """This PDF gives no text to analyse; the message says why in one line."""


def looks_like_pdf(data: bytes) -> bool:
    return PDF_MAGIC in data[:_HEADER_WINDOW]


def read_pdf_text(data: bytes) -> str:
    """The text of a PDF, page after page, paragraphs separated by blank lines. Raises PdfError for a file that
    is not a PDF, is damaged beyond reading, is locked with a password, or has no text (a scan)."""
    if not looks_like_pdf(data):
        raise PdfError("not a PDF (no %PDF- header)")
    from pypdf import PdfReader  # here: only PDF input pays for importing it

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # many PDFs are "encrypted" with an empty password
            raise PdfError("the PDF is locked with a password; save an unlocked copy and analyse that")
        # Layout mode keeps a page's columns and paragraphs apart, but pypdf's layout mode reads nothing drawn
        # through a Form XObject (pdfpages, stamping and overlay tools): a page it finds empty is read again in
        # plain mode before the PDF is called a scan.
        pages = [page.extract_text(extraction_mode="layout") or page.extract_text() or "" for page in reader.pages]
    except PdfError:
        raise
    except Exception as exc:  # pypdf's errors for damaged files are of many types; all mean the same to a reader
        raise PdfError(f"cannot read the PDF (damaged or unsupported: {type(exc).__name__}: {exc})") from None
    text = "\n\n".join(filter(None, (_tidy(page) for page in pages)))
    if not text:
        raise PdfError(f"the PDF has no text to read ({len(pages)} page{'s' if len(pages) != 1 else ''}): it looks "
                       "scanned, with its pages as images; smallprint reads text and does no OCR, so run OCR on it "
                       "first or find the policy as a web page")
    return text


def _tidy(page: str) -> str:
    """One page's layout text: lines without the layout's positioning spaces, page-number footers dropped, runs of
    blank lines (vertical gaps) kept as one blank line."""
    lines: list[str] = []
    for raw in page.splitlines():
        line = _SPACES.sub(" ", raw).strip()
        if line and _PAGE_NUMBER.fullmatch(line):
            continue
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()
