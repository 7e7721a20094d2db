"""The rules cache: a compiled rule set kept by the content hash of its files, so that a warm start
never imports yaml.

The cache is a file anyone with access to the folder could have put there, so it is read as input
from others: only a regular file of bounded size that belongs to this user and that no one else may
change, with a header naming its format, the rule files' hash and a digest of the rest. Anything
else is rebuilt from the rule files, silently: a cache can cost speed, never a run.

The body is in `marshal`'s format, as Python's own bytecode caches are: it reads in about half the
time JSON takes and needs no import. Python's manual warns that marshal is not made to read data
from others; this file is read only when this user alone could have written it, and only when its
digest matches, so it is what this program wrote, as a module's bytecode in `__pycache__` is.

A warm start need not read and hash the rule files either: a small index file, named by what the
file system says of them (path, size, inode, modification and change times), holds their content
hash. Any write to a file changes its change time, which no program can set back, so those stats
name its content, as they name a module's source for Python's own bytecode cache. A file changed in
the last few seconds is not vouched for that way (a coarse clock could give two versions the same
time), and a run then hashes the files as before.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import WriteError
from .rulefiles import file_stats
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

# Bump the number when the compiled shape or its validation changes. Marshal's format is that of
# each Python version, so each keeps caches of its own.
CACHE_FORMAT = f"advisor-rules-25-py{sys.version_info[0]}.{sys.version_info[1]}-m{marshal.version}"
MAX_CACHE_BYTES = 64 << 20
SETTLED_SECONDS = 2.0  # a rule file changed more recently than this is hashed, not vouched for by its times
KEEP_CACHES = 16  # rule sets kept in the folder (a layer or an edit makes a new one): the newest
_CACHE_SECTIONS = {"stages": list, "labels": dict, "fields": dict, "steps": dict, "consequences": dict,
                   "references": dict, "rules": list, "ui": dict, "interest": dict, "plan": dict, "report": dict,
                   "letter": list, "script": list}


def cache_dir() -> Path:
    explicit = os.environ.get("ADVISOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is invalid and is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "advisor"


def _digest(*parts: bytes) -> str:
    """A digest over length-prefixed parts, so that no two different sequences of parts share it."""
    try:  # the builtin module skips hashlib's OpenSSL start-up, a few ms on every run
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - other Pythons
        from hashlib import blake2b
    digest = blake2b(digest_size=32)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _text_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a file name need not be UTF-8


def content_key(sources: list[tuple[str, bytes]]) -> str:
    parts = [CACHE_FORMAT.encode()]
    for label, data in sources:
        parts += [_text_bytes(label), data]
    return _digest(*parts)


def stamp(files: Sequence[tuple[Path, str]]) -> str | None:
    """What the file system says of the rule files, as a key; None when one of them changed too
    recently for its times to vouch for its content, or cannot be looked at."""
    try:
        stats = file_stats(files)
    except OSError:
        return None
    settled = (time.time() - SETTLED_SECONDS) * 1e9
    if any(max(modified, changed) > settled for *_, modified, changed in stats):
        return None
    return _digest(CACHE_FORMAT.encode(), *(_text_bytes(" ".join(map(str, entry))) for entry in stats))


def _private_bytes(path: Path, limit: int) -> bytes | None:
    """A file's bytes, when it is a regular file of at most `limit` bytes that belongs to this user
    and no one else may change; None otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:  # O_NOFOLLOW: not a symlink to a device; O_NONBLOCK: a FIFO opens at once and is refused below
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_size > limit or st.st_mode & 0o022
                or st.st_uid != os.geteuid()):
            return None
        try:
            return fh.read(limit + 1)
        except OSError:
            return None


def indexed_key(folder: Path, files_stamp: str) -> str | None:
    """The content hash an earlier run found for rule files with these stats, if it is on record."""
    raw = _private_bytes(folder / f"stamp-{files_stamp}", 200)
    if raw is None:
        return None
    fmt, _, key = raw.partition(b" ")
    if fmt != CACHE_FORMAT.encode() or len(key) != 64 or not key.isalnum() or not key.islower():
        return None
    return key.decode("ascii")


def write_index(folder: Path, files_stamp: str, key: str) -> None:
    from .fileio import write_file  # only when the rule files changed

    try:
        _private_dir(folder)
        write_file(folder / f"stamp-{files_stamp}", f"{CACHE_FORMAT} {key}".encode(), private=True)
    except (OSError, WriteError):
        return  # an unwritable index only costs speed
    _prune(folder, "stamp-*")


def read_cache(path: Path, key: str) -> dict[str, Any] | None:
    raw = _private_bytes(path, MAX_CACHE_BYTES)
    if raw is None:
        return None
    header, _, body = raw.partition(b"\n")
    if header != _text_bytes(f"{CACHE_FORMAT} {key} {_digest(body)}"):
        return None  # another format, another rule set, or a truncated or altered body
    try:
        data = marshal.loads(body)
    except (ValueError, EOFError, TypeError, RecursionError):
        return None
    if not isinstance(data, dict) or any(not isinstance(data.get(k), t) for k, t in _CACHE_SECTIONS.items()):
        return None
    return data


def _private_dir(path: Path) -> None:
    """Create the folder and any missing parents readable by this user only, whatever the umask."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700)


def write_cache(path: Path, key: str, data: dict[str, Any]) -> bool:
    """Write the cache; False when it could not be written (it only costs speed)."""
    from .fileio import write_file  # only on a cold cache

    body = marshal.dumps(data)
    if len(body) > MAX_CACHE_BYTES:
        return False  # it would never be read back
    try:
        _private_dir(path.parent)
        write_file(path, _text_bytes(f"{CACHE_FORMAT} {key} {_digest(body)}\n") + body, private=True)
    except (OSError, WriteError):
        return False
    _prune(path.parent, "rules-*")  # and those of older versions, as JSON
    return True


def _prune(folder: Path, pattern: str) -> None:
    """Keep the newest caches (or indexes): each edit of a rule file, or another layer, makes new ones."""
    try:
        found = sorted(((p.lstat().st_mtime, p) for p in folder.glob(pattern)), reverse=True)
        for _, old in found[KEEP_CACHES:]:
            old.unlink()
    except OSError:
        pass  # another run removed it first, or the folder is not ours to tidy

