"""CSV rows: the header, the cells of a record, and the damage that costs one row, never the rows after it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, cast

from ..errors import UsageError
from ..models import CORE_FIELDS, EXTENDED_FIELDS
from ..parsing import key_name
from ..safetext import printable
from .rows import (
    BAD_BYTES,
    COLUMN_NAMES,
    FIELD_NUMBER,
    MAX_ROW_CHARS,
    MAX_VALUE_LINES,
    Row,
    RowError,
    at_line,
    bare_name,
    column_field,
    column_letters,
    damaged,
    header_unit,
    text,
    visible,
    with_units,
)

if TYPE_CHECKING:
    from ..ruleset import RuleSet



class Cut:
    """A line longer than MAX_ROW_CHARS, which is no row: its first MAX_ROW_CHARS characters (`head`),
    where its id and kept cells are read when they end before the cut."""

    __slots__ = ("head",)

    def __init__(self, head: str) -> None:
        self.head = head


Line = tuple[int, "str | Cut"]  # (n, the nth line without its line end, or the Cut start of a line too long)

# One scan finds every line that needs a closer look; most lines have none of these and are just split.
_UNUSUAL = re.compile('["\0\r\ufeff\udc80-\udcff\u200b\u200c\u200d\u2060]')
_FORBIDDEN = re.compile("[\0\r\ufeff]")  # never in a CSV row; a CR is fine only as part of the CRLF line end
_DAMAGE = {"\0": "nul", "\r": "cr", "\ufeff": "bom"}


def split(text: str, sep: str = ",") -> list[str] | tuple[int, str]:
    """The cells of a CSV record, or (index, problem) where it breaks: "open" for a quoted value that
    does not close, "after_quote" for text after a closing quote. Quotes open a value only at its
    start (RFC 4180, as Excel writes); elsewhere a quote is an ordinary character."""
    if '"' not in text:
        return text.split(sep)
    cells: list[str] = []
    pos, end = 0, len(text)
    while True:
        if text.startswith('"', pos):
            opened, parts = pos, []
            pos += 1
            while True:
                close = text.find('"', pos)
                if close < 0:
                    return opened, "open"
                parts.append(text[pos:close])
                if not text.startswith('"', close + 1):
                    break
                parts.append('"')  # a doubled quote stands for one
                pos = close + 2
            pos = close + 1
            if pos < end and text[pos] != sep:
                return pos, "after_quote"
            cells.append("".join(parts))
            if pos >= end:
                return cells
        else:
            comma = text.find(sep, pos)
            if comma < 0:
                cells.append(text[pos:])
                return cells
            cells.append(text[pos:comma])
            pos = comma
        pos += 1


def damage(body: str) -> tuple[int, str] | None:
    """Where a line holds a character no CSV row may hold, and which kind: NUL, a lone CR, a BOM."""
    found = _FORBIDDEN.search(body)
    return None if found is None else (found.start(), _DAMAGE[found.group()])


def values_stay_on_their_line(stream: BinaryIO) -> bool:
    """True when no line of a CSV file leaves a quoted value open: then every record is one line, and
    the file can be cut at any line start. Reads the whole (seekable) file."""
    stream.seek(0)
    carry = b""
    while True:
        chunk = stream.read(1 << 22)
        if not chunk:
            return not _opens_a_value(carry)
        if b'"' not in chunk and b'"' not in carry:
            carry = chunk[chunk.rfind(b"\n") + 1:] if b"\n" in chunk else carry + chunk
            continue
        lines = (carry + chunk).split(b"\n")
        carry = lines.pop()
        if any(_opens_a_value(line) for line in lines if b'"' in line):
            return False


def _opens_a_value(line: bytes) -> bool:
    # Latin-1 keeps every byte at its place, and in a shardable codec b'"' and b"," are never part of a character.
    found = split(line.decode("latin-1").rstrip("\r"))
    return isinstance(found, tuple) and found[1] == "open"


@dataclass(frozen=True)
class Columns:
    """Where each field is in a CSV row."""

    width: int
    index: tuple[int, int, int, int]
    id_index: int  # -1: no id column
    unknown: list[str]
    extra: tuple[tuple[int, int], ...] = ()  # (field number, column) of the extended answers given
    sep: str = ","  # the delimiter: a comma, or a tab or semicolon found in the header
    kept: tuple[int, ...] = ()  # the columns `--keep` carries through
    lines: bool = False  # number each row with its line (the counsellor's outputs show it)
    headers: dict[str, str] = field(default_factory=dict)  # field -> its column's name as the header writes it
    names: tuple[str, ...] = ()  # every column's name, as the header writes it
    units: tuple[tuple[int, str], ...] = ()  # (column, what a bare number in it is read with: 万 for 万元)
    below: int = 0  # the header's line, when lines with text above it (a title) were passed over
    sheet: bool = False  # read from a sheet: a cell starting with NUL is one that could not be read (sheets.py)


SEPARATORS = (",", "\t", ";")


def sniff_separator(header: str) -> str:
    """The delimiter a header uses: the one of comma, tab and semicolon that it holds most of (outside
    quotes), a comma on a tie. Spreadsheets export "text" as tab-separated and, in some locales, CSV
    with semicolons."""
    outside = re.sub('"[^"]*"', "", header)
    return max(SEPARATORS, key=outside.count) if any(outside.count(s) for s in SEPARATORS[1:]) else ","


def read_header(cells: list[str], source: str, rules: RuleSet, lang: str, sep: str = ",",
                keep: tuple[str, ...] = (), lines: bool = False, group: str | None = None) -> Columns:
    positions: dict[str, int] = {}
    others: list[int] = []  # columns naming no field
    for n, cell in enumerate(cells):
        name = column_field(cell)
        if name is None:
            if cell.strip():
                others.append(n)
            continue
        if name in positions:
            raise UsageError(f"{source}: " + text(rules, "same_field", lang, first=cells[positions[name]], second=cell,
                                                  field=_field_name(name, lang)))
        positions[name] = n
    missing = [name for name in CORE_FIELDS if name not in positions]
    if missing:
        wanted = "; ".join(_field_name(name, lang) for name in missing)
        raise UsageError(f"{source}: " + text(rules, "no_column", lang, wanted=wanted, header=", ".join(cells)))
    index = (positions["overdue_days"], positions["amount"], positions["platform"], positions["negotiation"])
    extra = tuple((FIELD_NUMBER[name], positions[name]) for name in EXTENDED_FIELDS if name in positions)
    kept = tuple(_kept_column(cells, name, name == group, source, rules, lang) for name in keep)
    unknown = [cells[n] for n in others if n not in kept]  # a kept column is carried through: not ignored
    headers = {name: cells[n].strip() for name, n in positions.items()}
    units = tuple((n, unit) for name, n in positions.items() if (unit := _unit(cells[n], name, source, rules, lang)))
    return Columns(len(cells), index, positions.get("id", -1), unknown, extra, sep, kept, lines or bool(kept),
                   headers, tuple(cells), units)


def _kept_column(cells: list[str], name: str, group: bool, source: str, rules: RuleSet, lang: str) -> int:
    """The column `--keep` (or the client column, `group`) names. The client column is known without a note in
    brackets, as the fields are (客户编号(必填) is 客户编号). Two columns of that name are a usage error, as two
    columns of one field are: the first would be used, and the other's values dropped, in silence."""
    wanted = name.strip()
    if group:
        bare = key_name(bare_name(wanted))
        found = [n for n, cell in enumerate(cells) if wanted and key_name(bare_name(cell)) == bare]
    else:
        found = [n for n, cell in enumerate(cells) if wanted and cell.strip() == wanted]
    if not found:
        said = "no_group_column" if group else "no_keep_column"  # the flag that named it
        raise UsageError(f"{source}: " + text(rules, said, lang, name=name, header=", ".join(cells)))
    if len(found) > 1:
        said = text(rules, "same_column", lang, name=bare_name(wanted) if group else wanted,
                    first=cells[found[0]].strip(), second=cells[found[1]].strip())
        raise UsageError(f"{source}: {said}")
    return found[0]


def _unit(header: str, name: str, source: str, rules: RuleSet, lang: str) -> str:
    """What a bare number under this header is read with; a unit the field cannot be given in is a usage
    error: the column's figures would be read as something else, in silence."""
    reads_as, problem = header_unit(header, name, rules, lang)
    if problem:
        raise UsageError(f"{source}: {problem}")
    return reads_as


def _field_name(name: str, lang: str) -> str:
    """A field as a message names it: its Chinese column name first in zh, its id first in en."""
    names = COLUMN_NAMES[name][1:]
    if not names:
        return name
    return f"{names[0]}（{name}）" if lang == "zh" else f"{name} ({', '.join(names)})"


def csv_rows(lines: Iterator[Line], back: list[Line], columns: Columns, rules: RuleSet, lang: str,
             line_at: Callable[[int], int]) -> Iterator[Row | RowError]:
    """The rows of the lines after the header. Blank rows are not rows.

    A row is one line. A quoted value may run over line breaks (Excel's multi-line cells) only if it
    holds no comma, closes within MAX_VALUE_LINES lines and MAX_ROW_CHARS, and the row then has as
    many cells as the header: anything else is damage to the line that opened it, and reading goes on
    with the next line. So a stray quote costs one row, never the rows after it."""
    width, (i0, i1, i2, i3), idi, extra = columns.width, columns.index, columns.id_index, columns.extra
    sep, kept, numbered = columns.sep, columns.kept, columns.lines
    units, marked = columns.units, columns.sheet
    least = max(columns.index) + 1  # a row may end early, its missing cells empty, only after the four answers
    named = max((i + 1 for i, name in enumerate(columns.names) if name.strip()), default=width)
    unusual = _UNUSUAL.search
    while True:
        for n, line in lines:
            if line.__class__ is Cut:  # too long to read: its id and kept cells, when they end before the cut
                head = visible(line.head)
                cells = split(head, sep)
                whole = cells[:-1] if isinstance(cells, list) else []  # the last one is cut, if not already open
                yield RowError(None, damaged(rules, lang, line_at(n), MAX_ROW_CHARS, "long"), _readable(whole, idi),
                               line=line_at(n), kept=tuple(whole[i] if i < len(whole) else None for i in kept))
                continue
            line = cast(str, line)
            suspect = unusual(line) is not None
            if suspect:
                line = visible(line)
                found = (None if marked else damage(line)) or split(line, sep)
                if isinstance(found, tuple) and found[1] == "open" and sep not in line[found[0]:]:
                    found = _close_over_lines(line, found, lines, back, width, sep)
                if isinstance(found, tuple):
                    yield RowError(None, damaged(rules, lang, line_at(n), *found), _id_before(line, found[0], idi, sep),
                                   line=line_at(n))
                    continue
                cells = found
                if marked and "\0" in line:
                    yield _unreadable_cell(cells, columns, rules, lang, line_at(n))
                    continue
            else:
                cells = line.split(sep)
            if len(cells) != width:
                if not any(c.strip() for c in cells):
                    continue
                fitted = _fitted(cells, width, least, named)
                if fitted is None:
                    # The kept cells and the id as they stand (mostly before the cell missing or added): a
                    # household then knows its row was rejected, and a sheet shows whose row it was.
                    as_is = tuple(cells[i] if i < len(cells) else None for i in kept)
                    error = at_line(rules, lang, None, line_at(n),
                                    text(rules, "width", lang, count=len(cells), width=width), as_is)
                    error.case_id = _readable(cells, idi)
                    yield error
                    continue
                cells = fitted
            if units:
                with_units(cells, units)
            case_id = (cells[idi] or None) if idi >= 0 else None
            raws = (cells[i0], cells[i1], cells[i2], cells[i3])
            # A row of empty cells is no row, nor is one of spaces (a full-width U+3000 too): a sheet shows
            # both as blank. One strip decides nearly every row.
            if not (raws[0].strip() or raws[1].strip() or raws[2].strip() or raws[3].strip() or
                    (case_id or "").strip()) and not any(c.strip() for c in cells):
                continue
            if suspect and BAD_BYTES.search("".join(cells)):
                at = next(i for i, c in enumerate(cells) if BAD_BYTES.search(c))
                name = columns.names[at] if at < len(columns.names) else ""
                error = at_line(rules, lang, None, line_at(n), text(rules, "bad_bytes", lang),
                                tuple(cells[i] for i in kept), column=f"{at + 1:,}", name=printable(name.strip()))
                error.case_id = _readable(cells, idi)
                yield error
                continue
            more = tuple((f, cells[i]) for f, i in extra) if extra else ()
            if numbered:
                yield Row(raws, case_id, more, line_at(n), tuple(cells[i] for i in kept))
            else:
                yield Row(raws, case_id, more)
        if not back:
            return
        lines = _drain(back)  # a value that did not close read ahead to the end: read those lines again


def _unreadable_cell(cells: list[str], columns: Columns, rules: RuleSet, lang: str, line: int) -> RowError:
    """The error record of a sheet's row holding a cell that could not be read (its text says why), naming
    the row and the column, and the field when the column is one of ours."""
    at = next(i for i, c in enumerate(cells) if c.startswith("\0"))
    name = columns.names[at].strip() if at < len(columns.names) else ""
    shown = name or column_letters(at + 1)  # a column past the header, by its letter in the sheet
    readable = ["" if c.startswith("\0") else c for c in cells]
    kept = tuple(readable[i] if i < len(readable) else None for i in columns.kept)
    error = at_line(rules, lang, column_field(name) if name else None, line, cells[at][1:], kept,
                    column=f"{at + 1:,}", name=printable(shown))
    error.case_id = _readable(readable, columns.id_index)
    return error


def _fitted(cells: list[str], width: int, least: int, named: int) -> list[str] | None:
    """The cells of a row whose count differs from the header's only by empty cells at its end: missing
    ones (a spreadsheet drops a row's trailing empty cells; a sheet with no size gives short rows) read
    as empty, extra empty ones dropped. None when the difference is anything else (a comma inside an
    unquoted 3,800 shifts every cell after it): read, such a row would put answers under wrong columns.
    So a row may hold nothing under the header's unnamed last columns: that is where a shift puts the
    cell it pushes out. A longer row is read only below a header that itself ends in unnamed columns (a
    padded export): below any other header, an empty extra cell is just as likely the row's own last
    cell pushed out by a shift (…,8,000,3000, read as 8 and 000)."""
    if least <= len(cells) < width and not any(c.strip() for c in cells[named:]):
        return cells + [""] * (width - len(cells))
    if len(cells) > width and named < width and not any(c.strip() for c in cells[named:]):
        return cells[:width]
    return None


def _readable(cells: list[str], at: int) -> str | None:
    """The id of a row that cannot be read, when its cell is there and decodes."""
    value = cells[at] if 0 <= at < len(cells) else ""
    return value if value and not BAD_BYTES.search(value) else None


def _id_before(line: str, index: int, at: int, sep: str) -> str | None:
    """The id of a damaged line, when its cell ends before the damage at `index`."""
    if at < 0:
        return None
    cells = split(line[:index], sep)
    return _readable(cells, at) if isinstance(cells, list) and at < len(cells) - 1 else None


def _drain(back: list[Line]) -> Iterator[Line]:
    while back:
        yield back.pop()


def _close_over_lines(line: str, found: tuple[int, str], lines: Iterator[Line], back: list[Line], width: int,
                      sep: str = ",") -> list[str] | tuple[int, str]:
    """The cells of the record whose quoted value, opened on `line`, closes on a later line; else
    `found`, and the lines read ahead go `back`, to be read as rows of their own."""
    ahead: list[Line] = []
    record = line
    while len(ahead) < MAX_VALUE_LINES:
        item = back.pop() if back else next(lines, None)
        if item is None:
            break
        ahead.append(item)
        following = item[1]
        if isinstance(following, Cut) or len(record) + len(following) >= MAX_ROW_CHARS:
            break
        if sep in following.split('"', 1)[0] or damage(following) is not None:
            break  # a row, not the rest of a value
        record += "\n" + visible(following)
        cells = split(record, sep)
        if isinstance(cells, list):
            if len(cells) == width and not any(sep in c for c in cells if "\n" in c):
                return cells
            break
        if cells[1] != "open":
            break
    back.extend(reversed(ahead))
    return found
