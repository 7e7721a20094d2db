"""One field registry: a field declared once in advisor/fields.py appears in every door.

A throwaway field, `pets`, is added to the registry in a fresh interpreter before anything else is
imported, with its texts and one rule in a layered rule file. It must then work as a flag, a question,
a batch column (under its Chinese header too), in `questions --json`, the rule-file schema, the
coverage domains and the Python API, with no other change to the code.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest
from conftest import ROOT

from advisor import fields
from advisor.models import CORE_FIELDS, EXTENDED_FIELDS, Case

LAYER = """\
fields:
  pets:
    question: {zh: 你养了几只宠物？, en: How many pets do you keep?}
    why: {zh: 只为测试。, en: Only for the test.}
    ask_when:
      overdue_days: {gte: 1}
rules:
  - id: pets.many
    when:
      pets: {gte: 3}
    set: {severity: critical}
    examples:
      - case: {overdue_days: 15, amount: 3000, platform: internet_platform, negotiation: none, pets: 3}
        expect: {severity: critical}
"""

# Runs in its own interpreter: the registry is read once, when the modules that derive from it load.
PROBE = """
import json, sys
from datetime import date

import advisor.fields as fields

fields.FIELDS += (fields.Field("pets", "count", "--pets", "How many pets you keep.", columns=("宠物数",),
                               condition="int", domain=(0, fields.MAX_COUNT, 1)),)

from typer.testing import CliRunner

import advisor
from advisor import cli, coverage, interview

layer = sys.argv[1]
rules_flags = ["--rules", "builtin", "--rules", layer]
rules = advisor.load_ruleset(["builtin", layer])
runner = CliRunner()
core = ["-d", "15", "-a", "3000", "-p", "internet_platform", "-n", "none"]
out = {}

out["help"] = runner.invoke(cli.app, ["assess", "--help"], env={"COLUMNS": "200"}).stdout
flag = runner.invoke(cli.app, ["assess", *core, "--pets", "3", *rules_flags, "--format", "json", "--as-of", "2026-05-01"])
out["flag"] = json.loads(flag.stdout)

said = []
def read(prompt):
    return "3" if "pets" in said[-1] else ""
answers = {"overdue_days": 15, "amount": 3000, "platform": "internet_platform", "negotiation": "none"}
done = interview.complete(answers, rules, "en", read, said.append, as_of=date(2026, 5, 1))
out["prompt"] = {"asked": [s for s in said if "pets" in s], "answer": done.get("pets")}

csv = "逾期天数,金额,平台,协商情况,宠物数\\n15,3000,internet_platform,none,3\\n"
batch = runner.invoke(cli.app, ["batch", "-", "-q", *rules_flags, "--as-of", "2026-05-01"], input=csv)
out["batch"] = json.loads(batch.stdout)

questions = json.loads(runner.invoke(cli.app, ["questions", "--json", *rules_flags]).stdout)
out["questions"] = [q for q in questions if q["id"] == "pets"]
out["schema"] = json.loads(runner.invoke(cli.app, ["rules", "schema"]).stdout)
check = runner.invoke(cli.app, ["rules", "check", "builtin", layer, "--json", "--as-of", "2026-05-01"])
out["check"] = json.loads(check.stdout)["ok"]

out["domain"] = list(coverage.DOMAINS["pets"])
out["bands"] = [[str(lo), str(hi)] for lo, hi in coverage.bands(rules)["pets"]]

out["api"] = advisor.assess({**answers, "宠物数": "3"}, rules=rules, as_of=date(2026, 5, 1))
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def with_pets(tmp_path_factory) -> dict:
    """Every door, asked about the throwaway field `pets` (a count; three or more is critical)."""
    layer = tmp_path_factory.mktemp("pets") / "pets.yaml"
    layer.write_text(LAYER, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", PROBE, str(layer)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_new_field_is_a_flag(with_pets):
    assert "--pets" in with_pets["help"] and "How many pets you keep." in with_pets["help"]
    assert with_pets["flag"]["severity"] == "critical" and with_pets["flag"]["case"]["pets"] == 3


def test_a_new_field_is_asked_when_its_rule_data_says(with_pets):
    assert with_pets["prompt"]["answer"] == 3
    assert any("How many pets do you keep? (Only for the test.)" in s for s in with_pets["prompt"]["asked"])


def test_a_new_field_is_a_batch_column_under_its_chinese_name(with_pets):
    assert with_pets["batch"]["severity"] == "critical" and with_pets["batch"]["case"]["pets"] == 3


def test_a_new_field_is_described_for_scripts(with_pets):
    [entry] = with_pets["questions"]
    assert entry["flag"] == "--pets" and entry["required"] is False and entry["type"] == "integer"
    assert entry["question"]["en"] == "How many pets do you keep?" and entry["asked_when"] == "overdue_days ≥ 1"


def test_a_new_field_is_in_the_rule_file_schema(with_pets):
    schema = json.dumps(with_pets["schema"])
    assert schema.count('"pets"') >= 2  # a field a condition may test, and one the questions describe
    assert with_pets["check"] is True  # its rule and example load and pass


def test_a_new_field_has_a_coverage_domain(with_pets):
    assert with_pets["domain"] == [0, fields.MAX_COUNT, 1]
    assert with_pets["bands"] == [["0", "2"], ["3", str(fields.MAX_COUNT)]]


def test_a_new_field_is_a_key_of_the_api(with_pets):
    assert with_pets["api"]["severity"] == "critical" and with_pets["api"]["case"]["pets"] == 3


def test_the_case_has_one_answer_per_field():
    assert Case._fields == (*CORE_FIELDS, "id", *EXTENDED_FIELDS)
    assert [f.id for f in fields.FIELDS] == [*CORE_FIELDS, *EXTENDED_FIELDS]


def test_the_case_type_checkers_see_matches_the_registry():
    """models.Case is built from the registry at run time; its static view for mypy must agree."""
    tree = ast.parse((ROOT / "advisor" / "models.py").read_text(encoding="utf-8"))
    [stub] = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "Case"
              and any(isinstance(b, ast.Name) and b.id == "NamedTuple" for b in n.bases)]
    declared = tuple(n.target.id for n in stub.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name))
    assert declared == Case._fields


def test_every_flag_and_column_is_unique():
    flags = [name for f in fields.FIELDS for name in (f.flag, f.short) if name]
    assert len(flags) == len(set(flags))
    columns = [name for f in fields.FIELDS for name in (f.id, *f.columns)] + list(fields.ID_COLUMNS)
    assert len(columns) == len(set(columns))



def test_every_answer_a_counsellor_writes_in_chinese_is_a_column(tmp_path) -> None:
    """A spreadsheet with Chinese headers for the extra answers: each one is read, none is unknown."""
    import json

    from typer.testing import CliRunner

    from advisor.cli import app

    path = tmp_path / "zh.csv"
    path.write_text("逾期天数,逾期金额,平台,协商情况,月收入,每月支出,诉讼情况,催收方式,困难,年化利率,合同日期,还清日期\n"
                    "40,6万,信用卡,未协商,8000,5000,已起诉,上门,失业,24%,2024-01-05,\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(path), "--as-of", "2026-11-29", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "unknown" not in result.stderr.lower()
    case = json.loads(result.stdout.splitlines()[0])["case"]
    assert case["legal_status"] == "sued" and case["hardship"] == "unemployment"
    assert case["monthly_income"] is not None and case["contract_date"] == "2024-01-05"


def test_every_name_the_tool_gives_an_answer_is_a_column_it_reads(tmp_path) -> None:
    """The messages name court action 法律程序 and costs 每月必需开支: a counsellor who heads a column with
    the name the tool itself used must not see it dropped."""
    import json

    from typer.testing import CliRunner

    from advisor import load_ruleset
    from advisor.cli import app
    from advisor.parsing import KEYS, key_name

    rules = load_ruleset()
    named = {f.id: rules.text(f"field_{f.id}", "zh") for f in fields.FIELDS}
    assert {fid: KEYS.get(key_name(name)) for fid, name in named.items()} == {fid: fid for fid in named}
    path = tmp_path / "named.csv"
    path.write_text(f"{named['overdue_days']},{named['amount']},{named['platform']},{named['negotiation']},"
                    f"{named['legal_status']},{named['monthly_expenses']},{named['concerns']}\n"
                    "120,8000,招行信用卡,在谈,被执行了,3000,坐牢\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(path), "--as-of", "2026-06-01", "-q"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.stdout.splitlines()[0])["case"]
    assert case["legal_status"] == "enforcement" and case["monthly_expenses"] == "3000.00"
    assert case["concerns"] == ["jail"]
