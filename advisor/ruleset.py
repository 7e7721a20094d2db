"""Load, validate and compile a rule set: YAML data only, every problem located by file, line and rule.

A rule set is one or more rule files or folders. Each file is a mapping of sections; sections are
merged across files. The validated result is plain JSON-able data, cached by content hash so that a
warm start never imports yaml.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RuleProblem, RuleSetError, WriteError
from .fields import FIELDS
from .models import CHOICE_FIELDS, CORE_FIELDS, FIELD_KINDS, ORDERED_OUTPUTS, STAGES, URGENCIES

if TYPE_CHECKING:
    from .engine import Lookup

CACHE_FORMAT = "advisor-rules-7"  # bump when the compiled shape or its validation changes

LANGS = ("zh", "en")
SECTIONS = (
    "stages", "labels", "fields", "steps", "consequences", "references", "rules", "ui", "disable",
    "interest", "plan", "letter", "script",
)
CATALOGS = ("steps", "consequences", "references")
LABEL_GROUPS = {
    "severity": ORDERED_OUTPUTS["severity"],
    "credit_level": ORDERED_OUTPUTS["credit_level"],
    "reporting": ORDERED_OUTPUTS["reporting"],
    "urgency": URGENCIES,
}
RULE_KEYS = (
    "id", "title", "when", "set", "summary", "consequences", "steps", "references",
    "valid_from", "valid_until", "examples", "override",
)
ENTRY_KEYS = {
    "steps": ("id", "urgency", "text", "override"),
    "consequences": ("id", "text", "legal", "override"),
    "references": ("id", "title", "text", "verbatim", "confidence", "override"),
}
STAGE_KEYS = ("id", "days", "label", "description")
FIELD_KEYS = ("question", "why", "hint", "choices", "ask_when")
CHOICE_KEYS = ("id", "label", "note", "aliases")
EXAMPLE_KEYS = ("case", "as_of", "expect")
EXPECT_KEYS = (*ORDERED_OUTPUTS, "includes", "excludes")
# Fields a condition may test, and how their values are typed. Dates and the LPR override are not
# tested by rules; day_stage and the two checks are derived by the engine.
CONDITION_FIELDS = {
    **{f.id: f.condition for f in FIELDS if f.condition},
    "day_stage": "stage",
    "interest_exceeds": "bool",
    "plan_affordable": "bool",
}
ASKABLE = tuple(FIELD_KINDS)
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte")
COMBINATORS = ("all", "any", "not")
LINE = "__line__"
POS = "__pos__"  # {"": (line, column) of the mapping, key: (line, column) of that key}
META = frozenset((LINE, POS))


def builtin_rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "rules"  # inside a wheel the content ships as advisor/rules
    return installed if installed.is_dir() else here.parent / "rules"


# ---------------------------------------------------------------- YAML reading (only on a cold cache)


def _yaml_loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that records each mapping's line and refuses duplicate keys."""

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
        mapping[LINE] = node.start_mark.line + 1
        mapping[POS] = positions
        return mapping

    LineLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    return yaml, LineLoader


# Limits for files from others: far above any real rule file, far below what could hurt.
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 32


def _hostile(yaml: Any, text: str) -> tuple[int | None, str] | None:
    """Refuse what a data file never needs before building anything from it.

    Anchors and aliases let a few lines expand into billions of nodes ("billion laughs"), and deep
    nesting exhausts the stack; both are found from the parser's event stream, which costs no memory.
    """
    depth = 0
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return line, "anchors and aliases (& and *) are not allowed: write each value out"
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return line, f"nested more than {MAX_DEPTH} levels deep"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


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


def safe_data(text: str) -> Any:
    """Plain data from a YAML text from others (an answers file), screened as rule files are.
    Raises ValueError naming the line, or yaml.YAMLError."""
    import yaml

    refused = _hostile(yaml, text)
    if refused:
        raise ValueError(f"line {refused[0]}: {refused[1]}")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - the safe loader


Source = bytes | RuleProblem  # a rule file's bytes, or why they could not be read


def _read_source(path: Path, label: str) -> Source:
    try:
        return read_limited(path, "a rule file")
    except TooLarge as exc:
        return RuleProblem(label, None, None, f"{exc}; split it into several files")
    except OSError as exc:
        return RuleProblem(label, None, None, f"cannot read: {exc}")


def _read_yaml(label: str, source: Source, problems: list[RuleProblem]) -> Any:
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
            problems.append(RuleProblem(label, refused[0], None, refused[1]))
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


def rule_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every YAML file of the given files and folders, with the name used in messages."""
    found: list[tuple[Path, str]] = []
    for root in paths:
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.suffix in (".yaml", ".yml") and p.is_file():
                    found.append((p, f"{root.name}/{p.relative_to(root).as_posix()}"))
        else:
            found.append((root, root.name))
    return found


# ---------------------------------------------------------------- validation


def _suggest(word: str, choices: Iterable[str]) -> str:
    import difflib  # only needed when something is wrong

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class _Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[RuleProblem] = []

    def add(self, file: str, node: Any, rule: str | None, message: str, key: Any = None) -> None:
        line = column = None
        if isinstance(node, dict) and POS in node:
            line, column = node[POS].get(key) or node[POS][""]
        self.problems.append(RuleProblem(file, line, rule, message, column))

    def keys(self, file: str, node: dict[str, Any], allowed: Sequence[str], rule: str | None, what: str) -> None:
        for key in node:
            if key not in META and key not in allowed:
                self.add(file, node, rule, f'unknown key "{key}" in {what}{_suggest(str(key), allowed)}', key)

    def text(self, file: str, owner: dict[str, Any], key: str, rule: str | None, required: bool = True) -> Any:
        value = owner.get(key)
        if value is None:
            if required:
                self.add(file, owner, rule, f'"{key}" is missing: give a text in zh and en')
            return None
        if not isinstance(value, dict):
            self.add(file, owner, rule, f'"{key}" must be a mapping with zh and en texts')
            return None
        out = {}
        for lang in LANGS:
            t = value.get(lang)
            if not isinstance(t, str) or not t.strip():
                self.add(file, value, rule, f'"{key}" needs a non-empty "{lang}" text')
            else:
                out[lang] = t.strip()
        self.keys(file, value, LANGS, rule, f'"{key}"')
        return out if len(out) == len(LANGS) else None

    def template(self, file: str, owner: dict[str, Any], key: str, rule: str | None, names: Collection[str]) -> None:
        """Each placeholder of a text is a name it is filled with, in a form `templates.fill` fills."""
        from .templates import parse

        value = owner.get(key)
        if not isinstance(value, dict):
            return
        for lang in LANGS:
            text = value.get(lang)
            parts = parse(text) if isinstance(text, str) else []
            if parts is None:
                self.add(file, value, rule, f'{lang} text: a lone "{{" or "}}": write "{{{{" or "}}}}" for a brace', lang)
            for part in parts or []:
                if isinstance(part, str) or part.safe and part.name in names:
                    continue
                if not part.name.isidentifier():
                    problem = f'placeholder "{part}" is not a name; this text may use: {", ".join(names) or "none"}'
                elif part.name not in names:
                    problem = f'unknown placeholder "{part}"{_suggest(part.name, names)}'
                else:
                    problem = f'placeholder "{part}" may carry only "," and a precision such as ".2f"'
                self.add(file, value, rule, f"{lang} text: {problem}", lang)

    def id_list(self, file: str, owner: dict[str, Any], key: str, rule: str | None) -> list[Any]:
        value = owner.get(key, [])
        if not isinstance(value, list):
            self.add(file, owner, rule, f'"{key}" must be a list')
            return []
        return value


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in META}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _as_date(value: Any) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


class _Compiler:
    def __init__(self) -> None:
        self.check = _Checker()
        self.data: dict[str, Any] = {
            "stages": [], "labels": {}, "fields": {}, "steps": {}, "consequences": {},
            "references": {}, "ui": {},
            "interest": {"lpr": [], "caps": {}, "bases": {}, "notes": {}},
            "plan": {"share_of_margin": "1", "max_months": {"default": 60}, "texts": {}},
            "unsafe_text": [],  # [file, line, column, character]: for `rules check`, not fatal to a run
        }
        self.origin: dict[tuple[str, str], str] = {}  # (section, id) -> "file:line"
        # By id while merging, so an override replaces its rule in constant time, not by a scan of all.
        self.rules: dict[str, dict[str, Any]] = {}
        self.disabled: list[tuple[str, str, Any]] = []

    # -- merging

    def _place(self, section: str, entry_id: str, file: str, node: Any, rule: str | None) -> bool:
        """Record where an id is defined; a second definition must say `override: true`."""
        here = f"{file}:{node.get(LINE)}" if isinstance(node, dict) else file
        key = (section, entry_id)
        if key in self.origin and not (isinstance(node, dict) and node.get("override") is True):
            self.check.add(
                file, node, rule,
                f'{section[:-1] if section.endswith("s") else section} "{entry_id}" is already defined at '
                f"{self.origin[key]}; add `override: true` to replace it",
            )
            return False
        self.origin[key] = here
        return True

    def _find_unsafe(self, file: str, node: Any, where: tuple[int, int]) -> None:
        """Keys and texts holding a character that could drive a terminal (shown escaped when run)."""
        if isinstance(node, str):
            from .safetext import first_unsafe

            found = first_unsafe(node, lines=True)
            if found:
                self.data["unsafe_text"].append([file, *where, found])
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in META:
                    at = node[POS].get(key, where) if POS in node else where
                    self._find_unsafe(file, key, at)
                    self._find_unsafe(file, value, at)
        elif isinstance(node, list):
            for value in node:
                self._find_unsafe(file, value, where)

    def add_file(self, file: str, doc: Any) -> None:
        check = self.check
        if doc is None:
            return
        if not isinstance(doc, dict):
            check.add(file, None, None, "a rule file must be a mapping of sections (rules:, steps:, …)")
            return
        check.keys(file, doc, SECTIONS, None, "the file")
        self._find_unsafe(file, doc, (doc[LINE], 1))
        for section in SECTIONS:
            if section in doc:
                getattr(self, f"_add_{section}")(file, doc[section], doc)

    def _add_disable(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.check.add(file, doc, None, '"disable" must be a list of rule ids')
            return
        self.disabled.extend((file, v, doc) for v in value)

    def _add_ui(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            self.check.add(file, doc, None, '"ui" must be a mapping of text ids to {zh, en}')
            return
        for key in value:
            if key not in META:
                text = self.check.text(file, value, key, None)
                if text:
                    self.data["ui"][key] = text
                    if key in UI_PLACEHOLDERS:
                        self.check.template(file, value, key, None, UI_PLACEHOLDERS[key])

    def _add_stages(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, list):
            self.check.add(file, doc, None, '"stages" must be a list')
            return
        stages = []
        for node in value:
            if not isinstance(node, dict) or node.get("id") not in STAGES:
                got = node.get("id") if isinstance(node, dict) else node
                self.check.add(file, node, None, f'unknown stage "{got}"{_suggest(str(got), STAGES)}')
                continue
            self.check.keys(file, node, STAGE_KEYS, None, f'stage "{node["id"]}"')
            entry: dict[str, Any] = {"id": node["id"], "label": self.check.text(file, node, "label", None)}
            if "description" in node:
                entry["description"] = self.check.text(file, node, "description", None)
            if "days" in node:
                entry["days"] = self._band(file, node["days"], node["id"])
            stages.append(entry)
        if [s["id"] for s in stages] != list(STAGES):
            self.check.add(file, doc, None, f'"stages" must list, in order: {", ".join(STAGES)}')
        self.data["stages"] = stages

    def _band(self, file: str, node: Any, stage: str) -> dict[str, int] | None:
        if not isinstance(node, dict) or not {"gte"} <= set(node) - META <= {"gte", "lte"}:
            self.check.add(file, node, None, f'stage "{stage}": "days" must be {{gte: N}} or {{gte: N, lte: M}}')
            return None
        band = {k: v for k, v in node.items() if k not in META}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in band.values()):
            self.check.add(file, node, None, f'stage "{stage}": day bounds must be whole numbers >= 0')
            return None
        return band

    def _add_labels(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            self.check.add(file, doc, None, '"labels" must be a mapping')
            return
        self.check.keys(file, value, tuple(LABEL_GROUPS), None, '"labels"')
        for group, ids in LABEL_GROUPS.items():
            node = value.get(group)
            if node is None:
                continue
            if not isinstance(node, dict):
                self.check.add(file, value, None, f'labels "{group}" must be a mapping')
                continue
            self.check.keys(file, node, ids, None, f'labels "{group}"')
            out = self.data["labels"].setdefault(group, {})
            for vid in ids:
                text = self.check.text(file, node, vid, None)
                if text:
                    out[vid] = text

    def _add_fields(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            self.check.add(file, doc, None, '"fields" must be a mapping')
            return
        for name, node in value.items():
            if name in META:
                continue
            if name not in ASKABLE:
                self.check.add(file, value, None, f'unknown field "{name}"{_suggest(str(name), ASKABLE)}', name)
                continue
            if not isinstance(node, dict):
                self.check.add(file, value, None, f'field "{name}" must be a mapping')
                continue
            self.check.keys(file, node, FIELD_KEYS, None, f'field "{name}"')
            entry: dict[str, Any] = {}
            for key in ("question", "why", "hint"):
                if key in node or key != "hint":
                    entry[key] = self.check.text(file, node, key, None)
            if name in CHOICE_FIELDS:
                entry["choices"] = self._choices(file, name, node)
            elif "choices" in node:
                self.check.add(file, node, None, f'field "{name}" takes no choices', "choices")
            if "ask_when" in node:
                if name in CORE_FIELDS:
                    self.check.add(file, node, None, f'field "{name}" is always asked: drop "ask_when"', "ask_when")
                entry["ask_when_node"] = (file, node["ask_when"])
            self.data["fields"][name] = entry

    def _choices(self, file: str, field: str, node: dict[str, Any]) -> list[dict[str, Any]]:
        raw = node.get("choices")
        if not isinstance(raw, list) or not raw:
            self.check.add(file, node, None, f'field "{field}" needs a list of "choices"')
            return []
        out = []
        for c in raw:
            if not isinstance(c, dict) or not isinstance(c.get("id"), str):
                self.check.add(file, c if isinstance(c, dict) else node, None, f'each "{field}" choice needs an "id"')
                continue
            self.check.keys(file, c, CHOICE_KEYS, None, f'choice "{c["id"]}"')
            aliases = c.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, (str, int)) for a in aliases):
                self.check.add(file, c, None, f'choice "{c["id"]}": "aliases" must be a list of words')
                aliases = []
            entry = {"id": c["id"], "label": self.check.text(file, c, "label", None),
                     "aliases": [str(a) for a in aliases]}
            if "note" in c:
                entry["note"] = self.check.text(file, c, "note", None)
            out.append(entry)
        return out

    def _add_catalog(self, section: str, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, list):
            self.check.add(file, doc, None, f'"{section}" must be a list')
            return
        for node in value:
            if not isinstance(node, dict) or not isinstance(node.get("id"), str):
                self.check.add(file, node if isinstance(node, dict) else doc, None,
                               f'each entry of "{section}" needs an "id"')
                continue
            eid = node["id"]
            self.check.keys(file, node, ENTRY_KEYS[section], eid, f'{section} entry "{eid}"')
            earlier = self.data[section].get(eid)
            if not self._place(section, eid, file, node, eid):
                continue
            if earlier is not None:
                # An override changes only what it states: a new text keeps the old urgency, title, ….
                merged = {**earlier, **node}
                for key in ("text", "title"):  # and a text in one language keeps the other
                    if isinstance(earlier.get(key), dict) and isinstance(node.get(key), dict):
                        merged[key] = {**earlier[key], **node[key]}
                node = merged
            entry: dict[str, Any] = {"id": eid, "text": self.check.text(file, node, "text", eid)}
            if section == "steps":
                urgency = node.get("urgency")
                if urgency not in URGENCIES:
                    self.check.add(file, node, eid, f"urgency must be one of {', '.join(URGENCIES)}"
                                   f"{_suggest(str(urgency), URGENCIES)}", "urgency")
                entry["urgency"] = urgency
            if section == "consequences" and "legal" in node:
                if not isinstance(node["legal"], bool):
                    self.check.add(file, node, eid, '"legal" must be true or false', "legal")
                entry["legal"] = node["legal"] is True
            if section == "references":
                entry["title"] = self.check.text(file, node, "title", eid)
                if not isinstance(node.get("verbatim"), bool):
                    self.check.add(file, node, eid, '"verbatim" must be true or false', "verbatim")
                entry["verbatim"] = node.get("verbatim") is True
                if "confidence" in node:
                    entry["confidence"] = str(node["confidence"])
            self.data[section].pop(eid, None)  # an override moves to its new place in the order
            self.data[section][eid] = entry

    def _add_steps(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        self._add_catalog("steps", file, value, doc)

    def _add_consequences(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        self._add_catalog("consequences", file, value, doc)

    def _add_references(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        self._add_catalog("references", file, value, doc)

    def _add_rules(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, list):
            self.check.add(file, doc, None, '"rules" must be a list')
            return
        for node in value:
            if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"].strip():
                self.check.add(file, node if isinstance(node, dict) else doc, None, 'each rule needs an "id"')
                continue
            rid = node["id"]
            self.check.keys(file, node, RULE_KEYS, rid, "the rule")
            if not self._place("rules", rid, file, node, rid):
                continue
            self.rules.pop(rid, None)  # an override moves to its new place in the order
            self.rules[rid] = {"id": rid, "file": file, "line": node.get(LINE), "node": node}

    # -- second pass: everything that needs the whole set

    def finish(self) -> dict[str, Any]:
        check = self.check
        data = self.data
        for file, rid, doc in self.disabled:
            if rid not in self.rules:
                check.add(file, doc, rid, f'cannot disable "{rid}": no such rule{_suggest(rid, self.rules)}')
        gone = {rid for _, rid, _ in self.disabled}
        rules = [r for rid, r in self.rules.items() if rid not in gone]
        if not data["stages"]:
            check.add("(rule set)", None, None, '"stages" is missing: the day bands of each stage')
        for group in LABEL_GROUPS:
            missing = [v for v in LABEL_GROUPS[group] if v not in data["labels"].get(group, {})]
            if missing:
                check.add("(rule set)", None, None, f'labels "{group}" lacks {", ".join(missing)}')
        for name in CORE_FIELDS:
            if name not in data["fields"]:
                check.add("(rule set)", None, None, f'the question for field "{name}" is missing')
        self._check_aliases()
        data["rules"] = [self._compile_rule(r) for r in rules]
        for name, entry in data["fields"].items():
            if "ask_when_node" in entry:
                file, node = entry.pop("ask_when_node")
                entry["ask_when"] = self._condition(file, node, f"fields.{name}")
        for section in ("letter", "script"):
            data[section] = [self._paragraph(file, node, section) for file, node in data.get(section, [])]
        return data

    def _paragraph(self, file: str, node: Any, section: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"text": self.check.text(file, node, "text", section)}
        self.check.keys(file, node, ("when", "text"), section, f"a {section} paragraph")
        if "when" in node:
            entry["when"] = self._condition(file, node["when"], section)
        if entry["text"]:
            from .letter import PLACEHOLDERS

            self.check.template(file, node, "text", section, PLACEHOLDERS)
        return entry

    def _add_letter(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        self._add_paragraphs("letter", file, value, doc)

    def _add_script(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        self._add_paragraphs("script", file, value, doc)

    def _add_paragraphs(self, section: str, file: str, value: Any, doc: dict[str, Any]) -> None:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.check.add(file, doc, section, f'"{section}" must be a list of paragraphs {{text: {{zh, en}}}}', section)
            return
        self.data.setdefault(section, []).extend((file, v) for v in value)

    def _add_interest(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        check = self.check
        if not isinstance(value, dict):
            check.add(file, doc, "interest", '"interest" must be a mapping', "interest")
            return
        check.keys(file, value, ("lpr", "caps", "bases", "notes"), "interest", '"interest"')
        out = self.data.setdefault("interest", {"lpr": [], "caps": {}, "bases": {}, "notes": {}})
        for row in value.get("lpr", []) if isinstance(value.get("lpr", []), list) else []:
            when = _as_date(row.get("from")) if isinstance(row, dict) else None
            rate = _decimal(row.get("rate")) if isinstance(row, dict) else None
            if when is None or rate is None or rate <= 0:
                check.add(file, row if isinstance(row, dict) else value, "interest",
                          "each LPR entry needs `from: YYYY-MM-DD` and a positive `rate` in percent")
                continue
            out["lpr"].append({"from": when, "rate": str(rate)})
        out["lpr"].sort(key=lambda r: r["from"])
        caps = value.get("caps", {})
        platforms = [c["id"] for c in self.data["fields"].get("platform", {}).get("choices", [])]
        for platform, cap in caps.items() if isinstance(caps, dict) else []:
            if platform in META:
                continue
            if platform not in platforms:
                check.add(file, caps, "interest", f'unknown platform "{platform}"{_suggest(str(platform), platforms)}',
                          platform)
                continue
            rate, multiple = _decimal(cap.get("rate")), _decimal(cap.get("lpr_multiple"))
            if not isinstance(cap.get("basis"), str) or (rate is None) == (multiple is None):
                check.add(file, caps, "interest", f"{platform}: give a `basis` and either `rate` (percent) or "
                          "`lpr_multiple`", platform)
                continue
            out["caps"][platform] = {"basis": cap["basis"], "rate": rate and str(rate),
                                     "lpr_multiple": multiple and str(multiple)}
        from .render.record import INTEREST_PLACEHOLDERS

        for group in ("bases", "notes"):
            node = value.get(group, {})
            for key in node if isinstance(node, dict) else []:
                if key not in META:
                    text = check.text(file, node, key, "interest")
                    if text:
                        out[group][key] = text
                        check.template(file, node, key, "interest", INTEREST_PLACEHOLDERS[group])

    def _add_plan(self, file: str, value: Any, doc: dict[str, Any]) -> None:
        check = self.check
        if not isinstance(value, dict):
            check.add(file, doc, "plan", '"plan" must be a mapping', "plan")
            return
        check.keys(file, value, ("share_of_margin", "max_months", "texts"), "plan", '"plan"')
        share = _decimal(value.get("share_of_margin"))
        if share is None or not 0 < share <= 1:
            check.add(file, value, "plan", "share_of_margin must be a number above 0 and at most 1", "share_of_margin")
            share = Decimal(1)
        months = value.get("max_months", {})
        if not isinstance(months, dict) or "default" not in months or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for k, v in months.items() if k not in META
        ):
            check.add(file, value, "plan", "max_months needs a `default` and whole numbers of months", "max_months")
            months = {"default": 60}
        texts = value.get("texts", {})
        if isinstance(texts, dict):
            from .render.record import PLAN_PLACEHOLDERS

            for key in texts:
                if key not in META:
                    check.template(file, texts, key, "plan", PLAN_PLACEHOLDERS)
        self.data["plan"] = {
            "share_of_margin": str(share),
            "max_months": {k: v for k, v in months.items() if k not in META},
            "texts": {k: check.text(file, texts, k, "plan") for k in texts if k not in META}
            if isinstance(texts, dict) else {},
        }

    def _check_aliases(self) -> None:
        for field in CHOICE_FIELDS:
            seen: dict[str, str] = {}
            for c in self.data["fields"].get(field, {}).get("choices", []):
                words = [c["id"], *(c["label"] or {}).values(), *c["aliases"]]
                for w in words:
                    k = w.strip().casefold()
                    if seen.get(k, c["id"]) != c["id"]:
                        self.check.add("(rule set)", None, None,
                                       f'{field}: "{w}" names both "{seen[k]}" and "{c["id"]}"')
                    seen[k] = c["id"]

    def _compile_rule(self, r: dict[str, Any]) -> dict[str, Any]:
        node, file, rid, check = r["node"], r["file"], r["id"], self.check
        out: dict[str, Any] = {"id": rid, "file": file, "line": r["line"]}
        out["title"] = check.text(file, node, "title", rid, required=False)
        if not isinstance(node.get("when"), dict):
            check.add(file, node, rid, '"when" is missing: give the conditions as a mapping')
            out["when"] = ["all", []]
        else:
            out["when"] = self._condition(file, node["when"], rid)
        sets = node.get("set", {})
        out["set"] = {}
        if not isinstance(sets, dict):
            check.add(file, node, rid, '"set" must be a mapping')
        else:
            for key, val in sets.items():
                if key in META:
                    continue
                if key not in ORDERED_OUTPUTS:
                    check.add(file, sets, rid, f'unknown key "{key}" in "set"{_suggest(key, ORDERED_OUTPUTS)}', key)
                elif val not in ORDERED_OUTPUTS[key]:
                    check.add(file, sets, rid, f'{key} "{val}" is not one of {", ".join(ORDERED_OUTPUTS[key])}'
                              f'{_suggest(str(val), ORDERED_OUTPUTS[key])}', key)
                else:
                    out["set"][key] = val
        out["summary"] = check.text(file, node, "summary", rid, required=False)
        for section in CATALOGS:
            ids = []
            for item in check.id_list(file, node, section, rid):
                urgency = None
                if section == "steps" and isinstance(item, dict):
                    check.keys(file, item, ("id", "urgency"), rid, "a step")
                    urgency = item.get("urgency")
                    if urgency not in URGENCIES:
                        check.add(file, item, rid, f'urgency must be one of {", ".join(URGENCIES)}')
                        urgency = None
                    item = item.get("id")
                if item not in self.data[section]:
                    check.add(file, node, rid, f'unknown {section[:-1]} "{item}"'
                              f'{_suggest(str(item), self.data[section])}', section)
                    continue
                ids.append([item, urgency] if section == "steps" else item)
            out[section] = ids
        for key in ("valid_from", "valid_until"):
            if key in node:
                out[key] = _as_date(node[key])
                if out[key] is None:
                    check.add(file, node, rid, f'"{key}" must be a date like 2026-03-31')
        if out.get("valid_from") and out.get("valid_until") and out["valid_from"] > out["valid_until"]:
            check.add(file, node, rid, '"valid_from" is after "valid_until"')
        if not any(out[k] for k in ("set", "summary", *CATALOGS)):
            check.add(file, node, rid, "the rule sets nothing: give set, summary, consequences, steps or references")
        out["examples"] = self._examples(file, node, rid)
        return out

    def _examples(self, file: str, node: dict[str, Any], rid: str) -> list[dict[str, Any]]:
        raw = node.get("examples")
        if not isinstance(raw, list) or not raw:
            self.check.add(file, node, rid, 'every rule needs "examples": at least one case it fires on')
            return []
        out = []
        for ex in raw:
            if not isinstance(ex, dict) or not isinstance(ex.get("case"), dict):
                self.check.add(file, ex if isinstance(ex, dict) else node, rid, 'an example needs a "case" mapping')
                continue
            self.check.keys(file, ex, EXAMPLE_KEYS, rid, "the example")
            entry: dict[str, Any] = {"line": ex.get(LINE), "column": ex.get(POS, {}).get("", (0, None))[1],
                                     "case": _strip_lines(ex["case"])}
            if "as_of" in ex:
                entry["as_of"] = _as_date(ex["as_of"])
                if entry["as_of"] is None:
                    self.check.add(file, ex, rid, '"as_of" must be a date like 2026-01-15')
            expect = ex.get("expect", {})
            if not isinstance(expect, dict):
                self.check.add(file, ex, rid, '"expect" must be a mapping')
                expect = {}
            self.check.keys(file, expect, EXPECT_KEYS, rid, '"expect"')
            for key in ORDERED_OUTPUTS:
                if key in expect and expect[key] not in ORDERED_OUTPUTS[key]:
                    self.check.add(file, expect, rid, f'expect {key} "{expect[key]}" is not one of '
                                   f'{", ".join(ORDERED_OUTPUTS[key])}')
            entry["expect"] = _strip_lines(expect)
            out.append(entry)
        return out

    def _condition(self, file: str, node: Any, rid: str) -> list[Any]:
        """Normalise a condition to ["all"|"any", [...]], ["not", c] or ["cmp", field, op, value]."""
        if not isinstance(node, dict):
            self.check.add(file, None, rid, f"a condition must be a mapping, not {node!r}")
            return ["all", []]
        parts: list[Any] = []
        for key, value in node.items():
            if key in META:
                continue
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    self.check.add(file, node, rid, f'"{key}" must be a non-empty list of conditions')
                    continue
                parts.append([key, [self._condition(file, v, rid) for v in value]])
            elif key == "not":
                parts.append(["not", self._condition(file, value, rid)])
            elif key in CONDITION_FIELDS:
                parts.extend(self._comparisons(file, node, key, value, rid))
            else:
                self.check.add(file, node, rid, f'unknown condition "{key}"'
                               f'{_suggest(str(key), [*CONDITION_FIELDS, *COMBINATORS])}', key)
        return parts[0] if len(parts) == 1 and parts[0][0] != "cmp" else ["all", parts]

    def _comparisons(self, file: str, node: dict[str, Any], field: str, value: Any, rid: str) -> list[Any]:
        if isinstance(value, dict):
            ops = [(op, v) for op, v in value.items() if op not in META]
            for op, _ in ops:
                if op not in OPERATORS:
                    self.check.add(file, value, rid, f'unknown operator "{op}" for {field}{_suggest(str(op), OPERATORS)}',
                                   op)
            ops = [(op, v) for op, v in ops if op in OPERATORS]
            if not ops:
                self.check.add(file, node, rid, f"{field}: give at least one operator ({', '.join(OPERATORS)})")
        elif isinstance(value, list):
            ops = [("in", value)]
        else:
            ops = [("eq", value)]
        out = []
        for op, v in ops:
            typed = self._typed(file, node, field, op, v, rid)
            if typed is not None:
                out.append(["cmp", field, op, typed])
        return out

    def _typed(self, file: str, node: dict[str, Any], field: str, op: str, value: Any, rid: str) -> Any:
        kind = CONDITION_FIELDS[field]
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                self.check.add(file, node, rid, f"{field} {op}: give a non-empty list")
                return None
            items = [self._typed(file, node, field, "eq", v, rid) for v in value]
            return None if any(i is None for i in items) else items
        if kind == "bool":
            if op in ("eq", "ne") and isinstance(value, bool):
                return value
            self.check.add(file, node, rid, f"{field} is true or false: write `{field}: true` or `{field}: false`")
            return None
        if op in ("gt", "gte", "lt", "lte") and kind not in ("int", "decimal"):
            self.check.add(file, node, rid, f"{field} cannot be compared with {op}; use a value or a list")
            return None
        if kind == "int":
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
            self.check.add(file, node, rid, f"{field}: {value!r} is not a whole number")
            return None
        if kind == "decimal":
            try:
                if isinstance(value, bool):
                    raise InvalidOperation
                d = Decimal(str(value))
                if not d.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.check.add(file, node, rid, f"{field}: {value!r} is not an amount")
                return None
            return str(d)
        valid = STAGES if kind == "stage" else [c["id"] for c in self.data["fields"].get(field, {}).get("choices", [])]
        if value not in valid:
            self.check.add(file, node, rid, f'{field}: unknown value "{value}"{_suggest(str(value), valid)}')
            return None
        return value


# ---------------------------------------------------------------- the compiled rule set


# The names each interface text that the program fills is given (what the callers of
# RuleSet.message pass); the other interface texts are shown as they are.
UI_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "verdict": ("severity", "stage"),
    "case_line": ("days", "amount", "platform", "negotiation"),
    "as_of": ("date",),
    "retention": ("repaid_on", "until"),
    "interest_line": ("apr", "cap", "verdict"),
    "interest_unknown": ("apr",),
    **dict.fromkeys(("bad_days", "bad_amount", "amount_range", "money_range", "amount_cents", "bad_date",
                     "bad_percent", "bad_count", "unknown_field"), ("value",)),
    "days_range": ("value", "max"),
    "percent_range": ("value", "max"),
    "percent_places": ("value", "places"),
    "date_range": ("value", "min", "max"),
    "repaid_after_as_of": ("value", "as_of"),
    "too_long": ("value", "max"),
    "bad_choice": ("value", "choices"),
    "missing_value": (),
    "missing_flags": ("missing",),
    "bad_answers_file": ("path", "reason"),
    "cannot_write": ("path", "reason"),
    "saved": ("path",),
    "answers_saved": ("path",),
    "internal_error": ("error",),
    "rules_ok": ("rules", "examples"),
    "batch_summary": ("rows", "ok", "bad", "seconds", "rate"),
    "batch_unknown_columns": ("names",),
    "batch_stopped": ("row", "field", "message"),
    "batch_not_written": ("path",),
    "batch_bad_json": ("error",),
    "batch_not_object": ("type",),
    "batch_twice": ("name",),
    "batch_csv_error": ("error",),
    "batch_bad_bytes": (),
    "batch_width": ("count", "width"),
}


class RuleSet:
    """A validated rule set. `data` is plain JSON-able data; lookups are built once here."""

    def __init__(self, data: dict[str, Any], sources: list[str]) -> None:
        self.data = data
        self.sources = sources
        self.rules: list[dict[str, Any]] = data["rules"]
        self.steps: dict[str, dict[str, Any]] = data["steps"]
        self.consequences: dict[str, dict[str, Any]] = data["consequences"]
        self.references: dict[str, dict[str, Any]] = data["references"]
        self.stages: list[dict[str, Any]] = data["stages"]
        self.labels: dict[str, dict[str, dict[str, str]]] = data["labels"]
        self.fields: dict[str, dict[str, Any]] = data["fields"]
        self.ui: dict[str, dict[str, str]] = data["ui"]
        self.interest: dict[str, Any] = data["interest"]
        self.plan: dict[str, Any] = data["plan"]
        self.letter: list[dict[str, Any]] = data.get("letter", [])
        self.script: list[dict[str, Any]] = data.get("script", [])
        self._choice_index: dict[str, dict[str, str]] = {}
        # Order of each catalog as written: display order within equal urgency.
        self.order = {section: {eid: n for n, eid in enumerate(data[section])} for section in CATALOGS}
        from .engine import compile_rules  # local: engine imports models only

        self.compiled = compile_rules(self)
        self.in_force_cache: dict[int, Any] = {}  # epoch of as_of -> the rules in force, with their testers
        self.lookup: Lookup | None = None  # the engine's band table, built on first use

    def choices(self, field: str) -> list[dict[str, Any]]:
        return list(self.fields.get(field, {}).get("choices", []))

    def choice_index(self, field: str) -> dict[str, str]:
        index = self._choice_index.get(field)
        if index is None:
            index = {}
            for n, c in enumerate(self.choices(field), 1):
                for word in (c["id"], *c["label"].values(), *c["aliases"], str(n)):
                    index.setdefault(word.strip().casefold(), c["id"])
            self._choice_index[field] = index
        return index

    def text(self, key: str, lang: str) -> str:
        entry = self.ui.get(key)
        return entry[lang] if entry else key

    def message(self, key: str, lang: str, **params: Any) -> str:
        from .templates import fill

        if "value" in params:
            params["value"] = shown(params["value"])
        return fill(self.text(key, lang), params)

    def label(self, group: str, value: str, lang: str) -> str:
        if group == "stage":
            for s in self.stages:
                if s["id"] == value:
                    return str(s["label"][lang])
            return value
        if group in self.fields:
            for c in self.choices(group):
                if c["id"] == value:
                    return str(c["label"][lang])
            return value
        return self.labels.get(group, {}).get(value, {}).get(lang, value)


def shown(value: Any, limit: int = 60) -> str:
    """What the user typed, safe to quote: control characters made visible, a huge value cut short."""
    from .safetext import printable

    text = str(value)
    out = printable(text[: limit + 1])
    return out[:limit] + "…" if len(text) > limit else out


# ---------------------------------------------------------------- loading with a content-hash cache
#
# The cache is a file anyone with access to the folder could have put there, so it is read as input
# from others: only a regular file of bounded size that belongs to this user and that no one else may
# change, with a header naming its format, the rule files' hash and a digest of the rest. Anything
# else is rebuilt from the rule files, silently: a cache can cost speed, never a run.

MAX_CACHE_BYTES = 64 << 20
_CACHE_SECTIONS = {"stages": list, "labels": dict, "fields": dict, "steps": dict, "consequences": dict,
                   "references": dict, "rules": list, "ui": dict, "interest": dict, "plan": dict,
                   "letter": list, "script": list}


def _cache_dir() -> Path:
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


def _content_key(sources: list[tuple[str, bytes]]) -> str:
    parts = [CACHE_FORMAT.encode()]
    for label, data in sources:
        parts += [_text_bytes(label), data]
    return _digest(*parts)


def _read_cache(path: Path, key: str) -> dict[str, Any] | None:
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


def _write_cache(path: Path, key: str, data: dict[str, Any]) -> None:
    from .fileio import write_file  # only on a cold cache

    body = _text_bytes(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    if len(body) > MAX_CACHE_BYTES:
        return  # it would never be read back
    try:
        _private_dir(path.parent)
        write_file(path, _text_bytes(f"{CACHE_FORMAT} {key} {_digest(body)}\n") + body, private=True)
    except (OSError, WriteError):
        pass  # an unwritable cache only costs speed


def _compile(sources: list[tuple[str, Source]]) -> dict[str, Any]:
    compiler = _Compiler()
    for label, source in sources:
        compiler.add_file(label, _read_yaml(label, source, compiler.check.problems))
    data = compiler.finish()
    if compiler.check.problems:
        raise RuleSetError(compiler.check.problems)
    return data


def compile_files(files: list[tuple[Path, str]]) -> dict[str, Any]:
    """Read and validate rule files. Raises RuleSetError listing every problem found."""
    return _compile([(label, _read_source(path, label)) for path, label in files])


def load_ruleset(paths: Sequence[str | os.PathLike[str]] | None = None, *, cache: bool = True) -> RuleSet:
    """Load the built-in rule set, or the given files and folders layered in order.

    The interface texts (`ui`) of the built-in set are always the base layer, so a replacement
    rule set need only carry rules and catalogs.
    """
    builtin = builtin_rules_dir()
    # `builtin` names the shipped set, so a layer can go on top of it from any install.
    roots = [builtin if str(p) == "builtin" and not Path(p).exists() else Path(p) for p in paths or [builtin]]
    for root in roots:
        try:
            found = root.exists()
        except (OSError, ValueError) as exc:  # a name too long, or with a NUL byte in it
            raise RuleSetError([RuleProblem(str(root)[:80], None, None, f"cannot read: {exc}")]) from None
        if not found:
            raise RuleSetError([RuleProblem(str(root), None, None, "no such file or folder")])
    try:
        files = rule_files(roots)
    except OSError as exc:
        raise RuleSetError([RuleProblem(str(roots[0]), None, None, f"cannot read: {exc}")]) from None
    if paths:
        files = [(p, "builtin/" + label) for p, label in rule_files([builtin]) if p.name == "ui.yaml"] + files
    if not any(True for _ in files):
        raise RuleSetError([RuleProblem(str(roots[0]), None, None, "no rule files (*.yaml) found")])
    labels = [label for _, label in files]
    # Each file is read once: what is hashed is what is compiled, even if a file changes meanwhile.
    sources = [(label, _read_source(path, label)) for path, label in files]
    readable = [(label, s) for label, s in sources if isinstance(s, bytes)]
    if not cache or len(readable) < len(sources):
        return RuleSet(_compile(sources), labels)
    key = _content_key(readable)
    target = _cache_dir() / f"rules-{key}.json"
    data = _read_cache(target, key)
    if data is not None:
        try:
            return RuleSet(data, labels)
        except (LookupError, TypeError, ValueError, ArithmeticError, AttributeError, RecursionError):
            pass  # well formed, yet not a rule set this version can use: rebuild it
    data = _compile(sources)
    _write_cache(target, key, data)
    return RuleSet(data, labels)
