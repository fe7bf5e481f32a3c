"""Turn text, Markdown, HTML or the extension's block list into one tuple of `Block`s in reading order.

Every form ends in the same shape (whitespace collapsed, Markdown markup removed) so that the same words give
the same highlights whichever form they came in. Nothing here recurses: HTML nested 10,000 deep is walked with
an explicit stack.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence

from .results import Block

# Inputs larger than this are refused with a ValueError rather than analysed for minutes.
MAX_INPUT_CHARS = 2_000_000
MAX_BLOCKS = 200_000


class InputTooLarge(ValueError):
    """The input is over MAX_INPUT_CHARS or MAX_BLOCKS: the one refusal that says only "too big" (the daemon answers
    it with its own error code, `input_too_large`, so a client can tell it from input it cannot read at all)."""



def clean_inline(text: str) -> str:
    """Collapse whitespace runs to one space and strip the ends."""
    return " ".join(text.split())


def clean_lines(lines: list[str]) -> str:
    """A paragraph's lines, each whitespace-collapsed, kept apart by line breaks: a line break is where a quoted
    list item or a heading ended, and the sentence splitter needs to know it (so does `<br>` in HTML)."""
    return "\n".join(filter(None, (clean_inline(line) for line in lines)))


# ---------------------------------------------------------------- Markdown / plain text

# Bounded repetitions everywhere: a megabyte of '[' or '*' must not backtrack quadratically.
# A link target has no spaces or brackets, so a scan for its end stops at the first one. A link's text may hold one
# level of brackets ("[[email protected]](...)", as pages that hide addresses from robots are exported).
_MD_IMAGE = re.compile(r"!\[((?:[^\[\]\n]|\[[^\[\]\n]{0,200}\]){0,300})\]\([^()\s]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\)")
_MD_LINK = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]{0,200}\]){0,500})\]\([^()\s]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]{1,2000})>")
_MD_STRONG = re.compile(r"\*\*|__")
_MD_EMPH = re.compile(r"[*_](?<![\w*][*_])(?=\S)([^*_\n]{1,500}?)(?<=\S)[*_](?![\w*])")
_MD_CODE = re.compile(r"`{1,3}")
_CELL_PIPE = re.compile(r"(?<!\\)\|")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
# Markdown tables cannot hold a line break, so policies exported to Markdown write HTML's <br> inside cells and
# lines ("Geolocation data<br><br>Physical location or movements."): a line break, as a browser shows it (read after
# links and emphasis, which may span one). A list written in such a cell ("eligible<br>* To deliver ...") loses its
# bullet mark with the break.
_MD_LINE_BREAK = re.compile(r"<br\s{0,20}/?>(?:[ \t]{0,20}[-*•](?=[ \t]))?", re.I)
# Other raw HTML that Markdown lets through ("Change of Control</strong>.", "<p class=...>", a style attribute whose
# "none" once negated a sale) is markup, not words: a tag of one of HTML's element names goes, a block element's as a
# line break. A tag needs HTML's shape (lowercase attribute names, quoted or bare values), so that a placeholder
# written in angle brackets ("<Data Protection Officer>", "<service_id>") stays text, as a browser shows an unknown
# element's text anyway. Script, style and comments are dropped with what they hold (a browser shows none of it).
_HTML_BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote caption center dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol p pre section summary table tbody td tfoot th thead tr "
    "ul".split())
_HTML_INLINE_ELEMENTS = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i img ins kbd label mark q s samp small span strike strong "
    "sub sup time tt u var wbr".split())
_MD_RAW_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]{0,10})"
    r"((?:\s{1,20}[a-z_:@][-a-z0-9_:.@]{0,60}(?:\s{0,20}=\s{0,20}(?:\"[^\"<>]{0,2000}\"|'[^'<>]{0,2000}'|[^\s\"'=<>`]{1,2000}))?){0,50})"
    r"\s{0,20}/?>")
# Raw HTML blocks that a browser does not show (CommonMark's HTML blocks of types 1 and 2): a <script> or <style>
# element, or a comment, that opens a line (outside fenced code) and is closed. What is not closed stays text: a
# policy's words are never dropped on a guess. A comment inside a paragraph, when closed, is hidden too.
_MD_HIDDEN_START = re.compile(r"^ {0,3}<(?:(script|style)(?=[\s>]|$)|(!--))", re.I)
_MD_CODE_SPAN = re.compile(r"`([^`\n]{1,2000})`")


def _raw_tag(match: re.Match) -> str:
    name = match.group(2).lower()
    if name in _HTML_BLOCK_ELEMENTS:
        return "\n"
    return "" if name in _HTML_INLINE_ELEMENTS else match.group(0)


def drop_raw_hidden(text: str) -> str:
    """Markdown's hidden raw HTML removed (see _MD_HIDDEN_START): script and style blocks and comments that open a
    line, up to and including their closing tag, and closed comments inside paragraphs. Linear: where each closer
    first appears is found once, not searched again for every opener."""
    if "<" not in text:
        return text
    lines = text.split("\n")
    lowered = [line.lower() for line in lines]
    closers: dict[str, list[int]] = {}

    def first_closer(closer: str, line: int, column: int) -> tuple[int, int] | None:
        found = closers.get(closer)
        if found is None:  # once per kind of closer (setdefault would build the list again for every opener)
            found = closers[closer] = [k for k, low in enumerate(lowered) if closer in low]
        for k in found[bisect.bisect_left(found, line):]:
            at = lowered[k].find(closer, column if k == line else 0)
            if at >= 0:
                return k, at
        return None

    out: list[str] = []
    fenced = False
    k = 0
    while k < len(lines):
        line = lines[k]
        if _FENCE.match(line):
            fenced = not fenced
        m = None if fenced else _MD_HIDDEN_START.match(line)
        if m is None:
            out.append(line)
            k += 1
            continue
        closer = "-->" if m.group(2) else f"</{m.group(1).lower()}"
        end = first_closer(closer, k, m.end())
        if end is None:  # never closed: kept as text
            out.append(line)
            k += 1
            continue
        last, at = end
        after = at + 3 if closer == "-->" else lowered[last].find(">", at) + 1
        rest = lines[last][after:] if after > 0 else ""
        if rest.strip():
            out.append(rest)
        k = last + 1
    return _drop_inline_comments("\n".join(out))


def _drop_inline_comments(text: str) -> str:
    """Closed HTML comments inside paragraphs; an unclosed one, and all after it, stay as text."""
    if "<!--" not in text:
        return text
    out, pos = [], 0
    while True:
        start = text.find("<!--", pos)
        end = text.find("-->", start + 4) if start >= 0 else -1
        if start < 0 or end < 0:
            break
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


# An escaped character is set aside as a private-use character while links, emphasis and line breaks are read, so
# that "\_\_adroll\_fpc" keeps its underscores, "(...\(v\))" in a link's target does not end it early and "\<br>"
# stays text. The block of 128 private-use characters is one the text does not use itself: (first, any of them).
_PRIVATE_BLOCKS = tuple((b, re.compile(f"[{chr(b)}-{chr(b + 0x7F)}]")) for b in range(0xE000, 0xF900, 0x80))

# An ATX heading, indented too (exports indent whole sections); its closing #s are cut without a regex that
# backtracks (a line of 80,000 '#' must not take seconds).
_ATX = re.compile(r"^[ \t]*(#{1,6})[ \t]+(.*)$")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")
_ATX_LABELLED = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BULLET = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+(?=\S)")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t:|-]+\|[ \t:|-]*$")
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)")


def strip_markdown(text: str) -> str:
    """Inline Markdown markup to its words: links keep their text, emphasis marks and escapes go, and HTML's <br>
    becomes a line break."""
    spans = "<" in text and "`" in text  # a tag inside a code span is shown as written
    base, private = next(((b, p) for b, p in _PRIVATE_BLOCKS if not p.search(text)), (None, None)) \
        if "\\" in text or spans else (None, None)
    if private is not None:
        text = _MD_ESCAPE.sub(lambda m: chr(base + ord(m.group(1))), text)
        if spans:
            text = _MD_CODE_SPAN.sub(lambda m: "`" + m.group(1).replace("<", chr(base + ord("<"))) + "`", text)
    text = _strip_inline(text)
    if "<" in text:
        text = _MD_LINE_BREAK.sub("\n", text)
        text = _MD_RAW_TAG.sub(_raw_tag, text)
    if private is not None:
        return private.sub(lambda m: chr(ord(m.group(0)) - base), text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text


def _strip_inline(text: str, image=_MD_IMAGE, link=_MD_LINK) -> str:
    if "[" in text:
        text = image.sub(r"\1", text)
        text = link.sub(r"\1", text)
    if "<" in text:
        text = _MD_AUTOLINK.sub(r"\1", text)
    if "*" in text or "_" in text:
        text = _MD_STRONG.sub("", text)
        text = _MD_EMPH.sub(r"\1", text)
    if "`" in text:
        text = _MD_CODE.sub("", text)
    return text


# The Markdown reading that the project's label files were made on (scripts/reader_labels, scripts/arbiter_labels
# name sentences by number): escapes read after emphasis, flat link texts, <br> and indented headings kept as
# written. Frozen, so that those files keep naming the same sentences (train_reader.more_policy_text), and the
# shipped page-kind model's training text stays what it was (train_models.split_blocks).
_MD_IMAGE_LABELLED = re.compile(r"!\[([^\[\]\n]{0,300})\]\([^()\s]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\)")
_MD_LINK_LABELLED = re.compile(r"\[([^\[\]\n]{0,500})\]\([^()\s]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\)")


def _strip_markdown_labelled(text: str) -> str:
    text = _strip_inline(text, _MD_IMAGE_LABELLED, _MD_LINK_LABELLED)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text


# A line at least this long that ends a paragraph line without a colon was wrapped by an editor, not broken by
# the author: typical hard-wrap widths are 72-120 characters, while lines an author breaks on purpose (an address,
# "Heading:" then its body, a short list without bullets) are short or end in a colon.
SOFT_WRAP_MIN_CHARS = 40


def unwrap(lines: list[str]) -> str:
    """A paragraph's lines, with hard-wrapped prose joined by spaces as a browser joins it: so a Markdown file and
    the HTML page made from it give the same sentences, hence the same highlights."""
    joined = lines[0]
    for prev, line in zip(lines, lines[1:]):
        tail = prev.rstrip()
        markdown_break = prev.endswith("  ") or tail.endswith("\\")  # Markdown's explicit line breaks
        soft = len(tail) >= SOFT_WRAP_MIN_CHARS and not tail.endswith(":") and not markdown_break
        joined += (" " if soft else "\n") + line
    return joined


def blocks_from_text(text: str, *, labelled_form: bool = False) -> tuple[Block, ...]:
    """Plain text or Markdown: blocks at blank lines, headings, list items and table cells. `labelled_form`: the
    frozen reading the project's label files were made on (see `_strip_markdown_labelled`), for training only."""
    atx = _ATX_LABELLED if labelled_form else _ATX
    out: list[tuple[str, str]] = []  # (tag, raw text)
    para: list[str] = []
    para_tag = "p"

    def flush() -> None:
        nonlocal para, para_tag
        if para:
            out.append((para_tag, unwrap(para)))
        para, para_tag = [], "p"

    if not labelled_form and "<" in text:
        text = drop_raw_hidden(text)
    lines = text.splitlines()
    bare_table = False  # inside a table written without outer pipes ("a | b" rows under "--- | ---")
    for line in lines:
        opening = line.lstrip()[:1]
        if not opening:
            bare_table = False
            flush()
            continue
        if bare_table:
            if "|" in line:
                out.extend(("td", cell) for cell in _CELL_PIPE.split(line.strip().strip("|")))
                continue
            bare_table = False
        if opening.isalpha():
            # Most lines open with a letter: no fence, underline, rule, heading mark, quote, table or bullet can
            # (each needs a mark or a digit first), so the line goes on the paragraph without a regex tried on it.
            para.append(line)
            continue
        if _FENCE.match(line):
            flush()
            continue
        if para and _SETEXT.match(line) and not _BULLET.match(line):
            # The paragraph so far was a setext heading (underlined with === or ---).
            para_tag = "h1" if line.strip().startswith("=") else "h2"
            flush()
            continue
        if _RULE.match(line):
            flush()
            continue
        m = atx.match(line)
        if m:
            flush()
            title = m.group(2) if labelled_form else _ATX_CLOSE.sub("", m.group(2).rstrip())
            out.append((f"h{len(m.group(1))}", title))
            continue
        if line.lstrip().startswith(">"):
            line = _QUOTE.sub("", line)
        if (not labelled_form and para and "|" in para[-1] and opening != "|" and _TABLE_SEP.match(line)
                and not para[-1].lstrip().startswith("|")):
            # A table without outer pipes (GFM allows it): the paragraph's last line was its header row. Its cells
            # are cells, not one run of text (the labelled form keeps its old reading; no shared file has one).
            header = para.pop()
            flush()
            out.extend(("td", cell) for cell in _CELL_PIPE.split(header.strip().strip("|")))
            bare_table = True
            continue
        if line.lstrip().startswith("|") and line.rstrip().endswith("|") and line.count("|") >= 2:
            flush()
            if not _TABLE_SEP.match(line):
                inner = line.strip().strip("|")
                # "\|" is a pipe inside a cell, not the end of it (the labelled form keeps its old cut; no shared
                # file has one)
                cells = inner.split("|") if labelled_form else _CELL_PIPE.split(inner)
                out.extend(("td", cell) for cell in cells)
            continue
        m = _BULLET.match(line)
        if m:
            flush()
            para, para_tag = [line[m.end():]], "li"
            continue
        para.append(line)
    flush()
    if labelled_form:
        return _numbered((tag, clean_lines(_strip_markdown_labelled(raw).split("\n"))) for tag, raw in out)
    return _numbered((tag, clean_lines(strip_markdown(raw).split("\n"))) for tag, raw in out)


def _numbered(pairs: Iterable[tuple[str, str]]) -> tuple[Block, ...]:
    blocks = []
    for tag, text in pairs:
        if text:
            blocks.append(Block(f"b{len(blocks)}", text, tag))
            if len(blocks) > MAX_BLOCKS:
                raise InputTooLarge(f"input has more than {MAX_BLOCKS:,} blocks")
    return tuple(blocks)


# ---------------------------------------------------------------- HTML

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button", "select", "option",
    "textarea", "svg", "canvas", "iframe", "object", "embed", "head", "title", "meta", "link", "input", "dialog",
})
_BLOCK_TAGS = frozenset({
    "html", "body", "main", "article", "section", "div", "header", "p", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "blockquote", "pre", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "address", "details", "summary", "hr", "br",
})
# Tags whose name becomes the block's tag; other containers report their stray text as a paragraph.
_NAMED_BLOCKS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "dt", "dd", "blockquote",
                           "pre", "caption", "figcaption", "summary"})
# CSS property names and keywords ignore case ("DISPLAY: NONE" hides as well)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOILERPLATE_ROLES = frozenset({"navigation", "contentinfo", "banner", "dialog", "alertdialog", "menu", "menubar"})


def _is_hidden(tag) -> bool:
    attrs = tag.attrs
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if attrs.get("role") in _BOILERPLATE_ROLES:
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


# Python's html.parser rescans the rest of the page for every construct that is never closed (a `<!--` with no
# `-->`, a `<a ` with no `>`): 40,000 of them took minutes. A browser ends such a construct at the end of the
# page, hiding everything after it; closing_unterminated() does the same before the parser sees the page.
_CONSTRUCT_OPEN = re.compile(r"<[A-Za-z/!?]")
_COMMENT_CLOSE = re.compile(r"--!?\s*>")


def closing_unterminated(html: str) -> str:
    """The page as a browser reads it, cut where a tag, comment or declaration opens that never closes; `<![`
    (CDATA outside SVG/MathML, conditional comments) becomes the bogus comment a browser makes of it, which ends at
    the next `>`. Linear in the page's length."""
    last_gt = html.rfind(">")
    opener = _CONSTRUCT_OPEN.search(html, last_gt + 1)
    if opener:
        html = html[:opener.start()]
    last_comment_end = 0
    for last_comment_end_match in _last_match(_COMMENT_CLOSE, html):
        last_comment_end = last_comment_end_match.end()
    open_comment = html.find("<!--", last_comment_end)
    if open_comment >= 0:
        html = html[:open_comment]
    return html.replace("<![", "<!-[") if "<![" in html else html


def _last_match(pattern: re.Pattern, text: str):
    """The last match of `pattern` in `text`, as a sequence of zero or one: searched backwards from the end in
    growing windows, so a page with many comments is not scanned whole for each."""
    window = 256
    while True:
        start = max(0, len(text) - window)
        matches = list(pattern.finditer(text, start))
        if matches or start == 0:
            return matches[-1:]
        window *= 4


def blocks_from_html(html: str) -> tuple[Block, ...]:
    """A page or fragment: headings, paragraphs, list items and table cells; boilerplate dropped."""
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, Tag, PreformattedString

    soup = BeautifulSoup(closing_unterminated(html), "html.parser")
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    open_blocks: list[str] = ["p"]

    def flush() -> None:
        if buf:
            text = clean_lines("".join(buf).split("\f"))
            if text:
                tag = open_blocks[-1]
                out.append((tag if tag in _NAMED_BLOCKS else "p", text))
            buf.clear()

    # Explicit stack of (node, leaving): no recursion however deep the markup nests.
    stack: list[tuple[object, bool]] = [(soup, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            flush()
            open_blocks.pop()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA, processing instructions
                buf.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if node is not soup:
            if name in _DROP_TAGS or _is_hidden(node):
                continue
            if name == "br":
                buf.append("\f")  # a line break, kept (whitespace in the markup is not)
                continue
            if name in _BLOCK_TAGS:
                flush()
                open_blocks.append(name)
                stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return _numbered((tag, text) for tag, text in out)


# How much of a page is handed to the title reader at a time: a title sits in the first few kilobytes, so reading
# stops long before the end of a real page.
_TITLE_CHUNK_CHARS = 16_384
# ASCII whitespace, which document.title strips and collapses (other spaces are the title's own)
_TITLE_WHITESPACE = re.compile(r"[\t\n\f\r ]+")


def page_title(html: str) -> str | None:
    """The page's title as a browser reads it into `document.title`: the text of the first <title> outside <svg>
    and <math> (whose <title>s name a drawing), ASCII whitespace stripped and collapsed; None where it has none or
    an empty one. Comments and scripts that mention "<title>" are not titles. Reads at most MAX_INPUT_CHARS
    characters, as the engine does, and stops at the end of the title."""
    from html.parser import HTMLParser

    class TitleReader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.foreign_depth = 0  # inside <svg> or <math>
            self.parts: list[str] | None = None  # the title's text, once its start tag is read
            self.done = False

        def handle_starttag(self, tag, attrs) -> None:
            if self.parts is not None:
                return
            if tag in ("svg", "math"):
                self.foreign_depth += 1
            elif tag == "title" and not self.foreign_depth:
                self.parts = []

        def handle_endtag(self, tag) -> None:
            if tag == "title" and self.parts is not None:
                self.done = True
            elif tag in ("svg", "math") and self.foreign_depth and self.parts is None:
                self.foreign_depth -= 1

        def handle_data(self, data) -> None:
            if self.parts is not None and not self.done:
                self.parts.append(data)

    reader = TitleReader()
    # closing_unterminated: the parser rescans the rest of the page for every construct that never closes
    page = closing_unterminated(html[:MAX_INPUT_CHARS])
    for at in range(0, len(page), _TITLE_CHUNK_CHARS):
        reader.feed(page[at:at + _TITLE_CHUNK_CHARS])
        if reader.done:
            break
    else:
        reader.close()  # a title never closed runs to the end of the page, as in a browser
    title = _TITLE_WHITESPACE.sub(" ", "".join(reader.parts or ())).strip(" ")
    return title or None


# A saved page whose text its scripts draw (a single-page app's shell: Meta's, for one, serves a policy as 400 kB of
# JSON for its scripts and no paragraph) reads as empty, and "too short to be a policy" would blame the policy. Such a
# page is told apart by what its HTML holds instead: little text to read, much script.
SCRIPT_DRAWN_MAX_TEXT = 1_000  # characters read from the page, at most
SCRIPT_DRAWN_MIN_SCRIPT = 20_000  # characters inside <script> elements, at least, and ten times the text
_SCRIPT_OPEN = re.compile(r"<script\b", re.I)
_SCRIPT_CLOSE = re.compile(r"</script", re.I)


def _script_chars(html: str, stop_at: int) -> int:
    """Characters inside <script> elements, counted in one pass from left to right (never rescanning: a page of
    unclosed "<script" tags costs one read, not one per tag), stopping once `stop_at` is reached. An unclosed
    element runs to the end of the page, as a browser reads it."""
    total, at = 0, 0
    while total < stop_at and (opened := _SCRIPT_OPEN.search(html, at)):
        body = html.find(">", opened.end())
        if body < 0:
            break
        closed = _SCRIPT_CLOSE.search(html, body + 1)
        end = closed.start() if closed else len(html)
        total += end - body - 1
        at = closed.end() if closed else len(html)
    return total


def script_drawn_notice(html: str, blocks: Sequence[Block]) -> str | None:
    """A notice for a page whose HTML holds almost no text but much script (its text is drawn in the browser),
    else None. Only pages that read as nearly empty are scanned, so a real page costs nothing more."""
    readable = sum(len(b.text) for b in blocks)
    if readable > SCRIPT_DRAWN_MAX_TEXT:
        return None
    needed = max(SCRIPT_DRAWN_MIN_SCRIPT, 10 * readable)
    script = _script_chars(html, stop_at=needed)
    if script < needed:
        return None
    return (f"This page's text is drawn by its scripts: the HTML given holds only {readable:,} characters to read "
            f"(and {script // 1000:,} kB of script). Read it where it has loaded: with the browser extension, or "
            "from a copy saved after the page was shown, or its text copied.")


# ---------------------------------------------------------------- the extension's blocks

def blocks_from_list(items: Iterable[Mapping]) -> tuple[Block, ...]:
    """`[{"id", "text", "tag"?}]` as the extension sends them; texts are kept verbatim (offsets refer to them)."""
    blocks = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ValueError(f"block {n} is not an object with 'id' and 'text'")
        if "id" not in item or "text" not in item:
            raise ValueError(f"block {n} lacks 'id' or 'text'")
        block_id, text, tag = item["id"], item["text"], item.get("tag") or "p"
        if not isinstance(text, str):
            raise ValueError(f"block {n}: 'text' must be a string")
        block_id = str(block_id)
        if block_id in seen:
            raise ValueError(f"block id {block_id!r} is given twice")
        seen.add(block_id)
        blocks.append(Block(block_id, text, str(tag)))
        if len(blocks) > MAX_BLOCKS:
            raise InputTooLarge(f"input has more than {MAX_BLOCKS:,} blocks")
    return tuple(blocks)


def to_blocks(*, text=None, html=None, blocks=None) -> tuple[Block, ...]:
    """Exactly one of the three forms, checked, as blocks."""
    given = [name for name, value in (("text", text), ("html", html), ("blocks", blocks)) if value is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of text, html or blocks")
    if blocks is not None:
        if isinstance(blocks, (str, bytes)) or not isinstance(blocks, Iterable):
            raise ValueError("blocks must be a list of {'id', 'text', 'tag'?} objects")
        parsed = blocks_from_list(blocks)
        if sum(len(b.text) for b in parsed) > MAX_INPUT_CHARS:
            raise InputTooLarge(f"input is larger than {MAX_INPUT_CHARS:,} characters")
        return parsed
    source = text if text is not None else html
    if not isinstance(source, str):
        raise ValueError(f"{given[0]} must be a string, not {type(source).__name__}")
    if len(source) > MAX_INPUT_CHARS:
        raise InputTooLarge(f"input is larger than {MAX_INPUT_CHARS:,} characters")
    return blocks_from_text(source) if text is not None else blocks_from_html(source)
