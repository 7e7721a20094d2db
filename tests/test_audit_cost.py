"""The content audit's cost, lender, interest and collection cases (CONTENT-AUDIT-2026-11, items A4–A9,
A12, A14, A15, B5, B8, C3, C6 and the collection split), each run through the CLI as a user runs it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor import load_ruleset
from advisor.cli import app

RUNNER = CliRunner()


def assess(*args: str, lang: str = "zh") -> dict[str, Any]:
    result = RUNNER.invoke(app, ["assess", *args, "--format", "json", "--no-input", "--lang", lang])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def ids(record: dict[str, Any], key: str) -> list[str]:
    return [item["id"] for item in record[key]]


def steps(record: dict[str, Any]) -> dict[str, str]:
    return {item["id"]: item["urgency"] for item in record["steps"]}


# ---------------------------------------------------------------- B8, A4, A5: the interest check


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_400_percent_app_loan_is_flagged_without_a_contract_date(lang):
    record = assess("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none", "--apr", "400", lang=lang)
    check = record["interest_check"]
    assert check["exceeds"] is True and check["bound"] is True
    assert check["cap"] == "17", "four times the highest 1-year LPR since 2019-08-20 (4.25%)"
    assert "?" not in check["text"] and "{" not in check["text"]
    assert "contract-date" not in check["text"], "the verdict is known: no need to ask for the date"


def test_a_2019_contract_states_the_article_31_transition():
    record = assess("-d", "200", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "20",
                    "--contract-date", "2019-10-01")
    check = record["interest_check"]
    assert check["note"] == "transition_31" and "?" not in check["text"]
    assert "2020年8月19日以前的利息" in check["text"] and "起诉时本规定的利率保护标准" in check["text"]
    assert check["exceeds"] is True, "20% is above every 4×LPR line there has been"


def test_a_may_2020_contract_is_not_given_a_fixed_cap_at_contract_formation():
    # The audit's case: 15.40% was stated as the cap of a 2020-05-01 contract.
    check = assess("-d", "20", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "15",
                   "--contract-date", "2020-05-01")["interest_check"]
    assert check["cap"] is None and check["exceeds"] is None and check["note"] == "transition_31"
    assert "?" not in check["text"]


@pytest.mark.parametrize(("day", "lpr", "cap"), [("2020-09-01", "3.85", "15.40"), ("2025-06-01", "3.00", "12")])
def test_contracts_from_20_august_2020_use_four_times_the_lpr_at_formation(day, lpr, cap):
    check = assess("-d", "20", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "13",
                   "--contract-date", day)["interest_check"]
    assert (check["lpr"], check["cap"]) == (lpr, cap)


def test_the_lpr_table_starts_at_the_first_release_and_says_how_far_it_is_checked():
    table = load_ruleset().interest["lpr"]
    assert [row["from"] for row in table[:5]] == ["2019-08-20", "2019-09-20", "2019-11-20", "2020-02-20", "2020-04-20"]
    check = assess("-d", "20", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "10",
                   "--contract-date", "2026-01-05")["interest_check"]
    assert check["note"] == "lpr_after_table" and "2026年3月" in check["text"]


# ---------------------------------------------------------------- A6, C3, B5: lenders without a licence


def test_an_illegal_app_at_400_percent_is_sent_to_count_and_report_not_to_repay():
    record = assess("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none", "--apr", "400")
    found = ids(record, "consequences")
    assert found[:3] == ["illegal_lending_crime", "unlicensed_contract_void", "upfront_interest_not_principal"]
    todo = steps(record)
    assert todo["count_money_received"] == "now" and todo["report_illegal_lender_police"] == "now"
    assert "repay_now" not in todo and "contact_lender" not in todo
    refs = ids(record, "references")
    assert {"private_lending_13", "private_lending_26", "civil_code_670", "illegal_lending_opinion_2019"} <= set(refs)
    crime = next(c["text"] for c in record["consequences"] if c["id"] == "illegal_lending_crime")
    assert "不是你的" in crime, "the crime is the lender's risk, never the borrower's"


def test_at_36_percent_or_below_no_crime_is_suggested():
    record = assess("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none", "--apr", "36")
    assert "illegal_lending_crime" not in ids(record, "consequences")
    assert "repay_now" in steps(record)


def test_the_statute_texts_are_the_ones_compared():
    refs = {r["id"]: r for r in assess("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none", "--apr", "400",
                                       "--full")["references"]}
    assert "未依法取得放贷资格的出借人，以营利为目的向社会不特定对象提供借款的" in refs["private_lending_13"]["text"]
    assert refs["private_lending_26"]["text"].endswith("人民法院应当将实际出借的金额认定为本金。")
    assert refs["civil_code_670"]["text"].startswith("借款的利息不得预先在本金中扣除。")
    assert refs["illegal_lending_opinion_2019"]["verbatim"] is False


def test_the_cost_answer_for_an_unlicensed_lender_counts_the_money_received():
    record = assess("-d", "20", "-a", "10000", "-p", "私人", "-n", "none", "--concerns", "cost")
    answer = record["answers"][0]
    assert answer["id"] == "cost.private" and "实际拿到手" in answer["verdict"]
    assert "private_lending_26" in answer["references"]


@pytest.mark.parametrize("status", ["judgment", "enforcement", "dishonest_listed"])
def test_after_a_final_judgment_the_rate_is_not_challenged_now(status):
    # The audit's B5 case: -d 60 -a 5000 -p 私人 -n none --legal-status judgment
    record = assess("-d", "60", "-a", "5000", "-p", "私人", "-n", "none", "--legal-status", status,
                    "--concerns", "cost")
    todo = steps(record)
    assert "check_interest_rate" not in todo and "check_private_lending_cap" not in todo
    assert "unlicensed_contract_void" not in ids(record, "consequences")
    assert record["answers"][0]["id"] == "cost.after-judgment"
    assert "判决书" in record["answers"][0]["verdict"]


def test_before_a_judgment_the_private_cap_is_still_checked():
    todo = steps(assess("-d", "60", "-a", "5000", "-p", "私人", "-n", "none", "--legal-status", "sued"))
    assert todo["check_private_lending_cap"] == "now"


# ---------------------------------------------------------------- A7, C6: platform loans, guarantors, 2025 cost rules


def test_a_platform_loan_in_collection_names_the_real_lender_and_the_guarantor():
    record = assess("-d", "60", "-a", "8000", "-p", "京东金条", "-n", "none")
    assert "guarantor_may_collect" in ids(record, "consequences")
    assert "identify_real_lender" in steps(record)
    text = next(c["text"] for c in record["consequences"] if c["id"] == "guarantor_may_collect")
    assert "代偿" in text and "12378" in text and "担保费" in text
    assert "guarantor_recourse" in ids(record, "references")


def test_a_platform_loan_a_few_days_late_does_not_hear_about_guarantors_yet():
    assert "guarantor_may_collect" not in ids(assess("-d", "10", "-a", "8000", "-p", "花呗", "-n", "none"),
                                              "consequences")
