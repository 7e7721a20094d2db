"""Numbers as people write them: every accepted spelling of a number gives the same value, through
the parser every door uses, and nothing that could be read two ways is read at all."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import advisor
from advisor.errors import CaseError
from advisor.parsing import parse_answer

DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """The written Chinese form of n (1 <= n < 10^12), as a school textbook writes it: 十万零五百."""
    def section(n: int, lead: bool) -> str:  # n < 10000
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = n // unit % 10
            if d:
                if zero and out:
                    out += "零"
                out += ("" if (unit == 10 and d == 1 and lead and not out) else DIGITS[d]) + name
                zero = False
            else:
                zero = True
        return out

    parts, out, zero = [(n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")], "", False
    for value, name in parts:
        if value:
            if out and (zero or value < 1000):
                out += "零"
            out += section(value, not out) + name
            zero = False
        elif out:
            zero = True
    return out


def read(field: str, raw: object, rules) -> object:
    return parse_answer(field, raw, rules, "zh")


def test_the_reference_writer():
    assert [chinese(n) for n in (10, 15, 105, 1050, 3800, 12000, 100500, 100000, 20001)] == [
        "十", "十五", "一百零五", "一千零五十", "三千八百", "一万二千", "十万零五百", "十万", "二万零一"]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**8))
def test_an_amount_in_every_spelling_is_the_same_amount(rules, n):
    forms = [str(n), f"{n:,}", f"¥{n:,}.00", f"{n}元", f"{n}块钱", f"{n}.00", chinese(n), chinese(n) + "元",
             chinese(n).replace("二", "两", 1) if chinese(n).startswith("二") else chinese(n)]
    if n % 10000 == 0:
        forms += [f"{n // 10000}万", f"{n // 10000}w", f"{n // 10000}W块"]
    elif n % 1000 == 0 and n > 10000:
        forms += [f"{Decimal(n) / 10000}万", f"{Decimal(n) / 10000}w"]
    if n % 1000 == 0:
        forms += [f"{n // 1000}千", f"{n // 1000}k"]
    for form in forms:
        assert read("amount", form, rules) == n, form


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.sampled_from([(1000, "千"), (10000, "万")]))
def test_the_spoken_short_forms(rules, a, b, unit):
    """三千八 = 3,800 and 一万二 = 12,000: a lone digit after a unit counts in the next place down."""
    size, name = unit
    value = a * size + b * size // 10
    for form in (f"{DIGITS[a]}{name}{DIGITS[b]}", f"{a}{name}{b}", chinese(value)):
        assert read("amount", form, rules) == value, form


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 99), st.integers(10, 999))
def test_a_part_that_could_be_read_two_ways_is_asked_about(rules, a, b):
    """1万500 is 10,500 or 15,000: never guessed. Written out in full (1万0500, 1万5000) it is clear."""
    if len(str(b)) != 4:
        with pytest.raises(CaseError):
            read("amount", f"{a}万{b}", rules)
    assert read("amount", f"{a}万{b:04d}", rules) == a * 10000 + b


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 36500))
def test_days_in_every_spelling(rules, n):
    # In words up to 9999: 万 is how an amount is written (两万 typed at the days question), and ten
    # thousand days is over 27 years: asked again rather than read as days.
    words = [chinese(n) + "天", chinese(n)] if 0 < n < 10000 else []
    forms = [str(n), f"{n}天", f"{n}.0", f"{n} days", f"已经{n}天了", *words]
    for form in forms:
        assert read("overdue_days", form, rules) == n, form
    if n >= 10000:
        for form in (chinese(n) + "天", chinese(n)):
            with pytest.raises(CaseError):
                read("overdue_days", form, rules)
    assert read("overdue_days", float(n), rules) == n
    assert read("overdue_days", Decimal(n), rules) == n


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 99), st.sampled_from([("周", 7), ("个星期", 7), ("个月", 30), ("年", 365)]))
def test_durations(rules, k, unit):
    name, days = unit
    for count in (str(k), chinese(k), "两" if k == 2 else chinese(k)):
        if k * days <= 36500:
            assert read("overdue_days", count + name, rules) == k * days


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 9), st.sampled_from(["个多月", "多个月", "个月左右"]))
def test_a_vague_duration_is_asked_again_with_exact_ones(rules, k, tail):
    with pytest.raises(CaseError) as err:
        read("overdue_days", chinese(k) + tail, rules)
    assert f"{30 * k}天" in err.value.message and err.value.field == "overdue_days"


@pytest.mark.parametrize(("typed", "days"), [("两三个月", (60, 90)), ("十几天", (10, 15)), ("一年多", (365, 545)),
                                           ("快两个月", (45, 55)), ("将近一年", (185, 360)), ("快20天", (15, 19)),
                                           # a half in them: offered nothing, or a month's figures, before
                                           ("快半年了", (165, 175)), ("半年多", (180, 195, 210)),
                                           ("半个多月", (15, 20)), ("半年左右", (165, 180, 195)),
                                           ("快一年半", (530, 540))])
def test_vague_answers_name_the_nearest_exact_ones(rules, typed, days):
    for lang, unit in (("zh", "{}天"), ("en", "{} days")):
        with pytest.raises(CaseError) as err:
            parse_answer("overdue_days", typed, rules, lang)
        assert all(unit.format(d) in err.value.message for d in days), err.value.message


@pytest.mark.parametrize(("typed", "figure"), [("快两个月", 60), ("快三个月了", 90), ("将近一年", 365), ("不到20天", 20),
                                             ("快半年", 180), ("快半个月", 15), ("快一年半", 545)])
def test_almost_a_figure_is_never_offered_the_figure_or_more(rules, typed, figure):
    with pytest.raises(CaseError) as err:
        parse_answer("overdue_days", typed, rules, "zh")
    offered = [int(n) for n in re.findall(r"(\d+)天", err.value.message.split("例如")[-1])]
    assert offered and all(n < figure for n in offered), err.value.message


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 99))
def test_a_daily_rate_in_every_spelling(rules, n):
    """万分之n a day = n/100 % a day = 3.65n % a year."""
    annual = Decimal(n) * Decimal("3.65")
    per_day = Decimal(n) / 100
    for form in (f"日息万分之{n}", f"日息万分之{chinese(n)}", f"日利率{per_day}%", f"日息{per_day}%", f"每天万分之{n}"):
        value = read("apr", form, rules)
        assert value == annual and value.given == ("day", per_day), form


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 10))
def test_a_monthly_rate_in_every_spelling(rules, m):
    for form in (f"月息{m}分", f"月利率{m}%", f"月息{chinese(m)}分", f"每月{m}%"):
        value = read("apr", form, rules)
        assert value == 12 * m and value.given[0] == "month", form


@pytest.mark.parametrize("typed", ["万分之五", "2分", "0.05%", "千分之一"])
def test_a_rate_without_its_period_is_asked_about(rules, typed):
    with pytest.raises(CaseError) as err:
        read("apr", typed, rules)
    assert "日息" in err.value.message and "月息" in err.value.message


def test_the_conversion_is_shown_in_the_interest_line():
    case = {"overdue_days": 45, "amount": "两万", "platform": "花呗", "negotiation": "none", "apr": "日息万分之五"}
    for lang, words in (("zh", ("日利率 0.05%", "18.25%")), ("en", ("0.05% a day", "18.25% a year"))):
        check = advisor.assess(case, lang=lang)["interest_check"]
        assert check["apr"] == "18.25" and check["apr_given"] == {"per": "day", "rate": "0.05"}
        assert all(w in check["text"] for w in words), check["text"]
    plain = advisor.assess({**case, "apr": "18.25"})["interest_check"]
    assert plain["apr_given"] is None and "日利率" not in plain["text"]


def test_spreadsheet_scalars():
    np = pytest.importorskip("numpy")
    rules = advisor.load_ruleset()
    assert read("overdue_days", np.int64(45), rules) == 45
    assert read("overdue_days", np.float64(45.0), rules) == 45
    assert read("amount", np.float64(5000.0), rules) == Decimal("5000.00")
    assert read("amount", np.float32(12.5), rules) == Decimal("12.50")
    assert read("monthly_income", np.float64("nan"), rules) is None
    with pytest.raises(CaseError) as err:
        read("overdue_days", np.float64(4.5), rules)
    assert "np." not in err.value.message and "4.5" in err.value.message


def test_a_pandas_frame_with_a_blank_goes_in_as_it_is():
    """One blank in the days column turns it into floats (45.0, NaN): the README promises the frame
    goes in as it is. The blank row is that row's error; the others are assessed."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"逾期天数": [45, None, 90], "金额": [5000, 12000.5, 30000],
                          "平台": ["花呗", "信用卡", "网商贷"], "协商情况": ["未协商", "协商中", "none"],
                          "monthly_income": [pd.NA, 6000, None]})
    assert str(frame["逾期天数"].dtype) == "float64"
    records = list(advisor.assess_many(frame.to_dict("records"), lang="zh"))
    assert [r.get("error", {}).get("field") for r in records] == [None, "overdue_days", None]
    assert records[0]["case"]["overdue_days"] == 45 and records[0]["case"]["amount"] == "5000.00"
    assert records[2]["case"]["overdue_days"] == 90
    single = advisor.assess(frame.iloc[0].to_dict())
    assert single["case"]["overdue_days"] == 45 and "monthly_income" not in single["case"]


@pytest.mark.parametrize("typed", ["2.5千3", "1.2万5", "1千25百", "3千80", "1万500", "50,00", "1,2,3", "一二三",
                                   "百千", "万", "3万万", "两三万", "1e5", "0x10", "五毛"])
def test_an_amount_that_could_be_read_two_ways_is_not_read(rules, typed):
    with pytest.raises(CaseError) as err:
        read("amount", typed, rules)
    assert typed in err.value.message and err.value.field == "amount"


@pytest.mark.parametrize("typed, small, large", [("5.000", "5.00", "5000"), ("12.500元", "12.50", "12500"),
                                                 ("￥1.000", "1.00", "1000")])
def test_a_dot_that_may_group_thousands_is_asked_about_with_both_readings(typed, small, large, tmp_path):
    from typer.testing import CliRunner

    from advisor import cli

    result = CliRunner().invoke(cli.app, ["assess", "-d", "30", "-a", typed, "-p", "花呗", "-n", "none", "--no-input"])
    assert result.exit_code == 2 and f"{small} 元还是 {large} 元" in result.output
    rows = tmp_path / "debts.csv"
    rows.write_text(f"逾期天数,金额,平台,协商情况\n30,{typed},花呗,未协商\n30,5.00,花呗,未协商\n", encoding="utf-8")
    out = CliRunner().invoke(cli.app, ["batch", str(rows), "-q"])
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.exit_code == 1 and len(records) == 2
    assert records[0]["row"] == 1 and records[0]["error"]["field"] == "amount"
    assert large in records[0]["error"]["message"]
    assert records[1]["case"]["amount"] == "5.00"  # two places are cents, as always


@pytest.mark.parametrize("typed", ["还没逾期", "没逾期", "还没到期", "没到期", "未逾期", "零天", "零", "3天后到期",
                                   "还有5天到期", "还有几天到期", "一周后到期", "还没逾期呢。", "not overdue yet"])
def test_not_overdue_yet_is_zero_days(rules, typed):
    assert read("overdue_days", typed, rules) == 0


@pytest.mark.parametrize(("typed", "days"), [("第45天", 45), ("已经是第45天了", 45), ("45天？", 45), ("45天。", 45),
                                             ("45天，", 45), ("45天!", 45), ("45天！", 45), ("逾期45天了。", 45)])
def test_an_ordinal_day_and_the_punctuation_ending_a_sentence(rules, typed, days):
    assert read("overdue_days", typed, rules) == days


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 9), st.integers(0, 11), st.integers(0, 29))
def test_a_duration_in_several_units_is_their_sum(rules, years, months, days):
    """一年三个月 = 455, 1个月10天 = 40, 一个月零五天 = 35: the parts from the largest unit down."""
    parts = [(years, "年", "{}年"), (months, "个月", "{}个月"), (days, "天", "{}天")]
    given_parts = [(n, word, digits) for n, word, digits in parts if n]
    if len(given_parts) < 2:
        return
    total = 365 * years + 30 * months + days
    spoken = "".join(chinese(n) + word for n, word, _ in given_parts)
    with_zero = "零".join(chinese(n) + word for n, word, _ in given_parts)
    written = "".join(digits.format(n) for n, _, digits in given_parts)
    for form in (spoken, with_zero, written):
        assert read("overdue_days", form, rules) == total, form


@pytest.mark.parametrize("typed", ["三个月一年", "一个月一个月", "一年三月", "一个多月零五天", "45天天"])
def test_parts_out_of_order_or_vague_are_asked_about(rules, typed):
    with pytest.raises(CaseError) as err:
        read("overdue_days", typed, rules)
    assert typed in err.value.message


@pytest.mark.parametrize(("typed", "ends"), [("45~60天", (45, 60)), ("45～60天", (45, 60)), ("45到60天", (45, 60)),
                                             ("45-60天", (45, 60)), ("45或60天", (45, 60)), ("45天到60天", (45, 60)),
                                             ("两到三个月", (60, 90)), ("1到2年", (365, 730))])
def test_a_range_of_days_offers_its_ends_never_one_number_made_of_both(rules, typed, ends):
    for lang, unit in (("zh", "{}天"), ("en", "{} days")):
        with pytest.raises(CaseError) as err:
            parse_answer("overdue_days", typed, rules, lang)
        assert all(unit.format(end) in err.value.message for end in ends), err.value.message
        assert f"{ends[0]}{ends[1]}" not in err.value.message


@pytest.mark.parametrize(("typed", "low", "high"), [("M1", 1, 30), ("m2", 31, 60), ("M3", 61, 90), ("Ｍ２", 31, 60)])
def test_a_lenders_overdue_bracket_is_asked_about_with_its_days(rules, typed, low, high):
    for lang in ("zh", "en"):
        with pytest.raises(CaseError) as err:
            parse_answer("overdue_days", typed, rules, lang)
        assert typed in err.value.message and f"{low}" in err.value.message and f"{high}" in err.value.message


@pytest.mark.parametrize("typed", ["1万", "2万天", "1.5万天", "1w", "1万天"])
def test_days_written_as_an_amount_is_written_are_asked_about(rules, typed):
    with pytest.raises(CaseError) as err:
        read("overdue_days", typed, rules)
    assert typed in err.value.message and err.value.field == "overdue_days"


def test_days_through_the_command_line():
    from typer.testing import CliRunner

    from advisor import cli

    def assess(days: str):
        return CliRunner().invoke(cli.app, ["assess", "-d", days, "-a", "5000", "-p", "花呗", "-n", "none",
                                            "--no-input", "--format", "json", "--as-of", "2026-11-29"])

    for typed, expected in (("还没到期", 0), ("3天后到期", 0), ("第45天", 45), ("45天？", 45), ("一年三个月", 455)):
        done = assess(typed)
        assert done.exit_code == 0, done.stderr
        assert json.loads(done.stdout)["case"]["overdue_days"] == expected, typed
    for typed, said in (("M2", ("31", "60")), ("45~60天", ("45天", "60天")), ("1万", ("1万",))):
        done = assess(typed)
        assert done.exit_code == 2 and done.stdout == "" and all(s in done.stderr for s in said), done.stderr
        assert "4560" not in done.stderr


@pytest.mark.parametrize(("typed", "annual", "given"), [
    ("综合年化36%", "36", None), ("实际年化24%", "24", None), ("年化率24%", "24", None), ("IRR 36%", "36", None),
    ("irr36%", "36", None), ("利率24%", "24", None), ("综合年化利率 23.9%", "23.9", None),
    ("日息万5", "18.25", ("day", "0.05")), ("日息万五", "18.25", ("day", "0.05")), ("日息1‰", "36.5", ("day", "0.1")),
    ("日息0.5‰", "18.25", ("day", "0.05")), ("2分利", "24", ("month", "2")), ("月息2分利", "24", ("month", "2")),
    ("月息1分5", "18", ("month", "1.5")), ("月息一分五", "18", ("month", "1.5")), ("月息2分5厘", "30", ("month", "2.5")),
    ("2%", "2", None), ("5", "5", None), ("年化2", "2", None), ("年化4.5%", "4.5", None),
])
def test_a_rate_in_the_words_apps_and_lenders_use(rules, typed, annual, given):
    value = read("apr", typed, rules)
    assert value == Decimal(annual), typed
    assert getattr(value, "given", None) == (given and (given[0], Decimal(given[1])))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9))
def test_fen_and_li_of_a_monthly_rate(rules, fen, li):
    """月息1分5 is 1.5% a month: 分 whole percent, the digit after it tenths."""
    for form in (f"月息{fen}分{li}", f"月息{DIGITS[fen]}分{DIGITS[li]}", f"月息{fen}分{li}厘"):
        value = read("apr", form, rules)
        assert value == 12 * (fen + Decimal(li) / 10) and value.given == ("month", fen + Decimal(li) / 10), form


@pytest.mark.parametrize("typed", ["月费率1.5%", "分期费率0.75%", "日费率0.05%", "手续费率0.6%", "每期手续费0.75%"])
def test_a_fee_rate_is_asked_for_the_annual_rate_never_multiplied_by_twelve(rules, typed):
    for lang, why in (("zh", "本金"), ("en", "principal")):
        with pytest.raises(CaseError) as err:
            parse_answer("apr", typed, rules, lang)
        assert typed in err.value.message and why in err.value.message and "IRR" in err.value.message


@pytest.mark.parametrize(("raw", "monthly"), [("2", "24"), ("1.5", "18"), ("4.9", "58.8"), ("2.5", "30"),
                                              (2, "24"), (Decimal("1.5"), "18"), ("利率2", "24")])
def test_a_bare_figure_below_five_is_asked_whether_it_is_a_year_or_a_month(rules, raw, monthly):
    for lang in ("zh", "en"):
        with pytest.raises(CaseError) as err:
            parse_answer("apr", raw, rules, lang)
        assert str(raw) in err.value.message and "月息" in err.value.message and f"{monthly}%" in err.value.message
    assert parse_answer("lpr", "3.45", rules) == Decimal("3.45"), "the LPR is a yearly figure below 5, never asked"


@pytest.mark.parametrize(("typed", "n"), [("万5", "5"), ("万五", "五"), ("万3", "3")])
def test_wan_n_alone_is_asked_whether_it_is_per_day(rules, typed, n):
    with pytest.raises(CaseError) as err:
        read("apr", typed, rules)
    assert f"日息万分之{n}" in err.value.message and typed in err.value.message


def test_rates_through_the_command_line():
    from typer.testing import CliRunner

    from advisor import cli

    def assess(rate: str):
        return CliRunner().invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "花呗", "-n", "none", "--apr", rate,
                                            "--no-input", "--format", "json", "--as-of", "2026-11-29"])

    for typed, annual in (("综合年化36%", "36"), ("IRR 36%", "36"), ("2分利", "24"), ("日息万5", "18.25")):
        done = assess(typed)
        assert done.exit_code == 0, done.stderr
        assert json.loads(done.stdout)["case"]["apr"] == annual, typed
    for typed, said in (("月费率1.5%", "IRR"), ("2", "月息2分"), ("万5", "日息万分之5")):
        done = assess(typed)
        assert done.exit_code == 2 and done.stdout == "" and said in done.stderr and "--apr" in done.stderr, done.stderr
