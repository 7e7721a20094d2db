"""Where to complain when a lender ignores a complaint: 12378 takes microloan companies too (the
regulator's notice cited by the step), so a microloan borrower is not sent only to the local office."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from advisor.cli import app


def _steps(lang: str) -> dict[str, str]:
    result = CliRunner().invoke(app, ["assess", "--no-input", "--format", "json", "--as-of", "2026-11-29",
                                      "--lang", lang, "-d", "40", "-a", "8000", "-p", "microloan", "-n", "none",
                                      "--collection", "night_calls"])
    assert result.exit_code == 0, result.output
    return {s["id"]: s["text"] for s in json.loads(result.stdout)["steps"]}


def test_a_microloan_borrower_is_told_12378_takes_their_complaint() -> None:
    zh, en = _steps("zh"), _steps("en")
    assert "12378" in zh["complain_regulator"] and "小额贷款" in zh["complain_regulator"].split("）")[0]
    assert "microloan" in en["complain_regulator"].split(")")[0]
