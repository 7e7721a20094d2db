"""Every fact in a rule set says where it was read and when (`source`, `checked`).

`rules check` fails on a fact without them and warns on one checked more than a year before the day it
checks for. The loader keeps neither key, so this re-reads the rule files with their line numbers: the
cost falls on `rules check` alone, never on a report.

A fact is every reference, consequence, step, concern answer and headline, every rule in force only
for a time (`valid_from`/`valid_until`), and the interest table and each of its caps. An
`override: true` entry that changes no text keeps the source of what it overrides.

A source (on a fact, or on any other entry that carries one) names what a reader can open again: a web
address, a file of the statute mirror the quoted articles are compared with, or a file of this rule
set. A path outside the repository (a team note, a file on someone's desk) is refused.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import RuleProblem
from .rulefiles import read_source, read_yaml, rule_files
from .ruleset import RuleSet, builtin_rules_dir, rule_roots
from .rulespec import META, POS

ENTRY_SECTIONS = ("references", "consequences", "steps", "answers", "headlines")
# The keys whose change makes an override a new statement, needing its own source.
TEXT_KEYS = ("text", "title", "summary", "verdict", "conditions", "bases", "notes", "rate", "lpr", "basis",
             "lpr_multiple", "valid_from", "valid_until")
STALE_AFTER = datetime.timedelta(days=365)
# The statute mirror the verbatim texts are compared with, named as "<repo>/<path>" or "<repo> <path>".
MIRRORS = ("LawRefBook/Laws",)
_URL = re.compile(r"https?://[^\s/]+\.[^\s/]+(/\S*)?")
_MIRROR_PATH = re.compile(r"(?P<repo>[\w.-]+/[\w.-]+)[/ ](?P<path>\S.*\.md)")
_OWN = "rules/"  # a file of this rule set, e.g. rules/SOURCES.md#advice


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


def readable_source(source: Any) -> bool:
    """A web address, a file of the statute mirror, or a file of this rule set that exists."""
    if not isinstance(source, str):
        return False
    text = source.strip()
    if _URL.fullmatch(text):
        return True
    mirror = _MIRROR_PATH.fullmatch(text)
    if mirror and mirror["repo"] in MIRRORS:
        return True
    own, _, anchor = text.partition("#")
    if not own.startswith(_OWN) or ".." in own.split("/"):
        return False
    path = builtin_rules_dir() / own[len(_OWN):]
    if not path.is_file():
        return False
    return not anchor or anchor in _anchors(path)


@functools.lru_cache(maxsize=8)  # many facts cite the same note
def _anchors(path: Path) -> frozenset[str]:
    """The anchors of a Markdown file's headings, as GitHub makes them ("## NIFA convention" -> nifa-convention)."""
    headings = (line.lstrip("#").strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("#"))
    return frozenset(re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings)


def _sourced(data: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a file's data that carries a `source`."""
    if isinstance(data, dict):
        if "source" in data:
            yield data
        for key, value in data.items():
            if key not in META:
                yield from _sourced(value)
    elif isinstance(data, list):
        for item in data:
            yield from _sourced(item)


def _unreadable(rules: RuleSet, label: str, data: Any) -> Iterator[RuleProblem]:
    """A problem for each source that names nothing a reader could open again."""
    for node in _sourced(data):
        given = node["source"]
        for source in given if isinstance(given, list) else [given]:
            if source is not None and not readable_source(source):
                line, column = node.get(POS, {}).get("source") or node.get(POS, {}).get("", (None, None))
                yield RuleProblem(label, line, str(node.get("id") or "source"), rules.message(
                    "fact_source_form", "en", source=source) + " / " + rules.message(
                    "fact_source_form", "zh", source=source), column)


def check_sources(rules: RuleSet, paths: Sequence[str] | None, today: datetime.date
                  ) -> tuple[list[RuleProblem], list[RuleProblem]]:
    """(problems, warnings): facts without `source` or `checked`, sources no reader could open again,
    and facts checked over a year ago."""
    problems: list[RuleProblem] = []
    warnings: list[RuleProblem] = []
    for path, label in rule_files(rule_roots(paths)):
        data = read_yaml(label, read_source(path, label), [])
        problems.extend(_unreadable(rules, label, data))
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
