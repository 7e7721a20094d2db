"""The arithmetic of the extended answers: the plan, the interest check, the LPR by date, retention."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest
from conftest import assess_json
from hypothesis import assume, given
from hypothesis import strategies as st

import advisor
from advisor.finance import CENT, instalments, interest_check, lpr_on, plan, retention_until
from advisor.models import Case


def case(**kw) -> Case:
    base = {"overdue_days": 40, "amount": Decimal("12000.00"), "platform": "bank_loan", "negotiation": "none"}
    return Case(**{**base, **kw})


# (income, expenses, amount, platform) -> (monthly_payment, months, affordable)
PLANS = [
    ("6000", "4500", "12000", "bank_loan", ("1200.00", 10, True)),      # budget 1200 exactly: 10 months
    ("6000", "4500", "12000.01", "bank_loan", ("1090.91", 11, True)),   # one cent more: one more month, evened out
    ("5000", "5000", "1000", "bank_loan", (None, None, False)),         # zero margin
    ("3000", "3500", "1000", "bank_loan", (None, None, False)),         # negative margin
    ("0", "0", "1000", "bank_loan", (None, None, False)),                # no income at all
    ("5000", "4999.99", "0.01", "bank_loan", (None, None, False)),      # budget rounds down to 0.00
    ("5000", "4999.98", "0.01", "bank_loan", ("0.01", 1, True)),        # 0.02 x 0.8 = 0.016 -> 0.01
    ("3000", "2000", "48000", "credit_card", ("800.00", 60, True)),     # exactly the card limit
    ("3000", "2000", "48000.01", "credit_card", (None, None, False)),   # one cent past 60 months
    ("3000", "2000", "100", "credit_card", ("100.00", 1, True)),
]


@pytest.mark.parametrize(("income", "expenses", "amount", "platform", "expected"), PLANS)
def test_plan_arithmetic(rules, income, expenses, amount, platform, expected):
    result = plan(case(monthly_income=Decimal(income), monthly_expenses=Decimal(expenses), amount=Decimal(amount),
                       platform=platform), rules)
    assert (result["monthly_payment"], result["months"], result["affordable"]) == expected
    if result["affordable"]:
        pay, months = Decimal(result["monthly_payment"]), result["months"]
        assert pay * months >= Decimal(amount), "equal payments would cover the whole amount"
        last = Decimal(result["last_payment"])
        assert pay * (months - 1) + last == Decimal(amount), "the payments add up to the amount exactly"
        assert pay * (months - 1) < Decimal(amount), "and takes no month more than needed"
        budget = (Decimal(income) - Decimal(expenses)) * Decimal(rules.plan["share_of_margin"])
        assert pay <= budget, "and never asks more than the share of the margin"
    assert result["margin"] == f"{Decimal(income) - Decimal(expenses):.2f}"


def test_the_plan_of_the_issue_adds_up_to_the_cent(rules):
    # 20,000 over 13 months: 1538.47 each would be 20,000.11; the last instalment takes the difference.
    result = plan(case(monthly_income=Decimal("3500"), monthly_expenses=Decimal("1575"), amount=Decimal("20000")), rules)
    assert (result["monthly_payment"], result["months"], result["last_payment"]) == ("1538.47", 13, "1538.36")


@given(amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2),
       budget=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2))
def test_instalments_sum_exactly(amount, budget):
    months = int((amount / budget).to_integral_value(rounding=ROUND_CEILING))  # as plan() counts them
    assume(months <= 600)
    payment, last = instalments(amount, months)
    assert payment * (months - 1) + last == amount
    assert CENT <= last <= payment <= budget
    assert payment - amount / months < CENT, "no more than a cent above the even share"


def test_no_plan_without_both_income_and_expenses(rules):
    assert plan(case(monthly_income=Decimal("5000")), rules) is None
    assert plan(case(), rules) is None


LPR = [("2019-08-19", None, "lpr_before_table"), ("2019-08-20", "4.25", None), ("2020-04-19", "4.05", None),
       ("2020-04-20", "3.85", None), ("2021-12-19", "3.85", None),
       ("2021-12-20", "3.80", None), ("2024-03-01", "3.45", None), ("2025-05-19", "3.10", None),
       ("2025-05-20", "3.00", "lpr_after_table"), ("2026-11-22", "3.00", "lpr_after_table")]


@pytest.mark.parametrize(("day", "rate", "note"), LPR)
def test_lpr_lookup_by_contract_date(rules, day, rate, note):
    row, got_note = lpr_on(date.fromisoformat(day), rules.interest["lpr"])
    assert (row and row["rate"], got_note) == (rate, note)


def test_private_lending_cap_is_four_times_the_lpr_at_the_contract_date(rules):
    check = interest_check(case(platform="unlicensed", apr=Decimal("36"), contract_date=date(2024, 3, 1)), rules)
    assert (check["cap"], check["lpr"], check["lpr_from"], check["exceeds"]) == ("13.80", "3.45", "2023-08-21", True)
    assert check["basis"] == "private_lending_4x_lpr"
    within = interest_check(case(platform="unlicensed", apr=Decimal("13.8"), contract_date=date(2024, 3, 1)), rules)
    assert within["exceeds"] is False, "exactly at the cap is not above it"


def test_lpr_override_and_missing_contract_date(rules):
    given = interest_check(case(platform="unlicensed", apr=Decimal("20"), lpr=Decimal("4.2")), rules)
    assert (given["cap"], given["note"], given["exceeds"]) == ("16.8", "lpr_given", True)
    unknown = interest_check(case(platform="unlicensed", apr=Decimal("16")), rules)
    assert (unknown["cap"], unknown["exceeds"], unknown["note"]) == (None, None, "contract_date_needed")
    # Above four times the highest LPR there has been, the rate is above the cap whatever the date.
    high = interest_check(case(platform="unlicensed", apr=Decimal("20")), rules)
    assert (high["cap"], high["exceeds"], high["bound"]) == ("17", True, True)


def test_licensed_lenders_use_the_24_percent_judicial_policy(rules):
    for platform in ("bank_loan", "credit_card", "consumer_finance", "internet_platform"):
        check = interest_check(case(platform=platform, apr=Decimal("24.01"), contract_date=date(2024, 3, 1)), rules)
        assert (check["cap"], check["basis"], check["exceeds"]) == ("24", "judicial_policy_24", True)
    assert interest_check(case(apr=Decimal("24")), rules)["exceeds"] is False
    assert interest_check(case(), rules) is None


def test_the_36_percent_line_is_never_called_legal(rules):
    import advisor

    for platform in ("unlicensed", "bank_loan", "microloan"):
        out = advisor.assess({"overdue_days": 30, "amount": 5000, "platform": platform, "negotiation": "none",
                              "apr": "36", "contract_date": "2024-03-01"})
        text = out["interest_check"]["text"]
        assert "36%以内" not in text and "合法" not in text


@pytest.mark.parametrize(("paid", "until"), [("2024-03-01", "2029-03-01"), ("2024-02-29", "2029-02-28")])
def test_retention_is_five_years_from_repayment(paid, until):
    assert retention_until(case(repaid_on=date.fromisoformat(paid))) == date.fromisoformat(until)
    assert retention_until(case()) is None


def test_an_unlicensed_lenders_plan_counts_what_was_received_less_what_was_repaid():
    # A void contract gives back what was received (民法典 第一百五十七条): before, the plan box said "4 个月可以
    # 还完这 3000.00 元" for a 714 loan of which 2,000 was received and 500 repaid.
    args = ["-d", "10", "-a", "3000", "-p", "714高炮", "-n", "none", "--received", "2000", "--repaid-so-far", "500",
            "--income", "4000", "--expenses", "3000", "--as-of", "2026-11-30"]
    plan = assess_json(*args)["plan"]
    assert (plan["amount"], plan["basis"], plan["months"]) == ("1500.00", "received", 2)
    assert "实际到手、还没还上的 1500.00 元" in plan["text"] and "3000" not in plan["text"]
    licensed = assess_json(*args[:5], "借呗", *args[6:])["plan"]
    assert (licensed["amount"], licensed["basis"]) == ("3000.00", "amount")
    judged = assess_json(*args, "--legal-status", "judgment")["plan"]  # then what is owed is the judgment's
    assert (judged["amount"], judged["basis"]) == ("3000.00", "amount")
    household = advisor.assess_household(
        [{"platform": "unlicensed", "amount": "3000", "overdue_days": "10", "negotiation": "none", "received": "2000"},
         {"platform": "花呗", "amount": "800", "overdue_days": "10", "negotiation": "none"}],
        {"monthly_income": "4000", "monthly_expenses": "3000"})
    share = next(a for a in household["plan"]["allocations"] if a["debt"] == 1)
    paid = Decimal(share["monthly_payment"]) * (share["months"] - 1) + Decimal(share["last_payment"])
    assert paid == Decimal("2000.00"), share
