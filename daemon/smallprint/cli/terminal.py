"""Text from a page never drives the terminal it is shown in.

A policy's sentences, a page's title and its address reach the CLI's text views from files, from the browser
(Firefox keeps ESC and BEL in `document.title`) and from the policy memory. Printed raw, a control sequence in them
can retitle the terminal window, hide the lines after it (`ESC[8m`), write the clipboard (OSC 52) or overwrite
a line (`\\r`); bidirectional overrides can show a quote reordered. Each such character is shown as U+FFFD, one
character for one, so that offsets into the text stay valid. The text views' own colours are added after this.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..clip import clip_words

# C0 controls but tab and line feed, DEL, C1 controls (some terminals read U+009B as CSI), the Unicode line and
# paragraph separators, bidirectional embeddings, overrides and isolates, and the text view's own private-use span
# sentinels (text_view._SPAN_OPEN/_SPAN_CLOSE), which a page must not be able to place.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ue000\ue001]")
REPLACEMENT = "\ufffd"


def terminal_safe(text: str) -> str:
    """`text` with every character that could drive a terminal shown as U+FFFD."""
    return _UNSAFE.sub(REPLACEMENT, text) if _UNSAFE.search(text) else text


def one_line(text: str | None, width: int) -> str:
    """A title or name given by someone else (a page's <title>, a --title, a file name) as part of one line: line breaks
    and runs of spaces squashed, and no wider than `width` (cut at a word, "…" where cut); "" when there is none."""
    return clip_words(" ".join((text or "").split()), width)


def json_text(value: Any) -> str:
    """`value` as indented JSON that is safe in a terminal too: json.dumps escapes C0 controls, but with
    ensure_ascii=False (readable accents) it writes C1 controls and bidi overrides raw; they are escaped here
    (\\u009b), which is the same JSON."""
    import json
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def for_terminal(value: Any) -> Any:
    """`value` (an analysis, a diff, any frozen dataclass, tuple, list or dict of them) with `terminal_safe`
    applied to every string in it; the rest is kept as it is."""
    if isinstance(value, str):
        return terminal_safe(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: for_terminal(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changed)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(for_terminal(v) for v in value)
    if isinstance(value, list):
        return [for_terminal(v) for v in value]
    if isinstance(value, dict):
        return {k: for_terminal(v) for k, v in value.items()}
    return value
