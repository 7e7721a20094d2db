"""Batch by household: rows sharing a client id (`--group-by COLUMN`; by default a `client` or
`客户编号` column) are one person's debts, and each client gets one household record (household.py),
the same record `advisor.assess_household` returns, plus `client` and the `rows` it answers.

Rows of one client need not be adjacent, so a client's debts are known only at the end of the input.
Nothing is written to disk: grouprows.py keeps a few numbers per row (25 bytes) and reads each client's
rows back by seeking to them, so only one household is ever in memory; person answers that differ
between a client's rows become the record's `notes` (household_person.py).

Every input row is answered: by its client's record (which lists it in `rows`), or, for a row that
cannot be read or has no client id, by an error record of its own. A bad answer in one debt makes the
client's record an error record naming the debt (第2笔欠款：…) and its row. Input: CSV or JSONL.
Output: JSONL or a JSON array.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Generator, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from ..errors import CaseError, UsageError
from ..fields import PERSON_FIELDS
from ..household import MAX_DEBTS, assess_household
from ..household_person import merge_person
from ..models import CORE_FIELDS
from ..parsing import key_name
from .grouprows import KIND, LATER, OWN, GroupedRows
from .records import Stop, Summary
from .rows import ALL_FIELDS, Row, RowError, bare_name
from .sinks import Target

if TYPE_CHECKING:
    from ..ruleset import RuleSet
    from .inputs import Input

DEFAULT_COLUMNS = ("client", "客户编号")
FLUSH_BYTES = 1 << 16


def column_in_head(inp: Input, wanted: set[str]) -> str | None:
    """The first column (CSV) or key (the first JSONL object, or a JSON array's first element) whose
    name, as key_name makes it (without a note in brackets: 客户编号(必填)), is one of `wanted`, from the
    input's first bytes; None without one."""
    from .inputs import header_names

    decoded = inp.head.decode(inp.encoding, errors="replace").lstrip("\ufeff")
    if inp.format == "csv":
        names: Any = header_names(decoded)
    else:
        text_ = decoded.lstrip()
        if inp.format == "json":
            text_ = text_[1:].lstrip() if text_.startswith("[") else ""
        try:
            first, _ = json.JSONDecoder().raw_decode(text_)
        except (ValueError, RecursionError):
            return None  # the run reports the damage
        names = list(first) if isinstance(first, dict) else []
    return next((n for n in names if key_name(bare_name(str(n))) in wanted), None)


def run_grouped(input_path: str, column: str, *, rules: RuleSet, as_of: date, lang: str, output: str | None,
                output_format: str | None, input_format: str | None, encoding: str | None,
                warn: Callable[[str], None], each: Callable[[dict[str, Any]], None] | None = None,
                sheet: str | None = None, fail_fast: bool = False, stdin: Any = None) -> Summary:
    """Households as JSONL or JSON; `each` sees every record first (the counsellor's summary and documents)."""
    started = time.perf_counter()
    fmt_out = (output_format or ("json" if (output or "").lower().endswith(".json") else "jsonl")).lower()
    if fmt_out not in ("jsonl", "json"):
        raise UsageError(f"--group-by: households are written as JSONL or JSON, not {fmt_out}")
    summary = Summary()
    records = grouped_records(input_path, column, rules=rules, as_of=as_of, lang=lang, input_format=input_format,
                              encoding=encoding, summary=summary, sheet=sheet, fail_fast=fail_fast, stdin=stdin)
    try:
        target = Target(output)
        try:
            _write(records if each is None else _seen(records, each), target, fmt_out)
        except BaseException:
            target.finish(keep=False)
            raise
        finish(target, summary)
    finally:
        records.close()
    from .rows import text

    if summary.unknown:
        warn(text(rules, "unknown_columns", lang, names=", ".join(summary.unknown)))
    if summary.below:
        warn(text(rules, "header_below", lang, line=summary.below))
    if summary.notes:
        warn(rules.message("household_differs_count", lang, count=summary.notes))
    summary.seconds = time.perf_counter() - started
    return summary


def finish(target: Target, summary: Summary) -> None:
    """Keep the output, unless --fail-fast stopped the run: then, as row by row, no partial file is left."""
    summary.written = summary.stopped is None
    target.finish(keep=summary.written)


def _seen(records: Iterator[dict[str, Any]], each: Callable[[dict[str, Any]], None]) -> Iterator[dict[str, Any]]:
    for record in records:
        each(record)
        yield record


def grouped_records(input_path: str, column: str, *, rules: RuleSet, as_of: date, lang: str,
                    input_format: str | None, encoding: str | None, summary: Summary,
                    sheet: str | None = None, fail_fast: bool = False, stdin: Any = None
                    ) -> Generator[dict[str, Any], None, None]:
    """One record per client (or per row that has no client), in the order each first appears; `summary`
    counts the rows read and rejected, the notes and the unknown columns. Close the generator to end the
    run early. With `fail_fast`, the first record in error is not given: it ends the run, and `summary`
    says where (`stopped`) and counts only the rows answered up to it."""
    from .desk import DeskOptions
    from .inputs import Input, Options, read_csv_header
    from .readers import decode_error
    from .rows import BrokenInput

    opts = Options(input=input_path, input_format=input_format, encoding=encoding, lang=lang,
                   desk=DeskOptions(keep=(column,), sheet=sheet), stdin=stdin)
    inp = Input(opts, rules)
    try:
        columns, data_start, first_line = (None, 0, 1)
        if inp.format == "csv":
            columns, data_start, first_line = read_csv_header(inp, rules, lang, (column,), True, column)
        source = GroupedRows(inp, rules, lang, columns, data_start, first_line, column)
        try:
            for summary.rows in source.index():
                pass
        except BrokenInput as broken:
            raise decode_error(rules, lang, inp.name, inp.encoding, broken.error, broken.rows_read) from None
        summary.unknown = list(columns.unknown) if columns is not None else list(source.keys.unknown)
        summary.below = columns.below if columns is not None else 0
        headers = columns.headers if columns is not None else {}
        answered = 0

        def stops(record: dict[str, Any], rows: int) -> bool:
            nonlocal answered
            answered += rows
            if not (fail_fast and "error" in record):
                return False
            error = record["error"]
            summary.stopped = Stop(error.get("row") or record.get("row") or record["rows"][0], error.get("field"),
                                   error["message"])
            summary.rows = answered
            return True

        for r, kind in enumerate(k & KIND for k in source.kind):
            if kind == LATER:
                continue  # answered by its client's record, at the client's first row
            if kind == OWN:
                item = source.item(r)
                message = item.message if isinstance(item, RowError) else \
                    rules.message("household_no_client", lang, column=column)
                summary.rejected += 1
                own = {"row": r + 1, "client": None, "error": {"field": None, "message": message}}
                if stops(own, 1):
                    return
                yield own
                continue
            client, numbers, rows = source.household(r, MAX_DEBTS + 1)
            record = _household(client, [n + 1 for n in numbers], rows, rules, as_of, lang, headers)
            if "error" in record:
                summary.rejected += len(numbers)
            summary.notes += len(record["notes"])
            if stops(record, len(numbers)):
                return
            yield record
    finally:
        inp.close()


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


def _household(client: str, rows: list[int], members: list[Row | RowError], rules: RuleSet, as_of: date, lang: str,
               headers: dict[str, str]) -> dict[str, Any]:
    record = _assessed(client, rows, members, rules, as_of, lang, headers)
    if "error" in record and len(rows) <= MAX_DEBTS:
        # Words saying the person may harm themselves, on any of the client's rows, come before the first
        # mistake found: the help line must not hide behind a mistyped figure. Only a failed household pays.
        crisis = _crisis(rows, members, rules, as_of, lang, headers)
        if crisis is not None:
            record["error"] = crisis
    return record


def _crisis(rows: list[int], members: list[Row | RowError], rules: RuleSet, as_of: date, lang: str,
            headers: dict[str, str]) -> dict[str, Any] | None:
    """The first answer, in row order, that gets the help line (matching.Crisis), as the household's
    error, worded as it is when it is the only thing wrong; None when no answer says so."""
    from ..household import debt_error
    from ..matching import Crisis
    from ..parsing import field_name, parse_answer

    for debt, (n, item) in enumerate(zip(rows, members), 1):
        if isinstance(item, RowError):
            continue
        for f, raw in (*enumerate(item.core), *item.extra):
            if raw is None or raw == "":
                continue
            field = ALL_FIELDS[f]
            try:
                parse_answer(field, raw, rules, lang, as_of)
            except Crisis as exc:
                if field in PERSON_FIELDS:  # as merge_person names it: by its column
                    column = headers.get(field) or field_name(field, rules, lang)
                    return {"debt": None, "row": n, "field": field,
                            "message": f"{column}{'：' if lang == 'zh' else ': '}{exc.message}"}
                return {"debt": debt, "row": n, "field": field, "message": debt_error(debt, exc, rules, lang).message}
            except CaseError:
                continue
    return None


def _assessed(client: str, rows: list[int], members: list[Row | RowError], rules: RuleSet, as_of: date, lang: str,
              headers: dict[str, str]) -> dict[str, Any]:
    if len(rows) > MAX_DEBTS:
        message = rules.message("household_too_many", lang, count=f"{len(rows):,}", max=MAX_DEBTS)
        return {"client": client, "rows": rows, "error": {"debt": None, "row": None, "field": None,
                                                           "message": message}, "notes": []}
    for debt, (n, item) in enumerate(zip(rows, members), 1):
        if isinstance(item, RowError):  # a row of this client that cannot be read: as a bad answer in it
            message = rules.message("household_debt_error", lang, n=debt, message=item.message)
            return {"client": client, "rows": rows, "error": {"debt": debt, "row": n, "field": item.field,
                                                               "message": message}, "notes": []}
    debts: list[dict[str, Any]] = []
    given: list[tuple[int, dict[str, Any]]] = []
    for n, item in zip(rows, cast("list[Row]", members)):
        answers = dict(zip(CORE_FIELDS, item.core))
        answers.update((ALL_FIELDS[f], value) for f, value in item.extra)
        if item.case_id is not None:
            answers["id"] = item.case_id
        given.append((n, {k: v for k, v in answers.items() if k in PERSON_FIELDS}))
        debts.append({k: v for k, v in answers.items() if k not in PERSON_FIELDS})
    try:
        person, notes = merge_person(given, rules, lang, headers, as_of)
    except CaseError as exc:
        return {"client": client, "rows": rows, "error": {"debt": None, "row": getattr(exc, "row", None),
                                                           "field": exc.field, "message": exc.message}, "notes": []}
    try:
        record = assess_household(debts, person, rules=rules, as_of=as_of, lang=lang, household_id=client)
    except CaseError as exc:
        bad: int | None = getattr(exc, "debt", None)
        return {"client": client, "rows": rows, "error": {
            "debt": bad, "row": rows[bad - 1] if bad else None, "field": exc.field, "message": exc.message},
            "notes": notes}
    return {"client": client, "rows": rows, **record, "notes": notes}


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
