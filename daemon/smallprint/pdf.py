"""A PDF policy's text, for the engine (the CLI, the API's `pdf` field, the corpus command).

pypdf is maintained, pure Python and reads only the file it is given (no fonts or services fetched). Its layout
mode keeps the page's vertical gaps as blank lines, so paragraphs stay paragraphs; the engine then joins a
paragraph's wrapped lines as it does for any plain text (engine/blocks.py). Columns side by side are read one
after the other (a table of prose row by row), running headers and footers are dropped, and a sentence that runs
on over a page break stays one paragraph. A scanned PDF, whose pages are images with no text layer, is refused with
that reason: smallprint reads text and does no OCR. pypdf bounds each stream, not a whole file (a small file can
repeat a slow page thousands of times): callers read it inside their time limit (the daemon's killable worker, the
CLI's and the corpus's time_budget). What the pages draw is bounded here for the whole file (MAX_DRAWING_BYTES),
which bounds the memory that reading it takes.
"""
from __future__ import annotations

import io
import logging
import re

from .time_budget import OverBudget

# pypdf reports a damaged but readable file as warnings through logging, which would otherwise reach the terminal
# as stray lines; what matters to the reader (no text, unreadable) is raised as a PdfError instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

PDF_MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024  # readers accept the header anywhere in the first KB (some files start with junk)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
# A line that is only a page number ("3", "- 3 -", "Page 3", "Page 3 of 12"): a running footer, not policy text.
_PAGE_NUMBER = re.compile(r"(?:page\s+)?[-–—\s]*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*", re.IGNORECASE)


# A word hyphenated at a line's end ("third-" then "party", "perfor-" then "mance"): joined again with its hyphen,
# not the line break's space, which would leave two words ("third- party") that no reader of the text sees. Whether
# the hyphen was the word's own (third-party, opt-out) or only the typesetter's (perfor-mance), the file does not
# say; kept, it is right for the compound words that matter in a policy.
# Only before a word in lower case, or a capitalised word after a capitalised one ("Third-" then "Party Services",
# "Interest-" then "Based Ads", "Non-" then "Discrimination": title-case compounds, in policies' defined terms and
# headings); a capital after a word in lower case starts something new.
_HYPHEN_AT_LINE_END = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-\n(?=[^\W\d_])")


def _rejoined_hyphen(match: re.Match) -> str:
    after = match.string[match.end()]
    return match[1] + "-" if after.islower() or match[1][0].isupper() else match[0]


class PdfError(ValueError):
    """This PDF gives no text to analyse; the message says why in one line."""


class PdfTooLarge(PdfError):
    """This PDF's pages draw more than MAX_DRAWING_BYTES: over the engine's size limits, as a too-long text is."""


# The most drawing instructions (decompressed content streams, the Form XObjects they draw included) read of one
# file. pypdf bounds each stream (75 MB in pypdf 7: `Configuration.zlib_maximum_output_length` and the like), not a
# file: 8 pages each drawing its own 70 MB stream of blanks, a 547 KB file, took 650 MB of memory (pypdf keeps each
# decompressed stream) and 92 s. A policy's text is at most the engine's 2,000,000 characters
# (engine.blocks.MAX_INPUT_CHARS, not imported: it would load the engine); a page draws a character in a few bytes
# (more where each letter is placed on its own, and tables' lines and logos add some), so 20 bytes a character is
# room to spare for any real policy, while bounding what a crafted file costs.
MAX_INPUT_CHARS = 2_000_000
MAX_DRAWING_BYTES = 20 * MAX_INPUT_CHARS


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
        _refuse_over_drawn(reader.pages)
        # Layout mode keeps a page's columns and paragraphs apart, but pypdf's layout mode reads nothing drawn
        # through a Form XObject (pdfpages, stamping and overlay tools): a page it finds empty is read again in
        # plain mode before the PDF is called a scan.
        pages = [page.extract_text(extraction_mode="layout") or page.extract_text() or "" for page in reader.pages]
    except (PdfError, OverBudget):  # a time limit (time_budget) is not a damaged file: it is the caller's to say
        raise
    except Exception as exc:  # pypdf's errors for damaged files are of many types; all mean the same to a reader
        raise PdfError(f"cannot read the PDF (damaged or unsupported: {type(exc).__name__}: {exc})") from None
    text = _joined_pages([_tidy(_in_reading_order(page.splitlines())) for page in pages])
    text = _HYPHEN_AT_LINE_END.sub(_rejoined_hyphen, text)
    if not text:
        raise PdfError(f"the PDF has no text to read ({len(pages)} page{'s' if len(pages) != 1 else ''}): it looks "
                       "scanned, with its pages as images; smallprint reads text and does no OCR, so run OCR on it "
                       "first or find the policy as a web page")
    return text


def _refuse_over_drawn(pages) -> None:
    """Raise PdfTooLarge as soon as the pages' drawing instructions pass MAX_DRAWING_BYTES, before any is read for
    its text. Each page counts what it draws, a stream drawn by several pages once for each (each page's reading
    goes through it again). A stream that cannot be decompressed counts nothing here: reading the page says why."""
    from pypdf.errors import LimitReachedError

    too_large = PdfTooLarge(f"this PDF's pages hold more than {MAX_DRAWING_BYTES // 1_000_000} MB of drawing "
                            f"instructions, far more than the text smallprint reads needs (at most "
                            f"{MAX_INPUT_CHARS:,} characters); it is not read")
    drawn = 0
    with _streams_bounded():
        for page in pages:
            for stream in _drawn_streams(page):
                try:
                    drawn += len(stream.get_data())  # pypdf keeps it decompressed: the reading does not redo it
                except LimitReachedError:  # one stream alone decompresses to more than the bound
                    raise too_large from None
                except OverBudget:  # the caller's time limit, not a damaged stream
                    raise
                except Exception:  # noqa: BLE001 - a damaged stream is the text extraction's to report, as before
                    continue
                if drawn > MAX_DRAWING_BYTES:
                    raise too_large


def _streams_bounded():
    """pypdf's own limits on one decompressed stream lowered to MAX_DRAWING_BYTES while the streams are measured,
    so that the one that passes the bound is not decompressed whole first (75 MB, then refused). pypdf 7 is the
    first that can be told (apply_configuration), hence pyproject's floor."""
    import pypdf

    current = pypdf.get_configuration()
    lowered = {name: min(getattr(current, name), MAX_DRAWING_BYTES) for name in dir(current)
               if name.endswith("_maximum_output_length") and isinstance(getattr(current, name), int)}
    return pypdf.apply_configuration(**lowered)


def _drawn_streams(page):
    """The content streams a page draws: its /Contents, and the Form XObjects of its resources and theirs, each
    once."""
    from pypdf.generic import ArrayObject, StreamObject

    seen: set[int] = set()

    def resolved(value):
        return value.get_object() if value is not None else None

    def streams_of(value):
        value = resolved(value)
        for item in (value if isinstance(value, ArrayObject) else [value]):
            item = resolved(item)
            if isinstance(item, StreamObject) and id(item) not in seen:
                seen.add(id(item))
                yield item

    def forms_in(resources, depth: int = 0):
        resources = resolved(resources)
        xobjects = resolved(resources.get("/XObject")) if hasattr(resources, "get") else None
        if not hasattr(xobjects, "values") or depth > 20:  # pypdf's own nesting limits are lower
            return
        for form in xobjects.values():
            form = resolved(form)
            if isinstance(form, StreamObject) and form.get("/Subtype") == "/Form" and id(form) not in seen:
                seen.add(id(form))
                yield form
                yield from forms_in(form.get("/Resources"), depth + 1)

    yield from streams_of(page.get("/Contents"))
    yield from forms_in(page.get("/Resources"))


def _tidy(page_lines: list[str]) -> list[str]:
    """One page's layout lines without the layout's positioning spaces, page-number footers dropped, runs of blank
    lines (vertical gaps) kept as one blank line, none at either end."""
    lines: list[str] = []
    for raw in page_lines:
        line = _SPACES.sub(" ", raw).strip()
        if line and _PAGE_NUMBER.fullmatch(line):
            continue
        if line or (lines and lines[-1]):
            lines.append(line)
    return _without_blank_ends(lines)


# Columns side by side: layout mode draws a page on a grid of characters, so a line of the left column and the line
# of the right column beside it come out as one line ("...and the precise      We do not sell your..."), which
# read across splices the halves of two sentences. A gutter is a band of blank grid columns that cuts many lines
# of prose in two; the lines around it are read left part first, then right part. Words are one space apart, so
# three blank columns are a gap, and a column of prose has several words a line, where a table's label column
# (read row by row, as it is meant) has one or two.
_GUTTER_SPACES = 3
_GAP = re.compile(r"(?<=\S) {%d,}(?=\S)" % _GUTTER_SPACES)
_COLUMN_LINE_WORDS = 4
_MIN_COLUMN_LINES = 3
_MIN_TABLE_ROWS = 3


def _in_reading_order(lines: list[str]) -> list[str]:
    """A page's layout lines with side-by-side columns read one after the other: each run of lines that a gutter
    cuts is read as its left column, then its right (itself cut again where it holds a third column); lines that
    cross the gutter (a title across the page, a footer) stay where they are."""
    gutter = _gutter(lines)
    if gutter is None:
        return lines
    out: list[str] = []
    run: list[str] = []

    def read_left_then_right(part: list[str]) -> None:
        left = _without_blank_ends(_in_reading_order([line[:gutter].rstrip() for line in part]))
        right = _without_blank_ends(_in_reading_order([line[gutter:] for line in part]))
        out.extend(left)
        if left and right and not _runs_on(left, right):
            out.append("")
        out.extend(right)

    def flush() -> None:
        if sum(_cut_at(line, gutter) for line in run) >= _MIN_COLUMN_LINES:
            rows = _table_rows(run, gutter)
            for number, row in enumerate(rows or [run]):
                if number:
                    out.append("")
                read_left_then_right(row)
        else:
            out.extend(run)
        run.clear()

    for line in lines:
        if line[gutter - 1:gutter + 2].strip():  # the line crosses the gutter
            flush()
            out.append(line)
        else:
            run.append(line)
    flush()
    return out


def _table_rows(run: list[str], gutter: int) -> list[list[str]] | None:
    """The rows of a table of prose (a "Purpose" cell beside its "Legal basis"), or None for columns of text. Read
    column after column, a table would lose which cell goes with which: every purpose, then every legal basis.
    Its rows are blocks between blank lines, each cell starting on its block's first line (or empty: a heading over
    the table, a row with one cell) and never pausing and going on, at least _MIN_TABLE_ROWS with both cells.
    Columns of flowing text break their paragraphs at heights of their own, so a blank line across both on every
    break, and no break elsewhere, is a table's."""
    blocks: list[list[str]] = [[]]
    for line in _without_blank_ends(run):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    rows = 0
    for block in blocks:
        cells = 0
        for side in (slice(None, gutter), slice(gutter, None)):
            filled = [bool(line[side].strip()) for line in block]
            cell_end = filled.index(False) if False in filled else len(filled)
            if any(filled[cell_end:]):
                return None
            cells += cell_end > 0
        rows += cells == 2
    return blocks if rows >= _MIN_TABLE_ROWS else None


def _without_blank_ends(lines: list[str]) -> list[str]:
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), -1)
    return lines[first:last + 1]


def _cut_at(line: str, column: int) -> bool:
    """Whether `line` is a line of prose on each side of a gap that holds grid column `column`."""
    return (not line[column - 1:column + 2].strip() and len(line[:column].split()) >= _COLUMN_LINE_WORDS
            and len(line[column:].split()) >= _COLUMN_LINE_WORDS)


def _gutter(lines: list[str]) -> int | None:
    """The grid column that gaps cut the most lines of prose at (at least _MIN_COLUMN_LINES), or None; the middle
    of the widest band of such columns."""
    width = max(map(len, lines), default=0)
    starts, ends = [0] * (width + 1), [0] * (width + 1)  # how many prose gaps open / close at each column
    for line in lines:
        for gap in _GAP.finditer(line):
            # A column inside the gap with a blank on either side of it: where a cut would leave both parts whole.
            first, last = gap.start() + 1, gap.end() - 2
            if (first <= last and len(line[:gap.start()].split()) >= _COLUMN_LINE_WORDS
                    and len(line[gap.end():].split()) >= _COLUMN_LINE_WORDS):
                starts[first] += 1
                ends[last + 1] += 1
    cuts, count = [], 0  # how many prose gaps hold each column
    for column in range(width + 1):
        count += starts[column] - ends[column]
        cuts.append(count)
    most = max(cuts, default=0)
    if most < _MIN_COLUMN_LINES:
        return None
    # The middle of the widest band of columns that cut that many lines, not its first column: the left column's
    # longest lines may end just before that, and one of them whose right part is a word or two (not counted as a
    # cut) would read as crossing the gutter there, splitting the columns into runs read across.
    widest_start, widest, start = 0, 0, None
    for column, n in enumerate([*cuts, 0]):
        if n == most and start is None:
            start = column
        elif n != most and start is not None:
            if column - start > widest:
                widest_start, widest = start, column - start
            start = None
    return widest_start + widest // 2


# A sentence that runs on from one column or page to the next: the text before the break ends without a full stop
# and the text after it opens in lower case, unless what ends before the break is a heading (set apart, short and
# title-like), not the first part of a sentence. The file gives text and positions, not fonts the reader can rely
# on (a heading may be bold, larger, or neither), so a heading is told by its place: a paragraph of one line, of a
# few words, opening with a capital or a number and ending well before the text's width; a line that a break cuts
# mid-sentence is a wrapped line that fills its width, or the last of a paragraph of several, or a line that ended
# early because the word after the break (a long address) would not fit on it.
_SENTENCE_END = re.compile(r"[.!?:;][\"')\]”’]*$")
_HEADING_MAX_WORDS = 10
_HEADING_SHARE = 0.6  # the most of the text's width (its widest line) a heading's line takes


def _runs_on(before: list[str], after: list[str]) -> bool:
    """Whether the text of `after` goes on with the sentence that `before` (lines without blank ends) ends in."""
    last, first = before[-1].strip() if before else "", after[0].strip() if after else ""
    if not last or not first or _SENTENCE_END.search(last) or not first[0].islower():
        return False
    width = max(len(line.strip()) for line in [*before, *after])
    heading = ((len(before) == 1 or not before[-2].strip()) and len(last.split()) <= _HEADING_MAX_WORDS
               and (last[0].isupper() or last[0].isdigit()) and len(last) < _HEADING_SHARE * width
               and len(last) + 1 + len(first.split()[0]) <= width)
    return not heading


# A running header or footer: the same line at the top or the foot of most pages (both pages of a two-page file). On
# page 1 a running header is kept: there it is the document's title. Its numbers may differ from page to page only
# as page numbers do ("Acme Privacy Policy - 3", "Confidential - page 3 of 12"): each number either the same on every
# page or following the page's place in the file (one more a page). Headings at the top of most pages ("Section 2",
# "Section 3") differ by number too, and are the policy's own text: their numbers follow the sections, not the pages,
# and where the two happen to coincide the line is still only a numbering word and its number, which no running line
# is ("Section 3", "Article 3", "§ 3").
_RUNNING_MIN_PAGES = 2
_RUNNING_SHARE = 0.6
_EDGE_LINES = 2  # how many lines at the top and at the foot of a page may be running ones
_DIGITS = re.compile(r"\d+")
# A page number has a few digits; a longer run (an account number, a crafted line of thousands, which int() refuses
# outright) is compared as text: it may be the same on every page, never one more a page.
_PAGE_NUMBER_MAX_DIGITS = 9
_NUMBERING_WORDS = {"section", "article", "chapter", "part", "clause", "schedule", "annex", "appendix", "exhibit",
                    "paragraph", "§", "abschnitt", "artikel", "kapitel", "teil", "chapitre", "sección", "seccion",
                    "artículo", "articulo", "capítulo", "capitulo", "sezione", "articolo", "capitolo", "hoofdstuk"}
_WORD = re.compile(r"[^\W\d_]+|§")


def _edge_key(line: str) -> str:
    return _DIGITS.sub("#", line.casefold())


def _numbered_like_pages(key: str, numbers_by_page: list[tuple[int, tuple[int | str, ...]]]) -> bool:
    """Whether the lines of one key (the same words, their numbers aside), as (page index, their numbers) for each
    page that has one, are running lines: each number the same on every page or the page index plus a constant,
    and not only a numbering word and its number."""
    follows_pages = False
    for position in range(key.count("#")):
        values = {numbers[position] for _, numbers in numbers_by_page}
        if len(values) == 1:
            continue
        if any(isinstance(value, str) for value in values):
            return False
        offsets = {numbers[position] - page for page, numbers in numbers_by_page}
        if len(offsets) != 1:
            return False
        follows_pages = True
    words = _WORD.findall(key)
    return not follows_pages or not words or not set(words) <= _NUMBERING_WORDS


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """The pages without their running headers and footers, except a running header on the first page."""
    if len(pages) < _RUNNING_MIN_PAGES:
        return pages

    def edges(lines: list[str]) -> tuple[list[int], list[int]]:
        """Where a page's running lines may be: its first and last text lines, fewer than half of them each (a line
        of a short page is not both its header and its footer, and some of a page is always its own)."""
        text_indexes = [i for i, line in enumerate(lines) if line]
        reach = min(_EDGE_LINES, (len(text_indexes) - 1) // 2)
        return text_indexes[:reach], text_indexes[len(text_indexes) - reach:]

    def running(edge_of) -> set[str]:
        """The keys of the lines at one edge (tops or feet) that are running lines."""
        numbers_by_key: dict[str, list[tuple[int, tuple[int | str, ...]]]] = {}
        for number, lines in enumerate(pages):
            for i in edge_of(lines):
                numbers = tuple(int(digits) if len(digits) <= _PAGE_NUMBER_MAX_DIGITS else digits
                                for digits in _DIGITS.findall(lines[i]))
                numbers_by_key.setdefault(_edge_key(lines[i]), []).append((number, numbers))
        needed = max(2, _RUNNING_SHARE * len(pages))
        return {key for key, found in numbers_by_key.items()
                if len({page for page, _ in found}) >= needed and _numbered_like_pages(key, found)}

    running_tops = running(lambda lines: edges(lines)[0])
    running_feet = running(lambda lines: edges(lines)[1])
    if not running_tops and not running_feet:
        return pages
    out = []
    for number, lines in enumerate(pages):
        top, foot = edges(lines)
        drop = {i for i in foot if _edge_key(lines[i]) in running_feet}
        if number:
            drop |= {i for i in top if _edge_key(lines[i]) in running_tops}
        out.append(_without_blank_ends([line for i, line in enumerate(lines) if i not in drop]))
    return out


def _joined_pages(pages: list[list[str]]) -> str:
    """The pages' text, a blank line between pages, except where a sentence runs on over the page break: there the
    two parts stay one paragraph, as on paper."""
    text, previous = "", []
    for lines in _without_running_lines(pages):
        if not lines:
            continue
        if text:
            text += "\n" if _runs_on(previous, lines) else "\n\n"
        text += "\n".join(lines)
        previous = lines
    return text
