"""The Python API gives the same record the CLI prints."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

import advisor
from advisor.errors import CaseError


def test_assess_matches_the_cli_json():
    answers = {"overdue_days": "45天", "amount": "5,000", "platform": "花呗", "negotiation": "未协商"}
    api = advisor.assess(answers, as_of=date(2026, 11, 22))
    cli = subprocess.run(
        [sys.executable, "-m", "advisor", "assess", "-d", "45天", "-a", "5,000", "-p", "花呗", "-n", "未协商",
         "--format", "json", "--as-of", "2026-11-22"],
        capture_output=True, text=True, check=True,
    )
    assert api == json.loads(cli.stdout)


def test_assess_rejects_bad_answers_naming_the_field():
    with pytest.raises(CaseError) as err:
        advisor.assess({"overdue_days": 3, "amount": "lots", "platform": "花呗", "negotiation": "none"})
    assert err.value.field == "amount"


def test_case_id_is_echoed():
    out = advisor.assess({"id": "A-7", "overdue_days": 0, "amount": 100, "platform": 1, "negotiation": 1}, lang="en")
    assert out["case"]["id"] == "A-7" and out["language"] == "en"


def test_import_is_light():
    code = "import advisor, sys; print(sorted(m for m in ('typer', 'rich', 'yaml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
