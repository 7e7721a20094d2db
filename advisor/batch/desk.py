"""The counsellor's run: records with labels and the columns they keep, a caseload summary, a report
and a letter per client, and spreadsheets out.

It reads rows with the same readers and parses them with the same Assessor as the fast run, but
builds each record as a dict (one process), since every output here needs the record's parts, not
its bytes. A plain run never comes here.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine import evaluate
from ..errors import UsageError, WriteError
from ..fileio import fitted, safe_name
from ..render.forms import stage_label
from ..render.record import cached_record
from ..safetext import printable
from .caseload import Caseload
from .records import Assessor, Stop, Summary, serialise
from .rows import BrokenInput, Row, RowError, text
from .sheets import openpyxl
from .sinks import Format, Target, csv_id, csv_text, dumps

if TYPE_CHECKING:
    from ..ruleset import RuleSet

REPORT_KINDS = {"html": ".html", "markdown": ".md"}
STEPS_SHOWN = 3  # the people's CSV shows the text of the first steps, as the short report does


@dataclass
class DeskOptions:
    summary: str | None = None
    reports: str | None = None
    reports_format: str = "html"
    letters: str | None = None
    labels: bool = False
    keep: tuple[str, ...] = ()
    sheet: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.summary or self.reports or self.letters or self.labels or self.keep)


def run_desk(rows: Iterable[Row | RowError], assessor: Assessor, fmt: Format, target: Target, desk: DeskOptions,
             headers: dict[str, str], fail_fast: bool, docs: Documents | None) -> tuple[Summary, Caseload]:
    """Every row to one record (or error record) in the output, the caseload, and the documents asked for."""
    rules, lang = assessor.rules, assessor.lang
    caseload = Caseload()
    out = _sink(fmt, target, desk, rules, lang)
    count = 0
    try:
        for item in rows:
            count += 1
            line, kept = item.line, item.kept
            try:
                if isinstance(item, RowError):
                    raise item
                case = assessor.case(*assessor.parsed(item), case_id=item.case_id)
            except RowError as exc:
                column = headers.get(exc.field or "", exc.field or "")
                caseload.reject(count, line, column, exc.reason)
                out.error(count, line, exc.case_id, exc.field, column, exc.message, kept)
                if fail_fast:
                    out.close(caseload)
                    return Summary(count, caseload.bad, stopped=Stop(count, exc.field, exc.message)), caseload
                continue
            assessment = evaluate(case, rules, assessor.as_of)
            record = cached_record(assessment, rules, lang)
            caseload.add(record)
            out.record(count, line, record, kept)
            if docs is not None:
                docs.write(count, case, record, kept)
    except (UsageError, BrokenInput):
        out.cut()
        raise
    out.close(caseload)
    return Summary(count, caseload.bad), caseload


def label_columns(rules: RuleSet, lang: str, keep: tuple[str, ...]) -> list[str]:
    names = text(rules, "label_columns", lang).split(",")
    return names[:3] + list(keep) + names[3:]


def labelled(rules: RuleSet, lang: str, record: dict[str, Any]) -> list[str]:
    """A record as a person reads it: labels, the headline, the first steps' texts."""
    impact = record["credit_impact"]
    steps = [s["text"] for s in record["steps"][:STEPS_SHOWN]]
    return [stage_label(record, rules, lang), rules.label("severity", record["severity"], lang),
            rules.label("platform", record["case"]["platform"], lang),
            rules.label("credit_level", impact["level"], lang), rules.label("reporting", impact["reporting"], lang),
            record["headline"], *steps, *[""] * (STEPS_SHOWN - len(steps))]


class _Sink:
    """Where the records go; one subclass per kind of output."""

    def record(self, row: int, line: int, record: dict[str, Any], kept: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def error(self, row: int, line: int, case_id: str | None, field: str | None, column: str, message: str,
              kept: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def close(self, caseload: Caseload) -> None:
        """Called once at the end, with the whole caseload."""

    def cut(self) -> None:
        """The input broke off (a usage error): the rows before it are written, a JSON array closed. A
        workbook is written whole at the end, so a run that stops writes none."""


def _sink(fmt: Format, target: Target, desk: DeskOptions, rules: RuleSet, lang: str) -> _Sink:
    if fmt.name == "xlsx":
        return Workbook(target, desk, rules, lang)
    if desk.labels or desk.keep:
        return PeopleCsv(fmt, target, desk, rules, lang) if fmt.name == "csv" else _Json(fmt, target, desk)
    return _Plain(fmt, target)


class _Plain(_Sink):
    """The bytes a plain run writes: --summary, --reports and --letters change nothing in the output."""

    def __init__(self, fmt: Format, target: Target) -> None:
        self.fmt, self.writer = fmt, target.writer(fmt)
        self.writer.raw(fmt.header)

    def _put(self, data: dict[str, Any]) -> None:
        if self.fmt.name == "jsonl":
            self.writer.line(dumps(data).encode(), b"\n")
        else:
            self.writer.line(b",\n" + dumps(data).encode(), b"")  # the writer drops the first comma

    def record(self, row: int, line: int, record: dict[str, Any], kept: tuple[Any, ...]) -> None:
        if self.fmt.name == "csv":
            self.writer.numbered(b"", row, b"," + csv_id(record["case"]["id"]), serialise(record).csv_tail)
        else:
            self._put(record)

    def error(self, row: int, line: int, case_id: str | None, field: str | None, column: str, message: str,
              kept: tuple[Any, ...]) -> None:
        before, after = self.fmt.error_line(row, case_id, field, message)
        self.writer.numbered(before, row, after)

    def close(self, caseload: Caseload) -> None:
        self.cut()

    def cut(self) -> None:
        self.writer.raw(self.fmt.footer)
        self.writer.flush()


class _Json(_Plain):
    """JSON or JSONL records with the row, its line and the kept columns added (additive fields)."""

    def __init__(self, fmt: Format, target: Target, desk: DeskOptions) -> None:
        super().__init__(fmt, target)
        self.keep = desk.keep

    def _extra(self, row: int, line: int, kept: tuple[Any, ...]) -> dict[str, Any]:
        extra: dict[str, Any] = {"row": row, "line": line or None}
        if self.keep:
            extra["kept"] = dict(zip(self.keep, kept or ("",) * len(self.keep)))
        return extra

    def record(self, row: int, line: int, record: dict[str, Any], kept: tuple[Any, ...]) -> None:
        self._put({**record, **self._extra(row, line, kept)})

    def error(self, row: int, line: int, case_id: str | None, field: str | None, column: str, message: str,
              kept: tuple[Any, ...]) -> None:
        self._put({**self._extra(row, line, kept), "id": case_id,
                   "error": {"field": field, "column": column or None, "message": message}})


class PeopleCsv(_Sink):
    """A CSV for people: labels and texts, one line of cells per record (`columns`: the header's names)."""

    def __init__(self, fmt: Format, target: Target, desk: DeskOptions, rules: RuleSet, lang: str,
                 columns: list[str] | None = None) -> None:
        self.rules, self.lang, self.keep = rules, lang, desk.keep
        self.writer = target.writer(fmt)
        bom = fmt.header[:3] if fmt.header.startswith(b"\xef\xbb\xbf") else b""
        self.writer.raw(bom + self._line(columns or label_columns(rules, lang, desk.keep)))

    @staticmethod
    def _line(cells: list[Any]) -> bytes:
        return (",".join(csv_text(str(c)) for c in cells) + "\r\n").encode()

    def put(self, cells: list[Any]) -> None:
        self.writer.line(b"", self._line(cells))

    def _kept(self, kept: tuple[Any, ...]) -> list[Any]:
        return list(kept) if kept else [""] * len(self.keep)

    def record(self, row: int, line: int, record: dict[str, Any], kept: tuple[Any, ...]) -> None:
        cells = [row, line or "", record["case"]["id"] or "", *self._kept(kept),
                 *labelled(self.rules, self.lang, record), ""]
        self.writer.line(b"", self._line(cells))

    def error(self, row: int, line: int, case_id: str | None, field: str | None, column: str, message: str,
              kept: tuple[Any, ...]) -> None:
        reason = f"{column}: {message}" if column else message
        cells = [row, line or "", case_id or "", *self._kept(kept), *[""] * (6 + STEPS_SHOWN), reason]
        self.writer.line(b"", self._line(cells))

    def close(self, caseload: Caseload) -> None:
        self.cut()

    def cut(self) -> None:
        self.writer.flush()


class Workbook(_Sink):
    """An .xlsx: the records with labels on the first sheet, the caseload summary on the second. openpyxl
    streams each sheet's rows into a file, which the target puts beside the output (Target.scratch),
    never in the system's temporary folder: the rows are the clients' data."""

    def __init__(self, target: Target, desk: DeskOptions, rules: RuleSet, lang: str,
                 columns: list[str] | None = None) -> None:
        library = openpyxl(rules, lang)
        self.rules, self.lang, self.keep, self.target = rules, lang, desk.keep, target
        self.book = library.Workbook(write_only=True)
        self._sheets: list[Any] = []
        self.sheet = self._sheet(text(rules, "sheet_records", lang))
        self._cell = library.cell.WriteOnlyCell
        self._row(columns or label_columns(rules, lang, desk.keep), self.sheet)

    def _sheet(self, title: str) -> Any:
        from openpyxl.worksheet._writer import WorksheetWriter

        class Writer(WorksheetWriter):  # type: ignore[misc]
            def cleanup(self) -> None:
                pass  # the target removes the file, with the output's part file

        sheet = self.book.create_sheet(title)
        self._sheets.append(sheet)
        # What a write-only sheet does on its first row (WriteOnlyWorksheet._get_writer), but into our file.
        sheet._writer = Writer(sheet, out=self.target.scratch(self.let_go))
        self._writing(sheet._writer.write_top)
        return sheet

    def _writing(self, write: Any, *args: Any) -> None:
        """A write into a sheet's file; one that fails (a full disk, a file size limit) names the output."""
        try:
            write(*args)
        except OSError as exc:
            self.let_go()
            raise WriteError(self.target.name, exc.strerror or str(exc)) from None

    def let_go(self) -> None:
        """Closes openpyxl's writers of the sheets at once, whatever state they are in (a run stopped, a
        write failed). Left to be collected, they would write to files already closed, and say so on stderr."""
        for sheet in self._sheets:
            for stream in (getattr(sheet, "_rows", None), getattr(sheet._writer, "xf", None)):
                if stream is not None:
                    with contextlib.suppress(Exception):
                        stream.close()

    def put(self, cells: list[Any]) -> None:
        self._row(cells, self.sheet)

    def _row(self, values: list[Any], sheet: Any) -> None:
        cells = []
        for value in values:
            # Outside text (an id, a kept value or header, an error quoting a cell) may hold a control
            # character, which a sheet cannot store: shown escaped, as the CSV shows it.
            cell = self._cell(sheet, value=value if isinstance(value, int) else printable(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # outside text is never a formula, whatever it starts with
            cells.append(cell)
        self._writing(sheet.append, cells)

    def record(self, row: int, line: int, record: dict[str, Any], kept: tuple[Any, ...]) -> None:
        self._row([row, line or "", record["case"]["id"] or "", *(kept or [""] * len(self.keep)),
                   *labelled(self.rules, self.lang, record), ""], self.sheet)

    def error(self, row: int, line: int, case_id: str | None, field: str | None, column: str, message: str,
              kept: tuple[Any, ...]) -> None:
        reason = f"{column}: {message}" if column else message
        self._row([row, line or "", case_id or "", *(kept or [""] * len(self.keep)), *[""] * (6 + STEPS_SHOWN),
                   reason], self.sheet)

    def close(self, caseload: Caseload) -> None:
        summary = self._sheet(text(self.rules, "sheet_summary", self.lang))
        for cells in caseload.shown(self.rules, self.lang).table_rows():
            self._row(cells, summary)
        data = io.BytesIO()
        self._writing(self.book.save, data)
        writer = self.target.writer(Format("xlsx", b"", b""))
        writer.raw(data.getvalue())
        writer.flush()

    def cut(self) -> None:
        self.let_go()


def tell_kept(exc: BaseException, docs: Documents | None) -> None:
    """A run ending on `exc` (Ctrl-C, an error) after writing reports or letters: what the CLI says after
    the error, so that the person knows the set they find is not complete."""
    from ..errors import add_notes

    if docs is not None:
        add_notes(exc, docs.kept())


class Documents:
    """One report and one letter per client, each written whole and atomically, under a safe unique name."""

    def __init__(self, desk: DeskOptions, assessor: Assessor) -> None:
        self.desk, self.assessor = desk, assessor
        self.used: set[str] = set()
        self.counts = {"reports": 0, "letters": 0}  # the files written so far, for a run that stops
        for folder in (desk.reports, desk.letters):
            if folder is not None:
                try:
                    os.makedirs(folder, exist_ok=True)
                except OSError as exc:
                    raise UsageError(text(assessor.rules, "cannot_make_folder", assessor.lang, path=folder,
                                          reason=exc.strerror or exc)) from None
        if desk.reports_format not in REPORT_KINDS:
            raise UsageError(text(assessor.rules, "bad_reports_format", assessor.lang, value=desk.reports_format,
                                  choices=", ".join(REPORT_KINDS)))

    def name(self, row: int, case_id: str | None, kept: tuple[Any, ...]) -> str:
        return self.unique(f"{row:04d}", case_id, *kept[:1])

    def unique(self, *parts: Any) -> str:
        """A file name (without its extension) from outside values, made safe, never one given before."""
        base = fitted("-".join(p for p in (safe_name(str(v)) for v in parts if v) if p) or "_")
        name, n = base, 1
        while name in self.used:
            n += 1
            name = f"{base}-{n}"
        self.used.add(name)
        return name

    def put(self, kind: str, name: str, page: str) -> None:
        """One report or letter (`kind`), written whole under `name` in its folder, and counted."""
        from ..fileio import write_file

        folder = self.desk.reports if kind == "reports" else self.desk.letters
        assert folder is not None
        write_file(os.path.join(folder, name), page)
        self.counts[kind] += 1

    def kept(self) -> list[str]:
        """What a run that stops before its end must say of the files it leaves: how many, and where."""
        rules, lang = self.assessor.rules, self.assessor.lang
        return [text(rules, f"{kind}_kept", lang, count=f"{count:,}", path=folder)
                for kind, folder in (("reports", self.desk.reports), ("letters", self.desk.letters))
                if (count := self.counts[kind])]

    def write(self, row: int, case: Any, record: dict[str, Any], kept: tuple[Any, ...]) -> None:
        rules, lang = self.assessor.rules, self.assessor.lang
        name = self.name(row, case.id, kept)
        if self.desk.reports is not None:
            if self.desk.reports_format == "html":
                from ..render.html import to_html
                page = to_html(record, rules, lang)
            else:
                from ..render.markdown import to_markdown
                page = to_markdown(record, rules, lang)
            self.put("reports", name + REPORT_KINDS[self.desk.reports_format], page)
        if self.desk.letters is not None:
            from ..letter import compose
            self.put("letters", name + ".txt", compose(case, rules, self.assessor.as_of, lang, markdown=False))
