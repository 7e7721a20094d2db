"""The extended answers through every door: parsers, engine semantics, flags, answer files, letters."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from advisor import cli
from advisor.engine import evaluate
from advisor.errors import CaseError
from advisor.parsing import build_case, parse_answer
from advisor.ruleset import load_ruleset

CORE = ["-d", "45", "-a", "2万", "-p", "银行", "-n", "none"]


def run(args, **kw):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False, **kw)


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        ("apr", "36", Decimal("36")), ("apr", "36%", Decimal("36")), ("apr", "年化23.9%", Decimal("23.9")),
        ("apr", "３６％", Decimal("36")), ("apr", 18.25, Decimal("18.25")), ("lpr", "3.45", Decimal("3.45")),
        ("contract_date", "2024-03-01", date(2024, 3, 1)), ("contract_date", "2024/3/1", date(2024, 3, 1)),
        ("repaid_on", "2025年5月20日", date(2025, 5, 20)),
        ("monthly_income", "0", Decimal("0.00")), ("monthly_income", "1.2万", Decimal("12000.00")),
        ("monthly_expenses", "4,500元", Decimal("4500.00")),
        ("other_debts", "3", 3), ("other_debts", "3笔", 3), ("other_debts", 0, 0),
        ("collection", "threats, night_calls", frozenset({"threats", "night_calls"})),
        ("collection", ["threats", "threats"], frozenset({"threats"})),
        ("collection", "爆通讯录、恐吓", frozenset({"contacts_third_parties", "threats"})),
        ("legal_status", "传票", "sued"), ("legal_status", "judgment", "judgment"),
        ("hardship", "失业", "unemployment"),
        ("apr", "", None), ("collection", "  ", None), ("legal_status", None, None), ("other_debts", [], None),
    ],
)
def test_extended_parsers(rules, field, raw, value):
    assert parse_answer(field, raw, rules) == value


@pytest.mark.parametrize(
    ("field", "raw"),
    [("apr", "abc"), ("apr", "0"), ("apr", "-5"), ("apr", "20000"), ("apr", "nan"), ("contract_date", "2024-02-30"),
     ("contract_date", "soon"), ("monthly_income", "-1"), ("monthly_expenses", "lots"), ("other_debts", "-1"),
     ("other_debts", "1.5"), ("other_debts", "1001"), ("collection", "threats, aliens"), ("legal_status", "maybe"),
     ("hardship", "bored"), ("repaid_on", "yesterday")],
)
def test_extended_parsers_reject_with_the_field(rules, field, raw):
    with pytest.raises(CaseError) as err:
        parse_answer(field, raw, rules)
    assert err.value.field == field and err.value.message


# ---------------------------------------------------------------- the engine: unknown and several answers


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe")
    (folder / "probe.yaml").write_text("""\
fields:
  collection:
    question: {zh: 催收方式？, en: "How?"}
    why: {zh: 判断是否违规, en: to judge conduct}
    choices:
      - {id: normal, label: {zh: 正常, en: normal}}
      - {id: threats, label: {zh: 威胁, en: threats}}
      - {id: night_calls, label: {zh: 夜间电话, en: night calls}}
rules:
  - id: probe.threats
    when: {collection: threats}
    set: {severity: critical}
    examples: [{case: {overdue_days: 1, amount: 1, platform: bank_loan, negotiation: none, collection: [threats]}}]
  - id: probe.any-abuse
    when: {collection: [threats, night_calls]}
    steps: [repay_now]
    examples: [{case: {overdue_days: 1, amount: 1, platform: bank_loan, negotiation: none, collection: night_calls}}]
  - id: probe.not-threats
    when: {collection: {ne: threats}}
    steps: [keep_records]
    examples: [{case: {overdue_days: 1, amount: 1, platform: bank_loan, negotiation: none, collection: normal}}]
  - id: probe.not-said
    when: {not: {collection: threats}}
    set: {credit_level: minor}
    examples: [{case: {overdue_days: 1, amount: 1, platform: bank_loan, negotiation: none}}]
  - id: probe.expensive
    when: {interest_exceeds: true}
    set: {reporting: unlikely}
    examples: [{case: {overdue_days: 1, amount: 1, platform: bank_loan, negotiation: none, apr: 30}}]
""", encoding="utf-8")
    return load_ruleset([FIXTURES / "mini", folder])


def fired(rules, **answers):
    base = {"overdue_days": 5, "amount": 100, "platform": "bank_loan", "negotiation": "none"}
    case = build_case({**base, **answers}, rules)
    return set(evaluate(case, rules, date(2026, 11, 22)).rules_fired)


def test_several_answers_and_unknown_answers(probe):
    assert {"probe.threats", "probe.any-abuse"} <= fired(probe, collection="threats,normal")
    assert "probe.not-threats" not in fired(probe, collection="threats,normal")
    assert {"probe.not-threats", "probe.any-abuse"} <= fired(probe, collection="night_calls")
    unknown = fired(probe)
    assert not unknown & {"probe.threats", "probe.any-abuse", "probe.not-threats"}, "unknown never fires a test"
    assert "probe.not-said" in unknown, "but `not` of an unknown holds"


def test_a_rule_set_without_interest_data_has_no_interest_check(probe):
    assert "probe.expensive" not in fired(probe, apr="30")


# ---------------------------------------------------------------- the command line


def test_extended_flags_reach_the_json(rules):
    result = run(["assess", *CORE, "--legal-status", "传票", "--collection", "爆通讯录", "--collection", "threats",
                  "--hardship", "失业", "--apr", "30%", "--income", "8000", "--expenses", "6000",
                  "--repaid-on", "2026-01-10", "--other-debts", "2", "--format", "json", "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["case"]["legal_status"] == "sued"
    assert data["case"]["collection"] == ["contacts_third_parties", "threats"]
    assert data["stage"] == "litigation"
    assert data["interest_check"]["exceeds"] is True and data["interest_check"]["cap"] == "24"
    assert data["plan"] is None  # repaid: no plan to offer (the same answers owing still get one, below)
    assert data["credit_impact"]["retention_until"] == "2031-01-10"
    assert "2031-01-10" in data["credit_impact"]["summary"]
    owing = run(["assess", *CORE, "--income", "8000", "--expenses", "6000", "--format", "json", "--as-of", "2026-11-22"])
    plan = json.loads(owing.stdout)["plan"]
    assert plan["affordable"] is True and plan["months"] == 13


def test_collection_flag_repeats_and_commas_mix():
    result = run(["assess", *CORE, "--collection", "threats,night_calls", "--collection", "爆通讯录", "--format", "json"])
    assert json.loads(result.stdout)["case"]["collection"] == ["contacts_third_parties", "night_calls", "threats"]


def test_unknown_extended_answers_are_null_and_absent_from_the_echo():
    data = json.loads(run(["assess", *CORE, "--format", "json"]).stdout)
    assert data["interest_check"] is None and data["plan"] is None
    assert data["credit_impact"]["retention_until"] is None
    assert set(data["case"]) == {"id", "overdue_days", "amount", "platform", "negotiation"}


@pytest.mark.parametrize(("flag", "value"), [("--apr", "lots"), ("--legal-status", "jail"), ("--collection", "aliens"),
                                             ("--income", "-3"), ("--repaid-on", "2026-13-01"), ("--other-debts", "x")])
def test_bad_extended_flags_are_usage_errors_naming_the_flag(flag, value):
    result = run(["assess", *CORE, flag, value, "--format", "json"])
    assert result.exit_code == 2 and flag in result.stderr and result.stdout == ""


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_answers_file_and_saving_answers(tmp_path, suffix):
    source = tmp_path / f"in{suffix}"
    body = {"overdue_days": "45天", "amount": "2万", "platform": "花呗", "negotiation": "none", "apr": "36"}
    source.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")  # JSON is YAML too
    kept = tmp_path / f"kept{suffix}"
    result = run(["assess", "--answers", str(source), "-d", "60", "--save-answers", str(kept), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["case"]["overdue_days"] == 60, "a flag wins over the file"
    assert data["case"]["apr"] == "36"
    again = run(["assess", "--answers", str(kept), "--format", "json"])
    assert json.loads(again.stdout)["case"] == data["case"], "saved answers reproduce the case"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, kept.name]), "nothing else written"


@pytest.mark.parametrize("content", ["[1, 2]", "{colour: red}", "{apr: abc}", ": : :"])
def test_bad_answers_file_is_a_usage_error(tmp_path, content):
    source = tmp_path / "a.yaml"
    source.write_text(content, encoding="utf-8")
    result = run(["assess", "--answers", str(source), *CORE])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize(("name", "body", "said"), [
    ("a.yaml", "overdue_days: 45\namount: 3万\nplatform: 花呗\nnegotiation: none\namount: 5\n", "第 5 行：逾期金额（amount）重复给出"),
    ("a.json", '{"overdue_days": 45, "amount": "3万", "platform": "花呗", "negotiation": "none", "amount": 5}',
     "逾期金额（amount）重复给出"),
    ("h.yaml", "monthly_income: 8000\ndebts:\n  - {overdue_days: 45, amount: 3万, platform: 花呗, negotiation: none,"
     " platform: 借呗}\n", "第 3 行：机构类型（platform）重复给出"),
    ("a.yaml", "overdue_days: 45\namount: 3万\nplatform: 花呗\nnegotiation: none\n金额: 5\n", "逾期金额（amount）重复给出"),
])
def test_an_answer_given_twice_in_an_answers_file_is_refused_not_the_last_one_kept(tmp_path, name, body, said):
    # Before, YAML and JSON kept the last value in silence (amount 5.00).
    (tmp_path / name).write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["assess", "--answers", str(tmp_path / name), "--no-input", "--format", "json",
                                          "--as-of", "2026-05-01"])
    assert result.exit_code == 2 and said in result.stderr and not result.stdout


@pytest.mark.parametrize(("name", "body", "case_id"), [
    ("a.yaml", "id: X1\n逾期天数: 45\n金额: 3万\n平台: 花呗\n协商情况: 未协商\n", "X1"),
    ("a.yaml", "编号: 007\noverdue_days: 45\namount: 3万\nplatform: 花呗\nnegotiation: none\n", "007"),
    # a line of batch's JSONL input, as it is
    ("a.json", '{"id": 12, "逾期天数": 45, "金额": "3万", "平台": "花呗", "协商情况": "未协商"}', "12"),
])
def test_an_answers_file_takes_the_case_id_as_a_batch_row_gives_it(tmp_path, name, body, case_id):
    # Before, id and 编号 were refused: '未知字段“id”，你是不是想写“id”？'
    (tmp_path / name).write_text(body, encoding="utf-8")
    saved = tmp_path / "saved.yaml"
    result = run(["assess", "--answers", str(tmp_path / name), "--format", "json", "--as-of", "2026-05-01",
                  "--save-answers", str(saved)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["case"]["id"] == case_id
    again = run(["assess", "--answers", str(saved), "--format", "json", "--as-of", "2026-05-01"])
    assert json.loads(again.stdout)["case"] == json.loads(result.stdout)["case"]


def test_an_answers_file_takes_the_names_the_api_and_batch_take(tmp_path):
    by_id = {"overdue_days": "两个月", "amount": "两万块", "platform": "花呗", "negotiation": "没有", "apr": "36"}
    by_name = {"逾期天数": "两个月", "金额": "两万块", "平台": "花呗", "协商": "没有", "APR": "36"}
    records = []
    for n, body in enumerate((by_id, by_name)):
        source = tmp_path / f"{n}.yaml"
        source.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        result = run(["assess", "--answers", str(source), "--format", "json", "--as-of", "2026-11-29"])
        assert result.exit_code == 0, result.stderr
        records.append(json.loads(result.stdout))
    assert records[0] == records[1] and records[0]["case"]["apr"] == "36"


@pytest.mark.parametrize(("lang", "body", "said"), [
    ("zh", "overdue_dys: 3", "未知字段“overdue_dys”，你是不是想写“overdue_days”？"),
    ("en", "overdue_dys: 3", 'unknown field "overdue_dys" (did you mean "overdue_days"?)'),
    ("zh", "colour: red", "未知字段“colour”"),
    ("zh", "逾期天数: 3\noverdue_days: 4", "逾期天数（overdue_days）重复给出"),
    ("zh", "debts:\n  - {overdue_days: 3, amount: 1, platform: bank_loan, negotiation: none, amout: 2}",
     "第1笔欠款：未知字段“amout”，你是不是想写“amount”？"),
])
def test_a_key_of_an_answers_file_that_names_no_answer_is_named_in_the_persons_language(tmp_path, lang, body, said):
    source = tmp_path / "a.yaml"
    source.write_text(body, encoding="utf-8")
    result = run(["assess", "--answers", str(source), "--lang", lang, "--format", "json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert said in " ".join(result.stderr.split()), result.stderr
    assert "did you mean" not in result.stderr or lang == "en"


def test_missing_answers_file():
    result = run(["assess", "--answers", "/nonexistent/answers.yaml", *CORE])
    assert result.exit_code == 2 and "answers.yaml" in result.stderr


def test_quick_asks_only_the_core(monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_tty", lambda: True)
    # The four answers as flags answer at once; --ask asks the extra questions, --quick never does.
    now = run(["assess", *CORE, "--format", "json"], input="\n" * 20)
    assert now.exit_code == 0 and "> " not in now.stderr, "flags mean answer now"
    full = run(["assess", *CORE, "--format", "json", "--ask"], input="\n" * 20)
    assert full.exit_code == 0 and "> " in full.stderr, "extra questions were asked"
    quick = run(["assess", *CORE, "--format", "json", "--quick", "--ask"], input="")
    assert quick.exit_code == 0 and "> " not in quick.stderr


def test_explain_reads_a_not_as_one_true_statement(probe):
    case = build_case({"overdue_days": 5, "amount": 100, "platform": "bank_loan", "negotiation": "none"}, probe)
    fired = {f.id: f for f in evaluate(case, probe, date(2026, 11, 22), trace=True).fired}
    (trace,) = fired["probe.not-said"].conditions
    assert (trace.field, trace.op, trace.actual, trace.result) == ("collection", "not eq", None, True)
