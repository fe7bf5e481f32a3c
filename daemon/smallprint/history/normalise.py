"""Text normalisation for policy memory: what is left of a policy once its formatting is gone.

Two versions of a policy that differ only in Markdown or HTML formatting, list numbering, emphasis,
whitespace or line wrapping normalise to the same text and therefore the same hash, so re-visiting a
re-styled policy never counts as a new version.
"""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata


# Elements that start a new paragraph when HTML is flattened; inline elements (a, em, span...) do not.
_BLOCK_TAGS = ("address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption",
               "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
               "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul")
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "head")

_HTML_HINT = re.compile(r"<(!doctype|html|body|p|div|h[1-6]|ul|ol|li|table|section|article)\b", re.I)

# Inline Markdown, applied in this order.
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
# Possessive runs (++, *+): whatever a run gives back can never be followed by what comes next ("]", ")" or
# a space), so they match exactly as plain ones do, ~3x faster on a paragraph full of links.
_LINK = re.compile(r"\[((?:[^\]\\]++|\\.)*+)\]\((?:[^()\s]++|\([^()]*+\))*+(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]*>", re.I)
_INLINE_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_BR = re.compile(r"<br\s*/?>", re.I)
# The emphasised words may not contain another marker character, so the scan never backtracks far.
_EMPHASIS = re.compile(r"(?<![\w*~])(\*{1,3}|_{1,3}|~~)(?=[^\s*_~])([^*_~\n]{1,400}?)(?<=\S)\1(?![\w*~])")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
# Annotation markers such as "[3]" are renumbered whenever a note is added; they carry no meaning.
_NOTE_REF = re.compile(r"\\?\[\d{1,3}\\?\]")

# Line-level Markdown and numbering, removed from the start of a line.
_SETEXT_RULE = re.compile(r"^\s*(=+|-+|\*+|_+)\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINE_PREFIX = re.compile(
    r"^\s*(?:>\s*)*"                       # blockquote
    r"(?:#{1,6}\s+"                         # ATX heading
    r"|[*+\-\u2022\u25aa\u25cf\u2013]\s+"   # bullets
    r"|\(?\d{1,3}(?:\.\d{1,3})*[.)]\s+"     # 1.  1)  (1)  1.2.
    r"|\d{1,2}(?:\.\d{1,2}){1,2}\s+(?=[A-Z])"  # 1.2 Heading (not 123.45.67.89, an address)
    r"|\(?[a-zA-Z][.)]\s+(?=[A-Z])"          # a)  (b)  A.  before a capitalised clause
    r"|\(?(?:[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[.)]\s+(?=[A-Z])"  # ii)  IV.
    r")*"
)
_TRAILING_HASHES = re.compile(r"\s+#+\s*$")
# Runs of spaces, or any single space character other than " ": a lone " " needs no rewriting.
_SPACES = re.compile(r" [ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+|[\t\u00a0\u2000-\u200b\u202f\u205f\u3000][ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]*")
# Underscores are not word characters here: "_x_" emphasis and "x" must compare equal.
_WORD = re.compile(r"[^\W_]+")
_QUOTES = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"))


def plain_quotes(text: str) -> str:
    """Curly quotes and dashes as their ASCII forms. A chain of replace() calls, not str.translate: translate
    with a mapping costs ~30 µs on a short non-ASCII sentence, and this runs for most clauses of a policy."""
    if text.isascii():
        return text
    for fancy, plain in _QUOTES:
        if fancy in text:
            text = text.replace(fancy, plain)
    return text


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text[:4096]))


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one paragraph per block element."""
    # Imported here: bs4 costs ~40% of the daemon's start-up, and most recordings never need it.
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_INVISIBLE_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n\n"))  # as in Markdown tables: a <br> ends a line of its own
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before(NavigableString("\n\n"))
        tag.insert_after(NavigableString("\n\n"))
    return soup.get_text()


def clean_inline(text: str) -> str:
    """One line of Markdown (or text with stray inline tags) as plain prose."""
    # Each rewrite runs only when its marker character is present: most sentences have none, and this
    # runs for every clause of every version compared.
    if "[" in text:  # note markers first: "[IP address[18]](#annotation-18)" must still read as a link
        text = _LINK.sub(r"\1", _IMAGE.sub(r"\1", _NOTE_REF.sub("", text)))
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _INLINE_TAG.sub("", _BR.sub(" ", _AUTOLINK.sub("", text)))
    if "`" in text:
        text = _CODE.sub(r"\1", text)
    if "*" in text or "_" in text or "~" in text:
        for _ in range(2):  # nested emphasis such as ***x*** or **_x_**
            text = _EMPHASIS.sub(r"\2", text)
    if "&" in text:
        text = html.unescape(text.replace("&apos", "&apos;").replace("&apos;;", "&apos;"))
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
        if "[" in text:
            text = _NOTE_REF.sub("", text)
    if not text.isascii():
        text = plain_quotes(text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)  # ligatures such as "ﬁ" from PDFs
    if "  " in text or "\t" in text or not text.isascii():  # engine blocks are mostly collapsed already
        text = _SPACES.sub(" ", text)
    return text.strip()


def strip_line_prefix(line: str) -> str:
    """Remove heading marks, bullets and numbering from the start of a line."""
    # A line that starts with a letter has a prefix only as "a) ", "B. " or "iv. ": a "." or ")" soon after.
    if not (line[:1].isalpha() and "." not in line[1:7] and ")" not in line[1:7]):
        m = _LINE_PREFIX.match(line)  # match, not sub: sub would try the anchored pattern at every position
        if m and m.end():
            line = line[m.end():]
    return _TRAILING_HASHES.sub("", line) if "#" in line else line


def paragraphs(text: str, *, is_html: bool | None = None) -> list[str]:
    """The policy as plain paragraphs: formatting, numbering and line wrapping removed."""
    if is_html is None:
        is_html = looks_like_html(text)
    if is_html:
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    result: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            joined = clean_inline(" ".join(current))
            if _WORD.search(joined):
                result.append(joined)
            current.clear()

    def add_line(raw: str) -> None:
        stripped = strip_line_prefix(raw)
        if stripped != raw.lstrip() or raw.lstrip().startswith("#"):
            flush()  # a list item or heading begins its own paragraph
        current.append(stripped.strip())

    for raw in text.split("\n"):
        if not raw.strip() or _SETEXT_RULE.match(raw) or _TABLE_RULE.match(raw):
            flush()
            continue
        if raw.lstrip().startswith("|"):
            # A table row: each cell is its own paragraph, and so is each <br>-separated line in a cell.
            flush()
            for cell in raw.strip().strip("|").split("|"):
                for line in _BR.split(cell):
                    add_line(line)
                    flush()
            continue
        lines = _BR.split(raw) if "<" in raw else (raw,)
        for k, line in enumerate(lines):
            if k:
                flush()
            add_line(line)
    flush()
    return result


def normalise(text: str, *, is_html: bool | None = None) -> str:
    """Normalised text: plain paragraphs separated by one blank line."""
    return "\n\n".join(paragraphs(text, is_html=is_html))


# List numbering left in the middle of a line once its line breaks are gone ("... below: 1. We collect"):
# "1." "1.2)" "(a)" "(iv)" not preceded by a word character or . , / - and followed by a space. Written to
# start with its first character ([\d(]) and check what precedes it after that: a pattern that starts with a
# lookbehind is tried at every position of the text, which made this the slowest step of hashing a policy.
# The same matches as r"(?<![\w.,/-])(?:\d{1,3}(?:\.\d{1,3})*[.)]|\([a-zA-Z0-9]{1,4}\))(?=\s)".
_INLINE_NUMBERING = re.compile(
    r"[\d(](?<![\w.,/-][\d(])(?:(?<=\d)\d{0,2}(?:\.\d{1,3})*[.)]|(?<=\()[a-zA-Z0-9]{1,4}\))(?=\s)")
# For ASCII text: every byte but a letter or digit becomes a space, so bytes.split() gives _WORD's words.
_ASCII_NON_WORD = bytes(c if chr(c).isascii() and chr(c).isalnum() else 0x20 for c in range(256))


def _without_numbering(text: str) -> str:
    return _INLINE_NUMBERING.sub(" ", text) if "." in text or ")" in text else text


def words(text: str) -> tuple[str, ...]:
    """The case-folded words of a text, list numbering left out: the unit on which versions are compared."""
    text = plain_quotes(_without_numbering(text))
    if text.isascii():  # as in content_hash: ~5x faster than the regex, which scans character by character
        return tuple(text.lower().encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split())
    return tuple(_WORD.findall(text.casefold()))


def content_hash(normalised: str) -> str:
    """Hash of the words alone, so paragraph breaks and punctuation-free formatting never change it."""
    text = plain_quotes(_without_numbering(normalised))
    if text.isascii():
        # The same words as words() (ASCII letters and digits, lower-cased), in one pass over the bytes
        # instead of a Unicode regex scan: ~6x faster on a 200 KB policy.
        joined = b" ".join(text.lower().encode("ascii").translate(_ASCII_NON_WORD).split())
    else:
        joined = " ".join(_WORD.findall(text.casefold())).encode("utf-8", "surrogatepass")
    return hashlib.sha256(joined).hexdigest()
