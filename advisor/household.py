"""Several debts at once: each assessed as it would be alone, then put in order with reasons (the
rule set's `priorities`), given one plan that adds up (household_plan) and one merged record.

The answers are of two scopes (fields.py): those about the person (income, costs, hardship,
worries…) are given once and go into every debt's case; those about one debt are given per debt. Each
debt is assessed without income and costs, so that no debt's report assumes all the spare money: the
household plan gives it its share instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import CaseError
from .fields import PERSON_FIELDS
from .finance import plan_amount
from .household_plan import allocate, available
from .models import SCHEMA_VERSION, SEVERITIES, URGENCIES, Assessment, Case, plain

if TYPE_CHECKING:
    from .ruleset import RuleSet

# Answers that only feed the household plan: left out of each debt's own assessment.
BUDGET_FIELDS = ("monthly_income", "monthly_expenses")
MAX_DEBTS = 100  # a household with more is refused: a file of cases under one client id by mistake


def debt_error(n: int, exc: CaseError, rules: RuleSet, lang: str) -> CaseError:
    """A bad answer in the n-th debt (1-based), with a message that names the debt."""
    error = CaseError(exc.field, rules.message("household_debt_error", lang, n=n, message=exc.message))
    error.debt = n  # type: ignore[attr-defined]
    return error


def parse_household(debts: Sequence[Mapping[str, Any]], person: Mapping[str, Any] | None, rules: RuleSet,
                    lang: str, as_of: date | None) -> tuple[dict[str, Any], list[Case]]:
    """The person's parsed answers and one Case per debt (with the person's answers, without the
    budget). Raises CaseError naming the debt, or the person's field."""
    from .parsing import build_case, by_field, parse_answer

    if not debts:
        raise CaseError("debts", rules.text("household_no_debts", lang))
    if len(debts) > MAX_DEBTS:
        raise CaseError("debts", rules.message("household_too_many", lang, count=len(debts), max=MAX_DEBTS))
    raw_person = by_field(person or {}, rules, lang)
    for name in raw_person:
        if name not in PERSON_FIELDS:
            raise CaseError(name, rules.message("household_debt_field", lang, name=name))
    values = {name: parse_answer(name, raw, rules, lang, as_of) for name, raw in raw_person.items()}
    values = {k: v for k, v in values.items() if v is not None}
    shared = {k: v for k, v in values.items() if k not in BUDGET_FIELDS}
    others = len(debts) - 1
    if others:  # the debts given count as other debts for each one, unless more were said
        shared["other_debts"] = max(shared.get("other_debts") or 0, others)
    cases = []
    for n, debt in enumerate(debts, 1):
        try:
            if not isinstance(debt, Mapping):
                raise CaseError("debts", rules.text("household_not_mapping", lang))
            raw = by_field(debt, rules, lang)
            case_id = raw.pop("id", None)
            for name in raw:
                if name in PERSON_FIELDS:
                    raise CaseError(name, rules.message("household_person_field", lang, name=name))
            case = build_case(raw, rules, lang, case_id=None if case_id is None else str(case_id), as_of=as_of)
        except CaseError as exc:
            raise debt_error(n, exc, rules, lang) from None
        cases.append(case._replace(**shared))
    return values, cases


def assess_household(debts: Sequence[Mapping[str, Any]], person: Mapping[str, Any] | None = None, *,
                     rules: RuleSet, as_of: date, lang: str = "zh", household_id: str | None = None) -> dict[str, Any]:
    person_values, cases = parse_household(debts, person, rules, lang, as_of)
    return household_record(person_values, cases, rules, as_of, lang, household_id)


def household_record(person: dict[str, Any], cases: list[Case], rules: RuleSet, as_of: date, lang: str,
                     household_id: str | None = None) -> dict[str, Any]:
    """The household record (README "Several debts"): the order, the plan, each debt's own record."""
    from .engine import evaluate
    from .render.record import cached_record

    assessments = [evaluate(case, rules, as_of) for case in cases]
    records = [cached_record(assessment, rules, lang) for assessment in assessments]
    budget = _budget(person, cases, rules)
    order = _order(cases, records, rules, as_of, lang, budget)
    plan, shares = _plan(person, cases, order, rules, lang, budget)
    for n, record in enumerate(records):
        record["plan"] = shares[n] if shares else None
    first = records[order[0]["debt"] - 1]
    # A debt repaid in full is not counted in what is still owed.
    owed = [c for c in cases if c.repaid_on is None]
    total = sum((c.amount for c in owed), Decimal(0))
    settled = len(cases) - len(owed)
    key = "household_headline_all_settled" if not owed else "household_headline_some_settled" if settled else \
        "household_headline" if len(cases) > 1 else "household_headline_one"
    headline = rules.message(key, lang, count=len(owed) or len(cases), total=f"{total:,.2f}", settled=settled,
                             first=order[0]["debt"], platform=rules.label("platform", cases[order[0]["debt"] - 1].platform, lang))
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "household",
        "id": household_id,
        "person": {k: plain(v) for k, v in person.items()},
        "headline": f"{headline}{'' if lang == 'zh' else ' '}{first['headline']}",
        **household_answers(records, assessments, rules, lang, order),
        "order": order,
        "plan": plan,
        "debts": records,
        "steps": merged_steps(records, rules, order),
        "references": _references(records, rules),
        "as_of": as_of.isoformat(),
        "language": lang,
        "disclaimer": rules.text("disclaimer", lang),
        "notes": [],
    }


def household_answers(records: list[dict[str, Any]], assessments: list[Assessment], rules: RuleSet,
                      lang: str, order: list[dict[str, Any]]) -> dict[str, Any]:
    """The worries of the whole household: every debt's concerns once, in the order the debts were given;
    for each, every different answer the debts get (an answer once, with `debts` naming which), the most
    serious first. Each worry is answered for every debt: a default worry one debt raises (a lawsuit,
    for the one at legal risk) is not answered from the others alone."""
    from .concerns import answer_item, facts

    concerns: list[str] = []
    for record in records:
        concerns += [c for c in record["concerns"] if c not in concerns]
    found: dict[str, dict[str, Any]] = {}
    for n, (record, assessment) in enumerate(zip(records, assessments), 1):
        own = {item["concern"] for item in record["answers"]}
        known = facts(assessment, rules) if own != set(concerns) else {}
        more = [answer_item(c, rules, known, lang) for c in concerns if c not in own]
        for item in [*record["answers"], *filter(None, more)]:
            key = f'{item["concern"]}/{item["id"]}'
            seen = found.get(key)
            if seen is None:
                found[key] = {**item, "debts": [n]}
            else:
                seen["debts"].append(n)
    place = {c: n for n, c in enumerate(concerns)}
    # Within a worry, the most serious answer first: that of the most severe debt it answers (a 6万
    # card past three months, where malicious overdraft is asked about, before a loan's "no"); among
    # debts as severe, that of the debt to deal with first.
    first = {entry["debt"]: entry["place"] for entry in order}
    rank = [SEVERITIES.index(record["severity"]) for record in records]
    answers = sorted(found.values(), key=lambda a: (place[a["concern"]], -max(rank[n - 1] for n in a["debts"]),
                                                    min(first[n] for n in a["debts"])))
    given = any(r["concerns_source"] == "given" for r in records)
    return {"concerns": concerns, "concerns_source": "given" if given else "default", "answers": answers}


def _budget(person: dict[str, Any], cases: list[Case], rules: RuleSet) -> Decimal | None:
    income, expenses = person.get("monthly_income"), person.get("monthly_expenses")
    if income is None or expenses is None:
        return None
    # Each debt's case carries the person's answers: a household plan only when the rule set's
    # `plan: when` would give every one of its debts a plan (an heir's, for one, none).
    if rules.plan_test is not None and not all(rules.plan_test(case._asdict()) for case in cases):
        return None
    return available(income, expenses, Decimal(rules.plan["share_of_margin"]))


def _order(cases: list[Case], records: list[dict[str, Any]], rules: RuleSet, as_of: date, lang: str,
           budget: Decimal | None) -> list[dict[str, Any]]:
    """Each debt's place: the first `priorities` entry that holds for it, by the entry's place; within
    one entry the smaller debt first, then the order given."""
    from .engine import facts

    placed: list[tuple[int, Decimal, int, str | None, str]] = []
    for n, (case, record) in enumerate(zip(cases, records)):
        known = facts(case, rules, as_of)
        clearable = budget is not None and budget > 0 and case.amount <= budget
        rank, reason, pid = len(rules.priorities), rules.text("household_no_priority", lang), None
        for place, (entry, holds) in enumerate(rules.priorities):
            if bool(entry.get("settled")) != (case.repaid_on is not None):  # repaid in full: only its own entries
                continue
            if holds is not None and not holds(known):
                continue
            if "reporting" in entry and record["credit_impact"]["reporting"] not in entry["reporting"]:
                continue
            if "clearable" in entry and entry["clearable"] != clearable:
                continue
            rank, reason, pid = place, entry["reason"][lang], entry["id"]
            break
        placed.append((rank, case.amount, n, pid, reason))
    placed.sort(key=lambda p: p[:3])
    return [{"place": place, "debt": n + 1, "id": cases[n].id, "priority": pid, "reason": reason}
            for place, (_, _, n, pid, reason) in enumerate(placed, 1)]


def _plan(person: dict[str, Any], cases: list[Case], order: list[dict[str, Any]], rules: RuleSet, lang: str,
          budget: Decimal | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]] | None]:
    """The combined plan, and each debt's share of it (in the debts' given order) for its record."""
    if budget is None:
        return None, None
    margin = person["monthly_income"] - person["monthly_expenses"]
    limits = rules.plan["max_months"]
    # A debt already repaid in full takes no part of the money: it is owed nothing more.
    owed = [o for o in order if cases[o["debt"] - 1].repaid_on is None]
    ordered = [cases[o["debt"] - 1] for o in owed]
    terms = [int(limits.get(c.platform, limits["default"])) for c in ordered]
    small = {entry["id"] for entry, _ in rules.priorities if entry.get("clearable")}
    at_once = frozenset(n for n, o in enumerate(owed) if o["priority"] in small)
    shares, left = allocate([(plan_amount(c, rules), t) for c, t in zip(ordered, terms)], budget, at_once)
    allocations: list[dict[str, Any] | None] = [None] * len(cases)
    for o in order:
        if cases[o["debt"] - 1].repaid_on is not None:
            allocations[o["debt"] - 1] = {
                "debt": o["debt"], "monthly_payment": "0.00", "months": 0, "last_payment": None, "max_months": None,
                "status": "settled", "affordable": True, "margin": f"{margin:.2f}",
                "text": rules.text("household_share_settled", lang)}
    for o, share, term in zip(owed, shares, terms):
        values = {"debt": o["debt"], "monthly_payment": f"{share.monthly_payment:.2f}", "months": share.months,
                  "last_payment": None if share.last_payment is None else f"{share.last_payment:.2f}",
                  "max_months": term}
        shown = {**values, **{k: f"{v:,.2f}" for k, v in (("monthly_payment", share.monthly_payment),
                                                           ("last_payment", share.last_payment)) if v is not None}}
        text = rules.message(f"household_share_{share.status}", lang, **shown)
        allocations[o["debt"] - 1] = {**values, "status": share.status, "affordable": share.status == "plan",
                                      "margin": f"{margin:.2f}", "text": text}
    affordable = budget > 0
    key = "household_plan" if affordable else "household_plan_none"
    plan = {
        "margin": f"{margin:.2f}",
        "share_of_margin": rules.plan["share_of_margin"],
        "available": f"{budget:.2f}",
        "affordable": affordable,
        "method": "priority_fill",
        "allocations": [allocations[o["debt"] - 1] for o in order],
        "left_over": f"{left:.2f}",
        "text": rules.message(key, lang, margin=f"{margin:,.2f}", available=f"{budget:,.2f}",
                              extra=rules.text("household_plan_small_first" if at_once else "household_plan_top_first",
                                               lang)),
    }
    return plan, [a for a in allocations if a is not None]


def merged_steps(records: list[dict[str, Any]], rules: RuleSet, order: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every debt's steps once: at the most urgent urgency any debt gives it, naming the debts it is for.
    Within an urgency, a step marked `first` (safety) leads; then the steps of the debt to deal with first
    (a court's deadline before another debt's "repay soon"), each debt's in the catalog's order."""
    rank = {u: n for n, u in enumerate(URGENCIES)}
    place = {o["debt"]: o["place"] for o in order}
    found: dict[str, dict[str, Any]] = {}
    for n, record in enumerate(records, 1):
        for step in record["steps"]:
            seen = found.get(step["id"])
            if seen is None:
                found[step["id"]] = {"id": step["id"], "urgency": step["urgency"], "text": step["text"], "debts": [n]}
                continue
            seen["debts"].append(n)
            if rank[step["urgency"]] < rank[seen["urgency"]]:
                seen["urgency"] = step["urgency"]
    catalog = rules.order["steps"]
    return sorted(found.values(), key=lambda s: (rank[s["urgency"]], not rules.steps[s["id"]].get("first"),
                                                 min(place[d] for d in s["debts"]), catalog.get(s["id"], len(catalog))))


def _references(records: list[dict[str, Any]], rules: RuleSet) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for record in records:
        for ref in record["references"]:
            found.setdefault(ref["id"], ref)
    order = rules.order["references"]
    return sorted(found.values(), key=lambda r: order.get(r["id"], len(order)))
