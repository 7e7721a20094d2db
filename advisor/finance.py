"""The arithmetic: the interest check against the cap that applies, a repayment plan, and how long a
record stays. Pure functions of the case and the rule data; money is Decimal throughout.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from .errors import CaseError
from .models import Case
from .tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .ruleset import RuleSet

CENT = Decimal("0.01")
RETENTION_YEARS = 5  # 征信业管理条例 第十六条: kept 5 years from the end of the bad act, in practice repayment


def lpr_on(day: date, table: list[dict[str, str]]) -> tuple[dict[str, str] | None, str | None]:
    """The 1-year LPR in force on a day, and a note when the table cannot vouch for it."""
    iso = day.isoformat()
    found = None
    for row in table:  # sorted by date when loaded
        if row["from"] <= iso:
            found = row
    if found is None:
        return None, "lpr_before_table"
    if found is table[-1]:
        return found, "lpr_after_table"  # the table may be stale: say which entry was used
    return found, None


def interest_check(case: Case, rules: RuleSet) -> dict[str, Any] | None:
    """The APR against the cap for this kind of lender: {apr, cap, basis, exceeds, lpr, lpr_from, note, bound}.

    `bound` is True when the exact cap cannot be known (no contract date, or a contract from before the
    4×LPR rule's transition date) but the APR is above the highest cap the table allows whatever the
    date: that much can be said without asking more."""
    if case.apr is None:
        return None
    spec = rules.interest["caps"].get(case.platform)
    if spec is None:
        return None
    out: dict[str, Any] = {"apr": str(case.apr), "cap": None, "basis": spec["basis"], "exceeds": None,
                           "lpr": None, "lpr_from": None, "note": None, "bound": False}
    if spec["rate"] is not None:
        cap = Decimal(spec["rate"])
    elif case.lpr is not None:
        lpr, out["note"] = case.lpr, "lpr_given"
        out["lpr"] = str(lpr)
        cap = lpr * Decimal(spec["lpr_multiple"])
    else:
        transition = spec.get("transition")
        early = case.contract_date is not None and transition and case.contract_date.isoformat() < transition
        if case.contract_date is None or early:
            return _highest_cap(case, rules, spec, out, "transition_31" if early else "contract_date_needed")
        row, out["note"] = lpr_on(case.contract_date, rules.interest["lpr"])
        if row is None:
            return out
        lpr, out["lpr_from"] = Decimal(row["rate"]), row["from"]
        out["lpr"] = str(lpr)
        cap = lpr * Decimal(spec["lpr_multiple"])
    out["cap"] = _percent(cap)
    out["exceeds"] = case.apr > cap
    return out


def _highest_cap(case: Case, rules: RuleSet, spec: dict[str, Any], out: dict[str, Any], note: str) -> dict[str, Any]:
    """Without the exact cap: above the highest LPR in the table times the multiple, the APR is above
    whichever cap applies (for interest from the transition date on); below it, nothing can be said."""
    out["note"] = note
    table = rules.interest["lpr"]
    if not table:
        return out
    top = max(table, key=lambda row: Decimal(row["rate"]))
    cap = Decimal(top["rate"]) * Decimal(spec["lpr_multiple"])
    if case.apr is not None and case.apr > cap:
        out.update(cap=_percent(cap), exceeds=True, bound=True, lpr=top["rate"], lpr_from=top["from"])
    return out


def _percent(cap: Decimal) -> str:
    return str(cap.normalize() if cap == cap.to_integral() else cap)


def plan_amount(case: Case, rules: RuleSet) -> Decimal:
    """What a plan is worked out for: the amount, or for a case the plan's `received_when` takes (a void
    contract, not yet judged) what was received less what was repaid, when the person said what they
    received: a void contract gives back what was received (民法典 第一百五十七条)."""
    if case.received is not None and counts_received(case, rules):  # received: for the type checker
        return max(case.received - (case.repaid_so_far or Decimal(0)), Decimal(0))
    return case.amount


def counts_received(case: Case, rules: RuleSet) -> bool:
    test = rules.received_test
    return case.received is not None and test is not None and bool(test(case._asdict()))


def plan(case: Case, rules: RuleSet) -> dict[str, Any] | None:
    """Equal monthly payments from what is left after essential costs, or an honest "not affordable".

    Only a share of the margin is proposed, so an unexpected bill does not break the plan; interest and
    fees are not added (a negotiated plan may add or waive them). A repaid debt needs no plan, nor a
    case the rule set's `plan: when` leaves out.

    A plan runs at most the lender's `max_months` (a card's 个性化分期: 5 years), or, where the rule set
    allows a lender more (`longest_months`), up to that: then `long` says it is longer than usual, an
    offer the lender may refuse. Beyond that it is not affordable.
    """
    if case.monthly_income is None or case.monthly_expenses is None or case.repaid_on is not None:
        return None
    if rules.plan_test is not None and not rules.plan_test(case._asdict()):
        return None  # a case the rule set's `plan: when` leaves out (rules/catalog/interest.yaml says whose)
    settings = rules.plan
    amount = plan_amount(case, rules)
    if amount <= 0:
        return None  # what was received is repaid: no plan to pay more (lenders.unlicensed-received-repaid)
    limit = _term(settings["max_months"], case.platform)
    longest = max(limit, _term(settings.get("longest_months") or settings["max_months"], case.platform))
    margin = case.monthly_income - case.monthly_expenses
    out: dict[str, Any] = {"monthly_payment": None, "months": None, "last_payment": None, "affordable": False,
                           "margin": f"{margin:.2f}", "max_months": limit, "longest_months": longest, "long": False,
                           "amount": f"{amount:.2f}", "basis": "received" if counts_received(case, rules) else "amount"}
    budget = (margin * Decimal(settings["share_of_margin"])).quantize(CENT, rounding=ROUND_DOWN)
    if budget <= 0:
        return out
    months = int((amount / budget).to_integral_value(rounding=ROUND_CEILING))
    if months > longest:
        return out
    payment, last = instalments(amount, months)
    out.update(monthly_payment=f"{payment:.2f}", months=months, last_payment=f"{last:.2f}", affordable=True,
               long=months > limit)
    return out


def _term(months: dict[str, Any], platform: str) -> int:
    return int(months.get(platform, months["default"]))


def instalments(amount: Decimal, months: int) -> tuple[Decimal, Decimal]:
    """Equal payments rounded up to the cent, and a last one that absorbs the rounding, so that
    payment × (months − 1) + last is the amount to the cent.

    Rounding up keeps every payment within a budget the amount fits in, and makes the last one no
    larger than the others; it is never zero, because months − 1 payments fall short of the amount.
    """
    payment = (amount / months).quantize(CENT, rounding=ROUND_CEILING)
    return payment, amount - payment * (months - 1)


def retention_until(case: Case) -> date | None:
    """Five years from repayment; 29 February falls back to the 28th."""
    paid = case.repaid_on
    if paid is None:
        return None
    if paid.year > date.max.year - RETENTION_YEARS:  # a Case built directly, not through the parsers
        raise CaseError("repaid_on", f"repaid on {paid}: too late a date to count five years from")
    try:
        return paid.replace(year=paid.year + RETENTION_YEARS)
    except ValueError:
        return paid.replace(year=paid.year + RETENTION_YEARS, day=28)


def retention_over(case: Case, as_of: date) -> bool | None:
    """Whether the five years a repaid overdue's record is kept (征信业管理条例 第十六条) have passed by
    as_of: None while the debt is not repaid."""
    until = retention_until(case)
    return None if until is None else until <= as_of


def repayment_check(case: Case) -> dict[str, Any] | None:
    """What was repaid against what was received, when both are known: {received, repaid_so_far,
    covered, outstanding, repaid_over}, amounts as exact strings.

    The principal is what was received (民法典 第六百七十条), so the money received and not yet repaid
    is received − repaid (`outstanding`), and a repayment beyond it went to interest and fees
    (`repaid_over`); whether those were owed is the court's to judge, so nothing more is worked out."""
    if case.received is None or case.repaid_so_far is None:
        return None
    received, repaid = case.received, case.repaid_so_far
    return {
        "received": f"{received:.2f}",
        "repaid_so_far": f"{repaid:.2f}",
        "covered": repaid >= received,
        "outstanding": f"{max(received - repaid, Decimal(0)):.2f}",
        "repaid_over": f"{max(repaid - received, Decimal(0)):.2f}",
    }
