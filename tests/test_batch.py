"""`advisor batch` and `advisor.assess_many` through the doors users use: files, stdin, flags, exit codes."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import advisor
from advisor import cli

AS_OF = "2026-05-01"
HEADER_IDS = "id,overdue_days,amount,platform,negotiation"
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BATCH = FIXTURES / "batch"


def run(args: list[str], **kw):
    as_of = [] if "--as-of" in args else ["--as-of", AS_OF]
    return CliRunner().invoke(cli.app, ["batch", *args, *as_of], catch_exceptions=False, **kw)


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def expected(answers: dict, lang: str = "zh") -> dict:
    """The record `advisor assess` gives for the same answers: what every batch record must equal."""
    return advisor.assess(answers, as_of=date.fromisoformat(AS_OF), lang=lang)


CASES = [
    {"id": "A1", "overdue_days": "45", "amount": "5000", "platform": "花呗", "negotiation": "未协商"},
    {"id": "A2", "overdue_days": "0", "amount": "3万", "platform": "银行", "negotiation": "协商中"},
    {"id": "A3", "overdue_days": "120天", "amount": "2.5万元", "platform": "私人", "negotiation": "failed"},
]


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    header = header or list(rows[0])
    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for row in rows:
            out.writerow([row.get(h, "") for h in header])
    return path


# ---------------------------------------------------------------- formats and encodings


def test_csv_in_jsonl_out_equals_assess(tmp_path):
    result = run([str(write_csv(tmp_path / "cases.csv", CASES))])
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == [expected(c) for c in CASES]
    assert "3" in result.stderr and "Traceback" not in result.stderr  # the summary


def test_the_run_returns_its_totals_and_the_cli_prints_them(tmp_path):
    from advisor.batch import Options, Totals
    from advisor.batch import run as run_batch

    path = tmp_path / "cases.csv"
    path.write_text("逾期天数,金额,平台,协商情况\n45,5000,花呗,未协商\n3,abc,花呗,未协商\n0,100,银行,none\n",
                    encoding="utf-8")
    rules = advisor.load_ruleset()
    totals = run_batch(Options(input=str(path), output=str(tmp_path / "out.jsonl"), lang="en",
                               as_of=date(2026, 5, 1)), rules, warn=print)
    assert isinstance(totals, Totals) and isinstance(totals, tuple)
    assert (totals.rows, totals.assessed, totals.rejected, totals.stopped, totals.written) == (3, 2, 1, None, True)
    assert totals.seconds > 0 and totals.rate == pytest.approx(3 / totals.seconds)
    assert totals.lines(rules, "en", None, quiet=True) == []
    [line] = totals.lines(rules, "en", None, quiet=False)
    assert "3 rows: 2 assessed, 1 rejected" in line
    printed = run([str(path), "--lang", "en", "--as-of", AS_OF])
    assert printed.exit_code == 1 and printed.stderr.splitlines()[-1].startswith(line.split(" in ")[0])


def test_chinese_headers_with_bom_and_unknown_column_warned_once(tmp_path):
    path = tmp_path / "导出.csv"
    text = "编号,逾期天数,逾期金额,平台类型,协商情况,备注,联系人\n" + "\n".join(
        f"{c['id']},{c['overdue_days']},{c['amount']},{c['platform']},{c['negotiation']},x,y" for c in CASES)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run([str(path), "-q"])
    assert result.exit_code == 0
    assert lines(result.stdout) == [expected(c) for c in CASES]
    assert result.stderr.count("备注") == 1 and "联系人" in result.stderr
    assert result.stderr.count("\n") == 1  # one warning; --quiet hides the summary


def test_gb18030_with_encoding_flag(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", CASES, ["id", "逾期天数", "金额", "平台", "协商情况"], encoding="gb18030")
    rows = [{"id": c["id"], "逾期天数": c["overdue_days"], "金额": c["amount"], "平台": c["platform"],
             "协商情况": c["negotiation"]} for c in CASES]
    write_csv(path, rows, encoding="gb18030")
    result = run([str(path), "--encoding", "gb18030", "-q"])
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == [expected(c) for c in CASES]


def test_not_utf8_is_one_clear_usage_error(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", CASES, encoding="gb18030")
    result = run([str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--encoding gb18030" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_jsonl_and_json_array_inputs(tmp_path):
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n\n", encoding="utf-8")
    array = tmp_path / "cases.json"
    array.write_text(json.dumps(CASES, ensure_ascii=False, indent=2), encoding="utf-8")
    want = [expected(c) for c in CASES]
    for path in (jsonl, array):
        result = run([str(path), "-q"])
        assert result.exit_code == 0, result.stderr
        assert lines(result.stdout) == want, path.name


def test_input_format_flag_and_sniffing_stdin():
    jsonl = "\n".join(json.dumps(c, ensure_ascii=False) for c in CASES)
    for args in (["-"], ["-", "--input-format", "jsonl"]):
        result = run([*args, "-q"], input=jsonl)
        assert result.exit_code == 0, result.stderr
        assert lines(result.stdout) == [expected(c) for c in CASES]
    csv_text = HEADER_IDS + "\n" + "\n".join(",".join(c.values()) for c in CASES)
    result = run(["-", "-q"], input=csv_text)
    assert lines(result.stdout) == [expected(c) for c in CASES]


def test_csv_output_columns_and_excel_bom(tmp_path):
    bad = {"id": "B,1", "overdue_days": "45", "amount": "lots", "platform": "花呗", "negotiation": "none"}
    path = write_csv(tmp_path / "cases.csv", [CASES[0], bad])
    out = tmp_path / "out.csv"
    result = run([str(path), "-o", str(out), "--excel", "-q"])
    assert result.exit_code == 1
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["row", "id", "stage", "severity", "credit_level", "reporting", "consequences",
                             "steps", "references", "error",
                             "plan_months", "monthly_payment", "retention_until", "interest_exceeds"]
    record = expected(CASES[0])
    assert rows[0]["row"] == "1" and rows[0]["id"] == "A1" and rows[0]["stage"] == record["stage"]
    assert rows[0]["steps"] == ";".join(s["id"] for s in record["steps"]) and rows[0]["error"] == ""
    assert rows[1]["row"] == "2" and rows[1]["id"] == "B,1" and rows[1]["stage"] == ""
    # A Chinese error names the field by its Chinese name, the id in brackets for scripts.
    assert rows[1]["error"].startswith("逾期金额（amount）：")


def test_json_array_output(tmp_path):
    path = write_csv(tmp_path / "cases.csv", CASES)
    result = run([str(path), "--output-format", "json", "-q"])
    assert json.loads(result.stdout) == [expected(c) for c in CASES]
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER_IDS + "\n", encoding="utf-8")
    assert json.loads(run([str(empty), "--output-format", "json"]).stdout) == []


@pytest.mark.parametrize("content", [HEADER_IDS + "\n", HEADER_IDS + "\n\n"])
def test_zero_rows_and_header_only(tmp_path, content):
    # An empty file has no header, which lacks every field: exit 2 (tests/test_batch_fixes.py).
    path = tmp_path / "cases.csv"
    path.write_text(content, encoding="utf-8")
    result = run([str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert " 0 " in result.stderr
    csv_out = run([str(path), "--output-format", "csv", "-q"]).stdout
    assert csv_out.splitlines() == ["row,id,stage,severity,credit_level,reporting,consequences,steps,references,error,"
                                    "plan_months,monthly_payment,retention_until,interest_exceeds"]


def test_extended_answers_as_optional_columns(tmp_path):
    rows = [dict(CASES[0], legal_status="sued", collection="night_calls,threats", apr="36%",
                 contract_date="2024-03-01", monthly_income="8000", monthly_expenses="5000", repaid_on="",
                 other_debts="2"),
            dict(CASES[1], legal_status="", collection="", apr="", contract_date="", monthly_income="",
                 monthly_expenses="", repaid_on="2025-06-30", other_debts="")]
    result = run([str(write_csv(tmp_path / "cases.csv", rows)), "-q"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # extended columns are known, not warned about
    got = lines(result.stdout)
    assert got == [expected({k: v for k, v in r.items() if v != ""}) for r in rows]
    assert got[0]["case"]["collection"] == ["night_calls", "threats"] and got[0]["plan"]


# ---------------------------------------------------------------- bad rows


def test_every_kind_of_bad_row_becomes_an_error_record_and_the_run_goes_on(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        HEADER_IDS + "\n"
        "r1,45,5000,花呗,none\n"
        "r2,abc,5000,花呗,none\n"  # bad value
        "r3,45,,花呗,none\n"  # missing value
        "r4,45,5000,花呗,none,extra\n"  # unreadable: too many values
        "r5,45,-3,nowhere,none\n"  # two bad fields: the first is reported
        ",,,,\n"  # an empty row is not a row
        "r6,1,1,花呗,none\n",
        encoding="utf-8",
    )
    result = run([str(path)])
    assert result.exit_code == 1
    records = lines(result.stdout)
    assert [r.get("row") for r in records] == [None, 2, 3, 4, 5, None]
    assert records[0]["case"]["id"] == "r1" and records[5]["case"]["id"] == "r6"
    assert records[1] == {"row": 2, "id": "r2", "error": {"field": "overdue_days", "message": records[1]["error"]["message"]}}
    assert "abc" in records[1]["error"]["message"]
    assert records[2]["error"]["field"] == "amount"
    assert records[3]["error"]["field"] is None and "5" in records[3]["error"]["message"]
    assert records[4]["error"]["field"] == "amount"
    assert "4 rejected" in result.stderr or "拒绝 4 行" in result.stderr


def test_bad_jsonl_lines_and_elements(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"overdue_days": 1, "amount": 100, "platform": "花呗", "negotiation": "none", "id": 9}\n'
                    "{not json\n"
                    "[1, 2]\n"
                    '{"overdue_days": true, "amount": 100, "platform": "花呗", "negotiation": "none"}\n'
                    '{"overdue_days": 3, "amount": 100, "platform": "花呗"}\n', encoding="utf-8")
    result = run([str(path), "--lang", "en"])
    assert result.exit_code == 1
    records = lines(result.stdout)
    assert records[0]["case"]["id"] == "9"
    assert records[1]["row"] == 2 and records[1]["error"]["field"] is None
    assert records[1]["error"]["message"].startswith("line 2, column 2: not valid JSON")
    assert records[2]["error"]["field"] is None and "object" in records[2]["error"]["message"]
    assert records[3]["error"]["field"] == "overdue_days"
    assert records[4] == {"row": 5, "id": None, "error": {"field": "negotiation", "message": "no value given"}}


def test_missing_required_column_is_a_usage_error_before_any_row(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("id,逾期天数,平台,协商情况\nA,45,花呗,none\n", encoding="utf-8")
    result = run([str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "amount" in result.stderr and "金额" in result.stderr and "Traceback" not in result.stderr


def test_fail_fast_stops_at_the_first_bad_row(tmp_path):
    rows = [CASES[0], dict(CASES[1], amount="x"), CASES[2]]
    path = write_csv(tmp_path / "cases.csv", rows)
    result = run([str(path), "--fail-fast"])
    assert result.exit_code == 1
    records = lines(result.stdout)
    assert len(records) == 2 and records[1]["row"] == 2
    assert "2" in result.stderr and "amount" in result.stderr
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    result = run([str(path), "--fail-fast", "-o", str(out)])
    assert result.exit_code == 1
    assert out.read_text() == "old\n"  # an incomplete result never replaces a file
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("args", [
    ["--output-format", "xml"], ["--input-format", "xls"], ["--jobs", "0"], ["--excel", "--output-format", "json"],
    ["--encoding", "klingon"], ["--as-of", "tomorrow"], ["--lang", "fr"],
])
def test_bad_flags_are_usage_errors(tmp_path, args):
    path = write_csv(tmp_path / "cases.csv", CASES)
    result = run([str(path), *args])
    assert result.exit_code == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_unreadable_input_and_output(tmp_path):
    result = run([str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "nope.csv" in result.stderr
    path = write_csv(tmp_path / "cases.csv", CASES)
    result = run([str(path), "-o", str(tmp_path / "no" / "such" / "dir.jsonl")])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_invalid_rule_set_exits_3(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x\n    when: {overdue_days: {gte: oops}}\n", encoding="utf-8")
    result = run([str(write_csv(tmp_path / "cases.csv", CASES)), "--rules", str(bad)])
    assert result.exit_code == 3 and result.stdout == ""


# ---------------------------------------------------------------- parallel, order, atomic output


def big_csv(path: Path, rows: int, bad_every: int = 0, note: int = 0) -> Path:
    """Varied rows (so shards differ), a bad one now and then; a long note column makes a file big
    enough to be cut into shards (256 KB) with few rows, which keeps the tests fast."""
    plats, negs = ["花呗", "银行", "信用卡", "小贷", "私人", "招联"], ["none", "协商中", "agreed", "breached", "failed"]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("编号,逾期天数,金额,平台,协商情况,备注\n")
        for n in range(1, rows + 1):
            amount = "oops" if bad_every and n % bad_every == 0 else f"{(n * 37) % 90000 + 1}.{n % 100:02d}"
            fh.write(f"C{n},{(n * 7) % 400},{amount},{plats[n % 6]},{negs[n % 5]},{'x' * note}\n")
    return path


def test_jobs_2_keeps_input_order_and_global_row_numbers(tmp_path):
    path = big_csv(tmp_path / "big.csv", 3000, bad_every=397, note=80)
    assert path.stat().st_size > 256 << 10  # large enough to be cut into shards
    outputs = {}
    for jobs in ("1", "2"):
        for fmt in ("jsonl", "csv", "json"):
            out = tmp_path / f"out-{jobs}.{fmt}"
            result = run([str(path), "-j", jobs, "-o", str(out), "-q"])
            assert result.exit_code == 1, result.stderr  # the bad rows
            outputs[jobs, fmt] = out.read_bytes()
    for fmt in ("jsonl", "csv", "json"):
        assert outputs["1", fmt] == outputs["2", fmt], fmt
    records = [json.loads(line) for line in outputs["2", "jsonl"].splitlines()]
    assert len(records) == 3000
    assert [r["row"] for r in records if "error" in r] == list(range(397, 3001, 397))
    assert [r["case"]["id"] for r in records if "case" in r][:3] == ["C1", "C2", "C3"]
    assert records[-1]["case"]["id"] == "C3000"
    assert len(json.loads(outputs["2", "json"])) == 3000


def test_jobs_2_to_stdout_through_a_real_pipe(tmp_path):
    path = big_csv(tmp_path / "big.csv", 9000, bad_every=1000)
    cmd = [sys.executable, "-m", "advisor", "batch", str(path), "--as-of", AS_OF, "--output-format", "csv", "-q"]
    one = subprocess.run([*cmd, "-j", "1"], capture_output=True, check=False)
    two = subprocess.run([*cmd, "-j", "2"], capture_output=True, check=False)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 9001
    fast = subprocess.run([*cmd, "-j", "2", "--fail-fast"], capture_output=True, check=False)
    assert fast.returncode == 1
    assert fast.stdout.splitlines() == one.stdout.splitlines()[:1001]  # header, rows 1..999, the bad row 1000
    for jobs in ("1", "2"):
        array = subprocess.run([*cmd, "-j", jobs, "--fail-fast", "--output-format", "json"], capture_output=True)
        records = json.loads(array.stdout)  # still a valid array, ending with the row that stopped the run
        assert len(records) == 1000 and records[-1]["row"] == 1000, jobs


def test_quoted_newlines_fall_back_to_one_process_and_stay_correct(tmp_path):
    path = big_csv(tmp_path / "big.csv", 3000, note=80)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('"multi\nline id",45,5000,花呗,none,\n')
    one, two = tmp_path / "1.csv", tmp_path / "2.csv"
    assert run([str(path), "-j", "1", "-o", str(one), "-q"]).exit_code == 0
    assert run([str(path), "-j", "2", "-o", str(two), "-q"]).exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    last = list(csv.reader(io.StringIO(one.read_text(encoding="utf-8"))))[-1]
    assert last[:2] == ["3001", "multi\\nline id"]  # read as one value; in CSV output a line break is written \n


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_a_run_killed_midway_leaves_the_old_file_untouched(tmp_path, sig):
    out = tmp_path / "out.jsonl"
    out.write_text("the old result\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "batch", "-", "-o", str(out), "--as-of", AS_OF],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    assert proc.stdin is not None
    proc.stdin.write((HEADER_IDS + "\n" + "x,45,5000,花呗,none\n" * 2000).encode())
    proc.stdin.flush()
    parts = lambda: [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # noqa: E731
    _wait_for(lambda: parts() and parts()[0].stat().st_size > 0)  # it has started writing
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=20)
    assert out.read_text() == "the old result\n"
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert b"Traceback" not in err and len(err.strip().splitlines()) == 1
        assert parts() == []


def test_ctrl_c_stops_parallel_workers_and_cleans_up(tmp_path):
    path = big_csv(tmp_path / "big.csv", 400_000)
    out = tmp_path / "out.csv"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "batch", str(path), "-j", "2", "-o", str(out), "--as-of", AS_OF],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    parts = lambda: [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # noqa: E731
    _wait_for(lambda: parts() and parts()[0].stat().st_size > 200)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert not out.exists() and parts() == []


# ---------------------------------------------------------------- the cache is exact


def test_band_key_cache_matches_the_engine_at_every_threshold(tmp_path):
    rules = advisor.load_ruleset()
    platforms = [c["id"] for c in rules.choices("platform")]
    negotiations = [c["id"] for c in rules.choices("negotiation")]
    days = [0, 1, 3, 4, 30, 31, 90, 91, 365, 36500]
    amounts = ["0.01", "9999.99", "10000", "10000.01", "49999.99", "50000", "50000.01", "9999999999.99"]
    cases = [{"overdue_days": d, "amount": a, "platform": p, "negotiation": n}
             for d, a, p, n in itertools.product(days, amounts, platforms, negotiations)]
    for as_of in (date(2026, 1, 15), date(2026, 5, 1), date(2027, 2, 1)):  # rules in and out of force
        got = advisor.assess_many(cases, rules=rules, as_of=as_of)
        for case, record in zip(cases, got):
            assert record == advisor.assess(case, rules=rules, as_of=as_of), (case, as_of)


def test_cache_with_extended_answers_matches_the_engine():
    rules = advisor.load_ruleset()
    extras = [{}, {"legal_status": "sued"}, {"collection": ["threats", "night_calls"]}, {"hardship": "illness"},
              {"other_debts": 3}, {"apr": "36"}, {"apr": "18", "contract_date": "2023-05-01"},
              {"monthly_income": "9000", "monthly_expenses": "6000"}, {"repaid_on": "2025-01-31"}]
    cases = [{"overdue_days": d, "amount": a, "platform": p, "negotiation": "none", **extra}
             for d, a, p, extra in itertools.product([10, 95], ["5000", "5000.01", "80000"],
                                                     ["花呗", "私人", "银行"], extras)]
    for record, case in zip(advisor.assess_many(cases, rules=rules, as_of=date(2026, 5, 1)), cases):
        assert record == advisor.assess(case, rules=rules, as_of=date(2026, 5, 1)), case


def test_other_rule_sets_and_languages(tmp_path, mini):
    cases = [dict(CASES[0], platform="银行", negotiation="agreed"), dict(CASES[2], negotiation="none"),
             CASES[0]]  # the mini rule set has no 花呗: rejected, with its own list of choices
    path = write_csv(tmp_path / "cases.csv", cases)
    result = run([str(path), "--rules", str(FIXTURES / "mini"), "--lang", "en", "-q"])
    assert result.exit_code == 1, result.stderr
    records = lines(result.stdout)
    want = [advisor.assess(c, rules=mini, as_of=date.fromisoformat(AS_OF), lang="en") for c in cases[:2]]
    assert records[:2] == want
    assert records[2]["error"]["field"] == "platform" and "bank_loan" in records[2]["error"]["message"]


# ---------------------------------------------------------------- the Python API


def test_assess_many_yields_the_cli_records_lazily(tmp_path):
    rows = [*CASES, {"amount": "5000"}, "not a mapping"]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    cli_records = lines(run([str(path), "-q"]).stdout)
    api = advisor.assess_many(iter(rows), as_of=date.fromisoformat(AS_OF))
    assert next(api) == cli_records[0]
    assert [*api] == cli_records[1:]
    assert cli_records[3]["row"] == 4 and cli_records[4]["row"] == 5


def test_assess_many_reads_dataframe_style_records():
    nan = float("nan")  # pandas' empty cell
    rows = [{"逾期天数": 45, "金额": 5000.0, "平台": "花呗", "协商情况": "未协商", "apr": nan},
            {"逾期天数": nan, "金额": 5000.0, "平台": "花呗", "协商情况": "未协商"}]
    first, second = advisor.assess_many(rows, as_of=date.fromisoformat(AS_OF))
    assert first == expected({"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"})
    assert second["row"] == 2 and second["error"]["field"] == "overdue_days"


def test_assess_many_with_pandas_if_installed():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(CASES)
    out = pd.DataFrame(advisor.assess_many(frame.to_dict("records"), as_of=date.fromisoformat(AS_OF)))
    assert list(out["stage"]) == [expected(c)["stage"] for c in CASES]


def test_assess_many_rejects_a_bad_language_at_once():
    with pytest.raises(ValueError):
        advisor.assess_many([], lang="fr")


def test_batch_path_stays_light():
    advisor.load_ruleset()  # a warm rules cache, as after the first run: only a cold one needs yaml
    code = ("import sys, advisor; list(advisor.assess_many([{'overdue_days': 1, 'amount': 1, 'platform': 1, "
            "'negotiation': 1}])); print(sorted(m for m in ('typer', 'rich', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_progress_bar_only_on_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    path = big_csv(tmp_path / "big.csv", 3000, note=80)
    out = tmp_path / "out.csv"
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", PYTHONPATH=str(ROOT))
    args = ["-m", "advisor", "batch", str(path), "-o", str(out), "--as-of", AS_OF, "--lang", "en"]
    child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=30, dimensions=(24, 80))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = child.before
    assert "rows" in screen and "━" in screen  # the bar, drawn on the terminal
    assert "3,000 rows: 3,000 assessed, 0 rejected" in screen  # then the summary
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3001
    child = pexpect.spawn(sys.executable, [*args, "--quiet"], env=env, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "━" not in child.before and "assessed" not in child.before
    # ...and never when stderr is not a terminal (every CliRunner test above), which keeps rich unloaded:
    code = f"import runpy, sys; sys.argv = {['advisor', 'batch', str(path), '-o', str(out)]!r}\n" \
           "try:\n    runpy.run_module('advisor', run_name='__main__')\nexcept SystemExit:\n    pass\n" \
           "print('rich' in sys.modules, file=sys.__stdout__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_damaged_row_past_the_first_megabyte_costs_only_that_row(tmp_path, jobs):
    path = big_csv(tmp_path / "big.csv", 9000, note=120)  # ~1.3 MB of ASCII and UTF-8...
    with open(path, "ab") as fh:
        fh.write("C9,45,5000,花呗,none,备注\n".encode("gb18030"))  # ...then one GB18030 row
    assert path.stat().st_size > (1 << 20)
    out = tmp_path / "out.jsonl"
    result = run([str(path), "-j", jobs, "-o", str(out), "-q"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    records = lines(out.read_text(encoding="utf-8"))
    assert len(records) == 9001 and all("error" not in r for r in records[:-1])
    assert records[-1]["row"] == 9001 and "--encoding gb18030" in records[-1]["error"]["message"]


def test_a_broken_json_array_stops_with_a_usage_error(tmp_path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(CASES[:2], ensure_ascii=False)[:-1] + ', {"overdue_days": 4,', encoding="utf-8")
    result = run([str(path), "-q"])
    assert result.exit_code == 2
    assert len(lines(result.stdout)) == 2  # the elements before the damage were answered
    # In the person's language (zh by default): where it broke, and that the rows before it were written.
    assert "第 2 个元素之后" in result.stderr and "Traceback" not in result.stderr
    english = run([str(path), "-q", "--lang", "en"])
    assert "after element 2" in english.stderr


def test_unknown_json_keys_get_one_warning_at_the_end(tmp_path):
    path = tmp_path / "cases.jsonl"
    rows = [dict(CASES[0], note="a"), dict(CASES[1], note="b", source="crm"), CASES[2]]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run([str(path), "-q", "--lang", "en"])
    assert result.exit_code == 0
    assert lines(result.stdout) == [expected(c, lang="en") for c in CASES]
    assert result.stderr == "advisor: warning: ignoring unknown columns: note, source\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are a Linux setting")
def test_output_into_a_pipe_goes_out_in_large_writes(tmp_path):
    # A pipe holds 64 KB by default: batch widens its stdout pipe so each write of a megabyte goes at once.
    import fcntl

    from advisor.batch.sinks import PIPE_BYTES

    data = tmp_path / "in.csv"
    data.write_text("overdue_days,amount,platform,negotiation\n" + "45,5000,花呗,none\n" * 200, encoding="utf-8")
    with subprocess.Popen([sys.executable, "-m", "advisor", "batch", str(data), "-q"], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        lines = proc.stdout.read().splitlines()
        size = fcntl.fcntl(proc.stdout.fileno(), fcntl.F_GETPIPE_SZ)
    assert proc.returncode == 0 and len(lines) == 200
    assert size == PIPE_BYTES
