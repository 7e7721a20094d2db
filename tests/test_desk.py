"""The counsellor's desk, through the CLI on real files: a caseload summary, a report and a letter per
client, a CSV for people with kept columns and spreadsheet lines, .xlsx in and out, other delimiters
and UTF-16, and messages in the person's language."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

openpyxl = pytest.importorskip("openpyxl")

ADVISOR = [sys.executable, "-m", "advisor"]
AS_OF = ["--as-of", "2026-11-29"]

# A caseload as a counsellor keeps it: names, notes, headers with units, a blank line, a bad row, a
# note that looks like a formula.
CASELOAD = (
    "编号,姓名,逾期天数(天),逾期金额（元）,平台,协商情况,备注\n"
    "C1,张三,45,5000,花呗,未协商,=HYPERLINK(\"http://x\")\n"
    "\n"
    "C2,李四,十二天天,3000,信用卡,未协商,电话打不通\n"
    "C3,王五,200,62000,信用卡,协商失败,老客户\n"
    "C4,张三,12,3800,网商贷,未协商,\n"
)


class Done(NamedTuple):
    returncode: int
    stdout: bytes
    stderr: bytes


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> Done:
    """`advisor batch …` in this process (so coverage sees it), from the folder `cwd`."""
    from typer.testing import CliRunner

    from advisor import cli

    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli.app, ["batch", *args, *AS_OF], input=stdin,
                                    env={"COLUMNS": "100", "NO_COLOR": "1"})
    finally:
        os.chdir(before)
    assert "Traceback" not in result.stderr, result.stderr
    return Done(result.exit_code, result.stdout_bytes, result.stderr_bytes)


@pytest.fixture
def caseload(tmp_path: Path) -> Path:
    path = tmp_path / "客户.csv"
    path.write_text(CASELOAD, encoding="utf-8")
    return path


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# ---------------------------------------------------------------- a CSV for people


def test_labels_keep_and_line_in_chinese(caseload: Path) -> None:
    out = caseload.parent / "结果.csv"
    done = run(str(caseload), "--labels", "--keep", "姓名", "--keep", "备注", "-o", str(out), cwd=caseload.parent)
    assert done.returncode == 1, done.stderr.decode()  # one row rejected
    rows = rows_of(out)
    assert [r["行"] for r in rows] == ["1", "2", "3", "4"]  # every input row, in order
    assert [r["表格行号"] for r in rows] == ["2", "4", "5", "6"]  # the spreadsheet's own line numbers
    assert [r["姓名"] for r in rows] == ["张三", "李四", "王五", "张三"]
    first = rows[0]
    assert first["备注"].startswith("'=")  # a note never runs as a formula
    assert first["阶段"] == "催收阶段" and first["机构类型"] == "互联网平台信贷产品"
    assert first["一句话结论"] and first["第一步"] and first["第三步"]
    assert "_" not in first["第一步"]  # a text, not a step id
    bad = rows[1]
    assert bad["错误"].startswith("逾期天数(天):")  # the column as the person's header names it
    assert bad["阶段"] == ""
    # The kept columns are carried, so they are not "unknown columns" in the warning.
    assert "姓名" not in done.stderr.decode()


def test_labels_in_english(caseload: Path) -> None:
    done = run(str(caseload), "--labels", "--output-format", "csv", "--lang", "en", cwd=caseload.parent)
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode())))
    assert list(rows[0])[:3] == ["row", "line", "id"]
    assert rows[0]["stage"] == "Collection" or rows[0]["stage"][0].isupper()
    assert rows[0]["step 1"]


def test_keep_names_a_missing_column(caseload: Path) -> None:
    done = run(str(caseload), "--keep", "电话", cwd=caseload.parent)
    assert done.returncode == 2
    assert "电话" in done.stderr.decode() and "Traceback" not in done.stderr.decode()


def test_keep_and_line_in_jsonl(caseload: Path) -> None:
    done = run(str(caseload), "--keep", "姓名", cwd=caseload.parent)
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["line"] for r in records] == [2, 4, 5, 6]
    assert [r["kept"]["姓名"] for r in records] == ["张三", "李四", "王五", "张三"]
    assert records[1]["error"]["field"] == "overdue_days"
    assert records[1]["error"]["column"] == "逾期天数(天)"
    assert records[0]["stage"] == "collection"  # the record itself is unchanged


def test_a_plain_run_is_unchanged_by_summary_and_documents(caseload: Path) -> None:
    plain = run(str(caseload), "--output-format", "csv", cwd=caseload.parent)
    desk = run(str(caseload), "--output-format", "csv", "--summary", "s.md", "--reports", "r",
               cwd=caseload.parent)
    assert desk.stdout == plain.stdout
    plain = run(str(caseload), cwd=caseload.parent)
    desk = run(str(caseload), "--summary", "s.json", cwd=caseload.parent)
    assert desk.stdout == plain.stdout


# ---------------------------------------------------------------- the caseload summary


def test_summary_markdown_counts_and_rejected_rows(caseload: Path) -> None:
    done = run(str(caseload), "--summary", "汇总.md", "-q", cwd=caseload.parent)
    assert done.returncode == 1
    text = (caseload.parent / "汇总.md").read_text(encoding="utf-8")
    assert "共 4 行：已评估 3 行，无法评估 1 行" in text
    assert "| 信用卡 | 1 |" in text and "| 互联网平台信贷产品 | 1 |" in text
    assert "## 按阶段" in text and "## 按严重程度" in text and "## 按是否上报征信" in text
    # The rejected row: its column as written, the reason without the person's value, row 2 on line 4.
    assert "| 逾期天数(天) |" in text and "2 (表格第 4 行)" in text
    assert "十二天天" not in text


def test_summary_json_in_english(caseload: Path) -> None:
    done = run(str(caseload), "--summary", "s.json", "--lang", "en", "-q", cwd=caseload.parent)
    assert done.returncode == 1
    data = json.loads((caseload.parent / "s.json").read_text(encoding="utf-8"))
    assert (data["rows"], data["assessed"], data["rejected"]) == (4, 3, 1)
    assert sum(c["count"] for c in data["counts"]["stage"]) == 3
    assert {c["id"] for c in data["counts"]["platform"]} == {"internet_platform", "credit_card", "bank_loan"} \
        or len(data["counts"]["platform"]) == 3
    group = data["rejected_rows"][0]
    assert group["column"] == "逾期天数(天)" and group["rows"] == [{"row": 2, "line": 4}]


def test_summary_counts_concerns_people_named(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("逾期天数,逾期金额,平台,协商情况,担心\n45,5000,花呗,未协商,jail\n30,100,花呗,未协商,\n",
                    encoding="utf-8")
    run(str(path), "--summary", "s.json", "-q", cwd=tmp_path)
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data["counts"]["concern"] == [{"id": "jail", "label": data["counts"]["concern"][0]["label"], "count": 1}]


# ---------------------------------------------------------------- a report and a letter per client


def test_reports_and_letters_per_client(caseload: Path) -> None:
    done = run(str(caseload), "--keep", "姓名", "--reports", "报告", "--letters", "信", "-q", cwd=caseload.parent)
    assert done.returncode == 1
    reports = sorted(p.name for p in (caseload.parent / "报告").iterdir())
    letters = sorted(p.name for p in (caseload.parent / "信").iterdir())
    # Three clients assessed, the rejected row gets no file; names from row, id and kept name.
    assert reports == ["0001-C1-张三.html", "0003-C3-王五.html", "0004-C4-张三.html"]
    assert letters == ["0001-C1-张三.txt", "0003-C3-王五.txt", "0004-C4-张三.txt"]
    page = (caseload.parent / "报告" / "0003-C3-王五.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "62,000" in page
    assert "http://" not in page.split("<body", 1)[1] or "HYPERLINK" not in page
    letter = (caseload.parent / "信" / "0001-C1-张三.txt").read_text(encoding="utf-8")
    assert "5,000" in letter or "5000" in letter


def test_report_names_are_safe_and_unique(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,逾期天数,逾期金额,平台,协商情况\n../../etc/x,45,5000,花呗,未协商\n"
                    "../../etc/x,45,5000,花呗,未协商\n\u202egnp.exe,3,100,花呗,未协商\n", encoding="utf-8")
    done = run(str(path), "--reports", "out", "--reports-format", "markdown", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 3 and all(n.endswith(".md") for n in names)
    assert all("/" not in n and "\u202e" not in n and not n.startswith(".") for n in names)
    assert not list(tmp_path.glob("etc*")) and not (tmp_path.parent / "etc").exists()


def test_reports_format_is_checked(caseload: Path) -> None:
    done = run(str(caseload), "--reports", "r", "--reports-format", "pdf", cwd=caseload.parent)
    assert done.returncode == 2 and "pdf" in done.stderr.decode()


# ---------------------------------------------------------------- spreadsheets in and out


def make_sheet(path: Path, rows: list[list[object]], title: str = "客户", second: str | None = None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if second is not None:
        other = book.create_sheet(second)
        other.append(["逾期天数", "逾期金额", "平台", "协商情况"])
        other.append([400, 9000, "网商贷", "未协商"])
    book.save(path)


SHEET = [["姓名", "逾期天数", "逾期金额（元）", "平台", "协商情况"],
         ["张三", 45.0, 5000, "花呗", "未协商"],
         [],
         ["李四", 12, 3800.5, "信用卡", "未协商"],
         ["王五", "abc", 100, "信用卡", "未协商"]]


def test_xlsx_in(tmp_path: Path) -> None:
    make_sheet(tmp_path / "c.xlsx", SHEET, second="其他")
    done = run("c.xlsx", "--keep", "姓名", cwd=tmp_path)
    assert done.returncode == 1, done.stderr.decode()
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r.get("line") for r in records] == [2, 4, 5]  # the sheet's row numbers, the blank row skipped
    assert records[0]["case"]["overdue_days"] == 45  # 45.0 in the sheet
    assert records[1]["case"]["amount"] == "3800.50"
    assert "error" in records[2]
    other = run("c.xlsx", "--sheet", "其他", cwd=tmp_path)
    assert json.loads(other.stdout)["case"]["overdue_days"] == 400
    missing = run("c.xlsx", "--sheet", "无", cwd=tmp_path)
    assert missing.returncode == 2 and "其他" in missing.stderr.decode()


def test_xlsx_in_plain_run_and_stdin(tmp_path: Path) -> None:
    make_sheet(tmp_path / "c.xlsx", SHEET)
    by_name = run("c.xlsx", "-q", cwd=tmp_path)
    by_stdin = run("-", "-q", cwd=tmp_path, stdin=(tmp_path / "c.xlsx").read_bytes())
    assert by_name.stdout == by_stdin.stdout and by_name.stdout.count(b"\n") == 3


def test_xlsx_out_two_sheets_and_no_formulas(caseload: Path) -> None:
    done = run(str(caseload), "--keep", "备注", "-o", "结果.xlsx", cwd=caseload.parent)
    assert done.returncode == 1, done.stderr.decode()
    book = openpyxl.load_workbook(caseload.parent / "结果.xlsx")
    records, summary = book.worksheets
    assert records.title == "评估结果" and summary.title == "汇总"
    rows = list(records.iter_rows(values_only=True))
    assert rows[0][:4] == ("行", "表格行号", "编号", "备注")
    assert len(rows) == 5  # the header and one row per input row
    note = records.cell(row=2, column=4)
    assert note.data_type == "s" and note.value.startswith("=HYPERLINK")  # kept as text, never a formula
    assert any(r[0] == "按阶段" for r in summary.iter_rows(values_only=True))


def test_xlsx_output_needs_a_file(caseload: Path) -> None:
    done = run(str(caseload), "--output-format", "xlsx", cwd=caseload.parent)
    assert done.returncode == 2 and "-o" in done.stderr.decode()


def test_missing_extra_is_named(tmp_path: Path) -> None:
    make_sheet(tmp_path / "c.xlsx", SHEET)
    hide = "import sys; sys.modules['openpyxl'] = None; import runpy; sys.argv = ['advisor', 'batch', 'c.xlsx']; " \
           "runpy.run_module('advisor', run_name='__main__')"
    done = subprocess.run([sys.executable, "-c", hide], cwd=tmp_path, capture_output=True, timeout=60)
    assert done.returncode == 2
    assert 'pip install "advisor[excel]"' in done.stderr.decode()
    assert "gb18030" not in done.stderr.decode() and "Traceback" not in done.stderr.decode()


# ---------------------------------------------------------------- other delimiters, UTF-16, units


@pytest.mark.parametrize("sep", ["\t", ";", ","])
def test_delimiters_are_sniffed(tmp_path: Path, sep: str) -> None:
    body = sep.join(["逾期天数", "金额(元)", "平台", "协商情况"]) + "\r\n" + sep.join(["45", "5000", "花呗", "未协商"]) \
        + "\r\n" + sep.join(["12", '"3,800"', "信用卡", "未协商"]) + "\r\n"
    path = tmp_path / "c.txt"
    path.write_text(body, encoding="utf-8", newline="")
    done = run(str(path), "-q", "--input-format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    amounts = [json.loads(line)["case"]["amount"] for line in done.stdout.decode().splitlines()]
    assert amounts == ["5000.00", "3800.00"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom(tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    text = "逾期天数\t逾期金额\t平台\t协商情况\r\n45\t5000\t花呗\t未协商\r\n30\t800\t借呗\t未协商\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(bom + text.encode(codec))
    done = run(str(path), "-q", "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert [json.loads(line)["case"]["overdue_days"] for line in done.stdout.decode().splitlines()] == [45, 30]


# ---------------------------------------------------------------- messages in the person's language


def test_file_and_flag_errors_in_chinese(caseload: Path) -> None:
    jobs = run(str(caseload), "--jobs", "0", cwd=caseload.parent)
    assert jobs.returncode == 2 and "进程数" in jobs.stderr.decode()
    fmt = run(str(caseload), "--output-format", "xml", cwd=caseload.parent)
    assert fmt.returncode == 2 and "不是可选的格式" in fmt.stderr.decode()
    missing = run("nosuch.csv", cwd=caseload.parent)
    assert missing.returncode == 2 and "无法读取" in missing.stderr.decode()
    same = run(str(caseload), "-o", str(caseload), cwd=caseload.parent)
    assert same.returncode == 2 and "输入文件" in same.stderr.decode()


def test_row_errors_name_the_column_as_written(caseload: Path) -> None:
    done = run(str(caseload), "--output-format", "csv", cwd=caseload.parent)
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode())))
    assert rows[1]["error"].startswith("逾期天数(天): ")


def test_short_summary_on_a_terminal(caseload: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    out = caseload.parent / "out.jsonl"
    child = pexpect.spawn(ADVISOR[0], [*ADVISOR[1:], "batch", str(caseload), "-o", str(out), *AS_OF],
                          cwd=str(caseload.parent), env={**os.environ, "COLUMNS": "100"}, encoding="utf-8",
                          timeout=60)
    child.expect(pexpect.EOF)
    said = child.before
    assert "按阶段：" in said and "催收阶段 1" in said
    assert "无法评估的原因：逾期天数(天)" in said
    assert out.read_text(encoding="utf-8").count("\n") == 4


def test_header_and_encoding_errors_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("逾期天数,金额,平台\n45,5000,花呗\n", encoding="utf-8")
    done = run(str(path), cwd=tmp_path)
    assert done.returncode == 2 and "缺少这些列：协商情况（negotiation）" in done.stderr.decode()
    path.write_text("逾期天数,金额,平台,协商情况,金额(元)\n45,5000,花呗,未协商,1\n", encoding="utf-8")
    done = run(str(path), cwd=tmp_path)
    assert done.returncode == 2 and "两列都是" in done.stderr.decode()
    path.write_bytes("逾期天数,金额,平台,协商情况\n45,5000,花呗,未协商\n".encode("gb18030"))
    done = run(str(path), cwd=tmp_path)
    assert done.returncode == 2 and "不是有效的 UTF-8 文本" in done.stderr.decode()
    assert "--encoding gb18030" in done.stderr.decode()
    done = run(str(path), "--encoding", "klingon", cwd=tmp_path)
    assert done.returncode == 2 and "不认识的编码" in done.stderr.decode()
    english = run(str(path), "--encoding", "klingon", "--lang", "en", cwd=tmp_path)
    assert "unknown encoding" in english.stderr.decode()
