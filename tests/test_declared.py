"""The rule-file format is described once, in advisor/rulespec.py: declaring a key or a section there
is enough for `rules check` to check its values (ids it names, dates, enums, bounds) at their own
line, and for the JSON Schema to describe it. A throwaway key on steps and a throwaway section that
names steps are declared here, for one test each, and nothing else in the code is changed.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from advisor import cli
from advisor.ruleset import load_ruleset
from advisor.rulespec import CATALOG, CONDITION, DATE, FACT, FILE, ID, TEXT, Entry, ListOf, decimal, enum, ref
from advisor.schema import build

MINI = str(FIXTURES / "mini")
TIP = Entry({"id": ID, **FACT, "text": TEXT, "step": ref("steps"), "until": DATE, "level": enum(("low", "high")),
             "share": decimal(exclusiveMinimum=0, maximum=1), "when": CONDITION},
            ("id", "text", "step"))
GOOD = """\
tips:
  - id: tip.first
    source: https://example.org/made-up-test-data
    checked: 2026-11-29
    text: {zh: 先还最急的。, en: Repay the most urgent first.}
    step: repay_now
    until: 2027-03-31
    level: high
    share: "0.5"
    when: {overdue_days: {gte: 1}}
"""
BAD = """\
tips:
  - id: tip.bad
    text: {zh: 一, en: one}
    step: repay_nwo
    until: 2027-02-30
    level: medium
    share: 2
    colour: red
"""


@pytest.fixture
def tips(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(FILE.keys, "tips", ListOf(TIP))


def _check(tmp_path, text):
    extra = tmp_path / "tips.yaml"
    extra.write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli.app, ["rules", "check", MINI, str(extra)], catch_exceptions=False), extra


def test_a_section_declared_in_the_spec_alone_is_read_with_its_values(tips, tmp_path):
    result, extra = _check(tmp_path, GOOD)
    assert result.exit_code == 0, result.stderr
    tip, = load_ruleset([MINI, extra], cache=False).data["tips"]
    assert (tip["id"], tip["step"], tip["until"], tip["level"], tip["share"]) == (
        "tip.first", "repay_now", "2027-03-31", "high", "0.5")
    assert tip["text"]["en"] == "Repay the most urgent first." and tip["when"] == ["all", [["cmp", "overdue_days", "gte", 1]]]


def test_a_section_declared_in_the_spec_alone_is_checked_at_its_own_lines(tips, tmp_path):
    result, _ = _check(tmp_path, BAD)
    assert result.exit_code == 3
    err = result.stderr
    assert 'tips.yaml:4:5: tip.bad: unknown step "repay_nwo" (did you mean "repay_now"?)' in err
    assert 'tips.yaml:5:5: tip.bad: "until" must be a date like 2026-03-31' in err
    assert 'tips.yaml:6:5: tip.bad: level must be one of low, high' in err
    assert "tips.yaml:7:5: tip.bad: share must be a number above 0 and at most 1" in err
    assert 'tips.yaml:8:5: tip.bad: unknown key "colour"' in err


def test_a_section_declared_in_the_spec_alone_is_in_the_schema(tips):
    jsonschema = pytest.importorskip("jsonschema")
    schema = build()
    item = schema["properties"]["tips"]["items"]
    assert item["required"] == ["id", "text", "step"]
    assert item["properties"]["until"]["format"] == "date" and item["properties"]["level"]["enum"] == ["low", "high"]
    assert item["properties"]["step"]["description"] == "the id of a step"
    validator = jsonschema.Draft202012Validator(schema)
    import yaml

    assert not list(validator.iter_errors(json.loads(json.dumps(yaml.safe_load(GOOD), default=str))))
    bad = yaml.safe_load(BAD.replace("2027-02-30", '"2027-02-30"'))  # PyYAML cannot build a date that does not exist
    wrong = {e.path[-1] for e in validator.iter_errors(bad) if e.path}
    assert {"level", "share"} <= wrong


def test_a_key_declared_on_steps_is_checked_and_in_the_schema(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(CATALOG["steps"].keys, "review_by", DATE)
    good, _ = _check(tmp_path, "steps:\n  - {id: repay_now, override: true, review_by: 2027-01-31}\n")
    assert good.exit_code == 0, good.stderr
    bad, _ = _check(tmp_path, "steps:\n  - {id: repay_now, override: true, review_by: someday}\n")
    assert bad.exit_code == 3
    assert 'tips.yaml:2:37: repay_now: "review_by" must be a date like 2026-03-31' in bad.stderr
    assert build()["properties"]["steps"]["items"]["properties"]["review_by"]["format"] == "date"
