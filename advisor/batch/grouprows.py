"""The rows of a batch grouped by client, found again without keeping their answers anywhere.

A client's rows may be anywhere in the file, so its household is complete only at the end of the input.
Nothing is written to disk and no answer is held for long: the first pass reads every row with the one
reader every batch uses and keeps, per row, four numbers (`ROW_BYTES`, 25 bytes: where its first line
starts in the file, its line number, the next row of the same client, and what the row is), plus, while
that pass lasts, one entry per distinct client (its id and its last row so far) and each line's start (8
bytes). The second pass goes through the rows in file order; at a client's first row it reads that
client's rows back, by seeking to each one's start and reading that record alone with the same reader,
and hands them on together. So memory holds the per-row numbers and one household at a time, whatever
the order of the rows.

Seeking back needs a file that can be read twice, in an encoding where a line break is always the byte
b"\\n" (UTF-8, GB18030…), as CSV or JSONL. Other inputs (standard input, a pipe, an .xlsx or UTF-16
file, which are converted as they are read, a JSON array) are held in memory, up to `MEMORY_ROWS` rows;
past that the run stops before writing anything, with a message asking for a file.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from ..errors import UsageError
from .readers import KeyMap, no_sig, rows_from_file
from .rows import Row, RowError
from .sinks import UTF8_BOM

if TYPE_CHECKING:
    import io

    from ..ruleset import RuleSet
    from .csv_rows import Columns
    from .inputs import Input

SHARDABLE_CODECS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii", "iso8859-1"}  # as batch/run.py
ROW_BYTES = 25  # per row: offset (8), line (8), next row of its client (8), kind (1)
MEMORY_ROWS = 20_000  # rows held in memory from an input that cannot be read twice
OWN, FIRST, LATER = 0, 1, 2  # a row answered by a record of its own; a client's first row; a later one
KIND = 3  # those bits of a row's kind; the next one says the row was in error when first read
IN_ERROR = 4


class OffsetLines:
    """`readline(limit)` over a binary file from `start` to `end`, decoding each line on its own (in these
    codecs b"\\n" is never part of a character), and remembering where each line starts."""

    def __init__(self, stream: Any, start: int, end: int, encoding: str, keep_starts: bool = True) -> None:
        stream.seek(start)
        self._stream, self._end, self._encoding = stream, end, encoding
        self.pos = start
        self.starts: array[int] | None = array("q") if keep_starts else None
        self.last_start = start
        self._fresh = True  # the next byte read begins a line
        self._rest = ""  # what is left of a line cut at `limit` characters

    def readline(self, limit: int = -1) -> str:
        if self._rest:
            text = self._rest[:limit] if limit > 0 else self._rest
            self._rest = self._rest[len(text):]
            return text
        if self.pos >= self._end:
            return ""
        if self._fresh:
            self.last_start = self.pos
            if self.starts is not None:
                self.starts.append(self.pos)
        want = self._end - self.pos
        if limit > 0:
            want = min(want, limit * 4)  # no character of these codecs takes more than 4 bytes
        raw = self._stream.readline(want)
        self.pos += len(raw)
        self._fresh = raw.endswith(b"\n")
        text = raw.decode(self._encoding, "surrogateescape")
        if limit > 0 and len(text) > limit:
            text, self._rest = text[:limit], text[limit:]
        return cast(str, text)


def seekable(inp: Input) -> bool:
    return (inp.path is not None and inp.size is not None and inp.format in ("csv", "jsonl")
            and inp.encoding in SHARDABLE_CODECS)


class GroupedRows:
    """Pass one over the input (`index`), then each row again by its number (`item`)."""

    def __init__(self, inp: Input, rules: RuleSet, lang: str, columns: Columns | None, data_start: int,
                 first_line: int, column: str) -> None:
        self.inp, self.rules, self.lang, self.columns = inp, rules, lang, columns
        self.first_line, self.column = first_line, column
        self.keys = KeyMap(rules, lang, (column,))
        self.seek = seekable(inp)
        self.start = data_start
        if self.seek and not data_start and inp.head.startswith(UTF8_BOM):
            self.start = len(UTF8_BOM)
        self.codec = no_sig(inp.encoding)
        self.offset: array[int] = array("q")
        self.line: array[int] = array("q")
        self.next: array[int] = array("q")
        self.kind = bytearray()
        self.held: list[Row | RowError] = []  # only for an input that cannot be read twice
        self.stamp: tuple[int, int] | None = None  # the file's size and time when the first pass began

    def _items(self) -> tuple[Iterator[Row | RowError], OffsetLines | None]:
        from .inputs import read_rows

        if not self.seek:
            _, self.keys, rows = read_rows(self.inp, self.rules, self.lang, self.columns, self.start, self.first_line,
                                           keep=(self.column,))
            return rows, None
        assert self.inp.size is not None
        lines = OffsetLines(self.inp.stream, self.start, self.inp.size, self.codec)
        first = self.first_line
        rows = rows_from_file(self.inp.format, cast("io.TextIOWrapper", lines), self.columns, self.keys, self.inp.name,
                              lambda n: first + n)
        return rows, lines

    def index(self) -> Iterator[int]:
        """Reads every row once, linking each client's rows; yields the count of rows read so far."""
        rows, lines = self._items()
        self.stamp = self._stamp()
        last: dict[str, int] = {}  # client id -> its last row so far
        for r, item in enumerate(rows):
            client = self.client(item)
            if lines is not None:
                assert lines.starts is not None
                n = item.line - self.first_line if item.line else len(lines.starts) - 1
                self.offset.append(lines.starts[n])
                self.line.append(item.line or self.first_line + n)
            elif len(self.held) >= MEMORY_ROWS:
                raise UsageError(self.rules.message("household_cannot_reread", self.lang, name=self.inp.name,
                                                    max=f"{MEMORY_ROWS:,}"))
            else:
                self.held.append(item)
            self.next.append(-1)
            error = IN_ERROR if isinstance(item, RowError) else 0
            if client is None:
                self.kind.append(OWN | error)
            elif client in last:
                self.next[last[client]] = r
                self.kind.append(LATER | error)
                last[client] = r
            else:
                self.kind.append(FIRST | error)
                last[client] = r
            yield r + 1

    def _stamp(self) -> tuple[int, int] | None:
        """Read back at its offset, a row of a file rewritten since may still look like a row (a short one
        now reads as one with empty cells): the file's size and time say it changed."""
        if not self.seek:
            return None
        info = os.fstat(self.inp.stream.fileno())
        return info.st_size, info.st_mtime_ns

    @staticmethod
    def client(item: Row | RowError) -> str | None:
        """The row's client id; also of a row in error whose id could be read (its household is then in error)."""
        if not item.kept or item.kept[0] is None:
            return None
        return str(item.kept[0]).strip() or None

    def members(self, r: int) -> list[int]:
        """The rows of the client whose first row is r, in file order."""
        out = [r]
        while self.next[out[-1]] >= 0:
            out.append(self.next[out[-1]])
        return out

    def household(self, r: int, limit: int) -> tuple[str, list[int], list[Row | RowError]]:
        """The client whose first row is r: its id, its rows' numbers (all), and its first `limit` rows read
        back (enough to refuse a household that has too many)."""
        numbers = self.members(r)
        first = self.item(r)
        client = self.client(first)
        found = [first]
        for n in numbers[1:limit]:
            item = self.item(n)
            if self.client(item) != client:
                raise UsageError(self.rules.message("household_input_changed", self.lang, name=self.inp.name))
            found.append(item)
        assert client is not None
        return client, numbers, found

    def item(self, r: int) -> Row | RowError:
        """Row r as the first pass read it; an input changed since then is a usage error."""
        if not self.seek:
            return self.held[r]
        assert self.inp.size is not None
        if self._stamp() != self.stamp:
            raise UsageError(self.rules.message("household_input_changed", self.lang, name=self.inp.name))
        lines = OffsetLines(self.inp.stream, self.offset[r], self.inp.size, self.codec, keep_starts=False)
        line = self.line[r]
        found = next(rows_from_file(self.inp.format, cast("io.TextIOWrapper", lines), self.columns, self.keys,
                                    self.inp.name, lambda n: line + n), None)
        kind = self.kind[r]
        if found is None or ((kind & KIND) != OWN) != (self.client(found) is not None) or \
                bool(kind & IN_ERROR) != isinstance(found, RowError):
            raise UsageError(self.rules.message("household_input_changed", self.lang, name=self.inp.name))
        return found

