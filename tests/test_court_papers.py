"""Which court paper a person holds, and what follows from it (review of 2026-11-30): a payment order
and an arbitration are not lawsuits; a kept agreement answers the fear of a home visit; the English
keeps the Chinese hedges; the card's personalised-plan rule is cited for cards only. Each case through
a user's door: the CLI, the batch command, the letter."""

from __future__ import annotations

import json

import pytest
from conftest import assess_json, jsonl, shown_ids
from typer.testing import CliRunner

from advisor import cli

runner = CliRunner()

PAYMENT_ORDER = ["-d", "200", "-a", "4万", "-p", "网商贷", "-n", "被拒了", "--legal-status", "收到支付令"]
ARBITRATION = ["-d", "120", "-a", "2万", "-p", "花呗", "-n", "未协商", "--legal-status", "仲裁"]
# What belongs to a lawsuit only: the defence and its deadlines, the hearing, small claims, the appeal.
LAWSUIT_ONLY = {"file_defence", "respond_to_lawsuit", "note_court_deadlines", "default_judgment", "small_claims_final",
                "appeal_within_15_days", "court_case", "civil_procedure_128", "civil_procedure_147",
                "civil_procedure_165", "civil_procedure_171"}


def report(*args: str) -> str:
    """The short Rich report, as a person reads it."""
    result = runner.invoke(cli.app, ["assess", *args, "--no-input", "--as-of", "2026-11-30"],
                           env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def answer(record: dict, concern: str) -> dict:
    return next(a for a in record["answers"] if a["concern"] == concern)


# ---------------------------------------------------------------- a payment order


def test_a_payment_order_gets_its_own_deadline_not_a_lawsuits_defence():
    record = assess_json(*PAYMENT_ORDER)
    assert record["case"]["legal_status"] == "payment_order"
    assert record["stage"] == "litigation" and record["severity"] == "high"
    assert "支付令" in record["headline"] and "15日" in record["headline"] and "已到法院" not in record["headline"]
    lawsuit = answer(record, "lawsuit")
    assert "已被起诉" not in lawsuit["verdict"] and "支付令" in lawsuit["verdict"] and "15日" in lawsuit["verdict"]
    assert "书面" in lawsuit["verdict"] and "不用答辩" in lawsuit["verdict"]
    steps = [s["id"] for s in record["steps"]]
    assert steps.index("object_payment_order") < 2, "its 15 days come before everything but checking the paper"
    assert not LAWSUIT_ONLY & shown_ids(record)
    assert {"payment_order_no_hearing", "civil_procedure_227", "civil_procedure_228",
            "civil_procedure_interp_436"} <= shown_ids(record)


def test_the_short_report_for_a_payment_order_says_nothing_of_a_defence_or_a_hearing():
    text = report(*PAYMENT_ORDER)
    assert "已被起诉：这是民事案件" not in text
    assert "不答辩也照常开庭" not in text and "按法院通知的期限交答辩状" not in text
    assert "你收到了支付令" in text.replace("\n", "")


def test_in_english_the_payment_order_is_named_and_its_15_days_come_first():
    record = assess_json(*PAYMENT_ORDER, "--lang", "en")
    assert "payment order" in record["headline"] and "15 days" in record["headline"]
    assert "You have been sued" not in answer(record, "lawsuit")["verdict"]


# ---------------------------------------------------------------- an arbitration


def test_an_arbitration_is_not_told_of_a_courts_defence_deadlines_or_an_appeal():
    record = assess_json(*ARBITRATION)
    assert record["case"]["legal_status"] == "arbitration"
    assert record["stage"] == "litigation"
    found = shown_ids(record)
    assert not LAWSUIT_ONLY & found
    assert "object_payment_order" not in found and "ask_court_reduce_charges" not in found
    assert {"answer_arbitration", "verify_arbitration_notice", "arbitration_case", "arbitration_law_9",
            "arbitration_law_25"} <= found
    lawsuit = answer(record, "lawsuit")
    assert "仲裁" in lawsuit["verdict"] and "不能上诉" in lawsuit["verdict"]
    every_text = json.dumps(record, ensure_ascii=False)
    assert "答辩状" not in every_text, "a court's defence paper; arbitration has an answer (答辩书)"
    assert "15日内可以上诉" not in every_text


def test_the_arbitration_report_names_the_commission_and_no_appeal():
    text = report(*ARBITRATION).replace("\n", "")
    assert "你被申请了仲裁" in text and "一裁终局" in text
    assert "仲裁委员会" in text
    assert "答辩状" not in text and "上诉期" not in text


@pytest.mark.parametrize(("said", "meant"), [
    ("支付令", "payment_order"), ("法院发了支付令", "payment_order"), ("payment order", "payment_order"),
    ("仲裁", "arbitration"), ("网上仲裁", "arbitration"), ("对方申请了仲裁", "arbitration"),
    ("仲裁要开庭了", "arbitration"),
    # An award made is a decision in force, as before; a summons is a lawsuit.
    ("收到仲裁裁决书", "judgment"), ("收到传票", "sued"), ("被起诉了", "sued"),
    # The old label of `sued` still reads as `sued`, and the numbers people type stay as they were.
    ("被起诉/收到传票或支付令", "sued"), ("3", "sued"), ("6", "dishonest_listed"),
    ("7", "payment_order"), ("8", "arbitration"),
])
def test_what_people_say_about_court_papers(said, meant):
    record = assess_json("-d", "100", "-a", "9000", "-p", "借呗", "-n", "none", "--legal-status", said)
    assert record["case"]["legal_status"] == meant


def test_sued_keeps_its_meaning_and_its_payment_order_notes():
    """`sued` keeps its id and what it always said, payment-order and arbitration notes included, for
    scripts and files that use it for either."""
    found = shown_ids(assess_json("-d", "120", "-a", "20000", "-p", "bank_loan", "-n", "none", "--legal-status", "sued"))
    assert {"file_defence", "respond_to_lawsuit", "object_payment_order", "payment_order_enforceable",
            "arbitration_final"} <= found


def test_a_batch_file_saying_payment_order_or_arbitration_is_read_so(tmp_path):
    source = tmp_path / "cases.csv"
    source.write_text("逾期天数,逾期金额,平台,协商情况,诉讼情况\n"
                      "200,4万,网商贷,被拒了,收到支付令\n120,2万,花呗,未协商,仲裁\n", encoding="utf-8")
    result = runner.invoke(cli.app, ["batch", str(source), "--as-of", "2026-11-30"])
    assert result.exit_code == 0, result.output
    first, second = jsonl(result.stdout)
    assert first["case"]["legal_status"] == "payment_order" and second["case"]["legal_status"] == "arbitration"
    assert "object_payment_order" in [s["id"] for s in first["steps"]]
    assert "file_defence" not in [s["id"] for s in first["steps"] + second["steps"]]


@pytest.mark.parametrize(("status", "wanted", "unwanted"), [
    ("支付令", "15日", "你已经被起诉"),
    ("仲裁", "一裁终局", "你已经被起诉"),
])
@pytest.mark.parametrize("script", [False, True])
def test_the_letter_and_script_warn_of_the_papers_own_deadline(status, wanted, unwanted, script):
    args = ["letter", "-d", "120", "-a", "2万", "-p", "花呗", "-n", "未协商", "--legal-status", status,
            "--no-input", "--as-of", "2026-11-30", *(["--script"] if script else [])]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    head = result.stdout[:400]
    assert wanted in head or (script and ("15日" in head or "裁决不能上诉" in head)), head
    assert unwanted not in result.stdout


# ---------------------------------------------------------------- a kept agreement and home visits


def test_a_card_on_a_kept_agreement_is_told_collection_should_stop():
    record = assess_json("-d", "45", "-a", "2万", "-p", "信用卡", "-n", "谈好了在还", "--concerns", "上门")
    visit = answer(record, "visit")
    assert visit["id"] == "visit.agreed-card"
    assert "停止" in visit["verdict"] and "上门催收本身不违法" not in visit["verdict"]
    assert visit["references"] == ["card_rules_70"]
    assert any("个性化分期" in c for c in visit["conditions"]), "only a personalised plan carries that rule"


def test_other_lenders_on_a_kept_agreement_get_no_promise():
    for lang in ("zh", "en"):
        visit = answer(assess_json("-d", "45", "-a", "2万", "-p", "借呗", "-n", "谈好了在还", "--concerns", "上门",
                                   "--lang", lang), "visit")
        assert visit["id"] == "visit.agreed"
        hedge = "一般" if lang == "zh" else "normally"
        assert hedge in visit["verdict"] and ("12378" in visit["text"])
        assert "card_rules_70" not in json.dumps(visit)


# ---------------------------------------------------------------- the English keeps the hedges


def test_the_english_family_answer_keeps_generally_and_promises_nothing():
    record = assess_json("-d", "45", "-a", "1.2w", "-p", "京东金条", "-n", "正在谈", "--concerns", "家人", "--lang", "en")
    text = answer(record, "contacts")["text"]
    assert "generally" in text and "best way" in text
    assert "keeps them out of it" not in text and "employer is not told" not in text


def test_the_short_english_report_keeps_not_statutes_for_night_calls():
    text = report("-d", "45", "-a", "1.2w", "-p", "京东金条", "-n", "正在谈", "--collection", "半夜", "--lang", "en")
    assert "not statutes" in text.replace("\n", " ").replace("  ", " ")


# ---------------------------------------------------------------- card_rules_70 for cards only


@pytest.mark.parametrize("args", [
    ["-d", "60", "-a", "2万", "-p", "分期乐", "-n", "未协商"],
    ["-d", "200", "-a", "4万", "-p", "网商贷", "-n", "被拒了"],
    ["-d", "300", "-a", "5万", "-p", "信用卡", "-n", "未协商", "--legal-status", "失信"],
    ["-d", "300", "-a", "5万", "-p", "信用卡", "-n", "未协商", "--legal-status", "失信", "--hardship", "生病",
     "--income", "3000", "--expenses", "3000"],
])
def test_the_card_instalment_rule_is_not_cited_where_it_does_not_apply(args):
    assert "card_rules_70" not in shown_ids(assess_json(*args))


def test_the_card_instalment_rule_is_still_cited_for_a_card_in_collection():
    record = assess_json("-d", "60", "-a", "2万", "-p", "信用卡", "-n", "未协商")
    assert {"card_rules_70", "ask_card_installment", "stop_interest_reality"} <= shown_ids(record)
