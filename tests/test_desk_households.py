"""The counsellor's desk on a file with a client column, through the CLI on real files: the summary
counts households by priority, one report per household and one letter per debt, and CSV or .xlsx
with one row per debt; every input row accounted for, a household in error, zh and en."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest

import advisor

AS_OF = "2026-11-29"

# Three clients, rows scattered and a blank line between; 王五's second debt has a bad day count, so
# his household is in error; one row has no client id. 张三 gives his budget on his first row only.
CLIENTS = (
    "客户编号,姓名,逾期天数,逾期金额（元）,平台,协商情况,monthly_income,monthly_expenses,备注\n"
    "K1,张三,12,3800,花呗,未协商,8000,5000,=HYPERLINK(\"http://x\")\n"
    "K2,李四,40,6万,信用卡,未协商,,,\n"
    "\n"
    "K1,张三（第二行）,100,2万,网商贷,未协商,,,已起诉\n"
    "K3,王五,5,100,花呗,未协商,,,\n"
    "K3,王五,一个多月,900,借呗,未协商,,,\n"
    ",赵六,5,100,花呗,未协商,,,\n"
    "K2,李四,3,500,借呗,未协商,,,\n"
)
ROWS = 7  # rows in CLIENTS (the blank line is not a row)
LINES = {1: 2, 2: 3, 3: 5, 4: 6, 5: 7, 6: 8, 7: 9}  # row -> its line in the file


class Done(NamedTuple):
    returncode: int
    stdout: bytes
    stderr: str


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> Done:
    """`advisor batch …` in this process (so coverage sees it), from the folder `cwd`."""
    from typer.testing import CliRunner

    from advisor import cli

    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli.app, ["batch", *args, "--as-of", AS_OF], input=stdin,
                                    env={"COLUMNS": "100", "NO_COLOR": "1"})
    finally:
        os.chdir(before)
    assert "Traceback" not in result.stderr, result.stderr
    return Done(result.exit_code, result.stdout_bytes, result.stderr)


@pytest.fixture
def clients(tmp_path: Path) -> Path:
    path = tmp_path / "客户.csv"
    path.write_text(CLIENTS, encoding="utf-8")
    return path


def households(lang: str = "zh") -> dict[str, dict]:
    """The household records the Python API gives for the same clients: what every output must show."""
    rules = advisor.default_ruleset()
    person = {"monthly_income": "8000", "monthly_expenses": "5000"}
    k1 = [{"overdue_days": "12", "amount": "3800", "platform": "花呗", "negotiation": "未协商"},
          {"overdue_days": "100", "amount": "2万", "platform": "网商贷", "negotiation": "未协商"}]
    k2 = [{"overdue_days": "40", "amount": "6万", "platform": "信用卡", "negotiation": "未协商"},
          {"overdue_days": "3", "amount": "500", "platform": "借呗", "negotiation": "未协商"}]
    day = date.fromisoformat(AS_OF)
    return {"K1": advisor.assess_household(k1, person, rules=rules, as_of=day, lang=lang, household_id="K1"),
            "K2": advisor.assess_household(k2, {}, rules=rules, as_of=day, lang=lang, household_id="K2")}


def table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- CSV and .xlsx, one row per debt


def test_labels_csv_one_row_per_debt_in_chinese(clients: Path) -> None:
    out = clients.parent / "结果.csv"
    done = run(str(clients), "--labels", "--keep", "姓名", "--keep", "备注", "-o", str(out), "--excel",
               cwd=clients.parent)
    assert done.returncode == 1, done.stderr  # a household and a row rejected
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # --excel: the BOM Excel needs
    rows = table(out.read_bytes())
    assert sorted(int(r["行"]) for r in rows) == list(range(1, ROWS + 1))  # every input row, once
    assert all(int(r["表格行号"]) == LINES[int(r["行"])] for r in rows)
    expected = households()
    k1 = [r for r in rows if r["客户编号"] == "K1"]
    assert [r["姓名"] for r in k1] == ["张三", "张三"]  # the client's first row, on every debt
    assert k1[0]["备注"].startswith("'=")  # a kept note never runs as a formula
    record = expected["K1"]
    for r in k1:
        debt = int(r["第几笔"])
        place = next(o for o in record["order"] if o["debt"] == debt)
        share = record["debts"][debt - 1]["plan"]
        assert r["整户结论"] == record["headline"] and r["处理顺序"] == str(place["place"])
        assert r["为什么排在这里"] == place["reason"]
        assert (r["每月还款"], r["还款月数"]) == (share["monthly_payment"], str(share["months"]))
        assert r["阶段"] == advisor.default_ruleset().label("stage", record["debts"][debt - 1]["stage"], "zh")
        assert r["第一步"] and r["错误"] == ""
    # The plan adds up: the monthly payments are what the household has available.
    assert sum(Decimal(r["每月还款"]) for r in k1) == Decimal(record["plan"]["available"])
    # 王五's household: the bad row names its column and reason, the other says why it was not assessed.
    k3 = {int(r["行"]): r for r in rows if r["客户编号"] == "K3"}
    assert k3[5]["错误"].startswith("逾期天数: ") and "一个多月" in k3[5]["错误"]
    assert "同一客户" in k3[4]["错误"] and k3[4]["阶段"] == ""
    alone = next(r for r in rows if r["行"] == "6")
    assert alone["客户编号"] == "" and alone["姓名"] == "赵六" and "客户编号" in alone["错误"]


def test_id_csv_in_english_has_the_row_by_row_columns(clients: Path) -> None:
    done = run(str(clients), "--output-format", "csv", "--lang", "en", "-q", cwd=clients.parent)
    assert done.returncode == 1
    rows = table(done.stdout)
    assert list(rows[0])[:9] == ["client", "row", "line", "id", "debt", "place", "priority", "household_headline",
                                 "plan_status"]
    assert list(rows[0])[9:] == ["stage", "severity", "credit_level", "reporting", "consequences", "steps",
                                 "references", "error", "plan_months", "monthly_payment", "retention_until",
                                 "interest_exceeds"]
    assert sorted(int(r["row"]) for r in rows) == list(range(1, ROWS + 1))
    expected = households("en")
    for r in rows:
        if r["client"] not in expected:
            assert r["error"] and r["stage"] == ""
            continue
        record = expected[r["client"]]
        debt = record["debts"][int(r["debt"]) - 1]
        assert (r["stage"], r["severity"], r["reporting"]) == (debt["stage"], debt["severity"],
                                                               debt["credit_impact"]["reporting"])
        assert r["steps"] == ";".join(s["id"] for s in debt["steps"])
        assert r["priority"] == next(o["priority"] for o in record["order"] if o["debt"] == int(r["debt"]))
        assert r["household_headline"] == record["headline"]
    k1 = [r for r in rows if r["client"] == "K1"]
    assert {r["plan_status"] for r in k1} <= {"plan", "partial", "pause"} and all(r["monthly_payment"] for r in k1)
    assert all(r["plan_status"] == "" for r in rows if r["client"] == "K2")  # no budget given: no plan


def test_xlsx_out_per_debt_with_the_summary_sheet(clients: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    done = run(str(clients), "--keep", "备注", "-o", "结果.xlsx", "-q", cwd=clients.parent)
    assert done.returncode == 1, done.stderr
    book = openpyxl.load_workbook(clients.parent / "结果.xlsx")
    records, summary = book.worksheets
    rows = list(records.iter_rows(values_only=True))
    assert rows[0][:6] == ("客户编号", "行", "表格行号", "编号", "备注", "第几笔")
    assert sorted(r[1] for r in rows[1:]) == list(range(1, ROWS + 1))
    note = records.cell(row=2, column=5)
    assert note.data_type == "s" and note.value.startswith("=HYPERLINK")  # text, never a formula
    said = [r[0] for r in summary.iter_rows(values_only=True)]
    assert "共 3 户：已评估 2 户，无法评估 1 户。" in said and "按最先处理的那笔欠款（每户算一次）" in said


def test_xlsx_in_grouped_to_csv(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "封面"
    sheet = book.create_sheet("客户")
    for row in (["客户编号", "姓名", "逾期天数", "逾期金额", "平台", "协商情况"], ["K1", "张三", 12, 3800, "花呗", "未协商"],
                [], ["K2", "李四", 40, 60000, "信用卡", "未协商"], ["K1", "张三", 100.0, 20000, "网商贷", "未协商"]):
        sheet.append(row)
    book.save(tmp_path / "客户.xlsx")
    done = run("客户.xlsx", "--sheet", "客户", "--labels", "--keep", "姓名", "--output-format", "csv", "-q",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = table(done.stdout)
    assert [(r["客户编号"], r["行"], r["表格行号"]) for r in rows] == [("K1", "1", "2"), ("K1", "3", "5"),
                                                                       ("K2", "2", "4")]


# ---------------------------------------------------------------- the caseload summary


def test_summary_counts_households_by_priority_in_chinese(clients: Path) -> None:
    done = run(str(clients), "--summary", "汇总.md", "-q", cwd=clients.parent)
    assert done.returncode == 1
    text = (clients.parent / "汇总.md").read_text(encoding="utf-8")
    assert f"共 {ROWS} 行：已评估 4 行，无法评估 3 行。" in text
    assert "共 3 户：已评估 2 户，无法评估 1 户。" in text
    rules = advisor.default_ruleset()
    labels = {entry["id"]: entry["label"]["zh"] for entry, _ in rules.priorities}
    for record in households().values():  # each household once, by the debt it deals with first
        assert f"| {labels[record['order'][0]['priority']]} |" in text
    assert text.index("## 按最先处理的那笔欠款") < text.index("## 按阶段")
    # The rejected rows: the bad row by its column and line, the client's other row, the row with no client.
    assert "| 逾期天数 |" in text and "5 (表格第 7 行)" in text
    assert "同一客户的另一笔欠款无法评估" in text and "4 (表格第 6 行)" in text
    assert "6 (表格第 8 行)" in text
    assert "一个多月" not in text  # the person's value is not part of the reason


def test_summary_json_in_english_adds_up(clients: Path) -> None:
    done = run(str(clients), "--summary", "s.json", "--lang", "en", "-q", cwd=clients.parent)
    assert done.returncode == 1
    data = json.loads((clients.parent / "s.json").read_text(encoding="utf-8"))
    assert (data["rows"], data["assessed"], data["rejected"]) == (ROWS, 4, 3)
    assert data["households"] == {"count": 3, "assessed": 2, "rejected": 1}
    expected = households("en")
    firsts = sorted(r["order"][0]["priority"] for r in expected.values())
    assert sorted(c["id"] for c in data["counts"]["priority"] for _ in range(c["count"])) == firsts
    assert all(c["label"] and c["label"] != c["id"] for c in data["counts"]["priority"])
    assert sum(c["count"] for c in data["counts"]["stage"]) == 4  # debts, not households
    assert sum(g["count"] for g in data["rejected_rows"]) == 3
    assert {r["row"] for g in data["rejected_rows"] for r in g["rows"]} == {4, 5, 6}


def test_plain_grouped_output_is_unchanged_by_summary_and_documents(clients: Path) -> None:
    plain = run(str(clients), "-q", cwd=clients.parent)
    desk = run(str(clients), "-q", "--summary", "s.md", "--reports", "r", "--letters", "l", cwd=clients.parent)
    assert desk.stdout == plain.stdout and plain.stdout.count(b"\n") == 4  # 3 clients and a row alone


def test_keep_and_lines_in_grouped_jsonl(clients: Path) -> None:
    done = run(str(clients), "--keep", "姓名", "-q", cwd=clients.parent)
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    k1 = next(r for r in records if r.get("client") == "K1")
    assert k1["rows"] == [1, 3] and k1["lines"] == [2, 5] and k1["kept"] == {"姓名": "张三"}
    alone = next(r for r in records if r.get("client") is None)
    assert alone["line"] == 8 and alone["kept"] == {"姓名": "赵六"}
    assert k1["headline"] == households()["K1"]["headline"]  # the record itself is the same


# ---------------------------------------------------------------- a report per household, a letter per debt


def test_reports_and_letters_per_household(clients: Path) -> None:
    done = run(str(clients), "--keep", "姓名", "--reports", "报告", "--letters", "信", "-q", cwd=clients.parent)
    assert done.returncode == 1
    reports = sorted(p.name for p in (clients.parent / "报告").iterdir())
    letters = sorted(p.name for p in (clients.parent / "信").iterdir())
    assert reports == ["K1-张三.html", "K2-李四.html"]  # 王五's household is in error: no file
    assert letters == ["K1-张三-1.txt", "K1-张三-2.txt", "K2-李四-1.txt", "K2-李四-2.txt"]
    expected = households()
    page = (clients.parent / "报告" / "K1-张三.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "多笔欠款" in page
    assert expected["K1"]["headline"] in page
    # Each letter carries its debt's share of the plan.
    for n in (1, 2):
        share = expected["K1"]["debts"][n - 1]["plan"]
        letter = (clients.parent / "信" / f"K1-张三-{n}.txt").read_text(encoding="utf-8")
        assert share["monthly_payment"] in letter and str(share["months"]) in letter


def test_household_reports_in_markdown_and_english_with_safe_names(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("client,逾期天数,逾期金额,平台,协商情况\n../../etc/x,45,5000,花呗,未协商\n"
                    "..\\..\\etc\\x,45,5000,花呗,未协商\n\u202egnp.exe,3,100,花呗,未协商\n"
                    "../../etc/x,3,100,借呗,未协商\n", encoding="utf-8")
    done = run(str(path), "--reports", "out", "--reports-format", "markdown", "--lang", "en", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 3 and all(n.endswith(".md") for n in names)  # two clients look alike: still two files
    assert all("/" not in n and "\\" not in n and "\u202e" not in n and not n.startswith(".") for n in names)
    assert not (tmp_path.parent / "etc").exists()
    assert any("Several debts" in (tmp_path / "out" / n).read_text(encoding="utf-8") or
               "debts" in (tmp_path / "out" / n).read_text(encoding="utf-8") for n in names)


# ---------------------------------------------------------------- where it cannot


def test_stdin_with_desk_outputs_gives_what_the_file_gives(clients: Path) -> None:
    piped = run("-", "--summary", "s.md", "-o", "p.csv", cwd=clients.parent, stdin=clients.read_bytes())
    from_file = run(str(clients), "--summary", "f.md", "-o", "f.csv", cwd=clients.parent)
    assert piped.returncode == from_file.returncode, piped.stderr
    folder = clients.parent
    assert (folder / "p.csv").read_bytes() == (folder / "f.csv").read_bytes()
    assert (folder / "s.md").read_text(encoding="utf-8") == (folder / "f.md").read_text(encoding="utf-8")


def test_keep_names_a_missing_column_before_any_output(clients: Path) -> None:
    done = run(str(clients), "--keep", "电话", "-o", "x.csv", cwd=clients.parent)
    assert done.returncode == 2 and "电话" in done.stderr
    assert not (clients.parent / "x.csv").exists()


def test_a_bad_answer_about_the_person_names_its_column_on_every_row(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("client,逾期天数,逾期金额,平台,协商情况,monthly_income\nK1,12,3800,花呗,未协商,很多\n"
                    "K1,40,6万,信用卡,未协商,\n", encoding="utf-8")
    done = run(str(path), "--output-format", "csv", "--lang", "en", "-q", cwd=tmp_path)
    assert done.returncode == 1
    rows = table(done.stdout)
    assert [r["row"] for r in rows] == ["1", "2"]
    # the row that gave the answer names its column once; the client's other row says why it has no answer
    assert rows[0]["error"].startswith('monthly_income: "很多"') and rows[0]["error"].count("monthly_income") == 1
    assert rows[1]["error"].startswith("another debt of the same client")
    assert all(r["stage"] == "" for r in rows)


def test_tab_separated_file_is_grouped_by_its_client_column(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("客户编号\t逾期天数\t逾期金额\t平台\t协商情况\nK1\t12\t3800\t花呗\t未协商\nK1\t40\t6万\t信用卡\t未协商\n",
                    encoding="utf-8")
    done = run(str(path), "--summary", "s.json", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["rows"] for line in done.stdout.decode().splitlines()] == [[1, 2]]


def test_short_summary_on_a_terminal_counts_households(clients: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    import sys

    out = clients.parent / "out.jsonl"
    child = pexpect.spawn(sys.executable, ["-m", "advisor", "batch", str(clients), "-o", str(out), "--as-of", AS_OF],
                          cwd=str(clients.parent), env={**os.environ, "COLUMNS": "100"}, encoding="utf-8",
                          timeout=120)
    child.expect(pexpect.EOF)
    said = child.before
    labels = {entry["id"]: entry["label"]["zh"] for entry, _ in advisor.default_ruleset().priorities}
    assert "按户，最先处理的欠款：" in said
    assert all(labels[r["order"][0]["priority"]] in said for r in households().values())
    assert "按阶段：" in said and "无法评估的原因：" in said
    assert out.read_text(encoding="utf-8").count("\n") == 4
