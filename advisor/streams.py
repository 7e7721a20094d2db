"""The three standard streams, made safe: messages on stderr, answers read from stdin, and stdout
failures reported once, plainly, whatever state the caller left the streams in."""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import WriteError


def say(text: str, end: str = "\n") -> None:
    """A message on stderr, made printable.

    With stderr closed (`2>&-`) or broken, messages are lost, but never the exit code they go with."""
    from .safetext import printable  # messages quote file names, columns and rule texts

    try:
        sys.stderr.write(printable(text, lines=True) + end)
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


@contextmanager
def writing_stdout() -> Iterator[None]:
    """Writes to stdout inside this block that fail become one message naming the stream."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader went away: not an error to report
    except OSError as exc:
        quiet_stdout()
        reason = "it is closed" if exc.errno == errno.EBADF else exc.strerror or str(exc)
        raise WriteError("standard output", reason) from None


def quiet_stdout() -> None:
    # stdout takes no more (its reader is gone, the disk is full): what is still buffered must go
    # nowhere, or Python reports the same failure again when it flushes at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def read_line(prompt: str) -> str:
    say(prompt, end="")
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def _escape_unshowable(exc: UnicodeError) -> tuple[str, int]:
    """stdout's encoding cannot show a character (PYTHONIOENCODING=ascii, a latin-1 terminal): write
    it as a \\u escape (as JSON spells it, so JSON output stays the same data), and say so once."""
    global _ESCAPED
    if not _ESCAPED:
        _ESCAPED = True
        say(f"advisor: this output's encoding ({sys.stdout.encoding}) cannot show some characters, such as "
            "Chinese; they are written as \\u escapes. A UTF-8 locale (LANG=C.UTF-8) shows them.")
    assert isinstance(exc, UnicodeEncodeError)
    escaped = []
    for char in exc.object[exc.start:exc.end]:
        code = ord(char)
        if code > 0xFFFF:  # beyond the BMP: a surrogate pair, as JSON spells it
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), exc.end


_ESCAPED = False


def standard_streams() -> None:
    """Make the three standard streams safe to use however the caller left them.

    A closed descriptor (`>&-`) is taken by /dev/null, read-only, so no file the tool opens can land
    on it and writes to it fail plainly ("standard output: it is closed") instead of vanishing.
    """
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            if name == "stdin":
                sys.stdin = open(fd, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives with the process
            elif name == "stdout":
                sys.stdout = open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - likewise
    codecs.register_error("advisor-escape", _escape_unshowable)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="advisor-escape")
