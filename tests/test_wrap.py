"""Wrapping Chinese for the terminal: no line too wide, nothing lost, punctuation where it belongs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from advisor.render.rich_text import wrap_lines


def test_breaks_between_chinese_characters_not_only_at_spaces():
    text = "你填写的年化利率 60%，对照上限 13.80%：超过。私人或非持牌放贷属于民间借贷"
    lines = wrap_lines(text, 30)
    assert lines[0] == "你填写的年化利率 60%，对照上限"
    assert all(cell_len(line) <= 30 for line in lines)


def test_closing_punctuation_never_starts_a_line_and_opening_never_ends_one():
    lines = wrap_lines("一二三四五六七八九十，一二三（四五）", 10)
    assert not any(line[0] in "，。）" for line in lines)
    assert not any(line[-1] in "（" for line in lines)


def test_latin_words_and_numbers_stay_whole_unless_longer_than_a_line():
    lines = wrap_lines("请访问 jubao.nifa.org.cn 举报", 12)
    assert "jubao.nifa.org.cn"[:12] in lines[1] or "jubao.nifa.org.cn" in "".join(lines)
    assert all(cell_len(line) <= 12 for line in lines)


@given(st.text(alphabet=st.sampled_from(list("逾期金额协商征信，。（）、 abc123.%")), max_size=200),
       st.integers(min_value=4, max_value=80))
def test_no_line_is_too_wide_and_no_character_is_lost(text, width):
    lines = wrap_lines(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_moving_punctuation_never_overfills_the_next_line():
    for text in ("一（abcd", "一二（abcd", "一二abcd，"):
        assert all(cell_len(line) <= 4 for line in wrap_lines(text, 4)), text


def test_a_citation_keeps_its_law_title_and_article_numbers_whole():
    text = "依据：《民法典》第五百八十五条、第一千零三十三条；《征信业管理条例》第十三条、第十五条"
    for width in range(20, 60):  # narrower, a whole article number and its 、 cannot share a line
        lines = wrap_lines(text, width)
        assert "".join(lines) == text
        assert not any(line.startswith(("条", "、", "；")) for line in lines), (width, lines)
        joined = "|".join(lines)
        assert "《征信业管理条例》" in joined and "第一千零三十三条" in joined and "第十三条" in joined


@settings(max_examples=60, deadline=None)
@given(st.integers(30, 120), st.sampled_from(["platform", "collection", "hardship"]), st.sampled_from(["zh", "en"]))
def test_an_error_on_a_terminal_never_splits_a_choice(width, field, lang):
    """A refusal listing the choices, wrapped to the terminal: every choice's name and id stay whole
    on one line (when they fit with the indent and the separator), no line is wider than the
    terminal, nothing is lost."""
    from advisor.errors import CaseError
    from advisor.parsing import parse_answer
    from advisor.ruleset import load_ruleset
    from advisor.termwrap import fit_message

    rules = load_ruleset()
    try:
        parse_answer(field, "蚂蚁", rules, lang)
    except CaseError as exc:
        message = f"advisor: --{field}: {exc.message}"
    lines = fit_message(message, width).split("\n")
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join(line.strip() for line in lines).replace(" ", "") == message.replace(" ", "")
    for choice in rules.choices(field):
        name = f"{choice['label']['zh']}（{choice['id']}）" if lang == "zh" else f"({choice['id']})"
        if cell_len(name) + 4 <= width:
            assert any(name in line for line in lines), (name, lines)
