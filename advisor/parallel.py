"""Parallel batch runs: byte-range shards, each worker streaming its own, output written in turn.

The parent never reads a row: feeding rows through one process is what keeps `Pool.imap` from
scaling. Shard k is the lines starting in [data_start + k·S, data_start + (k+1)·S); worker j takes
shards j, j+n, j+2n… Each worker writes its records straight to the output once shard k-1 is
written, then passes the turn on with the count of rows so far, so row numbers stay global. Until
its turn comes a worker keeps its shard's output in memory (a shard is about 1,000 rows; past
MAX_PENDING_BYTES it simply waits). Nothing is written twice and no temporary parts touch the disk.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any, BinaryIO

from .batch import (
    Assessor,
    Columns,
    Format,
    KeyMap,
    Plan,
    RangeReader,
    Summary,
    Writer,
    _BrokenInput,
    process,
    rows_for,
    text_stream,
)
from .errors import Interrupted, UsageError

if TYPE_CHECKING:
    from .batch import Options, _Input, _Progress, _Target


class _Stopped(Exception):
    """Another worker stopped the run (fail-fast, an error) or the parent went away."""


@dataclass(frozen=True)
class _Job:
    path: str
    name: str
    encoding: str
    input_format: str
    columns: Columns | None
    plan: Plan
    fmt: Format
    out_path: str | None  # the temporary -o file, opened for appending; None: out_fd, inherited
    out_fd: int
    out_name: str  # what a failed write names: FILE, or standard output
    rule_paths: list[str] | None
    as_of: date
    lang: str
    fail_fast: bool
    parent: int


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


def run_parallel(inp: _Input, opts: Options, fmt: Format, columns: Columns | None, plan: Plan,
                 target: _Target, bar_factory: Callable[[], _Progress] | None) -> Summary:
    methods = multiprocessing.get_all_start_methods()
    ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    assert inp.path is not None and target.fd is not None
    header = Writer(target.fd, None, 0, name=target.name)
    header.raw(fmt.header)
    header.flush()  # before the workers append theirs
    job = _Job(
        path=inp.path, name=inp.name, encoding=inp.encoding.replace("utf-8-sig", "utf-8"),
        input_format=inp.format, columns=columns, plan=plan, fmt=fmt, out_path=target.temp, out_fd=target.fd,
        out_name=target.name,
        rule_paths=[str(p) for p in opts.rule_paths] if opts.rule_paths else None, as_of=opts.as_of,
        lang=opts.lang, fail_fast=opts.fail_fast, parent=os.getpid(),
    )
    shared = _Shared(ctx)
    results = ctx.SimpleQueue()
    workers = [ctx.Process(target=_worker, args=(job, j, min(plan.jobs, plan.shards), shared, results), daemon=True)
               for j in range(min(plan.jobs, plan.shards))]
    for w in workers:
        w.start()
    bar = bar_factory() if bar_factory is not None else None
    reports: list[tuple[Any, ...]] = []
    try:
        _supervise(workers, shared, results, reports, bar)
    except BaseException:
        _stop(shared)
        for w in workers:
            if w.is_alive():
                w.terminate()
        for w in workers:
            w.join()
        raise
    finally:
        if bar is not None:
            bar.close()
    for kind, *rest in reports:
        if kind == "pipe":
            raise BrokenPipeError
        if kind == "usage":
            raise UsageError(rest[0])
    for kind, *rest in reports:
        if kind == "error":
            raise RuntimeError(rest[0])
    summary = Summary(rows=shared.rows_before.value, rejected=shared.rejected.value)
    unknown: dict[str, None] = {}
    for kind, *rest in reports:
        if kind == "done":
            names, stopped = rest
            unknown.update(dict.fromkeys(names))
            if stopped is not None:
                summary.stopped = stopped
                summary.rows = stopped[0]
    summary.unknown = list(unknown)
    if target.temp is not None:
        os.lseek(target.fd, 0, os.SEEK_END)  # the workers appended through their own descriptors
    footer = Writer(target.fd, None, 0, name=target.name)
    footer.raw(fmt.footer)  # after --fail-fast too: what was written stays a valid JSON array
    footer.flush()
    return summary


def _supervise(workers: list[Any], shared: _Shared, results: Any, reports: list[tuple[Any, ...]],
               bar: Any) -> None:
    pending = {w.sentinel: w for w in workers}
    while pending:
        for sentinel in wait(list(pending), timeout=0.1):
            worker = pending.pop(sentinel)
            worker.join()  # the sentinel can fire a moment before the exit code is there
            while not results.empty():
                reports.append(results.get())
            if worker.exitcode != 0:
                if worker.exitcode < 0:  # killed by a signal: stop the run as if it had come to us
                    raise Interrupted(-worker.exitcode)
                _stop(shared)
                reports.append(("error", f"a worker process ended with code {worker.exitcode}"))
        while not results.empty():
            reports.append(results.get())
        if bar is not None:
            bar.update(shared.done_bytes.value, shared.done_rows.value)


def _stop(shared: _Shared) -> None:
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


def _worker(job: _Job, index: int, count: int, shared: _Shared, results: Any) -> None:
    # Ctrl-C reaches the whole process group; the parent handles it and stops the workers. SIGTERM and
    # SIGHUP simply end a worker (the parent's handlers came along with the fork): the parent cleans up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        report = _work(job, index, count, shared)
    except _Stopped:
        report = ("done", [], None)
    except _BrokenInput as broken:
        _stop(shared)
        hint = ("; if it was saved by Excel or WPS on Chinese Windows, try --encoding gb18030"
                if job.encoding.startswith("utf-8") else "")
        report = ("usage", f"{job.name}: not valid {job.encoding.upper()} text ({broken.error.reason}){hint}")
    except BrokenPipeError:
        _stop(shared)
        report = ("pipe",)
    except UsageError as exc:
        _stop(shared)
        report = ("usage", str(exc))
    except BaseException as exc:  # noqa: BLE001 - reported by the parent, which owns the exit code
        _stop(shared)
        report = ("error", f"{type(exc).__name__}: {exc}")
    results.put(report)


def _work(job: _Job, index: int, count: int, shared: _Shared) -> tuple[Any, ...]:
    from .ruleset import load_ruleset

    rules = load_ruleset(job.rule_paths)
    assessor = Assessor(rules, job.as_of, job.lang)
    keys = KeyMap(rules, job.lang)
    plan = job.plan
    lines = _LineCount(job.path, plan)
    fd = os.open(job.out_path, os.O_WRONLY | os.O_APPEND) if job.out_path is not None else job.out_fd
    try:
        with open(job.path, "rb") as f:
            for k in range(index, plan.shards, count):
                if shared.stop.value or os.getppid() != job.parent:
                    raise _Stopped
                start = _line_start(f, plan.data_start + k * plan.shard_bytes, plan)
                end = _line_start(f, plan.data_start + (k + 1) * plan.shard_bytes, plan)
                stream = text_stream(RangeReader(f, start, end), job.encoding)
                rows = rows_for(job.input_format, stream, job.columns, keys, job.name, lines.numbering(start))
                writer = Writer(fd, None, None, take_turn=_turn_taker(shared, k, job.parent),
                                json_array=job.fmt.name == "json", name=job.out_name)
                n, rejected, stopped = process(rows, assessor, job.fmt, writer, job.fail_fast)
                writer.wait_for_turn()
                writer.flush()
                assert writer.offset is not None
                with shared.turn:
                    shared.done_bytes.value += end - start
                    shared.done_rows.value += n
                    shared.rejected.value += rejected
                    if stopped is not None:
                        shared.stop.value = 1
                        shared.turn.notify_all()
                        row, field_id, message = stopped
                        return ("done", list(keys.unknown), (writer.offset + row, field_id, message))
                    shared.rows_before.value = writer.offset + n
                    shared.next_shard.value = k + 1
                    shared.turn.notify_all()
    finally:
        if job.out_path is not None:
            os.close(fd)
    return ("done", list(keys.unknown), None)


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
