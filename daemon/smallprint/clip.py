"""How a text shown to a reader is shortened: at a word boundary, marked "…".

One rule for every place the product cuts a quote or a name to fit (the explanations' cues and the reasons'
quotes in the engine, the HTML report's grade lines, the terminal's one-line titles, the corpus report's row
names), so that none of them shows the first letters of a word. Kept apart from the engine so the CLI can use it
without loading the engine.
"""
from __future__ import annotations


def clip_words(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: whole, or cut after its last whole word that fits and marked "…"
    ("…from third par" read as a word of its own; so would "…don'" of "don't"). A single word longer than `limit`
    is cut where it must be."""
    if len(text) <= limit:
        return text
    head = text[:limit - 1]  # room for the mark
    if not head[-1].isspace() and text[limit - 1].isalnum() and " " in head:  # the cut falls inside a word
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:") + "…"
