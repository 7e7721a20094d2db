"""Placeholders in rule-file texts: `{amount}` filled from the case, safely.

A rule set is data from others, so a text is never handed to str.format: `{0}` or an unknown name
would raise, `{x.__class__}` would reach into the program, and `{name:>1500000000}` would build a
string of gigabytes. Each kind of text has a table of the names it is given, next to the code that
fills it; the rule-set compiler checks every placeholder against that table, and `fill` shows
anything it cannot fill safely as written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

# Thousands separators and a one-digit precision, as in `{rows:,}` and `{rate:,.0f}`: nothing that
# sets a width, so a filled text is never much longer than its values.
_SPEC = re.compile(r",?(?:\.\d[f%])?")


class Placeholder:
    __slots__ = ("name", "spec", "conversion")

    def __init__(self, name: str, spec: str, conversion: str | None) -> None:
        self.name = name
        self.spec = spec
        self.conversion = conversion

    @property
    def safe(self) -> bool:
        """A plain name with at most an allowed format: what `fill` fills."""
        return self.name.isidentifier() and self.conversion is None and _SPEC.fullmatch(self.spec) is not None

    def __str__(self) -> str:
        conversion = f"!{self.conversion}" if self.conversion else ""
        return "{" + self.name + conversion + (f":{self.spec}" if self.spec else "") + "}"


def parse(template: str) -> list[str | Placeholder] | None:
    """The literal parts and placeholders of a text, or None when a lone brace makes it unreadable."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return None
    out: list[str | Placeholder] = []
    for literal, name, spec, conversion in parts:
        if literal:
            out.append(literal)
        if name is not None:
            out.append(Placeholder(name, spec or "", conversion))
    return out


def fill(template: str, values: Mapping[str, object], missing: str | None = None) -> str:
    """The text with its placeholders filled; never fails.

    A name not given shows `missing`, or the placeholder as written when there is none; so does a
    placeholder that is not safe to fill. An unreadable text is shown as it is.
    """
    parts = parse(template)
    if parts is None:
        return template
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif not part.safe:
            out.append(str(part))
        elif part.name in values:
            value = values[part.name]
            try:
                out.append(format(value, part.spec))
            except (TypeError, ValueError):  # `,` on a text: the value as it is
                out.append(str(value))
        else:
            out.append(str(part) if missing is None else missing)
    return "".join(out)
