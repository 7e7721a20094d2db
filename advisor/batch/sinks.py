"""Writing: the output formats, the writer that puts records out in order, where they go, and the
progress bar on stderr."""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ..errors import WriteError
from ..fileio import Output
from ..render import BATCH_FORMATS
from ..safetext import json_safe, printable
from ..tuples import NamedTuple

OUTPUT_FORMATS = BATCH_FORMATS
CSV_COLUMNS = ("row", "id", "stage", "severity", "credit_level", "reporting", "consequences", "steps",
               "references", "error",
               # added with the extended answers, after the contract's columns so none of those moves:
               "plan_months", "monthly_payment", "retention_until", "interest_exceeds")
_CSV_EXTRA = 4  # the columns after `error`
UTF8_BOM = codecs.BOM_UTF8
IOV_MAX = 1024
MAX_PENDING_BYTES = 48 << 20  # a worker waiting for its turn holds at most this much output


def dumps(value: Any) -> str:
    """JSON as the records are written: UTF-8 text, no spaces, and characters that could drive a
    terminal (controls, BiDi overrides) as \\u escapes, so the data read back is unchanged."""
    return json_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def csv_cell(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_text(value: str) -> str:
    """A text cell, which may have come from the input: a spreadsheet must not run it as a formula (a
    leading ' makes it text, as OWASP recommends), and a line break in it must not split the record
    (it is written as \\n or \\r), nor may any other character that drives a terminal reach it
    (escaped visibly, as \\x1b). Numbers the tool computes are written as they are."""
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return csv_cell(printable(value))


def csv_id(case_id: str | None) -> bytes:
    return b"" if case_id is None else csv_text(case_id).encode()


@dataclass(frozen=True)
class Format:
    name: str
    header: bytes
    footer: bytes
    headers: dict[str, str] = field(default_factory=dict)  # field -> its column as the input's header names it
    # How a CSV error cell names its field, by id: "逾期金额（amount）：" in Chinese, "amount: " in English.
    prefixes: dict[str, str] = field(default_factory=dict)

    def error_line(self, row: int, case_id: str | None, field_id: str | None, message: str) -> tuple[bytes, bytes]:
        """An error record around its row number: (before, after). The CSV names the column as the
        person's header wrote it; JSON keeps the field's id, which scripts match on."""
        if self.name == "csv":
            # The column as the person's header wrote it, else the field's name in their language.
            header = self.headers.get(field_id or "")
            named = f"{header}: " if header and header != field_id else self.prefixes.get(field_id or "", f"{field_id}: ")
            reason = named + message if field_id else message
            return b"", ("," + csv_text(case_id or "") + ",,,,,,,," + csv_text(reason) + "," * _CSV_EXTRA
                         + "\r\n").encode()
        rest = b"," + dumps({"id": case_id, "error": {"field": field_id, "message": message}})[1:].encode()
        return (b'{"row":', rest + b"\n") if self.name == "jsonl" else (b',\n{"row":', rest)


def make_format(name: str, excel: bool, prefixes: dict[str, str] | None = None) -> Format:
    if name == "csv":
        header = (UTF8_BOM if excel else b"") + (",".join(CSV_COLUMNS) + "\r\n").encode()
        return Format("csv", header, b"", prefixes=prefixes or {})
    if name == "json":
        return Format("json", b"[", b"\n]\n")
    if name == "xlsx":  # written whole at the end, by the counsellor's run (desk.py)
        return Format("xlsx", b"", b"")
    return Format("jsonl", b"", b"")


class Pending(NamedTuple):
    """A line waiting for the number of rows before its shard: before + (that number + row) + after, then tail.
    A line that carries no row number has row None."""

    before: bytes
    row: int | None
    after: bytes
    tail: bytes | memoryview


class Writer:
    """Writes output in order as lists of byte strings, with os.writev: a record's long tail is the
    cached bytes of its band, never copied. Lines wait as Pending entries until `offset`, the number
    of rows before this shard, is known; past MAX_PENDING_BYTES of waiting output the writer asks for
    its turn and waits for it."""

    def __init__(self, fd: int | None, stream: BinaryIO | None, offset: int | None,
                 take_turn: Callable[[], int] | None = None, json_array: bool = False,
                 name: str = "standard output") -> None:
        self._fd, self._stream = fd, stream
        self.name = name  # for the message when a write fails
        self.offset = offset
        self._take_turn = take_turn
        self._parts: list[bytes | memoryview] = []  # memoryview: a cached record's tail, not copied
        self._size = 0
        self._waiting: list[Pending] = []  # before the offset is known
        self._waiting_size = 0
        self._strip_comma = json_array  # the first element of a JSON array has no comma before it

    def line(self, head: bytes, tail: bytes | memoryview) -> None:
        if self.offset is None:
            self._wait(Pending(head, None, b"", tail))
            return
        if self._strip_comma:
            self._strip_comma, head = False, head[1:]
        self._parts.append(head)
        if tail:
            self._parts.append(tail)
            self._size += len(tail)
        if len(self._parts) >= IOV_MAX or self._size >= 1 << 20:
            self.flush()

    def numbered(self, before: bytes, row: int, after: bytes, tail: bytes | memoryview = b"") -> None:
        if self.offset is None:
            self._wait(Pending(before, row, after, tail))
            return
        self.line(b"%s%d%s" % (before, self.offset + row, after), tail)

    def raw(self, data: bytes) -> None:
        if data:
            self._parts.append(data)

    def _wait(self, entry: Pending) -> None:
        self._waiting.append(entry)
        # The tails are shared cached bytes; what waiting really costs is the entry and its head.
        self._waiting_size += 100 + len(entry.before) + len(entry.after)
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
            if entry.row is None:
                self.line(entry.before, entry.tail)
            else:
                self.numbered(entry.before, entry.row, entry.after, entry.tail)

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


class Target:
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
        self._scratch: list[tuple[str, int, Callable[[], None]]] = []  # (path, fd or -1, what lets go of it)
        if self.path is None:
            sys.stdout.flush()
            try:
                self.fd = sys.stdout.fileno()
            except (AttributeError, OSError, ValueError):
                self.stream = getattr(sys.stdout, "buffer", None) or _TextBytes(sys.stdout)
                return
            _widen_pipe(self.fd)
            return
        self._out = Output(self.path, suffix=".part")
        self.fd, self.temp = self._out.fd, self._out.temp

    def writer(self, fmt: Format) -> Writer:
        return Writer(self.fd, self.stream, 0, json_array=fmt.name == "json", name=self.name)

    def scratch(self, let_go: Callable[[], None]) -> str:
        """The path of a new, empty file for data on its way into the output (openpyxl streams a sheet's
        rows into a file before it zips them): beside the output, named like its part file and readable
        by this user alone, so that only a hard kill can leave it, as it can the part file. `let_go` is
        called when the output is finished or dropped, before the file is removed. An output that is a
        device or a FIFO has no folder to use: the file is then in memory (Linux), never elsewhere."""
        if self.temp is None and hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
            fd = os.memfd_create("advisor-sheet")
            self._scratch.append(("", fd, let_go))
            return f"/proc/self/fd/{fd}"
        folder, name = os.path.split(os.path.abspath(self.path or "."))
        path = os.path.join(folder, f".{name}.{os.urandom(4).hex()}.sheet.part")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        except OSError as exc:
            raise WriteError(self.name, exc.strerror or str(exc)) from None
        self._scratch.append((path, -1, let_go))
        return path

    def finish(self, keep: bool) -> None:
        scratch, self._scratch = self._scratch, []
        try:
            for _, _, let_go in scratch:
                let_go()
        finally:
            for path, fd, _ in scratch:
                try:
                    if fd >= 0:
                        os.close(fd)
                    else:
                        os.unlink(path)
                except OSError:
                    pass
        out, self._out = self._out, None
        if out is None:
            return
        if keep:
            out.commit()
        else:
            out.discard()


PIPE_BYTES = 1 << 20  # the most an unprivileged process may ask of Linux (fs.pipe-max-size)


def _widen_pipe(fd: int) -> None:
    """Output into a pipe (`advisor batch … | gzip`) goes out in writes of a megabyte: with the 64 KB
    a pipe holds by default, each write would wait for the reader sixteen times."""
    import stat

    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (OSError, ImportError, AttributeError):
        pass  # not Linux, or a smaller limit: the default buffer only costs speed


class _TextBytes:
    """A binary face for a text-only stdout (rare; some test harnesses)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._stream.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._stream.flush()


class Progress:
    """A Rich progress bar on stderr. Rich is imported only when one is shown: it costs start-up time."""

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
