"""The content audit's cost, lender, interest and collection cases (CONTENT-AUDIT-2026-11, items A4–A9,
A12, A14, A15, B5, B8, C3, C6 and the collection split), each run through the CLI as a user runs it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from advisor import load_ruleset
from advisor.cli import app

RUNNER = CliRunner()


def assess(*args: str, lang: str = "zh") -> dict[str, Any]:
    result = RUNNER.invoke(app, ["assess", *args, "--format", "json", "--no-input", "--lang", lang])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def ids(record: dict[str, Any], key: str) -> list[str]:
    return [item["id"] for item in record[key]]


def steps(record: dict[str, Any]) -> dict[str, str]:
    return {item["id"]: item["urgency"] for item in record["steps"]}


# ---------------------------------------------------------------- B8, A4, A5: the interest check


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_400_percent_app_loan_is_flagged_without_a_contract_date(lang):
    record = assess("-d", "20", "-a", "10000", "-p", "高炮", "-n", "none", "--apr", "400", lang=lang)
    check = record["interest_check"]
    assert check["exceeds"] is True and check["bound"] is True
    assert check["cap"] == "17", "four times the highest 1-year LPR since 2019-08-20 (4.25%)"
    assert "?" not in check["text"] and "{" not in check["text"]
    assert "contract-date" not in check["text"], "the verdict is known: no need to ask for the date"


def test_a_2019_contract_states_the_article_31_transition():
    record = assess("-d", "200", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "20",
                    "--contract-date", "2019-10-01")
    check = record["interest_check"]
    assert check["note"] == "transition_31" and "?" not in check["text"]
    assert "2020年8月19日以前的利息" in check["text"] and "起诉时本规定的利率保护标准" in check["text"]
    assert check["exceeds"] is True, "20% is above every 4×LPR line there has been"


def test_a_may_2020_contract_is_not_given_a_fixed_cap_at_contract_formation():
    # The audit's case: 15.40% was stated as the cap of a 2020-05-01 contract.
    check = assess("-d", "20", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "15",
                   "--contract-date", "2020-05-01")["interest_check"]
    assert check["cap"] is None and check["exceeds"] is None and check["note"] == "transition_31"
    assert "?" not in check["text"]


@pytest.mark.parametrize(("day", "lpr", "cap"), [("2020-09-01", "3.85", "15.40"), ("2025-06-01", "3.00", "12")])
def test_contracts_from_20_august_2020_use_four_times_the_lpr_at_formation(day, lpr, cap):
    check = assess("-d", "20", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "13",
                   "--contract-date", day)["interest_check"]
    assert (check["lpr"], check["cap"]) == (lpr, cap)


def test_the_lpr_table_starts_at_the_first_release_and_says_how_far_it_is_checked():
    table = load_ruleset().interest["lpr"]
    assert [row["from"] for row in table[:5]] == ["2019-08-20", "2019-09-20", "2019-11-20", "2020-02-20", "2020-04-20"]
    check = assess("-d", "20", "-a", "10000", "-p", "私人", "-n", "none", "--apr", "10",
                   "--contract-date", "2026-01-05")["interest_check"]
    assert check["note"] == "lpr_after_table" and "2026年3月" in check["text"]
