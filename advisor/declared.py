"""A section described in rulespec alone, with no reader of its own: a list of entries with ids.

It is read as answers and priorities are (an id defined once, or replaced with `override: true`) and,
once every file is read, each entry is checked against its form: its plain values by specchecks (the
ids it names, dates, enums, bounds), its texts in both languages, its conditions. So a new section
that names steps needs its form in rulespec.FILE and nothing here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .answerrules import read_entries
from .rulespec import CONDITION, FILE, TEXT, Entry, ListOf

if TYPE_CHECKING:
    from .rulesections import Merge

Compile = Callable[["Merge", str, Any, str], list[Any]]  # rulecompiler._condition


def entry_form(section: str) -> Entry:
    form = FILE.keys[section]
    if not (isinstance(form, ListOf) and isinstance(form.item, Entry) and "id" in form.item.keys):
        raise TypeError(f'section "{section}" is no list of entries with ids: give it a reader in READERS')
    return form.item


def read_declared(section: str, m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    form = entry_form(section)
    read_entries(m, file, value, doc, section, f"{section} entry", m.declared.setdefault(section, {}),
                 column=section, keys=form)


def compile_declared(m: Merge, condition: Compile) -> None:
    for section, found in m.declared.items():
        form = entry_form(section)
        entries = []
        for eid, (file, node) in found.items():
            entry = {key: value for key, value in m.values(file, node, form, eid).items() if key != "override"}
            for key, sub in form.keys.items():
                if sub == TEXT and (key in node or key in form.required):
                    entry[key] = m.check.text(file, node, key, eid)
                elif sub == CONDITION and key in node:
                    entry[key] = condition(m, file, node[key], eid)
            entries.append({**entry, "id": eid})
        m.data[section] = entries
