"""Parallel batch runs: byte-range shards, each worker streaming its own, output written in turn.

The parent never reads a row: feeding rows through one process is what keeps `Pool.imap` from
scaling. Shard k is the lines starting in [data_start + k·S, data_start + (k+1)·S); worker j takes
shards j, j+n, j+2n… Each worker writes its records straight to the output once shard k-1 is
written, then passes the turn on with the count of rows so far, so row numbers stay global. Until
its turn comes a worker keeps its shard's output in memory (a shard is about 1,000 rows; past
MAX_PENDING_BYTES it simply waits). Nothing is written twice and no temporary parts touch the disk.

multiprocessing is imported only when workers start: a one-process run never needs it (start-up).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from ..errors import Interrupted, UsageError, WorkerKilled, WriteError
from ..ruleset import load_ruleset
from .caseload import Caseload
from .csv_rows import Columns
from .readers import KeyMap, RangeReader, decode_error, rows_from_file, text_stream
from .records import Assessor, Stop, Summary, process
from .rows import BrokenInput
from .sinks import Format, Progress, Target, Writer

SHARD_ROWS = 1000  # rows per shard, roughly: small, so that workers take turns often and wait little


@dataclass(frozen=True)
class Plan:
    """A parallel run: shards of `shard_bytes` from `data_start` to `end`, over `jobs` workers."""

    jobs: int
    data_start: int
    end: int
    shard_bytes: int
    first_line: int  # the line number at data_start

    @classmethod
    def for_rows(cls, jobs: int, data_start: int, end: int, first_line: int, head: bytes) -> Plan:
        """Shards of about SHARD_ROWS rows, judging the row length from the first bytes."""
        per_row = max(1, len(head) // (head.count(b"\n") or 1))
        return cls(jobs, data_start, end, min(1 << 20, max(16 << 10, SHARD_ROWS * per_row)), first_line)

    @property
    def shards(self) -> int:
        return -(-(self.end - self.data_start) // self.shard_bytes)


@dataclass(frozen=True)
class Job:
    """What every worker is given: the input, already checked, and how to assess it."""

    path: str
    name: str
    encoding: str  # with no BOM to skip: shards start past the file's start
    input_format: str
    columns: Columns | None
    plan: Plan
    fmt: Format
    rule_paths: list[str] | None
    as_of: date
    lang: str
    fail_fast: bool


@dataclass(frozen=True)
class _Output:
    path: str | None  # the temporary -o file, opened for appending; None: fd, inherited
    fd: int
    name: str  # what a failed write names: FILE, or standard output
    parent: int  # the parent's pid: a worker whose parent went away stops


@dataclass(frozen=True)
class WorkerReport:
    """How one worker's part of the run ended, sent to the parent once."""

    unknown: tuple[str, ...] = ()  # the JSON keys it ignored
    stopped: Stop | None = None  # --fail-fast stopped the run here, the row numbered over the whole run
    usage: str | None = None  # a usage error: its message
    write: tuple[str, str] | None = None  # an output that could not be written: its name and the reason
    broken_pipe: bool = False  # the reader of the output went away
    error: str | None = None  # an internal error: its description
    caseload: Caseload | None = None  # what its rows came to, merged into the run's by the parent


class _Stopped(Exception):
    """Another worker stopped the run (fail-fast, an error) or the parent went away."""


class _Shared:
    """The turn and the counters, in shared memory."""

    def __init__(self, ctx: Any) -> None:
        self.turn = ctx.Condition()
        self.next_shard = ctx.RawValue("q", 0)
        self.rows_before = ctx.RawValue("q", 0)  # rows written by all shards before next_shard
        self.stop = ctx.RawValue("i", 0)
        self.done_bytes = ctx.RawValue("q", 0)
        self.done_rows = ctx.RawValue("q", 0)
        self.rejected = ctx.RawValue("q", 0)  # in the shards written


def run_parallel(job: Job, target: Target, bar_factory: Callable[[], Progress] | None) -> Summary:
    import multiprocessing  # here, not at the top: a one-process run never needs it (start-up)

    methods = multiprocessing.get_all_start_methods()
    ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    assert target.fd is not None
    header = Writer(target.fd, None, 0, name=target.name)
    header.raw(job.fmt.header)
    header.flush()  # before the workers append theirs
    out = _Output(target.temp, target.fd, target.name, os.getpid())
    shared = _Shared(ctx)
    results = ctx.SimpleQueue()
    count = min(job.plan.jobs, job.plan.shards)
    workers = [ctx.Process(target=_worker, args=(job, out, j, count, shared, results), daemon=True)
               for j in range(count)]
    for w in workers:
        w.start()
    bar = bar_factory() if bar_factory is not None else None
    reports: list[WorkerReport] = []
    try:
        _supervise(workers, shared, results, reports, bar)
    except BaseException:
        shared.stop.value = 1  # not _stop: see there
        for w in workers:
            if w.is_alive():
                w.terminate()
        for w in workers:
            w.join()
        raise
    finally:
        if bar is not None:
            bar.close()
    try:
        summary = _summary(reports, shared)
    except UsageError:  # the input broke off: the rows before it are written, and so is the footer
        _footer(target, job.fmt)
        raise
    _footer(target, job.fmt)
    return summary


def _footer(target: Target, fmt: Format) -> None:
    """After --fail-fast or an input that broke off too: what was written stays a valid JSON array."""
    assert target.fd is not None
    if target.temp is not None:
        os.lseek(target.fd, 0, os.SEEK_END)  # the workers appended through their own descriptors
    footer = Writer(target.fd, None, 0, name=target.name)
    footer.raw(fmt.footer)
    footer.flush()


def _summary(reports: list[WorkerReport], shared: _Shared) -> Summary:
    """The run's summary from the workers' reports; the first failure any worker met is raised."""
    for report in reports:
        if report.broken_pipe:
            raise BrokenPipeError
        if report.write is not None:  # said in the person's language by the command line, as in one process
            raise WriteError(*report.write)
        if report.usage is not None:
            raise UsageError(report.usage)
    for report in reports:
        if report.error is not None:
            raise RuntimeError(report.error)
    summary = Summary(rows=shared.rows_before.value, rejected=shared.rejected.value)
    unknown: dict[str, None] = {}
    for report in reports:
        unknown.update(dict.fromkeys(report.unknown))
        if report.stopped is not None:
            summary.stopped = report.stopped
            summary.rows = report.stopped.row
    summary.unknown = list(unknown)
    summary.caseload = Caseload()
    for report in reports:
        if report.caseload is not None:
            summary.caseload.merge(report.caseload)
    return summary


def _supervise(workers: list[Any], shared: _Shared, results: Any, reports: list[WorkerReport], bar: Any) -> None:
    from multiprocessing.connection import wait  # start-up, as in run_parallel

    pending = {w.sentinel: w for w in workers}
    while pending:
        for sentinel in wait(list(pending), timeout=0.1):
            worker = pending.pop(sentinel)
            worker.join()  # the sentinel can fire a moment before the exit code is there
            while not results.empty():
                reports.append(results.get())
            if worker.exitcode != 0:
                if worker.exitcode < 0:  # killed by a signal: stop the run as if it had come to us
                    raise (WorkerKilled if -worker.exitcode == signal.SIGKILL else Interrupted)(-worker.exitcode)
                shared.stop.value = 1  # not _stop: see there
                reports.append(WorkerReport(error=f"a worker process ended with code {worker.exitcode}"))
        while not results.empty():
            reports.append(results.get())
        if bar is not None:
            bar.update(shared.done_bytes.value, shared.done_rows.value)


def _stop(shared: _Shared) -> None:
    """A worker stops the run and wakes the others. Never from the parent: notify_all waits until every
    waiting worker has woken, and a worker killed while waiting never does; the workers look at
    `stop` at least twice a second anyway."""
    shared.stop.value = 1
    # A worker killed while holding the lock never releases it: never wait for it for ever.
    if shared.turn.acquire(timeout=1.0):
        try:
            shared.turn.notify_all()
        finally:
            shared.turn.release()


def _line_start(f: BinaryIO, pos: int, plan: Plan) -> int:
    """The first line start at or after pos (a line that starts exactly at pos belongs to that shard)."""
    if pos <= plan.data_start:
        return plan.data_start
    if pos >= plan.end:
        return plan.end
    f.seek(pos - 1)
    f.readline()
    return min(f.tell(), plan.end)


def _worker(job: Job, out: _Output, index: int, count: int, shared: _Shared, results: Any) -> None:
    # Ctrl-C reaches the whole process group; the parent handles it and stops the workers. SIGTERM and
    # SIGHUP simply end a worker (the parent's handlers came along with the fork): the parent cleans up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        report = _work(job, out, index, count, shared)
    except _Stopped:
        report = WorkerReport()
    except BrokenInput as broken:
        _stop(shared)
        message = decode_error(load_ruleset(job.rule_paths), job.lang, job.name, job.encoding, broken.error)
        report = WorkerReport(usage=str(message))
    except BrokenPipeError:
        _stop(shared)
        report = WorkerReport(broken_pipe=True)
    except WriteError as exc:
        _stop(shared)
        report = WorkerReport(write=(exc.path, exc.reason))
    except UsageError as exc:
        _stop(shared)
        report = WorkerReport(usage=str(exc))
    except BaseException as exc:  # noqa: BLE001 - reported by the parent, which owns the exit code
        _stop(shared)
        report = WorkerReport(error=f"{type(exc).__name__}: {exc}")
    results.put(report)


def _work(job: Job, out: _Output, index: int, count: int, shared: _Shared) -> WorkerReport:
    rules = load_ruleset(job.rule_paths)
    assessor = Assessor(rules, job.as_of, job.lang)
    keys = KeyMap(rules, job.lang)
    plan = job.plan
    lines = _LineCount(job.path, plan)
    caseload = Caseload()
    fd = os.open(out.path, os.O_WRONLY | os.O_APPEND) if out.path is not None else out.fd
    try:
        with open(job.path, "rb") as f:
            for k in range(index, plan.shards, count):
                if shared.stop.value or os.getppid() != out.parent:
                    raise _Stopped
                start = _line_start(f, plan.data_start + k * plan.shard_bytes, plan)
                end = _line_start(f, plan.data_start + (k + 1) * plan.shard_bytes, plan)
                stream = text_stream(RangeReader(f, start, end), job.encoding)
                rows = rows_from_file(job.input_format, stream, job.columns, keys, job.name, lines.numbering(start))
                writer = Writer(fd, None, None, take_turn=_turn_taker(shared, k, out.parent),
                                json_array=job.fmt.name == "json", name=out.name)
                try:
                    part = process(rows, assessor, job.fmt, writer, job.fail_fast, numbered_rows=False)
                except (UsageError, BrokenInput):
                    # The input broke off in this shard: the rows before it are answered, as in one process,
                    # in their turn (every shard before this one written first); the shards after it stop.
                    writer.wait_for_turn()
                    writer.flush()
                    raise
                caseload.merge(part.caseload)
                writer.wait_for_turn()
                writer.flush()
                assert writer.offset is not None
                with shared.turn:
                    shared.done_bytes.value += end - start
                    shared.done_rows.value += part.rows
                    shared.rejected.value += part.rejected
                    if part.stopped is not None:
                        shared.stop.value = 1
                        shared.turn.notify_all()
                        stopped = part.stopped._replace(row=writer.offset + part.stopped.row)
                        return WorkerReport(tuple(keys.unknown), stopped, caseload=caseload)
                    shared.rows_before.value = writer.offset + part.rows
                    shared.next_shard.value = k + 1
                    shared.turn.notify_all()
    finally:
        if out.path is not None:
            os.close(fd)
    return WorkerReport(tuple(keys.unknown), caseload=caseload)


class _LineCount:
    """The file's line numbers at a worker's shard starts, counted only when a message names a line (a
    damaged row is rare): a worker's shards come in file order, so it reads the file forward at most once."""

    def __init__(self, path: str, plan: Plan) -> None:
        self._path, self._offset, self._line = path, plan.data_start, plan.first_line

    def numbering(self, start: int) -> Callable[[int], int]:
        return lambda n: self._at(start) + n

    def _at(self, offset: int) -> int:
        if offset > self._offset:
            with open(self._path, "rb") as f:
                f.seek(self._offset)
                left = offset - self._offset
                while left > 0:
                    chunk = f.read(min(left, 1 << 22))
                    if not chunk:
                        break
                    self._line += chunk.count(b"\n")
                    left -= len(chunk)
            self._offset = offset
        return self._line


def _turn_taker(shared: _Shared, shard: int, parent: int) -> Callable[[], int]:
    return lambda: _take_turn(shared, shard, parent)


def _take_turn(shared: _Shared, shard: int, parent: int) -> int:
    """Wait until every shard before this one is written; return the number of rows they hold."""
    with shared.turn:
        while shared.next_shard.value != shard:
            if shared.stop.value:
                raise _Stopped
            shared.turn.wait(0.5)
            if os.getppid() != parent:  # the parent was killed: do not write on
                raise _Stopped
        if shared.stop.value:
            raise _Stopped
        return int(shared.rows_before.value)
