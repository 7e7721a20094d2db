"""No step or consequence contradicts what the person said: each case of the issue, through
`advisor assess … --format json`, and the rule keys that make it so (`replaces`, `removes`)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from advisor import cli
from advisor.checks import run_examples
from advisor.engine import evaluate, evaluate_reference
from advisor.models import Case
from advisor.ruleset import load_ruleset

AS_OF = "2026-11-22"


def assess(*args: str) -> dict:
    result = CliRunner().invoke(cli.app, ["assess", *args, "--format", "json", "--as-of", AS_OF],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def steps(data: dict) -> dict[str, str]:
    return {s["id"]: s["urgency"] for s in data["steps"]}


# ------------------------------------------------------------------------------ the cases of the issue

def test_refused_is_not_told_to_ask_for_a_plan_but_what_to_do_after_a_refusal():
    # The card holder of the issue: 95 days, 62,000 yuan, the bank refused, a lawyer's letter, colleagues
    # called, job lost.
    data = assess("-d", "95", "-a", "62000", "-p", "credit_card", "-n", "failed", "--legal-status", "demand_letter",
                  "--collection", "contacts_third_parties", "--hardship", "unemployment")
    got = steps(data)
    assert not {"contact_lender", "propose_plan", "ask_card_installment"} & set(got)
    assert got["ask_refusal_reason"] == "now"
    assert {"retry_with_proof", "complain_regulator", "seek_legal_aid"} <= set(got)
    texts = " ".join(s["text"] for s in data["steps"])
    assert "12378" in texts and "12348" in texts


def test_refused_by_an_unlicensed_lender_gets_no_regulator_hotline():
    got = steps(assess("-d", "35", "-a", "10000", "-p", "unlicensed", "-n", "failed"))
    assert "ask_refusal_reason" in got and "contact_lender" not in got and "complain_regulator" not in got


@pytest.mark.parametrize("extra", [[], ["--expenses", "1500"]], ids=["income only", "with expenses"])
def test_no_income_is_not_told_to_repay_before_the_due_date(extra):
    data = assess("-d", "30", "-a", "5000", "-p", "bank_loan", "-n", "none", "--income", "0", *extra)
    got = steps(data)
    assert not {"repay_now", "repay_overdue", "propose_plan"} & set(got)
    assert got["cannot_pay_now"] == "now"
    if extra:
        assert data["plan"]["affordable"] is False


@pytest.mark.parametrize("case", [
    ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "none"],                 # the README's first example
    ["-d", "200", "-a", "30000", "-p", "网商贷", "-n", "failed"],
    ["-d", "30", "-a", "8000", "-p", "花呗", "-n", "in_progress"],         # negotiating adds repay_now too
    ["-d", "2", "-a", "800", "-p", "credit_card", "-n", "none"],           # within the card's grace days
], ids=["45 days", "200 days refused", "in progress", "card grace"])
def test_someone_overdue_is_not_told_to_repay_before_the_due_date(case):
    got = steps(assess(*case))
    assert "repay_now" not in got and got["repay_overdue"] == "now"
    texts = " ".join(s["text"] for s in assess(*case, "--lang", "en")["steps"])
    assert "due date" not in texts.replace("hearing date", "")
    # Before the due date, the step that names it still comes.
    assert "repay_now" in steps(assess("-d", "0", "-a", "5000", "-p", "花呗", "-n", "none"))


def test_nothing_affordable_is_not_told_to_repay_now_or_to_work_out_a_plan():
    data = assess("-d", "60", "-a", "10000", "-p", "bank_loan", "-n", "none", "--income", "3000", "--expenses", "4000")
    assert data["plan"]["affordable"] is False
    got = steps(data)
    assert not {"repay_now", "repay_overdue", "propose_plan", "propose_computed_plan"} & set(got)
    assert got["ask_lender_propose"] == "now"


@pytest.mark.parametrize("days", ["0", "20"])
def test_an_agreement_being_kept_is_followed_not_overtaken_by_repay_now(days):
    got = steps(assess("-d", days, "-a", "3000", "-p", "花呗", "-n", "agreed"))
    assert not {"repay_now", "repay_overdue"} & set(got)
    assert got["follow_agreement"] == "now"
    # Once the agreement is broken, repaying comes first again.
    assert "repay_overdue" in steps(assess("-d", "20", "-a", "3000", "-p", "花呗", "-n", "breached"))


@pytest.mark.parametrize(("days", "amount", "offered"), [
    ("2", "800", False),      # the issue's case: two days late on 800 yuan
    ("40", "800", False),     # small, though past the grace days
    ("2", "30000", False),    # large, but within the grace days
    ("40", "30000", True),    # where a personalised plan can make sense, it is still suggested
])
def test_a_card_plan_only_where_it_can_make_sense(days, amount, offered):
    data = assess("-d", days, "-a", amount, "-p", "credit_card", "-n", "none")
    assert ("ask_card_installment" in steps(data)) is offered
    assert ("card_rules_70" in [r["id"] for r in data["references"]]) is offered


def test_a_small_card_debt_with_a_hardship_still_hears_of_the_card_plan():
    got = steps(assess("-d", "2", "-a", "800", "-p", "credit_card", "-n", "none", "--hardship", "illness"))
    assert "ask_card_installment" in got


@pytest.mark.parametrize("legal", [[], ["--legal-status", "sued"]], ids=["not sued", "sued"])
def test_a_rate_below_the_line_gets_no_contest_the_rate_step(legal):
    below = assess("-d", "95", "-a", "20000", "-p", "consumer_finance", "-n", "none", "--apr", "18.25", *legal)
    assert below["interest_check"]["exceeds"] is False
    assert "ask_court_reduce_charges" not in steps(below)
    above = assess("-d", "95", "-a", "20000", "-p", "consumer_finance", "-n", "none", "--apr", "30", *legal)
    assert "ask_court_reduce_charges" in steps(above)  # the step still comes where it applies


def test_a_private_loan_within_the_cap_gets_no_cap_step():
    data = assess("-d", "10", "-a", "5000", "-p", "unlicensed", "-n", "none", "--apr", "10",
                  "--contract-date", "2024-03-01")
    assert data["interest_check"]["exceeds"] is False
    assert "check_private_lending_cap" not in steps(data)
    over = assess("-d", "10", "-a", "5000", "-p", "unlicensed", "-n", "none", "--apr", "36",
                  "--contract-date", "2024-03-01")
    # Over the cap: the consequence states it; the step that asks to work it out is replaced.
    assert "interest_over_cap_private" in [c["id"] for c in over["consequences"]]
    assert "check_private_lending_cap" not in steps(over)


def test_the_dishonest_list_settles_the_enforcement_first_not_a_card_plan():
    data = assess("-d", "300", "-a", "40000", "-p", "credit_card", "-n", "none", "--legal-status",
                  "dishonest_listed", "--hardship", "illness", "--income", "3000", "--expenses", "3000")
    got = steps(data)
    assert not {"ask_card_installment", "contact_lender", "ask_lender_propose", "repay_now", "repay_overdue"} & set(got)
    assert "card_installment_terms" not in [c["id"] for c in data["consequences"]]
    assert data["steps"][0]["id"] == "settle_enforcement" and got["settle_enforcement"] == "now"


def test_a_computed_plan_is_used_not_asked_for_again():
    # The 花呗 borrower of the issue, with a budget: the tool works the plan out and shows it.
    data = assess("-d", "12", "-a", "3800", "-p", "花呗", "-n", "none", "--income", "6000", "--expenses", "4500")
    assert data["plan"]["affordable"] is True
    got = steps(data)
    assert "propose_plan" not in got and got["propose_computed_plan"] == "now"
    without = steps(assess("-d", "12", "-a", "3800", "-p", "花呗", "-n", "none"))
    assert "propose_plan" in without and "propose_computed_plan" not in without


# ------------------------------------------------------------------------------ the rule keys

LAYER = """\
steps:
  - {id: ask_again, urgency: now, text: {zh: 再问一次。, en: Ask again.}}
rules:
  - id: layer.refused
    when: {negotiation: agreed}
    replaces: [repay_now, late_fees]
    steps: [ask_again]
    examples:
      - case: {overdue_days: 5, amount: 100, platform: bank_loan, negotiation: agreed}
        expect: {includes: [ask_again, credit_record], excludes: [repay_now, late_fees]}
"""


def _layered(tmp_path, text: str, first: bool) -> list[str]:
    extra = tmp_path / "layer.yaml"
    extra.write_text(text, encoding="utf-8")
    mini = str(FIXTURES / "mini")
    return [str(extra), mini] if first else [mini, str(extra)]


@pytest.mark.parametrize("first", [True, False], ids=["layer first", "layer last"])
def test_replaces_takes_effect_whatever_the_rule_order(tmp_path, first):
    rules = load_ruleset(_layered(tmp_path, LAYER, first), cache=False)
    assert [r["id"] for r in rules.rules][0 if first else -1] == "layer.refused"
    case = Case(overdue_days=5, amount=Decimal(100), platform="bank_loan", negotiation="agreed")
    got = evaluate(case, rules, date(2026, 11, 22))
    assert got == evaluate_reference(case, rules, date(2026, 11, 22))
    assert [s.id for s in got.steps] == ["ask_again", "keep_records"]
    assert got.consequences == ("credit_record",)
    assert run_examples(rules, date(2026, 11, 22))[1] == []


@pytest.mark.parametrize(("rule", "message", "column"), [
    ("replaces: [repay_nwo]\n    steps: [keep_records]", 'replaces: unknown step or consequence "repay_nwo" '
     '(did you mean "repay_now"?)', 5),
    ("removes: [civil_code_676]\n    steps: [keep_records]", 'removes: unknown step or consequence "civil_code_676"', 5),
    ("replaces: [repay_now]\n    set: {severity: low}", '"replaces" needs steps or consequences of the rule\'s '
     'own to take their place; to drop outcomes without a replacement, write "removes"', 5),
    ("removes: [keep_records]\n    steps: [keep_records]", 'removes: "keep_records" is one of this rule\'s own outcomes',
     5),
])
def test_rules_check_names_what_a_rule_cannot_drop(tmp_path, rule, message, column):
    text = ("rules:\n  - id: layer.bad\n    when: {overdue_days: {gte: 1}}\n    " + rule + "\n    examples:\n"
            "      - case: {overdue_days: 5, amount: 100, platform: bank_loan, negotiation: none}\n")
    extra = tmp_path / "bad.yaml"
    extra.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["rules", "check", str(FIXTURES / "mini"), str(extra)])
    assert result.exit_code == 3
    assert f"bad.yaml:4:{column}: layer.bad: {message}" in result.stderr


def test_rules_show_and_explain_say_what_a_rule_drops():
    runner = CliRunner()
    shown = runner.invoke(cli.app, ["rules", "show", "negotiation.failed", "--lang", "en"], catch_exceptions=False)
    assert "replaces:    contact_lender, propose_plan, ask_card_installment" in shown.stdout
    data = json.loads(runner.invoke(cli.app, ["rules", "list", "--json"], catch_exceptions=False).stdout)
    row = next(r for r in data if r["id"] == "interest.below-line")
    assert row["removes"] == ["ask_court_reduce_charges", "check_private_lending_cap"] and row["replaces"] == []
    explained = assess("-d", "35", "-a", "10000", "-p", "consumer_finance", "-n", "failed", "--explain")
    entry = next(e for e in explained["explain"] if e["rule"] == "negotiation.failed")
    assert entry["drops"] == ["contact_lender", "propose_plan", "ask_card_installment"]
    text = runner.invoke(cli.app, ["assess", "-d", "35", "-a", "10000", "-p", "consumer_finance", "-n", "failed",
                                   "--explain", "--as-of", AS_OF], env={"NO_COLOR": "1", "COLUMNS": "100"},
                         catch_exceptions=False).stdout
    assert "− contact_lender, propose_plan, ask_card_installment" in text


# ------------------------------------------------------------------------------ the content audit's B6, B9–B11


def test_talks_under_way_keep_the_plan_and_the_hardship_steps():
    # Audit B6: while negotiating, a concrete plan and the reason for the hardship are what move the talks.
    todo = steps(assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "in_progress"))
    assert "propose_plan" in todo and "explain_hardship" in todo


def test_an_agreement_being_kept_gets_no_court_reduction_step():
    # Audit B9: no "ask the court to cut charges", and no "repay as soon as you can" beside the agreement.
    todo = steps(assess("-d", "45", "-a", "5000", "-p", "花呗", "-n", "agreed"))
    assert "follow_agreement" in todo
    assert not {"ask_court_reduce_charges", "repay_now", "repay_overdue"} & set(todo)


@pytest.mark.parametrize("args", [
    ("-d", "2", "-a", "800", "-p", "信用卡", "-n", "none"),  # audit B10: tiny and fresh
    ("-d", "500", "-a", "80000", "-p", "信用卡", "-n", "none", "--legal-status", "dishonest_listed",
     "--hardship", "unemployment"),  # audit B11: after a judgment the route is enforcement settlement
])
def test_no_card_instalment_plan_where_it_makes_no_sense(args):
    data = assess(*args)
    assert "ask_card_installment" not in steps(data)
    assert "card_installment_terms" not in {c["id"] for c in data["consequences"]}


@pytest.mark.parametrize("platform", ["bank_loan", "credit_card", "consumer_finance", "internet_platform",
                                      "microloan", "unlicensed", "personal"])
@pytest.mark.parametrize("collection", ["violence", "threats"])
def test_someone_in_danger_is_told_to_call_the_police_first(platform, collection):
    # The short report shows three steps due now; repaying and talking came first, and 110 was cut.
    data = assess("-d", "200", "-a", "20000", "-p", platform, "-n", "none", "--collection", collection)
    shown = [s["id"] for s in sorted((s for s in data["steps"] if s["priority"]), key=lambda s: s["priority"])]
    assert "call_police" in shown[:2], shown
    if collection == "violence":
        assert set(shown[:2]) == {"call_police", "protect_safety"}, shown


def test_the_police_step_stays_in_its_place_when_no_one_is_in_danger():
    data = assess("-d", "60", "-a", "20000", "-p", "internet_platform", "-n", "none")
    police = [s for s in data["steps"] if s["id"] == "call_police"]
    assert police and police[0]["urgency"] == "ongoing" and police[0]["priority"] is None


@pytest.mark.parametrize("lang, enforced", [("zh", "已进入强制执行"), ("en", "being enforced")])
def test_a_judgment_in_force_is_not_reported_as_enforcement_under_way(lang, enforced):
    # The answer below the headline said "the lender can apply for enforcement"; the headline said it
    # was under way.
    judgment = assess("-d", "200", "-a", "50000", "-p", "consumer_finance", "-n", "none", "--legal-status", "judgment",
                      "--lang", lang)
    enforcement = assess("-d", "200", "-a", "50000", "-p", "consumer_finance", "-n", "none",
                         "--legal-status", "enforcement", "--lang", lang)
    assert enforced not in judgment["headline"] and enforced in enforcement["headline"]
    assert judgment["stage"] == enforcement["stage"] == "enforcement"  # the stage ids are the contract's


@pytest.mark.parametrize("days", ["3", "15", "60"])
def test_an_unlicensed_lenders_headline_does_not_promise_a_credit_record_the_report_denies(days):
    data = assess("-d", days, "-a", "3000", "-p", "unlicensed", "-n", "none")
    assert data["credit_impact"]["reporting"] == "none"
    assert "可能已经或即将上征信" not in data["headline"] and "征信可能已受影响" not in data["headline"]
    assert "一般不会上人民银行征信" in data["headline"]


def test_a_debt_the_credit_database_never_sees_gets_no_retention_date():
    owed_to_a_friend = assess("-d", "61", "-a", "8000", "-p", "personal", "-n", "none", "--repaid-on", "2026-10-01")
    card = assess("-d", "61", "-a", "8000", "-p", "credit_card", "-n", "none", "--repaid-on", "2026-10-01")
    assert owed_to_a_friend["credit_impact"]["reporting"] == "none"
    assert owed_to_a_friend["credit_impact"]["retention_until"] is None
    assert "2031" not in owed_to_a_friend["credit_impact"]["summary"]
    assert card["credit_impact"]["retention_until"] == "2031-10-01"


@pytest.mark.parametrize("platform", ["internet_platform", "credit_card", "personal"])
def test_an_heir_is_not_told_to_repay_before_deciding_on_the_inheritance(platform):
    # Step 1 said "repay as soon as you can", step 3 "do not pay from your own money before deciding".
    data = assess("-d", "200", "-a", "20000", "-p", platform, "-n", "none", "--asker", "heir")
    ids = [s["id"] for s in data["steps"]]
    assert ids[0] == "heir_decide_first"
    assert not {"repay_now", "repay_overdue", "contact_lender", "propose_plan"} & set(ids)
    assert "遗产" in data["headline"] and "借款人本人" not in data["headline"]


def test_a_repaid_debt_gets_no_repayment_plan():
    data = assess("-d", "100", "-a", "20000", "-p", "credit_card", "-n", "none", "--income", "8000",
                  "--expenses", "3000", "--repaid-on", "2026-10-01")
    assert data["plan"] is None and "propose_computed_plan" not in steps(data)
    owing = assess("-d", "100", "-a", "20000", "-p", "credit_card", "-n", "none", "--income", "8000",
                   "--expenses", "3000")
    assert owing["plan"]["affordable"] is True


@pytest.mark.parametrize("status", ["sued", "judgment", "enforcement"])
def test_a_debt_repaid_while_in_court_is_not_told_to_repay(status):
    data = assess("-d", "300", "-a", "30000", "-p", "credit_card", "-n", "none", "--legal-status", status,
                  "--repaid-on", "2026-10-01")
    assert not {"repay_now", "repay_overdue", "propose_plan", "ask_card_installment"} & set(steps(data))
    assert data["headline"].startswith("你已经还清")


@pytest.mark.parametrize("platform, answer_id", [("credit_card", "lawsuit.risk-card"), ("bank_loan", "lawsuit.risk")])
def test_the_answer_that_only_a_court_can_take_your_assets_cites_the_articles_that_say_so(platform, answer_id):
    # It cited the overdue-interest article and the exit-ban article. (A card's answer names the bank's
    # set-off as the exception, with the same articles.)
    data = assess("-d", "200", "-a", "20000", "-p", platform, "-n", "none", "--concerns", "lawsuit")
    (answer,) = [a for a in data["answers"] if a["id"] == answer_id]
    assert answer["references"] == ["civil_procedure_254", "civil_procedure_255"]
    titles = {r["id"]: r["title"] for r in data["references"]}
    assert "第二百五十四条" in titles["civil_procedure_254"] and "第二百五十五条" in titles["civil_procedure_255"]


@pytest.mark.parametrize("extra, gone", [
    (["--repaid-on", "2026-11-01"], "card_pay_minimum"),
    (["--legal-status", "judgment"], "card_pay_minimum"),
    (["-n", "agreed", "--repaid-on", "2026-11-01"], "follow_agreement"),
    (["-n", "failed", "--repaid-on", "2026-11-01"], "retry_with_proof"),
])
def test_steps_for_an_open_card_debt_or_agreement_leave_once_it_is_paid_or_judged(extra, gone):
    base = ["-d", "1", "-a", "6000", "-p", "credit_card", *(["-n", "none"] if "-n" not in extra else [])]
    assert gone not in steps(assess(*base, *extra))


@pytest.mark.parametrize("status", ["judgment", "enforcement"])
def test_after_a_judgment_the_time_limit_answer_is_the_period_to_apply_for_enforcement(status):
    # It spoke of the 3-year limitation period "raised by you in the lawsuit": the lawsuit is over.
    data = assess("-d", "1500", "-a", "8000", "-p", "internet_platform", "-n", "none", "--legal-status", status,
                  "--concerns", "time_limit")
    (answer,) = [a for a in data["answers"] if a["concern"] == "time_limit"]
    assert answer["id"] == "time_limit.judged" and "civil_procedure_250" in answer["references"]
    assert "第二百五十条" in {r["id"]: r["title"] for r in data["references"]}["civil_procedure_250"]


def test_an_agreement_being_kept_is_not_told_the_debt_may_be_time_barred():
    # Agreeing to pay restarts the limitation period; the report said "may be past it" beside "follow the agreement".
    data = assess("-d", "1500", "-a", "20000", "-p", "credit_card", "-n", "agreed", "--concerns", "time_limit")
    assert "ask_before_acknowledging" not in steps(data)
    assert "limitation_old_debt" not in {c["id"] for c in data["consequences"]}
    assert all(a["id"] != "time_limit.old-debt" for a in data["answers"])
    assert "协商" not in data["headline"] and "谈好了" in data["headline"]
    untalked = assess("-d", "1500", "-a", "20000", "-p", "credit_card", "-n", "none")
    assert "ask_before_acknowledging" in steps(untalked)


def test_a_broken_agreement_is_not_told_there_is_no_overdue_record():
    data = assess("-d", "0", "-a", "8000", "-p", "consumer_finance", "-n", "breached", "--concerns", "credit")
    (answer,) = [a for a in data["answers"] if a["concern"] == "credit"]
    assert answer["id"] != "credit.not-overdue" and data["credit_impact"]["level"] != "none"


@pytest.mark.parametrize("extra", [[], ["--received", "2000"]])
def test_an_unlicensed_lenders_borrower_is_not_told_to_repay_the_lenders_figure(extra):
    """The answer says the contract is void and what goes back is what was received: "repay as soon as you
    can" beside it sent the person to pay the lender's figure, interest and all."""
    data = assess("-d", "20", "-a", "3000", "-p", "714高炮", "-n", "none", *extra)
    first = next(s for s in data["steps"] if s["priority"] == 1)
    assert first["id"] == "repay_received_unlicensed" and first["urgency"] == "now"
    assert not {"repay_now", "repay_overdue"} & set(steps(data))
    assert "repay_overdue" in steps(assess("-d", "20", "-a", "3000", "-p", "借呗", "-n", "none"))
    judged = assess("-d", "20", "-a", "3000", "-p", "714高炮", "-n", "none", "--legal-status", "judgment", *extra)
    assert "repay_received_unlicensed" not in steps(judged), "once judged, the judgment says what is owed"
