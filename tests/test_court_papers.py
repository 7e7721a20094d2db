"""Which court paper a person holds, and what follows from it (review of 2026-11-30): a payment order
and an arbitration are not lawsuits; a kept agreement answers the fear of a home visit; the English
keeps the Chinese hedges; the card's personalised-plan rule is cited for cards only. Each case through
a user's door: the CLI, the batch command, the letter."""

from __future__ import annotations

import pytest
from conftest import assess_json, shown_ids

# ---------------------------------------------------------------- card_rules_70 for cards only


@pytest.mark.parametrize("args", [
    ["-d", "60", "-a", "2万", "-p", "分期乐", "-n", "未协商"],
    ["-d", "200", "-a", "4万", "-p", "网商贷", "-n", "被拒了"],
    ["-d", "300", "-a", "5万", "-p", "信用卡", "-n", "未协商", "--legal-status", "失信"],
    ["-d", "300", "-a", "5万", "-p", "信用卡", "-n", "未协商", "--legal-status", "失信", "--hardship", "生病",
     "--income", "3000", "--expenses", "3000"],
])
def test_the_card_instalment_rule_is_not_cited_where_it_does_not_apply(args):
    assert "card_rules_70" not in shown_ids(assess_json(*args))


def test_the_card_instalment_rule_is_still_cited_for_a_card_in_collection():
    record = assess_json("-d", "60", "-a", "2万", "-p", "信用卡", "-n", "未协商")
    assert {"card_rules_70", "ask_card_installment", "stop_interest_reality"} <= shown_ids(record)
