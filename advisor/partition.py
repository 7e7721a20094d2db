"""The band partition of a rule set: which answers no rule condition can tell apart.

Every condition compares one answer with constants. For a number, a comparison with v can only
change its answer at v: `gte`/`lt` between v and the value below it (a "low" edge), `gt`/`lte`
between v and the value above it (a "high" edge), `eq`/`ne`/`in` at both. Counting the edges a
value has passed therefore names its band exactly, for any value, on or off a grid. A choice is its
own band; a set of choices is cut down to the values some rule mentions; an unknown answer (None)
is a band of its own, because a comparison with an unknown never fires. The day bands of the stages
add edges to the days, so the starting stage is a function of the band. Rules come into and go out
of force on dates, which cut `as_of` into epochs the same way. Dates (the repayment date, and when
the overdue began, which the engine derives) are cut like numbers.

Two cases with the same key fire the same rules and get the same outputs: the engine looks the
outcome up by key, and batch and coverage use the same bands.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, timedelta

from .conditions import CONDITION_FIELDS, DERIVED_CHECKS, leaves
from .models import Case
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .ruleset import RuleSet

_LOW_OPS = ("gte", "lt")
_HIGH_OPS = ("gt", "lte")


class Edges:
    """The edges of one numeric field: `band(value)` numbers its band, None (unknown) apart."""

    def __init__(self, lows: set[Any], highs: set[Any]) -> None:
        self.lows = sorted(lows)
        self.highs = sorted(highs)

    def band(self, value: Any) -> int:
        # Both counts only grow with the value, so their sum names the pair.
        if value is None:
            return -1
        return bisect_right(self.lows, value) + bisect_left(self.highs, value)

    def starts(self, low: Any, high: Any, step: Any) -> list[Any]:
        """The first value of every band inside [low, high] on a grid of `step`: one case per band."""
        cuts = {*self.lows, *(v + step for v in self.highs)}
        return [low, *sorted(c for c in cuts if low < c <= high)]


class Partition:
    """The bands of every answer some rule tests, and the epochs of `as_of`, for one rule set."""

    def __init__(self, rules: RuleSet) -> None:
        lows: dict[str, set[Any]] = {"overdue_days": set(), "amount": set()}
        highs: dict[str, set[Any]] = {"overdue_days": set(), "amount": set()}
        mentioned: dict[str, set[Any]] = {}
        tested: set[str] = set()
        for stage in rules.stages:
            band = stage.get("days")
            if band:
                lows["overdue_days"].add(band["gte"])
                if "lte" in band:
                    highs["overdue_days"].add(band["lte"])
        # The answers' conditions too (concerns.py): a band cell then has one headline and one answer per concern.
        for cond in [c for _, c in rules.conditions] + rules.answer_conditions:
            for cmp in leaves(cond):
                field, op = cmp.field, cmp.op
                tested.add(field)
                kind = CONDITION_FIELDS[field]
                values = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
                if kind in ("int", "decimal", "date"):
                    lows.setdefault(field, set())
                    highs.setdefault(field, set())
                    if op not in _HIGH_OPS:
                        lows[field].update(values)
                    if op not in _LOW_OPS:
                        highs[field].update(values)
                elif kind == "set":
                    mentioned.setdefault(field, set()).update(values)
        self.edges = {field: Edges(lows[field], highs[field]) for field in lows}
        self.parts: dict[str, Callable[[Any], Any]] = {field: e.band for field, e in self.edges.items()}
        for field, choices in mentioned.items():
            self.parts[field] = _Among(frozenset(choices))
        for field in tested:
            self.parts.setdefault(field, _itself)  # a choice (or a derived check) is its own band
        self.days = self.edges["overdue_days"].band
        self.amount = self.edges["amount"].band
        # When the overdue began depends on the days and on as_of (or the repayment date), so its band
        # is worked out per case, and only when some condition tests it.
        self.start = self.edges["overdue_start"].band if "overdue_start" in self.edges else None
        # The extended answers some rule tests, by their place in a Case, and the derived checks.
        self.extended = tuple((n, self.parts[f]) for n, f in enumerate(Case._fields) if n > 4 and f in tested)
        self.derived = tuple(f for f in DERIVED_CHECKS if f in tested)
        self.derived_at = tuple(DERIVED_CHECKS.index(f) for f in self.derived)  # their places in engine.checks
        self.epochs = _epoch_edges(rules)

    def part(self, field: str, value: Any) -> Any:
        """The band of one answer: constant for an answer no rule tests."""
        band = self.parts.get(field)
        return None if band is None else band(value)

    def epoch(self, as_of: date) -> int:
        return bisect_right(self.epochs, as_of)


class _Among:
    """A set of choices cut down to those some rule mentions."""

    def __init__(self, mentioned: frozenset[Any]) -> None:
        self.mentioned = mentioned

    def __call__(self, value: frozenset[Any] | None) -> frozenset[Any] | None:
        return None if value is None else value & self.mentioned


def _itself(value: Any) -> Any:
    return value


def _epoch_edges(rules: RuleSet) -> list[date]:
    """The first day a rule comes into force and the day after one goes out: where an epoch starts."""
    out: set[date] = set()
    for rule in rules.rules:
        if rule.get("valid_from"):
            out.add(date.fromisoformat(rule["valid_from"]))
        if rule.get("valid_until"):
            out.add(date.fromisoformat(rule["valid_until"]) + timedelta(days=1))
    return sorted(out)
