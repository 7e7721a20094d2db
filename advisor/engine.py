"""The pure core: evaluate(case, ruleset, as_of) -> Assessment.

No I/O, no printing, no clock. Ordered outputs take the highest value any fired rule sets, so the
result never depends on rule order; lists are unions ordered most urgent first. A fired rule's
`replaces`/`removes` then take their ids out of the union, whichever rules added them: applied after
the union, so they too never depend on rule order (a removal always wins over an addition).
"""

from __future__ import annotations

from datetime import date, timedelta

from . import conditions
from .conditions import DERIVED_CHECKS, Condition
from .finance import interest_check, plan, retention_over, retention_until
from .models import NO_EXTENDED, ORDERED_OUTPUTS, STAGES, URGENCIES, Assessment, Case, FiredRule, Step
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .conditions import Tester
    from .ruleset import RuleSet

RANK = {name: {v: n for n, v in enumerate(vocab)} for name, vocab in ORDERED_OUTPUTS.items()}
_URGENCY_RANK = {u: n for n, u in enumerate(URGENCIES)}


def rules_in_force(ruleset: RuleSet, as_of: date) -> list[tuple[dict[str, Any], Condition, Tester]]:
    """The rules in force on a date, each with its tree (for --explain) and its tester; kept per epoch,
    the span of dates in which no rule comes into force or goes out, so however many dates are met
    there are only a few lists."""
    epoch = lookup(ruleset).partition.epoch(as_of)
    cache = ruleset.in_force_cache
    found = cache.get(epoch)
    if found is None:
        today = as_of.isoformat()
        found = [(rule, cond, conditions.tester(cond)) for rule, cond in ruleset.conditions if _in_force(rule, today)]
        cache[epoch] = found
    return found


def firing(case: Case, ruleset: RuleSet, as_of: date) -> list[dict[str, Any]]:
    """Just the rules that fire, in order: all coverage needs, without building a whole assessment."""
    known = facts(case, ruleset, as_of)
    return [rule for rule, _, holds in rules_in_force(ruleset, as_of) if holds(known)]


def highest(fired: list[dict[str, Any]], stage: str) -> dict[str, str]:
    """Each ordered output at the highest value any fired rule sets, then no higher than the lowest
    `at_most` of any fired rule; the stage starts from the day bands."""
    best = {"stage": stage, "severity": "none", "credit_level": "none", "reporting": "none"}
    for rule in fired:
        for key, value in rule["set"].items():
            if RANK[key][value] > RANK[key][best[key]]:
                best[key] = value
    for rule in fired:
        for key, value in rule.get("at_most", {}).items():
            if RANK[key][value] < RANK[key][best[key]]:
                best[key] = value
    return best


def dropped(fired: list[dict[str, Any]]) -> set[str]:
    """The steps and consequences that the fired rules replace or remove."""
    return {eid for rule in fired for key in ("replaces", "removes") for eid in rule.get(key, ())}


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


def overdue_start(case: Case, as_of: date) -> date:
    """The day the overdue began: the days counted back from its repayment, or from as_of while unpaid.
    Time-bound relief (the PBOC one-time repair) depends on it, and the answers give it only this way."""
    return (case.repaid_on or as_of) - timedelta(days=case.overdue_days)


def facts(case: Case, ruleset: RuleSet, as_of: date) -> dict[str, Any]:
    """What conditions can test: the answers, and what the engine derives from them."""
    out = case._asdict()
    out["day_stage"] = day_stage(case.overdue_days, ruleset)
    out["overdue_start"] = overdue_start(case, as_of)
    interest, proposal = interest_check(case, ruleset), plan(case, ruleset)
    out["interest_check"], out["plan"] = interest, proposal
    out.update(zip(DERIVED_CHECKS, checks(case, interest, proposal, as_of)))
    return out


def checks(case: Case, interest: dict[str, Any] | None, proposal: dict[str, Any] | None,
           as_of: date) -> tuple[Any, ...]:
    """The checks a rule may test, in the order of DERIVED_CHECKS, each None when not worked out."""
    received, repaid = case.received, case.repaid_so_far
    return (interest["exceeds"] if interest else None, proposal["affordable"] if proposal else None,
            None if received is None or repaid is None else repaid >= received, retention_over(case, as_of))


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
        fired.append(FiredRule(rule["id"], tuple(conditions.trace(cond, known)) if trace else ()))
        if rule["summary"]:
            summaries.append(rule["id"])
        consequences.update(rule["consequences"])
        references.update(rule["references"])
        for step_id, urgency in rule["steps"]:
            urgency = urgency or ruleset.steps[step_id]["urgency"]
            if step_id not in steps or _URGENCY_RANK[urgency] < _URGENCY_RANK[steps[step_id]]:
                steps[step_id] = urgency
    gone = dropped([rule for rule, _ in rules])
    if gone:
        consequences -= gone
        steps = {s: u for s, u in steps.items() if s not in gone}
    order = ruleset.order
    first = {s for s, u in steps.items() if u == "now" and ruleset.steps[s].get("first")}
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
            for s, u in sorted(steps.items(),
                               key=lambda su: (_URGENCY_RANK[su[1]], su[0] not in first, order["steps"][su[0]]))
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
DAY_LIMIT = 20_000  # (as_of, days) pairs whose band is remembered: a day count is met again and again
_NO_FIGURES = (None, None, None)  # no interest check, no plan, no retention date

if TYPE_CHECKING:
    Table = dict[tuple[Any, ...], tuple[Any, ...]]


class Lookup:
    """The outcome of every band cell met so far, per epoch of `as_of`, for one rule set."""

    def __init__(self, ruleset: RuleSet) -> None:
        from .partition import Partition

        self.partition = Partition(ruleset)
        self.by_date: dict[date, tuple[Table, Table]] = {}
        self._by_epoch: dict[int, tuple[Table, Table]] = {}
        # The band of a day count on a day: of the days themselves and, when a rule tests it, of the
        # day the overdue began. Bisecting both costs more than the rest of a lookup.
        self.day_bands: dict[tuple[date, int], Any] = {}

    def days(self, as_of: date, days: int) -> Any:
        part = self.partition
        found: Any = part.days(days)
        if part.start is not None:
            found = (found, part.start(as_of - timedelta(days=days)))
        if len(self.day_bands) >= DAY_LIMIT:
            self.day_bands.clear()
        self.day_bands[as_of, days] = found
        return found

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
    if case[5:] == NO_EXTENDED:  # only the four core answers: the common case
        days = found.day_bands.get((as_of, case[0]))
        if days is None:
            days = found.days(as_of, case[0])
        key: tuple[Any, ...] = (days, part.amount(case[1]), case[2], case[3])
        outcome = tables[0].get(key)
        if outcome is None:
            outcome = _fill(tables[0], key, case, ruleset, as_of)
    else:
        interest, proposal = interest_check(case, ruleset), plan(case, ruleset)
        derived = checks(case, interest, proposal, as_of)
        key = (part.days(case[0]), part.amount(case[1]), case[2], case[3],
               *[band(case[n]) for n, band in part.extended],
               *[derived[n] for n in part.derived_at],
               part.start(overdue_start(case, as_of)) if part.start else None)
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
    when = ruleset.when
    known = facts(assessment.case, ruleset, assessment.as_of)
    return tuple(FiredRule(fired.id, tuple(conditions.trace(when[fired.id], known))) for fired in assessment.fired)
