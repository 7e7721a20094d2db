"""The values that flow through the advisor: the case, the assessment and the ordered vocabularies.

Values are NamedTuples: immutable, and much cheaper to define at start-up than dataclasses.

The vocabularies are the public contract (CONTRACT §5), so their ids and order live here;
their labels are content and live in rules/.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date
from decimal import Decimal

from .fields import FIELDS
from .tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

# Ordered vocabularies, lowest first. Rank is the index: never compare ids as strings.
STAGES = ("not_overdue", "grace", "early", "collection", "legal_risk", "litigation", "enforcement")
SEVERITIES = ("none", "low", "medium", "high", "critical")
CREDIT_LEVELS = ("none", "minor", "moderate", "serious", "severe")
REPORTING = ("none", "unlikely", "possible", "likely", "confirmed")
URGENCIES = ("now", "soon", "ongoing")  # most urgent first
# The catalogs of a rule set, whose entries rules name by id; their written order is the display order.
CATALOGS = ("steps", "consequences", "references")

# The ordered outputs a rule may set, and the vocabulary each one takes.
ORDERED_OUTPUTS: dict[str, tuple[str, ...]] = {
    "stage": STAGES,
    "severity": SEVERITIES,
    "credit_level": CREDIT_LEVELS,
    "reporting": REPORTING,
}

# Every answer and its kind, derived from the one registry in fields.py.
FIELD_KINDS: dict[str, str] = {f.id: f.kind for f in FIELDS}
CORE_FIELDS = tuple(f.id for f in FIELDS if f.required)
EXTENDED_FIELDS = tuple(f.id for f in FIELDS if not f.required)
CHOICE_FIELDS = tuple(f.id for f in FIELDS if f.kind in ("choice", "choices"))

SCHEMA_VERSION = 1


def missing_fields(answers: dict[str, Any]) -> list[str]:
    """The core answers not given yet."""
    return [f for f in CORE_FIELDS if answers.get(f) is None]

NO_EXTENDED = (None,) * len(EXTENDED_FIELDS)  # a Case's answers after its id when none is known: the common case


def _echo(case: Case) -> dict[str, Any]:
    """The answers as understood; extended answers only when known."""
    out: dict[str, Any] = {
        "id": case.id,
        "overdue_days": case.overdue_days,
        "amount": f"{case.amount:.2f}",
        "platform": case.platform,
    }
    product = getattr(case.platform, "product", None)  # the product named, as typed (matching.ProductChoice)
    if product is not None:
        out["product"] = product
    out["negotiation"] = case.negotiation
    if case[5:] != NO_EXTENDED:
        for name in EXTENDED_FIELDS:
            value = getattr(case, name)
            if value is not None:
                out[name] = plain(value)
    return out


if TYPE_CHECKING:
    class Case(NamedTuple):
        """What type checkers see of the case. At run time Case is built from the registry below, so a
        new field needs no edit here to work; tests/test_registry.py checks the two agree."""

        overdue_days: int
        amount: Decimal
        platform: str
        negotiation: str
        id: str | None = None
        legal_status: str | None = None
        collection: frozenset[str] | None = None
        hardship: str | None = None
        apr: Decimal | None = None
        contract_date: date | None = None
        lpr: Decimal | None = None
        monthly_income: Decimal | None = None
        monthly_expenses: Decimal | None = None
        repaid_on: date | None = None
        other_debts: int | None = None
        asker: str | None = None
        received: Decimal | None = None
        repaid_so_far: Decimal | None = None
        concerns: frozenset[str] | None = None

        def echo(self) -> dict[str, Any]: ...
else:
    # One answer per registry field: the core ones required, then the case id, then the extended
    # answers, None when unknown.
    class Case(namedtuple("Case", (*CORE_FIELDS, "id", *EXTENDED_FIELDS),
                          defaults=(None,) * (1 + len(EXTENDED_FIELDS)))):
        """One case's answers."""

        __slots__ = ()
        echo = _echo


def plain(value: Any) -> Any:
    """A value as JSON shows it: exact decimals and dates as strings, sets as sorted lists."""
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, (Decimal, date)) or type(value) not in (str, int) and isinstance(value, str):
        return str(value)  # a platform with its product name (matching.ProductChoice) as its plain id
    return value


class ConditionTrace(NamedTuple):
    """One leaf condition of a fired rule: what was asked, what the case had, and the answer."""

    field: str
    op: str
    expected: Any
    actual: Any
    result: bool


class FiredRule(NamedTuple):
    id: str
    conditions: tuple[ConditionTrace, ...]


class Step(NamedTuple):
    id: str
    urgency: str


class Assessment(NamedTuple):
    case: Case
    as_of: date
    stage: str
    severity: str
    credit_level: str
    reporting: str
    summary_rules: tuple[str, ...]  # ids of fired rules that carry a credit summary, in rule order
    consequences: tuple[str, ...]
    steps: tuple[Step, ...]
    references: tuple[str, ...]
    fired: tuple[FiredRule, ...] = ()
    interest_check: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    retention_until: date | None = None

    @property
    def rules_fired(self) -> list[str]:
        return [r.id for r in self.fired]
