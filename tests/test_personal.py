"""Loans between people (`platform: personal`) and the new answers (asker, received, repaid_so_far):
the content audit's cases B3, B4 and B14 through the CLI, and each answer through every door."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from conftest import assess_json, shown_ids
from typer.testing import CliRunner

import advisor
from advisor import cli

AS_OF = "2026-11-29"
# What binds lenders only: the collection standards, NIFA, 刑法293条之一, the lender's channels.
LENDER_ONLY = {"criminal_law_293_1", "illegal_debt_collection_crime", "report_to_nifa", "report_illegal_lending",
               "night_call_rules", "third_party_contact_rules", "collection_standard_2025", "banking_guideline_2026",
               "nifa_convention", "outsourced_collection", "pay_only_official_channels", "report_abusive_collection",
               "complain_regulator", "complain_to_lender", "abusive_collection_banned", "contact_lender"}


def assess(*args: str) -> dict:
    return assess_json(*args, as_of=AS_OF)


@pytest.mark.parametrize("alias", ["personal", "私人借款", "个人借款", "借条", "朋友"])
def test_b3_a_friends_loan_not_yet_due_gets_no_police_and_no_criminal_law(alias):
    record = assess("-d", "0", "-a", "2000", "-p", alias, "-n", "none")
    assert record["case"]["platform"] == "personal"
    found = shown_ids(record)
    assert not found & LENDER_ONLY, found & LENDER_ONLY
    assert "call_police" not in found and "collection_contact" not in found
    assert {"keep_iou_evidence", "talk_to_personal_creditor", "personal_creditor"} <= found
    assert record["credit_impact"]["reporting"] == "none"


@pytest.mark.parametrize("alias", ["personal", "私人借款"])
def test_b4_night_calls_from_a_private_creditor_are_not_a_crime_or_a_nifa_matter(alias):
    record = assess("-d", "10", "-a", "3000", "-p", alias, "-n", "none", "--collection", "night_calls")
    found = shown_ids(record)
    assert not found & LENDER_ONLY, found & LENDER_ONLY
    assert "call_police" not in found
    assert {"ask_for_quiet", "keep_collection_evidence", "civil_code_1033"} <= found
    assert "22" not in " ".join(s["text"] for s in record["steps"])  # no 22:00-08:00 rule for a person


def test_real_threats_or_violence_from_a_private_creditor_still_mean_110():
    threats = assess("-d", "10", "-a", "3000", "-p", "personal", "-n", "none", "--collection", "threats")
    assert ("call_police", "now") in {(s["id"], s["urgency"]) for s in threats["steps"]}
    assert not shown_ids(threats) & LENDER_ONLY
    violence = assess("-d", "10", "-a", "3000", "-p", "私人借款", "-n", "none", "--collection", "violence")
    assert {"call_police", "protect_safety", "criminal_law_238_3"} <= shown_ids(violence)


@pytest.mark.parametrize("alias", ["personal", "私人借款", "个人借款"])
def test_b14_a_private_creditors_demand_letter_gets_no_institution_advice(alias):
    record = assess("-d", "40", "-a", "8000", "-p", alias, "-n", "none", "--legal-status", "demand_letter")
    found = shown_ids(record)
    assert not found & LENDER_ONLY, found & LENDER_ONLY
    assert "verify_lawyer_letter" not in found  # its text sends you to the lender's official channels
    assert {"personal_demand_letter", "keep_iou_evidence", "check_private_lending_cap", "private_lending_25"} <= found
    text = " ".join(c["text"] for c in record["consequences"]) + " ".join(s["text"] for s in record["steps"])
    assert "机构官方渠道" not in text and "机构账单" not in text


def test_b5_after_judgment_a_private_debtor_is_not_told_to_challenge_the_rate():
    record = assess("-d", "60", "-a", "5000", "-p", "personal", "-n", "none", "--legal-status", "judgment")
    found = shown_ids(record)
    assert "settle_enforcement" in found
    assert not {"check_private_lending_cap", "check_interest_rate", "pay_only_official_channels"} & found


def test_unlicensed_lenders_keep_their_own_rules():
    record = assess("-d", "10", "-a", "3000", "-p", "高炮", "-n", "none", "--collection", "night_calls")
    assert record["case"]["platform"] == "unlicensed"
    assert {"criminal_law_293_1", "report_illegal_lending"} <= shown_ids(record)


def test_a_private_loan_is_capped_at_four_times_the_lpr():
    record = assess("-d", "30", "-a", "10000", "-p", "亲戚", "-n", "none", "--apr", "36", "--contract-date",
                    "2024-03-01")
    check = record["interest_check"]
    assert check["basis"] == "private_lending_4x_lpr" and check["exceeds"] is True


def test_the_answers_speak_to_a_private_debtor():
    record = assess("-d", "30", "-a", "6000", "-p", "personal", "-n", "none",
                    "--concerns", "credit,contacts,cost,cannot_pay")
    assert "个人" in record["headline"] and "机构" not in record["headline"]
    answers = {a["concern"]: a["id"] for a in record["answers"]}
    assert answers == {"credit": "credit.personal", "contacts": "contacts.personal", "cost": "cost.private",
                       "cannot_pay": "cannot_pay.personal"}


# ---------------------------------------------------------------- who is asking


@pytest.mark.parametrize(("asker", "answer", "consequence", "reference"), [
    ("配偶", "contacts.asker-spouse", "spouse_joint_debt", "civil_code_1064"),
    ("妈妈", "contacts.asker-family", "family_not_liable", None),
    ("儿子", "contacts.asker-family", "family_not_liable", None),
    ("担保人", "contacts.asker-guarantor", "guarantor_liability", "civil_code_692"),
    ("继承人", "contacts.asker-heir", "heir_estate_limit", "civil_code_1161"),
])
def test_the_report_speaks_to_who_is_asking(asker, answer, consequence, reference):
    record = assess("-d", "60", "-a", "20000", "-p", "花呗", "-n", "none", "--asker", asker)
    assert record["concerns"][0] == "contacts" and record["concerns_source"] == "default"
    assert record["answers"][0]["id"] == answer
    assert consequence in shown_ids(record)
    if reference:
        assert reference in shown_ids(record)
    assert record["headline"] != assess("-d", "60", "-a", "20000", "-p", "花呗", "-n", "none")["headline"]


def test_the_borrower_asking_changes_nothing():
    plain = assess("-d", "60", "-a", "20000", "-p", "花呗", "-n", "none")
    mine = assess("-d", "60", "-a", "20000", "-p", "花呗", "-n", "none", "--asker", "本人")
    mine["case"].pop("asker")
    assert mine == plain


def test_parents_are_never_told_they_owe_the_debt():
    record = assess("-d", "200", "-a", "30000", "-p", "信用卡", "-n", "none", "--asker", "parent", "--lang", "en")
    answer = record["answers"][0]
    assert answer["verdict"].startswith("No.")
    assert "spouse_joint_debt" not in shown_ids(record)


def test_english_versions_exist_for_every_new_text():
    record = assess("-d", "60", "-a", "20000", "-p", "personal", "-n", "none", "--asker", "guarantor",
                    "--lang", "en", "--concerns", "contacts,credit,cost")
    new = {"contacts.asker-guarantor", "credit.personal", "cost.private", "guarantor_liability", "personal_creditor",
           "guarantor_read_contract", "keep_iou_evidence", "talk_to_personal_creditor"}
    items = [i for i in record["answers"] + record["consequences"] + record["steps"] if i["id"] in new]
    assert len(items) == len(new)
    for item in items:
        for key in ("verdict", "text"):
            if key in item:
                assert not any("\u4e00" <= ch <= "\u9fff" for ch in item[key]), item


# ---------------------------------------------------------------- money received and repaid


def test_money_received_short_of_the_contract_is_the_principal():
    record = assess("-d", "30", "-a", "10000", "-p", "personal", "-n", "none", "--received", "7000",
                    "--repaid-so-far", "3千", "--concerns", "cost")
    assert record["case"]["received"] == "7000.00" and record["case"]["repaid_so_far"] == "3000.00"
    assert record["answers"][0]["id"] == "cost.received-less"
    assert "第六百七十条" in record["answers"][0]["verdict"]


def test_bad_money_answers_are_clear_messages():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "30", "-a", "10000", "-p", "personal", "-n", "none",
                                          "--received", "好多", "--no-input"])
    assert result.exit_code == 2
    assert "--received" in result.output and "Traceback" not in result.output


def test_the_new_answers_go_through_the_api_and_batch(tmp_path):
    record = advisor.assess({"逾期天数": 30, "金额": "1万", "平台": "朋友", "协商情况": "未协商", "提问人": "配偶",
                             "到手金额": "8000", "已还金额": "0"}, as_of=date(2026, 11, 29))
    assert record["case"]["platform"] == "personal" and record["case"]["asker"] == "spouse"
    assert record["case"]["received"] == "8000.00"
    source = tmp_path / "cases.csv"
    source.write_text("编号,逾期天数,金额,平台,协商情况,提问人,到手金额,已还金额\n"
                      "P1,30,1万,借条,未协商,父母,8000,0\nP2,30,1万,借条,未协商,外星人,8000,0\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "advisor", "batch", str(source), "-q", "--as-of", AS_OF],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 2
    assert rows[0]["case"]["asker"] == "parent" and "family_not_liable" in shown_ids(rows[0])
    assert rows[1]["error"]["field"] == "asker"


def test_questions_json_lists_the_new_answers():
    result = CliRunner().invoke(cli.app, ["questions", "--json"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    for field in ("asker", "received", "repaid_so_far", "personal"):
        assert f'"{field}"' in text


# ---------------------------------------------------------------- when the interview asks them


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_tty", lambda: True)
    return CliRunner()


def test_the_interview_asks_who_is_asking_only_of_a_family_worry(terminal):
    core = ["assess", "-d", "45", "-a", "3万", "-p", "花呗", "-n", "none", "--ask", "--format", "json",
            "--as-of", AS_OF]
    family = terminal.invoke(cli.app, [*core, "--concerns", "家人"], input="\n" * 20)
    assert family.exit_code == 0, family.stderr
    assert "你是借款人本人，还是家人、担保人？" in family.stderr
    other = terminal.invoke(cli.app, [*core, "--concerns", "征信"], input="\n" * 20)
    assert other.exit_code == 0, other.stderr
    assert "你是借款人本人" not in other.stderr and "借款时实际到手" not in other.stderr


def test_a_death_in_the_family_asks_who_is_asking_and_an_heir_is_answered_as_one(terminal):
    """"老公去世了" as the reason: it may be his debt, so who is asking is asked; an heir is then not
    told to contact the lender and repay from their own money."""
    core = ["assess", "-d", "半年", "-a", "6万", "-p", "借呗", "-n", "没有", "--ask", "--format", "json",
            "--as-of", AS_OF, "--concerns", "征信", "--hardship", "老公去世了"]
    result = terminal.invoke(cli.app, core, input="\n" * 5 + "继承人\n" + "\n" * 10)
    assert result.exit_code == 0, result.stderr
    assert "你是借款人本人，还是家人、担保人？" in result.stderr
    record = json.loads(result.stdout)
    assert record["case"]["asker"] == "heir" and record["case"]["hardship"] == "family_emergency"
    assert not {"contact_lender", "repay_overdue"} & {s["id"] for s in record["steps"]}


def test_money_received_is_asked_for_a_cost_worry_and_repaid_after_it(terminal):
    core = ["assess", "-d", "45", "-a", "1万", "-p", "personal", "-n", "none", "--ask", "--format", "json",
            "--as-of", AS_OF, "--concerns", "cost", "--legal-status", "none", "--collection", "normal",
            "--hardship", "none", "--apr", "10", "--contract-date", "2024-03-01", "--income", "5000",
            "--expenses", "3000", "--other-debts", "0"]
    result = terminal.invoke(cli.app, core, input="7000\n2000\n" + "\n" * 5)
    assert result.exit_code == 0, result.stderr
    assert "借款时实际到手多少钱" in result.stderr and "一共还了多少" in result.stderr
    record = json.loads(result.stdout)
    assert record["case"]["received"] == "7000.00" and record["case"]["repaid_so_far"] == "2000.00"
    assert {"count_principal_received", "tally_payments"} <= shown_ids(record)


def test_no_step_shown_for_a_loan_from_a_person_speaks_of_an_institution():
    # "Ask the institution for its reasons", "its formal notices", "its settlement certificate": a friend has none.
    import datetime

    import advisor

    found = set()
    for days in (0, 5, 61, 400):
        for negotiation in ("none", "in_progress", "agreed", "breached", "failed"):
            for extra in ({}, {"legal_status": "sued"}, {"collection": "home_visit"}, {"collection": "extra_fees"},
                          {"repaid_on": "2026-10-01"}):
                record = advisor.assess({"overdue_days": days, "amount": 5000, "platform": "personal",
                                         "negotiation": negotiation, **extra}, as_of=datetime.date(2026, 11, 29))
                found |= {s["id"] for s in record["steps"] if s["priority"] and "机构" in s["text"]}
    assert not found


@pytest.mark.parametrize("status", ["judgment", "enforcement", "dishonest_listed"])
def test_a_judged_loan_from_a_person_is_not_told_it_never_reaches_the_credit_report(status):
    # "不会。个人之间借钱，不报送人民银行征信" was shown under a box that said the record may reach it.
    import datetime

    import advisor

    record = advisor.assess({"overdue_days": 61, "amount": 8000, "platform": "personal", "negotiation": "none",
                             "legal_status": status, "concerns": "credit"}, as_of=datetime.date(2026, 11, 29))
    (answer,) = [a for a in record["answers"] if a["concern"] == "credit"]
    # Someone already listed has an answer that does not warn them they may be listed.
    expected = "credit.listed-not-reported" if status == "dishonest_listed" else "credit.personal-judged"
    assert answer["id"] == expected and not answer["verdict"].startswith("不会")


def test_an_unlicensed_lender_is_not_answered_as_a_licensed_one_about_family():
    import datetime

    import advisor

    record = advisor.assess({"overdue_days": 15, "amount": 3000, "platform": "unlicensed", "negotiation": "none",
                             "concerns": "contacts"}, as_of=datetime.date(2026, 11, 29))
    (answer,) = [a for a in record["answers"] if a["concern"] == "contacts"]
    assert answer["id"] == "contacts.unlicensed" and "正规机构" not in answer["verdict"]


def test_a_friend_at_the_door_is_not_answered_with_the_rules_for_lenders_collectors():
    # "金融机构的催收规定…都管不到这笔借款" sat beside "银行业协会2026年的指引要求…".
    import datetime

    import advisor

    record = advisor.assess({"overdue_days": 61, "amount": 20000, "platform": "personal", "negotiation": "none",
                             "collection": "home_visit"}, as_of=datetime.date(2026, 11, 29))
    assert "home_visit_rules" not in {c["id"] for c in record["consequences"]}
    assert not {"banking_guideline_2026", "nifa_convention"} & {r["id"] for r in record["references"]}
    assert "ask_for_quiet" in {s["id"] for s in record["steps"]}


def test_a_friends_loan_is_told_once_to_write_the_new_arrangement_down():
    # talk_to_personal_creditor says it for a friend; the lenders' "in writing or in the app" repeated it.
    from conftest import assess_json

    steps = [s["id"] for s in assess_json("-d", "60", "-a", "20000", "-p", "找朋友借的", "-n", "none")["steps"]]
    assert "talk_to_personal_creditor" in steps and "written_agreement" not in steps
