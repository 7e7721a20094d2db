"""The one parser per field, as flags, prompts, batch rows and the API all use it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from typer.testing import CliRunner

from advisor import cli
from advisor.errors import CaseError
from advisor.parsing import build_case, parse_amount, parse_answer, parse_choice, parse_days


@pytest.mark.parametrize(
    ("raw", "days"),
    [("45", 45), ("45天", 45), (" 45 天 ", 45), ("0", 0), ("４５", 45), ("45日", 45), ("45 days", 45),
     (45, 45), ("36500", 36500), ("+3", 3), ("45.0", 45), ("四十五", 45), (45.0, 45)],
)
def test_days_accepted(rules, raw, days):
    assert parse_days(raw, rules) == days


@pytest.mark.parametrize("raw", ["", "abc", "-1", "4.5", "45.5", "36501", "1e3", "四十五点五", True, -3, "45天天", 4.5])
def test_days_rejected(rules, raw):
    with pytest.raises(CaseError) as err:
        parse_answer("overdue_days", raw, rules)
    assert err.value.field == "overdue_days"
    assert err.value.message


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("5000", "5000.00"), ("5,000", "5000.00"), ("5000元", "5000.00"), ("3万", "30000.00"),
        ("2.5万元", "25000.00"), ("8千", "8000.00"), ("5，000", "5000.00"), ("¥1,234.5", "1234.50"),
        ("0.01", "0.01"), ("1w", "10000.00"), (5000, "5000.00"), (Decimal("12.30"), "12.30"),
        (12.3, "12.30"), ("10000000000", "10000000000.00"), ("１００元", "100.00"), ("3 万", "30000.00"),
    ],
)
def test_amount_accepted(rules, raw, amount):
    value = parse_amount(raw, rules)
    assert isinstance(value, Decimal)
    assert str(value) == amount


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "0", "-5000", "nan", "NaN", "inf", "Infinity", "1.001", "10000000000.01", "1e5", "3万万",
     True, float("nan"), float("inf"), 0, "5000美元"],
)
def test_amount_rejected(rules, raw):
    with pytest.raises(CaseError) as err:
        parse_answer("amount", raw, rules)
    assert err.value.field == "amount"


# Every must-have alias of CONTRACT §1, plus ids, Chinese labels, list numbers and case-insensitivity.
PLATFORMS = {
    "bank_loan": ["bank_loan", "BANK_LOAN", "银行贷款", "银行", "网商贷", "微粒贷", "1"],
    "credit_card": ["credit_card", "信用卡", "2"],
    "consumer_finance": ["consumer_finance", "持牌消费金融公司", "消费金融", "招联", "马上消费", "3"],
    "internet_platform": ["internet_platform", "互联网平台信贷产品", "花呗", "借呗", "京东白条", "京东金条", "美团月付", "4"],
    "microloan": ["microloan", "小贷", "网络小贷", "5"],
    "unlicensed": ["unlicensed", "私人", "高利贷", "非持牌", "6"],  # 私人 stays here: the contract lists it
    "personal": ["personal", "私人借款", "个人借款", "借条", "朋友", "亲戚", "7"],
}
NEGOTIATIONS = {
    "none": ["none", "未协商", "1"],
    "in_progress": ["in_progress", "协商中", "2"],
    "agreed": ["agreed", "已达成协议并按约履行", "3"],
    "breached": ["breached", "达成协议后未按约履行", "4"],
    "failed": ["failed", "5"],
}


@pytest.mark.parametrize(("expected", "raw"), [(k, w) for k, ws in PLATFORMS.items() for w in ws])
def test_platform_words(rules, expected, raw):
    assert parse_choice("platform", raw, rules) == expected


@pytest.mark.parametrize(("expected", "raw"), [(k, w) for k, ws in NEGOTIATIONS.items() for w in ws])
def test_negotiation_words(rules, expected, raw):
    assert parse_choice("negotiation", raw, rules) == expected


@pytest.mark.parametrize(("field", "raw"), [("platform", "蚂蚁"), ("platform", "0"), ("platform", "8"),
                                            ("negotiation", "maybe"), ("platform", "")])
def test_choice_rejected_lists_choices(rules, field, raw):
    with pytest.raises(CaseError) as err:
        parse_answer(field, raw, rules)
    if raw:
        first = rules.choices(field)[0]
        assert first["id"] in err.value.message and first["label"]["zh"] in err.value.message


def test_messages_follow_the_language(rules):
    with pytest.raises(CaseError) as zh:
        parse_answer("amount", "abc", rules, "zh")
    with pytest.raises(CaseError) as en:
        parse_answer("amount", "abc", rules, "en")
    assert "金额" in zh.value.message
    assert "amount" in en.value.message


def test_build_case_reports_the_bad_field(rules):
    with pytest.raises(CaseError) as err:
        build_case({"overdue_days": 3, "amount": "x", "platform": "花呗", "negotiation": "none"}, rules)
    assert err.value.field == "amount"
    case = build_case({"overdue_days": "3天", "amount": "2.5万", "platform": "花呗", "negotiation": "未协商"}, rules)
    assert (case.overdue_days, case.amount, case.platform, case.negotiation) == (
        3, Decimal("25000.00"), "internet_platform", "none")


def _assess_answers(tmp_path, body: str):
    from typer.testing import CliRunner

    from advisor import cli

    source = tmp_path / "answers.yaml"
    source.write_text(body, encoding="utf-8")
    return CliRunner().invoke(cli.app, ["assess", "--answers", str(source), "--format", "json", "--no-input",
                                        "--as-of", "2026-11-29"])


def test_an_answers_file_is_read_as_the_person_wrote_it_not_as_yaml_1_1_types(tmp_path):
    """05000 is not octal 2560, 045 not 37, `no` not False: each value goes to its parser as typed."""
    import json

    done = _assess_answers(tmp_path, "overdue_days: 045\namount: 05000\nplatform: 花呗\nnegotiation: no\n"
                                     "apr: 036\nlegal_status: ~\nmonthly_income:\n")
    assert done.exit_code == 0, done.stderr
    case = json.loads(done.stdout)["case"]
    assert (case["overdue_days"], case["amount"], case["negotiation"], case["apr"]) == (45, "5000.00", "none", "36")
    assert "legal_status" not in case and "monthly_income" not in case, "a blank or ~ is still no answer"
    debts = _assess_answers(tmp_path, "debts:\n  - {overdue_days: 045, amount: 05000, platform: 花呗, negotiation: no}\n"
                                      "  - {overdue_days: 10, amount: 0100, platform: 信用卡, negotiation: none}\n")
    assert debts.exit_code == 0, debts.stderr
    assert [(d["case"]["overdue_days"], d["case"]["amount"]) for d in json.loads(debts.stdout)["debts"]] == [
        (45, "5000.00"), (10, "100.00")]


@pytest.mark.parametrize("typed", ["3:20", "0x1F4", "0o17", "1_000"])
def test_a_figure_yaml_1_1_would_turn_into_another_number_is_asked_about(tmp_path, typed):
    done = _assess_answers(tmp_path, f"overdue_days: 30\namount: {typed}\nplatform: 花呗\nnegotiation: none\n")
    assert done.exit_code == 2 and done.stdout == ""
    assert f"“{typed}”" in done.stderr and "amount" in done.stderr, done.stderr


@pytest.mark.parametrize("raw", ["每月5000", "每个月5000", "一个月5000", "月供2000", "月还1500", "月薪8千", "工资五千", "月入6000"])
def test_a_monthly_figure_is_not_read_as_the_amount_owed(rules, raw):
    for lang, word in (("zh", "总金额"), ("en", "total")):
        with pytest.raises(CaseError) as err:
            parse_answer("amount", raw, rules, lang)
        assert err.value.field == "amount" and raw in err.value.message and word in err.value.message
    if "供" not in raw and "还" not in raw:  # the same words answer the income question
        assert parse_answer("monthly_income", raw, rules) > 0


@pytest.mark.parametrize(("field", "raw", "value"), [
    ("monthly_income", "到手5000", "5000.00"), ("monthly_income", "每月到手5000", "5000.00"),
    ("received", "到手8000", "8000.00"), ("monthly_income", "没有", "0.00"), ("monthly_income", "没收入", "0.00"),
    ("monthly_income", "零", "0.00"), ("monthly_income", "无", "0.00"), ("monthly_income", "0元", "0.00"),
    ("monthly_income", "none", "0.00"), ("monthly_expenses", "没有", "0.00"), ("monthly_expenses", "无。", "0.00"),
])
def test_income_and_costs_in_the_words_people_use(rules, field, raw, value):
    assert str(parse_answer(field, raw, rules)) == value


@pytest.mark.parametrize(("field", "raw"), [("amount", "没有"), ("amount", "零"), ("amount", "到手5000"),
                                            ("monthly_expenses", "到手5000"), ("monthly_expenses", "没收入"),
                                            ("received", "没收入")])
def test_a_word_for_none_or_take_home_answers_only_its_own_question(rules, field, raw):
    with pytest.raises(CaseError) as err:
        parse_answer(field, raw, rules)
    assert err.value.field == field and raw in err.value.message


@pytest.mark.parametrize("raw", ["没有", "就这一笔", "无", "没了", "只有这一笔", "零", "just this one", "None"])
def test_no_other_debts(rules, raw):
    assert parse_answer("other_debts", raw, rules) == 0


def test_amounts_income_and_other_debts_through_the_command_line():
    import json

    from typer.testing import CliRunner

    from advisor import cli

    core = ["assess", "-d", "30", "-p", "花呗", "-n", "none", "--no-input", "--format", "json", "--as-of", "2026-11-29"]
    done = CliRunner().invoke(cli.app, [*core, "-a", "5000", "--income", "到手5000", "--expenses", "没有",
                                        "--other-debts", "就这一笔"])
    assert done.exit_code == 0, done.stderr
    case = json.loads(done.stdout)["case"]
    assert (case["monthly_income"], case["monthly_expenses"], case["other_debts"]) == ("5000.00", "0.00", 0)
    monthly = CliRunner().invoke(cli.app, [*core, "-a", "每月5000"])
    assert monthly.exit_code == 2 and "每月5000" in monthly.stderr and "总金额" in monthly.stderr


@pytest.mark.parametrize(("typed", "says"), [("2026-10-15", "已逾期 46 天：请写 46"), ("2026年10月15日", "已逾期 46 天"),
                                             ("2026-12-20", "就还没逾期，请写 0"),
                                             # the day of the month, as people say the due day
                                             ("上个月15号到期", "已逾期 46 天：请写 46"), ("10月15号", "已逾期 46 天"),
                                             ("十月十五号", "已逾期 46 天"), ("15号到期的", "已逾期 15 天"),
                                             # 12月15号 was offered 350 days here; on 30 November it is due in
                                             # 15 days, so it is offered 0 now (test_words.py)
                                             ("这个月20号", "已逾期 10 天"), ("10月1号", "已逾期 60 天"),
                                             ("上月1日", "已逾期 60 天")])
def test_a_date_given_for_the_days_is_offered_the_days_it_makes(typed, says):
    result = CliRunner().invoke(cli.app, ["assess", "-d", typed, "-a", "3000", "-p", "花呗", "-n", "none",
                                          "--as-of", "2026-11-30", "--no-input"])
    assert result.exit_code == 2 and says in result.stderr.replace("\n", "")


@pytest.mark.parametrize(("as_of", "typed", "says"), [
    ("2026-11-30", "昨天到期", "已逾期 1 天：请写 1"),  # yesterday: offered as a date's days are
    ("2026-11-30", "前天到期的", "已逾期 2 天：请写 2"),
    ("2026-11-30", "上周到期", "例如 1天、7天"),  # a Monday: last Sunday was yesterday, last Monday 7 days ago
    ("2026-11-29", "上个星期到期", "例如 7天、13天"),  # a Sunday: last week ran 7 to 13 days before
    ("2026-12-02", "上礼拜到期", "例如 3天、9天"),  # a Wednesday
])
def test_a_due_day_said_by_how_long_ago_is_offered_its_days(as_of, typed, says):
    result = CliRunner().invoke(cli.app, ["assess", "-d", typed, "-a", "3000", "-p", "花呗", "-n", "none",
                                          "--as-of", as_of, "--no-input"])
    assert result.exit_code == 2 and says in result.stderr.replace("\n", ""), result.stderr


@pytest.mark.parametrize(("as_of", "typed", "says"), [
    ("2026-01-10", "上个月15号", "已逾期 26 天"),  # 15 December of the year before
    ("2026-03-01", "上个月15号", "已逾期 14 天"),
    ("2026-01-10", "上个月30号", "已逾期 11 天"),
    ("2026-03-01", "上个月30号", "请写整数天数"),  # February has no 30th: not a date, so not offered days
])
def test_last_months_day_crosses_the_year_and_short_months(as_of, typed, says):
    result = CliRunner().invoke(cli.app, ["assess", "-d", typed, "-a", "3000", "-p", "花呗", "-n", "none",
                                          "--as-of", as_of, "--no-input"])
    assert result.exit_code == 2 and says in result.stderr.replace("\n", ""), result.stderr
