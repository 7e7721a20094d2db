"""The content audit of 2026-11, court, relief, limitation and enforcement items (A1, A2, A3, A10, A11,
B1, B2, B7, B13, C1, C2, C4, C5): each case the audit ran, through the CLI as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from conftest import assess_json, shown_ids
from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner()


def assess(*args: str, as_of: str = "2026-11-29") -> dict:
    return assess_json(*args, as_of=as_of)


def ids(record: dict, key: str) -> list[str]:
    return [item["id"] for item in record[key]]


everything = shown_ids


# ---------------------------------------------------------------- A1, C1: payment orders and court


def test_payment_order_objection_is_reviewed_and_pleading_hardship_does_not_stop_it():
    record = assess("-d", "120", "-a", "20000", "-p", "bank_loan", "-n", "none", "--legal-status", "sued")
    found = everything(record)
    assert {"object_payment_order", "payment_order_enforceable", "payment_order", "civil_procedure_228",
            "civil_procedure_interp_436", "civil_procedure_interp_439"} <= found
    texts = {c["id"]: c["text"] for c in record["consequences"]}
    refs = {r["id"]: r for r in record["references"]}
    # The pre-2012 rule ("an objection ends the procedure") is gone; the court reviews the objection.
    assert "提出书面异议的，督促程序终结" not in refs["payment_order"]["text"]
    assert "异议成立的" in refs["payment_order"]["text"] and "审查" in refs["payment_order"]["text"] and "转入诉讼" in refs["payment_order"]["text"]
    assert "照样有效" in texts["payment_order_enforceable"] and "15日" in texts["payment_order_enforceable"]
    step = next(s for s in record["steps"] if s["id"] == "object_payment_order")
    assert "挡不住" in step["text"]
    assert refs["civil_procedure_interp_436"]["verbatim"] is True


def test_court_essentials_defence_period_small_claims_and_default_judgment():
    record = assess("-d", "60", "-a", "8000", "-p", "花呗", "-n", "none", "--legal-status", "sued")
    found = everything(record)
    assert {"file_defence", "default_judgment", "small_claims_final", "civil_procedure_128",
            "civil_procedure_147", "civil_procedure_165"} <= found
    texts = {c["id"]: c["text"] for c in record["consequences"]}
    assert "一审终审" in texts["small_claims_final"] and "个人账户" in texts["default_judgment"]
    assert "一裁终局" in texts["arbitration_final"] and "3个月" in texts["arbitration_final"]
    assert {"arbitration_law_9", "arbitration_law_2025_72"} <= found
    defence = next(s["text"] for s in record["steps"] if s["id"] == "file_defence")
    assert "通知的期限" in defence and "7日" in defence and "civil_procedure_interp_275" in found
    en = assess("-d", "60", "-a", "8000", "-p", "花呗", "-n", "none", "--legal-status", "sued", "--lang", "en")
    assert "cannot be appealed" in {c["id"]: c["text"] for c in en["consequences"]}["small_claims_final"]


def test_court_content_stays_out_of_cases_not_in_court():
    record = assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "none")
    assert not {"file_defence", "default_judgment", "small_claims_final", "enforcement_limits"} & everything(record)


# ---------------------------------------------------------------- A2, A3, B1, B2, C4: one-time relief


def test_repaid_debt_within_the_relief_is_told_how_to_claim_it_not_to_repay():
    record = assess("-d", "400", "-a", "5000", "-p", "网商贷", "-n", "none", "--repaid-on", "2026-02-15")
    steps, cons = ids(record, "steps"), ids(record, "consequences")
    assert "claim_one_time_repair" in steps and "keep_payoff_proof" in steps
    for gone in ("repay_now", "contact_lender", "propose_plan", "respond_to_lawsuit", "written_agreement",
                 "check_one_time_repair"):
        assert gone not in steps
    for gone in ("lawsuit", "dishonest_list", "enforcement_measures"):
        assert gone not in cons
    assert "现已截止" not in record["credit_impact"]["summary"]
    assert "不再展示" in record["credit_impact"]["summary"]
    answers = {a["concern"]: a["id"] for a in record["answers"]}
    assert answers == {"credit": "credit.one-time-repair", "lawsuit": "lawsuit.repaid"}
    assert "已经还清" in record["headline"]
    claim = next(s for s in record["steps"] if s["id"] == "claim_one_time_repair")
    assert "30日" in claim["text"] and "免费" in claim["text"]


def test_repaid_after_the_deadline_or_too_large_gets_no_relief():
    late = assess("-d", "400", "-a", "5000", "-p", "网商贷", "-n", "none", "--repaid-on", "2026-05-01")
    assert "claim_one_time_repair" not in ids(late, "steps")
    assert "现已截止" in late["credit_impact"]["summary"]
    large = assess("-d", "400", "-a", "20000", "-p", "网商贷", "-n", "none", "--repaid-on", "2026-02-15")
    assert "claim_one_time_repair" not in ids(large, "steps")
    assert "repay_now" not in ids(large, "steps"), "repaid all the same"


def test_relief_never_offered_for_an_overdue_that_began_in_2026():
    # B2: as of 2026-03-01, 30 days overdue began on 2026-01-30: outside 2020-2025.
    record = assess("-d", "30", "-a", "5000", "-p", "网商贷", "-n", "none", as_of="2026-03-01")
    assert "check_one_time_repair" not in ids(record, "steps")
    assert "一次性信用修复" not in record["credit_impact"]["summary"]
    # The same days as of 2026-01-15 began in 2025: in the window, and the deadline is still ahead.
    inside = assess("-d", "30", "-a", "5000", "-p", "网商贷", "-n", "none", as_of="2026-01-15")
    assert "check_one_time_repair" in ids(inside, "steps")
    assert "2020" in inside["credit_impact"]["summary"]


@pytest.mark.parametrize("as_of", ["2026-03-31", "2026-04-01"])
def test_the_overdue_start_is_the_days_counted_back_from_as_of(as_of):
    # The last day an overdue can begin and still count is 2025-12-31: one day later it does not.
    day = date.fromisoformat(as_of)
    edge = (day - date(2025, 12, 31)).days
    for days, inside in ((edge, True), (edge - 1, False)):
        record = assess("-d", str(days), "-a", "5000", "-p", "bank_loan", "-n", "none", as_of=as_of)
        text = record["credit_impact"]["summary"]
        shown = "check_one_time_repair" in ids(record, "steps") or "现已截止" in text
        assert shown is inside, (days, as_of)


def test_batch_and_assess_agree_on_the_relief_edge(tmp_path):
    as_of = date(2026, 3, 1)
    edge = (as_of - date(2025, 12, 31)).days
    rows = "\n".join(f"r{d},{d},5000,bank_loan,none" for d in (edge - 1, edge, edge + 1))
    path = tmp_path / "cases.csv"
    path.write_text("id,overdue_days,amount,platform,negotiation\n" + rows + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "advisor", "batch", str(path), "--as-of", as_of.isoformat(), "-q",
                          "--jobs", "1"], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    got = ["check_one_time_repair" in ids(r, "steps") for r in records]
    assert got == [False, True, True]
    for r in records:
        alone = assess("-d", str(r["case"]["overdue_days"]), "-a", "5000", "-p", "bank_loan", "-n", "none",
                       as_of=as_of.isoformat())
        assert ids(alone, "steps") == ids(r, "steps")


def test_overdue_start_counts_back_from_the_repayment_date_when_given():
    # Repaid 2026-03-10 after 50 days: began 2026-01-19, outside the window, whatever as_of.
    record = assess("-d", "50", "-a", "5000", "-p", "bank_loan", "-n", "none", "--repaid-on", "2026-03-10")
    assert "claim_one_time_repair" not in ids(record, "steps")
    began_2025 = assess("-d", "90", "-a", "5000", "-p", "bank_loan", "-n", "none", "--repaid-on", "2026-03-10")
    assert "claim_one_time_repair" in ids(began_2025, "steps")
    assert date(2026, 3, 10) - timedelta(days=90) <= date(2025, 12, 31)


# ---------------------------------------------------------------- A10, B7: "not a crime"


def test_not_a_crime_never_stands_beside_the_malicious_overdraft_warning():
    record = assess("-d", "120", "-a", "60000", "-p", "信用卡", "-n", "none")
    assert "criminal_risk" in ids(record, "consequences")
    shown = " ".join(c["text"] for c in record["consequences"]) + record["headline"]
    shown += " ".join(a["verdict"] + a["text"] for a in record["answers"])
    assert "民事纠纷，不是犯罪" not in shown  # the warning itself says when it is one


def test_the_loan_answer_on_jail_is_qualified():
    record = assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--concerns", "jail")
    verdict = record["answers"][0]["verdict"]
    assert "拒不执行" in verdict and "骗取" in verdict
    assert "criminal_law_313" in record["answers"][0]["references"]


# ---------------------------------------------------------------- B13, C2: limitation on old debts


def test_old_debt_gets_the_limitation_warning_before_any_letter():
    record = assess("-d", "1500", "-a", "8000", "-p", "小贷", "-n", "none", "--income", "5000", "--expenses", "3000",
                    "--concerns", "time_limit")
    found = everything(record)
    assert {"ask_before_acknowledging", "limitation_old_debt", "civil_code_192", "civil_code_193",
            "limitation_rules_8", "limitation_rules_19"} <= found
    step = next(s for s in record["steps"] if s["id"] == "ask_before_acknowledging")
    assert step["urgency"] == "now" and "12348" in step["text"]
    answer = record["answers"][0]
    assert answer["id"] == "time_limit.old-debt" and "签字" in answer["verdict"]
    assert "短信" in {c["id"]: c["text"] for c in record["consequences"]}["limitation_old_debt"]


def test_the_old_debt_letter_and_script_carry_the_warning_and_a_recent_one_does_not():
    old = runner.invoke(app, ["letter", "-d", "1500", "-a", "8000", "-p", "小贷", "-n", "none", "--format", "text"])
    assert old.exit_code == 0, old.output
    assert "诉讼时效" in old.stdout and "12348" in old.stdout.split("协商还款申请书")[0]
    script = runner.invoke(app, ["letter", "-d", "1500", "-a", "8000", "-p", "小贷", "-n", "none", "--script"])
    assert "时效" in script.stdout.splitlines()[0]
    recent = runner.invoke(app, ["letter", "-d", "400", "-a", "8000", "-p", "小贷", "-n", "none", "--format", "text"])
    assert "诉讼时效" not in recent.stdout
    en = runner.invoke(app, ["letter", "-d", "1500", "-a", "8000", "-p", "小贷", "-n", "none", "--lang", "en"])
    assert "limitation period" in en.stdout


def test_no_limitation_warning_after_a_judgment():
    record = assess("-d", "1500", "-a", "8000", "-p", "小贷", "-n", "none", "--legal-status", "judgment")
    assert not {"ask_before_acknowledging", "limitation_old_debt"} & everything(record)


# ---------------------------------------------------------------- A11, C5: dishonest list and enforcement


def test_dishonest_list_deletion_and_correction():
    record = assess("-d", "500", "-a", "80000", "-p", "信用卡", "-n", "none", "--legal-status", "dishonest_listed")
    step = next(s for s in record["steps"] if s["id"] == "request_dishonest_removal")
    assert "3个工作日" in step["text"] and "纠正" in step["text"]


def test_enforcement_protects_living_necessities_and_names_the_real_crime():
    record = assess("-d", "200", "-a", "30000", "-p", "consumer_finance", "-n", "failed", "--legal-status", "enforcement")
    found = everything(record)
    assert {"enforcement_limits", "settlement_default", "civil_procedure_241", "civil_procedure_254",
            "civil_procedure_255", "criminal_law_313"} <= found
    texts = {c["id"]: c["text"] for c in record["consequences"]}
    assert "生活必需" in texts["enforcement_limits"] and "拒不执行" in texts["enforcement_limits"]
    assert "恢复执行" in texts["settlement_default"]
    assert "1至3个月" in texts["listing_grace_period"] and "good_faith_enforcement_2019" in found


def test_no_grace_period_once_listed():
    record = assess("-d", "500", "-a", "80000", "-p", "信用卡", "-n", "none", "--legal-status", "dishonest_listed")
    assert "listing_grace_period" not in ids(record, "consequences")


@pytest.mark.parametrize(("status", "told"), [("刚收到判决书", True), ("一审判了", True), ("judgment", True),
                                               ("enforcement", False), ("sued", False)])
def test_a_judgment_just_received_is_told_first_of_the_15_days_to_appeal(status, told):
    # "判决" is read as a judgment in effect; one served days ago can still be appealed (民诉法 171),
    # and the days run out whatever else is done: the first step due today.
    record = assess("-d", "200", "-a", "30000", "-p", "consumer_finance", "-n", "none", "--legal-status", status)
    now = [s["id"] for s in record["steps"] if s["urgency"] == "now"]
    assert (now[:1] == ["appeal_within_15_days"]) is told
    assert ("civil_procedure_171" in ids(record, "references")) is told
    if told:
        short = runner.invoke(app, ["assess", "-d", "200", "-a", "3万", "-p", "招联", "-n", "未协商", "--legal-status",
                                    status, "--no-input"], env={"COLUMNS": "80", "NO_COLOR": "1"})
        assert "15日内可以上诉" in short.stdout


def test_someone_already_listed_is_told_how_the_listing_ends_not_how_to_avoid_it():
    listed = assess("-d", "730", "-a", "30000", "-p", "借呗", "-n", "none", "--legal-status", "失信")
    steps, consequences = ids(listed, "steps"), ids(listed, "consequences")
    assert steps[:3] == ["settle_enforcement", "request_dishonest_removal", "report_property_listed"]
    assert "report_property_truthfully" not in steps, "'or you may be listed' is said to someone listed"
    assert "dishonest_list" not in consequences and consequences[0] == "dishonest_list_term"
    enforced = assess("-d", "730", "-a", "30000", "-p", "借呗", "-n", "none", "--legal-status", "enforcement")
    assert "report_property_truthfully" in ids(enforced, "steps") and "dishonest_list" in ids(enforced, "consequences")


@pytest.mark.parametrize(("status", "answer"), [("执行", "contacts.enforcement"), ("失信", "contacts.enforcement"),
                                                 ("judgment", "contacts.default"), (None, "contacts.default")])
def test_under_enforcement_the_employer_may_be_told_to_withhold_wages(status, answer):
    record = assess("-d", "365", "-a", "30000", "-p", "招联", "-n", "none", "--concerns", "会不会告诉我单位",
                    *(["--legal-status", status] if status else []))
    assert record["answers"][0]["id"] == answer
    if answer == "contacts.enforcement":
        assert "单位" in record["answers"][0]["verdict"] and "civil_procedure_254" in record["answers"][0]["references"]


def test_a_private_lender_under_enforcement_is_not_told_of_the_lenders_collection_rules():
    record = assess("-d", "365", "-a", "30000", "-p", "personal", "-n", "none", "--concerns", "contacts",
                    "--legal-status", "enforcement")
    assert record["answers"][0]["id"] == "contacts.personal"
