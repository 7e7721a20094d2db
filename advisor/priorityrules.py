"""Reading the `priorities` section: which of several debts to deal with first, and why.

Each entry is a class of debt: an id, a reason in plain words, and what puts a debt in it (a
condition on the debt's answers, the assessed chance of a credit-report entry, whether the debt can be
cleared at once). A debt belongs to the first entry that holds; the debts are ordered by the place of
their entry in the list, so a rule author reorders them by moving entries. As for answers, an id given
again must say `override: true` and keeps its first place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .answerrules import read_entries
from .rulespec import PRIORITY

if TYPE_CHECKING:
    from .rulesections import Merge

Compile = Callable[["Merge", str, Any, str], list[Any]]  # rulecompiler._condition


def read_priorities(m: Merge, file: str, value: Any, doc: dict[str, Any]) -> None:
    read_entries(m, file, value, doc, "priorities", "priority", m.answer_nodes["priorities"], column="priorities")


def compile_priorities(m: Merge, condition: Compile) -> None:
    check = m.check
    out = []
    for pid, (file, node) in m.answer_nodes["priorities"].items():
        check.keys(file, node, PRIORITY, pid, f'priority "{pid}"')
        entry: dict[str, Any] = {"id": pid, "reason": check.text(file, node, "reason", pid)}
        if "label" in node:
            entry["label"] = check.text(file, node, "label", pid)
        if "when" in node:
            entry["when"] = condition(m, file, node["when"], pid)
        good = m.values(file, node, PRIORITY, pid)
        entry.update((key, good[key]) for key in ("reporting", "clearable", "settled") if key in good)
        out.append(entry)
    m.data["priorities"] = out
