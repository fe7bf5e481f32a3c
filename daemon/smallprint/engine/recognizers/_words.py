"""Shared regex pieces for recognizer patterns (patterns run on lower-cased single sentences)."""
# Up to n words between two anchors, lazily; bounded so no pattern can backtrack without limit.
def gap(n: int) -> str:
    return rf"(?:\W+\w+){{0,{n}}}?\W+"


PERSONAL_DATA = r"(?:personal(?:ly identifiable)? (?:data|information|info|details)|\bpii\b|(?:your|user|customer|member)s?'? (?:\w+ )?(?:data|information|info|details|content)|information|data)"
NUMBER = r"(?:\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|fifteen|thirty|sixty|ninety|a few|several)"
TIME_UNIT = r"(?:hours?|days?|weeks?|months?|years?)"
# The document itself, named: what a change clause must change (clauses.py asks it of the model's readings too).
DOCUMENT_NAMES = (r"\b(?:policy|policies|terms|notice|agreement|statement|conditions|tos|eula|this document|these rules"
                  r"|privacy (?:policy|notice|statement))\b")
