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

from .finance import interest_check, plan, retention_until
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
RANK = {name: {v: n for n, v in enumerate(vocab)} for name, vocab in ORDERED_OUTPUTS.items()}
_URGENCY_RANK = {u: n for n, u in enumerate(URGENCIES)}

# For a field holding several answers (collection): "eq x" means x is among them, "in [..]" any of them.
_SET_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: b in a,
    "ne": lambda a, b: b not in a,
    "in": lambda a, b: not a.isdisjoint(b),
    "not_in": lambda a, b: a.isdisjoint(b),
}

# A compiled condition: (kind, payload). Leaves carry their own comparison for speed.
Compiled = tuple[str, Any]


def _known(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Any comparison with an unknown answer is false: a rule never fires on what nobody said."""
    return lambda a, b: a is not None and fn(a, b)


def _compile(cond: list[Any], kinds: dict[str, str]) -> Compiled:
    kind = cond[0]
    if kind in ("all", "any"):
        return (kind, tuple(_compile(c, kinds) for c in cond[1]))
    if kind == "not":
        return ("not", _compile(cond[1], kinds))
    _, field, op, value = cond
    if kinds.get(field) == "decimal":
        value = [Decimal(v) for v in value] if isinstance(value, list) else Decimal(value)
    if isinstance(value, list):
        value = frozenset(value)
    fn = _SET_OPS[op] if kinds.get(field) == "set" else _OPS[op]
    return ("cmp", (field, op, value, fn if field in _ALWAYS_KNOWN else _known(fn)))


_ALWAYS_KNOWN = frozenset(("overdue_days", "amount", "platform", "negotiation", "day_stage"))


def compile_condition(cond: list[Any]) -> Compiled:
    from .ruleset import CONDITION_FIELDS

    return _compile(cond, CONDITION_FIELDS)


def compile_rules(ruleset: RuleSet) -> list[tuple[dict[str, Any], Compiled]]:
    return [(rule, compile_condition(rule["when"])) for rule in ruleset.rules]


Tester = Callable[[dict[str, Any]], bool]


def closure(cond: Compiled) -> Tester:
    """The condition as nested Python functions: several times faster than walking the tree per case."""
    kind, payload = cond
    if kind == "cmp":
        field, _, value, fn = payload
        return lambda known: bool(fn(known[field], value))
    if kind == "not":
        inner = closure(payload)
        return lambda known: not inner(known)
    parts = [closure(c) for c in payload]
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return (lambda k: a(k) and b(k)) if kind == "all" else (lambda k: a(k) or b(k))
    if kind == "all":
        return lambda known: all(p(known) for p in parts)
    return lambda known: any(p(known) for p in parts)


def rules_in_force(ruleset: RuleSet, as_of: date) -> list[tuple[dict[str, Any], Compiled, Tester]]:
    """The rules in force on a date, each with its tree (for --explain) and its tester; kept per epoch,
    the span of dates in which no rule comes into force or goes out, so however many dates are met
    there are only a few lists."""
    epoch = lookup(ruleset).partition.epoch(as_of)
    cache = ruleset.in_force_cache
    found = cache.get(epoch)
    if found is None:
        today = as_of.isoformat()
        found = [(rule, cond, closure(cond)) for rule, cond in ruleset.compiled if _in_force(rule, today)]
        cache[epoch] = found
    return found


def firing(case: Case, ruleset: RuleSet, as_of: date) -> list[dict[str, Any]]:
    """Just the rules that fire, in order: all coverage needs, without building a whole assessment."""
    known = facts(case, ruleset, as_of)
    return [rule for rule, _, holds in rules_in_force(ruleset, as_of) if holds(known)]


def highest(fired: list[dict[str, Any]], stage: str) -> dict[str, str]:
    """Each ordered output at the highest value any fired rule sets; the stage starts from the day bands."""
    best = {"stage": stage, "severity": "none", "credit_level": "none", "reporting": "none"}
    for rule in fired:
        for key, value in rule["set"].items():
            if RANK[key][value] > RANK[key][best[key]]:
                best[key] = value
    return best


def test_condition(cond: Compiled, case: Case, ruleset: RuleSet, as_of: date) -> bool:
    """Whether a compiled condition holds for a case (for questions to ask and letter paragraphs)."""
    return _test(cond, facts(case, ruleset, as_of))


def day_stage(days: int, ruleset: RuleSet) -> str:
    """The stage the day bands give. Bands are data (practice, not law)."""
    return stage_band(days, ruleset) or STAGES[0]


def stage_band(days: int, ruleset: RuleSet) -> str | None:
    """The stage whose day band holds `days` (the last one listed, if bands overlap), or None."""
    found = None
    for stage in ruleset.stages:
        band = stage.get("days")
        if band and days >= band["gte"] and ("lte" not in band or days <= band["lte"]):
            found = stage["id"]
    return found


def facts(case: Case, ruleset: RuleSet, as_of: date) -> dict[str, Any]:
    """What conditions can test: the answers, and what the engine derives from them."""
    out = case._asdict()
    out["day_stage"] = day_stage(case.overdue_days, ruleset)
    interest, proposal = interest_check(case, ruleset), plan(case, ruleset)
    out["interest_check"], out["plan"] = interest, proposal
    out["interest_exceeds"], out["plan_affordable"] = _derived(interest, proposal)
    return out


def _derived(interest: dict[str, Any] | None, proposal: dict[str, Any] | None) -> tuple[Any, Any]:
    """The two checks a rule may test: interest_exceeds and plan_affordable, None when not worked out."""
    return (interest["exceeds"] if interest else None, proposal["affordable"] if proposal else None)


def _test(cond: Compiled, known: dict[str, Any]) -> bool:
    kind, payload = cond
    if kind == "cmp":
        field, _, value, fn = payload
        return bool(fn(known[field], value))
    if kind == "all":
        return all(_test(c, known) for c in payload)
    if kind == "any":
        return any(_test(c, known) for c in payload)
    return not _test(payload, known)


def _trace(cond: Compiled, known: dict[str, Any], out: list[ConditionTrace]) -> None:
    """Every leaf of a fired rule with the case's actual value: the answer to "why did this fire?"."""
    kind, payload = cond
    if kind == "cmp":
        field, op, value, fn = payload
        shown = sorted(value, key=str) if isinstance(value, frozenset) else value
        out.append(ConditionTrace(field, op, shown, known[field], bool(fn(known[field], value))))
    elif kind == "not":
        inner: list[ConditionTrace] = []
        _trace(payload, known, inner)
        if len(inner) == 1:  # `not` of one comparison reads as one: "not in [...]" with its own answer
            t = inner[0]
            out.append(ConditionTrace(t.field, "not " + t.op, t.expected, t.actual, not t.result))
        else:  # of a group: each comparison as it stands, marked as inside the `not`
            out.extend(ConditionTrace(t.field, "(within not) " + t.op, t.expected, t.actual, t.result) for t in inner)
    else:
        for c in payload:
            _trace(c, known, out)


def _in_force(rule: dict[str, Any], as_of: str) -> bool:
    start, end = rule.get("valid_from"), rule.get("valid_until")
    return (start is None or start <= as_of) and (end is None or as_of <= end)


def evaluate_reference(case: Case, ruleset: RuleSet, as_of: date, *, trace: bool = False) -> Assessment:
    """Rule by rule: test every rule in force and merge what fires. The reference `evaluate` must
    match; it also fills each band's outcome the first time a case lands there."""
    known = facts(case, ruleset, as_of)
    rules = [(rule, cond) for rule, cond, holds in rules_in_force(ruleset, as_of) if holds(known)]
    best = highest([rule for rule, _ in rules], known["day_stage"])
    fired: list[FiredRule] = []
    summaries: list[str] = []
    consequences: set[str] = set()
    steps: dict[str, str] = {}
    references: set[str] = set()
    for rule, cond in rules:
        conditions: list[ConditionTrace] = []
        if trace:
            _trace(cond, known, conditions)
        fired.append(FiredRule(rule["id"], tuple(conditions)))
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
        interest_check=known["interest_check"],
        plan=known["plan"],
        retention_until=retention_until(case),
    )


# Cells remembered per epoch: each holds a few hundred bytes, and a batch or a loop of assess calls
# meets a few hundred of them; past the limit a table starts again. Cases with extended answers fall in
# far more cells, so they have a table of their own and cannot push out the common cells of the core
# answers alone. Dates map to their epoch's tables.
CELL_LIMIT = 10_000
DATE_LIMIT = 1_000
_UNKNOWN = (None,) * (len(Case._fields) - 5)  # no extended answer given
_NO_FIGURES = (None, None, None)  # no interest check, no plan, no retention date


Table = dict[tuple[Any, ...], tuple[Any, ...]]


class Lookup:
    """The outcome of every band cell met so far, per epoch of `as_of`, for one rule set."""

    def __init__(self, ruleset: RuleSet) -> None:
        from .partition import Partition

        self.partition = Partition(ruleset)
        self.conditions = {rule["id"]: cond for rule, cond in ruleset.compiled}
        self.by_date: dict[date, tuple[Table, Table]] = {}
        self._by_epoch: dict[int, tuple[Table, Table]] = {}

    def tables(self, as_of: date) -> tuple[Table, Table]:
        """The cells of the core answers alone, and those of cases with extended answers."""
        if len(self.by_date) >= DATE_LIMIT:
            self.by_date.clear()
        found = self._by_epoch.setdefault(self.partition.epoch(as_of), ({}, {}))
        self.by_date[as_of] = found
        return found


def lookup(ruleset: RuleSet) -> Lookup:
    """The rule set's band table, built on first use."""
    found = ruleset.lookup
    if found is None:
        found = ruleset.lookup = Lookup(ruleset)
    return found


def evaluate(case: Case, ruleset: RuleSet, as_of: date, *, trace: bool = False) -> Assessment:
    """The assessment of a case: its band cell's outcome, plus the case's own figures.

    `trace=True` adds, for each fired rule, every comparison with the case's actual answer."""
    found = ruleset.lookup or lookup(ruleset)
    tables = found.by_date.get(as_of)
    if tables is None:
        tables = found.tables(as_of)
    part = found.partition
    if case[5:] == _UNKNOWN:  # only the four core answers: the common case
        key: tuple[Any, ...] = (part.days(case[0]), part.amount(case[1]), case[2], case[3])
        outcome = tables[0].get(key)
        if outcome is None:
            outcome = _fill(tables[0], key, case, ruleset, as_of)
    else:
        interest, proposal = interest_check(case, ruleset), plan(case, ruleset)
        derived = _derived(interest, proposal)
        key = (part.days(case[0]), part.amount(case[1]), case[2], case[3],
               *[band(case[n]) for n, band in part.extended],
               *[derived[0] if name == "interest_exceeds" else derived[1] for name in part.derived])
        outcome = tables[1].get(key)
        if outcome is None:
            outcome = _fill(tables[1], key, case, ruleset, as_of)
        outcome = (*outcome[:9], interest, proposal, retention_until(case))
    # tuple.__new__ skips the NamedTuple's keyword handling: a third of the time of a cached answer.
    result: Assessment = _new_tuple(Assessment, (case, as_of) + outcome)
    return result._replace(fired=explain(result, ruleset)) if trace else result


_new_tuple = tuple.__new__


def _fill(table: Table, key: tuple[Any, ...], case: Case, ruleset: RuleSet, as_of: date) -> tuple[Any, ...]:
    """A cell met for the first time: any case in it gives the outcome of all of them."""
    if len(table) >= CELL_LIMIT:
        table.clear()
    found = table[key] = (*evaluate_reference(case, ruleset, as_of)[2:11], *_NO_FIGURES)
    return found


def explain(assessment: Assessment, ruleset: RuleSet) -> tuple[FiredRule, ...]:
    """Why each rule fired: its comparisons traced against the case's actual answers."""
    conditions = lookup(ruleset).conditions
    known = facts(assessment.case, ruleset, assessment.as_of)
    out = []
    for fired in assessment.fired:
        traced: list[ConditionTrace] = []
        _trace(conditions[fired.id], known, traced)
        out.append(FiredRule(fired.id, tuple(traced)))
    return tuple(out)
