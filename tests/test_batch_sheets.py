"""Spreadsheets as offices keep them, through `advisor batch` on real files: merged cells, a title above
the header, trailing empty cells, cell formats, and the files that are not .xlsx at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import advisor_in as advisor
from conftest import jsonl as records

AS_OF = "2026-11-29"
ROOT = Path(__file__).resolve().parent.parent
HEADER = ["客户编号", "姓名", "逾期天数", "逾期金额", "平台", "协商情况", "月收入", "每月支出"]


def sheet(path: Path, rows: list[list[Any]], merged: tuple[str, ...] = (), formats: dict[str, str] | None = None
          ) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    for ref in merged:
        ws.merge_cells(ref)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    book.save(path)
    return path


# ---------------------------------------------------------------- 1. merged cells


def test_a_merged_client_cell_keeps_the_household_together(tmp_path: Path) -> None:
    sheet(tmp_path / "hh.xlsx", [HEADER,
                                 ["K1", "张三", 12, 3800, "花呗", "未协商", 8000, 5000],
                                 [None, None, 100, 20000, "网商贷", "未协商", None, None],
                                 [None, None, 5, 6000, "借呗", "未协商", None, None],
                                 ["K2", "李四", 40, 60000, "信用卡", "未协商", 6000, 4000],
                                 [None, None, 10, 1000, "花呗", "未协商", None, None]],
          merged=("A2:A4", "B2:B4", "G2:G4", "H2:H4", "A5:A6", "B5:B6", "G5:G6", "H5:H6"))
    done = advisor("batch", "hh.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    found = records(done.stdout)
    assert [(r["client"], r["rows"]) for r in found] == [("K1", [1, 2, 3]), ("K2", [4, 5])]
    plan = found[0]["plan"]
    assert len(plan["allocations"]) == 3  # one plan shares the margin among the three debts
    assert not found[0]["notes"]  # the merged income is one answer, not three that might differ


def test_a_merged_cell_applies_to_every_row_in_any_column(tmp_path: Path) -> None:
    sheet(tmp_path / "m.xlsx", [["编号", "逾期天数", "金额", "平台", "协商情况"],
                                ["A1", 45, 5000, "花呗", "未协商"],
                                ["A2", 30, 3000, None, None],
                                ["A3", 60, 2000, None, None]],
          merged=("D2:D4", "E2:E4"))
    done = advisor("batch", "m.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r["case"]["platform"] for r in records(done.stdout)] == ["internet_platform"] * 3


# ---------------------------------------------------------------- 2. a header below row 1

CASES = [["编号", "逾期天数", "金额", "平台", "协商情况"], ["A1", 45, 5000, "花呗", "未协商"], ["A2", 30, 3000, "信用卡", "未协商"]]


def test_blank_rows_above_a_sheets_header_are_skipped(tmp_path: Path) -> None:
    sheet(tmp_path / "b.xlsx", [[None], [None], *CASES])
    done = advisor("batch", "b.xlsx", "-q", "--keep", "编号", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(r["row"], r["line"], r["case"]["id"]) for r in records(done.stdout)] == [(1, 4, "A1"), (2, 5, "A2")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_title_above_a_sheets_header_is_passed_over_and_said(tmp_path: Path, lang: str) -> None:
    sheet(tmp_path / "t.xlsx", [["某某法律援助中心 逾期案件登记表"], [None], *CASES], merged=("A1:E1",))
    done = advisor("batch", "t.xlsx", "-q", "--lang", lang, "--keep", "编号", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(r["row"], r["line"]) for r in records(done.stdout)] == [(1, 4), (2, 5)]
    assert ("第 3 行" if lang == "zh" else "line 3") in done.stderr


def test_a_title_above_a_csv_header_is_passed_over(tmp_path: Path) -> None:
    body = "\n".join(",".join(str(c) for c in row) for row in CASES)
    (tmp_path / "t.csv").write_text(f"某某法律援助中心 逾期案件登记表,,,,\n,,,,\n{body}\n", encoding="utf-8")
    for args in (("t.csv",), ("-",)):
        stdin = (tmp_path / "t.csv").read_bytes() if args == ("-",) else None
        done = advisor("batch", *args, "-q", "--as-of", AS_OF, cwd=tmp_path, stdin=stdin)
        assert done.returncode == 0, done.stdout + done.stderr
        assert [r["case"]["id"] for r in records(done.stdout)] == ["A1", "A2"]
        assert "第 3 行" in done.stderr


def test_a_title_above_a_household_sheet_keeps_the_households(tmp_path: Path) -> None:
    sheet(tmp_path / "h.xlsx", [["2026年11月 逾期客户"], HEADER,
                                ["K1", "张三", 12, 3800, "花呗", "未协商", 8000, 5000],
                                ["K1", "张三", 100, 20000, "网商贷", "未协商", None, None]])
    for more in ((), ("-o", "out.csv", "--labels")):
        done = advisor("batch", "h.xlsx", "-q", *more, "--as-of", AS_OF, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    assert [(r["client"], r["rows"]) for r in records(advisor("batch", "h.xlsx", "-q", "--as-of", AS_OF,
                                                                cwd=tmp_path).stdout)] == [("K1", [1, 2])]
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1].startswith("K1,1,3,")


@pytest.mark.parametrize("above", ["某某法律援助中心 逾期案件登记表,,,,,\n", "\n\n", ",,,,,\n", ""])
def test_a_csv_with_a_title_or_blank_lines_above_its_header_keeps_the_households(tmp_path: Path, above: str) -> None:
    # The client column is found where the reader finds the header, not only on the first line.
    (tmp_path / "hh.csv").write_text(f"{above}客户编号,逾期天数,逾期金额,平台,协商情况,月收入\n"
                                     "K1,12,3800,花呗,未协商,8000\nK1,100,2万,网商贷,未协商,\n", encoding="utf-8")
    done = advisor("batch", "hh.csv", "-q", "--as-of", "2026-05-01", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(r["client"], r["rows"]) for r in records(done.stdout)] == [("K1", [1, 2])]
    assert "客户编号" not in done.stderr  # not ignored as an unknown column


# ---------------------------------------------------------------- 3. trailing empty cells; a damaged row's id


def test_trailing_empty_cells_are_read_as_empty_and_a_damaged_row_keeps_its_id(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text('编号,逾期天数,金额,平台,协商情况,备注,,,\n1,45,5000,花呗,未协商\n'
                                    '"7",45,5000,花呗,未协商,"a"b,,,\n2,30,3000,信用卡,未协商,x,,,,,\n'
                                    '3,45,5000,花呗,未协商,,\n', encoding="utf-8")
    done = advisor("batch", "t.csv", "-q", "--as-of", AS_OF, cwd=tmp_path)
    one, seven, two, three = records(done.stdout)
    assert one["case"]["id"] == "1" and two["case"]["id"] == "2" and three["case"]["id"] == "3"
    assert seven["row"] == 2 and seven["id"] == "7" and "第 3 行" in seven["error"]["message"]
    assert done.returncode == 1


@pytest.mark.parametrize("row", ["A1,45,5000,花呗,未协商,8,000,5000",  # an unquoted 8,000 moves 5000 under no name
                                 "A1,45,5000,花呗,未协商,8000,5000,,,,x", "A1,45,5000"])
def test_shifted_or_missing_cells_are_still_an_error_naming_the_row(tmp_path: Path, row: str) -> None:
    (tmp_path / "s.csv").write_text(f"编号,逾期天数,金额,平台,协商情况,月收入,每月支出,,,\n{row}\n", encoding="utf-8")
    done = advisor("batch", "s.csv", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 1
    (error,) = records(done.stdout)
    assert error["id"] == "A1" and error["error"]["message"].startswith("第 2 行：这一行有")


def test_a_row_longer_than_a_header_ending_in_a_named_column_is_not_read(tmp_path: Path) -> None:
    # The unquoted 8,000 pushes 3000 under 备注 and the row's empty last cell past the header: read, it
    # would be income 8 and expenses 000.
    (tmp_path / "inc.csv").write_text("编号,逾期天数,逾期金额,平台,协商情况,月收入,每月支出,备注\n"
                                      "A,45,20000,花呗,未协商,8,000,3000,\n", encoding="utf-8")
    done = advisor("batch", "inc.csv", "-q", "--as-of", "2026-05-01", cwd=tmp_path)
    assert done.returncode == 1
    (error,) = records(done.stdout)
    assert error["id"] == "A" and error["error"]["message"].startswith("第 2 行：这一行有 9 个值，但表头有 8 列")


def test_a_longer_row_below_a_padded_header_is_read_when_nothing_is_past_its_names(tmp_path: Path) -> None:
    (tmp_path / "pad.csv").write_text("编号,逾期天数,逾期金额,平台,协商情况,月收入,每月支出,备注,,\n"
                                      "A,45,20000,花呗,未协商,8000,3000,,,,,\n"
                                      "B,45,20000,花呗,未协商,8,000,3000,想分期,,\n", encoding="utf-8")
    done = advisor("batch", "pad.csv", "-q", "--as-of", "2026-05-01", cwd=tmp_path)
    padded, shifted = records(done.stdout)
    assert padded["case"]["monthly_income"] == "8000.00" and padded["case"]["monthly_expenses"] == "3000.00"
    assert shifted["id"] == "B" and shifted["error"]["message"].startswith("第 3 行：这一行有 11 个值")
    assert done.returncode == 1


def test_a_sheet_row_ending_before_its_optional_columns_is_read(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("客户编号,逾期天数,金额,平台,协商情况,月收入,每月支出\n"
                                    "K1,45,5000,花呗,未协商,8000,5000\nK1,100,2万,网商贷,未协商\n", encoding="utf-8")
    done = advisor("batch", "e.csv", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (household,) = records(done.stdout)
    assert household["rows"] == [1, 2] and len(household["plan"]["allocations"]) == 2


def stale_size(path: Path, ref: str) -> Path:
    """The sheet's <dimension> tag rewritten to `ref`: the size some writers leave behind after editing."""
    import re
    import zipfile

    parts = {}
    with zipfile.ZipFile(path) as book:
        for item in book.infolist():
            parts[item.filename] = book.read(item)
    xml, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="%s"/>' % ref.encode(),
                         parts["xl/worksheets/sheet1.xml"])
    assert count == 1
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


@pytest.mark.parametrize("ref", ["A1:E3", "A1:C2", "A1:A1"])
def test_a_sheet_whose_stated_size_is_stale_loses_no_row_and_no_column(tmp_path: Path, ref: str) -> None:
    rows = [[f"A{n}", 45, 5000, "花呗", "未协商", 8000 + n] for n in range(1, 6)]
    stale_size(sheet(tmp_path / "s.xlsx", [["编号", "逾期天数", "金额", "平台", "协商情况", "月收入"], *rows]), ref)
    done = advisor("batch", "s.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    found = records(done.stdout)
    assert [(r["case"]["id"], r["case"]["monthly_income"]) for r in found] == [(f"A{n}", f"{8000 + n}.00")
                                                                                for n in range(1, 6)]


def test_a_sheet_stated_wider_than_its_rows_still_pads_them(tmp_path: Path) -> None:
    # The stated width still pads every row, as openpyxl did: the header ends in unnamed columns, and a
    # note past it is under no name, as in any sheet of that width; a row ending early is read.
    stale_size(sheet(tmp_path / "w.xlsx", [["编号", "逾期天数", "金额", "平台", "协商情况"],
                                           ["A1", 45, 5000, "花呗"], ["A2", 45, 5000, "花呗", "未协商", None, None, "x"]]),
               "A1:H40")
    done = advisor("batch", "w.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    first, second = records(done.stdout)
    assert first["error"]["field"] == "negotiation" and second["case"]["id"] == "A2"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows_of_spaces_are_not_rows_above_or_below_the_header(tmp_path: Path, kind: str) -> None:
    # Before, " , , , , " and "\u3000,,,," were rows, each an error record ("没有填写"), exit 1; above the
    # header, a U+3000 line was taken for a title.
    rows = [["\u3000", "", "", "", ""], [" ", " ", "", "", ""], ["编号", "逾期天数", "金额", "平台", "协商情况"],
            [" ", " ", " ", " ", " "], ["A1", 45, 5000, "花呗", "未协商"], ["\u3000", "", "", "\u3000", ""],
            ["A2", 30, 3000, "信用卡", "未协商"]]
    if kind == "xlsx":
        sheet(tmp_path / "s.xlsx", rows)
    else:
        (tmp_path / "s.csv").write_text("".join(",".join(map(str, r)) + "\n" for r in rows), encoding="utf-8")
    done = advisor("batch", f"s.{kind}", "-q", "--keep", "编号", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(r["row"], r["line"], r["case"]["id"]) for r in records(done.stdout)] == [(1, 5, "A1"), (2, 7, "A2")]
    assert "表头" not in done.stderr  # no title was passed over


# ---------------------------------------------------------------- 4. cell types: a percent, a date and time


def test_a_percent_cell_reads_as_the_percent_it_shows(tmp_path: Path) -> None:
    sheet(tmp_path / "p.xlsx", [["编号", "逾期天数", "金额", "平台", "协商情况", "年化利率"],
                                ["P1", 45, 5000, "私人", "未协商", 0.36], ["P2", 45, 5000, "私人", "未协商", 0.2399],
                                ["P3", 45, 5000, "私人", "未协商", 36]],
          formats={"F2": "0%", "F3": "0.00%"})
    done = advisor("batch", "p.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r["case"]["apr"] for r in records(done.stdout)] == ["36", "23.99", "36"]


def test_a_date_with_a_time_reads_as_its_date(tmp_path: Path) -> None:
    from datetime import datetime

    sheet(tmp_path / "d.xlsx", [["编号", "逾期天数", "金额", "平台", "协商情况", "合同日期", "还清日期"],
                                ["D1", 45, 5000, "私人", "未协商", datetime(2024, 3, 1, 15, 30), datetime(2026, 11, 1)],
                                ["D2", 45, 5000, "私人", "未协商", datetime(2024, 3, 1), datetime(2026, 11, 1, 9, 5)]])
    done = advisor("batch", "d.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(r["case"]["contract_date"], r["case"]["repaid_on"]) for r in records(done.stdout)] == \
        [("2024-03-01", "2026-11-01")] * 2


@pytest.mark.parametrize("written", ["2024-03-01 00:00:00", "2024/03/01 0:00", "2024-03-01T00:00:00", "20240301",
                                     "2024年3月1号", "2024年3月1日", "2024-03-01 15:30"])
def test_a_csv_date_in_the_forms_exports_write(tmp_path: Path, written: str) -> None:
    (tmp_path / "d.csv").write_text(f"编号,逾期天数,金额,平台,协商情况,合同日期\nD1,45,5000,私人,未协商,{written}\n",
                                    encoding="utf-8")
    done = advisor("batch", "d.csv", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert records(done.stdout)[0]["case"]["contract_date"] == "2024-03-01"


@pytest.mark.parametrize("written", ["2024031", "202403015", "2024-03-01 下午", "20241301"])
def test_a_date_still_refuses_what_is_not_one(tmp_path: Path, written: str) -> None:
    (tmp_path / "d.csv").write_text(f"编号,逾期天数,金额,平台,协商情况,合同日期\nD1,45,5000,私人,未协商,{written}\n",
                                    encoding="utf-8")
    done = advisor("batch", "d.csv", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 1 and records(done.stdout)[0]["error"]["field"] == "contract_date"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060"])
@pytest.mark.parametrize("kind", ["csv", "xlsx", "jsonl"])
def test_invisible_characters_pasted_into_a_cell_or_header_are_dropped(tmp_path: Path, invisible: str,
                                                                      kind: str) -> None:
    # Before: a header 逾期天数 followed by a zero-width space was "missing", and a cell 45 with one was
    # "“45​”不是天数", the message showing it as a plain 45.
    z = invisible
    header = ["编号", f"逾期天数{z}", "金额", "平台", f"{z}协商情况"]
    row = [f"A{z}1", f"45{z}", f"5{z}000", f"花{z}呗", f"未协商{z}"]
    if kind == "xlsx":
        sheet(tmp_path / "z.xlsx", [header, row])
    elif kind == "csv":
        (tmp_path / "z.csv").write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    else:
        import json

        (tmp_path / "z.jsonl").write_text(json.dumps(dict(zip(header, row)), ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    done = advisor("batch", f"z.{kind}", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (record,) = records(done.stdout)
    assert record["case"] == {"id": "A1", "overdue_days": 45, "amount": "5000.00", "platform": "internet_platform",
                              "product": "花呗", "negotiation": "none"}


# ---------------------------------------------------------------- 5. files that are not .xlsx

OLE = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(range(256)) * 8  # how an old .xls (or an encrypted .xlsx) starts


@pytest.mark.parametrize(("lang", "said"), [("zh", "另存为"), ("en", "Save As")])
def test_an_old_xls_is_named_and_what_to_do_said(tmp_path: Path, lang: str, said: str) -> None:
    (tmp_path / "old.xls").write_bytes(OLE)
    for args, stdin in ((("old.xls",), None), (("-",), OLE)):
        done = advisor("batch", *args, "-q", "--lang", lang, cwd=tmp_path, stdin=stdin)
        assert done.returncode == 2 and done.stdout == ""
        assert ".xls" in done.stderr and said in done.stderr and "CSV UTF-8" in done.stderr
        assert "UTF-8 文本" not in done.stderr and "gb18030" not in done.stderr and "Traceback" not in done.stderr


def test_a_csv_named_xlsx_is_said_in_the_persons_language(tmp_path: Path) -> None:
    (tmp_path / "c.xlsx").write_text("编号,逾期天数,金额,平台,协商情况\nA1,45,5000,花呗,未协商\n", encoding="utf-8")
    done = advisor("batch", "c.xlsx", "-q", cwd=tmp_path)
    assert done.returncode == 2 and "zip" not in done.stderr and "--input-format csv" in done.stderr
    assert "不是" in done.stderr


def test_a_zip_that_is_no_workbook_is_said_in_the_persons_language(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    done = advisor("batch", "z.xlsx", "-q", cwd=tmp_path)
    assert done.returncode == 2 and "另存为" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.index("另存为") < done.stderr.index("Content_Types")  # the advice first, the detail after


@pytest.mark.parametrize("name", ["cases.xls", "cases", "CASES.XLSX"])
def test_a_workbook_under_another_name_is_read(tmp_path: Path, name: str) -> None:
    sheet(tmp_path / name, CASES)
    done = advisor("batch", name, "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r["case"]["id"] for r in records(done.stdout)] == ["A1", "A2"]


def test_a_percent_a_formula_worked_out_is_read_to_the_finest_a_rate_is_written_in(tmp_path: Path) -> None:
    # A rate computed by a formula (0.359999999, shown as 36%) was refused: "35.9999999%的小数位太多".
    sheet(tmp_path / "f.xlsx", [["编号", "逾期天数", "金额", "平台", "协商情况", "年化利率"],
                                ["F1", 45, 5000, "私人", "未协商", 0.359999999],
                                ["F2", 45, 5000, "私人", "未协商", 0.243456789]],
          formats={"F2": "0%", "F3": "0.00%"})
    done = advisor("batch", "f.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [r["case"]["apr"] for r in records(done.stdout)] == ["36", "24.3457"]
