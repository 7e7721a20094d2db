"""What a batch row is: the columns that name each field, the row's raw answers, and the row that
cannot be read. Every other batch module builds on this one; it imports none of them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..fields import FIELDS, ID_COLUMNS
from ..models import CORE_FIELDS, EXTENDED_FIELDS
from ..parsing import KEYS, key_name
from ..safetext import printable
from ..tuples import NamedTuple

if TYPE_CHECKING:
    from ..ruleset import RuleSet

# Column names a spreadsheet may use, besides the field ids: from the field registry.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {**{f.id: (f.id, *f.columns) for f in FIELDS}, "id": ID_COLUMNS}
ALL_FIELDS = CORE_FIELDS + EXTENDED_FIELDS  # a field's number is its place here
FIELD_NUMBER = {name: n for n, name in enumerate(ALL_FIELDS)}


# A unit or note in brackets after a header's name: 逾期金额（元）, 金额(元), 逾期天数[天].
_UNIT = re.compile(r"\s*[（(\[【][^（）()\[\]【】]*[）)\]】]\s*$")


def bare_name(name: str) -> str:
    """A column's name without a note or unit in brackets at its end: 客户编号(必填) is 客户编号."""
    return _UNIT.sub("", name)


def header_note(name: str) -> str | None:
    """What a header's brackets hold (万元 of 逾期金额（万元）), or None when it has none."""
    found = _UNIT.search(name)
    return None if found is None else found.group().strip()[1:-1].strip()


# Characters that show as nothing (zero-width space, non-joiner and joiner, word joiner), pasted with
# text from WeChat or a web page: in a cell or a header they would make 45 no number and 逾期天数 no
# column, while every message showed them as they look. Batch input drops them where it reads them.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060]")


def visible(text: str) -> str:
    """The text without the characters that show as nothing (INVISIBLE)."""
    return INVISIBLE.sub("", text)


def column_field(name: object) -> str | None:
    """The case field a column or key name stands for, or None when it is not one of ours."""
    found = KEYS.get(key_name(name))
    if found is None and isinstance(name, str):
        if INVISIBLE.search(name):
            return column_field(visible(name))
        if _UNIT.search(name):
            found = KEYS.get(key_name(_UNIT.sub("", name)))
    return found


MAX_ROW_CHARS = 128 << 10  # a longer CSV record or JSONL line is a damaged row (the csv module's old field limit)
MAX_LINE_CHARS = 16 << 20  # a line going on past this is not a file of cases: the run stops
MAX_VALUE_LINES = 100  # a quoted CSV value may run over at most this many line breaks
MAX_COLUMNS = 16_384  # Excel's limit
BAD_BYTES = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of bytes that do not decode


class Row(NamedTuple):
    """One row's raw answers, as the readers found them (not yet parsed)."""

    core: tuple[Any, Any, Any, Any]  # overdue_days, amount, platform, negotiation; None when absent
    case_id: str | None
    extra: tuple[tuple[int, Any], ...] = ()  # the extended answers given: (field number, raw value)
    line: int = 0  # the row's line in the file (a sheet's row number); 0 where a file has no lines
    kept: tuple[Any, ...] = ()  # the values of the columns `--keep` carries through, in its order


class RowError(Exception):
    """A row that cannot be assessed: readers yield it in place of a Row, the assessor raises it for a
    bad answer; either way it becomes an error record, and the run goes on."""

    def __init__(self, field: str | None, message: str, case_id: str | None = None, line: int = 0,
                 kept: tuple[Any, ...] = (), reason: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.case_id = case_id
        self.line, self.kept = line, kept
        # The message without where it happened: a caseload groups rows by it, and lists the lines apart.
        self.reason = message if reason is None else reason


class BrokenInput(Exception):
    """The input stopped decoding after `rows_read` rows."""

    def __init__(self, error: UnicodeDecodeError, rows_read: int) -> None:
        super().__init__(str(error))
        self.error, self.rows_read = error, rows_read


def text(rules: RuleSet, key: str, lang: str, **params: Any) -> str:
    """A batch message, from the interface texts in rules/ui.yaml."""
    return rules.message("batch_" + key, lang, **params)


def at_line(rules: RuleSet, lang: str, field: str | None, line: int, what: str, kept: tuple[Any, ...] = (),
            **where: Any) -> RowError:
    """A row that cannot be read, its message naming its line in the file (and, given `column` and
    `name`, the cell at fault), so it can be found however the output is read."""
    said = text(rules, "at_cell" if where else "at_line", lang, line=f"{line:,}", what=what, **where)
    return RowError(field, said, line=line, kept=kept, reason=what)


def damaged(rules: RuleSet, lang: str, line: int, index: int, kind: str) -> str:
    """The message for a line that cannot be read as a row: where, and what is wrong with it."""
    return text(rules, "damaged", lang, line=f"{line:,}", column=f"{index + 1:,}",
                what=text(rules, "damage_" + kind, lang, limit=f"{MAX_ROW_CHARS:,}"))


_BARE_NUMBER = re.compile(r"\s*(?:\d[\d,]*(?:\.\d*)?|\.\d+)\s*")


def header_unit(header: str, name: str, rules: RuleSet, lang: str) -> tuple[str, str]:
    """(what a bare number under this header or key is read with, from a unit in its brackets (rules'
    `header_units`), "" when there is none or the brackets hold a note; the message when the unit is one
    the answer cannot be given in, else "")."""
    note = header_note(header)
    if not note:
        return "", ""
    said = re.split("[:：]", note)[-1]  # 单位：万元
    key = "".join(said.split()).casefold()
    entries = rules.data.get("header_units", [])
    found = next((e for e in entries if key in ("".join(str(w).split()).casefold() for w in e["words"])), None)
    if found is None:
        return "", ""
    if name in found.get("fields", ()):
        return str(found.get("reads_as", "")), ""
    fits = [str(e["words"][0]) for e in entries if name in e.get("fields", ())]
    answer = (rules.ui.get(f"field_{name}") or {}).get(lang) or name
    hint = ((rules.data.get("fields", {}).get(name) or {}).get("hint") or {}).get(lang, "")
    units = text(rules, "header_units", lang, units="、".join(fits) if lang == "zh" else ", ".join(fits)) if fits else ""
    return "", text(rules, "header_unit", lang, header=printable(header.strip()), unit=printable(said.strip()),
                    field=answer, hint=hint, units=units)


def with_unit(value: Any, unit: str) -> Any:
    """A bare number read as if written with its header's unit (6 under 万元: 6万); anything else as it is."""
    if value.__class__ in (int, float) or (value.__class__ is str and _BARE_NUMBER.fullmatch(value)):
        return f"{str(value).strip()}{unit}"
    return value


def with_units(cells: list[str], units: tuple[tuple[int, str], ...]) -> None:
    """Each cell under a header naming its unit, read with it (with_unit)."""
    for at, unit in units:
        cells[at] = with_unit(cells[at], unit)


def column_letters(column: int) -> str:
    """A sheet's name for its column `column` (from 1): A, Z, AA, XFD."""
    name = ""
    while column:
        column, digit = divmod(column - 1, 26)
        name = chr(65 + digit) + name
    return name
