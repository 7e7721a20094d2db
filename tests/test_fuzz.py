"""Fuzzing: whatever a spreadsheet or a shell throws at the tool, it answers or refuses cleanly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor import cli
from advisor.errors import CaseError
from advisor.fields import FIELDS
from advisor.models import FIELD_KINDS
from advisor.parsing import parse_answer
from advisor.ruleset import load_ruleset

RULES = load_ruleset()
anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.text(alphabet="0123456789.,万千元天%年月日-/ ", max_size=15),
    st.lists(st.text(max_size=10), max_size=4),
)
TYPES = {
    "days": int, "count": int, "amount": Decimal, "money": Decimal, "percent": Decimal,
    "choice": str, "choices": frozenset, "date": __import__("datetime").date,
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FIELD_KINDS)), anything)
def test_every_parser_returns_its_type_or_a_clear_case_error(field, raw):
    try:
        value = parse_answer(field, raw, RULES)
    except CaseError as exc:
        assert exc.field == field and exc.message.strip()
        return
    if value is not None:
        assert isinstance(value, TYPES[FIELD_KINDS[field]])
        if isinstance(value, Decimal):
            assert value.is_finite()


FLAGS = [*(name for f in FIELDS for name in (f.flag, f.short) if name), "--format", "--lang", "--explain", "--as-of", "--no-input", "--quick",
         "--json", "--coverage", "--script", "--help", "--version", "--rules", "--input-format", "--output-format",
         "--encoding", "--jobs", "-j", "--fail-fast", "--quiet", "--excel"]
VALUES = ["45", "0", "-1", "3万", "abc", "花呗", "none", "agreed", "sued", "threats,violence", "json", "markdown",
          "text", "en", "zh", "fr", "2026-01-01", "2026-02-30", "36%", "", "nan", "1e9", "builtin",
          "/nonexistent", "credit.retention", "x" * 300, "\x00", "——", "１２", "csv", "jsonl", "gb18030", "utf-9",
          "-", "0", "999"]
COMMANDS = [[], ["assess"], ["letter"], ["questions"], ["rules", "check"], ["rules", "list"], ["rules", "show"],
            ["rules", "schema"], ["rules"], ["batch"], ["batch", "/nonexistent.csv"], ["bogus"]]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(COMMANDS), st.lists(st.one_of(st.sampled_from(FLAGS), st.sampled_from(VALUES),
                                                      st.text(max_size=8)), max_size=8))
def test_random_command_lines_never_show_a_traceback(command, args):
    result = CliRunner().invoke(cli.app, [*command, *args])
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code in (0, 2, 3), (command, args, result.exit_code, output[-500:])
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
