"""Batch input a hostile tester fed in, through `advisor batch` on real files: a client column with a note
in brackets, a column named twice, UTF-16 input of every format, a line too long to read, -0.0 after
0.0, and flags that were ignored in silence (--sheet on a CSV, an empty --group-by)."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import NamedTuple

import pytest

AS_OF = ["--as-of", "2026-05-01"]
CASE = {"逾期天数": 45, "金额": 5000, "平台": "花呗", "协商情况": "未协商"}


class Done(NamedTuple):
    code: int
    out: str
    err: str


def run(*args: str, cwd: Path) -> Done:
    """`advisor batch …` in this process, from `cwd`."""
    from typer.testing import CliRunner

    from advisor import cli

    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli.app, ["batch", *args, *AS_OF, "-q"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    finally:
        os.chdir(before)
    assert "Traceback" not in result.stderr, result.stderr
    return Done(result.exit_code, result.stdout, result.stderr)


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# ---------------------------------------------------------------- 1. the client column


@pytest.mark.parametrize("header", ["客户编号(必填)", "客户编号（必填）", "客户编号 【必填】", "client (id)"])
def test_a_client_column_with_a_note_in_brackets_groups_the_rows(tmp_path: Path, header: str) -> None:
    (tmp_path / "c.csv").write_text(f"{header},编号,逾期天数,金额,平台,协商情况\n"
                                    "K1,a,45,5000,花呗,未协商\nK1,b,10,3000,信用卡,未协商\n", encoding="utf-8")
    done = run("c.csv", cwd=tmp_path)
    assert done.code == 0, done.err
    found = records(done.out)
    assert [(r["client"], r["rows"]) for r in found] == [("K1", [1, 2])]  # one household, not two rows
    assert "忽略" not in done.err  # the column is read, not "ignored"


@pytest.mark.parametrize(("header", "flags"), [
    ("客户编号,客户编号", ()),
    ("客户编号(必填),客户编号", ()),
    ("客户编号,客户编号", ("--group-by", "客户编号")),
    ("姓名,姓名", ("--keep", "姓名")),
])
def test_a_client_or_kept_column_named_twice_is_a_usage_error_as_a_field_twice_is(
        tmp_path: Path, header: str, flags: tuple[str, ...]) -> None:
    (tmp_path / "c.csv").write_text(f"{header},逾期天数,金额,平台,协商情况\nK1,K2,45,5000,花呗,未协商\n", encoding="utf-8")
    done = run("c.csv", *flags, cwd=tmp_path)
    assert done.code == 2 and done.out == ""
    assert "两列" in done.err and "不知道该用哪一列" in done.err
    # The same as two columns of one field:
    (tmp_path / "d.csv").write_text("逾期天数,金额,金额,平台,协商情况\n45,5000,6000,花呗,未协商\n", encoding="utf-8")
    assert run("d.csv", cwd=tmp_path).code == 2


def test_a_json_object_giving_its_client_twice_is_an_error_record(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text(
        '{"客户编号":"K1","客户编号":"K2","编号":"A","逾期天数":45,"金额":5000,"平台":"花呗","协商情况":"未协商"}\n'
        '{"客户编号":"K1","逾期天数":45,"金额":5000,"平台":"花呗","协商情况":"未协商"}\n', encoding="utf-8")
    done = run("c.jsonl", cwd=tmp_path)
    first, second = records(done.out)
    assert done.code == 1
    assert first["error"]["message"] == "“客户编号”重复给出" and first["row"] == 1
    assert second["client"] == "K1" and second["rows"] == [2]


# ---------------------------------------------------------------- 2. UTF-16, whatever the format


ARRAY = json.dumps([CASE], ensure_ascii=False)
LINES = json.dumps(CASE, ensure_ascii=False) + "\n"
TABLE = "逾期天数,金额,平台,协商情况\n45,5000,花呗,未协商\n"


@pytest.mark.parametrize(("name", "text", "flags"), [
    ("u.json", ARRAY, ()),
    ("u.json", ARRAY, ("--input-format", "json")),
    ("u.jsonl", LINES, ()),
    ("u.jsonl", LINES, ("--input-format", "jsonl")),
    ("u.jsonl", LINES, ("--encoding", "utf-16")),
    ("u.txt", ARRAY, ()),
    ("u.csv", TABLE, ()),
])
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le no bom", "utf-16-be no bom"])
def test_utf16_is_read_as_utf16_in_every_input_format(tmp_path: Path, name: str, text: str, flags: tuple[str, ...],
                                                      codec: str) -> None:
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + text.encode(codec)
    else:
        data = text.encode(codec.split()[0])  # "utf-16" writes a BOM (PowerShell's >), the others none
    (tmp_path / name).write_bytes(data)
    done = run(name, *flags, cwd=tmp_path)
    assert done.code == 0, done.err
    [record] = records(done.out)
    assert record["case"]["overdue_days"] == 45 and record["case"]["platform"] == "internet_platform"


def test_a_few_nul_bytes_in_a_utf8_file_are_one_damaged_row_not_utf16(tmp_path: Path) -> None:
    rows = "".join(f"{n},5000,花呗,未协商,\n" for n in range(1, 30))
    pasted = "45,5000,花呗,未协商,".encode() + "abcdef".encode("utf-16-le") + b"\n"  # a UTF-16 fragment in a cell
    (tmp_path / "c.csv").write_bytes(("逾期天数,金额,平台,协商情况,备注\n" + rows).encode() + pasted)
    done = run("c.csv", cwd=tmp_path)
    found = records(done.out)
    assert done.code == 1 and len(found) == 30 and "NUL" in found[-1]["error"]["message"]


def test_a_utf16_file_with_another_encoding_named_is_told_it_is_utf16(tmp_path: Path) -> None:
    (tmp_path / "u.json").write_bytes(ARRAY.encode("utf-16-le"))
    for encoding in ("gb18030", "utf-8"):
        done = run("u.json", "--encoding", encoding, cwd=tmp_path)
        assert done.code == 2 and "UTF-16" in done.err and "gb18030 再试" not in done.err and "--encoding" in done.err


def test_a_utf16_file_keeps_its_client_column(tmp_path: Path) -> None:
    rows = [{"客户编号": "K1", **CASE}, {"客户编号": "K1", **CASE, "平台": "信用卡"}]
    (tmp_path / "g.json").write_bytes(json.dumps(rows, ensure_ascii=False).encode("utf-16"))
    (tmp_path / "g.jsonl").write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-16"))
    for name in ("g.json", "g.jsonl"):
        done = run(name, cwd=tmp_path)
        assert done.code == 0, done.err
        assert [(r["client"], r["rows"]) for r in records(done.out)] == [("K1", [1, 2])]


# ---------------------------------------------------------------- 5. a line too long, -0.0, flags said in silence


LONG = "x" * 140_000  # past the 128 KB a row may hold


def test_a_csv_line_too_long_keeps_its_id_and_kept_cells_when_they_come_before_the_cut(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(f"编号,姓名,逾期天数,金额,平台,协商情况,备注\nA1,张三,45,5000,花呗,未协商,{LONG}\n"
                                    f"A2,李四,45,5000,花呗,未协商,\n\"A3,{LONG}\n", encoding="utf-8")
    done = run("c.csv", "--keep", "姓名", cwd=tmp_path)
    first, second, third = records(done.out)
    assert done.code == 1
    assert first["id"] == "A1" and first["kept"] == {"姓名": "张三"} and "131,072" in first["error"]["message"]
    assert second["case"]["id"] == "A2"
    assert third["id"] is None and third["kept"] == {"姓名": None}  # a quote the cut goes through: nothing whole


def test_a_jsonl_line_too_long_keeps_its_id(tmp_path: Path) -> None:
    rows = [{"编号": "J1", **CASE, "备注": LONG}, {"备注": LONG, **CASE, "id": "J2"}, {**CASE, "编号": "J3"}]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    done = run("c.jsonl", cwd=tmp_path)
    found = records(done.out)
    assert done.code == 1
    assert [r.get("id", r.get("case", {}).get("id")) for r in found] == ["J1", None, "J3"]  # J2's id is past the cut


def test_a_too_long_row_of_a_client_puts_its_household_in_error(tmp_path: Path) -> None:
    # Its client can be read: the household is not assessed without that debt, in silence.
    (tmp_path / "c.csv").write_text(f"客户编号,逾期天数,金额,平台,协商情况,备注\nK1,45,5000,花呗,未协商,{LONG}\n"
                                    "K1,10,3000,信用卡,未协商,\n", encoding="utf-8")
    [household] = records(run("c.csv", cwd=tmp_path).out)
    assert household["client"] == "K1" and household["rows"] == [1, 2] and household["error"]["row"] == 1


def test_minus_zero_after_zero_is_echoed_as_written(tmp_path: Path) -> None:
    rows = [{**CASE, "金额": 0.0}, {**CASE, "金额": -0.0}, {**CASE, "金额": 0}]
    (tmp_path / "z.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    messages = [r["error"]["message"] for r in records(run("z.jsonl", cwd=tmp_path).out)]
    assert ["“0.0”" in messages[0], "“-0.0”" in messages[1], "“0”" in messages[2]] == [True, True, True], messages


def test_sheet_on_a_file_that_is_no_workbook_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("逾期天数,金额,平台,协商情况\n45,5000,花呗,未协商\n", encoding="utf-8")
    done = run("c.csv", "--sheet", "nope", cwd=tmp_path)
    assert done.code == 2 and done.out == "" and "--sheet" in done.err and ".xlsx" in done.err


@pytest.mark.parametrize("name", ["c.csv", "c.jsonl"])
@pytest.mark.parametrize("flags", [("--group-by", ""), ("--group-by", " "), ("--keep", "")])
def test_an_empty_column_name_is_a_usage_error_for_group_by_as_for_keep(tmp_path: Path, name: str,
                                                                        flags: tuple[str, str]) -> None:
    (tmp_path / "c.csv").write_text("客户编号,,逾期天数,金额,平台,协商情况\nK1,,45,5000,花呗,未协商\n", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"客户编号": "K1", **CASE}, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    done = run(name, *flags, cwd=tmp_path)
    assert done.code == 2 and done.out == "" and f"{flags[0]}：没有写列名" in done.err, done.err
