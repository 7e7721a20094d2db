"""The run: the options, the opened input, the plan (one process or many), and the Python API."""

from __future__ import annotations

import itertools
import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from ..engine import evaluate
from ..errors import UsageError
from ..fields import LANGS
from ..render.record import cached_record
from ..safetext import printable
from ..tuples import NamedTuple
from .caseload import Caseload
from .csv_rows import Columns, values_stay_on_their_line
from .desk import Documents, run_desk, tell_kept
from .inputs import Input, Options, check_places, input_identity, read_csv_header, read_rows
from .parallel import Job, Plan, run_parallel
from .readers import KeyMap, decode_error, no_sig
from .records import Assessor, Stop, Summary, process
from .rows import BrokenInput, RowError, text
from .sinks import OUTPUT_FORMATS, Format, Progress, Target, make_format

if TYPE_CHECKING:
    from ..ruleset import RuleSet

MIN_PARALLEL_BYTES = 256 << 10  # below this, starting processes costs more than it saves
# Codecs in which b"\n" and b'"' never occur inside a multi-byte character, so a file can be cut at b"\n".
SHARDABLE_CODECS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii", "iso8859-1"}


class Totals(NamedTuple):
    """What a finished run came to, for the CLI to print (the stderr summary) and scripts to read.

    A caseload summary of the records themselves (how many at each severity, …) belongs beside this,
    computed while the records are written, not here: these are the run's own counts."""

    rows: int
    assessed: int
    rejected: int
    seconds: float
    stopped: Stop | None  # where --fail-fast stopped the run, if it did
    written: bool  # the output was kept: False when a stopped run leaves no partial file
    caseload: Caseload | None = None  # the records' own counts (stages, why rows were rejected…)
    kept: tuple[str, ...] = ()  # a stopped run: what it says of the reports and letters it left

    @property
    def rate(self) -> float:
        """Rows per second, 0 for a run too quick to time."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def lines(self, rules: RuleSet, lang: str, output: str | None, quiet: bool, *, terminal: bool = False,
              summary: str | None = None) -> list[str]:
        """The lines the CLI writes on stderr: why the run stopped, if it did, then the counts unless quiet;
        on a terminal, the caseload in short; and where the summary file went."""
        out = []
        if self.stopped is not None:
            from ..parsing import named

            row, field_name, message = self.stopped
            out.append(text(rules, "stopped", lang, row=row, field="",
                            message=named(field_name, message, rules, lang)))
            if output not in (None, "-"):
                out.append(text(rules, "not_written", lang, path=output))
            out.extend(self.kept)
        if not quiet:
            out.append(text(rules, "summary", lang, rows=self.rows, ok=self.assessed, bad=self.rejected,
                            seconds=self.seconds, rate=self.rate))
            if terminal and self.caseload is not None:
                out.append(self.caseload.shown(rules, lang).short())
            if summary not in (None, "-") and self.stopped is None:
                out.append(text(rules, "summary_saved", lang, path=summary))
        return out


def _prefixes(rules: RuleSet, lang: str) -> dict[str, str]:
    """How the CSV error column names each field (parsing.named)."""
    from ..fields import FIELDS
    from ..parsing import named

    return {f.id: named(f.id, "", rules, lang) for f in FIELDS}


def run(opts: Options, rules: RuleSet, *, warn: Callable[[str], None], progress: bool = False) -> Totals:
    """Run a batch. Usage errors raise UsageError: before any output for a bad flag, header or
    encoding of the first megabyte; during the run only for an input that breaks later on."""
    started = time.perf_counter()
    fmt = make_format(output_format(opts, rules), opts.excel, _prefixes(rules, opts.lang))
    jobs = _jobs(opts.jobs, rules, opts.lang)
    desk = opts.desk.active or fmt.name == "xlsx"
    inp = Input(opts, rules)
    try:
        check_places(opts, rules, input_identity(inp))
        columns, data_start, first_line = (None, 0, 1)
        if inp.format == "csv":
            columns, data_start, first_line = read_csv_header(inp, rules, opts.lang, opts.desk.keep, desk)
            if columns is not None and columns.unknown:
                warn(text(rules, "unknown_columns", opts.lang, names=_some(map(printable, columns.unknown))))
            if columns is not None and columns.below:
                warn(text(rules, "header_below", opts.lang, line=columns.below))
            if columns is not None:
                fmt = replace(fmt, headers=columns.headers)
        elif opts.desk.keep:
            raise UsageError(text(rules, "keep_needs_columns", opts.lang))
        target = Target(opts.output)
        # Started only after any worker process is forked: Rich refreshes from a thread.
        bar = (lambda: Progress(inp.size, inp.name)) if progress else None
        docs: Documents | None = None
        try:
            plan = None if desk else _plan(inp, columns, data_start, first_line, jobs, target)
            if desk:
                assessor = Assessor(rules, opts.as_of, opts.lang)
                docs = Documents(opts.desk, assessor) if opts.desk.reports or opts.desk.letters else None
                summary = _run_desk(inp, opts, assessor, fmt, columns, data_start, first_line, target, docs)
            elif plan is not None:
                assert inp.path is not None
                job = Job(inp.path, inp.name, no_sig(inp.encoding), inp.format, columns, plan, fmt,
                          opts.rule_paths, opts.as_of, opts.lang, opts.fail_fast)
                summary = run_parallel(job, target, bar)
            else:
                summary = _run_single(inp, opts, rules, fmt, columns, data_start, first_line, target, bar)
            summary.written = summary.stopped is None
            target.finish(keep=summary.written)
        except BaseException as exc:
            target.finish(keep=False)
            tell_kept(exc, docs)
            raise
    finally:
        inp.close()
    if summary.unknown and inp.format != "csv":
        warn(text(rules, "unknown_columns", opts.lang, names=_some(map(printable, summary.unknown))))
    return Totals(summary.rows, summary.assessed, summary.rejected, time.perf_counter() - started,
                  summary.stopped, summary.written, summary.caseload,
                  tuple(docs.kept()) if docs is not None and summary.stopped is not None else ())


def _some(names: Iterable[str], limit: int = 20) -> str:
    """At most `limit` names: a sheet with ten thousand stray columns gets one readable warning."""
    shown = list(itertools.islice(names, limit + 1))
    if len(shown) <= limit:
        return ", ".join(shown)
    return ", ".join(shown[:limit]) + ", …"


# The extensions each output is written in (-o: its format follows the name), and those naming a format
# that cannot be written there: such a name stops the run rather than get, say, JSONL in a .xls file.
# Any other name (x.out, no extension) is written as it always was.
OUTPUT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
SUMMARY_SUFFIXES = (".md", ".markdown", ".json", ".txt")
OTHER_FORMATS = (".xls", ".xlsm", ".xlsb", ".ods", ".tsv", ".tab", ".md", ".markdown", ".html", ".htm", ".pdf",
                 ".doc", ".docx", ".odt", ".rtf", ".xml", ".yaml", ".yml", ".parquet", ".csv", ".json", ".jsonl",
                 ".ndjson", ".xlsx")


def names_its_format(path: str) -> bool:
    """Is `path` a file whose name may say its format: a regular file, or none yet (the file this run
    makes)? A device or a FIFO is written into whatever its name: the reader chose it."""
    if path == "-":
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return True


def check_suffix(flag: str, path: str | None, takes: Iterable[str], rules: RuleSet, lang: str) -> None:
    """A name whose extension says a format this output is not written in is a usage error."""
    if path is None or not names_its_format(path):
        return
    suffix = os.path.splitext(path)[1].lower()
    takes = tuple(takes)
    if suffix in OTHER_FORMATS and suffix not in takes:
        raise UsageError(text(rules, "output_extension", lang, flag=flag, path=printable(path), ext=suffix,
                              choices=", ".join(takes)))


def output_format(opts: Options, rules: RuleSet) -> str:
    formats = (*OUTPUT_FORMATS, "xlsx")
    check_suffix("-o", opts.output, OUTPUT_SUFFIXES, rules, opts.lang)
    check_suffix("--summary", opts.desk.summary, SUMMARY_SUFFIXES, rules, opts.lang)
    if opts.output_format is not None:
        name = opts.output_format.strip().lower()
        if name not in formats:
            raise UsageError(text(rules, "bad_output_format", opts.lang, value=opts.output_format,
                                  choices=", ".join(formats)))
        named = OUTPUT_SUFFIXES.get(os.path.splitext(opts.output or "")[1].lower())
        if named not in (None, name) and opts.output is not None and names_its_format(opts.output):
            # JSON in a file named .xlsx opens in no spreadsheet: which one was meant is the user's to say
            raise UsageError(text(rules, "output_format_conflict", opts.lang, format=name,
                                  path=printable(opts.output), ext=os.path.splitext(opts.output)[1]))
    else:
        suffix = os.path.splitext(opts.output or "")[1].lower()
        name = OUTPUT_SUFFIXES.get(suffix, "")
        name = name or ("csv" if opts.excel else "jsonl")
    if opts.excel and name != "csv":
        raise UsageError(text(rules, "excel_only_csv", opts.lang, format=name))
    if name == "xlsx" and opts.output in (None, "-"):
        raise UsageError(text(rules, "xlsx_needs_file", opts.lang))
    return name


def _jobs(jobs: int | None, rules: RuleSet, lang: str) -> int:
    if jobs is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
    if jobs < 1:
        raise UsageError(text(rules, "bad_jobs", lang, value=jobs))
    return jobs


def _plan(inp: Input, columns: Columns | None, data_start: int, first_line: int, jobs: int, target: Target
          ) -> Plan | None:
    """Whether to run in parallel, and how. One process whenever shards cannot be cut safely."""
    if jobs < 2 or inp.path is None or inp.size is None or inp.format == "json":
        return None
    if inp.format == "csv" and (columns is None or columns.sep != ","):
        return None
    if inp.size - data_start < MIN_PARALLEL_BYTES or inp.encoding not in SHARDABLE_CODECS:
        return None
    if target.fd is None:
        return None
    if inp.format == "csv" and not values_stay_on_their_line(inp.stream):
        return None  # a quoted value may span lines somewhere: a cut at b"\n" could land inside it
    return Plan.for_rows(jobs, data_start, inp.size, first_line, inp.head)


def _run_single(inp: Input, opts: Options, rules: RuleSet, fmt: Format, columns: Columns | None, data_start: int,
                first_line: int, target: Target, bar_factory: Callable[[], Progress] | None) -> Summary:
    raw, keys, rows = read_rows(inp, rules, opts.lang, columns, data_start, first_line)
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
            summary = process(rows, assessor, fmt, writer, opts.fail_fast, tick)
        except BrokenInput as broken:
            writer.raw(fmt.footer)  # the rows before the damage are answered, in a JSON array still closed
            writer.flush()
            raise decode_error(rules, opts.lang, inp.name, inp.encoding, broken.error, broken.rows_read) from None
        except UsageError:
            writer.raw(fmt.footer)
            writer.flush()
            raise
        writer.raw(fmt.footer)  # after --fail-fast too: what was written stays a valid JSON array
        writer.flush()
    finally:
        if bar is not None:
            bar.close()
    summary.unknown = list(keys.unknown)
    return summary


def _run_desk(inp: Input, opts: Options, assessor: Assessor, fmt: Format, columns: Columns | None, data_start: int,
              first_line: int, target: Target, docs: Documents | None) -> Summary:
    """The counsellor's outputs (desk.py): one process, records built whole; the summary file last."""
    rules = assessor.rules
    raw, keys, rows = read_rows(inp, rules, opts.lang, columns, data_start, first_line)
    try:
        summary, caseload = run_desk(rows, assessor, fmt, target, opts.desk, columns.headers if columns else {},
                                     opts.fail_fast, docs)
    except BrokenInput as broken:
        raise decode_error(rules, opts.lang, inp.name, inp.encoding, broken.error, broken.rows_read) from None
    if opts.desk.summary is not None and summary.stopped is None:
        caseload.shown(rules, opts.lang).write(opts.desk.summary)
    summary.unknown = list(keys.unknown)
    summary.caseload = caseload
    return summary


# ---------------------------------------------------------------- the Python API


def assess_many(rows: Iterable[Any], *, rules: RuleSet, as_of: date, lang: str) -> Iterator[dict[str, Any]]:
    """One record per input mapping, in order: the records `advisor batch` writes as JSONL lines
    (the same parsers and the same `to_record`, so the two cannot drift apart; tests compare them)."""
    if lang not in LANGS:
        raise ValueError(f'lang must be one of {", ".join(LANGS)}, not {lang!r}')
    return _records(rows, Assessor(rules, as_of, lang))


def _records(rows: Iterable[Any], assessor: Assessor) -> Iterator[dict[str, Any]]:
    fmt = make_format("jsonl", False)
    keys = KeyMap(assessor.rules, assessor.lang)
    rules, as_of, lang = assessor.rules, assessor.as_of, assessor.lang
    warned: set[str] = set()
    for n, item in enumerate(rows, 1):
        row = keys.row(item)
        if len(keys.unknown) > len(warned):  # each unknown key named once, when first met: not once a row
            _warn_unknown(keys, warned)
        try:
            if isinstance(row, RowError):
                raise row
            case = assessor.case(*assessor.parsed(row), case_id=row.case_id)
        except RowError as exc:
            before, after = fmt.error_line(n, exc.case_id, exc.field, exc.message)
            yield json.loads(b"%s%d%s" % (before, n, after))
            continue
        yield cached_record(evaluate(case, rules, as_of), rules, lang)


def _warn_unknown(keys: KeyMap, warned: set[str]) -> None:
    import warnings

    from ..errors import UnknownKeysWarning, suggest
    from ..parsing import KEYS

    new = [name for name in keys.unknown if name not in warned]
    warned.update(new)
    named = ", ".join(f'"{printable(name)}"{suggest(name, KEYS)}' for name in new[:20])
    warnings.warn(UnknownKeysWarning(f"assess_many: left out, naming no field: {named}", new), stacklevel=3)
