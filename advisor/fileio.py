"""The one way the tool writes a file: `-o`, `--save`, `--save-answers`, `letter -o` and the rules cache;
and the one check, made by every command, that no two files of a run are one.

A regular file (or a name not yet taken) is written to a temporary file beside it, synced, then renamed
over it: a reader sees the old file or the new one, never half of one, and a failure (a full disk, an
interrupt) leaves the old file as it was and no temporary file behind. A symlink at the target is
replaced, never followed, so a planted link cannot redirect the write. A target that exists and is not
a regular file (a device, a FIFO) or that names one of our open descriptors (/dev/stdout, /dev/fd/N)
is written to directly: renaming over it would replace the device or the pipe with a plain file.
A private file (the rules cache) is always replaced, whatever stands at its name, and readable by its
owner only: nobody else's FIFO or device can capture what the tool writes there.

No two files of one run may be one file, or a write would destroy what the run reads (`letter
--answers me.yaml -o me.yaml`) or what it wrote a moment before (`--save s.html --save-answers s.html`):
`check_places`, before anything is written. Two places are one file when they name the same existing
file or folder by any path (a symlink, a hard link: the same device and inode), or, not yet there, the
same path once resolved. Standard output counts when the run writes its data there and it is a regular
file (`>> cases.csv`). A device, a FIFO, a pipe or a terminal is written into, never replaced: places
may share one. A file inside a folder the run fills (--reports, --letters) with the extension that
folder's files take may be written over by one of them, whose names come from the rows: a clash too.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import unicodedata
from types import TracebackType

from .errors import UsageError, WriteError
from .tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # typing stays unimported on the warm path (tuples.py)
    from collections.abc import Iterable, Sequence
    from typing import Any

    from .ruleset import RuleSet


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def is_direct(path: str) -> bool:
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
            if not private and is_direct(self.path):
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
        if not folder and is_direct(path):
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


# ---------------------------------------------------------------- no two places of a run are one file


class Place(NamedTuple):
    """One file (or folder) of a run, as the person named it."""

    flag: str  # "-o", "--answers"; the input file and standard output have their labels (rules/ui.yaml)
    path: str | None  # None: standard output
    reads: bool = False  # read by the run, not written
    folder: bool = False  # a folder the run writes files into
    suffixes: tuple[str, ...] = ()  # a folder's: the extensions of the files written there
    info: Any = None  # the os.stat_result of what is already open (the input, stdin), when known


def stdout_place(rules: RuleSet, lang: str) -> Place:
    """Standard output, as a place the run writes its data to."""
    return Place(rules.text("standard_output", lang), None)


def _stat(place: Place) -> os.stat_result | None:
    if place.info is not None:
        return place.info  # type: ignore[no-any-return]
    try:
        if place.path is None:
            return os.fstat(sys.stdout.fileno())
        return None if place.path == "-" else os.stat(place.path)
    except (AttributeError, OSError, ValueError):  # not there yet, no descriptor, a NUL in the name
        return None


def identity(place: Place) -> tuple[int, int] | str | None:
    """What makes two places one: the device and inode of a regular file or folder that is there, else
    the resolved path; None for what is written into, never replaced, and for standard output not a file."""
    info = _stat(place)
    if info is not None:
        return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode) else None
    if place.path in (None, "-") or place.info is not None:
        return None
    try:
        return os.path.realpath(place.path)
    except (OSError, ValueError):
        return None  # a name no file can have: its write says why


def _folders_of(path: str) -> set[Any]:
    """The folder a file's name is in, and the one it really is in (through a symlink)."""
    try:
        found = {os.path.dirname(os.path.abspath(path)), os.path.dirname(os.path.realpath(path))}
    except (OSError, ValueError):
        return set()
    return {identity(Place("", folder)) for folder in found} - {None}


class Clash(NamedTuple):
    first: Place
    second: Place
    inside: bool  # `second` is a file in the folder `first`, under a name the run may write there


def clash(places: Iterable[Place]) -> Clash | None:
    """The first two places that are one file, or a file and a folder that may write over it. Reads may
    share a file, and folders a folder: --reports and --letters may go to one."""
    known = [(place, identity(place)) for place in places]
    seen: dict[Any, Place] = {}
    for place, key in known:
        if key is None:
            continue
        other = seen.get(key)
        if other is not None and not (place.reads and other.reads) and not (place.folder and other.folder):
            return Clash(other, place, False)
        seen.setdefault(key, place)
    for folder, key in known:
        if not folder.folder or not folder.suffixes or key is None:
            continue
        for place, _ in known:
            if place.path not in (None, "-") and not place.folder and place.path.lower().endswith(folder.suffixes) \
                    and key in _folders_of(place.path):
                return Clash(folder, place, True)
    return None


def refusal(found: Clash, rules: RuleSet, lang: str) -> str:
    """The message for a clash: both places named, and why the run would lose one."""
    first, second, inside = found
    if inside:
        return rules.message("place_in_folder", lang, flag=second.flag, path=second.path, other=first.flag,
                             folder=first.path)
    if first.reads or second.reads:
        reader, writer = (first, second) if first.reads else (second, first)
        return rules.message("place_read", lang, flag=writer.flag, other=reader.flag, path=writer.path or reader.path)
    return rules.message("place_twice", lang, flag=first.flag, other=second.flag, path=second.path or first.path)


def check_places(places: Sequence[Place], rules: RuleSet, lang: str) -> None:
    """A usage error naming both places when two of them are one file (see `clash`)."""
    found = clash(places)
    if found is not None:
        raise UsageError(refusal(found, rules, lang))


# ---------------------------------------------------------------- names of the files a run writes


# A file name may take 255 bytes; 40 Chinese characters are 120. This leaves room for what is added
# after: "-2" when taken, a debt's "-100", and the extension.
MAX_NAME_BYTES = 200


def fitted(name: str) -> str:
    """The name cut to MAX_NAME_BYTES of UTF-8, whole characters only; a cut name ends in a digest of
    the whole, so two long names that begin alike stay apart, and a run gives the same names each time."""
    data = name.encode("utf-8", "surrogatepass")
    if len(data) <= MAX_NAME_BYTES:
        return name
    import hashlib

    digest = hashlib.sha256(data).hexdigest()[:8]
    head = data[:MAX_NAME_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{head}~{digest}"


_UNSAFE = r'[\x00-\x1f\x7f/\\:*?"<>|\u200b-\u200f\u202a-\u202e\u2066-\u2069]+'  # compiled on first use


def safe_name(value: str, limit: int = 40) -> str:
    """A piece of a file name from outside text: no path separators, controls, BiDi marks or
    characters Windows refuses; no leading dot; at most `limit` characters."""
    value = re.sub(_UNSAFE, "_", unicodedata.normalize("NFC", value)).strip(" ._")
    return value[:limit]
