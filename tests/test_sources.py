"""Every fact names where it was read and when: `rules check` fails on a fact without `source` or
`checked`, and warns on one checked more than a year before the day it checks for."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES
from typer.testing import CliRunner

from advisor import cli

MINI = str(FIXTURES / "mini")
CASE = "{overdue_days: 5, amount: 100, platform: bank_loan, negotiation: none}"
SOURCE = '"https://github.com/LawRefBook/Laws/blob/master/民法典/合同编.md"'


def run(args: list[str]):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


def layer(tmp_path: Path, text: str) -> str:
    path = tmp_path / "layer.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_fact_without_source_fails_naming_its_line(tmp_path):
    extra = layer(tmp_path, f"""\
steps:
  - id: sourced
    source: {SOURCE}
    checked: 2026-11-29
    urgency: soon
    text: {{zh: 先还一部分。, en: Pay part first.}}
  - id: unsourced
    urgency: soon
    text: {{zh: 再还一部分。, en: Pay more later.}}
consequences:
  - id: undated
    source: {SOURCE}
    text: {{zh: 会有逾期利息。, en: Overdue interest accrues.}}
""")
    result = run(["rules", "check", MINI, extra])
    assert result.exit_code == 3
    assert "layer.yaml:7:5: unsourced: this fact has no source and checked" in result.stderr
    assert "layer.yaml:11:5: undated: this fact has no checked" in result.stderr
    assert "缺少" in result.stderr  # the message is in both languages
    assert "sourced:" not in result.stderr.replace("unsourced:", "")
    report = json.loads(run(["rules", "check", MINI, extra, "--json"]).stdout)
    assert report["ok"] is False
    assert {(p["rule"], p["line"]) for p in report["problems"]} == {("unsourced", 7), ("undated", 11)}


def test_time_bound_rules_and_the_interest_caps_are_facts(tmp_path):
    extra = layer(tmp_path, f"""\
rules:
  - id: x.for-now
    valid_until: 2030-12-31
    when: {{overdue_days: {{gte: 1}}}}
    set: {{severity: high}}
    examples:
      - case: {CASE}
  - id: x.timeless
    when: {{overdue_days: {{gte: 1}}}}
    set: {{severity: high}}
    examples:
      - case: {CASE}
interest:
  source: {SOURCE}
  checked: 2026-11-29
  caps:
    unlicensed: {{basis: private, lpr_multiple: 4}}
  bases:
    private: {{zh: 四倍LPR, en: 4 times the LPR}}
""")
    report = json.loads(run(["rules", "check", MINI, extra, "--json"]).stdout)
    named = {p["rule"] for p in report["problems"] if p["file"] == "layer.yaml"}
    assert named == {"x.for-now", "interest.caps.unlicensed"}


def test_an_override_keeps_the_source_unless_it_changes_the_text(tmp_path):
    extra = layer(tmp_path, """\
steps:
  - id: repay_now
    override: true
    urgency: now
  - id: keep_records
    override: true
    text: {zh: 保留合同和凭证。, en: Keep the contract and receipts.}
""")
    report = json.loads(run(["rules", "check", MINI, extra, "--json"]).stdout)
    assert [p["rule"] for p in report["problems"]] == ["keep_records"]


def test_a_fact_checked_over_a_year_ago_warns_and_still_passes(tmp_path):
    extra = layer(tmp_path, f"""\
steps:
  - id: old_news
    source: {SOURCE}
    checked: 2024-01-15
    urgency: soon
    text: {{zh: 先还一部分。, en: Pay part first.}}
  - id: quoted_date
    source: {SOURCE}
    checked: "2025-01-01"
    urgency: soon
    text: {{zh: 再还一部分。, en: Pay more later.}}
""")
    result = run(["rules", "check", MINI, extra, "--as-of", "2025-01-10"])
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr  # less than a year before the day checked for
    result = run(["rules", "check", MINI, extra, "--as-of", "2025-03-01"])
    assert result.exit_code == 0, result.stderr
    assert "warning: " in result.stderr and "layer.yaml:2:5: old_news:" in result.stderr
    assert "last checked on 2024-01-15" in result.stderr
    report = json.loads(run(["rules", "check", MINI, extra, "--as-of", "2025-03-01", "--json"]).stdout)
    assert report["ok"] is True
    assert [(w["rule"], w["line"]) for w in report["warnings"]] == [("old_news", 2)]


def test_the_builtin_set_names_a_source_for_every_fact():
    report = json.loads(run(["rules", "check", "--json"]).stdout)
    assert report["ok"] is True, report["problems"][:3]
    # Within a year of the day the sources were compared, none is stale.
    report = json.loads(run(["rules", "check", "--json", "--as-of", "2026-11-30"]).stdout)
    assert report["warnings"] == []


def test_a_source_must_be_something_a_reader_can_open_again(tmp_path):
    """A web address, a file of the statute mirror, or a note of this rule set that exists; never a path
    outside the repository (the team's fact sheet was cited that way)."""
    readable = ['"https://github.com/LawRefBook/Laws/blob/2f4c5c2/民法典/合同编.md"',
                '"LawRefBook/Laws/民法典/总则.md"', '"LawRefBook/Laws 民法典/总则.md"',
                '"http://www.example.org/news?id=1"', '"rules/SOURCES.md#advice"', '"rules/SOURCES.md"']
    unreadable = ['"../shared/domain/FACTS.md"', '"shared/domain/FACTS.md §11"', '"/home/someone/notes.md"',
                  '"GitHub code index, file id 70159875079"', '"someone/else/law.md"', '"rules/SOURCES.md#no-such-note"',
                  '"rules/../README.md"', '"rules/missing.md"', '"LawRefBook/Laws 民法典/总则.md (第一百八十八条)"',
                  '"https://"']
    entries = "".join(f"""\
  - id: step_{n}
    source: {source}
    checked: 2026-11-29
    urgency: soon
    text: {{zh: 第{n}步。, en: Step {n}.}}
""" for n, source in enumerate(readable + unreadable))
    extra = layer(tmp_path, f"""\
steps:
{entries}\
  - id: listed
    source: ["https://example.org/a", "domain/FACTS.md §8.3"]
    checked: 2026-11-29
    urgency: soon
    text: {{zh: 列表。, en: A list.}}
""")
    result = run(["rules", "check", MINI, extra])
    assert result.exit_code == 3
    report = json.loads(run(["rules", "check", MINI, extra, "--json"]).stdout)
    refused = {p["rule"]: p for p in report["problems"] if "open again" in p["message"]}
    assert set(refused) == {f"step_{n}" for n in range(len(readable), len(readable) + len(unreadable))} | {"listed"}
    # Located at the source line, and said in both languages.
    assert refused["step_6"]["line"] == 6 * 5 + 3 and "读者无法再次打开" in refused["step_6"]["message"]
    assert '"domain/FACTS.md §8.3"' in refused["listed"]["message"]


def test_a_source_anywhere_in_a_file_is_checked_not_only_on_facts(tmp_path):
    # A product names its lender only where a source says so: that source must be readable too.
    extra = layer(tmp_path, """\
products:
  - id: made_up_pay
    source: "domain/FACTS.md §8.3 (lent by a bank)"
    checked: 2026-11-29
    names: [随便付]
    platform: bank_loan
    lender: see_contract
""")
    report = json.loads(run(["rules", "check", MINI, extra, "--json"]).stdout)
    assert [(p["rule"], p["line"]) for p in report["problems"]] == [("made_up_pay", 3)]


def test_the_builtin_sources_are_readable_and_verbatim_texts_name_the_mirror_file():
    from advisor.facts import MIRRORS, readable_source
    from advisor.rulefiles import read_source, read_yaml, rule_files
    from advisor.ruleset import builtin_rules_dir
    from advisor.rulespec import META

    def sources(node):
        if isinstance(node, dict):
            if "source" in node:
                yield node, node["source"] if isinstance(node["source"], list) else [node["source"]]
            for key, value in node.items():
                if key not in META:  # the loader's line numbers
                    yield from sources(value)
        elif isinstance(node, list):
            for item in node:
                yield from sources(item)

    seen = verbatim = 0
    for path, label in rule_files([builtin_rules_dir()]):
        for node, given in sources(read_yaml(label, read_source(path, label), [])):
            seen += len(given)
            assert all(readable_source(s) for s in given), (label, node.get("id"), given)
            if node.get("verbatim") is True:
                verbatim += 1
                assert any(m in s and s.endswith(".md") for s in given for m in MIRRORS), (label, node["id"])
    assert seen > 300 and verbatim > 50
