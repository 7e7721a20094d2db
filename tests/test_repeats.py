"""Repeated texts: `rules check --coverage` reports two texts one report shows that say the same thing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from advisor import cli
from advisor.coverage import check_coverage
from advisor.repeats import REPEAT_SIMILARITY, similar, similarity
from advisor.ruleset import load_ruleset

PLANTED = [str(FIXTURES / "mini"), str(FIXTURES / "repeat")]


def _check(*args: str) -> dict:
    result = CliRunner().invoke(cli.app, ["rules", "check", *args, "--coverage", "--json"], catch_exceptions=False)
    return json.loads(result.stdout)


def test_the_measure_is_shared_character_pairs():
    assert similarity("尽快还款。", "请尽快还款！") == pytest.approx(3 / 4)  # punctuation does not count
    assert similarity("保留记录", "拨打110报警") == 0
    assert 0 < REPEAT_SIMILARITY < 1


_BUILTIN_CHECKS: dict[str, dict] = {}


def _builtin_check(as_of: str) -> dict:
    """`rules check --coverage --json` of the built-in set: every situation, so each date is run once
    for this module (the lint's cost test below reads the same run)."""
    if as_of not in _BUILTIN_CHECKS:
        _BUILTIN_CHECKS[as_of] = _check("--as-of", as_of)
    return _BUILTIN_CHECKS[as_of]


@pytest.mark.untraced
@pytest.mark.parametrize("as_of", ["2026-01-15", "2026-11-22"])  # in and after the dated repair rules
def test_the_built_in_rules_repeat_nothing(as_of):
    data = _builtin_check(as_of)
    assert data["coverage"]["repeats"] == []
    assert data["ok"], data["problems"]


def test_the_named_repeats_are_gone(rules):
    """The issue's cases: the 5-year retention twice, "collectors must not tell colleagues" over and
    over. Counted in the texts of one report that has them all."""
    result = CliRunner().invoke(cli.app, [
        "assess", "-d", "95", "-a", "62000", "-p", "credit_card", "-n", "none", "--collection",
        "contacts_third_parties", "--format", "json", "--as-of", "2026-11-22"], catch_exceptions=False)
    data = json.loads(result.stdout)
    texts = [c["text"] for c in data["consequences"]] + [s["text"] for s in data["steps"]]
    texts.append(data["credit_impact"]["summary"] if isinstance(data["credit_impact"]["summary"], str)
                 else " ".join(data["credit_impact"]["summary"]))
    assert sum("保存5年" in t for t in texts) == 1  # the credit summary says it; no consequence repeats it
    # The rule against telling others about the debt: the standards' consequence, and the card rules'
    # one for a card; the general collection text and the step for contacts no longer restate it.
    assert sum(("透露" in t and "债务" in t) or "第三人催收" in t for t in texts) == 2


def test_a_planted_repeat_is_found_once_with_both_places_and_a_case():
    data = _check(*PLANTED)
    repeats = data["coverage"]["repeats"]
    assert len(repeats) == 1
    (found,) = repeats
    assert found["texts"] == [["step", "repay_now"], ["step", "repay_quickly"]]
    assert found["where"] == ["mini/base.yaml:53", "repeat/planted.yaml:4"]
    assert found["case"]["platform"] == "bank_loan" and found["case"]["overdue_days"] >= 1
    problem = [p for p in data["problems"] if "say the same thing" in p["message"]]
    assert len(problem) == 1
    assert problem[0]["file"] == "mini/base.yaml" and problem[0]["line"] == 53
    assert "repeat/planted.yaml:4" in problem[0]["message"] and "platform=bank_loan" in problem[0]["message"]


def test_similar_texts_that_never_show_together_are_not_a_finding():
    rules = load_ruleset(PLANTED)
    pairs = {(a[1], b[1]) for a, b, _ in similar(rules)}
    assert ("keep_records", "keep_the_records") in pairs  # alike, but one replaces the other
    found = check_coverage(rules, date(2026, 11, 22)).repeats
    assert [(r.first[1], r.second[1]) for r in found] == [("repay_now", "repay_quickly")]


@pytest.mark.untraced
def test_the_lint_adds_little_to_the_cost_of_coverage():
    """Texts are compared once (a few thousand pairs); each situation only looks up the similar pairs."""
    rules = load_ruleset()
    assert len(similar(rules)) < 20
    # The built-in set cuts days also at 3 years (limitation) and where the overdue began (the relief window).
    # The situations `rules check --coverage` counted are check_coverage's points.
    assert _builtin_check("2026-11-22")["coverage"]["situations"] < 50_000  # also a seventh lender type and the asker


def test_on_a_date_the_day_bands_are_also_cut_where_the_overdue_began(rules):
    """The built-in relief window is a rule on when the overdue began: on a given date it cuts the days
    too (coverage.bands). Traced here, as the whole-set checks above run without line tracing."""
    from advisor.coverage import bands

    assert len(bands(rules, date(2026, 11, 22))["overdue_days"]) > len(bands(rules)["overdue_days"])
