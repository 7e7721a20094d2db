"""Real product and lender names, as people type them, through every door: flags, a batch file, the
prompt and the Python API. What each name means is read from rules/catalog/products.yaml."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import answer_prompts
from typer.testing import CliRunner

import advisor
from advisor import cli
from advisor.errors import CaseError, RuleSetError
from advisor.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = yaml.safe_load((ROOT / "rules" / "catalog" / "products.yaml").read_text(encoding="utf-8"))["products"]
AS_OF = "2026-11-22"
# The nine names a caseload lost rows on (issue #13), and the kind of lender each one is; None: asked which
# (a bank's name alone may be its loan or its card).
NINE = {"招商银行信用卡": "credit_card", "分期乐": "internet_platform", "360借条": "internet_platform",
        "拍拍贷": "internet_platform", "支付宝借呗": "internet_platform", "建设银行": None,
        "度小满": "internet_platform", "微信分付": "internet_platform", "抖音月付": "internet_platform"}


def assess(platform: str, **more: str) -> dict:
    args = ["assess", "-d", "45", "-a", "5000", "-p", platform, "-n", "none", "--format", "json", "--as-of", AS_OF]
    for flag, value in more.items():
        args += [f"--{flag.replace('_', '-')}", value]
    result = CliRunner().invoke(cli.app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", [name for name, platform in NINE.items() if platform])
def test_the_nine_names_the_caseload_lost_are_understood_as_flags(name):
    case = assess(name)["case"]
    assert case["platform"] == NINE[name]
    assert case["product"] == name, "the name is kept as given"


def test_the_catalog_is_large_and_every_name_means_its_platform(rules):
    assert len(PRODUCTS) >= 120
    platforms = {c["id"] for c in rules.choices("platform")}
    for product in PRODUCTS:
        assert product["platform"] in platforms, product["id"]
        for name in product["names"]:
            if product.get("also"):  # a bank's name alone: its loan or its card, asked which
                with pytest.raises(CaseError) as err:
                    advisor.parse_case({"overdue_days": 1, "amount": 1, "platform": name, "negotiation": "none"})
                for platform in (product["platform"], *product["also"]):
                    assert rules.label("platform", platform, "zh") in err.value.message, name
                continue
            case = advisor.parse_case({"overdue_days": 1, "amount": 1, "platform": name, "negotiation": "none"})
            assert case.platform == product["platform"], name
            assert case.platform.product == name


def test_a_named_lender_carries_its_source():
    for product in PRODUCTS:
        if "lender_name" in product:
            assert product.get("source") and product.get("checked"), product["id"]
            assert list(product)[1:3] == ["source", "checked"], "placed right after the id"


@pytest.mark.parametrize("typed, platform", [
    ("中原银行信用卡", "credit_card"),      # any X银行信用卡, listed or not
    ("我在浦发银行办的信用卡", "credit_card"),
    ("中原银行贷款", "bank_loan"),          # a bank with loan words
    ("招行闪电贷", "bank_loan"),
    ("我用的是花呗", "internet_platform"),  # a known name inside a longer answer
    ("ＨＵＡＢＥＩ", "internet_platform"),  # full width and case
    ("花 呗", "internet_platform"),         # spaces
    ("招联好期贷", "consumer_finance"),
    ("某某消费金融", "consumer_finance"),
])
def test_names_inside_longer_answers_and_in_other_widths(typed, platform):
    case = assess(typed)["case"]
    assert case["platform"] == platform
    assert case["product"] == " ".join(typed.split())


def test_a_category_word_keeps_no_product():
    assert "product" not in assess("信用卡")["case"]
    assert "product" not in assess("4")["case"]


def test_a_near_miss_names_the_guess_as_a_flag_and_in_the_api():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "4", "-a", "100", "-p", "微利贷", "-n", "none"])
    assert result.exit_code == 2
    assert "你是不是想说“微粒贷”" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(CaseError) as err:
        advisor.assess({"overdue_days": 4, "amount": 100, "platform": "Huabie", "negotiation": "none"}, lang="en")
    assert err.value.field == "platform" and 'Did you mean "huabei"' in err.value.message


def test_two_products_of_different_kinds_in_one_answer_are_asked_again():
    with pytest.raises(CaseError) as err:
        advisor.parse_case({"overdue_days": 1, "amount": 1, "platform": "花呗和信用卡", "negotiation": "none"})
    assert "信用卡" in err.value.message and "互联网平台信贷产品" in err.value.message


def test_an_unknown_product_says_where_to_find_the_lender():
    with pytest.raises(CaseError) as err:
        advisor.parse_case({"overdue_days": 1, "amount": 1, "platform": "qwertyuiop", "negotiation": "none"})
    assert "借款合同" in err.value.message and "放款机构" in err.value.message


def test_batch_rows_with_product_names(tmp_path):
    names = [*NINE, "花贝"]
    source = tmp_path / "cases.csv"
    source.write_text("编号,逾期天数,金额,平台,协商情况\n" + "".join(f"{n},45,5000,{name},未协商\n"
                                                            for n, name in enumerate(names)), encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(source), "--as-of", AS_OF, "-q"], catch_exceptions=False)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(names), "one record per row"
    for name, record in zip(names, records):
        if NINE.get(name):
            assert record["case"]["platform"] == NINE[name] and record["case"]["product"] == name
        elif name in NINE:
            assert record["error"]["field"] == "platform" and "信用卡" in record["error"]["message"]
    assert records[-1]["error"]["field"] == "platform"
    assert "你是不是想说“花呗”" in records[-1]["error"]["message"]
    assert result.exit_code == 1


def test_batch_json_equals_assess_with_a_product(tmp_path):
    answers = {"overdue_days": 45, "amount": "5000", "platform": "支付宝借呗", "negotiation": "none"}
    source = tmp_path / "cases.jsonl"
    source.write_text(json.dumps(answers, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(source), "--as-of", AS_OF, "-q"], catch_exceptions=False)
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record == advisor.assess(answers, as_of=date(2026, 11, 22))


def test_a_product_survives_a_batch_worker_process(tmp_path):
    source = tmp_path / "cases.csv"
    source.write_text("逾期天数,金额,平台,协商情况\n" + "45,5000,招行闪电贷,none\n" * 40, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(source), "-j", "2", "--as-of", AS_OF, "-q"],
                                catch_exceptions=False)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 40 and {r["case"]["product"] for r in records} == {"招行闪电贷"}


def test_the_prompt_asks_about_a_near_miss_and_explains_an_unknown_product():
    report = answer_prompts(["assess", "-d", "45", "-a", "5000", "-n", "none", "--quick", "--format", "json",
                             "--as-of", AS_OF],
                            [(["这笔钱是从哪类机构借的？"], "某某借款App"),
                             (["借款合同"], "花贝"),  # unknown: choose the kind, and how to find who lends
                             (["你是不是想说“花呗”"], "1")])
    assert '"product": "花呗"' in report


def _hostile(tmp_path: Path, text: str) -> str:
    (tmp_path / "extra.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_ruleset(["builtin", tmp_path / "extra.yaml"], cache=False)
    return str(err.value)


def test_rule_files_are_checked_for_products(tmp_path):
    problems = _hostile(tmp_path, """
products:
  - {id: huabei, names: [x], platform: internet_platform, lender: see_contract}
  - {id: new1, names: [新产品], platform: no_such_kind, lender: somebody}
  - {id: new2, names: [花呗], platform: credit_card, lender: bank, lender_name: {zh: 某行, en: A bank}}
  - not a mapping
""")
    assert 'product "huabei" is already defined' in problems
    assert 'unknown platform "no_such_kind"' in problems and "lender must be one of" in problems
    assert '"花呗" names both' in problems and 'needs "source" and "checked"' in problems
    assert 'each product needs an "id"' in problems


def test_an_override_replaces_a_product(tmp_path):
    (tmp_path / "extra.yaml").write_text(
        "products:\n  - {id: fenqile, override: true, names: [分期乐], platform: consumer_finance, lender: see_contract}\n",
        encoding="utf-8")
    rules = load_ruleset(["builtin", tmp_path / "extra.yaml"], cache=False)
    case = advisor.parse_case({"overdue_days": 1, "amount": 1, "platform": "分期乐", "negotiation": "none"}, rules)
    assert case.platform == "consumer_finance"
