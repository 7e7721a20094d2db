"""`advisor letter` for whoever asks and whoever lent: an heir, a relative or a guarantor, and a friend.

The letter is the borrower's. A relative or guarantor is told first that it is for the borrower to
sign; an heir gets a letter that tells the lender of the death and never promises to pay; a loan from
a friend gets a letter to a person, not to an institution.
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from advisor import cli

BANK = ["-d", "60", "-a", "2万", "-p", "bank_loan", "-n", "none", "--as-of", "2026-11-23"]
FRIEND = ["-d", "60", "-a", "2万", "-p", "找朋友借的", "-n", "none", "--as-of", "2026-11-23"]
AFFORDABLE = ["--hardship", "失业", "--income", "6000", "--expenses", "4500"]
BORROWER_INTRO = {"zh": "的借款人，合同编号或借款账号", "en": "am the borrower of a loan from you"}
PROMISES = {"zh": ("按时还款", "愿意继续还款", "每月还款", "愿意履行"), "en": ("I will pay on time", "I want to keep repaying",
                                                                  "a month for", "intend to comply")}


def letter(*args: str) -> str:
    result = CliRunner().invoke(cli.app, ["letter", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_heirs_letter_tells_of_the_death_asks_for_the_details_and_promises_nothing(rules, lang):
    text = letter(*BANK, *AFFORDABLE, "--asker", "heir", "--lang", lang)
    paragraphs = text.split("\n\n")
    assert "12348" in paragraphs[0] and ("1124" in paragraphs[0] or "第一千一百二十四条" in paragraphs[0])
    assert BORROWER_INTRO[lang] not in text
    for blank in ("deceased", "death_date", "name", "lender", "contract_no", "phone"):
        assert rules.text(f"letter_blank_{blank}", lang) in text
    assert ("第一千一百六十一条" if lang == "zh" else "Article 1161") in text, "the estate limit, with its article"
    assert not [p for p in PROMISES[lang] if p in text], "an heir's letter never promises to pay"
    assert "1176.48" not in text, "no plan from the heir's own budget"
    assert ("死亡证明" if lang == "zh" else "death certificate") in text
    assert ("继承人（签名）" if lang == "zh" else "Heir (signature)") in text
    assert "20000.00" in text and "60" in text, "the facts of the debt are still stated"


def test_an_heirs_old_debt_letter_keeps_the_estates_limitation_defence():
    # The borrower's letter says they will pay, which after three years gives up that defence; the
    # heir's promises nothing, and its note says the estate can raise the defence and how not to lose it.
    heir = letter("-d", "1200", "-a", "2万", "-p", "bank_loan", "-n", "none", "--asker", "heir")
    borrower = letter("-d", "1200", "-a", "2万", "-p", "bank_loan", "-n", "none")
    assert "就不能再以时效抗辩" in borrower and "就不能再以时效抗辩" not in heir
    assert "遗产一方可以据此抗辩" in heir.split("\n# ")[0] and "不要表示同意还款" in heir


@pytest.mark.parametrize(("status", "says"), [("sued", "依法参加诉讼"), ("judgment", "同样以所得遗产的实际价值为限")])
def test_an_heirs_letter_after_a_lawsuit_or_judgment_says_so_and_still_limits_to_the_estate(status, says):
    text = letter(*BANK, "--asker", "heir", "--legal-status", status)
    assert says in text and "愿意履行" not in text and "愿意配合" not in text


def test_an_heirs_phone_script_asks_and_does_not_promise():
    text = letter(*BANK, *AFFORDABLE, "--asker", "heir", "--script")
    assert "我是借款人" not in text and "继承人" in text and "遗产" in text
    assert "我每月能稳定还" not in text and "不能答应还款" in text


@pytest.mark.parametrize(("asker", "says"), [("spouse", "第一千零六十四条"), ("parent", "第五百五十二条"),
                                             ("child", "第五百五十二条"), ("guarantor", "第六百九十二条")])
def test_a_relative_or_guarantor_is_told_first_the_letter_is_the_borrowers_to_sign(asker, says):
    text = letter(*BANK, "--asker", asker)
    first, rest = text.split("\n\n", 1)
    assert "寄出前请先读" in first and "借款人自己签名" in first and says in first
    assert rest.startswith("# 协商还款申请书") and BORROWER_INTRO["zh"] in rest
    script = letter(*BANK, "--asker", asker, "--script")
    assert script.startswith("（打电话前先读：这份话术是给借款人本人用的")


def test_the_borrowers_letter_has_no_note_for_others():
    for args in (BANK, [*BANK, "--asker", "borrower"]):
        assert letter(*args).startswith("# 协商还款申请书")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_letter_to_a_friend_is_to_a_person_not_an_institution(rules, lang):
    text = letter(*FRIEND, *AFFORDABLE, "--lang", lang)
    institution = {"zh": ("贵方", "官方", "合同编号", "App", "机构", "身份证", "附件"),
                   "en": ("official", "contract number", " app", "ID card", "Attached", "the bank")}[lang]
    assert not [word for word in institution if word in text]
    assert rules.text("letter_blank_creditor", lang) in text.split("\n\n")[1], "a greeting to the person"
    assert "1176.48" in text, "the same affordable plan as for any lender"
    assert ("双方签字" if lang == "zh" else "both sign") in text, "the agreement written down and signed"


def test_a_letter_to_a_friend_asks_to_drop_interest_over_the_line_until_a_judgment_fixes_it():
    text = letter(*FRIEND, "--apr", "30%", "--contract-date", "2024-01-01")
    assert "借条上约定的年利率是30%" in text and "13.80%" in text
    assert "费用" not in text, "a friend's loan has no fees to adjust"
    for lender in (FRIEND, BANK):
        judged = letter(*lender, "--apr", "30%", "--contract-date", "2024-01-01", "--legal-status", "judgment")
        assert "30%" not in judged, "after a judgment the interest is the judgment's"


def test_a_letter_to_a_friend_before_the_due_date_does_not_say_it_is_late():
    for script in ([], ["--script"]):
        text = letter("-d", "0", "-a", "2万", "-p", "personal", "-n", "none", *script)
        assert "没能按" not in text and "快到约定" in text and "20000.00" in text


@pytest.mark.parametrize("extra", [["--legal-status", "sued"], ["--legal-status", "judgment"], ["--hardship", "生病"]])
def test_a_letter_to_a_friend_in_court_or_with_a_hardship_still_speaks_to_the_person(extra):
    text = letter(*FRIEND, *extra)
    assert not re.search(r"贵方|本人|附上|附件|申请", text.split("\n\n", 2)[2])


def test_an_heirs_letter_and_script_for_a_friends_loan_speak_to_the_person():
    for script in ([], ["--script"]):
        text = letter(*FRIEND, "--asker", "heir", *script)
        assert not re.search(r"贵方|机构|合同编号|工号|罚息|保险|户口", text), text
        assert "继承人" in text and ("借条" in text)


def test_a_phone_script_for_a_friend_has_no_contract_number_or_staff_number():
    text = letter(*FRIEND, "--script")
    assert not re.search(r"合同编号|工号|App|罚息", text)
    assert "很抱歉" in text and "双方签字" in text


def test_an_heir_of_a_friends_loan_gets_the_heirs_letter():
    text = letter(*FRIEND, "--asker", "heir")
    assert "继承人（签名）" in text and "第一千一百六十一条" in text and "我不是不想还" not in text


@pytest.mark.parametrize(("lender", "says"), [("bank_loan", {"in_progress": "以书面形式提出申请", "agreed": "在按约履行"}),
                                              ("personal", {"in_progress": "之前我们已经聊过", "agreed": "一直在按说好的还"})])
def test_talks_under_way_or_an_agreement_kept_are_said_not_asked_for_from_scratch(lender, says):
    for negotiation, words in says.items():
        assert words in letter("-d", "10", "-a", "2万", "-p", lender, "-n", negotiation)
    assert not [w for w in says.values() if w in letter("-d", "10", "-a", "2万", "-p", lender, "-n", "none")]


def test_a_letter_before_the_due_date_gives_a_reason_not_a_reason_for_being_late():
    text = letter("-d", "0", "-a", "2万", "-p", "bank_loan", "-n", "none", "--hardship", "失业")
    assert "**原因**" in text and "逾期原因" not in text


@pytest.mark.parametrize(("repaid", "told"), [("2500", True), ("1500", False)])
def test_an_unlicensed_lender_repaid_what_was_received_is_told_not_to_send_the_instalment_letter(repaid, told):
    args = ["-d", "10", "-a", "3000", "-p", "714高炮", "-n", "未协商", "--received", "2000", "--repaid-so-far", repaid]
    assert letter(*args).startswith("**先读（不要寄出这封信）**") is told
    assert letter(*args, "--script").startswith("（先读：按你的回答，你已经还的钱不少于实际到手的钱") is told
