"""The rule authors' tools: check, lint, coverage, list, show, questions, the schema and layering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, layer
from typer.testing import CliRunner

from advisor import cli
from advisor.conditions import CONDITION_FIELDS, OPERATORS
from advisor.errors import RuleSetError
from advisor.rulefiles import rule_files
from advisor.ruleset import builtin_rules_dir, load_ruleset
from advisor.rulespec import ENTRY_KEYS, RULE_KEYS, SECTIONS

MINI = str(FIXTURES / "mini")
CASE = "{overdue_days: 5, amount: 100, platform: bank_loan, negotiation: none}"


def run(args, **kw):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False, **kw)


# ---------------------------------------------------------------- check: every problem, located, with a fix


def test_misspelt_keys_ids_and_values_are_all_reported_with_suggestions(tmp_path):
    bad = layer(tmp_path, f"""\
steps:
  - id: call_family
    urgncy: now
    text: {{zh: 告诉家人。, en: Tell your family.}}
rules:
  - id: x.one
    when: {{platfrom: bank_loan}}
    set: {{severity: medium}}
    stpes: [repay_now]
    examples:
      - case: {CASE}
  - id: x.two
    when: {{negotiation: agred}}
    refrences: [civil_code_676]
    examples:
      - case: {CASE}
""")
    result = run(["rules", "check", MINI, bad])
    assert result.exit_code == 3
    lines = result.stderr.replace("advisor: ", "").splitlines()
    assert 'layer.yaml:3:5: call_family: unknown key "urgncy" in steps entry "call_family" (did you mean "urgency"?)' in lines
    assert 'layer.yaml:7:12: x.one: unknown condition "platfrom" (did you mean "platform"?)' in lines
    assert 'layer.yaml:9:5: x.one: unknown key "stpes" in the rule (did you mean "steps"?)' in lines
    assert any('x.two: negotiation: unknown value "agred" (did you mean "agreed"?)' in line for line in lines)
    assert 'layer.yaml:14:5: x.two: unknown key "refrences" in the rule (did you mean "references"?)' in lines


def test_check_json_reports_each_example(tmp_path):
    extra = layer(tmp_path, f"""\
rules:
  - id: x.expect
    when: {{overdue_days: {{gte: 1}}}}
    set: {{severity: high}}
    examples:
      - case: {CASE}
        expect: {{severity: high}}
      - case: {CASE}
        expect: {{severity: critical, includes: [repay_now], excludes: [keep_records]}}
""")
    result = run(["rules", "check", MINI, extra, "--json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["rules"] == 3
    mine = [e for e in report["examples"] if e["rule"] == "x.expect"]
    assert [e["passed"] for e in mine] == [True, False]
    assert "expected severity critical, got high" in mine[1]["problems"]
    assert 'expected no "keep_records" in the result; it is there' in mine[1]["problems"]
    assert {p["line"] for p in report["problems"] if p["file"] == "layer.yaml"} == {8}
    clean = run(["rules", "check", MINI, "--json"])
    assert clean.exit_code == 0 and json.loads(clean.stdout)["ok"] is True


def test_check_json_on_a_set_that_does_not_load(tmp_path):
    bad = layer(tmp_path, "rules: [{id: a, when: {overdue_days: {gte: x}}, set: {severity: low}, examples: []}]\n")
    result = run(["rules", "check", MINI, bad, "--json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["problems"]
    assert all({"file", "line", "column", "rule", "message"} <= set(p) for p in report["problems"])


# ---------------------------------------------------------------- lint


def test_lint_long_steps_and_legal_consequences_without_law(tmp_path):
    extra = layer(tmp_path, f"""\
steps:
  - id: essay
    urgency: soon
    text: {{zh: "{'很长的一句话' * 20}", en: Short.}}
consequences:
  - id: jail
    legal: true
    text: {{zh: 后果。, en: A consequence.}}
rules:
  - id: x.uncited
    when: {{overdue_days: {{gte: 1}}}}
    consequences: [jail]
    steps: [essay]
    examples:
      - case: {CASE}
""")
    result = run(["rules", "check", MINI, extra])
    assert result.exit_code == 3
    assert "essay: zh text has 120 characters" in result.stderr
    assert "x.uncited: states a legal consequence (jail) without a reference" in result.stderr


def test_builtin_rules_pass_the_lint():
    result = run(["rules", "check"])
    assert result.exit_code == 0, result.stderr


# ---------------------------------------------------------------- coverage


@pytest.mark.untraced  # every situation of the built-in set (conftest.untraced)
def test_builtin_rules_cover_every_situation():
    result = run(["rules", "check", "--coverage"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "0 gaps; 0 rules never fire; 0 values always overruled" in out
    assert "internet_platform none" in out and "31-90" in out and " 91-" in out
    # Three years (limitation) cuts the days too; past it, bands run to the top ("…+").
    assert " 1095-" in out and "+  (days)" in out


def test_coverage_finds_a_gap():
    # The small fixture set gives no credit impact on day 0: a gap in every row's first column.
    result = run(["rules", "check", MINI, "--coverage"])
    assert result.exit_code == 3
    assert "no credit for overdue_days=0 " in result.stderr
    assert "!L" in result.stdout


def test_coverage_finds_unreachable_and_overruled_rules(tmp_path):
    extra = layer(tmp_path, """\
rules:
  - id: x.impossible
    when: {overdue_days: {gte: 10, lte: 5}}
    set: {severity: high}
    examples:
      - case: {overdue_days: 7, amount: 100, platform: bank_loan, negotiation: none}
  - id: x.hidden
    when: {overdue_days: {gte: 10}, platform: bank_loan}
    set: {severity: low}
    examples:
      - case: {overdue_days: 10, amount: 100, platform: bank_loan, negotiation: none}
""")
    result = run(["rules", "check", MINI, extra, "--coverage", "--json"])
    assert result.exit_code == 3
    cov = json.loads(result.stdout)["coverage"]
    assert cov["never_fire"] == ["x.impossible"]
    assert {"rule": "x.hidden", "output": "severity", "value": "low"} in cov["overruled"]
    assert ["6", "9"] in cov["bands"]["overdue_days"] and ["10", "30"] in cov["bands"]["overdue_days"]


def test_bands_split_exactly_at_the_thresholds(rules):
    from advisor.coverage import bands

    days = bands(rules)["overdue_days"]
    assert days[0] == (0, 0) and days[-1][1] == 36500
    assert all(b[0] == a[1] + 1 for a, b in zip(days, days[1:])), "bands are contiguous"
    amounts = [str(lo) for lo, _ in bands(rules)["amount"]]
    assert "50000" in amounts, "the 5万 card threshold is a band edge"


# ---------------------------------------------------------------- list, show, questions


def test_rules_list(rules):
    text = run(["rules", "list"]).stdout
    assert len(text.splitlines()) == len(rules.rules)
    assert "credit.one-time-repair" in text and "2025-12-22..2026-03-31" in text
    rows = json.loads(run(["rules", "list", "--json"]).stdout)
    assert [r["id"] for r in rows] == [r["id"] for r in rules.rules]
    assert all({"id", "file", "line", "sets", "valid_from", "valid_until"} <= set(r) for r in rows)


def test_rules_show(rules):
    rule = next(r for r in rules.rules if r["references"] and r["examples"])
    out = run(["rules", "show", rule["id"]]).stdout
    assert rule["id"] in out and "when:" in out and "example:" in out
    assert rules.references[rule["references"][0]]["title"]["zh"] in out
    missing = run(["rules", "show", rule["id"] + "x"])
    assert missing.exit_code == 2 and f'did you mean "{rule["id"]}"' in missing.stderr


def test_questions_json_lists_every_field_with_choices_and_aliases():
    fields = {f["id"]: f for f in json.loads(run(["questions", "--json"]).stdout)}
    assert list(fields)[:4] == ["overdue_days", "amount", "platform", "negotiation"]
    assert {"legal_status", "collection", "hardship", "apr", "contract_date", "lpr", "monthly_income",
            "monthly_expenses", "repaid_on", "other_debts"} <= set(fields), "the extended answers too"
    assert [f["required"] for f in fields.values()].count(True) == 4
    assert fields["collection"]["type"] == "choices" and fields["collection"]["choices"]
    assert fields["apr"]["flag"] == "--apr" and "asked_when" in fields["apr"]
    assert fields["monthly_income"]["minimum"] == "0"
    assert fields["overdue_days"]["type"] == "integer" and fields["overdue_days"]["maximum"] == 36500
    assert fields["amount"]["type"] == "decimal" and fields["amount"]["decimal_places"] == 2
    internet = next(c for c in fields["platform"]["choices"] if c["id"] == "internet_platform")
    assert {"花呗", "借呗", "京东白条", "京东金条", "美团月付"} <= set(internet["aliases"])
    assert internet["label"]["zh"] and internet["label"]["en"] and internet["number"] == 4
    assert run(["questions"]).stdout.count("--") >= 4


def test_questions_json_says_whether_each_answer_is_about_one_debt_or_the_person():
    from advisor.fields import FIELDS, PERSON_FIELDS

    fields = {f["id"]: f for f in json.loads(run(["questions", "--json"]).stdout)}
    assert {name for name, f in fields.items() if f["scope"] == "person"} == set(PERSON_FIELDS)
    assert {f["scope"] for f in fields.values()} == {"debt", "person"} and len(fields) == len(FIELDS)
    assert fields["overdue_days"]["scope"] == "debt" and fields["monthly_income"]["scope"] == "person"


# ---------------------------------------------------------------- layering


def test_layered_set_adds_disables_and_overrides(tmp_path):
    extra = layer(tmp_path, f"""\
disable: [base.days]
steps:
  - id: repay_now
    override: true
    text: {{en: Pay today.}}
rules:
  - id: local.extra
    when: {{overdue_days: {{gte: 1}}}}
    steps: [keep_records]
    examples:
      - case: {CASE}
""")
    rules = load_ruleset([MINI, extra])
    assert [r["id"] for r in rules.rules] == ["base.overdue", "local.extra"]
    assert rules.steps["repay_now"]["text"] == {"zh": "尽快还款。", "en": "Pay today."}
    assert rules.steps["repay_now"]["urgency"] == "now", "an override keeps what it does not restate"
    out = json.loads(run(["assess", "--rules", MINI, "--rules", extra, "-d", "5", "-a", "100", "-p", "1", "-n", "1",
                          "--format", "json", "--lang", "en"]).stdout)
    assert "Pay today." in [s["text"] for s in out["steps"]]


def test_layer_on_the_builtin_set_by_name(tmp_path):
    extra = layer(tmp_path, f"""\
rules:
  - id: local.note
    when: {{overdue_days: {{gte: 1}}}}
    steps: [seek_legal_aid]
    examples:
      - case: {CASE}
""")
    rules = load_ruleset(["builtin", extra])
    assert len(rules.rules) == len(load_ruleset().rules) + 1
    assert run(["rules", "check", "builtin", extra]).exit_code == 0


def test_a_clash_names_both_places(tmp_path):
    extra = layer(tmp_path, "rules:\n  - id: base.days\n    when: {overdue_days: 1}\n    set: {severity: high}\n"
                            f"    examples:\n      - case: {CASE}\n")
    with pytest.raises(RuleSetError) as err:
        load_ruleset([MINI, extra])
    message = str(err.value)
    assert "layer.yaml:2:5: base.days:" in message and "already defined at mini/base.yaml:" in message
    assert "override: true" in message


def test_disabling_an_unknown_rule_is_an_error(tmp_path):
    extra = layer(tmp_path, "disable: [base.dayz]\n")
    with pytest.raises(RuleSetError) as err:
        load_ruleset([MINI, extra])
    assert 'cannot disable "base.dayz"' in str(err.value) and 'did you mean "base.days"' in str(err.value)


# ---------------------------------------------------------------- the JSON Schema


def _schema():
    return json.loads((builtin_rules_dir() / "schema.json").read_text(encoding="utf-8"))


def _as_json(value):
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()  # what an editor's YAML reader sees
    return value


def _validator():
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(_schema())


@pytest.mark.parametrize("path", [p for p, _ in rule_files([builtin_rules_dir(), FIXTURES / "mini"])],
                         ids=lambda p: p.name)
def test_every_valid_rule_file_validates(path):
    import yaml

    errors = list(_validator().iter_errors(_as_json(yaml.safe_load(path.read_text(encoding="utf-8")))))
    assert not errors, [e.message for e in errors[:3]]


def test_the_shipped_schema_is_the_one_built_from_the_loader():
    from advisor.schema import build

    assert _schema() == build(), "run: advisor rules schema > rules/schema.json"
    assert json.loads(run(["rules", "schema"]).stdout) == build()
    schema = _schema()
    assert set(schema["properties"]) == set(SECTIONS)
    assert set(schema["$defs"]["rule"]["properties"]) == set(RULE_KEYS)
    for section, keys in ENTRY_KEYS.items():
        assert set(schema["properties"][section]["items"]["properties"]) == set(keys), section
    cond = schema["$defs"]["condition"]["properties"]
    assert set(cond) == {*CONDITION_FIELDS, "all", "any", "not", "is"}
    assert set(cond["overdue_days"]["oneOf"][2]["properties"]) == set(OPERATORS)


MUTATIONS = [
    "rules: [{id: a, when: {overdue_days: 1}, examples: [{case: {}}], sett: {}}]",
    "rules: [{id: a, when: {overdue_days: {gtee: 1}}, set: {severity: low}, examples: [{case: {}}]}]",
    "rules: [{id: a, when: {overdue_days: 1}, set: {severity: extreme}, examples: [{case: {}}]}]",
    "rules: [{id: a, when: {overdue_days: 1}, set: {severity: low}, examples: []}]",
    "rules: [{id: a, when: {overdue_days: 1}, set: {severity: low}}]",
    "rules: [{id: a, when: {days: 1}, set: {severity: low}, examples: [{case: {}}]}]",
    "rules: [{id: a, when: {day_stage: later}, set: {severity: low}, examples: [{case: {}}]}]",
    "rules: [{id: a, when: {overdue_days: 1}, steps: [{id: x, urgency: later}], examples: [{case: {}}]}]",
    "rules: [{id: a, when: {overdue_days: 1}, set: {severity: low}, valid_from: soon, examples: [{case: {}}]}]",
    "steps: [{id: s, urgency: now}]",
    "steps: [{id: s, urgency: whenever, text: {zh: 一, en: one}}]",
    "consequences: [{id: c, text: {zh: 一}}]",
    "references: [{id: r, title: {zh: 一, en: one}, text: {zh: 一, en: one}}]",
    "references: [{id: r, title: {zh: 一, en: one}, text: {zh: 一, en: one}, verbatim: yes please}]",
    "stages: [{id: someday, label: {zh: 一, en: one}}]",
    "labels: {mood: {}}",
    "fields: {overdue_days: {question: {zh: 一, en: one}}}",
    "colours: {}",
    "ui: {title: plain string}",
    "disable: base.days",
    "rules: [{id: a, when: {is: 3}, set: {severity: low}, examples: [{case: {}}]}]",
    "conditions: [{id: c, when: {overdue_days: 1}, colour: red}]",
    "conditions: [{when: {overdue_days: 1}}]",
]


@pytest.mark.parametrize("text", MUTATIONS)
def test_what_the_schema_rejects_the_loader_rejects(tmp_path, text):
    import yaml

    validator = _validator()
    assert list(validator.iter_errors(_as_json(yaml.safe_load(text)))), "the schema should reject this"
    with pytest.raises(RuleSetError):
        load_ruleset([MINI, layer(tmp_path, text + "\n")])


# ---------------------------------------------------------------- the cache


def _subprocess_load(cache: Path) -> subprocess.CompletedProcess[str]:
    code = ("import sys, advisor.ruleset as r; s = r.load_ruleset(); "
            "print(len(s.rules), 'yaml' in sys.modules)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env=dict(os.environ, ADVISOR_CACHE_DIR=str(cache)))


def test_a_warm_cache_skips_yaml_and_a_corrupt_one_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    cold = _subprocess_load(cache)
    assert cold.returncode == 0 and cold.stdout.split()[1] == "True"
    warm = _subprocess_load(cache)
    assert warm.stdout.split()[1] == "False"
    for entry in cache.iterdir():
        entry.write_text("{not json", encoding="utf-8")
    again = _subprocess_load(cache)
    assert again.returncode == 0 and again.stdout.split() == cold.stdout.split()


def test_an_unwritable_cache_only_costs_speed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = _subprocess_load(blocker / "cache")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[0]) > 10


# ---------------------------------------------------------------- every shape of mistake the loader names

MISTAKES = [
    ("rules: {id: x}", '"rules" must be a list'),
    ("steps: {id: x}", '"steps" must be a list'),
    ("steps: [{urgency: now}]", 'each entry of "steps" needs an "id"'),
    ("steps: [{id: s, urgency: later, text: {zh: 一, en: one}}]", "urgency must be one of"),
    ("consequences: [{id: c, legal: maybe, text: {zh: 一, en: one}}]", '"legal" must be true or false'),
    ("references: [{id: r, title: {zh: 一, en: one}, text: {zh: 一, en: one}, verbatim: 1}]", '"verbatim" must be'),
    ("ui: [1, 2]", '"ui" must be a mapping'),
    ("ui: {x: {zh: '', en: one}}", 'needs a non-empty "zh" text'),
    ("ui: {x: {zh: 一, en: one, fr: un}}", 'unknown key "fr"'),
    ("stages: {a: 1}", '"stages" must be a list'),
    ("stages: [{id: soon, label: {zh: 一, en: one}}]", 'unknown stage "soon"'),
    ("labels: [1]", '"labels" must be a mapping'),
    ("labels: {severity: [1]}", 'labels "severity" must be a mapping'),
    ("fields: [1]", '"fields" must be a mapping'),
    ("fields: {overdue_days: 3}", 'field "overdue_days" must be a mapping'),
    ("fields: {colour: {question: {zh: 一, en: one}, why: {zh: 一, en: one}}}", 'unknown field "colour"'),
    ("fields: {apr: {question: {zh: 一, en: one}, why: {zh: 一, en: one}, choices: []}}", "takes no choices"),
    ("fields: {overdue_days: {question: {zh: 一, en: one}, why: {zh: 一, en: one}, ask_when: {}}}", "always asked"),
    ("fields: {platform: {question: {zh: 一, en: one}, why: {zh: 一, en: one}}}", 'needs a list of "choices"'),
    ("disable: [1, 2]", '"disable" must be a list of rule ids'),
    ("interest: [1]", '"interest" must be a mapping'),
    ("interest: {lpr: [{from: soon, rate: 3}]}", "each LPR entry needs"),
    ("interest: {caps: {spaceship: {basis: x, rate: 1}}}", 'unknown platform "spaceship"'),
    ("interest: {caps: {bank_loan: {basis: x}}}", "either `rate`"),
    ("plan: [1]", '"plan" must be a mapping'),
    ("plan: {share_of_margin: 2}", "share_of_margin must be"),
    ("plan: {max_months: {credit_card: 0}}", "max_months needs a `default`"),
    ("letter: {a: 1}", '"letter" must be a list of paragraphs'),
    ("letter: [{text: {zh: '{nmae}', en: x}}]", 'unknown placeholder "{nmae}"'),
    ("rules: [{id: r, when: [1], set: {severity: low}, examples: [{case: {}}]}]", '"when" is missing'),
    ("rules: [{id: r, when: {overdue_days: 1}, set: [1], examples: [{case: {}}]}]", '"set" must be a mapping'),
    ("rules: [{id: r, when: {overdue_days: 1}, steps: {a: 1}, examples: [{case: {}}]}]", '"steps" must be a list'),
    ("rules: [{id: r, when: {overdue_days: 1}, examples: [{case: {}}]}]", "the rule sets nothing"),
    ("rules: [{id: r, when: {all: []}, set: {severity: low}, examples: [{case: {}}]}]", "non-empty list of conditions"),
    ("rules: [{id: r, when: {overdue_days: {}}, set: {severity: low}, examples: [{case: {}}]}]", "give at least one operator"),
    ("rules: [{id: r, when: {overdue_days: {in: []}}, set: {severity: low}, examples: [{case: {}}]}]", "give a non-empty list"),
    ("rules: [{id: r, when: {platform: {gt: 1}}, set: {severity: low}, examples: [{case: {}}]}]", "cannot be compared"),
    ("rules: [{id: r, when: {overdue_days: -1}, set: {severity: low}, examples: [{case: {}}]}]", "not a whole number"),
    ("rules: [{id: r, when: {amount: lots}, set: {severity: low}, examples: [{case: {}}]}]", "is not an amount"),
    ("rules: [{id: r, when: {interest_exceeds: {gt: 1}}, set: {severity: low}, examples: [{case: {}}]}]", "true or false"),
    ("rules: [{id: r, when: {overdue_days: 1}, set: {severity: low}, valid_from: 2026-02-01, valid_until: 2026-01-01,"
     " examples: [{case: {}}]}]", '"valid_from" is after "valid_until"'),
    ("rules: [{id: r, when: {overdue_days: 1}, set: {severity: low}, examples: [1]}]", 'an example needs a "case"'),
    ("rules: [{id: r, when: {overdue_days: 1}, set: {severity: low}, examples: [{case: {}, as_of: x}]}]", '"as_of" must be'),
    ("rules: [{id: r, when: {overdue_days: 1}, set: {severity: low}, examples: [{case: {}, expect: [1]}]}]", '"expect" must be'),
    ("rules: [{id: r, when: {overdue_days: 1}, set: {severity: low}, examples: [{case: {}, expect: {severity: x}}]}]",
     "expect severity"),
    ("rules: [{id: r, when: {overdue_days: 1}, set: {severity: low}, examples: [{case: {}}]}]", "example case"),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES, ids=[m for _, m in MISTAKES])
def test_every_mistake_is_named(tmp_path, text, message):
    result = run(["rules", "check", MINI, layer(tmp_path, text + "\n")])
    assert result.exit_code == 3, result.stdout
    assert message in result.stderr, result.stderr


def test_the_loaders_value_checks_and_the_schema_read_one_description():
    Draft202012Validator = pytest.importorskip("jsonschema").Draft202012Validator  # noqa: N806

    from advisor.rulespec import BOOL, DATE, DAY, ID, MONTHS, NUMBER, ORDERED, STRING, URGENCY, conforms
    from advisor.schema import schema_of

    forms = [BOOL, DATE, DAY, ID, MONTHS, NUMBER, STRING, URGENCY, *ORDERED.keys.values()]
    values = [None, True, False, 0, 1, -1, 2.5, "", "now", "soon", "later", "high", "severe", "2026-03-31",
              "2026-3-31", [], {}, ["now"]]
    for form in forms:
        validator = Draft202012Validator(schema_of(form))
        for value in values:
            assert conforms(form, value) == validator.is_valid(value), (form, value)
