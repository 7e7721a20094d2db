"""What a hostile review of `advisor batch` found silently wrong, each through the command a person runs,
on real files: a unit in a header, households read from stdin or a JSON array, a bad person answer on
a later row of a household, and an output file whose name says another format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import advisor_in as advisor
from conftest import jsonl as records

AS_OF = "2026-11-29"
ROOT = Path(__file__).resolve().parent.parent
HOUSEHOLD = ("客户编号,逾期天数,逾期金额,平台,协商情况,月收入,每月支出\n"
             "K1,12,3800,花呗,未协商,8000,5000\nK1,100,2万,网商贷,未协商,8000,5000\nK1,5,6000,借呗,未协商,8000,5000\n")


def assessed(tmp_path: Path, header: str, cells: str) -> dict:
    (tmp_path / "u.csv").write_text(f"编号,{header},平台,协商情况\nA1,{cells},信用卡,未协商\n", encoding="utf-8")
    done = advisor("batch", "u.csv", "--as-of", AS_OF, "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return records(done.stdout)[0]["case"]


def typed(tmp_path: Path, days: str, amount: str) -> dict:
    """The case `assess` makes of the same words given as answers."""
    done = advisor("assess", "-d", days, "-a", amount, "-p", "信用卡", "-n", "未协商", "--format", "json",
                   "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["case"]


# ---------------------------------------------------------------- 1. a unit in a header's brackets


@pytest.mark.parametrize(("header", "cells", "days", "amount"), [
    ("逾期天数(月),逾期金额（万元）", "4,6", "4个月", "6万"),
    ("逾期天数[周],逾期金额(千元)", "3,2.5", "3周", "2.5千"),
    ("逾期天数（天）,金额（万）", "45,1.2", "45", "1.2万"),
    ("逾期天数(个月),逾期金额(单位：万元)", "2,3", "2个月", "3万"),
])
def test_a_unit_in_a_header_reads_a_bare_number_as_the_same_words_typed(tmp_path: Path, header: str, cells: str,
                                                                         days: str, amount: str) -> None:
    case = assessed(tmp_path, header, cells)
    want = typed(tmp_path, days, amount)
    assert (case["overdue_days"], case["amount"]) == (want["overdue_days"], want["amount"])


def test_a_cell_that_names_its_own_unit_is_read_as_written(tmp_path: Path) -> None:
    case = assessed(tmp_path, "逾期天数(月),逾期金额（万元）", "45天,5000元")
    assert (case["overdue_days"], case["amount"]) == (45, "5000.00")


@pytest.mark.parametrize("header", ["逾期金额(USD)", "逾期金额（美元）", "逾期金额(%)", "逾期金额(年)"])
def test_a_unit_the_field_cannot_take_stops_the_run_before_any_row(tmp_path: Path, header: str) -> None:
    (tmp_path / "u.csv").write_text(f"逾期天数,{header},平台,协商情况\n4,6,信用卡,未协商\n", encoding="utf-8")
    done = advisor("batch", "u.csv", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert header in done.stderr and "Traceback" not in done.stderr
    assert "元" in done.stderr  # what the column should hold


def test_a_days_column_in_yuan_stops_the_run_in_english_too(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text("逾期天数(元),逾期金额,平台,协商情况\n4,6,信用卡,未协商\n", encoding="utf-8")
    done = advisor("batch", "u.csv", "--as-of", AS_OF, "--lang", "en", cwd=tmp_path)
    assert done.returncode == 2
    assert "逾期天数(元)" in done.stderr and "days" in done.stderr


@pytest.mark.parametrize("note", ["备注", "必填", "元/人民币", "元"])
def test_a_note_that_is_no_unit_stays_decoration(tmp_path: Path, note: str) -> None:
    case = assessed(tmp_path, f"逾期天数,逾期金额（{note}）", "4,6")
    assert (case["overdue_days"], case["amount"]) == (4, "6.00")


# ---------------------------------------------------------------- 2. households from stdin and JSON arrays


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_stdin_groups_households_as_the_file_does(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "hh.csv").write_text(HOUSEHOLD, encoding="utf-8")
    from_file = advisor("batch", "hh.csv", "--output-format", fmt, "-q", "--as-of", AS_OF, cwd=tmp_path)
    piped = advisor("batch", "-", "--output-format", fmt, "-q", "--as-of", AS_OF, cwd=tmp_path,
                    stdin=HOUSEHOLD.encode())
    assert from_file.returncode == piped.returncode == 0, piped.stderr
    assert piped.stdout == from_file.stdout
    assert "客户编号" not in piped.stderr  # not ignored as an unknown column


def test_stdin_without_a_client_column_still_runs_row_by_row(tmp_path: Path) -> None:
    text = "编号,逾期天数,金额,平台,协商情况\nA1,45,5000,花呗,未协商\nA2,0,3万,网商贷,协商中\n"
    done = advisor("batch", "-", "-q", "--as-of", AS_OF, cwd=tmp_path, stdin=text.encode())
    assert done.returncode == 0, done.stderr
    assert [r["case"]["id"] for r in records(done.stdout)] == ["A1", "A2"]


def test_a_json_array_groups_households_as_jsonl_does(tmp_path: Path) -> None:
    rows = [dict(zip(HOUSEHOLD.splitlines()[0].split(","), line.split(","))) for line in HOUSEHOLD.splitlines()[1:]]
    (tmp_path / "hh.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    (tmp_path / "hh.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                       encoding="utf-8")
    array = advisor("batch", "hh.json", "--output-format", "jsonl", "-q", "--as-of", AS_OF, cwd=tmp_path)
    lines = advisor("batch", "hh.jsonl", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert array.returncode == lines.returncode == 0, array.stderr
    households = records(array.stdout)
    assert len(households) == 1 and households[0]["rows"] == [1, 2, 3]
    assert array.stdout == lines.stdout
    piped = advisor("batch", "-", "--input-format", "json", "-q", "--as-of", AS_OF, cwd=tmp_path,
                    stdin=(tmp_path / "hh.json").read_bytes())
    assert piped.stdout == lines.stdout


# ---------------------------------------------------------------- 3. a bad person answer on a later row


N3 = "客户编号,逾期天数,逾期金额,平台,协商情况,月收入,每月支出\nK1,12,3800,花呗,未协商,8000,5000\n{second}\n"


@pytest.mark.parametrize("later", ["K1,100,2万,网商贷,未协商,一万多,", "K1,100,2万,网商贷,未协商,,abc"])
def test_a_bad_person_answer_on_a_later_row_makes_the_household_an_error(tmp_path: Path, later: str) -> None:
    (tmp_path / "n3.csv").write_text(N3.format(second=later), encoding="utf-8")
    done = advisor("batch", "n3.csv", "--as-of", AS_OF, "-q", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    (record,) = records(done.stdout)
    column = "月收入" if "一万多" in later else "每月支出"
    assert record["error"]["row"] == 2
    assert record["error"]["field"] == ("monthly_income" if column == "月收入" else "monthly_expenses")
    out = advisor("batch", "n3.csv", "--as-of", AS_OF, "-q", "-o", "out.csv", cwd=tmp_path)
    assert out.returncode == 1
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert column in lines[2] and lines[2].startswith("K1,2,3,")


def test_a_later_row_fails_as_the_first_row_would(tmp_path: Path) -> None:
    bad = "K1,100,2万,网商贷,未协商,一万多,"
    (tmp_path / "first.csv").write_text(N3.splitlines()[0] + "\n" + bad + "\n" + N3.splitlines()[1] + "\n",
                                        encoding="utf-8")
    (tmp_path / "later.csv").write_text(N3.format(second=bad), encoding="utf-8")
    first = records(advisor("batch", "first.csv", "--as-of", AS_OF, "-q", cwd=tmp_path).stdout)[0]["error"]
    later = records(advisor("batch", "later.csv", "--as-of", AS_OF, "-q", cwd=tmp_path).stdout)[0]["error"]
    assert (first["row"], later["row"]) == (1, 2)
    assert first["field"] == later["field"] and first["message"] == later["message"]


@pytest.mark.parametrize("output", ["out.jsonl", "out.csv", "out.xlsx", "out.json"])
def test_differing_person_answers_are_counted_on_stderr_for_every_format(tmp_path: Path, output: str) -> None:
    if output.endswith(".xlsx"):
        pytest.importorskip("openpyxl")
    (tmp_path / "d.csv").write_text(N3.format(second="K1,100,2万,网商贷,未协商,9000,"), encoding="utf-8")
    done = advisor("batch", "d.csv", "--as-of", AS_OF, "-q", "-o", output, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1" in done.stderr and done.stderr.strip(), done.stderr
    english = advisor("batch", "d.csv", "--as-of", AS_OF, "-q", "-o", output, "--lang", "en", cwd=tmp_path)
    assert "1 " in english.stderr and "differ" in english.stderr, english.stderr


# ---------------------------------------------------------------- 4. an output name that says another format


@pytest.mark.parametrize(("flag", "name"), [("-o", "结果.xls"), ("-o", "o.tsv"), ("-o", "o.md"),
                                             ("--summary", "汇总.xlsx"), ("--summary", "s.csv"),
                                             ("--summary", "s.html")])
def test_an_output_name_of_a_format_not_written_there_stops_the_run(tmp_path: Path, flag: str, name: str) -> None:
    (tmp_path / "x.csv").write_text("逾期天数,金额,平台,协商情况\n45,5000,花呗,未协商\n", encoding="utf-8")
    extra = ["-o", "r.jsonl"] if flag == "--summary" else []
    done = advisor("batch", "x.csv", flag, name, *extra, "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert flag in done.stderr and name in done.stderr and "Traceback" not in done.stderr
    assert (".md" if flag == "--summary" else ".csv") in done.stderr  # what it can take
    assert not (tmp_path / name).exists() and not (tmp_path / "r.jsonl").exists()


def test_a_grouped_run_refuses_a_name_of_another_format_too(tmp_path: Path) -> None:
    (tmp_path / "hh.csv").write_text(HOUSEHOLD, encoding="utf-8")
    done = advisor("batch", "hh.csv", "-o", "结果.xls", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2 and "结果.xls" in done.stderr
    assert not (tmp_path / "结果.xls").exists()


@pytest.mark.parametrize("name", ["x.out", "noext", "x.txt"])
def test_a_name_of_no_format_keeps_writing_jsonl(tmp_path: Path, name: str) -> None:
    (tmp_path / "x.csv").write_text("逾期天数,金额,平台,协商情况\n45,5000,花呗,未协商\n", encoding="utf-8")
    done = advisor("batch", "x.csv", "-o", name, "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert records((tmp_path / name).read_text(encoding="utf-8"))[0]["stage"]


def test_a_json_key_naming_its_unit_reads_as_a_header_does(tmp_path):
    # As a CSV header (逾期金额（万元）: 6 is 60,000); a unit the answer cannot take is that object's error.
    rows = [{"编号": "A1", "逾期天数(月)": 4, "逾期金额（万元）": 6, "平台": "信用卡", "协商情况": "未协商"},
            {"编号": "A2", "逾期天数": 40, "逾期金额(USD)": 6, "平台": "信用卡", "协商情况": "未协商"},
            {"编号": "A3", "逾期天数": 40, "逾期金额（万元）": "6万", "平台": "信用卡", "协商情况": "未协商"}]
    path = tmp_path / "u.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "advisor", "batch", str(path), "--as-of", "2026-11-29", "-q"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert (out[0]["case"]["overdue_days"], out[0]["case"]["amount"]) == (120, "60000.00")
    assert out[1]["error"]["field"] == "amount" and "USD" in out[1]["error"]["message"]
    assert out[2]["case"]["amount"] == "60000.00", "a value naming its own unit is read as written"
    from advisor import assess_many  # the API maps keys the same way

    api = assess_many(rows[:1], as_of=date(2026, 11, 29))
    assert next(iter(api))["case"]["amount"] == "60000.00"


@pytest.mark.parametrize(("given", "name", "refused"), [
    ("json", "r.xlsx", True), ("csv", "r.json", True), ("json", "r.jsonl", True),
    ("jsonl", "r.ndjson", False), ("json", "r.out", False), ("csv", "r.csv", False)])
def test_an_output_format_that_disagrees_with_the_files_extension_is_refused(tmp_path: Path, given: str, name: str,
                                                                             refused: bool) -> None:
    # Before, --output-format json -o r.xlsx wrote JSON into a file no spreadsheet opens, exit 0.
    (tmp_path / "in.csv").write_text("编号,逾期天数,逾期金额,平台,协商情况\nA,45,5000,花呗,未协商\n", encoding="utf-8")
    done = advisor("batch", "in.csv", "-q", "--output-format", given, "-o", name, "--as-of", "2026-11-22", cwd=tmp_path)
    assert done.returncode == (2 if refused else 0), done.stderr
    assert (tmp_path / name).exists() is not refused
    if refused:
        assert given in done.stderr and name in done.stderr and "Traceback" not in done.stderr


def test_a_column_kept_twice_is_written_once(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("编号,逾期天数,逾期金额,平台,协商情况\nA,45,5000,花呗,未协商\n", encoding="utf-8")
    done = advisor("batch", "in.csv", "-q", "--keep", "平台", "--keep", "平台", "--output-format", "csv",
                   "--as-of", "2026-11-22", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    header = done.stdout.lstrip("\ufeff").splitlines()[0].split(",")
    assert header.count("平台") == 1
