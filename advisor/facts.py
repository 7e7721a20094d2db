"""Every fact in a rule set says where it was read and when (`source`, `checked`).

`rules check` fails on a fact without them and warns on one checked more than a year before the day it
checks for. The loader keeps neither key, so this re-reads the rule files with their line numbers: the
cost falls on `rules check` alone, never on a report.

A fact is every reference, consequence, step, concern answer and headline, every rule in force only
for a time (`valid_from`/`valid_until`), and the interest table and each of its caps. An
`override: true` entry that changes no text keeps the source of what it overrides.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

from .errors import RuleProblem
from .rulefiles import read_source, read_yaml, rule_files
from .ruleset import RuleSet, rule_roots
from .rulespec import META, POS

ENTRY_SECTIONS = ("references", "consequences", "steps", "answers", "headlines")
# The keys whose change makes an override a new statement, needing its own source.
TEXT_KEYS = ("text", "title", "summary", "verdict", "conditions", "bases", "notes", "rate", "lpr", "basis",
             "lpr_multiple", "valid_from", "valid_until")
STALE_AFTER = datetime.timedelta(days=365)


def _facts(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each fact of one file's data, with the name it is shown by."""
    if not isinstance(data, dict):
        return
    for section in ENTRY_SECTIONS:
        for n, node in enumerate(data.get(section) or [], 1):
            if isinstance(node, dict):
                yield str(node.get("id") or f"{section}[{n}]"), node
    for node in data.get("rules") or []:
        if isinstance(node, dict) and ("valid_from" in node or "valid_until" in node):
            yield str(node.get("id")), node
    interest = data.get("interest")
    if isinstance(interest, dict):
        yield "interest", interest
        for name, cap in (interest.get("caps") or {}).items():
            if name not in META and isinstance(cap, dict):
                yield f"interest.caps.{name}", cap


def _inherits(node: dict[str, Any]) -> bool:
    """An override that restates no text, number or date keeps the source of what it overrides."""
    return node.get("override") is True and not any(key in node for key in TEXT_KEYS)


def _checked_on(value: Any) -> datetime.date | None:
    """The loader has refused all but a YYYY-MM-DD date, plain or quoted (then it arrives as text)."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def check_sources(rules: RuleSet, paths: Sequence[str] | None, today: datetime.date
                  ) -> tuple[list[RuleProblem], list[RuleProblem]]:
    """(problems, warnings): facts without `source` or `checked`, and facts checked over a year ago."""
    problems: list[RuleProblem] = []
    warnings: list[RuleProblem] = []
    for path, label in rule_files(rule_roots(paths)):
        data = read_yaml(label, read_source(path, label), [])
        for name, node in _facts(data):
            line, column = node.get(POS, {}).get("", (None, None))
            missing = [key for key in ("source", "checked") if not node.get(key)]
            if missing and not _inherits(node):
                problems.append(RuleProblem(label, line, name, rules.message(
                    "fact_unsourced", "en", keys=" and ".join(missing)) + " / " + rules.message(
                    "fact_unsourced", "zh", keys="、".join(missing)), column))
                continue
            checked = _checked_on(node.get("checked")) if node.get("checked") else None
            if checked is not None and today - checked > STALE_AFTER:
                params = {"date": checked.isoformat(), "today": today.isoformat()}
                warnings.append(RuleProblem(label, line, name, rules.message("fact_stale", "en", **params)
                                            + " / " + rules.message("fact_stale", "zh", **params), column))
    return problems, warnings
