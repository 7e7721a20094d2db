"""Rule conditions: one typed tree, and the one walker of each kind that every module uses.

A rule file writes a condition as a mapping (`overdue_days: {gte: 31}`, `all: [...]`); the compiler
checks it and keeps it as plain JSON data (`["cmp", field, op, value]`, `["all", [...]]`, `["any",
[...]]`, `["not", c]`), which is what the rules cache holds. `build` turns that data into typed nodes
once per loaded rule set; the engine tests them (`tester`), explains them (`trace`), the partition
reads their comparisons (`leaves`) and `rules show` prints them (`describe`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

from .fields import FIELDS
from .models import ConditionTrace
from .tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

# Fields a condition may test, and how their values are typed. The contract date and the LPR override
# are not tested by rules; day_stage, overdue_start and the checks are derived by the engine.
# The checks (engine.checks): the rate above its line, the plan within the budget, what was received
# repaid in full, the five years a repaid overdue's record is kept over by as_of; each None while its
# answers are not all given.
DERIVED_CHECKS = ("interest_exceeds", "plan_affordable", "received_repaid", "retention_over")
CONDITION_FIELDS = {
    **{f.id: f.condition for f in FIELDS if f.condition},
    "day_stage": "stage",
    "overdue_start": "date",
    **dict.fromkeys(DERIVED_CHECKS, "bool"),
}
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte")
COMBINATORS = ("all", "any", "not")
# In a rule file, `is: <name>` stands for a condition written once in the `conditions` section: the
# compiler puts its tree in place, so the engine and the cache never see a name.
NAMED = "is"
# Answers every case has (the core answers and what the engine derives from them): never unknown.
ALWAYS_KNOWN = frozenset(("overdue_days", "amount", "platform", "negotiation", "day_stage", "overdue_start"))


class Cmp(NamedTuple):
    """One comparison of an answer with a constant; a list of constants is a tuple, in written order."""

    field: str
    op: str
    value: Any


class AllOf(NamedTuple):
    parts: tuple[Condition, ...]


class AnyOf(NamedTuple):
    parts: tuple[Condition, ...]


class Not(NamedTuple):
    part: Condition


Condition = Cmp | AllOf | AnyOf | Not
if TYPE_CHECKING:
    Tester = Callable[[dict[str, Any]], bool]


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
# For a field holding several answers (collection): "eq x" means x is among them, "in [..]" any of them.
_SET_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: b in a,
    "ne": lambda a, b: b not in a,
    "in": lambda a, b: not a.isdisjoint(b),
    "not_in": lambda a, b: a.isdisjoint(b),
}


_TYPED: dict[str | None, Callable[[Any], Any]] = {"decimal": Decimal, "date": date.fromisoformat}
_new = tuple.__new__


def build(data: list[Any]) -> Condition:
    """The typed tree of a condition kept as data, its amounts as Decimals."""
    # A warm start builds every rule's tree: the tuples are made directly, without the records'
    # keyword-taking constructors, and the list form is read without a generator per node.
    kind = data[0]
    if kind == "cmp":
        _, field, op, value = data
        kind = CONDITION_FIELDS.get(field)
        # The data may come from a damaged cache: anything the walkers could trip on later is refused here.
        if op not in (_SET_OPS if kind == "set" else _OPS if kind else ()):
            raise ValueError(f"not a comparison: {field!r} {op!r}")
        typed = _TYPED.get(kind)
        if isinstance(value, list):
            value = tuple([typed(v) for v in value] if typed else value)
        elif typed:
            value = typed(value)
        node: Condition = _new(Cmp, (field, op, value))
        hash(node)  # every constant hashable, or TypeError
        return node
    if kind == "all":
        return _new(AllOf, (tuple([build(c) for c in data[1]]),))
    if kind == "any":
        return _new(AnyOf, (tuple([build(c) for c in data[1]]),))
    if kind == "not":
        return _new(Not, (build(data[1]),))
    raise ValueError(f"not a condition: {kind!r}")


def leaves(cond: Condition) -> Iterator[Cmp]:
    """Every comparison of a condition."""
    if isinstance(cond, Cmp):
        yield cond
    elif isinstance(cond, Not):
        yield from leaves(cond.part)
    else:
        for c in cond.parts:
            yield from leaves(c)


def _comparison(cmp: Cmp) -> tuple[Callable[[Any, Any], bool], Any]:
    """The function that decides a comparison, and the constant in the form it takes."""
    fn = _SET_OPS[cmp.op] if CONDITION_FIELDS.get(cmp.field) == "set" else _OPS[cmp.op]
    value = frozenset(cmp.value) if isinstance(cmp.value, tuple) else cmp.value
    if cmp.field in ALWAYS_KNOWN:
        return fn, value

    def known(a: Any, b: Any) -> bool:  # any comparison with an unknown answer is false
        return a is not None and fn(a, b)

    return known, value


def tester(cond: Condition) -> Tester:
    """The condition as nested Python functions: several times faster than walking the tree per case."""
    if isinstance(cond, Cmp):
        fn, value = _comparison(cond)
        field = cond.field
        return lambda known: bool(fn(known[field], value))
    if isinstance(cond, Not):
        inner = tester(cond.part)
        return lambda known: not inner(known)
    parts = [tester(c) for c in cond.parts]
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return (lambda k: a(k) and b(k)) if isinstance(cond, AllOf) else (lambda k: a(k) or b(k))
    if isinstance(cond, AllOf):
        return lambda known: all(p(known) for p in parts)
    return lambda known: any(p(known) for p in parts)


def trace(cond: Condition, known: dict[str, Any]) -> list[ConditionTrace]:
    """What decided a condition for this case, each comparison with the case's actual value: the
    answer to "why did this fire?".

    For a condition that holds: every part of an `all`, only the branches of an `any` that held, and
    under a `not` the comparisons that failed, each read as one true statement ("not gt"); so a
    fired rule shows no row that is false. For one that does not hold, likewise what made it fail.
    """
    return _decided(cond, known, tester(cond)(known), negated=False)


def _decided(cond: Condition, known: dict[str, Any], outcome: bool, *, negated: bool) -> list[ConditionTrace]:
    """The comparisons that give `cond` its `outcome`, phrased from outside `negated` nots."""
    if isinstance(cond, Cmp):
        fn, value = _comparison(cond)
        result = bool(fn(known[cond.field], value))
        if result != outcome:
            return []
        shown = sorted(value, key=str) if isinstance(value, frozenset) else value
        op = f"not {cond.op}" if negated else cond.op
        return [ConditionTrace(cond.field, op, shown, known[cond.field], result != negated)]
    if isinstance(cond, Not):
        return _decided(cond.part, known, not outcome, negated=not negated)
    # An `all` that holds, or an `any` that fails, needs every part; otherwise only the deciding ones.
    every = outcome == isinstance(cond, AllOf)
    parts = cond.parts if every else [c for c in cond.parts if tester(c)(known) == outcome]
    return [t for c in parts for t in _decided(c, known, outcome, negated=negated)]


def statement(row: dict[str, Any]) -> str:
    """One row of an explanation as text: `✓ amount not gt 50000  (= 100)`; ? for an answer not given."""
    def shown(value: Any) -> str:
        if value is None:
            return "?"
        if isinstance(value, (list, tuple, frozenset, set)):
            return "[" + ", ".join(map(str, value)) + "]"
        return str(value)

    mark = "✓" if row["result"] else "✗"
    return f"{mark} {row['field']} {row['op']} {shown(row['expected'])}  (= {shown(row['actual'])})"


_SYMBOL = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "in", "not_in": "not in"}


def describe(cond: Condition) -> str:
    """One readable line: `overdue_days ≥ 31 and platform in [bank_loan, …]`."""
    if isinstance(cond, Cmp):
        value = cond.value
        shown = "[" + ", ".join(map(str, value)) + "]" if isinstance(value, tuple) else str(value)
        return f"{cond.field} {_SYMBOL[cond.op]} {shown}"
    if isinstance(cond, Not):
        return f"not ({describe(cond.part)})"
    parts = [describe(c) for c in cond.parts]
    if not parts:
        return "always"
    joined = f" {'and' if isinstance(cond, AllOf) else 'or'} ".join(parts)
    return joined if isinstance(cond, AllOf) or len(parts) == 1 else f"({joined})"
