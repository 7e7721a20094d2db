"""`advisor letter`: the negotiation request and the phone script, in Chinese and English."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from advisor import cli

BASE = ["-d", "45", "-a", "2万", "-p", "花呗", "-n", "none", "--as-of", "2026-11-23"]
AFFORDABLE = ["--hardship", "失业", "--income", "6000", "--expenses", "4500"]


def run(args, **kw):
    return CliRunner().invoke(cli.app, ["letter", *args], catch_exceptions=False, **kw)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_letter_has_the_facts_hardship_plan_requests_evidence_and_blanks(rules, lang):
    result = run([*BASE, *AFFORDABLE, "--lang", lang])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# ")
    for blank in ("name", "lender", "contract_no", "phone"):
        assert rules.text(f"letter_blank_{blank}", lang) in text
    assert "45" in text and "20000.00" in text, "the facts"
    assert rules.label("hardship", "unemployment", lang) in text
    assert "1176.48" in text and "17" in text, "the affordable plan, from the same arithmetic as the report"
    assert "2026-11-23" in text
    assert re.search(r"^- ", text, re.M), "a list of evidence to attach"
    assert rules.text("letter_unknown", lang) not in text, "every placeholder was filled"
    if lang == "zh":
        assert "书面" in text and ("家人" in text or "第三人" in text) and "减免" in text
    else:
        assert not re.search(r"[\u4e00-\u9fff]", text.replace("花呗", ""))
        assert "writing" in text and "family" in text and "waive" in text


def test_no_plan_is_proposed_when_nothing_is_affordable():
    affordable = run([*BASE, *AFFORDABLE]).stdout
    broke = run([*BASE, "--hardship", "失业", "--income", "3000", "--expenses", "3500"]).stdout
    assert "1176.48" in affordable
    assert not re.search(r"每月还款\s*\d", broke), "no monthly figure the person cannot keep"
    assert "12348" in broke or "法律援助" in broke


def test_without_a_hardship_the_letter_does_not_invent_one(rules):
    text = run(BASE).stdout
    for choice in rules.choices("hardship"):
        if choice["id"] != "none":
            assert choice["label"]["zh"] not in text


def test_plain_text_and_output_file(tmp_path):
    target = tmp_path / "letter.txt"
    result = run([*BASE, *AFFORDABLE, "--format", "text", "-o", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert "#" not in text and "**" not in text and "协商还款申请书" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_script_is_short(lang):
    result = run([*BASE, *AFFORDABLE, "--script", "--lang", lang])
    assert result.exit_code == 0
    paragraphs = [p for p in result.stdout.split("\n\n") if p.strip()]
    assert 5 <= len(paragraphs) <= 12
    assert "1176.48" in result.stdout


@pytest.mark.parametrize("args", [["--format", "pdf"], ["-d", "x"], ["-o", "/nonexistent/dir/l.md"]])
def test_letter_errors_are_clean(args):
    result = run([*BASE, *args])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_the_letters_plan_adds_up_to_the_amount():
    # 20,000 over 13 months: twelve payments of 1538.47 and a last one of 1538.36, exactly 20,000.00.
    result = run(["-d", "45", "-a", "2万", "-p", "花呗", "-n", "none", "--income", "3500", "--expenses", "1575"])
    assert "1538.47" in result.stdout and "1538.36" in result.stdout and "20000.00" in result.stdout


@pytest.mark.parametrize(("lang", "said"), [("zh", "信已保存到"), ("en", "Letter saved to")])
def test_saving_the_letter_says_so(tmp_path, lang, said):
    target = tmp_path / "letter.md"
    result = run([*BASE, "--lang", lang, "-o", str(target)])
    assert result.exit_code == 0 and said in result.stderr and str(target) in result.stderr
    assert target.read_text(encoding="utf-8").startswith("# "), "a file gets Markdown unless told otherwise"


def test_the_letter_reuses_saved_answers(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("overdue_days: 45\namount: 2万\nplatform: 花呗\nnegotiation: none\nhardship: 失业\n"
                       "monthly_income: 6000\nmonthly_expenses: 4500\n", encoding="utf-8")
    result = run(["--answers", str(answers), "--as-of", "2026-11-23", "--no-input"])
    assert result.exit_code == 0, result.stderr
    assert "1176.48" in result.stdout and "20000.00" in result.stdout


UNLICENSED = ["-d", "10", "-a", "3000", "-p", "714高炮", "-n", "none", "--apr", "1000%", "--received", "2000",
              "--income", "4000", "--expenses", "3000", "--as-of", "2026-11-30"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_letter_to_an_unlicensed_lender_offers_what_was_received_and_asks_no_waiver(lang):
    # Before, the note said "change the amount to what you received" while the letter sent proposed 3,000 in
    # instalments, asked to "adjust" interest above 17% and to waive penalties (so granting the rest), and
    # told the lender the person's income.
    letter = run([*UNLICENSED, "--lang", lang]).stdout
    plan = "合计正好2000.00元" if lang == "zh" else "2000.00 yuan in all"
    assert plan in letter and "3000.00" in letter  # the contract's figure is named as the contract's
    for said in (("高于17%", "罚息", "收入约", "官方渠道") if lang == "zh"
                 else ("above 17%", "penalty interest", "I earn about", "official channels")):
        assert said not in letter, said
    script = run([*UNLICENSED, "--lang", lang, "--script"]).stdout
    assert ("实际到手的是2000.00元" if lang == "zh" else "I actually received 2000.00 yuan") in script
    assert ("罚息" if lang == "zh" else "penalty interest") not in script


@pytest.mark.parametrize(("extra", "offered"), [
    ([], True),
    (["--hardship", "失业"], True),  # and no "proof attached", which the note says not to send
    (["--legal-status", "judgment"], False),  # once judged, what is owed is the judgment's
    (["--repaid-so-far", "2500"], False),  # repaid at least what was received: no promise to pay more
])
def test_what_an_unlicensed_lenders_letter_offers_follows_the_case(extra, offered):
    letter = run([*UNLICENSED, *extra]).stdout
    script = run([*UNLICENSED, *extra, "--script"]).stdout
    assert ("本人愿意归还实际收到的借款2000.00元" in letter) == offered, letter
    assert ("我会按实际到手的钱还" in script) == offered, script
    assert "随本申请附上" not in letter and "按原约定" not in letter and "我可以提供证明材料" not in script
    if "--repaid-so-far" in extra:
        assert "已经还的不比这少" in script and "按约还款" not in script and "分期或延期" not in script


def test_a_licensed_lenders_letter_still_counts_the_amount():
    letter = run(["-d", "10", "-a", "3000", "-p", "借呗", "-n", "none", "--received", "2000", "--income", "4000",
                  "--expenses", "3000", "--as-of", "2026-11-30"]).stdout
    assert "合计正好3000.00元" in letter and "官方渠道" in letter


@pytest.mark.parametrize("platform", ["私人借款", "unlicensed"])
def test_the_english_reason_starts_with_the_hardship_as_its_label_is_written(rules, platform):
    """A label is written to start a sentence ("Job loss"): it leads the reason, never follows a word."""
    letter = run(["-d", "45", "-a", "3000", "-p", platform, "-n", "none", "--hardship", "失业", "--lang", "en",
                  "--as-of", "2026-11-23"]).stdout
    label = rules.label("hardship", "unemployment", "en")
    assert re.search(rf"\*\*(Reason|Why):\*\* {label}, mainly\.", letter), letter
