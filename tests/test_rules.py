"""The built-in rule set: it loads, its examples pass, its catalogs are complete and used, its law is exact."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import FACTS

from advisor.checks import run_examples
from advisor.fields import LANGS
from advisor.models import STAGES
from advisor.rulefiles import rule_files
from advisor.ruleset import builtin_rules_dir, compile_files

CONTRACT_CONSEQUENCES = """late_fees collection_contact credit_record credit_access_limited outsourced_collection
lawsuit enforcement_measures dishonest_list consumption_restriction agreement_voided criminal_risk""".split()
CONTRACT_STEPS = """repay_now contact_lender propose_plan request_fee_reduction explain_hardship written_agreement
follow_agreement keep_records keep_contact check_credit_report dispute_errors report_abusive_collection
verify_legal_documents respond_to_lawsuit seek_legal_aid check_interest_rate review_budget avoid_new_debt""".split()
CONTRACT_REFERENCES = """civil_code_188 civil_code_585 civil_code_675 civil_code_676 civil_code_678 civil_code_680
civil_code_1033 credit_reg_13 credit_reg_15 credit_reg_16 credit_reg_17 credit_reg_25 credit_reg_29
private_lending_25 dishonest_list_1 civil_procedure_264 criminal_law_196 card_fraud_interp_6 criminal_law_293_1
pipl_10 card_rules_70""".split()
CONTRACT_PLATFORMS = ["bank_loan", "credit_card", "consumer_finance", "internet_platform", "microloan", "unlicensed",
                      "personal"]  # additive: loans between people (#12)
CONTRACT_NEGOTIATIONS = ["none", "in_progress", "agreed", "breached", "failed"]


@pytest.mark.parametrize("path", [p for p, _ in rule_files([builtin_rules_dir()])], ids=lambda p: p.name)
def test_each_rule_file_is_a_mapping_of_known_sections(path):
    import yaml

    from advisor.rulespec import SECTIONS

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict) and set(doc) <= set(SECTIONS)


def test_every_rule_file_loads_on_its_own_path():
    files = rule_files([builtin_rules_dir()])
    assert len(files) >= 3
    data = compile_files(files)
    assert data["rules"]


def test_every_rule_example_passes(rules):
    count, problems = run_examples(rules, date(2026, 11, 22))
    assert not problems, "\n".join(map(str, problems))
    assert count >= len(rules.rules)


def test_every_rule_has_an_example(rules):
    assert all(rule["examples"] for rule in rules.rules)


@pytest.mark.parametrize(("section", "required"), [("consequences", CONTRACT_CONSEQUENCES),
                                                   ("steps", CONTRACT_STEPS), ("references", CONTRACT_REFERENCES)])
def test_catalogs_hold_every_contract_id_and_every_entry_is_used(rules, section, required):
    catalog = getattr(rules, section)
    assert set(required) <= set(catalog), set(required) - set(catalog)
    used = set()
    for rule in rules.rules:
        used.update(item[0] if section == "steps" else item for item in rule[section])
    if section == "references":  # the direct answers cite references too
        used.update(ref for answer in rules.data["answers"] for ref in answer["references"])
    assert used <= set(catalog)
    assert set(catalog) - used == set(), f"unused {section}"


def test_choices_follow_the_contract(rules):
    assert [c["id"] for c in rules.choices("platform")] == CONTRACT_PLATFORMS
    assert [c["id"] for c in rules.choices("negotiation")] == CONTRACT_NEGOTIATIONS
    assert [s["id"] for s in rules.stages] == list(STAGES)


def _texts(value, path=""):
    if isinstance(value, dict):
        if set(value) == set(LANGS):
            yield path, value
            return
        for k, v in value.items():
            yield from _texts(v, f"{path}.{k}")
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from _texts(v, f"{path}[{n}]")


def test_zh_and_en_everywhere(rules):
    texts = list(_texts({k: v for k, v in rules.data.items() if k != "rules"}))
    texts += list(_texts([{k: r[k] for k in ("title", "summary") if r.get(k)} for r in rules.rules]))
    assert len(texts) > 100
    for path, t in texts:
        assert t["zh"].strip() and t["en"].strip(), path
        assert re.search(r"[\u4e00-\u9fff]", t["zh"]), f"{path}: zh text has no Chinese"
        if not path.startswith(".ui"):
            # English texts may quote a Chinese term, but must be English sentences.
            assert len(re.findall(r"[A-Za-z]", t["en"])) > len(re.findall(r"[\u4e00-\u9fff]", t["en"])), path


def _facts_text() -> str:
    if not FACTS.exists():
        pytest.skip("shared/domain/FACTS.md is not beside the project")
    return FACTS.read_text(encoding="utf-8").replace("**", "")


def _compared_with_lawrefbook() -> set[str]:
    """References whose entry names the LawRefBook/Laws file it was compared with (#12): checked there,
    not against FACTS.md, which quotes only the articles it needed."""
    import yaml

    found = set()
    for path, _ in rule_files([builtin_rules_dir()]):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("references", []) or []:
            if "LawRefBook/Laws" in str(entry.get("source", "")):
                found.add(entry["id"])
    return found


def test_verbatim_references_are_exact_quotes_of_the_checked_facts(rules):
    """Every statute quoted word for word is in the fact sheet, word for word, unless its entry names the
    LawRefBook/Laws file it was compared with (the fact sheet quotes only the articles it needed).
    Quotation marks as the statute prints them (“ ”), where the fact sheet typed straight ones."""
    facts = _facts_text().replace('"', "")
    compared = _compared_with_lawrefbook()
    checked = 0
    for ref in rules.references.values():
        if not ref["verbatim"]:
            continue
        paragraphs = [p.replace("“", "").replace("”", "") for p in ref["text"]["zh"].split("\n")]
        if all(p in facts for p in paragraphs):
            checked += 1
        else:
            assert ref["id"] in compared, f"{ref['id']}: not word for word, and no LawRefBook file named"
    assert checked >= 20  # most quotes are in the fact sheet too, and are held to it


def test_only_v_statute_items_are_marked_verbatim(rules):
    for ref in rules.references.values():
        if ref.get("confidence"):
            assert ref["verbatim"] == (ref["confidence"] == "V-statute"), ref["id"]
    assert rules.references["dishonest_list_1"]["verbatim"] is False
    assert rules.references["card_rules_70"]["verbatim"] is False


FORBIDDEN = [
    (r"一定不[会上]征信", "never promise a lender's decision"),
    (r"36%以内合法|36%.{0,6}合法", "36% is no legal line"),
    (r"逾期.{0,10}(就会|会直接|直接)被?(列入|纳入)失信", "an overdue alone never lists anyone"),
    (r"满3年就不用还|三年就不用还", "limitation is a defence, not a rule"),
    (r"滞纳金", None),
]


def test_content_avoids_known_wrong_or_promising_phrases(rules):
    body = "\n".join(t["zh"] for _, t in _texts(rules.data))
    for pattern, why in FORBIDDEN:
        for m in re.finditer(pattern, body):
            window = body[max(0, m.start() - 30): m.end() + 30]
            if why is None:
                # 滞纳金 may only appear to say it was abolished.
                assert "取消" in window or "废止" in window or "不再" in window, window
            else:
                raise AssertionError(f"{why}: {window}")


def test_one_law_has_one_english_name_in_the_citations():
    """The short report groups articles by the law's name: two names for one law split it in two."""
    from advisor import load_ruleset

    rules = load_ruleset()
    names: dict[str, set[str]] = {}
    for ref in rules.references.values():
        zh = re.sub(r"第.*$", "", ref["title"]["zh"])
        en = re.sub(r",? Arts?\..*$", "", ref["title"]["en"])
        names.setdefault(zh, set()).add(en)
    split = {zh: en for zh, en in names.items() if len(en) > 1}
    assert not split
