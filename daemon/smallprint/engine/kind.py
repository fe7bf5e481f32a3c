"""Is this page a privacy policy, a cookie policy, terms of service, or something else?

Decided from the text alone (a URL and title are extra signals) by document-level cues a reader would use:
- what the document calls itself: its title and first headings ("Privacy Policy", "Cookie Policy", "Terms of Service");
- how it talks: a policy speaks in the first person about its own data practices ("we collect", "we share your
  information", "this Privacy Notice"), terms of service about agreements, licences and liability, a news story or a
  blog post in the third person about someone else's policy;
- its structure: section headings on collection, use, sharing, retention, rights, children, security, changes;
- how many of its blocks the OPP-115 segment model reads as data-practice text.
A logistic regression (models/kind.json.gz, MODEL_CARD_kind.md) weighs these ~20 cues; it has few parameters on
purpose, so that it cannot memorise the handful of non-policy pages there are to learn from. Long documents are
read from their start (and all their headings): a policy says what it is early, and the cost stays bounded.
"""
from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence
from urllib.parse import urlsplit

from .linear import MODELS_DIR, logit, sigmoid, tokenize
from .results import Block

FORMAT = "smallprint-kind/1"
SAMPLE_CHARS = 12_000  # how much body text is read for the word cues; headings are read in full
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "title", "th", "dt"})

# "Privacy and Cookies Policy", "Privacy & Cookie Notice": a privacy policy that also covers cookies (common on UK
# and EU sites), not a cookie policy: the name counts as a privacy name and not as a cookie name (read_document).
_PRIVACY_AND_COOKIES = re.compile(r"\bprivacy\s*(?:,|&|\band\b)\s*cookies?\s+(?:policy|notice|statement)\b", re.I)
_PRIVACY_NAME = re.compile(
    r"\b(?:privacy|data)\s+(?:policy|notice|statement|protection\s+(?:policy|notice)|practices)\b"
    r"|" + _PRIVACY_AND_COOKIES.pattern +
    r"|^\W*privacy\W*$|^\W*(?:personal\s+)?data\s+protection\W*$"
    r"|\bdatenschutz\w*|\bconfidentialit\w*", re.I | re.M)  # the whole word in the evidence
_COOKIE_NAME = re.compile(r"\b(?:cookies?|trackers?|tracking technologies)\s+(?:policy|notice|statement)\b", re.I)
_TERMS_NAME = re.compile(
    r"\bterms\s+(?:of\s+(?:service|use|sale)|and\s+conditions|&\s+conditions)\b|\buser\s+agreement\b"
    r"|\b(?:licen[cs]e|subscriber|service|customer)\s+agreement\b|\bcommunity\s+(?:guidelines|standards)\b"
    r"|\bacceptable\s+use\b|\beula\b", re.I)
_QUOTED = re.compile(r"\"[^\"\n]{40,2000}\"|“[^”\n]{40,2000}”")  # quotes, not quoted terms
# A headline that announces a change to a document ("We're updating our Privacy Policy", "Changes to the Terms of
# Service", "Introducing our new privacy notice") talks about the document: a change word, then a determiner right
# before the name. A title "Updated Privacy Policy" or "Privacy Policy (updated 2026)" names it; so does "Change
# Healthcare Privacy Policy".
# Two searches, each linear in the line: as one pattern ("change word .* determiner ... $") every change word
# started a scan to the line's end, and a title of "update update ... Privacy Policy" (the CLI reads an HTML
# page's <title> whole, the extension sends document.title) took 11 s at 56,000 characters and minutes beyond.
# "Introducing our new ..." announces; "Introduction to our Privacy Policy" is a policy's own first heading (ASKfm's)
_CHANGE_WORD = re.compile(r"\b(?:updat\w*|chang\w*|introduc(?:e|es|ed|ing)\b|announc\w*|revis\w*|amend\w*)", re.I)
_DETERMINER_AT_END = re.compile(r"\b(?:our|the|this|its|an?|my|your)\s+(?:[\w-]+\s+){0,2}$", re.I)


def _announces_a_change(before_name: str) -> bool:
    """Whether the words before a document's name on its line are a change word and, later, a determiner with at
    most two words after it, right before the name ("We're updating our ", "Changes to the ")."""
    change = _CHANGE_WORD.search(before_name)
    # the first change word: a determiner anywhere after any change word is after the first one
    return change is not None and _DETERMINER_AT_END.search(before_name, change.end()) is not None


_POSSESSIVE = re.compile(r"(?:['’]s|\bits|\btheir|\bhis|\bher)\s+(?:new\s+|updated\s+)?\w", re.I)
# Phrase cues, counted on the sample's words and word pairs (two C-level Counter passes; no regex per cue).
_DATA_VERBS = frozenset(
    "collect collects collected use uses share shares disclose discloses process processes store stores retain "
    "receive obtain sell transfer keep combine gather access delete protect infer".split())
_WE_MODALS = frozenset("may will also can might do don never automatically only".split())
_SELF_REFERENCE_PAIRS = frozenset({("this", "privacy"), ("our", "privacy"), ("this", "data"), ("this", "policy"),
                                   ("this", "notice"), ("this", "statement")})
_YOUR_DATA_PAIRS = frozenset({(a, b) for a in ("your", "personal", "user") for b in ("information", "data")}
                             | {("personally", "identifiable")})
_TERMS_WORDS = frozenset("arbitration warranty warranties liability liabilities indemnify indemnification "
                         "indemnities".split())
_TERMS_PAIRS = frozenset({("you", "agree"), ("governing", "law"), ("intellectual", "property"), ("as", "is"),
                          ("you", "must"), ("you", "shall"), ("not", "use"), ("terminate", "your")})
_THIRD_PERSON_WORDS = frozenset({"said", "reported", "announced", "says"})
_THIRD_PERSON_PAIRS = frozenset({("according", "to"), ("its", "privacy"), ("their", "privacy")})
# Every word pair a cue counts: only these are counted (a filter in C), not the sample's ~2,000 distinct pairs.
_COUNTED_PAIRS = (_SELF_REFERENCE_PAIRS | _YOUR_DATA_PAIRS | _TERMS_PAIRS | _THIRD_PERSON_PAIRS
                  | {("we", b) for b in _DATA_VERBS | _WE_MODALS})
_SECTION_TOPICS = (
    ("collection", re.compile(r"\b(?:information|data)\s+(?:we|that\s+we|you)\b|\bcollect", re.I)),
    ("use", re.compile(r"\bhow\s+(?:we|do\s+we)\s+use\b|\buse\s+of\s+(?:your\s+)?(?:information|data)\b", re.I)),
    ("sharing", re.compile(r"\bshar|\bdisclos", re.I)),
    ("rights", re.compile(r"\byour\s+(?:rights|choices|privacy\s+rights)\b|\baccess\b|\bdelet", re.I)),
    ("retention", re.compile(r"\bretention\b|\bretain|\bhow\s+long\b|\bstorage\b", re.I)),
    ("children", re.compile(r"\bchild|\bminors?\b|\bunder\s+1[3-8]\b", re.I)),
    ("security", re.compile(r"\bsecur", re.I)),
    ("changes", re.compile(r"\bchanges?\s+to\b|\bupdates?\s+to\b|\bamendments?\b", re.I)),
    ("contact", re.compile(r"\bcontact\b", re.I)),
    ("transfer", re.compile(r"\binternational\b|\btransfer", re.I)),
    ("cookies", re.compile(r"\bcookies?\b|\btracking\b", re.I)),
)
# The same topics, case-sensitive, for ASCII headings lower-cased (the usual case): on ASCII text that is what the
# case-insensitive search finds, and a case-sensitive regex lets re skip ahead to its first character.
_SECTION_TOPICS_LOWER = tuple(re.compile(pattern.pattern) for _, pattern in _SECTION_TOPICS)

FEATURES = (
    "log_words", "named_privacy", "named_cookie", "named_terms", "url_privacy", "url_cookie", "url_terms",
    "self_reference", "we_data", "your_data", "we_rate", "terms_language", "cookie_rate", "third_person",
    "section_topics", "data_blocks", "short_page",
)


@dataclass(frozen=True, slots=True)
class KindResult:
    kind: str  # privacy_policy | cookie_policy | terms_of_service | other
    confidence: float  # in [0, 1]
    evidence: tuple[str, ...]  # human-readable reasons, strongest first

    def to_dict(self) -> dict:
        return {"kind": self.kind, "confidence": round(self.confidence, 3), "evidence": list(self.evidence)}


def _is_heading(block: Block) -> bool:
    if block.tag in HEADING_TAGS:
        return True
    text = block.text
    return len(text) <= 80 and not text.rstrip().endswith((".", ":", ";", ",")) and len(text.split()) <= 10


def _per_thousand(count: int, words: int) -> float:
    return min(count * 1000.0 / max(words, 200), 60.0)


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the detector read off a document: its feature vector and the phrases behind it."""
    values: tuple[float, ...]
    names: dict  # cue -> an example phrase or heading, for the evidence


def read_document(blocks: Sequence[Block], url: str | None = None, title: str | None = None) -> _Reading:
    """The cue values (in FEATURES order) of one document."""
    body: list[str] = []
    size = 0
    headings: list[str] = []
    for block in blocks:
        text = block.text
        if _is_heading(block):
            headings.append(text[:200])
        if size < SAMPLE_CHARS:
            body.append(text[: SAMPLE_CHARS - size])
            size += len(body[-1]) + 1
    # Quoted passages are someone else's words (a blog post quoting a policy), not the page speaking.
    sample = _QUOTED.sub(" ", "\n".join(body))
    tokens = tokenize(sample)
    words = len(tokens)
    counts = Counter(tokens)
    pairs = Counter(filter(_COUNTED_PAIRS.__contains__, zip(tokens, tokens[1:])))
    # What the document calls itself: its title and first heading count fully, the next headings half.
    first = [title] if title else []
    first += headings[:1] if headings else [b.text[:200] for b in blocks[:1]]
    later = "\n".join(headings[1:4])
    first_text = "\n".join(first)
    names: dict = {}

    def weigh(found: re.Match, weight: float) -> tuple[float, bool]:
        """How much a name found in a line counts, and whether the line is a headline about a change to it."""
        if _POSSESSIVE.search(found.string, max(0, found.start() - 12), found.start() + 1):
            return 0.0, False  # "Facebook's privacy policy", "its terms": a page about someone's document
        # A title names the document ("Acme Privacy Notice"); a headline talks about one ("What the new WhatsApp
        # privacy policy really says"): the longer the line around the name, the less it counts.
        line_start = found.string.rfind("\n", 0, found.start()) + 1
        line_end = found.string.find("\n", found.end())
        line = found.string[line_start:line_end if line_end >= 0 else len(found.string)]
        words = len(line.split())
        if _announces_a_change(found.string[line_start:found.start()]):
            return weight * 0.25, True
        return weight * (1.0 if words <= 6 else 0.5 if words <= 9 and found.start() == line_start else 0.25), False

    def named(pattern: re.Pattern, cue: str) -> float:
        found = pattern.search(first_text)
        weight = 1.0
        if not found:
            found, weight = pattern.search(later), 0.5
        if not found:
            return 0.0
        value, headline = weigh(found, weight)
        if headline:
            # A banner announcing a change ("We've updated our Privacy Policy") above the page's own title: the
            # title below still names the page.
            below = pattern.search(later) if weight == 1.0 else None
            if below:
                value_below, headline_below = weigh(below, 0.5)
                if not headline_below and value_below > value:
                    names[cue] = below.group(0)
                    return value_below
            # a headline about a change to the document: the evidence must not say the page calls itself that
            names[f"{cue}_in_headline"] = found.group(0)
            return value
        if value:
            names[cue] = found.group(0)
        return value

    path = ""
    if url:
        try:
            parts = urlsplit(url)
            path = f"{parts.path} {parts.query}".replace("-", " ").replace("_", " ").replace("/", " ")
        except ValueError:
            path = ""
    heading_text = "\n".join(headings)
    if heading_text.isascii():
        lowered = heading_text.lower()
        topics = sum(1 for pattern in _SECTION_TOPICS_LOWER if pattern.search(lowered))
    else:
        topics = sum(1 for _, pattern in _SECTION_TOPICS if pattern.search(heading_text))
    we_data = sum(n for (a, b), n in pairs.items() if a == "we" and (b in _DATA_VERBS or b in _WE_MODALS))
    named_privacy = named(_PRIVACY_NAME, "named_privacy")
    if _PRIVACY_AND_COOKIES.fullmatch(names.get("named_privacy", "")):
        named_cookie = 0.0  # the cookie name is part of the privacy policy's own name
    else:
        named_cookie = named(_COOKIE_NAME, "named_cookie")
    values = (
        math.log1p(words),
        named_privacy,
        named_cookie,
        named(_TERMS_NAME, "named_terms"),
        1.0 if re.search(r"privacy|datenschutz|data ?policy", path, re.I) else 0.0,
        1.0 if re.search(r"cookie", path, re.I) else 0.0,
        1.0 if re.search(r"\bterms|\btos\b|legal ?terms|user ?agreement|conditions", path, re.I) else 0.0,
        min(sum(pairs[p] for p in _SELF_REFERENCE_PAIRS), 10) / 10.0,
        _per_thousand(we_data, words) / 10.0,
        _per_thousand(sum(pairs[p] for p in _YOUR_DATA_PAIRS), words) / 10.0,
        _per_thousand(counts["we"] + counts["our"] + counts["us"], words) / 60.0,
        _per_thousand(sum(counts[w] for w in _TERMS_WORDS) + sum(pairs[p] for p in _TERMS_PAIRS), words) / 10.0,
        _per_thousand(counts["cookie"] + counts["cookies"], words) / 10.0,
        _per_thousand(sum(counts[w] for w in _THIRD_PERSON_WORDS) + sum(pairs[p] for p in _THIRD_PERSON_PAIRS),
                      words) / 10.0,
        topics / len(_SECTION_TOPICS),
        _data_block_share(blocks),
        1.0 if words < 150 else 0.0,
    )
    names["we_data"] = we_data
    names["topics"] = topics
    return _Reading(values, names)


def _data_block_share(blocks: Sequence[Block]) -> float:
    """Share of the (first 150) body blocks the OPP-115 model reads confidently as first- or third-party
    data practice, choices, access, retention or security text (scores shared with classify_blocks)."""
    from .segments import block_logits_at

    body = [i for i, b in enumerate(blocks[:400]) if len(b.text) >= 60][:150]
    if not body:
        return 0.0
    scored = block_logits_at(blocks, body)  # only these blocks' scores (and the words before each) are computed
    practice_columns = range(6)  # the first six OPP-115 categories are the data-practice ones
    confident = logit(0.7)
    hits = sum(1 for i in body if scored[i] and any(scored[i][c] >= confident for c in practice_columns))
    return hits / len(body)


@lru_cache(maxsize=1)
def _weights() -> dict:
    data = json.loads(gzip.decompress((MODELS_DIR / "kind.json.gz").read_bytes()))
    if data.get("format") != FORMAT or tuple(data["features"]) != FEATURES:
        raise ValueError("the kind model does not match this version's document cues")
    return data


def privacy_probability(values: Sequence[float]) -> float:
    model = _weights()
    z = model["bias"] + sum(w * (v - m) / s for w, v, m, s in zip(model["weights"], values, model["mean"],
                                                                     model["scale"]))
    return sigmoid(z)


def _another_kind(kind: str, own_name: str | None, p_privacy: float, evidence: list[str], rate: str) -> KindResult:
    """A cookie policy or terms of service: what it calls itself (if it does), how often its words occur."""
    reasons = ([f"calls itself \u201c{own_name}\u201d"] if own_name else []) + [rate]
    return KindResult(kind, round(max(0.5, 1 - p_privacy) * 0.9, 4), tuple(reasons + evidence))


def detect_kind(blocks: Sequence[Block], url: str | None = None, title: str | None = None) -> KindResult:
    """Classify a document from its blocks (reading order); url and title only add evidence."""
    reading = read_document(blocks, url, title)
    v = dict(zip(FEATURES, reading.values))
    p_privacy = privacy_probability(reading.values)
    evidence: list[str] = []
    names = reading.names
    if "named_privacy" in names:
        evidence.append(f"calls itself \u201c{names['named_privacy']}\u201d in its title or first headings")
    elif "named_privacy_in_headline" in names:
        evidence.append(f"mentions \u201c{names['named_privacy_in_headline']}\u201d in a headline, not as its own name")
    if v["url_privacy"]:
        evidence.append("the address names a privacy page")
    statements = "statement" if names["we_data"] == 1 else "statements"
    evidence.append(f"{names['we_data']} first-person data-practice {statements}"
                    f" (\u201cwe collect/use/share\u2026\u201d) in the text read")
    if names["topics"]:
        evidence.append(f"headings cover {names['topics']} of {len(_SECTION_TOPICS)} usual privacy-policy topics")
    evidence.append(f"{round(100 * v['data_blocks'])}% of its paragraphs read as data-practice text")

    # A few lines mostly about cookies (a consent banner or dialog) are no policy, whatever their heading says,
    # unless they state several data practices themselves.
    too_thin = v["short_page"] and names["we_data"] < 3 and v["cookie_rate"] >= 0.8
    if p_privacy >= 0.5 and not too_thin and not (v["named_cookie"] and not v["named_privacy"]):
        return KindResult("privacy_policy", round(p_privacy, 4), tuple(evidence))
    # Not a privacy policy: say what else it is, with the cues that decided it.
    # A short page needs to name itself; a cookie banner mentions a "Cookie Policy" but is not one.
    cookie_cue = v["named_cookie"] >= 1.0 or ((v["url_cookie"] or v["named_cookie"] or v["cookie_rate"] >= 1.5)
                                                and v["we_data"] >= 0.5 and not v["short_page"])
    if cookie_cue:
        return _another_kind("cookie_policy", names.get("named_cookie"), p_privacy, evidence,
                             f"mentions cookies {v['cookie_rate'] * 10:.0f} times per 1,000 words")
    terms_cue = v["named_terms"] >= 1.0 or ((v["url_terms"] or v["named_terms"] or v["terms_language"] >= 0.6)
                                            and not v["short_page"])
    if terms_cue:
        return _another_kind("terms_of_service", names.get("named_terms"), p_privacy, evidence,
                             f"{v['terms_language'] * 10:.1f} contract phrases per 1,000 words (agree, liability, "
                             "warranty)")
    # A page with no text at all (one its scripts draw, given as served) is said to be that, not "too short"
    empty = not any(block.text.strip() for block in blocks)
    reasons = ["not a policy: " + ("there is no text to read" if empty else "too short to be one" if v["short_page"]
                                   else "too few policy cues")]
    if v["third_person"] >= 0.3:
        reasons.append("talks about policies in the third person (news or commentary)")
    if too_thin:
        reasons.insert(0, "a few lines mostly about cookies: a consent banner, not a policy")
    confidence = max(1 - p_privacy, 0.6) if too_thin else 1 - p_privacy
    return KindResult("other", round(confidence, 4), tuple(reasons + evidence))
