"""Whose plan it is: an heir pays from the estate, never from their own income, so no plan is worked
out from an heir's budget, whichever door the income comes in by. The rule set says so (`plan: when`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import assess_json
from typer.testing import CliRunner

import advisor
from advisor import cli

BUDGET = ["-d", "60", "-a", "2万", "-p", "bank_loan", "-n", "none", "--income", "8000", "--expenses", "3000"]


def run(args: list[str]):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


def test_an_heir_who_gives_an_income_gets_no_plan_from_it():
    record = assess_json(*BUDGET, "--asker", "heir")
    assert record["plan"] is None
    assert not {"propose_plan"} & {s["id"] for s in record["steps"]}


@pytest.mark.parametrize("asker", [None, "borrower", "spouse", "guarantor"])
def test_everyone_else_who_gives_a_budget_still_gets_the_plan(asker):
    record = assess_json(*BUDGET, *(["--asker", asker] if asker else []))
    assert record["plan"]["monthly_payment"] == "4000.00" and record["plan"]["months"] == 5


def test_the_rich_report_shows_no_plan_box_to_an_heir():
    env = {"COLUMNS": "100", "NO_COLOR": "1"}
    heir = run(["assess", *BUDGET, "--asker", "heir", "--no-input", "--lang", "en"])
    borrower = CliRunner().invoke(cli.app, ["assess", *BUDGET, "--no-input", "--lang", "en"], env=env)
    assert "4000.00" in borrower.stdout
    assert heir.exit_code == 0 and "4000.00" not in heir.stdout


def test_a_batch_row_and_the_api_agree(tmp_path: Path):
    rows = tmp_path / "cases.csv"
    with rows.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "逾期天数", "金额", "平台", "协商情况", "月收入", "必需开支", "提问人"])
        out.writerow(["A", "60", "2万", "bank_loan", "none", "8000", "3000", "继承人"])
        out.writerow(["B", "60", "2万", "bank_loan", "none", "8000", "3000", "本人"])
    result = run(["batch", str(rows), "-q"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["plan"] is None for r in records] == [True, False]
    api = advisor.assess({"overdue_days": 60, "amount": "2万", "platform": "bank_loan", "negotiation": "none",
                          "monthly_income": "8000", "monthly_expenses": "3000", "asker": "heir"})
    assert api["plan"] is None


def test_a_layer_can_say_whose_plan_it_is_and_a_derived_field_is_refused(tmp_path: Path):
    ours = tmp_path / "ours.yaml"
    ours.write_text("plan:\n  share_of_margin: '0.5'\n  max_months: {default: 60}\n"
                    "  when: {platform: credit_card}\n", encoding="utf-8")
    layered = ["--rules", "builtin", "--rules", str(ours)]
    card = assess_json(*BUDGET[:5], "credit_card", *BUDGET[6:], *layered)
    bank = assess_json(*BUDGET, "--asker", "heir", *layered)
    assert card["plan"]["monthly_payment"] == "2500.00", "the layer's share, and its `when` holds"
    assert bank["plan"] is None
    heir_plan = assess_json(*BUDGET[:5], "credit_card", *BUDGET[6:], "--asker", "heir", *layered)
    assert heir_plan["plan"] is not None, "a layer's plan replaces the built-in one, `when` included"
    ours.write_text("plan:\n  share_of_margin: '0.5'\n  max_months: {default: 60}\n"
                    "  when: {day_stage: collection}\n", encoding="utf-8")
    check = run(["rules", "check", "builtin", str(ours)])
    assert check.exit_code == 3
    assert 'can test only answers, not day_stage' in check.stderr and "ours.yaml" in check.stderr


def test_an_heirs_several_debts_get_no_household_plan_from_the_heirs_budget():
    debts = ["--debt", "花呗,3800,12天,未协商", "--debt", "bank_loan,20000,60天,未协商", "--income", "8000", "--expenses", "3000"]
    heir = assess_json(*debts, "--asker", "heir")
    borrower = assess_json(*debts)
    assert heir["plan"] is None and all(d["plan"] is None for d in heir["debts"])
    assert borrower["plan"]["affordable"] and borrower["plan"]["allocations"]
