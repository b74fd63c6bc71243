"""Characters that have no place in stored text, and the functions that take them out.

Free text comes from people (forms) and from browsers (headers the access log keeps). Two
kinds of character are removed from it:

- control characters (Unicode category Cc: NUL, ESC, DEL, the C1 range): PostgreSQL refuses
  NUL in text, and the others only garble a page, a PDF or a terminal;
- the invisible bidirectional controls (embeddings, overrides, isolates and marks), which
  turn text around on screen: U+202E followed by "gpj.exe" reads as "exe.jpg", and a name or
  a log line can be made to look like another.

Every letter, script and emoji stays, the zero-width joiner of emoji sequences too.
"""

import unicodedata

# U+200E/U+200F (LRM, RLM), U+202A-U+202E (LRE, RLE, PDF, LRO, RLO), U+2066-U+2069 (LRI,
# RLI, FSI, PDI) and U+061C (ALM).
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A)))
)
# Line breaks and tabs belong to multi-line text; every other control character goes.
_TEXT_WHITESPACE = frozenset("\t\n\r")
_CONTROLS = frozenset(
    c for c in map(chr, range(0x100)) if unicodedata.category(c) == "Cc"
)  # Cc has no code point above U+009F

_REMOVE_FROM_TEXT = {ord(c): None for c in (_CONTROLS - _TEXT_WHITESPACE) | BIDI_CONTROLS}
_REMOVE_FROM_LINE = {ord(c): None for c in _CONTROLS | BIDI_CONTROLS}


def clean_text(value: str) -> str:
    """`value` without control characters (line breaks and tabs kept) and bidi controls."""
    return value.translate(_REMOVE_FROM_TEXT)


def clean_line(value: str, *, max_length: int | None = None) -> str:
    """`value` as one line (no control character at all, no bidi control), cut to
    `max_length`: for header values such as the User-Agent that end up in a text column."""
    value = value.translate(_REMOVE_FROM_LINE)
    return value if max_length is None else value[:max_length]
