"""Rule-file templates cannot crash or exhaust the tool: `rules check` (and every load) refuses a
placeholder its text is not given, or one with a width, a conversion, an index or an attribute;
and filling a text never fails and never builds a string much longer than its values."""

from __future__ import annotations

import json
import resource
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor import cli
from advisor.templates import fill

FLAGS = ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--income", "8000", "--expenses", "5000",
         "--apr", "30", "--as-of", "2026-05-01", "--no-input"]
PLAN = "plan:\n  share_of_margin: 0.8\n  max_months: {default: 60}\n  texts:\n    affordable: {zh: 'BAD', en: ok}\n"
LETTER = "letter:\n  - text: {zh: 'BAD', en: ok}\n"
BASIS = "interest:\n  bases:\n    judicial_policy_24: {zh: 'BAD', en: ok}\n"
NOTE = "interest:\n  notes:\n    lpr_used: {zh: 'BAD', en: ok}\n"
VERDICT = "ui:\n  verdict: {zh: 'BAD', en: ok}\n"
# Each text today passed `rules check`, then raised KeyError or IndexError, or filled gigabytes, when run.
BROKEN = {
    "plan unknown name": (PLAN, "{oops}", 'unknown placeholder "{oops}"'),
    "plan position": (PLAN, "{0}", 'placeholder "{0}" is not a name'),
    "plan empty": (PLAN, "{}", 'placeholder "{}" is not a name'),
    "letter width": (LETTER, "{name:>1500000000}", '"{name:>1500000000}" may carry only'),
    "basis width": (BASIS, "{cap:>1500000000}", '"{cap:>1500000000}" may carry only'),
    "verdict width": (VERDICT, "{severity:>1500000000}", '"{severity:>1500000000}" may carry only'),
    "verdict conversion": (VERDICT, "{severity!r}", '"{severity!r}" may carry only'),
    "verdict attribute": (VERDICT, "{stage.__class__}", '"{stage.__class__}" is not a name'),
    "verdict index": (VERDICT, "{stage[0]}", '"{stage[0]}" is not a name'),
    "note nested width": (NOTE, "{lpr:{lpr_from}}", '"{lpr:{lpr_from}}" may carry only'),
    "verdict lone brace": (VERDICT, "a { b", 'a lone "{" or "}"'),
    "verdict name of another text": (VERDICT, "{path}", 'unknown placeholder "{path}"'),
}


def run(args: list[str]):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


def _rule_file(tmp_path: Path, section: str, template: str) -> tuple[Path, int, int]:
    path = tmp_path / "broken.yaml"
    path.write_text(section.replace("BAD", template), encoding="utf-8")
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if template in text)
    return path, line, path.read_text(encoding="utf-8").splitlines()[line - 1].index("zh:") + 1


@pytest.mark.parametrize(("section", "template", "reason"), BROKEN.values(), ids=list(BROKEN))
def test_rules_check_refuses_a_template_that_cannot_be_filled(tmp_path, section, template, reason):
    path, line, column = _rule_file(tmp_path, section, template)
    result = run(["rules", "check", "builtin", str(path), "--json"])
    assert result.exit_code == 3
    problems = [p for p in json.loads(result.stdout)["problems"] if p["file"] == "broken.yaml"]
    assert len(problems) == 1, problems
    assert (problems[0]["line"], problems[0]["column"]) == (line, column)
    assert problems[0]["message"].startswith("zh text: ") and reason in problems[0]["message"]


@pytest.mark.parametrize(("section", "template", "reason"), BROKEN.values(), ids=list(BROKEN))
def test_a_run_with_such_a_template_stops_at_once_with_the_reason(tmp_path, section, template, reason):
    path, line, column = _rule_file(tmp_path, section, template)
    command = "letter" if section is LETTER else "assess"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = run([command, *FLAGS, "--rules", "builtin", "--rules", str(path)])
    assert time.perf_counter() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: nothing was filled
    assert result.exit_code == 3
    assert f"broken.yaml:{line}:{column}: " in result.stderr and reason in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_the_formats_the_built_in_texts_use_are_allowed(tmp_path):
    path = tmp_path / "fine.yaml"
    path.write_text(
        "ui:\n"
        "  batch_summary: {zh: '{rows:,} {ok:,} {bad:,} {seconds:.2f} {rate:,.0f}', en: '{rows:,} rows {{literal}}'}\n"
        "  verdict: {zh: '{severity}{stage}', en: '{stage}: {severity}'}\n"
        + PLAN.replace("BAD", "{amount} {monthly_payment} {months} {margin} {max_months}"),
        encoding="utf-8",
    )
    assert run(["rules", "check", "builtin", str(path)]).exit_code == 0
    result = run(["assess", *FLAGS, "--rules", "builtin", "--rules", str(path), "--format", "json", "--lang", "zh"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["plan"]["text"] == "5000.00 1666.67 3 3000.00 60"


def test_a_batch_summary_fills_its_formats(tmp_path):
    path = tmp_path / "fine.yaml"
    path.write_text("ui:\n  batch_summary: {zh: 'x', en: '{rows:,} rows {{literal}} {rate:.0f}/s'}\n", encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"overdue_days": 1, "amount": 1, "platform": "花呗", "negotiation": "none"}) + "\n",
                     encoding="utf-8")
    result = run(["batch", str(cases), "--rules", "builtin", "--rules", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("1 rows {literal} ")


VALUES = st.dictionaries(
    st.sampled_from(["a", "b", "cap", "name", "x_1"]),
    st.one_of(st.text(max_size=20), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
              st.decimals(allow_nan=False, places=2, min_value=-10**9, max_value=10**9)),
)
TEMPLATE = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(
    ["{", "}", "{{", "}}", "{a}", "{b:,}", "{cap:.2f}", "{a:>999999999}", "{a!r}", "{0}", "{}", "{a.real}",
     "{a[0]}", "{a:{b}}", "{name:,.0f}", "{x_1:%}", "{b:.9f}", "{a:_}"])), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEMPLATE, VALUES, st.one_of(st.none(), st.just("【待填】")))
def test_filling_never_fails_and_stays_small(template, values, missing):
    out = fill(template, values, missing)
    longest = max([len(str(v)) for v in values.values()] + [len(missing or "")])
    assert len(out) <= len(template) * (2 * longest + 40)


def test_filling_shows_what_it_cannot_fill_as_written():
    assert fill("{a} {b:>9} {c!r} {0} {d}", {"a": 1, "b": 2, "c": 3}) == "1 {b:>9} {c!r} {0} {d}"
    assert fill("{d} and {a:,}", {"a": 1234567}, missing="__") == "__ and 1,234,567"
    assert fill("{a:,}", {"a": "text"}) == "text"
    assert fill("{a:.2f}", {"a": Decimal("1.005")}) == "1.00"
    assert fill("unclosed {a", {"a": 1}) == "unclosed {a"
