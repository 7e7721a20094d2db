"""The engine over the situations the seed articles describe, and its own mechanics."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import FIXTURES

from advisor.engine import day_stage, evaluate
from advisor.models import REPORTING, Case
from advisor.parsing import build_case
from advisor.ruleset import load_ruleset

AS_OF = date(2026, 11, 22)


def run(rules, days, amount, platform, negotiation, as_of=AS_OF):
    case = build_case({"overdue_days": days, "amount": amount, "platform": platform, "negotiation": negotiation}, rules)
    return evaluate(case, rules, as_of)


def ids(result):
    return {*result.consequences, *(s.id for s in result.steps), *result.references}


# (what the borrower describes, answers, expected stage, ids that must appear, ids that must not)
SEEDS = [
    ("asked before the due date and kept to the new terms", (0, "3000", "花呗", "agreed"),
     "not_overdue", {"follow_agreement", "written_agreement"}, {"lawsuit", "criminal_risk", "dishonest_list"}),
    ("negotiated only after falling overdue", (20, "3000", "花呗", "agreed"),
     "early", {"credit_record", "follow_agreement", "check_credit_report"}, {"criminal_risk"}),
    ("long overdue on an online loan, no contact", (120, "2万", "借呗", "none"),
     "legal_risk", {"lawsuit", "dishonest_list", "outsourced_collection", "contact_lender", "seek_legal_aid"},
     {"criminal_risk"}),
    ("one instalment three days late", (3, "2000", "internet_platform", "none"),
     "grace", {"repay_overdue", "contact_lender"}, {"lawsuit", "dishonest_list"}),
    ("花呗 negotiation under way", (15, "8千", "花呗", "in_progress"),
     "early", {"keep_records", "keep_contact"}, set()),
    ("网商贷 two months overdue", (60, "5万", "网商贷", "none"),
     "collection", {"late_fees", "collection_contact", "credit_record", "civil_code_676"}, {"criminal_risk"}),
    ("credit card, large principal, long unpaid", (120, "6万", "信用卡", "none"),
     "legal_risk", {"criminal_risk", "criminal_law_196", "card_fraud_interp_6"}, set()),
    ("credit card, long unpaid, below the 5万 threshold", (120, "4万", "信用卡", "none"),
     "legal_risk", set(), {"criminal_risk"}),
    ("bank loan, large, long unpaid: no card-fraud risk", (120, "6万", "银行", "none"),
     "legal_risk", {"lawsuit"}, {"criminal_risk", "criminal_law_196"}),
    # A private person is not a lender: no lenders' complaint channels (content audit A13, #12).
    ("private lender", (60, "1万", "私人借款", "none"),
     "collection", {"private_lending_25", "check_private_lending_cap", "keep_iou_evidence"},
     {"report_abusive_collection", "criminal_law_293_1"}),
    ("unlicensed lender", (60, "1万", "高利贷", "none"),
     # reported to the police and regulator, not complained of to the lender itself
     "collection", {"private_lending_25", "check_interest_rate", "report_illegal_lending"}, {"report_abusive_collection"}),
    ("agreement broken", (40, "1万", "招联", "breached"),
     "collection", {"agreement_voided", "contact_lender"}, set()),
    ("lender refused to negotiate", (50, "1万", "网络小贷", "failed"),
     "collection", {"seek_legal_aid", "keep_records"}, set()),
]


@pytest.mark.parametrize(("story", "answers", "stage", "present", "absent"), SEEDS, ids=[s[0] for s in SEEDS])
def test_seed_situations(rules, story, answers, stage, present, absent):
    result = run(rules, *answers)
    assert result.stage == stage
    assert present <= ids(result), present - ids(result)
    assert not (absent & ids(result)), absent & ids(result)


def test_negotiating_before_the_due_date_avoids_a_record(rules):
    before = run(rules, 0, "3000", "花呗", "agreed")
    after = run(rules, 20, "3000", "花呗", "agreed")
    assert (before.credit_level, before.reporting) == ("none", "none")
    assert REPORTING.index(after.reporting) >= REPORTING.index("likely")


def test_unlicensed_lenders_do_not_report_to_the_pboc(rules):
    assert run(rules, 200, "1万", "高利贷", "none").reporting == "none"


def test_credit_card_grace_days_are_practice(rules):
    card = run(rules, 2, "3000", "信用卡", "none")
    loan = run(rules, 10, "3000", "信用卡", "none")
    assert card.stage == "grace"
    assert REPORTING.index(card.reporting) < REPORTING.index(loan.reporting)


def test_confirmed_reporting_is_never_guessed(rules):
    for platform in rules.choice_index("platform").values():
        assert run(rules, 5000, "9999999", platform, "failed").reporting != "confirmed"


def test_day_bands_come_from_the_rule_data(rules):
    assert [day_stage(d, rules) for d in (0, 1, 3, 4, 30, 31, 90, 91, 36500)] == [
        "not_overdue", "grace", "grace", "early", "early", "collection", "collection", "legal_risk", "legal_risk"]


def test_time_bound_rules_stop_by_themselves(rules):
    bound = [r for r in rules.rules if r.get("valid_until")]
    assert bound, "the rule set has at least one time-bound rule"
    for rule in bound:
        for ex in rule["examples"]:
            case = build_case(ex["case"], rules)
            inside = date.fromisoformat(ex["as_of"])
            after = date.fromisoformat(rule["valid_until"]) + timedelta(days=1)
            assert rule["id"] in evaluate(case, rules, inside).rules_fired
            assert rule["id"] not in evaluate(case, rules, after).rules_fired


def test_highest_value_wins_whatever_the_rule_order(mini):
    case = Case(overdue_days=45, amount=__import__("decimal").Decimal("100"), platform="bank_loan", negotiation="none")
    forward = evaluate(case, mini, AS_OF)
    mini_reversed = type(mini)(dict(mini.data, rules=list(reversed(mini.data["rules"]))), mini.sources)
    backward = evaluate(case, mini_reversed, AS_OF)
    assert (forward.severity, forward.credit_level) == (backward.severity, backward.credit_level) == (
        "medium", "moderate")
    assert forward.steps == backward.steps


def test_at_most_holds_an_output_down_whatever_the_rule_order_and_only_when_it_fires(tmp_path):
    layer = tmp_path / "cap.yaml"
    layer.write_text(
        "rules:\n"
        "  - id: cap.small\n"
        "    when: {amount: {lte: 500}}\n"
        "    at_most: {credit_level: minor, severity: low}\n"
        "    examples:\n"
        "      - case: {overdue_days: 45, amount: 100, platform: bank_loan, negotiation: none}\n"
        "        expect: {credit_level: minor, severity: low}\n", encoding="utf-8")
    capped = load_ruleset([FIXTURES / "mini", layer], cache=False)
    reordered = type(capped)(dict(capped.data, rules=list(reversed(capped.data["rules"]))), capped.sources)
    small = Case(overdue_days=45, amount=Decimal("100"), platform="bank_loan", negotiation="none")
    for rules in (capped, reordered):
        got = evaluate(small, rules, AS_OF)
        assert (got.severity, got.credit_level, got.reporting) == ("low", "minor", "likely")
        large = evaluate(small._replace(amount=Decimal("1000")), rules, AS_OF)
        assert (large.severity, large.credit_level) == ("medium", "moderate")


def test_trace_records_every_condition_with_its_actual_value(mini):
    case = build_case({"overdue_days": 45, "amount": 100, "platform": "bank_loan", "negotiation": "none"}, mini)
    fired = {f.id: f for f in evaluate(case, mini, AS_OF, trace=True).fired}
    conds = fired["base.overdue"].conditions
    assert [(c.field, c.op, c.expected, c.actual, c.result) for c in conds] == [
        ("overdue_days", "gte", 1, 45, True), ("platform", "ne", "unlicensed", "bank_loan", True)]
