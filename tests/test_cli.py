"""The command line as people and scripts use it: flags, prompts, formats, streams and exit codes."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from advisor import cli
from advisor.models import CREDIT_LEVELS, REPORTING, SEVERITIES, STAGES, URGENCIES

FLAGS = ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "none"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, args: list[str], **kw):
    return runner.invoke(cli.app, args, catch_exceptions=False, **kw)


def test_json_follows_the_contract(runner):
    result = run(runner, ["assess", *FLAGS, "--format", "json", "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["case"] == {"id": None, "overdue_days": 45, "amount": "5000.00",
                            "platform": "internet_platform", "product": "花呗", "negotiation": "none"}
    assert data["stage"] == "collection"
    assert data["severity"] in SEVERITIES
    assert data["credit_impact"]["level"] in CREDIT_LEVELS
    assert data["credit_impact"]["reporting"] in REPORTING
    assert data["credit_impact"]["summary"]
    assert data["as_of"] == "2026-11-22" and data["language"] == "zh"
    assert "12348" in data["disclaimer"]
    for key in ("consequences", "steps", "references"):
        ids = [item["id"] for item in data[key]]
        assert ids and len(ids) == len(set(ids)), key
    ranks = [URGENCIES.index(s["urgency"]) for s in data["steps"]]
    assert ranks == sorted(ranks), "steps are most urgent first"
    assert all({"id", "title", "text", "verbatim"} <= set(r) for r in data["references"])
    assert data["rules_fired"]


def test_no_tty_and_missing_answers_names_every_flag(runner):
    result = run(runner, ["assess", "-d", "45"])
    assert result.exit_code == 2
    assert result.stdout == ""
    for flag in ("--amount", "--platform", "--negotiation"):
        assert flag in result.stderr
    assert "--days" not in result.stderr
    assert "Traceback" not in result.stderr


def test_bare_command_without_terminal_is_a_usage_error(runner):
    result = run(runner, [])
    assert result.exit_code == 2
    assert "--days" in result.stderr


@pytest.mark.parametrize(
    ("args", "flag"),
    [(["-d", "abc"], "--days"), (["-a", "-3"], "--amount"), (["-a", "nan"], "--amount"),
     (["-p", "蚂蚁森林"], "--platform"), (["-n", "maybe"], "--negotiation")],
)
def test_bad_flag_value_is_exit_2_saying_what_is_accepted(runner, args, flag):
    base = dict(zip(FLAGS[::2], FLAGS[1::2]))
    base.update(dict(zip(args[::2], args[1::2])))
    argv = ["assess", *[x for kv in base.items() for x in kv], "--format", "json"]
    result = run(runner, argv)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert flag in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["--format", "xml"], ["--lang", "fr"], ["--as-of", "yesterday"],
                                  ["--save", "report.pdf"], ["--bogus"]])
def test_bad_options_are_usage_errors(runner, args):
    result = run(runner, ["assess", *FLAGS, *args])
    assert result.exit_code == 2
    assert "Traceback" not in (result.stderr + result.stdout)


def test_invalid_rule_set_is_exit_3_with_file_line_and_rule(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x.one\n    whne: {overdue_days: 1}\n    set: {severity: low}\n", encoding="utf-8")
    result = run(runner, ["assess", *FLAGS, "--rules", str(bad)])
    assert result.exit_code == 3
    assert re.search(r'bad\.yaml:3:5: x\.one: unknown key "whne" in the rule \(did you mean "when"\?\)',
                     result.stderr), result.stderr


def test_prompts_ask_again_after_a_bad_answer(runner, monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_tty", lambda: True)
    result = run(runner, ["assess", "--format", "json", "--quick"], input="abc\n45天\n3万\n花呗\n未协商\n")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["case"]["overdue_days"] == 45 and data["case"]["amount"] == "30000.00"
    assert data["case"]["platform"] == "internet_platform"
    # the question, why it is asked, the reason for refusing "abc", and the choices with Chinese labels
    assert "abc" in result.stderr and result.stderr.count("逾期") >= 2
    assert "互联网平台信贷产品" in result.stderr and "未协商" in result.stderr


def test_prompts_only_for_what_is_missing(runner, monkeypatch, rules):
    monkeypatch.setattr(cli, "stdin_is_tty", lambda: True)
    result = run(runner, ["assess", "-d", "3", "-a", "800", "--format", "json", "--quick"], input="2\n1\n")
    assert result.exit_code == 0, result.stderr
    assert rules.fields["overdue_days"]["question"]["zh"] not in result.stderr
    assert json.loads(result.stdout)["case"]["platform"] == rules.choices("platform")[1]["id"]


def test_no_input_never_prompts(runner, monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_tty", lambda: True)
    result = run(runner, ["assess", "-d", "3", "--no-input"], input="1\n")
    assert result.exit_code == 2
    assert "--amount" in result.stderr


def test_input_ending_mid_interview_is_a_clean_error(runner, monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_tty", lambda: True)
    result = run(runner, ["assess"], input="45\n")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_rich_report_has_every_part_and_fits_80_columns(runner, rules):
    # The whole report is --full now; the default is the short one (tests/test_budgets.py).
    result = run(runner, ["assess", *FLAGS, "--as-of", "2026-11-22", "--full"], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "\x1b[" not in out, "NO_COLOR: no escape codes"
    from rich.cells import cell_len

    assert max(cell_len(line) for line in out.splitlines()) <= 80
    for key in ("timeline", "credit_impact", "consequences", "steps", "references", "you_are_here"):
        assert rules.text(key, "zh") in out, key
    assert rules.label("stage", "collection", "zh") in out
    assert "12348" in out
    assert re.search(r"^\s*1\. ", out, re.M), "steps are numbered"


def test_english_report(runner, rules):
    result = run(runner, ["assess", *FLAGS, "--lang", "en", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["language"] == "en"
    assert all(re.search(r"[A-Za-z]", s["text"]) for s in data["steps"])
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(s["text"] for s in data["steps"]))
    assert all("translation" in r for r in data["references"] if r["verbatim"])
    rich_en = run(runner, ["assess", *FLAGS, "--lang", "en"])
    assert rules.text("short_steps", "en") in rich_en.stdout
    assert rules.label("urgency", "now", "en") in rich_en.stdout


def test_lang_from_environment(runner):
    result = run(runner, ["assess", *FLAGS, "--format", "json"], env={"ADVISOR_LANG": "en"})
    assert json.loads(result.stdout)["language"] == "en"


def test_explain_shows_conditions_with_actual_values(runner):
    result = run(runner, ["assess", *FLAGS, "--explain"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "✓" in result.stdout and "(= 45)" in result.stdout
    data = json.loads(run(runner, ["assess", *FLAGS, "--explain", "--format", "json"]).stdout)
    assert [e["rule"] for e in data["explain"]] == data["rules_fired"]
    cond = data["explain"][0]["conditions"][0]
    assert {"field", "op", "expected", "actual", "result"} <= set(cond)


def test_markdown_report(runner, rules):
    result = run(runner, ["assess", *FLAGS, "--format", "markdown"])
    assert result.exit_code == 0
    md = result.stdout
    assert md.startswith("# ")
    assert f"## {rules.text('steps', 'zh')}" in md and "\n1. " in md
    assert "> " in md and "12348" in md


def test_save_exports_the_report(runner, tmp_path):
    target = tmp_path / "report.html"
    result = run(runner, ["assess", *FLAGS, "--save", str(target)])
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "<html" in text.lower()
    assert "12348" in text
    assert str(target) in result.stderr


def test_save_to_an_unwritable_place(runner, tmp_path):
    result = run(runner, ["assess", *FLAGS, "--save", str(tmp_path / "no" / "such" / "r.html")])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def _command_paths(command, prefix=()):
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*prefix, name))


def test_version_and_every_command_has_help(runner):
    import typer.main

    from advisor import __version__

    assert __version__ in run(runner, ["--version"]).stdout
    paths = list(_command_paths(typer.main.get_command(cli.app)))
    assert ("assess",) in paths and ("rules", "check") in paths
    for path in paths:
        result = run(runner, [*path, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout, path
        command = typer.main.get_command(cli.app)
        for name in path:
            command = command.commands[name]
        assert command.help, f"{path} has no help text"


def test_assess_help_lists_the_four_questions(runner):
    out = run(runner, ["assess", "--help"], env={"COLUMNS": "200"}).stdout
    for flag in ("--days", "--amount", "--platform", "--negotiation", "--format", "--lang", "--rules",
                 "--explain", "--as-of", "--no-input", "--save"):
        assert flag in out


@pytest.mark.parametrize("command, option", [
    (["assess", "-d", "1", "-a", "1", "-p", "bank_loan", "-n", "none"], "--format"),
    (["batch", "{file}"], "--output-format"),
    (["batch", "{file}"], "--input-format"),
], ids=["assess --format", "batch --output-format", "batch --input-format"])
def test_the_help_of_a_format_option_names_every_format_it_accepts(runner, tmp_path, command, option):
    # What is accepted is what the refusal of an unknown name lists; the help must name each of them.
    rows = tmp_path / "rows.csv"
    rows.write_text("逾期天数,金额\n", encoding="utf-8")
    command = [part.replace("{file}", str(rows)) for part in command]
    refused = run(runner, [*command, option, "nope", "--lang", "en"])
    assert refused.exit_code == 2, refused.stderr
    accepted = refused.stderr.rpartition("is not one of:")[2].split(",")
    assert len(accepted) >= 3, refused.stderr
    shown = " ".join(run(runner, [command[0], "--help"], env={"COLUMNS": "300"}).stdout.split())
    line = next(part for part in shown.split("│") if option in part)
    for name in accepted:
        assert name.strip() in line, (option, name, line)


def test_stage_ids_in_output_are_known(runner):
    for days in ("0", "2", "10", "60", "200"):
        data = json.loads(run(runner, ["assess", "-d", days, "-a", "1000", "-p", "1", "-n", "1",
                                       "--format", "json"]).stdout)
        assert data["stage"] in STAGES


def test_rules_check_builtin(runner):
    result = run(runner, ["rules", "check"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_rules_check_reports_every_problem(runner, tmp_path):
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "a.yaml").write_text(
        "rules:\n"
        "  - id: a.one\n"
        "    when: {overdue_days: {gtee: 3}}\n"
        "    set: {severity: hihg}\n"
        "    steps: [repay_nwo]\n"
        "    examples:\n"
        "      - case: {overdue_days: 5, amount: 100, platform: bank_loan, negotiation: none}\n"
        "  - id: a.two\n"
        "    when: {platform: bank_loan}\n"
        "    set: {severity: low}\n",
        encoding="utf-8",
    )
    result = run(runner, ["rules", "check", str(FIXTURE_MINI), str(bad)])
    assert result.exit_code == 3
    err = result.stderr
    assert 'rules/a.yaml:3:27: a.one: unknown operator "gtee" for overdue_days (did you mean "gte"?)' in err
    assert 'rules/a.yaml:4:11: a.one: severity "hihg" is not one of' in err and 'did you mean "high"' in err
    assert 'rules/a.yaml:5:5: a.one: unknown step "repay_nwo" (did you mean "repay_now"?)' in err
    assert 'rules/a.yaml:8:5: a.two: every rule needs "examples"' in err


def test_rules_check_runs_examples(runner, tmp_path):
    layer = tmp_path / "extra.yaml"
    layer.write_text(
        "rules:\n"
        "  - id: extra.wrong\n"
        "    when: {overdue_days: {gte: 100}}\n"
        "    set: {severity: high}\n"
        "    examples:\n"
        "      - case: {overdue_days: 5, amount: 100, platform: bank_loan, negotiation: none}\n"
        "      - case: {overdue_days: 500, amount: 100, platform: bank_loan, negotiation: none}\n"
        "        expect: {severity: critical}\n",
        encoding="utf-8",
    )
    result = run(runner, ["rules", "check", str(FIXTURE_MINI), str(layer)])
    assert result.exit_code == 3
    assert "extra.yaml:6:9: extra.wrong: example does not fire the rule" in result.stderr
    assert "extra.yaml:7:9: extra.wrong: expected severity critical, got high" in result.stderr


from conftest import FIXTURES  # noqa: E402

FIXTURE_MINI = FIXTURES / "mini"


def test_the_help_of_a_choice_flag_names_every_choice_the_rules_have(runner, rules):
    # The choices are rule data; the help is written in fields.py so --help need not load the rules. Before,
    # --concerns' help named seven worries while the rules had nine.
    from advisor.fields import FIELDS

    for field in FIELDS:
        if field.kind not in ("choice", "choices") or field.id == "platform":  # lenders: ids plus product names
            continue
        named = re.sub(r"\(.*?\)", "", field.help.rpartition(":")[2])  # "(or 未协商…)": other forms
        listed = {word.strip(" .") for word in named.split(",")}
        assert listed == {c["id"] for c in rules.choices(field.id)}, field.id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_answers_file_that_cannot_be_read_is_said_in_the_persons_words(runner: CliRunner, tmp_path, lang):
    # Before: "[Errno 21] Is a directory: 'adir'" and "'utf-8' codec can't decode byte 0xff in position 0".
    (tmp_path / "adir").mkdir()
    (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe\x00")
    for name in ("adir", "bad.yaml"):
        result = run(runner, ["assess", "--answers", str(tmp_path / name), "--no-input", "--lang", lang])
        assert result.exit_code == 2
        assert "Errno" not in result.stderr and "codec" not in result.stderr and "Traceback" not in result.stderr
    assert "UTF-8" in result.stderr
