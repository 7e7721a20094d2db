"""The missing topics of the content audit (section C), each reached from the answers that make it
relevant, through the CLI; the statute texts they cite match the LawRefBook copies word for word."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import assess_json, shown_ids
from typer.testing import CliRunner

from advisor import cli
from advisor.ruleset import load_ruleset

AS_OF = "2026-11-29"
RULES = Path(__file__).resolve().parents[1] / "rules" / "rules"


def assess(*args: str) -> dict:
    return assess_json(*args, as_of=AS_OF)


def text(record: dict) -> str:
    return " ".join(i["text"] for i in record["consequences"] + record["steps"])


def test_c7_a_guarantor_learns_the_six_month_default_period():
    record = assess("-d", "100", "-a", "50000", "-p", "bank_loan", "-n", "failed", "--asker", "guarantor")
    assert {"guarantor_liability", "guarantor_read_contract", "civil_code_686", "civil_code_692"} <= shown_ids(record)
    assert "6个月" in text(record)


def test_c7_an_heir_pays_only_up_to_the_estate():
    record = assess("-d", "200", "-a", "30000", "-p", "信用卡", "-n", "none", "--asker", "heir", "--lang", "en")
    assert {"heir_estate_limit", "heir_decide_first", "civil_code_1161", "civil_code_1124"} <= shown_ids(record)
    assert "renounce" in record["answers"][0]["verdict"]


def test_c8_reading_the_credit_report_for_a_reported_lender_only():
    record = assess("-d", "20", "-a", "3000", "-p", "花呗", "-n", "none")
    assert {"credit_report_reading", "read_credit_report"} <= shown_ids(record)
    assert "60个月" in text(record) and "百行" in text(record) and "pbccrc" in text(record)
    for other in ("personal", "unlicensed"):
        assert "credit_report_reading" not in shown_ids(assess("-d", "20", "-a", "3000", "-p", other, "-n", "none"))


def test_c9_stop_interest_is_not_a_right_and_agents_are_warned_about():
    record = assess("-d", "60", "-a", "20000", "-p", "网商贷", "-n", "failed")
    # Changed with the review of 2026-11-30: 网商贷 is a bank loan, not a card, so the card's personalised
    # plan (card_rules_70) is no longer cited for it; a change of terms needs both sides' agreement (543) is.
    # 678 (an extension before the due date) is still not cited, for a debt already overdue.
    assert {"stop_interest_reality", "avoid_paid_agents", "civil_code_543"} <= shown_ids(record)
    assert not {"civil_code_678", "card_rules_70"} & shown_ids(record)
    card = assess("-d", "60", "-a", "20000", "-p", "信用卡", "-n", "failed")
    assert {"stop_interest_reality", "card_rules_70"} <= shown_ids(card)
    assert "stop_interest_reality" not in shown_ids(assess("-d", "40", "-a", "800", "-p", "信用卡", "-n", "none"))
    assert "不是法定权利" in text(record)
    after = assess("-d", "400", "-a", "20000", "-p", "网商贷", "-n", "none", "--legal-status", "judgment")
    assert "stop_interest_reality" not in shown_ids(after)


def test_c10_personal_bankruptcy_only_when_there_is_no_way_to_pay():
    broke = assess("-d", "90", "-a", "200000", "-p", "bank_loan", "-n", "failed", "--hardship", "business_failure")
    assert "no_personal_bankruptcy" in shown_ids(broke)
    assert "深圳" in text(broke) and "2021年3月1日" in text(broke)
    squeezed = assess("-d", "40", "-a", "30000", "-p", "消金", "-n", "none", "--income", "3000", "--expenses", "3500")
    assert "no_personal_bankruptcy" in shown_ids(squeezed)
    assert "no_personal_bankruptcy" not in shown_ids(assess("-d", "40", "-a", "30000", "-p", "消金", "-n", "none"))


def test_c11_freezing_before_judgment_when_sued_or_close_to_it():
    sued = assess("-d", "120", "-a", "20000", "-p", "bank_loan", "-n", "none", "--legal-status", "sued")
    assert {"asset_preservation", "civil_procedure_103", "civil_procedure_104", "civil_procedure_108",
            "civil_procedure_111"} <= shown_ids(sued)
    assert "复议" in text(sued)
    assert "asset_preservation" not in shown_ids(assess("-d", "10", "-a", "2000", "-p", "bank_loan", "-n", "none"))


def test_c12_exaggerated_threats_and_complaint_times():
    record = assess("-d", "50", "-a", "4000", "-p", "microloan", "-n", "none", "--collection", "threats")
    assert {"exaggerated_threats_banned", "banking_guideline_2026"} <= shown_ids(record)
    assert "坐牢" in text(record) and "15日" in text(record)


def test_the_card_minimum_the_set_off_and_the_children():
    due = assess("-d", "0", "-a", "6000", "-p", "信用卡", "-n", "none")
    assert "card_pay_minimum" in shown_ids(due)
    late = assess("-d", "45", "-a", "9000", "-p", "信用卡", "-n", "none")
    assert {"card_setoff", "children_unaffected"} <= shown_ids(late)
    assert "可能" in text(late)  # the set-off is hedged
    listed = assess("-d", "500", "-a", "80000", "-p", "信用卡", "-n", "none", "--legal-status", "dishonest_listed")
    assert "children_unaffected" not in shown_ids(listed)


def test_the_short_report_stays_short_with_the_new_topics():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "120", "-a", "60000", "-p", "信用卡", "-n", "failed",
                                          "--legal-status", "sued", "--collection", "threats", "--asker", "配偶",
                                          "--no-input", "--as-of", AS_OF], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) <= 90  # the budget of a complex case (tests/test_budgets.py)


STATUTES = {
    "civil_code_1064": "民法典/婚姻家庭编.md", "civil_code_1124": "民法典/继承编.md", "civil_code_1161": "民法典/继承编.md",
    "civil_code_686": "民法典/合同编.md", "civil_code_688": "民法典/合同编.md", "civil_code_692": "民法典/合同编.md",
    "civil_code_693": "民法典/合同编.md", "civil_code_700": "民法典/合同编.md",
    "civil_procedure_103": "民事诉讼法(2023-09-01).md",
    "civil_procedure_104": "民事诉讼法(2023-09-01).md", "civil_procedure_108": "民事诉讼法(2023-09-01).md",
    "civil_procedure_111": "民事诉讼法(2023-09-01).md",
}


@pytest.mark.parametrize("ref", sorted(STATUTES))
def test_new_statute_texts_are_verbatim_and_sourced(ref):
    entry = load_ruleset().references[ref]
    assert entry["verbatim"] is True and entry["confidence"] == "V-statute"
    written = {e["id"]: e for name in ("family.yaml", "topics.yaml")
               for e in yaml.safe_load((RULES / name).read_text(encoding="utf-8")).get("references", [])}
    assert STATUTES[ref] in written[ref]["source"] and "LawRefBook/Laws" in written[ref]["source"]
    assert written[ref]["checked"]
    # The article number in the title is the one the text was copied from.
    assert entry["title"]["zh"].endswith("条")
