"""Reading the `fields` section: each answer's question texts and, for a choice, its choices.

A field restated in a later file must say `override: true`; it then changes only what it states, so an
organisation's layer can add one common name to a platform without copying the list: its texts replace
the earlier ones language by language, and its choices merge by id (a new id is added at the end, an
existing one keeps its label unless a new one is given, and its aliases are appended).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import suggest
from .fields import LANGS
from .models import CHOICE_FIELDS, CORE_FIELDS
from .rulespec import ASKABLE, CHOICE, FIELD, LINE, META

if TYPE_CHECKING:
    from .rulesections import Merge

TEXTS = ("question", "why", "hint")


def read_fields(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        m.check.add(file, doc, None, '"fields" must be a mapping')
        return
    for name, node in value.items():
        if name in META:
            continue
        if name not in ASKABLE:
            m.check.add(file, value, None, f'unknown field "{name}"{suggest(str(name), ASKABLE)}', name)
            continue
        if not isinstance(node, dict):
            m.check.add(file, value, None, f'field "{name}" must be a mapping')
            continue
        m.check.keys(file, node, FIELD, None, f'field "{name}"')
        earlier = m.data["fields"].get(name)
        key = ("fields", name)
        if key in m.origin and node.get("override") is not True:
            m.check.add(file, value, None, f'field "{name}" is already defined at {m.origin[key]}; add '
                        "`override: true` to change it (only what it states changes)", name)
            earlier = None  # read it as a whole new definition, so that its own mistakes are named too
        m.origin[key] = f"{file}:{node.get(LINE)}"
        entry = _texts(m, file, name, node, earlier)
        if name in CHOICE_FIELDS:
            entry["choices"] = _choices(m, file, name, node, earlier)
        elif "choices" in node:
            m.check.add(file, node, None, f'field "{name}" takes no choices', "choices")
        if earlier is None or "ask_when" in node:
            m.ask_when.pop(name, None)  # a field defined anew keeps only its own condition
        if "ask_when" in node:
            if name in CORE_FIELDS:
                m.check.add(file, node, None, f'field "{name}" is always asked: drop "ask_when"', "ask_when")
            m.ask_when[name] = (file, node["ask_when"])
        m.data["fields"][name] = entry


def _texts(m: Merge, file: str, name: str, node: dict[str, Any], earlier: dict[str, Any] | None) -> dict[str, Any]:
    if earlier is None:  # a new field: its question and why are required, a hint is optional
        return {key: m.check.text(file, node, key, None) for key in TEXTS if key in node or key != "hint"}
    entry = dict(earlier)
    for key in TEXTS:
        if key in node:
            text = m.check.text(file, {**node, key: _one_language_kept(node[key], earlier.get(key))}, key, None)
            if text:
                entry[key] = text
    return entry


def _one_language_kept(new: Any, old: Any) -> Any:
    """A text given in one language keeps the other from before."""
    if isinstance(new, dict) and isinstance(old, dict) and not all(lang in new for lang in LANGS):
        return {**old, **new}
    return new


def _choices(m: Merge, file: str, field: str, node: dict[str, Any],
             earlier: dict[str, Any] | None) -> list[dict[str, Any]]:
    before = {c["id"]: c for c in (earlier or {}).get("choices", [])}
    raw = node.get("choices")
    if raw is None and before:
        return list(before.values())
    if not isinstance(raw, list) or not raw:
        m.check.add(file, node, None, f'field "{field}" needs a list of "choices"')
        return list(before.values())
    out = dict(before)
    for c in raw:
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            m.check.add(file, c if isinstance(c, dict) else node, None, f'each "{field}" choice needs an "id"')
            continue
        m.check.keys(file, c, CHOICE, None, f'choice "{c["id"]}"')
        aliases = m.values(file, c, CHOICE, f'{field}.{c["id"]}').get("aliases", [])
        old = before.get(c["id"])
        entry = dict(old) if old else {"id": c["id"]}
        if old is None or "label" in c:  # a new choice needs a label; a known one keeps its own
            label = _one_language_kept(c.get("label"), (old or {}).get("label"))
            entry["label"] = m.check.text(file, {**c, "label": label}, "label", None)
        words = [str(a) for a in aliases]
        entry["aliases"] = [*old["aliases"], *(w for w in words if w not in old["aliases"])] if old else words
        if "note" in c:
            entry["note"] = m.check.text(file, c, "note", None)
        out[c["id"]] = entry
    return list(out.values())
