"""Conditions of every shape, through the doors people use: `rules show` prints them, `evaluate` tests
them, `--explain` traces them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from advisor import cli
from advisor.engine import evaluate
from advisor.parsing import build_case
from advisor.ruleset import load_ruleset

SHAPES = """\
rules:
  - id: probe.shapes
    when:
      any: [{platform: bank_loan}, {negotiation: agreed}, {overdue_days: {gte: 400}}]
      not: {amount: {gt: 50000}, negotiation: [none, agreed]}
    set: {severity: low}
    examples:
      - case: {overdue_days: 5, amount: 60000, platform: unlicensed, negotiation: agreed}
"""
CASE = ["--days", "5", "--amount", "100", "--platform", "bank_loan", "--negotiation", "none"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("shapes")
    (path / "shapes.yaml").write_text(SHAPES, encoding="utf-8")
    return path


def run(args):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


def test_rules_show_prints_a_condition_as_one_line(folder):
    out = run(["rules", "show", "probe.shapes", str(FIXTURES / "mini"), str(folder), "--lang", "en"])
    assert out.exit_code == 0, out.stderr
    assert ("when:        (platform = bank_loan or negotiation = agreed or overdue_days ≥ 400) "
            "and not (amount > 50000 and negotiation in [none, agreed])") in out.stdout


@pytest.mark.parametrize(("answers", "fires"), [
    ({"overdue_days": 5, "amount": 100, "platform": "bank_loan", "negotiation": "none"}, True),
    ({"overdue_days": 5, "amount": 60000, "platform": "bank_loan", "negotiation": "none"}, False),  # the `not`
    ({"overdue_days": 5, "amount": 100, "platform": "unlicensed", "negotiation": "agreed"}, True),
    ({"overdue_days": 5, "amount": 100, "platform": "unlicensed", "negotiation": "none"}, False),  # no `any`
    ({"overdue_days": 400, "amount": 100, "platform": "unlicensed", "negotiation": "none"}, True),
])
def test_any_and_a_not_of_a_group_decide_as_written(folder, answers, fires):
    rules = load_ruleset([FIXTURES / "mini", folder])
    result = evaluate(build_case(answers, rules, "en"), rules, date(2026, 11, 22))
    assert ("probe.shapes" in result.rules_fired) is fires


def test_explain_shows_what_decided_a_fired_rule(folder):
    out = run(["assess", *CASE, "--rules", str(FIXTURES / "mini"), "--rules", str(folder), "--explain",
               "--format", "json", "--lang", "en"])
    assert out.exit_code == 0, out.stderr
    fired = {f["rule"]: f for f in json.loads(out.stdout)["explain"]}
    traced = [(c["field"], c["op"], c["expected"], c["result"]) for c in fired["probe.shapes"]["conditions"]]
    # What decided it, all true: the branch of the `any` that held, and the part of the `not` that
    # failed, read as one statement; the branches that did not hold and the part that did not matter
    # are left out.
    assert traced == [("platform", "eq", "bank_loan", True), ("amount", "not gt", "50000", True)]


@pytest.mark.parametrize("case", [
    ["-d", "95", "-a", "62000", "-p", "信用卡", "-n", "failed", "--legal-status", "律师函",
     "--collection", "contacts_third_parties", "--hardship", "失业"],
    ["-d", "12", "-a", "3800", "-p", "花呗", "-n", "none"],
    ["-d", "400", "-a", "800", "-p", "私人", "-n", "breached", "--apr", "36", "--contract-date", "2024-03-01",
     "--income", "0", "--expenses", "0"],
    ["-d", "0", "-a", "3000", "-p", "花呗", "-n", "agreed", "--legal-status", "none"],
])
def test_no_false_row_under_a_rule_that_fired(case):
    data = json.loads(run(["assess", *case, "--explain", "--format", "json", "--as-of", "2026-11-23"]).stdout)
    assert data["explain"] and all(c["result"] for f in data["explain"] for c in f["conditions"])
    assert all(f["conditions"] for f in data["explain"] if f["rule"]), "each fired rule says what decided it"
    text = run(["assess", *case, "--explain", "--as-of", "2026-11-23"]).stdout
    assert "✓" in text and "✗" not in text
