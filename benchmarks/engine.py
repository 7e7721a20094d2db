"""Engine speed, measured side by side in one run: every goal is a ratio, so a busy machine moves
both sides of it alike.

    python benchmarks/engine.py [--quick] [--json]       (pip install -e ".[bench]" for rule-engine)

  evaluate      `engine.evaluate` (band lookup) on realistic cases, against
  reference     the rule-by-rule interpreter it replaced (`engine.evaluate_reference`), and
  rule-engine   the general-purpose `rule-engine` package running the same built-in rules, translated
                automatically from rules/ (so the comparison follows the rules as they change). It is
                given each case's facts ready-made and only says which rules fire; evaluate also
                merges, orders and builds the whole assessment.
  assess        `advisor.assess(mapping)` in a loop, and `assess_many` over the same mappings;
  batch         `advisor batch --jobs 1` against a passthrough (csv in, json lines of the same size out:
                most of its time is json escaping each line's long text), and a copy that writes the
                same bytes with that text encoded once (the file work alone, a floor, not a goal),
                all written to a pipe this process drains;
  load          a warm rule load in fresh processes, import included (median and fastest), against the
                JSON floor (import json, read and parse the cache's data written as JSON: what any JSON
                cache of these rules costs) measured in turn with it; a cold load of 10,000 rules.

Rates are per CPU second, the best of several interleaved rounds. Every case is also checked against the reference
(and rule-engine's fired rules against ours): a mismatch is reported, and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import batch as batch_bench  # noqa: E402  (the batch benchmark's rows and passthrough, so the two agree)

from advisor.conditions import ALWAYS_KNOWN, CONDITION_FIELDS, AllOf, Cmp, Condition, Not  # noqa: E402
from advisor.engine import evaluate, evaluate_reference, facts, rules_in_force  # noqa: E402
from advisor.models import Case  # noqa: E402
from advisor.ruleset import load_ruleset  # noqa: E402

AS_OF = date(2026, 11, 22)
_OPS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


# ---------------------------------------------------------------- the rules, as rule-engine text


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, date):
        return f'd"{value.isoformat()}"'  # rule-engine's date literal; it compares date facts with it
    if isinstance(value, frozenset):
        return "[" + ", ".join(_literal(v) for v in sorted(value, key=str)) + "]"
    return json.dumps(value, ensure_ascii=False)


def to_rule_engine(cond: Condition) -> str:
    """A condition as a rule-engine expression with the same meaning, unknowns included."""
    if isinstance(cond, Not):
        return f"not {to_rule_engine(cond.part)}"
    if not isinstance(cond, Cmp):
        return "(" + (" and " if isinstance(cond, AllOf) else " or ").join(to_rule_engine(c) for c in cond.parts) + ")"
    field, op = cond.field, cond.op
    value = frozenset(cond.value) if isinstance(cond.value, tuple) else cond.value
    if CONDITION_FIELDS[field] == "set":  # several answers: eq/in mean "shares one", ne/not_in "shares none"
        wanted = "{" + ", ".join(_literal(v) for v in sorted(value if isinstance(value, frozenset) else {value})) + "}"
        text = f"({field} & {wanted}).length > 0"
        text = text if op in ("eq", "in") else f"not {text}"
    elif op in ("in", "not_in"):
        text = f"{field} in {_literal(value)}"
        text = text if op == "in" else f"not ({text})"
    else:
        text = f"{field} {_OPS[op]} {_literal(value)}"
    # A comparison with an unknown answer is false, whatever the operator: the engine's rule too.
    return f"({text})" if field in ALWAYS_KNOWN else f"({field} != null and {text})"


def rule_engine_rules(rules: Any) -> list[tuple[str, Any]]:
    import rule_engine

    context = rule_engine.Context(default_value=None)
    return [(rule["id"], rule_engine.Rule(to_rule_engine(cond), context=context))
            for rule, cond, _ in rules_in_force(rules, AS_OF)]


def rule_engine_facts(case: Case, rules: Any) -> dict[str, Any]:
    known = facts(case, rules, AS_OF)
    return {k: set(v) if isinstance(v, frozenset) else v for k, v in known.items()}


# ---------------------------------------------------------------- cases


def make_cases(rules: Any, n: int, extended: float, seed: int = 7) -> list[Case]:
    """Cases like the batch benchmark's: days mostly under a few months, amounts up to 200,000; a share
    with extended answers (legal status, collection, hardship, income, other debts)."""
    rng = random.Random(seed)
    choices = {f: [c["id"] for c in rules.choices(f)] for f in
               ("platform", "negotiation", "legal_status", "collection", "hardship")}
    out = []
    for _ in range(n):
        case = Case(int(rng.expovariate(1 / 60)), Decimal(rng.randrange(10_000, 20_000_000)) / 100,
                    rng.choice(choices["platform"]), rng.choice(choices["negotiation"]))
        if rng.random() < extended:
            case = case._replace(legal_status=rng.choice(choices["legal_status"]),
                                 collection=frozenset(rng.sample(choices["collection"], 2)),
                                 hardship=rng.choice(choices["hardship"]),
                                 monthly_income=Decimal(rng.randrange(2000, 20000)),
                                 monthly_expenses=Decimal(rng.randrange(1000, 10000)),
                                 other_debts=rng.randrange(0, 5))
        out.append(case)
    return out


def make_answers(n: int, seed: int = 9) -> list[dict[str, Any]]:
    """Mappings as people type them, like the batch benchmark's rows: 45天, 3万, 5,000, 花呗, 协商中…"""
    rng = random.Random(seed)
    return [{"overdue_days": str(int(rng.expovariate(1 / 60))), "amount": batch_bench.amount(rng),
             "platform": rng.choice(batch_bench.PLATFORMS), "negotiation": rng.choice(batch_bench.NEGOTIATIONS)}
            for _ in range(n)]


# ---------------------------------------------------------------- measuring


def drop(items: Iterable[object]) -> None:
    deque(items, maxlen=0)


def best_rate(rounds: int, runs: dict[str, tuple[int, Callable[[], object]]]) -> dict[str, float]:
    """Items per CPU second of each run, best of `rounds` rounds taken in turn (interleaved). CPU time,
    not wall time: on a shared host the wall clock also counts the time other programs had the core."""
    best = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, (items, run) in runs.items():
            started = time.process_time()
            run()
            best[name] = max(best[name], items / (time.process_time() - started))
    return best


_WARM_LOAD = ("import time; t = time.process_time(); import advisor.ruleset as r; r.load_ruleset(); "
              "print((time.process_time() - t) * 1000)")
# The floor of any warm load from a JSON cache: import json, read the cache's data as JSON and parse it.
_JSON_FLOOR = ("import time, sys; t = time.process_time(); import json; "
               "json.loads(open(sys.argv[1], 'rb').read()); print((time.process_time() - t) * 1000)")


def warm_loads(rounds: int, cache: str) -> dict[str, float]:
    """CPU ms of a warm rule load in fresh processes, import included, interleaved with the JSON floor
    (import json, read and parse the same data as JSON): medians, the fastest, and the ratio of medians."""
    env = dict(os.environ, ADVISOR_CACHE_DIR=cache)

    def run(*cmd: str) -> float:
        return float(subprocess.run([sys.executable, *cmd], capture_output=True, text=True, check=True, env=env,
                                    cwd=HERE.parent).stdout)

    run("-c", _WARM_LOAD)  # fills the cache
    body = next(Path(cache).glob("rules-*")).read_bytes().partition(b"\n")[2]
    as_json = Path(cache).parent / "cache.json"  # the same data, as a JSON cache would hold it
    as_json.write_text(json.dumps(marshal.loads(body), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    cached = str(as_json)
    loads, floors = [], []
    for _ in range(rounds):
        loads.append(run("-c", _WARM_LOAD))
        floors.append(run("-c", _JSON_FLOOR, cached))
    return {"median_ms": statistics.median(loads), "min_ms": min(loads), "floor_median_ms": statistics.median(floors),
            "vs_floor": statistics.median(loads) / statistics.median(floors)}


def big_rule_set_seconds(n: int, folder: str) -> float:
    """A cold load (no cache) of the built-in rules plus n more, a thousand to a file (files are capped in size)."""
    many = Path(folder) / "many"
    many.mkdir()
    for start in range(0, n, 1000):
        lines = ["rules:"]
        for i in range(start, min(n, start + 1000)):
            lines += [f"  - id: many.r{i}",
                      f"    when: {{amount: {{gte: {1000 + i}}}, overdue_days: {{lt: {i % 400 + 1}}}}}",
                      "    set: {severity: low}", "    steps: [keep_records]",
                      "    examples: [{case: {overdue_days: 0, amount: 1000000, platform: bank_loan, negotiation: none}}]"]
        (many / f"many-{start // 1000:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.process_time()
    load_ruleset(["builtin", many], cache=False)
    return time.process_time() - started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drain_seconds(cmd: list[str]) -> tuple[float, int]:
    """CPU seconds cmd takes to write all its output into a pipe that this process reads, and the bytes."""
    started = _children_cpu()
    total = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=HERE.parent) as proc:
        assert proc.stdout is not None
        while chunk := proc.stdout.read(1 << 20):
            total += len(chunk)
    assert proc.returncode in (0, 1), proc.returncode  # 1: the few bad rows the generator writes
    return _children_cpu() - started, total


def batch_vs_passthrough(rows: int, folder: str, rounds: int) -> dict[str, float]:
    cases, sizes = os.path.join(folder, "cases.csv"), os.path.join(folder, "sizes.bin")
    batch_bench.generate(cases, rows)
    batch_bench.record_sizes(cases, sizes)
    runs = {"passthrough": [sys.executable, str(HERE / "batch.py"), "--baseline", cases, sizes],
            "batch": [sys.executable, "-m", "advisor", "batch", cases, "-q", "--jobs", "1"],
            "copy": [sys.executable, str(HERE / "batch.py"), "--copy", cases, sizes]}
    best = dict.fromkeys(runs, 0.0)
    written = {}
    for _ in range(rounds):
        for name, cmd in runs.items():
            seconds, written[name] = drain_seconds(cmd)
            best[name] = max(best[name], rows / seconds)
    best["bytes_ratio"] = written["passthrough"] / written["batch"]
    assert written["copy"] == written["passthrough"], "the copy floor writes what the passthrough writes"
    return best


# ---------------------------------------------------------------- the run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: checks the benchmark works")
    parser.add_argument("--json", action="store_true", help="the figures as one JSON object")
    args = parser.parse_args()
    import advisor

    n, rounds, batch_rows = (2_000, 2, 2_000) if args.quick else (20_000, 5, 100_000)
    # As `pip install` does: an editable checkout under PYTHONDONTWRITEBYTECODE would otherwise
    # recompile the package in every fresh process (the rule load and batch runs).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "advisor")], check=True)
    rules = load_ruleset()
    core = make_cases(rules, n, extended=0.0)
    mixed = make_cases(rules, n, extended=0.3, seed=8)
    answers = make_answers(n)
    mismatches = sum(evaluate(c, rules, AS_OF) != evaluate_reference(c, rules, AS_OF) for c in core + mixed)
    for c in core + mixed:  # warm every cell: the rates are of answering, not of first sightings
        evaluate(c, rules, AS_OF)
    report: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                                         f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}"}
    # Each result is dropped as the next comes, as a program that writes records out would: keeping
    # thousands alive would measure the garbage collector walking them.
    runs: dict[str, tuple[int, Callable[[], object]]] = {
        "evaluate": (len(core), lambda: drop(evaluate(c, rules, AS_OF) for c in core)),
        "evaluate_mixed": (len(mixed), lambda: drop(evaluate(c, rules, AS_OF) for c in mixed)),
        "reference": (len(core) // 10, lambda: drop(evaluate_reference(c, rules, AS_OF) for c in core[: len(core) // 10])),
        "assess": (len(answers), lambda: drop(advisor.assess(a, as_of=AS_OF) for a in answers)),
        "assess_many": (len(answers), lambda: drop(advisor.assess_many(answers, as_of=AS_OF))),
    }
    try:
        compiled = rule_engine_rules(rules)
    except ImportError:
        compiled = None
    if compiled is not None:
        re_facts = [rule_engine_facts(c, rules) for c in core[: len(core) // 10]]
        expected = [evaluate(c, rules, AS_OF).rules_fired for c in core[: len(core) // 10]]
        got = [[rid for rid, r in compiled if r.matches(f)] for f in re_facts]
        mismatches += sum(a != b for a, b in zip(expected, got))
        runs["rule_engine"] = (len(re_facts), lambda: drop([rid for rid, r in compiled if r.matches(f)] for f in re_facts))
    rates = best_rate(rounds, runs)
    report["rates"] = rates
    report["mismatches"] = mismatches
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as folder:
        report["warm_load"] = warm_loads(5 if args.quick else 21, os.path.join(folder, "cache"))
        report["rules_10k_load_s"] = big_rule_set_seconds(1_000 if args.quick else 10_000, folder)
        report["batch"] = batch_vs_passthrough(batch_rows, folder, rounds)
    ratios = {"evaluate / reference": rates["evaluate"] / rates["reference"],
              "assess_many / assess": rates["assess_many"] / rates["assess"],
              "batch / passthrough": report["batch"]["batch"] / report["batch"]["passthrough"],
              "batch / copy": report["batch"]["batch"] / report["batch"]["copy"],
              "warm load / JSON floor": report["warm_load"]["vs_floor"]}
    if "rule_engine" in rates:
        ratios["evaluate / rule-engine"] = rates["evaluate"] / rates["rule_engine"]
    report["ratios"] = ratios
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"machine: {report['machine']}; {'quick run' if args.quick else 'full run'}")
        for name, rate in rates.items():
            print(f"  {name:16} {rate:12,.0f} /s")
        print(f"  batch --jobs 1   {report['batch']['batch']:12,.0f} rows/s; passthrough "
              f"{report['batch']['passthrough']:,.0f} rows/s (same bytes within {report['batch']['bytes_ratio']:.3f}x); "
              f"copy {report['batch']['copy']:,.0f} rows/s")
        load = report["warm_load"]
        print(f"  warm rule load   {load['median_ms']:12.1f} ms median, {load['min_ms']:.1f} fastest (fresh process, "
              f"import included); JSON floor {load['floor_median_ms']:.1f} ms median")
        print(f"  {'1,000' if args.quick else '10,000'} rules      {report['rules_10k_load_s']:12.2f} s (cold load)")
        for name, ratio in ratios.items():
            print(f"  {name:24} {ratio:8.1f}x")
        print(f"  mismatches: {mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
