"""Start-up cost of one assessment, as ratios against a bare `python -c "import typer"` in the same run.

    python benchmarks/startup.py [--runs 15]

Goals (README, Speed): --format json with a warm rules cache <= 1.5x the baseline; Rich output <= 2x.
Wall-clock medians of whole processes, so the ratios hold on a slow machine as on a fast one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CASE = ["assess", "-d", "45", "-a", "5000", "-p", "花呗", "-n", "none"]


def timed(cmd: list[str], env: dict[str, str], runs: int, before=None) -> float:
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    py = sys.executable
    # pip writes bytecode when it installs a package; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would otherwise recompile every module on every run.
    import advisor

    subprocess.run([py, "-m", "compileall", "-q", os.path.dirname(advisor.__file__)], check=True)
    with tempfile.TemporaryDirectory() as warm_dir, tempfile.TemporaryDirectory() as cold_root:
        env = dict(os.environ, ADVISOR_CACHE_DIR=warm_dir, NO_COLOR="1", COLUMNS="80")
        advisor = [py, "-m", "advisor", *CASE]
        subprocess.run([*advisor, "--format", "json"], env=env, stdout=subprocess.DEVNULL, check=True)
        counter = iter(range(10**6))
        cold_env = dict(env)

        def fresh_cache() -> None:
            cold_env["ADVISOR_CACHE_DIR"] = os.path.join(cold_root, str(next(counter)))

        rows = [
            ("python -c 'import typer' (baseline)", timed([py, "-c", "import typer"], env, runs)),
            ("advisor --format json, warm cache", timed([*advisor, "--format", "json"], env, runs)),
            ("advisor --format json, cold cache", timed([*advisor, "--format", "json"], cold_env, runs, fresh_cache)),
            ("advisor (Rich report), warm cache", timed(advisor, env, runs)),
        ]
        load_ms = _load_ms(py, env, runs)
    base = rows[0][1]
    print(f"{'measurement':40} {'median ms':>10} {'ratio':>7}")
    for name, seconds in rows:
        print(f"{name:40} {seconds * 1000:10.1f} {seconds / base:6.2f}x")
    print(f"{'load the built-in rules, warm (in-process)':40} {load_ms[1]:10.1f}   "
          f"(+{load_ms[0]:.1f} ms importing modules typer mostly loads anyway)")
    print("goals: json warm <= 1.50x, rich <= 2.00x, rules load < 20 ms")


def _load_ms(py: str, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Find, hash, read the cache and compile the conditions (and, apart, the imports that needs)."""
    code = (
        "import time; t = time.perf_counter(); from advisor.ruleset import load_ruleset; "
        "t1 = time.perf_counter(); load_ruleset(); t2 = time.perf_counter(); "
        "print((t1 - t) * 1000, (t2 - t1) * 1000)"
    )
    samples = [subprocess.run([py, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
               for _ in range(runs)]
    return statistics.median(float(a) for a, _ in samples), statistics.median(float(b) for _, b in samples)


if __name__ == "__main__":
    main()
