"""Which court paper a person holds, and what follows from it (review of 2026-11-30): a payment order
and an arbitration are not lawsuits; a kept agreement answers the fear of a home visit; the English
keeps the Chinese hedges; the card's personalised-plan rule is cited for cards only. Each case through
a user's door: the CLI, the batch command, the letter."""

from __future__ import annotations

import json

import pytest
from conftest import assess_json, shown_ids
from typer.testing import CliRunner

from advisor import cli

runner = CliRunner()


def report(*args: str) -> str:
    """The short Rich report, as a person reads it."""
    result = runner.invoke(cli.app, ["assess", *args, "--no-input", "--as-of", "2026-11-30"],
                           env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def answer(record: dict, concern: str) -> dict:
    return next(a for a in record["answers"] if a["concern"] == concern)


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
