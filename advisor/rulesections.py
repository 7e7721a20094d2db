"""Reading the sections of each rule file into one merged rule set (the loader's first pass).

Each section has its reader in READERS; an id defined twice must say `override: true`. What needs the
whole set (rule conditions, references to catalog entries, examples) waits for rulecompiler's pass."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from .answerrules import read_answers, read_entries, read_list
from .declared import read_declared
from .models import STAGES
from .phraserules import read_negations, read_phrases, read_products
from .priorityrules import read_priorities
from .rulefields import read_fields
from .rulespec import (
    CAP,
    CATALOG,
    ENTRY_NAMES,
    FILE,
    INTEREST,
    LABEL_GROUPS,
    LINE,
    META,
    NAMED_CONDITION,
    POS,
    RULE,
    STAGE,
    STAGE_ID,
    Entry,
    ListOf,
    as_decimal,
)
from .settingsections import REPORT_DEFAULTS, read_plan, read_report
from .specchecks import Checker, check_entry, check_value, ids_of
from .uiplaceholders import UI_PLACEHOLDERS


class Merge:
    """What the files give, merged in the order they are read."""

    def __init__(self) -> None:
        self.check = Checker()
        self.data: dict[str, Any] = {
            "stages": [], "labels": {}, "fields": {}, "steps": {}, "consequences": {},
            "references": {}, "ui": {}, "report": dict(REPORT_DEFAULTS),
            "interest": {"lpr": [], "caps": {}, "bases": {}, "notes": {}},
            "plan": {"share_of_margin": "1", "max_months": {"default": 60}, "longest_months": {"default": 60},
                     "texts": {}},
            "unsafe_text": [],  # [file, line, column, character]: for `rules check`, not fatal to a run
        }
        self.origin: dict[tuple[str, str], str] = {}  # (section, id) -> "file:line"
        # By id while merging, so an override replaces its rule in constant time, not by a scan of all.
        self.rules: dict[str, dict[str, Any]] = {}
        self.disabled: list[tuple[str, str, Any, tuple[str, int]]] = []  # file, rule id, the file, key
        # Read in the second pass: (file, node) of each field's `ask_when` and of each paragraph.
        self.ask_when: dict[str, tuple[str, Any]] = {}
        self.plan_when: tuple[str, Any] | None = None  # (file, node) of the plan's `when`
        self.plan_received: tuple[str, Any] | None = None  # and of its `received_when`
        self.paragraphs: dict[str, list[tuple[str, Any]]] = {"letter": [], "script": []}
        # (file, node) of each answer by id and of each default_concerns and headlines entry (answerrules).
        self.answer_nodes: dict[str, dict[str, Any]] = {"answers": {}, "default_concerns": {}, "headlines": {}, "priorities": {}}
        self.declared: dict[str, dict[str, Any]] = {}  # section -> id -> (file, node): sections without a reader
        # The named conditions (`conditions`): (file, node) by name; their trees once compiled, and the names
        # being compiled, so that one naming itself, directly or not, is told rather than followed forever.
        self.named: dict[str, tuple[str, Any]] = {}
        self.named_trees: dict[str, list[Any] | None] = {}
        self.naming: list[str] = []

    def ids(self, target: str) -> list[str]:
        """The ids a `ref` of rulespec names in what is merged so far."""
        return ids_of(self.data, self.rules, target)

    def values(self, file: str, node: dict[str, Any], form: Entry, owner: str | None) -> dict[str, Any]:
        """An entry's plain values checked against its form (specchecks); those that pass."""
        return check_entry(self.check, file, node, form, owner, self.ids)


def _place(m: Merge, section: str, entry_id: str, file: str, node: Any, rule: str | None) -> bool:
    """Record where an id is defined; a second definition must say `override: true`."""
    here = f"{file}:{node.get(LINE)}" if isinstance(node, dict) else file
    key = (section, entry_id)
    if key in m.origin and not (isinstance(node, dict) and node.get("override") is True):
        m.check.add(
            file, node, rule,
            f'{ENTRY_NAMES[section]} "{entry_id}" is already defined at '
            f"{m.origin[key]}; add `override: true` to replace it",
        )
        return False
    m.origin[key] = here
    return True


def _find_unsafe(m: Merge, file: str, node: Any, where: tuple[int, int]) -> None:
    """Keys and texts holding a character that could drive a terminal (shown escaped when run)."""
    if isinstance(node, str):
        from .safetext import first_unsafe

        found = first_unsafe(node, lines=True)
        if found:
            m.data["unsafe_text"].append([file, *where, found])
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in META:
                at = node[POS].get(key, where) if POS in node else where
                _find_unsafe(m, file, key, at)
                _find_unsafe(m, file, value, at)
    elif isinstance(node, list):
        for value in node:
            _find_unsafe(m, file, value, where)


def add_file(m: Merge, file: str, doc: Any) -> None:
    check = m.check
    if doc is None:
        return
    if not isinstance(doc, dict):
        check.add(file, None, None, "a rule file must be a mapping of sections (rules:, steps:, …)")
        return
    check.keys(file, doc, tuple(FILE.keys), None, "the file")
    _find_unsafe(m, file, doc, (doc[LINE], 1))
    for section in FILE.keys:  # read when called: a section declared in rulespec alone is read too (declared.py)
        if section in doc:
            READERS.get(section, partial(read_declared, section))(m, file, doc[section], doc)


def read_disable(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    """Rule ids, each checked once every file is read (rulecompiler), at its own place in the list."""
    form = FILE.keys["disable"]
    assert isinstance(form, ListOf)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        m.check.add(file, doc, None, str(form.says))
        return
    m.disabled.extend((file, v, doc, ("disable", n)) for n, v in enumerate(value))


def read_ui(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        m.check.add(file, doc, None, '"ui" must be a mapping of text ids to {zh, en}')
        return
    for key in value:
        if key not in META:
            text = m.check.text(file, value, key, None)
            if text:
                m.data["ui"][key] = text
                if key in UI_PLACEHOLDERS:
                    m.check.template(file, value, key, None, UI_PLACEHOLDERS[key])


def read_stages(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, list):
        m.check.add(file, doc, None, '"stages" must be a list')
        return
    stages = []
    for node in value:
        if not isinstance(node, dict):
            check_value(m.check, file, node, "id", STAGE_ID, node, None)
            continue
        if "id" not in m.values(file, node, STAGE, None):
            continue
        m.check.keys(file, node, STAGE, None, f'stage "{node["id"]}"')
        entry: dict[str, Any] = {"id": node["id"], "label": m.check.text(file, node, "label", None)}
        if "description" in node:
            entry["description"] = m.check.text(file, node, "description", None)
        if "days" in node:
            entry["days"] = day_band(m, file, node["days"], node["id"])
        stages.append(entry)
    if [s["id"] for s in stages] != list(STAGES):
        m.check.add(file, doc, None, f'"stages" must list, in order: {", ".join(STAGES)}')
    m.data["stages"] = stages


def day_band(m: Merge, file: str, node: Any, stage: str) -> dict[str, int] | None:
    form = STAGE.keys["days"]
    assert isinstance(form, Entry)
    if not isinstance(node, dict) or not {"gte"} <= set(node) - META <= set(form.keys):
        m.check.add(file, node, None, f'stage "{stage}": "days" must be {{gte: N}} or {{gte: N, lte: M}}')
        return None
    band = m.values(file, node, form, stage)
    return band if len(band) == len(set(node) - META) else None


def read_labels(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        m.check.add(file, doc, None, '"labels" must be a mapping')
        return
    m.check.keys(file, value, tuple(LABEL_GROUPS), None, '"labels"')
    for group, ids in LABEL_GROUPS.items():
        node = value.get(group)
        if node is None:
            continue
        if not isinstance(node, dict):
            m.check.add(file, value, None, f'labels "{group}" must be a mapping')
            continue
        m.check.keys(file, node, ids, None, f'labels "{group}"')
        out = m.data["labels"].setdefault(group, {})
        for vid in ids:
            text = m.check.text(file, node, vid, None)
            if text:
                out[vid] = text


def read_catalog(section: str, m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, list):
        m.check.add(file, doc, None, f'"{section}" must be a list')
        return
    for node in value:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            m.check.add(file, node if isinstance(node, dict) else doc, None,
                           f'each entry of "{section}" needs an "id"')
            continue
        eid = node["id"]
        m.check.keys(file, node, CATALOG[section], eid, f'{section} entry "{eid}"')
        earlier = m.data[section].get(eid)
        if not _place(m, section, eid, file, node, eid):
            continue
        if earlier is not None:
            # An override changes only what it states: a new text keeps the old urgency, title, ….
            merged = {**earlier, **node}
            for key in ("text", "title"):  # and a text in one language keeps the other
                if isinstance(earlier.get(key), dict) and isinstance(node.get(key), dict):
                    merged[key] = {**earlier[key], **node[key]}
            node = merged
        entry: dict[str, Any] = {"id": eid, "text": m.check.text(file, node, "text", eid)}
        m.values(file, node, CATALOG[section], eid)
        if section == "steps":
            entry["urgency"] = node.get("urgency")
            if node.get("first") is True:
                entry["first"] = True
        if section == "consequences" and "legal" in node:
            entry["legal"] = node["legal"] is True
        if section == "references":
            entry["title"] = m.check.text(file, node, "title", eid)
            entry["verbatim"] = node.get("verbatim") is True
            if "confidence" in node:
                entry["confidence"] = str(node["confidence"])
        m.data[section].pop(eid, None)  # an override moves to its new place in the order
        m.data[section][eid] = entry


def read_rules(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, list):
        m.check.add(file, doc, None, '"rules" must be a list')
        return
    for node in value:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"].strip():
            m.check.add(file, node if isinstance(node, dict) else doc, None, 'each rule needs an "id"')
            continue
        rid = node["id"]
        m.check.keys(file, node, RULE, rid, "the rule")
        if not _place(m, "rules", rid, file, node, rid):
            continue
        m.rules.pop(rid, None)  # an override moves to its new place in the order
        m.rules[rid] = {"id": rid, "file": file, "line": node.get(LINE), "node": node}


def read_conditions(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    read_entries(m, file, value, doc, "conditions", "condition", m.named, column="conditions", keys=NAMED_CONDITION)


def read_paragraphs(section: str, m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        m.check.add(file, doc, section, f'"{section}" must be a list of paragraphs {{text: {{zh, en}}}}', section)
        return
    m.paragraphs[section].extend((file, v) for v in value)


def read_interest(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    check = m.check
    if not isinstance(value, dict):
        check.add(file, doc, "interest", '"interest" must be a mapping', "interest")
        return
    check.keys(file, value, INTEREST, "interest", '"interest"')
    out = m.data["interest"]
    good = m.values(file, value, INTEREST, "interest")
    rows = INTEREST.keys["lpr"]
    assert isinstance(rows, ListOf) and isinstance(rows.item, Entry)
    for row in value.get("lpr", []) if isinstance(value.get("lpr", []), list) else []:
        if not isinstance(row, dict):
            check.add(file, value, "interest", str(rows.item.keys["from"].says), "lpr")  # type: ignore[union-attr]
            continue
        lpr = m.values(file, row, rows.item, "interest")
        if len(lpr) == 2:
            out["lpr"].append({"from": lpr["from"], "rate": str(as_decimal(lpr["rate"]))})
    out["lpr"].sort(key=lambda r: r["from"])
    for platform, cap in good.get("caps", {}).items():
        if not isinstance(cap, dict):
            check.add(file, value["caps"], "interest", f'"{platform}" must be a mapping', platform)
            continue
        known = m.values(file, cap, CAP, "interest")
        rate, multiple = as_decimal(known.get("rate")), as_decimal(known.get("lpr_multiple"))
        if "basis" in known and (rate is None) != (multiple is None):
            out["caps"][platform] = {"basis": known["basis"], "rate": rate and str(rate),
                                     "lpr_multiple": multiple and str(multiple), "transition": known.get("transition")}
    from .render.record import INTEREST_PLACEHOLDERS

    for group in ("bases", "notes"):
        node = value.get(group, {})
        for key in node if isinstance(node, dict) else []:
            if key not in META:
                text = check.text(file, node, key, "interest")
                if text:
                    out[group][key] = text
                    check.template(file, node, key, "interest", INTEREST_PLACEHOLDERS[group])


# Each section's reader, in the order they are read: choices before the interest caps that name them.
Reader = Callable[[Merge, str, Any, dict[str, Any]], None]  # (merge, file, the section's value, the file)
READERS: dict[str, Reader] = {
    "stages": read_stages,
    "conditions": read_conditions,
    "labels": read_labels,
    "fields": read_fields,
    "steps": partial(read_catalog, "steps"),
    "consequences": partial(read_catalog, "consequences"),
    "references": partial(read_catalog, "references"),
    "rules": read_rules,
    "ui": read_ui,
    "disable": read_disable,
    "interest": read_interest,
    "plan": read_plan,
    "report": read_report,
    "letter": partial(read_paragraphs, "letter"),
    "script": partial(read_paragraphs, "script"),
    "answers": read_answers,
    "default_concerns": partial(read_list, "default_concerns"),
    "headlines": partial(read_list, "headlines"),
    "products": read_products, "phrases": read_phrases, "negations": read_negations,
    "priorities": read_priorities,
}
assert set(READERS) <= set(FILE.keys)  # a section with no reader here is read from its form (declared.py)
