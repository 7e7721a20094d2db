"""The rules cache: a compiled rule set kept as JSON by the content hash of its files, so that a warm
start never imports yaml.

The cache is a file anyone with access to the folder could have put there, so it is read as input
from others: only a regular file of bounded size that belongs to this user and that no one else may
change, with a header naming its format, the rule files' hash and a digest of the rest. Anything
else is rebuilt from the rule files, silently: a cache can cost speed, never a run.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from .errors import WriteError

CACHE_FORMAT = "advisor-rules-9"  # bump when the compiled shape or its validation changes
MAX_CACHE_BYTES = 64 << 20
_CACHE_SECTIONS = {"stages": list, "labels": dict, "fields": dict, "steps": dict, "consequences": dict,
                   "references": dict, "rules": list, "ui": dict, "interest": dict, "plan": dict,
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


def read_cache(path: Path, key: str) -> dict[str, Any] | None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:  # O_NOFOLLOW: not a symlink to a device; O_NONBLOCK: a FIFO opens at once and is refused below
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES or st.st_mode & 0o022
                or st.st_uid != os.geteuid()):
            return None
        try:
            raw = fh.read(MAX_CACHE_BYTES + 1)
        except OSError:
            return None
    header, _, body = raw.partition(b"\n")
    if header != _text_bytes(f"{CACHE_FORMAT} {key} {_digest(body)}"):
        return None  # another format, another rule set, or a truncated or altered body
    try:
        data = json.loads(body.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
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


def write_cache(path: Path, key: str, data: dict[str, Any]) -> None:
    from .fileio import write_file  # only on a cold cache

    body = _text_bytes(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    if len(body) > MAX_CACHE_BYTES:
        return  # it would never be read back
    try:
        _private_dir(path.parent)
        write_file(path, _text_bytes(f"{CACHE_FORMAT} {key} {_digest(body)}\n") + body, private=True)
    except (OSError, WriteError):
        pass  # an unwritable cache only costs speed

