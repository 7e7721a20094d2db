"""Start-up cost of each path, as ratios against a bare `python -c "import typer"` in the same run.

    python benchmarks/startup.py [--runs 15] [--before ../advisor-before]

`--before` measures another checkout of the project (e.g. `git worktree add ../advisor-before f9b4da9`,
the commit before the start-up work) in the same run, so before and after share one baseline.
Goals (README, Speed): --format json with a warm rules cache <= 1.5x the baseline; Rich output <= 2x;
loading the rules < 20 ms. Every command runs once per round, in turn, and each figure is a median over
the rounds: a machine that slows down mid-run slows every command alike, so the ratios hold.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CASE = ["assess", "-d", "45", "-a", "5000", "-p", "花呗", "-n", "none"]
HERE = Path(__file__).resolve().parent.parent
LOAD = ("import time; from advisor.ruleset import load_ruleset; t = time.perf_counter(); "
        "load_ruleset(); print(time.perf_counter() - t)")


class Command:
    def __init__(self, cmd: list[str], env: dict[str, str], prepare: Callable[[], None] | None = None,
                 inner: bool = False) -> None:
        self.cmd, self.env, self.prepare, self.inner = cmd, env, prepare, inner
        self.samples: list[float] = []

    def once(self) -> None:
        if self.prepare:
            self.prepare()
        start = time.perf_counter()
        done = subprocess.run(self.cmd, env=self.env, capture_output=True, text=True, check=False)
        took = time.perf_counter() - start
        # `inner` commands time themselves and print seconds: a measurement inside the process.
        self.samples.append(float(done.stdout) if self.inner else took)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def installed_env(environ: os._Environ[str]) -> dict[str, str]:
    """The environment of an installed program: pip leaves bytecode beside every module it installs.

    Under PYTHONDONTWRITEBYTECODE a dependency installed without bytecode (pip --no-compile, as CI
    does) is compiled from source at every start: that cost lands in the baseline (typer) and in
    every path alike, and shrinks the ratios the goals are about."""
    env = dict(environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def commands(root: Path, tmp: Path, batch_file: Path) -> dict[str, Command]:
    """Every path of the checkout at `root`, each with its own warm and cold rules caches."""
    py = sys.executable
    warm = tmp / f"warm-{root.name}"
    env = dict(installed_env(os.environ), ADVISOR_CACHE_DIR=str(warm), NO_COLOR="1", COLUMNS="80",
               PYTHONPATH=str(root))
    advisor = [py, "-m", "advisor"]
    subprocess.run([*advisor, *CASE, "--format", "json"], env=env, capture_output=True, check=True)
    cold_env = dict(env)
    counter = iter(range(10**9))

    def fresh_cache() -> None:
        cold_env["ADVISOR_CACHE_DIR"] = str(tmp / f"cold-{root.name}-{next(counter)}")

    out = {
        "--version": Command([*advisor, "--version"], env),
        "--help": Command([*advisor, "--help"], env),
        "--format json, warm cache": Command([*advisor, *CASE, "--format", "json"], env),
        "--format json, cold cache": Command([*advisor, *CASE, "--format", "json"], cold_env, fresh_cache),
        "Rich report, warm cache": Command([*advisor, *CASE], env),
    }
    if (root / "advisor" / "batch.py").exists() or (root / "advisor" / "batch").is_dir():
        out["batch of 1 row, --quiet"] = Command([*advisor, "batch", str(batch_file), "-q"], env)
    out["rules load (in-process, ms)"] = Command([py, "-c", LOAD], env, inner=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        batch_file = tmp / "one.csv"
        batch_file.write_text("overdue_days,amount,platform,negotiation\n45,5000,花呗,none\n", encoding="utf-8")
        base = Command([sys.executable, "-c", "import typer"], installed_env(os.environ))
        after = commands(HERE, tmp, batch_file)
        before = commands(args.before.resolve(), tmp, batch_file) if args.before else {}
        everything = [base, *after.values(), *before.values()]
        for command in everything:  # a round not counted: it leaves every module's bytecode behind
            command.once()
            command.samples.clear()
        for _ in range(args.runs):
            for command in everything:
                command.once()
    print(f"baseline: python -c 'import typer' = {base.median * 1000:.1f} ms (1.00x), {args.runs} rounds")
    print(f"{'path':30} {'after':>8}" + (f" {'before':>8}" if before else ""))
    for name, command in after.items():
        cells = []
        for measured in (command, before.get(name)):
            if measured is None:
                continue
            inner = name.startswith("rules load")
            cells.append(f"{measured.median * 1000:7.1f} " if inner else f"{measured.median / base.median:7.2f}x")
        print(f"{name:30} " + " ".join(cells))
    print("goals: json warm <= 1.50x, Rich <= 2.00x, rules load < 20 ms")


if __name__ == "__main__":
    main()
