"""The interview: what it asks, why, in what words, and what it offers at the end."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from advisor import cli
from advisor.engine import evaluate
from advisor.interview import worth_asking
from advisor.models import Case

AS_OF = date(2026, 11, 23)
CASES = [
    {"overdue_days": 0, "amount": Decimal("3000"), "platform": "internet_platform", "negotiation": "agreed"},
    {"overdue_days": 12, "amount": Decimal("3800"), "platform": "internet_platform", "negotiation": "none"},
    {"overdue_days": 95, "amount": Decimal("62000"), "platform": "credit_card", "negotiation": "failed"},
    {"overdue_days": 400, "amount": Decimal("800"), "platform": "unlicensed", "negotiation": "breached"},
    {"overdue_days": 2, "amount": Decimal("800"), "platform": "credit_card", "negotiation": "in_progress"},
]
# Answers rules test directly; each with every value it can take (a set field: one choice at a time).
DIRECT = ("legal_status", "hardship", "collection")


def _outcome(case: Case, rules) -> tuple:
    found = evaluate(case, rules, AS_OF)
    return found[2:10]  # stage, severity, credit level, reporting, summaries, consequences, steps, references


def _values(field, rules):
    ids = [c["id"] for c in rules.choices(field)]
    return [frozenset((i,)) for i in ids] if field == "collection" else ids


@pytest.mark.parametrize("answers", CASES, ids=lambda a: f"{a['overdue_days']}d-{a['platform']}")
@pytest.mark.parametrize("field", DIRECT)
def test_a_follow_up_is_asked_exactly_when_some_answer_changes_the_outcome(rules, answers, field):
    case = Case(**answers)
    before = _outcome(case, rules)
    changes = any(_outcome(case._replace(**{field: v}), rules) != before for v in _values(field, rules))
    allowed = rules.ask_tests[field](_facts(case, rules))
    assert worth_asking(field, answers, rules, AS_OF) == (allowed and changes)


def _facts(case, rules):
    from advisor.engine import facts

    return facts(case, rules, AS_OF)


def test_the_budget_is_asked_only_when_a_plan_can_follow(rules):
    answers = {**CASES[1], "monthly_income": Decimal("6000")}
    assert worth_asking("monthly_expenses", answers, rules, AS_OF)
    assert not worth_asking("monthly_expenses", CASES[1], rules, AS_OF), "no income given: no plan to work out"


def test_the_contract_date_only_for_a_private_rate_it_can_decide(rules):
    private = {**CASES[3], "apr": Decimal("15")}
    assert worth_asking("contract_date", private, rules, AS_OF)
    # Above four times the highest LPR there has been the rate is too high whatever the date.
    assert not worth_asking("contract_date", {**CASES[3], "apr": Decimal("36")}, rules, AS_OF)
    assert not worth_asking("contract_date", CASES[3], rules, AS_OF), "no rate: the date decides nothing"
    assert not worth_asking("contract_date", {**CASES[1], "apr": Decimal("36")}, rules, AS_OF)


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_tty", lambda: True)
    return CliRunner()


def test_the_greeting_counts_what_is_left(terminal):
    result = terminal.invoke(cli.app, ["assess", "-d", "45", "--format", "json", "--quick"], input="3万\n花呗\n1\n\n")
    assert result.exit_code == 0, result.stderr
    assert "回答3个问题" in result.stderr and "之后可能再问" not in result.stderr, "--quick: no more to come"
    result = terminal.invoke(cli.app, ["assess", "--format", "json", "--lang", "en"], input="\n45\n3万\n花呗\n1\n")
    assert "First 5 questions, then maybe a few more" in result.stderr, "what you fear, then the four answers"


def test_answers_from_a_file_answer_now_too(terminal, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("overdue_days: 45\namount: 3万\nplatform: 花呗\nnegotiation: none\n", encoding="utf-8")
    result = terminal.invoke(cli.app, ["assess", "--answers", str(answers), "--format", "json"])
    assert result.exit_code == 0 and result.stderr == "", "nothing asked"
    assert json.loads(result.stdout)["case"]["overdue_days"] == 45


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_prompts_fit_the_terminal_and_keep_labels_whole(terminal, rules, lang):
    result = terminal.invoke(cli.app, ["assess", "--format", "json", "--lang", lang, "--ask"],
                             input="\n45\n3万\n花呗\n1\n" + "\n" * 20, env={"COLUMNS": "40"})  # Enter: no concern named
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert max(cell_len(line) for line in lines) <= 40
    for field in ("platform", "negotiation", "legal_status", "collection"):
        for choice in rules.choices(field):
            assert any(choice["label"]["zh"] in line for line in lines), choice["label"]["zh"]


def test_the_save_offer_asks_again_after_a_place_it_cannot_write(terminal, tmp_path, rules):
    target = tmp_path / "answers.json"
    result = terminal.invoke(cli.app, ["assess", "--quick", "--format", "json"],
                             input=f"45\n3万\n花呗\n1\n{tmp_path}/no/such/dir/a.yaml\n{target}\n")
    assert result.exit_code == 0, result.stderr
    assert "无法写入" in result.stderr and "回答已保存到" in result.stderr
    assert f"advisor letter --answers {target}" in result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["platform"] == "花呗", "the product name, as typed"


@pytest.mark.parametrize("reply", ["不用", "不", "否", "n", "no", "算了", "不保存"])
def test_no_to_the_save_offer_saves_nothing(terminal, tmp_path, monkeypatch, reply):
    """"不用" is an answer, not a file name: before, it wrote the debt's details to a file called 不用."""
    monkeypatch.chdir(tmp_path)
    result = terminal.invoke(cli.app, ["assess", "--quick", "--format", "json"], input=f"45\n3万\n花呗\n1\n{reply}\n")
    assert result.exit_code == 0, result.stderr
    assert list(tmp_path.iterdir()) == [] and "回答已保存到" not in result.stderr
    assert json.loads(result.stdout)["case"]["amount"] == "30000.00"


@pytest.mark.parametrize("reply", ["好", "对", "是", "yes", "回答", "my answers.txt"])
def test_yes_or_a_name_without_yaml_or_json_is_asked_for_a_file_name(terminal, tmp_path, monkeypatch, rules, reply):
    target = tmp_path / "回答.yaml"
    monkeypatch.chdir(tmp_path)
    result = terminal.invoke(cli.app, ["assess", "--quick", "--format", "json"],
                             input=f"45\n3万\n花呗\n1\n{reply}\n{target.name}\n")
    assert result.exit_code == 0, result.stderr
    assert rules.text("prompt_save_name", "zh") in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [target.name], "only the file named after the question"
    assert "回答已保存到 回答.yaml" in result.stderr


def test_repaid_in_full_is_asked_before_the_date(terminal, rules):
    result = terminal.invoke(cli.app, ["assess", "-d", "45", "-a", "3万", "-p", "花呗", "-n", "agreed", "--ask",
                                       "--format", "json", "--as-of", "2026-11-23"],
                             input="\n" * 3 + "是\n2026-03-15\n" + "\n" * 5)
    assert result.exit_code == 0, result.stderr
    said = result.stderr
    assert said.index(rules.text("prompt_repaid", "zh")) < said.index(rules.fields["repaid_on"]["question"]["zh"])
    assert json.loads(result.stdout)["credit_impact"]["retention_until"] == "2031-03-15"


@pytest.mark.parametrize(("reply", "date_asked"), [("否", False), ("no", False), ("\n", False), ("也许\n1", True)])
def test_the_date_is_asked_only_of_someone_who_repaid(terminal, rules, reply, date_asked):
    result = terminal.invoke(cli.app, ["assess", "-d", "45", "-a", "3万", "-p", "花呗", "-n", "agreed", "--ask",
                                       "--format", "json", "--as-of", "2026-11-23"],
                             input="\n" * 3 + reply + "\n" + "2026-03-15\n" * date_asked + "\n" * 5)
    assert result.exit_code == 0, result.stderr
    assert (rules.fields["repaid_on"]["question"]["zh"] in result.stderr) is date_asked
    if reply.startswith("也许"):
        assert rules.text("prompt_yes_no_retry", "zh") in result.stderr, "an unclear answer is asked again"


def test_a_repaid_debt_is_not_offered_a_negotiation_letter(terminal, tmp_path):
    """Saving the answers of a debt repaid in full: no "write a letter from them" hint, and the letter
    command says what a repaid debt needs instead of asking to negotiate."""
    target = tmp_path / "answers.yaml"
    result = terminal.invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "花呗", "-n", "none", "--ask",
                                       "--format", "json", "--as-of", "2026-11-23"],
                             input="\n" * 4 + "是\n2026-11-01\n\n" + f"{target}\n")
    assert result.exit_code == 0, result.stderr
    assert "回答已保存到" in result.stderr and target.exists()
    assert "advisor letter" not in result.stderr
    for args in ([], ["--script"]):
        letter = terminal.invoke(cli.app, ["letter", "--answers", str(target), *args])
        assert letter.exit_code == 0, letter.stderr
        assert "结清证明" in letter.stdout and "逾期金额" not in letter.stdout and "分期" not in letter.stdout


def test_repaid_without_a_date_is_asked_once_more_and_a_month_gets_a_day_offered(terminal):
    """"是" to "repaid in full?" then Enter: without a date the report would read as unpaid, so the date is
    asked once more; a month without its day (2026年3月) is offered a day of that month, not "not a date"."""
    result = terminal.invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "花呗", "-n", "none", "--ask",
                                       "--format", "json", "--as-of", "2026-11-23"],
                             input="\n" * 4 + "是\n\n2026年3月\n2026-03-01\n\n\n")
    assert result.exit_code == 0, result.stderr
    assert "没有还清的日期" in result.stderr and "只写到月份" in result.stderr and "2026-03-01" in result.stderr
    record = json.loads(result.stdout)
    assert record["case"]["repaid_on"] == "2026-03-01" and record["credit_impact"]["retention_until"] == "2031-03-01"
    twice = terminal.invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "花呗", "-n", "none", "--ask",
                                      "--format", "json", "--as-of", "2026-11-23"], input="\n" * 4 + "是\n\n\n\n\n")
    assert twice.exit_code == 0 and json.loads(twice.stdout)["case"].get("repaid_on") is None
    assert twice.stderr.count("没有还清的日期") == 1
