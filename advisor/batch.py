"""Batch: many cases from a file, one output record per input row, in input order.

    source ─► rows (CSV / JSONL / JSON array) ─► the CLI's own parsers ─► band key ─► cached record text
                                                                                        │  + the row's echo
                                                                                        ▼
                                                         sink: JSONL / CSV / JSON array, stdout or -o FILE

Why it is fast without orjson: two cases that fall in the same band of every rule condition get the
same assessment apart from the echo of the case, so each band's record is serialised once and the
echo is spliced in per row (the bands are the engine's: `partition.Partition`). Parsing goes through
`parsing.parse_answer` like every other door, memoised per raw value, so a batch accepts and rejects
exactly what `assess` does.

Why parallel runs scale: the parent never touches the rows. A seekable file is cut into small
byte-range shards at line starts; each worker process reads its own shards and writes its records
straight to the output, in shard order, by passing a turn along with the count of rows written so
far (which keeps row numbers global without a counting pass). A worker whose turn has not come
keeps its shard's output in memory, up to a bound, so memory stays flat however long the input.
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import os
import re
import stat
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO

from .errors import CaseError, UsageError, WriteError
from .fields import FIELDS, ID_COLUMNS
from .fileio import Output
from .models import CORE_FIELDS, EXTENDED_FIELDS, FIELD_KINDS, Case, plain
from .render import BATCH_FORMATS
from .safetext import printable

if TYPE_CHECKING:
    from .ruleset import RuleSet

INPUT_FORMATS = ("csv", "jsonl", "json")
OUTPUT_FORMATS = BATCH_FORMATS
CSV_COLUMNS = ("row", "id", "stage", "severity", "credit_level", "reporting", "consequences", "steps",
               "references", "error",
               # added with the extended answers, after the contract's columns so none of those moves:
               "plan_months", "monthly_payment", "retention_until", "interest_exceeds")
_CSV_EXTRA = 4  # the columns after `error`

# Column names a spreadsheet may use, besides the field ids. Compared after NFKC, strip and casefold.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {**{f.id: (f.id, *f.columns) for f in FIELDS}, "id": ID_COLUMNS}
ALL_FIELDS = CORE_FIELDS + EXTENDED_FIELDS  # a field's number is its place here
_FIELD_NUMBER = {name: n for n, name in enumerate(ALL_FIELDS)}
# Answers of these kinds feed arithmetic (interest check, repayment plan, how long a record stays)
# whose exact figures are in the record: a row with any of them is keyed by its whole case.
BY_VALUE_KINDS = ("money", "percent", "date")


def _column_key(name: object) -> str:
    return unicodedata.normalize("NFKC", str(name)).strip().casefold().replace("-", "_")


_COLUMN_INDEX = {_column_key(name): field_id for field_id, names in COLUMN_NAMES.items() for name in names}

UTF8_BOM = codecs.BOM_UTF8
HEAD_BYTES = 1 << 20  # read before any output: format sniffing, the header, an early encoding check
MIN_PARALLEL_BYTES = 256 << 10  # below this, starting processes costs more than it saves
SHARD_ROWS = 1000  # rows per shard, roughly: small, so that workers take turns often and wait little
MAX_PENDING_BYTES = 48 << 20  # a worker waiting for its turn holds at most this much output
PARSE_CACHE_LIMIT = 20_000  # distinct raw values remembered per field
RESULT_CACHE_LIMIT = 10_000  # distinct band keys remembered
MAX_ROW_CHARS = 128 << 10  # a longer CSV record or JSONL line is a damaged row (the csv module's old field limit)
MAX_LINE_CHARS = 16 << 20  # a line going on past this is not a file of cases: the run stops
MAX_VALUE_LINES = 100  # a quoted CSV value may run over at most this many line breaks
MAX_COLUMNS = 16_384  # Excel's limit
MAX_DEPTH = 32  # nesting of one JSON value in a row, as for rule files
RESULT_CACHE_BYTES = 64 << 20  # and their records' bytes: a large rule set makes every record large
# Codecs in which b"\n" and b'"' never occur inside a multi-byte character, so a file can be cut at b"\n".
SHARDABLE_CODECS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii", "iso8859-1"}

def _some(names: Iterable[str], limit: int = 20) -> str:
    """At most `limit` names: a sheet with ten thousand stray columns gets one readable warning."""
    shown = list(itertools.islice(names, limit + 1))
    if len(shown) <= limit:
        return ", ".join(shown)
    return ", ".join(shown[:limit]) + ", …"


def text(rules: RuleSet, key: str, lang: str, **params: Any) -> str:
    """A batch message, from the interface texts in rules/ui.yaml."""
    return rules.message("batch_" + key, lang, **params)


def column_field(name: object) -> str | None:
    """The case field a column or key name stands for, or None when it is not one of ours."""
    return _COLUMN_INDEX.get(_column_key(name))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- one row in, one record out


class RowError(Exception):
    """A row that cannot be assessed: becomes an error record, and the run goes on."""

    def __init__(self, field: str | None, message: str, case_id: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.case_id = case_id


@dataclass(frozen=True)
class _Result:
    """One assessment, serialised once: the record text after the case echo, and the CSV columns."""

    json_tail: bytes  # ',"stage":…}' : everything after the "case" object, closing brace included
    jsonl_tail: bytes  # the same with the line end
    csv_tail: bytes  # ',stage,severity,…,references,' + line end : everything after the id column


_ERROR = CaseError  # a cached parse outcome that is an error is the CaseError itself


class Assessor:
    """Turns raw answers into record pieces, with the CLI's parsers and the band-key cache.

    A row is (core, case id, extra): the raw values of the four core fields in order, and the extended
    answers given as (field number, raw value) pairs in ALL_FIELDS order."""

    def __init__(self, rules: RuleSet, as_of: date, lang: str) -> None:
        from .engine import evaluate, lookup
        from .render.record import to_record

        self.rules, self.as_of, self.lang = rules, as_of, lang
        self._evaluate, self._to_record = evaluate, to_record
        self.partition = lookup(rules).partition
        self._caches: tuple[dict[Any, Any], ...] = tuple({} for _ in ALL_FIELDS)
        self._results: dict[tuple[Any, ...], _Result] = {}
        self._results_bytes = 0
        self._by_value = tuple(FIELD_KINDS[name] in BY_VALUE_KINDS for name in ALL_FIELDS)
        self.head = b""
        self.fast = self._check_splice()

    # The record is '{"schema_version":1,"case":' + echo + tail. Find the head from a real record, and
    # check that echoes assembled from per-field pieces match Case.echo() byte for byte, with and
    # without extended answers; if the record or the echo ever change shape, serialise every row.
    def _check_splice(self) -> bool:
        raws: dict[str, Any] = {"overdue_days": 45, "amount": "5000.5", "apr": "36%", "contract_date": "2024-03-01",
                                "lpr": "3.45", "monthly_income": "8000", "monthly_expenses": "5000",
                                "repaid_on": "2025-02-29", "other_debts": "2"}
        for name in ALL_FIELDS:
            if FIELD_KINDS[name] in ("choice", "choices") and self.rules.choices(name):
                raws[name] = self.rules.choices(name)[-1]["id"]
        raws["repaid_on"] = "2000-02-29"  # a leap day, before any --as-of a run is likely to use
        samples = [{k: raws[k] for k in CORE_FIELDS}, raws]
        for sample in samples:
            parsed = [(n, self._parse(n, sample[name])) for n, name in enumerate(ALL_FIELDS) if name in sample]
            if any(p.__class__ is _ERROR for _, p in parsed):
                return False
            case = Case(id='A"1', **{ALL_FIELDS[n]: p[2] for n, p in parsed})
            record = self._record(case)
            record["case"] = "\0echo\0"
            parts = _dumps(record).split(_dumps("\0echo\0"))
            if len(parts) != 2:
                return False
            self.head = parts[0].encode()
            spliced = b'{"id":' + _id_json('A"1') + b"".join(p[0] for _, p in parsed) + b"}"
            if spliced != _dumps(case.echo()).encode():
                return False
        return True

    def _record(self, case: Case) -> dict[str, Any]:
        return self._to_record(self._evaluate(case, self.rules, self.as_of, trace=False), self.rules, self.lang)

    def _parse(self, n: int, raw: Any) -> Any:
        """(echo piece, key part, value) for field number n, or the CaseError; memoised per raw value."""
        from .parsing import parse_answer

        name = ALL_FIELDS[n]
        try:
            value = parse_answer(name, raw, self.rules, self.lang, self.as_of)
        except CaseError as exc:
            return exc
        if value is None:  # a blank extended answer: unknown, as if the column were not there
            return (b"", None, None)
        return (_piece(name, value), self.partition.part(name, value), value)

    def _lookup(self, n: int, raw: Any) -> Any:
        # 1, 1.0 and True are equal dict keys, yet parse differently: key non-strings by their type too.
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        cache = self._caches[n]
        try:
            return cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value from JSON (a list, an object): parse, do not cache
            return self._parse(n, raw)
        found = self._parse(n, raw)
        if len(cache) >= PARSE_CACHE_LIMIT:
            cache.clear()  # flat memory beats a perfect hit rate
        cache[key] = found
        return found

    def assess(self, raws: tuple[Any, ...], case_id: str | None, extra: tuple[tuple[int, Any], ...] = ()
               ) -> tuple[bytes, _Result]:
        """The case echo and the assessment for one row; raises RowError naming the first bad field."""
        pieces, known = self.parsed(raws, case_id, extra)
        echo_parts = b"".join(p[0] for p in pieces)
        if known:
            echo_parts += b"".join(p[0] for _, p in known)
        echo = b'{"id":' + (b"null" if case_id is None else _id_json(case_id)) + echo_parts + b"}"
        if not self.fast:
            return echo, self._result(self._record(self._case(pieces, known)))
        if not known:
            key: tuple[Any, ...] = (pieces[0][1], pieces[1][1], pieces[2][1], pieces[3][1])
        elif any(self._by_value[n] for n, _ in known):
            key = (pieces[0][2], pieces[1][2], pieces[2][2], pieces[3][2], *((n, p[2]) for n, p in known))
        else:
            key = (pieces[0][1], pieces[1][1], pieces[2][1], pieces[3][1], *((n, p[2]) for n, p in known))
        result = self._results.get(key)
        if result is None:
            result = self._result(self._record(self._case(pieces, known)))
            size = len(result.json_tail) + len(result.jsonl_tail) + len(result.csv_tail)
            if len(self._results) >= RESULT_CACHE_LIMIT or self._results_bytes + size > RESULT_CACHE_BYTES:
                self._results.clear()
                self._results_bytes = 0
            self._results[key] = result
            self._results_bytes += size
        return echo, result

    def parsed(self, raws: tuple[Any, ...], case_id: str | None, extra: tuple[tuple[int, Any], ...] = ()
               ) -> tuple[list[Any], list[tuple[int, Any]]]:
        """The parsed core answers, and the extended answers given; raises RowError naming the first bad field."""
        lookup = self._lookup
        pieces = [lookup(0, raws[0]), lookup(1, raws[1]), lookup(2, raws[2]), lookup(3, raws[3])]
        for p in pieces:
            if p.__class__ is _ERROR:
                raise RowError(p.field, p.message, case_id)
        known: list[tuple[int, Any]] = []
        for n, raw in extra:
            p = lookup(n, raw)
            if p.__class__ is _ERROR:
                raise RowError(p.field, p.message, case_id)
            if p[2] is not None:
                known.append((n, p))
        return pieces, known

    @staticmethod
    def _case(pieces: list[Any], known: list[tuple[int, Any]], case_id: str | None = None) -> Case:
        values = {name: p[2] for name, p in zip(CORE_FIELDS, pieces)}
        values.update((ALL_FIELDS[n], p[2]) for n, p in known)
        return Case(id=case_id, **values)

    def _result(self, record: dict[str, Any]) -> _Result:
        record = dict(record)
        record["case"] = "\0echo\0"
        text = _dumps(record)
        json_tail = text[text.index(_dumps("\0echo\0")) + len(_dumps("\0echo\0")):]
        impact = record["credit_impact"]
        plan, interest = record.get("plan") or {}, record.get("interest_check") or {}
        exceeds = interest.get("exceeds")
        texts = [record["stage"], record["severity"], impact["level"], impact["reporting"],
                 ";".join(c["id"] for c in record["consequences"]),
                 ";".join(s["id"] for s in record["steps"]),
                 ";".join(r["id"] for r in record["references"]), ""]
        numbers = [str(plan.get("months") or ""), plan.get("monthly_payment") or "",
                   impact.get("retention_until") or "", "" if exceeds is None else str(exceeds).lower()]
        cells = [_csv_text(c) for c in texts] + [_csv_cell(c) for c in numbers]
        tail = json_tail.encode()
        return _Result(tail, tail + b"\n", ("," + ",".join(cells) + "\r\n").encode())


def _piece(name: str, value: Any) -> bytes:
    """One field of the case echo as JSON, e.g. b',"amount":"5000.00"'. (Checked against Case.echo().)"""
    if name == "overdue_days":
        return b',"overdue_days":%d' % value
    if name == "amount":
        return b',"amount":"' + str(value).encode() + b'"'  # parsed amounts carry exactly two places
    return b"," + _dumps({name: plain(value)})[1:-1].encode()


def _id_json(case_id: str) -> bytes:
    if case_id.isascii() and case_id.isprintable() and '"' not in case_id and "\\" not in case_id:
        return b'"' + case_id.encode() + b'"'
    return _dumps(case_id).encode()


def _csv_cell(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _csv_text(value: str) -> str:
    """A text cell, which may have come from the input: a spreadsheet must not run it as a formula (a
    leading ' makes it text, as OWASP recommends), and a line break in it must not split the record
    (it is written as \\n or \\r). Numbers the tool computes are written as they are."""
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if "\n" in value or "\r" in value:
        value = value.replace("\r", "\\r").replace("\n", "\\n")
    return _csv_cell(value)


# ---------------------------------------------------------------- output formats


@dataclass(frozen=True)
class Format:
    name: str
    header: bytes
    footer: bytes

    def error_line(self, row: int, case_id: str | None, field_id: str | None, message: str) -> tuple[bytes, bytes]:
        """An error record around its row number: (before, after)."""
        if self.name == "csv":
            reason = f"{field_id}: {message}" if field_id else message
            return b"", ("," + _csv_text(case_id or "") + ",,,,,,,," + _csv_text(reason) + "," * _CSV_EXTRA
                         + "\r\n").encode()
        rest = b"," + _dumps({"id": case_id, "error": {"field": field_id, "message": message}})[1:].encode()
        return (b'{"row":', rest + b"\n") if self.name == "jsonl" else (b',\n{"row":', rest)


def _csv_id(case_id: str | None) -> bytes:
    return b"" if case_id is None else _csv_text(case_id).encode()


def make_format(name: str, excel: bool) -> Format:
    if name == "csv":
        return Format("csv", (UTF8_BOM if excel else b"") + (",".join(CSV_COLUMNS) + "\r\n").encode(), b"")
    if name == "json":
        return Format("json", b"[", b"\n]\n")
    return Format("jsonl", b"", b"")


IOV_MAX = 1024


class Writer:
    """Writes output in order as lists of byte strings, with os.writev: a record's long tail is the
    cached bytes of its band, never copied. Lines that carry a row number wait, as (before, local
    row, after, tail), until `offset`, the number of rows before this shard, is known; past
    MAX_PENDING_BYTES of waiting output the writer asks for its turn and waits for it."""

    def __init__(self, fd: int | None, stream: BinaryIO | None, offset: int | None,
                 take_turn: Callable[[], int] | None = None, json_array: bool = False,
                 name: str = "standard output") -> None:
        self._fd, self._stream = fd, stream
        self.name = name  # for the message when a write fails
        self.offset = offset
        self._take_turn = take_turn
        self._parts: list[bytes] = []
        self._size = 0
        self._waiting: list[Any] = []  # entries, before the offset is known
        self._waiting_size = 0
        self._strip_comma = json_array  # the first element of a JSON array has no comma before it

    def line(self, head: bytes, tail: bytes) -> None:
        if self.offset is None:
            self._wait((head, tail))
            return
        if self._strip_comma:
            self._strip_comma, head = False, head[1:]
        self._parts.append(head)
        if tail:
            self._parts.append(tail)
            self._size += len(tail)
        if len(self._parts) >= IOV_MAX or self._size >= 1 << 20:
            self.flush()

    def numbered(self, before: bytes, row: int, after: bytes, tail: bytes = b"") -> None:
        if self.offset is None:
            self._wait((before, row, after, tail))
            return
        self.line(b"%s%d%s" % (before, self.offset + row, after), tail)

    def raw(self, data: bytes) -> None:
        if data:
            self._parts.append(data)

    def _wait(self, entry: tuple[Any, ...]) -> None:
        self._waiting.append(entry)
        # The tails are shared cached bytes; what waiting really costs is the entry and its head.
        self._waiting_size += 100 + len(entry[0]) + (len(entry[2]) if len(entry) == 4 else 0)
        if self._waiting_size > MAX_PENDING_BYTES:
            self.wait_for_turn()

    def wait_for_turn(self) -> None:
        if self.offset is not None:
            return
        assert self._take_turn is not None
        self.offset = self._take_turn()
        self._strip_comma = self._strip_comma and self.offset == 0
        waiting, self._waiting = self._waiting, []
        for entry in waiting:
            if len(entry) == 2:
                self.line(*entry)
            else:
                self.numbered(*entry)

    def flush(self) -> None:
        try:
            self._flush()
        except BrokenPipeError:
            raise  # the reader went away: the command line ends quietly
        except OSError as exc:  # a full disk, a file size limit, a closed stdout
            raise WriteError(self.name, exc.strerror or str(exc)) from None

    def _flush(self) -> None:
        parts, self._parts, self._size = self._parts, [], 0
        if self._fd is None:
            assert self._stream is not None
            self._stream.write(b"".join(parts))
            self._stream.flush()
            return
        start = 0
        while start < len(parts):
            written = os.writev(self._fd, parts[start:start + IOV_MAX])
            # Skip the parts that went out (empty ones always do); a short write leaves a part cut.
            while start < len(parts) and written >= len(parts[start]):
                written -= len(parts[start])
                start += 1
            if written:
                parts[start] = parts[start][written:]


# ---------------------------------------------------------------- reading


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


_BAD_BYTES = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of bytes that do not decode
# One scan finds every line that needs a closer look; most lines have none of these and are just split.
_UNUSUAL = re.compile('["\0\r\ufeff\udc80-\udcff]')
_FORBIDDEN = re.compile("[\0\r\ufeff]")  # never in a CSV row; a CR is fine only as part of the CRLF line end
_DAMAGE = {"\0": "nul", "\r": "cr", "\ufeff": "bom"}


def _physical_lines(stream: io.TextIOWrapper, back: list[tuple[int, str | None]], line_at: Callable[[int], int],
                    source: str) -> Iterator[tuple[int, str | None]]:
    """(n, line) for the nth line, without its line end (LF, with any CR just before it); None for a line
    longer than MAX_ROW_CHARS, whose rest is skipped, never kept. Lines put on the `back` stack (read ahead, to be
    read again) come before the next new line.

    A line that goes on past MAX_LINE_CHARS is no row at all (/dev/zero, a binary file): a usage error."""
    readline = stream.readline  # not read(): a line must be answered when it arrives, not a buffer later
    n = 0
    while True:
        line: str | None = readline(MAX_ROW_CHARS + 1)
        if not line:
            break
        if len(line) > MAX_ROW_CHARS and line[-1] != "\n":
            skipped = len(line)
            while line and line[-1] != "\n":
                line = readline(1 << 16)
                skipped += len(line)
                if skipped > MAX_LINE_CHARS:
                    raise UsageError(f"{source}: line {line_at(n):,} goes on past {MAX_LINE_CHARS >> 20} MB "
                                     "without a line break: not a file of cases; stopped there")
            line = None
        else:
            line = line.rstrip("\r\n")
        while back:
            yield back.pop()
        yield n, line
        n += 1


def _drain(back: list[tuple[int, str | None]]) -> Iterator[tuple[int, str | None]]:
    while back:
        yield back.pop()


def _split(text: str) -> list[str] | tuple[int, str]:
    """The cells of a CSV record, or (index, problem) where it breaks: "open" for a quoted value that
    does not close, "after_quote" for text after a closing quote. Quotes open a value only at its
    start (RFC 4180, as Excel writes); elsewhere a quote is an ordinary character."""
    if '"' not in text:
        return text.split(",")
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
            if pos < end and text[pos] != ",":
                return pos, "after_quote"
            cells.append("".join(parts))
            if pos >= end:
                return cells
        else:
            comma = text.find(",", pos)
            if comma < 0:
                cells.append(text[pos:])
                return cells
            cells.append(text[pos:comma])
            pos = comma
        pos += 1


def _damage(body: str) -> tuple[int, str] | None:
    found = _FORBIDDEN.search(body)
    return None if found is None else (found.start(), _DAMAGE[found.group()])


@dataclass
class Columns:
    """Where each field is in a CSV row."""

    width: int
    index: tuple[int, int, int, int]
    id_index: int  # -1: no id column
    unknown: list[str]
    extra: tuple[tuple[int, int], ...] = ()  # (field number, column) of the extended answers given


def read_header(cells: list[str], source: str) -> Columns:
    positions: dict[str, int] = {}
    unknown = []
    for n, cell in enumerate(cells):
        name = column_field(cell)
        if name is None:
            if cell.strip():
                unknown.append(cell)
            continue
        if name in positions:
            raise UsageError(f'{source}: columns "{cells[positions[name]]}" and "{cell}" both give {name}')
        positions[name] = n
    missing = [name for name in CORE_FIELDS if name not in positions]
    if missing:
        wanted = "; ".join(f"{name} ({', '.join(COLUMN_NAMES[name])})" for name in missing)
        raise UsageError(f"{source}: no column for {wanted}. The header has: {', '.join(cells)}")
    index = (positions["overdue_days"], positions["amount"], positions["platform"], positions["negotiation"])
    extra = tuple((_FIELD_NUMBER[name], positions[name]) for name in EXTENDED_FIELDS if name in positions)
    return Columns(len(cells), index, positions.get("id", -1), unknown, extra)


def _csv_rows(lines: Iterator[tuple[int, str | None]], back: list[tuple[int, str | None]], columns: Columns,
              keys: KeyMap, line_at: Callable[[int], int]) -> Iterator[Any]:
    """Rows as (core, id, extra), or RowError for a row that cannot be read. Blank rows are not rows.

    A row is one line. A quoted value may run over line breaks (Excel's multi-line cells) only if it
    holds no comma, closes within MAX_VALUE_LINES lines and MAX_ROW_CHARS, and the row then has as
    many cells as the header: anything else is damage to the line that opened it, and reading goes on
    with the next line. So a stray quote costs one row, never the rows after it."""
    rules, lang = keys.rules, keys.lang
    width, (i0, i1, i2, i3), idi, extra = columns.width, columns.index, columns.id_index, columns.extra
    unusual = _UNUSUAL.search
    while True:
        for n, line in lines:
            if line is None:
                yield RowError(None, _damaged(rules, lang, line_at(n), MAX_ROW_CHARS, "long"))
                continue
            suspect = unusual(line) is not None
            if suspect:
                found = _damage(line) or _split(line)
                if isinstance(found, tuple) and found[1] == "open" and "," not in line[found[0]:]:
                    found = _close_over_lines(line, found, lines, back, width)
                if isinstance(found, tuple):
                    yield RowError(None, _damaged(rules, lang, line_at(n), *found))
                    continue
                cells = found
            else:
                cells = line.split(",")
            if len(cells) != width:
                if not any(c.strip() for c in cells):
                    continue
                yield RowError(None, text(rules, "width", lang, count=len(cells), width=width))
                continue
            case_id = cells[idi] or None if idi >= 0 else None
            raws = (cells[i0], cells[i1], cells[i2], cells[i3])
            if not (raws[0] or raws[1] or raws[2] or raws[3] or case_id) and not any(c.strip() for c in cells):
                continue
            if suspect and _BAD_BYTES.search("".join(cells)):
                yield RowError(None, text(rules, "bad_bytes", lang))
                continue
            yield (raws, case_id, tuple((f, cells[i]) for f, i in extra) if extra else ())
        if not back:
            return
        lines = _drain(back)  # a value that did not close read ahead to the end: read those lines again


def _close_over_lines(line: str, found: tuple[int, str], lines: Iterator[tuple[int, str | None]],
                      back: list[tuple[int, str | None]], width: int) -> list[str] | tuple[int, str]:
    """The cells of the record whose quoted value, opened on `line`, closes on a later line; else
    `found`, and the lines read ahead go `back`, to be read as rows of their own."""
    ahead: list[tuple[int, str | None]] = []
    record = line
    while len(ahead) < MAX_VALUE_LINES:
        item = back.pop() if back else next(lines, None)
        if item is None:
            break
        ahead.append(item)
        following = item[1]
        if following is None or len(record) + len(following) >= MAX_ROW_CHARS:
            break
        if "," in following.split('"', 1)[0] or _damage(following) is not None:
            break  # a row, not the rest of a value
        record += "\n" + following
        cells = _split(record)
        if isinstance(cells, list):
            if len(cells) == width and not any("," in c for c in cells if "\n" in c):
                return cells
            break
        if cells[1] != "open":
            break
    back.extend(reversed(ahead))
    return found


def _damaged(rules: RuleSet, lang: str, line: int, index: int, kind: str) -> str:
    return text(rules, "damaged", lang, line=f"{line:,}", column=f"{index + 1:,}",
                what=text(rules, "damage_" + kind, lang, limit=f"{MAX_ROW_CHARS:,}"))


class KeyMap:
    """Maps the keys of JSON objects and API mappings to fields, remembering the names it ignored."""

    def __init__(self, rules: RuleSet, lang: str) -> None:
        self.rules = rules
        self.lang = lang
        self._known: dict[Any, str | None] = {}
        self.unknown: dict[str, None] = {}  # ordered set

    def row(self, obj: Any) -> Any:
        if not isinstance(obj, Mapping):
            return RowError(None, text(self.rules, "not_object", self.lang, type=type(obj).__name__))
        values: dict[str, Any] = {}
        for key, value in obj.items():
            name = self._known.get(key, "")
            if name == "":
                name = column_field(key)
                if len(self._known) < 10_000:
                    self._known[key] = name
            if name is None:
                if len(self.unknown) < 100:
                    self.unknown[str(key)] = None
                continue
            if value.__class__ is float and value != value:
                value = None  # NaN: how pandas spells an empty cell
            elif value.__class__ is str and _BAD_BYTES.search(value):
                return RowError(name, text(self.rules, "bad_bytes", self.lang))
            elif value.__class__ in (list, dict) and _deeper_than(value, MAX_DEPTH):
                return RowError(name, text(self.rules, "too_deep", self.lang, limit=MAX_DEPTH))
            if name in values:
                return RowError(name, text(self.rules, "twice", self.lang, name=name), _as_id(values.get("id")))
            values[name] = value
        case_id = _as_id(values.get("id"))
        core = (values.get("overdue_days"), values.get("amount"), values.get("platform"), values.get("negotiation"))
        return core, case_id, tuple((_FIELD_NUMBER[n], values[n]) for n in EXTENDED_FIELDS if n in values)


def _deeper_than(value: Any, limit: int) -> bool:
    # Without recursion: the value is what is too deep for it.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _as_id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _jsonl_rows(lines: Iterator[tuple[int, str | None]], keys: KeyMap, line_at: Callable[[int], int]
                ) -> Iterator[Any]:
    loads = json.loads
    for n, line in lines:
        if line is None:
            yield RowError(None, _damaged(keys.rules, keys.lang, line_at(n), MAX_ROW_CHARS, "long"))
            continue
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except ValueError as exc:
            yield RowError(None, text(keys.rules, "bad_json", keys.lang, error=exc))
            continue
        except RecursionError:
            yield RowError(None, text(keys.rules, "too_deep", keys.lang, limit=MAX_DEPTH))
            continue
        yield keys.row(obj)


def _json_array_rows(stream: io.TextIOWrapper, keys: KeyMap, source: str) -> Iterator[Any]:
    """The elements of a JSON array, decoded one at a time so that memory stays flat."""
    decoder = json.JSONDecoder()
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
        return UsageError(f"{source}: not a valid JSON array ({what} after element {count}); "
                          "every element before it was written")

    fill()
    if skip_space() == "":
        return
    if buf[pos] != "[":
        raise broken('expected "["')
    pos += 1
    while True:
        c = skip_space()
        if c == "]":
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


# ---------------------------------------------------------------- the run


@dataclass
class Options:
    input: str
    input_format: str | None = None
    encoding: str | None = None
    output: str | None = None
    output_format: str | None = None
    excel: bool = False
    jobs: int | None = None
    fail_fast: bool = False
    lang: str = "zh"
    rule_paths: list[str] | None = None
    as_of: date = field(default_factory=date.today)


@dataclass
class Summary:
    rows: int = 0
    rejected: int = 0
    seconds: float = 0.0
    unknown: list[str] = field(default_factory=list)
    stopped: tuple[int, str | None, str] | None = None  # --fail-fast: (row, field, message)
    written: bool = True

    @property
    def assessed(self) -> int:
        return self.rows - self.rejected


def rows_for(fmt: str, stream: io.TextIOWrapper, columns: Columns | None, keys: KeyMap, source: str,
             line_at: Callable[[int], int]) -> Iterator[Any]:
    """The rows of the data part of an input; line_at(n) is the file's line number of its nth line."""
    if fmt == "json":
        return _json_array_rows(stream, keys, source)
    back: list[tuple[int, str | None]] = []
    lines = _physical_lines(stream, back, line_at, source)
    if fmt == "jsonl":
        return _jsonl_rows(lines, keys, line_at)
    if columns is None:  # an empty file: no header, no rows
        return iter(())
    return _csv_rows(lines, back, columns, keys, line_at)


class _BrokenInput(Exception):
    """The input stopped decoding after `rows_read` rows."""

    def __init__(self, error: UnicodeDecodeError, rows_read: int) -> None:
        super().__init__(str(error))
        self.error, self.rows_read = error, rows_read


def process(rows: Iterable[Any], assessor: Assessor, fmt: Format, writer: Writer, fail_fast: bool,
            tick: Callable[[int], None] | None = None) -> tuple[int, int, tuple[int, str | None, str] | None]:
    """Assess rows into the writer. Returns (rows, rejected, the row --fail-fast stopped at, locally)."""
    count = rejected = 0
    assess, line, numbered, head, kind = assessor.assess, writer.line, writer.numbered, assessor.head, fmt.name
    json_head = b",\n" + head
    try:
        for item in rows:
            count += 1
            try:
                if item.__class__ is RowError:
                    raise item
                raws, case_id, extra = item
                echo, result = assess(raws, case_id, extra)
                if kind == "jsonl":
                    line(head + echo, result.jsonl_tail)
                elif kind == "csv":
                    numbered(b"", count, b"," + _csv_id(case_id), result.csv_tail)
                else:
                    line(json_head + echo, result.json_tail)
            except RowError as exc:
                rejected += 1
                before, after = fmt.error_line(count, exc.case_id, exc.field, exc.message)
                numbered(before, count, after)
                if fail_fast:
                    return count, rejected, (count, exc.field, exc.message)
            if tick is not None and not count & 1023:
                tick(count)
    except UnicodeDecodeError as exc:
        raise _BrokenInput(exc, count - 1) from exc
    return count, rejected, None


class _Input:
    """The opened input: what it is, its first bytes, and how to read it."""

    def __init__(self, opts: Options) -> None:
        self.name = "stdin" if opts.input == "-" else opts.input
        self.path: str | None = None
        self.size: int | None = None
        if opts.input == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:
                raise UsageError("stdin cannot be read as bytes")
            self.stream: BinaryIO = stream
            head = b""
            while len(head) < HEAD_BYTES:
                chunk = stream.read1(HEAD_BYTES - len(head)) if hasattr(stream, "read1") else stream.read(HEAD_BYTES)
                if not chunk:
                    break
                head += chunk
                if head.strip() and b"\n" in head:
                    break
            self.head = head
        else:
            try:
                self.stream = open(opts.input, "rb")  # noqa: SIM115 - closed by close()
                info = os.fstat(self.stream.fileno())
                # A pipe or a device (<(…), /dev/zero) has no size: it is read as a stream, like stdin.
                self.size = info.st_size if stat.S_ISREG(info.st_mode) else None
                self.head = self.stream.read(HEAD_BYTES)
            except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
                raise UsageError(f"cannot read {opts.input}: {getattr(exc, 'strerror', None) or exc}") from None
            self.path = opts.input
        try:
            self.format = self._format(opts)
            self.encoding = self._encoding(opts)
        except BaseException:
            self.close()
            raise

    def _format(self, opts: Options) -> str:
        if opts.input_format is not None:
            fmt = opts.input_format.strip().lower()
            if fmt not in INPUT_FORMATS:
                raise UsageError(f'--input-format: "{opts.input_format}" is not one of: {", ".join(INPUT_FORMATS)}')
            return fmt
        suffix = os.path.splitext(self.name)[1].lower()
        first = self.head.lstrip(UTF8_BOM).lstrip()[:1]
        if suffix in (".jsonl", ".ndjson"):
            return "jsonl"
        if suffix == ".csv" or (suffix not in (".json",) and first not in (b"[", b"{")):
            return "csv"
        return "jsonl" if first == b"{" else "json"

    def _encoding(self, opts: Options) -> str:
        name = opts.encoding or "utf-8"
        try:
            info = codecs.lookup(name)
        except LookupError:
            raise UsageError(f'--encoding: unknown encoding "{name}"; try utf-8 or gb18030') from None
        if not info._is_text_encoding:  # rot13, base64, zlib…: they do not turn bytes into text
            raise UsageError(f'--encoding: "{name}" is not a text encoding; try utf-8 or gb18030')
        codec = info.name
        if self.head.startswith(UTF8_BOM) or codec == "utf-8":
            codec = "utf-8-sig"  # a BOM says UTF-8 whatever the flag says; Excel writes one
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            decoder.decode(self.head, final=len(self.head) < HEAD_BYTES and self.size is not None)
        except UnicodeDecodeError as exc:
            if not self._only_damaged_rows(codec):
                raise self.decode_error(codec, exc) from None
        except UnicodeError as exc:  # the codec refuses the file as a whole (UTF-16 with no BOM, "undefined")
            raise UsageError(f'--encoding: "{name}" cannot read {self.name}: {exc}') from None
        return codec

    def _only_damaged_rows(self, codec: str) -> bool:
        """Is the file in this encoding with a few damaged lines (error records), or in another one?

        A wrong encoding shows in the header or in many lines; a damaged line is rare.
        """
        lines = self.head.split(b"\n")
        if len(self.head) >= HEAD_BYTES:
            lines = lines[:-1]  # the last one may be cut in the middle of a character
        bad = 0
        for n, line in enumerate(lines):
            try:
                line.decode(codec)
            except UnicodeDecodeError:
                if n == 0:
                    return False
                bad += 1
        return bad == 1 or bad * 100 <= len(lines)

    def decode_error(self, codec: str, exc: UnicodeDecodeError, where: str = "") -> UsageError:
        hint = ("; if it was saved by Excel or WPS on Chinese Windows, try --encoding gb18030"
                if codec.startswith("utf-8") else "")
        return UsageError(f"{self.name}: not valid {codec.replace('-sig', '').upper()} text{where} "
                          f"({exc.reason}){hint}")

    def close(self) -> None:
        if self.path is not None:
            self.stream.close()


def _header(inp: _Input, rules: RuleSet, lang: str) -> tuple[Columns | None, int, int]:
    """The CSV header, from the first bytes: the columns, and the byte offset and line number of the
    first data line. The header is one line; one that cannot be read is a usage error."""
    decoded = inp.head.decode(inp.encoding, errors="surrogateescape")
    start, number = 0, 1
    while True:
        end = decoded.find("\n", start)
        line = decoded[start:] if end < 0 else decoded[start:end + 1]
        if line.strip():
            break
        if end < 0:
            return None, len(inp.head), number
        start, number = end + 1, number + 1
    body = line.rstrip("\n").removesuffix("\r")
    if len(body) > MAX_ROW_CHARS or (end < 0 and len(inp.head) >= HEAD_BYTES):
        raise UsageError(f"{inp.name}: line {number}, the header, is longer than {MAX_ROW_CHARS:,} characters")
    found = _damage(body) or _split(body)
    if isinstance(found, tuple):
        raise UsageError(f"{inp.name}: the header cannot be read: "
                         + _damaged(rules, lang, number, found[0], found[1]))
    if len(found) > MAX_COLUMNS:
        raise UsageError(f"{inp.name}: the header has {len(found):,} columns; at most {MAX_COLUMNS:,} are read")
    columns = read_header(found, inp.name)
    # Where the data starts, in bytes, for cutting shards: the text read so far, encoded back.
    consumed = decoded[:start + len(line)]
    bom = len(UTF8_BOM) if inp.head.startswith(UTF8_BOM) else 0
    return columns, bom + len(consumed.encode(_no_sig(inp.encoding), errors="surrogateescape")), number + 1


def _no_sig(encoding: str) -> str:
    # Reading from past the start: a BOM there is damage to see, not a mark for the decoder to drop.
    return encoding.replace("utf-8-sig", "utf-8")


def run(opts: Options, rules: RuleSet, *, warn: Callable[[str], None], progress: bool = False) -> Summary:
    """Run a batch. Usage errors raise UsageError: before any output for a bad flag, header or
    encoding of the first megabyte; during the run only for an input that breaks later on."""
    started = time.perf_counter()
    fmt = make_format(_output_format(opts), opts.excel)
    jobs = _jobs(opts.jobs)
    inp = _Input(opts)
    try:
        _refuse_to_replace_the_input(inp, opts.output)
        columns, data_start, first_line = (None, 0, 1)
        if inp.format == "csv":
            columns, data_start, first_line = _header(inp, rules, opts.lang)
            if columns is not None and columns.unknown:
                warn(text(rules, "unknown_columns", opts.lang, names=_some(map(printable, columns.unknown))))
        target = _Target(opts.output)
        # Started only after any worker process is forked: Rich refreshes from a thread.
        bar = (lambda: _Progress(inp.size, inp.name)) if progress else None
        try:
            plan = _plan(inp, columns, data_start, first_line, jobs, target)
            if plan is not None:
                from .parallel import run_parallel

                summary = run_parallel(inp, opts, fmt, columns, plan, target, bar)
            else:
                summary = _run_single(inp, opts, rules, fmt, columns, Plan(1, data_start, inp.size or 0, 0, first_line),
                                      target, bar)
            summary.written = summary.stopped is None
            target.finish(keep=summary.written)
        except BaseException:
            target.finish(keep=False)
            raise
    finally:
        inp.close()
    if summary.unknown and inp.format != "csv":
        warn(text(rules, "unknown_columns", opts.lang, names=_some(map(printable, summary.unknown))))
    summary.seconds = time.perf_counter() - started
    return summary


def _refuse_to_replace_the_input(inp: _Input, output: str | None) -> None:
    """-o naming the input (by any path, a symlink or a hard link) would replace the cases with the results."""
    if output in (None, "-"):
        return
    try:
        target = os.stat(output)
        same = stat.S_ISREG(target.st_mode) and os.path.samestat(os.fstat(inp.stream.fileno()), target)
    except (OSError, ValueError, AttributeError):  # no such file yet, or an input with no descriptor
        return
    if same:
        raise UsageError(f"-o: {output} is the input file; write the results to another file")


def _output_format(opts: Options) -> str:
    if opts.output_format is not None:
        name = opts.output_format.strip().lower()
        if name not in OUTPUT_FORMATS:
            raise UsageError(f'--output-format: "{opts.output_format}" is not one of: {", ".join(OUTPUT_FORMATS)}')
    else:
        suffix = os.path.splitext(opts.output or "")[1].lower()
        name = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix, "")
        name = name or ("csv" if opts.excel else "jsonl")
    if opts.excel and name != "csv":
        raise UsageError(f"--excel: only CSV output has a BOM for Excel, and the output is {name}")
    return name


def _jobs(jobs: int | None) -> int:
    if jobs is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    if jobs < 1:
        raise UsageError(f"--jobs: {jobs} is not a number of processes (1 or more)")
    return jobs


class _Target:
    """The output: stdout, or FILE written the one safe way (fileio.Output): a temporary `.part` file
    beside it, renamed into place only when the run completes.

    `fd` is a real file descriptor when there is one (worker processes write to it too); else
    `stream` is a binary stream (stdout replaced by a test harness, say). `temp` is the part file,
    None when writing straight to stdout, a device or a FIFO."""

    def __init__(self, path: str | None) -> None:
        self.path = None if path in (None, "-") else path
        self.name = self.path or "standard output"
        self.temp: str | None = None
        self.fd: int | None = None
        self.stream: Any = None  # a binary stream with write() and flush(), when there is no fd
        self._out: Output | None = None
        if self.path is None:
            sys.stdout.flush()
            try:
                self.fd = sys.stdout.fileno()
            except (AttributeError, OSError, ValueError):
                self.stream = getattr(sys.stdout, "buffer", None) or _TextBytes(sys.stdout)
            return
        self._out = Output(self.path, suffix=".part")
        self.fd, self.temp = self._out.fd, self._out.temp

    def writer(self, fmt: Format) -> Writer:
        return Writer(self.fd, self.stream, 0, json_array=fmt.name == "json", name=self.name)

    def finish(self, keep: bool) -> None:
        out, self._out = self._out, None
        if out is None:
            return
        if keep:
            out.commit()
        else:
            out.discard()


class _TextBytes:
    """A binary face for a text-only stdout (rare; some test harnesses)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._stream.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._stream.flush()


@dataclass(frozen=True)
class Plan:
    """A parallel run: shards of `shard_bytes` from `data_start` to `end`, over `jobs` workers."""

    jobs: int
    data_start: int
    end: int
    shard_bytes: int
    first_line: int  # the line number at data_start

    @property
    def shards(self) -> int:
        return -(-(self.end - self.data_start) // self.shard_bytes)


def _plan(inp: _Input, columns: Columns | None, data_start: int, first_line: int, jobs: int, target: _Target
          ) -> Plan | None:
    """Whether to run in parallel, and how. One process whenever shards cannot be cut safely."""
    if jobs < 2 or inp.path is None or inp.size is None or inp.format == "json":
        return None
    if inp.format == "csv" and columns is None:
        return None
    if inp.size - data_start < MIN_PARALLEL_BYTES or inp.encoding not in SHARDABLE_CODECS:
        return None
    if target.fd is None:
        return None
    if inp.format == "csv" and not _values_stay_on_their_line(inp.stream):
        return None  # a quoted value may span lines somewhere: a cut at b"\n" could land inside it
    lines = inp.head.count(b"\n") or 1
    per_row = max(1, len(inp.head) // lines)
    shard = min(1 << 20, max(16 << 10, SHARD_ROWS * per_row))
    return Plan(jobs, data_start, inp.size, shard, first_line)


def _values_stay_on_their_line(stream: BinaryIO) -> bool:
    """True when no line leaves a quoted value open: then every record is one line, as in one process."""
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
    found = _split(line.decode("latin-1").rstrip("\r"))
    return found.__class__ is tuple and found[1] == "open"


def _run_single(inp: _Input, opts: Options, rules: RuleSet, fmt: Format, columns: Columns | None, plan: Plan,
                target: _Target, bar_factory: Callable[[], _Progress] | None) -> Summary:
    if inp.size is not None:
        raw = RangeReader(inp.stream, plan.data_start, inp.size)
    else:
        raw = RangeReader(inp.stream, prefix=inp.head[plan.data_start:])
    stream = text_stream(raw, _no_sig(inp.encoding) if plan.data_start else inp.encoding)
    keys = KeyMap(rules, opts.lang)
    first = plan.first_line
    rows = rows_for(inp.format, stream, columns, keys, inp.name, lambda n: first + n)
    assessor = Assessor(rules, opts.as_of, opts.lang)
    writer = target.writer(fmt)
    bar = bar_factory() if bar_factory is not None else None
    tick = None
    if bar is not None:
        def tick(count: int) -> None:
            bar.update(raw.done, count)
    try:
        writer.raw(fmt.header)
        try:
            count, rejected, stopped = process(rows, assessor, fmt, writer, opts.fail_fast, tick)
        except _BrokenInput as broken:
            writer.flush()  # the rows before the damage are answered
            where = f" after row {broken.rows_read}" if broken.rows_read else ""
            raise inp.decode_error(inp.encoding, broken.error, where) from None
        except UsageError:
            writer.flush()
            raise
        writer.raw(fmt.footer)  # after --fail-fast too: what was written stays a valid JSON array
        writer.flush()
    finally:
        if bar is not None:
            bar.close()
    return Summary(rows=count, rejected=rejected, unknown=list(keys.unknown), stopped=stopped)


class _Progress:
    """A Rich progress bar on stderr. Imported only when shown: rich costs start-up time."""

    def __init__(self, total: int | None, name: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        # The label is a file name: never read as Rich markup (`[red on red]x.csv`), its controls escaped.
        columns = [TextColumn("{task.description}", markup=False), BarColumn(),
                   TextColumn("{task.fields[rows]:,} rows")]
        if total:
            columns.append(TimeRemainingColumn())
        self._progress = Progress(*columns, console=Console(stderr=True), transient=True)
        label = printable(os.path.basename(name))
        label = label if len(label) <= 24 else label[:23] + "…"  # leave the bar room in 80 columns
        self._task = self._progress.add_task(label, total=total or None, rows=0)
        self._progress.start()

    def update(self, done_bytes: int, rows: int) -> None:
        self._progress.update(self._task, completed=done_bytes, rows=rows)

    def close(self) -> None:
        self._progress.stop()


# ---------------------------------------------------------------- the Python API


def assess_many(rows: Iterable[Any], *, rules: RuleSet, as_of: date, lang: str) -> Iterator[dict[str, Any]]:
    """One record per input mapping, in order: the records `advisor batch` writes as JSONL lines
    (the same parsers and the same `to_record`, so the two cannot drift apart; tests compare them)."""
    if lang not in ("zh", "en"):
        raise ValueError(f'lang must be "zh" or "en", not {lang!r}')
    return _records(rows, Assessor(rules, as_of, lang))


def _records(rows: Iterable[Any], assessor: Assessor) -> Iterator[dict[str, Any]]:
    from .render.record import cached_record

    fmt = make_format("jsonl", False)
    keys = KeyMap(assessor.rules, assessor.lang)
    rules, as_of, lang, evaluate = assessor.rules, assessor.as_of, assessor.lang, assessor._evaluate
    for n, item in enumerate(rows, 1):
        row = keys.row(item)
        try:
            if row.__class__ is RowError:
                raise row
            case = assessor._case(*assessor.parsed(*row), case_id=row[1])
        except RowError as exc:
            before, after = fmt.error_line(n, exc.case_id, exc.field, exc.message)
            yield json.loads(b"%s%d%s" % (before, n, after))
            continue
        yield cached_record(evaluate(case, rules, as_of), rules, lang)
