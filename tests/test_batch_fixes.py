"""Defects a hostile tester found in `advisor batch`, each through the real command on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AS_OF = "2026-05-01"
ROOT = Path(__file__).resolve().parent.parent


def advisor(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
            ) -> subprocess.CompletedProcess[str]:
    """The command as a person runs it, in `cwd`."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "advisor", *args], cwd=cwd, capture_output=True, env=environment,
                          input=stdin, check=False, text=stdin is None)


def records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def sheet_values(path: Path) -> list[list[object]]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


# ---------------------------------------------------------------- 1. control characters in .xlsx output


def test_xlsx_output_escapes_control_characters(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    (tmp_path / "f1.csv").write_bytes("编号,逾期天数,金额,平台,协商情况,姓名,备\x01注\n"
                                      "X\x01,45,5000,花呗,未协商,\x1b[2J张三,x\n".encode())
    done = advisor("batch", "f1.csv", "-o", "f1.xlsx", "--keep", "姓名", "--keep", "备\x01注", "-q",
                   "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    header, row = sheet_values(tmp_path / "f1.xlsx")[:2]
    assert "备\\x01注" in header
    assert row[2] == "X\\x01" and row[3] == "\\x1b[2J张三"


def test_xlsx_output_of_a_grouped_run_escapes_the_client_id(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    (tmp_path / "g.csv").write_bytes("客户编号,逾期天数,金额,平台,协商情况\nK\x01,45,5000,花呗,未协商\n"
                                     "K\x01,10,3000,信用卡,未协商\n".encode())
    done = advisor("batch", "g.csv", "-o", "g.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = sheet_values(tmp_path / "g.xlsx")
    assert [r[0] for r in rows[1:3]] == ["K\\x01", "K\\x01"]


# ---------------------------------------------------------------- 2, 3, 12. every output place, checked first

CASES = "编号,逾期天数,金额,平台,协商情况\nA,45,5000,花呗,未协商\n"
HOUSEHOLDS = "客户编号,逾期天数,金额,平台,协商情况\nK1,45,5000,花呗,未协商\nK1,10,3000,信用卡,未协商\n"


@pytest.mark.parametrize("content", [CASES, HOUSEHOLDS], ids=["row by row", "households"])
@pytest.mark.parametrize("flag", ["--summary", "--reports", "--letters"])
def test_no_output_replaces_the_input(tmp_path: Path, flag: str, content: str) -> None:
    (tmp_path / "f2.csv").write_text(content, encoding="utf-8")
    (tmp_path / "link.csv").symlink_to("f2.csv")
    for name in ("f2.csv", "./f2.csv", "link.csv"):
        done = advisor("batch", "f2.csv", flag, name, "-q", "--as-of", AS_OF, cwd=tmp_path)
        assert done.returncode == 2 and name in done.stderr and flag in done.stderr, done.stderr
        assert (tmp_path / "f2.csv").read_text(encoding="utf-8") == content


@pytest.mark.parametrize("content", [CASES, HOUSEHOLDS], ids=["row by row", "households"])
def test_two_outputs_naming_one_file_are_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "c.csv").write_text(content, encoding="utf-8")
    done = advisor("batch", "c.csv", "-o", "x.json", "--summary", "./x.json", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2 and "-o" in done.stderr and "--summary" in done.stderr
    assert not (tmp_path / "x.json").exists()
    # Reports and letters may share a folder: their files differ by extension.
    shared = advisor("batch", "c.csv", "--reports", "d", "--letters", "d", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert shared.returncode == 0, shared.stderr


@pytest.mark.parametrize("content", [CASES, HOUSEHOLDS], ids=["row by row", "households"])
@pytest.mark.parametrize("flag, place", [("--summary", "nodir/s.md"), ("--summary", "dir"),
                                         ("--reports", "c.csv/r"), ("--letters", "plain.txt")])
def test_an_output_that_cannot_be_written_stops_the_run_before_it_starts(tmp_path: Path, flag: str, place: str,
                                                                          content: str) -> None:
    (tmp_path / "c.csv").write_text(content, encoding="utf-8")
    (tmp_path / "dir").mkdir()
    (tmp_path / "plain.txt").write_text("x", encoding="utf-8")
    done = advisor("batch", "c.csv", "-o", "out.jsonl", flag, place, "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2 and place in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out.jsonl").exists()
    assert not any(p.name.startswith(".out.jsonl") for p in tmp_path.iterdir()), "no part file was begun"


@pytest.mark.parametrize("content", [CASES, HOUSEHOLDS], ids=["row by row", "households"])
def test_summary_to_standard_output(tmp_path: Path, content: str) -> None:
    (tmp_path / "c.csv").write_text(content, encoding="utf-8")
    done = advisor("batch", "c.csv", "-o", "out.jsonl", "--summary", "-", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# 案件汇总") and not (tmp_path / "-").exists()
    assert records((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    clash = advisor("batch", "c.csv", "--summary", "-", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert clash.returncode == 2 and "--summary" in clash.stderr and clash.stdout == ""


# ---------------------------------------------------------------- 4. data after a JSON array

ONE = '{"overdue_days":45,"amount":5000,"platform":"花呗","negotiation":"none"}'


@pytest.mark.parametrize("content", [f"[{ONE}]\n[{ONE}]\n", f"[{ONE}] trailing", f"[{ONE}]]"],
                         ids=["two arrays", "text", "a second ]"])
def test_data_after_a_json_array_is_a_usage_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "a.json").write_text(content, encoding="utf-8")
    done = advisor("batch", "a.json", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2 and "after the array" in done.stderr, done.stderr
    assert len(records(done.stdout)) == 1, "the rows before it are answered, as for a broken array"
    fine = advisor("batch", "-", "--input-format", "json", "-q", "--as-of", AS_OF, cwd=tmp_path,
                   stdin=f"  [{ONE}]  \n\n".encode())
    assert fine.returncode == 0


# ---------------------------------------------------------------- 9. every error record names its line


def test_a_row_that_cannot_be_read_names_its_line_and_cell(tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text("overdue_days,amount,platform,negotiation,x,y\n\n45,5000\n",
                                    encoding="utf-8")
    width = advisor("batch", "w.csv", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    assert records(width.stdout)[0]["error"]["message"].startswith("line 3: the row has 2 values")
    (tmp_path / "g.csv").write_bytes("overdue_days,amount,platform,negotiation,备注\n45,5000,hb,none,ok\n"
                                     .encode("gbk") + b"45,5000,hb,none,\xb0\xff\n")
    gbk = advisor("batch", "g.csv", "--encoding", "gbk", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    assert records(gbk.stdout)[1]["error"]["message"].startswith("line 3, cell 5 (备注): the row holds bytes")
    (tmp_path / "j.jsonl").write_text(f"{ONE}\n\n{ONE[:-1]}, oops}}\n[1]\n", encoding="utf-8")
    jsonl = advisor("batch", "j.jsonl", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    broken = records(jsonl.stdout)[1]
    assert broken["error"]["message"].startswith("line 3, column ") and "line 1" not in broken["error"]["message"]


def test_lines_named_by_worker_processes_are_the_file_lines(tmp_path: Path) -> None:
    good = "45,5000,花呗,none," + "x" * 60 + ",\n"  # long enough lines that two processes share the file
    body = good * 6_000 + "45,5000\n" + good * 6_000 + "45\n"
    (tmp_path / "big.csv").write_text("overdue_days,amount,platform,negotiation,x,y\n" + body, encoding="utf-8")
    done = advisor("batch", "big.csv", "-j", "2", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    bad = [r for r in records(done.stdout) if "error" in r]
    assert [(r["row"], r["error"]["message"].split(":")[0]) for r in bad] == [(6_001, "line 6,002"),
                                                                               (12_002, "line 12,003")]


# ---------------------------------------------------------------- 5. a household with a row that cannot be read


def test_a_row_of_a_household_with_the_wrong_number_of_cells_rejects_the_household(tmp_path: Path) -> None:
    (tmp_path / "hdmg.csv").write_text("客户编号,逾期天数,金额,平台,协商情况,月收入,每月支出\n"
                                       "K1,45,5000,花呗,未协商,8000,5000\nK1,100,2万,网商贷,未协商,8,000,5000\n"
                                       "K1,10,3000,信用卡,未协商,,\nK2,10,3000,信用卡,未协商,,\n"
                                       'K3,"10,3000,信用卡,未协商,,\n', encoding="utf-8")
    done = advisor("batch", "hdmg.csv", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    k1, k2, damaged = records(done.stdout)
    assert k1["client"] == "K1" and k1["rows"] == [1, 2, 3] and "debts" not in k1
    assert k1["error"]["debt"] == 2 and k1["error"]["row"] == 2 and "第2笔欠款" in k1["error"]["message"]
    assert "这一行有 8 个值，但表头有 7 列" in k1["error"]["message"]  # an unquoted 8,000
    assert k2["client"] == "K2" and "error" not in k2
    assert damaged["client"] is None and damaged["row"] == 5, "a line that cannot be read at all answers alone"


def test_a_jsonl_row_giving_a_field_twice_rejects_its_household(tmp_path: Path) -> None:
    first = '{"client":"K1","overdue_days":45,"amount":5000,"platform":"花呗","negotiation":"none"}'
    twice = '{"client":"K1","overdue_days":10,"amount":3000,"金额":4000,"platform":"花呗","negotiation":"none"}'
    (tmp_path / "h.jsonl").write_text(f"{first}\n{twice}\n", encoding="utf-8")
    done = advisor("batch", "h.jsonl", "-q", "--as-of", AS_OF, cwd=tmp_path)
    (record,) = records(done.stdout)
    assert record["rows"] == [1, 2] and record["error"]["field"] == "amount" and record["error"]["debt"] == 2


# ---------------------------------------------------------------- 6. U+FEFF in an .xlsx cell


def test_a_byte_order_mark_in_a_sheet_cell_is_not_damage(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "逾期天数", "金额", "平台", "协商情况"])
    sheet.append(["\ufeffA1", "45", "\ufeff5000", "花呗", "未协商"])
    book.save(tmp_path / "c.xlsx")
    done = advisor("batch", "c.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    (record,) = records(done.stdout)
    assert record["case"]["id"] == "A1" and record["case"]["amount"] == "5000.00"


# ---------------------------------------------------------------- 7. a JSON key given twice


@pytest.mark.parametrize("suffix, wrap", [(".jsonl", "{}\n"), (".json", "[{}]")])
def test_a_json_key_given_twice_is_a_field_given_twice(tmp_path: Path, suffix: str, wrap: str) -> None:
    core = '"overdue_days":45,"platform":"花呗","negotiation":"none"'
    same = '{"id":"A","amount":5000,' + core + ',"amount":6000}'
    aliased = '{"id":"A","amount":5000,' + core + ',"金额":6000}'
    for obj in (same, aliased):
        (tmp_path / f"d{suffix}").write_text(wrap.replace("{}", obj), encoding="utf-8")
        done = advisor("batch", f"d{suffix}", "-q", "--as-of", AS_OF, cwd=tmp_path)
        assert done.returncode == 1
        assert records(done.stdout) == [{"row": 1, "id": "A", "error": {"field": "amount",
                                                                         "message": "逾期金额（amount）重复给出"}}]
    unknown = '{"x":1,' + core + ',"amount":5000,"x":2}'  # a key that names no field: ignored, as before
    (tmp_path / f"d{suffix}").write_text(wrap.replace("{}", unknown), encoding="utf-8")
    assert advisor("batch", f"d{suffix}", "-q", "--as-of", AS_OF, cwd=tmp_path).returncode == 0


# ---------------------------------------------------------------- 8. an empty CSV


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"], ids=["0 bytes", "blank lines", "a BOM alone"])
def test_a_csv_with_no_header_is_a_usage_error(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "e.csv").write_bytes(content)
    done = advisor("batch", "e.csv", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2 and "no header" in done.stderr and done.stdout == ""
    piped = advisor("batch", "-", "-q", "--as-of", AS_OF, cwd=tmp_path, stdin=content)
    assert piped.returncode == 2


# ---------------------------------------------------------------- 11. --group-by naming no column


def test_group_by_a_missing_column_names_group_by(tmp_path: Path) -> None:
    (tmp_path / "t1.csv").write_text(CASES, encoding="utf-8")
    for extra in ([], ["--keep", "编号"], ["-o", "x.csv"]):
        done = advisor("batch", "t1.csv", "--group-by", "不存在", *extra, cwd=tmp_path)
        assert done.returncode == 2 and "--group-by：没有“不存在”这一列" in done.stderr and "--keep" not in done.stderr
    kept = advisor("batch", "t1.csv", "--group-by", "编号", "--keep", "无", cwd=tmp_path)
    assert kept.returncode == 2 and "--keep：没有“无”这一列" in kept.stderr


# ---------------------------------------------------------------- 12. a write error from worker processes


def test_a_write_error_in_worker_processes_is_said_in_the_persons_language(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    good = "45,5000,花呗,none," + "x" * 60 + "\n"
    (tmp_path / "big.csv").write_text("overdue_days,amount,platform,negotiation,note\n" + good * 8_000,
                                      encoding="utf-8")
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "advisor", "batch", "big.csv", "-j", "2", "-q", "--as-of", AS_OF],
                              cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and "advisor: 无法写入 standard output：" in done.stderr, done.stderr


# ---------------------------------------------------------------- 10. long file names for reports and letters


@pytest.mark.parametrize("client", ["编号", "客户编号"], ids=["row by row", "households"])
def test_report_and_letter_names_fit_a_file_name(tmp_path: Path, client: str) -> None:
    long_id, name = "\U00020000" * 60, "\U0002a700" * 60  # four bytes each in UTF-8
    rows = "".join(f"{long_id}{n},45,5000,花呗,未协商,{name}\n" for n in (1, 1, 2))
    (tmp_path / "c.csv").write_text(f"{client},逾期天数,金额,平台,协商情况,姓名\n{rows}", encoding="utf-8")
    done = advisor("batch", "c.csv", "--keep", "姓名", "--reports", "r", "--letters", "l", "-q",
                   "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    reports, letters = sorted(os.listdir(tmp_path / "r")), sorted(os.listdir(tmp_path / "l"))
    assert len(reports) == (2 if client == "客户编号" else 3) and len(letters) == 3
    assert all(len(n.encode()) <= 255 for n in reports + letters)
    again = advisor("batch", "c.csv", "--keep", "姓名", "--reports", "r2", "--letters", "l2", "-q",
                    "--as-of", AS_OF, cwd=tmp_path)
    assert again.returncode == 0 and sorted(os.listdir(tmp_path / "r2")) == reports, "the same names each run"


# ---------------------------------------------------------------- 13. Ctrl-C while the program loads


def test_ctrl_c_sent_while_the_program_loads_waits_for_it_and_exits_130(tmp_path: Path) -> None:
    # Deterministic: a SIGINT arrives while typer is being imported, inside a finaliser, where Python
    # would print the KeyboardInterrupt and carry on (as it does in the import machinery's callbacks); it
    # is held until the command line is loaded, then ends the run quietly.
    code = ("import os, signal, sys, runpy\n"
            "class Late:\n"
            "    def __del__(self):\n"
            "        os.kill(os.getpid(), signal.SIGINT)\n"
            "        sum(range(1000))\n"
            "class Stop:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'typer':\n"
            "            Late()\n"
            "sys.meta_path.insert(0, Stop())\n"
            "sys.argv = ['advisor', 'batch', 'big.csv', '-o', 'x.jsonl']\n"
            "runpy.run_module('advisor', run_name='__main__')\n")
    (tmp_path / "big.csv").write_text("overdue_days,amount,platform,negotiation\n45,5000,花呗,none\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 130 and "Traceback" not in done.stderr and "Cancelled" in done.stderr, done.stderr
    assert not (tmp_path / "x.jsonl").exists()


def test_ctrl_c_while_the_command_line_is_imported(tmp_path: Path) -> None:
    # Deterministic: the interrupt comes exactly while typer is being imported.
    code = ("import sys, runpy\n"
            "class Stop:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'typer':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, Stop())\n"
            "sys.argv = ['advisor', 'batch', 'x.csv']\n"
            "runpy.run_module('advisor', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 130 and "Traceback" not in done.stderr and "Cancelled" in done.stderr, done.stderr


def test_a_yes_no_negotiation_column_is_read(tmp_path):
    # 是否协商 with 否 is no talks; 是 says talks happened, not how they went: an error record asking which.
    path = tmp_path / "cases.csv"
    path.write_text("编号,逾期天数,逾期金额,平台,是否协商\n1,45,5000,花呗,否\n2,45,5000,花呗,是\n", encoding="utf-8")
    result = advisor("batch", str(path), "--as-of", "2026-11-29", "-q", cwd=tmp_path)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["case"]["negotiation"] == "none"
    assert records[1]["error"]["field"] == "negotiation" and "协商中" in records[1]["error"]["message"]
