"""Answers that fit who is asking and whom they owe, from a content review: an heir or a relative is not
told of a borrower's own accounts, credit or prison; a spouse is not told an unsigned loan is never
theirs; an unlicensed lender's void contract is not treated as a valid one; a judgment, an old debt and
a small card each get the way forward that fits them. Each case runs through the CLI as a user runs it."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import assess_json, shown_ids
from typer.testing import CliRunner

from advisor import cli


def answers(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["concern"]: a for a in record["answers"]}


def test_an_heir_is_answered_about_the_estate_not_their_own_accounts_credit_or_prison():
    record = assess_json("-d", "100", "-a", "八万", "-p", "招商银行信用卡", "-n", "没谈过", "--asker", "heir",
                         "--concerns", "lawsuit,jail,credit")
    got = answers(record)
    assert got["lawsuit"]["id"] == "lawsuit.heir" and "遗产" in got["lawsuit"]["verdict"]
    assert "发卡银行" not in got["lawsuit"]["verdict"]
    assert got["jail"]["id"] == "jail.heir" and got["jail"]["verdict"].startswith("不会")
    assert "criminal_procedure_16" in got["jail"]["references"]
    assert got["credit"]["id"] == "credit.family-asker" and "不会进你的征信" in got["credit"]["verdict"]
    assert not {"card_setoff", "asset_preservation", "enforcement_measures", "credit_record"} & shown_ids(record)


def test_the_borrower_is_still_answered_as_the_borrower():
    record = assess_json("-d", "100", "-a", "八万", "-p", "招商银行信用卡", "-n", "没谈过",
                         "--concerns", "lawsuit,jail,credit")
    got = answers(record)
    assert (got["lawsuit"]["id"], got["jail"]["id"]) == ("lawsuit.risk-card", "jail.card-large")
    assert got["credit"]["id"] != "credit.family-asker"
    assert "card_setoff" in shown_ids(record)


@pytest.mark.parametrize("asker", ["spouse", "parent", "child"])
def test_a_relative_is_told_the_record_is_the_borrowers(asker):
    credit = answers(assess_json("-d", "60", "-a", "20000", "-p", "借呗", "-n", "none", "--asker", asker,
                                 "--concerns", "credit"))["credit"]
    assert credit["id"] == "credit.family-asker" and "担保人" in credit["verdict"]


def test_a_spouse_is_not_told_an_unsigned_loan_is_never_theirs():
    record = assess_json("-d", "60", "-a", "20000", "-p", "借呗", "-n", "none", "--asker", "spouse")
    steps = {s["id"]: s["text"] for s in record["steps"]}
    assert "spouse_sign_nothing" in steps and "family_sign_nothing" not in steps
    assert "不用你还" not in steps["spouse_sign_nothing"] and "共同债务" in steps["spouse_sign_nothing"]
    parent = {s["id"] for s in assess_json("-d", "60", "-a", "20000", "-p", "借呗", "-n", "none",
                                           "--asker", "parent")["steps"]}
    assert "family_sign_nothing" in parent


def test_an_unlicensed_lender_is_not_spoken_of_as_a_licensed_one():
    record = assess_json("-d", "200", "-a", "5000", "-p", "高利贷", "-n", "none")
    assert not {"late_fees", "outsourced_collection", "contact_lender"} & shown_ids(record)
    assert {"late_fees", "outsourced_collection"} <= shown_ids(assess_json("-d", "200", "-a", "5000", "-p", "借呗",
                                                                          "-n", "none"))


@pytest.mark.parametrize("status", ["judgment", "enforcement", "dishonest_listed"])
def test_after_a_judgment_cannot_pay_points_to_the_judgment_not_a_plan_put_to_the_lender(status):
    for platform in ("信用卡", "借呗"):
        got = answers(assess_json("-d", "400", "-a", "30000", "-p", platform, "-n", "none", "--legal-status", status,
                                  "--concerns", "cannot_pay"))["cannot_pay"]
        assert got["id"] == ("cannot_pay.judgment" if status == "judgment" else "cannot_pay.enforcement")
        assert "个性化分期" not in got["verdict"] and "以判决为准" in got["verdict"]


def test_a_large_card_debt_after_a_judgment_still_hears_of_malicious_overdraft():
    jail = answers(assess_json("-d", "400", "-a", "8万", "-p", "信用卡", "-n", "none", "--legal-status", "judgment",
                               "--concerns", "jail"))["jail"]
    assert jail["id"] == "jail.card-large-judged" and "恶意透支" in jail["verdict"] and "拒不执行" in jail["verdict"]
    small = answers(assess_json("-d", "400", "-a", "8000", "-p", "信用卡", "-n", "none", "--legal-status", "judgment",
                                "--concerns", "jail"))["jail"]
    assert small["id"] == "jail.after-judgment"


def test_a_small_card_debt_within_its_grace_is_not_offered_a_five_year_plan():
    for days, amount in (("0", "800"), ("40", "800"), ("1", "20000")):
        got = answers(assess_json("-d", days, "-a", amount, "-p", "信用卡", "-n", "none",
                                  "--concerns", "cannot_pay"))["cannot_pay"]
        assert "个性化分期" not in got["verdict"], (days, amount)
    large = answers(assess_json("-d", "60", "-a", "20000", "-p", "信用卡", "-n", "none",
                                "--concerns", "cannot_pay"))["cannot_pay"]
    assert large["id"] == "cannot_pay.card"


def test_a_loan_is_not_said_to_be_untouchable_without_a_court_when_the_contract_allows_debits():
    got = answers(assess_json("-d", "120", "-a", "20000", "-p", "借呗", "-n", "none", "--concerns", "lawsuit"))
    assert got["lawsuit"]["id"] == "lawsuit.risk" and "自动扣款" in got["lawsuit"]["verdict"]


def test_microloan_complaints_go_to_the_local_authority_not_12378():
    record = assess_json("-d", "100", "-a", "5000", "-p", "microloan", "-n", "none",
                         "--collection", "contacts_third_parties", "--full")
    text = next(s["text"] for s in record["steps"] if s["id"] == "complain_regulator")
    assert "12378" in text and "小额贷款公司向当地金融管理部门" in text
    assert "小额贷款公司都受理" not in text


def test_a_microloan_above_24_percent_is_not_told_courts_never_back_the_excess():
    cost = answers(assess_json("-d", "60", "-a", "20000", "-p", "microloan", "-n", "none", "--apr", "36",
                               "--concerns", "cost"))["cost"]
    assert cost["id"] == "cost.over-the-line-microloan" and "做法不一" in cost["verdict"] and "合同" not in cost["verdict"]
    assert "private_lending_scope_reply" in cost["references"]
    bank = answers(assess_json("-d", "60", "-a", "20000", "-p", "bank_loan", "-n", "none", "--apr", "36",
                               "--concerns", "cost"))["cost"]
    assert bank["id"] == "cost.over-the-line-licensed"  # a licensed lender: 24% is a judicial policy too
    friend = answers(assess_json("-d", "60", "-a", "20000", "-p", "personal", "-n", "none", "--apr", "36",
                                 "--concerns", "cost"))["cost"]
    assert friend["id"] == "cost.over-the-line", "a loan between people: the 4×LPR line is the law's"


def test_a_guarantor_is_not_given_the_borrowers_steps():
    steps = [s["id"] for s in assess_json("-d", "60", "-a", "20000", "-p", "bank_loan", "-n", "none",
                                          "--asker", "guarantor")["steps"]]
    assert steps[0] == "guarantor_read_contract"
    assert not {"repay_now", "repay_overdue", "contact_lender", "propose_plan", "explain_hardship"} & set(steps)


@pytest.mark.parametrize("said", ["我是紧急联系人", "我哥欠的", "帮朋友问", "relative"])
def test_a_sibling_friend_or_emergency_contact_is_told_it_is_not_their_debt(said):
    record = assess_json("-d", "60", "-a", "8000", "-p", "借呗", "-n", "none", "--asker", said)
    assert record["case"]["asker"] == "relative" and "亲友" in record["headline"]
    got = answers(record)
    assert got["contacts"]["id"] == "contacts.asker-relative" and got["contacts"]["verdict"].startswith("不用")
    assert got["credit"]["id"] == "credit.family-asker", "their own credit, not a lawsuit against someone else"
    assert {"relative_not_liable", "family_sign_nothing"} <= shown_ids(record)
    assert "family_not_liable" not in shown_ids(record), "not the parents-and-children text"


def test_a_relatives_letter_carries_the_note_to_read_first():
    done = CliRunner().invoke(cli.app, ["letter", "-d", "60", "-a", "8000", "-p", "借呗", "-n", "none",
                                        "--asker", "紧急联系人"])
    assert done.exit_code == 0, done.output
    assert "你不是借款人，不要以自己的名义" in done.stdout and "第五百五十二条" in done.stdout


@pytest.mark.parametrize("asker", ["spouse", "parent", "relative"])
def test_a_relative_is_not_told_the_record_is_on_their_own_report(asker):
    record = assess_json("-d", "100", "-a", "20000", "-p", "借呗", "-n", "none", "--asker", asker,
                         "--concerns", "jail,credit")
    assert not {"credit_record", "credit_access_limited"} & shown_ids(record)
    jail = answers(record)["jail"]
    assert jail["id"] == "jail.family-asker" and jail["verdict"].startswith("你不会因为别人欠钱坐牢")


def test_a_guarantor_is_answered_about_the_guarantee():
    got = answers(assess_json("-d", "100", "-a", "20000", "-p", "bank_loan", "-n", "none", "--asker", "guarantor",
                              "--concerns", "lawsuit,cannot_pay"))
    assert got["lawsuit"]["id"] == "lawsuit.guarantor" and "一般保证" in got["lawsuit"]["verdict"]
    assert "civil_code_687" in got["lawsuit"]["references"]
    assert got["cannot_pay"]["id"] == "cannot_pay.guarantor" and "担保合同" in got["cannot_pay"]["verdict"]


def test_an_heirs_jail_answer_names_the_real_risk_using_the_dead_persons_card():
    jail = answers(assess_json("-d", "100", "-a", "20000", "-p", "信用卡", "-n", "none", "--asker", "heir",
                               "--concerns", "jail"))["jail"]
    assert any("继续使用借款人的信用卡" in c for c in jail["conditions"])


def test_a_judgment_not_yet_enforced_is_not_offered_an_enforcement_settlement():
    judged = answers(assess_json("-d", "400", "-a", "30000", "-p", "借呗", "-n", "none", "--legal-status", "judgment",
                                 "--concerns", "cannot_pay"))["cannot_pay"]
    assert judged["id"] == "cannot_pay.judgment" and "执行和解" not in judged["verdict"]
    enforced = answers(assess_json("-d", "400", "-a", "30000", "-p", "借呗", "-n", "none", "--legal-status",
                                   "enforcement", "--concerns", "cannot_pay"))["cannot_pay"]
    assert enforced["id"] == "cannot_pay.enforcement" and "执行和解" in enforced["verdict"]


def test_an_old_debt_is_answered_ask_first_everywhere_and_gets_no_plan():
    record = assess_json("-d", "1500", "-a", "8000", "-p", "网商贷", "-n", "none", "--income", "6000", "--expenses",
                         "3000", "--concerns", "lawsuit,cannot_pay")
    got = answers(record)
    assert "12348" in record["headline"] and "协商" not in record["headline"]
    assert got["cannot_pay"]["id"] == "cannot_pay.old-debt" and got["lawsuit"]["id"] == "lawsuit.old-debt"
    assert record["plan"] is None
    assert not {"explain_hardship", "request_fee_reduction"} & shown_ids(record)
    judged = assess_json("-d", "1500", "-a", "8000", "-p", "网商贷", "-n", "none", "--legal-status", "judgment",
                         "--income", "6000", "--expenses", "3000")
    assert judged["plan"] is not None, "after a judgment the limitation no longer decides anything"


def test_a_letter_to_an_unlicensed_lender_sends_no_id_or_income_papers():
    done = CliRunner().invoke(cli.app, ["letter", "-d", "3", "-a", "2000", "-p", "714高炮", "-n", "没有",
                                        "--received", "1400"])
    assert done.exit_code == 0, done.output
    assert "实际到手" in done.stdout and "不要给对方寄身份证" in done.stdout
    assert "身份证复印件" not in done.stdout and "银行流水" not in done.stdout.split("附件")[-1]
    licensed = CliRunner().invoke(cli.app, ["letter", "-d", "30", "-a", "2000", "-p", "借呗", "-n", "没有"])
    assert "身份证复印件" in licensed.stdout and "不要给对方寄身份证" not in licensed.stdout


@pytest.mark.parametrize("asker, answer_id, says", [
    ("parent", "lawsuit.family-asker", "不会因此被执行"),
    ("relative", "lawsuit.family-asker", "不会因此被执行"),
    ("spouse", "lawsuit.spouse", "夫妻共同债务"),
])
def test_a_relatives_lawsuit_answer_is_about_their_own_position(asker, answer_id, says):
    got = answers(assess_json("-d", "120", "-a", "30000", "-p", "借呗", "-n", "none", "--asker", asker,
                              "--concerns", "lawsuit"))["lawsuit"]
    assert got["id"] == answer_id and says in got["verdict"]


@pytest.mark.parametrize(("asker", "not_theirs"), [("heir", True), ("spouse", True), ("parent", True),
                                                    ("relative", True), ("guarantor", False), ("borrower", False)])
def test_the_credit_box_says_whose_record_it_is(asker, not_theirs):
    record = assess_json("-d", "100", "-a", "5万", "-p", "credit_card", "-n", "none", "--asker", asker)
    assert record["credit_impact"]["summary"].startswith("这笔欠款即使有逾期记录，也只记在借款人本人的征信报告上") is not_theirs
    friend = assess_json("-d", "100", "-a", "5万", "-p", "personal", "-n", "none", "--asker", asker)
    assert "也只记在借款人本人的征信报告上" not in friend["credit_impact"]["summary"], "no record is made at all"


def test_an_heir_is_not_told_what_befalls_a_living_debtor():
    consequences = {c["id"] for c in assess_json("-d", "100", "-a", "5万", "-p", "credit_card", "-n", "none",
                                                 "--asker", "heir")["consequences"]}
    assert "heir_estate_limit" in consequences
    assert not {"criminal_risk", "dishonest_list", "consumption_restriction", "children_unaffected"} & consequences
