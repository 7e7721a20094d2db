"""A debt repaid in full, among several: it comes after the debts still owed and takes none of the money,
at every door that builds a household (flags, answers file, API)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from typer.testing import CliRunner

import advisor
from advisor.cli import app

REPAID = "网商贷,5000,400,none,repaid_on=2026-02-15"
OWED = "信用卡,6万,40,none"


def _household(*debts: str, lang: str = "zh") -> dict:
    args = ["assess", "--no-input", "--format", "json", "--as-of", "2026-11-29", "--lang", lang,
            "--income", "8000", "--expenses", "5000"]
    for debt in debts:
        args += ["--debt", debt]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_repaid_debt_is_placed_last_and_gets_nothing() -> None:
    record = _household(REPAID, OWED)
    assert [o["debt"] for o in record["order"]] == [2, 1]
    assert record["order"][1]["priority"] == "settled"
    shares = {a["debt"]: a for a in record["plan"]["allocations"]}
    assert shares[1]["status"] == "settled" and Decimal(shares[1]["monthly_payment"]) == 0
    # the whole budget goes to what is still owed
    assert Decimal(shares[2]["monthly_payment"]) == Decimal(record["plan"]["available"])


def test_allocations_still_add_up_with_a_repaid_debt_first_given() -> None:
    record = _household(REPAID, "花呗,3800,12天,未协商", OWED)
    plan = record["plan"]
    total = sum(Decimal(a["monthly_payment"]) for a in plan["allocations"]) + Decimal(plan["left_over"])
    assert total == Decimal(plan["available"])
    assert record["order"][-1]["debt"] == 1


def test_repaid_only_household_spends_nothing() -> None:
    record = _household(REPAID, lang="en")
    assert record["plan"]["allocations"][0]["status"] == "settled"
    assert Decimal(record["plan"]["left_over"]) == Decimal(record["plan"]["available"])
    assert "repaid in full" in record["order"][0]["reason"]


def test_api_agrees_with_the_flags() -> None:
    debts = [{"platform": "网商贷", "amount": 5000, "overdue_days": 400, "negotiation": "none",
              "repaid_on": "2026-02-15"},
             {"platform": "信用卡", "amount": "6万", "overdue_days": 40, "negotiation": "none"}]
    record = advisor.assess_household(debts, {"monthly_income": 8000, "monthly_expenses": 5000},
                                      as_of=date(2026, 11, 29))
    flags = _household(REPAID, OWED)
    assert record["order"] == flags["order"] and record["plan"] == flags["plan"]


def test_a_household_of_one_debt_is_not_called_several() -> None:
    for lang, never in (("en", "1 debts"), ("zh", "最先处理第")):
        record = _household("花呗,3800,12天,未协商", lang=lang)
        assert never not in record["headline"], record["headline"]
    assert "You have one debt" in _household("花呗,3800,12天,未协商", lang="en")["headline"]


def test_the_headline_counts_only_what_is_still_owed() -> None:
    record = _household(REPAID, OWED)
    assert record["headline"].startswith("你还欠着 1 笔，共 60,000.00 元（另有 1 笔已还清）")
    assert _household(REPAID, OWED, lang="en")["headline"].startswith("You still owe 1 of these debts, 60,000.00 yuan")
    alone = _household(REPAID, lang="en")["headline"]
    assert alone.startswith("Every debt you gave (1) is repaid in full.") and "deal with" not in alone
