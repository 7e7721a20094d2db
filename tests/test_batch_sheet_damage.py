"""Damaged and malformed .xlsx files, and the .xlsx the tool writes, through `advisor batch` on real files.

A cell that cannot be read costs its own row (an error record naming the row and the column), never the
run; damage that stops the sheet's XML ends the run after the rows before it, with the damaged-workbook
advice (exit 2); rows are the `<row>`s the sheet holds, however they are numbered; and the rows of an
.xlsx being written stay beside the output, never in the system's temporary folder."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import advisor_in as advisor
from conftest import jsonl as records

pytest.importorskip("openpyxl")

AS_OF = "2026-11-29"
ROOT = Path(__file__).resolve().parent.parent
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_XML = "xl/worksheets/sheet1.xml"


def three_rows(path: Path, old: str = "", new: str = "", date_cell: str = "") -> Path:
    """A workbook of rows A1, A2, A3 (A2's amount 7777) as openpyxl saves it, with `old` swapped for
    `new` in its sheet's XML: the damage a broken program or a bad copy leaves."""
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["编号", "逾期天数", "金额", "平台", "协商情况"], ["A1", 45, 5000, "花呗", "未协商"],
                ["A2", 45, 7777, "花呗", "未协商"], ["A3", 45, 5000, "花呗", "未协商"]):
        book.active.append(row)
    if date_cell:
        book.active[date_cell].number_format = "yyyy-mm-dd"
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET_XML and old:
                assert old.encode() in data, data
                data = data.replace(old.encode(), new.encode(), 1)
            out.writestr(item, data)
    plain.unlink()
    return path


def by_hand(path: Path, rows: str, strings: str | None = None, extra: dict[str, str] | None = None) -> Path:
    """A workbook written part by part, as programs other than Excel write them: shared strings
    (`<si>` entries) if given, and any extra parts."""
    shared = strings is not None
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + ('<Override PartName="/xl/sharedStrings.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
           if shared else "") + "</Types>",
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        + ('<Relationship Id="rId2" Target="sharedStrings.xml" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
           if shared else "") + "</Relationships>",
        SHEET_XML: f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>',
        **({"xl/sharedStrings.xml": f'<sst xmlns="{NS}">{strings}</sst>'} if shared else {}),
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, text in parts.items():
            out.writestr(name, text)
    return path


def shared(*texts: str) -> str:
    return "".join(f"<si><t>{t}</t></si>" for t in texts)


def row(number: int | str, *cells: str) -> str:
    return f'<row r="{number}">' + "".join(cells) + "</row>"


def s(place: str, index: int | str) -> str:  # a shared string
    return f'<c r="{place}" t="s"><v>{index}</v></c>'


def n(place: str, value: Any) -> str:  # a number
    return f'<c r="{place}"><v>{value}</v></c>'


WORDS = ("编号", "逾期天数", "金额", "平台", "协商情况", "花呗", "未协商")  # shared strings 0 to 6


def case(number: int, case_id: int, amount: Any = 5000, id_cell: str | None = None) -> str:
    """A row of a hand-made sheet: its id a shared string (index `case_id`), or `id_cell` as given."""
    return row(number, id_cell or s(f"A{number}", case_id), n(f"B{number}", 45), n(f"C{number}", amount),
               s(f"D{number}", 5), s(f"E{number}", 6))


HEADER = row(1, *(s(f"{c}1", i) for i, c in enumerate("ABCDE")))


def clean(done: Any) -> None:
    """Whatever a file holds, no traceback and no internal error reach the user."""
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "内部出错" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert done.returncode in (0, 1, 2), done.stderr


# ---------------------------------------------------------------- 1. a cell that cannot be read


DAMAGED_CELLS = {
    "a number with a comma": ("<v>7777</v>", "<v>12,5</v>", "12,5"),
    "a number that is a word": ("<v>7777</v>", "<v>inf</v>", "inf"),
    "a shared string that is not there": ('<c r="C3" t="n"><v>7777', '<c r="C3" t="s"><v>9', "9"),
    "a style that is not there": ('<c r="C3" t="n">', '<c r="C3" t="n" s="999">', "999"),
    "a date that is no date": ('<c r="C3" t="n"><v>7777', '<c r="C3" t="d"><v>notadate', "notadate"),
    "a place with the digits first": ('<c r="C3"', '<c r="3C"', "3C"),
    "a place past the last column": ('<c r="C3"', '<c r="ZZZZZZ3"', "ZZZZZZ3"),
}


@pytest.mark.parametrize("damage", list(DAMAGED_CELLS), ids=list(DAMAGED_CELLS))
def test_a_cell_that_cannot_be_read_costs_its_row_only(tmp_path: Path, damage: str) -> None:
    # Before, each of these ended the run with "程序内部出错", exit 4 and no record at all, A1's included.
    old, new, raw = DAMAGED_CELLS[damage]
    three_rows(tmp_path / "v.xlsx", old, new)
    done = advisor("batch", "v.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 1, done.stderr
    first, second, third = records(done.stdout)
    assert first["case"]["id"] == "A1" and third["case"]["id"] == "A3"
    assert second["row"] == 2 and second["id"] == "A2"
    assert second["error"]["field"] == "amount"
    message = second["error"]["message"]
    assert message.startswith("第 3 行第 3 列（金额）："), message  # the sheet's row 3, column C
    assert raw in message and "Excel" in message


def test_a_date_cell_holding_no_date_is_its_rows_error_not_a_warning(tmp_path: Path) -> None:
    # Before, openpyxl printed a UserWarning with its source line on stderr and the cell read as #VALUE!.
    three_rows(tmp_path / "d.xlsx", '<c r="B3" s="1" t="n"><v>45</v>', '<c r="B3" s="1" t="n"><v>99999999999</v>',
               date_cell="B3")
    done = advisor("batch", "d.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert "Warning" not in done.stderr, done.stderr
    found = records(done.stdout)
    assert [r["row"] for r in found if "error" in r] == [2]
    message = found[1]["error"]["message"]
    assert message.startswith("第 3 行第 2 列（逾期天数）：这一格设成了日期格式") and "99999999999" in message


def test_an_unreadable_cell_in_english_and_in_the_counsellors_csv(tmp_path: Path) -> None:
    three_rows(tmp_path / "v.xlsx", "<v>7777</v>", "<v>12,5</v>")
    done = advisor("batch", "v.xlsx", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert records(done.stdout)[1]["error"]["message"].startswith('line 3, cell 3 (金额): this cell cannot be read')
    desk = advisor("batch", "v.xlsx", "-q", "--keep", "编号", "-o", "r.csv", "--as-of", AS_OF, cwd=tmp_path)
    clean(desk)
    lines = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("2,3,A2,A2,"), lines  # row 2, the sheet's row 3, its id and kept id still shown
    assert "12,5" in lines[2]


def test_an_unreadable_header_cell_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    by_hand(tmp_path / "h.xlsx", row(1, *(s(f"{c}1", i) for i, c in enumerate("ABCD")), s("E1", 99)) + case(2, 0),
            shared(*WORDS))
    done = advisor("batch", "h.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 2 and done.stdout == ""
    assert "表头读不出来：第 1 行第 5 列（E）：这一格读不出来" in done.stderr, done.stderr


# ---------------------------------------------------------------- 2. damage that stops the sheet


def test_broken_xml_writes_the_rows_before_it_then_the_damaged_workbook_advice(tmp_path: Path) -> None:
    # Before: "程序内部出错（ParseError…）", exit 4, and no record, though row A1 came before the damage.
    three_rows(tmp_path / "x.xlsx", '<row r="3">', '<row r="3"><x>')
    done = advisor("batch", "x.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 2
    assert [r["case"]["id"] for r in records(done.stdout)] == ["A1"]
    assert "x.xlsx：工作表在第 2 行之后损坏" in done.stderr and "另存为" in done.stderr, done.stderr
    array = advisor("batch", "x.xlsx", "-q", "--output-format", "json", "--as-of", AS_OF, cwd=tmp_path)
    assert array.returncode == 2 and array.stdout.rstrip().endswith("]")  # the JSON array is still closed


def test_a_sheet_broken_before_its_header_gets_the_damaged_workbook_advice(tmp_path: Path) -> None:
    three_rows(tmp_path / "x.xlsx", '<row r="1">', '<row r="1"><x>')
    done = advisor("batch", "x.xlsx", "-q", "--lang", "en", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 2 and done.stdout == ""
    assert "this Excel file cannot be read" in done.stderr and "ParseError" in done.stderr, done.stderr


def test_a_workbook_with_no_worksheet_gets_the_damaged_workbook_advice(tmp_path: Path) -> None:
    # Before: "程序内部出错（IndexError: list index out of range）", exit 4.
    path = by_hand(tmp_path / "w.xlsx", HEADER)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/workbook.xml"] = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", parts["xl/workbook.xml"])
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    done = advisor("batch", "w.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 2 and done.stdout == ""
    assert "这个 Excel 文件打不开" in done.stderr and "no worksheet" in done.stderr, done.stderr


# ---------------------------------------------------------------- 3. rows however they are numbered


@pytest.mark.parametrize(("old", "new", "lines"), [
    ('<row r="3">', '<row r="2">', [2, 3, 4]),  # a row number given twice: the second is the next row
    ('<row r="3">', '<row r="0">', [2, 3, 4]),  # there is no row 0
    ('<row r="4">', '<row r="5000000">', [2, 3, 4]),  # past Excel's last row
    ('<row r="4">', f'<row r="{10 ** 9}">', [2, 3, 4]),
    ('<row r="4">', '<row r="99999999999">', [2, 3, 4]),
    ('<row r="4">', '<row r="1000000">', [2, 3, 1_000_000]),  # a gap is not rows: 999,996 of them were made
])
def test_every_row_the_sheet_holds_is_one_record_whatever_its_number(tmp_path: Path, old: str, new: str,
                                                                     lines: list[int]) -> None:
    # Before, a row numbered again or 0 was dropped (exit 0, A2 missing), and a number far on made one
    # empty row for every number skipped: 68 s for 5,000,000, over ten minutes for 99,999,999,999.
    three_rows(tmp_path / "r.xlsx", old, new)
    started = time.monotonic()
    done = advisor("batch", "r.xlsx", "-q", "--keep", "编号", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 0, done.stderr
    assert [(r["row"], r["line"], r["case"]["id"]) for r in records(done.stdout)] == \
        list(zip([1, 2, 3], lines, ["A1", "A2", "A3"]))
    assert time.monotonic() - started < 30  # not a bound to rely on: the record count above is the test


@pytest.mark.parametrize(("number", "rows"), [(10 ** 9, [1, 2, 3, 4]), (1_000_000, [1, 2, 3, 1_000_000])])
def test_a_row_number_far_on_makes_no_lines(tmp_path: Path, number: int, rows: list[int]) -> None:
    """The bounded work itself: the sheet read as text has one line per row it holds, each knowing its
    row number in the sheet; no line stands for a row number skipped."""
    from advisor.batch.sheets import xlsx_as_csv
    from advisor.ruleset import load_ruleset

    path = three_rows(tmp_path / "r.xlsx", '<row r="4">', f'<row r="{number}">')
    with open(path, "rb") as stream:
        text, sheet = xlsx_as_csv(str(path), stream, stream.read(8), None, load_ruleset(), "zh", str(path))
        assert text.read().count(b"\n") == 4
    assert [sheet.row(k) for k in (1, 2, 3, 4)] == rows


# ---------------------------------------------------------------- 4. shared strings


def test_shared_strings_past_those_the_cells_use_are_never_read(tmp_path: Path) -> None:
    # Before, the whole table was read up front: 3,000,000 unused entries took 683 MB and 113 s. The
    # tail here is not even XML: reading it would end the run.
    by_hand(tmp_path / "s.xlsx", HEADER + case(2, 7) + case(3, 8), shared(*WORDS, "K1", "K2") + "<si><t>x</si>" * 3)
    done = advisor("batch", "s.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 0, done.stderr
    assert [r["case"]["id"] for r in records(done.stdout)] == ["K1", "K2"]


@pytest.mark.parametrize("index", ["-1", "9", str(1 << 20), str(10 ** 12)])
def test_a_shared_string_index_that_does_not_fit_damages_its_cell(tmp_path: Path, index: str) -> None:
    # -1 read the table's last entry before (a wrong id in silence); 9 is past the table's end; 2**20
    # and more are past what is ever read, so no table is parsed that far.
    by_hand(tmp_path / "s.xlsx", HEADER + case(2, 7) + case(3, 0, id_cell=s("A3", index)) + case(4, 8),
            shared(*WORDS, "K1", "K2"))
    done = advisor("batch", "s.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 1
    found = records(done.stdout)
    assert [r.get("id", r.get("case", {}).get("id")) for r in found] == ["K1", None, "K2"]
    assert found[1]["error"]["message"].startswith("第 3 行第 1 列（编号）：这一格读不出来")
    assert f"“{index}”" in found[1]["error"]["message"]


def test_a_part_read_whole_that_unpacks_too_large_is_refused_at_once(tmp_path: Path) -> None:
    styles = f'<styleSheet xmlns="{NS}">' + " " * (33 << 20) + "</styleSheet>"  # a few KB packed
    by_hand(tmp_path / "b.xlsx", HEADER + case(2, 0), shared(*WORDS), {"xl/styles.xml": styles})
    done = advisor("batch", "b.xlsx", "-q", "--as-of", AS_OF, cwd=tmp_path)
    clean(done)
    assert done.returncode == 2 and done.stdout == ""
    assert "这个 Excel 文件打不开" in done.stderr and "xl/styles.xml" in done.stderr, done.stderr


# ---------------------------------------------------------------- 5. writing .xlsx


def cases(rows: int) -> bytes:
    return ("编号,逾期天数,金额,平台,协商情况\n" + "".join(f"A{i},{i % 200},{1000 + i},花呗,未协商\n"
                                               for i in range(rows))).encode()


def _wait_for(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _streaming(tmp_path: Path, *flags: str) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """An .xlsx run reading standard input that stays open, stopped while its rows stream into its sheet
    file (which must be beside the output), with TMPDIR an empty folder of its own."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "batch", "-", "-o", str(out), "-q", "--as-of", AS_OF,
                             *flags], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)})
    assert proc.stdin is not None
    proc.stdin.write(cases(2000))
    proc.stdin.flush()  # stdin stays open: the run waits for more rows
    sheet = lambda: [p for p in tmp_path.iterdir() if p.name.endswith(".sheet.part")]  # noqa: E731
    _wait_for(lambda: bool(sheet()) and sheet()[0].stat().st_size > 0)
    return proc, out, scratch


def test_the_rows_of_an_xlsx_being_written_stay_beside_it_even_after_a_hard_kill(tmp_path: Path) -> None:
    # Before, openpyxl streamed every record into /tmp/openpyxl.XXXX, which a SIGKILL left there.
    proc, out, scratch = _streaming(tmp_path)
    assert list(scratch.iterdir()) == []
    proc.kill()
    proc.communicate(timeout=30)
    assert list(scratch.iterdir()) == []
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != "tmp")
    assert left and all(re.fullmatch(r"\.out\.xlsx\.[0-9a-f]{8}(\.sheet)?\.part", name) for name in left), left
    assert not out.exists()


@pytest.mark.parametrize(("sig", "code", "jobs"), [(signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "1"),
                                                   (signal.SIGINT, 130, "2"), (signal.SIGTERM, 143, "2")])
def test_stopping_an_xlsx_output_shows_no_traceback_and_leaves_nothing(tmp_path: Path, sig: int, code: int,
                                                                      jobs: str) -> None:
    # Before: "Exception ignored in: <generator … _write_rows> … ValueError: I/O operation on closed file".
    proc, out, scratch = _streaming(tmp_path, "--jobs", jobs)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert b"Traceback" not in err and b"Exception ignored" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"] and list(scratch.iterdir()) == []


def test_a_file_size_limit_while_writing_xlsx_names_the_output(tmp_path: Path) -> None:
    # Before: "无法写入 standard output：File too large" and an OSError traceback from openpyxl's temporary file.
    (tmp_path / "sig").mkdir()
    (tmp_path / "big.csv").write_bytes(cases(3000))

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200 << 10, 200 << 10))

    done = subprocess.run([sys.executable, "-m", "advisor", "batch", "big.csv", "-o", "sig/out.xlsx", "-q",
                           "--as-of", AS_OF], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=small_files, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "无法写入 sig/out.xlsx：File too large" in done.stderr and "standard output" not in done.stderr
    assert list((tmp_path / "sig").iterdir()) == []
