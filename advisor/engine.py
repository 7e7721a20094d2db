"""The pure core: evaluate(case, ruleset, as_of) -> Assessment.

No I/O, no printing, no clock. Ordered outputs take the highest value any fired rule sets, so the
result never depends on rule order; lists are unions ordered most urgent first.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .models import ORDERED_OUTPUTS, STAGES, URGENCIES, Assessment, Case, ConditionTrace, FiredRule, Step

if TYPE_CHECKING:
    from .ruleset import RuleSet

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}
_RANK = {name: {v: n for n, v in enumerate(vocab)} for name, vocab in ORDERED_OUTPUTS.items()}
_URGENCY_RANK = {u: n for n, u in enumerate(URGENCIES)}

# A compiled condition: (kind, payload). Leaves carry their own comparison for speed.
Compiled = tuple[str, Any]


def _compile(cond: list[Any]) -> Compiled:
    kind = cond[0]
    if kind in ("all", "any"):
        return (kind, tuple(_compile(c) for c in cond[1]))
    if kind == "not":
        return ("not", _compile(cond[1]))
    _, field, op, value = cond
    if field == "amount":
        value = [Decimal(v) for v in value] if isinstance(value, list) else Decimal(value)
    if isinstance(value, list):
        value = frozenset(value)
    return ("cmp", (field, op, value, _OPS[op]))


def compile_rules(ruleset: RuleSet) -> list[tuple[dict[str, Any], Compiled]]:
    return [(rule, _compile(rule["when"])) for rule in ruleset.rules]


def day_stage(days: int, ruleset: RuleSet) -> str:
    """The stage the day bands give. Bands are data (practice, not law)."""
    found = STAGES[0]
    for stage in ruleset.stages:
        band = stage.get("days")
        if band and days >= band["gte"] and ("lte" not in band or days <= band["lte"]):
            found = stage["id"]
    return found


def _facts(case: Case, ruleset: RuleSet) -> dict[str, Any]:
    return {
        "overdue_days": case.overdue_days,
        "amount": case.amount,
        "platform": case.platform,
        "negotiation": case.negotiation,
        "day_stage": day_stage(case.overdue_days, ruleset),
    }


def _test(cond: Compiled, facts: dict[str, Any]) -> bool:
    kind, payload = cond
    if kind == "cmp":
        field, _, value, fn = payload
        return bool(fn(facts[field], value))
    if kind == "all":
        return all(_test(c, facts) for c in payload)
    if kind == "any":
        return any(_test(c, facts) for c in payload)
    return not _test(payload, facts)


def _trace(cond: Compiled, facts: dict[str, Any], out: list[ConditionTrace]) -> None:
    """Every leaf of a fired rule with the case's actual value: the answer to "why did this fire?"."""
    kind, payload = cond
    if kind == "cmp":
        field, op, value, fn = payload
        shown = sorted(value, key=str) if isinstance(value, frozenset) else value
        out.append(ConditionTrace(field, op, shown, facts[field], bool(fn(facts[field], value))))
    elif kind == "not":
        inner: list[ConditionTrace] = []
        _trace(payload, facts, inner)
        out.extend(ConditionTrace(t.field, "not " + t.op, t.expected, t.actual, t.result) for t in inner)
    else:
        for c in payload:
            _trace(c, facts, out)


def _in_force(rule: dict[str, Any], as_of: str) -> bool:
    start, end = rule.get("valid_from"), rule.get("valid_until")
    return (start is None or start <= as_of) and (end is None or as_of <= end)


def evaluate(case: Case, ruleset: RuleSet, as_of: date, *, trace: bool = True) -> Assessment:
    facts = _facts(case, ruleset)
    today = as_of.isoformat()
    best = {"stage": facts["day_stage"], "severity": "none", "credit_level": "none", "reporting": "none"}
    fired: list[FiredRule] = []
    summaries: list[str] = []
    consequences: set[str] = set()
    steps: dict[str, str] = {}
    references: set[str] = set()
    for rule, cond in ruleset.compiled:
        if not _in_force(rule, today) or not _test(cond, facts):
            continue
        conditions: list[ConditionTrace] = []
        if trace:
            _trace(cond, facts, conditions)
        fired.append(FiredRule(rule["id"], tuple(conditions)))
        for key, value in rule["set"].items():
            if _RANK[key][value] > _RANK[key][best[key]]:
                best[key] = value
        if rule["summary"]:
            summaries.append(rule["id"])
        consequences.update(rule["consequences"])
        references.update(rule["references"])
        for step_id, urgency in rule["steps"]:
            urgency = urgency or ruleset.steps[step_id]["urgency"]
            if step_id not in steps or _URGENCY_RANK[urgency] < _URGENCY_RANK[steps[step_id]]:
                steps[step_id] = urgency
    order = ruleset.order
    return Assessment(
        case=case,
        as_of=as_of,
        stage=best["stage"],
        severity=best["severity"],
        credit_level=best["credit_level"],
        reporting=best["reporting"],
        summary_rules=tuple(summaries),
        consequences=tuple(sorted(consequences, key=order["consequences"].__getitem__)),
        steps=tuple(
            Step(s, u)
            for s, u in sorted(steps.items(), key=lambda su: (_URGENCY_RANK[su[1]], order["steps"][su[0]]))
        ),
        references=tuple(sorted(references, key=order["references"].__getitem__)),
        fired=tuple(fired),
    )
