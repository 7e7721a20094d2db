"""A fourth content review, mended: a guarantor's credit answer is the guarantor's, not the borrower's; the
court's information reaches the credit system by the law that says so (民事诉讼法 第二百六十六条, 征信业管理条例
第四十四条第（三）项), not by the article on lenders reporting (第二十九条), and listing needs more than not
paying; a licensed lender's credit answer follows the stage; a friend who lent money is not said to debit
an account; a letter written while sued says first that it does not replace answering the court. Each case
runs through the CLI as a user runs it, on the review's date."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import assess_json
from typer.testing import CliRunner

from advisor import cli

REVIEWED = "2026-11-22"


def answer(*args: str, concern: str) -> dict[str, Any]:
    record = assess_json(*args, "--concerns", concern, as_of=REVIEWED)
    return {a["concern"]: a for a in record["answers"]}[concern]


def said(found: dict[str, Any]) -> str:
    return "".join([found["verdict"], found["text"], *found["conditions"]])


# ---------------------------------------------------------------- 1. a guarantor's credit answer

GUARANTOR = ["-d", "150", "-a", "50000", "-p", "bank_loan", "-n", "none", "--asker", "guarantor"]


def test_a_guarantor_is_told_the_overdue_is_the_borrowers_and_what_would_become_their_own():
    credit = answer(*GUARANTOR, concern="credit")
    assert credit["id"] == "credit.guarantor"
    text = said(credit)
    assert "记在借款人" in credit["verdict"]
    assert "你借款时" not in text and "欠款还清前" not in text, "not the borrower's answer"
    assert "不履行" in credit["verdict"] and "你自己的不良信息" in credit["verdict"]
    # The guarantee showing on the guarantor's own report is not in the statute: hedged, and sent to the report.
    assert "可能" in credit["text"] and "以你的报告为准" in credit["text"] and "免费查两次" in credit["text"]
    assert {"credit_reg_44_3", "civil_procedure_266", "credit_reg_17"} <= set(credit["references"])
    assert "credit_reg_29" not in credit["references"]


def test_a_guarantors_credit_box_opens_with_whose_record_it_is_and_speaks_of_the_borrower():
    summary = assess_json(*GUARANTOR, as_of=REVIEWED)["credit_impact"]["summary"]
    assert summary.startswith("你是担保人：这笔逾期记在借款人本人的征信报告上")
    assert "你借款时" not in summary and "借款人书面同意报送" in summary


def test_a_borrowers_credit_answer_is_unchanged_by_the_guarantors():
    credit = answer(*GUARANTOR[:-2], concern="credit")
    assert credit["id"] != "credit.guarantor" and "担保" not in credit["verdict"]


def test_a_guarantor_of_a_friends_loan_gets_the_answer_for_a_loan_nobody_reports():
    credit = answer("-d", "150", "-a", "50000", "-p", "个人借款", "-n", "none", "--asker", "guarantor",
                    concern="credit")
    assert credit["id"] == "credit.personal"


# ---------------------------------------------------------------- 2. the court's information, by its own law

@pytest.mark.parametrize(("status", "expected"), [("dishonest_listed", "credit.listed-not-reported"),
                                                  ("judgment", "credit.personal-judged"),
                                                  ("enforcement", "credit.personal-judged"),
                                                  (None, "credit.personal")])
def test_the_courts_information_is_cited_to_the_law_that_puts_it_in_the_credit_system(status, expected):
    court = ["--legal-status", status] if status else []
    credit = answer("-d", "500", "-a", "30000", "-p", "个人借款", "-n", "failed", *court, concern="credit")
    assert credit["id"] == expected
    assert "civil_procedure_266" in credit["references"]
    assert "法院可以把你不履行的信息记入征信系统" in said(credit)
    if expected != "credit.personal":
        # 第二十九条 is about lenders reporting; only credit.personal says a person cannot report.
        assert "credit_reg_29" not in credit["references"] and "credit_reg_44_3" in credit["references"]
    if "失信名单" in said(credit) and status != "dishonest_listed":
        # Not paying a judgment alone does not list anyone: one of the situations of 失信规定 第一条 must hold.
        assert "有能力履行而拒不履行等情形的，还可能被列入失信名单" in said(credit)
        assert "dishonest_list_1" in credit["references"]


# ---------------------------------------------------------------- 3. a licensed lender's credit answer by stage

@pytest.mark.parametrize(("days", "status", "expected"), [("700", "dishonest_listed", "credit.reported-judged"),
                                                          ("300", "judgment", "credit.reported-judged"),
                                                          ("400", "sued", "credit.reported-long"),
                                                          ("120", None, "credit.reported-long"),
                                                          ("60", None, "credit.reported")])
def test_a_licensed_lenders_credit_answer_follows_the_stage(days, status, expected):
    court = ["--legal-status", status] if status else []
    credit = answer("-d", days, "-a", "30000", "-p", "网商贷", "-n", "none", *court, concern="credit")
    assert credit["id"] == expected
    if expected == "credit.reported":
        assert credit["verdict"].startswith("可能已经或将要上征信")
    else:
        assert credit["verdict"].startswith("这笔逾期很可能已经报送征信") and "将要" not in credit["verdict"]
    judged = expected == "credit.reported-judged"
    assert ("法院还可以把你不履行的信息记入征信系统" in credit["verdict"]) is judged
    assert ({"civil_procedure_266", "credit_reg_44_3"} <= set(credit["references"])) is judged


def test_a_microloan_keeps_the_general_answer_as_its_reporting_varies():
    credit = answer("-d", "200", "-a", "30000", "-p", "microloan", "-n", "none", concern="credit")
    assert credit["id"] == "credit.reported"


# ---------------------------------------------------------------- 6. a friend cannot debit your account

@pytest.mark.parametrize(("days", "negotiation", "expected"), [("200", "none", "lawsuit.personal"),
                                                               ("200", "agreed", "lawsuit.personal-agreed")])
def test_a_friends_loan_is_not_said_to_debit_an_account(days, negotiation, expected):
    lawsuit = answer("-d", days, "-a", "30000", "-p", "个人借款", "-n", negotiation, concern="lawsuit")
    assert lawsuit["id"] == expected
    assert "扣款" not in said(lawsuit) and "合同" not in said(lawsuit)
    assert "个人" in said(lawsuit) and "法院" in said(lawsuit)


def test_a_licensed_lenders_lawsuit_answer_keeps_its_auto_debit_exception():
    for negotiation in ("none", "agreed"):
        lawsuit = answer("-d", "200", "-a", "30000", "-p", "网商贷", "-n", negotiation, concern="lawsuit")
        assert "自动扣款" in said(lawsuit)


# ---------------------------------------------------------------- 4. a letter written while sued

def letter(*args: str) -> str:
    result = CliRunner().invoke(cli.app, ["letter", *args, "--as-of", REVIEWED, "--no-input"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


SUED = ["-d", "400", "-a", "15000", "-p", "网商贷", "-n", "none", "--legal-status", "sued"]


@pytest.mark.parametrize(("lang", "words"), [("zh", ("寄出前请先读", "不能代替应诉", "期限", "12348", "律师")),
                                             ("en", ("Read before sending", "does not replace answering the court",
                                                     "deadlines", "12348", "lawyer"))])
def test_a_letter_while_sued_says_first_that_it_does_not_replace_answering_the_court(lang, words):
    first = letter(*SUED, "--lang", lang).split("\n\n", 1)[0]
    assert all(word in first for word in words), first


@pytest.mark.parametrize("platform", ["个人借款", "网商贷"])
def test_the_phone_script_while_sued_says_so_too_and_nothing_is_said_before_a_lawsuit(platform):
    sued = ["-d", "400", "-a", "15000", "-p", platform, "-n", "none", "--legal-status", "sued"]
    assert letter(*sued, "--script").startswith("（打电话前先读：你已经被起诉")
    assert "代替应诉" in letter(*sued).split("\n\n", 1)[0]
    for status in ([], ["--legal-status", "judgment"]):
        assert "代替应诉" not in letter(*sued[:-2], *status)
