"""How long a repayment plan may run: a card's 个性化分期 at most 5 years (商业银行信用卡业务监督管理办法
第七十条), other lenders without such an article.

Before, the card's 60 months was every lender's limit: a person under enforcement for a 3万 platform loan
with 500 yuan a month to spare (400 of it for the plan: 75 months) was told "60 个月内还不完…眼下提不出
一个做得到的还款计划". Now a non-card plan up to 10 years (rule data, `longest_months`) is shown as an
offer the other side may refuse, and under enforcement as an enforcement settlement (民事诉讼法 第二百四十一条).
"""

from __future__ import annotations

import pytest
from conftest import assess_json
from typer.testing import CliRunner

from advisor import cli

ENFORCED = ["-d", "500", "-a", "3万", "-p", "平安普惠", "-n", "none", "--legal-status", "被执行了",
            "--income", "4000", "--expenses", "3500"]


def test_someone_under_enforcement_who_can_pay_a_little_gets_an_offer_not_no_plan():
    record = assess_json(*ENFORCED)
    plan = record["plan"]
    assert (plan["affordable"], plan["monthly_payment"], plan["months"], plan["long"]) == (True, "400.00", 75, True)
    assert (plan["max_months"], plan["longest_months"]) == (60, 120)
    assert "提不出" not in plan["text"] and "75 个月" in plan["text"]
    assert "由对方决定" in plan["text"], "an offer, never promised"
    assert "执行和解" in plan["text"] and "第二百四十一条" in plan["text"]
    assert "civil_procedure_241" in {r["id"] for r in record["references"]}
    assert "no_affordable_plan" not in {c["id"] for c in record["consequences"]}
    assert "propose_computed_plan" in {s["id"] for s in record["steps"]}
    out = CliRunner().invoke(cli.app, ["assess", *ENFORCED, "--no-input", "--as-of", "2026-11-29"],
                             env={"COLUMNS": "80", "NO_COLOR": "1"})
    flat = "".join(line.strip(" │╭╮╰╯─") for line in out.stdout.splitlines())
    assert "每月还 400.00 元" in flat and "执行和解方案" in flat and "提不出一个做得到的还款计划" not in flat


def test_in_english_too():
    plan = assess_json(*ENFORCED, "--lang", "en")["plan"]
    assert "75 months" in plan["text"] and "enforcement settlement" in plan["text"] and "Art. 241" in plan["text"]
    assert "no plan you could keep" not in plan["text"]


def test_a_long_plan_before_any_court_is_an_offer_without_the_enforcement_words():
    plan = assess_json("-d", "100", "-a", "3万", "-p", "平安普惠", "-n", "none", "--income", "4000",
                       "--expenses", "3500")["plan"]
    assert plan["affordable"] and plan["long"] and plan["months"] == 75
    assert "由对方决定" in plan["text"] and "执行和解" not in plan["text"]


def test_a_card_keeps_its_five_years():
    record = assess_json("-d", "100", "-a", "3万", "-p", "信用卡", "-n", "none", "--income", "4000", "--expenses", "3500")
    plan = record["plan"]
    assert not plan["affordable"] and plan["longest_months"] == 60 and "60 个月内还不完" in plan["text"]
    assert {"ask_card_installment", "card_rules_70"} <= {s["id"] for s in record["steps"]} | {
        r["id"] for r in record["references"]}


@pytest.mark.parametrize(("amount", "affordable", "months"), [("4.8万", True, 120), ("4.81万", False, None)])
def test_ten_years_is_the_longest_offer(amount, affordable, months):
    plan = assess_json("-d", "100", "-a", amount, "-p", "平安普惠", "-n", "none", "--income", "4000",
                       "--expenses", "3500")["plan"]
    assert (plan["affordable"], plan["months"]) == (affordable, months)
    if not affordable:
        assert "120 个月内还不完" in plan["text"]


def test_a_plan_within_five_years_reads_as_before():
    plan = assess_json("-d", "100", "-a", "2万", "-p", "平安普惠", "-n", "none", "--income", "4000",
                       "--expenses", "3500")["plan"]
    assert plan["months"] == 50 and not plan["long"] and "通常的分期长" not in plan["text"]


def test_a_layer_that_names_no_longest_term_keeps_its_own_limit(tmp_path):
    layer = tmp_path / "plan.yaml"
    layer.write_text("plan:\n  share_of_margin: '0.8'\n  max_months: {default: 60}\n", encoding="utf-8")
    plan = assess_json(*ENFORCED, "--rules", "builtin", "--rules", str(layer))["plan"]
    assert not plan["affordable"] and plan["longest_months"] == 60
