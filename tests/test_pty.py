"""The interactive assessment through a real pseudo-terminal, as a person at a keyboard meets it."""

from __future__ import annotations

import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")


def spawn(args: list[str]):
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", LINES="40", ADVISOR_LANG="zh")
    child = pexpect.spawn(sys.executable, ["-m", "advisor", *args], env=env, encoding="utf-8", timeout=20,
                          dimensions=(40, 80))
    return child


def _interview(child, rules, replies: dict[str, str]) -> list[str]:
    """Answer whatever the tool asks, by field, until the report starts; return the fields asked."""
    questions = {rules.fields[f]["question"]["zh"]: f for f in rules.fields}
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


def test_interactive_assessment(rules):
    child = spawn([])
    # What the person fears is asked first; the report then opens with its answer.
    child.expect_exact(rules.fields["concerns"]["question"]["zh"])
    child.expect_exact("> ")
    child.sendline("家人,坐牢")
    child.expect_exact(rules.fields["overdue_days"]["question"]["zh"])
    child.expect_exact("> ")
    child.sendline("四十五")
    child.expect_exact("四十五")  # the refusal quotes what was typed
    child.expect_exact("> ")
    child.sendline("45天")
    child.expect_exact(rules.fields["amount"]["question"]["zh"])
    child.sendline("3万")
    child.expect_exact(rules.fields["platform"]["question"]["zh"])
    child.expect_exact(rules.choices("platform")[3]["label"]["zh"])
    child.sendline("花呗")
    child.expect_exact(rules.fields["negotiation"]["question"]["zh"])
    child.sendline("1")
    asked = _interview(child, rules, {"legal_status": "传票", "hardship": "失业",
                                      "monthly_income": "6000", "monthly_expenses": "4500"})
    # 45 days overdue with no agreement: court papers, collectors, hardship and the budget matter;
    # the contract date matters only for a private lender's rate, so it is not asked.
    assert {"legal_status", "collection", "hardship", "monthly_income", "monthly_expenses"} <= set(asked)
    assert "contract_date" not in asked
    child.expect_exact(rules.label("stage", "litigation", "zh"))  # the summons moved the stage
    child.expect_exact(rules.label("concerns", "jail", "zh"))
    child.expect_exact(rules.label("concerns", "contacts", "zh"))
    child.expect_exact(rules.text("plan", "zh"))
    child.expect_exact("12348")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_adaptive_questions_follow_the_answers(rules):
    # Not overdue, with an agreement kept: no court papers or collectors to ask about.
    child = spawn(["assess", "-d", "0", "-a", "3000", "-p", "花呗", "-n", "agreed", "--format", "json"])
    calm = _interview_json(child, rules, {})
    assert "legal_status" not in calm and "collection" not in calm
    # A private lender at a stated rate: now the contract date matters for the 4×LPR cap.
    child = spawn(["assess", "-d", "60", "-a", "1万", "-p", "私人", "-n", "none", "--format", "json"])
    private = _interview_json(child, rules, {"apr": "36"})
    assert {"apr", "contract_date", "legal_status"} <= set(private)
    assert private.index("apr") < private.index("contract_date")


def _interview_json(child, rules, replies):
    questions = {rules.fields[f]["question"]["zh"]: f for f in rules.fields}
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
