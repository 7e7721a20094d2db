"""The run: the options, the opened input, the plan (one process or many), and the Python API."""

from __future__ import annotations

import codecs
import itertools
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO

from ..engine import evaluate
from ..errors import UsageError
from ..render.record import cached_record
from ..safetext import printable
from .csv_rows import Columns, damage, read_header, split, values_stay_on_their_line
from .parallel import Job, Plan, run_parallel
from .readers import INPUT_FORMATS, KeyMap, RangeReader, decode_error, no_sig, rows_from_file, text_stream
from .records import Assessor, Summary, process
from .rows import MAX_COLUMNS, MAX_ROW_CHARS, BrokenInput, RowError, damaged, text
from .sinks import OUTPUT_FORMATS, UTF8_BOM, Format, Progress, Target, make_format

if TYPE_CHECKING:
    from ..ruleset import RuleSet

HEAD_BYTES = 1 << 20  # read before any output: format sniffing, the header, an early encoding check
MIN_PARALLEL_BYTES = 256 << 10  # below this, starting processes costs more than it saves
# Codecs in which b"\n" and b'"' never occur inside a multi-byte character, so a file can be cut at b"\n".
SHARDABLE_CODECS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "ascii", "iso8859-1"}


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


def _prefixes(rules: RuleSet, lang: str) -> dict[str, str]:
    """How the CSV error column names each field (parsing.named)."""
    from ..fields import FIELDS
    from ..parsing import named

    return {f.id: named(f.id, "", rules, lang) for f in FIELDS}


def run(opts: Options, rules: RuleSet, *, warn: Callable[[str], None], progress: bool = False) -> Summary:
    """Run a batch. Usage errors raise UsageError: before any output for a bad flag, header or
    encoding of the first megabyte; during the run only for an input that breaks later on."""
    started = time.perf_counter()
    fmt = make_format(_output_format(opts), opts.excel, _prefixes(rules, opts.lang))
    jobs = _jobs(opts.jobs)
    inp = _Input(opts)
    try:
        _refuse_to_replace_the_input(inp, opts.output)
        columns, data_start, first_line = (None, 0, 1)
        if inp.format == "csv":
            columns, data_start, first_line = _header(inp, rules, opts.lang)
            if columns is not None and columns.unknown:
                warn(text(rules, "unknown_columns", opts.lang, names=_some(map(printable, columns.unknown))))
        target = Target(opts.output)
        # Started only after any worker process is forked: Rich refreshes from a thread.
        bar = (lambda: Progress(inp.size, inp.name)) if progress else None
        try:
            plan = _plan(inp, columns, data_start, first_line, jobs, target)
            if plan is not None:
                assert inp.path is not None
                job = Job(inp.path, inp.name, no_sig(inp.encoding), inp.format, columns, plan, fmt,
                          opts.rule_paths, opts.as_of, opts.lang, opts.fail_fast)
                summary = run_parallel(job, target, bar)
            else:
                summary = _run_single(inp, opts, rules, fmt, columns, data_start, first_line, target, bar)
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


def _some(names: Iterable[str], limit: int = 20) -> str:
    """At most `limit` names: a sheet with ten thousand stray columns gets one readable warning."""
    shown = list(itertools.islice(names, limit + 1))
    if len(shown) <= limit:
        return ", ".join(shown)
    return ", ".join(shown[:limit]) + ", …"


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
                raise decode_error(self.name, codec, exc) from None
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
    found = damage(body) or split(body)
    if isinstance(found, tuple):
        raise UsageError(f"{inp.name}: the header cannot be read: " + damaged(rules, lang, number, *found))
    if len(found) > MAX_COLUMNS:
        raise UsageError(f"{inp.name}: the header has {len(found):,} columns; at most {MAX_COLUMNS:,} are read")
    columns = read_header(found, inp.name)
    # Where the data starts, in bytes, for cutting shards: the text read so far, encoded back.
    consumed = decoded[:start + len(line)]
    bom = len(UTF8_BOM) if inp.head.startswith(UTF8_BOM) else 0
    return columns, bom + len(consumed.encode(no_sig(inp.encoding), errors="surrogateescape")), number + 1


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


def _plan(inp: _Input, columns: Columns | None, data_start: int, first_line: int, jobs: int, target: Target
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
    if inp.format == "csv" and not values_stay_on_their_line(inp.stream):
        return None  # a quoted value may span lines somewhere: a cut at b"\n" could land inside it
    return Plan.for_rows(jobs, data_start, inp.size, first_line, inp.head)


def _run_single(inp: _Input, opts: Options, rules: RuleSet, fmt: Format, columns: Columns | None, data_start: int,
                first_line: int, target: Target, bar_factory: Callable[[], Progress] | None) -> Summary:
    if inp.size is not None:
        raw = RangeReader(inp.stream, data_start, inp.size)
    else:
        raw = RangeReader(inp.stream, prefix=inp.head[data_start:])
    stream = text_stream(raw, no_sig(inp.encoding) if data_start else inp.encoding)
    keys = KeyMap(rules, opts.lang)
    rows = rows_from_file(inp.format, stream, columns, keys, inp.name, lambda n: first_line + n)
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
            writer.flush()  # the rows before the damage are answered
            where = f" after row {broken.rows_read}" if broken.rows_read else ""
            raise decode_error(inp.name, inp.encoding, broken.error, where) from None
        except UsageError:
            writer.flush()
            raise
        writer.raw(fmt.footer)  # after --fail-fast too: what was written stays a valid JSON array
        writer.flush()
    finally:
        if bar is not None:
            bar.close()
    summary.unknown = list(keys.unknown)
    return summary


# ---------------------------------------------------------------- the Python API


def assess_many(rows: Iterable[Any], *, rules: RuleSet, as_of: date, lang: str) -> Iterator[dict[str, Any]]:
    """One record per input mapping, in order: the records `advisor batch` writes as JSONL lines
    (the same parsers and the same `to_record`, so the two cannot drift apart; tests compare them)."""
    if lang not in ("zh", "en"):
        raise ValueError(f'lang must be "zh" or "en", not {lang!r}')
    return _records(rows, Assessor(rules, as_of, lang))


def _records(rows: Iterable[Any], assessor: Assessor) -> Iterator[dict[str, Any]]:
    fmt = make_format("jsonl", False)
    keys = KeyMap(assessor.rules, assessor.lang)
    rules, as_of, lang = assessor.rules, assessor.as_of, assessor.lang
    for n, item in enumerate(rows, 1):
        row = keys.row(item)
        try:
            if isinstance(row, RowError):
                raise row
            case = assessor.case(*assessor.parsed(row), case_id=row.case_id)
        except RowError as exc:
            before, after = fmt.error_line(n, exc.case_id, exc.field, exc.message)
            yield json.loads(b"%s%d%s" % (before, n, after))
            continue
        yield cached_record(evaluate(case, rules, as_of), rules, lang)
