"""Reading rule files and other YAML (and JSON objects) from others: found in folders, size-limited,
screened for what a data file never needs (anchors, deep nesting), duplicate keys refused, every
mapping's line and column kept for messages. Only a cold rules cache reads YAML, so yaml is imported inside the functions
(for start-up).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import RuleProblem
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


def _yaml_loader() -> Any:
    import yaml

    from .rulespec import LINE, POS  # the rule-file format: only a cold load reads it (start-up)

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that records each mapping's line and refuses duplicate keys."""

    def timestamp(loader: Any, node: Any) -> Any:
        """A date that does not exist (2027-02-30) stays the text it is, for its form to refuse by name."""
        try:
            return base.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    LineLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    scalars = LineLoader.yaml_constructors
    seq_tag, map_tag = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"

    def build(loader: Any, node: Any) -> Any:
        """The plain cases directly: PyYAML's general walk, made for aliases and recursive data that
        a screened file cannot hold, costs most of the load time of a large rule set."""
        if isinstance(node, yaml.ScalarNode):
            make = scalars.get(node.tag)
            if make is not None:
                return make(loader, node)
        elif node.tag == map_tag:
            return construct_mapping(loader, node)
        elif node.tag == seq_tag:
            return [build(loader, item) for item in node.value]
        return loader.construct_object(node, deep=True)  # any other tag: the safe loader decides

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        positions: dict[Any, tuple[int, int]] = {"": (node.start_mark.line + 1, node.start_mark.column + 1)}
        for key_node, value_node in node.value:
            key = build(loader, key_node)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f'duplicate key "{key}"', key_node.start_mark
                )
            mapping[key] = build(loader, value_node)
            positions[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if value_node.tag == seq_tag:  # each item of a list of words (`disable: [a, b]`) has its own place
                for n, item in enumerate(value_node.value):
                    if isinstance(item, yaml.ScalarNode):
                        positions[(key, n)] = (item.start_mark.line + 1, item.start_mark.column + 1)
        mapping[LINE] = node.start_mark.line + 1
        mapping[POS] = positions
        return mapping

    LineLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    return yaml, LineLoader


# Limits for files from others: far above any real rule file, far below what could hurt.
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 32


# What _hostile refuses, as a rule author reads it; a person's answers file says it in their language.
REFUSED = {"anchors": "anchors and aliases (& and *) are not allowed: write each value out",
           "deep": f"nested more than {MAX_DEPTH} levels deep"}


class Refused(ValueError):
    """A data file from others holding what no such file needs (`kind`, a key of REFUSED), at `line`."""

    def __init__(self, line: int | None, kind: str) -> None:
        super().__init__(f"line {line}: {REFUSED[kind]}" if line else REFUSED[kind])
        self.line, self.kind = line, kind


def _hostile(yaml: Any, text: str) -> tuple[int | None, str] | None:
    """Refuse what a data file never needs before building anything from it: where, and which (REFUSED).

    Anchors and aliases let a few lines expand into billions of nodes ("billion laughs"), and deep
    nesting exhausts the stack; both are found from the parser's event stream, which costs no memory.
    """
    depth = 0
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return line, "anchors"
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return line, "deep"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def deeper_than(value: Any, limit: int) -> bool:
    """Is a decoded value (JSON's lists and mappings) nested more than `limit` levels? Found without
    recursion: the value is what is too deep for it."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


class GivenTwice(ValueError):
    """A key given twice in one mapping of a data file from others; `line` where it comes again."""

    def __init__(self, key: Any, line: int | None = None) -> None:
        super().__init__(f'line {line}: "{key}" is given twice' if line else f'"{key}" is given twice')
        self.key, self.line = key, line


class KeysTwice(dict[str, "Any"]):
    """A JSON object that gave a key more than once (the last value kept, as json does); `twice`: those keys."""

    twice: list[str]


def json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object (an object_pairs_hook), marked when a key comes twice: else the last value would win
    in silence. Batch rows and answers files are read with it."""
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    marked = KeysTwice(obj)
    marked.twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return marked


class TooLarge(ValueError):
    """A file past the size limit, refused unread."""


def read_limited(path: Path, what: str) -> bytes:
    """A data file's bytes, read only after its size is checked and never more than one byte past the
    limit: a huge file, or a device that never ends, costs nothing."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        amount = f"{size:,} bytes" if size > MAX_FILE_BYTES else f"more than {MAX_FILE_BYTES:,} bytes"
        raise TooLarge(f"{amount} is too large for {what} (at most {MAX_FILE_BYTES:,})")
    return data


def _text_loader(yaml: Any) -> Any:
    """The safe loader with every scalar left as the text it is, except a blank or null (None).

    YAML 1.1 types a bare value by its look: 05000 is octal (2560), 3:20 base 60 (200), 0x1F4 hex and
    no or off False. A person writing their answers means the figure or word they typed, so the
    answer's own parser reads it, as it reads the same text typed at a prompt."""
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class TextLoader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers: dict[Any, Any] = {}

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:  # PyYAML keeps the last value of a key given twice, in silence
            key = loader.construct_object(key_node, deep=True)
            try:
                again = key in seen
                seen.add(key)
            except TypeError:
                break  # a key that is no plain value: the safe loader refuses it, as it always did
            if again:
                raise GivenTwice(key, key_node.start_mark.line + 1)
        return base.construct_mapping(loader, node, deep=deep)  # type: ignore[no-any-return]

    TextLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)

    null = yaml.resolver.Resolver.yaml_implicit_resolvers
    for first in ("~", "n", "N", ""):
        for tag, pattern in null.get(first, []):
            if tag == "tag:yaml.org,2002:null":
                TextLoader.add_implicit_resolver(tag, pattern, [first])
    return TextLoader


def safe_data(text: str) -> Any:
    """Plain data from a YAML text from others (an answers file), screened as rule files are, every
    value the text as written (see _text_loader). Raises ValueError naming the line, or yaml.YAMLError."""
    import yaml

    refused = _hostile(yaml, text)
    if refused:
        raise Refused(*refused)
    return yaml.load(text, Loader=_text_loader(yaml))  # noqa: S506 - derives from the safe loader


Source = bytes | RuleProblem  # a rule file's bytes, or why they could not be read


def read_source(path: Path, label: str) -> Source:
    try:
        return read_limited(path, "a rule file")
    except TooLarge as exc:
        return RuleProblem(label, None, None, f"{exc}; split it into several files")
    except OSError as exc:
        return RuleProblem(label, None, None, f"cannot read: {exc}")


def read_yaml(label: str, source: Source, problems: list[RuleProblem]) -> Any:
    yaml, loader = _yaml_loader()
    if isinstance(source, RuleProblem):
        problems.append(source)
        return None
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(RuleProblem(label, None, None, f"cannot read: {exc}"))
        return None
    try:
        refused = _hostile(yaml, text)
        if refused:
            problems.append(RuleProblem(label, refused[0], None, REFUSED[refused[1]]))
            return None
        return yaml.load(text, Loader=loader)  # noqa: S506 - LineLoader derives from the safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        problems.append(RuleProblem(label, line, None, f"not valid YAML: {problem}"))
        return None
    except RecursionError:
        problems.append(RuleProblem(label, None, None, "nested too deeply to read"))
        return None


FileStats = tuple[str, int, int, int, int, int]  # label, size, inode, device, modified and changed (ns)


def file_stats(files: Sequence[tuple[Path, str]]) -> list[FileStats]:
    """What the file system says of each rule file: any write changes at least its change time, which
    no program can set back. Raises OSError when one cannot be looked at."""
    out = []
    for path, label in files:
        st = os.stat(path)
        out.append((f"{label}\0{path}", st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns))
    return out


def rule_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every YAML file of the given files and folders, with the name used in messages."""
    found: list[tuple[Path, str]] = []
    for root in paths:
        if root.is_dir():
            for parts in _yaml_below(str(root)):
                found.append((root.joinpath(*parts), "/".join((root.name, *parts))))
        else:
            found.append((root, root.name))
    return found


def _yaml_below(root: str) -> list[tuple[str, ...]]:
    """The path parts of every YAML file under a folder, in the order of sorted(Path.rglob): os.walk
    is several times quicker than pathlib's walk, which a warm start would otherwise spend most of
    its file time in."""
    out = []
    for folder, subfolders, names in os.walk(root, onerror=_raise):
        base = os.path.relpath(folder, root).split(os.sep) if folder != root else []
        subfolders.sort()
        for name in names:
            if name.endswith((".yaml", ".yml")) and os.path.isfile(os.path.join(folder, name)):
                out.append((*base, name))
    out.sort()
    return out


def _raise(error: OSError) -> None:
    raise error

