"""Everyday answers to the choice questions (rules/catalog/phrases.yaml), through flags, a batch file,
the prompt and the Python API: what each phrase means, what is asked again, what is split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import answer_prompts
from typer.testing import CliRunner

import advisor
from advisor import cli
from advisor.errors import CaseError, RuleSetError
from advisor.matching import fold, index
from advisor.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
PHRASES = yaml.safe_load((ROOT / "rules" / "catalog" / "phrases.yaml").read_text(encoding="utf-8"))["phrases"]
CORE = {"overdue_days": 60, "amount": "5000", "platform": "花呗", "negotiation": "none"}
AS_OF = "2026-11-22"


def case(**answers: object):
    return advisor.parse_case({**CORE, **answers})


def flags(*more: str) -> tuple[int, dict, str]:
    args = ["assess", "-d", "60", "-a", "5000", "-p", "花呗", "--format", "json", "--as-of", AS_OF, *more]
    if "-n" not in more:
        args += ["-n", "none"]
    result = CliRunner().invoke(cli.app, args, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout) if result.exit_code == 0 else {}, result.stderr


# How people put it, and what they mean (issue #13).
SAID = [
    ("-n", "正在谈", "negotiation", "in_progress"),
    ("-n", "在谈", "negotiation", "in_progress"),
    ("-n", "谈崩了", "negotiation", "failed"),
    ("-n", "被拒了", "negotiation", "failed"),
    ("-n", "他们不同意", "negotiation", "failed"),
    ("-n", "谈好了在还", "negotiation", "agreed"),
    ("-n", "谈好了没还上", "negotiation", "breached"),
    ("-n", "没谈过", "negotiation", "none"),
    ("--legal-status", "收到律师函了", "legal_status", "demand_letter"),
    ("--legal-status", "被起诉了", "legal_status", "sued"),
    ("--legal-status", "收到传票", "legal_status", "sued"),
    ("--legal-status", "判了", "legal_status", "judgment"),
    ("--legal-status", "被执行了", "legal_status", "enforcement"),
    ("--legal-status", "上了失信", "legal_status", "dishonest_listed"),
    ("--hardship", "丢了工作", "hardship", "unemployment"),
    ("--hardship", "失业", "hardship", "unemployment"),
    ("--hardship", "生病住院", "hardship", "illness"),
    ("--hardship", "生意赔了", "hardship", "business_failure"),
]


@pytest.mark.parametrize("flag, said, field, meant", SAID)
def test_everyday_answers_as_flags(flag, said, field, meant):
    code, out, err = flags(flag, said)
    assert code == 0, err
    assert out["case"][field] == meant


@pytest.mark.parametrize("said, meant", [
    ("打给我同事", {"contacts_third_parties"}),
    ("爆通讯录", {"contacts_third_parties"}),
    ("半夜打电话", {"night_calls"}),
    ("骂人", {"threats"}),
    ("上门", {"home_visit"}),  # a visit alone is not violence (audit: separate them)
    ("打我同事电话还半夜打", {"contacts_third_parties", "night_calls"}),  # one sentence, two practices
    ("骂我，还找上门", {"threats", "home_visit"}),
])
def test_collection_phrases_are_split_into_what_they_name(said, meant):
    code, out, err = flags("--collection", said)
    assert code == 0, err
    assert set(out["case"]["collection"]) == meant


def test_every_phrase_in_the_data_means_its_choice():
    for field, spec in PHRASES.items():
        for choice, words in spec.get("choices", {}).items():
            for word in words:
                value = getattr(case(**{field: word}), field)
                assert (choice in value) if isinstance(value, frozenset) else value == choice, (field, word)


def test_every_word_with_two_meanings_is_asked_about_naming_each():
    rules = load_ruleset()
    for field, spec in PHRASES.items():
        for item in spec.get("ambiguous", []):
            for word in item["words"]:
                # A word that means one choice as the whole answer ("银行") is asked inside a longer one.
                said = f"某某{word}" if word in spec.get("alone", []) else word
                with pytest.raises(CaseError) as err:
                    case(**{field: said})
                for choice in item["choices"]:
                    assert rules.label(field, choice, "zh") in err.value.message, (word, choice)


def test_ambiguous_negotiation_is_an_error_naming_both_as_a_flag_and_in_a_batch(tmp_path):
    code, _, err = flags("-n", "已协商")
    assert code == 2 and "协商中" in err and "已达成协议并按约履行" in err
    source = tmp_path / "cases.csv"
    source.write_text("逾期天数,金额,平台,协商情况\n100,5000,花呗,已协商\n100,5000,花呗,正在谈\n", encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(source), "--as-of", AS_OF, "-q", "--lang", "en"],
                                catch_exceptions=False)
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["error"]["field"] == "negotiation"
    assert "Negotiating now" in first["error"]["message"] and "Agreed and keeping to it" in first["error"]["message"]
    assert second["case"]["negotiation"] == "in_progress"


def test_the_most_serious_court_stage_is_taken_where_the_rules_say_how_to_pick():
    assert case(legal_status="判了还被执行了").legal_status == "enforcement"
    assert case(legal_status="收到律师函和传票").legal_status == "sued"


def test_two_hardships_are_asked_again_since_the_rules_name_no_order():
    with pytest.raises(CaseError) as err:
        case(hardship="丢了工作又生病住院")
    assert "失业" in err.value.message and "疾病或受伤" in err.value.message


@pytest.mark.parametrize("field, said", [
    ("legal_status", "没有收到律师函"),  # a negation around a known word: never read as that word
    ("negotiation", "不是在谈"),
    ("collection", "没有上门"),
])
def test_a_negated_phrase_is_not_read_as_what_it_denies(field, said):
    with pytest.raises(CaseError):
        case(**{field: said})


def test_the_prompt_asks_again_with_both_meanings_of_yixieshang():
    report = answer_prompts(["assess", "-d", "100", "-a", "5000", "-p", "花呗", "--quick", "--format", "json",
                             "--as-of", AS_OF],
                            [(["你和对方协商过还款吗？"], "已协商"), (["可能有几种意思", "协商中", "已达成协议并按约履行"], "2")])
    assert '"negotiation": "in_progress"' in report


def test_rule_files_are_checked_for_phrases(tmp_path):
    (tmp_path / "extra.yaml").write_text("""
phrases:
  overdue_days: {}
  hardship:
    choices: {no_such: [某词], illness: [失业]}
    pick: [nope]
    alone: [不存在的词]
    ambiguous:
      - {words: [生病], choices: [illness, unemployment]}
      - {words: [某某], choices: [illness]}
    outside:
      - {words: [天灾]}
      - {words: [人祸], text: {zh: 不在范围内}}
      - just a word
negations: not a list
""", encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_ruleset(["builtin", tmp_path / "extra.yaml"], cache=False)
    problems = str(err.value)
    for expected in ('"overdue_days" is not a choice field', 'unknown choice "no_such"', 'unknown choice "nope"',
                     '"失业" names both', '"生病" is listed as having two meanings', "needs two or more choices",
                     '"negations" must be a list of words', '"text" is missing', 'needs a non-empty "en" text',
                     "each outside entry needs words and text", '"不存在的词" is listed as alone, yet names no choice'):
        assert expected in problems, expected


def test_a_later_file_adds_phrases(tmp_path):
    (tmp_path / "extra.yaml").write_text("phrases:\n  hardship:\n    choices: {disaster: [房子被冲了]}\n",
                                         encoding="utf-8")
    rules = load_ruleset(["builtin", tmp_path / "extra.yaml"], cache=False)
    assert advisor.parse_case({**CORE, "hardship": "房子被冲了"}, rules).hardship == "disaster"
    assert advisor.parse_case({**CORE, "hardship": "丢了工作"}, rules).hardship == "unemployment"


@pytest.mark.parametrize("field, said", [
    ("negotiation", "有协商吧"), ("negotiation", "有联系吧"), ("negotiation", "有谈吧"), ("platform", "不是银行"),
])
def test_a_near_miss_is_never_offered_its_opposite(field, said):
    # "有协商" is closest, letter by letter, to "没有协商": asking "did you mean 没有协商?" would offer the
    # person the opposite of what they said. A guess keeps the answer's negations, or is not made.
    negations = load_ruleset().data["negations"]
    with pytest.raises(CaseError) as err:
        case(**{field: said})
    guess = err.value.guess
    assert guess is None or [n in guess for n in negations] == [n in said for n in negations], guess


@pytest.mark.parametrize("field, said, wrong", [
    ("negotiation", "协商成功又没还", "协商没成功"),  # a negation in what differs: its opposite
    ("negotiation", "协商成功后来又没还", "协商没成功"),
    ("negotiation", "没同意也没拒绝", "没同意"),      # half of it, and the wrong half
    ("negotiation", "他们没同意也没拒绝", "没同意"),
    ("legal_status", "法院发短信了", "法院判了"),     # far longer than the word: no slip of the keys
    ("legal_status", "法院寄了东西", "法院判了"),
    ("legal_status", "法院让我去调解", "法院调解了"),
    ("concerns", "会不会影响坐动车", "会不会坐牢"),
    ("collection", "让我去借钱还", "让我去死"),
    ("collection", "说要告我偷东西", "说要告诉我父母"),
    ("platform", "公司借给我的", "我哥借给我的"),
    ("concerns", "all", "jail"),                      # half of "jail" is not in it
])
def test_a_near_miss_is_a_slip_of_the_keys_never_another_answer(field, said, wrong):
    # What a guess offers must differ from the answer as a typing slip does, or "是" to it says the
    # opposite of what the person typed.
    guess = index(field, load_ruleset()).guess(fold(said))
    assert guess != wrong, guess
    if field != "negotiation":  # the answers about talks are known words now: a guess is the answer itself
        assert guess is None, guess


@pytest.mark.parametrize("field, said, meant", [
    ("platform", "花贝", "花呗"), ("platform", "微利贷", "微粒贷"), ("platform", "Huabie", "huabei"),
    ("platform", "借贝", "借呗"), ("platform", "用同事的卡", "用同事的信用卡"),
])
def test_a_slip_of_the_keys_is_still_offered_its_word(field, said, meant):
    assert index(field, load_ruleset()).guess(fold(said)) == meant


SECURED = ("房贷", "招行房贷", "我的车贷", "按揭", "mortgage", "Car Loan")


@pytest.mark.parametrize("said", SECURED)
def test_a_secured_loan_is_refused_saying_why_never_read_as_a_bank_loan(said):
    # These rules are for loans nothing secures: a mortgage read as a bank loan would get the answers of
    # an unsecured one. "招行房贷" names a bank too, and is refused all the same.
    with pytest.raises(CaseError) as err:
        case(platform=said)
    assert said in err.value.message and "抵押" in err.value.message and "12348" in err.value.message
    assert err.value.guess is None  # nothing to offer instead at the prompt


def test_a_secured_loan_is_refused_at_every_door(tmp_path):
    code, _, err = flags("-p", "房贷", "--lang", "en")
    assert code == 2 and "secured on a home or a car" in err
    source = tmp_path / "cases.csv"
    source.write_text("逾期天数,金额,平台,协商情况\n100,5000,房贷,没有\n100,5000,花呗,没有\n", encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["batch", str(source), "--as-of", AS_OF, "-q"], catch_exceptions=False)
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["error"]["field"] == "platform" and "抵押" in first["error"]["message"]
    assert second["case"]["platform"] == "internet_platform"


def test_a_denied_secured_loan_is_not_refused_as_one():
    with pytest.raises(CaseError) as err:
        case(platform="不是房贷")
    assert "抵押" not in err.value.message


def test_the_prompt_says_why_a_mortgage_is_refused_and_asks_again():
    report = answer_prompts(["assess", "-d", "100", "-a", "5000", "-n", "none", "--quick", "--format", "json",
                             "--as-of", AS_OF],
                            [(["这笔钱是从哪类机构借的？"], "建行房贷"), (["抵押", "12348"], "花呗")])
    assert '"platform": "internet_platform"' in report
