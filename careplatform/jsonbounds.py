"""JSON from outside with its nesting bounded before it is parsed.

Python's json parser recurses once per level: a body of 100,000 opening brackets raises
RecursionError (a server error) instead of a parse error. The depth is counted first, without
recursion, and a document nested deeper than anything we accept is refused with the top-level
key it was found under, so that the refusal can name the field.
"""

import json
import re
from typing import Any

# API bodies and room messages nest 4 levels at most; this leaves room and stays far from
# Python's recursion limit.
MAX_DEPTH = 32

# A JSON string (brackets inside it do not count) or one bracket.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class TooDeep(ValueError):
    def __init__(self, field: str | None, max_depth: int):
        super().__init__(f"JSON nested deeper than {max_depth} levels")
        self.field = field
        self.max_depth = max_depth


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise TooDeep if `text` nests more than `max_depth` arrays/objects. Counts brackets
    outside strings in one pass; malformed text is left for the parser to refuse."""
    depth = 0
    field: str | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            if depth == 1:  # a top-level key (or value): the last one names what follows
                field = token[1:-1]
            continue
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise TooDeep(field if text.lstrip().startswith("{") else None, max_depth)
        else:
            depth -= 1


def loads(text: str | bytes, max_depth: int = MAX_DEPTH, **kwargs: Any) -> Any:
    """json.loads with the nesting bounded (TooDeep, a ValueError, when it is not)."""
    if isinstance(text, bytes | bytearray):
        text = text.decode()
    check_depth(text, max_depth)
    return json.loads(text, **kwargs)
