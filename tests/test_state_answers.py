"""Answers that follow what the person said: repaid, judged, listed, turned down, a letter in hand, a
loan from a friend. Each case is one a reviewer ran through `advisor assess` and found answered as if
the answer had not been given; each runs here through the CLI as a user runs it."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import assess_json


def answer(record: dict[str, Any], concern: str) -> dict[str, Any]:
    return next(a for a in record["answers"] if a["concern"] == concern)


def test_a_repaid_debt_is_not_told_what_it_owes_or_that_repaying_starts_the_clock():
    record = assess_json("-d", "200", "-a", "5000", "-p", "借呗", "-n", "none", "--repaid-on", "2026-06-01",
                         "--concerns", "credit,cost")
    assert answer(record, "credit")["id"] == "credit.repaid" and "越早还清" not in answer(record, "credit")["verdict"]
    assert answer(record, "cost")["id"] == "cost.repaid" and "要还本金" not in answer(record, "cost")["verdict"]


def test_a_repaid_loan_from_a_friend_is_not_in_the_one_time_credit_repair():
    record = assess_json("-d", "100", "-a", "5000", "-p", "朋友", "-n", "none", "--repaid-on", "2026-02-01")
    ids = {s["id"] for s in record["steps"]}
    assert "claim_one_time_repair" not in ids and "一次性信用修复" not in record["credit_impact"]["summary"]


@pytest.mark.parametrize("platform", ["高利贷", "朋友"])
def test_a_judged_loan_outside_the_credit_system_is_not_answered_as_never_judged(platform):
    record = assess_json("-d", "400", "-a", "50000", "-p", platform, "-n", "none", "--legal-status", "enforcement",
                         "--concerns", "credit")
    credit = answer(record, "credit")
    # The verdict said "法院的执行信息可能进入征信" on 征信业管理条例 第二十九条 (lenders reporting); it now says what
    # 民事诉讼法 第二百六十六条 lets a court do: record the non-performance in the credit system.
    assert credit["id"] == "credit.personal-judged" and "不履行的信息记入征信系统" in credit["verdict"]
    assert not any("没有被起诉" in c for c in credit["conditions"])


def test_someone_already_listed_is_not_warned_they_may_be_listed():
    record = assess_json("-d", "300", "-a", "20000", "-p", "朋友", "-n", "none", "--legal-status", "dishonest_listed",
                         "--concerns", "credit")
    credit = answer(record, "credit")
    assert credit["id"] == "credit.listed-not-reported" and "可能被列入" not in credit["verdict"] + credit["text"]


def test_a_lawyers_letter_is_answered_as_a_letter_and_not_only_a_judgment_is_enforceable():
    letter = answer(assess_json("-d", "80", "-a", "200000", "-p", "网商贷", "-n", "none", "--legal-status", "律师函",
                                "--concerns", "lawsuit"), "lawsuit")
    assert letter["id"] == "lawsuit.demand-letter" and "可能较小" not in letter["verdict"]
    early = answer(assess_json("-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--concerns", "lawsuit"), "lawsuit")
    assert "判决后才能" not in early["verdict"] and "经过法院" in early["verdict"]


def test_after_a_judgment_the_amount_owed_is_the_judgments():
    record = assess_json("-d", "300", "-a", "10000", "-p", "360借条", "-n", "none", "--legal-status", "judgment",
                         "--received", "7000", "--repaid-so-far", "3000", "--concerns", "cost")
    assert answer(record, "cost")["id"] == "cost.judgment"  # a judgment perhaps still open to appeal (was after-judgment)
    box = record["repayment_check"]["text"]
    assert "判决书" in box and "你现在还欠的" not in box
    assert record["repayment_check"]["outstanding"] == "4000.00"  # the arithmetic stays, for scripts
    before = assess_json("-d", "300", "-a", "10000", "-p", "360借条", "-n", "none", "--received", "7000",
                         "--repaid-so-far", "3000")
    assert "你现在还欠的" in before["repayment_check"]["text"]


def test_a_rate_within_the_line_is_answered_not_asked_for_again():
    for lang, ask in (("zh", "告诉我年化利率"), ("en", "Give the annual rate")):
        cost = answer(assess_json("-d", "40", "-a", "5000", "-p", "花呗", "-n", "none", "--apr", "18%",
                                  "--concerns", "cost", "--lang", lang), "cost")
        assert cost["id"] == "cost.within-the-line" and ask not in cost["text"]


def test_a_deadline_that_paying_does_not_meet_comes_before_repaying():
    steps = [s["id"] for s in assess_json("-d", "100", "-a", "20000", "-p", "借呗", "-n", "none",
                                          "--legal-status", "支付令")["steps"]]
    assert steps.index("object_payment_order") < 3 and steps.index("object_payment_order") < steps.index("repay_overdue")
    assert steps.index("verify_legal_documents") < 3, "papers in hand are checked first: fakes ask to be paid"


@pytest.mark.parametrize("platform", ["招联", "中信信用卡"])
def test_an_old_debt_is_told_to_ask_before_anything_that_gives_its_defence_up(platform):
    """Repaying, promising or offering a plan after the limitation period has run gives up the defence
    (总则 第一百九十二条): the first step is to ask, and none of those steps is offered beside it."""
    steps = [s["id"] for s in assess_json("-d", "1500", "-a", "23000", "-p", platform, "-n", "none")["steps"]]
    assert steps[0] == "ask_before_acknowledging"
    assert not {"repay_now", "repay_overdue", "contact_lender", "propose_plan", "ask_card_installment",
                "send_negotiation_letter", "written_agreement"} & set(steps)


def test_headlines_follow_a_broken_agreement_and_a_refusal():
    breached = assess_json("-d", "0", "-a", "3000", "-p", "花呗", "-n", "breached")["headline"]
    assert "还没有逾期" not in breached and "协议" in breached
    failed = assess_json("-d", "60", "-a", "30000", "-p", "招商银行信用卡", "-n", "failed")["headline"]
    assert "还来得及" not in failed and "没同意" in failed


def test_the_short_report_keeps_the_point_of_each_consequence():
    from typer.testing import CliRunner

    from advisor import cli

    out = CliRunner().invoke(cli.app, ["assess", "-d", "10", "-a", "12000", "-p", "网商贷", "-n", "none", "--asker",
                                       "spouse", "--no-input", "--as-of", "2026-11-29"],
                             env={"NO_COLOR": "1", "COLUMNS": "200"}).output
    bullet = out[out.index("• 配偶一方借的钱"):]
    bullet = "".join(x.strip() for x in bullet[: bullet.index("。") + 1].splitlines())
    # all three cases of Civil Code 1064, not the first alone
    assert "共同签字" in bullet and "日常生活" in bullet and "出借方证明" in bullet and "共同债务" in bullet


def test_an_heir_and_a_guarantor_see_their_own_step_first_and_no_borrowers_promise():
    heir = [s["id"] for s in assess_json("-d", "60", "-a", "8000", "-p", "花呗", "-n", "none", "--asker", "heir",
                                         as_of="2026-02-01")["steps"]]
    assert heir[0] == "heir_decide_first" and "check_one_time_repair" not in heir
    guarantor = [s["id"] for s in assess_json("-d", "400", "-a", "50000", "-p", "朋友", "-n", "none", "--asker",
                                              "guarantor")["steps"]]
    assert guarantor[0] == "guarantor_read_contract"


def test_a_friends_loan_is_not_told_to_write_to_an_institution():
    record = assess_json("-d", "100", "-a", "5000", "-p", "朋友", "-n", "none", "--hardship", "unemployment",
                         "--income", "0", "--expenses", "2000")
    assert not any("机构" in s["text"] or "advisor letter" in s["text"] for s in record["steps"])


def test_a_cards_bank_set_off_is_the_exception_the_lawsuit_answer_names():
    record = assess_json("-d", "120", "-a", "20000", "-p", "招商银行信用卡", "-n", "none", "--concerns", "lawsuit")
    lawsuit = answer(record, "lawsuit")
    assert lawsuit["id"] == "lawsuit.risk-card" and "不能自己扣" not in lawsuit["verdict"]
    assert "card_setoff" in {c["id"] for c in record["consequences"]} and "领用合约" in lawsuit["verdict"]


@pytest.mark.parametrize("platform, negotiation, expected, unwanted", [
    ("招商银行信用卡", "agreed", "cannot_pay.agreed", "个性化分期"),
    ("招联", "failed", "cannot_pay.failed", "提出延期或分期方案"),
])
def test_what_if_i_cannot_pay_follows_the_talks_so_far(platform, negotiation, expected, unwanted):
    record = assess_json("-d", "60", "-a", "30000", "-p", platform, "-n", negotiation, "--concerns", "cannot_pay")
    cannot = answer(record, "cannot_pay")
    assert cannot["id"] == expected and unwanted not in cannot["verdict"]


def test_an_heir_asking_what_if_i_cannot_pay_is_told_the_estate_pays():
    cannot = answer(assess_json("-d", "60", "-a", "8000", "-p", "花呗", "-n", "none", "--asker", "heir", "--concerns",
                                "cannot_pay"), "cannot_pay")
    assert cannot["id"] == "cannot_pay.heir" and "遗产" in cannot["verdict"]


def test_a_repaid_debt_is_not_told_a_record_surely_exists_nor_a_card_that_only_a_court_may_take():
    credit = answer(assess_json("-d", "2", "-a", "3000", "-p", "信用卡", "-n", "none", "--repaid-on", "2026-11-20",
                                "--concerns", "credit"), "credit")
    assert "如果被报送过" in credit["verdict"]
    letter = answer(assess_json("-d", "200", "-a", "30000", "-p", "信用卡", "-n", "none", "--legal-status",
                                "demand_letter", "--concerns", "lawsuit"), "lawsuit")
    assert "冻结、扣划" not in letter["text"] + "".join(letter["conditions"])


def test_a_record_the_one_time_repair_no_longer_shows_is_not_called_serious():
    """Repaid in 2025 after 400 days: the repair applies, so the credit box says minor, next to the answer
    that the record should no longer show; the same debt repaid after the deadline stays serious."""
    repaired = assess_json("-d", "400", "-a", "5000", "-p", "bank_loan", "-n", "none", "--repaid-on", "2025-06-01",
                           "--concerns", "credit")
    assert repaired["credit_impact"]["level"] == "minor"
    assert "不再展示" in answer(repaired, "credit")["verdict"]
    late = assess_json("-d", "400", "-a", "5000", "-p", "bank_loan", "-n", "none", "--repaid-on", "2026-06-01")
    assert late["credit_impact"]["level"] in ("serious", "severe")


@pytest.mark.parametrize(("args", "concern", "answer_id", "says", "never"), [
    # an agreement being kept, 120 days from the first missed payment: not "the longer, the likelier a lawsuit"
    (["-d", "120", "-a", "3万", "-p", "微粒贷", "-n", "agreed"], "lawsuit", "lawsuit.agreed", "按约还", "逾期越久"),
    # an heir: up to the estate, not "principal and the contract's interest"
    (["-d", "60", "-a", "5万", "-p", "借呗", "-n", "none", "--asker", "heir"], "cost", "cost.heir", "遗产实际价值",
     "合同约定的利息"),
    # money left each month, only not enough to clear it within the term: not "nothing to spare"
    (["-d", "0", "-a", "8万", "-p", "信用卡", "-n", "in_progress", "--income", "6000", "--expenses", "5000"],
     "cannot_pay", "cannot_pay.nothing-left", "拿不出足够的钱", "没有余钱"),
    # already visited: not "it can happen"
    (["-d", "60", "-a", "8000", "-p", "安逸花", "-n", "none", "--collection", "home_visit"], "visit", "visit.already",
     "已经有人上门了", "有可能"),
    # a debt over 3 years old: the instalment rule is said too (民法典 第一百八十九条)
    (["-d", "1300", "-a", "6000", "-p", "借呗", "-n", "none"], "time_limit", "time_limit.old-debt", "最后一期到期日",
     "\0"),
])
def test_the_answer_fits_what_the_person_said(args, concern, answer_id, says, never):
    got = answer(assess_json(*args, "--concerns", concern), concern)
    said = got["verdict"] + got["text"]
    assert got["id"] == answer_id and says in said and never not in said, got


def test_with_two_worries_the_card_crime_answer_keeps_its_key_condition():
    # The short report shows two conditions under each of several answers; the intent to keep the money, the
    # one that decides, was the third and was cut, so 60,000 at 95 days read as criminal exposure.
    from typer.testing import CliRunner

    from advisor import cli

    result = CliRunner().invoke(cli.app, ["assess", "-d", "95", "-a", "6万", "-p", "建设银行信用卡", "-n", "failed",
                                          "--concerns", "jail,lawsuit", "--no-input"], env={"COLUMNS": "200"})
    jail = result.stdout.split("会不会坐牢")[1].split("起诉、冻结")[0]
    assert "非法占有的目的" in jail, jail


@pytest.mark.parametrize("asker", ["spouse", "parent", "relative"])
def test_someone_asking_for_a_borrower_is_told_first_which_steps_are_theirs(asker):
    # Before, a spouse was told first "尽快还上… 主动联系出借方，说明还款意愿", then "先别答应… 事后认可就成了共同债务".
    record = assess_json("-d", "75", "-a", "3万", "-p", "京东金条", "-n", "none", "--asker", asker)
    assert [s["id"] for s in record["steps"][:2]] == [
        "not_the_borrower", "spouse_sign_nothing" if asker == "spouse" else "family_sign_nothing"]


def test_someone_who_cannot_pay_an_unlicensed_lender_is_not_told_to_send_it_proof():
    record = assess_json("-d", "30", "-a", "5000", "-p", "高利贷", "-n", "none", "--hardship", "失业", "--income", "2000",
                         "--expenses", "2000", "--concerns", "cannot_pay")
    got = answer(record, "cannot_pay")
    assert got["id"] == "cannot_pay.unlicensed" and "不要给对方寄" in got["text"]
    ids = {s["id"] for s in record["steps"]}
    assert not ids & {"explain_hardship", "gather_proof_unemployment", "ask_lender_propose", "send_negotiation_letter"}
    assert "write_letter_received" in ids
    # nor, when it gave what it received, told by the plan box to explain itself to the lender
    plan = assess_json("-d", "30", "-a", "5000", "-p", "高利贷", "-n", "none", "--income", "2000", "--expenses", "2000",
                       "--received", "4000")["plan"]
    assert plan["basis"] == "received" and "4000.00" in plan["text"] and "向机构" not in plan["text"]
