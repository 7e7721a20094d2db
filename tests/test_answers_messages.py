"""The messages of a Chinese session are Chinese: an answers file that cannot be read, a bad --save or
--format, and a language that is not supported, which names where it came from (the flag, or
ADVISOR_LANG when no flag was given). Each through the command a person runs, on real files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor import cli

CORE = ["-d", "45", "-a", "5000", "-p", "花呗", "-n", "未协商"]
ENGLISH = re.compile(r"[A-Za-z]{4,}")  # a word of English (field ids and flags aside, checked below)


def run(args: list[str], env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli.app, args, env={"NO_COLOR": "1", "COLUMNS": "300", **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    return result


FILES = {
    "list.yaml": ("- 45\n- 5000\n", "名称: 回答"),
    "list.json": ("[45, 5000]", "名称: 回答"),
    "deep.yaml": ("逾期天数: " + "[" * 40 + "]" * 40 + "\n", "嵌套超过 32 层"),
    "deep.json": ('{"逾期天数": ' + "[" * 40 + "]" * 40 + "}", "嵌套超过 32 层"),
    "deeper.json": ('{"逾期天数": ' + "[" * 100_000 + "]" * 100_000 + "}", "嵌套超过 32 层"),  # past Python's recursion
    "big.yaml": ("备注: " + "很" * 700_000 + "\n", "太大"),
    "anchor.yaml": ("逾期天数: &x 45\n金额: *x\n", "锚点和别名"),
}


@pytest.mark.parametrize("name", FILES)
def test_an_answers_file_that_cannot_be_read_is_told_in_chinese(tmp_path: Path, name: str) -> None:
    text, said = FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run(["assess", "--answers", str(path), "--no-input", "-f", "json"])
    assert result.exit_code == 2
    message = result.stderr.replace(str(path), "").removeprefix("advisor: ")
    assert "无法读取回答文件" in message and said in message, message
    assert not ENGLISH.search(message), message  # no "nested more than", "maximum recursion depth", "bytes"


def test_the_same_in_english_with_lang_en(tmp_path: Path) -> None:
    path = tmp_path / "deeper.json"
    path.write_text(FILES["deeper.json"][0], encoding="utf-8")
    result = run(["assess", "--answers", str(path), "--no-input", "-f", "json", "--lang", "en"])
    assert result.exit_code == 2 and "nested deeper than 32 levels" in result.stderr
    assert "recursion" not in result.stderr


def test_a_broken_answers_file_names_its_line_and_column_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"逾期天数": 45,}', encoding="utf-8")
    result = run(["assess", "--answers", str(path), "--no-input", "-f", "json"])
    assert result.exit_code == 2 and "第 1 行第 13 个字符：不是有效的 JSON" in result.stderr
    path = tmp_path / "a.yaml"
    path.write_text("逾期天数: [45\n", encoding="utf-8")
    result = run(["assess", "--answers", str(path), "--no-input", "-f", "json"])
    assert result.exit_code == 2 and "不是有效的 YAML" in result.stderr and "<unicode string>" not in result.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["--save", "x"], "--save：“x”应以 .html 结尾"),
    (["--save", "x.svg"], "--save：已不再保存 SVG"),
    (["-f", "xml"], "--format：“xml”不是可选的格式"),
])
def test_a_bad_flag_of_assess_is_told_in_chinese(tmp_path: Path, args: list[str], said: str) -> None:
    result = run(["assess", *CORE, *args])
    assert result.exit_code == 2 and said in result.stderr, result.stderr


def test_a_bad_format_of_letter_is_told_in_chinese() -> None:
    result = run(["letter", *CORE, "-f", "xml"])
    assert result.exit_code == 2 and "--format：“xml”不是可选的格式" in result.stderr, result.stderr


def test_an_unsupported_advisor_lang_names_advisor_lang_not_the_flag() -> None:
    result = run(["assess", *CORE], env={"ADVISOR_LANG": "fr"})
    assert result.exit_code == 2
    assert "ADVISOR_LANG" in result.stderr and "fr" in result.stderr and "--lang" not in result.stderr
    flag = run(["assess", *CORE, "--lang", "fr"])
    assert flag.exit_code == 2 and "--lang：不支持“fr”" in flag.stderr and "ADVISOR_LANG" not in flag.stderr
    english = run(["assess", *CORE, "--lang", "fr"], env={"ADVISOR_LANG": "en"})  # said as ADVISOR_LANG asks
    assert english.exit_code == 2 and '--lang: "fr" is not supported' in english.stderr
