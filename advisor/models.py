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

CORE_FIELDS = ("overdue_days", "amount", "platform", "negotiation")
CHOICE_FIELDS = ("platform", "negotiation")

SCHEMA_VERSION = 1


class Case(NamedTuple):
    overdue_days: int
    amount: Decimal
    platform: str
    negotiation: str
    id: str | None = None

    def echo(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "overdue_days": self.overdue_days,
            "amount": f"{self.amount:.2f}",
            "platform": self.platform,
            "negotiation": self.negotiation,
        }


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

    @property
    def rules_fired(self) -> list[str]:
        return [r.id for r in self.fired]
