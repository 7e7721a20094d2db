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

REVIEWED = "2026-11-22"


def answer(*args: str, concern: str) -> dict[str, Any]:
    record = assess_json(*args, "--concerns", concern, as_of=REVIEWED)
    return {a["concern"]: a for a in record["answers"]}[concern]


def said(found: dict[str, Any]) -> str:
    return "".join([found["verdict"], found["text"], *found["conditions"]])


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
