"""The one checker of a rule file's values: each problem with its file, line and column (Checker), and
every plain value of an entry checked against the form rulespec gives it (`check_entry`): its type,
enum, bounds, pattern and date, the ids it names (`ref`), and the entry's own constraints (`one_of`,
`needs`, `order`). A new key or section is checked by declaring its form; nothing here names one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from .errors import RuleProblem, suggest
from .fields import LANGS
from .models import STAGES
from .rulespec import META, POS, REF_NOUNS, Entry, Form, ListOf, MapOf, OneOf, Scalar, as_date, conforms

Ids = Callable[[str], Collection[str]]  # the ids a `ref` may name, once every file is read


class Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[RuleProblem] = []

    def add(self, file: str, node: Any, rule: str | None, message: str, key: Any = None) -> None:
        line = column = None
        if isinstance(node, dict) and POS in node:
            line, column = node[POS].get(key) or node[POS][""]
        self.problems.append(RuleProblem(file, line, rule, message, column))

    def keys(self, file: str, node: dict[str, Any], allowed: Sequence[str] | Entry, rule: str | None,
             what: str) -> None:
        """Keys the form (or the list) does not name; a form's keys are read when called."""
        allowed = tuple(allowed.keys) if isinstance(allowed, Entry) else allowed
        for key in node:
            if key not in META and key not in allowed:
                self.add(file, node, rule, f'unknown key "{key}" in {what}{suggest(str(key), allowed)}', key)

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
                    problem = f'unknown placeholder "{part}"{suggest(part.name, names)}'
                else:
                    problem = f'placeholder "{part}" may carry only "," and a precision such as ".2f"'
                self.add(file, value, rule, f"{lang} text: {problem}", lang)

    def id_list(self, file: str, owner: dict[str, Any], key: str, rule: str | None) -> list[Any]:
        value = owner.get(key, [])
        if not isinstance(value, list):
            self.add(file, owner, rule, f'"{key}" must be a list')
            return []
        return value


def ids_of(data: dict[str, Any], rules: Collection[str], target: str) -> list[str]:
    """The ids a `ref` names in a merged rule set: a section's entries, a field's choices, or the rules."""
    out: list[str] = []
    for part in target.split("+"):
        if part.startswith("choices:"):
            out += [c["id"] for c in data["fields"].get(part.removeprefix("choices:"), {}).get("choices", [])]
        elif part == "rules":
            out += list(rules)
        elif part == "stages":
            out += list(STAGES)
        else:
            out += list(data.get(part) or ())
    return out


def _no_ids(target: str) -> Collection[str]:
    raise ValueError(f'"{target}" names ids that are only known once every file is read')


def _wording(form: Scalar) -> str:
    """What a wrong value is told when its form does not say: worded from the form."""
    schema = form.schema
    if form.ref:
        return 'unknown {noun} "{value}"{suggest}'
    if "enum" in schema:
        return "{key} must be one of {values}{suggest}"
    if schema.get("format") == "date":
        return '"{key}" must be a date like 2026-03-31'
    kinds = schema.get("type")
    if kinds == "boolean":
        return '"{key}" must be true or false'
    bounds = []
    if "minimum" in schema:
        bounds.append(f"{schema['minimum']} or more" if kinds == "integer" else f"at least {schema['minimum']}")
    bounds += [f"above {schema['exclusiveMinimum']}"] if "exclusiveMinimum" in schema else []
    bounds += [f"at most {schema['maximum']}"] if "maximum" in schema else []
    if kinds == "integer":
        return "{key} must be a whole number" + "".join(f", {b}" for b in bounds)
    if isinstance(kinds, list) and "number" in kinds:
        return "{key} must be a number" + (" " + " and ".join(bounds) if bounds else "")
    return f'"{{key}}" must be {"an object" if kinds == "object" else "a text"}'


def fits(form: Scalar, value: Any, ids: Ids) -> bool:
    return conforms(form, value) and (form.ref is None or value in ids(form.ref))


def wrong(form: Scalar, key: Any, value: Any, ids: Ids) -> str:
    """What a value that does not fit its form is told."""
    says = form.says or _wording(form)
    choices: Collection[str] = form.schema.get("enum", ())
    if form.ref and "{suggest}" in says:
        choices = ids(form.ref)
    return says.format(key=key, value=value, values=", ".join(map(str, choices)), noun=REF_NOUNS.get(form.ref or ""),
                       suggest=suggest(str(value), choices) if "{suggest}" in says else "")


def check_value(check: Checker, file: str, node: Any, key: Any, form: Scalar, value: Any, owner: str | None,
                ids: Ids = _no_ids, at: Any = None) -> bool:
    """One value against its form; a problem points at `at` in `node` (the key, when not given)."""
    if fits(form, value, ids):
        return True
    check.add(file, node, owner, wrong(form, key, value, ids), key if at is None else at)
    return False


def _plain(form: Form) -> bool:
    """A value whose every part is a Scalar: what check_entry checks itself."""
    if isinstance(form, Scalar):
        return True
    if isinstance(form, ListOf):
        return _plain(form.item)
    if isinstance(form, OneOf):
        return all(_plain(f) for f in form.forms)
    return isinstance(form, MapOf) and (form.key is not None or _plain(form.value))


def _list_wording(form: ListOf) -> str:
    return form.says or ('"{key}" must be a list' + (f" of {form.min_items} or more" if form.min_items else ""))


class _Entry:
    """One entry being checked: its problems, each said once, and the values that pass."""

    def __init__(self, check: Checker, file: str, node: dict[str, Any], owner: str | None, ids: Ids) -> None:
        self.check, self.file, self.node, self.owner, self.ids = check, file, node, owner, ids
        self.said: set[tuple[str, Any]] = set()

    def add(self, message: str, key: Any, node: Any = None) -> None:
        if (message, key) not in self.said:
            self.said.add((message, key))
            self.check.add(self.file, self.node if node is None else node, self.owner, message, key)

    def value(self, form: Form, key: Any, value: Any, node: Any = None) -> tuple[bool, Any]:
        """(whether it fits, the value that passes: a date as YYYY-MM-DD, a list with its good items);
        a problem points at `key` in `node` (the entry, when not given)."""
        if isinstance(form, Scalar):
            if not fits(form, value, self.ids):
                self.add(wrong(form, key, value, self.ids), key, node)
                return False, None
            return True, as_date(value) if form.schema.get("format") == "date" else value
        if isinstance(form, OneOf):
            for option in form.forms:
                if self._fits(option, value):
                    return self.value(option, key, value, node)
            self.add((form.says or '"{key}" has a form it cannot take').format(key=key), key, node)
            return False, None
        if isinstance(form, ListOf):
            if not isinstance(value, list) or len(value) < form.min_items:
                self.add(_list_wording(form).format(key=key), key, node)
                return False, None
            good = [self.value(form.item, key, item, node) for item in value]
            return True, [v for ok, v in good if ok]
        return self._map(form, key, value, node) if isinstance(form, MapOf) else (True, value)

    def _fits(self, form: Form, value: Any) -> bool:
        if isinstance(form, Scalar):
            return fits(form, value, self.ids)
        if isinstance(form, ListOf):
            return isinstance(value, list) and len(value) >= form.min_items and all(
                self._fits(form.item, v) for v in value)
        return False

    def _map(self, form: MapOf, key: Any, value: Any, node: Any) -> tuple[bool, Any]:
        says = form.says or '"{key}" must be a mapping'
        if not isinstance(value, dict) or any(name not in value for name in form.required):
            self.add(says.format(key=key), key, node)
            return False, None
        good = {}
        for name, item in value.items():
            if name in META:
                continue
            if form.key is not None and not fits(form.key, name, self.ids):
                self.add(wrong(form.key, name, name, self.ids), name, value)
                continue
            ok, item = self.value(form.value, name, item, value) if _plain(form.value) else (True, item)
            if ok:
                good[name] = item
        return True, good


def check_entry(check: Checker, file: str, node: dict[str, Any], form: Entry, owner: str | None,
                ids: Ids = _no_ids) -> dict[str, Any]:
    """Every plain value of an entry against its form, and the entry's own constraints. Returns the
    values that pass by key (what is neither plain nor a mapping of named entries is left to its
    reader); a required plain value that is missing is told as a wrong one."""
    entry = _Entry(check, file, node, owner, ids)
    required = set(form.required) - (set(form.lenient) if node.get("override") is True else set())
    good: dict[str, Any] = {}
    for key, sub in form.keys.items():
        if key not in node and not (key in required and isinstance(sub, Scalar)):
            continue
        if _plain(sub):
            ok, value = entry.value(sub, key, node.get(key))
            if ok:
                good[key] = value
    given = [key for key in form.one_of if key in node]
    if form.one_of and len(given) != 1:
        entry.add("give either " + " or ".join(f"`{k}`" for k in form.one_of) + ", one of them only", None)
    for key, others in form.needs:
        if key in node and not all(k in node for k in others):
            entry.add(f'"{key}" needs ' + " and ".join(f'"{k}"' for k in others) + " beside it", key)
    for earlier, later in form.order:
        if good.get(earlier) and good.get(later) and good[earlier] > good[later]:
            entry.add(f'"{earlier}" is after "{later}"', None)
    return good
