"""The input: the run's options, the opened file (or stdin) with its first bytes, its format and
encoding (a spreadsheet or UTF-16 file read as the UTF-8 CSV it holds), and the CSV header."""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import UsageError
from ..fileio import Place, check_writable, clash, refusal, stdout_place
from .csv_rows import Columns, damage, read_header, sniff_separator, split
from .desk import REPORT_KINDS, DeskOptions
from .readers import INPUT_FORMATS, KeyMap, RangeReader, decode_error, no_sig, rows_from_file, text_stream
from .rows import MAX_COLUMNS, MAX_ROW_CHARS, Row, RowError, column_field, damaged, text, visible
from .sheets import UTF16, SheetText, codec_name, is_xlsx, refuse_old_excel, utf16_as_utf8, utf16_order, xlsx_as_csv
from .sinks import UTF8_BOM

if TYPE_CHECKING:
    from ..ruleset import RuleSet

HEAD_BYTES = 1 << 20  # read before any output: format sniffing, the header, an early encoding check


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
    desk: DeskOptions = field(default_factory=DeskOptions)
    stdin: StdinReplay | None = None  # standard input, when this run reads it more than once


class StdinReplay:
    """Standard input read more than once in one run: finding a client column reads its header, and a
    grouped run with the counsellor's outputs reads its rows twice, as it does a file. What a reader
    that keeps reads is given again to the next one; a reader that does not keep frees it as it goes,
    so a run row by row still streams."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.kept = stream, bytearray()

    def reader(self, keep: bool) -> BinaryIO:
        return io.BufferedReader(_Replaying(self, keep))


class _Replaying(io.RawIOBase):
    def __init__(self, source: StdinReplay, keep: bool) -> None:
        self.source, self.keep, self.at = source, keep, 0

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:  # what stdin is, for the check that no output is the input
        return int(self.source.stream.fileno())

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        kept = self.source.kept
        if self.at < len(kept):
            n = min(len(view), len(kept) - self.at)
            view[:n] = kept[self.at:self.at + n]
            self.at += n
            if not self.keep and self.at >= len(kept):
                self.source.kept, self.at = bytearray(), 0  # the last reader: nothing to give again
            return n
        stream = self.source.stream
        data = stream.read1(len(view)) if hasattr(stream, "read1") else stream.read(len(view))
        view[:len(data)] = data
        if self.keep:
            kept += data
            self.at += len(data)
        return len(data)


def replayable_stdin(opts: Options, rules: RuleSet) -> None:
    """Standard input made readable again by this run's later readers (see StdinReplay)."""
    if opts.input == "-" and opts.stdin is None:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise UsageError(text(rules, "stdin_not_bytes", opts.lang))
        opts.stdin = StdinReplay(stream)


class Input:
    """The opened input: what it is, its first bytes, and how to read it."""

    def __init__(self, opts: Options, rules: RuleSet, keep: bool = False) -> None:
        self.name = "stdin" if opts.input == "-" else opts.input
        self.owned = opts.input != "-"  # a file this run opened, and so closes
        self.path: str | None = None
        self.size: int | None = None
        self.sheet: SheetText | None = None  # a spreadsheet's row numbers, and the damage that ended it
        if opts.input == "-":
            # `keep`: a later reader of this run reads standard input again (StdinReplay).
            stream = opts.stdin.reader(keep) if opts.stdin is not None else getattr(sys.stdin, "buffer", None)
            if stream is None:
                raise UsageError(text(rules, "stdin_not_bytes", opts.lang))
            self.stream: BinaryIO = stream
            head = b""
            while len(head) < HEAD_BYTES:
                chunk = stream.read1(HEAD_BYTES - len(head)) if hasattr(stream, "read1") else stream.read(HEAD_BYTES)
                if not chunk:
                    break
                head += chunk
                if _holds_header(head):
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
                raise UsageError(text(rules, "cannot_read", opts.lang, path=opts.input,
                                      reason=getattr(exc, "strerror", None) or exc)) from None
            self.path = opts.input
        self.file = self.stream  # the file itself, whatever reads it below
        try:
            self._convert(opts, rules)
            self.format = self._format(opts, rules)
            self.encoding = self._encoding(opts, rules)
        except BaseException:
            self.close()
            raise

    def _convert(self, opts: Options, rules: RuleSet) -> None:
        """A spreadsheet is read as the UTF-8 CSV it holds, a UTF-16 file (with a BOM, or known by its NUL
        bytes) as the UTF-8 text it holds, in whatever format: one reader for every input. Its size is
        then unknown, so it runs in one process."""
        refuse_old_excel(self.name, self.head, rules, opts.lang)
        sheet = (opts.input_format is None and is_xlsx(self.name, self.head)) or \
            (opts.input_format or "").strip().lower() == "xlsx"
        if opts.desk.sheet is not None and not sheet:  # a sheet's name for a file with no sheets: said, not ignored
            raise UsageError(text(rules, "sheet_not_xlsx", opts.lang, path=self.name))
        order = None if sheet else utf16_order(self.head)
        given = codec_name(opts.encoding)
        if sheet:
            self.stream, self.sheet = xlsx_as_csv(self.path, self.stream, self.head, opts.desk.sheet, rules, opts.lang, self.name)
            opts.input_format = "csv"
        elif order is not None and (given in (None, "utf-16") or (order == "utf-16" and given in UTF16)):
            self.stream = utf16_as_utf8(self.stream, self.head, order)  # a BOM wins over --encoding's order
        elif order is not None and given not in UTF16 and given != "":  # --encoding names another, known codec
            raise UsageError(text(rules, "looks_utf16", opts.lang, path=self.name, name=opts.encoding))
        else:
            return
        self.path, self.size = None, None
        self.head = self.stream.read(HEAD_BYTES)
        opts.encoding = None

    def _format(self, opts: Options, rules: RuleSet) -> str:
        if opts.input_format is not None:
            fmt = opts.input_format.strip().lower()
            if fmt not in INPUT_FORMATS:
                raise UsageError(text(rules, "bad_input_format", opts.lang, value=opts.input_format,
                                      choices=", ".join((*INPUT_FORMATS, "xlsx"))))
            return fmt
        suffix = os.path.splitext(self.name)[1].lower()
        first = self.head.lstrip(UTF8_BOM).lstrip()[:1]
        if suffix in (".jsonl", ".ndjson"):
            return "jsonl"
        if suffix == ".csv" or (suffix not in (".json",) and first not in (b"[", b"{")):
            return "csv"
        return "jsonl" if first == b"{" else "json"

    def _encoding(self, opts: Options, rules: RuleSet) -> str:
        name = opts.encoding or "utf-8"
        try:
            info = codecs.lookup(name)
        except LookupError:
            raise UsageError(text(rules, "unknown_encoding", opts.lang, name=name)) from None
        if not info._is_text_encoding:  # rot13, base64, zlib…: they do not turn bytes into text
            raise UsageError(text(rules, "not_an_encoding", opts.lang, name=name))
        codec = info.name
        if self.head.startswith(UTF8_BOM) or codec == "utf-8":
            codec = "utf-8-sig"  # a BOM says UTF-8 whatever the flag says; Excel writes one
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            decoder.decode(self.head, final=len(self.head) < HEAD_BYTES and self.size is not None)
        except UnicodeDecodeError as exc:
            if not self._only_damaged_rows(codec):
                raise decode_error(rules, opts.lang, self.name, codec, exc) from None
        except UnicodeError as exc:  # the codec refuses the file as a whole (UTF-16 with no BOM, "undefined")
            raise UsageError(text(rules, "encoding_refuses", opts.lang, name=name, path=self.name, error=exc)) from None
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
        if self.owned:
            self.file.close()


TITLE_ROWS = 10  # lines with text above the header that may be a title, a date, a note


def header_at(decoded: str) -> tuple[int, int, str, bool] | None:
    """Where the header is in the first text of a CSV: its offset, its line number, the line, and whether
    lines holding text were passed over to reach it; None for no line with text. Blank lines and lines of
    empty cells (a sheet's blank rows) come before it; so may a title (某某法律援助中心 逾期案件登记表),
    when the first line with text names no column we know and one of the next TITLE_ROWS does."""
    first: tuple[int, int, str] | None = None
    start, number, seen = 0, 1, 0
    while seen <= TITLE_ROWS:
        end = decoded.find("\n", start)
        line = decoded[start:] if end < 0 else decoded[start:end + 1]
        if not blank_line(line):
            if first is None:
                first = (start, number, line)
            if names_a_column(line):
                return start, number, line, start != first[0]
            seen += 1
        if end < 0:
            break
        start, number = end + 1, number + 1
    return None if first is None else (*first, False)


def header_names(decoded: str) -> list[str]:
    """The column names of a CSV's header, found in its first text as the reader finds it (header_at:
    past blank lines and a title); none when there is no header or it cannot be split."""
    found = header_at(decoded)
    header = "" if found is None else visible(found[2].rstrip("\r\n"))
    names = split(header, sniff_separator(header))
    return [] if isinstance(names, tuple) else [n.strip() for n in names]


_NOT_TEXT = str.maketrans("", "", ",;\t\ufeff\u200b\u200c\u200d\u2060")


def blank_line(line: str) -> bool:
    """Does a line hold no text: blank, or cells that are empty or spaces (a sheet's blank row)? Such a
    line is neither a title nor a header."""
    return not line.translate(_NOT_TEXT).strip()


def _holds_header(head: bytes) -> bool:
    """Has standard input given enough to find the header: JSON, a line naming a column, or more lines with
    text than a title takes? Then a stream row by row starts; else a title would be taken for the header."""
    if b"\n" not in head or not head.strip():
        return False
    if head.lstrip(UTF8_BOM).lstrip()[:1] in (b"{", b"["):
        return True
    complete = head[:head.rfind(b"\n") + 1].decode("utf-8", errors="replace")
    found = header_at(complete)
    return found is not None and (names_a_column(found[2]) or
                                  sum(1 for line in complete.splitlines() if not blank_line(line)) > TITLE_ROWS)


def names_a_column(line: str) -> bool:
    """Does this line, as a CSV header, name any column this tool reads?"""
    if len(line) > MAX_ROW_CHARS:
        return False
    body = visible(line.rstrip("\r\n").lstrip("\ufeff"))
    cells = split(body, sniff_separator(body))
    return isinstance(cells, list) and any(column_field(cell.strip()) is not None for cell in cells)


def read_csv_header(inp: Input, rules: RuleSet, lang: str, keep: tuple[str, ...] = (), lines: bool = False,
                    group: str | None = None) -> tuple[Columns | None, int, int]:
    """The CSV header, from the first bytes: the columns, and the byte offset and line number of the
    first data line. The header is one line; one that cannot be read, or none at all (an empty file),
    is a usage error, as one lacking a field is. `group`: the --group-by column, among `keep`. A sheet
    that broke off before its header could be read says that instead."""
    try:
        return _csv_header(inp, rules, lang, keep, lines, group)
    except UsageError:
        if inp.sheet is not None and inp.sheet.broken is not None:
            raise inp.sheet.error(rules, lang, inp.name) from None
        raise


def _csv_header(inp: Input, rules: RuleSet, lang: str, keep: tuple[str, ...], lines: bool, group: str | None
                ) -> tuple[Columns | None, int, int]:
    decoded = inp.head.decode(inp.encoding, errors="surrogateescape")
    found_at = header_at(decoded)
    if found_at is None:
        raise UsageError(f"{inp.name}: " + text(rules, "no_header", lang))
    start, number, line, below = found_at
    shown = inp.sheet.row(number) if inp.sheet is not None else number  # a sheet's lines are its rows
    body = visible(line.rstrip("\n").removesuffix("\r"))
    if len(body) > MAX_ROW_CHARS or (not line.endswith("\n") and len(inp.head) >= HEAD_BYTES):
        raise UsageError(f"{inp.name}: " + text(rules, "long_header", lang, line=shown, limit=f"{MAX_ROW_CHARS:,}"))
    sep = sniff_separator(body)
    found = (None if inp.sheet is not None else damage(body)) or split(body, sep)
    if isinstance(found, tuple):
        raise UsageError(f"{inp.name}: " + text(rules, "bad_header", lang, problem=damaged(rules, lang, shown, *found)))
    if inp.sheet is not None:
        inp.sheet.check_header(found, shown, rules, lang, inp.name)
    if len(found) > MAX_COLUMNS:
        raise UsageError(f"{inp.name}: " + text(rules, "too_many_columns", lang, count=f"{len(found):,}",
                                                limit=f"{MAX_COLUMNS:,}"))
    columns = replace(read_header(found, inp.name, rules, lang, sep, keep, lines, group), below=shown if below else 0,
                      sheet=inp.sheet is not None)
    # Where the data starts, in bytes, for cutting shards: the text read so far, encoded back.
    consumed = decoded[:start + len(line)]
    bom = len(UTF8_BOM) if inp.head.startswith(UTF8_BOM) else 0
    return columns, bom + len(consumed.encode(no_sig(inp.encoding), errors="surrogateescape")), number + 1


def check_places(opts: Options, rules: RuleSet, source: os.stat_result | None) -> None:
    """Every place the run writes (-o, --summary, --reports, --letters; standard output), checked before
    any row is read: none is the input (`source`, by any path, a symlink or a hard link; also stdin
    redirected from it, or stdout onto it), no two files are one, none is in a folder of reports or
    letters under a name written there (fileio.clash), and each can be written as far as that can be known
    up front. Otherwise a summary could replace the cases, one output the other, or a bad path be found
    only after the run."""
    lang, desk = opts.lang, opts.desk
    if desk.summary == "-" and opts.output in (None, "-"):
        raise UsageError(text(rules, "summary_stdout", lang))
    source_place = Place(rules.text("input_file", lang), opts.input, reads=True, info=source)
    places = [source_place, *(Place("--rules", p, reads=True) for p in opts.rule_paths or () if p != "builtin")]
    if opts.output in (None, "-") or desk.summary == "-":
        places.append(stdout_place(rules, lang))
    kinds = {"--reports": (REPORT_KINDS.get(desk.reports_format, ".html"),), "--letters": (".txt",)}
    for flag, path in (("-o", opts.output), ("--summary", desk.summary), ("--reports", desk.reports),
                       ("--letters", desk.letters)):
        if path not in (None, "-"):
            places.append(Place(flag, path, folder=flag in kinds, suffixes=kinds.get(flag, ())))
    found = clash(places)
    if found is not None and source_place in found[:2] and not found.inside:
        other = found.second if found.first is source_place else found.first
        key = "stdout_is_input" if other.path is None else "output_is_input" if other.flag == "-o" else \
            "place_is_input"
        raise UsageError(text(rules, key, lang, flag=other.flag, path=other.path))
    if found is not None:
        raise UsageError(refusal(found, rules, lang))
    for place in places[1:]:
        if place.path is not None and not place.reads:
            _writable(place, rules, lang)


def _writable(place: Place, rules: RuleSet, lang: str) -> None:
    """Raise now for a place that surely cannot be written; a folder that is a file (or a device) too."""
    assert place.path is not None
    if place.folder:
        try:
            info = os.stat(place.path)
        except (OSError, ValueError):
            info = None
        if info is not None and not stat.S_ISDIR(info.st_mode):
            raise UsageError(text(rules, "not_a_folder", lang, flag=place.flag, path=place.path))
    check_writable(place.path, folder=place.folder)


def input_identity(inp: Input) -> os.stat_result | None:
    """The input file, to compare with the outputs; None for an input with no descriptor."""
    try:
        return os.fstat(inp.file.fileno())
    except (OSError, ValueError, AttributeError):
        return None


def read_rows(inp: Input, rules: RuleSet, lang: str, columns: Columns | None, data_start: int, first_line: int,
              keep: tuple[str, ...] = ()) -> tuple[RangeReader, KeyMap, Iterator[Row | RowError]]:
    """The rows of one process's input, after its header: the raw reader (for the progress bar), the key
    map (for the unknown-keys warning), and the rows."""
    if inp.size is not None:
        raw = RangeReader(inp.stream, data_start, inp.size)
    else:
        raw = RangeReader(inp.stream, prefix=inp.head[data_start:])
    stream = text_stream(raw, no_sig(inp.encoding) if data_start else inp.encoding)
    keys = KeyMap(rules, lang, keep)
    sheet = inp.sheet
    if sheet is None:
        return raw, keys, rows_from_file(inp.format, stream, columns, keys, inp.name, lambda n: first_line + n)
    rows = rows_from_file(inp.format, stream, columns, keys, inp.name, lambda n: sheet.row(first_line + n))
    return raw, keys, sheet.then_broken(rows, rules, lang, inp.name)
