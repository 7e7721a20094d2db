"""Reading the sections that answer the person: `answers`, `default_concerns` and `headlines`.

The first pass (the readers, called from rulesections) only collects the entries: an answer by its
id, where a second definition must say `override: true` and keeps the first one's place; the two
lists as a whole, a later file's list replacing an earlier one. The second pass (`compile_answers`,
from rulecompiler) checks them against the whole set: the concern is a choice of the `concerns`
field, the references exist, each `when` is a condition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .rulespec import ANSWER, DEFAULT_CONCERNS, HEADLINE, LINE, Entry

if TYPE_CHECKING:
    from .rulesections import Merge

Compile = Callable[["Merge", str, Any, str], list[Any]]  # rulecompiler._condition


def read_entries(m: Merge, file: str, value: Any, doc: dict[str, Any], section: str, noun: str,
                 found: dict[str, tuple[str, dict[str, Any]]], *, column: str | None = None,
                 keys: Entry | None = None) -> None:
    """A section that is a list of entries with ids (answers, priorities, products): each id defined
    once, or replaced with `override: true`; the nodes are kept in `found`, compiled once all files are
    read (an override keeps the place of what it replaces)."""
    if not isinstance(value, list):
        m.check.add(file, doc, None, f'"{section}" must be a list', column)
        return
    for node in value:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"].strip():
            m.check.add(file, node if isinstance(node, dict) else doc, None, f'each {noun} needs an "id"')
            continue
        eid, key = node["id"], (section, node["id"])
        if keys is not None:
            m.check.keys(file, node, keys, eid, f'{noun} "{eid}"')
        if key in m.origin and node.get("override") is not True:
            m.check.add(file, node, eid, f'{noun} "{eid}" is already defined at {m.origin[key]}; '
                        "add `override: true` to replace it")
            continue
        m.origin[key] = f"{file}:{node.get(LINE)}"
        found[eid] = (file, node)


def read_answers(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    read_entries(m, file, value, doc, "answers", "answer", m.answer_nodes["answers"])


def read_list(section: str, m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        m.check.add(file, doc, section, f'"{section}" must be a list of mappings', section)
        return
    m.answer_nodes[section] = {str(n): (file, node) for n, node in enumerate(value)}


def compile_answers(m: Merge, condition: Compile) -> None:
    """The three sections, checked, into the rule set's data."""
    check, data = m.check, m.data
    answers = []
    for aid, (file, node) in m.answer_nodes["answers"].items():
        check.keys(file, node, ANSWER, aid, f'answer "{aid}"')
        good = m.values(file, node, ANSWER, aid)
        entry: dict[str, Any] = {"id": aid, "concern": node.get("concern")}
        if "when" in node:
            entry["when"] = condition(m, file, node["when"], aid)
        entry["verdict"] = check.text(file, node, "verdict", aid)
        entry["text"] = check.text(file, node, "text", aid)
        entry["conditions"] = [_text(m, file, c, aid, "conditions") for c in check.id_list(file, node, "conditions", aid)]
        entry["conditions_are"] = good.get("conditions_are", "points")
        entry["references"] = good.get("references", [])
        answers.append(entry)
    data["answers"] = answers
    data["default_concerns"] = []
    for file, node in m.answer_nodes["default_concerns"].values():
        where = f"default_concerns:{node.get(LINE)}"
        check.keys(file, node, DEFAULT_CONCERNS, where, "a default_concerns entry")
        default: dict[str, Any] = {"concerns": m.values(file, node, DEFAULT_CONCERNS, where).get("concerns", [])}
        if "when" in node:
            default["when"] = condition(m, file, node["when"], where)
        data["default_concerns"].append(default)
    data["headlines"] = []
    for file, node in m.answer_nodes["headlines"].values():
        where = f"headlines:{node.get(LINE)}"
        check.keys(file, node, HEADLINE, where, "a headline")
        headline: dict[str, Any] = {"text": check.text(file, node, "text", where)}
        good = m.values(file, node, HEADLINE, where)
        if "stage" in node:
            headline["stage"] = good.get("stage", [])
        if "when" in node:
            headline["when"] = condition(m, file, node["when"], where)
        data["headlines"].append(headline)


def _text(m: Merge, file: str, value: Any, owner: str, key: str) -> Any:
    """One item of a list of texts, checked as a text."""
    return m.check.text(file, {key: value}, key, owner)
