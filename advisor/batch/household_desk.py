"""The counsellor's outputs for a batch grouped by client: the caseload summary counting households by
priority, a report and letters per household, and CSV or .xlsx with one row per debt.

The household records come from `groups.grouped_records`, which names each client's rows by number
only. The spreadsheet line of each row and the kept columns (`--keep`, from the client's first row)
are found by reading the input once ahead with the same reader, keeping only what is needed: the
points where the line number stops being the row number plus a fixed offset (a blank line, a value
over several lines), one tuple of kept values per client and one per row that answers alone (an
error). So memory grows with the clients and the rejected rows, not with every row.

Every input row is answered: a household's rows by one CSV row per debt (or, for a household in
error, one error row per input row, each saying why), a row without a client by its own error row.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..parsing import key_name
from .caseload import Caseload
from .desk import REPORT_KINDS, STEPS_SHOWN, DeskOptions, Documents, PeopleCsv, Workbook, labelled, tell_kept
from .groups import column_in_head
from .inputs import Input, Options, check_places, read_csv_header, read_rows, replayable_stdin
from .readers import decode_error
from .records import Assessor, Summary, serialise
from .rows import BrokenInput, text
from .sinks import CSV_COLUMNS, Format, Target, csv_text, dumps, make_format

if TYPE_CHECKING:
    from ..ruleset import RuleSet
    from .run import Totals

# The CSV with ids: who and where, the debt's place in the household, then the row-by-row CSV's columns
# from `stage` on (its plan columns are that debt's share of the household plan).
CSV_HEAD = ("client", "row", "line", "id", "debt", "place", "priority", "household_headline", "plan_status")
CSV_DEBT = CSV_COLUMNS[2:]
_ERROR_AT = CSV_DEBT.index("error")


class RowIndex:
    """Each row's spreadsheet line, the kept columns of each client's first row (and of rows that answer
    alone), and the header as the person wrote it, read ahead of the households."""

    def __init__(self, opts: Options, column: str, rules: RuleSet) -> None:
        lang, keep = opts.lang, opts.desk.keep
        self.starts: list[int] = []  # rows from which line = row + shift
        self.shifts: list[int | None] = []  # None: no line known (JSON)
        self.kept: dict[str, tuple[Any, ...]] = {}
        self.alone: dict[int, tuple[Any, ...]] = {}  # a row in error or without a client: its own values
        self.headers: dict[str, str] = {}
        self.unknown: list[str] = []
        wanted = (column, *keep)
        # Standard input is kept for the households' pass, which reads it again (up to MEMORY_ROWS rows).
        self.held = opts.input == "-"
        inp = Input(replace(opts, desk=DeskOptions(keep=wanted, sheet=opts.desk.sheet)), rules, keep=self.held)
        self.rules, self.lang, self.name = rules, lang, inp.name
        try:
            columns, start, first = (None, 0, 1)
            if inp.format == "csv":
                columns, start, first = read_csv_header(inp, rules, lang, wanted, True, column)
                if columns is not None:
                    self.headers, self.unknown = columns.headers, list(columns.unknown)
            elif keep:
                raise UsageError(text(rules, "keep_needs_columns", lang))
            _, keys, rows = read_rows(inp, rules, lang, columns, start, first, keep=wanted)
            try:
                self._read(rows)
            except BrokenInput as broken:
                raise decode_error(rules, lang, inp.name, inp.encoding, broken.error, broken.rows_read) from None
            if columns is None:
                self.unknown = list(keys.unknown)
        finally:
            inp.close()

    def _read(self, rows: Iterator[Any]) -> None:
        from .grouprows import MEMORY_ROWS

        for n, item in enumerate(rows, 1):
            if self.held and n > MEMORY_ROWS:
                raise UsageError(self.rules.message("household_cannot_reread", self.lang, name=self.name,
                                                    max=f"{MEMORY_ROWS:,}"))
            line = item.line
            shift = line - n if line else None
            if not self.shifts or shift != self.shifts[-1]:
                self.starts.append(n)
                self.shifts.append(shift)
            kept = tuple(item.kept) if item.kept else ()
            client = None if not kept else str(kept[0] or "").strip() or None
            if client is None:
                self.alone[n] = kept[1:]
            elif client not in self.kept:
                self.kept[client] = kept[1:]

    def line(self, row: int | None) -> int | None:
        at = bisect.bisect_right(self.starts, row or 0) - 1
        shift = self.shifts[at] if row is not None and at >= 0 else None
        return None if shift is None or row is None else row + shift


class HouseholdDocuments(Documents):
    """A report per household, and a letter per debt with that debt's share of the household plan."""

    def household(self, record: dict[str, Any], kept: tuple[Any, ...]) -> None:
        rules, lang = self.assessor.rules, self.assessor.lang
        base = self.unique(record["client"], *kept[:1])
        if self.desk.reports is not None:
            from ..render.household import to_html, to_markdown

            render = to_html if self.desk.reports_format == "html" else to_markdown
            name = base + REPORT_KINDS[self.desk.reports_format]
            self.put("reports", name, render(record, rules, lang))
        if self.desk.letters is not None:
            from ..household_input import from_record, letters

            texts = letters(from_record(record), rules, self.assessor.as_of, lang, script=False, markdown=False)
            for n, letter in enumerate(texts, 1):  # the base is unique, so base-n is too
                self.put("letters", f"{base}-{n}.txt", letter)


class Desk:
    """What each household record adds to the caseload and the documents, and its rows for a sheet."""

    def __init__(self, opts: Options, column: str, rules: RuleSet, index: RowIndex | None) -> None:
        self.opts, self.column, self.rules, self.lang, self.index = opts, column, rules, opts.lang, index
        self.caseload = Caseload()
        desk = opts.desk
        self.docs = HouseholdDocuments(desk, Assessor(rules, opts.as_of, opts.lang)) \
            if desk.reports or desk.letters else None
        self.keep = desk.keep

    def line(self, row: int | None) -> int | None:
        return None if self.index is None else self.index.line(row)

    def kept(self, record: dict[str, Any]) -> tuple[Any, ...]:
        if self.index is None:
            return ("",) * len(self.keep)
        if record.get("client") is None:
            found = self.index.alone.get(record["row"], ())
        else:
            found = self.index.kept.get(record["client"], ())
        return tuple(found) + ("",) * (len(self.keep) - len(found))

    def take(self, record: dict[str, Any]) -> None:
        if "error" not in record:
            self.caseload.add_household(record)
            if self.docs is not None:
                self.docs.household(record, self.kept(record))
            return
        for row, column, reason in self.reasons(record):
            self.caseload.reject(row, self.line(row) or 0, column, reason)
        if record.get("client") is not None:
            self.caseload.households_rejected += 1

    def reasons(self, record: dict[str, Any]) -> list[tuple[int, str, str]]:
        """(row, column, reason) for each row a record in error answers: the row at fault with its own
        reason, the client's other rows saying that the household was not assessed because of it."""
        error = record["error"]
        message = error["message"]
        if record.get("client") is None:
            return [(record["row"], "", message)]
        column = self.index.headers.get(error["field"] or "", error["field"] or "") if self.index else \
            error["field"] or ""
        bad = error.get("row")
        if bad is None:  # the household as a whole (too many debts) or an answer about the person
            return [(row, column or self.column, message) for row in record["rows"]]
        # The message names the debt; on its own row, the row does.
        head = self.rules.message("household_debt_error", self.lang, n=error.get("debt"), message="")
        own = message[len(head):] if error.get("debt") and message.startswith(head) else message
        for said in (f"{column}: ", f"{column}："):  # an answer about the person already names its column
            own = own[len(said):] if column and own.startswith(said) else own
        other = text(self.rules, "household_rejected_with", self.lang)
        return [(row, column, own) if row == bad else (row, "", other) for row in record["rows"]]


# ---------------------------------------------------------------- the rows of a CSV or sheet


def csv_lines(desk: Desk, record: dict[str, Any]) -> Iterator[bytes]:
    """The CSV with ids: one line per debt, or per row of a record in error."""
    def cells(values: list[Any]) -> str:
        return ",".join(csv_text(str(v)) if isinstance(v, str) else ("" if v is None else str(v)) for v in values)

    if "error" in record:
        for row, column, reason in desk.reasons(record):
            head = [record.get("client") or "", row, desk.line(row), "", _debt_of(record, row), "", "", "", ""]
            said = f"{column}: {reason}" if column else reason
            tail = [""] * len(CSV_DEBT)
            tail[_ERROR_AT] = said
            yield (cells(head) + "," + cells(tail) + "\r\n").encode()
        return
    for place, debt, row, share in _debts(record):
        head = [record["client"], row, desk.line(row), debt["case"]["id"] or "", place["debt"], place["place"],
                place["priority"] or "", record["headline"], (share or {}).get("status", "")]
        yield cells(head).encode() + serialise(debt).csv_tail


def label_rows(desk: Desk, record: dict[str, Any]) -> Iterator[list[Any]]:
    """The rows for people: labels and texts, the kept columns after the first four."""
    rules, lang = desk.rules, desk.lang
    kept = list(desk.kept(record))
    width = 7 + 6 + STEPS_SHOWN
    if "error" in record:
        for row, column, reason in desk.reasons(record):
            said = f"{column}: {reason}" if column else reason
            yield [record.get("client") or "", row, desk.line(row) or "", "", *kept, _debt_of(record, row),
                   *[""] * (width - 1), said]
        return
    for place, debt, row, share in _debts(record):
        share = share or {}
        yield [record["client"], row, desk.line(row) or "", debt["case"]["id"] or "", *kept, place["debt"],
               place["place"], place["reason"], record["headline"], share.get("monthly_payment", ""),
               share.get("months", ""), share.get("text", ""), *labelled(rules, lang, debt), ""]


def _debts(record: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], int, dict[str, Any] | None]]:
    """Each debt as given: its place in the order, its record, its input row, its share of the plan."""
    places = {entry["debt"]: entry for entry in record["order"]}
    for n, (debt, row) in enumerate(zip(record["debts"], record["rows"]), 1):
        yield places[n], debt, row, debt.get("plan")


def _debt_of(record: dict[str, Any], row: int) -> Any:
    rows = record.get("rows") or []
    return rows.index(row) + 1 if row in rows else ""


def label_columns(rules: RuleSet, lang: str, keep: tuple[str, ...]) -> list[str]:
    names = text(rules, "household_label_columns", lang).split(",")
    return names[:4] + list(keep) + names[4:]


# ---------------------------------------------------------------- the run


def client_column(opts: Options, rules: RuleSet) -> str | None:
    """The default client column (`client` or 客户编号) when the input has one: in its header, a JSONL
    file's first object or a JSON array's first element, read by the one reader from the input's first
    bytes (a spreadsheet or UTF-16 file as the text it holds; standard input is kept to be read again)."""
    from .groups import DEFAULT_COLUMNS

    if opts.input == "-":
        replayable_stdin(opts, rules)
    elif not os.path.isfile(opts.input):
        return None  # the run says why
    inp = Input(replace(opts, desk=DeskOptions(sheet=opts.desk.sheet)), rules, keep=True)
    try:
        return column_in_head(inp, {key_name(c) for c in DEFAULT_COLUMNS})
    finally:
        inp.close()


def run_households(opts: Options, column: str, rules: RuleSet, *, warn: Callable[[str], None]) -> Totals:
    """A batch grouped by client, with whatever the counsellor asked for."""
    from .run import Totals, output_format

    started = time.perf_counter()
    replayable_stdin(opts, rules)  # --group-by on standard input: the counsellor's outputs read it twice
    check_places(opts, rules, _identity(opts.input))
    if opts.jobs is not None and opts.jobs > 1:
        warn(rules.message("household_one_process", opts.lang))
    fmt = make_format(output_format(opts, rules), opts.excel)
    desk = opts.desk
    index = RowIndex(opts, column, rules) if desk.active or fmt.name in ("csv", "xlsx") else None
    work = Desk(opts, column, rules, index)
    try:
        summary = _households(opts, column, rules, warn, work, fmt)
        if desk.summary is not None and summary.stopped is None:
            work.caseload.shown(rules, opts.lang).write(desk.summary)
    except BaseException as exc:
        tell_kept(exc, work.docs)
        raise
    kept = tuple(work.docs.kept()) if work.docs is not None and summary.stopped is not None else ()
    return Totals(summary.rows, summary.assessed, summary.rejected, time.perf_counter() - started, summary.stopped,
                  summary.written, work.caseload, kept)


def _households(opts: Options, column: str, rules: RuleSet, warn: Callable[[str], None], work: Desk, fmt: Format
                ) -> Summary:
    """The households' records to the output, and their reports and letters."""
    from .groups import finish, grouped_records, run_grouped

    desk, index = opts.desk, work.index
    if fmt.name in ("json", "jsonl") and not (desk.labels or desk.keep):  # byte for byte as a plain run's
        summary = run_grouped(opts.input, column, rules=rules, as_of=opts.as_of, lang=opts.lang, output=opts.output,
                              output_format=fmt.name, input_format=opts.input_format, encoding=opts.encoding,
                              warn=warn, each=work.take, sheet=desk.sheet, fail_fast=opts.fail_fast,
                              stdin=opts.stdin)
    else:
        summary = Summary()
        records = grouped_records(opts.input, column, rules=rules, as_of=opts.as_of, lang=opts.lang,
                                  input_format=opts.input_format, encoding=opts.encoding, summary=summary,
                                  sheet=desk.sheet, fail_fast=opts.fail_fast, stdin=opts.stdin)
        try:
            _write(records, work, fmt, Target(opts.output), lambda target: finish(target, summary))
        finally:
            records.close()
        unknown = index.unknown if index is not None else summary.unknown
        if unknown:
            warn(text(rules, "unknown_columns", opts.lang, names=", ".join(unknown)))
        if summary.below:
            warn(text(rules, "header_below", opts.lang, line=summary.below))
        if summary.notes:  # counted at the end whatever the format; a sheet has no notes to point to
            key = "household_differs_count" if fmt.name in ("json", "jsonl") else "batch_household_differs_sheet"
            warn(rules.message(key, opts.lang, count=summary.notes))
    return summary


def _identity(path: str) -> os.stat_result | None:
    """The input, to compare with the outputs: the file, or what stdin was redirected from."""
    try:
        return os.fstat(0) if path == "-" else os.stat(path)
    except (OSError, ValueError):
        return None


def _write(records: Generator[dict[str, Any], None, None], work: Desk, fmt: Format, target: Target,
           done: Callable[[Target], None]) -> None:
    try:
        out = _sink(work, fmt, target)
        for record in records:
            work.take(record)
            out(record)
        out(None)
    except BaseException:
        target.finish(keep=False)
        raise
    done(target)


def _sink(work: Desk, fmt: Format, target: Target) -> Callable[[dict[str, Any] | None], None]:
    """Where each record goes (None: the end)."""
    rules, lang, desk = work.rules, work.lang, work.opts.desk
    if fmt.name == "xlsx" or (fmt.name == "csv" and (desk.labels or desk.keep)):
        columns = label_columns(rules, lang, desk.keep)
        book = Workbook(target, desk, rules, lang, columns) if fmt.name == "xlsx" else \
            PeopleCsv(fmt, target, desk, rules, lang, columns)

        def people(record: dict[str, Any] | None) -> None:
            if record is None:
                book.close(work.caseload)
                return
            for cells in label_rows(work, record):
                book.put(cells)
        return people
    writer = target.writer(fmt)
    if fmt.name == "csv":
        bom = fmt.header[:3] if fmt.header.startswith(b"\xef\xbb\xbf") else b""
        writer.raw(bom + (",".join((*CSV_HEAD, *CSV_DEBT)) + "\r\n").encode())

        def plain(record: dict[str, Any] | None) -> None:
            if record is None:
                writer.flush()
                return
            for line in csv_lines(work, record):
                writer.line(b"", line)
        return plain
    writer.raw(fmt.header)

    def json(record: dict[str, Any] | None) -> None:
        if record is None:
            writer.raw(fmt.footer)
            writer.flush()
            return
        extra: dict[str, Any] = {}
        if record.get("client") is None:
            extra["line"] = work.line(record["row"])
        else:
            extra["lines"] = [work.line(row) for row in record["rows"]]
        if desk.keep:
            extra["kept"] = dict(zip(desk.keep, work.kept(record)))
        data = dumps({**record, **extra}).encode()
        if fmt.name == "jsonl":
            writer.line(data, b"\n")
        else:
            writer.line(b",\n" + data, b"")  # the writer drops the first comma
    return json
