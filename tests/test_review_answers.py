"""What a content review of the answers found in late 2026-11, each case as its reviewer ran it: through
`advisor assess` as a person runs it (flags, JSON or the short report)."""

from __future__ import annotations

import pytest
from conftest import assess_json, shown_ids
from typer.testing import CliRunner

from advisor import cli

AS_OF = "2026-11-22"


def assess(*args: str) -> dict:
    return assess_json(*args, as_of=AS_OF)


def short_report(*args: str) -> str:
    """The short report a person reads, its wrapped lines joined again."""
    result = CliRunner().invoke(cli.app, ["assess", *args, "--no-input", "--as-of", AS_OF], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    lang = args[args.index("--lang") + 1] if "--lang" in args else "zh"
    return ("" if lang == "zh" else " ").join(line.strip() for line in result.stdout.splitlines())


def shown_steps(record: dict) -> list[str]:
    """The steps the short report shows, in its order."""
    return [s["id"] for s in sorted((s for s in record["steps"] if s["priority"]), key=lambda s: s["priority"])]


@pytest.mark.parametrize("typed", ["判决书", "判了", "judgment"])
def test_a_judgment_that_may_still_be_open_to_appeal_is_not_called_final_everywhere(typed):
    """判决书 and 判了 are read as "judgment", which the choice calls in force; one served days ago can still
    be appealed within 15 days (民事诉讼法 第一百七十一条), where the interest can still be contested."""
    data = assess("-d", "300", "-a", "12000", "-p", "网商贷", "-n", "none", "--legal-status", typed,
                  "--concerns", "cost,lawsuit")
    assert "15日内可以上诉" in data["headline"] and "已经生效：" not in data["headline"]
    by = {a["concern"]: a for a in data["answers"]}
    cost, lawsuit = by["cost"], by["lawsuit"]
    assert cost["id"] == "cost.judgment" and "上诉" in cost["text"] and "civil_procedure_171" in cost["references"]
    assert lawsuit["id"] == "lawsuit.judgment" and "失信名单" in lawsuit["text"]
    assert "避免进入执行和失信名单" not in lawsuit["text"], "inability to pay alone is no ground for the list"
    enforced = assess("-d", "300", "-a", "12000", "-p", "网商贷", "-n", "none", "--legal-status", "enforcement",
                      "--concerns", "cost")
    assert enforced["answers"][0]["id"] == "cost.after-judgment", "under enforcement it is in force"


def test_a_sued_person_sees_the_deadline_to_answer_and_on_an_old_debt_the_limitation_defence():
    sued = assess("-d", "400", "-a", "15000", "-p", "网商贷", "-n", "none", "--legal-status", "sued")
    assert shown_steps(sued)[:2] == ["verify_legal_documents", "file_defence"]
    assert not any("如果真的被起诉" in s["text"] for s in sued["steps"]), "already sued"
    old = assess("-d", "1400", "-a", "9000", "-p", "信用卡", "-n", "none", "--legal-status", "sued")
    assert shown_steps(old)[:3] == ["verify_legal_documents", "file_defence", "raise_limitation_defence"]
    assert "ask_before_acknowledging" not in {s["id"] for s in old["steps"]}
    assert {"civil_code_193", "limitation_rules_3"} <= {r["id"] for r in old["references"]}
    not_sued = assess("-d", "1400", "-a", "9000", "-p", "信用卡", "-n", "none")
    assert "ask_before_acknowledging" in shown_steps(not_sued) and "raise_limitation_defence" not in str(not_sued)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_card_holder_is_sent_to_12378_not_to_the_internet_finance_platform(lang):
    args = ("-d", "200", "-a", "38000", "-p", "credit_card", "-n", "failed", "--concerns", "jail,contacts",
            "--lang", lang)
    assert "report_abusive_collection_bank" in shown_steps(assess(*args))
    report = short_report(*args)
    assert "12378" in report and "jubao.nifa.org.cn" not in report
    online = assess("-d", "30", "-a", "6000", "-p", "internet_platform", "-n", "none")
    assert "report_abusive_collection" in {s["id"] for s in online["steps"]}


def test_the_english_short_report_keeps_that_the_lenders_crime_is_not_the_borrowers():
    args = ("-d", "60", "-a", "5000", "-p", "高炮", "-n", "none", "--apr", "400")
    assert "不是你的" in short_report(*args)
    assert "not yours" in short_report(*args, "--lang", "en")


@pytest.mark.parametrize("typed", ["工作", "丢工作", "单位", "job", "work"])
def test_a_worry_about_the_job_is_answered_with_when_an_employer_learns_of_a_debt(typed):
    data = assess("-d", "30", "-a", "5000", "-p", "花呗", "-n", "none", "--concerns", typed)
    assert data["concerns"] == ["contacts"]
    answer = data["answers"][0]
    assert "单位" in answer["text"] and "civil_procedure_254" in answer["references"]


def test_the_interest_line_for_a_licensed_lender_is_not_called_a_cap():
    data = assess("-d", "40", "-a", "10000", "-p", "招联", "-n", "none", "--apr", "36", "--concerns", "cost")
    assert "24%不是法律条文定的上限" in data["answers"][0]["text"] or "不是法律" in data["answers"][0]["verdict"]
    report = short_report("-d", "40", "-a", "10000", "-p", "招联", "-n", "none", "--apr", "36")
    assert "对照 24% 这条线" in report and "对照上限" not in report


def test_a_debt_repaid_out_of_court_cites_no_law_on_what_courts_do_to_unpaid_debts():
    repaid = assess("-d", "400", "-a", "5000", "-p", "网商贷", "-n", "none", "--repaid-on", "2026-02-15")
    cited = {r["id"] for r in repaid["references"]}
    assert not cited & {"dishonest_list_1", "high_consumption_3", "civil_procedure_103", "civil_procedure_104"}
    unpaid = {r["id"] for r in assess("-d", "400", "-a", "5000", "-p", "网商贷", "-n", "none")["references"]}
    assert {"dishonest_list_1", "civil_procedure_104"} <= unpaid
    sued = assess("-d", "400", "-a", "5000", "-p", "网商贷", "-n", "none", "--legal-status", "sued",
                  "--repaid-on", "2026-02-15")
    assert "civil_procedure_104" in {r["id"] for r in sued["references"]}, "in court, the court's rules still apply"


def test_in_a_household_a_friends_loan_is_not_a_licensed_lender_and_an_unlicensed_one_is_void():
    import advisor

    record = advisor.assess_household(
        [{"platform": "朋友", "amount": "2万", "overdue_days": 30, "negotiation": "none"},
         {"platform": "714高炮", "amount": "3000", "overdue_days": 20, "negotiation": "none"}],
        {"monthly_income": "5000", "monthly_expenses": "3500"}, as_of=__import__("datetime").date(2026, 11, 22))
    by = {o["priority"]: o for o in record["order"]}
    assert set(by) == {"personal", "unlicensed_interest"}
    assert "持牌" not in by["personal"]["reason"] and "不会报送征信" in by["personal"]["reason"]
    assert "合同无效" in by["unlicensed_interest"]["reason"]


def test_a_contract_dated_after_the_assessment_is_refused_as_a_repayment_is():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "30", "-a", "5000", "-p", "私人", "-n", "none",
                                          "--contract-date", "2030-01-01", "--no-input", "--as-of", AS_OF])
    assert result.exit_code == 2 and "2030-01-01" in result.stderr and AS_OF in result.stderr
    assert assess("-d", "30", "-a", "5000", "-p", "私人", "-n", "none", "--contract-date", AS_OF)["case"]["contract_date"]


def test_the_short_report_names_a_law_with_its_edition_once_for_all_its_articles():
    # Before, 《…失信…规定》（2017年修改）第一条；《…失信…规定》（2017年修改）第三条: the edition in brackets
    # between the title and the article kept the two from being read as one law.
    result = CliRunner().invoke(cli.app, ["assess", "-d", "200", "-a", "3万", "-p", "网商贷", "-n", "none",
                                          "--legal-status", "判决", "--no-input", "--as-of", "2026-11-30"],
                                env={"COLUMNS": "100"})
    text = "".join(result.output.split())
    listing = "《失信被执行人名单规定》（2017年修改）"  # the short name report.law_names gives it
    assert result.exit_code == 0 and text.count(listing) == 1
    assert listing + "第一条、第三条" in text


# A legal review of the 失信/限高 answers, the long and enforcement plans and the hearsay message found
# these; each test fails on the texts it replaced.
def _answer(record, concern):
    return next(a for a in record["answers"] if a["concern"] == concern)


def test_a_listing_ends_by_its_ground_not_always_on_payment():
    listed = _answer(assess_json("-d", "500", "-a", "3万", "-p", "网商贷", "-n", "none", "--legal-status", "失信",
                                 "--concerns", "失信"), "dishonest")
    # Only a listing for refusing when able ends on payment; the others run 2 years (失信规定 2017 第二条).
    assert "有能力而拒不履行" in listed["verdict"] and "2年" in listed["verdict"]
    en = _answer(assess_json("-d", "500", "-a", "3万", "-p", "网商贷", "-n", "none", "--legal-status", "失信",
                             "--concerns", "失信", "--lang", "en"), "dishonest")
    assert "2 years" in en["verdict"] and "refusing to pay when able" in en["verdict"]


@pytest.mark.parametrize("status", ["没有", "被起诉了"])
def test_paying_what_one_can_is_never_promised_to_keep_the_court_away(status):
    for lang, never in (("zh", "走不到"), ("en", "never comes")):
        record = assess_json("-d", "100", "-a", "3万", "-p", "网商贷", "-n", "none", "--legal-status", status,
                             "--concerns", "失信", "--lang", lang)
        assert never not in _answer(record, "dishonest")["text"]


def test_someone_who_repaid_under_enforcement_is_told_to_have_the_ban_lifted_not_to_negotiate():
    record = assess_json("-d", "500", "-a", "3万", "-p", "网商贷", "-n", "none", "--legal-status", "被执行了",
                         "--repaid-on", "2026-10-01", "--concerns", "失信")
    answer = _answer(record, "dishonest")
    assert answer["id"] == "dishonest.repaid-enforced" and "解除限制消费令" in answer["verdict"]
    assert "分期" not in answer["verdict"] + answer["text"]


def test_the_enforcement_plan_says_how_a_settlement_is_made_and_what_breaking_it_risks():
    plan = assess_json("-d", "500", "-a", "3万", "-p", "平安普惠", "-n", "none", "--legal-status", "被执行了",
                       "--income", "4000", "--expenses", "3500")["plan"]
    assert plan["long"] and "停息" in plan["text"]  # 75 months at 400 a month need the interest stopped
    assert "书面协议交给执行法院" in plan["text"] and "失信" in plan["text"] and "才算数" not in plan["text"]


def test_the_hearsay_message_says_who_sues_and_that_papers_may_be_served_by_notice():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "100", "-a", "1万", "-p", "网商贷", "-n", "none",
                                          "--legal-status", "短信说已经判了", "--no-input"])
    text = "".join(result.output.split())
    assert result.exit_code == 2 and "起诉由出借方向法院提出" in text and "公告送达" in text and "12368" in text


def test_an_expired_record_is_said_to_be_gone_from_the_pboc_report_not_from_every_lenders_view():
    answer = _answer(assess_json("-d", "400", "-a", "5000", "-p", "信用卡", "-n", "none", "--repaid-on", "2020-06-01",
                                 "--concerns", "征信"), "credit")
    assert "人民银行的征信报告" in answer["verdict"] and "不应再影响你借款" not in answer["verdict"]


def test_a_civil_case_said_to_be_filed_is_asked_not_read_as_a_threat_and_a_travel_ban_is_the_lawsuit_worry():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "100", "-a", "1万", "-p", "网商贷", "-n", "none",
                                          "--collection", "说已经立案", "--no-input"])
    assert result.exit_code == 2 and "12368" in result.output and "威胁" not in result.output.split("可选")[0]
    record = assess_json("-d", "100", "-a", "1万", "-p", "网商贷", "-n", "none", "--concerns", "travel ban",
                         "--lang", "en")
    assert record["case"]["concerns"] == ["lawsuit"]


# A second legal review, of the payment-order and arbitration texts; each fails on the text it replaced.
def test_a_payment_order_disputes_charges_in_the_objection_not_by_asking_a_court():
    record = assess_json("-d", "200", "-a", "4万", "-p", "网商贷", "-n", "被拒了", "--legal-status", "收到支付令",
                         "--full")
    ids = shown_ids(record)
    assert "object_charges_payment_order" in ids and "civil_procedure_interp_432" in ids
    assert "ask_court_reduce_charges" not in ids
    answer = _answer(record, "lawsuit")
    assert "由法院冻结" in answer["text"]


def test_an_award_can_be_set_aside_or_refused_enforcement_and_the_report_says_how():
    record = assess_json("-d", "200", "-a", "4万", "-p", "网商贷", "-n", "none", "--legal-status", "仲裁", "--full")
    case = next(c for c in record["consequences"] if c["id"] == "arbitration_case")
    assert "不予执行" in case["text"] and "不能再就同一纠纷起诉" not in case["text"]


def test_paying_under_enforcement_ends_a_two_year_listing_only_when_the_court_decides():
    answer = _answer(assess_json("-d", "500", "-a", "3万", "-p", "网商贷", "-n", "none", "--legal-status", "失信",
                                 "--repaid-on", "2026-10-01", "--concerns", "失信"), "dishonest")
    assert answer["id"] == "dishonest.repaid-enforced" and "2年" in answer["text"] and "由法院决定" in answer["text"]


def test_a_card_agreement_that_is_not_a_personalised_plan_is_told_nothing_guarantees_the_calls_stop():
    answer = _answer(assess_json("-d", "45", "-a", "2万", "-p", "信用卡", "-n", "谈好了在还", "--concerns", "上门"), "visit")
    assert answer["id"] == "visit.agreed-card" and "没有法律保证" in answer["text"]


def test_a_large_card_debt_repaid_is_not_told_to_stay_in_contact_and_not_hide():
    # Before, a card repaid in 2020 got jail.card-large: the malicious-overdraft conditions and "do not hide".
    answer = _answer(assess_json("-d", "400", "-a", "6万", "-p", "信用卡", "-n", "none", "--repaid-on", "2020-06-01"),
                     "jail")
    assert answer["id"] == "jail.card-repaid" and "不躲" not in answer["text"] and "不起诉" in answer["text"]
    assert "card_fraud_interp_10" in answer["references"]
    unpaid = _answer(assess_json("-d", "400", "-a", "6万", "-p", "信用卡", "-n", "none"), "jail")
    assert unpaid["id"] == "jail.card-large"
