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


def test_interactive_assessment(rules):
    child = spawn([])
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
    child.expect_exact(rules.text("credit_impact", "zh"))
    child.expect_exact("12348")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


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
