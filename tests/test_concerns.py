"""The `concerns` answer and the direct answers: through the flag, the API, batch and the rule files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import advisor
from advisor import cli
from advisor.checks import lint
from advisor.errors import RuleSetError
from advisor.ruleset import load_ruleset

AS_OF = date(2026, 11, 22)
CARD = {"overdue_days": 95, "amount": "62000", "platform": "信用卡", "negotiation": "failed",
        "legal_status": "demand_letter", "collection": "contacts_third_parties", "hardship": "unemployment"}


def test_concerns_flag_takes_ids_words_and_numbers_in_the_fields_order():
    result = CliRunner().invoke(cli.app, ["assess", "-d", "12", "-a", "3800", "-p", "花呗", "-n", "none",
                                          "--concerns", "坐牢", "--concerns", "家人,7", "--format", "json",
                                          "--no-input", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["concerns"] == ["jail", "contacts", "time_limit"]
    assert data["case"]["concerns"] == ["contacts", "jail", "time_limit"]
    assert [a["concern"] for a in data["answers"]] == data["concerns"]
    assert data["answers"][0]["id"] == "jail.loan"  # a platform loan, not a card


def test_each_answer_has_its_fields_and_its_references_are_resolved():
    data = advisor.assess({**CARD, "concerns": "jail,credit,contacts,lawsuit,cost,cannot_pay,time_limit"},
                          as_of=AS_OF)
    assert len(data["answers"]) == 7
    titles = {r["id"] for r in data["references"]}
    for answer in data["answers"]:
        # conditions_are (added): what the conditions are, which names their heading
        assert set(answer) == {"concern", "id", "verdict", "text", "conditions", "conditions_are", "references"}
        assert answer["conditions_are"] in ("points", "all", "provided")
        assert answer["verdict"] and answer["text"] and 1 <= len(answer["conditions"]) <= 3
        assert set(answer["references"]) <= titles
    by = {a["concern"]: a["id"] for a in data["answers"]}
    assert by["contacts"] == "contacts.already"  # she said colleagues were called
    assert by["cannot_pay"] == "cannot_pay.card"


@pytest.mark.parametrize(("answers", "expected"), [
    (CARD, ["contacts", "lawsuit"]),  # collectors called her colleagues
    ({**CARD, "collection": "normal"}, ["jail", "credit"]),  # a card long overdue
    ({"overdue_days": 0, "amount": "3000", "platform": "花呗", "negotiation": "none"}, ["credit", "cannot_pay"]),
    ({"overdue_days": 30, "amount": "3000", "platform": "私人", "negotiation": "none"}, ["cost", "contacts"]),
    ({**CARD, "legal_status": "sued"}, ["lawsuit", "cannot_pay"]),
    ({"overdue_days": 45, "amount": "5000", "platform": "花呗", "negotiation": "none"}, ["credit", "lawsuit"]),
])
def test_without_concerns_the_rule_data_picks_two(answers, expected):
    data = advisor.assess(answers, as_of=AS_OF)
    assert (data["concerns"], data["concerns_source"]) == (expected, "default")
    assert [a["concern"] for a in data["answers"]] == expected


def test_headline_follows_the_stage_and_english_is_english():
    zh = advisor.assess({**CARD, "legal_status": "enforcement"}, as_of=AS_OF)
    assert "强制执行" in zh["headline"]
    en = advisor.assess({"overdue_days": 0, "amount": "3000", "platform": "花呗", "negotiation": "none"},
                        as_of=AS_OF, lang="en")
    assert en["headline"].startswith("You are not overdue yet")


def test_priority_numbers_the_steps_the_short_report_shows():
    data = advisor.assess(CARD, as_of=AS_OF)
    shown = [s["priority"] for s in data["steps"] if s["priority"] is not None]
    assert shown == list(range(1, len(shown) + 1))
    assert len(data["steps"]) > len(shown)  # JSON keeps every step
    for urgency in ("now", "soon", "ongoing"):
        group = [s for s in data["steps"] if s["urgency"] == urgency]
        assert [s["priority"] is not None for s in group] == [n < 3 for n in range(len(group))]


def test_batch_rows_carry_the_same_answers_as_assess(tmp_path):
    rows = [{"id": f"r{n}", "逾期天数": days, "金额": amount, "平台": platform, "协商情况": "none", "担心": worry}
            for n, (days, amount, platform, worry) in enumerate([
                (0, "3000", "花呗", ""), (59, "60000", "信用卡", ""), (60, "60000", "信用卡", ""),
                (95, "49999", "信用卡", "坐牢"), (95, "50000", "信用卡", "坐牢"), (91, "800", "私人", "时效,利息"),
                (90, "800", "私人", ""), (12, "3800", "花呗", "家人")])]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli.app, ["batch", str(path), "-o", str(out), "-q", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    batch = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    api = list(advisor.assess_many(rows, as_of=AS_OF))
    for row, got, also in zip(rows, batch, api):
        alone = advisor.assess({k: v for k, v in row.items() if v != ""}, as_of=AS_OF)
        for key in ("headline", "concerns", "concerns_source", "answers", "steps", "references"):
            assert got[key] == alone[key] == also[key], (row, key)
    assert batch[3]["answers"][0]["id"] == "jail.card-small" and batch[4]["answers"][0]["id"] == "jail.card-large"


def _layer(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "layer.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_loader_checks_concerns_references_and_conditions(tmp_path):
    bad = _layer(tmp_path, """
answers:
  - id: jail.odd
    concern: jial
    when: {overdue_dayz: 3}
    verdict: {zh: 不会, en: "No"}
    text: {zh: 不会, en: "No"}
    references: [no_such_law]
""")
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(["builtin", bad], cache=False)
    messages = " ".join(p.message for p in caught.value.problems)
    assert 'unknown concern "jial"' in messages and '"jail"' in messages
    assert 'unknown reference "no_such_law"' in messages
    assert 'unknown condition "overdue_dayz"' in messages


def test_rules_check_wants_a_last_answer_for_every_concern(tmp_path):
    rules = load_ruleset(cache=False)
    assert [p for p in lint(rules) if p.file.startswith("(answers")] == []
    # Replace the last answer to "time_limit" with one that holds only sometimes.
    layer = _layer(tmp_path, """
answers:
  - id: time_limit.default
    override: true
    concern: time_limit
    when: {overdue_days: {gte: 1000}}
    verdict: {zh: 很难拖过时效, en: You can rarely outlast it}
    text: {zh: 时效会重新计算, en: It restarts}
""")
    layered = load_ruleset(["builtin", layer], cache=False)
    found = [p for p in lint(layered) if p.file == "(answers)"]
    assert [p.rule for p in found] == ["time_limit"]
    result = CliRunner().invoke(cli.app, ["rules", "check", "builtin", str(layer)])
    assert result.exit_code != 0 and "time_limit" in result.output


@pytest.mark.parametrize(("status", "answer", "says"), [
    (None, "children.default", "我们没有查到普通逾期会影响子女上学、考公或参军的规定"),
    ("sued", "children.default", "我们没有查到普通逾期会影响子女上学、考公或参军的规定"),
    ("enforcement", "children.restricted", "你不得供子女就读高收费私立学校"),
    ("失信", "children.restricted", "你不得供子女就读高收费私立学校"),
])
def test_a_worry_about_the_children_is_answered_first_and_for_the_case(status, answer, says):
    # Before, "会不会影响孩子考公" was filed under contacts and answered about who collectors may call; the
    # rule about children showed only with --full, and not at all to someone on the dishonest list.
    record = _answered_near_the_top(["--concerns", "会不会影响孩子考公", *(["--legal-status", status] if status else [])],
                                    "会不会影响孩子", says)
    assert [a["id"] for a in record["answers"]] == [answer] and record["concerns"] == ["children"]
    assert "high_consumption_3" in record["answers"][0]["references"]


def _answered_near_the_top(extra: list[str], heading: str, says: str) -> dict:
    """The short report answers the worry within its first lines (the heading, then what it says); the record."""
    args = ["assess", "-d", "100", "-a", "20000", "-p", "借呗", "-n", "未协商", *extra, "--no-input"]
    short = CliRunner().invoke(cli.app, args, env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert short.exit_code == 0, short.output
    lines = short.stdout.splitlines()
    first = next(n for n, line in enumerate(lines) if heading in line)
    assert first < 12 and says in "".join(lines[first:first + 6])
    return json.loads(CliRunner().invoke(cli.app, [*args, "--format", "json"]).stdout)


@pytest.mark.parametrize(("extra", "answer", "says"), [
    ([], "visit.default", "上门催收本身不违法"),
    (["-d", "0"], "visit.not-overdue", "还没有逾期"),
    (["-d", "0", "-p", "高利贷"], "visit.unlicensed", "你可以不开门"),  # an unlicensed lender may come anyway
    (["-p", "非法网贷"], "visit.unlicensed", "你可以不开门"),
    (["-p", "朋友"], "visit.personal", "来找你谈还钱本身不违法"),
    (["--legal-status", "enforcement"], "visit.enforcement", "签发搜查令"),
    (["--legal-status", "enforcement", "--asker", "parent"], "visit.asker-family", "不欠这笔钱"),
    (["--collection", "打人"], "visit.violence", "立即拨打110"),
    (["--asker", "parent"], "visit.asker-family", "不欠这笔钱"),
    (["-p", "朋友", "--asker", "spouse"], "visit.personal-other", "上门找借款人谈还钱"),
    (["-p", "小贷"], "visit.default", "小额贷款公司找当地金融管理部门"),
])
def test_a_worry_about_a_home_visit_is_answered_for_the_case(extra, answer, says):
    # Before, "会不会上门" was refused with "did you mean 会不会坐牢?": a home visit had no worry of its own.
    record = _answered_near_the_top([*extra, "--concerns", "会不会上门"], "会不会上门催收", says)
    assert [a["id"] for a in record["answers"]] == [answer] and record["concerns"] == ["visit"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_crimes_elements_are_shown_whole_under_their_own_heading_beside_another_worry(rules, lang):
    """Beside a second worry each answer keeps two conditions; elements that must all hold are never cut
    (cut to two, the card crime read as "not normally, it depends on intent and 50,000")."""
    args = ["assess", "-d", "95", "-a", "52000", "-p", "信用卡", "-n", "failed", "--collection", "threats",
            "--concerns", "jail,visit", "--no-input", "--as-of", "2026-11-22", "--lang", lang]
    jail, other = json.loads(CliRunner().invoke(cli.app, [*args, "--format", "json"]).stdout)["answers"]
    assert (jail["id"], jail["conditions_are"], len(jail["conditions"])) == ("jail.card-large", "all", 3)
    assert other["conditions_are"] != "all" and len(other["conditions"]) > rules.report["conditions_when_several"]
    sep = "；" if lang == "zh" else "; "
    lines = CliRunner().invoke(cli.app, args, env={"NO_COLOR": "1"}).stdout.splitlines()
    # a wrapped paragraph, unwrapped; a condition run on after a heading starts in lower case
    out = ("" if lang == "zh" else " ").join(line.strip() for line in lines).casefold()
    assert rules.text("conditions_all", lang).casefold() in out and sep.join(jail["conditions"]).casefold() in out
    shown = sep.join(other["conditions"][:rules.report["conditions_when_several"]]).casefold()
    assert rules.text("conditions_" + other["conditions_are"], lang).casefold() in out and shown in out
    assert other["conditions"][-1].casefold() not in out
    markdown = CliRunner().invoke(cli.app, [*args, "--format", "markdown"]).stdout
    assert f"{rules.text('conditions_all', lang)}{'：' if lang == 'zh' else ': '}" in markdown


@pytest.mark.parametrize(("worry", "extra", "answer", "says"), [
    ("会不会上失信", [], "dishonest.default", "不会因为逾期本身上失信名单或被限高"),
    ("怕被限高", [], "dishonest.default", "法院才可以限高"),
    ("怕被限高", ["--legal-status", "传票"], "dishonest.sued", "被起诉、收到支付令或被申请仲裁，本身都不会让人上失信或被限高"),  # all three papers since the court branch
    ("会不会上失信", ["--legal-status", "判决"], "dishonest.judgment", "判决生效本身不会让你上失信或被限高"),
    ("怕被限高", ["--legal-status", "执行"], "dishonest.enforcement", "可能已经限制"),
    ("会不会上失信", ["--legal-status", "失信"], "dishonest.listed", "上了失信名单不是永久的"),
    ("会不会上失信", ["--asker", "parent"], "dishonest.family-asker", "只能是法院执行案件里的被执行人"),
    ("怕被限高", ["--repaid-on", "2026-10-01"], "dishonest.repaid", "不会。你已经还清"),
])
def test_a_worry_about_the_dishonest_list_or_a_spending_ban_is_answered_for_the_stage(worry, extra, answer, says):
    # Before, 会不会上失信 and 怕被限高 were filed under lawsuit and answered "目前被起诉的可能较小": the list
    # and the ban were never named in the short report.
    record = _answered_near_the_top([*extra, "--concerns", worry], "会不会上失信、被限高", says)
    assert record["concerns"] == ["dishonest"] and [a["id"] for a in record["answers"]] == [answer]
    assert record["answers"][0]["references"]
    assert set(record["answers"][0]["references"]) <= {r["id"] for r in record["references"]}


@pytest.mark.parametrize(("status", "cited"), [
    (None, {"dishonest_list_1", "high_consumption_1"}),
    ("enforcement", {"high_consumption_1", "high_consumption_2010_9"}),  # a ban may be on; how it is lifted
    ("dishonest_listed", {"dishonest_list_2", "dishonest_list_2013_7"}),  # how a listing is removed
])
def test_the_dishonest_answer_cites_the_rules_it_rests_on_in_both_languages(status, cited):
    args = ["assess", "-d", "60", "-a", "3000", "-p", "花呗", "-n", "none", "--concerns", "会不会上失信", "--no-input",
            "--format", "json", "--as-of", "2026-11-30", *(["--legal-status", status] if status else [])]
    for lang in ("zh", "en"):
        record = json.loads(CliRunner().invoke(cli.app, [*args, "--lang", lang]).stdout)
        answer = record["answers"][0]
        assert answer["concern"] == "dishonest" and cited <= set(answer["references"])
    assert "dishonest" in answer["verdict"] or "list" in answer["verdict"]  # the English verdict names the list


def test_a_laws_articles_are_cited_once_by_its_short_name_when_a_version_follows_it():
    # Before, 《最高人民法院关于公布失信被执行人名单信息的若干规定》（2017年修改） was written out whole for each
    # of its articles: four lines of citation under one answer.
    args = ["assess", "-d", "60", "-a", "3000", "-p", "花呗", "-n", "none", "--concerns", "失信", "--legal-status", "判决",
            "--no-input", "--as-of", "2026-11-30"]
    out = "".join(line.strip() for line in CliRunner().invoke(cli.app, args, env={"COLUMNS": "80", "NO_COLOR": "1"})
                  .stdout.splitlines())
    assert "依据：《失信被执行人名单规定》（2017年修改）第一条、第三条；《限制消费规定》（2015年修改）第一条" in out
