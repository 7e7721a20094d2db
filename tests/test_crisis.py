"""An answer that says the person may harm themselves is never read as a choice: wherever it is typed
(a prompt, a flag, a batch cell), it is answered with where to get help now, and nothing else is lost."""

from __future__ import annotations

import json

import pytest
from conftest import answer_prompts
from typer.testing import CliRunner

from advisor import cli

HELP = "12356"


@pytest.mark.parametrize("flag, said", [("--concerns", "不想活了"), ("--concerns", "活不下去了，怕坐牢"),
                                        ("--hardship", "想死"), ("--collection", "逼得我想自杀"),
                                        # before, these got the worries' menu
                                        ("--concerns", "想去死"), ("--concerns", "想喝农药"), ("--concerns", "活着没意思"),
                                        ("--concerns", "有轻生的念头"), ("--concerns", "没有活路了"),
                                        ("--concerns", "走投无路"),
                                        # before, these got a normal report or "not understood"
                                        ("--concerns", "还不上就去死"), ("--concerns", "还不起只能去死"),
                                        ("--concerns", "还不起就死给他们看"), ("--hardship", "我要跳楼"),
                                        ("--hardship", "买了安眠药"), ("--hardship", "想喝药"), ("--hardship", "烧炭"),
                                        ("--hardship", "上吊"), ("--hardship", "生不如死"),
                                        ("--concerns", "want to die"), ("--hardship", "I don't want to live"),
                                        ("--concerns", "don’t want to live anymore")])
def test_a_flag_that_says_so_is_answered_with_the_help_line(flag, said):
    result = CliRunner().invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "花呗", "-n", "none", flag, said,
                                          "--no-input"])
    assert result.exit_code == 2 and HELP in result.output and "120" in result.output
    assert "无法识别" not in result.output  # not "not understood" and a list of choices


def test_in_english_too_and_a_sentence_with_spaces_stays_one_answer():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "花呗", "-n", "none", "--concerns",
                                          "I want to die", "--no-input", "--lang", "en"])
    assert result.exit_code == 2 and HELP in result.output and "someone you trust" in result.output


def test_a_batch_row_that_says_so_gets_the_help_line_and_every_row_its_record(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("逾期天数,金额,平台,协商情况,担心\n30,5000,花呗,未协商,不想活了\n40,6000,借呗,未协商,坐牢\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(rows), "-q"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 2 and HELP in records[0]["error"]["message"]
    assert records[1]["case"]["concerns"] == ["jail"]


def test_the_prompt_gives_the_help_line_and_asks_the_question_again_without_calling_it_wrong():
    asked = [(["你最担心什么"], "不想活了"), ([HELP, "你最担心什么"], "坐牢"), (["已经逾期多少天"], "100"),
             (["逾期的金额是多少"], "5000"), (["哪类机构借的"], "花呗"), (["协商过还款吗"], "没有"),
             *[([question], "") for question in ("律师函", "催收", "因为什么", "年化利率", "收入", "还清了吗", "别的欠款")]]
    report = answer_prompts(["assess", "--format", "json", "--as-of", "2026-11-29"], asked)
    assert '"jail"' in report and '"overdue_days": 100' in report


def test_the_help_line_is_said_again_just_above_the_report():
    """Given at the first question, the help has scrolled away by the end: it comes again right above
    the report, once; an interview without such words gets none."""
    asked = [(["你最担心什么"], "不想活了"), ([HELP, "你最担心什么"], "坐牢"), (["已经逾期多少天"], "100"),
             (["逾期的金额是多少"], "5000"), (["哪类机构借的"], "花呗"), (["协商过还款吗"], "没有"),
             *[([question], "") for question in ("律师函", "催收", "因为什么", "年化利率", "收入", "还清了吗", "别的欠款")]]
    report = answer_prompts(["assess", "--as-of", "2026-11-29"], asked)
    assert report.count(HELP) == 1 and report.index(HELP) < report.index("逾期情况评估")
    calm = [(["你最担心什么"], "坐牢"), *asked[2:]]
    assert HELP not in answer_prompts(["assess", "--as-of", "2026-11-29"], calm)


@pytest.mark.parametrize("flag, said", [("--days", "不想活了"), ("--amount", "活不下去了")])
def test_a_number_question_answered_so_gets_the_help_line_too(flag, said):
    args = {"--days": "30", "--amount": "5000"} | {flag: said}
    result = CliRunner().invoke(cli.app, ["assess", "-d", args["--days"], "-a", args["--amount"], "-p", "花呗", "-n",
                                          "none", "--no-input"])
    assert result.exit_code == 2 and HELP in result.output and "不是" not in result.output


@pytest.mark.parametrize("said", ["骂我去死", "催收让我去死", "让我去跳楼", "说我不如去死"])
def test_a_collector_telling_them_to_die_is_a_threat_not_their_own_crisis(said):
    result = CliRunner().invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "花呗", "-n", "none",
                                          "--collection", said, "--no-input", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["case"]["collection"] == ["threats"]


@pytest.mark.parametrize("rows", ["编号,逾期天数,逾期金额,平台,协商情况\nF,一个多月,5000,花呗,不想活了\n",
                                  "编号,逾期天数,逾期金额,平台,协商情况,担心\nF,一个多月,五千多,花呗,未协商,想死\n",
                                  '{"id": "F", "逾期天数": [], "金额": 5000, "平台": "不想活了", "协商情况": "未协商"}\n'])
def test_a_batch_row_gets_the_help_line_whatever_else_is_wrong_with_it(tmp_path, rows):
    # Before, the row's first bad field (the days) was its only error, and the help line was not said.
    name = "rows.jsonl" if rows.startswith("{") else "rows.csv"
    (tmp_path / name).write_text(rows, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(tmp_path / name), "-q", "--as-of", "2026-05-01"])
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1 and record["id"] == "F" and HELP in record["error"]["message"]
    assert record["error"]["field"] in ("negotiation", "concerns", "platform")


def test_a_household_gets_the_help_line_said_on_a_later_row(tmp_path):
    rows = tmp_path / "hh.csv"
    rows.write_text("客户编号,逾期天数,逾期金额,平台,协商情况\nK1,一个多月,5000,花呗,未协商\nK1,45,5000,花呗,不想活了\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(rows), "-q", "--as-of", "2026-05-01"])
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["client"] == "K1" and HELP in record["error"]["message"]
    assert (record["error"]["debt"], record["error"]["row"], record["error"]["field"]) == (2, 2, "negotiation")
