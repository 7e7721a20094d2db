"""A large rule set loads and checks in time that grows with its size, not with its size squared."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT

from advisor.checks import example_results, lint
from advisor.ruleset import load_ruleset

SEVERITY = (ROOT / "rules" / "rules" / "severity.yaml").read_text(encoding="utf-8")
# The built-in severity rules, one text per rule, to copy under new ids.
BLOCKS = ["  - id:" + b for b in re.split(r"\n  - id:", SEVERITY.split("rules:\n", 1)[1])[1:]]
PER_FILE = 1000  # a rule file stays well within the size limit


def _copies(n: int) -> list[str]:
    """n rules: a few built-in severity rules under new ids and amount thresholds, and many one-line
    rules each with its own day threshold, all tested on a few situations as a real set would be."""
    out = []
    for k in range(n):
        if k % 50 == 0:
            block = BLOCKS[k % len(BLOCKS)].replace("  - id: ", f"  - id: copy{k}.", 1)
            out.append(block.replace("amount: {gte: 50000}", f"amount: {{gte: {50000 - k}}}"))
        else:
            out.append(f"  - {{id: d{k}, when: {{overdue_days: {{gte: {k % 365}}}}}, set: {{severity: low}}, examples: "
                       "[{case: {overdue_days: 400, amount: 1, platform: bank_loan, negotiation: none}}]}\n")
    return out


def _rule_set(folder: Path, n: int) -> Path:
    folder.mkdir()
    rules = _copies(n)
    for start in range(0, n, PER_FILE):
        text = "rules:\n" + "\n".join(rules[start:start + PER_FILE])
        (folder / f"part{start // PER_FILE:03}.yaml").write_text(text, encoding="utf-8")
    return folder


def _timed(fn, *args, **kwargs):
    """The result and the processor time it took: other work on a busy machine does not count."""
    start = time.process_time()
    value = fn(*args, **kwargs)
    return value, time.process_time() - start


@pytest.mark.untraced  # ten thousand rules, loaded and checked twice over (conftest.untraced)
def test_ten_thousand_rules_load_and_check_in_linear_time(tmp_path: Path):
    small, big = _rule_set(tmp_path / "small", 1_000), _rule_set(tmp_path / "big", 10_000)
    builtin = len(load_ruleset(cache=False).rules)
    today = date(2026, 11, 22)

    small_rules, small_load = _timed(load_ruleset, ["builtin", small], cache=False)
    big_rules, big_load = _timed(load_ruleset, ["builtin", big], cache=False)
    assert len(small_rules.rules) == builtin + 1_000 and len(big_rules.rules) == builtin + 10_000

    small_results, small_check = _timed(example_results, small_rules, today)
    big_results, big_check = _timed(example_results, big_rules, today)
    assert all(r.passed for r in big_results) and not lint(big_rules)
    assert len(big_results) > len(small_results) > 1_000

    # Ten times the rules: about ten times the work when linear, a hundred when quadratic; the bounds
    # are loose for a busy machine. The quadratic loader took about 30 times as long: loading stays
    # within 15. Checking measures 10-20 times (every example's situation is filled rule by rule, and
    # larger sets fit the processor's caches less well); the quadratic check took minutes.
    assert big_load < 15 * small_load + 1, (small_load, big_load)
    assert big_check < 40 * small_check + 1, (small_check, big_check)


def test_batch_memory_stays_bounded_when_every_record_is_large(tmp_path: Path):
    # 300 rules with long ids and summaries, so a record is about 300 KB, and thresholds that give
    # every row its own band: the batch cache would keep them all if it counted entries, not bytes.
    long = "x" * 1000
    rules = ["rules:"]
    for k in range(300):
        field, bound = ("overdue_days", k) if k % 2 else ("amount", 1000 * k)
        rules.append(f"  - id: r{k}.{long}\n    when: {{{field}: {{gte: {bound}}}}}\n"
                     f"    summary: {{zh: {long}, en: {long}}}\n    examples:\n"
                     f"      - case: {{overdue_days: 400, amount: 400000, platform: bank_loan, negotiation: none}}\n")
    layer = tmp_path / "large.yaml"
    layer.write_text("\n".join(rules), encoding="utf-8")
    rows = ["id,overdue_days,amount,platform,negotiation"]
    rows += [f"c{n},{n % 300},{1000 * (n // 2 % 300) + 1},bank_loan,none" for n in range(1000)]
    cases = tmp_path / "cases.csv"
    cases.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, "batch", str(cases), "--rules", "builtin", "--rules", str(layer),
         "--output-format", "csv", "--jobs", "1", "--as-of", "2026-11-22", "-o", str(tmp_path / "out.csv")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    peak_mb = int(done.stderr.rsplit("PEAK ", 1)[1]) / 1024
    assert peak_mb < 250, peak_mb  # the cache bounded by count alone reached 400 MB


# The peak of this process alone: ru_maxrss would count the pytest process it was forked from.
RSS_PROBE = """
import runpy, sys
sys.argv = ["advisor", *sys.argv[1:]]
try:
    runpy.run_module("advisor", run_name="__main__")
except SystemExit:
    peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    sys.stderr.write("\\nPEAK " + peak + "\\n")
    raise
"""
