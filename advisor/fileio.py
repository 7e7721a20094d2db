"""The one way the tool writes a file: `-o`, `--save`, `--save-answers`, `letter -o` and the rules cache.

A regular file (or a name not yet taken) is written to a temporary file beside it, synced, then renamed
over it: a reader sees the old file or the new one, never half of one, and a failure (a full disk, an
interrupt) leaves the old file as it was and no temporary file behind. A symlink at the target is
replaced, never followed, so a planted link cannot redirect the write. A target that exists and is not
a regular file (a device, a FIFO) or that names one of our open descriptors (/dev/stdout, /dev/fd/N)
is written to directly: renaming over it would replace the device or the pipe with a plain file.
A private file (the rules cache) is always replaced, whatever stands at its name, and readable by its
owner only: nobody else's FIFO or device can capture what the tool writes there.
"""

from __future__ import annotations

import errno
import os
import stat
from types import TracebackType

from .errors import WriteError


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _is_direct(path: str) -> bool:
    """Whether the target must be written in place: a device, a FIFO, a socket, or a descriptor name."""
    try:
        st = os.lstat(path)
    except OSError:
        return False  # nothing there yet
    if stat.S_ISLNK(st.st_mode):
        # /dev/stdout and /dev/fd/N lead into /proc, to a file this process has open (a shell
        # redirection, a process substitution): write into it. Any other link is replaced, not followed.
        folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
        return folder.startswith("/proc/") or os.readlink(path).startswith("/proc/")
    if stat.S_ISDIR(st.st_mode):
        raise WriteError(path, os.strerror(errno.EISDIR))
    return not stat.S_ISREG(st.st_mode)


def _new_file_mode(path: str) -> int:
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            return st.st_mode & 0o7777  # replacing a file keeps its permissions
    except OSError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class Output:
    """A file being written. `fd` takes the bytes; `commit()` puts them in place, `discard()` drops them.

    Used as a context manager it commits when the block ends normally and discards on any exception.
    `temp` is the temporary file's path, or None when the target is written directly.
    """

    def __init__(self, path: str | os.PathLike[str], suffix: str = ".tmp", *, private: bool = False) -> None:
        self.path = os.fspath(path)
        self.private = private
        self.temp: str | None = None
        try:
            if not private and _is_direct(self.path):
                # O_APPEND: through /dev/stdout, never overwrite what the shell's file already holds.
                self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY)
                return
            folder, name = os.path.split(os.path.abspath(self.path))
            temp = os.path.join(folder, f".{name}.{os.urandom(4).hex()}{suffix}")
            self.fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            self.temp = temp
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
            raise WriteError(self.path, _reason(exc)) from None

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view):]
        except OSError as exc:
            self.discard()
            raise WriteError(self.path, _reason(exc)) from None
        except BaseException:  # Ctrl-C, SIGTERM: the old file stays, the temporary one goes
            self.discard()
            raise

    def commit(self) -> None:
        try:
            if self.temp is not None:
                os.fsync(self.fd)  # the data is on disk before the name points at it
            fd, self.fd = self.fd, -1
            os.close(fd)
            if self.temp is None:
                return
            os.chmod(self.temp, 0o600 if self.private else _new_file_mode(self.path))
            os.replace(self.temp, self.path)  # a symlink at the target is itself replaced
            self.temp = None
        except OSError as exc:
            self.discard()
            raise WriteError(self.path, _reason(exc)) from None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except OSError:
                pass
            self.temp = None

    def __enter__(self) -> Output:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_file(path: str | os.PathLike[str], data: str | bytes, *, private: bool = False) -> None:
    """Write a whole file (text as UTF-8), the safe way above. Raises WriteError naming the file."""
    with Output(path, private=private) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)


def check_writable(path: str, *, folder: bool = False) -> None:
    """Raise WriteError now if `path` (a file, or with `folder` a folder to put files in) surely cannot
    be written: a run checks every place it writes before reading a row, rather than find out at the
    end and lose its work. Only what can be known up front; the write itself still reports the rest."""
    try:
        if not folder and _is_direct(path):
            return  # a device, a FIFO or a descriptor: opened as it is
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise WriteError(path, _reason(exc)) from None
    if info is not None and folder:
        if not stat.S_ISDIR(info.st_mode):
            raise WriteError(path, os.strerror(errno.ENOTDIR))
        _can_add_to(path, path)
        return
    parent = os.path.dirname(os.path.abspath(path))
    if folder:  # made with its parents: the nearest one that is there must take new entries
        while not os.path.lexists(parent) and os.path.dirname(parent) != parent:
            parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise WriteError(path, os.strerror(errno.ENOENT if not os.path.lexists(parent) else errno.ENOTDIR))
    _can_add_to(parent, path)


def _can_add_to(folder: str, path: str) -> None:
    # A file is written beside its name and renamed into place: its folder must take new entries.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteError(path, os.strerror(errno.EACCES))
