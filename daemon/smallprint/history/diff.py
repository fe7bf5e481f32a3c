"""What changed between two versions of a policy, in terms of data practices.

Both versions are engine analyses (`Analysis.to_dict()` shape: blocks + highlights). Each block is cut
into clauses (sentences, list items, table cells); a clause is compared by its words alone, so
re-wrapping, Markdown/HTML formatting, numbering and whitespace are never changes, and clauses are
matched wherever they sit, so reordering is never a change either. Clauses that gained or lost words
are paired by similarity ("changed"); the rest are "added" or "removed". Every reported clause carries
the practices the engine found in it. A clause that only points elsewhere ("Learn more", "Back to top") is no
statement and is never reported (see _NAVIGATION).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple, Sequence, TypeVar
from datetime import date, datetime, timezone

from smallprint.engine.key_findings import MIN_CONFIDENCE, rank
from smallprint.engine.sentences import ends_with_abbreviation
from smallprint.report import reader_date
from smallprint.taxonomy import PRACTICE_BY_ID

from .normalise import clean_inline, words

# Clause boundaries inside a block: sentence ends (kept with their clause), colons and semicolons, blank lines, <br>
# and table cell bars, and a line break that does not fall inside a sentence (so one before a list item, heading or
# table row). The engine keeps a line break in a block only where the author broke the line (a list written in a
# table cell, whose bullets go with the <br>s; a link on a line of its own; short lines), and it is read as the
# engine's sentence splitter reads it (engine/sentences.py): a boundary unless a word or comma comes before it and a
# lower-case word or "(" after it (a wrapped line). Read as wrapping, such a list's items ran into one clause, and its
# last item into the link label below it ("...or e-mail address Information from Partners, vendors and third
# parties"). Every alternative starts with one literal character (spaces before it are stripped from the clause
# later): then Python's re skips every other position with one table look-up, where alternatives starting with a
# class or a group made it try each alternative at every character (5x slower; a third of the time of diffing two
# 200 KB versions). What a boundary leaves in the clause before it (a sentence end with its closing quote, a colon)
# is its text up to the spaces: see _clause_end. A full stop after an abbreviation ends no clause (see `cut`).
_SENTENCE_END = r"[\"')\]*_\u201d\u2019]?\s+(?=[\"'(\[*_#>\u201c\u2018A-Z0-9-])"
# An information icon ("ⓘ", "ℹ", "🛈": a tooltip's button that a page or its Markdown copy shows before a note) is no
# word, and starts what follows it as a bullet does: a boundary, left out of both clauses. Read as text, NFKC made it
# an "i" (clean_inline), and the lower-case "i" made the note after a heading-like line look like the rest of a
# broken sentence: "Providing, developing and improving AI at Meta i If we cannot associate you ..." (facebook 2025,
# 23 such statements, each line's notes run together).
_ICONS = "\u24d8\u2139\U0001f6c8"
_ICON = re.compile(f"[{_ICONS}]")
_BOUNDARY = re.compile(
    r"\." + _SENTENCE_END + r"|!" + _SENTENCE_END + r"|\?" + _SENTENCE_END +
    r"|:\s+|;\s+"
    r"|\n(?:[ \t]*\n)+\s*"
    r"|\n(?:(?<=[^\w,\s]\n)|[ \t]*(?=[^\sa-z(]))[ \t]*"
    r"|<br\s*/?>\s*"
    r"|\|[ \t]+"
    + "".join(f"|{icon}\ufe0f?\\s*" for icon in _ICONS)
, re.M)
_KEPT = frozenset(".!?:;")
# Blocks that are whole by themselves: titles, table cells, and links or controls that a page shows as blocks of their
# own (the extension names each block by its element). A sentence that a converted PDF broke over two paragraphs is
# joined back (see `cut`), but never into or out of one of these: a "Learn more" link that ends a paragraph is not
# the first half of the heading below it ("Learn more benefits the public"), nor is a heading the first half of the
# paragraph under it ("About xAI and Grok xAI is a company..."). A list item may be the first half (a page break
# inside the item), never the rest: it starts an item of its own ("your profile name" is not continued by the next
# item, "your profile photo"). A block of no known kind (a view stored before its blocks kept their kind) is a
# paragraph.
_WHOLE_BLOCKS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "th", "td", "caption", "dt", "summary", "figcaption",
                           "legend", "label", "a", "button"})
_NEVER_CONTINUES = _WHOLE_BLOCKS | {"li"}


def _clause_end(m: re.Match) -> int:
    """Where the clause before boundary `m` ends: after its sentence end or colon, else where `m` starts."""
    found = m.group()
    return m.start() + (len(found.rstrip()) if found[0] in _KEPT else 0)


# A clause that is only a section number ("IV.", "b)", "2.1") says nothing; numbering is not content.
_NUMBERING = re.compile(r"\(?(?:[ivxlcdm]{1,6}|[IVXLCDM]{1,6}|[a-zA-Z]|\d{1,3}(?:\.\d{1,3})*)[.):]?")
# A clause whose words only point somewhere else says nothing either: "Learn more", "Read more", "Click here",
# "here", "See more", "More information", "Back to top", "Learn how", "See an example", "Expand", "Show all". A page
# shows such a link or control as a block of its own or after a paragraph's last sentence; the words a reader would
# follow it for are behind it, not in the policy, so one added or dropped in a new version is no change to what the
# policy says (a redesign added "Learn more" after 21 list items of facebook's 2023 policy, "Return to top" after
# each section of instagram's 2022 one). It is no statement at all: left out of both versions' statements, as
# numbering is, so the counts add up as they did and a version's statements do not depend on how many pointers its
# page has.
# Words, not the element, decide: a link's label is all the diff sees (Markdown and HTML keep no link as a block of
# its own, and the extension's blocks are links only where the page shows the link as a block), and a link that
# names something ("Do Not Sell or Share My Personal Information", "Your Privacy Choices", "Cookie settings",
# "Download your information", "Learn more about how ads work") is a statement of what the page offers, even where
# the engine finds no practice in its words (at full depth it finds none in the second, third and fourth). On the
# shared data's consecutive versions a rule on the element instead (a link alone, no practice read in it, at most
# two words) left out 13 such named links ("Account security", "Manage tags", "AI integrations") beside 9 pointers.
# So the pattern admits only words that point, never a noun that names a subject: verbs of going or looking (learn,
# read, see, click, back to...) with more, here, how, top or an example. "All" and "less" only after such a verb: a
# table cell "All" (which categories are shared) is a statement. English only, as the engine's readings are.
# A control that gives the same policy again in another form ("Print", "Print this page", "Download PDF", "View
# printable version", "Save as PDF", "Download a copy of this Privacy Policy", "Print Imgur's Privacy Policy") points
# too: what a reader would get from it is the words already compared. Only with "this page", "the policy" and the
# like, or nothing: "Download your information", "Print your boarding pass" and "Request a copy of your data" name
# something of the reader's, and are statements.
_THIS_DOCUMENT = (r"(?:(?:this|the|our|[a-z0-9]+ s) )?(?:(?:privacy|cookie|data) )?"
                  r"(?:page|policy|notice|statement|document|terms(?: of (?:service|use))?)")
_AS_A_FILE = r"(?:(?:a|the) )?(?:pdf|printable|printer friendly|print)(?: (?:version|copy|view|format|file))?"
_NAVIGATION = re.compile(
    r"(?:(?:click|tap|press|go|look) )?here"
    r"|(?:(?:learn|read|see|view|show|find out|discover|know|load) )?more(?: (?:here|below|above))?"
    r"|(?:see|view|show) (?:all|less)"
    r"|(?:(?:for|get|see|view) )?(?:more|further) (?:information|info|details)(?: (?:here|below|above))?"
    r"|(?:learn|see|find out) how"
    r"|(?:see|view|show) (?:(?:an|some|more|all) )?examples?"
    r"|(?:(?:back|return|go back|jump|skip|scroll(?: back)?)(?: up)? to )?(?:the )?top(?: of (?:the |this )?page)?"
    r"|(?:expand|collapse|show|hide)(?: (?:all|details))?"
    r"|continue reading|read on"
    rf"|print(?: {_THIS_DOCUMENT})?"
    rf"|(?:(?:download|save|view|open|get|see|show)(?: (?:as|in))? )?{_AS_A_FILE}(?: of {_THIS_DOCUMENT})?"
    r"(?: \d+(?: \d+)? (?:kb|mb))?"
    rf"|(?:download|save|get|print) (?:a |the )?copy(?: of {_THIS_DOCUMENT})?")


def is_navigation(key: tuple[str, ...]) -> bool:
    """Whether a clause's words (its key: `normalise.words`) only point elsewhere (see _NAVIGATION)."""
    return len(key) <= 8 and _NAVIGATION.fullmatch(" ".join(key)) is not None


_FINISHED = re.compile(r"[.!?:;][\"')\]*_\u201d\u2019]*$")


def _runs_on(piece: str, before: "Clause") -> bool:
    """Whether a paragraph's first clause can be the rest of the sentence that the clause `before` (the previous
    paragraph's last, unfinished) began: it starts with a word of running text, all in lower case ("information. We
    understand ...", "and share it with ..."). Not a name written with capitals inside ("xAI's main Privacy Policy
    ..." under a date line, "fDi Markets is ..." under the heading "fDi Markets"). A word that goes on as an e-mail or
    web address, a path or a name ("experts@verasafe.com", "c/o VeraSafe", "rep_tinder@...") is a line of its own
    under a telephone number, a company or a town, and ends a sentence only after a lower-case word of running text
    ("... by emailing us at" / "support@alphavantage.co.", "the following email" / "address:support@..."), never
    after a pointer ("Online: here" / "rep_tinder@prighter.com")."""
    m = _FIRST_WORD.match(piece)
    if m is None:
        return False
    if not m.group().islower():
        # A name after a word no sentence ends with ("... individuals outside of" / "Google except in the following
        # cases:"): the line above was cut mid-sentence, whatever the case of the word that goes on
        last = before.text.rsplit(None, 1)[-1] if before.text else ""
        return (last in _NO_SENTENCE_ENDS_WITH and not _ENDS_AN_ITEM.search(before.text)
                and not _GLUED.match(piece, m.end()))
    if not _GLUED.match(piece, m.end()):
        return True
    last = before.text.rsplit(None, 1)[-1].strip(_QUOTES) if before.text else ""
    return last.isalpha() and last.islower() and not is_navigation(before.key)


# Words no sentence, heading, label or list item ends with: articles, "of" and possessives. Not the particles a
# heading or a label can end with ("People and accounts you share and communicate with", "Legitimate interests
# relied on", "Terms you search for", "if you want to", "Contact us via"): measured on the shared data's 45
# versions, those joined a heading, a table cell or a list item into the next line. "and"/"or"/"nor" too, in
# running text ("... whether you are currently active on Instagram, Messenger or" / "Facebook ..."), but not where
# they end a list item ("To comply with applicable law; and" / "To protect ...") or a short line of controls ("Sign
# in or" / "Create an account"): `_ENDS_AN_ITEM`.
_NO_SENTENCE_ENDS_WITH = frozenset(
    "of the a an than your our their its his her my these those every each including between per and or nor".split())
_ENDS_AN_ITEM = re.compile(r"(?:;\s*|^(?:\S+\s+){0,3})(?:and|or|nor)$")
_FIRST_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_GLUED = re.compile(r"[@/_\w]|\.\w|://")  # the word goes on as an address, a path or a name
_QUOTES = ",.;:!?()[]\"'\u201c\u201d\u2018\u2019"


# Runs of this many words, found on both sides, show that leftover clauses were only re-segmented.
_MIN_RUN = 4
# Two leftover clauses this similar (Dice over their word sets) are one clause that changed.
_CHANGED_SIMILARITY = 0.6
_MAX_HEADLINE_ITEMS = 8
_MAX_LABELS = 4  # for the shorter "more / fewer clauses about" lists
# A highlight reaching this many characters beyond a clause belongs to more than that clause.
_SLACK = 20
# At most this many reported clauses are re-read alone by the engine in one diff (see _Refiner).
_MAX_REREAD = 400
_SURE = 0.75


@dataclass(frozen=True, slots=True)
class Finding:
    """A practice the engine found in a clause."""
    practice: str
    polarity: str
    summary: str
    confidence: float

    def to_dict(self) -> dict:
        return {"practice": self.practice, "polarity": self.polarity, "summary": self.summary,
                "confidence": round(self.confidence, 3)}


class Clause(NamedTuple):
    """One sentence-sized piece of a version, located in its block (a tuple: thousands are made per diff)."""
    block: str
    start: int
    end: int
    text: str
    key: tuple[str, ...]
    findings: tuple[Finding, ...]  # from highlights that fit this clause
    wide: tuple[Finding, ...] = ()  # from highlights reaching well beyond it (into other clauses)
    lead: tuple[str, ...] = ()  # the words of pointers just before it, which are no clause (see _NAVIGATION)
    # Where the rest of a sentence broken over paragraphs is: (block, start, end) of each later half, in order. `block`,
    # `start` and `end` locate the first half; `text` is every half's text, joined by a space (see `cut`).
    more: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ClauseChange:
    change: str  # added | removed | changed
    text: str  # the clause as it reads now (as it read, for a removed one)
    practice: str | None  # the leading practice, None when the clause states no data practice
    polarity: str | None
    summary: str | None
    findings: tuple[Finding, ...]
    block: str  # where the clause starts: in the new version, or in the old one for a removed clause
    start: int
    end: int
    more: tuple[tuple[str, int, int], ...] = ()  # (block, start, end) of the rest of a sentence joined over blocks
    old_text: str | None = None  # changed clauses only
    old_findings: tuple[Finding, ...] = ()
    occurrences: int = 1  # how many places make this same change (a table row repeated in every row is one change)
    # (block, start, end) of every span of the same change's other places, in the version `block` is in: the list
    # reports a statement once, and the page can still mark each row it was added in
    elsewhere: tuple[tuple[str, int, int], ...] = ()

    @property
    def is_data_use(self) -> bool:
        return bool(self.findings or self.old_findings)

    @property
    def parts(self) -> tuple[tuple[str, int, int], ...]:
        """Every span the clause's text is read from, in order: (block, start, end), the first being `block`, `start`,
        `end`. One for a clause within a block; a sentence that a converted PDF broke over paragraphs has one per
        paragraph, and its `text` is theirs joined by a space."""
        return ((self.block, self.start, self.end), *self.more)

    def to_dict(self) -> dict:
        out = {"change": self.change, "practice": self.practice, "polarity": self.polarity,
               "summary": self.summary, "text": self.text,
               "findings": [f.to_dict() for f in self.findings],
               "block": self.block, "start": self.start, "end": self.end,
               "parts": [{"block": b, "start": s, "end": e} for b, s, e in self.parts],
               "occurrences": self.occurrences,
               "elsewhere": [{"block": b, "start": s, "end": e} for b, s, e in self.elsewhere]}
        if self.change == "changed":
            out["old_text"] = self.old_text
            out["old_findings"] = [f.to_dict() for f in self.old_findings]
        return out


@dataclass(frozen=True, slots=True)
class StatementTally:
    """Where each distinct statement of the two versions went: each side's parts add up to its statements.

    old version = old_kept + removed + old_reworded;  new version = new_kept + added + new_reworded.

    A statement is kept when its words are all still in the other version, in the same order: word for word
    (`identical`, the same number on both sides), or only cut into statements differently (a heading that lost its
    line break and ran into the next sentence, a list flattened into one line: two old statements kept as one new
    one, or the reverse). That part is why kept can differ between the sides. Words found in the other version only
    in pieces from different places (phrases recombined) are a rewording, not a re-cut.

    A statement is reworded when its wording is one side of the `changed` list and the other version does not have
    it word for word; each side counts its own wordings, so two old statements reworded into one new wording are 2
    on the old side and 1 on the new. A new wording is never one the old version has word for word (that is no
    rewording: the reader has read it), so new_reworded is the length of `changed`. An old wording that the new
    version has word for word is kept even where another copy of it was reworded: `changed` lists the change, the
    old side's reworded count leaves it out. removed and added are the lengths of those lists."""
    old_kept: int = 0
    removed: int = 0
    old_reworded: int = 0
    new_kept: int = 0
    added: int = 0
    new_reworded: int = 0
    identical: int = 0

    @classmethod
    def of(cls, old: set, new: set, *, removed: set, old_reworded: set, added: set, new_reworded: set
           ) -> "StatementTally":
        """From each version's statements (clause keys) and the keys of the listed clauses on each side."""
        old_reworded, new_reworded = old_reworded - new, new_reworded - old
        # As sets, not by subtraction of counts: a listed clause that is not one of its version's statements would
        # make the parts add up to more than the version has, and the tests would see it.
        return cls(old_kept=len(old - removed - old_reworded), removed=len(removed),
                   old_reworded=len(old_reworded), new_kept=len(new - added - new_reworded), added=len(added),
                   new_reworded=len(new_reworded), identical=len(old & new))

    def sentences(self) -> list[str]:
        """Both sides in plain words, for the text and HTML views; the added clauses as their list is named ("78 new",
        under "New"), not "78 added"."""
        old_total = self.old_kept + self.removed + self.old_reworded
        new_total = self.new_kept + self.added + self.new_reworded
        lines = [f"Old version, {_statements(old_total)}: {self.old_kept} kept, {self.removed} removed, "
                 f"{self.old_reworded} reworded.",
                 f"New version, {_statements(new_total)}: {self.new_kept} kept, "
                 f"{self.added} {CHANGE_WORDS['added'].lower()}, {self.new_reworded} reworded."]
        if (self.old_kept, self.new_kept) != (self.identical, self.identical):
            lines.append(f"{self.identical} kept word for word; the other kept statements ({self.old_kept - self.identical}"
                         f" old, {self.new_kept - self.identical} new) have all their words still there, split or "
                         "joined into statements differently.")
        if self.old_reworded != self.new_reworded:
            lines.append(f"{self.old_reworded} old and {self.new_reworded} new reworded: rewordings merged or split "
                         "statements, or reused one kept word for word.")
        return lines


def _statements(n: int) -> str:
    return f"{n} distinct statement{'s' if n != 1 else ''}"


@dataclass(frozen=True, slots=True)
class PolicyDiff:
    since: str | None  # the date (or name) of the old version, as given
    added: tuple[ClauseChange, ...]
    removed: tuple[ClauseChange, ...]
    changed: tuple[ClauseChange, ...]
    unchanged: int  # distinct statements of the new version that are neither added nor changed
    summary: str
    statements: tuple[int, int] = (0, 0)  # distinct statements (clauses by their words) in the old and new version
    tally: StatementTally = StatementTally()  # where each side's statements went (both sides add up)

    @property
    def has_data_use_changes(self) -> bool:
        return any(c.is_data_use for c in (*self.added, *self.removed, *self.changed))

    def to_dict(self, *, data_use_only: bool = False) -> dict:
        def keep(items):
            return [c.to_dict() for c in items if c.is_data_use or not data_use_only]

        t = self.tally
        return {
            "since": self.since,
            "summary": self.summary,
            "added": keep(self.added),
            "removed": keep(self.removed),
            "changed": keep(self.changed),
            "counts": {
                "added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                "unchanged": self.unchanged,
                "statements": {"old": self.statements[0], "new": self.statements[1]},
                "old_side": {"kept": t.old_kept, "removed": t.removed, "reworded": t.old_reworded},
                "new_side": {"kept": t.new_kept, "added": t.added, "reworded": t.new_reworded},
                "identical": t.identical,
                "data_use": {name: sum(c.is_data_use for c in items) for name, items in
                             (("added", self.added), ("removed", self.removed), ("changed", self.changed))},
            },
        }


def _findings(raw_highlights: list[dict]) -> tuple[Finding, ...]:
    if not raw_highlights:
        return ()
    seen: dict[tuple[str, str], Finding] = {}
    for h in raw_highlights:
        key = (h["practice"], h["polarity"])
        conf = float(h.get("confidence") or 0.0)
        if key not in seen or conf > seen[key].confidence:
            seen[key] = Finding(h["practice"], h["polarity"], h.get("summary") or "", conf)
    # Concerns first; then a reading the engine is sure of (at the key findings' cut-off: at full depth a confidence
    # is the second thoughts' chance of being right) before a doubtful one, so that "We may collect your biometric
    # information" leads with biometrics (0.84), not with a doubtful AI-training reading of it (0.38); then the more
    # serious practice (key_findings.rank: AI training, biometrics, sale ... first); then the surer reading.
    def order(f: Finding):
        polarity_rank, severity = rank(f.practice, f.polarity)
        return polarity_rank, f.confidence < MIN_CONFIDENCE, severity, -f.confidence
    return tuple(sorted(seen.values(), key=order))


def clauses_of(analysis: dict, only: set[int] | None = None) -> list[Clause]:
    """Cut an analysis's blocks into clauses with the highlights over them: all of them, or those that touch a
    block whose index is in `only` (see `cut`)."""
    return cut(analysis, only)[0]


def cut(analysis: dict, only: set[int] | None = None) -> tuple[list[Clause], set[tuple[str, ...]]]:
    """The clauses that touch the blocks whose index is in `only` (all blocks when None), with the highlights over
    them, and the keys of the whole version's clauses (its distinct statements).

    A sentence that a converted PDF broke over two paragraphs (no end punctuation, the next one starts with a word of
    running text in lower case, or with any word after an article, "of", a possessive or a conjunction of running
    text, which no sentence ends with: 24 more joins in the shared data's 45 versions; both are running
    text: see `_WHOLE_BLOCKS` and `_runs_on`) is joined back into one
    clause, located at its first half (block, start, end) and the rest (`more`). A short line without closing
    punctuation is not, by itself, a heading here, as it is to the engine's reader (reader_input._looks_like_heading):
    of the 1,242 sentences joined over paragraphs in the shared data's 45 versions, 202 start with such a line, and
    174 of those are real sentences, nearly all of converted PDFs ("When you use our services, you're trusting us
    with your" / "information."). The 28 others, and every wrong join, ran into a line that is no rest of a sentence:
    a note after an icon's "i" (23), an address, a name or a link (`_runs_on`), whatever the line above it was.
    The whole version is always cut, so that such a sentence is the same clause whether or not the block of one half
    is in `only`: cut without
    its other half ("sell any of your information", without the "We don't" of an unchanged paragraph before it) it
    would be reported with the opposite reading, and counted as a statement the version does not have. Highlights
    are read only for the clauses returned (the blocks outside `only` are most of a version on a revisit).
    """
    by_block: dict[str, list[dict]] = defaultdict(list)
    for h in analysis.get("highlights") or ():
        by_block[str(h["block"])].append(h)
    clauses: list[Clause] = []
    touches_only: list[bool] = []  # per clause: does it touch a block in `only`
    has_findings: list[bool] = []  # per clause: were its highlights read (False: outside `only`, not joined)
    open_end = -2  # index of the block whose last clause is an unfinished sentence
    for index, block in enumerate(analysis.get("blocks") or ()):
        block_id, text, kind = str(block["id"]), block["text"], block.get("tag") or "p"
        wanted = only is None or index in only
        start, first = 0, True
        for m in (*_BOUNDARY.finditer(text), None):
            end = _clause_end(m) if m else len(text)
            if m and text[m.start()] == "." and ends_with_abbreviation(text, end):
                continue  # "the U.S. Department of Commerce", "(e.g. GPS location)": one clause, as the engine reads it
            if end > start:
                piece = clean_inline(text[start:end]).strip("*_ ")
                key = words(piece)
                if key and not _NUMBERING.fullmatch(piece):
                    if (first and open_end == index - 1 and kind not in _NEVER_CONTINUES
                            and _runs_on(piece, clauses[-1]) and not _ICON.search(text, 0, start)):
                        prev, prev_touches, prev_read = clauses.pop(), touches_only.pop(), has_findings.pop()
                        before = _merge(prev.findings, prev.wide) if prev_read else \
                            _merge(*_merge_spans(by_block, prev))
                        # The engine read the two halves apart ("We don't" / "sell any of your information"):
                        # what it found is re-checked on the whole sentence before it is reported.
                        clauses.append(prev._replace(
                            text=f"{prev.text} {piece}", key=prev.key + key, findings=(),
                            wide=_merge(before, _merge(*_highlights_over(by_block.get(block_id), start, end))),
                            more=(*prev.more, (block_id, start, end))))
                        touches_only.append(prev_touches or wanted)
                        has_findings.append(True)
                    else:
                        found, wide = _highlights_over(by_block.get(block_id), start, end) if wanted else ((), ())
                        clauses.append(Clause(block_id, start, end, piece, key, found, wide))
                        touches_only.append(wanted)
                        has_findings.append(wanted)
                    first = False
            if m:
                start = m.end()
        open_end = index if (kind not in _WHOLE_BLOCKS and clauses and not first
                             and not _FINISHED.search(clauses[-1].text)) else -2
    # A pointer is left out once the sentences are whole: "Learn more" that a converted PDF broke from its "at:
    # https://..." below is the first half of a sentence, not a pointer standing alone. Its words go with the clause
    # after it as its lead, for the realignment alone: a version that ran the pointer into the sentence after it
    # ("Learn more Some examples of how we combine ...", all on one line) has only cut its words differently.
    said, lead = [], ()
    for clause, touches in zip(clauses, touches_only):
        if is_navigation(clause.key):
            lead += clause.lead + clause.key
        else:
            said.append((clause._replace(lead=lead + clause.lead) if lead else clause, touches))
            lead = ()
    return [c for c, touches in said if touches], {c.key for c, _ in said}


def _merge_spans(by_block: dict[str, list[dict]], clause: Clause) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """The findings over every span of a clause (a sentence joined over blocks has several): fitting, and wide."""
    fit, wide = _highlights_over(by_block.get(clause.block), clause.start, clause.end)
    for block, start, end in clause.more:
        more_fit, more_wide = _highlights_over(by_block.get(block), start, end)
        fit, wide = _merge(fit, more_fit), _merge(wide, more_wide)
    return fit, wide


def _highlights_over(highlights: list[dict] | None, start: int, end: int
                     ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """The findings of the highlights over a clause: those that fit it, and those reaching well beyond it."""
    if not highlights:
        return (), ()
    hits = [h for h in highlights if h["start"] < end and h["end"] > start]
    return (_findings([h for h in hits if h["start"] >= start - _SLACK and h["end"] <= end + _SLACK]),
            _findings([h for h in hits if h["start"] < start - _SLACK or h["end"] > end + _SLACK]))


def _merge(a: tuple[Finding, ...], b: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return _findings([f.to_dict() for f in (*a, *b)]) if a and b else tuple(a or b)


def _match_blocks(old: list[dict], new: list[dict]) -> tuple[set[int], set[int], int]:
    """Set aside blocks whose text is identical in both versions (wherever they are): on a revisit that is
    nearly all of them, and it spares cutting them into clauses. A text is set aside only when it occurs as
    often in one version as in the other: when the counts differ (a heading "IP address" that also was a
    list item), which copy went where is for the clause alignment to decide, in context. Returns the
    indices of the other blocks on each side and how many blocks were set aside."""
    old_count = Counter(b["text"] for b in old)
    new_count = Counter(b["text"] for b in new)
    same = {t for t, n in new_count.items() if old_count.get(t) == n}
    old_rest = {i for i, b in enumerate(old) if b["text"] not in same}
    new_rest = {j for j, b in enumerate(new) if b["text"] not in same}
    return old_rest, new_rest, len(new) - len(new_rest)


def _match_exact(old: list[Clause], new: list[Clause]) -> tuple[list[int], list[int], int]:
    """Pair clauses with the same words wherever they are; returns the leftovers' indices."""
    waiting: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, c in enumerate(old):
        waiting[c.key].append(i)
    for queue in waiting.values():
        queue.reverse()  # pop() takes the earliest first
    new_left, matched_old = [], set()
    for j, c in enumerate(new):
        queue = waiting.get(c.key)
        if queue:
            matched_old.add(queue.pop())
        else:
            new_left.append(j)
    old_left = [i for i in range(len(old)) if i not in matched_old]
    return old_left, new_left, len(matched_old)


def _grams(stream: list[str]) -> set[tuple[str, ...]]:
    return set(zip(*(stream[k:] for k in range(_MIN_RUN))))


def _covered(clauses: list[Clause], left: list[int], other_grams: set[tuple[str, ...]]) -> set[int]:
    """Leftover clauses whose words the other version has in the same order: each run of `_MIN_RUN` words inside
    the clause is one the other version also has; a shorter clause sits inside one such run (read across clause
    boundaries of its own version: "IP address" with the words of its neighbours). That each word sits inside some
    run is not enough: runs from different places of the other version cover every word of a rewording that only
    recombines its phrases ("We do not sell your personal information" from "We do not sell your data" and "We
    sell your personal information")."""
    stream: list[str] = []
    spans = []  # clause i's words are stream[begin:end] for (begin, end) = spans[i]; its lead comes before them
    for clause in clauses:
        stream.extend(clause.lead)
        spans.append((len(stream), len(stream) + len(clause.key)))
        stream.extend(clause.key)
    # found[k]: the run of words k .. k + _MIN_RUN - 1 is one the other version has
    found = [gram in other_grams for gram in zip(*(stream[k:] for k in range(_MIN_RUN)))]
    covered = set()
    for index in left:
        begin, end = spans[index]
        if end - begin >= _MIN_RUN:
            if all(found[begin:end - _MIN_RUN + 1]):
                covered.add(index)
        elif any(found[max(0, end - _MIN_RUN):begin + 1]):
            covered.add(index)
    return covered


def _covered_by_realignment(old: list[Clause], old_left: list[int], new: list[Clause], new_left: list[int]
                            ) -> tuple[set[int], set[int]]:
    """Leftover clauses whose words all reappear, in runs, on the other side: re-segmented, not changed.

    A heading that lost its line break merges with the next sentence; a list flattened into one line becomes
    one clause. Runs of `_MIN_RUN` words, read across clause boundaries over the whole of both versions (a
    short item such as "IP address" is recognised by its neighbours), find both in linear time; a clause
    with even one word outside such a run (a new "not", say), or with a run of its own words that the other
    version does not have (phrases of the other version recombined), stays a change.
    """
    if not old_left or not new_left:
        return set(), set()
    old_grams = _grams([w for c in old for w in (*c.lead, *c.key)])
    new_grams = _grams([w for c in new for w in (*c.lead, *c.key)])
    return _covered(old, old_left, new_grams), _covered(new, new_left, old_grams)


def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Dice coefficient of the two clauses' word sets: cheap, and order-blind like the matching itself."""
    sa, sb = set(a), set(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb))


def _pair_changed(old: list[Clause], old_left: list[int], new: list[Clause], new_left: list[int],
                  recut: tuple[set[int], set[int]] = (set(), set())) -> list[tuple[int, int]]:
    """Pair leftover old and new clauses that are the same clause reworded (best matches first). Two clauses that
    are both only cut differently (`recut`: old, new) are never a pair."""
    index: dict[str, list[int]] = defaultdict(list)
    for i in old_left:
        for w in set(old[i].key):
            index[w].append(i)
    # Words in many leftover clauses ("we", "your") do not tell clauses apart; skip them when looking up.
    common = max(8, len(old_left) // 10)
    candidates: list[tuple[float, int, int]] = []
    for j in new_left:
        shared: dict[int, int] = defaultdict(int)
        for w in set(new[j].key):
            owners = index.get(w, ())
            if len(owners) <= common:
                for i in owners:
                    shared[i] += 1
        # Ties are broken by position, never by the order of a set of words (it differs from process to process
        # with string hashing, and a diff must be the same wherever it runs).
        for i, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:12]:
            if i in recut[0] and j in recut[1]:
                continue
            score = _similarity(old[i].key, new[j].key)
            if score >= _CHANGED_SIMILARITY:
                candidates.append((score, i, j))
    candidates.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_old, used_new, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((i, j))
    return pairs


class _Refiner:
    """Findings for a reported clause. A highlight that fits the clause is the engine's word on it. One that
    spans several clauses (a whole table cell, say) does not say which of them states the practice, so the
    clause is read again on its own by the engine and keeps only those practices the engine finds in it.
    All such clauses of a diff are read in one engine call (`prepare`), each as its own block."""

    def __init__(self, limit: int = _MAX_REREAD):
        self.limit = limit
        self.cache: dict[str, tuple[Finding, ...]] = {}

    def prepare(self, clauses: list[Clause]) -> None:
        texts = list(dict.fromkeys(c.text for c in clauses if c.wide))[:self.limit]
        if not texts:
            return
        from smallprint.engine import analyze  # late: the engine loads its models on first use

        blocks = [{"id": f"c{k}", "text": text} for k, text in enumerate(texts)]
        found: dict[str, list[dict]] = defaultdict(list)
        # The quick reading: each changed clause is read alone, out of its place in the policy, and the learned
        # reader reads a sentence with its heading and the sentence before it (here they would be other changed
        # clauses); the rules read a clause by itself.
        for h in analyze(blocks=blocks, depth="quick").to_dict()["highlights"]:
            found[h["block"]].append(h)
        for k, text in enumerate(texts):
            self.cache[text] = _findings(found.get(f"c{k}", []))

    def __call__(self, clause: Clause) -> tuple[Finding, ...]:
        if not clause.wide:
            return clause.findings
        if clause.text not in self.cache:  # beyond the limit (a huge rewrite): keep the wide highlights
            return _merge(clause.findings, clause.wide)
        wanted = {f.practice for f in clause.wide}
        return _merge(clause.findings, tuple(f for f in self.cache[clause.text] if f.practice in wanted))


def _change(kind: str, clause: Clause, refine: _Refiner, old: Clause | None = None,
            others: Sequence[Clause] = ()) -> ClauseChange:
    """The change of `clause` (and of `others`: the same words in other places, reported once with it)."""
    findings = refine(clause)
    old_findings = refine(old) if old else ()
    lead = findings[0] if findings else (old_findings[0] if old_findings else None)
    return ClauseChange(
        change=kind, text=clause.text,
        practice=lead.practice if lead else None, polarity=lead.polarity if lead else None,
        summary=lead.summary if lead else None, findings=findings,
        block=clause.block, start=clause.start, end=clause.end, more=clause.more,
        old_text=old.text if old else None, old_findings=old_findings, occurrences=1 + len(others),
        elsewhere=tuple(part for other in others for part in ((other.block, other.start, other.end), *other.more)),
    )


# How every view names a promise or right in the reader's favour that the new version no longer makes: a removed clause
# the engine read as protective, or a reworded one that was protective and now states no practice (the popup's and
# the HTML report's words too; extension-bridge/extension/common.js LOST_PROMISE, a test keeps them equal). It is bad
# news for the reader, never shown with a promise's colour or mark ("Removed: Sale of data (protective)" with a ✓
# read as good news).
LOST_PROMISE = "No longer promised"


# The mirror: how every view names a concern the new version no longer states (a removed clause the engine read as a
# concern, or a reworded one that was a concern and now states no practice), the summary's own words for it. It is
# good news for the reader, shown with a promise's mark and colour (news_polarity), never as "Removed: Sale of data
# (concern)" or "Reworded: Sale of data (concern)" with the concern's ✗ (extension-bridge/extension/common.js
# NO_LONGER_STATED; a test keeps them equal).
NO_LONGER_STATED = "No longer stated"
# The summary's words for a neutral practice (one that is neither a concern nor a promise: "Explains how long it keeps
# your data") that the new version no longer mentions anywhere: neither good news nor bad, never among the concerns.
NO_LONGER_MENTIONED = "No longer mentioned"
# Its mirror: a neutral practice the new version mentions and the old one mentioned nowhere, said by name as the gone
# ones are ("Newly mentioned: retention."), not as "mentions retention (neutral)" among the new concerns and promises.
# First in the summary it carries the date: "Newly mentioned since 9 August 2024: retention."
NEWLY_MENTIONED = "Newly mentioned"


def _no_longer(change: "ClauseChange", polarity: str) -> bool:
    """Whether `change` is a clause of that polarity in the old version that the new one no longer states."""
    return change.polarity == polarity and (
        change.change == "removed" or (change.change == "changed" and not change.findings))


def lost_promise(change: "ClauseChange") -> bool:
    """Whether `change` takes away a promise or right the old version made (see LOST_PROMISE)."""
    return _no_longer(change, "protective")


def dropped_concern(change: "ClauseChange") -> bool:
    """Whether `change` is a concern the old version stated and the new one no longer does (see NO_LONGER_STATED)."""
    return _no_longer(change, "concern")


def news_polarity(change: "ClauseChange") -> str | None:
    """What `change` means for the reader, as a polarity to mark and colour it with and to rank it by: a promise no
    longer made is bad news ("concern"), a concern no longer stated good news ("protective"); any other change is
    shown with its clause's polarity."""
    if lost_promise(change):
        return "concern"
    if dropped_concern(change):
        return "protective"
    return change.polarity


def change_label(change: "ClauseChange") -> str | None:
    """LOST_PROMISE or NO_LONGER_STATED where `change` is one of those, else None (the list's own word)."""
    return LOST_PROMISE if lost_promise(change) else NO_LONGER_STATED if dropped_concern(change) else None


# The word a change report lists any other change under, in every view: the HTML report's boxes, the text view's list
# headings, the corpus report page's change boxes, the popup's lines (extension-bridge/extension/common.js
# CHANGE_WORDS; a test keeps them equal).
CHANGE_WORDS = {"added": "New", "removed": "Removed", "changed": "Reworded"}


_T = TypeVar("_T")


def listed_as(change: "ClauseChange") -> str:
    """What the change reports call `change`: LOST_PROMISE or NO_LONGER_STATED where it is one (change_label), else
    its list's word, "New", "Removed" or "Reworded" (CHANGE_WORDS)."""
    return change_label(change) or CHANGE_WORDS[change.change]


def format_since(since: str | None) -> str | None:
    """"2023-05-18" or "2023-05-18T10:00:00Z" -> "18 May 2023" (report.reader_date: every view's one date format, the
    day in UTC); anything else unchanged."""
    if not since:
        return None
    for parse in (date.fromisoformat, lambda s: _utc_day(datetime.fromisoformat(s.replace("Z", "+00:00")))):
        try:
            return reader_date(parse(since))
        except ValueError:
            continue
    return since


def _utc_day(moment: datetime) -> date:
    return (moment.astimezone(timezone.utc) if moment.tzinfo else moment).date()


def practice_phrase(practice: str, polarity: str, *, tagged: bool = True) -> str:
    """Plain words for a practice with a polarity: "may use your data or content to train AI models (concern)";
    without the bracketed polarity where `tagged` is False."""
    p = PRACTICE_BY_ID.get(practice)
    if p is None:
        text = practice
    else:
        text = {"concern": p.concern, "protective": p.protective}.get(polarity) or f"mentions {p.label.lower()}"
        text = f"{text[0].lower()}{text[1:]}"
    return f"{text} ({polarity})" if tagged else text


def _listed(pairs: set[tuple[str, str]], describe, most: int = _MAX_HEADLINE_ITEMS, sep: str = "; ",
            and_more: str = "; and {} more") -> str:
    """(practice, polarity) pairs most important first, each as `describe` says, at most `most` of them and then
    how many more: "a; b; and 3 more"."""
    ordered = sorted(pairs, key=lambda pp: rank(*pp))
    shown = [describe(*pp) for pp in ordered[:most]]
    more = len(ordered) - len(shown)
    return sep.join(shown) + (and_more.format(more) if more > 0 else "")


def _phrases(pairs: set[tuple[str, str]], *, tagged: bool = True) -> str:
    """The practices in plain words, each with its polarity in brackets unless `tagged` is False."""
    return _listed(pairs, lambda practice, polarity: practice_phrase(practice, polarity, tagged=tagged))


# A clause quoted in the headline: its first words, cut at a word.
_QUOTED_WORDS = 16


def _turned_phrases(pairs: set[tuple[str, str]], clause_of: dict[tuple[str, str], ClauseChange]) -> str:
    """The practices of clauses that turned, each with the clause as it now reads: "Tracking, now “Your Chrome
    browsing history is only saved to your account if ...”". Not the practice's stock promise or concern (the
    taxonomy's "Limits tracking or lets you control it"): the clause reads in the reader's favour (or against),
    which the engine says, but a stock sentence claims what that clause may not say, and the reader is shown what it
    does say."""
    ordered = sorted(pairs, key=lambda pp: rank(*pp))
    shown = []
    for practice, polarity in ordered[:_MAX_HEADLINE_ITEMS]:
        label = PRACTICE_BY_ID[practice].label if practice in PRACTICE_BY_ID else practice
        text = clause_of[(practice, polarity)].text.split()
        quoted = " ".join(text[:_QUOTED_WORDS]) + (" \u2026" if len(text) > _QUOTED_WORDS else "")
        shown.append(f"{label}, now \u201c{quoted}\u201d")
    more = len(ordered) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _label(practice: str) -> str:
    return PRACTICE_BY_ID[practice].label if practice in PRACTICE_BY_ID else practice


def _mentions(pairs: set[tuple[str, str]]) -> str:
    """Neutral practices by name, in the taxonomy's order: "retention; policy changes"."""
    return _listed(pairs, lambda practice, _polarity: _label(practice).lower())


def _label_list(pairs: set[tuple[str, str]]) -> str:
    return _listed(pairs, lambda practice, polarity: f"{_label(practice)} ({polarity})", _MAX_LABELS, ", ",
                   " and {} more")


def _practice_list(pairs: set[tuple[str, str]]) -> str:
    """The practices of `pairs` by label, each once, most important first: "Advertising, Tracking and 3 more" (the
    clauses added and removed about one practice may each state it with another polarity)."""
    best: dict[str, tuple[str, str]] = {}
    for pp in sorted(pairs, key=lambda pp: rank(*pp)):
        best.setdefault(pp[0], pp)
    return _listed(set(best.values()), lambda practice, _polarity: _label(practice), _MAX_LABELS, ", ",
                   " and {} more")


def importance(change: ClauseChange) -> tuple[int, int]:
    """Sort key: the key findings' order of importance (concerns before promises, severe practices first), by what
    the change means for the reader (news_polarity): a promise no longer made is bad news and ranks with the concerns,
    so "Removed" lists it before a concern no longer stated (good news, ranked with the promises)."""
    return rank(change.practice, news_polarity(change))


# The order every change view lists changes in, one list for the three kinds: the HTML report's boxes, the `smallprint
# diff` text view, the corpus report's change boxes, and the popup (through changes_since_last_visit's "order"). Most
# important first (importance: what the change means for the reader, so a promise no longer made and a new concern
# lead, the most severe practice first), and among equals a loss before news before a rewording (LIST_ORDER). The text
# view listed its lists New, Removed, Reworded and the popup New, Reworded, Removed, each under the other: a promise
# no longer made came after every new clause in one and last of all in the other, where the HTML report led with it.
LIST_ORDER = ("removed", "added", "changed")


def reading_order(change) -> tuple[int, int, int]:
    """Sort key of a change (a ClauseChange, or anything with its `change`, `practice`, `polarity` and `findings`)
    in every change view: importance, then LIST_ORDER."""
    return (*importance(change), LIST_ORDER.index(change.change))


def in_reading_order(changes: Iterable[_T]) -> list[_T]:
    """`changes` (of any of the three lists) as every change view lists them: see reading_order."""
    return sorted(changes, key=reading_order)


def counts_line(counts: dict[str, int]) -> str:
    """How many changes of each kind, in the lists' own words and order (CHANGE_WORDS, LIST_ORDER) and leaving out
    a kind with none: "2 removed, 78 new, 3 reworded". `counts`: "added", "removed", "changed" -> how many. Never
    "78 added" beside a list named "New"."""
    return ", ".join(f"{counts[k]} {CHANGE_WORDS[k].lower()}" for k in LIST_ORDER if counts.get(k))


# Which reading a comparison came from, as the text view and the HTML report say it: a comparison at quick depth
# finds other changes than one at full depth, and whoever quotes it should know which it was.
DEPTH_READ = {"full": "full (the learned reader read both versions)", "quick": "quick (the rules alone)"}
# What a view says in place of an old wording it has just shown (see old_wording_once).
SAME_OLD_WORDING = "(the same sentence as above)"


def old_wording_once(changes: Iterable[_T], old_text: Callable[[_T], str | None] = lambda c: c.old_text
                     ) -> list[tuple[_T, bool]]:
    """`changes` in their order, except that a reworded clause whose old wording an earlier one was also reworded
    from comes right after that one; each with whether its old wording is the one just shown. One old sentence
    (said twice in the old version) reworded into two new ones, nearly the same ("... to see if they work" and
    "... to see if they work, and", facebook 2024 -> 2025), is two changes, and both new sentences are listed, but
    the old one is shown once: the second says SAME_OLD_WORDING. `old_text`: a change's old wording (None for an
    added or removed clause)."""
    groups: dict[str, list[_T]] = {}
    order: list[list[_T]] = []
    for change in changes:
        key = old_text(change)
        if key and key in groups:
            groups[key].append(change)
            continue
        order.append([change])
        if key:
            groups[key] = order[-1]
    return [(change, k > 0) for group in order for k, change in enumerate(group)]


# All that a diff reads of a highlight (besides the blocks' "id", "text" and "tag"): see `diff_view`.
VIEW_HIGHLIGHT_KEYS = ("block", "start", "end", "practice", "polarity", "summary", "confidence")


def diff_view(analysis: dict) -> dict:
    """The part of an analysis that `diff_analyses` reads: each block's id, text and kind (its tag: a heading is
    never half of a broken sentence), and each highlight's place and finding. Diffing two views gives exactly the
    diff of the two analyses; the store keeps a view next to each analysis so that comparing with the previous
    version need not decode all of it."""
    return {"blocks": [{"id": b["id"], "text": b["text"], "tag": b.get("tag") or "p"}
                       for b in analysis.get("blocks") or ()],
            "highlights": [{k: h.get(k) for k in VIEW_HIGHLIGHT_KEYS} for h in analysis.get("highlights") or ()]}


def document_practices(analysis: dict) -> set[tuple[str, str]]:
    """Every (practice, polarity) a version states somewhere."""
    return {(h["practice"], h["polarity"]) for h in analysis.get("highlights") or ()}


def _sure_pairs(findings: tuple[Finding, ...]) -> set[tuple[str, str]]:
    """The (practice, polarity) pairs of a clause that the headline names: its leading practice, and any other the
    engine is sure of (a side remark the engine only half-recognised should not make the headline)."""
    return {(f.practice, f.polarity) for k, f in enumerate(findings) if k == 0 or f.confidence >= _SURE}


_OPPOSITE = {"concern": "protective", "protective": "concern"}


class _Moves(NamedTuple):
    """What the headline says moved, as (practice, polarity) pairs (practices alone for the turned clauses)."""
    brand_new: set[tuple[str, str]]  # stated now, nowhere in the old version
    gone: set[tuple[str, str]]  # stated before, nowhere in the new version
    more: set[tuple[str, str]]  # stated in both, in clauses added
    fewer: set[tuple[str, str]]  # stated in both, in clauses removed
    turned: dict[str, set[str]]  # by the polarity a clause turned into: its practices
    turned_in: dict[tuple[str, str], ClauseChange]  # the first clause that turned so, to quote
    reworded: set[tuple[str, str]]  # stated by a reworded clause (the `changed` list)
    in_and_out: set[tuple[str, str]]  # stated in both, in clauses added and in clauses removed (practice: both ways)


def _gains_and_losses(added: tuple[ClauseChange, ...], removed: tuple[ClauseChange, ...],
                      changed: tuple[ClauseChange, ...]):
    """The pairs the listed clauses gained and lost, and the clauses that turned from a promise into a concern ("We do
    not sell" -> "We may sell") or back: the change a reader most needs to see, named as such, never as mere
    rewording. Returns (gained, lost, turned: practices by the polarity they turned into, turned_in)."""
    gained = {pp for c in added for pp in _sure_pairs(c.findings)}
    lost = {pp for c in removed for pp in _sure_pairs(c.findings)}
    turned: dict[str, set[str]] = {"concern": set(), "protective": set()}
    turned_in: dict[tuple[str, str], ClauseChange] = {}
    for c in changed:
        now, before = _sure_pairs(c.findings), _sure_pairs(c.old_findings)
        gained |= now - before
        lost |= before - now
        for practice, polarity in now - before:
            if (practice, _OPPOSITE.get(polarity)) in before - now:
                turned[polarity].add(practice)
                turned_in.setdefault((practice, polarity), c)
    return gained, lost, turned, turned_in


def _states(states: set[tuple[str, str]] | None, *findings: Iterable[tuple[Finding, ...]]) -> set[tuple[str, str]]:
    """What a version states: `states` (its highlights') and what its listed clauses state. A clause re-read alone
    (_Refiner, at quick depth) can be given a reading that the version's own highlights lack, and a practice read so
    in a removed clause and in an added one is stated by both versions. Without this it was "New since 11 December
    2009: tells you about government requests or resists them (protective). No longer promised: tells you about
    government requests ..." (facebook 2009 -> 2012), new and gone at once."""
    return (states if states is not None else set()) | {pp for fs in findings for f in fs for pp in _sure_pairs(f)}


def _settle_turns(turned: dict[str, set[str]], brand_new: set[tuple[str, str]], gone: set[tuple[str, str]]
                  ) -> dict[str, set[str]]:
    """The turned clauses the headline names as turned: what is new to or gone from the whole policy says more, and
    is said so (the rest of a turned clause would otherwise read as "reworded": the other polarity is stated elsewhere
    in both versions); practices with clauses turning both ways are left to the lists."""
    both = turned["concern"] & turned["protective"]
    return {polarity: {p for p in turned[polarity] - both
                       if (p, polarity) not in brand_new and (p, _OPPOSITE[polarity]) not in gone}
            for polarity in ("concern", "protective")}


def _moves(added: tuple[ClauseChange, ...], removed: tuple[ClauseChange, ...], changed: tuple[ClauseChange, ...],
           old_states: set[tuple[str, str]] | None, new_states: set[tuple[str, str]] | None) -> _Moves:
    gained, lost, turned, turned_in = _gains_and_losses(added, removed, changed)
    old_states = _states(old_states, (c.findings for c in removed), (c.old_findings for c in changed))
    new_states = _states(new_states, (c.findings for c in added), (c.findings for c in changed))
    brand_new, gone = gained - old_states, lost - new_states
    # A neutral practice is "Newly mentioned" or "No longer mentioned" only where the other version mentions it in no
    # way: youtube 2008 -> 2015 said "No longer mentioned: advertising" beside 20 new clauses about advertising (read
    # as a concern). Otherwise its clauses were added or removed like any other's.
    old_practices, new_practices = {p for p, _ in old_states}, {p for p, _ in new_states}
    brand_new -= {pp for pp in brand_new if pp[1] not in _OPPOSITE and pp[0] in old_practices}
    gone -= {pp for pp in gone if pp[1] not in _OPPOSITE and pp[0] in new_practices}
    turned = _settle_turns(turned, brand_new, gone)
    flipped = {(p, q) for ps in turned.values() for p in ps for q in ("concern", "protective")}
    gained, lost = gained - flipped, lost - flipped
    # A practice with statements both gained and lost (besides what is brand new or gone) is never "more" and
    # "fewer" at once. Its pairs that a reworded clause states are said as reworded; the rest came only in added and
    # removed clauses, and are said as such, never as "Reworded" (youtube 2008 -> 2015 headlined "Reworded:
    # Advertising (concern) ... and 6 more" with not one data-use clause reworded: the summary named what the counts
    # do not count).
    both_ways = {p for p, _ in gained - brand_new} & {p for p, _ in lost - gone}
    two_way = {pp for pp in (gained - brand_new) | (lost - gone) if pp[0] in both_ways}
    gained, lost = gained - two_way, lost - two_way
    in_rewordings = {pp for c in changed for pp in _sure_pairs(c.findings) | _sure_pairs(c.old_findings)}
    reworded = (({pp for c in changed for pp in _sure_pairs(c.findings) & _sure_pairs(c.old_findings)} - gained - lost)
                | (two_way & in_rewordings)) - flipped
    more, fewer, in_and_out = _added_or_removed(two_way - in_rewordings, added, removed)
    return _Moves(brand_new, gone, (gained - brand_new) | more, (lost - gone) | fewer, turned, turned_in, reworded,
                  in_and_out)


def _added_or_removed(pairs: set[tuple[str, str]], added: tuple[ClauseChange, ...], removed: tuple[ClauseChange, ...]
                      ) -> tuple[set[tuple[str, str]], set[tuple[str, str]], set[tuple[str, str]]]:
    """`pairs` (each stated by an added or a removed clause, none by a reworded one) as (more, fewer, in_and_out):
    a practice with pairs in both added and removed clauses is in_and_out (all its pairs), the others more or fewer."""
    in_added = pairs & {pp for c in added for pp in _sure_pairs(c.findings)}
    in_removed = pairs & {pp for c in removed for pp in _sure_pairs(c.findings)}
    both = {p for p, _ in in_added} & {p for p, _ in in_removed}
    return ({pp for pp in in_added if pp[0] not in both}, {pp for pp in in_removed if pp[0] not in both},
            {pp for pp in pairs if pp[0] in both})


def _gone_sentences(gone: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """What the new version states nowhere: (the sentences said before the turned clauses, the one said after them).
    A promise or right no longer made is said as such (LOST_PROMISE), not as a "(protective)" item among the rest; a
    concern no longer stated is the good news the lists call NO_LONGER_STATED, named plainly, not tagged "(concern)"
    as if it were still one. A neutral practice gone is neither: said apart, after the turned clauses."""
    promised = {pp for pp in gone if pp[1] == "protective"}
    concerns = {pp for pp in gone if pp[1] == "concern"}
    neutral = gone - promised - concerns
    first = ([f"{LOST_PROMISE}: {_phrases(promised, tagged=False)}."] if promised else []) + \
        ([f"{NO_LONGER_STATED}: {_phrases(concerns, tagged=False)}."] if concerns else [])
    return first, ([f"{NO_LONGER_MENTIONED}: {_mentions(neutral)}."] if neutral else [])


def _ended(sentence: str) -> str:
    """`sentence` with its full stop, unless a quote that closes it already ends one ("... the future.”", not
    "... the future.”.")."""
    return sentence if sentence.endswith((".\u201d", "!\u201d", "?\u201d")) else sentence + "."


def _turned_sentences(moves: _Moves) -> list[str]:
    out = []
    if moves.turned["concern"]:
        turned = {(p, "concern") for p in moves.turned["concern"]}
        out.append(_ended("Turned against you, in a clause that was in your favour: "
                          f"{_turned_phrases(turned, moves.turned_in)}"))
    if moves.turned["protective"]:
        turned = {(p, "protective") for p in moves.turned["protective"]}
        out.append(_ended("Turned in your favour, in a clause that was a concern: "
                          f"{_turned_phrases(turned, moves.turned_in)}"))
    return out


def _newly_mentioned(neutral: set[tuple[str, str]], when: str | None, first: bool) -> list[str]:
    """The neutral practices new to the policy, by name as NO_LONGER_MENTIONED names the gone ones; the old version's
    date with them where they come `first` (nothing before them has said it)."""
    if not neutral:
        return []
    lead = NEWLY_MENTIONED + ((f" since {when}" if when else " in this version") if first else "")
    return [f"{lead}: {_mentions(neutral)}."]


def _headline_sentences(moves: _Moves, when: str | None) -> list[str]:
    """The headline's sentences, most important first; `when` the old version's date as a reader reads it. A neutral
    practice new or gone is said apart from the concerns and promises, by name, after the clauses that turned."""
    new_lead = f"New since {when}: " if when else "New in this version: "
    noted = {pp for pp in moves.brand_new if pp[1] in ("concern", "protective")}
    parts = [new_lead + _phrases(noted) + "."] if noted else []
    gone_first, gone_after = _gone_sentences(moves.gone)
    parts += gone_first + _turned_sentences(moves)
    parts += _newly_mentioned(moves.brand_new - noted, when, first=not parts) + gone_after
    if moves.more:
        parts.append(f"{'More' if parts else new_lead + 'more'} clauses about {_label_list(moves.more)}.")
    if moves.fewer:
        parts.append(f"Fewer clauses about {_label_list(moves.fewer)}.")
    if moves.in_and_out:
        lead = "New and removed" if parts else (f"Since {when}: new and removed" if when
                                                 else "In this version: new and removed")
        parts.append(f"{lead} clauses about {_practice_list(moves.in_and_out)}.")
    if moves.reworded:
        parts.append(f"Reworded: {_label_list(moves.reworded)}.")
    return parts


def _no_change(when: str | None, other: int) -> str:
    """The headline of a diff that changed no data practice, with how many other clauses changed."""
    base = f"No change to data practices since {when}" if when else "No change to data practices"
    return base + (f" ({other} other clause{'s' if other != 1 else ''} changed)." if other else ".")


def headline(since: str | None, added: tuple[ClauseChange, ...], removed: tuple[ClauseChange, ...],
             changed: tuple[ClauseChange, ...], *, old_states: set[tuple[str, str]] | None = None,
             new_states: set[tuple[str, str]] | None = None) -> str:
    """One plain-language paragraph, most important first.

    "New since <date>" names concerns and promises the new version states and the old one stated nowhere; "No longer
    promised" (a promise or right: bad news) and "No longer stated" (a concern: good news, untagged) the reverse.
    After the clauses that turned, neutral practices by name: "Newly mentioned" and "No longer mentioned". Practices
    that both versions state but whose clauses were added, removed or reworded are listed briefly after them, so a
    large rewrite does not bury what is really new.
    """
    when = format_since(since)
    parts = _headline_sentences(_moves(added, removed, changed, old_states, new_states), when)
    return " ".join(parts) if parts else _no_change(when, len(added) + len(removed) + len(changed))


def diff_analyses(old: dict, new: dict, *, since: str | None = None) -> PolicyDiff:
    """Compare two analyses (`Analysis.to_dict()` shape) clause by clause."""
    old_blocks, new_blocks, _ = _match_blocks(old.get("blocks") or [], new.get("blocks") or [])
    # Each version's statements are cut over all its blocks at once (the blocks set aside as identical included), so
    # the count never depends on what it is compared with, and every clause compared is one of them.
    old_clauses, old_all = cut(old, old_blocks)
    new_clauses, new_all = cut(new, new_blocks)
    old_left, new_left, _ = _match_exact(old_clauses, new_clauses)
    recut = _covered_by_realignment(old_clauses, old_left, new_clauses, new_left)
    # A clause only cut differently can still be the other half of a change: "For example, we process your payment
    # information ..." became a list item without its "For example,", whose words the old version has in that order.
    # A new wording that the old version has word for word elsewhere (said in a summary before, now in the text too)
    # is no rewording of the clause it would be paired with: the reader has read it. Unpaired, it is kept, as an
    # unpaired new clause whose words the old version has is never added.
    pairs = _pair_changed(old_clauses, old_left, new_clauses,
                          [j for j in new_left if new_clauses[j].key not in old_all], recut)
    paired_old, paired_new = {i for i, _ in pairs}, {j for _, j in pairs}
    old_left = [i for i in old_left if i not in recut[0]]
    new_left = [j for j in new_left if j not in recut[1]]
    # Each distinct statement once: a clause repeated (a table row in every row, a summary that repeats the text)
    # is one change, and a clause whose words the other version also has somewhere is no change at all.
    # A reworded statement said twice in the new version (in the text and again in a summary, or in more table rows
    # than before) is one change: its unpaired copies count as more occurrences of it, not as an addition; so for
    # the old wording's unpaired copies on the other side.
    reworded_new = {new_clauses[j].key for _, j in pairs}
    reworded_old = {old_clauses[i].key for i, _ in pairs}
    copies: dict[tuple[str, ...], list[int]] = {}
    for j in new_left:
        if j not in paired_new and new_clauses[j].key in reworded_new:
            copies.setdefault(new_clauses[j].key, []).append(j)
    pairs = [(ij, [j for _, j in rest] + copies.get(new_clauses[ij[1]].key, []))
             for ij, rest in _distinct([(i, j) for i, j in pairs], key=lambda ij: new_clauses[ij[1]].key)]
    added_at = _distinct([j for j in new_left if j not in paired_new and new_clauses[j].key not in old_all
                          and new_clauses[j].key not in reworded_new], key=lambda j: new_clauses[j].key)
    removed_at = _distinct([i for i in old_left if i not in paired_old and old_clauses[i].key not in new_all
                            and old_clauses[i].key not in reworded_old], key=lambda i: old_clauses[i].key)
    refine = _Refiner()
    refine.prepare([new_clauses[j] for j, _ in added_at] + [new_clauses[j] for (_, j), _ in pairs]
                   + [old_clauses[i] for i, _ in removed_at] + [old_clauses[i] for (i, _), _ in pairs])
    changed = tuple(_change("changed", new_clauses[j], refine, old_clauses[i], [new_clauses[k] for k in others])
                    for (i, j), others in sorted(pairs, key=lambda p: p[0][1]))
    added = tuple(_change("added", new_clauses[j], refine, others=[new_clauses[k] for k in others])
                  for j, others in added_at)
    removed = tuple(_change("removed", old_clauses[i], refine, others=[old_clauses[k] for k in others])
                    for i, others in removed_at)
    added_keys = {new_clauses[j].key for j, _ in added_at}
    return PolicyDiff(since=since, added=added, removed=removed, changed=changed,
                      unchanged=len(new_all - added_keys - reworded_new),
                      summary=headline(since, added, removed, changed, old_states=document_practices(old),
                                       new_states=document_practices(new)),
                      statements=(len(old_all), len(new_all)),
                      # reworded_old and reworded_new: every pair's wordings, those folded into one change included
                      tally=StatementTally.of(old_all, new_all, removed={old_clauses[i].key for i, _ in removed_at},
                                              old_reworded=reworded_old, added=added_keys,
                                              new_reworded=reworded_new))


def _distinct(items: list, key) -> list[tuple]:
    """(first item, the later items that share its key) for each key, in the order of first appearance."""
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return [(group[0], group[1:]) for group in groups.values()]
