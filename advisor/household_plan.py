"""One repayment plan for several debts: what the person can spare each month, split across the debts
in their order, exactly to the cent. Pure arithmetic on Decimals; the texts are added by household.py.

The method ("priority fill"):
1. available = (income − essential costs) × the plan's share of margin, rounded down to the cent (the
   same budget the single-debt plan uses);
2. in order, each debt gets what clears it within its longest term (its amount ÷ max_months, rounded
   up to the cent), or whatever is left when that is less;
3. what is still left goes first to the debts to clear at once (those the order ranks as small enough
   to clear with one month's money), then to the others, each group in order, to pay each debt
   faster, up to its whole amount in one month.
The allocations then add up to the available amount exactly; only when every debt can be cleared in
one month is something `left_over`. A debt given nothing is to be paused by agreement; one given less
than its share cannot be cleared within its longest term, so a longer plan must be asked for.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from .tuples import NamedTuple

CENT = Decimal("0.01")


class Share(NamedTuple):
    """One debt's part of the plan. status: plan (cleared within its term), partial (a payment, but
    more months than its term allows: ask for a longer plan) or pause (nothing left for it)."""

    monthly_payment: Decimal
    months: int | None
    last_payment: Decimal | None
    status: str


def available(income: Decimal, expenses: Decimal, share_of_margin: Decimal) -> Decimal:
    """What can go to the debts each month: never more than the person has, never below zero."""
    spare = ((income - expenses) * share_of_margin).quantize(CENT, rounding=ROUND_DOWN)
    return max(spare, Decimal(0))


def allocate(debts: list[tuple[Decimal, int]], budget: Decimal, at_once: frozenset[int] = frozenset()
             ) -> tuple[list[Share], Decimal]:
    """Split `budget` across `debts` (amount, longest term in months), given in their order, the debts
    whose places are in `at_once` topped up first; returns each debt's share, in the same order, and
    what is left over once every debt is cleared at once."""
    left = max(budget, Decimal(0))
    given = []
    for amount, max_months in debts:  # pass 1: what keeps each debt within its term, first first
        need = (amount / max_months).quantize(CENT, rounding=ROUND_CEILING)
        part = min(need, left, amount)
        given.append(part)
        left -= part
    sooner = sorted(range(len(debts)), key=lambda n: n not in at_once)  # stable: each group in order
    for n in sooner:  # pass 2: the rest clears debts sooner, those to clear at once first
        amount = debts[n][0]
        extra = min(left, amount - given[n])
        given[n] += extra
        left -= extra
    return [_share(amount, max_months, part) for (amount, max_months), part in zip(debts, given)], left


def _share(amount: Decimal, max_months: int, payment: Decimal) -> Share:
    if payment <= 0:
        return Share(Decimal(0), None, None, "pause")
    months = int((amount / payment).to_integral_value(rounding=ROUND_CEILING))
    last = amount - payment * (months - 1)  # in (0, payment]: the payments add up to the amount
    return Share(payment, months, last, "plan" if months <= max_months else "partial")
