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
