"""Batch grouped by client: time and peak memory against the same file run row by row, in one run.

    python benchmarks/groups.py [--rows 100000]

It writes a CSV of `--rows` debts of about rows/3 clients in random order (a client's rows are rarely
adjacent; a third of the rows carry income and expenses), then runs, each as a fresh process with its
output going to /dev/null (the household records are tens of KB each):

  (a) baseline: `advisor batch FILE --group-by none`, the same rows assessed one by one;
  (b) `advisor batch FILE` grouped by the client column, on every row and on a tenth of them.

It prints each run's CPU seconds and peak RSS, the grouped run's time as a multiple of the baseline's,
and the peak memory of the whole file against the tenth: what grows is the per-row numbers grouprows.py
keeps (README, Several debts at once), not the answers.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLATFORMS = ["花呗", "信用卡", "网商贷", "私人", "招联"]


def write(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    clients = max(rows // 3, 1)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("client,逾期天数,金额,平台,协商情况,monthly_income,monthly_expenses\n")
        for n in range(rows):
            budget = ("6000", "4000") if n % 3 == 0 else ("", "")
            fh.write(f"C{rnd.randrange(clients)},{rnd.randrange(0, 400)},{rnd.randrange(100, 90000)},"
                     f"{rnd.choice(PLATFORMS)},none,{budget[0]},{budget[1]}\n")


def measure(*args: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak KiB) of one `advisor batch` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "advisor", "batch", *args, "-q", "--as-of", "2026-11-22", "-o", "/dev/null"],
                   check=False, stderr=subprocess.DEVNULL)  # row by row names the client column as unknown
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, after.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        whole, tenth = Path(folder) / "whole.csv", Path(folder) / "tenth.csv"
        write(whole, rows)
        write(tenth, rows // 10)
        # ru_maxrss of the children is the largest so far: the smaller run goes first.
        small = measure(str(tenth))
        grouped = measure(str(whole))
        base = measure(str(whole), "--group-by", "none")
    print(f"row by row, {rows:,} rows: {base[1]:.1f} s CPU ({base[0]:.1f} s wall)")
    print(f"grouped,    {rows:,} rows: {grouped[1]:.1f} s CPU ({grouped[0]:.1f} s wall), "
          f"{grouped[1] / base[1]:.2f}x the row-by-row time, {rows / grouped[1]:,.0f} rows/s")
    print(f"peak memory: {rows // 10:,} rows {small[2] / 1024:.0f} MB; {rows:,} rows {grouped[2] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
