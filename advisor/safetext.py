"""Text from outside the program (rule files, input files, file names) made safe to show.

A terminal obeys control characters: ESC starts sequences that recolour, retitle or rewrite the
screen, BEL rings, CR overwrites the line, and BiDi overrides reorder what is shown so that a text
can read differently from what it is. Such characters are shown as visible escapes instead
(`\\x1b`, `\\u202e`), so nothing a file says can drive the terminal, and the text stays valid in
XML (the saved SVG) and encodable (lone surrogates from a YAML escape).
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, the Arabic letter mark, the LTR/RTL marks, line and paragraph
# separators, the BiDi embeddings, overrides and isolates, surrogates, and the two non-characters
# that XML forbids.
_OTHERS = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
# Each compiled on first use, in re's cache: a JSON report needs only the second.
_UNSAFE = rf"[\x00-\x1f{_OTHERS}]"
_UNSAFE_BUT_NEWLINE = rf"[\x00-\x09\x0b-\x1f{_OTHERS}]"


def _visible(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def printable(text: object, *, lines: bool = False) -> str:
    """The text with every character that could drive a terminal escaped visibly.

    With `lines`, newlines stay: for multi-line texts such as a statute or a whole report.
    """
    return re.sub(_UNSAFE_BUT_NEWLINE if lines else _UNSAFE, _visible, str(text))


def first_unsafe(text: str, *, lines: bool = False) -> str | None:
    """The first character `printable` would escape, if any."""
    found = re.search(_UNSAFE_BUT_NEWLINE if lines else _UNSAFE, text)
    return found.group() if found else None


def json_safe(text: str) -> str:
    """JSON text with those characters as \\u escapes: the data read back is unchanged."""
    return re.sub(_UNSAFE_BUT_NEWLINE, lambda m: f"\\u{ord(m.group()):04x}", text)


def describe(char: str) -> str:
    """`U+202E` and its Unicode name, for a message about one such character."""
    import unicodedata

    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name.lower()})" if name else " (a control character)")
