"""Batch grouped by client: no answers on disk, each client's rows found again wherever they are, the
household's worries from every debt, and person answers that differ between rows made visible."""

from __future__ import annotations

import datetime
import json
import random
import tempfile
from typing import Any

import pytest
from typer.testing import CliRunner

import advisor
from advisor import cli
from advisor.batch import grouprows
from advisor.batch.groups import grouped_records
from advisor.batch.records import Summary
from advisor.errors import UsageError

AS_OF = "2026-11-22"
DAY = datetime.date.fromisoformat(AS_OF)
HEADER = "客户编号,逾期天数,金额,平台,协商情况,monthly_income,monthly_expenses,担心"


def run(*args: str, stdin: str | None = None, lang: str = "zh") -> Any:
    result = CliRunner().invoke(cli.app, ["batch", *args, "--as-of", AS_OF],
                                env={"COLUMNS": "80", "NO_COLOR": "1", "ADVISOR_LANG": lang}, input=stdin)
    return result


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def answered(found: list[dict[str, Any]]) -> list[int]:
    return sorted(n for r in found for n in (r.get("rows") or [r["row"]]))


def debts_of(rows: list[str]) -> list[dict[str, str]]:
    names = HEADER.split(",")
    return [dict(zip(names[1:5], line.split(",")[1:5])) for line in rows]


def scattered(count: int, clients: int, seed: int = 3) -> list[str]:
    rnd = random.Random(seed)
    return [f"C{rnd.randrange(clients)},{rnd.randrange(0, 400)},{rnd.randrange(100, 90000)},"
            f"{rnd.choice(['花呗', '信用卡', '网商贷', '招联'])},none,,," for _ in range(count)]


def test_no_answers_are_written_to_disk(tmp_path, rules, monkeypatch):
    """While a grouped run is under way, the temporary folder stays empty: nothing is spilled."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\n" + "\n".join(scattered(200, 40)) + "\n", encoding="utf-8")
    summary = Summary()
    found = grouped_records(str(path), "客户编号", rules=rules, as_of=DAY, lang="zh", input_format=None,
                            encoding=None, summary=summary)
    first = next(found)
    assert list(folder.iterdir()) == []  # every row has been read, and nothing was written anywhere
    rest = [first, *found]
    assert answered(rest) == list(range(1, 201)) and summary.rows == 200
    assert list(folder.iterdir()) == []


def test_households_from_rows_in_any_order_are_those_of_their_rows(tmp_path):
    """Each client's record is the household of exactly its rows, found again by seeking, whatever the
    order; a damaged row costs only itself, and a quoted value running over two lines is one row."""
    lines = scattered(60, 9)
    lines[5] = 'C1,"40,6万,信用卡,none,,,'  # a stray quote
    lines[9] = ",5,100,花呗,none,,,"  # no client
    lines[14] = 'C2,30,"2万",网商贷,"未协商",,,'
    body = "\n".join(lines[:20]) + "\n\n" + "\n".join(lines[20:]) + "\n"
    path = tmp_path / "c.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n" + body).encode("utf-8"))
    done = run(str(path), "-q")
    found = records(done.stdout)
    assert answered(found) == list(range(1, 61))  # every row once
    clients = [r["client"] for r in found if r["client"]]
    first_seen = list(dict.fromkeys(line.split(",")[0] for n, line in enumerate(lines) if n not in (5, 9)))
    assert clients == first_seen  # in the order each client first appears
    assert "引号" in next(r for r in found if r.get("row") == 6)["error"]["message"]
    assert "客户编号" in next(r for r in found if r.get("row") == 10)["error"]["message"]
    for record in found:
        if record["client"] is None or "error" in record:
            continue
        own = [lines[n - 1].replace('"', "") for n in record["rows"]]
        expected = advisor.assess_household(debts_of(own), {}, as_of=DAY, household_id=record["client"])
        assert {k: v for k, v in record.items() if k not in ("client", "rows")} == expected


def test_a_value_over_two_lines_and_jsonl_and_gb18030(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + ',备注\nA,12,3800,花呗,未协商,,,,"第一行\n第二行"\nB,3,500,花呗,none,,,,\nA,40,6万,信用卡,none,,,,\n',
                    encoding="utf-8")
    found = records(run(str(path), "-q").stdout)
    assert [(r["client"], r["rows"]) for r in found] == [("A", [1, 3]), ("B", [2])]
    jsonl = tmp_path / "c.jsonl"
    rows = [{"client": c, "平台": "花呗", "金额": str(100 * n + 100), "逾期天数": n, "协商情况": "none"}
            for n, c in enumerate("ABACBA")]
    jsonl.write_text("\n".join([json.dumps(r, ensure_ascii=False) for r in rows[:3]] + ["{broken", ""]
                               + [json.dumps(r, ensure_ascii=False) for r in rows[3:]]) + "\n", encoding="utf-8")
    found = records(run(str(jsonl), "-q").stdout)
    assert [(r["client"], r.get("rows") or r["row"]) for r in found] == [("A", [1, 3, 7]), ("B", [2, 6]),
                                                                         (None, 4), ("C", [5])]
    assert [d["case"]["amount"] for d in found[0]["debts"]] == ["100.00", "300.00", "600.00"]
    gb = tmp_path / "gb.csv"
    gb.write_bytes((HEADER + "\n甲,12,3800,花呗,未协商,,,\n乙,3,500,花呗,none,,,\n甲,40,6万,信用卡,none,,,\n").encode("gb18030"))
    found = records(run(str(gb), "--encoding", "gb18030", "-q").stdout)
    assert [(r["client"], r["rows"]) for r in found] == [("甲", [1, 3]), ("乙", [2])]


def test_inputs_read_once_are_held_up_to_a_limit_then_refused_clearly(tmp_path, monkeypatch):
    text = HEADER + "\n" + "\n".join(scattered(30, 5)) + "\n"
    done = run("-", "--group-by", "客户编号", "-q", stdin=text)
    assert done.exit_code == 0, done.stderr
    assert answered(records(done.stdout)) == list(range(1, 31))
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    from_file = records(run(str(utf16), "-q").stdout)  # its client column found without --group-by
    assert from_file == records(done.stdout)  # converted as it is read, held in memory: the same records
    monkeypatch.setattr(grouprows, "MEMORY_ROWS", 10)
    out = tmp_path / "out.jsonl"
    refused = run("-", "--group-by", "客户编号", "-o", str(out), stdin=text)
    assert refused.exit_code == 2 and "不能读第二遍" in refused.stderr and "10 行" in refused.stderr
    assert "Traceback" not in refused.output and not out.exists()  # nothing half written
    refused = run("-", "--group-by", "客户编号", stdin=text, lang="en")
    assert refused.exit_code == 2 and "cannot be read twice" in refused.stderr and refused.stdout == ""
    tabs = tmp_path / "tabs.txt"
    tabs.write_text(text.replace(",", "\t"), encoding="utf-8")
    assert records(run(str(tabs), "-q").stdout) == from_file
    seekable = tmp_path / "c.csv"
    seekable.write_text(text, encoding="utf-8")
    assert answered(records(run(str(seekable), "-q").stdout)) == list(range(1, 31))  # a file: no limit


def test_a_file_changed_while_it_is_read_stops_the_run(tmp_path, rules):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\nA,12,3800,花呗,未协商,,,\nB,3,500,花呗,none,,,\nA,40,6万,信用卡,none,,,\n", encoding="utf-8")
    found = grouped_records(str(path), "客户编号", rules=rules, as_of=DAY, lang="zh", input_format=None,
                            encoding=None, summary=Summary())
    assert next(found)["client"] == "A"
    path.write_text(HEADER + "\n,12,3800,花呗,未协商,,,\n,3,500,花呗,none,,,\n", encoding="utf-8")
    with pytest.raises(UsageError, match="改动"):
        next(found)


def test_a_household_with_too_many_debts_lists_every_row(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\n" + "\n".join("A,3,100,花呗,none,,," for _ in range(130)) + "\nB,3,100,花呗,none,,,\n",
                    encoding="utf-8")
    found = records(run(str(path), "-q").stdout)
    assert found[0]["rows"] == list(range(1, 131)) and "100" in found[0]["error"]["message"]
    assert found[1]["rows"] == [131]


def test_person_answers_that_differ_between_rows_are_noted(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("客户编号,逾期天数,金额,平台,协商情况,monthly_income（元）,monthly_expenses,hardship\n"
                    "A,12,3800,花呗,未协商,6000,4000,\n"
                    "A,40,6万,信用卡,none,6千,,失业\n"  # the same income written another way: no note
                    "B,3,500,花呗,none,,,\n"
                    "A,100,2万,网商贷,none,7000,4000,生病\n"
                    "A,5,300,花呗,none,5000,,\n", encoding="utf-8")
    done = run(str(path))
    assert done.exit_code == 0, done.stderr
    household = records(done.stdout)[0]
    assert household["person"]["monthly_income"] == "6000.00" and household["person"]["hardship"] == "unemployment"
    notes = household["notes"]
    assert [(n["row"], n["column"], n["value"], n["first"], n["first_row"]) for n in notes] == [
        (4, "hardship", "生病", "失业", 2), (4, "monthly_income（元）", "7000", "6000", 1), (5, "monthly_income（元）", "5000", "6000", 1)]
    assert notes[1]["text"] == "第 4 行的“monthly_income（元）”是“7000”，和第 1 行的“6000”不一样；这一户按先给出的“6000”算"
    assert records(done.stdout)[1]["notes"] == []
    assert "有 3 处" in done.stderr
    english = run(str(path), "--lang", "en")
    assert records(english.stdout)[0]["notes"][1]["text"].startswith('Row 4: "monthly_income（元）" is "7000", unlike "6000"')
    assert "3 answers about a person differ" in english.stderr
    quiet = run(str(path), "-q")
    assert "有 3 处" in quiet.stderr  # a warning, like unknown columns: shown even when quiet


def test_a_bad_person_answer_that_would_be_used_names_its_row(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\nA,12,3800,花呗,未协商,,,\nA,40,6万,信用卡,none,abc,,\n", encoding="utf-8")
    done = run(str(path), "-q")
    error = records(done.stdout)[0]["error"]
    assert done.exit_code == 1 and error["row"] == 2 and error["field"] == "monthly_income"
    assert error["message"].startswith("monthly_income：“abc”")


def test_worries_from_every_row_add_up(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\nA,12,3800,花呗,未协商,,,坐牢\nA,200,6万,信用卡,none,,,征信\n", encoding="utf-8")
    done = run(str(path), "-q")
    household = records(done.stdout)[0]
    assert household["notes"] == [] and household["concerns"] == ["jail", "credit"]
    assert household["concerns_source"] == "given"


def test_the_household_answers_every_debts_worries():
    """Each debt gets its own answer to a worry; the household shows each different answer once,
    naming its debts, that of the debt to deal with first first; with no worry given, every debt's
    default worries, in the order given."""
    card = {"platform": "信用卡", "amount": "6万", "overdue_days": "200", "negotiation": "none"}
    loan = {"platform": "花呗", "amount": "3800", "overdue_days": "12", "negotiation": "none"}
    record = advisor.assess_household([loan, card, loan], {"concerns": "坐牢"}, as_of=DAY)
    jail = [(a["id"], a["debts"]) for a in record["answers"]]
    per_debt = [d["answers"][0]["id"] for d in record["debts"]]
    assert per_debt[0] != per_debt[1] and jail == [(per_debt[1], [2]), (per_debt[0], [1, 3])]
    assert record["order"][0]["debt"] == 2, "the card of 60,000 is dealt with first, so its answer comes first"
    assert record["concerns"] == ["jail"] and record["concerns_source"] == "given"
    none_given = advisor.assess_household([loan, {**card, "legal_status": "sued"}], {}, as_of=DAY)
    union = list(dict.fromkeys(c for d in none_given["debts"] for c in d["concerns"]))
    assert none_given["concerns"] == union and none_given["concerns_source"] == "default"
    assert {a["concern"] for a in none_given["answers"]} == set(union)
    done = CliRunner().invoke(cli.app, ["assess", "--debt", "花呗,3800,12,none", "--debt", "信用卡,6万,200,none",
                                        "--concerns", "坐牢", "--format", "markdown", "--as-of", AS_OF, "--no-input"])
    assert done.exit_code == 0, done.stderr
    assert "坐牢（刑事风险） · 第1笔：不会" in done.stdout and "· 第2笔：一般不会" in done.stdout


def test_the_first_pass_keeps_a_few_numbers_per_row_not_the_answers(tmp_path, rules):
    """Python's own allocations (tracemalloc) up to the first household: every row has been read, and
    what stays per row is the index grouprows keeps, not its answers (a row here is ~40 bytes of text,
    its parsed answers several hundred)."""
    import tracemalloc

    def peak(rows: int) -> int:
        path = tmp_path / f"c{rows}.csv"
        path.write_text(HEADER + "\n" + "\n".join(scattered(rows, rows // 3)) + "\n", encoding="utf-8")
        found = grouped_records(str(path), "客户编号", rules=rules, as_of=DAY, lang="zh", input_format=None,
                                encoding=None, summary=Summary())
        tracemalloc.start()
        try:
            next(found)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            found.close()

    small, large = peak(2_000), peak(20_000)
    per_row = (large - small) / 18_000  # measured: about 85 (25 for the row, 8 for its line, a third of a client)
    assert per_row < 150, f"{per_row:.0f} bytes a row"
