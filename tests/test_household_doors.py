"""One household of three debts through every door (prompt, flags, answers file, batch grouped by
client, Python API): the same household record."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from typing import NamedTuple

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import advisor
from advisor import cli


class Done(NamedTuple):
    returncode: int
    stdout: str
    stderr: str

AS_OF = "2026-11-22"
DEBTS = [
    {"platform": "花呗", "amount": "3800", "overdue_days": "12天", "negotiation": "未协商"},
    {"platform": "信用卡", "amount": "6万", "overdue_days": "40", "negotiation": "none"},
    {"platform": "网商贷", "amount": "2万", "overdue_days": "100", "negotiation": "none", "legal_status": "sued"},
]
PERSON = {"monthly_income": "8000", "monthly_expenses": "5000"}
FLAGS = ["--debt", "花呗,3800,12天,未协商", "--debt", "信用卡,6万,40,none", "--debt", "网商贷,2万,100,none,legal_status=sued",
         "--income", "8000", "--expenses", "5000"]


@pytest.fixture(scope="module")
def expected() -> dict:
    return advisor.assess_household(DEBTS, PERSON, as_of=datetime.date.fromisoformat(AS_OF))


def run(*args: str) -> Done:
    """The command in this process (so its code is measured), at 80 columns without colour."""
    result = CliRunner().invoke(cli.app, list(args), env={"COLUMNS": "80", "NO_COLOR": "1", "ADVISOR_LANG": "zh"})
    return Done(result.exit_code, result.stdout, result.stderr)

def test_flags(expected):
    done = run("assess", *FLAGS, "--format", "json", "--as-of", AS_OF, "--no-input")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected


def test_answers_file_and_saving_it_again(expected, tmp_path):
    path = tmp_path / "家里的欠款.yaml"
    path.write_text(json.dumps({**PERSON, "debts": DEBTS}, ensure_ascii=False), encoding="utf-8")
    done = run("assess", "--answers", str(path), "--format", "json", "--as-of", AS_OF, "--no-input")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected
    kept = tmp_path / "kept.json"  # flags saved as an answers file read back the same
    done = run("assess", *FLAGS, "--save-answers", str(kept), "--format", "json", "--as-of", AS_OF, "--no-input")
    assert done.returncode == 0, done.stderr
    again = run("assess", "--answers", str(kept), "--format", "json", "--as-of", AS_OF, "--no-input")
    assert json.loads(again.stdout) == expected


def test_batch_grouped_by_client(expected, tmp_path):
    # The client's rows are not adjacent, and the person's answers are on one row only.
    path = tmp_path / "cases.csv"
    path.write_text(
        "客户编号,平台,金额,逾期天数,协商情况,legal_status,monthly_income,monthly_expenses\n"
        "K1,花呗,3800,12天,未协商,,8000,5000\n"
        "K2,花呗,500,3,none,,,\n"
        "K1,信用卡,6万,40,none,,,\n"
        "K1,网商贷,2万,100,none,sued,,\n", encoding="utf-8")
    done = run("batch", str(path), "--as-of", AS_OF, "-q")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["client"] for r in records] == ["K1", "K2"]
    first = records[0]
    assert first.pop("client") == "K1" and first.pop("rows") == [1, 3, 4]
    assert first == {**expected, "id": "K1"}
    assert records[1]["rows"] == [2] and records[1]["plan"] is None
    named = run("batch", str(path), "--as-of", AS_OF, "-q", "--group-by", "客户编号", "--output-format", "json")
    assert [r["client"] for r in json.loads(named.stdout)] == ["K1", "K2"]


def test_batch_error_names_the_debt_and_its_row(tmp_path):
    path = tmp_path / "cases.jsonl"
    rows = [{"client": "A", "平台": "花呗", "金额": "1000", "逾期天数": 3, "协商情况": "none"},
            {"client": "A", "平台": "花呗", "金额": "abc", "逾期天数": 3, "协商情况": "none"},
            {"平台": "花呗", "金额": "1000", "逾期天数": 3, "协商情况": "none"},
            "not an object"]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    done = run("batch", str(path), "--as-of", AS_OF, "-q")
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 3  # every row answered: the client's record lists both of its rows
    assert records[0]["rows"] == [1, 2] and records[0]["error"]["debt"] == 2 and records[0]["error"]["row"] == 2
    assert records[0]["error"]["message"].startswith("第2笔欠款：")
    assert records[1]["row"] == 3 and "client" in records[1]["error"]["message"]
    assert records[2]["row"] == 4


def test_api_batch_and_flags_agree_in_english(tmp_path):
    record = advisor.assess_household(DEBTS, PERSON, as_of=datetime.date.fromisoformat(AS_OF), lang="en")
    done = run("assess", *FLAGS, "--format", "json", "--as-of", AS_OF, "--no-input", "--lang", "en")
    assert json.loads(done.stdout) == record
    assert record["headline"].startswith("You have 3 debts")


pexpect = pytest.importorskip("pexpect")


def test_prompt(expected, tmp_path):
    """A person at a terminal: the first debt's questions, "any other debts?", the next two debts'
    questions (nothing about the person asked twice), and the same record."""
    rules = advisor.default_ruleset()
    report = tmp_path / "report.json"
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", ADVISOR_LANG="zh")
    child = pexpect.spawn("/bin/sh", ["-c", f"exec {sys.executable} -m advisor assess --format json --as-of {AS_OF}"
                                            f" > {report}"], env=env, encoding="utf-8", timeout=30, dimensions=(40, 80))
    questions = {rules.fields[f]["question"]["zh"]: f for f in rules.fields}
    more = rules.text("household_more_debts", "zh")
    save = rules.text("prompt_save", "zh").split("？")[0]
    repaid = rules.text("prompt_repaid", "zh")
    debt, asked = 0, []
    while True:
        found = child.expect_exact([*questions, more, save, repaid, pexpect.EOF])
        if found == len(questions) + 3:
            break
        key = child.after
        child.expect_exact("> ")
        if key == more:
            another = debt + 1 < len(DEBTS)
            debt += another
            child.sendline("是" if another else "否")
            continue
        if key in (save, repaid):
            child.sendline("")  # don't save; not repaid
            continue
        field = questions.get(key)
        asked.append((debt, field))
        answer = DEBTS[debt].get(field) or PERSON.get(field) or ""
        child.sendline(answer)
    child.close()
    assert child.exitstatus == 0
    assert debt == len(DEBTS) - 1
    person_asked = [d for d, f in asked if f in PERSON]
    assert person_asked and set(person_asked) == {0}, "the person's answers are asked once, with the first debt"
    assert ("other_debts" not in {f for _, f in asked}), "how many other debts: the loop asks about each instead"
    assert json.loads(report.read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_each_debts_line_is_whole_at_any_width(columns):
    """The debts' lines start with a wide mark (第1笔): wrapped to the mark's width in cells, no line runs
    past the terminal's edge, so none loses its last characters."""
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", "ADVISOR_LANG": ""}
    done = subprocess.run([sys.executable, "-m", "advisor", "assess", "--debt", "招行信用卡,20000,40天,未协商",
                           "--debt", "网商贷,50000,100天,未协商,legal_status=sued", "--debt", "花呗,3800,12天,未协商",
                           "--income", "5000", "--expenses", "3500", "--no-input", "--as-of", "2026-11-29"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= max(columns, 60)
    flat = "".join(line.strip() for line in lines)
    assert flat.count("上报征信：很可能") == 3 and "严重程度：很高·上报征信" in flat.replace(" ", "")
