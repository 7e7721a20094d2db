"""The rows of one .xlsx sheet, read from its XML as it streams, such that damage costs what it touches.

openpyxl opens the workbook (read-only) and reads each cell's value; this module walks the sheet's rows
itself, because openpyxl's own walk lets one unreadable cell end the whole run, pads every row number
it skips with an empty row (a row numbered 5,000,000 made five million of them), and drops a row whose
number does not increase. Here every `<row>` the sheet holds is one row; a number that is not past the
row before, or beyond Excel's last row, is read as the next row; a cell that cannot be read is a
`Damaged` value, which its row's error record names; and damage that stops the XML ends the rows, the
error kept for the run to report after the rows before it. The shared strings are read only as far as
the cells ask (a table the sheet does not use costs nothing), and at most MAX_STRINGS of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

MAX_ROW = 1 << 20  # 1,048,576: Excel's last row
MAX_COLUMN = 16_384  # XFD: Excel's last column
MAX_STRINGS = 1 << 20  # shared strings held, at most: far past the different texts of any caseload
MAX_PART_BYTES = 32 << 20  # a part openpyxl reads whole (the styles, the workbook), unpacked
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _DATA = NS + "row", NS + "c", NS + "v", NS + "sheetData"
_SI, _T, _R = NS + "si", NS + "t", NS + "r"
_PLACE = re.compile(r"([A-Za-z]{1,3})[0-9]{1,7}")  # a cell's place, B12; its row is the row's own
_NUMBER = re.compile(r"[0-9]{1,7}")


class Damaged(NamedTuple):
    """A cell that cannot be read: `kind` says why (value, place, date, format), `raw` what the file holds."""

    kind: str
    raw: str


class SheetBroken(Exception):
    """The sheet's XML (or the zip around it) stops being readable after row `after` (0: before any row)."""

    def __init__(self, error: BaseException, after: int) -> None:
        super().__init__(str(error))
        self.error, self.after = error, after


def open_book(source: Any) -> tuple[Any, SharedStrings]:
    """The workbook, read-only, as openpyxl's load_workbook opens it but with its shared strings read
    lazily (SharedStrings), and no part that openpyxl reads whole past MAX_PART_BYTES unpacked (a
    small file can unpack to a styles part of millions of entries)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):  # type: ignore[misc]
        strings: str | None = None

        def read_manifest(self) -> None:
            super().read_manifest()
            found = self.package.find(SHARED_STRINGS)
            self.strings = found.PartName[1:] if found is not None else None
            for info in self.archive.infolist():
                name = info.filename
                if info.file_size > MAX_PART_BYTES and name != self.strings and not name.startswith("xl/worksheets/"):
                    raise TooBig(f"{name}: {info.file_size:,} bytes unpacked")

        def read_strings(self) -> None:
            self.shared_strings = SharedStrings(self.archive, self.strings)

    reader = Reader(source, read_only=True, data_only=True)
    reader.read()
    return reader.wb, reader.shared_strings


class TooBig(Exception):
    """A part of the workbook that would be read whole is past MAX_PART_BYTES."""


class SharedStrings:
    """A workbook's shared strings, read from their XML only as far as the cells ask. An index past the
    table, negative, or past MAX_STRINGS is an IndexError, so the cell asking is damaged, not the run."""

    def __init__(self, archive: Any, path: str | None) -> None:
        self._archive, self._path = archive, path
        self._strings: list[str] = []
        self._events: Iterator[tuple[str, Any]] | None = None
        self._source: Any = None
        self._root: Any = None
        self._done = path is None

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < MAX_STRINGS:
            raise IndexError(index)
        while index >= len(self._strings) and not self._done:
            self._more(index)
        return self._strings[index]

    def _more(self, index: int) -> None:
        from openpyxl.xml.functions import iterparse

        if self._events is None:
            self._source = self._archive.open(self._path)
            self._events = iterparse(self._source, events=("start", "end"))
        try:
            for event, node in self._events:
                if event == "start":
                    if self._root is None:
                        self._root = node
                    continue
                if node.tag == _SI:
                    self._strings.append(_text(node))
                    self._root.clear()  # each string is kept as text, not as the tree it came in
                    if len(self._strings) > index:
                        return
        except BaseException:
            self.close()
            raise
        self.close()

    def close(self) -> None:
        self._done = True
        if self._source is not None:
            self._source.close()
            self._source = None


def _text(node: Any) -> str:
    """A shared string's text, as openpyxl's Text.content reads it: its own <t>, then each run's."""
    plain = None
    runs = []
    for child in node:
        if child.tag == _T:
            plain = child.text
        elif child.tag == _R:
            found = None
            for part in child:
                if part.tag == _T:
                    found = part.text
            if found is not None:
                runs.append(found)
    text = "".join([plain, *runs] if plain is not None else runs)
    return text.replace("x005F_", "")


def sheet_rows(book: Any, sheet: Any, strings: SharedStrings) -> Iterator[tuple[int, list[Any]]]:
    """(the row's number, its values by column from 1) for each row the sheet holds, in file order.
    Raises SheetBroken where the XML stops being readable."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.functions import iterparse

    # Dates are left to `_date`, so that one the sheet cannot hold is a damaged cell, never a warning.
    parser = WorkSheetParser(None, strings, data_only=True, epoch=book.epoch)
    formats = _Formats(sheet)
    last = 0
    with sheet._get_source() as source:  # how a read-only sheet opens its XML
        events = iterparse(source, events=("start", "end"))
        data = None
        while True:
            try:
                event, node = next(events)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - broken XML, a zip that stops: whatever the file holds
                raise SheetBroken(exc, last) from None
            if event == "start":
                if node.tag == _DATA:
                    data = node
                continue
            if node.tag != _ROW:
                continue
            number = node.get("r", "")
            last = int(number) if _NUMBER.fullmatch(number) and last < int(number) <= MAX_ROW else last + 1
            if last > MAX_ROW:
                raise SheetBroken(ValueError(f"more than {MAX_ROW:,} rows"), MAX_ROW)
            yield last, _cells(node, parser, book, formats)
            if data is not None:
                data.clear()  # the rows read are let go, not kept as empty elements


def _cells(row: Any, parser: Any, book: Any, formats: _Formats) -> list[Any]:
    values: dict[int, Any] = {}
    column = 0
    for element in row:
        if element.tag != _CELL:
            continue
        place = element.get("r")
        if place is None:
            column += 1
        else:
            found = _PLACE.fullmatch(place)
            if found is None or (column := _column(found.group(1))) > MAX_COLUMN:
                column = min(max(values, default=0) + 1, MAX_COLUMN + 1)
                values[column] = Damaged("place", place)
                continue
        if column > MAX_COLUMN:
            values[MAX_COLUMN + 1] = Damaged("place", str(column))
            continue
        parser.col_counter = column
        try:
            cell = parser.parse_cell(element)
        except Exception:  # noqa: BLE001 - a value the file holds wrong: the cell is damaged, not the run
            values[column] = Damaged("value", _raw(element))
            continue
        value = cell["value"]
        if value.__class__ in (int, float):
            style = cell["style_id"] or 0
            fmt = formats.get(style)
            if fmt is None:
                values[column] = Damaged("format", str(style))
                continue
            if style in book._date_formats:
                value = _date(value, book, style)
                if value is None:
                    values[column] = Damaged("date", _raw(element))
                    continue
            elif "%" in fmt:
                value = Percent(value)
        values[column] = value
    if not values:
        return []
    out: list[Any] = [None] * max(values)
    for at, value in values.items():
        out[at - 1] = value
    return out


class Percent(float):
    """A number the sheet shows as a percent (36% holds 0.36): the reader gives the percent it shows."""


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _raw(element: Any) -> str:
    """What a cell holds in the file, to quote in its message: its value, else its inline text."""
    value = element.findtext(_VALUE)
    return str(value if value is not None else "".join(element.itertext()))[:40]


def _date(value: float, book: Any, style: int) -> Any:
    from openpyxl.utils.datetime import from_excel

    try:
        return from_excel(value, book.epoch, timedelta=style in book._timedelta_formats)
    except (OverflowError, ValueError, TypeError):
        return None


class _Formats:
    """Each style's number format, looked up once; None for a style the workbook does not have."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        self._found: dict[int, str | None] = {}

    def get(self, style: int) -> str | None:
        if style not in self._found:
            from openpyxl.cell.read_only import ReadOnlyCell

            try:
                fmt = ReadOnlyCell(self._sheet, 1, 1, None, "n", style).number_format
            except Exception:  # noqa: BLE001 - a style past the table: the cell's meaning is unknown
                fmt = "General" if style == 0 else None  # a workbook with no styles at all
            self._found[style] = fmt if isinstance(fmt, str) else None
        return self._found[style]
