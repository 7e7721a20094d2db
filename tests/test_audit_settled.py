"""The content audit's last open items (#12), through the doors people use: a broken agreement within
a day band (B12), the restitution a void contract still owes (民法典 第一百五十七条), a debt repaid in
full (`settled`), and what was repaid against what was received (`repayment_check`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import advisor
from advisor import cli
from advisor.finance import repayment_check
from advisor.models import SEVERITIES, Case

AS_OF = "2026-11-29"


def run(*args: str, fmt: str = "json", lang: str = "zh") -> str:
    result = CliRunner().invoke(cli.app, ["assess", *args, "--format", fmt, "--lang", lang, "--no-input",
                                          "--as-of", AS_OF], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def assess(*args: str, lang: str = "zh") -> dict:
    return json.loads(run(*args, lang=lang))


def report(*args: str, lang: str = "zh") -> str:
    """The short terminal report, as a person at an 80-column terminal reads it."""
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "ADVISOR_LANG": ""}
    done = subprocess.run([sys.executable, "-m", "advisor", "assess", *args, "--lang", lang, "--no-input",
                           "--as-of", AS_OF], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def flat(text: str) -> str:
    return "".join(line.strip() for line in text.splitlines())


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


# ------------------------------------------------------------------------------------- B12: a broken agreement

def test_b12_the_audits_case_a_broken_agreement_is_more_serious_than_no_talks_in_the_same_band():
    breached = assess("-d", "10", "-a", "3000", "-p", "花呗", "-n", "breached")
    untouched = assess("-d", "10", "-a", "3000", "-p", "花呗", "-n", "none")
    assert (untouched["stage"], untouched["severity"]) == ("early", "medium")
    assert (breached["stage"], breached["severity"]) == ("early", "high")  # the next band's severity
    assert "agreement_voided" in {c["id"] for c in breached["consequences"]}
    assert "severity.breached-early" in breached["rules_fired"]
    assert "严重程度：高" in report("-d", "10", "-a", "3000", "-p", "花呗", "-n", "breached")


@pytest.mark.parametrize(("days", "amount"), [(2, "3000"), (10, "3000"), (45, "60000")])
def test_b12_a_broken_agreement_counts_one_day_band_further_on(days, amount):
    breached = assess("-d", str(days), "-a", amount, "-p", "bank_loan", "-n", "breached")
    untouched = assess("-d", str(days), "-a", amount, "-p", "bank_loan", "-n", "none")
    assert breached["stage"] == untouched["stage"]  # the days decide the stage; the breach moves severity
    assert rank(breached["severity"]) == rank(untouched["severity"]) + 1


@pytest.mark.parametrize("days", [0, 1, 3, 4, 30, 31, 45, 90, 91, 400])
@pytest.mark.parametrize("amount", ["3000", "50000"])
def test_b12_a_broken_agreement_is_never_less_serious_than_no_talks(days, amount):
    breached = assess("-d", str(days), "-a", amount, "-p", "consumer_finance", "-n", "breached")
    untouched = assess("-d", str(days), "-a", amount, "-p", "consumer_finance", "-n", "none")
    assert rank(breached["severity"]) >= rank(untouched["severity"])


def test_b12_what_stays_the_same_and_why():
    # Refused talks leave the debt and the lender's rights as they were: the difference is in the steps.
    failed = assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "failed")
    in_progress = assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "in_progress")
    assert failed["severity"] == in_progress["severity"] == "high"
    assert {s["id"] for s in failed["steps"]} != {s["id"] for s in in_progress["steps"]}
    # An overdue already reported is not erased by an agreement, kept or broken (FACTS §A8): the credit
    # impact of the same days is the same; only severity separates them.
    agreed = assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "agreed")
    breached = assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "breached")
    assert agreed["credit_impact"]["level"] == breached["credit_impact"]["level"]
    assert rank(agreed["severity"]) < rank(breached["severity"])


# -------------------------------------------------------------------- a void contract still returns the money

CIVIL_CODE_157 = ("民事法律行为无效、被撤销或者确定不发生效力后，行为人因该行为取得的财产，应当予以返还；不能返还或者没有必要"
                  "返还的，应当折价补偿。有过错的一方应当赔偿对方由此所受到的损失；各方都有过错的，应当各自承担相应的责任。"
                  "法律另有规定的，依照其规定。")


def test_where_the_contract_may_be_void_the_report_says_the_money_received_goes_back():
    record = assess("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none")
    consequences = [c["id"] for c in record["consequences"]]
    # Right after the voidness, so nobody reads "void" as "nothing owed".
    assert consequences.index("void_contract_restitution") == consequences.index("unlicensed_contract_void") + 1
    ref = next(r for r in record["references"] if r["id"] == "civil_code_157")
    assert ref["verbatim"] is True and ref["text"] == CIVIL_CODE_157  # LawRefBook/Laws 民法典/总则.md
    text = next(c["text"] for c in record["consequences"] if c["id"] == "void_contract_restitution")
    assert "法院认定" in text and "过错" in text  # hedged: a court decides, losses go by fault
    short = flat(report("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none"))
    assert "合同无效，拿到手的钱仍要还回去" in short


def test_the_restitution_in_english_and_in_the_answer_about_cost():
    record = assess("-d", "20", "-a", "10000", "-p", "unlicensed", "-n", "none", "--concerns", "cost", lang="en")
    ref = next(r for r in record["references"] if r["id"] == "civil_code_157")
    assert ref["text"] == CIVIL_CODE_157 and "returned" in ref["translation"]
    text = next(c["text"] for c in record["consequences"] if c["id"] == "void_contract_restitution")
    assert text.startswith("A void contract still means giving back what you received")
    answer = record["answers"][0]
    assert answer["concern"] == "cost" and "still goes back" in answer["text"]
    assert "civil_code_157" in answer["references"]


def test_a_friends_loan_is_not_told_its_contract_is_void():
    found = {c["id"] for c in assess("-d", "20", "-a", "10000", "-p", "朋友", "-n", "none")["consequences"]}
    assert not {"unlicensed_contract_void", "void_contract_restitution"} & found


# ------------------------------------------------------------------------------------------- a repaid debt

REPAID = ("-d", "400", "-a", "5000", "-p", "网商贷", "-n", "none", "--repaid-on", "2026-02-15")


def test_a_repaid_debt_is_settled_with_low_severity_and_keeps_the_stage_its_days_reached():
    record = assess(*REPAID)
    assert record["settled"] is True
    assert record["severity"] == "low"
    assert record["stage"] == "legal_risk"  # CONTRACT §5: the stage's values stay as scripts know them
    assert record["headline"].startswith("这笔欠款你已经还清")
    unpaid = assess(*REPAID[:-2])
    assert unpaid["settled"] is False and unpaid["severity"] == "high"


@pytest.mark.parametrize(("lang", "said"), [("zh", "当前阶段：已还清（逾期时到过“法律风险期”）"),
                                            ("en", "Stage: Repaid in full (the overdue had reached: Legal risk)")])
def test_the_short_report_names_the_stage_as_repaid(lang, said):
    out = report(*REPAID, lang=lang)
    assert said in out.splitlines()[1]
    assert ("严重程度：低" if lang == "zh" else "Severity: Low") in out.splitlines()[1]
    for fmt in ("markdown", "html"):
        assert said in run(*REPAID, fmt=fmt, lang=lang)


@pytest.mark.parametrize("negotiation", ["none", "breached", "failed"])
def test_a_repaid_large_old_debt_is_low_whatever_the_talks(negotiation):
    record = assess("-d", "200", "-a", "80000", "-p", "credit_card", "-n", negotiation, "--repaid-on", "2026-06-01")
    assert (record["settled"], record["severity"]) == (True, "low")


def test_court_action_keeps_its_severity_after_repayment():
    record = assess(*REPAID, "--legal-status", "sued")
    assert record["settled"] is True
    assert (record["stage"], record["severity"]) == ("litigation", "high")


def batch_records(tmp_path, csv_text: str) -> list[dict]:
    """The records `advisor batch` writes for a CSV file."""
    rows = tmp_path / "cases.csv"
    rows.write_text(csv_text, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(rows), "-q", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_settled_through_batch_and_the_python_api(tmp_path):
    first, second = batch_records(tmp_path, "编号,逾期天数,金额,平台,协商情况,repaid_on\n"
                                  "A,400,5000,网商贷,未协商,2026-02-15\nB,400,5000,网商贷,未协商,\n")
    assert (first["settled"], first["severity"], first["stage"]) == (True, "low", "legal_risk")
    assert (second["settled"], second["severity"]) == (False, "high")
    api = advisor.assess({"overdue_days": 400, "amount": 5000, "platform": "网商贷", "negotiation": "none",
                          "repaid_on": "2026-02-15"}, as_of=date(2026, 11, 29))
    assert (api["settled"], api["severity"]) == (True, "low")


# ------------------------------------------------------------------------------- repaid against received

def case(received: str | None, repaid: str | None) -> Case:
    return Case(20, Decimal("10000"), "unlicensed", "none",
                received=None if received is None else Decimal(received),
                repaid_so_far=None if repaid is None else Decimal(repaid))


@pytest.mark.parametrize(("received", "repaid", "covered", "outstanding", "over"), [
    ("7000", "3000", False, "4000.00", "0.00"),
    ("7000.10", "3000.05", False, "4000.05", "0.00"),
    ("7000", "7000", True, "0.00", "0.00"),
    ("7000", "8000.01", True, "0.00", "1000.01"),
    ("0", "0", True, "0.00", "0.00"),
    ("10000000000", "0.01", False, "9999999999.99", "0.00"),
])
def test_repaid_against_received_is_exact(received, repaid, covered, outstanding, over):
    check = repayment_check(case(received, repaid))
    assert check == {"received": f"{Decimal(received):.2f}", "repaid_so_far": f"{Decimal(repaid):.2f}",
                     "covered": covered, "outstanding": outstanding, "repaid_over": over}
    # What went back and what is left add up to what was received, to the cent.
    assert Decimal(outstanding) + min(Decimal(repaid), Decimal(received)) == Decimal(received)


@pytest.mark.parametrize(("received", "repaid"), [(None, "3000"), ("7000", None), (None, None)])
def test_no_comparison_without_both_answers(received, repaid):
    assert repayment_check(case(received, repaid)) is None


def test_repaid_less_than_received_says_what_is_left_as_a_plain_number():
    args = ("-d", "20", "-a", "10000", "-p", "私人借款", "-n", "none", "--received", "7000", "--repaid-so-far", "3000")
    check = assess(*args)["repayment_check"]
    assert (check["covered"], check["outstanding"]) == (False, "4000.00")
    assert "还有 4,000.00 元没还回去" in check["text"]
    short = flat(report(*args))
    assert "已还的和到手的对一对" in short and "还有4,000.00元没还回去" in short.replace(" ", "")
    en = assess(*args, lang="en")["repayment_check"]["text"]
    assert "4,000.00 of the money you received has not gone back yet" in en


def test_repaid_more_than_received_says_so_and_that_the_excess_can_be_disputed():
    args = ("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none", "--received", "7000", "--repaid-so-far", "8000")
    record = assess(*args, "--concerns", "cost")
    check = record["repayment_check"]
    assert (check["covered"], check["repaid_over"]) == (True, "1000.00")
    text = check["text"]
    assert "多还了 1,000.00 元" in text and "第六百七十条" in text and "异议" in text and "法院认定" in text
    assert "签合同时一年期LPR的4倍" in text  # the line this lender is held to (catalog/interest.yaml)
    licensed = assess("-d", "20", "-a", "10000", "-p", "花呗", "-n", "none", "--received", "7000",
                      "--repaid-so-far", "8000")["repayment_check"]["text"]
    assert "年化24%" in licensed and "LPR" not in licensed
    en = assess(*args, lang="en")["repayment_check"]["text"]
    assert "1,000.00 more" in en and "for a court to decide" in en
    even = assess("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none", "--received", "7000",
                  "--repaid-so-far", "7000")["repayment_check"]["text"]
    assert "全部还回去" in even and "多还了" not in even


def test_the_comparison_fits_the_short_reports_budget_and_reaches_batch(tmp_path):
    args = ("-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--received", "4000", "--repaid-so-far", "4500")
    for lang in ("zh", "en"):
        assert len(report(*args, lang=lang).splitlines()) <= 70  # README example's 60 lines, plus one box
    first, second = batch_records(tmp_path, "逾期天数,金额,平台,协商情况,到手金额,已还金额\n"
                                  "20,10000,私人借款,未协商,7000,3000\n20,10000,私人借款,未协商,7000,\n")
    assert first["repayment_check"]["outstanding"] == "4000.00"
    assert second["repayment_check"] is None


def test_a_repaid_debt_among_several_is_named_repaid():
    args = ["assess", "--debt", "网商贷,5000,400,none,repaid_on=2026-02-15", "--debt", "信用卡,6万,40,none",
            "--no-input", "--as-of", AS_OF]
    data = json.loads(CliRunner().invoke(cli.app, [*args, "--format", "json"]).stdout)
    assert [(d["settled"], d["severity"]) for d in data["debts"]] == [(True, "low"), (False, "high")]
    result = CliRunner().invoke(cli.app, args, env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "已还清（逾期时到过“法律风险期”）" in result.stdout


def test_the_counsellors_labels_name_a_repaid_debt_repaid(tmp_path):
    rows = tmp_path / "clients.csv"
    rows.write_text("编号,逾期天数,金额,平台,协商情况,repaid_on\nA,400,5000,网商贷,未协商,2026-02-15\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli.app, ["batch", str(rows), "--labels", "-o", str(out), "-q", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "已还清（逾期时到过“法律风险期”）" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, goes_back, counted", [
    ("zh", ("仍要还",), "已经还的"),
    ("en", ("still goes back", "still has to be paid back", "still means giving back"), "repaid"),
])
def test_what_an_unlicensed_lender_is_owed_back_counts_what_was_repaid(lang, goes_back, counted):
    """Someone who repaid more than they received from a lender without a licence is told, in the
    repayment box, that all they received has gone back; no other line may tell them it must still go
    back without saying that what they repaid counts."""
    text = flat(run("-d", "60", "-a", "5000", "-p", "unlicensed", "-n", "none", "--received", "3000",
                    "--repaid-so-far", "4500", "--apr", "300%", "--full", fmt="markdown", lang=lang))
    sentences = [s for s in text.replace("；", "。").replace(";", ".").split("。" if lang == "zh" else ". ")
                 if any(g in s for g in goes_back)]
    assert sentences
    assert all(counted in s for s in sentences), sentences


@pytest.mark.parametrize(("repaid_on", "says"), [
    ("2026-01-10", "符合一次性信用修复，信用报告上应已不再展示（征信系统里保存到 2031-01-10）"),
    ("2019-12-31", "5年保存期已在 2024-12-31 届满，应当已经删除"),
    ("2026-06-01", "预计保存到 2031-06-01，之后应当删除"),
])
def test_the_credit_box_says_what_became_of_a_repaid_record(repaid_on, says):
    # Before, each said "kept until <date>, then deleted": in the future tense for a date already past,
    # and beside an answer saying the one-time repair no longer shows the record.
    args = ("-d", "40", "-a", "8000", "-p", "花呗", "-n", "none", "--repaid-on", repaid_on)
    record = json.loads(run(*args))
    assert record["credit_impact"]["summary"].startswith("按你填写的还清日期 " + repaid_on)
    assert says in record["credit_impact"]["summary"]
    assert says.split("（")[0][:20] in run(*args, fmt="rich").replace("\n", "")


def test_the_english_box_says_the_same():
    record = json.loads(run("-d", "40", "-a", "8000", "-p", "花呗", "-n", "none", "--repaid-on", "2026-01-10",
                            lang="en"))
    assert "one-time credit repair" in record["credit_impact"]["summary"].split(".")[0]


def test_a_rule_set_that_changes_the_repair_condition_changes_the_box(tmp_path):
    layer = tmp_path / "layer.yaml"
    layer.write_text("conditions:\n  - id: one_time_repair_applies\n    override: true\n"
                     "    when: {is: one_time_repair_scope, repaid_on: {lte: 2025-12-31}}\n", encoding="utf-8")
    args = ("-d", "40", "-a", "8000", "-p", "花呗", "-n", "none", "--repaid-on", "2026-01-10")
    record = json.loads(run(*args, "--rules", "builtin", "--rules", str(layer)))
    assert "预计保存到 2031-01-10" in record["credit_impact"]["summary"]
    assert record["answers"][0]["id"] != "credit.one-time-repair"


# A record whose five years (征信业管理条例 第十六条) ended before the assessment date should be gone: before,
# the box said "■■■■ 严重" beside "保存期已届满，应当已经删除", and the consequences still said a mortgage
# might be refused because of it.
EXPIRED = ("-d", "400", "-a", "5000", "-p", "信用卡", "-n", "none", "--repaid-on", "2020-06-01", "--concerns", "征信")
LIVE_RECORD = {"credit_record", "credit_access_limited"}


@pytest.mark.parametrize(("lang", "level", "severe", "loans"), [("zh", "暂无影响", "严重", "申请房贷"),
                                                               ("en", "No impact", "Severe", "mortgage")])
def test_a_record_past_its_five_years_is_not_shown_as_serious(lang, level, severe, loans):
    record = assess(*EXPIRED, lang=lang)
    assert record["credit_impact"]["level"] == "none"
    assert not LIVE_RECORD & {c["id"] for c in record["consequences"]}
    answer = record["answers"][0]
    assert (answer["concern"], answer["id"]) == ("credit", "credit.retention-over")
    assert {"credit_reg_16", "credit_reg_25"} <= set(answer["references"])
    assert {"check_credit_report", "dispute_errors"} <= {s["id"] for s in record["steps"]}
    out = report(*EXPIRED, lang=lang)
    box = out[out.index("征信影响" if lang == "zh" else "Credit report impact"):]
    assert level in box.splitlines()[1] and severe not in box.splitlines()[1]  # the printed level is the JSON's
    assert loans not in out, out
    if lang == "zh":
        assert "应当已经从征信报告上删除" in out.replace("\n", "") and "提出异议" in out.replace("\n", "")


def test_the_record_counts_until_the_day_its_five_years_end():
    # Repaid 2021-11-29: kept until 2026-11-29. A large debt, outside the one-time repair.
    args = ("-d", "400", "-a", "50000", "-p", "信用卡", "-n", "none", "--repaid-on", "2021-11-29", "--format", "json",
            "--no-input")
    for as_of, level, live in (("2026-11-28", "severe", True), ("2026-11-29", "none", False)):
        result = CliRunner().invoke(cli.app, ["assess", *args, "--as-of", as_of])
        record = json.loads(result.stdout)
        assert record["credit_impact"]["level"] == level
        assert ({c["id"] for c in record["consequences"]} >= LIVE_RECORD) is live
    api = advisor.assess({"overdue_days": 400, "amount": 50000, "platform": "信用卡", "negotiation": "none",
                          "repaid_on": "2021-11-29"}, as_of=date(2026, 11, 30))
    assert api["credit_impact"]["level"] == "none"
    assert "credit.retention-over" in {a["id"] for a in api["answers"]}
