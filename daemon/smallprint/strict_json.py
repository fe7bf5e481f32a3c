"""JSON that other programs send us, read as the standard (RFC 8259) has it: one rule for the daemon's request bodies
and the bridge's browser frames.

Python's json.loads takes more than JSON: the words NaN, Infinity and -Infinity (which JSON.parse and every other
standard parser refuse), so a sender could get an answer from us for a body no one else would read. And an integer
of more digits than Python converts (4,300 by default) fails with a message that names a Python setting
(sys.set_int_max_str_digits), which tells the sender how we are built and nothing it can act on. A number too large
for a float (`1e999`) became infinity, the very value the words NaN and Infinity are refused for.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any


class NotStandardJson(ValueError):
    """Text that is not JSON, or JSON we do not read; its message is one plain sentence fragment."""


def is_unicode_text(value: str) -> bool:
    """False for a string holding a lone UTF-16 surrogate: valid JSON ("\\ud800"), but no Unicode text, and no UTF-8
    store can hold it. Page text may carry one (the store writes U+FFFD for it); an id may not, since two ids would
    then become one."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_constant(word: str) -> Any:
    raise NotStandardJson(f"{word} is not a JSON value (JSON has no NaN or Infinity)")


def _finite_float(number: str) -> float:
    value = float(number)
    if math.isinf(value):  # no JSON parser refuses `1e999`, but JSON.parse reads it as Infinity too
        shown = number if len(number) <= 24 else f"{number[:20]}..."
        raise NotStandardJson(f"the number {shown} is too large to be read (it would be infinity)")
    return value


def loads(text: str) -> Any:
    """json.loads(text), refusing NaN, Infinity and -Infinity, and numbers that only overflow into them (`1e999`). Raises ValueError: json.JSONDecodeError for text
    that is not JSON, NotStandardJson for what Python's parser would take but we do not; RecursionError for JSON
    nested deeper than the parser's stack, as json.loads does."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (json.JSONDecodeError, NotStandardJson):
        raise
    except ValueError:
        # The parser's one other ValueError: an integer too long for int() (its message names the setting).
        raise NotStandardJson(f"a number has more than {sys.get_int_max_str_digits():,} digits") from None
