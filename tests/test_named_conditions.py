"""Named conditions: a condition used in several places is written once (`conditions`), and named where
it is used (`is: <name>`). The name stands for the condition exactly: the compiled rule set is the one
the condition written out would give, and a layer that changes it changes every place that names it."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURES, assess_json, layer
from typer.testing import CliRunner

from advisor import cli
from advisor.ruleset import load_ruleset

MINI = str(FIXTURES / "mini")
CASE = "{overdue_days: 5, amount: 100, platform: bank_loan, negotiation: none}"


def run(args: list[str]):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


def rule(rid: str, when: str) -> str:
    return f"""\
  - id: {rid}
    when: {when}
    set: {{severity: low}}
    examples:
      - case: {{overdue_days: 40, amount: 100, platform: bank_loan, negotiation: none}}
"""


def test_a_named_condition_compiles_to_the_condition_written_out(tmp_path):
    named = layer(tmp_path, """\
conditions:
  - id: late
    when: {overdue_days: {gte: 30}, platform: [bank_loan, unlicensed]}
  - id: unsettled
    when: {not: {any: [{negotiation: agreed}, {is: late, amount: {gte: 50000}}]}}
rules:
""" + rule("x.named", "{is: [late, unsettled], amount: {lt: 1000}}")
        + rule("x.inside", "{any: [{is: late}, {overdue_days: 3}]}"))
    written = layer(tmp_path, "rules:\n" + rule(
        "x.named", "{overdue_days: {gte: 30}, platform: [bank_loan, unlicensed], not: {any: [{negotiation: agreed}, "
                   "{overdue_days: {gte: 30}, platform: [bank_loan, unlicensed], amount: {gte: 50000}}]}, "
                   "amount: {lt: 1000}}")
        + rule("x.inside", "{any: [{overdue_days: {gte: 30}, platform: [bank_loan, unlicensed]}, {overdue_days: 3}]}"),
        "written.yaml")
    a, b = load_ruleset([MINI, named], cache=False), load_ruleset([MINI, written], cache=False)
    compiled = {r["id"]: r["when"] for r in a.data["rules"]}
    assert compiled == {r["id"]: r["when"] for r in b.data["rules"]}
    assert '"is"' not in json.dumps(compiled) and a.when == b.when


def test_the_built_in_old_debt_condition_is_one_entry_used_everywhere():
    rules_dir = Path(__file__).resolve().parent.parent / "rules"
    texts = {p: p.read_text(encoding="utf-8") for p in rules_dir.rglob("*.yaml")}
    written_out = [p.name for p, t in texts.items() if "1095" in t and p.name != "conditions.yaml"]
    assert not written_out, "the 3-year line is written once, in rules/conditions.yaml"
    users = [p.name for p, t in texts.items() if "is: limitation_may_have_run" in t]
    assert {"court.yaml", "answers.yaml", "interest.yaml", "letter.yaml"} <= set(users)


def test_a_layer_that_changes_a_named_condition_changes_every_place_that_names_it(tmp_path):
    # The built-in set says: a debt over 3 years old, not judged, may be past the limitation period. An
    # office that draws the line at 5 years changes the one entry; the rule, the answers and the plan follow.
    five = layer(tmp_path, """\
conditions:
  - id: limitation_may_have_run
    override: true
    when: {overdue_days: {gte: 1826}, not: {any: [{is: judged}, {negotiation: [agreed, breached]}]}}
""")
    case = ["-d", "1200", "-a", "8000", "-p", "microloan", "-n", "none", "--income", "6000", "--expenses", "3000",
            "--concerns", "lawsuit"]
    builtin = assess_json(*case)
    moved = assess_json(*case, "--rules", "builtin", "--rules", five)
    assert "limitation_old_debt" in {c["id"] for c in builtin["consequences"]}
    assert builtin["plan"] is None and builtin["answers"][0]["id"] == "lawsuit.old-debt"
    assert "limitation_old_debt" not in {c["id"] for c in moved["consequences"]}
    assert moved["plan"] is not None and moved["answers"][0]["id"] != "lawsuit.old-debt"
    older = assess_json(*[("2000" if a == "1200" else a) for a in case], "--rules", "builtin", "--rules", five)
    assert "limitation_old_debt" in {c["id"] for c in older["consequences"]} and older["plan"] is None


@pytest.mark.parametrize(("conditions", "when", "says"), [
    ("[{id: late, when: {overdue_days: 30}}]", "{is: lat}", 'unknown condition name "lat" (did you mean "late"?)'),
    ("[{id: late, when: {overdue_days: 30}}]", "{is: 3}", '"is" gives the name of a condition'),
    ("[{id: late, when: {overdue_days: 30}}]", "{is: []}", '"is" gives the name of a condition'),
    ("[{id: late}]", "{is: late}", 'condition "late" needs a "when"'),
    ("[{id: a, when: {is: b}}, {id: b, when: {is: [late, a]}}, {id: late, when: {overdue_days: 30}}]", "{is: a}",
     'condition "a" leads back to itself through "is": a → b → a'),
    ("[{id: a, when: {is: a}}]", "{overdue_days: 1}", 'condition "a" leads back to itself through "is": a → a'),
    ("[{id: late, when: {overdue_days: 30}, colour: red}]", "{is: late}", 'unknown key "colour"'),
    ("[{id: late, when: {overdue_dayz: 30}}]", "{is: late}", 'unknown condition "overdue_dayz"'),
])
def test_rules_check_names_each_mistake_in_a_named_condition(tmp_path, conditions, when, says):
    bad = layer(tmp_path, f"conditions: {conditions}\nrules:\n" + rule("x.one", when))
    result = run(["rules", "check", MINI, bad])
    assert result.exit_code == 3
    assert "layer.yaml:" in result.stderr and says in result.stderr
    assert result.stderr.count(says) == 1, "each mistake is told once, however many places name it"


def test_a_mistake_in_a_condition_no_one_names_is_still_found(tmp_path):
    bad = layer(tmp_path, "conditions: [{id: unused, when: {platform: bank_lone}}]\n")
    result = run(["rules", "check", MINI, bad])
    assert result.exit_code == 3 and 'unknown value "bank_lone"' in result.stderr


def test_a_name_defined_twice_must_say_override(tmp_path):
    twice = layer(tmp_path, "conditions: [{id: judged, when: {overdue_days: 1}}]\n")
    result = run(["rules", "check", "builtin", twice])
    assert result.exit_code == 3
    assert 'condition "judged" is already defined at rules/conditions.yaml:' in result.stderr


def test_the_json_check_reports_a_named_condition_problem_where_it_is(tmp_path):
    bad = layer(tmp_path, "conditions: [{id: late, when: {overdue_days: 30}}]\nrules:\n" + rule("x.one", "{is: lat}"))
    result = run(["rules", "check", MINI, bad, "--json"])
    problems = json.loads(result.stdout)["problems"]
    assert [(p["file"], p["rule"], p["line"]) for p in problems] == [("layer.yaml", "x.one", 4)]


@pytest.mark.parametrize(("negotiation", "noted"), [("none", True), ("failed", True), ("agreed", False),
                                                     ("breached", False)])
def test_the_letters_limitation_note_follows_the_one_condition(negotiation, noted):
    # An agreement to pay restarts the period: the letter said otherwise before it named the condition.
    args = ["-d", "1200", "-a", "8000", "-p", "microloan", "-n", negotiation]
    letter = run(["letter", *args])
    script = run(["letter", *args, "--script"])
    assert letter.exit_code == 0 and script.exit_code == 0
    assert ("可能已过诉讼时效" in letter.stdout) is noted
    assert ("可能已过诉讼时效" in script.stdout) is noted
    record = assess_json(*args)
    assert ("limitation_old_debt" in {c["id"] for c in record["consequences"]}) is noted


@pytest.mark.parametrize(("collection", "reaches"), [(None, False), ("爆通讯录", False), ("正常催收,半夜打电话", True),
                                                     ("上门", True)])
def test_collection_now_does_not_undo_an_old_debts_limitation_advice(collection, reaches):
    # A demand within the 3 years restarts them; one after they have run does not (民法典 192, 195): whether
    # they ran depends on the years before. Collection reaching the person now changes the wording of the
    # time-limit answer, never the advice to ask before paying, the consequence, the plan or the letter.
    args = ["-d", "1460", "-a", "8000", "-p", "credit_card", "-n", "none", "--income", "6000", "--expenses", "3000",
            *(["--collection", collection] if collection else [])]
    record = assess_json(*args, "--concerns", "time_limit")
    assert "limitation_old_debt" in {c["id"] for c in record["consequences"]}
    assert "ask_before_acknowledging" in {s["id"] for s in record["steps"]}
    assert record["plan"] is None
    answer = record["answers"][0]
    assert answer["id"] == ("time_limit.still-collected" if reaches else "time_limit.old-debt")
    if reaches:
        assert "3年已经过完后才来的催收，不会让时效重新开始" in answer["verdict"] and "12348" in answer["text"]
    assert "可能已过诉讼时效" in run(["letter", *args]).stdout


def test_a_rule_set_without_a_name_the_report_asks_about_still_reports():
    # The credit box asks whether "one_time_repair_applies" holds; a rule set of its own need not name it.
    mini = load_ruleset([MINI], cache=False)
    assert mini.holds("one_time_repair_applies", {"overdue_days": 40}) is False
    result = run(["assess", "--rules", MINI, "-d", "40", "-a", "8000", "-p", "bank_loan", "-n", "none",
                  "--repaid-on", "2026-01-10", "--format", "json", "--no-input"])
    assert result.exit_code == 0, result.output
    builtin = load_ruleset()
    case = {"platform": "bank_loan", "overdue_days": 40, "amount": Decimal(8000), "overdue_start": date(2025, 12, 1),
            "repaid_on": date(2026, 1, 10)}
    assert builtin.holds("one_time_repair_applies", case) is True
    assert builtin.holds("one_time_repair_applies", {**case, "amount": 10001}) is False
