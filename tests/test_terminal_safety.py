"""Nothing from a rule file, an input file or a file name drives the terminal: every control and BiDi
character is shown as a visible escape, Rich markup in outside text is never read, and `rules check`
names each such character by file, line and column."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor import cli

# An OSC title change with BEL, a screen clear, a C1 CSI, DEL, BiDi overrides, isolates and marks,
# a carriage return and a backspace: each would act on a terminal if printed raw.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\x7f\u202e\u2066\u200f\u061c\u202a\r\b[red on red]x"
RAW = ("\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u2066", "\u200f", "\u061c", "\u202a", "\r", "\b")
VISIBLE = r"\x1b]0;pwned\x07\x1b[2J\x9b31m\x7f\u202e\u2066\u200f\u061c\u202a\r\x08[red on red]x"
FLAGS = ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "none", "--as-of", "2026-05-01", "--lang", "en"]


def _text(label: str) -> str:
    """A {zh, en} text in YAML flow style; JSON escapes are valid in YAML double-quoted strings."""
    value = json.dumps(label + HOSTILE)
    return f"{{zh: {value}, en: {value}}}"


HOSTILE_RULES = f"""
ui:
  app_title: {_text("title")}
  verdict: {{zh: "{{severity}} {{stage}} {json.dumps(HOSTILE)[1:-1]}", en: "{{severity}} {{stage}} {json.dumps(HOSTILE)[1:-1]}"}}
steps:
  - {{id: contact_lender, override: true, text: {_text("step")}}}
consequences:
  - {{id: collection_contact, override: true, text: {_text("consequence")}}}
references:
  - {{id: credit_reg_16, override: true, title: {_text("title")}, text: {_text("law")}}}
rules:
  - id: {json.dumps("hostile" + HOSTILE)}
    when: {{overdue_days: {{gte: 1}}}}
    summary: {_text("summary")}
    consequences: [collection_contact]
    steps: [contact_lender]
    references: [credit_reg_16]
    examples:
      - case: {{overdue_days: 45, amount: 5000, platform: internet_platform, negotiation: none}}
        expect: {{includes: [contact_lender]}}
letter:
  - text: {_text("letter {amount}")}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "hostile.yaml"
    path.write_text(HOSTILE_RULES, encoding="utf-8")
    return path


def run(args: list[str], **kw):
    return CliRunner().invoke(cli.app, args, catch_exceptions=False, **kw)


def assert_safe(text: str) -> None:
    found = [c for c in RAW if c in text]
    assert not found, f"raw {found!r} reached the output"


@pytest.mark.parametrize("fmt", ["rich", "markdown"])
def test_the_report_shows_hostile_rule_texts_escaped(hostile, fmt):
    result = run(["assess", *FLAGS, "--rules", "builtin", "--rules", str(hostile), "--format", fmt, "--explain"])
    assert result.exit_code == 0, result.stderr
    assert_safe(result.stdout)
    # Each text arrived, visibly: title, summary, step, consequence, reference, rule id.
    for label in ("title", "step", "consequence", "law", "summary", "hostile"):
        assert re.search(re.escape(label + VISIBLE[:20]), result.stdout), label
    assert "[red on red]x" in result.stdout  # shown as written, never read as markup


def test_json_escapes_them_losslessly(hostile):
    result = run(["assess", *FLAGS, "--rules", "builtin", "--rules", str(hostile), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert_safe(result.stdout)
    data = json.loads(result.stdout)
    steps = [{k: s[k] for k in ("id", "urgency", "text")} for s in data["steps"]]
    assert {"id": "contact_lender", "urgency": "now", "text": "step" + HOSTILE} in steps


def test_a_saved_report_stays_valid_and_inert(hostile, tmp_path):
    target = tmp_path / "report.html"
    result = run(["assess", *FLAGS, "--rules", "builtin", "--rules", str(hostile), "--save", str(target)])
    assert result.exit_code == 0, result.stderr
    saved = target.read_text(encoding="utf-8")
    assert_safe(saved)
    assert "pwned" in saved


def test_the_letter_shows_them_escaped(hostile):
    result = run(["letter", *FLAGS, "--rules", "builtin", "--rules", str(hostile)])
    assert result.exit_code == 0, result.stderr
    assert_safe(result.stdout)
    assert "letter 5000.00" + VISIBLE in result.stdout


def test_rules_list_and_show_escape_them(hostile):
    listed = run(["rules", "list", "builtin", str(hostile)])
    assert listed.exit_code == 0, listed.stderr
    assert_safe(listed.stdout)
    assert "hostile" + VISIBLE in listed.stdout
    shown = run(["rules", "show", "hostile" + HOSTILE, "builtin", str(hostile), "--lang", "en"])
    assert shown.exit_code == 0, shown.stderr
    assert_safe(shown.stdout)
    assert f"step:        contact_lender (now): step{VISIBLE}" in shown.stdout
    assert_safe(run(["rules", "list", "--json", "builtin", str(hostile)]).stdout)


def test_rules_check_names_each_character_by_file_line_and_column(hostile):
    result = run(["rules", "check", "builtin", str(hostile)])
    assert result.exit_code == 3
    assert_safe(result.stderr)
    lines = HOSTILE_RULES.splitlines()
    found = re.findall(r"hostile\.yaml:(\d+):(\d+): -: character (U\+[0-9A-F]{4})", result.stderr)
    # One problem per text (zh and en each), each at the line that holds it: the first character named.
    assert len(found) == 2 * 8 + 1  # eight {zh, en} texts, and the rule id
    assert {char for _, _, char in found} == {"U+001B"}
    for line, column, _ in found:
        assert lines[int(line) - 1][int(column) - 1:].startswith(("zh:", "en:", "id:"))


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u200f", "\u061c", "\x85", "\x7f", "\t", "\u2028"])
def test_rules_check_rejects_each_kind_of_character(tmp_path, char):
    path = tmp_path / "one.yaml"
    path.write_text(f"ui:\n  app_title: {{zh: 一, en: {json.dumps('A' + char + 'B')}}}\n", encoding="utf-8")
    result = run(["rules", "check", "builtin", str(path), "--json"])
    assert result.exit_code == 3
    problems = json.loads(result.stdout)["problems"]
    column = path.read_text(encoding="utf-8").splitlines()[1].index("en:") + 1
    assert [(p["file"], p["line"], p["column"]) for p in problems] == [("one.yaml", 2, column)]
    assert f"U+{ord(char):04X}" in problems[0]["message"]


def test_a_multi_line_text_is_not_a_control_character(tmp_path):
    path = tmp_path / "lines.yaml"
    path.write_text("ui:\n  disclaimer:\n    zh: |\n      第一行\n      第二行\n    en: one\n", encoding="utf-8")
    result = run(["rules", "check", "builtin", str(path)])
    assert result.exit_code == 0, result.stderr


def test_batch_warns_about_hostile_columns_and_keys_escaped(tmp_path):
    csv_in = tmp_path / "in.csv"
    column = HOSTILE.replace("\r", "")  # a CR would end the CSV header
    csv_in.write_text(f"overdue_days,amount,platform,negotiation,{column}\n45,5000,花呗,none,x\n", encoding="utf-8")
    jsonl_in = tmp_path / "in.jsonl"
    row = {"overdue_days": 45, "amount": 5000, "platform": "花呗", "negotiation": "none", HOSTILE: 1}
    jsonl_in.write_text(json.dumps(row) + "\n", encoding="utf-8")
    for path, shown in ((csv_in, VISIBLE.replace(r"\r", "")), (jsonl_in, VISIBLE)):
        result = run(["batch", str(path), "--lang", "en", "--as-of", "2026-05-01"])
        assert result.exit_code == 0, result.stderr
        assert "ignoring unknown columns: " + shown in result.stderr
        assert_safe(result.stderr)


def test_a_hostile_file_name_is_escaped_in_messages(tmp_path):
    name = str(tmp_path / f"{HOSTILE}.csv")
    result = run(["batch", name, "--lang", "en"])
    assert result.exit_code == 2
    assert_safe(result.stderr)
    assert VISIBLE in result.stderr


def test_the_progress_bar_reads_no_markup_and_no_escapes_in_a_file_name(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    path = tmp_path / "[red on red]\x1b[8mx.csv"
    rows = "".join(f"{n},5000,花呗,none\n" for n in range(1, 3001))
    path.write_text("overdue_days,amount,platform,negotiation\n" + rows, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80", PYTHONPATH=str(root))
    child = pexpect.spawn(sys.executable, ["-m", "advisor", "batch", str(path), "-o", str(out), "--lang", "en"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(24, 80))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert r"[red on red]\x1b[8mx.csv" in child.before  # the name as written, its ESC made visible
    assert "\x1b[8m" not in child.before


@pytest.mark.parametrize("output", ["jsonl", "json", "csv"])
def test_batch_output_never_carries_a_raw_control_from_an_id(tmp_path, output):
    cases = tmp_path / "cases.jsonl"  # JSON can carry every character (a raw CR would damage a CSV row)
    cases.write_text(json.dumps({"id": f"a{HOSTILE}", "overdue_days": 45, "amount": 5000, "platform": "花呗",
                                 "negotiation": "none"}) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "advisor", "batch", str(cases), "--output-format", output],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert not any(c in result.stdout for c in RAW), "a control or BiDi character reached the output raw"
    if output != "csv":  # JSON escapes them, so the data read back is the id as given
        first = result.stdout.splitlines()[0] if output == "jsonl" else result.stdout
        data = json.loads(first)
        record = data if output == "jsonl" else data[0]
        assert record["case"]["id"] == f"a{HOSTILE}"
