"""The interactive assessment through a real pseudo-terminal, as a person at a keyboard meets it."""

from __future__ import annotations

import json
import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")


def spawn(args: list[str]):
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", LINES="40", ADVISOR_LANG="zh")
    child = pexpect.spawn(sys.executable, ["-m", "advisor", *args], env=env, encoding="utf-8", timeout=20,
                          dimensions=(40, 80))
    return child


def _prompts(rules) -> dict[str, str]:
    """Every question the interview can ask, by field, with the yes/no repayment question and the
    offer to save the answers as two more."""
    questions = {rules.fields[f]["question"]["zh"]: f for f in rules.fields}
    questions[rules.text("prompt_repaid", "zh")] = "repaid?"
    questions[_first_sentence(rules.text("prompt_save", "zh"))] = "save"  # the rest may wrap
    questions[_first_sentence(rules.text("household_more_debts", "zh"))] = "more?"  # blank: no other debts
    return questions


def _first_sentence(text: str) -> str:
    return text.split("？")[0].split("?")[0]


def _interview(child, rules, replies: dict[str, str]) -> list[str]:
    """Answer whatever the tool asks, by field, until the report starts; return the fields asked."""
    questions = _prompts(rules)
    done = rules.text("app_title", "zh")  # the first line of the report
    asked = []
    while True:
        child.expect_exact([*questions, done])
        if child.after == done:
            return asked
        field = questions[child.after]
        asked.append(field)
        child.expect_exact("> ")
        child.sendline(replies.get(field, ""))


def test_interactive_assessment(rules, tmp_path):
    child = spawn([])
    child.expect_exact("先回答5个问题，之后可能再问几个")  # the greeting counts honestly: the worry, then four
    # What the person fears is asked first; the report then opens with its answer.
    child.expect_exact(rules.fields["concerns"]["question"]["zh"])
    child.expect_exact("> ")
    child.sendline("家人,坐牢")
    child.expect_exact(rules.fields["overdue_days"]["question"]["zh"])
    child.expect_exact("> ")
    child.sendline("一个多月")
    child.expect_exact("一个多月")  # the refusal quotes what was typed
    child.expect_exact("30天、45天、60天")  # and offers the nearest exact answers
    child.expect_exact("> ")
    child.sendline("45天")
    child.expect_exact(rules.fields["amount"]["question"]["zh"])
    child.sendline("3万")
    child.expect_exact(rules.fields["platform"]["question"]["zh"])
    child.expect_exact(rules.choices("platform")[3]["label"]["zh"])
    child.sendline("花呗")
    child.expect_exact(rules.fields["negotiation"]["question"]["zh"])
    child.sendline("1")
    saved = tmp_path / "我的回答.yaml"
    asked = _interview(child, rules, {"legal_status": "传票", "hardship": "失业", "repaid?": "否",
                                      "monthly_income": "6000", "monthly_expenses": "4500", "save": str(saved)})
    # 45 days overdue with no agreement: court papers, collectors, hardship and the budget matter;
    # the contract date matters only for a private lender's rate, so it is not asked.
    assert {"legal_status", "collection", "hardship", "monthly_income", "monthly_expenses"} <= set(asked)
    assert "contract_date" not in asked
    # "Have you repaid?" comes first, and someone who has not repaid is not asked for the date.
    assert "repaid?" in asked and "repaid_on" not in asked
    assert asked[-1] == "save", "the offer to save comes at the end"
    child.expect_exact(rules.label("stage", "litigation", "zh"))  # the summons moved the stage
    child.expect_exact(rules.label("concerns", "jail", "zh"))
    child.expect_exact(rules.label("concerns", "contacts", "zh"))
    child.expect_exact(rules.text("plan", "zh"))
    child.expect_exact("12348")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    text = saved.read_text(encoding="utf-8")
    assert "legal_status: sued" in text and "monthly_income: '6000.00'" in text

    # The saved answers write the letter: plain text on a terminal, nothing asked.
    child = spawn(["letter", "--answers", str(saved), "--as-of", "2026-11-23"])
    child.expect(pexpect.EOF)
    child.close()
    letter = child.before
    assert child.exitstatus == 0
    assert "协商还款申请书" in letter and "30000.00" in letter
    assert "# " not in letter and "**" not in letter, "no Markdown marks on a terminal"
    assert "> " not in letter, "nothing was asked"


def test_the_save_offer_says_how_to_write_the_letter(rules, tmp_path):
    target = tmp_path / "answers.yaml"
    child = spawn(["assess", "--quick", "--lang", "en"])
    for reply in ("45", "3800", "花呗", "none"):
        child.expect_exact("> ")
        child.sendline(reply)
    child.expect_exact(_first_sentence(rules.text("prompt_save", "en")))
    child.expect_exact("> ")
    child.sendline(str(target))
    child.expect_exact("Answers saved to")
    child.expect_exact("advisor letter --answers")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and target.exists()


def test_flags_mean_answer_now_even_on_a_terminal(rules):
    # All four core answers as flags: the report at once, no follow-up question, nothing to answer.
    child = spawn(["assess", "-d", "45", "-a", "3万", "-p", "花呗", "-n", "none"])
    child.expect_exact(rules.text("app_title", "zh"), timeout=20)
    child.expect(pexpect.EOF)
    child.close()
    out = child.before
    assert child.exitstatus == 0
    assert not any(rules.fields[f]["question"]["zh"] in out for f in rules.fields)
    assert _first_sentence(rules.text("prompt_save", "zh")) not in out and rules.text("prompt_more", "zh") not in out


def test_ask_asks_the_follow_ups(rules):
    child = spawn(["assess", "-d", "45", "-a", "3万", "-p", "花呗", "-n", "none", "--ask", "--format", "json"])
    asked = _interview_json(child, rules, {})
    assert "legal_status" in asked and asked[-1] == "save"
    assert not {"overdue_days", "amount", "platform", "negotiation"} & set(asked), "what was given is not asked"


def test_line_editing_arrow_keys_and_wide_characters():
    # The "3800^[[D": an arrow key moves the cursor instead of landing in the answer; backspace
    # over a Chinese character removes all of it.
    child = spawn(["assess", "--quick", "--format", "json"])
    child.expect_exact("> ")
    child.sendline("45")
    child.expect_exact("> ")
    child.send("380\x1b[D5\r")  # 380, left, 5: 3850
    child.expect_exact("> ")
    child.send("花呗呗\x7f\r")  # one 呗 too many, rubbed out
    child.expect_exact("> ")
    child.sendline("none")
    child.expect_exact("> ")
    child.sendline("")  # don't save
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert '"amount": "3850.00"' in child.before
    assert '"platform": "internet_platform"' in child.before


def test_adaptive_questions_follow_the_answers(rules):
    # Not overdue, with an agreement kept: no court papers or collectors to ask about.
    child = spawn(["assess", "-d", "0", "-a", "3000", "-p", "花呗", "-n", "agreed", "--format", "json", "--ask"])
    calm = _interview_json(child, rules, {})
    assert "legal_status" not in calm and "collection" not in calm
    # A private lender at a stated rate the cap could allow: now the contract date matters for the
    # 4×LPR cap (above four times the highest LPR, 17%, it would not).
    child = spawn(["assess", "-d", "60", "-a", "1万", "-p", "私人", "-n", "none", "--format", "json", "--ask"])
    private = _interview_json(child, rules, {"apr": "15"})
    assert {"apr", "contract_date", "legal_status"} <= set(private)
    assert private.index("apr") < private.index("contract_date")


def _interview_json(child, rules, replies):
    questions = _prompts(rules)
    asked = []
    while True:
        index = child.expect_exact([*questions, pexpect.EOF])
        if index == len(questions):
            break
        asked.append(questions[child.after])
        child.expect_exact("> ")
        child.sendline(replies.get(asked[-1], ""))
    child.close()
    assert child.exitstatus == 0
    return asked


def test_ctrl_c_exits_130_with_one_line():
    child = spawn(["assess", "-d", "45"])
    child.expect_exact("> ")
    child.sendintr()
    child.expect(pexpect.EOF)
    rest = child.before
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in rest
    ours = [line for line in rest.splitlines() if line.strip() and line.strip() != "^C"]  # ^C is the tty echo
    assert len(ours) == 1


def test_a_report_sent_to_a_file_gets_no_prompt_or_typing(tmp_path):
    # stdout to a file, questions on the terminal: line editing still works, and the file is the report alone.
    report = tmp_path / "report.json"
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", ADVISOR_LANG="zh")
    child = pexpect.spawn("/bin/sh", ["-c", f"exec {sys.executable} -m advisor assess --quick --format json > {report}"],
                          env=env, encoding="utf-8", timeout=20, dimensions=(40, 80))
    for reply in ("45", "380\x1b[D5", "花呗", "none", ""):
        child.expect_exact("> ")
        child.send(reply + "\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    data = json.loads(report.read_text(encoding="utf-8"))  # nothing but the JSON
    assert data["case"]["amount"] == "3850.00"
