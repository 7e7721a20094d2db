"""Wrong types given to the Python API raise the documented errors, never a plain Python exception from
deep inside: an argument of the wrong kind is an ArgumentError (a UsageError, and a ValueError) naming
it; an answer that cannot be used is a CaseError naming its field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

import advisor
from advisor.errors import AdvisorError, ArgumentError, CaseError

CASE = {"overdue_days": 45, "amount": 5000, "platform": "花呗", "negotiation": "未协商"}
DAY = date(2026, 5, 1)


@pytest.mark.parametrize(("call", "named"), [
    (lambda: advisor.assess(CASE, as_of=date(1, 1, 2)), "as_of"),
    (lambda: advisor.assess(CASE, as_of=date(9999, 12, 31)), "as_of"),
    (lambda: advisor.assess_many([CASE], as_of=date(1, 1, 1)), "as_of"),
    (lambda: advisor.assess_household([CASE], as_of=date(1, 1, 2)), "as_of"),
    (lambda: advisor.assess(CASE, rules="builtin"), "rules"),
    (lambda: advisor.assess(CASE, rules=["builtin"]), "rules"),
    (lambda: advisor.parse_case(CASE, "builtin"), "rules"),
    (lambda: advisor.assess_many([CASE], rules="x"), "rules"),
    (lambda: advisor.assess_household([CASE], rules="x"), "rules"),
    (lambda: advisor.evaluate(CASE, advisor.load_ruleset(), DAY), "case"),
    (lambda: advisor.evaluate(advisor.parse_case(CASE), "builtin", DAY), "rules"),
    (lambda: advisor.assess_many(None), "rows"),
    (lambda: advisor.assess_many(5), "rows"),
    (lambda: advisor.assess_many(CASE), "rows"),  # one case, not many: not its keys taken for cases
    (lambda: advisor.assess_many("abc"), "rows"),
    (lambda: advisor.assess_household(None), "debts"),
    (lambda: advisor.assess_household([CASE], household_id=["K1"]), "household_id"),
])
def test_a_wrong_argument_is_an_argument_error_naming_it(call, named: str) -> None:
    with pytest.raises(ArgumentError) as err:
        call()
    assert isinstance(err.value, AdvisorError) and isinstance(err.value, ValueError)
    assert str(err.value).startswith(named)


def test_as_of_takes_the_days_the_cli_takes() -> None:
    assert advisor.assess(CASE, as_of=date(1900, 1, 1))["as_of"] == "1900-01-01"
    assert advisor.assess(CASE, as_of=date(2199, 12, 31))["as_of"] == "2199-12-31"


@pytest.mark.parametrize(("field", "value"), [
    ("platform", ["花呗"]),
    ("platform", ("花呗",)),
    ("platform", {"name": "花呗"}),
    ("negotiation", ["未协商"]),
    ("legal_status", ["已起诉"]),
])
def test_a_list_for_a_one_choice_answer_is_a_case_error(field: str, value: object) -> None:
    with pytest.raises(CaseError) as err:
        advisor.assess({**CASE, field: value}, as_of=DAY)
    assert err.value.field == field and "一个答案" in err.value.message
    [record] = advisor.assess_many([{**CASE, field: value}], as_of=DAY, lang="en")
    assert record["error"]["field"] == field and "one answer" in record["error"]["message"]


def test_a_list_of_concerns_is_still_read() -> None:
    assert advisor.assess({**CASE, "concerns": ["征信"]}, as_of=DAY)["concerns"] == ["credit"]


@pytest.mark.parametrize("amount", [1e308, 1e20, 1e11, -1e308])
def test_a_huge_amount_is_too_large_not_inexact(amount: float) -> None:
    with pytest.raises(CaseError) as err:
        advisor.assess({**CASE, "amount": amount}, as_of=DAY)
    assert err.value.field == "amount"
    assert "100 亿元" in err.value.message and "不够确切" not in err.value.message


def test_a_huge_amount_in_json_lines_is_too_large(tmp_path) -> None:
    from typer.testing import CliRunner

    from advisor import cli

    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({**CASE, "amount": 1e308}) + "\n", encoding="utf-8")
    done = CliRunner().invoke(cli.app, ["batch", str(path), "-q", "--lang", "en", "--as-of", "2026-05-01"])
    assert done.exit_code == 1
    message = json.loads(done.stdout)["error"]["message"]
    assert "at most 10,000,000,000" in message and "1e+308" in message, message


@pytest.mark.parametrize(("amount", "expected"), [(5000.0, "5000.00"), (1234.5, "1234.50"), (Decimal("88"), "88.00")])
def test_a_number_as_a_number_is_still_read(amount: object, expected: str) -> None:
    assert advisor.assess({**CASE, "amount": amount}, as_of=DAY)["case"]["amount"] == expected


def test_load_ruleset_takes_one_path_as_one_layer() -> None:
    assert advisor.load_ruleset("builtin").rules == advisor.load_ruleset(["builtin"]).rules
