"""Reading: one reader for every input format, yielding a Row or a RowError per row.

`rows_from_file` turns the text of an input's data part (CSV after its header, JSONL, a JSON array)
into rows, in the manner of sqlite-utils' `rows_from_file`; `KeyMap` does the same for the mappings of
JSON objects and of the Python API. A row that cannot be read is a RowError in its place, and the
reading goes on; only an input that is not a file of cases at all (an endless line, a broken array)
stops the run, with a UsageError.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from ..errors import UsageError
from ..models import EXTENDED_FIELDS
from ..rulefiles import MAX_DEPTH, KeysTwice, deeper_than, json_object
from .csv_rows import Columns, Cut, Line, csv_rows
from .rows import (
    BAD_BYTES,
    FIELD_NUMBER,
    INVISIBLE,
    MAX_LINE_CHARS,
    MAX_ROW_CHARS,
    Row,
    RowError,
    at_line,
    column_field,
    damaged,
    header_note,
    header_unit,
    text,
    visible,
    with_unit,
)

if TYPE_CHECKING:
    from ..ruleset import RuleSet

INPUT_FORMATS = ("csv", "jsonl", "json")


class RangeReader(io.RawIOBase):
    """Raw bytes [start, end) of a file, or of any binary stream when end is None; counts what it gave."""

    def __init__(self, stream: Any, start: int = 0, end: int | None = None, prefix: bytes = b"") -> None:
        self._stream, self._end, self._prefix = stream, end, prefix  # stream: a binary file (readinto)
        self.pos = start
        self.done = 0
        if end is not None:
            stream.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        else:
            want = len(view) if self._end is None else min(len(view), self._end - self.pos)
            if want <= 0:
                return 0
            n = self._stream.readinto(view[:want]) or 0
        self.pos += n
        self.done += n
        return n


def text_stream(raw: RangeReader, encoding: str) -> io.TextIOWrapper:
    # A damaged byte must cost one row, not the run: it decodes to a lone surrogate the row readers catch.
    # Lines end at LF only: a CR anywhere else is damage to report, not a line break to act on.
    return io.TextIOWrapper(io.BufferedReader(raw, 1 << 18), encoding=encoding, newline="\n",
                            errors="surrogateescape")


def no_sig(encoding: str) -> str:
    """The codec for reading from past the start: a BOM there is damage to see, not a mark to drop."""
    return encoding.replace("utf-8-sig", "utf-8")


def decode_error(rules: RuleSet, lang: str, source: str, codec: str, exc: UnicodeDecodeError, rows_read: int = 0
                 ) -> UsageError:
    """The input is not text in this codec (`rows_read`: the rows answered before the damage)."""
    where = text(rules, "after_row", lang, row=rows_read) if rows_read else ""
    hint = text(rules, "gb18030_hint", lang) if codec.startswith("utf-8") else ""
    return UsageError(f"{source}: " + text(rules, "not_text", lang, codec=no_sig(codec).upper(), where=where,
                                           reason=exc.reason, hint=hint))


def rows_from_file(fmt: str, stream: io.TextIOWrapper, columns: Columns | None, keys: KeyMap, source: str,
                   line_at: Callable[[int], int]) -> Iterator[Row | RowError]:
    """The rows of the data part of an input; line_at(n) is the file's line number of its nth line.
    For CSV, `columns` is the header read beforehand (None: an empty file, no rows)."""
    if fmt == "json":
        return _json_array_rows(stream, keys, source)
    back: list[Line] = []
    lines = _physical_lines(stream, back, line_at, source, keys)
    if fmt == "jsonl":
        return _jsonl_rows(lines, keys, line_at)
    if columns is None:
        return iter(())
    return csv_rows(lines, back, columns, keys.rules, keys.lang, line_at)


def _physical_lines(stream: io.TextIOWrapper, back: list[Line], line_at: Callable[[int], int], source: str,
                    keys: KeyMap) -> Iterator[Line]:
    """(n, line) for the nth line, without its line end (LF, with any CR just before it); a Cut for a line
    longer than MAX_ROW_CHARS: its first MAX_ROW_CHARS characters (where its id may be read), the rest skipped,
    never kept. Lines put on the `back` stack (read ahead, to be read again) come before the next new line.

    A line that goes on past MAX_LINE_CHARS is no row at all (/dev/zero, a binary file): a usage error."""
    readline = stream.readline  # not read(): a line must be answered when it arrives, not a buffer later
    n = 0
    while True:
        line = readline(MAX_ROW_CHARS + 1)
        if not line:
            break
        found: str | Cut
        if len(line) > MAX_ROW_CHARS and line[-1] != "\n":
            found, skipped = Cut(line[:MAX_ROW_CHARS]), len(line)
            while line and line[-1] != "\n":
                line = readline(1 << 16)
                skipped += len(line)
                if skipped > MAX_LINE_CHARS:
                    raise UsageError(f"{source}: " + text(keys.rules, "endless_line", keys.lang, line=f"{line_at(n):,}",
                                                          mb=MAX_LINE_CHARS >> 20))
        else:
            found = line.rstrip("\r\n")
        while back:
            yield back.pop()
        yield n, found
        n += 1


class KeyMap:
    """Maps the keys of JSON objects and API mappings to fields, remembering the names it ignored."""

    def __init__(self, rules: RuleSet, lang: str, keep: tuple[str, ...] = ()) -> None:
        self.rules = rules
        self.lang = lang
        self.keep = keep  # keys carried through as Row.kept (a client id, a name), not answers
        self._known: dict[Any, str | None] = {}
        self._units: dict[Any, tuple[str, str]] = {}  # a key naming a unit in brackets: (reads_as, problem)
        self.unknown: dict[str, None] = {}  # ordered set

    def row(self, obj: Any) -> Row | RowError:
        if obj.__class__ is not dict and not isinstance(obj, Mapping):
            return RowError(None, text(self.rules, "not_object", self.lang, type=type(obj).__name__))
        values: dict[str, Any] = {}
        extended = False
        kept = tuple(obj.get(k) for k in self.keep) if self.keep else ()
        if obj.__class__ is KeysTwice:  # a key given twice in the object, as if two columns named one field
            twice = next((name for key in obj.twice if (name := column_field(key)) is not None), None)
            if twice is not None:
                return self._twice(twice, obj, kept)
            again = next((key for key in obj.twice if key in self.keep), None)
            if again is not None:  # the client column twice: whose debt this is cannot be told
                return RowError(None, text(self.rules, "twice", self.lang, name=f"“{again}”"), _id_in(obj))
        for key, value in obj.items():
            name = self._known.get(key, "")
            if name == "":
                name = column_field(key)
                if len(self._known) < 10_000:
                    self._known[key] = name
                if name is not None and isinstance(key, str) and header_note(key):  # 逾期金额（万元）, as a header
                    self._units[key] = header_unit(key, name, self.rules, self.lang)
            if name is None:
                if key in self.keep:
                    continue
                if len(self.unknown) < 100:
                    self.unknown[str(key)] = None
                continue
            if value.__class__ is float and value != value:
                value = None  # NaN: how pandas spells an empty cell
            elif value.__class__ is str and not value.isascii():
                if BAD_BYTES.search(value):
                    return RowError(name, text(self.rules, "bad_bytes", self.lang), kept=kept)
                if INVISIBLE.search(value):
                    value = visible(value)
            elif value.__class__ in (list, dict) and deeper_than(value, MAX_DEPTH):
                return RowError(name, text(self.rules, "too_deep", self.lang, limit=MAX_DEPTH), kept=kept)
            if name in values:
                return self._twice(name, values, kept)
            unit = self._units.get(key) if self._units else None
            if unit is not None:
                if unit[1]:  # a unit the answer cannot take: this object's value would be misread
                    return RowError(name, unit[1], kept=kept)
                value = with_unit(value, unit[0]) if unit[0] else value
            values[name] = value
            extended = extended or name in _EXTENDED
        core = (values.get("overdue_days"), values.get("amount"), values.get("platform"), values.get("negotiation"))
        extra = tuple((FIELD_NUMBER[n], values[n]) for n in EXTENDED_FIELDS if n in values) if extended else ()
        return Row(core, _as_id(values.get("id")), extra, 0, kept)


    def _twice(self, name: str, values: Mapping[str, Any], kept: tuple[Any, ...]) -> RowError:
        from ..parsing import field_name  # a rare mistake: named as every message names a field

        said = text(self.rules, "twice", self.lang, name=field_name(name, self.rules, self.lang))
        return RowError(name, said, _id_in(values), kept=kept)


def _id_in(values: Mapping[Any, Any]) -> str | None:
    """The case id of an object not read through: under `id` or any name the id goes by (编号)."""
    return _as_id(values.get("id", next((v for k, v in values.items() if column_field(k) == "id"), None)))


_EXTENDED = frozenset(EXTENDED_FIELDS)


_DECODER = json.JSONDecoder(object_pairs_hook=json_object)


def _as_id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _jsonl_rows(lines: Iterator[Line], keys: KeyMap, line_at: Callable[[int], int]) -> Iterator[Row | RowError]:
    loads = _DECODER.decode
    for n, line in lines:
        if line.__class__ is Cut:  # too long to read: its id, and the kept keys, when they come before the cut
            start = _members(line.head)
            yield RowError(None, damaged(keys.rules, keys.lang, line_at(n), MAX_ROW_CHARS, "long"), _id_in(start),
                           line=line_at(n), kept=tuple(start.get(k) for k in keys.keep))
            continue
        line = cast(str, line)
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except ValueError as exc:
            # The decoder counts lines and columns within this one line: the file's line is ours to say.
            what = text(keys.rules, "bad_json", keys.lang, error=getattr(exc, "msg", exc))
            yield RowError(None, text(keys.rules, "damaged", keys.lang, line=f"{line_at(n):,}",
                                      column=f"{getattr(exc, 'pos', 0) + 1:,}", what=what), line=line_at(n), reason=what)
            continue
        except RecursionError:
            yield at_line(keys.rules, keys.lang, None, line_at(n), text(keys.rules, "too_deep", keys.lang, limit=MAX_DEPTH))
            continue
        yield keys.row(obj)  # what it holds is judged as a mapping from the API is: the same record


_SPACE = re.compile(r"[ \t\r\n]*")


def _members(head: str) -> dict[str, Any]:
    """The members of a JSON object whose line was cut short, as far as each is whole before the cut."""
    found: dict[str, Any] = {}
    pos = _SPACE.match(head).end()  # type: ignore[union-attr]  # matches everywhere, if only nothing
    if not head.startswith("{", pos):
        return found
    pos += 1
    try:
        while True:
            key, pos = _DECODER.raw_decode(head, _SPACE.match(head, pos).end())  # type: ignore[union-attr]
            pos = _SPACE.match(head, pos).end()  # type: ignore[union-attr]
            if not isinstance(key, str) or not head.startswith(":", pos):
                return found
            value, pos = _DECODER.raw_decode(head, _SPACE.match(head, pos + 1).end())  # type: ignore[union-attr]
            found[key] = value
            pos = _SPACE.match(head, pos).end()  # type: ignore[union-attr]
            if not head.startswith(",", pos):
                return found
            pos += 1
    except (ValueError, RecursionError):  # the member the cut goes through, or one nested too deep
        return found


def _json_array_rows(stream: io.TextIOWrapper, keys: KeyMap, source: str) -> Iterator[Row | RowError]:
    """The elements of a JSON array, decoded one at a time so that memory stays flat."""
    decoder = _DECODER
    buf, pos, eof, count = "", 0, False, 0

    def fill() -> None:
        nonlocal buf, pos, eof
        chunk = stream.read(1 << 16)
        eof = not chunk
        buf, pos = buf[pos:] + chunk, 0

    def skip_space() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf) or eof:
                return buf[pos] if pos < len(buf) else ""
            fill()

    def broken(what: str) -> UsageError:
        return UsageError(f"{source}: " + text(keys.rules, "broken_array", keys.lang, what=what, count=count))

    fill()
    if skip_space() == "":
        return
    if buf[pos] != "[":
        raise broken('expected "["')
    pos += 1
    while True:
        c = skip_space()
        if c == "]":
            pos += 1
            if skip_space():  # a second array, or text: not one array, and its rows would be lost
                raise broken(text(keys.rules, "after_array", keys.lang))
            return
        if count:
            if c != ",":
                raise broken('expected "," or "]"')
            pos += 1
            skip_space()
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
                if end < len(buf) or eof:  # a number cut by the buffer edge would decode too early
                    break
            except ValueError as exc:
                if eof:
                    raise broken(f"{exc.args[0].split(':')[0]}") from None
            except RecursionError:
                skip = _value_end(buf, pos)
                if skip is not None:
                    obj, end = _TOO_DEEP, skip
                    break
                if eof:
                    raise broken("an element that does not end") from None
            if len(buf) - pos > 16 << 20:
                raise broken("an element larger than 16 MB")
            fill()
        pos = end
        count += 1
        yield (RowError(None, text(keys.rules, "too_deep", keys.lang, limit=MAX_DEPTH)) if obj is _TOO_DEEP
               else keys.row(obj))


_TOO_DEEP = object()  # an array element nested too deep to decode
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


def _value_end(text: str, pos: int) -> int | None:
    """Where the JSON array or object at pos ends, found without recursion; None if not in text."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text, pos):
        kind = token.group()[0]
        if kind in "[{":
            depth += 1
        elif kind in "]}":
            depth -= 1
            if depth == 0:
                return token.end()
    return None
