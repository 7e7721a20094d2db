"""The values that flow through the advisor: the case, the assessment and the ordered vocabularies.

Values are NamedTuples: immutable, and much cheaper to define at start-up than dataclasses.

The vocabularies are the public contract (CONTRACT §5), so their ids and order live here;
their labels are content and live in rules/.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

# Ordered vocabularies, lowest first. Rank is the index: never compare ids as strings.
STAGES = ("not_overdue", "grace", "early", "collection", "legal_risk", "litigation", "enforcement")
SEVERITIES = ("none", "low", "medium", "high", "critical")
CREDIT_LEVELS = ("none", "minor", "moderate", "serious", "severe")
REPORTING = ("none", "unlikely", "possible", "likely", "confirmed")
URGENCIES = ("now", "soon", "ongoing")  # most urgent first

# The ordered outputs a rule may set, and the vocabulary each one takes.
ORDERED_OUTPUTS: dict[str, tuple[str, ...]] = {
    "stage": STAGES,
    "severity": SEVERITIES,
    "credit_level": CREDIT_LEVELS,
    "reporting": REPORTING,
}

# Every answer and its kind; the kind picks the parser (CONTRACT §1 and the extended fields).
FIELD_KINDS: dict[str, str] = {
    "overdue_days": "days",
    "amount": "amount",
    "platform": "choice",
    "negotiation": "choice",
    "legal_status": "choice",
    "collection": "choices",  # several may apply at once
    "hardship": "choice",
    "apr": "percent",
    "contract_date": "date",
    "lpr": "percent",  # overrides the LPR table for the interest check
    "monthly_income": "money",
    "monthly_expenses": "money",
    "repaid_on": "date",
    "other_debts": "count",
}
CORE_FIELDS = ("overdue_days", "amount", "platform", "negotiation")
EXTENDED_FIELDS = tuple(f for f in FIELD_KINDS if f not in CORE_FIELDS)
CHOICE_FIELDS = tuple(f for f, kind in FIELD_KINDS.items() if kind in ("choice", "choices"))

SCHEMA_VERSION = 1


class Case(NamedTuple):
    overdue_days: int
    amount: Decimal
    platform: str
    negotiation: str
    id: str | None = None
    # Extended answers: None means unknown.
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

    def echo(self) -> dict[str, Any]:
        """The answers as understood; extended answers only when known."""
        out: dict[str, Any] = {
            "id": self.id,
            "overdue_days": self.overdue_days,
            "amount": f"{self.amount:.2f}",
            "platform": self.platform,
            "negotiation": self.negotiation,
        }
        for name in EXTENDED_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = plain(value)
        return out


def plain(value: Any) -> Any:
    """A value as JSON shows it: exact decimals and dates as strings, sets as sorted lists."""
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, (Decimal, date)):
        return str(value)
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
