"""Batch speed: `advisor batch` against the standard library doing only the file work, in one run.

    python benchmarks/batch.py [--rows 1000000] [--jobs N] [--keep]

It writes a CSV of realistic cases (ids, Chinese labels and aliases, amounts like 3万 and 5,000, a few
bad rows), then measures, each as a fresh process with its output going to /dev/null:

  (a) baseline: `csv.reader` over the file and, per row, `json.dumps` of a dict holding the row's
      values and a filler string sized so that the line has exactly as many bytes as advisor's own
      record for that row (sizes taken from an untimed advisor run beforehand);
  (b) `advisor batch FILE --jobs 1`, and with every core.

Output goes to /dev/null because the records are ~13 KB each: 1M rows are ~13 GB, and on a disk
that sustains 0.3 GB/s every variant would measure the disk. Peak memory is per process: the
largest process's peak RSS (ru_maxrss of the waited-for descendants). `--jobs 1` is also run on a
tenth of the rows, to show that memory does not grow with the input, and on a twentieth with three
extended answers per row (apr, contract_date, monthly_income): every such row has figures of its
own, so its record is serialised afresh and the record cache fills to its byte bound; that is the
most memory a process takes. Goals (README, Batch speed): --jobs 1 >= 1.0x the baseline in rows/s,
all cores >= 1.6x, memory flat.
"""

from __future__ import annotations

import argparse
import array
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time

PLATFORMS = ["花呗", "借呗", "网商贷", "微粒贷", "信用卡", "银行贷款", "招联", "马上消费", "京东白条", "美团月付",
             "小贷", "网络小贷", "私人", "internet_platform", "credit_card", "bank_loan", "consumer_finance"]
NEGOTIATIONS = ["未协商", "协商中", "已达成协议并按约履行", "达成协议后未按约履行", "协商失败", "none",
                "in_progress", "agreed", "breached", "failed"]


def amount(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return str(rng.randrange(100, 200_000))
    if kind < 0.55:
        return f"{rng.randrange(100, 200_000):,}"
    if kind < 0.70:
        return f"{rng.randrange(1, 30) / 2:g}万"
    if kind < 0.80:
        return f"{rng.randrange(1, 10)}千"
    return f"{rng.randrange(100, 200_000)}.{rng.randrange(100):02d}"


def generate(path: str, rows: int, seed: int = 7, extended: bool = False) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["id", "逾期天数", "金额", "平台", "协商情况"] + (["apr", "contract_date", "monthly_income"]
                                                                   if extended else []))
        for n in range(1, rows + 1):
            days = str(int(rng.expovariate(1 / 60))) if rng.random() < 0.97 else f"{rng.randrange(0, 400)}天"
            row = [f"C{n:07d}", days, amount(rng), rng.choice(PLATFORMS), rng.choice(NEGOTIATIONS)]
            if rng.random() < 0.001:
                row[rng.randrange(1, 5)] = rng.choice(["", "abc", "-5", "many"])  # a bad row now and then
            if extended:
                row += [f"{rng.randrange(5, 40)}%", f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                        str(rng.randrange(2000, 30000))]
            out.writerow(row)


def baseline(path: str, sizes_path: str) -> None:
    """(a): read with csv, write a same-size JSON line per row with json. Run as its own process."""
    sizes = array.array("I")
    with open(sizes_path, "rb") as fh:
        sizes.frombytes(fh.read())
    filler = "字" * (1 << 16)
    dumps = json.dumps
    out = sys.stdout
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for n, cells in enumerate(reader):
            pad = sizes[n]
            record = {"row": n + 1, "case": dict(zip(header, cells)), "text": filler[: pad // 3] + "x" * (pad % 3)}
            out.write(dumps(record, ensure_ascii=False) + "\n")


def copy(path: str, sizes_path: str) -> None:
    """The file work alone, as a floor: the same bytes as (a), but each line's long text is copied
    from bytes encoded once, never serialised per row. Run as its own process."""
    sizes = array.array("I")
    with open(sizes_path, "rb") as fh:
        sizes.frombytes(fh.read())
    filler = ("字" * (1 << 16)).encode()
    dumps = json.dumps
    out = sys.stdout.buffer
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for n, cells in enumerate(reader):
            pad = sizes[n]
            head = dumps({"row": n + 1, "case": dict(zip(header, cells)), "text": ""}, ensure_ascii=False)
            out.write(head[:-2].encode() + filler[: pad // 3 * 3] + b"x" * (pad % 3) + b'"}\n')


def record_sizes(path: str, sizes_path: str) -> None:
    """Per row: bytes of advisor's record minus those of the baseline dict without its filler."""
    sizes = array.array("I")
    cmd = [sys.executable, "-m", "advisor", "batch", path, "-q", "--jobs", "1"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE) as proc, open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        assert proc.stdout is not None
        for n, (line, cells) in enumerate(zip(proc.stdout, reader)):
            empty = json.dumps({"row": n + 1, "case": dict(zip(header, cells)), "text": ""}, ensure_ascii=False)
            sizes.append(max(0, len(line) - len(empty.encode()) - 1))  # error records are short
    with open(sizes_path, "wb") as fh:
        fh.write(sizes.tobytes())


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process of cmd, run in a fresh wrapper."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "assert code in (0, 1), code  # 1: the few bad rows the generator writes were rejected\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=True)
    seconds, kb = out.stdout.split()
    return float(seconds), int(kb) / 1024


def _spin(_: object = None) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def cpu_ceiling(jobs: int) -> float:
    """How much more pure-Python work `jobs` processes get done than one, on this machine, now.
    Shared or hyper-threaded vCPUs often give far less than `jobs` times: no program can beat this."""
    import multiprocessing

    alone = _spin()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        together = pool.map(_spin, range(jobs))
    return jobs * alone / max(together)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parser.add_argument("--jobs", type=int, default=cores)
    parser.add_argument("--keep", action="store_true", help="keep the generated files (printed)")
    args = parser.parse_args()
    import advisor

    py = sys.executable
    # An editable checkout under PYTHONDONTWRITEBYTECODE would otherwise recompile on every run.
    subprocess.run([py, "-m", "compileall", "-q", os.path.dirname(advisor.__file__)], check=True)
    folder = tempfile.mkdtemp(prefix="advisor-bench-")
    names = ("cases.csv", "cases-tenth.csv", "cases-extended.csv", "sizes.bin")
    big, small, extended, sizes = (os.path.join(folder, n) for n in names)
    t = time.perf_counter()
    generate(big, args.rows)
    generate(small, args.rows // 10)
    generate(extended, args.rows // 20, extended=True)
    print(f"generated {args.rows:,} rows ({os.path.getsize(big) / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
    record_sizes(big, sizes)
    batch = [py, "-m", "advisor", "batch", "-q"]
    runs = [
        ("(a) baseline: csv + json, same bytes", [py, __file__, "--baseline", big, sizes]),
        ("(b) advisor batch --jobs 1", [*batch, big, "--jobs", "1"]),
        (f"(b) advisor batch --jobs {args.jobs} (all cores)", [*batch, big, "--jobs", str(args.jobs)]),
        (f"    advisor batch --jobs 1, {args.rows // 10:,} rows", [*batch, small, "--jobs", "1"]),
        (f"    --jobs 1, {args.rows // 20:,} rows, extended", [*batch, extended, "--jobs", "1"]),
    ]
    ceiling = cpu_ceiling(args.jobs)
    results = []
    print(f"{'measurement':42} {'seconds':>8} {'rows/s':>10} {'peak MB':>8} {'vs (a)':>7}")
    for (name, cmd), rows in zip(runs, [args.rows] * 3 + [args.rows // 10, args.rows // 20]):
        seconds, peak = measure(cmd)
        rate = rows / seconds
        results.append(rate)
        versus = f"{rate / results[0]:6.2f}x" if "extended" not in name else "      -"  # other rows: no ratio
        print(f"{name:42} {seconds:8.2f} {rate:10,.0f} {peak:8.1f} {versus}", flush=True)
    print(f"goals: --jobs 1 >= 1.00x (a), all cores >= 1.60x (a), peak memory flat; "
          f"all cores / --jobs 1 = {results[2] / results[1]:.2f}x")
    ceiling = min(ceiling, cpu_ceiling(args.jobs))  # before and after the runs: the host may be busy
    print(f"this machine: {args.jobs} processes do {ceiling:.2f}x the pure-Python work of one at worst "
          "(the ceiling for all cores / --jobs 1)")
    if args.keep:
        print(f"files kept in {folder}")
    else:
        for path in (big, small, extended, sizes):
            os.remove(path)
        os.rmdir(folder)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--baseline":
        baseline(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "--copy":
        copy(sys.argv[2], sys.argv[3])
    else:
        main()
