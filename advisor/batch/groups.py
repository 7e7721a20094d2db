"""Batch by household: rows sharing a client id (`--group-by COLUMN`; by default a `client` or
`客户编号` column) are one person's debts, and each client gets one household record (household.py),
the same record `advisor.assess_household` returns, plus `client` and the `rows` it answers.

Rows of one client need not be adjacent, so a client's debts are known only at the end of the input.
Memory stays bounded all the same: every row is spilled, as it is read, to a temporary SQLite file
(in a private temporary folder, removed when the run ends, however it ends), with SQLite's page cache
capped; the households are then read back one client at a time, in the order each client first
appears. Only one household (at most household.MAX_DEBTS rows) is ever held in memory.

Every input row is answered: by its client's record (which lists it in `rows`), or, for a row that
cannot be read or has no client id, by an error record of its own. A bad answer in one debt makes the
client's record an error record naming the debt (第2笔欠款：…) and its row. Input: CSV or JSONL.
Output: JSONL or a JSON array.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import CaseError, UsageError
from ..fields import PERSON_FIELDS
from ..household import MAX_DEBTS, assess_household
from ..parsing import KEYS, key_name
from .records import Summary
from .sinks import Target

if TYPE_CHECKING:
    from ..ruleset import RuleSet

DEFAULT_COLUMNS = ("client", "客户编号")
CACHE_KIB = 2048  # SQLite's page cache for the spill, in KiB
FLUSH_BYTES = 1 << 16


def group_column(opts_input: str, input_format: str | None, encoding: str | None) -> str | None:
    """The default client column when the input file has one (CSV header or first JSONL object);
    None for stdin or a file without one, which is then assessed row by row as before."""
    if opts_input == "-" or not os.path.isfile(opts_input):
        return None
    try:
        with open(opts_input, encoding=encoding or "utf-8-sig", errors="replace", newline="") as fh:
            first = fh.readline(1 << 20)
    except (OSError, LookupError, ValueError):  # a bad --encoding: the ordinary batch run says so
        return None
    if not any(name in first.casefold() for name in DEFAULT_COLUMNS):
        return None  # the common case, without parsing a line that may be huge or damaged
    fmt = _format(opts_input, input_format, first)
    try:
        if fmt == "csv":
            names = next(csv.reader([first]), [])
        else:
            obj = json.loads(first)
            names = list(obj) if isinstance(obj, dict) else []
    except (csv.Error, ValueError, RecursionError):  # the ordinary batch run reports the damage
        return None
    wanted = {key_name(c) for c in DEFAULT_COLUMNS}
    return next((n for n in names if key_name(n) in wanted), None)


def _format(path: str, given: str | None, first: str) -> str:
    if given:
        return given.strip().lower()
    ext = os.path.splitext(path)[1].lower()
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".json":
        return "json"
    if ext == ".csv":
        return "csv"
    return "jsonl" if first.lstrip().startswith("{") else "csv"


def _spill(folder: str) -> sqlite3.Connection:
    db = sqlite3.connect(os.path.join(folder, "rows.sqlite"))
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("CREATE TABLE clients (name TEXT PRIMARY KEY, gid INTEGER)")
    db.execute("CREATE TABLE rows (gid INTEGER, row INTEGER, client TEXT, data TEXT)")
    return db


def run_grouped(input_path: str, column: str, *, rules: RuleSet, as_of: date, lang: str, output: str | None,
                output_format: str | None, input_format: str | None, encoding: str | None,
                warn: Callable[[str], None], each: Callable[[dict[str, Any]], None] | None = None,
                sheet: str | None = None) -> Summary:
    """Households as JSONL or JSON; `each` sees every record first (the counsellor's summary and documents)."""
    started = time.perf_counter()
    fmt_out = (output_format or ("json" if (output or "").lower().endswith(".json") else "jsonl")).lower()
    if fmt_out not in ("jsonl", "json"):
        raise UsageError(f"--group-by: households are written as JSONL or JSON, not {fmt_out}")
    summary = Summary()
    records = grouped_records(input_path, column, rules=rules, as_of=as_of, lang=lang, input_format=input_format,
                              encoding=encoding, summary=summary, sheet=sheet)
    try:
        target = Target(output)
        try:
            _write(records if each is None else _seen(records, each), target, fmt_out)
        except BaseException:
            target.finish(keep=False)
            raise
        target.finish(keep=True)
    finally:
        records.close()
    if summary.unknown:
        from .rows import text

        warn(text(rules, "unknown_columns", lang, names=", ".join(summary.unknown)))
    summary.seconds = time.perf_counter() - started
    return summary


def _seen(records: Iterator[dict[str, Any]], each: Callable[[dict[str, Any]], None]) -> Iterator[dict[str, Any]]:
    for record in records:
        each(record)
        yield record


def grouped_records(input_path: str, column: str, *, rules: RuleSet, as_of: date, lang: str,
                    input_format: str | None, encoding: str | None, summary: Summary,
                    sheet: str | None = None) -> Generator[dict[str, Any], None, None]:
    """One record per client (or per row that has no client), in the order each first appears; `summary`
    counts the rows read and rejected and the unknown columns. Close the generator to end the run early."""
    with tempfile.TemporaryDirectory(prefix="advisor-groups-") as folder:
        db = _spill(folder)
        try:
            _read(input_path, column, input_format, encoding, db, summary, rules, lang, sheet)
            unknown: dict[str, None] = {}  # column names that name no answer: ignored, named once in a warning
            for client, members in _groups(db):
                record = _household(client, members, rules, as_of, lang, unknown)
                if "error" in record:
                    summary.rejected += len(members) if client is not None else 1
                yield record
            summary.unknown = summary.unknown or list(unknown)
        finally:
            db.close()


def _read(input_path: str, column: str, input_format: str | None, encoding: str | None, db: sqlite3.Connection,
          summary: Summary, rules: RuleSet, lang: str, sheet: str | None = None) -> None:
    """Every row into the spill, by the one reader every batch uses (so damage costs one row, never the
    rows after it, and every message is the person's language); the client column is carried as kept."""
    from .desk import DeskOptions
    from .inputs import Input, Options, read_csv_header, read_rows
    from .readers import decode_error
    from .rows import ALL_FIELDS, BrokenInput, RowError

    opts = Options(input=input_path, input_format=input_format, encoding=encoding, lang=lang,
                   desk=DeskOptions(keep=(column,), sheet=sheet))
    inp = Input(opts, rules)
    try:
        columns, data_start, first_line = (None, 0, 1)
        if inp.format == "csv":
            columns, data_start, first_line = read_csv_header(inp, rules, lang, (column,), True)
        _, keys, rows = read_rows(inp, rules, lang, columns, data_start, first_line, keep=(column,))
        gid = 0
        try:
            for n, item in enumerate(rows, 1):
                summary.rows = n
                client = None if isinstance(item, RowError) or not item.kept else item.kept[0]
                client = None if client in (None, "") else str(client).strip() or None
                if isinstance(item, RowError) or client is None:
                    gid += 1  # an error record of its own, in its place
                    message = item.message if isinstance(item, RowError) else \
                        rules.message("household_no_client", lang, column=column)
                    db.execute("INSERT INTO rows VALUES (?, ?, ?, ?)", (gid, n, None, json.dumps(message)))
                    continue
                answers = dict(zip(("overdue_days", "amount", "platform", "negotiation"), item.core))
                answers.update((ALL_FIELDS[f], value) for f, value in item.extra)
                if item.case_id is not None:
                    answers["id"] = item.case_id
                found = db.execute("SELECT gid FROM clients WHERE name = ?", (client,)).fetchone()
                if found is None:
                    gid += 1
                    db.execute("INSERT INTO clients VALUES (?, ?)", (client, gid))
                    found = (gid,)
                db.execute("INSERT INTO rows VALUES (?, ?, ?, ?)",
                           (found[0], n, client, json.dumps({k: v for k, v in answers.items() if v is not None},
                                                            ensure_ascii=False)))
        except BrokenInput as broken:
            raise decode_error(rules, lang, inp.name, inp.encoding, broken.error, broken.rows_read) from None
        summary.unknown = list(columns.unknown) if columns is not None else list(keys.unknown)
    finally:
        inp.close()
    db.execute("CREATE INDEX by_group ON rows (gid, row)")


def _groups(db: sqlite3.Connection) -> Iterator[tuple[str | None, list[tuple[int, Any]]]]:
    current, client = None, None
    members: list[tuple[int, Any]] = []
    for gid, row, who, data in db.execute("SELECT gid, row, client, data FROM rows ORDER BY gid, row"):
        if gid != current and current is not None:
            yield client, members
            members = []
        current, client = gid, who
        if len(members) <= MAX_DEBTS:  # one more than allowed is enough to refuse the household
            members.append((row, json.loads(data)))
    if current is not None:
        yield client, members


def _write(records: Iterator[dict[str, Any]], target: Target, fmt: str) -> None:
    buffer = bytearray(b"[" if fmt == "json" else b"")
    first = True
    for record in records:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        if fmt == "json":
            buffer += (b"" if first else b",") + b"\n" + text.encode()
        else:
            buffer += text.encode() + b"\n"
        first = False
        if len(buffer) >= FLUSH_BYTES:
            _emit(target, bytes(buffer))
            buffer.clear()
    if fmt == "json":
        buffer += b"\n]\n"
    _emit(target, bytes(buffer))


def _household(client: str | None, members: list[tuple[int, Any]], rules: RuleSet, as_of: date,
               lang: str, unknown: dict[str, None]) -> dict[str, Any]:
    rows = [n for n, _ in members]
    if client is None:
        return {"row": rows[0], "client": None, "error": {"field": None, "message": members[0][1]}}
    if len(members) > MAX_DEBTS:
        message = rules.message("household_too_many", lang, count=f"{MAX_DEBTS}+", max=MAX_DEBTS)
        return {"client": client, "rows": rows, "error": {"debt": None, "row": None, "field": None, "message": message}}
    debts: list[dict[str, Any]] = []
    person: dict[str, Any] = {}
    for _, row in members:
        debt: dict[str, Any] = {}
        for key, value in row.items():
            field = KEYS.get(key_name(key))
            if field in PERSON_FIELDS:
                if value not in (None, "") and field not in person:
                    person[field] = value  # the first row that gives a person's answer gives it for all
            elif field is not None:
                debt[key] = value
            elif len(unknown) < 100:
                unknown[str(key)] = None
        debts.append(debt)
    try:
        record = assess_household(debts, person, rules=rules, as_of=as_of, lang=lang, household_id=client)
    except CaseError as exc:
        bad: int | None = getattr(exc, "debt", None)
        return {"client": client, "rows": rows, "error": {
            "debt": bad, "row": rows[bad - 1] if bad else None, "field": exc.field, "message": exc.message}}
    return {"client": client, "rows": rows, **record}


def _emit(target: Target, data: bytes) -> None:
    if not data:
        return
    if target.fd is None:
        target.stream.write(data)
        target.stream.flush()
        return
    view = memoryview(data)
    while view:
        view = view[os.write(target.fd, view):]
