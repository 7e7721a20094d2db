"""Spreadsheets and UTF-16 files, read as the UTF-8 CSV every other input is.

An `.xlsx` sheet is read row by row (sheetrows.py, on openpyxl's read-only mode, an optional extra) and
each row the sheet holds becomes one CSV line, SheetText knowing its row number in the sheet; a cell
that cannot be read becomes a marked cell, which the CSV reader makes its row's error record. A UTF-16
file (Excel's "Unicode text") is re-encoded as it is read. Either way the one CSV reader, with its
damage rules and row numbering, reads the result, and nothing is written to disk.
"""

from __future__ import annotations

import codecs
import io
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import UsageError
from ..safetext import printable
from .rows import column_letters, text
from .sheetrows import MAX_COLUMN, Damaged, Percent, SheetBroken, open_book, sheet_rows
from .sinks import csv_cell

if TYPE_CHECKING:
    from ..ruleset import RuleSet

XLSX_MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # an old .xls, .doc…, or an .xlsx with a password: no reader here
MAX_SHEET_BYTES = 512 << 20  # an .xlsx read from stdin is held in memory: at most this much


class ChunkReader(io.RawIOBase):
    """A readable stream over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


UTF16 = ("utf-16", "utf-16-le", "utf-16-be")  # as codecs.lookup names them


def utf16_order(head: bytes) -> str | None:
    """The codec of a UTF-16 file: "utf-16" when a BOM says its byte order (Excel's "Unicode text",
    Windows PowerShell's `>`); without one, "utf-16-le" or "utf-16-be" when the NUL bytes every ASCII
    character leaves (a comma, a digit, a line end) are one character in ten or more and sit nearly all at
    odd or at even places, as they never do in UTF-8 or GB18030 text; else None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    sample = sample[:len(sample) & ~1]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) < max(4, len(sample) // 20) or min(even, odd) * 10 > max(even, odd):
        return None  # a few NULs (a damaged line, a pasted fragment) are damage to report, not UTF-16
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        sample.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 2:  # not only a pair of surrogates cut by the sample's end
            return None
    return codec


def utf16_as_utf8(stream: BinaryIO, head: bytes, codec: str = "utf-16") -> BinaryIO:
    """The UTF-16 text of `head` and the rest of `stream`, as UTF-8 bytes (`codec` "utf-16": the BOM says
    which order). Bytes that do not decode stay marked, so the reader makes their row an error record."""
    def chunks() -> Iterator[bytes]:
        decoder = codecs.getincrementaldecoder(codec)(errors="surrogatepass")
        data = head
        while data:
            yield _utf8(decoder.decode(data))
            data = stream.read(1 << 20)
        yield _utf8(decoder.decode(b"", final=True))
    return io.BufferedReader(ChunkReader(chunks()))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


def is_xlsx(name: str, head: bytes) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm")) or head.startswith(XLSX_MAGIC)


def openpyxl(rules: RuleSet, lang: str) -> Any:
    """The spreadsheet library, or a usage error naming the extra that installs it."""
    try:
        import openpyxl
    except ImportError:
        raise UsageError(text(rules, "needs_excel", lang)) from None
    return openpyxl


def refuse_old_excel(name: str, head: bytes, rules: RuleSet, lang: str) -> None:
    """An old .xls is binary: read as text it would be called a file in the wrong encoding."""
    if head.startswith(OLE_MAGIC):
        raise UsageError(text(rules, "old_excel", lang, path=printable(name)))


class SheetText:
    """What a sheet read as CSV leaves the reader besides its text: the sheet's row number of each line
    (a row number the sheet skips is no line: a row numbered 1,000,000 after row 3 is one line, not a
    million) and the damage, if any, that ended the sheet."""

    def __init__(self) -> None:
        self.starts: array[int] = array("q")  # the lines (from 1) where the row numbers jump
        self.rows: array[int] = array("q")  # the row number there
        self.lines = 0
        self.broken: SheetBroken | None = None

    def add(self, number: int) -> None:
        self.lines += 1
        if not self.starts or self.rows[-1] + self.lines - self.starts[-1] != number:
            self.starts.append(self.lines)
            self.rows.append(number)

    def row(self, line: int) -> int:
        """The sheet's row number of the text's line `line` (from 1)."""
        at = bisect_right(self.starts, line) - 1
        return line if at < 0 else self.rows[at] + line - self.starts[at]

    def then_broken(self, rows: Iterator[Any], rules: RuleSet, lang: str, name: str) -> Iterator[Any]:
        """The rows read from the sheet, then, if damage ended it, the usage error saying so: after the rows
        before it are answered, as for a CSV that breaks off."""
        yield from rows
        if self.broken is not None:
            raise self.error(rules, lang, name)

    def check_header(self, cells: list[str], line: int, rules: RuleSet, lang: str, name: str) -> None:
        """A header cell that could not be read is a usage error naming it."""
        at = next((i for i, cell in enumerate(cells) if cell.startswith("\0")), -1)
        if at >= 0:
            problem = text(rules, "at_cell", lang, line=f"{line:,}", column=f"{at + 1:,}",
                           name=column_letters(at + 1), what=cells[at][1:])
            raise UsageError(f"{name}: " + text(rules, "bad_header", lang, problem=problem))

    def error(self, rules: RuleSet, lang: str, name: str) -> UsageError:
        """The damage that ended the sheet, as the run reports it (after the rows before it)."""
        broken = self.broken
        assert broken is not None
        error = f"{type(broken.error).__name__}: {broken.error}"
        if not broken.after:
            return UsageError(text(rules, "bad_sheet", lang, path=printable(name), error=printable(error)))
        return UsageError(text(rules, "sheet_breaks", lang, path=printable(name), line=f"{broken.after:,}",
                               error=printable(error)))


def xlsx_as_csv(path: str | None, stream: BinaryIO, head: bytes, sheet: str | None, rules: RuleSet, lang: str,
                name: str = "stdin") -> tuple[BinaryIO, SheetText]:
    """The rows of a sheet (the first, or `sheet`) as UTF-8 CSV lines, read as they are needed, and what
    the reader needs to know besides (SheetText)."""
    if not head.startswith(XLSX_MAGIC):  # named .xlsx, or so said by --input-format, but a CSV renamed or else
        said = "." + name.rpartition(".")[2] if is_xlsx(name, b"") else "--input-format xlsx"
        raise UsageError(text(rules, "not_a_sheet", lang, path=printable(name), said=printable(said)))
    if path is None:  # stdin: openpyxl needs to seek, so the sheet is held in memory, bounded
        data = head + stream.read(MAX_SHEET_BYTES + 1 - len(head))
        if len(data) > MAX_SHEET_BYTES:
            raise UsageError(text(rules, "sheet_too_big", lang, mb=MAX_SHEET_BYTES >> 20))
    openpyxl(rules, lang)
    try:
        if path is not None:
            stream.seek(0)
        # The open file, not its name: given a name, openpyxl refuses a workbook whose extension is not .xlsx.
        book, strings = open_book(io.BytesIO(data) if path is None else stream)
    except Exception as exc:  # a damaged or foreign zip: openpyxl raises many kinds
        raise UsageError(text(rules, "bad_sheet", lang, path=printable(name), error=exc)) from None
    worksheets = {ws.title: ws for ws in book.worksheets if hasattr(ws, "_get_source")}  # a chart sheet has no rows
    if sheet is not None and sheet not in worksheets:
        book.close()
        raise UsageError(text(rules, "no_sheet", lang, name=sheet, names=", ".join(worksheets)))
    if not worksheets:
        book.close()
        raise UsageError(text(rules, "bad_sheet", lang, path=printable(name), error="no worksheet"))
    rows = worksheets[sheet] if sheet is not None else next(iter(worksheets.values()))
    # The size the sheet says it has (its <dimension> tag) is not where reading stops: writers leave it
    # stale, and rows or columns past it would be lost in silence. The stated width still pads every
    # row, so a sheet whose size is right reads as it always did.
    width = min(getattr(rows, "max_column", None) or 0, MAX_COLUMN)
    found = SheetText()

    def cell(value: Any) -> str:
        if value.__class__ is Damaged:
            # NUL, which no sheet's text can hold, marks the cell for the reader: its row is an error record.
            return csv_cell("\0" + text(rules, "bad_cell_" + value.kind, lang, raw=printable(value.raw)))
        return csv_cell(cell_text(sheet_value(value)))

    def lines() -> Iterator[bytes]:
        try:
            try:
                merges = merged_ranges(rows)
            except Exception as exc:  # noqa: BLE001 - the pass for the merge list met a zip that stops
                found.broken = SheetBroken(exc, 0)
                return
            for number, values in even(with_merged(sheet_rows(book, rows, strings), merges), width):
                found.add(number)
                yield (",".join(map(cell, values)) + "\n").encode("utf-8")
        except SheetBroken as exc:
            found.broken = exc  # the rows before it are read; the run reports it after them
        finally:
            strings.close()
            book.close()
    return io.BufferedReader(ChunkReader(lines())), found


# A merged range as the sheet's XML lists it, after all its rows: <mergeCell ref="A2:A4"/>.
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)"')
Merge = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row, from 1


def merged_ranges(rows: Any) -> list[Merge]:
    """A sheet's merged ranges. Read-only mode does not parse them, and a full load would hold the whole
    sheet in memory, so its XML is scanned once for them, in chunks (they follow the rows in it)."""
    from openpyxl.utils.cell import range_boundaries

    source = getattr(rows, "_get_source", None)  # read-only sheets open their XML with it
    if source is None:
        return []
    found: list[Merge] = []
    tail = b""
    with source() as xml:
        while chunk := xml.read(1 << 20):
            data, kept = tail + chunk, 0
            for match in _MERGE.finditer(data):
                found.append(range_boundaries(match.group(1).decode()))
                kept = match.end()
            tail = data[max(kept, len(data) - 512):]  # a tag cut by the chunk's end is matched with the next
    return found


Numbered = Iterator[tuple[int, Sequence[Any]]]  # (the row's number in the sheet, its values)


def with_merged(rows: Numbered, merges: list[Merge]) -> Numbered:
    """The rows, a merged cell's value given to every row of its range: offices merge one client's
    客户编号, 姓名 and 月收入 over the rows of their debts, and the file holds the value in the first row
    only. Only the range's first column gets it: across columns, the cells right of it stay as empty
    as they are on its first row, so a header merged over two columns is still one column."""
    if not merges:
        yield from rows
        return
    starting: dict[int, list[Merge]] = {}
    for merge in merges:
        if merge[3] > merge[1]:  # a range of one row has no row to fill
            starting.setdefault(merge[1], []).append(merge)
    open_: list[tuple[int, int, Any]] = []  # (column index, last row, value) of the ranges over this row
    for number, values in rows:
        if open_:
            open_ = [entry for entry in open_ if entry[1] >= number]
            cells = list(values)
            for at, _, value in open_:
                cells.extend([None] * (at + 1 - len(cells)))
                cells[at] = value
            values = tuple(cells)
        for min_col, _, _, max_row in starting.pop(number, ()):
            value = values[min_col - 1] if min_col <= len(values) else None
            if value is not None:
                open_.append((min_col - 1, max_row, value))
        yield number, values


def even(rows: Numbered, width: int) -> Numbered:
    """The rows padded with empty cells to the widest seen so far (at least `width`): a sheet read without
    its stated size gives each row only up to its last cell. A row's empty cells past that width are
    dropped, not taken for columns (formatting alone leaves such cells in the file)."""
    for number, values in rows:
        n = len(values)
        while n > width and values[n - 1] in (None, ""):
            n -= 1
        if n > width:
            width = n
        yield number, values if n == width == len(values) else (*values[:n], *(None,) * (width - n))


def sheet_value(value: Any) -> Any:
    """A cell's value as the sheet shows it where that differs from what it holds: a number formatted as
    a percent (36% holds 0.36) is the percent, as a person reading the sheet takes it."""
    if value.__class__ is Percent:
        percent = Decimal(repr(value)) * 100
        places = percent.as_tuple().exponent  # a letter for an infinity or NaN, which the parser refuses
        if isinstance(places, int) and places < -4:  # worked out by a formula (0.359999999): to the finest
            percent = percent.quantize(Decimal("0.0001"))  # a rate is written in, as a typed one never is
        return f"{percent.normalize():f}%"
    return value


def cell_text(value: Any) -> str:
    """A cell as a person typed it: 45 not 45.0, a date as 2026-03-01; a line break is a space, so that
    every sheet row stays one line. A U+FEFF (pasted text often carries one) is dropped: in a cell it
    is no sign of two files joined, which is what the CSV reader takes it for."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\ufeff", "")


def codec_name(name: str | None) -> str | None:
    """The codec --encoding names, as codecs.lookup names it; "" for a name it does not know (the run says so)."""
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""
