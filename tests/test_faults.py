"""Output and environment faults are plain messages with documented exit codes, never "internal error":
closed pipes and streams, a full disk, narrow encodings and terminals, dates and numbers out of range."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import advisor
from advisor import cli
from advisor.errors import ArgumentError, CaseError
from advisor.models import Case

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-05-01"
CASE = ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--as-of", AS_OF, "--no-input"]
ANSWERS = {"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"}


def advisor_run(args: list[str], env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess[bytes]:
    kw.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "advisor", *args], stderr=subprocess.PIPE, timeout=60, check=False,
                          env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})), **kw)


def plain(err: bytes) -> str:
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text and "internal error" not in text and "内部出错" not in text, text
    return text


# The commands that print, by name; batch reads a file made in the test's folder.
PRINTING = {
    "questions": ["questions"],
    "assess json": ["assess", *CASE, "-f", "json"],
    "assess markdown": ["assess", *CASE, "-f", "markdown"],
    "assess rich": ["assess", *CASE],
    "letter": ["letter", *CASE],
    "rules list": ["rules", "list"],
    "rules check": ["rules", "check"],
    "--help": ["--help"],  # printed by Typer's Rich help, which handles a closed pipe its own way
    "assess --help": ["assess", "--help"],
}


def _args(name: str, tmp_path: Path) -> list[str]:
    if name != "batch":
        return PRINTING[name]
    path = tmp_path / "cases.csv"
    path.write_text("id,overdue_days,amount,platform,negotiation\n" + "x,45,5000,花呗,none\n" * 200, encoding="utf-8")
    return ["batch", str(path), "-q", "--as-of", AS_OF]


@pytest.mark.parametrize("name", [*PRINTING, "batch"])
def test_a_closed_pipe_ends_quietly_with_141(tmp_path, name):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte, as with `| head -0`
    try:
        result = advisor_run(_args(name, tmp_path), stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == 141, result.stderr
    assert result.stderr == b""


@pytest.mark.parametrize("name", ["--version", "--help", "assess json", "assess rich", "questions", "batch"])
def test_a_closed_stdout_is_one_line_and_exit_2(tmp_path, name):
    args = [name] if name.startswith("--") else _args(name, tmp_path)
    result = advisor_run(args, stdout=None, preexec_fn=lambda: os.close(1))
    err = plain(result.stderr)
    assert result.returncode == 2, err
    assert len(err.strip().splitlines()) == 1 and "standard output" in err


def test_a_closed_stderr_keeps_the_exit_code():
    bad_value = advisor_run(["assess", "-d", "x", "--no-input"], preexec_fn=lambda: os.close(2))
    assert bad_value.returncode == 2
    bad_flag = advisor_run(["assess", "--no-such-flag"], preexec_fn=lambda: os.close(2))
    assert bad_flag.returncode == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("name", ["--help", "assess json", "assess rich", "letter", "batch"])
def test_stdout_on_a_full_disk_names_the_stream_and_the_reason(tmp_path, name):
    args = [name] if name.startswith("--") else _args(name, tmp_path)
    with open("/dev/full", "wb") as full:  # every write to it fails with ENOSPC
        result = advisor_run(args, stdout=full)
    err = plain(result.stderr)
    assert result.returncode == 2, err
    assert "standard output" in err and "No space left on device" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_terminal_that_cannot_show_chinese_gets_escapes_and_a_hint(encoding):
    reference = json.loads(advisor_run(["assess", *CASE, "-f", "json"]).stdout)
    env = {"PYTHONIOENCODING": encoding}
    as_json = advisor_run(["assess", *CASE, "-f", "json"], env=env)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == reference  # escapes are JSON's own: the same data
    report = advisor_run(["assess", *CASE], env=env)
    err = plain(report.stderr)
    assert report.returncode == 0
    assert b"\\u" in report.stdout and "UTF-8" in err


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib", "undefined", "utf-16"])
def test_an_encoding_that_cannot_read_text_is_a_usage_error(tmp_path, codec):
    result = advisor_run([*_args("batch", tmp_path), "--encoding", codec])
    err = plain(result.stderr)
    assert result.returncode == 2 and "--encoding" in err and codec in err


@pytest.mark.parametrize("columns", ["0", "1", "12"])
def test_a_tiny_or_zero_width_still_prints_the_report(columns):
    result = advisor_run(["assess", *CASE, "--lang", "en"], env={"COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "Severity" in text and "Stage" in text


# ---------------------------------------------------------------- dates and numbers in range, on every path


def run(args: list[str]):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


@pytest.mark.parametrize("value", ["9999-12-31", "9995-01-01", "1800-01-01"])
def test_a_date_out_of_range_is_a_clear_error_as_a_flag(value):
    result = run(["assess", *CASE, "--repaid-on", value, "--lang", "en", "-f", "json"])
    assert result.exit_code == 2
    assert "--repaid-on" in result.stderr and "out of range" in result.stderr and "2199-12-31" in result.stderr


def test_a_repayment_after_as_of_is_rejected():
    result = run(["assess", *CASE, "--repaid-on", "2030-01-01", "--lang", "en", "-f", "json"])
    assert result.exit_code == 2 and "after the assessment date 2026-05-01" in result.stderr
    with pytest.raises(CaseError) as caught:
        advisor.assess({**ANSWERS, "repaid_on": "2030-01-01"}, as_of=date(2026, 5, 1))
    assert caught.value.field == "repaid_on"


def test_dates_out_of_range_raise_case_error_in_the_api():
    with pytest.raises(CaseError) as caught:
        advisor.assess({**ANSWERS, "repaid_on": "9999-12-31"}, as_of=date(2026, 5, 1))
    assert caught.value.field == "repaid_on"
    with pytest.raises(CaseError):
        advisor.parse_case({**ANSWERS, "contract_date": date(1, 1, 1)})
    # A Case built by hand skips the parsers: evaluating it still fails as a CaseError, not a ValueError.
    rules = advisor.load_ruleset()
    case = Case(overdue_days=45, amount=advisor.parse_case(ANSWERS).amount, platform="internet_platform",
                negotiation="none", repaid_on=date(9999, 12, 31))
    with pytest.raises(CaseError):
        advisor.evaluate(case, rules, date(2026, 5, 1))
    # An as_of outside 1900..2199 is refused as the argument it is (an ArgumentError), as --as-of refuses
    # it, before the case is looked at: this test judged on 9999-12-31 before that check existed.
    with pytest.raises(ArgumentError):
        advisor.evaluate(case, rules, date(9999, 12, 31))


def test_a_bad_date_in_one_batch_cell_rejects_that_row_only(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("id,overdue_days,amount,platform,negotiation,repaid_on\n"
                    "a,45,5000,花呗,none,2025-01-01\nb,45,5000,花呗,none,9999-12-31\n"
                    "c,45,5000,花呗,none,2030-01-01\nd,45,5000,花呗,none,\n", encoding="utf-8")
    result = run(["batch", str(path), "-q", "--as-of", AS_OF, "--lang", "en"])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("error", {}).get("field") for r in records] == [None, "repaid_on", "repaid_on", None]


def test_a_bad_date_at_the_prompt_is_asked_again():
    from advisor.interview import complete

    rules = advisor.load_ruleset()
    questions = {rules.fields[f]["question"]["en"]: f for f in rules.fields}
    replies = iter(["9999-12-31", "2030-01-01", "2025-01-01"])
    said: list[str] = []
    asked: list[str] = []

    def say(text: str) -> None:
        said.append(text)
        asked.extend(f for q, f in questions.items() if text.startswith(q))
        if text == rules.text("prompt_repaid", "en"):
            asked.append("repaid?")

    def read(prompt: str) -> str:  # "yes" to "have you repaid?", then the dates
        if asked and asked[-1] == "repaid?":
            asked.append("")
            return "yes"
        return next(replies) if asked and asked[-1] == "repaid_on" else ""

    case = advisor.parse_case(ANSWERS, rules)
    done = complete({k: getattr(case, k) for k in ANSWERS}, rules, "en", read, say, as_of=date(2026, 5, 1))
    assert done["repaid_on"] == date(2025, 1, 1)
    assert any("out of range" in s for s in said) and any("after the assessment date" in s for s in said)


@pytest.mark.parametrize(("flag", "value"), [
    ("--apr", "1." + "0" * 120_000),
    ("--apr", "12.12345"),
    ("--lpr", "3." + "1" * 50),
    ("--amount", "1" * 120_000),
    ("--income", "9" * 5000),
    ("--days", "4" * 120_000),
    ("--other-debts", "7" * 120_000),
])
def test_absurd_numbers_are_rejected_with_a_short_message(flag, value):
    args = [a for a in CASE if a not in ("-a", "5000")] if flag == "--amount" else list(CASE)
    if flag == "--days":
        args = args[2:]
    result = run(["assess", *args, flag, value, "--lang", "en", "-f", "json"])
    assert result.exit_code == 2, result.stderr
    assert flag in result.stderr and len(result.stderr) < 400


def test_absurd_numbers_in_the_api_are_case_errors():
    for answers in ({**ANSWERS, "overdue_days": 10 ** 5000}, {**ANSWERS, "apr": "1." + "0" * 120_000},
                    {**ANSWERS, "other_debts": -(10 ** 5000)}):
        with pytest.raises(CaseError):
            advisor.assess(answers, as_of=date(2026, 5, 1))


def test_an_internal_error_is_exit_4_with_one_line(monkeypatch):
    # No input can cause an internal error, so the test plants a bug where the engine runs.
    def broken(*args, **kwargs):
        raise RuntimeError("a planted bug")

    monkeypatch.setattr("advisor.engine.evaluate", broken)
    result = run(["assess", *CASE, "-f", "json", "--lang", "en"])
    assert result.exit_code == 4
    assert result.stderr.strip() == ("advisor: internal error (RuntimeError: a planted bug). This is not your "
                                     "mistake; please report the command and this line.")


def test_the_interview_with_stderr_closed_still_answers():
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="80")
    # The questions go to the closed stderr and are lost; the answers still make the report.
    child = pexpect.spawn("/bin/sh", ["-c", f"exec {sys.executable} -m advisor assess --quick --lang en 2>&-"],
                          env=env, encoding="utf-8", timeout=30)
    child.sendline("45")
    child.sendline("5000")
    child.sendline("花呗")
    child.sendline("none")
    child.sendline("")  # no file to save the answers to (the offer went to the closed stderr too)
    child.expect_exact("Severity")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
