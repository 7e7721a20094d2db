"""A household is answered for its worst debt too: the debt at legal risk comes first in the order, its
headline opens the report, and every worry is answered for every debt, the first debt's answer first.
Before, a 12-day 花呗 debt opened the report ("你处在逾期早期") and answered "a lawsuit is unlikely" for
all, while the 180-day card beside it was at legal risk."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from advisor import cli

DEBTS = ["--debt", "花呗,3800,12天,未协商", "--debt", "招商银行信用卡,两万块,半年,没谈成", "--debt", "借呗,1.5w,3个月,协商中",
         "--income", "6000", "--expenses", "4500", "--no-input", "--as-of", "2026-11-30"]


def run(*args: str):
    result = CliRunner().invoke(cli.app, ["assess", *DEBTS, *args], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_debt_at_legal_risk_is_dealt_with_first_and_opens_the_report():
    record = json.loads(run("--format", "json"))
    assert [(o["debt"], o["priority"]) for o in record["order"]] == [(2, "legal_risk"), (1, "credit_reported"),
                                                                     (3, "credit_reported")]
    assert "有被起诉的风险" in record["headline"] and "第 2 笔" in record["headline"]
    assert "排在不报征信的欠款前面" not in json.dumps(record, ensure_ascii=False), "a reason with nothing to compare"


def test_every_worry_is_answered_for_every_debt_the_first_debts_answer_first():
    record = json.loads(run("--format", "json"))
    for concern in record["concerns"]:
        answered = [n for a in record["answers"] if a["concern"] == concern for n in a["debts"]]
        assert sorted(answered) == [1, 2, 3], concern
    lawsuit = [a for a in record["answers"] if a["concern"] == "lawsuit"]
    assert lawsuit[0]["debts"] == [2] and "有被起诉的可能" in lawsuit[0]["verdict"]
    full = run("--full")
    assert full.index("第2笔：有被起诉的可能") < full.index("目前被起诉的可能较小")
    # The short report answered each worry once, for the debt to deal with first, and left the other
    # debts' different answers to --full; now it shows every different answer's verdict (only the text
    # under each is left to --full), the debts that share one named together.
    short = run()
    assert "第2笔：有被起诉的可能" in short and "第1笔、第3笔：目前被起诉的可能较小" in short.replace("\n", "")
    assert full.index("第2笔：有被起诉的可能") < full.index("目前被起诉的可能较小") and "--full" in short


def test_the_plan_says_each_lender_must_agree():
    assert "按月分期要每家出借方同意" in run().replace("\n", "")


def test_a_debt_whose_limitation_may_have_run_is_not_put_first_to_talk_about():
    # Talking about repayment would give the limitation defence up (民法典 192): not "contact it first".
    result = CliRunner().invoke(cli.app, ["assess", "--debt", "网商贷,8000,1500天,未协商", "--debt", "花呗,3000,100天,未协商",
                                          "--format", "json", "--no-input", "--as-of", "2026-11-30"])
    order = json.loads(result.stdout)["order"]
    assert [(o["debt"], o["priority"]) for o in order][0] == (2, "legal_risk")
    assert order[1]["priority"] != "legal_risk"
