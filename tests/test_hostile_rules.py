"""Rule files from others: refused quickly, in bounded memory, with exit 3 and a reason; never run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from advisor import cli

MINI = str(FIXTURES / "mini")

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
    + ["rules: [*i]"]
)
HOSTILE = {
    "alias bomb": (BOMB, "anchors and aliases"),
    "one alias": ("steps: &s [{id: x, urgency: now, text: {zh: 一, en: one}}]\nconsequences: *s\n", "anchors and aliases"),
    "deep nesting": ("rules: " + "[" * 200 + "]" * 200 + "\n", "nested more than"),
    "python object": ("rules: !!python/object/apply:os.system ['echo pwned > /tmp/advisor-pwned']\n", "not valid YAML"),
    "python name": ("ui: !!python/name:os.system\n", "not valid YAML"),
    "a list, not a mapping": ("- rules\n- steps\n", "must be a mapping of sections"),
    "a plain string": ("just text\n", "must be a mapping of sections"),
    "two documents": ("rules: []\n---\nrules: []\n", "not valid YAML"),
    "duplicate key": ("rules: []\nsteps: []\nrules: []\n", 'duplicate key "rules"'),
    "duplicate nested key": ("ui:\n  app_title: {zh: 一, en: one, zh: 二}\n", 'duplicate key "zh"'),
    "not UTF-8": (b"rules: [\xff\xfe]\n", "cannot read"),
    "binary junk": (bytes(range(256)), "cannot read"),
}


# Measured in a fresh process: ru_maxrss is a process's peak, which earlier tests in this one may have raised.
_MEASURE = """
import resource, sys, time
from typer.testing import CliRunner
from advisor import cli
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
result = CliRunner().invoke(cli.app, ["rules", "check", *sys.argv[1:]], catch_exceptions=False)
elapsed = time.perf_counter() - start
grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(result.exit_code, f"{elapsed:.3f}", f"{grown_mb:.1f}")
print(result.stderr)
"""


@pytest.mark.parametrize(("name", "case"), HOSTILE.items(), ids=list(HOSTILE))
def test_hostile_rule_files_are_refused_quickly(tmp_path: Path, name, case):
    content, reason = case
    if isinstance(content, str):
        content = content.replace("/tmp/advisor-pwned", str(tmp_path / "pwned"))
    bad = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content, encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", _MEASURE, MINI, str(bad)],
                         capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    head, _, stderr = out.partition("\n")
    code, elapsed, grown_mb = head.split()
    assert int(code) == 3, out
    assert reason in stderr
    assert "bad.yaml" in stderr and "Traceback" not in stderr
    assert float(elapsed) < 5 and float(grown_mb) < 100, (elapsed, grown_mb)
    assert not (tmp_path / "pwned").exists(), "nothing in a rule file is ever executed"


def test_a_very_large_file_is_refused_before_it_is_parsed(tmp_path: Path):
    big = tmp_path / "big.yaml"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("ui:\n")
        for n in range(120_000):
            fh.write(f"  k{n}: {{zh: 一, en: one}}\n")
    result = CliRunner().invoke(cli.app, ["rules", "check", MINI, str(big)], catch_exceptions=False)
    assert result.exit_code == 3 and "too large for a rule file" in result.stderr
