"""An organisation's layer on top of the built-in rules: only what changes is written, entry by entry,
and a mistake is named once, at its own line. Through the CLI, as a counsellor's office uses it."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT
from typer.testing import CliRunner

from advisor import cli
from advisor.ruleset import load_ruleset

OFFICE = str(ROOT / "examples" / "our-office.yaml")
STACK = ["--rules", "builtin", "--rules", OFFICE]
CASE = ["-d", "30", "-a", "5000", "-n", "none", "--as-of", "2026-11-22"]


def run(args: list[str]):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False)


def layer(tmp_path: Path, text: str, name: str = "ours.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def steps(args: list[str]) -> dict[str, dict[str, str]]:
    result = run(["assess", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return {s["id"]: s for s in json.loads(result.stdout)["steps"]}


def test_the_readme_layer_is_clean_and_its_examples_pass():
    result = run(["rules", "check", "builtin", OFFICE, "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["problems"] == []
    ran = {e["rule"]: e for e in report["examples"]}
    assert ran["office.hotline"]["passed"] and ran["office.hotline"]["file"] == "our-office.yaml"
    assert "steps.regulator-complaint" not in ran  # switched off: its examples no longer run
    assert report["rules"] == len(load_ruleset().rules)  # one rule added, one switched off


def test_the_layer_adds_a_step_for_every_case_changes_one_text_and_drops_one_rule():
    builtin = load_ruleset()
    for platform in ("花呗", "microloan", "credit_card"):
        plain, ours = steps(["-p", platform, *CASE]), steps([*STACK, "-p", platform, *CASE])
        assert "call_our_office" in ours and "call_our_office" not in plain
        assert ours["call_our_office"]["urgency"] == "now"
        # the disabled rule was the only one giving this step in these cases
        assert "complain_regulator" in plain and "complain_regulator" not in ours
    many = ["-p", "花呗", *CASE, "--other-debts", "3"]
    plain, ours = steps(many), steps([*STACK, *many])
    assert ours["seek_legal_aid"]["text"] != plain["seek_legal_aid"]["text"]
    assert "本中心" in ours["seek_legal_aid"]["text"]
    # the override stated only the text: the urgency is the built-in one
    assert ours["seek_legal_aid"]["urgency"] == builtin.steps["seek_legal_aid"]["urgency"]
    english = steps([*STACK, *many, "--lang", "en"])
    assert "our office" in english["seek_legal_aid"]["text"]


def test_one_alias_is_added_and_every_built_in_choice_and_alias_stays():
    builtin = {c["id"]: c for c in load_ruleset().choices("platform")}
    result = run(["questions", "--json", *STACK])
    assert result.exit_code == 0, result.stderr
    platform = next(f for f in json.loads(result.stdout) if f["id"] == "platform")
    ours = {c["id"]: c for c in platform["choices"]}
    assert list(ours) == list(builtin)
    for cid, choice in builtin.items():
        assert set(choice["aliases"]) <= set(ours[cid]["aliases"])
    assert {"花贝", "借贝"} <= set(ours["internet_platform"]["aliases"])
    assert ours["internet_platform"]["label"] == builtin["internet_platform"]["label"]
    plain = run(["assess", "-p", "花贝", *CASE, "--no-input"])
    assert plain.exit_code == 2  # the built-in set alone does not know the local name
    with_layer = run(["assess", *STACK, "-p", "花贝", *CASE, "--format", "json"])
    assert json.loads(with_layer.stdout)["case"]["platform"] == "internet_platform"


def test_a_new_choice_is_added_at_the_end_and_needs_a_label(tmp_path):
    new = layer(tmp_path, "fields:\n  platform:\n    override: true\n    choices:\n"
                "      - {id: pawnshop, label: {zh: 典当行, en: Pawnshop}, aliases: [当铺]}\n")
    ids = [c["id"] for c in load_ruleset(["builtin", new]).choices("platform")]
    assert ids[-1] == "pawnshop" and ids[:-1] == [c["id"] for c in load_ruleset().choices("platform")]
    unlabelled = layer(tmp_path, "fields:\n  platform:\n    override: true\n    choices:\n"
                       "      - {id: pawnshop, aliases: [当铺]}\n", "bad.yaml")
    result = run(["rules", "check", "builtin", unlabelled])
    assert result.exit_code == 3
    assert 'bad.yaml:5:9: -: "label" is missing' in result.stderr


def test_restating_a_field_without_override_names_both_places(tmp_path):
    again = layer(tmp_path, "fields:\n  platform:\n    choices:\n      - {id: internet_platform, aliases: [花贝]}\n")
    result = run(["rules", "check", "builtin", again])
    assert result.exit_code == 3
    assert 'ours.yaml:2:3: -: field "platform" is already defined at rules/catalog/fields.yaml:' in result.stderr
    assert "override: true" in result.stderr


def test_rules_list_and_show_take_rules_as_assess_does():
    listed = run(["rules", "list", *STACK, "--json"])
    assert listed.exit_code == 0, listed.stderr
    ids = [r["id"] for r in json.loads(listed.stdout)]
    assert "office.hotline" in ids and "steps.regulator-complaint" not in ids
    shown = run(["rules", "show", "office.hotline", *STACK, "--lang", "en"])
    assert shown.exit_code == 0, shown.stderr
    assert "call_our_office" in shown.stdout and "our-office.yaml:" in shown.stdout
    # the same set given as arguments
    assert run(["rules", "list", "builtin", OFFICE, "--json"]).stdout == listed.stdout


def test_a_layer_given_without_builtin_gets_one_hint():
    for args in (["rules", "check", OFFICE], ["rules", "list", "--rules", OFFICE],
                 ["assess", "--rules", OFFICE, "-p", "花呗", *CASE]):
        result = run(args)
        assert result.exit_code == 3, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "add `builtin` before it" in lines[0] and "our-office.yaml" in lines[0]


def test_the_hint_keeps_the_layers_own_mistakes(tmp_path):
    text = Path(OFFICE).read_text(encoding="utf-8").replace("urgency: now", "urgency: today")
    broken = layer(tmp_path, text)
    result = run(["rules", "check", broken])
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert "add `builtin` before it" in lines[0]
    assert len(lines) == 2 and "urgency must be one of" in lines[1] and "ours.yaml:" in lines[1]


def test_a_set_of_its_own_gets_no_hint(tmp_path):
    # a layer on the test's own small set: stacking it on the built-in one would not help
    mini = str(ROOT / "tests" / "fixtures" / "mini")
    bad = layer(tmp_path, "steps: [{id: s, urgency: today, text: {zh: 一, en: one}}]\n")
    result = run(["rules", "check", mini, bad])
    assert result.exit_code == 3
    assert "builtin" not in result.stderr and "urgency must be one of" in result.stderr


def test_every_disable_error_points_at_its_own_item(tmp_path):
    text = "# our switches\ndisable:\n  - steps.regulator-complaint\n  - steps.regulator-complain\n"
    result = run(["rules", "check", "builtin", layer(tmp_path, text)])
    assert result.exit_code == 3
    assert result.stderr.startswith('advisor: ours.yaml:4:5: steps.regulator-complain: cannot disable '
                                    '"steps.regulator-complain": no such rule')
    inline = run(["rules", "check", "builtin", layer(tmp_path, "disable: [steps.baseline, nope]\n", "inline.yaml")])
    assert "inline.yaml:1:27: nope: cannot disable" in inline.stderr
