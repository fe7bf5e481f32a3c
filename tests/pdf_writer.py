"""A tiny PDF writer for tests: real PDF files (Helvetica text, or an image-only "scan"), made here, never fetched.

Each page is a list of lines drawn top to bottom at a fixed leading; an empty line leaves a gap, which is how a
paragraph break looks in a PDF (there is no paragraph structure in the file, only positions).
"""
from __future__ import annotations

import textwrap
import zlib

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, in points


def wrapped(*paragraphs: str, width: int = 80) -> list[str]:
    """Paragraphs as a page's lines: wrapped at `width` characters, a gap between paragraphs."""
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines += textwrap.wrap(paragraph, width)
    return lines


def _escape(line: str) -> bytes:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252")


def _text_page(lines: list[str], left: int = 72, top: int = 740) -> bytes:
    ops = [b"BT /F1 11 Tf 14 TL %d %d Td" % (left, top)]
    ops += [b"T*" if not line else b"(" + _escape(line) + b") Tj T*" for line in lines]
    ops.append(b"ET")
    return b"\n".join(ops)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< " + extra + b"/Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _columns_page(across: list[str], columns: list[list[str]]) -> bytes:
    """Lines across the page's width, then the columns side by side under them, each drawn whole before the next
    (as a typesetter writes a column layout)."""
    top_of_columns = 740 - 14 * len(across)
    column_width = (PAGE_WIDTH - 2 * 72) // len(columns)
    parts = [_text_page(across)] if across else []
    parts += [_text_page(lines, 72 + i * column_width, top_of_columns) for i, lines in enumerate(columns)]
    return b"\n".join(parts)


def pdf_document(pages: list[list[str]] | None = None, *, scanned_pages: int = 0,
                 form_pages: list[list[str]] | None = None,
                 column_pages: list[tuple[list[str], list[list[str]]]] | None = None,
                 repeated_page: tuple[bytes, int] | None = None,
                 heavy_pages: tuple[bytes, int] | None = None) -> bytes:
    """A PDF with a text page per entry of `pages`, then `scanned_pages` pages that are only an image, then a page
    per entry of `form_pages` whose text is drawn through a Form XObject (as pdfpages and stamping tools write),
    then a page per entry of `column_pages`: (lines across the page, columns under them; see `_columns_page`), then
    `repeated_page` = (content stream, count): that many pages that all draw one Flate-compressed content stream (a
    small file that is slow to read), then `heavy_pages` = (content stream, count): that many pages that each draw
    their own Flate-compressed copy of it (a small file that decompresses to much)."""
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree (written last, once the kids are known)

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    image = add(_stream(bytes([0, 255, 255, 0]), b"/Type /XObject /Subtype /Image /Width 2 /Height 2 "
                                                 b"/ColorSpace /DeviceGray /BitsPerComponent 8 "))
    kids = []
    page_dict = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] " % (PAGE_WIDTH, PAGE_HEIGHT)
    for lines in pages or []:
        content = add(_stream(_text_page(lines)))
        kids.append(add(page_dict + b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)))
    for _ in range(scanned_pages):
        content = add(_stream(b"q 468 0 0 600 72 100 cm /Im1 Do Q"))
        kids.append(add(page_dict + b"/Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>" % (image, content)))
    for lines in form_pages or []:
        form = add(_stream(_text_page(lines), b"/Type /XObject /Subtype /Form /BBox [0 0 %d %d] "
                                              b"/Resources << /Font << /F1 %d 0 R >> >> " % (PAGE_WIDTH, PAGE_HEIGHT, font)))
        content = add(_stream(b"q /Fm1 Do Q"))
        kids.append(add(page_dict + b"/Resources << /XObject << /Fm1 %d 0 R >> >> /Contents %d 0 R >>" % (form, content)))
    for across, columns in column_pages or []:
        content = add(_stream(_columns_page(across, columns)))
        kids.append(add(page_dict + b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)))
    if repeated_page:
        content = add(_stream(zlib.compress(repeated_page[0]), b"/Filter /FlateDecode "))
        page = page_dict + b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)
        kids += [add(page) for _ in range(repeated_page[1])]
    if heavy_pages:
        compressed = zlib.compress(heavy_pages[0])
        for _ in range(heavy_pages[1]):
            content = add(_stream(compressed, b"/Filter /FlateDecode "))
            kids.append(add(page_dict + b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# A short policy as two PDF pages: wrapped paragraphs, headings, page-number footers.
COLLECT = ("We collect your email address and the precise location of your device when you use the service, and we "
           "may share your personal information with advertising partners to show you targeted ads.")
NO_SALE = "We do not sell your personal information. You can delete your account at any time from the settings page."
AI = ("We may use the content you upload and publicly available information to train our artificial intelligence "
      "models.")
POLICY_PAGES = [["Privacy Policy", "", *wrapped(COLLECT, NO_SALE), "", "1"],
                ["How we use information", "", *wrapped(AI), "", "Page 2 of 2"]]

# Pages that each draw their own 15 MB of blanks (compressed to 15 KB): 45 MB over three pages, a 50 KB file, over
# the bound on what a PDF's pages may draw (smallprint.pdf.MAX_DRAWING_BYTES).
HEAVY_PAGES = (b"BT /F1 10 Tf 72 700 Td (We may sell your data.) Tj ET\n" + b" " * 15_000_000, 3)
