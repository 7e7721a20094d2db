"""Batch grouped by client stays within bounded memory however many rows, with a client's rows
scattered through the file: measured as the peak resident size of a real `advisor batch` process."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

# The peak resident size of a child process, in KiB (Linux's ru_maxrss), after running `advisor batch`.
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "advisor", "batch", sys.argv[1], "-q", "--as-of", "2026-11-22",
                       "-o", sys.argv[2]], capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _write(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    clients = max(rows // 3, 1)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("client,逾期天数,金额,平台,协商情况,monthly_income,monthly_expenses\n")
        for n in range(rows):
            client = rnd.randrange(clients)  # scattered: a client's rows are rarely adjacent
            budget = ("6000", "4000") if n % 3 == 0 else ("", "")
            fh.write(f"C{client},{rnd.randrange(0, 400)},{rnd.randrange(100, 90000)},"
                     f"{rnd.choice(['花呗', '信用卡', '网商贷', '私人', '招联'])},none,{budget[0]},{budget[1]}\n")


def _peak(tmp_path: Path, rows: int, keep: bool = True) -> int:
    """The peak memory of a run over `rows` rows; with `keep`, its output is checked row by row (a
    100,000-row output is gigabytes: it goes to the null device)."""
    source = tmp_path / f"rows{rows}.csv"
    _write(source, rows)
    out = tmp_path / f"out{rows}.jsonl" if keep else Path(os.devnull)
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(source), str(out)], capture_output=True, text=True,
                          check=True, timeout=3600)
    code, peak = done.stdout.split()
    assert code == "0", done.stderr
    if not keep:
        return int(peak)
    answered = 0
    with out.open(encoding="utf-8") as fh:
        for line in fh:  # every input row is answered exactly once, by its client's record
            record = json.loads(line)
            answered += len(record.get("rows") or [record.get("row")])
    assert answered == rows
    out.unlink()
    return int(peak)


def test_more_rows_do_not_take_more_memory(tmp_path):
    small, large = _peak(tmp_path, 300), _peak(tmp_path, 3000)
    assert large < small * 1.3 + 8_000, (small, large)


# About 110 s of CPU here: the output alone is ~38 KB of JSON a row (3.7 GB), and encoding it takes half
# of that. So it runs on demand, `pytest -m heavy`; the 300-vs-3,000 run above and the per-row index
# measured in test_household_groups.py run every time.
@pytest.mark.heavy
def test_a_100000_row_grouped_batch_stays_within_bounded_memory(tmp_path):
    small, large = _peak(tmp_path, 10_000, keep=False), _peak(tmp_path, 100_000, keep=False)
    # What may grow: grouprows' numbers (25 bytes a row, 8 a line) and one entry per client (a third of
    # the rows here) - well under 150 bytes a row; the answers themselves would be kilobytes.
    assert (large - small) * 1024 < 90_000 * 150, (small, large)
    assert large < 200_000, f"{large} KiB"


def _advisor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", "batch", *args, "--as-of", "2026-11-22"], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_grouped_rows_are_read_by_the_one_reader(tmp_path: Path) -> None:
    """A stray quote costs its own row, never the rows after it; a row without a client id is an
    error record in the person's language; every row is answered."""
    path = tmp_path / "c.csv"
    path.write_text('客户编号,逾期天数,金额,平台,协商情况\nC1,12,3800,花呗,未协商\nC2,"40,6万,信用卡,none\n'
                    ',5,100,花呗,none\nC1,100,2万,网商贷,none\nC2,40,6万,信用卡,none\n', encoding="utf-8")
    done = _advisor(str(path), "-q", cwd=tmp_path)
    records = [json.loads(line) for line in done.stdout.splitlines()]
    rows = sorted(r for rec in records for r in (rec.get("rows") or [rec["row"]]))
    assert rows == [1, 2, 3, 4, 5]  # each input row once
    c1 = next(r for r in records if r.get("client") == "C1")
    assert c1["rows"] == [1, 4] and len(c1["debts"]) == 2
    damaged = next(r for r in records if r.get("row") == 2)
    assert "第 3 行" in damaged["error"]["message"] or "引号" in damaged["error"]["message"]
    no_client = next(r for r in records if r.get("row") == 3)
    assert "客户编号" in no_client["error"]["message"]
    assert next(r for r in records if r.get("client") == "C2")["rows"] == [5]


@pytest.mark.parametrize(("lang", "said"), [("zh", "请加 --group-by none"), ("en", "add --group-by none")])
def test_an_empty_client_column_says_how_to_assess_row_by_row(tmp_path: Path, lang: str, said: str) -> None:
    # Before, every row was rejected with "“客户编号”一列没有填客户编号" and no way out named.
    path = tmp_path / "g.csv"
    path.write_text("编号,逾期天数,逾期金额,平台,协商情况,客户编号\nA,45,5000,花呗,未协商,\nB,45,5000,花呗,未协商,\n",
                    encoding="utf-8")
    done = _advisor(str(path), "-q", "--lang", lang, cwd=tmp_path)
    assert done.returncode == 1
    assert [said in r["error"]["message"] and "客户编号" in r["error"]["message"]
            for r in map(json.loads, done.stdout.splitlines())] == [True, True]
    alone = _advisor(str(path), "-q", "--group-by", "none", cwd=tmp_path)
    assert alone.returncode == 0 and len(alone.stdout.splitlines()) == 2


def test_desk_outputs_work_per_household_and_group_by_none_row_by_row(tmp_path: Path) -> None:
    """With a client column the counsellor's summary counts households; `--group-by none` keeps rows apart."""
    path = tmp_path / "c.csv"
    path.write_text("客户编号,逾期天数,金额,平台,协商情况\nC1,12,3800,花呗,未协商\nC1,40,6万,信用卡,none\n",
                    encoding="utf-8")
    grouped = _advisor(str(path), "--summary", "s.json", "-q", cwd=tmp_path)
    assert grouped.returncode == 0, grouped.stderr
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["households"]["count"] == 1
    done = _advisor(str(path), "--summary", "r.json", "--group-by", "none", "-q", cwd=tmp_path)
    assert done.returncode == 0
    assert "households" not in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert done.stdout.count("\n") == 2  # a record per row
