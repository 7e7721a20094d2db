"""The negotiation request (协商还款申请书) and the phone script, built from the case and the rule data.

Paragraphs are data in rules/letter.yaml; each may carry a condition, and placeholders are filled from
the case. Personal details stay visible blanks for the person to fill in: the tool never asks for them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from .engine import facts
from .finance import plan_amount
from .models import Case
from .safetext import printable
from .templates import fill

if TYPE_CHECKING:
    from .ruleset import RuleSet

_BLANKS = ("name", "lender", "creditor", "contract_no", "phone", "deceased", "death_date")
# Every name a paragraph may use: the blanks, and what _values can give.
PLACEHOLDERS = (
    *_BLANKS, "date", "days", "amount", "platform", "negotiation", "hardship",
    "monthly_payment", "last_payment", "months", "margin", "monthly_income", "monthly_expenses", "apr", "cap",
    "owed", "received", "repaid_so_far",
)


def _values(case: Case, known: dict[str, Any], rules: RuleSet, as_of: date, lang: str) -> dict[str, str]:
    values = {key: rules.text(f"letter_blank_{key}", lang) for key in _BLANKS}
    values.update(
        date=as_of.isoformat(),
        days=str(case.overdue_days),
        amount=f"{case.amount:.2f}",
        platform=rules.label("platform", case.platform, lang),
        negotiation=rules.label("negotiation", case.negotiation, lang),
        owed=f"{plan_amount(case, rules):.2f}",  # what a plan repays: for a void contract, what was received
    )
    if case.hardship is not None:
        values["hardship"] = rules.label("hardship", case.hardship, lang)
    for key in ("monthly_income", "monthly_expenses", "received", "repaid_so_far"):
        if getattr(case, key) is not None:
            values[key] = f"{getattr(case, key):.2f}"
    proposal = known["plan"]
    if proposal and proposal["affordable"]:
        values.update(monthly_payment=proposal["monthly_payment"], last_payment=proposal["last_payment"],
                      months=str(proposal["months"]),
                      margin=proposal["margin"])
    check = known["interest_check"]
    if check:
        values["apr"] = check["apr"]
        if check["cap"] is not None:
            values["cap"] = check["cap"]
    return values


def _plain_text(markdown: str) -> str:
    text = re.sub(r"^#+\s*", "", markdown, flags=re.M)
    return text.replace("**", "")


def compose(case: Case, rules: RuleSet, as_of: date, lang: str, *, script: bool = False, markdown: bool = True,
            plan: dict[str, Any] | None = None) -> str:
    """The letter; `plan` replaces the plan worked out from the case (one debt's share of a household's)."""
    paragraphs = rules.paragraphs["script" if script else "letter"]
    if not paragraphs:
        return rules.text("letter_empty", lang) + "\n"
    if case.repaid_on is not None:  # nothing left to negotiate: what a repaid debt needs is said instead
        return rules.text("letter_repaid", lang) + "\n"
    known = facts(case, rules, as_of)  # once for every paragraph's condition and the placeholders
    if plan is not None:
        known["plan"], known["plan_affordable"] = plan, plan["affordable"]
    values = _values(case, known, rules, as_of, lang)
    unknown = rules.text("letter_unknown", lang)  # a value nobody gave shows as a visible blank
    chosen: list[str] = []
    for paragraph, holds in paragraphs:
        if holds is not None and not holds(known):
            continue
        chosen.append(fill(paragraph["text"][lang], values, unknown))
    text = printable("\n\n".join(chosen) + "\n", lines=True)
    return text if markdown else _plain_text(text)


